//! `audit person`: every access that disclosed one person, grouped by actor.

use super::*;

// --- audit person ----------------------------------------------------------

/// Everything the audit trail holds about who accessed one person.
#[derive(Debug, Serialize)]
pub struct PersonReport {
    pub person: String,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub accesses: usize,
    pub actors: Vec<ActorAccesses>,
}

/// One actor's accesses to the person, with totals.
#[derive(Debug, Serialize)]
pub struct ActorAccesses {
    pub actor: String,
    pub actor_guid: Option<Uuid>,
    pub count: usize,
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
    pub sources: Vec<String>,
    pub accesses: Vec<Access>,
}

#[derive(Debug, Serialize)]
pub struct Access {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub action: String,
    pub outcome: String,
    /// subject, family member, search result, or disclosed
    pub disclosed_as: &'static str,
    pub reason: Option<String>,
    pub sources: Vec<String>,
    pub channel: String,
    pub client_host: Option<String>,
    /// The legal basis declared, if any.
    pub basis: Option<String>,
    /// A restricted person disclosed without an access grant.
    pub break_glass: bool,
}

pub(crate) fn person_command(ctx: &Context, args: &PersonArgs) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json, Format::Csv])?;
    let filter = Filter::window(&args.window, Utc::now())?.with_person(&args.id)?;
    // fc_api.audit_person resolves the person, reads every row naming them (oldest first)
    // and writes the audit row (audit_reported, against the person) before disclosing them.
    let mut door = auditor_door(ctx, &args.basis, Action::AuditReported)?;
    let mut doc = door.call("audit_person", request(&filter, json!({}))?)?;
    let number: i64 = part(&mut doc, "subject")?;
    let entries: Vec<Entry> = part(&mut doc, "entries")?;
    let report = person_report(number, &filter, entries);
    if report.accesses == 0 {
        eprintln!(
            "famctx: the audit trail records no access to {} in this window",
            report.person
        );
    }
    match out.format {
        Format::Json => out.json(&report)?,
        Format::Csv => out.table(&accesses_table(&report))?,
        _ => {
            out.table(&actors_table(&report))?;
            out.table(&accesses_table(&report))?;
        }
    }
    Ok(code::SUCCESS)
}

/// Groups the rows (in time order) by actor: the AD objectGUID when the row
/// has one (an account renamed stays one actor), else the account name as
/// typed (a refused, unknown account). Busiest actor first.
pub(crate) fn person_report(number: i64, filter: &Filter, entries: Vec<Entry>) -> PersonReport {
    let total = entries.len();
    let mut actors: BTreeMap<String, ActorAccesses> = BTreeMap::new();
    for e in entries {
        let account = e.actor_account.clone().unwrap_or_default();
        let key = match e.actor_guid {
            Some(g) => g.to_string(),
            None => format!("account:{}", account.to_lowercase()),
        };
        let a = actors.entry(key).or_insert_with(|| ActorAccesses {
            actor: account.clone(),
            actor_guid: e.actor_guid,
            count: 0,
            first: e.occurred_at,
            last: e.occurred_at,
            sources: Vec::new(),
            accesses: Vec::new(),
        });
        a.actor = account;
        a.count += 1;
        a.last = e.occurred_at;
        a.accesses.push(Access {
            id: e.id,
            occurred_at: e.occurred_at,
            disclosed_as: disclosed_as(&e, number),
            action: e.action,
            outcome: e.outcome,
            reason: e.reason,
            sources: e.sources_disclosed,
            channel: e.channel,
            client_host: e.client_host,
            basis: e.basis,
            break_glass: e.break_glass,
        });
    }
    let mut actors: Vec<ActorAccesses> = actors.into_values().collect();
    for a in &mut actors {
        let set: BTreeSet<&String> = a.accesses.iter().flat_map(|x| &x.sources).collect();
        a.sources = set.into_iter().cloned().collect();
    }
    actors.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.actor.cmp(&b.actor)));
    PersonReport {
        person: person_label(number),
        since: filter.since,
        until: filter.until,
        accesses: total,
        actors,
    }
}

pub(crate) fn disclosed_as(e: &Entry, number: i64) -> &'static str {
    if e.subject_person == Some(number) {
        "subject"
    } else if e.action == "viewed_family" {
        "family member"
    } else if e.action == "searched" || e.action == "viewed_in_results" {
        "search result"
    } else {
        "disclosed"
    }
}

pub(crate) fn actors_table(report: &PersonReport) -> Table {
    let mut t = Table::new(["actor", "accesses", "first (UTC)", "last (UTC)", "sources"]);
    for a in &report.actors {
        t.row([
            a.actor.clone(),
            a.count.to_string(),
            shown_at(&a.first),
            shown_at(&a.last),
            a.sources.join(", "),
        ]);
    }
    t.shorten("actor", ACTOR_SHOWN);
    t
}

/// One row an access, grouped by actor (the CSV form of the report).
pub(crate) fn accesses_table(report: &PersonReport) -> Table {
    let mut t = Table::new([
        "actor",
        "actor_guid",
        "id",
        "occurred_at",
        "action",
        "outcome",
        "disclosed_as",
        "reason",
        "basis",
        "break_glass",
        "sources",
        "channel",
        "client_host",
    ]);
    for a in &report.actors {
        for x in &a.accesses {
            t.row([
                a.actor.clone(),
                a.actor_guid.map(|g| g.to_string()).unwrap_or_default(),
                x.id.to_string(),
                instant(&x.occurred_at),
                x.action.clone(),
                x.outcome.clone(),
                x.disclosed_as.to_string(),
                x.reason.clone().unwrap_or_default(),
                x.basis.clone().unwrap_or_default(),
                x.break_glass.to_string(),
                x.sources.join(","),
                x.channel.clone(),
                x.client_host.clone().unwrap_or_default(),
            ]);
        }
    }
    t.shorten("actor", ACTOR_SHOWN)
        .shorten("reason", TEXT_SHOWN)
        .shorten("client_host", ACTOR_SHOWN);
    t
}
