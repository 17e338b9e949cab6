//! Shared test plumbing: the dev environment's settings, a private copy of
//! the seeded database for each test that changes state, and a way to run
//! famctx as an operator would.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};

use postgres::Client;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn exports(file: &str) -> HashMap<String, String> {
    let path = repo().join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run scripts/dev-env up first", path.display()));
    text.lines()
        .filter_map(|l| l.strip_prefix("export "))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches('\'').to_string()))
        .collect()
}

/// The exports of target/dev/env, written by `scripts/dev-env up`: an operator's settings,
/// with no database credential. famctx runs with these alone.
pub fn env() -> &'static HashMap<String, String> {
    static ENV: OnceLock<HashMap<String, String>> = OnceLock::new();
    ENV.get_or_init(|| exports("target/dev/env"))
}

/// The server side's credentials (target/dev/server-env): owner, superuser, the API's
/// service role. For setting tests up and reading what happened, never given to famctx.
pub fn server_env() -> &'static HashMap<String, String> {
    static ENV: OnceLock<HashMap<String, String>> = OnceLock::new();
    ENV.get_or_init(|| exports("target/dev/server-env"))
}

pub fn var(name: &str) -> String {
    env()
        .get(name)
        .or_else(|| server_env().get(name))
        .cloned()
        .unwrap_or_else(|| panic!("{name} missing from target/dev/env and target/dev/server-env"))
}

pub fn password(account: &str) -> String {
    let text = std::fs::read_to_string(var("FAMCTX_DEV_PASSWORDS")).expect("passwords file");
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{account}:")))
        .unwrap_or_else(|| panic!("no password for {account}"))
        .to_string()
}

/// A libpq URL with its database name replaced.
pub fn with_db(url: &str, db: &str) -> String {
    let (head, query) = url
        .split_once('?')
        .map(|(h, q)| (h, Some(q)))
        .unwrap_or((url, None));
    let base = &head[..head.rfind('/').expect("database in URL")];
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

/// Connects with famctx's own connection code (sslmode and sslrootcert honoured).
pub fn connect(url: &str) -> Client {
    famctx::db::connect(url, std::time::Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("connect: {e}"))
}

pub fn superuser() -> Client {
    connect(&var("FAMCTX_SUPERUSER_URL"))
}

/// The seeded database the tests start from: the dev environment's famctx, or the database
/// FAMCTX_TEST_SOURCE_DB names (seeded by scripts/seed the same way), for a build whose
/// migrations famctx must not get or does not know.
fn source_db() -> String {
    std::env::var("FAMCTX_TEST_SOURCE_DB").unwrap_or_else(|_| "famctx".into())
}

/// The seeded, migrated database every private test database is copied from.
fn template() -> &'static str {
    static TEMPLATE: OnceLock<()> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        // The operators' login roles and their mapping are kept by `scripts/dev-env up`
        // (`famctx roles sync`), which `scripts/test` runs first.
        let mut su = superuser();
        // Templates of test processes that have ended.
        let stale: Vec<String> = su
            .query(
                "SELECT datname FROM pg_database WHERE datname LIKE 'famctx\\_test\\_template%'",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .filter(|d: &String| {
                d.rsplit('_')
                    .next()
                    .and_then(|pid| pid.parse::<u32>().ok())
                    .is_none_or(|pid| !Path::new(&format!("/proc/{pid}")).exists())
            })
            .collect();
        for d in stale {
            drop_database(&mut su, &d);
        }
        let template = template_name();
        drop_database(&mut su, &template);
        // Copying needs the source idle; retry while other sessions finish.
        for attempt in 0.. {
            match su.batch_execute(&format!(
                "CREATE DATABASE {template} TEMPLATE {} OWNER famctx_owner",
                source_db()
            )) {
                Ok(()) => break,
                Err(e) if attempt < 50 => {
                    let _ = e;
                    std::thread::sleep(std::time::Duration::from_millis(200));
                }
                Err(e) => panic!("cannot copy {}: {e}", source_db()),
            }
        }
        // This build's pending migrations go to the copy only: the shared famctx database
        // keeps the migrations of the build that set the dev environment up.
        let status = famctx_raw(
            &[(
                "FAMCTX_DATABASE_URL",
                with_db(&var("FAMCTX_OWNER_URL"), &template),
            )],
            &["db", "migrate"],
            None,
        );
        assert!(
            status.status.success(),
            "db migrate: {}",
            String::from_utf8_lossy(&status.stderr)
        );
        // Tests start from the demo data with no users, grants or audit rows
        // of their own, whatever was done with the dev environment before.
        su.batch_execute(&format!("REVOKE ALL ON DATABASE {template} FROM PUBLIC"))
            .unwrap();
        let mut t = connect(&with_db(&var("FAMCTX_SUPERUSER_URL"), &template));
        // The append-only guards (the table's and each month partition's) are off for this
        // one transaction only.
        t.batch_execute(
            "TRUNCATE fc.permission_grant, fc.person_access_grant, fc.person_restriction, fc.app_user;
             BEGIN;
             SET LOCAL session_replication_role = replica;
             TRUNCATE fc.audit_log;
             COMMIT;",
        )
        .unwrap();
    });
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(template_name)
}

