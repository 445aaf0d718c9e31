//! The function against Amazon's DynamoDB Local: items with plain attributes, the staff's
//! console queries of the README, idempotency, and a table identical to the template's.

mod common;

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use common::*;

type Item = HashMap<String, AttributeValue>;

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_string())
}

fn text(item: &Item, name: &str) -> String {
    match item.get(name) {
        Some(AttributeValue::S(v)) => v.clone(),
        other => panic!("{name} is not text: {other:?}"),
    }
}

/// One of the staff's console queries: a key condition (with `#region`, `#entry`,
/// `#status`, `#at` for the attribute names), optionally a filter, on the table or an index.
struct StaffQuery<'a> {
    index: Option<&'a str>,
    key: &'a str,
    filter: Option<&'a str>,
    values: &'a [(&'a str, &'a str)],
    newest_first: bool,
}

async fn run(client: &Client, table: &str, q: StaffQuery<'_>) -> Vec<Item> {
    let mut request = client
        .query()
        .table_name(table)
        .set_index_name(q.index.map(str::to_string))
        .key_condition_expression(q.key)
        .set_filter_expression(q.filter.map(str::to_string))
        .scan_index_forward(!q.newest_first);
    let expression = format!("{} {}", q.key, q.filter.unwrap_or(""));
    for (placeholder, name) in [
        ("#region", "region"),
        ("#entry", "entry"),
        ("#status", "status"),
        ("#at", "submitted_at"),
        ("#kind", "kind"),
    ] {
        if expression.contains(placeholder) {
            request = request.expression_attribute_names(placeholder, name);
        }
    }
    for (name, value) in q.values {
        request = request.expression_attribute_values(*name, s(value));
    }
    request.send().await.expect("query").items().to_vec()
}

