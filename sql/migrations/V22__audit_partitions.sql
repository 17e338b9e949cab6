-- Retention without losing the proof.
--
--  * fc.audit_log is partitioned by month of occurred_at (declarative RANGE partitioning), one
--    partition a month named fc.audit_log_y<YYYY>m<MM>, bounds at the month's first instant in
--    UTC. A search by time reads only its months (the fc_api functions plan their statements with
--    the values, EXECUTE ... USING, so the planner prunes). Same columns, constraints, indexes,
--    triggers and privileges (none) as before; the primary key is (id, occurred_at), as a
--    partitioned table's must include its partition key. Ids stay unique because only
--    fc.audit_append assigns them, under the chain's lock, and `audit verify` names a duplicate or
--    missing id.
--  * The append-only guards hold on every partition: the row trigger is cloned to each, and the
--    TRUNCATE trigger (a statement trigger, which PostgreSQL does not clone) is made on each by
--    fc.audit_partition_make, the one function that makes partitions.
--  * Partitions exist ahead of time: fc.audit_partitions_ensure() makes the months from the
--    oldest row's through 3 months ahead; the migration, `audit checkpoint` (its timer runs it
--    every hour) and `audit archive` call it. A row whose month has no partition (the checkpoint
--    not run for three months) is never refused for that: fc.audit_append makes the month's
--    partition itself, under the chain's lock, before it writes. There is no DEFAULT partition,
--    so no row ever sits outside its month and nothing has to be moved later.
--  * fc.audit_append reads the chain's head by time (ORDER BY occurred_at DESC, id DESC), which
--    starts at the newest partition and stops at the first row; by id it had to probe every
--    partition (0.5 ms a write with 84 partitions, against 0.07 ms). For that order to be the
--    chain's, time in the trail never runs backwards: a row is timed by the clock, or at the
--    head's time when the clock reads earlier (a clock stepped back).
--  * Archives: old months leave the database only as a checked file. fc_api.audit_archive_begin
--    (its audit row commits first) names the rows of whole months before a date outside the
--    retention period (fc.policy audit_retention_months, default 72); famctx streams them
--    (fc_api.audit_archive_open) to a file, fsyncs it, reads it back and recomputes every hash;
--    fc_api.audit_archive_finish then checks the database again and, in one transaction, writes
--    its audit row, records the archive in fc.audit_archive and detaches and drops the months. An
--    interruption anywhere leaves the months in the database.
--  * `audit verify` starts from the last archive: the first remaining row must carry the next id
--    and the archive's last hash as its previous hash. fc_api.audit_archive_check tells famctx
--    whether the database recorded an archive file (`audit verify --archive FILE`).
--
-- Lock order, so that nothing deadlocks with the archive's detach (which needs ACCESS EXCLUSIVE
-- on fc.audit_log): whoever takes the chain's lock holds ROW EXCLUSIVE on fc.audit_log first
-- (LOCK TABLE ONLY: the parent alone). The archive's finish takes ACCESS EXCLUSIVE before the
-- chain's lock, and so waits for those writers instead of holding them up while they hold it.
--
-- The migration moves every row into the new table: on a large trail it holds off audit writes
-- (and so every command) while it runs, about 20 s a million rows here, indexes included.
--
-- Every SECURITY DEFINER function here runs with search_path = pg_catalog, pg_temp and names fc
-- objects in full; the fc_api entry points run in UTC with ISO dates.

INSERT INTO fc.audit_action (code, description) VALUES
    ('audit_archived', 'archived whole months of the audit trail to a file and removed them');

-- The retention period: no month newer than this many months before now is archived. Six years:
-- the Limitation Act 1980 period within which a claim of unlawful access to a person's records
-- can be brought, so the trail answers it from the database. The owner changes it
-- (UPDATE fc.policy ...); famctx's own setting can only lengthen it.
INSERT INTO fc.policy (key, value) VALUES ('audit_retention_months', '72')
ON CONFLICT (key) DO NOTHING;

-- The chain's head as writers see it, and every writer held off while the rows move.
LOCK TABLE fc.audit_log IN ACCESS EXCLUSIVE MODE;
SELECT pg_advisory_xact_lock(hashtextextended('fc.audit_log chain', 0));

DO $$
DECLARE
    v_by_id bigint;
    v_by_time bigint;
BEGIN
    SELECT a.id INTO v_by_id FROM fc.audit_log a ORDER BY a.id DESC LIMIT 1;
    SELECT a.id INTO v_by_time FROM fc.audit_log a ORDER BY a.occurred_at DESC, a.id DESC LIMIT 1;
    IF v_by_id IS DISTINCT FROM v_by_time THEN
        RAISE EXCEPTION 'the newest audit row by time (%) is not the newest by id (%): the clock '
                        'ran backwards since; run famctx audit verify and ask the developers before '
                        'migrating', v_by_time, v_by_id;
    END IF;
END
$$;

-- Bound to the table's row type: dropped with it and made again below.
DROP FUNCTION fc.audit_entry(fc.audit_log);

ALTER TABLE fc.audit_log RENAME TO audit_log_unpartitioned;
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT i.indexrelid::regclass AS ix, c.relname
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
             WHERE i.indrelid = 'fc.audit_log_unpartitioned'::regclass
    LOOP
        EXECUTE format('ALTER INDEX %s RENAME TO %I', r.ix, 'old_' || r.relname);
    END LOOP;
END
$$;

CREATE TABLE fc.audit_log (
    id                 bigint NOT NULL CONSTRAINT audit_log_id_check CHECK (id > 0),
    occurred_at        timestamptz NOT NULL,
    actor_guid         uuid,
    actor_account      text,
    channel            text NOT NULL CONSTRAINT audit_log_channel_check CHECK (channel IN ('cli', 'api', 'db')),
    client_host        text,
    action             text NOT NULL,
    outcome            text NOT NULL
                       CONSTRAINT audit_log_outcome_check CHECK (outcome IN ('allowed', 'denied', 'not_found', 'error')),
    subject_person     bigint,
    persons_disclosed  bigint[] NOT NULL DEFAULT '{}',
    sources_disclosed  text[] NOT NULL DEFAULT '{}',
    target_user        text,
    target_guid        uuid,
    reason             text,
    details            jsonb NOT NULL DEFAULT '{}',
    prev_hash          bytea NOT NULL CONSTRAINT audit_log_prev_hash_check CHECK (octet_length(prev_hash) = 32),
    row_hash           bytea NOT NULL CONSTRAINT audit_log_row_hash_check CHECK (octet_length(row_hash) = 32),
    basis              text CONSTRAINT audit_log_basis_check CHECK (basis ~ '^[a-z][a-z0-9_.-]{0,39}$'),
    break_glass        boolean NOT NULL DEFAULT false
) PARTITION BY RANGE (occurred_at);

