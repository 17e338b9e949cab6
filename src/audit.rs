//! The audit trail seen from the tool: review (search, a person's access
//! report, export, statistics), verifying the hash chain, and printing its
//! head (a checkpoint) for keeping outside the database.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, SecondsFormat, Utc};
use clap::{Args, Subcommand, ValueEnum};
use fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::{Row, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::cli::Format;
use crate::error::{code, Error, Result};
use crate::family::PersonId;
use crate::guard::{self, Audit, Needs, Role};
use crate::output::{neutralise_formula, Output, Table};
use crate::Context;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Search the audit trail, newest first
    Search(SearchArgs),
    /// Access report for one person: every access that disclosed them, grouped by actor
    Person(PersonArgs),
    /// Stream every matching row, all columns, in id order (-o jsonl or -o csv)
    Export(ExportArgs),
    /// Accesses by actor, source and outcome, and unusual patterns worth a spot check
    Stats(StatsArgs),
    /// Recompute the hash chain and name the first row that breaks it
    Verify {
        /// Also check the chain against a head saved earlier by `audit checkpoint -o json`
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<PathBuf>,
    },
    /// Print the chain head (id, hash, time) to keep outside the database
    Checkpoint,
}

/// A time window: a date (2026-11-01, its start in UTC), an RFC 3339 time or
/// a span back from now (7d, 24h).
#[derive(Debug, Clone, Args)]
pub struct Window {
    /// Only rows at or after T: a date (2026-11-01), an RFC 3339 time or a span back from now (7d, 24h)
    #[arg(long, value_name = "T")]
    pub since: Option<String>,
    /// Only rows before T (same forms as --since)
    #[arg(long, value_name = "T")]
    pub until: Option<String>,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Account that acted (or tried to), any case
    #[arg(long, value_name = "USER")]
    pub actor: Option<String>,
    /// Person disclosed, as subject or family member: fc:<n>, <n> or cms:<case id>
    #[arg(long, value_name = "ID")]
    pub person: Option<String>,
    /// Audit action, e.g. viewed_family, searched, permission_granted
    #[arg(long, value_name = "A")]
    pub action: Option<String>,
    /// Data source disclosed, e.g. police
    #[arg(long, value_name = "S")]
    pub source: Option<String>,
    /// Outcome recorded
    #[arg(long, value_enum)]
    pub outcome: Option<Outcome>,
    #[command(flatten)]
    pub window: Window,
    /// Rows to show at most
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(i64).range(1..=10_000))]
    pub limit: i64,
}

#[derive(Debug, Args)]
pub struct PersonArgs {
    /// Person: fc:<n> (a bare number means the same) or cms:<case id>
    #[arg(value_name = "ID")]
    pub id: String,
    #[command(flatten)]
    pub window: Window,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub window: Window,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub window: Window,
}

/// The outcome recorded in an audit row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Allowed,
    Denied,
    #[value(name = "not_found")]
    NotFound,
    Error,
}

impl Outcome {
    fn code(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Denied => "denied",
            Outcome::NotFound => "not_found",
            Outcome::Error => "error",
        }
    }
}

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

pub fn run(ctx: &Context, command: &AuditCommand) -> Result<u8> {
    match command {
        AuditCommand::Search(args) => search_command(ctx, args),
        AuditCommand::Person(args) => person_command(ctx, args),
        AuditCommand::Export(args) => export_command(ctx, args),
        AuditCommand::Stats(args) => stats_command(ctx, args),
        AuditCommand::Verify { checkpoint } => verify_command(ctx, checkpoint.as_ref()),
        AuditCommand::Checkpoint => checkpoint_command(ctx),
    }
}

fn verify_command(ctx: &Context, checkpoint: Option<&PathBuf>) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json])?;
    let saved = checkpoint.map(read_checkpoint).transpose()?;
    let audit = Audit::new("audit_verified").detail("checkpoint", &saved);
    let report = guard::through(ctx, Needs::Role(Role::Auditor), audit, |tx, _, audit| {
        let report = verify(tx, saved.as_ref())?;
        audit.set_detail("rows_checked", report.rows_checked);
        audit.set_detail("intact", report.intact);
        audit.set_detail("first_broken_row", report.first_broken_row);
        Ok(report)
    })?;
    if out.format == Format::Json {
        out.json(&report)?;
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
        out.table(&t)?;
    }
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

fn checkpoint_command(ctx: &Context) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json])?;
    let head = guard::through(
        ctx,
        Needs::Role(Role::Auditor),
        Audit::new("audit_checkpointed"),
        |tx, _, audit| {
            let row = tx.query_opt(
                "SELECT id, row_hash, occurred_at FROM fc.audit_log ORDER BY id DESC LIMIT 1",
                &[],
            )?;
            let head = row.map(|r| Checkpoint {
                id: r.get(0),
                hash: hex::encode(r.get::<_, Vec<u8>>(1)),
                occurred_at: r.get(2),
            });
            audit.set_detail("head", &head);
            Ok(head)
        },
    )?;
    let head = head.ok_or_else(|| Error::NotFound("the audit trail is empty".into()))?;
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

