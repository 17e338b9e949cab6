-- Bulk apply in less time: the same checks, plans, changes and audit rows as V16. Where the
-- server's time went for 10,000 grants (statement by statement, BENCHMARKS.md):
--  * The foreign-key checks of the rows written, one a row and a key, each planned anew:
--    fc.permission_change pins plan_cache_mode = force_custom_plan for its own statements (V16),
--    and the setting reached the checks that the inserts and updates it calls fire, so every
--    check was planned as a custom plan (30,000 plans for a grant of 10,000, 10,000 more for its
--    audit rows). fc.apply_plan, which now also appends the changes' audit rows, runs with
--    plan_cache_mode = auto, PostgreSQL's default: each check is planned once a session. Its
--    statements have plan shapes that do not depend on estimates (below), so a generic plan of
--    them is as good as a custom one.
--  * The request parsed into twelve arrays, each sorted, aggregated and unnested apart: one array
--    of fc.permission_change_t now, which the plan fills in (effect, open grant, its expiry), so
--    the audit rows and the outcome document read one array and join nothing.
--  * fc.plain, called once a change for the display name, ran as a function call with its own
--    settings (about 4 us a call): it has no SET clause now and names pg_catalog, so the planner
--    inlines it, in every function that calls it.
--  * Every grantee rewritten in fc.app_user (ON CONFLICT DO UPDATE of every row): only new
--    grantees and changed names are written.
--  * Repeats collapsed (a sort and nine aggregates) when there were none; every reason and ticket
--    judged apart when a file's lines share them (judged once a distinct value now).
--  * The outcome document, every change's twelve fields (3 MB for 10,000 changes), built, sent
--    and read by a client that sent those very fields: a request may ask for its outcomes in
--    short ("outcomes": "compact"), each only {"i", "effect", "expires", "previous_expires"};
--    the default stays the full form.
-- And a plan shape that statistics could still turn into a loop: fc.apply_plan found each planned
-- grant by `id = $1 AND revoked_at IS NULL ... LIMIT 1`, which the partial open-grant index also
-- answers, by a full scan. With statistics that still said no grant was open (a revoke straight
-- after a bulk grant), the planner priced that scan like a probe of the primary key and could
-- take it once a change (V16 as it is, in the bench: a revoke of 10,000 straight after their grant
-- in 19-25 s, against 3 s when it does not). The probe now names the id alone, so the primary key
-- is its only index; whether the grant is still open is checked on the row it finds.
--
-- Every SECURITY DEFINER function here runs with search_path = pg_catalog, pg_temp and names
-- fc objects in full.

-- fc.plain (V20), inlined by the planner into the statements that call it: no SET clause, and
-- every name qualified, so that no search_path can change what it means. The same characters
-- are dropped.
CREATE OR REPLACE FUNCTION fc.plain(p_text text, p_max int)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT pg_catalog.left(pg_catalog.regexp_replace(p_text,
        '[[:cntrl:]\u0001-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]',
        '', 'g'), p_max);
$$;

-- One change of a request, as fc.permission_rows reads it, and what the plan says it does.
CREATE TYPE fc.permission_change_t AS (
    i                 int,          -- request order: 0, 1, ...
    line              int,          -- the file's line (0 on the command line)
    action            text,
    user_name         text,         -- the user as typed
    guid              uuid,         -- the grantee as AD knows them
    account           text,
    display           text,
    source            text,
    expires           timestamptz,
    reason            text,
    ticket            text,
    problem           text,         -- what the client's directory check found wrong
    effect            text,         -- the plan's (fc.plan_grants); NULL until planned
    grant_id          bigint,       -- the open grant the change finds, if any
    previous_expires  timestamptz   -- that grant's expiry
);

