//! The one door every command goes through:
//! AD check -> role check -> transaction -> permission check -> action ->
//! audit write -> commit. The caller prints only what `through` returns,
//! so nothing reaches stdout before its audit row is committed.

use chrono::{DateTime, Utc};
use postgres::{Client, Transaction};
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::cli::AuthMethod;
use crate::directory::{self, Account, Directory, Group};
use crate::error::{Error, Result};
use crate::Context;

/// What a command needs from the operator's AD groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Family lookups.
    User,
    /// Grants, revokes and MDM checks.
    Admin,
    /// Audit review.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::User, Role::Admin, Role::Auditor];

    fn group_key(self) -> &'static str {
        match self {
            Role::User => "group_users",
            Role::Admin => "group_admins",
            Role::Auditor => "group_auditors",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
        }
    }
}

/// Which roles a command accepts.
#[derive(Debug, Clone, Copy)]
pub enum Needs {
    Role(Role),
    /// Any FamilyContext role (e.g. `whoami`).
    AnyRole,
}

/// A role the operator holds, and the group path that grants it.
#[derive(Debug, Clone, Serialize)]
pub struct HeldRole {
    pub role: Role,
    pub group: String,
    pub via: Vec<String>,
}

/// A data source the operator may see now.
#[derive(Debug, Clone, Serialize)]
pub struct CurrentGrant {
    pub source: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub granted_at: DateTime<Utc>,
}

/// The operator, as Active Directory and the permission check vouch for them.
#[derive(Debug, Clone)]
pub struct Operator {
    pub account: Account,
    pub groups: Vec<Group>,
    pub roles: Vec<HeldRole>,
    pub grants: Vec<CurrentGrant>,
}

impl Operator {
    pub fn may_see(&self, source: &str) -> bool {
        self.grants.iter().any(|g| g.source == source)
    }
}

/// What an action gets: the vouched-for operator and the directory
/// connection (bound as the operator) for looking other accounts up.
pub struct Session<'a> {
    pub operator: &'a Operator,
    pub directory: &'a mut Directory,
}

/// The audit row a command writes: set up from the request, filled in by
/// the action with what it disclosed or changed.
#[derive(Debug, Clone, Default)]
pub struct Audit {
    pub action: &'static str,
    pub subject_person: Option<i64>,
    pub persons: Vec<i64>,
    pub sources: Vec<String>,
    pub target_user: Option<String>,
    pub target_guid: Option<Uuid>,
    pub reason: Option<String>,
    pub details: Value,
}

impl Audit {
    pub fn new(action: &'static str) -> Audit {
        Audit {
            action,
            details: json!({}),
            ..Audit::default()
        }
    }

    pub fn reason(mut self, reason: Option<String>) -> Audit {
        self.reason = reason;
        self
    }

    pub fn detail(mut self, key: &str, value: impl Serialize) -> Audit {
        self.set_detail(key, value);
        self
    }

    pub fn set_detail(&mut self, key: &str, value: impl Serialize) {
        if let Value::Object(m) = &mut self.details {
            m.insert(
                key.to_string(),
                serde_json::to_value(value).unwrap_or(Value::Null),
            );
        }
    }
}

/// Runs `action` through the door and returns its result only once the
/// audit row is committed. A refusal or failure is audited too.
pub fn through<T>(
    ctx: &Context,
    needs: Needs,
    audit: Audit,
    action: impl FnOnce(&mut Transaction, &mut Session, &mut Audit) -> Result<T>,
) -> Result<T> {
    let auth = ctx.settings.auth()?;
    let mut audit = audit;
    // With Kerberos the ticket names the operator (any --user is ignored).
    let mut user = match auth {
        AuthMethod::Password => ctx.settings.require("user")?.to_string(),
        AuthMethod::Kerberos => {
            audit.set_detail("auth", auth.name());
            "(kerberos ticket)".to_string()
        }
    };
    let (mut operator, mut directory) = match authenticate(ctx, auth, &mut user, needs) {
        Ok(found) => found,
        Err((e, account)) => return Err(record_refusal(ctx, &user, account.as_deref(), audit, e)),
    };
    let mut client = ctx.connect()?;
    match act(
        &mut client,
        &mut operator,
        &mut directory,
        &mut audit,
        action,
    ) {
        Ok(value) => Ok(value),
        Err(e @ (Error::Unreachable(_) | Error::Audit(_))) => Err(e),
        Err(e) => {
            audit.set_detail("error", e.message());
            let written = client
                .transaction()
                .map_err(Error::from)
                .and_then(|mut tx| {
                    write(
                        &mut tx,
                        Some(&operator.account),
                        &operator.account.sam,
                        &audit,
                        e.audit_outcome(),
                    )?;
                    tx.commit().map_err(Error::from)
                });
            match written {
                Ok(()) => Err(e),
                Err(w) => Err(audit_failed(w)),
            }
        }
    }
}

