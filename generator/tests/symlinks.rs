//! A symbolic link in the content folder or the theme that leads out of both is a located
//! error, so a file from elsewhere on the computer is never published by mistake; links that
//! stay inside are followed.

#![cfg(unix)]

mod common;

use std::os::unix::fs::symlink;

use common::Fixture;

/// A file beside the content folder and the theme (in the fixture's folder, outside both).
fn outside(site: &Fixture) -> std::path::PathBuf {
    let secret = site.dir.path().join("secret.txt");
    std::fs::write(&secret, "not for the web").expect("write");
    secret.canonicalize().expect("real path")
}

#[test]
fn a_link_in_static_to_a_file_outside_is_refused_and_nothing_is_published() {
    let site = Fixture::real();
    site.build().expect("the untouched copy builds");
    let secret = outside(&site);
    std::fs::create_dir_all(site.path("static")).expect("mkdir");
    symlink(&secret, site.path("static/notes.txt")).expect("link");
    let errors = site.build_error();
    assert_eq!(
        errors,
        format!(
            "static/notes.txt: this is a symbolic link to {}, outside the content folder and \
             the theme: the build reads only what is inside them, so that nothing from \
             elsewhere is published by mistake; put a copy of the file here instead",
            secret.display()
        )
    );
    assert!(!site.out().join("notes.txt").exists(), "nothing published");
    assert!(site.check().is_err(), "check refuses it too");
}

#[test]
fn a_linked_folder_or_page_from_outside_is_refused_too() {
    let site = Fixture::real();
    let secret = outside(&site);
    let elsewhere = site.dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    std::fs::create_dir_all(site.path("static")).expect("mkdir");
    symlink(&elsewhere, site.path("static/docs")).expect("link");
    symlink(&secret, site.path("regions/bas-saint-laurent/fr/notes.md")).expect("link");
    let errors = site.build_error();
    assert!(
        errors.contains("regions/bas-saint-laurent/fr/notes.md: this is a symbolic link to"),
        "{errors}"
    );
    assert!(
        errors.contains("static/docs: this is a symbolic link to"),
        "{errors}"
    );
}

#[test]
fn a_link_in_the_theme_to_a_file_outside_is_refused() {
    let site = Fixture::real();
    let secret = outside(&site);
    let theme = site.dir.path().join("themes/default");
    symlink(&secret, theme.join("static/assets/notes.txt")).expect("link");
    let errors = site.build_error();
    let link = theme
        .canonicalize()
        .expect("real path")
        .join("static/assets/notes.txt");
    assert!(
        errors.starts_with(&format!(
            "{}: this is a symbolic link to {}, outside the content folder and the theme",
            link.display(),
            secret.display()
        )),
        "{errors}"
    );
}

#[test]
fn links_that_stay_inside_are_followed_and_loops_are_refused() {
    let site = Fixture::real();
    std::fs::create_dir_all(site.path("static")).expect("mkdir");
    // A file of the theme, published again under another name.
    symlink(
        "../../themes/default/static/assets/icon.svg",
        site.path("static/logo.svg"),
    )
    .expect("link");
    // An editor's lock file that leads nowhere is not read.
    symlink(
        "someone@host.1234",
        site.path("regions/bas-saint-laurent/fr/.#roles.md"),
    )
    .expect("link");
    site.build().expect("links inside are fine");
    assert!(site.output("/logo.svg").contains("<svg"));

    symlink(".", site.path("static/again")).expect("link");
    let errors = site.build_error();
    assert!(
        errors.starts_with("static/again: this is a symbolic link to ")
            && errors.ends_with(", a folder that holds it: remove it"),
        "{errors}"
    );
}
