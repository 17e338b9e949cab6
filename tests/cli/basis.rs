//! The legal basis of a disclosure: `--basis CODE` on every command that reads, recorded in the
//! audit row's own column (inside the hash chain), refused when not on the list or retired,
//! required for lookups when the policy says so; the list itself, read by anyone and changed by
//! admins only; and the audit review that finds, groups and reports it.

use serde_json::{json, Value};

use crate::support::*;

const WHY: &str = "s47 enquiry, case 1234";

fn call(client: &mut postgres::Client, function: &str, request: Value) -> Value {
    client
        .query_one(&format!("SELECT fc_api.{function}($1::jsonb)"), &[&request])
        .unwrap_or_else(|e| panic!("{function}: {e}"))
        .get(0)
}

/// The newest audit row: action, outcome, basis, break-glass mark and details.
fn last_row(db: &TestDb) -> (String, String, Option<String>, bool, Value) {
    let r = db
        .superuser()
        .query_one(
            "SELECT action, outcome, basis, break_glass, details FROM fc.audit_log \
             ORDER BY id DESC LIMIT 1",
            &[],
        )
        .unwrap();
    (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))
}

fn row_count(db: &TestDb) -> i64 {
    db.superuser()
        .query_one("SELECT count(*) FROM fc.audit_log", &[])
        .unwrap()
        .get(0)
}

