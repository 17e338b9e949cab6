//! `audit archive`: whole months of the trail, outside the retention period, written to a file
//! and checked before the database lets them go; and `audit verify --archive FILE`.
//!
//! The file is JSON lines: a header, one line a row (every column, hashes in hex, `details` as
//! PostgreSQL's own jsonb text, the bytes its hash covers), a trailer. Beside it,
//! `FILE.sha256` in `sha256sum` format. Nothing leaves the database before the file is on disk
//! (fsynced, renamed into place, its directory fsynced), read back, and every hash in it
//! recomputed here; the database then checks the figures again and drops the months in the
//! same transaction as it records the archive. An interruption anywhere leaves the months in
//! the database; the next run replaces what the interrupted one left.

use super::*;
use crate::progress::Progress;

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use chain::{ArchiveRecord, ChainRow, Start, Tags, Verification, Verifier};
use serde_json::value::RawValue;

/// The header's `format`, and the trailer's `end`.
pub(crate) const FORMAT: &str = "famctx-audit-archive";
/// The version of the file format.
pub(crate) const VERSION: u32 = 1;
/// Rows fetched from the archive cursor at a time.
const ARCHIVE_BATCH: usize = 5000;

#[derive(Debug, Args)]
pub struct ArchiveArgs {
    /// Archive the whole months before this date's month (YYYY-MM-DD); it must be outside the
    /// retention period (policy audit_retention_months, default 72 months)
    #[arg(long, value_name = "DATE")]
    pub before: String,
    /// Directory to write the archive file and its .sha256 into
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
    /// Why (recorded in the audit trail)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Do not ask for confirmation (needed without a terminal)
    #[arg(long)]
    pub yes: bool,
    #[command(flatten)]
    pub basis: Basis,
}

/// What the database holds before the date, as `fc_api.audit_archive_begin` disclosed it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Facts {
    database: String,
    before: String,
    months: Vec<String>,
    rows: i64,
    first_id: i64,
    last_id: i64,
    first_prev_hash: String,
    last_hash: String,
    first_at: DateTime<Utc>,
    last_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize)]
struct BeginDocument {
    archive: Facts,
    stream_ticket: Uuid,
    audit_id: i64,
}

/// The first line of an archive file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    format: String,
    version: u32,
    database: String,
    /// The first month kept (YYYY-MM-DD, a 1st): the file holds the months before it.
    before: String,
    months: Vec<String>,
    rows: i64,
    first_id: i64,
    last_id: i64,
    first_prev_hash: String,
    first_at: DateTime<Utc>,
    last_at: DateTime<Utc>,
}

/// The last line of an archive file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Trailer {
    end: String,
    rows: i64,
    last_id: i64,
    last_hash: String,
}

/// One row line, as `fc_api.audit_archive_open` writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRow<'a> {
    id: i64,
    occurred_at: String,
    actor_guid: Option<String>,
    actor_account: Option<String>,
    channel: Option<String>,
    client_host: Option<String>,
    action: Option<String>,
    outcome: Option<String>,
    subject_person: Option<i64>,
    persons_disclosed: Vec<i64>,
    sources_disclosed: Vec<String>,
    target_user: Option<String>,
    target_guid: Option<String>,
    reason: Option<String>,
    #[serde(borrow)]
    details: &'a RawValue,
    basis: Option<String>,
    break_glass: bool,
    prev_hash: String,
    row_hash: String,
}

impl FileRow<'_> {
    /// The row's canonical fields, as `fc.audit_canonical` writes them, from the file's text.
    fn chain_row(&self) -> std::result::Result<ChainRow, String> {
        let at = DateTime::parse_from_rfc3339(&self.occurred_at)
            .map_err(|e| {
                format!(
                    "its time {:?} is not an RFC 3339 time: {e}",
                    self.occurred_at
                )
            })?
            .with_timezone(&Utc);
        let hash = |name: &str, v: &str| match hex::decode(v) {
            Ok(h) if h.len() == 32 => Ok(h),
            _ => Err(format!("its {name} is not 64 hex digits")),
        };
        let join = |v: &[String]| v.join(",");
        Ok(ChainRow {
            id: self.id,
            occurred_at: at,
            fields: vec![
                Some(at.timestamp_micros().to_string()),
                self.actor_guid.clone(),
                self.actor_account.clone(),
                self.channel.clone(),
                self.client_host.clone(),
                self.action.clone(),
                self.outcome.clone(),
                self.subject_person.map(|p| p.to_string()),
                Some(
                    self.persons_disclosed
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(","),
                ),
                Some(join(&self.sources_disclosed)),
                self.target_user.clone(),
                self.target_guid.clone(),
                self.reason.clone(),
                Some(self.details.get().to_string()),
            ],
            prev_hash: hash("previous hash", &self.prev_hash)?,
            row_hash: hash("hash", &self.row_hash)?,
            tags: Tags {
                basis: self.basis.clone(),
                break_glass: self.break_glass,
            },
        })
    }
}

