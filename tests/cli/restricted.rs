//! Restricted persons: a restricted child of the showcase family (fc:4, Tyler Whitfield, 16)
//! hidden from sw.alice as subject, as family member and as a search result until she holds an
//! access grant for him; break-glass disclosed, marked and listed for IG; restrictions changed
//! and lifted by admins only, each audited.

use serde_json::{json, Value};

use crate::support::*;

const REASON: &str = "s47 enquiry, case 1234";
const GLASS: &str = "child missing tonight, duty manager agreed";

fn grant_everything(db: &TestDb, account: &str) {
    for s in [
        "school",
        "childrens_social_care",
        "adult_social_care",
        "housing",
        "police",
    ] {
        db.grant_sql(account, s, None);
    }
}

fn restrict(db: &TestDb, id: &str) -> Value {
    db.run(
        "bi.admin",
        &[
            "person",
            "restrict",
            id,
            "--category",
            "high_risk",
            "--reason",
            "exploitation risk, MASH decision 77",
            "-o",
            "json",
        ],
    )
    .ok()
    .json()
}

fn show(db: &TestDb, account: &str, args: &[&str]) -> Run {
    let mut full = vec!["family", "show", "--reason", REASON];
    full.extend_from_slice(args);
    db.run(account, &full)
}

fn member<'a>(view: &'a Value, id: &str) -> &'a Value {
    std::iter::once(&view["person"])
        .chain(view["family"].as_array().unwrap())
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {view}"))
}

/// The withheld family members of a document (their ids are the document's own).
fn stubs(view: &Value) -> Vec<&Value> {
    view["family"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["restrictedAccess"] == "withheld")
        .collect()
}

/// The one withheld family member of a document.
fn stub(view: &Value) -> &Value {
    match stubs(view)[..] {
        [one] => one,
        ref other => panic!("{} stubs in {view}", other.len()),
    }
}

