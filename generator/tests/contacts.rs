//! A region that shows a form says who answers: `check` lists, as warnings, every region
//! that shows a form without a relay-team channel or a person in charge of personal
//! information, with the keys to fill. Nothing is made up: the site still builds.

mod common;

use common::{plain, Fixture};
use eclaireurs_model::Unnamed;

const BSL: &str = "regions/bas-saint-laurent/region.yaml";

fn warnings(site: &Fixture) -> Vec<String> {
    site.check()
        .expect("check passes: these are warnings")
        .missing_contacts
        .iter()
        .map(|c| {
            c.to_string()
                .replace(&format!("{}/", site.content().display()), "")
        })
        .collect()
}

#[test]
fn the_real_regions_are_listed_with_the_keys_to_fill_and_still_build() {
    let site = Fixture::real();
    let report = site.build().expect("builds: nobody is invented");
    let unnamed: Vec<(&str, Unnamed)> = report
        .missing_contacts
        .iter()
        .map(|c| (c.region.as_str(), c.unnamed))
        .collect();
    assert_eq!(
        unnamed,
        [
            ("bas-saint-laurent", Unnamed::RelayTeam),
            ("bas-saint-laurent", Unnamed::PrivacyOfficer),
            ("saguenay-lac-saint-jean", Unnamed::PrivacyOfficer),
        ]
    );
    assert_eq!(
        warnings(&site),
        [
            format!(
                "{BSL}: the region shows the forms `need-report` and `registration` but gives \
                 no way to reach its relay team: fill `contact.phone`, `contact.voicemail` or \
                 `contact.email` once the team has one"
            ),
            format!(
                "{BSL}: the region shows the forms `need-report` and `registration` but names \
                 no person in charge of personal information: fill `privacy_officer.title` and \
                 one of `privacy_officer.email`, `privacy_officer.phone` or \
                 `privacy_officer.url` once the body has named one"
            ),
            "regions/saguenay-lac-saint-jean/region.yaml: the region shows the forms \
             `need-report` and `registration` but names no person in charge of personal \
             information: fill `privacy_officer.title` and one of `privacy_officer.email`, \
             `privacy_officer.phone` or `privacy_officer.url` once the body has named one"
                .to_string(),
        ]
    );
    // Bas-Saint-Laurent keeps its forms and says plainly that the contact will be announced.
    let contact = plain(&site.output("/fr/bas-saint-laurent/equipe-relais/"));
    assert!(contact.contains("n'ont pas encore été annoncées"));
    assert!(
        !contact.contains("sera nommée") && !contact.contains("recevra votre message"),
        "no promise the program may not keep"
    );
    assert!(site
        .output("/fr/bas-saint-laurent/signaler-un-besoin/")
        .contains("<form"));
}

#[test]
fn a_region_that_names_both_is_no_longer_listed() {
    let site = Fixture::real();
    let text = site.read(BSL);
    site.write(
        BSL,
        &format!(
            "{text}contact:\n  email: equipe-relais@example.ca\nprivacy_officer:\n  title:\n    \
             fr: Responsable de la protection des renseignements personnels\n    en: Person in \
             charge of the protection of personal information\n  url: https://example.ca/prp\n"
        ),
    );
    let left = warnings(&site);
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].starts_with("regions/saguenay-lac-saint-jean/"));
}

#[test]
fn blank_channels_count_as_none_and_the_key_is_located() {
    let site = Fixture::real();
    let text = site.read(BSL);
    site.write(
        BSL,
        &format!(
            "{text}contact:\n  email: \"  \"\nprivacy_officer:\n  title: {{ fr: Responsable, \
             en: Officer }}\n  email: \"\"\n"
        ),
    );
    let lines = text.lines().count();
    let left = warnings(&site);
    assert!(
        left[0].starts_with(&format!("{BSL}:{}:1: the region shows", lines + 1)),
        "{left:?}"
    );
    assert!(
        left[0].contains("no way to reach its relay team"),
        "{left:?}"
    );
    assert_eq!(
        left[1],
        format!(
            "{BSL}:{}:1: the region shows the forms `need-report` and `registration` but gives \
             no way to reach its person in charge of personal information: fill \
             `privacy_officer.email`, `privacy_officer.phone` or `privacy_officer.url`",
            lines + 3
        )
    );
}

#[test]
fn a_region_that_shows_no_form_is_not_asked() {
    let site = Fixture::real();
    for lang in ["fr", "en"] {
        site.edit(
            &format!("regions/bas-saint-laurent/{lang}/register.md"),
            "form: registration\n",
            "",
        );
        site.edit(
            &format!("regions/bas-saint-laurent/{lang}/report-need.md"),
            "form: need-report\n",
            "",
        );
    }
    let left = warnings(&site);
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(
        left[0].starts_with("regions/saguenay-lac-saint-jean/region.yaml: the region shows"),
        "only the region that still shows a form: {left:?}"
    );
}

#[test]
fn the_need_report_asks_for_the_situation_not_who_the_person_is_or_their_health() {
    let site = Fixture::real();
    site.build().expect("builds");
    for (url, hints) in [
        (
            "/fr/bas-saint-laurent/signaler-un-besoin/",
            [
                "la situation collective que vous avez remarquée : ce qui manque, où, depuis quand",
                "Ne parlez pas d'une personne en particulier",
                "n'écrivez ni son nom, ni son adresse, ni son apparence, ni aucun détail sur sa santé",
            ],
        ),
        (
            "/en/saguenay-lac-saint-jean/report-a-need/",
            [
                "the collective situation you noticed: what is missing, where, since when",
                "Do not write about a particular person",
                "not their name, their address, what they look like or anything about their health",
            ],
        ),
    ] {
        let page = plain(&site.output(url));
        for hint in hints {
            assert!(page.contains(hint), "{url}: {hint}");
        }
    }
}
