//! `famctx mdm validate` and `famctx mdm loads`: is the nightly load from the
//! MDM warehouse complete? The warehouse (read by the admin as themselves) is
//! compared with the family context database (through the door:
//! `fc_api.mdm_validate_begin`, `fc_api.mdm_side`, `fc_api.mdm_validate_finish`)
//! by aggregates and range checksums computed in the databases; only the
//! warehouse's keys of ranges that differ are ever fetched, and family
//! context's keys and persons are disclosed only in the samples, after the
//! audit row naming them has committed.

mod checks;
mod keyset;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use postgres::Client;
use serde::Serialize;
use serde_json::{json, Value};

use crate::action::Action;
use crate::context::Context;
use crate::error::{code, Error, Result};
use crate::guard::{Basis, Door, Needs, Role};
use crate::output::Format;
use crate::output::{Output, Table};
use crate::progress::Progress;

use checks::{Begun, LoadRun, Loads};
pub use checks::{Check, Item, Status, Thresholds};
use keyset::{FcSide, Key, KeyDiff, ENTITIES};

#[derive(Debug, Subcommand)]
pub enum MdmCommand {
    /// Check that the last MDM load is complete: freshness, counts, key sets, drops, orphans,
    /// completeness (exit 0 pass, 6 warn, 7 fail)
    Validate(ValidateArgs),
    /// Recent load runs, with their row counts and durations
    Loads(LoadsArgs),
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// MDM warehouse URL [default: mdm_url setting, FAMCTX_MDM_URL]; keep passwords out of
    /// it (set FAMCTX_MDM_URL instead)
    #[arg(long, value_name = "URL")]
    pub mdm_url: Option<String>,
    /// Load run to validate (an id from `famctx mdm loads`) [default: the last completed]
    #[arg(long, value_name = "RUN", value_parser = clap::value_parser!(i64).range(1..))]
    pub load: Option<i64>,
    /// Also write the JSON report to FILE (replaced atomically; readable by its owner only)
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Warn when the last completed load ended more than this many hours ago [setting mdm_fresh_warn_hours]
    #[arg(long, value_name = "HOURS")]
    pub fresh_warn_hours: Option<f64>,
    /// Fail when the last completed load ended more than this many hours ago [setting mdm_fresh_fail_hours]
    #[arg(long, value_name = "HOURS")]
    pub fresh_fail_hours: Option<f64>,
    /// Warn when an entity has more than this percentage fewer rows than at the previous load [setting mdm_drop_warn_pct]
    #[arg(long, value_name = "PCT")]
    pub drop_warn_pct: Option<f64>,
    /// Fail when an entity has more than this percentage fewer rows than at the previous load [setting mdm_drop_fail_pct]
    #[arg(long, value_name = "PCT")]
    pub drop_fail_pct: Option<f64>,
    /// Warn when more than this percentage of persons lack a name, date of birth or address [setting mdm_missing_field_warn_pct]
    #[arg(long, value_name = "PCT")]
    pub missing_field_warn_pct: Option<f64>,
    /// Fail when more than this percentage of persons lack a name, date of birth or address [setting mdm_missing_field_fail_pct]
    #[arg(long, value_name = "PCT")]
    pub missing_field_fail_pct: Option<f64>,
    #[command(flatten)]
    pub basis: Basis,
}

#[derive(Debug, Args)]
pub struct LoadsArgs {
    /// MDM warehouse URL (read-only role) [default: mdm_url setting, FAMCTX_MDM_URL]
    #[arg(long, value_name = "URL")]
    pub mdm_url: Option<String>,
    /// Runs to show, newest first
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(i64).range(1..=1000))]
    pub limit: i64,
    #[command(flatten)]
    pub basis: Basis,
}

pub fn run(ctx: &Context, command: &MdmCommand) -> Result<u8> {
    match command {
        MdmCommand::Validate(args) => validate(ctx, args),
        MdmCommand::Loads(args) => loads(ctx, args),
    }
}

// --- validate -------------------------------------------------------------------------------

