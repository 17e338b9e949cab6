-- Restricted persons, with access grants for a person and break-glass.
--
-- An admin marks a person restricted (a category, a reason, a review date); changing or lifting
-- the restriction keeps its history (one open restriction a person; a change closes the open one
-- and opens the next). To a caller without a current access grant for that person, a restricted
-- person appears, as subject, family member or search result, as a stub: the person id (and, for
-- a family member, the relationship) and nothing else. When the subject is withheld, so is the
-- family: a restricted person's relationships are themselves sensitive. The walk of a family
-- does not go through a withheld member either (an adopted child's birth family is reached only
-- through the child).
--
-- An admin grants a named operator access to a restricted person (fc.person_access_grant, like a
-- source grant: an expiry, revocation kept, no self-grant, an expired grant is no access). An
-- operator without it may break the glass: a family lookup with "break_glass": true and a reason
-- (required, whatever fc.policy says) discloses the restricted persons of that document, and its
-- audit row is marked break_glass (V21) when it disclosed one the caller had no grant for. A
-- refused break-glass request stays marked, so IG reviews attempts too; fc_api.audit_break_glass
-- lists the marked rows.
--
-- Every SECURITY DEFINER function here runs with search_path = pg_catalog, pg_temp and names fc
-- objects in full; the fc_api entry points pin UTC and ISO dates as V15 does.

INSERT INTO fc.audit_action (code, description) VALUES
    ('person_restricted', 'marked a person restricted'),
    ('person_restriction_changed', 'changed the category, reason or review date of a person''s restriction'),
    ('person_unrestricted', 'lifted a person''s restriction'),
    ('person_access_granted', 'granted a user access to a restricted person'),
    ('person_access_extended', 'extended a user''s access to a restricted person'),
    ('person_access_revoked', 'revoked a user''s access to a restricted person'),
    ('restrictions_reviewed', 'listed the restricted persons and their review dates'),
    ('break_glass_listed', 'listed the break-glass audit rows');

-- Restrictions, history kept: a change closes the open row ("changed") and opens the next; a
-- lift closes it ("lifted"). No foreign key to fc.person: the nightly load replaces the person
-- index, and a restriction outlives a person's absence from one load.
CREATE TABLE fc.person_restriction (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id      bigint NOT NULL CHECK (person_id > 0),
    category       text NOT NULL CHECK (category IN ('adoption', 'high_profile', 'staff_related',
                                                     'high_risk', 'other')),
    reason         text NOT NULL CHECK (btrim(reason) <> '' AND char_length(reason) <= 500),
    review_by      date NOT NULL,
    set_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    set_by_guid    uuid NOT NULL REFERENCES fc.app_user (object_guid),
    ended_at       timestamptz,
    ended_by_guid  uuid REFERENCES fc.app_user (object_guid),
    ended_how      text CHECK (ended_how IN ('changed', 'lifted')),
    end_reason     text,
    CHECK ((ended_at IS NULL) = (ended_by_guid IS NULL) AND (ended_at IS NULL) = (ended_how IS NULL)),
    CHECK (ended_at IS NULL OR btrim(coalesce(end_reason, '')) <> '')
);
-- One open restriction a person.
CREATE UNIQUE INDEX person_restriction_open_idx ON fc.person_restriction (person_id) WHERE ended_at IS NULL;
CREATE INDEX person_restriction_review_idx ON fc.person_restriction (review_by) WHERE ended_at IS NULL;

-- Access to one restricted person, modelled on fc.permission_grant.
CREATE TABLE fc.person_access_grant (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    grantee_guid     uuid NOT NULL REFERENCES fc.app_user (object_guid),
    person_id        bigint NOT NULL CHECK (person_id > 0),
    granted_by_guid  uuid NOT NULL REFERENCES fc.app_user (object_guid),
    reason           text NOT NULL CHECK (btrim(reason) <> ''),
    ticket           text,
    valid_from       timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at       timestamptz,
    revoked_at       timestamptz,
    revoked_by_guid  uuid REFERENCES fc.app_user (object_guid),
    revoke_reason    text,
    CHECK (grantee_guid <> granted_by_guid),
    CHECK (expires_at IS NULL OR expires_at > valid_from),
    CHECK ((revoked_at IS NULL) = (revoked_by_guid IS NULL)),
    CHECK (revoked_at IS NULL OR btrim(coalesce(revoke_reason, '')) <> '')
);
-- At most one open (unrevoked) grant a user and person; expiry is judged at check time.
CREATE UNIQUE INDEX person_access_grant_open_idx
    ON fc.person_access_grant (grantee_guid, person_id) WHERE revoked_at IS NULL;
CREATE INDEX person_access_grant_person_idx ON fc.person_access_grant (person_id);

-- Nobody but the owner reads or writes them (the default privileges already say so; said again).
REVOKE ALL ON fc.person_restriction, fc.person_access_grant FROM PUBLIC;

