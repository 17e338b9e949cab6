//! Active Directory over LDAP: bind as the operator over TLS, look the
//! account up (never build a DN from a name), check its state and resolve
//! nested group membership from the account's tokenGroups (computed by the DC).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use clap::ValueEnum;
use ldap3::{ldap_escape, LdapConn, LdapConnSettings, LdapError, Scope, SearchEntry};
use uuid::Uuid;

use crate::config::Settings;
use crate::error::{Error, Result};
use crate::text::shorten;

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

/// The sign-in method the settings name (`auth`).
pub fn auth_method(settings: &Settings) -> Result<AuthMethod> {
    use clap::ValueEnum;
    let v = settings.require("auth")?;
    let method = AuthMethod::from_str(v, true).map_err(|_| {
        Error::Usage(format!(
            "unknown sign-in method {v:?} (auth): use password or kerberos"
        ))
    })?;
    if method == AuthMethod::Kerberos && !cfg!(feature = "kerberos") {
        return Err(Error::Usage(
            "--auth kerberos: this famctx was built without the `kerberos` feature, so it signs in \
             with a password only; build it with `cargo build --release --features kerberos`"
                .into(),
        ));
    }
    Ok(method)
}

const UAC_DISABLED: i64 = 0x2;
const UAC_LOCKOUT: i64 = 0x10;
/// accountExpires values that mean "never".
const NEVER_EXPIRES: [i64; 2] = [0, i64::MAX];
/// Largest number of names put in one OR-filter when looking many accounts up. A directory
/// answers a filter of 100 names in less time a name than one of 250 (Samba, 10,000 accounts:
/// about 15% less).
pub const BATCH: usize = 100;
const ACCOUNT_ATTRS: [&str; 8] = [
    "objectGUID",
    "sAMAccountName",
    "userPrincipalName",
    "displayName",
    "userAccountControl",
    "accountExpires",
    "lockoutTime",
    "memberOf",
];

#[derive(Debug, Clone)]
pub struct Account {
    pub dn: String,
    pub guid: Uuid,
    pub sam: String,
    pub upn: Option<String>,
    pub display_name: Option<String>,
    pub disabled: bool,
    pub locked: bool,
    pub expired: bool,
    pub member_of: Vec<String>,
}

impl Account {
    pub fn usable(&self) -> std::result::Result<(), &'static str> {
        if self.disabled {
            Err("disabled")
        } else if self.expired {
            Err("expired")
        } else if self.locked {
            Err("locked out")
        } else {
            Ok(())
        }
    }
}

/// A group the account belongs to, and the chain of groups that leads there.
#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    pub dn: String,
    /// Group names from the account's direct group to this one.
    pub path: Vec<String>,
}

/// What the operator typed, checked and turned into a bind name and a filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub bind_name: String,
    /// Escaped LDAP filter that finds the account the bind name can mean.
    pub filter: String,
    /// The UPN the bind name is, if it is one: AD matches an explicit
    /// userPrincipalName before the implicit sAMAccountName@realm, and so
    /// must the lookup, or an account whose UPN imitates another's name
    /// would be taken for that other account.
    pub upn: Option<String>,
}

/// Accepts `name`, `name@realm` or `DOMAIN\name`; refuses anything else
/// before it reaches the directory.
pub fn parse_login(input: &str, realm: Option<&str>) -> Result<Login> {
    let refuse = |why: &str| {
        Error::Auth(format!(
            "{} is not a valid account name ({why}): use name, name@realm or DOMAIN\\name",
            shorten(input)
        ))
    };
    if input.is_empty() || input.len() > 256 {
        return Err(refuse("it must be 1 to 256 characters"));
    }
    let (name, form) = if let Some((domain, name)) = input.split_once('\\') {
        if !valid_label(domain, false) {
            return Err(refuse("bad domain"));
        }
        (name, 'd')
    } else if let Some((name, domain)) = input.split_once('@') {
        if !valid_label(domain, true) {
            return Err(refuse("bad realm"));
        }
        (name, 'u')
    } else {
        (input, 'n')
    };
    crate::text::check_account_name(name).map_err(|why| refuse(&why))?;
    let name_filter = ldap_escape(name);
    let by_sam = |realm_ok: bool| {
        if realm_ok {
            format!("(sAMAccountName={name_filter})")
        } else {
            String::new()
        }
    };
    let user = |alternatives: String| {
        format!("(&(objectCategory=person)(objectClass=user)(|{alternatives}))")
    };
    Ok(match form {
        'u' => {
            let own_realm = realm.is_some_and(|r| {
                input
                    .rsplit_once('@')
                    .is_some_and(|(_, d)| d.eq_ignore_ascii_case(r))
            });
            Login {
                bind_name: input.to_string(),
                filter: user(format!(
                    "(userPrincipalName={}){}",
                    ldap_escape(input),
                    by_sam(own_realm)
                )),
                upn: Some(input.to_string()),
            }
        }
        'd' => Login {
            bind_name: input.to_string(),
            filter: user(by_sam(true)),
            upn: None,
        },
        _ => {
            let realm = realm.ok_or_else(|| {
                Error::Other("cannot tell the directory's realm: set ldap_base_dn".into())
            })?;
            let upn = format!("{name}@{realm}");
            Login {
                filter: user(format!(
                    "(userPrincipalName={}){}",
                    ldap_escape(upn.as_str()),
                    by_sam(true)
                )),
                bind_name: upn.clone(),
                upn: Some(upn),
            }
        }
    })
}