fn act<T>(
    client: &mut Client,
    operator: &mut Operator,
    directory: &mut Directory,
    audit: &mut Audit,
    action: impl FnOnce(&mut Transaction, &mut Session, &mut Audit) -> Result<T>,
) -> Result<T> {
    let mut tx = client.transaction()?;
    tx.execute(
        "SELECT fc.register_user($1, $2, $3)",
        &[
            &operator.account.guid,
            &operator.account.sam,
            &operator.account.display_name,
        ],
    )?;
    operator.grants = current_grants(&mut tx, operator.account.guid)?;
    let value = action(
        &mut tx,
        &mut Session {
            operator,
            directory,
        },
        audit,
    )?;
    write(
        &mut tx,
        Some(&operator.account),
        &operator.account.sam,
        audit,
        "allowed",
    )
    .map_err(audit_failed)?;
    tx.commit().map_err(|e| audit_failed(e.into()))?;
    Ok(value)
}

/// The permission check, shared with the API: `fc.current_grants`.
pub fn current_grants(tx: &mut Transaction, guid: Uuid) -> Result<Vec<CurrentGrant>> {
    let rows = tx.query(
        "SELECT source_code, expires_at, granted_at FROM fc.current_grants($1)",
        &[&guid],
    )?;
    Ok(rows
        .iter()
        .map(|r| CurrentGrant {
            source: r.get(0),
            expires_at: r.get(1),
            granted_at: r.get(2),
        })
        .collect())
}

/// A refusal, with the account when the directory already named it.
type Refusal = (Error, Option<Box<Account>>);

/// The AD check and the role check. On failure, returns the account when
/// it is known, so the refusal is audited against it. With Kerberos, `user`
/// becomes the ticket's principal once the bind has vouched for it.
fn authenticate(
    ctx: &Context,
    auth: AuthMethod,
    user: &mut String,
    needs: Needs,
) -> std::result::Result<(Operator, Directory), Refusal> {
    let mut dir = Directory::connect(&ctx.settings, auth).map_err(|e| (e, None))?;
    let login = match auth {
        AuthMethod::Password => {
            let realm = if user.contains('@') || user.contains('\\') {
                None
            } else {
                Some(dir.realm().map_err(|e| (e, None))?)
            };
            let login = directory::parse_login(user, realm.as_deref()).map_err(|e| (e, None))?;
            let password = crate::password::obtain(&ctx.settings, user).map_err(|e| (e, None))?;
            dir.bind(&login, &password).map_err(|e| (e, None))?;
            login
        }
        AuthMethod::Kerberos => {
            let server = directory::server_name(&ctx.settings).map_err(|e| (e, None))?;
            let principal = dir.kerberos_bind(&server).map_err(|e| (e, None))?;
            *user = principal;
            let realm = dir.realm().map_err(|e| (e, None))?;
            directory::login_from_principal(user, &realm).map_err(|e| (e, None))?
        }
    };
    let account = dir.account(&login).map_err(|e| (e, None))?.ok_or_else(|| {
        (
            Error::Auth("authentication failed: unknown account or wrong password".into()),
            None,
        )
    })?;
    if let Err(state) = account.usable() {
        return Err((
            Error::Auth(format!(
                "authentication failed: the account is {state}; ask the service desk"
            )),
            Some(Box::new(account)),
        ));
    }
    let groups = match dir.groups(&account) {
        Ok(g) => g,
        Err(e) => return Err((e, Some(Box::new(account)))),
    };
    let roles = held_roles(ctx, &groups).map_err(|e| (e, Some(Box::new(account.clone()))))?;
    let permitted = match needs {
        Needs::Role(r) => roles.iter().any(|h| h.role == r),
        Needs::AnyRole => !roles.is_empty(),
    };
    if !permitted {
        let wanted = match needs {
            Needs::Role(r) => format!(
                "the {} role (AD group {:?})",
                r.name(),
                ctx.settings.get(r.group_key()).unwrap_or("")
            ),
            Needs::AnyRole => "a FamilyContext role".to_string(),
        };
        return Err((
            Error::NotPermitted(format!(
                "{} is not permitted: this command needs {wanted}; ask a Family Context administrator",
                account.sam
            )),
            Some(Box::new(account)),
        ));
    }
    let operator = Operator {
        account,
        groups,
        roles,
        grants: Vec::new(),
    };
    Ok((operator, dir))
}

fn held_roles(ctx: &Context, groups: &[Group]) -> Result<Vec<HeldRole>> {
    let mut held = Vec::new();
    for role in Role::ALL {
        let wanted = ctx.settings.require(role.group_key())?;
        // A distinguished name is matched exactly; a bare name by the group's CN.
        let by_dn = wanted.contains('=');
        let matches = |g: &&Group| {
            if by_dn {
                normalise_dn(&g.dn) == normalise_dn(wanted)
            } else {
                g.name.eq_ignore_ascii_case(wanted)
            }
        };
        if let Some(g) = groups.iter().find(matches) {
            held.push(HeldRole {
                role,
                group: g.name.clone(),
                via: g.path.clone(),
            });
        }
    }
    Ok(held)
}

