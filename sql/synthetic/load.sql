-- The reference load: what the nightly ETL does, from the MDM warehouse into the
-- family context database. scripts/seed runs it; run by hand:
--
--   psql "$FAMCTX_OWNER_URL" -X -q -v ON_ERROR_STOP=1 \
--        -v fc_run_id=<fc.load_run id, status running> \
--        -v expected='<json {"person": {"row_count": n, "key_checksum": "..."}, ...}>' \
--        -f sql/synthetic/load.sql
--
-- with FAMCTX_MDM_URL in the environment (the warehouse, read-only is enough):
-- each table is streamed with COPY from a psql reading the warehouse.
--
-- One transaction: the person, relationship and service tables are truncated and
-- reloaded, the key checksums of what arrived are compared with the warehouse's
-- (expected, computed by sql/synthetic/key_checksums.sql in the warehouse) and
-- the load fails if they differ; then the manifest is written, the data sources'
-- last_synchronised (= the load's finish time) and coverage dates are set, and
-- the run is marked completed. Nobody sees a partial load: TRUNCATE takes an
-- exclusive lock, so queries on these tables wait until the load commits (about
-- 9 s at a million persons) and then see the new data. Nothing else in fc is
-- touched: not the audit trail, users, grants, or the data sources' other columns.
--
-- Coverage: coverage_start = the earliest date in the source's records (school
-- and children's social care start_date, adult social care
-- last_involvement_start, housing tenancy_start, police offence date),
-- coverage_end = the day of the load.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET work_mem = '256MB';
SET maintenance_work_mem = '512MB';

BEGIN;

TRUNCATE fc.person, fc.relationship, fc.school_record, fc.childrens_social_care_record,
    fc.adult_social_care_record, fc.housing_record, fc.police_record;

-- COPY into tables without their indexes, then build them, is about three times
-- faster at a million persons (15 s against 5 s for persons and relationships).
-- The definitions come from the catalogue (the migrations stay their only source)
-- and are rebuilt before COMMIT. An index a foreign key depends on is kept.
CREATE TEMP TABLE saved_index ON COMMIT DROP AS
SELECT i.indexrelid,
    CASE WHEN con.oid IS NOT NULL
         THEN format('ALTER TABLE %s DROP CONSTRAINT %I', i.indrelid::regclass, con.conname)
         ELSE format('DROP INDEX %s', i.indexrelid::regclass) END AS drop_sql,
    CASE WHEN con.oid IS NOT NULL
         THEN format('ALTER TABLE %s ADD CONSTRAINT %I %s', i.indrelid::regclass, con.conname,
                     pg_get_constraintdef(con.oid))
         ELSE pg_get_indexdef(i.indexrelid) END AS create_sql
FROM pg_index i
LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.contype IN ('p', 'u')
WHERE i.indrelid IN ('fc.person'::regclass, 'fc.relationship'::regclass, 'fc.school_record'::regclass,
        'fc.childrens_social_care_record'::regclass, 'fc.adult_social_care_record'::regclass,
        'fc.housing_record'::regclass, 'fc.police_record'::regclass)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid)
  AND (con.oid IS NOT NULL OR NOT EXISTS (SELECT 1 FROM pg_constraint c2 WHERE c2.conindid = i.indexrelid));
SELECT drop_sql FROM saved_index ORDER BY indexrelid \gexec

