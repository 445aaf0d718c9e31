//! `eclaireurs new-region SLUG`: a new region's folder, with every page of the real regions
//! in both languages, ready to fill in. It builds and passes `check` as written.

use std::fs;
use std::path::{Path, PathBuf};

use eclaireurs_model::page::check_slug;
use eclaireurs_model::FormDef;

#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("`{slug}` cannot be a region's address: {why}")]
    BadSlug { slug: String, why: String },
    #[error("{0} already exists: this region is already there")]
    Exists(PathBuf),
    #[error("{0} is not a content folder (it has no config.yaml); use --content")]
    NoContent(PathBuf),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// One page of the new region: key, then (title, slug) in French and in English, then
/// extra front matter and a first paragraph in each language.
struct Stub {
    key: &'static str,
    fr: (&'static str, &'static str),
    en: (&'static str, &'static str),
    order: i32,
    extra: &'static str,
}

const STUBS: &[Stub] = &[
    Stub {
        key: "index",
        fr: ("Le Réseau d'éclaireurs de {name}", ""),
        en: ("The Éclaireurs Network of {name}", ""),
        order: 1,
        extra: "",
    },
    Stub {
        key: "objectives",
        fr: ("Objectifs", "objectifs"),
        en: ("Objectives", "objectives"),
        order: 2,
        extra: "",
    },
    Stub {
        key: "roles",
        fr: ("Les rôles de l'éclaireur", "roles"),
        en: ("The roles of an éclaireur", "roles"),
        order: 3,
        extra: "",
    },
    Stub {
        key: "get-involved",
        fr: ("S'impliquer", "s-impliquer"),
        en: ("Get involved", "get-involved"),
        order: 4,
        extra: "",
    },
    Stub {
        key: "register",
        fr: ("Devenir éclaireur", "devenir-eclaireur"),
        en: ("Become an éclaireur", "become-an-eclaireur"),
        order: 5,
        extra: "form: registration\n",
    },
    Stub {
        key: "report-need",
        fr: ("Signaler un besoin", "signaler-un-besoin"),
        en: ("Report a need", "report-a-need"),
        order: 6,
        extra: "form: need-report\n",
    },
    Stub {
        key: "contact",
        fr: ("Équipe-relais et contact", "equipe-relais"),
        en: ("Relay team and contact", "relay-team"),
        order: 7,
        extra: "template: contact.html\n",
    },
    Stub {
        key: "thanks-registration",
        fr: ("Merci de votre inscription", "merci-inscription"),
        en: ("Thank you for registering", "thank-you-registration"),
        order: 90,
        extra: "menu: false\n",
    },
    Stub {
        key: "thanks-need-report",
        fr: ("Merci de votre signalement", "merci-signalement"),
        en: ("Thank you for your report", "thank-you-report"),
        order: 91,
        extra: "menu: false\n",
    },
];

/// Creates `content/regions/<slug>/` and returns the folder.
pub fn new_region(content: &Path, slug: &str) -> Result<PathBuf, ScaffoldError> {
    check_slug(slug).map_err(|why| ScaffoldError::BadSlug {
        slug: slug.to_string(),
        why,
    })?;
    if !content.join("config.yaml").is_file() {
        return Err(ScaffoldError::NoContent(content.to_path_buf()));
    }
    let dir = content.join("regions").join(slug);
    if dir.exists() {
        return Err(ScaffoldError::Exists(dir));
    }
    let name = title_case(slug);
    let write = |path: PathBuf, text: String| -> Result<(), ScaffoldError> {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|source| ScaffoldError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        fs::write(&path, text).map_err(|source| ScaffoldError::Io { path, source })
    };
    let mut region = region_yaml(&name);
    region.push_str(&choices_yaml(content));
    write(dir.join("region.yaml"), region)?;
    for stub in STUBS {
        for (lang, (title, page_slug), todo) in [
            ("fr", stub.fr, "Texte à rédiger."),
            ("en", stub.en, "Text to be written."),
        ] {
            let title = title.replace("{name}", &name);
            let slug_line = if page_slug.is_empty() {
                String::new()
            } else {
                format!("slug: {page_slug}\n")
            };
            let text = format!(
                "---\ntitle: \"{title}\"\ndescription: \"{title}\"\n{slug_line}order: {}\n{}---\n\n{todo}\n",
                stub.order, stub.extra
            );
            write(dir.join(lang).join(format!("{}.md", stub.key)), text)?;
        }
    }
    Ok(dir)
}

/// The lists of choices of the site's forms (the four roles), with their generic labels, for
/// the new region to word in its own terms. Forms that do not load are left to `check`.
fn choices_yaml(content: &Path) -> String {
    let mut forms: Vec<_> = fs::read_dir(content.join("forms"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    forms.sort();
    let mut text = String::new();
    for form in forms.iter().filter_map(|p| FormDef::load(p).ok()) {
        for field in form.fields.iter().filter(|f| !f.choices.is_empty()) {
            if text.is_empty() {
                text.push_str(
                    "# How this region words the choices of the forms: keep each value, write \
                     the labels\n# (and, if useful, a hint) in the region's own terms.\n\
                     choices:\n",
                );
            }
            text.push_str(&format!("  {}:\n", field.name));
            for choice in &field.choices {
                text.push_str(&format!(
                    "    - value: {}\n      label: {{ fr: {:?}, en: {:?} }}\n",
                    choice.value, choice.label.fr, choice.label.en
                ));
            }
        }
    }
    text
}

fn region_yaml(name: &str) -> String {
    format!(
        "# The region's data. Replace the examples; keys you do not need can be removed.\n\
         name: {{ fr: \"{name}\", en: \"{name}\" }}\n\
         # The CISSS or CIUSSS that runs the network in the region.\n\
         organization:\n  fr: \"CISSS de {name}\"\n  en: \"CISSS de {name}\"\n\
         territory_label: {{ fr: MRC, en: RCM }}\n\
         # Each MRC or community, with its contact person once one is named:\n\
         #   - name: Example MRC\n\
         #     contact: {{ name: Jane Doe, email: jane@example.ca, phone: {{ number: \"418 555-0123\", extension: \"12\" }} }}\n\
         territories: []\n\
         # The relay team's channels: phone, voicemail (number and extension), email.\n\
         contact: {{}}\n\
         links: []\n"
    )
}

/// `cote-nord` → `Cote Nord`: a placeholder name until the real one is written.
fn title_case(slug: &str) -> String {
    slug.split('-')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
