//! Rendering: table, json, jsonl and csv on stdout. stdout carries data only;
//! messages go to stderr. Nothing is written here before the guard commits.

use std::io::{IsTerminal, Write};

use clap::ValueEnum;
use comfy_table::{presets, Attribute, Cell, Color, ColumnConstraint, ContentArrangement, Width};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::layout;
use crate::text;

/// How a command prints its data (-o/--output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Jsonl,
    Csv,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
        }
    }
}

/// How a cell reads on a terminal where colour is on; plain everywhere else.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Tone {
    #[default]
    Plain,
    /// Something is there: records held.
    Good,
    /// Something is kept from the reader: a missing grant.
    Warn,
    /// Nothing to see: none held, outside an age rule.
    Quiet,
}

/// Rows with named columns, rendered in any format. In table output every cell is
/// shown without control or invisible characters, and a column given a limit
/// ([`Table::shorten`]) is cut to it with an ellipsis; json, jsonl and csv keep
/// every value whole.
#[derive(Debug, Clone, Default)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    tones: Vec<Vec<Tone>>,
    limits: Vec<Option<usize>>,
}

impl Table {
    pub fn new<const N: usize>(headers: [&str; N]) -> Table {
        Table::with_headers(headers.iter().map(|h| h.to_string()).collect())
    }

    /// A table whose columns are known only at run time.
    pub fn with_headers(headers: Vec<String>) -> Table {
        Table {
            limits: vec![None; headers.len()],
            headers,
            rows: Vec::new(),
            tones: Vec::new(),
        }
    }

    pub fn row<const N: usize>(&mut self, cells: [String; N]) {
        self.push(cells.to_vec());
    }

    /// A row of any length (missing cells are empty, extra ones dropped).
    pub fn push(&mut self, cells: Vec<String>) {
        let tones = vec![Tone::Plain; cells.len()];
        self.push_toned(cells.into_iter().zip(tones).collect());
    }

    /// A row whose cells each have a tone.
    pub fn push_toned(&mut self, cells: Vec<(String, Tone)>) {
        let n = self.headers.len();
        let (mut texts, mut tones): (Vec<String>, Vec<Tone>) = cells.into_iter().unzip();
        texts.resize(n, String::new());
        tones.resize(n, Tone::Plain);
        self.rows.push(texts);
        self.tones.push(tones);
    }

    /// In table output, cuts each line of the named column's cells to `max`
    /// characters with an ellipsis.
    pub fn shorten(&mut self, column: &str, max: usize) -> &mut Table {
        if let Some(i) = self.headers.iter().position(|h| h == column) {
            self.limits[i] = Some(max);
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn objects(&self) -> impl Iterator<Item = Value> + '_ {
        self.rows.iter().map(|r| {
            let mut m = Map::new();
            for (h, c) in self.headers.iter().zip(r) {
                m.insert(h.clone(), Value::String(c.clone()));
            }
            Value::Object(m)
        })
    }

    /// The table as text `width` columns wide: cells fit for a terminal,
    /// columns sharing the width (wrapping their text), none below a readable
    /// minimum; a row that cannot fit continues in a further table that repeats
    /// the first column. Box-drawing lines and colour on a terminal, ASCII else.
    pub fn render(&self, width: usize, terminal: bool, colour: bool) -> String {
        let headers: Vec<String> = self
            .headers
            .iter()
            .map(|h| text::for_terminal(h, None))
            .collect();
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .zip(&self.limits)
                    .map(|(c, limit)| text::for_terminal(c, *limit))
                    .collect()
            })
            .collect();
        let minimums: Vec<usize> = (0..headers.len())
            .map(|i| {
                layout::minimum(
                    std::iter::once(headers[i].as_str()).chain(rows.iter().map(|r| r[i].as_str())),
                )
            })
            .collect();
        let table_width = u16::try_from(width).unwrap_or(u16::MAX);
        let mut parts = Vec::new();
        for group in layout::groups(&minimums, width) {
            let mut t = comfy_table::Table::new();
            t.load_style(if terminal {
                presets::UTF8_FULL_CONDENSED
            } else {
                presets::ASCII_MARKDOWN
            });
            t.force_no_tty();
            if colour {
                t.enforce_styling();
            }
            t.set_content_arrangement(ContentArrangement::Dynamic);
            t.set_width(table_width);
            t.set_header(group.iter().map(|&i| headers[i].clone()));
            for (r, tones) in rows.iter().zip(&self.tones) {
                t.add_row(group.iter().map(|&i| toned(&r[i], tones[i], colour)));
            }
            // comfy-table's widths include the padding either side.
            t.set_constraints(group.iter().map(|&i| {
                ColumnConstraint::LowerBoundary(Width::Fixed(
                    u16::try_from(minimums[i] + 2).unwrap_or(u16::MAX),
                ))
            }));
            parts.push(t.to_string());
        }
        parts.join("\n")
    }
}