\copy fc.person (id, cms_id, first_name, last_name, date_of_birth, gender, address_line, postcode, uprn) from program 'psql -X -q -v ON_ERROR_STOP=1 -d "$FAMCTX_MDM_URL" -c "COPY mdm.person (person_id, cms_id, first_name, last_name, date_of_birth, gender, address_line, postcode, uprn) TO STDOUT"'
\copy fc.relationship (person_id, related_person_id, relationship_type, source_system) from program 'psql -X -q -v ON_ERROR_STOP=1 -d "$FAMCTX_MDM_URL" -c "COPY mdm.relationship (person_id, related_person_id, relationship_type, source_system) TO STDOUT"'
\copy fc.school_record (id, person_id, involvement, school_name, admission_type, contact, start_date, end_date) from program 'psql -X -q -v ON_ERROR_STOP=1 -d "$FAMCTX_MDM_URL" -c "COPY mdm.school_record (id, person_id, involvement, school_name, admission_type, contact, start_date, end_date) TO STDOUT"'
\copy fc.childrens_social_care_record (id, person_id, involvement_type, start_date, end_date, team) from program 'psql -X -q -v ON_ERROR_STOP=1 -d "$FAMCTX_MDM_URL" -c "COPY mdm.childrens_social_care_record (id, person_id, involvement_type, start_date, end_date, team) TO STDOUT"'
\copy fc.adult_social_care_record (id, person_id, organisation, last_involvement_start, most_recent_interaction, involvement) from program 'psql -X -q -v ON_ERROR_STOP=1 -d "$FAMCTX_MDM_URL" -c "COPY mdm.adult_social_care_record (id, person_id, organisation, last_involvement_start, most_recent_interaction, involvement) TO STDOUT"'
\copy fc.housing_record (id, person_id, association, tenancy_start, tenancy_end, anti_social_behaviour, rent_arrears, notice_seeking_possession, eviction) from program 'psql -X -q -v ON_ERROR_STOP=1 -d "$FAMCTX_MDM_URL" -c "COPY mdm.housing_record (id, person_id, association, tenancy_start, tenancy_end, anti_social_behaviour, rent_arrears, notice_seeking_possession, eviction) TO STDOUT"'
\copy fc.police_record (id, person_id, area, safeguarding_offences, non_safeguarding_count) from program 'psql -X -q -v ON_ERROR_STOP=1 -d "$FAMCTX_MDM_URL" -c "COPY mdm.police_record (id, person_id, area, safeguarding_offences, non_safeguarding_count) TO STDOUT"'

SELECT create_sql FROM saved_index ORDER BY indexrelid \gexec

-- What arrived, against what the warehouse held.
\set schema fc
\set person_key id
\ir key_checksums.sql

CREATE TEMP TABLE expected ON COMMIT DROP AS
SELECT e.key AS entity, (e.value ->> 'row_count')::bigint AS row_count, e.value ->> 'key_checksum' AS key_checksum
FROM jsonb_each(:'expected'::jsonb) AS e;

DO $$
DECLARE
    bad text;
BEGIN
    SELECT string_agg(format('%s: %s rows (key checksum %s) arrived, the warehouse has %s rows (%s)',
                             coalesce(a.entity, x.entity), coalesce(a.row_count::text, 'no'),
                             coalesce(a.key_checksum, 'none'), coalesce(x.row_count::text, 'no'),
                             coalesce(x.key_checksum, 'none')), '; ' ORDER BY coalesce(a.entity, x.entity))
    INTO bad
    FROM entity_checksum a FULL JOIN expected x USING (entity)
    WHERE a.row_count IS DISTINCT FROM x.row_count OR a.key_checksum IS DISTINCT FROM x.key_checksum;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'load incomplete: %', bad;
    END IF;
END
$$;

INSERT INTO fc.load_manifest (load_run_id, entity, row_count, key_checksum)
SELECT :fc_run_id, entity, row_count, key_checksum FROM entity_checksum;

SELECT clock_timestamp() AS finished_at \gset

UPDATE fc.data_source d
SET last_synchronised = :'finished_at'::timestamptz,
    coverage_start = c.earliest,
    coverage_end = (:'finished_at'::timestamptz)::date
FROM (
    SELECT 'school' AS code, min(start_date) AS earliest FROM fc.school_record
    UNION ALL
    SELECT 'childrens_social_care', min(start_date) FROM fc.childrens_social_care_record
    UNION ALL
    SELECT 'adult_social_care', min(last_involvement_start) FROM fc.adult_social_care_record
    UNION ALL
    SELECT 'housing', min(tenancy_start) FROM fc.housing_record
    UNION ALL
    SELECT 'police', min((o ->> 'date')::date)
    FROM fc.police_record, jsonb_array_elements(safeguarding_offences) AS o
) AS c
WHERE d.code = c.code;

UPDATE fc.load_run SET status = 'completed', finished_at = :'finished_at'::timestamptz
WHERE id = :fc_run_id;

COMMIT;

ANALYZE fc.person, fc.relationship, fc.school_record, fc.childrens_social_care_record,
    fc.adult_social_care_record, fc.housing_record, fc.police_record;

-- For the caller: the finish time, to record in the warehouse's run.
\echo :finished_at
