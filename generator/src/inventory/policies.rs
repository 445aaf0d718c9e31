//! Who can read what of the table, from the template's policies: every managed policy and
//! every role's statements, evaluated the way IAM would for the table, its indexes and its
//! stream (actions and resources with their wildcards, `Deny` statements, and the
//! conditions that narrow a grant: `dynamodb:LeadingKeys`, `dynamodb:Attributes`,
//! `dynamodb:Select`, `dynamodb:ReturnValues`). Nothing here is a list of who should read:
//! change a policy and the inventory changes.
//!
//! A condition this does not know is taken as not narrowing anything: the inventory may say
//! someone can read more than they can, never less.

use std::collections::BTreeSet;

use serde_yaml::Value;

use super::template::{glob, intrinsic, mentions, type_of, Template};

/// The DynamoDB actions that touch items (the data plane).
const DATA_ACTIONS: [&str; 19] = [
    "GetItem",
    "BatchGetItem",
    "Query",
    "Scan",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
    "ConditionCheckItem",
    "PartiQLSelect",
    "PartiQLInsert",
    "PartiQLUpdate",
    "PartiQLDelete",
    "ExportTableToPointInTime",
    "RestoreTableToPointInTime",
    "GetRecords",
    "GetShardIterator",
    "DescribeStream",
    "ListStreams",
];

/// Actions that run code with a function's role: whoever may do them reads what the
/// function reads.
const CODE_ACTIONS: [&str; 2] = [
    "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration",
];

/// Where a grant reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Table,
    Index(String),
    Stream,
}

/// Which items.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// The items whose region is the value of the principal's tag.
    OwnRegion { tag: String },
    /// The items of the named regions.
    Regions(BTreeSet<String>),
    /// Every item of every region.
    Every,
}

/// Which attributes of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attributes {
    All,
    /// Only these (IAM patterns).
    Only(BTreeSet<String>),
}

impl Attributes {
    pub fn allows(&self, attribute: &str) -> bool {
        match self {
            Attributes::All => true,
            Attributes::Only(names) => names.iter().any(|p| glob(p, attribute, false)),
        }
    }

    /// What both let through.
    fn and(&self, other: &Attributes) -> Attributes {
        match (self, other) {
            (Attributes::All, x) | (x, Attributes::All) => x.clone(),
            (Attributes::Only(a), Attributes::Only(b)) => Attributes::Only(
                a.iter()
                    .filter(|x| b.iter().any(|p| glob(p, x, false)))
                    .cloned()
                    .collect(),
            ),
        }
    }
}

/// What one statement lets a principal read at one target.
#[derive(Debug, Clone)]
pub struct Grant {
    pub statement: Option<String>,
    pub target: Target,
    /// The actions of the statement that read there.
    pub actions: BTreeSet<String>,
    pub scope: Scope,
    pub attributes: Attributes,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderKind {
    /// A managed policy of the template, for people (staff).
    Policy,
    /// The role a function of the template runs with.
    Function { function: String },
    /// A role of the template that no function uses.
    Role,
    /// A policy that may change a function's code or configuration, so reads what the
    /// function's role reads.
    ThroughCode { function: String, role: String },
    /// The administrator's role named by a parameter, which the table's resource policy lets
    /// through: what it reads is decided by its own permissions, outside the template.
    BreakGlass { parameter: String },
}

#[derive(Debug, Clone)]
pub struct Reader {
    /// The logical id of the policy or role (the parameter, for break-glass).
    pub id: String,
    pub kind: ReaderKind,
    pub grants: Vec<Grant>,
    /// The item-writing actions it is allowed on the table.
    pub writes: BTreeSet<String>,
}

impl Reader {
    /// Whether it can read `attribute` of a submission, and of which items.
    pub fn reads(&self, attribute: &str, projection: &Projections) -> Option<Scope> {
        self.grants
            .iter()
            .filter(|g| {
                g.attributes.allows(attribute) && projection.of(&g.target).allows(attribute)
            })
            .map(|g| g.scope.clone())
            .max()
    }
}

/// The table's own resource policy, if it refuses the data actions to other principals.
#[derive(Debug, Clone, Default)]
pub struct Guard {
    /// The template's roles it lets through (logical ids).
    pub roles: BTreeSet<String>,
    /// The principal tags it lets through, with their values.
    pub tags: Vec<(String, Vec<String>)>,
    /// The parameters whose principal it lets through (e.g. `BreakGlassRoleArn`).
    pub parameters: BTreeSet<String>,
}

/// What each target shows of an item.
#[derive(Debug, Clone)]
pub struct Projections {
    indexes: Vec<(String, Attributes)>,
    /// `None`: the table has no stream.
    stream: Option<Attributes>,
}

impl Projections {
    fn of(&self, target: &Target) -> Attributes {
        match target {
            Target::Table => Attributes::All,
            Target::Index(name) => self
                .indexes
                .iter()
                .find(|(n, _)| n == name)
                .map_or(Attributes::Only(BTreeSet::new()), |(_, a)| a.clone()),
            Target::Stream => self
                .stream
                .clone()
                .unwrap_or(Attributes::Only(BTreeSet::new())),
        }
    }