/// Everything a validation found: the JSON report.
#[derive(Debug, Serialize)]
pub struct Report {
    pub status: Status,
    pub validated_at: DateTime<Utc>,
    pub load_run: Option<LoadRun>,
    pub warehouse: String,
    pub thresholds: Thresholds,
    pub checks: Vec<Check>,
    pub timings_ms: Value,
}

impl Report {
    /// For the audit row: the outcome of each check, without the samples.
    fn summary(&self) -> Value {
        let checks: serde_json::Map<String, Value> = self
            .checks
            .iter()
            .map(|c| {
                (
                    c.name.to_string(),
                    json!({ "status": c.status, "summary": c.summary }),
                )
            })
            .collect();
        json!({
            "status": self.status,
            "load_run": self.load_run.as_ref().map(|r| r.id),
            "checks": checks,
        })
    }
}

fn validate(ctx: &Context, args: &ValidateArgs) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json])?;
    let thresholds = thresholds(ctx, args)?;
    let url = warehouse_url(ctx, args.mdm_url.as_deref())?;
    if let Some(path) = &args.report {
        check_report_path(path)?;
    }
    let basis = args.basis.declared(false)?;
    let mut door = Door::open_declared(
        ctx,
        Needs::Role(Role::Admin),
        Action::MdmValidated,
        None,
        None,
        basis.as_deref(),
    )?;
    let mut mdm = open_warehouse(&door, ctx, url)?;
    let started = Instant::now();
    let progress = Progress::bar("validating", ENTITIES.len() as u64 + 3);
    progress.step("load records");
    // The audit row of the validation (stage "started"), then family context's load records.
    let begun: Begun = serde_json::from_value(door.call(
        "mdm_validate_begin",
        json!({
            "load": args.load,
            "warehouse": target(url),
            "thresholds": thresholds,
            "report_file": args.report.as_ref().map(|p| p.display().to_string()),
        }),
    )?)
    .map_err(|e| {
        Error::Other(format!(
            "fc_api.mdm_validate_begin answered with a malformed document: {e}"
        ))
    })?;
    let session = begun.session.clone();
    let mut fc = FcSide::new(&mut door, session);
    let gathered = gather(&mut fc, &mut mdm, begun, &progress, started);
    progress.finish();
    let gathered = match gathered {
        Ok(g) => g,
        Err(e) => {
            // The session ends with an audit row saying why, when the database still answers.
            let request = json!({ "session": fc.session(), "error": e.message() });
            let _ = fc.door().call("mdm_validate_finish", request);
            return Err(e);
        }
    };
    let report = finish(&mut fc, gathered, thresholds, url)?;
    if let Some(path) = &args.report {
        write_report(path, &report)?;
    }
    crate::output::reader_gone_ok(match out.format {
        Format::Json => out.json(&report),
        _ => render(&mut out, &report),
    })?;
    Ok(report.status.exit_code())
}

