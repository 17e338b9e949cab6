//! `audit search`: matching rows, newest first.

use super::*;

// --- audit search ----------------------------------------------------------

pub(crate) fn search_command(ctx: &Context, args: &SearchArgs) -> Result<u8> {
    let mut out = ctx.output();
    let filter = Filter::from_search(args, Utc::now())?;
    let request = request(&filter, json!({ "limit": args.limit }))?;
    // fc_api.audit_search checks the filter again, reads the rows and writes the audit row
    // (audit_searched: the filter, the limit, the rows shown, every person they name); the
    // rows are collected only once that row has committed.
    let mut door = auditor_door(ctx, &args.basis, Action::AuditSearched)?;
    let mut doc = door.call("audit_search", request)?;
    let entries: Vec<Entry> = part(&mut doc, "entries")?;
    render_entries(&mut out, &entries)?;
    Ok(code::SUCCESS)
}

pub(crate) fn render_entries(out: &mut Output, entries: &[Entry]) -> Result<()> {
    match out.format {
        Format::Json => out.json(entries),
        Format::Jsonl => {
            for e in entries {
                out.json_line(e)?;
            }
            out.flush()
        }
        Format::Csv => {
            let mut t = Table::new(COLUMNS);
            for e in entries {
                t.row(e.cells());
            }
            out.table(&t)
        }
        Format::Table => {
            let mut t = Table::new([
                "id",
                "when (UTC)",
                "actor",
                "action",
                "outcome",
                "subject",
                "persons disclosed",
                "sources",
                "basis / reason",
            ]);
            for e in entries {
                t.row([
                    e.id.to_string(),
                    shown_at(&e.occurred_at),
                    e.actor_account.clone().unwrap_or_default(),
                    e.action.clone(),
                    e.outcome.clone(),
                    e.subject_person.map(person_label).unwrap_or_default(),
                    persons_cell(&e.persons_disclosed),
                    e.sources_disclosed.join(", "),
                    why(e),
                ]);
            }
            t.shorten("actor", ACTOR_SHOWN)
                .shorten("basis / reason", TEXT_SHOWN);
            out.table(&t)
        }
    }
}

/// How much of an account name a table shows: AD's names are at most 20 characters, but a
/// refused sign-in records whatever was typed (up to 256).
pub(crate) const ACTOR_SHOWN: usize = 32;
/// How much of a reason or a finding's detail a table shows (json and csv keep it whole).
pub(crate) const TEXT_SHOWN: usize = 60;

/// Why, in a table: the legal basis declared and a break-glass mark, each on a line of its own,
/// then the reason (the column's shortening cuts each line, never the basis).
pub(crate) fn why(e: &Entry) -> String {
    let lines: Vec<&str> = [
        e.basis.as_deref(),
        e.break_glass.then_some("BREAK-GLASS"),
        e.reason.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    lines.join("\n")
}

/// A few ids in full; a long list (a page of search results) as a count.
pub(crate) fn persons_cell(persons: &[i64]) -> String {
    const SHOWN: usize = 8;
    if persons.len() > SHOWN {
        return format!("{} persons", persons.len());
    }
    persons
        .iter()
        .map(|p| person_label(*p))
        .collect::<Vec<_>>()
        .join(" ")
}
