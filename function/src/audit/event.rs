//! A CloudTrail log file's records as rows: the DynamoDB events on the submissions table, in
//! the window, by the principal asked for.
//!
//! The shapes are those of "Understanding DynamoDB log file entries" (DynamoDB developer
//! guide): `requestParameters` holds the table (`tableName`, a name or an ARN), the item's
//! `key` (plain values; the typed `{"S": …}` form is read too), a query's
//! `keyConditionExpression` with its names, a batch's or transaction's `requestItems`; the
//! table's ARN is in `resources` (a stream's or index's ARN starts with it). CloudTrail does
//! not record non-key attribute values; the rows only ever take key attributes (named in
//! [`KEY_ATTRIBUTES`]) and condition values, so they hold no answer even if a file did.

use std::collections::BTreeSet;

use serde::Deserialize;
use serde_json::{Map, Value};
use time::{Date, OffsetDateTime};

use crate::store::schema;

/// The only attributes whose values a row shows: the table's and its indexes' keys.
pub const KEY_ATTRIBUTES: [&str; 5] = [
    schema::PARTITION_KEY,
    schema::SORT_KEY,
    schema::STATUS_INDEX_PARTITION_KEY,
    schema::STATUS_INDEX_SORT_KEY,
    schema::EMAIL_HASH,
];

const DYNAMODB: &str = "dynamodb.amazonaws.com";

/// Which events a report keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// The table's name.
    pub table: String,
    /// The first and last days (UTC), both included.
    pub from: Date,
    pub to: Date,
    /// A case-insensitive part of the principal's ARN, role or session name.
    pub principal: Option<String>,
}

/// Whether the request read items, changed them, or concerned the table itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    Read,
    Write,
    /// The table's settings (management events: UpdateTable, PutResourcePolicy, …).
    Table,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
            Access::Table => "table",
        }
    }
}

/// One request on the table.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Row {
    /// `eventTime`, as CloudTrail wrote it (UTC).
    pub time: String,
    #[serde(skip)]
    pub at: OffsetDateTime,
    /// `userIdentity.arn` (or, without one, the service or principal id).
    pub principal: String,
    /// `userIdentity.type`: AssumedRole, IAMUser, AWSService, Root, …
    pub principal_type: String,
    /// For an assumed role: the role (`sessionContext.sessionIssuer.arn`)…
    pub role: Option<String>,
    /// … and the session's name (an Identity Center user's name, a function's name).
    pub session: Option<String>,
    pub source_ip: String,
    /// The client, shortened to its first word (e.g. `aws-cli/2.17.0`).
    pub user_agent: String,
    /// `eventName`: GetItem, Query, PutItem, …
    pub action: String,
    pub access: Access,
    /// The items: `region / entry` keys, or what a query or scan asked for.
    pub items: Vec<String>,
    /// The items named by their key (`region / entry`), for the summary's count.
    #[serde(skip)]
    pub keys: Vec<String>,
    /// `errorCode`, or `ok`.
    pub outcome: String,
    /// `eventID`, to find the event in the log file.
    pub event_id: String,
}

