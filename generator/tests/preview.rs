//! `serve` rebuilds only what an edit changed: the text of a page re-renders that page
//! alone; anything that other pages show (a title, the menu, an address) rebuilds the site.

mod common;

use std::time::SystemTime;

use common::Fixture;
use eclaireurs::build::{Preview, Rebuilt};

const ROLES: &str = "regions/bas-saint-laurent/fr/roles.md";

fn modified(site: &Fixture, url: &str) -> SystemTime {
    let path = site
        .out()
        .join(url.trim_start_matches('/'))
        .join("index.html");
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .expect("mtime")
}

#[test]
fn a_text_edit_re_renders_only_that_page() {
    let site = Fixture::real();
    let mut preview = Preview::new(&site.content(), &site.out(), "");
    assert!(matches!(preview.rebuild(&[]), Ok(Rebuilt::Site(_))));
    let other = modified(&site, "/fr/bas-saint-laurent/objectifs/");
    std::thread::sleep(std::time::Duration::from_millis(20));

    let text = site.read(ROLES);
    site.write(
        ROLES,
        &format!("{text}\nUne phrase ajoutée pendant la relecture.\n"),
    );
    match preview.rebuild(&[site.path(ROLES)]) {
        Ok(Rebuilt::Pages(urls)) => assert_eq!(urls, ["/fr/bas-saint-laurent/roles/"]),
        other => panic!("expected a page rebuild, got {other:?}"),
    }
    assert!(site
        .output("/fr/bas-saint-laurent/roles/")
        .contains("Une phrase ajoutée pendant la relecture."));
    assert_eq!(
        modified(&site, "/fr/bas-saint-laurent/objectifs/"),
        other,
        "other pages untouched"
    );
}

#[test]
fn a_title_edit_rebuilds_the_site_since_menus_show_it() {
    let site = Fixture::real();
    let mut preview = Preview::new(&site.content(), &site.out(), "");
    preview.rebuild(&[]).expect("first build");
    let text = site.read(ROLES);
    let title = text
        .lines()
        .find(|l| l.starts_with("title:"))
        .expect("title")
        .to_string();
    site.edit(ROLES, &title, "title: Quatre rôles");
    assert!(matches!(
        preview.rebuild(&[site.path(ROLES)]),
        Ok(Rebuilt::Site(_))
    ));
}

#[test]
fn a_broken_edit_keeps_the_output_and_the_next_good_edit_recovers() {
    let site = Fixture::real();
    let mut preview = Preview::new(&site.content(), &site.out(), "");
    preview.rebuild(&[]).expect("first build");
    let before = site.output("/fr/bas-saint-laurent/roles/");
    let text = site.read(ROLES);
    site.write(ROLES, &format!("{text}\n[lien](rolez.md)\n"));
    let err = preview
        .rebuild(&[site.path(ROLES)])
        .expect_err("broken link");
    assert!(err.to_string().contains("roles.md:"), "{err}");
    assert!(
        err.to_string()
            .contains("the link `rolez.md` leads to no page"),
        "{err}"
    );
    assert_eq!(site.output("/fr/bas-saint-laurent/roles/"), before);

    site.write(ROLES, &format!("{text}\n[les objectifs](objectives.md)\n"));
    preview.rebuild(&[site.path(ROLES)]).expect("recovers");
    assert!(site
        .output("/fr/bas-saint-laurent/roles/")
        .contains("href=\"/fr/bas-saint-laurent/objectifs/\">les objectifs</a>"));
}

#[test]
fn an_edit_outside_pages_rebuilds_the_site() {
    let site = Fixture::real();
    let mut preview = Preview::new(&site.content(), &site.out(), "");
    preview.rebuild(&[]).expect("first build");
    site.edit(
        "regions/bas-saint-laurent/region.yaml",
        "- name: Kamouraska",
        "- name: Kamouraska (MRC)",
    );
    let path = site.path("regions/bas-saint-laurent/region.yaml");
    assert!(matches!(preview.rebuild(&[path]), Ok(Rebuilt::Site(_))));
    assert!(site
        .output("/fr/bas-saint-laurent/equipe-relais/")
        .contains("Kamouraska (MRC)"));
}
