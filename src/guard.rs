//! The one door every command goes through:
//! AD check -> role check -> transaction -> permission check -> action ->
//! audit write -> commit. The caller prints only what `through` returns,
//! so nothing reaches stdout before its audit row is committed.

use std::io::BufRead;

use chrono::{DateTime, Utc};
use postgres::types::Type;
use postgres::Client;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::action::Action;
use crate::context::Context;
use crate::directory::AuthMethod;
use crate::directory::{self, Account, Directory, Group};
use crate::error::{Error, Result};
use crate::text::shorten;

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

    /// The policy setting naming the AD group that gives this role.
    pub fn group_key(self) -> &'static str {
        match self {
            Role::User => "group_users",
            Role::Admin => "group_admins",
            Role::Auditor => "group_auditors",
        }
    }

    /// The group role in PostgreSQL's terms, as roles sync names it (`famctx_<this>`).
    pub fn group_role(self) -> &'static str {
        match self {
            Role::User => "users",
            Role::Admin => "admins",
            Role::Auditor => "auditors",
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
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct CurrentGrant {
    pub source: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub granted_at: DateTime<Utc>,
}

/// The operator, as Active Directory and the permission check vouch for them.
#[derive(Debug, Clone)]
pub struct Operator {
    pub account: Account,
    pub roles: Vec<HeldRole>,
}

/// `--basis CODE`: the legal basis the operator declares for what a command discloses, one
/// option flattened into every command that reads (whose audit row is a disclosure). The door
/// sends it as the request's `basis`; the database refuses a code that is not on its list or has
/// been retired, and records the code on every audit row of the request.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Basis {
    /// Legal basis of this disclosure: a code from `famctx basis list`, e.g. ca1989_s47
    /// (recorded in the audit trail)
    #[arg(long = "basis", id = "basis", value_name = "CODE")]
    pub code: Option<String>,
}

impl Basis {
    /// The code as sent (trimmed, lower case), checked for form; with `required` (the policy
    /// `basis_required`, for lookups) a missing one is refused here first.
    pub fn declared(&self, required: bool) -> Result<Option<String>> {
        crate::text::basis(required, self.code.as_deref())
    }
}

/// A refusal, with the account when the directory already named it.
type Refusal = (Error, Option<Box<Account>>);

/// What a refusal by the AD check is recorded as: the action refused, its subject, reason and
/// legal basis, and whether the request asked to break the glass (the database marks such a
/// refused family lookup for IG).
struct Attempt<'a> {
    action: Action,
    subject: Option<i64>,
    reason: Option<&'a str>,
    basis: Option<&'a str>,
    break_glass: bool,
}

impl Attempt<'_> {
    /// An attempt with no subject, reason or basis.
    fn bare(action: Action) -> Self {
        Attempt {
            action,
            subject: None,
            reason: None,
            basis: None,
            break_glass: false,
        }
    }
}

/// How the door's directory session was bound, so that more sessions can be bound as the same
/// operator (a bulk lookup spreads its searches over several).
enum Bound {
    /// A simple bind as this login, with the password the door keeps for the database sign-in.
    Password(directory::Login),
    /// A Kerberos bind to the directory's service on this host, as this principal.
    Kerberos { server: String, principal: String },
}

impl Bound {
    /// Binds another session as the door's was bound. A Kerberos ticket now of another
    /// principal than the operator's is refused.
    fn again(&self, dir: &mut Directory, password: Option<&str>) -> Result<()> {
        match self {
            Bound::Password(login) => match password {
                Some(pw) => dir.bind(login, pw),
                None => Err(Error::Auth("no password to bind another session".into())),
            },
            Bound::Kerberos { server, principal } => {
                let now = dir.kerberos_bind(server)?;
                if &now == principal {
                    Ok(())
                } else {
                    Err(Error::Auth(format!(
                        "the Kerberos ticket is now for {}, not {}",
                        shorten(&now),
                        shorten(principal)
                    )))
                }
            }
        }
    }
}

