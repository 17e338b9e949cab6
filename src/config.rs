//! Settings: flags > FAMCTX_* environment > config file > defaults, each
//! setting remembering where it came from so `config show` can say.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, Subcommand};

use crate::error::{Error, Result};
use crate::output::{Format, Output, Table};

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
        value_parser = ["password", "kerberos"],
        env = "FAMCTX_AUTH",
        value_name = "METHOD"
    )]
    pub auth: Option<String>,

    /// Read the operator's password from the first line of standard input
    #[arg(long, global = true, conflicts_with = "password_file")]
    pub password_stdin: bool,

    /// Read the operator's password from a file readable by its owner only
    #[arg(long, global = true, env = "FAMCTX_PASSWORD_FILE", value_name = "FILE")]
    pub password_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective settings and where each came from (secrets redacted)
    Show,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Flag,
    Env(String),
    File(PathBuf),
    Default,
}

impl Origin {
    fn describe(&self) -> String {
        match self {
            Origin::Flag => "command line".into(),
            Origin::Env(var) => format!("environment ({var})"),
            Origin::File(p) => format!("config file ({})", p.display()),
            Origin::Default => "default".into(),
        }
    }
}

/// One known setting: its key in the config file and its environment variable.
struct Key {
    name: &'static str,
    env: &'static str,
    default: Option<&'static str>,
    secret_url: bool,
    /// Policy (who holds which role, whether a reason or a legal basis is required): read
    /// only from the system config file, never from the operator's
    /// environment, flags or own config file.
    policy: bool,
    help: &'static str,
}

/// The one file policy settings may come from.
pub const SYSTEM_CONFIG: &str = "/etc/famctx/config.toml";

const KEYS: &[Key] = &[
    key(
        "output",
        "FAMCTX_OUTPUT",
        Some("table"),
        "table, json, jsonl or csv",
    ),
    url(
        "database_url",
        "FAMCTX_DATABASE_URL",
        "family context database (application role)",
    ),
    url(
        "owner_url",
        "FAMCTX_OWNER_URL",
        "family context database as the schema owner (db migrate)",
    ),
    url(
        "mdm_url",
        "FAMCTX_MDM_URL",
        "MDM warehouse database (read-only role)",
    ),
    key(
        "mdm_fresh_warn_hours",
        "FAMCTX_MDM_FRESH_WARN_HOURS",
        Some("26"),
        "mdm validate: warn when the last completed load ended longer ago (hours)",
    ),
    key(
        "mdm_fresh_fail_hours",
        "FAMCTX_MDM_FRESH_FAIL_HOURS",
        Some("50"),
        "mdm validate: fail when the last completed load ended longer ago (hours)",
    ),
    key(
        "mdm_drop_warn_pct",
        "FAMCTX_MDM_DROP_WARN_PCT",
        Some("5"),
        "mdm validate: warn when an entity lost more than this % of its rows since the previous load",
    ),
    key(
        "mdm_drop_fail_pct",
        "FAMCTX_MDM_DROP_FAIL_PCT",
        Some("20"),
        "mdm validate: fail when an entity lost more than this % of its rows since the previous load",
    ),
    key(
        "mdm_missing_field_warn_pct",
        "FAMCTX_MDM_MISSING_FIELD_WARN_PCT",
        Some("1"),
        "mdm validate: warn when more than this % of persons lack a name, date of birth or address",
    ),
    key(
        "mdm_missing_field_fail_pct",
        "FAMCTX_MDM_MISSING_FIELD_FAIL_PCT",
        Some("5"),
        "mdm validate: fail when more than this % of persons lack a name, date of birth or address",
    ),
    key(
        "ldap_url",
        "FAMCTX_LDAP_URL",
        None,
        "ldaps://host or ldap://host (StartTLS)",
    ),
    key(
        "ldap_ca_file",
        "FAMCTX_LDAP_CA_FILE",
        None,
        "CA certificate(s) that sign the directory's certificate",
    ),
    key(
        "ldap_base_dn",
        "FAMCTX_LDAP_BASE_DN",
        None,
        "search base; read from the directory's root DSE when unset",
    ),
    key(
        "ldap_timeout",
        "FAMCTX_LDAP_TIMEOUT",
        Some("5"),
        "seconds for connecting and for each directory operation",
    ),
    key(
        "ldap_group_timeout",
        "FAMCTX_LDAP_GROUP_TIMEOUT",
        Some("120"),
        "seconds for reading a whole group's members (roles sync)",
    ),
    key(
        "db_timeout",
        "FAMCTX_DB_TIMEOUT",
        Some("5"),
        "seconds for connecting to PostgreSQL",
    ),
    key(
        "ldap_insecure_skip_verify",
        "FAMCTX_LDAP_INSECURE_SKIP_VERIFY",
        Some("false"),
        "accept any directory certificate (local tests only)",
    ),
    key(
        "ldap_insecure_plaintext_bind",
        "FAMCTX_LDAP_INSECURE_PLAINTEXT_BIND",
        Some("false"),
        "send the password over ldap:// without TLS (local tests only)",
    ),
    key(
        "ldap_server_name",
        "FAMCTX_LDAP_SERVER_NAME",
        None,
        "the DC's registered host name, for Kerberos (service ldap/<name>); default: the host of ldap_url when that is a name",
    ),
    key(
        "auth",
        "FAMCTX_AUTH",
        Some("password"),
        "password, or kerberos (the operator's ticket; needs a build with the kerberos feature)",
    ),
    key("user", "FAMCTX_USER", None, "operator account"),
    key(
        "password_file",
        "FAMCTX_PASSWORD_FILE",
        None,
        "file holding the operator's password",
    ),
    policy("group_users", "FamilyContext Users", "AD group for family lookups (a name, or a distinguished name to match exactly); policy: system config file only"),
    policy("group_admins", "FamilyContext Admins", "AD group for grants and MDM checks (a name, or a distinguished name to match exactly); policy: system config file only"),
    policy("group_auditors", "FamilyContext Auditors", "AD group for audit review (a name, or a distinguished name to match exactly); policy: system config file only"),
    policy("reason_required", "true", "require --reason for lookups; policy: system config file only"),
    policy("basis_required", "false", "require --basis (a legal basis code) for lookups; policy: system config file only"),
    Key {
        name: "audit_retention_months",
        env: "",
        default: None,
        secret_url: false,
        policy: true,
        help: "audit archive: months of the audit trail kept in the database; unset, the database's \
               own period holds (fc.policy, default 72), and set, the longer of the two; policy: \
               system config file only",
    },
    Key {
        name: "service_database_url",
        env: "",
        default: None,
        secret_url: true,
        policy: true,
        help: "service deployments only (--auth kerberos): the trusted service role famctx signs in \
               to PostgreSQL with, naming the operator; policy: system config file only",
    },
];

