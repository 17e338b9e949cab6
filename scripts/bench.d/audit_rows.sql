-- Synthetic audit trail for the bench: replaces fc.audit_log with :rows rows that
-- look like months of API and CLI traffic, with a correct hash chain.
--
--   psql <superuser URL of a bench database> -X -q -v ON_ERROR_STOP=1 \
--        -v rows=1000000 -v persons=10000 -v batch=1000000 -f scripts/bench.d/audit_rows.sql
--
-- For bench databases only: it disables the table's triggers (the append-only
-- guards and the foreign key's) for the length of its one transaction, as the
-- superuser, and truncates the trail.
--
-- Each row is a function of its id (hashint8extended, no random()), so the same
-- arguments give the same rows apart from the times, which are spread evenly over
-- the two years before the moment of generation, in id order. 200 actors
-- (staff.00001-00200), mostly family lookups with 1-5 persons disclosed, a few
-- refusals; persons are drawn from 1..:persons.
-- The chain: row_hash = sha256(prev_hash || canonical bytes), the canonical bytes
-- as fc.audit_canonical makes them (each field as <octet length>:<text> or '-' for
-- NULL, one a line), written out inline here so that they are computed set-based
-- (fc.audit_canonical itself is not inlined by the planner: about 19 s a million
-- rows); a running aggregate over the rows in id order (a window with ROWS
-- UNBOUNDED PRECEDING) carries the chain, one batch of :batch rows a statement,
-- each batch seeded with the last hash of the one before. The secondary indexes are
-- dropped for the load and rebuilt from their catalogue definitions after it.
-- About 15 s a million rows here and 160 s for ten million, index builds included;
-- `famctx audit verify` passes on the result (scripts/bench checks it).

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET jit = off;
SET work_mem = '512MB';
SET maintenance_work_mem = '1GB';
SET synchronous_commit = off;

SELECT (:'rows')::bigint AS rows, (:'persons')::bigint AS persons, (:'batch')::bigint AS batch,
       (extract(epoch FROM date_trunc('second', now())) * 1000000)::bigint AS end_us,
       greatest(1, (2 * 365.25 * 86400 * 1000000 / greatest((:'rows')::bigint, 1))::bigint) AS step_us
\gset

CREATE FUNCTION pg_temp.u(id bigint, k integer) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT (hashint8extended(id, 7000 + k) & 9007199254740991)::double precision / 9007199254740992.0 $$;

