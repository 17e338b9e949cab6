-- Two facts of a disclosure get their own audit columns, inside the hash chain:
--  * basis: the legal basis the operator declared (a code of fc.legal_basis, e.g. "ca1989_s47");
--  * break_glass: the request disclosed a restricted person the operator has no access grant for.
-- A request carries them as the common keys "basis" (a code) and "break_glass" (true); fc.caller
-- reads them into the caller, fc.begin refuses a code that is not on the list (or retired), and
-- fc.audit_as writes them into every audit row of the request, refusals included (a refused
-- break-glass is itself something IG reviews).
--
-- The canonical bytes of a row stay V3's 15 fields; a row with a basis or a break-glass has one
-- tagged line each after them, in this order:
--     basis=<octet length>:<code>\n
--     break_glass=4:true\n
-- Rows without either keep exactly the bytes (and hashes) they were written with, so the chain
-- written before this migration verifies unchanged. The tags cannot be confused with a field:
-- every field before them is length-prefixed or "-".
--
-- Every SECURITY DEFINER function here runs with search_path = pg_catalog, pg_temp and names
-- fc objects in full.

-- The legal bases an operator may declare. A code is kept for ever once used (retired, never
-- deleted), so every audit row's basis stays explained.
CREATE TABLE fc.legal_basis (
    code         text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_.-]{0,39}$'),
    title        text NOT NULL CHECK (btrim(title) <> '' AND length(title) <= 200),
    legislation  text NOT NULL CHECK (btrim(legislation) <> '' AND length(legislation) <= 200),
    added_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    added_by     text,
    retired_at   timestamptz,
    retired_by   text
);

INSERT INTO fc.legal_basis (code, title, legislation, added_by) VALUES
    ('ca1989_s17', 'Child in need assessment or services', 'Children Act 1989 s17', 'famctx db migrate'),
    ('ca1989_s47', 'Child protection enquiry', 'Children Act 1989 s47', 'famctx db migrate'),
    ('ca2014_s42', 'Adult safeguarding enquiry', 'Care Act 2014 s42', 'famctx db migrate'),
    ('dpa2018_sch1_p18', 'Safeguarding of children and of individuals at risk',
     'Data Protection Act 2018 Schedule 1 Part 2 paragraph 18', 'famctx db migrate'),
    ('cda1998_s115', 'Crime and disorder: disclosure to a relevant authority',
     'Crime and Disorder Act 1998 s115', 'famctx db migrate'),
    ('ca2004_s11', 'Duty to safeguard and promote the welfare of children', 'Children Act 2004 s11',
     'famctx db migrate');

ALTER TABLE fc.audit_log
    ADD COLUMN basis text CHECK (basis ~ '^[a-z][a-z0-9_.-]{0,39}$'),
    ADD COLUMN break_glass boolean NOT NULL DEFAULT false;
CREATE INDEX audit_log_break_glass_idx ON fc.audit_log (occurred_at) WHERE break_glass;
CREATE INDEX audit_log_basis_idx ON fc.audit_log (basis, occurred_at) WHERE basis IS NOT NULL;

-- The caller of a request now carries the request's basis and break-glass flag.
ALTER TYPE fc.caller_t ADD ATTRIBUTE basis text, ADD ATTRIBUTE break_glass boolean;

-- Canonical bytes with the two tagged lines (see above); V16's 15 fields unchanged before them.
-- Inlined like V16's form: no SET clause, every name qualified.
CREATE FUNCTION fc.audit_canonical(
    p_id bigint, p_occurred_at timestamptz, p_actor_guid uuid, p_actor_account text,
    p_channel text, p_client_host text, p_action text, p_outcome text,
    p_subject_person bigint, p_persons bigint[], p_sources text[], p_target_user text,
    p_target_guid uuid, p_reason text, p_details jsonb, p_basis text, p_break_glass boolean)