const fn key(
    name: &'static str,
    env: &'static str,
    default: Option<&'static str>,
    help: &'static str,
) -> Key {
    Key {
        name,
        env,
        default,
        secret_url: false,
        policy: false,
        help,
    }
}

const fn policy(name: &'static str, default: &'static str, help: &'static str) -> Key {
    Key {
        name,
        env: "",
        default: Some(default),
        secret_url: false,
        policy: true,
        help,
    }
}

const fn url(name: &'static str, env: &'static str, help: &'static str) -> Key {
    Key {
        name,
        env,
        default: None,
        secret_url: true,
        policy: false,
        help,
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    values: BTreeMap<&'static str, (String, Origin)>,
    pub config_file: Option<PathBuf>,
    pub password_stdin: bool,
}

impl Settings {
    /// Resolves every setting from the parsed command line, the environment
    /// and the config file.
    pub fn load(global: &GlobalOptions, matches: &ArgMatches) -> Result<Settings> {
        let (config_file, file) = read_file(global.config.as_deref())?;
        let flags: [(&str, Option<String>); 6] = [
            ("output", global.output.map(|f| f.name().to_string())),
            ("auth", global.auth.clone()),
            ("database_url", global.database_url.clone()),
            ("ldap_url", global.ldap_url.clone()),
            ("user", global.user.clone()),
            (
                "password_file",
                global
                    .password_file
                    .as_ref()
                    .map(|p| p.display().to_string()),
            ),
        ];
        if let Some(k) = KEYS.iter().find(|k| k.policy && file.contains_key(k.name)) {
            let system = config_file.as_deref() == Some(Path::new(SYSTEM_CONFIG));
            if !system {
                return Err(Error::Usage(format!(
                    "{} is a policy setting: it is read only from {SYSTEM_CONFIG}, not from {}",
                    k.name,
                    config_file.as_deref().unwrap_or(Path::new("")).display()
                )));
            }
        }
        let system = read_system_policy()?;
        let mut values = BTreeMap::new();
        for k in KEYS.iter().filter(|k| k.policy) {
            let v = match (system.get(k.name), k.default) {
                (Some(v), _) => (v.clone(), Origin::File(PathBuf::from(SYSTEM_CONFIG))),
                (None, Some(d)) => (d.to_string(), Origin::Default),
                (None, None) => continue,
            };
            values.insert(k.name, v);
        }
        for k in KEYS.iter().filter(|k| !k.policy) {
            let from_clap = flags.iter().find(|(n, _)| *n == k.name);
            let source = from_clap.and_then(|_| matches.value_source(k.name));
            let resolved = match (from_clap.and_then(|(_, v)| v.clone()), source) {
                (Some(v), Some(ValueSource::CommandLine)) => Some((v, Origin::Flag)),
                (Some(v), Some(ValueSource::EnvVariable)) => Some((v, Origin::Env(k.env.into()))),
                _ => match std::env::var(k.env) {
                    Ok(v) if !v.is_empty() => Some((v, Origin::Env(k.env.into()))),
                    _ => file
                        .get(k.name)
                        .map(|v| {
                            (
                                v.clone(),
                                Origin::File(config_file.clone().unwrap_or_default()),
                            )
                        })
                        .or_else(|| k.default.map(|d| (d.to_string(), Origin::Default))),
                },
            };
            if let Some(v) = resolved {
                values.insert(k.name, v);
            }
        }
        if matches.value_source("database_url") == Some(ValueSource::CommandLine) {
            refuse_password_in_flag(global.database_url.as_deref().unwrap_or_default())?;
        }
        Ok(Settings {
            values,
            config_file,
            password_stdin: global.password_stdin,
        })
    }

    pub fn origin(&self, name: &str) -> Option<&Origin> {
        self.values.get(name).map(|(_, o)| o)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|(v, _)| v.as_str())
    }

    pub fn require(&self, name: &str) -> Result<&str> {
        self.get(name).ok_or_else(|| {
            let env = KEYS
                .iter()
                .find(|k| k.name == name)
                .map(|k| k.env)
                .unwrap_or("");
            Error::Usage(format!(
                "{name} is not set: set {env}, or `{name} = \"...\"` in the config file{}",
                if matches!(name, "database_url" | "ldap_url" | "user") {
                    format!(", or pass --{}", name.replace('_', "-"))
                } else {
                    String::new()
                }
            ))
        })
    }

    pub fn flag(&self, name: &str) -> Result<bool> {
        match self.get(name) {
            None => Ok(false),
            Some(v) => parse_bool(v)
                .ok_or_else(|| Error::Usage(format!("{name} must be true or false, not {v:?}"))),
        }
    }

    pub fn seconds(&self, name: &str) -> Result<Duration> {
        let v = self.require(name)?;
        match v.trim().parse::<u64>() {
            Ok(n) if (1..=600).contains(&n) => Ok(Duration::from_secs(n)),
            _ => Err(Error::Usage(format!(
                "{name} must be a whole number of seconds from 1 to 600, not {v:?}"
            ))),
        }
    }

    pub fn format(&self) -> Result<Format> {
        use clap::ValueEnum;
        let v = self.require("output")?;
        Format::from_str(v, true).map_err(|_| {
            Error::Usage(format!(
                "unknown output format {v:?}: use table, json, jsonl or csv"
            ))
        })
    }

    pub fn show(&self, out: &mut Output) -> Result<()> {
        let mut table = Table::new(["setting", "value", "from", "meaning"]);
        for k in KEYS {
            let (value, origin) = match self.values.get(k.name) {
                Some((v, o)) if k.secret_url => (redact_url(v), o.describe()),
                Some((v, o)) => (v.clone(), o.describe()),
                None => ("(unset)".to_string(), String::new()),
            };
            table.row([k.name.to_string(), value, origin, k.help.to_string()]);
        }
        out.table(&table)
    }
}

