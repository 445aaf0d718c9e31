//! The rows as people read them: an aligned table (one line per item), CSV for a
//! spreadsheet, or JSON; and the one-line summary.

use super::event::{distinct, Row};
use super::Found;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
}

pub fn write(rows: &[Row], format: Format) -> Result<Vec<u8>, std::io::Error> {
    match format {
        Format::Table => Ok(table(rows).into_bytes()),
        Format::Csv => csv(rows),
        Format::Json => {
            let mut json = serde_json::to_vec_pretty(rows)?;
            json.push(b'\n');
            Ok(json)
        }
    }
}

/// The principal without `arn:aws:sts::<account>:` (same account for every row):
/// `assumed-role/<role>/<session>`, `user/<name>`.
fn short_principal(arn: &str) -> &str {
    match arn.strip_prefix("arn:") {
        Some(rest) => rest.splitn(5, ':').nth(4).unwrap_or(arn),
        None => arn,
    }
}

const HEADERS: [&str; 9] = [
    "TIME (UTC)",
    "PRINCIPAL",
    "TYPE",
    "SOURCE IP",
    "AGENT",
    "ACTION",
    "ACCESS",
    "OUTCOME",
    "ITEMS",
];

/// One line per request, and one more per further item of a batch; columns padded to
/// their widest cell, the last one (items) left free. Nothing at all without rows: the summary says so.
pub fn table(rows: &[Row]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut lines: Vec<[String; 9]> = vec![HEADERS.map(str::to_string)];
    for row in rows {
        let mut items = row.items.iter();
        lines.push([
            row.time.clone(),
            short_principal(&row.principal).to_string(),
            row.principal_type.clone(),
            row.source_ip.clone(),
            row.user_agent.clone(),
            row.action.clone(),
            row.access.as_str().to_string(),
            row.outcome.clone(),
            items.next().cloned().unwrap_or_default(),
        ]);
        for item in items {
            let mut more: [String; 9] = Default::default();
            more[8] = item.clone();
            lines.push(more);
        }
    }
    let mut widths = [0usize; 9];
    for line in &lines {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for line in &lines {
        let mut text = String::new();
        for (n, cell) in line.iter().enumerate() {
            if n + 1 == line.len() {
                text.push_str(cell);
            } else {
                text.push_str(cell);
                let pad = widths[n] - cell.chars().count() + 2;
                text.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    }
    out
}

pub const CSV_HEADERS: [&str; 12] = [
    "time",
    "principal",
    "principal_type",
    "role",
    "session",
    "source_ip",
    "user_agent",
    "action",
    "access",
    "items",
    "outcome",
    "event_id",
];

/// One record per request; a batch's items in one cell, separated by ` | `.
pub fn csv(rows: &[Row]) -> Result<Vec<u8>, std::io::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(CSV_HEADERS)?;
    for row in rows {
        writer.write_record([
            row.time.as_str(),
            &row.principal,
            &row.principal_type,
            row.role.as_deref().unwrap_or_default(),
            row.session.as_deref().unwrap_or_default(),
            &row.source_ip,
            &row.user_agent,
            &row.action,
            row.access.as_str(),
            &row.items.join(" | "),
            &row.outcome,
            &row.event_id,
        ])?;
    }
    writer
        .into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))
}

/// `N event(s), M principal(s), K item(s) named by key; F log file(s) read from …`, or what
/// it means that there was no log file to read.
pub fn summary(found: &Found, table: &str, window: &str) -> String {
    let Some(folder) = &found.folder else {
        return format!(
            "No trail log in the bucket at all (no AWSLogs/<account>/ folder): the trail has \
             not delivered any file yet, or this is not the audit bucket. 0 events on {table} \
             {window}."
        );
    };
    if found.files == 0 {
        return format!(
            "No log file {window} in {folder}: the trail was not recording yet, or the files \
             have expired (AuditRetentionDays). 0 events on {table}."
        );
    }
    let (principals, items) = distinct(&found.rows);
    format!(
        "{} event(s) on {table} {window}, {principals} principal(s), {items} item(s) named by \
         key; {} log file(s) read from {folder}.",
        found.rows.len(),
        found.files
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::event::{rows, Filter};
    use time::macros::date;

    fn fixture_rows() -> Vec<Row> {
        let filter = Filter {
            table: "eclaireurs-submissions".into(),
            from: date!(2026 - 11 - 02),
            to: date!(2026 - 11 - 03),
            principal: Some("coordinator".into()),
        };
        rows(include_bytes!("testdata/records.json"), &filter).expect("fixture")
    }

    #[test]
    fn the_table_shows_one_line_per_item_under_aligned_headers() {
        let text = table(&fixture_rows());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(
            lines[0].starts_with("TIME (UTC)            PRINCIPAL"),
            "{text}"
        );
        assert!(lines[1].starts_with(
            "2026-11-03T15:45:00Z  assumed-role/eclaireurs-CoordinatorRole/luc.bouchard  AssumedRole"
        ), "{text}");
        assert!(lines[1].ends_with("write   ok       bas-saint-laurent / registration#2026-10-30T10:00:00Z#0192ff (Update)"), "{text}");
        assert_eq!(
            lines[2].trim(),
            "bas-saint-laurent / registration#2026-10-29T10:00:00Z#0192fe (Delete)"
        );
        let items_column = lines[0].find("ITEMS").expect("items header");
        assert_eq!(lines[2].find("bas-saint-laurent"), Some(items_column));
    }

    #[test]
    fn the_csv_has_one_record_per_request_with_its_role_and_session() {
        let bytes = csv(&fixture_rows()).expect("csv");
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        assert_eq!(
            reader
                .headers()
                .expect("headers")
                .iter()
                .collect::<Vec<_>>(),
            CSV_HEADERS
        );
        let records: Vec<csv::StringRecord> =
            reader.records().map(|r| r.expect("record")).collect();
        assert_eq!(records.len(), 2);
        assert_eq!(&records[0][4], "luc.bouchard");
        assert_eq!(
            &records[0][9],
            "bas-saint-laurent / registration#2026-10-30T10:00:00Z#0192ff (Update) | bas-saint-laurent / registration#2026-10-29T10:00:00Z#0192fe (Delete)"
        );
        assert_eq!(&records[1][7], "BatchGetItem");
    }

    #[test]
    fn an_empty_window_is_said_plainly() {
        let found = Found {
            rows: Vec::new(),
            files: 0,
            folder: Some("s3://b/AWSLogs/1/CloudTrail/ca-central-1/".into()),
        };
        assert!(summary(&found, "t", "from 2026-01-01 to 2026-01-02")
            .starts_with("No log file from 2026-01-01 to 2026-01-02 in s3://b/"));
    }
}
