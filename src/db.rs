//! PostgreSQL connections (TLS per libpq's sslmode) and the embedded,
//! checksummed schema migrations.

use std::sync::mpsc;
use std::time::Duration;

use clap::Subcommand;
use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
use postgres::{Client, Config, NoTls};
use postgres_openssl::MakeTlsConnector;
use sha2::{Digest, Sha256};

use crate::context::Context;
use crate::error::{Error, Result};
use crate::output::Table;

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Apply pending migrations (connects as FAMCTX_OWNER_URL, else the database URL)
    Migrate,
    /// Show each migration: applied, pending, or changed since it was applied
    Status,
}

pub struct Migration {
    pub version: i32,
    pub name: &'static str,
    pub sql: &'static str,
}

macro_rules! migration {
    ($v:literal, $name:literal) => {
        Migration {
            version: $v,
            name: $name,
            sql: include_str!(concat!("../sql/migrations/V", $v, "__", $name, ".sql")),
        }
    };
}

pub const MIGRATIONS: &[Migration] = &[
    migration!(1, "core_schema"),
    migration!(2, "users_and_grants"),
    migration!(3, "audit"),
    migration!(4, "application_role"),
    migration!(5, "permissions"),
    migration!(6, "audit_review"),
    migration!(7, "hardening"),
    migration!(8, "door"),
    migration!(9, "permission_door"),
    migration!(10, "audit_door"),
    migration!(11, "mdm_door"),
    migration!(12, "reference_json"),
    migration!(13, "search_path"),
    migration!(14, "door_hardening"),
    migration!(15, "door_review"),
    migration!(16, "bulk_plans"),
    migration!(17, "export_lines"),
    migration!(18, "roles_sync_linear"),
    migration!(19, "caller_no_row_lock"),
    migration!(20, "text_rules"),
    migration!(21, "basis_and_break_glass"),
    migration!(22, "audit_partitions"),
    migration!(23, "restricted_persons"),
    migration!(24, "legal_basis"),
    // No migration is numbered 25.
    migration!(26, "restricted_review"),
    migration!(27, "review_mends"),
    migration!(28, "bulk_apply"),
    migration!(29, "export_copy"),
];

impl Migration {
    pub fn checksum(&self) -> String {
        hex::encode(Sha256::digest(self.sql.as_bytes()))
    }
}

/// TLS choice, with libpq's meaning of each sslmode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// Connects within `timeout`, so a server that accepts and never answers
/// cannot hang the tool.
pub fn connect(url: &str, timeout: Duration) -> Result<Client> {
    let (config, mode, root_cert) = parse(url)?;
    open(config, mode, root_cert, timeout)
}

/// Connects as an operator with their AD password, which PostgreSQL checks against AD. The
/// password goes only to a server whose certificate verifies for its host name
/// (sslmode=verify-full); anything weaker is refused before connecting.
pub fn connect_as(url: &str, role: &str, password: &str, timeout: Duration) -> Result<Client> {
    let (mut config, mode, root_cert) = parse(url)?;
    if mode != SslMode::VerifyFull {
        return Err(Error::Usage(format!(
            "refusing to send your password to PostgreSQL under sslmode={}: PostgreSQL checks it \
             against Active Directory, so it travels to the server and must go only to a server \
             whose certificate is verified for its name; set sslmode=verify-full (and sslrootcert) \
             in database_url",
            mode.name()
        )));
    }
    if config.get_password().is_some() {
        return Err(Error::Usage(
            "database_url holds a password: operators sign in to PostgreSQL as themselves, with \
             their AD password; remove the user and password from database_url"
                .into(),
        ));
    }
    config.user(role).password(password);
    open(config, mode, root_cert, timeout)
}