/// What the two databases said, before family context's samples are disclosed.
struct Gathered {
    loads: Loads,
    diffs: Vec<(&'static keyset::Entity, KeyDiff)>,
    orphans: Value,
    completeness: Value,
    timings_ms: Value,
}

fn gather(
    fc: &mut FcSide,
    mdm: &mut Client,
    begun: Begun,
    progress: &Progress,
    started: Instant,
) -> Result<Gathered> {
    let loads = checks::read_loads(begun, mdm)?;
    let t_loads = started.elapsed();
    let mut diffs = Vec::new();
    for e in ENTITIES {
        progress.step(&format!("key sets: {}", e.name));
        diffs.push((e, keyset::compare(mdm, fc, e)?));
    }
    let t_keys = started.elapsed();
    progress.step("orphans");
    let orphans = fc.ask("orphans", json!({}))?["counts"].clone();
    let t_orphans = started.elapsed();
    progress.step("completeness");
    let completeness = fc.ask("completeness", json!({}))?;
    let t_done = started.elapsed();
    let ms = |d: Duration| d.as_millis() as u64;
    Ok(Gathered {
        loads,
        diffs,
        orphans,
        completeness,
        timings_ms: json!({
            "load_records": ms(t_loads),
            "counts_and_key_sets": ms(t_keys - t_loads),
            "orphans": ms(t_orphans - t_keys),
            "completeness": ms(t_done - t_orphans),
            "total": ms(t_done),
        }),
    })
}

/// The checks, from what was gathered and the samples disclosed (`{}` before).
fn report(g: &Gathered, samples: &Value, th: Thresholds, url: &str) -> Report {
    let checks = vec![
        checks::freshness(&g.loads, &th),
        checks::counts(&g.diffs, &g.loads),
        checks::key_sets(&g.diffs),
        checks::drops(&g.diffs, &g.loads, &th),
        checks::orphans(&g.orphans, &samples["orphans"]),
        checks::completeness(&g.completeness, &samples["completeness"], &th),
    ];
    Report {
        status: checks
            .iter()
            .map(|c| c.status)
            .max()
            .unwrap_or(Status::Pass),
        validated_at: g.loads.now,
        load_run: g.loads.run.clone(),
        warehouse: target(url),
        thresholds: th,
        checks,
        timings_ms: g.timings_ms.clone(),
    }
}

/// The final audit row (the outcome of each check, every person the samples
/// name), then the samples, once it has committed, and the full report.
fn finish(fc: &mut FcSide, mut g: Gathered, th: Thresholds, url: &str) -> Result<Report> {
    // The outcomes do not depend on the samples: judged before they are disclosed.
    let summary = report(&g, &json!({}), th, url).summary();
    let mdm_samples: serde_json::Map<String, Value> = g
        .diffs
        .iter()
        .filter(|(_, d)| !d.missing_sample.is_empty())
        .map(|(e, d)| {
            (
                e.name.to_string(),
                Value::Array(d.missing_sample.iter().map(Key::to_wire).collect()),
            )
        })
        .collect();
    let request = json!({
        "session": fc.session(),
        "result": summary,
        "mdm_samples": mdm_samples,
    });
    let samples = fc.door().call("mdm_validate_finish", request)?;
    let keys_of = |v: &Value| -> Vec<Key> {
        v.as_array()
            .map(|a| a.iter().filter_map(Key::from_wire).collect())
            .unwrap_or_default()
    };
    for (e, d) in &mut g.diffs {
        d.missing_sample = keys_of(&samples["keys"][e.name]["missing"]);
        d.extra_sample = keys_of(&samples["keys"][e.name]["extra"]);
    }
    Ok(report(&g, &samples, th, url))
}

fn render(out: &mut Output, report: &Report) -> Result<()> {
    let mut table = Table::new(["check", "subject", "status", "detail"]);
    for c in &report.checks {
        for i in &c.items {
            table.row([
                c.name.to_string(),
                i.subject.clone(),
                i.status.name().to_uppercase(),
                i.message.clone(),
            ]);
        }
    }
    let failing: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| c.status != Status::Pass)
        .map(|c| c.name)
        .collect();
    table.row([
        "overall".into(),
        report
            .load_run
            .as_ref()
            .map(|r| format!("load run {}", r.id))
            .unwrap_or_default(),
        report.status.name().to_uppercase(),
        if failing.is_empty() {
            format!(
                "every check passed in {} ms",
                report.timings_ms["total"].as_u64().unwrap_or(0)
            )
        } else {
            format!("not passed: {}", failing.join(", "))
        },
    ]);
    out.table(&table)
}

