//! A region or page marked `draft: true` is shown by `serve`, left out of `build` and
//! `publish` (pages, menus, region lists, sitemap, language links, the function's catalog)
//! and listed by `check`; nothing published may lead to one.

mod common;

use common::{attributes, pages, Fixture};
use eclaireurs::build::Preview;

const OBJECTIVES_EN: &str = "regions/bas-saint-laurent/en/objectives.md";

/// Marks a page as a draft, in its front matter.
fn draft(site: &Fixture, page: &str) {
    site.edit(page, "---\n", "---\ndraft: true\n");
}

fn relative(site: &Fixture, text: String) -> String {
    text.replace(&format!("{}/", site.content().display()), "")
}

#[test]
fn a_draft_page_is_left_out_of_the_build_its_menu_sitemap_and_language_links() {
    let site = Fixture::real();
    draft(&site, OBJECTIVES_EN);
    let report = site.build().expect("builds");
    assert!(!site.out().join("en/bas-saint-laurent/objectives").exists());
    let sitemap = site.output("/sitemap.xml");
    assert!(
        !sitemap.contains("/en/bas-saint-laurent/objectives/"),
        "{sitemap}"
    );
    let home = site.output("/en/bas-saint-laurent/");
    let nav = attributes(&home, "<li><a href=", "href");
    assert!(!nav.iter().any(|u| u.contains("objectives")), "{nav:?}");
    let fr = site.output("/fr/bas-saint-laurent/objectifs/");
    assert_eq!(
        attributes(&fr, "<a data-lang-switch", "href"),
        ["/en/bas-saint-laurent/"],
        "the language link leads to the nearest published page"
    );
    assert!(!fr.contains("hreflang=\"en\" href=\"https://"));
    // Every link of every published page leads to a published page.
    let urls: Vec<String> = pages(&site.out()).into_iter().map(|(u, _)| u).collect();
    for (url, html) in pages(&site.out()) {
        for href in attributes(&html, "<a href=\"/", "href") {
            let path = href.split('#').next().unwrap_or(&href);
            assert!(urls.iter().any(|u| u == path), "{url} links to {href}");
        }
    }

    assert_eq!(report.drafts.len(), 1);
    assert_eq!(
        relative(&site, report.drafts[0].to_string()),
        format!(
            "{OBJECTIVES_EN}: a draft page (`draft: true`): `serve` shows it, `build` and \
             `publish` leave it out; remove that line to publish it"
        )
    );
    assert_eq!(report.missing_translations.len(), 1);
    assert_eq!(
        relative(&site, report.missing_translations[0].to_string()),
        format!(
            "regions/bas-saint-laurent/fr/objectives.md: its English translation \
             {OBJECTIVES_EN} is a draft, left out of the published site; until it is \
             published, visitors switching language are sent to the nearest page that exists"
        )
    );
    assert_eq!(site.check().expect("check passes").drafts.len(), 1);
}

#[test]
fn the_preview_shows_a_draft_page_and_says_it_is_one() {
    let site = Fixture::real();
    draft(&site, OBJECTIVES_EN);
    let mut preview = Preview::new(&site.content(), &site.out(), "");
    preview.rebuild(&[]).expect("the preview builds");
    let page = site.output("/en/bas-saint-laurent/objectives/");
    assert!(page.contains("<p class=\"card draft-note\" role=\"note\">Draft: only the preview"));
    assert!(page.contains("<meta name=\"robots\" content=\"noindex\">"));
    let fr = site.output("/fr/bas-saint-laurent/objectifs/");
    assert!(!fr.contains("draft-note"), "published pages do not say it");
    assert_eq!(
        attributes(&fr, "<a data-lang-switch", "href"),
        ["/en/bas-saint-laurent/objectives/"]
    );
    // Its text edited re-renders it alone, the note kept.
    let text = site.read(OBJECTIVES_EN);
    site.write(
        OBJECTIVES_EN,
        &format!("{text}\nA sentence still being written.\n"),
    );
    preview
        .rebuild(&[site.path(OBJECTIVES_EN)])
        .expect("rebuilds");
    let page = site.output("/en/bas-saint-laurent/objectives/");
    assert!(page.contains("A sentence still being written.") && page.contains("draft-note"));
}

#[test]
fn a_link_to_a_page_drafted_in_both_languages_says_it_is_a_draft() {
    let site = Fixture::real();
    draft(&site, "regions/bas-saint-laurent/fr/roles.md");
    draft(&site, "regions/bas-saint-laurent/en/roles.md");
    let errors = site.build_error();
    let first = errors.lines().next().unwrap_or_default();
    assert!(
        first.contains(
            "the link `roles.md` leads to no page: it is a draft \
             (regions/bas-saint-laurent/fr/roles.md), left out of the published site; publish \
             it (remove its `draft: true`) or remove the link"
        ),
        "{errors}"
    );
    assert!(
        first.starts_with("regions/bas-saint-laurent/"),
        "located: {errors}"
    );
}

#[test]
fn a_draft_thank_you_page_or_home_page_behind_a_published_page_is_refused() {
    let site = Fixture::real();
    draft(&site, "regions/bas-saint-laurent/fr/thanks-registration.md");
    let errors = site.build_error();
    assert_eq!(
        errors,
        "regions/bas-saint-laurent/fr/register.md: the form `registration` leads to the \
         thank-you page regions/bas-saint-laurent/fr/thanks-registration.md, which is a draft: \
         publish it too (remove its `draft: true`), or make this page a draft as well"
    );

    let site = Fixture::real();
    draft(&site, "regions/bas-saint-laurent/fr/index.md");
    draft(&site, "regions/bas-saint-laurent/en/index.md");
    let errors = site.build_error();
    assert!(
        errors.contains(
            "regions/bas-saint-laurent/fr/index.md: this is the region's home page, and a \
             draft: publish it (remove its `draft: true`), or make the whole region a draft \
             (`draft: true` in its region.yaml)"
        ),
        "{errors}"
    );
}

#[test]
fn a_draft_region_is_left_out_of_every_page_the_sitemap_and_the_functions_catalog() {
    let site = Fixture::real();
    site.edit(
        "regions/bas-saint-laurent/region.yaml",
        "\nname:",
        "\ndraft: true\nname:",
    );
    let report = site.build().expect("builds");
    assert!(!site.out().join("fr/bas-saint-laurent").exists());
    assert!(!site.out().join("en/bas-saint-laurent").exists());
    for (url, html) in pages(&site.out()) {
        assert!(
            !html.contains("/bas-saint-laurent/"),
            "{url} leads to the draft region"
        );
    }
    assert!(!site.output("/sitemap.xml").contains("bas-saint-laurent"));
    let catalog: serde_json::Value =
        serde_json::from_str(&site.output(".eclaireurs-catalog.json")).expect("json");
    assert!(catalog["regions"].get("saguenay-lac-saint-jean").is_some());
    assert!(
        catalog["regions"].get("bas-saint-laurent").is_none(),
        "the function takes no submission for a draft region"
    );
    assert!(!catalog["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .any(|p| p["region"] == "bas-saint-laurent"));
    assert_eq!(report.drafts.len(), 1);
    assert_eq!(report.drafts[0].pages, 18);
    assert!(
        !report
            .missing_contacts
            .iter()
            .any(|c| c.region == "bas-saint-laurent"),
        "{:?}",
        report.missing_contacts
    );
}
