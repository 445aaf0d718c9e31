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
fn new_region_then_check_passes() {
    let site = Fixture::real();
    let content = site.content();
    let content = content.to_str().expect("utf-8");
    let (ok, stdout, stderr) = eclaireurs(&["new-region", "gaspesie", "--content", content]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("Created"), "{stdout}");
    let (ok, stdout, stderr) = eclaireurs(&["check", "--content", content]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("0 missing translations"), "{stdout}");
}
