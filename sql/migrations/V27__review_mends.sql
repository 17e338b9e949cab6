-- Mends from a review of the legal basis and the archive:
--  * fc.begin judged the request's basis only when nothing else was wrong with the request, so a
--    request refused for another reason (a service naming no user, say) recorded whatever code it
--    carried in the audit row's basis column. The basis is now judged first, always: a code that
--    is not on the list, or retired, is never recorded as a basis (it is kept as the client's
--    claim, "requested_basis"), and it is the refusal when nothing else is.
--  * fc.audit_archive accepts a record only when the chain holds the audit row that finished that
--    archive (audit_archived, stage finished, with the same file, rows and hashes) and the row
--    that began it. `audit verify` checks the same from the chain's side, independently of this
--    trigger (which the owner could disable): an archive record made by hand is named there.
--
-- Every SECURITY DEFINER function here runs with search_path = pg_catalog, pg_temp and names fc
-- objects in full.

-- V21's fc.begin, the basis judged before anything else.
CREATE OR REPLACE FUNCTION fc.begin(p_request jsonb, p_role text)
RETURNS fc.caller_t
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c fc.caller_t := fc.caller(p_request);
    v_group text := CASE p_role WHEN 'user' THEN 'FamilyContext Users'
                                WHEN 'admin' THEN 'FamilyContext Admins'
                                WHEN 'auditor' THEN 'FamilyContext Auditors' END;
    v_basis_refusal text;
BEGIN
    IF c.client ? 'requested_basis' THEN
        v_basis_refusal := format('%s is not a legal basis code: use a code from "famctx basis list" '
                                  '(e.g. ca1989_s47)', c.client ->> 'requested_basis');
    ELSIF c.basis IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM fc.legal_basis b WHERE b.code = c.basis AND b.retired_at IS NULL) THEN
        v_basis_refusal := format('%s is not a legal basis in use: %s; use a code from "famctx basis list"',
                                  c.basis, CASE WHEN EXISTS (SELECT 1 FROM fc.legal_basis b WHERE b.code = c.basis)
                                                THEN 'it has been retired' ELSE 'no such code' END);
        c.client := c.client || jsonb_build_object('requested_basis', c.basis);
        c.basis := NULL;
    END IF;
    IF c.refusal IS NULL AND v_basis_refusal IS NOT NULL THEN
        c.refusal := v_basis_refusal;
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

-- An archive record names the audit rows that began and finished it; both must be in the chain
-- and say what the record says.
CREATE FUNCTION fc.audit_archive_witnessed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM fc.audit_log a
        WHERE a.id = NEW.audit_id AND a.action = 'audit_archived' AND a.outcome = 'allowed'
          AND a.details ->> 'stage' = 'finished'
          AND lower(a.details ->> 'file_sha256') = encode(NEW.file_sha256, 'hex')
          AND (a.details ->> 'first_id')::bigint = NEW.first_id
          AND (a.details ->> 'last_id')::bigint = NEW.last_id
          AND lower(a.details ->> 'last_hash') = encode(NEW.last_hash, 'hex'))
       OR NOT EXISTS (
        SELECT 1 FROM fc.audit_log a
        WHERE a.id = NEW.begun_audit_id AND a.action = 'audit_archived' AND a.outcome = 'allowed'
          AND a.details ->> 'stage' = 'started') THEN
        RAISE EXCEPTION 'an archive is recorded only by fc_api.audit_archive_finish, with the audit rows '
                        'that began and finished it';
    END IF;
    RETURN NEW;
END;
$$;
REVOKE ALL ON FUNCTION fc.audit_archive_witnessed() FROM PUBLIC;

CREATE TRIGGER audit_archive_witnessed
    BEFORE INSERT ON fc.audit_archive
    FOR EACH ROW EXECUTE FUNCTION fc.audit_archive_witnessed();
