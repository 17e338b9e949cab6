-- MDM warehouse schema (schema mdm in database mdm), as the nightly ETL reads it.
--
-- Idempotent: every object is created IF NOT EXISTS, so this file can be applied
-- to an existing warehouse at any time. Run it as famctx_owner:
--   psql "$FAMCTX_MDM_OWNER_URL" -v ON_ERROR_STOP=1 -f sql/mdm/schema.sql
--
-- The entities have the same columns as their family context (fc) tables, with
-- one deliberate difference: the person key is called person_id here (it is
-- the unique person index id, the same number as fc.person.id). There are no
-- foreign keys: the warehouse delivers what the source systems matched, and
-- the completeness checks (orphans, missing keys) must be able to see faults.
--
-- Relationship direction (same as fc.relationship): one row a relationship,
-- read "person_id is <relationship_type> of related_person_id". The synthetic
-- generator stores only these types (the inverses are derived at read time):
--   parent       (X parent Y: X is a parent of Y; child is the inverse)
--   step_parent  (step_child is the inverse)
--   grandparent  (grandchild is the inverse)
--   carer        (cared_for is the inverse)
--   sibling, half_sibling, partner: symmetric, stored once a pair with
--                person_id < related_person_id.

SET client_min_messages = warning;

CREATE SCHEMA IF NOT EXISTS mdm;

-- The unique person index: one row a person, with the golden-record demographics.
CREATE TABLE IF NOT EXISTS mdm.person (
    person_id      bigint PRIMARY KEY CHECK (person_id > 0),
    cms_id         text UNIQUE,
    first_name     text,
    last_name      text,
    date_of_birth  date,
    gender         text,
    address_line   text,
    postcode       text,
    uprn           bigint
);

-- Which source-system records were matched into each person.
CREATE TABLE IF NOT EXISTS mdm.person_source_link (
    source_system  text COLLATE "C" NOT NULL,
    source_key     text COLLATE "C" NOT NULL,
    person_id      bigint NOT NULL,
    PRIMARY KEY (source_system, source_key)
);
CREATE INDEX IF NOT EXISTS person_source_link_person_idx ON mdm.person_source_link (person_id);

CREATE TABLE IF NOT EXISTS mdm.relationship (
    person_id          bigint NOT NULL,
    related_person_id  bigint NOT NULL,
    relationship_type  text NOT NULL CHECK (relationship_type IN
        ('parent', 'child', 'sibling', 'half_sibling', 'step_parent', 'step_child',
         'partner', 'carer', 'cared_for', 'grandparent', 'grandchild')),
    source_system      text NOT NULL DEFAULT 'mdm',
    PRIMARY KEY (person_id, related_person_id, relationship_type),
    CHECK (person_id <> related_person_id)
);

CREATE TABLE IF NOT EXISTS mdm.school_record (
    id              bigint PRIMARY KEY,
    person_id       bigint NOT NULL,
    involvement     text NOT NULL CHECK (involvement IN ('current', 'historic')),
    school_name     text NOT NULL,
    admission_type  text,
    contact         text,
    start_date      date,
    end_date        date
);

CREATE TABLE IF NOT EXISTS mdm.childrens_social_care_record (
    id                bigint PRIMARY KEY,
    person_id         bigint NOT NULL,
    involvement_type  text NOT NULL CHECK (involvement_type IN ('early_help', 'cin', 'cp', 'lac')),
    start_date        date NOT NULL,
    end_date          date,
    team              text
);

CREATE TABLE IF NOT EXISTS mdm.adult_social_care_record (
    id                       bigint PRIMARY KEY,
    person_id                bigint NOT NULL,
    organisation             text NOT NULL,
    last_involvement_start   date,
    most_recent_interaction  date,
    involvement              text NOT NULL CHECK (involvement IN ('current', 'historic'))
);

CREATE TABLE IF NOT EXISTS mdm.housing_record (
    id                        bigint PRIMARY KEY,
    person_id                 bigint NOT NULL,
    association               text NOT NULL,
    tenancy_start             date,
    tenancy_end               date,
    anti_social_behaviour     text CHECK (anti_social_behaviour IN ('open', 'closed')),
    rent_arrears              text CHECK (rent_arrears IN ('open', 'closed')),
    notice_seeking_possession text CHECK (notice_seeking_possession IN ('open', 'closed')),
    eviction                  text CHECK (eviction IN ('open', 'closed'))
);

CREATE TABLE IF NOT EXISTS mdm.police_record (
    id                      bigint PRIMARY KEY,
    person_id               bigint NOT NULL,
    area                    text NOT NULL,
    -- up to three safeguarding offences: [{"date": "YYYY-MM-DD", "type": "...", "nature": "..."}]
    safeguarding_offences   jsonb NOT NULL DEFAULT '[]'
        CHECK (jsonb_typeof(safeguarding_offences) = 'array'
               AND jsonb_array_length(safeguarding_offences) <= 3),
    non_safeguarding_count  integer NOT NULL DEFAULT 0 CHECK (non_safeguarding_count >= 0)
);

-- One row a delivery to the family context database (a run of the nightly ETL).
-- counts:    {"person": n, "relationship": n, "school_record": n, ...}, the rows
--            the warehouse held for each entity when the run extracted them.
-- checksums: the same keys, each the key checksum of that entity (the definition
--            of fc.load_manifest.key_checksum; see sql/synthetic/load.sql).
CREATE TABLE IF NOT EXISTS mdm.load_run (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at  timestamptz,
    status       text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    counts       jsonb NOT NULL DEFAULT '{}',
    checksums    jsonb NOT NULL DEFAULT '{}',
    notes        text
);

-- The ETL's read-only role (the nightly load reads the warehouse as it).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mdm_reader') THEN
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO mdm_reader', current_database());
        GRANT USAGE ON SCHEMA mdm TO mdm_reader;
        GRANT SELECT ON ALL TABLES IN SCHEMA mdm TO mdm_reader;
        ALTER DEFAULT PRIVILEGES IN SCHEMA mdm GRANT SELECT ON TABLES TO mdm_reader;
    ELSE
        RAISE WARNING 'role mdm_reader does not exist: no grants made';
    END IF;
END
$$;

-- Admins validate loads (famctx mdm ...) reading the warehouse as themselves: their login roles
-- are members of famctx_admins (kept by `famctx roles sync`). They read only what validation
-- compares: the keys (person ids, relationship keys, record ids) and the load runs; no name, date
-- of birth, address or record content. Read-only; no other operator role is granted anything.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'famctx_admins') THEN
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO famctx_admins', current_database());
        GRANT USAGE ON SCHEMA mdm TO famctx_admins;
        REVOKE ALL ON ALL TABLES IN SCHEMA mdm FROM famctx_admins;
        ALTER DEFAULT PRIVILEGES IN SCHEMA mdm REVOKE SELECT ON TABLES FROM famctx_admins;
        GRANT SELECT ON mdm.load_run TO famctx_admins;
        GRANT SELECT (person_id) ON mdm.person TO famctx_admins;
        GRANT SELECT (person_id, related_person_id, relationship_type) ON mdm.relationship TO famctx_admins;
        GRANT SELECT (id) ON mdm.school_record, mdm.childrens_social_care_record,
            mdm.adult_social_care_record, mdm.housing_record, mdm.police_record TO famctx_admins;
    ELSE
        RAISE WARNING 'role famctx_admins does not exist (run sql/bootstrap.sql): no grants made';
    END IF;
END
$$;
