//! Audit review: search, a person's access report, export and statistics,
//! for auditors only and audited themselves.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::support::*;

const COLUMNS: [&str; 19] = [
    "id",
    "occurred_at",
    "actor_guid",
    "actor_account",
    "channel",
    "client_host",
    "action",
    "outcome",
    "subject_person",
    "persons_disclosed",
    "sources_disclosed",
    "target_user",
    "target_guid",
    "reason",
    "details",
    "prev_hash",
    "row_hash",
    "basis",
    "break_glass",
];

fn show(db: &TestDb, account: &str, id: &str, reason: &str) {
    db.run(account, &["family", "show", id, "--reason", reason])
        .ok();
}

fn audit(db: &TestDb, args: &[&str]) -> Run {
    let mut full = vec!["audit"];
    full.extend_from_slice(args);
    db.run("ig.officer", &full)
}

fn last_audit(db: &TestDb) -> postgres::Row {
    db.audit_rows().pop().expect("an audit row")
}

fn row_count(db: &TestDb) -> i64 {
    db.superuser()
        .query_one("SELECT count(*) FROM fc.audit_log", &[])
        .unwrap()
        .get(0)
}

/// The time of the newest audit row plus a microsecond, as --since/--until take it.
fn just_after_last_row(db: &TestDb) -> String {
    let at: DateTime<Utc> = db
        .superuser()
        .query_one("SELECT max(occurred_at) FROM fc.audit_log", &[])
        .unwrap()
        .get(0);
    (at + chrono::Duration::microseconds(1)).to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn reasons(rows: &Value) -> Vec<String> {
    rows.as_array()
        .expect("an array of rows")
        .iter()
        .map(|r| r["reason"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_person_report_names_everyone_who_saw_a_family_member_and_why() {
    let db = TestDb::new("audit_person");
    db.grant_sql("sw.alice", "school", None);
    show(&db, "sw.alice", "fc:1", "s47 enquiry, case 1234");
    show(&db, "eh.bob", "fc:1", "early help assessment EH-77");

    // fc:4 was never looked up: only disclosed as fc:1's half-sibling.
    let report = audit(&db, &["person", "fc:4", "-o", "json"]).ok().json();
    assert_eq!(report["person"], "fc:4");
    assert_eq!(report["accesses"], 2);
    let actors = report["actors"].as_array().unwrap();
    assert_eq!(actors.len(), 2, "{report:#}");
    for (account, reason, sources) in [
        ("sw.alice", "s47 enquiry, case 1234", json!(["school"])),
        ("eh.bob", "early help assessment EH-77", json!([])),
    ] {
        let a = actors
            .iter()
            .find(|a| a["actor"] == account)
            .unwrap_or_else(|| panic!("{account} missing from {report:#}"));
        assert_eq!(a["count"], 1);
        assert_eq!(a["first"], a["last"]);
        assert_eq!(a["sources"], sources, "{a:#}");
        let access = &a["accesses"][0];
        assert_eq!(access["reason"], reason);
        assert_eq!(access["action"], "viewed_family");
        assert_eq!(access["outcome"], "allowed");
        assert_eq!(access["disclosed_as"], "family member");
    }

    // The table names both, with their reasons (wide enough not to wrap them); the CSV
    // has a row an access.
    let table = db
        .run_with(
            "ig.officer",
            &password("ig.officer"),
            &[("COLUMNS", "250".into())],
            &["audit", "person", "4"],
        )
        .ok()
        .stdout
        .clone();
    for needle in [
        "sw.alice",
        "eh.bob",
        "s47 enquiry, case 1234",
        "early help assessment EH-77",
    ] {
        assert!(table.contains(needle), "{needle} missing from\n{table}");
    }
    // By now the two reports above are accesses too: an auditor's report
    // about fc:4 names fc:4 as its subject.
    let csv_text = audit(&db, &["person", "fc:4", "-o", "csv"])
        .ok()
        .stdout
        .clone();
    let mut csv = csv::Reader::from_reader(csv_text.as_bytes());
    let records: Vec<csv::StringRecord> = csv.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), 4, "{csv_text}");
    let (auditor, others): (Vec<_>, Vec<_>) = records.iter().partition(|r| &r[0] == "ig.officer");
    assert_eq!(others.len(), 2, "{csv_text}");
    assert!(auditor
        .iter()
        .all(|r| &r[4] == "audit_reported" && &r[6] == "subject"));

    // The report is itself audited, against the person it is about.
    let row = last_audit(&db);
    assert_eq!(row.get::<_, String>("action"), "audit_reported");
    assert_eq!(row.get::<_, String>("outcome"), "allowed");
    assert_eq!(row.get::<_, Option<i64>>("subject_person"), Some(4));
    let details: Value = row.get("details");
    assert_eq!(details["filter"]["person"], "fc:4");

    // The subject: a cms id resolves; an unknown one is not found.
    let fc1 = audit(&db, &["person", "cms:CMS-0001", "-o", "json"])
        .ok()
        .json();
    assert_eq!(fc1["person"], "fc:1");
    let lookup = fc1["actors"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["accesses"].as_array().unwrap().iter())
        .find(|x| x["action"] == "viewed_family")
        .expect("the lookup of fc:1")
        .clone();
    assert_eq!(lookup["disclosed_as"], "subject");
    // The auditor's own report on fc:4 named fc:1 (the subject of a lookup
    // that disclosed fc:4), so it shows in fc:1's report too.
    assert!(
        fc1["actors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["actor"] == "ig.officer"),
        "{fc1}"
    );
    audit(&db, &["person", "cms:NO-SUCH-CASE"]).code(5);
    let bad = audit(&db, &["person", "fc:one"]);
    bad.code(2);
    assert!(bad.stderr.contains("fc:<number>"), "{}", bad.stderr);
}

#[test]
fn audit_review_is_for_auditors_and_refusals_are_audited() {
    let db = TestDb::new("audit_refused");
    let cases: [(&[&str], &str); 4] = [
        (&["audit", "search", "--person", "fc:4"], "audit_searched"),
        (&["audit", "person", "fc:4"], "audit_reported"),
        (&["audit", "export", "-o", "jsonl"], "audit_exported"),
        (&["audit", "stats"], "audit_stats"),
    ];
    for (args, action) in cases {
        let before = row_count(&db);
        let run = db.run("sw.alice", args);
        run.code(4);
        assert!(run.stdout.is_empty(), "{action}: printed {}", run.stdout);
        assert_eq!(row_count(&db), before + 1, "{action}: one audit row");
        let row = last_audit(&db);
        assert_eq!(row.get::<_, String>("action"), action);
        assert_eq!(row.get::<_, String>("outcome"), "denied");
        assert_eq!(row.get::<_, String>("actor_account"), "sw.alice");
    }
}

#[test]
fn search_filters_combine() {
    let db = TestDb::new("audit_filters");
    show(&db, "sw.alice", "fc:1", "alice before the window");
    let since = just_after_last_row(&db);
    show(&db, "sw.alice", "fc:1", "alice in the window");
    show(&db, "eh.bob", "fc:1", "bob in the window");
    // fc:6 is fc:1's father: at depth 1 his family is fc:1 alone, not fc:4.
    show(
        &db,
        "sw.alice",
        "fc:6",
        "alice in the window, another family",
    );
    let until = just_after_last_row(&db);
    show(&db, "sw.alice", "fc:1", "alice after the window");

    let search = |extra: &[&str]| {
        let mut args = vec!["search", "-o", "json"];
        args.extend_from_slice(extra);
        let mut found = reasons(&audit(&db, &args).ok().json());
        found.retain(|r| !r.is_empty());
        found
    };
    let all = [
        "--actor", "SW.Alice", "--person", "fc:4", "--since", &since, "--until", &until,
    ];
    assert_eq!(search(&all), ["alice in the window"]);
    // Each filter matters: leaving one out changes the answer.
    let without = |flag: &str| {
        let i = all.iter().position(|a| *a == flag).unwrap();
        let mut rest = all.to_vec();
        rest.drain(i..i + 2);
        search(&rest)
    };
    assert_eq!(
        without("--actor"),
        ["bob in the window", "alice in the window"]
    );
    assert_eq!(
        without("--person"),
        ["alice in the window, another family", "alice in the window"]
    );
    assert_eq!(
        without("--since"),
        ["alice in the window", "alice before the window"]
    );
    assert_eq!(
        without("--until"),
        ["alice after the window", "alice in the window"]
    );
    // The person as a cms id; the other family's lookup discloses fc:1 too.
    assert_eq!(
        search(&[
            "--person",
            "cms:CMS-0001",
            "--actor",
            "sw.alice",
            "--since",
            &since,
            "--until",
            &until
        ]),
        ["alice in the window, another family", "alice in the window"]
    );
    // Newest first, and --limit keeps the newest.
    assert_eq!(
        search(&["--actor", "sw.alice", "--limit", "1"]),
        ["alice after the window"]
    );

    // The search is audited with its filter.
    let row = last_audit(&db);
    assert_eq!(row.get::<_, String>("action"), "audit_searched");
    let details: Value = row.get("details");
    assert_eq!(details["filter"]["actor"], "sw.alice");
    assert_eq!(details["limit"], 1);
    assert_eq!(details["rows"], 1);

    // Bad filter values are usage errors naming the accepted forms.
    for (args, hint) in [
        (&["search", "--since", "yesterday"][..], "RFC 3339"),
        (&["search", "--person", "x:1"][..], "cms:<case id>"),
        (&["search", "--outcome", "maybe"][..], "not_found"),
        (&["search", "--action", "peeked"][..], "viewed_family"),
        (&["search", "--source", "tarot"][..], "police"),
        (&["search", "--limit", "10001"][..], "10000"),
        (
            &["search", "--since", "2026-02-01", "--until", "2026-01-01"][..],
            "must be before",
        ),
    ] {
        let run = audit(&db, args);
        run.code(2);
        assert!(run.stderr.contains(hint), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
}

#[test]
fn export_streams_every_row_as_json_lines_or_csv() {
    let db = TestDb::new("audit_export");
    show(
        &db,
        "sw.alice",
        "fc:1",
        "=HYPERLINK(\"http://example.test\")",
    );
    show(&db, "eh.bob", "fc:1", "early help assessment EH-77");

    let run = audit(&db, &["export", "-o", "jsonl"]);
    run.ok();
    // Counted after the export: its own audit row was committed before the
    // stream began, so it is the last line.
    let mut su = db.superuser();
    let stored: Vec<(i64, String, String, Value)> = su
        .query(
            "SELECT id, encode(row_hash, 'hex'), fc.audit_instant(occurred_at), details \
             FROM fc.audit_log ORDER BY id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    let lines: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), stored.len());
    let exported: Vec<(i64, String, String, Value)> = lines
        .iter()
        .map(|l| {
            let keys: Vec<&str> = l.as_object().unwrap().keys().map(|k| k.as_str()).collect();
            assert_eq!(
                keys.iter().collect::<BTreeSet<_>>(),
                COLUMNS.iter().collect::<BTreeSet<_>>(),
                "every column"
            );
            (
                l["id"].as_i64().unwrap(),
                l["row_hash"].as_str().unwrap().to_string(),
                l["occurred_at"].as_str().unwrap().to_string(),
                l["details"].clone(),
            )
        })
        .collect();
    assert_eq!(
        exported, stored,
        "every row, in id order, hashes in hex, instants as the audit writes them, details whole"
    );
    let own = lines.last().unwrap();
    assert_eq!(own["action"], "audit_exported");
    assert_eq!(own["actor_account"], "ig.officer");
    assert_eq!(own["details"]["format"], "jsonl");

    let run = audit(&db, &["export", "-o", "csv"]);
    run.ok();
    let ids: Vec<i64> = su
        .query("SELECT id FROM fc.audit_log ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut csv = csv::Reader::from_reader(run.stdout.as_bytes());
    assert_eq!(csv.headers().unwrap().iter().collect::<Vec<_>>(), COLUMNS);
    let records: Vec<csv::StringRecord> = csv.records().map(|r| r.unwrap()).collect();
    let csv_ids: Vec<i64> = records.iter().map(|r| r[0].parse().unwrap()).collect();
    assert_eq!(csv_ids, ids);
    let hyperlink = records
        .iter()
        .find(|r| r[13].contains("HYPERLINK"))
        .expect("the row with the formula reason");
    assert_eq!(
        &hyperlink[13], "'=HYPERLINK(\"http://example.test\")",
        "a formula is neutralised"
    );
    assert!(hyperlink[9].split(',').any(|p| p == "4"), "{hyperlink:?}");

    // A time window; table and JSON are refused.
    let since = just_after_last_row(&db);
    let windowed = audit(&db, &["export", "-o", "jsonl", "--since", &since]);
    let only: Vec<Value> = windowed
        .ok()
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(only.len(), 1, "only the export's own row is that new");
    assert_eq!(only[0]["action"], "audit_exported");
    for format in ["table", "json"] {
        let run = audit(&db, &["export", "-o", format]);
        run.code(2);
        assert!(run.stderr.contains("-o jsonl or -o csv"), "{}", run.stderr);
    }
}

/// Spawns `famctx audit export -o jsonl` as ig.officer with its stdout piped.
fn spawn_export(db: &TestDb) -> std::process::Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_famctx"));
    for (k, _) in std::env::vars() {
        if k.starts_with("FAMCTX_") {
            cmd.env_remove(k);
        }
    }
    cmd.envs(env())
        .env_remove("FAMCTX_OWNER_URL")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env("NO_COLOR", "1")
        .env("FAMCTX_DATABASE_URL", db.url())
        .env("FAMCTX_USER", "ig.officer")
        .args(["--password-stdin", "audit", "export", "-o", "jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn famctx");
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "{}", password("ig.officer")).expect("password");
    child
}

#[test]
fn export_ends_cleanly_when_the_reader_stops_early() {
    let db = TestDb::new("audit_head");
    // Far more than a pipe holds (about 1.5 MB), written the one way rows
    // go in, so the chain stays whole.
    db.superuser()
        .batch_execute(
            "SELECT fc.audit_write(NULL, 'bulk.loader', 'api', 'test-host', 'sources_listed', \
             'allowed', NULL, NULL, NULL, NULL, NULL, 'bulk row ' || g, NULL) \
             FROM generate_series(1, 4000) g",
        )
        .unwrap();
    let mut child = spawn_export(&db);
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let row: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(row["id"], 1);
    drop(stdout); // like `| head -1`

    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "famctx kept running after its reader went away"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    audit(&db, &["verify"]).ok();
}

/// Rows written straight into a private copy, dated in January 2020 (long
/// before anything else in it), so times, weekdays and counts are known; a few declare a legal
/// basis (`JANUARY_DECLARED`), two are break-glass. Not chained: only for search and statistics.
fn january_2020(db: &TestDb) {
    let mut rows: Vec<(String, &str, &str, &str, Vec<&str>)> = vec![
        // night.owl: 5 lookups, 3 of them out of hours.
        (
            "2020-01-04T12:00:00Z".into(),
            "night.owl",
            "viewed_family",
            "allowed",
            vec!["police"],
        ), // Saturday
        (
            "2020-01-06T07:59:59Z".into(),
            "night.owl",
            "viewed_family",
            "allowed",
            vec!["police"],
        ),
        (
            "2020-01-06T18:00:00Z".into(),
            "night.owl",
            "viewed_family",
            "allowed",
            vec!["police"],
        ),
        (
            "2020-01-06T12:00:00Z".into(),
            "night.owl",
            "viewed_family",
            "allowed",
            vec!["police"],
        ),
        (
            "2020-01-06T17:59:59Z".into(),
            "night.owl",
            "viewed_family",
            "allowed",
            vec!["police"],
        ),
        (
            "2020-01-08T10:00:00Z".into(),
            "day.one",
            "viewed_family",
            "allowed",
            vec!["school", "housing"],
        ),
        (
            "2020-01-08T11:00:00Z".into(),
            "day.two",
            "viewed_family",
            "allowed",
            vec![],
        ),
        (
            "2020-01-08T11:05:00Z".into(),
            "day.two",
            "viewed_family",
            "allowed",
            vec![],
        ),
        (
            "2020-01-08T11:10:00Z".into(),
            "day.two",
            "identity_viewed",
            "denied",
            vec![],
        ),
        (
            "2020-01-08T11:15:00Z".into(),
            "day.two",
            "identity_viewed",
            "denied",
            vec![],
        ),
        // An auditor's own work is not a lookup, at any hour.
        (
            "2020-01-08T20:00:00Z".into(),
            "ig.someone",
            "audit_searched",
            "allowed",
            vec![],
        ),
    ];
    for minute in 0..12 {
        rows.push((
            format!("2020-01-07T10:{minute:02}:00Z"),
            "busy.bee",
            "searched",
            "allowed",
            vec![],
        ));
    }
    for minute in 0..3 {
        rows.push((
            format!("2020-01-09T10:{minute:02}:00Z"),
            "No.Such.User",
            "identity_viewed",
            "denied",
            vec![],
        ));
    }
    let mut su = db.superuser();
    // The trail is partitioned by month: January 2020 gets its partition first.
    su.batch_execute("SELECT fc.audit_partition_make('2020-01-01')")
        .unwrap();
    for (at, actor, action, outcome, sources) in rows {
        let sources: Vec<String> = sources.into_iter().map(String::from).collect();
        let (basis, glass) = JANUARY_DECLARED
            .iter()
            .find(|d| d.0 == at)
            .map_or((None, false), |d| (d.1, d.2));
        su.execute(
            "INSERT INTO fc.audit_log (id, occurred_at, actor_account, channel, client_host, action, \
             outcome, sources_disclosed, prev_hash, row_hash, basis, break_glass) \
             SELECT coalesce(max(id), 0) + 1, $1::text::timestamptz, $2, 'api', 'test', $3, $4, $5, \
                    sha256('prev'), sha256('row'), $6, $7 FROM fc.audit_log",
            &[&at, &actor, &action, &outcome, &sources, &basis, &glass],
        )
        .unwrap();
    }
}

/// The rows of `january_2020` that declared a basis or broke the glass: day.one's lookup and
/// two of busy.bee's searches under s47, day.two's first lookup under s17 and breaking the
/// glass, and day.two's first (refused) attempt breaking it too.
const JANUARY_DECLARED: [(&str, Option<&str>, bool); 5] = [
    ("2020-01-08T10:00:00Z", Some("ca1989_s47"), false),
    ("2020-01-07T10:00:00Z", Some("ca1989_s47"), false),
    ("2020-01-07T10:01:00Z", Some("ca1989_s47"), false),
    ("2020-01-08T11:00:00Z", Some("ca1989_s17"), true),
    ("2020-01-08T11:10:00Z", None, true),
];

const JANUARY: [&str; 4] = ["--since", "2020-01-01", "--until", "2020-02-01"];

#[test]
fn stats_count_by_actor_source_and_outcome_and_flag_what_stands_out() {
    let db = TestDb::new("audit_stats");
    january_2020(&db);
    let mut args = vec!["stats", "-o", "json"];
    args.extend_from_slice(&JANUARY);
    let stats = audit(&db, &args).ok().json();
    assert_eq!(stats["total"], 26, "{stats:#}");
    let count = |list: &str, key: &str, name: &str| {
        stats[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c[key] == name)
            .map(|c| c["accesses"].as_i64().unwrap())
    };
    assert_eq!(count("by_outcome", "outcome", "allowed"), Some(21));
    assert_eq!(count("by_outcome", "outcome", "denied"), Some(5));
    assert_eq!(count("by_source", "source", "police"), Some(5));
    assert_eq!(count("by_source", "source", "school"), Some(1));
    assert_eq!(count("by_actor", "actor", "busy.bee"), Some(12));
    assert_eq!(count("by_actor", "actor", "no.such.user"), Some(3));
    let owl = stats["by_actor"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["actor"] == "night.owl")
        .unwrap();
    assert_eq!(owl["lookups"], 5);
    assert_eq!(owl["out_of_hours_lookups"], 3);
    // Lookups per actor with any: 1, 2, 5, 12; the median is 3.5.
    assert_eq!(stats["median_lookups"], 3.5);
    let findings: Vec<(String, String, i64)> = stats["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_string(),
                f["actor"].as_str().unwrap().to_string(),
                f["count"].as_i64().unwrap(),
            )
        })
        .collect();
    // Every break-glass row is for IG to read, refused ones too; lookups allowed without a
    // legal basis are counted for each actor.
    assert_eq!(
        findings,
        [
            ("many_lookups".to_string(), "busy.bee".to_string(), 12),
            ("out_of_hours".into(), "night.owl".into(), 3),
            ("repeated_denials".into(), "no.such.user".into(), 3),
            ("break_glass".into(), "day.two".into(), 2),
            ("lookups_without_basis".into(), "busy.bee".into(), 10),
            ("lookups_without_basis".into(), "night.owl".into(), 5),
            ("lookups_without_basis".into(), "day.two".into(), 1),
        ]
    );
    assert_eq!(stats["break_glass"], 2);
    assert_eq!(stats["lookups_without_basis"], 16);
    // Accesses by legal basis, none declared included: 20 lookups in all, 4 under a basis.
    assert_eq!(
        stats["by_basis"],
        json!([
            {"basis": null, "title": null, "accesses": 22, "lookups": 16},
            {"basis": "ca1989_s47", "title": "Child protection enquiry", "accesses": 3, "lookups": 3},
            {"basis": "ca1989_s17", "title": "Child in need assessment or services", "accesses": 1,
             "lookups": 1},
        ]),
        "{stats:#}"
    );
    let mut args = vec!["stats"];
    args.extend_from_slice(&JANUARY);
    let table = audit(&db, &args).ok().stdout.clone();
    for needle in [
        "repeated_denials",
        "(none declared)",
        "Child protection enquiry",
        "lookups_without_basis",
        "IG reviews every one",
    ] {
        assert!(table.contains(needle), "{needle} missing from\n{table}");
    }
    let row = last_audit(&db);
    assert_eq!(row.get::<_, String>("action"), "audit_stats");
    let details: Value = row.get("details");
    assert_eq!(details["filter"]["since"], "2020-01-01T00:00:00Z");
    assert_eq!(details["findings"], 7);
}

#[test]
fn search_by_action_outcome_and_source_newest_first() {
    let db = TestDb::new("audit_search_codes");
    january_2020(&db);
    let search = |extra: &[&str]| -> Vec<Value> {
        let mut args = vec!["search", "-o", "json"];
        args.extend_from_slice(&JANUARY);
        args.extend_from_slice(extra);
        audit(&db, &args).ok().json().as_array().unwrap().clone()
    };
    let denied = search(&["--outcome", "denied"]);
    assert_eq!(denied.len(), 5);
    assert!(denied.iter().all(|r| r["outcome"] == "denied"));
    let times: Vec<&str> = denied
        .iter()
        .map(|r| r["occurred_at"].as_str().unwrap())
        .collect();
    let mut newest_first = times.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, newest_first);
    assert_eq!(search(&["--source", "police"]).len(), 5);
    assert_eq!(
        search(&["--action", "identity_viewed", "--actor", "DAY.TWO"]).len(),
        2
    );
    let busy = search(&["--action", "searched", "--limit", "3"]);
    let at: Vec<&str> = busy
        .iter()
        .map(|r| r["occurred_at"].as_str().unwrap())
        .collect();
    assert_eq!(
        at,
        [
            "2020-01-07T10:11:00Z",
            "2020-01-07T10:10:00Z",
            "2020-01-07T10:09:00Z"
        ]
    );
    let jsonl = audit(
        &db,
        &[
            "search",
            "-o",
            "jsonl",
            "--outcome",
            "not_found",
            "--since",
            "2020-01-01",
        ],
    );
    assert!(jsonl.ok().stdout.is_empty());
}

#[test]
fn search_by_legal_basis_and_break_glass() {
    let db = TestDb::new("audit_search_basis");
    january_2020(&db);
    let search = |extra: &[&str]| -> Vec<Value> {
        let mut args = vec!["search", "-o", "json"];
        args.extend_from_slice(&JANUARY);
        args.extend_from_slice(extra);
        audit(&db, &args).ok().json().as_array().unwrap().clone()
    };
    let at = |rows: &[Value]| -> Vec<String> {
        rows.iter()
            .map(|r| r["occurred_at"].as_str().unwrap().to_string())
            .collect()
    };
    // The rows declared under s47, and only those, newest first.
    let s47 = search(&["--declared-basis", "ca1989_s47"]);
    assert_eq!(
        at(&s47),
        [
            "2020-01-08T10:00:00Z",
            "2020-01-07T10:01:00Z",
            "2020-01-07T10:00:00Z"
        ]
    );
    assert!(s47.iter().all(|r| r["basis"] == "ca1989_s47"));
    // Break-glass rows only: the allowed lookup and the refused attempt.
    let glass = search(&["--break-glass"]);
    assert_eq!(at(&glass), ["2020-01-08T11:10:00Z", "2020-01-08T11:00:00Z"]);
    assert!(glass.iter().all(|r| r["break_glass"] == true));
    // The filter is not the auditor's own break-glass: their row is not marked.
    let row = last_audit(&db);
    assert_eq!(row.get::<_, String>("action"), "audit_searched");
    let own: bool = db
        .superuser()
        .query_one(
            "SELECT break_glass FROM fc.audit_log WHERE id = $1",
            &[&row.get::<_, i64>("id")],
        )
        .unwrap()
        .get(0);
    assert!(!own);
    let details: Value = row.get("details");
    assert_eq!(details["filter"]["break_glass_only"], true, "{details}");
    // Combined with the others; busy.bee's searches without a basis.
    assert_eq!(
        search(&["--break-glass", "--declared-basis", "ca1989_s17"]).len(),
        1
    );
    assert_eq!(
        search(&["--without-basis", "--actor", "busy.bee"]).len(),
        10
    );

    // A code the list never had is refused by the database, audited; a retired one is found.
    let unknown = audit(&db, &["search", "--declared-basis", "ca1989_s99"]);
    unknown.code(2);
    assert!(
        unknown
            .stderr
            .contains("declared_basis \"ca1989_s99\" is not known")
            && unknown.stderr.contains("ca1989_s47"),
        "{}",
        unknown.stderr
    );
    let row = last_audit(&db);
    assert_eq!(row.get::<_, String>("outcome"), "denied");
    let details: Value = row.get("details");
    assert_eq!(details["filter"]["declared_basis"], "ca1989_s99");
    db.superuser()
        .batch_execute("UPDATE fc.legal_basis SET retired_at = now() WHERE code = 'ca1989_s17'")
        .unwrap();
    assert_eq!(search(&["--declared-basis", "ca1989_s17"]).len(), 1);
    // Both at once cannot match anything: a usage error before anything is asked.
    let both = audit(
        &db,
        &[
            "search",
            "--declared-basis",
            "ca1989_s47",
            "--without-basis",
        ],
    );
    both.code(2);
}

/// The SQLSTATE of a database error (the door's own: FCUSE, FCNFD, FCDNY) and its message.
fn sqlstate(e: &postgres::Error) -> String {
    let code = e.code().map(|c| c.code().to_string()).unwrap_or_default();
    let message = e
        .as_db_error()
        .map(|d| d.message().to_string())
        .unwrap_or_else(|| e.to_string());
    format!("{code}: {message}")
}

fn envelope(client: &mut impl postgres::GenericClient, call: &str) -> Value {
    client
        .query_one(call, &[])
        .unwrap_or_else(|e| panic!("{call}: {e}"))
        .get(0)
}

fn ticket(envelope: &Value) -> uuid::Uuid {
    envelope["ticket"]
        .as_str()
        .unwrap_or_else(|| panic!("no ticket in {envelope}"))
        .parse()
        .expect("a uuid")
}

/// The rows of the export's gated view as `who` sees them in `client`'s current transaction.
fn gated_ids(client: &mut impl postgres::GenericClient) -> Vec<i64> {
    client
        .query(
            "SELECT (line::jsonb ->> 'id')::bigint FROM fc_api.audit_export_lines",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// `client` may not name the export's view at all.
fn view_refused(client: &mut impl postgres::GenericClient) {
    let err = client
        .query("SELECT * FROM fc_api.audit_export_lines", &[])
        .unwrap_err();
    assert!(sqlstate(&err).starts_with("42501:"), "{}", sqlstate(&err));
}

#[test]
fn the_export_view_gives_rows_only_in_the_transaction_its_committed_ticket_opened() {
    let db = TestDb::new("export_gate");
    show(&db, "sw.alice", "fc:1", "s47 enquiry, case 1234");
    let mut ig = db.sign_in("ig.officer").expect("ig.officer signs in");
    let mut other = db.sign_in("ig.officer").expect("a second session");
    let mut alice = db.sign_in("sw.alice").expect("sw.alice signs in");
    // No gate: empty to the auditor; a user may not name it.
    assert!(gated_ids(&mut ig).is_empty());
    view_refused(&mut alice);

    // Not with the ticket of the request's own, uncommitted transaction.
    let mut tx = ig.transaction().unwrap();
    let pending = ticket(&envelope(
        &mut tx,
        "SELECT fc_api.audit_export('{}'::jsonb)",
    ));
    let err = tx
        .query_one("SELECT fc_api.audit_export_copy($1)", &[&pending])
        .unwrap_err();
    assert!(sqlstate(&err).starts_with("FCUSE:"), "{}", sqlstate(&err));
    drop(tx);

    let export = envelope(&mut ig, "SELECT fc_api.audit_export('{}'::jsonb)");
    let committed = ticket(&export);
    let own = export["audit_id"].as_i64().unwrap();
    // Not for another role.
    let err = alice
        .query_one("SELECT fc_api.audit_export_copy($1)", &[&committed])
        .unwrap_err();
    assert!(sqlstate(&err).starts_with("FCNFD:"), "{}", sqlstate(&err));

    // Its own role, in the transaction that presents it: every row up to the export's own.
    let mut tx = ig.transaction().unwrap();
    let upto: i64 = tx
        .query_one("SELECT fc_api.audit_export_copy($1)", &[&committed])
        .unwrap()
        .get(0);
    assert_eq!(upto, own);
    assert_eq!(gated_ids(&mut tx), (1..=own).collect::<Vec<_>>());
    // ...and the same lines through COPY, as famctx reads them.
    let mut bytes = Vec::new();
    tx.copy_out(
        "COPY (SELECT line FROM fc_api.audit_export_lines) TO STDOUT \
         WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')",
    )
    .unwrap()
    .read_to_end(&mut bytes)
    .unwrap();
    let lines: Vec<Value> = String::from_utf8(bytes)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    let ids: Vec<i64> = lines.iter().filter_map(|l| l["id"].as_i64()).collect();
    assert_eq!(ids, (1..=own).collect::<Vec<_>>(), "in id order, each once");
    for l in &lines {
        let mut keys: Vec<&str> = l.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        let mut want = COLUMNS.to_vec();
        want.sort_unstable();
        assert_eq!(keys, want, "every column, by the export's names");
    }
    // Meanwhile, nobody else: not another session of the same role, not another operator.
    assert!(gated_ids(&mut other).is_empty());
    view_refused(&mut alice);
    tx.commit().unwrap();
    // Closed with its transaction, the ticket taken, and the opening kept on record.
    assert!(gated_ids(&mut ig).is_empty());
    let err = ig
        .query_one("SELECT fc_api.audit_export_copy($1)", &[&committed])
        .unwrap_err();
    assert!(sqlstate(&err).starts_with("FCNFD:"), "{}", sqlstate(&err));
    let (role, range): (String, i64) = db
        .superuser()
        .query_one(
            "SELECT db_role::text, upto FROM fc.audit_export_gate ORDER BY opened_at DESC LIMIT 1",
            &[],
        )
        .map(|r| (r.get(0), r.get(1)))
        .unwrap();
    assert_eq!((role.as_str(), range), ("ig.officer", own));

    // A transaction that rolls back leaves its ticket: the same rows again, under the same
    // audit row, within the ticket's 15 minutes.
    let again = envelope(&mut ig, "SELECT fc_api.audit_export('{}'::jsonb)");
    for _ in 0..2 {
        let mut tx = ig.transaction().unwrap();
        let upto: i64 = tx
            .query_one("SELECT fc_api.audit_export_copy($1)", &[&ticket(&again)])
            .unwrap()
            .get(0);
        assert_eq!(upto, again["audit_id"].as_i64().unwrap());
        drop(tx);
    }

    // A gate row is the caller's only for its own transaction id, its own role, and opened
    // since the transaction began: one carried over from another cluster (a restore) whose
    // id this transaction reuses opens nothing.
    let mut tx = ig.transaction().unwrap();
    let xid: String = tx
        .query_one("SELECT pg_current_xact_id()::text", &[])
        .unwrap()
        .get(0);
    let mut su = db.superuser();
    su.execute(
        "INSERT INTO fc.audit_export_gate (xid, upto, db_role, opened_at) \
         VALUES ($1::text::xid8, 1000000, 'ig.officer', now() - interval '1 day')",
        &[&xid],
    )
    .unwrap();
    assert!(
        gated_ids(&mut tx).is_empty(),
        "opened before the transaction"
    );
    su.execute(
        "UPDATE fc.audit_export_gate SET opened_at = clock_timestamp(), db_role = 'sw.alice' \
         WHERE xid = $1::text::xid8",
        &[&xid],
    )
    .unwrap();
    assert!(gated_ids(&mut tx).is_empty(), "opened by another role");
    su.execute(
        "UPDATE fc.audit_export_gate SET db_role = 'ig.officer' WHERE xid = $1::text::xid8",
        &[&xid],
    )
    .unwrap();
    assert!(!gated_ids(&mut tx).is_empty(), "its own gate opens it");
    drop(tx);

    // A CSV export keeps its cursor; one export a transaction.
    let csv = envelope(
        &mut ig,
        "SELECT fc_api.audit_export('{\"format\": \"csv\"}'::jsonb)",
    );
    let err = ig
        .query_one("SELECT fc_api.audit_export_copy($1)", &[&ticket(&csv)])
        .unwrap_err();
    assert!(
        sqlstate(&err).starts_with("FCUSE:") && sqlstate(&err).contains("csv"),
        "{}",
        sqlstate(&err)
    );
    let first = ticket(&envelope(
        &mut ig,
        "SELECT fc_api.audit_export('{}'::jsonb)",
    ));
    let second = ticket(&envelope(
        &mut ig,
        "SELECT fc_api.audit_export('{}'::jsonb)",
    ));
    let mut tx = ig.transaction().unwrap();
    tx.query_one("SELECT fc_api.audit_export_copy($1)", &[&first])
        .unwrap();
    let err = tx
        .query_one("SELECT fc_api.audit_export_copy($1)", &[&second])
        .unwrap_err();
    assert!(
        sqlstate(&err).contains("one export a transaction"),
        "{}",
        sqlstate(&err)
    );
}

#[test]
fn the_trail_is_read_only_through_the_door_and_its_streams_only_after_their_audit_row() {
    let db = TestDb::new("audit_door");
    show(&db, "sw.alice", "fc:1", "s47 enquiry, case 1234");

    // An auditor at a psql prompt, with their AD password: no table.
    let mut ig = db.sign_in("ig.officer").expect("ig.officer signs in");
    let err = ig.query("SELECT * FROM fc.audit_log", &[]).unwrap_err();
    assert!(sqlstate(&err).starts_with("42501:"), "{}", sqlstate(&err));
    assert!(
        sqlstate(&err).contains("permission denied"),
        "{}",
        sqlstate(&err)
    );

    // A cursor only for a committed ticket: not inside the request's own transaction...
    let mut tx = ig.transaction().unwrap();
    let pending: Value = tx
        .query_one("SELECT fc_api.audit_export('{}'::jsonb)", &[])
        .unwrap()
        .get(0);
    let uncommitted = ticket(&pending);
    let err = tx
        .query_one("SELECT fc_api.audit_export_open($1)::text", &[&uncommitted])
        .unwrap_err();
    assert!(sqlstate(&err).starts_with("FCUSE:"), "{}", sqlstate(&err));
    assert!(
        sqlstate(&err).contains("not committed"),
        "{}",
        sqlstate(&err)
    );
    drop(tx); // rolled back: the request, its audit row and its ticket are gone
    let err = ig
        .query_one("SELECT fc_api.audit_export_open($1)::text", &[&uncommitted])
        .unwrap_err();
    assert!(sqlstate(&err).starts_with("FCNFD:"), "{}", sqlstate(&err));
    // ...nor for a made-up ticket, nor for the ticket of another request.
    let err = ig
        .query_one(
            "SELECT fc_api.audit_export_open($1)::text",
            &[&uuid::Uuid::new_v4()],
        )
        .unwrap_err();
    assert!(sqlstate(&err).starts_with("FCNFD:"), "{}", sqlstate(&err));
    let search = envelope(
        &mut ig,
        "SELECT fc_api.audit_search('{\"limit\": 1}'::jsonb)",
    );
    let err = ig
        .query_one(
            "SELECT fc_api.audit_export_open($1)::text",
            &[&ticket(&search)],
        )
        .unwrap_err();
    assert!(sqlstate(&err).starts_with("FCNFD:"), "{}", sqlstate(&err));

    // A committed export ticket: not for another role, and not for the verify stream.
    let export = envelope(&mut ig, "SELECT fc_api.audit_export('{}'::jsonb)");
    assert_eq!(export["outcome"], "recorded", "{export}");
    let committed = ticket(&export);
    let mut alice = db.sign_in("sw.alice").expect("sw.alice signs in");
    let err = alice.query("SELECT * FROM fc.audit_log", &[]).unwrap_err();
    assert!(sqlstate(&err).starts_with("42501:"), "{}", sqlstate(&err));
    let err = alice
        .query_one("SELECT fc_api.audit_export_open($1)::text", &[&committed])
        .unwrap_err();
    assert!(sqlstate(&err).starts_with("FCNFD:"), "{}", sqlstate(&err));
    let err = ig
        .query_one("SELECT fc_api.audit_verify_open($1)::text", &[&committed])
        .unwrap_err();
    assert!(sqlstate(&err).starts_with("FCNFD:"), "{}", sqlstate(&err));

    // Its own role opens it once and fetches every row in batches, up to the export's own row.
    let mut tx = ig.transaction().unwrap();
    let cursor: String = tx
        .query_one("SELECT fc_api.audit_export_open($1)::text", &[&committed])
        .unwrap()
        .get(0);
    let fetch = format!("FETCH 3 FROM \"{}\"", cursor.replace('"', "\"\""));
    let mut ids: Vec<i64> = Vec::new();
    loop {
        let rows = tx.query(fetch.as_str(), &[]).unwrap();
        if rows.is_empty() {
            break;
        }
        // No format asked for: JSON lines, each row one object of every column.
        assert_eq!(rows[0].len(), 1, "one JSON line a row");
        for r in &rows {
            let line: Value = serde_json::from_str(r.get::<_, &str>(0)).unwrap();
            assert_eq!(
                line.as_object().unwrap().len(),
                COLUMNS.len(),
                "every column"
            );
            ids.push(line["id"].as_i64().unwrap());
        }
    }
    tx.commit().unwrap();
    let own = export["audit_id"].as_i64().unwrap();
    assert_eq!(
        ids,
        (1..=own).collect::<Vec<_>>(),
        "rows 1 to the export's own"
    );
    let mut su = db.superuser();
    let (action, actor): (String, String) = su
        .query_one(
            "SELECT action, actor_account FROM fc.audit_log WHERE id = $1",
            &[&own],
        )
        .map(|r| (r.get(0), r.get(1)))
        .unwrap();
    assert_eq!(
        (action.as_str(), actor.as_str()),
        ("audit_exported", "ig.officer")
    );
    let err = ig
        .query_one("SELECT fc_api.audit_export_open($1)::text", &[&committed])
        .unwrap_err();
    assert!(
        sqlstate(&err).starts_with("FCNFD:"),
        "used once: {}",
        sqlstate(&err)
    );

    // A user who is not an auditor calling the functions: a denied envelope (no ticket) and a
    // denied audit row, each.
    for (call, action) in [
        (
            "SELECT fc_api.audit_search('{\"person\": \"fc:4\"}'::jsonb)",
            "audit_searched",
        ),
        ("SELECT fc_api.audit_export('{}'::jsonb)", "audit_exported"),
        ("SELECT fc_api.audit_verify('{}'::jsonb)", "audit_verified"),
        ("SELECT fc_api.audit_stats('{}'::jsonb)", "audit_stats"),
    ] {
        let before = row_count(&db);
        let refused = envelope(&mut alice, call);
        assert_eq!(refused["outcome"], "denied", "{refused}");
        assert_eq!(refused["error"]["kind"], "not_permitted", "{refused}");
        assert!(refused.get("ticket").is_none(), "{refused}");
        assert_eq!(row_count(&db), before + 1, "{action}: one audit row");
        let row = last_audit(&db);
        assert_eq!(row.get::<_, String>("action"), action);
        assert_eq!(row.get::<_, String>("outcome"), "denied");
        assert_eq!(row.get::<_, String>("actor_account"), "sw.alice");
    }
    // The chain is whole after all of it.
    audit(&db, &["verify"]).ok();
}
