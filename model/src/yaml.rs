//! Reading YAML into typed values, turning serde's messages into located, plain-worded problems.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::{Location, Problem, ProblemKind};

/// Parses `text` (from `path`) as `T`. `first_line` is the line of the file where `text` starts,
/// so errors in a page's front matter point at the right line of the Markdown file.
pub fn parse<T: DeserializeOwned>(
    text: &str,
    path: &Path,
    first_line: usize,
) -> Result<T, Problem> {
    serde_yaml::from_str(text).map_err(|err| {
        let at = match err.location() {
            Some(loc) => Location::at(path, loc.line() + first_line - 1, loc.column()),
            None => Location::file(path),
        };
        Problem::new(at, plain_kind(&err.to_string()))
    })
}

/// Reads and parses a whole YAML file.
pub fn read<T: DeserializeOwned>(path: &Path) -> Result<T, Problem> {
    let text = std::fs::read_to_string(path).map_err(|e| Problem::read(path, &e))?;
    parse(&text, path, 1)
}

/// Rewords serde_yaml's messages, which speak of Rust types, for people who edit content.
fn plain_kind(message: &str) -> ProblemKind {
    // serde_yaml appends " at line L column C", which the location already says.
    let message = match message.find(" at line ") {
        Some(i) => &message[..i],
        None => message,
    };
    // It may prefix the path of the value, e.g. "fields[2].label: missing field `en`".
    let (context, detail) = split_context(message);
    let within = |text: String| match context {
        Some(ctx) => format!("in `{ctx}`: {text}"),
        None => text,
    };

    if let Some(rest) = detail.strip_prefix("unknown field ") {
        let (key, allowed) = split_expected(rest);
        return match context {
            None => ProblemKind::UnknownKey { key, allowed },
            Some(_) => ProblemKind::Yaml(within(format!(
                "unknown key `{key}`: check its spelling (allowed keys here: {allowed})"
            ))),
        };
    }
    if let Some(rest) = detail.strip_prefix("missing field ") {
        let key = rest.trim_matches('`').to_string();
        return match context {
            None => ProblemKind::MissingKey(key),
            Some(_) => ProblemKind::Yaml(within(format!(
                "the key `{key}` is required here but is missing"
            ))),
        };
    }
    if let Some(rest) = detail.strip_prefix("unknown variant ") {
        let (value, allowed) = split_expected(rest);
        return ProblemKind::Yaml(within(format!(
            "`{value}` is not an allowed value (allowed: {allowed})"
        )));
    }
    if let Some(rest) = detail.strip_prefix("invalid type: ") {
        if let Some((found, expected)) = rest.split_once(", expected ") {
            return ProblemKind::Yaml(within(format!(
                "found {} where {} was expected",
                plain_type(found),
                plain_type(expected)
            )));
        }
    }
    if let Some(rest) = detail.strip_prefix("invalid value: ") {
        if let Some((found, expected)) = rest.split_once(", expected ") {
            return ProblemKind::Yaml(within(format!(
                "found {} where {} was expected",
                plain_type(found),
                plain_type(expected)
            )));
        }
    }
    if detail.contains("mapping values are not allowed")
        || detail.contains("did not find expected")
        || detail.contains("found character that cannot start")
        || detail.contains("found unexpected end of stream")
        || detail.contains("could not find expected")
        || detail.contains("found a tab character")
        || detail.contains("block sequence entries are not allowed")
    {
        return ProblemKind::Yaml(format!(
            "this YAML is not well-formed ({detail}); check the indentation, and put text that \
             contains `: ` or starts with a special character in \"quotes\""
        ));
    }
    if detail.starts_with("duplicate entry") || detail.contains("duplicate") {
        return ProblemKind::Yaml(within(format!("a key is written twice ({detail})")));
    }
    ProblemKind::Yaml(within(detail.to_string()))
}

fn split_context(message: &str) -> (Option<&str>, &str) {
    // A context looks like `fields[2].label: ...`: no spaces before the first ": ".
    match message.split_once(": ") {
        Some((ctx, rest))
            if !ctx.is_empty()
                && !ctx.contains(' ')
                && !ctx.contains('`')
                && !message.starts_with("invalid")
                && !message.starts_with("unknown")
                && !message.starts_with("missing") =>
        {
            (Some(ctx), rest)
        }
        _ => (None, message),
    }
}

/// Splits "`x`, expected one of `a`, `b`" into ("x", "`a`, `b`").
fn split_expected(rest: &str) -> (String, String) {
    match rest.split_once(", expected ") {
        Some((item, allowed)) => (
            item.trim_matches('`').to_string(),
            allowed.trim_start_matches("one of ").to_string(),
        ),
        None => (rest.trim_matches('`').to_string(), String::from("none")),
    }
}

fn plain_type(serde_words: &str) -> String {
    let words = serde_words.trim();
    let plain = match words {
        "u8" | "u16" | "u32" | "u64" | "usize" | "i32" | "i64" | "integer" => "a whole number",
        "a boolean" => "true or false",
        "a string" => "text",
        "a sequence" | "sequence" => "a list (lines starting with `- `)",
        "a map" | "map" => "a group of `key: value` lines",
        "unit value" => "nothing",
        _ if words.starts_with("struct ") || words.starts_with("a map") => {
            "a group of `key: value` lines"
        }
        _ if words.starts_with("string ") => return format!("the text {}", &words[7..]),
        _ if words.starts_with("integer ") => return format!("the number {}", &words[8..]),
        _ if words.starts_with("boolean ") => return format!("the value {}", &words[8..]),
        _ => words,
    };
    plain.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Meta {
        title: String,
        order: u32,
        #[serde(default)]
        menu: bool,
    }

    fn problem(text: &str) -> Problem {
        parse::<Meta>(text, Path::new("page.md"), 2).expect_err("should fail")
    }

    #[test]
    fn unknown_keys_are_named_with_the_allowed_ones_and_located_in_the_file() {
        let p = problem("title: A\norder: 1\ntitel: B\n");
        assert_eq!(
            p.to_string(),
            "page.md:4:1: unknown key `titel`: check its spelling (allowed keys here: `title`, `order`, `menu`)"
        );
    }

    #[test]
    fn missing_keys_are_named() {
        assert_eq!(
            problem("title: A\n").kind,
            ProblemKind::MissingKey("order".into())
        );
    }

    #[test]
    fn wrong_kinds_of_values_are_said_in_plain_words() {
        let p = problem("title: A\norder: first\n");
        assert!(
            p.to_string()
                .ends_with("found the text \"first\" where a whole number was expected"),
            "{p}"
        );
        let p = problem("title: A\norder: 1\nmenu: maybe\n");
        assert!(
            p.to_string().contains("where true or false was expected"),
            "{p}"
        );
    }

    #[test]
    fn syntax_errors_suggest_quotes_and_indentation() {
        let p = problem("title: Rôles: les quatre\norder: 1\n");
        assert!(p.to_string().starts_with("page.md:2:"), "{p}");
        assert!(p.to_string().contains("put text that contains `: `"), "{p}");
    }
}
