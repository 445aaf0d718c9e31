//! The safeguards the template really has, each found in its resources (never assumed):
//! the table's encryption, resource policy, backups and deletion protection, the access
//! record (a trail with the table's data events), the alarms, the policies that refuse
//! requests without TLS, the staff policies' deny of tagging themselves. What is not found
//! is not claimed.

use std::collections::BTreeSet;

use serde_yaml::Value;

use super::policies::Guard;
use super::template::{intrinsic, mentions, type_of, Template};

/// How the table is encrypted at rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Encryption {
    /// The AWS managed key (`aws/dynamodb`).
    AwsManaged,
    /// A customer managed key (its logical id or ARN as written).
    Customer(String),
}

/// The record of who touched the table's items.
#[derive(Debug, Clone)]
pub struct Trail {
    pub id: String,
    pub log_file_validation: bool,
    pub encrypted: bool,
    /// Days its log files are kept (the bucket's expiry), if the template says.
    pub retention_days: Option<u64>,
    /// The parameter that sets it, if one does.
    pub retention_parameter: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Safeguards {
    pub encryption: Option<Encryption>,
    pub guard: Option<Guard>,
    /// Point-in-time recovery, and the days it reaches back.
    pub backup_days: Option<u64>,
    pub deletion_protection: bool,
    pub trail: Option<Trail>,
    /// The alarms (logical ids) and the topics they tell.
    pub alarms: Vec<String>,
    pub alarm_topics: BTreeSet<String>,
    /// The resources whose policy refuses requests without TLS.
    pub tls_only: BTreeSet<String>,
    /// The policies that deny their holders tagging themselves.
    pub no_self_tagging: BTreeSet<String>,
    /// The table's stream carries keys only.
    pub stream_keys_only: bool,
    /// The attribute DynamoDB deletes expired items by (TTL), if on.
    pub ttl_attribute: Option<String>,
    /// Log groups and the days they are kept.
    pub logs: Vec<(String, u64)>,
}

impl Safeguards {
    pub fn from_template(
        template: &Template,
        guard: Option<Guard>,
        stream_keys_only: bool,
    ) -> Self {
        let table = template.properties(&template.table);
        let get = |key: &str| table.and_then(|t| t.get(key));
        let truthy = |v: Option<&Value>| {
            v.is_some_and(|v| v.as_bool() == Some(true) || v.as_str() == Some("true"))
        };
        let sse = get("SSESpecification");
        let encryption = truthy(sse.and_then(|s| s.get("SSEEnabled"))).then(|| {
            match sse
                .and_then(|s| s.get("KMSMasterKeyId"))
                .and_then(|k| describe(template, k))
            {
                Some(key) if key != "alias/aws/dynamodb" => Encryption::Customer(key),
                _ => Encryption::AwsManaged,
            }
        });
        let pitr = get("PointInTimeRecoverySpecification");
        let backup_days =
            truthy(pitr.and_then(|p| p.get("PointInTimeRecoveryEnabled"))).then(|| {
                pitr.and_then(|p| p.get("RecoveryPeriodInDays"))
                    .and_then(|d| template.resolve(d))
                    .and_then(|d| d.parse().ok())
                    // DynamoDB's default, and its most.
                    .unwrap_or(35)
            });
        let ttl = get("TimeToLiveSpecification");
        let ttl_attribute = truthy(ttl.and_then(|t| t.get("Enabled")))
            .then(|| {
                ttl.and_then(|t| t.get("AttributeName"))
                    .and_then(Value::as_str)
            })
            .flatten()
            .map(str::to_string);
        let mut safeguards = Safeguards {
            encryption,
            guard,
            backup_days,
            deletion_protection: truthy(get("DeletionProtectionEnabled")),
            stream_keys_only,
            ttl_attribute,
            ..Safeguards::default()
        };
        for (id, resource) in template.resources() {
            let properties = resource.get("Properties");
            match type_of(resource) {
                Some("AWS::CloudTrail::Trail") if safeguards.trail.is_none() => {
                    if let Some(p) = properties.filter(|p| records_table_data(p)) {
                        safeguards.trail = Some(trail(template, id, p));
                    }
                }
                Some("AWS::CloudWatch::Alarm") => {
                    let actions = properties.and_then(|p| p.get("AlarmActions"));
                    let topics: Vec<String> = actions
                        .map(|a| template.resolve_list(a))
                        .unwrap_or_default()
                        .into_iter()
                        .flatten()
                        .filter_map(|t| t.strip_prefix("ref:").map(str::to_string))
                        .collect();
                    // An alarm that tells nobody is not a safeguard.
                    if !topics.is_empty() {
                        safeguards.alarms.push(id.to_string());
                        safeguards.alarm_topics.extend(topics);
                    }
                }
                Some("AWS::IAM::ManagedPolicy") => {
                    let doc = properties.and_then(|p| p.get("PolicyDocument"));
                    if doc.is_some_and(denies_self_tagging) {
                        safeguards.no_self_tagging.insert(id.to_string());
                    }
                }
                Some("AWS::LogGroups::LogGroup" | "AWS::Logs::LogGroup") => {
                    if let Some(days) = properties
                        .and_then(|p| p.get("RetentionInDays"))
                        .and_then(|d| template.resolve(d))
                        .and_then(|d| d.parse().ok())
                    {
                        safeguards.logs.push((id.to_string(), days));
                    }
                }
                _ => {}
            }
            // Policies that refuse requests without TLS, named by what they protect.
            let (document, protected): (Option<&Value>, Vec<String>) = match type_of(resource) {
                Some("AWS::S3::BucketPolicy") => (
                    properties.and_then(|p| p.get("PolicyDocument")),
                    targets(template, properties.and_then(|p| p.get("Bucket"))),
                ),
                Some("AWS::SNS::TopicPolicy") => (
                    properties.and_then(|p| p.get("PolicyDocument")),
                    targets(template, properties.and_then(|p| p.get("Topics"))),
                ),
                Some("AWS::SQS::QueuePolicy") => (
                    properties.and_then(|p| p.get("PolicyDocument")),
                    targets(template, properties.and_then(|p| p.get("Queues"))),
                ),
                Some("AWS::DynamoDB::Table") => (
                    properties
                        .and_then(|p| p.get("ResourcePolicy"))
                        .and_then(|p| p.get("PolicyDocument")),
                    vec![id.to_string()],
                ),
                _ => (None, Vec::new()),
            };
            if document.is_some_and(denies_plain_http) {
                safeguards.tls_only.extend(protected);
            }
        }
        safeguards
    }
}

/// A key as the inventory names it: a resource's logical id, or the text given.
fn describe(template: &Template, value: &Value) -> Option<String> {
    if let Some((name, arg)) = intrinsic(value) {
        let target = match (name, arg) {
            ("Ref", Value::String(s)) => Some(s.clone()),
            ("GetAtt", Value::String(s)) => s.split_once('.').map(|(id, _)| id.to_string()),
            _ => None,
        };
        if target.is_some() {
            return target;
        }
    }
    template.resolve(value)
}

/// The logical ids a policy's `Bucket`/`Topics`/`Queues` name.
fn targets(template: &Template, value: Option<&Value>) -> Vec<String> {
    let Some(value) = value else {
        return Vec::new();
    };
    let items: Vec<&Value> = match value {
        Value::Sequence(items) => items.iter().collect(),
        other => vec![other],
    };
    items
        .into_iter()
        .filter_map(|v| describe(template, v))
        .collect()
}

fn statements(doc: &Value) -> Vec<&Value> {
    match doc.get("Statement") {
        Some(Value::Sequence(list)) => list.iter().collect(),
        Some(one @ Value::Mapping(_)) => vec![one],
        _ => Vec::new(),
    }
}

/// A `Deny` when `aws:SecureTransport` is false.
fn denies_plain_http(doc: &Value) -> bool {
    statements(doc).into_iter().any(|s| {
        s.get("Effect").and_then(Value::as_str) == Some("Deny")
            && s.get("Condition")
                .and_then(|c| c.get("Bool"))
                .and_then(|b| b.get("aws:SecureTransport"))
                .is_some_and(|v| v.as_bool() == Some(false) || v.as_str() == Some("false"))
    })
}

/// A `Deny` of the IAM and STS tagging actions.
fn denies_self_tagging(doc: &Value) -> bool {
    statements(doc).into_iter().any(|s| {
        if s.get("Effect").and_then(Value::as_str) != Some("Deny") {
            return false;
        }
        let mut actions = Vec::new();
        if let Some(a) = s.get("Action") {
            mentions(a, &mut actions);
        }
        let has = |name: &str| actions.iter().any(|a| a.eq_ignore_ascii_case(name));
        has("iam:TagUser") && has("iam:TagRole") && has("sts:TagSession")
    })
}

/// A trail's selectors record the data events of DynamoDB tables.
fn records_table_data(properties: &Value) -> bool {
    let mut named = Vec::new();
    if let Some(selectors) = properties.get("AdvancedEventSelectors") {
        for selector in selectors.as_sequence().into_iter().flatten() {
            let fields = selector.get("FieldSelectors").and_then(Value::as_sequence);
            let data_of_tables = fields.into_iter().flatten().any(|f| {
                f.get("Field").and_then(Value::as_str) == Some("resources.type")
                    && f.get("Equals").is_some_and(|e| {
                        let mut values = Vec::new();
                        mentions(e, &mut values);
                        values.iter().any(|v| v == "AWS::DynamoDB::Table")
                    })
            });
            if data_of_tables {
                return true;
            }
        }
    }
    if let Some(selectors) = properties.get("EventSelectors") {
        mentions(selectors, &mut named);
    }
    named.iter().any(|v| v == "AWS::DynamoDB::Table")
}

fn trail(template: &Template, id: &str, properties: &Value) -> Trail {
    let truthy = |v: Option<&Value>| {
        v.is_some_and(|v| v.as_bool() == Some(true) || v.as_str() == Some("true"))
    };
    let bucket = properties
        .get("S3BucketName")
        .and_then(|b| describe(template, b));
    let mut retention_days = None;
    let mut retention_parameter = None;
    let rules = bucket
        .as_deref()
        .and_then(|b| template.properties(b))
        .and_then(|p| p.get("LifecycleConfiguration"))
        .and_then(|l| l.get("Rules"))
        .and_then(Value::as_sequence);
    for rule in rules.into_iter().flatten() {
        if let Some(days) = rule.get("ExpirationInDays") {
            if let Some(("Ref", Value::String(p))) = intrinsic(days) {
                retention_parameter = Some(p.clone());
            }
            retention_days = template.resolve(days).and_then(|d| d.parse().ok());
        }
    }
    Trail {
        id: id.to_string(),
        log_file_validation: truthy(properties.get("EnableLogFileValidation")),
        encrypted: properties.get("KMSKeyId").is_some(),
        retention_days,
        retention_parameter,
    }
}
