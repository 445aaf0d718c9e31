//! The privacy inventory (`eclaireurs privacy-inventory`) says what the system does: its
//! fields, purposes and required/optional come from the form definitions, who can read each
//! from the template's policies, and its safeguards only from what the template has. It is
//! held to both here, as the notice is.

mod common;

use common::{plain, repo, Fixture};
use eclaireurs::inventory::{self, file_name};
use eclaireurs_model::form::FieldKind;
use eclaireurs_model::typography::french_text;
use eclaireurs_model::{Lang, Site};

fn template() -> String {
    std::fs::read_to_string(repo().join("template.yaml")).expect("template.yaml")
}

/// The inventory of the (copied) real content under `template`, per language.
fn inventory_of(site: &Fixture, template: &str) -> [(Lang, String); 2] {
    let content = Site::load(&site.content(), eclaireurs_model::LoadOptions::DATA)
        .expect("the content loads");
    let texts = inventory::inventory(&content, template).expect("the inventory is made");
    [(Lang::Fr, fold(&texts.fr)), (Lang::En, fold(&texts.en))]
}

/// Text as authors type it: typography folded back.
fn fold(text: &str) -> String {
    plain(text).replace('\u{202f}', " ")
}

/// The part of the inventory about `form`.
fn form_section<'a>(text: &'a str, form: &str) -> &'a str {
    let heading = text
        .lines()
        .find(|l| l.starts_with("## ") && l.ends_with(&format!("(`{form}`)")))
        .unwrap_or_else(|| panic!("no section for the form {form}:\n{text}"));
    let from = text.find(heading).expect("heading");
    let to = text[from + heading.len()..]
        .find("\n## ")
        .map_or(text.len(), |i| from + heading.len() + i);
    &text[from..to]
}

/// The cells of the row of the field stored as `attribute` in a form's section.
fn row<'a>(section: &'a str, attribute: &str) -> Vec<&'a str> {
    let line = section
        .lines()
        .find(|l| l.starts_with("| ") && l.contains(&format!("(`{attribute}`")))
        .unwrap_or_else(|| panic!("no row for `{attribute}`:\n{section}"));
    line.trim_matches('|').split(" | ").map(str::trim).collect()
}

/// The field's first stored attribute (the consent is stored as its version and time).
fn attribute(field: &eclaireurs_model::Field) -> &str {
    match field.kind {
        FieldKind::Consent => "consent_version",
        _ => &field.name,
    }
}

fn words(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::Fr => ("obligatoire", "facultatif"),
        Lang::En => ("required", "optional"),
    }
}

/// Takes out of `text` the line `header` and every line under it (more indented).
fn without_block(text: &str, header: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| *l == header)
        .unwrap_or_else(|| panic!("the template has no line {header:?}"));
    let indent = header.len() - header.trim_start().len();
    let end = lines[start + 1..]
        .iter()
        .position(|l| !l.trim().is_empty() && l.len() - l.trim_start().len() <= indent)
        .map_or(lines.len(), |i| start + 1 + i);
    let mut kept: Vec<&str> = lines[..start].to_vec();
    kept.extend(&lines[end..]);
    kept.join("\n") + "\n"
}

/// Adds a statement (unindented YAML, `- Sid: …`) as the first of the first policy
/// document of the resource `resource`.
fn with_statement(text: &str, resource: &str, statement: &str) -> String {
    let at = text
        .find(&format!("\n  {resource}:\n"))
        .unwrap_or_else(|| panic!("no {resource}"));
    let document = at + text[at..].find(" PolicyDocument:\n").expect("its policy");
    let line_end = document
        + text[document..]
            .find("Statement:\n")
            .expect("its statements")
        + 11;
    let line_start = text[..line_end - 1].rfind('\n').expect("a line") + 1;
    let indent = text[line_start..].len() - text[line_start..].trim_start().len() + 2;
    let indented: String = statement
        .lines()
        .map(|l| format!("{}{l}\n", " ".repeat(indent)))
        .collect();
    format!("{}{indented}{}", &text[..line_end], &text[line_end..])
}

