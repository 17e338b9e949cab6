//! `famctx permission`: grant, revoke, list, review and bulk-apply data
//! source grants, through the door. famctx checks the operator against AD
//! and looks every grantee up there (exists, enabled); the database
//! functions `fc_api.permission_grant`, `_revoke`, `_apply`, `_list` and
//! `_review` (sql/migrations/V9) check the caller again, validate the whole
//! request, apply it as a set and write one audit row a change plus one for
//! the request, in the same transaction.

use std::collections::HashMap;
use std::io::{IsTerminal, Read};

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::action::Action as AuditAction;
use crate::context::Context;
use crate::directory::{self, Account};
use crate::error::{code, Error, Result};
use crate::guard::{Door, Needs, Role};
use crate::output::Format;
use crate::output::{Output, Table};
use crate::when;

/// A bulk apply that changes more grants than this asks for confirmation.
const CONFIRM_OVER: usize = 5;
/// Largest bulk file accepted.
const MAX_FILE: u64 = 64 * 1024 * 1024;

#[derive(Debug, Subcommand)]
pub enum PermissionCommand {
    /// Grant a user one or more data sources
    Grant(GrantArgs),
    /// Revoke a user's grants (history is kept)
    Revoke(RevokeArgs),
    /// What a user may see, or who may see a source, now or at a past moment
    List(ListArgs),
    /// Grants to recertify: expiring soon, or unused for a while
    Review(ReviewArgs),
    /// Apply grants and revokes in bulk from CSV or JSON lines, all or nothing
    #[command(long_about = "Apply grants and revokes in bulk, all or nothing.\n\n\
        CSV needs the header `action,user,source,expires,reason,ticket`; JSON lines carry the same \
        keys. action is grant or revoke; user an AD account name; source a data source code; expires \
        a date (the grant ends when that day ends, UTC) or RFC 3339 time, empty for none; reason is \
        required; ticket is optional. Any bad row rejects the whole file, listing every bad row \
        with its line number, and nothing changes.")]
    Apply(ApplyArgs),
}

#[derive(Debug, Args)]
pub struct GrantArgs {
    /// The grantee's AD account name
    #[arg(id = "grantee", value_name = "USER")]
    pub user: String,
    /// Data source codes (see `famctx source list`); on a terminal, asked when missing
    #[arg(long = "source", value_name = "CODE", num_args = 1..)]
    pub sources: Vec<String>,
    /// When the grant ends: a date (the end of that day, UTC) or an RFC 3339 time
    #[arg(long, value_name = "DATE", conflicts_with = "for_")]
    pub expires: Option<String>,
    /// How long the grant lasts, e.g. 90d or 12w
    #[arg(long = "for", value_name = "DURATION")]
    pub for_: Option<String>,
    /// Why (recorded with the grant and in the audit trail)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Change or service desk reference
    #[arg(long, value_name = "REF")]
    pub ticket: Option<String>,
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The grantee's AD account name
    #[arg(id = "grantee", value_name = "USER")]
    pub user: String,
    /// Data source codes to revoke
    #[arg(long = "source", value_name = "CODE", num_args = 1.., required_unless_present = "all")]
    pub sources: Vec<String>,
    /// Revoke every source the user holds
    #[arg(long, conflicts_with = "sources")]
    pub all: bool,
    /// Why (recorded with the revocation and in the audit trail)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Do not ask for confirmation
    #[arg(short = 'y', long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this user's grants
    #[arg(id = "grantee", value_name = "USER")]
    pub user: Option<String>,
    /// Only grants on this source ("who can see housing?")
    #[arg(long, value_name = "CODE")]
    pub source: Option<String>,
    /// As of this moment (date, RFC 3339 time, or a span back such as 30d)
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
    /// Include grants that had ended (revoked or expired) by then
    #[arg(long)]
    pub include_ended: bool,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Grants that expire within this many days
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(i32).range(1..=3650))]
    pub expiring_within: Option<i32>,
    /// Grants whose source the grantee has not looked at for this many days
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(i32).range(1..=3650))]
    pub unused_for: Option<i32>,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// CSV or JSON-lines file, or - for standard input
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Print what would change, and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation
    #[arg(short = 'y', long)]
    pub yes: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Grant,
    Revoke,
}

