-- Cluster roles for Family Context, run once by a superuser before `famctx db migrate`
-- (psql -v ON_ERROR_STOP=1 -f sql/bootstrap.sql). Idempotent. Passwords are set separately
-- (ALTER ROLE ... PASSWORD) and never for operators: operators sign in with their AD password,
-- checked by PostgreSQL against AD (pg_hba method ldap).
--
--   famctx_owner     LOGIN: owns the schemas fc and fc_api, runs migrations and the nightly load
--   famctx_app       LOGIN: the API's service role, a trusted service (it names the acting user)
--   famctx_service   trusted services: may call the door functions naming the acting user
--   famctx_operator  may connect and execute the door functions (fc_api), nothing else
--   famctx_users, famctx_admins, famctx_auditors
--                    the AD groups FamilyContext Users / Admins / Auditors, mirrored by
--                    `famctx roles sync`; each is a member of famctx_operator
--   famctx_roles     no login, CREATEROLE: owns fc_api.roles_sync, which creates and alters the
--                    operators' login roles (never drops them)

SELECT format('CREATE ROLE %I NOLOGIN', r)
FROM unnest(ARRAY['famctx_service', 'famctx_operator', 'famctx_users', 'famctx_admins',
                  'famctx_auditors', 'famctx_roles']) r
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) \gexec
SELECT format('CREATE ROLE %I LOGIN', r)
FROM unnest(ARRAY['famctx_owner', 'famctx_app']) r
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) \gexec

ALTER ROLE famctx_roles NOLOGIN CREATEROLE;
ALTER ROLE famctx_app NOSUPERUSER NOCREATEDB NOCREATEROLE;
ALTER ROLE famctx_app SET jit = off;
GRANT famctx_operator TO famctx_users, famctx_admins, famctx_auditors, famctx_service;
GRANT famctx_service TO famctx_app;
-- The owner makes fc_api.roles_sync and hands it to famctx_roles.
GRANT famctx_roles TO famctx_owner;
