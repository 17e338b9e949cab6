//! The one door: AD check, role check, audit of every outcome, fail closed.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::support::*;

fn last_audit(db: &TestDb) -> postgres::Row {
    db.audit_rows().pop().expect("an audit row")
}

#[test]
fn users_pass_directly_and_through_nested_groups() {
    let db = TestDb::new("pass");
    let alice = db.run("sw.alice", &["whoami", "-o", "json"]);
    let me = alice.ok().json();
    assert_eq!(me["account"], "sw.alice");
    assert!(me["roles"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["role"] == "user"));

    let bob = db.run("eh.bob", &["whoami", "-o", "json"]).ok().json();
    let user_role = bob["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["role"] == "user")
        .expect("user role")
        .clone();
    assert_eq!(
        user_role["via"],
        serde_json::json!(["Locality North", "Early Help Team", "FamilyContext Users"])
    );
    let row = last_audit(&db);
    assert_eq!(row.get::<_, String>("actor_account"), "eh.bob");
    assert_eq!(row.get::<_, String>("action"), "identity_viewed");
    assert_eq!(row.get::<_, String>("outcome"), "allowed");

    // The other login forms name the same person.
    let pw = password("sw.alice");
    let upn = db
        .run_with("sw.alice@famctx.test", &pw, &[], &["whoami", "-o", "json"])
        .ok()
        .json();
    assert_eq!(upn["object_guid"], me["object_guid"]);
    let down = db
        .run_with("FAMCTX\\sw.alice", &pw, &[], &["whoami", "-o", "json"])
        .ok()
        .json();
    assert_eq!(down["object_guid"], me["object_guid"]);
}

#[test]
fn refusals_get_the_right_code() {
    let db = TestDb::new("refusals");
    // None of these can sign in to PostgreSQL either (AD refuses the password, or the
    // account is in no FamilyContext group): their attempts are in AD's and PostgreSQL's
    // logs, and famctx writes nothing to the trail for them.
    let cases: [(&str, String, i32); 4] = [
        ("dan.disabled", password("dan.disabled"), 3),
        ("nina.nogroup", password("nina.nogroup"), 4),
        ("sw.alice", "not-her-password-1A".into(), 3),
        ("no.such.person", "Whatever-123".into(), 3),
    ];
    for (account, pw, code) in cases {
        let before = db.audit_rows().len();
        let run = db.run_with(account, &pw, &[], &["whoami"]);
        run.code(code);
        assert!(run.stdout.is_empty(), "{account}: printed {}", run.stdout);
        assert_eq!(db.audit_rows().len(), before, "{account}: no audit row");
    }
    // A wrong password and an unknown account read the same.
    let wrong = db.run_with("sw.alice", "not-her-password-1A", &[], &["whoami"]);
    let unknown = db.run_with("no.such.person", "Whatever-123", &[], &["whoami"]);
    assert_eq!(wrong.stderr, unknown.stderr);
    // An operator with a role, refused another command's role, is recorded as denied.
    let run = db.run(
        "ig.officer",
        &["person", "search", "--last-name", "Carter", "--reason", "x"],
    );
    run.code(4);
    let row = last_audit(&db);
    assert_eq!(row.get::<_, String>("actor_account"), "ig.officer");
    assert_eq!(row.get::<_, String>("action"), "searched");
    assert_eq!(row.get::<_, String>("outcome"), "denied");
}

#[test]
fn hostile_usernames_are_refused_never_matched() {
    let db = TestDb::new("hostile_users");
    let long = "a".repeat(10_000);
    let before = db.audit_rows().len();
    for name in [
        "*",
        "sw.alice)(objectClass=*",
        "a\\00b",
        "*)(sAMAccountName=sw.alice",
        long.as_str(),
        "sw.alice\u{202e}",
    ] {
        let run = db.run_with(name, &password("sw.alice"), &[], &["whoami"]);
        run.code(3);
        assert!(run.stdout.is_empty());
        assert!(
            run.stderr.len() < 400,
            "message stays short: {}",
            run.stderr.len()
        );
        assert!(
            run.stderr.contains("authentication failed") || run.stderr.contains("account name"),
            "{}",
            run.stderr
        );
    }
    // Nobody was signed in, so nothing was recorded in anyone's name.
    assert_eq!(db.audit_rows().len(), before);
}

#[test]
fn a_failing_audit_write_shows_nothing_and_changes_nothing() {
    let db = TestDb::new("audit_down");
    let mut su = db.superuser();
    // The audit table refuses every new row (a full disk, a broken constraint).
    su.batch_execute("ALTER TABLE fc.audit_log ADD CONSTRAINT refuse_all CHECK (id < 0) NOT VALID")
        .unwrap();
    let users_before: i64 = su
        .query_one("SELECT count(*) FROM fc.app_user", &[])
        .unwrap()
        .get(0);
    let rows_before = db.audit_rows().len();
    let run = db.run("sw.alice", &["source", "list", "-o", "json"]);
    run.code(8);
    assert!(
        run.stdout.is_empty(),
        "printed without an audit row: {}",
        run.stdout
    );
    assert!(
        run.stderr.contains("audit row could not be written"),
        "{}",
        run.stderr
    );
    let users_after: i64 = su
        .query_one("SELECT count(*) FROM fc.app_user", &[])
        .unwrap()
        .get(0);
    assert_eq!(
        users_before, users_after,
        "the operator's registration was rolled back"
    );
    assert_eq!(db.audit_rows().len(), rows_before);
}

#[test]
fn concurrent_writers_leave_a_linear_chain() {
    let db = TestDb::new("concurrent");
    let before = db.audit_rows().len();
    let (writers, each) = (8, 5);
    std::thread::scope(|s| {
        for w in 0..writers {
            let db = &db;
            s.spawn(move || {
                let who = if w % 2 == 0 { "sw.alice" } else { "eh.bob" };
                for _ in 0..each {
                    db.run(who, &["source", "list", "-o", "json"]).ok();
                }
            });
        }
    });
    let rows = db.audit_rows();
    assert_eq!(rows.len(), before + writers * each);
    let ids: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(
        ids,
        (1..=ids.len() as i64).collect::<Vec<_>>(),
        "ids are gap-free"
    );
    let v = db
        .run("ig.officer", &["audit", "verify", "-o", "json"])
        .ok()
        .json();
    assert_eq!(v["intact"], true);
    assert_eq!(v["rows_checked"], rows.len() as i64);
}

#[test]
fn tampering_is_caught_and_named() {
    let db = TestDb::new("tamper");
    for _ in 0..3 {
        db.run("sw.alice", &["source", "list"]).ok();
    }
    let dir = tempfile::tempdir().unwrap();
    let cp = db
        .run("ig.officer", &["audit", "checkpoint", "-o", "json"])
        .ok()
        .stdout
        .clone();
    let cp_path = tmpfile(dir.path(), "cp.json", &cp, 0o600);
    let cp_id = serde_json::from_str::<serde_json::Value>(&cp).unwrap()["id"]
        .as_i64()
        .unwrap();
    db.run(
        "ig.officer",
        &["audit", "verify", "--checkpoint", cp_path.to_str().unwrap()],
    )
    .ok();

    let mut su = db.superuser();
    // A DBA edits a row's reason with the trigger disabled.
    su.batch_execute(
        "ALTER TABLE fc.audit_log DISABLE TRIGGER audit_log_append_only;
         UPDATE fc.audit_log SET actor_account = 'someone.else' WHERE id = 3;",
    )
    .unwrap();
    let run = db.run("ig.officer", &["audit", "verify", "-o", "json"]);
    run.code(8);
    assert_eq!(run.json()["first_broken_row"], 3);

    // Rewriting the whole chain from there on passes on its own, but not
    // against the checkpoint kept outside the database.
    su.batch_execute(
        "DO $$ DECLARE r record; prev bytea; BEGIN
           FOR r IN SELECT * FROM fc.audit_log WHERE id >= 3 ORDER BY id LOOP
             SELECT row_hash INTO prev FROM fc.audit_log WHERE id = r.id - 1;
             UPDATE fc.audit_log SET prev_hash = prev,
               row_hash = sha256(prev || fc.audit_canonical(r.id, r.occurred_at, r.actor_guid, r.actor_account,
                 r.channel, r.client_host, r.action, r.outcome, r.subject_person, r.persons_disclosed,
                 r.sources_disclosed, r.target_user, r.target_guid, r.reason, r.details))
             WHERE id = r.id;
           END LOOP; END $$;",
    )
    .unwrap();
    db.run("ig.officer", &["audit", "verify"]).ok();
    let against = db.run(
        "ig.officer",
        &[
            "audit",
            "verify",
            "-o",
            "json",
            "--checkpoint",
            cp_path.to_str().unwrap(),
        ],
    );
    against.code(8);
    assert_eq!(against.json()["first_broken_row"], cp_id);

    // A deleted row is named as missing.
    su.batch_execute("DELETE FROM fc.audit_log WHERE id = 2")
        .unwrap();
    let gone = db.run("ig.officer", &["audit", "verify", "-o", "json"]);
    gone.code(8);
    assert_eq!(gone.json()["first_broken_row"], 2);
    assert!(gone.stderr.contains("missing"), "{}", gone.stderr);
}

#[test]
fn audit_review_needs_the_auditor_role() {
    let db = TestDb::new("auditor_only");
    let run = db.run("sw.alice", &["audit", "verify"]);
    run.code(4);
    let row = last_audit(&db);
    assert_eq!(row.get::<_, String>("action"), "audit_verified");
    assert_eq!(row.get::<_, String>("outcome"), "denied");
}

#[test]
fn an_unreachable_or_silent_directory_fails_closed_within_the_timeout() {
    let db = TestDb::new("ad_down");
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let run = db.run_with(
        "sw.alice",
        &password("sw.alice"),
        &[("FAMCTX_LDAP_URL", format!("ldap://127.0.0.1:{closed_port}"))],
        &["whoami"],
    );
    run.code(9);
    assert!(
        run.stderr.contains("cannot reach Active Directory"),
        "{}",
        run.stderr
    );

    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let started = Instant::now();
    let run = db.run_with(
        "sw.alice",
        &password("sw.alice"),
        &[
            ("FAMCTX_LDAP_URL", format!("ldap://127.0.0.1:{port}")),
            ("FAMCTX_LDAP_TIMEOUT", "2".into()),
        ],
        &["whoami"],
    );
    run.code(9);
    assert!(
        run.stderr.contains("did not answer within 2 s"),
        "{}",
        run.stderr
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "bounded by the timeout, not hung"
    );
    drop(silent);
}

#[test]
fn a_silent_database_fails_closed_within_the_timeout() {
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let url = format!(
        "postgresql://127.0.0.1:{port}/famctx?sslmode=verify-full&sslrootcert={}",
        var("FAMCTX_LDAP_CA_FILE")
    );
    let run = Run::from(famctx_raw(
        &[
            ("FAMCTX_DATABASE_URL", url),
            ("FAMCTX_DB_TIMEOUT", "2".into()),
            ("FAMCTX_USER", "sw.alice".into()),
        ],
        &["--password-stdin", "source", "list"],
        Some(&password("sw.alice")),
    ));
    run.code(9);
    assert!(
        run.stderr.contains("did not answer within 2 s"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
}

#[test]
fn password_files_readable_by_others_are_refused() {
    let db = TestDb::new("pwfile");
    let dir = tempfile::tempdir().unwrap();
    let open = tmpfile(dir.path(), "open", &password("sw.alice"), 0o644);
    let run = Run::from(famctx_raw(
        &[
            ("FAMCTX_DATABASE_URL", db.url()),
            ("FAMCTX_USER", "sw.alice".into()),
        ],
        &["--password-file", open.to_str().unwrap(), "whoami"],
        None,
    ));
    run.code(2);
    assert!(run.stderr.contains("chmod 600"), "{}", run.stderr);
    let closed = tmpfile(dir.path(), "closed", &password("sw.alice"), 0o600);
    Run::from(famctx_raw(
        &[
            ("FAMCTX_DATABASE_URL", db.url()),
            ("FAMCTX_USER", "sw.alice".into()),
        ],
        &["--password-file", closed.to_str().unwrap(), "whoami"],
        None,
    ))
    .ok();
}

#[test]
fn config_show_names_origins_and_hides_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let file = tmpfile(dir.path(), "config.toml", "ldap_timeout = 7\n", 0o600);
    let run = Run::from(famctx_raw(
        &[
            ("FAMCTX_GROUP_ADMINS", "Domain Users".into()),
            ("FAMCTX_REASON_REQUIRED", "false".into()),
            ("FAMCTX_OWNER_URL", var("FAMCTX_OWNER_URL")),
        ],
        &[
            "--config",
            file.to_str().unwrap(),
            "config",
            "show",
            "-o",
            "json",
        ],
        None,
    ));
    let rows = run.ok().json();
    let get = |k: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["setting"] == k)
            .unwrap()
            .clone()
    };
    assert_eq!(get("ldap_timeout")["value"], "7");
    assert!(get("ldap_timeout")["from"]
        .as_str()
        .unwrap()
        .starts_with("config file"));
    // Policy is not the operator's to change: the environment is ignored...
    assert_eq!(get("group_admins")["value"], "FamilyContext Admins");
    assert_eq!(get("reason_required")["value"], "true");
    // ...and an operator's config file may not carry it.
    let policy = tmpfile(
        dir.path(),
        "policy.toml",
        "group_admins = \"Domain Users\"\n",
        0o600,
    );
    let refused = Run::from(famctx_raw(
        &[],
        &["--config", policy.to_str().unwrap(), "config", "show"],
        None,
    ));
    refused.code(2);
    assert!(
        refused.stderr.contains("policy setting"),
        "{}",
        refused.stderr
    );
    let owner = get("owner_url")["value"].as_str().unwrap().to_string();
    assert!(owner.contains(":***@"), "{owner}");
    let owner_password = url::Url::parse(&var("FAMCTX_OWNER_URL"))
        .unwrap()
        .password()
        .unwrap()
        .to_string();
    assert!(!run.stdout.contains(&owner_password));
    assert!(!run.stdout.contains(&password("sw.alice")));
    let bad = tmpfile(
        dir.path(),
        "bad.toml",
        "ldap_timeout = 7\nldap_timout = 3\n",
        0o600,
    );
    let run = Run::from(famctx_raw(
        &[],
        &["--config", bad.to_str().unwrap(), "config", "show"],
        None,
    ));
    run.code(2);
    assert!(
        run.stderr.contains("unknown setting \"ldap_timout\""),
        "{}",
        run.stderr
    );
}