/// The login for the account a Kerberos principal (`name@REALM`) names: the
/// principal must be of the directory's own realm, and its name an account name.
pub fn login_from_principal(principal: &str, realm: &str) -> Result<Login> {
    let refuse = |why: String| {
        Error::Auth(format!(
            "the Kerberos ticket is for {}, {why}; get a ticket for your own account with `kinit name`",
            shorten(principal)
        ))
    };
    let (name, ticket_realm) = principal
        .rsplit_once('@')
        .ok_or_else(|| refuse("which names no realm".into()))?;
    if !ticket_realm.eq_ignore_ascii_case(realm) {
        return Err(refuse(format!(
            "not of the directory's realm {}",
            realm.to_ascii_uppercase()
        )));
    }
    crate::text::check_account_name(name)
        .map_err(|why| refuse(format!("not a user account ({why})")))?;
    // A ticket's principal is the account's sAMAccountName in its realm.
    Ok(Login {
        bind_name: principal.to_string(),
        filter: format!(
            "(&(objectCategory=person)(objectClass=user)(sAMAccountName={}))",
            ldap_escape(name)
        ),
        upn: None,
    })
}

/// The host name in the directory's Kerberos service name (`ldap/<name>`):
/// `ldap_server_name`, else the host of `ldap_url` when that is a name.
pub fn server_name(settings: &Settings) -> Result<String> {
    let name = match settings.get("ldap_server_name") {
        Some(n) => n.to_string(),
        None => {
            let url = settings.require("ldap_url")?;
            // ldap:// is not a "special" URL scheme: an IPv4 address comes back as a domain.
            let host = url::Url::parse(url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .filter(|h| !h.starts_with('[') && h.parse::<std::net::IpAddr>().is_err());
            host.ok_or_else(|| {
                Error::Usage(format!(
                    "Kerberos needs the directory server's registered host name (its service is \
                     ldap/<name>), and ldap_url {} gives an address: set ldap_server_name \
                     (FAMCTX_LDAP_SERVER_NAME) to the DC's name, e.g. dc1.example.org",
                    shorten(url)
                ))
            })?
        }
    };
    if !valid_label(&name, true) || name.parse::<std::net::IpAddr>().is_ok() {
        return Err(Error::Usage(format!(
            "ldap_server_name {} must be the DC's registered host name (e.g. dc1.example.org), not an address",
            shorten(&name)
        )));
    }
    Ok(name)
}

fn valid_label(s: &str, dots: bool) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || (dots && c == '.'))
}

pub struct Directory {
    conn: LdapConn,
    /// How this session was opened, to open more alike (see [`Directory::accounts`]).
    conn_settings: LdapConnSettings,
    base_dn: Option<String>,
    timeout: Duration,
    /// For reading a whole group's members (ldap_group_timeout).
    group_timeout: Duration,
    url: String,
}

