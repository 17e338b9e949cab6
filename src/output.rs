//! Rendering: table, json, jsonl and csv on stdout. stdout carries data only;
//! messages go to stderr. Nothing is written here before the guard commits.

use std::io::{IsTerminal, Write};

use clap::ValueEnum;
use comfy_table::{presets, ContentArrangement};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{Error, Result};

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

/// Rows with named columns, rendered in any format.
#[derive(Debug, Clone, Default)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new<const N: usize>(headers: [&str; N]) -> Table {
        Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row<const N: usize>(&mut self, cells: [String; N]) {
        self.rows.push(cells.to_vec());
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
}

pub struct Output {
    pub format: Format,
    out: Box<dyn Write>,
    terminal: bool,
}

impl Output {
    pub fn stdout(format: Format) -> Output {
        let stdout = std::io::stdout();
        let terminal = stdout.is_terminal();
        Output {
            format,
            out: Box::new(std::io::BufWriter::new(stdout)),
            terminal,
        }
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
                let mut t = comfy_table::Table::new();
                t.load_style(if self.terminal {
                    presets::UTF8_FULL_CONDENSED
                } else {
                    presets::ASCII_MARKDOWN
                });
                t.set_content_arrangement(if self.terminal {
                    ContentArrangement::Dynamic
                } else {
                    ContentArrangement::Disabled
                });
                t.set_header(&table.headers);
                for r in &table.rows {
                    t.add_row(r);
                }
                writeln!(self.out, "{t}")?;
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