impl Action {
    fn name(self) -> &'static str {
        match self {
            Action::Grant => "grant",
            Action::Revoke => "revoke",
        }
    }
}

/// One requested change, from the command line or a line of a file.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub line: usize,
    pub action: Action,
    pub user: String,
    pub source: String,
    pub expires: Option<DateTime<Utc>>,
    pub reason: String,
    pub ticket: Option<String>,
}

/// What a change did (or, in a dry run, would do), as the database reports it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outcome {
    pub line: usize,
    pub action: Action,
    pub user: String,
    pub source: String,
    pub expires: Option<DateTime<Utc>>,
    pub reason: String,
    pub ticket: Option<String>,
    pub effect: String,
    pub previous_expires: Option<DateTime<Utc>>,
}

/// The result of `fc_api.permission_grant`, `_revoke` and `_apply`.
#[derive(Debug, Deserialize)]
struct Applied {
    changes: usize,
    outcomes: Vec<Outcome>,
}

/// A bad row of a bulk file, or a bad argument.
#[derive(Debug, Clone)]
struct Problem {
    line: usize,
    what: String,
}

fn rejected(problems: &[Problem], whole: &str) -> Error {
    let mut lines: Vec<String> = problems
        .iter()
        .map(|p| format!("  line {}: {}", p.line, p.what))
        .collect();
    lines.sort_by_key(|l| {
        l.split(':')
            .next()
            .and_then(|n| n.trim().strip_prefix("line ")?.parse::<usize>().ok())
    });
    Error::Usage(format!(
        "{whole}; nothing was changed:\n{}",
        lines.join("\n")
    ))
}

pub fn run(ctx: &Context, command: &PermissionCommand) -> Result<u8> {
    match command {
        PermissionCommand::Grant(a) => grant(ctx, a),
        PermissionCommand::Revoke(a) => revoke(ctx, a),
        PermissionCommand::List(a) => list(ctx, a),
        PermissionCommand::Review(a) => review(ctx, a),
        PermissionCommand::Apply(a) => apply(ctx, a),
    }
}

fn required_reason(reason: Option<&str>) -> Result<String> {
    match reason {
        Some(r) => crate::text::free_text("--reason", r, 500),
        None => Err(Error::Usage(
            "--reason is required: say why, e.g. --reason \"joined the MASH team\"".into(),
        )),
    }
}

fn ticket(ticket: Option<&str>) -> Result<Option<String>> {
    ticket
        .map(|t| crate::text::free_text("--ticket", t, 100))
        .transpose()
}

fn grant(ctx: &Context, args: &GrantArgs) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json, Format::Csv])?;
    directory::check_account_name(&args.user)
        .map_err(|why| Error::Usage(format!("{}: {why}", crate::text::shorten(&args.user))))?;
    let reason = required_reason(args.reason.as_deref())?;
    let ticket = ticket(args.ticket.as_deref())?;
    let now = DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap_or_else(Utc::now);
    let expires = match (&args.expires, &args.for_) {
        (Some(e), _) => Some(when::parse_expiry(e, now)?),
        (None, Some(d)) => Some(now + when::parse_duration(d)?),
        (None, None) => None,
    };
    if args.sources.is_empty() && !interactive() {
        return Err(Error::Usage(
            "--source is required: give one or more codes from `famctx source list`".into(),
        ));
    }
    let mut door = Door::open(
        ctx,
        Needs::Role(Role::Admin),
        AuditAction::PermissionApplied,
        None,
        Some(&reason),
    )?;
    let sources = if args.sources.is_empty() {
        choose_sources(&mut door)?
    } else {
        args.sources.clone()
    };
    let found = lookup(&mut door, std::slice::from_ref(&args.user))?;
    let mut request = grantee(&args.user, &found);
    request["sources"] = json!(sources);
    request["expires"] = json!(expires);
    request["reason"] = json!(reason);
    request["ticket"] = json!(ticket);
    let applied = submit(
        &mut door,
        "permission_grant",
        request,
        false,
        Confirm::Never,
    )?;
    render(&mut out, &applied.outcomes, false)?;
    Ok(code::SUCCESS)
}