#[test]
fn every_field_of_every_form_appears_with_its_purpose_in_both_files() {
    let site = Fixture::real();
    let out = site.dir.path().join("inventory");
    let written = inventory::write(&site.content(), &out).expect("writes");
    assert_eq!(written.len(), 2);
    let content = Site::load(&site.content(), eclaireurs_model::LoadOptions::DATA).expect("loads");
    assert!(!content.forms.is_empty());
    let retention = serde_yaml::from_str::<serde_yaml::Value>(&template()).expect("yaml")
        ["Parameters"]["RetentionDays"]["Default"]
        .as_u64()
        .expect("RetentionDays");
    for lang in Lang::ALL {
        let path = out.join(file_name(lang));
        let text = fold(&std::fs::read_to_string(&path).expect("the file is written"));
        let (required, optional) = words(lang);
        for form in &content.forms {
            let section = form_section(&text, &form.id);
            for field in &form.fields {
                let purpose = field
                    .purpose
                    .as_ref()
                    .expect("every field has a purpose")
                    .get(lang)
                    .trim();
                // French text is typeset as the theme's is.
                let purpose = &match lang {
                    Lang::Fr => fold(&french_text(purpose)),
                    Lang::En => purpose.to_string(),
                };
                assert!(!purpose.is_empty(), "{}: {}", form.id, field.name);
                if field.kind == FieldKind::Honeypot {
                    // Never stored: no row, but said, with why it is there.
                    assert!(
                        !section.contains(&format!("(`{}`)", field.name)),
                        "{lang}: the honeypot has no row"
                    );
                    let never = section
                        .lines()
                        .find(|l| l.starts_with("- ") && l.contains(&format!("`{}`", field.name)))
                        .unwrap_or_else(|| panic!("{lang}: the honeypot is not said:\n{section}"));
                    assert!(never.contains(purpose), "{never}");
                    continue;
                }
                let cells = row(section, attribute(field));
                assert_eq!(cells.len(), 5, "{cells:?}");
                assert_eq!(cells[1], purpose, "{lang}, {}, {}", form.id, field.name);
                let expected = if field.required || field.kind == FieldKind::Consent {
                    required
                } else {
                    optional
                };
                assert_eq!(cells[2], expected, "{lang}, {}, {}", form.id, field.name);
                if let Some(max) = field.max_length {
                    assert!(cells[3].contains(&max.to_string()), "{cells:?}");
                }
            }
            // What the system adds, and the retention from the template.
            for added in [
                "id",
                "submitted_at",
                "status",
                "email_hash",
                "submission_id",
            ] {
                assert!(section.contains(&format!("`{added}`")), "{lang}: {added}");
            }
        }
        assert!(
            text.contains(&format!(" {retention} ")),
            "{lang}: the retention of RetentionDays"
        );
        assert!(text.contains("`ca-central-1`"), "{lang}");
    }
}

#[test]
fn a_fields_required_or_optional_follows_its_definition() {
    let site = Fixture::real();
    let before = inventory_of(&site, &template());
    assert_eq!(
        row(form_section(&before[0].1, "registration"), "municipality")[2],
        "obligatoire"
    );
    site.edit(
        "forms/registration.yaml",
        "    required: true\n    max_length: 100\n    autocomplete: address-level2",
        "    max_length: 100\n    autocomplete: address-level2",
    );
    site.edit(
        "forms/need-report.yaml",
        "    group: contact\n    max_length: 30\n",
        "    group: contact\n    required: true\n    max_length: 30\n",
    );
    for (lang, text) in inventory_of(&site, &template()) {
        let (required, optional) = words(lang);
        assert_eq!(
            row(form_section(&text, "registration"), "municipality")[2],
            optional
        );
        assert_eq!(
            row(form_section(&text, "need-report"), "phone")[2],
            required
        );
    }
}

#[test]
fn who_can_read_follows_the_templates_policies() {
    let site = Fixture::real();
    let officer = [
        (
            Lang::Fr,
            "La personne responsable de la protection des renseignements personnels",
        ),
        (
            Lang::En,
            "The person in charge of the protection of personal information",
        ),
    ];
    let relay = [
        (
            Lang::Fr,
            "L'équipe-relais de la région (seulement les envois de sa région",
        ),
        (
            Lang::En,
            "The region's relay team (only the submissions of their region",
        ),
    ];
    let relay_everywhere = [
        (
            Lang::Fr,
            "L'équipe-relais de la région (toutes les régions)",
        ),
        (Lang::En, "The region's relay team (every region)"),
    ];
    let real = inventory_of(&site, &template());
    for (i, (lang, text)) in real.iter().enumerate() {
        let description = row(form_section(text, "need-report"), "description")[4].to_string();
        assert!(description.contains(officer[i].1), "{lang}: {description}");
        assert!(description.contains(relay[i].1), "{lang}: {description}");
        // The functions read no answer: the notification function only bookkeeping, the
        // submission function only its idempotency marker.
        assert!(!description.contains("function"), "{lang}: {description}");
        assert!(!description.contains("fonction"), "{lang}: {description}");
    }

    // Without the privacy officer's policy, nobody reads as the privacy officer.
    let without_officer = without_block(&template(), "  PrivacyOfficerPolicy:");
    for (i, (lang, text)) in inventory_of(&site, &without_officer).iter().enumerate() {
        assert!(
            !text.contains(officer[i].1),
            "{lang}: the officer is still listed"
        );
        let description = row(form_section(text, "need-report"), "description")[4];
        assert!(description.contains(relay[i].1), "{lang}: {description}");
    }

    // A relay team given Scan, with no condition, reads every region.
    let scanning = with_statement(
        &template(),
        "RelayTeamPolicy",
        "- Sid: ScanEverything\n  Effect: Allow\n  Action: dynamodb:Scan\n  \
         Resource: !GetAtt SubmissionsTable.Arn",
    );
    for (i, (lang, text)) in inventory_of(&site, &scanning).iter().enumerate() {
        let email = row(form_section(text, "registration"), "email")[4];
        assert!(email.contains(relay_everywhere[i].1), "{lang}: {email}");
        assert!(text.contains("`ScanEverything`"), "{lang}");
    }

    // Whoever may change a function's code reads what the function's role reads.
    let publishing_code = with_statement(
        &template(),
        "PublisherPolicy",
        "- Sid: UpdateTheFunction\n  Effect: Allow\n  Action: lambda:UpdateFunctionCode\n  \
         Resource: !GetAtt SubmissionFunction.Arn",
    );
    let [_, (_, en)] = inventory_of(&site, &publishing_code);
    assert!(
        en.contains(
            "`PublisherPolicy` may change the code or configuration of the function \
             `SubmissionFunction`"
        ),
        "{en}"
    );
    assert!(!real[1].1.contains("`PublisherPolicy` may change"));

    // A submission function allowed to read whole items reads every answer.
    let reading = with_statement(
        &template(),
        "SubmissionFunctionRole",
        "- Sid: ReadEverything\n  Effect: Allow\n  Action: dynamodb:GetItem\n  \
         Resource: !GetAtt SubmissionsTable.Arn",
    );
    for (lang, text) in inventory_of(&site, &reading) {
        let name = row(form_section(&text, "registration"), "last_name")[4].to_string();
        let function = match lang {
            Lang::Fr => "La fonction qui reçoit les formulaires (toutes les régions)",
            Lang::En => "The function that receives the forms (every region)",
        };
        assert!(name.contains(function), "{lang}: {name}");
    }
}

