//! `famctx family show`: one person, their family to a given depth (and
//! optionally their household), and for each member a summary and the
//! details of every data source the operator may see, subject to the age
//! rules. One query gathers it all; one audit row records what was shown.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand};
use postgres::Transaction;
use serde::Serialize;
use serde_json::Value;

use crate::cli::Format;
use crate::error::{code, Error, Result};
use crate::guard::{self, Audit, Needs, Operator, Role};
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

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub line: Option<String>,
    pub postcode: Option<String>,
    pub uprn: Option<i64>,
}

/// The reference API's `Person` (plus age) or, with a relationship,
/// `PersonWithRelationship`; each with the services shown for them.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub id: String,
    pub cms_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub age: Option<i32>,
    pub gender: Option<String>,
    pub address: Address,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relationship: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relationship_to_id: Option<String>,
    pub services: Vec<Service>,
    #[serde(skip)]
    pub number: i64,
}

/// One data source for one person: shown (with the reference API's
/// `ServiceDetail`), restricted (no grant) or withheld by the age rule.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    pub data_source: String,
    pub status: &'static str,
    pub explanation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<ServiceDetail>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceDetail {
    pub summary: ServiceSummary,
    pub data: Vec<Value>,
}

#[derive(Debug, Clone, Serialize)]
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

#[derive(Debug, Serialize)]
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

    /// Every person id shown.
    pub fn persons_disclosed(&self) -> Vec<i64> {
        self.everyone().map(|p| p.number).collect()
    }

    /// Every data source something was shown from (a record or its absence).
    pub fn sources_disclosed(&self) -> Vec<String> {
        let set: BTreeSet<&str> = self
            .everyone()
            .flat_map(|p| &p.services)
            .filter(|s| s.detail.is_some())
            .map(|s| s.data_source.as_str())
            .collect();
        set.into_iter().map(str::to_string).collect()
    }
}

/// The whole lookup in one round trip: the family walk (both directions of
/// each relationship), the household, the permission check, the age rules
/// and the records of the sources that may be shown. $1 operator objectGUID,
/// $2 person, $3 depth, $4 household.
pub const FAMILY_SQL: &str = "
WITH RECURSIVE walk (person_id, relationship, relationship_to, depth, path) AS (
    SELECT $2::bigint, NULL::text, NULL::bigint, 0, ARRAY[$2::bigint]
  UNION ALL
    SELECT e.other, e.relationship, w.person_id, w.depth + 1, w.path || e.other
    FROM walk w
    CROSS JOIN LATERAL (
        SELECT r.person_id AS other, r.relationship_type AS relationship
        FROM fc.relationship r WHERE r.related_person_id = w.person_id
      UNION ALL
        SELECT r.related_person_id, CASE r.relationship_type
            WHEN 'parent' THEN 'child' WHEN 'child' THEN 'parent'
            WHEN 'step_parent' THEN 'step_child' WHEN 'step_child' THEN 'step_parent'
            WHEN 'grandparent' THEN 'grandchild' WHEN 'grandchild' THEN 'grandparent'
            WHEN 'carer' THEN 'cared_for' WHEN 'cared_for' THEN 'carer'
            ELSE r.relationship_type END
        FROM fc.relationship r WHERE r.person_id = w.person_id
    ) e
    WHERE w.depth < $3 AND e.other <> ALL (w.path)
),
nearest AS (
    SELECT DISTINCT ON (person_id) person_id, relationship, relationship_to, depth
    FROM walk ORDER BY person_id, depth, relationship_to, relationship
),
members AS (
    SELECT * FROM nearest
  UNION ALL
    SELECT h.id, 'household_member', $2::bigint, 1
    FROM fc.person s JOIN fc.person h ON h.uprn = s.uprn AND h.id <> s.id
    WHERE $4 AND s.id = $2 AND s.uprn IS NOT NULL
      AND h.id NOT IN (SELECT person_id FROM nearest)
),
people AS (
    SELECT m.*, p.cms_id, p.first_name, p.last_name, p.date_of_birth, p.gender, p.address_line,
           p.postcode, p.uprn, extract(year FROM age(current_date, p.date_of_birth))::int AS age
    FROM members m JOIN fc.person p ON p.id = m.person_id
),
granted AS (SELECT source_code FROM fc.current_grants($1)),
verdict AS (
    SELECT p.person_id, s.code,
           CASE WHEN s.code NOT IN (SELECT source_code FROM granted) THEN 'restricted'
                WHEN p.age IS NULL THEN 'age_unknown'
                WHEN p.age < s.min_age OR p.age > coalesce(s.max_age, 200) THEN 'outside_age_rule'
                ELSE 'shown' END AS status
    FROM people p CROSS JOIN fc.data_source s
),
shown AS (SELECT person_id, code FROM verdict WHERE status = 'shown'),
records AS (
    SELECT 'school' AS code, x.person_id, to_jsonb(x) - 'person_id' AS rec FROM fc.school_record x
      WHERE (x.person_id, 'school') IN (SELECT * FROM shown)
  UNION ALL
    SELECT 'childrens_social_care', x.person_id, to_jsonb(x) - 'person_id' FROM fc.childrens_social_care_record x
      WHERE (x.person_id, 'childrens_social_care') IN (SELECT * FROM shown)
  UNION ALL
    SELECT 'adult_social_care', x.person_id, to_jsonb(x) - 'person_id' FROM fc.adult_social_care_record x
      WHERE (x.person_id, 'adult_social_care') IN (SELECT * FROM shown)
  UNION ALL
    SELECT 'housing', x.person_id, to_jsonb(x) - 'person_id' FROM fc.housing_record x
      WHERE (x.person_id, 'housing') IN (SELECT * FROM shown)
  UNION ALL
    SELECT 'police', x.person_id, to_jsonb(x) - 'person_id' FROM fc.police_record x
      WHERE (x.person_id, 'police') IN (SELECT * FROM shown)
)
SELECT p.person_id, p.relationship, p.relationship_to, p.depth, p.cms_id, p.first_name, p.last_name,
       p.date_of_birth, p.gender, p.address_line, p.postcode, p.uprn, p.age,
       s.code, s.title, s.min_age, s.max_age, s.last_synchronised, s.coverage_start, s.coverage_end,
       s.coverage_explanation, s.no_record_text, v.status,
       coalesce((SELECT jsonb_agg(r.rec ORDER BY (r.rec->>'id')::bigint) FROM records r
                 WHERE r.person_id = p.person_id AND r.code = s.code), '[]'::jsonb) AS data
