//! The hash chain: verifying it (in the database, from the last archive on, or in an archive
//! file), and printing its head as a checkpoint.

use super::*;
use crate::progress::Progress;

/// A trail longer than this shows the progress of its verification (a terminal only).
const VERIFY_PROGRESS_OVER: i64 = 10_000;

/// The previous hash of the first row of the chain.
pub(crate) const ZERO_HASH: [u8; 32] = [0u8; 32];

/// The head of the chain at one moment.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Checkpoint {
    pub id: i64,
    pub hash: String,
    pub occurred_at: DateTime<Utc>,
}

/// An archive as the database recorded it (`fc.audit_archive`): the months it took away, its
/// rows, the hashes at both ends and its file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ArchiveRecord {
    pub id: i64,
    /// The first month kept (YYYY-MM-DD, a 1st).
    pub before: String,
    pub months: Vec<String>,
    pub rows: i64,
    pub first_id: i64,
    pub last_id: i64,
    pub first_prev_hash: String,
    pub last_hash: String,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
    pub file_name: String,
    pub file_sha256: String,
    pub archived_at: DateTime<Utc>,
    pub archived_by: String,
    pub audit_id: i64,
}

impl ArchiveRecord {
    /// "archive 2 (2019-12 to 2020-11)"
    pub(crate) fn label(&self) -> String {
        match (self.months.first(), self.months.last()) {
            (Some(a), Some(b)) if a != b => format!("archive {} ({a} to {b})", self.id),
            (Some(a), _) => format!("archive {} ({a})", self.id),
            _ => format!("archive {}", self.id),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Verification {
    pub rows_checked: i64,
    pub intact: bool,
    pub first_broken_row: Option<i64>,
    pub problem: Option<String>,
    pub head: Option<Checkpoint>,
    pub checkpoint_checked: Option<i64>,
    /// The archive the chain in the database starts from (its last hash is the first remaining
    /// row's previous hash); none when nothing was archived, and for a file.
    pub started_from: Option<ArchiveRecord>,
    /// Every archive the database recorded, oldest first; each must continue the one before.
    pub archives: Vec<ArchiveRecord>,
    /// The checkpoint's row is in this archive: check it against the archive's file.
    pub checkpoint_in_archive: Option<i64>,
    /// `verify --archive FILE`: the file, its sidecar and the database's record of it.
    pub file: Option<super::archive::FileReport>,
}

/// The request's document (collected once its audit row has committed): the last row before the
/// request, the archives, and the ticket of the rows' stream.
#[derive(Debug, Deserialize)]
struct VerifyDocument {
    upto: i64,
    archives: Vec<ArchiveRecord>,
    stream_ticket: Uuid,
}

pub(crate) fn verify_command(
    ctx: &Context,
    checkpoint: Option<&PathBuf>,
    archive: Option<&PathBuf>,
    offline: bool,
    basis: &Basis,
) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json])?;
    let saved = checkpoint.map(read_checkpoint).transpose()?;
    if let Some(file) = archive {
        let report = super::archive::verify_file(ctx, file, saved.as_ref(), offline, basis)?;
        return report_verification(&mut out, report);
    }
    if offline {
        return Err(Error::Usage(
            "--offline checks an archive file alone: give --archive FILE".into(),
        ));
    }
    // fc_api.audit_verify writes and commits the audit row (audit_verified, with the
    // checkpoint) first and discloses the archives; then fc_api.audit_verify_open streams every
    // row before that audit row, and the chain is recomputed here, independently of the
    // database's own hashing, from where the last archive ended.
    let mut door = auditor_door(ctx, basis, Action::AuditVerified)?;
    let doc: VerifyDocument = door.call_as("audit_verify", json!({ "checkpoint": saved }))?;
    let mut verifier = Verifier::from_archives(saved.as_ref(), &doc.archives);
    let to_check = doc.upto - doc.archives.last().map_or(0, |a| a.last_id);
    let progress = if to_check > VERIFY_PROGRESS_OVER {
        Progress::bar("verifying", to_check.max(0) as u64)
    } else {
        Progress::none()
    };
    door.cursor(
        "audit_verify_open",
        doc.stream_ticket,
        VERIFY_BATCH,
        |rows| {
            for r in rows {
                verifier.feed(r);
            }
            progress.inc(rows.len() as u64);
            Ok(())
        },
    )?;
    progress.finish();
    report_verification(&mut out, verifier.finish())
}

