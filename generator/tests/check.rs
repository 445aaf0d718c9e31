//! `check` finds every content mistake in one round, before anything is rendered: what the
//! loader finds (placeholders, keys, forms) with what the text says (links, the parts of
//! pages they point to, headings, templates); and it writes and renders nothing.

mod common;

use common::Fixture;
use eclaireurs::build::{Preview, Rebuilt};

const ROLES: &str = "regions/bas-saint-laurent/fr/roles.md";
const OBJECTIVES: &str = "regions/bas-saint-laurent/fr/objectives.md";

/// `check`'s message, with the fixture's folder removed.
fn check_error(site: &Fixture) -> String {
    match site.check() {
        Ok(_) => panic!("the check should have failed"),
        Err(err) => err
            .to_string()
            .replace(&format!("{}/", site.content().display()), ""),
    }
}

fn append(site: &Fixture, rel: &str, text: &str) {
    let before = site.read(rel);
    site.write(rel, &format!("{before}\n{text}\n"));
}

#[test]
fn a_broken_link_a_bad_anchor_and_a_placeholder_are_reported_in_one_check() {
    let site = Fixture::real();
    append(&site, ROLES, "Voir [les objectifs](objectivs.md).");
    append(
        &site,
        ROLES,
        "Voir [les impacts](objectives.md#les-effets).",
    );
    append(&site, OBJECTIVES, "À RÉDIGER : la suite.");
    let message = check_error(&site);
    assert_eq!(message.lines().count(), 3, "{message}");
    assert!(
        message.contains(&format!("{OBJECTIVES}:")) && message.contains("À RÉDIGER"),
        "the placeholder: {message}"
    );
    assert!(
        message.contains("the link `objectivs.md` leads to no page"),
        "the broken link: {message}"
    );
    assert!(
        message.contains(
            "the link `objectives.md#les-effets` leads to /fr/bas-saint-laurent/objectifs/, \
             which has no heading or id `les-effets`"
        ),
        "the bad anchor: {message}"
    );
    assert!(
        message.contains("#les-impacts-souhaites"),
        "names the headings there are: {message}"
    );
    assert_eq!(
        site.build_error(),
        message,
        "build reports the same, in the same round"
    );
}

#[test]
fn links_to_a_heading_or_an_id_of_a_page_pass() {
    let site = Fixture::real();
    append(&site, OBJECTIVES, "<a id=\"en-bref\"></a>Texte.");
    append(
        &site,
        ROLES,
        "Voir [les impacts](objectives.md#les-impacts-souhaites), [en bref](objectives.md#en-bref) \
         et [aider](#aider).",
    );
    site.check().expect("every anchor names a part of its page");
    site.build().expect("builds");
    assert!(site
        .output("/fr/bas-saint-laurent/roles/")
        .contains("href=\"/fr/bas-saint-laurent/objectifs/#les-impacts-souhaites\""));
}

#[test]
fn a_link_to_a_missing_part_of_the_same_page_is_reported_at_its_line() {
    let site = Fixture::real();
    append(&site, ROLES, "[plus haut](#promouvoir-le-reseau)");
    let message = check_error(&site);
    assert!(
        message.starts_with(&format!(
            "{ROLES}:{}:1: the link `#promouvoir-le-reseau` leads to /fr/bas-saint-laurent/roles/, \
             which has no heading or id `promouvoir-le-reseau`",
            site.read(ROLES).lines().count()
        )),
        "{message}"
    );
    assert!(message.contains("#promouvoir"), "{message}");
}

#[test]
fn a_missing_template_is_reported_with_the_loader_s_problems() {
    let site = Fixture::real();
    site.edit(ROLES, "title:", "template: roles.html\ntitle:");
    site.edit(OBJECTIVES, "description:", "descripton:");
    let message = check_error(&site);
    assert_eq!(message.lines().count(), 2, "{message}");
    assert!(
        message.contains("`template`: there is no template `roles.html`"),
        "{message}"
    );
    assert!(message.contains("unknown key `descripton`"), "{message}");
}

#[test]
fn check_renders_and_writes_nothing() {
    let site = Fixture::real();
    // A template that fails only when it renders: `build` finds it, `check` never renders.
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block main %}{{ page.titel }}{% endblock main %}",
    );
    let before = files(site.dir.path());
    let report = site.check().expect("the content is right");
    assert_eq!(report.pages, 42, "counts the pages build would render");
    assert!(!site.out().exists(), "no output folder");
    assert_eq!(files(site.dir.path()), before, "no file written");
    assert!(
        site.build_error()
            .contains("the template `page.html` failed for this page"),
        "build renders"
    );
}

#[test]
fn a_preview_reports_a_bad_anchor_in_an_edited_page_and_rebuilds_when_headings_change() {
    let site = Fixture::real();
    let mut preview = Preview::new(&site.content(), &site.out(), "");
    preview.rebuild(&[]).expect("first build");
    let text = site.read(ROLES);
    site.write(
        ROLES,
        &format!("{text}\n[les impacts](objectives.md#les-effets)\n"),
    );
    let err = preview
        .rebuild(&[site.path(ROLES)])
        .expect_err("bad anchor");
    assert!(
        err.to_string()
            .contains("has no heading or id `les-effets`"),
        "{err}"
    );
    site.write(
        ROLES,
        &format!("{text}\n[les impacts](objectives.md#les-impacts-souhaites)\n"),
    );
    preview.rebuild(&[site.path(ROLES)]).expect("recovers");

    // Renaming a heading may break other pages' links to it: the whole site is checked.
    site.edit(
        OBJECTIVES,
        "## Les impacts souhaités",
        "## Les effets souhaités",
    );
    let err = preview
        .rebuild(&[site.path(OBJECTIVES)])
        .expect_err("the link of roles.md now points to nothing");
    assert!(
        err.to_string().contains("roles.md:")
            && err.to_string().contains("`les-impacts-souhaites`"),
        "{err}"
    );
    site.write(ROLES, &text);
    preview.rebuild(&[site.path(ROLES)]).expect("recovers");
    site.edit(OBJECTIVES, "## Les effets souhaités", "## Les impacts");
    assert!(
        matches!(
            preview.rebuild(&[site.path(OBJECTIVES)]),
            Ok(Rebuilt::Site(_))
        ),
        "a heading's id is seen by other pages"
    );
}

/// Every file under `dir`, with its size and time of change.
fn files(dir: &std::path::Path) -> Vec<(std::path::PathBuf, u64, std::time::SystemTime)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("list") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            found.extend(files(&path));
        } else {
            let meta = std::fs::metadata(&path).expect("metadata");
            found.push((path, meta.len(), meta.modified().expect("mtime")));
        }
    }
    found.sort();
    found
}
