//! Submissions as CSV for the relay team's spreadsheet: UTF-8 with a byte order mark (so
//! Excel keeps the accents), `;` between cells by default (what Excel in French Canada
//! expects, its decimal separator being the comma), one row per submission, the columns in a
//! fixed documented order with headers in the team's language, several choices in one cell.

use std::io::Write;

use eclaireurs_model::{FieldKind, FormDef, Lang};

use crate::answer::Value;
use crate::catalog::Catalog;
use crate::store::Record;

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
    fn byte(self) -> u8 {
        match self {
            Separator::Semicolon => b';',
            Separator::Comma => b',',
        }
    }
}

/// One column: its header and how a record fills it.
enum Column<'a> {
    Region,
    Form,
    Id,
    SubmittedAt,
    Status,
    Field(&'a eclaireurs_model::Field),
    Language,
    ConsentVersion,
    ConsentAt,
}

/// The columns, in their documented order: region, form, id, received, status; then the
/// answers in the order of the forms' definitions (a field the forms share, such as
/// `email`, once); then the form's language and the consent.
fn columns<'a>(forms: &[&'a FormDef]) -> Vec<Column<'a>> {
    let mut columns = vec![
        Column::Region,
        Column::Form,
        Column::Id,
        Column::SubmittedAt,
        Column::Status,
    ];
    let mut seen = Vec::new();
    for form in forms {
        for field in &form.fields {
            let answer = matches!(
                field.kind,
                FieldKind::Text
                    | FieldKind::Email
                    | FieldKind::Tel
                    | FieldKind::Textarea
                    | FieldKind::Choices
                    | FieldKind::Territory
            );
            if answer && !seen.contains(&field.name.as_str()) {
                seen.push(field.name.as_str());
                columns.push(Column::Field(field));
            }
        }
    }
    columns.extend([Column::Language, Column::ConsentVersion, Column::ConsentAt]);
    columns
}

/// `2026-12-01T16:40:05.120Z` → `2026-12-01 16:40:05`, which Excel reads as a date and time.
fn spreadsheet_time(iso: &str) -> String {
    iso.get(..19).unwrap_or(iso).replacen('T', " ", 1)
}

/// A cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab or carriage
/// return first) gets a leading `'`: answers come from the public and are never executed.
fn inert(text: String) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text,
    }
}

