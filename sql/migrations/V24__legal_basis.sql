-- The legal basis of a disclosure, managed and reviewed through the door (V21 records it).
--  * The list (fc.legal_basis) is read by any Family Context role (fc_api.basis_list) and changed
--    by admins only (fc_api.basis_add, fc_api.basis_retire), each audited (basis_listed,
--    basis_added, basis_retired). A code is never deleted and never reused: a retired code stays
--    on the list for ever, so every audit row's basis stays explained.
--  * basis_required (fc.policy, default false): when true, fc.reason, which every lookup calls
--    (person_search, family_show), refuses a lookup that declares no basis. Like
--    reason_required it is the database's own setting, whatever a client's configuration says.
--  * fc_api.refused records a basis only when it is on the list and in use, as fc.begin checks
--    it for every other function: a refusal recorded at a client's word cannot put an
--    unexplained code in the basis column.
--  * Audit review: every entry (search, person report, export lines and CSV) carries basis and
--    break_glass; the search filters by a declared basis ("declared_basis"), rows without one
--    ("without_basis") and break-glass rows only ("break_glass_only"). The filter's keys are
--    not "basis" and "break_glass": those are every request's common keys, the auditor's own
--    declaration. Statistics group accesses by basis (NULL: none declared), and their spot
--    checks count break-glass rows and lookups allowed without a basis.
--
-- The audit functions name fc.audit_log and its columns, nothing of its physical layout.
-- Every SECURITY DEFINER function here runs with search_path = pg_catalog, pg_temp and names
-- fc objects in full; the fc_api entry points pin UTC and ISO dates, as V15 does.

INSERT INTO fc.audit_action (code, description) VALUES
    ('basis_listed', 'listed the legal bases an operator may declare'),
    ('basis_added', 'added a legal basis to the list'),
    ('basis_retired', 'retired a legal basis: it can no longer be declared');

INSERT INTO fc.policy (key, value) VALUES ('basis_required', 'false');

-- V8's fc.reason, and the legal basis: required for a lookup when fc.policy says basis_required.
-- A basis the request does declare has been checked by fc.begin already (on the list, in use).
CREATE OR REPLACE FUNCTION fc.reason(p_request jsonb)
RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_reason text := fc.free_text(p_request ->> 'reason', 'reason', 500,
        coalesce((SELECT p.value = 'true' FROM fc.policy p WHERE p.key = 'reason_required'), true));
BEGIN
    IF coalesce((SELECT p.value = 'true' FROM fc.policy p WHERE p.key = 'basis_required'), false)
       AND coalesce(p_request -> 'basis', 'null'::jsonb) = 'null'::jsonb THEN
        PERFORM fc.fail('usage', 'a legal basis is required for lookups (policy basis_required): declare '
                                 'one with --basis CODE (in a request, "basis"); "famctx basis list" '
                                 'shows the codes');
    END IF;
    RETURN v_reason;
END;
$$;

