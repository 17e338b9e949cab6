//! Grant, revoke and apply: the change pipeline. Arguments are checked here, every grantee is
//! looked up in AD through the door, the database plans the change when it needs confirming,
//! the operator confirms, and the database applies it and writes the audit rows.

use std::collections::HashMap;
use std::io::Read;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::problems::{self, Rejection};
use super::{
    check_account_name, lookup, Action, ApplyArgs, Change, Draft, Found, GrantArgs, RevokeArgs,
};
use crate::action::Action as AuditAction;
use crate::ask::interactive;
use crate::context::Context;
use crate::error::{code, Error, Result};
use crate::guard::{Door, Needs, Role};
use crate::output::Format;
use crate::output::{Output, Table};
use crate::progress::Progress;
use crate::when;

/// A bulk apply that changes more grants than this asks for confirmation.
const CONFIRM_OVER: usize = 5;
/// Largest bulk file accepted.
const MAX_FILE: u64 = 64 * 1024 * 1024;

/// What a change did (or, in a dry run, would do) to one grant, as the database names it
/// (`fc.plan_grants`, `fc.apply_plan`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// A new grant.
    Added,
    /// A held grant given a later expiry.
    Extended,
    /// Already held as asked: nothing changes.
    Unchanged,
    /// A held grant ended.
    Revoked,
    /// A revoke of a grant the user does not hold: nothing changes.
    NotGranted,
}

impl Effect {
    /// The audit action the database writes for this effect (none when nothing changes), and
    /// its words for the table: the one place an effect is given a meaning.
    fn meaning(self) -> (Option<AuditAction>, &'static str) {
        match self {
            Effect::Added => (Some(AuditAction::PermissionGranted), "added"),
            Effect::Extended => (Some(AuditAction::PermissionExtended), "extended"),
            Effect::Unchanged => (None, "unchanged"),
            Effect::Revoked => (Some(AuditAction::PermissionRevoked), "revoked"),
            Effect::NotGranted => (None, "not granted"),
        }
    }

    /// The audit action of this effect; none when nothing changes.
    pub fn audit(self) -> Option<AuditAction> {
        self.meaning().0
    }

    /// How the table says this effect.
    pub fn words(self) -> &'static str {
        self.meaning().1
    }

    /// Whether the effect changes a grant (and so is confirmed and audited).
    fn changes_something(self) -> bool {
        self.audit().is_some()
    }
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
    pub effect: Effect,
    pub previous_expires: Option<DateTime<Utc>>,
}

/// The result of `fc_api.permission_grant`, `_revoke` and `_apply`.
#[derive(Debug, Deserialize)]
struct Applied {
    changes: usize,
    outcomes: Vec<Outcome>,
}

/// The result of `fc_api.permission_apply` asked for in short (`"outcomes": "compact"`): what
/// each change does, by its place among the changes sent, which famctx keeps.
#[derive(Debug, Deserialize)]
struct Effects {
    changes: usize,
    outcomes: Vec<Effected>,
}

/// What one change does (or would do), in short.
#[derive(Debug, Deserialize)]
struct Effected {
    /// The change's place among those sent, from 0.
    i: usize,
    effect: Effect,
    /// The expiry the database read.
    expires: Option<DateTime<Utc>>,
    previous_expires: Option<DateTime<Utc>>,
}