/// One template a test process, so that test runs side by side do not drop each other's.
fn template_name() -> String {
    format!("famctx_test_template_{}", std::process::id())
}

/// A private database for one test: a copy of the seeded template, dropped
/// when the test ends.
pub struct TestDb {
    pub name: String,
}

impl TestDb {
    pub fn new(tag: &str) -> TestDb {
        static SERIAL: Mutex<()> = Mutex::new(());
        let name = format!("famctx_t_{tag}_{}", std::process::id());
        let template = template();
        let _one_copy_at_a_time = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let mut su = superuser();
        drop_database(&mut su, &name);
        su.batch_execute(&format!(
            "CREATE DATABASE {name} TEMPLATE {template} OWNER famctx_owner"
        ))
        .unwrap();
        // A copy does not carry the database's own privileges: as `scripts/dev-env` and the
        // migrations leave them on famctx (no CONNECT or TEMP for PUBLIC).
        su.batch_execute(&format!(
            "REVOKE ALL ON DATABASE {name} FROM PUBLIC; \
             GRANT CONNECT ON DATABASE {name} TO famctx_operator, famctx_app"
        ))
        .unwrap();
        TestDb { name }
    }

    /// The operators' URL of this database (no credential: famctx signs in as the operator).
    pub fn url(&self) -> String {
        with_db(&var("FAMCTX_DATABASE_URL"), &self.name)
    }

    /// The API's service role on this database (a trusted service).
    pub fn service_url(&self) -> String {
        with_db(&var("FAMCTX_SERVICE_URL"), &self.name)
    }

    /// psql-like access as an operator, with their AD password checked by PostgreSQL.
    /// A refusal is tried again a moment later, as famctx does (the dev DC now and then drops
    /// PostgreSQL's LDAP session under the test suite's load).
    pub fn sign_in(&self, account: &str) -> Result<Client, famctx::error::Error> {
        let mut last = None;
        for pause in [0u64, 200, 800] {
            std::thread::sleep(std::time::Duration::from_millis(pause));
            match famctx::db::connect_as(
                &self.url(),
                account,
                &password(account),
                std::time::Duration::from_secs(10),
            ) {
                Err(e @ famctx::error::Error::Auth(_)) => last = Some(e),
                other => return other,
            }
        }
        Err(last.expect("an attempt"))
    }

    pub fn owner_url(&self) -> String {
        with_db(&var("FAMCTX_OWNER_URL"), &self.name)
    }

    pub fn superuser(&self) -> Client {
        connect(&with_db(&var("FAMCTX_SUPERUSER_URL"), &self.name))
    }

    /// Runs famctx as `account` against this database.
    pub fn run(&self, account: &str, args: &[&str]) -> Run {
        self.run_with(account, &password(account), &[], args)
    }

    pub fn run_with(
        &self,
        account: &str,
        pw: &str,
        extra_env: &[(&str, String)],
        args: &[&str],
    ) -> Run {
        let mut envs = vec![
            ("FAMCTX_DATABASE_URL", self.url()),
            ("FAMCTX_USER", account.to_string()),
        ];
        envs.extend(extra_env.iter().cloned());
        let mut full = vec!["--password-stdin"];
        full.extend_from_slice(args);
        Run::from(famctx_raw(&envs, &full, Some(pw)))
    }

    pub fn audit_rows(&self) -> Vec<postgres::Row> {
        self.superuser()
            .query(
                "SELECT id, actor_account, action, outcome, details, persons_disclosed, sources_disclosed, \
                 reason, subject_person FROM fc.audit_log ORDER BY id",
                &[],
            )
            .unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut su) = std::panic::catch_unwind(superuser) {
            drop_database(&mut su, &self.name);
        }
    }
}

