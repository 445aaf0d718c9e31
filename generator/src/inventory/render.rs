//! The inventory as Markdown, in one language: the forms' fields (from their definitions),
//! who can read each (from the template's policies), where and how long it is kept, and the
//! safeguards the template has. Every sentence is the theme's (`inventory:` in
//! `i18n/<lang>.yaml`); this only puts the facts in them.

use std::fmt::Write as _;

use eclaireurs_model::form::{Field, FieldKind, FormDef};
use eclaireurs_model::{Lang, Site};

use super::policies::{Access, Attributes, Reader, ReaderKind, Scope, Target};
use super::safeguards::{Encryption, Safeguards};
use super::template::Template;
use super::InventoryError;

/// The forms whose retention starts again each time the relay team handles an item (the
/// notification function pushes `expires_at` on a status change of these kinds only:
/// function/src/notify/stream.rs). The others are kept from their reception.
const RENEWED_ON_HANDLING: [&str; 1] = ["registration"];

/// The parameter the retention is read from.
const RETENTION: &str = "RetentionDays";

/// The attributes the system adds to every submission, in the order they are listed.
const SYSTEM: [&str; 6] = [
    "id",
    "submitted_at",
    "status",
    "expires_at",
    "reminded_at",
    "idempotency_key",
];
/// Added only when the form asks for an email.
const EMAIL_HASH: &str = "email_hash";
/// The idempotency marker's own attributes (a separate item).
const MARKER: [&str; 2] = ["submission_id", "answers_hash"];

pub struct Facts<'a> {
    pub site: &'a Site,
    pub template: &'a Template,
    pub access: &'a Access,
    pub safeguards: &'a Safeguards,
}

/// The theme's inventory texts in one language.
struct Text<'a> {
    site: &'a Site,
    lang: Lang,
}

impl<'a> Text<'a> {
    fn get(&self, key: &str) -> Result<&'a str, InventoryError> {
        self.site
            .strings
            .get(self.lang, &format!("inventory.{key}"))
            .ok_or_else(|| InventoryError::Text {
                key: format!("inventory.{key}"),
                lang: self.lang,
            })
    }

    /// The text of `key` with each `{name}` replaced.
    fn fill(&self, key: &str, values: &[(&str, &str)]) -> Result<String, InventoryError> {
        let mut text = self.get(key)?.to_string();
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        Ok(text)
    }

    /// A name the theme may give (`inventory.principals.X`), or the id as code.
    fn name_or_id(&self, group: &str, id: &str) -> String {
        self.site
            .strings
            .get(self.lang, &format!("inventory.{group}.{id}"))
            .map_or_else(|| format!("`{id}`"), str::to_string)
    }
}

pub fn render(facts: &Facts, lang: Lang) -> Result<String, InventoryError> {
    let t = Text {
        site: facts.site,
        lang,
    };
    let mut md = String::new();
    let line = |md: &mut String, text: &str| {
        md.push_str(text);
        md.push('\n');
    };
    line(&mut md, &format!("# {}\n", t.get("title")?));
    line(
        &mut md,
        &format!(
            "{}\n",
            t.fill("intro", &[("version", env!("CARGO_PKG_VERSION"))])?
        ),
    );
    let regions = facts
        .site
        .regions
        .iter()
        .map(|r| format!("{} (`{}`)", r.data.name.get(lang), r.slug))
        .collect::<Vec<_>>()
        .join(", ");
    line(
        &mut md,
        &format!("{}\n", t.fill("regions", &[("list", &regions)])?),
    );

    storage(&mut md, &t, facts)?;
    for form in &facts.site.forms {
        form_section(&mut md, &t, facts, form)?;
    }
    readers(&mut md, &t, facts)?;
    retention(&mut md, &t, facts)?;
    safeguards(&mut md, &t, facts)?;
    Ok(md.trim_end().to_string() + "\n")
}

