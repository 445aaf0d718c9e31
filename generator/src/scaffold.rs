//! `eclaireurs new-region SLUG --name-fr NAME`: a new region's folder, with every page of the
//! real regions in both languages, ready to fill in. The region is a draft (`draft: true` in
//! its region.yaml): `serve` shows it, `build` and `publish` leave it out, and the text still
//! to write says `À RÉDIGER` or `TO BE WRITTEN`, which `check` refuses to publish.

use std::fs;
use std::path::{Path, PathBuf};

use eclaireurs_model::page::check_slug;
use eclaireurs_model::placeholder::{EN as TODO_EN, FR as TODO_FR};
use eclaireurs_model::{FormDef, Localized};

#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("`{slug}` cannot be a region's address: {why}")]
    BadSlug { slug: String, why: String },
    #[error("{option}: {why}")]
    BadName { option: &'static str, why: String },
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

/// One page of the new region: key, then (title, slug) in French and in English, extra
/// front matter, and what its text should say, in each language (after the placeholder).
struct Stub {
    key: &'static str,
    fr: (&'static str, &'static str),
    en: (&'static str, &'static str),
    order: i32,
    extra: &'static str,
    todo: (&'static str, &'static str),
}

const STUBS: &[Stub] = &[
    Stub {
        key: "index",
        fr: ("Le Réseau d'éclaireurs – {name}", ""),
        en: ("The {name} Éclaireurs Network", ""),
        order: 1,
        extra: "",
        todo: (
            "qui sont les éclaireurs de la région, et qui les soutient.",
            "who the region's éclaireurs are, and who supports them.",
        ),
    },
    Stub {
        key: "objectives",
        fr: ("Objectifs", "objectifs"),
        en: ("Objectives", "objectives"),
        order: 2,
        extra: "",
        todo: (
            "les objectifs du réseau dans la région.",
            "the network's objectives in the region.",
        ),
    },
    Stub {
        key: "roles",
        fr: ("Les rôles de l'éclaireur", "roles"),
        en: ("The roles of an éclaireur", "roles"),
        order: 3,
        extra: "",
        todo: (
            "les quatre rôles, comme la région les nomme dans `choices:` de region.yaml.",
            "the four roles, as the region words them under `choices:` in region.yaml.",
        ),
    },
    Stub {
        key: "get-involved",
        fr: ("S'impliquer", "s-impliquer"),
        en: ("Get involved", "get-involved"),
        order: 4,
        extra: "",
        todo: (
            "comment devenir éclaireur, et la formation offerte.",
            "how to become an éclaireur, and the training offered.",
        ),
    },
    Stub {
        key: "register",
        fr: ("Devenir éclaireur", "devenir-eclaireur"),
        en: ("Become an éclaireur", "become-an-eclaireur"),
        order: 5,
        extra: "form: registration\n",
        todo: (
            "ce qui se passe après l'inscription (le formulaire suit ce texte).",
            "what happens after registering (the form follows this text).",
        ),
    },
    Stub {
        key: "report-need",
        fr: ("Signaler un besoin", "signaler-un-besoin"),
        en: ("Report a need", "report-a-need"),
        order: 6,
        extra: "form: need-report\n",
        todo: (
            "quels besoins signaler, et ce que l'équipe-relais en fait (le formulaire suit ce texte).",
            "which needs to report, and what the relay team does with them (the form follows this text).",
        ),
    },
    Stub {
        key: "contact",
        fr: ("Équipe-relais et contact", "equipe-relais"),
        en: ("Relay team and contact", "relay-team"),
        order: 7,
        extra: "template: contact.html\n",
        todo: (
            "qui forme l'équipe-relais. Ses moyens de contact et les territoires viennent de region.yaml.",
            "who the relay team is. Its channels and the territories come from region.yaml.",
        ),
    },
    Stub {
        key: "thanks-registration",
        fr: ("Merci de votre inscription", "merci-inscription"),
        en: ("Thank you for registering", "thank-you-registration"),
        order: 90,
        extra: "menu: false\n",
        todo: (
            "ce qui se passe maintenant, sans promettre de délai.",
            "what happens next, without promising a delay.",
        ),
    },
    Stub {
        key: "thanks-need-report",
        fr: ("Merci de votre signalement", "merci-signalement"),
        en: ("Thank you for your report", "thank-you-report"),
        order: 91,
        extra: "menu: false\n",
        todo: (
            "ce qui se passe maintenant, sans promettre de délai.",
            "what happens next, without promising a delay.",
        ),
    },
];

/// Creates `content/regions/<slug>/`, a draft region named `name`, and returns the folder.
pub fn new_region(content: &Path, slug: &str, name: &Localized) -> Result<PathBuf, ScaffoldError> {
    check_slug(slug).map_err(|why| ScaffoldError::BadSlug {
        slug: slug.to_string(),
        why,
    })?;
    let name = Localized {
        fr: check_name("--name-fr", &name.fr)?,
        en: check_name("--name-en", &name.en)?,
    };
    if !content.join("config.yaml").is_file() {
        return Err(ScaffoldError::NoContent(content.to_path_buf()));
    }
    let dir = content.join("regions").join(slug);
    if dir.exists() {
        return Err(ScaffoldError::Exists(dir));
    }
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
        for (lang, (title, page_slug), name, (todo, about), summary) in [
            (
                "fr",
                stub.fr,
                &name.fr,
                (format!("{TODO_FR} :"), stub.todo.0),
                "une ou deux phrases qui résument la page, pour les moteurs de recherche.",
            ),
            (
                "en",
                stub.en,
                &name.en,
                (format!("{TODO_EN}:"), stub.todo.1),
                "one or two sentences that sum up the page, for search engines.",
            ),
        ] {
            let title = title.replace("{name}", name);
            let slug_line = if page_slug.is_empty() {
                String::new()
            } else {
                format!("slug: {page_slug}\n")
            };
            let description = format!("{todo} {summary}");
            let text = format!(
                "---\ntitle: {}\ndescription: {}\n{slug_line}order: {}\n{}---\n\n{todo} {about}\n",
                quoted(&title),
                quoted(&description),
                stub.order,
                stub.extra
            );
            write(dir.join(lang).join(format!("{}.md", stub.key)), text)?;
        }
    }
    Ok(dir)
}

