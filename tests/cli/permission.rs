//! Permission administration through the door, against real AD and PostgreSQL.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::*;

const WHY: &str = "s47 enquiry, case 1234";

fn housing_status(db: &TestDb) -> String {
    let view = db
        .run(
            "sw.alice",
            &["family", "show", "fc:2", "--reason", WHY, "-o", "json"],
        )
        .ok()
        .json();
    let s = view["person"]["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["dataSource"] == "housing")
        .unwrap()
        .clone();
    s["status"].as_str().unwrap().to_string()
}

fn grants(db: &TestDb) -> i64 {
    db.superuser()
        .query_one("SELECT count(*) FROM fc.permission_grant", &[])
        .unwrap()
        .get(0)
}

#[test]
fn grant_shows_at_once_and_revoke_hides_at_once() {
    let db = TestDb::new("perm_grant");
    let start = db.audit_rows().len();
    assert_eq!(housing_status(&db), "restricted");
    let out = db
        .run(
            "bi.admin",
            &[
                "permission",
                "grant",
                "sw.alice",
                "--source",
                "housing",
                "--for",
                "30d",
                "--reason",
                "joined MASH",
                "--ticket",
                "CHG-42",
                "-o",
                "json",
            ],
        )
        .ok()
        .json();
    assert_eq!(out[0]["effect"], "added");
    assert_eq!(housing_status(&db), "shown");

    // Granting again is idempotent; a later expiry extends.
    let again = db
        .run(
            "bi.admin",
            &[
                "permission",
                "grant",
                "sw.alice",
                "--source",
                "housing",
                "--for",
                "31d",
                "--reason",
                "again",
                "-o",
                "json",
            ],
        )
        .ok()
        .json();
    assert_eq!(again[0]["effect"], "extended", "a later expiry extends");
    let same = db
        .run(
            "bi.admin",
            &[
                "permission",
                "grant",
                "sw.alice",
                "--source",
                "housing",
                "--for",
                "1d",
                "--reason",
                "again",
                "-o",
                "json",
            ],
        )
        .ok()
        .json();
    assert_eq!(same[0]["effect"], "unchanged");

    // Every change audited with target, source, reason, ticket.
    let rows = db.audit_rows().split_off(start);
    let granted: Vec<&postgres::Row> = rows
        .iter()
        .filter(|r| r.get::<_, String>("action") == "permission_granted")
        .collect();
    assert_eq!(granted.len(), 1);
    let details: Value = granted[0].get("details");
    assert_eq!(details["source"], "housing");
    assert_eq!(details["ticket"], "CHG-42");
    assert_eq!(
        granted[0].get::<_, Option<String>>("reason").as_deref(),
        Some("joined MASH")
    );

    // Revoking asks first; without a terminal it needs --yes.
    let refused = db.run(
        "bi.admin",
        &[
            "permission",
            "revoke",
            "sw.alice",
            "--source",
            "housing",
            "--reason",
            "left MASH",
        ],
    );
    refused.code(2);
    assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);
    assert_eq!(housing_status(&db), "shown");
    db.run(
        "bi.admin",
        &[
            "permission",
            "revoke",
            "sw.alice",
            "--source",
            "housing",
            "--reason",
            "left MASH",
            "--yes",
        ],
    )
    .ok();
    assert_eq!(housing_status(&db), "restricted");

    // History is kept: the revoked grant is listed with who, when and why.
    let listed = db
        .run(
            "bi.admin",
            &[
                "permission",
                "list",
                "sw.alice",
                "--include-ended",
                "-o",
                "json",
            ],
        )
        .ok()
        .json();
    let g = &listed.as_array().unwrap()[0];
    assert_eq!(g["status"], "revoked");
    assert_eq!(g["revoked_by"], "bi.admin");
    assert_eq!(g["revoke_reason"], "left MASH");
    // The CSV has the JSON's names and values.
    let csv = db.run(
        "bi.admin",
        &[
            "permission",
            "list",
            "sw.alice",
            "--include-ended",
            "-o",
            "csv",
        ],
    );
    let mut reader = csv::Reader::from_reader(csv.ok().stdout.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let record = reader.records().next().unwrap().unwrap();
    let cell = |k: &str| {
        let i = headers
            .iter()
            .position(|h| h == k)
            .unwrap_or_else(|| panic!("{k} in {headers:?}"));
        record.get(i).unwrap().to_string()
    };
    assert_eq!(cell("status"), "revoked");
    assert_eq!(cell("revoked_by"), "bi.admin");
    assert_eq!(cell("revoke_reason"), "left MASH");
    // ...and as of an hour ago nothing was granted.
    let before = db
        .run(
            "bi.admin",
            &[
                "permission",
                "list",
                "sw.alice",
                "--as-of",
                "1h",
                "-o",
                "json",
            ],
        )
        .ok()
        .json();
    assert_eq!(before.as_array().unwrap().len(), 0);
}

#[test]
fn an_expired_grant_is_not_honoured() {
    let db = TestDb::new("perm_expiry");
    let at = (chrono::Utc::now() + chrono::Duration::seconds(3)).to_rfc3339();
    db.run(
        "bi.admin",
        &[
            "permission",
            "grant",
            "sw.alice",
            "--source",
            "housing",
            "--expires",
            &at,
            "--reason",
            "short",
        ],
    )
    .ok();
    assert_eq!(housing_status(&db), "shown");
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(housing_status(&db), "restricted");
    let past = db.run(
        "bi.admin",
        &[
            "permission",
            "grant",
            "sw.alice",
            "--source",
            "housing",
            "--expires",
            "2020-01-01",
            "--reason",
            "x",
        ],
    );
    past.code(2);
    assert!(past.stderr.contains("in the past"), "{}", past.stderr);
    // Granting again after expiry opens a new grant and keeps the old one.
    let again = db
        .run(
            "bi.admin",
            &[
                "permission",
                "grant",
                "sw.alice",
                "--source",
                "housing",
                "--for",
                "1d",
                "--reason",
                "renewed",
                "-o",
                "json",
            ],
        )
        .ok()
        .json();
    assert_eq!(again[0]["effect"], "added");
    assert_eq!(grants(&db), 2);
}

#[test]
fn who_may_grant_and_to_whom() {
    let db = TestDb::new("perm_rules");
    let alice = db.run(
        "sw.alice",
        &[
            "permission",
            "grant",
            "eh.bob",
            "--source",
            "school",
            "--reason",
            "x",
        ],
    );
    alice.code(4);
    let own = db.run(
        "bi.admin",
        &[
            "permission",
            "grant",
            "bi.admin",
            "--source",
            "police",
            "--reason",
            "x",
        ],
    );
    own.code(4);
    assert!(
        own.stderr.contains("may not change their own access"),
        "{}",
        own.stderr
    );
    let row = db.audit_rows().pop().unwrap();
    assert_eq!(
        row.get::<_, String>("outcome"),
        "denied",
        "a self-grant attempt is a denial"
    );
    assert_eq!(row.get::<_, String>("actor_account"), "bi.admin");
    let ghost = db.run(
        "bi.admin",
        &[
            "permission",
            "grant",
            "no.such.user",
            "--source",
            "school",
            "--reason",
            "x",
        ],
    );
    ghost.code(2);
    assert!(
        ghost.stderr.contains("no account \"no.such.user\""),
        "{}",
        ghost.stderr
    );
    let disabled = db.run(
        "bi.admin",
        &[
            "permission",
            "grant",
            "dan.disabled",
            "--source",
            "school",
            "--reason",
            "x",
        ],
    );
    disabled.code(2);
    assert!(disabled.stderr.contains("disabled"), "{}", disabled.stderr);
    let unknown = db.run(
        "bi.admin",
        &[
            "permission",
            "grant",
            "sw.alice",
            "--source",
            "astrology",
            "--reason",
            "x",
        ],
    );
    unknown.code(2);
    assert_eq!(grants(&db), 0);

    db.run(
        "bi.admin",
        &[
            "permission",
            "grant",
            "nina.nogroup",
            "--source",
            "school",
            "--reason",
            "x",
        ],
    )
    .ok();
    db.run("nina.nogroup", &["family", "show", "fc:1", "--reason", WHY])
        .code(4);

    // "Who can see housing?"
    db.run(
        "svc.grants",
        &[
            "permission",
            "grant",
            "eh.bob",
            "--source",
            "housing",
            "--reason",
            "y",
        ],
    )
    .ok();
    let who = db
        .run(
            "bi.admin",
            &["permission", "list", "--source", "housing", "-o", "json"],
        )
        .ok()
        .json();
    let users: Vec<&str> = who
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["user"].as_str().unwrap())
        .collect();
    assert_eq!(users, ["eh.bob"]);
}

