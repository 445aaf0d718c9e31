//! The privacy notice says what the system does: its lists of data come from the form
//! definitions, its regions from their region.yaml, and its promises (retention) from the
//! deployment template; a notice that forgets a form does not build.
//! (tests/template/check_template.py holds its "who sees it" to the template's policies.)

mod common;

use common::{plain, repo, Fixture};
use eclaireurs_model::form::FieldKind;
use eclaireurs_model::{Lang, Site};

const NOTICE: [(Lang, &str); 2] = [
    (Lang::Fr, "/fr/confidentialite/"),
    (Lang::En, "/en/privacy/"),
];

/// Built HTML as a reader sees its text: entities decoded, typography folded back.
fn text(html: &str) -> String {
    plain(
        &html
            .replace("&#39;", "'")
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// The part of `html` from the element that contains `start` to the next `end`.
fn section<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in the notice"));
    let to = html[from..].find(end).map_or(html.len(), |i| from + i);
    &html[from..to]
}

fn words(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::Fr => ("obligatoire", "facultatif"),
        Lang::En => ("required", "optional"),
    }
}

/// The label a form shows, without the "(optional)" the notice says its own way.
fn label(field: &eclaireurs_model::Field, lang: Lang) -> String {
    let label = field.label.as_ref().expect("a label").get(lang).trim();
    let (_, optional) = words(lang);
    label
        .strip_suffix(&format!("({optional})"))
        .unwrap_or(label)
        .trim_end()
        .to_string()
}

/// Checks that the built notice lists, for every form of `site`, every field its definition
/// has, required or optional as defined, and nothing the form does not collect.
fn assert_every_field_is_listed(built: &Fixture, site: &Site) {
    assert!(!site.forms.is_empty());
    for (lang, url) in NOTICE {
        let html = built.output(url);
        let (required, optional) = words(lang);
        for form in &site.forms {
            let list = text(section(
                &html,
                &format!("<ul class=\"notice-data\" id=\"notice-data-{}\"", form.id),
                "</ul>",
            ));
            let items: Vec<&str> = list.split("<li").skip(1).collect();
            let listed = form
                .fields
                .iter()
                .filter(|f| f.kind != FieldKind::Honeypot)
                .count();
            assert_eq!(
                items.len(),
                listed + 1,
                "{url}, {}: one item per stored field, and what the system adds:\n{list}",
                form.id
            );
            for field in &form.fields {
                let which = format!("{url}, {}, {}", form.id, field.name);
                match field.kind {
                    FieldKind::Honeypot => assert!(
                        !list.contains(&format!("data-field=\"{}\"", field.name)),
                        "{which}: the honeypot is never stored"
                    ),
                    FieldKind::Region | FieldKind::Language => {}
                    FieldKind::Consent => {
                        let consent = label(field, lang);
                        assert!(list.contains(&consent), "{which}: the consent text");
                        assert!(
                            list.contains(&format!("{} {}", "version", form.consent_version)),
                            "{which}: the consent version"
                        );
                    }
                    _ => {
                        let item = items
                            .iter()
                            .find(|i| i.contains(&format!("data-field=\"{}\"", field.name)))
                            .unwrap_or_else(|| panic!("{which}: not listed\n{list}"));
                        let expected = format!(
                            "<strong>{}</strong> ({})",
                            label(field, lang),
                            if field.required { required } else { optional }
                        );
                        assert!(item.contains(&expected), "{which}: {item} lacks {expected}");
                    }
                }
            }
        }
    }
}

#[test]
fn the_notice_lists_every_field_of_every_form_as_its_definition_says() {
    let built = Fixture::real();
    built.build().expect("the real site builds");
    let site = Site::load(&built.content(), eclaireurs_model::LoadOptions::PUBLISHED)
        .expect("the real content loads");
    assert_every_field_is_listed(&built, &site);
    // The hand-written lists of old said, e.g., that a need report's phone came with a name.
    let fr = text(&built.output("/fr/confidentialite/"));
    assert!(fr.contains("<strong>Téléphone</strong> (facultatif)"));
    assert!(fr.contains("(version 2026-12-03)"));
}

