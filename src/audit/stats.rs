//! `audit stats`: accesses by actor, source and outcome, and patterns worth a spot check.

use super::*;

// --- audit stats -----------------------------------------------------------

#[derive(Debug, Serialize, Deserialize)]
pub struct Stats {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub total: i64,
    /// Break-glass rows, allowed or refused: IG reviews every one.
    pub break_glass: i64,
    /// Lookups allowed with no legal basis declared.
    pub lookups_without_basis: i64,
    pub by_actor: Vec<ActorStats>,
    pub by_source: Vec<SourceCount>,
    pub by_outcome: Vec<OutcomeCount>,
    pub by_basis: Vec<BasisCount>,
    /// Lookups of the median actor among those who made any.
    pub median_lookups: f64,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ActorStats {
    pub actor: String,
    pub accesses: i64,
    pub lookups: i64,
    pub out_of_hours_lookups: i64,
    pub denied: i64,
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct SourceCount {
    pub source: String,
    pub accesses: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct OutcomeCount {
    pub outcome: String,
    pub accesses: i64,
}

/// Accesses declared under one legal basis; `basis` none: none declared.
#[derive(Debug, Serialize, Deserialize)]
pub struct BasisCount {
    pub basis: Option<String>,
    pub title: Option<String>,
    pub accesses: i64,
    pub lookups: i64,
}

/// A pattern worth a spot check.
#[derive(Debug, Serialize, Deserialize)]
pub struct Finding {
    pub check: String,
    pub actor: String,
    pub count: i64,
    pub detail: String,
}

pub(crate) fn stats_command(ctx: &Context, args: &StatsArgs) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json])?;
    let filter = Filter::window(&args.window, Utc::now())?;
    // fc_api.audit_stats counts in two passes over the window (by actor and outcome, then by
    // source), finds the patterns worth a spot check, and writes the audit row (audit_stats:
    // the filter, the rows counted, the findings) before disclosing them.
    let mut door = auditor_door(ctx, &args.basis, Action::AuditStats)?;
    let doc = door.call("audit_stats", request(&filter, json!({}))?)?;
    let stats: Stats = serde_json::from_value(doc).map_err(|e| {
        Error::Other(format!(
            "the database answered with a malformed document (stats): {e}"
        ))
    })?;
    if out.format == Format::Json {
        out.json(&stats)?;
    } else {
        render_stats(&mut out, &stats)?;
    }
    Ok(code::SUCCESS)
}

pub(crate) fn render_stats(out: &mut Output, s: &Stats) -> Result<()> {
    let mut actors = Table::new([
        "actor",
        "accesses",
        "lookups",
        "out of hours",
        "denied",
        "first (UTC)",
        "last (UTC)",
    ]);
    for a in &s.by_actor {
        actors.row([
            a.actor.clone(),
            a.accesses.to_string(),
            a.lookups.to_string(),
            a.out_of_hours_lookups.to_string(),
            a.denied.to_string(),
            shown_at(&a.first),
            shown_at(&a.last),
        ]);
    }
    actors.shorten("actor", ACTOR_SHOWN);
    out.table(&actors)?;
    let mut sources = Table::new(["source", "accesses"]);
    for c in &s.by_source {
        sources.row([c.source.clone(), c.accesses.to_string()]);
    }
    out.table(&sources)?;
    let mut outcomes = Table::new(["outcome", "accesses"]);
    for c in &s.by_outcome {
        outcomes.row([c.outcome.clone(), c.accesses.to_string()]);
    }
    out.table(&outcomes)?;
    let mut bases = Table::new(["legal basis", "title", "accesses", "lookups"]);
    for c in &s.by_basis {
        bases.row([
            c.basis.clone().unwrap_or_else(|| "(none declared)".into()),
            c.title.clone().unwrap_or_default(),
            c.accesses.to_string(),
            c.lookups.to_string(),
        ]);
    }
    out.table(&bases)?;
    let mut found = Table::new(["spot check", "actor", "count", "detail"]);
    for f in &s.findings {
        found.row([
            f.check.to_string(),
            f.actor.clone(),
            f.count.to_string(),
            f.detail.clone(),
        ]);
    }
    found
        .shorten("actor", ACTOR_SHOWN)
        .shorten("detail", TEXT_SHOWN);
    out.table(&found)
}