-- One canonical field: <octet length>:<text> or '-', then a newline.
CREATE FUNCTION pg_temp.f(v text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN v IS NULL THEN '-' ELSE octet_length(v)::text || ':' || v END || E'\n' $$;

-- The chain: the state is prev_hash || row_hash (64 bytes); the first row of a
-- batch starts from seed.
CREATE FUNCTION pg_temp.chain_step(s bytea, c bytea, seed bytea) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE cur bytea := CASE WHEN s IS NULL THEN seed ELSE substr(s, 33) END;
BEGIN RETURN cur || sha256(cur || c); END $$;
CREATE AGGREGATE pg_temp.chain(bytea, bytea) (sfunc = pg_temp.chain_step, stype = bytea);

-- The rows, as a function of id: 200 actors (API traffic, and one in five
-- at a workstation's CLI), mostly family lookups, a few refusals.
CREATE TEMP TABLE actor AS
SELECT a, md5('bench actor ' || a)::uuid AS guid, 'staff.' || lpad(a::text, 5, '0') AS account,
       CASE WHEN a % 5 = 0 THEN 'cli' ELSE 'api' END AS channel,
       CASE WHEN a % 5 = 0 THEN 'ws-' || lpad(a::text, 4, '0') ELSE 'fc-api-' END AS host
FROM generate_series(1, 200) AS a;
CREATE TEMP TABLE detail AS
SELECT d, j AS details, j::text AS details_text
FROM (SELECT depth * 2 + household::int AS d,
             jsonb_build_object('depth', depth + 1, 'household', household, 'synthetic', true) AS j
      FROM generate_series(0, 2) AS depth, (VALUES (false), (true)) AS h (household)) t;
ANALYZE actor, detail;

CREATE FUNCTION pg_temp.rows(lo bigint, hi bigint, total bigint, persons bigint, end_us bigint, step_us bigint)
RETURNS TABLE (
    id bigint, occurred_at timestamptz, actor_guid uuid, actor_account text, channel text,
    client_host text, action text, outcome text, subject_person bigint, persons_disclosed bigint[],
    sources_disclosed text[], target_user text, target_guid uuid, reason text, details jsonb,
    details_text text)
LANGUAGE sql STABLE AS $f$
    SELECT x.i, x.occurred_at, ac.guid, ac.account, ac.channel,
           CASE WHEN ac.channel = 'cli' THEN ac.host ELSE ac.host || (x.i % 3) END,
           x.action, x.outcome, x.subject,
           CASE WHEN x.outcome <> 'allowed' THEN '{}'::bigint[]
                WHEN x.action = 'searched' THEN ARRAY[x.subject, least(x.subject + 17, persons), least(x.subject + 401, persons)]
                WHEN x.k = 0 THEN ARRAY[x.subject]
                WHEN x.k = 1 THEN ARRAY[x.subject, least(x.subject + 1, persons)]
                WHEN x.k = 2 THEN ARRAY[x.subject, least(x.subject + 1, persons), greatest(x.subject - 1, 1)]
                WHEN x.k = 3 THEN ARRAY[x.subject, least(x.subject + 1, persons), greatest(x.subject - 1, 1), least(x.subject + 2, persons)]
                ELSE ARRAY[x.subject, least(x.subject + 1, persons), greatest(x.subject - 1, 1), least(x.subject + 2, persons), greatest(x.subject - 2, 1)] END,
           CASE WHEN x.outcome <> 'allowed' OR x.action IN ('searched', 'viewed_in_results') THEN '{}'::text[]
                ELSE string_to_array((ARRAY['school', 'childrens_social_care,school', 'housing',
                    'adult_social_care,housing,police', 'childrens_social_care,housing,police,school',
                    '', 'police', 'adult_social_care,childrens_social_care,housing,police,school'])[1 + floor(pg_temp.u(x.i, 6) * 8)::int], ',') END,
           NULL::text, NULL::uuid,
           'synthetic: case ' || (1000 + floor(pg_temp.u(x.i, 7) * 9000)::int),
           de.details, de.details_text
    FROM (
        SELECT g.i, to_timestamp(0) + ((end_us - (total - g.i) * step_us) * interval '1 microsecond') AS occurred_at,
               1 + floor(pg_temp.u(g.i, 1) * 200)::int AS a,
               CASE WHEN g.r2 < 0.70 THEN 'viewed_family' WHEN g.r2 < 0.85 THEN 'searched'
                    WHEN g.r2 < 0.93 THEN 'viewed_service_details' WHEN g.r2 < 0.97 THEN 'viewed_basic_details_and_flags'
                    ELSE 'viewed_in_results' END AS action,
               CASE WHEN g.r3 < 0.97 THEN 'allowed' WHEN g.r3 < 0.99 THEN 'denied' ELSE 'not_found' END AS outcome,
               1 + floor(pg_temp.u(g.i, 4) * persons)::bigint AS subject,
               floor(pg_temp.u(g.i, 5) * 5)::int AS k,
               floor(pg_temp.u(g.i, 8) * 6)::int AS d
        FROM (SELECT i, pg_temp.u(i, 2) AS r2, pg_temp.u(i, 3) AS r3 FROM generate_series(lo, hi) AS i) g
    ) x
    JOIN actor ac ON ac.a = x.a
    JOIN detail de ON de.d = x.d
$f$;

BEGIN;
ALTER TABLE fc.audit_log DISABLE TRIGGER ALL;
TRUNCATE fc.audit_log;

-- Index definitions from the catalogue (the migrations stay their only source),
-- dropped for the load and rebuilt after it; the primary key stays.
CREATE TEMP TABLE saved_index ON COMMIT DROP AS
SELECT i.indexrelid, format('DROP INDEX %s', i.indexrelid::regclass) AS drop_sql,
       pg_get_indexdef(i.indexrelid) AS create_sql
FROM pg_index i
WHERE i.indrelid = 'fc.audit_log'::regclass AND NOT i.indisprimary;
SELECT drop_sql FROM saved_index ORDER BY indexrelid \gexec

SELECT format($q$
INSERT INTO fc.audit_log (id, occurred_at, actor_guid, actor_account, channel, client_host, action,
    outcome, subject_person, persons_disclosed, sources_disclosed, target_user, target_guid, reason,
    details, prev_hash, row_hash)
SELECT id, occurred_at, actor_guid, actor_account, channel, client_host, action, outcome,
       subject_person, persons_disclosed, sources_disclosed, target_user, target_guid, reason, details,
       substr(h, 1, 32), substr(h, 33, 32)
FROM (
    SELECT r.id, r.occurred_at, r.actor_guid, r.actor_account, r.channel, r.client_host, r.action,
           r.outcome, r.subject_person, r.persons_disclosed, r.sources_disclosed, r.target_user,
           r.target_guid, r.reason, r.details, pg_temp.chain(convert_to(
               pg_temp.f(r.id::text)
            || pg_temp.f((extract(epoch FROM r.occurred_at) * 1000000)::bigint::text)
            || pg_temp.f(r.actor_guid::text) || pg_temp.f(r.actor_account) || pg_temp.f(r.channel)
            || pg_temp.f(r.client_host) || pg_temp.f(r.action) || pg_temp.f(r.outcome)
            || pg_temp.f(r.subject_person::text) || pg_temp.f(array_to_string(r.persons_disclosed, ','))
            || pg_temp.f(array_to_string(r.sources_disclosed, ',')) || pg_temp.f(r.target_user)
            || pg_temp.f(r.target_guid::text) || pg_temp.f(r.reason) || pg_temp.f(r.details_text), 'UTF8'),
           coalesce((SELECT a.row_hash FROM fc.audit_log a WHERE a.id = %1$s - 1), '\x%3$s'::bytea))
           OVER (ORDER BY r.id ROWS UNBOUNDED PRECEDING) AS h
    FROM (SELECT * FROM pg_temp.rows(%1$s, %2$s, %4$s, %5$s, %6$s, %7$s) OFFSET 0) r
) t
$q$, lo, least(lo + :batch - 1, :rows), repeat('00', 32), :rows, :persons, :end_us, :step_us)
FROM generate_series(1, :rows, :batch) AS lo
ORDER BY lo \gexec

SELECT create_sql FROM saved_index ORDER BY indexrelid \gexec
ALTER TABLE fc.audit_log ENABLE TRIGGER ALL;
COMMIT;
ANALYZE fc.audit_log;
