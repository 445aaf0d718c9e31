//! A build into an existing output folder changes only what changed: an unchanged rebuild
//! writes nothing, an edited page is the only file written, stale files go, a failed build
//! leaves every byte as it was, and a write error says which path and why.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use common::Fixture;
use eclaireurs::build::BuildError;
use eclaireurs::output::OutputError;

/// Every file under `dir`: its path there → (inode, mtime in ns, bytes).
fn snapshot(dir: &Path) -> BTreeMap<String, (u64, i128, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<String, (u64, i128, Vec<u8>)>) {
        for entry in fs::read_dir(dir).expect("list") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                let meta = fs::metadata(&path).expect("metadata");
                let mtime =
                    i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec());
                let rel = path.strip_prefix(root).expect("inside").to_string_lossy();
                files.insert(
                    rel.into_owned(),
                    (meta.ino(), mtime, fs::read(&path).expect("read")),
                );
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

/// The files whose inode, mtime or bytes differ between two snapshots, or that are in only one.
fn differences(
    before: &BTreeMap<String, (u64, i128, Vec<u8>)>,
    after: &BTreeMap<String, (u64, i128, Vec<u8>)>,
) -> Vec<String> {
    let mut changed: Vec<String> = after
        .iter()
        .filter(|(rel, file)| before.get(*rel) != Some(file))
        .map(|(rel, _)| rel.clone())
        .collect();
    changed.extend(
        before
            .keys()
            .filter(|rel| !after.contains_key(*rel))
            .map(|rel| format!("gone: {rel}")),
    );
    changed
}

#[test]
fn an_unchanged_rebuild_writes_no_file() {
    let site = Fixture::real();
    let first = site.build().expect("builds");
    assert!(first.output.written > 40, "{:?}", first.output);
    let before = snapshot(&site.out());
    let again = site.build().expect("builds again");
    assert_eq!(again.output.written, 0, "{:?}", again.output);
    assert_eq!(again.output.removed, 0);
    assert_eq!(
        again.output.unchanged,
        before.len() - 1,
        "all but the marker"
    );
    assert_eq!(
        differences(&before, &snapshot(&site.out())),
        Vec::<String>::new()
    );
}

#[test]
fn an_edited_page_is_the_only_file_written() {
    let site = Fixture::real();
    site.build().expect("builds");
    let before = snapshot(&site.out());
    let roles = "regions/bas-saint-laurent/fr/roles.md";
    let text = site.read(roles);
    site.write(roles, &format!("{text}\nUne phrase ajoutée.\n"));
    let report = site.build().expect("builds again");
    assert_eq!(report.output.written, 1, "{:?}", report.output);
    assert_eq!(
        differences(&before, &snapshot(&site.out())),
        // The page, and the record of the build (the folder's marker).
        [".eclaireurs-build", "fr/bas-saint-laurent/roles/index.html"]
    );
    assert!(site
        .output("/fr/bas-saint-laurent/roles/")
        .contains("Une phrase ajoutée."));
}

