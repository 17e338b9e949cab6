//! What the review commands share: the audit row as read back, and the
//! filters (actor, person, action, source, outcome, time window) as SQL.

use super::*;

// ---------------------------------------------------------------------------
// Review: search, a person's access report, export and statistics. Each is
// an auditor's command and is audited itself, with its filter in details.

/// Every column of fc.audit_log, in table order.
pub(crate) const COLUMNS: [&str; 17] = [
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
];

/// Rows fetched from the export cursor at a time: a few MB in memory.
pub(crate) const EXPORT_BATCH: i32 = 5000;

/// The actions that look at a person's data (the IG taxonomy's lookups).
pub(crate) const LOOKUP_ACTIONS: [&str; 5] = [
    "searched",
    "viewed_in_results",
    "viewed_basic_details_and_flags",
    "viewed_family",
    "viewed_service_details",
];

/// Working hours for the spot check: 08:00 to 18:00 UTC, Monday to Friday.
pub(crate) const WORKDAY_START_HOUR: i32 = 8;
pub(crate) const WORKDAY_END_HOUR: i32 = 18;

/// An actor stands out with more than this many times the median actor's
/// lookups, and at least `BUSY_MINIMUM` of them.
pub(crate) const BUSY_FACTOR: f64 = 3.0;
pub(crate) const BUSY_MINIMUM: i64 = 10;

/// Denials of one actor (or attempted account) worth a look.
pub(crate) const REPEATED_DENIALS: i64 = 3;

/// One audit row, every column (hashes in hex).
#[derive(Debug, Clone, Serialize)]
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
}

/// Every person the rows name (as subject or as disclosed): reading them
/// is itself a disclosure, recorded in the reviewer's audit row.
pub(crate) fn persons_named(entries: &[Entry]) -> Vec<i64> {
    let set: BTreeSet<i64> = entries
        .iter()
        .flat_map(|e| {
            e.subject_person
                .into_iter()
                .chain(e.persons_disclosed.iter().copied())
        })
        .collect();
    set.into_iter().collect()
}

impl Entry {
    /// From a row selected with `select_list()`.
    pub(crate) fn from_row(r: &Row) -> Entry {
        Entry {
            id: r.get(0),
            occurred_at: r.get(1),
            actor_guid: r.get(2),
            actor_account: r.get(3),
            channel: r.get(4),
            client_host: r.get(5),
            action: r.get(6),
            outcome: r.get(7),
            subject_person: r.get(8),
            persons_disclosed: r.get(9),
            sources_disclosed: r.get(10),
            target_user: r.get(11),
            target_guid: r.get(12),
            reason: r.get(13),
            details: r.get(14),
            prev_hash: hex::encode(r.get::<_, &[u8]>(15)),
            row_hash: hex::encode(r.get::<_, &[u8]>(16)),
        }
    }

    /// The CSV cells, in `COLUMNS` order; arrays comma-separated as in the
    /// canonical form the hash covers.
    pub(crate) fn cells(&self) -> [String; 17] {
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
        ]
    }
}

pub(crate) fn select_list() -> String {
    COLUMNS.join(", ")
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

/// Positional parameters collected while a statement is put together, so
/// every value travels as a parameter, never in the SQL text.
#[derive(Default)]
pub(crate) struct Query {
    pub(crate) params: Vec<Box<dyn ToSql + Sync>>,
}

impl Query {
    pub(crate) fn param(&mut self, value: impl ToSql + Sync + 'static) -> String {
        self.params.push(Box::new(value));
        format!("${}", self.params.len())
    }

    pub(crate) fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params
            .iter()
            .map(|p| p.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }
}

/// The filter as the operator gave it, checked; recorded in the audit row.
/// A person given as a cms id is resolved in the database (`resolve`).
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub(crate) person_id: Option<PersonId>,
}