#[test]
fn review_lists_expiring_and_unused_grants() {
    let db = TestDb::new("perm_review");
    db.run(
        "bi.admin",
        &[
            "permission",
            "grant",
            "sw.alice",
            "--source",
            "school",
            "--for",
            "3d",
            "--reason",
            "x",
        ],
    )
    .ok();
    db.run(
        "bi.admin",
        &[
            "permission",
            "grant",
            "sw.alice",
            "--source",
            "police",
            "--reason",
            "x",
        ],
    )
    .ok();
    db.run("sw.alice", &["family", "show", "fc:1", "--reason", WHY])
        .ok();
    let expiring = db
        .run(
            "bi.admin",
            &[
                "permission",
                "review",
                "--expiring-within",
                "7",
                "-o",
                "json",
            ],
        )
        .ok()
        .json();
    let sources: Vec<&str> = expiring
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["school"]);
    assert!(
        expiring[0]["last_used"].is_string(),
        "the lookup used school: {}",
        expiring[0]
    );
    let all = db
        .run("bi.admin", &["permission", "review", "-o", "json"])
        .ok()
        .json();
    let police = all
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["source"] == "police")
        .unwrap();
    assert!(
        police["last_used"].is_string(),
        "fc:3 (adult) police shown: {police}"
    );
}