FROM people p
JOIN verdict v ON v.person_id = p.person_id
JOIN fc.data_source s ON s.code = v.code
ORDER BY p.depth, p.person_id, s.sort_order, s.code";

pub fn run(ctx: &Context, command: &FamilyCommand) -> Result<u8> {
    let FamilyCommand::Show(args) = command;
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json])?;
    let id = PersonId::parse(&args.id)?;
    let reason = reason(ctx, args.reason.as_deref())?;
    let mut audit = Audit::new("viewed_family")
        .reason(reason)
        .detail("requested_id", id.to_string())
        .detail("depth", args.depth)
        .detail("household", args.household);
    // A refused lookup is still about this person: IG's report must show it.
    if let PersonId::Fc(n) = id {
        audit.subject_person = Some(n);
    }
    let view = guard::through(ctx, Needs::Role(Role::User), audit, |tx, session, audit| {
        let number = resolve(tx, &id)?;
        audit.subject_person = Some(number);
        let view = lookup(tx, session.operator, number, args.depth, args.household)?;
        audit.persons = view.persons_disclosed();
        audit.sources = view.sources_disclosed();
        Ok(view)
    })?;
    match out.format {
        Format::Json => out.json(&view)?,
        _ => render(&mut out, &view)?,
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

fn resolve(tx: &mut Transaction, id: &PersonId) -> Result<i64> {
    let row = match id {
        PersonId::Fc(n) => tx.query_opt("SELECT id FROM fc.person WHERE id = $1", &[n])?,
        PersonId::Cms(c) => tx.query_opt("SELECT id FROM fc.person WHERE cms_id = $1", &[c])?,
    };
    row.map(|r| r.get(0))
        .ok_or_else(|| Error::NotFound(format!("no person {id} in the MDM person index")))
}

pub fn lookup(
    tx: &mut Transaction,
    op: &Operator,
    number: i64,
    depth: i32,
    household: bool,
) -> Result<FamilyView> {
    let rows = tx.query(FAMILY_SQL, &[&op.account.guid, &number, &depth, &household])?;
    let mut people: Vec<Person> = Vec::new();
    for r in &rows {
        let pid: i64 = r.get("person_id");
        if people.last().map(|p| p.number) != Some(pid) {
            people.push(Person {
                id: format!("fc:{pid}"),
                cms_id: r.get("cms_id"),
                first_name: r.get("first_name"),
                last_name: r.get("last_name"),
                date_of_birth: r.get("date_of_birth"),
                age: r.get("age"),
                gender: r.get("gender"),
                address: Address {
                    line: r.get("address_line"),
                    postcode: r.get("postcode"),
                    uprn: r.get("uprn"),
                },
                relationship: r.get("relationship"),
                relationship_to_id: r
                    .get::<_, Option<i64>>("relationship_to")
                    .map(|n| format!("fc:{n}")),
                services: Vec::new(),
                number: pid,
            });
        }
        let Some(person) = people.last_mut() else {
            continue;
        };
        person.services.push(service(r, person.age, pid));
    }
    let mut people = people.into_iter();
    let person = people
        .next()
        .ok_or_else(|| Error::NotFound(format!("no person fc:{number} in the MDM person index")))?;
    Ok(FamilyView {
        person,
        family: people.collect(),
        depth,
        household,
    })
}

fn service(r: &postgres::Row, age: Option<i32>, pid: i64) -> Service {
    let code: String = r.get("code");
    let title: String = r.get("title");
    let status: String = r.get("status");
    let rule = crate::source::age_rule(r.get("min_age"), r.get("max_age"));
    match status.as_str() {
        "shown" => {
            let data: Value = r.get("data");
            let data = match data {
                Value::Array(a) => a,
                _ => Vec::new(),
            };
            let available = !data.is_empty();
            let explanation = if available {
                format!("{} record(s) held", data.len())
            } else {
                r.get::<_, String>("no_record_text")
            };
            Service {
                status: "shown",
                explanation,
                detail: Some(ServiceDetail {
                    summary: ServiceSummary {
                        id: format!("{code}:fc:{pid}"),
                        title,
                        last_synchronised: r.get("last_synchronised"),
                        coverage_start_date: r.get("coverage_start"),
                        coverage_end_date: r.get("coverage_end"),
                        data_source: code.clone(),
                        records_available: available,
                        coverage_explanation: r.get("coverage_explanation"),
                    },
                    data,
                }),
                data_source: code,
            }
        }
        "restricted" => Service {
            explanation: format!("restricted: you hold no current grant on {title}"),
            status: "restricted",
            detail: None,
            data_source: code,
        },
        "age_unknown" => Service {
            explanation: format!("not shown: {title} is shown only for ages {rule}, and this person's date of birth is unknown"),
            status: "outside_age_rule",
            detail: None,
            data_source: code,
        },
        _ => Service {
            explanation: format!(
                "not shown: {title} is shown only for ages {rule} (this person is {})",
                age.map(|a| a.to_string()).unwrap_or_default()
            ),
            status: "outside_age_rule",
            detail: None,
            data_source: code,
        },
    }
}

fn name(p: &Person) -> String {
    format!(
        "{} {}",
        p.first_name.as_deref().unwrap_or("?"),
        p.last_name.as_deref().unwrap_or("?")
    )
}

fn born(p: &Person) -> String {
    match (p.date_of_birth, p.age) {
        (Some(d), Some(a)) => format!("{d} ({a})"),
        _ => "unknown".into(),
    }
}

fn address(p: &Person) -> String {
    let a = &p.address;
    let mut s = [a.line.as_deref(), a.postcode.as_deref()]
        .iter()
        .flatten()
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if let Some(u) = a.uprn {
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
                    if d.data.is_empty() {
                        s.explanation.clone()
                    } else {
                        d.data.iter().map(describe).collect::<Vec<_>>().join("\n")
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

/// One record as `field: value` pairs, in the order the source defines.
fn describe(record: &Value) -> String {
    match record {
        Value::Object(m) => m
            .iter()
            .filter(|(k, v)| *k != "id" && !v.is_null())
            .map(|(k, v)| match v {
                Value::String(s) => format!("{}: {s}", k.replace('_', " ")),
                other => format!("{}: {other}", k.replace('_', " ")),
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
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
