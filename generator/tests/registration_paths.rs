//! One way to register per region (`registration:` in region.yaml: the site's form, or a form
//! of the region's own elsewhere, then linked and never shown beside ours), and the roles a
//! region's éclaireurs choose or all hold (`roles: chosen | held`).

mod common;

use common::{plain, Fixture};
use eclaireurs_model::Catalog;

const SLSJ: &str = "regions/saguenay-lac-saint-jean/region.yaml";
const SLSJ_REGISTER_FR: &str = "regions/saguenay-lac-saint-jean/fr/register.md";
const SLSJ_REGISTER_EN: &str = "regions/saguenay-lac-saint-jean/en/register.md";
const EXTERNAL: &str = "https://forms.example.ca/devenir-eclaireur";

/// SLSJ registering through its own form elsewhere, its pages still showing ours.
fn external_region(site: &Fixture) {
    site.edit(
        SLSJ,
        "registration: site",
        &format!("registration: {{ external: {EXTERNAL} }}"),
    );
}

/// Its registration pages linking that form instead.
fn linking_pages(site: &Fixture) {
    for page in [SLSJ_REGISTER_FR, SLSJ_REGISTER_EN] {
        site.edit(
            page,
            "form: registration",
            "template: external-registration.html",
        );
    }
}

#[test]
fn a_region_that_registers_elsewhere_links_that_form_and_shows_no_form() {
    let site = Fixture::real();
    external_region(&site);
    linking_pages(&site);
    site.build().expect("builds");
    for (url, text) in [
        (
            "/fr/saguenay-lac-saint-jean/devenir-eclaireur/",
            "Remplir le formulaire d’inscription de la région",
        ),
        (
            "/en/saguenay-lac-saint-jean/become-an-eclaireur/",
            "Fill in the region&#39;s registration form",
        ),
    ] {
        let html = site.output(url);
        assert!(
            html.contains(&format!(
                "<p class=\"external-form\"><a href=\"{EXTERNAL}\">{text}</a></p>"
            )),
            "{url}: the link, as the page's action"
        );
        assert!(!html.contains("<form"), "{url}: no form of ours beside it");
    }
    let bsl = site.output("/fr/bas-saint-laurent/devenir-eclaireur/");
    assert!(
        bsl.contains("<form"),
        "the other region keeps the site's form"
    );
}

#[test]
fn the_function_takes_no_registration_for_a_region_that_registers_elsewhere() {
    let site = Fixture::real();
    external_region(&site);
    linking_pages(&site);
    let catalog = Catalog::from_content(&site.content()).expect("a catalog");
    assert!(!catalog.takes("registration", "saguenay-lac-saint-jean"));
    assert!(
        catalog.takes("need-report", "saguenay-lac-saint-jean"),
        "need reports still come in"
    );
    assert!(catalog.takes("registration", "bas-saint-laurent"));
    assert!(!catalog
        .pages
        .iter()
        .any(|p| p.form == "registration" && p.region == "saguenay-lac-saint-jean"));
}

#[test]
fn a_page_with_the_sites_form_in_a_region_that_registers_elsewhere_is_refused_at_its_line() {
    let site = Fixture::real();
    external_region(&site);
    let errors = site.build_error();
    let line = site
        .read(SLSJ)
        .lines()
        .position(|l| l.starts_with("registration:"))
        .expect("the key")
        + 1;
    for page in [SLSJ_REGISTER_FR, SLSJ_REGISTER_EN] {
        let form_line = site
            .read(page)
            .lines()
            .position(|l| l.starts_with("form:"))
            .expect("form:")
            + 1;
        assert!(
            errors.contains(&format!(
                "{page}:{form_line}:1: this page shows the site's registration form, but the \
                 region registers through its own form elsewhere ({SLSJ}:{line}, \
                 `registration.external`)"
            )),
            "{errors}"
        );
    }
    assert!(
        errors.contains("replace `form: registration` with `template: external-registration.html`"),
        "{errors}"
    );
}

#[test]
fn a_page_that_links_an_external_form_the_region_does_not_name_is_refused() {
    let site = Fixture::real();
    linking_pages(&site);
    let errors = site.build_error();
    assert!(
        errors.contains(&format!(
            "{SLSJ_REGISTER_FR}:6:1: `template: external-registration.html` links the region's \
             own registration form, but"
        )),
        "{errors}"
    );
}

#[test]
fn the_real_regions_register_on_the_site_and_slsj_no_longer_links_its_former_form() {
    let site = Fixture::real();
    site.build().expect("builds");
    for lang in ["fr", "en"] {
        let all: String = common::pages(&site.out().join(lang).join("saguenay-lac-saint-jean"))
            .into_iter()
            .map(|(_, html)| plain(&html))
            .collect();
        assert!(
            !all.contains("bit.ly/Devenireclaireur"),
            "{lang}: one way to register, the network's form"
        );
    }
}

#[test]
fn where_every_eclaireur_holds_the_roles_the_form_does_not_ask_for_them() {
    let site = Fixture::real();
    site.build().expect("builds");
    for url in [
        "/fr/bas-saint-laurent/devenir-eclaireur/",
        "/en/bas-saint-laurent/become-an-eclaireur/",
    ] {
        let html = site.output(url);
        assert!(html.contains("<form"), "{url}");
        assert!(
            !html.contains("name=\"roles\""),
            "{url}: BSL holds them all"
        );
    }
    for url in [
        "/fr/saguenay-lac-saint-jean/devenir-eclaireur/",
        "/en/saguenay-lac-saint-jean/become-an-eclaireur/",
    ] {
        let html = site.output(url);
        assert_eq!(
            html.matches("name=\"roles\"").count(),
            4,
            "{url}: SLSJ's éclaireurs choose among four"
        );
    }
    let catalog = Catalog::from_content(&site.content()).expect("a catalog");
    assert!(!catalog.asks("bas-saint-laurent", "roles"));
    assert!(catalog.asks("saguenay-lac-saint-jean", "roles"));
}

#[test]
fn a_thank_you_page_gives_the_relay_teams_phone_and_email_as_links() {
    let site = Fixture::real();
    site.build().expect("builds");
    for (url, number) in [
        (
            "/fr/saguenay-lac-saint-jean/merci-inscription/",
            "<span class=\"nowrap\">1 877 669-2007</span>",
        ),
        (
            "/en/saguenay-lac-saint-jean/thank-you-registration/",
            "<span class=\"nowrap\">1 877 669-2007</span>",
        ),
        (
            "/fr/saguenay-lac-saint-jean/merci-signalement/",
            "<span class=\"nowrap\">1 877 669-2007</span>",
        ),
    ] {
        let html = site.output(url);
        assert!(
            html.contains(&format!(
                "<a href=\"tel:+18776692007;ext=6006\">{number}</a>"
            )),
            "{url}: a phone opens the number"
        );
        assert!(
            html.contains(
                "<a href=\"mailto:02.ciuss.leseclaireurs@ssss.gouv.qc.ca\">02.ciuss.leseclaireurs@ssss.gouv.qc.ca</a>"
            ),
            "{url}: a mail program opens the address"
        );
    }
}