#[test]
fn a_safeguard_missing_from_the_template_is_not_claimed() {
    let site = Fixture::real();
    let claims = [
        ("  AuditTrail:", "trail `AuditTrail`"),
        (
            "      ResourcePolicy:",
            "resource policy: the data actions are refused",
        ),
        ("      SSESpecification:", "Encryption at rest of the table"),
        (
            "      PointInTimeRecoverySpecification:",
            "Point-in-time recovery (over",
        ),
    ];
    let real = inventory_of(&site, &template());
    let en = &real[1].1;
    for (_, claim) in claims {
        assert!(en.contains(claim), "the real template has: {claim}\n{en}");
    }
    assert!(en.contains("CloudWatch alarms"), "{en}");
    for (block, claim) in claims {
        let mutated = without_block(&template(), block);
        let [(_, fr), (_, en)] = inventory_of(&site, &mutated);
        assert!(
            !en.contains(claim),
            "{block} removed, still claimed: {claim}"
        );
        assert!(en.contains("## Not in the template"), "{block}:\n{en}");
        assert!(fr.contains("## Absent du gabarit"), "{block}");
    }
    // Without the table's own guard, anyone the account's IAM lets through may read.
    let open = without_block(&template(), "      ResourcePolicy:");
    let [_, (_, en)] = inventory_of(&site, &open);
    assert!(
        en.contains("the table has no resource policy that refuses it"),
        "{en}"
    );
    // Alarms that tell nobody are not a safeguard.
    let silent = template().replace("AlarmActions:", "InsufficientDataActions:");
    let [_, (_, en)] = inventory_of(&site, &silent);
    assert!(!en.contains("CloudWatch alarms that warn"), "{en}");
    assert!(en.contains("alarms that warn someone"), "{en}");
}

#[test]
fn a_field_without_a_purpose_is_a_located_error() {
    let site = Fixture::real();
    let text = site.read("forms/registration.yaml");
    let phone = text
        .lines()
        .position(|l| l == "  - name: phone")
        .expect("the phone field")
        + 1;
    let purpose = text
        .lines()
        .skip(phone)
        .take_while(|l| !l.starts_with("  - "))
        .skip_while(|l| *l != "    purpose:")
        .take(3)
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    assert!(purpose.starts_with("    purpose:\n      fr: "), "{purpose}");
    site.edit("forms/registration.yaml", &purpose, "");
    let error = match site.check() {
        Ok(_) => panic!("a field without a purpose must not pass the check"),
        Err(err) => err
            .to_string()
            .replace(&format!("{}/", site.content().display()), ""),
    };
    assert!(
        error.contains(&format!(
            "forms/registration.yaml:{phone}:1: field 6 (`phone`): add a `purpose` with `fr` and `en`"
        )),
        "{error}"
    );
    // The inventory is not written from a definition that fails.
    let out = site.dir.path().join("inventory");
    let error = inventory::write(&site.content(), &out).expect_err("fails");
    assert!(error.to_string().contains("add a `purpose`"), "{error}");
    assert!(!out.join(file_name(Lang::Fr)).exists());
}