fn read_checkpoint(path: &PathBuf) -> Result<Checkpoint> {
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

/// Streams the whole trail in id order and recomputes every hash.
pub fn verify(tx: &mut Transaction, saved: Option<&Checkpoint>) -> Result<Verification> {
    let rows = tx.query_raw(
        "SELECT id, occurred_at, \
                (extract(epoch FROM occurred_at) * 1000000)::bigint::text, actor_guid::text, actor_account, \
                channel, client_host, action, outcome, subject_person::text, \
                array_to_string(persons_disclosed, ','), array_to_string(sources_disclosed, ','), \
                target_user, target_guid::text, reason, details::text, prev_hash, row_hash \
         FROM fc.audit_log ORDER BY id",
        std::iter::empty::<i32>(),
    )?;
    let mut rows = rows;
    let mut report = Verification {
        rows_checked: 0,
        intact: true,
        first_broken_row: None,
        problem: None,
        head: None,
        checkpoint_checked: None,
    };
    let mut prev = vec![0u8; 32];
    let mut expected = 1i64;
    let broken = |report: &mut Verification, id: i64, problem: String| {
        report.intact = false;
        report.first_broken_row = Some(id);
        report.problem = Some(problem);
    };
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0);
        let stored_prev: Vec<u8> = row.get(16);
        let stored: Vec<u8> = row.get(17);
        if id != expected {
            broken(
                &mut report,
                expected,
                format!("row {expected} is missing (the next row is {id}): rows were deleted"),
            );
            return Ok(report);
        }
        if stored_prev != prev {
            broken(
                &mut report,
                id,
                format!(
                    "its previous-hash does not match row {}: the chain was cut or reordered",
                    id - 1
                ),
            );
            return Ok(report);
        }
        let fields: Vec<Option<String>> = (2..16).map(|i| row.get(i)).collect();
        let computed = row_hash(&prev, &id.to_string(), &fields);
        if computed != stored {
            broken(
                &mut report,
                id,
                "its content does not match its hash: the row was changed after it was written"
                    .into(),
            );
            return Ok(report);
        }
        if let Some(cp) = saved.filter(|cp| cp.id == id) {
            if hex::encode(&stored) != cp.hash.to_ascii_lowercase() {
                broken(&mut report, id, "its hash differs from the checkpoint: the chain was rewritten since the checkpoint".into());
                return Ok(report);
            }
            report.checkpoint_checked = Some(id);
        }
        report.head = Some(Checkpoint {
            id,
            hash: hex::encode(&stored),
            occurred_at: row.get(1),
        });
        report.rows_checked += 1;
        prev = stored;
        expected += 1;
    }
    if let Some(cp) = saved.filter(|cp| report.checkpoint_checked != Some(cp.id)) {
        broken(
            &mut report,
            cp.id,
            "the checkpoint's row is missing: the trail was truncated since the checkpoint".into(),
        );
    }
    Ok(report)
}

/// sha256(previous hash || canonical bytes), the canonical bytes being each
/// field as `<octet length>:<text>` or `-` for NULL, one a line; the same
/// definition as `fc.audit_canonical` in sql/migrations/V3__audit.sql.
pub fn row_hash(prev: &[u8], id: &str, fields: &[Option<String>]) -> Vec<u8> {
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
    h.finalize().to_vec()
}

// ---------------------------------------------------------------------------
// Review: search, a person's access report, export and statistics. Each is
// an auditor's command and is audited itself, with its filter in details.

/// Every column of fc.audit_log, in table order.
const COLUMNS: [&str; 17] = [
    "id",
    "occurred_at",
    "actor_guid",
    "actor_account",
    "channel",
    "client_host",
    "action",
    "outcome",
    "subject_person",
    "persons_disclosed",
    "sources_disclosed",
    "target_user",
    "target_guid",
    "reason",
    "details",
    "prev_hash",
    "row_hash",
];

/// Rows fetched from the export cursor at a time: a few MB in memory.
const EXPORT_BATCH: i32 = 5000;

/// The actions that look at a person's data (the IG taxonomy's lookups).
const LOOKUP_ACTIONS: [&str; 5] = [
    "searched",
    "viewed_in_results",
    "viewed_basic_details_and_flags",
    "viewed_family",
    "viewed_service_details",
];

/// Working hours for the spot check: 08:00 to 18:00 UTC, Monday to Friday.
const WORKDAY_START_HOUR: i32 = 8;
const WORKDAY_END_HOUR: i32 = 18;

/// An actor stands out with more than this many times the median actor's
/// lookups, and at least `BUSY_MINIMUM` of them.
const BUSY_FACTOR: f64 = 3.0;
const BUSY_MINIMUM: i64 = 10;

/// Denials of one actor (or attempted account) worth a look.
const REPEATED_DENIALS: i64 = 3;

/// One audit row, every column (hashes in hex).
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_guid: Option<Uuid>,
    pub actor_account: Option<String>,
    pub channel: String,
    pub client_host: Option<String>,
    pub action: String,
    pub outcome: String,
    pub subject_person: Option<i64>,
    pub persons_disclosed: Vec<i64>,
    pub sources_disclosed: Vec<String>,
    pub target_user: Option<String>,
    pub target_guid: Option<Uuid>,
    pub reason: Option<String>,
    pub details: Value,
    pub prev_hash: String,
    pub row_hash: String,
}

