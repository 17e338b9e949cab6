//! `famctx family show`: one person, their family to a given depth (and
//! optionally their household), and for each member a summary and the
//! details of every data source the operator may see, subject to the age
//! rules. One query gathers it all; one audit row records what was shown.

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::action::Action;
use crate::cli::Format;
use crate::error::{code, Error, Result};
use crate::guard::{self, Door, Needs, Role};
use crate::output::{Output, Table};
use crate::Context;

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

/// A person id as the operator typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonId {
    Fc(i64),
    Cms(String),
}

impl PersonId {
    pub fn parse(input: &str) -> Result<PersonId> {
        let s = input.trim();
        let bad = || {
            Error::Usage(format!(
                "{} is not a person id: use fc:<number> (e.g. fc:1234, or just 1234) or cms:<case id> (e.g. cms:CMS-0001)",
                crate::directory::shorten(input)
            ))
        };
        let lower = s.to_ascii_lowercase();
        if let Some(cms) = lower.strip_prefix("cms:").map(|_| &s[4..]) {
            let ok = !cms.is_empty()
                && cms.len() <= 64
                && cms
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            return if ok {
                Ok(PersonId::Cms(cms.to_string()))
            } else {
                Err(bad())
            };
        }
        let digits = lower.strip_prefix("fc:").unwrap_or(&lower);
        if digits.is_empty() || digits.len() > 18 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        match digits.parse::<i64>() {
            Ok(n) if n > 0 => Ok(PersonId::Fc(n)),
            _ => Err(bad()),
        }
    }
}

impl std::fmt::Display for PersonId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PersonId::Fc(n) => write!(f, "fc:{n}"),
            PersonId::Cms(c) => write!(f, "cms:{c}"),
        }
    }
}

/// famctx's structured address: an addition to the reference's `Person.address`
/// (one string).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressDetail {
    pub line: Option<String>,
    pub postcode: Option<String>,
    pub uprn: Option<i64>,
}

/// The reference API's `Person` (plus age and the structured address) or,
/// with a relationship, `PersonWithRelationship`; each with the services
/// shown for them. A key whose value is unknown is left out of the document.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub id: String,
    pub cms_id: Option<String>,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    /// male, female or other (the reference's values); absent when unknown.
    pub gender: Option<String>,
    /// The reference's address: one string.
    pub address: Option<String>,
    pub age: Option<i32>,
    pub address_detail: Option<AddressDetail>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relationship: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relationship_to_id: Option<String>,
    #[serde(default)]
    pub services: Vec<Service>,
}

/// One data source for one person: shown (with the reference API's
/// `ServiceDetail`), restricted (no grant) or withheld by the age rule.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    pub data_source: String,
    pub status: String,
    pub explanation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<ServiceDetail>,
}

/// The reference's `ServiceDetail`: `data` is the current record as the
/// source's reference object (`{}` when none), `schema` its JSON Schema;
/// `history` (an addition) the person's other records, latest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceDetail {
    pub summary: ServiceSummary,
    #[serde(default)]
    pub schema: Value,
    #[serde(default)]
    pub data: Value,
    #[serde(default)]
    pub history: Vec<Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceSummary {
    pub id: String,
    pub title: String,
    pub last_synchronised: Option<DateTime<Utc>>,
    pub coverage_start_date: Option<NaiveDate>,
    pub coverage_end_date: Option<NaiveDate>,
    pub data_source: String,
    pub records_available: bool,
    pub coverage_explanation: String,
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
    let reason = reason(ctx, args.reason.as_deref())?;
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

/// The justification: required unless the config says otherwise, and
/// never blank.
pub fn reason(ctx: &Context, given: Option<&str>) -> Result<Option<String>> {
    match given {
        Some(text) => guard::free_text("--reason", text, 500).map(Some),
        None if ctx.settings.flag("reason_required")? => Err(Error::Usage(
            "--reason is required: say why you are looking, e.g. --reason \"s47 enquiry, case 1234\"".into(),
        )),
        None => Ok(None),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_ids() {
        assert_eq!(PersonId::parse("fc:12").unwrap(), PersonId::Fc(12));
        assert_eq!(PersonId::parse("12").unwrap(), PersonId::Fc(12));
        assert_eq!(PersonId::parse("FC:7").unwrap(), PersonId::Fc(7));
        assert_eq!(
            PersonId::parse("cms:CMS-0001").unwrap(),
            PersonId::Cms("CMS-0001".into())
        );
        for bad in [
            "",
            "fc:",
            "fc:-1",
            "fc:0",
            "cms:",
            "x:1",
            "1 OR 1=1",
            "cms:a'b",
            "99999999999999999999",
            "fc:1\0",
        ] {
            assert!(
                matches!(PersonId::parse(bad), Err(Error::Usage(_))),
                "{bad:?}"
            );
        }
    }
}