#[test]
fn a_changed_form_definition_changes_the_notice_without_editing_it() {
    let site = Fixture::real();
    site.edit(
        "forms/registration.yaml",
        "    required: true\n    max_length: 100\n    autocomplete: address-level2",
        "    max_length: 100\n    autocomplete: address-level2",
    );
    site.edit(
        "forms/need-report.yaml",
        "  - name: consent\n",
        "  - name: since_when\n    type: text\n    group: need\n    max_length: 100\n    \
         label: { fr: Depuis quand, en: Since when }\n    \
         purpose: { fr: Savoir depuis quand, en: To know since when }\n  - name: consent\n",
    );
    site.build().expect("builds");
    let content =
        Site::load(&site.content(), eclaireurs_model::LoadOptions::PUBLISHED).expect("loads");
    assert_every_field_is_listed(&site, &content);
    let fr = text(&site.output("/fr/confidentialite/"));
    assert!(
        fr.contains("<strong>Municipalité</strong> (facultatif)"),
        "{fr}"
    );
    assert!(
        fr.contains("<strong>Depuis quand</strong> (facultatif)"),
        "{fr}"
    );
    let en = text(&site.output("/en/privacy/"));
    assert!(
        en.contains("<strong>Since when</strong> (optional)"),
        "{en}"
    );
}

#[test]
fn a_notice_that_forgets_a_form_or_names_one_that_does_not_exist_does_not_build() {
    let site = Fixture::real();
    site.edit(
        "pages/fr/privacy.md",
        "<!-- notice: form need-report -->\n",
        "",
    );
    let error = site.build_error();
    assert!(
        error.contains(
            "pages/fr/privacy.md: the privacy notice does not say what the form `need-report` \
             collects: add a line `<!-- notice: form need-report -->` where its list belongs"
        ),
        "{error}"
    );

    let site = Fixture::real();
    let line = site
        .read("pages/en/privacy.md")
        .lines()
        .position(|l| l == "<!-- notice: form registration -->")
        .expect("the marker")
        + 1;
    site.edit(
        "pages/en/privacy.md",
        "<!-- notice: form registration -->",
        "<!-- notice: form registrations -->",
    );
    let error = site.build_error();
    assert!(
        error.contains(&format!(
            "pages/en/privacy.md:{line}:1: there is no form `registrations` (forms: \
             `need-report`, `registration`)"
        )),
        "{error}"
    );
    assert!(
        error.contains("the privacy notice does not say what the form `registration` collects"),
        "{error}"
    );

    let site = Fixture::real();
    site.edit("pages/fr/privacy.md", "<!-- notice: regions -->\n", "");
    let error = site.build_error();
    assert!(
        error.contains(
            "pages/fr/privacy.md: the privacy notice does not say who answers in each region"
        ),
        "{error}"
    );
}

#[test]
fn each_region_shows_its_body_relay_team_and_person_in_charge_or_says_they_are_to_come() {
    let site = Fixture::real();
    site.build().expect("builds");
    let content =
        Site::load(&site.content(), eclaireurs_model::LoadOptions::PUBLISHED).expect("loads");
    for (lang, url) in NOTICE {
        let html = site.output(url);
        for region in &content.regions {
            let block = text(section(
                &html,
                &format!("data-region=\"{}\"", region.slug),
                "</dl>",
            ));
            assert!(
                block.contains(region.data.organization.get(lang).as_str()),
                "{url}, {}: its body\n{block}",
                region.slug
            );
            let to_come = match lang {
                Lang::Fr => "À annoncer",
                Lang::En => "To be announced",
            };
            // Neither region has named its person in charge: said, never invented.
            assert!(region.data.privacy_officer.is_none());
            // Its three entries: the body, the person in charge, the relay team.
            let entries: Vec<&str> = block.split("<dt>").skip(1).collect();
            assert_eq!(entries.len(), 3, "{block}");
            let (officer, team) = (entries[1], entries[2]);
            assert!(
                officer.contains(to_come),
                "{url}, {}: {officer}",
                region.slug
            );
            match &region.data.contact.email {
                Some(email) => assert!(team.contains(&format!("mailto:{email}")), "{team}"),
                None => assert!(team.contains(to_come), "{url}, {}: {team}", region.slug),
            }
        }
    }
    // The Saguenay–Lac-Saint-Jean voicemail, exact.
    assert!(text(&site.output("/fr/confidentialite/")).contains("tel:+18776692007;ext=6006"));

    // Once a body names its person in charge, the notice shows the title and the channel.
    let named = Fixture::real();
    named.edit(
        "regions/saguenay-lac-saint-jean/region.yaml",
        "# The regional relay team: voice message and email.\n",
        "privacy_officer:\n  title:\n    fr: Responsable de la protection des renseignements personnels\n    \
         en: Person in charge of the protection of personal information\n  \
         email: prp.test@example.ca\n  phone: { number: \"418 555-0199\", extension: \"12\" }\n\
         # The regional relay team: voice message and email.\n",
    );
    named.build().expect("builds");
    let fr = text(&named.output("/fr/confidentialite/"));
    let slsj = section(&fr, "data-region=\"saguenay-lac-saint-jean\"", "</dl>");
    assert!(
        slsj.contains("Responsable de la protection des renseignements personnels"),
        "{slsj}"
    );
    assert!(
        slsj.contains("href=\"mailto:prp.test@example.ca\""),
        "{slsj}"
    );
    assert!(slsj.contains("href=\"tel:+14185550199;ext=12\""), "{slsj}");
    let bsl = section(&fr, "data-region=\"bas-saint-laurent\"", "</dl>");
    assert!(bsl.contains("À annoncer"), "{bsl}");
}