-- How the caller (objectGUID p_guid) may see one person now: NULL when the person is not
-- restricted; 'grant' with a current access grant for them; otherwise 'break_glass' when the
-- request breaks the glass, else 'withheld'. Called only inside SECURITY DEFINER functions.
CREATE FUNCTION fc.person_access(p_guid uuid, p_person bigint, p_break_glass boolean)
RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN NOT EXISTS (SELECT 1 FROM fc.person_restriction r
                         WHERE r.person_id = p_person AND r.ended_at IS NULL) THEN NULL
        WHEN EXISTS (SELECT 1 FROM fc.person_access_grant g
                     WHERE g.grantee_guid = p_guid AND g.person_id = p_person AND g.revoked_at IS NULL
                       AND g.valid_from <= clock_timestamp()
                       AND (g.expires_at IS NULL OR g.expires_at > clock_timestamp())) THEN 'grant'
        WHEN coalesce(p_break_glass, false) THEN 'break_glass'
        ELSE 'withheld' END;
$$;

-- A restricted person whose details are withheld, as the reference's Person requires it (id,
-- firstName, lastName: "" as for an unknown name) with famctx's marker and what to do.
CREATE FUNCTION fc.restricted_stub(p_person bigint)
RETURNS jsonb
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_build_object(
        'id', 'fc:' || p_person, 'firstName', '', 'lastName', '',
        'restricted', true, 'restrictedAccess', 'withheld',
        'explanation', 'restricted person: name, date of birth, address, family and services are '
                       'withheld; ask a Family Context administrator for access to this person, or '
                       'break the glass (a lookup with a reason, recorded as break-glass and reviewed by IG)');
$$;

-- V12's family document, with restricted persons: for each person the caller's access
-- (fc.person_access); a withheld person is a stub (fc.restricted_stub, with relationship and
-- relationshipToId for a member, "services": []), the walk goes no further through them, and a
-- withheld subject has no family and no household. A restricted person shown carries
-- "restricted": true and "restrictedAccess": "grant" | "break_glass".
--   {"person": Person + services, "family": [PersonWithRelationship + services], "depth", "household"}
DROP FUNCTION fc.family_document(uuid, bigint, int, boolean);
CREATE FUNCTION fc.family_document(p_guid uuid, p_person bigint, p_depth int, p_household boolean,
                                   p_break_glass boolean)
RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
WITH RECURSIVE walk (person_id, relationship, relationship_to, depth, path, withheld) AS (
    SELECT p_person, NULL::text, NULL::bigint, 0, ARRAY[p_person],
           fc.person_access(p_guid, p_person, p_break_glass) IS NOT DISTINCT FROM 'withheld'
  UNION ALL
    SELECT e.other, e.relationship, w.person_id, w.depth + 1, w.path || e.other,
           fc.person_access(p_guid, e.other, p_break_glass) IS NOT DISTINCT FROM 'withheld'
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
    WHERE w.depth < p_depth AND e.other <> ALL (w.path) AND NOT w.withheld
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
      AND NOT EXISTS (SELECT 1 FROM walk w WHERE w.depth = 0 AND w.withheld)
),
people AS (
    SELECT m.*, fc.person_access(p_guid, m.person_id, p_break_glass) AS access,
           fc.person_json(p) AS base,
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
    WHERE p.access IS DISTINCT FROM 'withheld'
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
           CASE WHEN p.access = 'withheld' THEN fc.restricted_stub(p.person_id) ELSE p.base END
           || jsonb_strip_nulls(jsonb_build_object('relationship', p.relationship,
               'relationshipToId', 'fc:' || p.relationship_to))
           || CASE WHEN p.access IN ('grant', 'break_glass')
                   THEN jsonb_build_object('restricted', true, 'restrictedAccess', p.access)
                   ELSE '{}'::jsonb END
           || jsonb_build_object(
               'services', coalesce((
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
                   FROM services sv WHERE sv.person_id = p.person_id), '[]'::jsonb)) AS doc
    FROM people p
)
SELECT jsonb_build_object(
    'person', (SELECT d.doc FROM person_docs d WHERE d.person_id = p_person),
    'family', coalesce((SELECT jsonb_agg(d.doc ORDER BY d.depth, d.person_id) FROM person_docs d
                        WHERE d.person_id <> p_person), '[]'),
    'depth', p_depth,
    'household', p_household);
$$;

-- A family lookup. {"id", "depth"? (1-3, default 1), "household"? (false), "reason",
-- "break_glass"?: true}
--   -> the family document (fc.family_document), disclosed after its audit row commits.
-- Breaking the glass needs a reason whatever fc.policy says. The audit row lists in
-- persons_disclosed only the persons whose details were shown; the restricted persons withheld
-- are in details.restricted_withheld, those shown by breaking the glass in
-- details.break_glass_disclosed. The row is marked break_glass only when the request disclosed a
-- restricted person the caller holds no grant for (details.break_glass_requested records a
-- request that had nothing to break); a refused break-glass request stays marked.
CREATE OR REPLACE FUNCTION fc_api.family_show(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'user');
    v_reason text;
    v_person bigint;
    v_depth int;
    v_household boolean;
    v_doc jsonb;
    v_details jsonb;
    v_persons bigint[];
    v_withheld bigint[];
    v_glass bigint[];
    v_sources text[];
