-- Audit history for tests and benchmarks: puts :rows synthetic, hash-chained audit rows spread
-- evenly over the :months whole months before the trail's oldest row (before the current month
-- when the trail is empty), ahead of the rows already there, and rehashes the whole chain, so
-- `famctx audit verify` passes on the result.
--
--   psql <SUPERUSER URL of a private database> -X -q -v ON_ERROR_STOP=1 \
--        -v target=<that database's name> -v rows=1000 -v months=18 \
--        [-v persons=10000] [-v batch=1000000] [-v replace=1] [-v skip_analyze=1] \
--        -f sql/synthetic/audit_history.sql
--
-- -v replace=1 drops the rows already there instead of keeping them (a trail of the history
-- alone, over the months before the current one: scripts/bench); -v skip_analyze=1 leaves the
-- statistics to autovacuum (tests).
--
-- Superuser only, on a private copy: it rewrites the audit trail (the append-only guards and the
-- foreign key's triggers are off for its one transaction, session_replication_role = replica). It
-- refuses unless -v target names the database it runs in, refuses the shared famctx database,
-- and refuses a trail that has archives (history cannot go before what was archived).
--
-- The rows already there keep their content and order and come after the history, renumbered
-- (:rows + 1, ...) and rehashed; their times are not touched, so time and id order stay one.
-- Each history row is a function of its id (hashint8extended, no random()): 200 actors
-- (staff.00001-00200, API traffic and one in five at a workstation's CLI), mostly family
-- lookups with 1-5 persons disclosed (drawn from 1..:persons), a few refusals, every tenth with
-- a legal basis, every hundredth a break-glass, details with nesting and non-ASCII text.
-- Hashes: row_hash = sha256(prev_hash || fc.audit_canonical(all 17 fields)), carried by a running
-- aggregate over the rows in id order, :batch rows a statement, each batch seeded with the last
-- hash of the one before. The secondary indexes are dropped for the load and rebuilt from their
-- catalogue definitions after it (the primary key stays). About 20 s a million rows here.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET jit = off;
SET work_mem = '512MB';
SET maintenance_work_mem = '1GB';
SET synchronous_commit = off;
SET TimeZone = 'UTC';

\if :{?persons}
\else
\set persons 10000
\endif
\if :{?batch}
\else
\set batch 1000000
\endif

SELECT set_config('fc_history.target', :'target', false),
       set_config('fc_history.rows', :'rows', false),
       set_config('fc_history.months', :'months', false);
DO $$
BEGIN
    IF current_setting('fc_history.target') IS DISTINCT FROM current_database() THEN
        RAISE EXCEPTION 'audit_history.sql runs only in the database -v target names (this is %)',
            current_database();
    END IF;
    IF current_database() = 'famctx' THEN
        RAISE EXCEPTION 'audit_history.sql never runs in the shared famctx database: use a private copy';
    END IF;
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RAISE EXCEPTION 'audit_history.sql runs as a superuser';
    END IF;
    IF current_setting('fc_history.rows') !~ '^[0-9]{1,10}$' OR current_setting('fc_history.months') !~ '^[1-9][0-9]{0,2}$' THEN
        RAISE EXCEPTION '-v rows must be a whole number and -v months one from 1 to 999';
    END IF;
    IF EXISTS (SELECT 1 FROM fc.audit_archive) THEN
        RAISE EXCEPTION 'the trail has archives: history cannot go before them';
    END IF;
END
$$;

CREATE FUNCTION pg_temp.u(id bigint, k integer) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT (hashint8extended(id, 7000 + k) & 9007199254740991)::double precision / 9007199254740992.0 $$;

-- The chain: the state is prev_hash || row_hash (64 bytes); the first row of a batch starts from
-- seed.
CREATE FUNCTION pg_temp.chain_step(s bytea, c bytea, seed bytea) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE cur bytea := CASE WHEN s IS NULL THEN seed ELSE substr(s, 33) END;
BEGIN RETURN cur || sha256(cur || c); END $$;
CREATE AGGREGATE pg_temp.chain(bytea, bytea) (sfunc = pg_temp.chain_step, stype = bytea);

CREATE TEMP TABLE actor AS
SELECT a, md5('history actor ' || a)::uuid AS guid, 'staff.' || lpad(a::text, 5, '0') AS account,
       CASE WHEN a % 5 = 0 THEN 'cli' ELSE 'api' END AS channel,
       CASE WHEN a % 5 = 0 THEN 'ws-' || lpad(a::text, 4, '0') ELSE 'fc-api-' END AS host
FROM generate_series(1, 200) AS a;
CREATE TEMP TABLE detail AS
SELECT d, j AS details
FROM (SELECT depth * 2 + household::int AS d,
             jsonb_build_object('depth', depth + 1, 'household', household, 'synthetic', true,
                                'note', CASE depth WHEN 0 THEN 'Zoë Ødegård' WHEN 1 THEN 'a "quoted" \ word'
                                                   ELSE E'tab\there' END,
                                'sources', jsonb_build_object('shown', depth, 'restricted', ARRAY[household::int]))
                 AS j
      FROM generate_series(0, 2) AS depth, (VALUES (false), (true)) AS h (household)) t;
ANALYZE actor, detail;

BEGIN;
SET LOCAL session_replication_role = replica;
LOCK TABLE fc.audit_log IN ACCESS EXCLUSIVE MODE;

-- The rows already there, in order, and the span of the history before them.
\if :{?replace}
CREATE TEMP TABLE kept ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY a.id) AS n, a.* FROM fc.audit_log a WHERE false;
\else
CREATE TEMP TABLE kept ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY a.id) AS n, a.* FROM fc.audit_log a;
\endif
SELECT (:'rows')::bigint AS rows, (SELECT count(*) FROM kept) AS kept,
       (extract(epoch FROM e.until) * 1000000)::bigint AS end_us,
       (extract(epoch FROM e.until - make_interval(months => (:'months')::int)) * 1000000)::bigint AS start_us,
       e.until - make_interval(months => (:'months')::int) AS since
