//! Family lookup on the showcase family of the demo data.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::*;

const REASON: &str = "s47 enquiry, case 1234";

fn show(db: &TestDb, account: &str, args: &[&str]) -> Value {
    let mut full = vec!["family", "show", "-o", "json", "--reason", REASON];
    full.extend_from_slice(args);
    db.run(account, &full).ok().json()
}

fn everyone(view: &Value) -> Vec<Value> {
    let mut all = vec![view["person"].clone()];
    all.extend(view["family"].as_array().unwrap().iter().cloned());
    all
}

fn relation(view: &Value, id: &str) -> Option<(String, String)> {
    view["family"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .map(|p| {
            (
                p["relationship"].as_str().unwrap().to_string(),
                p["relationshipToId"].as_str().unwrap().to_string(),
            )
        })
}

fn service<'a>(view: &'a Value, person: &str, source: &str) -> &'a Value {
    let p = if view["person"]["id"] == person {
        &view["person"]
    } else {
        view["family"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == person)
            .expect("person shown")
    };
    p["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["dataSource"] == source)
        .expect("source listed")
}

#[test]
fn relationships_resolve_both_ways_at_depth_one_and_two() {
    let db = TestDb::new("family_depth");
    let view = show(&db, "sw.alice", &["fc:1"]);
    assert_eq!(view["person"]["id"], "fc:1");
    assert_eq!(view["person"]["cmsId"], "CMS-0001");
    assert_eq!(view["person"]["age"], 9);
    let rel = |id| relation(&view, id).map(|(r, to)| format!("{r} of {to}"));
    assert_eq!(rel("fc:2").as_deref(), Some("parent of fc:1"));
    assert_eq!(rel("fc:6").as_deref(), Some("parent of fc:1"));
    assert_eq!(rel("fc:3").as_deref(), Some("step_parent of fc:1"));
    assert_eq!(rel("fc:4").as_deref(), Some("half_sibling of fc:1"));
    assert_eq!(rel("fc:5").as_deref(), Some("grandparent of fc:1"));

    // From the mother, the inverse direction: fc:1 is her child.
    let mother = show(&db, "sw.alice", &["cms:CMS-0001"]);
    assert_eq!(mother["person"]["id"], "fc:1");
    let from_mother = show(&db, "sw.alice", &["2"]);
    assert_eq!(
        relation(&from_mother, "fc:1").unwrap(),
        ("child".into(), "fc:2".into())
    );
    assert_eq!(
        relation(&from_mother, "fc:5").unwrap(),
        ("parent".into(), "fc:2".into())
    );
    assert_eq!(
        relation(&from_mother, "fc:3").unwrap(),
        ("partner".into(), "fc:2".into())
    );

    // The father lives elsewhere: at depth 1 only his child, at depth 2 the rest through her.
    let one = show(&db, "sw.alice", &["fc:6"]);
    let ids: BTreeSet<String> = one["family"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().into())
        .collect();
    assert_eq!(ids, BTreeSet::from(["fc:1".to_string()]));
    let two = show(&db, "sw.alice", &["fc:6", "--depth", "2"]);
    let ids: BTreeSet<String> = two["family"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().into())
        .collect();
    assert_eq!(
        ids,
        ["fc:1", "fc:2", "fc:3", "fc:4", "fc:5"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
    assert_eq!(
        relation(&two, "fc:2").unwrap(),
        ("parent".into(), "fc:1".into())
    );
}

#[test]
fn household_adds_co_residents() {
    let db = TestDb::new("family_household");
    // Someone in the demo data who shares an address with a person they are not related to.
    let row = db
        .superuser()
        .query_opt(
            "SELECT a.id, b.id FROM fc.person a JOIN fc.person b ON a.uprn = b.uprn AND a.id <> b.id
             WHERE a.id > 6 AND NOT EXISTS (SELECT 1 FROM fc.relationship r
                 WHERE (r.person_id = a.id AND r.related_person_id = b.id) OR (r.person_id = b.id AND r.related_person_id = a.id))
             ORDER BY a.id, b.id LIMIT 1",
            &[],
        )
        .unwrap()
        .expect("demo data has unrelated co-residents");
    let (a, b): (i64, i64) = (row.get(0), row.get(1));
    let (a, b) = (format!("fc:{a}"), format!("fc:{b}"));
    let without = show(&db, "sw.alice", &[&a]);
    assert!(relation(&without, &b).is_none());
    let with = show(&db, "sw.alice", &[&a, "--household"]);
    assert_eq!(
        relation(&with, &b).unwrap(),
        ("household_member".into(), a.clone())
    );
}

#[test]
fn sources_need_a_current_grant() {
    let db = TestDb::new("family_grants");
    let view = show(&db, "sw.alice", &["fc:2"]);
    let housing = service(&view, "fc:2", "housing");
    assert_eq!(housing["status"], "restricted");
    assert!(housing.get("detail").is_none());
    assert!(
        !view.to_string().contains("rentArrears"),
        "nothing of housing leaks"
    );

    db.grant_sql("sw.alice", "housing", None);
    let view = show(&db, "sw.alice", &["fc:2"]);
    let housing = service(&view, "fc:2", "housing");
    assert_eq!(housing["status"], "shown");
    assert_eq!(housing["detail"]["summary"]["recordsAvailable"], true);
    // The current record as the reference's Housing object.
    assert_eq!(housing["detail"]["data"]["rentArrears"], "open");
    assert_eq!(housing["detail"]["data"]["serviceInvolvement"], "current");
    assert!(housing["detail"]["summary"]["lastSynchronised"].is_string());
    // Someone with no housing record: the absence is explained.
    let none = service(&view, "fc:3", "housing");
    assert_eq!(none["detail"]["summary"]["recordsAvailable"], false);
    assert!(
        none["explanation"].as_str().unwrap().contains("tenant"),
        "{none}"
    );

    // Revoked: gone at once.
    db.superuser()
        .execute(
            "UPDATE fc.permission_grant SET revoked_at = clock_timestamp(), revoked_by_guid = granted_by_guid, \
             revoke_reason = 'test' WHERE source_code = 'housing'",
            &[],
        )
        .unwrap();
    let view = show(&db, "sw.alice", &["fc:2"]);
    assert_eq!(service(&view, "fc:2", "housing")["status"], "restricted");

    // Expiring: honoured until the moment it expires, not after.
    db.grant_sql("sw.alice", "housing", Some("3 seconds"));
    let view = show(&db, "sw.alice", &["fc:2"]);
    assert_eq!(service(&view, "fc:2", "housing")["status"], "shown");
    std::thread::sleep(std::time::Duration::from_secs(4));
    let view = show(&db, "sw.alice", &["fc:2"]);
    assert_eq!(service(&view, "fc:2", "housing")["status"], "restricted");
}

#[test]
fn age_rules_hide_sources_whatever_the_grants() {
    let db = TestDb::new("family_age");
    for s in [
        "school",
        "childrens_social_care",
        "adult_social_care",
        "housing",
        "police",
    ] {
        db.grant_sql("sw.alice", s, None);
    }
    let view = show(&db, "sw.alice", &["fc:1"]);
    // The 16-year-old has a police record: never shown.
    let police = service(&view, "fc:4", "police");
    assert_eq!(police["status"], "outside_age_rule");
    assert!(police.get("detail").is_none());
    assert!(
        police["explanation"].as_str().unwrap().contains("18+"),
        "{police}"
    );
    for s in ["police", "housing", "adult_social_care"] {
        assert_eq!(
            service(&view, "fc:1", s)["status"],
            "outside_age_rule",
            "{s} for a 9-year-old"
        );
    }
    assert_eq!(service(&view, "fc:1", "school")["status"], "shown");
    assert_eq!(
        service(&view, "fc:1", "childrens_social_care")["detail"]["data"]["involvementCode"],
        "cin"
    );
    assert_eq!(
        service(&view, "fc:3", "police")["detail"]["summary"]["recordsAvailable"],
        true
    );
    assert_eq!(
        service(&view, "fc:5", "adult_social_care")["detail"]["summary"]["recordsAvailable"],
        true
    );
    assert_eq!(
        service(&view, "fc:5", "school")["status"],
        "outside_age_rule"
    );
}

#[test]
fn the_audit_row_records_exactly_what_was_shown() {
    let db = TestDb::new("family_audit");
    db.grant_sql("sw.alice", "school", None);
    db.grant_sql("sw.alice", "police", None);
    let view = show(&db, "sw.alice", &["fc:6", "--depth", "2"]);
    let row = db.audit_rows().pop().unwrap();
    assert_eq!(row.get::<_, String>("action"), "viewed_family");
    assert_eq!(row.get::<_, String>("outcome"), "allowed");
    assert_eq!(
        row.get::<_, Option<String>>("reason").as_deref(),
        Some(REASON)
    );
    assert_eq!(row.get::<_, Option<i64>>("subject_person"), Some(6));
    let shown_people: BTreeSet<i64> = everyone(&view)
        .iter()
        .map(|p| {
            p["id"]
                .as_str()
                .unwrap()
                .trim_start_matches("fc:")
                .parse()
                .unwrap()
        })
        .collect();
    let audited_people: BTreeSet<i64> = row
        .get::<_, Vec<i64>>("persons_disclosed")
        .into_iter()
        .collect();
    assert_eq!(shown_people, audited_people);
    let shown_sources: BTreeSet<String> = everyone(&view)
        .iter()
        .flat_map(|p| p["services"].as_array().unwrap().clone())
        .filter(|s| s.get("detail").is_some())
        .map(|s| s["dataSource"].as_str().unwrap().to_string())
        .collect();
    let audited_sources: BTreeSet<String> = row
        .get::<_, Vec<String>>("sources_disclosed")
        .into_iter()
        .collect();
    assert_eq!(shown_sources, audited_sources);
    assert_eq!(
        audited_sources,
        BTreeSet::from(["police".to_string(), "school".to_string()])
    );
}

#[test]
fn bad_ids_unknown_people_and_refused_operators() {
    let db = TestDb::new("family_refusals");
    let unknown = db.run(
        "sw.alice",
        &["family", "show", "fc:999999999", "--reason", REASON],
    );
    unknown.code(5);
    assert!(unknown.stdout.is_empty());
    let row = db.audit_rows().pop().unwrap();
    assert_eq!(row.get::<_, String>("outcome"), "not_found");
    assert_eq!(row.get::<_, String>("action"), "viewed_family");

    for bad in ["person-1", "fc:abc", "cms:", "1; DROP TABLE fc.person"] {
        let run = db.run("sw.alice", &["family", "show", bad, "--reason", REASON]);
        run.code(2);
        assert!(run.stderr.contains("fc:<number>"), "{}", run.stderr);
    }
    for reason in ["", "   ", "a\u{202e}b"] {
        db.run("sw.alice", &["family", "show", "fc:1", "--reason", reason])
            .code(2);
    }
    let no_reason = db.run("sw.alice", &["family", "show", "fc:1"]);
    no_reason.code(2);
    assert!(no_reason.stderr.contains("--reason is required"));

    let disabled = db.run(
        "dan.disabled",
        &["family", "show", "fc:1", "--reason", REASON],
    );
    disabled.code(3);
    assert!(disabled.stdout.is_empty());
    let auditor = db.run(
        "ig.officer",
        &["family", "show", "fc:1", "--reason", REASON],
    );
    auditor.code(4);
    let row = db.audit_rows().pop().unwrap();
    assert_eq!(row.get::<_, String>("outcome"), "denied");
    assert_eq!(
        row.get::<_, Vec<i64>>("persons_disclosed"),
        Vec::<i64>::new()
    );
    assert_eq!(
        row.get::<_, Option<i64>>("subject_person"),
        Some(1),
        "IG sees who tried to look at fc:1"
    );
}

#[test]
fn the_lookup_query_uses_indexes() {
    let db = TestDb::new("family_plan");
    let mut su = db.superuser();
    su.batch_execute("SET enable_seqscan = off").unwrap();
    // The lookup's statement is the body of fc.family_document, the function fc_api.family_show
    // calls; its parameters become $1..$5.
    let body: String = su
        .query_one(
            "SELECT prosrc FROM pg_proc WHERE oid = 'fc.family_document'::regproc",
            &[],
        )
        .unwrap()
        .get(0);
    let sql = body
        .replace("p_guid", "$1::uuid")
        .replace("p_person", "$2::bigint")
        .replace("p_depth", "$3::int")
        .replace("p_household", "$4::boolean")
        .replace("p_break_glass", "$5::boolean")
        .trim()
        .trim_end_matches(';')
        .to_string();
    let guid = uuid::Uuid::nil();
    let rows = su
        .query(
            &format!("EXPLAIN {sql}"),
            &[&guid, &1i64, &3i32, &true, &false],
        )
        .unwrap();
    let plan: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    let plan = plan.join("\n");
    for table in [
        "person",
        "relationship",
        "school_record",
        "childrens_social_care_record",
        "adult_social_care_record",
        "housing_record",
        "police_record",
    ] {
        assert!(
            !plan.contains(&format!("Seq Scan on {table}")),
            "sequential scan on {table}:\n{plan}"
        );
    }
}

fn table(db: &TestDb, extra: &[&str]) -> String {
    let mut args = vec!["family", "show", "fc:1", "--reason", REASON];
    args.extend_from_slice(extra);
    db.run_with(
        "sw.alice",
        &password("sw.alice"),
        &[("COLUMNS", "200".into())],
        &args,
    )
    .ok()
    .stdout
    .clone()
}

/// The row of the person `id` in the table at the top.
fn row<'a>(grid: &'a str, id: &str) -> &'a str {
    let rows: Vec<&str> = grid
        .lines()
        .filter(|l| l.starts_with(&format!("| {id} ")))
        .collect();
    assert_eq!(rows.len(), 1, "one row for {id}:\n{grid}");
    rows[0]
}