/// Thresholds from the flags, else the settings (environment, config file,
/// defaults); each a finite, non-negative number, warn not above fail.
fn thresholds(ctx: &Context, args: &ValidateArgs) -> Result<Thresholds> {
    let get = |flag: Option<f64>, key: &str, name: &str, pct: bool| -> Result<f64> {
        let (value, from) = match flag {
            Some(v) => (v, format!("--{name}")),
            None => {
                let text = ctx.settings.require(key)?;
                let v = text
                    .trim()
                    .parse::<f64>()
                    .map_err(|_| Error::Usage(format!("{key} must be a number, not {text:?}")))?;
                (v, key.to_string())
            }
        };
        if !value.is_finite() || value < 0.0 || (pct && value > 100.0) {
            return Err(Error::Usage(format!(
                "{from} must be a number from 0{}, not {value}",
                if pct { " to 100" } else { " up" }
            )));
        }
        Ok(value)
    };
    let t = Thresholds {
        fresh_warn_hours: get(
            args.fresh_warn_hours,
            "mdm_fresh_warn_hours",
            "fresh-warn-hours",
            false,
        )?,
        fresh_fail_hours: get(
            args.fresh_fail_hours,
            "mdm_fresh_fail_hours",
            "fresh-fail-hours",
            false,
        )?,
        drop_warn_pct: get(
            args.drop_warn_pct,
            "mdm_drop_warn_pct",
            "drop-warn-pct",
            true,
        )?,
        drop_fail_pct: get(
            args.drop_fail_pct,
            "mdm_drop_fail_pct",
            "drop-fail-pct",
            true,
        )?,
        missing_field_warn_pct: get(
            args.missing_field_warn_pct,
            "mdm_missing_field_warn_pct",
            "missing-field-warn-pct",
            true,
        )?,
        missing_field_fail_pct: get(
            args.missing_field_fail_pct,
            "mdm_missing_field_fail_pct",
            "missing-field-fail-pct",
            true,
        )?,
    };
    for (what, warn, fail) in [
        ("freshness", t.fresh_warn_hours, t.fresh_fail_hours),
        ("drop", t.drop_warn_pct, t.drop_fail_pct),
        (
            "missing field",
            t.missing_field_warn_pct,
            t.missing_field_fail_pct,
        ),
    ] {
        if warn > fail {
            return Err(Error::Usage(format!(
                "the {what} warn threshold ({warn}) is above its fail threshold ({fail}): make warn the smaller"
            )));
        }
    }
    Ok(t)
}

// --- the warehouse connection ---------------------------------------------------------------

/// The warehouse URL: --mdm-url (never with a password: it would show in the process list) or
/// the mdm_url setting. The door signs the admin in there as themselves.
fn warehouse_url<'a>(ctx: &'a Context, flag: Option<&'a str>) -> Result<&'a str> {
    match flag {
        Some(url) if crate::config::redact_url(url) != url => Err(Error::Usage(
            "--mdm-url must not carry a password (it would show in the process list): \
             set FAMCTX_MDM_URL or mdm_url in the config file instead"
                .into(),
        )),
        // famctx trusts only configured CA files when every configured connection has one
        // (lib.rs), so a warehouse named on the command line must say which CA signs it.
        Some(url) if crate::db::root_cert_of(url).is_none() => Err(Error::Usage(
            "--mdm-url needs sslrootcert=<CA file> (with sslmode=verify-full): name the CA that \
             signs the warehouse's certificate"
                .into(),
        )),
        Some(url) => Ok(url),
        None => ctx.settings.require("mdm_url"),
    }
}

