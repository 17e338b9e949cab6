-- The database half of the door. Operators sign in to PostgreSQL as themselves (a login role
-- per AD account, kept by `famctx roles sync`) and may execute the functions of schema fc_api,
-- nothing else: no table, view or sequence. Each fc_api function identifies the caller from
-- session_user (or, for a trusted service, from the acting user it names), checks the caller's
-- role and grants, does its work and writes its audit row through fc.audit_write in the same
-- transaction. A refusal is audited too (outcome denied / not_found) and returned, not raised,
-- so that its audit row commits.
--
-- Disclosures are two-step: the function stores what it will disclose beside its audit row and
-- returns a ticket; fc_api.collect(ticket) hands the document over only once the transaction
-- that wrote the audit row has committed. A caller who rolls back the request never sees it.
--
-- Every function here runs with search_path = pg_catalog, pg_temp and names fc objects in full.

DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['famctx_service', 'famctx_operator', 'famctx_users', 'famctx_admins',
                             'famctx_auditors', 'famctx_roles', 'famctx_app'] LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            RAISE EXCEPTION 'role % does not exist: run sql/bootstrap.sql as a superuser first', r;
        END IF;
    END LOOP;
END
$$;

-- The application role no longer reads tables: it is the API's trusted service, and like every
-- operator it reaches data only through fc_api.
REVOKE ALL ON ALL TABLES IN SCHEMA fc FROM famctx_app;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA fc FROM famctx_app;
REVOKE ALL ON SCHEMA fc FROM famctx_app;
ALTER DEFAULT PRIVILEGES FOR ROLE famctx_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO famctx_operator', current_database());
    EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM famctx_app', current_database());
END
$$;

CREATE SCHEMA fc_api;
REVOKE ALL ON SCHEMA fc_api FROM PUBLIC;
GRANT USAGE ON SCHEMA fc_api TO famctx_operator;
ALTER DEFAULT PRIVILEGES FOR ROLE famctx_owner IN SCHEMA fc_api
    GRANT EXECUTE ON FUNCTIONS TO famctx_operator;

