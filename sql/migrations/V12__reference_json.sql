-- The documents in the reference Family Context API's names and types (its OpenAPI document:
-- CSCDP/Family-Context-PrivateBeta, "Reference App/API/schema/family-context-api.yaml"), so that
-- a client written against that API reads famctx's JSON and the API's unchanged. famctx's own
-- keys stay, as additions the reference allows. The published JSON Schemas are in schema/.
--
--   Person                 id, cmsId, firstName, lastName, dateOfBirth, gender (male | female |
--                          other; left out when unknown), address (one string); additions: age,
--                          addressDetail {line, postcode, uprn}. A key whose value is unknown is
--                          left out (the reference's types are strings, not null), except
--                          firstName and lastName, which it requires ("" when unknown).
--   PersonWithRelationship Person + relationship, relationshipToId.
--   ServiceDetail          {summary: ServiceSummary, schema: a JSON Schema of data, data: the
--                          current record as the service's reference object (School,
--                          AdultSocialCare, Housing, Police; ChildrensSocialCare is famctx's, in
--                          the same style), {} when none}; addition: history, the person's other
--                          records of that source in the same shape, latest first.
--   SearchResults          {paginationInfo {totalResults, resultsPerPage, pageNumber},
--                          results: [Person]}.
--
-- fc_api.family_show is unchanged: it still takes the persons disclosed from person.id and
-- family[].id, and the sources from the services that carry a detail.

-- The reference's gender values: male, female, other; NULL (left out) when not known.
CREATE FUNCTION fc.reference_gender(p_gender text)
RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN p_gender IS NULL OR lower(btrim(p_gender)) IN ('', 'unknown', 'not known', 'not stated',
                                                             'not recorded', 'u') THEN NULL
        WHEN lower(btrim(p_gender)) IN ('male', 'm') THEN 'male'
        WHEN lower(btrim(p_gender)) IN ('female', 'f') THEN 'female'
        ELSE 'other' END;
$$;

-- A person as the reference's Person, with famctx's additions (age, addressDetail).
CREATE FUNCTION fc.person_json(p fc.person)
RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'id', 'fc:' || p.id,
        'cmsId', p.cms_id,
        'firstName', coalesce(p.first_name, ''),
        'lastName', coalesce(p.last_name, ''),
        'dateOfBirth', p.date_of_birth,
        'gender', fc.reference_gender(p.gender),
        'address', nullif(concat_ws(', ', nullif(btrim(p.address_line), ''), nullif(btrim(p.postcode), '')), ''),
        'age', extract(year FROM age(current_date, p.date_of_birth))::int,
        'addressDetail', nullif(jsonb_strip_nulls(jsonb_build_object(
            'line', p.address_line, 'postcode', p.postcode, 'uprn', p.uprn)), '{}'::jsonb)));
$$;

-- A contact as the reference's Contact {name, email, phone, role}, from the one text the
-- sources deliver ("School office, 01632 960829").
CREATE FUNCTION fc.contact_json(p_contact text)
RETURNS jsonb
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN nullif(btrim(p_contact), '') IS NULL THEN NULL
        WHEN m IS NOT NULL THEN jsonb_build_object('name', m[1], 'phone', m[2])
        WHEN btrim(p_contact) ~ '^[^@\s,]+@[^@\s,]+$' THEN jsonb_build_object('email', btrim(p_contact))
        ELSE jsonb_build_object('name', btrim(p_contact)) END
    FROM (SELECT regexp_match(btrim(p_contact), '^(.*\S)\s*,\s*(\+?[0-9][0-9 ()-]{5,})$') AS m) x;
$$;

