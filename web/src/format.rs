//! How dates, times and small values read on screen.

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};
use shared::calendar::{humanize, local_to_utc};
use shared::patients::{Identifier, age_on};
use shared::problem::FieldError;

/// Today's date in the browser's time zone: what "today" means to the
/// person at the screen, and the SPA's stand-in for the organization's
/// calendar when the shared rules judge a date (the API judges again on the
/// organization's own calendar).
pub fn today() -> NaiveDate {
    Local::now().date_naive()
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
    at.map_or_else(|| none.to_string(), datetime)
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

/// Whether a due time has passed at `now` (the rule `Task::is_overdue` uses).
pub fn is_past_due(due: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    due < now
}

/// A due time as a countdown: `due in 3 h`, `overdue by 2 h`, `due in 1 d 2 h`.
pub fn due_countdown(due: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let span = due - now;
    if is_past_due(due, now) {
        format!("overdue by {}", humanize(span))
    } else {
        format!("due in {}", humanize(span))
    }
}

/// A moment for a `datetime-local` input in `tz`: `2026-03-02T14:10`.
pub fn datetime_local_value_in<Tz: TimeZone>(at: DateTime<Utc>, tz: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    at.with_timezone(tz).format("%Y-%m-%dT%H:%M").to_string()
}

/// A moment for a `datetime-local` input in the browser's time zone.
pub fn datetime_local_value(at: DateTime<Utc>) -> String {
    datetime_local_value_in(at, &Local)
}

/// Reads a `datetime-local` value (`2026-03-02T14:10`, seconds optional)
/// as wall-clock time in `tz`; `None` when blank or malformed.
pub fn parse_datetime_local_in<Tz: TimeZone>(value: &str, tz: &Tz) -> Option<DateTime<Utc>> {
    let v = value.trim();
    let naive = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    Some(local_to_utc(naive.date(), naive.time(), tz))
}

/// Reads a `datetime-local` value in the browser's time zone.
pub fn parse_datetime_local(value: &str) -> Option<DateTime<Utc>> {
    parse_datetime_local_in(value, &Local)
}

/// Reads a required or optional `datetime-local` field named `field` (in
/// the API's words): a missing required value or a malformed one is a
/// field error.
pub fn read_moment(
    value: &str,
    field: &str,
    required: bool,
    parse: impl Fn(&str) -> Option<DateTime<Utc>>,
) -> Result<Option<DateTime<Utc>>, FieldError> {
    if value.trim().is_empty() {
        return if required {
            Err(FieldError::new(field, "is required"))
        } else {
            Ok(None)
        };
    }
    parse(value)
        .map(Some)
        .ok_or_else(|| FieldError::new(field, "is not a date and time"))
}

/// [`read_moment`] of a `datetime-local` field in the browser's time zone.
pub fn read_local_moment(
    value: &str,
    field: &str,
    required: bool,
) -> Result<Option<DateTime<Utc>>, FieldError> {
    read_moment(value, field, required, parse_datetime_local)
}

/// A `snake_case` wire value in words: `in_person` → `In person`.
pub fn words(token: &str) -> String {
    let spaced = token.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `1 task`, `3 tasks`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
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

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn due_times_count_down_and_then_count_overdue() {
        let now = at("2026-03-02T18:00:00Z");
        assert_eq!(due_countdown(at("2026-03-02T21:00:00Z"), now), "due in 3 h");
        assert_eq!(
            due_countdown(at("2026-03-02T16:00:00Z"), now),
            "overdue by 2 h"
        );
        assert_eq!(
            due_countdown(at("2026-03-03T20:10:00Z"), now),
            "due in 1 d 2 h"
        );
        assert_eq!(
            due_countdown(at("2026-03-02T18:20:00Z"), now),
            "due in 20 min"
        );
    }

    #[test]
    fn a_task_due_this_very_minute_is_not_yet_overdue() {
        let now = at("2026-03-02T18:00:00Z");
        assert!(!is_past_due(now, now));
        assert_eq!(due_countdown(now, now), "due in 1 min");
        assert!(is_past_due(at("2026-03-02T17:59:00Z"), now));
        assert_eq!(
            due_countdown(at("2026-03-02T17:59:00Z"), now),
            "overdue by 1 min"
        );
    }

    #[test]
    fn datetime_inputs_read_and_write_wall_clock_time() {
        let pacific = FixedOffset::west_opt(8 * 3600).unwrap();
        let t = at("2026-03-02T22:10:00Z");
        assert_eq!(datetime_local_value_in(t, &pacific), "2026-03-02T14:10");
        assert_eq!(
            parse_datetime_local_in("2026-03-02T14:10", &pacific),
            Some(t)
        );
        assert_eq!(
            parse_datetime_local_in("2026-03-02T14:10:00", &pacific),
            Some(t)
        );
        assert_eq!(parse_datetime_local_in("", &pacific), None);
        assert_eq!(parse_datetime_local_in("yesterday", &pacific), None);
    }

    #[test]
    fn a_missing_admission_time_is_required_and_a_missing_discharge_is_fine() {
        let parse = |s: &str| parse_datetime_local_in(s, &Utc);
        assert_eq!(
            read_moment(" ", "admitted_at", true, parse)
                .unwrap_err()
                .message,
            "is required"
        );
        assert_eq!(read_moment("", "discharged_at", false, parse), Ok(None));
        assert_eq!(
            read_moment("2026-03-02T14:10", "admitted_at", true, parse),
            Ok(Some("2026-03-02T14:10:00Z".parse().unwrap()))
        );
        assert_eq!(
            read_moment("soon", "discharged_at", false, parse)
                .unwrap_err()
                .field,
            "discharged_at"
        );
    }

    #[test]
    fn wire_values_read_as_words_and_counts_agree_in_number() {
        assert_eq!(words("in_person"), "In person");
        assert_eq!(words("guardian"), "Guardian");
        assert_eq!(words(""), "");
        assert_eq!(count(1, "task", "tasks"), "1 task");
        assert_eq!(count(0, "task", "tasks"), "0 tasks");
    }
}
