-- Hardening of the door after review.
--  * The audit trail records the connection's own address as client host; what an operator's
--    client says about itself is kept in the details as a claim.
--  * famctx sends the objectGUID AD vouched for; a role whose mapping names another account is
--    refused (a reused account name signs in to PostgreSQL as the name, not as the person).
--  * "Not found" is handed over like a disclosure, after its audit row commits, and every ticket
--    envelope reads "recorded": a caller who rolls back learns nothing, not even whether a
--    person or case exists.
--  * roles sync: changes only from the database fc.policy names (roles are cluster-wide, the
--    trail is not), only through the owner's sign-in; admins see the plan. A member whose name
--    cannot be a role is reported and left out instead of stopping the sync; a role whose name
--    now belongs to another account, or whose account was renamed, loses its groups and login.
--  * MDM validation: the session's figures come only once its audit row has committed.
--  * Every SECURITY DEFINER function runs in UTC with ISO dates, whatever the caller set: ages
--    and windows cannot be moved with SET TimeZone.

INSERT INTO fc.policy (key, value) VALUES ('roles_database', current_database())
ON CONFLICT (key) DO NOTHING;
GRANT SELECT ON fc.policy TO famctx_roles;

CREATE OR REPLACE FUNCTION fc.caller(p_request jsonb)
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


