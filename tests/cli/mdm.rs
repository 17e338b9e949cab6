//! MDM load validation against the seeded warehouse. Each test that breaks
//! data breaks only its own copy of the family context database; the
//! warehouse (shared) is only read.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::*;

const ADMIN: &str = "bi.admin";

fn validate(db: &TestDb, args: &[&str]) -> Run {
    let mut full = vec!["mdm", "validate", "-o", "json"];
    full.extend_from_slice(args);
    db.run(ADMIN, &full)
}

/// A private copy whose load history is only the last load (the shared
/// data may hold earlier loads of other data), which ended an hour ago.
fn fresh_copy(tag: &str) -> TestDb {
    let db = TestDb::new(tag);
    db.superuser()
        .batch_execute(
            "CREATE TEMP TABLE keep AS SELECT id FROM fc.load_run WHERE status = 'completed' \
             ORDER BY finished_at DESC LIMIT 1; \
             DELETE FROM fc.load_manifest WHERE load_run_id NOT IN (SELECT id FROM keep); \
             DELETE FROM fc.load_run WHERE id NOT IN (SELECT id FROM keep);",
        )
        .unwrap();
    load_ended_hours_ago(&db, 1.0);
    db
}

/// Moves the recorded loads (and the sources' last synchronised times with
/// them) so that the last completed load ended `hours` ago.
fn load_ended_hours_ago(db: &TestDb, hours: f64) {
    let mut su = db.superuser();
    let shift: String = su
        .query_one(
            "SELECT (clock_timestamp() - make_interval(secs => $1::float8 * 3600) - max(finished_at))::text \
             FROM fc.load_run WHERE status = 'completed'",
            &[&hours],
        )
        .unwrap()
        .get(0);
    su.execute(
        "UPDATE fc.load_run SET started_at = started_at + $1::text::interval, \
         finished_at = finished_at + $1::text::interval",
        &[&shift],
    )
    .unwrap();
    su.execute(
        "UPDATE fc.data_source SET last_synchronised = last_synchronised + $1::text::interval",
        &[&shift],
    )
    .unwrap();
}

fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {report}"))
}

fn item<'a>(report: &'a Value, name: &str, subject: &str) -> &'a Value {
    check(report, name)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["subject"] == subject)
        .unwrap_or_else(|| panic!("no {subject} in check {name}"))
}

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn last_audit(db: &TestDb) -> postgres::Row {
    db.audit_rows().pop().unwrap()
}

#[test]
fn a_clean_load_passes_and_the_report_is_written() {
    let db = fresh_copy("mdm_clean");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mdm-report.json");
    let run = validate(&db, &["--report", path.to_str().unwrap()]);
    run.ok();
    let report = run.json();
    assert_eq!(report["status"], "pass");
    let checks = report["checks"].as_array().unwrap();
    let names: Vec<&str> = checks.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "freshness",
            "counts",
            "key_sets",
            "drops",
            "orphans",
            "completeness"
        ]
    );
    for c in checks {
        assert_eq!(c["status"], "pass", "{c}");
        for i in c["items"].as_array().unwrap() {
            assert_eq!(i["status"], "pass", "{i}");
        }
    }
    let persons = item(&report, "counts", "person");
    assert_eq!(persons["figures"]["warehouse_rows"], 1000);
    assert_eq!(persons["figures"]["family_context_rows"], 1000);
    assert_eq!(
        item(&report, "key_sets", "relationship")["figures"]["missing"],
        0
    );
    assert!(report["timings_ms"]["total"].is_u64());

    // The report file holds the same JSON, and only its owner may read it.
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(written, report);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temp file left"
    );

    let row = last_audit(&db);
    assert_eq!(row.get::<_, String>("action"), "mdm_validated");
    assert_eq!(row.get::<_, String>("outcome"), "allowed");
    let details: Value = row.get("details");
    assert_eq!(details["result"]["status"], "pass");
    assert_eq!(details["result"]["checks"]["key_sets"]["status"], "pass");
    assert_eq!(
        row.get::<_, Vec<i64>>("persons_disclosed"),
        Vec::<i64>::new()
    );

    // The table names every check and the overall result.
    let table = db.run(ADMIN, &["mdm", "validate"]);
    table.ok();
    for text in ["freshness", "key_sets", "completeness", "overall", "PASS"] {
        assert!(table.stdout.contains(text), "{text}: {}", table.stdout);
    }
    assert!(
        table.stderr.is_empty(),
        "no progress noise off a terminal: {}",
        table.stderr
    );
}

