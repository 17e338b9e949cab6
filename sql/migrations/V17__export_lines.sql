-- The audit export at the speed of the database's own COPY: the cursor hands over each row
-- already encoded in the format the export was asked for, so famctx writes what it fetches.
--  * jsonl: one column, the row as one JSON object (row_to_json: the columns in COLUMNS order,
--    occurred_at as RFC 3339 UTC with 0, 3 or 6 fraction digits as fc.audit_instant writes it,
--    hashes in lower-case hex, arrays as arrays, details as the stored JSON).
--  * csv: the 17 cells as text, in COLUMNS order (occurred_at with 6 fraction digits, arrays
--    comma-separated as in the canonical form the hash covers, hashes in hex, absent values
--    empty); famctx quotes them and neutralises spreadsheet formulas.
-- The format is the one recorded in the export's own audit row, so what streams is what the
-- trail says was exported. An entry point: UTC and ISO dates pinned, as V15 pins them. The
-- rows are read as the owner, the caller still holding no
-- privilege on fc.audit_log. Nothing in the statements depends on the session's TimeZone or
-- DateStyle (the FETCHes run outside the function, in the caller's settings).

CREATE OR REPLACE FUNCTION fc_api.audit_export_open(p_ticket uuid)
RETURNS refcursor
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
    d jsonb := fc.audit_stream_ticket(p_ticket, 'audit_exported');
    v_upto bigint := (d ->> 'upto')::bigint;
    v_since timestamptz := (d ->> 'since')::timestamptz;
    v_until timestamptz := (d ->> 'until')::timestamptz;
    v_window text := concat(
        CASE WHEN v_since IS NOT NULL THEN ' AND a.occurred_at >= $2' END,
        CASE WHEN v_until IS NOT NULL THEN ' AND a.occurred_at < $3' END);
    v_format text;
    v_cur refcursor;
BEGIN
    SELECT a.details ->> 'format' INTO v_format FROM fc.audit_log a WHERE a.id = v_upto;
    IF v_format = 'csv' THEN
        OPEN v_cur NO SCROLL FOR EXECUTE
            'SELECT a.id::text, '
            '       to_char(a.occurred_at AT TIME ZONE ''UTC'', ''YYYY-MM-DD"T"HH24:MI:SS.US"Z"''), '
            '       coalesce(a.actor_guid::text, ''''), coalesce(a.actor_account, ''''), a.channel, '
            '       coalesce(a.client_host, ''''), a.action, a.outcome, '
            '       coalesce(a.subject_person::text, ''''), array_to_string(a.persons_disclosed, '',''), '
            '       array_to_string(a.sources_disclosed, '',''), coalesce(a.target_user, ''''), '
            '       coalesce(a.target_guid::text, ''''), coalesce(a.reason, ''''), a.details::text, '
            '       encode(a.prev_hash, ''hex''), encode(a.row_hash, ''hex'') '
            'FROM fc.audit_log a WHERE a.id <= $1' || v_window || ' ORDER BY a.id'
        USING v_upto, v_since, v_until;
    ELSE
        -- fc.audit_instant written inline: a function with settings of its own is never
        -- inlined, and a call per row would cost more than the rest of the row.
        OPEN v_cur NO SCROLL FOR EXECUTE
            'SELECT row_to_json(r)::text FROM ('
            '  SELECT a.id, '
            '         to_char(a.occurred_at AT TIME ZONE ''UTC'', ''YYYY-MM-DD"T"HH24:MI:SS'') '
            '         || CASE WHEN u.us = 0 THEN '''' '
            '                 WHEN u.us % 1000 = 0 THEN ''.'' || lpad((u.us / 1000)::text, 3, ''0'') '
            '                 ELSE ''.'' || lpad(u.us::text, 6, ''0'') END || ''Z'' AS occurred_at, '
            '         a.actor_guid, a.actor_account, a.channel, a.client_host, a.action, a.outcome, '
            '         a.subject_person, a.persons_disclosed, a.sources_disclosed, a.target_user, '
            '         a.target_guid, a.reason, a.details, encode(a.prev_hash, ''hex'') AS prev_hash, '
            '         encode(a.row_hash, ''hex'') AS row_hash '
            '  FROM fc.audit_log a '
            '  CROSS JOIN LATERAL (SELECT extract(microseconds FROM a.occurred_at AT TIME ZONE ''UTC'')'
            '                             ::bigint % 1000000 AS us) u '
            '  WHERE a.id <= $1' || v_window || ') r ORDER BY r.id'
        USING v_upto, v_since, v_until;
    END IF;
    RETURN v_cur;
END;
$$;