REVOKE ALL ON fc.audit_log FROM PUBLIC;

-- What the archives took away: one row an archive, written in the transaction that dropped its
-- months, never changed. months: every month partition removed ('YYYY-MM'); before_month: the
-- first month kept; the rows first_id..last_id, the previous hash of the first and the hash of the
-- last (the next row's previous hash); the file's name and SHA-256; who archived it and the audit
-- rows of the archive (begun_audit_id the start, audit_id the finish).
CREATE TABLE fc.audit_archive (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    before_month      date NOT NULL CHECK (extract(day FROM before_month) = 1),
    months            text[] NOT NULL,
    row_count         bigint NOT NULL CHECK (row_count > 0),
    first_id          bigint NOT NULL CHECK (first_id > 0),
    last_id           bigint NOT NULL UNIQUE,
    first_prev_hash   bytea NOT NULL CHECK (octet_length(first_prev_hash) = 32),
    last_hash         bytea NOT NULL CHECK (octet_length(last_hash) = 32),
    first_at          timestamptz NOT NULL,
    last_at           timestamptz NOT NULL,
    file_name         text NOT NULL CHECK (file_name ~ '^[A-Za-z0-9._-]{1,200}$'),
    file_sha256       bytea NOT NULL CHECK (octet_length(file_sha256) = 32),
    archived_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    archived_by       text NOT NULL,
    archived_by_guid  uuid,
    begun_audit_id    bigint NOT NULL,
    audit_id          bigint NOT NULL UNIQUE,
    CHECK (last_id = first_id + row_count - 1)
);
REVOKE ALL ON fc.audit_archive FROM PUBLIC;
CREATE TRIGGER audit_archive_append_only
    BEFORE UPDATE OR DELETE ON fc.audit_archive
    FOR EACH ROW EXECUTE FUNCTION fc.audit_refuse_change();
CREATE TRIGGER audit_archive_no_truncate
    BEFORE TRUNCATE ON fc.audit_archive
    FOR EACH STATEMENT EXECUTE FUNCTION fc.audit_refuse_change();

-- ----------------------------------------------------------------------------------------------
-- Partitions

-- The partition of a month (the month's first day).
CREATE FUNCTION fc.audit_partition_name(p_month date)
RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT 'audit_log_y' || to_char(p_month, 'YYYY') || 'm' || to_char(p_month, 'MM');
$$;

-- The month partitions of fc.audit_log, each with its month.
CREATE FUNCTION fc.audit_partitions()
RETURNS TABLE (name text, month date)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT c.relname::text, make_date(m[1]::int, m[2]::int, 1)
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    CROSS JOIN LATERAL regexp_match(c.relname, '^audit_log_y([0-9]{4})m([0-9]{2})$') AS m
    WHERE i.inhparent = 'fc.audit_log'::regclass
    ORDER BY 2;
$$;

-- Makes the partition of one month, if it is missing: a table like fc.audit_log, attached (which
-- needs only SHARE UPDATE EXCLUSIVE on fc.audit_log, so readers and writers go on; CREATE TABLE
-- ... PARTITION OF would need ACCESS EXCLUSIVE), with the TRUNCATE guard of its own. Under the
-- chain's lock, so two callers cannot both make it. True when it made one.
CREATE FUNCTION fc.audit_partition_make(p_month date)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_name text := fc.audit_partition_name(p_month);
BEGIN
    IF p_month IS NULL OR p_month <> date_trunc('month', p_month)::date THEN
        RAISE EXCEPTION 'fc.audit_partition_make: % is not the first day of a month', p_month;
    END IF;
    LOCK TABLE ONLY fc.audit_log IN ROW EXCLUSIVE MODE;
    PERFORM pg_advisory_xact_lock(hashtextextended('fc.audit_log chain', 0));
    IF to_regclass('fc.' || v_name) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE fc.%I (LIKE fc.audit_log INCLUDING DEFAULTS INCLUDING CONSTRAINTS '
                   'INCLUDING STORAGE INCLUDING COMPRESSION)', v_name);
    EXECUTE format('ALTER TABLE fc.audit_log ATTACH PARTITION fc.%I FOR VALUES FROM (%L) TO (%L)',
                   v_name, to_char(p_month, 'YYYY-MM-DD') || ' 00:00:00+00',
                   to_char((p_month + interval '1 month')::date, 'YYYY-MM-DD') || ' 00:00:00+00');
    EXECUTE format('CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON fc.%I '
                   'FOR EACH STATEMENT EXECUTE FUNCTION fc.audit_refuse_change()', v_name);
    RETURN true;
END;
$$;

-- Makes every missing month from the oldest row's (or p_from's, if earlier; never one already
-- archived) through p_ahead months after the current one. Returns how many it made.
CREATE FUNCTION fc.audit_partitions_ensure(p_ahead int DEFAULT 3, p_from timestamptz DEFAULT NULL)
RETURNS int
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_kept date;
    v_from date;
    v_to date;
    v_made int := 0;
    m date;
BEGIN
    IF p_ahead IS NULL OR p_ahead NOT BETWEEN 0 AND 120 THEN
        RAISE EXCEPTION 'fc.audit_partitions_ensure: months ahead must be 0 to 120, not %', p_ahead;
    END IF;
    LOCK TABLE ONLY fc.audit_log IN ROW EXCLUSIVE MODE;
    PERFORM pg_advisory_xact_lock(hashtextextended('fc.audit_log chain', 0));
    SELECT max(x.before_month) INTO v_kept FROM fc.audit_archive x;
    IF p_from < v_kept THEN
        RAISE EXCEPTION 'the months before % are archived: no partition is made for them again', v_kept;
    END IF;
    v_from := date_trunc('month', least(p_from, (SELECT min(a.occurred_at) FROM fc.audit_log a),
                                        clock_timestamp()) AT TIME ZONE 'UTC')::date;
    v_to := (date_trunc('month', clock_timestamp() AT TIME ZONE 'UTC') + make_interval(months => p_ahead))::date;
    FOR m IN SELECT g::date FROM generate_series(greatest(v_from, v_kept), v_to, interval '1 month') g LOOP
        IF fc.audit_partition_make(m) THEN
            v_made := v_made + 1;
        END IF;
    END LOOP;
    RETURN v_made;
END;
$$;

-- ----------------------------------------------------------------------------------------------
-- The rows move.

SELECT fc.audit_partitions_ensure(3, (SELECT min(o.occurred_at) FROM fc.audit_log_unpartitioned o));

INSERT INTO fc.audit_log (id, occurred_at, actor_guid, actor_account, channel, client_host, action,
    outcome, subject_person, persons_disclosed, sources_disclosed, target_user, target_guid, reason,
    details, prev_hash, row_hash, basis, break_glass)
SELECT o.id, o.occurred_at, o.actor_guid, o.actor_account, o.channel, o.client_host, o.action,
       o.outcome, o.subject_person, o.persons_disclosed, o.sources_disclosed, o.target_user,
       o.target_guid, o.reason, o.details, o.prev_hash, o.row_hash, o.basis, o.break_glass
FROM fc.audit_log_unpartitioned o
ORDER BY o.id;

-- Constraints and indexes once the rows are in (each builds on every partition, and on every
-- partition made later); the names of V3, V5, V6 and V21.
ALTER TABLE fc.audit_log ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id, occurred_at);
ALTER TABLE fc.audit_log ADD CONSTRAINT audit_log_action_fkey
    FOREIGN KEY (action) REFERENCES fc.audit_action (code);