#[test]
fn housing_gone_fails_the_drop_and_count_checks() {
    let db = fresh_copy("mdm_housing");
    db.superuser()
        .batch_execute("DELETE FROM fc.housing_record")
        .unwrap();
    let run = validate(&db, &[]);
    run.code(7);
    let report = run.json();
    assert_eq!(report["status"], "fail");
    let drop = item(&report, "drops", "housing_record");
    assert_eq!(drop["status"], "fail");
    assert_eq!(drop["source"], "housing");
    assert_eq!(drop["figures"]["current_rows"], 0);
    assert!(drop["figures"]["baseline_rows"].as_i64().unwrap() > 0);
    assert!(drop["message"].as_str().unwrap().contains("none"), "{drop}");
    let count = item(&report, "counts", "housing_record");
    assert_eq!(count["status"], "fail");
    assert_eq!(count["figures"]["family_context_rows"], 0);
    let keys = item(&report, "key_sets", "housing_record");
    assert_eq!(keys["status"], "fail");
    assert_eq!(keys["figures"]["missing"], drop["figures"]["baseline_rows"]);
    assert_eq!(
        keys["figures"]["missing_sample"].as_array().unwrap().len(),
        20
    );
    // Nothing else is blamed.
    assert_eq!(item(&report, "drops", "police_record")["status"], "pass");
    assert_eq!(item(&report, "counts", "person")["status"], "pass");
    assert_eq!(check(&report, "orphans")["status"], "pass");
    assert_eq!(check(&report, "freshness")["status"], "pass");

    // The audit row was written with the outcome.
    let row = last_audit(&db);
    assert_eq!(row.get::<_, String>("action"), "mdm_validated");
    let details: Value = row.get("details");
    assert_eq!(details["result"]["status"], "fail");
    assert_eq!(details["result"]["checks"]["drops"]["status"], "fail");
}

#[test]
fn drops_are_judged_against_the_previous_load() {
    let db = fresh_copy("mdm_drops");
    // The load before had 9% more housing records and twice the police records.
    db.superuser()
        .batch_execute(
            "CREATE TEMP TABLE last AS SELECT * FROM fc.load_run; \
             INSERT INTO fc.load_run (started_at, finished_at, status, notes) \
             SELECT started_at - interval '1 day', finished_at - interval '1 day', 'completed', 'earlier' FROM last; \
             INSERT INTO fc.load_manifest (load_run_id, entity, row_count) \
             SELECT (SELECT max(id) FROM fc.load_run), m.entity, \
                    CASE m.entity WHEN 'housing_record' THEN round(m.row_count * 1.1) \
                                  WHEN 'police_record' THEN m.row_count * 2 ELSE m.row_count END \
             FROM fc.load_manifest m JOIN last ON m.load_run_id = last.id;",
        )
        .unwrap();
    let earlier: i64 = db
        .superuser()
        .query_one("SELECT max(id) FROM fc.load_run", &[])
        .unwrap()
        .get(0);
    let run = validate(&db, &[]);
    run.code(7);
    let report = run.json();
    let housing = item(&report, "drops", "housing_record");
    assert_eq!(housing["status"], "warn", "{housing}");
    assert_eq!(housing["figures"]["baseline"]["from"], "fc.load_manifest");
    assert_eq!(housing["figures"]["baseline"]["run_id"], earlier);
    assert_eq!(item(&report, "drops", "police_record")["status"], "fail");
    assert_eq!(item(&report, "drops", "person")["status"], "pass");
    assert_eq!(check(&report, "counts")["status"], "pass");
    // The earlier run is not the one validated, and does not make this one stale.
    assert_eq!(check(&report, "freshness")["status"], "pass");
    // Judged with looser limits, both drops pass; a limit between them warns.
    validate(&db, &["--drop-warn-pct", "60", "--drop-fail-pct", "80"]).ok();
    validate(&db, &["--drop-warn-pct", "10", "--drop-fail-pct", "60"]).code(6);
}

