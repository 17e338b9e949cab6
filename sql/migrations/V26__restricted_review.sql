-- Restricted persons, after a security review of V23: a withheld person can no longer be located,
-- linked across lookups or spelt out by searching, and a break-glass mark means what it says.
--  * Household: a withheld person is left out of a lookup's household altogether (not even a
--    stub): a stub at the subject's address told where they live (an adopted child in the
--    adoptive household). The audit row still names them in details.restricted_withheld.
--  * A withheld family member's stub carries an opaque id, "restricted:<n>", numbered within the
--    document (and listed after the others), never the person id: the same id in the birth
--    family's and the adoptive family's lookups linked the two. The subject's stub keeps its id
--    (the operator typed it). The real ids are in the audit row (details.restricted_withheld).
--  * Search: a withheld person is left out of the results and of the totals, and nothing is said
--    of them: repeating a search with first-name prefixes and dates of birth spelt out the name
--    and date of birth of a stub. The audit row names the withheld matches for IG.
--  * The break-glass mark: fc.caller no longer reads "break_glass" from every request (any request
--    could carry the key, and fc.audit_as marked every row of it, flooding IG's list). Only
--    fc_api.family_show reads it, from its own request, and fc_api.refused marks a refused
--    family lookup that asked to break the glass (famctx's own AD check refusing
--    "family show --break-glass"). A search asked to break the glass is refused, unmarked.
--
-- Every SECURITY DEFINER function here runs with search_path = pg_catalog, pg_temp and names fc
-- objects in full; the fc_api entry points pin UTC and ISO dates as V15 does.

-- V21's fc.caller, which no longer reads the request's break-glass flag: c.break_glass is always
-- false here, and only a function that can break the glass (fc_api.family_show) sets it from its
-- own request, as fc_api.refused does for a refused family lookup. A basis is recorded only when
-- it is a code in the list's form; anything else is kept as the client's claim
-- ("requested_basis") and refused by fc.begin.
CREATE OR REPLACE FUNCTION fc.caller(p_request jsonb)
RETURNS fc.caller_t
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t;
    v_as jsonb := p_request -> 'as';
    v_client jsonb := CASE WHEN jsonb_typeof(p_request -> 'client') = 'object'
                           THEN p_request -> 'client' ELSE '{}' END;
    v_basis text := CASE WHEN jsonb_typeof(p_request -> 'basis') = 'string'
                         THEN lower(btrim(p_request ->> 'basis')) END;
    m fc.operator_role;
BEGIN
    c.db_role := session_user;
    c.break_glass := false;
    IF v_basis ~ '^[a-z][a-z0-9_.-]{0,39}$' THEN
        c.basis := v_basis;
    END IF;
    c.client := jsonb_strip_nulls(jsonb_build_object(
        'famctx_version', fc.plain(v_client ->> 'famctx_version', 32),
        'os_user', fc.plain(v_client ->> 'os_user', 64),
        'auth', fc.plain(v_client ->> 'auth', 16),
        'client_addr', host(inet_client_addr()),
        'db_role', session_user::text));
    IF p_request ? 'basis' AND p_request -> 'basis' <> 'null'::jsonb AND c.basis IS NULL THEN
        c.client := c.client || jsonb_build_object('requested_basis',
            fc.plain(CASE WHEN jsonb_typeof(p_request -> 'basis') = 'string' THEN p_request ->> 'basis'
                          ELSE (p_request -> 'basis')::text END, 80));
    END IF;
    -- The client host recorded is the connection's own address; what a client says about itself
    -- is kept as a claim in the details. Only a trusted service's word is taken (the API knows
    -- its user's address).
    c.client_host := coalesce(host(inet_client_addr()), 'local');
    IF nullif(v_client ->> 'host', '') IS NOT NULL THEN
        c.client := c.client || jsonb_build_object('claimed_host', fc.plain(v_client ->> 'host', 255));
    END IF;
    IF fc.is_trusted_service(session_user) THEN
        c.client_host := coalesce(nullif(fc.plain(v_client ->> 'host', 255), ''), c.client_host);
        c.service := session_user;
        c.client := c.client || jsonb_build_object('service', session_user::text);
        c.channel := CASE WHEN v_client ->> 'channel' = 'cli' THEN 'cli' ELSE 'api' END;
        IF jsonb_typeof(v_as) IS DISTINCT FROM 'object' THEN
            c.account := session_user;
            c.refusal := 'a trusted service must name the acting user: "as": {"guid", "account", "roles"}';
            RETURN c;
        END IF;
        c.account := fc.plain(v_as ->> 'account', 256);
        c.display := fc.plain(v_as ->> 'display', 256);
        IF (v_as ->> 'guid') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
            c.guid := (v_as ->> 'guid')::uuid;
        END IF;
        c.roles := ARRAY(SELECT DISTINCT r FROM jsonb_array_elements_text(
                             CASE WHEN jsonb_typeof(v_as -> 'roles') = 'array' THEN v_as -> 'roles' ELSE '[]' END) r
                         WHERE r IN ('user', 'admin', 'auditor') ORDER BY r);
        IF c.guid IS NULL OR coalesce(c.account, '') = '' THEN
            c.account := coalesce(nullif(c.account, ''), session_user);
            c.refusal := 'the acting user needs an objectGUID ("guid") and an account name ("account")';
        END IF;
        RETURN c;
    END IF;
    c.channel := CASE WHEN v_client ->> 'channel' = 'cli' THEN 'cli' ELSE 'db' END;
    SELECT * INTO m FROM fc.operator_role o WHERE o.role_name = session_user;
    IF NOT FOUND THEN
        c.account := session_user;
        c.roles := '{}';
        c.refusal := format('the database role %s is not a Family Context operator (roles sync has not '
                            'mapped it to an AD account)', session_user);
        RETURN c;
    END IF;
    c.guid := m.object_guid;
    c.account := m.account_name;
    c.display := m.display_name;
    -- famctx sends the objectGUID AD vouched for: a name since given to another account is not
    -- the identity this role was made for.
    IF (v_client ->> 'ad_guid') IS NOT NULL AND (v_client ->> 'ad_guid') <> m.object_guid::text THEN
        c.refusal := format('the AD account %s now signing in is not the one the database '
                            'role %s was made for: ask an administrator to run roles sync',
                            fc.plain(v_client ->> 'ad_guid', 40), session_user);
        RETURN c;
    END IF;
    c.roles := array_remove(ARRAY[
        CASE WHEN pg_has_role(session_user, 'famctx_admins', 'MEMBER') THEN 'admin' END,
        CASE WHEN pg_has_role(session_user, 'famctx_auditors', 'MEMBER') THEN 'auditor' END,
        CASE WHEN pg_has_role(session_user, 'famctx_users', 'MEMBER') THEN 'user' END], NULL);
    IF v_as IS NOT NULL AND v_as <> 'null' THEN
        c.refusal := 'only a trusted service may name the acting user: an operator acts as themselves';
    END IF;
    RETURN c;
END;
$$;

-- V24's fc_api.refused, marking its row break-glass only when the refused action is a family
-- lookup (viewed_family) and the request asked to break the glass: famctx's AD check refusing
-- "family show --break-glass" is a refused attempt IG reviews. The request's basis is recorded
-- only when it is on the list and in use (otherwise it is kept as the client's claim,
-- "requested_basis", as fc.begin keeps it).
CREATE OR REPLACE FUNCTION fc_api.refused(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
    c fc.caller_t := fc.caller(p_request);
    v_action text := p_request ->> 'action';
    v_subject bigint;
BEGIN
    IF c.basis IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM fc.legal_basis b WHERE b.code = c.basis AND b.retired_at IS NULL) THEN
        c.client := c.client || jsonb_build_object('requested_basis', c.basis);
        c.basis := NULL;
    END IF;
    IF v_action IS NULL OR NOT EXISTS (SELECT 1 FROM fc.audit_action a WHERE a.code = v_action) THEN
        v_action := 'access_denied';
    END IF;
    c.break_glass := v_action = 'viewed_family'
                     AND coalesce(p_request -> 'break_glass' = 'true'::jsonb, false);
    IF (p_request ->> 'subject') ~ '^[0-9]{1,18}$' THEN
        v_subject := (p_request ->> 'subject')::bigint;
    END IF;
    RETURN fc.refuse(c, v_action, CASE WHEN p_request ->> 'kind' = 'error' THEN 'error' ELSE 'not_permitted' END,
                     coalesce(fc.plain(p_request ->> 'message', 500), 'refused'), v_subject,
                     fc.plain(p_request ->> 'reason', 500),
                     jsonb_build_object('refused_by', 'directory check')
                     || CASE WHEN c.refusal IS NOT NULL THEN jsonb_build_object('caller', c.refusal)
                             ELSE '{}' END);
END;
$$;

-- A withheld family member, as the reference's Person requires it (firstName, lastName: "" as for
-- an unknown name) with famctx's marker and what to do: its id is "restricted:<p_n>", the
-- member's number among the withheld of this document, never the person id, so that the same
-- person's stubs in two lookups cannot be matched; access is asked for, or the glass broken, on
-- the subject's family (p_subject).
CREATE FUNCTION fc.restricted_member_stub(p_n bigint, p_subject bigint)
RETURNS jsonb
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_build_object(
        'id', 'restricted:' || p_n, 'firstName', '', 'lastName', '',
        'restricted', true, 'restrictedAccess', 'withheld',
        'explanation', format('restricted person: name, date of birth, address, family and services '
                              'are withheld; ask a Family Context administrator for access to the '
                              'restricted member of fc:%s''s family, or break the glass on fc:%s''s '
                              'family (a lookup with a reason, recorded as break-glass and reviewed '
                              'by IG)', p_subject, p_subject));