CREATE OR REPLACE FUNCTION fc.refuse(c fc.caller_t, p_action text, p_kind text, p_message text,
                          p_subject bigint DEFAULT NULL, p_reason text DEFAULT NULL,
                          p_details jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_outcome text := CASE p_kind WHEN 'not_found' THEN 'not_found' WHEN 'error' THEN 'error'
                                  ELSE 'denied' END;
    v_id bigint;
    v_ticket uuid;
BEGIN
    v_id := fc.audit_as(c, p_action, v_outcome, p_subject, '{}', '{}', NULL, NULL, p_reason,
                        coalesce(p_details, '{}') || jsonb_build_object('error', p_message));
    IF p_kind = 'not_found' THEN
        -- "Not found" tells whether a person or case exists: like a disclosure, it is handed
        -- over only once its audit row has committed, and its envelope reads like one.
        INSERT INTO fc.disclosure (db_role, xid, audit_id, document)
        VALUES (session_user, pg_current_xact_id(), v_id,
                jsonb_build_object('refusal', jsonb_build_object('kind', p_kind, 'message', p_message)))
        RETURNING ticket INTO v_ticket;
        RETURN jsonb_build_object('outcome', 'recorded', 'audit_id', v_id, 'ticket', v_ticket);
    END IF;
    RETURN jsonb_build_object('outcome', v_outcome, 'audit_id', v_id,
                              'error', jsonb_build_object('kind', p_kind, 'message', p_message));
END;
$$;


CREATE OR REPLACE FUNCTION fc.disclose(c fc.caller_t, p_action text, p_document jsonb, p_subject bigint,
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
    RETURN jsonb_build_object('outcome', 'recorded', 'audit_id', v_id, 'ticket', v_ticket);
END;
$$;


CREATE OR REPLACE FUNCTION fc_api.roles_sync(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'admin');
    v_dry boolean := CASE WHEN jsonb_typeof(p_request -> 'dry_run') = 'boolean'
                          THEN (p_request ->> 'dry_run')::boolean ELSE true END;
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
    IF jsonb_typeof(p_request -> 'dry_run') NOT IN ('boolean', 'null') THEN
        RETURN fc.refuse(c, 'roles_synced', 'usage', 'dry_run must be true or false');
    END IF;
    -- Roles belong to the whole cluster, the audit trail to one database: changes are made only
    -- from the database fc.policy names, and only by the owner (a scheduled job on the database
    -- host), whose reading of AD is the one trusted. An admin sees the plan.
    IF NOT v_dry AND current_database() IS DISTINCT FROM
           (SELECT p.value FROM fc.policy p WHERE p.key = 'roles_database') THEN
        RETURN fc.refuse(c, 'roles_synced', 'not_permitted', format(
            'roles are shared by every database of the cluster: roles sync changes them only from %s, '
            'not from %s', (SELECT p.value FROM fc.policy p WHERE p.key = 'roles_database'), current_database()));
    END IF;
    IF NOT v_dry AND session_user IS DISTINCT FROM
           (SELECT r.rolname FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE n.nspname = 'fc') THEN
        RETURN fc.refuse(c, 'roles_synced', 'not_permitted',
            'roles sync makes changes only through the database owner''s sign-in (famctx roles sync with '
            'owner_url, as the scheduled job does); as an admin you may see the plan (--dry-run)');
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
    -- A member whose name cannot be a role (checked before lower-casing: no letter may fold into
    -- ASCII), or whose groups are not ours, is reported and left out; the others go on.
    FOR m IN
        SELECT s.role_name, e ->> 'account' AS account
        FROM jsonb_array_elements(v_members) e, fc.sync_members(jsonb_build_array(e)) s
        WHERE NOT coalesce(e ->> 'account', '') ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'
           OR s.guid IS NULL OR NOT s.groups <@ ARRAY['admins', 'auditors', 'users']
           OR cardinality(s.groups) = 0
    LOOP
        v_conflicts := v_conflicts || jsonb_build_object('role', fc.plain(m.role_name, 80), 'problem',
            format('account %s cannot have a login role: its name must be letters, digits, ".", "_" '
                   'or "-" (at most 63), with an objectGUID and groups among users, admins, auditors',
                   fc.plain(m.account, 80)));
        v_skip := v_skip || coalesce(m.role_name, '');
    END LOOP;
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
        WHERE s.role_name <> ALL (v_skip)
        ORDER BY s.role_name
    LOOP
        IF m.mapped_guid IS NOT NULL AND m.mapped_guid <> m.guid THEN
            v_conflicts := v_conflicts || jsonb_build_object('role', m.role_name, 'problem',
                format('role %s was made for another AD account (objectGUID %s), not %s: that role loses '
                       'its groups and its login; give the new account another name, or move the role '
                       'by hand', m.role_name, m.mapped_guid, m.guid));
        ELSIF m.guid_role IS NOT NULL THEN
            v_conflicts := v_conflicts || jsonb_build_object('role', m.role_name, 'problem',
                format('the AD account of role %s is now named %s: role %s loses its groups and its login; '
                       'rename it by hand (ALTER ROLE, and its row in fc.operator_role) to keep its history',
                       m.guid_role, m.role_name, m.guid_role));
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
                EXECUTE format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', m.role_name, '10s');
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
                EXECUTE format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', m.role_name, '10s');
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
        -- Kept only while the same AD account (name and objectGUID) is a member: a name now held
        -- by another account, or an account renamed, loses its groups and its login.
        WHERE NOT EXISTS (SELECT 1 FROM fc.sync_members(v_members) s
                          WHERE s.role_name = o.role_name AND s.guid = o.object_guid
                            AND s.role_name <> ALL (v_skip))
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


-- The MDM session remembers the transaction that opened it (and wrote its audit row).
ALTER TABLE fc.mdm_validation ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();

CREATE OR REPLACE FUNCTION fc.mdm_session(c fc.caller_t, p_request jsonb)
RETURNS fc.mdm_validation
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v text := p_request ->> 'session';
    s fc.mdm_validation;
BEGIN
    IF v IS NULL OR v !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
        PERFORM fc.fail('usage', 'session must be the id fc_api.mdm_validate_begin returned');
    END IF;
    SELECT * INTO s FROM fc.mdm_validation x
    WHERE x.session = v::uuid AND x.db_role = session_user AND x.actor_guid = c.guid
    FOR UPDATE;
    IF NOT FOUND OR s.finished_at IS NOT NULL OR s.created_at < clock_timestamp() - interval '30 minutes' THEN
        PERFORM fc.fail('not_found', format('no open validation session %s: it has finished, has expired '
                                            '(30 minutes) or was begun by someone else; validate again', v));
    END IF;
    IF pg_xact_status(s.xid) IS DISTINCT FROM 'committed' THEN
        PERFORM fc.fail('usage', 'the validation''s audit row is not committed yet: commit the transaction '
                                 'that began it, then go on');
    END IF;
    RETURN s;
END;
$$;

-- UTC and ISO dates inside every SECURITY DEFINER function (and so in whatever they call).
DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN
        SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname IN ('fc', 'fc_api') AND p.prosecdef
    LOOP
        EXECUTE format('ALTER FUNCTION %s SET TimeZone = %L', f, 'UTC');
        EXECUTE format('ALTER FUNCTION %s SET DateStyle = %L', f, 'ISO, YMD');
        EXECUTE format('ALTER FUNCTION %s SET IntervalStyle = %L', f, 'postgres');
    END LOOP;
END
$$;

-- Operators' sessions that sit idle inside a transaction are ended (the audit chain's lock is
-- held to commit); for roles made from now on by roles sync, and for those already made.
DO $$
DECLARE r text;
BEGIN
    -- famctx_roles (CREATEROLE) may alter the operators' roles; the owner may act as it.
    EXECUTE 'SET LOCAL ROLE famctx_roles';
    FOR r IN SELECT o.role_name FROM fc.operator_role o JOIN pg_roles pr ON pr.rolname = o.role_name LOOP
        EXECUTE format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', r, '10s');
    END LOOP;
    EXECUTE 'RESET ROLE';
END
$$;
