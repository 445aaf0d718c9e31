//! The export read back as a relay team and other programs read it: the workbook through
//! LibreOffice's headless converter in French (Canada) (Debian's `libreoffice-calc-nogui`)
//! and through openpyxl (`tests/export/check_workbook.py`, in tests/.venv); the CSV through
//! LibreOffice's CSV filter in French (Canada). Neither is ever skipped: a missing one fails,
//! saying what to install.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use eclaireurs_function::answer::Value;
use eclaireurs_function::catalog::Catalog;
use eclaireurs_function::export::{self, Format, Separator};
use eclaireurs_function::store::Record;
use eclaireurs_model::{FormDef, Lang};

const SLSJ: &str = "saguenay-lac-saint-jean";
/// SLSJ's first role, whose label holds a comma.
const PROMOTE: &str = "Promouvoir ce qui crée la santé, comment prendre soin de soi et des autres";
const SUPPORT: &str = "Offrir un soutien initial";
const WATCH: &str = "Effectuer de la vigie communautaire";
const MOBILIZE: &str = "Porter des initiatives dans la communauté";
const PHONE: &str = "+1 (418) 555-0199";
const FORMULA: &str = "=HYPERLINK(\"https://example.com/\",\"Cliquez\")";
const RECEIVED: &str = "Reçu le (heure du Québec)";
const CONSENTED: &str = "Consentement donné le (heure du Québec)";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn catalog() -> Catalog {
    Catalog::from_content(&repo().join("content")).expect("catalog")
}

fn record(submitted_at: &str, status: &str, language: &str, values: &[(&str, Value)]) -> Record {
    Record {
        id: format!("id-{submitted_at}"),
        kind: "registration".into(),
        region: SLSJ.into(),
        submitted_at: submitted_at.into(),
        status: status.into(),
        language: language.into(),
        consent_version: "2026-11-23".into(),
        consent_at: submitted_at.into(),
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

fn roles(values: &[&str]) -> Value {
    Value::List(values.iter().map(|v| v.to_string()).collect())
}

/// Two registrations: one on a summer night (UTC) with a phone number and an answer that
/// looks like a formula, one in winter.
fn records() -> Vec<Record> {
    vec![
        record(
            "2026-07-01T03:30:00.000Z",
            "new",
            "fr",
            &[
                ("first_name", Value::Text("Élise".into())),
                ("last_name", Value::Text("Côté-Bérubé".into())),
                ("email", Value::Text("elise@example.ca".into())),
                ("phone", Value::Text(PHONE.into())),
                ("municipality", Value::Text(FORMULA.into())),
                ("territory", Value::Text("Mashteuiatsh".into())),
                ("roles", roles(&["promote", "support"])),
            ],
        ),
        record(
            "2026-12-01T16:40:05.120Z",
            "in-progress",
            "en",
            &[
                ("first_name", Value::Text("Noémie".into())),
                ("last_name", Value::Text("Gagnon".into())),
                ("municipality", Value::Text("Saint-Félicien".into())),
                ("roles", roles(&["watch"])),
            ],
        ),
    ]
}

/// The region's export as staff run it: both forms, in French.
fn exported(format: Format) -> Vec<u8> {
    let catalog = catalog();
    let forms: Vec<&FormDef> = catalog.forms.values().collect();
    export::write(
        format,
        Separator::Semicolon,
        &catalog,
        &forms,
        &records(),
        Lang::Fr,
        Some(SLSJ),
    )
    .expect("export")
}

fn soffice() -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("soffice"))
            .find(|candidate| candidate.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "LibreOffice's soffice is missing: install Debian's libreoffice-calc-nogui \
             (tests/setup-deps does)"
        )
    })
}

fn python() -> PathBuf {
    let python = repo().join("tests/.venv/bin/python");
    assert!(
        python.is_file(),
        "tests/.venv is missing: run tests/setup-deps (it installs openpyxl there)"
    );
    let import = Command::new(&python)
        .args(["-c", "import openpyxl"])
        .output()
        .expect("run tests/.venv/bin/python");
    assert!(
        import.status.success(),
        "openpyxl is missing from tests/.venv: run tests/setup-deps\n{}",
        String::from_utf8_lossy(&import.stderr)
    );
    python
}