$$;

-- V23's family document, with restricted persons: for each person the caller's access
-- (fc.person_access); a withheld subject is a stub (fc.restricted_stub) with no family and no
-- household; a withheld family member is a stub with an opaque id (fc.restricted_member_stub,
-- with relationship and relationshipToId, "services": []), listed after the others, and the walk
-- goes no further through them; a withheld person living at the subject's address is left out
-- of the household altogether. A restricted person shown carries "restricted": true and
-- "restrictedAccess": "grant" | "break_glass".
--   {"person": Person + services, "family": [PersonWithRelationship + services], "depth",
--    "household", "audit": {"shown", "withheld", "break_glass"}}
-- "audit" is for the caller's audit row, never disclosed: the person ids shown (the subject
-- first), withheld (stubs and household members left out) and shown by breaking the glass.
CREATE OR REPLACE FUNCTION fc.family_document(p_guid uuid, p_person bigint, p_depth int,
                                              p_household boolean, p_break_glass boolean)
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
-- The others at the subject's address, each with the caller's access to them.
household AS (
    SELECT h.id AS person_id, fc.person_access(p_guid, h.id, p_break_glass) AS access
    FROM fc.person s JOIN fc.person h ON h.uprn = s.uprn AND h.id <> s.id
    WHERE p_household AND s.id = p_person AND s.uprn IS NOT NULL
      AND h.id NOT IN (SELECT person_id FROM nearest)
      AND NOT EXISTS (SELECT 1 FROM walk w WHERE w.depth = 0 AND w.withheld)
),
members AS (
    SELECT * FROM nearest
  UNION ALL
    -- A withheld person is no household member: even a stub would say where they live.
    SELECT h.person_id, 'household_member', p_person, 1
    FROM household h WHERE h.access IS DISTINCT FROM 'withheld'
),
accessed AS (
    SELECT m.*, fc.person_access(p_guid, m.person_id, p_break_glass) AS access,
           fc.person_json(p) AS base,
           extract(year FROM age(current_date, p.date_of_birth))::int AS age
    FROM members m JOIN fc.person p ON p.id = m.person_id
),
-- A withheld member's number in the document: by depth, then whom and how they are related,
-- and the id only between withheld members related alike to the same person.
people AS (
    SELECT a.*,
           CASE WHEN a.access = 'withheld' AND a.depth > 0 THEN row_number() OVER (
                    PARTITION BY a.access = 'withheld' AND a.depth > 0
                    ORDER BY a.depth, a.relationship_to, a.relationship, a.person_id) END AS stub_no
    FROM accessed a
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
    SELECT p.person_id, p.depth, p.stub_no,
           CASE WHEN p.stub_no IS NOT NULL THEN fc.restricted_member_stub(p.stub_no, p_person)
                WHEN p.access = 'withheld' THEN fc.restricted_stub(p.person_id)
                ELSE p.base END
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
    -- The stubs last: where one stood among the others, in id order, would tell its id.
    'family', coalesce((SELECT jsonb_agg(d.doc ORDER BY d.stub_no IS NOT NULL, d.stub_no, d.depth,
                                                        d.person_id)
                        FROM person_docs d WHERE d.person_id <> p_person), '[]'),
    'depth', p_depth,
    'household', p_household,
    'audit', jsonb_build_object(
        'shown', coalesce((SELECT jsonb_agg(p.person_id ORDER BY p.depth, p.person_id) FROM people p
                           WHERE p.access IS DISTINCT FROM 'withheld'), '[]'),
        'withheld', coalesce((SELECT jsonb_agg(x.person_id ORDER BY x.person_id)
                              FROM (SELECT p.person_id FROM people p WHERE p.access = 'withheld'
                                    UNION
                                    SELECT h.person_id FROM household h WHERE h.access = 'withheld') x), '[]'),
        'break_glass', coalesce((SELECT jsonb_agg(p.person_id ORDER BY p.depth, p.person_id) FROM people p
                                 WHERE p.access = 'break_glass'), '[]')));
