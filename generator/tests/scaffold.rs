//! `eclaireurs new-region SLUG` makes a region that builds and passes `check` as written.

mod common;

use common::Fixture;
use eclaireurs::scaffold::{new_region, ScaffoldError};

#[test]
fn a_new_region_passes_check_and_builds_in_both_languages() {
    let site = Fixture::real();
    let dir = new_region(&site.content(), "cote-nord").expect("scaffold");
    assert!(dir.join("region.yaml").is_file());
    let report = site.check().expect("check passes");
    assert!(
        report.missing_translations.is_empty(),
        "{:?}",
        report.missing_translations
    );
    site.build().expect("builds");
    assert!(site
        .output("/fr/cote-nord/")
        .contains("Le Réseau d&#39;éclaireurs de Cote Nord"));
    assert!(site
        .output("/en/cote-nord/become-an-eclaireur/")
        .contains("name=\"region\" value=\"cote-nord\""));
    assert!(site.output("/en/").contains("href=\"/en/cote-nord/\""));
}

#[test]
fn an_existing_region_or_a_bad_slug_is_refused() {
    let site = Fixture::real();
    assert!(matches!(
        new_region(&site.content(), "bas-saint-laurent"),
        Err(ScaffoldError::Exists(_))
    ));
    let err = new_region(&site.content(), "Côte-Nord").expect_err("bad slug");
    assert!(
        err.to_string()
            .contains("lowercase letters without accents"),
        "{err}"
    );
}

#[test]
fn a_folder_without_config_is_not_taken_for_content() {
    let dir = tempfile::tempdir().expect("temp");
    let err = new_region(dir.path(), "cote-nord").expect_err("no content");
    assert!(err.to_string().contains("is not a content folder"), "{err}");
}
