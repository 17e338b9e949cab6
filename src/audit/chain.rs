//! The hash chain: verifying it, and printing its head as a checkpoint.

use super::*;
use crate::progress::Progress;

/// A trail longer than this shows the progress of its verification (a terminal only).
const VERIFY_PROGRESS_OVER: i64 = 10_000;

/// The head of the chain at one moment.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Checkpoint {
    pub id: i64,
    pub hash: String,
    pub occurred_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct Verification {
    pub rows_checked: i64,
    pub intact: bool,
    pub first_broken_row: Option<i64>,
    pub problem: Option<String>,
    pub head: Option<Checkpoint>,
    pub checkpoint_checked: Option<i64>,
}

pub(crate) fn verify_command(
    ctx: &Context,
    checkpoint: Option<&PathBuf>,
    basis: &Basis,
) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json])?;
    let saved = checkpoint.map(read_checkpoint).transpose()?;
    // fc_api.audit_verify writes and commits the audit row (audit_verified, with the
    // checkpoint) first; then fc_api.audit_verify_open streams every row before it, and the
    // chain is recomputed here, independently of the database's own hashing.
    let mut door = auditor_door(ctx, basis, Action::AuditVerified)?;
    let mut verifier = Verifier::new(saved.as_ref());
    let progress = std::cell::OnceCell::new();
    door.stream_counted(
        "audit_verify",
        json!({ "checkpoint": saved }),
        "audit_verify_open",
        VERIFY_BATCH,
        // The rows before the verification's own audit row: ids are gapless from 1.
        |recorded| {
            let _ = progress.set(match recorded.filter(|id| *id > VERIFY_PROGRESS_OVER) {
                Some(rows) => Progress::bar("verifying", (rows - 1) as u64),
                None => Progress::none(),
            });
        },
        |rows| {
            for r in rows {
                verifier.feed(r);
            }
            if let Some(p) = progress.get() {
                p.inc(rows.len() as u64);
            }
            Ok(())
        },
    )?;
    if let Some(p) = progress.get() {
        p.finish();
    }
    let report = verifier.finish();
    let shown = if out.format == Format::Json {
        out.json(&report)
    } else {
        let mut t = Table::new(["rows checked", "result", "first broken row", "problem"]);
        t.row([
            report.rows_checked.to_string(),
            if report.intact { "intact" } else { "BROKEN" }.to_string(),
            report
                .first_broken_row
                .map(|i| i.to_string())
                .unwrap_or_default(),
            report.problem.clone().unwrap_or_default(),
        ]);
        out.table(&t)
    };
    crate::output::reader_gone_ok(shown)?;
    if report.intact {
        Ok(code::SUCCESS)
    } else {
        Err(Error::Audit(format!(
            "the audit trail does not verify: row {}: {}",
            report.first_broken_row.unwrap_or(0),
            report.problem.unwrap_or_default()
        )))
    }
}

pub(crate) fn checkpoint_command(ctx: &Context, basis: &Basis) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json])?;
    // fc_api.audit_checkpoint reads the head (the newest row before its own) and writes the
    // audit row (audit_checkpointed, with the head) before disclosing it; an empty trail is
    // not found.
    let mut door = auditor_door(ctx, basis, Action::AuditCheckpointed)?;
    let mut doc = door.call("audit_checkpoint", json!({}))?;
    let head: Checkpoint = part(&mut doc, "head")?;
    if out.format == Format::Json {
        out.json(&head)?;
    } else {
        let mut t = Table::new(["id", "hash", "occurred at"]);
        t.row([
            head.id.to_string(),
            head.hash.clone(),
            head.occurred_at.to_rfc3339(),
        ]);
        out.table(&t)?;
    }
    Ok(code::SUCCESS)
}

pub(crate) fn read_checkpoint(path: &PathBuf) -> Result<Checkpoint> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Usage(format!("cannot read checkpoint {}: {e}", path.display())))?;
    let cp: Checkpoint = serde_json::from_str(&text).map_err(|e| {
        Error::Usage(format!(
            "checkpoint {} is not a checkpoint written by `famctx audit checkpoint -o json`: {e}",
            path.display()
        ))
    })?;
    if cp.id < 1 || hex::decode(&cp.hash).map(|h| h.len()) != Ok(32) {
        return Err(Error::Usage(format!(
            "checkpoint {} has a bad id or hash",
            path.display()
        )));
    }
    Ok(cp)
}