/// Prints a verification and turns a broken chain into the audit-integrity error.
pub(crate) fn report_verification(out: &mut Output, report: Verification) -> Result<u8> {
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
        let mut shown = out.table(&t);
        if shown.is_ok() && !report.archives.is_empty() {
            shown = archives_table(out, &report.archives);
        }
        if shown.is_ok() {
            if let Some(f) = &report.file {
                shown = super::archive::file_table(out, f);
            }
        }
        shown
    };
    crate::output::reader_gone_ok(shown)?;
    if let (Some(archive), true) = (report.checkpoint_in_archive, report.intact) {
        eprintln!(
            "famctx: the checkpoint's row is in archive {archive}, no longer in the database: check \
             it with `famctx audit verify --archive FILE --checkpoint ...` on that archive's file"
        );
    }
    if report.intact {
        Ok(code::SUCCESS)
    } else {
        Err(Error::Audit(format!(
            "{} does not verify: {}{}",
            if report.file.is_some() {
                "the archive file"
            } else {
                "the audit trail"
            },
            report
                .first_broken_row
                .map(|r| format!("row {r}: "))
                .unwrap_or_default(),
            report.problem.unwrap_or_default()
        )))
    }
}

fn archives_table(out: &mut Output, archives: &[ArchiveRecord]) -> Result<()> {
    out.heading("Archived (the chain in the database goes on from the last)")?;
    let mut t = Table::new([
        "archive",
        "months",
        "rows",
        "ids",
        "last hash",
        "file",
        "archived",
    ]);
    t.shorten("last hash", 16);
    for a in archives {
        t.row([
            a.id.to_string(),
            match (a.months.first(), a.months.last()) {
                (Some(x), Some(y)) if x != y => format!("{x} to {y}"),
                (Some(x), _) => x.clone(),
                _ => String::new(),
            },
            a.rows.to_string(),
            format!("{}-{}", a.first_id, a.last_id),
            a.last_hash.clone(),
            a.file_name.clone(),
            format!(
                "{} by {}",
                a.archived_at.to_rfc3339_opts(SecondsFormat::Secs, true),
                a.archived_by
            ),
        ]);
    }
    out.table(&t)
}

pub(crate) fn checkpoint_command(ctx: &Context, basis: &Basis) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json])?;
    // fc_api.audit_checkpoint makes the months ahead, reads the head (the newest row before its
    // own) and writes the audit row (audit_checkpointed, with the head) before disclosing it; an
    // empty trail is not found.
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

/// One row of the chain, wherever it was read: its id and time, the 14 canonical fields from
/// the time (in microseconds) to the details, the stored hashes, and the tags.
pub struct ChainRow {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub fields: Vec<Option<String>>,
    pub prev_hash: Vec<u8>,
    pub row_hash: Vec<u8>,
    pub tags: Tags,
}

impl ChainRow {
    /// A row as `fc_api.audit_verify_open` returns it: id, occurred_at, the 14 canonical fields,
    /// prev_hash, row_hash, basis, break_glass.
    fn from_row(row: &Row) -> ChainRow {
        ChainRow {
            id: row.get(0),
            occurred_at: row.get(1),
            fields: (2..16).map(|i| row.get(i)).collect(),
            prev_hash: row.get(16),
            row_hash: row.get(17),
            tags: Tags {
                basis: row.get(18),
                break_glass: row.get(19),
            },
        }
    }
}

/// Where a chain being checked starts: the id its first row must have, the previous hash it
/// must carry, and what set them (for the message when it does not).
pub(crate) struct Start {
    pub id: i64,
    pub prev: Vec<u8>,
    pub what: String,
}