fn ids(rows: &Value) -> Vec<i64> {
    rows.as_array()
        .expect("an array of rows")
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn a_declared_basis_is_recorded_in_the_chain_searchable_grouped_and_reported() {
    let db = TestDb::new("basis_recorded");
    db.grant_sql("sw.alice", "school", None);
    db.run(
        "sw.alice",
        &[
            "family",
            "show",
            "fc:1",
            "--reason",
            WHY,
            "--basis",
            "CA1989_S47",
        ],
    )
    .ok();
    let (action, outcome, basis, glass, _) = last_row(&db);
    assert_eq!(
        (action.as_str(), outcome.as_str(), basis.as_deref(), glass),
        ("viewed_family", "allowed", Some("ca1989_s47"), false)
    );
    let lookup: i64 = db
        .superuser()
        .query_one("SELECT max(id) FROM fc.audit_log", &[])
        .unwrap()
        .get(0);
    // The same person looked up without a basis, and a search under another.
    db.run("sw.alice", &["family", "show", "fc:1", "--reason", WHY])
        .ok();
    db.run(
        "eh.bob",
        &[
            "person",
            "search",
            "--last-name",
            "Carter",
            "--reason",
            WHY,
            "--basis",
            "ca1989_s17",
        ],
    )
    .ok();
    assert_eq!(last_row(&db).2.as_deref(), Some("ca1989_s17"));
    db.run("ig.officer", &["audit", "verify"]).ok();

    // audit search --declared-basis finds the rows declared under it, and only those. The
    // auditor declares a basis of their own with --basis: it goes on their own row, the filter
    // in its details.
    let found = db
        .run(
            "ig.officer",
            &[
                "audit",
                "search",
                "--declared-basis",
                "ca1989_s47",
                "--basis",
                "dpa2018_sch1_p18",
                "-o",
                "json",
            ],
        )
        .ok()
        .json();
    assert_eq!(ids(&found), [lookup], "{found:#}");
    assert_eq!(found[0]["basis"], "ca1989_s47");
    assert_eq!(found[0]["break_glass"], false);
    let (action, _, basis, glass, details) = last_row(&db);
    assert_eq!(action, "audit_searched");
    assert_eq!(basis.as_deref(), Some("dpa2018_sch1_p18"));
    assert!(!glass);
    assert_eq!(
        details["filter"]["declared_basis"], "ca1989_s47",
        "{details}"
    );
    // The second lookup declared none.
    let none = db
        .run(
            "ig.officer",
            &[
                "audit",
                "search",
                "--without-basis",
                "--action",
                "viewed_family",
                "-o",
                "json",
            ],
        )
        .ok()
        .json();
    assert_eq!(none.as_array().unwrap().len(), 1, "{none:#}");
    assert_eq!(none[0]["basis"], Value::Null);
    assert!(ids(&none)[0] > lookup);
    // CSV: the two columns after the hashes.
    let csv_text = db
        .run(
            "ig.officer",
            &[
                "audit",
                "search",
                "--declared-basis",
                "ca1989_s47",
                "-o",
                "csv",
            ],
        )
        .ok()
        .stdout
        .clone();
    let mut csv = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = csv.headers().unwrap().clone();
    assert_eq!(&headers[17], "basis");
    assert_eq!(&headers[18], "break_glass");
    let rows: Vec<csv::StringRecord> = csv.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 1, "{csv_text}");
    assert_eq!((&rows[0][17], &rows[0][18]), ("ca1989_s47", "false"));
    // The table shows it.
    let table = db
        .run_with(
            "ig.officer",
            &password("ig.officer"),
            &[("COLUMNS", "250".into())],
            &["audit", "search", "--declared-basis", "ca1989_s47"],
        )
        .ok()
        .stdout
        .clone();
    assert!(table.contains("ca1989_s47"), "{table}");

    // The export carries it on every line.
    let exported = db
        .run("ig.officer", &["audit", "export", "-o", "jsonl"])
        .ok()
        .stdout
        .clone();
    let line: Value = exported
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|l| l["id"] == lookup)
        .expect("the lookup exported");
    assert_eq!(line["basis"], "ca1989_s47");
    assert_eq!(line["break_glass"], false);

    // audit stats groups accesses by basis, none declared included.
    let stats = db
        .run("ig.officer", &["audit", "stats", "-o", "json"])
        .ok()
        .json();
    let group = |code: Value| {
        stats["by_basis"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["basis"] == code)
            .cloned()
            .unwrap_or_else(|| panic!("{code} missing from {stats:#}"))
    };
    let s47 = group(json!("ca1989_s47"));
    assert_eq!(
        (&s47["accesses"], &s47["lookups"], &s47["title"]),
        (&json!(1), &json!(1), &json!("Child protection enquiry"))
    );
    assert_eq!(group(json!("ca1989_s17"))["lookups"], 1);
    assert_eq!(group(Value::Null)["lookups"], 1);
    assert_eq!(stats["lookups_without_basis"], 1);

    // audit person shows the basis of each access to fc:1.
    let report = db
        .run("ig.officer", &["audit", "person", "fc:1", "-o", "json"])
        .ok()
        .json();
    let accesses: Vec<&Value> = report["actors"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["accesses"].as_array().unwrap())
        .collect();
    let of = |id: i64| {
        accesses
            .iter()
            .find(|x| x["id"] == id)
            .unwrap_or_else(|| panic!("access {id} missing from {report:#}"))
    };
    assert_eq!(of(lookup)["basis"], "ca1989_s47");
    assert_eq!(of(lookup)["break_glass"], false);
    assert_eq!(of(lookup + 1)["basis"], Value::Null);
    let table = db
        .run_with(
            "ig.officer",
            &password("ig.officer"),
            &[("COLUMNS", "250".into())],
            &["audit", "person", "fc:1"],
        )
        .ok()
        .stdout
        .clone();
    assert!(table.contains("ca1989_s47"), "{table}");
    db.run("ig.officer", &["audit", "verify"]).ok();
}

