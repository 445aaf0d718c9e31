//! The submission API of PRODUCT.md, on the embedded store: both forms, both content types,
//! every class of bad input, idempotency, CORS and security headers.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::*;

#[tokio::test]
async fn a_registration_form_post_is_stored_and_redirected_to_the_french_thank_you_page() {
    let api = Api::embedded().await;
    let reply = api.form("/api/registrations", REGISTRATION_FORM).await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    assert_eq!(
        reply.header("location"),
        "https://eclaireurs.example.ca/fr/bas-saint-laurent/merci-inscription/"
    );
    let stored = api.stored("registration");
    assert_eq!(stored.len(), 1);
    let item = &stored[0];
    assert_eq!(item["region"], "bas-saint-laurent");
    assert_eq!(item["kind"], "registration");
    assert_eq!(item["status"], "new");
    assert_eq!(item["language"], "fr");
    assert_eq!(item["first_name"], "Julie");
    assert_eq!(item["email"], "julie.tremblay@example.ca");
    assert_eq!(item["territory"], "La Mitis");
    assert_eq!(item["roles"], serde_json::json!(["promote", "watch"]));
    assert_eq!(item["consent_version"], "2026-11-23");
    assert_eq!(item["consent_at"], item["submitted_at"]);
    assert!(item["submitted_at"].as_str().expect("text").ends_with('Z'));
    assert!(
        item["expires_at"].as_i64().is_some(),
        "retention configured"
    );
    assert!(item.get("website").is_none() && item.get("consent").is_none());
}

#[tokio::test]
async fn a_json_registration_answers_201_with_its_id() {
    let api = Api::embedded().await;
    let reply = api.json("/api/registrations", REGISTRATION_JSON).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let id = reply.json()["id"].as_str().expect("id").to_string();
    let stored = api.stored("registration");
    assert_eq!(stored[0]["id"], id.as_str());
    assert_eq!(
        stored[0]["roles"],
        serde_json::json!(["mobilize", "support"]),
        "in the definition's order"
    );
}

#[tokio::test]
async fn a_need_report_form_post_in_english_goes_to_the_english_thank_you_page() {
    let api = Api::embedded().await;
    let reply = api.form("/api/need-reports", NEED_REPORT_FORM).await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    assert_eq!(
        reply.header("location"),
        "https://eclaireurs.example.ca/en/bas-saint-laurent/thank-you-report/"
    );
    let stored = api.stored("need-report");
    assert_eq!(stored.len(), 1);
    assert!(stored[0].get("name").is_none(), "an anonymous report");
}

#[tokio::test]
async fn a_json_need_report_with_contact_details_is_stored() {
    let api = Api::embedded().await;
    let reply = api.json("/api/need-reports", NEED_REPORT_JSON).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(api.stored("need-report")[0]["name"], "Sophie Lavoie");
}

