//! Reading `template.yaml` as data: CloudFormation's short tags (`!GetAtt`, `!Sub`, `!Ref`…)
//! are kept by serde_yaml as tagged values, and the long forms (`Fn::GetAtt`) as mappings;
//! both are understood here. ARNs are resolved to example values (the stack in ca-central-1,
//! an example account) so a policy's resource patterns can be matched against the table's.

use serde_yaml::Value;

/// The example values the pseudo parameters take when ARNs are compared.
const PARTITION: &str = "aws";
const ACCOUNT: &str = "123456789012";
/// The region the example stack is in when the template has no rule that fixes it.
const DEFAULT_REGION: &str = eclaireurs_model::AWS_REGION;

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("template.yaml cannot be read: {0}")]
    Yaml(#[from] serde_yaml::Error),
    #[error("template.yaml: {0}")]
    Missing(String),
}

/// A parsed template.
pub struct Template {
    root: Value,
    /// The logical id of the submissions table (the template's one `AWS::DynamoDB::Table`).
    pub table: String,
    /// Its name, as deployed with the parameters' defaults.
    pub table_name: String,
    /// The region the template holds the stack to (`Rules`), if it does.
    pub region_rule: Option<(String, String)>,
}

impl Template {
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let root: Value = serde_yaml::from_str(text)?;
        let tables: Vec<String> = resources(&root)
            .filter(|(_, r)| type_of(r) == Some("AWS::DynamoDB::Table"))
            .map(|(id, _)| id.to_string())
            .collect();
        let [table] = tables.as_slice() else {
            return Err(TemplateError::Missing(format!(
                "the inventory needs exactly one AWS::DynamoDB::Table in Resources (found {})",
                tables.len()
            )));
        };
        let mut template = Template {
            table: table.clone(),
            table_name: table.clone(),
            region_rule: None,
            root,
        };
        if let Some(name) = template
            .properties(&template.table)
            .and_then(|p| p.get("TableName"))
            .and_then(|v| template.resolve(v))
        {
            template.table_name = name;
        }
        template.region_rule = template.find_region_rule();
        Ok(template)
    }

    pub fn resources(&self) -> impl Iterator<Item = (&str, &Value)> {
        resources(&self.root)
    }

    pub fn resource(&self, id: &str) -> Option<&Value> {
        self.root.get("Resources")?.get(id)
    }

    pub fn properties(&self, id: &str) -> Option<&Value> {
        self.resource(id)?.get("Properties")
    }

    pub fn parameter(&self, name: &str) -> Option<&Value> {
        self.root.get("Parameters")?.get(name)
    }

    /// A parameter's default as a number (e.g. `RetentionDays`).
    pub fn parameter_number(&self, name: &str) -> Option<u64> {
        let default = self.parameter(name)?.get("Default")?;
        default
            .as_u64()
            .or_else(|| default.as_str().and_then(|s| s.parse().ok()))
    }

    /// The region ARNs are resolved in: the one the template's rule holds it to.
    pub fn region(&self) -> &str {
        self.region_rule
            .as_ref()
            .map_or(DEFAULT_REGION, |(_, region)| region.as_str())
    }

    /// The table's ARN as the example stack has it.
    pub fn table_arn(&self) -> String {
        format!(
            "arn:{PARTITION}:dynamodb:{}:{ACCOUNT}:table/{}",
            self.region(),
            self.table_name
        )
    }

    /// A value resolved to a string: plain strings, `!Ref` (parameters by their default,
    /// pseudo parameters by the example values, resources by a placeholder), `!GetAtt`
    /// (the table's ARNs; other resources by a placeholder), `!Sub`. `None` when it cannot
    /// be told (a condition, a join of unknowns).
    pub fn resolve(&self, value: &Value) -> Option<String> {
        // serde_yaml's `as_str` looks through tags: the functions come first.
        let Some((name, arg)) = intrinsic(value) else {
            return match value {
                Value::String(text) => Some(text.clone()),
                Value::Number(n) => Some(n.to_string()),
                Value::Bool(b) => Some(b.to_string()),
                _ => None,
            };
        };
        match name {
            "Ref" => self.reference(arg.as_str()?),
            "GetAtt" => {
                let (id, attr) = match arg {
                    Value::String(s) => s.split_once('.')?,
                    Value::Sequence(parts) => (parts.first()?.as_str()?, parts.get(1)?.as_str()?),
                    _ => return None,
                };
                Some(self.attribute(id, attr))
            }
            "Sub" => {
                let (text, vars) = match arg {
                    Value::String(s) => (s.as_str(), None),
                    Value::Sequence(parts) => (parts.first()?.as_str()?, parts.get(1)),
                    _ => return None,
                };
                self.substitute(text, vars)
            }
            "Join" => {
                let parts = arg.as_sequence()?;
                let separator = parts.first()?.as_str()?;
                let items = parts.get(1)?.as_sequence()?;
                let items: Option<Vec<String>> = items.iter().map(|v| self.resolve(v)).collect();
                Some(items?.join(separator))
            }
            _ => None,
        }
    }

    /// The value given to a resource's property as a list of resolved strings (a single
    /// value is a list of one).
    pub fn resolve_list(&self, value: &Value) -> Vec<Option<String>> {
        match value {
            Value::Sequence(items) => items.iter().map(|v| self.resolve(v)).collect(),
            other => vec![self.resolve(other)],
        }
    }

    fn reference(&self, name: &str) -> Option<String> {
        match name {
            "AWS::Partition" => Some(PARTITION.into()),
            "AWS::Region" => Some(self.region().into()),
            "AWS::AccountId" => Some(ACCOUNT.into()),
            "AWS::URLSuffix" => Some("amazonaws.com".into()),
            "AWS::StackName" => Some("stack".into()),
            _ if name == self.table => Some(self.table_name.clone()),
            _ => {
                if let Some(parameter) = self.parameter(name) {
                    return parameter.get("Default").and_then(|d| self.resolve(d));
                }
                self.resource(name).map(|_| format!("ref:{name}"))
            }
        }
    }

    fn attribute(&self, id: &str, attr: &str) -> String {
        if id == self.table {
            match attr {
                "Arn" => return self.table_arn(),
                // A stream's ARN ends with its creation time, which no policy can know.
                "StreamArn" => {
                    return format!("{}/stream/2000-01-01T00:00:00.000", self.table_arn())
                }
                _ => {}
            }
        }
        format!("getatt:{id}.{attr}")
    }

    fn substitute(&self, text: &str, vars: Option<&Value>) -> Option<String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find('}')?;
            let token = &after[..end];
            if let Some(literal) = token.strip_prefix('!') {
                // `${!Literal}` is written as `${Literal}`.
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else if let Some(value) = vars.and_then(|v| v.get(token)) {
                out.push_str(&self.resolve(value)?);
            } else if let Some((id, attr)) = token.split_once('.') {
                out.push_str(&self.attribute(id, attr));
            } else {
                out.push_str(&self.reference(token)?);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }

    /// A rule whose assertion is `AWS::Region` equal to a region: the stack cannot be
    /// deployed anywhere else.
    fn find_region_rule(&self) -> Option<(String, String)> {
        let rules = self.root.get("Rules")?.as_mapping()?;
        for (name, rule) in rules {
            if rule.get("RuleCondition").is_some() {
                continue;
            }
            let assertions = rule.get("Assertions").and_then(Value::as_sequence);
            for assertion in assertions.into_iter().flatten() {
                let Some(("Equals", Value::Sequence(pair))) =
                    assertion.get("Assert").and_then(intrinsic)
                else {
                    continue;
                };
                let is_region = |v: &Value| {
                    intrinsic(v)
                        .is_some_and(|(n, a)| n == "Ref" && a.as_str() == Some("AWS::Region"))
                };
                let region = match pair.as_slice() {
                    [a, b] if is_region(a) => b.as_str(),
                    [a, b] if is_region(b) => a.as_str(),
                    _ => None,
                };
                if let (Some(name), Some(region)) = (name.as_str(), region) {
                    return Some((name.to_string(), region.to_string()));
                }
            }
        }
        None
    }
}

