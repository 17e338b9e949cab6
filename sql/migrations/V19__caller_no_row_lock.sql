-- A caller's own requests no longer wait for each other. fc.begin recorded every caller with
-- INSERT ... ON CONFLICT DO UPDATE ... WHERE <something changed>; when nothing had changed the
-- row was not updated but was still locked (ON CONFLICT DO UPDATE locks the conflicting row
-- whatever its WHERE says) until the request's commit, so two requests of one user at once ran
-- one after the other (measured: pooled API lookups for one acting user waited on
-- Lock:transactionid / Lock:tuple, 45-53 a second from 1 to 64 connections). The row is now read
-- first and written only when its name or display name changed or it was last seen over an hour
-- ago, as before; the write itself is unchanged.

CREATE OR REPLACE FUNCTION fc.begin(p_request jsonb, p_role text)
RETURNS fc.caller_t
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t := fc.caller(p_request);
    v_group text := CASE p_role WHEN 'user' THEN 'FamilyContext Users'
                                WHEN 'admin' THEN 'FamilyContext Admins'
                                WHEN 'auditor' THEN 'FamilyContext Auditors' END;
BEGIN
    IF c.refusal IS NULL AND p_role = 'any' AND cardinality(c.roles) = 0 THEN
        c.refusal := format('%s is not permitted: this needs a FamilyContext role; ask a Family Context '
                            'administrator', c.account);
    ELSIF c.refusal IS NULL AND p_role <> 'any' AND NOT (c.roles @> ARRAY[p_role]) THEN
        c.refusal := format('%s is not permitted: this needs the %s role (AD group "%s"); ask a Family '
                            'Context administrator', c.account, p_role, v_group);
    END IF;
    IF c.refusal IS NULL AND NOT EXISTS (
        SELECT 1 FROM fc.app_user u
        WHERE u.object_guid = c.guid
          AND u.account_name IS NOT DISTINCT FROM c.account
          AND u.display_name IS NOT DISTINCT FROM c.display
          AND u.last_seen >= clock_timestamp() - interval '1 hour') THEN
        INSERT INTO fc.app_user AS u (object_guid, account_name, display_name)
        VALUES (c.guid, c.account, c.display)
        ON CONFLICT (object_guid) DO UPDATE
            SET account_name = excluded.account_name, display_name = excluded.display_name,
                last_seen = clock_timestamp()
            WHERE u.account_name IS DISTINCT FROM excluded.account_name
               OR u.display_name IS DISTINCT FROM excluded.display_name
               OR u.last_seen < clock_timestamp() - interval '1 hour';
    END IF;
    RETURN c;
END;
$$;
