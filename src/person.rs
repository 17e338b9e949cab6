//! `famctx person search`: find people by name (and date of birth),
//! youngest first, a page at a time; audited as "searched" with every
//! person presented. A restricted person the operator holds no access grant
//! for is left out of the results and the count (the database's decision):
//! a search never breaks the glass.
//!
//! - [`restriction`]: `person restrict`, `unrestrict` and `restrictions` (admins).

mod restriction;

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::action::Action;
use crate::context::Context;
use crate::error::{code, Error, Result};
use crate::guard::{Basis, Door, Needs, Role};
use crate::output::Format;
use crate::output::Table;
use crate::reference::Person;

#[derive(Debug, Subcommand)]
pub enum PersonCommand {
    /// Find people by last name (exact, any case), first name (prefix) and date of birth
    Search(SearchArgs),
    /// Mark a person restricted, or change their restriction (admins): only users with an
    /// access grant for them see their details
    Restrict(restriction::RestrictArgs),
    /// Lift a person's restriction (admins; history is kept)
    Unrestrict(restriction::UnrestrictArgs),
    /// Restricted persons, soonest review first; --due-within lists those due for review (admins)
    Restrictions(restriction::RestrictionsArgs),
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    #[arg(long, value_name = "NAME")]
    pub last_name: String,
    #[arg(long, value_name = "NAME")]
    pub first_name: Option<String>,
    /// Date of birth, YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    pub dob: Option<String>,
    /// Why you are searching (recorded in the audit trail)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    #[command(flatten)]
    pub basis: Basis,
    /// Matches a page
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(i64).range(1..=200))]
    pub limit: i64,
    /// Page number, from 1
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(i64).range(1..=100_000))]
    pub page: i64,
}

/// The reference API's `SearchResults`: a page of `Person`s (see
/// `crate::reference::Person`; here without services).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchResults {
    pub pagination_info: PaginationInfo,
    pub results: Vec<Person>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaginationInfo {
    pub total_results: i64,
    pub results_per_page: i64,
    pub page_number: i64,
}

/// The CSV columns: the JSON names of a `Person`, the structured address
/// flattened to dotted names.
const CSV_COLUMNS: [&str; 13] = [
    "id",
    "cmsId",
    "firstName",
    "lastName",
    "dateOfBirth",
    "gender",
    "address",
    "age",
    "addressDetail.line",
    "addressDetail.postcode",
    "addressDetail.uprn",
    "restricted",
    "restrictedAccess",
];

pub fn run(ctx: &Context, command: &PersonCommand) -> Result<u8> {
    match command {
        PersonCommand::Search(args) => search(ctx, args),
        PersonCommand::Restrict(args) => restriction::restrict(ctx, args),
        PersonCommand::Unrestrict(args) => restriction::unrestrict(ctx, args),
        PersonCommand::Restrictions(args) => restriction::restrictions(ctx, args),
    }
}

fn search(ctx: &Context, args: &SearchArgs) -> Result<u8> {
    let mut out = ctx.output();
    let last = crate::text::free_text("--last-name", &args.last_name, 100)?;
    let first = args
        .first_name
        .as_deref()
        .map(|f| crate::text::free_text("--first-name", f, 100))
        .transpose()?;
    let dob = args
        .dob
        .as_deref()
        .map(|d| {
            NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
                Error::Usage(format!(
                    "--dob {} is not a date: use YYYY-MM-DD",
                    crate::text::shorten(d)
                ))
            })
        })
        .transpose()?;
    let reason = crate::text::reason(
        ctx.settings.flag("reason_required")?,
        args.reason.as_deref(),
    )?;
    let basis = args.basis.declared(ctx.settings.flag("basis_required")?)?;
    let mut door = Door::open_declared(
        ctx,
        Needs::Role(Role::User),
        Action::Searched,
        None,
        reason.as_deref(),
        basis.as_deref(),
    )?;
    let document = door.call(
        "person_search",
        json!({
            "last_name": last,
            "first_name": first,
            "dob": dob,
            "page": args.page,
            "limit": args.limit,
            "reason": reason,
        }),
    )?;
    let page: SearchResults = crate::guard::read_answer("person_search", document.clone())?;
    match out.format {
        Format::Json => out.json(&document)?,
        Format::Jsonl => {
            // Each Person exactly as the database wrote it.
            if let Some(results) = document.get("results").and_then(|r| r.as_array()) {
                for m in results {
                    out.json_line(m)?;
                }
            }
            out.flush()?;
        }
        Format::Csv => {
            let mut t = Table::new(CSV_COLUMNS);
            for m in &page.results {
                let a = m.address_detail.clone().unwrap_or_default();
                t.row([
                    m.id.clone(),
                    m.cms_id.clone().unwrap_or_default(),
                    m.first_name.clone(),
                    m.last_name.clone(),
                    m.date_of_birth.map(|d| d.to_string()).unwrap_or_default(),
                    m.gender.clone().unwrap_or_default(),
                    m.address.clone().unwrap_or_default(),
                    m.age.map(|a| a.to_string()).unwrap_or_default(),
                    a.line.unwrap_or_default(),
                    a.postcode.unwrap_or_default(),
                    a.uprn.map(|u| u.to_string()).unwrap_or_default(),
                    m.restricted.map(|r| r.to_string()).unwrap_or_default(),
                    m.restricted_access.clone().unwrap_or_default(),
                ]);
            }
            out.table(&t)?;
        }
        Format::Table => {
            let mut t = Table::new([
                "id",
                "cms id",
                "first name",
                "last name",
                "born",
                "gender",
                "postcode",
            ]);
            for m in &page.results {
                t.row([
                    m.id.clone(),
                    m.cms_id.clone().unwrap_or_default(),
                    m.first_name.clone(),
                    m.last_name.clone(),
                    m.date_of_birth.map(|d| d.to_string()).unwrap_or_default(),
                    m.gender.clone().unwrap_or_default(),
                    m.address_detail
                        .as_ref()
                        .and_then(|a| a.postcode.clone())
                        .unwrap_or_default(),
                ]);
            }
            out.table(&t)?;
            out.flush()?;
            let info = &page.pagination_info;
            let pages =
                (info.total_results + info.results_per_page - 1) / info.results_per_page.max(1);
            eprintln!(
                "famctx: page {} of {} ({} matches)",
                info.page_number,
                pages.max(1),
                info.total_results
            );
        }
    }
    Ok(code::SUCCESS)
}
