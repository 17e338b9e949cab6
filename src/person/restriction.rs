//! `famctx person restrict`, `unrestrict` and `restrictions` (admins): marking a person
//! restricted (a category, a reason, a review date), lifting it, and the list of restrictions
//! with their review dates. The database (`fc_api.person_restrict`, `_unrestrict`,
//! `person_restrictions`, sql/migrations/V23) keeps the history and writes one audit row a
//! change; the family lookups and searches hide a restricted person from anyone without an
//! access grant for them (`famctx permission grant USER --person ID`).

use chrono::{NaiveDate, Utc};
use clap::{Args, ValueEnum};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::action::Action;
use crate::context::Context;
use crate::error::{code, Error, Result};
use crate::guard::{Basis, Door, Needs, Role};
use crate::output::{Format, Output, Table};
use crate::text::PersonId;

/// Why a person is restricted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Adoption,
    #[value(name = "high_profile", alias = "high-profile")]
    HighProfile,
    #[value(name = "staff_related", alias = "staff-related")]
    StaffRelated,
    #[value(name = "high_risk", alias = "high-risk")]
    HighRisk,
    Other,
}

#[derive(Debug, Args)]
pub struct RestrictArgs {
    /// Person: fc:<n> (a bare number means the same) or cms:<case id>
    #[arg(value_name = "ID")]
    pub id: String,
    /// Why the person is restricted
    #[arg(long, value_enum)]
    pub category: Category,
    /// The decision's reason (recorded with the restriction and in the audit trail)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// When the restriction is next reviewed, YYYY-MM-DD (default: 90 days from today; at most
    /// a year)
    #[arg(long, value_name = "DATE")]
    pub review_by: Option<String>,
}

#[derive(Debug, Args)]
pub struct UnrestrictArgs {
    /// Person: fc:<n> (a bare number means the same) or cms:<case id>
    #[arg(value_name = "ID")]
    pub id: String,
    /// Why the restriction is lifted (recorded in the audit trail)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Do not ask for confirmation
    #[arg(short = 'y', long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct RestrictionsArgs {
    /// Only restrictions whose review date falls within this many days (0: due today or overdue)
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(i32).range(0..=3650))]
    pub due_within: Option<i32>,
    #[command(flatten)]
    pub basis: Basis,
}

/// A restriction as the database reports it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Restriction {
    pub person: String,
    pub category: Category,
    pub reason: String,
    pub review_by: NaiveDate,
    pub set_at: chrono::DateTime<Utc>,
    pub set_by: Option<String>,
}

/// The result of `fc_api.person_restrict` and `_unrestrict`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Changed {
    pub person: String,
    /// restricted, changed or lifted.
    pub effect: String,
    pub restriction: Restriction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Restriction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifted_at: Option<chrono::DateTime<Utc>>,
}

/// One open restriction in the review list.
#[derive(Debug, Serialize, Deserialize)]
pub struct Listed {
    #[serde(flatten)]
    pub restriction: Restriction,
    pub days_left: i32,
    pub due: bool,
    pub access: Vec<Access>,
}

/// Who holds a current access grant for a restricted person.
#[derive(Debug, Serialize, Deserialize)]
pub struct Access {
    pub user: String,
    pub expires_at: Option<chrono::DateTime<Utc>>,
}

/// The review list, as `fc_api.person_restrictions` discloses it.
#[derive(Debug, Serialize, Deserialize)]
pub struct Listing {
    pub as_of: NaiveDate,
    pub due_within_days: Option<i32>,
    pub restrictions: Vec<Listed>,
}

fn required_reason(reason: Option<&str>, example: &str) -> Result<String> {
    match reason {
        Some(r) => crate::text::free_text("--reason", r, 500),
        None => Err(Error::Usage(format!(
            "--reason is required: say why, e.g. --reason \"{example}\""
        ))),
    }
}

fn subject(id: &PersonId) -> Option<i64> {
    match id {
        PersonId::Fc(n) => Some(*n),
        PersonId::Cms(_) => None,
    }
}

