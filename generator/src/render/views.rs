//! What templates see: the content model turned into one language's plain values, so
//! templates never pick a language themselves.

use serde::Serialize;

use eclaireurs_model::form::{Field, FieldKind, FormDef};
use eclaireurs_model::region::{Contact, Person, Phone, TerritoryKind};
use eclaireurs_model::{Lang, Region};

use crate::links::LinkIndex;

#[derive(Serialize)]
pub struct RegionView<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub organization: &'a str,
    pub territory_label: &'a str,
    /// The region's home in this language (or the other one, if not translated yet).
    pub url: Option<&'a str>,
    pub territories: Vec<TerritoryView<'a>>,
    /// Whether the region's contacts are people in each territory (some are named, or the
    /// region has no channel of its own), rather than one regional relay team.
    pub local_contacts: bool,
    pub contact: Option<ContactView<'a>>,
    pub links: Vec<LinkView<'a>>,
    /// The region's own registration form elsewhere, which its registration page links
    /// (`registration: { external: … }`); `None` when people register on the site.
    pub registration_url: Option<&'a str>,
}

#[derive(Serialize)]
pub struct TerritoryView<'a> {
    pub name: &'a str,
    /// `mrc`, `equivalent` or `community`: templates name it with `t.region.kinds`.
    pub kind: TerritoryKind,
    /// `None` when no contact person is named yet, so templates say so instead of
    /// printing empty lines.
    pub contact: Option<PersonView<'a>>,
}

#[derive(Serialize)]
pub struct PersonView<'a> {
    pub name: Option<&'a str>,
    pub role: Option<&'a str>,
    pub phone: Option<PhoneView<'a>>,
    pub email: Option<&'a str>,
}

#[derive(Serialize)]
pub struct PhoneView<'a> {
    pub number: &'a str,
    pub extension: Option<&'a str>,
    /// The `tel:` address phones dial.
    pub tel: String,
}

#[derive(Serialize)]
pub struct ContactView<'a> {
    pub phone: Option<PhoneView<'a>>,
    pub voicemail: Option<PhoneView<'a>>,
    pub email: Option<&'a str>,
}

#[derive(Serialize)]
pub struct LinkView<'a> {
    pub label: &'a str,
    pub url: &'a str,
    pub note: Option<&'a str>,
}

#[derive(Serialize)]
pub struct NavItem<'a> {
    pub title: &'a str,
    pub url: String,
}

impl<'a> RegionView<'a> {
    pub fn new(region: &'a Region, lang: Lang, links: &'a LinkIndex) -> Self {
        let data = &region.data;
        RegionView {
            slug: &region.slug,
            name: data.name.get(lang),
            organization: data.organization.get(lang),
            territory_label: data.territory_label.get(lang),
            url: links.url_or_fallback(Some(&region.slug), "index", lang),
            territories: data
                .territories
                .iter()
                .map(|t| TerritoryView {
                    name: &t.name,
                    kind: t.kind,
                    contact: t
                        .contact
                        .as_ref()
                        .filter(|p| !p.is_empty())
                        .map(|p| person(p, lang)),
                })
                .collect(),
            local_contacts: data.contact.is_empty()
                || data
                    .territories
                    .iter()
                    .any(|t| t.contact.as_ref().is_some_and(|p| !p.is_empty())),
            contact: Some(&data.contact).filter(|c| !c.is_empty()).map(contact),
            links: data
                .links
                .iter()
                .map(|l| LinkView {
                    label: l.label.get(lang),
                    url: &l.url,
                    note: l
                        .note
                        .as_ref()
                        .map(|n| n.get(lang).as_str())
                        .filter(|n| !n.is_empty()),
                })
                .collect(),
            registration_url: data.external_registration(),
        }
    }
}

/// The region's menu: pages listed in the menu, in their `order`.
pub fn nav<'a>(region: &'a Region, lang: Lang) -> Vec<NavItem<'a>> {
    let mut pages: Vec<_> = region
        .pages
        .iter()
        .filter(|p| p.lang == lang && p.meta.menu)
        .collect();
    pages.sort_by(|a, b| (a.meta.order, &a.meta.title).cmp(&(b.meta.order, &b.meta.title)));
    pages
        .into_iter()
        .map(|p| NavItem {
            title: p.meta.menu_title.as_deref().unwrap_or(&p.meta.title),
            url: p.url().to_string(),
        })
        .collect()
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn phone(p: &Phone) -> PhoneView<'_> {
    PhoneView {
        number: &p.number,
        extension: non_empty(&p.extension),
        tel: p.tel_uri(),
    }
}

fn person(p: &Person, lang: Lang) -> PersonView<'_> {
    PersonView {
        name: non_empty(&p.name),
        role: p.role.as_ref().map(|r| r.get(lang).as_str()),
        phone: p.phone.as_ref().map(phone),
        email: non_empty(&p.email),
    }
}

fn contact(c: &Contact) -> ContactView<'_> {
    ContactView {
        phone: c.phone.as_ref().map(phone),
        voicemail: c.voicemail.as_ref().map(phone),
        email: non_empty(&c.email),
    }
}

