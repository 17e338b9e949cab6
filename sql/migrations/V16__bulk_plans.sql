-- Bulk changes whose plans cannot degrade, and a set-based audit chain.
--  * fc.plan_grants finds each change's open grant by an index probe per change (a LATERAL
--    subquery with LIMIT 1 on the unique open-grant index): a nested loop driven by the
--    changes, whatever the statistics say. V5's plain join let the planner, with statistics
--    that had not yet seen a bulk grant, loop over every open grant for every change (a bulk
--    revoke right after a bulk grant of 10,000 took 6-32 s).
--  * fc.permission_change plans once, under the lock, and fc.apply_plan applies that plan; its
--    updates find their rows through the planned ids (primary key), never through an estimate
--    of how many grants are open. fc.apply_grants, which planned a second time, is dropped.
--  * fc.audit_append writes many audit rows in one INSERT under the chain's lock, with the same
--    canonical bytes and hashes as one fc.audit_write call a row; fc.audit_write is now its
--    one-row case. A bulk apply appends its rows as one set.
--  * fc.audit_canonical is written so that the planner inlines it (one expression, no SET
--    clause, every name qualified): the bytes are the same.
--
-- Every SECURITY DEFINER function here runs with search_path = pg_catalog, pg_temp and names
-- fc objects in full.

-- Canonical bytes of a row, the input of its hash: each field as <octet length>:<text>, or '-'
-- for NULL, followed by a newline, in this order (V3's definition; famctx recomputes the same
-- bytes in `audit verify`). An expression the planner inlines into the statement that calls it
-- (V3's VALUES and string_agg cost 10-30 us a row as a separate function call): hence no SET
-- clause, and every name qualified, so that no search_path can change what it means. STABLE,
-- not IMMUTABLE, because its casts and array_to_string are.
CREATE OR REPLACE FUNCTION fc.audit_canonical(
    p_id bigint, p_occurred_at timestamptz, p_actor_guid uuid, p_actor_account text,
    p_channel text, p_client_host text, p_action text, p_outcome text,
    p_subject_person bigint, p_persons bigint[], p_sources text[], p_target_user text,
    p_target_guid uuid, p_reason text, p_details jsonb)
RETURNS bytea
LANGUAGE sql STABLE
AS $$
    SELECT pg_catalog.convert_to(pg_catalog.concat(
        CASE WHEN p_id IS NULL THEN E'-\n'
             ELSE pg_catalog.octet_length(pg_catalog.convert_to(p_id::pg_catalog.text, 'UTF8'))::pg_catalog.text
                  OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) p_id::pg_catalog.text OPERATOR(pg_catalog.||) E'\n' END,
        CASE WHEN p_occurred_at IS NULL THEN E'-\n'
             ELSE pg_catalog.octet_length(pg_catalog.convert_to(((extract(epoch FROM p_occurred_at) OPERATOR(pg_catalog.*) 1000000)::pg_catalog.int8)::pg_catalog.text, 'UTF8'))::pg_catalog.text
                  OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) ((extract(epoch FROM p_occurred_at) OPERATOR(pg_catalog.*) 1000000)::pg_catalog.int8)::pg_catalog.text OPERATOR(pg_catalog.||) E'\n' END,
        CASE WHEN p_actor_guid IS NULL THEN E'-\n'
             ELSE pg_catalog.octet_length(pg_catalog.convert_to(p_actor_guid::pg_catalog.text, 'UTF8'))::pg_catalog.text
                  OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) p_actor_guid::pg_catalog.text OPERATOR(pg_catalog.||) E'\n' END,
        CASE WHEN p_actor_account IS NULL THEN E'-\n'
             ELSE pg_catalog.octet_length(pg_catalog.convert_to(p_actor_account, 'UTF8'))::pg_catalog.text
                  OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) p_actor_account OPERATOR(pg_catalog.||) E'\n' END,
        CASE WHEN p_channel IS NULL THEN E'-\n'
             ELSE pg_catalog.octet_length(pg_catalog.convert_to(p_channel, 'UTF8'))::pg_catalog.text
                  OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) p_channel OPERATOR(pg_catalog.||) E'\n' END,
        CASE WHEN p_client_host IS NULL THEN E'-\n'
             ELSE pg_catalog.octet_length(pg_catalog.convert_to(p_client_host, 'UTF8'))::pg_catalog.text
                  OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) p_client_host OPERATOR(pg_catalog.||) E'\n' END,
        CASE WHEN p_action IS NULL THEN E'-\n'
             ELSE pg_catalog.octet_length(pg_catalog.convert_to(p_action, 'UTF8'))::pg_catalog.text
                  OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) p_action OPERATOR(pg_catalog.||) E'\n' END,
        CASE WHEN p_outcome IS NULL THEN E'-\n'
             ELSE pg_catalog.octet_length(pg_catalog.convert_to(p_outcome, 'UTF8'))::pg_catalog.text
                  OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) p_outcome OPERATOR(pg_catalog.||) E'\n' END,
        CASE WHEN p_subject_person IS NULL THEN E'-\n'
             ELSE pg_catalog.octet_length(pg_catalog.convert_to(p_subject_person::pg_catalog.text, 'UTF8'))::pg_catalog.text
                  OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) p_subject_person::pg_catalog.text OPERATOR(pg_catalog.||) E'\n' END,
        CASE WHEN p_persons IS NULL THEN E'-\n'
             ELSE pg_catalog.octet_length(pg_catalog.convert_to(pg_catalog.array_to_string(p_persons, ','), 'UTF8'))::pg_catalog.text
                  OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) pg_catalog.array_to_string(p_persons, ',') OPERATOR(pg_catalog.||) E'\n' END,
        CASE WHEN p_sources IS NULL THEN E'-\n'
             ELSE pg_catalog.octet_length(pg_catalog.convert_to(pg_catalog.array_to_string(p_sources, ','), 'UTF8'))::pg_catalog.text
                  OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) pg_catalog.array_to_string(p_sources, ',') OPERATOR(pg_catalog.||) E'\n' END,
        CASE WHEN p_target_user IS NULL THEN E'-\n'
             ELSE pg_catalog.octet_length(pg_catalog.convert_to(p_target_user, 'UTF8'))::pg_catalog.text
                  OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) p_target_user OPERATOR(pg_catalog.||) E'\n' END,
        CASE WHEN p_target_guid IS NULL THEN E'-\n'
             ELSE pg_catalog.octet_length(pg_catalog.convert_to(p_target_guid::pg_catalog.text, 'UTF8'))::pg_catalog.text
                  OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) p_target_guid::pg_catalog.text OPERATOR(pg_catalog.||) E'\n' END,
        CASE WHEN p_reason IS NULL THEN E'-\n'
             ELSE pg_catalog.octet_length(pg_catalog.convert_to(p_reason, 'UTF8'))::pg_catalog.text
                  OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) p_reason OPERATOR(pg_catalog.||) E'\n' END,
        CASE WHEN p_details IS NULL THEN E'-\n'
             ELSE pg_catalog.octet_length(pg_catalog.convert_to(p_details::pg_catalog.text, 'UTF8'))::pg_catalog.text
                  OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) p_details::pg_catalog.text OPERATOR(pg_catalog.||) E'\n' END
    ), 'UTF8');
