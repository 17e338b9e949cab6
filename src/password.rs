//! The operator's password: prompted on a terminal, or read from standard
//! input or an owner-only file for scripts. Never a flag value.

use std::io::{BufRead, IsTerminal};
use std::path::Path;

use crate::config::Settings;
use crate::error::{Error, Result};

pub fn obtain(settings: &Settings, account: &str) -> Result<String> {
    if settings.password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| {
            Error::Usage(format!("cannot read the password from standard input: {e}"))
        })?;
        return Ok(first_line(&line));
    }
    if let Some(path) = settings.get("password_file") {
        return from_file(Path::new(path));
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(format!("Password for {account}: "))
            .map_err(|e| Error::Usage(format!("cannot read the password from the terminal: {e}")));
    }
    Err(Error::Auth(
        "no password: famctx prompts for it on a terminal; scripts use --password-stdin or --password-file".into(),
    ))
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").to_string()
}

/// Reads a password file, refusing one that others could read.
pub fn from_file(path: &Path) -> Result<String> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::Usage(format!("cannot read password file {}: {e}", path.display())))?;
    if meta.mode() & 0o077 != 0 {
        return Err(Error::Usage(format!(
            "password file {} can be read by others (mode {:o}): run chmod 600 {}",
            path.display(),
            meta.mode() & 0o777,
            path.display()
        )));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Usage(format!("cannot read password file {}: {e}", path.display())))?;
    Ok(first_line(&text))
}