fn storage(md: &mut String, t: &Text, facts: &Facts) -> Result<(), InventoryError> {
    let template = facts.template;
    writeln!(md, "## {}\n", t.get("storage_title")?).ok();
    writeln!(
        md,
        "- {}",
        t.fill(
            "storage_table",
            &[
                ("table", &template.table_name),
                ("id", &template.table),
                ("region", template.region()),
            ],
        )?
    )
    .ok();
    match &template.region_rule {
        Some((rule, region)) => writeln!(
            md,
            "- {}",
            t.fill("storage_rule", &[("rule", rule), ("region", region)])?
        ),
        None => writeln!(md, "- {}", t.get("storage_no_rule")?),
    }
    .ok();
    let indexes: Vec<String> = facts
        .access
        .projections
        .indexes()
        .map(|(name, attributes)| match attributes {
            Attributes::All => t.fill("index_all", &[("name", name)]),
            Attributes::Only(names) => t.fill(
                "index_keys",
                &[("name", name), ("list", &code_list(names.iter()))],
            ),
        })
        .collect::<Result<_, _>>()?;
    if !indexes.is_empty() {
        writeln!(
            md,
            "- {}",
            t.fill("storage_indexes", &[("list", &indexes.join(", "))])?
        )
        .ok();
    }
    md.push('\n');
    Ok(())
}

/// The attributes a field is stored as.
pub fn stored_as(field: &Field) -> Vec<&str> {
    match field.kind {
        FieldKind::Honeypot => Vec::new(),
        // The consent is kept as the version of the text accepted and when.
        FieldKind::Consent => vec!["consent_version", "consent_at"],
        _ => vec![field.name.as_str()],
    }
}

fn form_section(
    md: &mut String,
    t: &Text,
    facts: &Facts,
    form: &FormDef,
) -> Result<(), InventoryError> {
    let lang = t.lang;
    writeln!(
        md,
        "## {}\n",
        t.fill(
            "form_title",
            &[("name", &t.name_or_id("forms", &form.id)), ("id", &form.id)]
        )?
    )
    .ok();
    writeln!(
        md,
        "{}\n",
        t.fill(
            "form_source",
            &[("id", &form.id), ("version", &form.consent_version)]
        )?
    )
    .ok();
    let header = [
        "col_field",
        "col_purpose",
        "col_required",
        "col_limits",
        "col_readers",
    ]
    .iter()
    .map(|k| t.get(k))
    .collect::<Result<Vec<_>, _>>()?;
    table_header(md, &header);
    let optional = facts.site.strings.get(lang, "notice.optional");
    for field in form.fields.iter().filter(|f| f.kind != FieldKind::Honeypot) {
        let attributes = stored_as(field);
        let label = match field.kind {
            FieldKind::Region => t.get("field_region")?.to_string(),
            FieldKind::Language => t.get("field_language")?.to_string(),
            FieldKind::Consent => t.get("field_consent")?.to_string(),
            _ => field.label.as_ref().map_or_else(
                || field.name.clone(),
                |l| {
                    own_text(
                        &crate::render::notice::without_optional(l.get(lang), optional),
                        lang,
                    )
                },
            ),
        };
        let name = format!("{label} ({})", code_list(attributes.iter()));
        let purpose = field
            .purpose
            .as_ref()
            .map(|p| own_text(p.get(lang), lang))
            .unwrap_or_default();
        let required = t.get(if field.required || field.kind == FieldKind::Consent {
            "required"
        } else {
            "optional"
        })?;
        let limits = limits(t, facts.site, field)?;
        let readers = readers_cell(t, facts.access, &attributes)?;
        table_row(md, &[&name, &purpose, required, &limits, &readers]);
    }
    md.push('\n');

    writeln!(md, "### {}\n", t.get("system_title")?).ok();
    let header = ["system_col", "col_purpose", "col_readers"]
        .iter()
        .map(|k| t.get(k))
        .collect::<Result<Vec<_>, _>>()?;
    table_header(md, &header);
    let has_email = form.fields.iter().any(|f| f.kind == FieldKind::Email);
    let mut system: Vec<&str> = SYSTEM.to_vec();
    if has_email {
        system.insert(4, EMAIL_HASH);
    }
    for attribute in system {
        let label = t.get(&format!("system.{attribute}.label"))?;
        let purpose = t.get(&format!("system.{attribute}.purpose"))?;
        let readers = readers_cell(t, facts.access, &[attribute])?;
        table_row(
            md,
            &[&format!("{label} (`{attribute}`)"), purpose, &readers],
        );
    }
    let readers = readers_cell(t, facts.access, &MARKER)?;
    table_row(
        md,
        &[
            t.get("system.marker.label")?,
            t.get("system.marker.purpose")?,
            &readers,
        ],
    );
    md.push('\n');

    writeln!(md, "### {}\n", t.get("never_title")?).ok();
    for field in form.fields.iter().filter(|f| f.kind == FieldKind::Honeypot) {
        let purpose = field
            .purpose
            .as_ref()
            .map(|p| own_text(p.get(lang), lang))
            .unwrap_or_default();
        writeln!(
            md,
            "- {}",
            t.fill(
                "never_honeypot",
                &[("name", &field.name), ("purpose", &purpose)]
            )?
        )
        .ok();
    }
    md.push('\n');
    Ok(())
}