-- Which AD account each operator login role stands for, recorded by roles sync. The mapping
-- of a role to its objectGUID never changes once made.
CREATE TABLE fc.operator_role (
    role_name     text PRIMARY KEY CHECK (role_name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    object_guid   uuid NOT NULL UNIQUE,
    account_name  text NOT NULL,
    display_name  text,
    groups        text[] NOT NULL DEFAULT '{}',
    can_login     boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Settings the database decides, whoever calls.
CREATE TABLE fc.policy (
    key    text PRIMARY KEY,
    value  text NOT NULL
);
INSERT INTO fc.policy (key, value) VALUES ('reason_required', 'true');

-- What a request will disclose, held until its audit row has committed and the caller collects
-- it (at most 15 minutes). Unlogged: after a crash the requests are simply made again.
CREATE UNLOGGED TABLE fc.disclosure (
    ticket      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    db_role     text NOT NULL,
    xid         xid8 NOT NULL,
    audit_id    bigint NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    document    jsonb NOT NULL
);

INSERT INTO fc.audit_action (code, description) VALUES
    ('access_denied', 'a request refused before it reached its function'),
    ('roles_synced', 'compared the database roles with Active Directory'),
    ('role_changed', 'created an operator role, changed its login or its group memberships');

-- Who is calling. An operator is session_user, mapped to the AD identity roles sync recorded;
-- their roles are their memberships of the group roles. A trusted service (a member of
-- famctx_service, or the owner) names the user it authenticated in p_request->'as'.
CREATE TYPE fc.caller_t AS (
    db_role      text,
    guid         uuid,
    account      text,
    display      text,
    roles        text[],
    channel      text,
    client_host  text,
    service      text,
    client       jsonb,
    refusal      text
);

-- Text from a client made safe to record: no control or invisible characters, at most p_max.
CREATE FUNCTION fc.plain(p_text text, p_max int)
RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT left(regexp_replace(p_text,
        '[[:cntrl:]\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]', '', 'g'), p_max);
$$;

CREATE FUNCTION fc.is_trusted_service(p_role text)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_has_role(p_role, 'famctx_service', 'MEMBER')
        OR p_role = (SELECT r.rolname FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner
                     WHERE n.nspname = 'fc');
$$;

CREATE FUNCTION fc.caller(p_request jsonb)
RETURNS fc.caller_t
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t;
    v_as jsonb := p_request -> 'as';
    v_client jsonb := CASE WHEN jsonb_typeof(p_request -> 'client') = 'object'
                           THEN p_request -> 'client' ELSE '{}' END;
    m fc.operator_role;
BEGIN
    c.db_role := session_user;
    c.client := jsonb_strip_nulls(jsonb_build_object(
        'famctx_version', fc.plain(v_client ->> 'famctx_version', 32),
        'os_user', fc.plain(v_client ->> 'os_user', 64),
        'auth', fc.plain(v_client ->> 'auth', 16),
        'client_addr', host(inet_client_addr()),
        'db_role', session_user::text));
    c.client_host := coalesce(nullif(fc.plain(v_client ->> 'host', 255), ''), host(inet_client_addr()), 'local');
    IF fc.is_trusted_service(session_user) THEN
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

-- The caller, checked for p_role ('user', 'admin', 'auditor', or 'any' for any of them). The
-- refusal, if any, is in .refusal; the function then returns fc.refuse(...). A caller who
-- passes is recorded in fc.app_user (grants refer to it).
CREATE FUNCTION fc.begin(p_request jsonb, p_role text)
RETURNS fc.caller_t
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t := fc.caller(p_request);
    v_group text := CASE p_role WHEN 'user' THEN 'FamilyContext Users'
                                WHEN 'admin' THEN 'FamilyContext Admins'
                                WHEN 'auditor' THEN 'FamilyContext Auditors' END;
BEGIN
    IF c.refusal IS NULL AND p_role = 'any' AND cardinality(c.roles) = 0 THEN
        c.refusal := format('%s is not permitted: this needs a FamilyContext role; ask a Family Context '
                            'administrator', c.account);
    ELSIF c.refusal IS NULL AND p_role <> 'any' AND NOT (c.roles @> ARRAY[p_role]) THEN
        c.refusal := format('%s is not permitted: this needs the %s role (AD group "%s"); ask a Family '
                            'Context administrator', c.account, p_role, v_group);
    END IF;
    IF c.refusal IS NULL THEN
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

-- One audit row for the caller; the other helpers go through it.
CREATE FUNCTION fc.audit_as(c fc.caller_t, p_action text, p_outcome text, p_subject bigint,
                            p_persons bigint[], p_sources text[], p_target_user text,
                            p_target_guid uuid, p_reason text, p_details jsonb)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT fc.audit_write(c.guid, coalesce(c.account, c.db_role), c.channel, c.client_host, p_action,
                          p_outcome, p_subject, p_persons, p_sources, p_target_user, p_target_guid,
                          p_reason, coalesce(p_details, '{}') || coalesce(c.client, '{}'));
$$;

-- A refusal: audited, then returned as {"outcome", "audit_id", "error": {"kind", "message"}}.
-- Kinds: not_permitted, usage (outcome denied), not_found (not_found), error (error).
CREATE FUNCTION fc.refuse(c fc.caller_t, p_action text, p_kind text, p_message text,
                          p_subject bigint DEFAULT NULL, p_reason text DEFAULT NULL,
                          p_details jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_outcome text := CASE p_kind WHEN 'not_found' THEN 'not_found' WHEN 'error' THEN 'error'
                                  ELSE 'denied' END;
    v_id bigint;
BEGIN
    v_id := fc.audit_as(c, p_action, v_outcome, p_subject, '{}', '{}', NULL, NULL, p_reason,
                        coalesce(p_details, '{}') || jsonb_build_object('error', p_message));
    RETURN jsonb_build_object('outcome', v_outcome, 'audit_id', v_id,
                              'error', jsonb_build_object('kind', p_kind, 'message', p_message));
END;
$$;

-- A disclosure: the audit row, and the document held for fc_api.collect.
-- Returns {"outcome": "allowed", "audit_id", "ticket"}.
CREATE FUNCTION fc.disclose(c fc.caller_t, p_action text, p_document jsonb, p_subject bigint,
                            p_persons bigint[], p_sources text[], p_reason text, p_details jsonb,
                            p_target_user text DEFAULT NULL, p_target_guid uuid DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
    v_ticket uuid;
BEGIN
    v_id := fc.audit_as(c, p_action, 'allowed', p_subject, p_persons, p_sources, p_target_user,
                        p_target_guid, p_reason, p_details);
    INSERT INTO fc.disclosure (db_role, xid, audit_id, document)
    VALUES (session_user, pg_current_xact_id(), v_id, p_document)
    RETURNING ticket INTO v_ticket;
    RETURN jsonb_build_object('outcome', 'allowed', 'audit_id', v_id, 'ticket', v_ticket);
END;
$$;

-- A change: its audit row (or rows, written by the function) commits with it; the result
-- describes the change and is returned at once: {"outcome": "allowed", "audit_id", "result"}.
CREATE FUNCTION fc.done(c fc.caller_t, p_action text, p_result jsonb, p_subject bigint,
                        p_reason text, p_details jsonb, p_target_user text DEFAULT NULL,
                        p_target_guid uuid DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
BEGIN
    v_id := fc.audit_as(c, p_action, 'allowed', p_subject, '{}', '{}', p_target_user, p_target_guid,
                        p_reason, p_details);
    RETURN jsonb_build_object('outcome', 'allowed', 'audit_id', v_id, 'result', p_result);
END;
$$;

-- Argument checks raise these SQLSTATEs; each fc_api function catches them and refuses:
--   FCUSE usage, FCNFD not found, FCDNY not permitted.
CREATE FUNCTION fc.fail(p_kind text, p_message text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = p_message,
        ERRCODE = CASE p_kind WHEN 'not_found' THEN 'FCNFD' WHEN 'not_permitted' THEN 'FCDNY'
                              ELSE 'FCUSE' END;
END;
$$;

-- A kind for a caught SQLSTATE (see fc.fail).
CREATE FUNCTION fc.kind_of(p_sqlstate text)
RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE p_sqlstate WHEN 'FCNFD' THEN 'not_found' WHEN 'FCDNY' THEN 'not_permitted'
                           WHEN 'FCUSE' THEN 'usage' ELSE 'error' END;
$$;

-- Free text for the audit trail (a reason, a ticket): trimmed, not blank, at most p_max
-- characters, no control or invisible characters. NULL stays NULL unless p_required.
CREATE FUNCTION fc.free_text(p_value text, p_field text, p_max int, p_required boolean)
RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v text := btrim(p_value, E' \t\r\n');
BEGIN
    IF v IS NULL AND p_required THEN
        PERFORM fc.fail('usage', format('%s is required: say why, e.g. "s47 enquiry, case 1234"', p_field));
    ELSIF v IS NULL THEN
        RETURN NULL;
    ELSIF v = '' THEN
        PERFORM fc.fail('usage', format('%s must not be empty', p_field));
    ELSIF char_length(v) > p_max THEN
        PERFORM fc.fail('usage', format('%s is longer than %s characters', p_field, p_max));
    ELSIF v ~ '[[:cntrl:]\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]' THEN
        PERFORM fc.fail('usage', format('%s contains a control or invisible character; use plain text', p_field));
    END IF;
    RETURN v;
END;
$$;

-- The reason of a disclosing request; required unless fc.policy says otherwise.
CREATE FUNCTION fc.reason(p_request jsonb)
RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT fc.free_text(p_request ->> 'reason', 'reason', 500,
                        coalesce((SELECT value = 'true' FROM fc.policy WHERE key = 'reason_required'), true));
$$;

-- A person as typed: fc:<n>, <n> or cms:<case id>. Raises FCUSE for a malformed id and FCNFD
-- for one not in the person index.
CREATE FUNCTION fc.person_ref(p_id text)
RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v text := btrim(coalesce(p_id, ''));
    v_id bigint;
BEGIN
    IF v ~* '^cms:[A-Za-z0-9_-]{1,64}$' THEN
        SELECT p.id INTO v_id FROM fc.person p WHERE p.cms_id = substr(v, 5);
    ELSIF v ~* '^(fc:)?[0-9]{1,18}$' AND regexp_replace(v, '^fc:', '', 'i')::numeric >= 1 THEN
        SELECT p.id INTO v_id FROM fc.person p
        WHERE p.id = regexp_replace(v, '^fc:', '', 'i')::bigint;
    ELSE
        PERFORM fc.fail('usage', format('%s is not a person id: use fc:<number> (e.g. fc:1234, or just '
                                        '1234) or cms:<case id> (e.g. cms:CMS-0001)', left(fc.plain(p_id, 80), 80)));
    END IF;
    IF v_id IS NULL THEN
        PERFORM fc.fail('not_found', format('no person %s in the MDM person index', v));
    END IF;
    RETURN v_id;
END;
$$;

-- An integer argument within bounds, or FCUSE.
CREATE FUNCTION fc.int_arg(p_request jsonb, p_key text, p_default int, p_min int, p_max int)
RETURNS int
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v jsonb := p_request -> p_key;
BEGIN
    IF v IS NULL OR v = 'null' THEN
        RETURN p_default;
    END IF;
    IF jsonb_typeof(v) <> 'number' OR (v #>> '{}') !~ '^-?[0-9]{1,9}$'
       OR (v #>> '{}')::int NOT BETWEEN p_min AND p_max THEN
        PERFORM fc.fail('usage', format('%s must be a whole number from %s to %s', p_key, p_min, p_max));
    END IF;
    RETURN (v #>> '{}')::int;
END;
$$;

-- A timestamp in UTC as the JSON documents write it.
CREATE FUNCTION fc.utc(p_at timestamptz)
RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
$$;

-- The audit write of V7, unchanged, except that its failure carries one SQLSTATE (FCAUD), so a
-- client can tell "the audit row could not be written" (nothing shown or changed) from others.
CREATE OR REPLACE FUNCTION fc.audit_write(
    p_actor_guid uuid, p_actor_account text, p_channel text, p_client_host text,
    p_action text, p_outcome text, p_subject_person bigint, p_persons bigint[],
    p_sources text[], p_target_user text, p_target_guid uuid, p_reason text,
    p_details jsonb)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_prev_id   bigint;
    v_prev_hash bytea;
    v_id        bigint;
    v_at        timestamptz;
    v_persons   bigint[] := coalesce(p_persons, '{}');
    v_sources   text[] := coalesce(p_sources, '{}');
    v_details   jsonb := coalesce(p_details, '{}');
    v_hash      bytea;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'audit_write must run in a READ COMMITTED transaction, not %',
            current_setting('transaction_isolation') USING ERRCODE = 'FCAUD';
    END IF;
    IF array_position(v_persons, NULL) IS NOT NULL
       OR EXISTS (SELECT 1 FROM unnest(v_sources) s WHERE s IS NULL OR s !~ '^[a-z_]{1,40}$') THEN
        RAISE EXCEPTION 'audit_write: persons and sources must be plain ids and codes' USING ERRCODE = '22023';
    END IF;
    PERFORM set_config('lock_timeout', '30s', true);
    BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended('fc.audit_log chain', 0));
        SELECT a.id, a.row_hash INTO v_prev_id, v_prev_hash
        FROM fc.audit_log a ORDER BY a.id DESC LIMIT 1;
        v_id := coalesce(v_prev_id, 0) + 1;
        v_prev_hash := coalesce(v_prev_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
        v_at := date_trunc('microseconds', clock_timestamp());
        v_hash := sha256(v_prev_hash || fc.audit_canonical(
            v_id, v_at, p_actor_guid, p_actor_account, p_channel, p_client_host, p_action,
            p_outcome, p_subject_person, v_persons, v_sources, p_target_user, p_target_guid,
            p_reason, v_details));
        INSERT INTO fc.audit_log (id, occurred_at, actor_guid, actor_account, channel, client_host,
            action, outcome, subject_person, persons_disclosed, sources_disclosed, target_user,
            target_guid, reason, details, prev_hash, row_hash)
        VALUES (v_id, v_at, p_actor_guid, p_actor_account, p_channel, p_client_host,
            p_action, p_outcome, p_subject_person, v_persons, v_sources, p_target_user,
            p_target_guid, p_reason, v_details, v_prev_hash, v_hash);
    EXCEPTION WHEN others THEN
        RAISE EXCEPTION 'the audit row could not be written: %', SQLERRM USING ERRCODE = 'FCAUD';
    END;
    RETURN v_id;
END;
$$;

-- ----------------------------------------------------------------------------------------------
-- fc_api: what operators and services may call.

-- The document a request disclosed, once its audit row has committed. Each ticket is
-- collected once, by the role that made the request, within 15 minutes.
CREATE FUNCTION fc_api.collect(p_ticket uuid)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d fc.disclosure;
    v_status text;
BEGIN
    SELECT * INTO d FROM fc.disclosure x WHERE x.ticket = p_ticket AND x.db_role = session_user;
    IF NOT FOUND OR d.created_at < clock_timestamp() - interval '15 minutes' THEN
        RAISE EXCEPTION 'no result for ticket %: it was collected already, has expired, or was made by '
                        'another role; make the request again', p_ticket USING ERRCODE = 'FCNFD';
    END IF;
    v_status := pg_xact_status(d.xid);
    IF v_status IS DISTINCT FROM 'committed' THEN
        RAISE EXCEPTION 'the audit row of this request is not committed yet: commit the transaction '
                        'that made the request, then collect' USING ERRCODE = 'FCUSE';
    END IF;
    DELETE FROM fc.disclosure x
    WHERE x.ticket = p_ticket OR x.created_at < clock_timestamp() - interval '15 minutes';
    RETURN d.document;
END;
$$;

-- A refusal decided before the request reached its function (famctx's live AD check found the
-- account without the role), or a failure of the client's call: recorded for the caller, who
-- can record only refusals of their own. {"action", "message", "subject", "reason", "kind"?}
-- (kind "error" records outcome error, anything else denied).
CREATE FUNCTION fc_api.refused(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t := fc.caller(p_request);
    v_action text := p_request ->> 'action';
    v_subject bigint;
BEGIN
    IF v_action IS NULL OR NOT EXISTS (SELECT 1 FROM fc.audit_action a WHERE a.code = v_action) THEN
        v_action := 'access_denied';
    END IF;
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

-- The caller's identity and current grants. {} -> {"account", "display_name", "object_guid",
-- "roles": [...], "grants": [{"source", "granted_at", "expires_at"}]}
CREATE FUNCTION fc_api.whoami(p_request jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'any');
    v_grants jsonb;
    v_sources text[];
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'identity_viewed', 'not_permitted', c.refusal);
    END IF;
    SELECT coalesce(jsonb_agg(jsonb_build_object('source', g.source_code, 'granted_at', fc.utc(g.granted_at),
                                                 'expires_at', fc.utc(g.expires_at)) ORDER BY g.source_code), '[]'),
           coalesce(array_agg(g.source_code ORDER BY g.source_code), '{}')
      INTO v_grants, v_sources
      FROM fc.current_grants(c.guid) g;
    RETURN fc.disclose(c, 'identity_viewed',
        jsonb_build_object('account', c.account, 'display_name', c.display, 'object_guid', c.guid,
                           'db_role', c.db_role, 'roles', to_jsonb(c.roles), 'grants', v_grants),
        NULL, '{}', v_sources, NULL, '{}');
END;
$$;

-- The data sources, with whether the caller holds a grant on each. {} -> [{"code", ...}]
CREATE FUNCTION fc_api.source_list(p_request jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'any');
    v_doc jsonb;
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'sources_listed', 'not_permitted', c.refusal);
    END IF;
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'code', s.code, 'title', s.title, 'minAge', s.min_age, 'maxAge', s.max_age,
               'lastSynchronised', fc.utc(s.last_synchronised),
               'coverageStartDate', s.coverage_start, 'coverageEndDate', s.coverage_end,
               'coverageExplanation', s.coverage_explanation,
               'grantedToYou', EXISTS (SELECT 1 FROM fc.current_grants(c.guid) g WHERE g.source_code = s.code))
             ORDER BY s.sort_order, s.code), '[]')
      INTO v_doc FROM fc.data_source s;
    RETURN fc.disclose(c, 'sources_listed', v_doc, NULL, '{}', '{}', NULL, '{}');
END;
$$;

-- Persons by last name (exact, any case), first name prefix and date of birth, youngest first.
-- {"last_name", "first_name"?, "dob"?, "page"?, "limit"?, "reason"}
--   -> {"page", "limit", "total", "results": [{"id", "cmsId", "firstName", ...}]}
CREATE FUNCTION fc_api.person_search(p_request jsonb)
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
        SELECT p.id, p.cms_id, p.first_name, p.last_name, p.date_of_birth, p.gender, p.postcode,
               count(*) OVER () AS total
        FROM fc.person p
        WHERE lower(p.last_name) = lower(v_last)
          AND (v_first IS NULL OR lower(p.first_name) LIKE
               lower(regexp_replace(v_first, '([%_\\])', '\\\1', 'g')) || '%' ESCAPE '\')
          AND (v_dob IS NULL OR p.date_of_birth = v_dob)
        ORDER BY p.date_of_birth DESC NULLS LAST, p.id
        LIMIT v_limit OFFSET (v_page - 1)::bigint * v_limit
    )
    SELECT coalesce(max(m.total), 0),
           coalesce(jsonb_agg(jsonb_build_object('id', 'fc:' || m.id, 'cmsId', m.cms_id,
                    'firstName', m.first_name, 'lastName', m.last_name, 'dateOfBirth', m.date_of_birth,
                    'gender', m.gender, 'postcode', m.postcode)
                    ORDER BY m.date_of_birth DESC NULLS LAST, m.id), '[]'),
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
        jsonb_build_object('page', v_page, 'limit', v_limit, 'total', v_total, 'results', v_results),
        NULL, v_ids, '{}', v_reason, v_details || jsonb_build_object('total', v_total));
END;
$$;

-- The age rule of a source as people write it: 4-20, 18+.
CREATE FUNCTION fc.age_rule(p_min int, p_max int)
RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN p_max IS NULL THEN p_min || '+' ELSE p_min || '-' || p_max END;
$$;

-- The family of one person as the caller (objectGUID p_guid) may see it: the walk to p_depth
-- (both directions of each relationship), the household (same UPRN), and for each member every
-- data source: shown (summary and records), restricted (no current grant) or outside the
-- source's age rule. One statement; the API and famctx get the same document.
CREATE FUNCTION fc.family_document(p_guid uuid, p_person bigint, p_depth int, p_household boolean)
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
    SELECT m.*, p.cms_id, p.first_name, p.last_name, p.date_of_birth, p.gender, p.address_line,
           p.postcode, p.uprn, extract(year FROM age(current_date, p.date_of_birth))::int AS age
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
records AS (
    SELECT 'school' AS code, x.person_id, to_jsonb(x) - 'person_id' AS rec FROM fc.school_record x
      WHERE (x.person_id, 'school') IN (SELECT * FROM shown)
  UNION ALL
    SELECT 'childrens_social_care', x.person_id, to_jsonb(x) - 'person_id' FROM fc.childrens_social_care_record x
      WHERE (x.person_id, 'childrens_social_care') IN (SELECT * FROM shown)
  UNION ALL
    SELECT 'adult_social_care', x.person_id, to_jsonb(x) - 'person_id' FROM fc.adult_social_care_record x
      WHERE (x.person_id, 'adult_social_care') IN (SELECT * FROM shown)
  UNION ALL
    SELECT 'housing', x.person_id, to_jsonb(x) - 'person_id' FROM fc.housing_record x
      WHERE (x.person_id, 'housing') IN (SELECT * FROM shown)
  UNION ALL
    SELECT 'police', x.person_id, to_jsonb(x) - 'person_id' FROM fc.police_record x
      WHERE (x.person_id, 'police') IN (SELECT * FROM shown)
),
services AS (
    SELECT v.person_id, s.sort_order, s.code, v.status, s.title, s.no_record_text, s.last_synchronised,
           s.coverage_start, s.coverage_end, s.coverage_explanation,
           fc.age_rule(s.min_age, s.max_age) AS rule,
           coalesce((SELECT jsonb_agg(r.rec ORDER BY (r.rec->>'id')::bigint) FROM records r
                     WHERE r.person_id = v.person_id AND r.code = s.code), '[]'::jsonb) AS data
    FROM verdict v JOIN fc.data_source s ON s.code = v.code
),
person_docs AS (
    SELECT p.person_id, p.depth,
           jsonb_strip_nulls(jsonb_build_object('relationship', p.relationship,
               'relationshipToId', 'fc:' || p.relationship_to))
           || jsonb_build_object(
               'id', 'fc:' || p.person_id, 'cmsId', p.cms_id, 'firstName', p.first_name,
               'lastName', p.last_name, 'dateOfBirth', p.date_of_birth, 'age', p.age, 'gender', p.gender,
               'address', jsonb_build_object('line', p.address_line, 'postcode', p.postcode, 'uprn', p.uprn),
               'services', (
                   SELECT jsonb_agg(CASE sv.status
                       WHEN 'shown' THEN jsonb_build_object(
                           'dataSource', sv.code, 'status', 'shown',
                           'explanation', CASE WHEN jsonb_array_length(sv.data) > 0
                                               THEN jsonb_array_length(sv.data) || ' record(s) held'
                                               ELSE sv.no_record_text END,
                           'detail', jsonb_build_object(
                               'summary', jsonb_build_object(
                                   'id', sv.code || ':fc:' || p.person_id, 'title', sv.title,
                                   'lastSynchronised', fc.utc(sv.last_synchronised),
                                   'coverageStartDate', sv.coverage_start,
                                   'coverageEndDate', sv.coverage_end, 'dataSource', sv.code,
                                   'recordsAvailable', jsonb_array_length(sv.data) > 0,
                                   'coverageExplanation', sv.coverage_explanation),
                               'data', sv.data))
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

-- A family lookup. {"id", "depth"? (1-3, default 1), "household"? (false), "reason"}
--   -> the family document (see fc.family_document), disclosed after its audit row commits.
CREATE FUNCTION fc_api.family_show(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
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
        v_reason := fc.reason(p_request);
        v_depth := fc.int_arg(p_request, 'depth', 1, 1, 3);
        IF jsonb_typeof(p_request -> 'household') NOT IN ('boolean', 'null') THEN
            PERFORM fc.fail('usage', 'household must be true or false');
        END IF;
        v_household := coalesce((p_request ->> 'household')::boolean, false);
        v_person := fc.person_ref(p_request ->> 'id');
    EXCEPTION WHEN SQLSTATE 'FCUSE' OR SQLSTATE 'FCNFD' THEN
        RETURN fc.refuse(c, 'viewed_family', fc.kind_of(SQLSTATE), SQLERRM, v_person, v_reason, v_details);
    END;
    v_doc := fc.family_document(c.guid, v_person, v_depth, v_household);
    SELECT array_agg((substr(p ->> 'id', 4))::bigint)
      INTO v_persons
      FROM (SELECT v_doc -> 'person' AS p UNION ALL SELECT jsonb_array_elements(v_doc -> 'family')) x;
    SELECT coalesce(array_agg(DISTINCT s ->> 'dataSource' ORDER BY s ->> 'dataSource'), '{}')
      INTO v_sources
      FROM (SELECT jsonb_array_elements(p -> 'services') AS s
            FROM (SELECT v_doc -> 'person' AS p UNION ALL SELECT jsonb_array_elements(v_doc -> 'family')) x) y
     WHERE s ? 'detail';
    RETURN fc.disclose(c, 'viewed_family', v_doc, v_person, v_persons, v_sources, v_reason,
                       v_details || jsonb_build_object('depth', v_depth, 'household', v_household));
END;
$$;

-- The helpers run only inside fc_api functions (and roles sync, owned by famctx_roles).
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA fc FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fc.begin(jsonb, text), fc.caller(jsonb), fc.refuse(fc.caller_t, text, text, text, bigint, text, jsonb),
    fc.done(fc.caller_t, text, jsonb, bigint, text, jsonb, text, uuid),
    fc.audit_as(fc.caller_t, text, text, bigint, bigint[], text[], text, uuid, text, jsonb),
    fc.fail(text, text), fc.kind_of(text), fc.free_text(text, text, int, boolean), fc.plain(text, int),
    fc.is_trusted_service(text)
    TO famctx_roles;
GRANT USAGE ON SCHEMA fc TO famctx_roles;
GRANT SELECT, INSERT, UPDATE ON fc.operator_role TO famctx_roles;

-- Roles mirror AD. famctx reads the members of the three AD groups (nested) and passes them:
-- {"members": [{"account", "guid", "display", "groups": ["users"|"admins"|"auditors", ...]}],
--  "dry_run": bool}
-- Each member gets a login role named after their sAMAccountName in lower case (no password:
-- PostgreSQL checks it against AD) and the group roles of their groups; a managed role whose
-- account left every group loses its groups and its login. Roles are never dropped. A role's
-- objectGUID, once recorded, never changes: a name now held by another AD account, an account
-- renamed, or an existing role famctx does not manage are reported as conflicts and left alone.
-- An operator cannot change their own role. Each change writes its own audit row
-- (role_changed), and the run one more (roles_synced).
-- A role that exists unmapped but whose comment names this very objectGUID (made by an earlier
-- sync, in a database since made anew) is adopted.
--   -> {"dry_run", "changes": [{"role", "account", "change", "group"?}], "conflicts": [...],
--       "summary": {"created", "adopted", "login_enabled", "login_disabled", "joined", "left",
--                   "unchanged", "conflicts"}}
CREATE FUNCTION fc.sync_members(p_members jsonb)
RETURNS TABLE (role_name text, account text, guid uuid, display text, groups text[])
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT lower(e ->> 'account'), e ->> 'account', (e ->> 'guid')::uuid, fc.plain(e ->> 'display', 256),
           ARRAY(SELECT DISTINCT x FROM jsonb_array_elements_text(e -> 'groups') x ORDER BY x)
    FROM jsonb_array_elements(p_members) e;
$$;
REVOKE ALL ON FUNCTION fc.sync_members(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fc.sync_members(jsonb) TO famctx_roles;

CREATE FUNCTION fc_api.roles_sync(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'admin');
    v_dry boolean := coalesce((p_request ->> 'dry_run')::boolean, false);
    v_members jsonb := p_request -> 'members';
    v_changes jsonb := '[]';
    v_conflicts jsonb := '[]';
    v_unchanged int := 0;
    m record;
    g text;
    v_have boolean;
    v_change jsonb;
    v_self text;
    v_skip text[] := '{}';
BEGIN
    IF c.refusal IS NOT NULL THEN
        RETURN fc.refuse(c, 'roles_synced', 'not_permitted', c.refusal);
    END IF;
    -- The caller's own login role (for a service: the acting user's).
    v_self := CASE WHEN c.service IS NULL THEN c.db_role END;
    IF jsonb_typeof(v_members) IS DISTINCT FROM 'array' THEN
        RETURN fc.refuse(c, 'roles_synced', 'usage', 'members must be an array of {account, guid, display, groups}');
    END IF;
    BEGIN
        PERFORM count(*) FROM fc.sync_members(v_members);
    EXCEPTION WHEN others THEN
        RETURN fc.refuse(c, 'roles_synced', 'usage', 'each member needs an account, an objectGUID and a list of groups: ' || SQLERRM);
    END;
    IF EXISTS (SELECT 1 FROM fc.sync_members(v_members)
               WHERE role_name !~ '^[a-z0-9][a-z0-9._-]{0,62}$' OR guid IS NULL
                  OR NOT groups <@ ARRAY['admins', 'auditors', 'users'] OR cardinality(groups) = 0) THEN
        RETURN fc.refuse(c, 'roles_synced', 'usage',
            'every member needs an account name of letters, digits, ".", "_" or "-" (at most 63), an '
            'objectGUID, and groups among users, admins, auditors');
    END IF;
    IF EXISTS (SELECT 1 FROM fc.sync_members(v_members) GROUP BY role_name HAVING count(*) > 1)
       OR EXISTS (SELECT 1 FROM fc.sync_members(v_members) GROUP BY guid HAVING count(*) > 1) THEN
        RETURN fc.refuse(c, 'roles_synced', 'usage', 'an account or objectGUID is listed twice');
    END IF;

    -- Conflicts: identity mismatches and roles famctx does not manage.
    FOR m IN
        SELECT s.*, o.object_guid AS mapped_guid, o2.role_name AS guid_role,
               EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = s.role_name) AS role_exists
        FROM fc.sync_members(v_members) s
        LEFT JOIN fc.operator_role o ON o.role_name = s.role_name
        LEFT JOIN fc.operator_role o2 ON o2.object_guid = s.guid AND o2.role_name <> s.role_name
        ORDER BY s.role_name
    LOOP
        IF m.mapped_guid IS NOT NULL AND m.mapped_guid <> m.guid THEN
            v_conflicts := v_conflicts || jsonb_build_object('role', m.role_name, 'problem',
                format('role %s belongs to another AD account (objectGUID %s), not %s: left alone',
                       m.role_name, m.mapped_guid, m.guid));
        ELSIF m.guid_role IS NOT NULL THEN
            v_conflicts := v_conflicts || jsonb_build_object('role', m.role_name, 'problem',
                format('the AD account of role %s is now named %s: rename the role by hand (ALTER ROLE) '
                       'and its mapping in fc.operator_role', m.guid_role, m.role_name));
        ELSIF m.mapped_guid IS NULL AND m.role_exists
              AND shobj_description((SELECT r.oid FROM pg_roles r WHERE r.rolname = m.role_name), 'pg_authid')
                  IS DISTINCT FROM 'famctx operator, AD objectGUID ' || m.guid THEN
            v_conflicts := v_conflicts || jsonb_build_object('role', m.role_name, 'problem',
                format('a role %s exists that famctx does not manage: left alone', m.role_name));
        ELSE
            CONTINUE;
        END IF;
        v_skip := v_skip || m.role_name;
    END LOOP;

    -- Members: create, enable, join and leave groups.
    FOR m IN
        SELECT s.*, o.role_name AS managed, r.rolcanlogin AS can_login
        FROM fc.sync_members(v_members) s
        LEFT JOIN fc.operator_role o ON o.role_name = s.role_name
        LEFT JOIN pg_roles r ON r.rolname = s.role_name
        WHERE s.role_name <> ALL (v_skip)
        ORDER BY s.role_name
    LOOP
        IF m.role_name = v_self THEN
            IF m.managed IS NULL OR NOT m.can_login OR EXISTS (
                SELECT 1 FROM unnest(ARRAY['admins', 'auditors', 'users']) g2
                WHERE (g2 = ANY (m.groups)) <> CASE WHEN m.managed IS NULL THEN false
                                                    ELSE pg_has_role(m.role_name, 'famctx_' || g2, 'MEMBER') END) THEN
                v_conflicts := v_conflicts || jsonb_build_object('role', m.role_name, 'problem',
                    'your own role: another admin or the scheduled sync applies its changes');
            ELSE
                v_unchanged := v_unchanged + 1;
            END IF;
            CONTINUE;
        END IF;
        v_change := NULL;
        IF m.managed IS NULL AND m.can_login IS NOT NULL THEN
            -- A role this famctx made for this very account (its comment names the objectGUID),
            -- in a database made anew: adopted, not created.
            v_changes := v_changes || jsonb_build_object('role', m.role_name, 'account', m.account,
                                                         'guid', m.guid, 'change', 'adopted');
            IF NOT v_dry THEN
                INSERT INTO fc.operator_role (role_name, object_guid, account_name, display_name, groups)
                VALUES (m.role_name, m.guid, m.account, m.display, m.groups);
            END IF;
            m.managed := m.role_name;
            IF NOT m.can_login THEN
                v_changes := v_changes || jsonb_build_object('role', m.role_name, 'account', m.account,
                                                             'guid', m.guid, 'change', 'login_enabled');
                IF NOT v_dry THEN
                    EXECUTE format('ALTER ROLE %I LOGIN', m.role_name);
                END IF;
            END IF;
        ELSIF m.managed IS NULL THEN
            v_changes := v_changes || jsonb_build_object('role', m.role_name, 'account', m.account,
                                                         'guid', m.guid, 'change', 'created');
            IF NOT v_dry THEN
                EXECUTE format('CREATE ROLE %I LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE '
                               'NOREPLICATION NOBYPASSRLS', m.role_name);
                EXECUTE format('ALTER ROLE %I SET jit = off', m.role_name);
                EXECUTE format('COMMENT ON ROLE %I IS %L', m.role_name,
                               'famctx operator, AD objectGUID ' || m.guid);
                INSERT INTO fc.operator_role (role_name, object_guid, account_name, display_name, groups)
                VALUES (m.role_name, m.guid, m.account, m.display, m.groups);
            END IF;
        ELSE
            IF NOT m.can_login THEN
                v_changes := v_changes || jsonb_build_object('role', m.role_name, 'account', m.account,
                                                             'guid', m.guid, 'change', 'login_enabled');
                IF NOT v_dry THEN
                    EXECUTE format('ALTER ROLE %I LOGIN', m.role_name);
                END IF;
            END IF;
            IF NOT v_dry THEN
                UPDATE fc.operator_role o
                SET account_name = m.account, display_name = m.display, groups = m.groups,
                    can_login = true, updated_at = clock_timestamp()
                WHERE o.role_name = m.role_name
                  AND (o.account_name, o.display_name, o.groups, o.can_login)
                      IS DISTINCT FROM (m.account, m.display, m.groups, true);
            END IF;
        END IF;
        FOREACH g IN ARRAY ARRAY['admins', 'auditors', 'users'] LOOP
            v_have := CASE WHEN m.managed IS NULL THEN false
                           ELSE pg_has_role(m.role_name, 'famctx_' || g, 'MEMBER') END;
            IF (g = ANY (m.groups)) AND NOT v_have THEN
                v_changes := v_changes || jsonb_build_object('role', m.role_name, 'account', m.account,
                                                             'guid', m.guid, 'change', 'joined', 'group', 'famctx_' || g);
                IF NOT v_dry THEN
                    EXECUTE format('GRANT %I TO %I', 'famctx_' || g, m.role_name);
                END IF;
            ELSIF NOT (g = ANY (m.groups)) AND v_have THEN
                v_changes := v_changes || jsonb_build_object('role', m.role_name, 'account', m.account,
                                                             'guid', m.guid, 'change', 'left', 'group', 'famctx_' || g);
                IF NOT v_dry THEN
                    EXECUTE format('REVOKE %I FROM %I', 'famctx_' || g, m.role_name);
                END IF;
            END IF;
        END LOOP;
        IF m.managed IS NOT NULL AND m.can_login AND NOT EXISTS (
            SELECT 1 FROM jsonb_array_elements(v_changes) x WHERE x ->> 'role' = m.role_name) THEN
            v_unchanged := v_unchanged + 1;
        END IF;
    END LOOP;

    -- Managed roles whose account left every group (or AD): no groups, no login.
    FOR m IN
        SELECT o.role_name, o.account_name AS account, o.object_guid AS guid, r.rolcanlogin AS can_login
        FROM fc.operator_role o JOIN pg_roles r ON r.rolname = o.role_name
        WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(v_members) e
                          WHERE lower(e ->> 'account') = o.role_name
                             OR (e ->> 'guid') = o.object_guid::text)
        ORDER BY o.role_name
    LOOP
        IF m.role_name = v_self THEN
            v_conflicts := v_conflicts || jsonb_build_object('role', m.role_name, 'problem',
                'your own role: another admin or the scheduled sync applies its changes');
            CONTINUE;
        END IF;
        FOREACH g IN ARRAY ARRAY['admins', 'auditors', 'users'] LOOP
            IF pg_has_role(m.role_name, 'famctx_' || g, 'MEMBER') THEN
                v_changes := v_changes || jsonb_build_object('role', m.role_name, 'account', m.account,
                                                             'guid', m.guid, 'change', 'left', 'group', 'famctx_' || g);
                IF NOT v_dry THEN
                    EXECUTE format('REVOKE %I FROM %I', 'famctx_' || g, m.role_name);
                END IF;
            END IF;
        END LOOP;
        IF m.can_login THEN
            v_changes := v_changes || jsonb_build_object('role', m.role_name, 'account', m.account,
                                                         'guid', m.guid, 'change', 'login_disabled');
            IF NOT v_dry THEN
                EXECUTE format('ALTER ROLE %I NOLOGIN', m.role_name);
                UPDATE fc.operator_role o SET can_login = false, groups = '{}', updated_at = clock_timestamp()
                WHERE o.role_name = m.role_name;
            END IF;
        END IF;
    END LOOP;

    IF NOT v_dry THEN
        PERFORM fc.audit_as(c, 'role_changed', 'allowed', NULL, '{}', '{}', x ->> 'account',
                            (x ->> 'guid')::uuid, fc.plain(p_request ->> 'reason', 500),
                            jsonb_strip_nulls(jsonb_build_object('role', x ->> 'role', 'change', x ->> 'change',
                                                                 'group', x ->> 'group')))
        FROM jsonb_array_elements(v_changes) x;
    END IF;
    RETURN fc.done(c, 'roles_synced',
        jsonb_build_object('dry_run', v_dry, 'changes', v_changes, 'conflicts', v_conflicts,
            'summary', jsonb_build_object(
                'members', jsonb_array_length(v_members),
                'created', (SELECT count(*) FROM jsonb_array_elements(v_changes) x WHERE x ->> 'change' = 'created'),
                'adopted', (SELECT count(*) FROM jsonb_array_elements(v_changes) x WHERE x ->> 'change' = 'adopted'),
                'login_enabled', (SELECT count(*) FROM jsonb_array_elements(v_changes) x WHERE x ->> 'change' = 'login_enabled'),
                'login_disabled', (SELECT count(*) FROM jsonb_array_elements(v_changes) x WHERE x ->> 'change' = 'login_disabled'),
                'joined', (SELECT count(*) FROM jsonb_array_elements(v_changes) x WHERE x ->> 'change' = 'joined'),
                'left', (SELECT count(*) FROM jsonb_array_elements(v_changes) x WHERE x ->> 'change' = 'left'),
                'unchanged', v_unchanged,
                'conflicts', jsonb_array_length(v_conflicts))),
        NULL, fc.plain(p_request ->> 'reason', 500),
        jsonb_build_object('dry_run', v_dry, 'changes', jsonb_array_length(v_changes),
                           'conflicts', jsonb_array_length(v_conflicts)));
END;
$$;
-- A new owner needs CREATE on the schema at the moment of the change, and only then.
GRANT CREATE ON SCHEMA fc_api TO famctx_roles;
ALTER FUNCTION fc_api.roles_sync(jsonb) OWNER TO famctx_roles;
REVOKE CREATE ON SCHEMA fc_api FROM famctx_roles;
