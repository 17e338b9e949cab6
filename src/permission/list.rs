//! `famctx permission list` and `review`: read only, through the door.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{check_account_name, lookup, ListArgs, ReviewArgs};
use crate::action::Action as AuditAction;
use crate::context::Context;
use crate::error::{code, Error, Result};
use crate::guard::{Door, Needs, Role};
use crate::output::Format;
use crate::output::Table;
use crate::when;

pub(super) fn list(ctx: &Context, args: &ListArgs) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json, Format::Csv])?;
    let at = args
        .as_of
        .as_deref()
        .map(|t| when::parse_instant(t, Utc::now()))
        .transpose()?;
    if let Some(u) = &args.user {
        check_account_name(u)
            .map_err(|why| Error::Usage(format!("{}: {why}", crate::text::shorten(u))))?;
    }
    let basis = args.basis.declared(false)?;
    let mut door = Door::open_declared(
        ctx,
        Needs::Role(Role::Admin),
        AuditAction::PermissionListed,
        None,
        None,
        basis.as_deref(),
    )?;
    let mut request = match &args.user {
        None => json!({}),
        Some(u) => {
            let found = lookup(&mut door, std::slice::from_ref(u))?;
            match found.get(&u.to_lowercase()) {
                Some(a) => json!({ "user": u, "guid": a.guid, "account": a.account }),
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
    let rows: Vec<ListedGrant> = door.call_as("permission_list", request)?;
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

pub(super) fn review(ctx: &Context, args: &ReviewArgs) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json, Format::Csv])?;
    let basis = args.basis.declared(false)?;
    let mut door = Door::open_declared(
        ctx,
        Needs::Role(Role::Admin),
        AuditAction::PermissionReviewed,
        None,
        None,
        basis.as_deref(),
    )?;
    let request = json!({
        "expiring_within_days": args.expiring_within,
        "unused_for_days": args.unused_for,
    });
    let rows: Vec<ReviewedGrant> = door.call_as("permission_review", request)?;
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