impl Directory {
    /// Connects over LDAPS, or over LDAP with StartTLS, verifying the
    /// server's certificate unless told otherwise.
    /// With Kerberos and `ldap_insecure_plaintext_bind`, plain LDAP is used and
    /// Kerberos seals the connection instead.
    pub fn connect(settings: &Settings, auth: AuthMethod) -> Result<Directory> {
        let url = settings.require("ldap_url")?.to_string();
        let timeout = settings.seconds("ldap_timeout")?;
        let group_timeout = settings.seconds("ldap_group_timeout")?;
        let plaintext = settings.flag("ldap_insecure_plaintext_bind")?;
        let skip_verify = settings.flag("ldap_insecure_skip_verify")?;
        let ldaps = url.starts_with("ldaps://");
        if !ldaps && !url.starts_with("ldap://") {
            return Err(Error::Usage(format!(
                "ldap_url must start with ldaps:// or ldap://, not {}",
                shorten(&url)
            )));
        }
        if plaintext && !ldaps && auth == AuthMethod::Kerberos {
            eprintln!("famctx: WARNING: ldap_insecure_plaintext_bind is set: no TLS; Kerberos seals the connection");
        } else if plaintext && !ldaps {
            eprintln!("famctx: WARNING: ldap_insecure_plaintext_bind is set: the password crosses the network unencrypted");
        }
        if skip_verify {
            eprintln!("famctx: WARNING: ldap_insecure_skip_verify is set: the directory's identity is not checked");
        }
        let mut tls = native_tls::TlsConnector::builder();
        if let Some(ca) = settings.get("ldap_ca_file") {
            let pem = std::fs::read(ca)
                .map_err(|e| Error::Usage(format!("cannot read ldap_ca_file {ca}: {e}")))?;
            let certs = native_tls::Certificate::stack_from_pem(&pem).map_err(|e| {
                Error::Usage(format!(
                    "ldap_ca_file {ca} holds no usable PEM certificate: {e}"
                ))
            })?;
            if certs.is_empty() {
                return Err(Error::Usage(format!(
                    "ldap_ca_file {ca} holds no PEM certificate"
                )));
            }
            // The given roots replace the system's.
            tls.disable_built_in_roots(true);
            for c in certs {
                tls.add_root_certificate(c);
            }
        }
        tls.danger_accept_invalid_certs(skip_verify);
        let connector = tls
            .build()
            .map_err(|e| Error::Other(format!("TLS setup failed: {e}")))?;
        let conn_settings = LdapConnSettings::new()
            .set_conn_timeout(timeout)
            .set_connector(connector)
            .set_starttls(!ldaps && !plaintext);
        let conn = LdapConn::with_settings(conn_settings.clone(), &url)
            .map_err(|e| connect_error(&url, timeout, e))?;
        Ok(Directory {
            conn,
            conn_settings,
            base_dn: settings.get("ldap_base_dn").map(str::to_string),
            timeout,
            group_timeout,
            url,
        })
    }

    /// Opens another session with the same server as this one was opened (TLS, timeouts,
    /// base), not yet bound: for more sessions alike, from other threads.
    fn opener(&self) -> impl Fn() -> Result<Directory> + Sync {
        let conn_settings = self.conn_settings.clone();
        let (url, base_dn) = (self.url.clone(), self.base_dn.clone());
        let (timeout, group_timeout) = (self.timeout, self.group_timeout);
        move || {
            let conn = LdapConn::with_settings(conn_settings.clone(), &url)
                .map_err(|e| connect_error(&url, timeout, e))?;
            Ok(Directory {
                conn,
                conn_settings: conn_settings.clone(),
                base_dn: base_dn.clone(),
                timeout,
                group_timeout,
                url: url.clone(),
            })
        }
    }

    /// The search base: configured, or the domain's naming context.
    pub fn base_dn(&mut self) -> Result<String> {
        if let Some(b) = &self.base_dn {
            return Ok(b.clone());
        }
        let entries = self.search(
            "",
            Scope::Base,
            "(objectClass=*)",
            &["defaultNamingContext"],
        )?;
        let base = entries
            .into_iter()
            .next()
            .and_then(|e| {
                e.attrs
                    .get("defaultNamingContext")
                    .and_then(|v| v.first().cloned())
            })
            .ok_or_else(|| {
                Error::Other(
                    "the directory did not say its naming context: set ldap_base_dn".into(),
                )
            })?;
        self.base_dn = Some(base.clone());
        Ok(base)
    }

    /// The DNS realm of the domain, from its naming context (DC=a,DC=b -> a.b).
    pub fn realm(&mut self) -> Result<String> {
        let base = self.base_dn()?;
        let parts: Vec<&str> = base
            .split(',')
            .filter_map(|p| p.trim().split_once('='))
            .filter(|(k, _)| k.eq_ignore_ascii_case("dc"))
            .map(|(_, v)| v)
            .collect();
        if parts.is_empty() {
            return Err(Error::Other(format!(
                "cannot derive a realm from base DN {base}"
            )));
        }
        Ok(parts.join("."))
    }

    /// Binds as the operator; AD's sub-codes become plain messages that do
    /// not tell an attacker whether the account exists.
    pub fn bind(&mut self, login: &Login, password: &str) -> Result<()> {
        if password.is_empty() {
            return Err(Error::Auth("an empty password is not accepted".into()));
        }
        let result = self
            .conn
            .with_timeout(self.timeout)
            .simple_bind(&login.bind_name, password)
            .map_err(|e| self.op_error(e))?;
        match result.rc {
            0 => Ok(()),
            49 => Err(Error::Auth(bind_failure(&result.text))),
            8 | 13 => Err(Error::Auth(
                "the directory requires an encrypted connection for this bind: use ldaps:// or ldap:// with StartTLS".into(),
            )),
            rc => Err(Error::Auth(format!("the directory refused the bind (result {rc}: {})", result.text))),
        }
    }

