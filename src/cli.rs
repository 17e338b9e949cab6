//! Global options and the top-level command enum. Each command's own
//! arguments live beside its handler, in the module named for its noun.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::error::EXIT_CODES_HELP;

#[derive(Debug, Parser)]
#[command(
    name = "famctx",
    version,
    about = "Family Context from the terminal: family lookups, permissions, audit review and MDM load checks",
    long_about = "famctx is the terminal and scripting face of the council's Family Context system.\n\
        Every command checks the operator against Active Directory, checks their permissions in \
        PostgreSQL and writes an audit row before anything is shown or changed.",
    after_help = EXIT_CODES_HELP
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOptions,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts; each can also come from the environment
/// or the config file (flags win over environment, environment over file).
#[derive(Debug, Args)]
pub struct GlobalOptions {
    /// Output format
    ///
    /// Each -o json document is described by a JSON Schema (draft 2020-12) in the schema/ folder
    /// of the famctx source, compatible with the reference Family Context API; jsonl and csv use
    /// the same names (see README.md, "JSON output").
    #[arg(short = 'o', long, global = true, value_enum, env = "FAMCTX_OUTPUT")]
    pub output: Option<Format>,

    /// Config file [default: $XDG_CONFIG_HOME/famctx/config.toml, then /etc/famctx/config.toml]
    #[arg(long, global = true, env = "FAMCTX_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// PostgreSQL URL of the family context database (keep passwords in the
    /// environment or the config file, not on the command line)
    #[arg(
        long,
        global = true,
        env = "FAMCTX_DATABASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub database_url: Option<String>,

    /// Active Directory URL: ldaps://host or ldap://host (StartTLS)
    #[arg(long, global = true, env = "FAMCTX_LDAP_URL", value_name = "URL")]
    pub ldap_url: Option<String>,

    /// Operator account: name, name@realm or DOMAIN\name (not with --auth kerberos: the ticket names you)
    #[arg(
        short = 'u',
        long,
        global = true,
        env = "FAMCTX_USER",
        value_name = "ACCOUNT"
    )]
    pub user: Option<String>,

    /// How to sign in: password (default), or kerberos: the operator's Kerberos ticket (from
    /// kinit or the desktop login), no password and no --user. Kerberos needs a famctx built with
    /// the `kerberos` feature
    #[arg(
        long = "auth",
        id = "auth",
        global = true,
        value_enum,
        env = "FAMCTX_AUTH",
        value_name = "METHOD"
    )]
    pub auth: Option<AuthMethod>,

    /// Read the operator's password from the first line of standard input
    #[arg(long, global = true, conflicts_with = "password_file")]
    pub password_stdin: bool,

    /// Read the operator's password from a file readable by its owner only
    #[arg(long, global = true, env = "FAMCTX_PASSWORD_FILE", value_name = "FILE")]
    pub password_file: Option<PathBuf>,
}

/// How the operator signs in to Active Directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthMethod {
    /// A simple bind with the account's password
    Password,
    /// A SASL GSSAPI bind with the operator's Kerberos ticket (KRB5CCNAME)
    Kerberos,
}

impl AuthMethod {
    pub fn name(self) -> &'static str {
        match self {
            AuthMethod::Password => "password",
            AuthMethod::Kerberos => "kerberos",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Jsonl,
    Csv,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Look a person up and see their family and the services involved
    #[command(subcommand)]
    Family(crate::family::FamilyCommand),
    /// Find people in the MDM person index
    #[command(subcommand)]
    Person(crate::person::PersonCommand),
    /// Grant, revoke, list and review data source permissions (admins)
    #[command(subcommand)]
    Permission(crate::permission::PermissionCommand),
    /// Show who you are in Active Directory, your roles and your data source grants
    Whoami,
    /// Data sources (services) and their coverage
    #[command(subcommand)]
    Source(crate::source::SourceCommand),
    /// Review and verify the audit trail (auditors)
    #[command(subcommand)]
    Audit(crate::audit::AuditCommand),
    /// Check that the nightly MDM load is complete, and list load runs (admins)
    #[command(subcommand)]
    Mdm(crate::mdm::MdmCommand),
    /// Keep PostgreSQL's operator roles in step with the AD groups (admins, schedulers)
    #[command(subcommand)]
    Roles(crate::roles::RolesCommand),
    /// Database schema migrations (run as the owner role)
    #[command(subcommand)]
    Db(crate::db::DbCommand),
    /// Effective settings and where each came from
    #[command(subcommand)]
    Config(crate::config::ConfigCommand),
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// A subcommand argument with the id of a global option would silently
    /// take its place (e.g. a grantee named where the operator should be).
    #[test]
    fn no_argument_shadows_a_global_option() {
        let root = super::Cli::command();
        let globals: Vec<String> = root
            .get_arguments()
            .map(|a| a.get_id().to_string())
            .collect();
        fn walk(cmd: &clap::Command, globals: &[String], path: &str) {
            for sub in cmd.get_subcommands() {
                let here = format!("{path} {}", sub.get_name());
                for a in sub.get_arguments() {
                    assert!(
                        !globals.contains(&a.get_id().to_string()),
                        "`{here}` argument {} shadows a global option",
                        a.get_id()
                    );
                }
                walk(sub, globals, &here);
            }
        }
        walk(&root, &globals, "famctx");
    }

    #[test]
    fn the_command_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
