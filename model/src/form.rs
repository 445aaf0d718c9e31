//! Form definitions (`forms/<id>.yaml`): the one description of each form's fields, read by
//! the generator to render the form and by the function to validate submissions.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Location, Problem, ProblemKind};
use crate::lang::Localized;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormDef {
    /// The file name without `.yaml`, e.g. `registration` (not a key of the file, nor of the
    /// catalog, which keys forms by id).
    #[serde(skip)]
    pub id: String,
    /// The API path the form posts to, under the site's `api_url` (e.g. `registrations`).
    pub endpoint: String,
    /// The key of the region page (file name without `.md`) shown after a successful post.
    pub thanks_page: String,
    /// Changes whenever the consent text changes; stored with each consent.
    pub consent_version: String,
    pub submit: Localized,
    /// Fieldsets: each has an id that fields name in `group`, and a legend.
    #[serde(default)]
    pub groups: Vec<Group>,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub id: String,
    pub legend: Localized,
    #[serde(default)]
    pub hint: Option<Localized>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// The name sent to the API. Names are a fixed interface: add fields, rename none.
    pub name: String,
    #[serde(rename = "type")]
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub label: Option<Localized>,
    #[serde(default)]
    pub hint: Option<Localized>,
    /// Why the field is collected, in plain words, for the privacy inventory (`eclaireurs
    /// privacy-inventory`) that the privacy impact assessment starts from. Every field needs
    /// one (`check`); a field nobody can say why it is asked for should not be asked. Not
    /// sent to the function: the catalog carries only what validation needs.
    #[serde(default, skip_serializing)]
    pub purpose: Option<Localized>,
    #[serde(default)]
    pub min_length: Option<u32>,
    #[serde(default)]
    pub max_length: Option<u32>,
    /// The HTML `autocomplete` token, e.g. `given-name`, `email`.
    #[serde(default)]
    pub autocomplete: Option<String>,
    /// The allowed values of a `choices` field, each with its labels.
    #[serde(default)]
    pub choices: Vec<Choice>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub value: String,
    pub label: Localized,
    #[serde(default)]
    pub hint: Option<Localized>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// One line of text.
    Text,
    Email,
    Tel,
    /// Several lines of text.
    Textarea,
    /// One or more of the listed `choices` (checkboxes).
    Choices,
    /// One of the region's territories (a list to pick from).
    Territory,
    /// The consent checkbox; must be checked.
    Consent,
    /// The region, set by the page (hidden).
    Region,
    /// The language of the page, `fr` or `en` (hidden).
    Language,
    /// A trap for bots: hidden from people and assistive technology, must stay empty.
    Honeypot,
}

impl FieldKind {
    /// Free text whose length is limited.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            FieldKind::Text | FieldKind::Email | FieldKind::Tel | FieldKind::Textarea
        )
    }

    /// Shown to people, so it needs a label in both languages.
    pub fn is_visible(self) -> bool {
        !matches!(
            self,
            FieldKind::Region | FieldKind::Language | FieldKind::Honeypot
        )
    }
}

