//! Each class of bad content gives a located, plain error, and a failed build leaves the
//! previously published site untouched.

mod common;

use common::Fixture;

/// Builds once, breaks the content with `spoil`, and returns the failed build's message
/// after checking that the published site is exactly what it was.
fn error_after(spoil: impl FnOnce(&Fixture)) -> String {
    let site = Fixture::real();
    site.build().expect("the untouched copy builds");
    let before = site.output("/fr/bas-saint-laurent/roles/");
    spoil(&site);
    let message = site.build_error();
    assert_eq!(
        site.output("/fr/bas-saint-laurent/roles/"),
        before,
        "previous output kept"
    );
    let leftovers: Vec<_> = std::fs::read_dir(site.dir.path())
        .expect("list")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.contains("building") || n.ends_with(".old"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temporary folder left behind: {leftovers:?}"
    );
    message
}

const ROLES: &str = "regions/bas-saint-laurent/fr/roles.md";

#[test]
fn a_typo_in_a_front_matter_key_names_the_key_the_file_and_the_line() {
    let message = error_after(|site| site.edit(ROLES, "description:", "descripton:"));
    assert!(
        message.starts_with(&format!("{ROLES}:3:1: unknown key `descripton`")),
        "{message}"
    );
    assert!(message.contains("check its spelling"), "{message}");
    assert!(
        message.contains("`description`"),
        "lists the allowed keys: {message}"
    );
}

#[test]
fn a_missing_title_says_which_key_is_required() {
    let message = error_after(|site| {
        let text = site.read(ROLES);
        let without: Vec<&str> = text.lines().filter(|l| !l.starts_with("title:")).collect();
        site.write(ROLES, &without.join("\n"));
    });
    assert!(message.contains(ROLES), "{message}");
    assert!(
        message.contains("the key `title` is required here but is missing"),
        "{message}"
    );
}

#[test]
fn malformed_yaml_is_located_and_explained() {
    // A colon followed by a space inside a value needs quotes.
    let message =
        error_after(|site| site.edit(ROLES, "order:", "menu_title: Rôles: les quatre\norder:"));
    let line = site_line_of(ROLES, "order:");
    assert!(
        message.starts_with(&format!("{ROLES}:{line}:")),
        "line of the mistake: {message}"
    );
    assert!(message.contains("check the indentation"), "{message}");
}

#[test]
fn a_value_of_the_wrong_kind_says_what_was_expected() {
    let message = error_after(|site| {
        let text = site.read(ROLES);
        let fixed: Vec<String> = text
            .lines()
            .map(|l| {
                if l.starts_with("order:") {
                    "order: third".to_string()
                } else {
                    l.to_string()
                }
            })
            .collect();
        site.write(ROLES, &fixed.join("\n"));
    });
    assert!(
        message.contains("found the text \"third\" where a whole number was expected"),
        "{message}"
    );
}

#[test]
fn a_page_without_front_matter_is_explained() {
    let message = error_after(|site| site.write(ROLES, "# Rôles\n\nSans en-tête.\n"));
    assert_eq!(
        message,
        format!(
            "{ROLES}:1:1: this page has no front matter: it must start with a line `---`, then \
             `title:` and `description:` lines, then a closing `---` line"
        )
    );
}

#[test]
fn a_link_to_a_page_that_does_not_exist_names_the_line_and_the_pages_there() {
    let message = error_after(|site| {
        let text = site.read(ROLES);
        site.write(
            ROLES,
            &format!("{text}\nVoir [les objectifs](objectivs.md).\n"),
        );
    });
    let lines = site_lines(ROLES);
    assert!(
        message.starts_with(&format!(
            "{ROLES}:{}:6: the link `objectivs.md` leads to no page",
            lines + 2
        )),
        "{message}"
    );
    assert!(
        message.contains("there is no `objectivs.md` in regions/bas-saint-laurent/fr"),
        "{message}"
    );
    assert!(
        message.contains("objectives.md"),
        "suggests the pages that exist: {message}"
    );
}

/// The line number of the first line starting with `start` in the real content file.
fn site_line_of(rel: &str, start: &str) -> usize {
    std::fs::read_to_string(common::repo().join("content").join(rel))
        .expect("read")
        .lines()
        .position(|l| l.starts_with(start))
        .expect("line")
        + 1
}

fn site_lines(rel: &str) -> usize {
    std::fs::read_to_string(common::repo().join("content").join(rel))
        .expect("read")
        .lines()
        .count()
}

#[test]
fn a_link_to_an_address_that_does_not_exist_is_an_error() {
    let message = error_after(|site| {
        let text = site.read(ROLES);
        site.write(ROLES, &format!("{text}\n[Accueil](/fr/nulle-part/)\n"));
    });
    assert!(
        message.contains("the link `/fr/nulle-part/` leads to no page"),
        "{message}"
    );
}

#[test]
fn an_unknown_key_in_region_data_is_located() {
    let message = error_after(|site| {
        site.edit(
            "regions/bas-saint-laurent/region.yaml",
            "territories:",
            "teritories:",
        )
    });
    assert!(
        message.starts_with("regions/bas-saint-laurent/region.yaml:"),
        "{message}"
    );
    assert!(message.contains("unknown key `teritories`"), "{message}");
}

