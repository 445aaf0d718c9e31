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
    // Published minified, under the name of the published bytes.
    let stylesheet = fingerprinted("body{color:black;}");
    assert_eq!(site.output(&stylesheet), "body{color:black;}");
    assert!(
        site.output("/fr/bas-saint-laurent/")
            .contains(&format!("href=\"{stylesheet}\"")),
        "pages link to the site's own stylesheet"
    );
    site.output("/images/logo.svg");
}

fn fingerprinted(css: &str) -> String {
    eclaireurs_model::assets::fingerprinted("/assets/style.css", css.as_bytes())
}

#[test]
fn assets_are_published_under_a_name_that_changes_with_their_content() {
    let site = Fixture::real();
    site.build().expect("builds");
    let home = site.output("/fr/bas-saint-laurent/");
    let form_page = site.output("/fr/bas-saint-laurent/devenir-eclaireur/");
    for (file, page) in [
        ("/assets/style.css", &home),
        ("/assets/icon.svg", &home),
        ("/assets/forms.js", &form_page),
    ] {
        let (stem, ext) = file.rsplit_once('.').expect("extension");
        let start = page
            .find(&format!("{stem}."))
            .unwrap_or_else(|| panic!("{file} is linked"));
        let url: String = page[start..].chars().take_while(|c| *c != '"').collect();
        assert!(url.ends_with(&format!(".{ext}")), "{url}");
        assert_ne!(url, file, "{file} is published under a fingerprinted name");
        site.output(&url);
        assert!(
            !site.out().join(file.trim_start_matches('/')).exists(),
            "{file} is not published under its plain name"
        );
    }

    site.write("static/assets/style.css", "body { color: navy; }");
    site.build().expect("builds again");
    assert!(site
        .output("/fr/bas-saint-laurent/")
        .contains(&fingerprinted("body{color:navy;}")));
}

#[test]
fn a_template_naming_a_missing_asset_stops_the_build_with_the_name() {
    let site = Fixture::real();
    site.write(
        "templates/contact.html",
        "{% extends \"base.html\" %}{% block main %}<img src=\"{{ asset(path='assets/logo.png') }}\" alt=\"\">{% endblock main %}",
    );
    let error = site.build_error();
    assert!(error.contains("assets/logo.png"), "{error}");
}

#[test]
fn a_markdown_link_to_an_asset_leads_to_its_published_name() {
    let site = Fixture::real();
    site.write("static/assets/guide.pdf", "%PDF-1.4 guide");
    let page = site.content().join("regions/bas-saint-laurent/fr/roles.md");
    let text = std::fs::read_to_string(&page).expect("page");
    std::fs::write(&page, format!("{text}\n[Le guide](/assets/guide.pdf)\n")).expect("write");
    site.build().expect("builds");
    let published = eclaireurs_model::assets::fingerprinted("/assets/guide.pdf", b"%PDF-1.4 guide");
    let roles = site.output("/fr/bas-saint-laurent/roles/");
    assert!(
        roles.contains(&format!("href=\"{published}\"")),
        "{published}"
    );
}

#[test]
fn the_build_writes_the_function_catalog_that_its_forms_name() {
    let site = Fixture::real();
    let report = site.build().expect("builds");
    let catalog = eclaireurs_model::Catalog::read(&site.out().join(".eclaireurs-catalog.json"))
        .expect("a catalog beside the pages");
    assert_eq!(catalog.version, report.catalog_version);
    let form_page = site.output("/en/bas-saint-laurent/become-an-eclaireur/");
    assert!(
        form_page.contains(&format!(
            "name=\"catalog_version\" value=\"{}\"",
            catalog.version
        )),
        "the form carries the catalog version"
    );
    assert!(catalog.forms.contains_key("registration"));
}

#[test]
fn each_region_form_shows_its_own_wording_of_the_roles_and_sends_the_same_codes() {
    let site = Fixture::real();
    // BSL's éclaireurs hold every role (its form asks none): here they choose, to show its
    // wording.
    site.edit(
        "regions/bas-saint-laurent/region.yaml",
        "roles: held",
        "roles: chosen",
    );
    site.build().expect("builds");
    let bsl_fr = site.output("/fr/bas-saint-laurent/devenir-eclaireur/");
    let bsl_en = site.output("/en/bas-saint-laurent/become-an-eclaireur/");
    let slsj_fr = site.output("/fr/saguenay-lac-saint-jean/devenir-eclaireur/");
    for (page, value, label) in [
        (&bsl_fr, "promote", "Promouvoir"),
        (&bsl_fr, "mobilize", "Mobiliser"),
        (&bsl_fr, "watch", "Reconnaître"),
        (&bsl_fr, "support", "Aider"),
        (&bsl_en, "watch", "Recognize"),
        (&bsl_en, "support", "Help"),
        (&slsj_fr, "watch", "Effectuer de la vigie communautaire"),
        (&slsj_fr, "support", "Offrir un soutien initial"),
    ] {
        let input = format!("id=\"registration-roles-{value}\" name=\"roles\" value=\"{value}\"");
        assert!(page.contains(&input), "{value} is sent as its code");
        let label = format!("<label for=\"registration-roles-{value}\">{label}</label>");
        assert!(page.contains(&label), "{label}");
    }
    assert!(
        !bsl_fr.contains("vigie communautaire</label>"),
        "the BSL form does not show SLSJ's roles"
    );
    assert!(
        bsl_fr.contains("signes de détresse psychologique"),
        "each BSL role has its description"
    );
}