/// The trusted service credential of a service deployment, for `--auth kerberos`: PostgreSQL
/// cannot check a Kerberos ticket presented by famctx (the postgres driver has no GSSAPI
/// sign-in), so without a password famctx can reach the database only as a trusted service
/// that names the operator. That credential must be one the operator cannot read (famctx
/// installed setgid, the file readable by its group only), and then nothing that decides where
/// famctx connects may come from the operator's environment, flags or own file.
pub fn service_database_url(settings: &Settings) -> Result<String> {
    let Some(url) = settings.get("service_database_url") else {
        return Err(Error::Usage(format!(
            "--auth kerberos checked your ticket with Active Directory, but PostgreSQL cannot sign \
             you in with it: the postgres driver famctx uses has no Kerberos (GSSAPI) sign-in \
             (rust-postgres issue 994). Sign in with --auth password, or ask for a service \
             deployment: service_database_url in {SYSTEM_CONFIG}, with famctx installed setgid so \
             that operators cannot read it (see SECURITY.md)"
        )));
    };
    for key in [
        "ldap_url",
        "ldap_ca_file",
        "ldap_server_name",
        "ldap_base_dn",
    ] {
        match settings.origin(key) {
            None | Some(Origin::Default) => {}
            Some(Origin::File(p)) if p == Path::new(SYSTEM_CONFIG) => {}
            Some(other) => {
                return Err(Error::Usage(format!(
                    "in a service deployment {key} is read only from {SYSTEM_CONFIG}, not from \
                     the {}",
                    other.describe()
                )))
            }
        }
    }
    Ok(url.to_string())
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" | "on" => Some(true),
        "false" | "no" | "0" | "off" => Some(false),
        _ => None,
    }
}