#[test]
fn an_unknown_or_retired_basis_is_refused_by_the_database_and_audited() {
    let db = TestDb::new("basis_refused");
    // Well formed but not on the list: the database refuses it and records the claim.
    for args in [
        &[
            "family",
            "show",
            "fc:1",
            "--reason",
            WHY,
            "--basis",
            "ca1989_s99",
        ][..],
        &["whoami", "--basis", "ca1989_s99"][..],
    ] {
        let before = row_count(&db);
        let run = db.run("sw.alice", args);
        run.code(4);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
        assert!(
            run.stderr
                .contains("ca1989_s99 is not a legal basis in use: no such code")
                && run.stderr.contains("famctx basis list"),
            "{}",
            run.stderr
        );
        assert_eq!(row_count(&db), before + 1);
        let (_, outcome, basis, _, details) = last_row(&db);
        assert_eq!(outcome, "denied");
        assert_eq!(basis, None, "an unlisted code never reaches the column");
        assert_eq!(details["requested_basis"], "ca1989_s99", "{details}");
    }
    assert_eq!(last_row(&db).0, "identity_viewed");

    // Not a code at all: famctx says so before asking anyone.
    let before = row_count(&db);
    let bad = db.run(
        "sw.alice",
        &[
            "family",
            "show",
            "fc:1",
            "--reason",
            WHY,
            "--basis",
            "s47 enquiry",
        ],
    );
    bad.code(2);
    assert!(
        bad.stderr.contains("is not a legal basis code")
            && bad.stderr.contains("famctx basis list"),
        "{}",
        bad.stderr
    );
    assert_eq!(row_count(&db), before);

    // Retired: refused from then on, saying so.
    db.run(
        "bi.admin",
        &["basis", "retire", "ca1989_s17", "--reason", "test", "--yes"],
    )
    .ok();
    let retired = db.run(
        "sw.alice",
        &[
            "person",
            "search",
            "--last-name",
            "Carter",
            "--reason",
            WHY,
            "--basis",
            "ca1989_s17",
        ],
    );
    retired.code(4);
    assert!(
        retired.stderr.contains("it has been retired"),
        "{}",
        retired.stderr
    );
    let (action, outcome, basis, _, details) = last_row(&db);
    assert_eq!((action.as_str(), outcome.as_str()), ("searched", "denied"));
    assert_eq!(basis, None);
    assert_eq!(details["requested_basis"], "ca1989_s17");
}

#[test]
fn a_refusal_by_the_directory_check_records_only_a_listed_basis() {
    let db = TestDb::new("basis_ad_refused");
    // ig.officer holds no user role: famctx's AD check refuses, and records the refusal with the
    // basis declared.
    db.run(
        "ig.officer",
        &[
            "family",
            "show",
            "fc:1",
            "--reason",
            WHY,
            "--basis",
            "ca1989_s47",
        ],
    )
    .code(4);
    let (action, outcome, basis, _, details) = last_row(&db);
    assert_eq!(
        (action.as_str(), outcome.as_str()),
        ("viewed_family", "denied")
    );
    assert_eq!(basis.as_deref(), Some("ca1989_s47"));
    assert_eq!(details["refused_by"], "directory check");
    // A client cannot put a code that is not on the list in the column through fc_api.refused.
    let mut alice = db.sign_in("sw.alice").unwrap();
    let refused = call(
        &mut alice,
        "refused",
        json!({"action": "viewed_family", "message": "x", "basis": "made_up_code"}),
    );
    assert_eq!(refused["outcome"], "denied", "{refused}");
    let (_, _, basis, _, details) = last_row(&db);
    assert_eq!(basis, None);
    assert_eq!(details["requested_basis"], "made_up_code");
    // Nor through a request refused for another reason first (an operator naming a user).
    let refused = call(
        &mut alice,
        "whoami",
        json!({"as": {"account": "someone"}, "basis": "made_up_code"}),
    );
    assert_eq!(refused["outcome"], "denied", "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("only a trusted service"),
        "{refused}"
    );
    let (action, _, basis, _, details) = last_row(&db);
    assert_eq!(action, "identity_viewed");
    assert_eq!(basis, None);
    assert_eq!(details["requested_basis"], "made_up_code");
}