/// --since and --until, either open.
pub(crate) type Span = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// A filter whose person, if any, is a number in the person index.
pub(crate) struct Scope<'a> {
    pub(crate) filter: &'a Filter,
    pub(crate) person: Option<i64>,
}

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
            crate::directory::shorten(text)
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
        let id = PersonId::parse(text)?;
        self.person = Some(id.to_string());
        self.person_id = Some(id);
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
            .map(|a| guard::free_text("--actor", a, 256))
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
        Ok(f)
    }

    /// Resolves the person and checks the action and source against the
    /// codes the database knows, naming the accepted ones.
    pub(crate) fn resolve(&self, tx: &mut Transaction) -> Result<Scope<'_>> {
        if let Some(a) = &self.action {
            known_code(
                tx,
                "--action",
                a,
                "SELECT code FROM fc.audit_action ORDER BY code",
            )?;
        }
        if let Some(s) = &self.source {
            known_code(
                tx,
                "--source",
                s,
                "SELECT code FROM fc.data_source ORDER BY sort_order, code",
            )?;
        }
        let person = match &self.person_id {
            None => None,
            Some(PersonId::Fc(n)) => Some(*n),
            Some(PersonId::Cms(c)) => Some(
                tx.query_opt("SELECT id FROM fc.person WHERE cms_id = $1", &[c])?
                    .map(|r| r.get(0))
                    .ok_or_else(|| {
                        Error::NotFound(format!("no person cms:{c} in the MDM person index"))
                    })?,
            ),
        };
        Ok(Scope {
            filter: self,
            person,
        })
    }
}

pub(crate) fn known_code(
    tx: &mut Transaction,
    flag: &str,
    code: &str,
    list_sql: &str,
) -> Result<()> {
    let codes: Vec<String> = tx.query(list_sql, &[])?.iter().map(|r| r.get(0)).collect();
    if codes.iter().any(|c| c == code) {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{flag} {code:?} is not known: use one of {}",
        codes.join(", ")
    )))
}

impl Scope<'_> {
    /// The WHERE condition, its values added to `q`. Each filter on its own
    /// can use an index: the person (GIN on persons_disclosed OR the btree on
    /// subject_person, as a BitmapOr), the actor (lower(actor_account),
    /// occurred_at), the action (action, occurred_at), the time range.
    pub(crate) fn condition(&self, q: &mut Query) -> String {
        let f = self.filter;
        let mut c = Vec::new();
        if let Some(a) = &f.actor {
            c.push(format!(
                "lower(actor_account) = lower({}::text)",
                q.param(a.clone())
            ));
        }
        if let Some(n) = self.person {
            let p = q.param(n);
            c.push(format!(
                "(persons_disclosed @> ARRAY[{p}::bigint] OR subject_person = {p})"
            ));
        }
        if let Some(a) = &f.action {
            c.push(format!("action = {}::text", q.param(a.clone())));
        }
        if let Some(s) = &f.source {
            c.push(format!(
                "sources_disclosed @> ARRAY[{}::text]",
                q.param(s.clone())
            ));
        }
        if let Some(o) = f.outcome {
            c.push(format!("outcome = {}::text", q.param(o.code())));
        }
        if let Some(t) = f.since {
            c.push(format!("occurred_at >= {}::timestamptz", q.param(t)));
        }
        if let Some(t) = f.until {
            c.push(format!("occurred_at < {}::timestamptz", q.param(t)));
        }
        if c.is_empty() {
            "TRUE".into()
        } else {
            c.join(" AND ")
        }
    }

    /// Every matching row in `order`, optionally limited. With a person, the
    /// match is fenced in a materialised CTE: the planner cannot estimate how
    /// many rows disclose one person (the array statistics hold no single
    /// person, so it guesses 0.5% of the table), and with ORDER BY ... LIMIT
    /// it would walk the time index backwards testing every row (seconds on
    /// millions of rows). Fenced, it takes the person's rows through the GIN
    /// and subject indexes (BitmapOr) and sorts only those.
    pub(crate) fn select(&self, q: &mut Query, order: &str, limit: Option<i64>) -> String {
        let cond = self.condition(q);
        let limit = limit
            .map(|n| format!(" LIMIT {}", q.param(n)))
            .unwrap_or_default();
        let cols = select_list();
        if self.person.is_some() {
            format!(
                "WITH hit AS MATERIALIZED (SELECT {cols} FROM fc.audit_log WHERE {cond}) \
                 SELECT {cols} FROM hit ORDER BY {order}{limit}"
            )
        } else {
            format!("SELECT {cols} FROM fc.audit_log WHERE {cond} ORDER BY {order}{limit}")
        }
    }

    pub(crate) fn entries(
        &self,
        tx: &mut Transaction,
        order: &str,
        limit: Option<i64>,
    ) -> Result<Vec<Entry>> {
        let mut q = Query::default();
        let sql = self.select(&mut q, order, limit);
        let rows = tx.query(sql.as_str(), &q.refs())?;
        Ok(rows.iter().map(Entry::from_row).collect())
    }
}
