//! `famctx person search`: find people by name (and date of birth),
//! youngest first, a page at a time; audited as "searched" with every
//! person presented.

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::cli::Format;
use crate::error::{code, Error, Result};
use crate::guard::{self, Audit, Needs, Role};
use crate::output::Table;
use crate::Context;

#[derive(Debug, Subcommand)]
pub enum PersonCommand {
    /// Find people by last name (exact, any case), first name (prefix) and date of birth
    Search(SearchArgs),
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
    /// Matches a page
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(i64).range(1..=200))]
    pub limit: i64,
    /// Page number, from 1
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(i64).range(1..=100_000))]
    pub page: i64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Match {
    pub id: String,
    pub cms_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub gender: Option<String>,
    pub postcode: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    pub page: i64,
    pub limit: i64,
    pub total: i64,
    pub results: Vec<Match>,
}

pub fn run(ctx: &Context, command: &PersonCommand) -> Result<u8> {
    let PersonCommand::Search(args) = command;
    let mut out = ctx.output();
    let last = guard::free_text("--last-name", &args.last_name, 100)?;
    let first = args
        .first_name
        .as_deref()
        .map(|f| guard::free_text("--first-name", f, 100))
        .transpose()?;
    let dob = args
        .dob
        .as_deref()
        .map(|d| {
            NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
                Error::Usage(format!(
                    "--dob {} is not a date: use YYYY-MM-DD",
                    crate::directory::shorten(d)
                ))
            })
        })
        .transpose()?;
    let reason = crate::family::reason(ctx, args.reason.as_deref())?;
    let audit = Audit::new("searched")
        .reason(reason)
        .detail("last_name", &last)
        .detail("first_name", &first)
        .detail("dob", dob)
        .detail("page", args.page)
        .detail("limit", args.limit);
    let page = guard::through(ctx, Needs::Role(Role::User), audit, |tx, _, audit| {
        let first_prefix = first.as_deref().map(like_prefix);
        let rows = tx.query(
            "SELECT id, cms_id, first_name, last_name, date_of_birth, gender, postcode, count(*) OVER () \
             FROM fc.person \
             WHERE lower(last_name) = lower($1) \
               AND ($2::text IS NULL OR lower(first_name) LIKE lower($2) ESCAPE '\\') \
               AND ($3::date IS NULL OR date_of_birth = $3) \
             ORDER BY date_of_birth DESC NULLS LAST, id \
             LIMIT $4 OFFSET $5",
            &[&last, &first_prefix, &dob, &args.limit, &((args.page - 1) * args.limit)],
        )?;
        let total = rows.first().map(|r| r.get::<_, i64>(7)).unwrap_or(0);
        let results: Vec<Match> = rows
            .iter()
            .map(|r| Match {
                id: format!("fc:{}", r.get::<_, i64>(0)),
                cms_id: r.get(1),
                first_name: r.get(2),
                last_name: r.get(3),
                date_of_birth: r.get(4),
                gender: r.get(5),
                postcode: r.get(6),
            })
            .collect();
        audit.persons = rows.iter().map(|r| r.get(0)).collect();
        audit.set_detail("total", total);
        Ok(Page {
            page: args.page,
            limit: args.limit,
            total,
            results,
        })
    })?;
    match out.format {
        Format::Json => out.json(&page)?,
        Format::Jsonl => {
            for m in &page.results {
                out.json_line(m)?;
            }
            out.flush()?;
        }
        _ => {
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
                    m.first_name.clone().unwrap_or_default(),
                    m.last_name.clone().unwrap_or_default(),
                    m.date_of_birth.map(|d| d.to_string()).unwrap_or_default(),
                    m.gender.clone().unwrap_or_default(),
                    m.postcode.clone().unwrap_or_default(),
                ]);
            }
            out.table(&t)?;
            let pages = (page.total + page.limit - 1) / page.limit;
            eprintln!(
                "famctx: page {} of {} ({} matches)",
                page.page,
                pages.max(1),
                page.total
            );
        }
    }
    Ok(code::SUCCESS)
}

/// A LIKE pattern matching values that start with `text`, wildcards escaped.
fn like_prefix(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(super::like_prefix("a%b_c\\"), "a\\%b\\_c\\\\%");
    }
}