fn toned(text: &str, tone: Tone, colour: bool) -> Cell {
    let cell = Cell::new(text);
    if !colour {
        return cell;
    }
    match tone {
        Tone::Plain => cell,
        Tone::Good => cell.fg(Color::Green).add_attribute(Attribute::Bold),
        Tone::Warn => cell.fg(Color::Yellow),
        Tone::Quiet => cell.add_attribute(Attribute::Dim),
    }
}

/// Colour is for people: never when `NO_COLOR` is set to anything but the
/// empty string (no-color.org).
fn colour_allowed(no_color: Option<&std::ffi::OsStr>) -> bool {
    no_color.is_none_or(|v| v.is_empty())
}

pub struct Output {
    pub format: Format,
    out: Box<dyn Write>,
    terminal: bool,
    colour: bool,
    width: usize,
}

impl Output {
    pub fn stdout(format: Format) -> Output {
        let stdout = std::io::stdout();
        let terminal = stdout.is_terminal();
        let reported = if terminal {
            terminal_size::terminal_size_of(&stdout).map(|(w, _)| w.0)
        } else {
            None
        };
        let columns = std::env::var("COLUMNS").ok();
        Output {
            format,
            out: Box::new(std::io::BufWriter::new(stdout)),
            terminal,
            colour: terminal && colour_allowed(std::env::var_os("NO_COLOR").as_deref()),
            width: layout::width(reported, columns.as_deref()),
        }
    }

    /// Whether colour may be used: table output to a terminal, without `NO_COLOR`.
    pub fn colour(&self) -> bool {
        self.colour && self.format == Format::Table
    }

    /// A heading before a section of table output, after a blank line.
    pub fn heading(&mut self, title: &str) -> Result<()> {
        let title = text::for_terminal(title, None);
        if self.colour() {
            writeln!(self.out, "\n\x1b[1m{title}\x1b[0m")?;
        } else {
            writeln!(self.out, "\n{title}")?;
        }
        Ok(())
    }

    /// A line of table output (a note under a table), fit for a terminal.
    pub fn line(&mut self, line: &str) -> Result<()> {
        writeln!(self.out, "{}", text::for_terminal(line, None))?;
        Ok(())
    }

    /// Refuses a format the command cannot produce.
    pub fn expect(&self, allowed: &[Format]) -> Result<()> {
        if allowed.contains(&self.format) {
            return Ok(());
        }
        let names: Vec<&str> = allowed.iter().map(|f| f.name()).collect();
        Err(Error::Usage(format!(
            "this command cannot write {} output: use -o {}",
            self.format.name(),
            names.join(" or -o ")
        )))
    }

    pub fn table(&mut self, table: &Table) -> Result<()> {
        match self.format {
            Format::Table => {
                let text = table.render(self.width, self.terminal, self.colour);
                writeln!(self.out, "{text}")?;
            }
            Format::Json => {
                let all: Vec<Value> = table.objects().collect();
                self.json(&all)?;
            }
            Format::Jsonl => {
                for o in table.objects() {
                    self.json_line(&o)?;
                }
            }
            Format::Csv => {
                let mut w = csv_writer(&mut self.out);
                w.write_record(&table.headers).map_err(csv_error)?;
                for r in &table.rows {
                    w.write_record(r.iter().map(|c| neutralise_formula(c).into_owned()))
                        .map_err(csv_error)?;
                }
                w.flush()?;
            }
        }
        self.flush()
    }

    /// JSON documents as CSV, with the JSON's own names: a column a key (sorted), nested objects
    /// flattened to dotted names (`addressDetail.line`), arrays joined with `,`, null empty.
    pub fn csv_records<T: Serialize>(&mut self, records: &[T]) -> Result<()> {
        let rows: Vec<Vec<(String, String)>> = records
            .iter()
            .map(|r| {
                let mut cells = Vec::new();
                flatten(
                    "",
                    &serde_json::to_value(r).unwrap_or(Value::Null),
                    &mut cells,
                );
                cells
            })
            .collect();
        let mut headers: Vec<String> = rows.iter().flatten().map(|(k, _)| k.clone()).collect();
        headers.sort();
        headers.dedup();
        let mut w = csv_writer(&mut self.out);
        w.write_record(&headers).map_err(csv_error)?;
        for row in &rows {
            let record = headers.iter().map(|h| {
                let cell = row
                    .iter()
                    .find(|(k, _)| k == h)
                    .map_or("", |(_, v)| v.as_str());
                neutralise_formula(cell).into_owned()
            });
            w.write_record(record).map_err(csv_error)?;
        }
        w.flush()?;
        drop(w);
        self.flush()
    }