$$;

-- One audit row to append: what fc.audit_write takes.
CREATE TYPE fc.audit_entry_t AS (
    actor_guid         uuid,
    actor_account      text,
    channel            text,
    client_host        text,
    action             text,
    outcome            text,
    subject_person     bigint,
    persons_disclosed  bigint[],
    sources_disclosed  text[],
    target_user        text,
    target_guid        uuid,
    reason             text,
    details            jsonb
);

-- Appends p_rows to the chain in their order, in one INSERT, and returns the id of the first
-- (the others follow it without a gap); NULL for no rows. Writers are serialised by the chain's
-- transaction-scoped advisory lock, held to commit, as in V3: ids are assigned and committed in
-- order, the chain cannot fork, and a rolled-back writer leaves no gap. Each row's canonical
-- bytes are computed once, in one set expression; the hashes are chained in order; the rows and
-- hashes are exactly those of one fc.audit_write call a row.
-- Each row is timed by the clock as it is hashed; p_at, if given, times them all (a replay of
-- rows recorded elsewhere, and the test that proves the two forms alike): it is refused if it is
-- later than now or earlier than the chain's head, so time in the trail never runs backwards.
CREATE FUNCTION fc.audit_append(p_rows fc.audit_entry_t[], p_at timestamptz DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_n         int := coalesce(cardinality(p_rows), 0);
    v_head_id   bigint;
    v_head_hash bytea;
    v_head_at   timestamptz;
    v_first     bigint;
    v_at        timestamptz[];
    v_canon     bytea[];
    v_prev      bytea[];
    v_hash      bytea[];
    v_h         bytea;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'audit_write must run in a READ COMMITTED transaction, not %',
            current_setting('transaction_isolation') USING ERRCODE = 'FCAUD';
    END IF;
    IF v_n = 0 THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(p_rows) r
               WHERE array_position(r.persons_disclosed, NULL) IS NOT NULL
                  OR EXISTS (SELECT 1 FROM unnest(r.sources_disclosed) s
                             WHERE s IS NULL OR s !~ '^[a-z_]{1,40}$')) THEN
        RAISE EXCEPTION 'audit_write: persons and sources must be plain ids and codes' USING ERRCODE = '22023';
    END IF;
    PERFORM set_config('lock_timeout', '30s', true);
    -- The chain's lock is held to commit: a transaction left idle after it ends in 10 s, whoever
    -- the caller (operator, service or owner).
    PERFORM set_config('idle_in_transaction_session_timeout', '10s', true);
    BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended('fc.audit_log chain', 0));
        -- A new statement after the lock: its snapshot sees the last committed head.
        SELECT a.id, a.row_hash, a.occurred_at INTO v_head_id, v_head_hash, v_head_at
        FROM fc.audit_log a ORDER BY a.id DESC LIMIT 1;
        IF p_at IS NOT NULL AND (p_at > clock_timestamp() OR p_at < v_head_at
                                 OR p_at <> date_trunc('microseconds', p_at)) THEN
            RAISE EXCEPTION 'the rows'' time % is in the future or before the chain''s head (%)',
                p_at, v_head_at;
        END IF;
        v_first := coalesce(v_head_id, 0) + 1;
        v_h := coalesce(v_head_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
        -- Every row's time and canonical bytes, in one pass (fc.audit_canonical is inlined).
        SELECT array_agg(x.at ORDER BY x.n),
               array_agg(fc.audit_canonical(v_first + x.n - 1, x.at, x.actor_guid, x.actor_account,
                             x.channel, x.client_host, x.action, x.outcome, x.subject_person,
                             x.persons, x.sources, x.target_user, x.target_guid, x.reason,
                             x.facts) ORDER BY x.n)
          INTO v_at, v_canon
          FROM (SELECT r.*, coalesce(p_at, date_trunc('microseconds', clock_timestamp())) AS at,
                       coalesce(r.persons_disclosed, '{}') AS persons,
                       coalesce(r.sources_disclosed, '{}') AS sources,
                       coalesce(r.details, '{}') AS facts
                FROM unnest(p_rows) WITH ORDINALITY AS r (actor_guid, actor_account, channel,
                     client_host, action, outcome, subject_person, persons_disclosed,
                     sources_disclosed, target_user, target_guid, reason, details, n)) x;
        -- The chain: each hash covers the previous one.
        FOR k IN 1 .. v_n LOOP
            v_prev[k] := v_h;
            v_h := sha256(v_h || v_canon[k]);
            v_hash[k] := v_h;
        END LOOP;
        INSERT INTO fc.audit_log (id, occurred_at, actor_guid, actor_account, channel, client_host,
            action, outcome, subject_person, persons_disclosed, sources_disclosed, target_user,
            target_guid, reason, details, prev_hash, row_hash)
        SELECT v_first + x.n - 1, x.at, x.actor_guid, x.actor_account, x.channel, x.client_host,
               x.action, x.outcome, x.subject_person, coalesce(x.persons_disclosed, '{}'),
               coalesce(x.sources_disclosed, '{}'), x.target_user, x.target_guid, x.reason,
               coalesce(x.details, '{}'), x.prev, x.hash
        FROM unnest(p_rows, v_at, v_prev, v_hash) WITH ORDINALITY AS x (actor_guid, actor_account,
             channel, client_host, action, outcome, subject_person, persons_disclosed,
             sources_disclosed, target_user, target_guid, reason, details, at, prev, hash, n);
    EXCEPTION WHEN others THEN
        RAISE EXCEPTION 'the audit row could not be written: %', SQLERRM USING ERRCODE = 'FCAUD';
    END;
    RETURN v_first;
END;
$$;

-- One audit row: the one-row case of fc.audit_append (V15's checks, lock and limits).
CREATE OR REPLACE FUNCTION fc.audit_write(
    p_actor_guid uuid, p_actor_account text, p_channel text, p_client_host text,
    p_action text, p_outcome text, p_subject_person bigint, p_persons bigint[],
    p_sources text[], p_target_user text, p_target_guid uuid, p_reason text,
    p_details jsonb)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT fc.audit_append(ARRAY[ROW(p_actor_guid, p_actor_account, p_channel, p_client_host,
        p_action, p_outcome, p_subject_person, p_persons, p_sources, p_target_user, p_target_guid,
        p_reason, p_details)::fc.audit_entry_t]);
$$;

-- What each requested change would do now:
--   grant  -> added | extended | unchanged      revoke -> revoked | not_granted
-- p_i numbers the requests (e.g. file lines) and comes back with each effect. Driven by the
-- changes: each finds its open grant (at most one: permission_grant_open_idx is unique) by a
-- probe of that index. LIMIT 1 keeps the subquery a subquery, so the only join is a nested loop
-- over the changes; the alternative to the probe, a scan of the whole table a change, is priced
-- by the table's size on disk at planning time, not by statistics, and wins only for a table of
-- a few pages.
CREATE OR REPLACE FUNCTION fc.plan_grants(p_i int[], p_actions text[], p_grantees uuid[], p_sources text[],
                                          p_expires timestamptz[])
RETURNS TABLE (i int, effect text, grant_id bigint, previous_expires timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
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
    LEFT JOIN LATERAL (
        SELECT o.id, o.expires_at FROM fc.permission_grant o
        WHERE o.grantee_guid = r.grantee AND o.source_code = r.source AND o.revoked_at IS NULL
        LIMIT 1
    ) g ON true
    ORDER BY r.i;
$$;

-- Applies a plan of fc.plan_grants (effects and grant ids, one a change, in the order of the
-- other arrays), made under the lock fc.permission_change takes and in the same transaction.
-- Grantees are upserted as users (objectGUID, account, display name) so a renamed account keeps
-- its grants. An expired grant granted again is closed (revoked as superseded) and a new one
-- opened, so history is kept; nothing is deleted. The updates find their grants by the planned
-- ids: a probe of the primary key a change, or one pass over the table; the open-grant check is
-- made in the same probe, so no estimate of how many grants are open can turn either update into
-- a loop over the open grants.
CREATE FUNCTION fc.apply_plan(p_by uuid, p_actions text[], p_grantees uuid[], p_accounts text[],
                              p_displays text[], p_sources text[], p_expires timestamptz[],
                              p_reasons text[], p_tickets text[], p_effects text[], p_ids bigint[])
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_closing int;
    v_closed int;
    v_extending int;
    v_extended int;
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
    PERFORM pg_advisory_xact_lock(hashtextextended('fc.permission_grant changes', 0));

    INSERT INTO fc.app_user AS u (object_guid, account_name, display_name)
    SELECT DISTINCT ON (r.grantee) r.grantee, r.account, r.display
    FROM unnest(p_grantees, p_accounts, p_displays) AS r (grantee, account, display)
    ORDER BY r.grantee
    ON CONFLICT (object_guid) DO UPDATE
        SET account_name = excluded.account_name, display_name = excluded.display_name;

    -- Close expired grants that are granted again, and revoke what is revoked.
    SELECT count(DISTINCT c.grant_id) INTO v_closing FROM unnest(p_effects, p_ids) AS c (effect, grant_id)
    WHERE c.effect IN ('revoked', 'added') AND c.grant_id IS NOT NULL;
    WITH t AS MATERIALIZED (
        SELECT o.id, CASE WHEN c.action = 'grant' THEN 'expired; superseded by a new grant: ' || c.reason
                          ELSE c.reason END AS why
        FROM unnest(p_actions, p_reasons, p_effects, p_ids) AS c (action, reason, effect, grant_id)
        CROSS JOIN LATERAL (SELECT o.id FROM fc.permission_grant o
                            WHERE o.id = c.grant_id AND o.revoked_at IS NULL LIMIT 1) o
        WHERE c.effect IN ('revoked', 'added')
    )
    UPDATE fc.permission_grant g
    SET revoked_at = clock_timestamp(), revoked_by_guid = p_by, revoke_reason = t.why
    FROM t WHERE g.id = t.id;
    GET DIAGNOSTICS v_closed = ROW_COUNT;

    SELECT count(DISTINCT c.grant_id) INTO v_extending FROM unnest(p_effects, p_ids) AS c (effect, grant_id)
    WHERE c.effect = 'extended';
    WITH t AS MATERIALIZED (
        SELECT o.id, c.expires
        FROM unnest(p_expires, p_effects, p_ids) AS c (expires, effect, grant_id)
        CROSS JOIN LATERAL (SELECT o.id FROM fc.permission_grant o
                            WHERE o.id = c.grant_id AND o.revoked_at IS NULL LIMIT 1) o
        WHERE c.effect = 'extended'
    )
    UPDATE fc.permission_grant g SET expires_at = t.expires
    FROM t WHERE g.id = t.id;
    GET DIAGNOSTICS v_extended = ROW_COUNT;

    -- The plan was made under the lock held since: every grant it names is still open.
    IF v_closed <> v_closing OR v_extended <> v_extending THEN
        RAISE EXCEPTION 'the grants changed since the plan was made (% of % closed, % of % extended): '
                        'nothing was changed; make the change again', v_closed, v_closing, v_extended, v_extending
            USING ERRCODE = '40001';
    END IF;

    INSERT INTO fc.permission_grant (grantee_guid, source_code, granted_by_guid, reason, ticket, expires_at)
    SELECT c.grantee, c.source, p_by, c.reason, c.ticket, c.expires
    FROM unnest(p_grantees, p_sources, p_reasons, p_tickets, p_expires, p_effects)
         AS c (grantee, source, reason, ticket, expires, effect)
    WHERE c.effect = 'added';
END;
$$;

DROP FUNCTION fc.apply_grants(uuid, int[], text[], uuid[], text[], text[], text[], timestamptz[], text[], text[]);

-- The shared body of permission_apply / _grant / _revoke (V9), planning once: the plan made under
-- the lock is the plan applied (fc.apply_plan), and the changes' audit rows are appended as one
-- set (fc.audit_append). Timestamps in its documents are written inline as fc.utc writes them.
-- Its statements are planned with the request's arrays as constants, every call (a cached generic
-- plan, as a long-lived API session would get from the sixth call on, would take each array for
-- 10 elements and could join two of them in a nested loop).
CREATE OR REPLACE FUNCTION fc.permission_change(c fc.caller_t, p_command text, p_request jsonb, p_changes jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    v_details jsonb := jsonb_build_object(
        'command', p_command,
        'dry_run', CASE WHEN jsonb_typeof(p_request -> 'dry_run') = 'boolean' THEN p_request -> 'dry_run'
                        ELSE 'false' END,
        'requested', CASE WHEN jsonb_typeof(p_changes) = 'array' THEN jsonb_array_length(p_changes) END);
    v_dry boolean;
    v_reason text;
    v_confirmed int;
    v_self int;
    v_bad bigint;
    v_listed bigint;
    v_list text;
    v_i int[];
    v_actions text[];
    v_grantees uuid[];
    v_accounts text[];
    v_displays text[];
    v_sources text[];
    v_expires timestamptz[];
    v_reasons text[];
    v_tickets text[];
    v_effects text[];
    v_ids bigint[];
    v_previous timestamptz[];
    v_changing int;
    v_tally jsonb;
    v_target text;
    v_target_guid uuid;
    v_doc jsonb;
    -- The request's changes, parsed once (fc.permission_rows), as columns.
    v_ri int[];
    v_rline int[];
    v_raction text[];
    v_ruser text[];
    v_rguid uuid[];
    v_raccount text[];
    v_rdisplay text[];
    v_rsource text[];
    v_rexpires timestamptz[];
    v_rreason text[];
    v_rticket text[];
    v_rproblem text[];
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'permission_applied', 'not_permitted', c.refusal, NULL, NULL, v_details);
    END IF;
    BEGIN
        IF jsonb_typeof(p_request -> 'dry_run') NOT IN ('boolean', 'null') THEN
            PERFORM fc.fail('usage', 'dry_run must be true or false');
        END IF;
        v_dry := coalesce((p_request ->> 'dry_run')::boolean, false);
        v_reason := fc.free_text(p_request ->> 'reason', 'reason', 500, false);
        v_confirmed := fc.int_arg(p_request, 'confirmed_changes', NULL, 0, 1000000000);
        IF jsonb_typeof(p_changes) IS DISTINCT FROM 'array' OR jsonb_array_length(p_changes) = 0 THEN
            PERFORM fc.fail('usage', 'no changes given');
        END IF;
        IF jsonb_array_length(p_changes) > 1000000 THEN
            PERFORM fc.fail('usage', 'more than 1000000 changes in one request: split them');
        END IF;
        BEGIN
            SELECT array_agg(x.i ORDER BY x.i), array_agg(x.line ORDER BY x.i), array_agg(x.action ORDER BY x.i),
                   array_agg(x.user_name ORDER BY x.i), array_agg(x.guid ORDER BY x.i),
                   array_agg(x.account ORDER BY x.i), array_agg(x.display ORDER BY x.i),
                   array_agg(x.source ORDER BY x.i), array_agg(x.expires ORDER BY x.i),
                   array_agg(x.reason ORDER BY x.i), array_agg(x.ticket ORDER BY x.i),
                   array_agg(x.problem ORDER BY x.i)
              INTO v_ri, v_rline, v_raction, v_ruser, v_rguid, v_raccount, v_rdisplay, v_rsource, v_rexpires,
                   v_rreason, v_rticket, v_rproblem
              FROM fc.permission_rows(p_changes) x;
        EXCEPTION WHEN others THEN
            PERFORM fc.fail('usage', 'each change is an object {"line", "action", "user", "guid", "account", '
                                     '"display", "source", "expires", "reason", "ticket"}: ' || SQLERRM);
        END;

        -- Nobody changes their own access, whatever the request calls them.
        SELECT r.line INTO v_self
        FROM unnest(v_ri, v_rline, v_raction, v_ruser, v_rguid, v_raccount, v_rdisplay, v_rsource, v_rexpires, v_rreason, v_rticket, v_rproblem)
             AS r (i, line, action, user_name, guid, account, display, source, expires, reason, ticket, problem)
        WHERE r.guid = c.guid OR lower(r.account) = lower(c.account) OR lower(r.user_name) = lower(c.account)
        ORDER BY r.i LIMIT 1;
        IF FOUND THEN
            PERFORM fc.fail('not_permitted', format(
                '%s may not change their own access%s; ask another administrator; nothing was changed',
                c.account, CASE WHEN v_self > 0 THEN format(' (line %s)', v_self) ELSE '' END));
        END IF;

        -- Every problem of every change, in one pass.
        WITH r AS MATERIALIZED (SELECT * FROM unnest(v_ri, v_rline, v_raction, v_ruser, v_rguid, v_raccount, v_rdisplay, v_rsource, v_rexpires, v_rreason, v_rticket, v_rproblem)
             AS r (i, line, action, user_name, guid, account, display, source, expires, reason, ticket, problem)),
        firsts AS (
            SELECT DISTINCT ON (lower(r.user_name), r.source) r.*
            FROM r WHERE r.user_name IS NOT NULL AND r.source IS NOT NULL
            ORDER BY lower(r.user_name), r.source, r.i
        ),
        p AS (
            SELECT r.i, r.line, r.problem AS what FROM r WHERE r.problem IS NOT NULL
          UNION ALL
            SELECT r.i, r.line, CASE WHEN r.action IS NULL OR r.action = '' THEN 'action is missing (grant or revoke)'
                                     ELSE format('action %s is not grant or revoke', fc.plain(r.action, 40)) END
            FROM r WHERE r.action IS NULL OR r.action NOT IN ('grant', 'revoke')
          UNION ALL
            SELECT r.i, r.line, 'user is missing' FROM r WHERE r.user_name IS NULL
          UNION ALL
            SELECT r.i, r.line, format('no AD identity (objectGUID and account name) given for user %s',
                                       fc.plain(r.user_name, 80))
            FROM r WHERE r.problem IS NULL AND r.user_name IS NOT NULL AND (r.guid IS NULL OR r.account IS NULL)
          UNION ALL
            SELECT r.i, r.line,
                   CASE WHEN r.source IS NULL THEN 'source is missing'
                        ELSE format('unknown source "%s" (known: %s)', fc.plain(r.source, 80),
                                    (SELECT string_agg(s.code, ', ' ORDER BY s.sort_order, s.code)
                                     FROM fc.data_source s)) END
            FROM r
            WHERE r.source IS NULL OR NOT EXISTS (SELECT 1 FROM fc.data_source s WHERE s.code = r.source)
          UNION ALL
            SELECT r.i, r.line, CASE WHEN r.action = 'revoke' THEN 'a revoke takes no expiry'
                                     ELSE format('expiry %s is in the past', to_char(r.expires AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')) END
            FROM r WHERE r.expires IS NOT NULL AND (r.action = 'revoke' OR r.expires <= clock_timestamp())
          UNION ALL
            SELECT r.i, r.line, w.what
            FROM r CROSS JOIN LATERAL (VALUES (fc.text_problem(r.reason, 'reason', 500, true)),
                                              (CASE WHEN r.ticket IS NOT NULL
                                                    THEN fc.text_problem(r.ticket, 'ticket', 100, false) END)) AS w (what)
            WHERE w.what IS NOT NULL
          UNION ALL
            SELECT r.i, r.line, format('%s %s for %s contradicts %s (%s %s)', r.action, fc.plain(r.source, 80),
                                       fc.plain(r.user_name, 80),
                                       CASE WHEN f.line > 0 THEN 'line ' || f.line ELSE 'an earlier change' END,
                                       f.action, fc.plain(f.source, 80))
            FROM r JOIN firsts f ON lower(f.user_name) = lower(r.user_name) AND f.source = r.source AND f.i <> r.i
            WHERE (r.action, r.expires) IS DISTINCT FROM (f.action, f.expires)
        ),
        q AS (SELECT p.*, row_number() OVER (ORDER BY p.line, p.i) AS n FROM p)
        SELECT count(DISTINCT q.i), count(*),
               string_agg(E'\n  ' || CASE WHEN q.line > 0 THEN 'line ' || q.line || ': ' ELSE '' END || q.what, ''
                          ORDER BY q.n) FILTER (WHERE q.n <= 100)
          INTO v_bad, v_listed, v_list
          FROM q;
        IF v_bad > 0 THEN
            PERFORM fc.fail('usage', format('%s bad row(s); nothing was changed:%s%s', v_bad, v_list,
                CASE WHEN v_listed > 100 THEN format(E'\n  ... and %s more', v_listed - 100) ELSE '' END));
        END IF;
    EXCEPTION WHEN SQLSTATE 'FCUSE' OR SQLSTATE 'FCDNY' OR SQLSTATE 'FCNFD' THEN
        RETURN fc.refuse(c, 'permission_applied', fc.kind_of(SQLSTATE), SQLERRM, NULL, v_reason, v_details);
    END;

    -- The changes, identical repeats collapsed into the first.
    SELECT array_agg(f.i ORDER BY f.i), array_agg(f.action ORDER BY f.i), array_agg(f.guid ORDER BY f.i),
           array_agg(f.account ORDER BY f.i), array_agg(f.display ORDER BY f.i),
           array_agg(f.source ORDER BY f.i), array_agg(f.expires ORDER BY f.i),
           array_agg(f.reason ORDER BY f.i), array_agg(f.ticket ORDER BY f.i),
           CASE WHEN count(DISTINCT f.guid) = 1 THEN min(f.account) END,
           CASE WHEN count(DISTINCT f.guid) = 1 THEN min(f.guid::text)::uuid END
      INTO v_i, v_actions, v_grantees, v_accounts, v_displays, v_sources, v_expires, v_reasons, v_tickets,
           v_target, v_target_guid
      FROM (SELECT DISTINCT ON (lower(r.user_name), r.source) r.*
            FROM unnest(v_ri, v_rline, v_raction, v_ruser, v_rguid, v_raccount, v_rdisplay, v_rsource, v_rexpires, v_rreason, v_rticket, v_rproblem)
             AS r (i, line, action, user_name, guid, account, display, source, expires, reason, ticket, problem)
            ORDER BY lower(r.user_name), r.source, r.i) f;

    -- The plan; a change is planned and applied under the lock fc.apply_grants takes, so what
    -- is confirmed is what is applied.
    IF NOT v_dry THEN
        PERFORM pg_advisory_xact_lock(hashtextextended('fc.permission_grant changes', 0));
    END IF;
    SELECT array_agg(p.effect ORDER BY p.i), array_agg(p.grant_id ORDER BY p.i),
           array_agg(p.previous_expires ORDER BY p.i)
      INTO v_effects, v_ids, v_previous
      FROM fc.plan_grants(v_i, v_actions, v_grantees, v_sources, v_expires) p;
    SELECT count(*) INTO v_changing FROM unnest(v_effects) e WHERE e IN ('added', 'extended', 'revoked');

    IF NOT v_dry AND v_confirmed IS NOT NULL AND v_confirmed <> v_changing THEN
        RETURN fc.refuse(c, 'permission_applied', 'usage',
            format('the grants changed after the plan was confirmed (%s change(s) confirmed, %s now); '
                   'nothing was changed: look at the plan again', v_confirmed, v_changing),
            NULL, v_reason, v_details);
    END IF;
    IF NOT v_dry AND v_changing > 0 THEN
        -- The plan above, made under the lock, is the one applied: it is not made again.
        BEGIN
            PERFORM fc.apply_plan(c.guid, v_actions, v_grantees, v_accounts, v_displays, v_sources,
                                  v_expires, v_reasons, v_tickets, v_effects, v_ids);
        EXCEPTION WHEN SQLSTATE '42501' OR SQLSTATE '22023' THEN
            RETURN fc.refuse(c, 'permission_applied',
                             CASE WHEN SQLSTATE = '42501' THEN 'not_permitted' ELSE 'usage' END,
                             SQLERRM || '; nothing was changed', NULL, v_reason, v_details);
        END;
        -- One audit row a change, in request order, appended to the chain as one set (the same
        -- rows, bytes and hashes as one fc.audit_as call a change).
        PERFORM fc.audit_append(array_agg(ROW(
                    c.guid, coalesce(c.account, c.db_role), c.channel, c.client_host,
                    CASE e.effect WHEN 'added' THEN 'permission_granted'
                                  WHEN 'extended' THEN 'permission_extended'
                                  ELSE 'permission_revoked' END,
                    'allowed', NULL, '{}', '{}', r.account, r.guid, r.reason,
                    jsonb_build_object('source', r.source, 'effect', e.effect,
                                       'expires', to_char(r.expires AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                                       'previous_expires', to_char(e.previous AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                                       'ticket', r.ticket, 'line', nullif(r.line, 0))
                        || coalesce(c.client, '{}'))::fc.audit_entry_t ORDER BY r.i))
        FROM unnest(v_i, v_effects, v_previous) AS e (i, effect, previous)
        JOIN unnest(v_ri, v_rline, v_raction, v_ruser, v_rguid, v_raccount, v_rdisplay, v_rsource, v_rexpires, v_rreason, v_rticket, v_rproblem)
             AS r (i, line, action, user_name, guid, account, display, source, expires, reason, ticket, problem) ON r.i = e.i
        WHERE e.effect IN ('added', 'extended', 'revoked');
    END IF;

    SELECT coalesce(jsonb_object_agg(t.effect, t.n), '{}') INTO v_tally
      FROM (SELECT e AS effect, count(*) AS n FROM unnest(v_effects) e GROUP BY e) t;
    SELECT jsonb_build_object('dry_run', v_dry, 'changes', v_changing, 'effects', v_tally,
               'outcomes', coalesce(jsonb_agg(jsonb_build_object(
                   'i', r.i, 'line', r.line, 'action', r.action, 'user', r.user_name, 'source', r.source,
                   'expires', to_char(r.expires AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'reason', r.reason, 'ticket', r.ticket,
                   'effect', e.effect, 'previous_expires', to_char(e.previous AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                   'guid', r.guid, 'account', r.account) ORDER BY r.i), '[]'))
      INTO v_doc
      FROM unnest(v_i, v_effects, v_previous) AS e (i, effect, previous)
      JOIN unnest(v_ri, v_rline, v_raction, v_ruser, v_rguid, v_raccount, v_rdisplay, v_rsource, v_rexpires, v_rreason, v_rticket, v_rproblem)
             AS r (i, line, action, user_name, guid, account, display, source, expires, reason, ticket, problem) ON r.i = e.i;
    v_details := v_details || jsonb_build_object('changes', v_changing, 'effects', v_tally);
    IF v_dry THEN
        RETURN fc.disclose(c, 'permission_applied', v_doc, NULL, '{}', '{}', v_reason, v_details,
                           v_target, v_target_guid);
    END IF;
    RETURN fc.done(c, 'permission_applied', v_doc, NULL, v_reason, v_details, v_target, v_target_guid);
END;
$$;



REVOKE ALL ON FUNCTION fc.audit_append(fc.audit_entry_t[], timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION fc.apply_plan(uuid, text[], uuid[], text[], text[], text[], timestamptz[], text[],
                                     text[], text[], bigint[]) FROM PUBLIC;