impl Effects {
    /// The full outcomes: each change as sent, with what the database says it does.
    fn applied(self, sent: &[Change]) -> Result<Applied> {
        let outcomes = self
            .outcomes
            .into_iter()
            .map(|e| {
                let c = sent.get(e.i).ok_or_else(|| {
                    Error::Other(format!(
                        "the database answered for change {} of {} sent",
                        e.i,
                        sent.len()
                    ))
                })?;
                Ok(Outcome {
                    line: c.line,
                    action: c.action,
                    user: c.user.clone(),
                    source: c.source.clone(),
                    expires: e.expires,
                    reason: c.reason.clone(),
                    ticket: c.ticket.clone(),
                    effect: e.effect,
                    previous_expires: e.previous_expires,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Applied {
            changes: self.changes,
            outcomes,
        })
    }
}

pub(super) fn required_reason(reason: Option<&str>) -> Result<String> {
    match reason {
        Some(r) => crate::text::free_text("--reason", r, 500),
        None => Err(Error::Usage(
            "--reason is required: say why, e.g. --reason \"joined the MASH team\"".into(),
        )),
    }
}

pub(super) fn ticket(ticket: Option<&str>) -> Result<Option<String>> {
    ticket
        .map(|t| crate::text::free_text("--ticket", t, 100))
        .transpose()
}

pub(super) fn grant(ctx: &Context, args: &GrantArgs) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json, Format::Csv])?;
    check_account_name(&args.user)
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
        &request,
        false,
        Confirm::Never,
        None,
        Ok,
    )?;
    render(&mut out, &applied.outcomes, false)?;
    Ok(code::SUCCESS)
}

pub(super) fn revoke(ctx: &Context, args: &RevokeArgs) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json, Format::Csv])?;
    check_account_name(&args.user)
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
    let applied = submit(
        &mut door,
        "permission_revoke",
        &request,
        false,
        confirm,
        None,
        Ok,
    )?;
    render(&mut out, &applied.outcomes, false)?;
    Ok(code::SUCCESS)
}

pub(super) fn apply(ctx: &Context, args: &ApplyArgs) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json, Format::Csv])?;
    if args.file == "-" && ctx.settings.password_stdin {
        return Err(Error::Usage(
            "the changes and the password cannot both come on standard input: use --password-file"
                .into(),
        ));
    }
    let bytes = read_input(&args.file)?;
    let mut drafts = super::read_bulk(&bytes, Utc::now())?;
    let confirm = if args.yes || args.dry_run {
        Confirm::Never
    } else {
        Confirm::Over(CONFIRM_OVER)
    };
    let mut door = Door::open_signing_in(
        ctx,
        Needs::Role(Role::Admin),
        AuditAction::PermissionApplied,
    )?;
    // Every line is checked whatever else is wrong with it: the grantees it names are looked
    // up in AD (all at once, in batches), and compared with the operator. PostgreSQL signs the
    // operator in meanwhile; its refusal comes first, as when it came before the lookups.
    let users: Vec<String> = drafts
        .iter()
        .filter_map(|d| d.account_name.clone())
        .collect();
    let found = lookup(&mut door, &users);
    door.signed_in()?;
    let found = found?;
    let me = door.operator().account.clone();
    problems::check_accounts(&mut drafts, &found, (me.guid, &me.sam));
    problems::check_contradictions(&mut drafts);
    if problems::any(&drafts) {
        let known = known_sources(&mut door)?;
        problems::check_sources(&mut drafts, &known);
        return refuse(&mut door, &mut out, &drafts, &found);
    }
    let changes: Vec<Change> = drafts.iter().filter_map(Draft::change).collect();
    let request = BulkRequest {
        command: "apply",
        outcomes: "compact",
        changes: changes.iter().map(|c| BulkRow::of(c, &found)).collect(),
    };
    let applied = match submit(
        &mut door,
        "permission_apply",
        &request,
        args.dry_run,
        confirm,
        Some(changes.len()),
        |effects: Effects| effects.applied(&changes),
    ) {
        Ok(applied) => applied,
        // The database refused the file (and recorded it). The one check famctx has not made
        // yet is the sources': made now, it lists the file's problems as a report.
        Err(Stopped::Database(e @ Error::Usage(_))) => {
            let known = known_sources(&mut door)?;
            problems::check_sources(&mut drafts, &known);
            if !problems::any(&drafts) {
                return Err(e);
            }
            let rejection = Rejection::of(&drafts);
            rejection.render(&mut out)?;
            return Err(Error::Usage(rejection.summary()));
        }
        Err(stopped) => return Err(stopped.into()),
    };
    render(&mut out, &applied.outcomes, args.dry_run)?;
    Ok(code::SUCCESS)
}