fn limits(t: &Text, site: &Site, field: &Field) -> Result<String, InventoryError> {
    let length = || -> Result<String, InventoryError> {
        match (field.min_length, field.max_length) {
            (Some(min), Some(max)) => t.fill(
                "limits_length_range",
                &[("min", &min.to_string()), ("max", &max.to_string())],
            ),
            (None, Some(max)) => t.fill("limits_length_max", &[("max", &max.to_string())]),
            _ => Ok(String::new()),
        }
    };
    Ok(match field.kind {
        FieldKind::Text | FieldKind::Textarea => length()?,
        FieldKind::Email => t.fill("limits_email", &[("length", &length()?)])?,
        FieldKind::Tel => t.fill("limits_tel", &[("length", &length()?)])?,
        FieldKind::Choices => {
            let list = field
                .choices
                .iter()
                .map(|c| format!("{} (`{}`)", own_text(c.label.get(t.lang), t.lang), c.value))
                .collect::<Vec<_>>()
                .join(", ");
            t.fill("limits_choices", &[("list", &list)])?
        }
        FieldKind::Territory => t.get("limits_territory")?.to_string(),
        FieldKind::Region => {
            let list = code_list(site.regions.iter().map(|r| r.slug.as_str()));
            t.fill("limits_region", &[("list", &list)])?
        }
        FieldKind::Language => t.get("limits_language")?.to_string(),
        FieldKind::Consent => t.get("limits_consent")?.to_string(),
        FieldKind::Honeypot => t.get("limits_honeypot")?.to_string(),
    })
}

/// Who reads any of `attributes`, each with which items: `A (every region); B (…)`.
fn readers_cell(t: &Text, access: &Access, attributes: &[&str]) -> Result<String, InventoryError> {
    let readers = access.readers_of(attributes);
    if readers.is_empty() {
        return Ok(t.get("nobody")?.to_string());
    }
    let parts = readers
        .iter()
        .map(|(reader, scope)| {
            Ok(format!(
                "{} ({})",
                reader_name(t, reader),
                scope_text(t, scope)?
            ))
        })
        .collect::<Result<Vec<_>, InventoryError>>()?;
    Ok(parts.join(separator(t.lang)))
}

fn reader_name(t: &Text, reader: &Reader) -> String {
    t.name_or_id("principals", &reader.id)
}

fn scope_text(t: &Text, scope: &Scope) -> Result<String, InventoryError> {
    match scope {
        Scope::Every => Ok(t.get("scope_every")?.to_string()),
        Scope::OwnRegion { tag } => t.fill("scope_own", &[("tag", tag)]),
        Scope::Regions(list) => t.fill("scope_regions", &[("list", &code_list(list.iter()))]),
    }
}

