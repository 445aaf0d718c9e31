//! `eclaireurs new-region SLUG --name-fr NAME` makes a draft region with the names as
//! written: `serve` shows it, `build` and `publish` leave it out, and it cannot be published
//! until its placeholders are replaced.

mod common;

use common::Fixture;
use eclaireurs::build::Preview;
use eclaireurs::scaffold::{new_region, ScaffoldError};
use eclaireurs_model::Localized;

fn names(fr: &str, en: &str) -> Localized {
    Localized {
        fr: fr.into(),
        en: en.into(),
    }
}

fn cote_nord(site: &Fixture) {
    new_region(
        &site.content(),
        "cote-nord",
        &names("Côte-Nord", "Côte-Nord"),
    )
    .expect("scaffold");
}

#[test]
fn a_new_region_is_a_draft_that_check_lists_and_build_leaves_out() {
    let site = Fixture::real();
    cote_nord(&site);
    let region = site.read("regions/cote-nord/region.yaml");
    assert!(region.contains("\ndraft: true\n"), "{region}");
    assert!(
        region.contains("name: { fr: \"Côte-Nord\", en: \"Côte-Nord\" }"),
        "accents kept: {region}"
    );

    let report = site.check().expect("a draft region passes check");
    assert!(
        report.missing_translations.is_empty(),
        "{:?}",
        report.missing_translations
    );
    assert_eq!(report.drafts.len(), 1, "{:?}", report.drafts);
    let listed = report.drafts[0]
        .to_string()
        .replace(&format!("{}/", site.content().display()), "");
    assert_eq!(
        listed,
        "regions/cote-nord/region.yaml: a draft region (`draft: true`): `serve` shows it, \
         `build` and `publish` leave out its 18 pages and every mention of it; remove that \
         line to publish it"
    );
    assert!(
        !report
            .missing_contacts
            .iter()
            .any(|c| c.region == "cote-nord"),
        "a draft is not asked for contacts yet"
    );

    site.build().expect("builds");
    assert!(!site.out().join("fr/cote-nord").exists());
    assert!(!site.out().join("en/cote-nord").exists());
    for page in [
        "/",
        "/fr/",
        "/en/",
        "/sitemap.xml",
        ".eclaireurs-catalog.json",
    ] {
        assert!(
            !site.output(page).contains("cote-nord"),
            "{page} does not mention the draft region"
        );
    }
}

#[test]
fn the_preview_shows_the_new_region_with_its_names_and_says_it_is_a_draft() {
    let site = Fixture::real();
    cote_nord(&site);
    let mut preview = Preview::new(&site.content(), &site.out(), "");
    preview.rebuild(&[]).expect("the preview builds");
    let home = site.output("/fr/cote-nord/");
    assert!(
        home.contains("Le Réseau d’éclaireurs – Côte-Nord"),
        "accents kept in the title"
    );
    assert!(
        home.contains("class=\"card draft-note\""),
        "says it is a draft"
    );
    assert!(home.contains("<meta name=\"robots\" content=\"noindex\">"));
    assert!(site
        .output("/en/cote-nord/become-an-eclaireur/")
        .contains("name=\"region\" value=\"cote-nord\""));
    assert!(site.output("/en/").contains("href=\"/en/cote-nord/\""));
    assert!(
        site.output(".eclaireurs-catalog.json")
            .contains("cote-nord"),
        "its forms work in the preview"
    );
}

#[test]
fn a_new_region_undrafted_before_it_is_written_is_refused_with_each_placeholder_located() {
    let site = Fixture::real();
    cote_nord(&site);
    site.edit("regions/cote-nord/region.yaml", "\ndraft: true\n", "\n");
    let errors = site.build_error();
    let region_line = site
        .read("regions/cote-nord/region.yaml")
        .lines()
        .position(|l| l.contains("fr: \"À RÉDIGER"))
        .expect("placeholder line")
        + 1;
    assert!(
        errors.contains(&format!(
            "regions/cote-nord/region.yaml:{region_line}:8: `organization.fr` and \
             `organization.en` still hold the placeholder `À RÉDIGER` that `eclaireurs \
             new-region` wrote (2 in this file): write the region's own text there, or keep \
             the region a draft (`draft: true`) until it is ready"
        )),
        "{errors}"
    );
    assert!(
        errors.contains(
            "regions/cote-nord/fr/objectives.md:3:15: `description` and the text still hold \
             the placeholder `À RÉDIGER`"
        ),
        "{errors}"
    );
    assert!(
        errors.contains("regions/cote-nord/en/roles.md:3:15: `description` and the text"),
        "{errors}"
    );
    assert_eq!(
        errors.lines().count(),
        19,
        "region.yaml and 18 pages: {errors}"
    );
    assert!(site.check().is_err(), "check refuses it too");
}

