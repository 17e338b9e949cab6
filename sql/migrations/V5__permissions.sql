-- Permission administration, shared with the API: planning and applying
-- grants and revokes as sets, listing grants as of a moment, and the
-- recertification review. The application role reaches the grants table
-- only through these functions.

CREATE INDEX audit_log_actor_guid_idx ON fc.audit_log (actor_guid, occurred_at);

-- What each requested change would do now:
--   grant  -> added | extended | unchanged      revoke -> revoked | not_granted
-- p_i numbers the requests (e.g. file lines) and comes back with each effect.
CREATE FUNCTION fc.plan_grants(p_i int[], p_actions text[], p_grantees uuid[], p_sources text[],
                               p_expires timestamptz[])
RETURNS TABLE (i int, effect text, grant_id bigint, previous_expires timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = fc, pg_temp
AS $$
    SELECT r.i,
           CASE
             WHEN r.action = 'grant' AND (g.id IS NULL OR g.expires_at <= clock_timestamp()) THEN 'added'
             WHEN r.action = 'grant' AND g.expires_at IS NOT NULL
                  AND (r.expires IS NULL OR r.expires > g.expires_at) THEN 'extended'
             WHEN r.action = 'grant' THEN 'unchanged'
             WHEN g.id IS NOT NULL AND (g.expires_at IS NULL OR g.expires_at > clock_timestamp()) THEN 'revoked'
             ELSE 'not_granted'
           END,
           g.id, g.expires_at
    FROM unnest(p_i, p_actions, p_grantees, p_sources, p_expires) AS r (i, action, grantee, source, expires)
    LEFT JOIN fc.permission_grant g
           ON g.grantee_guid = r.grantee AND g.source_code = r.source AND g.revoked_at IS NULL
    ORDER BY r.i;
$$;

-- Applies a set of changes in one statement each kind, and returns what
-- each did. Grantees are upserted as users (objectGUID, account, display
-- name) so a renamed account keeps its grants. An expired grant that is
-- granted again is closed (revoked as superseded) and a new one opened, so
-- history is kept; nothing is deleted.
CREATE FUNCTION fc.apply_grants(p_by uuid, p_i int[], p_actions text[], p_grantees uuid[],
                                p_accounts text[], p_displays text[], p_sources text[],
                                p_expires timestamptz[], p_reasons text[], p_tickets text[])
RETURNS TABLE (i int, effect text, previous_expires timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = fc, pg_temp
AS $$
#variable_conflict use_column
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

    CREATE TEMP TABLE IF NOT EXISTS pg_temp.fc_change (
        i int, action text, grantee uuid, account text, display text, source text,
        expires timestamptz, reason text, ticket text, effect text, grant_id bigint,
        previous_expires timestamptz
    ) ON COMMIT DROP;
    TRUNCATE pg_temp.fc_change;
    INSERT INTO pg_temp.fc_change (i, action, grantee, account, display, source, expires, reason, ticket)
    SELECT * FROM unnest(p_i, p_actions, p_grantees, p_accounts, p_displays, p_sources, p_expires,
                         p_reasons, p_tickets);
    UPDATE pg_temp.fc_change c SET effect = p.effect, grant_id = p.grant_id, previous_expires = p.previous_expires
    FROM fc.plan_grants(p_i, p_actions, p_grantees, p_sources, p_expires) p WHERE p.i = c.i;

    INSERT INTO fc.app_user AS u (object_guid, account_name, display_name)
    SELECT DISTINCT ON (grantee) grantee, account, display FROM pg_temp.fc_change ORDER BY grantee
    ON CONFLICT (object_guid) DO UPDATE
        SET account_name = excluded.account_name, display_name = excluded.display_name;

    -- Close expired grants that are granted again, and revoke what is revoked.
    UPDATE fc.permission_grant g
    SET revoked_at = clock_timestamp(), revoked_by_guid = p_by,
        revoke_reason = CASE WHEN c.action = 'grant' THEN 'expired; superseded by a new grant: ' || c.reason
                             ELSE c.reason END
    FROM pg_temp.fc_change c
    WHERE g.id = c.grant_id AND (c.effect = 'revoked' OR (c.effect = 'added'));

    UPDATE fc.permission_grant g SET expires_at = c.expires
    FROM pg_temp.fc_change c WHERE g.id = c.grant_id AND c.effect = 'extended';

    INSERT INTO fc.permission_grant (grantee_guid, source_code, granted_by_guid, reason, ticket, expires_at)
    SELECT grantee, source, p_by, reason, ticket, expires FROM pg_temp.fc_change WHERE effect = 'added';

    RETURN QUERY SELECT c.i, c.effect, c.previous_expires FROM pg_temp.fc_change c ORDER BY c.i;
END;
$$;

-- Grants in force at p_at (or, with p_include_ended, every grant that had
-- begun by then), for one user and/or one source.
CREATE FUNCTION fc.grants_as_of(p_at timestamptz, p_grantee uuid, p_source text, p_include_ended boolean)
RETURNS TABLE (grant_id bigint, grantee_guid uuid, grantee text, source_code text, status text,
               granted_by text, reason text, ticket text, valid_from timestamptz,
               expires_at timestamptz, revoked_at timestamptz, revoked_by text, revoke_reason text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = fc, pg_temp
AS $$
    SELECT g.id, g.grantee_guid, ug.account_name, g.source_code,
           CASE WHEN g.revoked_at IS NOT NULL AND g.revoked_at <= p_at THEN 'revoked'
                WHEN g.expires_at IS NOT NULL AND g.expires_at <= p_at THEN 'expired'
                ELSE 'active' END,
           ub.account_name, g.reason, g.ticket, g.valid_from, g.expires_at, g.revoked_at,
           ur.account_name, g.revoke_reason
    FROM fc.permission_grant g
    JOIN fc.app_user ug ON ug.object_guid = g.grantee_guid
    JOIN fc.app_user ub ON ub.object_guid = g.granted_by_guid
    LEFT JOIN fc.app_user ur ON ur.object_guid = g.revoked_by_guid
    WHERE (p_grantee IS NULL OR g.grantee_guid = p_grantee)
      AND (p_source IS NULL OR g.source_code = p_source)
      AND g.valid_from <= p_at
      AND (p_include_ended OR ((g.revoked_at IS NULL OR g.revoked_at > p_at)
                               AND (g.expires_at IS NULL OR g.expires_at > p_at)))
    ORDER BY ug.account_name, g.source_code, g.valid_from;
$$;

-- Active grants to recertify: expiring within p_expiring, or not used (no
-- lookup by the grantee that disclosed the source) for p_unused. With both
-- NULL, every active grant. last_used comes from the audit trail.
CREATE FUNCTION fc.grants_review(p_expiring interval, p_unused interval)
RETURNS TABLE (grant_id bigint, grantee text, source_code text, granted_by text, reason text,
               ticket text, valid_from timestamptz, expires_at timestamptz, last_used timestamptz,
               why text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = fc, pg_temp
AS $$
    WITH active AS (
        SELECT g.*, (SELECT max(a.occurred_at) FROM fc.audit_log a
                     WHERE a.actor_guid = g.grantee_guid AND a.outcome = 'allowed'
                       AND a.occurred_at >= g.valid_from
                       AND a.sources_disclosed @> ARRAY[g.source_code]) AS last_used
        FROM fc.permission_grant g
        WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > clock_timestamp())
    )
    SELECT a.id, ug.account_name, a.source_code, ub.account_name, a.reason, a.ticket, a.valid_from,
           a.expires_at, a.last_used,
           concat_ws('; ',
               CASE WHEN p_expiring IS NOT NULL AND a.expires_at <= clock_timestamp() + p_expiring
                    THEN 'expires soon' END,
               CASE WHEN p_unused IS NOT NULL AND coalesce(a.last_used, a.valid_from) <= clock_timestamp() - p_unused
                    THEN CASE WHEN a.last_used IS NULL THEN 'never used' ELSE 'unused' END END)
    FROM active a
    JOIN fc.app_user ug ON ug.object_guid = a.grantee_guid
    JOIN fc.app_user ub ON ub.object_guid = a.granted_by_guid
    WHERE (p_expiring IS NULL AND p_unused IS NULL)
       OR (p_expiring IS NOT NULL AND a.expires_at <= clock_timestamp() + p_expiring)
       OR (p_unused IS NOT NULL AND coalesce(a.last_used, a.valid_from) <= clock_timestamp() - p_unused)
    ORDER BY a.expires_at NULLS LAST, ug.account_name, a.source_code;
$$;

REVOKE ALL ON FUNCTION fc.plan_grants(int[], text[], uuid[], text[], timestamptz[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION fc.apply_grants(uuid, int[], text[], uuid[], text[], text[], text[], timestamptz[], text[], text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION fc.grants_as_of(timestamptz, uuid, text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION fc.grants_review(interval, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    fc.plan_grants(int[], text[], uuid[], text[], timestamptz[]),
    fc.apply_grants(uuid, int[], text[], uuid[], text[], text[], text[], timestamptz[], text[], text[]),
    fc.grants_as_of(timestamptz, uuid, text, boolean),
    fc.grants_review(interval, interval)
    TO famctx_app;
