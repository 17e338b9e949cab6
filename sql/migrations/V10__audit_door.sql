-- Audit review through the door: search, a person's access report, statistics, the chain head
-- (checkpoint), and the two streams, export and verify. Each is for the auditor role, writes its
-- own audit row (audit_searched, audit_reported, audit_stats, audit_checkpointed,
-- audit_exported, audit_verified), and discloses only after that row has committed:
--
--   * search, person, stats and checkpoint return a ticket (fc.disclose); fc_api.collect hands
--     the document over once the audit row has committed.
--   * export and verify return a ticket too; its document holds the stream's parameters (the
--     id range and the window). fc_api.audit_export_open / fc_api.audit_verify_open take that
--     ticket (same checks as fc_api.collect, and the ticket must be the one its own request
--     made) and return a cursor the client FETCHes in batches, in its own transaction, so
--     memory stays flat whatever the size of the trail. The cursor is opened inside the
--     SECURITY DEFINER function: the rows are read with the owner's rights, while the caller
--     still holds no privilege on fc.audit_log itself.
--
-- Filters (all optional; values always travel as parameters, never in the SQL text):
--   "actor"   account that acted (or tried to), any case
--   "person"  fc:<n>, <n> or cms:<case id>: rows naming the person as subject or disclosed.
--             A cms id must be in the person index; a number need not be (the trail outlives
--             the index).
--   "action", "source"  codes the database knows (fc.audit_action, fc.data_source)
--   "outcome" allowed | denied | not_found | error
--   "since", "until"  RFC 3339 instants: since <= occurred_at < until
-- Performance, as V6 measured it: each filter alone can use an index (the person through a
-- BitmapOr of the GIN on persons_disclosed and the subject index; the actor through
-- (lower(actor_account), occurred_at); action and the refused outcomes through V6's indexes;
-- the window through occurred_at). With a person, the match is fenced in a MATERIALIZED CTE:
-- the planner cannot estimate one person's share of an array column, and with ORDER BY ...
-- LIMIT it would otherwise walk occurred_at backwards testing every row. The statements are
-- planned at each call with their values (EXECUTE ... USING), like the ad hoc statements
-- famctx sent before.

-- A filter, checked.
CREATE TYPE fc.audit_filter_t AS (
    actor        text,
    person       bigint,
    person_text  text,
    action       text,
    source       text,
    outcome      text,
    since        timestamptz,
    until        timestamptz
);

-- An instant as famctx has always written it in audit details and documents: seconds, and a
-- fraction of 3 or 6 digits only when there is one (RFC 3339, UTC).
CREATE FUNCTION fc.audit_instant(p_at timestamptz)
RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN v.us = 0 THEN ''
                WHEN v.us % 1000 = 0 THEN '.' || lpad((v.us / 1000)::text, 3, '0')
                ELSE '.' || lpad(v.us::text, 6, '0') END
        || 'Z'
    FROM (SELECT extract(microseconds FROM p_at AT TIME ZONE 'UTC')::bigint % 1000000 AS us) v;
$$;

-- A person as an audit filter names them: fc:<n> or <n> as it is (a person since removed from
-- the index still has a trail), cms:<case id> resolved through the person index.
CREATE FUNCTION fc.audit_person(p_id text)
RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v text := btrim(coalesce(p_id, ''));
    v_id bigint;
BEGIN
    IF v ~* '^cms:[A-Za-z0-9_-]{1,64}$' THEN
        SELECT p.id INTO v_id FROM fc.person p WHERE p.cms_id = substr(v, 5);
        IF v_id IS NULL THEN
            PERFORM fc.fail('not_found', format('no person cms:%s in the MDM person index', substr(v, 5)));
        END IF;
        RETURN v_id;
    ELSIF v ~* '^(fc:)?[0-9]{1,18}$' AND regexp_replace(v, '^fc:', '', 'i')::numeric BETWEEN 1 AND 9223372036854775807 THEN
        RETURN regexp_replace(v, '^fc:', '', 'i')::bigint;
    END IF;
    PERFORM fc.fail('usage', format('%s is not a person id: use fc:<number> (e.g. fc:1234, or just 1234) '
                                    'or cms:<case id> (e.g. cms:CMS-0001)', fc.plain(p_id, 80)));
    RETURN NULL;
