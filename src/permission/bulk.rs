//! The bulk file of `famctx permission apply`: CSV with the documented header, or JSON lines,
//! parsed and checked without the network or the database. Every bad row is reported with its
//! line number, and any bad row rejects the whole file.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{check_account_name, Action, Change};
use crate::error::{Error, Result};
use crate::when;

/// A bad row of a bulk file, or a bad argument.
#[derive(Debug, Clone)]
struct Problem {
    line: usize,
    what: String,
}

fn rejected(problems: &[Problem], whole: &str) -> Error {
    let mut lines: Vec<String> = problems
        .iter()
        .map(|p| format!("  line {}: {}", p.line, p.what))
        .collect();
    lines.sort_by_key(|l| {
        l.split(':')
            .next()
            .and_then(|n| n.trim().strip_prefix("line ")?.parse::<usize>().ok())
    });
    Error::Usage(format!(
        "{whole}; nothing was changed:\n{}",
        lines.join("\n")
    ))
}

/// One row of a bulk file, as CSV or JSON lines carry it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    action: Option<String>,
    user: Option<String>,
    source: Option<String>,
    expires: Option<String>,
    reason: Option<String>,
    ticket: Option<String>,
}

const HEADER: [&str; 6] = ["action", "user", "source", "expires", "reason", "ticket"];

/// Parses a bulk file (CSV with the documented header, or JSON lines),
/// checking every row and reporting every bad one with its line number.
pub fn parse_changes(bytes: &[u8], now: DateTime<Utc>) -> Result<Vec<Change>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        Error::Usage(format!(
            "line {line}: the file is not UTF-8 text; nothing was changed"
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let rows = if first.trim_start().starts_with('{') {
        json_rows(text)?
    } else {
        csv_rows(text)?
    };
    if rows.is_empty() {
        return Err(Error::Usage("the file has no rows".into()));
    }
    let mut changes = Vec::new();
    let mut problems = Vec::new();
    for (line, row) in rows {
        match change(line, row, now) {
            Ok(c) => changes.push(c),
            Err(what) => problems.extend(what.into_iter().map(|w| Problem { line, what: w })),
        }
    }
    if problems.is_empty() {
        Ok(changes)
    } else {
        Err(rejected(
            &problems,
            &format!(
                "{} bad row(s)",
                problems
                    .iter()
                    .map(|p| p.line)
                    .collect::<std::collections::BTreeSet<_>>()
                    .len()
            ),
        ))
    }
}

fn csv_rows(text: &str) -> Result<Vec<(usize, Row)>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| Error::Usage(format!("line 1: {e}")))?
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
        return Err(Error::Usage(format!(
            "line 1: the header must be {} (unknown: {}; missing: {}); nothing was changed",
            HEADER.join(","),
            if unknown.is_empty() {
                "none".into()
            } else {
                unknown.join(", ")
            },
            if missing.is_empty() {
                "none".into()
            } else {
                missing.join(", ")
            },
        )));
    }
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) => {
                let line = r.position().map(|p| p.line() as usize).unwrap_or(0);
                if r.iter().all(|f| f.is_empty()) {
                    continue;
                }
                let get = |k: &str| {
                    headers
                        .iter()
                        .position(|h| h == k)
                        .and_then(|i| r.get(i))
                        .filter(|v| !v.is_empty())
                        .map(str::to_string)
                };
                rows.push((
                    line,
                    Row {
                        action: get("action"),
                        user: get("user"),
                        source: get("source"),
                        expires: get("expires"),
                        reason: get("reason"),
                        ticket: get("ticket"),
                    },
                ));
            }
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                problems.push(Problem {
                    line,
                    what: csv_problem(&e),
                });
            }
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(rejected(&problems, "unreadable CSV"))
    }
}

fn csv_problem(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("{len} fields where the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".into(),
        _ => "unreadable CSV".into(),
    }
}

fn json_rows(text: &str) -> Result<Vec<(usize, Row)>> {
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Row>(line) {
            Ok(r) => rows.push((n + 1, r)),
            Err(e) => problems.push(Problem {
                line: n + 1,
                what: format!("not a JSON object with the keys {}: {e}", HEADER.join(", ")),
            }),
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(rejected(&problems, "unreadable JSON lines"))
    }
}