#[test]
fn a_published_page_that_keeps_a_placeholder_is_refused_and_a_written_one_passes() {
    let site = Fixture::real();
    let page = "regions/bas-saint-laurent/fr/objectives.md";
    let text = site.read(page);
    site.write(page, &format!("{text}\nÀ RÉDIGER : la suite.\n"));
    let errors = site.build_error();
    let line = text.lines().count() + 2;
    assert_eq!(
        errors,
        format!(
            "{page}:{line}:1: the text still holds the placeholder `À RÉDIGER` that \
             `eclaireurs new-region` wrote: write the region's own text there, or keep the \
             page a draft (`draft: true`) until it is ready"
        )
    );
    // The same page as a draft passes, and is left out.
    site.write(
        page,
        &format!(
            "{}\nÀ RÉDIGER : la suite.\n",
            text.replacen("---\n", "---\ndraft: true\n", 1)
        ),
    );
    site.build().expect("a draft may hold placeholders");
}

#[test]
fn the_preview_refuses_a_placeholder_added_to_a_published_page_as_check_would() {
    let site = Fixture::real();
    let page = "regions/bas-saint-laurent/fr/objectives.md";
    let mut preview = Preview::new(&site.content(), &site.out(), "");
    preview.rebuild(&[]).expect("first build");
    let text = site.read(page);
    site.write(page, &format!("{text}\nTO BE WRITTEN\n"));
    let err = preview
        .rebuild(&[site.path(page)])
        .expect_err("a text-only edit is checked too");
    assert!(
        err.to_string()
            .contains("still holds the placeholder `TO BE WRITTEN`"),
        "{err}"
    );
}

#[test]
fn an_existing_region_a_bad_slug_or_a_bad_name_is_refused() {
    let site = Fixture::real();
    let name = names("Bas-Saint-Laurent", "Bas-Saint-Laurent");
    assert!(matches!(
        new_region(&site.content(), "bas-saint-laurent", &name),
        Err(ScaffoldError::Exists(_))
    ));
    let err = new_region(&site.content(), "Côte-Nord", &name).expect_err("bad slug");
    assert!(
        err.to_string()
            .contains("lowercase letters without accents"),
        "{err}"
    );
    let err = new_region(&site.content(), "cote-nord", &names("  ", "Côte-Nord"))
        .expect_err("empty name");
    assert_eq!(
        err.to_string(),
        "--name-fr: give the region's name as people write it, e.g. \"Côte-Nord\""
    );
    let err = new_region(
        &site.content(),
        "cote-nord",
        &names("Côte-Nord", "Côte\nNord"),
    )
    .expect_err("two lines");
    assert!(err.to_string().starts_with("--name-en: "), "{err}");
    assert!(!site.path("regions/cote-nord").exists(), "nothing written");
}

#[test]
fn names_with_quotes_and_backslashes_stay_as_written() {
    let site = Fixture::real();
    new_region(
        &site.content(),
        "iles",
        &names("Îles-de-la-Madeleine \"Les Îles\" \\", "Magdalen Islands"),
    )
    .expect("scaffold");
    let mut preview = Preview::new(&site.content(), &site.out(), "");
    preview.rebuild(&[]).expect("the preview builds");
    assert!(site
        .output("/fr/iles/")
        .contains("Îles-de-la-Madeleine &quot;Les Îles&quot; \\"));
    assert!(site
        .output("/en/iles/")
        .contains("The Magdalen Islands Éclaireurs Network"));
}

#[test]
fn a_folder_without_config_is_not_taken_for_content() {
    let dir = tempfile::tempdir().expect("temp");
    let err = new_region(dir.path(), "cote-nord", &names("Côte-Nord", "Côte-Nord"))
        .expect_err("no content");
    assert!(err.to_string().contains("is not a content folder"), "{err}");
}