#[test]
fn the_table_has_a_row_per_person_then_a_section_per_source_shown() {
    let db = TestDb::new("family_table");
    db.grant_sql("sw.alice", "school", None);
    db.grant_sql("sw.alice", "childrens_social_care", None);
    let out = table(&db, &[]);
    let grid = out.split("\nSchool (").next().unwrap();
    for id in ["fc:1", "fc:2", "fc:3", "fc:4", "fc:5", "fc:6"] {
        row(grid, id);
    }
    // A column a source, a short status a cell.
    let header = grid.lines().next().unwrap();
    for source in [
        "school",
        "childrens social care",
        "adult social care",
        "housing",
        "police",
    ] {
        assert!(header.contains(source), "{source}: {header}");
    }
    let leah = row(grid, "fc:1");
    for text in [
        "Leah Carter",
        "subject",
        " 9 ",
        "1 record ",
        "2 records",
        "restricted",
    ] {
        assert!(leah.contains(text), "{text}: {leah}");
    }
    let tyler = row(grid, "fc:4");
    for text in ["half sibling", "3 records", "none held"] {
        assert!(tyler.contains(text), "{text}: {tyler}");
    }
    assert!(row(grid, "fc:2").contains("outside age rule"));
    // Homes: the person's first, then each other address once.
    assert!(row(grid, "fc:2").contains("| A "));
    assert!(row(grid, "fc:5").contains("| B "));
    assert!(grid.contains("home A: 14 Larkspur Close"), "{grid}");
    assert!(grid.lines().count() < 15, "compact:\n{grid}");
    assert!(
        !grid.contains("not shown:"),
        "explanations only with --wide"
    );

    // A section for each source shown, with its records; none for the restricted ones.
    let sections = &out[grid.len()..];
    for text in [
        "School (synchronised ",
        "Kestrelford Primary School",
        "Thornleigh Academy Sixth Form",
        "Children's Social Care (synchronised ",
        "Child in Need Team 2",
        "fc:4 Tyler Whitfield: Not known to children's social care",
    ] {
        assert!(sections.contains(text), "{text} missing from:\n{sections}");
    }
    for restricted in ["Police (", "Housing (", "Adult Social Care ("] {
        assert!(!out.contains(restricted), "{restricted}\n{out}");
    }
    assert!(!out.contains('\u{1b}'), "no colour through a pipe");
}