-- V8's fc_api.refused, recording the request's basis only when it is on the list and in use
-- (otherwise it is kept as the client's claim, "requested_basis", as fc.begin keeps it).
CREATE OR REPLACE FUNCTION fc_api.refused(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
    c fc.caller_t := fc.caller(p_request);
    v_action text := p_request ->> 'action';
    v_subject bigint;
BEGIN
    IF c.basis IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM fc.legal_basis b WHERE b.code = c.basis AND b.retired_at IS NULL) THEN
        c.client := c.client || jsonb_build_object('requested_basis', c.basis);
        c.basis := NULL;
    END IF;
    IF v_action IS NULL OR NOT EXISTS (SELECT 1 FROM fc.audit_action a WHERE a.code = v_action) THEN
        v_action := 'access_denied';
    END IF;
    IF (p_request ->> 'subject') ~ '^[0-9]{1,18}$' THEN
        v_subject := (p_request ->> 'subject')::bigint;
    END IF;
    RETURN fc.refuse(c, v_action, CASE WHEN p_request ->> 'kind' = 'error' THEN 'error' ELSE 'not_permitted' END,
                     coalesce(fc.plain(p_request ->> 'message', 500), 'refused'), v_subject,
                     fc.plain(p_request ->> 'reason', 500),
                     jsonb_build_object('refused_by', 'directory check')
                     || CASE WHEN c.refusal IS NOT NULL THEN jsonb_build_object('caller', c.refusal)
                             ELSE '{}' END);
END;
$$;

-- ----------------------------------------------------------------------------------------------
-- The list of legal bases.

-- One basis as the documents carry it.
CREATE FUNCTION fc.basis_entry(b fc.legal_basis)
RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_build_object('code', b.code, 'title', b.title, 'legislation', b.legislation,
                              'retired', b.retired_at IS NOT NULL, 'added_at', fc.utc(b.added_at),
                              'added_by', b.added_by, 'retired_at', fc.utc(b.retired_at),
                              'retired_by', b.retired_by);
$$;

-- A code as an admin types it: trimmed, in lower case, in the form of fc.legal_basis's CHECK;
-- FCUSE otherwise.
CREATE FUNCTION fc.basis_code(p_request jsonb)
RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v text := lower(btrim(p_request ->> 'code'));
BEGIN
    IF jsonb_typeof(p_request -> 'code') IS DISTINCT FROM 'string' THEN
        PERFORM fc.fail('usage', 'code is required: a legal basis code, e.g. ca1989_s47');
    ELSIF v !~ '^[a-z][a-z0-9_.-]{0,39}$' THEN
        PERFORM fc.fail('usage', format('%s is not a legal basis code: a letter, then up to 39 letters, '
                                        'digits, "_", "." or "-" (e.g. ca1989_s47)',
                                        fc.plain(p_request ->> 'code', 80)));
    END IF;
    RETURN v;
END;
$$;

-- The legal bases, those in use first, each with who added (and retired) it and when.
-- {} -> [{"code", "title", "legislation", "retired", "added_at", "added_by", "retired_at",
--         "retired_by"}]
-- Any Family Context role; audited as basis_listed.
CREATE FUNCTION fc_api.basis_list(p_request jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'any');
    v_doc jsonb;
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'basis_listed', 'not_permitted', c.refusal);
    END IF;
    SELECT coalesce(jsonb_agg(fc.basis_entry(b) ORDER BY b.retired_at IS NOT NULL, b.code COLLATE "C"), '[]')
      INTO v_doc FROM fc.legal_basis b;
    RETURN fc.disclose(c, 'basis_listed', v_doc, NULL, '{}', '{}', NULL,
                       jsonb_build_object('bases', jsonb_array_length(v_doc)));
END;
$$;

-- A legal basis added to the list (admins).
-- {"code", "title", "legislation", "reason"} -> the basis as basis_list shows it.
-- The code is kept in lower case; title and legislation are free text (at most 200 characters,
-- fc.free_text's rules). A code already on the list, in use or retired, is refused: a code
-- means one thing for ever. Audited as basis_added (the code, title and legislation in details,
-- the reason in its column), refusals too.
CREATE FUNCTION fc_api.basis_add(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'admin');
    v_details jsonb := jsonb_strip_nulls(jsonb_build_object(
        'code', fc.plain(p_request ->> 'code', 80), 'title', fc.plain(p_request ->> 'title', 200),
        'legislation', fc.plain(p_request ->> 'legislation', 200)));
    v_code text;
    v_title text;
    v_legislation text;
    v_reason text;
    b fc.legal_basis;
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'basis_added', 'not_permitted', c.refusal, NULL,
                         fc.plain(p_request ->> 'reason', 500), v_details);
    END IF;
    BEGIN
        v_code := fc.basis_code(p_request);
        v_title := fc.free_text(p_request ->> 'title', 'title', 200, true);
        v_legislation := fc.free_text(p_request ->> 'legislation', 'legislation', 200, true);
        v_reason := fc.free_text(p_request ->> 'reason', 'reason', 500, true);
    EXCEPTION WHEN SQLSTATE 'FCUSE' THEN
        RETURN fc.refuse(c, 'basis_added', 'usage', SQLERRM, NULL, fc.plain(p_request ->> 'reason', 500),
                         v_details);
    END;
    INSERT INTO fc.legal_basis AS x (code, title, legislation, added_by)
    VALUES (v_code, v_title, v_legislation, c.account)
    ON CONFLICT (code) DO NOTHING
    RETURNING x.* INTO b;
    IF NOT FOUND THEN
        SELECT x.* INTO b FROM fc.legal_basis x WHERE x.code = v_code;
        RETURN fc.refuse(c, 'basis_added', 'usage',
            format('%s is on the list already (%s, %s%s): a code means one thing for ever, so choose a '
                   'new code', v_code, b.title, b.legislation,
                   CASE WHEN b.retired_at IS NULL THEN ''
                        ELSE format('; retired %s by %s', fc.utc(b.retired_at), b.retired_by) END),
            NULL, v_reason, v_details);
    END IF;
    RETURN fc.done(c, 'basis_added', fc.basis_entry(b), NULL, v_reason,
                   jsonb_build_object('code', b.code, 'title', b.title, 'legislation', b.legislation));
