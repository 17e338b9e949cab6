-- Permission administration through the door: grant, revoke, bulk apply, list and review as
-- fc_api functions. The internal set-based SQL of V5/V7 (fc.plan_grants, fc.apply_grants,
-- fc.grants_as_of, fc.grants_review) does the work; the functions below check the caller
-- (admin role), validate the request as a whole, and write the audit rows in the same
-- transaction. The actor (granted_by, revoked_by) is always the caller, never a parameter.
--
-- Grantees are looked up in Active Directory by the client (famctx: the directory bound as the
-- operator), which passes each grantee's objectGUID, account name and display name; a client
-- whose directory check found a grantee unusable passes that as "problem" and the request is
-- refused (and audited) here, with every other problem of the request.
--
-- Every function here runs with search_path = pg_catalog, pg_temp and names fc objects in full.

-- What is wrong with a free-text value (a reason, a ticket), or NULL: the set-based twin of
-- fc.free_text, which raises. The value is judged trimmed. Written to be inlined into the
-- query that calls it (a row at a time it costs tens of microseconds): hence no SET clause,
-- and every name qualified, so that no search_path can change what it means.
CREATE FUNCTION fc.text_problem(p_value text, p_field text, p_max int, p_required boolean)
RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT CASE
        WHEN p_value IS NULL THEN
            CASE WHEN p_required THEN pg_catalog.format('%s is missing', p_field) END
        WHEN pg_catalog.btrim(p_value, E' \t\r\n') OPERATOR(pg_catalog.=) '' THEN
            CASE WHEN p_required THEN pg_catalog.format('%s must not be empty', p_field) END
        WHEN pg_catalog.char_length(pg_catalog.btrim(p_value, E' \t\r\n')) OPERATOR(pg_catalog.>) p_max THEN
            pg_catalog.format('%s is longer than %s characters', p_field, p_max)
        WHEN pg_catalog.btrim(p_value, E' \t\r\n')
             OPERATOR(pg_catalog.~) '[[:cntrl:]\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]' THEN
            pg_catalog.format('%s contains a control or invisible character; use plain text', p_field)
    END;
$$;

