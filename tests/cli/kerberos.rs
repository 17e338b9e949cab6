//! Kerberos sign-in (`--auth kerberos`): the operator's ticket instead of a
//! password, then the same AD check, role check and audit as a password login.
#![cfg(feature = "kerberos")]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::*;

/// `kinit account` with its dev password into the ticket cache file `cache`,
/// using the dev environment's krb5.conf. Returns kinit's success and stderr.
fn kinit(account: &str, cache: &Path) -> (bool, String) {
    let mut child = Command::new("kinit")
        .arg(account)
        .env("KRB5_CONFIG", var("KRB5_CONFIG"))
        .env("KRB5CCNAME", format!("FILE:{}", cache.display()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kinit (Debian package krb5-user)");
    if let Some(mut w) = child.stdin.take() {
        let _ = writeln!(w, "{}", password(account));
    }
    let out = child.wait_with_output().expect("kinit output");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// famctx --auth kerberos, with no --user, no FAMCTX_USER and nothing on stdin.
fn famctx_kerberos(db: &TestDb, cache: &Path, args: &[&str]) -> Run {
    let mut full = vec!["--auth", "kerberos"];
    full.extend_from_slice(args);
    Run::from(famctx_raw(
        &[
            ("FAMCTX_DATABASE_URL", db.url()),
            ("KRB5CCNAME", format!("FILE:{}", cache.display())),
        ],
        &full,
        None,
    ))
}

/// PostgreSQL signs operators in as themselves, and famctx cannot present a Kerberos ticket to
/// it (the postgres driver has no GSSAPI sign-in): a ticket passes the directory check, then
/// famctx refuses to go on without a service deployment, and says so, before anything is shown.
#[test]
fn a_ticket_passes_the_directory_but_not_the_database_without_a_service_deployment() {
    let db = TestDb::new("krb_alice");
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cc");
    let (ok, err) = kinit("sw.alice", &cache);
    assert!(ok, "kinit sw.alice: {err}");
    let before = db.audit_rows().len();

    let run = famctx_kerberos(&db, &cache, &["whoami", "-o", "json"]);
    run.code(2);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(!run.stderr.contains("assword for"), "{}", run.stderr);
    for text in [
        "checked your ticket with Active Directory",
        "rust-postgres issue 994",
        "--auth password",
        "service_database_url",
    ] {
        assert!(run.stderr.contains(text), "{text}: {}", run.stderr);
    }
    assert_eq!(
        db.audit_rows().len(),
        before,
        "nothing reached the database"
    );
}

#[test]
fn the_directory_check_with_a_ticket_still_applies_roles_through_nested_groups() {
    let db = TestDb::new("krb_bob");
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cc");
    let (ok, err) = kinit("eh.bob", &cache);
    assert!(ok, "kinit eh.bob: {err}");
    // eh.bob is a user through Locality North -> Early Help Team -> FamilyContext Users, not an
    // auditor: the role check refuses him before the database question arises.
    let audit = famctx_kerberos(&db, &cache, &["audit", "verify"]);
    audit.code(4);
    assert!(
        audit.stderr.contains("eh.bob is not permitted"),
        "{}",
        audit.stderr
    );
    // As a user he passes it, and is stopped only by the sign-in to PostgreSQL.
    let who = famctx_kerberos(&db, &cache, &["whoami"]);
    who.code(2);
    assert!(who.stderr.contains("service deployment"), "{}", who.stderr);
}

#[test]
fn a_disabled_account_gets_no_ticket() {
    // The KDC (Samba's, like AD's) refuses a disabled account a ticket
    // ("Client's credentials have been revoked"), so famctx never sees one.
    // Were one issued, famctx's account check would refuse it with exit 3, as
    // it refuses a disabled account's password login.
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cc");
    let (ok, err) = kinit("dan.disabled", &cache);
    assert!(!ok, "the KDC issued dan.disabled a ticket");
    assert!(err.to_lowercase().contains("revoked"), "{err}");
}

#[test]
fn without_a_ticket_it_says_how_to_get_one() {
    let db = TestDb::new("krb_none");
    let dir = tempfile::tempdir().unwrap();
    let empty = tempfile_in(dir.path(), "empty", b"");
    let garbage = tempfile_in(dir.path(), "garbage", b"not a ticket cache\n");
    for cache in [dir.path().join("nonexistent"), empty, garbage] {
        let run = famctx_kerberos(&db, &cache, &["whoami"]);
        run.code(3);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
        assert!(run.stderr.contains("kinit"), "{}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
}

#[test]
fn the_service_name_must_be_a_host_name() {
    let db = TestDb::new("krb_name");
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cc");
    let (ok, err) = kinit("sw.alice", &cache);
    assert!(ok, "kinit sw.alice: {err}");
    // The dev URL is ldap://127.0.0.1: without ldap_server_name there is no name to use.
    let run = Run::from(famctx_raw(
        &[
            ("FAMCTX_DATABASE_URL", db.url()),
            ("KRB5CCNAME", format!("FILE:{}", cache.display())),
            ("FAMCTX_LDAP_SERVER_NAME", String::new()),
        ],
        &["--auth", "kerberos", "whoami"],
        None,
    ));
    run.code(2);
    assert!(run.stderr.contains("ldap_server_name"), "{}", run.stderr);
    // A name the KDC does not know is explained.
    let run = Run::from(famctx_raw(
        &[
            ("FAMCTX_DATABASE_URL", db.url()),
            ("KRB5CCNAME", format!("FILE:{}", cache.display())),
            ("FAMCTX_LDAP_SERVER_NAME", "dc9.famctx.test".into()),
        ],
        &["--auth", "kerberos", "whoami"],
        None,
    ));
    run.code(3);
    assert!(
        run.stderr.contains("Server not found in Kerberos database"),
        "{}",
        run.stderr
    );
}

fn tempfile_in(dir: &Path, name: &str, content: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}
