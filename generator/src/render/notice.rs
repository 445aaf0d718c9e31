//! The privacy notice (a site page with `template: privacy.html`): its text is the page's
//! Markdown, but the lists that must match what the system does are made from the data, at
//! the places the text marks with a line of its own:
//!
//! - `<!-- notice: form registration -->`: what that form collects, field by field, from its
//!   definition (`forms/registration.yaml`): label, required or optional, the consent text
//!   and its version, what the system adds;
//! - `<!-- notice: regions -->`: each region's body, relay-team channels and person in charge
//!   of personal information, from its `region.yaml` (`privacy_officer`), or that they are
//!   still to be announced.
//!
//! Every form of the site must have its list, and the regions theirs: a notice that forgets
//! one, or names a form that does not exist, is a located error, so a new form never goes
//! online without the notice saying what it collects.

use serde::Serialize;

use eclaireurs_model::form::{FieldKind, FormDef};
use eclaireurs_model::region::{Phone, PrivacyOfficer};
use eclaireurs_model::{Lang, Location, Page, Problem, ProblemKind, Region, Site};

use crate::links::LinkIndex;
use crate::render::views::{PhoneView, RegionView};

/// The template that shows a notice; a page naming it gets a `notice` in its context.
pub const TEMPLATE: &str = "privacy.html";

const MARKER: &str = "<!-- notice:";

#[derive(Serialize)]
pub struct NoticeView<'a> {
    /// The page's text cut at its markers, each piece followed by the list it marks.
    pub parts: Vec<Part<'a>>,
    /// Every region, for the `regions` list.
    pub regions: Vec<NoticeRegion<'a>>,
}

#[derive(Serialize)]
pub struct Part<'a> {
    pub html: String,
    /// The form whose data follows this piece of text.
    pub form: Option<NoticeForm<'a>>,
    /// Whether the regions' list follows it.
    pub regions: bool,
}

#[derive(Serialize)]
pub struct NoticeForm<'a> {
    pub id: &'a str,
    pub consent_version: &'a str,
    /// In the definition's order; the honeypot (never stored) left out.
    pub fields: Vec<NoticeField<'a>>,
}

#[derive(Serialize)]
pub struct NoticeField<'a> {
    pub name: &'a str,
    /// `region`, `language`, `consent`, `email`, `text`…: templates word the hidden fields
    /// and the consent themselves.
    pub kind: FieldKind,
    pub required: bool,
    /// The field's label, without the "(optional)" the form may add (the notice says it).
    pub label: Option<String>,
    /// The names of the only regions whose form asks it (the roles, which a region whose
    /// éclaireurs hold them all does not ask); empty when every region asks it.
    pub asked_in: Vec<&'a str>,
}

#[derive(Serialize)]
pub struct NoticeRegion<'a> {
    pub region: RegionView<'a>,
    /// The region's relay-team page, if it has one.
    pub contact_url: Option<&'a str>,
    pub officer: Option<OfficerView<'a>>,
}

#[derive(Serialize)]
pub struct OfficerView<'a> {
    pub title: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<PhoneView<'a>>,
    pub url: Option<&'a str>,
    /// Whether any way to reach the person is given; if not, templates say it is to come.
    pub reachable: bool,
}

/// What a marker asks for.
enum Block<'a> {
    Form(&'a FormDef),
    Regions,
}

impl<'a> NoticeView<'a> {
    /// `text` is the page's Markdown and `html` the same rendered: the page shows it cut at
    /// its markers.
    pub fn new(
        site: &'a Site,
        page: &'a Page,
        text: &str,
        html: &str,
        links: &'a LinkIndex,
    ) -> Result<Self, Vec<Problem>> {
        let blocks = markers(site, page, text)?;
        let optional = site.strings.get(page.lang, "notice.optional");
        let mut parts = Vec::with_capacity(blocks.len() + 1);
        let mut rest = html;
        for (text, block) in &blocks {
            // Markers are lines of their own, so Markdown passes them through as they are.
            let Some(at) = rest.find(text.as_str()) else {
                return Err(vec![Problem::invalid(
                    &page.path,
                    format!(
                        "`{text}` must be a line of its own, with an empty line before and after"
                    ),
                )]);
            };
            let (form, regions) = match block {
                Block::Form(form) => (
                    Some(notice_form(form, &site.regions, page.lang, optional)),
                    false,
                ),
                Block::Regions => (None, true),
            };
            parts.push(Part {
                html: rest[..at].to_string(),
                form,
                regions,
            });
            rest = &rest[at + text.len()..];
        }
        parts.push(Part {
            html: rest.to_string(),
            form: None,
            regions: false,
        });
        let regions = site
            .regions
            .iter()
            .map(|region| notice_region(region, page.lang, links))
            .collect();
        Ok(NoticeView { parts, regions })
    }
}

/// What is wrong with the markers of a privacy notice's Markdown (`text`): what `check`
/// reports.
pub(crate) fn problems(site: &Site, page: &Page, text: &str) -> Vec<Problem> {
    markers(site, page, text).err().unwrap_or_default()
}