/// The AD check and the role check. On failure, returns the account when
/// it is known, so the refusal is recorded against it. With Kerberos, `user`
/// becomes the ticket's principal once the bind has vouched for it; with a
/// password, the password is kept for the database sign-in.
fn authenticate(
    ctx: &Context,
    auth: AuthMethod,
    user: &mut String,
    needs: Needs,
    kept_password: &mut Option<String>,
) -> std::result::Result<(Operator, Directory, Bound), Refusal> {
    let mut dir = Directory::connect(&ctx.settings, auth).map_err(|e| (e, None))?;
    let (login, bound) = match auth {
        AuthMethod::Password => {
            let realm = if user.contains('@') || user.contains('\\') {
                None
            } else {
                Some(dir.realm().map_err(|e| (e, None))?)
            };
            let login = directory::parse_login(user, realm.as_deref()).map_err(|e| (e, None))?;
            let password = crate::password::obtain(&ctx.settings, user).map_err(|e| (e, None))?;
            dir.bind(&login, &password).map_err(|e| (e, None))?;
            *kept_password = Some(password);
            (login.clone(), Bound::Password(login))
        }
        AuthMethod::Kerberos => {
            let server = directory::server_name(&ctx.settings).map_err(|e| (e, None))?;
            let principal = dir.kerberos_bind(&server).map_err(|e| (e, None))?;
            *user = principal.clone();
            let realm = dir.realm().map_err(|e| (e, None))?;
            let login = directory::login_from_principal(user, &realm).map_err(|e| (e, None))?;
            (login, Bound::Kerberos { server, principal })
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
    let operator = Operator { account, roles };
    Ok((operator, dir, bound))
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

fn client_host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

// ---------------------------------------------------------------------------------------------
// The door: the live AD check, then the operator's own sign-in to PostgreSQL, then one fc_api
// function, which checks the caller again, acts and writes its audit row itself.

/// The operator's way into the database for one command.
pub struct Door {
    operator: Operator,
    directory: Directory,
    bound: Bound,
    /// The operator's PostgreSQL session, once signed in.
    client: Option<Client>,
    /// The sign-in to PostgreSQL, under way on another thread until waited for.
    signing: Option<std::thread::JoinHandle<Result<Client>>>,
    /// The connection string of that session: where a cancel request goes.
    database_url: String,
    /// The operator's AD password, for the warehouse (admins read it as themselves).
    password: Option<String>,
    /// Set in a service deployment: the acting user named in every request.
    acting: Option<Value>,
    /// The legal basis declared for this command, sent with every request.
    basis: Option<String>,
    info: Value,
}

/// An fc_api function name: letters, digits and underscores.
fn api_function(name: &str) -> Result<String> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(Error::Other(format!("not a door function: {name}")));
    }
    Ok(format!("fc_api.{name}"))
}

impl Door {
    /// The AD check (account state, nested groups, the role `needs`), then the sign-in to
    /// PostgreSQL as the operator. A refusal by the AD check is recorded through
    /// `fc_api.refused` when the operator can still sign in to the database (as `action`).
    pub fn open(
        ctx: &Context,
        needs: Needs,
        action: Action,
        subject: Option<i64>,
        reason: Option<&str>,
    ) -> Result<Door> {
        Door::open_declared(ctx, needs, action, subject, reason, None)
    }

    /// `open`, with the sign-in to PostgreSQL left running on another thread while the caller
    /// works with the directory (a bulk file's lookups). [`Door::signed_in`] waits for it and
    /// returns its refusal, if any; every call through the door waits for it first.
    pub fn open_signing_in(ctx: &Context, needs: Needs, action: Action) -> Result<Door> {
        Door::open_via(ctx, needs, Attempt::bare(action), false)
    }

    /// `open`, for a command that reads: every request (and a refusal recorded by the AD check)
    /// carries the legal basis the operator declared, as checked by [`Basis::declared`].
    pub fn open_declared(
        ctx: &Context,
        needs: Needs,
        action: Action,
        subject: Option<i64>,
        reason: Option<&str>,
        basis: Option<&str>,
    ) -> Result<Door> {
        let attempt = Attempt {
            action,
            subject,
            reason,
            basis,
            break_glass: false,
        };
        Door::open_via(ctx, needs, attempt, false)?.signed()
    }

    /// `open_declared`, for a lookup that breaks the glass: a refusal by the AD check is
    /// recorded as a refused break-glass attempt, which the database marks for IG's review.
    pub fn open_breaking_glass(
        ctx: &Context,
        needs: Needs,
        action: Action,
        subject: Option<i64>,
        reason: Option<&str>,
        basis: Option<&str>,
    ) -> Result<Door> {
        let attempt = Attempt {
            action,
            subject,
            reason,
            basis,
            break_glass: true,
        };
        Door::open_via(ctx, needs, attempt, false)?.signed()
    }

    /// The same AD check, then the sign-in as the database owner (`owner_url`), which names
    /// the operator as a trusted service would: for `roles sync` before any operator has a
    /// login role, and for the owner's scheduled runs.
    pub fn open_as_owner(ctx: &Context, needs: Needs, action: Action) -> Result<Door> {
        Door::open_via(ctx, needs, Attempt::bare(action), true)?.signed()
    }

    /// The door once its sign-in to PostgreSQL has finished (or its refusal).
    fn signed(mut self) -> Result<Door> {
        self.signed_in()?;
        Ok(self)
    }

    /// Waits for the sign-in to PostgreSQL begun when the door opened: the session, or the
    /// refusal.
    pub fn signed_in(&mut self) -> Result<&mut Client> {
        if let Some(signing) = self.signing.take() {
            let client = signing.join().unwrap_or_else(|_| {
                Err(Error::Other(
                    "the sign-in to PostgreSQL stopped unexpectedly".into(),
                ))
            })?;
            self.client = Some(client);
        }
        self.client
            .as_mut()
            .ok_or_else(|| Error::Other("not signed in to PostgreSQL".into()))
    }

    fn open_via(ctx: &Context, needs: Needs, attempt: Attempt, as_owner: bool) -> Result<Door> {
        let auth = directory::auth_method(&ctx.settings)?;
        let mut user = match auth {
            AuthMethod::Password => ctx.settings.require("user")?.to_string(),
            AuthMethod::Kerberos => "(kerberos ticket)".to_string(),
        };
        let mut password = None;
        let checked = authenticate(ctx, auth, &mut user, needs, &mut password);
        let mut info = client_info(auth);
        // The objectGUID AD vouched for: the database refuses a role made for another account.
        match &checked {
            Ok((operator, _, _)) => info["ad_guid"] = json!(operator.account.guid),
            Err((_, Some(account))) => info["ad_guid"] = json!(account.guid),
            Err(_) => {}
        }
        match checked {
            Ok((operator, directory, bound)) => {
                let (connect, acting, database_url) = if as_owner {
                    let url = ctx.settings.require("owner_url")?.to_string();
                    let timeout = ctx.settings.seconds("db_timeout")?;
                    let at = url.clone();
                    let connect: Connect = Box::new(move || crate::db::connect(&at, timeout));
                    (connect, Some(acting_user(&operator)), url)
                } else {
                    sign_in(ctx, auth, &operator, password.as_deref())?
                };
                Ok(Door {
                    operator,
                    directory,
                    bound,
                    client: None,
                    signing: Some(std::thread::spawn(connect)),
                    database_url,
                    password,
                    acting,
                    basis: attempt.basis.map(str::to_string),
                    info,
                })
            }
            Err((e @ Error::NotPermitted(_), Some(account))) => {
                // The account is real and its password right: the refusal is recorded for it,
                // if it can sign in to the database at all.
                let recorded = sign_in_refused(ctx, auth, &account, password.as_deref()).and_then(
                    |(mut client, acting)| {
                        let mut request = json!({
                            "action": attempt.action.code(),
                            "message": e.message(),
                            "subject": attempt.subject,
                            "reason": attempt.reason,
                            "client": info,
                        });
                        if let Some(b) = attempt.basis {
                            request["basis"] = json!(b);
                        }
                        if attempt.break_glass {
                            request["break_glass"] = json!(true);
                        }
                        if let Some(a) = acting {
                            request["as"] = a;
                        }
                        client
                            .query_one("SELECT fc_api.refused($1::jsonb)", &[&request])
                            .map_err(Error::from)
                    },
                );
                if let Err(w) = recorded {
                    if !matches!(w, Error::Auth(_)) {
                        eprintln!("famctx: the refusal could not be recorded: {w}");
                    }
                }
                Err(e)
            }
            Err((e, _)) => Err(e),
        }
    }

    pub fn operator(&self) -> &Operator {
        &self.operator
    }

    /// The MDM warehouse (`mdm_url`), read as the operator with their AD password; in a
    /// service deployment, with the credential of `mdm_url` itself.
    pub fn warehouse(&self, ctx: &Context) -> Result<Client> {
        self.warehouse_at(ctx, ctx.settings.require("mdm_url")?)
    }

    /// The same, at a URL of the operator's choosing (`--mdm-url`, never with a password).
    pub fn warehouse_at(&self, ctx: &Context, url: &str) -> Result<Client> {
        let timeout = ctx.settings.seconds("db_timeout")?;
        match &self.password {
            Some(pw) => {
                let role = self.operator.account.sam.to_lowercase();
                signed_in(|| crate::db::connect_as(url, &role, pw, timeout))
            }
            None => crate::db::connect(url, timeout),
        }
    }

    /// The directory, bound as the operator (to look other accounts up).
    pub fn directory(&mut self) -> &mut Directory {
        &mut self.directory
    }

    /// Many accounts looked up in the directory by account name ([`Directory::accounts`]), the
    /// searches shared out among the door's session and up to `more` others bound as the
    /// operator the same way (the password the door keeps, or the Kerberos ticket).
    pub fn accounts(
        &mut self,
        names: &[String],
        more: usize,
        done: impl FnMut(usize),
    ) -> Result<std::collections::HashMap<String, Account>> {
        let (bound, password) = (&self.bound, self.password.as_deref());
        self.directory
            .accounts(names, more, |dir| bound.again(dir, password), done)
    }

    fn request(&self, mut request: Value) -> Value {
        if !request.is_object() {
            request = json!({});
        }
        request["client"] = self.info.clone();
        if let Some(b) = &self.basis {
            request["basis"] = json!(b);
        }
        if let Some(a) = &self.acting {
            request["as"] = a.clone();
        }
        request
    }

    /// Calls `fc_api.<function>(request)` and returns what it disclosed (collected once its
    /// audit row has committed) or, for a change, its result. A refusal becomes the error of
    /// its kind.
    pub fn call(&mut self, function: &str, request: Value) -> Result<Value> {
        self.call_as(function, request)
    }

    /// `call`, its answer read as `T` straight from the database's text.
    pub fn call_as<T: DeserializeOwned>(&mut self, function: &str, request: Value) -> Result<T> {
        let request = if request.is_object() {
            request
        } else {
            json!({})
        };
        self.call_serialized(function, &request)
    }

    /// `call`, its answer read as `T` straight from the database's text, and the request
    /// written once, straight into the statement's parameter (a bulk file's changes are
    /// megabytes): never built as a `Value` first. It must serialize as a JSON object; the
    /// door's own keys are added after its keys, so they are the ones the database reads.
    pub fn call_serialized<T: DeserializeOwned>(
        &mut self,
        function: &str,
        request: &(impl Serialize + Sync),
    ) -> Result<T> {
        let sent = Sent {
            request,
            client: self.info.clone(),
            basis: self.basis.clone(),
            acting: self.acting.clone(),
        };
        // The answer is read once, from the database's text into `T` (a bulk plan is
        // megabytes): never as a `Value` first.
        let row = self.exchange(function, &postgres::types::Json(&sent))?;
        let envelope: Envelope<T> = read_json(function, &row)?;
        if let Some(err) = envelope.error {
            return Err(refusal(&err));
        }
        if let Some(ticket) = envelope.ticket {
            let row = self.collect(&ticket)?;
            // A "not found" is handed over like a disclosure, once its audit row committed.
            if let Some(err) = handed_refusal(function, &row)? {
                return Err(refusal(&err));
            }
            return read_json(function, &row);
        }
        envelope.result.ok_or_else(|| {
            Error::Other("the database answered without a document, a result or an error".into())
        })
    }

    /// One round trip: `fc_api.<function>(request)` and its envelope; a refusal it returns
    /// becomes the error of its kind.
    fn envelope(&mut self, function: &str, request: Value) -> Result<Value> {
        let request = self.request(request);
        let row = self.exchange(function, &request)?;
        let envelope: Value = row.get(0);
        match envelope.get("error") {
            Some(err) => Err(refusal(err)),
            None => Ok(envelope),
        }
    }

    /// One round trip with a request already made (its parameter as JSONB): the row of
    /// `fc_api.<function>(request)`.
    fn exchange(
        &mut self,
        function: &str,
        request: &(dyn postgres::types::ToSql + Sync),
    ) -> Result<postgres::Row> {
        let name = api_function(function)?;
        // Typed parameters: parse, bind and execute go in one round trip (no prepare first).
        self.signed_in()?
            .query_typed_one(&format!("SELECT {name}($1)"), &[(request, Type::JSONB)])
            .map_err(|e| self.failed(function, e))
    }

    /// `fc_api.collect(ticket)`: the row of the document a disclosure handed over.
    fn collect(&mut self, ticket: &str) -> Result<postgres::Row> {
        let ticket = Uuid::parse_str(ticket)
            .map_err(|_| Error::Other("the database returned a malformed ticket".into()))?;
        self.signed_in()?
            .query_typed_one("SELECT fc_api.collect($1)", &[(&ticket, Type::UUID)])
            .map_err(Error::from)
    }

    /// A stream: `fc_api.<function>(request)` writes the audit row and returns a ticket;
    /// `fc_api.<open>(ticket)` opens a cursor once that row has committed; rows are fetched
    /// `batch` at a time and handed to `each`.
    pub fn stream(
        &mut self,
        function: &str,
        request: Value,
        open: &str,
        batch: usize,
        each: impl FnMut(&[postgres::Row]) -> Result<()>,
    ) -> Result<()> {
        let ticket = self.ticket(function, request)?;
        self.cursor(open, ticket, batch, each)
    }

    /// The ticket of a stream's committed audit row: `fc_api.<function>(request)`.
    fn ticket(&mut self, function: &str, request: Value) -> Result<Uuid> {
        let envelope = self.envelope(function, request)?;
        envelope
            .get("ticket")
            .and_then(Value::as_str)
            .and_then(|t| Uuid::parse_str(t).ok())
            .ok_or_else(|| Error::Other("the database returned no ticket for the stream".into()))
    }

    /// A stream the database sends as COPY does, row by row as its statement produces them:
    /// `fc_api.<function>(request)` writes the audit row and returns a ticket;
    /// `fc_api.<gate>(ticket)` opens the stream's gate for one transaction once that row has
    /// committed; `copy` (a `COPY (...) TO STDOUT` of a gated view) runs in that transaction, and
    /// each chunk of its bytes goes to `each` as it arrives.
    pub fn copy_stream(
        &mut self,
        function: &str,
        request: Value,
        gate: &str,
        copy: &str,
        mut each: impl FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        let ticket = self.ticket(function, request)?;
        let gate = api_function(gate)?;
        let url = self.database_url.clone();
        let mut abandoned = None;
        {
            let mut tx = self.signed_in()?.transaction()?;
            tx.query_one(&format!("SELECT {gate}($1)"), &[&ticket])?;
            let cancel = tx.cancel_token();
            let mut reader = tx.copy_out(copy)?;
            loop {
                // Each chunk is one CopyData message: one row as the server sent it.
                let n = {
                    let chunk = reader.fill_buf().map_err(copy_error)?;
                    if chunk.is_empty() {
                        break;
                    }
                    if let Err(e) = each(chunk) {
                        // The rest is not wanted: cancelled, so that the rollback need not
                        // wait for the server to send it all.
                        let _ = crate::db::cancel(&url, &cancel);
                        abandoned = Some(e);
                        break;
                    }
                    chunk.len()
                };
                reader.consume(n);
            }
            drop(reader);
            if abandoned.is_none() {
                tx.commit()?;
            }
        }
        match abandoned {
            None => Ok(()),
            Some(e) => {
                // Rolled back; the session is not used again, so a cancel that arrives late
                // can reach nothing else.
                self.client = None;
                Err(e)
            }
        }
    }

    /// The rows of a stream whose ticket a disclosed document named: `fc_api.<open>(ticket)`
    /// opens a cursor (the ticket's audit row has committed), fetched `batch` rows at a time in
    /// one transaction and handed to `each`.
    pub fn cursor(
        &mut self,
        open: &str,
        ticket: Uuid,
        batch: usize,
        mut each: impl FnMut(&[postgres::Row]) -> Result<()>,
    ) -> Result<()> {
        let open = api_function(open)?;
        let mut tx = self.signed_in()?.transaction()?;
        let cursor: String = tx
            .query_one(&format!("SELECT {open}($1)::text"), &[&ticket])?
            .get(0);
        let fetch = format!("FETCH {batch} FROM \"{}\"", cursor.replace('"', "\"\""));
        loop {
            let rows = tx.query(fetch.as_str(), &[])?;
            if rows.is_empty() {
                break;
            }
            each(&rows)?;
            if rows.len() < batch {
                break;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// A database error while calling a function: recorded as an error when the database still
    /// answers, then returned.
    fn failed(&mut self, function: &str, e: postgres::Error) -> Error {
        let err = Error::from(e);
        if matches!(err, Error::Unreachable(_)) {
            return err;
        }
        let request = self.request(json!({
            "action": Action::AccessDenied.code(),
            "kind": "error",
            "message": format!("{function}: {}", err.message()),
        }));
        if let Some(client) = self.client.as_mut() {
            let _ = client.query_one("SELECT fc_api.refused($1::jsonb)", &[&request]);
        }
        err
    }
}

/// A request as [`Door::call_serialized`] sends it: the command's keys, then the door's (what
/// [`Door::request`] adds to a `Value`). A key sent twice is read by the database as its last.
#[derive(Serialize)]
struct Sent<'a, R> {
    #[serde(flatten)]
    request: &'a R,
    client: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    basis: Option<String>,
    #[serde(rename = "as", skip_serializing_if = "Option::is_none")]
    acting: Option<Value>,
}

impl<R> std::fmt::Debug for Sent<'_, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a request through the door")
    }
}

/// An error reading a COPY stream: the database's own when it sent one.
fn copy_error(e: std::io::Error) -> Error {
    if !e
        .get_ref()
        .is_some_and(|inner| inner.is::<postgres::Error>())
    {
        return Error::Other(format!("reading the stream: {e}"));
    }
    match e
        .into_inner()
        .map(|inner| inner.downcast::<postgres::Error>())
    {
        Some(Ok(db)) => Error::from(*db),
        _ => Error::Other("reading the stream failed".into()),
    }
}

/// A refusal returned by a door function, as the error of its kind.
fn refusal(err: &Value) -> Error {
    let text = |key: &str| err.get(key).and_then(Value::as_str);
    Error::refused(
        text("kind").unwrap_or("error"),
        text("message").unwrap_or("refused"),
    )
}

fn client_info(auth: AuthMethod) -> Value {
    let mut info = json!({
        "channel": "cli",
        "host": client_host(),
        "famctx_version": env!("CARGO_PKG_VERSION"),
        "auth": auth.name(),
    });
    if let Ok(u) = std::env::var("USER") {
        info["os_user"] = json!(crate::text::plain(&u, 64));
    }
    info
}

/// A sign-in to PostgreSQL, ready to run (on another thread).
type Connect = Box<dyn FnOnce() -> Result<Client> + Send>;

/// The operator's PostgreSQL session: as themselves with their AD password, or, in a service
/// deployment (Kerberos), as the trusted service naming them. The settings are read now; the
/// sign-in is returned to be run, with the acting user the requests name.
fn sign_in(
    ctx: &Context,
    auth: AuthMethod,
    operator: &Operator,
    password: Option<&str>,
) -> Result<(Connect, Option<Value>, String)> {
    let timeout = ctx.settings.seconds("db_timeout")?;
    match (auth, password) {
        (AuthMethod::Password, Some(pw)) => {
            let url = ctx.settings.require("database_url")?.to_string();
            let at = url.clone();
            let role = operator.account.sam.to_lowercase();
            let pw = pw.to_string();
            Ok((
                Box::new(move || signed_in(|| crate::db::connect_as(&at, &role, &pw, timeout))),
                None,
                url,
            ))
        }
        _ => {
            let url = crate::config::service_database_url(&ctx.settings)?;
            let at = url.clone();
            Ok((
                Box::new(move || crate::db::connect(&at, timeout)),
                Some(acting_user(operator)),
                url,
            ))
        }
    }
}

/// PostgreSQL's sign-in asks AD again. The password is one AD has just accepted from famctx
/// itself, so a refusal now is most often the directory failing PostgreSQL's own connection
/// (a dropped or slow LDAP session): it is tried twice more, a moment apart, before it is
/// reported.
fn signed_in(connect: impl Fn() -> Result<Client>) -> Result<Client> {
    signed_in_after(&[0, 200, 800], connect)
}

/// A sign-in tried after each pause (milliseconds) while PostgreSQL refuses it.
fn signed_in_after(pauses: &[u64], connect: impl Fn() -> Result<Client>) -> Result<Client> {
    let mut last = None;
    for &pause in pauses {
        std::thread::sleep(std::time::Duration::from_millis(pause));
        match connect() {
            Err(e @ Error::Auth(_)) => last = Some(e),
            other => return other,
        }
    }
    Err(last.unwrap_or_else(|| Error::Auth("PostgreSQL refused the sign-in".into())))
}

/// The operator as a trusted service names them: identity and the roles AD gives them.
fn acting_user(operator: &Operator) -> Value {
    let roles: Vec<&str> = operator.roles.iter().map(|r| r.role.name()).collect();
    json!({
        "guid": operator.account.guid,
        "account": operator.account.sam,
        "display": operator.account.display_name,
        "roles": roles,
    })
}

/// The sign-in for recording a refusal: the operator holds no role, so a service names them
/// with none.
fn sign_in_refused(
    ctx: &Context,
    auth: AuthMethod,
    account: &Account,
    password: Option<&str>,
) -> Result<(Client, Option<Value>)> {
    let timeout = ctx.settings.seconds("db_timeout")?;
    match (auth, password) {
        // Tried twice: PostgreSQL refuses an account without a login role every time, but a
        // refusal that only a dropped LDAP session caused would leave the refused attempt out
        // of the trail. Not three times, as a sign-in is: each failure is a line in the
        // server's log, and three of them a refusal look like password guessing.
        (AuthMethod::Password, Some(pw)) => {
            let url = ctx.settings.require("database_url")?;
            let role = account.sam.to_lowercase();
            let client =
                signed_in_after(&[0, 300], || crate::db::connect_as(url, &role, pw, timeout))?;
            Ok((client, None))
        }
        _ => {
            let operator = Operator {
                account: account.clone(),
                roles: Vec::new(),
            };
            let (connect, acting, _) = sign_in(ctx, auth, &operator, password)?;
            Ok((connect()?, acting))
        }
    }
}

/// An envelope of a door function (see [`Door::call_serialized`]), its result read as `T`.
/// A key that is present counts even when it is null: an `"error": null` is a refusal, a
/// `"result": null` is read as `T`.
#[derive(serde::Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
struct Envelope<T> {
    #[serde(default, deserialize_with = "present")]
    error: Option<Value>,
    ticket: Option<String>,
    #[serde(default, deserialize_with = "present")]
    result: Option<T>,
}

/// A key's value, present even when it is null.
fn present<'de, D, T>(d: D) -> std::result::Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// What `fc_api.collect` handed over, as far as a refusal goes (the rest is skipped).
#[derive(serde::Deserialize)]
struct Handed {
    #[serde(default, deserialize_with = "present")]
    refusal: Option<Value>,
}

/// A JSON or JSONB column's text, as the database sent it.
struct JsonText<'a>(&'a [u8]);