    /// Binds with the operator's Kerberos ticket (SASL GSSAPI, service
    /// `ldap/<server_name>`) and returns the ticket's principal, `name@REALM`:
    /// the identity the directory now knows the connection by.
    #[cfg(feature = "kerberos")]
    pub fn kerberos_bind(&mut self, server_name: &str) -> Result<String> {
        use cross_krb5::{Cred, InitiateFlags, K5Cred};
        check_ticket_cache()?;
        let cred = Cred::client_acquire(InitiateFlags::empty(), None)
            .map_err(|e| kerberos_error(&format!("{e:#}"), server_name))?;
        let gss: libgssapi::credential::Cred = cred.into();
        let principal = gss
            .name()
            .map_err(|e| kerberos_error(&format!("{e:#}"), server_name))?
            .to_string();
        // The bind uses this very credential, so the principal is who we are.
        let cred = Cred::from(gss);
        let timeout = self.timeout;
        let conn = &mut self.conn;
        let bound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            conn.with_timeout(timeout)
                .sasl_gssapi_cred_bind(cred, server_name)
        }))
        .map_err(|_| {
            Error::Auth(
                "the directory's answer to the Kerberos bind could not be understood".into(),
            )
        })?;
        let result = match bound {
            Ok(r) => r,
            Err(LdapError::GssapiOperationError(m)) => return Err(kerberos_error(&m, server_name)),
            Err(LdapError::NoGssapiToken) => {
                return Err(Error::Auth(
                    "the directory ended the Kerberos bind without an answer".into(),
                ))
            }
            Err(e) => return Err(self.op_error(e)),
        };
        match result.rc {
            0 => Ok(principal),
            8 | 13 => Err(Error::Auth(
                "the directory does not accept Kerberos binds on this connection: use ldaps:// or ldap:// \
                 with StartTLS (an AD DC must allow SASL over TLS; Samba: ldap server require strong auth = \
                 allow_sasl_over_tls)"
                    .into(),
            )),
            49 => Err(Error::Auth(format!(
                "authentication failed: the directory refused the Kerberos ticket of {}",
                shorten(&principal)
            ))),
            rc => Err(Error::Auth(format!(
                "the directory refused the Kerberos bind (result {rc}: {})",
                result.text
            ))),
        }
    }

    #[cfg(not(feature = "kerberos"))]
    pub fn kerberos_bind(&mut self, _server_name: &str) -> Result<String> {
        Err(Error::Usage(
            "this famctx was built without the `kerberos` feature: sign in with a password".into(),
        ))
    }

    /// Looks one account up by the login the operator used.
    pub fn account(&mut self, login: &Login) -> Result<Option<Account>> {
        let base = self.base_dn()?;
        let entries = self.search(&base, Scope::Subtree, &login.filter, &ACCOUNT_ATTRS)?;
        let chosen = match (entries.len(), &login.upn) {
            (0 | 1, _) => entries.into_iter().next(),
            // One entry has the UPN, another the account name: AD bound the UPN.
            (_, Some(upn)) => entries.into_iter().find(|e| {
                first(e, "userPrincipalName").is_some_and(|u| u.eq_ignore_ascii_case(upn))
            }),
            (_, None) => None,
        };
        chosen.map(account_from).transpose()
    }

    /// Looks many accounts up by sAMAccountName, [`BATCH`] names a search, calling `done` with
    /// the number of names looked up after each search. Returns them keyed by lower-cased
    /// account name.
    ///
    /// The searches are shared out among this session and up to `more` others, each opened as
    /// this one was and bound by `bind` as this one is: a directory answers several sessions at
    /// once. A session that cannot be opened or bound leaves its share to the others; one
    /// failed search fails the lookup.
    pub fn accounts(
        &mut self,
        names: &[String],
        more: usize,
        bind: impl Fn(&mut Directory) -> Result<()> + Sync,
        mut done: impl FnMut(usize),
    ) -> Result<HashMap<String, Account>> {
        let base = self.base_dn()?;
        let batches: Vec<&[String]> = names.chunks(BATCH).collect();
        let more = more.min(batches.len().saturating_sub(1));
        let next = AtomicUsize::new(0);
        let failed = AtomicBool::new(false);
        // Each session takes the next batch until none is left or a search has failed.
        let work = |dir: &mut Directory, answers: mpsc::Sender<(usize, Result<Vec<Account>>)>| loop {
            if failed.load(Ordering::Relaxed) {
                break;
            }
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(batch) = batches.get(i) else {
                break;
            };
            let answer = dir.batch(&base, batch);
            if answer.is_err() {
                failed.store(true, Ordering::Relaxed);
            }
            if answers.send((batch.len(), answer)).is_err() {
                break;
            }
        };
        let (answers, answered) = mpsc::channel();
        let mut found = HashMap::new();
        let mut error = None;
        let open = self.opener();
        std::thread::scope(|scope| {
            for _ in 0..more {
                let (answers, open, bind) = (answers.clone(), &open, &bind);
                scope.spawn(move || {
                    let opened = open().and_then(|mut dir| bind(&mut dir).map(|()| dir));
                    if let Ok(mut dir) = opened {
                        work(&mut dir, answers);
                    }
                });
            }
            scope.spawn(|| work(self, answers));
            for (looked_up, answer) in answered {
                match answer {
                    Ok(accounts) => {
                        for a in accounts {
                            found.insert(a.sam.to_lowercase(), a);
                        }
                        done(looked_up);
                    }
                    Err(e) => {
                        error.get_or_insert(e);
                    }
                }
            }
        });
        match error {
            Some(e) => Err(e),
            None => Ok(found),
        }
    }

    /// The accounts of one batch of names (one search).
    fn batch(&mut self, base: &str, names: &[String]) -> Result<Vec<Account>> {
        let mut filter = String::from("(&(objectCategory=person)(objectClass=user)(|");
        for n in names {
            filter.push_str(&format!("(sAMAccountName={})", ldap_escape(n.as_str())));
        }
        filter.push_str("))");
        self.search(base, Scope::Subtree, &filter, &ACCOUNT_ATTRS)?
            .into_iter()
            .map(account_from)
            .collect()
    }

    /// Every group the account is in, directly or through nesting, each with
    /// the path of groups that leads to it.
    pub fn groups(&mut self, account: &Account) -> Result<Vec<Group>> {
        // tokenGroups: the SIDs of every group the account is in, nesting
        // resolved by the DC itself; much cheaper than the in-chain rule
        // searched from the domain root once groups grow large.
        let token = self.search(
            &account.dn,
            Scope::Base,
            "(objectClass=user)",
            &["tokenGroups"],
        )?;
        let sids = token
            .first()
            .map(|e| values(e, "tokenGroups"))
            .unwrap_or_default();
        let base = self.base_dn()?;
        let mut parents: HashMap<String, (String, Vec<String>)> = HashMap::new();
        for chunk in sids.chunks(BATCH) {
            let mut filter = String::from("(&(objectClass=group)(|");
            for sid in chunk {
                filter.push_str("(objectSid=");
                filter.push_str(&escape_bytes(sid));
                filter.push(')');
            }
            filter.push_str("))");
            for e in self.search(&base, Scope::Subtree, &filter, &["cn", "memberOf"])? {
                let name = first(&e, "cn").unwrap_or_else(|| e.dn.clone());
                let member_of = e.attrs.get("memberOf").cloned().unwrap_or_default();
                parents.insert(e.dn.to_lowercase(), (name, member_of));
            }
        }
        Ok(paths(&account.member_of, &parents))
    }

    /// The group named by a role's setting (a name, or a DN to match exactly) and every user
    /// in it, directly or through nested groups (the in-chain rule), fetched in pages.
    pub fn members(&mut self, group: &str) -> Result<(String, Vec<Account>)> {
        let base = self.base_dn()?;
        let filter = if group.contains('=') {
            format!(
                "(&(objectClass=group)(distinguishedName={}))",
                ldap_escape(group)
            )
        } else {
            format!("(&(objectClass=group)(cn={}))", ldap_escape(group))
        };
        let found = self.search(&base, Scope::Subtree, &filter, &["cn"])?;
        let dn = match found.as_slice() {
            [one] => one.dn.clone(),
            [] => {
                return Err(Error::NotFound(format!(
                    "no AD group {group:?}: check group_users, group_admins and group_auditors in {}",
                    crate::config::SYSTEM_CONFIG
                )))
            }
            _ => {
                return Err(Error::Other(format!(
                    "more than one AD group is named {group:?}: set the role's group by its distinguished name"
                )))
            }
        };
        let filter = format!(
            "(&(objectCategory=person)(objectClass=user)(memberOf:1.2.840.113556.1.4.1941:={}))",
            ldap_escape(dn.as_str())
        );
        let adapters: Vec<Box<dyn ldap3::adapters::Adapter<_, _>>> = vec![
            Box::new(ldap3::adapters::EntriesOnly::new()),
            Box::new(ldap3::adapters::PagedResults::new(500)),
        ];
        // Nested membership of a group of thousands takes a directory longer to evaluate than
        // one lookup: the whole read has ldap_group_timeout a page.
        let timeout = self.group_timeout;
        let mut unparsed = 0usize;
        let fetched = (|| -> std::result::Result<Vec<SearchEntry>, LdapError> {
            let mut stream = self.conn.with_timeout(timeout).streaming_search_with(
                adapters,
                &base,
                Scope::Subtree,
                &filter,
                ACCOUNT_ATTRS.to_vec(),
            )?;
            let mut entries = Vec::new();
            while let Some(re) = stream.next()? {
                if re.is_ref() || re.is_intermediate() {
                    continue;
                }
                match std::panic::catch_unwind(|| SearchEntry::construct(re)) {
                    Ok(entry) => entries.push(entry),
                    Err(_) => unparsed += 1,
                }
            }
            stream.result().success()?;
            Ok(entries)
        })();
        let entries = fetched.map_err(|e| match e {
            LdapError::Timeout { .. } => Error::Unreachable(format!(
                "Active Directory at {} did not send the members of {group:?} within {} s \
                 (ldap_group_timeout)",
                self.url,
                timeout.as_secs()
            )),
            other => self.op_error(other),
        })?;
        if unparsed > 0 {
            return Err(Error::Other(format!(
                "the directory sent {unparsed} member entries of {group:?} that could not be parsed"
            )));
        }
        let accounts = entries
            .into_iter()
            .map(account_from)
            .collect::<Result<Vec<_>>>()?;
        Ok((dn, accounts))
    }

    fn search(
        &mut self,
        base: &str,
        scope: Scope,
        filter: &str,
        attrs: &[&str],
    ) -> Result<Vec<SearchEntry>> {
        let result = self
            .conn
            .with_timeout(self.timeout)
            .search(base, scope, filter, attrs.to_vec())
            .map_err(|e| self.op_error(e))?;
        let (entries, _) = result.success().map_err(|e| self.op_error(e))?;
        let mut out = Vec::new();
        for re in entries
            .into_iter()
            .filter(|re| !re.is_ref() && !re.is_intermediate())
        {
            let entry = std::panic::catch_unwind(|| SearchEntry::construct(re)).map_err(|_| {
                Error::Other("the directory sent an entry that could not be parsed".into())
            })?;
            out.push(entry);
        }
        Ok(out)
    }

    fn op_error(&self, e: LdapError) -> Error {
        match e {
            LdapError::Timeout { .. } => Error::Unreachable(format!(
                "Active Directory at {} did not answer within {} s (ldap_timeout)",
                self.url,
                self.timeout.as_secs()
            )),
            LdapError::LdapResult { result } => {
                Error::Other(format!("directory error {}: {}", result.rc, result.text))
            }
            other => Error::Unreachable(format!(
                "lost the connection to Active Directory at {}: {other}",
                self.url
            )),
        }
    }
}

