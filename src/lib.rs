//! famctx: the terminal and scripting face of Family Context.

pub mod action;
pub mod ask;
pub mod audit;
pub mod basis;
pub mod cli;
pub mod config;
pub mod context;
pub mod db;
pub mod directory;
pub mod docs;
pub mod error;
pub mod family;
pub mod guard;
pub mod layout;
pub mod mdm;
pub mod output;
pub mod password;
pub mod permission;
pub mod person;
pub mod progress;
pub mod reference;
pub mod roles;
pub mod source;
pub mod text;
pub mod when;
pub mod whoami;

use clap::{CommandFactory, FromArgMatches};

use crate::cli::{Cli, Command};
use crate::config::{ConfigCommand, Settings};
pub use crate::context::Context;
use crate::error::{code, Error, Result};

/// Parses the command line and runs it; returns the exit code.
pub fn main() -> Result<u8> {
    let matches = match Cli::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let usage = e.use_stderr();
            let _ = e.print();
            return Ok(if usage { code::USAGE } else { code::SUCCESS });
        }
    };
    let cli = Cli::from_arg_matches(&matches).map_err(|e| Error::Usage(e.to_string()))?;
    let settings = Settings::load(&cli.global, &matches)?;
    trust_only_configured_roots(&settings);
    let format = settings.format()?;
    run(Context { settings, format }, &cli.command)
}

/// When every connection famctx may make is verified against a CA file of its own (the
/// directory's `ldap_ca_file`, the databases' `sslrootcert`), the system trust store is never
/// used: each connector replaces it. OpenSSL still parses it whenever a connector is built
/// (tens of milliseconds for a distribution's bundle, more with a large SSL_CERT_FILE), so its
/// default locations are pointed at the configured CA file instead, whatever SSL_CERT_FILE and
/// SSL_CERT_DIR say.
fn trust_only_configured_roots(settings: &Settings) {
    let Some(ldap) = settings.get("ldap_ca_file").map(str::to_string) else {
        return;
    };
    let database_has_roots = |key: &str| match settings.get(key) {
        None => true,
        Some(url) => db::root_cert_of(url).is_some(),
    };
    if !["database_url", "owner_url", "mdm_url"]
        .iter()
        .all(|k| database_has_roots(k))
    {
        return;
    }
    // Single-threaded here: nothing else reads the environment yet.
    std::env::set_var("SSL_CERT_FILE", &ldap);
    std::env::set_var("SSL_CERT_DIR", "/nonexistent/famctx-no-system-roots");
}

pub fn run(ctx: Context, command: &Command) -> Result<u8> {
    match command {
        Command::Whoami(a) => whoami::run(&ctx, a),
        Command::Family(c) => family::run(&ctx, c),
        Command::Person(c) => person::run(&ctx, c),
        Command::Permission(c) => permission::run(&ctx, c),
        Command::Source(c) => source::run(&ctx, c),
        Command::Basis(c) => basis::run(&ctx, c),
        Command::Audit(c) => audit::run(&ctx, c),
        Command::Mdm(c) => mdm::run(&ctx, c),
        Command::Roles(c) => roles::run(&ctx, c),
        Command::Db(c) => db::run(&ctx, c),
        Command::Config(ConfigCommand::Show) => {
            ctx.settings.show(&mut ctx.output())?;
            Ok(code::SUCCESS)
        }
        Command::Completions { shell } => {
            docs::completions(*shell, &mut std::io::stdout())?;
            Ok(code::SUCCESS)
        }
    }
}
