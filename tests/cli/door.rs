//! The database is the lock: operators sign in to PostgreSQL as themselves and reach data only
//! through the fc_api functions, which check the caller and write the audit row themselves.

use serde_json::{json, Value};

use crate::support::*;

fn call(client: &mut postgres::Client, function: &str, request: Value) -> Value {
    client
        .query_one(&format!("SELECT fc_api.{function}($1::jsonb)"), &[&request])
        .unwrap_or_else(|e| panic!("{function}: {e}"))
        .get(0)
}

#[test]
fn in_psql_alice_gets_her_lookup_only_through_the_function_and_only_after_its_audit_row() {
    let db = TestDb::new("door_psql");
    let mut alice = db
        .sign_in("sw.alice")
        .expect("sw.alice signs in with her AD password");
    let err = alice.batch_execute("SELECT * FROM fc.person").unwrap_err();
    assert_eq!(err.code().map(|c| c.code()), Some("42501"), "{err}");

    // The function answers with a ticket; its audit row names her.
    let envelope = call(
        &mut alice,
        "family_show",
        json!({"id": "fc:1", "reason": "psql check"}),
    );
    assert_eq!(envelope["outcome"], "recorded", "{envelope}");
    let row = db.audit_rows().pop().unwrap();
    assert_eq!(row.get::<_, String>("actor_account"), "sw.alice");
    assert_eq!(row.get::<_, String>("action"), "viewed_family");
    assert_eq!(row.get::<_, Option<i64>>("subject_person"), Some(1));
    let details: Value = row.get("details");
    assert_eq!(details["db_role"], "sw.alice");
    let ticket: uuid::Uuid = envelope["ticket"].as_str().unwrap().parse().unwrap();
    let document: Value = alice
        .query_one("SELECT fc_api.collect($1)", &[&ticket])
        .unwrap()
        .get(0);
    assert_eq!(document["person"]["id"], "fc:1");
    // A ticket is collected once.
    assert!(alice
        .query_one("SELECT fc_api.collect($1)", &[&ticket])
        .is_err());

    // Inside a transaction that has not committed, nothing is handed over; rolled back, the
    // request and its ticket are gone.
    let before = db.audit_rows().len();
    let mut tx = alice.transaction().unwrap();
    let envelope: Value = tx
        .query_one(
            "SELECT fc_api.family_show($1::jsonb)",
            &[&json!({"id": "fc:1", "reason": "then roll back"})],
        )
        .unwrap_or_else(|e| panic!("{e:?}"))
        .get(0);
    let ticket: uuid::Uuid = envelope["ticket"].as_str().unwrap().parse().unwrap();
    let err = tx
        .query_one("SELECT fc_api.collect($1)", &[&ticket])
        .unwrap_err();
    let message = err
        .as_db_error()
        .map(|d| d.message().to_string())
        .unwrap_or_default();
    assert!(message.contains("not committed"), "{err:?}");
    drop(tx);
    assert!(alice
        .query_one("SELECT fc_api.collect($1)", &[&ticket])
        .is_err());
    assert_eq!(db.audit_rows().len(), before);

    // Without a reason: refused, and the refusal is audited.
    let refused = call(&mut alice, "family_show", json!({"id": "fc:1"}));
    assert_eq!(refused["outcome"], "denied");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("reason is required"),
        "{refused}"
    );
    let row = db.audit_rows().pop().unwrap();
    assert_eq!(row.get::<_, String>("outcome"), "denied");
    assert_eq!(row.get::<_, String>("actor_account"), "sw.alice");

    // Whether a person or a case exists is learnt only from the collected document: before the
    // request commits, "not found" reads like a disclosure.
    let mut tx = alice.transaction().unwrap();
    let missing: Value = tx
        .query_one(
            "SELECT fc_api.family_show($1::jsonb)",
            &[&json!({"id": "cms:NO-SUCH-CASE", "reason": "probe"})],
        )
        .unwrap()
        .get(0);
    let present: Value = tx
        .query_one(
            "SELECT fc_api.family_show($1::jsonb)",
            &[&json!({"id": "cms:CMS-0001", "reason": "probe"})],
        )
        .unwrap()
        .get(0);
    let shape = |v: &Value| {
        let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        (keys, v["outcome"].clone())
    };
    assert_eq!(shape(&missing), shape(&present), "{missing} / {present}");
    drop(tx);
    let missing = call(
        &mut alice,
        "family_show",
        json!({"id": "cms:NO-SUCH-CASE", "reason": "probe"}),
    );
    let ticket: uuid::Uuid = missing["ticket"].as_str().unwrap().parse().unwrap();
    let document: Value = alice
        .query_one("SELECT fc_api.collect($1)", &[&ticket])
        .unwrap()
        .get(0);
    assert_eq!(document["refusal"]["kind"], "not_found", "{document}");
    let row = db.audit_rows().pop().unwrap();
    assert_eq!(row.get::<_, String>("outcome"), "not_found");

    // Another operator's ticket is not hers.
    let mut bob = db.sign_in("eh.bob").unwrap();
    let bobs = call(
        &mut bob,
        "family_show",
        json!({"id": "fc:1", "reason": "bob"}),
    );
    let ticket: uuid::Uuid = bobs["ticket"].as_str().unwrap().parse().unwrap();
    let err = alice
        .query_one("SELECT fc_api.collect($1)", &[&ticket])
        .unwrap_err();
    assert_eq!(err.code().map(|c| c.code()), Some("FCNFD"), "{err:?}");
    // ...and her attempt did not use it up: bob still collects his own.
    let his: Value = bob
        .query_one("SELECT fc_api.collect($1)", &[&ticket])
        .unwrap()
        .get(0);
    assert_eq!(his["person"]["id"], "fc:1");
}