fn connect_error(url: &str, timeout: Duration, e: LdapError) -> Error {
    match e {
        LdapError::Timeout { .. } => Error::Unreachable(format!(
            "Active Directory at {url} did not answer within {} s (ldap_timeout)",
            timeout.as_secs()
        )),
        LdapError::NativeTLS { source } => Error::Unreachable(format!(
            "cannot set up TLS with Active Directory at {url}: {source}. If the certificate cannot be \
             verified, point ldap_ca_file (FAMCTX_LDAP_CA_FILE) at the CA that signed it"
        )),
        LdapError::LdapResult { result } => Error::Unreachable(format!(
            "Active Directory at {url} refused StartTLS (result {}: {})",
            result.rc, result.text
        )),
        other => Error::Unreachable(format!("cannot reach Active Directory at {url}: {other}")),
    }
}

/// Refuses a file ticket cache (KRB5CCNAME) that is empty or not a ticket
/// cache: MIT krb5 1.20 crashes in gss_acquire_cred on such a file.
#[cfg(feature = "kerberos")]
fn check_ticket_cache() -> Result<()> {
    let Some(name) = std::env::var_os("KRB5CCNAME") else {
        return Ok(());
    };
    let name = name.to_string_lossy().into_owned();
    let path = match name.strip_prefix("FILE:") {
        Some(p) => p,
        None if name.starts_with('/') => name.as_str(),
        None => return Ok(()),
    };
    let mut head = [0u8; 2];
    let readable =
        std::fs::File::open(path).map(|mut f| std::io::Read::read_exact(&mut f, &mut head));
    match readable {
        // A missing file is reported by GSS-API itself, with the kinit advice.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Ok(Ok(())) if head[0] == 5 && (1..=4).contains(&head[1]) => Ok(()),
        _ => Err(Error::Auth(format!(
            "no usable Kerberos ticket: the ticket cache {} (KRB5CCNAME) is empty, unreadable or not a \
             ticket cache: run `kinit` (or `kinit name@REALM`), check it with `klist`, or sign in with a \
             password (--auth password)",
            shorten(path)
        ))),
    }
}

