//! `famctx family show`: one person, their family to a given depth (and
//! optionally their household), and for each member a summary and the
//! details of every data source the operator may see, subject to the age
//! rules. One query gathers it all; one audit row records what was shown.

use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::action::Action;
use crate::context::Context;
use crate::error::{code, Result};
use crate::guard::{Basis, Door, Needs, Role};
use crate::output::Format;
use crate::output::{Output, Table, Tone};
use crate::reference::{Person, Service, ServiceDetail};
use crate::text::PersonId;

#[derive(Debug, Subcommand)]
pub enum FamilyCommand {
    /// Show a person, their family and the services involved with each member
    Show(ShowArgs),
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Person: fc:<n> (MDM person index; a bare number means the same) or cms:<case id>
    #[arg(value_name = "ID")]
    pub id: String,
    /// Why you are looking (recorded in the audit trail), e.g. "s47 enquiry, case 1234"
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    #[command(flatten)]
    pub basis: Basis,
    /// Relationship steps to follow from the person
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(i32).range(1..=3))]
    pub depth: i32,
    /// Also show the others living at the person's address (same UPRN)
    #[arg(long)]
    pub household: bool,
    /// Table output in full: each person's details, then a row per person per data source
    /// with its status, records and explanation, nothing shortened
    #[arg(long)]
    pub wide: bool,
    /// Break the glass: also show the restricted persons of this family you hold no access
    /// grant for. Needs --reason, whatever the policy; the lookup (or a refused attempt) is
    /// recorded as break-glass and reviewed by IG
    #[arg(long)]
    pub break_glass: bool,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FamilyView {
    pub person: Person,
    pub family: Vec<Person>,
    pub depth: i32,
    pub household: bool,
}

impl FamilyView {
    fn everyone(&self) -> impl Iterator<Item = &Person> {
        std::iter::once(&self.person).chain(&self.family)
    }
}

pub fn run(ctx: &Context, command: &FamilyCommand) -> Result<u8> {
    let FamilyCommand::Show(args) = command;
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json])?;
    let id = PersonId::parse(&args.id)?;
    // A break-glass lookup goes to the database even without a reason: it refuses it there,
    // and the attempt is recorded as break-glass for IG.
    let reason = if args.break_glass {
        args.reason
            .as_deref()
            .map(|r| crate::text::free_text("--reason", r, 500))
            .transpose()?
    } else {
        crate::text::reason(
            ctx.settings.flag("reason_required")?,
            args.reason.as_deref(),
        )?
    };
    let basis = args.basis.declared(ctx.settings.flag("basis_required")?)?;
    // A refused lookup is still about this person: IG's report must show it.
    let subject = match id {
        PersonId::Fc(n) => Some(n),
        PersonId::Cms(_) => None,
    };
    // A refusal by the AD check of a break-glass lookup is recorded as a refused attempt.
    let open = if args.break_glass {
        Door::open_breaking_glass
    } else {
        Door::open_declared
    };
    let mut door = open(
        ctx,
        Needs::Role(Role::User),
        Action::ViewedFamily,
        subject,
        reason.as_deref(),
        basis.as_deref(),
    )?;
    // The walk, the grants, the age rules and the document itself are the database's
    // (fc.family_document), so the API returns the same.
    let document = door.call(
        "family_show",
        json!({
            "id": id.to_string(),
            "depth": args.depth,
            "household": args.household,
            "reason": reason,
            "break_glass": args.break_glass,
        }),
    )?;
    let broken = document_ids(&document);
    match out.format {
        Format::Json => out.json(&document)?,
        _ => {
            let view: FamilyView = crate::guard::read_answer("family_show", document)?;
            if args.wide {
                render_wide(&mut out, &view)?
            } else {
                render(&mut out, &view)?
            }
            withheld(&mut out, &view)?;
        }
    }
    if args.break_glass {
        glass_broken(&broken);
    }
    Ok(code::SUCCESS)
}

/// The persons of a document shown because the glass was broken.
fn document_ids(document: &Value) -> Vec<String> {
    std::iter::once(&document["person"])
        .chain(document["family"].as_array().into_iter().flatten())
        .filter(|p| p["restrictedAccess"] == "break_glass")
        .filter_map(|p| p["id"].as_str().map(str::to_string))
        .collect()
}