impl Entry {
    /// From a row selected with `select_list()`.
    fn from_row(r: &Row) -> Entry {
        Entry {
            id: r.get(0),
            occurred_at: r.get(1),
            actor_guid: r.get(2),
            actor_account: r.get(3),
            channel: r.get(4),
            client_host: r.get(5),
            action: r.get(6),
            outcome: r.get(7),
            subject_person: r.get(8),
            persons_disclosed: r.get(9),
            sources_disclosed: r.get(10),
            target_user: r.get(11),
            target_guid: r.get(12),
            reason: r.get(13),
            details: r.get(14),
            prev_hash: hex::encode(r.get::<_, &[u8]>(15)),
            row_hash: hex::encode(r.get::<_, &[u8]>(16)),
        }
    }

    /// The CSV cells, in `COLUMNS` order; arrays comma-separated as in the
    /// canonical form the hash covers.
    fn cells(&self) -> [String; 17] {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let join = |v: &[String]| v.join(",");
        [
            self.id.to_string(),
            instant(&self.occurred_at),
            self.actor_guid.map(|g| g.to_string()).unwrap_or_default(),
            text(&self.actor_account),
            self.channel.clone(),
            text(&self.client_host),
            self.action.clone(),
            self.outcome.clone(),
            self.subject_person
                .map(|p| p.to_string())
                .unwrap_or_default(),
            join(
                &self
                    .persons_disclosed
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>(),
            ),
            join(&self.sources_disclosed),
            text(&self.target_user),
            self.target_guid.map(|g| g.to_string()).unwrap_or_default(),
            text(&self.reason),
            self.details.to_string(),
            self.prev_hash.clone(),
            self.row_hash.clone(),
        ]
    }
}

fn select_list() -> String {
    COLUMNS.join(", ")
}

/// An instant in full (microseconds, UTC), for machine output.
fn instant(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// An instant for a table, to the second.
fn shown_at(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

fn person_label(n: i64) -> String {
    format!("fc:{n}")
}

/// Positional parameters collected while a statement is put together, so
/// every value travels as a parameter, never in the SQL text.
#[derive(Default)]
struct Query {
    params: Vec<Box<dyn ToSql + Sync>>,
}

impl Query {
    fn param(&mut self, value: impl ToSql + Sync + 'static) -> String {
        self.params.push(Box::new(value));
        format!("${}", self.params.len())
    }

    fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params
            .iter()
            .map(|p| p.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }
}

/// The filter as the operator gave it, checked; recorded in the audit row.
/// A person given as a cms id is resolved in the database (`resolve`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Filter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
    #[serde(skip)]
    person_id: Option<PersonId>,
}

/// --since and --until, either open.
type Span = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// A filter whose person, if any, is a number in the person index.
struct Scope<'a> {
    filter: &'a Filter,
    person: Option<i64>,
}

impl Window {
    fn parse(&self, now: DateTime<Utc>) -> Result<Span> {
        let since = instant_arg("--since", self.since.as_deref(), now)?;
        let until = instant_arg("--until", self.until.as_deref(), now)?;
        if let (Some(s), Some(u)) = (since, until) {
            if s >= u {
                return Err(Error::Usage(format!(
                    "--since ({}) must be before --until ({})",
                    instant(&s),
                    instant(&u)
                )));
            }
        }
        Ok((since, until))
    }
}

fn instant_arg(
    flag: &str,
    text: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    text.map(|t| {
        crate::when::parse_instant(t, now).map_err(|e| Error::Usage(format!("{flag} {e}")))
    })
    .transpose()
}

/// An action or source code: lower-case letters, digits and underscores.
fn code_arg(flag: &str, text: &str, example: &str) -> Result<String> {
    let t = text.trim();
    let ok = !t.is_empty()
        && t.len() <= 64
        && t.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(t.to_string())
    } else {
        Err(Error::Usage(format!(
            "{flag} {} is not a code: use lower-case letters and underscores, e.g. {example}",
            crate::directory::shorten(text)
        )))
    }
}

impl Filter {
    fn window(window: &Window, now: DateTime<Utc>) -> Result<Filter> {
        let (since, until) = window.parse(now)?;
        Ok(Filter {
            since,
            until,
            ..Filter::default()
        })
    }

    fn with_person(mut self, text: &str) -> Result<Filter> {
        let id = PersonId::parse(text)?;
        self.person = Some(id.to_string());
        self.person_id = Some(id);
        Ok(self)
    }

    fn from_search(args: &SearchArgs, now: DateTime<Utc>) -> Result<Filter> {
        let mut f = Filter::window(&args.window, now)?;
        if let Some(p) = &args.person {
            f = f.with_person(p)?;
        }
        f.actor = args
            .actor
            .as_deref()
            .map(|a| guard::free_text("--actor", a, 256))
            .transpose()?;
        f.action = args
            .action
            .as_deref()
            .map(|a| code_arg("--action", a, "viewed_family"))
            .transpose()?;
        f.source = args
            .source
            .as_deref()
            .map(|s| code_arg("--source", s, "police"))
            .transpose()?;
        f.outcome = args.outcome;
        Ok(f)
    }

