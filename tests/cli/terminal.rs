//! Tables as people see them: within a width at a terminal, through a pipe and on a
//! terminal that reports no width; nothing from the database reaches the terminal raw.

use std::process::{Command, Stdio};

use unicode_width::UnicodeWidthStr;

use crate::support::*;

/// An account name as someone might type it at a sign-in: 256 characters with a
/// terminal title sequence, a bell, a screen clear and a direction override.
fn hostile_name() -> String {
    format!(
        "\u{1b}]0;owned\u{7}{}\u{1b}[2J\u{202e}",
        "mallory.".repeat(31)
    )
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Runs famctx as `account` with its stdout and stderr on a pseudo-terminal (util-linux
/// `script`). `stty` (e.g. `cols 90`) sizes the terminal first; without it the terminal
/// reports 0 columns, as some containers, CI runners and serial consoles do. Neither
/// NO_COLOR nor COLUMNS is set unless `envs` sets it.
pub fn at_terminal(
    db: &TestDb,
    account: &str,
    stty: Option<&str>,
    envs: &[(&str, &str)],
    args: &[&str],
) -> Run {
    let mut line = String::new();
    if let Some(size) = stty {
        line.push_str(&format!("stty {size}; "));
    }
    let args: Vec<String> = args.iter().map(|a| quote(a)).collect();
    line.push_str(&format!(
        "printf '%s\\n' \"$TEST_PASSWORD\" | {} --password-stdin {}",
        quote(env!("CARGO_BIN_EXE_famctx")),
        args.join(" ")
    ));
    let mut cmd = Command::new("script");
    cmd.args(["-q", "-e", "-E", "never", "-c", &line, "/dev/null"]);
    for (k, _) in std::env::vars() {
        if k.starts_with("FAMCTX_") || k == "NO_COLOR" || k == "COLUMNS" {
            cmd.env_remove(k);
        }
    }
    for (k, v) in env() {
        cmd.env(k, v);
    }
    cmd.env_remove("FAMCTX_OWNER_URL")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env("FAMCTX_DATABASE_URL", db.url())
        .env("FAMCTX_USER", account)
        .env("TEST_PASSWORD", password(account));
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("script (util-linux) runs");
    let mut run = Run::from(out);
    run.stdout = run.stdout.replace("\r\n", "\n");
    run
}

/// Every line of the tables in `text` (messages on a terminal's stderr mix in) is at
/// most `width` columns wide.
#[track_caller]
pub fn within(text: &str, width: usize) {
    let table = |l: &&str| l.starts_with(['|', '│', '┌', '├', '└', '╞', '╘', '╒']);
    assert!(text.lines().any(|l| table(&l)), "no table in:\n{text}");
    for line in text.lines().filter(table) {
        let shown = without_colour(line);
        assert!(
            shown.width() <= width,
            "a line of {} columns, over {width}: {line}\n{text}",
            shown.width()
        );
    }
}

/// A line as it shows: without its colour sequences (ESC [ ... m).
fn without_colour(line: &str) -> String {
    let mut shown = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            shown.push(c);
        }
    }
    shown
}

/// No control character but the line break, and no invisible character.
#[track_caller]
pub fn no_controls(text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|c| (c.is_control() && *c != '\n') || famctx::text::is_invisible(*c))
        .collect();
    assert!(bad.is_empty(), "{bad:?} reached the terminal:\n{text}");
}

fn hostile_rows(db: &TestDb) {
    let mut su = db.superuser();
    let name = hostile_name();
    for reason in [
        "looking\u{1b}[31m red \u{7}again",
        &"a very long reason ".repeat(20),
    ] {
        su.execute(
            "INSERT INTO fc.audit_log (id, occurred_at, actor_account, channel, client_host, action, \
             outcome, reason, prev_hash, row_hash) \
             SELECT coalesce(max(id), 0) + 1, now(), $1, 'api', 'test', 'identity_viewed', 'denied', $2, \
                    sha256('prev'), sha256('row') FROM fc.audit_log",
            &[&name, &reason],
        )
        .unwrap();
    }
}

#[test]
fn audit_tables_stay_narrow_and_clean_with_a_hostile_account_name() {
    let db = TestDb::new("tables_hostile");
    hostile_rows(&db);
    for args in [&["audit", "search"][..], &["audit", "stats"][..]] {
        // Through a pipe: the fixed width (120), or COLUMNS.
        let piped = db.run("ig.officer", args);
        piped.ok();
        within(&piped.stdout, 120);
        no_controls(&piped.stdout);
        assert!(
            piped.stdout.contains("ownedmallory.") && piped.stdout.contains('…'),
            "the name is shown, shortened:\n{}",
            piped.stdout
        );
        let narrow = db.run_with(
            "ig.officer",
            &password("ig.officer"),
            &[("COLUMNS", "70".into())],
            args,
        );
        within(&narrow.ok().stdout, 70);
        // At a terminal 90 columns wide.
        let tty = at_terminal(&db, "ig.officer", Some("cols 90 rows 40"), &[], args);
        tty.ok();
        within(&tty.stdout, 90);
        no_controls(&tty.stdout);
        assert!(tty.stdout.contains('│'), "box lines on a terminal");
    }
    // Machine output keeps the value whole.
    let json = db
        .run("ig.officer", &["audit", "search", "-o", "json"])
        .ok()
        .json();
    let actors: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["actor_account"].as_str())
        .collect();
    assert!(actors.contains(&hostile_name().as_str()), "{actors:?}");
    let csv = db.run("ig.officer", &["audit", "search", "-o", "csv"]);
    let mut reader = csv::Reader::from_reader(csv.ok().stdout.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let actor = headers.iter().position(|h| h == "actor_account").unwrap();
    assert!(reader
        .records()
        .any(|r| r.unwrap()[actor] == hostile_name()));
}

#[test]
fn a_terminal_that_reports_no_width_gets_a_readable_table() {
    let db = TestDb::new("tables_no_width");
    // The pseudo-terminal is left at 0 columns: check that it is.
    let size = Command::new("script")
        .args(["-q", "-e", "-E", "never", "-c", "stty size", "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&size.stdout).trim(), "0 0");
    let run = at_terminal(&db, "sw.alice", None, &[], &["whoami"]);
    run.ok();
    within(&run.stdout, 120);
    assert!(
        run.stdout.lines().count() < 20,
        "no column squeezed to a letter a line:\n{}",
        run.stdout
    );
    assert!(
        run.stdout.lines().any(|l| l.contains("sw.alice")),
        "{}",
        run.stdout
    );
    // COLUMNS is honoured when the terminal says nothing.
    let columns = at_terminal(&db, "sw.alice", None, &[("COLUMNS", "60")], &["whoami"]);
    within(&columns.ok().stdout, 60);
}