CREATE INDEX audit_log_occurred_idx ON fc.audit_log (occurred_at);
CREATE INDEX audit_log_actor_idx ON fc.audit_log (lower(actor_account), occurred_at);
CREATE INDEX audit_log_subject_idx ON fc.audit_log (subject_person) WHERE subject_person IS NOT NULL;
CREATE INDEX audit_log_disclosed_idx ON fc.audit_log USING gin (persons_disclosed);
CREATE INDEX audit_log_actor_guid_idx ON fc.audit_log (actor_guid, occurred_at);
CREATE INDEX audit_log_action_idx ON fc.audit_log (action, occurred_at);
CREATE INDEX audit_log_refused_idx ON fc.audit_log (outcome, occurred_at) WHERE outcome <> 'allowed';
CREATE INDEX audit_log_break_glass_idx ON fc.audit_log (occurred_at) WHERE break_glass;
CREATE INDEX audit_log_basis_idx ON fc.audit_log (basis, occurred_at) WHERE basis IS NOT NULL;

-- V3's guards: the row trigger is cloned to every partition; the parent's TRUNCATE trigger
-- covers a TRUNCATE of the whole table, each partition's (fc.audit_partition_make) its own.
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON fc.audit_log
    FOR EACH ROW EXECUTE FUNCTION fc.audit_refuse_change();
CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON fc.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION fc.audit_refuse_change();

DO $$
BEGIN
    IF (SELECT count(*) FROM fc.audit_log) <> (SELECT count(*) FROM fc.audit_log_unpartitioned) THEN
        RAISE EXCEPTION 'the audit rows did not all move: nothing is changed';
    END IF;
END
$$;
DROP TABLE fc.audit_log_unpartitioned;
ANALYZE fc.audit_log;

-- V10's fc.audit_entry, bound to the new row type.
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
REVOKE ALL ON FUNCTION fc.audit_entry(fc.audit_log) FROM PUBLIC;

-- ----------------------------------------------------------------------------------------------
-- The chain

-- The head: the newest row (by time, which is id order), or where the last archive ended when
-- no row is left. VOLATILE: each call reads what has committed.
CREATE FUNCTION fc.audit_chain_head(OUT head_id bigint, OUT head_hash bytea, OUT head_at timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    SELECT a.id, a.row_hash, a.occurred_at INTO head_id, head_hash, head_at
    FROM fc.audit_log a ORDER BY a.occurred_at DESC, a.id DESC LIMIT 1;
    IF head_id IS NULL THEN
        SELECT x.last_id, x.last_hash, x.last_at INTO head_id, head_hash, head_at
        FROM fc.audit_archive x ORDER BY x.last_id DESC LIMIT 1;
    END IF;
END;
$$;

-- V21's fc.audit_append, with three changes: the head is read by time (pruned to the newest
-- partition that has a row; after an archive of everything, the archive's end); rows are timed
-- no earlier than the head; a row whose month has no partition gets one first. Same lock (with
-- ROW EXCLUSIVE on fc.audit_log before it), checks, canonical bytes and chain.
CREATE OR REPLACE FUNCTION fc.audit_append(p_rows fc.audit_entry_t[], p_at timestamptz DEFAULT NULL,
                                           p_basis text DEFAULT NULL, p_break_glass boolean DEFAULT false)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_n         int := coalesce(cardinality(p_rows), 0);
    v_glass     boolean := coalesce(p_break_glass, false);
    v_head_id   bigint;
    v_head_hash bytea;
    v_head_at   timestamptz;
    v_first     bigint;
    v_at        timestamptz[];
    v_canon     bytea[];
    v_prev      bytea[];
    v_hash      bytea[];
    v_h         bytea;
    v_month     date;
    v_last      date;
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
    IF p_basis IS NOT NULL AND p_basis !~ '^[a-z][a-z0-9_.-]{0,39}$' THEN
        RAISE EXCEPTION 'audit_write: a basis is a code of fc.legal_basis' USING ERRCODE = '22023';
    END IF;
    PERFORM set_config('lock_timeout', '30s', true);
    -- The chain's lock is held to commit: a transaction left idle after it ends in 10 s, whoever
    -- the caller (operator, service or owner).
    PERFORM set_config('idle_in_transaction_session_timeout', '10s', true);
    BEGIN
        LOCK TABLE ONLY fc.audit_log IN ROW EXCLUSIVE MODE;
        PERFORM pg_advisory_xact_lock(hashtextextended('fc.audit_log chain', 0));
        -- A new statement after the lock: its snapshot sees the last committed head.
        SELECT a.id, a.row_hash, a.occurred_at INTO v_head_id, v_head_hash, v_head_at
        FROM fc.audit_log a ORDER BY a.occurred_at DESC, a.id DESC LIMIT 1;
        IF v_head_id IS NULL THEN
            SELECT x.last_id, x.last_hash, x.last_at INTO v_head_id, v_head_hash, v_head_at
            FROM fc.audit_archive x ORDER BY x.last_id DESC LIMIT 1;
        END IF;
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
                             x.facts, p_basis, v_glass) ORDER BY x.n)
          INTO v_at, v_canon
          FROM (SELECT r.*, coalesce(p_at, greatest(date_trunc('microseconds', clock_timestamp()),
                                                    v_head_at)) AS at,
                       coalesce(r.persons_disclosed, '{}') AS persons,
                       coalesce(r.sources_disclosed, '{}') AS sources,
                       coalesce(r.details, '{}') AS facts
                FROM unnest(p_rows) WITH ORDINALITY AS r (actor_guid, actor_account, channel,
                     client_host, action, outcome, subject_person, persons_disclosed,
                     sources_disclosed, target_user, target_guid, reason, details, n)) x;
        -- The months of the first and the last row (times never decrease along the set).
        v_month := date_trunc('month', v_at[1] AT TIME ZONE 'UTC')::date;
        v_last := date_trunc('month', v_at[v_n] AT TIME ZONE 'UTC')::date;
        IF to_regclass('fc.' || fc.audit_partition_name(v_month)) IS NULL THEN
            PERFORM fc.audit_partition_make(v_month);
        END IF;
        IF v_last <> v_month AND to_regclass('fc.' || fc.audit_partition_name(v_last)) IS NULL THEN
            PERFORM fc.audit_partition_make(v_last);
        END IF;
        -- The chain: each hash covers the previous one.
        FOR k IN 1 .. v_n LOOP
            v_prev[k] := v_h;
            v_h := sha256(v_h || v_canon[k]);
            v_hash[k] := v_h;
        END LOOP;
        INSERT INTO fc.audit_log (id, occurred_at, actor_guid, actor_account, channel, client_host,
            action, outcome, subject_person, persons_disclosed, sources_disclosed, target_user,
            target_guid, reason, details, prev_hash, row_hash, basis, break_glass)
        SELECT v_first + x.n - 1, x.at, x.actor_guid, x.actor_account, x.channel, x.client_host,
               x.action, x.outcome, x.subject_person, coalesce(x.persons_disclosed, '{}'),
               coalesce(x.sources_disclosed, '{}'), x.target_user, x.target_guid, x.reason,
               coalesce(x.details, '{}'), x.prev, x.hash, p_basis, v_glass
        FROM unnest(p_rows, v_at, v_prev, v_hash) WITH ORDINALITY AS x (actor_guid, actor_account,
             channel, client_host, action, outcome, subject_person, persons_disclosed,
             sources_disclosed, target_user, target_guid, reason, details, at, prev, hash, n);
    EXCEPTION WHEN others THEN
        RAISE EXCEPTION 'the audit row could not be written: %', SQLERRM USING ERRCODE = 'FCAUD';
    END;
    RETURN v_first;