#[tokio::test]
async fn invalid_json_fields_answer_422_with_field_code_and_a_message_in_the_form_language() {
    let api = Api::embedded().await;
    let body = r#"{"region":"bas-saint-laurent","language":"en","description":"short","email":"not-an-email","phone":"call me","consent":false,"territory":"Atlantis"}"#;
    let reply = api.json("/api/need-reports", body).await;
    assert_eq!(reply.status, 422);
    let errors = reply.json()["errors"].as_array().expect("errors").clone();
    let codes: Vec<(String, String)> = errors
        .iter()
        .map(|e| {
            (
                e["field"].as_str().expect("field").into(),
                e["code"].as_str().expect("code").into(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            ("territory".into(), "invalid_choice".into()),
            ("description".into(), "too_short".into()),
            ("email".into(), "invalid_email".into()),
            ("phone".into(), "invalid_phone".into()),
            ("consent".into(), "consent_required".into()),
        ]
    );
    assert_eq!(
        errors[1]["message"],
        "This text is too short: at least 10 characters."
    );
    assert!(api.stored("need-report").is_empty());
}

#[tokio::test]
async fn an_invalid_form_post_answers_a_french_page_listing_what_to_fix_with_a_way_back() {
    let api = Api::embedded().await;
    let body = "region=bas-saint-laurent&language=fr&first_name=%3Cscript%3Ealert(1)%3C%2Fscript%3E&email=x&roles=fly";
    let reply = api.form("/api/registrations", body).await;
    assert_eq!(reply.status, 422);
    assert!(reply.header("content-type").starts_with("text/html"));
    let page = &reply.body;
    assert!(page.contains("<html lang=\"fr\">"));
    assert!(page.contains("<h1>Quelques réponses sont à corriger</h1>"));
    assert!(
        page.contains("#registration-last_name\">Nom de famille</a> – Ce champ est obligatoire.")
    );
    assert!(
        page.contains("#registration-email\">Courriel</a> – Entrez une adresse courriel valide")
    );
    assert!(page.contains("#registration-roles\">Les rôles qui vous intéressent</a> – Choisissez parmi les options proposées."));
    assert!(page.contains(
        "<a href=\"https://eclaireurs.example.ca/fr/bas-saint-laurent/devenir-eclaireur/\">Revenir au formulaire</a>"
    ));
    assert!(
        !page.contains("<script>"),
        "nothing sent is echoed unescaped"
    );
    assert!(reply
        .header("content-security-policy")
        .contains("default-src 'none'"));
    assert_eq!(reply.header("x-content-type-options"), "nosniff");
    assert!(api.stored("registration").is_empty());
}

#[tokio::test]
async fn each_class_of_bad_input_gets_its_status_and_nothing_is_stored() {
    let api = Api::embedded().await;
    let malformed = api.json("/api/registrations", "{\"region\": ").await;
    assert_eq!(malformed.status, 400);
    assert_eq!(malformed.json()["errors"][0]["code"], "malformed");
    let not_object = api.json("/api/registrations", "[1,2]").await;
    assert_eq!(not_object.status, 400);
    let huge = format!("{REGISTRATION_FORM}&description={}", "a".repeat(20_000));
    assert_eq!(api.form("/api/registrations", &huge).await.status, 413);
    let unsupported = api
        .send(
            Request::post("/api/registrations")
                .header("content-type", "text/plain")
                .header("accept", "application/json")
                .body(Body::from("hello"))
                .expect("request"),
        )
        .await;
    assert_eq!(unsupported.status, 415);
    assert_eq!(
        unsupported.json()["errors"][0]["code"],
        "unsupported_media_type"
    );
    let bad_key = api
        .send(
            Request::post("/api/registrations")
                .header("content-type", "application/json")
                .header("idempotency-key", "no spaces allowed")
                .body(Body::from(REGISTRATION_JSON))
                .expect("request"),
        )
        .await;
    assert_eq!(bad_key.status, 400);
    let wrong_types = api
        .json(
            "/api/registrations",
            &REGISTRATION_JSON.replace("\"Marc\"", "42"),
        )
        .await;
    assert_eq!(wrong_types.status, 422);
    assert_eq!(wrong_types.json()["errors"][0]["code"], "invalid_type");
    assert!(api.stored("registration").is_empty());
}

#[tokio::test]
async fn errors_before_the_form_is_read_follow_the_browser_language() {
    let api = Api::embedded().await;
    let reply = api
        .send(
            Request::post("/api/need-reports")
                .header("content-type", "application/json")
                .header("accept-language", "en-CA,en;q=0.9")
                .body(Body::from("nope"))
                .expect("request"),
        )
        .await;
    assert_eq!(
        reply.json()["errors"][0]["message"],
        "The request is malformed: the form could not be read."
    );
}

#[tokio::test]
async fn a_filled_honeypot_looks_like_success_and_stores_nothing() {
    let api = Api::embedded().await;
    let bot = REGISTRATION_FORM.replace("website=", "website=http%3A%2F%2Fspam.example");
    let reply = api.form("/api/registrations", &bot).await;
    assert_eq!(reply.status, 303);
    assert!(reply.header("location").ends_with("/merci-inscription/"));
    let json_bot = REGISTRATION_JSON.replace("\"website\":\"\"", "\"website\":\"buy now\"");
    assert_eq!(api.json("/api/registrations", &json_bot).await.status, 201);
    assert!(api.stored("registration").is_empty());
}

#[tokio::test]
async fn the_same_submission_sent_twice_is_stored_once_with_the_same_id() {
    let api = Api::embedded().await;
    let first = api
        .json("/api/registrations", REGISTRATION_JSON)
        .await
        .json()["id"]
        .clone();
    let again = api
        .json("/api/registrations", REGISTRATION_JSON)
        .await
        .json()["id"]
        .clone();
    assert_eq!(first, again);
    // A double click on a form post, too.
    api.form("/api/registrations", REGISTRATION_FORM).await;
    api.form("/api/registrations", REGISTRATION_FORM).await;
    assert_eq!(api.stored("registration").len(), 2);
}

#[tokio::test]
async fn an_idempotency_key_makes_a_retry_answer_the_first_id_even_if_edited() {
    let api = Api::embedded().await;
    let send = |body: &'static str| {
        Request::post("/api/need-reports")
            .header("content-type", "application/json")
            .header("idempotency-key", "page-7f3c9a12-retry")
            .body(Body::from(body))
            .expect("request")
    };
    let first = api.send(send(NEED_REPORT_JSON)).await.json()["id"].clone();
    let edited = NEED_REPORT_JSON.replace("Sophie", "Sophia").leak();
    let retry = api.send(send(edited)).await;
    assert_eq!(retry.status, 201);
    assert_eq!(retry.json()["id"], first);
    assert_eq!(api.stored("need-report").len(), 1);
    // The key may also come from the page as a field.
    let with_field = NEED_REPORT_FORM.to_string() + "&submission_id=field-key-123456";
    let a = api.form("/api/need-reports", &with_field).await;
    let b = api
        .form(
            "/api/need-reports",
            &with_field.replace("Seniors", "Elders"),
        )
        .await;
    assert_eq!((a.status, b.status), (303, 303));
    assert_eq!(api.stored("need-report").len(), 2);
}

#[tokio::test]
async fn concurrent_retries_of_one_submission_store_it_once() {
    let api = Api::embedded().await;
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let router = api.router.clone();
        tasks.push(tokio::spawn(async move {
            use tower::ServiceExt;
            let request = Request::post("/api/registrations")
                .header("content-type", "application/json")
                .body(Body::from(REGISTRATION_JSON))
                .expect("request");
            Reply::read(router.oneshot(request).await.expect("infallible")).await
        }));
    }
    let mut ids = std::collections::HashSet::new();
    for task in tasks {
        let reply = task.await.expect("task");
        assert_eq!(reply.status, 201);
        ids.insert(reply.json()["id"].as_str().expect("id").to_string());
    }
    assert_eq!(ids.len(), 1, "every retry answers the same id");
    assert_eq!(api.stored("registration").len(), 1);
}