END;
$$;

-- An instant argument (RFC 3339), or FCUSE.
CREATE FUNCTION fc.audit_instant_arg(p_request jsonb, p_key text)
RETURNS timestamptz
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v jsonb := p_request -> p_key;
    t text;
BEGIN
    IF v IS NULL OR v = 'null' THEN
        RETURN NULL;
    END IF;
    t := v #>> '{}';
    IF jsonb_typeof(v) <> 'string'
       OR t !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})$' THEN
        PERFORM fc.fail('usage', format('%s is not a time: use an RFC 3339 time, e.g. 2026-11-01T00:00:00Z',
                                        p_key));
    END IF;
    BEGIN
        RETURN t::timestamptz;
    EXCEPTION WHEN others THEN
        PERFORM fc.fail('usage', format('%s is not a time: use an RFC 3339 time, e.g. 2026-11-01T00:00:00Z',
                                        p_key));
    END;
    RETURN NULL;
END;
$$;

-- A code argument known to the database (p_codes), or FCUSE naming the accepted ones.
CREATE FUNCTION fc.audit_code_arg(p_request jsonb, p_key text, p_codes text[])
RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v jsonb := p_request -> p_key;
BEGIN
    IF v IS NULL OR v = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(v) <> 'string' OR NOT ((v #>> '{}') = ANY (p_codes)) THEN
        PERFORM fc.fail('usage', format('%s "%s" is not known: use one of %s', p_key,
                                        fc.plain(v #>> '{}', 64), array_to_string(p_codes, ', ')));
    END IF;
    RETURN v #>> '{}';
END;
$$;

-- The filter of a request, reading only the keys in p_keys; FCUSE or FCNFD when a value is
-- wrong.
CREATE FUNCTION fc.audit_filter(p_request jsonb, p_keys text[])
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
    f.since := fc.audit_instant_arg(p_request, 'since');
    f.until := fc.audit_instant_arg(p_request, 'until');
    IF f.since >= f.until THEN
        PERFORM fc.fail('usage', format('since (%s) must be before until (%s)', fc.utc(f.since), fc.utc(f.until)));
    END IF;
    RETURN f;
END;
$$;

-- The filter as the audit row records it: the keys given, checked.
CREATE FUNCTION fc.audit_filter_json(f fc.audit_filter_t)
RETURNS jsonb
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'actor', f.actor, 'person', f.person_text, 'action', f.action, 'source', f.source,
        'outcome', f.outcome, 'since', fc.audit_instant(f.since), 'until', fc.audit_instant(f.until)));
$$;

-- The filter of a refused request as it was sent, made safe to record.
CREATE FUNCTION fc.audit_filter_sent(p_request jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN jsonb_typeof(p_request) = 'object' THEN jsonb_strip_nulls(jsonb_build_object(
        'actor', fc.plain(p_request ->> 'actor', 256), 'person', fc.plain(p_request ->> 'person', 80),
        'action', fc.plain(p_request ->> 'action', 64), 'source', fc.plain(p_request ->> 'source', 64),
        'outcome', fc.plain(p_request ->> 'outcome', 16), 'since', fc.plain(p_request ->> 'since', 64),
        'until', fc.plain(p_request ->> 'until', 64))) ELSE '{}' END;
$$;

-- The WHERE condition of a filter over fc.audit_log aliased a. Its values are the parameters
-- $1 actor, $2 person, $3 action, $4 source, $5 outcome, $6 since, $7 until (EXECUTE ...
-- USING f.actor, f.person, f.action, f.source, f.outcome, f.since, f.until, ...).
CREATE FUNCTION fc.audit_condition(f fc.audit_filter_t)
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
        (7, CASE WHEN f.until IS NOT NULL THEN 'a.occurred_at < $7' END)
    ) x (n, c)
    WHERE c IS NOT NULL;
$$;

-- One audit row as the documents carry it: every column, hashes in hex.
CREATE FUNCTION fc.audit_entry(a fc.audit_log)
RETURNS jsonb
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_build_object(
        'id', a.id, 'occurred_at', fc.utc(a.occurred_at), 'actor_guid', a.actor_guid,
        'actor_account', a.actor_account, 'channel', a.channel, 'client_host', a.client_host,
        'action', a.action, 'outcome', a.outcome, 'subject_person', a.subject_person,
        'persons_disclosed', to_jsonb(a.persons_disclosed), 'sources_disclosed', to_jsonb(a.sources_disclosed),
        'target_user', a.target_user, 'target_guid', a.target_guid, 'reason', a.reason,
        'details', a.details, 'prev_hash', encode(a.prev_hash, 'hex'), 'row_hash', encode(a.row_hash, 'hex'));
$$;

-- Matching rows in p_order (a fixed text chosen by the caller, never from a request), at most
-- p_limit: {"entries": [...], "rows", "persons": [every person the rows name]}.
CREATE FUNCTION fc.audit_entries(f fc.audit_filter_t, p_order text, p_limit int)
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
        'WITH %s page AS (SELECT a.* FROM %s ORDER BY %s LIMIT $8) '
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
    USING f.actor, f.person, f.action, f.source, f.outcome, f.since, f.until, p_limit::bigint;
    RETURN v_result;
END;
$$;

-- ----------------------------------------------------------------------------------------------

-- The audit trail, newest first.
-- {"actor"?, "person"?, "action"?, "source"?, "outcome"?, "since"?, "until"?, "limit"? (1-10000,
--  default 100)} -> {"entries": [{every column of fc.audit_log, hashes in hex}]}
-- Audited as audit_searched: the filter, the limit and the rows shown in details; the person
-- searched for as subject; every person the rows name as disclosed.
CREATE FUNCTION fc_api.audit_search(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
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
        f := fc.audit_filter(p_request, ARRAY['actor', 'person', 'action', 'source', 'outcome']);
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

-- Every access that disclosed one person, oldest first (famctx groups them by actor).
-- {"person", "since"?, "until"?}
--   -> {"person": "fc:<n>", "subject": <n>, "since", "until", "entries": [...]}
-- Audited as audit_reported, against the person; every person the rows name as disclosed.
CREATE FUNCTION fc_api.audit_person(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'auditor');
    f fc.audit_filter_t;
    v_found jsonb;
    v_actors bigint;
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'audit_reported', 'not_permitted', c.refusal, NULL, NULL,
                         jsonb_build_object('filter', fc.audit_filter_sent(p_request)));
    END IF;
    BEGIN
        IF coalesce(p_request ->> 'person', '') = '' THEN
            PERFORM fc.fail('usage', 'person is required: fc:<number> or cms:<case id>');
        END IF;
        f := fc.audit_filter(p_request, ARRAY['person']);
    EXCEPTION WHEN SQLSTATE 'FCUSE' OR SQLSTATE 'FCNFD' THEN
        RETURN fc.refuse(c, 'audit_reported', fc.kind_of(SQLSTATE), SQLERRM, NULL, NULL,
                         jsonb_build_object('filter', fc.audit_filter_sent(p_request)));
    END;
    v_found := fc.audit_entries(f, 'a.occurred_at, a.id', NULL);
    SELECT count(DISTINCT coalesce(e ->> 'actor_guid', 'account:' || lower(coalesce(e ->> 'actor_account', ''))))
      INTO v_actors
      FROM jsonb_array_elements(v_found -> 'entries') e;
    RETURN fc.disclose(c, 'audit_reported',
        jsonb_build_object('person', 'fc:' || f.person, 'subject', f.person,
                           'since', fc.utc(f.since), 'until', fc.utc(f.until),
                           'entries', v_found -> 'entries'),
        f.person, ARRAY(SELECT jsonb_array_elements_text(v_found -> 'persons')::bigint), '{}', NULL,
        jsonb_build_object('filter', fc.audit_filter_json(f), 'accesses', v_found -> 'rows',
                           'actors', v_actors));
END;
$$;

-- Accesses in a window by actor, source and outcome, and the patterns worth a spot check: an
-- actor with more than 3 times the median actor's lookups (and at least 10), lookups out of
-- working hours (before 08:00 or from 18:00 UTC, or at a weekend), 3 or more denials.
-- {"since"?, "until"?} -> {"since", "until", "total", "by_actor": [{"actor", "accesses",
--   "lookups", "out_of_hours_lookups", "denied", "first", "last"}], "by_source": [{"source",
--   "accesses"}], "by_outcome": [{"outcome", "accesses"}], "median_lookups",
--   "findings": [{"check", "actor", "count", "detail"}]}
CREATE FUNCTION fc_api.audit_stats(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
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
    -- Pass one: counts by (actor, outcome), from which the actor and outcome totals, the
    -- median and the findings follow.
    EXECUTE format($q$
        WITH g AS (
            SELECT lower(coalesce(a.actor_account, '')) AS actor, a.outcome, count(*) AS n,
                   count(*) FILTER (WHERE a.action = ANY ($8)) AS looked,
                   count(*) FILTER (WHERE a.action = ANY ($8) AND (
                       extract(hour FROM a.occurred_at AT TIME ZONE 'UTC') < 8
                       OR extract(hour FROM a.occurred_at AT TIME ZONE 'UTC') >= 18
                       OR extract(isodow FROM a.occurred_at AT TIME ZONE 'UTC') > 5)) AS late,
                   min(a.occurred_at) AS first, max(a.occurred_at) AS last
            FROM fc.audit_log a WHERE %s GROUP BY 1, 2
        ),
        actors AS (
            SELECT CASE WHEN g.actor = '' THEN '(none)' ELSE g.actor END AS actor,
                   sum(g.n)::bigint AS accesses, sum(g.looked)::bigint AS lookups,
                   sum(g.late)::bigint AS late,
                   coalesce(sum(g.n) FILTER (WHERE g.outcome = 'denied'), 0)::bigint AS denied,
                   min(g.first) AS first, max(g.last) AS last
            FROM g GROUP BY g.actor
        ),
        outcomes AS (SELECT g.outcome, sum(g.n)::bigint AS accesses FROM g GROUP BY g.outcome),
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
        )
        SELECT jsonb_build_object(
            'total', (SELECT coalesce(sum(x.accesses), 0)::bigint FROM actors x),
            'by_actor', coalesce((SELECT jsonb_agg(jsonb_build_object(
                    'actor', x.actor, 'accesses', x.accesses, 'lookups', x.lookups,
                    'out_of_hours_lookups', x.late, 'denied', x.denied,
                    'first', fc.utc(x.first), 'last', fc.utc(x.last))
                ORDER BY x.accesses DESC, x.actor COLLATE "C") FROM actors x), '[]'),
            'by_outcome', coalesce((SELECT jsonb_agg(jsonb_build_object('outcome', o.outcome, 'accesses', o.accesses)
                ORDER BY o.accesses DESC, o.outcome COLLATE "C") FROM outcomes o), '[]'),
            'median_lookups', (SELECT med.m FROM med),
            'findings', coalesce((SELECT jsonb_agg(jsonb_build_object(
                    'check', x.chk, 'actor', x.actor, 'count', x.count, 'detail', x.detail)
                ORDER BY x.k, x.count DESC, x.actor COLLATE "C") FROM findings x), '[]'))
    $q$, v_cond)
    INTO v_doc
    USING f.actor, f.person, f.action, f.source, f.outcome, f.since, f.until, v_lookups;
    -- Pass two: counts by source.
    EXECUTE format(
        'SELECT coalesce(jsonb_agg(jsonb_build_object(''source'', s.source, ''accesses'', s.n) ORDER BY s.n DESC, s.source), ''[]'') '
        'FROM (SELECT x AS source, count(*) AS n FROM fc.audit_log a CROSS JOIN LATERAL unnest(a.sources_disclosed) x '
        '      WHERE %s GROUP BY x) s', v_cond)
    INTO v_sources
    USING f.actor, f.person, f.action, f.source, f.outcome, f.since, f.until;
    v_doc := v_doc || jsonb_build_object('since', fc.utc(f.since), 'until', fc.utc(f.until),
                                         'by_source', v_sources);
    RETURN fc.disclose(c, 'audit_stats', v_doc, NULL, '{}', '{}', NULL,
        jsonb_build_object('filter', fc.audit_filter_json(f), 'rows', v_doc -> 'total',
                           'findings', jsonb_array_length(v_doc -> 'findings')));
END;
$$;

-- The head of the chain (the newest row before this request's own), to keep outside the
-- database. {} -> {"head": {"id", "hash", "occurred_at"}}; an empty trail is not found.
CREATE FUNCTION fc_api.audit_checkpoint(p_request jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'auditor');
    v_head jsonb;
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'audit_checkpointed', 'not_permitted', c.refusal);
    END IF;
    SELECT jsonb_build_object('id', a.id, 'hash', encode(a.row_hash, 'hex'),
                              'occurred_at', fc.audit_instant(a.occurred_at))
      INTO v_head
      FROM fc.audit_log a ORDER BY a.id DESC LIMIT 1;
    IF v_head IS NULL THEN
        RETURN fc.refuse(c, 'audit_checkpointed', 'not_found', 'the audit trail is empty');
    END IF;
    RETURN fc.disclose(c, 'audit_checkpointed', jsonb_build_object('head', v_head), NULL, '{}', '{}',
                       NULL, jsonb_build_object('head', v_head));
END;
$$;

-- The ticket of a stream: checked as fc_api.collect checks one (made by this role, within 15
-- minutes, its transaction committed), and made by the request p_action, allowed. Used once.
CREATE FUNCTION fc.audit_stream_ticket(p_ticket uuid, p_action text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d fc.disclosure;
BEGIN
    SELECT * INTO d FROM fc.disclosure x WHERE x.ticket = p_ticket AND x.db_role = session_user;
    IF NOT FOUND OR d.created_at < clock_timestamp() - interval '15 minutes'
       OR d.document ->> 'stream' IS DISTINCT FROM p_action THEN
        RAISE EXCEPTION 'no stream for ticket %: it was opened already, has expired, was made by another '
                        'role or for another request; make the request again', p_ticket USING ERRCODE = 'FCNFD';
    END IF;
    IF pg_xact_status(d.xid) IS DISTINCT FROM 'committed' THEN
        RAISE EXCEPTION 'the audit row of this request is not committed yet: commit the transaction '
                        'that made the request, then open the stream' USING ERRCODE = 'FCUSE';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM fc.audit_log a
                   WHERE a.id = d.audit_id AND a.action = p_action AND a.outcome = 'allowed') THEN
        RAISE EXCEPTION 'no stream for ticket %: it was not made by an allowed %', p_ticket, p_action
            USING ERRCODE = 'FCNFD';
    END IF;
    DELETE FROM fc.disclosure x
    WHERE x.ticket = p_ticket OR x.created_at < clock_timestamp() - interval '15 minutes';
    RETURN d.document;
END;
$$;

-- The export: its audit row (audit_exported) commits first, then the rows stream in id order,
-- that row included. {"since"?, "until"?, "format"?} -> a ticket for fc_api.audit_export_open,
-- whose document is {"stream": "audit_exported", "upto": <the export's own row>, "since", "until"}.
CREATE FUNCTION fc_api.audit_export(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'auditor');
    f fc.audit_filter_t;
    v_format text;
    v_result jsonb;
    v_id bigint;
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'audit_exported', 'not_permitted', c.refusal, NULL, NULL,
                         jsonb_build_object('filter', fc.audit_filter_sent(p_request)));
    END IF;
    BEGIN
        f := fc.audit_filter(p_request, '{}');
        IF p_request ? 'format' AND p_request -> 'format' <> 'null' THEN
            v_format := p_request ->> 'format';
            IF v_format IS NULL OR v_format !~ '^[a-z]{1,16}$' THEN
                PERFORM fc.fail('usage', 'format must be a format name, e.g. jsonl or csv');
            END IF;
        END IF;
    EXCEPTION WHEN SQLSTATE 'FCUSE' THEN
        RETURN fc.refuse(c, 'audit_exported', 'usage', SQLERRM, NULL, NULL,
                         jsonb_build_object('filter', fc.audit_filter_sent(p_request)));
    END;
    -- The audit row first, so that the export can name its own row as the end of its range.
    v_result := fc.disclose(c, 'audit_exported', '{}', NULL, '{}', '{}', NULL,
        jsonb_strip_nulls(jsonb_build_object('filter', fc.audit_filter_json(f), 'format', v_format)));
    v_id := (v_result ->> 'audit_id')::bigint;
    UPDATE fc.disclosure x
       SET document = jsonb_build_object('stream', 'audit_exported', 'upto', v_id,
                                         'since', fc.utc(f.since), 'until', fc.utc(f.until))
     WHERE x.ticket = (v_result ->> 'ticket')::uuid;
    RETURN v_result;
END;
$$;

-- The export's cursor: every column of fc.audit_log, in id order, up to the export's own row,
-- within its window. FETCH it in batches in the transaction that opened it.
CREATE FUNCTION fc_api.audit_export_open(p_ticket uuid)
RETURNS refcursor
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d jsonb := fc.audit_stream_ticket(p_ticket, 'audit_exported');
    v_since timestamptz := (d ->> 'since')::timestamptz;
    v_until timestamptz := (d ->> 'until')::timestamptz;
    v_cur refcursor;
BEGIN
    OPEN v_cur NO SCROLL FOR EXECUTE format(
        'SELECT a.id, a.occurred_at, a.actor_guid, a.actor_account, a.channel, a.client_host, a.action, '
        '       a.outcome, a.subject_person, a.persons_disclosed, a.sources_disclosed, a.target_user, '
        '       a.target_guid, a.reason, a.details, a.prev_hash, a.row_hash '
        'FROM fc.audit_log a WHERE a.id <= $1%s%s ORDER BY a.id',
        CASE WHEN v_since IS NOT NULL THEN ' AND a.occurred_at >= $2' ELSE '' END,
        CASE WHEN v_until IS NOT NULL THEN ' AND a.occurred_at < $3' ELSE '' END)
    USING (d ->> 'upto')::bigint, v_since, v_until;
    RETURN v_cur;
END;
$$;

-- Verification: its audit row (audit_verified, with the checkpoint given and the number of rows
-- to check) commits first; then the rows before it stream in id order for famctx to recompute
-- every hash independently (the verdict is famctx's: the row cannot record it).
-- {"checkpoint"?: {"id", "hash", "occurred_at"}} -> a ticket for fc_api.audit_verify_open,
-- whose document is {"stream": "audit_verified", "upto": <the last row before this request's>}.
CREATE FUNCTION fc_api.audit_verify(p_request jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'auditor');
    v_cp jsonb := p_request -> 'checkpoint';
    v_checkpoint jsonb;
    v_result jsonb;
    v_upto bigint;
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'audit_verified', 'not_permitted', c.refusal);
    END IF;
    IF v_cp IS NOT NULL AND v_cp <> 'null' THEN
        IF jsonb_typeof(v_cp) <> 'object' OR jsonb_typeof(v_cp -> 'id') IS DISTINCT FROM 'number'
           OR coalesce(v_cp ->> 'id', '') !~ '^[1-9][0-9]{0,17}$'
           OR coalesce(v_cp ->> 'hash', '') !~ '^[0-9A-Fa-f]{64}$' THEN
            RETURN fc.refuse(c, 'audit_verified', 'usage',
                             'checkpoint must be {"id", "hash", "occurred_at"} as audit checkpoint writes it');
        END IF;
        v_checkpoint := jsonb_build_object('id', (v_cp ->> 'id')::bigint, 'hash', lower(v_cp ->> 'hash'),
                                           'occurred_at', fc.plain(v_cp ->> 'occurred_at', 64));
    END IF;
    -- The chain's lock first (fc.audit_write takes it again), so that the head read here is
    -- the row just before this request's own, and the audit row can name the rows to check.
    PERFORM set_config('lock_timeout', '30s', true);
    PERFORM pg_advisory_xact_lock(hashtextextended('fc.audit_log chain', 0));
    SELECT coalesce(max(a.id), 0) INTO v_upto FROM fc.audit_log a;
    v_result := fc.disclose(c, 'audit_verified', jsonb_build_object('stream', 'audit_verified', 'upto', v_upto),
                            NULL, '{}', '{}', NULL,
                            jsonb_build_object('checkpoint', v_checkpoint, 'rows_to_check', v_upto));
    IF (v_result ->> 'audit_id')::bigint <> v_upto + 1 THEN
        RAISE EXCEPTION 'audit_verify: the chain moved while it was locked';
    END IF;
    RETURN v_result;
END;
$$;

-- The verification's cursor: the canonical fields of each row (as fc.audit_canonical writes
-- them), the stored hashes and the time, in id order, up to the last row before the request.
-- Columns: id, occurred_at, then the 14 canonical fields from occurred_at (as microseconds)
-- to details, then prev_hash, row_hash.
CREATE FUNCTION fc_api.audit_verify_open(p_ticket uuid)
RETURNS refcursor
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d jsonb := fc.audit_stream_ticket(p_ticket, 'audit_verified');
    v_cur refcursor;
BEGIN
    OPEN v_cur NO SCROLL FOR EXECUTE
        'SELECT a.id, a.occurred_at, '
        '       (extract(epoch FROM a.occurred_at) * 1000000)::bigint::text, a.actor_guid::text, '
        '       a.actor_account, a.channel, a.client_host, a.action, a.outcome, a.subject_person::text, '
        '       array_to_string(a.persons_disclosed, '',''), array_to_string(a.sources_disclosed, '',''), '
        '       a.target_user, a.target_guid::text, a.reason, a.details::text, a.prev_hash, a.row_hash '
        'FROM fc.audit_log a WHERE a.id <= $1 ORDER BY a.id'
    USING (d ->> 'upto')::bigint;
    RETURN v_cur;
END;
$$;

-- The helpers run only inside fc_api functions.
REVOKE ALL ON FUNCTION fc.audit_instant(timestamptz), fc.audit_person(text),
    fc.audit_instant_arg(jsonb, text), fc.audit_code_arg(jsonb, text, text[]),
    fc.audit_filter(jsonb, text[]), fc.audit_filter_json(fc.audit_filter_t),
    fc.audit_filter_sent(jsonb), fc.audit_condition(fc.audit_filter_t), fc.audit_entry(fc.audit_log),
    fc.audit_entries(fc.audit_filter_t, text, int), fc.audit_stream_ticket(uuid, text)
    FROM PUBLIC;