fn open(
    mut config: Config,
    mode: SslMode,
    root_cert: Option<String>,
    timeout: Duration,
) -> Result<Client> {
    let target = describe(&config);
    // Set at sign-in: no round trip of its own.
    config.application_name("famctx").options("-c jit=off");
    let connector = tls(mode, root_cert.as_deref())?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let result = match connector {
            None => config.connect(NoTls),
            Some(c) => config.connect(c),
        };
        let _ = tx.send(result);
    });
    match rx.recv_timeout(timeout) {
        Ok(Ok(c)) => Ok(c),
        Ok(Err(e)) => Err(connect_error(&target, e)),
        Err(_) => Err(Error::Unreachable(format!(
            "PostgreSQL at {target} did not answer within {} s (db_timeout)",
            timeout.as_secs()
        ))),
    }
}

/// A refused sign-in is an authentication failure (exit 3); anything else leaves the
/// server unreachable (exit 9).
fn connect_error(target: &str, e: postgres::Error) -> Error {
    match e.as_db_error() {
        // invalid_authorization_specification, invalid_password
        Some(d) if d.code().code().starts_with("28") => Error::Auth(format!(
            "PostgreSQL at {target} refused the sign-in: {}; check the account and password, and \
             that roles sync has given the account a login role",
            d.message()
        )),
        Some(d) => Error::Unreachable(format!(
            "cannot connect to PostgreSQL at {target}: {}",
            d.message()
        )),
        None => Error::Unreachable(format!("cannot connect to PostgreSQL at {target}: {e}")),
    }
}

fn describe(config: &Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            postgres::config::Host::Tcp(h) => h.clone(),
            #[cfg(unix)]
            postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!("{host}:{port}")
}

/// Splits libpq's sslmode and sslrootcert off the connection string (the
/// driver knows neither verify-ca nor verify-full) and parses the rest.
fn parse(url: &str) -> Result<(Config, SslMode, Option<String>)> {
    let bad = |m: String| {
        Error::Usage(format!(
            "bad database URL {}: {m}",
            crate::config::redact_url(url)
        ))
    };
    let mut mode = None;
    let mut root_cert = None;
    let rest = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let mut parsed = url::Url::parse(url).map_err(|e| bad(e.to_string()))?;
        let mut kept = Vec::new();
        for (k, v) in parsed.query_pairs() {
            match k.as_ref() {
                "sslmode" => mode = Some(v.into_owned()),
                "sslrootcert" => root_cert = Some(v.into_owned()),
                _ => kept.push((k.into_owned(), v.into_owned())),
            }
        }
        if kept.is_empty() {
            parsed.set_query(None);
        } else {
            parsed.query_pairs_mut().clear().extend_pairs(kept);
        }
        parsed.to_string()
    } else {
        let mut kept = Vec::new();
        for kv in url.split_whitespace() {
            match kv.split_once('=') {
                Some(("sslmode", v)) => mode = Some(v.to_string()),
                Some(("sslrootcert", v)) => root_cert = Some(v.to_string()),
                _ => kept.push(kv),
            }
        }
        kept.join(" ")
    };
    let mode = match mode.as_deref() {
        None | Some("prefer") => SslMode::Prefer,
        Some("disable") => SslMode::Disable,
        Some("allow") => SslMode::Prefer,
        Some("require") => SslMode::Require,
        Some("verify-ca") => SslMode::VerifyCa,
        Some("verify-full") => SslMode::VerifyFull,
        Some(other) => {
            return Err(bad(format!(
                "sslmode {other:?} is not one of disable, prefer, require, verify-ca, verify-full"
            )))
        }
    };
    let mut config: Config = rest
        .parse()
        .map_err(|e: postgres::Error| bad(e.to_string()))?;
    config.ssl_mode(match mode {
        SslMode::Disable => postgres::config::SslMode::Disable,
        SslMode::Prefer => postgres::config::SslMode::Prefer,
        _ => postgres::config::SslMode::Require,
    });
    Ok((config, mode, root_cert))
}

