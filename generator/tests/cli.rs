//! The `eclaireurs` command as staff use it: exit codes and messages.

mod common;

use std::process::Command;

use common::Fixture;

fn eclaireurs(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_eclaireurs"))
        .args(args)
        .output()
        .expect("run eclaireurs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_succeeds_on_good_content_and_lists_missing_translations() {
    let site = Fixture::real();
    site.remove("regions/saguenay-lac-saint-jean/en/objectives.md");
    let content = site.content();
    let (ok, stdout, _) = eclaireurs(&["check", "--content", content.to_str().expect("utf-8")]);
    assert!(ok, "{stdout}");
    assert!(stdout.contains("warning: "), "{stdout}");
    assert!(stdout.contains("en/objectives.md"), "{stdout}");
    assert!(stdout.contains("1 missing translations"), "{stdout}");
    assert!(!site.out().exists(), "check writes nothing");
}

#[test]
fn check_fails_with_each_problem_on_its_own_line() {
    let site = Fixture::real();
    site.edit("regions/bas-saint-laurent/fr/roles.md", "title:", "titre:");
    let content = site.content();
    let (ok, _, stderr) = eclaireurs(&["check", "--content", content.to_str().expect("utf-8")]);
    assert!(!ok);
    assert!(
        stderr.contains("roles.md:2:1: unknown key `titre`"),
        "{stderr}"
    );
    assert!(stderr.contains("1 problem to fix."), "{stderr}");
}

#[test]
fn a_failed_build_says_the_published_site_is_unchanged() {
    let site = Fixture::real();
    let content = site.content();
    let out = site.out();
    let args = [
        "build",
        "--content",
        content.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ];
    let (ok, stdout, _) = eclaireurs(&args);
    assert!(ok && stdout.starts_with("Built 42 pages"), "{stdout}");
    site.edit("regions/bas-saint-laurent/fr/roles.md", "title:", "titre:");
    let (ok, _, stderr) = eclaireurs(&args);
    assert!(!ok);
    assert!(stderr.contains("Nothing was published"), "{stderr}");
}

#[test]
fn new_region_makes_a_named_draft_that_check_lists_and_build_leaves_out() {
    let site = Fixture::real();
    let content = site.content();
    let content = content.to_str().expect("utf-8");
    let (ok, _, stderr) = eclaireurs(&["new-region", "gaspesie", "--content", content]);
    assert!(!ok, "the name is asked for");
    assert!(stderr.contains("--name-fr"), "{stderr}");
    let (ok, stdout, stderr) = eclaireurs(&[
        "new-region",
        "gaspesie",
        "--name-fr",
        "Gaspésie–Îles-de-la-Madeleine",
        "--content",
        content,
    ]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("as a draft"), "{stdout}");
    assert!(site.read("regions/gaspesie/region.yaml").contains(
        "name: { fr: \"Gaspésie–Îles-de-la-Madeleine\", en: \"Gaspésie–Îles-de-la-Madeleine\" }"
    ));
    let (ok, stdout, stderr) = eclaireurs(&["check", "--content", content]);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("note: ") && stdout.contains("gaspesie/region.yaml: a draft region"),
        "{stdout}"
    );
    assert!(
        stdout.contains("0 missing translations, 3 missing contacts, 1 draft left out."),
        "{stdout}"
    );
    let out = site.out();
    let (ok, stdout, _) = eclaireurs(&[
        "build",
        "--content",
        content,
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(ok && stdout.starts_with("Built 42 pages"), "{stdout}");
    assert!(stdout.contains("1 draft left out"), "{stdout}");
    assert!(!out.join("fr/gaspesie").exists());
}

#[test]
fn check_warns_of_regions_with_nobody_named_to_answer_and_still_succeeds() {
    let site = Fixture::real();
    let content = site.content();
    let (ok, stdout, stderr) =
        eclaireurs(&["check", "--content", content.to_str().expect("utf-8")]);
    assert!(ok, "{stderr}");
    let warnings: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("warning: ") && l.contains("the region shows the forms"))
        .collect();
    assert_eq!(warnings.len(), 3, "{stdout}");
    assert!(
        warnings[0].contains("bas-saint-laurent/region.yaml")
            && warnings[0].contains("`contact.phone`, `contact.voicemail` or `contact.email`"),
        "{stdout}"
    );
    assert!(stdout.contains("3 missing contacts"), "{stdout}");
}