FROM (SELECT date_trunc('month', coalesce((SELECT min(k.occurred_at) FROM kept k), now())) AS until) e
\gset
SELECT greatest(1, (:end_us - :start_us) / greatest(:rows, 1)) AS step_us \gset
SELECT fc.audit_partitions_ensure(3, :'since'::timestamptz);

TRUNCATE fc.audit_log;

-- Index definitions from the catalogue (the migrations stay their only source), dropped for the
-- load and rebuilt after it; the primary key stays.
CREATE TEMP TABLE saved_index ON COMMIT DROP AS
SELECT i.indexrelid, format('DROP INDEX %s', i.indexrelid::regclass) AS drop_sql,
       replace(pg_get_indexdef(i.indexrelid), ' ON ONLY ', ' ON ') AS create_sql
FROM pg_index i
WHERE i.indrelid = 'fc.audit_log'::regclass AND NOT i.indisprimary;
SELECT drop_sql FROM saved_index ORDER BY indexrelid \gexec

-- Every row of the new trail by its new id: the history (1..rows), then the kept rows.
CREATE FUNCTION pg_temp.rows(lo bigint, hi bigint, total bigint, persons bigint, start_us bigint, step_us bigint)
RETURNS TABLE (
    id bigint, occurred_at timestamptz, actor_guid uuid, actor_account text, channel text,
    client_host text, action text, outcome text, subject_person bigint, persons_disclosed bigint[],
    sources_disclosed text[], target_user text, target_guid uuid, reason text, details jsonb,
    basis text, break_glass boolean)