END;
$$;

-- A legal basis retired (admins): no request can declare it from now on; it stays on the list,
-- marked retired, so the rows that name it stay explained. It cannot be brought back (add a new
-- code instead). {"code", "reason"} -> the basis as basis_list shows it. An unknown code is not
-- found; a retired one is refused. Audited as basis_retired, refusals too.
CREATE FUNCTION fc_api.basis_retire(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'admin');
    v_details jsonb := jsonb_strip_nulls(jsonb_build_object('code', fc.plain(p_request ->> 'code', 80)));
    v_code text;
    v_reason text;
    b fc.legal_basis;
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'basis_retired', 'not_permitted', c.refusal, NULL,
                         fc.plain(p_request ->> 'reason', 500), v_details);
    END IF;
    BEGIN
        v_code := fc.basis_code(p_request);
        v_reason := fc.free_text(p_request ->> 'reason', 'reason', 500, true);
    EXCEPTION WHEN SQLSTATE 'FCUSE' THEN
        RETURN fc.refuse(c, 'basis_retired', 'usage', SQLERRM, NULL, fc.plain(p_request ->> 'reason', 500),
                         v_details);
    END;
    UPDATE fc.legal_basis x SET retired_at = clock_timestamp(), retired_by = c.account
    WHERE x.code = v_code AND x.retired_at IS NULL
    RETURNING x.* INTO b;
    IF NOT FOUND THEN
        SELECT x.* INTO b FROM fc.legal_basis x WHERE x.code = v_code;
        IF NOT FOUND THEN
            RETURN fc.refuse(c, 'basis_retired', 'not_found',
                format('no legal basis %s on the list: "famctx basis list" shows the codes', v_code),
                NULL, v_reason, v_details);
        END IF;
        RETURN fc.refuse(c, 'basis_retired', 'usage',
            format('%s was retired already, %s by %s', v_code, fc.utc(b.retired_at), b.retired_by),
            NULL, v_reason, v_details);
    END IF;
    RETURN fc.done(c, 'basis_retired', fc.basis_entry(b), NULL, v_reason,
                   jsonb_build_object('code', b.code, 'title', b.title, 'legislation', b.legislation));
END;
$$;

-- ----------------------------------------------------------------------------------------------
-- Audit review (V10's functions, V17's export cursor), with the basis and the break-glass mark.

-- The filter's three new keys.
ALTER TYPE fc.audit_filter_t
    ADD ATTRIBUTE declared_basis text,
    ADD ATTRIBUTE without_basis boolean,
    ADD ATTRIBUTE break_glass_only boolean;

-- A flag argument: true, or NULL when absent, null or false; FCUSE when not a boolean.
CREATE FUNCTION fc.audit_flag_arg(p_request jsonb, p_key text)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v jsonb := p_request -> p_key;
BEGIN
    IF v IS NULL OR v = 'null' OR v = 'false' THEN
        RETURN NULL;
    ELSIF v = 'true' THEN
        RETURN true;
    END IF;
    PERFORM fc.fail('usage', format('%s must be true or false', p_key));
    RETURN NULL;
END;
$$;

