//! The placeholders `eclaireurs new-region` writes where a region's own text is still to come
//! (`À RÉDIGER`, `TO BE WRITTEN`). A page or a `region.yaml` that is published (not a draft)
//! may not hold one, so a half-made region never goes out by mistake.

use std::fmt;

/// What the scaffold writes in French text.
pub const FR: &str = "À RÉDIGER";
/// What the scaffold writes in English text.
pub const EN: &str = "TO BE WRITTEN";

/// Every placeholder: the scaffold's, and the sentences its first version wrote.
pub const MARKERS: &[&str] = &[FR, EN, "Texte à rédiger.", "Text to be written."];

/// The placeholders one file still holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholders {
    /// Where the first one is (1-based; the column counts characters).
    pub line: usize,
    pub column: usize,
    /// The first one found.
    pub marker: &'static str,
    /// What holds them, in the file's order, each once.
    pub holders: Vec<Holder>,
    /// How many the file holds.
    pub count: usize,
}

/// Where a placeholder sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    /// A key: of a page's front matter (`description`) or of a YAML file (`organization.fr`).
    Key(String),
    /// The text of a page, after its front matter.
    Text,
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Holder::Key(key) => write!(f, "`{key}`"),
            Holder::Text => f.write_str("the text"),
        }
    }
}

impl Placeholders {
    /// `` `description` and the text ``, `` `a`, `b` and `c` ``.
    pub fn holders_list(&self) -> String {
        let names: Vec<String> = self.holders.iter().map(ToString::to_string).collect();
        match names.split_last() {
            None => String::new(),
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        }
    }
}

/// The placeholders of a line, as (column in characters, 1-based; marker), in order.
fn in_line(line: &str) -> Vec<(usize, &'static str)> {
    let mut found: Vec<(usize, &'static str)> = MARKERS
        .iter()
        .flat_map(|&marker| {
            line.match_indices(marker)
                .map(move |(at, _)| (line[..at].chars().count() + 1, marker))
        })
        .collect();
    found.sort_unstable();
    found
}

/// Whether `text` holds a placeholder anywhere: most files hold none, and this one search
/// per marker spares them the search line by line.
fn holds_any(text: &str) -> bool {
    MARKERS.iter().any(|marker| text.contains(marker))
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// The placeholders of a page's file, split by [`crate::page`]: its front matter `front`
/// (from line 2; comments left aside), by key, and its text `body` (from line `body_line`).
pub fn in_page(front: &str, body: &str, body_line: usize) -> Option<Placeholders> {
    if !holds_any(front) && !holds_any(body) {
        return None;
    }
    let mut first = None;
    let mut holders = Vec::new();
    let mut count = 0;
    let mut key = String::new();
    let front_lines = front
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 2, line, true));
    let body_lines = body
        .lines()
        .enumerate()
        .map(|(i, line)| (i + body_line, line, false));
    for (number, line, in_front) in front_lines.chain(body_lines) {
        if in_front {
            if is_comment(line) {
                continue;
            }
            if !line.starts_with([' ', '\t', '-']) {
                if let Some((name, _)) = line.split_once(':') {
                    key = name.trim().to_string();
                }
            }
        }
        let found = in_line(line);
        if found.is_empty() {
            continue;
        }
        if first.is_none() {
            first = Some((number, found[0].0, found[0].1));
        }
        count += found.len();
        let holder = if in_front {
            Holder::Key(key.clone())
        } else {
            Holder::Text
        };
        if !holders.contains(&holder) {
            holders.push(holder);
        }
    }
    let (line, column, marker) = first?;
    Some(Placeholders {
        line,
        column,
        marker,
        holders,
        count,
    })
}