END;
$$;

-- ----------------------------------------------------------------------------------------------
-- Archives

-- The retention period in months: fc.policy's (default 72), or the caller's if longer.
CREATE FUNCTION fc.audit_retention_months(p_request jsonb)
RETURNS int
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v text := (SELECT p.value FROM fc.policy p WHERE p.key = 'audit_retention_months');
    v_months int := 72;
BEGIN
    IF v ~ '^[0-9]{1,4}$' AND v::int BETWEEN 1 AND 1200 THEN
        v_months := v::int;
    END IF;
    RETURN greatest(v_months, fc.int_arg(p_request, 'retention_months', v_months, 1, 1200));
END;
$$;

-- An archive record as the documents write it.
CREATE FUNCTION fc.audit_archive_json(x fc.audit_archive)
RETURNS jsonb
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_build_object(
        'id', x.id, 'before', to_char(x.before_month, 'YYYY-MM-DD'), 'months', to_jsonb(x.months),
        'rows', x.row_count, 'first_id', x.first_id, 'last_id', x.last_id,
        'first_prev_hash', encode(x.first_prev_hash, 'hex'), 'last_hash', encode(x.last_hash, 'hex'),
        'first_at', fc.utc(x.first_at), 'last_at', fc.utc(x.last_at), 'file_name', x.file_name,
        'file_sha256', encode(x.file_sha256, 'hex'), 'archived_at', fc.utc(x.archived_at),
        'archived_by', x.archived_by, 'audit_id', x.audit_id);
$$;