/// Converts `input` with LibreOffice into `to` (`xlsx`, or a CSV filter), reading it with the
/// import filter `infilter` if given; returns the file written.
fn convert(input: &Path, to: &str, infilter: Option<&str>) -> PathBuf {
    let dir = input.parent().expect("a folder");
    let out = dir.join("converted");
    // A profile of its own: runs in parallel never share LibreOffice's lock.
    let profile = dir.join("profile");
    let mut command = Command::new(soffice());
    command.arg(format!(
        "-env:UserInstallation=file://{}",
        profile.display()
    ));
    command.arg("--headless");
    if let Some(filter) = infilter {
        command.arg(format!("--infilter={filter}"));
    }
    let output = command
        .args(["--convert-to", to, "--outdir"])
        .arg(&out)
        .arg(input)
        .output()
        .expect("run soffice");
    let extension = to.split(':').next().expect("an extension");
    let written = out
        .join(input.file_stem().expect("a name"))
        .with_extension(extension);
    assert!(
        output.status.success() && written.is_file(),
        "soffice did not convert {} to {to}: {}{}",
        input.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    written
}

/// Runs `tests/export/check_workbook.py` on `workbook` with `expectations`.
fn check_workbook(workbook: &Path, expectations: serde_json::Value) {
    let file = workbook.with_extension("expected.json");
    std::fs::write(&file, expectations.to_string()).expect("write the expectations");
    let output = Command::new(python())
        .arg(repo().join("tests/export/check_workbook.py"))
        .arg(workbook)
        .arg(&file)
        .output()
        .expect("run check_workbook.py");
    assert!(
        output.status.success(),
        "check_workbook.py found problems in {}:\n{}{}",
        workbook.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The cells of a CSV (`,` between cells), by header.
fn csv_rows(bytes: &[u8]) -> Vec<BTreeMap<String, String>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::Reader::from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .expect("headers")
        .iter()
        .map(str::to_string)
        .collect();
    reader
        .records()
        .map(|row| {
            let row = row.expect("row");
            headers
                .iter()
                .cloned()
                .zip(row.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

#[test]
fn openpyxl_reads_text_cells_only_no_formula_no_guard_and_the_codes_in_french() {
    let dir = tempfile::tempdir().expect("temp");
    let workbook = dir.path().join("export.xlsx");
    std::fs::write(&workbook, exported(Format::Xlsx)).expect("write");
    check_workbook(
        &workbook,
        serde_json::json!({
            "strict": true,
            "times": [RECEIVED, CONSENTED],
            "rows": [
                {
                    "Région": {"text": "Saguenay–Lac-Saint-Jean"},
                    "Formulaire": {"text": "Inscription"},
                    "Statut": {"text": "Nouveau"},
                    "Langue du formulaire": {"text": "Français"},
                    RECEIVED: {"time": "2026-06-30 23:30"},
                    "Prénom": {"text": "Élise"},
                    "Nom de famille": {"text": "Côté-Bérubé"},
                    "Téléphone": {"text": PHONE},
                    "Municipalité": {"text": FORMULA},
                    "MRC ou communauté (Inscription)": {"text": "Mashteuiatsh"},
                    PROMOTE: {"text": "Oui"},
                    MOBILIZE: {"empty": true},
                    SUPPORT: {"text": "Oui"},
                    "Version du consentement": {"text": "2026-11-23"},
                },
                {
                    "Statut": {"text": "En cours"},
                    "Langue du formulaire": {"text": "Anglais"},
                    RECEIVED: {"time": "2026-12-01 11:40"},
                    WATCH: {"text": "Oui"},
                    PROMOTE: {"empty": true},
                },
            ],
            "counts": {PROMOTE: 1, MOBILIZE: 0, WATCH: 1, SUPPORT: 1},
        }),
    );
}

#[test]
fn libreoffice_in_french_canada_shows_the_workbook_as_staff_expect() {
    let dir = tempfile::tempdir().expect("temp");
    let workbook = dir.path().join("export.xlsx");
    std::fs::write(&workbook, exported(Format::Xlsx)).expect("write");
    // To CSV as shown on screen (`,` between cells, UTF-8, French (Canada)).
    let csv = convert(
        &workbook,
        "csv:Text - txt - csv (StarCalc):44,34,76,1,,3084,false,true,true",
        None,
    );
    let rows = csv_rows(&std::fs::read(&csv).expect("converted"));
    assert_eq!(rows.len(), 2, "{rows:?}");
    let first = &rows[0];
    let cell = |row: &BTreeMap<String, String>, header: &str| -> String {
        row.get(header)
            .unwrap_or_else(|| panic!("no column {header}: {:?}", row.keys()))
            .clone()
    };
    assert_eq!(cell(first, "Téléphone"), PHONE, "no apostrophe shows");
    assert_eq!(cell(first, "Municipalité"), FORMULA, "the text, never run");
    assert_eq!(
        cell(first, RECEIVED),
        "2026-06-30 23:30",
        "2026-07-01T03:30Z in Quebec's summer time"
    );
    assert_eq!(
        cell(&rows[1], RECEIVED),
        "2026-12-01 11:40",
        "UTC-5 in winter"
    );
    assert_eq!(cell(first, "Version du consentement"), "2026-11-23");
    assert_eq!(
        [
            cell(first, "Formulaire"),
            cell(first, "Statut"),
            cell(first, "Langue du formulaire")
        ],
        ["Inscription", "Nouveau", "Français"]
    );
    assert_eq!(
        cell(first, "Nom de famille"),
        "Côté-Bérubé",
        "accents intact"
    );
    let count = |role: &str| rows.iter().filter(|r| cell(r, role) == "Oui").count();
    assert_eq!(
        [PROMOTE, MOBILIZE, WATCH, SUPPORT].map(count),
        [1, 0, 1, 1],
        "each role counted in its own column, SLSJ's comma included"
    );
}

#[test]
fn libreoffice_reads_the_csvs_guard_as_text_that_shows_and_runs_no_formula() {
    let dir = tempfile::tempdir().expect("temp");
    let csv = dir.path().join("export.csv");
    std::fs::write(&csv, exported(Format::Csv)).expect("write");
    // LibreOffice's CSV filter as a team opens the file: `;`, UTF-8, French (Canada).
    let workbook = convert(&csv, "xlsx", Some("CSV:59,34,76,1,,3084"));
    check_workbook(
        &workbook,
        serde_json::json!({
            "strict": false,
            "rows": [{
                // What the README says: in CSV the guard is needed, and it shows.
                "Téléphone": {"text": format!("'{PHONE}")},
                "Municipalité": {"text": format!("'{FORMULA}")},
                "Nom de famille": {"text": "Côté-Bérubé"},
                "Formulaire": {"text": "Inscription"},
                PROMOTE: {"text": "Oui"},
                RECEIVED: {"time": "2026-06-30 23:30"},
            }],
            "counts": {PROMOTE: 1, WATCH: 1, SUPPORT: 1},
        }),
    );
}
