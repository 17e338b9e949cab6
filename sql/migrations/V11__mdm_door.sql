-- MDM load validation through the door. Admins read the warehouse as themselves (it is another
-- database) and the family context side through these functions; famctx compares the two.
--
-- A validation is a session: fc_api.mdm_validate_begin checks the caller is an admin, writes the
-- mdm_validated audit row (stage "started") and returns the session with the family context's
-- load records. fc_api.mdm_side(session, what) then returns the family context side's aggregates
-- (key bounds, row counts and key checksums over ranges, differences counted against the keys
-- the warehouse holds, orphans and missing fields counted): figures only. Whatever names a person
-- or a key (the missing, extra and orphan samples, impossible dates) is kept with the session and
-- disclosed by fc_api.mdm_validate_finish, two-step, after the final mdm_validated audit row
-- naming those persons has committed.
--
-- Every function here runs with search_path = pg_catalog, pg_temp and names fc objects in full;
-- table names in dynamic SQL come from the fixed list of fc.mdm_entity.

-- Open validations, each usable by the role (and acting user) that began it for 30 minutes.
-- samples: what will be disclosed at the end, the first keys in key order:
--   {"keys": {"<entity>": {"missing": [...], "extra": [...]}},
--    "orphans": {"relationship": [[person, related, type, person_gone, related_gone], ...],
--                "<record entity>": [[id, person], ...]},
--    "completeness": {"future": [ids], "over_120": [ids]}}
-- A key is a number, or for relationships [person, related person, type].
-- Unlogged: after a crash the validation is simply run again.
CREATE UNLOGGED TABLE fc.mdm_validation (
    session      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    db_role      text NOT NULL,
    actor_guid   uuid NOT NULL,
    audit_id     bigint NOT NULL,
    load_run_id  bigint,
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at  timestamptz,
    samples      jsonb NOT NULL DEFAULT '{}'
);

-- Keys named in a sample.
CREATE FUNCTION fc.mdm_sample_size()
RETURNS int
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT 20 $$;

-- One entity of a load: its table (the same name in fc and mdm), the column whose ranges are
-- compared, the 64-bit key hash (the same SQL famctx runs in the warehouse), its kind and its
-- data source. FCUSE for anything else.
CREATE FUNCTION fc.mdm_entity(p_name text, OUT tbl text, OUT col text, OUT hash text, OUT kind text,
                              OUT source text)
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    CASE p_name
        WHEN 'person' THEN
            tbl := 'person'; col := 'id'; kind := 'person';
        WHEN 'relationship' THEN
            tbl := 'relationship'; col := 'person_id'; kind := 'relationship';
        WHEN 'school_record', 'childrens_social_care_record', 'adult_social_care_record',
             'housing_record', 'police_record' THEN
            tbl := p_name; col := 'id'; kind := 'record'; source := regexp_replace(p_name, '_record$', '');
        ELSE
            PERFORM fc.fail('usage', format('%s is not an entity of a load', fc.plain(p_name, 80)));
    END CASE;
    hash := CASE kind
        WHEN 'relationship' THEN 'hashint8extended(t.person_id, hashint8extended(t.related_person_id, '
                                 'hashtextextended(t.relationship_type, 0)))'
        ELSE format('hashint8extended(t.%I, 0)', col) END;
END;
$$;