impl FormDef {
    pub fn load(path: &Path) -> Result<FormDef, Problem> {
        let mut form: FormDef = crate::yaml::read(path)?;
        form.id = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        form.rules().map_err(|msg| Problem::invalid(path, msg))?;
        form.purposes(path)?;
        Ok(form)
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Every field says why it is collected, located at the field's line. Checked on the
    /// definitions only: the catalog the function reads does not carry the purposes.
    fn purposes(&self, path: &Path) -> Result<(), Problem> {
        let Some((i, field)) = self
            .fields
            .iter()
            .enumerate()
            .find(|(_, f)| f.purpose.is_none())
        else {
            return Ok(());
        };
        let message = format!(
            "field {} (`{}`): add a `purpose` with `fr` and `en`: why this is collected, in \
             plain words (the privacy inventory lists it)",
            i + 1,
            field.name
        );
        let at = std::fs::read_to_string(path)
            .ok()
            .and_then(|text| field_line(&text, &field.name))
            .map_or_else(|| Location::file(path), |line| Location::at(path, line, 1));
        Err(Problem::new(at, ProblemKind::Invalid(message)))
    }

    /// Rules that keep a definition usable by both the page and the function (checked again
    /// on a catalog the function reads, see [`crate::catalog::Catalog::check`]): what is
    /// wrong, in words for whoever edits the form.
    pub fn rules(&self) -> Result<(), String> {
        let fail = |msg: String| Err(msg);
        let mut names = HashSet::new();
        for (i, field) in self.fields.iter().enumerate() {
            let which = format!("field {} (`{}`)", i + 1, field.name);
            if !valid_name(&field.name) {
                return fail(format!(
                    "{which}: a field name may only contain lowercase letters, digits and `_`"
                ));
            }
            if !names.insert(field.name.as_str()) {
                return fail(format!(
                    "{which}: this name is used by an earlier field too"
                ));
            }
            if field.kind.is_visible() && field.label.is_none() {
                return fail(format!("{which}: add a `label` with `fr` and `en`"));
            }
            if field.kind.is_text() && field.max_length.is_none() {
                return fail(format!(
                    "{which}: add a `max_length` so the page and the function limit it alike"
                ));
            }
            if let (Some(min), Some(max)) = (field.min_length, field.max_length) {
                if min > max {
                    return fail(format!("{which}: `min_length` is larger than `max_length`"));
                }
            }
            if (field.min_length.is_some() || field.max_length.is_some()) && !field.kind.is_text() {
                return fail(format!("{which}: only text fields take a length limit"));
            }
            match (field.kind, field.choices.is_empty()) {
                (FieldKind::Choices, true) => {
                    return fail(format!("{which}: list its `choices`"));
                }
                (kind, false) if kind != FieldKind::Choices => {
                    return fail(format!("{which}: only a `choices` field takes `choices`"));
                }
                _ => {}
            }
            let mut values = HashSet::new();
            for choice in &field.choices {
                if !values.insert(choice.value.as_str()) {
                    return fail(format!(
                        "{which}: the choice `{}` is listed twice",
                        choice.value
                    ));
                }
            }
            if let Some(group) = &field.group {
                if !self.groups.iter().any(|g| &g.id == group) {
                    return fail(format!(
                        "{which}: the group `{group}` is not among the `groups` of this form"
                    ));
                }
            }
        }
        for kind in [
            FieldKind::Region,
            FieldKind::Language,
            FieldKind::Consent,
            FieldKind::Honeypot,
        ] {
            let count = self.fields.iter().filter(|f| f.kind == kind).count();
            if count != 1 {
                let kind_name = serde_yaml::to_string(&kind).unwrap_or_default();
                return fail(format!(
                    "a form needs exactly one field of type `{}` (found {count})",
                    kind_name.trim()
                ));
            }
        }
        Ok(())
    }
}

/// The line (1-based) of the field called `name` in a definition's text: the first line
/// after `fields:` that gives it as `name:` (block or flow style).
fn field_line(text: &str, name: &str) -> Option<usize> {
    let start = text.lines().position(|l| l.trim_end() == "fields:")?;
    text.lines()
        .enumerate()
        .skip(start + 1)
        .find(|(_, line)| {
            let line = line
                .trim_start()
                .trim_start_matches("- ")
                .trim_start_matches('{');
            line.trim_start()
                .strip_prefix("name:")
                .map(|rest| rest.trim().trim_end_matches(['}', ',']).split(',').next())
                .is_some_and(|value| value.map(str::trim) == Some(name))
        })
        .map(|(i, _)| i + 1)
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "endpoint: x\nthanks_page: merci\nconsent_version: '1'\nsubmit: {fr: Envoyer, en: Send}\nfields:\n  - {name: region, type: region, purpose: {fr: r, en: r}}\n  - {name: language, type: language, purpose: {fr: l, en: l}}\n  - {name: consent, type: consent, label: {fr: J'accepte, en: I agree}, purpose: {fr: c, en: c}}\n  - {name: website, type: honeypot, purpose: {fr: h, en: h}}\n";

    fn load(extra_fields: &str) -> Result<FormDef, Problem> {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("test-form.yaml");
        std::fs::write(&path, format!("{BASE}{extra_fields}")).expect("write");
        FormDef::load(&path)
    }

    #[test]
    fn a_minimal_form_loads_with_its_file_name_as_id() {
        let form = load("").expect("loads");
        assert_eq!(form.id, "test-form");
        assert_eq!(form.fields.len(), 4);
    }

    #[test]
    fn every_rule_is_explained() {
        let cases = [
            ("  - {name: Nom, type: text, max_length: 5, label: {fr: a, en: b}}\n", "lowercase letters"),
            ("  - {name: region, type: text, max_length: 5, label: {fr: a, en: b}}\n", "used by an earlier field"),
            ("  - {name: nom, type: text, max_length: 5}\n", "add a `label`"),
            ("  - {name: nom, type: text, label: {fr: a, en: b}}\n", "add a `max_length`"),
            ("  - {name: nom, type: text, min_length: 9, max_length: 5, label: {fr: a, en: b}}\n", "larger than"),
            ("  - {name: roles, type: choices, label: {fr: a, en: b}}\n", "list its `choices`"),
            ("  - {name: nom, type: text, max_length: 5, group: g, label: {fr: a, en: b}}\n", "the group `g`"),
            ("  - {name: other, type: honeypot}\n", "exactly one field of type `honeypot` (found 2)"),
        ];
        for (field, expected) in cases {
            let err = load(field).expect_err(field);
            assert!(err.to_string().contains(expected), "{field}: {err}");
        }
    }

    #[test]
    fn a_field_without_a_purpose_is_an_error_at_its_line() {
        let err =
            load("  - name: nom\n    type: text\n    max_length: 5\n    label: {fr: a, en: b}\n")
                .expect_err("fails");
        assert_eq!(err.at.line, Some(10), "{err}");
        assert!(
            err.to_string()
                .contains("field 5 (`nom`): add a `purpose` with `fr` and `en`"),
            "{err}"
        );
        // A purpose in one language only is caught when the YAML is read.
        let err = load(
            "  - {name: nom, type: text, max_length: 5, label: {fr: a, en: b}, purpose: {fr: a}}\n",
        )
        .expect_err("fails");
        assert!(err.to_string().contains("`en`"), "{err}");
        assert!(load("  - {name: nom, type: text, max_length: 5, label: {fr: a, en: b}, purpose: {fr: a, en: b}}\n").is_ok());
    }

    #[test]
    fn a_purpose_is_not_part_of_the_catalog() {
        let form = load("").expect("loads");
        let json = serde_json::to_string(&form).expect("serializes");
        assert!(!json.contains("purpose"), "{json}");
    }

    #[test]
    fn an_unknown_field_type_lists_the_types() {
        let err = load("  - {name: nom, type: date, label: {fr: a, en: b}}\n").expect_err("fails");
        assert!(
            err.to_string().contains("`date` is not an allowed value"),
            "{err}"
        );
        assert!(err.to_string().contains("`textarea`"), "{err}");
    }
}