/// What `audit verify --archive` found about a file besides its chain.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub path: String,
    pub database: Option<String>,
    pub before: Option<String>,
    pub months: Vec<String>,
    pub rows: Option<i64>,
    pub first_id: Option<i64>,
    pub last_id: Option<i64>,
    pub first_prev_hash: Option<String>,
    pub last_hash: Option<String>,
    pub sha256: String,
    /// `FILE.sha256`: matches, differs or missing.
    pub sidecar: &'static str,
    /// The database's record of the archive: matches, differs, not_recorded or not_checked.
    pub recorded: &'static str,
    pub record: Option<ArchiveRecord>,
}

/// A file read back and checked: the chain of its rows, its header and trailer, its SHA-256
/// and its sidecar.
struct FileCheck {
    verification: Verification,
    header: Option<Header>,
    last_hash: Option<String>,
    sha256: String,
    sidecar: &'static str,
}

// --- audit archive ---------------------------------------------------------

pub(crate) fn archive_command(ctx: &Context, args: &ArchiveArgs) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json])?;
    let before =
        chrono::NaiveDate::parse_from_str(args.before.trim(), "%Y-%m-%d").map_err(|_| {
            Error::Usage(format!(
                "--before {:?} is not a date: use YYYY-MM-DD, e.g. 2020-12-01",
                args.before
            ))
        })?;
    let dir = &args.dir;
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "--dir {} is not a directory: make it first (it should be on storage kept as long as the archives)",
            dir.display()
        )));
    }
    // Refused before anything is asked of the database (the question comes after its figures).
    if !args.yes && !crate::ask::interactive() {
        return Err(Error::Usage(UNATTENDED.into()));
    }
    let retention = retention_months(ctx)?;
    let reason = crate::text::reason(false, args.reason.as_deref())?;
    // fc_api.audit_archive_begin checks the date against the retention period, counts the rows
    // of the months before it and checks that they are one unbroken run of the chain, and writes
    // the audit row (audit_archived, started) before disclosing the figures and the stream.
    let mut door = auditor_door(ctx, &args.basis, Action::AuditArchived)?;
    let begun: BeginDocument = door.call_as(
        "audit_archive_begin",
        json!({ "before": before.format("%Y-%m-%d").to_string(), "reason": reason,
                "retention_months": retention }),
    )?;
    let facts = &begun.archive;
    let name = file_name(facts);
    let path = dir.join(&name);
    if !args.yes {
        confirm(facts, &path)?;
    }
    let written = write_file(&mut door, facts, begun.stream_ticket, dir, &name).map_err(|e| {
        annotate(
            e,
            "nothing was removed from the database; run famctx audit archive again",
        )
    })?;
    // Read back from the disk, every hash recomputed, and compared with what the database said.
    let check = check_file(&path, None)?;
    if let Some(problem) = disagreement(&check, facts, &written) {
        return Err(Error::Audit(format!(
            "the archive file {} does not check: {problem}; nothing was removed from the database",
            path.display()
        )));
    }
    // The database checks the months again and, in one transaction, records the archive and
    // drops them.
    let record: ArchiveRecord = door
        .call_as(
            "audit_archive_finish",
            json!({
                "begun": begun.audit_id,
                "before": facts.before,
                "rows": check.verification.rows_checked,
                "first_id": facts.first_id,
                "last_id": check.verification.head.as_ref().map(|h| h.id),
                "first_prev_hash": facts.first_prev_hash,
                "last_hash": check.last_hash,
                "file": name,
                "file_sha256": check.sha256,
            }),
        )
        .map_err(|e| {
            annotate(
                e,
                &format!(
                    "the file {} is complete and checked; `famctx audit verify` lists the archives \
                     the database recorded: if this one is not among them, its months are still in \
                     the database, and famctx audit archive can be run again",
                    path.display()
                ),
            )
        })?;
    let sidecar = sidecar_path(&path);
    if out.format == Format::Json {
        out.json(&json!({
            "archive": record,
            "file": path.display().to_string(),
            "sidecar": sidecar.display().to_string(),
        }))?;
    } else {
        let mut t = Table::new(["archive", "months", "rows", "ids", "last hash", "file"]);
        t.row([
            record.id.to_string(),
            match (record.months.first(), record.months.last()) {
                (Some(a), Some(b)) if a != b => format!("{a} to {b}"),
                (Some(a), _) => a.clone(),
                _ => String::new(),
            },
            record.rows.to_string(),
            format!("{}-{}", record.first_id, record.last_id),
            record.last_hash.clone(),
            path.display().to_string(),
        ]);
        out.table(&t)?;
    }
    Ok(code::SUCCESS)
}

