//! `audit export`: every matching row, streamed through a server-side cursor.

use super::*;

// --- audit export ----------------------------------------------------------

pub(crate) fn export_command(ctx: &Context, args: &ExportArgs) -> Result<u8> {
    ctx.output().expect(&[Format::Jsonl, Format::Csv])?;
    let filter = Filter::window(&args.window, Utc::now())?;
    let request = request(&filter, json!({ "format": ctx.format.name() }))?;
    // Nothing may reach stdout before its audit row is committed, and an export is too big to
    // hold until a commit at its end. So fc_api.audit_export writes and commits the audit row
    // (audit_exported, naming the filter and the format) first and returns a ticket; only then
    // does fc_api.audit_export_open (in a new transaction) open a cursor over the rows, in id
    // order up to and including the export's own row. If the stream fails half-way, the row
    // still records that the export was asked for and allowed.
    let mut door = auditor_door(ctx, &args.basis, Action::AuditExported)?;
    export(&mut door, request, ctx.format)?;
    Ok(code::SUCCESS)
}

/// Streams the rows in id (chain) order, `EXPORT_BATCH` at a time from the
/// server-side cursor, writing each batch out before fetching the next, so
/// memory stays flat whatever the size of the trail. The database encodes each
/// row in the format the export's audit row records (a JSON line, or the CSV
/// cells as text), so a row is written as it arrives, never parsed. A reader
/// that goes away (`| head`) ends it quietly (BrokenPipe). Nothing is written
/// (not even the CSV header) before the first batch has arrived.
pub(crate) fn export(door: &mut Door, request: Value, format: Format) -> Result<u64> {
    let mut sink: Option<Sink> = None;
    let mut written = 0u64;
    // Rows on a terminal show their own progress; into a file or a pipe, a count on stderr.
    let progress = if std::io::stdout().is_terminal() {
        Progress::none()
    } else {
        Progress::spinner("exporting")
    };
    door.stream(
        "audit_export",
        request,
        "audit_export_open",
        EXPORT_BATCH,
        |rows| {
            let out = match &mut sink {
                Some(s) => s,
                None => sink.insert(Sink::new(format)?),
            };
            for r in rows {
                out.write(r)?;
            }
            written += rows.len() as u64;
            progress.say(&format!("{written} rows"));
            out.flush()
        },
    )?;
    progress.finish();
    // An empty window: the CSV header alone.
    if sink.is_none() {
        Sink::new(format)?.flush()?;
    }
    Ok(written)
}

/// Where exported rows go: JSON lines or CSV (header first) on stdout.
pub(crate) enum Sink {
    Jsonl(std::io::BufWriter<std::io::StdoutLock<'static>>),
    Csv(Box<csv::Writer<std::io::StdoutLock<'static>>>),
}

impl Sink {
    fn new(format: Format) -> Result<Sink> {
        let stdout = std::io::stdout().lock();
        match format {
            Format::Csv => {
                let mut w = csv::Writer::from_writer(stdout);
                w.write_record(COLUMNS).map_err(csv_error)?;
                Ok(Sink::Csv(Box::new(w)))
            }
            _ => Ok(Sink::Jsonl(std::io::BufWriter::with_capacity(
                1 << 16,
                stdout,
            ))),
        }
    }

    /// One row of the export cursor: a JSON line (one column) or the CSV cells.
    fn write(&mut self, row: &postgres::Row) -> Result<()> {
        match self {
            Sink::Jsonl(w) => {
                w.write_all(row.try_get::<_, &str>(0)?.as_bytes())?;
                w.write_all(b"\n")?;
            }
            Sink::Csv(w) => {
                let mut cells = Vec::with_capacity(COLUMNS.len());
                for i in 0..COLUMNS.len() {
                    cells.push(neutralise_formula(row.try_get::<_, &str>(i)?));
                }
                w.write_record(cells.iter().map(|c| c.as_bytes()))
                    .map_err(csv_error)?;
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        match self {
            Sink::Jsonl(w) => w.flush()?,
            Sink::Csv(w) => w.flush()?,
        }
        Ok(())
    }
}

use std::io::IsTerminal;

use crate::action::Action;
use crate::output::csv_error;
use crate::progress::Progress;