/// The placeholders of a YAML file, by the key that holds each (`organization.fr`). `None`
/// when there is none, or when the file is not well-formed YAML (reported elsewhere).
pub fn in_yaml(text: &str) -> Option<Placeholders> {
    if !holds_any(text) {
        return None;
    }
    let value: serde_yaml::Value = serde_yaml::from_str(text).ok()?;
    let mut keys = Vec::new();
    walk(&value, String::new(), &mut keys);
    if keys.is_empty() {
        return None;
    }
    let count = keys.len();
    let mut holders = Vec::new();
    for key in keys {
        let holder = Holder::Key(key);
        if !holders.contains(&holder) {
            holders.push(holder);
        }
    }
    // Where the first one is written; a file whose only placeholders are in comments has
    // none (the YAML holds none then).
    let (line, column, marker) = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !is_comment(line))
        .find_map(|(i, line)| in_line(line).first().map(|&(col, m)| (i + 1, col, m)))
        .unwrap_or((1, 1, MARKERS[0]));
    Some(Placeholders {
        line,
        column,
        marker,
        holders,
        count,
    })
}

/// Each key (as a path: `territories[0].name`) whose text holds a placeholder, once per
/// placeholder, in the file's order.
fn walk(value: &serde_yaml::Value, path: String, keys: &mut Vec<String>) {
    use serde_yaml::Value;
    match value {
        Value::String(text) => {
            let n: usize = MARKERS.iter().map(|m| text.matches(m).count()).sum();
            keys.extend(std::iter::repeat_n(path, n));
        }
        Value::Mapping(map) => {
            for (key, value) in map {
                let name = match key {
                    Value::String(s) => s.clone(),
                    other => serde_yaml::to_string(other)
                        .unwrap_or_default()
                        .trim()
                        .to_string(),
                };
                let child = if path.is_empty() {
                    name
                } else {
                    format!("{path}.{name}")
                };
                walk(value, child, keys);
            }
        }
        Value::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, format!("{path}[{i}]"), keys);
            }
        }
        Value::Tagged(tagged) => walk(&tagged.value, path, keys),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page's placeholders, its front matter split as the loader splits it.
    fn in_page(text: &str, body_line: usize) -> Option<Placeholders> {
        let (front, body, line) =
            crate::page::split_front_matter(text, std::path::Path::new("a.md")).expect("splits");
        assert_eq!(line, body_line);
        super::in_page(front, body, line)
    }

    #[test]
    fn a_page_names_the_front_matter_keys_and_the_text_that_hold_placeholders() {
        let text = "---\ntitle: Objectifs\n# À RÉDIGER in a comment does not count\n\
                    description: \"À RÉDIGER : une phrase.\"\n---\n\nÀ RÉDIGER : le texte.\n\
                    Encore À RÉDIGER.\n";
        let found = in_page(text, 6).expect("found");
        assert_eq!((found.line, found.column), (4, 15));
        assert_eq!(found.marker, FR);
        assert_eq!(found.count, 3);
        assert_eq!(found.holders_list(), "`description` and the text");
    }

    #[test]
    fn a_finished_page_or_file_holds_none() {
        let text = "---\ntitle: Objectifs\ndescription: Les objectifs.\n---\n# Titre\nTexte à rédiger plus tard.\n";
        assert_eq!(
            in_page(text, 5),
            None,
            "only the scaffold's exact words count"
        );
        assert_eq!(
            in_yaml("# TO BE WRITTEN in a comment\nname: { fr: A, en: A }\n"),
            None
        );
    }

    #[test]
    fn a_yaml_file_names_the_keys_that_hold_placeholders_and_locates_the_first() {
        let text = "# The region.\nname: { fr: Côte-Nord, en: Côte-Nord }\norganization:\n  \
                    fr: \"À RÉDIGER : le CISSS\"\n  en: \"TO BE WRITTEN: the CISSS\"\n\
                    territories:\n  - name: TO BE WRITTEN\n";
        let found = in_yaml(text).expect("found");
        assert_eq!((found.line, found.column), (4, 8));
        assert_eq!(found.count, 3);
        assert_eq!(
            found.holders_list(),
            "`organization.fr`, `organization.en` and `territories[0].name`"
        );
    }
}