-- The JSON Schema of a source's data object, as the reference's ServiceDetail.schema: its
-- component schema with Contact resolved, titles, x-item-seq (display order) and x-ref.
CREATE FUNCTION fc.service_schema(p_code text)
RETURNS jsonb
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    WITH k AS (
        SELECT '{"type": "object", "description": "Generic object describing the contact information",
                 "properties": {"name": {"type": "string"}, "email": {"type": "string"},
                                "phone": {"type": "string"}, "role": {"type": "string"}}}'::jsonb AS contact,
               '{"type": "string", "enum": ["current", "historic"]}'::jsonb AS involvement,
               '{"type": "string", "enum": ["open", "closed"]}'::jsonb AS flag,
               '{"type": "string", "format": "date"}'::jsonb AS day,
               '{"type": "string"}'::jsonb AS str
    ),
    prop (code, seq, name, title, sch) AS (
        SELECT 'school', 1, 'serviceInvolvement', 'Service involvement', involvement FROM k
        UNION ALL SELECT 'school', 2, 'contact', 'Contact', contact FROM k
        UNION ALL SELECT 'school', 3, 'schoolName', 'School name', str FROM k
        UNION ALL SELECT 'school', 4, 'admissionType', 'Admission type', str FROM k
        UNION ALL SELECT 'school', 5, 'startDate', 'Start date', day FROM k
        UNION ALL SELECT 'school', 6, 'endDate', 'End date', day FROM k
        UNION ALL SELECT 'childrens_social_care', 1, 'serviceInvolvement', 'Service involvement', involvement FROM k
        UNION ALL SELECT 'childrens_social_care', 2, 'involvementType', 'Involvement type',
                         '{"type": "string", "enum": ["Early help", "Child in need", "Child protection",
                                                      "Looked after child"]}'::jsonb FROM k
        UNION ALL SELECT 'childrens_social_care', 3, 'involvementCode', 'Involvement code',
                         '{"type": "string", "enum": ["early_help", "cin", "cp", "lac"]}'::jsonb FROM k
        UNION ALL SELECT 'childrens_social_care', 4, 'team', 'Team', str FROM k
        UNION ALL SELECT 'childrens_social_care', 5, 'contact', 'Contact', contact FROM k
        UNION ALL SELECT 'childrens_social_care', 6, 'startDate', 'Start of involvement', day FROM k
        UNION ALL SELECT 'childrens_social_care', 7, 'endDate', 'End of involvement', day FROM k
        UNION ALL SELECT 'adult_social_care', 1, 'serviceInvolvement', 'Service involvement', involvement FROM k
        UNION ALL SELECT 'adult_social_care', 2, 'localAuthorityOrganisation', 'Local Authority Organisation', str FROM k
        UNION ALL SELECT 'adult_social_care', 3, 'contact', 'Contact', contact FROM k
        UNION ALL SELECT 'adult_social_care', 4, 'startDateOfLastInvolvement', 'Start of last involvement', day FROM k
        UNION ALL SELECT 'adult_social_care', 5, 'dateOfMostRecentInteraction', 'Date of most recent interaction', day FROM k
        UNION ALL SELECT 'housing', 1, 'serviceInvolvement', 'Service involvement', involvement FROM k
        UNION ALL SELECT 'housing', 2, 'housingAssociation', 'Housing Association', str FROM k
        UNION ALL SELECT 'housing', 3, 'contact', 'Contact', contact FROM k
        UNION ALL SELECT 'housing', 4, 'tenancyStart', 'Tenancy Start', day FROM k
        UNION ALL SELECT 'housing', 5, 'antiSocialBehaviour', 'Anti social behaviour', flag FROM k
        UNION ALL SELECT 'housing', 6, 'rentArrears', 'Rent arrears', flag FROM k
        UNION ALL SELECT 'housing', 7, 'noticeSeekingPossession', 'Notice seeking possession', flag FROM k
        UNION ALL SELECT 'housing', 8, 'eviction', 'Eviction', flag FROM k
        UNION ALL SELECT 'housing', 9, 'tenancyEnd', 'Tenancy End', day FROM k
        UNION ALL SELECT 'police', 1, 'policeArea', 'Police Area', str FROM k
        UNION ALL SELECT 'police', 2, 'contact', 'Contact', contact FROM k
        UNION ALL SELECT 'police', 3, 'safeGuardingOffences', 'Safeguarding Offences (a maximum of 3 will be listed)',
                         '{"type": "array", "maxItems": 3, "items": {"type": "object", "properties": {
                             "dateOfOffence": {"type": "string", "format": "date", "title": "Date of Offence"},
                             "typeOfOffence": {"type": "string", "title": "Type of Offence"},
                             "natureOfInvolvement": {"type": "string", "title": "Nature of Involvement"}}}}'::jsonb FROM k
        UNION ALL SELECT 'police', 4, 'nonSafeGuardingOffences', 'Non-safeguarding Offences',
                         '{"type": "array", "items": {"type": "object", "properties": {
                             "recordsFound": {"type": "string", "title": "Records Found"},
                             "count": {"type": "integer", "title": "Number of records"}}}}'::jsonb FROM k
    )
    SELECT jsonb_build_object(
        'type', 'object',
        'title', CASE p_code WHEN 'school' THEN 'School' WHEN 'childrens_social_care' THEN 'Children''s Social Care'
                             WHEN 'adult_social_care' THEN 'Adult Social Care' WHEN 'housing' THEN 'Housing'
                             WHEN 'police' THEN 'Police' END,
        'x-ref', CASE p_code
            WHEN 'school' THEN 'http://www.sfdl.org.uk/schemas/fc/0.0.1#School'
            WHEN 'adult_social_care' THEN 'http://www.sfdl.org.uk/schemas/fc/0.0.1#AdultSocialCare'
            WHEN 'housing' THEN 'http://www.sfdl.org.uk/schemas/fc/0.0.1#Housing'
            WHEN 'police' THEN 'http://www.sfdl.org.uk/schemas/fc/0.0.1#Police'
            ELSE 'schema/family-show.schema.json#/$defs/ChildrensSocialCare' END,
        'properties', jsonb_object_agg(prop.name, prop.sch || jsonb_build_object('title', prop.title,
                                                                                     'x-item-seq', prop.seq)))
    FROM prop WHERE prop.code = p_code;