-- V10's filter, reading also, when named in p_keys: "declared_basis" (a code on the list,
-- retired or not), "without_basis" and "break_glass_only" (true or false).
CREATE OR REPLACE FUNCTION fc.audit_filter(p_request jsonb, p_keys text[])
RETURNS fc.audit_filter_t
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    f fc.audit_filter_t;
BEGIN
    IF jsonb_typeof(p_request) IS DISTINCT FROM 'object' THEN
        PERFORM fc.fail('usage', 'the request must be a JSON object');
    END IF;
    IF 'actor' = ANY (p_keys) AND p_request ? 'actor' AND p_request -> 'actor' <> 'null' THEN
        IF jsonb_typeof(p_request -> 'actor') <> 'string' THEN
            PERFORM fc.fail('usage', 'actor must be an account name');
        END IF;
        f.actor := fc.free_text(p_request ->> 'actor', 'actor', 256, false);
    END IF;
    IF 'person' = ANY (p_keys) AND p_request ? 'person' AND p_request -> 'person' <> 'null' THEN
        f.person := fc.audit_person(p_request ->> 'person');
        f.person_text := CASE WHEN btrim(p_request ->> 'person') ~* '^cms:'
                              THEN 'cms:' || substr(btrim(p_request ->> 'person'), 5)
                              ELSE 'fc:' || f.person END;
    END IF;
    IF 'action' = ANY (p_keys) THEN
        f.action := fc.audit_code_arg(p_request, 'action',
                                      ARRAY(SELECT a.code FROM fc.audit_action a ORDER BY a.code));
    END IF;
    IF 'source' = ANY (p_keys) THEN
        f.source := fc.audit_code_arg(p_request, 'source',
                                      ARRAY(SELECT s.code FROM fc.data_source s ORDER BY s.sort_order, s.code));
    END IF;
    IF 'outcome' = ANY (p_keys) THEN
        f.outcome := fc.audit_code_arg(p_request, 'outcome', ARRAY['allowed', 'denied', 'not_found', 'error']);
    END IF;
    IF 'declared_basis' = ANY (p_keys) THEN
        f.declared_basis := fc.audit_code_arg(p_request, 'declared_basis',
                                              ARRAY(SELECT b.code FROM fc.legal_basis b ORDER BY b.code COLLATE "C"));
    END IF;
    IF 'without_basis' = ANY (p_keys) THEN
        f.without_basis := fc.audit_flag_arg(p_request, 'without_basis');
    END IF;
    IF 'break_glass_only' = ANY (p_keys) THEN
        f.break_glass_only := fc.audit_flag_arg(p_request, 'break_glass_only');
    END IF;
    IF f.declared_basis IS NOT NULL AND f.without_basis THEN
        PERFORM fc.fail('usage', 'declared_basis and without_basis exclude each other: give one of them');
    END IF;
    f.since := fc.audit_instant_arg(p_request, 'since');
    f.until := fc.audit_instant_arg(p_request, 'until');
    IF f.since >= f.until THEN
        PERFORM fc.fail('usage', format('since (%s) must be before until (%s)', fc.utc(f.since), fc.utc(f.until)));
    END IF;
    RETURN f;
END;
$$;

-- The filter as the audit row records it: the keys given, checked.
CREATE OR REPLACE FUNCTION fc.audit_filter_json(f fc.audit_filter_t)
RETURNS jsonb
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'actor', f.actor, 'person', f.person_text, 'action', f.action, 'source', f.source,
        'outcome', f.outcome, 'declared_basis', f.declared_basis, 'without_basis', f.without_basis,
        'break_glass_only', f.break_glass_only, 'since', fc.audit_instant(f.since),
        'until', fc.audit_instant(f.until)));
$$;

