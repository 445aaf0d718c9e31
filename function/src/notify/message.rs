//! What a notification says: the region, the form, the time (Quebec's, as staff live it) and
//! links to the DynamoDB console, in French then English. Built from keys only (region, sort
//! key), so no name, email, phone or free text can reach a message.

use eclaireurs_model::Lang;

use crate::catalog::Catalog;
use crate::clock;

/// When the submission of `entry` (`kind#2026-12-01T16:40:05.120Z#id`) was received, in
/// Quebec's time, as each language writes it: (`2026-12-01`, `11 h 40` or `11:40`).
fn received(entry: &str, lang: Lang) -> Option<(String, String)> {
    let at = clock::quebec_iso(entry.split('#').nth(1)?)?;
    let date = clock::minute(at).get(..10)?.to_string();
    let time = match lang {
        Lang::Fr => format!("{:02} h {:02}", at.hour(), at.minute()),
        Lang::En => format!("{:02}:{:02}", at.hour(), at.minute()),
    };
    Some((date, time))
}

/// One message for the topic. Its attributes `region`, `kind` and `event` let each relay team
/// subscribe to its own region with a filter policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub region: String,
    pub kind: String,
    /// `new` (a submission arrived) or `reminder` (the daily reminder).
    pub event: &'static str,
    pub subject: String,
    pub message: String,
}

/// SNS refuses a subject of 100 characters or more.
const SUBJECT_MAX: usize = 99;

/// Where staff read an item: the DynamoDB console of the table's AWS region.
#[derive(Debug, Clone)]
pub struct Console {
    pub aws_region: String,
    pub table: String,
}

impl Console {
    fn home(&self) -> String {
        let region = &self.aws_region;
        format!("https://{region}.console.aws.amazon.com/dynamodbv2/home?region={region}")
    }

    /// The console's own link to an item (what its "Copy link" gives): the item opened
    /// for reading and editing, so the status can be changed there.
    pub fn item(&self, region: &str, entry: &str) -> String {
        format!(
            "{}#edit-item?itemMode=2&pk={}&route=ROUTE_ITEM_EXPLORER&sk={}&table={}",
            self.home(),
            encode(region),
            encode(entry),
            encode(&self.table)
        )
    }

    /// The table's item explorer, where a region's query is run.
    pub fn table(&self) -> String {
        format!(
            "{}#item-explorer?maximize=true&table={}",
            self.home(),
            encode(&self.table)
        )
    }
}