fn revoke(ctx: &Context, args: &RevokeArgs) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json, Format::Csv])?;
    directory::check_account_name(&args.user)
        .map_err(|why| Error::Usage(format!("{}: {why}", crate::text::shorten(&args.user))))?;
    let reason = required_reason(args.reason.as_deref())?;
    let confirm = if args.yes {
        Confirm::Never
    } else {
        Confirm::Always
    };
    let mut door = Door::open(
        ctx,
        Needs::Role(Role::Admin),
        AuditAction::PermissionApplied,
        None,
        Some(&reason),
    )?;
    let found = lookup(&mut door, std::slice::from_ref(&args.user))?;
    let mut request = grantee(&args.user, &found);
    if args.all {
        request["all"] = json!(true);
    } else {
        request["sources"] = json!(args.sources);
    }
    request["reason"] = json!(reason);
    let applied = submit(&mut door, "permission_revoke", request, false, confirm)?;
    render(&mut out, &applied.outcomes, false)?;
    Ok(code::SUCCESS)
}

fn apply(ctx: &Context, args: &ApplyArgs) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json, Format::Csv])?;
    if args.file == "-" && ctx.settings.password_stdin {
        return Err(Error::Usage(
            "the changes and the password cannot both come on standard input: use --password-file"
                .into(),
        ));
    }
    let bytes = read_input(&args.file)?;
    let changes = parse_changes(&bytes, Utc::now())?;
    let confirm = if args.yes || args.dry_run {
        Confirm::Never
    } else {
        Confirm::Over(CONFIRM_OVER)
    };
    let mut door = Door::open(
        ctx,
        Needs::Role(Role::Admin),
        AuditAction::PermissionApplied,
        None,
        None,
    )?;
    let users: Vec<String> = changes.iter().map(|c| c.user.clone()).collect();
    let found = lookup(&mut door, &users)?;
    let rows: Vec<Value> = changes
        .iter()
        .map(|c| {
            let mut row = grantee(&c.user, &found);
            row["line"] = json!(c.line);
            row["action"] = json!(c.action);
            row["source"] = json!(c.source);
            row["expires"] = json!(c.expires);
            row["reason"] = json!(c.reason);
            row["ticket"] = json!(c.ticket);
            row
        })
        .collect();
    let request = json!({ "command": "apply", "changes": rows });
    let applied = submit(
        &mut door,
        "permission_apply",
        request,
        args.dry_run,
        confirm,
    )?;
    render(&mut out, &applied.outcomes, args.dry_run)?;
    Ok(code::SUCCESS)
}

/// The grantees, looked up in AD in batches (bound as the operator), by lower-case name.
fn lookup(door: &mut Door, users: &[String]) -> Result<HashMap<String, Account>> {
    let mut names: Vec<String> = users.iter().map(|u| u.to_lowercase()).collect();
    names.sort();
    names.dedup();
    door.directory().accounts(&names)
}

/// A grantee as the door functions take it: the name as typed and the AD identity, or what
/// is wrong with the account (the database refuses the request, listing it).
fn grantee(user: &str, found: &HashMap<String, Account>) -> Value {
    match found.get(&user.to_lowercase()) {
        None => json!({
            "user": user,
            "problem": format!("no account {user:?} in Active Directory"),
        }),
        Some(a) => {
            let mut g = json!({
                "user": user,
                "guid": a.guid,
                "account": a.sam,
                "display": a.display_name,
            });
            if let Err(state) = a.usable() {
                g["problem"] = json!(format!("account {} is {state} in Active Directory", a.sam));
            }
            g
        }
    }
}

fn read_input(file: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let reader: Box<dyn Read> = if file == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(
            std::fs::File::open(file)
                .map_err(|e| Error::Usage(format!("cannot read {file}: {e}")))?,
        )
    };
    reader
        .take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::Usage(format!("cannot read {file}: {e}")))?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(Error::Usage(format!(
            "{file} is larger than {} MB: split it",
            MAX_FILE / 1024 / 1024
        )));
    }
    Ok(bytes)
}