-- A whole number from JSON (NULL for null or absent), or FCUSE naming p_what.
CREATE FUNCTION fc.mdm_int8(p_value jsonb, p_what text)
RETURNS bigint
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_value IS NULL OR p_value = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(p_value) <> 'number' OR (p_value #>> '{}') !~ '^-?[0-9]{1,19}$'
       OR (p_value #>> '{}')::numeric NOT BETWEEN -9223372036854775808 AND 9223372036854775807 THEN
        PERFORM fc.fail('usage', format('%s must be a whole number', p_what));
    END IF;
    RETURN (p_value #>> '{}')::bigint;
END;
$$;

-- A list of whole numbers from the request (empty when absent), or FCUSE.
CREATE FUNCTION fc.mdm_int8s(p_request jsonb, p_key text)
RETURNS bigint[]
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v jsonb := p_request -> p_key;
BEGIN
    IF v IS NULL OR v = 'null' THEN
        RETURN '{}';
    END IF;
    IF jsonb_typeof(v) <> 'array' OR EXISTS (
           SELECT 1 FROM jsonb_array_elements(v) x
           WHERE jsonb_typeof(x) <> 'number' OR (x #>> '{}') !~ '^-?[0-9]{1,19}$'
              OR (x #>> '{}')::numeric NOT BETWEEN -9223372036854775808 AND 9223372036854775807) THEN
        PERFORM fc.fail('usage', format('%s must be a list of whole numbers', p_key));
    END IF;
    RETURN ARRAY(SELECT (x #>> '{}')::bigint FROM jsonb_array_elements(v) WITH ORDINALITY AS e (x, n) ORDER BY n);
END;
$$;

-- Ranges [lo, last] from the request (lists "lo" and "last", and "width" when p_width), or FCUSE.
CREATE FUNCTION fc.mdm_ranges(p_request jsonb, p_width boolean,
                              OUT lo bigint[], OUT last bigint[], OUT width bigint[])
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    lo := fc.mdm_int8s(p_request, 'lo');
    last := fc.mdm_int8s(p_request, 'last');
    width := CASE WHEN p_width THEN fc.mdm_int8s(p_request, 'width') END;
    IF cardinality(lo) <> cardinality(last) OR (p_width AND cardinality(width) <> cardinality(lo)) THEN
        PERFORM fc.fail('usage', 'lo, last (and width) must be lists of the same length');
    END IF;
    IF cardinality(lo) > 1000000 THEN
        PERFORM fc.fail('usage', 'at most 1,000,000 ranges a call');
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(lo, last) AS r (a, b) WHERE a > b)
       OR (p_width AND EXISTS (SELECT 1 FROM unnest(width) w WHERE w < 1)) THEN
        PERFORM fc.fail('usage', 'each range needs lo <= last (and a width of at least 1)');
    END IF;
END;
$$;

-- The first p_n keys, in key order, of two lists of keys.
CREATE FUNCTION fc.mdm_first_keys(p_a jsonb, p_b jsonb, p_n int)
RETURNS jsonb
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(jsonb_agg(k ORDER BY o1, o2, o3), '[]')
    FROM (
        SELECT k, o1, o2, o3
        FROM (SELECT DISTINCT k,
                     CASE WHEN jsonb_typeof(k) = 'array' THEN (k ->> 0)::bigint ELSE (k #>> '{}')::bigint END AS o1,
                     (k ->> 1)::bigint AS o2,
                     (k ->> 2) COLLATE "C" AS o3
              FROM (SELECT jsonb_array_elements(CASE WHEN jsonb_typeof(p_a) = 'array' THEN p_a ELSE '[]' END)
                    UNION ALL
                    SELECT jsonb_array_elements(CASE WHEN jsonb_typeof(p_b) = 'array' THEN p_b ELSE '[]' END)) AS x (k)) y
        ORDER BY o1, o2, o3
        LIMIT p_n
    ) z;
$$;

-- The caller's open validation session (locked for this call), or FCUSE / FCNFD.
CREATE FUNCTION fc.mdm_session(c fc.caller_t, p_request jsonb)
RETURNS fc.mdm_validation
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v text := p_request ->> 'session';
    s fc.mdm_validation;
BEGIN
    IF v IS NULL OR v !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
        PERFORM fc.fail('usage', 'session must be the id fc_api.mdm_validate_begin returned');
    END IF;
    SELECT * INTO s FROM fc.mdm_validation x
    WHERE x.session = v::uuid AND x.db_role = session_user AND x.actor_guid = c.guid
    FOR UPDATE;
    IF NOT FOUND OR s.finished_at IS NOT NULL OR s.created_at < clock_timestamp() - interval '30 minutes' THEN
        PERFORM fc.fail('not_found', format('no open validation session %s: it has finished, has expired '
                                            '(30 minutes) or was begun by someone else; validate again', v));
    END IF;
    RETURN s;
END;
$$;

-- A load run as the documents write it.
CREATE FUNCTION fc.mdm_run_json(r fc.load_run)
RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_build_object('id', r.id, 'status', r.status, 'started_at', fc.utc(r.started_at),
                              'finished_at', fc.utc(r.finished_at), 'mdm_run_id', r.mdm_run_id);
$$;

CREATE FUNCTION fc.mdm_manifest(p_run bigint)
RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(jsonb_object_agg(m.entity, m.row_count), '{}')
    FROM fc.load_manifest m WHERE m.load_run_id = p_run;
$$;

-- ----------------------------------------------------------------------------------------------

-- Begins a validation: the mdm_validated audit row (stage "started"), then the family context's
-- load records (operational data, no person).
-- {"load"? (a load run id; default the last completed), "warehouse"? ("host:port/db"),
--  "thresholds"? {...}, "report_file"?}
--   -> {"session", "now", "run": {id, status, started_at, finished_at, mdm_run_id} | null,
--       "latest": bool, "manifest": {entity: rows}, "previous": {"run", "manifest"} | null,
--       "later": [runs], "sources": [{"code", "last_synchronised"}]}
CREATE FUNCTION fc_api.mdm_validate_begin(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'admin');
    v_load bigint;
    v_details jsonb;
    v_last fc.load_run;
    v_run fc.load_run;
    v_prev fc.load_run;
    v_later jsonb;
    v_sources jsonb;
    v_audit bigint;
    v_session uuid;
BEGIN
    v_details := jsonb_build_object(
        'stage', 'started',
        'warehouse', fc.plain(p_request ->> 'warehouse', 300),
        'requested_load', CASE WHEN jsonb_typeof(p_request -> 'load') = 'number' THEN p_request -> 'load' END,
        'thresholds', CASE WHEN jsonb_typeof(p_request -> 'thresholds') = 'object'
                                AND octet_length((p_request -> 'thresholds')::text) <= 2000
                           THEN p_request -> 'thresholds' END,
        'report_file', fc.plain(p_request ->> 'report_file', 1000));
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'mdm_validated', 'not_permitted', c.refusal, NULL, NULL, v_details);
    END IF;
    IF p_request -> 'load' IS NOT NULL AND p_request -> 'load' <> 'null' THEN
        IF jsonb_typeof(p_request -> 'load') <> 'number' OR (p_request ->> 'load') !~ '^[0-9]{1,18}$'
           OR (p_request ->> 'load')::bigint < 1 THEN
            RETURN fc.refuse(c, 'mdm_validated', 'usage', 'load must be a load run id (a whole number from 1)',
                             NULL, NULL, v_details);
        END IF;
        v_load := (p_request ->> 'load')::bigint;
    END IF;

    SELECT * INTO v_last FROM fc.load_run r WHERE r.status = 'completed'
    ORDER BY r.finished_at DESC NULLS LAST, r.id DESC LIMIT 1;
    IF v_load IS NULL THEN
        v_run := v_last;
    ELSE
        SELECT * INTO v_run FROM fc.load_run r WHERE r.id = v_load;
        IF NOT FOUND THEN
            RETURN fc.refuse(c, 'mdm_validated', 'not_found',
                             format('no load run %s in fc.load_run: `famctx mdm loads` lists the runs', v_load),
                             NULL, NULL, v_details);
        END IF;
    END IF;
    IF v_run.id IS NOT NULL THEN
        SELECT * INTO v_prev FROM fc.load_run r
        WHERE r.status = 'completed' AND r.started_at < v_run.started_at
          AND EXISTS (SELECT 1 FROM fc.load_manifest m WHERE m.load_run_id = r.id)
        ORDER BY r.started_at DESC, r.id DESC LIMIT 1;
        SELECT coalesce(jsonb_agg(fc.mdm_run_json(r) ORDER BY r.started_at, r.id), '[]') INTO v_later
        FROM fc.load_run r WHERE r.started_at > v_run.started_at;
    END IF;
    SELECT coalesce(jsonb_agg(jsonb_build_object('code', s.code, 'last_synchronised', fc.utc(s.last_synchronised))
                              ORDER BY s.sort_order, s.code), '[]')
      INTO v_sources FROM fc.data_source s;

    v_audit := fc.audit_as(c, 'mdm_validated', 'allowed', NULL, '{}', '{}', NULL, NULL, NULL,
                           v_details || jsonb_build_object('load_run', v_run.id));
    DELETE FROM fc.mdm_validation x WHERE x.created_at < clock_timestamp() - interval '1 day';
    INSERT INTO fc.mdm_validation (db_role, actor_guid, audit_id, load_run_id)
    VALUES (session_user, c.guid, v_audit, v_run.id)
    RETURNING session INTO v_session;
    RETURN jsonb_build_object('outcome', 'allowed', 'audit_id', v_audit, 'result', jsonb_build_object(
        'session', v_session,
        'now', fc.utc(statement_timestamp()),
        'run', CASE WHEN v_run.id IS NOT NULL THEN fc.mdm_run_json(v_run) END,
        'latest', v_run.id IS NOT NULL AND v_run.id = v_last.id,
        'manifest', CASE WHEN v_run.id IS NOT NULL THEN fc.mdm_manifest(v_run.id) ELSE '{}' END,
        'previous', CASE WHEN v_prev.id IS NOT NULL THEN jsonb_build_object(
                        'run', fc.mdm_run_json(v_prev), 'manifest', fc.mdm_manifest(v_prev.id)) END,
        'later', coalesce(v_later, '[]'),
        'sources', v_sources));
END;
$$;

-- The family context side of an open validation. {"session", "what", ...}:
--   "bounds" {"entity", "mdm_lo"?, "mdm_last"?}: the range to compare, the warehouse's bounds
--       widened to the family context's -> {"lo", "last"} (both null when both sides are empty)
--   "first" {"entity", "lo", "last", "width"}: rows and bit_xor of the key hashes per part of
--       "width" keys (at most 4096 parts) -> {"sums": [[part, rows, xor], ...]}
--   "split" {"entity", "lo": [...], "last": [...], "width": [...]}: the same for several ranges
--       (at most 64 parts each) -> {"sums": [[range (1-based), part, rows, xor], ...]}
--   "leaves" {"entity", "lo": [...], "last": [...], "keys"}: the warehouse's keys in those ranges
--       ([ids], or for relationships {"person": [...], "related": [...], "type": [...]}) against the
--       family context's -> {"missing", "extra"} (counts; the first keys are kept for the end)
--   "sample" {"entity", "lo": [...], "last": [...]}: ranges only the family context holds keys
--       in; their first keys are kept for the end -> {}
--   "orphans" {} -> {"counts": {"<entity>": orphans}} (samples kept for the end)
--   "completeness" {} -> {"persons", "missing_name", "missing_date_of_birth", "missing_address",
--       "missing_uprn", "date_of_birth_in_future", "date_of_birth_over_120_years"} (ids kept)
-- Figures only: nothing here names a person or a key. A refusal is audited (mdm_validated).
CREATE FUNCTION fc_api.mdm_side(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'admin');
    v_what text := p_request ->> 'what';
    s fc.mdm_validation;
    e record;
    r record;
    v_n int := fc.mdm_sample_size();
    v_lo bigint;
    v_last bigint;
    v_width bigint;
    v_result jsonb;
    v_counts jsonb;
    v_missing bigint;
    v_extra bigint;
    v_gone jsonb;
    v_new jsonb;
    v_keys jsonb;
    v_sql text;
    v_refs text[] := '{}';
    v_name text;
    v_samples jsonb;
    v_sample jsonb;
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'mdm_validated', 'not_permitted', c.refusal, NULL, NULL,
                         jsonb_build_object('stage', fc.plain(v_what, 40)));
    END IF;
    BEGIN
        s := fc.mdm_session(c, p_request);
        IF v_what IN ('bounds', 'first', 'split', 'leaves', 'sample') THEN
            SELECT * INTO e FROM fc.mdm_entity(p_request ->> 'entity');
        ELSIF v_what IS NULL OR v_what NOT IN ('orphans', 'completeness') THEN
            PERFORM fc.fail('usage', 'what must be bounds, first, split, leaves, sample, orphans or completeness');
        END IF;
        IF v_what IN ('split', 'leaves', 'sample') THEN
            SELECT * INTO r FROM fc.mdm_ranges(p_request, v_what = 'split');
            IF v_what = 'split' AND EXISTS (SELECT 1 FROM unnest(r.lo, r.last, r.width) AS g (lo, last, width)
                                            WHERE ceil((g.last::numeric - g.lo + 1) / g.width) > 64) THEN
                PERFORM fc.fail('usage', 'split needs widths that make at most 64 parts a range');
            END IF;
        ELSIF v_what = 'first' THEN
            v_lo := fc.mdm_int8(p_request -> 'lo', 'lo');
            v_last := fc.mdm_int8(p_request -> 'last', 'last');
            v_width := fc.mdm_int8(p_request -> 'width', 'width');
            IF v_lo IS NULL OR v_last IS NULL OR v_width IS NULL OR v_lo > v_last OR v_width < 1
               OR ceil((v_last::numeric - v_lo + 1) / v_width) > 4096 THEN
                PERFORM fc.fail('usage', 'first needs lo <= last and a width that makes at most 4096 parts');
            END IF;
        ELSIF v_what = 'bounds' THEN
            v_lo := fc.mdm_int8(p_request -> 'mdm_lo', 'mdm_lo');
            v_last := fc.mdm_int8(p_request -> 'mdm_last', 'mdm_last');
        END IF;
    EXCEPTION WHEN SQLSTATE 'FCUSE' OR SQLSTATE 'FCNFD' THEN
        RETURN fc.refuse(c, 'mdm_validated', fc.kind_of(SQLSTATE), SQLERRM, NULL, NULL,
                         jsonb_build_object('stage', fc.plain(v_what, 40),
                                            'session', fc.plain(p_request ->> 'session', 40)));
    END;
    v_samples := s.samples;

    IF v_what = 'bounds' THEN
        EXECUTE format('SELECT least(min(t.%1$I), $1), greatest(max(t.%1$I), $2) FROM fc.%2$I t', e.col, e.tbl)
           INTO v_lo, v_last USING v_lo, v_last;
        v_result := jsonb_build_object('lo', v_lo, 'last', v_last);

    ELSIF v_what = 'first' THEN
        EXECUTE format('SELECT coalesce(jsonb_agg(jsonb_build_array(x.p, x.n, x.h)), ''[]'') FROM '
                       '(SELECT (t.%1$I - $1) / $2 AS p, count(*) AS n, coalesce(bit_xor(%3$s), 0) AS h '
                       ' FROM fc.%2$I t WHERE t.%1$I BETWEEN $1 AND $3 GROUP BY 1) x', e.col, e.tbl, e.hash)
           INTO v_result USING v_lo, v_width, v_last;
        v_result := jsonb_build_object('sums', v_result);

    ELSIF v_what = 'split' THEN
        EXECUTE format('SELECT coalesce(jsonb_agg(jsonb_build_array(x.i, x.p, x.n, x.h)), ''[]'') FROM '
                       '(SELECT r.i, (t.%1$I - r.lo) / r.width AS p, count(*) AS n, coalesce(bit_xor(%3$s), 0) AS h '
                       ' FROM unnest($1::int8[], $2::int8[], $3::int8[]) WITH ORDINALITY AS r (lo, last, width, i) '
                       ' JOIN fc.%2$I t ON t.%1$I BETWEEN r.lo AND r.last GROUP BY 1, 2) x', e.col, e.tbl, e.hash)
           INTO v_result USING r.lo, r.last, r.width;
        v_result := jsonb_build_object('sums', v_result);

    ELSIF v_what = 'leaves' THEN
        v_keys := p_request -> 'keys';
        IF e.kind = 'relationship' THEN
            IF jsonb_typeof(v_keys) IS DISTINCT FROM 'object' THEN
                RETURN fc.refuse(c, 'mdm_validated', 'usage',
                                 'keys of relationships must be {"person": [...], "related": [...], "type": [...]}');
            END IF;
            BEGIN
                IF cardinality(fc.mdm_int8s(v_keys, 'person')) <> cardinality(fc.mdm_int8s(v_keys, 'related'))
                   OR jsonb_typeof(v_keys -> 'type') IS DISTINCT FROM 'array'
                   OR cardinality(fc.mdm_int8s(v_keys, 'person')) <> jsonb_array_length(v_keys -> 'type') THEN
                    PERFORM fc.fail('usage', 'lists of different lengths');
                END IF;
                WITH f AS (
                    SELECT t.person_id AS p, t.related_person_id AS q, t.relationship_type AS ty
                    FROM unnest(r.lo, r.last) AS g (lo, last)
                    JOIN fc.relationship t ON t.person_id BETWEEN g.lo AND g.last
                ), m AS (
                    SELECT * FROM unnest(fc.mdm_int8s(v_keys, 'person'), fc.mdm_int8s(v_keys, 'related'),
                                         ARRAY(SELECT jsonb_array_elements_text(v_keys -> 'type'))) AS m (p, q, ty)
                ), gone AS (
                    SELECT * FROM m EXCEPT SELECT * FROM f
                ), new AS (
                    SELECT * FROM f EXCEPT SELECT * FROM m
                )
                SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM new),
                       (SELECT coalesce(jsonb_agg(jsonb_build_array(x.p, x.q, x.ty) ORDER BY x.p, x.q, x.ty COLLATE "C"), '[]')
                        FROM (SELECT * FROM gone ORDER BY p, q, ty COLLATE "C" LIMIT v_n) x),
                       (SELECT coalesce(jsonb_agg(jsonb_build_array(x.p, x.q, x.ty) ORDER BY x.p, x.q, x.ty COLLATE "C"), '[]')
                        FROM (SELECT * FROM new ORDER BY p, q, ty COLLATE "C" LIMIT v_n) x)
                  INTO v_missing, v_extra, v_gone, v_new;
            EXCEPTION WHEN SQLSTATE 'FCUSE' OR SQLSTATE '22023' OR SQLSTATE '22P02' THEN
                RETURN fc.refuse(c, 'mdm_validated', 'usage',
                                 'keys of relationships must be {"person": [...], "related": [...], "type": [...]} '
                                 'of the same length');
            END;
        ELSE
            BEGIN
                EXECUTE format(
                    'WITH f AS (SELECT t.%1$I AS k FROM unnest($1::int8[], $2::int8[]) AS g (lo, last) '
                    '           JOIN fc.%2$I t ON t.%1$I BETWEEN g.lo AND g.last), '
                    '     m AS (SELECT k FROM unnest($3::int8[]) AS k), '
                    '     gone AS (SELECT k FROM m EXCEPT SELECT k FROM f), '
                    '     new AS (SELECT k FROM f EXCEPT SELECT k FROM m) '
                    'SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM new), '
                    '       (SELECT coalesce(jsonb_agg(x.k ORDER BY x.k), ''[]'') FROM (SELECT k FROM gone ORDER BY k LIMIT $4) x), '
                    '       (SELECT coalesce(jsonb_agg(x.k ORDER BY x.k), ''[]'') FROM (SELECT k FROM new ORDER BY k LIMIT $4) x)',
                    e.col, e.tbl)
                  INTO v_missing, v_extra, v_gone, v_new
                  USING r.lo, r.last, fc.mdm_int8s(p_request, 'keys'), v_n;
            EXCEPTION WHEN SQLSTATE 'FCUSE' THEN
                RETURN fc.refuse(c, 'mdm_validated', 'usage', 'keys must be a list of whole numbers');
            END;
        END IF;
        v_sample := coalesce(v_samples #> ARRAY['keys', p_request ->> 'entity'], '{}');
        v_samples := jsonb_set(jsonb_set(v_samples, '{keys}', coalesce(v_samples -> 'keys', '{}')),
            ARRAY['keys', p_request ->> 'entity'],
            jsonb_build_object('missing', fc.mdm_first_keys(v_sample -> 'missing', v_gone, v_n),
                               'extra', fc.mdm_first_keys(v_sample -> 'extra', v_new, v_n)));
        v_result := jsonb_build_object('missing', v_missing, 'extra', v_extra);

    ELSIF v_what = 'sample' THEN
        IF e.kind = 'relationship' THEN
            SELECT coalesce(jsonb_agg(jsonb_build_array(x.p, x.q, x.ty) ORDER BY x.p, x.q, x.ty COLLATE "C"), '[]')
              INTO v_new
              FROM (SELECT t.person_id AS p, t.related_person_id AS q, t.relationship_type AS ty
                    FROM unnest(r.lo, r.last) AS g (lo, last)
                    JOIN fc.relationship t ON t.person_id BETWEEN g.lo AND g.last
                    ORDER BY t.person_id, t.related_person_id, t.relationship_type COLLATE "C" LIMIT v_n) x;
        ELSE
            EXECUTE format('SELECT coalesce(jsonb_agg(x.k ORDER BY x.k), ''[]'') FROM '
                           '(SELECT t.%1$I AS k FROM unnest($1::int8[], $2::int8[]) AS g (lo, last) '
                           ' JOIN fc.%2$I t ON t.%1$I BETWEEN g.lo AND g.last ORDER BY 1 LIMIT $3) x', e.col, e.tbl)
              INTO v_new USING r.lo, r.last, v_n;
        END IF;
        v_sample := coalesce(v_samples #> ARRAY['keys', p_request ->> 'entity'], '{}');
        v_samples := jsonb_set(jsonb_set(v_samples, '{keys}', coalesce(v_samples -> 'keys', '{}')),
            ARRAY['keys', p_request ->> 'entity'],
            jsonb_build_object('missing', coalesce(v_sample -> 'missing', '[]'),
                               'extra', fc.mdm_first_keys(v_sample -> 'extra', v_new, v_n)));
        v_result := '{}';

    ELSIF v_what = 'orphans' THEN
        -- One pass over every person reference (one hash anti-join); then the orphans of the
        -- entities that have any are listed.
        FOREACH v_name IN ARRAY ARRAY['relationship', 'school_record', 'childrens_social_care_record',
                                      'adult_social_care_record', 'housing_record', 'police_record'] LOOP
            v_refs := v_refs || format('SELECT %L AS e, person_id AS pid FROM fc.%I', v_name, v_name);
            IF v_name = 'relationship' THEN
                v_refs := v_refs || 'SELECT ''relationship'', related_person_id FROM fc.relationship'::text;
            END IF;
        END LOOP;
        EXECUTE format('SELECT coalesce(jsonb_object_agg(x.e, x.n), ''{}'') FROM '
                       '(SELECT r.e, count(*) AS n FROM (%s) AS r '
                       ' WHERE NOT EXISTS (SELECT 1 FROM fc.person p WHERE p.id = r.pid) GROUP BY r.e) x',
                       array_to_string(v_refs, ' UNION ALL '))
          INTO v_counts;
        v_sample := '{}';
        IF coalesce((v_counts ->> 'relationship')::bigint, 0) > 0 THEN
            SELECT v_sample || jsonb_build_object('relationship', coalesce(jsonb_agg(
                       jsonb_build_array(x.person_id, x.related_person_id, x.relationship_type, x.a_gone, x.b_gone)
                       ORDER BY x.person_id, x.related_person_id, x.relationship_type COLLATE "C"), '[]'))
              INTO v_sample
              FROM (SELECT r2.person_id, r2.related_person_id, r2.relationship_type,
                           a.id IS NULL AS a_gone, b.id IS NULL AS b_gone
                    FROM fc.relationship r2
                    LEFT JOIN fc.person a ON a.id = r2.person_id
                    LEFT JOIN fc.person b ON b.id = r2.related_person_id
                    WHERE a.id IS NULL OR b.id IS NULL
                    ORDER BY r2.person_id, r2.related_person_id, r2.relationship_type COLLATE "C"
                    LIMIT v_n) x;
        END IF;
        FOREACH v_name IN ARRAY ARRAY['school_record', 'childrens_social_care_record', 'adult_social_care_record',
                                      'housing_record', 'police_record'] LOOP
            IF coalesce((v_counts ->> v_name)::bigint, 0) > 0 THEN
                EXECUTE format('SELECT coalesce(jsonb_agg(jsonb_build_array(x.id, x.person_id) ORDER BY x.id), ''[]'') '
                               'FROM (SELECT t.id, t.person_id FROM fc.%I t '
                               '      WHERE NOT EXISTS (SELECT 1 FROM fc.person p WHERE p.id = t.person_id) '
                               '      ORDER BY t.id LIMIT $1) x', v_name)
                  INTO v_new USING v_n;
                v_sample := v_sample || jsonb_build_object(v_name, v_new);
            END IF;
        END LOOP;
        v_samples := v_samples || jsonb_build_object('orphans', v_sample);
        v_result := jsonb_build_object('counts', v_counts);

    ELSIF v_what = 'completeness' THEN
        SELECT jsonb_build_object(
                   'persons', count(*),
                   'missing_name', count(*) FILTER (WHERE nullif(btrim(p.first_name), '') IS NULL
                                                      OR nullif(btrim(p.last_name), '') IS NULL),
                   'missing_date_of_birth', count(*) FILTER (WHERE p.date_of_birth IS NULL),
                   'missing_address', count(*) FILTER (WHERE nullif(btrim(p.address_line), '') IS NULL),
                   'missing_uprn', count(*) FILTER (WHERE p.uprn IS NULL),
                   'date_of_birth_in_future', count(*) FILTER (WHERE p.date_of_birth > current_date),
                   'date_of_birth_over_120_years',
                       count(*) FILTER (WHERE p.date_of_birth < current_date - interval '120 years')),
               jsonb_build_object(
                   'future', coalesce(to_jsonb((array_agg(p.id ORDER BY p.id)
                                      FILTER (WHERE p.date_of_birth > current_date))[1:v_n]), '[]'),
                   'over_120', coalesce(to_jsonb((array_agg(p.id ORDER BY p.id)
                                        FILTER (WHERE p.date_of_birth < current_date - interval '120 years'))[1:v_n]), '[]'))
          INTO v_result, v_sample
          FROM fc.person p;
        v_samples := v_samples || jsonb_build_object('completeness', v_sample);
    END IF;

    IF v_samples IS DISTINCT FROM s.samples THEN
        UPDATE fc.mdm_validation x SET samples = v_samples WHERE x.session = s.session;
    END IF;
    RETURN jsonb_build_object('outcome', 'allowed', 'result', v_result);
END;
$$;

-- Ends a validation: the final mdm_validated audit row (stage "finished", with the result famctx
-- reports and every person the samples name), then the samples, disclosed once it has committed.
-- {"session", "result": {...}, "mdm_samples"?: {"<entity>": [keys the warehouse holds in ranges
--  the family context holds none in]}}
--   -> {"keys": {"<entity>": {"missing": [...], "extra": [...]}},
--       "orphans": {"relationship": [[person, related, type, person_gone, related_gone]],
--                   "<record entity>": [[id, person]]},
--       "completeness": {"future": [ids], "over_120": [ids]}}
-- {"session", "error": "..."} ends a validation that failed: an audit row with outcome error.
CREATE FUNCTION fc_api.mdm_validate_finish(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'admin');
    s fc.mdm_validation;
    v_n int := fc.mdm_sample_size();
    v_mdm jsonb := p_request -> 'mdm_samples';
    v_keys jsonb := '{}';
    v_doc jsonb;
    v_persons bigint[];
    v_sources text[];
    v_details jsonb;
    k record;
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'mdm_validated', 'not_permitted', c.refusal);
    END IF;
    BEGIN
        s := fc.mdm_session(c, p_request);
        IF p_request ? 'result' AND (jsonb_typeof(p_request -> 'result') <> 'object'
                                     OR octet_length((p_request -> 'result')::text) > 100000) THEN
            PERFORM fc.fail('usage', 'result must be an object of at most 100,000 bytes');
        END IF;
        IF v_mdm IS NOT NULL AND v_mdm <> 'null' AND (jsonb_typeof(v_mdm) <> 'object' OR EXISTS (
               SELECT 1 FROM jsonb_each(v_mdm) x
               WHERE (fc.mdm_entity(x.key)).kind IS NULL OR jsonb_typeof(x.value) <> 'array'
                  OR EXISTS (SELECT 1 FROM jsonb_array_elements(x.value) y
                             WHERE NOT CASE (fc.mdm_entity(x.key)).kind
                                 WHEN 'relationship' THEN jsonb_typeof(y) = 'array' AND jsonb_array_length(y) = 3
                                     AND (y ->> 0) ~ '^-?[0-9]{1,18}$' AND (y ->> 1) ~ '^-?[0-9]{1,18}$'
                                     AND jsonb_typeof(y -> 2) = 'string'
                                 ELSE jsonb_typeof(y) = 'number' AND (y #>> '{}') ~ '^-?[0-9]{1,18}$' END))) THEN
            PERFORM fc.fail('usage', 'mdm_samples must map entities to lists of their keys');
        END IF;
    EXCEPTION WHEN SQLSTATE 'FCUSE' OR SQLSTATE 'FCNFD' THEN
        RETURN fc.refuse(c, 'mdm_validated', fc.kind_of(SQLSTATE), SQLERRM, NULL, NULL,
                         jsonb_build_object('stage', 'finished', 'session', fc.plain(p_request ->> 'session', 40)));
    END;
    UPDATE fc.mdm_validation x SET finished_at = clock_timestamp(), samples = '{}' WHERE x.session = s.session;

    IF p_request ? 'error' THEN
        RETURN fc.refuse(c, 'mdm_validated', 'error', coalesce(fc.plain(p_request ->> 'error', 500), 'failed'),
                         NULL, NULL, jsonb_build_object('stage', 'failed', 'session', s.session,
                                                        'load_run', s.load_run_id));
    END IF;

    -- The key samples: what the session kept, with the warehouse's keys of ranges only it holds.
    FOR k IN SELECT name FROM unnest(ARRAY['person', 'relationship', 'school_record', 'childrens_social_care_record',
                                           'adult_social_care_record', 'housing_record', 'police_record']) AS name
    LOOP
        IF s.samples #> ARRAY['keys', k.name] IS NOT NULL OR (v_mdm -> k.name) IS NOT NULL THEN
            v_keys := v_keys || jsonb_build_object(k.name, jsonb_build_object(
                'missing', fc.mdm_first_keys(s.samples #> ARRAY['keys', k.name, 'missing'], v_mdm -> k.name, v_n),
                'extra', coalesce(s.samples #> ARRAY['keys', k.name, 'extra'], '[]')));
        END IF;
    END LOOP;
    v_doc := jsonb_build_object(
        'keys', v_keys,
        'orphans', coalesce(s.samples -> 'orphans', '{}'),
        'completeness', coalesce(s.samples -> 'completeness', jsonb_build_object('future', '[]', 'over_120', '[]')));

    -- Every person the document names.
    SELECT coalesce(array_agg(DISTINCT id ORDER BY id), '{}') INTO v_persons
    FROM (
        SELECT (x #>> '{}')::bigint AS id
          FROM jsonb_array_elements(coalesce(v_keys #> '{person,missing}', '[]') || coalesce(v_keys #> '{person,extra}', '[]')) x
        UNION ALL
        SELECT (x ->> i)::bigint
          FROM jsonb_array_elements(coalesce(v_keys #> '{relationship,missing}', '[]')
                                    || coalesce(v_keys #> '{relationship,extra}', '[]')
                                    || coalesce(v_doc #> '{orphans,relationship}', '[]')) x,
               generate_series(0, 1) i
        UNION ALL
        SELECT (x ->> 1)::bigint
          FROM jsonb_each(v_doc -> 'orphans') o, jsonb_array_elements(o.value) x
         WHERE o.key <> 'relationship'
        UNION ALL
        SELECT (x #>> '{}')::bigint
          FROM jsonb_array_elements(coalesce(v_doc #> '{completeness,future}', '[]')
                                    || coalesce(v_doc #> '{completeness,over_120}', '[]')) x
    ) p;
    SELECT coalesce(array_agg((fc.mdm_entity(o.key)).source ORDER BY o.key), '{}') INTO v_sources
    FROM jsonb_each(v_doc -> 'orphans') o
    WHERE o.key <> 'relationship' AND jsonb_array_length(o.value) > 0;

    v_details := jsonb_build_object('stage', 'finished', 'session', s.session, 'load_run', s.load_run_id,
                                    'started_audit_id', s.audit_id, 'result', p_request -> 'result');
    RETURN fc.disclose(c, 'mdm_validated', v_doc, NULL, v_persons, v_sources, NULL, v_details);
END;
$$;

-- The family context's last load runs, newest first, with their manifests (no person).
-- {"limit"? (1-1000, default 10), "warehouse"?}
--   -> [{"id", "status", "started_at", "finished_at", "mdm_run_id", "counts": {entity: rows}}]
CREATE FUNCTION fc_api.mdm_loads(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'admin');
    v_limit int;
    v_doc jsonb;
    v_details jsonb := jsonb_build_object('warehouse', fc.plain(p_request ->> 'warehouse', 300));
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'mdm_loads_listed', 'not_permitted', c.refusal, NULL, NULL, v_details);
    END IF;
    BEGIN
        v_limit := fc.int_arg(p_request, 'limit', 10, 1, 1000);
    EXCEPTION WHEN SQLSTATE 'FCUSE' THEN
        RETURN fc.refuse(c, 'mdm_loads_listed', 'usage', SQLERRM, NULL, NULL, v_details);
    END;
    SELECT coalesce(jsonb_agg(fc.mdm_run_json(r) || jsonb_build_object('counts', fc.mdm_manifest(r.id))
                              ORDER BY r.started_at DESC, r.id DESC), '[]')
      INTO v_doc
      FROM (SELECT * FROM fc.load_run x ORDER BY x.started_at DESC, x.id DESC LIMIT v_limit) r;
    RETURN fc.disclose(c, 'mdm_loads_listed', v_doc, NULL, '{}', '{}', NULL,
                       v_details || jsonb_build_object('limit', v_limit, 'listed', jsonb_array_length(v_doc)));
END;
$$;

-- The helpers run only inside fc_api functions.
REVOKE ALL ON FUNCTION fc.mdm_sample_size(), fc.mdm_entity(text), fc.mdm_int8(jsonb, text), fc.mdm_int8s(jsonb, text),
    fc.mdm_ranges(jsonb, boolean), fc.mdm_first_keys(jsonb, jsonb, int), fc.mdm_session(fc.caller_t, jsonb),
    fc.mdm_run_json(fc.load_run), fc.mdm_manifest(bigint) FROM PUBLIC;
REVOKE ALL ON fc.mdm_validation FROM PUBLIC;
