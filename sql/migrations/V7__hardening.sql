-- Hardening: no temporary objects for the application role, grant changes
-- serialised and planned under a lock without temporary tables, and an
-- audit function that refuses ambiguous input and cannot be held forever.

-- The application role needs no temporary tables; without TEMP it cannot
-- plant objects in pg_temp for a SECURITY DEFINER function to trip over.
DO $$
BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
END
$$;

CREATE OR REPLACE FUNCTION fc.apply_grants(p_by uuid, p_i int[], p_actions text[], p_grantees uuid[],
                                           p_accounts text[], p_displays text[], p_sources text[],
                                           p_expires timestamptz[], p_reasons text[], p_tickets text[])
RETURNS TABLE (i int, effect text, previous_expires timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = fc, pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    v_effects text[];
    v_ids bigint[];
    v_previous timestamptz[];
BEGIN
    IF EXISTS (SELECT 1 FROM unnest(p_grantees) g WHERE g = p_by) THEN
        RAISE EXCEPTION 'nobody may grant or revoke their own access' USING ERRCODE = '42501';
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(p_expires) e WHERE e <= clock_timestamp()) THEN
        RAISE EXCEPTION 'an expiry in the past is refused' USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(p_reasons) r WHERE r IS NULL OR btrim(r) = '') THEN
        RAISE EXCEPTION 'every change needs a reason' USING ERRCODE = '22023';
    END IF;
    -- One change set at a time: the plan below sees every earlier set committed.
    PERFORM pg_advisory_xact_lock(hashtextextended('fc.permission_grant changes', 0));
    SELECT array_agg(p.effect ORDER BY p.i), array_agg(p.grant_id ORDER BY p.i),
           array_agg(p.previous_expires ORDER BY p.i)
      INTO v_effects, v_ids, v_previous
      FROM fc.plan_grants(p_i, p_actions, p_grantees, p_sources, p_expires) p;

    INSERT INTO fc.app_user AS u (object_guid, account_name, display_name)
    SELECT DISTINCT ON (r.grantee) r.grantee, r.account, r.display
    FROM unnest(p_grantees, p_accounts, p_displays) AS r (grantee, account, display)
    ORDER BY r.grantee
    ON CONFLICT (object_guid) DO UPDATE
        SET account_name = excluded.account_name, display_name = excluded.display_name;

    -- Close expired grants that are granted again, and revoke what is revoked.
    UPDATE fc.permission_grant g
    SET revoked_at = clock_timestamp(), revoked_by_guid = p_by,
        revoke_reason = CASE WHEN c.action = 'grant' THEN 'expired; superseded by a new grant: ' || c.reason
                             ELSE c.reason END
    FROM unnest(p_actions, p_reasons, v_effects, v_ids) AS c (action, reason, effect, grant_id)
    WHERE g.id = c.grant_id AND g.revoked_at IS NULL AND c.effect IN ('revoked', 'added');

    UPDATE fc.permission_grant g SET expires_at = c.expires
    FROM unnest(p_expires, v_effects, v_ids) AS c (expires, effect, grant_id)
    WHERE g.id = c.grant_id AND g.revoked_at IS NULL AND c.effect = 'extended';

    INSERT INTO fc.permission_grant (grantee_guid, source_code, granted_by_guid, reason, ticket, expires_at)
    SELECT c.grantee, c.source, p_by, c.reason, c.ticket, c.expires
    FROM unnest(p_grantees, p_sources, p_reasons, p_tickets, p_expires, v_effects)
         AS c (grantee, source, reason, ticket, expires, effect)
    WHERE c.effect = 'added';

    RETURN QUERY
    SELECT r.i, r.effect, r.previous
    FROM unnest(p_i, v_effects, v_previous) AS r (i, effect, previous)
    ORDER BY r.i;
END;
$$;

-- The same audit write, refusing input whose canonical form would be
-- ambiguous, and never waiting more than 30 s for the chain.
CREATE OR REPLACE FUNCTION fc.audit_write(
    p_actor_guid uuid, p_actor_account text, p_channel text, p_client_host text,
    p_action text, p_outcome text, p_subject_person bigint, p_persons bigint[],
    p_sources text[], p_target_user text, p_target_guid uuid, p_reason text,
    p_details jsonb)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = fc, pg_catalog, pg_temp
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
            current_setting('transaction_isolation');
    END IF;
    IF array_position(v_persons, NULL) IS NOT NULL
       OR EXISTS (SELECT 1 FROM unnest(v_sources) s WHERE s IS NULL OR s !~ '^[a-z_]{1,40}$') THEN
        RAISE EXCEPTION 'audit_write: persons and sources must be plain ids and codes' USING ERRCODE = '22023';
    END IF;
    PERFORM set_config('lock_timeout', '30s', true);
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
    RETURN v_id;
END;
$$;