$$;

-- The family of one person as the caller (objectGUID p_guid) may see it: the walk to p_depth
-- (both directions of each relationship), the household (same UPRN), and for each member every
-- data source: shown (ServiceDetail), restricted (no current grant) or outside the source's age
-- rule. One statement; the API and famctx get the same document:
--   {"person": Person + services, "family": [PersonWithRelationship + services], "depth", "household"}
--   services: [{"dataSource", "status": shown | restricted | outside_age_rule, "explanation",
--               "detail"?: ServiceDetail + history}]
CREATE OR REPLACE FUNCTION fc.family_document(p_guid uuid, p_person bigint, p_depth int, p_household boolean)
RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
WITH RECURSIVE walk (person_id, relationship, relationship_to, depth, path) AS (
    SELECT p_person, NULL::text, NULL::bigint, 0, ARRAY[p_person]
  UNION ALL
    SELECT e.other, e.relationship, w.person_id, w.depth + 1, w.path || e.other
    FROM walk w
    CROSS JOIN LATERAL (
        SELECT r.person_id AS other, r.relationship_type AS relationship
        FROM fc.relationship r WHERE r.related_person_id = w.person_id
      UNION ALL
        SELECT r.related_person_id, CASE r.relationship_type
            WHEN 'parent' THEN 'child' WHEN 'child' THEN 'parent'
            WHEN 'step_parent' THEN 'step_child' WHEN 'step_child' THEN 'step_parent'
            WHEN 'grandparent' THEN 'grandchild' WHEN 'grandchild' THEN 'grandparent'
            WHEN 'carer' THEN 'cared_for' WHEN 'cared_for' THEN 'carer'
            ELSE r.relationship_type END
        FROM fc.relationship r WHERE r.person_id = w.person_id
    ) e
    WHERE w.depth < p_depth AND e.other <> ALL (w.path)
),
nearest AS (
    SELECT DISTINCT ON (person_id) person_id, relationship, relationship_to, depth
    FROM walk ORDER BY person_id, depth, relationship_to, relationship
),
members AS (
    SELECT * FROM nearest
  UNION ALL
    SELECT h.id, 'household_member', p_person, 1
    FROM fc.person s JOIN fc.person h ON h.uprn = s.uprn AND h.id <> s.id
    WHERE p_household AND s.id = p_person AND s.uprn IS NOT NULL
      AND h.id NOT IN (SELECT person_id FROM nearest)
),
people AS (
    SELECT m.*, fc.person_json(p) AS base,
           extract(year FROM age(current_date, p.date_of_birth))::int AS age
    FROM members m JOIN fc.person p ON p.id = m.person_id
),
granted AS (SELECT g.source_code FROM fc.current_grants(p_guid) g),
verdict AS (
    SELECT p.person_id, s.code,
           CASE WHEN s.code NOT IN (SELECT source_code FROM granted) THEN 'restricted'
                WHEN p.age IS NULL THEN 'age_unknown'
                WHEN p.age < s.min_age OR p.age > coalesce(s.max_age, 200) THEN 'outside_age_rule'
                ELSE 'shown' END AS status
    FROM people p CROSS JOIN fc.data_source s
),
shown AS (SELECT person_id, code FROM verdict WHERE status = 'shown'),
-- Each record as its reference object; current first, then the latest.
records AS (
    SELECT 'school' AS code, x.person_id, x.involvement = 'current' AS is_current,
           x.start_date AS since, x.id,
           jsonb_strip_nulls(jsonb_build_object(
               'serviceInvolvement', x.involvement, 'contact', fc.contact_json(x.contact),
               'schoolName', x.school_name, 'admissionType', x.admission_type,
               'startDate', x.start_date, 'endDate', x.end_date)) AS rec
    FROM fc.school_record x
    WHERE (x.person_id, 'school') IN (SELECT * FROM shown)
  UNION ALL
    SELECT 'childrens_social_care', x.person_id, x.end_date IS NULL OR x.end_date >= current_date,
           x.start_date, x.id,
           jsonb_strip_nulls(jsonb_build_object(
               'serviceInvolvement', CASE WHEN x.end_date IS NULL OR x.end_date >= current_date
                                          THEN 'current' ELSE 'historic' END,
               'involvementType', CASE x.involvement_type WHEN 'early_help' THEN 'Early help'
                                      WHEN 'cin' THEN 'Child in need' WHEN 'cp' THEN 'Child protection'
                                      WHEN 'lac' THEN 'Looked after child' END,
               'involvementCode', x.involvement_type, 'team', x.team,
               'startDate', x.start_date, 'endDate', x.end_date))
    FROM fc.childrens_social_care_record x
    WHERE (x.person_id, 'childrens_social_care') IN (SELECT * FROM shown)
  UNION ALL
    SELECT 'adult_social_care', x.person_id, x.involvement = 'current',
           coalesce(x.last_involvement_start, x.most_recent_interaction), x.id,
           jsonb_strip_nulls(jsonb_build_object(
               'serviceInvolvement', x.involvement, 'localAuthorityOrganisation', x.organisation,
               'startDateOfLastInvolvement', x.last_involvement_start,
               'dateOfMostRecentInteraction', x.most_recent_interaction))
    FROM fc.adult_social_care_record x
    WHERE (x.person_id, 'adult_social_care') IN (SELECT * FROM shown)
  UNION ALL
    SELECT 'housing', x.person_id, x.tenancy_end IS NULL OR x.tenancy_end >= current_date,
           x.tenancy_start, x.id,
           jsonb_strip_nulls(jsonb_build_object(
               'serviceInvolvement', CASE WHEN x.tenancy_end IS NULL OR x.tenancy_end >= current_date
                                          THEN 'current' ELSE 'historic' END,
               'housingAssociation', x.association, 'tenancyStart', x.tenancy_start,
               'antiSocialBehaviour', x.anti_social_behaviour, 'rentArrears', x.rent_arrears,
               'noticeSeekingPossession', x.notice_seeking_possession, 'eviction', x.eviction,
               'tenancyEnd', x.tenancy_end))
    FROM fc.housing_record x
    WHERE (x.person_id, 'housing') IN (SELECT * FROM shown)
  UNION ALL
    SELECT 'police', x.person_id, true,
           (SELECT max((o ->> 'date')::date) FROM jsonb_array_elements(x.safeguarding_offences) o), x.id,
           jsonb_build_object(
               'policeArea', x.area,
               'safeGuardingOffences', coalesce((
                   SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                              'dateOfOffence', o ->> 'date', 'typeOfOffence', o ->> 'type',
                              'natureOfInvolvement', o ->> 'nature')) ORDER BY n)
                   FROM jsonb_array_elements(x.safeguarding_offences) WITH ORDINALITY AS t (o, n)), '[]'),
               'nonSafeGuardingOffences', jsonb_build_array(jsonb_build_object(
                   'recordsFound', CASE WHEN x.non_safeguarding_count > 0 THEN 'Yes' ELSE 'No' END,
                   'count', x.non_safeguarding_count)))
    FROM fc.police_record x
    WHERE (x.person_id, 'police') IN (SELECT * FROM shown)
),
services AS (
    SELECT v.person_id, s.sort_order, s.code, v.status, s.title, s.no_record_text, s.last_synchronised,
           s.coverage_start, s.coverage_end, s.coverage_explanation,
           fc.age_rule(s.min_age, s.max_age) AS rule,
           coalesce((SELECT jsonb_agg(r.rec ORDER BY r.is_current DESC, r.since DESC NULLS LAST, r.id DESC)
                     FROM records r
                     WHERE r.person_id = v.person_id AND r.code = s.code), '[]'::jsonb) AS recs
    FROM verdict v JOIN fc.data_source s ON s.code = v.code
),
person_docs AS (
    SELECT p.person_id, p.depth,
           p.base
           || jsonb_strip_nulls(jsonb_build_object('relationship', p.relationship,
               'relationshipToId', 'fc:' || p.relationship_to))
           || jsonb_build_object(
               'services', (
                   SELECT jsonb_agg(CASE sv.status
                       WHEN 'shown' THEN jsonb_build_object(
                           'dataSource', sv.code, 'status', 'shown',
                           'explanation', CASE WHEN jsonb_array_length(sv.recs) > 0
                                               THEN jsonb_array_length(sv.recs) || ' record(s) held'
                                               ELSE sv.no_record_text END,
                           'detail', jsonb_build_object(
                               'summary', jsonb_build_object(
                                   'id', sv.code || ':fc:' || p.person_id, 'title', sv.title,
                                   'lastSynchronised', fc.utc(sv.last_synchronised),
                                   'coverageStartDate', sv.coverage_start,
                                   'coverageEndDate', sv.coverage_end, 'dataSource', sv.code,
                                   'recordsAvailable', jsonb_array_length(sv.recs) > 0,
                                   'coverageExplanation', sv.coverage_explanation),
                               'schema', fc.service_schema(sv.code),
                               'data', coalesce(sv.recs -> 0, '{}'::jsonb),
                               'history', sv.recs - 0))
                       WHEN 'restricted' THEN jsonb_build_object(
                           'dataSource', sv.code, 'status', 'restricted',
                           'explanation', 'restricted: you hold no current grant on ' || sv.title)
                       WHEN 'age_unknown' THEN jsonb_build_object(
                           'dataSource', sv.code, 'status', 'outside_age_rule',
                           'explanation', format('not shown: %s is shown only for ages %s, and this '
                                                 'person''s date of birth is unknown', sv.title, sv.rule))
                       ELSE jsonb_build_object(
                           'dataSource', sv.code, 'status', 'outside_age_rule',
                           'explanation', format('not shown: %s is shown only for ages %s (this person is %s)',
                                                 sv.title, sv.rule, p.age))
                       END ORDER BY sv.sort_order, sv.code)
                   FROM services sv WHERE sv.person_id = p.person_id)) AS doc
    FROM people p
)
SELECT jsonb_build_object(
    'person', (SELECT d.doc FROM person_docs d WHERE d.person_id = p_person),
    'family', coalesce((SELECT jsonb_agg(d.doc ORDER BY d.depth, d.person_id) FROM person_docs d
                        WHERE d.person_id <> p_person), '[]'),
    'depth', p_depth,
    'household', p_household);