#[derive(Deserialize)]
struct LogFile {
    #[serde(rename = "Records")]
    records: Vec<Value>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Record {
    event_time: String,
    event_name: String,
    #[serde(rename = "eventID")]
    event_id: String,
    #[serde(rename = "sourceIPAddress")]
    source_ip: Option<String>,
    user_agent: Option<String>,
    error_code: Option<String>,
    request_parameters: Option<Value>,
    resources: Option<Value>,
    user_identity: Option<UserIdentity>,
    read_only: Option<bool>,
    management_event: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct UserIdentity {
    #[serde(rename = "type")]
    kind: Option<String>,
    arn: Option<String>,
    principal_id: Option<String>,
    invoked_by: Option<String>,
    session_context: Option<SessionContext>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct SessionContext {
    session_issuer: Option<SessionIssuer>,
    source_identity: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SessionIssuer {
    arn: Option<String>,
}

/// The rows of one log file's JSON; the reason in words when it is not a CloudTrail log.
pub fn rows(json: &[u8], filter: &Filter) -> Result<Vec<Row>, String> {
    let file: LogFile = serde_json::from_slice(json)
        .map_err(|e| format!("not JSON with a `Records` array ({e})"))?;
    let mut rows = Vec::new();
    for (n, value) in file.records.into_iter().enumerate() {
        // Other services' events (the trail also records write management events) are
        // skipped before their shapes matter.
        if value.get("eventSource").and_then(Value::as_str) != Some(DYNAMODB) {
            continue;
        }
        let record: Record = serde_json::from_value(value)
            .map_err(|e| format!("record {} is not a CloudTrail event ({e})", n + 1))?;
        if let Some(row) =
            row(record, filter).map_err(|reason| format!("record {}: {reason}", n + 1))?
        {
            rows.push(row);
        }
    }
    Ok(rows)
}

fn row(record: Record, filter: &Filter) -> Result<Option<Row>, String> {
    let at = OffsetDateTime::parse(
        &record.event_time,
        &time::format_description::well_known::Rfc3339,
    )
    .map_err(|_| format!("eventTime `{}` is not a time", record.event_time))?;
    let day = at.to_offset(time::UtcOffset::UTC).date();
    if day < filter.from || day > filter.to {
        return Ok(None);
    }
    let params = record.request_parameters.clone().unwrap_or(Value::Null);
    if !on_table(&record, &params, &filter.table) {
        return Ok(None);
    }
    let identity = record.user_identity.unwrap_or_default();
    let context = identity.session_context.unwrap_or_default();
    let principal = identity
        .arn
        .clone()
        .or(identity.invoked_by)
        .or(identity.principal_id)
        .or(identity.kind.clone())
        .unwrap_or_else(|| "unknown".into());
    let role = context.session_issuer.and_then(|issuer| issuer.arn);
    let session =
        session_name(identity.arn.as_deref()).map(|name| match &context.source_identity {
            Some(source) => format!("{name} (source identity {source})"),
            None => name,
        });
    if let Some(wanted) = &filter.principal {
        let wanted = wanted.to_lowercase();
        let matches = |text: &Option<String>| {
            text.as_deref()
                .is_some_and(|t| t.to_lowercase().contains(&wanted))
        };
        if !matches(&Some(principal.clone())) && !matches(&role) && !matches(&session) {
            return Ok(None);
        }
    }
    let access = access(
        &record.event_name,
        &params,
        record.read_only,
        record.management_event,
    );
    Ok(Some(Row {
        time: record.event_time,
        at,
        principal,
        principal_type: identity.kind.unwrap_or_default(),
        role,
        session,
        source_ip: record.source_ip.unwrap_or_default(),
        user_agent: short_agent(record.user_agent.as_deref().unwrap_or_default()),
        items: items(&record.event_name, &params, &filter.table),
        keys: keys(&record.event_name, &params, &filter.table),
        action: record.event_name,
        access,
        outcome: record.error_code.unwrap_or_else(|| "ok".into()),
        event_id: record.event_id,
    }))
}

/// `arn:aws:sts::…:assumed-role/<role>/<session>` → `<session>`.
fn session_name(arn: Option<&str>) -> Option<String> {
    let resource = arn?.split_once(":assumed-role/")?.1;
    let (_, session) = resource.split_once('/')?;
    Some(session.to_string())
}

/// The first word of a user agent, brackets off: `aws-cli/2.17.0`, `aws-sdk-rust/1.3.9`,
/// `console.amazonaws.com`.
fn short_agent(agent: &str) -> String {
    let first = agent
        .trim()
        .trim_start_matches('[')
        .split([' ', ']'])
        .next()
        .unwrap_or_default();
    first.chars().take(60).collect()
}

/// A field under its documented name, or with its first letter in capitals (the guide's
/// examples use both, e.g. `tableName` and `TableName`).
fn field<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    let object = value.as_object()?;
    object.get(name).or_else(|| {
        let mut chars = name.chars();
        let capital: String = chars
            .next()
            .map(|c| c.to_ascii_uppercase())
            .into_iter()
            .chain(chars)
            .collect();
        object.get(&capital)
    })
}

fn text<'a>(value: &'a Value, name: &str) -> Option<&'a str> {
    field(value, name).and_then(Value::as_str)
}

/// Whether `name` (a table's name or ARN, or an index's or stream's ARN) is `table`.
fn names_table(name: &str, table: &str) -> bool {
    match name.split_once(":table/") {
        Some((_, rest)) => rest.split('/').next() == Some(table),
        None => name == table,
    }
}

fn on_table(record: &Record, params: &Value, table: &str) -> bool {
    let in_resources = record
        .resources
        .as_ref()
        .and_then(Value::as_array)
        .is_some_and(|resources| {
            resources.iter().any(|r| {
                text(r, "ARN")
                    .or_else(|| text(r, "arn"))
                    .is_some_and(|arn| names_table(arn, table))
            })
        });
    let named = [
        "tableName",
        "tableArn",
        "resourceArn",
        "sourceTableName",
        "sourceTableArn",
        "streamArn",
    ]
    .iter()
    .filter_map(|name| text(params, name))
    .any(|name| names_table(name, table));
    in_resources || named || !requested(params, table).is_empty()
}

/// A batch's or transaction's entries on `table`, with their operation when said:
/// `requestItems`/`transactItems` as a list of `{operation, tableName, key}` (the guide's
/// form) or of `{get|put|update|delete|conditionCheck: {tableName, key}}`, or as a map from
/// the table to `{keys: […]}` or to `[{putRequest|deleteRequest: {…}}]`.
fn requested(params: &Value, table: &str) -> Vec<(Option<String>, Value)> {
    let mut found = Vec::new();
    for list_name in ["requestItems", "transactItems"] {
        match field(params, list_name) {
            Some(Value::Array(entries)) => {
                for entry in entries {
                    let (operation, inner) = match entry.as_object() {
                        Some(o) if o.len() == 1 && o.values().all(Value::is_object) => {
                            let (name, inner) = o.iter().next().expect("one entry");
                            (Some(capitalized(name)), inner)
                        }
                        _ => (text(entry, "operation").map(str::to_string), entry),
                    };
                    let on = text(inner, "tableName").is_some_and(|n| names_table(n, table));
                    if on {
                        found.push((operation, key_of(inner)));
                    }
                }
            }
            Some(Value::Object(tables)) => {
                for (name, requests) in tables {
                    if !names_table(name, table) {
                        continue;
                    }
                    if let Some(keys) = field(requests, "keys").and_then(Value::as_array) {
                        found.extend(keys.iter().map(|k| (None, k.clone())));
                    }
                    for request in requests.as_array().into_iter().flatten() {
                        if let Some(put) = field(request, "putRequest") {
                            found.push((Some("Put".into()), key_of(put)));
                        }
                        if let Some(delete) = field(request, "deleteRequest") {
                            found.push((Some("Delete".into()), key_of(delete)));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    found
}

fn capitalized(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase())
        .into_iter()
        .chain(chars)
        .collect()
}

/// An entry's key: `key`, else the item (of which only key attributes are ever shown).
fn key_of(entry: &Value) -> Value {
    field(entry, "key")
        .or_else(|| field(entry, "item"))
        .cloned()
        .unwrap_or(Value::Null)
}

/// A key attribute's value: plain (`"bas-saint-laurent"`), or typed (`{"S": "…"}`).
fn plain(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(typed) => ["S", "N", "s", "n"]
            .iter()
            .find_map(|t| typed.get(*t))
            .and_then(plain),
        _ => None,
    }
}

/// An item's whole key: `region / entry`.
fn item_key(key: &Value) -> Option<String> {
    let map = key.as_object()?;
    let region = map.get(schema::PARTITION_KEY).and_then(plain)?;
    let entry = map.get(schema::SORT_KEY).and_then(plain)?;
    Some(format!("{region} / {entry}"))
}

/// The items a request names by key.
fn keys(action: &str, params: &Value, table: &str) -> Vec<String> {
    match action {
        "GetItem" | "PutItem" | "UpdateItem" | "DeleteItem" | "ConditionCheckItem" => {
            item_key(&key_of(params)).into_iter().collect()
        }
        "BatchGetItem" | "BatchWriteItem" | "TransactGetItems" | "TransactWriteItems" => {
            requested(params, table)
                .iter()
                .filter_map(|(_, key)| item_key(key))
                .collect()
        }
        _ => Vec::new(),
    }
}

/// `region / entry`, or the key attributes as `name=value`; nothing else of the map.
fn format_key(key: &Value) -> String {
    if let Some(whole) = item_key(key) {
        return whole;
    }
    let Some(map) = key.as_object() else {
        return "(no key recorded)".into();
    };
    let get = |name: &str| map.get(name).and_then(plain);
    let known: Vec<String> = KEY_ATTRIBUTES
        .iter()
        .filter_map(|name| get(name).map(|v| format!("{name}={v}")))
        .collect();
    if known.is_empty() {
        "(no key recorded)".into()
    } else {
        known.join(" ")
    }
}

/// A key condition with its `#names` and `:values` put back, values only when the log
/// holds them (`email-index: email_hash = 3fa2…`), else the condition as written.
fn condition(
    expression: &str,
    names: Option<&Map<String, Value>>,
    values: Option<&Map<String, Value>>,
) -> String {
    let mut out = String::new();
    let mut chars = expression.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '#' && c != ':' {
            out.push(c);
            continue;
        }
        let mut token = String::new();
        while let Some(&next) = chars.peek() {
            if next.is_ascii_alphanumeric() || next == '_' {
                token.push(next);
                chars.next();
            } else {
                break;
            }
        }
        let placeholder = format!("{c}{token}");
        let replaced = match c {
            '#' => names
                .and_then(|n| n.get(&placeholder))
                .and_then(Value::as_str)
                .map(str::to_string),
            _ => values.and_then(|v| v.get(&placeholder)).and_then(plain),
        };
        out.push_str(replaced.as_deref().unwrap_or(&placeholder));
    }
    out
}

fn items(action: &str, params: &Value, table: &str) -> Vec<String> {
    let index = text(params, "indexName");
    let target = || match index {
        Some(index) => index.to_string(),
        None => "table".to_string(),
    };
    match action {
        "GetItem" | "PutItem" | "UpdateItem" | "DeleteItem" | "ConditionCheckItem" => {
            vec![format_key(&key_of(params))]
        }
        "Query" => {
            let names = field(params, "expressionAttributeNames").and_then(Value::as_object);
            let values = field(params, "expressionAttributeValues").and_then(Value::as_object);
            let asked = match text(params, "keyConditionExpression") {
                Some(expression) => condition(expression, names, values),
                None => match field(params, "keyConditions").and_then(Value::as_object) {
                    Some(conditions) => legacy_conditions(conditions),
                    None => "(no key condition recorded)".into(),
                },
            };
            vec![format!("{}: {asked}", target())]
        }
        "Scan" => vec![match index {
            Some(index) => format!("{index}: every item (scan)"),
            None => "table: every item (scan)".into(),
        }],
        "BatchGetItem" | "BatchWriteItem" | "TransactGetItems" | "TransactWriteItems" => {
            let entries = requested(params, table);
            if entries.is_empty() {
                return vec!["(no key recorded)".into()];
            }
            entries
                .iter()
                .map(|(operation, key)| match operation {
                    Some(operation) => format!("{} ({operation})", format_key(key)),
                    None => format_key(key),
                })
                .collect()
        }
        "ExecuteStatement" | "BatchExecuteStatement" | "ExecuteTransaction" => statements(params)
            .into_iter()
            .map(|s| format!("PartiQL: {s}"))
            .collect(),
        "GetRecords" => vec!["stream: the changes' keys".into()],
        "GetShardIterator" => vec![match text(params, "shardId") {
            Some(shard) => format!("stream: shard {shard}"),
            None => "stream".into(),
        }],
        "DescribeStream" => vec!["stream: its shards".into()],
        "ExportTableToPointInTime" => vec![match text(params, "s3Bucket") {
            Some(bucket) => format!("every item, exported to s3://{bucket}"),
            None => "every item, exported".into(),
        }],
        "RestoreTableToPointInTime" => vec![match text(params, "targetTableName") {
            Some(target) => format!("every item, copied to the table {target}"),
            None => "every item, copied to another table".into(),
        }],
        _ => vec!["(the table itself)".into()],
    }
}

/// `keyConditions` (the API's older form): `name EQ value`.
fn legacy_conditions(conditions: &Map<String, Value>) -> String {
    conditions
        .iter()
        .map(|(name, condition)| {
            let operator = text(condition, "comparisonOperator").unwrap_or("?");
            let values: Vec<String> = field(condition, "attributeValueList")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(plain)
                .collect();
            match values.is_empty() || !KEY_ATTRIBUTES.contains(&name.as_str()) {
                true => format!("{name} {operator}"),
                false => format!("{name} {operator} {}", values.join(" ")),
            }
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// PartiQL statements, as CloudTrail records them (non-key values already redacted), cut to
/// a readable length.
fn statements(params: &Value) -> Vec<String> {
    let mut found: Vec<&str> = text(params, "statement").into_iter().collect();
    for list in ["requestItems", "transactStatements"] {
        for entry in field(params, list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            found.extend(text(entry, "statement"));
        }
    }
    found
        .into_iter()
        .map(|s| {
            let short: String = s.chars().take(200).collect();
            if short.len() < s.len() {
                format!("{short}…")
            } else {
                short
            }
        })
        .collect()
}

fn access(
    action: &str,
    params: &Value,
    read_only: Option<bool>,
    management: Option<bool>,
) -> Access {
    match action {
        "GetItem"
        | "BatchGetItem"
        | "Query"
        | "Scan"
        | "TransactGetItems"
        | "ConditionCheckItem"
        | "GetRecords"
        | "GetShardIterator"
        | "DescribeStream"
        | "ExportTableToPointInTime"
        | "RestoreTableToPointInTime" => Access::Read,
        "PutItem" | "UpdateItem" | "DeleteItem" | "BatchWriteItem" | "TransactWriteItems" => {
            Access::Write
        }
        "ExecuteStatement" | "BatchExecuteStatement" | "ExecuteTransaction" => {
            let all_selects = statements(params)
                .iter()
                .all(|s| s.trim_start().to_ascii_uppercase().starts_with("SELECT"));
            if all_selects {
                Access::Read
            } else {
                Access::Write
            }
        }
        _ if management == Some(true) => Access::Table,
        _ if read_only == Some(true) => Access::Read,
        _ => Access::Write,
    }
}

/// The distinct principals, and items named by key, of some rows, for the summary.
pub fn distinct(rows: &[Row]) -> (usize, usize) {
    let principals: BTreeSet<&str> = rows.iter().map(|r| r.principal.as_str()).collect();
    let items: BTreeSet<&str> = rows
        .iter()
        .flat_map(|r| r.keys.iter().map(String::as_str))
        .collect();
    (principals.len(), items.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const RECORDS: &str = include_str!("testdata/records.json");

    fn filter(principal: Option<&str>) -> Filter {
        Filter {
            table: "eclaireurs-submissions".into(),
            from: date!(2026 - 11 - 02),
            to: date!(2026 - 11 - 03),
            principal: principal.map(str::to_string),
        }
    }

    fn found(principal: Option<&str>) -> Vec<Row> {
        rows(RECORDS.as_bytes(), &filter(principal)).expect("the fixture reads")
    }

    fn summary(rows: &[Row]) -> Vec<(String, String, Vec<String>, String)> {
        rows.iter()
            .map(|r| {
                (
                    r.action.clone(),
                    r.access.as_str().to_string(),
                    r.items.clone(),
                    r.outcome.clone(),
                )
            })
            .collect()
    }

    fn owned(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn each_request_on_the_table_in_the_window_is_a_row_with_its_items() {
        let expected = vec![
            ("GetItem", "read", owned(&["bas-saint-laurent / need-report#2026-11-01T18:22:05Z#0193a1"]), "ok"),
            ("Query", "read", owned(&["email-index: email_hash = 5d41402abc4b2a76b9719d911017c592ae1c0d0e5f1b6f6e1c9d2a3b4c5d6e7f"]), "ok"),
            ("PutItem", "write", owned(&["saguenay-lac-saint-jean / registration#2026-11-02T18:22:05Z#0193b7"]), "ok"),
            ("UpdateItem", "write", owned(&["bas-saint-laurent / need-report#2026-11-01T18:22:05Z#0193a1"]), "ConditionalCheckFailedException"),
            ("Scan", "read", owned(&["table: every item (scan)"]), "AccessDenied"),
            ("GetRecords", "read", owned(&["stream: the changes' keys"]), "ok"),
            (
                "TransactWriteItems",
                "write",
                owned(&[
                    "bas-saint-laurent / registration#2026-10-30T10:00:00Z#0192ff (Update)",
                    "bas-saint-laurent / registration#2026-10-29T10:00:00Z#0192fe (Delete)",
                ]),
                "ok",
            ),
            ("BatchGetItem", "read", owned(&["bas-saint-laurent / registration#2026-10-30T10:00:00Z#0192ff"]), "ok"),
            ("PutResourcePolicy", "table", owned(&["(the table itself)"]), "ok"),
        ];
        let expected: Vec<_> = expected
            .into_iter()
            .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c, d.to_string()))
            .collect();
        assert_eq!(summary(&found(None)), expected);
    }

    #[test]
    fn an_assumed_role_is_shown_with_its_role_and_session() {
        let rows = found(None);
        let get = &rows[0];
        assert_eq!(
            get.principal,
            "arn:aws:sts::210987654321:assumed-role/eclaireurs-RelayTeamRole-BSL/marie.gagnon"
        );
        assert_eq!(get.principal_type, "AssumedRole");
        assert_eq!(
            get.role.as_deref(),
            Some("arn:aws:iam::210987654321:role/eclaireurs-RelayTeamRole-BSL")
        );
        assert_eq!(get.session.as_deref(), Some("marie.gagnon"));
        assert_eq!(get.source_ip, "198.51.100.23");
        assert_eq!(get.user_agent, "aws-cli/2.17.20");
        assert_eq!(get.time, "2026-11-02T13:05:41Z");
        assert_eq!(get.event_id, "e0000001-0000-4000-8000-000000000001");
        assert_eq!(rows[1].user_agent, "aws-sdk-rust/1.3.9");
        let user = &rows[4];
        assert_eq!(user.principal, "arn:aws:iam::210987654321:user/stagiaire");
        assert_eq!(user.principal_type, "IAMUser");
        assert_eq!(
            (user.role.as_deref(), user.session.as_deref()),
            (None, None)
        );
    }

    #[test]
    fn the_principal_filter_matches_part_of_the_arn_role_or_session_whatever_its_case() {
        let actions = |wanted: &str| -> Vec<String> {
            found(Some(wanted)).into_iter().map(|r| r.action).collect()
        };
        assert_eq!(actions("PRIVACYOFFICER"), ["Query"]);
        assert_eq!(actions("Marie.Gagnon"), ["GetItem", "UpdateItem"]);
        assert_eq!(actions("user/stagiaire"), ["Scan"]);
        assert_eq!(actions("SubmissionFunctionRole"), ["PutItem"]);
        assert!(actions("nobody-by-that-name").is_empty());
    }

    #[test]
    fn another_tables_items_and_other_services_never_show() {
        let all = serde_json::to_string(&found(None)).expect("json");
        for absent in ["elsewhere", "some-other-table", "PutBucketPolicy", "0193c0"] {
            assert!(!all.contains(absent), "`{absent}` shows:\n{all}");
        }
    }

    #[test]
    fn values_that_are_not_keys_never_show_even_when_a_file_holds_them() {
        let all = serde_json::to_string(&found(None)).expect("json");
        for absent in [
            "Sophie",
            "Lavoie",
            "418 555",
            "done",
            "first_name",
            ":word",
            "contains",
        ] {
            assert!(!all.contains(absent), "`{absent}` shows:\n{all}");
        }
    }

    #[test]
    fn the_window_is_whole_days_in_utc() {
        let mut one_day = filter(None);
        one_day.from = date!(2026 - 11 - 04);
        one_day.to = date!(2026 - 11 - 04);
        let rows = rows(RECORDS.as_bytes(), &one_day).expect("reads");
        assert_eq!(
            rows.iter().map(|r| r.time.as_str()).collect::<Vec<_>>(),
            ["2026-11-04T00:00:01Z"]
        );
    }

    #[test]
    fn a_query_without_recorded_values_shows_its_condition_with_names() {
        let params = serde_json::json!({
            "tableName": "eclaireurs-submissions",
            "keyConditionExpression": "#region = :region AND #entry BETWEEN :first AND :last",
            "expressionAttributeNames": { "#region": "region", "#entry": "entry" }
        });
        assert_eq!(
            items("Query", &params, "eclaireurs-submissions"),
            ["table: region = :region AND entry BETWEEN :first AND :last"]
        );
        let legacy = serde_json::json!({
            "indexName": "status-index",
            "keyConditions": { "status": { "comparisonOperator": "EQ", "attributeValueList": [ { "S": "new" } ] } }
        });
        assert_eq!(
            items("Query", &legacy, "eclaireurs-submissions"),
            ["status-index: status EQ new"]
        );
    }

    #[test]
    fn a_transaction_in_the_sdks_shape_and_a_batch_write_show_their_keys() {
        let transact = serde_json::json!({ "transactItems": [
            { "get": { "tableName": "eclaireurs-submissions", "key": { "region": { "S": "estrie" }, "entry": { "S": "registration#t#1" } } } },
            { "get": { "tableName": "other", "key": { "id": { "S": "x" } } } }
        ]});
        assert_eq!(
            items("TransactGetItems", &transact, "eclaireurs-submissions"),
            ["estrie / registration#t#1 (Get)"]
        );
        let batch = serde_json::json!({ "requestItems": {
            "arn:aws:dynamodb:ca-central-1:210987654321:table/eclaireurs-submissions": [
                { "putRequest": { "item": { "region": "estrie", "entry": "need-report#t#2", "description": "secret" } } },
                { "deleteRequest": { "key": { "region": "estrie", "entry": "need-report#t#3" } } }
            ]
        }});
        assert_eq!(
            items("BatchWriteItem", &batch, "eclaireurs-submissions"),
            [
                "estrie / need-report#t#2 (Put)",
                "estrie / need-report#t#3 (Delete)"
            ]
        );
    }

    #[test]
    fn partiql_shows_the_statement_as_recorded_and_a_select_is_a_read() {
        let params = serde_json::json!({
            "statement": "SELECT * FROM \"eclaireurs-submissions\" WHERE region = 'estrie' AND description = ***(Redacted)"
        });
        assert_eq!(
            access("ExecuteStatement", &params, None, Some(false)),
            Access::Read
        );
        assert_eq!(
            items("ExecuteStatement", &params, "eclaireurs-submissions"),
            ["PartiQL: SELECT * FROM \"eclaireurs-submissions\" WHERE region = 'estrie' AND description = ***(Redacted)"]
        );
        let delete = serde_json::json!({ "statement": "DELETE FROM t WHERE region = 'estrie'" });
        assert_eq!(
            access("ExecuteStatement", &delete, None, Some(false)),
            Access::Write
        );
    }

    #[test]
    fn a_file_that_is_not_a_cloudtrail_log_says_why() {
        let no_records = rows(br#"{"records": []}"#, &filter(None)).expect_err("refused");
        assert!(no_records.contains("`Records`"), "{no_records}");
        let bad_time = rows(
            br#"{"Records": [{"eventSource": "dynamodb.amazonaws.com", "eventTime": "yesterday"}]}"#,
            &filter(None),
        )
        .expect_err("refused");
        assert_eq!(bad_time, "record 1: eventTime `yesterday` is not a time");
        assert_eq!(rows(br#"{"Records": []}"#, &filter(None)), Ok(Vec::new()));
    }

    #[test]
    fn the_summary_counts_distinct_principals_and_items() {
        let rows = found(None);
        assert_eq!(distinct(&rows), (7, 4));
    }
}