#[tokio::test]
async fn cross_origin_calls_are_allowed_only_for_configured_origins() {
    let api = Api::embedded().await;
    let preflight = |origin: &str| {
        Request::builder()
            .method("OPTIONS")
            .uri("/api/registrations")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type,idempotency-key",
            )
            .body(Body::empty())
            .expect("request")
    };
    let allowed = api.send(preflight("https://eclaireurs.example.ca")).await;
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        "https://eclaireurs.example.ca"
    );
    let other = api.send(preflight("https://evil.example")).await;
    assert_eq!(other.header("access-control-allow-origin"), "");
}

#[tokio::test]
async fn health_names_the_store() {
    let api = Api::embedded().await;
    let reply = api
        .send(
            Request::get("/api/health")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json(),
        serde_json::json!({"status": "ok", "store": "embedded"})
    );
}

#[tokio::test]
async fn unknown_addresses_answer_404_in_json() {
    let api = Api::embedded().await;
    let reply = api.json("/api/volunteers", "{}").await;
    assert_eq!(reply.status, 404);
}

#[tokio::test]
async fn a_bot_that_also_leaves_errors_gets_them_like_a_person_would() {
    let api = Api::embedded().await;
    let reply = api
        .json(
            "/api/registrations",
            r#"{"region":"bas-saint-laurent","language":"en","website":"spam","first_name":null}"#,
        )
        .await;
    assert_eq!(reply.status, 422);
    let errors = reply.json()["errors"].clone();
    assert_eq!(errors[0]["field"], "first_name");
    assert_eq!(errors[0]["code"], "invalid_type", "JSON null is not text");
    assert!(api.stored("registration").is_empty());
}

