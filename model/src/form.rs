//! Form definitions (`forms/<id>.yaml`): the one description of each form's fields, read by
//! the generator to render the form and by the function to validate submissions.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Problem;
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
        form.check(path)?;
        Ok(form)
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Rules that keep a definition usable by both the page and the function.
    fn check(&self, path: &Path) -> Result<(), Problem> {
        let fail = |msg: String| Err(Problem::invalid(path, msg));
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

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "endpoint: x\nthanks_page: merci\nconsent_version: '1'\nsubmit: {fr: Envoyer, en: Send}\nfields:\n  - {name: region, type: region}\n  - {name: language, type: language}\n  - {name: consent, type: consent, label: {fr: J'accepte, en: I agree}}\n  - {name: website, type: honeypot}\n";

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
    fn an_unknown_field_type_lists_the_types() {
        let err = load("  - {name: nom, type: date, label: {fr: a, en: b}}\n").expect_err("fails");
        assert!(
            err.to_string().contains("`date` is not an allowed value"),
            "{err}"
        );
        assert!(err.to_string().contains("`textarea`"), "{err}");
    }
}
