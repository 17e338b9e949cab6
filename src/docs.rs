//! Shell completions and man pages, generated from the clap definitions and
//! committed under completions/ and man/.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::error::Result;

pub const SHELLS: [Shell; 4] = [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell];

pub fn completions(shell: Shell, out: &mut dyn Write) -> Result<()> {
    clap_complete::generate(shell, &mut Cli::command(), "famctx", out);
    Ok(())
}

/// Writes every completion script into `completions/` and a man page for
/// famctx and each subcommand into `man/`.
pub fn write_all(completions_dir: &Path, man_dir: &Path) -> Result<()> {
    std::fs::create_dir_all(completions_dir)?;
    std::fs::create_dir_all(man_dir)?;
    for shell in SHELLS {
        let name = match shell {
            Shell::Bash => "famctx.bash",
            Shell::Zsh => "_famctx",
            Shell::Fish => "famctx.fish",
            _ => "_famctx.ps1",
        };
        let mut f = std::fs::File::create(completions_dir.join(name))?;
        completions(shell, &mut f)?;
    }
    let mut cmd = Cli::command();
    cmd.build();
    man_pages(&cmd, "famctx", man_dir)
}

fn man_pages(cmd: &clap::Command, name: &str, dir: &Path) -> Result<()> {
    let page = cmd
        .clone()
        .name(name.to_string())
        .bin_name(name.replace("-", " "));
    let mut f = std::fs::File::create(dir.join(format!("{name}.1")))?;
    clap_mangen::Man::new(page).render(&mut f)?;
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        man_pages(sub, &format!("{name}-{}", sub.get_name()), dir)?;
    }
    Ok(())
}
