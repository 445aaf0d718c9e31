//! The submission API of function/openapi.yaml, on the embedded store: both forms, both content types,
//! every class of bad input, idempotency, CORS and security headers.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::*;
use eclaireurs_model::Lang;

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
    assert_eq!(item["consent_version"], "2026-12-03");
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
    assert_eq!(
        reply.field_errors(),
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
async fn an_invalid_form_post_answers_the_form_page_again_filled_in_with_each_error_beside_its_field(
) {
    let api = Api::embedded().await;
    // A wrong email and no role (Saguenay–Lac-Saint-Jean's éclaireurs choose theirs); the
    // other answers must come back, never the trap's, and the
    // page's hidden fields keep the catalog's values whatever the post said.
    let body = "region=saguenay-lac-saint-jean&language=fr&catalog_version=forged&first_name=%3Cscript%3Ealert(1)%3C%2Fscript%3E&last_name=Tremblay&email=julie.tremblay&phone=418+555-0199&municipality=Alma&territory=Lac-Saint-Jean-Est&consent=true&website=";
    let reply = api.form("/api/registrations", body).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert!(reply.header("content-type").starts_with("text/html"));
    let page = &reply.body;
    let form_page = form_url(&api, "registration", "saguenay-lac-saint-jean", Lang::Fr);
    // The site's own page: its language, header, icon, stylesheet, canonical address.
    assert!(page.contains("<html lang=\"fr\">"), "{page}");
    assert!(
        page.contains("<title>Quelques réponses sont à corriger – "),
        "the title says so first"
    );
    assert!(page.contains("<header class=\"site-header\">"));
    assert!(page.contains("class=\"brand-region\">Saguenay–Lac-Saint-Jean</span>"));
    assert!(page.contains("<link rel=\"icon\" href=\"https://eclaireurs.example.ca/assets/icon."));
    assert!(page
        .contains("<link rel=\"stylesheet\" href=\"https://eclaireurs.example.ca/assets/style."));
    assert!(page.contains("<script src=\"https://eclaireurs.example.ca/assets/forms."));
    assert!(page.contains(&format!("<link rel=\"canonical\" href=\"{form_page}\">")));
    assert!(
        page.contains(&format!("<a href=\"{form_page}\">{form_page}</a>")),
        "the address to keep is the form's page, not the API's"
    );
    // The answers filled in, escaped.
    assert!(page.contains("name=\"last_name\" value=\"Tremblay\""));
    assert!(page.contains("name=\"email\" value=\"julie.tremblay\""));
    assert!(page.contains("name=\"phone\" value=\"418 555-0199\""));
    assert!(page.contains("<option value=\"Lac-Saint-Jean-Est\" selected>"));
    assert!(page.contains("name=\"consent\" value=\"true\" checked"));
    assert!(
        page.contains("value=\"&lt;script&gt;alert(1)&lt;&#x2F;script&gt;\"")
            || page.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;\""),
        "{page}"
    );
    assert!(
        !page.contains("<script>"),
        "nothing sent is echoed unescaped"
    );
    assert!(
        page.contains("name=\"website\" value=\"\" tabindex=\"-1\""),
        "the trap stays empty"
    );
    let version = &api.state.catalog.version;
    assert!(page.contains(&format!("name=\"catalog_version\" value=\"{version}\"")));
    assert!(!page.contains("forged"));
    // Each error beside its field, the field marked and described by it.
    assert!(page.contains("<p class=\"field-error\" id=\"registration-email-error\" data-for=\"registration-email\"><span class=\"visually-hidden\">Erreur\u{a0}: </span>Entrez une adresse courriel valide"), "{page}");
    for id in ["registration-email", "registration-roles"] {
        let tag = tag_with(page, &format!("id=\"{id}\""));
        assert!(tag.contains("aria-invalid=\"true\""), "{tag}");
        assert!(
            tag.contains(&format!("aria-describedby=\"{id}-error")),
            "{tag}"
        );
    }
    assert!(
        !page.contains("registration-last_name-error"),
        "a good answer has no error"
    );
    // The summary at the top of the form, focused without a script, linking to the fields.
    let summary = page.find("class=\"error-summary\"").expect("a summary");
    assert!(summary < page.find("name=\"first_name\"").expect("the form"));
    assert!(page.contains("<h2 id=\"registration-summary\" tabindex=\"-1\" autofocus>Quelques réponses sont à corriger</h2>"));
    assert!(page.contains(
        "<a href=\"#registration-email\">Courriel</a> – Entrez une adresse courriel valide"
    ));
    assert!(page.contains("<a href=\"#registration-roles\">"));
    // The crisis lines, above the form and in the footer.
    assert!(page.contains("class=\"crisis crisis-form\""));
    assert!(page.contains("aria-labelledby=\"crisis-fr\""));
    // The site's policy: it loads the site's files; never cached.
    let csp = reply.header("content-security-policy");
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(reply.header("x-content-type-options"), "nosniff");
    assert_eq!(reply.header("cache-control"), "no-store");
    assert!(api.stored("registration").is_empty());
}