fn change(line: usize, row: Row, now: DateTime<Utc>) -> std::result::Result<Change, Vec<String>> {
    let mut problems = Vec::new();
    let action = match row.action.as_deref().map(str::trim) {
        Some(a) if a.eq_ignore_ascii_case("grant") => Some(Action::Grant),
        Some(a) if a.eq_ignore_ascii_case("revoke") => Some(Action::Revoke),
        Some(a) => {
            problems.push(format!(
                "action {} is not grant or revoke",
                crate::text::shorten(a)
            ));
            None
        }
        None => {
            problems.push("action is missing (grant or revoke)".into());
            None
        }
    };
    let user = row.user.as_deref().map(str::trim).unwrap_or("");
    if user.is_empty() {
        problems.push("user is missing".into());
    } else if let Err(why) = check_account_name(user) {
        problems.push(format!(
            "user {} is not an account name: {why}",
            crate::text::shorten(user)
        ));
    }
    let source = row
        .source
        .as_deref()
        .map(str::trim)
        .unwrap_or("")
        .to_string();
    if source.is_empty() {
        problems.push("source is missing".into());
    }
    let expires = match row
        .expires
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        None => None,
        Some(_) if action == Some(Action::Revoke) => {
            problems.push("a revoke takes no expiry".into());
            None
        }
        Some(e) => match when::parse_expiry(e, now) {
            Ok(at) => Some(at),
            Err(err) => {
                problems.push(err.message().to_string());
                None
            }
        },
    };
    let reason = match row
        .reason
        .as_deref()
        .map(|r| crate::text::free_text("reason", r, 500))
    {
        Some(Ok(r)) => Some(r),
        Some(Err(e)) => {
            problems.push(e.message().to_string());
            None
        }
        None => {
            problems.push("reason is missing".into());
            None
        }
    };
    let ticket = match row
        .ticket
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(|t| crate::text::free_text("ticket", t, 100))
    {
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => {
            problems.push(e.message().to_string());
            None
        }
        None => None,
    };
    match (action, reason, problems.is_empty()) {
        (Some(action), Some(reason), true) => Ok(Change {
            line,
            action,
            user: user.to_string(),
            source,
            expires,
            reason,
            ticket,
        }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-29T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn csv_and_json_lines_parse_to_the_same_changes() {
        let csv = "action,user,source,expires,reason,ticket\ngrant,sw.alice,housing,2027-01-31,MASH,CHG-1\nrevoke,eh.bob,police,,left team,\n";
        let jsonl = "{\"action\":\"grant\",\"user\":\"sw.alice\",\"source\":\"housing\",\"expires\":\"2027-01-31\",\"reason\":\"MASH\",\"ticket\":\"CHG-1\"}\n{\"action\":\"revoke\",\"user\":\"eh.bob\",\"source\":\"police\",\"reason\":\"left team\"}\n";
        let a = parse_changes(csv.as_bytes(), now()).unwrap();
        let b = parse_changes(jsonl.as_bytes(), now()).unwrap();
        assert_eq!(
            serde_json::to_string(
                &a.iter()
                    .map(|c| (&c.action, &c.user, &c.source, c.expires, &c.reason, &c.ticket))
                    .collect::<Vec<_>>()
            )
            .unwrap(),
            serde_json::to_string(
                &b.iter()
                    .map(|c| (&c.action, &c.user, &c.source, c.expires, &c.reason, &c.ticket))
                    .collect::<Vec<_>>()
            )
            .unwrap()
        );
        assert_eq!(a[0].line, 2);
        assert_eq!(a[1].line, 3);
    }

    #[test]
    fn every_bad_row_is_named() {
        let csv = "action,user,source,expires,reason,ticket\ngrant,sw.alice,housing,2020-01-01,x,\ndelete,eh.bob,police,,y,\ngrant,*,school,,,\ngrant,ok.user,school,,fine,\n";
        let err = parse_changes(csv.as_bytes(), now())
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2: expiry"), "{err}");
        assert!(err.contains("line 3: action"), "{err}");
        assert!(err.contains("line 4: user"), "{err}");
        assert!(err.contains("line 4: reason is missing"), "{err}");
        assert!(!err.contains("line 5"), "{err}");
        assert!(parse_changes(b"action,user\n", now()).is_err());
        assert!(parse_changes(b"action,user,source,reason,extra\n", now())
            .unwrap_err()
            .to_string()
            .contains("unknown: extra"));
        assert!(parse_changes(b"\xff\xfe", now()).is_err());
    }
}