fn resources(root: &Value) -> impl Iterator<Item = (&str, &Value)> {
    root.get("Resources")
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.as_str()?, v)))
}

/// A resource's `Type`.
pub fn type_of(resource: &Value) -> Option<&str> {
    resource.get("Type")?.as_str()
}

/// An intrinsic function: its name without `!` or `Fn::` (`Ref`, `GetAtt`, `Sub`…) and its
/// argument, in the short (tag) or the long (mapping) form.
pub fn intrinsic(value: &Value) -> Option<(&str, &Value)> {
    match value {
        Value::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            // The tag's text lives in the value; the name is one of a known few.
            let name = KNOWN.iter().find(|k| **k == name)?;
            Some((name, &tagged.value))
        }
        Value::Mapping(map) if map.len() == 1 => {
            let (key, arg) = map.iter().next()?;
            let key = key.as_str()?;
            let name = if key == "Ref" {
                "Ref"
            } else {
                key.strip_prefix("Fn::")?
            };
            let name = KNOWN.iter().find(|k| **k == name)?;
            Some((name, arg))
        }
        _ => None,
    }
}

const KNOWN: [&str; 12] = [
    "Ref",
    "GetAtt",
    "Sub",
    "Join",
    "If",
    "Equals",
    "Not",
    "And",
    "Or",
    "Select",
    "Split",
    "ImportValue",
];