impl<'a> postgres::types::FromSql<'a> for JsonText<'a> {
    fn from_sql(
        ty: &Type,
        raw: &'a [u8],
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        match (ty, raw.split_first()) {
            // JSONB's binary form is a version byte, 1, and the text.
            (t, Some((1, text))) if *t == Type::JSONB => Ok(JsonText(text)),
            (t, _) if *t == Type::JSONB => Err("unsupported JSONB version".into()),
            _ => Ok(JsonText(raw)),
        }
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::JSONB || *ty == Type::JSON
    }
}

/// The refusal a collected document is, if it is one: an object with a `refusal` key. Only an
/// object is read for it, and without building the document: serde would read an array into
/// `Handed` by position, and take a list's first entry for a refusal.
fn handed_refusal(function: &str, row: &postgres::Row) -> Result<Option<Value>> {
    let text: JsonText = row.try_get(0).map_err(|e| {
        Error::Other(format!(
            "the answer of fc_api.{function} could not be read: {e}"
        ))
    })?;
    if text.0.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Ok(None);
    }
    Ok(read_json::<Handed>(function, row)?.refusal)
}

/// The first column of `row`, read as `T` from its JSON text.
fn read_json<T: DeserializeOwned>(function: &str, row: &postgres::Row) -> Result<T> {
    let text: JsonText = row.try_get(0).map_err(|e| {
        Error::Other(format!(
            "the answer of fc_api.{function} could not be read: {e}"
        ))
    })?;
    serde_json::from_slice(text.0).map_err(|e| {
        Error::Other(format!(
            "the answer of fc_api.{function} could not be read: {e}"
        ))
    })
}

/// What `fc_api.<function>` answered, read as `T`; an answer famctx cannot read is an error
/// that names the function.
pub fn read_answer<T: DeserializeOwned>(function: &str, answer: Value) -> Result<T> {
    serde_json::from_value(answer).map_err(|e| {
        Error::Other(format!(
            "the answer of fc_api.{function} could not be read: {e}"
        ))
    })
}