/// Refuses a file with bad lines. The database is given the file (as a dry run, so that it can
/// change nothing) and refuses it as it would have, recording the refusal; then the report
/// lists every problem. Nothing is shown if the refusal could not be recorded.
fn refuse(
    door: &mut Door,
    out: &mut Output,
    drafts: &[Draft],
    found: &HashMap<String, Found>,
) -> Result<u8> {
    let rows: Vec<Value> = drafts
        .iter()
        .map(|d| problems::request_row(d, found))
        .collect();
    let request = json!({ "command": "apply", "changes": rows, "dry_run": true });
    let progress = Progress::spinner("recording the refusal");
    let refused = door.call("permission_apply", request);
    progress.finish();
    let rejection = Rejection::of(drafts);
    let summary = rejection.summary();
    let err = match refused {
        Err(Error::NotPermitted(_)) => Error::NotPermitted(summary),
        Err(Error::Usage(_)) => Error::Usage(summary),
        // The database judges every line as famctx does (or is told what only famctx could
        // see), so it must refuse too. It was a dry run: nothing changed, but the trail
        // records it as allowed.
        Ok(_) => Error::Other(format!(
            "{summary}; the database accepted the file as a dry run (recorded as allowed, \
             nothing changed) where it should have refused it: report this to the Family \
             Context administrators"
        )),
        Err(other) => return Err(other),
    };
    rejection.render(out)?;
    Err(err)
}

/// The codes of the data sources, from `fc_api.source_list`.
fn known_sources(door: &mut Door) -> Result<Vec<String>> {
    let listed = door.call("source_list", json!({}))?;
    Ok(listed
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.get("code").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default())
}

/// A bulk file's changes as `fc_api.permission_apply` takes them, its outcomes asked for in
/// short (famctx keeps the changes it sent).
#[derive(Serialize)]
struct BulkRequest<'a> {
    command: &'static str,
    outcomes: &'static str,
    changes: Vec<BulkRow<'a>>,
}

/// One change of a bulk file as the door functions take it: the change and its grantee, as
/// [`grantee`] gives the grantee (written as a struct: a file of 10,000 changes is not built as
/// a `Value` first).
#[derive(Serialize)]
struct BulkRow<'a> {
    line: usize,
    action: Action,
    user: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    guid: Option<uuid::Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    display: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<String>,
    source: &'a str,
    expires: Option<DateTime<Utc>>,
    reason: &'a str,
    ticket: Option<&'a str>,
}

impl<'a> BulkRow<'a> {
    fn of(c: &'a Change, found: &'a HashMap<String, Found>) -> BulkRow<'a> {
        let a = found.get(&c.user.to_lowercase());
        BulkRow {
            line: c.line,
            action: c.action,
            user: &c.user,
            guid: a.map(|a| a.guid),
            account: a.map(|a| a.account.as_str()),
            display: a.map(|a| a.display.as_deref()),
            problem: grantee_problem(&c.user, a),
            source: &c.source,
            expires: c.expires,
            reason: &c.reason,
            ticket: c.ticket.as_deref(),
        }
    }
}

/// What is wrong with a grantee as AD answered (`None`: no such account), if anything.
fn grantee_problem(user: &str, found: Option<&Found>) -> Option<String> {
    match found {
        None => Some(format!("no account {user:?} in Active Directory")),
        Some(a) => a
            .unusable
            .map(|state| format!("account {} is {state} in Active Directory", a.account)),
    }
}

