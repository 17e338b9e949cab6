-- pg_catalog first in every function's search_path, so no object in schema fc can shadow a
-- built-in (V1-V7 set "fc, pg_temp", which searches pg_catalog first only implicitly, and V7's
-- apply_grants "fc, pg_catalog, pg_temp", which lets fc objects shadow built-ins). The bodies of
-- these functions name their tables in full.

ALTER FUNCTION fc.register_user(uuid, text, text) SET search_path = pg_catalog, fc, pg_temp;
ALTER FUNCTION fc.current_grants(uuid) SET search_path = pg_catalog, fc, pg_temp;
ALTER FUNCTION fc.may_see(uuid, text) SET search_path = pg_catalog, fc, pg_temp;
ALTER FUNCTION fc.audit_canonical(bigint, timestamptz, uuid, text, text, text, text, text, bigint,
                                  bigint[], text[], text, uuid, text, jsonb)
    SET search_path = pg_catalog, fc, pg_temp;
ALTER FUNCTION fc.audit_refuse_change() SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION fc.plan_grants(int[], text[], uuid[], text[], timestamptz[])
    SET search_path = pg_catalog, fc, pg_temp;
ALTER FUNCTION fc.apply_grants(uuid, int[], text[], uuid[], text[], text[], text[], timestamptz[],
                               text[], text[])
    SET search_path = pg_catalog, fc, pg_temp;
ALTER FUNCTION fc.grants_as_of(timestamptz, uuid, text, boolean) SET search_path = pg_catalog, fc, pg_temp;
ALTER FUNCTION fc.grants_review(interval, interval) SET search_path = pg_catalog, fc, pg_temp;
