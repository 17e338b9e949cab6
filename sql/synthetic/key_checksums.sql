-- Row count and key checksum of each loaded entity, in the warehouse or in the
-- family context database: the values of fc.load_manifest and mdm.load_run.
-- Included by sql/synthetic/load.sql and scripts/seed with two psql variables:
--   schema      mdm | fc
--   person_key  person_id (mdm.person) | id (fc.person)
-- Leaves them in the temporary table entity_checksum (entity, row_count, key_checksum).
--
-- key_checksum = md5 of the entity's keys, each as text, in key order, joined
-- by a newline (no newline after the last; md5('') for an empty table):
--   person                                id                      e.g. "1\n2\n3"
--   relationship                          person_id:related_person_id:relationship_type,
--                                         ordered by person_id, related_person_id, then
--                                         relationship_type in byte order (COLLATE "C")
--   school_record, childrens_social_care_record, adult_social_care_record,
--   housing_record, police_record         id
-- Keys in decimal without padding; the order is numeric for the numbers.
-- The same list can be computed by a client, or over a key range to narrow a
-- difference down.

CREATE TEMP TABLE entity_checksum AS
SELECT 'person' AS entity, count(*) AS row_count,
       md5(coalesce(string_agg(k::text, E'\n' ORDER BY k), '')) AS key_checksum
FROM (SELECT :"person_key" AS k FROM :"schema".person) AS t
UNION ALL
SELECT 'relationship', count(*),
       md5(coalesce(string_agg(person_id || ':' || related_person_id || ':' || relationship_type, E'\n'
                               ORDER BY person_id, related_person_id, relationship_type COLLATE "C"), ''))
FROM :"schema".relationship
UNION ALL
SELECT 'school_record', count(*), md5(coalesce(string_agg(id::text, E'\n' ORDER BY id), ''))
FROM :"schema".school_record
UNION ALL
SELECT 'childrens_social_care_record', count(*), md5(coalesce(string_agg(id::text, E'\n' ORDER BY id), ''))
FROM :"schema".childrens_social_care_record
UNION ALL
SELECT 'adult_social_care_record', count(*), md5(coalesce(string_agg(id::text, E'\n' ORDER BY id), ''))
FROM :"schema".adult_social_care_record
UNION ALL
SELECT 'housing_record', count(*), md5(coalesce(string_agg(id::text, E'\n' ORDER BY id), ''))
FROM :"schema".housing_record
UNION ALL
SELECT 'police_record', count(*), md5(coalesce(string_agg(id::text, E'\n' ORDER BY id), ''))
FROM :"schema".police_record;