/// The retention period of the system config file (policy `audit_retention_months`), if set;
/// the database holds to the longer of it and its own.
fn retention_months(ctx: &Context) -> Result<Option<i64>> {
    let Some(v) = ctx.settings.get("audit_retention_months") else {
        return Ok(None);
    };
    match v.trim().parse::<i64>() {
        Ok(n) if (1..=1200).contains(&n) => Ok(Some(n)),
        _ => Err(Error::Usage(format!(
            "audit_retention_months must be a whole number of months from 1 to 1200, not {v:?}"
        ))),
    }
}

/// `famctx-audit-<database>-<first month>-to-<last month>.jsonl`: the same months give the same
/// name, so a run after an interrupted one replaces its file.
fn file_name(facts: &Facts) -> String {
    let db: String = facts
        .database
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect();
    format!(
        "famctx-audit-{db}-{}-to-{}.jsonl",
        facts.first_at.format("%Y-%m"),
        facts.last_at.format("%Y-%m")
    )
}

fn sidecar_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".sha256");
    PathBuf::from(s)
}

const UNATTENDED: &str =
    "audit archive removes months from the database and there is no terminal to confirm: rerun with --yes";

fn confirm(facts: &Facts, path: &Path) -> Result<()> {
    eprintln!(
        "  {} audit rows, ids {} to {}, from {} to {} (months {})",
        facts.rows,
        facts.first_id,
        facts.last_id,
        facts.first_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        facts.last_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        facts.months.join(", ")
    );
    crate::ask::confirm(
        &format!(
            "Write them to {} and then remove those months from the database?",
            path.display()
        ),
        || UNATTENDED.into(),
    )
}

/// An error of the same kind, with what it means for the archive.
fn annotate(e: Error, note: &str) -> Error {
    let m = format!("{}: {note}", e.message());
    match e {
        Error::Usage(_) => Error::Usage(m),
        Error::Auth(_) => Error::Auth(m),
        Error::NotPermitted(_) => Error::NotPermitted(m),
        Error::NotFound(_) => Error::NotFound(m),
        Error::Audit(_) => Error::Audit(m),
        Error::Unreachable(_) => Error::Unreachable(m),
        Error::Other(_) => Error::Other(m),
        Error::BrokenPipe => Error::BrokenPipe,
    }
}

/// What was written: the rows and the last one, as they came from the database.
struct Written {
    rows: i64,
    last_id: i64,
    last_hash: String,
}

/// Bytes written through it are hashed too.
struct Hashing<W: Write> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes the archive to `.NAME.partial` in `dir` (replacing one an interrupted run left),
/// fsyncs it, renames it to NAME, writes NAME.sha256 the same way, and fsyncs the directory.
fn write_file(
    door: &mut Door,
    facts: &Facts,
    ticket: Uuid,
    dir: &Path,
    name: &str,
) -> Result<Written> {
    let partial = dir.join(format!(".{name}.partial"));
    let result = write_partial(door, facts, ticket, &partial);
    let (written, sha256) = match result {
        Ok(w) => w,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    let path = dir.join(name);
    std::fs::rename(&partial, &path).map_err(|e| io_error(&path, e))?;
    let sidecar = sidecar_path(&path);
    let partial_sum = dir.join(format!(".{name}.sha256.partial"));
    let _ = std::fs::remove_file(&partial_sum);
    let mut f = create_private(&partial_sum)?;
    f.write_all(format!("{sha256}  {name}\n").as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| io_error(&partial_sum, e))?;
    drop(f);
    std::fs::rename(&partial_sum, &sidecar).map_err(|e| io_error(&sidecar, e))?;
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_error(dir, e))?;
    Ok(written)
}

fn create_private(path: &Path) -> Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| io_error(path, e))
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::Other(format!("{}: {e}", path.display()))
}