/// The start tag of `page` that holds `attribute`.
fn tag_with<'a>(page: &'a str, attribute: &str) -> &'a str {
    let at = page
        .find(attribute)
        .unwrap_or_else(|| panic!("{attribute}: {page}"));
    let start = page[..at].rfind('<').expect("a tag");
    let end = at + page[at..].find('>').expect("its end");
    &page[start..=end]
}

#[tokio::test]
async fn the_form_page_the_function_gives_back_is_the_site_s_page_but_for_its_summary() {
    let api = Api::embedded().await;
    let rendered = eclaireurs::build::render(&repo().join("content")).expect("the site builds");
    for (form, endpoint, path, lang) in [
        (
            "registration",
            "registrations",
            "fr/bas-saint-laurent/devenir-eclaireur/index.html",
            "fr",
        ),
        (
            "need-report",
            "need-reports",
            "en/saguenay-lac-saint-jean/report-a-need/index.html",
            "en",
        ),
    ] {
        let site_page = rendered
            .files
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, bytes)| String::from_utf8(bytes.clone()).expect("UTF-8"))
            .expect("the built page");
        let region = path.split('/').nth(1).expect("region");
        // A body the function cannot read: the page comes back empty, with a summary.
        let reply = api
            .send(
                Request::post(format!("/api/{endpoint}"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header(
                        "referer",
                        format!("{SITE}/{}", path.trim_end_matches("index.html")),
                    )
                    .body(Body::from("a=%FF"))
                    .expect("request"),
            )
            .await;
        assert_eq!(
            reply.status, 400,
            "{form}, {lang}, {region}: {}",
            reply.body
        );
        let start = reply
            .body
            .find("<div class=\"error-summary\"")
            .expect("a summary");
        let end = start + reply.body[start..].find("</div>").expect("its end") + "</div>".len();
        let lang = Lang::from_code(lang).expect("a language");
        let title = api.state.catalog.text(lang, "validation.title");
        let title = match lang {
            Lang::Fr => eclaireurs_model::typography::french(&title, "fr"),
            Lang::En => title,
        };
        // The summary, and the title's first words that say what the summary says.
        let without_summary = format!("{}{}", &reply.body[..start], &reply.body[end..])
            .replacen(&format!("<title>{title} – "), "<title>", 1)
            .replace(&format!("{SITE}/assets/"), "/assets/");
        assert_eq!(without_summary, site_page, "{form}, {lang}, {region}");
    }
}

#[tokio::test]
async fn the_form_page_given_back_and_corrected_is_stored_once() {
    let api = Api::embedded().await;
    let wrong = REGISTRATION_FORM.replace("julie.tremblay%40example.ca", "julie.tremblay");
    assert_eq!(api.form("/api/registrations", &wrong).await.status, 422);
    api.accepted_form("/api/registrations", REGISTRATION_FORM)
        .await;
    assert_eq!(api.stored("registration").len(), 1);
}

