//! A line of a bulk file as read ([`Draft`]) and what is wrong with the lines, all of it at
//! once: the problems the file alone shows (found by [`super::bulk`]), then those that need the directory (no such account, a disabled
//! one, the operator's own), the other lines (contradictions) and the database's list of
//! sources. The report lists every problem of every bad line in line order, each with what
//! to do, as a table, JSON or CSV.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{json, Value};

use chrono::{DateTime, Utc};

use super::{Action, Change, Found};
use crate::error::Result;
use crate::output::{Format, Output, Table};
use crate::text::shorten;

/// The fields of a line as typed (trimmed; an empty field is absent).
#[derive(Debug, Clone, Default)]
pub struct Typed {
    pub action: Option<String>,
    pub user: Option<String>,
    pub source: Option<String>,
    pub expires: Option<String>,
    pub reason: Option<String>,
    pub ticket: Option<String>,
}

impl Typed {
    pub(super) fn set(&mut self, field: Field, value: Option<String>) {
        let value = value.filter(|v| !v.is_empty());
        match field {
            Field::Action => self.action = value,
            Field::User => self.user = value,
            Field::Source => self.source = value,
            Field::Expires => self.expires = value,
            Field::Reason => self.reason = value,
            Field::Ticket => self.ticket = value,
            Field::Line => {}
        }
    }
}

/// One line of a bulk file: what it says, what could be made of it, and what is wrong with it.
#[derive(Debug, Clone)]
pub struct Draft {
    pub line: usize,
    pub typed: Typed,
    pub action: Option<Action>,
    /// The user, when it can be an AD account name (and so is looked up).
    pub account_name: Option<String>,
    /// The expiry read, in the past or not.
    pub expires: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub ticket: Option<String>,
    pub problems: Vec<Problem>,
}

impl Draft {
    /// The change this line asks for, when nothing is wrong with it.
    pub fn change(&self) -> Option<Change> {
        if !self.problems.is_empty() {
            return None;
        }
        Some(Change {
            line: self.line,
            action: self.action?,
            user: self.account_name.clone()?,
            source: self.typed.source.clone()?,
            expires: self.expires,
            reason: self.reason.clone()?,
            ticket: self.ticket.clone(),
        })
    }

    pub(super) fn add(&mut self, problem: Problem) {
        self.problems.push(problem);
    }
}

/// The part of a line a problem is about (`line`: the line as a whole).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Line,
    Action,
    User,
    Source,
    Expires,
    Reason,
    Ticket,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Line => "line",
            Field::Action => "action",
            Field::User => "user",
            Field::Source => "source",
            Field::Expires => "expires",
            Field::Reason => "reason",
            Field::Ticket => "ticket",
        }
    }

    /// The field a CSV column or JSON key names.
    pub fn of_key(key: &str) -> Option<Field> {
        Some(match key {
            "action" => Field::Action,
            "user" => Field::User,
            "source" => Field::Source,
            "expires" => Field::Expires,
            "reason" => Field::Reason,
            "ticket" => Field::Ticket,
            _ => return None,
        })
    }
}

/// What kind of problem: a stable code for scripts (schema/permission-apply-problems).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The line cannot be read as CSV or JSON, or has the wrong number of fields.
    Unreadable,
    /// A JSON key that is not one of the file's fields.
    UnknownKey,
    Missing,
    /// A value of the wrong form (an action, an account name, a date, free text).
    Invalid,
    /// An expiry that has already passed.
    Past,
    ExpiryOnRevoke,
    UnknownSource,
    /// No account of that name in Active Directory.
    NoAccount,
    /// The account is disabled, expired or locked out in Active Directory.
    AccountUnusable,
    /// The operator's own account: nobody changes their own access.
    SelfGrant,
    /// Another line asks for something else for the same user and source.
    Contradicts,
}

/// One problem of one line: what is wrong, and what to do about it.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub line: usize,
    pub field: Field,
    pub code: Kind,
    pub problem: String,
    pub fix: String,
    /// Whether the database finds this problem itself in the fields famctx sends it; those it
    /// cannot see travel with the line (its `problem`), so it refuses the request for them too.
    #[serde(skip)]
    pub database_sees: bool,
}

impl Problem {
    pub fn new(
        line: usize,
        field: Field,
        code: Kind,
        problem: String,
        fix: String,
        database_sees: bool,
    ) -> Problem {
        Problem {
            line,
            field,
            code,
            problem,
            fix,
            database_sees,
        }
    }