/// A grantee as the door functions take it: the name as typed and the AD identity, or what
/// is wrong with the account (the database refuses the request, listing it).
pub(super) fn grantee(user: &str, found: &HashMap<String, Found>) -> Value {
    let a = found.get(&user.to_lowercase());
    let mut g = match a {
        None => json!({ "user": user }),
        Some(a) => json!({
            "user": user,
            "guid": a.guid,
            "account": a.account,
            "display": a.display,
        }),
    };
    if let Some(problem) = grantee_problem(user, a) {
        g["problem"] = json!(problem);
    }
    g
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

/// Why a change stopped: the database refused it (or failed), or the operator did not confirm.
enum Stopped {
    Database(Error),
    Operator(Error),
}

impl From<Stopped> for Error {
    fn from(s: Stopped) -> Error {
        match s {
            Stopped::Database(e) | Stopped::Operator(e) => e,
        }
    }
}

/// The shared path of grant, revoke and apply. When the change may need confirmation, the
/// database plans it first (a dry run, audited as such); the operator confirms; then the
/// change is made, refused by the database if the plan no longer holds. `bulk` (the number of
/// changes of a file) shows the database's work as progress on a terminal; `read` makes the
/// outcomes of the answer (read as `T`).
fn submit<T: DeserializeOwned>(
    door: &mut Door,
    function: &str,
    request: &(impl Serialize + Sync),
    dry_run: bool,
    policy: Confirm,
    bulk: Option<usize>,
    read: impl Fn(T) -> Result<Applied>,
) -> std::result::Result<Applied, Stopped> {
    let call = |door: &mut Door, submitted: Submitted<'_, _>, doing: &str| {
        let progress = match bulk {
            Some(n) => Progress::spinner(&format!("{doing} {n} change(s)")),
            None => Progress::none(),
        };
        let result = door
            .call_serialized::<T>(function, &submitted)
            .and_then(&read);
        progress.finish();
        result.map_err(Stopped::Database)
    };
    let submitted = |dry_run: bool, confirmed_changes: Option<usize>| Submitted {
        request,
        dry_run: dry_run.then_some(true),
        confirmed_changes,
    };
    if dry_run {
        return call(door, submitted(true, None), "planning");
    }
    let mut confirmed = None;
    if !matches!(policy, Confirm::Never) {
        let planned = call(door, submitted(true, None), "planning")?;
        confirm(policy, planned.changes, &planned.outcomes).map_err(Stopped::Operator)?;
        confirmed = Some(planned.changes);
    }
    call(door, submitted(false, confirmed), "applying")
}

/// A request as `submit` sends it: the command's, and whether it is a dry run (a plan), or the
/// number of changes the operator confirmed.
#[derive(Serialize)]
struct Submitted<'a, R> {
    #[serde(flatten)]
    request: &'a R,
    #[serde(skip_serializing_if = "Option::is_none")]
    dry_run: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    confirmed_changes: Option<usize>,
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
    let unattended = || {
        format!(
            "{changing} change(s) need confirmation and there is no terminal to ask: check them with --dry-run, then rerun with --yes"
        )
    };
    if !interactive() {
        return Err(Error::Usage(unattended()));
    }
    for o in planned
        .iter()
        .filter(|o| o.effect.changes_something())
        .take(20)
    {
        eprintln!(
            "  {} {} {} ({})",
            o.action.name(),
            o.user,
            o.source,
            o.effect.words()
        );
    }
    if changing > 20 {
        eprintln!("  ... and {} more", changing - 20);
    }
    crate::ask::confirm(&format!("Apply {changing} change(s)?"), unattended)
}

/// The data sources to grant, chosen on the terminal from `fc_api.source_list`.
fn choose_sources(door: &mut Door) -> Result<Vec<String>> {
    let all = known_sources(door)?;
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
                format!("would be {}", o.effect.words())
            } else {
                o.effect.words().to_string()
            },
        ]);
    }
    out.table(&t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effects_read_and_write_the_databases_words() {
        let all = [
            (
                Effect::Added,
                "added",
                Some(AuditAction::PermissionGranted),
                "added",
            ),
            (
                Effect::Extended,
                "extended",
                Some(AuditAction::PermissionExtended),
                "extended",
            ),
            (Effect::Unchanged, "unchanged", None, "unchanged"),
            (
                Effect::Revoked,
                "revoked",
                Some(AuditAction::PermissionRevoked),
                "revoked",
            ),
            (Effect::NotGranted, "not_granted", None, "not granted"),
        ];
        for (effect, db, audit, words) in all {
            assert_eq!(serde_json::from_value::<Effect>(json!(db)).unwrap(), effect);
            assert_eq!(serde_json::to_value(effect).unwrap(), json!(db));
            assert_eq!(effect.audit(), audit);
            assert_eq!(effect.words(), words);
        }
        assert!(serde_json::from_value::<Effect>(json!("deleted")).is_err());
    }
}
