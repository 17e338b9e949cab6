//! Asking the operator to confirm a change, on a terminal only: without one, the command is
//! refused with what to do instead (usually `--yes`), never carried out unasked.

use std::io::IsTerminal;

use crate::error::{Error, Result};

/// Whether there is an operator to ask: standard input and standard error (where the question
/// is written) are both a terminal.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Asks `prompt` (the answer defaults to no). Without a terminal the refusal is `unattended`;
/// declined, nothing is done.
pub fn confirm(prompt: &str, unattended: impl FnOnce() -> String) -> Result<()> {
    if !interactive() {
        return Err(Error::Usage(unattended()));
    }
    let yes = dialoguer::Confirm::new()
        .with_prompt(prompt)
        .default(false)
        .interact()
        .map_err(|e| Error::Usage(format!("cannot ask for confirmation: {e}")))?;
    if yes {
        Ok(())
    } else {
        Err(Error::Usage("not confirmed; nothing was changed".into()))
    }
}