BEGIN
    IF (p_request ->> 'id') ~* '^(fc:)?[0-9]{1,18}$' THEN
        v_person := regexp_replace(p_request ->> 'id', '^fc:', '', 'i')::numeric;
        IF v_person < 1 THEN
            v_person := NULL;
        END IF;
    END IF;
    v_details := jsonb_build_object('requested_id', fc.plain(p_request ->> 'id', 80),
                                    'depth', p_request -> 'depth', 'household', p_request -> 'household');
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'viewed_family', 'not_permitted', c.refusal, v_person, NULL, v_details);
    END IF;
    BEGIN
        IF c.break_glass THEN
            v_reason := fc.free_text(p_request ->> 'reason', 'reason', 500, false);
            IF v_reason IS NULL THEN
                PERFORM fc.fail('usage', 'breaking the glass needs a reason: say why you must see a '
                                         'restricted person without an access grant (the attempt is '
                                         'recorded as break-glass)');
            END IF;
        ELSE
            v_reason := fc.reason(p_request);
        END IF;
        IF p_request ? 'break_glass' AND jsonb_typeof(p_request -> 'break_glass') NOT IN ('boolean', 'null') THEN
            PERFORM fc.fail('usage', 'break_glass must be true or false');
        END IF;
        v_depth := fc.int_arg(p_request, 'depth', 1, 1, 3);
        IF jsonb_typeof(p_request -> 'household') NOT IN ('boolean', 'null') THEN
            PERFORM fc.fail('usage', 'household must be true or false');
        END IF;
        v_household := coalesce((p_request ->> 'household')::boolean, false);
        v_person := fc.person_ref(p_request ->> 'id');
    EXCEPTION WHEN SQLSTATE 'FCUSE' OR SQLSTATE 'FCNFD' THEN
        RETURN fc.refuse(c, 'viewed_family', fc.kind_of(SQLSTATE), SQLERRM, v_person, v_reason, v_details);
    END;
    v_doc := fc.family_document(c.guid, v_person, v_depth, v_household, c.break_glass);
    SELECT coalesce(array_agg(x.id ORDER BY x.n) FILTER (WHERE x.access IS DISTINCT FROM 'withheld'), '{}'),
           coalesce(array_agg(x.id ORDER BY x.n) FILTER (WHERE x.access = 'withheld'), '{}'),
           coalesce(array_agg(x.id ORDER BY x.n) FILTER (WHERE x.access = 'break_glass'), '{}')
      INTO v_persons, v_withheld, v_glass
      FROM (SELECT (substr(p ->> 'id', 4))::bigint AS id, p ->> 'restrictedAccess' AS access, n
            FROM (SELECT v_doc -> 'person' AS p, 0::bigint AS n
                  UNION ALL
                  SELECT f, n FROM jsonb_array_elements(v_doc -> 'family') WITH ORDINALITY AS m (f, n)) y) x;
    SELECT coalesce(array_agg(DISTINCT s ->> 'dataSource' ORDER BY s ->> 'dataSource'), '{}')
      INTO v_sources
      FROM (SELECT jsonb_array_elements(p -> 'services') AS s
            FROM (SELECT v_doc -> 'person' AS p UNION ALL SELECT jsonb_array_elements(v_doc -> 'family')) x) y
     WHERE s ? 'detail';
    v_details := v_details || jsonb_build_object('depth', v_depth, 'household', v_household);
    IF cardinality(v_withheld) > 0 THEN
        v_details := v_details || jsonb_build_object('restricted_withheld', to_jsonb(v_withheld));
    END IF;
    IF cardinality(v_glass) > 0 THEN
        v_details := v_details || jsonb_build_object('break_glass_disclosed', to_jsonb(v_glass));
    ELSIF c.break_glass THEN
        -- Nothing restricted was withheld from this caller: no glass was broken.
        v_details := v_details || jsonb_build_object('break_glass_requested', true);
        c.break_glass := false;
    END IF;
    RETURN fc.disclose(c, 'viewed_family', v_doc, v_person, v_persons, v_sources, v_reason, v_details);
END;
$$;

