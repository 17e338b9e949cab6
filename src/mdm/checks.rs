//! The checks of `mdm validate`, each a pass / warn / fail with the figures
//! behind it: freshness, counts, key sets, drops, orphans, completeness.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use postgres::{Client, Row};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::keyset::{Entity, KeyDiff, Kind, ENTITIES};
use crate::error::{code, Result};

/// A source's last synchronised time agrees with the load when it is this
/// close to the load's finish.
const AGREE_SECONDS: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }

    pub fn exit_code(self) -> u8 {
        match self {
            Status::Pass => code::SUCCESS,
            Status::Warn => code::VALIDATION_WARN,
            Status::Fail => code::VALIDATION_FAIL,
        }
    }

    /// Over `fail` fails, over `warn` warns.
    pub fn judge(value: f64, warn: f64, fail: f64) -> Status {
        if value > fail {
            Status::Fail
        } else if value > warn {
            Status::Warn
        } else {
            Status::Pass
        }
    }
}

/// One finding of a check: about an entity, a source, a field or a run.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub subject: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'static str>,
    pub status: Status,
    pub message: String,
    pub figures: Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub status: Status,
    pub summary: String,
    pub items: Vec<Item>,
}

impl Check {
    fn new(name: &'static str, items: Vec<Item>) -> Check {
        let status = items.iter().map(|i| i.status).max().unwrap_or(Status::Pass);
        let bad: Vec<String> = items
            .iter()
            .filter(|i| i.status != Status::Pass)
            .map(|i| format!("{} {}", i.subject, i.status.name()))
            .collect();
        let summary = if bad.is_empty() {
            format!("{} checked, all pass", items.len())
        } else {
            bad.join(", ")
        };
        Check {
            name,
            status,
            summary,
            items,
        }
    }
}

/// The limits, from flags or settings.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Thresholds {
    pub fresh_warn_hours: f64,
    pub fresh_fail_hours: f64,
    pub drop_warn_pct: f64,
    pub drop_fail_pct: f64,
    pub missing_field_warn_pct: f64,
    pub missing_field_fail_pct: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoadRun {
    pub id: i64,
    pub status: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mdm_run_id: Option<i64>,
}

impl LoadRun {
    fn from_row(r: &Row) -> LoadRun {
        LoadRun {
            id: r.get("id"),
            status: r.get("status"),
            started_at: r.get("started_at"),
            finished_at: r.get("finished_at"),
            mdm_run_id: r.try_get("mdm_run_id").unwrap_or(None),
        }
    }
}

/// What the load records of both databases say.
#[derive(Debug)]
pub struct Loads {
    pub now: DateTime<Utc>,
    /// The run validated: the one asked for, else the last completed.
    pub run: Option<LoadRun>,
    /// Whether `run` is the last completed run (so the tables hold its data).
    pub latest: bool,
    pub manifest: BTreeMap<String, i64>,
    pub previous: Option<(LoadRun, BTreeMap<String, i64>)>,
    pub later: Vec<LoadRun>,
    pub warehouse_run: Option<(LoadRun, BTreeMap<String, i64>)>,
    pub warehouse_latest: Option<LoadRun>,
    pub sources: Vec<(String, Option<DateTime<Utc>>)>,
}

const MDM_RUN_COLUMNS: &str = "id, status, started_at, finished_at";

/// What `fc_api.mdm_validate_begin` says of family context's loads.
#[derive(Debug, Deserialize)]
pub struct Begun {
    pub session: String,
    pub now: DateTime<Utc>,
    pub run: Option<LoadRun>,
    pub latest: bool,
    pub manifest: BTreeMap<String, i64>,
    pub previous: Option<Previous>,
    pub later: Vec<LoadRun>,
    pub sources: Vec<SourceSync>,
}

#[derive(Debug, Deserialize)]
pub struct Previous {
    pub run: LoadRun,
    pub manifest: BTreeMap<String, i64>,
}