async fn register(api: &Api, first_name: &str, region: &str) -> String {
    let body = REGISTRATION_JSON
        .replace("Marc", first_name)
        .replace("saguenay-lac-saint-jean", region)
        .replace("Lac-Saint-Jean-Est", "");
    let reply = api.json("/api/registrations", &body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["id"].as_str().expect("id").to_string()
}

#[tokio::test]
async fn both_forms_by_both_content_types_are_stored_with_plain_attributes() {
    let (client, table) = dynamo_table("plain").await;
    let api = Api::dynamo(client.clone(), &table).await;
    assert_eq!(
        api.form("/api/registrations", REGISTRATION_FORM)
            .await
            .status,
        303
    );
    assert_eq!(
        api.json("/api/registrations", REGISTRATION_JSON)
            .await
            .status,
        201
    );
    assert_eq!(
        api.form("/api/need-reports", NEED_REPORT_FORM).await.status,
        303
    );
    assert_eq!(
        api.json("/api/need-reports", NEED_REPORT_JSON).await.status,
        201
    );

    let registrations = run(
        &client,
        &table,
        StaffQuery {
            index: None,
            key: "#region = :r AND begins_with(#entry, :k)",
            filter: None,
            values: &[(":r", "bas-saint-laurent"), (":k", "registration#")],
            newest_first: true,
        },
    )
    .await;
    assert_eq!(registrations.len(), 1);
    let item = &registrations[0];
    assert_eq!(text(item, "first_name"), "Julie");
    assert_eq!(text(item, "email"), "julie.tremblay@example.ca");
    assert_eq!(text(item, "territory"), "La Mitis");
    assert_eq!(text(item, "status"), "new");
    assert_eq!(text(item, "language"), "fr");
    assert_eq!(text(item, "kind"), "registration");
    assert_eq!(text(item, "consent_version"), "2026-12-03");
    assert!(text(item, "submitted_at").ends_with('Z'));
    match item.get("roles") {
        Some(AttributeValue::Ss(roles)) => {
            let mut roles = roles.clone();
            roles.sort();
            assert_eq!(roles, ["promote", "watch"]);
        }
        other => panic!("roles should be a string set: {other:?}"),
    }
    assert!(matches!(item.get("expires_at"), Some(AttributeValue::N(_))));
    assert!(
        item.values().all(|v| !matches!(v, AttributeValue::M(_))),
        "no nested blobs"
    );
    assert!(!item.contains_key("website") && !item.contains_key("consent"));
}

#[tokio::test]
async fn staff_list_a_regions_registrations_newest_first() {
    let (client, table) = dynamo_table("newest").await;
    let api = Api::dynamo(client.clone(), &table).await;
    for name in ["Alice", "Béatrice", "Claude"] {
        register(&api, name, "bas-saint-laurent").await;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    register(&api, "Other", "saguenay-lac-saint-jean").await;
    api.form("/api/need-reports", NEED_REPORT_FORM).await;
    let items = run(
        &client,
        &table,
        StaffQuery {
            index: None,
            key: "#region = :r AND begins_with(#entry, :k)",
            filter: None,
            values: &[(":r", "bas-saint-laurent"), (":k", "registration#")],
            newest_first: true,
        },
    )
    .await;
    let names: Vec<String> = items.iter().map(|i| text(i, "first_name")).collect();
    assert_eq!(names, ["Claude", "Béatrice", "Alice"]);
}

#[tokio::test]
async fn staff_list_a_regions_need_reports_over_a_date_range_and_all_new_reports() {
    let (client, table) = dynamo_table("range").await;
    let api = Api::dynamo(client.clone(), &table).await;
    assert_eq!(
        api.form("/api/need-reports", NEED_REPORT_FORM).await.status,
        303
    );
    assert_eq!(
        api.json("/api/need-reports", NEED_REPORT_JSON).await.status,
        201
    );
    register(&api, "Alice", "bas-saint-laurent").await;
    let today = eclaireurs_function::clock::iso(time::OffsetDateTime::now_utc())[..10].to_string();
    let from = format!("need-report#{today}");
    let to = format!("need-report#{today}~");
    let in_range = run(
        &client,
        &table,
        StaffQuery {
            index: None,
            key: "#region = :r AND #entry BETWEEN :from AND :to",
            filter: None,
            values: &[(":r", "bas-saint-laurent"), (":from", &from), (":to", &to)],
            newest_first: false,
        },
    )
    .await;
    assert_eq!(in_range.len(), 1);
    assert!(text(&in_range[0], "description").starts_with("Seniors in the village"));
    let before = run(
        &client,
        &table,
        StaffQuery {
            index: None,
            key: "#region = :r AND #entry BETWEEN :from AND :to",
            filter: None,
            values: &[
                (":r", "bas-saint-laurent"),
                (":from", "need-report#2020-01-01"),
                (":to", "need-report#2020-12-31~"),
            ],
            newest_first: false,
        },
    )
    .await;
    assert!(before.is_empty());

    let new_reports = run(
        &client,
        &table,
        StaffQuery {
            index: Some("status-index"),
            key: "#status = :new",
            filter: Some("#kind = :kind"),
            values: &[(":new", "new"), (":kind", "need-report")],
            newest_first: true,
        },
    )
    .await;
    let regions: Vec<String> = new_reports.iter().map(|i| text(i, "region")).collect();
    assert_eq!(
        regions,
        ["saguenay-lac-saint-jean", "bas-saint-laurent"],
        "both regions, newest first"
    );

    let region_new = run(
        &client,
        &table,
        StaffQuery {
            index: None,
            key: "#region = :r AND begins_with(#entry, :k)",
            filter: Some("#status = :new"),
            values: &[
                (":r", "saguenay-lac-saint-jean"),
                (":k", "need-report#"),
                (":new", "new"),
            ],
            newest_first: true,
        },
    )
    .await;
    assert_eq!(region_new.len(), 1);
}

#[tokio::test]
async fn a_retried_submission_is_stored_once_and_answers_the_same_id() {
    let (client, table) = dynamo_table("retry").await;
    let api = Api::dynamo(client.clone(), &table).await;
    let request = || {
        axum::http::Request::post("/api/registrations")
            .header("content-type", "application/json")
            .header("idempotency-key", "retry-key-0001")
            .body(axum::body::Body::from(REGISTRATION_JSON))
            .expect("request")
    };
    let first = api.send(request()).await;
    let second = api.send(request()).await;
    assert_eq!((first.status, second.status), (201, 201));
    assert_eq!(first.json()["id"], second.json()["id"]);
    // Without a key, the same answers twice (a double click) are one submission too: the
    // second answered with a page that says so.
    assert_eq!(
        api.form("/api/need-reports", NEED_REPORT_FORM).await.status,
        303
    );
    assert_eq!(
        api.form("/api/need-reports", NEED_REPORT_FORM).await.status,
        200
    );
    let all = run(
        &client,
        &table,
        StaffQuery {
            index: Some("status-index"),
            key: "#status = :new",
            filter: None,
            values: &[(":new", "new")],
            newest_first: true,
        },
    )
    .await;
    assert_eq!(all.len(), 2, "one registration and one need report");
}

#[tokio::test]
async fn invalid_submissions_store_nothing() {
    let (client, table) = dynamo_table("invalid").await;
    let api = Api::dynamo(client.clone(), &table).await;
    assert_eq!(api.json("/api/registrations", "{}").await.status, 422);
    assert_eq!(api.json("/api/registrations", "{oops").await.status, 400);
    let bot = REGISTRATION_FORM.replace("website=", "website=x");
    assert_eq!(api.form("/api/registrations", &bot).await.status, 303);
    let scan = client.scan().table_name(&table).send().await.expect("scan");
    // The trap keeps only its key's marker (so a repeat answers the same made-up id): no
    // submission, no answer.
    for item in scan.items() {
        assert_eq!(text(item, "kind"), "idempotency", "{item:?}");
        assert!(!item.contains_key("first_name") && !item.contains_key("email_hash"));
    }
    assert!(scan.count() <= 1);
}

/// Every item of the table whose `kind` is `kind`.
async fn items_of_kind(client: &Client, table: &str, kind: &str) -> Vec<Item> {
    let scan = client.scan().table_name(table).send().await.expect("scan");
    scan.items()
        .iter()
        .filter(|i| {
            i.get("kind")
                .and_then(|k| k.as_s().ok())
                .map(String::as_str)
                == Some(kind)
        })
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_key_reused_with_other_answers_is_refused_and_the_first_answers_kept() {
    let (client, table) = dynamo_table("reused").await;
    let api = Api::dynamo(client.clone(), &table).await;
    let send = |body: &str| {
        axum::http::Request::post("/api/registrations")
            .header("content-type", "application/json")
            .header("idempotency-key", "reused-key-0001")
            .body(axum::body::Body::from(body.to_string()))
            .expect("request")
    };
    let first = api.send(send(REGISTRATION_JSON)).await;
    assert_eq!(first.status, 201);
    let retry = api.send(send(REGISTRATION_JSON)).await;
    assert_eq!(
        (retry.status, retry.json()["id"].clone()),
        (201, first.json()["id"].clone())
    );
    let edited = api
        .send(send(&REGISTRATION_JSON.replace("Alma", "Roberval")))
        .await;
    assert_eq!(edited.status, 422, "{}", edited.body);
    assert_eq!(edited.json()["errors"][0]["code"], "idempotency_key_reused");
    let registrations = items_of_kind(&client, &table, "registration").await;
    assert_eq!(registrations.len(), 1);
    assert_eq!(text(&registrations[0], "municipality"), "Alma");
    // The marker keeps a hash of the answers, never the answers.
    let markers = items_of_kind(&client, &table, "idempotency").await;
    assert_eq!(markers.len(), 1);
    assert_eq!(text(&markers[0], "answers_hash").len(), 32);
    assert!(!markers[0].contains_key("municipality"));
}

#[tokio::test]
async fn a_bot_that_repeats_its_key_gets_the_same_made_up_id_and_nothing_of_it_is_stored() {
    let (client, table) = dynamo_table("decoy").await;
    let api = Api::dynamo(client.clone(), &table).await;
    let bot = REGISTRATION_JSON.replace("\"website\":\"\"", "\"website\":\"buy now\"");
    let send = |body: &str| {
        axum::http::Request::post("/api/registrations")
            .header("content-type", "application/json")
            .header("idempotency-key", "bot-key-00000001")
            .body(axum::body::Body::from(body.to_string()))
            .expect("request")
    };
    let first = api.send(send(&bot)).await;
    let again = api.send(send(&bot)).await;
    assert_eq!((first.status, again.status), (201, 201));
    assert_eq!(first.json()["id"], again.json()["id"]);
    let other = api.send(send(&bot.replace("Alma", "Dolbeau"))).await;
    assert_eq!(other.status, 422);
    assert_eq!(other.json()["errors"][0]["code"], "idempotency_key_reused");
    assert!(items_of_kind(&client, &table, "registration")
        .await
        .is_empty());
    // A person's submission with the same key is stored: the trap's keys live apart.
    let person = api.send(send(REGISTRATION_JSON)).await;
    assert_eq!(person.status, 201);
    assert_ne!(person.json()["id"], first.json()["id"]);
    assert_eq!(
        items_of_kind(&client, &table, "registration").await.len(),
        1
    );
}

/// The template's table definition, read from template.yaml.
fn template_table() -> serde_yaml::Value {
    let text = std::fs::read_to_string(repo().join("template.yaml")).expect("template.yaml");
    let template: serde_yaml::Value = serde_yaml::from_str(&text).expect("template parses");
    template["Resources"]["SubmissionsTable"]["Properties"].clone()
}

fn keys(schema: &serde_yaml::Value) -> Vec<(String, String)> {
    let mut keys: Vec<(String, String)> = schema
        .as_sequence()
        .expect("key schema")
        .iter()
        .map(|k| {
            (
                k["AttributeName"].as_str().expect("name").to_string(),
                k["KeyType"].as_str().expect("type").to_string(),
            )
        })
        .collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn create_table_makes_exactly_the_keys_indexes_and_stream_of_the_template() {
    let (client, table) = dynamo_table("template").await;
    let described = client
        .describe_table()
        .table_name(&table)
        .send()
        .await
        .expect("describe");
    let described = described.table().expect("table");
    let template = template_table();

    let mut actual: Vec<(String, String)> = described
        .key_schema()
        .iter()
        .map(|k| {
            (
                k.attribute_name().to_string(),
                k.key_type().as_str().to_string(),
            )
        })
        .collect();
    actual.sort();
    assert_eq!(actual, keys(&template["KeySchema"]), "table keys");

    let mut attributes: Vec<(String, String)> = described
        .attribute_definitions()
        .iter()
        .map(|a| {
            (
                a.attribute_name().to_string(),
                a.attribute_type().as_str().to_string(),
            )
        })
        .collect();
    attributes.sort();
    let mut expected: Vec<(String, String)> = template["AttributeDefinitions"]
        .as_sequence()
        .expect("attributes")
        .iter()
        .map(|a| {
            (
                a["AttributeName"].as_str().expect("name").to_string(),
                a["AttributeType"].as_str().expect("type").to_string(),
            )
        })
        .collect();
    expected.sort();
    assert_eq!(attributes, expected, "attribute definitions");

    let indexes = template["GlobalSecondaryIndexes"]
        .as_sequence()
        .expect("indexes");
    assert_eq!(described.global_secondary_indexes().len(), indexes.len());
    for index in indexes {
        let name = index["IndexName"].as_str().expect("index name");
        let actual = described
            .global_secondary_indexes()
            .iter()
            .find(|i| i.index_name() == Some(name))
            .unwrap_or_else(|| panic!("create-table lacks the index {name}"));
        let mut actual_keys: Vec<(String, String)> = actual
            .key_schema()
            .iter()
            .map(|k| {
                (
                    k.attribute_name().to_string(),
                    k.key_type().as_str().to_string(),
                )
            })
            .collect();
        actual_keys.sort();
        assert_eq!(actual_keys, keys(&index["KeySchema"]), "keys of {name}");
        assert_eq!(
            actual
                .projection()
                .and_then(|p| p.projection_type())
                .map(|p| p.as_str()),
            index["Projection"]["ProjectionType"].as_str(),
            "projection of {name}"
        );
    }
    assert_eq!(
        described
            .stream_specification()
            .and_then(|s| s.stream_view_type())
            .map(|v| v.as_str()),
        template["StreamSpecification"]["StreamViewType"].as_str(),
        "the stream, keys only"
    );
    let ttl = client
        .describe_time_to_live()
        .table_name(&table)
        .send()
        .await
        .expect("ttl");
    assert_eq!(
        ttl.time_to_live_description()
            .and_then(|t| t.attribute_name()),
        template["TimeToLiveSpecification"]["AttributeName"].as_str()
    );
}

// The repeat window on DynamoDB (issue 17): decided by the marker's own time, whatever TTL has
// deleted yet (DynamoDB Local deletes nothing by TTL, as DynamoDB may take days to).

mod window {
    use super::*;
    use eclaireurs_function::http::Fields;
    use eclaireurs_function::store::dynamodb::DynamoStore;
    use eclaireurs_function::store::{Store, Stored};
    use eclaireurs_function::submission;

    /// The need report of `body`, received at `at` with the client key `key`, stored.
    async fn store_at(
        store: &Store,
        body: &str,
        key: Option<&str>,
        at: time::OffsetDateTime,
    ) -> Stored {
        let catalog = eclaireurs_function::catalog::Catalog::from_content(&repo().join("content"))
            .expect("catalog");
        let dir = tempfile::tempdir().expect("temp");
        let fields = Fields::from_form(body.as_bytes()).expect("UTF-8");
        let form = catalog.form("need-report").expect("form");
        let accepted = submission::accept(&catalog, &settings(dir.path()), form, &fields, key, at)
            .expect("valid");
        accepted.store(store).await.expect("stored")
    }

    async fn table(prefix: &str) -> (Client, String, Store) {
        let (client, table) = dynamo_table(prefix).await;
        let store = Store::Dynamo(DynamoStore::new(client.clone(), table.clone()));
        (client, table, store)
    }

    fn number(item: &Item, name: &str) -> i64 {
        match item.get(name) {
            Some(AttributeValue::N(n)) => n.parse().expect("a number"),
            other => panic!("{name} is not a number: {other:?}"),
        }
    }

    #[tokio::test]
    async fn the_same_answers_without_a_key_are_one_submission_for_minutes_not_a_day() {
        let (client, table, store) = table("window").await;
        let now = time::OffsetDateTime::now_utc();
        let seconds = time::Duration::seconds;
        let Stored::New(id) = store_at(&store, NEED_REPORT_FORM, None, now).await else {
            panic!("stored")
        };
        for later in [seconds(0), seconds(2), seconds(90), seconds(9 * 60)] {
            let again = store_at(&store, NEED_REPORT_FORM, None, now + later).await;
            assert_eq!(again, Stored::Duplicate(id.clone()), "{later}");
        }
        let markers = items_of_kind(&client, &table, "idempotency").await;
        assert_eq!(markers.len(), 1);
        let marked = number(&markers[0], "marked_at");
        assert_eq!(
            marked,
            now.unix_timestamp(),
            "the marker keeps its own time"
        );
        assert_eq!(number(&markers[0], "expires_at"), marked + 600);
        assert_eq!(items_of_kind(&client, &table, "need-report").await.len(), 1);

        // An hour later the marker is still there (TTL is late), yet past its window.
        let hour = store_at(&store, NEED_REPORT_FORM, None, now + seconds(3600)).await;
        let Stored::New(second) = hour else {
            panic!("{hour:?}")
        };
        assert_ne!(second, id);
        let again = store_at(&store, NEED_REPORT_FORM, None, now + seconds(3605)).await;
        assert_eq!(again, Stored::Duplicate(second));
        assert_eq!(items_of_kind(&client, &table, "need-report").await.len(), 2);
        assert_eq!(items_of_kind(&client, &table, "idempotency").await.len(), 1);
    }

    #[tokio::test]
    async fn a_keyed_retry_is_recognised_for_a_day() {
        let (client, table, store) = table("window-key").await;
        let now = time::OffsetDateTime::now_utc();
        let hours = time::Duration::hours;
        let key = Some("key-12345678");
        let Stored::New(id) = store_at(&store, NEED_REPORT_FORM, key, now).await else {
            panic!("stored")
        };
        for later in [hours(1), hours(23)] {
            let again = store_at(&store, NEED_REPORT_FORM, key, now + later).await;
            assert_eq!(again, Stored::Duplicate(id.clone()), "{later}");
        }
        let day = store_at(&store, NEED_REPORT_FORM, key, now + hours(25)).await;
        assert!(matches!(day, Stored::New(_)), "{day:?}");
        assert_eq!(items_of_kind(&client, &table, "need-report").await.len(), 2);
    }

    #[tokio::test]
    async fn a_trapped_bots_repeats_follow_the_same_windows_as_a_persons() {
        let (client, table, store) = table("window-trap").await;
        let now = time::OffsetDateTime::now_utc();
        let seconds = time::Duration::seconds;
        let bot = NEED_REPORT_FORM.replace("website=", "website=spam");
        let Stored::New(id) = store_at(&store, &bot, None, now).await else {
            panic!("answered")
        };
        let again = store_at(&store, &bot, None, now + seconds(5)).await;
        assert_eq!(again, Stored::Duplicate(id.clone()));
        let hour = store_at(&store, &bot, None, now + seconds(3600)).await;
        assert!(
            matches!(hour, Stored::New(ref other) if *other != id),
            "{hour:?}"
        );
        assert!(items_of_kind(&client, &table, "need-report")
            .await
            .is_empty());
    }

    #[tokio::test]
    async fn a_marker_made_before_markers_kept_their_time_still_holds_until_it_expires() {
        // Written by the function before issue 17: a day of TTL and no `marked_at`.
        let (client, table, store) = table("window-old").await;
        let now = time::OffsetDateTime::now_utc();
        let Stored::New(_) = store_at(&store, NEED_REPORT_FORM, None, now).await else {
            panic!("stored")
        };
        let marker = &items_of_kind(&client, &table, "idempotency").await[0];
        let mut old = marker.clone();
        old.remove("marked_at");
        old.insert(
            "expires_at".into(),
            AttributeValue::N((now.unix_timestamp() + 86_400).to_string()),
        );
        client
            .put_item()
            .table_name(&table)
            .set_item(Some(old))
            .send()
            .await
            .expect("put");
        let hour = now + time::Duration::hours(1);
        assert!(matches!(
            store_at(&store, NEED_REPORT_FORM, None, hour).await,
            Stored::Duplicate(_)
        ));
        let later = now + time::Duration::hours(25);
        assert!(matches!(
            store_at(&store, NEED_REPORT_FORM, None, later).await,
            Stored::New(_)
        ));
    }
}
