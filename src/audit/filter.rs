//! What the review commands share: the audit row as read back, and the
//! filters (actor, person, action, source, outcome, legal basis, break-glass,
//! time window) as the request to the door's audit functions
//! (sql/migrations/V10__audit_door.sql, V24__legal_basis.sql), which check
//! them again and turn them into SQL.

use super::*;

// ---------------------------------------------------------------------------
// Review: search, a person's access report, export and statistics. Each is
// an auditor's command and is audited itself, with its filter in details.

/// Every column of fc.audit_log: V3's, then V21's basis and break-glass mark.
pub(crate) const COLUMNS: [&str; 19] = [
    "id",
    "occurred_at",
    "actor_guid",
    "actor_account",
    "channel",
    "client_host",
    "action",
    "outcome",
    "subject_person",
    "persons_disclosed",
    "sources_disclosed",
    "target_user",
    "target_guid",
    "reason",
    "details",
    "prev_hash",
    "row_hash",
    "basis",
    "break_glass",
];

/// Rows fetched from the export cursor at a time: a few MB in memory.
pub(crate) const EXPORT_BATCH: usize = 5000;

/// Rows fetched from the verification cursor at a time.
pub(crate) const VERIFY_BATCH: usize = 10_000;

/// One audit row, every column (hashes in hex).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_guid: Option<Uuid>,
    pub actor_account: Option<String>,
    pub channel: String,
    pub client_host: Option<String>,
    pub action: String,
    pub outcome: String,
    pub subject_person: Option<i64>,
    pub persons_disclosed: Vec<i64>,
    pub sources_disclosed: Vec<String>,
    pub target_user: Option<String>,
    pub target_guid: Option<Uuid>,
    pub reason: Option<String>,
    pub details: Value,
    pub prev_hash: String,
    pub row_hash: String,
    /// The legal basis declared (a code of `famctx basis list`), if any.
    pub basis: Option<String>,
    /// A restricted person was disclosed without an access grant.
    pub break_glass: bool,
}

impl Entry {
    /// The CSV cells, in `COLUMNS` order; arrays comma-separated as in the
    /// canonical form the hash covers.
    pub(crate) fn cells(&self) -> [String; 19] {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let join = |v: &[String]| v.join(",");
        [
            self.id.to_string(),
            instant(&self.occurred_at),
            self.actor_guid.map(|g| g.to_string()).unwrap_or_default(),
            text(&self.actor_account),
            self.channel.clone(),
            text(&self.client_host),
            self.action.clone(),
            self.outcome.clone(),
            self.subject_person
                .map(|p| p.to_string())
                .unwrap_or_default(),
            join(
                &self
                    .persons_disclosed
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>(),
            ),
            join(&self.sources_disclosed),
            text(&self.target_user),
            self.target_guid.map(|g| g.to_string()).unwrap_or_default(),
            text(&self.reason),
            self.details.to_string(),
            self.prev_hash.clone(),
            self.row_hash.clone(),
            text(&self.basis),
            self.break_glass.to_string(),
        ]
    }
}

/// An instant in full (microseconds, UTC), for machine output.
pub(crate) fn instant(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// An instant for a table, to the second.
pub(crate) fn shown_at(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

pub(crate) fn person_label(n: i64) -> String {
    format!("fc:{n}")
}

/// The filter as the operator gave it, checked here for clear usage errors,
/// and sent as the request (the database checks it again, resolves a cms id
/// and records the filter in the audit row).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Filter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// Rows declared under this legal basis (the request's `basis` is the auditor's own).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared_basis: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub without_basis: bool,
    /// Only break-glass rows (the request's `break_glass` would mark the auditor's own row).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub break_glass_only: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
}

/// --since and --until, either open.
pub(crate) type Span = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

impl Window {
    pub(crate) fn parse(&self, now: DateTime<Utc>) -> Result<Span> {
        let since = instant_arg("--since", self.since.as_deref(), now)?;
        let until = instant_arg("--until", self.until.as_deref(), now)?;
        if let (Some(s), Some(u)) = (since, until) {
            if s >= u {
                return Err(Error::Usage(format!(
                    "--since ({}) must be before --until ({})",
                    instant(&s),
                    instant(&u)
                )));
            }
        }
        Ok((since, until))
    }
}

pub(crate) fn instant_arg(
    flag: &str,
    text: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    text.map(|t| {
        crate::when::parse_instant(t, now).map_err(|e| Error::Usage(format!("{flag} {e}")))
    })
    .transpose()
}

/// An action or source code: lower-case letters, digits and underscores.
pub(crate) fn code_arg(flag: &str, text: &str, example: &str) -> Result<String> {
    let t = text.trim();
    let ok = !t.is_empty()
        && t.len() <= 64
        && t.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(t.to_string())
    } else {
        Err(Error::Usage(format!(
            "{flag} {} is not a code: use lower-case letters and underscores, e.g. {example}",
            crate::text::shorten(text)
        )))
    }
}

impl Filter {
    pub(crate) fn window(window: &Window, now: DateTime<Utc>) -> Result<Filter> {
        let (since, until) = window.parse(now)?;
        Ok(Filter {
            since,
            until,
            ..Filter::default()
        })
    }

    pub(crate) fn with_person(mut self, text: &str) -> Result<Filter> {
        self.person = Some(PersonId::parse(text)?.to_string());
        Ok(self)
    }

    pub(crate) fn from_search(args: &SearchArgs, now: DateTime<Utc>) -> Result<Filter> {
        let mut f = Filter::window(&args.window, now)?;
        if let Some(p) = &args.person {
            f = f.with_person(p)?;
        }
        f.actor = args
            .actor
            .as_deref()
            .map(|a| crate::text::free_text("--actor", a, 256))
            .transpose()?;
        f.action = args
            .action
            .as_deref()
            .map(|a| code_arg("--action", a, "viewed_family"))
            .transpose()?;
        f.source = args
            .source
            .as_deref()
            .map(|s| code_arg("--source", s, "police"))
            .transpose()?;
        f.outcome = args.outcome;
        f.declared_basis = args
            .declared_basis
            .as_deref()
            .map(|b| crate::text::basis_code("--declared-basis", b))
            .transpose()?;
        f.without_basis = args.without_basis;
        f.break_glass_only = args.break_glass;
        Ok(f)
    }
}
