//! The real content builds into the site the README describes: both regions in both
//! languages, every seed fact exact, forms with the API's field names.

mod common;

use common::{attributes, pages, plain, Fixture};

const REGIONS: [&str; 2] = ["saguenay-lac-saint-jean", "bas-saint-laurent"];

fn built() -> Fixture {
    let site = Fixture::real();
    let report = site.build().expect("the real site builds");
    assert!(
        report.missing_translations.is_empty(),
        "{:?}",
        report.missing_translations
    );
    site
}

#[test]
fn every_region_has_a_home_in_each_language_and_the_site_has_its_fixed_addresses() {
    let site = built();
    for region in REGIONS {
        for lang in ["fr", "en"] {
            let home = site.output(&format!("/{lang}/{region}/"));
            assert!(
                home.contains(&format!("<html lang=\"{lang}\">")),
                "{lang}/{region}"
            );
        }
    }
    for fixed in [
        "/",
        "/fr/",
        "/en/",
        "/404.html",
        "/sitemap.xml",
        "/robots.txt",
    ] {
        site.output(fixed);
    }
    let portal = site.output("/");
    for region in REGIONS {
        assert!(
            portal.contains(&format!("href=\"/fr/{region}/\"")),
            "portal lists {region} in French"
        );
        assert!(
            portal.contains(&format!("href=\"/en/{region}/\"")),
            "portal lists {region} in English"
        );
    }
}

#[test]
fn saguenay_lac_saint_jean_facts_are_exact_in_both_languages() {
    let site = built();
    for lang in ["fr", "en"] {
        let all: String = pages(&site.out().join(lang).join("saguenay-lac-saint-jean"))
            .into_iter()
            .map(|(_, html)| plain(&html))
            .collect();
        for fact in [
            "1 877 669-2007",
            "tel:+18776692007;ext=6006",
            "6006",
            "02.ciuss.leseclaireurs@ssss.gouv.qc.ca",
            "https://bit.ly/CapsulesEclaireur",
        ] {
            assert!(all.contains(fact), "{lang}: missing {fact}");
        }
        let five = if lang == "fr" {
            "cinq agentes de liaison"
        } else {
            "five liaison"
        };
        assert!(
            all.contains(five),
            "{lang}: the relay team of five liaison agents"
        );
    }
}

#[test]
fn bas_saint_laurent_lists_its_eight_mrcs_without_blank_contacts() {
    let site = built();
    let mrcs = [
        "Kamouraska",
        "Rivière-du-Loup",
        "Témiscouata",
        "Les Basques",
        "Rimouski-Neigette",
        "La Mitis",
        "La Matanie",
        "La Matapédia",
    ];
    for (url, to_come) in [
        (
            "/fr/bas-saint-laurent/equipe-relais/",
            "personne-ressource à annoncer",
        ),
        (
            "/en/bas-saint-laurent/relay-team/",
            "contact person to be announced",
        ),
    ] {
        let html = site.output(url);
        for mrc in mrcs {
            assert!(
                html.contains(&format!("<span class=\"territory-name\">{mrc}</span>")),
                "{url}: {mrc}"
            );
        }
        assert_eq!(
            html.matches(to_come).count(),
            8,
            "{url}: each MRC says its contact is to come"
        );
        assert!(
            !html.contains("<dd></dd>") && !html.contains("<li></li>"),
            "{url}: no empty lines"
        );
    }
}

#[test]
fn the_four_roles_of_each_region_are_on_its_roles_page() {
    let site = built();
    let bsl = site.output("/fr/bas-saint-laurent/roles/");
    for role in ["Promouvoir", "Mobiliser", "Reconnaître", "Aider"] {
        assert!(bsl.contains(role), "BSL roles: {role}");
    }
    let bsl_en = site.output("/en/bas-saint-laurent/roles/");
    for role in ["Promote", "Mobilize", "Recognize", "Help"] {
        assert!(bsl_en.contains(role), "BSL roles in English: {role}");
    }
    let slsj = site.output("/fr/saguenay-lac-saint-jean/roles/");
    assert!(slsj.contains("vigie communautaire"));
    assert!(slsj.contains("soutien initial"));
}