#[test]
fn stale_files_and_the_folders_they_leave_are_removed() {
    let site = Fixture::real();
    site.build().expect("builds");
    let stray = site.out().join("fr/ancienne-page/index.html");
    fs::create_dir_all(stray.parent().expect("parent")).expect("mkdir");
    fs::write(&stray, "old").expect("write");
    let old_style: Vec<_> = fs::read_dir(site.out().join("assets"))
        .expect("assets")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".css"))
        .collect();
    assert_eq!(old_style.len(), 1);
    let css = site
        .dir
        .path()
        .join("themes/default/static/assets/style.css");
    let text = fs::read_to_string(&css).expect("css");
    fs::write(&css, format!("{text}\nmain {{ color: navy; }}\n")).expect("write");

    let report = site.build().expect("builds again");
    assert_eq!(report.output.removed, 2, "{:?}", report.output);
    assert!(!stray.exists());
    assert!(
        !site.out().join("fr/ancienne-page").exists(),
        "emptied folder removed"
    );
    assert!(!old_style[0].exists(), "the previous stylesheet is gone");
    assert!(
        site.out().join(".eclaireurs-build").is_file(),
        "the marker stays"
    );
    let leftovers: Vec<_> = fs::read_dir(site.out())
        .expect("list")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("pending"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_failed_build_leaves_the_previous_output_byte_for_byte() {
    let site = Fixture::real();
    site.build().expect("builds");
    let before = snapshot(&site.out());
    // A page changed and a problem elsewhere: the changed page must not reach the output.
    let roles = "regions/bas-saint-laurent/fr/roles.md";
    let text = site.read(roles);
    site.write(roles, &format!("{text}\nUne phrase ajoutée.\n"));
    site.edit("regions/bas-saint-laurent/en/roles.md", "title:", "titre:");
    site.build_error();
    assert_eq!(
        differences(&before, &snapshot(&site.out())),
        Vec::<String>::new()
    );
}

#[test]
fn a_write_error_names_the_path_and_the_reason() {
    let site = Fixture::real();
    // A file where a folder should be.
    let blocker = site.dir.path().join("blocker");
    fs::write(&blocker, "a file").expect("write");
    let out = blocker.join("public");
    let err = eclaireurs::build::build(&site.content(), &out, "").expect_err("cannot write");
    match &err {
        BuildError::Output(OutputError::Write { path, source }) => {
            assert!(path.starts_with(&blocker), "{}", path.display());
            assert!(
                source.raw_os_error().is_some(),
                "the system's reason: {source}"
            );
        }
        other => panic!("not a write error: {other:?}"),
    }
    let message = err.to_string();
    assert!(message.starts_with("cannot write "), "{message}");
    assert!(
        message.contains(&blocker.display().to_string()),
        "{message}"
    );
    // The operating system's own words: "File exists" (EEXIST) for this case.
    assert!(message.contains("(os error "), "{message}");
    assert!(!message.contains("cannot read"), "{message}");
}

#[test]
fn a_leftover_pending_folder_is_cleared() {
    let site = Fixture::real();
    site.build().expect("builds");
    // What a build stopped midway (killed) leaves: its pending folder.
    let pending = site
        .out()
        .join(format!(".eclaireurs-pending-{}", std::process::id()));
    fs::create_dir(&pending).expect("mkdir");
    fs::write(pending.join("x"), "x").expect("write");
    let roles = "regions/bas-saint-laurent/fr/roles.md";
    let text = site.read(roles);
    site.write(roles, &format!("{text}\nUne phrase ajoutée.\n"));
    // The leftover of an earlier build is cleared, then the edit goes through.
    let report = site.build().expect("a leftover pending folder is cleared");
    assert_eq!(report.output.written, 1);
    assert!(!pending.exists());
}

#[test]
fn a_folder_where_a_file_goes_stops_the_build_before_anything_changes() {
    let site = Fixture::real();
    site.build().expect("builds");
    // robots.txt's place taken by a folder (with a file in it, for the snapshot to see).
    fs::remove_file(site.out().join("robots.txt")).expect("remove");
    fs::create_dir(site.out().join("robots.txt")).expect("mkdir");
    fs::write(site.out().join("robots.txt/x"), "x").expect("write");
    let before = snapshot(&site.out());
    let roles = "regions/bas-saint-laurent/fr/roles.md";
    let text = site.read(roles);
    site.write(roles, &format!("{text}\nUne phrase ajoutée.\n"));
    match site.build() {
        Err(BuildError::Output(OutputError::Write { path, source })) => {
            assert!(path.ends_with("robots.txt"), "{}", path.display());
            assert_eq!(source.kind(), std::io::ErrorKind::IsADirectory);
        }
        other => panic!("not a write error: {other:?}"),
    }
    assert_eq!(
        differences(&before, &snapshot(&site.out())),
        Vec::<String>::new(),
        "the edited page did not go in either"
    );
}

#[test]
fn an_unchanged_rebuild_still_reports_what_the_build_found() {
    let site = Fixture::real();
    let first = site.build().expect("builds");
    let again = site.build().expect("builds again");
    assert_eq!(again.output.written, 0);
    assert_eq!(
        (again.pages, again.files, &again.catalog_version),
        (first.pages, first.files, &first.catalog_version)
    );
    assert_eq!(again.missing_contacts, first.missing_contacts);
    assert_eq!(again.missing_translations, first.missing_translations);
    assert_eq!(again.drafts, first.drafts);
}

#[test]
fn a_file_changed_or_removed_by_hand_in_the_output_is_put_back() {
    let site = Fixture::real();
    site.build().expect("builds");
    let home = site.out().join("fr/index.html");
    let built = fs::read(&home).expect("read");
    fs::write(&home, b"edited by hand").expect("write");
    let sitemap = site.out().join("sitemap.xml");
    fs::remove_file(&sitemap).expect("remove");

    let report = site.build().expect("builds again");
    assert_eq!(report.output.written, 2, "{:?}", report.output);
    assert_eq!(fs::read(&home).expect("read"), built);
    assert!(sitemap.is_file());
}

#[test]
fn a_theme_change_is_built_even_when_the_content_is_the_same() {
    let site = Fixture::real();
    site.build().expect("builds");
    let base = site.dir.path().join("themes/default/templates/base.html");
    let text = fs::read_to_string(&base).expect("read");
    fs::write(
        &base,
        text.replacen("</body>", "<!-- theme changed --></body>", 1),
    )
    .expect("write");
    let report = site.build().expect("builds again");
    assert!(report.output.written >= 40, "{:?}", report.output);
    assert!(site.output("/fr/").contains("<!-- theme changed -->"));
}

#[test]
fn two_builds_of_the_same_content_give_the_same_bytes_minified_assets_included() {
    let site = Fixture::real();
    site.build().expect("builds");
    // Into another folder: nothing recorded there, so everything is rendered again.
    let other = site.dir.path().join("again");
    eclaireurs::build::build(&site.content(), &other, "").expect("builds again");
    let bytes = |dir: &Path| -> BTreeMap<String, Vec<u8>> {
        snapshot(dir)
            .into_iter()
            .filter(|(rel, _)| rel != ".eclaireurs-build")
            .map(|(rel, (_, _, bytes))| (rel, bytes))
            .collect()
    };
    let (first, second) = (bytes(&site.out()), bytes(&other));
    assert!(
        first.keys().any(|rel| rel.ends_with(".css"))
            && first.keys().any(|rel| rel.ends_with(".js"))
    );
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (rel, bytes) in &first {
        assert!(
            second[rel] == *bytes,
            "{rel} differs from one build to the next"
        );
    }
}
