//! The export as CSV, for programs that read no workbook: UTF-8 with a byte order mark (so
//! Excel keeps the accents), `;` between cells by default (what Excel in French Canada
//! expects, its decimal separator being the comma), one row per submission.
//!
//! CSV cannot mark a cell as text: a spreadsheet decides what each cell is. An answer that
//! starts like a formula gets a leading `'` so it is never run, and that `'` shows: LibreOffice
//! keeps it as part of the text (checked by `tests/export/`), and Excel documents the
//! apostrophe as a prefix typed into a cell, not as something a file can hide. The consent
//! version (`2026-11-23`) may be read as a date. The workbook (`--format xlsx`) has neither
//! problem.

use std::io::Write;

use super::columns::{Cell, Table};
use crate::clock;

/// Excel's own test for a UTF-8 file.
const BOM: &str = "\u{feff}";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Separator {
    /// `;` — Excel in French (Canada, France), and wherever the decimal separator is `,`.
    Semicolon,
    /// `,` — Excel in English, and most other programs.
    Comma,
}

impl Separator {
    pub fn byte(self) -> u8 {
        match self {
            Separator::Semicolon => b';',
            Separator::Comma => b',',
        }
    }
}

/// A cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab or carriage
/// return first) gets a leading `'`: answers come from the public and are never executed.
pub fn inert(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// Writes `table` as CSV.
pub fn write(out: impl Write, table: &Table, separator: Separator) -> Result<(), csv::Error> {
    let mut out = out;
    out.write_all(BOM.as_bytes())?;
    let mut writer = csv::WriterBuilder::new()
        .delimiter(separator.byte())
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    writer.write_record(table.headers.iter().map(|h| inert(h)))?;
    for row in &table.rows {
        writer.write_record(row.iter().map(|cell| match cell {
            Cell::Empty => String::new(),
            Cell::Text(text) => inert(text),
            Cell::Time(at) => clock::minute(*at),
        }))?;
    }
    writer.flush()?;
    Ok(())
}