    /// What a grant really returns: its own limit and what its target shows.
    pub fn shown(&self, grant: &Grant) -> Attributes {
        self.of(&grant.target).and(&grant.attributes)
    }

    /// Each index and what it shows of an item.
    pub fn indexes(&self) -> impl Iterator<Item = (&str, &Attributes)> {
        self.indexes.iter().map(|(n, a)| (n.as_str(), a))
    }

    pub fn index_names(&self) -> impl Iterator<Item = &str> {
        self.indexes.iter().map(|(n, _)| n.as_str())
    }

    /// The stream's view type shows only the keys.
    pub fn stream_keys_only(&self) -> bool {
        matches!(&self.stream, Some(Attributes::Only(_)))
    }
}

/// Everyone the template lets read the table, and the table's guard.
#[derive(Debug, Clone)]
pub struct Access {
    pub readers: Vec<Reader>,
    pub guard: Option<Guard>,
    pub projections: Projections,
}

impl Access {
    pub fn from_template(template: &Template) -> Access {
        let projections = projections(template);
        let targets = targets(template, &projections);
        let mut readers = Vec::new();
        let mut roles: Vec<(String, Reader)> = Vec::new();
        let mut documents: Vec<(String, ReaderKind, Vec<&Value>)> = Vec::new();
        for (id, resource) in template.resources() {
            let properties = resource.get("Properties");
            match type_of(resource) {
                Some("AWS::IAM::ManagedPolicy") => {
                    let doc = properties.and_then(|p| p.get("PolicyDocument"));
                    documents.push((
                        id.to_string(),
                        ReaderKind::Policy,
                        doc.into_iter().collect(),
                    ));
                }
                Some("AWS::IAM::Role") => {
                    let mut docs: Vec<&Value> = properties
                        .and_then(|p| p.get("Policies"))
                        .and_then(Value::as_sequence)
                        .into_iter()
                        .flatten()
                        .filter_map(|p| p.get("PolicyDocument"))
                        .collect();
                    // Managed policies of the template attached by reference.
                    for arn in properties
                        .and_then(|p| p.get("ManagedPolicyArns"))
                        .and_then(Value::as_sequence)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(("Ref", Value::String(policy))) = intrinsic(arn) {
                            if let Some(doc) = template
                                .properties(policy)
                                .and_then(|p| p.get("PolicyDocument"))
                            {
                                docs.push(doc);
                            }
                        }
                    }
                    let kind = match function_of(template, id) {
                        Some(function) => ReaderKind::Function { function },
                        None => ReaderKind::Role,
                    };
                    documents.push((id.to_string(), kind, docs));
                }
                _ => {}
            }
        }
        for (id, kind, docs) in &documents {
            let statements: Vec<&Value> = docs.iter().flat_map(|d| statements(d)).collect();
            let (grants, writes) = evaluate(template, &statements, &targets);
            let reader = Reader {
                id: id.clone(),
                kind: kind.clone(),
                grants,
                writes,
            };
            if matches!(kind, ReaderKind::Function { .. } | ReaderKind::Role) {
                roles.push((id.clone(), reader.clone()));
            }
            if !reader.grants.is_empty() {
                readers.push(reader);
            }
        }
        // Whoever may change a function's code reads what its role reads.
        for (id, _, docs) in &documents {
            let statements: Vec<&Value> = docs.iter().flat_map(|d| statements(d)).collect();
            for function in code_changes(template, &statements) {
                let Some(role) = role_of(template, &function) else {
                    continue;
                };
                let Some((_, role_reader)) = roles.iter().find(|(r, _)| *r == role) else {
                    continue;
                };
                if role_reader.grants.is_empty() || &role == id {
                    continue;
                }
                readers.push(Reader {
                    id: id.clone(),
                    kind: ReaderKind::ThroughCode {
                        function: function.clone(),
                        role: role.clone(),
                    },
                    grants: role_reader.grants.clone(),
                    writes: role_reader.writes.clone(),
                });
            }
        }
        let guard = guard(template);
        for parameter in guard.iter().flat_map(|g| &g.parameters) {
            readers.push(Reader {
                id: parameter.clone(),
                kind: ReaderKind::BreakGlass {
                    parameter: parameter.clone(),
                },
                grants: vec![Grant {
                    statement: None,
                    target: Target::Table,
                    actions: BTreeSet::new(),
                    scope: Scope::Every,
                    attributes: Attributes::All,
                }],
                writes: BTreeSet::new(),
            });
        }
        Access {
            readers,
            guard,
            projections,
        }
    }