#[test]
fn equal_counts_with_different_people_fail_and_name_them() {
    let db = fresh_copy("mdm_swap");
    let mut su = db.superuser();
    // Three persons nothing else refers to (so no orphans), swapped for three others.
    let gone: Vec<i64> = su
        .query(
            "SELECT id FROM fc.person p WHERE id > 6 \
             AND NOT EXISTS (SELECT 1 FROM fc.relationship r WHERE p.id IN (r.person_id, r.related_person_id)) \
             AND NOT EXISTS (SELECT 1 FROM fc.school_record s WHERE s.person_id = p.id) \
             AND NOT EXISTS (SELECT 1 FROM fc.childrens_social_care_record s WHERE s.person_id = p.id) \
             AND NOT EXISTS (SELECT 1 FROM fc.adult_social_care_record s WHERE s.person_id = p.id) \
             AND NOT EXISTS (SELECT 1 FROM fc.housing_record s WHERE s.person_id = p.id) \
             AND NOT EXISTS (SELECT 1 FROM fc.police_record s WHERE s.person_id = p.id) \
             ORDER BY id DESC LIMIT 3",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(gone.len(), 3, "the demo data has persons without relations");
    let added = [1001i64, 500_000, 9_000_000_000];
    su.execute("DELETE FROM fc.person WHERE id = ANY($1)", &[&gone])
        .unwrap();
    su.execute(
        "INSERT INTO fc.person (id, first_name, last_name, date_of_birth, address_line) \
         SELECT id, 'Extra', 'Person', DATE '1990-01-01', '1 Test Street' FROM unnest($1::bigint[]) AS id",
        &[&added.to_vec()],
    )
    .unwrap();

    let run = validate(&db, &[]);
    run.code(7);
    let report = run.json();
    assert_eq!(
        item(&report, "counts", "person")["status"],
        "pass",
        "the counts agree"
    );
    let keys = item(&report, "key_sets", "person");
    assert_eq!(keys["status"], "fail");
    let f = &keys["figures"];
    assert_eq!(f["missing"], 3);
    assert_eq!(f["extra"], 3);
    assert_eq!(f["exact"], true);
    let ids = |v: &[i64]| v.iter().map(|i| format!("fc:{i}")).collect::<BTreeSet<_>>();
    assert_eq!(strings(&f["missing_sample"]), ids(&gone));
    assert_eq!(strings(&f["extra_sample"]), ids(&added));
    for id in ids(&gone).iter().chain(&ids(&added)) {
        assert!(keys["message"].as_str().unwrap().contains(id.as_str()));
    }
    // The ids shown are recorded as disclosed.
    let row = last_audit(&db);
    let disclosed: BTreeSet<i64> = row
        .get::<_, Vec<i64>>("persons_disclosed")
        .into_iter()
        .collect();
    assert_eq!(
        disclosed,
        gone.iter().chain(&added).copied().collect::<BTreeSet<_>>()
    );
}

#[test]
fn freshness_warns_then_fails_with_age() {
    let db = fresh_copy("mdm_fresh");
    load_ended_hours_ago(&db, 30.0);
    let warned = validate(&db, &[]);
    warned.code(6);
    let report = warned.json();
    assert_eq!(report["status"], "warn");
    let load = item(&report, "freshness", "load run");
    assert_eq!(load["status"], "warn");
    assert!(load["figures"]["age_hours"].as_f64().unwrap() >= 30.0);
    assert_eq!(item(&report, "freshness", "housing")["status"], "pass");

    // The thresholds come from flags too.
    validate(
        &db,
        &["--fresh-warn-hours", "31", "--fresh-fail-hours", "40"],
    )
    .ok();
    validate(
        &db,
        &["--fresh-warn-hours", "20", "--fresh-fail-hours", "29"],
    )
    .code(7);

    load_ended_hours_ago(&db, 60.0);
    let failed = validate(&db, &[]);
    failed.code(7);
    assert_eq!(
        item(&failed.json(), "freshness", "load run")["status"],
        "fail"
    );

    // A source the load did not refresh is named.
    load_ended_hours_ago(&db, 1.0);
    db.superuser()
        .batch_execute(
            "UPDATE fc.data_source SET last_synchronised = last_synchronised - interval '3 days' \
             WHERE code = 'police'",
        )
        .unwrap();
    let stale = validate(&db, &[]);
    stale.code(7);
    let police = item(&stale.json(), "freshness", "police").clone();
    assert_eq!(police["status"], "fail");
    assert!(police["message"]
        .as_str()
        .unwrap()
        .contains("not by load run"));
}

#[test]
fn orphans_are_found_and_named() {
    let db = fresh_copy("mdm_orphans");
    let mut su = db.superuser();
    // A relationship from a person the index does not hold (far out in the
    // key space, so the key ranges are split before they are listed), one
    // relationship lost, and a housing record of nobody.
    let lost = su
        .query_one(
            "DELETE FROM fc.relationship WHERE (person_id, related_person_id, relationship_type) = \
             (SELECT person_id, related_person_id, relationship_type FROM fc.relationship \
              WHERE person_id > 6 ORDER BY 1, 2, 3 LIMIT 1) \
             RETURNING person_id, related_person_id, relationship_type",
            &[],
        )
        .unwrap();
    let (lp, lr, lt): (i64, i64, String) = (lost.get(0), lost.get(1), lost.get(2));
    su.batch_execute(
        "INSERT INTO fc.relationship (person_id, related_person_id, relationship_type) \
             VALUES (987654321, 1, 'parent'); \
         INSERT INTO fc.housing_record (id, person_id, association) \
             VALUES (777777, 888888888, 'Kestrel Vale Homes');",
    )
    .unwrap();

    let run = validate(&db, &[]);
    run.code(7);
    let report = run.json();
    let rel = item(&report, "orphans", "relationship");
    assert_eq!(rel["status"], "fail");
    assert_eq!(rel["figures"]["orphans"], 1);
    let named = &rel["figures"]["sample"][0];
    assert_eq!(named["person"], "fc:987654321");
    assert_eq!(named["related_person"], "fc:1");
    assert_eq!(named["relationship_type"], "parent");
    assert_eq!(
        strings(&named["missing"]),
        BTreeSet::from(["fc:987654321".to_string()])
    );
    assert!(rel["message"]
        .as_str()
        .unwrap()
        .contains("fc:987654321 parent of fc:1"));
    let housing = item(&report, "orphans", "housing_record");
    assert_eq!(housing["status"], "fail");
    assert_eq!(housing["figures"]["sample"][0]["id"], 777777);
    assert_eq!(housing["figures"]["sample"][0]["person"], "fc:888888888");
    assert_eq!(item(&report, "orphans", "police_record")["status"], "pass");

    // The key sets see both changes, after narrowing the ranges down.
    let keys = &item(&report, "key_sets", "relationship")["figures"];
    assert_eq!(keys["missing"], 1);
    assert_eq!(keys["extra"], 1);
    assert!(keys["narrowing_rounds"].as_u64().unwrap() >= 2, "{keys}");
    assert_eq!(
        keys["missing_sample"][0],
        serde_json::json!({"person": format!("fc:{lp}"), "related_person": format!("fc:{lr}"), "relationship_type": lt})
    );
    assert_eq!(keys["extra_sample"][0]["person"], "fc:987654321");

    let row = last_audit(&db);
    let persons = row.get::<_, Vec<i64>>("persons_disclosed");
    assert!(persons.contains(&987654321) && persons.contains(&888888888));
    assert_eq!(row.get::<_, Vec<String>>("sources_disclosed"), ["housing"]);
}

#[test]
fn missing_fields_and_impossible_dates_are_counted() {
    let db = fresh_copy("mdm_complete");
    // 2% without a date of birth (warn), 6% without an address (fail), one born tomorrow.
    db.superuser()
        .batch_execute(
            "UPDATE fc.person SET date_of_birth = NULL WHERE id BETWEEN 101 AND 120; \
             UPDATE fc.person SET address_line = ' ' WHERE id BETWEEN 201 AND 260; \
             UPDATE fc.person SET date_of_birth = current_date + 1 WHERE id = 300;",
        )
        .unwrap();
    let run = validate(&db, &[]);
    run.code(7);
    let report = run.json();
    let dob = item(&report, "completeness", "date_of_birth");
    assert_eq!(dob["status"], "warn");
    assert_eq!(dob["figures"]["missing"], 20);
    assert_eq!(item(&report, "completeness", "address")["status"], "fail");
    assert_eq!(item(&report, "completeness", "name")["status"], "pass");
    let future = item(&report, "completeness", "date_of_birth_in_future");
    assert_eq!(future["status"], "warn");
    assert_eq!(
        strings(&future["figures"]["sample"]),
        BTreeSet::from(["fc:300".to_string()])
    );
    // Looser limits from the flags: all pass but the impossible date.
    let loose = validate(
        &db,
        &[
            "--missing-field-warn-pct",
            "10",
            "--missing-field-fail-pct",
            "50",
        ],
    );
    loose.code(6);
}

#[test]
fn non_admins_are_refused_and_audited() {
    let db = TestDb::new("mdm_refused");
    for args in [&["mdm", "validate"][..], &["mdm", "loads"][..]] {
        let run = db.run("sw.alice", args);
        run.code(4);
        assert!(run.stdout.is_empty());
        assert!(run.stderr.contains("admin"), "{}", run.stderr);
        let row = last_audit(&db);
        assert_eq!(
            row.get::<_, Option<String>>("actor_account").as_deref(),
            Some("sw.alice")
        );
        assert_eq!(row.get::<_, String>("outcome"), "denied");
        assert_eq!(
            row.get::<_, String>("action"),
            if args[1] == "validate" {
                "mdm_validated"
            } else {
                "mdm_loads_listed"
            }
        );
    }
}

#[test]
fn loads_are_listed_with_counts_and_durations() {
    let db = TestDb::new("mdm_loads");
    let run = db.run(ADMIN, &["mdm", "loads", "-o", "json", "--limit", "5"]);
    run.ok();
    let list = run.json();
    let first = &list[0];
    let load = &first["load_run"];
    assert_eq!(load["status"], "completed");
    assert!(load["duration_seconds"].as_f64().unwrap() >= 0.0);
    assert_eq!(load["counts"]["person"], 1000);
    assert_eq!(first["warehouse_run"]["id"], load["mdm_run_id"]);
    assert_eq!(first["warehouse_run"]["counts"], load["counts"]);
    let row = last_audit(&db);
    assert_eq!(row.get::<_, String>("action"), "mdm_loads_listed");
    assert_eq!(row.get::<_, String>("outcome"), "allowed");
    let table = db.run(ADMIN, &["mdm", "loads"]);
    table.ok();
    assert!(table.stdout.contains("completed"), "{}", table.stdout);
}

#[test]
fn bad_settings_and_an_unreachable_warehouse() {
    let db = TestDb::new("mdm_errors");
    let crossed = validate(&db, &["--drop-warn-pct", "30", "--drop-fail-pct", "10"]);
    crossed.code(2);
    assert!(
        crossed.stderr.contains("warn threshold"),
        "{}",
        crossed.stderr
    );
    validate(&db, &["--missing-field-fail-pct", "101"]).code(2);
    let secret = validate(
        &db,
        &["--mdm-url", "postgresql://mdm_reader:pw@127.0.0.1:1/mdm"],
    );
    secret.code(2);
    assert!(secret.stderr.contains("password"), "{}", secret.stderr);
    // The admin's password goes to a warehouse only under sslmode=verify-full.
    let no_ca = validate(&db, &["--mdm-url", "postgresql://127.0.0.1:1/mdm"]);
    no_ca.code(2);
    assert!(no_ca.stderr.contains("sslrootcert"), "{}", no_ca.stderr);
    let weak = format!(
        "postgresql://127.0.0.1:1/mdm?sslmode=require&sslrootcert={}",
        var("FAMCTX_LDAP_CA_FILE")
    );
    let elsewhere = validate(&db, &["--mdm-url", &weak]);
    elsewhere.code(2);
    assert!(
        elsewhere.stderr.contains("verify-full"),
        "{}",
        elsewhere.stderr
    );
    // The warehouse's port closed: the admin's sign-in cannot reach it.
    let url = var("FAMCTX_MDM_URL");
    let host_port = url
        .split("//")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_string();
    let bad = db.run_with(
        ADMIN,
        &password(ADMIN),
        &[("FAMCTX_MDM_URL", url.replace(&host_port, "127.0.0.1:1"))],
        &["mdm", "validate"],
    );
    bad.code(9);
    assert!(bad.stderr.contains("MDM warehouse"), "{}", bad.stderr);
    assert!(bad.stdout.is_empty());
    validate(&db, &["--load", "999999"]).code(5);
}

#[test]
fn only_admins_read_the_warehouse_and_each_validation_is_audited() {
    let db = fresh_copy("mdm_door");
    let mdm_url = var("FAMCTX_MDM_URL");
    assert!(
        !mdm_url.contains('@'),
        "operators' mdm_url holds no credential: {mdm_url}"
    );
    let sign_in = |account: &str| {
        famctx::db::connect_as(
            &mdm_url,
            account,
            &password(account),
            std::time::Duration::from_secs(10),
        )
    };
    // sw.alice (a user, not an admin) cannot read the warehouse: no sign-in, or no table.
    if let Ok(mut alice) = sign_in("sw.alice") {
        for table in [
            "mdm.person",
            "mdm.relationship",
            "mdm.housing_record",
            "mdm.load_run",
        ] {
            let read = alice.query(&format!("SELECT count(*) FROM {table}"), &[]);
            assert!(read.is_err(), "sw.alice read {table}");
        }
    }
    // An admin reads it as themselves, read-only.
    let mut admin = sign_in(ADMIN).expect("bi.admin signs in to the warehouse");
    let persons: i64 = admin
        .query_one("SELECT count(*) FROM mdm.person", &[])
        .unwrap()
        .get(0);
    assert_eq!(persons, 1000);
    assert!(admin
        .execute("DELETE FROM mdm.load_run WHERE false", &[])
        .is_err());

    // In family context the admin reaches the validation only through fc_api.
    let mut fc = db
        .sign_in(ADMIN)
        .expect("bi.admin signs in to family context");
    assert!(fc
        .query("SELECT count(*) FROM fc.mdm_validation", &[])
        .is_err());
    assert!(fc.query("SELECT count(*) FROM fc.person", &[]).is_err());
    let stranger: Value = fc
        .query_one(
            "SELECT fc_api.mdm_side($1)",
            &[&serde_json::json!({
                "session": "7b0c1a9e-0000-4000-8000-000000000000",
                "what": "orphans",
            })],
        )
        .unwrap()
        .get(0);
    // "Not found" is handed over like a disclosure, once its audit row has committed.
    let ticket: uuid::Uuid = stranger["ticket"].as_str().unwrap().parse().unwrap();
    let refusal: Value = fc
        .query_one("SELECT fc_api.collect($1)", &[&ticket])
        .unwrap()
        .get(0);
    assert_eq!(refusal["refusal"]["kind"], "not_found", "{refusal}");

    let before = db.audit_rows().len();
    validate(&db, &[]).ok();
    let rows: Vec<postgres::Row> = db.audit_rows().into_iter().skip(before).collect();
    let ours: Vec<&postgres::Row> = rows
        .iter()
        .filter(|r| r.get::<_, String>("action") == "mdm_validated")
        .collect();
    assert_eq!(ours.len(), 2, "a row as it starts, one with its result");
    let (first, last) = (ours[0], ours[1]);
    for r in [first, last] {
        assert_eq!(
            r.get::<_, Option<String>>("actor_account").as_deref(),
            Some(ADMIN)
        );
        assert_eq!(r.get::<_, String>("outcome"), "allowed");
    }
    let started: Value = first.get("details");
    let finished: Value = last.get("details");
    assert_eq!(started["stage"], "started");
    assert_eq!(started["db_role"], ADMIN);
    assert_eq!(finished["stage"], "finished");
    assert!(finished["session"].is_string(), "{finished}");
    assert_eq!(finished["started_audit_id"], first.get::<_, i64>("id"));
    assert_eq!(finished["result"]["status"], "pass");
    // The session is closed: it answers no more questions.
    let closed: Value = fc
        .query_one(
            "SELECT fc_api.mdm_side($1)",
            &[&serde_json::json!({ "session": finished["session"], "what": "orphans" })],
        )
        .unwrap()
        .get(0);
    let ticket: uuid::Uuid = closed["ticket"].as_str().unwrap().parse().unwrap();
    let refusal: Value = fc
        .query_one("SELECT fc_api.collect($1)", &[&ticket])
        .unwrap()
        .get(0);
    assert_eq!(refusal["refusal"]["kind"], "not_found", "{refusal}");
}
