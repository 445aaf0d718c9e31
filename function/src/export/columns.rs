//! What an export holds, whatever its file: the columns in their documented order, their
//! headers and every row's cells, in the team's language. One column per choice (a role
//! chosen reads "Oui", so roles are counted by filtering a column); the codes stored
//! (`registration`, `new`, `fr`) in words; a field the forms word differently in one
//! column per form; times in Quebec's time, the header saying so.

use eclaireurs_model::{FieldKind, FormDef, Lang};
use time::PrimitiveDateTime;

use crate::answer::Value;
use crate::catalog::Catalog;
use crate::clock;
use crate::store::Record;

/// One cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A moment, already in Quebec's time.
    Time(PrimitiveDateTime),
}

/// The export, ready to be written as CSV or as a workbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The worksheet's name.
    pub sheet: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// One column: how a record fills it.
enum Column<'a> {
    Region,
    Form,
    Id,
    SubmittedAt,
    Status,
    /// An answer; only the records of `form` when the forms word the field differently.
    Answer {
        field: &'a str,
        form: Option<&'a str>,
    },
    /// One choice of a list of choices: "Oui" when the record holds it.
    Choice {
        field: &'a str,
        value: String,
    },
    Language,
    ConsentVersion,
    ConsentAt,
}

/// The fields whose answers are exported: every one a person fills in.
fn is_answer(kind: &FieldKind) -> bool {
    matches!(
        kind,
        FieldKind::Text
            | FieldKind::Email
            | FieldKind::Tel
            | FieldKind::Textarea
            | FieldKind::Choices
            | FieldKind::Territory
    )
}

/// Builds the export of `records` (of the forms `forms`) in `lang`. The choices' headers are
/// `region`'s wording of them, or, without one, that of the records' region when they share
/// one, else the forms' own.
pub fn table(
    catalog: &Catalog,
    forms: &[&FormDef],
    records: &[Record],
    lang: Lang,
    region: Option<&str>,
) -> Table {
    let region = region.or_else(|| {
        let first = records.first()?.region.as_str();
        records.iter().all(|r| r.region == first).then_some(first)
    });
    let words = Words { catalog, lang };
    let mut columns = vec![
        Column::Region,
        Column::Form,
        Column::Id,
        Column::SubmittedAt,
        Column::Status,
    ];
    let mut headers: Vec<String> = ["region", "form", "id", "submitted_at", "status"]
        .iter()
        .map(|key| words.header(key))
        .collect();

    // Each field once, in the order the forms define them (a field the forms share, such as
    // `email`, where it first appears).
    let mut names: Vec<&str> = Vec::new();
    for form in forms {
        for field in form.fields.iter().filter(|f| is_answer(&f.kind)) {
            if !names.contains(&field.name.as_str()) {
                names.push(&field.name);
            }
        }
    }
    for name in names {
        let having: Vec<(&FormDef, &eclaireurs_model::Field)> = forms
            .iter()
            .filter_map(|form| Some((*form, form.fields.iter().find(|f| f.name == name)?)))
            .collect();
        if having.iter().any(|(_, f)| f.kind == FieldKind::Choices) {
            // A region whose éclaireurs hold every role is not asked to choose: no empty
            // column per role, only those a record holds (sent by a script).
            let asked = region.is_none_or(|r| catalog.asks(r, name));
            for value in choice_values(&having, records, name, asked) {
                headers.push(catalog.choice_label(region.unwrap_or(""), name, &value, lang));
                columns.push(Column::Choice { field: name, value });
            }
            continue;
        }
        let labels: Vec<String> = having.iter().map(|(_, field)| words.label(field)).collect();
        if labels.windows(2).all(|pair| pair[0] == pair[1]) {
            headers.push(labels[0].clone());
            columns.push(Column::Answer {
                field: name,
                form: None,
            });
        } else {
            for ((form, _), label) in having.iter().zip(labels) {
                let form_name = words.code("forms", &form.id);
                headers.push(catalog.format(
                    lang,
                    "export.per_form",
                    &[("label", &label), ("form", &form_name)],
                ));
                columns.push(Column::Answer {
                    field: name,
                    form: Some(form.id.as_str()),
                });
            }
        }
    }

    columns.extend([Column::Language, Column::ConsentVersion, Column::ConsentAt]);
    headers.extend(
        ["language", "consent_version", "consent_at"]
            .iter()
            .map(|key| words.header(key)),
    );

    let rows = records
        .iter()
        .map(|record| {
            columns
                .iter()
                .map(|column| cell(&words, column, record))
                .collect()
        })
        .collect();
    Table {
        sheet: words.header("sheet"),
        headers,
        rows,
    }
}