/// Host, port and database of a URL, for messages and the audit row.
fn target(url: &str) -> String {
    let redacted = crate::config::redact_url(url);
    match url::Url::parse(&redacted) {
        Ok(u) if u.scheme().starts_with("postgres") => format!(
            "{}:{}{}",
            u.host_str().unwrap_or("localhost"),
            u.port().unwrap_or(5432),
            u.path()
        ),
        _ => redacted
            .split_whitespace()
            .filter(|kv| {
                ["host=", "port=", "dbname="]
                    .iter()
                    .any(|p| kv.starts_with(p))
            })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// Signs in to the warehouse as the operator (the door's sign-in), read-only, in one snapshot
/// for the whole run.
fn open_warehouse(door: &Door, ctx: &Context, url: &str) -> Result<Client> {
    let mut client = door.warehouse_at(ctx, url).map_err(|e| match e {
        Error::Usage(m) => Error::Usage(m.replace("database_url", "mdm_url")),
        other => warehouse_error(other),
    })?;
    client
        .batch_execute(
            "SET default_transaction_read_only = on; \
             BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        )
        .map_err(|e| warehouse_error(e.into()))?;
    Ok(client)
}

/// Says which database an error came from.
pub(crate) fn warehouse_error(e: Error) -> Error {
    let say = |m: &str| format!("MDM warehouse: {m}");
    match e {
        Error::Unreachable(m) => Error::Unreachable(say(&m)),
        Error::NotPermitted(m) => Error::NotPermitted(say(&format!(
            "{m}; admins read the warehouse as themselves: their role needs SELECT on the mdm \
             schema (sql/mdm/schema.sql grants it to famctx_admins)"
        ))),
        Error::Other(m) => Error::Other(say(&m)),
        Error::Auth(m) => Error::Auth(say(&m)),
        other => other,
    }
}

// --- the report file ------------------------------------------------------------------------

fn check_report_path(path: &Path) -> Result<()> {
    let dir = parent(path);
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "--report {}: the folder {} does not exist",
            path.display(),
            dir.display()
        )));
    }
    if path.is_dir() {
        return Err(Error::Usage(format!(
            "--report {} is a folder: name a file",
            path.display()
        )));
    }
    Ok(())
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes the report next to its destination, then renames it into place,
/// so a scheduler never reads half a report.
fn write_report(path: &Path, report: &Report) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".into());
    let tmp = parent(path).join(format!(".{name}.{}.tmp", std::process::id()));
    let failed = |e: std::io::Error| {
        let _ = std::fs::remove_file(&tmp);
        Error::Other(format!(
            "could not write the report to {}: {e}",
            path.display()
        ))
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(failed)?;
    let mut text = serde_json::to_vec_pretty(report)?;
    text.push(b'\n');
    file.write_all(&text).map_err(failed)?;
    file.sync_all().map_err(failed)?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(failed)
}

// --- loads ----------------------------------------------------------------------------------

/// One delivery: the family context's record of it and the warehouse's.
#[derive(Debug, Serialize)]
pub struct Delivery {
    pub load_run: Option<RunView>,
    pub warehouse_run: Option<RunView>,
}

#[derive(Debug, Serialize)]
pub struct RunView {
    #[serde(flatten)]
    pub run: LoadRun,
    pub duration_seconds: Option<f64>,
    pub counts: std::collections::BTreeMap<String, i64>,
}

impl RunView {
    fn new(run: LoadRun, counts: std::collections::BTreeMap<String, i64>) -> RunView {
        RunView {
            duration_seconds: run
                .finished_at
                .map(|f| (f - run.started_at).num_milliseconds() as f64 / 1000.0),
            run,
            counts,
        }
    }
}

fn loads(ctx: &Context, args: &LoadsArgs) -> Result<u8> {
    let mut out = ctx.output();
    let url = warehouse_url(ctx, args.mdm_url.as_deref())?;
    let basis = args.basis.declared(false)?;
    let mut door = Door::open_declared(
        ctx,
        Needs::Role(Role::Admin),
        Action::MdmLoadsListed,
        None,
        None,
        basis.as_deref(),
    )?;
    let mut mdm = open_warehouse(&door, ctx, url)?;
    let fc_runs = door.call(
        "mdm_loads",
        json!({ "limit": args.limit, "warehouse": target(url) }),
    )?;
    let deliveries = deliveries(&fc_runs, &mut mdm, args.limit)?;
    if out.format == Format::Json {
        out.json(&deliveries)?;
        return Ok(code::SUCCESS);
    }
    let mut table = Table::new([
        "run",
        "warehouse run",
        "status",
        "started",
        "duration",
        "rows",
        "warehouse rows",
    ]);
    for d in &deliveries {
        let main = d.load_run.as_ref().or(d.warehouse_run.as_ref());
        let Some(main) = main else { continue };
        table.row([
            d.load_run
                .as_ref()
                .map(|r| r.run.id.to_string())
                .unwrap_or_else(|| "-".into()),
            d.warehouse_run
                .as_ref()
                .map(|r| format!("{} ({})", r.run.id, r.run.status))
                .or_else(|| main.run.mdm_run_id.map(|i| format!("{i} (not found)")))
                .unwrap_or_else(|| "-".into()),
            d.load_run
                .as_ref()
                .map(|r| r.run.status.clone())
                .unwrap_or_else(|| "not loaded".into()),
            main.run.started_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            main.duration_seconds
                .map(|s| format!("{s:.1} s"))
                .unwrap_or_default(),
            d.load_run
                .as_ref()
                .map(|r| counts_text(&r.counts))
                .unwrap_or_default(),
            match (&d.load_run, &d.warehouse_run) {
                (Some(l), Some(w)) if l.counts == w.counts => "the same".into(),
                (_, Some(w)) => counts_text(&w.counts),
                (_, None) => String::new(),
            },
        ]);
    }
    out.table(&table)?;
    Ok(code::SUCCESS)
}