#[derive(Debug, Clone, Copy)]
enum Confirm {
    Never,
    Always,
    Over(usize),
}

/// The shared path of grant, revoke and apply. When the change may need confirmation, the
/// database plans it first (a dry run, audited as such); the operator confirms; then the
/// change is made, refused by the database if the plan no longer holds.
fn submit(
    door: &mut Door,
    function: &str,
    mut request: Value,
    dry_run: bool,
    policy: Confirm,
) -> Result<Applied> {
    if dry_run {
        request["dry_run"] = json!(true);
        return applied(door.call(function, request)?);
    }
    if !matches!(policy, Confirm::Never) {
        let mut plan = request.clone();
        plan["dry_run"] = json!(true);
        let planned = applied(door.call(function, plan)?)?;
        confirm(policy, planned.changes, &planned.outcomes)?;
        request["confirmed_changes"] = json!(planned.changes);
    }
    applied(door.call(function, request)?)
}

fn applied(result: Value) -> Result<Applied> {
    serde_json::from_value(result)
        .map_err(|e| Error::Other(format!("the database's answer was not understood: {e}")))
}

fn changes_something(effect: &str) -> bool {
    matches!(effect, "added" | "extended" | "revoked")
}

fn confirm(policy: Confirm, changing: usize, planned: &[Outcome]) -> Result<()> {
    let needed = match policy {
        Confirm::Never => false,
        Confirm::Always => changing > 0,
        Confirm::Over(n) => changing > n,
    };
    if !needed {
        return Ok(());
    }
    if !interactive() {
        return Err(Error::Usage(format!(
            "{changing} change(s) need confirmation and there is no terminal to ask: check them with --dry-run, then rerun with --yes"
        )));
    }
    for o in planned
        .iter()
        .filter(|o| changes_something(&o.effect))
        .take(20)
    {
        eprintln!(
            "  {} {} {} ({})",
            o.action.name(),
            o.user,
            o.source,
            o.effect
        );
    }
    if changing > 20 {
        eprintln!("  ... and {} more", changing - 20);
    }
    let yes = dialoguer::Confirm::new()
        .with_prompt(format!("Apply {changing} change(s)?"))
        .default(false)
        .interact()
        .map_err(|e| Error::Usage(format!("cannot ask for confirmation: {e}")))?;
    if yes {
        Ok(())
    } else {
        Err(Error::Usage("not confirmed; nothing was changed".into()))
    }
}

fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// The data sources to grant, chosen on the terminal from `fc_api.source_list`.
fn choose_sources(door: &mut Door) -> Result<Vec<String>> {
    let listed = door.call("source_list", json!({}))?;
    let all: Vec<String> = listed
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.get("code").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let picked = dialoguer::MultiSelect::new()
        .with_prompt("Data sources to grant (space to select, enter to confirm)")
        .items(&all)
        .interact()
        .map_err(|e| Error::Usage(format!("cannot ask for sources: {e}")))?;
    if picked.is_empty() {
        return Err(Error::Usage("no source chosen; nothing was changed".into()));
    }
    Ok(picked
        .into_iter()
        .filter_map(|i| all.get(i).cloned())
        .collect())
}

fn render(out: &mut Output, outcomes: &[Outcome], dry_run: bool) -> Result<()> {
    if out.format == Format::Json {
        return out.json(outcomes);
    }
    let mut t = Table::new(["line", "action", "user", "source", "expires", "effect"]);
    for o in outcomes {
        t.row([
            if o.line > 0 {
                o.line.to_string()
            } else {
                String::new()
            },
            o.action.name().to_string(),
            o.user.clone(),
            o.source.clone(),
            o.expires
                .map(|e| e.format("%Y-%m-%d %H:%M:%S UTC").to_string())
                .unwrap_or_else(|| "never".into()),
            if dry_run {
                format!("would be {}", o.effect.replace('_', " "))
            } else {
                o.effect.replace('_', " ")
            },
        ]);
    }
    out.table(&t)
}

/// One row of a bulk file, as CSV or JSON lines carry it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    action: Option<String>,
    user: Option<String>,
    source: Option<String>,
    expires: Option<String>,
    reason: Option<String>,
    ticket: Option<String>,
}

