-- Synthetic MDM warehouse: truncates the mdm entity tables and regenerates them.
--
--   psql "$FAMCTX_MDM_OWNER_URL" -X -q -v ON_ERROR_STOP=1 \
--        -v seed=42 -v persons=1000 [-v asof=2025-01-31] -f sql/synthetic/generate.sql
--
-- seed     any integer; the whole data set is a function of (seed, persons, asof).
-- persons  total number of persons, including the six of the showcase family
--          (values below 6 are raised to 6; at most 9,000,000).
-- asof     the day the data is made (default current_date): dates of birth and
--          record dates are computed back from it, so ages hold on that day.
--
-- Deterministic: no random(). Every choice is u(id, purpose), a uniform number in
-- [0, 1) from hashint8extended(id, seed * 1000 + purpose), and every numbering
-- (row_number) is over a total order, so neither the plan nor parallelism can
-- change the result. Set-based: generate_series and INSERT ... SELECT only.
-- mdm.load_run is left alone (it is the history of deliveries).
--
-- The model, in a fictional borough, Kestrel Vale (8 towns, postcodes KV1-KV8,
-- phone numbers in Ofcom's drama range 01632 960xxx):
--   households at an address (UPRN 200000000000 + household number, 40 to a
--   street), 1-6 people: single (22%), couple (21%), couple with children (20%),
--   lone parent (9%), blended family (5%: mother, step-father, her children by an
--   earlier partner, and the couple's own younger children, their half-siblings),
--   older household (18%, 1-2 people), shared house (5%, unrelated adults).
--   Children's ages spread over childhood (a gap of 1-3 years between siblings,
--   parents 18-37 at the eldest's birth); about 2.3 people a household.
--   across addresses: absent fathers (a single man elsewhere is the father of a
--     lone mother's children, or of a blended family's older ones); parents of
--     adults: adults of 18-58 (sometimes two of them, adult siblings) have their
--     parents elsewhere, a couple (50+), a single person (55+) or an older
--     household of the right age, who are also the grandparents of those
--     adults' children; adult children caring for a parent of 78+ (carer), and
--     partners of 80+ cared for by the other.
--   services by who they are for: school 4-20 (mostly 4-18, by national
--     curriculum year: nursery, primary, secondary, sixth form, in-year moves),
--     children's social care 0-25 (whole families and individuals; cms id
--     CMS-<n> for those known to it), adult social care 15+ (mostly the
--     elderly), housing (social tenants and joint tenants 18+, with tenancy
--     flags, earlier tenancies), police 18+ (more young men).
--   key fields are complete: every person has names, date of birth, gender,
--     address, postcode and UPRN.
--   the showcase family, ids 1-6, always identical (see the end of this file).
-- About 1.6 relationship rows and 0.7 service rows a person.
--
-- Relationship rows: "person_id is <relationship_type> of related_person_id".
-- Stored types and the convention (the inverses are derived at read time):
--   parent       X parent Y          (child is never stored)
--   step_parent  X step_parent Y     (step_child is never stored)
--   grandparent  X grandparent Y     (grandchild is never stored)
--   carer        X carer Y           (cared_for is never stored)
--   sibling, half_sibling, partner   once a pair, person_id < related_person_id

\set ON_ERROR_STOP 1
\if :{?seed}
\else
\set seed 42
\endif
\if :{?persons}
\else
\set persons 1000
\endif
\if :{?asof}
\else
SELECT current_date AS asof \gset
\endif

SET client_min_messages = warning;
SET temp_buffers = '512MB';
SET work_mem = '256MB';
SET maintenance_work_mem = '512MB';
SET jit = off;

-- Source-system keys have fixed widths: at most 9 million persons.
SELECT format('DO $d$ BEGIN RAISE EXCEPTION %L; END $d$', 'persons: at most 9000000, not ' || :'persons')
WHERE (:'persons')::bigint > 9000000 \gexec

-- Parameters and helpers, as constants the planner folds in (inlined SQL functions).
SELECT format($f$CREATE FUNCTION pg_temp.seed() RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $b$ SELECT %s::bigint $b$$f$, (:'seed')::bigint) \gexec
SELECT format($f$CREATE FUNCTION pg_temp.n_persons() RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $b$ SELECT %s::bigint $b$$f$, greatest((:'persons')::bigint, 6)) \gexec
SELECT format($f$CREATE FUNCTION pg_temp.asof() RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $b$ SELECT %L::date $b$$f$, (:'asof')::date) \gexec
SELECT format($f$CREATE FUNCTION pg_temp.u(id bigint, k integer) RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $b$ SELECT (hashint8extended(id, %s::bigint * 1000 + k) & 9007199254740991)::double precision / 9007199254740992.0 $b$$f$, (:'seed')::bigint) \gexec

CREATE FUNCTION pg_temp.pick(a text[], r double precision) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT a[1 + floor(r * cardinality(a))::int] $$;

-- Academic year (the September it starts) of a day: national curriculum year
-- is academic_year(asof) - academic_year(dob) - 5 (0 = reception).
CREATE FUNCTION pg_temp.academic_year(d date) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT extract(year FROM d - interval '8 months')::int $$;

-- A record's key in a source system: increasing with the person id (so the link
-- table is written in key order), unique, at least 1e6 (the showcase's fixed keys
-- are below), and not simply the person id.
CREATE FUNCTION pg_temp.skey(id bigint, k integer) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT 1000000 + (id - 7) * 10 + floor(pg_temp.u(id, k) * 10)::bigint $$;