/// Tells the operator what breaking the glass did (a message, on stderr).
fn glass_broken(ids: &[String]) {
    if ids.is_empty() {
        eprintln!(
            "famctx: nothing in this family was withheld from you: no glass was broken \
             (the lookup is recorded as asked)"
        );
    } else {
        eprintln!(
            "famctx: you broke the glass for {}: the lookup is recorded as break-glass and \
             reviewed by IG",
            ids.join(", ")
        );
    }
}

/// What to do about each restricted person whose details were withheld. A withheld family
/// member's id is the document's own (`restricted:<n>`), never the person's: access is asked
/// for, and the glass broken, on the subject's family.
fn withheld(out: &mut Output, view: &FamilyView) -> Result<()> {
    let subject = &view.person.id;
    if view.person.withheld() {
        out.line(&format!(
            "{subject}: restricted person, details withheld: ask a Family Context administrator \
             for access (famctx permission grant USER --person {subject}), or break the glass \
             (famctx family show {subject} --break-glass --reason TEXT, recorded for IG review)"
        ))?;
    }
    for p in view.family.iter().filter(|p| p.withheld()) {
        out.line(&format!(
            "{} ({}): restricted person, details withheld: ask a Family Context administrator \
             for access to the restricted member of {subject}'s family, or break the glass on \
             {subject}'s family (famctx family show {subject} --break-glass --reason TEXT, \
             recorded for IG review)",
            p.id,
            relation(p, subject)
        ))?;
    }
    out.flush()
}

fn name(p: &Person) -> String {
    if p.withheld() {
        return "restricted person".into();
    }
    let part = |s: &str| {
        if s.is_empty() {
            "?".to_string()
        } else {
            s.to_string()
        }
    };
    let name = format!("{} {}", part(&p.first_name), part(&p.last_name));
    if p.restricted == Some(true) {
        format!("{name} [restricted]")
    } else {
        name
    }
}

fn born(p: &Person) -> String {
    if p.withheld() {
        return "withheld".into();
    }
    match (p.date_of_birth, p.age) {
        (Some(d), Some(a)) => format!("{d} ({a})"),
        _ => "unknown".into(),
    }
}

fn address(p: &Person) -> String {
    let mut s = p.address.clone().unwrap_or_default();
    if let Some(u) = p.address_detail.as_ref().and_then(|a| a.uprn) {
        s.push_str(&format!(" (UPRN {u})"));
    }
    s
}

/// How much of a record's value the per-source tables show; `--wide` shows all.
const VALUE_SHOWN: usize = 60;

/// The view for people: a row per person with a short status per data source,
/// the homes they live at, then a section per source shown, with its records.
fn render(out: &mut Output, view: &FamilyView) -> Result<()> {
    let sources = sources(view);
    let homes = Homes::of(view);
    let mut headers: Vec<String> = ["id", "name", "age", "relationship", "home"]
        .iter()
        .map(|h| h.to_string())
        .collect();
    headers.extend(sources.iter().map(|(_, label)| label.clone()));
    let mut grid = Table::with_headers(headers);
    for p in view.everyone() {
        let mut cells = vec![
            (p.id.clone(), Tone::Plain),
            (
                name(p),
                if p.withheld() {
                    Tone::Warn
                } else {
                    Tone::Plain
                },
            ),
            (
                match p.age {
                    Some(a) => a.to_string(),
                    None if p.withheld() => String::new(),
                    None => "?".to_string(),
                },
                Tone::Plain,
            ),
            (relation(p, &view.person.id), Tone::Plain),
            (homes.marker(p), Tone::Plain),
        ];
        for (code, _) in &sources {
            cells.push(status(p.services.iter().find(|s| &s.data_source == code)));
        }
        grid.push_toned(cells);
    }
    grid.shorten("name", 40);
    out.table(&grid)?;
    for (marker, place) in &homes.places {
        out.line(&format!("home {marker}: {place}"))?;
    }
    for (code, _) in &sources {
        section(out, view, code)?;
    }
    out.flush()
}

/// The data sources in the document's order, each labelled by its code in words (the
/// same whatever the grants: a source's title is in the document only where it is shown).
fn sources(view: &FamilyView) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = Vec::new();
    for s in view.everyone().flat_map(|p| &p.services) {
        if !all.iter().any(|(code, _)| code == &s.data_source) {
            all.push((s.data_source.clone(), s.data_source.replace('_', " ")));
        }
    }
    all
}