-- V12's search, with restricted persons: a result the caller holds no access grant for is a stub
-- (fc.restricted_stub), listed after the others (youngest first) in id order, so that the
-- operator knows to ask for access or to break the glass with a family lookup; a search never
-- breaks the glass. A restricted person shown carries
-- "restricted": true, "restrictedAccess": "grant".
-- {"last_name", "first_name"?, "dob"?, "page"?, "limit"?, "reason"}
--   -> SearchResults: {"paginationInfo": {"totalResults", "resultsPerPage", "pageNumber"},
--                      "results": [Person]}
-- persons_disclosed lists the persons shown; the stubs are in details.restricted_withheld.
CREATE OR REPLACE FUNCTION fc_api.person_search(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
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
    v_withheld bigint[];
    v_details jsonb;
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'searched', 'not_permitted', c.refusal);
    END IF;
    BEGIN
        v_reason := fc.reason(p_request);
        IF c.break_glass THEN
            PERFORM fc.fail('usage', 'a search does not break the glass: it lists a restricted person '
                                     'as a stub; look them up with a family lookup that breaks the glass, '
                                     'or ask an administrator for access');
        END IF;
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
    -- Stubs come last, in id order: where a stub stood among the others would tell its age.
    WITH a AS (
        SELECT p.id, p.date_of_birth, fc.person_json(p) AS doc, count(*) OVER () AS total,
               x.access, x.access IS NOT DISTINCT FROM 'withheld' AS withheld
        FROM fc.person p
        CROSS JOIN LATERAL (SELECT fc.person_access(c.guid, p.id, false) AS access) x
        WHERE lower(p.last_name) = lower(v_last)
          AND (v_first IS NULL OR lower(p.first_name) LIKE
               lower(regexp_replace(v_first, '([%_\\])', '\\\1', 'g')) || '%' ESCAPE '\')
          AND (v_dob IS NULL OR p.date_of_birth = v_dob)
        ORDER BY x.access IS NOT DISTINCT FROM 'withheld',
                 CASE WHEN x.access IS NOT DISTINCT FROM 'withheld' THEN NULL ELSE p.date_of_birth END
                 DESC NULLS LAST, p.id
        LIMIT v_limit OFFSET (v_page - 1)::bigint * v_limit
    )
    SELECT coalesce(max(a.total), 0),
           coalesce(jsonb_agg(CASE WHEN a.withheld THEN fc.restricted_stub(a.id)
                                   WHEN a.access = 'grant'
                                   THEN a.doc || jsonb_build_object('restricted', true, 'restrictedAccess', 'grant')
                                   ELSE a.doc END
                              ORDER BY a.withheld, CASE WHEN a.withheld THEN NULL ELSE a.date_of_birth END
                                       DESC NULLS LAST, a.id), '[]'),
           coalesce(array_agg(a.id ORDER BY a.date_of_birth DESC NULLS LAST, a.id)
                        FILTER (WHERE NOT a.withheld), '{}'),
           coalesce(array_agg(a.id ORDER BY a.id) FILTER (WHERE a.withheld), '{}')
      INTO v_total, v_results, v_ids, v_withheld
      FROM a;
    IF v_total = 0 AND v_page > 1 THEN
        SELECT count(*) INTO v_total FROM fc.person p
        WHERE lower(p.last_name) = lower(v_last)
          AND (v_first IS NULL OR lower(p.first_name) LIKE
               lower(regexp_replace(v_first, '([%_\\])', '\\\1', 'g')) || '%' ESCAPE '\')
          AND (v_dob IS NULL OR p.date_of_birth = v_dob);
    END IF;
    v_details := v_details || jsonb_build_object('total', v_total);
    IF cardinality(v_withheld) > 0 THEN
        v_details := v_details || jsonb_build_object('restricted_withheld', to_jsonb(v_withheld));
    END IF;
    RETURN fc.disclose(c, 'searched',
        jsonb_build_object(
            'paginationInfo', jsonb_build_object('totalResults', v_total, 'resultsPerPage', v_limit,
                                                 'pageNumber', v_page),
            'results', v_results),
        NULL, v_ids, '{}', v_reason, v_details);
END;
$$;

-- ----------------------------------------------------------------------------------------------
-- Restricting a person (admins).

-- A restriction as the documents show it.
CREATE FUNCTION fc.restriction_json(r fc.person_restriction)
RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN r.id IS NULL THEN NULL ELSE jsonb_build_object(
        'person', 'fc:' || r.person_id, 'category', r.category, 'reason', r.reason,
        'review_by', r.review_by, 'set_at', fc.utc(r.set_at),
        'set_by', (SELECT u.account_name FROM fc.app_user u WHERE u.object_guid = r.set_by_guid)) END;
$$;

-- Marks a person restricted, or changes the restriction they have (a new decision: the open
-- restriction is closed as "changed" and the new one opened; its review date is the one given or
-- 90 days from today).
-- {"id", "category": adoption | high_profile | staff_related | high_risk | other, "reason",
--  "review_by"?: YYYY-MM-DD, after today and within a year}
--   -> {"person", "effect": restricted | changed, "restriction": {"person", "category", "reason",
--       "review_by", "set_at", "set_by"}, "previous": the same | null}
-- Audited as person_restricted or person_restriction_changed, subject the person.
CREATE FUNCTION fc_api.person_restrict(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'admin');
    v_person bigint;
    v_reason text;
    v_category text := lower(btrim(p_request ->> 'category'));
    v_review date;
    v_details jsonb := jsonb_build_object('requested_id', fc.plain(p_request ->> 'id', 80),
                                          'category', fc.plain(p_request ->> 'category', 40),
                                          'review_by', fc.plain(p_request ->> 'review_by', 40));
    v_old fc.person_restriction;
    v_new fc.person_restriction;
    v_action text;
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'person_restricted', 'not_permitted', c.refusal, NULL, NULL, v_details);
    END IF;
    BEGIN
        v_reason := fc.free_text(p_request ->> 'reason', 'reason', 500, true);
        IF v_category IS NULL OR v_category = '' THEN
            PERFORM fc.fail('usage', 'category is missing: give one of adoption, high_profile, '
                                     'staff_related, high_risk, other');
        ELSIF v_category NOT IN ('adoption', 'high_profile', 'staff_related', 'high_risk', 'other') THEN
            PERFORM fc.fail('usage', format('category "%s" is not one of adoption, high_profile, '
                                            'staff_related, high_risk, other',
                                            fc.plain(p_request ->> 'category', 40)));
        END IF;
        IF p_request ->> 'review_by' IS NULL THEN
            v_review := current_date + 90;
        ELSE
            IF (p_request ->> 'review_by') !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
                PERFORM fc.fail('usage', 'review_by is not a date: use YYYY-MM-DD');
            END IF;
            BEGIN
                v_review := (p_request ->> 'review_by')::date;
            EXCEPTION WHEN others THEN
                PERFORM fc.fail('usage', 'review_by is not a date: use YYYY-MM-DD');
            END;
            IF v_review <= current_date OR v_review > current_date + 365 THEN
                PERFORM fc.fail('usage', format('review date %s must be after today and within a year '
                                                '(by %s): a restriction is reviewed at least yearly',
                                                v_review, current_date + 365));
            END IF;
        END IF;
        v_person := fc.person_ref(p_request ->> 'id');
    EXCEPTION WHEN SQLSTATE 'FCUSE' OR SQLSTATE 'FCNFD' THEN
        RETURN fc.refuse(c, 'person_restricted', fc.kind_of(SQLSTATE), SQLERRM, v_person, v_reason, v_details);
    END;
    PERFORM pg_advisory_xact_lock(hashtextextended('fc.person_restriction ' || v_person, 0));
    SELECT * INTO v_old FROM fc.person_restriction r WHERE r.person_id = v_person AND r.ended_at IS NULL;
    IF v_old.id IS NOT NULL THEN
        UPDATE fc.person_restriction r
        SET ended_at = clock_timestamp(), ended_by_guid = c.guid, ended_how = 'changed', end_reason = v_reason
        WHERE r.id = v_old.id;
        v_action := 'person_restriction_changed';
    ELSE
        v_action := 'person_restricted';
    END IF;
    INSERT INTO fc.person_restriction (person_id, category, reason, review_by, set_by_guid)
    VALUES (v_person, v_category, v_reason, v_review, c.guid)
    RETURNING * INTO v_new;
    RETURN fc.done(c, v_action,
        jsonb_build_object('person', 'fc:' || v_person,
                           'effect', CASE WHEN v_old.id IS NULL THEN 'restricted' ELSE 'changed' END,
                           'restriction', fc.restriction_json(v_new),
                           'previous', fc.restriction_json(v_old)),
        v_person, v_reason,
        jsonb_strip_nulls(jsonb_build_object(
            'restriction_id', v_new.id, 'category', v_category, 'review_by', v_review,
            'previous_restriction_id', v_old.id, 'previous_category', v_old.category,
            'previous_review_by', v_old.review_by)));
END;
$$;

-- Lifts a person's restriction (kept, closed as "lifted").
-- {"id", "reason"} -> {"person", "effect": "lifted", "restriction": as person_restrict's, "lifted_at"}
-- Audited as person_unrestricted, subject the person. A person not restricted is refused (usage).
CREATE FUNCTION fc_api.person_unrestrict(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'admin');
    v_person bigint;
    v_reason text;
    v_details jsonb := jsonb_build_object('requested_id', fc.plain(p_request ->> 'id', 80));
    v_old fc.person_restriction;
    v_at timestamptz := clock_timestamp();
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'person_unrestricted', 'not_permitted', c.refusal, NULL, NULL, v_details);
    END IF;
    BEGIN
        v_reason := fc.free_text(p_request ->> 'reason', 'reason', 500, true);
        v_person := fc.person_ref(p_request ->> 'id');
        PERFORM pg_advisory_xact_lock(hashtextextended('fc.person_restriction ' || v_person, 0));
        SELECT * INTO v_old FROM fc.person_restriction r WHERE r.person_id = v_person AND r.ended_at IS NULL;
        IF v_old.id IS NULL THEN
            PERFORM fc.fail('usage', format('fc:%s is not restricted: nothing was lifted', v_person));
        END IF;
    EXCEPTION WHEN SQLSTATE 'FCUSE' OR SQLSTATE 'FCNFD' THEN
        RETURN fc.refuse(c, 'person_unrestricted', fc.kind_of(SQLSTATE), SQLERRM, v_person, v_reason, v_details);
    END;
    UPDATE fc.person_restriction r
    SET ended_at = v_at, ended_by_guid = c.guid, ended_how = 'lifted', end_reason = v_reason
    WHERE r.id = v_old.id;
    RETURN fc.done(c, 'person_unrestricted',
        jsonb_build_object('person', 'fc:' || v_person, 'effect', 'lifted',
                           'restriction', fc.restriction_json(v_old), 'lifted_at', fc.utc(v_at)),
        v_person, v_reason,
        jsonb_build_object('restriction_id', v_old.id, 'category', v_old.category));
END;
$$;

-- The open restrictions, soonest review first; with due_within_days, only those whose review
-- date falls within that many days from today (0: due today or overdue).
-- {"due_within_days"?: 0-3650}
--   -> {"as_of": date, "due_within_days", "restrictions": [{"person", "category", "reason",
--       "review_by", "days_left", "due", "set_at", "set_by", "access": [{"user", "expires_at"}]}]}
-- A disclosure (restrictions_reviewed); persons_disclosed lists the persons whose restriction
-- was shown (their names are not).
CREATE FUNCTION fc_api.person_restrictions(p_request jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'admin');
    v_details jsonb := jsonb_build_object('due_within_days', p_request -> 'due_within_days');
    v_due int;
    v_list jsonb;
    v_ids bigint[];
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'restrictions_reviewed', 'not_permitted', c.refusal, NULL, NULL, v_details);
    END IF;
    BEGIN
        v_due := fc.int_arg(p_request, 'due_within_days', NULL, 0, 3650);
    EXCEPTION WHEN SQLSTATE 'FCUSE' THEN
        RETURN fc.refuse(c, 'restrictions_reviewed', 'usage', SQLERRM, NULL, NULL, v_details);
    END;
    SELECT coalesce(jsonb_agg(fc.restriction_json(r) || jsonb_build_object(
               'days_left', r.review_by - current_date,
               'due', r.review_by <= current_date,
               'access', coalesce((
                   SELECT jsonb_agg(jsonb_build_object('user', u.account_name,
                                                       'expires_at', fc.utc(g.expires_at))
                                    ORDER BY u.account_name)
                   FROM fc.person_access_grant g JOIN fc.app_user u ON u.object_guid = g.grantee_guid
                   WHERE g.person_id = r.person_id AND g.revoked_at IS NULL
                     AND g.valid_from <= clock_timestamp()
                     AND (g.expires_at IS NULL OR g.expires_at > clock_timestamp())), '[]'))
             ORDER BY r.review_by, r.person_id), '[]'),
           coalesce(array_agg(r.person_id ORDER BY r.review_by, r.person_id), '{}')
      INTO v_list, v_ids
      FROM fc.person_restriction r
     WHERE r.ended_at IS NULL AND (v_due IS NULL OR r.review_by <= current_date + v_due);
    RETURN fc.disclose(c, 'restrictions_reviewed',
        jsonb_build_object('as_of', current_date, 'due_within_days', v_due, 'restrictions', v_list),
        NULL, v_ids, '{}', NULL,
        jsonb_build_object('due_within_days', v_due, 'restrictions', jsonb_array_length(v_list)));
