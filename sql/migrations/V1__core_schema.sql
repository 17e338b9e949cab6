-- Family context core schema: persons from the MDM person index, their
-- relationships, the data sources and one table a service.
-- Runs as the owner role inside schema fc (created by the migration runner).

CREATE TABLE fc.data_source (
    code                 text PRIMARY KEY CHECK (code ~ '^[a-z_]{1,40}$'),
    title                text NOT NULL,
    min_age              integer NOT NULL DEFAULT 0 CHECK (min_age >= 0),
    max_age              integer CHECK (max_age IS NULL OR max_age >= min_age),
    last_synchronised    timestamptz,
    coverage_start       date,
    coverage_end         date,
    coverage_explanation text NOT NULL DEFAULT '',
    no_record_text       text NOT NULL DEFAULT 'No record held',
    sort_order           integer NOT NULL DEFAULT 0
);

INSERT INTO fc.data_source (code, title, min_age, max_age, coverage_explanation, no_record_text, sort_order) VALUES
    ('school', 'School', 4, 20,
     'Pupils on roll at maintained schools and academies in the borough, from the schools census and the admissions system.',
     'Not on roll at a school in the borough', 1),
    ('childrens_social_care', 'Children''s Social Care', 0, 25,
     'Early help, child in need, child protection and looked-after episodes recorded in the children''s case management system.',
     'Not known to children''s social care', 2),
    ('adult_social_care', 'Adult Social Care', 15, NULL,
     'Adults (and young people in transition from 15) with an assessment, service or recent contact in the adult case management system.',
     'Not known to adult social care', 3),
    ('housing', 'Housing', 16, NULL,
     'Tenants and joint tenants of the council''s housing partners; tenancy flags for anti-social behaviour, arrears, notices and evictions.',
     'Not a current tenant of a housing partner', 4),
    ('police', 'Police', 18, NULL,
     'Safeguarding-relevant police records shared under the information-sharing agreement; adults only.',
     'No police record shared', 5);

CREATE TABLE fc.person (
    id              bigint PRIMARY KEY CHECK (id > 0),
    cms_id          text UNIQUE,
    first_name      text,
    last_name       text,
    date_of_birth   date,
    gender          text,
    address_line    text,
    postcode        text,
    uprn            bigint
);
CREATE INDEX person_uprn_idx ON fc.person (uprn) WHERE uprn IS NOT NULL;
CREATE INDEX person_last_name_idx ON fc.person (lower(last_name), lower(first_name));

-- One row a relationship as the MDM delivers it: person_id is <type> of
-- related_person_id (e.g. 2 parent 1). The inverse is derived at read time.
CREATE TABLE fc.relationship (
    person_id          bigint NOT NULL,
    related_person_id  bigint NOT NULL,
    relationship_type  text NOT NULL CHECK (relationship_type IN
        ('parent', 'child', 'sibling', 'half_sibling', 'step_parent', 'step_child',
         'partner', 'carer', 'cared_for', 'grandparent', 'grandchild')),
    source_system      text NOT NULL DEFAULT 'mdm',
    PRIMARY KEY (person_id, related_person_id, relationship_type),
    CHECK (person_id <> related_person_id)
);
CREATE INDEX relationship_related_idx ON fc.relationship (related_person_id);

CREATE TABLE fc.school_record (
    id              bigint PRIMARY KEY,
    person_id       bigint NOT NULL,
    involvement     text NOT NULL CHECK (involvement IN ('current', 'historic')),
    school_name     text NOT NULL,
    admission_type  text,
    contact         text,
    start_date      date,
    end_date        date
);
CREATE INDEX school_record_person_idx ON fc.school_record (person_id);

CREATE TABLE fc.childrens_social_care_record (
    id                bigint PRIMARY KEY,
    person_id         bigint NOT NULL,
    involvement_type  text NOT NULL CHECK (involvement_type IN ('early_help', 'cin', 'cp', 'lac')),
    start_date        date NOT NULL,
    end_date          date,
    team              text
);
CREATE INDEX csc_record_person_idx ON fc.childrens_social_care_record (person_id);

CREATE TABLE fc.adult_social_care_record (
    id                       bigint PRIMARY KEY,
    person_id                bigint NOT NULL,
    organisation             text NOT NULL,
    last_involvement_start   date,
    most_recent_interaction  date,
    involvement              text NOT NULL CHECK (involvement IN ('current', 'historic'))
);
CREATE INDEX asc_record_person_idx ON fc.adult_social_care_record (person_id);

CREATE TABLE fc.housing_record (
    id                       bigint PRIMARY KEY,
    person_id                bigint NOT NULL,
    association              text NOT NULL,
    tenancy_start            date,
    tenancy_end              date,
    anti_social_behaviour    text CHECK (anti_social_behaviour IN ('open', 'closed')),
    rent_arrears             text CHECK (rent_arrears IN ('open', 'closed')),
    notice_seeking_possession text CHECK (notice_seeking_possession IN ('open', 'closed')),
    eviction                 text CHECK (eviction IN ('open', 'closed'))
);
CREATE INDEX housing_record_person_idx ON fc.housing_record (person_id);

CREATE TABLE fc.police_record (
    id                          bigint PRIMARY KEY,
    person_id                   bigint NOT NULL,
    area                        text NOT NULL,
    -- up to three safeguarding offences: [{"date": "...", "type": "...", "nature": "..."}]
    safeguarding_offences       jsonb NOT NULL DEFAULT '[]'
        CHECK (jsonb_typeof(safeguarding_offences) = 'array'
               AND jsonb_array_length(safeguarding_offences) <= 3),
    non_safeguarding_count      integer NOT NULL DEFAULT 0 CHECK (non_safeguarding_count >= 0)
);
CREATE INDEX police_record_person_idx ON fc.police_record (person_id);

-- Each load from the MDM warehouse, with a manifest of what it delivered.
CREATE TABLE fc.load_run (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz,
    status       text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    mdm_run_id   bigint,
    notes        text
);

CREATE TABLE fc.load_manifest (
    load_run_id  bigint NOT NULL REFERENCES fc.load_run (id),
    entity       text NOT NULL,
    row_count    bigint NOT NULL,
    key_checksum text,
    PRIMARY KEY (load_run_id, entity)
);