    /// Resolves the person and checks the action and source against the
    /// codes the database knows, naming the accepted ones.
    fn resolve(&self, tx: &mut Transaction) -> Result<Scope<'_>> {
        if let Some(a) = &self.action {
            known_code(
                tx,
                "--action",
                a,
                "SELECT code FROM fc.audit_action ORDER BY code",
            )?;
        }
        if let Some(s) = &self.source {
            known_code(
                tx,
                "--source",
                s,
                "SELECT code FROM fc.data_source ORDER BY sort_order, code",
            )?;
        }
        let person = match &self.person_id {
            None => None,
            Some(PersonId::Fc(n)) => Some(*n),
            Some(PersonId::Cms(c)) => Some(
                tx.query_opt("SELECT id FROM fc.person WHERE cms_id = $1", &[c])?
                    .map(|r| r.get(0))
                    .ok_or_else(|| {
                        Error::NotFound(format!("no person cms:{c} in the MDM person index"))
                    })?,
            ),
        };
        Ok(Scope {
            filter: self,
            person,
        })
    }
}

fn known_code(tx: &mut Transaction, flag: &str, code: &str, list_sql: &str) -> Result<()> {
    let codes: Vec<String> = tx.query(list_sql, &[])?.iter().map(|r| r.get(0)).collect();
    if codes.iter().any(|c| c == code) {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{flag} {code:?} is not known: use one of {}",
        codes.join(", ")
    )))
}

impl Scope<'_> {
    /// The WHERE condition, its values added to `q`. Each filter on its own
    /// can use an index: the person (GIN on persons_disclosed OR the btree on
    /// subject_person, as a BitmapOr), the actor (lower(actor_account),
    /// occurred_at), the action (action, occurred_at), the time range.
    fn condition(&self, q: &mut Query) -> String {
        let f = self.filter;
        let mut c = Vec::new();
        if let Some(a) = &f.actor {
            c.push(format!(
                "lower(actor_account) = lower({}::text)",
                q.param(a.clone())
            ));
        }
        if let Some(n) = self.person {
            let p = q.param(n);
            c.push(format!(
                "(persons_disclosed @> ARRAY[{p}::bigint] OR subject_person = {p})"
            ));
        }
        if let Some(a) = &f.action {
            c.push(format!("action = {}::text", q.param(a.clone())));
        }
        if let Some(s) = &f.source {
            c.push(format!(
                "sources_disclosed @> ARRAY[{}::text]",
                q.param(s.clone())
            ));
        }
        if let Some(o) = f.outcome {
            c.push(format!("outcome = {}::text", q.param(o.code())));
        }
        if let Some(t) = f.since {
            c.push(format!("occurred_at >= {}::timestamptz", q.param(t)));
        }
        if let Some(t) = f.until {
            c.push(format!("occurred_at < {}::timestamptz", q.param(t)));
        }
        if c.is_empty() {
            "TRUE".into()
        } else {
            c.join(" AND ")
        }
    }

    /// Every matching row in `order`, optionally limited. With a person, the
    /// match is fenced in a materialised CTE: the planner cannot estimate how
    /// many rows disclose one person (the array statistics hold no single
    /// person, so it guesses 0.5% of the table), and with ORDER BY ... LIMIT
    /// it would walk the time index backwards testing every row (seconds on
    /// millions of rows). Fenced, it takes the person's rows through the GIN
    /// and subject indexes (BitmapOr) and sorts only those.
    fn select(&self, q: &mut Query, order: &str, limit: Option<i64>) -> String {
        let cond = self.condition(q);
        let limit = limit
            .map(|n| format!(" LIMIT {}", q.param(n)))
            .unwrap_or_default();
        let cols = select_list();
        if self.person.is_some() {
            format!(
                "WITH hit AS MATERIALIZED (SELECT {cols} FROM fc.audit_log WHERE {cond}) \
                 SELECT {cols} FROM hit ORDER BY {order}{limit}"
            )
        } else {
            format!("SELECT {cols} FROM fc.audit_log WHERE {cond} ORDER BY {order}{limit}")
        }
    }

    fn entries(&self, tx: &mut Transaction, order: &str, limit: Option<i64>) -> Result<Vec<Entry>> {
        let mut q = Query::default();
        let sql = self.select(&mut q, order, limit);
        let rows = tx.query(sql.as_str(), &q.refs())?;
        Ok(rows.iter().map(Entry::from_row).collect())
    }
}

// --- audit search ----------------------------------------------------------

fn search_command(ctx: &Context, args: &SearchArgs) -> Result<u8> {
    let mut out = ctx.output();
    let filter = Filter::from_search(args, Utc::now())?;
    let audit = Audit::new("audit_searched")
        .detail("filter", &filter)
        .detail("limit", args.limit);
    let entries = guard::through(ctx, Needs::Role(Role::Auditor), audit, |tx, _, audit| {
        let scope = filter.resolve(tx)?;
        audit.subject_person = scope.person;
        let entries = scope.entries(tx, "occurred_at DESC, id DESC", Some(args.limit))?;
        audit.set_detail("rows", entries.len());
        Ok(entries)
    })?;
    render_entries(&mut out, &entries)?;
    Ok(code::SUCCESS)
}