#[derive(Debug, Deserialize)]
pub struct SourceSync {
    pub code: String,
    pub last_synchronised: Option<DateTime<Utc>>,
}

/// Family context's load records (from the start of the validation) with
/// the warehouse's.
pub fn read_loads(begun: Begun, mdm: &mut Client) -> Result<Loads> {
    let warehouse_run = match begun.run.as_ref().and_then(|r| r.mdm_run_id) {
        Some(id) => read_warehouse_run(mdm, id)?,
        None => None,
    };
    Ok(Loads {
        now: begun.now,
        latest: begun.run.is_some() && begun.latest,
        manifest: begun.manifest,
        previous: begun.previous.map(|p| (p.run, p.manifest)),
        later: begun.later,
        warehouse_run,
        warehouse_latest: read_warehouse_latest(mdm)?,
        sources: begun
            .sources
            .into_iter()
            .map(|s| (s.code, s.last_synchronised))
            .collect(),
        run: begun.run,
    })
}

pub fn read_warehouse_run(
    mdm: &mut Client,
    id: i64,
) -> Result<Option<(LoadRun, BTreeMap<String, i64>)>> {
    let row = mdm
        .query_opt(
            &format!("SELECT {MDM_RUN_COLUMNS}, counts FROM mdm.load_run WHERE id = $1"),
            &[&id],
        )
        .map_err(|e| super::warehouse_error(e.into()))?;
    Ok(row.map(|r| (LoadRun::from_row(&r), counts_of(&r.get("counts")))))
}

fn read_warehouse_latest(mdm: &mut Client) -> Result<Option<LoadRun>> {
    let row = mdm
        .query_opt(
            &format!(
                "SELECT {MDM_RUN_COLUMNS} FROM mdm.load_run WHERE status = 'completed' \
                 ORDER BY finished_at DESC NULLS LAST, id DESC LIMIT 1"
            ),
            &[],
        )
        .map_err(|e| super::warehouse_error(e.into()))?;
    Ok(row.map(|r| LoadRun::from_row(&r)))
}

/// The entity counts of mdm.load_run.counts; anything else in it is ignored.
pub fn counts_of(v: &Value) -> BTreeMap<String, i64> {
    v.as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_i64().map(|n| (k.clone(), n)))
                .collect()
        })
        .unwrap_or_default()
}