/// A Kerberos (GSS-API) failure in plain words. Without a ticket, or with an
/// expired one, it says how to get one.
#[cfg_attr(not(feature = "kerberos"), allow(dead_code))]
fn kerberos_error(message: &str, server_name: &str) -> Error {
    let m = message.to_ascii_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| m.contains(n));
    if has(&["server not found in kerberos database"]) {
        Error::Auth(format!(
            "Kerberos does not know the directory's service ldap/{server_name} (\"Server not found in \
             Kerberos database\"): ldap_server_name (FAMCTX_LDAP_SERVER_NAME) must be the DC's \
             registered host name, e.g. dc1.example.org, not an address or an alias"
        ))
    } else if has(&[
        "no kerberos credentials",
        "no credentials cache",
        "credentials cache file",
        "expired",
        "no credentials were supplied",
    ]) {
        Error::Auth(format!(
            "no usable Kerberos ticket (none in the ticket cache, or it has expired): run `kinit` \
             (or `kinit name@REALM`), check it with `klist`, or sign in with a password (--auth password). \
             ({})",
            message.trim()
        ))
    } else if has(&[
        "cannot contact any kdc",
        "cannot find kdc",
        "cannot resolve network address for kdc",
    ]) {
        Error::Unreachable(format!(
            "cannot reach a Kerberos KDC: check krb5.conf (KRB5_CONFIG) or the domain's DNS SRV records ({})",
            message.trim()
        ))
    } else if has(&["clock skew"]) {
        Error::Auth(
            "Kerberos refused the ticket: this machine's clock and the domain controller's differ by \
             more than a few minutes"
                .into(),
        )
    } else {
        Error::Auth(format!("Kerberos sign-in failed: {}", message.trim()))
    }
}