fn render_entries(out: &mut Output, entries: &[Entry]) -> Result<()> {
    match out.format {
        Format::Json => out.json(entries),
        Format::Jsonl => {
            for e in entries {
                out.json_line(e)?;
            }
            out.flush()
        }
        Format::Csv => {
            let mut t = Table::new(COLUMNS);
            for e in entries {
                t.row(e.cells());
            }
            out.table(&t)
        }
        Format::Table => {
            let mut t = Table::new([
                "id",
                "when (UTC)",
                "actor",
                "action",
                "outcome",
                "subject",
                "persons disclosed",
                "sources",
                "reason",
            ]);
            for e in entries {
                t.row([
                    e.id.to_string(),
                    shown_at(&e.occurred_at),
                    e.actor_account.clone().unwrap_or_default(),
                    e.action.clone(),
                    e.outcome.clone(),
                    e.subject_person.map(person_label).unwrap_or_default(),
                    persons_cell(&e.persons_disclosed),
                    e.sources_disclosed.join(", "),
                    e.reason.clone().unwrap_or_default(),
                ]);
            }
            out.table(&t)
        }
    }
}

/// A few ids in full; a long list (a page of search results) as a count.
fn persons_cell(persons: &[i64]) -> String {
    const SHOWN: usize = 8;
    if persons.len() > SHOWN {
        return format!("{} persons", persons.len());
    }
    persons
        .iter()
        .map(|p| person_label(*p))
        .collect::<Vec<_>>()
        .join(" ")
}

// --- audit person ----------------------------------------------------------

/// Everything the audit trail holds about who accessed one person.
#[derive(Debug, Serialize)]
pub struct PersonReport {
    pub person: String,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub accesses: usize,
    pub actors: Vec<ActorAccesses>,
}

/// One actor's accesses to the person, with totals.
#[derive(Debug, Serialize)]
pub struct ActorAccesses {
    pub actor: String,
    pub actor_guid: Option<Uuid>,
    pub count: usize,
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
    pub sources: Vec<String>,
    pub accesses: Vec<Access>,
}

#[derive(Debug, Serialize)]
pub struct Access {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub action: String,
    pub outcome: String,
    /// subject, family member, search result, or disclosed
    pub disclosed_as: &'static str,
    pub reason: Option<String>,
    pub sources: Vec<String>,
    pub channel: String,
    pub client_host: Option<String>,
}

fn person_command(ctx: &Context, args: &PersonArgs) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json, Format::Csv])?;
    let filter = Filter::window(&args.window, Utc::now())?.with_person(&args.id)?;
    let audit = Audit::new("audit_reported").detail("filter", &filter);
    let report = guard::through(ctx, Needs::Role(Role::Auditor), audit, |tx, _, audit| {
        let scope = filter.resolve(tx)?;
        let number = scope
            .person
            .ok_or_else(|| Error::Other("the person was not resolved".into()))?;
        audit.subject_person = Some(number);
        let entries = scope.entries(tx, "occurred_at, id", None)?;
        let report = person_report(number, &filter, entries);
        audit.set_detail("accesses", report.accesses);
        audit.set_detail("actors", report.actors.len());
        Ok(report)
    })?;
    if report.accesses == 0 {
        eprintln!(
            "famctx: the audit trail records no access to {} in this window",
            report.person
        );
    }
    match out.format {
        Format::Json => out.json(&report)?,
        Format::Csv => out.table(&accesses_table(&report))?,
        _ => {
            out.table(&actors_table(&report))?;
            out.table(&accesses_table(&report))?;
        }
    }
    Ok(code::SUCCESS)
}

/// Groups the rows (in time order) by actor: the AD objectGUID when the row
/// has one (an account renamed stays one actor), else the account name as
/// typed (a refused, unknown account). Busiest actor first.
fn person_report(number: i64, filter: &Filter, entries: Vec<Entry>) -> PersonReport {
    let total = entries.len();
    let mut actors: BTreeMap<String, ActorAccesses> = BTreeMap::new();
    for e in entries {
        let account = e.actor_account.clone().unwrap_or_default();
        let key = match e.actor_guid {
            Some(g) => g.to_string(),
            None => format!("account:{}", account.to_lowercase()),
        };
        let a = actors.entry(key).or_insert_with(|| ActorAccesses {
            actor: account.clone(),
            actor_guid: e.actor_guid,
            count: 0,
            first: e.occurred_at,
            last: e.occurred_at,
            sources: Vec::new(),
            accesses: Vec::new(),
        });
        a.actor = account;
        a.count += 1;
        a.last = e.occurred_at;
        a.accesses.push(Access {
            id: e.id,
            occurred_at: e.occurred_at,
            disclosed_as: disclosed_as(&e, number),
            action: e.action,
            outcome: e.outcome,
            reason: e.reason,
            sources: e.sources_disclosed,
            channel: e.channel,
            client_host: e.client_host,
        });
    }
    let mut actors: Vec<ActorAccesses> = actors.into_values().collect();
    for a in &mut actors {
        let set: BTreeSet<&String> = a.accesses.iter().flat_map(|x| &x.sources).collect();
        a.sources = set.into_iter().cloned().collect();
    }
    actors.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.actor.cmp(&b.actor)));
    PersonReport {
        person: person_label(number),
        since: filter.since,
        until: filter.until,
        accesses: total,
        actors,
    }
}

