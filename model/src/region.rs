//! A region's data (`regions/<slug>/region.yaml`): names, territories, contact channels, links.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::form::Choice;
use crate::lang::Localized;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionData {
    pub name: Localized,
    /// The health and social services body that runs the network in the region.
    pub organization: Localized,
    /// What the territories are called, e.g. `{fr: MRC, en: RCM}`.
    pub territory_label: Localized,
    #[serde(default)]
    pub territories: Vec<Territory>,
    #[serde(default)]
    pub contact: Contact,
    #[serde(default)]
    pub links: Vec<Link>,
    /// How this region words the choices of the shared forms, by field name (`roles`): the
    /// same values (what is stored), the region's own labels and descriptions. Every choice
    /// of every form needs one here, so a region never shows another region's wording.
    #[serde(default)]
    pub choices: BTreeMap<String, Vec<Choice>>,
    /// Whether each éclaireur chooses among the roles (`chosen`: the registration form asks
    /// which) or holds them all (`held`: the form does not ask).
    #[serde(default)]
    pub roles: Roles,
    /// How people register as éclaireurs: through the site's form (`site`), or through a
    /// form the region already has elsewhere (`external: https://…`), which its registration
    /// page then links instead of showing the site's form.
    #[serde(default)]
    pub registration: Registration,
    /// The person in charge of the protection of personal information of the region's body
    /// (what the privacy notice names, and whom privacy requests reach). Not invented: left
    /// out until the body names one, which `check` reports.
    #[serde(default)]
    pub privacy_officer: Option<PrivacyOfficer>,
    /// The region's body's logo, shown in the header of its pages: a picture in the region's
    /// `static/` folder (or its own folder) and its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<Logo>,
    /// A region still being set up: `serve` shows it, `build` and `publish` leave it out
    /// (pages, region lists, sitemap, the function's catalog). `new-region` writes one.
    #[serde(default)]
    pub draft: bool,
}

/// A region's logo (`logo: { file: logo.svg, alt: { fr: …, en: … } }`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Logo {
    /// The picture's file name, in the region's `static/` folder.
    pub file: String,
    /// What it shows, for people who cannot see it (usually the body's name).
    pub alt: Localized,
}

/// Who answers privacy requests for a region: a title (never a made-up name) and at least
/// one channel.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacyOfficer {
    /// E.g. `{fr: Responsable de la protection des renseignements personnels, en: …}`.
    pub title: Localized,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<Phone>,
    /// A page of the body about privacy requests.
    #[serde(default)]
    pub url: Option<String>,
}

impl PrivacyOfficer {
    /// Whether it names a way to reach the person.
    pub fn has_channel(&self) -> bool {
        filled(self.email.as_deref())
            || self.phone.as_ref().is_some_and(Phone::is_filled)
            || filled(self.url.as_deref())
    }
}

/// A value written, not left blank.
fn filled(value: Option<&str>) -> bool {
    value.is_some_and(|v| !v.trim().is_empty())
}

impl RegionData {
    /// The region's wording of a field's choices, if it has one.
    pub fn choices(&self, field: &str) -> Option<&[Choice]> {
        self.choices.get(field).map(Vec::as_slice)
    }

    /// Whether the region's forms ask this field: not the roles where every éclaireur holds
    /// them all.
    pub fn asks(&self, field: &str) -> bool {
        !(field == ROLES_FIELD && self.roles == Roles::Held)
    }

    /// The address of the region's own registration form, when it registers there.
    pub fn external_registration(&self) -> Option<&str> {
        match &self.registration {
            Registration::Site => None,
            Registration::External { external } => Some(external),
        }
    }
}

/// The field of the registration form that holds the roles.
pub const ROLES_FIELD: &str = "roles";

/// The form that [`Registration::External`] replaces.
pub const REGISTRATION_FORM: &str = "registration";

/// How a region's éclaireurs take on the roles (`roles:` in `region.yaml`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Roles {
    /// Each chooses among them, by interest: the form asks which.
    #[default]
    Chosen,
    /// Every éclaireur holds them all: the form does not ask.
    Held,
}

/// Where a region's people register (`registration:` in `region.yaml`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Registration {
    /// `registration: site`: the site's own form, on the page that says `form: registration`.
    #[default]
    Site,
    /// `registration: { external: https://… }`: a form the region already has elsewhere.
    External { external: String },
}

/// What `registration:` may say, for the error of a value it cannot hold.
const REGISTRATION_VALUES: &str =
    "`registration` is `site` (the site's form) or `{ external: https://… }` (the address of \
     the region's own form)";

impl<'de> Deserialize<'de> for Registration {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Registration;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(REGISTRATION_VALUES)
            }

            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Registration, E> {
                match value {
                    "site" => Ok(Registration::Site),
                    _ => Err(E::custom(REGISTRATION_VALUES)),
                }
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Registration, A::Error> {
                use serde::de::Error;
                let mut external: Option<String> = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "external" if external.is_none() => external = Some(map.next_value()?),
                        _ => return Err(A::Error::custom(REGISTRATION_VALUES)),
                    }
                }
                match external {
                    Some(url) if url.starts_with("https://") => {
                        Ok(Registration::External { external: url })
                    }
                    _ => Err(A::Error::custom(
                        "`registration.external` is the address of the region's own form, \
                         starting with https://",
                    )),
                }
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Territory {
    /// Place names are proper nouns, the same in both languages.
    pub name: String,
    /// What the territory is, shown beside its name (`mrc` when not given).
    #[serde(default)]
    pub kind: TerritoryKind,
    /// The local contact person, when one is named.
    #[serde(default)]
    pub contact: Option<Person>,
}

