//! The top: the command line, its global options (from `config`) and the command enum, each
//! command's own arguments beside its handler in the module named for its noun. Nothing below
//! imports this module.

use clap::{Parser, Subcommand};

use crate::config::GlobalOptions;
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
    Whoami(crate::whoami::WhoamiArgs),
    /// Data sources (services) and their coverage
    #[command(subcommand)]
    Source(crate::source::SourceCommand),
    /// The legal bases an operator may declare with --basis: list (anyone), add and retire (admins)
    #[command(subcommand)]
    Basis(crate::basis::BasisCommand),
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