fn encode(text: &str) -> String {
    // Percent-encodes everything but unreserved characters: `#` in sort keys included.
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The notice of a new submission, from its item's keys.
pub fn new_submission(
    catalog: &Catalog,
    console: &Console,
    region: &str,
    entry: &str,
) -> Option<Notice> {
    let mut parts = entry.splitn(3, '#');
    let kind = parts.next()?;
    parts.next()?;
    parts.next()?;
    let when = [received(entry, Lang::Fr)?, received(entry, Lang::En)?];
    let part = |lang: Lang| {
        let form = catalog.text(lang, &format!("notifications.forms.{kind}"));
        let name = catalog.region_name(region, lang);
        let (date, time) = &when[usize::from(lang == Lang::En)];
        let subject = catalog.format(
            lang,
            "notifications.new_subject",
            &[("form", &form), ("region", &name)],
        );
        let body = [
            catalog.format(
                lang,
                "notifications.new_body",
                &[
                    ("form", &form),
                    ("region", &name),
                    ("date", date),
                    ("time", time),
                ],
            ),
            String::new(),
            catalog.text(lang, "notifications.open_item"),
            console.item(region, entry),
            String::new(),
            catalog.text(lang, "notifications.status_help"),
            catalog.text(lang, "notifications.no_personal_information"),
        ]
        .join("\n");
        (subject, body)
    };
    Some(bilingual(region, kind, "new", part))
}

/// The daily reminder of a region's need reports still `new` after `days` days.
pub fn reminder(
    catalog: &Catalog,
    console: &Console,
    region: &str,
    kind: &str,
    days: u32,
    entries: &[String],
) -> Notice {
    let count = entries.len().to_string();
    let days = days.to_string();
    let part = |lang: Lang| {
        let name = catalog.region_name(region, lang);
        let subject = catalog.format(lang, "notifications.reminder_subject", &[("region", &name)]);
        let mut lines = vec![
            catalog.format(
                lang,
                "notifications.reminder_body",
                &[("region", &name), ("days", &days), ("count", &count)],
            ),
            String::new(),
            catalog.text(lang, "notifications.open_item"),
        ];
        for entry in entries {
            if let Some((date, time)) = received(entry, lang) {
                lines.push(catalog.format(
                    lang,
                    "notifications.reminder_item",
                    &[("date", &date), ("time", &time)],
                ));
            }
            lines.push(console.item(region, entry));
        }
        lines.extend([
            String::new(),
            catalog.format(lang, "notifications.open_region", &[("slug", region)]),
            console.table(),
            String::new(),
            catalog.text(lang, "notifications.status_help"),
            catalog.text(lang, "notifications.no_personal_information"),
        ]);
        (subject, lines.join("\n"))
    };
    bilingual(region, kind, "reminder", part)
}

/// French first, then English, in one message; the subject in both when it fits.
fn bilingual(
    region: &str,
    kind: &str,
    event: &'static str,
    part: impl Fn(Lang) -> (String, String),
) -> Notice {
    let (subject_fr, body_fr) = part(Lang::Fr);
    let (subject_en, body_en) = part(Lang::En);
    let both = format!("{subject_fr} / {subject_en}");
    let subject = if both.chars().count() <= SUBJECT_MAX {
        both
    } else {
        subject_fr.chars().take(SUBJECT_MAX).collect()
    };
    Notice {
        region: region.to_string(),
        kind: kind.to_string(),
        event,
        subject,
        message: format!("{body_fr}\n\n— English follows / Le texte anglais suit —\n\n{body_en}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
        Catalog::from_content(&content).expect("catalog")
    }

    fn console() -> Console {
        Console {
            aws_region: "ca-central-1".into(),
            table: "eclaireurs-submissions".into(),
        }
    }

    #[test]
    fn a_new_need_report_is_announced_in_both_languages_with_its_console_link() {
        let entry = "need-report#2026-12-01T16:40:05.120Z#0193a1b2-c3d4";
        let notice = new_submission(&catalog(), &console(), "bas-saint-laurent", entry)
            .expect("a submission's keys");
        assert_eq!(
            (notice.region.as_str(), notice.kind.as_str()),
            ("bas-saint-laurent", "need-report")
        );
        assert_eq!(notice.event, "new");
        assert!(
            notice.subject.contains("Nouveau signalement de besoin"),
            "{}",
            notice.subject
        );
        assert!(
            notice.subject.contains("New need report"),
            "{}",
            notice.subject
        );
        assert!(notice.subject.chars().count() < 100);
        // 16:40 UTC in December is 11:40 in Quebec (UTC-5).
        let fr = notice.message.find(
            "reçu pour la région Bas-Saint-Laurent le 2026-12-01 à 11 h 40 (heure du Québec).",
        );
        let en = notice.message.find(
            "received for the Bas-Saint-Laurent region on 2026-12-01 at 11:40 (Quebec time).",
        );
        assert!(
            fr.is_some() && en.is_some() && fr < en,
            "{}",
            notice.message
        );
        assert!(
            notice.message.contains(
                "https://ca-central-1.console.aws.amazon.com/dynamodbv2/home?region=ca-central-1\
             #edit-item?itemMode=2&pk=bas-saint-laurent&route=ROUTE_ITEM_EXPLORER\
             &sk=need-report%232026-12-01T16%3A40%3A05.120Z%230193a1b2-c3d4\
             &table=eclaireurs-submissions"
            ),
            "{}",
            notice.message
        );
    }

    #[test]
    fn a_summer_night_in_utc_is_announced_as_the_evening_before_in_quebec() {
        let entry = "registration#2026-07-01T03:30:00.000Z#0193";
        let notice =
            new_submission(&catalog(), &console(), "bas-saint-laurent", entry).expect("keys");
        assert!(
            notice
                .message
                .contains("le 2026-06-30 à 23 h 30 (heure du Québec)"),
            "{}",
            notice.message
        );
        assert!(
            notice
                .message
                .contains("on 2026-06-30 at 23:30 (Quebec time)"),
            "{}",
            notice.message
        );
        assert!(!notice.message.contains("UTC"), "{}", notice.message);
    }

    #[test]
    fn a_long_region_name_keeps_the_subject_under_the_limit_of_sns() {
        let entry = "registration#2026-12-01T16:40:05.120Z#0193";
        let notice =
            new_submission(&catalog(), &console(), "saguenay-lac-saint-jean", entry).expect("keys");
        assert!(
            notice.subject.chars().count() <= SUBJECT_MAX,
            "{}",
            notice.subject
        );
        assert!(
            notice.subject.starts_with("Nouvelle inscription"),
            "{}",
            notice.subject
        );
    }

    #[test]
    fn markers_and_odd_keys_are_not_announced() {
        assert!(new_submission(&catalog(), &console(), "x", "idempotency#need-report").is_none());
        assert!(new_submission(&catalog(), &console(), "x", "nonsense").is_none());
    }

    #[test]
    fn the_reminder_counts_and_links_each_report_and_the_region() {
        let entries = vec![
            "need-report#2026-11-20T10:00:00.000Z#a".to_string(),
            "need-report#2026-11-21T10:00:00.000Z#b".to_string(),
        ];
        let notice = reminder(
            &catalog(),
            &console(),
            "bas-saint-laurent",
            "need-report",
            3,
            &entries,
        );
        assert_eq!(notice.event, "reminder");
        // French typography puts a no-break space before the colon.
        let text = notice.message.replace('\u{a0}', " ");
        assert!(text.contains("après 3 jours : 2."), "{text}");
        assert!(
            notice.message.contains("after 3 days: 2"),
            "{}",
            notice.message
        );
        assert_eq!(
            notice.message.matches("#edit-item?").count(),
            4,
            "each report, in each language"
        );
        // 10:00 UTC in November is 5:00 in Quebec (UTC-5).
        assert!(
            text.contains("Reçu le 2026-11-20 à 05 h 00 (heure du Québec) :\nhttps://"),
            "{text}"
        );
        assert!(
            text.contains("Received on 2026-11-21 at 05:00 (Quebec time):\nhttps://"),
            "{text}"
        );
        assert!(notice
            .message
            .contains("#item-explorer?maximize=true&table=eclaireurs-submissions"));
    }
}
