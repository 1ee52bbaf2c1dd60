//! How dates, times and small values read on screen.

use chrono::{DateTime, Local, NaiveDate, TimeZone, Utc};
use shared::patients::{Identifier, age_on};

/// Today's date as the server judges it (UTC), for validation.
pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// A date as US clinicians write it: `03/12/1984`.
pub fn date(d: NaiveDate) -> String {
    d.format("%m/%d/%Y").to_string()
}

/// A birth date with the age on `today`: `03/12/1984 (42 y)`.
pub fn birth_date_with_age(birth: NaiveDate, today: NaiveDate) -> String {
    format!("{} ({} y)", date(birth), age_on(birth, today))
}

/// A moment in the given time zone: `Nov 23, 2026, 9:41 AM`.
pub fn datetime_in<Tz: TimeZone>(at: DateTime<Utc>, tz: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    at.with_timezone(tz)
        .format("%b %-d, %Y, %-I:%M %p")
        .to_string()
}

/// A moment in the browser's time zone.
pub fn datetime(at: DateTime<Utc>) -> String {
    datetime_in(at, &Local)
}

/// An optional moment, or a dash-free word when there is none.
pub fn datetime_or(at: Option<DateTime<Utc>>, none: &str) -> String {
    at.map(datetime).unwrap_or_else(|| none.to_string())
}

/// The identifier to show in lists: an MRN when there is one, else the first.
pub fn primary_identifier(ids: &[Identifier]) -> Option<&Identifier> {
    ids.iter()
        .find(|i| i.system.to_ascii_lowercase().contains("mrn"))
        .or_else(|| ids.first())
}

/// A language tag with its name when it is a common one: `Spanish (es)`.
pub fn language_name(tag: &str) -> String {
    let name = match tag.to_ascii_lowercase().as_str() {
        "en" | "en-us" => "English",
        "es" | "es-mx" | "es-us" => "Spanish",
        "vi" => "Vietnamese",
        "ru" => "Russian",
        "zh" | "zh-hans" => "Chinese (Simplified)",
        "zh-hant" => "Chinese (Traditional)",
        "ar" => "Arabic",
        "so" => "Somali",
        "uk" => "Ukrainian",
        "ko" => "Korean",
        "tl" => "Tagalog",
        "ase" => "American Sign Language",
        "fr" => "French",
        "pt" => "Portuguese",
        "ja" => "Japanese",
        "hmn" => "Hmong",
        _ => return tag.to_string(),
    };
    format!("{name} ({tag})")
}

/// `Yes` / `No`.
pub fn yes_no(b: bool) -> &'static str {
    if b { "Yes" } else { "No" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    #[test]
    fn dates_read_month_day_year_with_the_age() {
        let born = NaiveDate::from_ymd_opt(1984, 3, 12).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 3, 11).unwrap();
        assert_eq!(date(born), "03/12/1984");
        assert_eq!(birth_date_with_age(born, today), "03/12/1984 (41 y)");
    }

    #[test]
    fn times_are_shown_in_the_given_zone() {
        let at = DateTime::parse_from_rfc3339("2026-11-23T17:41:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let pacific = FixedOffset::west_opt(8 * 3600).unwrap();
        assert_eq!(datetime_in(at, &pacific), "Nov 23, 2026, 9:41 AM");
    }

    #[test]
    fn common_language_tags_are_named() {
        assert_eq!(language_name("es"), "Spanish (es)");
        assert_eq!(language_name("zh-Hant"), "Chinese (Traditional) (zh-Hant)");
        assert_eq!(language_name("xx-YY"), "xx-YY");
    }

    #[test]
    fn lists_show_the_mrn_before_other_identifiers() {
        let ids = vec![
            Identifier {
                system: "urn:oid:medicaid".into(),
                value: "OR1".into(),
            },
            Identifier {
                system: "urn:riverside:ehr:mrn".into(),
                value: "MRN-1".into(),
            },
        ];
        assert_eq!(primary_identifier(&ids).unwrap().value, "MRN-1");
        assert_eq!(primary_identifier(&ids[..1]).unwrap().value, "OR1");
        assert!(primary_identifier(&[]).is_none());
    }
}