-- The changes of a request as rows, numbered i = 0, 1, ... in request order. Each change:
-- {"line"?: file line (0 or absent on the command line), "action": "grant" | "revoke",
--  "user": the account as typed, "guid", "account", "display": the grantee as AD knows them,
--  "source", "expires"?: RFC 3339 time (grants only), "reason", "ticket"?,
--  "problem"?: what the client's directory check found wrong with the grantee}
-- Text is trimmed; a blank ticket is none. Raises on a malformed line, guid or expiry.
CREATE FUNCTION fc.permission_rows(p_changes jsonb)
RETURNS TABLE (i int, line int, action text, user_name text, guid uuid, account text, display text,
               source text, expires timestamptz, reason text, ticket text, problem text)
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
           CASE WHEN e.v ->> 'problem' IS NOT NULL THEN fc.plain(e.v ->> 'problem', 500) END
    FROM jsonb_array_elements(p_changes) WITH ORDINALITY AS e (v, ord);
$$;

-- The shared body of permission_apply / _grant / _revoke, for a caller fc.begin has checked.
-- All or nothing: any bad change refuses the whole request, listing every bad change; a
-- self-grant is refused as not permitted. Identical repeats of a change collapse into the
-- first; two different changes for one user and source contradict each other.
-- Not a SECURITY DEFINER function and executable by nobody but its owner: it trusts its
-- caller argument, so only the fc_api functions (which run as the owner) may call it.
CREATE FUNCTION fc.permission_change(c fc.caller_t, p_command text, p_request jsonb, p_changes jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
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
                                     ELSE format('expiry %s is in the past', fc.utc(r.expires)) END
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
    SELECT array_agg(p.effect ORDER BY p.i), array_agg(p.previous_expires ORDER BY p.i)
      INTO v_effects, v_previous
      FROM fc.plan_grants(v_i, v_actions, v_grantees, v_sources, v_expires) p;
    SELECT count(*) INTO v_changing FROM unnest(v_effects) e WHERE e IN ('added', 'extended', 'revoked');

    IF NOT v_dry AND v_confirmed IS NOT NULL AND v_confirmed <> v_changing THEN
        RETURN fc.refuse(c, 'permission_applied', 'usage',
            format('the grants changed after the plan was confirmed (%s change(s) confirmed, %s now); '
                   'nothing was changed: look at the plan again', v_confirmed, v_changing),
            NULL, v_reason, v_details);
    END IF;
    IF NOT v_dry AND v_changing > 0 THEN
        BEGIN
            SELECT array_agg(a.effect ORDER BY a.i), array_agg(a.previous_expires ORDER BY a.i)
              INTO v_effects, v_previous
              FROM fc.apply_grants(c.guid, v_i, v_actions, v_grantees, v_accounts, v_displays, v_sources,
                                   v_expires, v_reasons, v_tickets) a;
        EXCEPTION WHEN SQLSTATE '42501' OR SQLSTATE '22023' THEN
            RETURN fc.refuse(c, 'permission_applied',
                             CASE WHEN SQLSTATE = '42501' THEN 'not_permitted' ELSE 'usage' END,
                             SQLERRM || '; nothing was changed', NULL, v_reason, v_details);
        END;
        SELECT count(*) INTO v_changing FROM unnest(v_effects) e WHERE e IN ('added', 'extended', 'revoked');
        -- One audit row a change, in request order.
        PERFORM fc.audit_as(c, CASE e.effect WHEN 'added' THEN 'permission_granted'
                                             WHEN 'extended' THEN 'permission_extended'
                                             ELSE 'permission_revoked' END,
                            'allowed', NULL, '{}', '{}', r.account, r.guid, r.reason,
                            jsonb_build_object('source', r.source, 'effect', e.effect,
                                               'expires', fc.utc(r.expires),
                                               'previous_expires', fc.utc(e.previous),
                                               'ticket', r.ticket, 'line', nullif(r.line, 0)))
        FROM unnest(v_i, v_effects, v_previous) AS e (i, effect, previous)
        JOIN unnest(v_ri, v_rline, v_raction, v_ruser, v_rguid, v_raccount, v_rdisplay, v_rsource, v_rexpires, v_rreason, v_rticket, v_rproblem)
             AS r (i, line, action, user_name, guid, account, display, source, expires, reason, ticket, problem) ON r.i = e.i
        WHERE e.effect IN ('added', 'extended', 'revoked')
        ORDER BY r.i;
    END IF;

    SELECT coalesce(jsonb_object_agg(t.effect, t.n), '{}') INTO v_tally
      FROM (SELECT e AS effect, count(*) AS n FROM unnest(v_effects) e GROUP BY e) t;
    SELECT jsonb_build_object('dry_run', v_dry, 'changes', v_changing, 'effects', v_tally,
               'outcomes', coalesce(jsonb_agg(jsonb_build_object(
                   'i', r.i, 'line', r.line, 'action', r.action, 'user', r.user_name, 'source', r.source,
                   'expires', fc.utc(r.expires), 'reason', r.reason, 'ticket', r.ticket,
                   'effect', e.effect, 'previous_expires', fc.utc(e.previous),
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

-- Grants and revokes in bulk, all or nothing.
-- {"changes": [change, ...] (see fc.permission_rows), "dry_run"?: false, "reason"?: for the
--  summary row, "confirmed_changes"?: the number of changes the operator confirmed (refused if
--  the plan now differs), "command"?: "apply" (recorded)}
--   -> {"dry_run", "changes": how many change something, "effects": {"added": n, ...},
--       "outcomes": [{"i", "line", "action", "user", "source", "expires", "reason", "ticket",
--                     "effect", "previous_expires", "guid", "account"}]}
-- Effects: grant -> added | extended | unchanged; revoke -> revoked | not_granted. A dry run is
-- a disclosure (the plan); otherwise each change writes its own audit row (permission_granted,
-- _extended, _revoked) and the request one more (permission_applied), committed with it.
CREATE FUNCTION fc_api.permission_apply(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'admin');
BEGIN
    RETURN fc.permission_change(c, CASE WHEN p_request ->> 'command' IN ('grant', 'revoke', 'apply')
                                        THEN p_request ->> 'command' ELSE 'apply' END,
                                p_request, p_request -> 'changes');
END;
$$;

-- One grantee, one or more sources.
-- {"user"?: as typed, "guid", "account", "display"?, "problem"?, "sources": ["housing", ...],
--  "expires"?: RFC 3339 time, "reason", "ticket"?, "dry_run"?, "confirmed_changes"?}
--   -> as fc_api.permission_apply.
CREATE FUNCTION fc_api.permission_grant(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'admin');
    v_changes jsonb;
BEGIN
    IF c.refusal IS NULL AND (jsonb_typeof(p_request -> 'sources') IS DISTINCT FROM 'array'
                              OR jsonb_array_length(p_request -> 'sources') = 0) THEN
        RETURN fc.refuse(c, 'permission_applied', 'usage',
                         'sources must be a list of one or more data source codes (see fc_api.source_list)',
                         NULL, NULL, jsonb_build_object('command', 'grant'));
    END IF;
    IF c.refusal IS NULL THEN
        SELECT jsonb_agg(jsonb_build_object(
                   'line', 0, 'action', 'grant', 'user', p_request -> 'user', 'guid', p_request -> 'guid',
                   'account', p_request -> 'account', 'display', p_request -> 'display',
                   'problem', p_request -> 'problem', 'source', s, 'expires', p_request -> 'expires',
                   'reason', p_request -> 'reason', 'ticket', p_request -> 'ticket') ORDER BY x.ord)
          INTO v_changes
          FROM jsonb_array_elements(p_request -> 'sources') WITH ORDINALITY AS x (s, ord);
    END IF;
    RETURN fc.permission_change(c, 'grant', p_request, v_changes);
END;
$$;

-- One grantee, some sources or all of them.
-- {"user"?: as typed, "guid", "account", "display"?, "problem"?, "sources": [...] or "all": true,
--  "reason", "dry_run"?, "confirmed_changes"?}
--   -> as fc_api.permission_apply.
CREATE FUNCTION fc_api.permission_revoke(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'admin');
    v_all boolean := jsonb_typeof(p_request -> 'all') = 'boolean' AND (p_request ->> 'all')::boolean;
    v_sources jsonb := p_request -> 'sources';
    v_changes jsonb;
BEGIN
    IF c.refusal IS NULL THEN
        IF v_all AND v_sources IS NOT NULL AND v_sources <> 'null' THEN
            RETURN fc.refuse(c, 'permission_applied', 'usage', 'give sources or "all": true, not both',
                             NULL, NULL, jsonb_build_object('command', 'revoke'));
        ELSIF NOT v_all AND (jsonb_typeof(v_sources) IS DISTINCT FROM 'array' OR jsonb_array_length(v_sources) = 0) THEN
            RETURN fc.refuse(c, 'permission_applied', 'usage',
                             'sources must be a list of one or more data source codes, or "all": true',
                             NULL, NULL, jsonb_build_object('command', 'revoke'));
        END IF;
        IF v_all THEN
            SELECT jsonb_agg(to_jsonb(s.code) ORDER BY s.sort_order, s.code) INTO v_sources FROM fc.data_source s;
        END IF;
        SELECT jsonb_agg(jsonb_build_object(
                   'line', 0, 'action', 'revoke', 'user', p_request -> 'user', 'guid', p_request -> 'guid',
                   'account', p_request -> 'account', 'display', p_request -> 'display',
                   'problem', p_request -> 'problem', 'source', s, 'reason', p_request -> 'reason') ORDER BY x.ord)
          INTO v_changes
          FROM jsonb_array_elements(v_sources) WITH ORDINALITY AS x (s, ord);
    END IF;
    RETURN fc.permission_change(c, 'revoke', p_request, v_changes);
END;
$$;

-- Grants in force at a moment, for one user and/or one source, or every grant that had begun
-- by then with include_ended.
-- {"user"?: as typed, "guid"?, "account"?, "problem"?, "source"?, "as_of"?: RFC 3339 time (now),
--  "include_ended"?: false}
-- Without a guid, an account is found among the users Family Context knows.
--   -> [{"user", "source", "status": active | expired | revoked, "granted_by", "reason", "ticket",
--        "valid_from", "expires_at", "revoked_at", "revoked_by", "revoke_reason"}]
CREATE FUNCTION fc_api.permission_list(p_request jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'admin');
    v_user text := fc.plain(coalesce(p_request ->> 'user', p_request ->> 'account'), 256);
    v_details jsonb := jsonb_build_object('user', v_user, 'source', fc.plain(p_request ->> 'source', 80),
                                          'as_of', p_request -> 'as_of', 'include_ended', p_request -> 'include_ended');
    v_at timestamptz := clock_timestamp();
    v_include boolean;
    v_source text := p_request ->> 'source';
    v_guid uuid;
    v_account text;
    v_doc jsonb;
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'permission_listed', 'not_permitted', c.refusal, NULL, NULL, v_details);
    END IF;
    BEGIN
        IF p_request ->> 'problem' IS NOT NULL THEN
            PERFORM fc.fail('not_found', fc.plain(p_request ->> 'problem', 500));
        END IF;
        IF p_request ->> 'as_of' IS NOT NULL THEN
            BEGIN
                v_at := (p_request ->> 'as_of')::timestamptz;
            EXCEPTION WHEN others THEN
                PERFORM fc.fail('usage', 'as_of is not a time: use RFC 3339, e.g. 2026-01-31T12:00:00Z');
            END;
        END IF;
        IF jsonb_typeof(p_request -> 'include_ended') NOT IN ('boolean', 'null') THEN
            PERFORM fc.fail('usage', 'include_ended must be true or false');
        END IF;
        v_include := coalesce((p_request ->> 'include_ended')::boolean, false);
        IF v_source IS NOT NULL AND NOT EXISTS (SELECT 1 FROM fc.data_source s WHERE s.code = v_source) THEN
            PERFORM fc.fail('usage', format('unknown source "%s": see famctx source list', fc.plain(v_source, 80)));
        END IF;
        IF p_request ->> 'guid' IS NOT NULL THEN
            IF (p_request ->> 'guid') !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
                PERFORM fc.fail('usage', 'guid is not an objectGUID');
            END IF;
            v_guid := (p_request ->> 'guid')::uuid;
            v_account := coalesce(fc.plain(p_request ->> 'account', 256), v_user);
        ELSIF v_user IS NOT NULL THEN
            SELECT u.object_guid, u.account_name INTO v_guid, v_account
            FROM fc.app_user u WHERE lower(u.account_name) = lower(v_user)
            ORDER BY u.last_seen DESC LIMIT 1;
            IF NOT FOUND THEN
                PERFORM fc.fail('not_found', format('no account "%s" is known to Family Context', v_user));
            END IF;
        END IF;
    EXCEPTION WHEN SQLSTATE 'FCUSE' OR SQLSTATE 'FCNFD' THEN
        RETURN fc.refuse(c, 'permission_listed', fc.kind_of(SQLSTATE), SQLERRM, NULL, NULL, v_details);
    END;
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'user', g.grantee, 'source', g.source_code, 'status', g.status, 'granted_by', g.granted_by,
               'reason', g.reason, 'ticket', g.ticket, 'valid_from', fc.utc(g.valid_from),
               'expires_at', fc.utc(g.expires_at), 'revoked_at', fc.utc(g.revoked_at),
               'revoked_by', g.revoked_by, 'revoke_reason', g.revoke_reason) ORDER BY g.ordinality), '[]')
      INTO v_doc
      FROM fc.grants_as_of(v_at, v_guid, v_source, v_include) WITH ORDINALITY AS g;
    RETURN fc.disclose(c, 'permission_listed', v_doc, NULL, '{}', '{}', NULL,
                       v_details || jsonb_build_object('as_of', fc.utc(v_at), 'include_ended', v_include,
                                                       'grants', jsonb_array_length(v_doc)),
                       v_account, v_guid);
END;
$$;

-- Active grants to recertify: expiring within some days, or whose source the grantee has not
-- looked at for some days (from the audit trail); with neither, every active grant.
-- {"expiring_within_days"?: 1-3650, "unused_for_days"?: 1-3650}
--   -> [{"user", "source", "granted_by", "reason", "ticket", "valid_from", "expires_at",
--        "last_used", "why"}]
CREATE FUNCTION fc_api.permission_review(p_request jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'admin');
    v_details jsonb := jsonb_build_object('expiring_within_days', p_request -> 'expiring_within_days',
                                          'unused_for_days', p_request -> 'unused_for_days');
    v_expiring int;
    v_unused int;
    v_doc jsonb;
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'permission_reviewed', 'not_permitted', c.refusal, NULL, NULL, v_details);
    END IF;
    BEGIN
        v_expiring := fc.int_arg(p_request, 'expiring_within_days', NULL, 1, 3650);
        v_unused := fc.int_arg(p_request, 'unused_for_days', NULL, 1, 3650);
    EXCEPTION WHEN SQLSTATE 'FCUSE' THEN
        RETURN fc.refuse(c, 'permission_reviewed', 'usage', SQLERRM, NULL, NULL, v_details);
    END;
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'user', g.grantee, 'source', g.source_code, 'granted_by', g.granted_by, 'reason', g.reason,
               'ticket', g.ticket, 'valid_from', fc.utc(g.valid_from), 'expires_at', fc.utc(g.expires_at),
               'last_used', fc.utc(g.last_used), 'why', g.why) ORDER BY g.ordinality), '[]')
      INTO v_doc
      FROM fc.grants_review(v_expiring * interval '1 day', v_unused * interval '1 day') WITH ORDINALITY AS g;
    RETURN fc.disclose(c, 'permission_reviewed', v_doc, NULL, '{}', '{}', NULL,
                       v_details || jsonb_build_object('grants', jsonb_array_length(v_doc)));
END;
$$;

-- The helpers run only inside fc_api functions; operators execute the fc_api functions only.
REVOKE ALL ON FUNCTION fc.text_problem(text, text, int, boolean), fc.permission_rows(jsonb),
    fc.permission_change(fc.caller_t, text, jsonb, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION fc_api.permission_apply(jsonb), fc_api.permission_grant(jsonb),
    fc_api.permission_revoke(jsonb), fc_api.permission_list(jsonb), fc_api.permission_review(jsonb)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fc_api.permission_apply(jsonb), fc_api.permission_grant(jsonb),
    fc_api.permission_revoke(jsonb), fc_api.permission_list(jsonb), fc_api.permission_review(jsonb)
    TO famctx_operator;
