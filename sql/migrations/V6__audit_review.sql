-- Indexes for audit review (`famctx audit search`), so that a search over
-- millions of audit rows answers in milliseconds. Checked with EXPLAIN
-- ANALYZE on 2 million synthetic rows; V3's indexes already serve:
--   --person  persons_disclosed @> ARRAY[id] OR subject_person = id: a
--             BitmapOr of audit_log_disclosed_idx (GIN) and
--             audit_log_subject_idx. famctx fences that match in a
--             MATERIALIZED CTE: the planner cannot estimate one person's share
--             of an array column and would otherwise walk occurred_at
--             backwards testing every row (0.9 s on 2M rows, against 1 ms).
--   --actor   audit_log_actor_idx (lower(actor_account), occurred_at), read
--             backwards for newest first.
--   --since/--until alone: audit_log_occurred_idx.
-- Missing were the filters on a rare value, where newest-first by time finds
-- few or no matches and reads the whole table (270 ms on 2M rows, seconds on
-- 10M): a rarely used action (permission_revoked) and the refused outcomes.
-- The second index holds only the rows not allowed, a few percent.
--
-- Each index is one more entry per audit write, made under the chain's lock.
-- Built in the migration's transaction, they hold off audit writes (so every
-- command) while they build: about a second a million rows here. On a large
-- trail, build them first with CREATE INDEX CONCURRENTLY under these names;
-- IF NOT EXISTS then leaves them be.

CREATE INDEX IF NOT EXISTS audit_log_action_idx ON fc.audit_log (action, occurred_at);
CREATE INDEX IF NOT EXISTS audit_log_refused_idx ON fc.audit_log (outcome, occurred_at)
    WHERE outcome <> 'allowed';
