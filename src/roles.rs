//! `famctx roles sync`: PostgreSQL's login roles kept in step with the three AD groups.
//! famctx reads the groups' members (nested) from the directory as the operator; the database
//! function `fc_api.roles_sync` compares, creates, enables, disables and moves roles between
//! the group roles, records each account's objectGUID, and audits every change.

use std::collections::{BTreeMap, BTreeSet};

use clap::{Args, Subcommand};
use serde_json::{json, Value};

use crate::action::Action;
use crate::context::Context;
use crate::error::{code, Error, Result};
use crate::guard::{Door, Needs, Role};
use crate::output::Format;
use crate::output::Table;
use crate::progress::Progress;

#[derive(Debug, Subcommand)]
pub enum RolesCommand {
    /// Mirror the AD groups into PostgreSQL roles: a login role for each member of FamilyContext
    /// Users, Admins or Auditors (nested membership), the group roles famctx_users,
    /// famctx_admins and famctx_auditors, and NOLOGIN for accounts that left every group or are
    /// disabled. Roles are never dropped. Idempotent; run it from a scheduler with --yes
    Sync(SyncArgs),
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Print the changes without making them
    #[arg(long)]
    pub dry_run: bool,
    /// Make the changes without asking (needed without a terminal)
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Why (recorded with each change), e.g. "nightly sync"
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

pub fn run(ctx: &Context, command: &RolesCommand) -> Result<u8> {
    let RolesCommand::Sync(args) = command;
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json])?;
    let reason = args
        .reason
        .as_deref()
        .map(|r| crate::text::free_text("--reason", r, 500))
        .transpose()?;
    // The database owner's deployment (owner_url set) signs in as the owner, which names the
    // operator: the first sync, before any operator has a login role.
    let as_owner = ctx.settings.get("owner_url").is_some();
    let mut door = if as_owner {
        Door::open_as_owner(ctx, Needs::Role(Role::Admin), Action::RolesSynced)?
    } else {
        Door::open(
            ctx,
            Needs::Role(Role::Admin),
            Action::RolesSynced,
            None,
            reason.as_deref(),
        )?
    };
    let mut members: BTreeMap<String, (Value, BTreeSet<&str>)> = BTreeMap::new();
    let mut disabled = 0usize;
    // Reading each group from AD, then the database's plan.
    let progress = Progress::bar("roles sync", Role::ALL.len() as u64 + 1);
    for role in Role::ALL {
        let group = role.group_role();
        let name = ctx.settings.require(role.group_key())?.to_string();
        progress.step(&format!("AD: members of {}", crate::text::plain(&name, 60)));
        let (_, accounts) = door.directory().members(&name)?;
        for a in accounts {
            if a.usable().is_err() {
                disabled += 1;
                continue;
            }
            let entry = members.entry(a.guid.to_string()).or_insert_with(|| {
                (
                    json!({"account": a.sam, "guid": a.guid, "display": a.display_name}),
                    BTreeSet::new(),
                )
            });
            entry.1.insert(group);
        }
    }
    let list: Vec<Value> = members
        .into_values()
        .map(|(mut m, groups)| {
            m["groups"] = json!(groups.into_iter().collect::<Vec<_>>());
            m
        })
        .collect();
    let request =
        |dry_run: bool| json!({"members": list, "dry_run": dry_run, "reason": reason.clone()});
    progress.step("planning");
    let plan = door.call("roles_sync", request(true))?;
    progress.finish();
    if disabled > 0 {
        eprintln!(
            "famctx: {disabled} disabled, expired or locked accounts in the groups get no login"
        );
    }
    let changes = plan["changes"].as_array().map_or(0, Vec::len);
    if args.dry_run || changes == 0 {
        render(&mut out, &plan)?;
        return Ok(code::SUCCESS);
    }
    if !as_owner {
        render(&mut out, &plan)?;
        return Err(Error::NotPermitted(format!(
            "roles sync would make {changes} changes, but makes them only through the database \
             owner's sign-in (owner_url, FAMCTX_OWNER_URL), as the scheduled job on the database \
             host does: roles belong to the whole cluster and the sync's reading of AD must be \
             the scheduler's; this was the plan (nothing changed)"
        )));
    }
    confirm(args.yes, changes)?;
    let applying = Progress::spinner(&format!("making {changes} role change(s)"));
    let done = door.call("roles_sync", request(false))?;
    applying.finish();
    render(&mut out, &done)?;
    Ok(code::SUCCESS)
}

fn confirm(yes: bool, changes: usize) -> Result<()> {
    if yes {
        return Ok(());
    }
    crate::ask::confirm(
        &format!("Make {changes} changes to the database roles?"),
        || {
            format!(
                "roles sync would make {changes} changes: pass --yes to make them without a \
                 terminal, or --dry-run to see them"
            )
        },
    )
}

fn text(v: &Value) -> String {
    v.as_str().map(str::to_string).unwrap_or_default()
}

fn render(out: &mut crate::output::Output, result: &Value) -> Result<()> {
    if out.format == Format::Json {
        return out.json(result);
    }
    let dry = result["dry_run"].as_bool().unwrap_or(false);
    let mut table = Table::new(["role", "account", "change", "group"]);
    for c in result["changes"].as_array().into_iter().flatten() {
        table.row([
            text(&c["role"]),
            text(&c["account"]),
            text(&c["change"]).replace('_', " "),
            text(&c["group"]),
        ]);
    }
    if !table.is_empty() {
        out.table(&table)?;
    }
    for c in result["conflicts"].as_array().into_iter().flatten() {
        eprintln!("famctx: conflict: {}", text(&c["problem"]));
    }
    let s = &result["summary"];
    eprintln!(
        "famctx: {}{} members; {} created, {} adopted, {} enabled, {} disabled, {} joined, {} left a group, {} unchanged, {} conflicts",
        if dry { "dry run, nothing changed: " } else { "" },
        s["members"],
        s["created"],
        s["adopted"],
        s["login_enabled"],
        s["login_disabled"],
        s["joined"],
        s["left"],
        s["unchanged"],
        s["conflicts"]
    );
    Ok(())
}