#[test]
fn review_names_grants_unused_for_a_while() {
    let db = TestDb::new("perm_unused");
    for (who, source) in [("sw.alice", "school"), ("eh.bob", "school")] {
        db.run(
            "bi.admin",
            &[
                "permission",
                "grant",
                who,
                "--source",
                source,
                "--reason",
                "x",
            ],
        )
        .ok();
    }
    // Both granted a month ago; only sw.alice has looked anyone up since.
    db.superuser()
        .batch_execute("UPDATE fc.permission_grant SET valid_from = now() - interval '30 days'")
        .unwrap();
    db.run("sw.alice", &["family", "show", "fc:1", "--reason", WHY])
        .ok();
    let unused = db
        .run(
            "bi.admin",
            &["permission", "review", "--unused-for", "7", "-o", "json"],
        )
        .ok()
        .json();
    let rows = unused.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{unused}");
    assert_eq!(rows[0]["user"], "eh.bob");
    assert_eq!(rows[0]["source"], "school");
    assert!(rows[0]["last_used"].is_null(), "{}", rows[0]);
    assert!(
        rows[0]["why"].as_str().unwrap().contains("never used"),
        "{}",
        rows[0]
    );
    // Within the window, nobody is flagged.
    let recent = db
        .run(
            "bi.admin",
            &["permission", "review", "--unused-for", "60", "-o", "json"],
        )
        .ok()
        .json();
    assert_eq!(recent.as_array().unwrap().len(), 0, "{recent}");
}

fn staff(n: usize) -> String {
    format!("staff.{n:05}")
}

const SOURCES: [&str; 5] = [
    "school",
    "childrens_social_care",
    "adult_social_care",
    "housing",
    "police",
];

fn bulk_csv(rows: usize, bad_line: Option<usize>) -> String {
    let mut csv = String::from("action,user,source,expires,reason,ticket\n");
    for i in 0..rows {
        let line = i + 2;
        let user = staff(i / SOURCES.len() + 1);
        let source = SOURCES[i % SOURCES.len()];
        if Some(line) == bad_line {
            csv.push_str(&format!(
                "grant,{user},{source},2020-02-30,bulk onboarding,CHG-7\n"
            ));
        } else {
            csv.push_str(&format!("grant,{user},{source},,bulk onboarding,CHG-7\n"));
        }
    }
    csv
}

/// Progress is drawn on a terminal only: a piped stderr gets none of it (no bar, no carriage
/// return, no escape sequence).
#[track_caller]
fn no_progress(run: &Run) {
    assert!(
        !run.stderr.contains('\r')
            && !run.stderr.contains('\u{1b}')
            && run.stderr.trim().is_empty(),
        "progress on a piped stderr: {:?}",
        run.stderr
    );
}