fn counts_text(counts: &std::collections::BTreeMap<String, i64>) -> String {
    ENTITIES
        .iter()
        .filter_map(|e| counts.get(e.name).map(|n| format!("{} {n}", e.name)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The last `limit` deliveries, newest first: each family context run (as
/// `fc_api.mdm_loads` listed them) with the warehouse run it names, and
/// warehouse runs no family context run names.
fn deliveries(fc_runs: &Value, mdm: &mut Client, limit: i64) -> Result<Vec<Delivery>> {
    let fc_runs: Vec<(LoadRun, Value)> = fc_runs
        .as_array()
        .ok_or_else(|| Error::Other("fc_api.mdm_loads answered with a malformed document".into()))?
        .iter()
        .map(|r| {
            let run: LoadRun = serde_json::from_value(r.clone()).map_err(|e| {
                Error::Other(format!(
                    "fc_api.mdm_loads answered with a malformed document: {e}"
                ))
            })?;
            Ok((run, r["counts"].clone()))
        })
        .collect::<Result<_>>()?;
    let named: Vec<i64> = fc_runs.iter().filter_map(|(r, _)| r.mdm_run_id).collect();
    let rows = mdm
        .query(
            "SELECT id, status, started_at, finished_at, counts FROM mdm.load_run \
             WHERE id = ANY($1) \
                OR id IN (SELECT id FROM mdm.load_run ORDER BY started_at DESC, id DESC LIMIT $2)",
            &[&named, &limit],
        )
        .map_err(|e| warehouse_error(e.into()))?;
    let mut warehouse: Vec<RunView> = rows
        .iter()
        .map(|r| {
            RunView::new(
                LoadRun {
                    id: r.get(0),
                    status: r.get(1),
                    started_at: r.get(2),
                    finished_at: r.get(3),
                    mdm_run_id: None,
                },
                checks::counts_of(&r.get(4)),
            )
        })
        .collect();
    let mut list: Vec<Delivery> = fc_runs
        .into_iter()
        .map(|(run, counts)| {
            let w = run
                .mdm_run_id
                .and_then(|id| warehouse.iter().position(|w| w.run.id == id))
                .map(|i| warehouse.remove(i));
            Delivery {
                load_run: Some(RunView::new(run, checks::counts_of(&counts))),
                warehouse_run: w,
            }
        })
        .collect();
    list.extend(warehouse.into_iter().map(|w| Delivery {
        load_run: None,
        warehouse_run: Some(w),
    }));
    let started = |d: &Delivery| {
        d.load_run
            .as_ref()
            .or(d.warehouse_run.as_ref())
            .map(|r| r.run.started_at)
    };
    list.sort_by_key(|d| std::cmp::Reverse(started(d)));
    list.truncate(limit as usize);
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_hide_credentials() {
        assert_eq!(
            target("postgresql://mdm_reader:secret@db.example:6543/mdm?sslmode=verify-full"),
            "db.example:6543/mdm"
        );
        assert_eq!(
            target("host=h port=1 dbname=mdm user=u password=x"),
            "host=h port=1 dbname=mdm"
        );
    }

    #[test]
    fn judging_thresholds() {
        assert_eq!(Status::judge(1.0, 5.0, 20.0), Status::Pass);
        assert_eq!(Status::judge(5.0, 5.0, 20.0), Status::Pass);
        assert_eq!(Status::judge(5.1, 5.0, 20.0), Status::Warn);
        assert_eq!(Status::judge(20.1, 5.0, 20.0), Status::Fail);
        assert_eq!(Status::Warn.exit_code(), code::VALIDATION_WARN);
        assert_eq!(Status::Fail.exit_code(), code::VALIDATION_FAIL);
    }
}