fn disclosed_as(e: &Entry, number: i64) -> &'static str {
    if e.subject_person == Some(number) {
        "subject"
    } else if e.action == "viewed_family" {
        "family member"
    } else if e.action == "searched" || e.action == "viewed_in_results" {
        "search result"
    } else {
        "disclosed"
    }
}

fn actors_table(report: &PersonReport) -> Table {
    let mut t = Table::new(["actor", "accesses", "first (UTC)", "last (UTC)", "sources"]);
    for a in &report.actors {
        t.row([
            a.actor.clone(),
            a.count.to_string(),
            shown_at(&a.first),
            shown_at(&a.last),
            a.sources.join(", "),
        ]);
    }
    t
}

/// One row an access, grouped by actor (the CSV form of the report).
fn accesses_table(report: &PersonReport) -> Table {
    let mut t = Table::new([
        "actor",
        "actor_guid",
        "id",
        "occurred_at",
        "action",
        "outcome",
        "disclosed_as",
        "reason",
        "sources",
        "channel",
        "client_host",
    ]);
    for a in &report.actors {
        for x in &a.accesses {
            t.row([
                a.actor.clone(),
                a.actor_guid.map(|g| g.to_string()).unwrap_or_default(),
                x.id.to_string(),
                instant(&x.occurred_at),
                x.action.clone(),
                x.outcome.clone(),
                x.disclosed_as.to_string(),
                x.reason.clone().unwrap_or_default(),
                x.sources.join(","),
                x.channel.clone(),
                x.client_host.clone().unwrap_or_default(),
            ]);
        }
    }
    t
}

// --- audit export ----------------------------------------------------------

fn export_command(ctx: &Context, args: &ExportArgs) -> Result<u8> {
    ctx.output().expect(&[Format::Jsonl, Format::Csv])?;
    let filter = Filter::window(&args.window, Utc::now())?;
    let audit = Audit::new("audit_exported")
        .detail("filter", &filter)
        .detail("format", ctx.format.name());
    // Nothing may reach stdout before its audit row is committed, and an
    // export is too big to hold until a commit at its end. So the audit row
    // records the request and the export follows it: the guard commits a row
    // naming the filter (action audit_exported) first, and only then is a new
    // read-only transaction opened to stream the rows through a cursor. Its
    // snapshot is taken after that commit, so an export of the whole trail
    // includes the row that records it. If the stream fails half-way, the
    // row still records that the export was asked for and allowed.
    guard::through(ctx, Needs::Role(Role::Auditor), audit, |_, _, _| Ok(()))?;
    let mut client = ctx.connect()?;
    let scope = Scope {
        filter: &filter,
        person: None,
    };
    export(&mut client, &scope, ctx.format)?;
    Ok(code::SUCCESS)
}

/// Streams the rows in id (chain) order, `EXPORT_BATCH` at a time from a
/// server-side portal, writing each batch out before fetching the next, so
/// memory stays flat whatever the size of the trail. A reader that goes away
/// (`| head`) ends it quietly (BrokenPipe).
fn export(client: &mut postgres::Client, scope: &Scope, format: Format) -> Result<u64> {
    let mut q = Query::default();
    let sql = scope.select(&mut q, "id", None);
    let mut tx = client.build_transaction().read_only(true).start()?;
    let portal = tx.bind(sql.as_str(), &q.refs())?;
    let mut sink = Sink::new(format)?;
    let mut written = 0u64;
    loop {
        let rows = tx.query_portal(&portal, EXPORT_BATCH)?;
        for r in &rows {
            sink.write(&Entry::from_row(r))?;
        }
        sink.flush()?;
        written += rows.len() as u64;
        if rows.len() < EXPORT_BATCH as usize {
            break;
        }
    }
    tx.commit()?;
    Ok(written)
}