#[test]
fn the_notice_states_the_law_the_body_the_rights_and_the_templates_retention() {
    let site = Fixture::real();
    site.build().expect("builds");
    let template: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string(repo().join("template.yaml")).expect("template.yaml"),
    )
    .expect("template");
    let days = template["Parameters"]["RetentionDays"]["Default"]
        .as_u64()
        .expect("RetentionDays");
    assert_eq!(days % 365, 0, "RetentionDays is whole years");
    let years = days / 365;
    let fr = text(&site.output("/fr/confidentialite/"));
    let en = text(&site.output("/en/privacy/"));
    for fact in [
        "Depuis le 1er décembre 2024, les CISSS et les CIUSSS font partie de Santé Québec",
        "Santé Québec est donc l'organisme public responsable de vos renseignements",
        "Loi sur l'accès aux documents des organismes publics et sur la protection des \
         renseignements personnels (RLRQ, chapitre A-2.1), modifiée en 2021",
        "Loi 25",
        &format!("Elle est supprimée {years} ans après votre dernier contact avec l'équipe-relais"),
        &format!("il est supprimé {years} ans après sa réception"),
        "pendant 35 jours",
        "au plus tard 30 jours après la réception de votre demande (Loi sur l'accès, article 98)",
        "Si vous avez moins de 14 ans, c'est la personne titulaire de l'autorité parentale (votre \
         parent) ou votre tutrice ou votre tuteur qui doit consentir",
        "Commission d'accès à l'information",
        "1 888 528-7741",
        "les coordonnatrices et les coordonnateurs peuvent lire les envois de toutes les régions",
        "<code>ca-central-1</code>",
        "n'écrivez ni le nom, ni l'adresse, ni l'apparence de quelqu'un, ni aucun détail sur sa santé",
        "https://www.cai.gouv.qc.ca/commission-acces-information/nous-joindre",
        // Who is on the relay team, since Bas-Saint-Laurent's includes partner organizations.
        "des intervenantes et des intervenants d'organismes partenaires du milieu, comme au \
         Bas-Saint-Laurent",
    ] {
        assert!(fr.contains(fact), "the French notice says: {fact}");
    }
    for fact in [
        "Since 1 December 2024, the CISSS and CIUSSS are part of Santé Québec",
        "Santé Québec is therefore the public body responsible for your information",
        "Act respecting access to documents held by public bodies and the protection of \
         personal information (CQLR, chapter A-2.1), amended in 2021",
        "Law 25",
        &format!("It is deleted {years} years after your last contact with the relay team"),
        &format!("it is deleted {years} years after it is received"),
        "for 35 days",
        "at the latest 30 days after we receive your request (Act respecting access, section 98)",
        "If you are under 14, the person having parental authority (your parent) or your tutor \
         must give the consent",
        "Commission d'accès à l'information",
        "1 888 528-7741",
        "the coordinators can read the submissions of every region",
        "<code>ca-central-1</code>",
        "not anyone's name, address or appearance, nor any detail about their health",
        "https://www.cai.gouv.qc.ca/commission-acces-information/nous-joindre",
        "workers from local partner organizations, as in Bas-Saint-Laurent",
    ] {
        assert!(en.contains(fact), "the English notice says: {fact}");
    }
    // What the old notice said and the template does not do.
    assert!(!fr.contains("Seule l'équipe-relais de la région concernée peut voir"));
    assert!(!en.contains("Only the relay team of the region concerned can see"));
}