/// Policy settings from the system config file, if there is one.
fn read_system_policy() -> Result<BTreeMap<String, String>> {
    let path = Path::new(SYSTEM_CONFIG);
    if !path.is_file() {
        return Ok(BTreeMap::new());
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Usage(format!("cannot read {SYSTEM_CONFIG}: {e}")))?;
    parse_file(&text).map_err(|m| Error::Usage(format!("{SYSTEM_CONFIG}: {m}")))
}

/// The config file named by --config must exist; the default locations may not.
fn read_file(explicit: Option<&Path>) -> Result<(Option<PathBuf>, BTreeMap<String, String>)> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => match default_paths().into_iter().find(|p| p.is_file()) {
            Some(p) => p,
            None => return Ok((None, BTreeMap::new())),
        },
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::Usage(format!("cannot read config file {}: {e}", path.display())))?;
    let map = parse_file(&text)
        .map_err(|m| Error::Usage(format!("config file {}: {m}", path.display())))?;
    Ok((Some(path), map))
}

fn default_paths() -> Vec<PathBuf> {
    let mut paths = Vec::new();
    match std::env::var_os("XDG_CONFIG_HOME") {
        Some(x) if !x.is_empty() => paths.push(PathBuf::from(x).join("famctx/config.toml")),
        _ => {
            if let Some(home) = std::env::var_os("HOME") {
                paths.push(PathBuf::from(home).join(".config/famctx/config.toml"));
            }
        }
    }
    paths.push(PathBuf::from("/etc/famctx/config.toml"));
    paths
}

/// Parses the config file: flat `key = value` TOML with known keys only.
pub fn parse_file(text: &str) -> std::result::Result<BTreeMap<String, String>, String> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| e.message().to_string())?;
    let mut map = BTreeMap::new();
    for (k, v) in table {
        if !KEYS.iter().any(|key| key.name == k) {
            let known: Vec<&str> = KEYS.iter().map(|k| k.name).collect();
            return Err(format!(
                "unknown setting {k:?}; known settings: {}",
                known.join(", ")
            ));
        }
        let value = match v {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            toml::Value::Float(f) => f.to_string(),
            other => {
                return Err(format!(
                    "{k} must be a string, number or boolean, not {}",
                    other.type_str()
                ))
            }
        };
        map.insert(k, value);
    }
    Ok(map)
}

fn refuse_password_in_flag(url: &str) -> Result<()> {
    if redact_url(url) != url {
        return Err(Error::Usage(
            "--database-url must not carry a password (it would show in the process list): \
             set FAMCTX_DATABASE_URL or database_url in the config file instead"
                .into(),
        ));
    }
    Ok(())
}

/// Hides the password of a PostgreSQL URL or key=value connection string.
pub fn redact_url(url: &str) -> String {
    if let Some(rest) = url
        .strip_prefix("postgresql://")
        .or_else(|| url.strip_prefix("postgres://"))
    {
        let scheme = &url[..url.len() - rest.len()];
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        let authority = match authority.rfind('@') {
            Some(at) => match authority[..at].find(':') {
                Some(colon) => format!("{}:***{}", &authority[..colon], &authority[at..]),
                None => authority.to_string(),
            },
            None => authority.to_string(),
        };
        // A password may also come as a query parameter.
        let tail = match tail.split_once('?') {
            Some((path, query)) => {
                let query: Vec<String> = query
                    .split('&')
                    .map(|kv| match kv.split_once('=') {
                        Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                        _ => kv.to_string(),
                    })
                    .collect();
                format!("{path}?{}", query.join("&"))
            }
            None => tail.to_string(),
        };
        return format!("{scheme}{authority}{tail}");
    }
    redact_key_value(url)
}

