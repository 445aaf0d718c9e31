//! What the function takes of a person's answers at the edges (issue 17): answers within the
//! form's lengths always fit the body limit, whatever a character holds; names a person can
//! see and that hold a letter; a character's marks bounded; a malformed trap answered like a
//! filled one; and how long the same answers are recognised as a retry, on the embedded store
//! (DynamoDB's in `tests/dynamodb.rs`).

mod common;

use common::*;
use eclaireurs_function::catalog::Catalog;
use eclaireurs_function::http::{body_limit, Fields};
use eclaireurs_function::store::{Store, Stored};
use eclaireurs_function::submission;

/// 👨‍👩‍👧‍👦: one character as the server counts it, seven code points.
const FAMILY: &str = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}";

/// A flag of tag characters holding 11 code points of four bytes each (🏴 + nine tags +
/// cancel tag): the longest a character can be in a body, 132 bytes escaped in JSON.
const LONGEST: &str = "\u{1F3F4}\u{E0061}\u{E0062}\u{E0063}\u{E0064}\u{E0065}\u{E0066}\u{E0067}\u{E0068}\u{E0069}\u{E007F}";

fn catalog() -> Catalog {
    Catalog::from_content(&repo().join("content")).expect("catalog")
}

/// Every character of `text` escaped in JSON (`\ud83d\udc68`…), as a client may send it.
fn escaped(text: &str) -> String {
    let mut out = String::from("\"");
    for unit in text.encode_utf16() {
        out.push_str(&format!("\\u{unit:04x}"));
    }
    out.push('"');
    out
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// A registration (form post, and JSON with every character escaped) whose three names
/// (first, last, municipality) are `name`, and `last` the last name where given.
fn registration(first: &str, last: &str) -> (String, String) {
    registration_of(first, last, "Rimouski")
}

fn registration_of(first: &str, last: &str, municipality: &str) -> (String, String) {
    let form = REGISTRATION_FORM
        .replace("first_name=Julie", &format!("first_name={}", encode(first)))
        .replace("last_name=Tremblay", &format!("last_name={}", encode(last)))
        .replace(
            "municipality=Rimouski",
            &format!("municipality={}", encode(municipality)),
        );
    let json = format!(
        r#"{{"region":"bas-saint-laurent","language":"fr","first_name":{},"last_name":{},"email":"julie.tremblay@example.ca","municipality":{},"territory":"La Mitis","roles":["promote"],"consent":true,"website":""}}"#,
        escaped(first),
        escaped(last),
        escaped(municipality)
    );
    (form, json)
}

#[tokio::test]
async fn names_of_a_hundred_family_emoji_fit_the_body_limit_in_both_encodings() {
    // The issue's registration: 100 family emoji a name (100 characters by the server's
    // count), 22,631 bytes as a form post and 19,978 escaped in JSON, answered 413 under the
    // old 16 KiB limit.
    let name = FAMILY.repeat(100);
    let (form, _) = registration_of(&name, &name, &name);
    // Other answers in JSON, so the two are two people, not a repeat.
    let other = format!("J{}", FAMILY.repeat(99));
    let (_, json) = registration_of(&other, &other, &other);
    assert!(
        form.len() > 22_000 && json.len() > 19_000,
        "{} {}",
        form.len(),
        json.len()
    );
    let api = Api::embedded().await;
    let posted = api.form("/api/registrations", &form).await;
    assert_eq!(posted.status, 303, "{}", posted.body);
    let sent = api.json("/api/registrations", &json).await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let stored = api.stored("registration");
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().any(|s| s["first_name"] == name.as_str()));
    assert!(stored.iter().any(|s| s["first_name"] == other.as_str()));

    // A name of digits and signs names nobody: refused beside the field, never 413.
    let (_, json) = registration_of("1234", "-- !", "Rimouski");
    let reply = api.json("/api/registrations", &json).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(
        reply.field_errors(),
        vec![
            ("first_name".to_string(), "no_letter".to_string()),
            ("last_name".to_string(), "no_letter".to_string()),
        ]
    );
}

