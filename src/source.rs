//! `famctx source list`: the data sources, their age rules and freshness.

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};

use crate::action::Action;
use crate::context::Context;
use crate::error::{code, Result};
use crate::guard::{Basis, Door, Needs};
use crate::output::Table;

#[derive(Debug, Subcommand)]
pub enum SourceCommand {
    /// List data sources with title, age rule, last synchronised time and coverage
    List(ListArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub basis: Basis,
}

#[derive(Debug, Serialize, Deserialize)]
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
    let SourceCommand::List(args) = command;
    let basis = args.basis.declared(false)?;
    let mut door = Door::open_declared(
        ctx,
        Needs::AnyRole,
        Action::SourcesListed,
        None,
        None,
        basis.as_deref(),
    )?;
    let document = door.call("source_list", serde_json::json!({}))?;
    let sources: Vec<Source> = crate::guard::read_answer("source_list", document.clone())?;
    let mut out = ctx.output();
    if out.format == crate::output::Format::Json {
        out.json(&document)?;
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
