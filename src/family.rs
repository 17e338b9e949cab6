//! `famctx family show`: one person, their family to a given depth (and
//! optionally their household), and for each member a summary and the
//! details of every data source the operator may see, subject to the age
//! rules. One query gathers it all; one audit row records what was shown.

use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::action::Action;
use crate::context::Context;
use crate::error::{code, Error, Result};
use crate::guard::{Door, Needs, Role};
use crate::output::Format;
use crate::output::{Output, Table};
use crate::reference::Person;
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
    /// Relationship steps to follow from the person
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(i32).range(1..=3))]
    pub depth: i32,
    /// Also show the others living at the person's address (same UPRN)
    #[arg(long)]
    pub household: bool,
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
    let reason = crate::text::reason(&ctx.settings, args.reason.as_deref())?;
    // A refused lookup is still about this person: IG's report must show it.
    let subject = match id {
        PersonId::Fc(n) => Some(n),
        PersonId::Cms(_) => None,
    };
    let mut door = Door::open(
        ctx,
        Needs::Role(Role::User),
        Action::ViewedFamily,
        subject,
        reason.as_deref(),
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
        }),
    )?;
    match out.format {
        Format::Json => out.json(&document)?,
        _ => {
            let view: FamilyView = serde_json::from_value(document)
                .map_err(|e| Error::Other(format!("the family document could not be read: {e}")))?;
            render(&mut out, &view)?
        }
    }
    Ok(code::SUCCESS)
}

fn name(p: &Person) -> String {
    let part = |s: &str| {
        if s.is_empty() {
            "?".to_string()
        } else {
            s.to_string()
        }
    };
    format!("{} {}", part(&p.first_name), part(&p.last_name))
}

fn born(p: &Person) -> String {
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

fn render(out: &mut Output, view: &FamilyView) -> Result<()> {
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
    let props = schema.get("properties").and_then(Value::as_object);
    let seq = |k: &str| {
        props
            .and_then(|p| p.get(k))
            .and_then(|p| p.get("x-item-seq"))
            .and_then(Value::as_i64)
            .unwrap_or(i64::MAX)
    };
    let title = |k: &str| {
        props
            .and_then(|p| p.get(k))
            .and_then(|p| p.get("title"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| words(k))
    };
    let mut keys: Vec<&String> = fields.keys().collect();
    keys.sort_by_key(|k| seq(k));
    keys.iter()
        .filter(|k| !fields[k.as_str()].is_null())
        .map(|k| format!("{}: {}", title(k), plain(&fields[k.as_str()])))
        .collect::<Vec<_>>()
        .join("; ")
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
