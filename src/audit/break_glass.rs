//! `audit break-glass`: every audit row marked break-glass (a lookup that disclosed a
//! restricted person its operator had no access grant for, or a refused attempt), newest first,
//! for IG to review. `fc_api.audit_break_glass` (sql/migrations/V23) reads them and writes its
//! own audit row (break_glass_listed).

use super::*;

/// One break-glass row as `fc_api.audit_break_glass` lists it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GlassEntry {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_account: Option<String>,
    pub actor_guid: Option<Uuid>,
    pub channel: String,
    pub client_host: Option<String>,
    pub action: String,
    pub outcome: String,
    pub subject_person: Option<i64>,
    pub persons_disclosed: Vec<i64>,
    /// The restricted persons the row disclosed by breaking the glass.
    pub break_glass_persons: Vec<i64>,
    pub reason: Option<String>,
    pub basis: Option<String>,
    /// Why a refused attempt was refused.
    pub error: Option<String>,
}

const GLASS_COLUMNS: [&str; 14] = [
    "id",
    "occurred_at",
    "actor_account",
    "actor_guid",
    "channel",
    "client_host",
    "action",
    "outcome",
    "subject_person",
    "persons_disclosed",
    "break_glass_persons",
    "reason",
    "basis",
    "error",
];

pub(crate) fn break_glass_command(ctx: &Context, args: &BreakGlassArgs) -> Result<u8> {
    let mut out = ctx.output();
    let filter = Filter::window(&args.window, Utc::now())?;
    let request = json!({ "since": filter.since, "until": filter.until, "limit": args.limit });
    let mut door = auditor_door(ctx, &args.basis, Action::BreakGlassListed)?;
    let mut doc = door.call("audit_break_glass", request)?;
    if out.format == Format::Json {
        return out.json(&doc).map(|()| code::SUCCESS);
    }
    let entries: Vec<GlassEntry> = part(&mut doc, "entries")?;
    let ids = |v: &[i64]| v.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    match out.format {
        Format::Jsonl => {
            for e in &entries {
                out.json_line(e)?;
            }
            out.flush()?;
        }
        Format::Csv => {
            let mut t = Table::new(GLASS_COLUMNS);
            for e in &entries {
                t.row([
                    e.id.to_string(),
                    instant(&e.occurred_at),
                    text(&e.actor_account),
                    e.actor_guid.map(|g| g.to_string()).unwrap_or_default(),
                    e.channel.clone(),
                    text(&e.client_host),
                    e.action.clone(),
                    e.outcome.clone(),
                    e.subject_person.map(|p| p.to_string()).unwrap_or_default(),
                    ids(&e.persons_disclosed),
                    ids(&e.break_glass_persons),
                    text(&e.reason),
                    text(&e.basis),
                    text(&e.error),
                ]);
            }
            out.table(&t)?;
        }
        _ => {
            let mut t = Table::new([
                "id",
                "when (UTC)",
                "actor",
                "outcome",
                "subject",
                "restricted shown",
                "reason",
                "basis",
            ]);
            for e in &entries {
                t.row([
                    e.id.to_string(),
                    shown_at(&e.occurred_at),
                    text(&e.actor_account),
                    match &e.error {
                        Some(why) if e.outcome != "allowed" => format!("{}: {why}", e.outcome),
                        _ => e.outcome.clone(),
                    },
                    e.subject_person.map(person_label).unwrap_or_default(),
                    persons_cell(&e.break_glass_persons),
                    text(&e.reason),
                    text(&e.basis),
                ]);
            }
            t.shorten("actor", ACTOR_SHOWN)
                .shorten("outcome", TEXT_SHOWN)
                .shorten("reason", TEXT_SHOWN);
            out.table(&t)?;
            if entries.is_empty() {
                eprintln!("famctx: no break-glass row in this window");
            }
        }
    }
    Ok(code::SUCCESS)
}
