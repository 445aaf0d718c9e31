//! Any template of the theme can be replaced by the site's own, and static files likewise.

mod common;

use common::Fixture;

#[test]
fn a_site_template_replaces_the_theme_template_of_the_same_name() {
    let site = Fixture::real();
    site.write(
        "templates/contact.html",
        "{% extends \"base.html\" %}{% block main %}<h1>{{ page.title }}</h1><p class=\"own\">{{ region.name }}</p>{% endblock main %}",
    );
    site.build().expect("builds");
    let html = site.output("/fr/bas-saint-laurent/equipe-relais/");
    assert!(html.contains("<p class=\"own\">Bas-Saint-Laurent</p>"));
    assert!(
        html.contains("class=\"skip-link\""),
        "the rest still comes from the theme"
    );
    assert!(!site
        .output("/fr/bas-saint-laurent/roles/")
        .contains("class=\"own\""));
}

#[test]
fn site_static_files_are_published_and_replace_the_theme_ones() {
    let site = Fixture::real();
    site.write("static/assets/style.css", "body { color: black; }");
    site.write(
        "static/images/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    site.build().expect("builds");
    assert_eq!(site.output("/assets/style.css"), "body { color: black; }");
    site.output("/images/logo.svg");
}
