//! Faults and load: a server dying at any point of a command, and several
//! operators at once. Afterwards nothing was shown unaudited, nothing is
//! half-applied, and the audit chain verifies.

use std::time::{Duration, Instant};

use crate::support::*;

const WHY: &str = "reliability check";

fn count(db: &TestDb, sql: &str) -> i64 {
    db.superuser().query_one(sql, &[]).unwrap().get(0)
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

/// PostgreSQL dies at a different moment of each lookup: each run either
/// shows the family after its audit row is committed, or shows nothing
/// and says the database was lost.
#[test]
fn postgres_dying_mid_lookup_never_shows_unaudited_data() {
    let db = TestDb::new("fault_pg_lookup");
    let (host_port, addr) = pg_addr(&db.url());
    let mut outcomes = (0, 0);
    for ms in (0..300).step_by(15) {
        let proxy = Proxy::start(addr, Duration::from_millis(ms));
        let url = via_proxy(&db.url(), &host_port, &proxy);
        let before = count(
            &db,
            "SELECT count(*) FROM fc.audit_log WHERE action = 'viewed_family'",
        );
        let run = db.run_with(
            "sw.alice",
            &password("sw.alice"),
            &[("FAMCTX_DATABASE_URL", url)],
            &["family", "show", "fc:1", "--reason", WHY, "-o", "json"],
        );
        let after = count(
            &db,
            "SELECT count(*) FROM fc.audit_log WHERE action = 'viewed_family'",
        );
        match run.code {
            0 => {
                outcomes.0 += 1;
                run.json();
                assert_eq!(after, before + 1, "shown, so audited");
            }
            9 => {
                outcomes.1 += 1;
                assert!(
                    run.stdout.is_empty(),
                    "nothing shown on failure: {}",
                    run.stdout
                );
                assert!(run.stderr.contains("PostgreSQL"), "{}", run.stderr);
            }
            other => panic!("exit {other} at {ms} ms: {}", run.stderr),
        }
    }
    assert!(outcomes.1 > 0, "some runs were cut: {outcomes:?}");
    db.run("ig.officer", &["audit", "verify"]).ok();
}

/// PostgreSQL dies at a different moment of each bulk apply: all of it or
/// none of it, every time.
#[test]
fn postgres_dying_mid_apply_never_half_applies() {
    let db = TestDb::new("fault_pg_apply");
    let (host_port, addr) = pg_addr(&db.url());
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("action,user,source,expires,reason,ticket\n");
    for i in 1..=200 {
        csv.push_str(&format!("grant,staff.{i:05},school,,fault test,\n"));
    }
    let file = tmpfile(dir.path(), "grants.csv", &csv, 0o600);
    let mut cut = 0;
    for ms in (0..600).step_by(40) {
        db.superuser()
            .batch_execute("TRUNCATE fc.permission_grant CASCADE")
            .unwrap_or(());
        let before = count(&db, "SELECT count(*) FROM fc.audit_log");
        let proxy = Proxy::start(addr, Duration::from_millis(ms));
        let url = via_proxy(&db.url(), &host_port, &proxy);
        let run = db.run_with(
            "svc.grants",
            &password("svc.grants"),
            &[("FAMCTX_DATABASE_URL", url)],
            &["permission", "apply", file.to_str().unwrap(), "--yes"],
        );
        let grants = count(&db, "SELECT count(*) FROM fc.permission_grant");
        let rows = count(&db, "SELECT count(*) FROM fc.audit_log") - before;
        match run.code {
            0 => assert_eq!(
                (grants, rows),
                (200, 201),
                "all applied, each change and the command audited"
            ),
            9 => {
                cut += 1;
                assert!(grants == 0 || grants == 200, "half-applied: {grants}");
                assert!(
                    rows == 0 || rows == 201,
                    "audit rows follow the changes: {rows}"
                );
                assert_eq!(grants == 200, rows == 201);
            }
            other => panic!("exit {other} at {ms} ms: {}", run.stderr),
        }
    }
    assert!(cut > 0);
    db.run("ig.officer", &["audit", "verify"]).ok();
}

/// The directory dies at a different moment of each login: refused as
/// unreachable, never let through, never a crash.
#[test]
fn the_directory_dying_mid_bind_fails_closed() {
    let db = TestDb::new("fault_ad");
    let addr: std::net::SocketAddr = "127.0.0.1:389".parse().unwrap();
    let mut cut = 0;
    for ms in (0..200).step_by(10) {
        let proxy = Proxy::start(addr, Duration::from_millis(ms));
        let run = db.run_with(
            "sw.alice",
            &password("sw.alice"),
            &[
                (
                    "FAMCTX_LDAP_URL",
                    format!("ldap://127.0.0.1:{}", proxy.port),
                ),
                ("FAMCTX_LDAP_TIMEOUT", "3".into()),
            ],
            &["whoami", "-o", "json"],
        );
        match run.code {
            0 => {
                run.json();
            }
            9 => {
                cut += 1;
                assert!(run.stdout.is_empty());
                assert!(run.stderr.contains("Active Directory"), "{}", run.stderr);
            }
            other => panic!("exit {other} at {ms} ms: {}", run.stderr),
        }
    }
    assert!(cut > 0);
}

/// The directory dies at a different moment of each bulk lookup, whose searches are shared out
/// among several sessions: the file is planned whole, or the command fails as unreachable. A
/// search that was cut is never read as an account that does not exist.
#[test]
fn the_directory_dying_mid_lookup_is_never_a_missing_account() {
    let db = TestDb::new("fault_ad_lookup");
    let addr: std::net::SocketAddr = "127.0.0.1:389".parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("action,user,source,expires,reason,ticket\n");
    for i in 1..=600 {
        csv.push_str(&format!("grant,staff.{i:05},school,,fault test,\n"));
    }
    let file = tmpfile(dir.path(), "grants.csv", &csv, 0o600);
    let (mut cut, mut whole) = (0, 0);
    for ms in (0..1500).step_by(60) {
        let proxy = Proxy::start(addr, Duration::from_millis(ms));
        let run = db.run_with(
            "svc.grants",
            &password("svc.grants"),
            &[
                (
                    "FAMCTX_LDAP_URL",
                    format!("ldap://127.0.0.1:{}", proxy.port),
                ),
                ("FAMCTX_LDAP_TIMEOUT", "3".into()),
            ],
            &[
                "permission",
                "apply",
                file.to_str().unwrap(),
                "--dry-run",
                "-o",
                "json",
            ],
        );
        match run.code {
            0 => {
                whole += 1;
                let plan = run.json();
                assert_eq!(plan.as_array().unwrap().len(), 600, "at {ms} ms");
            }
            9 => {
                cut += 1;
                assert!(run.stdout.is_empty(), "{}", run.stdout);
                assert!(run.stderr.contains("Active Directory"), "{}", run.stderr);
            }
            other => panic!("exit {other} at {ms} ms: {} {}", run.stdout, run.stderr),
        }
    }
    assert!(cut > 0 && whole > 0, "cut {cut}, whole {whole}");
}

/// Several operators at once for a bounded time: no errors but the
/// expected denials, one audit row for each operation, no deadlock.
#[test]
fn concurrent_operators_under_load() {
    let db = TestDb::new("load");
    db.run(
        "bi.admin",
        &[
            "permission",
            "grant",
            "sw.alice",
            "--source",
            "school",
            "--reason",
            WHY,
        ],
    )
    .ok();
    let start_rows = count(&db, "SELECT count(*) FROM fc.audit_log");
    let deadline = Instant::now() + Duration::from_secs(12);
    let results = std::thread::scope(|s| {
        let lookups = s.spawn(|| {
            let mut n = 0;
            while Instant::now() < deadline {
                let id = format!("fc:{}", 1 + n % 6);
                db.run(
                    "sw.alice",
                    &["family", "show", &id, "--reason", WHY, "--depth", "2"],
                )
                .ok();
                n += 1;
            }
            n
        });
        let bob = s.spawn(|| {
            let mut n = 0;
            while Instant::now() < deadline {
                db.run(
                    "eh.bob",
                    &[
                        "person",
                        "search",
                        "--last-name",
                        "Whitfield",
                        "--reason",
                        WHY,
                    ],
                )
                .ok();
                n += 1;
            }
            n
        });
        let admin = s.spawn(|| {
            let mut changes = 0;
            let mut n = 0;
            while Instant::now() < deadline {
                let (verb, extra) = if n % 2 == 0 {
                    ("grant", vec![])
                } else {
                    ("revoke", vec!["--yes"])
                };
                let mut args = vec![
                    "permission",
                    verb,
                    "eh.bob",
                    "--source",
                    "housing",
                    "--reason",
                    WHY,
                    "-o",
                    "json",
                ];
                args.extend(extra);
                let out = db.run("bi.admin", &args).ok().json();
                changes += out
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|o| o["effect"] == "added" || o["effect"] == "revoked")
                    .count();
                n += 1;
            }
            (n, changes)
        });
        let auditor = s.spawn(|| {
            let mut n = 0;
            while Instant::now() < deadline {
                db.run("ig.officer", &["audit", "verify"]).ok();
                n += 1;
            }
            n
        });
        let denied = s.spawn(|| {
            let mut n = 0;
            while Instant::now() < deadline {
                // An auditor is not a user: refused by the role check, audited as denied.
                db.run("ig.officer", &["family", "show", "fc:1", "--reason", WHY])
                    .code(4);
                n += 1;
            }
            n
        });
        (
            lookups.join().unwrap(),
            bob.join().unwrap(),
            admin.join().unwrap(),
            auditor.join().unwrap(),
            denied.join().unwrap(),
        )
    });
    let (lookups, searches, (admin_runs, changes), verifies, denials) = results;
    let q = |sql: &str| {
        count(
            &db,
            &format!("SELECT count(*) FROM fc.audit_log WHERE id > {start_rows} AND {sql}"),
        )
    };
    assert_eq!(
        q("action = 'viewed_family' AND outcome = 'allowed' AND actor_account = 'sw.alice'"),
        lookups as i64
    );
    assert_eq!(
        q("action = 'searched' AND actor_account = 'eh.bob'"),
        searches as i64
    );
    assert_eq!(q("action = 'permission_applied'"), admin_runs as i64);
    assert_eq!(
        q("action IN ('permission_granted', 'permission_revoked')"),
        changes as i64
    );
    assert_eq!(q("action = 'audit_verified'"), verifies as i64);
    assert_eq!(
        q("outcome = 'denied' AND actor_account = 'ig.officer'"),
        denials as i64
    );
    assert_eq!(
        q("true"),
        (lookups + searches + admin_runs + changes + verifies + denials) as i64,
        "nothing else was written"
    );
    assert!(lookups > 0 && admin_runs > 1 && denials > 0);
    db.run("ig.officer", &["audit", "verify"]).ok();
}