#[tokio::test]
async fn a_form_post_seen_before_answers_a_page_saying_so_in_its_language_and_json_keeps_201() {
    let api = Api::embedded().await;
    api.accepted_form("/api/need-reports", NEED_REPORT_FORM)
        .await;
    let again = api.form("/api/need-reports", NEED_REPORT_FORM).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert!(again.header("content-type").starts_with("text/html"));
    let page = &again.body;
    assert!(page.contains("<html lang=\"en\">"), "{page}");
    assert!(
        page.contains("<h1 tabindex=\"-1\" autofocus>Answers already received</h1>"),
        "{page}"
    );
    assert!(page.contains("already received a moment ago"));
    let thanks = api
        .state
        .catalog
        .addresses("need-report", "bas-saint-laurent", Lang::En)
        .thanks
        .expect("a thank-you page");
    assert!(
        page.contains(&format!(
            "<a href=\"{SITE}{thanks}\">See the thank-you page</a>"
        )),
        "{page}"
    );
    assert!(
        page.contains("<header class=\"site-header\">")
            && page.contains("aria-labelledby=\"crisis-en\"")
    );
    assert_eq!(again.header("cache-control"), "no-store");
    assert_eq!(api.stored("need-report").len(), 1);
    let french = NEED_REPORT_FORM.replace("language=en", "language=fr");
    api.accepted_form("/api/need-reports", &french).await;
    let again = api.form("/api/need-reports", &french).await;
    assert!(
        again.body.contains("Réponses déjà reçues"),
        "{}",
        again.body
    );
    // A script's retry keeps its contract.
    let first = api.json("/api/registrations", REGISTRATION_JSON).await;
    let retry = api.json("/api/registrations", REGISTRATION_JSON).await;
    assert_eq!((first.status, retry.status), (201, 201));
    assert_eq!(first.json()["id"], retry.json()["id"]);
}

#[tokio::test]
async fn each_class_of_bad_input_gets_its_status_and_nothing_is_stored() {
    let api = Api::embedded().await;
    let malformed = api.json("/api/registrations", "{\"region\": ").await;
    assert_eq!(malformed.status, 400);
    assert_eq!(malformed.json()["errors"][0]["code"], "malformed");
    let not_object = api.json("/api/registrations", "[1,2]").await;
    assert_eq!(not_object.status, 400);
    let huge = format!("{REGISTRATION_FORM}&description={}", "a".repeat(200_000));
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
async fn an_idempotency_key_makes_a_retry_answer_the_first_id_and_refuses_other_answers() {
    let api = Api::embedded().await;
    let send = |body: &str| {
        Request::post("/api/need-reports")
            .header("content-type", "application/json")
            .header("idempotency-key", "page-7f3c9a12-retry")
            .body(Body::from(body.to_string()))
            .expect("request")
    };
    let first = api.send(send(NEED_REPORT_JSON)).await;
    assert_eq!(first.status, 201);
    let retry = api.send(send(NEED_REPORT_JSON)).await;
    assert_eq!(
        (retry.status, retry.json()["id"].clone()),
        (201, first.json()["id"].clone())
    );
    // The person fixed a typo after a lost answer, and the page kept its key: refused, as
    // the IETF Idempotency-Key draft says (422), never answered "stored".
    let edited = NEED_REPORT_JSON.replace("Sophie", "Sophia");
    let reused = api.send(send(&edited)).await;
    assert_eq!(reused.status, 422, "{}", reused.body);
    let error = &reused.json()["errors"][0];
    assert_eq!(error["field"], serde_json::Value::Null);
    assert_eq!(error["code"], "idempotency_key_reused");
    assert!(
        error["message"]
            .as_str()
            .expect("message")
            .contains("déjà été envoyé"),
        "in the form's language (French): {error}"
    );
    let stored = api.stored("need-report");
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0]["name"], "Sophie Lavoie",
        "the first answers are kept"
    );
    // With another key, the corrected report is a submission of its own.
    let fresh = api
        .send(
            Request::post("/api/need-reports")
                .header("content-type", "application/json")
                .header("idempotency-key", "page-7f3c9a12-second")
                .body(Body::from(edited.clone()))
                .expect("request"),
        )
        .await;
    assert_eq!(fresh.status, 201);
    assert_eq!(api.stored("need-report").len(), 2);

    // The key may also come from the page as a field; a form post gets a page in the form's
    // language, with a way back to the form.
    let with_field = NEED_REPORT_FORM.to_string() + "&submission_id=field-key-123456";
    let a = api.form("/api/need-reports", &with_field).await;
    let b = api
        .form(
            "/api/need-reports",
            &with_field.replace("Seniors", "Elders"),
        )
        .await;
    assert_eq!((a.status, b.status), (303, 422), "{}", b.body);
    assert!(b.header("content-type").starts_with("text/html"));
    assert!(b.body.contains("<html lang=\"en\">"));
    assert!(b
        .body
        .contains("This form was already sent with other answers"));
    let form_page = form_url(&api, "need-report", "bas-saint-laurent", Lang::En);
    assert!(
        b.body
            .contains(&format!("<a href=\"{form_page}\">Back to the form</a>")),
        "{}",
        b.body
    );
    assert_eq!(api.stored("need-report").len(), 3);
}

