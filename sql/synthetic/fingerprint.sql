-- Fingerprint of the synthetic warehouse: for each mdm table, the row count and
-- the md5 of all its rows (each row as its text form, in key order). Two
-- generations with the same seed, persons and asof print the same lines.
--   psql "$FAMCTX_MDM_URL" -X -q -At -f sql/synthetic/fingerprint.sql
-- With -v showcase=1 only the showcase family (persons 1-6 and their rows).

\if :{?showcase}
\else
\set showcase 0
\endif
SELECT 'person', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY person_id), ''))
FROM mdm.person t WHERE :showcase = 0 OR person_id <= 6
UNION ALL
SELECT 'person_source_link', count(*),
       md5(coalesce(string_agg(t::text, E'\n' ORDER BY source_system, source_key), ''))
FROM mdm.person_source_link t WHERE :showcase = 0 OR person_id <= 6
UNION ALL
SELECT 'relationship', count(*),
       md5(coalesce(string_agg(t::text, E'\n' ORDER BY person_id, related_person_id, relationship_type COLLATE "C"), ''))
FROM mdm.relationship t WHERE :showcase = 0 OR person_id <= 6 OR related_person_id <= 6
UNION ALL
SELECT 'school_record', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY id), ''))
FROM mdm.school_record t WHERE :showcase = 0 OR person_id <= 6
UNION ALL
SELECT 'childrens_social_care_record', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY id), ''))
FROM mdm.childrens_social_care_record t WHERE :showcase = 0 OR person_id <= 6
UNION ALL
SELECT 'adult_social_care_record', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY id), ''))
FROM mdm.adult_social_care_record t WHERE :showcase = 0 OR person_id <= 6
UNION ALL
SELECT 'housing_record', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY id), ''))
FROM mdm.housing_record t WHERE :showcase = 0 OR person_id <= 6
UNION ALL
SELECT 'police_record', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY id), ''))
FROM mdm.police_record t WHERE :showcase = 0 OR person_id <= 6
ORDER BY 1;