fn drop_database(su: &mut Client, name: &str) {
    su.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
        &[&name],
    )
    .expect("terminate sessions");
    su.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .expect("drop database");
}

/// Runs the famctx binary with only the dev environment's settings (none
/// inherited from the caller's FAMCTX_* variables) plus `envs`.
pub fn famctx_raw(envs: &[(&str, String)], args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_famctx"));
    for (k, _) in std::env::vars() {
        if k.starts_with("FAMCTX_") {
            cmd.env_remove(k);
        }
    }
    for (k, v) in env() {
        cmd.env(k, v);
    }
    cmd.env_remove("FAMCTX_OWNER_URL")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env("NO_COLOR", "1");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn famctx");
    if let Some(mut w) = child.stdin.take() {
        if let Some(s) = stdin {
            let _ = writeln!(w, "{s}");
        }
    }
    child.wait_with_output().expect("famctx output")
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    #[track_caller]
    pub fn ok(&self) -> &Run {
        assert_eq!(
            self.code, 0,
            "expected success; stderr: {}\nstdout: {}",
            self.stderr, self.stdout
        );
        self
    }

    #[track_caller]
    pub fn code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "expected exit {code}; stderr: {}\nstdout: {}",
            self.stderr, self.stdout
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

pub fn tmpfile(dir: &Path, name: &str, content: &str, mode: u32) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    p
}

impl TestDb {
    /// The objectGUID famctx recorded for `account` (runs `whoami` once so
    /// the account is registered).
    pub fn guid(&self, account: &str) -> uuid::Uuid {
        let me = self.run(account, &["whoami", "-o", "json"]);
        let me = me.ok().json();
        me["object_guid"]
            .as_str()
            .expect("object_guid")
            .parse()
            .expect("uuid")
    }

    /// A grant written straight into the table (as an administrator's grant
    /// would be), for tests of what grants allow.
    pub fn grant_sql(&self, account: &str, source: &str, expires_in: Option<&str>) {
        let grantee = self.guid(account);
        let admin = self.guid("bi.admin");
        let expires = expires_in
            .map(|i| format!("clock_timestamp() + interval '{i}'"))
            .unwrap_or_else(|| "NULL".into());
        self.superuser()
            .execute(
                &format!(
                    "INSERT INTO fc.permission_grant (grantee_guid, source_code, granted_by_guid, reason, expires_at) \
                     VALUES ($1, $2, $3, 'test grant', {expires})"
                ),
                &[&grantee, &source, &admin],
            )
            .expect("grant");
    }
}

/// A TCP proxy on loopback in front of a real server, which cuts every
/// connection `cut_after` after it was opened, or when told to ([`Proxy::cut_now`]):
/// a server dying mid-command.
pub struct Proxy {
    pub port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    open: std::sync::Arc<Mutex<Vec<std::net::TcpStream>>>,
}

impl Proxy {
    pub fn start(upstream: std::net::SocketAddr, cut_after: std::time::Duration) -> Proxy {
        use std::net::{Shutdown, TcpListener, TcpStream};
        use std::sync::atomic::Ordering;
        let listener = TcpListener::bind("127.0.0.1:0").expect("proxy listen");
        let port = listener.local_addr().expect("proxy addr").port();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopping = stop.clone();
        let open = std::sync::Arc::new(Mutex::new(Vec::new()));
        let opened = open.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(upstream) else {
                    continue;
                };
                if let (Ok(c), Ok(s)) = (client.try_clone(), server.try_clone()) {
                    opened
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .extend([c, s]);
                }
                let pipes = [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server.try_clone().unwrap(), client.try_clone().unwrap()),
                ];
                for (mut from, mut to) in pipes {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(Shutdown::Write);
                    });
                }
                std::thread::spawn(move || {
                    std::thread::sleep(cut_after);
                    let _ = client.shutdown(Shutdown::Both);
                    let _ = server.shutdown(Shutdown::Both);
                });
            }
        });
        Proxy { port, stop, open }
    }

    /// Cuts every connection open through the proxy now.
    pub fn cut_now(&self) {
        for s in self
            .open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
        {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// The URL with its host:port replaced by the proxy's.
pub fn via_proxy(url: &str, host_port: &str, proxy: &Proxy) -> String {
    url.replace(host_port, &format!("127.0.0.1:{}", proxy.port))
}