#[tokio::test]
async fn a_key_reused_with_other_answers_is_still_refused_after_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key_body = |body: &str| {
        Request::post("/api/registrations")
            .header("content-type", "application/json")
            .header("idempotency-key", "restart-key-0001")
            .body(Body::from(body.to_string()))
            .expect("request")
    };
    let first = {
        let api = Api::embedded_in(dir.path()).await;
        let reply = api.send(key_body(REGISTRATION_JSON)).await;
        assert_eq!(reply.status, 201);
        reply.json()["id"].clone()
    };
    // The store is reopened: what it knows of the key comes from its files.
    let api = Api::embedded_in(dir.path()).await;
    let retry = api.send(key_body(REGISTRATION_JSON)).await;
    assert_eq!((retry.status, retry.json()["id"].clone()), (201, first));
    let edited = api
        .send(key_body(&REGISTRATION_JSON.replace("Alma", "Roberval")))
        .await;
    assert_eq!(edited.status, 422, "{}", edited.body);
    assert_eq!(edited.json()["errors"][0]["code"], "idempotency_key_reused");
    assert_eq!(api.stored("registration").len(), 1);
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

/// A need report as a form post, every field at its longest in `text`'s characters.
fn longest_need_report(character: &str) -> String {
    let encode =
        |text: &str| -> String { form_urlencoded::byte_serialize(text.as_bytes()).collect() };
    let repeat = |n: usize| encode(&character.repeat(n));
    format!(
        "region=bas-saint-laurent&language=fr&territory={}&description={}&name={}&email={}&phone={}&consent=true&website=&catalog_version=0123456789abcdef",
        encode("Rivière-du-Loup"),
        repeat(4000),
        // A name holds a letter.
        encode(&format!("J{}", character.repeat(199))),
        encode(&format!("{}@{}.ca", character.repeat(120), character.repeat(130))),
        encode("+1 (418) 555-0123, poste 123456"[..30].trim_end()),
    )
}

#[tokio::test]
async fn a_form_post_of_any_answer_the_form_allows_fits_the_body_limit() {
    let api = Api::embedded().await;
    // Each character encoded at its longest: 9 bytes (`€`, CJK), 12 (an emoji); 4,000 of
    // them are far more than the 16 KiB that used to be the limit.
    for character in ["€", "漢", "😀", "é"] {
        let body = longest_need_report(character);
        assert!(body.len() > 16 * 1024, "{character}: {} bytes", body.len());
        let reply = api.form("/api/need-reports", &body).await;
        assert_eq!(
            reply.status,
            303,
            "{character} ({} bytes): {}",
            body.len(),
            reply.body
        );
    }
    let stored = api.stored("need-report");
    assert_eq!(stored.len(), 4);
    assert_eq!(stored[2]["description"], "😀".repeat(4000));
    // Beyond the derived limit: 413, with a way back to the form the browser came from.
    let form = api.state.catalog.form("need-report").expect("form");
    let limit = eclaireurs_function::http::body_limit(&api.state.catalog, form);
    let huge = format!("{}&padding={}", NEED_REPORT_FORM, "a".repeat(limit));
    let page = form_url(&api, "need-report", "bas-saint-laurent", Lang::Fr);
    let reply = api
        .send(
            Request::post("/api/need-reports")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("referer", page.as_str())
                .body(Body::from(huge))
                .expect("request"),
        )
        .await;
    assert_eq!(reply.status, 413);
    assert!(
        reply.body.contains("<html lang=\"fr\">"),
        "the page's language"
    );
    // The form's own page again, empty, saying why at the top.
    assert!(
        reply
            .body
            .contains(&format!("<link rel=\"canonical\" href=\"{page}\">")),
        "{}",
        reply.body
    );
    let message = api.state.catalog.text(Lang::Fr, "validation.too_large");
    let message = eclaireurs_model::typography::french(&message, "fr");
    assert!(
        reply.body.contains(&format!("<p>{message}</p>")),
        "{}",
        reply.body
    );
    assert!(reply.body.contains("name=\"description\""));
}