const HEADER: [&str; 6] = ["action", "user", "source", "expires", "reason", "ticket"];

/// Parses a bulk file (CSV with the documented header, or JSON lines),
/// checking every row and reporting every bad one with its line number.
pub fn parse_changes(bytes: &[u8], now: DateTime<Utc>) -> Result<Vec<Change>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        Error::Usage(format!(
            "line {line}: the file is not UTF-8 text; nothing was changed"
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let rows = if first.trim_start().starts_with('{') {
        json_rows(text)?
    } else {
        csv_rows(text)?
    };
    if rows.is_empty() {
        return Err(Error::Usage("the file has no rows".into()));
    }
    let mut changes = Vec::new();
    let mut problems = Vec::new();
    for (line, row) in rows {
        match change(line, row, now) {
            Ok(c) => changes.push(c),
            Err(what) => problems.extend(what.into_iter().map(|w| Problem { line, what: w })),
        }
    }
    if problems.is_empty() {
        Ok(changes)
    } else {
        Err(rejected(
            &problems,
            &format!(
                "{} bad row(s)",
                problems
                    .iter()
                    .map(|p| p.line)
                    .collect::<std::collections::BTreeSet<_>>()
                    .len()
            ),
        ))
    }
}

fn csv_rows(text: &str) -> Result<Vec<(usize, Row)>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| Error::Usage(format!("line 1: {e}")))?
        .clone();
    let got: Vec<&str> = headers.iter().collect();
    let unknown: Vec<&str> = got
        .iter()
        .copied()
        .filter(|h| !HEADER.contains(h))
        .collect();
    let missing: Vec<&str> = HEADER
        .iter()
        .copied()
        .filter(|h| !got.contains(h) && *h != "ticket" && *h != "expires")
        .collect();
    if !unknown.is_empty() || !missing.is_empty() {
        return Err(Error::Usage(format!(
            "line 1: the header must be {} (unknown: {}; missing: {}); nothing was changed",
            HEADER.join(","),
            if unknown.is_empty() {
                "none".into()
            } else {
                unknown.join(", ")
            },
            if missing.is_empty() {
                "none".into()
            } else {
                missing.join(", ")
            },
        )));
    }
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) => {
                let line = r.position().map(|p| p.line() as usize).unwrap_or(0);
                if r.iter().all(|f| f.is_empty()) {
                    continue;
                }
                let get = |k: &str| {
                    headers
                        .iter()
                        .position(|h| h == k)
                        .and_then(|i| r.get(i))
                        .filter(|v| !v.is_empty())
                        .map(str::to_string)
                };
                rows.push((
                    line,
                    Row {
                        action: get("action"),
                        user: get("user"),
                        source: get("source"),
                        expires: get("expires"),
                        reason: get("reason"),
                        ticket: get("ticket"),
                    },
                ));
            }
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                problems.push(Problem {
                    line,
                    what: csv_problem(&e),
                });
            }
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(rejected(&problems, "unreadable CSV"))
    }
}

fn csv_problem(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("{len} fields where the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".into(),
        _ => "unreadable CSV".into(),
    }
}

fn json_rows(text: &str) -> Result<Vec<(usize, Row)>> {
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Row>(line) {
            Ok(r) => rows.push((n + 1, r)),
            Err(e) => problems.push(Problem {
                line: n + 1,
                what: format!("not a JSON object with the keys {}: {e}", HEADER.join(", ")),
            }),
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(rejected(&problems, "unreadable JSON lines"))
    }
}