fn time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn hours(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_milliseconds() as f64 / 3_600_000.0
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn pct(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

// --- 1. freshness ---------------------------------------------------------------------------

pub fn freshness(loads: &Loads, th: &Thresholds) -> Check {
    let mut items = vec![load_item(loads, th)];
    if let Some(run) = &loads.run {
        items.push(warehouse_item(loads, run));
        if let Some(item) = later_item(&loads.later) {
            items.push(item);
        }
        for (code, synced) in &loads.sources {
            items.push(source_item(loads, run, code, *synced, th));
        }
    }
    Check::new("freshness", items)
}

fn load_item(loads: &Loads, th: &Thresholds) -> Item {
    let item = |status, message: String, figures| Item {
        subject: "load run".into(),
        source: None,
        status,
        message,
        figures,
    };
    let Some(run) = &loads.run else {
        return item(
            Status::Fail,
            "no completed load is recorded in fc.load_run: run the nightly load, then validate again"
                .into(),
            json!({ "run": null }),
        );
    };
    let finished = match (run.status.as_str(), run.finished_at) {
        ("completed", Some(f)) => f,
        _ => {
            return item(
                Status::Fail,
                format!(
                    "load run {} is {}, not completed: validate a completed run",
                    run.id, run.status
                ),
                json!({ "run": run }),
            )
        }
    };
    let age = hours(finished, loads.now);
    let status = Status::judge(age, th.fresh_warn_hours, th.fresh_fail_hours);
    item(
        status,
        format!(
            "load run {} completed {} ({} h ago; warn after {} h, fail after {} h)",
            run.id,
            time(finished),
            round1(age),
            th.fresh_warn_hours,
            th.fresh_fail_hours
        ),
        json!({
            "run": run,
            "duration_seconds": (finished - run.started_at).num_milliseconds() as f64 / 1000.0,
            "age_hours": round2(age),
            "warn_hours": th.fresh_warn_hours,
            "fail_hours": th.fresh_fail_hours,
        }),
    )
}

fn warehouse_item(loads: &Loads, run: &LoadRun) -> Item {
    let figures = json!({
        "mdm_run_id": run.mdm_run_id,
        "warehouse_run": loads.warehouse_run.as_ref().map(|(r, _)| r),
        "warehouse_last_completed": loads.warehouse_latest,
    });
    let (status, message) = match (run.mdm_run_id, &loads.warehouse_run) {
        (None, _) => (
            Status::Warn,
            format!(
                "load run {} does not name its warehouse run (fc.load_run.mdm_run_id)",
                run.id
            ),
        ),
        (Some(id), None) => (
            Status::Warn,
            format!("the warehouse has no run {id} (mdm.load_run), which load run {} names", run.id),
        ),
        (Some(id), Some((w, _))) if w.status != "completed" => (
            Status::Warn,
            format!(
                "warehouse run {id} is {}, though load run {} completed",
                w.status, run.id
            ),
        ),
        (Some(id), Some((w, _))) => match &loads.warehouse_latest {
            Some(l) if loads.latest && l.id != id && l.finished_at > w.finished_at => (
                Status::Warn,
                format!(
                    "warehouse run {} completed {} after run {id}, but no load run records it: check the load",
                    l.id,
                    l.finished_at.map(time).unwrap_or_default()
                ),
            ),
            _ => (
                Status::Pass,
                format!(
                    "warehouse run {id} completed {}",
                    w.finished_at.map(time).unwrap_or_default()
                ),
            ),
        },
    };
    Item {
        subject: "warehouse run".into(),
        source: None,
        status,
        message,
        figures,
    }
}

fn later_item(later: &[LoadRun]) -> Option<Item> {
    let unfinished: Vec<&LoadRun> = later.iter().filter(|r| r.status != "completed").collect();
    if unfinished.is_empty() {
        return None;
    }
    let said: Vec<String> = unfinished
        .iter()
        .map(|r| match r.status.as_str() {
            "running" => format!("run {} running since {}", r.id, time(r.started_at)),
            s => format!("run {} {s} (started {})", r.id, time(r.started_at)),
        })
        .collect();
    Some(Item {
        subject: "later runs".into(),
        source: None,
        status: Status::Warn,
        message: format!("since the validated load: {}", said.join("; ")),
        figures: json!({ "runs": unfinished }),
    })
}

fn source_item(
    loads: &Loads,
    run: &LoadRun,
    code: &str,
    synced: Option<DateTime<Utc>>,
    th: &Thresholds,
) -> Item {
    let source = ENTITIES
        .iter()
        .find_map(|e| e.source.filter(|s| *s == code));
    let finished = run.finished_at;
    let gap = match (synced, finished) {
        (Some(s), Some(f)) => Some((s - f).num_seconds()),
        _ => None,
    };
    let (status, message) = match (synced, gap) {
        (None, _) => (
            Status::Fail,
            "never synchronised (fc.data_source.last_synchronised is empty)".to_string(),
        ),
        (Some(s), Some(g)) if g.abs() <= AGREE_SECONDS => (
            Status::Pass,
            format!("last synchronised {}, by load run {}", time(s), run.id),
        ),
        (Some(s), Some(g)) if g > 0 => (
            Status::Warn,
            format!(
                "last synchronised {}, after load run {} finished: by a load fc.load_run does not record",
                time(s),
                run.id
            ),
        ),
        (Some(s), _) => {
            let age = hours(s, loads.now);
            (
                Status::judge(age, th.fresh_warn_hours, th.fresh_fail_hours).max(Status::Warn),
                format!(
                    "last synchronised {} ({} h ago), not by load run {}",
                    time(s),
                    round1(age),
                    run.id
                ),
            )
        }
    };
    Item {
        subject: code.to_string(),
        source,
        status,
        message,
        figures: json!({
            "last_synchronised": synced,
            "load_finished_at": finished,
            "seconds_after_load": gap,
        }),
    }
}

// --- 2. counts ------------------------------------------------------------------------------

pub fn counts(diffs: &[(&Entity, KeyDiff)], loads: &Loads) -> Check {
    let items = diffs
        .iter()
        .map(|(e, d)| {
            let extracted = loads
                .warehouse_run
                .as_ref()
                .and_then(|(_, c)| c.get(e.name).copied());
            let loaded = loads.manifest.get(e.name).copied();
            let (status, message) = if d.mdm_rows == d.fc_rows {
                (
                    Status::Pass,
                    format!("{} rows in both databases", d.mdm_rows),
                )
            } else {
                (
                    Status::Fail,
                    format!(
                        "{} rows in the warehouse, {} in family context ({:+})",
                        d.mdm_rows,
                        d.fc_rows,
                        d.fc_rows - d.mdm_rows
                    ),
                )
            };
            Item {
                subject: e.name.into(),
                source: e.source,
                status,
                message,
                figures: json!({
                    "warehouse_rows": d.mdm_rows,
                    "family_context_rows": d.fc_rows,
                    "difference": d.fc_rows - d.mdm_rows,
                    "loaded_by_run": loaded,
                    "warehouse_rows_at_extraction": extracted,
                }),
            }
        })
        .collect();
    Check::new("counts", items)
}

// --- 3. key sets ----------------------------------------------------------------------------

pub fn key_sets(diffs: &[(&Entity, KeyDiff)]) -> Check {
    let items = diffs
        .iter()
        .map(|(e, d)| {
            let status = if d.missing == 0 && d.extra == 0 {
                Status::Pass
            } else {
                Status::Fail
            };
            let at_least = if d.exact { "" } else { "at least " };
            let message = match status {
                Status::Pass => format!("the same {} keys in both databases", d.fc_rows),
                _ => format!(
                    "{at_least}{} missing from family context{}, {at_least}{} not in the warehouse{}{}",
                    d.missing,
                    listed(e, &d.missing_sample, d.missing),
                    d.extra,
                    listed(e, &d.extra_sample, d.extra),
                    if d.exact {
                        ""
                    } else {
                        " (too many differences to list every key: the numbers are lower bounds)"
                    },
                ),
            };
            Item {
                subject: e.name.into(),
                source: e.source,
                status,
                message,
                figures: json!({
                    "missing": d.missing,
                    "extra": d.extra,
                    "exact": d.exact,
                    "missing_sample": d.missing_sample.iter().map(|k| e.key_json(k)).collect::<Vec<_>>(),
                    "extra_sample": d.extra_sample.iter().map(|k| e.key_json(k)).collect::<Vec<_>>(),
                    "buckets": d.buckets,
                    "differing_buckets": d.differing_buckets,
                    "narrowing_rounds": d.rounds,
                    "keys_listed": d.keys_listed,
                }),
            }
        })
        .collect();
    Check::new("key_sets", items)
}

fn listed(e: &Entity, sample: &[super::keyset::Key], total: i64) -> String {
    if sample.is_empty() {
        return String::new();
    }
    let names: Vec<String> = sample.iter().map(|k| e.key_text(k)).collect();
    let more = if total > sample.len() as i64 {
        ", ..."
    } else {
        ""
    };
    format!(" ({}{more})", names.join(", "))
}

// --- 4. drops -------------------------------------------------------------------------------

pub fn drops(diffs: &[(&Entity, KeyDiff)], loads: &Loads, th: &Thresholds) -> Check {
    let baseline: Option<(Value, &BTreeMap<String, i64>)> =
        match (&loads.previous, &loads.warehouse_run) {
            (Some((p, m)), _) => Some((json!({ "from": "fc.load_manifest", "run_id": p.id }), m)),
            (None, Some((w, c))) => Some((json!({ "from": "mdm.load_run", "run_id": w.id }), c)),
            (None, None) => None,
        };
    let items = diffs
        .iter()
        .map(|(e, d)| {
            let (current, current_from) = match loads.manifest.get(e.name) {
                Some(n) if !loads.latest => (*n, "fc.load_manifest of the validated run"),
                _ => (d.fc_rows, "family context now"),
            };
            let before = baseline.as_ref().and_then(|(_, m)| m.get(e.name).copied());
            let (status, message) = judge_drop(before, current, th);
            Item {
                subject: e.name.into(),
                source: e.source,
                status,
                message,
                figures: json!({
                    "baseline": baseline.as_ref().map(|(b, _)| b),
                    "baseline_rows": before,
                    "current_rows": current,
                    "current_from": current_from,
                    "change": before.map(|b| current - b),
                    "change_pct": before.filter(|b| *b > 0).map(|b| round2(pct(current - b, b))),
                }),
            }
        })
        .collect();
    Check::new("drops", items)
}

fn judge_drop(before: Option<i64>, current: i64, th: &Thresholds) -> (Status, String) {
    match before {
        None => (
            Status::Pass,
            format!("{current} rows; no previous load to compare with"),
        ),
        Some(b) if b > 0 && current == 0 => (
            Status::Fail,
            format!("went from {b} rows to none: the whole source is gone"),
        ),
        Some(b) if current < b => {
            let drop = pct(b - current, b);
            (
                Status::judge(drop, th.drop_warn_pct, th.drop_fail_pct),
                format!(
                    "{b} -> {current} rows, {}% fewer (warn over {}%, fail over {}%)",
                    round2(drop),
                    th.drop_warn_pct,
                    th.drop_fail_pct
                ),
            )
        }
        Some(b) => (Status::Pass, format!("{b} -> {current} rows")),
    }
}

// --- 5. orphans -----------------------------------------------------------------------------

/// The orphans family context counted (`fc_api.mdm_side` "orphans") and the
/// samples it disclosed at the end (`samples` is `{}` until then).
pub fn orphans(counts: &Value, samples: &Value) -> Check {
    let items = ENTITIES
        .iter()
        .filter(|e| e.kind != Kind::Person)
        .map(|e| {
            let total = counts[e.name].as_i64().unwrap_or(0);
            let listed = samples[e.name].as_array().map(Vec::as_slice).unwrap_or(&[]);
            let (sample, text) = match e.kind {
                Kind::Relationship => relationship_orphans(listed),
                _ => record_orphans(listed),
            };
            orphan_item(e.name, e.source, total, sample, text)
        })
        .collect();
    Check::new("orphans", items)
}

/// `[person, related person, type, person gone, related person gone]`s.
fn relationship_orphans(listed: &[Value]) -> (Vec<Value>, Vec<String>) {
    let mut sample = Vec::new();
    let mut text = Vec::new();
    for r in listed {
        let (Some(p), Some(q), Some(t)) = (r[0].as_i64(), r[1].as_i64(), r[2].as_str()) else {
            continue;
        };
        let missing: Vec<String> = [
            (r[3].as_bool() == Some(true), p),
            (r[4].as_bool() == Some(true), q),
        ]
        .iter()
        .filter(|(gone, _)| *gone)
        .map(|(_, id)| format!("fc:{id}"))
        .collect();
        text.push(format!(
            "fc:{p} {t} of fc:{q} ({} missing)",
            missing.join(" and ")
        ));
        sample.push(json!({
            "person": format!("fc:{p}"),
            "related_person": format!("fc:{q}"),
            "relationship_type": t,
            "missing": missing,
        }));
    }
    (sample, text)
}

/// `[record id, person]`s.
fn record_orphans(listed: &[Value]) -> (Vec<Value>, Vec<String>) {
    let mut sample = Vec::new();
    let mut text = Vec::new();
    for r in listed {
        let (Some(id), Some(person)) = (r[0].as_i64(), r[1].as_i64()) else {
            continue;
        };
        text.push(format!("{id} (fc:{person} missing)"));
        sample.push(json!({ "id": id, "person": format!("fc:{person}") }));
    }
    (sample, text)
}

fn orphan_item(
    subject: &str,
    source: Option<&'static str>,
    total: i64,
    sample: Vec<Value>,
    text: Vec<String>,
) -> Item {
    let (status, message) = if total == 0 {
        (Status::Pass, "every person referred to exists".to_string())
    } else {
        let more = if total > text.len() as i64 {
            ", ..."
        } else {
            ""
        };
        (
            Status::Fail,
            format!(
                "{total} whose person is missing from family context: {}{more}",
                text.join(", ")
            ),
        )
    };
    Item {
        subject: subject.into(),
        source,
        status,
        message,
        figures: json!({ "orphans": total, "sample": sample }),
    }
}

// --- 6. completeness ------------------------------------------------------------------------

/// The figures family context counted (`fc_api.mdm_side` "completeness")
/// and the ids it disclosed at the end (`samples` is `{}` until then).
pub fn completeness(figures: &Value, samples: &Value, th: &Thresholds) -> Check {
    let n = |key: &str| figures[key].as_i64().unwrap_or(0);
    let persons = n("persons");
    let mut items = Vec::new();
    for (field, missing) in [
        ("name", n("missing_name")),
        ("date_of_birth", n("missing_date_of_birth")),
        ("address", n("missing_address")),
    ] {
        items.push(missing_item(field, missing, persons, th));
    }
    for (subject, what, listed) in [
        (
            "date_of_birth_in_future",
            "a date of birth in the future",
            "future",
        ),
        (
            "date_of_birth_over_120_years",
            "a date of birth over 120 years ago",
            "over_120",
        ),
    ] {
        let ids: Vec<i64> = samples[listed]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_i64).collect())
            .unwrap_or_default();
        items.push(invalid_item(subject, what, &ids, n(subject), persons, th));
    }
    if let Some(address) = items.get_mut(2) {
        if let Value::Object(m) = &mut address.figures {
            m.insert("missing_uprn".into(), json!(n("missing_uprn")));
        }
    }
    let mut check = Check::new("completeness", items);
    check.summary = format!("{persons} persons; {}", check.summary);
    check
}