END;
$$;

-- ----------------------------------------------------------------------------------------------
-- Access to a restricted person (admins), as source grants are given: the grantee as the client
-- found them in Active Directory ("guid", "account", "display"; "problem" when the directory
-- found the account unusable, which refuses the request), never the caller themselves.

-- The grantee of a request, checked: raises FCUSE / FCDNY as fc_api functions catch them.
CREATE FUNCTION fc.person_grantee(c fc.caller_t, p_request jsonb, OUT guid uuid, OUT account text,
                                  OUT display text, OUT user_name text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    user_name := coalesce(nullif(btrim(fc.plain(p_request ->> 'user', 256)), ''),
                          nullif(btrim(fc.plain(p_request ->> 'account', 256)), ''));
    IF user_name IS NULL THEN
        PERFORM fc.fail('usage', 'user is missing: name the AD account to grant');
    END IF;
    IF p_request ->> 'problem' IS NOT NULL THEN
        PERFORM fc.fail('usage', fc.plain(p_request ->> 'problem', 500) || '; nothing was changed');
    END IF;
    IF (p_request ->> 'guid') IS NULL
       OR (p_request ->> 'guid') !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
       OR nullif(btrim(p_request ->> 'account'), '') IS NULL THEN
        PERFORM fc.fail('usage', format('no AD identity (objectGUID and account name) given for user %s',
                                        user_name));
    END IF;
    guid := (p_request ->> 'guid')::uuid;
    account := fc.plain(btrim(p_request ->> 'account'), 256);
    display := fc.plain(p_request ->> 'display', 256);
    IF guid = c.guid OR lower(account) = lower(c.account) OR lower(user_name) = lower(c.account) THEN
        PERFORM fc.fail('not_permitted', format('%s may not change their own access; ask another '
                                                'administrator; nothing was changed', c.account));
    END IF;
END;
$$;

-- Grants a user access to one person (restricted now or later), or extends it.
-- {"user"?: as typed, "guid", "account", "display"?, "problem"?, "id", "expires"?: RFC 3339 time,
--  "reason", "ticket"?}
--   -> {"user", "account", "person", "effect": added | extended | unchanged, "expires",
--       "previous_expires", "reason", "ticket", "restricted": whether the person is restricted now}
-- An expired grant granted again is closed (revoked as superseded) and a new one opened.
-- Audited as person_access_granted (added, or unchanged) or person_access_extended, subject the
-- person, target the grantee.
CREATE FUNCTION fc_api.person_access_grant(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'admin');
    g record;
    v_person bigint;
    v_reason text;
    v_ticket text;
    v_expires timestamptz;
    v_open fc.person_access_grant;
    v_effect text;
    v_details jsonb := jsonb_build_object('requested_id', fc.plain(p_request ->> 'id', 80),
                                          'user', fc.plain(p_request ->> 'user', 256));
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'person_access_granted', 'not_permitted', c.refusal, NULL, NULL, v_details);
    END IF;
    BEGIN
        v_reason := fc.free_text(p_request ->> 'reason', 'reason', 500, true);
        v_ticket := fc.free_text(p_request ->> 'ticket', 'ticket', 100, false);
        SELECT * INTO g FROM fc.person_grantee(c, p_request);
        IF p_request ->> 'expires' IS NOT NULL THEN
            BEGIN
                v_expires := (p_request ->> 'expires')::timestamptz;
            EXCEPTION WHEN others THEN
                PERFORM fc.fail('usage', 'expires is not a time: use RFC 3339, e.g. 2026-01-31T12:00:00Z');
            END;
            IF v_expires <= clock_timestamp() THEN
                PERFORM fc.fail('usage', format('expiry %s is in the past', fc.utc(v_expires)));
            END IF;
        END IF;
        v_person := fc.person_ref(p_request ->> 'id');
    EXCEPTION WHEN SQLSTATE 'FCUSE' OR SQLSTATE 'FCNFD' OR SQLSTATE 'FCDNY' THEN
        RETURN fc.refuse(c, 'person_access_granted', fc.kind_of(SQLSTATE), SQLERRM, v_person, v_reason, v_details);
    END;
    INSERT INTO fc.app_user AS u (object_guid, account_name, display_name)
    VALUES (g.guid, g.account, g.display)
    ON CONFLICT (object_guid) DO UPDATE
        SET account_name = excluded.account_name, display_name = excluded.display_name
        WHERE u.account_name IS DISTINCT FROM excluded.account_name
           OR u.display_name IS DISTINCT FROM excluded.display_name;
    PERFORM pg_advisory_xact_lock(hashtextextended('fc.person_access_grant ' || g.guid || ' ' || v_person, 0));
    SELECT * INTO v_open FROM fc.person_access_grant x
    WHERE x.grantee_guid = g.guid AND x.person_id = v_person AND x.revoked_at IS NULL;
    IF v_open.id IS NULL OR v_open.expires_at <= clock_timestamp() THEN
        v_effect := 'added';
        UPDATE fc.person_access_grant x
        SET revoked_at = clock_timestamp(), revoked_by_guid = c.guid,
            revoke_reason = 'expired; superseded by a new grant: ' || v_reason
        WHERE x.id = v_open.id;
        INSERT INTO fc.person_access_grant (grantee_guid, person_id, granted_by_guid, reason, ticket, expires_at)
        VALUES (g.guid, v_person, c.guid, v_reason, v_ticket, v_expires);
    ELSIF v_open.expires_at IS NOT NULL AND (v_expires IS NULL OR v_expires > v_open.expires_at) THEN
        v_effect := 'extended';
        UPDATE fc.person_access_grant x SET expires_at = v_expires WHERE x.id = v_open.id;
    ELSE
        v_effect := 'unchanged';
    END IF;
    RETURN fc.done(c, CASE v_effect WHEN 'extended' THEN 'person_access_extended' ELSE 'person_access_granted' END,
        jsonb_build_object('user', g.user_name, 'account', g.account, 'person', 'fc:' || v_person,
                           'effect', v_effect, 'expires', fc.utc(v_expires),
                           'previous_expires', CASE WHEN v_effect = 'added' THEN NULL
                                                    ELSE fc.utc(v_open.expires_at) END,
                           'reason', v_reason, 'ticket', v_ticket,
                           'restricted', EXISTS (SELECT 1 FROM fc.person_restriction r
                                                 WHERE r.person_id = v_person AND r.ended_at IS NULL)),
        v_person, v_reason,
        jsonb_strip_nulls(jsonb_build_object('effect', v_effect, 'expires', fc.utc(v_expires),
            'previous_expires', CASE WHEN v_effect = 'added' THEN NULL ELSE fc.utc(v_open.expires_at) END,
            'ticket', v_ticket)),
        g.account, g.guid);
