//! The export as a workbook (Office Open XML, what Excel and LibreOffice open): every answer a
//! text cell, so nothing a person typed is ever read as a formula, a number or a date, and no
//! guard character is needed; the times real date cells in Quebec's time, so a team can sort,
//! filter by month and count days, shown as `2026-06-30 23:30`.

use rust_xlsxwriter::{ColNum, ExcelDateTime, Format, RowNum, Workbook, XlsxError};

use super::columns::{Cell, Table};

/// Wide enough to read a name or an address, narrow enough to see several columns.
const MAX_WIDTH: usize = 50;
const MIN_WIDTH: usize = 8;

/// The workbook's bytes.
pub fn write(table: &Table) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(&table.sheet)?;
    // `@`: the cell stays text when someone edits it, too.
    let text = Format::new().set_num_format("@");
    let header = Format::new().set_bold().set_num_format("@");
    let time = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let mut widths: Vec<usize> = table.headers.iter().map(|h| h.chars().count()).collect();
    for (c, title) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(0, col(c)?, title, &header)?;
    }
    for (r, cells) in table.rows.iter().enumerate() {
        let row = RowNum::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, cell) in cells.iter().enumerate() {
            let width = match cell {
                Cell::Empty => 0,
                Cell::Text(value) => {
                    sheet.write_string_with_format(row, col(c)?, value, &text)?;
                    value.lines().map(|l| l.chars().count()).max().unwrap_or(0)
                }
                Cell::Time(at) => {
                    let moment = ExcelDateTime::from_ymd(
                        u16::try_from(at.year())
                            .map_err(|_| XlsxError::DateTimeRangeError(at.year().to_string()))?,
                        u8::from(at.month()),
                        at.day(),
                    )?
                    .and_hms(
                        u16::from(at.hour()),
                        at.minute(),
                        at.second(),
                    )?;
                    sheet.write_datetime_with_format(row, col(c)?, &moment, &time)?;
                    "2026-06-30 23:30".len()
                }
            };
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(width);
            }
        }
    }
    for (c, width) in widths.iter().enumerate() {
        sheet.set_column_width(col(c)?, (*width).clamp(MIN_WIDTH, MAX_WIDTH) as f64 + 2.0)?;
    }
    let last_row =
        RowNum::try_from(table.rows.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
    if let Some(last_col) = table.headers.len().checked_sub(1) {
        sheet.autofilter(0, 0, last_row, col(last_col)?)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    workbook.save_to_buffer()
}

fn col(c: usize) -> Result<ColNum, XlsxError> {
    ColNum::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)
}