fn write_partial(
    door: &mut Door,
    facts: &Facts,
    ticket: Uuid,
    partial: &Path,
) -> Result<(Written, String)> {
    let _ = std::fs::remove_file(partial);
    let file = create_private(partial)?;
    let mut w = Hashing {
        inner: BufWriter::with_capacity(1 << 16, file),
        hash: Sha256::new(),
    };
    let header = Header {
        format: FORMAT.into(),
        version: VERSION,
        database: facts.database.clone(),
        before: facts.before.clone(),
        months: facts.months.clone(),
        rows: facts.rows,
        first_id: facts.first_id,
        last_id: facts.last_id,
        first_prev_hash: facts.first_prev_hash.clone(),
        first_at: facts.first_at,
        last_at: facts.last_at,
    };
    let io = |e: std::io::Error| io_error(partial, e);
    serde_json::to_writer(&mut w, &header)?;
    w.write_all(b"\n").map_err(io)?;
    let progress = if facts.rows > 10_000 {
        Progress::bar("archiving", facts.rows as u64)
    } else {
        Progress::none()
    };
    let mut written = Written {
        rows: 0,
        last_id: 0,
        last_hash: String::new(),
    };
    door.cursor("audit_archive_open", ticket, ARCHIVE_BATCH, |rows| {
        for r in rows {
            let line: &str = r.try_get(2)?;
            w.write_all(line.as_bytes()).map_err(io)?;
            w.write_all(b"\n").map_err(io)?;
            written.last_id = r.try_get(0)?;
            written.last_hash = r.try_get(1)?;
        }
        written.rows += rows.len() as i64;
        progress.inc(rows.len() as u64);
        Ok(())
    })?;
    progress.finish();
    let trailer = Trailer {
        end: FORMAT.into(),
        rows: written.rows,
        last_id: written.last_id,
        last_hash: written.last_hash.clone(),
    };
    serde_json::to_writer(&mut w, &trailer)?;
    w.write_all(b"\n").map_err(io)?;
    w.flush().map_err(io)?;
    let sha256 = hex::encode(w.hash.finalize());
    let file = w.inner.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)?;
    Ok((written, sha256))
}

/// Where the file read back disagrees with what the database disclosed or what was written.
fn disagreement(check: &FileCheck, facts: &Facts, written: &Written) -> Option<String> {
    let v = &check.verification;
    if !v.intact {
        return Some(format!(
            "{}{}",
            v.first_broken_row
                .map(|r| format!("row {r}: "))
                .unwrap_or_default(),
            v.problem.clone().unwrap_or_default()
        ));
    }
    if check.sidecar != "matches" {
        return Some(format!("its .sha256 {}", check.sidecar));
    }
    let last = v.head.as_ref().map(|h| h.id);
    let (first_prev, last_hash) = (
        check.header.as_ref().map(|h| h.first_prev_hash.as_str()),
        check.last_hash.as_deref(),
    );
    if v.rows_checked != facts.rows
        || v.rows_checked != written.rows
        || last != Some(facts.last_id)
        || last != Some(written.last_id)
        || first_prev != Some(facts.first_prev_hash.as_str())
        || last_hash != Some(facts.last_hash.as_str())
        || last_hash != Some(written.last_hash.as_str())
    {
        return Some(format!(
            "it holds {} rows ending at {:?} with the hash {:?}, where the database holds {} rows, \
             ids {} to {}, ending with the hash {}",
            v.rows_checked,
            last,
            last_hash,
            facts.rows,
            facts.first_id,
            facts.last_id,
            facts.last_hash
        ));
    }
    None
}

// --- reading an archive file --------------------------------------------------