/// Recomputes the chain row by row, in id order, as the rows arrive: each row's number, its
/// link to the previous row and its hash; and, given a checkpoint, that the checkpoint's row
/// is there with the same hash. The first break ends the check (later rows are ignored).
pub struct Verifier<'a> {
    saved: Option<&'a Checkpoint>,
    report: Verification,
    prev: Vec<u8>,
    expected: i64,
    start: Option<Start>,
    /// The archives whose own finishing audit row is still in the database, by that row's id:
    /// the row must say what the record says.
    witnesses: std::collections::HashMap<i64, ArchiveRecord>,
}

impl<'a> Verifier<'a> {
    pub fn new(saved: Option<&'a Checkpoint>) -> Verifier<'a> {
        Verifier::starting(saved, None)
    }

    pub(crate) fn starting(saved: Option<&'a Checkpoint>, start: Option<Start>) -> Verifier<'a> {
        let (prev, expected) = match &start {
            Some(s) => (s.prev.clone(), s.id),
            None => (ZERO_HASH.to_vec(), 1),
        };
        Verifier {
            saved,
            report: Verification {
                rows_checked: 0,
                intact: true,
                first_broken_row: None,
                problem: None,
                head: None,
                checkpoint_checked: None,
                started_from: None,
                archives: Vec::new(),
                checkpoint_in_archive: None,
                file: None,
            },
            prev,
            expected,
            start,
            witnesses: std::collections::HashMap::new(),
        }
    }

    /// The chain in the database: it goes on from the last archive, and the archives continue
    /// one another from row 1.
    fn from_archives(saved: Option<&'a Checkpoint>, archives: &[ArchiveRecord]) -> Verifier<'a> {
        let start = archives.last().map(|a| Start {
            id: a.last_id + 1,
            prev: hex::decode(&a.last_hash).unwrap_or_default(),
            what: a.label(),
        });
        let mut v = Verifier::starting(saved, start);
        let kept_from = archives.last().map_or(1, |a| a.last_id + 1);
        v.witnesses = archives
            .iter()
            .filter(|a| a.audit_id >= kept_from)
            .map(|a| (a.audit_id, a.clone()))
            .collect();
        v.report.archives = archives.to_vec();
        v.report.started_from = archives.last().cloned();
        let mut before: Option<&ArchiveRecord> = None;
        for a in archives {
            let (id, prev) = before.map_or((1, hex::encode(ZERO_HASH)), |b| {
                (b.last_id + 1, b.last_hash.clone())
            });
            if a.first_id != id || !a.first_prev_hash.eq_ignore_ascii_case(&prev) {
                v.broken(
                    a.first_id,
                    format!(
                        "{} does not continue {}: it should start at row {id} with the previous hash {}",
                        a.label(),
                        before.map_or("the start of the chain".to_string(), |b| b.label()),
                        &prev[..16]
                    ),
                );
                break;
            }
            before = Some(a);
        }
        if let (Some(cp), Some(last)) = (saved, archives.last()) {
            if cp.id == last.last_id && v.report.intact {
                if cp.hash.eq_ignore_ascii_case(&last.last_hash) {
                    v.report.checkpoint_checked = Some(cp.id);
                } else {
                    v.broken(
                        cp.id,
                        format!(
                            "its hash in {} differs from the checkpoint: the chain was rewritten since the checkpoint",
                            last.label()
                        ),
                    );
                }
            } else if cp.id < last.last_id {
                v.report.checkpoint_in_archive = archives
                    .iter()
                    .find(|a| (a.first_id..=a.last_id).contains(&cp.id))
                    .map(|a| a.id);
            }
        }
        v
    }

    fn broken(&mut self, id: i64, problem: String) {
        self.report.intact = false;
        self.report.first_broken_row = Some(id);
        self.report.problem = Some(problem);
    }

    /// Whether no break has been found so far.
    pub fn intact(&self) -> bool {
        self.report.intact
    }

    /// Records a break found outside the rows (a file's header, trailer or sidecar), at a row
    /// when there is one to name.
    pub(crate) fn fail(&mut self, id: Option<i64>, problem: String) {
        if self.report.intact {
            self.report.intact = false;
            self.report.first_broken_row = id;
            self.report.problem = Some(problem);
        }
    }

    /// The id the next row must have.
    pub(crate) fn expected(&self) -> i64 {
        self.expected
    }

    /// Checks the next row, as the verification cursor returns it.
    pub fn feed(&mut self, row: &Row) {
        if self.report.intact {
            self.feed_row(&ChainRow::from_row(row));
        }
    }

    /// Checks the next row.
    pub fn feed_row(&mut self, row: &ChainRow) {
        if !self.report.intact {
            return;
        }
        let id = row.id;
        let expected = self.expected;
        let first = self.report.rows_checked == 0;
        if id != expected {
            let problem = match (&self.start, first) {
                (Some(s), true) => format!(
                    "row {expected} is missing: the chain goes on from {}, which ends at row {}, but \
                     the first row is {id}",
                    s.what,
                    expected - 1
                ),
                _ => format!("row {expected} is missing (the next row is {id}): rows were deleted"),
            };
            self.broken(expected, problem);
            return;
        }
        if row.prev_hash != self.prev {
            let problem = match (&self.start, first) {
                (Some(s), true) => format!(
                    "its previous-hash is not the last hash of {}: the chain does not join it",
                    s.what
                ),
                _ => format!(
                    "its previous-hash does not match row {}: the chain was cut or reordered",
                    id - 1
                ),
            };
            self.broken(id, problem);
            return;
        }
        let computed = row_hash(&self.prev, &id.to_string(), &row.fields, &row.tags);
        if computed != row.row_hash {
            self.broken(
                id,
                "its content does not match its hash: the row was changed after it was written"
                    .into(),
            );
            return;
        }
        if let Some(a) = self.witnesses.remove(&id) {
            if let Some(problem) = witness_problem(&a, row) {
                self.broken(id, problem);
                return;
            }
        }
        if let Some(cp) = self.saved.filter(|cp| cp.id == id) {
            if hex::encode(&row.row_hash) != cp.hash.to_ascii_lowercase() {
                self.broken(id, "its hash differs from the checkpoint: the chain was rewritten since the checkpoint".into());
                return;
            }
            self.report.checkpoint_checked = Some(id);
        }
        self.report.head = Some(Checkpoint {
            id,
            hash: hex::encode(&row.row_hash),
            occurred_at: row.occurred_at,
        });
        self.report.rows_checked += 1;
        self.prev = row.row_hash.clone();
        self.expected += 1;
    }

    /// The verdict once every row has been fed.
    pub fn finish(mut self) -> Verification {
        if let Some(a) = self.witnesses.values().min_by_key(|a| a.audit_id).cloned() {
            if self.report.intact {
                self.broken(
                    a.audit_id,
                    format!(
                        "{} names audit row {} as the one that recorded it, and the trail has no such \
                         row: the archive was recorded outside famctx audit archive",
                        a.label(),
                        a.audit_id
                    ),
                );
            }
        }
        if self.report.intact {
            if let Some(cp) = self.saved.filter(|cp| {
                self.report.checkpoint_checked != Some(cp.id)
                    && self.report.checkpoint_in_archive.is_none()
            }) {
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

/// Why an archive's finishing audit row (`audit_archived`, stage finished) does not say what
/// the archive's record says, if it does not: a record made any other way than by
/// `fc_api.audit_archive_finish` has no such row in the chain.
fn witness_problem(a: &ArchiveRecord, row: &ChainRow) -> Option<String> {
    let field = |i: usize| row.fields.get(i).cloned().flatten().unwrap_or_default();
    let details: Value = serde_json::from_str(&field(13)).unwrap_or(Value::Null);
    let same = field(5) == "audit_archived"
        && field(6) == "allowed"
        && details["stage"] == "finished"
        && details["file_sha256"]
            .as_str()
            .is_some_and(|h| h.eq_ignore_ascii_case(&a.file_sha256))
        && details["first_id"].as_i64() == Some(a.first_id)
        && details["last_id"].as_i64() == Some(a.last_id)
        && details["last_hash"]
            .as_str()
            .is_some_and(|h| h.eq_ignore_ascii_case(&a.last_hash));
    (!same).then(|| {
        format!(
            "{} names audit row {} as the one that recorded it, and that row does not record \
             this archive (its file, rows or hashes differ): the archive record was made outside \
             famctx audit archive",
            a.label(),
            row.id
        )
    })
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