/// Recomputes the chain row by row, in id order, as the rows arrive: each row's number, its
/// link to the previous row and its hash; and, given a checkpoint, that the checkpoint's row
/// is there with the same hash. The first break ends the check (later rows are ignored).
/// Rows as `fc_api.audit_verify_open` returns them: id, occurred_at, the 14 canonical fields
/// from the time (in microseconds) to the details, prev_hash, row_hash, basis, break_glass.
pub struct Verifier<'a> {
    saved: Option<&'a Checkpoint>,
    report: Verification,
    prev: Vec<u8>,
    expected: i64,
}

impl<'a> Verifier<'a> {
    pub fn new(saved: Option<&'a Checkpoint>) -> Verifier<'a> {
        Verifier {
            saved,
            report: Verification {
                rows_checked: 0,
                intact: true,
                first_broken_row: None,
                problem: None,
                head: None,
                checkpoint_checked: None,
            },
            prev: vec![0u8; 32],
            expected: 1,
        }
    }

    fn broken(&mut self, id: i64, problem: String) {
        self.report.intact = false;
        self.report.first_broken_row = Some(id);
        self.report.problem = Some(problem);
    }

    /// Checks the next row.
    pub fn feed(&mut self, row: &Row) {
        if !self.report.intact {
            return;
        }
        let id: i64 = row.get(0);
        let stored_prev: Vec<u8> = row.get(16);
        let stored: Vec<u8> = row.get(17);
        let expected = self.expected;
        if id != expected {
            self.broken(
                expected,
                format!("row {expected} is missing (the next row is {id}): rows were deleted"),
            );
            return;
        }
        if stored_prev != self.prev {
            self.broken(
                id,
                format!(
                    "its previous-hash does not match row {}: the chain was cut or reordered",
                    id - 1
                ),
            );
            return;
        }
        let fields: Vec<Option<String>> = (2..16).map(|i| row.get(i)).collect();
        let tags = Tags {
            basis: row.get(18),
            break_glass: row.get(19),
        };
        let computed = row_hash(&self.prev, &id.to_string(), &fields, &tags);
        if computed != stored {
            self.broken(
                id,
                "its content does not match its hash: the row was changed after it was written"
                    .into(),
            );
            return;
        }
        if let Some(cp) = self.saved.filter(|cp| cp.id == id) {
            if hex::encode(&stored) != cp.hash.to_ascii_lowercase() {
                self.broken(id, "its hash differs from the checkpoint: the chain was rewritten since the checkpoint".into());
                return;
            }
            self.report.checkpoint_checked = Some(id);
        }
        self.report.head = Some(Checkpoint {
            id,
            hash: hex::encode(&stored),
            occurred_at: row.get(1),
        });
        self.report.rows_checked += 1;
        self.prev = stored;
        self.expected += 1;
    }

    /// The verdict once every row has been fed.
    pub fn finish(mut self) -> Verification {
        if self.report.intact {
            if let Some(cp) = self
                .saved
                .filter(|cp| self.report.checkpoint_checked != Some(cp.id))
            {
                self.broken(
                    cp.id,
                    "the checkpoint's row is missing: the trail was truncated since the checkpoint"
                        .into(),
                );
            }
        }
        self.report
    }
}

/// The facts of a row written as tagged lines after its 15 fields (V21), each only when set, so
/// that a row without them keeps the bytes it was written with.
#[derive(Debug, Default, Clone)]
pub struct Tags {
    pub basis: Option<String>,
    pub break_glass: bool,
}

/// sha256(previous hash || canonical bytes), the canonical bytes being each
/// field as `<octet length>:<text>` or `-` for NULL, one a line, then the tags
/// (`basis=<octet length>:<code>` and `break_glass=4:true`, each only when set); the same
/// definition as `fc.audit_canonical` (sql/migrations/V3__audit.sql; V16 writes the same bytes
/// as one inlinable expression, V21 adds the tags).
pub fn row_hash(prev: &[u8], id: &str, fields: &[Option<String>], tags: &Tags) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(prev);
    for f in std::iter::once(Some(id)).chain(fields.iter().map(|f| f.as_deref())) {
        match f {
            None => h.update(b"-"),
            Some(v) => {
                h.update(v.len().to_string().as_bytes());
                h.update(b":");
                h.update(v.as_bytes());
            }
        }
        h.update(b"\n");
    }
    if let Some(basis) = &tags.basis {
        h.update(format!("basis={}:{basis}\n", basis.len()).as_bytes());
    }
    if tags.break_glass {
        h.update(b"break_glass=4:true\n");
    }
    h.finalize().to_vec()
}