#[test]
fn a_label_missing_its_english_is_located_in_the_form_definition() {
    let message = error_after(|site| {
        site.edit(
            "forms/registration.yaml",
            "label: { fr: Prénom, en: First name }",
            "label: { fr: Prénom }",
        )
    });
    assert!(message.starts_with("forms/registration.yaml:"), "{message}");
    assert!(
        message.contains("the key `en` is required here but is missing"),
        "{message}"
    );
}

#[test]
fn a_text_field_without_a_length_limit_is_refused() {
    let message =
        error_after(|site| site.edit("forms/registration.yaml", "    max_length: 100\n", ""));
    assert_eq!(
        message,
        "forms/registration.yaml: field 3 (`first_name`): add a `max_length` so the page and \
         the function limit it alike"
    );
}

#[test]
fn two_pages_with_the_same_address_are_refused() {
    let message = error_after(|site| {
        site.edit(
            "regions/bas-saint-laurent/fr/objectives.md",
            "slug: objectifs",
            "slug: roles",
        )
    });
    assert!(
        message.contains("two pages have the URL /fr/bas-saint-laurent/roles/"),
        "{message}"
    );
}

#[test]
fn a_page_naming_an_unknown_form_lists_the_forms() {
    let message = error_after(|site| {
        site.edit(
            "regions/bas-saint-laurent/fr/register.md",
            "form: registration",
            "form: inscription",
        )
    });
    assert!(
        message.contains(
            "`form`: there is no form `inscription` (forms: `need-report`, `registration`)"
        ),
        "{message}"
    );
}

#[test]
fn a_missing_ui_string_in_one_language_is_refused() {
    let message = error_after(|site| {
        let path = site.dir.path().join("themes/default/i18n/en.yaml");
        let text = std::fs::read_to_string(&path).expect("read");
        std::fs::write(&path, text.replace("  home: Region home\n", "")).expect("write");
    });
    assert!(
        message.contains("the text `nav.home` is missing here"),
        "{message}"
    );
}

#[test]
fn a_broken_site_template_names_the_template() {
    let message = error_after(|site| {
        site.write(
            "templates/page.html",
            "{% extends \"base.html\" %}{% block main %}{{ page.titel }}{% endblock main %}",
        )
    });
    assert!(
        message.contains("the template `page.html` failed for this page"),
        "{message}"
    );
    assert!(message.contains("titel"), "{message}");
}

#[test]
fn a_level_one_heading_in_the_text_is_refused() {
    let message = error_after(|site| {
        let text = site.read(ROLES);
        site.write(ROLES, &format!("{text}\n# Un autre titre\n"));
    });
    assert!(
        message.contains("use `##` for headings in the text"),
        "{message}"
    );
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let message = error_after(|site| {
        site.edit(ROLES, "description:", "descripton:");
        site.edit(
            "regions/saguenay-lac-saint-jean/en/roles.md",
            "title:",
            "titl:",
        );
    });
    assert_eq!(message.lines().count(), 2, "{message}");
}

#[test]
fn a_build_never_replaces_a_folder_it_did_not_make() {
    let site = Fixture::real();
    std::fs::create_dir_all(site.out()).expect("mkdir");
    std::fs::write(site.out().join("precious.txt"), "keep me").expect("write");
    let message = site.build_error();
    assert!(message.contains("was not made by eclaireurs"), "{message}");
    assert_eq!(
        std::fs::read_to_string(site.out().join("precious.txt")).expect("kept"),
        "keep me"
    );
}

#[test]
fn a_region_without_its_own_wording_of_the_roles_is_refused() {
    let message = error_after(|site| {
        let path = site.content().join("regions/bas-saint-laurent/region.yaml");
        let text = std::fs::read_to_string(&path).expect("read");
        let cut = text.find("\nchoices:").expect("the region words its roles");
        std::fs::write(&path, &text[..cut + 1]).expect("write");
    });
    assert!(
        message.starts_with("regions/bas-saint-laurent/region.yaml: `choices.roles` is missing"),
        "{message}"
    );
    assert!(
        message.contains("promote, mobilize, watch, support"),
        "{message}"
    );
}

#[test]
fn a_region_wording_other_role_codes_is_refused() {
    let message = error_after(|site| {
        site.edit(
            "regions/bas-saint-laurent/region.yaml",
            "    - value: watch\n",
            "    - value: recognize\n",
        )
    });
    assert!(
        message
            .contains("`choices.roles`: give exactly the values promote, mobilize, watch, support"),
        "{message}"
    );
}

#[test]
fn a_form_the_function_would_refuse_stops_the_build_at_its_file() {
    let message = error_after(|site| {
        site.edit(
            "forms/need-report.yaml",
            "max_length: 4000",
            "max_length: 5001",
        )
    });
    assert!(message.contains("forms/need-report.yaml"), "{message}");
    assert!(
        message.contains("the function's catalog: form `need-report`, field `description`"),
        "{message}"
    );
    assert!(message.contains("5000"), "{message}");
}