END;
$$;

-- Revokes a user's access to one person (history kept).
-- {"user"?, "guid", "account", "display"?, "problem"?, "id", "reason"}
--   -> {"user", "account", "person", "effect": revoked | not_granted, "expires", "reason"}
-- Audited as person_access_revoked, subject the person, target the grantee.
CREATE FUNCTION fc_api.person_access_revoke(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'admin');
    g record;
    v_person bigint;
    v_reason text;
    v_open fc.person_access_grant;
    v_effect text;
    v_details jsonb := jsonb_build_object('requested_id', fc.plain(p_request ->> 'id', 80),
                                          'user', fc.plain(p_request ->> 'user', 256));
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'person_access_revoked', 'not_permitted', c.refusal, NULL, NULL, v_details);
    END IF;
    BEGIN
        v_reason := fc.free_text(p_request ->> 'reason', 'reason', 500, true);
        SELECT * INTO g FROM fc.person_grantee(c, p_request);
        v_person := fc.person_ref(p_request ->> 'id');
    EXCEPTION WHEN SQLSTATE 'FCUSE' OR SQLSTATE 'FCNFD' OR SQLSTATE 'FCDNY' THEN
        RETURN fc.refuse(c, 'person_access_revoked', fc.kind_of(SQLSTATE), SQLERRM, v_person, v_reason, v_details);
    END;
    PERFORM pg_advisory_xact_lock(hashtextextended('fc.person_access_grant ' || g.guid || ' ' || v_person, 0));
    SELECT * INTO v_open FROM fc.person_access_grant x
    WHERE x.grantee_guid = g.guid AND x.person_id = v_person AND x.revoked_at IS NULL
      AND (x.expires_at IS NULL OR x.expires_at > clock_timestamp());
    IF v_open.id IS NULL THEN
        v_effect := 'not_granted';
    ELSE
        v_effect := 'revoked';
        UPDATE fc.person_access_grant x
        SET revoked_at = clock_timestamp(), revoked_by_guid = c.guid, revoke_reason = v_reason
        WHERE x.id = v_open.id;
    END IF;
    RETURN fc.done(c, 'person_access_revoked',
        jsonb_build_object('user', g.user_name, 'account', g.account, 'person', 'fc:' || v_person,
                           'effect', v_effect, 'expires', fc.utc(v_open.expires_at), 'reason', v_reason),
        v_person, v_reason,
        jsonb_strip_nulls(jsonb_build_object('effect', v_effect, 'expires', fc.utc(v_open.expires_at))),
        g.account, g.guid);
