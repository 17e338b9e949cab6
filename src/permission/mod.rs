//! `famctx permission`: grant, revoke, list, review and bulk-apply data
//! source grants, through the door. famctx checks the operator against AD
//! and looks every grantee up there (exists, enabled); the database
//! functions `fc_api.permission_grant`, `_revoke`, `_apply`, `_list` and
//! `_review` (sql/migrations/V9) check the caller again, validate the whole
//! request, apply it as a set and write one audit row a change plus one for
//! the request, in the same transaction.
//!
//! - [`change`]: grant, revoke and apply: the change pipeline through the door.
//! - [`bulk`]: the pure reader of bulk files (CSV or JSON lines), a draft a line.
//! - [`problems`]: every problem of every line, at once: the file's, AD's, the database's
//!   sources, contradictions; and the report of a refused file.
//! - [`list`]: list and review, read only.
//! - [`person`]: grant and revoke access to one restricted person (`--person`).

mod bulk;
mod change;
mod list;
mod person;
mod problems;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::context::Context;
use crate::error::Result;
use crate::guard::{Basis, Door};
use crate::progress::Progress;

/// More names than this show the progress of their AD lookups (a terminal only).
const LOOKUP_PROGRESS_OVER: usize = 250;
/// Directory sessions a bulk lookup opens besides the door's, to search in parallel.
const MORE_SESSIONS: usize = 2;

pub use bulk::read as read_bulk;
pub use change::{Effect, Outcome};
pub use list::{ListedGrant, ReviewedGrant};
pub use problems::{Draft, Typed};
pub use problems::{Field, Kind, Problem, Rejection};

#[derive(Debug, Subcommand)]
pub enum PermissionCommand {
    /// Grant a user one or more data sources, or access to a restricted person (--person)
    Grant(GrantArgs),
    /// Revoke a user's grants, or their access to a restricted person (history is kept)
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
        required; ticket is optional. Every line is checked in one pass (format, dates, known sources, \
        grantees that exist and are enabled in AD, no self-grants, no contradictory lines): any bad \
        line rejects the whole file, nothing changes, and every problem of every bad line is \
        listed in line order with what to do (as a table, or with -o json or -o csv for a script); \
        exit 2, or 4 when a line would change your own access.")]
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
    /// Instead of sources: access to this restricted person (fc:<n> or cms:<case id>), whose
    /// details are otherwise withheld from the user
    #[arg(long, value_name = "ID", conflicts_with = "sources")]
    pub person: Option<String>,
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
    #[arg(long = "source", value_name = "CODE", num_args = 1.., required_unless_present_any = ["all", "person"])]
    pub sources: Vec<String>,
    /// Instead of sources: the user's access to this restricted person (fc:<n> or cms:<case id>)
    #[arg(long, value_name = "ID", conflicts_with_all = ["sources", "all"])]
    pub person: Option<String>,
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
    #[command(flatten)]
    pub basis: Basis,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Grants that expire within this many days
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(i32).range(1..=3650))]
    pub expiring_within: Option<i32>,
    /// Grants whose source the grantee has not looked at for this many days
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(i32).range(1..=3650))]
    pub unused_for: Option<i32>,
    #[command(flatten)]
    pub basis: Basis,
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

pub fn run(ctx: &Context, command: &PermissionCommand) -> Result<u8> {
    match command {
        PermissionCommand::Grant(a) => match &a.person {
            Some(p) => person::grant(ctx, a, p),
            None => change::grant(ctx, a),
        },
        PermissionCommand::Revoke(a) => match &a.person {
            Some(p) => person::revoke(ctx, a, p),
            None => change::revoke(ctx, a),
        },
        PermissionCommand::List(a) => list::list(ctx, a),
        PermissionCommand::Review(a) => list::review(ctx, a),
        PermissionCommand::Apply(a) => change::apply(ctx, a),
    }
}

/// A grantee as Active Directory knows them.
struct Found {
    guid: Uuid,
    account: String,
    display: Option<String>,
    /// Why the account cannot be granted anything ("disabled", ...), if it cannot.
    unusable: Option<&'static str>,
}

/// The grantees, looked up in AD in batches (bound as the operator), by lower-case name, over
/// several directory sessions at once when there are several batches. More than
/// [`LOOKUP_PROGRESS_OVER`] names show progress on a terminal.
fn lookup(door: &mut Door, users: &[String]) -> Result<HashMap<String, Found>> {
    let mut names: Vec<String> = users.iter().map(|u| u.to_lowercase()).collect();
    names.sort();
    names.dedup();
    let progress = if names.len() > LOOKUP_PROGRESS_OVER {
        Progress::bar("AD lookups", names.len() as u64)
    } else {
        Progress::none()
    };
    let accounts = door.accounts(&names, MORE_SESSIONS, |n| progress.inc(n as u64))?;
    progress.finish();
    Ok(accounts
        .into_iter()
        .map(|(name, a)| {
            let unusable = a.usable().err();
            let found = Found {
                guid: a.guid,
                account: a.sam,
                display: a.display_name,
                unusable,
            };
            (name, found)
        })
        .collect())
}

/// Whether `name` can be an AD account name; why not, if it cannot.
fn check_account_name(name: &str) -> std::result::Result<(), String> {
    crate::text::check_account_name(name)
}
