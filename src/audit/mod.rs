//! The audit trail seen from the tool: review (search, a person's access
//! report, export, statistics), verifying the hash chain, and printing its
//! head (a checkpoint) for keeping outside the database.

mod archive;
mod break_glass;
mod chain;
mod export;
mod filter;
mod report;
mod search;
mod stats;

use archive::archive_command;
pub use archive::ArchiveArgs;
pub(crate) use break_glass::*;
use chain::{checkpoint_command, verify_command};
pub use chain::{row_hash, ArchiveRecord, ChainRow, Checkpoint, Tags, Verification, Verifier};
pub(crate) use export::*;
pub(crate) use filter::*;
pub(crate) use report::*;
pub(crate) use search::*;
pub(crate) use stats::*;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, SecondsFormat, Utc};
use clap::{Args, Subcommand, ValueEnum};
use postgres::Row;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::action::Action;
use crate::context::Context;
use crate::error::{code, Error, Result};
use crate::guard::{Basis, Door, Needs, Role};
use crate::output::Format;
use crate::output::{neutralise_formula, Output, Table};
use crate::text::PersonId;

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
    /// Recompute the hash chain (from the last archive on) and name the first row that breaks it
    Verify {
        /// Also check the chain against a head saved earlier by `audit checkpoint -o json`
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<PathBuf>,
        /// Check an archive file instead: its rows, header, trailer and .sha256, and that the
        /// database recorded it
        #[arg(long, value_name = "FILE")]
        archive: Option<PathBuf>,
        /// With --archive: check the file alone, without signing in (and without an audit row)
        #[arg(long, requires = "archive")]
        offline: bool,
        #[command(flatten)]
        basis: Basis,
    },
    /// Print the chain head (id, hash, time) to keep outside the database; also makes the
    /// months ahead of the trail
    Checkpoint {
        #[command(flatten)]
        basis: Basis,
    },
    /// Write whole months before a date, outside the retention period, to a checked file, then
    /// remove them from the database
    Archive(ArchiveArgs),
    /// Break-glass lookups of restricted persons, and refused attempts, newest first
    BreakGlass(BreakGlassArgs),
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
    /// Only rows declared under this legal basis, e.g. ca1989_s47 (retired codes too; --basis
    /// declares your own)
    #[arg(long, value_name = "CODE")]
    pub declared_basis: Option<String>,
    /// Only rows that declared no legal basis
    #[arg(long, conflicts_with = "declared_basis")]
    pub without_basis: bool,
    /// Only break-glass rows: a restricted person disclosed without an access grant
    #[arg(long)]
    pub break_glass: bool,
    #[command(flatten)]
    pub window: Window,
    /// Rows to show at most
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(i64).range(1..=10_000))]
    pub limit: i64,
    #[command(flatten)]
    pub basis: Basis,
}

#[derive(Debug, Args)]
pub struct PersonArgs {
    /// Person: fc:<n> (a bare number means the same) or cms:<case id>
    #[arg(value_name = "ID")]
    pub id: String,
    #[command(flatten)]
    pub window: Window,
    #[command(flatten)]
    pub basis: Basis,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub window: Window,
    #[command(flatten)]
    pub basis: Basis,
}

#[derive(Debug, Args)]
pub struct BreakGlassArgs {
    #[command(flatten)]
    pub window: Window,
    /// Rows to show at most
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(i64).range(1..=10_000))]
    pub limit: i64,
    #[command(flatten)]
    pub basis: Basis,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub window: Window,
    #[command(flatten)]
    pub basis: Basis,
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

/// The door for an auditor's command: the live AD check (auditor role), then the operator's own
/// sign-in to PostgreSQL, every request carrying the legal basis declared. A refusal is recorded
/// as `action`.
pub(crate) fn auditor_door(ctx: &Context, basis: &Basis, action: Action) -> Result<Door> {
    let basis = basis.declared(false)?;
    Door::open_declared(
        ctx,
        Needs::Role(Role::Auditor),
        action,
        None,
        None,
        basis.as_deref(),
    )
}

/// The request a filter makes: its keys as given (times as RFC 3339 instants), plus `extra`.
pub(crate) fn request(filter: &Filter, extra: Value) -> Result<Value> {
    let mut r = serde_json::to_value(filter)?;
    if let (Value::Object(m), Value::Object(x)) = (&mut r, extra) {
        m.extend(x);
    }
    Ok(r)
}

/// A part of a document the database disclosed, as famctx's own type.
pub(crate) fn part<T: DeserializeOwned>(doc: &mut Value, key: &str) -> Result<T> {
    let value = doc.get_mut(key).map(Value::take).unwrap_or(Value::Null);
    serde_json::from_value(value).map_err(|e| {
        Error::Other(format!(
            "the database answered with a malformed document ({key}): {e}"
        ))
    })
}

pub fn run(ctx: &Context, command: &AuditCommand) -> Result<u8> {
    match command {
        AuditCommand::Search(args) => search_command(ctx, args),
        AuditCommand::Person(args) => person_command(ctx, args),
        AuditCommand::Export(args) => export_command(ctx, args),
        AuditCommand::Stats(args) => stats_command(ctx, args),
        AuditCommand::Verify {
            checkpoint,
            archive,
            offline,
            basis,
        } => verify_command(ctx, checkpoint.as_ref(), archive.as_ref(), *offline, basis),
        AuditCommand::Checkpoint { basis } => checkpoint_command(ctx, basis),
        AuditCommand::Archive(args) => archive_command(ctx, args),
        AuditCommand::BreakGlass(args) => break_glass_command(ctx, args),
    }
}