LANGUAGE sql STABLE AS $f$
    SELECT x.i, x.occurred_at, ac.guid, ac.account, ac.channel,
           CASE WHEN x.i % 11 = 0 THEN NULL WHEN ac.channel = 'cli' THEN ac.host ELSE ac.host || (x.i % 3) END,
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
           CASE WHEN x.i % 13 = 0 THEN NULL ELSE 'synthetic: case ' || (1000 + floor(pg_temp.u(x.i, 7) * 9000)::int) END,
           de.details,
           CASE WHEN x.i % 10 = 0 THEN 'ca1989_s47' END,
           x.i % 100 = 0
    FROM (
        SELECT g.i, to_timestamp(0) + ((start_us + (g.i - 1) * step_us + step_us / 2) * interval '1 microsecond') AS occurred_at,
               1 + floor(pg_temp.u(g.i, 1) * 200)::int AS a,
               CASE WHEN g.r2 < 0.70 THEN 'viewed_family' WHEN g.r2 < 0.85 THEN 'searched'
                    WHEN g.r2 < 0.93 THEN 'viewed_service_details' WHEN g.r2 < 0.97 THEN 'viewed_basic_details_and_flags'
                    ELSE 'viewed_in_results' END AS action,
               CASE WHEN g.r3 < 0.97 THEN 'allowed' WHEN g.r3 < 0.99 THEN 'denied' ELSE 'not_found' END AS outcome,
               1 + floor(pg_temp.u(g.i, 4) * persons)::bigint AS subject,
               floor(pg_temp.u(g.i, 5) * 5)::int AS k,
               floor(pg_temp.u(g.i, 8) * 6)::int AS d
        FROM (SELECT i, pg_temp.u(i, 2) AS r2, pg_temp.u(i, 3) AS r3
              FROM generate_series(lo, least(hi, total)) AS i) g
    ) x
    JOIN actor ac ON ac.a = x.a
    JOIN detail de ON de.d = x.d
  UNION ALL
    SELECT total + k.n, k.occurred_at, k.actor_guid, k.actor_account, k.channel, k.client_host, k.action,
           k.outcome, k.subject_person, k.persons_disclosed, k.sources_disclosed, k.target_user,
           k.target_guid, k.reason, k.details, k.basis, k.break_glass
    FROM kept k WHERE total + k.n BETWEEN lo AND hi
$f$;

SELECT format($q$
INSERT INTO fc.audit_log (id, occurred_at, actor_guid, actor_account, channel, client_host, action,
    outcome, subject_person, persons_disclosed, sources_disclosed, target_user, target_guid, reason,
    details, prev_hash, row_hash, basis, break_glass)
SELECT id, occurred_at, actor_guid, actor_account, channel, client_host, action, outcome,
       subject_person, persons_disclosed, sources_disclosed, target_user, target_guid, reason, details,
       substr(h, 1, 32), substr(h, 33, 32), basis, break_glass
FROM (
    SELECT r.*, pg_temp.chain(fc.audit_canonical(r.id, r.occurred_at, r.actor_guid, r.actor_account,
               r.channel, r.client_host, r.action, r.outcome, r.subject_person, r.persons_disclosed,
               r.sources_disclosed, r.target_user, r.target_guid, r.reason, r.details, r.basis,
               r.break_glass),
           coalesce((SELECT a.row_hash FROM fc.audit_log a WHERE a.id = %1$s - 1), '\x%3$s'::bytea))
           OVER (ORDER BY r.id ROWS UNBOUNDED PRECEDING) AS h
    FROM (SELECT * FROM pg_temp.rows(%1$s, %2$s, %4$s, %5$s, %6$s, %7$s) OFFSET 0) r
) t
$q$, lo, lo + :batch - 1, repeat('00', 32), :rows, :persons, :start_us, :step_us)
FROM generate_series(1, :rows + :kept, :batch) AS lo
ORDER BY lo \gexec

SELECT create_sql FROM saved_index ORDER BY indexrelid \gexec
COMMIT;
\if :{?skip_analyze}
\else
ANALYZE fc.audit_log;
\endif