/// Every string anywhere in `value` that names something: plain strings, and the targets
/// of `!Ref`/`!GetAtt` (as `ref:X` and `getatt:X.Attr`). Used to see what a condition names.
pub fn mentions(value: &Value, out: &mut Vec<String>) {
    if let Some((name, arg)) = intrinsic(value) {
        match (name, arg) {
            ("Ref", Value::String(s)) => return out.push(format!("ref:{s}")),
            ("GetAtt", Value::String(s)) => return out.push(format!("getatt:{s}")),
            ("Sub", Value::String(s)) => {
                // `${X}` and `${X.Arn}` inside a substitution name X.
                let mut rest = s.as_str();
                while let Some(start) = rest.find("${") {
                    let after = &rest[start + 2..];
                    let Some(end) = after.find('}') else { break };
                    let token = &after[..end];
                    out.push(match token.split_once('.') {
                        Some(_) => format!("getatt:{token}"),
                        None => format!("ref:{token}"),
                    });
                    rest = &after[end + 1..];
                }
                return out.push(s.clone());
            }
            (_, arg) => return mentions(arg, out),
        }
    }
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Sequence(items) => items.iter().for_each(|v| mentions(v, out)),
        Value::Mapping(map) => map.iter().for_each(|(k, v)| {
            if let Some(k) = k.as_str() {
                out.push(k.to_string());
            }
            mentions(v, out)
        }),
        Value::Tagged(tagged) => mentions(&tagged.value, out),
        _ => {}
    }
}

/// `*` and `?` wildcards, as IAM matches actions (case-insensitively) and resources.
pub fn glob(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = if ignore_case {
        (
            pattern.to_lowercase().chars().collect(),
            text.to_lowercase().chars().collect(),
        )
    } else {
        (pattern.chars().collect(), text.chars().collect())
    };
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Parameters:\n  TableName: {Type: String, Default: subs}\nRules:\n  InCanada:\n    Assertions:\n      - Assert: !Equals [!Ref \"AWS::Region\", ca-central-1]\nResources:\n  Table:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: !Ref TableName\n";

    #[test]
    fn arns_resolve_through_tags_and_long_forms() {
        let t = Template::parse(TEXT).expect("parses");
        assert_eq!(t.table_name, "subs");
        assert_eq!(
            t.region_rule,
            Some(("InCanada".into(), "ca-central-1".into()))
        );
        let arn = "arn:aws:dynamodb:ca-central-1:123456789012:table/subs";
        for text in [
            "!GetAtt Table.Arn",
            "{\"Fn::GetAtt\": [Table, Arn]}",
            "!Sub \"${Table.Arn}\"",
            "!Sub \"arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}\"",
        ] {
            let value: Value = serde_yaml::from_str(text).expect(text);
            assert_eq!(t.resolve(&value).as_deref(), Some(arn), "{text}");
        }
    }

    #[test]
    fn wildcards_match_as_iam_matches_them() {
        assert!(glob("dynamodb:Get*", "dynamodb:GetItem", true));
        assert!(glob("DynamoDB:getitem", "dynamodb:GetItem", true));
        assert!(glob("*", "dynamodb:Scan", true));
        assert!(!glob("dynamodb:Get*", "dynamodb:Query", true));
        assert!(glob(
            "arn:aws:dynamodb:*:*:table/subs/index/*",
            "arn:aws:dynamodb:ca-central-1:1:table/subs/index/a",
            false
        ));
        assert!(!glob(
            "arn:aws:dynamodb:*:*:table/subs",
            "arn:aws:dynamodb:ca-central-1:1:table/subs/index/a",
            false
        ));
    }
}