#[test]
fn disabled_groupless_and_wrong_passwords_cannot_sign_in() {
    let db = TestDb::new("door_sign_in");
    for account in ["dan.disabled", "nina.nogroup"] {
        let err = db
            .sign_in(account)
            .err()
            .unwrap_or_else(|| panic!("{account} signed in"));
        assert!(
            matches!(err, famctx::error::Error::Auth(_)),
            "{account}: {err}"
        );
    }
    let wrong = famctx::db::connect_as(
        &db.url(),
        "sw.alice",
        "not-her-password-1A",
        std::time::Duration::from_secs(10),
    );
    assert!(matches!(wrong, Err(famctx::error::Error::Auth(_))));
    // famctx never sends a password over anything weaker than verify-full.
    let weak = db.url().replace("sslmode=verify-full", "sslmode=require");
    let run = db.run_with(
        "sw.alice",
        &password("sw.alice"),
        &[("FAMCTX_DATABASE_URL", weak)],
        &["whoami"],
    );
    run.code(2);
    assert!(run.stderr.contains("verify-full"), "{}", run.stderr);
    // A user typing her name in capitals signs in as the same role.
    let me = db
        .run_with(
            "SW.Alice",
            &password("sw.alice"),
            &[],
            &["whoami", "-o", "json"],
        )
        .ok()
        .json();
    assert_eq!(me["database_role"], "sw.alice");
}

#[test]
fn only_a_trusted_service_may_name_the_acting_user() {
    let db = TestDb::new("door_service");
    let bob_guid = db.guid("eh.bob");
    let acting =
        json!({"guid": bob_guid, "account": "eh.bob", "display": "Bob Evans", "roles": ["user"]});

    let mut alice = db.sign_in("sw.alice").unwrap();
    let refused = call(
        &mut alice,
        "family_show",
        json!({"id": "fc:1", "reason": "as bob", "as": acting}),
    );
    assert_eq!(refused["outcome"], "denied", "{refused}");
    let row = db.audit_rows().pop().unwrap();
    assert_eq!(
        row.get::<_, String>("actor_account"),
        "sw.alice",
        "recorded as herself"
    );
    assert_eq!(row.get::<_, String>("outcome"), "denied");

    let mut api = connect(&db.service_url());
    let allowed = call(
        &mut api,
        "family_show",
        json!({"id": "fc:1", "reason": "api lookup", "as": acting}),
    );
    assert_eq!(allowed["outcome"], "recorded", "{allowed}");
    let row = db.audit_rows().pop().unwrap();
    assert_eq!(row.get::<_, String>("actor_account"), "eh.bob");
    let details: Value = row.get("details");
    assert_eq!(details["service"], "famctx_app");
    // The service must name someone.
    let nobody = call(
        &mut api,
        "family_show",
        json!({"id": "fc:1", "reason": "x"}),
    );
    assert_eq!(nobody["outcome"], "denied");
}