    /// A problem the database finds itself in the fields it is given.
    pub fn seen(line: usize, field: Field, code: Kind, problem: String, fix: String) -> Problem {
        Problem::new(line, field, code, problem, fix, true)
    }

    /// A problem only famctx can see (the file's form, the directory's answer).
    pub fn carried(line: usize, field: Field, code: Kind, problem: String, fix: String) -> Problem {
        Problem::new(line, field, code, problem, fix, false)
    }

    /// Order within a line: the line's form, then field by field, contradictions last.
    fn rank(&self) -> (usize, u8) {
        let within = match self.code {
            Kind::Contradicts => u8::MAX,
            _ => self.field as u8,
        };
        (self.line, within)
    }
}

/// The account checks: each line's user looked up in AD (`found`, by lower-case name) and
/// compared with the operator (`me`: objectGUID and account).
pub fn check_accounts(
    drafts: &mut [Draft],
    found: &HashMap<String, Found>,
    me: (uuid::Uuid, &str),
) {
    let (my_guid, my_account) = me;
    for d in drafts.iter_mut() {
        let line = d.line;
        let typed = d.typed.user.clone().unwrap_or_default();
        let account = d
            .account_name
            .as_deref()
            .map(|n| (n, found.get(&n.to_lowercase())));
        let mine = !typed.is_empty() && typed.eq_ignore_ascii_case(my_account)
            || matches!(account, Some((_, Some(f))) if f.guid == my_guid || f.account.eq_ignore_ascii_case(my_account));
        match account {
            Some((name, None)) => d.add(Problem::carried(
                line,
                Field::User,
                Kind::NoAccount,
                format!("no account {} in Active Directory", shorten(name)),
                "check the name (the sAMAccountName, e.g. sw.alice), or remove the line".into(),
            )),
            Some((_, Some(f))) => {
                if let Some(state) = f.unusable {
                    d.add(Problem::carried(
                        line,
                        Field::User,
                        Kind::AccountUnusable,
                        format!("account {} is {state} in Active Directory", f.account),
                        "remove the line, or have the account made usable in AD first".into(),
                    ));
                }
            }
            None => {}
        }
        if mine {
            d.add(Problem::seen(
                line,
                Field::User,
                Kind::SelfGrant,
                format!(
                    "{} is you: nobody changes their own access",
                    shorten(&typed)
                ),
                "remove the line; ask another administrator to make this change".into(),
            ));
        }
    }
}

/// Lines that ask for different things for the same user and source: each later line that
/// differs from the first (action or expiry) contradicts it. Identical repeats are one change.
pub fn check_contradictions(drafts: &mut [Draft]) {
    type Asked = (usize, Action, Option<chrono::DateTime<chrono::Utc>>);
    let mut first: HashMap<(String, String), Asked> = HashMap::new();
    for d in drafts.iter_mut() {
        let (Some(user), Some(source), Some(action)) =
            (d.typed.user.clone(), d.typed.source.clone(), d.action)
        else {
            continue;
        };
        if d.typed.expires.is_some() && d.expires.is_none() {
            continue;
        }
        let key = (user.to_lowercase(), source.clone());
        match first.get(&key) {
            None => {
                first.insert(key, (d.line, action, d.expires));
            }
            Some(&(line, a, e)) if (a, e) != (action, d.expires) => {
                let asked = |a: Action, e: Option<chrono::DateTime<chrono::Utc>>| match e {
                    Some(e) => format!("{} until {}", a.name(), e.format("%Y-%m-%d %H:%M:%S UTC")),
                    None => a.name().to_string(),
                };
                d.add(Problem::seen(
                    d.line,
                    Field::Line,
                    Kind::Contradicts,
                    format!(
                        "{} {} for {} contradicts line {line} ({})",
                        asked(action, d.expires),
                        shorten(&source),
                        shorten(&user),
                        asked(a, e)
                    ),
                    format!("keep one of lines {line} and {}", d.line),
                ));
            }
            Some(_) => {}
        }
    }
}

/// Sources that are not among the database's data sources (`known`, from `fc_api.source_list`).
pub fn check_sources(drafts: &mut [Draft], known: &[String]) {
    for d in drafts.iter_mut() {
        if let Some(s) = d.typed.source.clone() {
            if !known.contains(&s) {
                d.add(Problem::seen(
                    d.line,
                    Field::Source,
                    Kind::UnknownSource,
                    format!("unknown source {}", shorten(&s)),
                    format!("use one of: {}", known.join(", ")),
                ));
            }
        }
    }
}