CREATE FUNCTION pg_temp.school_contact(name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT 'School office, 01632 960' || lpad(((('x' || substr(md5(name), 1, 6))::bit(24)::int) % 1000)::text, 3, '0') $$;

CREATE FUNCTION pg_temp.area(town integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT (ARRAY['North', 'North', 'East', 'East', 'South', 'South', 'West', 'West'])[town + 1] $$;

-- Name lists -----------------------------------------------------------------

CREATE FUNCTION pg_temp.surnames() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY[
 'Smith','Jones','Williams','Taylor','Brown','Davies','Evans','Wilson','Thomas','Johnson',
 'Roberts','Robinson','Thompson','Wright','Walker','White','Edwards','Hughes','Green','Hall',
 'Lewis','Harris','Clarke','Patel','Jackson','Wood','Turner','Martin','Cooper','Hill',
 'Ward','Morris','Moore','Clark','Lee','King','Baker','Harrison','Morgan','Allen',
 'James','Scott','Phillips','Watson','Davis','Parker','Price','Bennett','Young','Griffiths',
 'Mitchell','Kelly','Cook','Carter','Richardson','Bailey','Collins','Bell','Shaw','Murphy',
 'Miller','Cox','Richards','Khan','Marshall','Anderson','Simpson','Ellis','Adams','Singh',
 'Begum','Wilkinson','Foster','Chapman','Powell','Webb','Rogers','Gray','Mason','Ali',
 'Hunt','Hussain','Campbell','Matthews','Owen','Palmer','Holmes','Mills','Barnes','Knight',
 'Lloyd','Butler','Russell','Barker','Fisher','Stevens','Jenkins','Murray','Dixon','Harvey',
 'Graham','Pearson','Ahmed','Fletcher','Walsh','Kaur','Gibson','Howard','Andrews','Stewart',
 'Elliott','Reynolds','Saunders','Payne','Fox','Ford','Pearce','Day','Brooks','West',
 'Lawrence','Cole','Atkinson','Bradley','Spencer','Gill','Dawson','Ball','Burton','O''Brien',
 'Watts','Rose','Booth','Perry','Ryan','Grant','Wells','Armstrong','Francis','Rees',
 'Hayes','Hart','Hudson','Newman','Barrett','Webster','Hunter','Gregory','Carr','Lowe',
 'Page','Marsh','Riley','Dunn','Woods','Parsons','Berry','Stone','Reid','Holland',
 'Hawkins','Harding','Porter','Robertson','Newton','Oliver','Reed','Kennedy','Williamson','Bird',
 'Gardner','Shah','Dean','Lane','Cooke','Bates','Henderson','Parry','Burgess','Bishop',
 'Walton','Burns','Nicholson','Shepherd','Ross','Cross','Long','Freeman','Warren','Nicholls',
 'Hamilton','Byrne','Sutton','McDonald','Yates','Hodgson','Robson','Curtis','Hopkins','O''Connor',
 'Harper','Coleman','Watkins','Moss','McCarthy','Chambers','Nowak','Kowalski','Mahmood','Akhtar',
 'Whitfield','Okafor','Mensah','Da Silva','Nguyen','Chowdhury','Iqbal','Kaminski','Doyle','Quinn'] $$;

CREATE FUNCTION pg_temp.female_old() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY[
 'Margaret','Patricia','Susan','Linda','Christine','Janet','Elizabeth','Barbara','Jean','Sandra',
 'Carol','Pauline','Brenda','Maureen','Anne','Valerie','Sheila','Jennifer','Gillian','Denise',
 'Kathleen','Joan','Doreen','Irene','Eileen','Hilary','Wendy','Lesley','Julie','Karen',
 'Deborah','Jacqueline','Lynne','Alison','Diane','Beverley','Angela','Dawn','Tracey','Helen'] $$;
CREATE FUNCTION pg_temp.female_mid() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY[
 'Sarah','Emma','Claire','Nicola','Lisa','Rachel','Joanne','Kelly','Gemma','Laura',
 'Rebecca','Amy','Hayley','Stacey','Kirsty','Leanne','Natalie','Victoria','Samantha','Charlotte',
 'Danielle','Jessica','Lauren','Sophie','Hannah','Jade','Katie','Zoe','Louise','Michelle',
 'Stephanie','Amanda','Lucy','Kerry','Catherine','Aisha','Fatima','Priya','Kayleigh','Siobhan'] $$;
CREATE FUNCTION pg_temp.female_young() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY[
 'Olivia','Amelia','Isla','Ava','Mia','Ivy','Lily','Isabella','Sophia','Grace',
 'Freya','Ella','Evie','Poppy','Florence','Willow','Rosie','Daisy','Sienna','Millie',
 'Phoebe','Harper','Emily','Ruby','Chloe','Matilda','Maisie','Esme','Layla','Zara',
 'Maryam','Aaliyah','Scarlett','Erin','Holly','Megan','Leah','Niamh','Eva','Imogen'] $$;
CREATE FUNCTION pg_temp.male_old() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY[
 'David','John','Michael','Peter','Robert','Stephen','Paul','Christopher','Alan','Brian',
 'Keith','Graham','Ian','Kevin','Anthony','Colin','Derek','Geoffrey','Kenneth','Malcolm',
 'Raymond','Roger','Terence','Trevor','Barry','Gary','Martin','Philip','Richard','Nigel',
 'Neil','Mark','Andrew','Gordon','Dennis','Frank','George','Leslie','William','Patrick'] $$;
CREATE FUNCTION pg_temp.male_mid() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY[
 'James','Daniel','Matthew','Thomas','Adam','Luke','Ryan','Craig','Lee','Jamie',
 'Scott','Jonathan','Ben','Simon','Carl','Dean','Wayne','Liam','Sean','Darren',
 'Jason','Stuart','Ashley','Nathan','Jordan','Kieran','Shane','Aaron','Joseph','Samuel',
 'Oliver','Alexander','Mohammed','Imran','Hassan','Tariq','Rajesh','Marek','Tomasz','Callum'] $$;
CREATE FUNCTION pg_temp.male_young() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY[
 'Oliver','Noah','George','Arthur','Muhammad','Leo','Harry','Oscar','Archie','Henry',
 'Theodore','Freddie','Jack','Charlie','Theo','Finley','Alfie','Jacob','Thomas','Isaac',
 'Lucas','Joshua','Ethan','Mason','Logan','Reuben','Tyler','Harrison','Jaxon','Riley',
 'Max','Toby','Jude','Ezra','Ibrahim','Yusuf','Kai','Elijah','Dylan','Louie'] $$;

CREATE FUNCTION pg_temp.first_name(gender text, age integer, r double precision) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN gender = 'Female' THEN CASE
            WHEN extract(year FROM pg_temp.asof())::int - age < 1975 THEN pg_temp.pick(pg_temp.female_old(), r)
            WHEN extract(year FROM pg_temp.asof())::int - age < 2000 THEN pg_temp.pick(pg_temp.female_mid(), r)
            ELSE pg_temp.pick(pg_temp.female_young(), r) END
        ELSE CASE
            WHEN extract(year FROM pg_temp.asof())::int - age < 1975 THEN pg_temp.pick(pg_temp.male_old(), r)
            WHEN extract(year FROM pg_temp.asof())::int - age < 2000 THEN pg_temp.pick(pg_temp.male_mid(), r)
            ELSE pg_temp.pick(pg_temp.male_young(), r) END
    END $$;

-- Streets (none of the showcase's: Larkspur, Orchard, Weaver, Mill), towns, schools.
CREATE FUNCTION pg_temp.street_names() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY[
 'Acacia','Alder','Ash','Aspen','Badger','Beech','Birch','Bluebell','Bramble','Briar',
 'Brook','Buttercup','Canal','Castle','Cedar','Chapel','Cherry','Chestnut','Church','Clover',
 'Coronation','Cotton','Cromwell','Daisy','Dale','Elm','Fern','Field','Foxglove','Gorse',
 'Granville','Hawthorn','Hazel','Heather','Highfield','Holly','Honeysuckle','Juniper','Kestrel','Laburnum',
 'Lilac','Lime','Linden','Maple','Marigold','Meadow','Moor','Moss','Oak','Park',
 'Pine','Poplar','Primrose','Quarry','Queens','Railway','Rowan','Sandown','School','Spring',
 'Station','Sycamore','Thistle','Victoria','Willow','Windsor','Wren','Yew','Albert','Alexandra',
 'Bank','Beacon','Bridge','Cambridge','Carlton','Clarence','Devonshire','Egerton','Grosvenor','Hampden',
 'Hanover','Heywood','Kingsway','Lancaster','Marlborough','Milton','Nelson','Newbold','Norfolk','Oxford',
 'Peel','Regent','Richmond','Rochester','Rutland','Stanley','Stamford','Tennyson','Trafalgar','Warwick',
 'Wellington','Westbourne','York','Ashworth','Bamford','Crompton','Fairfield','Greenbank','Hollybank','Lindow',
 'Moorside','Oakwood','Ridgeway','Sunnyside','Thornfield','Whitefield','Copper Beech','St John''s','Holme','Barton'] $$;
CREATE FUNCTION pg_temp.street_types() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY[
 'Road','Street','Avenue','Lane','Close','Drive','Grove','Crescent','Way','Gardens','Terrace','Walk'] $$;
CREATE FUNCTION pg_temp.towns() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY[
 'Kestrelford','Ashby Moor','Thornleigh','Brackenbury','Linden Cross','Harrowden Park','Mossbank','Wrenfield'] $$;
-- Three primaries a town, in town order.
CREATE FUNCTION pg_temp.primaries() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY[
 'Kestrelford Primary School','St Mary''s C of E Primary School','Beacon Hill Primary School',
 'Ashby Moor Community Primary School','Holy Trinity C of E Primary School','Moorside Primary School',
 'Thornleigh Junior and Infant School','St Joseph''s RC Primary School','Greenbank Primary School',
 'Brackenbury Primary Academy','Oakwood Primary School','Sunnyside Primary School',
 'Linden Cross Primary School','Fairfield Primary School','St Anne''s RC Primary School',
 'Harrowden Park Primary School','Hawthorn Primary School','Ridgeway Primary Academy',
 'Mossbank Primary School','Kingsway Primary School','Highfield Primary School',
 'Wrenfield Primary School','Meadowbank Primary School','Riverside Primary School'] $$;
-- One secondary a town, in town order.
CREATE FUNCTION pg_temp.secondaries() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY[
 'Kestrelford High School','Ashby Moor Academy','Thornleigh Academy','Brackenbury School',
 'Linden Cross High School','Harrowden Park Academy','St Thomas More RC High School','Wrenfield High School'] $$;

-- Showcase dates, from asof ------------------------------------------------------
-- Tyler (fc:4) is 16 and in year 12: born 31 August, seventeen academic years
-- before the current one (counting 31 August itself as the next year's eve).
CREATE TEMP TABLE showcase_dob AS
SELECT * FROM (VALUES
    (1::bigint, (pg_temp.asof() - interval '9 years')::date - 137),
    (2, (pg_temp.asof() - interval '34 years')::date - 52),
    (3, (pg_temp.asof() - interval '38 years')::date - 210),
    (4, make_date(extract(year FROM pg_temp.asof() + 1 - interval '8 months')::int - 16, 8, 31)),
    (5, (pg_temp.asof() - interval '67 years')::date - 95),
    (6, (pg_temp.asof() - interval '36 years')::date - 301)
) AS v (id, dob);

BEGIN;

TRUNCATE mdm.person, mdm.person_source_link, mdm.relationship, mdm.school_record,
    mdm.childrens_social_care_record, mdm.adult_social_care_record, mdm.housing_record,
    mdm.police_record;

-- Loading into tables without indexes and building them afterwards is several
-- times faster. The definitions are read from the catalogue (sql/mdm/schema.sql
-- stays their only source) and rebuilt before COMMIT; all of it is one
-- transaction, so a failure leaves the warehouse as it was.
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
WHERE i.indrelid IN ('mdm.person'::regclass, 'mdm.person_source_link'::regclass,
    'mdm.relationship'::regclass, 'mdm.school_record'::regclass,
    'mdm.childrens_social_care_record'::regclass, 'mdm.adult_social_care_record'::regclass,
    'mdm.housing_record'::regclass, 'mdm.police_record'::regclass);
SELECT drop_sql FROM saved_index ORDER BY indexrelid \gexec

-- 1. Households ----------------------------------------------------------------
-- Enough candidate households (every one has at least one member); ids are given
-- out consecutively from 7, the last household may be cut short.
CREATE TEMP TABLE hh ON COMMIT DROP AS
WITH t AS (
    SELECT h, pg_temp.u(h, 1) AS r1, pg_temp.u(h, 2) AS r2, pg_temp.u(h, 3) AS r3,
           pg_temp.u(h, 4) AS r4, pg_temp.u(h, 6) AS r6, pg_temp.u(h, 7) AS r7,
           pg_temp.u(h, 9) AS r9
    FROM generate_series(1, pg_temp.n_persons() - 6) AS h
), ty AS (
    SELECT t.*,
        CASE WHEN r1 < 0.22 THEN 'single' WHEN r1 < 0.43 THEN 'couple'
             WHEN r1 < 0.63 THEN 'couple_kids' WHEN r1 < 0.72 THEN 'lone_parent'
             WHEN r1 < 0.77 THEN 'blended' WHEN r1 < 0.95 THEN 'older' ELSE 'shared' END AS htype
    FROM t
), c AS (
    SELECT ty.*,
        CASE htype WHEN 'single' THEN 1 WHEN 'lone_parent' THEN 1
             WHEN 'older' THEN CASE WHEN r2 < 0.42 THEN 1 ELSE 2 END
             WHEN 'shared' THEN 2 + floor(r2 * 3)::int ELSE 2 END AS n_adult,
        CASE WHEN htype = 'blended' THEN 1 + floor(r2 * 2)::int ELSE 0 END AS n_cp,
        CASE htype
             WHEN 'couple_kids' THEN CASE WHEN r3 < 0.45 THEN 1 WHEN r3 < 0.83 THEN 2 WHEN r3 < 0.96 THEN 3 ELSE 4 END
             WHEN 'lone_parent' THEN CASE WHEN r3 < 0.52 THEN 1 WHEN r3 < 0.84 THEN 2 WHEN r3 < 0.96 THEN 3 ELSE 4 END
             WHEN 'blended' THEN floor(r3 * 3)::int
             ELSE 0 END AS n_c
    FROM ty
), s AS (
    SELECT c.*, n_adult + n_cp + n_c AS size,
        -- age of the eldest child (families): ages spread evenly over childhood
        -- (at least a year a younger child)
        CASE htype WHEN 'couple_kids' THEN CASE WHEN r9 < 0.85 THEN n_c - 1 + floor(r9 / 0.85 * (19 - n_c))::int
                                                ELSE 18 + floor((r9 - 0.85) / 0.15 * 4)::int END
                   WHEN 'lone_parent' THEN n_c - 1 + floor(r9 * (19 - n_c))::int
                   WHEN 'blended' THEN 3 + n_cp + floor(r9 * (12 - n_cp))::int END AS eldest,
           7 + sum(n_adult + n_cp + n_c) OVER (ORDER BY h) - (n_adult + n_cp + n_c) AS first_id
    FROM c
), a AS (
    SELECT s.h, s.htype, s.n_adult, s.n_cp, s.n_c, s.first_id, s.eldest,
        least(s.size, pg_temp.n_persons() - s.first_id + 1)::int AS size_eff,
        CASE htype
            WHEN 'single' THEN CASE WHEN r4 < 0.5 THEN 18 + floor(r4 / 0.5 * 37)::int
                                    ELSE 55 + floor((r4 - 0.5) / 0.5 * 35)::int END
            WHEN 'couple' THEN CASE WHEN r4 < 0.3 THEN 20 + floor(r4 / 0.3 * 30)::int
                                    ELSE 50 + floor((r4 - 0.3) / 0.7 * 36)::int END
            WHEN 'couple_kids' THEN s.eldest + 22 + floor(r4 * 16)::int
            WHEN 'lone_parent' THEN greatest(18, s.eldest + 18 + floor(r4 * 18)::int)
            WHEN 'blended' THEN s.eldest + 20 + floor(r4 * 12)::int
            WHEN 'shared' THEN 18 + floor(r4 * 22)::int
            ELSE 65 + floor(r4 * 30)::int        -- older; replaced when linked to adult children
        END AS a1_age,
        CASE htype
            WHEN 'single' THEN CASE WHEN r7 < 0.48 THEN 'Female' ELSE 'Male' END
            WHEN 'couple' THEN CASE WHEN r7 < 0.04 THEN 'Male' ELSE 'Female' END
            WHEN 'lone_parent' THEN CASE WHEN r7 < 0.12 THEN 'Male' ELSE 'Female' END
            WHEN 'older' THEN CASE WHEN s.n_adult = 2 OR r7 < 0.65 THEN 'Female' ELSE 'Male' END
            ELSE 'Female' END AS a1_gender,
        CASE htype
            WHEN 'couple' THEN CASE WHEN r7 < 0.04 THEN 'Male' WHEN r7 < 0.07 THEN 'Female' ELSE 'Male' END
            WHEN 'couple_kids' THEN CASE WHEN r7 < 0.02 THEN 'Female' ELSE 'Male' END
            ELSE 'Male' END AS a2_gender,
        pg_temp.pick(pg_temp.surnames(), pg_temp.u(h, 5)) AS surname,
        pg_temp.pick(pg_temp.surnames(), r7) AS own_surname,
        r6,
        (h - 1) / 40 AS street_k,
        ((h - 1) % 40 + 1)::int AS house_no
    FROM s
    WHERE s.first_id <= pg_temp.n_persons()
)
SELECT a.*,
    CASE WHEN htype IN ('couple', 'couple_kids', 'older') AND r6 >= 0.65 THEN own_surname
         WHEN htype = 'blended' AND r6 >= 0.5 THEN own_surname
         ELSE surname END AS a1_surname,
    (street_k % 8)::int AS town,
    200000000000 + h AS uprn,
    house_no || ' ' ||
        (pg_temp.street_names())[1 + ((street_k / 8 + pg_temp.seed() * 7) % 120 + 120) % 120] || ' ' ||
        (pg_temp.street_types())[1 + ((street_k / 8 / 120 + pg_temp.seed()) % 12 + 12) % 12] || ', ' ||
        (pg_temp.towns())[1 + street_k % 8] AS address_line,
    'KV' || (street_k % 8 + 1) || ' ' || (street_k / 8 % 9 + 1) ||
        substr('ABDEFGHJLNPQRSTUWXYZ', 1 + ((street_k / 8 * 3 + (house_no - 1) / 14) % 400 / 20)::int, 1) ||
        substr('ABDEFGHJLNPQRSTUWXYZ', 1 + ((street_k / 8 * 3 + (house_no - 1) / 14) % 20)::int, 1) AS postcode
FROM a;
CREATE INDEX ON hh (h);
ANALYZE hh;

-- 2. Absent fathers: a single man elsewhere is the father of a lone mother's
-- children, or of a blended family's children from the mother's earlier partner.
CREATE TEMP TABLE fl ON COMMIT DROP AS
WITH fam AS (
    SELECT h, row_number() OVER (ORDER BY pg_temp.u(h, 20), h) AS r
    FROM hh
    WHERE ((htype = 'lone_parent' AND a1_gender = 'Female' AND pg_temp.u(h, 21) < 0.5)
        OR (htype = 'blended' AND pg_temp.u(h, 21) < 0.6))
      AND size_eff > n_adult
), sgl AS (
    SELECT h, row_number() OVER (ORDER BY pg_temp.u(h, 22), h) AS r
    FROM hh WHERE htype = 'single' AND pg_temp.u(h, 23) < 0.45
)
SELECT fam.h AS fam_h, sgl.h AS single_h FROM fam JOIN sgl USING (r);
ANALYZE fl;

-- 3. Members of all households but the older ones.
CREATE TEMP TABLE m0 (
    h bigint, htype text, id bigint, slot int, role text, age int, gender text, last_name text
) ON COMMIT DROP;

INSERT INTO m0
WITH x AS (
    SELECT h.h, h.htype, h.first_id + i AS id, i AS slot,
        CASE WHEN h.htype = 'shared' THEN 'S' WHEN i = 0 THEN 'A1' WHEN i < h.n_adult THEN 'A2'
             WHEN i < h.n_adult + h.n_cp THEN 'CP' ELSE 'C' END AS role,
        h.a1_age, h.eldest, h.n_adult, h.a1_gender, h.a2_gender, h.surname, h.a1_surname, h.own_surname,
        mh.a1_age AS mother_age,        -- this single man is an absent father
        fh.surname AS father_surname    -- this family's children have an absent father
    FROM hh h
    CROSS JOIN LATERAL generate_series(0, h.size_eff - 1) AS i
    LEFT JOIN fl f ON f.fam_h = h.h
    LEFT JOIN hh fh ON fh.h = f.single_h
    LEFT JOIN fl f2 ON f2.single_h = h.h
    LEFT JOIN hh mh ON mh.h = f2.fam_h
    WHERE h.htype <> 'older'
)
SELECT h, htype, id, slot, role,
    CASE
        WHEN role = 'A1' AND mother_age IS NOT NULL
            THEN least(greatest(mother_age - 1 + floor(pg_temp.u(id, 101) * 8)::int, 18), 75)
        WHEN role = 'A1' THEN a1_age
        WHEN role = 'A2' AND htype = 'blended' THEN greatest(18, a1_age - 2 + floor(pg_temp.u(id, 101) * 12)::int)
        WHEN role = 'A2' THEN greatest(18, a1_age - 3 + floor(pg_temp.u(id, 101) * 10)::int)
        WHEN role = 'S' THEN 18 + floor(pg_temp.u(id, 101) * 22)::int
        -- the first child is the eldest, the others younger
        -- (a gap of one to three years between siblings)
        WHEN role = 'CP' THEN greatest(4, eldest - (slot - 2) - floor(pg_temp.u(id, 101) * (2 * (slot - 2) + 1))::int)
        -- (the couple's own children are 0-3, their mother at most 43 at the birth)
        WHEN htype = 'blended' THEN greatest(a1_age - 43, 0)
                                    + floor(pg_temp.u(id, 101) * (4 - greatest(a1_age - 43, 0)))::int
        ELSE greatest(0, eldest - (slot - n_adult) - floor(pg_temp.u(id, 101) * (2 * (slot - n_adult) + 1))::int)
    END,
    CASE
        WHEN role = 'A1' AND mother_age IS NOT NULL THEN 'Male'
        WHEN role = 'A1' THEN a1_gender
        WHEN role = 'A2' THEN a2_gender
        WHEN pg_temp.u(id, 102) < 0.5 THEN 'Female' ELSE 'Male'
    END,
    CASE
        WHEN role = 'S' THEN pg_temp.pick(pg_temp.surnames(), pg_temp.u(id, 103))
        WHEN role = 'A1' THEN a1_surname
        WHEN role = 'A2' THEN surname
        WHEN role = 'CP' THEN CASE WHEN father_surname IS NOT NULL AND pg_temp.u(h, 8) < 0.5
                                   THEN father_surname ELSE own_surname END
        WHEN htype = 'lone_parent' AND father_surname IS NOT NULL AND pg_temp.u(h, 8) < 0.4 THEN father_surname
        WHEN htype = 'lone_parent' THEN a1_surname
        ELSE surname
    END
FROM x;

ANALYZE m0;

-- 4. Parents of adults elsewhere. Adults (18-58, not absent fathers) are grouped
-- by five-year age band into sibling pairs or only children. Each group is
-- matched first with a couple (50+) or single person (55+) of the right age,
-- else with an older household (whose ages then follow the group's).
CREATE TEMP TABLE gpt ON COMMIT DROP AS
SELECT id, h, age, age / 5 AS band,
       row_number() OVER (PARTITION BY age / 5 ORDER BY pg_temp.u(id, 60), id) - 1 AS r
FROM m0
WHERE role IN ('A1', 'A2') AND age BETWEEN 18 AND 58 AND pg_temp.u(id, 61) < 0.7
  AND NOT EXISTS (SELECT 1 FROM fl WHERE fl.single_h = m0.h);
ANALYZE gpt;

CREATE TEMP TABLE gpg ON COMMIT DROP AS
SELECT a.id, a.h, a.age, a.band,
    a.band::bigint * 100000000 + CASE WHEN b.id IS NOT NULL AND b.h <> a.h
                                        AND pg_temp.u(a.band::bigint * 100000000 + a.r / 2, 63) < 0.45
                                      THEN (a.r / 2) * 2 ELSE a.r END AS g
FROM gpt a LEFT JOIN gpt b ON b.band = a.band AND b.r = (a.r # 1);
ANALYZE gpg;

CREATE TEMP TABLE gl (elder_h bigint, g bigint, base_age numeric, older boolean) ON COMMIT DROP;

INSERT INTO gl
WITH grp AS (
    SELECT g, min(band) AS band,
        row_number() OVER (PARTITION BY min(band) ORDER BY pg_temp.u(g, 64), g) AS r
    FROM gpg GROUP BY g
), fe AS (
    SELECT h, cb, row_number() OVER (PARTITION BY cb ORDER BY pg_temp.u(h, 65), h) AS r
    FROM (SELECT h, (a1_age - 24 - floor(pg_temp.u(h, 69) * 12)::int) / 5 AS cb
          FROM hh
          WHERE ((htype = 'couple' AND a1_age >= 50) OR (htype = 'single' AND a1_age >= 55))
            AND pg_temp.u(h, 66) < 0.7
            AND NOT EXISTS (SELECT 1 FROM fl WHERE fl.single_h = hh.h)) AS x
)
SELECT fe.h, grp.g, NULL, false FROM fe JOIN grp ON grp.band = fe.cb AND grp.r = fe.r;
ANALYZE gl;

INSERT INTO gl
WITH grp AS (
    SELECT g, avg(age) AS base_age, row_number() OVER (ORDER BY pg_temp.u(g, 64), g) AS r
    FROM gpg WHERE g NOT IN (SELECT g FROM gl)
    GROUP BY g
), old AS (
    SELECT h, row_number() OVER (ORDER BY pg_temp.u(h, 65), h) AS r
    FROM hh WHERE htype = 'older' AND pg_temp.u(h, 66) < 0.85
)
SELECT old.h, grp.g, grp.base_age, true FROM old JOIN grp USING (r);
ANALYZE gl;

-- 5. Members of the older households (ages follow their adult children's).
INSERT INTO m0
WITH o AS (
    SELECT h.*, gl.base_age,
        CASE WHEN gl.base_age IS NOT NULL
             THEN least(99, floor(gl.base_age)::int + 22 + floor(pg_temp.u(h.h, 67) * 14)::int)
             ELSE h.a1_age END AS e_age
    FROM hh h LEFT JOIN gl ON gl.elder_h = h.h
    WHERE h.htype = 'older'
)
SELECT o.h, o.htype, o.first_id + i, i, CASE WHEN i = 0 THEN 'A1' ELSE 'A2' END,
    CASE WHEN i = 0 THEN e_age
         ELSE least(99, greatest(e_age - 4 + floor(pg_temp.u(o.first_id + i, 101) * 10)::int,
                                 coalesce(floor(base_age)::int + 18, 55))) END,
    CASE WHEN i = 0 THEN a1_gender ELSE a2_gender END,
    CASE WHEN i = 0 THEN a1_surname ELSE surname END
FROM o CROSS JOIN LATERAL generate_series(0, o.size_eff - 1) AS i;

-- All generated members, with dates of birth and first names.
CREATE TEMP TABLE m ON COMMIT DROP AS
SELECT m0.*,
    (pg_temp.asof() - make_interval(years => age))::date - floor(pg_temp.u(id, 104) * 365)::int AS dob,
    pg_temp.first_name(gender, age, pg_temp.u(id, 105)) AS first_name,
    h.town, h.first_id
FROM m0 JOIN hh h USING (h);
CREATE INDEX ON m (id);
CREATE INDEX ON m (h);
ANALYZE m;

-- 6. Children's social care: whole families known (13% of families) and some
-- individuals (2% of those 0-25); one to three episodes each, in childhood
-- (looked-after episodes can run on to 25 as leaving care).
CREATE TEMP TABLE csc ON COMMIT DROP AS
WITH who AS (
    SELECT m.* FROM m
    WHERE m.age <= 25
      AND ((m.role IN ('C', 'CP') AND pg_temp.u(m.h, 30) < 0.13) OR pg_temp.u(m.id, 31) < 0.02)
), ep AS (
    SELECT who.*, e, 1 + floor(pg_temp.u(id, 32) ^ 2 * 3)::int AS n,
        who.id * 8 + e AS k,
        least(pg_temp.asof(), (who.dob + interval '18 years')::date) - who.dob AS span
    FROM who CROSS JOIN LATERAL generate_series(1, 1 + floor(pg_temp.u(who.id, 32) ^ 2 * 3)::int) AS e
), t AS (
    SELECT ep.*,
        ep.dob + floor(span * ((e - 1) + pg_temp.u(k, 33) * 0.85) / n)::int AS start_date,
        CASE WHEN pg_temp.u(k, 34) < 0.40 THEN 'early_help' WHEN pg_temp.u(k, 34) < 0.70 THEN 'cin'
             WHEN pg_temp.u(k, 34) < 0.85 THEN 'cp' ELSE 'lac' END AS involvement_type,
        60 + floor(pg_temp.u(k, 35) * 660)::int AS dur
    FROM ep
), o AS (
    SELECT t.*,
        (e = n AND ((age < 18 AND pg_temp.u(id, 36) < 0.35)
                 OR (age >= 18 AND involvement_type = 'lac' AND pg_temp.u(id, 36) < 0.4))) AS is_open
    FROM t
)
SELECT id AS person_id, e, involvement_type, start_date,
    CASE WHEN is_open THEN NULL
         ELSE greatest(start_date, least(start_date + dur, pg_temp.asof() - 1,
                       CASE WHEN involvement_type = 'lac' THEN pg_temp.asof() ELSE (dob + interval '18 years')::date END))
    END AS end_date,
    CASE involvement_type
        WHEN 'early_help' THEN 'Early Help Team (' || pg_temp.area(town) || ')'
        WHEN 'cin' THEN 'Child in Need Team ' || (1 + floor(pg_temp.u(k, 37) * 3)::int)
        WHEN 'cp' THEN 'Child Protection Team'
        ELSE CASE WHEN is_open AND age >= 18 THEN 'Leaving Care Team' ELSE 'Children in Care Team' END
    END AS team
FROM o;

CREATE TEMP TABLE cms ON COMMIT DROP AS
SELECT person_id, 'CMS-' || (10000 + row_number() OVER (ORDER BY pg_temp.u(person_id, 38), person_id)) AS cms_id
FROM (SELECT DISTINCT person_id FROM csc) AS p;
ANALYZE csc;
ANALYZE cms;

-- 7. Persons ----------------------------------------------------------------------
INSERT INTO mdm.person (person_id, cms_id, first_name, last_name, date_of_birth, gender,
                        address_line, postcode, uprn)
SELECT m.id, cms.cms_id, m.first_name, m.last_name, m.dob, m.gender,
       h.address_line, h.postcode, h.uprn
FROM m JOIN hh h USING (h) LEFT JOIN cms ON cms.person_id = m.id;

-- 8. Relationships ------------------------------------------------------------------
INSERT INTO mdm.relationship (person_id, related_person_id, relationship_type, source_system)
-- mother (A1) is a parent of every child in her household
SELECT h.first_id, k.id, 'parent', 'nhs_pds'
FROM m k JOIN hh h USING (h)
WHERE k.role IN ('C', 'CP')
UNION ALL
-- the second adult is a parent of the couple's children ...
SELECT h.first_id + 1, k.id, 'parent', 'nhs_pds'
FROM m k JOIN hh h USING (h)
WHERE k.role = 'C' AND h.htype IN ('couple_kids', 'blended')
UNION ALL
-- ... and the step-parent of the mother's earlier children
SELECT h.first_id + 1, k.id, 'step_parent', 'school'
FROM m k JOIN hh h USING (h)
WHERE k.role = 'CP'
UNION ALL
-- partners
SELECT a.first_id, a.id, 'partner', 'council_tax'
FROM m a
WHERE a.role = 'A2'
UNION ALL
-- children of one household: full siblings, or half-siblings across the two families
SELECT a.id, b.id, CASE WHEN a.role = b.role THEN 'sibling' ELSE 'half_sibling' END, 'nhs_pds'
FROM m a JOIN m b ON b.h = a.h AND b.id > a.id
WHERE a.role IN ('C', 'CP') AND b.role IN ('C', 'CP')
UNION ALL
-- absent fathers
SELECT s.first_id, k.id, 'parent', 'childrens_social_care'
FROM fl JOIN hh s ON s.h = fl.single_h JOIN m k ON k.h = fl.fam_h
WHERE k.role = CASE WHEN k.htype = 'blended' THEN 'CP' ELSE 'C' END
UNION ALL
-- older households: parents of adults elsewhere ...
SELECT e.id, t.id, 'parent', 'nhs_pds'
FROM gl JOIN m e ON e.h = gl.elder_h JOIN gpg t ON t.g = gl.g
UNION ALL
-- ... and grandparents of those adults' children (not of step-children)
SELECT e.id, k.id, 'grandparent', 'school'
FROM gl JOIN m e ON e.h = gl.elder_h JOIN gpg t ON t.g = gl.g JOIN m p ON p.id = t.id
     JOIN m k ON k.h = p.h
WHERE (p.role = 'A1' AND k.role IN ('C', 'CP')) OR (p.role = 'A2' AND k.role = 'C')
UNION ALL
-- adult siblings (a pair in one group)
SELECT a.id, b.id, 'sibling', 'nhs_pds'
FROM gl JOIN gpg a ON a.g = gl.g JOIN gpg b ON b.g = gl.g AND b.id > a.id
UNION ALL
-- carers: in a couple, the younger cares for a partner of 80 or more ...
SELECT y.id, o.id, 'carer', 'adult_social_care'
FROM m o JOIN m y ON y.h = o.h AND y.id <> o.id
WHERE o.htype IN ('older', 'couple') AND o.age >= 80 AND (o.age > y.age OR (o.age = y.age AND o.id < y.id))
  AND pg_temp.u(o.h, 70) < 0.3
UNION ALL
-- ... and some adult children care for an elderly parent (the older of the two, 78+)
SELECT t.id, e.id, 'carer', 'adult_social_care'
FROM gl JOIN gpg t ON t.g = gl.g JOIN m e ON e.h = gl.elder_h AND e.slot = 0
WHERE e.age >= 78 AND pg_temp.u(t.id, 71) < 0.15;

-- 9. Services -----------------------------------------------------------------------
-- School: by national curriculum year (ncy; 0 = reception) on asof, ages 4-20.
INSERT INTO mdm.school_record (id, person_id, involvement, school_name, admission_type, contact,
                               start_date, end_date)
WITH p AS (
    SELECT m.id, m.h, m.town, m.dob, m.age,
        pg_temp.academic_year(m.dob) AS cy,
        pg_temp.academic_year(pg_temp.asof()) - pg_temp.academic_year(m.dob) - 5 AS ncy,
        floor(pg_temp.u(m.h, 210) * 3)::int AS pi,
        CASE WHEN pg_temp.u(m.h, 211) < 0.8 THEN m.town ELSE floor(pg_temp.u(m.h, 212) * 8)::int END AS si,
        pg_temp.u(m.id, 213) < 0.08 AS moved
    FROM m WHERE m.age BETWEEN 4 AND 20
), r AS (
    -- nursery class (ages 3-4) at the primary
    SELECT id, 1 AS seq, 'current' AS involvement, (pg_temp.primaries())[1 + town * 3 + pi] AS school_name,
           'Nursery' AS admission_type, make_date(cy + 4, 9, 1) AS start_date, NULL::date AS end_date
    FROM p WHERE ncy = -1 AND pg_temp.u(id, 200) < 0.45
    UNION ALL
    -- primary, current (an in-year move leaves a historic record at the previous school)
    SELECT id, 2, 'current', (pg_temp.primaries())[1 + town * 3 + CASE WHEN moved AND ncy >= 1 THEN (pi + 1) % 3 ELSE pi END],
           CASE WHEN moved AND ncy >= 1 THEN 'In-year' ELSE 'Reception (normal round)' END,
           CASE WHEN moved AND ncy >= 1
                THEN make_date(cy + 5, 9, 1) + floor(pg_temp.u(id, 214) * (pg_temp.asof() - make_date(cy + 5, 9, 1)))::int
                ELSE make_date(cy + 5, 9, 1) END,
           NULL
    FROM p WHERE ncy BETWEEN 0 AND 6 AND pg_temp.u(id, 200) < 0.96
    UNION ALL
    SELECT id, 1, 'historic', (pg_temp.primaries())[1 + town * 3 + pi], 'Reception (normal round)',
           make_date(cy + 5, 9, 1),
           greatest(make_date(cy + 5, 9, 1),
                    make_date(cy + 5, 9, 1) + floor(pg_temp.u(id, 214) * (pg_temp.asof() - make_date(cy + 5, 9, 1)))::int
                        - 1 - floor(pg_temp.u(id, 215) * 20)::int)
    FROM p WHERE ncy BETWEEN 1 AND 6 AND pg_temp.u(id, 200) < 0.96 AND moved
    UNION ALL
    -- primary, historic (left at the end of year 6)
    SELECT id, 1, 'historic', (pg_temp.primaries())[1 + town * 3 + pi], 'Reception (normal round)',
           make_date(cy + 5, 9, 1), make_date(cy + 12, 7, 21)
    FROM p WHERE ncy >= 7 AND pg_temp.u(id, 203) < 0.88
    UNION ALL
    -- secondary, current
    SELECT id, 3, 'current', (pg_temp.secondaries())[1 + si],
           CASE WHEN moved THEN 'In-year' ELSE 'Year 7 (normal round)' END,
           CASE WHEN moved
                THEN make_date(cy + 12, 9, 1) + floor(pg_temp.u(id, 214) * (pg_temp.asof() - make_date(cy + 12, 9, 1)))::int
                ELSE make_date(cy + 12, 9, 1) END,
           NULL
    FROM p WHERE ncy BETWEEN 7 AND 11 AND pg_temp.u(id, 201) < 0.95
    UNION ALL
    -- secondary, historic (left at the end of year 11)
    SELECT id, 3, 'historic', (pg_temp.secondaries())[1 + si], 'Year 7 (normal round)',
           make_date(cy + 12, 9, 1), make_date(cy + 17, 7, 21)
    FROM p WHERE ncy >= 12 AND pg_temp.u(id, 204) < 0.9
    UNION ALL
    -- sixth form (years 12-13): the secondary's own or the college
    SELECT id, 4, CASE WHEN ncy <= 13 THEN 'current' ELSE 'historic' END,
           CASE WHEN pg_temp.u(id, 206) < 0.5 THEN (pg_temp.secondaries())[1 + si] || ' Sixth Form'
                ELSE 'Kestrel Vale Sixth Form College' END,
           'Sixth form', make_date(cy + 17, 9, 1),
           CASE WHEN ncy <= 13 THEN NULL ELSE make_date(cy + 19, 7, 14) END
    FROM p WHERE ncy >= 12 AND pg_temp.u(id, 205) < CASE WHEN ncy <= 13 THEN 0.55 ELSE 0.45 END
    UNION ALL
    -- a few young adults (18-20) in a special school placement
    SELECT id, 5, 'current', 'Brookside Special School', 'SEN placement', make_date(cy + 17, 9, 1), NULL
    FROM p WHERE ncy >= 14 AND pg_temp.u(id, 207) < 0.03
)
SELECT 100 + row_number() OVER (ORDER BY r.id, r.seq, r.involvement),
       r.id, r.involvement, r.school_name, r.admission_type, pg_temp.school_contact(r.school_name),
       r.start_date, r.end_date
FROM r;

INSERT INTO mdm.childrens_social_care_record (id, person_id, involvement_type, start_date, end_date, team)
SELECT 100 + row_number() OVER (ORDER BY person_id, e), person_id, involvement_type, start_date, end_date, team
FROM csc;

-- Adult social care: 15+, mostly the elderly.
INSERT INTO mdm.adult_social_care_record (id, person_id, organisation, last_involvement_start,
                                          most_recent_interaction, involvement)
WITH p AS (
    SELECT m.*,
        CASE WHEN age < 26 THEN ARRAY['Kestrel Vale Council Transitions Team', 'Learning Disability Service',
                                      'Community Mental Health Team']
             WHEN age < 65 THEN ARRAY['Learning Disability Service', 'Community Mental Health Team',
                                      'Physical Disability and Sensory Team', 'Kestrel Vale Reablement Service',
                                      'Kestrel Vale Shared Lives']
             ELSE ARRAY['Kestrel Vale Council Older People''s Team', 'Kestrel Vale Reablement Service',
                        'Brookfield Home Care Ltd', 'Moorside Care Home', 'Linden Lodge Residential Home',
                        'Kestrel Vale Council Older People''s Team'] END AS orgs
    FROM m
    WHERE age >= 15
      AND pg_temp.u(id, 400) < CASE WHEN age < 18 THEN 0.01 WHEN age < 65 THEN 0.03 WHEN age < 75 THEN 0.10
                                    WHEN age < 85 THEN 0.24 ELSE 0.45 END
), r AS (
    SELECT id AS person_id, 2 AS seq, pg_temp.pick(orgs, pg_temp.u(id, 401)) AS organisation,
        pg_temp.u(id, 402) < CASE WHEN age >= 65 THEN 0.6 ELSE 0.45 END AS cur,
        greatest((dob + interval '15 years')::date, pg_temp.asof() - 30 - floor(pg_temp.u(id, 403) * 3000)::int) AS s,
        dob
    FROM p
    UNION ALL
    -- an earlier, closed involvement with another organisation
    SELECT id, 1, pg_temp.pick(orgs, pg_temp.u(id, 404)), false,
        greatest((dob + interval '15 years')::date, pg_temp.asof() - 3100 - floor(pg_temp.u(id, 405) * 3000)::int),
        dob
    FROM p WHERE pg_temp.u(id, 406) < 0.2 AND age >= 25
)
SELECT 100 + row_number() OVER (ORDER BY person_id, seq), person_id, organisation, s,
    CASE WHEN cur THEN greatest(s, pg_temp.asof() - floor(pg_temp.u(person_id * 4 + seq, 407) * 60)::int)
         ELSE greatest(s, least(pg_temp.asof() - 1, s + floor(pg_temp.u(person_id * 4 + seq, 407) * 400)::int)) END,
    CASE WHEN cur THEN 'current' ELSE 'historic' END
FROM r;

-- Housing: social tenants (the lead tenant, and a partner as joint tenant),
-- with household tenancy flags; some earlier tenancies.
INSERT INTO mdm.housing_record (id, person_id, association, tenancy_start, tenancy_end,
                                anti_social_behaviour, rent_arrears, notice_seeking_possession, eviction)
WITH hs AS (
    SELECT h.*, a1.age AS lead_age,
        pg_temp.pick(ARRAY['Kestrel Vale Homes', 'Kestrel Vale Homes', 'Moorside Housing Association',
                           'Northern Vale Housing Trust', 'Greenbank Homes',
                           'Wrenfield and District Housing Association'], pg_temp.u(h.h, 41)) AS association,
        CASE WHEN pg_temp.u(h.h, 44) < 0.03 THEN 'open' WHEN pg_temp.u(h.h, 44) < 0.09 THEN 'closed' END AS asb,
        CASE WHEN pg_temp.u(h.h, 45) < 0.11 THEN 'open' WHEN pg_temp.u(h.h, 45) < 0.23 THEN 'closed' END AS arrears,
        pg_temp.u(h.h, 46) AS r_nsp, pg_temp.u(h.h, 47) AS r_ev
    FROM hh h JOIN m a1 ON a1.id = h.first_id
    WHERE pg_temp.u(h.h, 40) < CASE h.htype WHEN 'single' THEN 0.25 WHEN 'couple' THEN 0.15
                                   WHEN 'couple_kids' THEN 0.20 WHEN 'lone_parent' THEN 0.50
                                   WHEN 'blended' THEN 0.30 WHEN 'older' THEN 0.28 ELSE 0.06 END
), f AS (
    SELECT hs.*,
        pg_temp.asof() - floor(pg_temp.u(h, 42) ^ 1.3 * (least(lead_age - 18, 30) * 365 + 30))::int AS t_start,
        CASE WHEN arrears = 'open' AND r_nsp < 0.2 THEN 'open' WHEN r_nsp < 0.03 THEN 'closed' END AS nsp
    FROM hs
), cur AS (
    SELECT t.id AS person_id, 2 AS seq, f.association,
        greatest(f.t_start, (t.dob + interval '18 years')::date) AS tenancy_start, NULL::date AS tenancy_end,
        f.asb, f.arrears, f.nsp,
        CASE WHEN f.nsp = 'open' AND f.r_ev < 0.15 THEN 'open' END AS eviction, t.dob
    FROM f JOIN m t ON t.h = f.h
    WHERE t.slot = 0 OR (t.slot = 1 AND t.role = 'A2' AND pg_temp.u(f.h, 43) < 0.7)
), prev AS (
    SELECT person_id, 1 AS seq,
        pg_temp.pick(ARRAY['Kestrel Vale Homes', 'Moorside Housing Association', 'Northern Vale Housing Trust',
                           'Greenbank Homes'], pg_temp.u(person_id, 48)) AS association,
        greatest((dob + interval '18 years')::date, tenancy_start - 365 - floor(pg_temp.u(person_id, 49) * 3650)::int) AS s,
        tenancy_start - 7 - floor(pg_temp.u(person_id, 50) * 200)::int AS e
    FROM cur WHERE pg_temp.u(person_id, 51) < 0.25
), ex AS (
    -- former tenants now living elsewhere
    SELECT a1.id AS person_id, 1 AS seq,
        pg_temp.pick(ARRAY['Kestrel Vale Homes', 'Moorside Housing Association', 'Greenbank Homes'],
                     pg_temp.u(a1.id, 52)) AS association,
        greatest((a1.dob + interval '18 years')::date, pg_temp.asof() - 1000 - floor(pg_temp.u(a1.id, 53) * 4000)::int) AS s,
        pg_temp.asof() - 30 - floor(pg_temp.u(a1.id, 54) * 900)::int AS e
    FROM hh h JOIN m a1 ON a1.id = h.first_id
    WHERE pg_temp.u(h.h, 40) >= CASE h.htype WHEN 'single' THEN 0.25 WHEN 'couple' THEN 0.15
                                   WHEN 'couple_kids' THEN 0.20 WHEN 'lone_parent' THEN 0.50
                                   WHEN 'blended' THEN 0.30 WHEN 'older' THEN 0.28 ELSE 0.06 END
      AND pg_temp.u(h.h, 55) < 0.05 AND a1.age >= 21
), r AS (
    SELECT person_id, seq, association, tenancy_start, tenancy_end, asb, arrears, nsp, eviction FROM cur
    UNION ALL
    SELECT person_id, seq, association, s, e, NULL,
        CASE WHEN pg_temp.u(person_id, 56) < 0.2 THEN 'closed' END, NULL, NULL
    FROM prev WHERE e > s
    UNION ALL
    SELECT person_id, seq, association, s, e,
        CASE WHEN pg_temp.u(person_id, 57) < 0.15 THEN 'closed' END,
        CASE WHEN pg_temp.u(person_id, 58) < 0.3 THEN 'closed' END,
        CASE WHEN pg_temp.u(person_id, 59) < 0.12 THEN 'closed' END,
        CASE WHEN pg_temp.u(person_id, 59) < 0.06 THEN 'closed' END
    FROM ex WHERE e > s
)
SELECT 100 + row_number() OVER (ORDER BY person_id, seq), person_id, association, tenancy_start, tenancy_end,
    asb, arrears, nsp, eviction
FROM r;

-- Police: adults only; one record a person with up to three safeguarding offences.
INSERT INTO mdm.police_record (id, person_id, area, safeguarding_offences, non_safeguarding_count)
WITH p AS (
    SELECT m.*,
        CASE WHEN pg_temp.u(id, 301) < 0.3 THEN 0 WHEN pg_temp.u(id, 301) < 0.7 THEN 1
             WHEN pg_temp.u(id, 301) < 0.9 THEN 2 ELSE 3 END AS n_off
    FROM m
    WHERE age >= 18
      AND pg_temp.u(id, 300) < CASE WHEN age <= 35 THEN CASE WHEN gender = 'Male' THEN 0.11 ELSE 0.045 END
                                    WHEN age <= 60 THEN CASE WHEN gender = 'Male' THEN 0.07 ELSE 0.03 END
                                    ELSE 0.012 END
)
SELECT 100 + row_number() OVER (ORDER BY p.id), p.id, 'Kestrel Vale ' || pg_temp.area(p.town),
    coalesce((
        SELECT jsonb_agg(jsonb_build_object(
                   'date', to_char(pg_temp.asof() - 1 - floor(pg_temp.u(p.id * 4 + o, 302) * 1800)::int, 'YYYY-MM-DD'),
                   'type', pg_temp.pick(ARRAY['Domestic abuse', 'Child neglect', 'Missing person',
                                              'Child sexual exploitation', 'Child criminal exploitation',
                                              'Assault', 'Stalking and harassment', 'Breach of protective order',
                                              'Online child safety', 'Sexual offence'], pg_temp.u(p.id * 4 + o, 303)),
                   'nature', pg_temp.pick(ARRAY['Suspect', 'Victim', 'Witness', 'Offender', 'Involved party'],
                                          pg_temp.u(p.id * 4 + o, 304)))
                   ORDER BY o)
        FROM generate_series(1, p.n_off) AS o), '[]'::jsonb),
    CASE WHEN p.n_off = 0 THEN 1 ELSE 0 END + floor(pg_temp.u(p.id, 305) ^ 3 * 15)::int
FROM p;

-- 10. Source-system links: which records were matched into each person.
INSERT INTO mdm.person_source_link (source_system, source_key, person_id)
SELECT 'nhs_pds', '9' || lpad(pg_temp.skey(id, 501)::text, 9, '0'), id FROM m
UNION ALL
SELECT 'council_tax', 'CT' || lpad((1000000 + h)::text, 8, '0'), first_id FROM hh
UNION ALL
SELECT 'electoral_register', 'ER' || lpad(pg_temp.skey(id, 502)::text, 9, '0'), id FROM m
WHERE age >= 18 AND pg_temp.u(id, 500) < 0.9
UNION ALL
SELECT 'school', 'K' || lpad(pg_temp.skey(person_id, 503)::text, 12, '0'), person_id
FROM (SELECT DISTINCT person_id FROM mdm.school_record WHERE person_id > 6) AS s
UNION ALL
SELECT 'childrens_social_care', cms_id, person_id FROM cms
UNION ALL
SELECT 'adult_social_care', 'ASC' || lpad(pg_temp.skey(person_id, 504)::text, 8, '0'), person_id
FROM (SELECT DISTINCT person_id FROM mdm.adult_social_care_record WHERE person_id > 6) AS s
UNION ALL
SELECT 'housing', 'HSG' || lpad(pg_temp.skey(person_id, 505)::text, 8, '0'), person_id
FROM (SELECT DISTINCT person_id FROM mdm.housing_record WHERE person_id > 6) AS s
UNION ALL
SELECT 'police', 'PNC' || lpad(pg_temp.skey(person_id, 506)::text, 8, '0'), person_id
FROM mdm.police_record WHERE person_id > 6;

-- 11. The showcase family, ids 1-6: the same whatever the seed and scale. It has
-- its own three addresses (UPRNs 100012340001-3) and no relationship with
-- anyone else.
--   fc:1 Leah Carter, 9, CMS-0001       at primary school; child in need (open, record 1),
--                                       an earlier early help episode (closed, record 2)
--   fc:2 Joanne Whitfield, 34           mother of 1 and 4; tenant, rent arrears open
--   fc:3 Mark Bennett, 38               step-parent of 1 and 4, partner of 2; police record
--   fc:4 Tyler Whitfield, 16            half-brother of 1 (same mother); sixth form;
--                                       a police record the 18+ rule must always hide
--   fc:5 Susan Whitfield, 67            mother of 2, grandmother of 1 and 4; adult social care
--   fc:6 Daniel Carter, 36              father of 1; no service records
--   address A: 1, 2, 3, 4; B: 5; C: 6
INSERT INTO mdm.person (person_id, cms_id, first_name, last_name, date_of_birth, gender,
                        address_line, postcode, uprn)
SELECT v.id, v.cms_id, v.first_name, v.last_name, d.dob, v.gender, v.address_line, v.postcode, v.uprn
FROM (VALUES
    (1::bigint, 'CMS-0001', 'Leah', 'Carter', 'Female', '14 Larkspur Close, Kestrelford', 'KV1 4QD', 100012340001::bigint),
    (2, NULL, 'Joanne', 'Whitfield', 'Female', '14 Larkspur Close, Kestrelford', 'KV1 4QD', 100012340001),
    (3, NULL, 'Mark', 'Bennett', 'Male', '14 Larkspur Close, Kestrelford', 'KV1 4QD', 100012340001),
    (4, NULL, 'Tyler', 'Whitfield', 'Male', '14 Larkspur Close, Kestrelford', 'KV1 4QD', 100012340001),
    (5, NULL, 'Susan', 'Whitfield', 'Female', '3 Orchard Rise, Ashby Moor', 'KV2 7HL', 100012340002),
    (6, NULL, 'Daniel', 'Carter', 'Male', 'Flat 7, Weaver Court, Mill Lane, Thornleigh', 'KV3 1NP', 100012340003)
) AS v (id, cms_id, first_name, last_name, gender, address_line, postcode, uprn)
JOIN showcase_dob d USING (id);

INSERT INTO mdm.relationship (person_id, related_person_id, relationship_type, source_system) VALUES
    (2, 1, 'parent', 'nhs_pds'),
    (2, 4, 'parent', 'nhs_pds'),
    (6, 1, 'parent', 'nhs_pds'),
    (3, 1, 'step_parent', 'childrens_social_care'),
    (3, 4, 'step_parent', 'school'),
    (2, 3, 'partner', 'council_tax'),
    (1, 4, 'half_sibling', 'childrens_social_care'),
    (5, 2, 'parent', 'nhs_pds'),
    (5, 1, 'grandparent', 'childrens_social_care'),
    (5, 4, 'grandparent', 'school');

INSERT INTO mdm.school_record (id, person_id, involvement, school_name, admission_type, contact, start_date, end_date)
SELECT v.id, v.person_id, v.involvement, v.school_name, v.admission_type, pg_temp.school_contact(v.school_name),
       v.start_date, v.end_date
FROM (
    SELECT 1::bigint, 1::bigint, 'current', 'Kestrelford Primary School', 'Reception (normal round)',
           make_date(pg_temp.academic_year(d1.dob) + 5, 9, 1), NULL::date
    FROM showcase_dob d1 WHERE d1.id = 1
    UNION ALL
    SELECT 2, 4, 'current', 'Thornleigh Academy Sixth Form', 'Sixth form',
           least(make_date(pg_temp.academic_year(d4.dob) + 17, 9, 1), pg_temp.asof()), NULL
    FROM showcase_dob d4 WHERE d4.id = 4
    UNION ALL
    SELECT 3, 4, 'historic', 'Thornleigh Academy', 'Year 7 (normal round)',
           make_date(pg_temp.academic_year(d4.dob) + 12, 9, 1), make_date(pg_temp.academic_year(d4.dob) + 17, 7, 21)
    FROM showcase_dob d4 WHERE d4.id = 4
    UNION ALL
    SELECT 4, 4, 'historic', 'Kestrelford Primary School', 'Reception (normal round)',
           make_date(pg_temp.academic_year(d4.dob) + 5, 9, 1), make_date(pg_temp.academic_year(d4.dob) + 12, 7, 21)
    FROM showcase_dob d4 WHERE d4.id = 4
) AS v (id, person_id, involvement, school_name, admission_type, start_date, end_date);

INSERT INTO mdm.childrens_social_care_record (id, person_id, involvement_type, start_date, end_date, team) VALUES
    (1, 1, 'cin', pg_temp.asof() - 150, NULL, 'Child in Need Team 2'),
    (2, 1, 'early_help', (pg_temp.asof() - interval '2 years')::date - 40,
                         (pg_temp.asof() - interval '1 year')::date - 200, 'Early Help Team (North)');

INSERT INTO mdm.adult_social_care_record (id, person_id, organisation, last_involvement_start,
                                          most_recent_interaction, involvement) VALUES
    (1, 5, 'Kestrel Vale Council Older People''s Team', (pg_temp.asof() - interval '14 months')::date,
     pg_temp.asof() - 12, 'current');

INSERT INTO mdm.housing_record (id, person_id, association, tenancy_start, tenancy_end,
                                anti_social_behaviour, rent_arrears, notice_seeking_possession, eviction) VALUES
    (1, 2, 'Kestrel Vale Homes', (pg_temp.asof() - interval '6 years')::date - 30, NULL, NULL, 'open', NULL, NULL);

INSERT INTO mdm.police_record (id, person_id, area, safeguarding_offences, non_safeguarding_count) VALUES
    (1, 3, 'Kestrel Vale North',
     jsonb_build_array(jsonb_build_object('date', to_char(pg_temp.asof() - interval '8 months', 'YYYY-MM-DD'),
                                          'type', 'Domestic abuse', 'nature', 'Suspect')), 2),
    (2, 4, 'Kestrel Vale North',
     jsonb_build_array(jsonb_build_object('date', to_char(pg_temp.asof() - interval '3 months', 'YYYY-MM-DD'),
                                          'type', 'Child criminal exploitation', 'nature', 'Victim')), 1);

INSERT INTO mdm.person_source_link (source_system, source_key, person_id) VALUES
    ('nhs_pds', '9000000001', 1), ('nhs_pds', '9000000002', 2), ('nhs_pds', '9000000003', 3),
    ('nhs_pds', '9000000004', 4), ('nhs_pds', '9000000005', 5), ('nhs_pds', '9000000006', 6),
    ('council_tax', 'CT00000001', 2), ('council_tax', 'CT00000002', 5), ('council_tax', 'CT00000003', 6),
    ('electoral_register', 'ER000000002', 2), ('electoral_register', 'ER000000003', 3),
    ('electoral_register', 'ER000000005', 5), ('electoral_register', 'ER000000006', 6),
    ('school', 'K000000000001', 1), ('school', 'K000000000004', 4),
    ('childrens_social_care', 'CMS-0001', 1),
    ('adult_social_care', 'ASC00000005', 5),
    ('housing', 'HSG00000002', 2),
    ('police', 'PNC00000003', 3), ('police', 'PNC00000004', 4);

-- Rebuild the primary keys, unique constraints and indexes (checks them too).
SELECT create_sql FROM saved_index ORDER BY indexrelid \gexec

COMMIT;

ANALYZE mdm.person, mdm.person_source_link, mdm.relationship, mdm.school_record,
    mdm.childrens_social_care_record, mdm.adult_social_care_record, mdm.housing_record,
    mdm.police_record;