/// The kinds of territories of a region, as Quebec names them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TerritoryKind {
    /// A regional county municipality (MRC).
    #[default]
    Mrc,
    /// A territory equivalent to an MRC, such as Ville de Saguenay.
    Equivalent,
    /// An Innu community, such as Mashteuiatsh.
    Community,
}

impl TerritoryKind {
    /// The key of its name in the UI strings (`region.kinds.mrc`…).
    pub fn key(self) -> &'static str {
        match self {
            TerritoryKind::Mrc => "region.kinds.mrc",
            TerritoryKind::Equivalent => "region.kinds.equivalent",
            TerritoryKind::Community => "region.kinds.community",
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub role: Option<Localized>,
    #[serde(default)]
    pub phone: Option<Phone>,
    #[serde(default)]
    pub email: Option<String>,
}

impl Person {
    /// A contact with nothing filled in, as in a document still to be completed.
    pub fn is_empty(&self) -> bool {
        self.name.as_deref().is_none_or(|n| n.trim().is_empty())
            && self.phone.is_none()
            && self.email.as_deref().is_none_or(|e| e.trim().is_empty())
    }
}

/// The region's own channels. Every one is optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[serde(default)]
    pub phone: Option<Phone>,
    /// A line where people leave a voice message.
    #[serde(default)]
    pub voicemail: Option<Phone>,
    #[serde(default)]
    pub email: Option<String>,
}

impl Contact {
    pub fn is_empty(&self) -> bool {
        self.phone.is_none() && self.voicemail.is_none() && self.email.is_none()
    }

    /// Whether it gives a way to reach the relay team (blank values are none).
    pub fn has_channel(&self) -> bool {
        self.phone.as_ref().is_some_and(Phone::is_filled)
            || self.voicemail.as_ref().is_some_and(Phone::is_filled)
            || filled(self.email.as_deref())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phone {
    /// As written for people, e.g. `1 877 669-2007`.
    pub number: String,
    #[serde(default)]
    pub extension: Option<String>,
}

impl Phone {
    /// Whether a number is written.
    pub fn is_filled(&self) -> bool {
        self.number.chars().any(|c| c.is_ascii_alphanumeric())
    }

    /// A `tel:` address that phones dial, e.g. `tel:+18776692007;ext=6006`.
    pub fn tel_uri(&self) -> String {
        let digits: String = self.number.chars().filter(char::is_ascii_digit).collect();
        let international = match digits.len() {
            10 => format!("+1{digits}"),
            11 if digits.starts_with('1') => format!("+{digits}"),
            _ => digits,
        };
        match &self.extension {
            Some(ext) => format!("tel:{international};ext={ext}"),
            None => format!("tel:{international}"),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub label: Localized,
    pub url: String,
    /// Said after the link, e.g. `{fr: "", en: "(in French)"}`.
    #[serde(default)]
    pub note: Option<Localized>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(extra: &str) -> Result<RegionData, serde_yaml::Error> {
        serde_yaml::from_str(&format!(
            "name: {{ fr: R, en: R }}\norganization: {{ fr: O, en: O }}\n\
             territory_label: {{ fr: MRC, en: RCM }}\n{extra}"
        ))
    }

    #[test]
    fn a_region_registers_on_the_site_and_lets_each_choose_roles_unless_it_says_otherwise() {
        let plain = region("").expect("parses");
        assert_eq!(plain.roles, Roles::Chosen);
        assert!(plain.asks(ROLES_FIELD));
        assert_eq!(plain.external_registration(), None);
        let held = region("roles: held\nregistration: site\n").expect("parses");
        assert!(!held.asks(ROLES_FIELD) && held.asks("email"));
        assert_eq!(held.external_registration(), None);
        let external =
            region("registration: { external: https://forms.example.ca/x }\n").expect("parses");
        assert_eq!(
            external.external_registration(),
            Some("https://forms.example.ca/x")
        );
        for wrong in [
            "registration: elsewhere\n",
            "registration: { external: http://x.ca }\n",
            "registration: { url: https://x.ca }\n",
        ] {
            let err = region(wrong).expect_err(wrong).to_string();
            assert!(err.contains("`registration"), "{wrong}: {err}");
        }
        assert!(region("roles: some\n").is_err());
    }

    #[test]
    fn phone_numbers_become_dialable_addresses_with_their_extension() {
        let phone = Phone {
            number: "1 877 669-2007".into(),
            extension: Some("6006".into()),
        };
        assert_eq!(phone.tel_uri(), "tel:+18776692007;ext=6006");
        let local = Phone {
            number: "418 555-0123".into(),
            extension: None,
        };
        assert_eq!(local.tel_uri(), "tel:+14185550123");
    }

    #[test]
    fn a_contact_with_only_blanks_counts_as_empty() {
        let blank = Person {
            name: Some("  ".into()),
            role: None,
            phone: None,
            email: Some(String::new()),
        };
        assert!(blank.is_empty());
        let named = Person {
            name: Some("Julie".into()),
            ..Person::default()
        };
        assert!(!named.is_empty());
    }
}