#[test]
fn the_body_limits_are_derived_from_the_form_definitions_and_documented() {
    let catalog = eclaireurs_function::catalog::Catalog::from_content(&repo().join("content"))
        .expect("catalog");
    let limit =
        |id: &str| eclaireurs_function::http::body_limit(&catalog, catalog.form(id).expect("form"));
    let document = std::fs::read_to_string(repo().join("function/openapi.yaml")).expect("openapi");
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README");
    for (form, endpoint) in [
        ("registration", "registrations"),
        ("need-report", "need-reports"),
    ] {
        let bytes = limit(form);
        let shown = format!("`/api/{endpoint}`: {} bytes", group_thousands(bytes));
        assert!(document.contains(&shown), "openapi.yaml says {shown}");
        assert!(readme.contains(&shown), "README.md says {shown}");
    }
    // Each character of a person's text at its longest: 11 code points of 12 bytes. The
    // registration's five text fields (584 characters) and the need report's description
    // alone fit.
    let per_character = eclaireurs_function::http::BYTES_PER_CHARACTER;
    assert_eq!(per_character, 11 * 12);
    assert!(limit("need-report") > 4000 * per_character);
    assert!(limit("registration") > (100 + 100 + 254 + 30 + 100) * per_character);
}

/// `58368` → `58,368`.
fn group_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[tokio::test]
async fn percent_encoded_invalid_utf8_and_unreadable_forms_are_malformed_never_stored() {
    let api = Api::embedded().await;
    // `%E9` is `é` in Latin-1, not UTF-8: refused, never stored as `�`.
    let latin1 = REGISTRATION_FORM.replace("first_name=Julie", "first_name=Ren%E9e");
    let page = form_url(&api, "registration", "bas-saint-laurent", Lang::Fr);
    let reply = api
        .send(
            Request::post("/api/registrations")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("referer", format!("{page}?from=menu#registration-form"))
                .body(Body::from(latin1.clone()))
                .expect("request"),
        )
        .await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert!(reply.body.contains("mal formée"), "{}", reply.body);
    // The form's own page, empty (what was sent could not be read).
    assert!(
        reply
            .body
            .contains(&format!("<link rel=\"canonical\" href=\"{page}\">")),
        "{}",
        reply.body
    );
    assert!(
        reply.body.contains("name=\"first_name\" required"),
        "{}",
        reply.body
    );
    let json = api.form("/api/registrations", &latin1).await;
    assert_eq!(json.status, 400);
    let name = api
        .form(
            "/api/registrations",
            &format!("{REGISTRATION_FORM}&na%FFme=x"),
        )
        .await;
    assert_eq!(name.status, 400, "in a name too");
    assert!(api.stored("registration").is_empty());
}

#[tokio::test]
async fn every_4xx_page_links_back_to_its_form_or_else_to_the_home_page() {
    let api = Api::embedded().await;
    let page = form_url(&api, "registration", "bas-saint-laurent", Lang::En);
    let post = |content_type: &str, referer: Option<&str>, body: &str| {
        let mut request = Request::post("/api/registrations").header("content-type", content_type);
        if let Some(referer) = referer {
            request = request.header("referer", referer);
        }
        request.body(Body::from(body.to_string())).expect("request")
    };
    let form = "application/x-www-form-urlencoded";
    let link = format!("<a href=\"{page}\">Back to the form</a>");
    let canonical = format!("<link rel=\"canonical\" href=\"{page}\">");
    // Before the body is read, the page the browser came from says where back is: a link
    // to it, or the form's page itself where it can be shown again.
    for (reply, status, back) in [
        (
            api.send(post("text/plain", Some(&page), "hello")).await,
            415,
            &link,
        ),
        (
            api.send(post(form, Some(&page), "a=%FF")).await,
            400,
            &canonical,
        ),
        (
            api.send(post(form, Some(&page), &"a".repeat(200_000)))
                .await,
            413,
            &canonical,
        ),
        // A region that is not one of the site's: the page it came from.
        (
            api.send(post(form, Some(&page), "region=atlantis&language=en"))
                .await,
            422,
            &canonical,
        ),
    ] {
        assert_eq!(reply.status, status, "{}", reply.body);
        assert!(
            reply.body.contains("<html lang=\"en\">"),
            "{status}: the page's language"
        );
        assert!(
            reply.body.contains(back.as_str()),
            "{status}: {}",
            reply.body
        );
    }
    // A bad key, once the form is read: its region's form.
    let bad_key = api
        .send(post(
            form,
            None,
            &format!("{REGISTRATION_FORM}&submission_id=no%20spaces"),
        ))
        .await;
    assert_eq!(bad_key.status, 400);
    let french = form_url(&api, "registration", "bas-saint-laurent", Lang::Fr);
    assert!(
        bad_key
            .body
            .contains(&format!("<link rel=\"canonical\" href=\"{french}\">")),
        "{}",
        bad_key.body
    );
    // Nothing says which form page: the home page, said plainly; a Referer that is not one
    // of the form's pages is never linked to.
    for referer in [
        None,
        Some("https://evil.example/phish"),
        Some("https://eclaireurs.example.ca/en/"),
    ] {
        let reply = api.send(post("text/plain", referer, "hello")).await;
        assert_eq!(reply.status, 415);
        assert!(
            reply.body.contains(&format!(
                "<a href=\"{SITE}/fr/\">Revenir à l’accueil du site</a>"
            )),
            "{referer:?}: {}",
            reply.body
        );
        assert!(!reply.body.contains("evil.example"));
    }
}