fn change(line: usize, row: Row, now: DateTime<Utc>) -> std::result::Result<Change, Vec<String>> {
    let mut problems = Vec::new();
    let action = match row.action.as_deref().map(str::trim) {
        Some(a) if a.eq_ignore_ascii_case("grant") => Some(Action::Grant),
        Some(a) if a.eq_ignore_ascii_case("revoke") => Some(Action::Revoke),
        Some(a) => {
            problems.push(format!(
                "action {} is not grant or revoke",
                crate::text::shorten(a)
            ));
            None
        }
        None => {
            problems.push("action is missing (grant or revoke)".into());
            None
        }
    };
    let user = row.user.as_deref().map(str::trim).unwrap_or("");
    if user.is_empty() {
        problems.push("user is missing".into());
    } else if let Err(why) = directory::check_account_name(user) {
        problems.push(format!(
            "user {} is not an account name: {why}",
            crate::text::shorten(user)
        ));
    }
    let source = row
        .source
        .as_deref()
        .map(str::trim)
        .unwrap_or("")
        .to_string();
    if source.is_empty() {
        problems.push("source is missing".into());
    }
    let expires = match row
        .expires
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        None => None,
        Some(_) if action == Some(Action::Revoke) => {
            problems.push("a revoke takes no expiry".into());
            None
        }
        Some(e) => match when::parse_expiry(e, now) {
            Ok(at) => Some(at),
            Err(err) => {
                problems.push(err.message().to_string());
                None
            }
        },
    };
    let reason = match row
        .reason
        .as_deref()
        .map(|r| crate::text::free_text("reason", r, 500))
    {
        Some(Ok(r)) => Some(r),
        Some(Err(e)) => {
            problems.push(e.message().to_string());
            None
        }
        None => {
            problems.push("reason is missing".into());
            None
        }
    };
    let ticket = match row
        .ticket
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(|t| crate::text::free_text("ticket", t, 100))
    {
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => {
            problems.push(e.message().to_string());
            None
        }
        None => None,
    };
    match (action, reason, problems.is_empty()) {
        (Some(action), Some(reason), true) => Ok(Change {
            line,
            action,
            user: user.to_string(),
            source,
            expires,
            reason,
            ticket,
        }),
        _ => Err(problems),
    }
}

fn list(ctx: &Context, args: &ListArgs) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json, Format::Csv])?;
    let at = args
        .as_of
        .as_deref()
        .map(|t| when::parse_instant(t, Utc::now()))
        .transpose()?;
    if let Some(u) = &args.user {
        directory::check_account_name(u)
            .map_err(|why| Error::Usage(format!("{}: {why}", crate::text::shorten(u))))?;
    }
    let mut door = Door::open(
        ctx,
        Needs::Role(Role::Admin),
        AuditAction::PermissionListed,
        None,
        None,
    )?;
    let mut request = match &args.user {
        None => json!({}),
        Some(u) => {
            let found = lookup(&mut door, std::slice::from_ref(u))?;
            match found.get(&u.to_lowercase()) {
                Some(a) => json!({ "user": u, "guid": a.guid, "account": a.sam }),
                None => json!({
                    "user": u,
                    "problem": format!("no account {u:?} in Active Directory"),
                }),
            }
        }
    };
    request["source"] = json!(args.source);
    request["as_of"] = json!(at);
    request["include_ended"] = json!(args.include_ended);
    let rows: Vec<ListedGrant> = serde_json::from_value(door.call("permission_list", request)?)
        .map_err(|e| Error::Other(format!("the database's answer was not understood: {e}")))?;
    if out.format == Format::Json {
        out.json(&rows)?;
    } else if out.format == Format::Csv {
        out.csv_records(&rows)?;
    } else {
        let mut t = Table::new([
            "user",
            "source",
            "status",
            "granted by",
            "from",
            "expires",
            "revoked",
            "reason",
            "ticket",
        ]);
        for g in &rows {
            t.row([
                g.user.clone(),
                g.source.clone(),
                g.status.clone(),
                g.granted_by.clone(),
                g.valid_from.format("%Y-%m-%d %H:%M").to_string(),
                g.expires_at
                    .map(|e| e.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_else(|| "never".into()),
                g.revoked_at
                    .map(|r| {
                        format!(
                            "{} by {} ({})",
                            r.format("%Y-%m-%d %H:%M"),
                            g.revoked_by.clone().unwrap_or_default(),
                            g.revoke_reason.clone().unwrap_or_default()
                        )
                    })
                    .unwrap_or_default(),
                g.reason.clone(),
                g.ticket.clone().unwrap_or_default(),
            ]);
        }
        out.table(&t)?;
    }
    Ok(code::SUCCESS)
}