    /// Who can read an attribute of a submission, each with which items.
    pub fn readers_of<'a>(&'a self, attributes: &[&str]) -> Vec<(&'a Reader, Scope)> {
        self.readers
            .iter()
            .filter_map(|r| {
                attributes
                    .iter()
                    .filter_map(|a| r.reads(a, &self.projections))
                    .max()
                    .map(|scope| (r, scope))
            })
            .collect()
    }
}

fn projections(template: &Template) -> Projections {
    let table = template.properties(&template.table);
    let key_names = |schema: Option<&Value>| -> Vec<String> {
        schema
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .filter_map(|k| k.get("AttributeName")?.as_str().map(str::to_string))
            .collect()
    };
    let table_keys = key_names(table.and_then(|t| t.get("KeySchema")));
    let mut indexes = Vec::new();
    for list in ["GlobalSecondaryIndexes", "LocalSecondaryIndexes"] {
        for index in table
            .and_then(|t| t.get(list))
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            let Some(name) = index.get("IndexName").and_then(|n| template.resolve(n)) else {
                continue;
            };
            let projection = index.get("Projection");
            let kind = projection
                .and_then(|p| p.get("ProjectionType"))
                .and_then(Value::as_str)
                .unwrap_or("KEYS_ONLY");
            let attributes = if kind == "ALL" {
                Attributes::All
            } else {
                let mut names: BTreeSet<String> = table_keys.iter().cloned().collect();
                names.extend(key_names(index.get("KeySchema")));
                if kind == "INCLUDE" {
                    names.extend(
                        projection
                            .and_then(|p| p.get("NonKeyAttributes"))
                            .and_then(Value::as_sequence)
                            .into_iter()
                            .flatten()
                            .filter_map(|a| a.as_str().map(str::to_string)),
                    );
                }
                Attributes::Only(names)
            };
            indexes.push((name, attributes));
        }
    }
    let stream = table
        .and_then(|t| t.get("StreamSpecification"))
        .and_then(|s| s.get("StreamViewType"))
        .and_then(Value::as_str)
        .map(|view| match view {
            "KEYS_ONLY" => Attributes::Only(table_keys.iter().cloned().collect()),
            _ => Attributes::All,
        });
    Projections { indexes, stream }
}

/// The example ARNs of the table, each index and the stream.
fn targets(template: &Template, projections: &Projections) -> Vec<(Target, String)> {
    let arn = template.table_arn();
    let mut targets = vec![(Target::Table, arn.clone())];
    for name in projections.index_names() {
        targets.push((
            Target::Index(name.to_string()),
            format!("{arn}/index/{name}"),
        ));
    }
    if projections.stream.is_some() {
        targets.push((
            Target::Stream,
            format!("{arn}/stream/2000-01-01T00:00:00.000"),
        ));
    }
    targets
}

fn statements(doc: &Value) -> Vec<&Value> {
    match doc.get("Statement") {
        Some(Value::Sequence(list)) => list.iter().collect(),
        Some(one @ Value::Mapping(_)) => vec![one],
        _ => Vec::new(),
    }
}