#[test]
fn passwords_never_reach_the_audit_trail_or_the_command_line() {
    let db = TestDb::new("secrets");
    let pw = password("sw.alice");
    db.run("sw.alice", &["whoami"]).ok();
    db.run_with("sw.alice", "Wrong-Password-99", &[], &["whoami"])
        .code(3);
    let trail: String = db
        .superuser()
        .query("SELECT to_jsonb(a)::text FROM fc.audit_log a", &[])
        .unwrap()
        .iter()
        .map(|r| r.get::<_, String>(0))
        .collect();
    assert!(!trail.contains(&pw) && !trail.contains("Wrong-Password-99"));
    // There is no flag that takes a password.
    let run = Run::from(famctx_raw(&[], &["--password", &pw, "whoami"], None));
    run.code(2);
    assert!(
        run.stderr.contains("unexpected argument '--password'"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(&pw), "{}", run.stderr);
}

/// The same audit rows, written one at a time into one database and as one set into another,
/// give the same chain: the same ids, times, hashes; and `audit verify` passes on both.
#[test]
fn a_set_of_audit_rows_chains_exactly_as_one_at_a_time() {
    let one = TestDb::new("chain_one");
    let set = TestDb::new("chain_set");
    // Fields of every kind: NULLs, empty and filled arrays, non-ASCII text, nested details.
    let rows = "SELECT n, ROW(CASE WHEN n % 3 = 0 THEN NULL ELSE gen_random_uuid() END, \
                    'staff.' || n, CASE WHEN n % 2 = 0 THEN 'cli' ELSE 'api' END, \
                    CASE WHEN n % 4 = 0 THEN NULL ELSE '10.0.0.' || n END, \
                    CASE WHEN n % 5 = 0 THEN 'permission_revoked' ELSE 'permission_granted' END, \
                    'allowed', CASE WHEN n % 2 = 0 THEN n END, \
                    CASE WHEN n % 3 = 0 THEN NULL ELSE ARRAY[n, n + 1] END, \
                    CASE WHEN n % 2 = 0 THEN ARRAY['housing', 'school'] ELSE '{}' END, \
                    'Zoë Ødegård ' || n, NULL, \
                    CASE WHEN n % 7 = 0 THEN NULL ELSE 'reason ' || n || ' — ok' END, \
                    CASE WHEN n % 6 = 0 THEN NULL ELSE jsonb_build_object('line', n, 'nested', \
                         jsonb_build_object('a', ARRAY[1, 2], 'b', 'x\"y')) END)::fc.audit_entry_t AS e \
                FROM generate_series(1, 40) n";
    let at = "'2026-01-02 03:04:05.123456+00'::timestamptz";
    // The guids are random: make them once and give both databases the same rows.
    let mut su = one.superuser();
    su.batch_execute(&format!(
        "CREATE TABLE public.chain_rows AS {rows}; ALTER TABLE public.chain_rows OWNER TO famctx_owner"
    ))
    .unwrap();
    let entries: Vec<String> = su
        .query("SELECT e::text FROM public.chain_rows ORDER BY n", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    su.batch_execute("DROP TABLE public.chain_rows").unwrap();
    let mut owner = connect(&one.owner_url());
    for e in &entries {
        owner
            .execute(
                &format!("SELECT fc.audit_append(ARRAY[$1::text::fc.audit_entry_t], {at})"),
                &[e],
            )
            .unwrap();
    }
    connect(&set.owner_url())
        .execute(
            &format!(
                "SELECT fc.audit_append(ARRAY(SELECT x::fc.audit_entry_t \
                 FROM unnest($1::text[]) WITH ORDINALITY AS u (x, n) ORDER BY n), {at})"
            ),
            &[&entries],
        )
        .unwrap();
    let chain = |db: &TestDb| -> Vec<(i64, String, Vec<u8>, Vec<u8>)> {
        db.superuser()
            .query(
                "SELECT id, occurred_at::text, prev_hash, row_hash FROM fc.audit_log ORDER BY id",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect()
    };
    let (a, b) = (chain(&one), chain(&set));
    assert_eq!(a.len(), entries.len(), "one row a call");
    assert_eq!(a, b, "one at a time and as a set: the same chain");
    for db in [&one, &set] {
        let v = db
            .run("ig.officer", &["audit", "verify", "-o", "json"])
            .ok()
            .json();
        assert_eq!(v["intact"], true, "{v}");
        assert_eq!(v["rows_checked"], entries.len() as i64, "{v}");
    }
}

#[test]
fn the_basis_and_break_glass_are_inside_the_chain() {
    let db = TestDb::new("chaintags");
    let mut owner = connect(&db.owner_url());
    owner
        .batch_execute(
            "SELECT fc.audit_write(NULL, 'plain', 'api', 'h', 'searched', 'allowed', NULL, NULL,
                                   NULL, NULL, NULL, 'r', NULL);
             SELECT fc.audit_write(NULL, 'declared', 'api', 'h', 'searched', 'allowed', NULL, NULL,
                                   NULL, NULL, NULL, 'r', NULL, 'ca1989_s47', false);
             SELECT fc.audit_write(NULL, 'glass', 'api', 'h', 'viewed_family', 'allowed', 7, '{7}',
                                   NULL, NULL, NULL, 'r', NULL, 'ca1989_s47', true);",
        )
        .unwrap();
    // A row without the two facts keeps V3's bytes exactly: its hash is computed with the old form.
    let same: bool = owner
        .query_one(
            "SELECT row_hash = sha256(prev_hash || fc.audit_canonical(id, occurred_at, actor_guid,
                 actor_account, channel, client_host, action, outcome, subject_person,
                 persons_disclosed, sources_disclosed, target_user, target_guid, reason, details))
             FROM fc.audit_log WHERE actor_account = 'plain'",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(same);
    let v = db
        .run("ig.officer", &["audit", "verify", "-o", "json"])
        .ok()
        .json();
    assert_eq!(v["intact"], true, "{v}");

    // Changing a declared basis, or clearing a break-glass mark, breaks the chain at that row.
    let mut su = db.superuser();
    for (tamper, account) in [
        ("basis = 'ca1989_s17'", "declared"),
        ("break_glass = false", "glass"),
    ] {
        su.batch_execute(&format!(
            "ALTER TABLE fc.audit_log DISABLE TRIGGER audit_log_append_only;
             UPDATE fc.audit_log SET {tamper} WHERE actor_account = '{account}';"
        ))
        .unwrap();
        let id: i64 = su
            .query_one(
                "SELECT id FROM fc.audit_log WHERE actor_account = $1",
                &[&account],
            )
            .unwrap()
            .get(0);
        let v = db.run("ig.officer", &["audit", "verify", "-o", "json"]);
        v.code(8);
        assert_eq!(v.json()["first_broken_row"], id, "{tamper}");
        su.batch_execute(&format!(
            "UPDATE fc.audit_log SET {} WHERE actor_account = '{account}';
             ALTER TABLE fc.audit_log ENABLE TRIGGER audit_log_append_only;",
            match account {
                "declared" => "basis = 'ca1989_s47'",
                _ => "break_glass = true",
            }
        ))
        .unwrap();
    }
    db.run("ig.officer", &["audit", "verify"]).ok();
}