/// One source for one person, in a word or three.
fn status(service: Option<&Service>) -> (String, Tone) {
    let Some(s) = service else {
        return (String::new(), Tone::Plain);
    };
    match (s.status.as_str(), &s.detail) {
        ("shown", Some(d)) => match records(d).len() {
            0 => ("none held".into(), Tone::Quiet),
            1 => ("1 record".into(), Tone::Good),
            n => (format!("{n} records"), Tone::Good),
        },
        ("restricted", _) => ("restricted".into(), Tone::Warn),
        ("outside_age_rule", _) => ("outside age rule".into(), Tone::Quiet),
        (other, _) => (other.replace('_', " "), Tone::Plain),
    }
}

/// A person's records of a source: the current one, then the others, latest first.
fn records(detail: &ServiceDetail) -> Vec<&Value> {
    let current = match &detail.data {
        Value::Object(m) if m.is_empty() => None,
        Value::Null => None,
        other => Some(other),
    };
    current.into_iter().chain(&detail.history).collect()
}

/// How a family member is related: to the person looked up, or to whom the
/// document says when it is someone else (at depth 2 and 3).
fn relation(p: &Person, subject: &str) -> String {
    match (&p.relationship, &p.relationship_to_id) {
        (Some(r), Some(to)) if to == subject => r.replace('_', " "),
        (Some(r), Some(to)) => format!("{} of {to}", r.replace('_', " ")),
        _ => "subject".into(),
    }
}

/// The addresses the family lives at, lettered in the order met (the person's
/// own first): one letter per UPRN, or per address where there is no UPRN.
struct Homes {
    places: Vec<(String, String)>,
    keys: Vec<String>,
}

impl Homes {
    fn of(view: &FamilyView) -> Homes {
        let mut homes = Homes {
            places: Vec::new(),
            keys: Vec::new(),
        };
        for p in view.everyone() {
            if let Some(key) = Homes::key(p) {
                if !homes.keys.contains(&key) {
                    homes.keys.push(key);
                    let marker = letters(homes.places.len());
                    homes.places.push((marker, address(p)));
                }
            }
        }
        homes
    }

    fn key(p: &Person) -> Option<String> {
        match (p.address_detail.as_ref().and_then(|a| a.uprn), &p.address) {
            (Some(uprn), _) => Some(format!("uprn:{uprn}")),
            (None, Some(a)) if !a.is_empty() => Some(format!("address:{a}")),
            _ => None,
        }
    }

    fn marker(&self, p: &Person) -> String {
        Homes::key(p)
            .and_then(|k| self.keys.iter().position(|x| *x == k))
            .map_or_else(String::new, |i| self.places[i].0.clone())
    }
}

/// 0 -> A, 25 -> Z, 26 -> AA.
fn letters(mut n: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(char::from(b'A' + (n % 26) as u8));
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    s.iter().rev().collect()
}

/// A source's section: when it was last synchronised, a row per record (in the
/// order and with the titles of its schema), and what no record means for those
/// who have none.
fn section(out: &mut Output, view: &FamilyView, code: &str) -> Result<()> {
    let shown: Vec<(&Person, &Service, &ServiceDetail)> = view
        .everyone()
        .filter_map(|p| {
            let s = p
                .services
                .iter()
                .find(|s| s.data_source == code && s.status == "shown")?;
            Some((p, s, s.detail.as_ref()?))
        })
        .collect();
    let Some((_, _, first)) = shown.first() else {
        return Ok(());
    };
    let synced = first.summary.last_synchronised.map_or_else(
        || "never synchronised".to_string(),
        |t| format!("synchronised {} UTC", t.format("%Y-%m-%d %H:%M")),
    );
    out.heading(&format!("{} ({synced})", first.summary.title))?;
    let schema = &first.schema;
    let mut keys: Vec<String> = Vec::new();
    for (_, _, d) in &shown {
        for r in records(d) {
            if let Value::Object(fields) = r {
                for (k, v) in fields {
                    if !v.is_null() && !keys.contains(k) {
                        keys.push(k.clone());
                    }
                }
            }
        }
    }
    keys.sort_by_key(|k| seq(schema, k));
    let mut headers = vec!["person".to_string()];
    headers.extend(keys.iter().map(|k| title(schema, k)));
    let mut t = Table::with_headers(headers.clone());
    for (p, _, d) in &shown {
        for r in records(d) {
            let mut cells = vec![format!("{} {}", p.id, name(p))];
            cells.extend(keys.iter().map(|k| match r.get(k) {
                Some(v) if !v.is_null() => plain(v),
                _ => String::new(),
            }));
            t.push(cells);
        }
    }
    for h in &headers[1..] {
        t.shorten(h, VALUE_SHOWN);
    }
    if !t.is_empty() {
        out.table(&t)?;
    }
    for (p, s, d) in &shown {
        if records(d).is_empty() {
            out.line(&format!("{} {}: {}", p.id, name(p), s.explanation))?;
        }
    }
    Ok(())
}

