-- roles sync in time linear in the number of AD members (n log n with its sorts). V14's body
-- parsed the member list again for every managed role (the "left every group" test), copied the
-- whole changes document on every change, and scanned it again for every member to count the
-- unchanged: minutes for ten thousand members. The request, the result document, the audit rows,
-- the refusals, the conflicts and the order of the changes are V14's.
--  * the member list is parsed once, by fc.sync_members, into an array of fc.sync_member_t; the
--    joins and anti-joins read it with unnest, which the planner can hash;
--  * changes and conflicts are gathered in jsonb[] with array_append (in place in PL/pgSQL) and
--    made into the documents' arrays once, at the end;
--  * a member is unchanged when their own pass made no change (a local flag): the changes before
--    it name other roles, as no account is listed twice.
-- fc.roles_sync keeps its owner (famctx_roles: CREATE OR REPLACE does not change it), its
-- privileges (V15: no operator may call it) and its settings (search_path only: the entry point
-- fc_api.roles_sync pins TimeZone and the date styles, V15).

-- One member as fc.sync_members reads it.
CREATE TYPE fc.sync_member_t AS (
    role_name  text,
    account    text,
    guid       uuid,
    display    text,
    groups     text[]
);

CREATE OR REPLACE FUNCTION fc.roles_sync(p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t := fc.begin(p_request, 'admin');
    v_dry boolean := CASE WHEN jsonb_typeof(p_request -> 'dry_run') = 'boolean'
                          THEN (p_request ->> 'dry_run')::boolean ELSE true END;
    v_members jsonb := p_request -> 'members';
    v_list fc.sync_member_t[];
    v_changes jsonb[] := '{}';
    v_conflicts jsonb[] := '{}';
    v_unchanged int := 0;
    v_changed boolean;
    v_doc_changes jsonb;
    m record;
    g text;
    v_have boolean;
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
    -- The one reading of the list, in its order.
    BEGIN
        v_list := ARRAY(SELECT ROW(s.role_name, s.account, s.guid, s.display, s.groups)::fc.sync_member_t
                        FROM fc.sync_members(v_members) WITH ORDINALITY s
                        ORDER BY s.ordinality);
    EXCEPTION WHEN others THEN
        RETURN fc.refuse(c, 'roles_synced', 'usage', 'each member needs an account, an objectGUID and a list of groups: ' || SQLERRM);
    END;
    -- A member whose name cannot be a role (checked before lower-casing: no letter may fold into
    -- ASCII), or whose groups are not ours, is reported and left out; the others go on.
    FOR m IN
        SELECT s.role_name, s.account
        FROM unnest(v_list) WITH ORDINALITY s
        WHERE NOT coalesce(s.account, '') ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'
           OR s.guid IS NULL OR NOT s.groups <@ ARRAY['admins', 'auditors', 'users']
           OR cardinality(s.groups) = 0
        ORDER BY s.ordinality
    LOOP
        v_conflicts := array_append(v_conflicts, jsonb_build_object('role', fc.plain(m.role_name, 80), 'problem',
            format('account %s cannot have a login role: its name must be letters, digits, ".", "_" '
                   'or "-" (at most 63), with an objectGUID and groups among users, admins, auditors',
                   fc.plain(m.account, 80))));
        v_skip := array_append(v_skip, coalesce(m.role_name, ''));
    END LOOP;
    IF EXISTS (SELECT 1 FROM unnest(v_list) s GROUP BY s.role_name HAVING count(*) > 1)
       OR EXISTS (SELECT 1 FROM unnest(v_list) s GROUP BY s.guid HAVING count(*) > 1) THEN
        RETURN fc.refuse(c, 'roles_synced', 'usage', 'an account or objectGUID is listed twice');
    END IF;

    -- Conflicts: identity mismatches and roles famctx does not manage. A member left out has a
    -- name in v_skip (a member without an account is always left out, under '').
    FOR m IN
        SELECT s.*, o.object_guid AS mapped_guid, o2.role_name AS guid_role,
               r.oid AS role_oid
        FROM unnest(v_list) s
        LEFT JOIN fc.operator_role o ON o.role_name = s.role_name
        LEFT JOIN fc.operator_role o2 ON o2.object_guid = s.guid AND o2.role_name <> s.role_name
        LEFT JOIN pg_roles r ON r.rolname = s.role_name
        WHERE s.role_name IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM unnest(v_skip) k WHERE k = s.role_name)
        ORDER BY s.role_name
    LOOP
        IF m.mapped_guid IS NOT NULL AND m.mapped_guid <> m.guid THEN
            v_conflicts := array_append(v_conflicts, jsonb_build_object('role', m.role_name, 'problem',
                format('role %s was made for another AD account (objectGUID %s), not %s: that role loses '
                       'its groups and its login; give the new account another name, or move the role '
                       'by hand', m.role_name, m.mapped_guid, m.guid)));
        ELSIF m.guid_role IS NOT NULL THEN
            v_conflicts := array_append(v_conflicts, jsonb_build_object('role', m.role_name, 'problem',
                format('the AD account of role %s is now named %s: role %s loses its groups and its login; '
                       'rename it by hand (ALTER ROLE, and its row in fc.operator_role) to keep its history',
                       m.guid_role, m.role_name, m.guid_role)));
        ELSIF m.mapped_guid IS NULL AND m.role_oid IS NOT NULL
              AND shobj_description(m.role_oid, 'pg_authid')
                  IS DISTINCT FROM 'famctx operator, AD objectGUID ' || m.guid THEN
            v_conflicts := array_append(v_conflicts, jsonb_build_object('role', m.role_name, 'problem',
                format('a role %s exists that famctx does not manage: left alone', m.role_name)));
        ELSE
            CONTINUE;
        END IF;
        v_skip := array_append(v_skip, m.role_name);
    END LOOP;

    -- Members: create, enable, join and leave groups.
    FOR m IN
        SELECT s.*, o.role_name AS managed, r.rolcanlogin AS can_login
        FROM unnest(v_list) s
        LEFT JOIN fc.operator_role o ON o.role_name = s.role_name
        LEFT JOIN pg_roles r ON r.rolname = s.role_name
        WHERE s.role_name IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM unnest(v_skip) k WHERE k = s.role_name)
        ORDER BY s.role_name
    LOOP
        IF m.role_name = v_self THEN
            IF m.managed IS NULL OR NOT m.can_login OR EXISTS (
                SELECT 1 FROM unnest(ARRAY['admins', 'auditors', 'users']) g2
                WHERE (g2 = ANY (m.groups)) <> CASE WHEN m.managed IS NULL THEN false
                                                    ELSE pg_has_role(m.role_name, 'famctx_' || g2, 'MEMBER') END) THEN
                v_conflicts := array_append(v_conflicts, jsonb_build_object('role', m.role_name, 'problem',
                    'your own role: another admin or the scheduled sync applies its changes'));
            ELSE
                v_unchanged := v_unchanged + 1;
            END IF;
            CONTINUE;
        END IF;
        v_changed := false;
        IF m.managed IS NULL AND m.can_login IS NOT NULL THEN
            -- A role this famctx made for this very account (its comment names the objectGUID),
            -- in a database made anew: adopted, not created.
            v_changes := array_append(v_changes, jsonb_build_object('role', m.role_name, 'account', m.account,
                                                                    'guid', m.guid, 'change', 'adopted'));
            v_changed := true;
            IF NOT v_dry THEN
                INSERT INTO fc.operator_role (role_name, object_guid, account_name, display_name, groups)
                VALUES (m.role_name, m.guid, m.account, m.display, m.groups);
                EXECUTE format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', m.role_name, '10s');
            END IF;
            m.managed := m.role_name;
            IF NOT m.can_login THEN
                v_changes := array_append(v_changes, jsonb_build_object('role', m.role_name, 'account', m.account,
                                                                        'guid', m.guid, 'change', 'login_enabled'));
                IF NOT v_dry THEN
                    EXECUTE format('ALTER ROLE %I LOGIN', m.role_name);
                END IF;
            END IF;
        ELSIF m.managed IS NULL THEN
            v_changes := array_append(v_changes, jsonb_build_object('role', m.role_name, 'account', m.account,
                                                                    'guid', m.guid, 'change', 'created'));
            v_changed := true;
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
                v_changes := array_append(v_changes, jsonb_build_object('role', m.role_name, 'account', m.account,
                                                                        'guid', m.guid, 'change', 'login_enabled'));
                v_changed := true;
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
                v_changes := array_append(v_changes, jsonb_build_object('role', m.role_name, 'account', m.account,
                                                                        'guid', m.guid, 'change', 'joined', 'group', 'famctx_' || g));
                v_changed := true;
                IF NOT v_dry THEN
                    EXECUTE format('GRANT %I TO %I', 'famctx_' || g, m.role_name);
                END IF;
            ELSIF NOT (g = ANY (m.groups)) AND v_have THEN
                v_changes := array_append(v_changes, jsonb_build_object('role', m.role_name, 'account', m.account,
                                                                        'guid', m.guid, 'change', 'left', 'group', 'famctx_' || g));
                v_changed := true;
                IF NOT v_dry THEN
                    EXECUTE format('REVOKE %I FROM %I', 'famctx_' || g, m.role_name);
                END IF;
            END IF;
        END LOOP;
        IF m.managed IS NOT NULL AND m.can_login AND NOT v_changed THEN
            v_unchanged := v_unchanged + 1;
        END IF;
    END LOOP;

    -- Managed roles whose account left every group (or AD): no groups, no login.
    FOR m IN
        SELECT o.role_name, o.account_name AS account, o.object_guid AS guid, r.rolcanlogin AS can_login
        FROM fc.operator_role o JOIN pg_roles r ON r.rolname = o.role_name
        -- Kept only while the same AD account (name and objectGUID) is a member: a name now held
        -- by another account, or an account renamed, loses its groups and its login.
        WHERE NOT EXISTS (SELECT 1 FROM unnest(v_list) s
                          WHERE s.role_name = o.role_name AND s.guid = o.object_guid
                            AND NOT EXISTS (SELECT 1 FROM unnest(v_skip) k WHERE k = s.role_name))
        ORDER BY o.role_name
    LOOP
        IF m.role_name = v_self THEN
            v_conflicts := array_append(v_conflicts, jsonb_build_object('role', m.role_name, 'problem',
                'your own role: another admin or the scheduled sync applies its changes'));
            CONTINUE;
        END IF;
        FOREACH g IN ARRAY ARRAY['admins', 'auditors', 'users'] LOOP
            IF pg_has_role(m.role_name, 'famctx_' || g, 'MEMBER') THEN
                v_changes := array_append(v_changes, jsonb_build_object('role', m.role_name, 'account', m.account,
                                                                        'guid', m.guid, 'change', 'left', 'group', 'famctx_' || g));
                IF NOT v_dry THEN
                    EXECUTE format('REVOKE %I FROM %I', 'famctx_' || g, m.role_name);
                END IF;
            END IF;
        END LOOP;
        IF m.can_login THEN
            v_changes := array_append(v_changes, jsonb_build_object('role', m.role_name, 'account', m.account,
                                                                    'guid', m.guid, 'change', 'login_disabled'));
            IF NOT v_dry THEN
                EXECUTE format('ALTER ROLE %I NOLOGIN', m.role_name);
                UPDATE fc.operator_role o SET can_login = false, groups = '{}', updated_at = clock_timestamp()
                WHERE o.role_name = m.role_name;
            END IF;
        END IF;
    END LOOP;

    IF NOT v_dry THEN
        PERFORM fc.audit_as(c, 'role_changed', 'allowed', NULL, '{}', '{}', x.change ->> 'account',
                            (x.change ->> 'guid')::uuid, fc.plain(p_request ->> 'reason', 500),
                            jsonb_strip_nulls(jsonb_build_object('role', x.change ->> 'role',
                                                                 'change', x.change ->> 'change',
                                                                 'group', x.change ->> 'group')))
        FROM unnest(v_changes) WITH ORDINALITY x (change, n)
        ORDER BY x.n;
    END IF;
    v_doc_changes := to_jsonb(v_changes);
    RETURN fc.done(c, 'roles_synced',
        jsonb_build_object('dry_run', v_dry, 'changes', v_doc_changes, 'conflicts', to_jsonb(v_conflicts),
            'summary', (
                SELECT jsonb_build_object(
                    'members', jsonb_array_length(v_members),
                    'created', count(*) FILTER (WHERE x ->> 'change' = 'created'),
                    'adopted', count(*) FILTER (WHERE x ->> 'change' = 'adopted'),
                    'login_enabled', count(*) FILTER (WHERE x ->> 'change' = 'login_enabled'),
                    'login_disabled', count(*) FILTER (WHERE x ->> 'change' = 'login_disabled'),
                    'joined', count(*) FILTER (WHERE x ->> 'change' = 'joined'),
                    'left', count(*) FILTER (WHERE x ->> 'change' = 'left'),
                    'unchanged', v_unchanged,
                    'conflicts', cardinality(v_conflicts))
                FROM unnest(v_changes) x)),
        NULL, fc.plain(p_request ->> 'reason', 500),
        jsonb_build_object('dry_run', v_dry, 'changes', cardinality(v_changes),
                           'conflicts', cardinality(v_conflicts)));
END;
$$;

-- As V15 left it: callable by no operator, only through fc_api.roles_sync.
REVOKE ALL ON FUNCTION fc.roles_sync(jsonb) FROM PUBLIC, famctx_operator;