-- The filter of a refused request as it was sent, made safe to record.
CREATE OR REPLACE FUNCTION fc.audit_filter_sent(p_request jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN jsonb_typeof(p_request) = 'object' THEN jsonb_strip_nulls(jsonb_build_object(
        'actor', fc.plain(p_request ->> 'actor', 256), 'person', fc.plain(p_request ->> 'person', 80),
        'action', fc.plain(p_request ->> 'action', 64), 'source', fc.plain(p_request ->> 'source', 64),
        'outcome', fc.plain(p_request ->> 'outcome', 16),
        'declared_basis', fc.plain(p_request ->> 'declared_basis', 64),
        'without_basis', fc.plain(p_request ->> 'without_basis', 16),
        'break_glass_only', fc.plain(p_request ->> 'break_glass_only', 16),
        'since', fc.plain(p_request ->> 'since', 64),
        'until', fc.plain(p_request ->> 'until', 64))) ELSE '{}' END;
$$;

-- The WHERE condition of a filter over fc.audit_log aliased a. Its values are the parameters
-- $1 actor, $2 person, $3 action, $4 source, $5 outcome, $6 since, $7 until, $8 declared basis
-- (EXECUTE ... USING f.actor, f.person, f.action, f.source, f.outcome, f.since, f.until,
-- f.declared_basis, ...); the two flags are fixed text. A declared basis is found through V21's
-- index on (basis, occurred_at), break-glass rows through its partial index.
CREATE OR REPLACE FUNCTION fc.audit_condition(f fc.audit_filter_t)
RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(string_agg(c, ' AND ' ORDER BY n), 'true')
    FROM (VALUES
        (1, CASE WHEN f.actor IS NOT NULL THEN 'lower(a.actor_account) = lower($1)' END),
        (2, CASE WHEN f.person IS NOT NULL
                 THEN '(a.persons_disclosed @> ARRAY[$2] OR a.subject_person = $2)' END),
        (3, CASE WHEN f.action IS NOT NULL THEN 'a.action = $3' END),
        (4, CASE WHEN f.source IS NOT NULL THEN 'a.sources_disclosed @> ARRAY[$4]' END),
        (5, CASE WHEN f.outcome IS NOT NULL THEN 'a.outcome = $5' END),
        (6, CASE WHEN f.since IS NOT NULL THEN 'a.occurred_at >= $6' END),
        (7, CASE WHEN f.until IS NOT NULL THEN 'a.occurred_at < $7' END),
        (8, CASE WHEN f.declared_basis IS NOT NULL THEN 'a.basis = $8' END),
        (9, CASE WHEN f.without_basis THEN 'a.basis IS NULL' END),
        (10, CASE WHEN f.break_glass_only THEN 'a.break_glass' END)
    ) x (n, c)
    WHERE c IS NOT NULL;
$$;

-- One audit row as the documents carry it: every column, hashes in hex.
CREATE OR REPLACE FUNCTION fc.audit_entry(a fc.audit_log)
RETURNS jsonb
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_build_object(
        'id', a.id, 'occurred_at', fc.utc(a.occurred_at), 'actor_guid', a.actor_guid,
        'actor_account', a.actor_account, 'channel', a.channel, 'client_host', a.client_host,
        'action', a.action, 'outcome', a.outcome, 'subject_person', a.subject_person,
        'persons_disclosed', to_jsonb(a.persons_disclosed), 'sources_disclosed', to_jsonb(a.sources_disclosed),
        'target_user', a.target_user, 'target_guid', a.target_guid, 'reason', a.reason,
        'details', a.details, 'prev_hash', encode(a.prev_hash, 'hex'), 'row_hash', encode(a.row_hash, 'hex'),
        'basis', a.basis, 'break_glass', a.break_glass);
$$;

-- Matching rows in p_order (a fixed text chosen by the caller, never from a request), at most
-- p_limit: {"entries": [...], "rows", "persons": [every person the rows name]}.
CREATE OR REPLACE FUNCTION fc.audit_entries(f fc.audit_filter_t, p_order text, p_limit int)
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cond text := fc.audit_condition(f);
    v_result jsonb;
BEGIN
    IF p_order NOT IN ('a.occurred_at DESC, a.id DESC', 'a.occurred_at, a.id') THEN
        RAISE EXCEPTION 'fc.audit_entries: unexpected order %', p_order;
    END IF;
    EXECUTE format(
        'WITH %s page AS (SELECT a.* FROM %s ORDER BY %s LIMIT $9) '
        'SELECT jsonb_build_object('
        '    ''entries'', coalesce((SELECT jsonb_agg(fc.audit_entry(a::fc.audit_log) ORDER BY %s) FROM page a), ''[]''),'
        '    ''rows'', (SELECT count(*) FROM page),'
        '    ''persons'', coalesce((SELECT jsonb_agg(DISTINCT x ORDER BY x) FROM page a,'
        '                           unnest(a.persons_disclosed || a.subject_person) x WHERE x IS NOT NULL), ''[]''))',
        CASE WHEN f.person IS NULL THEN ''
             ELSE format('hit AS MATERIALIZED (SELECT a.* FROM fc.audit_log a WHERE %s),', v_cond) END,
        CASE WHEN f.person IS NULL THEN format('fc.audit_log a WHERE %s', v_cond) ELSE 'hit a' END,
        p_order, p_order)
    INTO v_result
    USING f.actor, f.person, f.action, f.source, f.outcome, f.since, f.until, f.declared_basis,
          p_limit::bigint;
    RETURN v_result;
END;
$$;

-- The audit trail, newest first.
-- {"actor"?, "person"?, "action"?, "source"?, "outcome"?, "declared_basis"?, "without_basis"?,
--  "break_glass_only"?, "since"?, "until"?, "limit"? (1-10000, default 100)}
--   -> {"entries": [{every column of fc.audit_log, hashes in hex}]}
-- Audited as audit_searched: the filter, the limit and the rows shown in details; the person
-- searched for as subject; every person the rows name as disclosed.
CREATE OR REPLACE FUNCTION fc_api.audit_search(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'auditor');
    f fc.audit_filter_t;
    v_limit int;
    v_found jsonb;
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'audit_searched', 'not_permitted', c.refusal, NULL, NULL,
                         jsonb_build_object('filter', fc.audit_filter_sent(p_request)));
    END IF;
    BEGIN
        f := fc.audit_filter(p_request, ARRAY['actor', 'person', 'action', 'source', 'outcome',
                                              'declared_basis', 'without_basis', 'break_glass_only']);
        v_limit := fc.int_arg(p_request, 'limit', 100, 1, 10000);
    EXCEPTION WHEN SQLSTATE 'FCUSE' OR SQLSTATE 'FCNFD' THEN
        RETURN fc.refuse(c, 'audit_searched', fc.kind_of(SQLSTATE), SQLERRM, NULL, NULL,
                         jsonb_build_object('filter', fc.audit_filter_sent(p_request)));
    END;
    v_found := fc.audit_entries(f, 'a.occurred_at DESC, a.id DESC', v_limit);
    RETURN fc.disclose(c, 'audit_searched', jsonb_build_object('entries', v_found -> 'entries'),
        f.person, ARRAY(SELECT jsonb_array_elements_text(v_found -> 'persons')::bigint), '{}', NULL,
        jsonb_build_object('filter', fc.audit_filter_json(f), 'limit', v_limit, 'rows', v_found -> 'rows'));
