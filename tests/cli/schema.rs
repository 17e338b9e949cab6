//! Every `-o json` document famctx prints, from the real servers, against the JSON Schemas
//! published in schema/; and the reads a client written against the reference Family Context
//! API makes, from real output.

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::Value;

use crate::support::*;

const WHY: &str = "s47 enquiry, case 1234";

fn schema_dir() -> PathBuf {
    repo().join("schema")
}

fn load(name: &str) -> Value {
    let path = schema_dir().join(format!("{name}.schema.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(schema)
        .unwrap_or_else(|e| panic!("not a valid JSON Schema: {e}"))
}

/// `document` is valid against schema/`name`.schema.json; every error is listed.
#[track_caller]
pub(crate) fn conforms(name: &str, document: &Value) {
    let schema = load(name);
    let v = validator(&schema);
    let errors: Vec<String> = v
        .iter_errors(document)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(20)
        .collect();
    assert!(
        errors.is_empty(),
        "{name}: the output does not match schema/{name}.schema.json:\n{}\n{}",
        errors.join("\n"),
        shorten(&document.to_string())
    );
}

/// One definition of a schema file, as a schema of its own.
#[track_caller]
fn conforms_to_def(name: &str, def: &str, document: &Value) {
    let mut schema = load(name);
    schema["$ref"] = Value::String(format!("#/$defs/{def}"));
    schema.as_object_mut().unwrap().remove("type");
    schema.as_object_mut().unwrap().remove("items");
    schema.as_object_mut().unwrap().remove("properties");
    schema.as_object_mut().unwrap().remove("required");
    let v = validator(&schema);
    let errors: Vec<String> = v
        .iter_errors(document)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(20)
        .collect();
    assert!(
        errors.is_empty(),
        "{name}#/$defs/{def}:\n{}\n{}",
        errors.join("\n"),
        shorten(&document.to_string())
    );
}

fn shorten(s: &str) -> String {
    s.chars().take(2000).collect()
}

fn json_of(run: &Run) -> Value {
    run.json()
}

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

#[test]
fn the_published_schemas_are_draft_2020_12_and_share_their_reference_types() {
    let mut names: Vec<String> = std::fs::read_dir(schema_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".schema.json"))
        .collect();
    names.sort();
    assert!(names.len() >= 16, "{names:?}");
    for n in &names {
        let schema = load(n.trim_end_matches(".schema.json"));
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{n}"
        );
        validator(&schema);
    }
    // The reference's Person is one definition, whichever document carries it.
    assert_eq!(
        load("family-show")["$defs"]["Person"],
        load("person-search")["$defs"]["Person"]
    );
}

