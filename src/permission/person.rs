//! `permission grant USER --person ID` and `permission revoke USER --person ID`: access to one
//! restricted person, given and ended as source grants are (the grantee looked up in AD, an
//! expiry, a reason and ticket, no self-grant). `fc_api.person_access_grant` and
//! `_revoke` (sql/migrations/V23) check it all again and write the audit row.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::change::{grantee, required_reason, ticket};
use super::{check_account_name, lookup, GrantArgs, RevokeArgs};
use crate::action::Action;
use crate::context::Context;
use crate::error::{code, Error, Result};
use crate::guard::{Door, Needs, Role};
use crate::output::{Format, Output, Table};
use crate::text::PersonId;
use crate::when;

/// What a grant or revoke of access to a person did, as the database reports it.
#[derive(Debug, Serialize, Deserialize)]
pub struct PersonOutcome {
    pub user: String,
    pub account: String,
    pub person: String,
    /// added, extended, unchanged (grant); revoked, not_granted (revoke).
    pub effect: String,
    pub expires: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_expires: Option<DateTime<Utc>>,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// Whether the person is restricted now (grant only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restricted: Option<bool>,
}

fn person_id(text: &str) -> Result<(PersonId, Option<i64>)> {
    let id = PersonId::parse(text)?;
    let subject = match id {
        PersonId::Fc(n) => Some(n),
        PersonId::Cms(_) => None,
    };
    Ok((id, subject))
}

fn checked_user(user: &str) -> Result<()> {
    check_account_name(user)
        .map_err(|why| Error::Usage(format!("{}: {why}", crate::text::shorten(user))))
}

pub(super) fn grant(ctx: &Context, args: &GrantArgs, person: &str) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json])?;
    checked_user(&args.user)?;
    let (id, subject) = person_id(person)?;
    let reason = required_reason(args.reason.as_deref())?;
    let ticket = ticket(args.ticket.as_deref())?;
    let now = DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap_or_else(Utc::now);
    let expires = match (&args.expires, &args.for_) {
        (Some(e), _) => Some(when::parse_expiry(e, now)?),
        (None, Some(d)) => Some(now + when::parse_duration(d)?),
        (None, None) => None,
    };
    let mut door = Door::open(
        ctx,
        Needs::Role(Role::Admin),
        Action::PersonAccessGranted,
        subject,
        Some(&reason),
    )?;
    let found = lookup(&mut door, std::slice::from_ref(&args.user))?;
    let mut request = grantee(&args.user, &found);
    request["id"] = json!(id.to_string());
    request["expires"] = json!(expires);
    request["reason"] = json!(reason);
    request["ticket"] = json!(ticket);
    let outcome: PersonOutcome = door.call_as("person_access_grant", request)?;
    if outcome.restricted == Some(false) {
        eprintln!(
            "famctx: {} is not restricted now: the grant counts once they are",
            outcome.person
        );
    }
    render(&mut out, &outcome)?;
    Ok(code::SUCCESS)
}

pub(super) fn revoke(ctx: &Context, args: &RevokeArgs, person: &str) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json])?;
    checked_user(&args.user)?;
    let (id, subject) = person_id(person)?;
    let reason = required_reason(args.reason.as_deref())?;
    if !args.yes {
        confirm(&args.user, &id)?;
    }
    let mut door = Door::open(
        ctx,
        Needs::Role(Role::Admin),
        Action::PersonAccessRevoked,
        subject,
        Some(&reason),
    )?;
    let found = lookup(&mut door, std::slice::from_ref(&args.user))?;
    let mut request: Value = grantee(&args.user, &found);
    request["id"] = json!(id.to_string());
    request["reason"] = json!(reason);
    let outcome: PersonOutcome = door.call_as("person_access_revoke", request)?;
    render(&mut out, &outcome)?;
    Ok(code::SUCCESS)
}

fn confirm(user: &str, id: &PersonId) -> Result<()> {
    crate::ask::confirm(&format!("Revoke {user}'s access to {id}?"), || {
        format!(
            "revoking {user}'s access to {id} needs confirmation and there is no terminal to \
             ask: rerun with --yes"
        )
    })
}

fn render(out: &mut Output, o: &PersonOutcome) -> Result<()> {
    if out.format == Format::Json {
        return out.json(o);
    }
    let mut t = Table::new(["user", "person", "expires", "effect"]);
    t.row([
        o.user.clone(),
        o.person.clone(),
        o.expires
            .map(|e| e.format("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_else(|| "never".into()),
        o.effect.replace('_', " "),
    ]);
    out.table(&t)
}