/// AD puts a sub-code in the bind error text ("... data 52e, ...").
fn bind_failure(text: &str) -> String {
    let sub: String = text
        .find("data ")
        .map(|at| {
            text[at + 5..]
                .chars()
                .take_while(char::is_ascii_hexdigit)
                .collect::<String>()
        })
        .unwrap_or_default()
        .to_ascii_lowercase();
    match sub.as_str() {
        "530" | "531" => "authentication failed: this account may not log in now or from here".into(),
        "532" | "773" => "authentication failed: the password has expired or must be changed; change it, then try again".into(),
        "533" | "701" | "775" => {
            "authentication failed: the account is disabled, expired or locked; ask the service desk".into()
        }
        _ => "authentication failed: unknown account or wrong password".into(),
    }
}

/// Every value of an attribute as bytes: ldap3 files a value under attrs
/// when it happens to be valid UTF-8, under bin_attrs otherwise.
fn values(e: &SearchEntry, attr: &str) -> Vec<Vec<u8>> {
    let text = e
        .attrs
        .get(attr)
        .into_iter()
        .flatten()
        .map(|v| v.clone().into_bytes());
    let binary = e.bin_attrs.get(attr).into_iter().flatten().cloned();
    text.chain(binary).collect()
}

/// A binary value in a filter: every byte as \\xx (RFC 4515).
fn escape_bytes(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\{b:02x}")).collect()
}

fn first(e: &SearchEntry, attr: &str) -> Option<String> {
    e.attrs.get(attr).and_then(|v| v.first().cloned())
}

fn account_from(e: SearchEntry) -> Result<Account> {
    let guid_bytes = e
        .bin_attrs
        .get("objectGUID")
        .and_then(|v| v.first().cloned())
        .or_else(|| first(&e, "objectGUID").map(String::into_bytes))
        .ok_or_else(|| Error::Other(format!("directory entry {} has no objectGUID", e.dn)))?;
    let guid_array: [u8; 16] = guid_bytes.try_into().map_err(|_| {
        Error::Other(format!(
            "directory entry {} has a malformed objectGUID",
            e.dn
        ))
    })?;
    let number = |attr: &str| first(&e, attr).and_then(|v| v.parse::<i64>().ok());
    let uac = number("userAccountControl").unwrap_or(0);
    let expires = number("accountExpires").unwrap_or(0);
    let now_filetime = filetime_now();
    Ok(Account {
        guid: Uuid::from_bytes_le(guid_array),
        sam: first(&e, "sAMAccountName").ok_or_else(|| {
            Error::Other(format!("directory entry {} has no sAMAccountName", e.dn))
        })?,
        upn: first(&e, "userPrincipalName"),
        display_name: first(&e, "displayName"),
        disabled: uac & UAC_DISABLED != 0,
        locked: uac & UAC_LOCKOUT != 0 || number("lockoutTime").is_some_and(|t| t > 0),
        expired: !NEVER_EXPIRES.contains(&expires) && expires <= now_filetime,
        member_of: e.attrs.get("memberOf").cloned().unwrap_or_default(),
        dn: e.dn,
    })
}