/// A region's name as people write it: accents, spaces, dashes and apostrophes kept; one
/// line of visible text.
fn check_name(option: &'static str, name: &str) -> Result<String, ScaffoldError> {
    let name = name.trim();
    let why = if name.is_empty() {
        Some("give the region's name as people write it, e.g. \"Côte-Nord\"")
    } else if name.chars().any(char::is_control) {
        Some("the name must be one line of text, without control characters")
    } else {
        None
    };
    match why {
        Some(why) => Err(ScaffoldError::BadName {
            option,
            why: why.to_string(),
        }),
        None => Ok(name.to_string()),
    }
}

/// A YAML string in double quotes.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
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

fn region_yaml(name: &Localized) -> String {
    format!(
        "# The region's data. Replace the placeholders; keys you do not need can be removed.\n\
         # A draft: `serve` shows the region, `build` and `publish` leave it out. Remove this\n\
         # line once every page and every value below is written (`check` says what is left).\n\
         draft: true\n\
         name: {{ fr: {}, en: {} }}\n\
         # The CISSS or CIUSSS that runs the network in the region.\n\
         organization:\n  fr: {}\n  en: {}\n\
         territory_label: {{ fr: MRC, en: RCM }}\n\
         # Each MRC, territory equivalent to an MRC (`kind: equivalent`) or community\n\
         # (`kind: community`), with its contact person once one is named:\n\
         #   - name: Example MRC\n\
         #     contact: {{ name: Jane Doe, email: jane@example.ca, phone: {{ number: \"418 555-0123\", extension: \"12\" }} }}\n\
         territories: []\n\
         # The relay team's channels, once it has them: phone, voicemail (number and\n\
         # extension), email. `check` lists a region that shows a form without one.\n\
         #   contact:\n\
         #     voicemail: {{ number: \"418 555-0123\", extension: \"1234\" }}\n\
         #     email: relay-team@example.ca\n\
         contact: {{}}\n\
         # The person in charge of the protection of personal information at the CISSS or\n\
         # CIUSSS, once the body has named one: a title (not a name) and at least one channel.\n\
         # `check` lists a region that shows a form without one.\n\
         #   privacy_officer:\n\
         #     title:\n\
         #       fr: Responsable de la protection des renseignements personnels\n\
         #       en: Person in charge of the protection of personal information\n\
         #     email: privacy@example.ca\n\
         links: []\n",
        quoted(&name.fr),
        quoted(&name.en),
        quoted(&format!("{TODO_FR} : le CISSS ou le CIUSSS de la région")),
        quoted(&format!("{TODO_EN}: the region's CISSS or CIUSSS")),
    )
}