/// The strings of a statement's `Action` (or `Resource`) element.
fn strings(template: &Template, value: Option<&Value>) -> Vec<String> {
    value
        .map(|v| template.resolve_list(v).into_iter().flatten().collect())
        .unwrap_or_default()
}

/// The data actions a statement covers (`Action`, or every one not in `NotAction`).
fn actions_of(template: &Template, statement: &Value) -> Vec<&'static str> {
    let matches = |patterns: &[String], action: &str| {
        patterns
            .iter()
            .any(|p| glob(p, &format!("dynamodb:{action}"), true))
    };
    if let Some(not) = statement.get("NotAction") {
        let patterns = strings(template, Some(not));
        return DATA_ACTIONS
            .into_iter()
            .filter(|a| !matches(&patterns, a))
            .collect();
    }
    let patterns = strings(template, statement.get("Action"));
    DATA_ACTIONS
        .into_iter()
        .filter(|a| matches(&patterns, a))
        .collect()
}

/// The targets a statement's resources cover.
fn targets_of<'a>(
    template: &Template,
    statement: &Value,
    targets: &'a [(Target, String)],
) -> Vec<&'a Target> {
    let covers = |patterns: &[String], arn: &str| patterns.iter().any(|p| glob(p, arn, false));
    if let Some(not) = statement.get("NotResource") {
        let patterns = strings(template, Some(not));
        return targets
            .iter()
            .filter(|(_, arn)| !covers(&patterns, arn))
            .map(|(t, _)| t)
            .collect();
    }
    let patterns = strings(template, statement.get("Resource"));
    targets
        .iter()
        .filter(|(_, arn)| covers(&patterns, arn))
        .map(|(t, _)| t)
        .collect()
}

/// The conditions that narrow a DynamoDB grant.
#[derive(Default)]
struct Narrowing {
    /// `dynamodb:LeadingKeys` values, and whether a `Null` check makes the key required.
    leading_keys: Option<(Vec<String>, bool)>,
    attributes: Option<BTreeSet<String>>,
    /// `dynamodb:Select` held to SPECIFIC_ATTRIBUTES (or COUNT).
    select_specific: bool,
    return_values: Option<BTreeSet<String>>,
}

fn narrowing(template: &Template, statement: &Value) -> Narrowing {
    let mut n = Narrowing::default();
    let Some(conditions) = statement.get("Condition").and_then(Value::as_mapping) else {
        return n;
    };
    let mut leading_required = false;
    for (operator, keys) in conditions {
        let Some(operator) = operator.as_str() else {
            continue;
        };
        for (key, value) in keys.as_mapping().into_iter().flatten() {
            let Some(key) = key.as_str() else { continue };
            let values: Vec<String> = template.resolve_list(value).into_iter().flatten().collect();
            match (operator, key.to_ascii_lowercase().as_str()) {
                (
                    "ForAllValues:StringEquals" | "ForAllValues:StringLike",
                    "dynamodb:leadingkeys",
                ) => {
                    n.leading_keys = Some((values, false));
                }
                (
                    "ForAllValues:StringEquals" | "ForAllValues:StringLike",
                    "dynamodb:attributes",
                ) => {
                    n.attributes = Some(values.into_iter().collect());
                }
                ("StringEquals" | "StringEqualsIfExists", "dynamodb:select") => {
                    n.select_specific = !values.is_empty()
                        && values
                            .iter()
                            .all(|v| v == "SPECIFIC_ATTRIBUTES" || v == "COUNT");
                }
                ("StringEquals" | "StringEqualsIfExists", "dynamodb:returnvalues") => {
                    n.return_values = Some(values.into_iter().collect());
                }
                ("Null", "dynamodb:leadingkeys") => {
                    leading_required = values.iter().any(|v| v == "false");
                }
                _ => {}
            }
        }
    }
    if let Some((_, required)) = &mut n.leading_keys {
        *required = leading_required;
    }
    n
}