/// Now in Windows FILETIME (100 ns intervals since 1601-01-01).
fn filetime_now() -> i64 {
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    (unix + 11_644_473_600) * 10_000_000
}

/// Breadth-first from the account's direct groups up through the tokenGroups
/// set: the shortest path of group names to every group.
fn paths(direct: &[String], parents: &HashMap<String, (String, Vec<String>)>) -> Vec<Group> {
    let mut seen = HashSet::new();
    let mut queue = VecDeque::new();
    let mut out = Vec::new();
    for dn in direct {
        if seen.insert(dn.to_lowercase()) {
            queue.push_back((dn.clone(), Vec::new()));
        }
    }
    while let Some((dn, mut path)) = queue.pop_front() {
        let Some((name, up)) = parents.get(&dn.to_lowercase()) else {
            continue;
        };
        path.push(name.clone());
        for p in up {
            if seen.insert(p.to_lowercase()) {
                queue.push_back((p.clone(), path.clone()));
            }
        }
        out.push(Group {
            name: name.clone(),
            dn,
            path,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_are_checked_and_escaped() {
        let l = parse_login("sw.alice", Some("famctx.test")).unwrap();
        assert_eq!(l.bind_name, "sw.alice@famctx.test");
        assert!(l.filter.contains("(sAMAccountName=sw.alice)"));
        assert_eq!(
            parse_login("FAMCTX\\eh.bob", None).unwrap().bind_name,
            "FAMCTX\\eh.bob"
        );
        assert!(parse_login("sw.alice@famctx.test", None)
            .unwrap()
            .filter
            .contains("userPrincipalName=sw.alice@famctx.test"));
        for bad in [
            "*",
            "sw.alice)(objectClass=*",
            "a\0b",
            "",
            "a\\",
            "x@",
            "sw\u{202e}alice",
        ] {
            assert!(
                matches!(parse_login(bad, Some("r")), Err(Error::Auth(_))),
                "{bad:?}"
            );
        }
        assert!(parse_login(&"a".repeat(10_000), Some("r")).is_err());
    }

    #[test]
    fn principals_name_accounts_of_the_directory_realm() {
        let l = login_from_principal("sw.alice@FAMCTX.TEST", "famctx.test").unwrap();
        assert!(l.filter.contains("(sAMAccountName=sw.alice)"));
        for bad in [
            "sw.alice@OTHER.TEST",
            "sw.alice",
            "ldap/dc1.famctx.test@FAMCTX.TEST",
            "a*@FAMCTX.TEST",
            "x@y@FAMCTX.TEST",
        ] {
            assert!(
                matches!(
                    login_from_principal(bad, "famctx.test"),
                    Err(Error::Auth(_))
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn kerberos_failures_are_explained() {
        let e = kerberos_error("gssapi: Server not found in Kerberos database", "10.0.0.1");
        assert!(matches!(&e, Error::Auth(m) if m.contains("ldap_server_name")));
        let e = kerberos_error(
            "No Kerberos credentials available (default cache: FILE:/nonexistent)",
            "dc1",
        );
        assert!(matches!(&e, Error::Auth(m) if m.contains("kinit")));
    }

    #[test]
    fn bind_sub_codes_do_not_reveal_accounts() {
        let bad_pw = bind_failure("80090308: LdapErr: DSID-0C09041C, comment: AcceptSecurityContext error, data 52e, v4563");
        let unknown = bind_failure("80090308: LdapErr: DSID-0C09041C, comment: AcceptSecurityContext error, data 525, v4563");
        assert_eq!(bad_pw, unknown);
        assert!(bind_failure("... data 533, v893").contains("disabled"));
    }

    #[test]
    fn nesting_paths() {
        let mut parents = HashMap::new();
        parents.insert(
            "cn=ln".to_string(),
            ("Locality North".to_string(), vec!["CN=EH".to_string()]),
        );
        parents.insert(
            "cn=eh".to_string(),
            ("Early Help Team".to_string(), vec!["CN=U".to_string()]),
        );
        parents.insert(
            "cn=u".to_string(),
            ("FamilyContext Users".to_string(), vec![]),
        );
        let groups = paths(&["CN=LN".to_string()], &parents);
        let users = groups
            .iter()
            .find(|g| g.name == "FamilyContext Users")
            .unwrap();
        assert_eq!(
            users.path,
            ["Locality North", "Early Help Team", "FamilyContext Users"]
        );
    }
}
