//! `audit stats`: accesses by actor, source and outcome, and patterns worth a spot check.

use super::*;

// --- audit stats -----------------------------------------------------------

#[derive(Debug, Serialize)]
pub struct Stats {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub total: i64,
    pub by_actor: Vec<ActorStats>,
    pub by_source: Vec<SourceCount>,
    pub by_outcome: Vec<OutcomeCount>,
    /// Lookups of the median actor among those who made any.
    pub median_lookups: f64,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActorStats {
    pub actor: String,
    pub accesses: i64,
    pub lookups: i64,
    pub out_of_hours_lookups: i64,
    pub denied: i64,
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct SourceCount {
    pub source: String,
    pub accesses: i64,
}

#[derive(Debug, Serialize)]
pub struct OutcomeCount {
    pub outcome: String,
    pub accesses: i64,
}

/// A pattern worth a spot check.
#[derive(Debug, Serialize)]
pub struct Finding {
    pub check: &'static str,
    pub actor: String,
    pub count: i64,
    pub detail: String,
}

pub(crate) fn stats_command(ctx: &Context, args: &StatsArgs) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json])?;
    let filter = Filter::window(&args.window, Utc::now())?;
    let audit = Audit::new("audit_stats").detail("filter", &filter);
    let stats = guard::through(ctx, Needs::Role(Role::Auditor), audit, |tx, _, audit| {
        let scope = filter.resolve(tx)?;
        let stats = stats(tx, &scope)?;
        audit.set_detail("rows", stats.total);
        audit.set_detail("findings", stats.findings.len());
        Ok(stats)
    })?;
    if out.format == Format::Json {
        out.json(&stats)?;
    } else {
        render_stats(&mut out, &stats)?;
    }
    Ok(code::SUCCESS)
}

/// Two passes over the window: counts by (actor, outcome), from which the
/// actor and outcome totals and the findings follow, and counts by source.
pub(crate) fn stats(tx: &mut Transaction, scope: &Scope) -> Result<Stats> {
    let mut q = Query::default();
    let cond = scope.condition(&mut q);
    let lookups = q.param(LOOKUP_ACTIONS.map(String::from).to_vec());
    let start = q.param(WORKDAY_START_HOUR);
    let end = q.param(WORKDAY_END_HOUR);
    let by_actor_outcome = format!(
        "SELECT lower(coalesce(actor_account, '')), outcome, count(*), \
                count(*) FILTER (WHERE action = ANY({lookups}::text[])), \
                count(*) FILTER (WHERE action = ANY({lookups}::text[]) AND ( \
                    extract(hour FROM occurred_at AT TIME ZONE 'UTC') < {start}::int \
                    OR extract(hour FROM occurred_at AT TIME ZONE 'UTC') >= {end}::int \
                    OR extract(isodow FROM occurred_at AT TIME ZONE 'UTC') > 5)), \
                min(occurred_at), max(occurred_at) \
         FROM fc.audit_log WHERE {cond} GROUP BY 1, 2"
    );
    let rows = tx.query(by_actor_outcome.as_str(), &q.refs())?;
    let mut actors: BTreeMap<String, ActorStats> = BTreeMap::new();
    let mut outcomes: BTreeMap<String, i64> = BTreeMap::new();
    for r in &rows {
        let actor: String = r.get(0);
        let outcome: String = r.get(1);
        let (n, looked, late): (i64, i64, i64) = (r.get(2), r.get(3), r.get(4));
        let (first, last): (DateTime<Utc>, DateTime<Utc>) = (r.get(5), r.get(6));
        *outcomes.entry(outcome.clone()).or_default() += n;
        let a = actors.entry(actor.clone()).or_insert_with(|| ActorStats {
            actor: if actor.is_empty() {
                "(none)".into()
            } else {
                actor
            },
            accesses: 0,
            lookups: 0,
            out_of_hours_lookups: 0,
            denied: 0,
            first,
            last,
        });
        a.accesses += n;
        a.lookups += looked;
        a.out_of_hours_lookups += late;
        if outcome == "denied" {
            a.denied += n;
        }
        a.first = a.first.min(first);
        a.last = a.last.max(last);
    }
    let mut by_actor: Vec<ActorStats> = actors.into_values().collect();
    by_actor.sort_by(|a, b| {
        b.accesses
            .cmp(&a.accesses)
            .then_with(|| a.actor.cmp(&b.actor))
    });
    let mut by_outcome: Vec<OutcomeCount> = outcomes
        .into_iter()
        .map(|(outcome, accesses)| OutcomeCount { outcome, accesses })
        .collect();
    by_outcome.sort_by(|a, b| {
        b.accesses
            .cmp(&a.accesses)
            .then_with(|| a.outcome.cmp(&b.outcome))
    });
    let median = median_lookups(&by_actor);
    Ok(Stats {
        since: scope.filter.since,
        until: scope.filter.until,
        total: by_actor.iter().map(|a| a.accesses).sum(),
        by_source: by_source(tx, scope)?,
        findings: findings(&by_actor, median),
        median_lookups: median,
        by_actor,
        by_outcome,
    })
}

