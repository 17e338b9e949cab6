//! Retention without losing the proof: the trail partitioned by month, whole old months
//! archived to a checked file before the database lets them go, and the chain verified from
//! the last archive on. An archive interrupted anywhere (the connection cut during the rows or
//! before the finish, famctx killed while writing, the database backend terminated at the
//! finish) leaves every month in the database, and the next run completes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{Datelike, Months, NaiveDate, Utc};
use serde_json::Value;

use crate::support::*;

/// `rows` synthetic, hash-chained history rows spread over the `months` whole months before
/// the trail's oldest row (sql/synthetic/audit_history.sql, as the superuser, on this private
/// copy).
fn history(db: &TestDb, rows: u64, months: u32) {
    let out = Command::new("psql")
        .arg(with_db(&var("FAMCTX_SUPERUSER_URL"), &db.name))
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", "skip_analyze=1"])
        .args(["-v", &format!("target={}", db.name)])
        .args([
            "-v",
            &format!("rows={rows}"),
            "-v",
            &format!("months={months}"),
        ])
        .arg("-f")
        .arg(repo().join("sql/synthetic/audit_history.sql"))
        .output()
        .expect("psql");
    assert!(
        out.status.success(),
        "audit_history.sql: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn count(db: &TestDb, sql: &str) -> i64 {
    db.superuser().query_one(sql, &[]).unwrap().get(0)
}

/// The rows of the months before `cut` (YYYY-MM-DD), and of the whole trail.
fn rows_before(db: &TestDb, cut: &str) -> (i64, i64) {
    let row = db
        .superuser()
        .query_one(
            "SELECT count(*) FILTER (WHERE occurred_at < $1::text::timestamptz), count(*) FROM fc.audit_log",
            &[&cut],
        )
        .unwrap();
    (row.get(0), row.get(1))
}

fn archives(db: &TestDb) -> i64 {
    count(db, "SELECT count(*) FROM fc.audit_archive")
}

fn audit(db: &TestDb, account: &str, args: &[&str]) -> Run {
    let mut full = vec!["audit"];
    full.extend_from_slice(args);
    db.run(account, &full)
}

fn verify(db: &TestDb) -> Value {
    let v = audit(db, "ig.officer", &["verify", "-o", "json"]);
    let doc = v.ok().json();
    crate::schema::conforms("audit-verify", &doc);
    doc
}

/// The first month of the trail's history when it spans `months` months before the current one.
fn month_start(months_back: u32) -> NaiveDate {
    let today = Utc::now().date_naive();
    NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap() - Months::new(months_back)
}

fn archive_file(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .unwrap_or_else(|| panic!("no archive file in {}", dir.display()))
}

fn names_in(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// famctx as `account`, started and left running (for a test that interrupts it).
fn spawn(account: &str, url: &str, args: &[&str]) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_famctx"));
    for (k, _) in std::env::vars() {
        if k.starts_with("FAMCTX_") {
            cmd.env_remove(k);
        }
    }
    for (k, v) in env() {
        cmd.env(k, v);
    }
    cmd.env_remove("FAMCTX_OWNER_URL")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env("NO_COLOR", "1")
        .env("FAMCTX_DATABASE_URL", url)
        .env("FAMCTX_USER", account)
        .arg("--password-stdin")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn famctx");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "{}", password(account)).unwrap();
    }
    child
}

fn finished(child: Child) -> Run {
    Run::from(child.wait_with_output().expect("famctx output"))
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(ok.success(), "kill {sig}");
}

/// Waits (at most 60 s) until `found` says yes, polling every few milliseconds.
fn wait_for(what: &str, mut found: impl FnMut() -> bool) {
    let start = Instant::now();
    while !found() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "waited 60 s for {what}"
        );
        std::thread::sleep(Duration::from_millis(3));
    }
}

/// The session famctx signed in with as `account`: its state, last statement and wait.
fn backend(
    su: &mut postgres::Client,
    db: &TestDb,
    account: &str,
) -> Option<(i32, String, String, String)> {
    su.query(
        "SELECT pid, coalesce(state, ''), coalesce(query, ''), coalesce(wait_event_type, '') \
         FROM pg_stat_activity WHERE datname = $1 AND usename = $2 AND application_name = 'famctx'",
        &[&db.name, &account],
    )
    .unwrap()
    .first()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
}

