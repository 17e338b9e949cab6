-- What the application role (famctx_app, also used by the API) may do: read
-- the family context data, call the shared functions, read the audit trail.
-- It owns nothing, cannot write the audit table directly, and reaches users
-- and grants only through functions.

REVOKE ALL ON ALL TABLES IN SCHEMA fc FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA fc FROM PUBLIC;
REVOKE ALL ON SCHEMA fc FROM PUBLIC;

GRANT USAGE ON SCHEMA fc TO famctx_app;
GRANT SELECT ON fc.data_source, fc.person, fc.relationship, fc.school_record,
    fc.childrens_social_care_record, fc.adult_social_care_record, fc.housing_record,
    fc.police_record, fc.load_run, fc.load_manifest, fc.audit_action, fc.audit_log
    TO famctx_app;
GRANT EXECUTE ON FUNCTION
    fc.register_user(uuid, text, text),
    fc.current_grants(uuid),
    fc.may_see(uuid, text),
    fc.audit_write(uuid, text, text, text, text, text, bigint, bigint[], text[], text, uuid, text, jsonb)
    TO famctx_app;
