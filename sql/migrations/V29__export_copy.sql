-- The JSON-lines export through COPY, at the speed of psql's \copy of the same statement.
--
-- Why: a FETCH sent as a statement is run to the end of its batch before its first row leaves
-- the server, and the server waits while the client writes; the same statement under COPY is
-- sent row by row as it is read. At 1M rows the cursor gave 71-77k rows a second against
-- 107-123k for \copy (BENCHMARKS.md, 2026-12-03 evening).
--
-- How, with operators still reading no table:
--  * fc_api.audit_export_copy(ticket) takes the ticket of a committed audit_exported row, as
--    fc_api.audit_export_open does (its own role, within 15 minutes, an allowed export; taken by
--    the transaction that presents it, so a transaction that rolls back leaves it to be
--    presented again, for the same rows its audit row records), and opens the export's gate for
--    the caller's current transaction: a row of fc.audit_export_gate naming the transaction, the
--    role, the moment and the export's range (up to its own audit row, within its window). The
--    rows are kept: those of committed transactions record every export stream opened.
--  * fc_api.audit_export_lines, a security-barrier view, is the V24 export statement (every
--    column, basis and break-glass mark included) with its range read from the gate of the
--    caller's own transaction, opened by the caller's own role since that transaction began
--    (fc.audit_export_range). With no such gate it has no rows: for any other role, session or
--    transaction, and for a transaction that took no ticket. A gate row carried into another
--    cluster (a restore) cannot open a transaction there that reuses its id: it was opened
--    before that transaction began. Only fc_api.audit_export_copy writes the gate, and only
--    after the export's own audit row has committed. Auditors and the trusted service may read
--    the view; no other operator may name it.
--  * The caller then runs COPY (SELECT line FROM fc_api.audit_export_lines) TO STDOUT in the same
--    transaction. The rows leave in id order as they are read, from the first one: the function
--    turns sorting off for the rest of the transaction, so the planner merges each month's
--    primary key rather than sorting the whole export first. Users' conditions on the view run
--    only on rows the gate let through (security_barrier), so no function of theirs sees a row
--    outside the export.
-- CSV exports keep the cursor of fc_api.audit_export_open: famctx rewrites their cells (formula
-- neutralising) one by one anyway. audit_export_copy refuses a ticket of a CSV export.
--
-- Nothing in the view depends on the session's settings: occurred_at is converted AT TIME ZONE
-- 'UTC' and formatted by to_char, hashes by encode, the rest by their types' own output.

CREATE TABLE fc.audit_export_gate (
    xid        xid8 PRIMARY KEY,
    upto       bigint NOT NULL,
    since      timestamptz,
    until      timestamptz,
    db_role    name NOT NULL DEFAULT session_user,
    opened_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
REVOKE ALL ON fc.audit_export_gate FROM PUBLIC;

-- The range of the export open in the caller's transaction, if one is: its gate row, for this
-- transaction id, opened by this session's role since the transaction began. Read by the view
-- once for each bound of the range, before the scan, in the leader: pg_current_xact_id_if_assigned
-- is marked parallel unsafe, and one unsafe call anywhere in a statement keeps the whole
-- statement from parallel workers.
CREATE FUNCTION fc.audit_export_range(OUT upto bigint, OUT since timestamptz, OUT until timestamptz)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    SELECT g.upto, g.since, g.until INTO upto, since, until
    FROM fc.audit_export_gate g
    WHERE g.xid = pg_current_xact_id_if_assigned() AND g.db_role = session_user
      AND g.opened_at >= now();
END;
$$;
REVOKE ALL ON FUNCTION fc.audit_export_range() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fc.audit_export_range() TO famctx_auditors, famctx_service;

-- The ticket of a committed JSON-lines export -> the id of the export's own audit row (the last
-- row the view gives); the view gives the export's rows until this transaction ends.
CREATE FUNCTION fc_api.audit_export_copy(p_ticket uuid)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
    d jsonb := fc.audit_stream_ticket(p_ticket, 'audit_exported');
    v_upto bigint := (d ->> 'upto')::bigint;
    v_format text;
BEGIN
    SELECT a.details ->> 'format' INTO v_format FROM fc.audit_log a WHERE a.id = v_upto;
    IF v_format = 'csv' THEN
        RAISE EXCEPTION 'export % was asked for as csv: open it with fc_api.audit_export_open', p_ticket
            USING ERRCODE = 'FCUSE';
    END IF;
    IF EXISTS (SELECT 1 FROM fc.audit_export_gate g WHERE g.xid = pg_current_xact_id()) THEN
        RAISE EXCEPTION 'an export is open in this transaction already: one export a transaction; '
                        'commit, then open the next' USING ERRCODE = 'FCUSE';
    END IF;
    INSERT INTO fc.audit_export_gate (xid, upto, since, until)
    VALUES (pg_current_xact_id(), v_upto, (d ->> 'since')::timestamptz, (d ->> 'until')::timestamptz);
    -- For the rest of this transaction (not a setting of this function, so it outlives the
    -- call): the planner prices a sort out, and merges each month's primary key in id order.
    -- A sort is about 15% quicker in all, but it sends nothing before the whole export is
    -- sorted, and it spools the export to temporary files on the server.
    PERFORM set_config('enable_sort', 'off', true);
    RETURN v_upto;
END;
$$;

-- fc.audit_instant written inline, as in V17: a function with settings of its own is never
-- inlined. Each bound of the range is one scalar subquery, evaluated once before the scan.
CREATE VIEW fc_api.audit_export_lines WITH (security_barrier) AS
SELECT row_to_json(r)::text AS line
FROM (
    SELECT a.id,
           to_char(a.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
           || CASE WHEN u.us = 0 THEN ''
                   WHEN u.us % 1000 = 0 THEN '.' || lpad((u.us / 1000)::text, 3, '0')
                   ELSE '.' || lpad(u.us::text, 6, '0') END || 'Z' AS occurred_at,
           a.actor_guid, a.actor_account, a.channel, a.client_host, a.action, a.outcome,
           a.subject_person, a.persons_disclosed, a.sources_disclosed, a.target_user,
           a.target_guid, a.reason, a.details, encode(a.prev_hash, 'hex') AS prev_hash,
           encode(a.row_hash, 'hex') AS row_hash, a.basis, a.break_glass
    FROM fc.audit_log a
    CROSS JOIN LATERAL (SELECT extract(microseconds FROM a.occurred_at AT TIME ZONE 'UTC')::bigint
                               % 1000000 AS us) u
    WHERE a.id <= (SELECT g.upto FROM fc.audit_export_range() g)
      AND a.occurred_at >= coalesce((SELECT g.since FROM fc.audit_export_range() g), '-infinity')
      AND a.occurred_at < coalesce((SELECT g.until FROM fc.audit_export_range() g), 'infinity')
) r
ORDER BY r.id;
REVOKE ALL ON fc_api.audit_export_lines FROM PUBLIC;
GRANT SELECT ON fc_api.audit_export_lines TO famctx_auditors, famctx_service;