/// Where exported rows go: JSON lines or CSV (header first) on stdout.
enum Sink {
    Jsonl(std::io::BufWriter<std::io::StdoutLock<'static>>),
    Csv(Box<csv::Writer<std::io::StdoutLock<'static>>>),
}

impl Sink {
    fn new(format: Format) -> Result<Sink> {
        let stdout = std::io::stdout().lock();
        match format {
            Format::Csv => {
                let mut w = csv::Writer::from_writer(stdout);
                w.write_record(COLUMNS).map_err(csv_error)?;
                Ok(Sink::Csv(Box::new(w)))
            }
            _ => Ok(Sink::Jsonl(std::io::BufWriter::with_capacity(
                1 << 16,
                stdout,
            ))),
        }
    }

    fn write(&mut self, e: &Entry) -> Result<()> {
        match self {
            Sink::Jsonl(w) => {
                serde_json::to_writer(&mut *w, e).map_err(json_error)?;
                w.write_all(b"\n")?;
            }
            Sink::Csv(w) => {
                let cells = e.cells();
                w.write_record(cells.iter().map(|c| neutralise_formula(c).into_owned()))
                    .map_err(csv_error)?;
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        match self {
            Sink::Jsonl(w) => w.flush()?,
            Sink::Csv(w) => w.flush()?,
        }
        Ok(())
    }
}

/// A JSON error, keeping a closed stdout (BrokenPipe) for what it is.
fn json_error(e: serde_json::Error) -> Error {
    if e.is_io() {
        Error::from(std::io::Error::from(e))
    } else {
        Error::from(e)
    }
}

fn csv_error(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::from(io),
        other => Error::Other(format!("CSV error: {other:?}")),
    }
}

// --- audit stats -----------------------------------------------------------

#[derive(Debug, Serialize)]
pub struct Stats {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub total: i64,
    pub by_actor: Vec<ActorStats>,
    pub by_source: Vec<SourceCount>,
    pub by_outcome: Vec<OutcomeCount>,
    /// Lookups of the median actor among those who made any.
    pub median_lookups: f64,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActorStats {
    pub actor: String,
    pub accesses: i64,
    pub lookups: i64,
    pub out_of_hours_lookups: i64,
    pub denied: i64,
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct SourceCount {
    pub source: String,
    pub accesses: i64,
}

#[derive(Debug, Serialize)]
pub struct OutcomeCount {
    pub outcome: String,
    pub accesses: i64,
}

/// A pattern worth a spot check.
#[derive(Debug, Serialize)]
pub struct Finding {
    pub check: &'static str,
    pub actor: String,
    pub count: i64,
    pub detail: String,
}

fn stats_command(ctx: &Context, args: &StatsArgs) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json])?;
    let filter = Filter::window(&args.window, Utc::now())?;
    let audit = Audit::new("audit_stats").detail("filter", &filter);
    let stats = guard::through(ctx, Needs::Role(Role::Auditor), audit, |tx, _, audit| {
        let scope = filter.resolve(tx)?;
        let stats = stats(tx, &scope)?;
        audit.set_detail("rows", stats.total);
        audit.set_detail("findings", stats.findings.len());
        Ok(stats)
    })?;
    if out.format == Format::Json {
        out.json(&stats)?;
    } else {
        render_stats(&mut out, &stats)?;
    }
    Ok(code::SUCCESS)
}

/// Two passes over the window: counts by (actor, outcome), from which the
/// actor and outcome totals and the findings follow, and counts by source.
fn stats(tx: &mut Transaction, scope: &Scope) -> Result<Stats> {
    let mut q = Query::default();
    let cond = scope.condition(&mut q);
    let lookups = q.param(LOOKUP_ACTIONS.map(String::from).to_vec());
    let start = q.param(WORKDAY_START_HOUR);
    let end = q.param(WORKDAY_END_HOUR);
    let by_actor_outcome = format!(
        "SELECT lower(coalesce(actor_account, '')), outcome, count(*), \
                count(*) FILTER (WHERE action = ANY({lookups}::text[])), \
                count(*) FILTER (WHERE action = ANY({lookups}::text[]) AND ( \
                    extract(hour FROM occurred_at AT TIME ZONE 'UTC') < {start}::int \
                    OR extract(hour FROM occurred_at AT TIME ZONE 'UTC') >= {end}::int \
                    OR extract(isodow FROM occurred_at AT TIME ZONE 'UTC') > 5)), \
                min(occurred_at), max(occurred_at) \
         FROM fc.audit_log WHERE {cond} GROUP BY 1, 2"
    );
    let rows = tx.query(by_actor_outcome.as_str(), &q.refs())?;
    let mut actors: BTreeMap<String, ActorStats> = BTreeMap::new();
    let mut outcomes: BTreeMap<String, i64> = BTreeMap::new();
    for r in &rows {
        let actor: String = r.get(0);
        let outcome: String = r.get(1);
        let (n, looked, late): (i64, i64, i64) = (r.get(2), r.get(3), r.get(4));
        let (first, last): (DateTime<Utc>, DateTime<Utc>) = (r.get(5), r.get(6));
        *outcomes.entry(outcome.clone()).or_default() += n;
        let a = actors.entry(actor.clone()).or_insert_with(|| ActorStats {
            actor: if actor.is_empty() {
                "(none)".into()
            } else {
                actor
            },
            accesses: 0,
            lookups: 0,
            out_of_hours_lookups: 0,
            denied: 0,
            first,
            last,
        });
        a.accesses += n;
        a.lookups += looked;
        a.out_of_hours_lookups += late;
        if outcome == "denied" {
            a.denied += n;
        }
        a.first = a.first.min(first);
        a.last = a.last.max(last);
    }
    let mut by_actor: Vec<ActorStats> = actors.into_values().collect();
    by_actor.sort_by(|a, b| {
        b.accesses
            .cmp(&a.accesses)
            .then_with(|| a.actor.cmp(&b.actor))
    });
    let mut by_outcome: Vec<OutcomeCount> = outcomes
        .into_iter()
        .map(|(outcome, accesses)| OutcomeCount { outcome, accesses })
        .collect();
    by_outcome.sort_by(|a, b| {
        b.accesses
            .cmp(&a.accesses)
            .then_with(|| a.outcome.cmp(&b.outcome))
    });
    let median = median_lookups(&by_actor);
    Ok(Stats {
        since: scope.filter.since,
        until: scope.filter.until,
        total: by_actor.iter().map(|a| a.accesses).sum(),
        by_source: by_source(tx, scope)?,
        findings: findings(&by_actor, median),
        median_lookups: median,
        by_actor,
        by_outcome,
    })
}

fn by_source(tx: &mut Transaction, scope: &Scope) -> Result<Vec<SourceCount>> {
    let mut q = Query::default();
    let cond = scope.condition(&mut q);
    let sql = format!(
        "SELECT s, count(*) FROM fc.audit_log CROSS JOIN LATERAL unnest(sources_disclosed) s \
         WHERE {cond} GROUP BY s ORDER BY 2 DESC, 1"
    );
    Ok(tx
        .query(sql.as_str(), &q.refs())?
        .iter()
        .map(|r| SourceCount {
            source: r.get(0),
            accesses: r.get(1),
        })
        .collect())
}

/// The median of the lookups of the actors who made any (0 if none did).
fn median_lookups(actors: &[ActorStats]) -> f64 {
    let mut n: Vec<i64> = actors
        .iter()
        .map(|a| a.lookups)
        .filter(|&l| l > 0)
        .collect();
    n.sort_unstable();
    match n.len() {
        0 => 0.0,
        len if len % 2 == 1 => n[len / 2] as f64,
        len => (n[len / 2 - 1] + n[len / 2]) as f64 / 2.0,
    }
}

/// The spot checks: many more lookups than the median actor, lookups out of
/// working hours, repeated denials.
fn findings(actors: &[ActorStats], median: f64) -> Vec<Finding> {
    let mut found = Vec::new();
    let by_count =
        |a: &Finding, b: &Finding| b.count.cmp(&a.count).then_with(|| a.actor.cmp(&b.actor));
    let mut busy: Vec<Finding> = actors
        .iter()
        .filter(|a| a.lookups >= BUSY_MINIMUM && a.lookups as f64 > BUSY_FACTOR * median)
        .map(|a| Finding {
            check: "many_lookups",
            actor: a.actor.clone(),
            count: a.lookups,
            detail: format!(
                "{} lookups, more than {BUSY_FACTOR} times the median actor's {median}",
                a.lookups
            ),
        })
        .collect();
    busy.sort_by(by_count);
    let mut late: Vec<Finding> = actors
        .iter()
        .filter(|a| a.out_of_hours_lookups > 0)
        .map(|a| Finding {
            check: "out_of_hours",
            actor: a.actor.clone(),
            count: a.out_of_hours_lookups,
            detail: format!(
                "{} of {} lookups before {WORKDAY_START_HOUR:02}:00 or after {WORKDAY_END_HOUR:02}:00 UTC or at a weekend",
                a.out_of_hours_lookups, a.lookups
            ),
        })
        .collect();
    late.sort_by(by_count);
    let mut denied: Vec<Finding> = actors
        .iter()
        .filter(|a| a.denied >= REPEATED_DENIALS)
        .map(|a| Finding {
            check: "repeated_denials",
            actor: a.actor.clone(),
            count: a.denied,
            detail: format!("{} denied attempts", a.denied),
        })
        .collect();
    denied.sort_by(by_count);
    found.extend(busy);
    found.extend(late);
    found.extend(denied);
    found
}

fn render_stats(out: &mut Output, s: &Stats) -> Result<()> {
    let mut actors = Table::new([
        "actor",
        "accesses",
        "lookups",
        "out of hours",
        "denied",
        "first (UTC)",
        "last (UTC)",
    ]);
    for a in &s.by_actor {
        actors.row([
            a.actor.clone(),
            a.accesses.to_string(),
            a.lookups.to_string(),
            a.out_of_hours_lookups.to_string(),
            a.denied.to_string(),
            shown_at(&a.first),
            shown_at(&a.last),
        ]);
    }
    out.table(&actors)?;
    let mut sources = Table::new(["source", "accesses"]);
    for c in &s.by_source {
        sources.row([c.source.clone(), c.accesses.to_string()]);
    }
    out.table(&sources)?;
    let mut outcomes = Table::new(["outcome", "accesses"]);
    for c in &s.by_outcome {
        outcomes.row([c.outcome.clone(), c.accesses.to_string()]);
    }
    out.table(&outcomes)?;
    let mut found = Table::new(["spot check", "actor", "count", "detail"]);
    for f in &s.findings {
        found.row([
            f.check.to_string(),
            f.actor.clone(),
            f.count.to_string(),
            f.detail.clone(),
        ]);
    }
    out.table(&found)
}