/// Reads an archive file from the disk and checks it: the header, every row's number, link and
/// hash (recomputed from the file's own text), the trailer against the rows, and the file's
/// SHA-256 against `FILE.sha256`. A checkpoint, if given, must be a row of the file.
fn check_file(path: &Path, saved: Option<&Checkpoint>) -> Result<FileCheck> {
    let file = File::open(path)
        .map_err(|e| Error::Usage(format!("cannot read archive {}: {e}", path.display())))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut hash = Sha256::new();
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    // A line, hashed, without its newline; None at the end; Err for a line cut short.
    let mut next_line = |buf: &mut Vec<u8>| -> Result<Option<bool>> {
        buf.clear();
        let n = reader
            .read_until(b'\n', buf)
            .map_err(|e| io_error(path, e))?;
        if n == 0 {
            return Ok(None);
        }
        hash.update(&buf[..]);
        let whole = buf.last() == Some(&b'\n');
        if whole {
            buf.pop();
        }
        Ok(Some(whole))
    };

    let mut header: Option<Header> = None;
    let mut verifier = Verifier::new(saved);
    match next_line(&mut buf)? {
        Some(true) => match serde_json::from_slice::<Header>(&buf) {
            Ok(h) if h.format == FORMAT && h.version == VERSION => {
                if let Some(cp) = saved {
                    if !(h.first_id..=h.last_id).contains(&cp.id) {
                        return Err(Error::Usage(format!(
                            "the checkpoint's row {} is not in this archive (rows {} to {})",
                            cp.id, h.first_id, h.last_id
                        )));
                    }
                }
                verifier = Verifier::starting(
                    saved,
                    Some(Start {
                        id: h.first_id,
                        prev: hex::decode(&h.first_prev_hash).unwrap_or_default(),
                        what: "the file's header".into(),
                    }),
                );
                header = Some(h);
            }
            Ok(h) => verifier.fail(
                None,
                format!(
                    "it is a {} file of version {}, not a {FORMAT} file of version {VERSION}",
                    h.format, h.version
                ),
            ),
            Err(e) => verifier.fail(
                None,
                format!("its first line is not the header of an archive: {e}"),
            ),
        },
        _ => verifier.fail(
            None,
            "it has no header line: it is empty or cut short".into(),
        ),
    }
    line_no += 1;

    let mut trailer: Option<Trailer> = None;
    let mut last_hash: Option<String> = None;
    loop {
        let whole = match next_line(&mut buf)? {
            None => break,
            Some(w) => w,
        };
        line_no += 1;
        if !verifier.intact() {
            continue;
        }
        let expected = verifier.expected();
        if !whole {
            verifier.fail(
                Some(expected),
                format!("line {line_no} is cut short (no newline): the file is incomplete"),
            );
            continue;
        }
        if trailer.is_some() {
            verifier.fail(
                None,
                format!("line {line_no} follows the trailer: something was added to the file"),
            );
            continue;
        }
        if buf.starts_with(b"{\"end\":") {
            match serde_json::from_slice::<Trailer>(&buf) {
                Ok(t) if t.end == FORMAT => trailer = Some(t),
                Ok(_) | Err(_) => verifier.fail(
                    Some(expected),
                    format!("line {line_no} is not the trailer of an archive"),
                ),
            }
            continue;
        }
        let row = std::str::from_utf8(&buf)
            .map_err(|e| format!("it is not UTF-8: {e}"))
            .and_then(|text| {
                serde_json::from_str::<FileRow>(text).map_err(|e| format!("it is not a row: {e}"))
            })
            .and_then(|r| r.chain_row());
        match row {
            Ok(r) => {
                let stored = hex::encode(&r.row_hash);
                verifier.feed_row(&r);
                last_hash = Some(stored);
            }
            Err(problem) => verifier.fail(Some(expected), format!("line {line_no}: {problem}")),
        }
    }
    let sha256 = hex::encode(hash.finalize());

    if verifier.intact() {
        let rows = verifier.expected() - header.as_ref().map_or(1, |h| h.first_id);
        let last = verifier.expected() - 1;
        match (&header, &trailer) {
            (_, None) => verifier.fail(
                Some(verifier.expected()),
                "the file ends before its trailer: it is incomplete".into(),
            ),
            (Some(h), Some(t)) => {
                if t.rows != rows || h.rows != rows {
                    verifier.fail(
                        None,
                        format!(
                            "it holds {rows} rows, where its header says {} and its trailer {}",
                            h.rows, t.rows
                        ),
                    );
                } else if t.last_id != last || h.last_id != last {
                    verifier.fail(
                        None,
                        format!(
                            "its last row is {last}, where its header says {} and its trailer {}",
                            h.last_id, t.last_id
                        ),
                    );
                } else if Some(&t.last_hash) != last_hash.as_ref() {
                    verifier.fail(
                        Some(last),
                        "its hash is not the last hash the trailer names".into(),
                    );
                }
            }
            (None, Some(_)) => {}
        }
    }

    let sidecar = match std::fs::read_to_string(sidecar_path(path)) {
        Err(_) => "missing",
        Ok(text) => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut words = text.split_whitespace();
            match (
                words.next(),
                words.next().map(|w| w.trim_start_matches('*')),
            ) {
                (Some(sum), Some(named)) if sum.eq_ignore_ascii_case(&sha256) && named == name => {
                    "matches"
                }
                _ => "differs",
            }
        }
    };
    match sidecar {
        "missing" => verifier.fail(
            None,
            format!(
                "{} is missing: every archive is written with it",
                sidecar_path(path).display()
            ),
        ),
        "differs" => verifier.fail(
            None,
            format!(
                "its SHA-256 ({sha256}) is not the one {} names: the file was changed after it was written",
                sidecar_path(path).display()
            ),
        ),
        _ => {}
    }
    Ok(FileCheck {
        verification: verifier.finish(),
        header,
        last_hash,
        sha256,
        sidecar,
    })
}