/// The values of a list of choices: the forms' choices in their order (if the form `asked`
/// for them), then any value a record holds that the forms do not list (kept, not dropped).
fn choice_values(
    having: &[(&FormDef, &eclaireurs_model::Field)],
    records: &[Record],
    name: &str,
    asked: bool,
) -> Vec<String> {
    let mut values: Vec<String> = Vec::new();
    for (_, field) in having.iter().filter(|_| asked) {
        for choice in &field.choices {
            if !values.contains(&choice.value) {
                values.push(choice.value.clone());
            }
        }
    }
    for record in records {
        let held: &[String] = match record.values.get(name) {
            Some(Value::List(list)) => list,
            Some(Value::Text(text)) => std::slice::from_ref(text),
            None => &[],
        };
        for value in held {
            if !values.contains(value) {
                values.push(value.clone());
            }
        }
    }
    values
}

fn cell(words: &Words<'_>, column: &Column<'_>, record: &Record) -> Cell {
    let text = |s: String| {
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s)
        }
    };
    let time = |iso: &str| match clock::quebec_iso(iso) {
        Some(at) => Cell::Time(at),
        None => text(iso.to_string()),
    };
    match column {
        Column::Region => text(words.catalog.region_name(&record.region, words.lang)),
        Column::Form => text(words.code("forms", &record.kind)),
        Column::Id => text(record.id.clone()),
        Column::SubmittedAt => time(&record.submitted_at),
        Column::Status => text(words.code("statuses", &record.status)),
        Column::Answer {
            form: Some(form), ..
        } if record.kind != *form => Cell::Empty,
        Column::Answer { field, .. } => match record.values.get(*field) {
            None => Cell::Empty,
            Some(Value::Text(value)) => text(value.clone()),
            // Not a list field in today's forms: each value on its own line, in words.
            Some(Value::List(values)) => text(
                values
                    .iter()
                    .map(|v| {
                        words
                            .catalog
                            .choice_label(&record.region, field, v, words.lang)
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
        },
        Column::Choice { field, value } => {
            let chosen = match record.values.get(*field) {
                Some(Value::List(values)) => values.contains(value),
                Some(Value::Text(held)) => held == value,
                None => false,
            };
            if chosen {
                text(words.header("chosen"))
            } else {
                Cell::Empty
            }
        }
        Column::Language => text(words.code("languages", &record.language)),
        Column::ConsentVersion => text(record.consent_version.clone()),
        Column::ConsentAt => time(&record.consent_at),
    }
}

/// The export's words, from the theme's `export:` strings.
struct Words<'a> {
    catalog: &'a Catalog,
    lang: Lang,
}

impl Words<'_> {
    fn header(&self, key: &str) -> String {
        self.catalog.text(self.lang, &format!("export.{key}"))
    }

    /// A stored code in words (`export.statuses.new` → "Nouveau"); the code itself when the
    /// theme has no words for it, so nothing stored is hidden.
    fn code(&self, group: &str, code: &str) -> String {
        let key = format!("export.{group}.{code}");
        let words = self.catalog.text(self.lang, &key);
        if words == key {
            code.to_string()
        } else {
            words
        }
    }

    /// A field's label as a header: without the "(facultatif)" the form adds for the public.
    fn label(&self, field: &eclaireurs_model::Field) -> String {
        let Some(label) = &field.label else {
            return field.name.clone();
        };
        let label = label.get(self.lang);
        let optional = format!(" ({})", self.header("optional"));
        label
            .strip_suffix(&optional)
            .unwrap_or(label)
            .trim()
            .to_string()
    }
}
