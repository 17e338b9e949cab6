-- Second review of the door.
--  * fc_api.collect takes its ticket in one DELETE ... RETURNING, so two sessions of one role can
--    never both collect it; expired tickets are cleared through an index.
--  * The audit write ends an idle transaction after 10 s for every caller (V14 set it only on
--    operators' roles, so neither the API's service role nor the owner had it).
--  * A roles sync dry run is a disclosure like any other: its plan (accounts, objectGUIDs, group
--    memberships) is handed over after its audit row commits. fc.roles_sync is V14's body, moved
--    out of fc_api; fc_api.roles_sync wraps it.
--  * UTC and ISO dates are pinned on the entry points (fc_api) only; the helpers they call
--    inherit them.
--  * fc.register_user and fc.may_see have had no caller since V8.

CREATE INDEX disclosure_created_idx ON fc.disclosure (created_at);

CREATE OR REPLACE FUNCTION fc_api.collect(p_ticket uuid)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d fc.disclosure;
BEGIN
    DELETE FROM fc.disclosure x
    WHERE x.ticket = p_ticket AND x.db_role = session_user
      AND x.created_at >= clock_timestamp() - interval '15 minutes'
    RETURNING * INTO d;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no result for ticket %: it was collected already, has expired, or was made by '
                        'another role; make the request again', p_ticket USING ERRCODE = 'FCNFD';
    END IF;
    -- Raising here undoes the DELETE with the statement: the ticket stays for after the commit.
    IF pg_xact_status(d.xid) IS DISTINCT FROM 'committed' THEN
        RAISE EXCEPTION 'the audit row of this request is not committed yet: commit the transaction '
                        'that made the request, then collect' USING ERRCODE = 'FCUSE';
    END IF;
    DELETE FROM fc.disclosure x WHERE x.created_at < clock_timestamp() - interval '15 minutes';
    RETURN d.document;
END;
$$;

CREATE OR REPLACE FUNCTION fc.audit_write(
    p_actor_guid uuid, p_actor_account text, p_channel text, p_client_host text,
    p_action text, p_outcome text, p_subject_person bigint, p_persons bigint[],
    p_sources text[], p_target_user text, p_target_guid uuid, p_reason text,
    p_details jsonb)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_prev_id   bigint;
    v_prev_hash bytea;
    v_id        bigint;
    v_at        timestamptz;
    v_persons   bigint[] := coalesce(p_persons, '{}');
    v_sources   text[] := coalesce(p_sources, '{}');
    v_details   jsonb := coalesce(p_details, '{}');
    v_hash      bytea;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'audit_write must run in a READ COMMITTED transaction, not %',
            current_setting('transaction_isolation') USING ERRCODE = 'FCAUD';
    END IF;
    IF array_position(v_persons, NULL) IS NOT NULL
       OR EXISTS (SELECT 1 FROM unnest(v_sources) s WHERE s IS NULL OR s !~ '^[a-z_]{1,40}$') THEN
        RAISE EXCEPTION 'audit_write: persons and sources must be plain ids and codes' USING ERRCODE = '22023';
    END IF;
    PERFORM set_config('lock_timeout', '30s', true);
    -- The chain's lock is held to commit: a transaction left idle after it ends in 10 s, whoever
    -- the caller (operator, service or owner).
    PERFORM set_config('idle_in_transaction_session_timeout', '10s', true);
    BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended('fc.audit_log chain', 0));
        SELECT a.id, a.row_hash INTO v_prev_id, v_prev_hash
        FROM fc.audit_log a ORDER BY a.id DESC LIMIT 1;
        v_id := coalesce(v_prev_id, 0) + 1;
        v_prev_hash := coalesce(v_prev_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
        v_at := date_trunc('microseconds', clock_timestamp());
        v_hash := sha256(v_prev_hash || fc.audit_canonical(
            v_id, v_at, p_actor_guid, p_actor_account, p_channel, p_client_host, p_action,
            p_outcome, p_subject_person, v_persons, v_sources, p_target_user, p_target_guid,
            p_reason, v_details));
        INSERT INTO fc.audit_log (id, occurred_at, actor_guid, actor_account, channel, client_host,
            action, outcome, subject_person, persons_disclosed, sources_disclosed, target_user,
            target_guid, reason, details, prev_hash, row_hash)
        VALUES (v_id, v_at, p_actor_guid, p_actor_account, p_channel, p_client_host,
            p_action, p_outcome, p_subject_person, v_persons, v_sources, p_target_user,
            p_target_guid, p_reason, v_details, v_prev_hash, v_hash);
    EXCEPTION WHEN others THEN
        RAISE EXCEPTION 'the audit row could not be written: %', SQLERRM USING ERRCODE = 'FCAUD';
    END;
    RETURN v_id;
END;
$$;


-- roles sync: V14's body moves to fc (no operator may call it), owned by famctx_roles as before.
GRANT CREATE ON SCHEMA fc TO famctx_roles;
ALTER FUNCTION fc_api.roles_sync(jsonb) SET SCHEMA fc;
REVOKE CREATE ON SCHEMA fc FROM famctx_roles;
REVOKE ALL ON FUNCTION fc.roles_sync(jsonb) FROM PUBLIC, famctx_operator;

-- The same request and result as fc.roles_sync; a dry run's plan comes through a ticket.
CREATE FUNCTION fc_api.roles_sync(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
    v jsonb := fc.roles_sync(p_request);
    v_ticket uuid;
BEGIN
    IF v ? 'result' AND (v #>> '{result,dry_run}') = 'true' THEN
        INSERT INTO fc.disclosure (db_role, xid, audit_id, document)
        VALUES (session_user, pg_current_xact_id(), (v ->> 'audit_id')::bigint, v -> 'result')
        RETURNING ticket INTO v_ticket;
        RETURN jsonb_build_object('outcome', 'recorded', 'audit_id', v -> 'audit_id', 'ticket', v_ticket);
    END IF;
    RETURN v;
END;
$$;

DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN
        SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'fc' AND p.prosecdef
    LOOP
        EXECUTE format('ALTER FUNCTION %s RESET TimeZone', f);
        EXECUTE format('ALTER FUNCTION %s RESET DateStyle', f);
        EXECUTE format('ALTER FUNCTION %s RESET IntervalStyle', f);
    END LOOP;
END
$$;

-- ...and on every entry point, including those (re)made above.
DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN
        SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'fc_api'
    LOOP
        EXECUTE format('ALTER FUNCTION %s SET TimeZone = %L', f, 'UTC');
        EXECUTE format('ALTER FUNCTION %s SET DateStyle = %L', f, 'ISO, YMD');
        EXECUTE format('ALTER FUNCTION %s SET IntervalStyle = %L', f, 'postgres');
    END LOOP;
END
$$;

DROP FUNCTION fc.register_user(uuid, text, text);
DROP FUNCTION fc.may_see(uuid, text);
