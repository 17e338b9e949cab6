//! `famctx source list`: the data sources, their age rules and freshness.

use chrono::{DateTime, NaiveDate, Utc};
use clap::Subcommand;
use serde::Serialize;

use crate::error::{code, Result};
use crate::guard::{self, Audit, Needs};
use crate::output::Table;
use crate::Context;

#[derive(Debug, Subcommand)]
pub enum SourceCommand {
    /// List data sources with title, age rule, last synchronised time and coverage
    List,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    pub code: String,
    pub title: String,
    pub min_age: i32,
    pub max_age: Option<i32>,
    pub last_synchronised: Option<DateTime<Utc>>,
    pub coverage_start_date: Option<NaiveDate>,
    pub coverage_end_date: Option<NaiveDate>,
    pub coverage_explanation: String,
    pub granted_to_you: bool,
}

pub fn run(ctx: &Context, command: &SourceCommand) -> Result<u8> {
    let SourceCommand::List = command;
    let sources = guard::through(
        ctx,
        Needs::AnyRole,
        Audit::new("sources_listed"),
        |tx, session, _| {
            let rows = tx.query(
            "SELECT code, title, min_age, max_age, last_synchronised, coverage_start, coverage_end, \
             coverage_explanation FROM fc.data_source ORDER BY sort_order, code",
            &[],
        )?;
            Ok(rows
                .iter()
                .map(|r| Source {
                    code: r.get(0),
                    title: r.get(1),
                    min_age: r.get(2),
                    max_age: r.get(3),
                    last_synchronised: r.get(4),
                    coverage_start_date: r.get(5),
                    coverage_end_date: r.get(6),
                    coverage_explanation: r.get(7),
                    granted_to_you: session.operator.may_see(r.get(0)),
                })
                .collect::<Vec<_>>())
        },
    )?;
    let mut out = ctx.output();
    if out.format == crate::cli::Format::Json {
        out.json(&sources)?;
        return Ok(code::SUCCESS);
    }
    let mut table = Table::new([
        "code",
        "title",
        "ages",
        "last synchronised",
        "coverage",
        "granted to you",
    ]);
    for s in &sources {
        table.row([
            s.code.clone(),
            s.title.clone(),
            age_rule(s.min_age, s.max_age),
            s.last_synchronised
                .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_else(|| "never".into()),
            format!(
                "{} to {}",
                s.coverage_start_date
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "?".into()),
                s.coverage_end_date
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "now".into())
            ),
            if s.granted_to_you { "yes" } else { "no" }.to_string(),
        ]);
    }
    out.table(&table)?;
    Ok(code::SUCCESS)
}

pub fn age_rule(min: i32, max: Option<i32>) -> String {
    match max {
        Some(max) => format!("{min}-{max}"),
        None => format!("{min}+"),
    }
}