#[tokio::test]
async fn controls_bidi_and_zero_width_characters_in_one_line_answers_are_refused_naming_the_field()
{
    let api = Api::embedded().await;
    for (field, value) in [
        ("first_name", "Marc\u{0}"),
        ("first_name", "Marc\r\nBcc: x@example.ca"),
        ("last_name", "Gagnon\u{1b}[2J"),
        ("last_name", "\u{202e}nongaG"),
        ("municipality", "Al\u{200b}ma"),
        ("email", "marc.gagnon\u{200d}@example.ca"),
        ("email", "marc\u{2066}.gagnon@example.ca"),
    ] {
        let mut body: serde_json::Value = serde_json::from_str(REGISTRATION_JSON).expect("json");
        body[field] = serde_json::Value::String(value.to_string());
        let reply = api.json("/api/registrations", &body.to_string()).await;
        assert_eq!(reply.status, 422, "{field} = {value:?}: {}", reply.body);
        let errors = reply.json()["errors"].clone();
        assert_eq!(errors.as_array().map(Vec::len), Some(1), "{errors}");
        assert_eq!(errors[0]["field"], field);
        assert_eq!(errors[0]["code"], "invalid_characters");
        assert!(errors[0]["message"]
            .as_str()
            .expect("message")
            .contains("invisible or control character"));
    }
    // A form post gets the French page, the field named by its label.
    let reply = api
        .form(
            "/api/registrations",
            &REGISTRATION_FORM.replace("last_name=Tremblay", "last_name=Trem%E2%80%AEblay"),
        )
        .await;
    assert_eq!(reply.status, 422);
    assert!(
        reply.body.contains("#registration-last_name\">Nom de famille</a> – Cette réponse contient un caractère invisible"),
        "{}",
        reply.body
    );
    assert!(api.stored("registration").is_empty());
}

#[tokio::test]
async fn several_line_answers_keep_their_line_breaks_and_lose_other_hidden_characters() {
    let api = Api::embedded().await;
    let body = NEED_REPORT_FORM.replace(
        "description=Seniors+in+the+village",
        "description=%E2%80%AESeniors%0D%0Ain+the%09village%00%E2%80%8B%0D%0A%0D%0A",
    );
    assert_eq!(api.form("/api/need-reports", &body).await.status, 303);
    let stored = api.stored("need-report");
    assert_eq!(
        stored[0]["description"],
        "Seniors\nin the village\n\n have no transport to the food bank since the bus stopped."
    );
}

#[tokio::test]
async fn a_required_answer_of_invisible_characters_only_is_missing() {
    let api = Api::embedded().await;
    let body = REGISTRATION_JSON
        .replace("\"Marc\"", "\"\\u200b\\u200b\"")
        .replace("\"Gagnon\"", "\" \\u202e \\ufeff\"")
        .replace("\"Alma\"", "\"\\u3164\"");
    let reply = api.json("/api/registrations", &body).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(
        reply.field_errors(),
        [
            ("first_name".into(), "required".into()),
            ("last_name".into(), "required".into()),
            ("municipality".into(), "required".into()),
        ]
    );
    // An optional one is no answer: nothing is stored for it.
    let report = NEED_REPORT_JSON.replace("\"Sophie Lavoie\"", "\"\\u200b\"");
    assert_eq!(api.json("/api/need-reports", &report).await.status, 201);
    assert!(api.stored("need-report")[0].get("name").is_none());
}