fn missing_item(field: &str, missing: i64, persons: i64, th: &Thresholds) -> Item {
    let share = pct(missing, persons);
    let status = Status::judge(share, th.missing_field_warn_pct, th.missing_field_fail_pct);
    Item {
        subject: field.into(),
        source: None,
        status,
        message: format!(
            "{missing} of {persons} persons ({}%) have no {} (warn over {}%, fail over {}%)",
            round2(share),
            field.replace('_', " "),
            th.missing_field_warn_pct,
            th.missing_field_fail_pct
        ),
        figures: json!({
            "missing": missing,
            "persons": persons,
            "missing_pct": round2(share),
            "warn_pct": th.missing_field_warn_pct,
            "fail_pct": th.missing_field_fail_pct,
        }),
    }
}

/// Impossible dates: any warns; a share over the fail limit fails.
fn invalid_item(
    subject: &str,
    what: &str,
    ids: &[i64],
    count: i64,
    persons: i64,
    th: &Thresholds,
) -> Item {
    let share = pct(count, persons);
    let status = if count == 0 {
        Status::Pass
    } else if share > th.missing_field_fail_pct {
        Status::Fail
    } else {
        Status::Warn
    };
    let names: Vec<String> = ids.iter().map(|i| format!("fc:{i}")).collect();
    let more = if count > ids.len() as i64 {
        ", ..."
    } else {
        ""
    };
    Item {
        subject: subject.into(),
        source: None,
        status,
        message: if count == 0 {
            format!("no person has {what}")
        } else {
            format!("{count} persons have {what}: {}{more}", names.join(", "))
        },
        figures: json!({
            "persons_affected": count,
            "pct": round2(share),
            "sample": names,
        }),
    }
}