#[test]
fn bulk_apply_is_all_or_nothing() {
    let db = TestDb::new("perm_bulk");
    let dir = tempfile::tempdir().unwrap();
    let audit_before = db.audit_rows().len();
    let bad = tmpfile(dir.path(), "bad.csv", &bulk_csv(10_000, Some(7_777)), 0o600);
    let run = db.run(
        "svc.grants",
        &["permission", "apply", bad.to_str().unwrap(), "--yes"],
    );
    run.code(2);
    assert!(
        run.stdout
            .contains("| 7777 | expires | \"2020-02-30\" is not an expiry"),
        "{}",
        &run.stdout[..run.stdout.len().min(500)]
    );
    assert!(
        run.stderr
            .contains("1 bad line(s), 1 problem(s); nothing was changed"),
        "{}",
        run.stderr
    );
    assert_eq!(grants(&db), 0);
    let refusal = db.audit_rows().pop().unwrap();
    assert_eq!(refusal.get::<_, String>("action"), "permission_applied");
    assert_eq!(refusal.get::<_, String>("outcome"), "denied");

    let good = tmpfile(dir.path(), "good.csv", &bulk_csv(10_000, None), 0o600);
    let dry = db
        .run(
            "svc.grants",
            &[
                "permission",
                "apply",
                good.to_str().unwrap(),
                "--dry-run",
                "-o",
                "json",
            ],
        )
        .ok()
        .json();
    assert_eq!(dry.as_array().unwrap().len(), 10_000);
    assert!(dry
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["effect"] == "added"));
    assert_eq!(grants(&db), 0, "a dry run changes nothing");

    let unconfirmed = db.run(
        "svc.grants",
        &["permission", "apply", good.to_str().unwrap()],
    );
    unconfirmed.code(2);
    assert_eq!(grants(&db), 0);

    let applied = db.run(
        "svc.grants",
        &[
            "permission",
            "apply",
            good.to_str().unwrap(),
            "--yes",
            "-o",
            "json",
        ],
    );
    applied.ok();
    no_progress(&applied);
    assert_eq!(grants(&db), 10_000);
    let rows = db.audit_rows();
    let per_change = rows[audit_before..]
        .iter()
        .filter(|r| r.get::<_, String>("action") == "permission_granted")
        .count();
    assert_eq!(per_change, 10_000);
    // Over 10,000 rows: long enough to show progress, on a terminal only.
    no_progress(db.run("ig.officer", &["audit", "verify"]).ok());

    // The same file again changes nothing.
    let again = db
        .run(
            "svc.grants",
            &[
                "permission",
                "apply",
                good.to_str().unwrap(),
                "--yes",
                "-o",
                "json",
            ],
        )
        .ok()
        .json();
    assert!(again
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["effect"] == "unchanged"));
}

/// A file whose grantees take many directory searches (shared out among several sessions):
/// every account is found, whichever search and session looked it up, and the missing ones,
/// wherever they fall among the searches, are each listed once; nothing changes.
#[test]
fn accounts_of_many_directory_searches_are_all_found_and_the_missing_listed() {
    let db = TestDb::new("perm_many_searches");
    let dir = tempfile::tempdir().unwrap();
    // 450 staff accounts: 5 searches of 100 names; the missing names sort into the first, the
    // second, the fourth and the last of them.
    let missing = ["aa.nobody", "staff.00150x", "staff.00350x", "zz.nobody"];
    let mut csv = String::from("action,user,source,expires,reason,ticket\n");
    let mut missing_lines = Vec::new();
    for i in 1..=450 {
        csv.push_str(&format!(
            "grant,{},{},,many searches,\n",
            staff(i),
            SOURCES[i % SOURCES.len()]
        ));
        if [40, 140, 340, 440].contains(&i) {
            let name = missing[missing_lines.len()];
            csv.push_str(&format!("grant,{name},school,,many searches,\n"));
            missing_lines.push(i + 2 + missing_lines.len());
        }
    }
    assert_eq!(missing_lines.len(), missing.len());
    let file = tmpfile(dir.path(), "many.csv", &csv, 0o600);
    let file = file.to_str().unwrap();

    let refused = db.run(
        "bi.admin",
        &["permission", "apply", file, "--yes", "-o", "json"],
    );
    refused.code(2);
    let report = refused.json();
    let listed: Vec<(u64, &str, &str)> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["line"].as_u64().unwrap(),
                p["field"].as_str().unwrap(),
                p["code"].as_str().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(u64, &str, &str)> = missing_lines
        .iter()
        .map(|l| (*l as u64, "user", "no_account"))
        .collect();
    assert_eq!(listed, expected, "{report}");
    assert_eq!(grants(&db), 0);

    // Without the missing names, every account is found: the plan adds all 450.
    let found: String = csv
        .lines()
        .filter(|l| !missing.iter().any(|m| l.contains(m)))
        .map(|l| format!("{l}\n"))
        .collect();
    let file = tmpfile(dir.path(), "found.csv", &found, 0o600);
    let plan = db
        .run(
            "bi.admin",
            &[
                "permission",
                "apply",
                file.to_str().unwrap(),
                "--dry-run",
                "-o",
                "json",
            ],
        )
        .ok()
        .json();
    let outcomes = plan.as_array().unwrap();
    assert_eq!(outcomes.len(), 450);
    assert!(outcomes.iter().all(|o| o["effect"] == "added"), "{plan}");
}