/// A grant as `fc_api.permission_list` reports it.
#[derive(Debug, Serialize, Deserialize)]
pub struct ListedGrant {
    pub user: String,
    pub source: String,
    pub status: String,
    pub granted_by: String,
    pub reason: String,
    pub ticket: Option<String>,
    pub valid_from: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
    pub revoke_reason: Option<String>,
}

/// A grant to recertify, as `fc_api.permission_review` reports it.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReviewedGrant {
    pub user: String,
    pub source: String,
    pub granted_by: String,
    pub reason: String,
    pub ticket: Option<String>,
    pub valid_from: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used: Option<DateTime<Utc>>,
    pub why: String,
}

fn review(ctx: &Context, args: &ReviewArgs) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json, Format::Csv])?;
    let mut door = Door::open(
        ctx,
        Needs::Role(Role::Admin),
        AuditAction::PermissionReviewed,
        None,
        None,
    )?;
    let request = json!({
        "expiring_within_days": args.expiring_within,
        "unused_for_days": args.unused_for,
    });
    let rows: Vec<ReviewedGrant> = serde_json::from_value(door.call("permission_review", request)?)
        .map_err(|e| Error::Other(format!("the database's answer was not understood: {e}")))?;
    if out.format == Format::Json {
        out.json(&rows)?;
    } else if out.format == Format::Csv {
        out.csv_records(&rows)?;
    } else {
        let mut t = Table::new([
            "user",
            "source",
            "expires",
            "last used",
            "why",
            "granted by",
            "reason",
        ]);
        let day = |d: Option<DateTime<Utc>>, none: &str| {
            d.map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| none.to_string())
        };
        for g in &rows {
            t.row([
                g.user.clone(),
                g.source.clone(),
                day(g.expires_at, "never"),
                day(g.last_used, "never"),
                g.why.clone(),
                g.granted_by.clone(),
                g.reason.clone(),
            ]);
        }
        out.table(&t)?;
    }
    Ok(code::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-29T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn csv_and_json_lines_parse_to_the_same_changes() {
        let csv = "action,user,source,expires,reason,ticket\ngrant,sw.alice,housing,2027-01-31,MASH,CHG-1\nrevoke,eh.bob,police,,left team,\n";
        let jsonl = "{\"action\":\"grant\",\"user\":\"sw.alice\",\"source\":\"housing\",\"expires\":\"2027-01-31\",\"reason\":\"MASH\",\"ticket\":\"CHG-1\"}\n{\"action\":\"revoke\",\"user\":\"eh.bob\",\"source\":\"police\",\"reason\":\"left team\"}\n";
        let a = parse_changes(csv.as_bytes(), now()).unwrap();
        let b = parse_changes(jsonl.as_bytes(), now()).unwrap();
        assert_eq!(
            serde_json::to_string(
                &a.iter()
                    .map(|c| (&c.action, &c.user, &c.source, c.expires, &c.reason, &c.ticket))
                    .collect::<Vec<_>>()
            )
            .unwrap(),
            serde_json::to_string(
                &b.iter()
                    .map(|c| (&c.action, &c.user, &c.source, c.expires, &c.reason, &c.ticket))
                    .collect::<Vec<_>>()
            )
            .unwrap()
        );
        assert_eq!(a[0].line, 2);
        assert_eq!(a[1].line, 3);
    }

    #[test]
    fn every_bad_row_is_named() {
        let csv = "action,user,source,expires,reason,ticket\ngrant,sw.alice,housing,2020-01-01,x,\ndelete,eh.bob,police,,y,\ngrant,*,school,,,\ngrant,ok.user,school,,fine,\n";
        let err = parse_changes(csv.as_bytes(), now())
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2: expiry"), "{err}");
        assert!(err.contains("line 3: action"), "{err}");
        assert!(err.contains("line 4: user"), "{err}");
        assert!(err.contains("line 4: reason is missing"), "{err}");
        assert!(!err.contains("line 5"), "{err}");
        assert!(parse_changes(b"action,user\n", now()).is_err());
        assert!(parse_changes(b"action,user,source,reason,extra\n", now())
            .unwrap_err()
            .to_string()
            .contains("unknown: extra"));
        assert!(parse_changes(b"\xff\xfe", now()).is_err());
    }
}
