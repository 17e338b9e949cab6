//! Person search: youngest first, paginated, audited with what was presented.

use crate::support::*;

#[test]
fn search_lists_matches_youngest_first_and_audits_them() {
    let db = TestDb::new("person_search");
    let run = db.run(
        "sw.alice",
        &[
            "person",
            "search",
            "--last-name",
            "whitfield",
            "--reason",
            "referral check",
            "-o",
            "json",
        ],
    );
    let page = run.ok().json();
    let ids: Vec<&str> = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert!(ids.len() >= 3, "{ids:?}");
    let pos = |id: &str| {
        ids.iter()
            .position(|i| *i == id)
            .unwrap_or_else(|| panic!("{id} in {ids:?}"))
    };
    assert!(
        pos("fc:4") < pos("fc:2") && pos("fc:2") < pos("fc:5"),
        "youngest first: {ids:?}"
    );
    let row = db.audit_rows().pop().unwrap();
    assert_eq!(row.get::<_, String>("action"), "searched");
    let audited: Vec<i64> = row.get("persons_disclosed");
    let shown: Vec<i64> = ids
        .iter()
        .map(|i| i.trim_start_matches("fc:").parse().unwrap())
        .collect();
    assert_eq!(audited, shown);

    let narrowed = db
        .run(
            "sw.alice",
            &[
                "person",
                "search",
                "--last-name",
                "Whitfield",
                "--first-name",
                "jo",
                "--reason",
                "x",
                "-o",
                "json",
            ],
        )
        .ok()
        .json();
    let found = narrowed["results"].as_array().unwrap();
    assert!(found.iter().any(|m| m["id"] == "fc:2"), "{narrowed}");
    assert!(
        found.iter().all(|m| m["firstName"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .starts_with("jo")),
        "{narrowed}"
    );
    assert!(found.len() < ids.len());

    let paged = db
        .run(
            "sw.alice",
            &[
                "person",
                "search",
                "--last-name",
                "Whitfield",
                "--limit",
                "1",
                "--page",
                "2",
                "--reason",
                "x",
                "-o",
                "json",
            ],
        )
        .ok()
        .json();
    assert_eq!(paged["results"].as_array().unwrap().len(), 1);
    assert_eq!(paged["paginationInfo"]["pageNumber"], 2);
    assert_eq!(paged["paginationInfo"]["resultsPerPage"], 1);
    assert_eq!(
        paged["paginationInfo"]["totalResults"].as_u64().unwrap(),
        page["paginationInfo"]["totalResults"].as_u64().unwrap()
    );
    assert_eq!(paged["results"][0]["id"].as_str().unwrap(), ids[1]);

    // Wildcards are text, not patterns.
    let none = db
        .run(
            "sw.alice",
            &[
                "person",
                "search",
                "--last-name",
                "%",
                "--reason",
                "x",
                "-o",
                "json",
            ],
        )
        .ok()
        .json();
    assert_eq!(none["paginationInfo"]["totalResults"], 0);
    assert_eq!(none["results"], serde_json::json!([]));
    db.run(
        "sw.alice",
        &[
            "person",
            "search",
            "--last-name",
            "Whitfield",
            "--dob",
            "yesterday",
            "--reason",
            "x",
        ],
    )
    .code(2);
}
