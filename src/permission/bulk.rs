//! The bulk file of `famctx permission apply`: CSV with the documented header, or JSON lines,
//! read without the network or the database. Each line becomes a [`Draft`]: what could be read
//! of each field and every problem found with it. A line whose format is broken keeps the
//! fields that could be read, so it still gets the checks that need the directory and the
//! database (see [`super::problems`]). Only a file that cannot be read at all (not UTF-8 text,
//! a wrong header, no rows) is refused here as a whole.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::problems::{Draft, Field, Kind, Problem, Typed};
use super::{check_account_name, Action};
use crate::error::{Error, Result};
use crate::text::shorten;
use crate::when;

const HEADER: [&str; 6] = ["action", "user", "source", "expires", "reason", "ticket"];

/// Reads a bulk file (CSV with the documented header, or JSON lines) into one draft a line,
/// in line order, each with every problem the file alone shows. `now` judges past expiries.
pub fn read(bytes: &[u8], now: DateTime<Utc>) -> Result<Vec<Draft>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        Error::Usage(format!(
            "line {line}: the file is not UTF-8 text: save it as UTF-8; nothing was changed"
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let lines = if first.trim_start().starts_with('{') {
        json_lines(text)
    } else {
        csv_lines(text)?
    };
    if lines.is_empty() {
        return Err(Error::Usage(
            "the file has no rows: give the header and one line a change; nothing was changed"
                .into(),
        ));
    }
    Ok(lines
        .into_iter()
        .map(|(line, typed, problems)| draft(line, typed, problems, now))
        .collect())
}

/// A line as read: its number, its fields, and what made some of them unreadable.
type Read = (usize, Typed, Vec<Problem>);

fn csv_lines(text: &str) -> Result<Vec<Read>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| Error::Usage(format!("line 1: {e}; nothing was changed")))?
        .clone();
    let got: Vec<&str> = headers.iter().collect();
    let unknown: Vec<&str> = got
        .iter()
        .copied()
        .filter(|h| !HEADER.contains(h))
        .collect();
    let missing: Vec<&str> = HEADER
        .iter()
        .copied()
        .filter(|h| !got.contains(h) && *h != "ticket" && *h != "expires")
        .collect();
    if !unknown.is_empty() || !missing.is_empty() {
        let list = |l: &[&str]| {
            if l.is_empty() {
                "none".to_string()
            } else {
                l.iter().map(|h| shorten(h)).collect::<Vec<_>>().join(", ")
            }
        };
        return Err(Error::Usage(format!(
            "line 1: the header must be {} (unknown: {}; missing: {}); nothing was changed",
            HEADER.join(","),
            list(&unknown),
            list(&missing),
        )));
    }
    let columns: Vec<Option<Field>> = got.iter().map(|h| Field::of_key(h)).collect();
    let mut lines = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line() as usize);
                if r.iter().all(str::is_empty) {
                    continue;
                }
                let mut problems = Vec::new();
                if r.len() != headers.len() {
                    problems.push(Problem::carried(
                        line,
                        Field::Line,
                        Kind::Unreadable,
                        format!("{} fields where the header has {}", r.len(), headers.len()),
                        format!(
                            "give the line the header's {} fields, separated by commas; \
                             put a field that holds a comma in double quotes",
                            headers.len()
                        ),
                    ));
                }
                let mut typed = Typed::default();
                for (value, field) in r.iter().zip(&columns) {
                    if let Some(f) = field {
                        typed.set(*f, Some(value.to_string()));
                    }
                }
                lines.push((line, typed, problems));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                lines.push((
                    line,
                    Typed::default(),
                    vec![Problem::carried(
                        line,
                        Field::Line,
                        Kind::Unreadable,
                        "not readable as CSV".into(),
                        "write the line as CSV text in the header's columns".into(),
                    )],
                ));
            }
        }
    }
    Ok(lines)
}

fn json_lines(text: &str) -> Vec<Read> {
    let mut lines = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let mut typed = Typed::default();
        let mut problems = Vec::new();
        match serde_json::from_str::<Value>(raw) {
            Ok(Value::Object(object)) => {
                for (key, value) in object {
                    let Some(field) = Field::of_key(&key) else {
                        problems.push(Problem::carried(
                            line,
                            Field::Line,
                            Kind::UnknownKey,
                            format!("unknown key {}", shorten(&key)),
                            format!("remove it; the keys are {}", HEADER.join(", ")),
                        ));
                        continue;
                    };
                    match value {
                        Value::String(s) => typed.set(field, Some(s.trim().to_string())),
                        Value::Null => {}
                        _ => {
                            typed.set(field, None);
                            problems.push(Problem::carried(
                                line,
                                field,
                                Kind::Invalid,
                                format!("{} must be text (a JSON string)", field.name()),
                                format!("write {} in double quotes", field.name()),
                            ));
                        }
                    }
                }
            }
            Ok(_) | Err(_) => problems.push(Problem::carried(
                line,
                Field::Line,
                Kind::Unreadable,
                "not a JSON object".into(),
                format!(
                    "write one JSON object a line, with the keys {}",
                    HEADER.join(", ")
                ),
            )),
        }
        lines.push((line, typed, problems));
    }
    lines
}