#[test]
fn wide_keeps_every_detail() {
    let db = TestDb::new("family_wide");
    db.grant_sql("sw.alice", "school", None);
    let out = table(&db, &["--wide"]);
    for text in [
        "Leah Carter",
        "CMS-0001",
        "parent of fc:1",
        "14 Larkspur Close, Kestrelford, KV1 4QD (UPRN 100012340001)",
        "restricted: you hold no current grant on Police",
        "not shown: School is shown only for ages 4-20 (this person is 34)",
        "School name: Kestrelford Primary School",
    ] {
        assert!(out.contains(text), "{text} missing from:\n{out}");
    }
    // A row per person per source, as before.
    let police_rows = out.lines().filter(|l| l.contains("| police ")).count();
    assert_eq!(police_rows, 6, "{out}");
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let db = TestDb::new("family_colour");
    db.grant_sql("sw.alice", "school", None);
    let args = ["family", "show", "fc:1", "--reason", REASON];
    let size = Some("cols 200 rows 50");
    let coloured = crate::terminal::at_terminal(&db, "sw.alice", size, &[], &args);
    coloured.ok();
    assert!(coloured.stdout.contains('\u{1b}'), "{}", coloured.stdout);
    crate::terminal::within(&coloured.stdout, 200);
    for no_color in ["1", "true"] {
        let plain =
            crate::terminal::at_terminal(&db, "sw.alice", size, &[("NO_COLOR", no_color)], &args);
        plain.ok();
        assert!(!plain.stdout.contains('\u{1b}'), "{}", plain.stdout);
        assert!(plain.stdout.contains("1 record"), "{}", plain.stdout);
    }
    // At 80 columns the row continues in a second table that repeats the id.
    let narrow = crate::terminal::at_terminal(&db, "sw.alice", Some("cols 80 rows 50"), &[], &args);
    crate::terminal::within(&narrow.ok().stdout, 80);
    // The JSON is the reference API's document, whatever the terminal.
    let json = crate::terminal::at_terminal(
        &db,
        "sw.alice",
        size,
        &[],
        &["family", "show", "fc:1", "-o", "json", "--reason", REASON],
    );
    assert!(!json.ok().stdout.contains('\u{1b}'));
    let doc: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["person"]["id"], "fc:1");
}
