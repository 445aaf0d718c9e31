//! A missing translation never breaks the site: it builds, `check` reports it, and every
//! link, the language switch included, still leads to a page that exists.

mod common;

use common::{attributes, pages, Fixture};

fn without_english_roles() -> Fixture {
    let site = Fixture::real();
    site.remove("regions/bas-saint-laurent/en/roles.md");
    site
}

#[test]
fn the_site_builds_and_check_names_the_missing_file() {
    let site = without_english_roles();
    let report = site.build().expect("builds without the translation");
    assert_eq!(report.missing_translations.len(), 1);
    let warning = report.missing_translations[0]
        .to_string()
        .replace(&format!("{}/", site.content().display()), "");
    assert_eq!(
        warning,
        "regions/bas-saint-laurent/fr/roles.md: no English translation yet (expected \
         regions/bas-saint-laurent/en/roles.md); visitors switching language are sent to the \
         nearest page that exists"
    );
    assert_eq!(
        site.check()
            .expect("check passes")
            .missing_translations
            .len(),
        1
    );
}

#[test]
fn the_language_switch_leads_to_the_nearest_page_that_exists() {
    let site = without_english_roles();
    site.build().expect("builds");
    let fr = site.output("/fr/bas-saint-laurent/roles/");
    assert_eq!(
        attributes(&fr, "<a data-lang-switch", "href"),
        ["/en/bas-saint-laurent/"]
    );
    assert!(fr.contains("(page not translated yet, English home)"));
    assert!(
        !fr.contains("hreflang=\"en\" href=\"https://"),
        "no alternate to a page that does not exist"
    );
}

#[test]
fn english_pages_leave_it_out_of_the_menu_and_link_to_the_french_page_instead() {
    let site = without_english_roles();
    site.build().expect("builds");
    let home = site.output("/en/bas-saint-laurent/");
    let nav: Vec<_> = attributes(&home, "<li><a href=", "href");
    assert!(!nav.iter().any(|u| u.contains("/roles/")), "menu: {nav:?}");
    // Pages that link to roles.md in English now point at the French page.
    let urls: Vec<String> = pages(&site.out()).into_iter().map(|(u, _)| u).collect();
    for (url, html) in pages(&site.out()) {
        for href in attributes(&html, "<a href=\"/", "href") {
            let path = href.split('#').next().unwrap_or(&href);
            assert!(
                urls.iter().any(|u| u == path),
                "{url} links to {href}, which does not exist"
            );
        }
    }
}

#[test]
fn a_region_without_any_english_page_still_builds_and_switches_to_the_english_region_list() {
    let site = Fixture::real();
    std::fs::remove_dir_all(site.path("regions/bas-saint-laurent/en")).expect("remove");
    let report = site.build().expect("builds");
    assert_eq!(report.missing_translations.len(), 9);
    let fr = site.output("/fr/bas-saint-laurent/");
    assert_eq!(attributes(&fr, "<a data-lang-switch", "href"), ["/en/"]);
    // The English region list still lists the region, at its French address.
    assert!(site
        .output("/en/")
        .contains("href=\"/fr/bas-saint-laurent/\""));
}