/// Whether `text` names the person id `fc:<n>` (not as the start of a longer number).
fn names_id(text: &str, n: i64) -> bool {
    let id = format!("fc:{n}");
    text.match_indices(&id).any(|(at, _)| {
        !text[at + id.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

/// What must never reach sw.alice's stdout about Tyler while he is withheld.
fn tyler_secrets(db: &TestDb) -> Vec<String> {
    let dob: String = db
        .superuser()
        .query_one(
            "SELECT date_of_birth::text FROM fc.person WHERE id = 4",
            &[],
        )
        .unwrap()
        .get(0);
    vec![
        "Tyler".into(),
        dob,
        "Thornleigh Academy".into(),
        "Child criminal exploitation".into(),
    ]
}

#[track_caller]
fn hides(stdout: &str, secrets: &[String]) {
    for s in secrets {
        assert!(!stdout.contains(s.as_str()), "{s:?} leaked:\n{stdout}");
    }
}

fn last_row(db: &TestDb, action: &str) -> postgres::Row {
    db.superuser()
        .query_one(
            "SELECT actor_account, outcome, subject_person, persons_disclosed, details, break_glass, \
             reason, target_user FROM fc.audit_log WHERE action = $1 ORDER BY id DESC LIMIT 1",
            &[&action],
        )
        .unwrap_or_else(|e| panic!("no {action} row: {e}"))
}

#[test]
fn a_restricted_child_is_hidden_from_alice_until_she_holds_a_person_grant() {
    let db = TestDb::new("restricted_hidden");
    grant_everything(&db, "sw.alice");
    let secrets = tyler_secrets(&db);
    // Before the restriction she sees him (so the checks below can fail).
    let before = show(&db, "sw.alice", &["fc:1", "-o", "json"])
        .ok()
        .stdout
        .clone();
    assert!(before.contains("Tyler") && before.contains(&secrets[1]));

    restrict(&db, "fc:4");

    // As a family member: a stub, with the relationship kept and nothing else, not even his id.
    let view = show(&db, "sw.alice", &["fc:1", "-o", "json"]);
    hides(&view.ok().stdout, &secrets);
    assert!(!names_id(&view.stdout, 4), "{}", view.stdout);
    let view = view.json();
    let tyler = stub(&view);
    assert_eq!(tyler["id"], "restricted:1");
    assert_eq!(tyler["restricted"], true);
    assert_eq!(tyler["restrictedAccess"], "withheld");
    assert_eq!(tyler["relationship"], "half_sibling");
    assert_eq!(tyler["relationshipToId"], "fc:1");
    assert_eq!(tyler["services"], json!([]));
    for key in [
        "cmsId",
        "dateOfBirth",
        "gender",
        "address",
        "addressDetail",
        "age",
    ] {
        assert!(tyler.get(key).is_none(), "{key} in the stub: {tyler}");
    }
    assert_eq!(member(&view, "fc:2")["firstName"], "Joanne");
    let row = last_row(&db, "viewed_family");
    let persons: Vec<i64> = row.get("persons_disclosed");
    assert!(!persons.contains(&4), "{persons:?}");
    assert!(persons.contains(&2));
    assert_eq!(
        row.get::<_, Value>("details")["restricted_withheld"],
        json!([4])
    );
    assert!(!row.get::<_, bool>("break_glass"));

    // The tables say so, and how to get access, and nothing of him.
    for extra in [&[][..], &["--wide"][..]] {
        let mut args = vec!["fc:1"];
        args.extend_from_slice(extra);
        let table = show(&db, "sw.alice", &args);
        let out = &table.ok().stdout;
        hides(out, &secrets);
        assert!(!names_id(out, 4), "{out}");
        assert!(out.contains("restricted person"), "{out}");
        assert!(
            out.contains("restricted member of fc:1's family") && out.contains("--break-glass"),
            "{out}"
        );
    }

    // As the subject: the stub alone, no family, no household.
    let alone = show(
        &db,
        "sw.alice",
        &["fc:4", "--depth", "3", "--household", "-o", "json"],
    );
    let out = alone.ok().stdout.clone();
    hides(&out, &secrets);
    for other in ["Larkspur", "Whitfield", "Joanne", "Bennett"] {
        assert!(
            !out.contains(other),
            "{other} shown with a withheld subject: {out}"
        );
    }
    let alone = alone.json();
    assert_eq!(alone["person"]["restrictedAccess"], "withheld");
    assert_eq!(alone["family"], json!([]));
    let row = last_row(&db, "viewed_family");
    assert_eq!(row.get::<_, Option<i64>>("subject_person"), Some(4));
    assert!(row.get::<_, Vec<i64>>("persons_disclosed").is_empty());
    let table = show(&db, "sw.alice", &["fc:4"]);
    hides(&table.ok().stdout, &secrets);

    // As a search result: left out, and left out of the count.
    // (Only his first name: other Whitfields of the demo data may share a date of birth.)
    let whitfields: i64 = db
        .superuser()
        .query_one(
            "SELECT count(*) FROM fc.person WHERE lower(last_name) = 'whitfield'",
            &[],
        )
        .unwrap()
        .get(0);
    let search = db.run(
        "sw.alice",
        &[
            "person",
            "search",
            "--last-name",
            "Whitfield",
            "--reason",
            REASON,
            "-o",
            "json",
        ],
    );
    hides(&search.ok().stdout, &secrets[..1]);
    let page = search.json();
    let results = page["results"].as_array().unwrap();
    assert!(results.iter().all(|p| p["id"] != "fc:4"), "{page}");
    assert!(
        results.iter().all(|p| p.get("restricted").is_none()),
        "{page}"
    );
    assert_eq!(page["paginationInfo"]["totalResults"], whitfields - 1);
    let row = last_row(&db, "searched");
    assert!(!row.get::<_, Vec<i64>>("persons_disclosed").contains(&4));
    assert_eq!(
        row.get::<_, Value>("details")["restricted_withheld"],
        json!([4])
    );
    let table = db.run(
        "sw.alice",
        &[
            "person",
            "search",
            "--last-name",
            "Whitfield",
            "--reason",
            REASON,
        ],
    );
    let out = &table.ok().stdout;
    hides(out, &secrets[..1]);
    assert!(!out.contains("restricted"), "{out}");
    assert!(!names_id(out, 4), "{out}");

    // An access grant for him: shown, marked as restricted.
    let granted = db
        .run(
            "bi.admin",
            &[
                "permission",
                "grant",
                "sw.alice",
                "--person",
                "fc:4",
                "--reason",
                "allocated social worker",
                "--ticket",
                "IG-88",
                "-o",
                "json",
            ],
        )
        .ok()
        .json();
    assert_eq!(granted["effect"], "added");
    assert_eq!(granted["restricted"], true);
    let row = last_row(&db, "person_access_granted");
    assert_eq!(row.get::<_, Option<i64>>("subject_person"), Some(4));
    assert_eq!(
        row.get::<_, Option<String>>("target_user").as_deref(),
        Some("sw.alice")
    );
    let view = show(&db, "sw.alice", &["fc:1", "-o", "json"]).ok().json();
    let tyler = member(&view, "fc:4");
    assert_eq!(tyler["firstName"], "Tyler");
    assert_eq!(tyler["restrictedAccess"], "grant");
    assert!(last_row(&db, "viewed_family")
        .get::<_, Vec<i64>>("persons_disclosed")
        .contains(&4));
    let subject = show(&db, "sw.alice", &["fc:4", "-o", "json"]).ok().json();
    assert_eq!(subject["person"]["firstName"], "Tyler");
    assert!(!subject["family"].as_array().unwrap().is_empty());
    // Nobody else gains by it.
    let bob = show(&db, "eh.bob", &["fc:1", "-o", "json"]);
    hides(&bob.ok().stdout, &secrets);

    // Revoked: hidden again.
    let revoked = db
        .run(
            "bi.admin",
            &[
                "permission",
                "revoke",
                "sw.alice",
                "--person",
                "fc:4",
                "--reason",
                "case closed",
                "--yes",
                "-o",
                "json",
            ],
        )
        .ok()
        .json();
    assert_eq!(revoked["effect"], "revoked");
    assert_eq!(
        last_row(&db, "person_access_revoked").get::<_, String>("outcome"),
        "allowed"
    );
    hides(
        &show(&db, "sw.alice", &["fc:1", "-o", "json"]).ok().stdout,
        &secrets,
    );

    // Expiring: honoured until the moment it expires, not after.
    let alice = db.guid("sw.alice");
    let admin = db.guid("bi.admin");
    db.superuser()
        .execute(
            "INSERT INTO fc.person_access_grant (grantee_guid, person_id, granted_by_guid, reason, expires_at) \
             VALUES ($1, 4, $2, 'short grant', clock_timestamp() + interval '3 seconds')",
            &[&alice, &admin],
        )
        .unwrap();
    let view = show(&db, "sw.alice", &["fc:1", "-o", "json"]).ok().json();
    assert_eq!(member(&view, "fc:4")["restrictedAccess"], "grant");
    std::thread::sleep(std::time::Duration::from_secs(4));
    hides(
        &show(&db, "sw.alice", &["fc:1", "-o", "json"]).ok().stdout,
        &secrets,
    );
}

#[test]
fn the_walk_does_not_go_through_a_withheld_person() {
    let db = TestDb::new("restricted_walk");
    // The father's only relationship is his daughter: through her, her mother's side.
    let before = show(&db, "sw.alice", &["fc:6", "--depth", "2", "-o", "json"])
        .ok()
        .json();
    assert_eq!(before["family"].as_array().unwrap().len(), 5);
    restrict(&db, "fc:1");
    let after = show(&db, "sw.alice", &["fc:6", "--depth", "2", "-o", "json"]);
    let out = after.ok().stdout.clone();
    for name in ["Leah", "Joanne", "Tyler", "Susan", "Bennett"] {
        assert!(
            !out.contains(name),
            "{name} reached through a withheld person: {out}"
        );
    }
    let after = after.json();
    let ids: Vec<&str> = after["family"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["restricted:1"]);
    assert_eq!(stub(&after)["relationship"], "child");
    assert_eq!(stub(&after)["relationshipToId"], "fc:6");
}

#[test]
fn breaking_the_glass_discloses_is_marked_and_listed_for_ig() {
    let db = TestDb::new("restricted_glass");
    grant_everything(&db, "sw.alice");
    restrict(&db, "fc:4");

    // Without a reason: refused by the database, and the attempt recorded as break-glass.
    let refused = db.run(
        "sw.alice",
        &["family", "show", "fc:1", "--break-glass", "-o", "json"],
    );
    refused.code(2);
    assert!(
        refused.stderr.contains("breaking the glass needs a reason"),
        "{}",
        refused.stderr
    );
    assert!(refused.stdout.is_empty());
    let row = last_row(&db, "viewed_family");
    assert_eq!(row.get::<_, String>("outcome"), "denied");
    assert!(
        row.get::<_, bool>("break_glass"),
        "a refused attempt stays marked"
    );

    // With a reason: disclosed, marked, and said so.
    let glass = db.run(
        "sw.alice",
        &[
            "family",
            "show",
            "fc:1",
            "--break-glass",
            "--reason",
            GLASS,
            "-o",
            "json",
        ],
    );
    glass.ok();
    assert!(
        glass.stderr.contains("broke the glass for fc:4"),
        "{}",
        glass.stderr
    );
    let view = glass.json();
    let tyler = member(&view, "fc:4");
    assert_eq!(tyler["firstName"], "Tyler");
    assert_eq!(tyler["restrictedAccess"], "break_glass");
    let row = last_row(&db, "viewed_family");
    assert_eq!(row.get::<_, String>("outcome"), "allowed");
    assert!(row.get::<_, bool>("break_glass"));
    assert!(row.get::<_, Vec<i64>>("persons_disclosed").contains(&4));
    assert_eq!(
        row.get::<_, Value>("details")["break_glass_disclosed"],
        json!([4])
    );
    assert_eq!(
        row.get::<_, Option<String>>("reason").as_deref(),
        Some(GLASS)
    );

    // Nothing withheld (the father's family at depth 1 is his daughter): no glass broken, the
    // row not marked.
    let nothing = db.run(
        "sw.alice",
        &[
            "family",
            "show",
            "fc:6",
            "--break-glass",
            "--reason",
            GLASS,
            "-o",
            "json",
        ],
    );
    nothing.ok();
    assert!(
        nothing.stderr.contains("no glass was broken"),
        "{}",
        nothing.stderr
    );
    let row = last_row(&db, "viewed_family");
    assert!(!row.get::<_, bool>("break_glass"));
    assert_eq!(
        row.get::<_, Value>("details")["break_glass_requested"],
        true
    );

    // A search never breaks the glass.
    let mut alice = db.sign_in("sw.alice").unwrap();
    let searched: Value = alice
        .query_one(
            "SELECT fc_api.person_search($1::jsonb)",
            &[&json!({"last_name": "Whitfield", "reason": GLASS, "break_glass": true})],
        )
        .unwrap()
        .get(0);
    assert_eq!(searched["outcome"], "denied", "{searched}");

    // The chain still verifies with the marked rows in it.
    db.run("ig.officer", &["audit", "verify"]).ok();

    // IG's list: the refused attempt and the disclosure, newest first; not the unmarked one.
    let listed = db
        .run("ig.officer", &["audit", "break-glass", "-o", "json"])
        .ok()
        .json();
    let entries = listed["entries"].as_array().unwrap();
    let lookups: Vec<&Value> = entries
        .iter()
        .filter(|e| e["action"] == "viewed_family")
        .collect();
    assert_eq!(lookups.len(), 2, "{listed}");
    assert_eq!(lookups[0]["outcome"], "allowed");
    assert_eq!(lookups[0]["break_glass_persons"], json!([4]));
    assert_eq!(lookups[0]["actor_account"], "sw.alice");
    assert_eq!(lookups[0]["reason"], GLASS);
    assert_eq!(lookups[1]["outcome"], "denied");
    assert!(lookups[1]["error"]
        .as_str()
        .unwrap()
        .contains("needs a reason"));
    assert!(entries.iter().all(|e| e["subject_person"] != 6));
    let table = db.run("ig.officer", &["audit", "break-glass", "--since", "1d"]);
    assert!(table.ok().stdout.contains("sw.alice"), "{}", table.stdout);
    let row = last_row(&db, "break_glass_listed");
    assert_eq!(row.get::<_, String>("actor_account"), "ig.officer");
    assert!(row.get::<_, Vec<i64>>("persons_disclosed").contains(&4));
    // Only auditors.
    db.run("sw.alice", &["audit", "break-glass"]).code(4);
}

#[test]
fn restrictions_are_set_changed_reviewed_and_lifted_by_admins_only() {
    let db = TestDb::new("restricted_admin");
    // Not an admin: refused, and recorded.
    db.run(
        "sw.alice",
        &[
            "person",
            "restrict",
            "fc:4",
            "--category",
            "adoption",
            "--reason",
            "x",
        ],
    )
    .code(4);
    assert_eq!(
        last_row(&db, "person_restricted").get::<_, String>("outcome"),
        "denied"
    );

    let set = restrict(&db, "fc:4");
    assert_eq!(set["effect"], "restricted");
    assert_eq!(set["restriction"]["category"], "high_risk");
    assert_eq!(set["restriction"]["set_by"], "bi.admin");
    let row = last_row(&db, "person_restricted");
    assert_eq!(row.get::<_, String>("outcome"), "allowed");
    assert_eq!(row.get::<_, Option<i64>>("subject_person"), Some(4));
    assert_eq!(row.get::<_, Value>("details")["category"], "high_risk");

    // Changed: the previous decision closed and kept.
    let soon: String = db
        .superuser()
        .query_one("SELECT (current_date + 10)::text", &[])
        .unwrap()
        .get(0);
    let changed = db
        .run(
            "bi.admin",
            &[
                "person",
                "restrict",
                "fc:4",
                "--category",
                "other",
                "--reason",
                "risk reassessed at review",
                "--review-by",
                &soon,
                "-o",
                "json",
            ],
        )
        .ok()
        .json();
    assert_eq!(changed["effect"], "changed");
    assert_eq!(changed["previous"]["category"], "high_risk");
    assert_eq!(changed["restriction"]["review_by"], soon.as_str());
    let row = last_row(&db, "person_restriction_changed");
    assert_eq!(
        row.get::<_, Value>("details")["previous_category"],
        "high_risk"
    );
    // A review date in the past, or beyond a year: refused.
    db.run(
        "bi.admin",
        &[
            "person",
            "restrict",
            "fc:4",
            "--category",
            "other",
            "--reason",
            "x",
            "--review-by",
            "2001-01-01",
        ],
    )
    .code(2);

    // The review list: due within 30 days, not within 5.
    let due = db
        .run(
            "bi.admin",
            &["person", "restrictions", "--due-within", "30", "-o", "json"],
        )
        .ok()
        .json();
    let listed = due["restrictions"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{due}");
    assert_eq!(listed[0]["person"], "fc:4");
    assert_eq!(listed[0]["days_left"], 10);
    assert_eq!(listed[0]["due"], false);
    assert_eq!(
        last_row(&db, "restrictions_reviewed").get::<_, Vec<i64>>("persons_disclosed"),
        vec![4]
    );
    let later = db
        .run(
            "bi.admin",
            &["person", "restrictions", "--due-within", "5", "-o", "json"],
        )
        .ok()
        .json();
    assert_eq!(later["restrictions"], json!([]));
    let table = db.run("bi.admin", &["person", "restrictions"]);
    assert!(
        table.ok().stdout.contains("in 10 day(s)"),
        "{}",
        table.stdout
    );
    db.run("sw.alice", &["person", "restrictions"]).code(4);

    // Nobody grants themselves access.
    db.run(
        "bi.admin",
        &[
            "permission",
            "grant",
            "bi.admin",
            "--person",
            "fc:4",
            "--reason",
            "curious",
        ],
    )
    .code(4);
    assert_eq!(
        last_row(&db, "person_access_granted").get::<_, String>("outcome"),
        "denied"
    );

    // Lifted: shown again; lifting twice is refused.
    let lifted = db
        .run(
            "bi.admin",
            &[
                "person",
                "unrestrict",
                "fc:4",
                "--reason",
                "risk ended",
                "--yes",
                "-o",
                "json",
            ],
        )
        .ok()
        .json();
    assert_eq!(lifted["effect"], "lifted");
    let row = last_row(&db, "person_unrestricted");
    assert_eq!(row.get::<_, Option<i64>>("subject_person"), Some(4));
    assert_eq!(
        row.get::<_, Option<String>>("reason").as_deref(),
        Some("risk ended")
    );
    let view = show(&db, "sw.alice", &["fc:1", "-o", "json"]).ok().json();
    assert_eq!(member(&view, "fc:4")["firstName"], "Tyler");
    assert!(member(&view, "fc:4").get("restricted").is_none());
    db.run(
        "bi.admin",
        &["person", "unrestrict", "fc:4", "--reason", "again", "--yes"],
    )
    .code(2);
    let history: Vec<(String, Option<String>)> = db
        .superuser()
        .query(
            "SELECT category, ended_how FROM fc.person_restriction WHERE person_id = 4 ORDER BY id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        history,
        [
            ("high_risk".to_string(), Some("changed".to_string())),
            ("other".to_string(), Some("lifted".to_string()))
        ]
    );
}

#[test]
fn the_api_service_path_is_masked_the_same_way() {
    let db = TestDb::new("restricted_service");
    restrict(&db, "fc:4");
    let bob = db.guid("eh.bob");
    let acting =
        json!({"guid": bob, "account": "eh.bob", "display": "Bob Evans", "roles": ["user"]});
    let mut api = connect(&db.service_url());
    let mut lookup = |request: Value| -> Value {
        let envelope: Value = api
            .query_one("SELECT fc_api.family_show($1::jsonb)", &[&request])
            .unwrap()
            .get(0);
        let ticket: uuid::Uuid = envelope["ticket"]
            .as_str()
            .unwrap_or_else(|| panic!("{envelope}"))
            .parse()
            .unwrap();
        api.query_one("SELECT fc_api.collect($1)", &[&ticket])
            .unwrap()
            .get(0)
    };
    let view = lookup(json!({"id": "fc:1", "reason": "api lookup", "as": acting}));
    assert!(!view.to_string().contains("Tyler"), "{view}");
    assert!(!names_id(&view.to_string(), 4), "{view}");
    assert_eq!(stub(&view)["relationship"], "half_sibling");
    let view = lookup(json!({"id": "fc:1", "reason": GLASS, "break_glass": true, "as": acting}));
    assert_eq!(member(&view, "fc:4")["firstName"], "Tyler");
    let row = last_row(&db, "viewed_family");
    assert_eq!(row.get::<_, String>("actor_account"), "eh.bob");
    assert!(row.get::<_, bool>("break_glass"));
}

#[test]
fn operators_cannot_read_or_write_the_restriction_tables() {
    let db = TestDb::new("restricted_tables");
    for account in ["sw.alice", "bi.admin", "ig.officer"] {
        let mut session = db.sign_in(account).unwrap();
        for sql in [
            "SELECT * FROM fc.person_restriction",
            "SELECT * FROM fc.person_access_grant",
            "INSERT INTO fc.person_restriction (person_id, category, reason, review_by, set_by_guid) \
             VALUES (4, 'other', 'x', current_date + 1, gen_random_uuid())",
            "INSERT INTO fc.person_access_grant (grantee_guid, person_id, granted_by_guid, reason) \
             VALUES (gen_random_uuid(), 4, gen_random_uuid(), 'x')",
            "DELETE FROM fc.person_restriction",
        ] {
            let err = session.batch_execute(sql).expect_err(sql);
            assert_eq!(
                err.code().map(|c| c.code()),
                Some("42501"),
                "{account}: {sql}: {err}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// An adoption: Ruby (born 2019) lives with her adoptive parents Helen and Peter Ashdown; her birth
// mother Amber Quill lives elsewhere. The warehouse records Ruby as the child of both mothers,
// and Peter only as Helen's partner. Ids far above the demo data's.

const AMBER: i64 = 990_000_001;
const HELEN: i64 = 990_000_002;
const PETER: i64 = 990_000_003;
const RUBY: i64 = 990_000_004;
const RUBY_BORN: &str = "2019-03-14";

fn adoption(db: &TestDb) {
    db.superuser()
        .batch_execute(&format!(
            "INSERT INTO fc.person (id, first_name, last_name, date_of_birth, gender, address_line, postcode, uprn) VALUES \
               ({AMBER}, 'Amber', 'Quill', '1996-11-02', 'Female', '9 Heron Walk, Kestrelford', 'KV1 9HW', 990000000001), \
               ({HELEN}, 'Helen', 'Ashdown', '1981-05-20', 'Female', '2 Beech Lane, Ashby Moor', 'KV2 2BL', 990000000002), \
               ({PETER}, 'Peter', 'Ashdown', '1979-01-08', 'Male', '2 Beech Lane, Ashby Moor', 'KV2 2BL', 990000000002), \
               ({RUBY}, 'Ruby', 'Ashdown', '{RUBY_BORN}', 'Female', '2 Beech Lane, Ashby Moor', 'KV2 2BL', 990000000002); \
             INSERT INTO fc.relationship (person_id, related_person_id, relationship_type) VALUES \
               ({AMBER}, {RUBY}, 'parent'), ({HELEN}, {RUBY}, 'parent'), ({HELEN}, {PETER}, 'partner');"
        ))
        .unwrap();
    db.run(
        "bi.admin",
        &[
            "person",
            "restrict",
            &format!("fc:{RUBY}"),
            "--category",
            "adoption",
            "--reason",
            "placement order, adoption panel 12",
        ],
    )
    .ok();
}

/// What must never reach sw.alice's stdout about Ruby while she is withheld.
fn ruby_secrets() -> Vec<String> {
    vec![
        "Ruby".into(),
        RUBY_BORN.into(),
        RUBY.to_string(),
        format!("fc:{RUBY}"),
    ]
}

fn grant_ruby(db: &TestDb) {
    db.run(
        "bi.admin",
        &[
            "permission",
            "grant",
            "sw.alice",
            "--person",
            &format!("fc:{RUBY}"),
            "--reason",
            "allocated adoption support worker",
        ],
    )
    .ok();
}

fn withheld_ids(row: &postgres::Row) -> Value {
    row.get::<_, Value>("details")["restricted_withheld"].clone()
}

#[test]
fn a_withheld_child_is_not_a_member_of_the_household_she_lives_in() {
    let db = TestDb::new("restricted_household");
    adoption(&db);
    let peter = format!("fc:{PETER}");

    // The adoptive father's household: Helen, and not a word of Ruby.
    let view = show(&db, "sw.alice", &[&peter, "--household", "-o", "json"]);
    hides(&view.ok().stdout, &ruby_secrets());
    let view = view.json();
    let family = view["family"].as_array().unwrap();
    assert_eq!(family.len(), 1, "{view}");
    assert_eq!(family[0]["id"], format!("fc:{HELEN}"));
    assert_eq!(family[0]["relationship"], "partner");
    assert!(
        family
            .iter()
            .all(|p| p["relationship"] != "household_member" && p.get("restricted").is_none()),
        "{view}"
    );
    // IG still reads whom the lookup left out.
    let row = last_row(&db, "viewed_family");
    assert_eq!(withheld_ids(&row), json!([RUBY]));
    assert!(!row.get::<_, Vec<i64>>("persons_disclosed").contains(&RUBY));
    for wide in [false, true] {
        let mut args = vec![peter.as_str(), "--household"];
        if wide {
            args.push("--wide");
        }
        let table = show(&db, "sw.alice", &args);
        let out = &table.ok().stdout;
        hides(out, &ruby_secrets());
        assert!(out.contains("Helen"), "{out}");
        for said in ["restricted person", "restricted:1", "withheld", "household"] {
            assert!(!out.contains(said), "{said:?} in:\n{out}");
        }
    }

    // With an access grant for her: a member of the household, shown as restricted.
    grant_ruby(&db);
    let view = show(&db, "sw.alice", &[&peter, "--household", "-o", "json"])
        .ok()
        .json();
    let ruby = member(&view, &format!("fc:{RUBY}"));
    assert_eq!(ruby["relationship"], "household_member");
    assert_eq!(ruby["firstName"], "Ruby");
    assert_eq!(ruby["restrictedAccess"], "grant");
    let table = show(&db, "sw.alice", &[&peter, "--household"]);
    let out = &table.ok().stdout;
    for said in ["Ruby", "[restricted]", "household"] {
        assert!(out.contains(said), "{said:?} not in:\n{out}");
    }
}

#[test]
fn a_withheld_childs_stubs_do_not_link_her_two_families() {
    let db = TestDb::new("restricted_link");
    adoption(&db);
    let mut seen = Vec::new();
    for subject in [AMBER, HELEN] {
        let id = format!("fc:{subject}");
        let run = show(&db, "sw.alice", &[&id, "--depth", "2", "-o", "json"]);
        let out = run.ok().stdout.clone();
        hides(&out, &ruby_secrets());
        let view = run.json();
        let ruby = stub(&view);
        // An id of the document's own, with no person id in it; the relationship kept.
        let stub_id = ruby["id"].as_str().unwrap();
        assert_eq!(stub_id, "restricted:1", "{view}");
        assert_eq!(ruby["relationship"], "child");
        assert_eq!(ruby["relationshipToId"], id.as_str());
        assert!(
            ruby["explanation"]
                .as_str()
                .unwrap()
                .contains(&format!("restricted member of {id}'s family")),
            "{ruby}"
        );
        // The walk stops at her: neither family reaches the other.
        let other = if subject == AMBER { "Ashdown" } else { "Quill" };
        assert!(!out.contains(other), "{other} reached through Ruby: {out}");
        let row = last_row(&db, "viewed_family");
        assert_eq!(withheld_ids(&row), json!([RUBY]));
        // The table and its advice: the document's id, the subject's family.
        let table = show(&db, "sw.alice", &[&id, "--depth", "2"]);
        let text = &table.ok().stdout;
        hides(text, &ruby_secrets());
        assert!(
            text.contains("restricted:1 (child)")
                && text.contains(&format!("restricted member of {id}'s family"))
                && text.contains(&format!("family show {id} --break-glass")),
            "{text}"
        );
        seen.push(out);
    }
    assert!(seen.iter().all(|out| !names_id(out, RUBY)));

    // Breaking the glass shows her under her own id, as a grant would.
    let glass = db.run(
        "sw.alice",
        &[
            "family",
            "show",
            &format!("fc:{AMBER}"),
            "--break-glass",
            "--reason",
            GLASS,
            "-o",
            "json",
        ],
    );
    let view = glass.ok().json();
    assert_eq!(
        member(&view, &format!("fc:{RUBY}"))["restrictedAccess"],
        "break_glass"
    );
    assert!(stubs(&view).is_empty());
}

#[test]
fn a_search_says_nothing_of_a_withheld_person() {
    let db = TestDb::new("restricted_probe");
    adoption(&db);
    let search = |args: &[&str]| -> Run {
        let mut full = vec![
            "person",
            "search",
            "--reason",
            REASON,
            "--last-name",
            "Ashdown",
        ];
        full.extend_from_slice(args);
        db.run("sw.alice", &full)
    };

    // Criteria only she matches: no result, a count of none, and nothing said of her.
    for probe in [
        &["--first-name", "R", "-o", "json"][..],
        &["--dob", RUBY_BORN, "-o", "json"][..],
        &["--first-name", "Ru", "--dob", RUBY_BORN, "-o", "json"][..],
    ] {
        let run = search(probe);
        hides(&run.ok().stdout, &ruby_secrets());
        assert!(!run.stdout.contains("restricted"), "{}", run.stdout);
        let page = run.json();
        assert_eq!(page["results"], json!([]), "{page}");
        assert_eq!(page["paginationInfo"]["totalResults"], 0, "{page}");
        let row = last_row(&db, "searched");
        assert!(row.get::<_, Vec<i64>>("persons_disclosed").is_empty());
        assert_eq!(withheld_ids(&row), json!([RUBY]));
        assert_eq!(row.get::<_, Value>("details")["total"], 0);
    }
    let table = search(&["--first-name", "Ru"]);
    hides(&table.ok().stdout, &ruby_secrets());
    assert!(!table.stdout.contains("restricted"), "{}", table.stdout);
    assert!(table.stderr.contains("(0 matches)"), "{}", table.stderr);

    // Her adoptive parents are found, and counted, as ever; she is not among them.
    let page = search(&["-o", "json"]).ok().json();
    let ids: Vec<&str> = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [format!("fc:{HELEN}"), format!("fc:{PETER}")],
        "{page}"
    );
    assert_eq!(page["paginationInfo"]["totalResults"], 2);
    // A page beyond the last still counts only what she may see.
    let beyond = search(&["--page", "2", "--limit", "2", "-o", "json"])
        .ok()
        .json();
    assert_eq!(beyond["results"], json!([]));
    assert_eq!(beyond["paginationInfo"]["totalResults"], 2);

    // With an access grant for her: found, marked restricted, and counted.
    grant_ruby(&db);
    let page = search(&["--first-name", "Ru", "-o", "json"]).ok().json();
    assert_eq!(page["paginationInfo"]["totalResults"], 1);
    assert_eq!(page["results"][0]["id"], format!("fc:{RUBY}"));
    assert_eq!(page["results"][0]["firstName"], "Ruby");
    assert_eq!(page["results"][0]["restrictedAccess"], "grant");
    let row = last_row(&db, "searched");
    assert_eq!(row.get::<_, Vec<i64>>("persons_disclosed"), vec![RUBY]);
    assert!(row
        .get::<_, Value>("details")
        .get("restricted_withheld")
        .is_none());
}

/// Whether the audit row an envelope names is marked break-glass.
fn marked(db: &TestDb, envelope: &Value) -> bool {
    let id = envelope["audit_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no audit row: {envelope}"));
    db.superuser()
        .query_one("SELECT break_glass FROM fc.audit_log WHERE id = $1", &[&id])
        .unwrap()
        .get(0)
}

#[test]
fn only_a_family_lookup_marks_its_row_break_glass() {
    let db = TestDb::new("restricted_flag");
    restrict(&db, "fc:4");
    let mut alice = db.sign_in("sw.alice").unwrap();
    let mut call = |function: &str, request: Value| -> Value {
        alice
            .query_one(&format!("SELECT fc_api.{function}($1::jsonb)"), &[&request])
            .unwrap_or_else(|e| panic!("{function}: {e}"))
            .get(0)
    };

    // Any other request may carry the key: its row is not marked.
    let whoami = call("whoami", json!({"break_glass": true}));
    assert_eq!(whoami["outcome"], "recorded", "{whoami}");
    assert!(!marked(&db, &whoami), "whoami");
    let sources = call("source_list", json!({"break_glass": true}));
    assert!(!marked(&db, &sources), "source_list");
    // A search refuses to break the glass, unmarked: nothing could be broken.
    let search = call(
        "person_search",
        json!({"last_name": "Whitfield", "reason": GLASS, "break_glass": true}),
    );
    assert_eq!(search["outcome"], "denied", "{search}");
    assert!(search["error"]["message"]
        .as_str()
        .unwrap()
        .contains("does not break the glass"));
    assert!(!marked(&db, &search), "person_search");
    // A refusal the client records is marked only for a family lookup that asked to break it.
    let refused = call(
        "refused",
        json!({"action": "searched", "message": "x", "break_glass": true}),
    );
    assert!(!marked(&db, &refused), "refused search");
    let refused = call(
        "refused",
        json!({"action": "viewed_family", "message": "x", "break_glass": true}),
    );
    assert!(marked(&db, &refused), "refused break-glass lookup");
    let refused = call(
        "refused",
        json!({"action": "viewed_family", "message": "x"}),
    );
    assert!(!marked(&db, &refused), "refused lookup");

    // The family lookup reads it: a refused break-glass request stays marked, a lookup that
    // broke it is marked, one that did not ask is not.
    let no_reason = call("family_show", json!({"id": "fc:1", "break_glass": true}));
    assert_eq!(no_reason["outcome"], "denied", "{no_reason}");
    assert!(marked(&db, &no_reason), "refused break-glass lookup");
    let broken = call(
        "family_show",
        json!({"id": "fc:1", "reason": GLASS, "break_glass": true}),
    );
    assert!(marked(&db, &broken), "break-glass lookup");
    let plain = call("family_show", json!({"id": "fc:1", "reason": REASON}));
    assert!(!marked(&db, &plain), "lookup");

    // IG's list holds the family lookups alone.
    let listed = db
        .run("ig.officer", &["audit", "break-glass", "-o", "json"])
        .ok()
        .json();
    let actions: Vec<&str> = listed["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["viewed_family"; 3], "{listed}");
}

#[test]
fn a_break_glass_lookup_refused_by_the_directory_is_marked() {
    let db = TestDb::new("restricted_ad_glass");
    restrict(&db, "fc:4");
    // ig.officer holds no user role: famctx's AD check refuses, and records the attempt.
    db.run(
        "ig.officer",
        &["family", "show", "fc:1", "--break-glass", "--reason", GLASS],
    )
    .code(4);
    let row = last_row(&db, "viewed_family");
    assert_eq!(row.get::<_, String>("actor_account"), "ig.officer");
    assert_eq!(row.get::<_, String>("outcome"), "denied");
    assert_eq!(
        row.get::<_, Value>("details")["refused_by"],
        "directory check"
    );
    assert!(
        row.get::<_, bool>("break_glass"),
        "a refused attempt is marked"
    );
    // Not when it did not ask to break the glass.
    db.run(
        "ig.officer",
        &["family", "show", "fc:1", "--reason", REASON],
    )
    .code(4);
    assert!(!last_row(&db, "viewed_family").get::<_, bool>("break_glass"));
    // IG's list shows the attempt.
    let listed = db
        .run("ig.officer", &["audit", "break-glass", "-o", "json"])
        .ok()
        .json();
    let entries = listed["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{listed}");
    assert_eq!(entries[0]["actor_account"], "ig.officer");
    assert_eq!(entries[0]["outcome"], "denied");
}