/// The markers of the page's Markdown (`text`), in order, each as written and what it asks
/// for. Every form and the regions must be asked for exactly once.
fn markers<'a>(
    site: &'a Site,
    page: &Page,
    text: &str,
) -> Result<Vec<(String, Block<'a>)>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut found = Vec::new();
    let mut forms_seen: Vec<&str> = Vec::new();
    let mut regions_seen = false;
    let mut in_code = false;
    for (i, line) in text.lines().enumerate() {
        let at = Location::at(&page.path, page.body_line + i, 1);
        let text = line.trim();
        if text.starts_with("```") || text.starts_with("~~~") {
            in_code = !in_code;
        }
        if in_code || !text.contains(MARKER) {
            continue;
        }
        let fail = |message: String| Problem::new(at.clone(), ProblemKind::Invalid(message));
        let Some(inner) = text
            .strip_prefix(MARKER)
            .and_then(|t| t.strip_suffix("-->"))
            .filter(|_| !text[MARKER.len()..].contains(MARKER))
        else {
            problems.push(fail(
                "a `<!-- notice: … -->` marker must be alone on its line".into(),
            ));
            continue;
        };
        let words: Vec<&str> = inner.split_whitespace().collect();
        match words.as_slice() {
            ["form", id] => match site.form(id) {
                Some(form) if forms_seen.contains(id) => problems.push(fail(format!(
                    "the data of the form `{}` is already listed above",
                    form.id
                ))),
                Some(form) => {
                    forms_seen.push(&form.id);
                    found.push((text.to_string(), Block::Form(form)));
                }
                None => problems.push(fail(format!(
                    "there is no form `{id}` (forms: {})",
                    site.forms
                        .iter()
                        .map(|f| format!("`{}`", f.id))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
            },
            ["regions"] if regions_seen => {
                problems.push(fail("the regions are already listed above".into()))
            }
            ["regions"] => {
                regions_seen = true;
                found.push((text.to_string(), Block::Regions));
            }
            _ => problems.push(fail(format!(
                "unknown marker `{text}`: use `<!-- notice: form FORM -->` (the data a form \
                 collects) or `<!-- notice: regions -->` (who answers in each region)"
            ))),
        }
    }
    for form in &site.forms {
        if !forms_seen.contains(&form.id.as_str()) {
            problems.push(Problem::invalid(
                &page.path,
                format!(
                    "the privacy notice does not say what the form `{0}` collects: add a line \
                     `<!-- notice: form {0} -->` where its list belongs",
                    form.id
                ),
            ));
        }
    }
    if !regions_seen {
        problems.push(Problem::invalid(
            &page.path,
            "the privacy notice does not say who answers in each region: add a line \
             `<!-- notice: regions -->` where that list belongs",
        ));
    }
    if problems.is_empty() {
        Ok(found)
    } else {
        Err(problems)
    }
}

fn notice_form<'a>(
    form: &'a FormDef,
    regions: &'a [Region],
    lang: Lang,
    optional: Option<&str>,
) -> NoticeForm<'a> {
    let fields = form
        .fields
        .iter()
        .filter(|f| f.kind != FieldKind::Honeypot)
        .map(|f| {
            let asking = || regions.iter().filter(|r| r.data.asks(&f.name));
            NoticeField {
                name: &f.name,
                kind: f.kind,
                required: f.required,
                label: f
                    .label
                    .as_ref()
                    .map(|l| without_optional(l.get(lang), optional)),
                asked_in: if asking().count() == regions.len() {
                    Vec::new()
                } else {
                    asking().map(|r| r.data.name.get(lang).as_str()).collect()
                },
            }
        })
        .collect();
    NoticeForm {
        id: &form.id,
        consent_version: &form.consent_version,
        fields,
    }
}

/// `Téléphone (facultatif)` → `Téléphone`, when `facultatif` is the interface's word.
pub(crate) fn without_optional(label: &str, optional: Option<&str>) -> String {
    let label = label.trim();
    optional
        .and_then(|word| label.strip_suffix(&format!("({word})")))
        .map(str::trim_end)
        .unwrap_or(label)
        .to_string()
}

fn notice_region<'a>(region: &'a Region, lang: Lang, links: &'a LinkIndex) -> NoticeRegion<'a> {
    NoticeRegion {
        region: RegionView::new(region, lang, links),
        contact_url: links.url_or_fallback(Some(&region.slug), "contact", lang),
        officer: region
            .data
            .privacy_officer
            .as_ref()
            .map(|o| officer(o, lang)),
    }
}

fn officer(o: &PrivacyOfficer, lang: Lang) -> OfficerView<'_> {
    let email = non_empty(&o.email);
    let url = non_empty(&o.url);
    let phone = o
        .phone
        .as_ref()
        .filter(|p| !p.number.trim().is_empty())
        .map(phone);
    OfficerView {
        title: o.title.get(lang),
        reachable: email.is_some() || url.is_some() || phone.is_some(),
        email,
        phone,
        url,
    }
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn phone(p: &Phone) -> PhoneView<'_> {
    PhoneView {
        number: &p.number,
        extension: p
            .extension
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty()),
        tel: p.tel_uri(),
    }
}

#[cfg(test)]
mod tests {
    use super::without_optional;

    #[test]
    fn the_optional_mark_of_a_label_is_left_to_the_notice() {
        assert_eq!(
            without_optional("Téléphone (facultatif)", Some("facultatif")),
            "Téléphone"
        );
        assert_eq!(
            without_optional("RCM or community (optional)", Some("optional")),
            "RCM or community"
        );
        assert_eq!(without_optional("Courriel", Some("facultatif")), "Courriel");
        assert_eq!(
            without_optional("Téléphone (facultatif)", None),
            "Téléphone (facultatif)"
        );
    }
}