fn tls(mode: SslMode, root_cert: Option<&str>) -> Result<Option<MakeTlsConnector>> {
    if mode == SslMode::Disable {
        return Ok(None);
    }
    let tls_error = |e: openssl::error::ErrorStack| Error::Other(format!("TLS setup failed: {e}"));
    let mut builder = SslConnector::builder(SslMethod::tls_client()).map_err(tls_error)?;
    // libpq verifies when a root certificate is given, even under require.
    let verify = matches!(mode, SslMode::VerifyCa | SslMode::VerifyFull)
        || (mode == SslMode::Require && root_cert.is_some());
    if let Some(path) = root_cert {
        // The given roots replace the system's, as in libpq.
        builder
            .set_verify_cert_store(roots(path)?)
            .map_err(tls_error)?;
    }
    if !verify {
        builder.set_verify(SslVerifyMode::NONE);
    }
    let mut connector = MakeTlsConnector::new(builder.build());
    if mode != SslMode::VerifyFull {
        connector.set_callback(|cfg, _| {
            cfg.set_verify_hostname(false);
            Ok(())
        });
    }
    Ok(Some(connector))
}

/// A certificate store holding only the certificates of a PEM file.
pub fn roots(path: &str) -> Result<openssl::x509::store::X509Store> {
    let bad = |e: String| Error::Usage(format!("cannot use CA file {path}: {e}"));
    let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let certs = openssl::x509::X509::stack_from_pem(&pem).map_err(|e| bad(e.to_string()))?;
    if certs.is_empty() {
        return Err(bad("it holds no PEM certificate".into()));
    }
    let mut store =
        openssl::x509::store::X509StoreBuilder::new().map_err(|e| bad(e.to_string()))?;
    for c in certs {
        store.add_cert(c).map_err(|e| bad(e.to_string()))?;
    }
    Ok(store.build())
}

/// Asks the server to cancel what a session is running, over a connection of its own to the
/// server of `url`, with the same TLS settings. A stream famctx stops reading (`| head`) is
/// cancelled so: the server would otherwise send all of it before the session could end.
pub fn cancel(url: &str, token: &postgres::CancelToken) -> Result<()> {
    let (_, mode, root_cert) = parse(url)?;
    match tls(mode, root_cert.as_deref())? {
        None => token.cancel_query(NoTls),
        Some(c) => token.cancel_query(c),
    }
    .map_err(Error::from)
}

/// The sslrootcert of a connection string, if any.
pub fn root_cert_of(url: &str) -> Option<String> {
    parse(url).ok().and_then(|(_, _, root)| root)
}

pub fn run(ctx: &Context, command: &DbCommand) -> Result<u8> {
    let url = ctx
        .settings
        .get("owner_url")
        .map(Ok)
        .unwrap_or_else(|| ctx.settings.require("database_url"))?;
    let mut client = connect(url, ctx.settings.seconds("db_timeout")?)?;
    let mut out = ctx.output();
    match command {
        DbCommand::Migrate => {
            let applied = migrate(&mut client)?;
            if applied.is_empty() {
                eprintln!(
                    "famctx: schema is up to date ({} migrations)",
                    MIGRATIONS.len()
                );
            }
            for m in applied {
                eprintln!("famctx: applied V{}__{}", m.version, m.name);
            }
        }
        DbCommand::Status => {
            let applied = applied(&mut client)?;
            let mut table = Table::new(["version", "name", "state", "applied at"]);
            for m in MIGRATIONS {
                let (state, at) = match applied.iter().find(|a| a.0 == m.version) {
                    Some((_, _, sum, at)) if *sum == m.checksum() => ("applied", at.clone()),
                    Some((_, _, _, at)) => ("CHANGED since applied", at.clone()),
                    None => ("pending", String::new()),
                };
                table.row([
                    m.version.to_string(),
                    m.name.to_string(),
                    state.to_string(),
                    at,
                ]);
            }
            for (v, name, _, at) in applied
                .iter()
                .filter(|a| MIGRATIONS.iter().all(|m| m.version != a.0))
            {
                table.row([
                    v.to_string(),
                    name.clone(),
                    "UNKNOWN to this famctx".into(),
                    at.clone(),
                ]);
            }
            out.table(&table)?;
        }
    }
    Ok(crate::error::code::SUCCESS)
}

type Applied = (i32, String, String, String);