/// The crisis lines of the theme's partial (what every page of the site shows): each number
/// and its `tel:` address.
fn site_crisis_lines() -> Vec<String> {
    let partial =
        std::fs::read_to_string(repo().join("themes/default/templates/partials/crisis-lines.html"))
            .expect("the theme's crisis lines");
    let mut lines = Vec::new();
    for part in partial.split("href=\"").skip(1) {
        lines.push(part.split('"').next().unwrap_or_default().to_string());
    }
    for part in partial.split("<strong>").skip(1) {
        lines.push(
            part.split("</strong>")
                .next()
                .unwrap_or_default()
                .to_string(),
        );
    }
    lines
}

#[tokio::test]
async fn every_html_answer_shows_the_crisis_lines_of_the_site_in_its_language() {
    let api = Api::embedded().await;
    let lines = site_crisis_lines();
    assert!(
        lines.iter().any(|l| l == "tel:988"),
        "9-8-8 is among the lines: {lines:?}"
    );
    let invalid_fr = api
        .form("/api/registrations", "region=bas-saint-laurent&language=fr")
        .await;
    let invalid_en = api
        .form("/api/need-reports", "region=bas-saint-laurent&language=en")
        .await;
    let malformed = api
        .send(
            Request::post("/api/need-reports")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(vec![b'a', b'=', 0xff]))
                .expect("request"),
        )
        .await;
    let unsupported = api
        .send(
            Request::post("/api/need-reports")
                .header("content-type", "text/plain")
                .header("accept-language", "en-CA")
                .body(Body::from("hello"))
                .expect("request"),
        )
        .await;
    for (reply, status, title) in [
        (&invalid_fr, 422, "Besoin d’aide maintenant?"),
        (&invalid_en, 422, "Need help now?"),
        (&malformed, 400, "Besoin d’aide maintenant?"),
        (&unsupported, 415, "Need help now?"),
    ] {
        assert_eq!(reply.status, status, "{}", reply.body);
        assert!(reply.header("content-type").starts_with("text/html"));
        assert!(reply.body.contains(title), "{status}: {}", reply.body);
        // French pages keep numbers on one line (no-break spaces and hyphens).
        let text = reply.body.replace('\u{a0}', " ").replace('\u{2011}', "-");
        for line in &lines {
            assert!(
                text.contains(line.as_str()),
                "{status}: the line {line} is missing:\n{}",
                reply.body
            );
        }
    }
}

#[test]
fn the_api_document_lists_exactly_the_territories_of_the_regions() {
    let document: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string(repo().join("function/openapi.yaml")).expect("openapi.yaml"),
    )
    .expect("YAML");
    let listed: std::collections::BTreeSet<String> = document["components"]["schemas"]["Territory"]
        ["enum"]
        .as_sequence()
        .expect("an enum")
        .iter()
        .filter_map(|v| v.as_str())
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect();
    let catalog = eclaireurs_function::catalog::Catalog::from_content(&repo().join("content"))
        .expect("catalog");
    let known: std::collections::BTreeSet<String> =
        catalog.regions.values().flatten().cloned().collect();
    assert_eq!(
        listed, known,
        "function/openapi.yaml's Territory enum and the regions' territories"
    );
}
