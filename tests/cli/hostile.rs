//! Hostile input: every parser of user input takes anything without
//! panicking and answers with a value or a clear usage error; injection
//! strings reach no server as code.

use chrono::Utc;
use proptest::prelude::*;

use famctx::error::Error;

use crate::support::*;

/// Strings with the characters attackers like: filter and SQL
/// metacharacters, NUL and other controls, direction overrides, long runs.
fn nasty() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "*",
        "(",
        ")",
        "\\",
        "\0",
        "'",
        "\"",
        ";",
        "--",
        "/*",
        "%",
        "_",
        "=",
        "@",
        ",",
        "\n",
        "\r",
        "\u{202e}",
        "\u{2066}",
        "\u{feff}",
        "é",
        "ß",
        "𝔘",
        "fc:",
        "cms:",
        "DROP TABLE fc.person",
        "1 OR 1=1",
        "sw.alice",
        "2026-11-29",
        "7d",
        "grant",
        "revoke",
        ",,,,,",
    ]);
    prop::collection::vec(
        prop_oneof![pieces.prop_map(str::to_string), ".{0,8}"],
        0..12,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn person_ids_parse_or_refuse(s in nasty()) {
        match famctx::text::PersonId::parse(&s) {
            Ok(famctx::text::PersonId::Fc(n)) => prop_assert!(n > 0),
            Ok(famctx::text::PersonId::Cms(c)) => prop_assert!(c.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')),
            Err(e) => prop_assert!(matches!(e, Error::Usage(_))),
        }
    }

    #[test]
    fn account_names_never_carry_filter_syntax(s in nasty()) {
        if let Ok(login) = famctx::directory::parse_login(&s, Some("famctx.test")) {
            // Whatever the input, the filter keeps its fixed shape: the values
            // (escaped, so free of parentheses) sit between '=' and ')'.
            let mut shape = String::new();
            let mut in_value = false;
            for c in login.filter.chars() {
                match (in_value, c) {
                    (false, '=') => { in_value = true; shape.push('='); }
                    (true, ')') => { in_value = false; shape.push(')'); }
                    (true, c) => prop_assert!(!matches!(c, '*' | '(' | '\0'), "unescaped {:?} in {:?}", c, login.filter),
                    (false, c) => shape.push(c),
                }
            }
            let known = [
                "(&(objectCategory=)(objectClass=)(|(userPrincipalName=)(sAMAccountName=)))",
                "(&(objectCategory=)(objectClass=)(|(userPrincipalName=)))",
                "(&(objectCategory=)(objectClass=)(|(sAMAccountName=)))",
            ];
            prop_assert!(known.contains(&shape.as_str()), "filter shape {} from {:?}", shape, s);
        }
    }

    #[test]
    fn times_and_spans_parse_or_refuse(s in nasty()) {
        let now = Utc::now();
        for r in [famctx::when::parse_instant(&s, now).map(|_| ()), famctx::when::parse_expiry(&s, now).map(|_| ()), famctx::when::parse_duration(&s).map(|_| ())] {
            if let Err(e) = r {
                prop_assert!(matches!(e, Error::Usage(_)));
            }
        }
    }

    #[test]
    fn bulk_files_parse_or_name_the_line(rows in prop::collection::vec((nasty(), nasty(), nasty(), nasty(), nasty()), 1..8), json in any::<bool>()) {
        let text = if json {
            rows.iter().map(|(a, u, s, e, r)| serde_json::json!({"action": a, "user": u, "source": s, "expires": e, "reason": r}).to_string()).collect::<Vec<_>>().join("\n")
        } else {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(["action", "user", "source", "expires", "reason", "ticket"]).unwrap();
            for (a, u, s, e, r) in &rows {
                w.write_record([a, u, s, e, r, ""]).unwrap();
            }
            String::from_utf8(w.into_inner().unwrap()).unwrap()
        };
        match famctx::permission::read_bulk(text.as_bytes(), Utc::now()) {
            Ok(drafts) => {
                prop_assert!(drafts.len() <= rows.len());
                for d in &drafts {
                    prop_assert!(d.line >= 2 || json && d.line >= 1);
                    prop_assert!(d.problems.iter().all(|p| p.line == d.line && !p.problem.is_empty() && !p.fix.is_empty()));
                    if let Some(c) = d.change() {
                        prop_assert!(!c.reason.is_empty());
                    }
                }
            }
            Err(Error::Usage(m)) => prop_assert!(m.contains("line ") || m.contains("no rows"), "{}", m),
            Err(other) => prop_assert!(false, "unexpected error kind: {:?}", other),
        }
    }

    #[test]
    fn arbitrary_bytes_as_a_bulk_file(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = famctx::permission::read_bulk(&bytes, Utc::now());
    }

    #[test]
    fn config_files_parse_or_refuse(s in nasty()) {
        let _ = famctx::config::parse_file(&s);
        let _ = famctx::config::parse_file(&format!("user = {s:?}\nldap_timeout = 3"));
    }

    #[test]
    fn free_text_is_plain(s in nasty()) {
        if let Ok(t) = famctx::text::free_text("--reason", &s, 500) {
            prop_assert!(!t.is_empty() && !t.chars().any(|c| c.is_control() || famctx::text::is_invisible(c)));
        }
    }
}

/// Injection strings through the whole tool, to the real servers: refused
/// or treated as data, never as code; the trail still verifies.
#[test]
fn injection_strings_reach_the_servers_as_data() {
    let db = TestDb::new("hostile_e2e");
    let reason = "x'); DELETE FROM fc.audit_log; --";
    let run = db.run(
        "sw.alice",
        &["family", "show", "fc:1", "--reason", reason, "-o", "json"],
    );
    run.ok();
    let row = db.audit_rows().pop().unwrap();
    assert_eq!(
        row.get::<_, Option<String>>("reason").as_deref(),
        Some(reason)
    );
    for name in [
        "O'Brien",
        "%",
        "*)(cn=*",
        "Robert'); DROP TABLE fc.person;--",
        "ｗｈｉｔｆｉｅｌｄ",
    ] {
        let found = db
            .run(
                "sw.alice",
                &[
                    "person",
                    "search",
                    "--last-name",
                    name,
                    "--reason",
                    "check",
                    "-o",
                    "json",
                ],
            )
            .ok()
            .json();
        // A name is matched as a name: no wildcard, no filter, no statement.
        let results = found["results"].as_array().unwrap();
        assert_eq!(
            found["paginationInfo"]["totalResults"].as_i64(),
            Some(results.len() as i64),
            "{name}: {found}"
        );
        for p in results {
            assert_eq!(
                p["lastName"].as_str().unwrap().to_lowercase(),
                name.to_lowercase(),
                "{name}: {p}"
            );
        }
    }
    let long = "r".repeat(100_000);
    let refused = db.run("sw.alice", &["family", "show", "fc:1", "--reason", &long]);
    refused.code(2);
    assert!(refused.stdout.is_empty());
    assert!(
        refused.stderr.contains("--reason") && refused.stderr.contains("longer than"),
        "{}",
        refused.stderr
    );
    let source = db.run(
        "bi.admin",
        &[
            "permission",
            "grant",
            "sw.alice",
            "--source",
            "school'--",
            "--reason",
            "x",
        ],
    );
    source.code(2);
    assert!(source.stdout.is_empty());
    assert!(source.stderr.contains("school'--"), "{}", source.stderr);
    let ticket = db.run(
        "bi.admin",
        &[
            "permission",
            "grant",
            "sw.alice",
            "--source",
            "school",
            "--reason",
            "x",
            "--ticket",
            "a\u{202e}b",
        ],
    );
    ticket.code(2);
    assert!(ticket.stderr.contains("--ticket"), "{}", ticket.stderr);
    let mut su = db.superuser();
    let people: i64 = su
        .query_one("SELECT count(*) FROM fc.person", &[])
        .unwrap()
        .get(0);
    assert!(people > 6);
    let grants: i64 = su
        .query_one("SELECT count(*) FROM fc.permission_grant", &[])
        .unwrap()
        .get(0);
    assert_eq!(grants, 0, "no refused grant was written");
    let verified = db
        .run("ig.officer", &["audit", "verify", "-o", "json"])
        .ok()
        .json();
    assert_eq!(verified["intact"], true, "{verified}");
}

#[test]
fn non_utf8_arguments_are_refused_cleanly() {
    use std::os::unix::ffi::OsStrExt;
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_famctx"))
        .args(["family", "show"])
        .arg(std::ffi::OsStr::from_bytes(b"fc:\xff\xfe"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
}