#[test]
fn contradictory_rows_and_json_lines() {
    let db = TestDb::new("perm_jsonl");
    let dir = tempfile::tempdir().unwrap();
    let contradictory = tmpfile(
        dir.path(),
        "c.jsonl",
        "{\"action\":\"grant\",\"user\":\"sw.alice\",\"source\":\"school\",\"reason\":\"a\"}\n\
         {\"action\":\"revoke\",\"user\":\"sw.alice\",\"source\":\"school\",\"reason\":\"b\"}\n",
        0o600,
    );
    let run = db.run(
        "bi.admin",
        &[
            "permission",
            "apply",
            contradictory.to_str().unwrap(),
            "--yes",
        ],
    );
    run.code(2);
    assert!(
        run.stdout.contains(
            "| 2    | line  | revoke \"school\" for \"sw.alice\" contradicts line 1 (grant)"
        ),
        "{}",
        run.stdout
    );
    let ok = tmpfile(
        dir.path(),
        "ok.jsonl",
        "{\"action\":\"grant\",\"user\":\"sw.alice\",\"source\":\"school\",\"reason\":\"a\",\"ticket\":\"=cmd|' /C calc'!A0\"}\n",
        0o600,
    );
    db.run("bi.admin", &["permission", "apply", ok.to_str().unwrap()])
        .ok();
    let csv = db
        .run("bi.admin", &["permission", "list", "sw.alice", "-o", "csv"])
        .ok()
        .stdout
        .clone();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let ticket_col = headers.iter().position(|h| h == "ticket").unwrap();
    let record = reader.records().next().unwrap().unwrap();
    assert!(
        record[ticket_col].starts_with("'="),
        "formula neutralised: {}",
        &record[ticket_col]
    );
}

/// A file with mistakes of every kind on several lines, several on one line.
const MISTAKES: &str = "action,user,source,expires,reason,ticket\n\
    grant,sw.alice,housing,2020-01-01,,CHG-1\n\
    grant,no.such.user,astrology,,joined the team,\n\
    revoke,dan.disabled,police,2027-01-01,left,\n\
    grant,eh.bob,school,,joined the team,\n\
    revoke,eh.bob,school,,changed mind,\n\
    grant,sw.alice,astrology,2027-02-30,x,\n\
    delete,*,police,,y,\n\
    grant,eh.bob,housing,,five fields\n\
    grant,sw.alice,police,,all fine,CHG-2\n";

/// Every problem of `MISTAKES`, in line order: (line, field, code).
const EVERY_MISTAKE: [(u64, &str, &str); 12] = [
    (2, "expires", "past"),
    (2, "reason", "missing"),
    (3, "user", "no_account"),
    (3, "source", "unknown_source"),
    (4, "user", "account_unusable"),
    (4, "expires", "expiry_on_revoke"),
    (6, "line", "contradicts"),
    (7, "source", "unknown_source"),
    (7, "expires", "invalid"),
    (8, "action", "invalid"),
    (8, "user", "invalid"),
    (9, "line", "unreadable"),
];