#[tokio::test]
async fn the_same_answers_typed_composed_or_decomposed_are_one_submission_stored_composed() {
    let api = Api::embedded().await;
    let composed = REGISTRATION_JSON.replace("\"Marc\"", "\"Jérôme\"");
    let decomposed = REGISTRATION_JSON.replace("\"Marc\"", "\"Je\\u0301ro\\u0302me\"");
    let first = api.json("/api/registrations", &composed).await;
    let second = api.json("/api/registrations", &decomposed).await;
    assert_eq!((first.status, second.status), (201, 201));
    assert_eq!(
        first.json()["id"],
        second.json()["id"],
        "the same submission"
    );
    // A form post of the decomposed name is stored composed too.
    let form = REGISTRATION_FORM.replace("first_name=Julie", "first_name=Je%CC%81ro%CC%82me");
    assert_eq!(api.form("/api/registrations", &form).await.status, 303);
    let stored = api.stored("registration");
    assert_eq!(stored.len(), 2);
    for item in &stored {
        assert_eq!(item["first_name"], "J\u{e9}r\u{f4}me");
    }
}

#[tokio::test]
async fn lengths_count_the_characters_a_person_sees() {
    let api = Api::embedded().await;
    let with_name = |name: &str| {
        let mut body: serde_json::Value = serde_json::from_str(REGISTRATION_JSON).expect("json");
        body["first_name"] = serde_json::Value::String(name.to_string());
        body.to_string()
    };
    // 100 of them is the limit, however many code points each is (a name holds a letter).
    for name in [
        "e\u{301}".repeat(100),
        format!("J{}", "👨\u{200d}👩\u{200d}👧".repeat(99)),
        format!("J{}", "🇨🇦".repeat(99)),
    ] {
        let reply = api.json("/api/registrations", &with_name(&name)).await;
        assert_eq!(reply.status, 201, "{name}: {}", reply.body);
    }
    let reply = api
        .json(
            "/api/registrations",
            &with_name(&format!("J{}", "🇨🇦".repeat(100))),
        )
        .await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.json()["errors"][0]["code"], "too_long");
}

/// The API document's `Phone` pattern, as a regular expression.
fn phone_pattern() -> regex::Regex {
    let document: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string(repo().join("function/openapi.yaml")).expect("openapi.yaml"),
    )
    .expect("YAML");
    let pattern = document["components"]["schemas"]["Phone"]["pattern"]
        .as_str()
        .expect("a pattern");
    regex::Regex::new(pattern).expect("the pattern compiles")
}

/// Whether the function takes `phone` in a need report (422 `invalid_phone` or
/// `invalid_characters` otherwise), without HTTP.
fn function_takes_phone(catalog: &eclaireurs_function::catalog::Catalog, phone: &str) -> bool {
    use eclaireurs_function::http::Fields;
    use eclaireurs_function::validate::{validate, Outcome};
    let body = serde_json::json!({
        "region": "bas-saint-laurent", "language": "fr", "consent": true,
        "description": "Des aînés sans transport vers la banque alimentaire.", "phone": phone,
    });
    let fields = Fields::from_json(body.to_string().as_bytes()).expect("JSON");
    match validate(catalog, catalog.form("need-report").expect("form"), &fields) {
        Outcome::Valid(_) => true,
        Outcome::Invalid { errors, .. } => {
            assert!(
                errors.iter().all(|e| e.field == "phone"),
                "{phone:?}: only the phone is wrong: {errors:?}"
            );
            false
        }
    }
}