$$;

-- Persons by last name (exact, any case), first name prefix and date of birth, youngest first.
-- {"last_name", "first_name"?, "dob"?, "page"?, "limit"?, "reason"}
--   -> SearchResults: {"paginationInfo": {"totalResults", "resultsPerPage", "pageNumber"},
--                      "results": [Person]}
CREATE OR REPLACE FUNCTION fc_api.person_search(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'user');
    v_reason text;
    v_last text;
    v_first text;
    v_dob date;
    v_page int;
    v_limit int;
    v_total bigint;
    v_results jsonb;
    v_ids bigint[];
    v_details jsonb;
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'searched', 'not_permitted', c.refusal);
    END IF;
    BEGIN
        v_reason := fc.reason(p_request);
        v_last := fc.free_text(p_request ->> 'last_name', 'last name', 100, true);
        v_first := fc.free_text(p_request ->> 'first_name', 'first name', 100, false);
        IF p_request ->> 'dob' IS NOT NULL THEN
            IF (p_request ->> 'dob') !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
                PERFORM fc.fail('usage', 'dob is not a date: use YYYY-MM-DD');
            END IF;
            BEGIN
                v_dob := (p_request ->> 'dob')::date;
            EXCEPTION WHEN others THEN
                PERFORM fc.fail('usage', 'dob is not a date: use YYYY-MM-DD');
            END;
        END IF;
        v_page := fc.int_arg(p_request, 'page', 1, 1, 100000);
        v_limit := fc.int_arg(p_request, 'limit', 20, 1, 200);
    EXCEPTION WHEN SQLSTATE 'FCUSE' THEN
        RETURN fc.refuse(c, 'searched', 'usage', SQLERRM, NULL, v_reason);
    END;
    v_details := jsonb_build_object('last_name', v_last, 'first_name', v_first, 'dob', v_dob,
                                    'page', v_page, 'limit', v_limit);
    WITH m AS (
        SELECT p.id, p.date_of_birth, fc.person_json(p) AS doc, count(*) OVER () AS total
        FROM fc.person p
        WHERE lower(p.last_name) = lower(v_last)
          AND (v_first IS NULL OR lower(p.first_name) LIKE
               lower(regexp_replace(v_first, '([%_\\])', '\\\1', 'g')) || '%' ESCAPE '\')
          AND (v_dob IS NULL OR p.date_of_birth = v_dob)
        ORDER BY p.date_of_birth DESC NULLS LAST, p.id
        LIMIT v_limit OFFSET (v_page - 1)::bigint * v_limit
    )
    SELECT coalesce(max(m.total), 0),
           coalesce(jsonb_agg(m.doc ORDER BY m.date_of_birth DESC NULLS LAST, m.id), '[]'),
           coalesce(array_agg(m.id ORDER BY m.date_of_birth DESC NULLS LAST, m.id), '{}')
      INTO v_total, v_results, v_ids
      FROM m;
    IF v_total = 0 AND v_page > 1 THEN
        SELECT count(*) INTO v_total FROM fc.person p
        WHERE lower(p.last_name) = lower(v_last)
          AND (v_first IS NULL OR lower(p.first_name) LIKE
               lower(regexp_replace(v_first, '([%_\\])', '\\\1', 'g')) || '%' ESCAPE '\')
          AND (v_dob IS NULL OR p.date_of_birth = v_dob);
    END IF;
    RETURN fc.disclose(c, 'searched',
        jsonb_build_object(
            'paginationInfo', jsonb_build_object('totalResults', v_total, 'resultsPerPage', v_limit,
                                                 'pageNumber', v_page),
            'results', v_results),
        NULL, v_ids, '{}', v_reason, v_details || jsonb_build_object('total', v_total));
END;
$$;