fn pg_addr(url: &str) -> (String, std::net::SocketAddr) {
    let parsed = url::Url::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    let host_port = format!(
        "{}:{}",
        parsed.host_str().expect("host"),
        parsed.port().unwrap_or(5432)
    );
    let addr = host_port
        .parse()
        .unwrap_or_else(|e| panic!("{host_port}: {e}"));
    (host_port, addr)
}

/// The partitions a statement's plan reads, from auto_explain's notice for the statement whose
/// text holds `marker`, run inside `call` by the superuser (as a trusted service naming an
/// auditor).
fn partitions_read(db: &TestDb, call: &str, marker: &str) -> BTreeSet<String> {
    let out = Command::new("psql")
        .arg(with_db(&var("FAMCTX_SUPERUSER_URL"), &db.name))
        .args(["-X", "-v", "ON_ERROR_STOP=1"])
        .args(["-c", "LOAD 'auto_explain'"])
        .args(["-c", "SET auto_explain.log_min_duration = 0"])
        .args(["-c", "SET auto_explain.log_nested_statements = on"])
        .args(["-c", "SET auto_explain.log_level = notice"])
        .args(["-c", call])
        .output()
        .expect("psql");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let notices = String::from_utf8_lossy(&out.stderr).into_owned();
    let plan = notices
        .split("NOTICE:")
        .find(|n| n.contains(marker))
        .unwrap_or_else(|| panic!("no plan for {marker:?} in the notices"));
    plan.match_indices("audit_log_y")
        .map(|(i, _)| plan[i..i + "audit_log_y2026m12".len()].to_string())
        .collect()
}