/// Everything the line alone shows: each field checked, whatever is wrong with the others.
fn draft(line: usize, typed: Typed, mut problems: Vec<Problem>, now: DateTime<Utc>) -> Draft {
    // A field already named as unreadable is not also "missing".
    let unreadable = |problems: &[Problem], f: Field| problems.iter().any(|p| p.field == f);
    let whole_line_unreadable = problems.iter().any(|p| p.code == Kind::Unreadable);
    let seen = |problems: &mut Vec<Problem>, p: Problem| {
        if !(whole_line_unreadable && p.code == Kind::Missing) {
            problems.push(p);
        }
    };

    let action = match typed.action.as_deref() {
        Some(a) if a.eq_ignore_ascii_case("grant") => Some(Action::Grant),
        Some(a) if a.eq_ignore_ascii_case("revoke") => Some(Action::Revoke),
        Some(a) => {
            seen(
                &mut problems,
                Problem::seen(
                    line,
                    Field::Action,
                    Kind::Invalid,
                    format!("action {} is not grant or revoke", shorten(a)),
                    "write grant or revoke".into(),
                ),
            );
            None
        }
        None => {
            if !unreadable(&problems, Field::Action) {
                seen(
                    &mut problems,
                    Problem::seen(
                        line,
                        Field::Action,
                        Kind::Missing,
                        "action is missing".into(),
                        "write grant or revoke".into(),
                    ),
                );
            }
            None
        }
    };

    let account_name = match typed.user.as_deref() {
        Some(u) => match check_account_name(u) {
            Ok(()) => Some(u.to_string()),
            Err(why) => {
                problems.push(Problem::carried(
                    line,
                    Field::User,
                    Kind::Invalid,
                    format!("user {} is not an account name: {why}", shorten(u)),
                    "write the grantee's AD account name (sAMAccountName), e.g. sw.alice".into(),
                ));
                None
            }
        },
        None => {
            if !unreadable(&problems, Field::User) {
                seen(
                    &mut problems,
                    Problem::seen(
                        line,
                        Field::User,
                        Kind::Missing,
                        "user is missing".into(),
                        "write the grantee's AD account name (sAMAccountName)".into(),
                    ),
                );
            }
            None
        }
    };

    if typed.source.is_none() && !unreadable(&problems, Field::Source) {
        seen(
            &mut problems,
            Problem::seen(
                line,
                Field::Source,
                Kind::Missing,
                "source is missing".into(),
                "write a data source code from `famctx source list`".into(),
            ),
        );
    }

    let mut expires = None;
    if let Some(e) = typed.expires.as_deref() {
        let read = when::read_expiry(e);
        if let Ok(at) = read {
            expires = Some(at);
        }
        match (action, read) {
            (Some(Action::Revoke), read) => problems.push(Problem::new(
                line,
                Field::Expires,
                Kind::ExpiryOnRevoke,
                format!("a revoke takes no expiry (given {})", shorten(e)),
                "leave expires empty on a revoke line".into(),
                // The database sees it only when it is given the expiry.
                read.is_ok(),
            )),
            (_, Err(err)) => problems.push(Problem::carried(
                line,
                Field::Expires,
                Kind::Invalid,
                err.message().to_string(),
                "write a date (2027-03-31) or an RFC 3339 time (2027-03-31T17:00:00Z), \
                 or leave it empty for no expiry"
                    .into(),
            )),
            (_, Ok(at)) if at <= now => problems.push(Problem::seen(
                line,
                Field::Expires,
                Kind::Past,
                format!("expiry {} is in the past", shorten(e)),
                "give a date after today, or leave it empty for no expiry".into(),
            )),
            (_, Ok(_)) => {}
        }
    }

    let reason = match typed.reason.as_deref() {
        Some(r) => match crate::text::free_text("reason", r, 500) {
            Ok(r) => Some(r),
            Err(e) => {
                problems.push(Problem::seen(
                    line,
                    Field::Reason,
                    Kind::Invalid,
                    e.message().to_string(),
                    "say why in plain text, at most 500 characters".into(),
                ));
                None
            }
        },
        None => {
            if !unreadable(&problems, Field::Reason) {
                seen(
                    &mut problems,
                    Problem::seen(
                        line,
                        Field::Reason,
                        Kind::Missing,
                        "reason is missing".into(),
                        "say why the access is granted or ended (it is recorded)".into(),
                    ),
                );
            }
            None
        }
    };

    let ticket = match typed.ticket.as_deref() {
        Some(t) => match crate::text::free_text("ticket", t, 100) {
            Ok(t) => Some(t),
            Err(e) => {
                problems.push(Problem::seen(
                    line,
                    Field::Ticket,
                    Kind::Invalid,
                    e.message().to_string(),
                    "give the reference in plain text, at most 100 characters, or leave it empty"
                        .into(),
                ));
                None
            }
        },
        None => None,
    };

    Draft {
        line,
        typed,
        action,
        account_name,
        expires,
        reason,
        ticket,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::super::Change;
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-29T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn changes(text: &str) -> Vec<Change> {
        read(text.as_bytes(), now())
            .unwrap()
            .iter()
            .map(|d| d.change().unwrap_or_else(|| panic!("{:?}", d.problems)))
            .collect()
    }

    fn problems(text: &str) -> Vec<(usize, Field, Kind)> {
        read(text.as_bytes(), now())
            .unwrap()
            .iter()
            .flat_map(|d| d.problems.iter().map(|p| (p.line, p.field, p.code)))
            .collect()
    }

    #[test]
    fn csv_and_json_lines_read_to_the_same_changes() {
        let csv = "action,user,source,expires,reason,ticket\ngrant,sw.alice,housing,2027-01-31,MASH,CHG-1\nrevoke,eh.bob,police,,left team,\n";
        let jsonl = "{\"action\":\"grant\",\"user\":\"sw.alice\",\"source\":\"housing\",\"expires\":\"2027-01-31\",\"reason\":\"MASH\",\"ticket\":\"CHG-1\"}\n{\"action\":\"revoke\",\"user\":\"eh.bob\",\"source\":\"police\",\"reason\":\"left team\"}\n";
        let key = |c: &Vec<Change>| {
            serde_json::to_string(
                &c.iter()
                    .map(|c| {
                        (
                            &c.action, &c.user, &c.source, c.expires, &c.reason, &c.ticket,
                        )
                    })
                    .collect::<Vec<_>>(),
            )
            .unwrap()
        };
        let a = changes(csv);
        let b = changes(jsonl);
        assert_eq!(key(&a), key(&b));
        assert_eq!(a[0].line, 2);
        assert_eq!(a[1].line, 3);
    }

    #[test]
    fn every_problem_of_every_line_is_named() {
        let csv = "action,user,source,expires,reason,ticket\n\
                   grant,sw.alice,housing,2020-01-01,x,\n\
                   delete,eh.bob,police,,y,\n\
                   grant,*,,2027-02-30,,\n\
                   grant,ok.user,school,,fine,\n\
                   revoke,eh.bob,school,soon,z\n";
        assert_eq!(
            problems(csv),
            [
                (2, Field::Expires, Kind::Past),
                (3, Field::Action, Kind::Invalid),
                (4, Field::User, Kind::Invalid),
                (4, Field::Source, Kind::Missing),
                (4, Field::Expires, Kind::Invalid),
                (4, Field::Reason, Kind::Missing),
                (6, Field::Line, Kind::Unreadable),
                (6, Field::Expires, Kind::ExpiryOnRevoke),
            ]
        );
        let drafts = read(csv.as_bytes(), now()).unwrap();
        // A broken line keeps what could be read, for the checks that need AD.
        assert_eq!(drafts[0].account_name.as_deref(), Some("sw.alice"));
        assert_eq!(drafts[4].account_name.as_deref(), Some("eh.bob"));
        assert_eq!(drafts[4].typed.source.as_deref(), Some("school"));
        assert!(drafts[3].change().is_some());
    }

    #[test]
    fn broken_json_lines_keep_what_can_be_read() {
        let jsonl = "{\"action\":\"grant\",\"user\":\"sw.alice\",\"source\":\"school\",\"reason\":5,\"colour\":\"red\"}\n\
                     [1,2]\n";
        assert_eq!(
            problems(jsonl),
            [
                (1, Field::Line, Kind::UnknownKey),
                (1, Field::Reason, Kind::Invalid),
                (2, Field::Line, Kind::Unreadable),
            ]
        );
        let drafts = read(jsonl.as_bytes(), now()).unwrap();
        assert_eq!(drafts[0].account_name.as_deref(), Some("sw.alice"));
    }

    #[test]
    fn a_file_that_cannot_be_read_is_refused_whole() {
        assert!(read(b"action,user\n", now()).is_err());
        assert!(read(b"action,user,source,reason,extra\n", now())
            .unwrap_err()
            .to_string()
            .contains("unknown: \"extra\""));
        assert!(read(b"\xff\xfe", now()).is_err());
        assert!(read(b"action,user,source,reason\n\n", now()).is_err());
    }
}
