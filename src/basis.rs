//! `famctx basis`: the list of legal bases an operator may declare with `--basis CODE`
//! (`fc.legal_basis`): anyone with a Family Context role lists it, admins add a basis or retire
//! one. The database functions `fc_api.basis_list`, `basis_add` and `basis_retire`
//! (sql/migrations/V24) check the caller, keep every code for ever (a retired code can no longer
//! be declared, and still explains the audit rows that name it) and audit each call.

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::action::Action;
use crate::context::Context;
use crate::error::{code, Error, Result};
use crate::guard::{Basis, Door, Needs, Role};
use crate::output::{Format, Output, Table};

#[derive(Debug, Subcommand)]
pub enum BasisCommand {
    /// The legal bases: those operators may declare, then those retired
    List(ListArgs),
    /// Add a legal basis to the list (admins); a code is never reused
    Add(AddArgs),
    /// Retire a legal basis (admins): it can no longer be declared; the audit rows that name
    /// it keep it, and it stays on the list, marked retired
    Retire(RetireArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub basis: Basis,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The new code: a letter, then up to 39 letters, digits, "_", "." or "-", e.g. ca1989_s47
    #[arg(value_name = "CODE")]
    pub code: String,
    /// What the basis is for, e.g. "Child protection enquiry"
    #[arg(long, value_name = "TEXT")]
    pub title: String,
    /// The legislation it rests on, e.g. "Children Act 1989 s47"
    #[arg(long, value_name = "TEXT")]
    pub legislation: String,
    /// Why the list changes (recorded in the audit trail)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct RetireArgs {
    /// The code to retire
    #[arg(value_name = "CODE")]
    pub code: String,
    /// Why it is retired (recorded in the audit trail)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Do not ask for confirmation
    #[arg(short = 'y', long)]
    pub yes: bool,
}

/// One legal basis, as `fc_api.basis_list` shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LegalBasis {
    pub code: String,
    pub title: String,
    pub legislation: String,
    pub retired: bool,
    pub added_at: DateTime<Utc>,
    pub added_by: Option<String>,
    pub retired_at: Option<DateTime<Utc>>,
    pub retired_by: Option<String>,
}

pub fn run(ctx: &Context, command: &BasisCommand) -> Result<u8> {
    match command {
        BasisCommand::List(args) => list(ctx, args),
        BasisCommand::Add(args) => add(ctx, args),
        BasisCommand::Retire(args) => retire(ctx, args),
    }
}

fn list(ctx: &Context, args: &ListArgs) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json, Format::Csv])?;
    let basis = args.basis.declared(false)?;
    let mut door = Door::open_declared(
        ctx,
        Needs::AnyRole,
        Action::BasisListed,
        None,
        None,
        basis.as_deref(),
    )?;
    let document = door.call("basis_list", json!({}))?;
    let bases: Vec<LegalBasis> = crate::guard::read_answer("basis_list", document.clone())?;
    if out.format == Format::Json {
        out.json(&document)?;
    } else {
        render(&mut out, &bases)?;
    }
    Ok(code::SUCCESS)
}

fn add(ctx: &Context, args: &AddArgs) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json, Format::Csv])?;
    let code = crate::text::basis_code("the code", &args.code)?;
    let title = crate::text::free_text("--title", &args.title, 200)?;
    let legislation = crate::text::free_text("--legislation", &args.legislation, 200)?;
    let reason = required_reason(args.reason.as_deref(), "an IG board decision of 2026-11-30")?;
    let mut door = Door::open(
        ctx,
        Needs::Role(Role::Admin),
        Action::BasisAdded,
        None,
        Some(&reason),
    )?;
    let added: LegalBasis = door.call_as(
        "basis_add",
        json!({ "code": code, "title": title, "legislation": legislation, "reason": reason }),
    )?;
    show_change(&mut out, &added)?;
    eprintln!(
        "famctx: added legal basis {}: operators may declare it with --basis {}",
        added.code, added.code
    );
    Ok(code::SUCCESS)
}

fn retire(ctx: &Context, args: &RetireArgs) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json, Format::Csv])?;
    let code = crate::text::basis_code("the code", &args.code)?;
    let reason = required_reason(args.reason.as_deref(), "repealed by the Children Act 2027")?;
    confirm(args.yes, &code)?;
    let mut door = Door::open(
        ctx,
        Needs::Role(Role::Admin),
        Action::BasisRetired,
        None,
        Some(&reason),
    )?;
    let retired: LegalBasis =
        door.call_as("basis_retire", json!({ "code": code, "reason": reason }))?;
    show_change(&mut out, &retired)?;
    eprintln!(
        "famctx: retired legal basis {}: it can no longer be declared; the audit rows that name it keep it",
        retired.code
    );
    Ok(code::SUCCESS)
}

fn required_reason(reason: Option<&str>, example: &str) -> Result<String> {
    match reason {
        Some(r) => crate::text::free_text("--reason", r, 500),
        None => Err(Error::Usage(format!(
            "--reason is required: say why the list changes, e.g. --reason \"{example}\""
        ))),
    }
}

/// Retiring cannot be undone: asked on a terminal, refused without one unless `--yes`.
fn confirm(yes: bool, code: &str) -> Result<()> {
    if yes {
        return Ok(());
    }
    crate::ask::confirm(
        &format!("Retire legal basis {code}? No request can declare it again"),
        || {
            format!("retiring {code} cannot be undone and there is no terminal to ask: rerun with --yes")
        },
    )
}

/// What changed: the basis as `basis list` shows it (`-o json`: a list of one, the list's schema).
fn show_change(out: &mut Output, basis: &LegalBasis) -> Result<()> {
    let one = std::slice::from_ref(basis);
    if out.format == Format::Json {
        out.json(one)
    } else {
        render(out, one)
    }
}

fn render(out: &mut Output, bases: &[LegalBasis]) -> Result<()> {
    if out.format == Format::Csv {
        return out.csv_records(bases);
    }
    let mut t = Table::new(["code", "title", "legislation", "status"]);
    for b in bases {
        let status = match (&b.retired_at, &b.retired_by) {
            (Some(at), by) if b.retired => format!(
                "retired {}{}",
                at.format("%Y-%m-%d"),
                by.as_deref()
                    .map(|w| format!(" by {w}"))
                    .unwrap_or_default()
            ),
            _ => "in use".to_string(),
        };
        t.row([
            b.code.clone(),
            b.title.clone(),
            b.legislation.clone(),
            status,
        ]);
    }
    out.table(&t)
}