#[test]
fn the_trail_is_partitioned_by_month_and_a_time_window_reads_only_its_months() {
    let db = TestDb::new("arch_parts");
    history(&db, 240, 24);
    let mut su = db.superuser();
    // One partition a month, from the history's first through three months ahead.
    let names: Vec<String> = su
        .query("SELECT name FROM fc.audit_partitions()", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let expected: Vec<String> = (0..28)
        .map(|k| month_start(24) + Months::new(k))
        .map(|m| format!("audit_log_y{}", m.format("%Ym%m")))
        .collect();
    assert_eq!(names, expected);
    // The append-only guards on each: the row trigger (cloned) and a TRUNCATE trigger of its own.
    let unguarded: i64 = su
        .query_one(
            "SELECT count(*) FROM fc.audit_partitions() p WHERE \
             (SELECT count(*) FROM pg_trigger t WHERE t.tgrelid = ('fc.' || p.name)::regclass \
              AND t.tgname IN ('audit_log_append_only', 'audit_log_no_truncate') AND t.tgenabled = 'O') <> 2",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(unguarded, 0);
    let old = &names[1];
    let mut owner = connect(&db.owner_url());
    for sql in [
        format!("TRUNCATE fc.{old}"),
        format!("DELETE FROM fc.{old}"),
        format!("UPDATE fc.{old} SET reason = 'x'"),
    ] {
        let err = owner.batch_execute(&sql).expect_err(&sql);
        let message = err
            .as_db_error()
            .map(|d| d.message().to_string())
            .unwrap_or_default();
        assert!(message.contains("append-only"), "{sql}: {err:?}");
    }

    // A search by time reads only the window's months (the door plans it with the values).
    let since = month_start(10);
    let until = month_start(8);
    let call = format!(
        "SELECT fc_api.audit_search('{{\"as\": {{\"guid\": \"00000000-0000-0000-0000-0000000000a1\", \
         \"account\": \"ig.plan\", \"roles\": [\"auditor\"]}}, \"since\": \"{since}T00:00:00Z\", \
         \"until\": \"{until}T00:00:00Z\", \"limit\": 1000}}')"
    );
    let read = partitions_read(&db, &call, "page AS");
    let window: BTreeSet<String> = [since, since + Months::new(1)]
        .iter()
        .map(|m| format!("audit_log_y{}", m.format("%Ym%m")))
        .collect();
    assert_eq!(read, window, "the partitions a two-month search reads");
    // ...and finds the rows of those months, and only those.
    let found = db
        .run(
            "ig.officer",
            &[
                "audit",
                "search",
                "--since",
                &since.to_string(),
                "--until",
                &until.to_string(),
                "--limit",
                "1000",
                "-o",
                "json",
            ],
        )
        .ok()
        .json();
    let entries = found.as_array().expect("entries");
    let in_window = count(
        &db,
        &format!(
            "SELECT count(*) FROM fc.audit_log WHERE occurred_at >= '{since}' AND occurred_at < '{until}'"
        ),
    );
    assert_eq!(entries.len() as i64, in_window);
    assert!(in_window > 0);
    // The history verifies as one chain with what came after it.
    assert_eq!(verify(&db)["intact"], true);
}

#[test]
fn an_archive_of_old_months_verifies_and_leaves_a_verifiable_chain() {
    let db = TestDb::new("arch_ok");
    // Seven years of history: ten rows a month, the first 84 months before this one.
    history(&db, 840, 84);
    let dir = tempfile::tempdir().unwrap();
    let first = month_start(84);
    let cut = first + Months::new(6);
    let (old, total) = rows_before(&db, &cut.to_string());
    assert!(old > 0);

    let run = audit(
        &db,
        "ig.officer",
        &[
            "archive",
            "--before",
            &cut.to_string(),
            "--dir",
            dir.path().to_str().unwrap(),
            "--reason",
            "retention: six years",
            "--yes",
            "-o",
            "json",
        ],
    );
    let done = run.ok().json();
    crate::schema::conforms("audit-archive", &done);
    let record = &done["archive"];
    assert_eq!(record["rows"], old);
    assert_eq!(record["first_id"], 1);
    assert_eq!(record["last_id"], old);
    assert_eq!(record["before"], cut.to_string());
    let months: Vec<String> = (0..6)
        .map(|k| (first + Months::new(k)).format("%Y-%m").to_string())
        .collect();
    assert_eq!(record["months"], serde_json::json!(months));

    // The file and its .sha256, which sha256sum checks; nothing else left in the directory.
    let file = archive_file(dir.path());
    assert_eq!(done["file"], file.display().to_string());
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(
        names_in(dir.path()),
        BTreeSet::from([name.clone(), format!("{name}.sha256")])
    );
    let sum = Command::new("sha256sum")
        .args(["-c", &format!("{name}.sha256")])
        .current_dir(dir.path())
        .output()
        .expect("sha256sum");
    assert!(
        sum.status.success(),
        "{}",
        String::from_utf8_lossy(&sum.stdout)
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode, 0o600,
            "the archive is personal data: its owner's only"
        );
    }
    let lines = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        lines.lines().count() as i64,
        old + 2,
        "header, rows, trailer"
    );

    // The months are gone from the database, every other row is there.
    let (left_old, left) = rows_before(&db, &cut.to_string());
    assert_eq!(left_old, 0);
    assert_eq!(
        left,
        total - old + 2,
        "less the archived rows, plus the archive's two audit rows"
    );
    let first_kept: String = db
        .superuser()
        .query_one("SELECT min(name) FROM fc.audit_partitions()", &[])
        .unwrap()
        .get(0);
    assert_eq!(first_kept, format!("audit_log_y{}", cut.format("%Ym%m")));

    // The archive's two audit rows: started, then finished, naming the file.
    let rows = db.superuser().query(
        "SELECT outcome, details, reason, id FROM fc.audit_log WHERE action = 'audit_archived' ORDER BY id",
        &[],
    ).unwrap();
    assert_eq!(rows.len(), 2);
    let (started, finished): (Value, Value) = (rows[0].get(1), rows[1].get(1));
    assert_eq!(started["stage"], "started");
    assert_eq!(
        rows[0].get::<_, Option<String>>(2).as_deref(),
        Some("retention: six years")
    );
    assert_eq!(finished["stage"], "finished");
    assert_eq!(finished["file"], name);
    assert_eq!(finished["rows"], old);
    assert_eq!(record["audit_id"], rows[1].get::<_, i64>(3));

    // verify: the chain from the archive on, intact; it says where it started.
    let v = verify(&db);
    assert_eq!(v["intact"], true, "{v}");
    assert_eq!(v["started_from"]["id"], record["id"]);
    assert_eq!(v["archives"].as_array().map(Vec::len), Some(1));
    let remaining = count(&db, "SELECT count(*) FROM fc.audit_log");
    assert_eq!(
        v["rows_checked"],
        remaining - 1,
        "every row but the verification's own"
    );

    // verify --archive: the file on its own, and the database's record of it.
    let f = audit(
        &db,
        "ig.officer",
        &["verify", "--archive", file.to_str().unwrap(), "-o", "json"],
    )
    .ok()
    .json();
    crate::schema::conforms("audit-verify", &f);
    assert_eq!(f["intact"], true, "{f}");
    assert_eq!(f["rows_checked"], old);
    assert_eq!(f["file"]["sidecar"], "matches");
    assert_eq!(f["file"]["recorded"], "matches");
    assert_eq!(f["file"]["record"]["id"], record["id"]);
    let checked = db.audit_rows().pop().unwrap();
    assert_eq!(checked.get::<_, String>(2), "audit_verified");
    let details: Value = checked.get(4);
    assert_eq!(details["archive_file"]["file"], name);

    // A second archive goes on from the first, and verify starts from it.
    let cut2 = cut + Months::new(3);
    let (old2, _) = rows_before(&db, &cut2.to_string());
    let second = audit(
        &db,
        "ig.officer",
        &[
            "archive",
            "--before",
            &cut2.to_string(),
            "--dir",
            dir.path().to_str().unwrap(),
            "--yes",
            "-o",
            "json",
        ],
    )
    .ok()
    .json();
    assert_eq!(second["archive"]["first_id"], old + 1);
    assert_eq!(second["archive"]["first_prev_hash"], record["last_hash"]);
    assert_eq!(second["archive"]["rows"], old2);
    let v = verify(&db);
    assert_eq!(v["intact"], true, "{v}");
    assert_eq!(v["started_from"]["id"], second["archive"]["id"]);
    assert_eq!(v["archives"].as_array().map(Vec::len), Some(2));

    // A tampered copy fails, naming the row; so does one cut short, with its sidecar made anew.
    let copy = dir.path().join("copy.jsonl");
    let tampered = lines.replacen("synthetic: case", "synthetic: CASE", 1);
    let changed_row = lines
        .lines()
        .skip(1)
        .find(|l| l.contains("synthetic: case"))
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_i64()
                .unwrap()
        })
        .unwrap();
    std::fs::write(&copy, &tampered).unwrap();
    std::fs::copy(
        file.with_file_name(format!("{name}.sha256")),
        dir.path().join("copy.jsonl.sha256"),
    )
    .unwrap();
    let bad = audit(
        &db,
        "ig.officer",
        &[
            "verify",
            "--archive",
            copy.to_str().unwrap(),
            "--offline",
            "-o",
            "json",
        ],
    );
    bad.code(8);
    let bad = bad.json();
    assert_eq!(bad["intact"], false);
    assert_eq!(bad["first_broken_row"], changed_row, "{bad}");
    assert!(
        bad["problem"]
            .as_str()
            .unwrap()
            .contains("does not match its hash"),
        "{bad}"
    );

    let short: String = lines.lines().take(5).map(|l| format!("{l}\n")).collect();
    std::fs::write(&copy, &short).unwrap();
    let sum = Command::new("sha256sum")
        .arg("copy.jsonl")
        .current_dir(dir.path())
        .output()
        .unwrap();
    std::fs::write(dir.path().join("copy.jsonl.sha256"), &sum.stdout).unwrap();
    let cut_short = audit(
        &db,
        "ig.officer",
        &["verify", "--archive", copy.to_str().unwrap(), "-o", "json"],
    );
    cut_short.code(8);
    let cut_short = cut_short.json();
    assert!(
        cut_short["problem"]
            .as_str()
            .unwrap()
            .contains("before its trailer"),
        "{cut_short}"
    );
    // The database's word too: it recorded no archive of those rows with that file.
    assert_eq!(cut_short["file"]["sidecar"], "matches");

    // A checkpoint whose row was archived: the database's verification says where it is, and the
    // archive's file checks it.
    let row_10: Value = serde_json::from_str(lines.lines().nth(10).unwrap()).unwrap();
    let cp = dir.path().join("cp.json");
    std::fs::write(
        &cp,
        serde_json::json!({"id": row_10["id"], "hash": row_10["row_hash"],
                           "occurred_at": row_10["occurred_at"]})
        .to_string(),
    )
    .unwrap();
    let cp = cp.to_str().unwrap();
    let v = audit(
        &db,
        "ig.officer",
        &["verify", "--checkpoint", cp, "-o", "json"],
    );
    let v = v.ok().json();
    assert_eq!(v["checkpoint_in_archive"], record["id"], "{v}");
    assert_eq!(v["checkpoint_checked"], Value::Null);
    let f = audit(
        &db,
        "ig.officer",
        &[
            "verify",
            "--archive",
            file.to_str().unwrap(),
            "--checkpoint",
            cp,
            "--offline",
            "-o",
            "json",
        ],
    )
    .ok()
    .json();
    assert_eq!(f["checkpoint_checked"], row_10["id"], "{f}");

    // The trail left must join the last archive, and the archives one another.
    let mut su = db.superuser();
    su.batch_execute(
        "BEGIN; SET LOCAL session_replication_role = replica; \
         UPDATE fc.audit_archive SET first_prev_hash = sha256('x') WHERE id = (SELECT max(id) FROM fc.audit_archive); \
         COMMIT;",
    )
    .unwrap();
    let broken = audit(&db, "ig.officer", &["verify", "-o", "json"]);
    broken.code(8);
    let broken = broken.json();
    assert_eq!(broken["first_broken_row"], old + 1, "{broken}");
    assert!(
        broken["problem"]
            .as_str()
            .unwrap()
            .contains("does not continue archive"),
        "{broken}"
    );
    su.batch_execute(&format!(
        "BEGIN; SET LOCAL session_replication_role = replica; \
         UPDATE fc.audit_archive SET first_prev_hash = decode('{}', 'hex') WHERE id = (SELECT max(id) FROM fc.audit_archive); \
         DELETE FROM fc.audit_log WHERE id = {}; COMMIT;",
        record["last_hash"].as_str().unwrap(),
        second["archive"]["last_id"].as_i64().unwrap() + 1
    ))
    .unwrap();
    let gone = audit(&db, "ig.officer", &["verify", "-o", "json"]);
    gone.code(8);
    let gone = gone.json();
    assert_eq!(
        gone["first_broken_row"],
        second["archive"]["last_id"].as_i64().unwrap() + 1,
        "{gone}"
    );
    assert!(
        gone["problem"]
            .as_str()
            .unwrap()
            .contains("the chain goes on from archive"),
        "{gone}"
    );
}