    pub fn json<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        serde_json::to_writer_pretty(&mut self.out, value)?;
        writeln!(self.out)?;
        self.flush()
    }

    pub fn json_line<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        serde_json::to_writer(&mut self.out, value)?;
        writeln!(self.out)?;
        Ok(())
    }

    pub fn flush(&mut self) -> Result<()> {
        self.out.flush()?;
        Ok(())
    }
}

fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    let name = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match value {
        Value::Object(m) => {
            for (k, v) in m {
                flatten(&name(k), v, out);
            }
        }
        Value::Null => out.push((prefix.to_string(), String::new())),
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
        Value::Array(items) => {
            let joined = items
                .iter()
                .map(|i| match i {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(",");
            out.push((prefix.to_string(), joined));
        }
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

/// A reader that stopped early (`| head`) is not the command's failure:
/// where the command has a verdict of its own (a validation, an integrity
/// check), that verdict still decides the exit code.
pub fn reader_gone_ok(result: Result<()>) -> Result<()> {
    match result {
        Err(Error::BrokenPipe) => Ok(()),
        other => other,
    }
}

fn csv_writer<W: Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().from_writer(w)
}

pub(crate) fn csv_error(e: csv::Error) -> Error {
    let message = e.to_string();
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::from(io),
        _ => Error::Other(format!("CSV error: {message}")),
    }
}

/// A cell a spreadsheet would run as a formula is prefixed with a quote.
pub fn neutralise_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use unicode_width::UnicodeWidthStr;

    fn hostile_audit_table() -> Table {
        let mut t = Table::new(["id", "actor", "action", "reason"]);
        t.row([
            "1".into(),
            format!("\u{1b}]0;owned\u{7}{}\u{202e}", "x".repeat(256)),
            "identity_viewed".into(),
            "checking\tthe\rtrail".into(),
        ]);
        t.row([
            "2".into(),
            "sw.alice".into(),
            "viewed_family".into(),
            "s47 enquiry, case 1234".into(),
        ]);
        t.shorten("actor", 32);
        t
    }

    #[test]
    fn a_long_hostile_cell_neither_widens_the_table_nor_reaches_the_terminal_raw() {
        let t = hostile_audit_table();
        for (width, terminal) in [(80, true), (80, false), (120, false), (40, true)] {
            let text = t.render(width, terminal, false);
            for line in text.lines() {
                assert!(line.width() <= width, "{width}: {line}");
                assert!(!line.chars().any(char::is_control), "{line:?}");
                assert!(!line.chars().any(crate::text::is_invisible), "{line:?}");
            }
            assert!(text.contains('…'), "the actor is shortened:\n{text}");
            assert!(text.contains("sw.alice"), "{text}");
        }
    }

    #[test]
    fn a_row_too_wide_for_the_width_continues_with_its_first_column() {
        let headers: Vec<String> = (0..10).map(|i| format!("column {i}")).collect();
        let mut t = Table::with_headers(headers);
        t.push((0..10).map(|i| format!("value-{i}-wide")).collect());
        let text = t.render(60, false, false);
        assert!(text.lines().all(|l| l.width() <= 60), "{text}");
        assert!(text.matches("value-0-wide").count() > 1, "{text}");
        for i in 0..10 {
            assert!(text.contains(&format!("value-{i}-wide")), "{text}");
        }
    }

    #[test]
    fn colour_only_when_asked_for_and_never_under_no_color() {
        let mut t = Table::new(["status"]);
        t.push_toned(vec![("2 records".into(), Tone::Good)]);
        assert!(!t.render(80, true, false).contains('\u{1b}'));
        assert!(t.render(80, true, true).contains('\u{1b}'));
        assert!(colour_allowed(None));
        assert!(colour_allowed(Some(std::ffi::OsStr::new(""))));
        assert!(!colour_allowed(Some(std::ffi::OsStr::new("1"))));
    }

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(
            neutralise_formula("=HYPERLINK(\"x\")"),
            "'=HYPERLINK(\"x\")"
        );
        assert_eq!(neutralise_formula("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise_formula("plain"), "plain");
    }
}