/// Whether any line has a problem.
pub fn any(drafts: &[Draft]) -> bool {
    drafts.iter().any(|d| !d.problems.is_empty())
}

/// The refusal of a bulk file: every problem of every bad line, in line order.
#[derive(Debug, Serialize)]
pub struct Rejection {
    pub bad_lines: usize,
    pub problems: Vec<Problem>,
}

impl Rejection {
    pub fn of(drafts: &[Draft]) -> Rejection {
        let mut problems: Vec<Problem> = drafts.iter().flat_map(|d| d.problems.clone()).collect();
        problems.sort_by_key(Problem::rank);
        Rejection {
            bad_lines: drafts.iter().filter(|d| !d.problems.is_empty()).count(),
            problems,
        }
    }

    /// One line for stderr: how much is wrong, and that nothing changed.
    pub fn summary(&self) -> String {
        format!(
            "{} bad line(s), {} problem(s); nothing was changed: fix every problem listed and apply the file again",
            self.bad_lines,
            self.problems.len()
        )
    }

    pub fn render(&self, out: &mut Output) -> Result<()> {
        match out.format {
            Format::Json => out.json(self),
            Format::Csv => out.csv_records(&self.problems),
            _ => {
                let mut t = Table::new(["line", "field", "problem", "what to do"]);
                for p in &self.problems {
                    t.row([
                        p.line.to_string(),
                        p.field.name().to_string(),
                        p.problem.clone(),
                        p.fix.clone(),
                    ]);
                }
                out.table(&t)
            }
        }
    }
}

/// A line as `fc_api.permission_apply` takes it when famctx has found it bad: the fields as
/// typed (so the database judges them itself), the AD identity when one was found, and, as
/// the line's `problem`, what only famctx could see.
pub fn request_row(d: &Draft, found: &HashMap<String, Found>) -> Value {
    let mut row = json!({
        "line": d.line,
        "action": d.typed.action,
        "user": d.typed.user,
        "source": d.typed.source,
        "expires": d.expires,
        "reason": d.typed.reason,
        "ticket": d.typed.ticket,
    });
    if let Some(f) = d
        .account_name
        .as_ref()
        .and_then(|n| found.get(&n.to_lowercase()))
    {
        row["guid"] = json!(f.guid);
        row["account"] = json!(f.account);
        row["display"] = json!(f.display);
    }
    let carried: Vec<&str> = d
        .problems
        .iter()
        .filter(|p| !p.database_sees)
        .map(|p| p.problem.as_str())
        .collect();
    if !carried.is_empty() {
        row["problem"] = json!(carried.join("; "));
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn drafts(text: &str) -> Vec<Draft> {
        let now = DateTime::parse_from_rfc3339("2026-11-29T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        super::super::bulk::read(text.as_bytes(), now).unwrap()
    }

    #[test]
    fn repeats_are_one_change_and_differences_contradict_the_first() {
        let mut d = drafts(
            "action,user,source,expires,reason,ticket\n\
             grant,sw.alice,school,2027-01-31,a,\n\
             grant,SW.Alice,school,2027-01-31,same again,\n\
             grant,sw.alice,school,2027-06-30,later,\n\
             revoke,sw.alice,school,,b,\n\
             grant,sw.alice,housing,,c,\n",
        );
        check_contradictions(&mut d);
        let r = Rejection::of(&d);
        let lines: Vec<usize> = r.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [4, 5]);
        assert!(r.problems.iter().all(|p| p.code == Kind::Contradicts));
        assert!(
            r.problems[0].problem.contains("contradicts line 2"),
            "{:?}",
            r.problems
        );
        assert_eq!(r.bad_lines, 2);
    }

    #[test]
    fn problems_are_listed_by_line_then_field_with_contradictions_last() {
        let mut d = drafts(
            "action,user,source,expires,reason,ticket\n\
             grant,eh.bob,astrology,,x,\n\
             revoke,eh.bob,astrology,,,\n",
        );
        check_contradictions(&mut d);
        check_sources(&mut d, &["school".to_string()]);
        let r = Rejection::of(&d);
        let order: Vec<(usize, Kind)> = r.problems.iter().map(|p| (p.line, p.code)).collect();
        assert_eq!(
            order,
            [
                (2, Kind::UnknownSource),
                (3, Kind::UnknownSource),
                (3, Kind::Missing),
                (3, Kind::Contradicts),
            ]
        );
        // What the database finds itself is not repeated to it as the line's problem.
        assert!(request_row(&d[1], &HashMap::new()).get("problem").is_none());
    }
}