#[test]
fn basis_required_refuses_a_lookup_without_one_in_the_database() {
    let db = TestDb::new("basis_required");
    connect(&db.owner_url())
        .batch_execute("UPDATE fc.policy SET value = 'true' WHERE key = 'basis_required'")
        .unwrap();
    // famctx's own policy (basis_required in /etc/famctx/config.toml) is off here: the
    // database refuses by itself, audited, saying what to do.
    for args in [
        &["family", "show", "fc:1", "--reason", WHY][..],
        &["person", "search", "--last-name", "Carter", "--reason", WHY][..],
    ] {
        let run = db.run("sw.alice", args);
        run.code(2);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
        assert!(
            run.stderr.contains("a legal basis is required for lookups")
                && run.stderr.contains("--basis CODE")
                && run.stderr.contains("famctx basis list"),
            "{}",
            run.stderr
        );
        let (_, outcome, _, _, details) = last_row(&db);
        assert_eq!(outcome, "denied");
        assert!(
            details["error"]
                .as_str()
                .unwrap()
                .contains("basis_required"),
            "{details}"
        );
    }
    // With a basis, the lookup goes ahead; a command that is not a lookup needs none.
    db.run(
        "sw.alice",
        &[
            "family",
            "show",
            "fc:1",
            "--reason",
            WHY,
            "--basis",
            "ca1989_s47",
        ],
    )
    .ok();
    assert_eq!(last_row(&db).2.as_deref(), Some("ca1989_s47"));
    db.run("sw.alice", &["whoami"]).ok();
    db.run("ig.officer", &["audit", "search", "--limit", "1"])
        .ok();

    // The API's path is held to the same rule.
    let bob = json!({"guid": db.guid("eh.bob"), "account": "eh.bob", "roles": ["user"]});
    let mut api = connect(&db.service_url());
    let refused = call(
        &mut api,
        "person_search",
        json!({"last_name": "Carter", "reason": "api search", "as": bob}),
    );
    assert_eq!(refused["outcome"], "denied", "{refused}");
    assert_eq!(refused["error"]["kind"], "usage");
    let allowed = call(
        &mut api,
        "person_search",
        json!({"last_name": "Carter", "reason": "api search", "basis": "ca2004_s11", "as": bob}),
    );
    assert_eq!(allowed["outcome"], "recorded", "{allowed}");
    assert_eq!(last_row(&db).2.as_deref(), Some("ca2004_s11"));
}