/// `password=...` in a key=value connection string, quoted or not.
fn redact_key_value(conninfo: &str) -> String {
    let mut out = String::new();
    let mut rest = conninfo;
    while let Some(at) = rest.find("password") {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let after_key = &from["password".len()..];
        let trimmed = after_key.trim_start();
        let boundary = before.is_empty() || before.ends_with(char::is_whitespace);
        match trimmed.strip_prefix('=') {
            Some(value) if boundary => {
                out.push_str("password=***");
                let value = value.trim_start();
                rest = match value.strip_prefix('\'') {
                    // A quoted value ends at the next unescaped quote.
                    Some(q) => {
                        let mut end = q.len();
                        let mut escaped = false;
                        for (i, c) in q.char_indices() {
                            match (escaped, c) {
                                (false, '\\') => escaped = true,
                                (false, '\'') => {
                                    end = i + 1;
                                    break;
                                }
                                _ => escaped = false,
                            }
                        }
                        &q[end..]
                    }
                    None => &value[value.find(char::is_whitespace).unwrap_or(value.len())..],
                };
            }
            _ => {
                out.push_str("password");
                rest = after_key;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_everywhere_they_hide() {
        assert_eq!(
            redact_url("postgresql://h/db?user=u&password=s3cret&sslmode=require"),
            "postgresql://h/db?user=u&password=***&sslmode=require"
        );
        assert_eq!(
            redact_url("host=h password='a b\\' c' user=u"),
            "host=h password=*** user=u"
        );
        assert_eq!(
            redact_url("host=h password = x user=u"),
            "host=h password=*** user=u"
        );
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgresql://app:s3cret@127.0.0.1:5432/famctx"),
            "postgresql://app:***@127.0.0.1:5432/famctx"
        );
        assert_eq!(redact_url("postgres://app@h/db"), "postgres://app@h/db");
        assert_eq!(
            redact_url("host=h password=x user=u"),
            "host=h password=*** user=u"
        );
    }

    #[test]
    fn rejects_unknown_keys() {
        assert!(parse_file("databse_url = \"x\"")
            .unwrap_err()
            .contains("unknown setting"));
        assert_eq!(parse_file("ldap_timeout = 3").unwrap()["ldap_timeout"], "3");
        assert_eq!(
            parse_file("mdm_drop_warn_pct = 2.5").unwrap()["mdm_drop_warn_pct"],
            "2.5"
        );
    }

    /// contrib/config.toml, which the package installs as /etc/famctx/config.toml: it parses
    /// and sets nothing as installed, and its `# key = value` lines name every setting once,
    /// each a valid line when uncommented, showing the default where there is one, and the
    /// policy settings (and only those) under "## Policy".
    #[test]
    fn the_example_config_documents_every_setting() {
        let text = include_str!("../contrib/config.toml");
        let parsed = parse_file(text).expect("the example parses");
        assert!(parsed.is_empty(), "the example sets {parsed:?}");
        let mut in_policy = false;
        let mut seen: Vec<&str> = Vec::new();
        for line in text.lines() {
            if let Some(heading) = line.strip_prefix("## ") {
                in_policy = heading.starts_with("Policy");
                continue;
            }
            let Some(setting) = line.strip_prefix("# ") else {
                continue;
            };
            let Some((name, _)) = setting.split_once(" = ") else {
                continue;
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                continue;
            }
            let value = match parse_file(setting) {
                Ok(map) => map[name].clone(),
                Err(e) => panic!("{setting:?} in the example: {e}"),
            };
            let key = KEYS.iter().find(|k| k.name == name).expect("a known key");
            assert!(!seen.contains(&key.name), "{name} twice in the example");
            seen.push(key.name);
            assert_eq!(key.policy, in_policy, "{name} in the wrong section");
            if let Some(default) = key.default {
                assert_eq!(value, default, "{name}: the example shows another default");
            }
        }
        let missing: Vec<&str> = KEYS
            .iter()
            .map(|k| k.name)
            .filter(|n| !seen.contains(n))
            .collect();
        assert!(missing.is_empty(), "not in the example: {missing:?}");
    }
}
