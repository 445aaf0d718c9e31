//! The theme's UI strings (`i18n/fr.yaml`, `i18n/en.yaml`): button texts, headings, crisis
//! lines, validation messages. Both the generator and the function read them.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Problem, ProblemKind};
use crate::lang::{Lang, Localized};

/// The UI strings of both languages, as nested maps of text.
#[derive(Debug, Clone)]
pub struct Strings {
    tables: Localized<serde_yaml::Value>,
}

impl Strings {
    /// Loads `<dir>/fr.yaml` and `<dir>/en.yaml` and requires that they have the same keys,
    /// so a message can never be missing in one language.
    pub fn load(dir: &Path) -> Result<Strings, Vec<Problem>> {
        let fr_path = dir.join("fr.yaml");
        let en_path = dir.join("en.yaml");
        let fr = crate::yaml::read::<serde_yaml::Value>(&fr_path);
        let en = crate::yaml::read::<serde_yaml::Value>(&en_path);
        let (fr, en) = match (fr, en) {
            (Ok(fr), Ok(en)) => (fr, en),
            (fr, en) => return Err(fr.err().into_iter().chain(en.err()).collect()),
        };
        let fr_keys = leaf_keys(&fr);
        let en_keys = leaf_keys(&en);
        let mut problems = Vec::new();
        for (keys, other, path, other_path) in [
            (&fr_keys, &en_keys, &en_path, &fr_path),
            (&en_keys, &fr_keys, &fr_path, &en_path),
        ] {
            for key in keys.keys().filter(|k| !other.contains_key(*k)) {
                problems.push(Problem::invalid(
                    path,
                    format!(
                        "the text `{key}` is missing here (it is in {}); add it so both \
                         languages have it",
                        other_path.display()
                    ),
                ));
            }
        }
        for (keys, path) in [(&fr_keys, &fr_path), (&en_keys, &en_path)] {
            for (key, ok) in keys {
                if !ok {
                    problems.push(Problem::new(
                        crate::error::Location::file(path.as_path()),
                        ProblemKind::Invalid(format!("the text `{key}` must be plain text")),
                    ));
                }
            }
        }
        if problems.is_empty() {
            Ok(Strings {
                tables: Localized { fr, en },
            })
        } else {
            Err(problems)
        }
    }

    /// Applies French typography to every French string (see [`crate::typography`]), so
    /// interface texts read the same in pages, in attributes that scripts show, and in the
    /// function's messages.
    pub fn typeset_french(&mut self) {
        fn walk(value: &mut serde_yaml::Value) {
            match value {
                serde_yaml::Value::String(text) => {
                    *text = crate::typography::french_text(text);
                }
                serde_yaml::Value::Mapping(map) => map.iter_mut().for_each(|(_, v)| walk(v)),
                _ => {}
            }
        }
        walk(&mut self.tables.fr);
    }

    /// The whole table of one language, for templates (`t.nav.skip`).
    pub fn table(&self, lang: Lang) -> &serde_yaml::Value {
        self.tables.get(lang)
    }

    /// One string by dotted key, e.g. `validation.required`.
    pub fn get(&self, lang: Lang, key: &str) -> Option<&str> {
        let mut node = self.tables.get(lang);
        for part in key.split('.') {
            node = node.get(part)?;
        }
        node.as_str()
    }
}

/// Dotted keys of every leaf, each with whether it is text (numbers are accepted as text).
fn leaf_keys(value: &serde_yaml::Value) -> BTreeMap<String, bool> {
    fn walk(prefix: &str, value: &serde_yaml::Value, out: &mut BTreeMap<String, bool>) {
        match value {
            serde_yaml::Value::Mapping(map) => {
                for (k, v) in map {
                    let key = k
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("{k:?}"));
                    let path = if prefix.is_empty() {
                        key
                    } else {
                        format!("{prefix}.{key}")
                    };
                    walk(&path, v, out);
                }
            }
            serde_yaml::Value::String(_) | serde_yaml::Value::Number(_) => {
                out.insert(prefix.to_string(), true);
            }
            _ => {
                out.insert(prefix.to_string(), false);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk("", value, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(fr: &str, en: &str) -> Result<Strings, Vec<Problem>> {
        let dir = tempfile::tempdir().expect("temp");
        std::fs::write(dir.path().join("fr.yaml"), fr).expect("write");
        std::fs::write(dir.path().join("en.yaml"), en).expect("write");
        Strings::load(dir.path())
    }

    #[test]
    fn strings_are_found_by_dotted_key_in_each_language() {
        let s = load(
            "form:\n  required: obligatoire\n",
            "form:\n  required: required\n",
        )
        .expect("loads");
        assert_eq!(s.get(Lang::Fr, "form.required"), Some("obligatoire"));
        assert_eq!(s.get(Lang::En, "form.required"), Some("required"));
        assert_eq!(s.get(Lang::En, "form.missing"), None);
    }

    #[test]
    fn a_key_present_in_one_language_only_is_reported_in_the_other_file() {
        let problems = load("a: x\nb: y\n", "a: x\n").expect_err("fails");
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0]
                .to_string()
                .contains("en.yaml: the text `b` is missing here"),
            "{}",
            problems[0]
        );
    }
}