END;
$$;

-- ----------------------------------------------------------------------------------------------
-- The break-glass rows, for IG (auditors): every audit row marked break_glass (V21), allowed or
-- refused, newest first.
-- {"since"?, "until"?: RFC 3339 times, "limit"?: 1-10000 (1000)}
--   -> {"since", "until", "limit", "entries": [{"id", "occurred_at", "actor_account", "actor_guid",
--       "channel", "client_host", "action", "outcome", "subject_person", "persons_disclosed",
--       "break_glass_persons", "reason", "basis", "error"}]}
-- A disclosure (break_glass_listed) naming every person the rows name.
CREATE FUNCTION fc_api.audit_break_glass(p_request jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'auditor');
    v_details jsonb := jsonb_build_object('since', fc.plain(p_request ->> 'since', 40),
                                          'until', fc.plain(p_request ->> 'until', 40),
                                          'limit', p_request -> 'limit');
    v_since timestamptz;
    v_until timestamptz;
    v_limit int;
    v_entries jsonb;
    v_persons bigint[];
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'break_glass_listed', 'not_permitted', c.refusal, NULL, NULL, v_details);
    END IF;
    BEGIN
        v_since := fc.audit_instant_arg(p_request, 'since');
        v_until := fc.audit_instant_arg(p_request, 'until');
        IF v_since >= v_until THEN
            PERFORM fc.fail('usage', 'since must be before until');
        END IF;
        v_limit := fc.int_arg(p_request, 'limit', 1000, 1, 10000);
    EXCEPTION WHEN SQLSTATE 'FCUSE' THEN
        RETURN fc.refuse(c, 'break_glass_listed', 'usage', SQLERRM, NULL, NULL, v_details);
    END;
    WITH marked AS (
        SELECT a.* FROM fc.audit_log a
        WHERE a.break_glass
          AND (v_since IS NULL OR a.occurred_at >= v_since)
          AND (v_until IS NULL OR a.occurred_at < v_until)
        ORDER BY a.occurred_at DESC, a.id DESC
        LIMIT v_limit
    )
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'id', r.id, 'occurred_at', fc.utc(r.occurred_at), 'actor_account', r.actor_account,
               'actor_guid', r.actor_guid, 'channel', r.channel, 'client_host', r.client_host,
               'action', r.action, 'outcome', r.outcome, 'subject_person', r.subject_person,
               'persons_disclosed', to_jsonb(r.persons_disclosed),
               'break_glass_persons', coalesce(r.details -> 'break_glass_disclosed', '[]'),
               'reason', r.reason, 'basis', r.basis, 'error', r.details ->> 'error')
             ORDER BY r.occurred_at DESC, r.id DESC), '[]'),
           coalesce((SELECT array_agg(DISTINCT x ORDER BY x)
                     FROM marked r2, unnest(r2.persons_disclosed || r2.subject_person) x
                     WHERE x IS NOT NULL), '{}')
      INTO v_entries, v_persons
      FROM marked r;
    RETURN fc.disclose(c, 'break_glass_listed',
        jsonb_build_object('since', fc.utc(v_since), 'until', fc.utc(v_until), 'limit', v_limit,
                           'entries', v_entries),
        NULL, v_persons, '{}', NULL,
        jsonb_build_object('since', fc.utc(v_since), 'until', fc.utc(v_until), 'limit', v_limit,
                           'rows', jsonb_array_length(v_entries)));
