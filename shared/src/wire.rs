//! Rules every value that arrives over the wire obeys, whatever field it
//! fills: they are checked on the raw JSON body and query string before any
//! request type sees them, so a module added later is covered without
//! remembering to be.
//!
//! - No control characters except tab, line feed and carriage return.
//!   Postgres cannot store NUL at all, and the rest are never meant in
//!   a care record (they arrive from copy-paste or from fuzzing).
//! - A string that *is* a date or a date-time (as the API's types would
//!   read it) falls within [`EARLIEST_YEAR`]..=[`LATEST_YEAR`]. chrono
//!   accepts years from -262143 to 262142, Postgres refuses some of them
//!   and date arithmetic near the ends overflows; no care record needs them.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime};

/// The earliest year a date or time may have (the oldest living people
/// were born after it).
pub const EARLIEST_YEAR: i32 = 1900;
/// The latest year a date or time may have: RFC 3339's four-digit years.
/// Rules about the future ("not after today") are the fields' own and name
/// the field with a better message; this bound only keeps values inside
/// what chrono, Postgres and date arithmetic all handle.
pub const LATEST_YEAR: i32 = 9999;

/// Why a wire value was refused, as the message a 422 shows for its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// It contains a control character.
    ControlCharacter,
    /// It is a date or time outside the years allowed.
    DateOutOfRange,
}

impl Refusal {
    /// The message shown for the field.
    pub fn message(self) -> &'static str {
        match self {
            Refusal::ControlCharacter => {
                "must not contain control characters (only tab and line breaks are allowed)"
            }
            Refusal::DateOutOfRange => "must be a date between the years 1900 and 9999",
        }
    }
}

/// Checks one string from a body or a query string.
pub fn check(value: &str) -> Result<(), Refusal> {
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(Refusal::ControlCharacter);
    }
    match year_of(value) {
        Some(year) if !(EARLIEST_YEAR..=LATEST_YEAR).contains(&year) => {
            Err(Refusal::DateOutOfRange)
        }
        _ => Ok(()),
    }
}

/// The year of `value` if the whole string reads as a date or a date-time
/// the way the API's types read them.
fn year_of(value: &str) -> Option<i32> {
    // Cheap guard: every date form starts with a digit or a sign and
    // contains a '-', so prose never reaches the parsers.
    let first = value.chars().next()?;
    if !(first.is_ascii_digit() || first == '+' || first == '-') || !value.contains('-') {
        return None;
    }
    value
        .parse::<NaiveDate>()
        .map(|d| d.year())
        .or_else(|_| value.parse::<DateTime<FixedOffset>>().map(|t| t.year()))
        .or_else(|_| value.parse::<NaiveDateTime>().map(|t| t.year()))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_text_and_line_breaks_pass() {
        assert_eq!(check("Maria López"), Ok(()));
        assert_eq!(check("line one\nline two\r\n\tindented"), Ok(()));
        assert_eq!(check(""), Ok(()));
        assert_eq!(check("-5 degrees outside"), Ok(()));
        assert_eq!(check("2026-13-45"), Ok(()), "not a date: left to the field");
    }

    #[test]
    fn nul_and_other_control_characters_are_refused() {
        assert_eq!(check("a\u{0}b"), Err(Refusal::ControlCharacter));
        assert_eq!(check("bell\u{7}"), Err(Refusal::ControlCharacter));
        assert_eq!(check("del\u{7f}"), Err(Refusal::ControlCharacter));
        assert_eq!(check("c1\u{85}"), Err(Refusal::ControlCharacter));
    }

    #[test]
    fn dates_and_times_must_fall_between_1900_and_9999() {
        assert_eq!(check("2026-03-02"), Ok(()));
        assert_eq!(check("1900-01-01"), Ok(()));
        assert_eq!(check("9999-12-31T23:59:59Z"), Ok(()));
        assert_eq!(check("2026-03-02T12:00:00-08:00"), Ok(()));
        assert_eq!(check("1899-12-31"), Err(Refusal::DateOutOfRange));
        assert_eq!(check("+10000-01-01"), Err(Refusal::DateOutOfRange));
        assert_eq!(check("-4800-01-01T00:00:00Z"), Err(Refusal::DateOutOfRange));
        assert_eq!(check("+262142-12-31"), Err(Refusal::DateOutOfRange));
        assert_eq!(check("0001-01-01T00:00:00"), Err(Refusal::DateOutOfRange));
    }
}