pub fn restrict(ctx: &Context, args: &RestrictArgs) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json])?;
    let id = PersonId::parse(&args.id)?;
    let reason = required_reason(args.reason.as_deref(), "adopted: placement order 2026-031")?;
    let review_by = args
        .review_by
        .as_deref()
        .map(|d| {
            NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
                Error::Usage(format!(
                    "--review-by {} is not a date: use YYYY-MM-DD",
                    crate::text::shorten(d)
                ))
            })
        })
        .transpose()?;
    let mut door = Door::open(
        ctx,
        Needs::Role(Role::Admin),
        Action::PersonRestricted,
        subject(&id),
        Some(&reason),
    )?;
    let changed: Changed = door.call_as(
        "person_restrict",
        json!({
            "id": id.to_string(),
            "category": args.category,
            "reason": reason,
            "review_by": review_by,
        }),
    )?;
    render_change(&mut out, &changed)?;
    Ok(code::SUCCESS)
}

pub fn unrestrict(ctx: &Context, args: &UnrestrictArgs) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json])?;
    let id = PersonId::parse(&args.id)?;
    let reason = required_reason(args.reason.as_deref(), "adoption order revoked")?;
    if !args.yes {
        confirm(&id)?;
    }
    let mut door = Door::open(
        ctx,
        Needs::Role(Role::Admin),
        Action::PersonUnrestricted,
        subject(&id),
        Some(&reason),
    )?;
    let changed: Changed = door.call_as(
        "person_unrestrict",
        json!({ "id": id.to_string(), "reason": reason }),
    )?;
    render_change(&mut out, &changed)?;
    Ok(code::SUCCESS)
}

/// Lifting shows the person to every user again: asked first, on a terminal only.
fn confirm(id: &PersonId) -> Result<()> {
    crate::ask::confirm(
        &format!("Lift the restriction of {id}, showing them to every user again?"),
        || {
            format!(
                "lifting the restriction of {id} shows them to every user again and needs \
                 confirmation, and there is no terminal to ask: rerun with --yes"
            )
        },
    )
}

fn render_change(out: &mut Output, changed: &Changed) -> Result<()> {
    if out.format == Format::Json {
        return out.json(changed);
    }
    let mut t = Table::new([
        "person",
        "effect",
        "category",
        "review by",
        "set by",
        "reason",
    ]);
    let r = &changed.restriction;
    t.row([
        changed.person.clone(),
        changed.effect.clone(),
        category(r.category),
        r.review_by.to_string(),
        r.set_by.clone().unwrap_or_default(),
        crate::text::for_terminal(&r.reason, Some(60)),
    ]);
    if let Some(p) = &changed.previous {
        t.row([
            p.person.clone(),
            "previously".into(),
            category(p.category),
            p.review_by.to_string(),
            p.set_by.clone().unwrap_or_default(),
            crate::text::for_terminal(&p.reason, Some(60)),
        ]);
    }
    out.table(&t)
}

fn category(c: Category) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default()
}

pub fn restrictions(ctx: &Context, args: &RestrictionsArgs) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json, Format::Csv])?;
    let basis = args.basis.declared(false)?;
    let mut door = Door::open_declared(
        ctx,
        Needs::Role(Role::Admin),
        Action::RestrictionsReviewed,
        None,
        None,
        basis.as_deref(),
    )?;
    let listing: Listing = door.call_as(
        "person_restrictions",
        json!({ "due_within_days": args.due_within }),
    )?;
    if out.format == Format::Json {
        return out.json(&listing).map(|()| code::SUCCESS);
    }
    let mut t = Table::new([
        "person",
        "category",
        "review by",
        "due",
        "set by",
        "set at",
        "access",
        "reason",
    ]);
    for l in &listing.restrictions {
        let r = &l.restriction;
        t.row([
            r.person.clone(),
            category(r.category),
            r.review_by.to_string(),
            match l.days_left {
                d if d < 0 => format!("overdue {} day(s)", -d),
                0 => "today".into(),
                d => format!("in {d} day(s)"),
            },
            r.set_by.clone().unwrap_or_default(),
            r.set_at.format("%Y-%m-%d %H:%M").to_string(),
            l.access
                .iter()
                .map(|a| a.user.clone())
                .collect::<Vec<_>>()
                .join(" "),
            if out.format == Format::Csv {
                r.reason.clone()
            } else {
                crate::text::for_terminal(&r.reason, Some(60))
            },
        ]);
    }
    out.table(&t)?;
    if out.format == Format::Table && listing.restrictions.is_empty() {
        eprintln!(
            "famctx: no restriction{}",
            match listing.due_within_days {
                Some(d) => format!(" due for review within {d} day(s)"),
                None => String::new(),
            }
        );
    }
    Ok(code::SUCCESS)
}