#[test]
fn registration_form_has_the_api_field_names_and_posts_to_the_api() {
    let site = built();
    let html = plain(&site.output("/fr/saguenay-lac-saint-jean/devenir-eclaireur/"));
    assert!(html.contains("action=\"/api/registrations\" method=\"post\""));
    for name in [
        "region",
        "territory",
        "first_name",
        "last_name",
        "email",
        "phone",
        "municipality",
        "consent",
        "language",
        "website",
    ] {
        assert!(html.contains(&format!("name=\"{name}\"")), "field {name}");
    }
    for role in ["promote", "mobilize", "watch", "support"] {
        assert!(
            html.contains(&format!("name=\"roles\" value=\"{role}\"")),
            "role {role}"
        );
    }
    assert!(html.contains("name=\"region\" value=\"saguenay-lac-saint-jean\""));
    assert!(html.contains("name=\"language\" value=\"fr\""));
    assert!(
        html.contains("<option value=\"Le Fjord-du-Saguenay\">"),
        "territories of the region"
    );
    assert!(html.contains("required maxlength=\"100\" autocomplete=\"given-name\""));
    // The honeypot is hidden from assistive technology and out of the tab order.
    assert!(html.contains("<div class=\"hp\" aria-hidden=\"true\">"));
    assert!(html.contains("name=\"website\" value=\"\" tabindex=\"-1\""));
    // Consent links to the privacy notice; crisis lines sit above the form.
    assert!(html.contains("<a href=\"/fr/confidentialite/\">Lire l'avis de confidentialité"));
    let crisis = html
        .find("Ce formulaire ne sert pas aux urgences")
        .expect("crisis notice");
    assert!(crisis < html.find("<form").expect("form"));
    for line in [
        "tel:911",
        "tel:811",
        "1 866 APPELLE",
        "option 2",
        "tel:988",
        "9-8-8",
    ] {
        assert!(html.contains(line), "crisis line {line}");
    }
}

#[test]
fn need_report_form_has_the_api_field_names_in_english() {
    let site = built();
    let html = site.output("/en/bas-saint-laurent/report-a-need/");
    assert!(html.contains("action=\"/api/need-reports\""));
    for name in [
        "region",
        "territory",
        "description",
        "name",
        "email",
        "phone",
        "consent",
        "language",
        "website",
    ] {
        assert!(html.contains(&format!("name=\"{name}\"")), "field {name}");
    }
    assert!(html.contains("name=\"language\" value=\"en\""));
    assert!(html.contains("minlength=\"10\" maxlength=\"4000\""));
    assert!(html.contains("This form is not for emergencies"));
    assert!(!html.contains("name=\"first_name\""));
}

#[test]
fn every_page_declares_reciprocal_hreflang_alternates_and_a_working_language_switch() {
    let site = built();
    let out = site.out();
    let all = pages(&out);
    let base = "https://eclaireurs.example.ca";
    let urls: std::collections::HashSet<&str> = all.iter().map(|(u, _)| u.as_str()).collect();
    for (url, html) in &all {
        if url == "/" || url == "/404.html" {
            continue;
        }
        let lang = if url.starts_with("/fr/") { "fr" } else { "en" };
        assert!(
            html.contains(&format!("<html lang=\"{lang}\">")),
            "{url}: html lang"
        );
        let switch = attributes(html, "<a data-lang-switch", "href");
        assert_eq!(switch.len(), 1, "{url}: one language switch");
        assert!(
            urls.contains(switch[0].as_str()),
            "{url}: switch leads to {}",
            switch[0]
        );
        let alternates = attributes(html, "<link rel=\"alternate\"", "href");
        assert_eq!(alternates.len(), 2, "{url}: fr and en alternates");
        for alt in alternates {
            let path = alt.strip_prefix(base).expect("absolute alternate");
            let (_, other) = all
                .iter()
                .find(|(u, _)| u == path)
                .expect("alternate exists");
            let back: Vec<_> = attributes(other, "<link rel=\"alternate\"", "href");
            assert!(
                back.contains(&format!("{base}{url}")),
                "{path} links back to {url}"
            );
        }
    }
}

#[test]
fn sitemap_lists_every_page_with_its_alternates_and_robots_points_to_it() {
    let site = built();
    let sitemap = site.output("/sitemap.xml");
    for (url, html) in pages(&site.out()) {
        // The 404 page and the thank-you pages are not for search engines.
        if url != "/404.html" && !html.contains("<meta name=\"robots\" content=\"noindex\">") {
            assert!(
                sitemap.contains(&format!("<loc>https://eclaireurs.example.ca{url}</loc>")),
                "{url}"
            );
        }
    }
    assert!(sitemap.contains(
        "<xhtml:link rel=\"alternate\" hreflang=\"en\" href=\"https://eclaireurs.example.ca/en/bas-saint-laurent/roles/\"/>"
    ));
    assert!(site
        .output("/robots.txt")
        .contains("Sitemap: https://eclaireurs.example.ca/sitemap.xml"));
}