/// Which items a request of `action` may reach under `n` (`None`: none at all).
fn scope(action: &str, target: &Target, n: &Narrowing) -> Option<Scope> {
    let Some((values, required)) = &n.leading_keys else {
        return Some(Scope::Every);
    };
    // Requests that name no partition key (a scan, an export, the stream) carry no
    // LeadingKeys: refused when the key is required, unrestricted otherwise.
    let carries_keys = !matches!(target, Target::Stream)
        && !matches!(
            action,
            "Scan" | "PartiQLSelect" | "ExportTableToPointInTime"
        );
    if !carries_keys {
        return if *required { None } else { Some(Scope::Every) };
    }
    // An index's partition key is not the region: a region-bound value matches no item.
    if let Target::Index(_) = target {
        return values
            .iter()
            .any(|v| v.trim() == "*")
            .then_some(Scope::Every);
    }
    let tag = values.iter().find_map(|v| {
        v.strip_prefix("${aws:PrincipalTag/")
            .and_then(|t| t.strip_suffix('}'))
            .map(str::to_string)
    });
    match tag {
        Some(tag) if values.len() == 1 => Some(Scope::OwnRegion { tag }),
        _ if values.iter().any(|v| v.contains('*') || v.contains("${")) => Some(Scope::Every),
        _ => Some(Scope::Regions(values.iter().cloned().collect())),
    }
}

/// What `action` returns of an item at `target` under `n` (`None`: nothing).
fn returned(action: &str, target: &Target, n: &Narrowing) -> Option<Attributes> {
    let restricted = || match &n.attributes {
        Some(names) => Attributes::Only(names.clone()),
        None => Attributes::All,
    };
    match (action, target) {
        ("GetItem" | "BatchGetItem", Target::Table) => Some(restricted()),
        // Without `dynamodb:Select`, a query or scan may ask for every attribute (or an
        // index's projection) and the attribute condition does not stop it (AWS's own
        // example pairs the two).
        ("Query" | "Scan" | "PartiQLSelect", Target::Table | Target::Index(_)) => {
            Some(if n.select_specific {
                restricted()
            } else {
                Attributes::All
            })
        }
        (
            "PutItem" | "UpdateItem" | "DeleteItem" | "PartiQLInsert" | "PartiQLUpdate"
            | "PartiQLDelete",
            Target::Table,
        ) => match &n.return_values {
            None => Some(Attributes::All),
            Some(values) if values.iter().any(|v| v.starts_with("ALL_")) => Some(Attributes::All),
            Some(values) if values.iter().any(|v| v.starts_with("UPDATED_")) => Some(restricted()),
            Some(_) => None,
        },
        ("ExportTableToPointInTime", Target::Table) => Some(Attributes::All),
        ("GetRecords", Target::Stream) => Some(Attributes::All),
        _ => None,
    }
}

const WRITES: [&str; 8] = [
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
    "ConditionCheckItem",
    "PartiQLInsert",
    "PartiQLUpdate",
    "PartiQLDelete",
];