#[test]
fn anyone_lists_the_bases_admins_alone_add_and_retire_them() {
    let db = TestDb::new("basis_admin");
    let listed = db
        .run("sw.alice", &["basis", "list", "-o", "json"])
        .ok()
        .json();
    let codes: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 6, "{listed:#}");
    assert!(codes.contains(&"ca1989_s47"), "{codes:?}");
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .all(|b| b["retired"] == false));
    assert_eq!(last_row(&db).0, "basis_listed");
    let table = db.run("ig.officer", &["basis", "list"]).ok().stdout.clone();
    assert!(table.contains("Children Act 1989 s47"), "{table}");

    let add = [
        "basis",
        "add",
        "la_mash_2026",
        "--title",
        "Multi-agency safeguarding hub triage",
        "--legislation",
        "Working Together to Safeguard Children 2023",
        "--reason",
        "IG board, 2026-11-30",
    ];
    // Not an admin: refused by the directory check, and audited.
    for who in ["sw.alice", "ig.officer"] {
        db.run(who, &add).code(4);
        let (action, outcome, ..) = last_row(&db);
        assert_eq!(
            (action.as_str(), outcome.as_str()),
            ("basis_added", "denied")
        );
    }
    // ...and by the database, for whoever calls the function by hand.
    let mut alice = db.sign_in("sw.alice").unwrap();
    let refused = call(
        &mut alice,
        "basis_add",
        json!({"code": "la_mash_2026", "title": "t", "legislation": "l", "reason": "r"}),
    );
    assert_eq!(refused["outcome"], "denied", "{refused}");
    assert_eq!(refused["error"]["kind"], "not_permitted");
    let refused = call(
        &mut alice,
        "basis_retire",
        json!({"code": "ca1989_s47", "reason": "r"}),
    );
    assert_eq!(refused["outcome"], "denied", "{refused}");

    // An admin adds it: what changed is printed, and audited with the reason.
    let added = db.run("bi.admin", &add);
    added.ok();
    let added_doc: Value = db
        .run("bi.admin", &["basis", "list", "-o", "json"])
        .ok()
        .json();
    let new = added_doc
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["code"] == "la_mash_2026")
        .expect("the new basis listed");
    assert_eq!(new["added_by"], "bi.admin");
    assert_eq!(
        new["legislation"],
        "Working Together to Safeguard Children 2023"
    );
    assert!(added.stdout.contains("la_mash_2026"), "{}", added.stdout);
    assert!(
        added.stderr.contains("--basis la_mash_2026"),
        "{}",
        added.stderr
    );
    let row = db
        .superuser()
        .query_one(
            "SELECT actor_account, reason, details FROM fc.audit_log \
             WHERE action = 'basis_added' AND outcome = 'allowed'",
            &[],
        )
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "bi.admin");
    assert_eq!(row.get::<_, String>(1), "IG board, 2026-11-30");
    assert_eq!(row.get::<_, Value>(2)["code"], "la_mash_2026");
    // It can be declared at once.
    db.run(
        "sw.alice",
        &[
            "family",
            "show",
            "fc:1",
            "--reason",
            WHY,
            "--basis",
            "la_mash_2026",
        ],
    )
    .ok();

    // A code on the list is never added again.
    let again = db.run("bi.admin", &add);
    again.code(2);
    assert!(
        again.stderr.contains("on the list already"),
        "{}",
        again.stderr
    );
    assert_eq!(last_row(&db).1, "denied");
    db.run(
        "bi.admin",
        &[
            "basis",
            "add",
            "Not A Code!",
            "--title",
            "t",
            "--legislation",
            "l",
            "--reason",
            "r",
        ],
    )
    .code(2);
    db.run(
        "bi.admin",
        &["basis", "add", "la_x", "--title", "t", "--legislation", "l"],
    )
    .code(2);

    // Retiring asks first; without a terminal it needs --yes.
    let asked = db.run(
        "bi.admin",
        &["basis", "retire", "la_mash_2026", "--reason", "superseded"],
    );
    asked.code(2);
    assert!(asked.stderr.contains("--yes"), "{}", asked.stderr);
    let retired = db
        .run(
            "bi.admin",
            &[
                "basis",
                "retire",
                "la_mash_2026",
                "--reason",
                "superseded",
                "--yes",
                "-o",
                "json",
            ],
        )
        .ok()
        .json();
    assert_eq!(retired[0]["code"], "la_mash_2026");
    assert_eq!(retired[0]["retired"], true);
    assert_eq!(retired[0]["retired_by"], "bi.admin");
    let (action, outcome, ..) = last_row(&db);
    assert_eq!(
        (action.as_str(), outcome.as_str()),
        ("basis_retired", "allowed")
    );
    // It stays on the list, after those in use, and its old rows keep it.
    let listed = db
        .run("sw.alice", &["basis", "list", "-o", "json"])
        .ok()
        .json();
    let last = listed.as_array().unwrap().last().unwrap();
    assert_eq!(
        (&last["code"], &last["retired"]),
        (&json!("la_mash_2026"), &json!(true))
    );
    let kept: i64 = db
        .superuser()
        .query_one(
            "SELECT count(*) FROM fc.audit_log WHERE basis = 'la_mash_2026'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(kept, 1);
    // Retired twice, unknown, or added again: each refused, saying why.
    let twice = db.run(
        "bi.admin",
        &["basis", "retire", "la_mash_2026", "--reason", "x", "--yes"],
    );
    twice.code(2);
    assert!(
        twice.stderr.contains("was retired already"),
        "{}",
        twice.stderr
    );
    let unknown = db.run(
        "bi.admin",
        &["basis", "retire", "no_such_basis", "--reason", "x", "--yes"],
    );
    unknown.code(5);
    assert!(
        unknown.stderr.contains("no legal basis no_such_basis"),
        "{}",
        unknown.stderr
    );
    let reused = db.run("bi.admin", &add);
    reused.code(2);
    assert!(reused.stderr.contains("retired"), "{}", reused.stderr);
    db.run("ig.officer", &["audit", "verify"]).ok();
}

#[test]
fn operators_cannot_touch_the_list_at_psql() {
    let db = TestDb::new("basis_psql");
    let mut clients = vec![
        ("sw.alice", db.sign_in("sw.alice").unwrap()),
        ("bi.admin", db.sign_in("bi.admin").unwrap()),
        ("famctx_app", connect(&db.service_url())),
    ];
    for (who, client) in &mut clients {
        for sql in [
            "SELECT * FROM fc.legal_basis",
            "INSERT INTO fc.legal_basis (code, title, legislation) VALUES ('x', 't', 'l')",
            "UPDATE fc.legal_basis SET retired_at = now()",
            "DELETE FROM fc.legal_basis",
        ] {
            let err = client.batch_execute(sql).unwrap_err();
            assert_eq!(
                err.code().map(|c| c.code()),
                Some("42501"),
                "{who}: {sql}: {err}"
            );
        }
    }
    let n: i64 = db
        .superuser()
        .query_one(
            "SELECT count(*) FROM fc.legal_basis WHERE retired_at IS NULL",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(n, 6);
}