-- What the database holds before p_cut (the first instant kept, a month's first in UTC), and
-- what is wrong with archiving it (NULL if nothing):
-- {"rows", "first_id", "last_id", "first_prev_hash", "last_hash", "first_at", "last_at",
--  "months": ["YYYY-MM", ...], "problem", "kind"}.
CREATE FUNCTION fc.audit_archive_facts(p_cut timestamptz)
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_rows bigint;
    v_first bigint;
    v_last bigint;
    v_first_at timestamptz;
    v_last_at timestamptz;
    v_first_prev bytea;
    v_last_hash bytea;
    v_next_id bigint;
    v_next_prev bytea;
    v_prior fc.audit_archive;
    v_oldest timestamptz;
    v_months text[];
    v_problem text;
    v_kind text := 'error';
    v_zero bytea := '\x0000000000000000000000000000000000000000000000000000000000000000';
BEGIN
    SELECT * INTO v_prior FROM fc.audit_archive x ORDER BY x.last_id DESC LIMIT 1;
    SELECT count(*), min(a.id), max(a.id), min(a.occurred_at), max(a.occurred_at)
      INTO v_rows, v_first, v_last, v_first_at, v_last_at
      FROM fc.audit_log a WHERE a.occurred_at < p_cut;
    SELECT array_agg(to_char(p.month, 'YYYY-MM') ORDER BY p.month) INTO v_months
      FROM fc.audit_partitions() p WHERE p.month < p_cut;
    IF v_rows = 0 THEN
        SELECT min(a.occurred_at) INTO v_oldest FROM fc.audit_log a;
        v_kind := 'not_found';
        v_problem := format('no audit rows before %s to archive: %s',
            to_char(p_cut AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
            CASE WHEN v_prior.id IS NOT NULL AND p_cut <= (v_prior.before_month::timestamp AT TIME ZONE 'UTC')
                 THEN format('archive %s took the months before %s already', v_prior.id,
                             to_char(v_prior.before_month, 'YYYY-MM-DD'))
                 ELSE format('the oldest row is from %s', coalesce(fc.utc(v_oldest), '(none)')) END);
    ELSE
        SELECT a.prev_hash INTO v_first_prev FROM fc.audit_log a WHERE a.occurred_at < p_cut AND a.id = v_first;
        SELECT a.row_hash INTO v_last_hash FROM fc.audit_log a WHERE a.occurred_at < p_cut AND a.id = v_last;
        SELECT a.id, a.prev_hash INTO v_next_id, v_next_prev
          FROM fc.audit_log a WHERE a.occurred_at >= p_cut ORDER BY a.occurred_at, a.id LIMIT 1;
        IF v_first <> coalesce(v_prior.last_id, 0) + 1 THEN
            v_problem := format('the oldest row before %s is %s, but the chain %s: rows are missing; run famctx audit verify',
                to_char(p_cut AT TIME ZONE 'UTC', 'YYYY-MM-DD'), v_first,
                CASE WHEN v_prior.id IS NULL THEN 'starts at row 1'
                     ELSE format('goes on from archive %s at row %s', v_prior.id, v_prior.last_id + 1) END);
        ELSIF v_rows <> v_last - v_first + 1 THEN
            v_problem := format('the %s rows before %s are not the unbroken run of ids %s to %s; run famctx audit verify',
                v_rows, to_char(p_cut AT TIME ZONE 'UTC', 'YYYY-MM-DD'), v_first, v_last);
        ELSIF v_first_prev IS DISTINCT FROM coalesce(v_prior.last_hash, v_zero) THEN
            v_problem := format('row %s does not join %s (its previous hash differs); run famctx audit verify',
                v_first, CASE WHEN v_prior.id IS NULL THEN 'the start of the chain'
                              ELSE format('the end of archive %s', v_prior.id) END);
        ELSIF v_next_id IS NOT NULL AND v_next_id <> v_last + 1 THEN
            v_problem := format('the first row from %s on is %s, not %s: the months before it and after '
                                'it are not two runs of the chain; run famctx audit verify',
                to_char(p_cut AT TIME ZONE 'UTC', 'YYYY-MM-DD'), v_next_id, v_last + 1);
        ELSIF v_next_id IS NOT NULL AND v_next_prev IS DISTINCT FROM v_last_hash THEN
            v_problem := format('row %s does not join row %s (its previous hash differs); run famctx audit verify',
                v_next_id, v_last);
        END IF;
    END IF;
    RETURN jsonb_build_object(
        'rows', v_rows, 'first_id', v_first, 'last_id', v_last,
        'first_prev_hash', encode(v_first_prev, 'hex'), 'last_hash', encode(v_last_hash, 'hex'),
        'first_at', fc.utc(v_first_at), 'last_at', fc.utc(v_last_at),
        'months', to_jsonb(coalesce(v_months, '{}')), 'problem', v_problem, 'kind', v_kind);
END;
$$;

-- A date argument (YYYY-MM-DD), or FCUSE.
CREATE FUNCTION fc.date_arg(p_request jsonb, p_key text)
RETURNS date
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v jsonb := p_request -> p_key;
BEGIN
    IF jsonb_typeof(v) IS DISTINCT FROM 'string' OR (v #>> '{}') !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
        PERFORM fc.fail('usage', format('%s must be a date: YYYY-MM-DD, e.g. 2020-12-01', p_key));
    END IF;
    BEGIN
        RETURN (v #>> '{}')::date;
    EXCEPTION WHEN others THEN
        PERFORM fc.fail('usage', format('%s must be a date: YYYY-MM-DD, e.g. 2020-12-01', p_key));
    END;
    RETURN NULL;
END;
$$;

-- A stream's second ticket: the document a request disclosed (fc_api.collect hands it over once
-- the audit row has committed) names, as "stream_ticket", the ticket its open function takes,
-- and, as "audit_id", the request's audit row.
CREATE FUNCTION fc.audit_stream_add(p_envelope jsonb, p_stream jsonb)
RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_ticket uuid;
BEGIN
    INSERT INTO fc.disclosure (db_role, xid, audit_id, document)
    VALUES (session_user, pg_current_xact_id(), (p_envelope ->> 'audit_id')::bigint, p_stream)
    RETURNING ticket INTO v_ticket;
    UPDATE fc.disclosure x SET document = x.document || jsonb_build_object(
        'stream_ticket', v_ticket, 'audit_id', (p_envelope ->> 'audit_id')::bigint)
     WHERE x.ticket = (p_envelope ->> 'ticket')::uuid;
    RETURN v_ticket;
END;
$$;

-- Begins an archive of the whole months before a date.
-- {"before": "YYYY-MM-DD", "reason"?, "retention_months"? (the client's policy; the longer of it
--  and fc.policy's holds)}
--   -> a ticket; its document: {"archive": {"database", "before" (the first month kept),
--      "months", "rows", "first_id", "last_id", "first_prev_hash", "last_hash", "first_at",
--      "last_at", "retention_months"}, "stream_ticket", "audit_id"} for fc_api.audit_archive_open.
-- Refused (and audited) when the date is within the retention period, when the months would
-- include the current one, when there is nothing to archive, or when the rows before the date
-- are not one unbroken run of the chain joining the last archive. Audited as audit_archived
-- (stage "started"); its own row is in the current month, never in the months it archives.
CREATE FUNCTION fc_api.audit_archive_begin(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'auditor');
    v_details jsonb := jsonb_strip_nulls(jsonb_build_object(
        'stage', 'started', 'before', fc.plain(p_request ->> 'before', 40)));
    v_reason text;
    v_before date;
    v_cut timestamptz;
    v_keep int;
    v_newest date;
    v_facts jsonb;
    v_doc jsonb;
    v_result jsonb;
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'audit_archived', 'not_permitted', c.refusal, NULL, NULL, v_details);
    END IF;
    BEGIN
        v_before := fc.date_arg(p_request, 'before');
        v_reason := fc.free_text(p_request ->> 'reason', 'reason', 500, false);
        v_keep := fc.audit_retention_months(p_request);
    EXCEPTION WHEN SQLSTATE 'FCUSE' THEN
        RETURN fc.refuse(c, 'audit_archived', 'usage', SQLERRM, NULL, NULL, v_details);
    END;
    v_cut := date_trunc('month', v_before)::timestamp AT TIME ZONE 'UTC';
    v_details := v_details || jsonb_build_object('retention_months', v_keep,
                                                 'first_month_kept', to_char(v_cut, 'YYYY-MM'));
    -- The newest date an archive may name: the retention period back from today (UTC).
    v_newest := ((clock_timestamp() AT TIME ZONE 'UTC') - make_interval(months => v_keep))::date;
    IF v_before > v_newest THEN
        RETURN fc.refuse(c, 'audit_archived', 'not_permitted',
            format('%s is within the audit retention period of %s months: only the months before '
                   '%s may be archived today; give --before %s or earlier',
                   v_before, v_keep, to_char(date_trunc('month', v_newest), 'YYYY-MM-DD'),
                   to_char(date_trunc('month', v_newest), 'YYYY-MM-DD')),
            NULL, v_reason, v_details);
    END IF;
    IF v_cut > date_trunc('month', clock_timestamp()) THEN
        RETURN fc.refuse(c, 'audit_archived', 'usage',
            format('the months before %s include the current month, which is still being written: '
                   'give a date in an earlier month', v_before), NULL, v_reason, v_details);
    END IF;
    v_facts := fc.audit_archive_facts(v_cut);
    IF v_facts ->> 'problem' IS NOT NULL THEN
        RETURN fc.refuse(c, 'audit_archived', v_facts ->> 'kind', v_facts ->> 'problem', NULL, v_reason,
                         v_details);
    END IF;
    v_doc := (v_facts - 'problem' - 'kind') || jsonb_build_object(
        'database', current_database(), 'before', to_char(v_cut, 'YYYY-MM-DD'),
        'retention_months', v_keep);
    v_result := fc.disclose(c, 'audit_archived', jsonb_build_object('archive', v_doc), NULL, '{}', '{}',
        v_reason, v_details || jsonb_build_object(
            'months', v_doc -> 'months', 'rows', v_doc -> 'rows', 'first_id', v_doc -> 'first_id',
            'last_id', v_doc -> 'last_id'));
    PERFORM fc.audit_stream_add(v_result, jsonb_build_object(
        'stream', 'audit_archived', 'cut', v_cut, 'first_id', v_doc -> 'first_id',
        'last_id', v_doc -> 'last_id'));
    -- The months ahead exist, as the checkpoint makes them (under the chain's lock, which the
    -- audit row holds now: after the counting, so writers never wait for it). A busy table
    -- only leaves that to the next checkpoint.
    BEGIN
        PERFORM fc.audit_partitions_ensure();
    EXCEPTION WHEN lock_not_available THEN
        NULL;
    END;
    RETURN v_result;
END;
$$;

-- The archive's cursor: one JSON line a row, in id order, the rows the archive began with.
-- Columns: id, row_hash (hex), the line. The line is the row as one JSON object: every column
-- in table order but the hashes, then the hashes; occurred_at as RFC 3339 UTC with 6 fraction
-- digits; arrays as arrays; details as PostgreSQL's own jsonb text (the bytes its hash covers);
-- hashes in lower-case hex. FETCH it in batches in the transaction that opened it.
CREATE FUNCTION fc_api.audit_archive_open(p_ticket uuid)
RETURNS refcursor
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
    d jsonb := fc.audit_stream_ticket(p_ticket, 'audit_archived');
    v_cur refcursor;
BEGIN
    OPEN v_cur NO SCROLL FOR EXECUTE
        'SELECT r.id, r.row_hash, row_to_json(r)::text FROM ('
        '  SELECT a.id, to_char(a.occurred_at AT TIME ZONE ''UTC'', ''YYYY-MM-DD"T"HH24:MI:SS.US"Z"'') AS occurred_at, '
        '         a.actor_guid, a.actor_account, a.channel, a.client_host, a.action, a.outcome, '
        '         a.subject_person, a.persons_disclosed, a.sources_disclosed, a.target_user, '
        '         a.target_guid, a.reason, a.details, a.basis, a.break_glass, '
        '         encode(a.prev_hash, ''hex'') AS prev_hash, encode(a.row_hash, ''hex'') AS row_hash '
        '  FROM fc.audit_log a '
        '  WHERE a.occurred_at < $1 AND a.id BETWEEN $2 AND $3) r '
        'ORDER BY r.id'
    USING (d ->> 'cut')::timestamptz, (d ->> 'first_id')::bigint, (d ->> 'last_id')::bigint;
    RETURN v_cur;
END;
$$;

-- Finishes an archive once famctx has written the file, read it back and recomputed its chain.
-- {"begun": <the audit row of fc_api.audit_archive_begin>, "before", "rows", "first_id",
--  "last_id", "first_prev_hash", "last_hash", "file": <file name>, "file_sha256"}
--   -> {"outcome": "allowed", "audit_id", "result": {the archive record}}
-- In one transaction: the months are locked against any change and checked again (the same
-- rows, ids and hashes as the file, joined to the chain on both sides), then the audit row
-- (audit_archived, stage "finished"), the record in fc.audit_archive, and the months detached and
-- dropped. Anything wrong, or the trail too busy to detach from within 10 s, and nothing is
-- removed (refused, audited).
CREATE FUNCTION fc_api.audit_archive_finish(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'auditor');
    v_details jsonb := jsonb_strip_nulls(jsonb_build_object(
        'stage', 'finished', 'begun', CASE WHEN jsonb_typeof(p_request -> 'begun') = 'number' THEN p_request -> 'begun' END,
        'before', fc.plain(p_request ->> 'before', 40), 'file', fc.plain(p_request ->> 'file', 200),
        'file_sha256', fc.plain(p_request ->> 'file_sha256', 64)));
    v_begun fc.audit_log;
    v_before date;
    v_cut timestamptz;
    v_claim jsonb;
    v_facts jsonb;
    v_months text[];
    v_id bigint;
    v_archive fc.audit_archive;
    m text;
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'audit_archived', 'not_permitted', c.refusal, NULL, NULL, v_details);
    END IF;
    BEGIN
        v_before := fc.date_arg(p_request, 'before');
        v_cut := date_trunc('month', v_before)::timestamp AT TIME ZONE 'UTC';
        IF jsonb_typeof(p_request -> 'begun') IS DISTINCT FROM 'number' OR (p_request ->> 'begun') !~ '^[1-9][0-9]{0,17}$'
           OR jsonb_typeof(p_request -> 'rows') IS DISTINCT FROM 'number' OR (p_request ->> 'rows') !~ '^[1-9][0-9]{0,17}$'
           OR jsonb_typeof(p_request -> 'first_id') IS DISTINCT FROM 'number' OR (p_request ->> 'first_id') !~ '^[1-9][0-9]{0,17}$'
           OR jsonb_typeof(p_request -> 'last_id') IS DISTINCT FROM 'number' OR (p_request ->> 'last_id') !~ '^[1-9][0-9]{0,17}$'
           OR coalesce(p_request ->> 'first_prev_hash', '') !~ '^[0-9a-f]{64}$'
           OR coalesce(p_request ->> 'last_hash', '') !~ '^[0-9a-f]{64}$'
           OR coalesce(p_request ->> 'file_sha256', '') !~ '^[0-9a-f]{64}$'
           OR coalesce(p_request ->> 'file', '') !~ '^[A-Za-z0-9._-]{1,200}$' THEN
            PERFORM fc.fail('usage', 'an archive is finished with the figures of its file: "begun" (the audit '
                                     'row that began it), "before", "rows", "first_id", "last_id", '
                                     '"first_prev_hash", "last_hash", "file" and "file_sha256" (hex)');
        END IF;
        v_claim := jsonb_build_object(
            'rows', (p_request ->> 'rows')::bigint, 'first_id', (p_request ->> 'first_id')::bigint,
            'last_id', (p_request ->> 'last_id')::bigint, 'first_prev_hash', p_request ->> 'first_prev_hash',
            'last_hash', p_request ->> 'last_hash');
        -- The begin of this archive: by this account, for these months and rows, within a day.
        SELECT * INTO v_begun FROM fc.audit_log a
         WHERE a.id = (p_request ->> 'begun')::bigint AND a.occurred_at >= now() - interval '1 day';
        IF v_begun.id IS NULL OR v_begun.action <> 'audit_archived' OR v_begun.outcome <> 'allowed'
           OR v_begun.details ->> 'stage' IS DISTINCT FROM 'started'
           OR v_begun.actor_guid IS DISTINCT FROM c.guid
           OR v_begun.details ->> 'first_month_kept' IS DISTINCT FROM to_char(v_cut, 'YYYY-MM')
           OR (v_begun.details ->> 'first_id')::bigint IS DISTINCT FROM (v_claim ->> 'first_id')::bigint
           OR (v_begun.details ->> 'last_id')::bigint IS DISTINCT FROM (v_claim ->> 'last_id')::bigint THEN
            PERFORM fc.fail('not_found', format('no archive of the months before %s was begun by %s as audit row %s '
                                                'in the last day: run famctx audit archive again',
                                                to_char(v_cut, 'YYYY-MM-DD'), c.account, p_request ->> 'begun'));
        END IF;
    EXCEPTION WHEN SQLSTATE 'FCUSE' OR SQLSTATE 'FCNFD' THEN
        RETURN fc.refuse(c, 'audit_archived', fc.kind_of(SQLSTATE), SQLERRM, NULL, NULL, v_details);
    END;
    PERFORM set_config('lock_timeout', '10s', true);
    BEGIN
        -- The months cannot change from here on (EXCLUSIVE lets readers read them).
        SELECT array_agg(p.name ORDER BY p.month) INTO v_months FROM fc.audit_partitions() p WHERE p.month < v_cut;
        FOREACH m IN ARRAY coalesce(v_months, '{}') LOOP
            EXECUTE format('LOCK TABLE fc.%I IN EXCLUSIVE MODE', m);
        END LOOP;
        v_facts := fc.audit_archive_facts(v_cut);
        IF v_facts ->> 'problem' IS NOT NULL THEN
            PERFORM fc.fail('not_found', format('the database no longer holds what the file holds: %s; nothing '
                                                'was removed', v_facts ->> 'problem'));
        END IF;
        IF (v_facts -> 'rows', v_facts -> 'first_id', v_facts -> 'last_id', v_facts -> 'first_prev_hash',
            v_facts -> 'last_hash')
           IS DISTINCT FROM (v_claim -> 'rows', v_claim -> 'first_id', v_claim -> 'last_id',
                             v_claim -> 'first_prev_hash', v_claim -> 'last_hash') THEN
            PERFORM fc.fail('usage', format('the file does not hold what the database holds before %s (database: '
                                            '%s rows, ids %s to %s, last hash %s; file: %s rows, ids %s to %s, '
                                            'last hash %s): nothing was removed',
                to_char(v_cut, 'YYYY-MM-DD'), v_facts ->> 'rows', v_facts ->> 'first_id', v_facts ->> 'last_id',
                v_facts ->> 'last_hash', v_claim ->> 'rows', v_claim ->> 'first_id', v_claim ->> 'last_id',
                v_claim ->> 'last_hash'));
        END IF;
        -- Readers and writers of the trail finish first (the chain's lock comes after, in the
        -- audit write: see the lock order at the top).
        LOCK TABLE ONLY fc.audit_log IN ACCESS EXCLUSIVE MODE;
        v_id := fc.audit_as(c, 'audit_archived', 'allowed', NULL, '{}', '{}', NULL, NULL, NULL,
            v_details || jsonb_build_object('months', v_facts -> 'months', 'rows', v_facts -> 'rows',
                                            'first_id', v_facts -> 'first_id', 'last_id', v_facts -> 'last_id',
                                            'last_hash', v_facts -> 'last_hash'));
        INSERT INTO fc.audit_archive (before_month, months, row_count, first_id, last_id, first_prev_hash,
            last_hash, first_at, last_at, file_name, file_sha256, archived_by, archived_by_guid,
            begun_audit_id, audit_id)
        VALUES (v_cut::date, ARRAY(SELECT jsonb_array_elements_text(v_facts -> 'months')),
            (v_facts ->> 'rows')::bigint, (v_facts ->> 'first_id')::bigint, (v_facts ->> 'last_id')::bigint,
            decode(v_facts ->> 'first_prev_hash', 'hex'), decode(v_facts ->> 'last_hash', 'hex'),
            (v_facts ->> 'first_at')::timestamptz, (v_facts ->> 'last_at')::timestamptz,
            p_request ->> 'file', decode(p_request ->> 'file_sha256', 'hex'), c.account, c.guid,
            v_begun.id, v_id)
        RETURNING * INTO v_archive;
        FOREACH m IN ARRAY coalesce(v_months, '{}') LOOP
            EXECUTE format('ALTER TABLE fc.audit_log DETACH PARTITION fc.%I', m);
            EXECUTE format('DROP TABLE fc.%I', m);
        END LOOP;
    EXCEPTION
        WHEN lock_not_available THEN
            RETURN fc.refuse(c, 'audit_archived', 'error',
                'the audit trail was too busy to detach the months within 10 s (a long export or '
                'verification is reading it): nothing was removed; run famctx audit archive again',
                NULL, NULL, v_details);
        WHEN SQLSTATE 'FCUSE' OR SQLSTATE 'FCNFD' THEN
            RETURN fc.refuse(c, 'audit_archived', fc.kind_of(SQLSTATE), SQLERRM, NULL, NULL, v_details);
    END;
    RETURN jsonb_build_object('outcome', 'allowed', 'audit_id', v_id,
                              'result', fc.audit_archive_json(v_archive));
END;
$$;

-- Whether the database recorded an archive file, for `audit verify --archive FILE`.
-- {"file", "file_sha256", "first_id", "last_id", "rows", "last_hash"}
--   -> {"recorded": {the archive record of those rows} | null}
-- Audited as audit_verified, naming the file and its figures.
CREATE FUNCTION fc_api.audit_archive_check(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'auditor');
    v_details jsonb := jsonb_build_object('archive_file', jsonb_strip_nulls(jsonb_build_object(
        'file', fc.plain(p_request ->> 'file', 200), 'file_sha256', fc.plain(p_request ->> 'file_sha256', 64),
        'first_id', CASE WHEN jsonb_typeof(p_request -> 'first_id') = 'number' THEN p_request -> 'first_id' END,
        'last_id', CASE WHEN jsonb_typeof(p_request -> 'last_id') = 'number' THEN p_request -> 'last_id' END,
        'rows', CASE WHEN jsonb_typeof(p_request -> 'rows') = 'number' THEN p_request -> 'rows' END)));
    v_record jsonb;
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'audit_verified', 'not_permitted', c.refusal, NULL, NULL, v_details);
    END IF;
    IF coalesce(p_request ->> 'file_sha256', '') !~ '^[0-9a-f]{64}$'
       OR coalesce(p_request ->> 'first_id', '') !~ '^[1-9][0-9]{0,17}$'
       OR coalesce(p_request ->> 'last_id', '') !~ '^[1-9][0-9]{0,17}$' THEN
        RETURN fc.refuse(c, 'audit_verified', 'usage',
                         'an archive is looked up by its "file_sha256" (hex), "first_id" and "last_id"',
                         NULL, NULL, v_details);
    END IF;
    SELECT fc.audit_archive_json(x) INTO v_record FROM fc.audit_archive x
     WHERE x.file_sha256 = decode(p_request ->> 'file_sha256', 'hex')
        OR (x.first_id = (p_request ->> 'first_id')::bigint AND x.last_id = (p_request ->> 'last_id')::bigint)
     ORDER BY (x.file_sha256 = decode(p_request ->> 'file_sha256', 'hex')) DESC, x.id
     LIMIT 1;
    RETURN fc.disclose(c, 'audit_verified', jsonb_build_object('recorded', v_record), NULL, '{}', '{}', NULL,
                       v_details || jsonb_build_object('recorded', v_record IS NOT NULL));
END;
$$;

-- ----------------------------------------------------------------------------------------------
-- Verification and the checkpoint, from the last archive

-- V10's verification, starting where the last archive ended: its document (collected once the
-- audit row has committed) lists the archives and names the stream's ticket.
-- {"checkpoint"?: {"id", "hash", "occurred_at"}}
--   -> a ticket; its document: {"stream": "audit_verified", "upto": <the last row before this
--      request's>, "archives": [{archive record}, ...] (oldest first), "stream_ticket",
--      "audit_id"} for
--      fc_api.audit_verify_open (which still takes the first ticket too, as before).
CREATE OR REPLACE FUNCTION fc_api.audit_verify(p_request jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'auditor');
    v_cp jsonb := p_request -> 'checkpoint';
    v_checkpoint jsonb;
    v_result jsonb;
    v_upto bigint;
    v_from bigint;
    v_archive bigint;
    v_archives jsonb;
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
    -- The chain's lock first (fc.audit_append takes it again), so that the head read here is
    -- the row just before this request's own, and the audit row can name the rows to check.
    PERFORM set_config('lock_timeout', '30s', true);
    LOCK TABLE ONLY fc.audit_log IN ROW EXCLUSIVE MODE;
    PERFORM pg_advisory_xact_lock(hashtextextended('fc.audit_log chain', 0));
    v_upto := coalesce((fc.audit_chain_head()).head_id, 0);
    SELECT coalesce(max(x.last_id), 0), max(x.id),
           coalesce(jsonb_agg(fc.audit_archive_json(x) ORDER BY x.id), '[]')
      INTO v_from, v_archive, v_archives
      FROM fc.audit_archive x;
    v_result := fc.disclose(c, 'audit_verified',
                            jsonb_build_object('stream', 'audit_verified', 'upto', v_upto, 'archives', v_archives),
                            NULL, '{}', '{}', NULL,
                            jsonb_strip_nulls(jsonb_build_object('checkpoint', v_checkpoint,
                                'rows_to_check', v_upto - v_from, 'from_archive', v_archive)));
    IF (v_result ->> 'audit_id')::bigint <> v_upto + 1 THEN
        RAISE EXCEPTION 'audit_verify: the chain moved while it was locked';
    END IF;
    PERFORM fc.audit_stream_add(v_result, jsonb_build_object('stream', 'audit_verified', 'upto', v_upto));
    RETURN v_result;
END;
$$;

-- V21 made the verification's cursor again without V15's pins: an entry point runs in UTC with
-- ISO dates.
ALTER FUNCTION fc_api.audit_verify_open(uuid) SET TimeZone = 'UTC';
ALTER FUNCTION fc_api.audit_verify_open(uuid) SET DateStyle = 'ISO, YMD';
ALTER FUNCTION fc_api.audit_verify_open(uuid) SET IntervalStyle = 'postgres';

-- V10's checkpoint, which also makes the months ahead (its timer runs it every hour; a busy
-- table or any failure there is noted in the audit row and does not stop the checkpoint). The
-- head is read by time, as the writers read it.
-- {} -> {"head": {"id", "hash", "occurred_at"}}; an empty trail is not found.
CREATE OR REPLACE FUNCTION fc_api.audit_checkpoint(p_request jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'auditor');
    v_head jsonb;
    v_made jsonb;
    h record;
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'audit_checkpointed', 'not_permitted', c.refusal);
    END IF;
    PERFORM set_config('lock_timeout', '30s', true);
    BEGIN
        v_made := jsonb_build_object('partitions_made', fc.audit_partitions_ensure());
    EXCEPTION WHEN others THEN
        v_made := jsonb_build_object('partitions_error', fc.plain(SQLERRM, 300));
    END;
    LOCK TABLE ONLY fc.audit_log IN ROW EXCLUSIVE MODE;
    PERFORM pg_advisory_xact_lock(hashtextextended('fc.audit_log chain', 0));
    h := fc.audit_chain_head();
    IF h.head_id IS NOT NULL THEN
        v_head := jsonb_build_object('id', h.head_id, 'hash', encode(h.head_hash, 'hex'),
                                     'occurred_at', fc.audit_instant(h.head_at));
    END IF;
    IF v_head IS NULL THEN
        RETURN fc.refuse(c, 'audit_checkpointed', 'not_found', 'the audit trail is empty', NULL, NULL, v_made);
    END IF;
    RETURN fc.disclose(c, 'audit_checkpointed', jsonb_build_object('head', v_head), NULL, '{}', '{}',
                       NULL, jsonb_build_object('head', v_head) || v_made);
END;
$$;

-- The helpers run only inside fc_api functions and migrations.
REVOKE ALL ON FUNCTION fc.audit_partition_name(date), fc.audit_partitions(), fc.audit_partition_make(date),
    fc.audit_partitions_ensure(int, timestamptz), fc.audit_chain_head(), fc.audit_retention_months(jsonb),
    fc.audit_archive_json(fc.audit_archive), fc.audit_archive_facts(timestamptz), fc.date_arg(jsonb, text),
    fc.audit_stream_add(jsonb, jsonb)
    FROM PUBLIC;