#[derive(Serialize)]
pub struct FormView<'a> {
    pub id: &'a str,
    /// Where the form posts: the API address of its endpoint.
    pub action: String,
    pub submit: &'a str,
    pub consent_version: &'a str,
    /// The thank-you page, where the script goes after a submission sent as JSON.
    pub thanks: Option<String>,
    /// Set by the page: the catalog version, the region and the language.
    pub hidden: Vec<(&'a str, &'a str)>,
    pub honeypot: Option<&'a str>,
    pub groups: Vec<GroupView<'a>>,
}

#[derive(Serialize)]
pub struct GroupView<'a> {
    pub id: Option<&'a str>,
    pub legend: Option<&'a str>,
    pub hint: Option<&'a str>,
    pub fields: Vec<FieldView<'a>>,
}

#[derive(Serialize)]
pub struct FieldView<'a> {
    pub name: &'a str,
    /// The element id, unique in the page: `registration-first_name`.
    pub id: String,
    pub kind: FieldKind,
    /// The `type` of an `<input>`: text, email or tel.
    pub input_type: &'static str,
    pub required: bool,
    pub label: &'a str,
    pub hint: Option<&'a str>,
    pub min_length: Option<u32>,
    pub max_length: Option<u32>,
    pub autocomplete: Option<&'a str>,
    pub choices: Vec<ChoiceView<'a>>,
}

#[derive(Serialize)]
pub struct ChoiceView<'a> {
    pub value: &'a str,
    pub label: &'a str,
    /// For a territory: what it is (`t.region.kinds`).
    pub kind: Option<TerritoryKind>,
    pub hint: Option<&'a str>,
    pub id: String,
}

impl<'a> FormView<'a> {
    pub fn new(
        form: &'a FormDef,
        region: &'a Region,
        lang: Lang,
        api_url: &str,
        links: &LinkIndex,
        catalog_version: Option<&'a str>,
    ) -> Self {
        // The function compares it with its own catalog, so a page built from other form
        // definitions shows in its logs. (Without it in the function's catalog, which
        // puts its own version.)
        let mut hidden: Vec<(&str, &str)> = catalog_version
            .map(|v| ("catalog_version", v))
            .into_iter()
            .collect();
        let mut honeypot = None;
        let mut groups: Vec<GroupView> = Vec::new();
        for field in &form.fields {
            match field.kind {
                FieldKind::Region => hidden.push((field.name.as_str(), region.slug.as_str())),
                FieldKind::Language => hidden.push((field.name.as_str(), lang.code())),
                FieldKind::Honeypot => honeypot = Some(field.name.as_str()),
                // The roles, where every éclaireur holds them all (`roles: held`).
                _ if !region.data.asks(&field.name) => {}
                _ => {
                    let view = field_view(form, field, region, lang);
                    let group_id = field.group.as_deref();
                    // Consecutive fields of one group share a fieldset.
                    match groups.last_mut() {
                        Some(last) if last.id == group_id && group_id.is_some() => {
                            last.fields.push(view)
                        }
                        _ => {
                            let group =
                                group_id.and_then(|id| form.groups.iter().find(|g| g.id == id));
                            groups.push(GroupView {
                                id: group_id,
                                legend: group.map(|g| g.legend.get(lang).as_str()),
                                hint: group
                                    .and_then(|g| g.hint.as_ref())
                                    .map(|h| h.get(lang).as_str()),
                                fields: vec![view],
                            });
                        }
                    }
                }
            }
        }
        FormView {
            id: &form.id,
            action: format!("{}/{}", api_url, form.endpoint),
            submit: form.submit.get(lang),
            consent_version: &form.consent_version,
            thanks: links
                .url_or_fallback(Some(&region.slug), &form.thanks_page, lang)
                .map(str::to_string),
            hidden,
            honeypot,
            groups,
        }
    }
}

fn field_view<'a>(
    form: &'a FormDef,
    field: &'a Field,
    region: &'a Region,
    lang: Lang,
) -> FieldView<'a> {
    let id = format!("{}-{}", form.id, field.name);
    let choices = match field.kind {
        FieldKind::Territory => region
            .data
            .territories
            .iter()
            .enumerate()
            .map(|(i, t)| ChoiceView {
                value: &t.name,
                label: &t.name,
                kind: Some(t.kind),
                hint: None,
                id: format!("{id}-{i}"),
            })
            .collect(),
        _ => region
            .data
            .choices(&field.name)
            .unwrap_or(&field.choices)
            .iter()
            .map(|c| ChoiceView {
                value: &c.value,
                label: c.label.get(lang),
                kind: None,
                hint: c.hint.as_ref().map(|h| h.get(lang).as_str()),
                id: format!("{id}-{}", c.value),
            })
            .collect(),
    };
    FieldView {
        name: &field.name,
        input_type: match field.kind {
            FieldKind::Email => "email",
            FieldKind::Tel => "tel",
            _ => "text",
        },
        kind: field.kind,
        required: field.required,
        label: field
            .label
            .as_ref()
            .map(|l| l.get(lang).as_str())
            .unwrap_or_default(),
        hint: field.hint.as_ref().map(|h| h.get(lang).as_str()),
        min_length: field.min_length,
        max_length: field.max_length,
        autocomplete: field.autocomplete.as_deref(),
        choices,
        id,
    }
}
