//! The roles of a registration: a list of boxes left empty is told "check at least one box",
//! not "this field is required"; a region whose éclaireurs hold every role (`roles: held`)
//! takes a registration without roles; and a region that registers through its own form
//! elsewhere takes no registration here.

mod common;

use std::fs;
use std::path::Path;

use common::*;

const SLSJ_NO_ROLES_FR: &str = r#"{"region":"saguenay-lac-saint-jean","language":"fr","first_name":"Marc","last_name":"Gagnon","email":"marc.gagnon@example.ca","municipality":"Alma","consent":true,"website":""}"#;

const BSL_NO_ROLES_FORM: &str = "region=bas-saint-laurent&language=fr&first_name=Julie&last_name=Tremblay&email=julie.tremblay%40example.ca&municipality=Rimouski&territory=La+Mitis&consent=true&website=";

#[tokio::test]
async fn a_list_of_roles_left_empty_asks_to_check_at_least_one_box_in_the_forms_language() {
    let api = Api::embedded().await;
    for (body, message) in [
        (SLSJ_NO_ROLES_FR.to_string(), "Cochez au moins une case."),
        (
            SLSJ_NO_ROLES_FR.replace(r#""language":"fr""#, r#""language":"en""#),
            "Check at least one box.",
        ),
    ] {
        let reply = api.json("/api/registrations", &body).await;
        assert_eq!(reply.status, 422, "{}", reply.body);
        let errors = reply.json()["errors"].as_array().expect("errors").clone();
        let roles = errors
            .iter()
            .find(|e| e["field"] == "roles")
            .expect("the roles are named");
        assert_eq!(roles["code"], "required", "the API's code is kept");
        assert_eq!(roles["message"], message);
    }
    assert!(api.stored("registration").is_empty());
}

#[tokio::test]
async fn a_text_field_left_empty_is_still_told_it_is_required() {
    let api = Api::embedded().await;
    let body = SLSJ_NO_ROLES_FR.replace(r#""first_name":"Marc","#, "");
    let reply = api.json("/api/registrations", &body).await;
    let errors = reply.json()["errors"].as_array().expect("errors").clone();
    let first_name = errors
        .iter()
        .find(|e| e["field"] == "first_name")
        .expect("named");
    assert_eq!(first_name["message"], "Ce champ est obligatoire.");
}

#[tokio::test]
async fn where_every_eclaireur_holds_the_roles_a_registration_without_roles_is_stored() {
    let api = Api::embedded().await;
    let reply = api.form("/api/registrations", BSL_NO_ROLES_FORM).await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    let stored = api.stored("registration");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["region"], "bas-saint-laurent");
    assert!(
        stored[0].get("roles").is_none(),
        "nothing asked, nothing stored"
    );
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("copy");
        }
    }
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} holds {from:?}", path.display());
    fs::write(path, text.replacen(from, to, 1)).expect("write");
}

#[tokio::test]
async fn a_region_that_registers_through_its_own_form_elsewhere_takes_no_registration_here() {
    let sites = tempfile::tempdir().expect("temp dir");
    copy_dir(&repo().join("content"), &sites.path().join("content"));
    copy_dir(&repo().join("themes"), &sites.path().join("themes"));
    let slsj = sites.path().join("content/regions/saguenay-lac-saint-jean");
    edit(
        &slsj.join("region.yaml"),
        "registration: site",
        "registration: { external: https://forms.example.ca/devenir-eclaireur }",
    );
    for lang in ["fr", "en"] {
        edit(
            &slsj.join(lang).join("register.md"),
            "form: registration",
            "template: external-registration.html",
        );
    }
    let data = tempfile::tempdir().expect("temp dir");
    let mut settings = settings(data.path());
    settings.catalog =
        eclaireurs_function::config::CatalogSource::Content(sites.path().join("content"));
    let state = eclaireurs_function::state(settings).await.expect("state");
    let api = Api {
        router: eclaireurs_function::http::app(state.clone()),
        state,
        dir: data,
    };
    let reply = api.json("/api/registrations", REGISTRATION_JSON).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(
        reply.field_errors(),
        [("region".to_string(), "invalid_choice".to_string())]
    );
    assert!(api.stored("registration").is_empty());
    let reply = api.json("/api/need-reports", NEED_REPORT_JSON).await;
    assert_eq!(
        reply.status, 201,
        "need reports still come in: {}",
        reply.body
    );
}