#[test]
fn every_page_has_one_h1_a_skip_link_and_the_crisis_lines() {
    let site = built();
    for (url, html) in pages(&site.out()) {
        assert_eq!(html.matches("<h1").count(), 1, "{url}: one h1");
        assert!(
            html.contains("class=\"skip-link\" href=\"#main\""),
            "{url}: skip link"
        );
        assert!(html.contains("<main id=\"main\""), "{url}: main landmark");
        assert!(html.contains("tel:+18662773553"), "{url}: crisis lines");
    }
}

#[test]
fn the_privacy_notice_exists_in_both_languages() {
    let site = built();
    let fr = site.output("/fr/confidentialite/");
    let en = site.output("/en/privacy/");
    assert!(fr.contains("Loi 25"));
    assert!(en.contains("Law 25"));
}

#[test]
fn the_404_page_speaks_both_languages() {
    let site = built();
    let html = site.output("/404.html");
    assert!(html.contains("Page introuvable"));
    assert!(html.contains("Page not found"));
    assert!(html.contains("lang=\"en\""));
}

#[test]
fn thank_you_pages_are_kept_out_of_search_engines_and_the_sitemap() {
    let site = built();
    let sitemap = site.output("/sitemap.xml");
    for thanks in [
        "/fr/bas-saint-laurent/merci-inscription/",
        "/fr/bas-saint-laurent/merci-signalement/",
        "/en/saguenay-lac-saint-jean/thank-you-registration/",
        "/en/saguenay-lac-saint-jean/thank-you-report/",
    ] {
        assert!(!sitemap.contains(thanks), "{thanks} is in the sitemap");
        assert!(
            site.output(thanks)
                .contains("<meta name=\"robots\" content=\"noindex\">"),
            "{thanks} is not noindex"
        );
    }
    assert!(sitemap.contains("/fr/bas-saint-laurent/devenir-eclaireur/"));
    assert!(!site
        .output("/fr/bas-saint-laurent/devenir-eclaireur/")
        .contains("noindex"));
}

#[test]
fn territories_are_named_with_their_kind_and_saguenay_lac_saint_jean_includes_mashteuiatsh() {
    let site = built();
    let form = plain(&site.output("/fr/saguenay-lac-saint-jean/devenir-eclaireur/"));
    for option in [
        "<option value=\"Le Domaine-du-Roy\">Le Domaine-du-Roy (MRC)</option>",
        "<option value=\"Ville de Saguenay\">Ville de Saguenay (territoire équivalent à une MRC)</option>",
        "<option value=\"Mashteuiatsh\">Mashteuiatsh (communauté des Premières Nations)</option>",
    ] {
        assert!(form.contains(option), "{option}");
    }
    let relay = plain(&site.output("/en/saguenay-lac-saint-jean/relay-team/"));
    assert!(
        relay.contains("<span class=\"territory-kind\">(territory equivalent to an RCM)</span>")
    );
    assert!(
        !relay.contains("to be announced"),
        "the region's relay team answers for every territory: no contact person is promised"
    );
    for home in [
        "/fr/saguenay-lac-saint-jean/",
        "/en/saguenay-lac-saint-jean/",
    ] {
        assert!(
            site.output(home).contains("Mashteuiatsh"),
            "{home}: the home page's list of territories"
        );
    }
}

#[test]
fn the_lists_of_regions_describe_no_region_s_roles_as_every_region_s() {
    let site = built();
    // SLSJ's roles (initial support, community watch) and BSL's (recognize, help) are each
    // region's own words: the pages about every region name neither.
    for (url, words) in [
        ("/fr/", ["soutien initial", "vigie", "Reconnaître", "Aider"]),
        (
            "/en/",
            ["initial support", "community watch", "Recognize", "Help "],
        ),
    ] {
        let text = plain(&site.output(url));
        let prose = &text[text.find("<h1").expect("h1")..text.find("region-list").expect("list")];
        for word in words {
            assert!(!prose.contains(word), "{url} says {word:?}");
        }
    }
}