#[test]
fn no_credential_in_the_operator_settings() {
    let text = std::fs::read_to_string(repo().join("target/dev/env")).unwrap();
    let mut urls = 0;
    for line in text.lines().filter(|l| l.starts_with("export ")) {
        let value = line.split_once('=').unwrap().1.trim_matches('\'');
        assert!(
            !value.contains("password="),
            "{line}: an operator setting holds a password"
        );
        if value.contains("://") {
            let url = url::Url::parse(value).unwrap();
            assert!(
                url.password().is_none() && url.username().is_empty(),
                "{line}: an operator setting holds a credential"
            );
            urls += 1;
        }
    }
    // The database, the warehouse and the directory URLs were all looked at.
    assert!(urls >= 3, "{text}");
}

/// The running DC's privileged socket: changes go through the DC itself (root only), which keeps
/// answering others in between, rather than locking its database from outside.
fn ldapi() -> String {
    format!(
        "ldapi://{}",
        repo()
            .join("target/dev/samba/private/ldap_priv/ldapi")
            .display()
    )
}

fn samba_tool(args: &[&str]) {
    let out = std::process::Command::new("samba-tool")
        .args(args)
        .arg("-H")
        .arg(ldapi())
        .output()
        .expect("samba-tool");
    assert!(
        out.status.success(),
        "samba-tool {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The scheduled sync: as the database owner, naming the admin whose AD reading it is.
fn roles_sync_run(db: &TestDb) -> Run {
    Run::from(famctx_raw(
        &[
            ("FAMCTX_DATABASE_URL", db.url()),
            ("FAMCTX_OWNER_URL", db.owner_url()),
            ("FAMCTX_USER", "bi.admin".into()),
        ],
        &[
            "--password-stdin",
            "roles",
            "sync",
            "--yes",
            "-o",
            "json",
            "--reason",
            "test",
        ],
        Some(&password("bi.admin")),
    ))
}

fn roles_sync(db: &TestDb) -> Value {
    roles_sync_run(db).ok().json()
}

#[test]
fn a_member_who_leaves_the_group_loses_sign_in_and_lookups() {
    let db = TestDb::new("door_leaver");
    let name = format!("tmp.leaver{}", std::process::id());
    let pw = "Leaver-Passw0rd-1";
    samba_tool(&[
        "user",
        "create",
        &name,
        pw,
        "--given-name=Temp",
        "--surname=Leaver",
    ]);
    samba_tool(&["group", "addmembers", "FamilyContext Users", &name]);
    let cleanup = scopeguard(&name);
    // Roles belong to the cluster: the sync changes them only from the database fc.policy names.
    let elsewhere = roles_sync_run(&db);
    elsewhere.code(4);
    assert!(
        elsewhere.stderr.contains("shared by every database"),
        "{}",
        elsewhere.stderr
    );
    db.superuser()
        .execute(
            "UPDATE fc.policy SET value = current_database() WHERE key = 'roles_database'",
            &[],
        )
        .unwrap();
    // An admin signed in as themselves sees the plan; the change is the owner's.
    let plan = db.run("bi.admin", &["roles", "sync", "--yes", "-o", "json"]);
    plan.code(4);
    assert!(plan.stderr.contains("owner"), "{}", plan.stderr);
    assert!(plan.json()["changes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["role"] == name.as_str() && c["change"] == "created"));

    let first = roles_sync(&db);
    let created: Vec<&Value> = first["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["role"] == name.as_str())
        .collect();
    assert!(created.iter().any(|c| c["change"] == "created"), "{first}");
    assert_eq!(roles_sync(&db)["summary"]["created"], 0, "idempotent");
    let sign_in =
        || famctx::db::connect_as(&db.url(), &name, pw, std::time::Duration::from_secs(10));
    let mut client = sign_in().expect("the new member signs in");
    let envelope: Value = client
        .query_one(
            "SELECT fc_api.family_show($1::jsonb)",
            &[&json!({"id": "fc:1", "reason": "before leaving"})],
        )
        .unwrap()
        .get(0);
    assert_eq!(envelope["outcome"], "recorded");
    drop(client);

    samba_tool(&["group", "removemembers", "FamilyContext Users", &name]);
    // PostgreSQL's sign-in asks AD for the group at every login: refused at once.
    assert!(sign_in().is_err(), "signed in after leaving the group");
    let second = roles_sync(&db);
    assert!(
        second["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["role"] == name.as_str() && c["change"] == "login_disabled"),
        "{second}"
    );
    let row = db
        .superuser()
        .query_one(
            "SELECT r.rolcanlogin, pg_has_role(r.rolname, 'famctx_users', 'MEMBER') \
             FROM pg_roles r WHERE r.rolname = $1",
            &[&name],
        )
        .unwrap();
    assert!(!row.get::<_, bool>(0), "NOLOGIN");
    assert!(!row.get::<_, bool>(1), "out of famctx_users");
    let changes: i64 = db
        .superuser()
        .query_one(
            "SELECT count(*) FROM fc.audit_log WHERE action = 'role_changed' AND target_user = $1",
            &[&name],
        )
        .unwrap()
        .get(0);
    assert!(
        changes >= 3,
        "created, joined, left, disabled: each audited ({changes})"
    );
    drop(cleanup);
}

/// Deletes the temporary AD account when the test ends, whatever happens.
struct Cleanup(String);

fn scopeguard(name: &str) -> Cleanup {
    Cleanup(name.to_string())
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::process::Command::new("samba-tool")
            .args(["user", "delete", &self.0, "-H"])
            .arg(ldapi())
            .output();
    }
}

/// fc.roles_sync (V18) keeps what V15 gave it: the owner that may create roles, no operator's
/// EXECUTE, and its search path as its only setting (the entry point pins the time zone).
#[test]
fn the_roles_sync_body_keeps_its_owner_and_privileges() {
    let db = TestDb::new("roles_owner");
    let row = db
        .superuser()
        .query_one(
            "SELECT pg_get_userbyid(p.proowner)::text, p.prosecdef, p.proconfig, \
                    has_function_privilege('famctx_operator', p.oid, 'EXECUTE'), \
                    has_function_privilege('famctx_admins', p.oid, 'EXECUTE'), \
                    has_function_privilege('famctx_app', p.oid, 'EXECUTE'), \
                    p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a \
                                                WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE') \
             FROM pg_proc p WHERE p.oid = 'fc.roles_sync(jsonb)'::regprocedure",
            &[],
        )
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "famctx_roles");
    assert!(row.get::<_, bool>(1), "SECURITY DEFINER");
    assert_eq!(
        row.get::<_, Option<Vec<String>>>(2),
        Some(vec!["search_path=pg_catalog, pg_temp".to_string()])
    );
    assert!(!row.get::<_, bool>(3), "famctx_operator may not call it");
    assert!(!row.get::<_, bool>(4), "famctx_admins may not call it");
    assert!(!row.get::<_, bool>(5), "famctx_app may not call it");
    assert!(!row.get::<_, bool>(6), "PUBLIC may not call it");
}

/// The plan for thousands of members, as an admin sees it: every member once (created, changed
/// or unchanged), every managed role left out of the list (or whose name another account now
/// holds) losing its groups and its login, and the summary counting the list. Nothing is changed (a dry run), so no role is made.
#[test]
fn roles_sync_plans_thousands_of_members_each_once() {
    let db = TestDb::new("roles_plan");
    let managed = db
        .superuser()
        .query(
            "SELECT o.role_name, o.account_name, o.object_guid::text, o.display_name, \
                    ARRAY(SELECT g FROM unnest(ARRAY['admins', 'auditors', 'users']) g \
                          WHERE pg_has_role(o.role_name, 'famctx_' || g, 'MEMBER')) \
             FROM fc.operator_role o JOIN pg_roles r ON r.rolname = o.role_name \
             WHERE r.rolcanlogin ORDER BY o.role_name",
            &[],
        )
        .unwrap();
    let mut members = Vec::new();
    let mut expected: Vec<(String, String, String)> = Vec::new();
    let mut unchanged = 0;
    let mut kept = std::collections::BTreeSet::new();
    let mut reused = Vec::new();
    for (i, r) in managed.iter().enumerate() {
        let role: String = r.get(0);
        let guid: String = r.get(2);
        let mut groups: Vec<String> = r.get(4);
        let change = |c: &str, g: &str| (role.clone(), c.to_string(), g.to_string());
        if role != "bi.admin" && (i % 10 == 3 || groups.is_empty()) {
            // Left the groups (or AD): loses each group role and the login.
            for g in &groups {
                expected.push(change("left", &format!("famctx_{g}")));
            }
            expected.push(change("login_disabled", ""));
            continue;
        }
        if role != "bi.admin" && i == 5 && !groups.is_empty() {
            // The name now held by another AD account: a conflict, and the role made for the
            // first account loses its groups and its login.
            for g in &groups {
                expected.push(change("left", &format!("famctx_{g}")));
            }
            expected.push(change("login_disabled", ""));
            reused.push(role.clone());
            members.push(json!({"account": r.get::<_, String>(1),
                                "guid": "00000000-0000-4000-8000-00000000000f",
                                "display": "Another", "groups": groups}));
            continue;
        }
        if role != "bi.admin" && i % 10 == 7 && !groups.contains(&"auditors".to_string()) {
            groups.push("auditors".into());
            expected.push(change("joined", "famctx_auditors"));
        } else {
            unchanged += 1;
        }
        kept.insert(role.clone());
        members.push(json!({"account": r.get::<_, String>(1), "guid": guid,
                            "display": r.get::<_, Option<String>>(3), "groups": groups}));
    }
    assert!(
        kept.len() > 100,
        "the dev directory's managed roles: {}",
        kept.len()
    );
    let tag = std::process::id();
    let new = 8000;
    for i in 0..new {
        let account = format!("zz.plan{tag}.{i:05}");
        members.push(json!({"account": account, "guid": format!("00000000-0000-4000-8000-{:06}{i:06}", tag % 1_000_000),
                            "display": format!("Planned {i}"), "groups": ["users"]}));
        expected.push((account.clone(), "created".into(), String::new()));
        expected.push((account, "joined".into(), "famctx_users".into()));
    }
    let mut admin = db.sign_in("bi.admin").expect("bi.admin signs in");
    let envelope = call(
        &mut admin,
        "roles_sync",
        json!({"members": members, "dry_run": true, "reason": "plan test"}),
    );
    assert_eq!(envelope["outcome"], "recorded", "{envelope}");
    let plan: Value = admin
        .query_one(
            "SELECT fc_api.collect($1::text::uuid)",
            &[&envelope["ticket"].as_str().unwrap()],
        )
        .unwrap()
        .get(0);
    let changes = plan["changes"].as_array().expect("changes");
    let mut seen: Vec<(String, String, String)> = changes
        .iter()
        .map(|c| {
            (
                c["role"].as_str().unwrap().to_string(),
                c["change"].as_str().unwrap().to_string(),
                c["group"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    // The members' changes come first, each role's together, then the leavers'.
    let first_leaver = seen
        .iter()
        .position(|c| !kept.contains(&c.0) && !c.0.starts_with("zz.plan"));
    if let Some(p) = first_leaver {
        assert!(
            seen[p..]
                .iter()
                .all(|c| !kept.contains(&c.0) && !c.0.starts_with("zz.plan")),
            "a member's change after the leavers'"
        );
    }
    let mut runs = std::collections::BTreeSet::new();
    for (i, c) in seen.iter().enumerate() {
        if i == 0 || seen[i - 1].0 != c.0 {
            assert!(runs.insert(c.0.clone()), "{} listed in two places", c.0);
        }
    }
    seen.sort();
    expected.sort();
    assert_eq!(seen.len(), expected.len(), "number of changes");
    assert!(
        seen == expected,
        "the plan differs from the expected changes"
    );
    let conflicts: Vec<&str> = plan["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["role"].as_str().unwrap())
        .collect();
    assert_eq!(conflicts, reused, "{}", plan["conflicts"]);
    let count = |k: &str| expected.iter().filter(|c| c.1 == k).count();
    let summary = &plan["summary"];
    assert_eq!(summary["members"], members.len());
    assert_eq!(summary["created"], new);
    assert_eq!(summary["adopted"], 0);
    assert_eq!(summary["login_enabled"], 0);
    assert_eq!(summary["joined"], count("joined"));
    assert_eq!(summary["left"], count("left"));
    assert_eq!(summary["login_disabled"], count("login_disabled"));
    assert_eq!(summary["unchanged"], unchanged);
    assert_eq!(summary["conflicts"], reused.len());
}

/// Recording the caller locks nothing when nothing about them changed: one user's requests at
/// once never wait for each other's commit (V19). Before, every request locked the caller's row
/// in fc.app_user until its commit (a lock-only xmax on the row).
#[test]
fn a_callers_requests_do_not_lock_their_own_row() {
    let db = TestDb::new("door_caller_lock");
    let lookup = || {
        db.run(
            "sw.alice",
            &["family", "show", "fc:1", "--reason", "row lock check"],
        )
        .ok();
    };
    lookup();
    let xmax = || -> String {
        db.superuser()
            .query_one(
                "SELECT xmax::text FROM fc.app_user WHERE account_name = 'sw.alice'",
                &[],
            )
            .unwrap()
            .get(0)
    };
    let first = xmax();
    lookup();
    lookup();
    assert_eq!(
        xmax(),
        first,
        "the caller's row was locked or written by a request that changed nothing about them"
    );
}