#[test]
fn every_mistake_of_a_bulk_file_is_reported_in_one_run() {
    let db = TestDb::new("perm_mistakes");
    let dir = tempfile::tempdir().unwrap();
    let file = tmpfile(dir.path(), "mistakes.csv", MISTAKES, 0o600);
    let file = file.to_str().unwrap();
    let audit_before = db.audit_rows().len();

    // As a table (wide enough not to wrap): one row a problem, in line order, each saying
    // what to do.
    let table = db.run_with(
        "bi.admin",
        &password("bi.admin"),
        &[("COLUMNS", "250".into())],
        &["permission", "apply", file, "--yes"],
    );
    table.code(2);
    assert!(
        table
            .stderr
            .contains("7 bad line(s), 12 problem(s); nothing was changed"),
        "{}",
        table.stderr
    );
    // A problem's first table line names its line; long cells continue on lines of their own.
    let rows: Vec<&str> = table
        .stdout
        .lines()
        .filter(|l| {
            l.split('|')
                .nth(1)
                .is_some_and(|c| c.trim().parse::<u32>().is_ok())
        })
        .collect();
    assert_eq!(rows.len(), EVERY_MISTAKE.len(), "{}", table.stdout);
    for (row, (line, field, _)) in rows.iter().zip(EVERY_MISTAKE) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        assert_eq!(
            (cells[1], cells[2]),
            (line.to_string().as_str(), field),
            "{row}"
        );
        assert!(!cells[4].is_empty(), "what to do: {row}");
    }
    for words in [
        "expiry \"2020-01-01\" is in the past",
        "reason is missing",
        "no account \"no.such.user\" in Active Directory",
        "unknown source \"astrology\"",
        "disabled in Active Directory",
        "a revoke takes no expiry",
        "contradicts line 5",
        "action \"delete\" is not grant or revoke",
        "5 fields where the header has 6",
    ] {
        assert!(table.stdout.contains(words), "{words}: {}", table.stdout);
    }
    // The refusal is the database's, recorded as before: the trail names the problems only
    // famctx could see (the directory's answers, the unreadable date) with its own.
    let rows = db.audit_rows();
    let refusal = rows.last().unwrap();
    assert_eq!(
        rows.len(),
        audit_before + 2,
        "the sources read and the refusal"
    );
    assert_eq!(refusal.get::<_, String>("action"), "permission_applied");
    assert_eq!(refusal.get::<_, String>("outcome"), "denied");
    let recorded = refusal.get::<_, Value>("details")["error"]
        .as_str()
        .unwrap()
        .to_string();
    for words in [
        "line 2: expiry",
        "line 3: no account",
        "line 3: unknown source",
        "line 4: account dan.disabled is disabled",
        "line 6: revoke school for eh.bob contradicts line 5",
        "line 7: \"2027-02-30\" is not an expiry",
        "line 8: user \"*\" is not an account name",
        "line 9: 5 fields",
    ] {
        assert!(recorded.contains(words), "{words}: {recorded}");
    }

    // The same list for a script, with no progress on a piped stderr.
    let run = db.run(
        "bi.admin",
        &["permission", "apply", file, "--yes", "-o", "json"],
    );
    run.code(2);
    assert!(
        !run.stderr.contains('\r')
            && !run.stderr.contains('\u{1b}')
            && !run.stderr.contains("AD lookups"),
        "no progress in a pipe: {:?}",
        run.stderr
    );
    let report = run.json();
    assert_eq!(report["bad_lines"], 7);
    let listed: Vec<(u64, &str, &str)> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert!(!p["problem"].as_str().unwrap().is_empty());
            assert!(!p["fix"].as_str().unwrap().is_empty());
            (
                p["line"].as_u64().unwrap(),
                p["field"].as_str().unwrap(),
                p["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed, EVERY_MISTAKE);

    // A line of the operator's own access is refused as not permitted, with the rest.
    let own = tmpfile(
        dir.path(),
        "own.csv",
        &format!("{MISTAKES}grant,bi.admin,school,,for me,\n"),
        0o600,
    );
    let own = db.run(
        "bi.admin",
        &[
            "permission",
            "apply",
            own.to_str().unwrap(),
            "--yes",
            "-o",
            "json",
        ],
    );
    own.code(4);
    let problems = own.json()["problems"].as_array().unwrap().clone();
    assert_eq!(problems.len(), EVERY_MISTAKE.len() + 1);
    assert_eq!(problems.last().unwrap()["code"], "self_grant");
    assert_eq!(problems.last().unwrap()["line"], 11);

    // Nothing changed.
    let listed = db
        .run(
            "bi.admin",
            &["permission", "list", "--include-ended", "-o", "json"],
        )
        .ok()
        .json();
    assert_eq!(listed.as_array().unwrap().len(), 0, "{listed}");
    assert_eq!(grants(&db), 0);
}

#[test]
fn a_connection_killed_mid_apply_leaves_nothing_half_applied() {
    let db = TestDb::new("perm_kill");
    let dir = tempfile::tempdir().unwrap();
    let good = tmpfile(dir.path(), "good.csv", &bulk_csv(10_000, None), 0o600);
    let audit_before = db.audit_rows().len();
    let name = db.name.clone();
    let killer = std::thread::spawn(move || {
        let mut su = superuser();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let killed: i64 = su
                .query_one(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
                     WHERE datname = $1 AND usename = 'svc.grants' AND query LIKE '%permission_apply%' AND state = 'active'",
                    &[&name],
                )
                .unwrap()
                .get(0);
            if killed > 0 {
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        false
    });
    let run = db.run(
        "svc.grants",
        &["permission", "apply", good.to_str().unwrap(), "--yes"],
    );
    let killed = killer.join().unwrap();
    assert!(killed, "the apply was caught in the act");
    run.code(9);
    assert!(run.stdout.is_empty());
    assert_eq!(grants(&db), 0, "nothing half-applied");
    assert_eq!(
        db.audit_rows().len(),
        audit_before,
        "no audit row for a change that did not happen"
    );
    db.run("ig.officer", &["audit", "verify"]).ok();
}

#[test]
fn in_psql_an_admin_reaches_grants_only_through_the_door() {
    let db = TestDb::new("perm_psql");
    let mut admin = db
        .sign_in("bi.admin")
        .expect("bi.admin signs in to PostgreSQL");
    for sql in [
        "SELECT * FROM fc.permission_grant",
        "SELECT * FROM fc.grants_as_of(now(), NULL, NULL, true)",
        "SELECT * FROM fc.permission_rows('[]')",
    ] {
        let err = admin.query(sql, &[]).unwrap_err();
        assert_eq!(
            err.code(),
            Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
            "{sql}: {err}"
        );
    }
    let guid = |role: &str| -> uuid::Uuid {
        db.superuser()
            .query_one(
                "SELECT object_guid FROM fc.operator_role WHERE role_name = $1",
                &[&role],
            )
            .unwrap()
            .get(0)
    };
    let call = |client: &mut postgres::Client, request: Value| -> Value {
        client
            .query_one("SELECT fc_api.permission_grant($1::jsonb)", &[&request])
            .unwrap()
            .get(0)
    };

    // A self-grant is refused by the database, and the refusal is audited.
    let own = call(
        &mut admin,
        json!({"guid": guid("bi.admin"), "account": "bi.admin", "sources": ["police"], "reason": "psql"}),
    );
    assert_eq!(own["outcome"], "denied", "{own}");
    assert_eq!(own["error"]["kind"], "not_permitted", "{own}");
    assert!(
        own["error"]["message"]
            .as_str()
            .unwrap()
            .contains("may not change their own access"),
        "{own}"
    );
    // ...by name too, with someone else's objectGUID.
    let by_name = call(
        &mut admin,
        json!({"user": "BI.Admin", "guid": guid("sw.alice"), "account": "sw.alice", "sources": ["police"], "reason": "psql"}),
    );
    assert_eq!(by_name["error"]["kind"], "not_permitted", "{by_name}");
    let row = db
        .superuser()
        .query_one(
            "SELECT actor_account, action, outcome, channel, details->>'db_role' FROM fc.audit_log WHERE id = $1",
            &[&own["audit_id"].as_i64().unwrap()],
        )
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "bi.admin");
    assert_eq!(row.get::<_, String>(1), "permission_applied");
    assert_eq!(row.get::<_, String>(2), "denied");
    assert_eq!(row.get::<_, String>(3), "db");
    assert_eq!(row.get::<_, Option<String>>(4).as_deref(), Some("bi.admin"));
    assert_eq!(grants(&db), 0);

    // An operator cannot name another actor.
    let posing = call(
        &mut admin,
        json!({"as": {"guid": guid("svc.grants"), "account": "svc.grants", "roles": ["admin"]},
               "guid": guid("sw.alice"), "account": "sw.alice", "sources": ["school"], "reason": "psql"}),
    );
    assert_eq!(posing["error"]["kind"], "not_permitted", "{posing}");
    assert_eq!(grants(&db), 0);

    // A grant to someone else goes through, granted by the caller, with its audit rows.
    let granted = call(
        &mut admin,
        json!({"guid": guid("sw.alice"), "account": "sw.alice", "sources": ["school"], "reason": "psql"}),
    );
    assert_eq!(granted["outcome"], "allowed", "{granted}");
    assert_eq!(
        granted["result"]["outcomes"][0]["effect"], "added",
        "{granted}"
    );
    let by: uuid::Uuid = db
        .superuser()
        .query_one("SELECT granted_by_guid FROM fc.permission_grant", &[])
        .unwrap()
        .get(0);
    assert_eq!(by, guid("bi.admin"));
    let actions: Vec<String> = db
        .audit_rows()
        .iter()
        .rev()
        .take(2)
        .map(|r| r.get::<_, String>("action"))
        .collect();
    assert_eq!(actions, ["permission_applied", "permission_granted"]);

    // Not an admin: refused in the database too.
    let mut alice = db.sign_in("sw.alice").expect("sw.alice signs in");
    let refused = call(
        &mut alice,
        json!({"guid": guid("eh.bob"), "account": "eh.bob", "sources": ["school"], "reason": "psql"}),
    );
    assert_eq!(refused["error"]["kind"], "not_permitted", "{refused}");
    assert_eq!(grants(&db), 1);
}

/// `fc_api.permission_apply` answers in full by default and, asked for `"outcomes":
/// "compact"` (famctx, which keeps the changes it sent), each outcome's place, effect and
/// expiries only: the same plan either way. Any other form is refused.
#[test]
fn a_plan_in_short_is_the_plan_in_full() {
    let db = TestDb::new("perm_compact");
    let mut admin = db.sign_in("bi.admin").expect("bi.admin signs in");
    let guid = |role: &str| -> uuid::Uuid {
        db.superuser()
            .query_one(
                "SELECT object_guid FROM fc.operator_role WHERE role_name = $1",
                &[&role],
            )
            .unwrap()
            .get(0)
    };
    let change = |line: u64, action: &str, user: &str, source: &str, expires: Value| {
        json!({"line": line, "action": action, "user": user, "guid": guid(user), "account": user,
               "source": source, "expires": expires, "reason": "short plans", "ticket": "CHG-9"})
    };
    let call = |client: &mut postgres::Client, request: Value| -> Value {
        client
            .query_one("SELECT fc_api.permission_apply($1::jsonb)", &[&request])
            .unwrap()
            .get(0)
    };
    // Something of every effect: sw.alice holds school until 2027, police and adult social care.
    let held = json!({"changes": [
        change(1, "grant", "sw.alice", "school", json!("2027-01-31T23:59:59Z")),
        change(2, "grant", "sw.alice", "police", Value::Null),
        change(3, "grant", "sw.alice", "adult_social_care", Value::Null)]});
    assert_eq!(call(&mut admin, held)["outcome"], "allowed");
    let changes = json!([
        change(
            2,
            "grant",
            "sw.alice",
            "school",
            json!("2027-06-30T12:00:00.5Z")
        ),
        change(3, "grant", "sw.alice", "police", Value::Null),
        change(4, "revoke", "sw.alice", "adult_social_care", Value::Null),
        change(5, "revoke", "eh.bob", "school", Value::Null),
        change(6, "grant", "eh.bob", "housing", Value::Null),
        change(7, "grant", "eh.bob", "housing", Value::Null),
    ]);
    let plan = |client: &mut postgres::Client, outcomes: Value| -> Value {
        let mut request = json!({"changes": changes, "dry_run": true});
        if !outcomes.is_null() {
            request["outcomes"] = outcomes;
        }
        let envelope = call(client, request);
        assert_eq!(envelope["outcome"], "recorded", "{envelope}");
        let ticket: uuid::Uuid = envelope["ticket"].as_str().unwrap().parse().unwrap();
        client
            .query_one("SELECT fc_api.collect($1)", &[&ticket])
            .unwrap()
            .get(0)
    };
    let full = plan(&mut admin, Value::Null);
    let short = plan(&mut admin, json!("compact"));
    assert_eq!(full, plan(&mut admin, json!("full")));
    for key in ["dry_run", "changes", "effects"] {
        assert_eq!(full[key], short[key], "{key}");
    }
    let full_outcomes = full["outcomes"].as_array().unwrap();
    let short_outcomes = short["outcomes"].as_array().unwrap();
    // Line 7 repeats line 6: one outcome.
    assert_eq!(full_outcomes.len(), 5, "{full}");
    assert_eq!(short_outcomes.len(), full_outcomes.len());
    for (f, s) in full_outcomes.iter().zip(short_outcomes) {
        let keys: Vec<&String> = s.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["effect", "expires", "i", "previous_expires"], "{s}");
        for key in ["i", "effect", "expires", "previous_expires"] {
            assert_eq!(f[key], s[key], "{key}: {f} {s}");
        }
    }
    let effects: Vec<&str> = short_outcomes
        .iter()
        .map(|o| o["effect"].as_str().unwrap())
        .collect();
    assert_eq!(
        effects,
        ["extended", "unchanged", "revoked", "not_granted", "added"]
    );

    let refused = call(
        &mut admin,
        json!({"changes": changes, "dry_run": true, "outcomes": "brief"}),
    );
    assert_eq!(refused["error"]["kind"], "usage", "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("outcomes must be"),
        "{refused}"
    );
}