-- The changes of a request, numbered i = 0, 1, ... in request order. Each change:
-- {"line"?: file line (0 or absent on the command line), "action": "grant" | "revoke",
--  "user": the account as typed, "guid", "account", "display": the grantee as AD knows them,
--  "source", "expires"?: RFC 3339 time (grants only), "reason", "ticket"?,
--  "problem"?: what the client's directory check found wrong with the grantee}
-- Text is trimmed; a blank ticket is none. Raises on a malformed line, guid or expiry. (V9's, as
-- rows of fc.permission_change_t.)
DROP FUNCTION fc.permission_rows(jsonb);
CREATE FUNCTION fc.permission_rows(p_changes jsonb)
RETURNS SETOF fc.permission_change_t
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT (e.ord - 1)::int,
           coalesce((e.v ->> 'line')::int, 0),
           lower(btrim(e.v ->> 'action')),
           coalesce(nullif(btrim(e.v ->> 'user'), ''), nullif(btrim(e.v ->> 'account'), '')),
           (e.v ->> 'guid')::uuid,
           nullif(btrim(e.v ->> 'account'), ''),
           CASE WHEN e.v ->> 'display' IS NOT NULL THEN fc.plain(e.v ->> 'display', 256) END,
           nullif(btrim(e.v ->> 'source'), ''),
           (e.v ->> 'expires')::timestamptz,
           btrim(e.v ->> 'reason', E' \t\r\n'),
           nullif(btrim(e.v ->> 'ticket', E' \t\r\n'), ''),
           CASE WHEN e.v ->> 'problem' IS NOT NULL THEN fc.plain(e.v ->> 'problem', 500) END,
           NULL::text, NULL::bigint, NULL::timestamptz
    FROM jsonb_array_elements(p_changes) WITH ORDINALITY AS e (v, ord);
$$;

-- What each requested change would do now, each change returned with its plan filled in, in
-- request order:
--   grant  -> added | extended | unchanged      revoke -> revoked | not_granted
-- Driven by the changes: each finds its open grant (at most one: permission_grant_open_idx is
-- unique) by a probe of that index. LIMIT 1 keeps the subquery a subquery, so the only join is a
-- nested loop over the changes (V16).
DROP FUNCTION fc.plan_grants(int[], text[], uuid[], text[], timestamptz[]);
CREATE FUNCTION fc.plan_grants(p_changes fc.permission_change_t[])
RETURNS fc.permission_change_t[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT array_agg(ROW(r.i, r.line, r.action, r.user_name, r.guid, r.account, r.display, r.source,
               r.expires, r.reason, r.ticket, r.problem,
               CASE
                 WHEN r.action = 'grant' AND (g.id IS NULL OR g.expires_at <= clock_timestamp()) THEN 'added'
                 WHEN r.action = 'grant' AND g.expires_at IS NOT NULL
                      AND (r.expires IS NULL OR r.expires > g.expires_at) THEN 'extended'
                 WHEN r.action = 'grant' THEN 'unchanged'
                 WHEN g.id IS NOT NULL AND (g.expires_at IS NULL OR g.expires_at > clock_timestamp()) THEN 'revoked'
                 ELSE 'not_granted'
               END,
               g.id, g.expires_at)::fc.permission_change_t ORDER BY r.i)
    FROM unnest(p_changes) AS r
    LEFT JOIN LATERAL (
        SELECT o.id, o.expires_at FROM fc.permission_grant o
        WHERE o.grantee_guid = r.guid AND o.source_code = r.source AND o.revoked_at IS NULL
        LIMIT 1
    ) g ON true;
$$;

-- Applies a plan of fc.plan_grants (the changes with their effects and grant ids), made under the
-- lock fc.permission_change takes and in the same transaction, then appends the changes' audit
-- rows (p_audit, one a change that changes something, in request order) to the chain as one set.
-- Grantees are recorded as users (objectGUID, account, display name) so a renamed account keeps
-- its grants; a grantee already recorded as they are now is not written again. An expired grant
-- granted again is closed (revoked as superseded) and a new one opened, so history is kept;
-- nothing is deleted.
-- Its statements join nothing by estimate: the grants a plan names are found by a probe of the
-- primary key a change (LIMIT 1 keeps each probe a subquery, and it names the id alone, so no
-- other index answers it), whether they are still open is checked on the row found, and the
-- updates find them by id, a probe or one pass over the table. So this function keeps
-- PostgreSQL's own plan_cache_mode (auto): the foreign-key checks its inserts and updates fire,
-- one a row, are then planned once a session, not once a row as under the caller's
-- force_custom_plan.
DROP FUNCTION fc.apply_plan(uuid, text[], uuid[], text[], text[], text[], timestamptz[], text[],
                            text[], text[], bigint[]);
CREATE FUNCTION fc.apply_plan(p_by uuid, p_plan fc.permission_change_t[], p_audit fc.audit_entry_t[])
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET plan_cache_mode = auto
AS $$
DECLARE
    v_closing int;
    v_closed int;
    v_extending int;
    v_extended int;
BEGIN
    IF EXISTS (SELECT 1 FROM unnest(p_plan) c WHERE c.guid = p_by) THEN
        RAISE EXCEPTION 'nobody may grant or revoke their own access' USING ERRCODE = '42501';
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(p_plan) c WHERE c.expires <= clock_timestamp()) THEN
        RAISE EXCEPTION 'an expiry in the past is refused' USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(p_plan) c WHERE c.reason IS NULL OR btrim(c.reason) = '') THEN
        RAISE EXCEPTION 'every change needs a reason' USING ERRCODE = '22023';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('fc.permission_grant changes', 0));

    INSERT INTO fc.app_user AS u (object_guid, account_name, display_name)
    SELECT DISTINCT ON (c.guid) c.guid, c.account, c.display
    FROM unnest(p_plan) c
    WHERE NOT EXISTS (SELECT 1 FROM fc.app_user o
                      WHERE o.object_guid = c.guid AND o.account_name = c.account
                        AND o.display_name IS NOT DISTINCT FROM c.display)
    ORDER BY c.guid
    ON CONFLICT (object_guid) DO UPDATE
        SET account_name = excluded.account_name, display_name = excluded.display_name;

    -- Close expired grants that are granted again, and revoke what is revoked.
    SELECT count(DISTINCT c.grant_id) INTO v_closing FROM unnest(p_plan) c
    WHERE c.effect IN ('revoked', 'added') AND c.grant_id IS NOT NULL;
    WITH t AS MATERIALIZED (
        SELECT o.id, CASE WHEN c.action = 'grant' THEN 'expired; superseded by a new grant: ' || c.reason
                          ELSE c.reason END AS why
        FROM unnest(p_plan) c
        CROSS JOIN LATERAL (SELECT o.id, o.revoked_at FROM fc.permission_grant o
                            WHERE o.id = c.grant_id LIMIT 1) o
        WHERE c.effect IN ('revoked', 'added') AND o.revoked_at IS NULL
    )
    UPDATE fc.permission_grant g
    SET revoked_at = clock_timestamp(), revoked_by_guid = p_by, revoke_reason = t.why
    FROM t WHERE g.id = t.id;
    GET DIAGNOSTICS v_closed = ROW_COUNT;

    SELECT count(DISTINCT c.grant_id) INTO v_extending FROM unnest(p_plan) c
    WHERE c.effect = 'extended';
    WITH t AS MATERIALIZED (
        SELECT o.id, c.expires
        FROM unnest(p_plan) c
        CROSS JOIN LATERAL (SELECT o.id, o.revoked_at FROM fc.permission_grant o
                            WHERE o.id = c.grant_id LIMIT 1) o
        WHERE c.effect = 'extended' AND o.revoked_at IS NULL
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
    SELECT c.guid, c.source, p_by, c.reason, c.ticket, c.expires
    FROM unnest(p_plan) c
    WHERE c.effect = 'added';

    -- One audit row a change, appended to the chain as one set (the same rows, bytes and hashes
    -- as one fc.audit_as call a change).
    PERFORM fc.audit_append(p_audit);
END;
$$;

-- The shared body of permission_apply / _grant / _revoke (V9), as V16 made it: all or nothing,
-- every problem of every change listed at once, a self-grant refused as not permitted,
-- identical repeats collapsed into the first, planned once under the lock, the plan made the one
-- applied (fc.apply_plan, which also appends the changes' audit rows as one set). The changes are
-- one array of fc.permission_change_t, parsed once (fc.permission_rows) and planned in place
-- (fc.plan_grants). The request's "outcomes": "full" (the default) or "compact": each outcome
-- then only {"i", "effect", "expires", "previous_expires"}, i numbering the request's changes
-- from 0, for a client that keeps its own changes. Timestamps in its documents are written inline as fc.utc
-- writes them. Its
-- own statements are planned with the request's array as a constant, every call (a cached
-- generic plan, as a long-lived API session would get from the sixth call on, would take the
-- array for 10 elements); fc.apply_plan keeps PostgreSQL's default for its writes.
-- Not a SECURITY DEFINER function and executable by nobody but its owner: it trusts its caller
-- argument, so only the fc_api functions (which run as the owner) may call it.
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
    v_compact boolean;
    v_reason text;
    v_confirmed int;
    v_self int;
    v_bad bigint;
    v_listed bigint;
    v_list text;
    v_repeats bigint;
    -- The request's changes, parsed once, in request order.
    v_rows fc.permission_change_t[];
    -- The changes, identical repeats collapsed into the first, and (once planned) what each does.
    v_plan fc.permission_change_t[];
    v_changing int;
    v_tally jsonb;
    v_target text;
    v_target_guid uuid;
    v_doc jsonb;
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'permission_applied', 'not_permitted', c.refusal, NULL, NULL, v_details);
    END IF;
    BEGIN
        IF jsonb_typeof(p_request -> 'dry_run') NOT IN ('boolean', 'null') THEN
            PERFORM fc.fail('usage', 'dry_run must be true or false');
        END IF;
        v_dry := coalesce((p_request ->> 'dry_run')::boolean, false);
        IF coalesce(p_request ->> 'outcomes', 'full') NOT IN ('full', 'compact') THEN
            PERFORM fc.fail('usage', 'outcomes must be "full" or "compact"');
        END IF;
        v_compact := coalesce(p_request ->> 'outcomes' = 'compact', false);
        v_reason := fc.free_text(p_request ->> 'reason', 'reason', 500, false);
        v_confirmed := fc.int_arg(p_request, 'confirmed_changes', NULL, 0, 1000000000);
        IF jsonb_typeof(p_changes) IS DISTINCT FROM 'array' OR jsonb_array_length(p_changes) = 0 THEN
            PERFORM fc.fail('usage', 'no changes given');
        END IF;
        IF jsonb_array_length(p_changes) > 1000000 THEN
            PERFORM fc.fail('usage', 'more than 1000000 changes in one request: split them');
        END IF;
        BEGIN
            SELECT array_agg(x ORDER BY x.i) INTO v_rows FROM fc.permission_rows(p_changes) x;
        EXCEPTION WHEN others THEN
            PERFORM fc.fail('usage', 'each change is an object {"line", "action", "user", "guid", "account", '
                                     '"display", "source", "expires", "reason", "ticket"}: ' || SQLERRM);
        END;

        -- Nobody changes their own access, whatever the request calls them.
        SELECT r.line INTO v_self
        FROM unnest(v_rows) r
        WHERE r.guid = c.guid OR lower(r.account) = lower(c.account) OR lower(r.user_name) = lower(c.account)
        ORDER BY r.i LIMIT 1;
        IF FOUND THEN
            PERFORM fc.fail('not_permitted', format(
                '%s may not change their own access%s; ask another administrator; nothing was changed',
                c.account, CASE WHEN v_self > 0 THEN format(' (line %s)', v_self) ELSE '' END));
        END IF;

        -- Every problem of every change, in one pass; and how many changes repeat an earlier one
        -- (the same user and source: identical, or a contradiction).
        WITH r AS MATERIALIZED (SELECT * FROM unnest(v_rows)),
        k AS (
            -- Each change with the first change of its user and source.
            SELECT r.i, r.line, r.action, r.user_name, r.source, r.expires,
                   first_value(r.i) OVER w AS first_i, first_value(r.line) OVER w AS first_line,
                   first_value(r.action) OVER w AS first_action, first_value(r.expires) OVER w AS first_expires
            FROM r WHERE r.user_name IS NOT NULL AND r.source IS NOT NULL
            WINDOW w AS (PARTITION BY lower(r.user_name), r.source ORDER BY r.i)
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
            -- Free text judged once a distinct value: a file's lines often share a reason.
            SELECT r.i, r.line, fc.text_problem(NULL, 'reason', 500, true) FROM r WHERE r.reason IS NULL
          UNION ALL
            SELECT r.i, r.line, t.what
            FROM r JOIN (SELECT v.reason, fc.text_problem(v.reason, 'reason', 500, true) AS what
                         FROM (SELECT DISTINCT r.reason FROM r WHERE r.reason IS NOT NULL) v) t
                 ON t.reason = r.reason
            WHERE t.what IS NOT NULL
          UNION ALL
            SELECT r.i, r.line, t.what
            FROM r JOIN (SELECT v.ticket, fc.text_problem(v.ticket, 'ticket', 100, false) AS what
                         FROM (SELECT DISTINCT r.ticket FROM r WHERE r.ticket IS NOT NULL) v) t
                 ON t.ticket = r.ticket
            WHERE t.what IS NOT NULL
          UNION ALL
            SELECT k.i, k.line, format('%s %s for %s contradicts %s (%s %s)', k.action, fc.plain(k.source, 80),
                                       fc.plain(k.user_name, 80),
                                       CASE WHEN k.first_line > 0 THEN 'line ' || k.first_line ELSE 'an earlier change' END,
                                       k.first_action, fc.plain(k.source, 80))
            FROM k
            WHERE k.first_i <> k.i AND (k.action, k.expires) IS DISTINCT FROM (k.first_action, k.first_expires)
        ),
        q AS (SELECT p.*, row_number() OVER (ORDER BY p.line, p.i) AS n FROM p)
        SELECT count(DISTINCT q.i), count(*),
               string_agg(E'\n  ' || CASE WHEN q.line > 0 THEN 'line ' || q.line || ': ' ELSE '' END || q.what, ''
                          ORDER BY q.n) FILTER (WHERE q.n <= 100),
               (SELECT count(*) FROM k WHERE k.first_i <> k.i)
          INTO v_bad, v_listed, v_list, v_repeats
          FROM q;
        IF v_bad > 0 THEN
            PERFORM fc.fail('usage', format('%s bad row(s); nothing was changed:%s%s', v_bad, v_list,
                CASE WHEN v_listed > 100 THEN format(E'\n  ... and %s more', v_listed - 100) ELSE '' END));
        END IF;
    EXCEPTION WHEN SQLSTATE 'FCUSE' OR SQLSTATE 'FCDNY' OR SQLSTATE 'FCNFD' THEN
        RETURN fc.refuse(c, 'permission_applied', fc.kind_of(SQLSTATE), SQLERRM, NULL, v_reason, v_details);
    END;

    -- The changes, identical repeats collapsed into the first (no other repeat is left: each
    -- would have been a problem).
    IF v_repeats > 0 THEN
        SELECT array_agg(d.r ORDER BY (d.r).i) INTO v_plan
        FROM (SELECT DISTINCT ON (lower(r.user_name), r.source) r
              FROM unnest(v_rows) r ORDER BY lower(r.user_name), r.source, r.i) d;
    ELSE
        v_plan := v_rows;
    END IF;
    SELECT CASE WHEN count(DISTINCT r.guid) = 1 THEN min(r.account) END,
           CASE WHEN count(DISTINCT r.guid) = 1 THEN min(r.guid::text)::uuid END
      INTO v_target, v_target_guid
      FROM unnest(v_plan) r;

    -- The plan; a change is planned and applied under the lock fc.apply_plan takes, so what is
    -- confirmed is what is applied.
    IF NOT v_dry THEN
        PERFORM pg_advisory_xact_lock(hashtextextended('fc.permission_grant changes', 0));
    END IF;
    v_plan := fc.plan_grants(v_plan);
    SELECT coalesce(sum(t.n) FILTER (WHERE t.effect IN ('added', 'extended', 'revoked')), 0),
           coalesce(jsonb_object_agg(t.effect, t.n), '{}')
      INTO v_changing, v_tally
      FROM (SELECT r.effect, count(*) AS n FROM unnest(v_plan) r GROUP BY r.effect) t;

    IF NOT v_dry AND v_confirmed IS NOT NULL AND v_confirmed <> v_changing THEN
        RETURN fc.refuse(c, 'permission_applied', 'usage',
            format('the grants changed after the plan was confirmed (%s change(s) confirmed, %s now); '
                   'nothing was changed: look at the plan again', v_confirmed, v_changing),
            NULL, v_reason, v_details);
    END IF;
    IF NOT v_dry AND v_changing > 0 THEN
        -- The plan above, made under the lock, is the one applied: it is not made again. One
        -- audit row a change, in request order (the same rows, bytes and hashes as one
        -- fc.audit_as call a change).
        BEGIN
            PERFORM fc.apply_plan(c.guid, v_plan, ARRAY(
                SELECT ROW(c.guid, coalesce(c.account, c.db_role), c.channel, c.client_host,
                           CASE r.effect WHEN 'added' THEN 'permission_granted'
                                         WHEN 'extended' THEN 'permission_extended'
                                         ELSE 'permission_revoked' END,
                           'allowed', NULL, '{}', '{}', r.account, r.guid, r.reason,
                           jsonb_build_object('source', r.source, 'effect', r.effect,
                                              'expires', to_char(r.expires AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                                              'previous_expires', to_char(r.previous_expires AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                                              'ticket', r.ticket, 'line', nullif(r.line, 0))
                               || coalesce(c.client, '{}'))::fc.audit_entry_t
                FROM unnest(v_plan) r
                WHERE r.effect IN ('added', 'extended', 'revoked')
                ORDER BY r.i));
        EXCEPTION WHEN SQLSTATE '42501' OR SQLSTATE '22023' THEN
            RETURN fc.refuse(c, 'permission_applied',
                             CASE WHEN SQLSTATE = '42501' THEN 'not_permitted' ELSE 'usage' END,
                             SQLERRM || '; nothing was changed', NULL, v_reason, v_details);
        END;
    END IF;

    IF v_compact THEN
        SELECT jsonb_build_object('dry_run', v_dry, 'changes', v_changing, 'effects', v_tally,
                   'outcomes', coalesce(jsonb_agg(jsonb_build_object(
                       'i', r.i, 'effect', r.effect,
                       'expires', to_char(r.expires AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                       'previous_expires', to_char(r.previous_expires AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
                       ORDER BY r.i), '[]'))
          INTO v_doc
          FROM unnest(v_plan) r;
    ELSE
        SELECT jsonb_build_object('dry_run', v_dry, 'changes', v_changing, 'effects', v_tally,
                   'outcomes', coalesce(jsonb_agg(jsonb_build_object(
                       'i', r.i, 'line', r.line, 'action', r.action, 'user', r.user_name, 'source', r.source,
                       'expires', to_char(r.expires AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'reason', r.reason, 'ticket', r.ticket,
                       'effect', r.effect, 'previous_expires', to_char(r.previous_expires AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                       'guid', r.guid, 'account', r.account) ORDER BY r.i), '[]'))
          INTO v_doc
          FROM unnest(v_plan) r;
    END IF;
    v_details := v_details || jsonb_build_object('changes', v_changing, 'effects', v_tally);
    IF v_dry THEN
        RETURN fc.disclose(c, 'permission_applied', v_doc, NULL, '{}', '{}', v_reason, v_details,
                           v_target, v_target_guid);
    END IF;
    RETURN fc.done(c, 'permission_applied', v_doc, NULL, v_reason, v_details, v_target, v_target_guid);
END;
$$;

REVOKE ALL ON FUNCTION fc.permission_rows(jsonb), fc.plan_grants(fc.permission_change_t[]),
    fc.apply_plan(uuid, fc.permission_change_t[], fc.audit_entry_t[]) FROM PUBLIC;