#[test]
fn user_documents_match_their_schemas() {
    let db = TestDb::new("schema_user");
    grant_everything(&db, "sw.alice");

    for args in [
        vec!["fc:1"],
        vec!["fc:6", "--depth", "3", "--household"],
        vec!["fc:3"],
        vec!["fc:5"],
    ] {
        let mut full = vec!["family", "show", "-o", "json", "--reason", WHY];
        full.extend(args);
        let doc = json_of(db.run("sw.alice", &full).ok());
        conforms("family-show", &doc);
        // Each shown source's data and history match the schema the document carries for it.
        let people = std::iter::once(&doc["person"]).chain(doc["family"].as_array().unwrap());
        for p in people {
            for s in p["services"].as_array().unwrap() {
                let Some(detail) = s.get("detail") else {
                    continue;
                };
                let v = validator(&detail["schema"]);
                for record in
                    std::iter::once(&detail["data"]).chain(detail["history"].as_array().unwrap())
                {
                    assert!(
                        v.is_valid(record),
                        "{} {}: {record} against {}",
                        p["id"],
                        s["dataSource"],
                        detail["schema"]
                    );
                }
            }
        }
    }
    // A source withheld by the age rule or without a grant carries no detail.
    let nothing = json_of(
        db.run(
            "eh.bob",
            &["family", "show", "fc:1", "--reason", WHY, "-o", "json"],
        )
        .ok(),
    );
    conforms("family-show", &nothing);

    for args in [
        vec!["--last-name", "Whitfield"],
        vec!["--last-name", "Whitfield", "--limit", "2", "--page", "2"],
        vec!["--last-name", "nobody-is-called-this"],
    ] {
        let mut full = vec!["person", "search", "--reason", WHY];
        full.extend(args.iter().copied());
        let mut json = full.clone();
        json.extend(["-o", "json"]);
        let page = json_of(db.run("sw.alice", &json).ok());
        conforms("person-search", &page);
        // jsonl: each element of results, unchanged, a line.
        let mut lines = full.clone();
        lines.extend(["-o", "jsonl"]);
        let run = db.run("sw.alice", &lines);
        let parsed: Vec<Value> = run
            .ok()
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(&parsed, page["results"].as_array().unwrap());
        for p in &parsed {
            conforms_to_def("person-search", "Person", p);
        }
        // csv: the same names, addressDetail flattened to dotted columns.
        let mut csv = full.clone();
        csv.extend(["-o", "csv"]);
        let run = db.run("sw.alice", &csv);
        let mut reader = csv::Reader::from_reader(run.ok().stdout.as_bytes());
        let headers = reader.headers().unwrap().clone();
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), parsed.len());
        for (row, person) in rows.iter().zip(&parsed) {
            for (h, cell) in headers.iter().zip(row.iter()) {
                let value = h
                    .split('.')
                    .fold(person, |v, k| v.get(k).unwrap_or(&Value::Null));
                let text = match value {
                    Value::Null => String::new(),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                assert_eq!(cell, text, "column {h} of {person}");
            }
        }
    }

    conforms(
        "whoami",
        &json_of(db.run("sw.alice", &["whoami", "-o", "json"]).ok()),
    );
    conforms(
        "source-list",
        &json_of(db.run("sw.alice", &["source", "list", "-o", "json"]).ok()),
    );
    conforms(
        "basis-list",
        &json_of(db.run("sw.alice", &["basis", "list", "-o", "json"]).ok()),
    );
}