#[test]
fn the_phone_rule_of_the_function_and_of_the_api_document_agree_on_real_quebec_formats() {
    let catalog = eclaireurs_function::catalog::Catalog::from_content(&repo().join("content"))
        .expect("catalog");
    let pattern = phone_pattern();
    for (phone, taken) in [
        ("418 555-0123", true),
        ("(418) 555-0123", true),
        ("418-555-0123", true),
        ("418.555.0123", true),
        ("4185550123", true),
        ("555-0123", true),
        ("1 418 555-0123", true),
        ("1-800-463-2493", true),
        ("+1 418 555-0123", true),
        ("+1 (418) 555-0123", true),
        ("+1-819-555-0199", true),
        ("1 877 669-2007, poste 6006", true),
        ("418 555-0123 poste 12", true),
        ("418 555-0123 Poste 12", true),
        ("418 555-0123 p. 12", true),
        ("819-555-0199 ext. 12", true),
        ("819-555-0199 ext 12", true),
        ("819 555-0199 EXT. 12", true),
        ("4185550123x12", true),
        ("418 555 0123 x 12", true),
        ("418 555-0123 #12", true),
        // Copied from a French page: no-break spaces, a non-breaking hyphen, an en dash.
        ("418\u{a0}555\u{2011}0123", true),
        ("1\u{202f}877\u{202f}669\u{2013}2007", true),
        ("  418 555-0123\t", true),
        ("+33 1 23 45 67 89", true),
        ("", true),
        ("   ", true),
        ("\u{200b}", true),
        ("811", false),
        ("555", false),
        ("1 800 FLOWERS", false),
        ("418 555-0123 poste", false),
        ("418 555-0123 poste abc", false),
        ("418 555-0123 poste 1234567", false),
        ("418/555/0123", false),
        ("418 555-0123 ou 418 555-0124", false),
        ("41+8 555-0123", false),
        ("1234567890123456", false),
        ("418 555-0123,, poste 2", false),
        ("\u{200b}418 555-0123", false),
        ("418 555-0123\u{202e}", false),
        ("４１８ ５５５-０１２３", false),
    ] {
        assert_eq!(
            pattern.is_match(phone),
            taken,
            "the API document's pattern on {phone:?}"
        );
        assert_eq!(
            function_takes_phone(&catalog, phone),
            taken,
            "the function on {phone:?}"
        );
    }
}

#[test]
fn the_phone_rule_of_the_function_and_of_the_api_document_agree_on_every_character() {
    let catalog = eclaireurs_function::catalog::Catalog::from_content(&repo().join("content"))
        .expect("catalog");
    let pattern = phone_pattern();
    // Every character of the Basic Multilingual Plane and a few beyond, alone and around,
    // before and inside a number.
    let characters = (0u32..0x1_0000)
        .chain(0x1_BCA0..0x1_BCA4)
        .chain(0xE_0000..0xE_0080)
        .chain(0xE_0100..0xE_0110)
        .filter_map(char::from_u32);
    let mut checked = 0;
    for c in characters {
        for phone in [
            c.to_string(),
            format!("{c}4185550123"),
            format!("4185550123{c}"),
            format!("418{c}5550123"),
            format!("4185550123 {c}12"),
        ] {
            assert_eq!(
                pattern.is_match(&phone),
                function_takes_phone(&catalog, &phone),
                "{phone:?} (U+{:04X})",
                u32::from(c)
            );
            checked += 1;
        }
    }
    assert!(checked > 300_000);
}

#[tokio::test]
async fn a_bot_that_repeats_its_key_gets_the_same_made_up_id_and_nothing_is_stored() {
    let api = Api::embedded().await;
    let bot = REGISTRATION_JSON.replace("\"website\":\"\"", "\"website\":\"buy now\"");
    let send = |body: &str, key: &str| {
        Request::post("/api/registrations")
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .body(Body::from(body.to_string()))
            .expect("request")
    };
    let first = api.send(send(&bot, "bot-key-00000001")).await;
    let again = api.send(send(&bot, "bot-key-00000001")).await;
    assert_eq!((first.status, again.status), (201, 201));
    assert_eq!(
        first.json()["id"],
        again.json()["id"],
        "as a person's retry would be"
    );
    let other = api
        .send(send(&bot.replace("Alma", "Dolbeau"), "bot-key-00000001"))
        .await;
    assert_eq!(other.status, 422, "other answers, as for a person");
    assert_eq!(other.json()["errors"][0]["code"], "idempotency_key_reused");
    // Without a key, the same answers again: the same made-up id.
    let a = api.json("/api/registrations", &bot).await.json()["id"].clone();
    let b = api.json("/api/registrations", &bot).await.json()["id"].clone();
    assert_eq!(a, b);
    assert_ne!(a, first.json()["id"]);
    assert!(api.stored("registration").is_empty());
    // A person's submission is never taken for the trap's, even with the same key.
    let person = api.send(send(REGISTRATION_JSON, "bot-key-00000001")).await;
    assert_eq!(person.status, 201);
    assert_ne!(person.json()["id"], first.json()["id"]);
    assert_eq!(api.stored("registration").len(), 1);
}
