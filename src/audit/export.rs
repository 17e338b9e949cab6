//! `audit export`: every matching row, streamed: JSON lines through COPY, CSV through a
//! server-side cursor.

use super::*;

// --- audit export ----------------------------------------------------------

pub(crate) fn export_command(ctx: &Context, args: &ExportArgs) -> Result<u8> {
    ctx.output().expect(&[Format::Jsonl, Format::Csv])?;
    let filter = Filter::window(&args.window, Utc::now())?;
    let request = request(&filter, json!({ "format": ctx.format.name() }))?;
    // Nothing may reach stdout before its audit row is committed, and an export is too big to
    // hold until a commit at its end. So fc_api.audit_export writes and commits the audit row
    // (audit_exported, naming the filter and the format) first and returns a ticket; only then
    // does fc_api.audit_export_copy (or, for CSV, fc_api.audit_export_open), in a new
    // transaction, open the rows in id order up to and including the export's own row. If the
    // stream fails half-way, the row still records that the export was asked for and allowed.
    let mut door = auditor_door(ctx, &args.basis, Action::AuditExported)?;
    export(&mut door, request, ctx.format)?;
    Ok(code::SUCCESS)
}

/// Streams the rows in id (chain) order, writing each as it arrives, so memory stays flat
/// whatever the size of the trail. The database encodes each row in the format the export's
/// audit row records (a JSON line, or the CSV cells as text), so a row is written as it
/// arrives, never parsed. A reader that goes away (`| head`) ends it quietly (BrokenPipe).
/// Nothing is written (not even the CSV header) before the first row has arrived.
pub(crate) fn export(door: &mut Door, request: Value, format: Format) -> Result<u64> {
    // Rows on a terminal show their own progress; into a file or a pipe, a count on stderr.
    let progress = if std::io::stdout().is_terminal() {
        Progress::none()
    } else {
        Progress::spinner("exporting")
    };
    let written = match format {
        Format::Csv => export_csv(door, request, &progress)?,
        _ => export_jsonl(door, request, &progress)?,
    };
    progress.finish();
    Ok(written)
}

/// What famctx runs once `fc_api.audit_export_copy` has opened the export's gate: its lines in
/// id order, sent by the server as it produces them (V29). CSV whose quote and delimiter a
/// JSON line never holds raw (PostgreSQL escapes every control character in JSON), so each
/// line arrives exactly as the database wrote it; text COPY would double every backslash.
const EXPORT_COPY: &str = "COPY (SELECT line FROM fc_api.audit_export_lines) TO STDOUT \
                           WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')";

/// JSON lines: the bytes of the COPY stream, one line a row, written through as they arrive.
fn export_jsonl(door: &mut Door, request: Value, progress: &Progress) -> Result<u64> {
    let mut out: Option<std::io::BufWriter<std::io::StdoutLock<'static>>> = None;
    let mut written = 0u64;
    let mut said = 0u64;
    door.copy_stream(
        "audit_export",
        request,
        "audit_export_copy",
        EXPORT_COPY,
        |chunk| {
            // A quoted value starts with the quote: never a JSON line, so never written.
            if chunk.first() == Some(&1) {
                return Err(Error::Other(
                    "the database sent an export line quoted, which a JSON line never is; \
                     the export stopped there: report it to the database's administrators"
                        .into(),
                ));
            }
            let w = out.get_or_insert_with(|| {
                std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())
            });
            w.write_all(chunk)?;
            written += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
            if written - said >= EXPORT_BATCH as u64 {
                said = written;
                progress.say(&format!("{written} rows"));
            }
            Ok(())
        },
    )?;
    if let Some(mut w) = out {
        w.flush()?;
    }
    Ok(written)
}

/// CSV: the cells of the export cursor, `EXPORT_BATCH` rows a fetch, the header first, each
/// cell checked for a spreadsheet formula before it is written.
fn export_csv(door: &mut Door, request: Value, progress: &Progress) -> Result<u64> {
    let mut out: Option<csv::Writer<std::io::StdoutLock<'static>>> = None;
    let mut written = 0u64;
    door.stream(
        "audit_export",
        request,
        "audit_export_open",
        EXPORT_BATCH,
        |rows| {
            let w = match &mut out {
                Some(w) => w,
                None => out.insert(csv_writer()?),
            };
            for row in rows {
                let mut cells = Vec::with_capacity(COLUMNS.len());
                for i in 0..COLUMNS.len() {
                    cells.push(neutralise_formula(row.try_get::<_, &str>(i)?));
                }
                w.write_record(cells.iter().map(|c| c.as_bytes()))
                    .map_err(csv_error)?;
            }
            written += rows.len() as u64;
            progress.say(&format!("{written} rows"));
            Ok(w.flush()?)
        },
    )?;
    // An empty window: the CSV header alone.
    match out {
        Some(mut w) => w.flush()?,
        None => csv_writer()?.flush()?,
    }
    Ok(written)
}

/// CSV on stdout, the header written.
fn csv_writer() -> Result<csv::Writer<std::io::StdoutLock<'static>>> {
    let mut w = csv::Writer::from_writer(std::io::stdout().lock());
    w.write_record(COLUMNS).map_err(csv_error)?;
    Ok(w)
}

use std::io::IsTerminal;

use crate::action::Action;
use crate::output::csv_error;
use crate::progress::Progress;