$$;

-- V23's family lookup, the one function that reads the request's "break_glass" (fc.caller no
-- longer does). {"id", "depth"? (1-3, default 1), "household"? (false), "reason",
-- "break_glass"?: true}
--   -> the family document (fc.family_document, without its "audit" part), disclosed after its
--      audit row commits.
-- Breaking the glass needs a reason whatever fc.policy says. The audit row lists in
-- persons_disclosed only the persons whose details were shown; the restricted persons withheld
-- (stubs, and household members left out) are in details.restricted_withheld by their real ids,
-- those shown by breaking the glass in details.break_glass_disclosed. The row is marked
-- break_glass only when the request disclosed a restricted person the caller holds no grant for
-- (details.break_glass_requested records a request that had nothing to break); a refused
-- break-glass request stays marked.
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
    -- Marked from the start, so that a refusal of a break-glass request is marked too.
    c.break_glass := coalesce(p_request -> 'break_glass' = 'true'::jsonb, false);
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
    -- The real ids, for the audit row only: a withheld member's stub carries none.
    v_persons := ARRAY(SELECT x::bigint FROM jsonb_array_elements_text(v_doc #> '{audit,shown}')
                           WITH ORDINALITY AS t (x, n) ORDER BY n);
    v_withheld := ARRAY(SELECT x::bigint FROM jsonb_array_elements_text(v_doc #> '{audit,withheld}')
                            WITH ORDINALITY AS t (x, n) ORDER BY n);
    v_glass := ARRAY(SELECT x::bigint FROM jsonb_array_elements_text(v_doc #> '{audit,break_glass}')
                         WITH ORDINALITY AS t (x, n) ORDER BY n);
    v_doc := v_doc - 'audit';
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

-- V23's search, leaving out every restricted person the caller holds no access grant for: not in
-- the results, not in paginationInfo.totalResults, not a word of them. A stub in the results said
-- that a restricted person matched, so repeating the search with first-name prefixes and dates of
-- birth spelt out their name and date of birth; the operator who needs them looks the family up,
-- or uses the id, and breaks the glass. A restricted person the caller holds a grant for is shown,
-- with "restricted": true, "restrictedAccess": "grant". A search never breaks the glass: a request
-- that asks to is refused (usage), and its row is not marked (nothing could be broken; the
-- attempt is in details.break_glass_requested).
-- {"last_name", "first_name"?, "dob"?, "page"?, "limit"?, "reason"}
--   -> SearchResults: {"paginationInfo": {"totalResults", "resultsPerPage", "pageNumber"},
--                      "results": [Person]}, youngest first
-- persons_disclosed lists the persons shown; details.restricted_withheld every withheld match
-- (whatever the page), for IG.
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
        IF coalesce(p_request -> 'break_glass' = 'true'::jsonb, false) THEN
            PERFORM fc.fail('usage', 'a search does not break the glass: it never shows a restricted '
                                     'person you hold no access grant for; look the family up, or use '
                                     'the id, and break the glass, or ask an administrator for access');
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
        RETURN fc.refuse(c, 'searched', 'usage', SQLERRM, NULL, v_reason,
                         CASE WHEN coalesce(p_request -> 'break_glass' = 'true'::jsonb, false)
                              THEN jsonb_build_object('break_glass_requested', true) ELSE '{}' END);
    END;
    v_details := jsonb_build_object('last_name', v_last, 'first_name', v_first, 'dob', v_dob,
                                    'page', v_page, 'limit', v_limit);
    WITH matched AS MATERIALIZED (
        SELECT p AS person, p.id, p.date_of_birth, fc.person_access(c.guid, p.id, false) AS access
        FROM fc.person p
        WHERE lower(p.last_name) = lower(v_last)
          AND (v_first IS NULL OR lower(p.first_name) LIKE
               lower(regexp_replace(v_first, '([%_\\])', '\\\1', 'g')) || '%' ESCAPE '\')
          AND (v_dob IS NULL OR p.date_of_birth = v_dob)
    ),
    page AS (
        SELECT m.* FROM matched m
        WHERE m.access IS DISTINCT FROM 'withheld'
        ORDER BY m.date_of_birth DESC NULLS LAST, m.id
        LIMIT v_limit OFFSET (v_page - 1)::bigint * v_limit
    )
    SELECT (SELECT count(*) FROM matched m WHERE m.access IS DISTINCT FROM 'withheld'),
           (SELECT coalesce(jsonb_agg(CASE WHEN x.access = 'grant'
                                           THEN fc.person_json(x.person)
                                                || jsonb_build_object('restricted', true,
                                                                      'restrictedAccess', 'grant')
                                           ELSE fc.person_json(x.person) END
                                      ORDER BY x.date_of_birth DESC NULLS LAST, x.id), '[]')
            FROM page x),
           (SELECT coalesce(array_agg(x.id ORDER BY x.date_of_birth DESC NULLS LAST, x.id), '{}')
            FROM page x),
           (SELECT coalesce(array_agg(m.id ORDER BY m.id), '{}') FROM matched m
            WHERE m.access = 'withheld')
      INTO v_total, v_results, v_ids, v_withheld;
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

-- The new helper runs only inside fc_api functions.
REVOKE ALL ON FUNCTION fc.restricted_member_stub(bigint, bigint) FROM PUBLIC;
