//! Submissions for the relay team's spreadsheet: a workbook by default (`xlsx`, every answer
//! a text cell), or CSV. Both hold the same columns ([`columns`]): one row per submission,
//! the columns in a fixed documented order, headers and codes in the team's language, one
//! column per choice, times in Quebec's time.

pub mod columns;
pub mod csv;
pub mod xlsx;

use eclaireurs_model::{FormDef, Lang};

use crate::catalog::Catalog;
use crate::store::Record;

pub use self::columns::{table, Cell, Table};
pub use self::csv::Separator;

/// The file an export is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A workbook (Excel, LibreOffice): answers as text cells, dates as dates.
    Xlsx,
    /// CSV, UTF-8 with a byte order mark.
    Csv,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write the CSV: {0}")]
    Csv(#[from] ::csv::Error),
    #[error("cannot write the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// The bytes of the export of `records` (of the forms `forms`) in `lang`; `region` words the
/// choices' headers (see [`table`]).
pub fn write(
    format: Format,
    separator: Separator,
    catalog: &Catalog,
    forms: &[&FormDef],
    records: &[Record],
    lang: Lang,
    region: Option<&str>,
) -> Result<Vec<u8>, ExportError> {
    let table = table(catalog, forms, records, lang, region);
    match format {
        Format::Xlsx => Ok(xlsx::write(&table)?),
        Format::Csv => {
            let mut out = Vec::new();
            csv::write(&mut out, &table, separator)?;
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::Value;
    use std::collections::BTreeMap;

    fn catalog() -> Catalog {
        let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
        Catalog::from_content(&content).expect("catalog")
    }

    fn record(kind: &str, region: &str, values: &[(&str, Value)]) -> Record {
        Record {
            id: "0193a1b2".into(),
            kind: kind.into(),
            region: region.into(),
            submitted_at: "2026-07-01T03:30:00.000Z".into(),
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

    fn registration(values: &[(&str, Value)]) -> Record {
        record("registration", "bas-saint-laurent", values)
    }

    fn both(catalog: &Catalog) -> Vec<&FormDef> {
        catalog.forms.values().collect()
    }

    fn only(catalog: &Catalog, kind: &str) -> Vec<FormDef> {
        vec![catalog.form(kind).expect("form").clone()]
    }

    /// The cell of `header` in the first row.
    fn cell<'t>(table: &'t Table, header: &str) -> &'t Cell {
        let at = table
            .headers
            .iter()
            .position(|h| h == header)
            .unwrap_or_else(|| panic!("no column {header}: {:?}", table.headers));
        &table.rows[0][at]
    }

    fn text(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    fn csv_text(table: &Table, separator: Separator) -> String {
        let mut out = Vec::new();
        csv::write(&mut out, table, separator).expect("csv");
        assert_eq!(&out[..3], b"\xEF\xBB\xBF", "UTF-8 byte order mark first");
        String::from_utf8(out[3..].to_vec()).expect("UTF-8")
    }

    #[test]
    fn each_role_has_its_own_column_headed_by_the_regions_words_so_roles_are_counted() {
        let catalog = catalog();
        let forms = only(&catalog, "registration");
        let forms: Vec<&FormDef> = forms.iter().collect();
        let chosen = |roles: &[&str]| {
            record(
                "registration",
                "saguenay-lac-saint-jean",
                &[(
                    "roles",
                    Value::List(roles.iter().map(|r| r.to_string()).collect()),
                )],
            )
        };
        let records = [chosen(&["promote", "support"]), chosen(&["watch"])];
        let table = table(&catalog, &forms, &records, Lang::Fr, None);
        let promote = "Promouvoir ce qui crée la santé, comment prendre soin de soi et des autres";
        let roles = [
            promote,
            "Porter des initiatives dans la communauté",
            "Effectuer de la vigie communautaire",
            "Offrir un soutien initial",
        ];
        for role in roles {
            assert_eq!(
                table.headers.iter().filter(|h| *h == role).count(),
                1,
                "one column for {role}: {:?}",
                table.headers
            );
        }
        let column = |role: &str| table.headers.iter().position(|h| h == role).expect("role");
        let count = |role: &str| {
            table
                .rows
                .iter()
                .filter(|row| row[column(role)] == text("Oui"))
                .count()
        };
        assert_eq!(
            roles.map(count),
            [1, 0, 1, 1],
            "a role label with a comma in it still counts as one role"
        );
        assert_eq!(table.rows[0][column(roles[1])], Cell::Empty);
        // And through the CSV: the label's comma stays inside its header cell.
        let csv = csv_text(&table, Separator::Comma);
        let mut reader = ::csv::Reader::from_reader(csv.as_bytes());
        let headers = reader.headers().expect("headers").clone();
        assert!(headers.iter().any(|h| h == promote), "{headers:?}");
    }

    #[test]
    fn a_region_whose_eclaireurs_hold_every_role_gets_no_empty_role_columns() {
        let catalog = catalog();
        let forms = only(&catalog, "registration");
        let forms: Vec<&FormDef> = forms.iter().collect();
        let records = [registration(&[("first_name", Value::Text("Julie".into()))])];
        let held = table(
            &catalog,
            &forms,
            &records,
            Lang::Fr,
            Some("bas-saint-laurent"),
        );
        let chosen = table(
            &catalog,
            &forms,
            &records,
            Lang::Fr,
            Some("saguenay-lac-saint-jean"),
        );
        assert_eq!(
            chosen.headers.len() - held.headers.len(),
            4,
            "the four role columns only where roles are chosen: {:?}",
            held.headers
        );
    }

    #[test]
    fn codes_are_written_in_the_exports_language() {
        let catalog = catalog();
        let mut done = record(
            "need-report",
            "bas-saint-laurent",
            &[("description", Value::Text("Pas de transport".into()))],
        );
        done.status = "done".into();
        done.language = "en".into();
        let mut progress = registration(&[]);
        progress.status = "in-progress".into();
        let records = [registration(&[]), done, progress];
        let fr = table(&catalog, &both(&catalog), &records, Lang::Fr, None);
        let column = |t: &Table, h: &str| t.headers.iter().position(|x| x == h).expect(h);
        let read = |t: &Table, h: &str| -> Vec<Cell> {
            t.rows.iter().map(|row| row[column(t, h)].clone()).collect()
        };
        assert_eq!(
            read(&fr, "Formulaire"),
            [
                text("Inscription"),
                text("Signalement"),
                text("Inscription")
            ]
        );
        assert_eq!(
            read(&fr, "Statut"),
            [text("Nouveau"), text("Traité"), text("En cours")]
        );
        assert_eq!(
            read(&fr, "Langue du formulaire"),
            [text("Français"), text("Anglais"), text("Français")]
        );
        let en = table(&catalog, &both(&catalog), &records, Lang::En, None);
        assert_eq!(
            read(&en, "Form"),
            [
                text("Registration"),
                text("Need report"),
                text("Registration")
            ]
        );
        assert_eq!(
            read(&en, "Status"),
            [text("New"), text("Done"), text("In progress")]
        );
        assert_eq!(
            read(&en, "Language of the form"),
            [text("French"), text("English"), text("French")]
        );
        let mut odd = registration(&[]);
        odd.status = "archived".into();
        let kept = table(&catalog, &both(&catalog), &[odd], Lang::Fr, None);
        assert_eq!(
            cell(&kept, "Statut"),
            &text("archived"),
            "a code without words is shown as stored"
        );
    }

    #[test]
    fn times_are_in_quebecs_time_and_the_headers_say_so() {
        let catalog = catalog();
        let forms = only(&catalog, "registration");
        let forms: Vec<&FormDef> = forms.iter().collect();
        let table = table(&catalog, &forms, &[registration(&[])], Lang::Fr, None);
        let csv = csv_text(&table, Separator::Semicolon);
        let header = csv.lines().next().expect("header");
        assert!(
            header.starts_with("Région;Formulaire;Identifiant;Reçu le (heure du Québec);Statut;"),
            "{header}"
        );
        assert!(
            header.ends_with(
                ";Langue du formulaire;Version du consentement;Consentement donné le (heure du Québec)"
            ),
            "{header}"
        );
        let row = csv.lines().nth(1).expect("row");
        assert!(
            row.starts_with("Bas-Saint-Laurent;Inscription;0193a1b2;2026-06-30 23:30;Nouveau;"),
            "received at 2026-07-01T03:30Z, in summer (UTC-4): {row}"
        );
        assert!(
            row.ends_with(";Français;2026-11-23;2026-12-01 11:40"),
            "consent given in winter (UTC-5): {row}"
        );
        let en = super::table(&catalog, &forms, &[registration(&[])], Lang::En, None);
        assert_eq!(en.headers[3], "Received (Quebec time)");
    }

    #[test]
    fn the_consent_version_is_text_not_a_date() {
        let catalog = catalog();
        let table = table(
            &catalog,
            &both(&catalog),
            &[registration(&[])],
            Lang::Fr,
            None,
        );
        assert_eq!(cell(&table, "Version du consentement"), &text("2026-11-23"));
        assert!(matches!(
            cell(&table, "Reçu le (heure du Québec)"),
            Cell::Time(_)
        ));
    }

    #[test]
    fn a_field_the_forms_word_differently_gets_one_column_per_form() {
        let catalog = catalog();
        let report = record(
            "need-report",
            "bas-saint-laurent",
            &[("territory", Value::Text("Témiscouata".into()))],
        );
        let registration = registration(&[
            ("territory", Value::Text("Kamouraska".into())),
            ("phone", Value::Text("418 555-0123".into())),
        ]);
        let table = table(
            &catalog,
            &both(&catalog),
            &[report, registration],
            Lang::Fr,
            None,
        );
        let of = |h: &str| table.headers.iter().position(|x| x == h).expect(h);
        let (concerned, own) = (
            of("MRC ou communauté concernée (Signalement)"),
            of("MRC ou communauté (Inscription)"),
        );
        assert_eq!(
            [&table.rows[0][concerned], &table.rows[0][own]],
            [&text("Témiscouata"), &Cell::Empty]
        );
        assert_eq!(
            [&table.rows[1][concerned], &table.rows[1][own]],
            [&Cell::Empty, &text("Kamouraska")]
        );
        assert_eq!(
            table
                .headers
                .iter()
                .filter(|h| h.starts_with("Téléphone"))
                .count(),
            1,
            "\"Téléphone\" and \"Téléphone (facultatif)\" are one field: {:?}",
            table.headers
        );
        assert_eq!(table.rows[1][of("Téléphone")], text("418 555-0123"));
        assert_eq!(table.headers.iter().filter(|h| *h == "Courriel").count(), 1);
        let one = only(&catalog, "registration");
        let alone = super::table(&catalog, &[&one[0]], &[], Lang::Fr, None);
        assert!(
            alone.headers.iter().any(|h| h == "MRC ou communauté"),
            "one form: its own label, no form named: {:?}",
            alone.headers
        );
    }

    #[test]
    fn the_columns_follow_the_form_definition() {
        let catalog = catalog();
        let forms = only(&catalog, "need-report");
        let table = table(&catalog, &[&forms[0]], &[], Lang::Fr, None);
        assert_eq!(
            table.headers[5..table.headers.len() - 3],
            [
                "MRC ou communauté concernée",
                "Description du besoin",
                "Votre nom",
                "Courriel",
                "Téléphone"
            ]
        );
    }

    #[test]
    fn accents_separators_quotes_and_line_breaks_stay_in_their_cell() {
        let tricky = "Élise; \"citée\", fin\r\nLigne 2 — Rivière-du-Loup";
        let catalog = catalog();
        let forms = only(&catalog, "registration");
        let records = [registration(&[(
            "municipality",
            Value::Text(tricky.into()),
        )])];
        let table = table(&catalog, &[&forms[0]], &records, Lang::Fr, None);
        for separator in [Separator::Semicolon, Separator::Comma] {
            let csv = csv_text(&table, separator);
            let mut reader = ::csv::ReaderBuilder::new()
                .delimiter(separator.byte())
                .from_reader(csv.as_bytes());
            let headers = reader.headers().expect("headers").clone();
            let column = headers
                .iter()
                .position(|h| h == "Municipalité")
                .expect("municipality column");
            let rows: Vec<::csv::StringRecord> =
                reader.records().map(|r| r.expect("row")).collect();
            assert_eq!(rows.len(), 1, "one row per submission");
            assert_eq!(&rows[0][column], tricky);
            assert_eq!(rows[0].len(), headers.len());
        }
    }

    #[test]
    fn in_csv_an_answer_that_looks_like_a_formula_is_not_run_by_the_spreadsheet() {
        let catalog = catalog();
        let forms = only(&catalog, "registration");
        let records = [registration(&[
            ("municipality", Value::Text("=HYPERLINK(\"x\")".into())),
            ("phone", Value::Text("+1 (418) 555-0199".into())),
        ])];
        let table = table(&catalog, &[&forms[0]], &records, Lang::Fr, None);
        assert_eq!(
            cell(&table, "Téléphone"),
            &text("+1 (418) 555-0199"),
            "the answer itself, as the workbook writes it"
        );
        let csv = csv_text(&table, Separator::Comma);
        assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{csv}");
        assert!(csv.contains(",'+1 (418) 555-0199,"), "{csv}");
    }
}