// --- audit verify --archive ----------------------------------------------------

/// `audit verify --archive FILE`: the file on its own, then (unless `offline`) the database's
/// record of it, as an auditor (audited).
pub(crate) fn verify_file(
    ctx: &Context,
    path: &Path,
    saved: Option<&Checkpoint>,
    offline: bool,
    basis: &Basis,
) -> Result<Verification> {
    let check = check_file(path, saved)?;
    let mut v = check.verification;
    let h = check.header.as_ref();
    let mut report = FileReport {
        path: path.display().to_string(),
        database: h.map(|h| h.database.clone()),
        before: h.map(|h| h.before.clone()),
        months: h.map(|h| h.months.clone()).unwrap_or_default(),
        rows: h.map(|h| h.rows),
        first_id: h.map(|h| h.first_id),
        last_id: h.map(|h| h.last_id),
        first_prev_hash: h.map(|h| h.first_prev_hash.clone()),
        last_hash: check.last_hash.clone(),
        sha256: check.sha256.clone(),
        sidecar: check.sidecar,
        recorded: "not_checked",
        record: None,
    };
    if let (false, Some(h)) = (offline, h) {
        // fc_api.audit_archive_check writes the audit row (audit_verified, naming the file)
        // before disclosing the database's record of these rows, if any.
        let mut door = auditor_door(ctx, basis, Action::AuditVerified)?;
        let mut doc = door.call(
            "audit_archive_check",
            json!({
                "file": path.file_name().map(|n| n.to_string_lossy().into_owned()),
                "file_sha256": check.sha256,
                "first_id": h.first_id,
                "last_id": h.last_id,
                "rows": h.rows,
                "last_hash": check.last_hash,
            }),
        )?;
        let record: Option<ArchiveRecord> = part(&mut doc, "recorded")?;
        report.recorded = match &record {
            None => {
                if v.intact {
                    v.intact = false;
                    v.problem = Some(format!(
                        "the database {} has no record of an archive of rows {} to {}: this file \
                         was never archived there (an interrupted run leaves such a file, and the \
                         rows in the database)",
                        h.database, h.first_id, h.last_id
                    ));
                }
                "not_recorded"
            }
            Some(r)
                if r.file_sha256.eq_ignore_ascii_case(&check.sha256)
                    && Some(&r.last_hash) == check.last_hash.as_ref()
                    && r.first_id == h.first_id
                    && r.last_id == h.last_id
                    && r.rows == h.rows =>
            {
                "matches"
            }
            Some(r) => {
                if v.intact {
                    v.intact = false;
                    v.problem = Some(format!(
                        "the database recorded {} with the file hash {} and the last hash {}: \
                         this is not the file it recorded",
                        r.label(),
                        r.file_sha256,
                        r.last_hash
                    ));
                }
                "differs"
            }
        };
        report.record = record;
    }
    v.file = Some(report);
    Ok(v)
}

/// The file's part of `audit verify --archive` as a table.
pub(crate) fn file_table(out: &mut Output, f: &FileReport) -> Result<()> {
    out.heading("Archive file")?;
    let mut t = Table::new([
        "file", "database", "months", "rows", "sha256", "sidecar", "recorded",
    ]);
    t.shorten("sha256", 16);
    t.row([
        f.path.clone(),
        f.database.clone().unwrap_or_default(),
        match (f.months.first(), f.months.last()) {
            (Some(a), Some(b)) if a != b => format!("{a} to {b}"),
            (Some(a), _) => a.clone(),
            _ => String::new(),
        },
        f.rows.map(|r| r.to_string()).unwrap_or_default(),
        f.sha256.clone(),
        f.sidecar.to_string(),
        match &f.record {
            Some(r) => format!("{} ({})", f.recorded, r.label()),
            None => f.recorded.to_string(),
        },
    ]);
    out.table(&t)
}