/// The database judges free text as famctx does: a bulk file whose only problem is a reason
/// holding an Arabic letter mark (U+061C, invisible, and no control character to a locale) is
/// refused by both, and the trail records the refusal (V20), never an allowed dry run.
#[test]
fn free_text_famctx_refuses_the_database_refuses_too() {
    let db = TestDb::new("perm_text_rules");
    let dir = tempfile::tempdir().unwrap();
    let body = "action,user,source,expires,reason,ticket\n\
                grant,eh.bob,school,,case review,\n\
                grant,eh.bob,police,,case\u{061c} review,\n";
    let file = tmpfile(dir.path(), "text.csv", body, 0o600);
    let run = db.run_with(
        "bi.admin",
        &password("bi.admin"),
        &[("COLUMNS", "250".into())],
        &["permission", "apply", file.to_str().unwrap(), "--yes"],
    );
    run.code(2);
    assert!(run.stdout.contains("| 3 "), "{}", run.stdout);
    assert!(!run.stdout.contains("| 2 "), "{}", run.stdout);
    let rows = db.audit_rows();
    let last = rows.last().unwrap();
    assert_eq!(last.get::<_, String>("action"), "permission_applied");
    assert_eq!(
        last.get::<_, String>("outcome"),
        "denied",
        "the database refused the file too"
    );
    let listed = db.run("bi.admin", &["permission", "list", "-o", "json"]);
    assert_eq!(listed.ok().json(), json!([]), "nothing was granted");
}