END;
$$;

-- The helpers run only inside fc_api functions; operators execute the fc_api functions only.
REVOKE ALL ON FUNCTION fc.person_access(uuid, bigint, boolean), fc.restricted_stub(bigint),
    fc.family_document(uuid, bigint, int, boolean, boolean), fc.restriction_json(fc.person_restriction),
    fc.person_grantee(fc.caller_t, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION fc_api.person_restrict(jsonb), fc_api.person_unrestrict(jsonb),
    fc_api.person_restrictions(jsonb), fc_api.person_access_grant(jsonb),
    fc_api.person_access_revoke(jsonb), fc_api.audit_break_glass(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fc_api.person_restrict(jsonb), fc_api.person_unrestrict(jsonb),
    fc_api.person_restrictions(jsonb), fc_api.person_access_grant(jsonb),
    fc_api.person_access_revoke(jsonb), fc_api.audit_break_glass(jsonb) TO famctx_operator;

-- Every entry point runs in UTC with ISO dates, as V15 pinned them: again here, for those
-- (re)made since without the pins (V21's fc_api.audit_verify_open).
DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN
        SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'fc_api'
          AND NOT coalesce(p.proconfig @> ARRAY['TimeZone=UTC', 'DateStyle=ISO, YMD',
                                                'IntervalStyle=postgres'], false)
    LOOP
        EXECUTE format('ALTER FUNCTION %s SET TimeZone = %L', f, 'UTC');
        EXECUTE format('ALTER FUNCTION %s SET DateStyle = %L', f, 'ISO, YMD');
        EXECUTE format('ALTER FUNCTION %s SET IntervalStyle = %L', f, 'postgres');
    END LOOP;
END
$$;
