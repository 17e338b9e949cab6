//! Schema migrations, the application role's limits, TLS to the directory,
//! generated documentation.

use crate::support::*;

#[test]
fn migrations_apply_and_reapply_cleanly() {
    let db = TestDb::new("migrate_fresh");
    let mut su = db.superuser();
    su.batch_execute("DROP SCHEMA fc_api CASCADE; DROP SCHEMA fc CASCADE")
        .unwrap();
    let owner = [("FAMCTX_DATABASE_URL", db.owner_url())];
    let first = Run::from(famctx_raw(&owner, &["db", "migrate"], None));
    first.ok();
    assert!(
        first.stderr.contains("applied V1__core_schema"),
        "{}",
        first.stderr
    );
    let again = Run::from(famctx_raw(&owner, &["db", "migrate"], None));
    again.ok();
    assert!(again.stderr.contains("up to date"), "{}", again.stderr);
    let status = Run::from(famctx_raw(&owner, &["db", "status", "-o", "json"], None));
    let rows = status.ok().json();
    let rows = rows.as_array().unwrap();
    // Every file in sql/migrations is embedded and applied, none left out of the list.
    let files = std::fs::read_dir(repo().join("sql/migrations"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".sql"))
        .count();
    assert_eq!(
        rows.len(),
        files,
        "migrations applied against files in sql/migrations"
    );
    assert_eq!(famctx::db::MIGRATIONS.len(), files);
    assert!(rows.iter().all(|r| r["state"] == "applied"), "{rows:?}");
    // Each applied migration left exactly one audit row, and no more on re-run.
    let n: i64 = su
        .query_one(
            "SELECT count(*) FROM fc.audit_log WHERE action = 'schema_migrated'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(n, famctx::db::MIGRATIONS.len() as i64);
}

#[test]
fn every_security_definer_function_searches_pg_catalog_first() {
    let db = TestDb::new("search_path");
    let loose: Vec<String> = db
        .superuser()
        .query(
            "SELECT p.oid::regprocedure::text FROM pg_proc p \
             JOIN pg_namespace n ON n.oid = p.pronamespace \
             WHERE n.nspname IN ('fc', 'fc_api') AND p.prosecdef \
               AND NOT coalesce(array_to_string(p.proconfig, ';') LIKE 'search_path=pg_catalog%', false)",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(loose.is_empty(), "without pg_catalog first: {loose:?}");
    // Every entry point runs in UTC with ISO dates, whatever the caller set.
    let unpinned: Vec<String> = db
        .superuser()
        .query(
            "SELECT p.oid::regprocedure::text FROM pg_proc p \
             JOIN pg_namespace n ON n.oid = p.pronamespace \
             WHERE n.nspname = 'fc_api' \
               AND NOT coalesce('TimeZone=UTC' = ANY (p.proconfig), false)",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(unpinned.is_empty(), "not pinned to UTC: {unpinned:?}");
}

#[test]
fn the_audit_actions_are_the_databases() {
    let db = TestDb::new("actions");
    let mut table: Vec<String> = db
        .superuser()
        .query("SELECT code FROM fc.audit_action", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    table.sort();
    let mut typed: Vec<String> = famctx::action::Action::ALL
        .iter()
        .map(|a| a.code().to_string())
        .collect();
    typed.sort();
    assert_eq!(
        typed, table,
        "famctx::action::Action against fc.audit_action"
    );
}

#[test]
fn a_changed_migration_is_refused() {
    let db = TestDb::new("migrate_changed");
    db.superuser()
        .execute(
            "UPDATE fc.schema_migration SET checksum = repeat('0', 64) WHERE version = 2",
            &[],
        )
        .unwrap();
    let owner = [("FAMCTX_DATABASE_URL", db.owner_url())];
    let run = Run::from(famctx_raw(&owner, &["db", "migrate"], None));
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains("V2__users_and_grants was changed after it was applied"),
        "{}",
        run.stderr
    );
    let status = Run::from(famctx_raw(&owner, &["db", "status", "-o", "json"], None));
    assert!(
        status.stdout.contains("CHANGED since applied"),
        "{}",
        status.stdout
    );
}

#[test]
fn no_operator_or_service_credential_reads_a_table() {
    let db = TestDb::new("privilege");
    db.superuser()
        .batch_execute(
            "SELECT fc.audit_write(NULL, 'setup', 'cli', 'h', 'sources_listed', 'allowed', \
             NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
        )
        .unwrap();
    // Every table, view and sequence of the schema, as the database lists them.
    let relations: Vec<String> = db
        .superuser()
        .query(
            "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname IN ('fc', 'fc_api') AND c.relkind IN ('r', 'v', 'm', 'S', 'p')",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(relations.len() >= 15, "{relations:?}");
    let mut sessions = vec![
        (
            "sw.alice",
            db.sign_in("sw.alice").expect("sw.alice signs in"),
        ),
        (
            "bi.admin",
            db.sign_in("bi.admin").expect("bi.admin signs in"),
        ),
        (
            "ig.officer",
            db.sign_in("ig.officer").expect("ig.officer signs in"),
        ),
        ("famctx_app", connect(&db.service_url())),
    ];
    let writes = [
        "CREATE TABLE fc.x (a int)",
        "CREATE TABLE public.x (a int)",
        "CREATE TEMP TABLE x (a int)",
        "INSERT INTO fc.audit_log (id, occurred_at, channel, action, outcome, prev_hash, row_hash) \
         VALUES (999, now(), 'cli', 'searched', 'allowed', '\\x00', '\\x00')",
        "UPDATE fc.audit_log SET reason = 'x'",
        "DELETE FROM fc.audit_log",
        "TRUNCATE fc.audit_log",
        "INSERT INTO fc.person (id) VALUES (99999999)",
        "ALTER TABLE fc.audit_log DISABLE TRIGGER audit_log_append_only",
        "GRANT famctx_owner TO CURRENT_USER",
        "GRANT famctx_admins TO CURRENT_USER",
        "GRANT famctx_service TO CURRENT_USER",
        "SET ROLE famctx_owner",
        "SET ROLE famctx_roles",
        "CREATE ROLE intruder LOGIN",
        "SELECT fc.audit_write(NULL, 'x', 'cli', 'h', 'searched', 'allowed', NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
        "SELECT fc.family_document('00000000-0000-0000-0000-000000000000', 1, 1, false, false)",
        "SELECT fc.disclose(NULL, 'searched', '{}', NULL, NULL, NULL, NULL, NULL)",
        "CREATE OR REPLACE FUNCTION fc.current_grants(p_guid uuid) RETURNS TABLE (source_code text, expires_at timestamptz, granted_at timestamptz, grant_id bigint) LANGUAGE sql AS 'SELECT code, NULL::timestamptz, now(), 0::bigint FROM fc.data_source'",
        "CREATE FUNCTION fc_api.x() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "INSERT INTO fc.audit_export_gate (xid, upto) VALUES (pg_current_xact_id(), 1000000)",
        "SELECT * FROM fc.audit_export_range()",
    ];
    // The one relation auditors and the trusted service may name: the export's gated view
    // (V29), which has rows only in a transaction whose export gate fc_api.audit_export_copy
    // opened. Without one, it is empty to them; other operators may not name it.
    let gated = "fc_api.audit_export_lines";
    assert!(relations.iter().any(|r| r == gated), "{relations:?}");
    for (who, session) in &mut sessions {
        let rows = session.query(&format!("SELECT * FROM {gated}"), &[]);
        match *who {
            "ig.officer" | "famctx_app" => {
                let rows = rows.unwrap_or_else(|e| panic!("{who}: {gated}: {e}"));
                assert!(rows.is_empty(), "{who}: {gated}: {} rows", rows.len());
            }
            _ => {
                let err = rows.expect_err(&format!("{who}: {gated}"));
                let state = err.code().map(|c| c.code().to_string());
                assert_eq!(state.as_deref(), Some("42501"), "{who}: {gated}: {err:?}");
            }
        }
    }
    for (who, session) in &mut sessions {
        let reads = relations
            .iter()
            .filter(|r| *r != gated)
            .map(|r| format!("SELECT * FROM {r} LIMIT 1"));
        for sql in reads.chain(writes.iter().map(|w| w.to_string())) {
            let err = session
                .batch_execute(&sql)
                .expect_err(&format!("{who}: {sql}"));
            let state = err.code().map(|c| c.code().to_string()).unwrap_or_default();
            assert_eq!(
                state, "42501",
                "{who}: {sql}: expected permission denied, got {err:?}"
            );
        }
    }
    // What they may do is call the door: an operator's lookup is audited under their name.
    let (_, alice) = &mut sessions[0];
    let envelope: serde_json::Value = alice
        .query_one(
            "SELECT fc_api.family_show('{\"id\": \"fc:1\", \"reason\": \"psql check\"}')",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(envelope["outcome"], "recorded", "{envelope}");
    // The owner is refused by the trigger too.
    let mut owner = connect(&db.owner_url());
    for sql in [
        "UPDATE fc.audit_log SET reason = 'x'",
        "DELETE FROM fc.audit_log",
        "TRUNCATE fc.audit_log",
    ] {
        let err = owner.batch_execute(sql).expect_err(sql);
        let message = err
            .as_db_error()
            .map(|d| d.message().to_string())
            .unwrap_or_default();
        assert!(message.contains("append-only"), "{sql}: {err:?}");
    }
}

#[test]
fn ldap_starttls_verifies_the_certificate() {
    let db = TestDb::new("ldap_tls");
    db.run("sw.alice", &["whoami"]).ok();
    // Without the dev CA the certificate cannot be verified: refused, not ignored.
    let no_ca = db.run_with(
        "sw.alice",
        &password("sw.alice"),
        &[(
            "FAMCTX_LDAP_CA_FILE",
            "/etc/ssl/certs/ca-certificates.crt".into(),
        )],
        &["whoami"],
    );
    no_ca.code(9);
    assert!(no_ca.stderr.contains("ldap_ca_file"), "{}", no_ca.stderr);
    assert!(no_ca.stdout.is_empty());
    // LDAPS works the same way.
    db.run_with(
        "sw.alice",
        &password("sw.alice"),
        &[("FAMCTX_LDAP_URL", var("FAMCTX_LDAPS_URL"))],
        &["whoami"],
    )
    .ok();
    // A plain bind without TLS is refused by famctx's default settings...
    let plain = db.run_with(
        "sw.alice",
        &password("sw.alice"),
        &[("FAMCTX_LDAP_INSECURE_PLAINTEXT_BIND", "true".into())],
        &["whoami"],
    );
    // ...and, when forced, by the directory itself (strong auth required).
    plain.code(3);
    assert!(plain.stderr.contains("WARNING"), "{}", plain.stderr);
}

#[test]
fn generated_docs_are_current() {
    let dir = tempfile::tempdir().unwrap();
    let (c, m) = (dir.path().join("completions"), dir.path().join("man"));
    famctx::docs::write_all(&c, &m).unwrap();
    if std::env::var_os("FAMCTX_BLESS").is_some() {
        famctx::docs::write_all(&repo().join("completions"), &repo().join("man")).unwrap();
        return;
    }
    for (fresh, committed) in [(c, repo().join("completions")), (m, repo().join("man"))] {
        let mut names: Vec<_> = std::fs::read_dir(&fresh)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        let mut have: Vec<_> = std::fs::read_dir(&committed)
            .map(|d| d.map(|e| e.unwrap().file_name()).collect())
            .unwrap_or_default();
        have.sort();
        assert_eq!(
            names,
            have,
            "{} is stale: run FAMCTX_BLESS=1 cargo test generated_docs",
            committed.display()
        );
        for n in names {
            let a = std::fs::read(fresh.join(&n)).unwrap();
            let b = std::fs::read(committed.join(&n)).unwrap();
            assert!(
                a == b,
                "{} is stale: run FAMCTX_BLESS=1 cargo test generated_docs",
                committed.join(&n).display()
            );
        }
    }
}

#[test]
fn the_database_requires_tls_and_verify_full_checks_the_certificate() {
    let url = var("FAMCTX_SERVICE_URL");
    let plain = url.replace("sslmode=verify-full", "sslmode=disable");
    let Err(err) = famctx::db::connect(&plain, std::time::Duration::from_secs(10)) else {
        panic!("a plain TCP connection was accepted")
    };
    assert!(err.message().contains("no encryption"), "{err}");
    // require encrypts without checking the certificate, as libpq does.
    let (head, _) = url.split_once('?').unwrap();
    connect(&format!("{head}?sslmode=require"));
    // The certificate names localhost too; a certificate from another CA is refused.
    connect(&url.replace("127.0.0.1", "localhost"));
    let ca = var("FAMCTX_LDAP_CA_FILE");
    let other_ca = url.replace(&ca, "/etc/ssl/certs/ca-certificates.crt");
    let run = Run::from(famctx_raw(
        &[(
            "FAMCTX_DATABASE_URL",
            var("FAMCTX_OWNER_URL").replace(&ca, "/etc/ssl/certs/ca-certificates.crt"),
        )],
        &["db", "status"],
        None,
    ));
    let _ = other_ca;
    run.code(9);
    assert!(
        run.stderr.contains("cannot connect to PostgreSQL"),
        "{}",
        run.stderr
    );
}

/// Runs one of the project's SQL files against `url` with psql.
fn psql_file(url: &str, file: &str, vars: &[(&str, &str)]) -> String {
    let mut cmd = std::process::Command::new("psql");
    cmd.args(["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"])
        .arg(url);
    for (k, v) in vars {
        cmd.arg("-v").arg(format!("{k}={v}"));
    }
    let out = cmd.arg("-f").arg(repo().join(file)).output().expect("psql");
    assert!(
        out.status.success(),
        "{file}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn synthetic_data_is_deterministic() {
    let name = format!("mdm_t_determinism_{}", std::process::id());
    let mut su = superuser();
    su.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .unwrap();
    su.batch_execute(&format!("CREATE DATABASE {name} OWNER famctx_owner"))
        .unwrap();
    let url = with_db(&var("FAMCTX_MDM_OWNER_URL"), &name);
    psql_file(&url, "sql/mdm/schema.sql", &[]);
    let generate = |seed: &str| {
        psql_file(
            &url,
            "sql/synthetic/generate.sql",
            &[("seed", seed), ("persons", "800"), ("asof", "2026-06-30")],
        );
        (
            psql_file(&url, "sql/synthetic/fingerprint.sql", &[]),
            psql_file(&url, "sql/synthetic/fingerprint.sql", &[("showcase", "1")]),
        )
    };
    let (first, showcase) = generate("7");
    let (again, showcase_again) = generate("7");
    let (other, other_showcase) = generate("8");
    su.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .unwrap();
    assert_eq!(first, again, "same seed, same counts and checksums");
    assert!(
        first.lines().any(|l| l.starts_with("person|800|")),
        "{first}"
    );
    assert_ne!(first, other, "another seed, other data");
    assert_eq!(showcase, showcase_again);
    assert_eq!(
        showcase, other_showcase,
        "the showcase family is the same whatever the seed"
    );
}
