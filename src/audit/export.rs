//! `audit export`: every matching row, streamed through a server-side cursor.

use super::*;

// --- audit export ----------------------------------------------------------

pub(crate) fn export_command(ctx: &Context, args: &ExportArgs) -> Result<u8> {
    ctx.output().expect(&[Format::Jsonl, Format::Csv])?;
    let filter = Filter::window(&args.window, Utc::now())?;
    let audit = Audit::new("audit_exported")
        .detail("filter", &filter)
        .detail("format", ctx.format.name());
    // Nothing may reach stdout before its audit row is committed, and an
    // export is too big to hold until a commit at its end. So the audit row
    // records the request and the export follows it: the guard commits a row
    // naming the filter (action audit_exported) first, and only then is a new
    // read-only transaction opened to stream the rows through a cursor. Its
    // snapshot is taken after that commit, so an export of the whole trail
    // includes the row that records it. If the stream fails half-way, the
    // row still records that the export was asked for and allowed.
    guard::through(ctx, Needs::Role(Role::Auditor), audit, |_, _, _| Ok(()))?;
    let mut client = ctx.connect()?;
    let scope = Scope {
        filter: &filter,
        person: None,
    };
    export(&mut client, &scope, ctx.format)?;
    Ok(code::SUCCESS)
}

/// Streams the rows in id (chain) order, `EXPORT_BATCH` at a time from a
/// server-side portal, writing each batch out before fetching the next, so
/// memory stays flat whatever the size of the trail. A reader that goes away
/// (`| head`) ends it quietly (BrokenPipe).
pub(crate) fn export(client: &mut postgres::Client, scope: &Scope, format: Format) -> Result<u64> {
    let mut q = Query::default();
    let sql = scope.select(&mut q, "id", None);
    let mut tx = client.build_transaction().read_only(true).start()?;
    let portal = tx.bind(sql.as_str(), &q.refs())?;
    let mut sink = Sink::new(format)?;
    let mut written = 0u64;
    loop {
        let rows = tx.query_portal(&portal, EXPORT_BATCH)?;
        for r in &rows {
            sink.write(&Entry::from_row(r))?;
        }
        sink.flush()?;
        written += rows.len() as u64;
        if rows.len() < EXPORT_BATCH as usize {
            break;
        }
    }
    tx.commit()?;
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

    fn write(&mut self, e: &Entry) -> Result<()> {
        match self {
            Sink::Jsonl(w) => {
                serde_json::to_writer(&mut *w, e).map_err(json_error)?;
                w.write_all(b"\n")?;
            }
            Sink::Csv(w) => {
                let cells = e.cells();
                w.write_record(cells.iter().map(|c| neutralise_formula(c).into_owned()))
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

/// A JSON error, keeping a closed stdout (BrokenPipe) for what it is.
pub(crate) fn json_error(e: serde_json::Error) -> Error {
    if e.is_io() {
        Error::from(std::io::Error::from(e))
    } else {
        Error::from(e)
    }
}

pub(crate) fn csv_error(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::from(io),
        other => Error::Other(format!("CSV error: {other:?}")),
    }
}