/// A DN compared without case or spaces around its separators.
fn normalise_dn(dn: &str) -> String {
    dn.split(',')
        .map(|rdn| rdn.split('=').map(str::trim).collect::<Vec<_>>().join("="))
        .collect::<Vec<_>>()
        .join(",")
        .to_lowercase()
}

/// Audits a refusal when the database can be reached, then returns the
/// refusal (or, if the audit row cannot be written, says so).
fn record_refusal(
    ctx: &Context,
    user: &str,
    account: Option<&Account>,
    mut audit: Audit,
    e: Error,
) -> Error {
    if matches!(e, Error::Unreachable(_) | Error::Usage(_)) {
        return e;
    }
    audit.set_detail("error", e.message());
    let attempted = plain(user, 256);
    let name = account.map(|a| a.sam.clone()).unwrap_or(attempted);
    let written = ctx.connect().and_then(|mut client| {
        let mut tx = client.transaction()?;
        write(&mut tx, account, &name, &audit, e.audit_outcome())?;
        tx.commit().map_err(Error::from)
    });
    match written {
        Ok(()) => e,
        Err(Error::Unreachable(m)) => {
            eprintln!("famctx: the refusal could not be audited: {m}");
            e
        }
        Err(w) => {
            eprintln!("famctx: the refusal could not be audited: {w}");
            e
        }
    }
}

fn audit_failed(e: Error) -> Error {
    match e {
        Error::Unreachable(m) => Error::Unreachable(m),
        other => Error::Audit(format!(
            "the audit row could not be written, so nothing was shown or changed: {other}"
        )),
    }
}

/// The audit write, through the one SQL function shared with the API.
pub fn write(
    tx: &mut Transaction,
    actor: Option<&Account>,
    account_name: &str,
    audit: &Audit,
    outcome: &str,
) -> Result<i64> {
    let row = tx.query_one(
        "SELECT fc.audit_write($1, $2, 'cli', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        &[
            &actor.map(|a| a.guid),
            &account_name,
            &client_host(),
            &audit.action,
            &outcome,
            &audit.subject_person,
            &audit.persons,
            &audit.sources,
            &audit.target_user,
            &audit.target_guid,
            &audit.reason,
            &with_client(&audit.details),
        ],
    )?;
    Ok(row.get(0))
}

/// Many audit rows in one statement (one a change of a bulk apply), each
/// through the same `fc.audit_write`, in the caller's transaction.
pub fn write_many(
    tx: &mut Transaction,
    actor: &Account,
    actions: &[&str],
    targets: &[&str],
    target_guids: &[Uuid],
    reasons: &[&str],
    details: &[Value],
) -> Result<()> {
    let details: Vec<Value> = details.iter().map(with_client).collect();
    tx.execute(
        "SELECT count(fc.audit_write($1, $2, 'cli', $3, a.action, 'allowed', NULL, NULL, NULL,                 a.target, a.target_guid, a.reason, a.details))          FROM unnest($4::text[], $5::text[], $6::uuid[], $7::text[], $8::jsonb[])               AS a (action, target, target_guid, reason, details)",
        &[&actor.guid, &actor.sam, &client_host(), &actions, &targets, &target_guids, &reasons, &details],
    )
    .map_err(|e| audit_failed(e.into()))?;
    Ok(())
}

fn with_client(details: &Value) -> Value {
    let mut d = details.clone();
    if let Value::Object(m) = &mut d {
        m.insert("famctx_version".into(), json!(env!("CARGO_PKG_VERSION")));
        if let Ok(u) = std::env::var("USER") {
            m.insert("os_user".into(), json!(plain(&u, 64)));
        }
    }
    d
}

fn client_host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

/// Checks a justification or other free text before it reaches the audit
/// trail: not blank, not too long, no control or direction-override characters.
pub fn free_text(field: &str, value: &str, max: usize) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::Usage(format!("{field} must not be empty")));
    }
    if trimmed.chars().count() > max {
        return Err(Error::Usage(format!(
            "{field} is longer than {max} characters"
        )));
    }
    if let Some(c) = trimmed.chars().find(|c| c.is_control() || is_invisible(*c)) {
        return Err(Error::Usage(format!(
            "{field} contains the control character {c:?}; use plain text"
        )));
    }
    Ok(trimmed.to_string())
}

/// Text from outside (a typed account name, the OS user) made safe to
/// record: no control or invisible characters, at most `max` characters.
fn plain(text: &str, max: usize) -> String {
    text.chars()
        .filter(|c| !c.is_control() && !is_invisible(*c))
        .take(max)
        .collect()
}

/// Characters that change how text reads without showing: direction
/// overrides and isolates, zero-width characters, the byte-order mark and
/// the soft hyphen. Refused in account names, reasons and tickets.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}
