-- The append-only, hash-chained audit trail. One function writes it; nothing
-- else may. Rows are numbered without gaps and each row's hash covers its
-- canonical content and the previous row's hash.

CREATE TABLE fc.audit_action (
    code         text PRIMARY KEY,
    description  text NOT NULL
);

INSERT INTO fc.audit_action (code, description) VALUES
    ('searched', 'searched for persons'),
    ('viewed_in_results', 'viewed persons in search results'),
    ('viewed_basic_details_and_flags', 'viewed basic details and service flags'),
    ('viewed_family', 'viewed a family with service summaries and details'),
    ('viewed_service_details', 'viewed the details of one service'),
    ('identity_viewed', 'viewed own identity, roles and grants'),
    ('sources_listed', 'listed the data sources'),
    ('permission_granted', 'granted a data source to a user'),
    ('permission_extended', 'extended an existing grant'),
    ('permission_revoked', 'revoked a grant'),
    ('permission_listed', 'listed grants'),
    ('permission_reviewed', 'reviewed grants for recertification'),
    ('permission_applied', 'applied a bulk permission file'),
    ('audit_searched', 'searched the audit trail'),
    ('audit_reported', 'produced a person access report'),
    ('audit_exported', 'exported the audit trail'),
    ('audit_stats', 'summarised the audit trail'),
    ('audit_verified', 'verified the audit hash chain'),
    ('audit_checkpointed', 'printed the audit chain head'),
    ('mdm_validated', 'validated an MDM load'),
    ('mdm_loads_listed', 'listed MDM load runs'),
    ('schema_migrated', 'applied database migrations');

CREATE TABLE fc.audit_log (
    id                 bigint PRIMARY KEY CHECK (id > 0),
    occurred_at        timestamptz NOT NULL,
    actor_guid         uuid,
    actor_account      text,
    channel            text NOT NULL CHECK (channel IN ('cli', 'api', 'db')),
    client_host        text,
    action             text NOT NULL REFERENCES fc.audit_action (code),
    outcome            text NOT NULL CHECK (outcome IN ('allowed', 'denied', 'not_found', 'error')),
    subject_person     bigint,
    persons_disclosed  bigint[] NOT NULL DEFAULT '{}',
    sources_disclosed  text[] NOT NULL DEFAULT '{}',
    target_user        text,
    target_guid        uuid,
    reason             text,
    details            jsonb NOT NULL DEFAULT '{}',
    prev_hash          bytea NOT NULL CHECK (octet_length(prev_hash) = 32),
    row_hash           bytea NOT NULL CHECK (octet_length(row_hash) = 32)
);
CREATE INDEX audit_log_occurred_idx ON fc.audit_log (occurred_at);
CREATE INDEX audit_log_actor_idx ON fc.audit_log (lower(actor_account), occurred_at);
CREATE INDEX audit_log_subject_idx ON fc.audit_log (subject_person) WHERE subject_person IS NOT NULL;
CREATE INDEX audit_log_disclosed_idx ON fc.audit_log USING gin (persons_disclosed);

-- Canonical bytes of a row, the input of its hash. famctx recomputes the same
-- bytes independently in `audit verify`: each field is written as
-- <octet length>:<text> (or '-' for NULL) followed by a newline, in this order.
CREATE FUNCTION fc.audit_canonical(
    p_id bigint, p_occurred_at timestamptz, p_actor_guid uuid, p_actor_account text,
    p_channel text, p_client_host text, p_action text, p_outcome text,
    p_subject_person bigint, p_persons bigint[], p_sources text[], p_target_user text,
    p_target_guid uuid, p_reason text, p_details jsonb)
RETURNS bytea
LANGUAGE sql IMMUTABLE SET search_path = fc, pg_temp
AS $$
    SELECT convert_to(string_agg(
        CASE WHEN f.v IS NULL THEN '-' ELSE octet_length(convert_to(f.v, 'UTF8'))::text || ':' || f.v END
        || E'\n', '' ORDER BY f.n), 'UTF8')
    FROM (VALUES
        (1, p_id::text),
        (2, (extract(epoch FROM p_occurred_at) * 1000000)::bigint::text),
        (3, p_actor_guid::text),
        (4, p_actor_account),
        (5, p_channel),
        (6, p_client_host),
        (7, p_action),
        (8, p_outcome),
        (9, p_subject_person::text),
        (10, array_to_string(p_persons, ',')),
        (11, array_to_string(p_sources, ',')),
        (12, p_target_user),
        (13, p_target_guid::text),
        (14, p_reason),
        (15, p_details::text)
    ) AS f (n, v);
$$;

-- The only way in. Writers are serialised by a transaction-scoped advisory
-- lock held until commit, so ids are assigned and committed in the same order:
-- the chain cannot fork, and a rolled-back writer leaves no gap.
CREATE FUNCTION fc.audit_write(
    p_actor_guid uuid, p_actor_account text, p_channel text, p_client_host text,
    p_action text, p_outcome text, p_subject_person bigint, p_persons bigint[],
    p_sources text[], p_target_user text, p_target_guid uuid, p_reason text,
    p_details jsonb)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = fc, pg_temp
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
            current_setting('transaction_isolation');
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('fc.audit_log chain', 0));
    -- A new statement after the lock: its snapshot sees the last committed head.
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
    RETURN v_id;
END;
$$;

CREATE FUNCTION fc.audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % refused', TG_OP;
END;
$$;

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON fc.audit_log
    FOR EACH ROW EXECUTE FUNCTION fc.audit_refuse_change();
CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON fc.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION fc.audit_refuse_change();