#[tokio::test]
async fn a_need_report_with_every_character_at_its_longest_fits_and_one_byte_more_does_not() {
    let api = Api::embedded().await;
    let catalog = &api.state.catalog;
    let form = catalog.form("need-report").expect("form");
    let limit = body_limit(catalog, form);
    // 4,000 characters of 11 four-byte code points, each escaped: 528,000 bytes for the
    // description alone, and the name at its longest too.
    let body = format!(
        r#"{{"region":"bas-saint-laurent","language":"fr","territory":"Rivi\u00e8re-du-Loup","description":{},"name":{},"email":"julie@example.ca","phone":"418 555-0123","consent":true,"website":""}}"#,
        escaped(&LONGEST.repeat(4000)),
        escaped(&format!("J{}", LONGEST.repeat(199)))
    );
    assert!(
        body.len() > 550_000 && body.len() <= limit,
        "{} of {limit}",
        body.len()
    );
    let reply = api.json("/api/need-reports", &body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(
        api.stored("need-report")[0]["description"],
        LONGEST.repeat(4000).as_str()
    );
    // Over the limit: refused before it is read.
    let over = format!("{}{}", body, " ".repeat(limit + 1 - body.len()));
    assert_eq!(over.len(), limit + 1);
    assert_eq!(api.json("/api/need-reports", &over).await.status, 413);
}

#[tokio::test]
async fn names_a_person_cannot_see_or_without_a_letter_are_refused_and_nothing_is_stored() {
    let api = Api::embedded().await;
    for (name, code) in [
        ("\u{2800}", "required"),
        ("\u{2800}\u{2800}\u{2800}", "required"),
        ("\u{FFF9}", "required"),
        ("\u{0600}", "required"),
        ("\u{301}\u{301}\u{301}", "invalid_characters"),
        ("\u{301}Julie", "invalid_characters"),
        ("Ju\u{FFF9}lie", "invalid_characters"),
        ("\u{0600}123", "no_letter"),
        ("1234", "no_letter"),
        ("-- !", "no_letter"),
    ] {
        let (_, json) = registration(name, "Tremblay");
        let reply = api.json("/api/registrations", &json).await;
        assert_eq!(reply.status, 422, "{name:?}: {}", reply.body);
        assert_eq!(
            reply.field_errors(),
            vec![("first_name".to_string(), code.to_string())],
            "{name:?}"
        );
    }
    assert!(api.stored("registration").is_empty());
}

#[tokio::test]
async fn a_character_carries_a_handful_of_marks_at_most_in_every_text_field() {
    let api = Api::embedded().await;
    let pile = format!("a{}", "\u{301}".repeat(500));
    let (_, json) = registration(&pile, "Tremblay");
    let reply = api.json("/api/registrations", &json).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(
        reply.field_errors(),
        vec![("first_name".to_string(), "too_many_marks".to_string())]
    );
    // The same in the description, a free text, and in both languages' words.
    let report = |language: &str, description: &str| {
        serde_json::json!({
            "region": "bas-saint-laurent", "language": language, "consent": true,
            "description": description,
        })
        .to_string()
    };
    let zalgo = format!("Un besoin{} au village", "\u{336}\u{489}".repeat(20));
    let fr = api.json("/api/need-reports", &report("fr", &zalgo)).await;
    let en = api.json("/api/need-reports", &report("en", &zalgo)).await;
    for reply in [&fr, &en] {
        assert_eq!(reply.status, 422, "{}", reply.body);
        assert_eq!(reply.json()["errors"][0]["code"], "too_many_marks");
    }
    let (fr, en) = (
        fr.json()["errors"][0]["message"].clone(),
        en.json()["errors"][0]["message"].clone(),
    );
    assert!(fr.as_str().is_some_and(|m| m.contains("accents")), "{fr}");
    assert!(en.as_str().is_some_and(|m| m.contains("marks")), "{en}");
    assert_ne!(fr, en);
    assert!(api.stored("registration").is_empty() && api.stored("need-report").is_empty());

    // Real writing keeps its marks: a Hindi conjunct, Hebrew with points, Vietnamese typed
    // decomposed, an emoji family with skin tones (11 code points).
    for name in [
        "क्षत्रिय",
        "שָׁלוֹם",
        "Nguye\u{302}\u{303}n",
        "J\u{1F9D1}\u{1F3FB}\u{200D}\u{1F9D1}\u{1F3FB}\u{200D}\u{1F9D2}\u{1F3FB}\u{200D}\u{1F9D2}\u{1F3FB}",
    ] {
        let (_, json) = registration(name, "Tremblay");
        let reply = api.json("/api/registrations", &json).await;
        assert_eq!(reply.status, 201, "{name:?}: {}", reply.body);
    }
}

#[tokio::test]
async fn a_description_of_invisible_characters_only_is_no_description() {
    let api = Api::embedded().await;
    for blank in [
        "\u{2800}\u{2800}",
        "\u{FFF9}\u{FFFA}\u{FFFB}",
        "\u{301}\u{301}",
        "\u{0600}",
    ] {
        let body = serde_json::json!({
            "region": "bas-saint-laurent", "language": "fr", "consent": true,
            "description": blank,
        });
        let reply = api.json("/api/need-reports", &body.to_string()).await;
        assert_eq!(reply.status, 422, "{blank:?}: {}", reply.body);
        assert_eq!(
            reply.field_errors(),
            vec![("description".to_string(), "required".to_string())],
            "{blank:?}"
        );
    }
    // Any visible text is a description: digits after an Arabic number sign included.
    let body = serde_json::json!({
        "region": "bas-saint-laurent", "language": "fr", "consent": true,
        "description": "\u{0600}\u{0661}\u{0662} familles",
    });
    assert_eq!(
        api.json("/api/need-reports", &body.to_string())
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn a_malformed_trap_is_answered_like_a_filled_one_and_never_named() {
    let api = Api::embedded().await;
    let filled_form = REGISTRATION_FORM.replace("website=", "website=spam");
    let filled = api.form("/api/registrations", &filled_form).await;
    assert_eq!(filled.status, 303);
    for body in [
        format!("{REGISTRATION_FORM}a&website=b"),
        REGISTRATION_FORM.replace("&website=", "&website=a&website=b&website=c"),
    ] {
        let reply = api.form("/api/registrations", &body).await;
        assert_eq!(reply.status, filled.status, "{body}: {}", reply.body);
        assert_eq!(reply.header("location"), filled.header("location"));
    }
    let filled_json = REGISTRATION_JSON.replace(r#""website":"""#, r#""website":"spam""#);
    assert_eq!(
        api.json("/api/registrations", &filled_json).await.status,
        201
    );
    for trap in ["null", "0", "false", "[]", r#"["a","b"]"#, "{}"] {
        let body = REGISTRATION_JSON.replace(r#""website":"""#, &format!(r#""website":{trap}"#));
        let reply = api.json("/api/registrations", &body).await;
        assert_eq!(reply.status, 201, "{trap}: {}", reply.body);
        assert!(reply.json()["id"].is_string(), "{trap}");
        assert!(!reply.body.contains("website"), "{trap}: {}", reply.body);
    }
    assert!(
        api.stored("registration").is_empty(),
        "nothing of a bot is stored"
    );
}

// The repeat window, on the embedded store: the store decides by the time each submission
// was received (the `now` that `accept` gives the record).

/// The submission of `fields` received at `at` with the client key `key`, stored.
async fn store_at(
    store: &Store,
    fields: &Fields,
    key: Option<&str>,
    at: time::OffsetDateTime,
) -> Stored {
    let catalog = catalog();
    let dir = tempfile::tempdir().expect("temp");
    let settings = settings(dir.path());
    let form = catalog.form("need-report").expect("form");
    let accepted = submission::accept(&catalog, &settings, form, fields, key, at).expect("valid");
    accepted.store(store).await.expect("stored")
}

fn report_fields() -> Fields {
    Fields::from_form(NEED_REPORT_FORM.as_bytes()).expect("UTF-8")
}

fn trap_fields() -> Fields {
    let body = NEED_REPORT_FORM.replace("website=", "website=spam");
    Fields::from_form(body.as_bytes()).expect("UTF-8")
}

fn open(dir: &std::path::Path) -> Store {
    Store::Embedded(
        eclaireurs_function::store::embedded::EmbeddedStore::open(
            dir,
            &["registration", "need-report"],
        )
        .expect("open"),
    )
}

fn stored_lines(dir: &std::path::Path) -> usize {
    std::fs::read_to_string(dir.join("need-report.jsonl"))
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

#[tokio::test]
async fn the_same_answers_without_a_key_are_one_submission_for_minutes_not_a_day() {
    let dir = tempfile::tempdir().expect("temp");
    let store = open(dir.path());
    let now = time::OffsetDateTime::now_utc();
    let seconds = time::Duration::seconds;
    let first = store_at(&store, &report_fields(), None, now).await;
    let Stored::New(id) = first else {
        panic!("{first:?}")
    };
    // A double click, a reload of the answer page: the same submission.
    for later in [seconds(0), seconds(2), seconds(90), seconds(9 * 60)] {
        let again = store_at(&store, &report_fields(), None, now + later).await;
        assert_eq!(again, Stored::Duplicate(id.clone()), "{later}");
    }
    assert_eq!(stored_lines(dir.path()), 1);
    // An hour later the same words are someone sending them again: stored again, and its
    // own repeats are recognised from then on.
    let hour = store_at(&store, &report_fields(), None, now + seconds(3600)).await;
    let Stored::New(second) = hour else {
        panic!("{hour:?}")
    };
    assert_ne!(second, id);
    let again = store_at(&store, &report_fields(), None, now + seconds(3605)).await;
    assert_eq!(again, Stored::Duplicate(second.clone()));
    assert_eq!(stored_lines(dir.path()), 2);

    // A server started again on the folder remembers the keys of the last minutes only.
    drop(store);
    let store = open(dir.path());
    let reopened = store_at(&store, &report_fields(), None, now + seconds(3610)).await;
    assert_eq!(reopened, Stored::Duplicate(second));
}

#[tokio::test]
async fn a_keyed_retry_is_recognised_for_a_day() {
    let dir = tempfile::tempdir().expect("temp");
    let store = open(dir.path());
    let now = time::OffsetDateTime::now_utc();
    let hours = time::Duration::hours;
    let Stored::New(id) = store_at(&store, &report_fields(), Some("key-12345678"), now).await
    else {
        panic!("stored")
    };
    for later in [hours(1), hours(23)] {
        let again = store_at(&store, &report_fields(), Some("key-12345678"), now + later).await;
        assert_eq!(again, Stored::Duplicate(id.clone()), "{later}");
    }
    // Past the day, the key is a new submission.
    let day = store_at(
        &store,
        &report_fields(),
        Some("key-12345678"),
        now + hours(25),
    )
    .await;
    assert!(matches!(day, Stored::New(_)), "{day:?}");
    assert_eq!(stored_lines(dir.path()), 2);
    drop(store);
    // Reopened within the day, the key is still known.
    let store = open(dir.path());
    let again = store_at(
        &store,
        &report_fields(),
        Some("key-12345678"),
        now + hours(2),
    )
    .await;
    assert!(matches!(again, Stored::Duplicate(_)), "{again:?}");
}

#[tokio::test]
async fn a_trapped_bots_repeats_follow_the_same_windows_as_a_persons() {
    let dir = tempfile::tempdir().expect("temp");
    let store = open(dir.path());
    let now = time::OffsetDateTime::now_utc();
    let seconds = time::Duration::seconds;
    let Stored::New(id) = store_at(&store, &trap_fields(), None, now).await else {
        panic!("answered")
    };
    let again = store_at(&store, &trap_fields(), None, now + seconds(5)).await;
    assert_eq!(again, Stored::Duplicate(id.clone()));
    let hour = store_at(&store, &trap_fields(), None, now + seconds(3600)).await;
    assert!(
        matches!(hour, Stored::New(ref other) if *other != id),
        "{hour:?}"
    );
    assert_eq!(
        stored_lines(dir.path()),
        0,
        "a bot's answers are never stored"
    );
}