END;
$$;

-- Accesses in a window by actor, source, outcome and legal basis, and the patterns worth a spot
-- check: an actor with more than 3 times the median actor's lookups (and at least 10), lookups
-- out of working hours (before 08:00 or from 18:00 UTC, or at a weekend), 3 or more denials,
-- break-glass accesses (every one, allowed or refused: IG reads each), lookups allowed with no
-- legal basis declared.
-- {"since"?, "until"?} -> {"since", "until", "total", "break_glass", "lookups_without_basis",
--   "by_actor": [{"actor", "accesses", "lookups", "out_of_hours_lookups", "denied", "first",
--   "last"}], "by_source": [{"source", "accesses"}], "by_outcome": [{"outcome", "accesses"}],
--   "by_basis": [{"basis" (null: none declared), "title", "accesses", "lookups"}],
--   "median_lookups", "findings": [{"check", "actor", "count", "detail"}]}
-- One pass over the window counts by (actor, outcome, basis); a second by source.
CREATE OR REPLACE FUNCTION fc_api.audit_stats(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'auditor');
    f fc.audit_filter_t;
    v_cond text;
    v_doc jsonb;
    v_sources jsonb;
    -- The IG taxonomy's lookups: the actions that look at a person's data.
    v_lookups text[] := ARRAY['searched', 'viewed_in_results', 'viewed_basic_details_and_flags',
                              'viewed_family', 'viewed_service_details'];
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'audit_stats', 'not_permitted', c.refusal, NULL, NULL,
                         jsonb_build_object('filter', fc.audit_filter_sent(p_request)));
    END IF;
    BEGIN
        f := fc.audit_filter(p_request, '{}');
    EXCEPTION WHEN SQLSTATE 'FCUSE' OR SQLSTATE 'FCNFD' THEN
        RETURN fc.refuse(c, 'audit_stats', fc.kind_of(SQLSTATE), SQLERRM, NULL, NULL,
                         jsonb_build_object('filter', fc.audit_filter_sent(p_request)));
    END;
    v_cond := fc.audit_condition(f);
    EXECUTE format($q$
        WITH g AS (
            SELECT lower(coalesce(a.actor_account, '')) AS actor, a.outcome, a.basis, count(*) AS n,
                   count(*) FILTER (WHERE a.action = ANY ($9)) AS looked,
                   count(*) FILTER (WHERE a.action = ANY ($9) AND (
                       extract(hour FROM a.occurred_at AT TIME ZONE 'UTC') < 8
                       OR extract(hour FROM a.occurred_at AT TIME ZONE 'UTC') >= 18
                       OR extract(isodow FROM a.occurred_at AT TIME ZONE 'UTC') > 5)) AS late,
                   count(*) FILTER (WHERE a.break_glass) AS glass,
                   min(a.occurred_at) AS first, max(a.occurred_at) AS last
            FROM fc.audit_log a WHERE %s GROUP BY 1, 2, 3
        ),
        actors AS (
            SELECT CASE WHEN g.actor = '' THEN '(none)' ELSE g.actor END AS actor,
                   sum(g.n)::bigint AS accesses, sum(g.looked)::bigint AS lookups,
                   sum(g.late)::bigint AS late,
                   coalesce(sum(g.n) FILTER (WHERE g.outcome = 'denied'), 0)::bigint AS denied,
                   sum(g.glass)::bigint AS glass,
                   coalesce(sum(g.looked) FILTER (WHERE g.outcome = 'allowed' AND g.basis IS NULL), 0)::bigint
                       AS unbased,
                   min(g.first) AS first, max(g.last) AS last
            FROM g GROUP BY g.actor
        ),
        outcomes AS (SELECT g.outcome, sum(g.n)::bigint AS accesses FROM g GROUP BY g.outcome),
        bases AS (
            SELECT g.basis, sum(g.n)::bigint AS accesses, sum(g.looked)::bigint AS lookups
            FROM g GROUP BY g.basis
        ),
        med AS (
            SELECT coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY x.lookups), 0)::float8 AS m
            FROM actors x WHERE x.lookups > 0
        ),
        findings AS (
            SELECT 1 AS k, 'many_lookups' AS chk, x.actor, x.lookups AS count,
                   format('%%s lookups, more than 3 times the median actor''s %%s', x.lookups, med.m) AS detail
            FROM actors x, med WHERE x.lookups >= 10 AND x.lookups > 3 * med.m
          UNION ALL
            SELECT 2, 'out_of_hours', x.actor, x.late,
                   format('%%s of %%s lookups before 08:00 or after 18:00 UTC or at a weekend', x.late, x.lookups)
            FROM actors x WHERE x.late > 0
          UNION ALL
            SELECT 3, 'repeated_denials', x.actor, x.denied, format('%%s denied attempts', x.denied)
            FROM actors x WHERE x.denied >= 3
          UNION ALL
            SELECT 4, 'break_glass', x.actor, x.glass,
                   format('%%s break-glass accesses: IG reviews every one', x.glass)
            FROM actors x WHERE x.glass > 0
          UNION ALL
            SELECT 5, 'lookups_without_basis', x.actor, x.unbased,
                   format('%%s of %%s lookups allowed with no legal basis declared', x.unbased, x.lookups)
            FROM actors x WHERE x.unbased > 0
        )
        SELECT jsonb_build_object(
            'total', (SELECT coalesce(sum(x.accesses), 0)::bigint FROM actors x),
            'break_glass', (SELECT coalesce(sum(x.glass), 0)::bigint FROM actors x),
            'lookups_without_basis', (SELECT coalesce(sum(x.unbased), 0)::bigint FROM actors x),
            'by_actor', coalesce((SELECT jsonb_agg(jsonb_build_object(
                    'actor', x.actor, 'accesses', x.accesses, 'lookups', x.lookups,
                    'out_of_hours_lookups', x.late, 'denied', x.denied,
                    'first', fc.utc(x.first), 'last', fc.utc(x.last))
                ORDER BY x.accesses DESC, x.actor COLLATE "C") FROM actors x), '[]'),
            'by_outcome', coalesce((SELECT jsonb_agg(jsonb_build_object('outcome', o.outcome, 'accesses', o.accesses)
                ORDER BY o.accesses DESC, o.outcome COLLATE "C") FROM outcomes o), '[]'),
            'by_basis', coalesce((SELECT jsonb_agg(jsonb_build_object(
                    'basis', s.basis, 'title', b.title, 'accesses', s.accesses, 'lookups', s.lookups)
                ORDER BY s.accesses DESC, s.basis COLLATE "C" NULLS LAST)
                FROM bases s LEFT JOIN fc.legal_basis b ON b.code = s.basis), '[]'),
            'median_lookups', (SELECT med.m FROM med),
            'findings', coalesce((SELECT jsonb_agg(jsonb_build_object(
                    'check', x.chk, 'actor', x.actor, 'count', x.count, 'detail', x.detail)
                ORDER BY x.k, x.count DESC, x.actor COLLATE "C") FROM findings x), '[]'))
    $q$, v_cond)
    INTO v_doc
    USING f.actor, f.person, f.action, f.source, f.outcome, f.since, f.until, f.declared_basis,
          v_lookups;
    -- Pass two: counts by source.
    EXECUTE format(
        'SELECT coalesce(jsonb_agg(jsonb_build_object(''source'', s.source, ''accesses'', s.n) ORDER BY s.n DESC, s.source), ''[]'') '
        'FROM (SELECT x AS source, count(*) AS n FROM fc.audit_log a CROSS JOIN LATERAL unnest(a.sources_disclosed) x '
        '      WHERE %s GROUP BY x) s', v_cond)
    INTO v_sources
    USING f.actor, f.person, f.action, f.source, f.outcome, f.since, f.until, f.declared_basis;
    v_doc := v_doc || jsonb_build_object('since', fc.utc(f.since), 'until', fc.utc(f.until),
                                         'by_source', v_sources);
    RETURN fc.disclose(c, 'audit_stats', v_doc, NULL, '{}', '{}', NULL,
        jsonb_build_object('filter', fc.audit_filter_json(f), 'rows', v_doc -> 'total',
                           'findings', jsonb_array_length(v_doc -> 'findings')));
