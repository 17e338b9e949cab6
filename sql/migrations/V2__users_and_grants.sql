-- Users known to the system (by AD objectGUID, so a renamed account keeps its
-- grants) and per-source permission grants. The application role reaches
-- these tables only through the functions below.

CREATE TABLE fc.app_user (
    object_guid   uuid PRIMARY KEY,
    account_name  text NOT NULL CHECK (length(account_name) BETWEEN 1 AND 256),
    display_name  text,
    first_seen    timestamptz NOT NULL DEFAULT clock_timestamp(),
    last_seen     timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX app_user_account_idx ON fc.app_user (lower(account_name));

CREATE TABLE fc.permission_grant (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    grantee_guid     uuid NOT NULL REFERENCES fc.app_user (object_guid),
    source_code      text NOT NULL REFERENCES fc.data_source (code),
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
-- At most one open (unrevoked) grant a user and source; expiry is judged at check time.
CREATE UNIQUE INDEX permission_grant_open_idx
    ON fc.permission_grant (grantee_guid, source_code) WHERE revoked_at IS NULL;
CREATE INDEX permission_grant_source_idx ON fc.permission_grant (source_code);

-- Record (or refresh) the operator the directory vouched for.
CREATE FUNCTION fc.register_user(p_guid uuid, p_account text, p_display text)
RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = fc, pg_temp
AS $$
    INSERT INTO fc.app_user AS u (object_guid, account_name, display_name)
    VALUES (p_guid, p_account, p_display)
    ON CONFLICT (object_guid) DO UPDATE
        SET account_name = excluded.account_name,
            display_name = excluded.display_name,
            last_seen = clock_timestamp();
$$;

-- The permission check: which data sources the user may see at this moment.
-- Expiry and revocation are applied here, at check time; no cleanup job is involved.
CREATE FUNCTION fc.current_grants(p_guid uuid)
RETURNS TABLE (source_code text, expires_at timestamptz, granted_at timestamptz, grant_id bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = fc, pg_temp
AS $$
    SELECT g.source_code, g.expires_at, g.valid_from, g.id
    FROM fc.permission_grant g
    WHERE g.grantee_guid = p_guid
      AND g.revoked_at IS NULL
      AND g.valid_from <= clock_timestamp()
      AND (g.expires_at IS NULL OR g.expires_at > clock_timestamp())
    ORDER BY g.source_code;
$$;

CREATE FUNCTION fc.may_see(p_guid uuid, p_source text)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = fc, pg_temp
AS $$
    SELECT EXISTS (SELECT 1 FROM fc.current_grants(p_guid) c WHERE c.source_code = p_source);
$$;