fn readers(md: &mut String, t: &Text, facts: &Facts) -> Result<(), InventoryError> {
    writeln!(md, "## {}\n", t.get("readers_title")?).ok();
    writeln!(md, "{}\n", t.get("readers_intro")?).ok();
    for reader in &facts.access.readers {
        writeln!(md, "### {}\n", reader_name(t, reader)).ok();
        let what = match &reader.kind {
            ReaderKind::Policy => t.fill("reader_policy", &[("id", &reader.id)])?,
            ReaderKind::Function { function } => t.fill(
                "reader_function",
                &[("id", &reader.id), ("function", function)],
            )?,
            ReaderKind::Role => t.fill("reader_role", &[("id", &reader.id)])?,
            ReaderKind::ThroughCode { function, role } => t.fill(
                "reader_through_code",
                &[("id", &reader.id), ("function", function), ("role", role)],
            )?,
            ReaderKind::BreakGlass { parameter } => {
                t.fill("reader_break_glass", &[("parameter", parameter)])?
            }
        };
        writeln!(md, "{what}\n").ok();
        if matches!(reader.kind, ReaderKind::BreakGlass { .. }) {
            continue;
        }
        for grant in &reader.grants {
            let target = match &grant.target {
                Target::Table => t.get("target_table")?.to_string(),
                Target::Index(name) => t.fill("target_index", &[("name", name)])?,
                Target::Stream => t.get("target_stream")?.to_string(),
            };
            let attributes = match &facts.access.projections.shown(grant) {
                Attributes::All => t.get("attrs_all")?.to_string(),
                Attributes::Only(names) => {
                    t.fill("attrs_only", &[("list", &code_list(names.iter()))])?
                }
            };
            let actions = code_list(grant.actions.iter());
            let sid = grant
                .statement
                .as_ref()
                .map(|s| format!(" (`{s}`)"))
                .unwrap_or_default();
            writeln!(
                md,
                "- {}{sid}",
                t.fill(
                    "grant",
                    &[
                        ("target", &target),
                        ("actions", &actions),
                        ("scope", &scope_text(t, &grant.scope)?),
                        ("attributes", &attributes),
                    ],
                )?
            )
            .ok();
        }
        if !reader.writes.is_empty() {
            writeln!(
                md,
                "- {}",
                t.fill("writes", &[("actions", &code_list(reader.writes.iter()))])?
            )
            .ok();
        }
        let reads_answers = facts.site.forms.iter().any(|form| {
            form.fields.iter().any(|f| {
                f.kind.is_visible()
                    && f.kind != FieldKind::Consent
                    && stored_as(f)
                        .iter()
                        .any(|a| reader.reads(a, &facts.access.projections).is_some())
            })
        });
        if !reads_answers {
            writeln!(md, "- {}", t.get("no_form_field")?).ok();
        }
        md.push('\n');
    }
    writeln!(md, "### {}\n", t.get("others_title")?).ok();
    let others = match &facts.access.guard {
        Some(guard) => t.fill("others_guarded", &[("list", &guard_list(t, guard)?)])?,
        None => t.get("others_open")?.to_string(),
    };
    writeln!(md, "{others}\n").ok();
    Ok(())
}

fn guard_list(t: &Text, guard: &super::policies::Guard) -> Result<String, InventoryError> {
    let mut parts = Vec::new();
    for role in &guard.roles {
        parts.push(t.fill("guard_role", &[("id", role)])?);
    }
    for (tag, values) in &guard.tags {
        parts.push(if values.is_empty() {
            t.fill("guard_tag_any", &[("tag", tag)])?
        } else {
            t.fill(
                "guard_tag",
                &[("tag", tag), ("values", &code_list(values.iter()))],
            )?
        });
    }
    for parameter in &guard.parameters {
        parts.push(t.fill("guard_parameter", &[("id", parameter)])?);
    }
    Ok(parts.join(", "))
}

fn retention(md: &mut String, t: &Text, facts: &Facts) -> Result<(), InventoryError> {
    writeln!(md, "## {}\n", t.get("retention_title")?).ok();
    let days = facts.template.parameter_number(RETENTION);
    for form in &facts.site.forms {
        let name = t.name_or_id("forms", &form.id);
        let text = match days {
            Some(days) => {
                let key = if RENEWED_ON_HANDLING.contains(&form.id.as_str()) {
                    "retention_renewed"
                } else {
                    "retention_received"
                };
                t.fill(
                    key,
                    &[
                        ("form", &name),
                        ("days", &days.to_string()),
                        ("parameter", RETENTION),
                    ],
                )?
            }
            None => t.fill(
                "retention_none",
                &[("form", &name), ("parameter", RETENTION)],
            )?,
        };
        writeln!(md, "- {text}").ok();
    }
    let s = facts.safeguards;
    match &s.ttl_attribute {
        Some(attribute) => writeln!(
            md,
            "- {}",
            t.fill("retention_ttl", &[("attribute", attribute)])?
        ),
        None => writeln!(md, "- {}", t.get("retention_no_ttl")?),
    }
    .ok();
    if let Some(days) = s.backup_days {
        writeln!(
            md,
            "- {}",
            t.fill("retention_backup", &[("days", &days.to_string())])?
        )
        .ok();
    }
    if let Some(trail) = &s.trail {
        if let (Some(days), Some(parameter)) = (trail.retention_days, &trail.retention_parameter) {
            writeln!(
                md,
                "- {}",
                t.fill(
                    "retention_audit",
                    &[
                        ("id", &trail.id),
                        ("days", &days.to_string()),
                        ("parameter", parameter),
                    ],
                )?
            )
            .ok();
        }
    }
    for (id, days) in &s.logs {
        writeln!(
            md,
            "- {}",
            t.fill("retention_logs", &[("id", id), ("days", &days.to_string())])?
        )
        .ok();
    }
    md.push('\n');
    Ok(())
}