END;
$$;

-- V17's export cursor, each row with its basis and break-glass mark after row_hash:
--  * jsonl: "basis" (null when none was declared) and "break_glass" (true or false);
--  * csv: 19 cells, the basis empty when none was declared, the mark true or false.
CREATE OR REPLACE FUNCTION fc_api.audit_export_open(p_ticket uuid)
RETURNS refcursor
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
    d jsonb := fc.audit_stream_ticket(p_ticket, 'audit_exported');
    v_upto bigint := (d ->> 'upto')::bigint;
    v_since timestamptz := (d ->> 'since')::timestamptz;
    v_until timestamptz := (d ->> 'until')::timestamptz;
    v_window text := concat(
        CASE WHEN v_since IS NOT NULL THEN ' AND a.occurred_at >= $2' END,
        CASE WHEN v_until IS NOT NULL THEN ' AND a.occurred_at < $3' END);
    v_format text;
    v_cur refcursor;
BEGIN
    SELECT a.details ->> 'format' INTO v_format FROM fc.audit_log a WHERE a.id = v_upto;
    IF v_format = 'csv' THEN
        OPEN v_cur NO SCROLL FOR EXECUTE
            'SELECT a.id::text, '
            '       to_char(a.occurred_at AT TIME ZONE ''UTC'', ''YYYY-MM-DD"T"HH24:MI:SS.US"Z"''), '
            '       coalesce(a.actor_guid::text, ''''), coalesce(a.actor_account, ''''), a.channel, '
            '       coalesce(a.client_host, ''''), a.action, a.outcome, '
            '       coalesce(a.subject_person::text, ''''), array_to_string(a.persons_disclosed, '',''), '
            '       array_to_string(a.sources_disclosed, '',''), coalesce(a.target_user, ''''), '
            '       coalesce(a.target_guid::text, ''''), coalesce(a.reason, ''''), a.details::text, '
            '       encode(a.prev_hash, ''hex''), encode(a.row_hash, ''hex''), '
            '       coalesce(a.basis, ''''), CASE WHEN a.break_glass THEN ''true'' ELSE ''false'' END '
            'FROM fc.audit_log a WHERE a.id <= $1' || v_window || ' ORDER BY a.id'
        USING v_upto, v_since, v_until;
    ELSE
        -- fc.audit_instant written inline: a function with settings of its own is never
        -- inlined, and a call per row would cost more than the rest of the row.
        OPEN v_cur NO SCROLL FOR EXECUTE
            'SELECT row_to_json(r)::text FROM ('
            '  SELECT a.id, '
            '         to_char(a.occurred_at AT TIME ZONE ''UTC'', ''YYYY-MM-DD"T"HH24:MI:SS'') '
            '         || CASE WHEN u.us = 0 THEN '''' '
            '                 WHEN u.us % 1000 = 0 THEN ''.'' || lpad((u.us / 1000)::text, 3, ''0'') '
            '                 ELSE ''.'' || lpad(u.us::text, 6, ''0'') END || ''Z'' AS occurred_at, '
            '         a.actor_guid, a.actor_account, a.channel, a.client_host, a.action, a.outcome, '
            '         a.subject_person, a.persons_disclosed, a.sources_disclosed, a.target_user, '
            '         a.target_guid, a.reason, a.details, encode(a.prev_hash, ''hex'') AS prev_hash, '
            '         encode(a.row_hash, ''hex'') AS row_hash, a.basis, a.break_glass '
            '  FROM fc.audit_log a '
            '  CROSS JOIN LATERAL (SELECT extract(microseconds FROM a.occurred_at AT TIME ZONE ''UTC'')'
            '                             ::bigint % 1000000 AS us) u '
            '  WHERE a.id <= $1' || v_window || ') r ORDER BY r.id'
        USING v_upto, v_since, v_until;
    END IF;
    RETURN v_cur;
END;
$$;

-- The helpers run only inside fc_api functions.
REVOKE ALL ON FUNCTION fc.basis_entry(fc.legal_basis), fc.basis_code(jsonb),
    fc.audit_flag_arg(jsonb, text) FROM PUBLIC;

-- UTC and ISO dates on every entry point, as V15 pins them: CREATE OR REPLACE sets a function's
-- settings anew, and V21 re-made fc_api.audit_verify_open with its search path alone.
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