/// Writes `records` (of the forms `forms`) as CSV.
pub fn write_csv(
    out: impl Write,
    catalog: &Catalog,
    forms: &[&FormDef],
    records: &[Record],
    lang: Lang,
    separator: Separator,
) -> std::io::Result<()> {
    let mut out = out;
    out.write_all(BOM.as_bytes())?;
    let mut writer = csv::WriterBuilder::new()
        .delimiter(separator.byte())
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    let columns = columns(forms);
    let header = |key: &str| catalog.text(lang, &format!("export.{key}"));
    let headers: Vec<String> = columns
        .iter()
        .map(|column| match column {
            Column::Region => header("region"),
            Column::Form => header("form"),
            Column::Id => header("id"),
            Column::SubmittedAt => header("submitted_at"),
            Column::Status => header("status"),
            Column::Field(field) => field
                .label
                .as_ref()
                .map_or_else(|| field.name.clone(), |label| label.get(lang).clone()),
            Column::Language => header("language"),
            Column::ConsentVersion => header("consent_version"),
            Column::ConsentAt => header("consent_at"),
        })
        .collect();
    writer.write_record(&headers)?;
    for record in records {
        let row: Vec<String> = columns
            .iter()
            .map(|column| match column {
                Column::Region => catalog.region_name(&record.region, lang),
                Column::Form => record.kind.clone(),
                Column::Id => record.id.clone(),
                Column::SubmittedAt => spreadsheet_time(&record.submitted_at),
                Column::Status => record.status.clone(),
                Column::Field(field) => match record.values.get(&field.name) {
                    None => String::new(),
                    Some(Value::Text(text)) => text.clone(),
                    Some(Value::List(values)) => values
                        .iter()
                        .map(|v| catalog.choice_label(&record.region, &field.name, v, lang))
                        .collect::<Vec<_>>()
                        .join(", "),
                },
                Column::Language => record.language.clone(),
                Column::ConsentVersion => record.consent_version.clone(),
                Column::ConsentAt => spreadsheet_time(&record.consent_at),
            })
            .map(inert)
            .collect();
        writer.write_record(&row)?;
    }
    writer.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn catalog() -> Catalog {
        let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
        Catalog::from_content(&content).expect("catalog")
    }

    fn registration(values: &[(&str, Value)]) -> Record {
        Record {
            id: "0193a1b2".into(),
            kind: "registration".into(),
            region: "bas-saint-laurent".into(),
            submitted_at: "2026-12-01T16:40:05.120Z".into(),
            status: "new".into(),
            language: "fr".into(),
            consent_version: "2026-11-23".into(),
            consent_at: "2026-12-01T16:40:05.120Z".into(),
            expires_at: None,
            idempotency_key: "k".into(),
            answers_hash: None,
            email_hash: None,
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    fn export(records: &[Record], separator: Separator) -> Vec<u8> {
        let catalog = catalog();
        let form = catalog.form("registration").expect("form").clone();
        let mut out = Vec::new();
        write_csv(&mut out, &catalog, &[&form], records, Lang::Fr, separator).expect("csv");
        out
    }

    #[test]
    fn excel_in_french_gets_a_bom_semicolons_french_headers_and_intact_accents() {
        let bytes = export(
            &[registration(&[
                ("first_name", Value::Text("Élise".into())),
                ("municipality", Value::Text("Rivière-du-Loup".into())),
            ])],
            Separator::Semicolon,
        );
        assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 byte order mark first");
        let text = String::from_utf8(bytes[3..].to_vec()).expect("UTF-8");
        let mut lines = text.split("\r\n");
        let header = lines.next().expect("header");
        assert!(
            header.starts_with("Région;Formulaire;Identifiant;Reçu le (UTC);Statut;"),
            "{header}"
        );
        assert!(
            header.ends_with(
                ";Langue du formulaire;Version du consentement;Consentement donné le (UTC)"
            ),
            "{header}"
        );
        let row = lines.next().expect("row");
        assert!(
            row.starts_with("Bas-Saint-Laurent;registration;0193a1b2;2026-12-01 16:40:05;new;"),
            "{row}"
        );
        assert!(
            row.contains(";Élise;") && row.contains(";Rivière-du-Loup;"),
            "{row}"
        );
    }

    #[test]
    fn the_columns_follow_the_form_definition() {
        let catalog = catalog();
        let form = catalog.form("registration").expect("form");
        let bytes = export(&[], Separator::Semicolon);
        let text = String::from_utf8(bytes[3..].to_vec()).expect("UTF-8");
        let expected: Vec<String> = form
            .fields
            .iter()
            .filter(|f| {
                !matches!(
                    f.kind,
                    FieldKind::Region
                        | FieldKind::Language
                        | FieldKind::Consent
                        | FieldKind::Honeypot
                )
            })
            .map(|f| f.label.as_ref().expect("label").fr.clone())
            .collect();
        let header: Vec<&str> = text.trim_end().split(';').collect();
        assert_eq!(
            header[5..header.len() - 3],
            expected.iter().map(String::as_str).collect::<Vec<_>>()[..]
        );
    }

    #[test]
    fn several_choices_share_one_cell_in_the_regions_words() {
        let bytes = export(
            &[registration(&[(
                "roles",
                Value::List(vec!["promote".into(), "watch".into()]),
            )])],
            Separator::Semicolon,
        );
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains(";\"Promouvoir, Reconnaître\";")
                || text.contains(";Promouvoir, Reconnaître;"),
            "{text}"
        );
    }

    #[test]
    fn separators_quotes_and_line_breaks_inside_answers_stay_in_their_cell() {
        let tricky = "Ligne 1; \"citée\", fin\r\nLigne 2";
        for separator in [Separator::Semicolon, Separator::Comma] {
            let bytes = export(
                &[registration(&[(
                    "municipality",
                    Value::Text(tricky.into()),
                )])],
                separator,
            );
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(separator.byte())
                .from_reader(&bytes[3..]);
            let headers = reader.headers().expect("headers").clone();
            let column = headers
                .iter()
                .position(|h| h == "Municipalité")
                .expect("municipality column");
            let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
            assert_eq!(rows.len(), 1, "one row per submission");
            assert_eq!(&rows[0][column], tricky);
            assert_eq!(rows[0].len(), headers.len());
        }
        let raw = String::from_utf8(
            export(
                &[registration(&[(
                    "municipality",
                    Value::Text(tricky.into()),
                )])],
                Separator::Semicolon,
            )[3..]
                .to_vec(),
        )
        .expect("utf-8");
        assert!(
            raw.contains("\"Ligne 1; \"\"citée\"\", fin\r\nLigne 2\""),
            "{raw}"
        );
    }

    #[test]
    fn an_answer_that_looks_like_a_formula_is_not_run_by_the_spreadsheet() {
        let bytes = export(
            &[registration(&[(
                "municipality",
                Value::Text("=HYPERLINK(\"x\")".into()),
            )])],
            Separator::Comma,
        );
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{text}");
    }
}