/// Today's rows in full: each person's details, then a row per person per source.
fn render_wide(out: &mut Output, view: &FamilyView) -> Result<()> {
    let mut people = Table::new([
        "id",
        "cms id",
        "name",
        "born (age)",
        "gender",
        "relationship",
        "address",
    ]);
    for p in view.everyone() {
        let rel = match (&p.relationship, &p.relationship_to_id) {
            (Some(r), Some(to)) => format!("{} of {to}", r.replace('_', " ")),
            _ => "(subject)".into(),
        };
        people.row([
            p.id.clone(),
            p.cms_id.clone().unwrap_or_default(),
            name(p),
            born(p),
            p.gender.clone().unwrap_or_default(),
            rel,
            address(p),
        ]);
    }
    out.table(&people)?;
    let mut services = Table::new(["person", "source", "status", "last synchronised", "details"]);
    for p in view.everyone() {
        for s in &p.services {
            let (synced, details) = match &s.detail {
                Some(d) => (
                    d.summary
                        .last_synchronised
                        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_else(|| "never".into()),
                    if d.summary.records_available {
                        std::iter::once(&d.data)
                            .chain(&d.history)
                            .map(|r| describe(r, &d.schema))
                            .collect::<Vec<_>>()
                            .join("\n")
                    } else {
                        s.explanation.clone()
                    },
                ),
                None => (String::new(), s.explanation.clone()),
            };
            services.row([
                p.id.clone(),
                s.data_source.clone(),
                s.status.replace('_', " "),
                synced,
                details,
            ]);
        }
    }
    out.table(&services)
}

/// One record as `Title: value` pairs, in the order and with the titles of
/// its schema (`x-item-seq`, `title`); keys the schema does not name follow.
fn describe(record: &Value, schema: &Value) -> String {
    let Value::Object(fields) = record else {
        return record.to_string();
    };
    let mut keys: Vec<&String> = fields.keys().collect();
    keys.sort_by_key(|k| seq(schema, k));
    keys.iter()
        .filter(|k| !fields[k.as_str()].is_null())
        .map(|k| format!("{}: {}", title(schema, k), plain(&fields[k.as_str()])))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Where a record's key comes in its schema (`x-item-seq`); keys it does not name last.
fn seq(schema: &Value, key: &str) -> i64 {
    schema
        .get("properties")
        .and_then(|p| p.get(key))
        .and_then(|p| p.get("x-item-seq"))
        .and_then(Value::as_i64)
        .unwrap_or(i64::MAX)
}

/// A record's key as its schema titles it, else as words.
fn title(schema: &Value, key: &str) -> String {
    schema
        .get("properties")
        .and_then(|p| p.get(key))
        .and_then(|p| p.get("title"))
        .and_then(Value::as_str)
        .map_or_else(|| words(key), str::to_string)
}

/// A value as text: objects by their values (a contact: name, role, phone,
/// email; an offence: date, type, nature), array items separated by ` | `.
fn plain(value: &Value) -> String {
    const ORDER: [&str; 9] = [
        "name",
        "role",
        "phone",
        "email",
        "dateOfOffence",
        "typeOfOffence",
        "natureOfInvolvement",
        "recordsFound",
        "count",
    ];
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) if items.is_empty() => "none".into(),
        Value::Array(items) => items.iter().map(plain).collect::<Vec<_>>().join(" | "),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_by_key(|k| ORDER.iter().position(|o| o == k).unwrap_or(ORDER.len()));
            keys.iter()
                .filter(|k| !m[k.as_str()].is_null())
                .map(|k| plain(&m[k.as_str()]))
                .collect::<Vec<_>>()
                .join(", ")
        }
        other => other.to_string(),
    }
}

/// camelCase as lower-case words: `schoolName` -> `school name`.
fn words(key: &str) -> String {
    let mut s = String::new();
    for c in key.chars() {
        if c.is_uppercase() {
            s.push(' ');
        }
        s.extend(c.to_lowercase());
    }
    s
}