/// PostgreSQL dies at a different moment of each audit export: whatever
/// reached stdout was covered by the export's audit row, committed first.
#[test]
fn postgres_dying_mid_export_fails_closed() {
    let db = TestDb::new("fault_export");
    db.superuser()
        .batch_execute(
            "SELECT count(fc.audit_write(NULL, 'load.generator', 'api', 'test', 'searched', 'allowed', \
             NULL, ARRAY[g::bigint], NULL, NULL, NULL, 'bulk row ' || g, NULL)) FROM generate_series(1, 30000) g",
        )
        .unwrap();
    let (host_port, addr) = pg_addr(&db.url());
    let mut cut = 0;
    for ms in (100..1500).step_by(100) {
        let exports = count(
            &db,
            "SELECT count(*) FROM fc.audit_log WHERE action = 'audit_exported'",
        );
        let proxy = Proxy::start(addr, Duration::from_millis(ms));
        let url = via_proxy(&db.url(), &host_port, &proxy);
        let run = db.run_with(
            "ig.officer",
            &password("ig.officer"),
            &[("FAMCTX_DATABASE_URL", url)],
            &["audit", "export", "-o", "jsonl"],
        );
        let audited = count(
            &db,
            "SELECT count(*) FROM fc.audit_log WHERE action = 'audit_exported'",
        ) - exports;
        if !run.stdout.is_empty() {
            assert_eq!(audited, 1, "output only after the export's audit row");
        }
        match run.code {
            0 => assert!(run.stdout.lines().count() > 30_000),
            9 => {
                cut += 1;
                assert!(run.stderr.contains("PostgreSQL"), "{}", run.stderr);
                for line in run
                    .stdout
                    .lines()
                    .take(run.stdout.lines().count().saturating_sub(1))
                {
                    serde_json::from_str::<serde_json::Value>(line)
                        .expect("whole lines before the cut");
                }
            }
            other => panic!("exit {other} at {ms} ms: {}", run.stderr),
        }
    }
    assert!(cut > 0);
    db.run("ig.officer", &["audit", "verify"]).ok();
}