#[test]
fn admin_documents_match_their_schemas() {
    let db = TestDb::new("schema_admin");
    let admin = |args: &[&str]| {
        let mut full = args.to_vec();
        full.extend(["-o", "json"]);
        json_of(db.run("bi.admin", &full).ok())
    };
    conforms(
        "permission-change",
        &admin(&[
            "permission",
            "grant",
            "sw.alice",
            "--source",
            "housing",
            "--source",
            "police",
            "--for",
            "90d",
            "--reason",
            WHY,
            "--ticket",
            "CHG-1",
        ]),
    );
    conforms(
        "permission-change",
        &admin(&[
            "permission",
            "grant",
            "sw.alice",
            "--source",
            "school",
            "--reason",
            WHY,
        ]),
    );
    conforms("permission-list", &admin(&["permission", "list"]));
    conforms(
        "permission-list",
        &admin(&["permission", "list", "sw.alice"]),
    );
    conforms(
        "permission-list",
        &admin(&[
            "permission",
            "list",
            "--source",
            "housing",
            "--include-ended",
        ]),
    );
    conforms("permission-review", &admin(&["permission", "review"]));
    conforms(
        "permission-review",
        &admin(&[
            "permission",
            "review",
            "--expiring-within",
            "365",
            "--unused-for",
            "1",
        ]),
    );
    conforms(
        "permission-change",
        &admin(&[
            "permission",
            "revoke",
            "sw.alice",
            "--source",
            "police",
            "--reason",
            WHY,
            "--yes",
        ]),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = tmpfile(
        dir.path(),
        "changes.csv",
        "action,user,source,expires,reason,ticket\n\
         grant,eh.bob,housing,2099-03-31,joined the MASH team,CHG-1042\n\
         revoke,sw.alice,housing,,moved team,CHG-1043\n\
         revoke,eh.bob,police,,never had it,\n",
        0o600,
    );
    let file = file.to_str().unwrap();
    let plan = admin(&["permission", "apply", file, "--dry-run"]);
    conforms("permission-change", &plan);
    assert_eq!(plan.as_array().unwrap().len(), 3, "{plan}");
    conforms(
        "permission-change",
        &admin(&["permission", "apply", file, "--yes"]),
    );

    // A file with bad lines: the list of its problems (exit 2), every kind the file and AD
    // can show, several on one line.
    let bad = tmpfile(
        dir.path(),
        "bad.csv",
        "action,user,source,expires,reason,ticket\n\
         grant,sw.alice,astrology,2020-01-01,,\n\
         revoke,no.such.user,police,soon,left,CHG-9\n\
         grant,eh.bob,housing,,joined\n\
         revoke,eh.bob,housing,,changed mind,\n\
         delete,*,school,,x,\n",
        0o600,
    );
    let refused = db.run(
        "bi.admin",
        &["permission", "apply", bad.to_str().unwrap(), "-o", "json"],
    );
    refused.code(2);
    let refused = json_of(&refused);
    conforms("permission-apply-problems", &refused);
    assert_eq!(refused["bad_lines"], 5, "{refused}");
    let jsonl = tmpfile(
        dir.path(),
        "bad.jsonl",
        "{\"action\":\"grant\",\"user\":\"bi.admin\",\"source\":\"school\",\"reason\":7,\"colour\":\"red\"}\nnot json\n",
        0o600,
    );
    let own = db.run(
        "bi.admin",
        &["permission", "apply", jsonl.to_str().unwrap(), "-o", "json"],
    );
    own.code(4);
    conforms("permission-apply-problems", &json_of(&own));

    // A basis added and retired: the basis changed, as `basis list` shows it.
    conforms(
        "basis-list",
        &admin(&[
            "basis",
            "add",
            "la_mash_2026",
            "--title",
            "Multi-agency safeguarding hub triage",
            "--legislation",
            "Working Together to Safeguard Children 2023",
            "--reason",
            WHY,
        ]),
    );
    conforms(
        "basis-list",
        &admin(&["basis", "retire", "la_mash_2026", "--reason", WHY, "--yes"]),
    );
    conforms("basis-list", &admin(&["basis", "list"]));

    // Roles are the cluster's: only the plan here.
    conforms("roles-sync", &admin(&["roles", "sync", "--dry-run"]));

    let report = admin(&["mdm", "validate"]);
    conforms("mdm-validate", &report);
    conforms("mdm-loads", &admin(&["mdm", "loads"]));
    conforms("mdm-loads", &admin(&["mdm", "loads", "--limit", "1"]));
    // A failing validation still prints its report (exit 7): the same schema.
    db.superuser()
        .batch_execute(
            "DELETE FROM fc.relationship WHERE person_id = 999 OR related_person_id = 999;
             DELETE FROM fc.person WHERE id = 999",
        )
        .unwrap();
    let failed = db.run("bi.admin", &["mdm", "validate", "-o", "json"]);
    failed.code(7);
    let failed = failed.json();
    assert_eq!(failed["status"], "fail");
    conforms("mdm-validate", &failed);
}

#[test]
fn auditor_documents_match_their_schemas() {
    let db = TestDb::new("schema_audit");
    db.grant_sql("sw.alice", "school", None);
    db.run("sw.alice", &["family", "show", "fc:1", "--reason", WHY])
        .ok();
    db.run(
        "sw.alice",
        &[
            "family",
            "show",
            "fc:4",
            "--reason",
            WHY,
            "--basis",
            "ca1989_s47",
        ],
    )
    .ok();
    db.run("ig.officer", &["family", "show", "fc:1", "--reason", WHY])
        .code(4);
    db.run(
        "sw.alice",
        &["person", "search", "--last-name", "Carter", "--reason", WHY],
    )
    .ok();
    let audit = |args: &[&str]| {
        let mut full = vec!["audit"];
        full.extend_from_slice(args);
        full.extend(["-o", "json"]);
        json_of(db.run("ig.officer", &full).ok())
    };
    let rows = audit(&["search"]);
    conforms("audit-search", &rows);
    assert!(rows.as_array().unwrap().len() >= 3);
    conforms("audit-search", &audit(&["search", "--outcome", "denied"]));
    conforms(
        "audit-search",
        &audit(&["search", "--person", "fc:1", "--limit", "2"]),
    );
    // jsonl: one AuditEntry a line, as in the JSON.
    let lines = db.run("ig.officer", &["audit", "search", "-o", "jsonl"]);
    for l in lines.ok().stdout.lines() {
        conforms_to_def(
            "audit-search",
            "AuditEntry",
            &serde_json::from_str(l).unwrap(),
        );
    }
    let exported = db.run("ig.officer", &["audit", "export", "-o", "jsonl"]);
    for l in exported.ok().stdout.lines() {
        conforms_to_def(
            "audit-search",
            "AuditEntry",
            &serde_json::from_str(l).unwrap(),
        );
    }
    conforms("audit-person", &audit(&["person", "fc:1"]));
    conforms("audit-person", &audit(&["person", "fc:999"]));
    conforms("audit-stats", &audit(&["stats"]));
    conforms("audit-stats", &audit(&["stats", "--since", "7d"]));
    conforms("audit-verify", &audit(&["verify"]));
    let head = audit(&["checkpoint"]);
    conforms("audit-checkpoint", &head);
    let dir = tempfile::tempdir().unwrap();
    let saved = tmpfile(dir.path(), "head.json", &head.to_string(), 0o600);
    conforms(
        "audit-verify",
        &audit(&["verify", "--checkpoint", saved.to_str().unwrap()]),
    );
}

// --- a client written against the reference API ---------------------------------------------
// Its types, as the reference's OpenAPI document defines them: it knows nothing of famctx.

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefPerson {
    id: String,
    cms_id: Option<String>,
    first_name: String,
    last_name: String,
    date_of_birth: Option<chrono::NaiveDate>,
    gender: Option<String>,
    address: Option<String>,
    relationship: Option<String>,
    relationship_to_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefSearchResults {
    pagination_info: RefPaginationInfo,
    results: Vec<RefPerson>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefPaginationInfo {
    total_results: i64,
    results_per_page: i64,
    page_number: i64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefServiceSummary {
    id: String,
    title: String,
    last_synchronised: Option<chrono::DateTime<chrono::Utc>>,
    data_source: String,
    records_available: bool,
    coverage_explanation: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RefServiceDetail<T> {
    summary: RefServiceSummary,
    schema: Value,
    data: T,
}

#[derive(Debug, Deserialize)]
struct RefContact {
    name: Option<String>,
    phone: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefSchool {
    service_involvement: String,
    contact: Option<RefContact>,
    school_name: String,
    admission_type: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefAdultSocialCare {
    service_involvement: String,
    local_authority_organisation: String,
    date_of_most_recent_interaction: Option<chrono::NaiveDate>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefHousing {
    housing_association: String,
    tenancy_start: Option<chrono::NaiveDate>,
    rent_arrears: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefOffence {
    date_of_offence: chrono::NaiveDate,
    type_of_offence: String,
    nature_of_involvement: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefRecordsFound {
    records_found: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefPolice {
    police_area: String,
    safe_guarding_offences: Vec<RefOffence>,
    non_safe_guarding_offences: Vec<RefRecordsFound>,
}

fn person_in<'a>(doc: &'a Value, id: &str) -> &'a Value {
    std::iter::once(&doc["person"])
        .chain(doc["family"].as_array().unwrap())
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in the document"))
}

fn detail<T: serde::de::DeserializeOwned>(
    doc: &Value,
    id: &str,
    source: &str,
) -> RefServiceDetail<T> {
    let s = person_in(doc, id)["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["dataSource"] == source)
        .unwrap();
    serde_json::from_value(s["detail"].clone()).unwrap_or_else(|e| {
        panic!("{id} {source}: a reference client cannot read the detail: {e}\n{s}")
    })
}

#[test]
fn a_reference_api_client_reads_famctx_output() {
    let db = TestDb::new("schema_client");
    grant_everything(&db, "sw.alice");
    let doc = json_of(
        db.run(
            "sw.alice",
            &[
                "family", "show", "fc:1", "--reason", WHY, "--depth", "2", "-o", "json",
            ],
        )
        .ok(),
    );

    // Person and PersonWithRelationship.
    let leah: RefPerson = serde_json::from_value(doc["person"].clone()).unwrap();
    assert_eq!(leah.id, "fc:1");
    assert_eq!(leah.cms_id.as_deref(), Some("CMS-0001"));
    assert_eq!(
        (leah.first_name.as_str(), leah.last_name.as_str()),
        ("Leah", "Carter")
    );
    assert!(leah.date_of_birth.is_some());
    assert_eq!(leah.gender.as_deref(), Some("female"));
    let address = leah.address.expect("Person.address");
    assert!(
        address.contains("Larkspur Close") && address.ends_with("KV1 4QD"),
        "{address}"
    );
    let family: Vec<RefPerson> = serde_json::from_value(doc["family"].clone()).unwrap();
    let mother = family.iter().find(|p| p.id == "fc:2").unwrap();
    assert_eq!(mother.relationship.as_deref(), Some("parent"));
    assert_eq!(mother.relationship_to_id.as_deref(), Some("fc:1"));
    for p in &family {
        assert!(p.relationship_to_id.is_some(), "{p:?}");
        assert!(
            p.gender
                .as_deref()
                .is_none_or(|g| ["male", "female", "other"].contains(&g)),
            "{p:?}"
        );
    }

    // ServiceDetail: summary, schema, data as the reference's objects.
    let school: RefServiceDetail<RefSchool> = detail(&doc, "fc:1", "school");
    assert!(school.summary.records_available);
    assert_eq!(school.summary.data_source, "school");
    assert_eq!(school.summary.title, "School");
    assert!(!school.summary.id.is_empty());
    assert!(school.summary.last_synchronised.is_some());
    assert!(school.summary.coverage_explanation.is_some());
    assert_eq!(school.data.school_name, "Kestrelford Primary School");
    assert_eq!(school.data.service_involvement, "current");
    assert!(school.data.admission_type.is_some());
    let contact = school.data.contact.expect("School.contact");
    assert_eq!(contact.name.as_deref(), Some("School office"));
    assert!(contact.phone.is_some());
    assert_eq!(
        school.schema["properties"]["schoolName"]["title"],
        "School name"
    );

    let housing: RefServiceDetail<RefHousing> = detail(&doc, "fc:2", "housing");
    assert!(housing.summary.records_available);
    assert_eq!(housing.data.rent_arrears.as_deref(), Some("open"));
    assert!(!housing.data.housing_association.is_empty());
    assert!(housing.data.tenancy_start.is_some());

    let police: RefServiceDetail<RefPolice> = detail(&doc, "fc:3", "police");
    assert!(police.summary.records_available);
    assert!(!police.data.police_area.is_empty());
    assert!(police.data.safe_guarding_offences.len() <= 3);
    let offence = &police.data.safe_guarding_offences[0];
    assert!(!offence.type_of_offence.is_empty() && !offence.nature_of_involvement.is_empty());
    assert!(offence.date_of_offence.to_string().len() == 10);
    assert_eq!(
        police.data.non_safe_guarding_offences[0].records_found,
        "Yes"
    );

    let asc: RefServiceDetail<RefAdultSocialCare> = detail(&doc, "fc:5", "adult_social_care");
    assert!(asc.summary.records_available);
    assert!(!asc.data.local_authority_organisation.is_empty());
    assert!(["current", "historic"].contains(&asc.data.service_involvement.as_str()));
    assert!(asc.data.date_of_most_recent_interaction.is_some());

    // No record: recordsAvailable false, data an empty object.
    let none: RefServiceDetail<Value> = detail(&doc, "fc:3", "housing");
    assert!(!none.summary.records_available);
    assert_eq!(none.data, serde_json::json!({}));

    // SearchResults.
    let page: RefSearchResults = serde_json::from_value(json_of(
        db.run(
            "sw.alice",
            &[
                "person",
                "search",
                "--last-name",
                "Whitfield",
                "--limit",
                "2",
                "--reason",
                WHY,
                "-o",
                "json",
            ],
        )
        .ok(),
    ))
    .unwrap();
    assert!(page.pagination_info.total_results > 2);
    assert_eq!(page.pagination_info.results_per_page, 2);
    assert_eq!(page.pagination_info.page_number, 1);
    assert_eq!(page.results.len(), 2);
    assert!(page
        .results
        .iter()
        .all(|p| p.last_name == "Whitfield" && p.address.is_some()));
}

#[test]
fn restricted_person_documents_match_their_schemas() {
    let db = TestDb::new("schema_restricted");
    grant_everything(&db, "sw.alice");
    let admin = |args: &[&str]| {
        let mut full = args.to_vec();
        full.extend(["-o", "json"]);
        json_of(db.run("bi.admin", &full).ok())
    };
    let set = admin(&[
        "person",
        "restrict",
        "fc:4",
        "--category",
        "adoption",
        "--reason",
        "placement order",
    ]);
    conforms("person-restriction", &set);
    let changed = admin(&[
        "person",
        "restrict",
        "fc:4",
        "--category",
        "high_risk",
        "--reason",
        "reviewed",
    ]);
    assert!(changed["previous"].is_object());
    conforms("person-restriction", &changed);
    conforms("person-restrictions", &admin(&["person", "restrictions"]));

    // Stubs: as member (an id of the document's own), as subject; left out of a search; a
    // reference client still reads them.
    let family = |extra: &[&str]| {
        let mut full = vec!["family", "show", "-o", "json", "--reason", WHY];
        full.extend_from_slice(extra);
        json_of(db.run("sw.alice", &full).ok())
    };
    let doc = family(&["fc:1", "--depth", "2"]);
    conforms("family-show", &doc);
    let stub: RefPerson = serde_json::from_value(person_in(&doc, "restricted:1").clone()).unwrap();
    assert_eq!(stub.relationship_to_id.as_deref(), Some("fc:1"));
    assert!(stub.first_name.is_empty() && stub.date_of_birth.is_none());
    let alone = family(&["fc:4", "--household"]);
    conforms("family-show", &alone);
    serde_json::from_value::<RefPerson>(alone["person"].clone()).unwrap();
    let page = json_of(
        db.run(
            "sw.alice",
            &[
                "person",
                "search",
                "--last-name",
                "Whitfield",
                "--reason",
                WHY,
                "-o",
                "json",
            ],
        )
        .ok(),
    );
    conforms("person-search", &page);
    serde_json::from_value::<RefSearchResults>(page).unwrap();
    // Shown by breaking the glass, and by a grant.
    conforms("family-show", &family(&["fc:1", "--break-glass"]));
    let granted = admin(&[
        "permission",
        "grant",
        "sw.alice",
        "--person",
        "fc:4",
        "--reason",
        "allocated",
        "--for",
        "30d",
    ]);
    conforms("permission-person", &granted);
    conforms("family-show", &family(&["fc:4"]));
    let found = json_of(
        db.run(
            "sw.alice",
            &[
                "person",
                "search",
                "--last-name",
                "Whitfield",
                "--first-name",
                "Tyler",
                "--reason",
                WHY,
                "-o",
                "json",
            ],
        )
        .ok(),
    );
    assert_eq!(found["results"][0]["restrictedAccess"], "grant", "{found}");
    conforms("person-search", &found);
    let revoked = admin(&[
        "permission",
        "revoke",
        "sw.alice",
        "--person",
        "fc:4",
        "--reason",
        "closed",
        "--yes",
    ]);
    conforms("permission-person", &revoked);
    conforms(
        "person-restriction",
        &admin(&[
            "person",
            "unrestrict",
            "fc:4",
            "--reason",
            "lifted",
            "--yes",
        ]),
    );

    let listed = json_of(
        db.run("ig.officer", &["audit", "break-glass", "-o", "json"])
            .ok(),
    );
    assert!(!listed["entries"].as_array().unwrap().is_empty());
    conforms("audit-break-glass", &listed);
    let lines = db.run("ig.officer", &["audit", "break-glass", "-o", "jsonl"]);
    for l in lines.ok().stdout.lines() {
        conforms_to_def(
            "audit-break-glass",
            "GlassEntry",
            &serde_json::from_str(l).unwrap(),
        );
    }
}