pub(crate) fn by_source(tx: &mut Transaction, scope: &Scope) -> Result<Vec<SourceCount>> {
    let mut q = Query::default();
    let cond = scope.condition(&mut q);
    let sql = format!(
        "SELECT s, count(*) FROM fc.audit_log CROSS JOIN LATERAL unnest(sources_disclosed) s \
         WHERE {cond} GROUP BY s ORDER BY 2 DESC, 1"
    );
    Ok(tx
        .query(sql.as_str(), &q.refs())?
        .iter()
        .map(|r| SourceCount {
            source: r.get(0),
            accesses: r.get(1),
        })
        .collect())
}

/// The median of the lookups of the actors who made any (0 if none did).
pub(crate) fn median_lookups(actors: &[ActorStats]) -> f64 {
    let mut n: Vec<i64> = actors
        .iter()
        .map(|a| a.lookups)
        .filter(|&l| l > 0)
        .collect();
    n.sort_unstable();
    match n.len() {
        0 => 0.0,
        len if len % 2 == 1 => n[len / 2] as f64,
        len => (n[len / 2 - 1] + n[len / 2]) as f64 / 2.0,
    }
}

/// The spot checks: many more lookups than the median actor, lookups out of
/// working hours, repeated denials.
pub(crate) fn findings(actors: &[ActorStats], median: f64) -> Vec<Finding> {
    let mut found = Vec::new();
    let by_count =
        |a: &Finding, b: &Finding| b.count.cmp(&a.count).then_with(|| a.actor.cmp(&b.actor));
    let mut busy: Vec<Finding> = actors
        .iter()
        .filter(|a| a.lookups >= BUSY_MINIMUM && a.lookups as f64 > BUSY_FACTOR * median)
        .map(|a| Finding {
            check: "many_lookups",
            actor: a.actor.clone(),
            count: a.lookups,
            detail: format!(
                "{} lookups, more than {BUSY_FACTOR} times the median actor's {median}",
                a.lookups
            ),
        })
        .collect();
    busy.sort_by(by_count);
    let mut late: Vec<Finding> = actors
        .iter()
        .filter(|a| a.out_of_hours_lookups > 0)
        .map(|a| Finding {
            check: "out_of_hours",
            actor: a.actor.clone(),
            count: a.out_of_hours_lookups,
            detail: format!(
                "{} of {} lookups before {WORKDAY_START_HOUR:02}:00 or after {WORKDAY_END_HOUR:02}:00 UTC or at a weekend",
                a.out_of_hours_lookups, a.lookups
            ),
        })
        .collect();
    late.sort_by(by_count);
    let mut denied: Vec<Finding> = actors
        .iter()
        .filter(|a| a.denied >= REPEATED_DENIALS)
        .map(|a| Finding {
            check: "repeated_denials",
            actor: a.actor.clone(),
            count: a.denied,
            detail: format!("{} denied attempts", a.denied),
        })
        .collect();
    denied.sort_by(by_count);
    found.extend(busy);
    found.extend(late);
    found.extend(denied);
    found
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
    let mut found = Table::new(["spot check", "actor", "count", "detail"]);
    for f in &s.findings {
        found.row([
            f.check.to_string(),
            f.actor.clone(),
            f.count.to_string(),
            f.detail.clone(),
        ]);
    }
    out.table(&found)
}