#[test]
fn archive_refusals_say_what_to_do_and_are_audited() {
    let db = TestDb::new("arch_refused");
    history(&db, 168, 84);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let refused = |account: &str, before: &str| {
        let r = audit(
            &db,
            account,
            &["archive", "--before", before, "--dir", d, "--yes"],
        );
        let row = db.audit_rows().pop().unwrap();
        (r, row)
    };

    // Inside the retention period (72 months by default).
    let recent = month_start(24).to_string();
    let (run, row) = refused("ig.officer", &recent);
    run.code(4);
    assert!(
        run.stderr
            .contains("within the audit retention period of 72 months"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--before"),
        "says what to give instead: {}",
        run.stderr
    );
    assert_eq!(
        (row.get::<_, String>(2), row.get::<_, String>(3)),
        ("audit_archived".into(), "denied".into())
    );

    // The database's own period holds whatever famctx says: here 100 months.
    let old = (month_start(84) + Months::new(6)).to_string();
    db.superuser()
        .batch_execute("UPDATE fc.policy SET value = '100' WHERE key = 'audit_retention_months'")
        .unwrap();
    let (run, row) = refused("ig.officer", &old);
    run.code(4);
    assert!(run.stderr.contains("100 months"), "{}", run.stderr);
    assert_eq!(row.get::<_, String>(3), "denied");
    db.superuser()
        .batch_execute("UPDATE fc.policy SET value = '72' WHERE key = 'audit_retention_months'")
        .unwrap();

    // Nothing before the date.
    let (run, row) = refused("ig.officer", &month_start(96).to_string());
    run.code(5);
    assert!(
        run.stderr.contains("no audit rows before"),
        "{}",
        run.stderr
    );
    assert_eq!(row.get::<_, String>(3), "not_found");

    // Not an auditor: refused by the door, recorded under the caller's name.
    let (run, row) = refused("sw.alice", &old);
    run.code(4);
    assert_eq!(row.get::<_, Option<String>>(1).as_deref(), Some("sw.alice"));
    assert_eq!(
        (row.get::<_, String>(2), row.get::<_, String>(3)),
        ("audit_archived".into(), "denied".into())
    );

    // Without a terminal and without --yes, nothing is asked of the database.
    let before = db.audit_rows().len();
    let run = audit(
        &db,
        "ig.officer",
        &["archive", "--before", &old, "--dir", d],
    );
    run.code(2);
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    assert_eq!(db.audit_rows().len(), before);

    // A finish the database did not begin, or with figures that are not the database's, removes
    // nothing and is audited.
    let mut ig = db.sign_in("ig.officer").expect("ig.officer signs in");
    let envelope: Value = ig
        .query_one(
            "SELECT fc_api.audit_archive_finish(jsonb_build_object('begun', 1, 'before', $1::text, \
             'rows', 1, 'first_id', 1, 'last_id', 1, 'first_prev_hash', repeat('0', 64), \
             'last_hash', repeat('0', 64), 'file', 'x.jsonl', 'file_sha256', repeat('0', 64)))",
            &[&old],
        )
        .unwrap()
        .get(0);
    assert_eq!(envelope["outcome"], "recorded", "{envelope}");
    assert!(rows_before(&db, &old).0 > 0);
    assert_eq!(archives(&db), 0);
    assert_eq!(
        db.audit_rows().pop().unwrap().get::<_, String>(3),
        "not_found"
    );

    // Nothing was archived, and every refusal left the chain whole.
    assert!(
        names_in(dir.path()).is_empty(),
        "{:?}",
        names_in(dir.path())
    );
    assert_eq!(verify(&db)["intact"], true);
}

#[test]
fn operators_and_the_service_cannot_touch_archives_or_partitions() {
    let db = TestDb::new("arch_psql");
    history(&db, 84, 84);
    let dir = tempfile::tempdir().unwrap();
    let cut = (month_start(84) + Months::new(3)).to_string();
    audit(
        &db,
        "ig.officer",
        &[
            "archive",
            "--before",
            &cut,
            "--dir",
            dir.path().to_str().unwrap(),
            "--yes",
        ],
    )
    .ok();
    let partition: String = db
        .superuser()
        .query_one("SELECT min(name) FROM fc.audit_partitions()", &[])
        .unwrap()
        .get(0);
    let statements = [
        "SELECT * FROM fc.audit_archive".to_string(),
        "INSERT INTO fc.audit_archive (before_month, months, row_count, first_id, last_id, first_prev_hash, \
         last_hash, first_at, last_at, file_name, file_sha256, archived_by, begun_audit_id, audit_id) \
         VALUES ('2020-01-01', '{}', 1, 1, 1, '\\x00', '\\x00', now(), now(), 'x', '\\x00', 'x', 1, 1)"
            .to_string(),
        "DELETE FROM fc.audit_archive".to_string(),
        format!("SELECT * FROM fc.{partition}"),
        format!("DELETE FROM fc.{partition}"),
        format!("TRUNCATE fc.{partition}"),
        format!("DROP TABLE fc.{partition}"),
        format!("ALTER TABLE fc.audit_log DETACH PARTITION fc.{partition}"),
        "CREATE TABLE fc.audit_log_y2099m01 PARTITION OF fc.audit_log FOR VALUES FROM ('2099-01-01') TO ('2099-02-01')"
            .to_string(),
        "SELECT fc.audit_partitions_ensure()".to_string(),
        "SELECT fc.audit_partition_make('2099-01-01')".to_string(),
        "SELECT fc.audit_archive_facts(now())".to_string(),
    ];
    let mut sessions = vec![
        (
            "sw.alice",
            db.sign_in("sw.alice").expect("sw.alice signs in"),
        ),
        (
            "ig.officer",
            db.sign_in("ig.officer").expect("ig.officer signs in"),
        ),
        ("famctx_app", connect(&db.service_url())),
    ];
    for (who, session) in &mut sessions {
        for sql in &statements {
            let err = session
                .batch_execute(sql)
                .expect_err(&format!("{who}: {sql}"));
            let state = err.code().map(|c| c.code().to_string()).unwrap_or_default();
            assert_eq!(
                state, "42501",
                "{who}: {sql}: expected permission denied, got {err:?}"
            );
        }
    }
    // The owner cannot change or remove the record of an archive either.
    let mut owner = connect(&db.owner_url());
    for sql in [
        "UPDATE fc.audit_archive SET file_name = 'x'",
        "DELETE FROM fc.audit_archive",
        "TRUNCATE fc.audit_archive",
    ] {
        let err = owner.batch_execute(sql).expect_err(sql);
        let message = err
            .as_db_error()
            .map(|d| d.message().to_string())
            .unwrap_or_default();
        assert!(message.contains("append-only"), "{sql}: {err:?}");
    }
    assert_eq!(archives(&db), 1);
}

/// One archive of twelve months (about 17,000 rows, so the rows come in several batches),
/// interrupted four ways; after each, every month is still in the database, nothing is recorded,
/// and the chain verifies; then it runs to the end.
#[test]
fn an_interrupted_archive_loses_nothing() {
    let db = TestDb::new("arch_cut");
    history(&db, 120_000, 84);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap().to_string();
    let cut = (month_start(84) + Months::new(12)).to_string();
    let (old, _) = rows_before(&db, &cut);
    assert!(old > 15_000, "{old} rows: more than three batches");
    let args = ["audit", "archive", "--before", &cut, "--dir", &d, "--yes"];
    let (host_port, addr) = pg_addr(&db.url());
    let mut su = db.superuser();
    let intact = |db: &TestDb, what: &str| {
        assert_eq!(rows_before(db, &cut).0, old, "{what}: a month was lost");
        assert_eq!(archives(db), 0, "{what}: an archive was recorded");
        let v = verify(db);
        assert_eq!(v["intact"], true, "{what}: {v}");
    };

    // 1. The connection cut while the rows stream.
    let proxy = Proxy::start(addr, Duration::from_secs(3600));
    let child = spawn(
        "ig.officer",
        &via_proxy(&db.url(), &host_port, &proxy),
        &args,
    );
    wait_for("the rows to stream", || {
        backend(&mut su, &db, "ig.officer").is_some_and(|(_, _, q, _)| q.starts_with("FETCH"))
    });
    proxy.cut_now();
    let run = finished(child);
    run.code(9);
    assert!(run.stderr.contains("nothing was removed"), "{}", run.stderr);
    assert!(
        names_in(dir.path()).is_empty(),
        "{:?}",
        names_in(dir.path())
    );
    intact(&db, "cut during the rows");

    // 2. famctx killed (SIGKILL) while it writes the file: its partial file stays behind.
    let child = spawn("ig.officer", &db.url(), &args);
    wait_for("the file to grow", || {
        std::fs::read_dir(dir.path()).unwrap().any(|e| {
            let e = e.unwrap();
            e.file_name().to_string_lossy().ends_with(".partial")
                && e.metadata().is_ok_and(|m| m.len() > 200_000)
        })
    });
    let mut child = child;
    child.kill().unwrap();
    child.wait().unwrap();
    wait_for("the killed session to end", || {
        backend(&mut su, &db, "ig.officer").is_none()
    });
    assert!(
        names_in(dir.path()).iter().all(|n| n.ends_with(".partial")),
        "{:?}",
        names_in(dir.path())
    );
    intact(&db, "famctx killed while writing");

    // 3. The connection cut after the file is written, before the finish reaches the database:
    //    famctx is stopped once the file and its .sha256 are in place (it then reads the file
    //    back, every row, before it asks the database to finish), the connection cut, famctx
    //    let go on.
    let proxy = Proxy::start(addr, Duration::from_secs(3600));
    let child = spawn(
        "ig.officer",
        &via_proxy(&db.url(), &host_port, &proxy),
        &args,
    );
    wait_for("the file to be in place", || {
        names_in(dir.path())
            .iter()
            .any(|n| n.ends_with(".jsonl.sha256"))
    });
    signal(&child, "-STOP");
    proxy.cut_now();
    signal(&child, "-CONT");
    let run = finished(child);
    run.code(9);
    assert!(
        run.stderr.contains("is complete and checked"),
        "{}",
        run.stderr
    );
    let file = archive_file(dir.path());
    intact(&db, "cut before the finish");
    // The file it left is whole, but not an archive: the database has no record of it.
    let f = audit(
        &db,
        "ig.officer",
        &["verify", "--archive", file.to_str().unwrap(), "-o", "json"],
    );
    f.code(8);
    assert_eq!(f.json()["file"]["recorded"], "not_recorded");
    audit(
        &db,
        "ig.officer",
        &["verify", "--archive", file.to_str().unwrap(), "--offline"],
    )
    .ok();

    // 4. The database backend terminated in the middle of the finish: the finish waits for a
    //    lock the superuser holds (SHARE: the archive's record cannot be written, the begin can
    //    read it), and is terminated there, holding every lock of the finish and its audit row.
    let mut blocker = db.superuser();
    blocker
        .batch_execute("BEGIN; LOCK TABLE fc.audit_archive IN SHARE MODE")
        .unwrap();
    let child = spawn("ig.officer", &db.url(), &args);
    let mut pid = 0;
    wait_for("the finish to wait for its lock", || {
        match backend(&mut su, &db, "ig.officer") {
            Some((p, _, q, w)) if q.contains("audit_archive_finish") && w == "Lock" => {
                pid = p;
                true
            }
            _ => false,
        }
    });
    su.execute("SELECT pg_terminate_backend($1)", &[&pid])
        .unwrap();
    blocker.batch_execute("ROLLBACK").unwrap();
    let run = finished(child);
    run.code(9);
    wait_for("the terminated session to end", || {
        backend(&mut su, &db, "ig.officer").is_none()
    });
    intact(&db, "backend terminated at the finish");

    // Then the archive runs to the end, replacing what the interrupted runs left.
    let done = db
        .run("ig.officer", &[&args[..], &["-o", "json"]].concat())
        .ok()
        .json();
    assert_eq!(done["archive"]["rows"], old);
    let file = archive_file(dir.path());
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(
        names_in(dir.path()),
        BTreeSet::from([name.clone(), format!("{name}.sha256")])
    );
    assert_eq!(rows_before(&db, &cut).0, 0);
    assert_eq!(archives(&db), 1);
    let v = verify(&db);
    assert_eq!(v["intact"], true, "{v}");
    assert_eq!(v["started_from"]["rows"], old);
    let f = audit(
        &db,
        "ig.officer",
        &["verify", "--archive", file.to_str().unwrap(), "-o", "json"],
    )
    .ok()
    .json();
    assert_eq!(f["file"]["recorded"], "matches");
}

/// An archive record made by hand (months dropped by someone with the owner's rights, a record
/// written to cover them) has no finishing audit row of its own in the chain: verify names it.
#[test]
fn an_archive_record_made_by_hand_is_caught() {
    let db = TestDb::new("arch_forged");
    history(&db, 240, 84);
    let dir = tempfile::tempdir().unwrap();
    let cut = month_start(84) + Months::new(3);
    let done = audit(
        &db,
        "ig.officer",
        &[
            "archive",
            "--before",
            &cut.to_string(),
            "--dir",
            dir.path().to_str().unwrap(),
            "--reason",
            "retention",
            "--yes",
            "-o",
            "json",
        ],
    )
    .ok()
    .json();
    let finish_row = done["archive"]["audit_id"].as_i64().unwrap();
    assert_eq!(verify(&db)["intact"], true);

    let mut su = db.superuser();
    let tamper = |su: &mut postgres::Client, set: &str| {
        su.batch_execute(&format!(
            "BEGIN; SET LOCAL session_replication_role = replica; \
             UPDATE fc.audit_archive SET {set}; COMMIT;"
        ))
        .unwrap();
    };
    // A record whose file is not the one its audit row names.
    tamper(&mut su, "file_sha256 = sha256('another file')");
    let run = audit(&db, "ig.officer", &["verify", "-o", "json"]);
    run.code(8);
    let v = run.json();
    assert_eq!(v["first_broken_row"], finish_row, "{v}");
    assert!(
        v["problem"]
            .as_str()
            .unwrap()
            .contains("made outside famctx audit archive"),
        "{v}"
    );
    // A record that names an audit row the chain does not have.
    let sum = Command::new("sha256sum")
        .arg(archive_file(dir.path()))
        .output()
        .unwrap();
    let sum = String::from_utf8_lossy(&sum.stdout);
    let sum = sum.split_whitespace().next().unwrap();
    tamper(
        &mut su,
        &format!("file_sha256 = decode('{sum}', 'hex'), audit_id = 999999999"),
    );
    let run = audit(&db, "ig.officer", &["verify", "-o", "json"]);
    run.code(8);
    let v = run.json();
    assert!(
        v["problem"].as_str().unwrap().contains("no such row"),
        "{v}"
    );
    // Put back as it was made, the record verifies again.
    tamper(&mut su, &format!("audit_id = {finish_row}"));
    assert_eq!(verify(&db)["intact"], true);
}
