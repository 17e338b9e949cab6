//! One error type for the whole tool. Each variant maps to one documented
//! exit code; `main` turns an error into its code and nothing else does.

use std::fmt;
use std::process::ExitCode;

/// Exit codes, documented in the README and the man page.
pub mod code {
    pub const SUCCESS: u8 = 0;
    pub const OTHER: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const AUTH_FAILED: u8 = 3;
    pub const NOT_PERMITTED: u8 = 4;
    pub const NOT_FOUND: u8 = 5;
    pub const VALIDATION_WARN: u8 = 6;
    pub const VALIDATION_FAIL: u8 = 7;
    pub const AUDIT_INTEGRITY: u8 = 8;
    pub const UNREACHABLE: u8 = 9;
}

/// The exit code table, as shown in `--help` and the man page.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success (validation: pass)
  1  other error
  2  usage error (bad arguments, malformed input)
  3  authentication failed (bad credentials, disabled or expired account)
  4  not permitted (no role or grant for this command)
  5  not found
  6  validation warning
  7  validation failure
  8  audit integrity broken, or the audit row could not be written
  9  server unreachable (Active Directory or PostgreSQL)";

#[derive(Debug)]
pub enum Error {
    Usage(String),
    Auth(String),
    NotPermitted(String),
    NotFound(String),
    /// The audit chain does not verify, or the audit row could not be written.
    Audit(String),
    Unreachable(String),
    Other(String),
    /// stdout was closed by the reader (e.g. `| head`): not an error.
    BrokenPipe,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => code::USAGE,
            Error::Auth(_) => code::AUTH_FAILED,
            Error::NotPermitted(_) => code::NOT_PERMITTED,
            Error::NotFound(_) => code::NOT_FOUND,
            Error::Audit(_) => code::AUDIT_INTEGRITY,
            Error::Unreachable(_) => code::UNREACHABLE,
            Error::Other(_) => code::OTHER,
            Error::BrokenPipe => code::SUCCESS,
        }
    }

    /// A refusal by the database, by its kind: the `kind` of a door function's refusal, or
    /// the kind its SQLSTATE (FCUSE, FCNFD, FCDNY) stands for.
    pub fn refused(kind: &str, message: &str) -> Error {
        let message = message.to_string();
        match kind {
            "not_permitted" => Error::NotPermitted(message),
            "usage" => Error::Usage(message),
            "not_found" => Error::NotFound(message),
            "auth" => Error::Auth(message),
            _ => Error::Other(message),
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Error::Usage(m)
            | Error::Auth(m)
            | Error::NotPermitted(m)
            | Error::NotFound(m)
            | Error::Audit(m)
            | Error::Unreachable(m)
            | Error::Other(m) => m,
            Error::BrokenPipe => "output closed",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Error::BrokenPipe;
        }
        Error::Other(format!("i/o error: {e}"))
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        if e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe) {
            return Error::BrokenPipe;
        }
        Error::Other(format!("JSON error: {e}"))
    }
}

/// A PostgreSQL error: a lost or refused connection is `Unreachable`,
/// anything else is reported with the server's own message.
impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        if e.is_closed() || e.as_db_error().is_none() && is_io(&e) {
            return Error::Unreachable(format!(
                "PostgreSQL connection lost ({e}); nothing was committed"
            ));
        }
        match e.as_db_error() {
            // The server is shutting down or refusing new work.
            Some(db) if db.code().code().starts_with("57P") => Error::Unreachable(format!(
                "PostgreSQL stopped serving ({}); nothing was committed",
                db.message()
            )),
            // The SQLSTATEs of the door functions (sql/migrations/V8__door.sql).
            Some(db) if db.code().code() == "FCAUD" => {
                Error::Audit(format!("{}, so nothing was shown or changed", db.message()))
            }
            Some(db) if db.code().code() == "FCUSE" => Error::refused("usage", db.message()),
            Some(db) if db.code().code() == "FCNFD" => Error::refused("not_found", db.message()),
            Some(db) if db.code().code() == "FCDNY" => {
                Error::refused("not_permitted", db.message())
            }
            // insufficient_privilege: what the database refuses an operator's role.
            Some(db) if db.code().code() == "42501" => {
                Error::NotPermitted(format!("the database refused: {}", db.message()))
            }
            Some(db) => Error::Other(format!("database error: {}", db.message())),
            None => Error::Other(format!("database error: {e}")),
        }
    }
}

fn is_io(e: &postgres::Error) -> bool {
    use std::error::Error as _;
    let mut source = e.source();
    while let Some(s) = source {
        if s.is::<std::io::Error>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// Turns a result into the process exit code; BrokenPipe ends quietly.
pub fn exit(result: Result<u8>) -> ExitCode {
    match result {
        Ok(code) => ExitCode::from(code),
        Err(Error::BrokenPipe) => ExitCode::from(code::SUCCESS),
        Err(e) => {
            eprintln!("famctx: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