RETURNS bytea
LANGUAGE sql STABLE
AS $$
    SELECT fc.audit_canonical(p_id, p_occurred_at, p_actor_guid, p_actor_account, p_channel,
               p_client_host, p_action, p_outcome, p_subject_person, p_persons, p_sources,
               p_target_user, p_target_guid, p_reason, p_details)
           OPERATOR(pg_catalog.||) pg_catalog.convert_to(pg_catalog.concat(
               CASE WHEN p_basis IS NULL THEN ''
                    ELSE 'basis=' OPERATOR(pg_catalog.||)
                         pg_catalog.octet_length(pg_catalog.convert_to(p_basis, 'UTF8'))::pg_catalog.text
                         OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) p_basis OPERATOR(pg_catalog.||) E'\n' END,
               CASE WHEN p_break_glass THEN E'break_glass=4:true\n' ELSE '' END), 'UTF8');
$$;

-- V16's fc.audit_append, with the request's basis and break-glass flag written on every row it
-- appends (a set of rows is one request's). Same lock, checks, times and chain.
DROP FUNCTION fc.audit_append(fc.audit_entry_t[], timestamptz);
CREATE FUNCTION fc.audit_append(p_rows fc.audit_entry_t[], p_at timestamptz DEFAULT NULL,
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
        PERFORM pg_advisory_xact_lock(hashtextextended('fc.audit_log chain', 0));
        -- A new statement after the lock: its snapshot sees the last committed head.
        SELECT a.id, a.row_hash, a.occurred_at INTO v_head_id, v_head_hash, v_head_at
        FROM fc.audit_log a ORDER BY a.id DESC LIMIT 1;
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
          FROM (SELECT r.*, coalesce(p_at, date_trunc('microseconds', clock_timestamp())) AS at,
                       coalesce(r.persons_disclosed, '{}') AS persons,
                       coalesce(r.sources_disclosed, '{}') AS sources,
                       coalesce(r.details, '{}') AS facts
                FROM unnest(p_rows) WITH ORDINALITY AS r (actor_guid, actor_account, channel,
                     client_host, action, outcome, subject_person, persons_disclosed,
                     sources_disclosed, target_user, target_guid, reason, details, n)) x;
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
REVOKE ALL ON FUNCTION fc.audit_append(fc.audit_entry_t[], timestamptz, text, boolean) FROM PUBLIC;

-- One audit row, now with the request's basis and break-glass flag (both optional, so the
-- callers of V16's form are unchanged).
DROP FUNCTION fc.audit_write(uuid, text, text, text, text, text, bigint, bigint[], text[], text,
                             uuid, text, jsonb);
CREATE FUNCTION fc.audit_write(
    p_actor_guid uuid, p_actor_account text, p_channel text, p_client_host text,
    p_action text, p_outcome text, p_subject_person bigint, p_persons bigint[],
    p_sources text[], p_target_user text, p_target_guid uuid, p_reason text,
    p_details jsonb, p_basis text DEFAULT NULL, p_break_glass boolean DEFAULT false)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT fc.audit_append(ARRAY[ROW(p_actor_guid, p_actor_account, p_channel, p_client_host,
        p_action, p_outcome, p_subject_person, p_persons, p_sources, p_target_user, p_target_guid,
        p_reason, p_details)::fc.audit_entry_t], NULL, p_basis, p_break_glass);
$$;
REVOKE ALL ON FUNCTION fc.audit_write(uuid, text, text, text, text, text, bigint, bigint[], text[],
                                      text, uuid, text, jsonb, text, boolean) FROM PUBLIC;

-- Every row a request writes carries its basis and break-glass flag.
CREATE OR REPLACE FUNCTION fc.audit_as(c fc.caller_t, p_action text, p_outcome text, p_subject bigint,
                                       p_persons bigint[], p_sources text[], p_target_user text,
                                       p_target_guid uuid, p_reason text, p_details jsonb)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT fc.audit_write(c.guid, coalesce(c.account, c.db_role), c.channel, c.client_host, p_action,
                          p_outcome, p_subject, p_persons, p_sources, p_target_user, p_target_guid,
                          p_reason, coalesce(p_details, '{}') || coalesce(c.client, '{}'),
                          c.basis, coalesce(c.break_glass, false));
$$;

-- V14's fc.caller, reading the request's basis and break-glass flag too. A basis is recorded only
-- when it is a code in the list's form; anything else is kept as the client's claim
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
    c.break_glass := coalesce(p_request -> 'break_glass' = 'true'::jsonb, false);
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

-- V19's fc.begin, refusing first a basis that is not on the list or has been retired: a
-- disclosure under an undeclared basis is not permitted.
CREATE OR REPLACE FUNCTION fc.begin(p_request jsonb, p_role text)
RETURNS fc.caller_t
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t := fc.caller(p_request);
    v_group text := CASE p_role WHEN 'user' THEN 'FamilyContext Users'
                                WHEN 'admin' THEN 'FamilyContext Admins'
                                WHEN 'auditor' THEN 'FamilyContext Auditors' END;
BEGIN
    IF c.refusal IS NULL AND c.client ? 'requested_basis' THEN
        c.refusal := format('%s is not a legal basis code: use a code from "famctx basis list" '
                            '(e.g. ca1989_s47)', c.client ->> 'requested_basis');
    ELSIF c.refusal IS NULL AND c.basis IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM fc.legal_basis b WHERE b.code = c.basis AND b.retired_at IS NULL) THEN
        c.refusal := format('%s is not a legal basis in use: %s; use a code from "famctx basis list"',
                            c.basis, CASE WHEN EXISTS (SELECT 1 FROM fc.legal_basis b WHERE b.code = c.basis)
                                          THEN 'it has been retired' ELSE 'no such code' END);
        c.client := c.client || jsonb_build_object('requested_basis', c.basis);
        c.basis := NULL;
    END IF;
    IF c.refusal IS NULL AND p_role = 'any' AND cardinality(c.roles) = 0 THEN
        c.refusal := format('%s is not permitted: this needs a FamilyContext role; ask a Family Context '
                            'administrator', c.account);
    ELSIF c.refusal IS NULL AND p_role <> 'any' AND NOT (c.roles @> ARRAY[p_role]) THEN
        c.refusal := format('%s is not permitted: this needs the %s role (AD group "%s"); ask a Family '
                            'Context administrator', c.account, p_role, v_group);
    END IF;
    IF c.refusal IS NULL AND NOT EXISTS (
        SELECT 1 FROM fc.app_user u
        WHERE u.object_guid = c.guid
          AND u.account_name IS NOT DISTINCT FROM c.account
          AND u.display_name IS NOT DISTINCT FROM c.display
          AND u.last_seen >= clock_timestamp() - interval '1 hour') THEN
        INSERT INTO fc.app_user AS u (object_guid, account_name, display_name)
        VALUES (c.guid, c.account, c.display)
        ON CONFLICT (object_guid) DO UPDATE
            SET account_name = excluded.account_name, display_name = excluded.display_name,
                last_seen = clock_timestamp()
            WHERE u.account_name IS DISTINCT FROM excluded.account_name
               OR u.display_name IS DISTINCT FROM excluded.display_name
               OR u.last_seen < clock_timestamp() - interval '1 hour';
    END IF;
    RETURN c;
END;
$$;

-- The verification's cursor (V10's), with the two new columns after the 14 canonical fields:
-- id, occurred_at, the 14 canonical fields from occurred_at (as microseconds) to details,
-- prev_hash, row_hash, basis, break_glass.
CREATE OR REPLACE FUNCTION fc_api.audit_verify_open(p_ticket uuid)
RETURNS refcursor
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD' SET IntervalStyle = 'postgres'
AS $$
DECLARE
    d jsonb := fc.audit_stream_ticket(p_ticket, 'audit_verified');
    v_cur refcursor;
BEGIN
    OPEN v_cur NO SCROLL FOR EXECUTE
        'SELECT a.id, a.occurred_at, '
        '       (extract(epoch FROM a.occurred_at) * 1000000)::bigint::text, a.actor_guid::text, '
        '       a.actor_account, a.channel, a.client_host, a.action, a.outcome, a.subject_person::text, '
        '       array_to_string(a.persons_disclosed, '',''), array_to_string(a.sources_disclosed, '',''), '
        '       a.target_user, a.target_guid::text, a.reason, a.details::text, a.prev_hash, a.row_hash, '
        '       a.basis, a.break_glass '
        'FROM fc.audit_log a WHERE a.id <= $1 ORDER BY a.id'
    USING (d ->> 'upto')::bigint;
    RETURN v_cur;
END;
$$;