/// The grants and table writes of a set of statements; an unconditional `Deny` of an
/// action at a target removes it.
fn evaluate(
    template: &Template,
    statements: &[&Value],
    targets: &[(Target, String)],
) -> (Vec<Grant>, BTreeSet<String>) {
    let effect = |s: &Value| {
        s.get("Effect")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let mut denied: Vec<(&str, Target)> = Vec::new();
    for statement in statements.iter().filter(|s| effect(s) == "Deny") {
        if statement.get("Condition").is_some() {
            continue;
        }
        for action in actions_of(template, statement) {
            for target in targets_of(template, statement, targets) {
                denied.push((action, target.clone()));
            }
        }
    }
    let mut grants: Vec<Grant> = Vec::new();
    let mut writes = BTreeSet::new();
    for statement in statements.iter().filter(|s| effect(s) == "Allow") {
        let n = narrowing(template, statement);
        let sid = statement
            .get("Sid")
            .and_then(Value::as_str)
            .map(str::to_string);
        for target in targets_of(template, statement, targets) {
            for action in actions_of(template, statement) {
                if denied.iter().any(|(a, t)| *a == action && t == target) {
                    continue;
                }
                if WRITES.contains(&action) && *target == Target::Table {
                    writes.insert(action.to_string());
                }
                let (Some(scope), Some(attributes)) =
                    (scope(action, target, &n), returned(action, target, &n))
                else {
                    continue;
                };
                match grants.iter_mut().find(|g| {
                    g.statement == sid
                        && g.target == *target
                        && g.scope == scope
                        && g.attributes == attributes
                }) {
                    Some(grant) => {
                        grant.actions.insert(action.to_string());
                    }
                    None => grants.push(Grant {
                        statement: sid.clone(),
                        target: target.clone(),
                        actions: BTreeSet::from([action.to_string()]),
                        scope,
                        attributes,
                    }),
                }
            }
        }
    }
    (grants, writes)
}

/// The function that runs with `role` (its `Role: !GetAtt <role>.Arn`).
fn function_of(template: &Template, role: &str) -> Option<String> {
    template
        .resources()
        .filter(|(_, r)| {
            matches!(
                type_of(r),
                Some("AWS::Serverless::Function" | "AWS::Lambda::Function")
            )
        })
        .find(|(_, r)| {
            r.get("Properties")
                .and_then(|p| p.get("Role"))
                .and_then(|v| template.resolve(v))
                .is_some_and(|arn| arn == format!("getatt:{role}.Arn"))
        })
        .map(|(id, _)| id.to_string())
}

/// The role a function of the template runs with.
fn role_of(template: &Template, function: &str) -> Option<String> {
    let arn = template
        .properties(function)?
        .get("Role")
        .and_then(|v| template.resolve(v))?;
    arn.strip_prefix("getatt:")?
        .strip_suffix(".Arn")
        .map(str::to_string)
}

/// The functions whose code or configuration the statements let change.
fn code_changes(template: &Template, statements: &[&Value]) -> BTreeSet<String> {
    let functions: Vec<&str> = template
        .resources()
        .filter(|(_, r)| {
            matches!(
                type_of(r),
                Some("AWS::Serverless::Function" | "AWS::Lambda::Function")
            )
        })
        .map(|(id, _)| id)
        .collect();
    let mut found = BTreeSet::new();
    for statement in statements {
        if statement.get("Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        let actions = strings(template, statement.get("Action"));
        if !actions
            .iter()
            .any(|p| CODE_ACTIONS.iter().any(|a| glob(p, a, true)))
        {
            continue;
        }
        for resource in strings(template, statement.get("Resource")) {
            for function in &functions {
                let named = resource == format!("getatt:{function}.Arn")
                    || resource == format!("ref:{function}");
                let wildcard =
                    resource == "*" || (resource.contains(":function:") && resource.ends_with('*'));
                if named || wildcard {
                    found.insert(function.to_string());
                }
            }
        }
    }
    found
}

/// The table's resource policy, when one of its statements denies reading to every
/// principal but those its conditions let through.
fn guard(template: &Template) -> Option<Guard> {
    let doc = template
        .properties(&template.table)?
        .get("ResourcePolicy")?
        .get("PolicyDocument")?;
    let targets = vec![(Target::Table, template.table_arn())];
    let mut guard: Option<Guard> = None;
    for statement in statements(doc) {
        if statement.get("Effect").and_then(Value::as_str) != Some("Deny") {
            continue;
        }
        let everyone = match statement.get("Principal") {
            Some(Value::String(s)) => s == "*",
            Some(p) => p
                .get("AWS")
                .map(|a| {
                    template
                        .resolve_list(a)
                        .iter()
                        .any(|v| v.as_deref() == Some("*"))
                })
                .unwrap_or(false),
            None => false,
        };
        let actions = actions_of(template, statement);
        let reads = ["GetItem", "Query", "Scan"]
            .iter()
            .all(|a| actions.contains(a));
        if !everyone || !reads || targets_of(template, statement, &targets).is_empty() {
            continue;
        }
        let found = guard.get_or_insert_with(Guard::default);
        let Some(condition) = statement.get("Condition").and_then(Value::as_mapping) else {
            continue;
        };
        for (operator, keys) in condition {
            // `Null: {aws:PrincipalTag/x: "true"}` in a Deny lets through whoever has the
            // tag, whatever its value (an empty list of values).
            let any_value = operator.as_str() == Some("Null");
            for (key, value) in keys.as_mapping().into_iter().flatten() {
                let mut named = Vec::new();
                mentions(value, &mut named);
                if let Some(tag) = key
                    .as_str()
                    .and_then(|k| k.strip_prefix("aws:PrincipalTag/"))
                {
                    let values: Vec<String> = named
                        .iter()
                        .filter(|v| {
                            !any_value && !v.starts_with("ref:") && !v.starts_with("getatt:")
                        })
                        .cloned()
                        .collect();
                    match found.tags.iter_mut().find(|(t, _)| t == tag) {
                        Some((_, existing)) => existing.extend(values),
                        None => found.tags.push((tag.to_string(), values)),
                    }
                }
                for name in &named {
                    if let Some(role) = name
                        .strip_prefix("getatt:")
                        .and_then(|n| n.strip_suffix(".Arn"))
                    {
                        if template.resource(role).and_then(type_of) == Some("AWS::IAM::Role") {
                            found.roles.insert(role.to_string());
                        }
                    }
                    if let Some(parameter) = name.strip_prefix("ref:") {
                        if template.parameter(parameter).is_some() {
                            found.parameters.insert(parameter.to_string());
                        }
                    }
                }
            }
        }
    }
    if let Some(g) = &mut guard {
        for (_, values) in &mut g.tags {
            values.sort();
            values.dedup();
        }
    }
    guard
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(policies: &str) -> Access {
        let text = format!(
            "Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: t\n      KeySchema:\n        - {{AttributeName: region, KeyType: HASH}}\n        - {{AttributeName: entry, KeyType: RANGE}}\n      GlobalSecondaryIndexes:\n        - IndexName: by-mail\n          KeySchema: [{{AttributeName: email_hash, KeyType: HASH}}]\n          Projection: {{ProjectionType: KEYS_ONLY}}\n{policies}"
        );
        Access::from_template(&Template::parse(&text).expect("parses"))
    }

    fn policy(statement: &str) -> String {
        format!("  Staff:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - {statement}\n")
    }

    #[test]
    fn a_keys_only_index_shows_no_answer() {
        let a = access(&policy(
            "{Effect: Allow, Action: dynamodb:Query, Resource: !Sub \"${Table.Arn}/index/*\"}",
        ));
        assert!(a.readers_of(&["description"]).is_empty());
        assert_eq!(a.readers_of(&["email_hash"]).len(), 1);
    }

    #[test]
    fn an_attribute_condition_without_select_does_not_limit_a_query() {
        let only = "Condition: {ForAllValues:StringEquals: {dynamodb:Attributes: [region, entry]}}";
        let a = access(&policy(&format!(
            "{{Effect: Allow, Action: dynamodb:Query, Resource: !GetAtt Table.Arn, {only}}}"
        )));
        assert_eq!(a.readers_of(&["description"]).len(), 1);
        let a = access(&policy(&format!(
            "{{Effect: Allow, Action: dynamodb:GetItem, Resource: !GetAtt Table.Arn, {only}}}"
        )));
        assert!(a.readers_of(&["description"]).is_empty());
        assert_eq!(a.readers_of(&["entry"]).len(), 1);
    }

    #[test]
    fn an_update_that_returns_nothing_reads_nothing() {
        let a = access(&policy(
            "{Effect: Allow, Action: dynamodb:UpdateItem, Resource: !GetAtt Table.Arn, Condition: {StringEqualsIfExists: {dynamodb:ReturnValues: [NONE]}}}",
        ));
        assert!(a.readers.is_empty());
        let a = access(&policy(
            "{Effect: Allow, Action: dynamodb:UpdateItem, Resource: !GetAtt Table.Arn}",
        ));
        assert_eq!(a.readers_of(&["description"]).len(), 1);
    }

    #[test]
    fn a_scan_under_a_required_leading_key_reaches_nothing() {
        let leading = "Condition: {ForAllValues:StringEquals: {dynamodb:LeadingKeys: [\"${aws:PrincipalTag/r}\"]}, \"Null\": {dynamodb:LeadingKeys: \"false\"}}";
        let a = access(&policy(&format!(
            "{{Effect: Allow, Action: [dynamodb:Scan, dynamodb:Query], Resource: !GetAtt Table.Arn, {leading}}}"
        )));
        let readers = a.readers_of(&["description"]);
        assert_eq!(readers.len(), 1);
        assert_eq!(readers[0].1, Scope::OwnRegion { tag: "r".into() });
        assert_eq!(
            readers[0].0.grants[0].actions,
            BTreeSet::from(["Query".to_string()])
        );
    }
}