fn safeguards(md: &mut String, t: &Text, facts: &Facts) -> Result<(), InventoryError> {
    let s = facts.safeguards;
    writeln!(md, "## {}\n", t.get("safeguards_title")?).ok();
    let mut absent = Vec::new();
    match &s.encryption {
        Some(Encryption::AwsManaged) => {
            writeln!(md, "- {}", t.get("sg_encryption_managed")?).ok();
        }
        Some(Encryption::Customer(key)) => {
            writeln!(
                md,
                "- {}",
                t.fill("sg_encryption_customer", &[("key", key)])?
            )
            .ok();
        }
        None => absent.push("absent_encryption"),
    }
    match &s.guard {
        Some(guard) => {
            writeln!(
                md,
                "- {}",
                t.fill("sg_resource_policy", &[("list", &guard_list(t, guard)?)])?
            )
            .ok();
        }
        None => absent.push("absent_resource_policy"),
    }
    match s.backup_days {
        Some(days) => {
            writeln!(
                md,
                "- {}",
                t.fill("sg_backup", &[("days", &days.to_string())])?
            )
            .ok();
        }
        None => absent.push("absent_backup"),
    }
    if s.deletion_protection {
        writeln!(md, "- {}", t.get("sg_deletion")?).ok();
    }
    if s.stream_keys_only {
        writeln!(md, "- {}", t.get("sg_stream")?).ok();
    }
    match &s.trail {
        Some(trail) => {
            let mut extra = Vec::new();
            if trail.log_file_validation {
                extra.push(t.get("sg_trail_validation")?.to_string());
            }
            if trail.encrypted {
                extra.push(t.get("sg_trail_encrypted")?.to_string());
            }
            if let Some(days) = trail.retention_days {
                extra.push(t.fill("sg_trail_retention", &[("days", &days.to_string())])?);
            }
            let extra = if extra.is_empty() {
                String::new()
            } else {
                format!("{}{}", separator(t.lang), extra.join(", "))
            };
            writeln!(
                md,
                "- {}",
                t.fill("sg_trail", &[("id", &trail.id), ("extra", &extra)])?
            )
            .ok();
        }
        None => absent.push("absent_trail"),
    }
    if s.alarms.is_empty() {
        absent.push("absent_alarms");
    } else {
        writeln!(
            md,
            "- {}",
            t.fill(
                "sg_alarms",
                &[
                    ("topics", &code_list(s.alarm_topics.iter())),
                    ("list", &code_list(s.alarms.iter())),
                ],
            )?
        )
        .ok();
    }
    if s.tls_only.is_empty() {
        absent.push("absent_tls");
    } else {
        writeln!(
            md,
            "- {}",
            t.fill("sg_tls", &[("list", &code_list(s.tls_only.iter()))])?
        )
        .ok();
    }
    if s.no_self_tagging.is_empty() {
        absent.push("absent_no_self_tagging");
    } else {
        writeln!(
            md,
            "- {}",
            t.fill(
                "sg_no_self_tagging",
                &[("list", &code_list(s.no_self_tagging.iter()))]
            )?
        )
        .ok();
    }
    md.push('\n');
    if !absent.is_empty() {
        writeln!(md, "## {}\n", t.get("absent_title")?).ok();
        writeln!(md, "{}\n", t.get("absent_intro")?).ok();
        for key in absent {
            writeln!(md, "- {}", t.get(key)?).ok();
        }
    }
    Ok(())
}

/// A form's own text in `lang`, with French typography in French, as the theme's texts
/// have it.
fn own_text(text: &str, lang: Lang) -> String {
    match lang {
        Lang::Fr => eclaireurs_model::typography::french_text(text.trim()),
        Lang::En => text.trim().to_string(),
    }
}

/// Between the items of a list of readers (no space before `;` in Quebec French either).
fn separator(_lang: Lang) -> &'static str {
    "; "
}

/// `` `a`, `b` ``.
fn code_list<S: AsRef<str>>(items: impl Iterator<Item = S>) -> String {
    items
        .map(|s| format!("`{}`", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn table_header(md: &mut String, cells: &[&str]) {
    table_row(md, cells);
    table_row(md, &vec!["---"; cells.len()]);
}

/// A Markdown table row; a `|` or a line break inside a cell would end it.
fn table_row(md: &mut String, cells: &[&str]) {
    let cells: Vec<String> = cells
        .iter()
        .map(|c| {
            c.replace('|', "\\|")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    writeln!(md, "| {} |", cells.join(" | ")).ok();
}