fn applied(client: &mut Client) -> Result<Vec<Applied>> {
    let exists: bool = client
        .query_one("SELECT to_regclass('fc.schema_migration') IS NOT NULL", &[])?
        .get(0);
    if !exists {
        return Ok(Vec::new());
    }
    let rows = client.query(
        "SELECT version, name, checksum, to_char(applied_at, 'YYYY-MM-DD HH24:MI:SS TZ') \
         FROM fc.schema_migration ORDER BY version",
        &[],
    )?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect())
}

/// Applies pending migrations in order, each in its own transaction, under
/// an advisory lock so two runs cannot interleave. Refuses to go on when an
/// applied migration was changed or is unknown to this build.
pub fn migrate(client: &mut Client) -> Result<Vec<&'static Migration>> {
    client.batch_execute(
        "SELECT pg_advisory_lock(hashtextextended('famctx.migrate', 0));
         CREATE SCHEMA IF NOT EXISTS fc;
         CREATE TABLE IF NOT EXISTS fc.schema_migration (
             version     integer PRIMARY KEY,
             name        text NOT NULL,
             checksum    text NOT NULL,
             applied_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
             applied_by  text NOT NULL DEFAULT current_user
         );",
    )?;
    let result = apply_pending(client);
    let unlock =
        client.batch_execute("SELECT pg_advisory_unlock(hashtextextended('famctx.migrate', 0))");
    let applied = result?;
    unlock?;
    Ok(applied)
}

fn apply_pending(client: &mut Client) -> Result<Vec<&'static Migration>> {
    let done = applied(client)?;
    for (version, name, sum, _) in &done {
        match MIGRATIONS.iter().find(|m| m.version == *version) {
            None => {
                return Err(Error::Other(format!(
                "the database has migration V{version}__{name}, which this famctx does not know: \
                     use the famctx release that applied it, or a newer one"
            )))
            }
            Some(m) if m.checksum() != *sum => {
                return Err(Error::Other(format!(
                    "migration V{version}__{name} was changed after it was applied \
                     (applied checksum {sum}, now {}): restore the original file and put the \
                     change in a new migration",
                    m.checksum()
                )))
            }
            Some(_) => {}
        }
    }
    let mut newly: Vec<&'static Migration> = Vec::new();
    let mut unaudited: Vec<&'static Migration> = Vec::new();
    for m in MIGRATIONS
        .iter()
        .filter(|m| done.iter().all(|d| d.0 != m.version))
    {
        let mut tx = client.transaction()?;
        tx.batch_execute(m.sql).map_err(|e| {
            Error::Other(format!(
                "migration V{}__{} failed, nothing of it applied: {}",
                m.version,
                m.name,
                e.as_db_error()
                    .map(|d| d.message().to_string())
                    .unwrap_or_else(|| e.to_string())
            ))
        })?;
        tx.execute(
            "INSERT INTO fc.schema_migration (version, name, checksum) VALUES ($1, $2, $3)",
            &[&m.version, &m.name, &m.checksum()],
        )?;
        let audited: bool = tx
            .query_one("SELECT to_regproc('fc.audit_write') IS NOT NULL", &[])?
            .get(0);
        unaudited.push(m);
        // Migrations applied before the audit trail existed are recorded as
        // soon as it does, in the same transaction as the one that made it.
        if audited {
            for m in unaudited.drain(..) {
                tx.execute(
                    "SELECT fc.audit_write(NULL, current_user, 'db', inet_client_addr()::text, \
                     'schema_migrated', 'allowed', NULL, NULL, NULL, NULL, NULL, NULL, \
                     jsonb_build_object('version', $1::int, 'name', $2::text, 'checksum', $3::text))",
                    &[&m.version, &m.name, &m.checksum()],
                )?;
            }
        }
        tx.commit()?;
        newly.push(m);
    }
    if !unaudited.is_empty() {
        return Err(Error::Audit(
            "migrations applied, but the audit trail does not exist: check the migration files"
                .into(),
        ));
    }
    Ok(newly)
}
