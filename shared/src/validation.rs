//! How a request body becomes a valid domain value, the one way there is:
//! [`Valid::new`] normalizes it ([`Normalize`]) and runs every rule its
//! `validator` derive declares — field rules, and domain rules that need the
//! clock or the organization's calendar ([`Context`]). Request bodies derive
//! `Validate` with `#[validate(context = crate::validation::Context)]`, so
//! the derive yields only `validate_with_args(&Context)`: there is no
//! context-free `validate()` that could skip a domain rule. Use cases take
//! `Valid<T>`, so nothing unchecked reaches them.
//!
//! Also here: the field rules shared by the API (authoritative) and the SPA
//! (instant feedback), and the flattening of `validator`'s nested errors into
//! the `field` paths a 422 problem lists.

use std::borrow::Cow;
use std::ops::Deref;

use chrono::{DateTime, NaiveDate, Utc};
use validator::{ValidateArgs, ValidationError, ValidationErrors, ValidationErrorsKind};

use crate::problem::FieldError;

/// What a request's rules are judged against: the instant it arrived and
/// that instant's date on the organization's calendar ("today" is always
/// the organization's day, never the server's UTC date).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    /// The request's instant.
    pub now: DateTime<Utc>,
    /// `now`'s date in the organization's time zone.
    pub today: NaiveDate,
}

impl Context {
    /// The context of a request made before anyone is signed in (sign-in,
    /// token refresh), which has no organization and whose rules do not
    /// look at the date: today is the UTC date.
    pub fn before_sign_in(now: DateTime<Utc>) -> Context {
        Context {
            now,
            today: now.date_naive(),
        }
    }
}

/// Cleans a request body before its rules run: whitespace trimmed, blank
/// optional strings dropped, codes in their canonical case.
pub trait Normalize: Sized {
    /// The cleaned body (the default leaves it as it is).
    #[must_use]
    fn normalized(self) -> Self {
        self
    }
}

/// A request body that passed every rule. Only [`Valid::new`] makes one.
#[derive(Debug, Clone, PartialEq)]
pub struct Valid<T>(T);

impl<T: Normalize> Valid<T> {
    /// Normalizes `raw` and checks it on `ctx` (a [`Context`] for request
    /// bodies; a few settings need something else, such as the server's
    /// time-zone database): every failing field, or the valid value.
    pub fn new<C>(raw: T, ctx: &C) -> Result<Valid<T>, ValidationErrors>
    where
        T: for<'a> ValidateArgs<'a, Args = &'a C>,
    {
        let value = raw.normalized();
        value.validate_with_args(ctx)?;
        Ok(Valid(value))
    }
}

impl<T> Valid<T> {
    /// The checked value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Valid<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: serde::Serialize> serde::Serialize for Valid<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// The rules of `raw` on `ctx`, as field errors (for forms that show
/// every failing field as it is typed).
pub fn check<T, C>(raw: T, ctx: &C) -> Vec<FieldError>
where
    T: Normalize + for<'a> ValidateArgs<'a, Args = &'a C>,
{
    Valid::new(raw, ctx)
        .err()
        .map_or_else(Vec::new, |e| field_errors(&e))
}

/// A context for unit tests: noon UTC on 2026-03-02.
#[cfg(test)]
pub(crate) fn test_context() -> Context {
    Context {
        now: "2026-03-02T12:00:00Z".parse().expect("RFC 3339"),
        today: NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date"),
    }
}

/// A rule that compares fields (or needs the context) reports its failure
/// on one field: `validator` files struct-level errors under `__all__`, and
/// [`field_errors`] moves an error carrying this parameter to the field it
/// names.
const FIELD_PARAM: &str = "field";

/// A struct-level rule's failure, reported on `field`.
pub fn invalid_at(
    field: &'static str,
    code: &'static str,
    message: &'static str,
) -> ValidationError {
    let mut e = invalid(code, message);
    e.add_param(Cow::Borrowed(FIELD_PARAM), &field);
    e
}

/// Flattens nested validation errors into `a.b` / `a[2].b` paths, sorted by path.
pub fn field_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    collect(errors, "", &mut out);
    out.sort_by(|a, b| a.field.cmp(&b.field));
    out
}

fn collect(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else if field == "__all__" {
            prefix.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(errs) => out.extend(errs.iter().map(|e| {
                let path = match e.params.get(FIELD_PARAM).and_then(|f| f.as_str()) {
                    Some(field) if prefix.is_empty() => field.to_string(),
                    Some(field) => format!("{prefix}.{field}"),
                    None => path.clone(),
                };
                FieldError::new(path, message_of(e))
            })),
            ValidationErrorsKind::Struct(inner) => collect(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect(inner, &format!("{path}[{index}]"), out);
                }
            }
        }
    }
}

fn message_of(e: &ValidationError) -> String {
    match &e.message {
        Some(m) => m.to_string(),
        None => match e.code.as_ref() {
            "email" => "is not a valid email address".into(),
            "length" => "has the wrong length".into(),
            "range" => "is out of range".into(),
            "required" => "is required".into(),
            other => format!("is invalid ({other})"),
        },
    }
}

/// A validation error carrying the message people see.
pub fn invalid(code: &'static str, message: &'static str) -> ValidationError {
    ValidationError::new(code).with_message(Cow::Borrowed(message))
}

/// Rejects strings that are empty or only whitespace.
pub fn not_blank(value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        Err(invalid("blank", "is required"))
    } else {
        Ok(())
    }
}

/// A phone number as people write it: digits with optional `+ ( ) - .` and
/// spaces, 7 to 15 digits (E.164's maximum), and an optional `x123` extension.
pub fn phone(value: &str) -> Result<(), ValidationError> {
    let (number, extension) = match value.to_ascii_lowercase().split_once('x') {
        Some((n, e)) => (n.to_string(), Some(e.trim().to_string())),
        None => (value.to_string(), None),
    };
    let allowed = number
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '(' | ')' | '-' | '.' | ' '));
    let digits = number.chars().filter(char::is_ascii_digit).count();
    let extension_ok = extension
        .is_none_or(|e| !e.is_empty() && e.len() <= 6 && e.chars().all(|c| c.is_ascii_digit()));
    if allowed && (7..=15).contains(&digits) && extension_ok {
        Ok(())
    } else {
        Err(invalid("phone", "is not a valid phone number"))
    }
}

/// A BCP 47 language tag such as `en`, `es-MX` or `zh-Hant`, whose language
/// is an ISO 639 code (BCP 47's grammar alone would accept "english").
pub fn language_tag(value: &str) -> Result<(), ValidationError> {
    match language_tags::LanguageTag::parse(value) {
        Ok(tag) if (2..=3).contains(&tag.primary_language().len()) => Ok(()),
        _ => Err(invalid(
            "language_tag",
            "is not a BCP 47 language tag (e.g. en, es-MX)",
        )),
    }
}

/// Two-letter USPS codes for states, DC and the territories.
pub const US_STATES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY", "AS", "GU", "MP", "PR", "VI",
];

/// A USPS state or territory code (case-insensitive).
pub fn us_state(value: &str) -> Result<(), ValidationError> {
    let upper = value.to_ascii_uppercase();
    if US_STATES.contains(&upper.as_str()) {
        Ok(())
    } else {
        Err(invalid("us_state", "is not a US state code (e.g. OR)"))
    }
}

/// A US ZIP code: `12345` or `12345-6789`.
pub fn postal_code(value: &str) -> Result<(), ValidationError> {
    let b = value.as_bytes();
    let five = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    let ok = match b.len() {
        5 => five(b),
        10 => five(&b[..5]) && b[5] == b'-' && five(&b[6..]),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "postal_code",
            "is not a ZIP code (12345 or 12345-6789)",
        ))
    }
}

/// An email address by the HTML form rule (what `<input type="email">`
/// takes): up to 64 of the characters ``a-z A-Z 0-9 .!#$%&'*+/=?^_`{|}~-``,
/// `@`, and a domain of dot-separated labels, each 1 to 63 letters, digits
/// and hyphens that neither starts nor ends with a hyphen.
///
/// Written out rather than taken from `validator`'s `email`, which checks
/// the same form with a regex and converts a domain in other scripts with
/// IDNA tables: both would ship in the SPA's wasm (a quarter of a megabyte)
/// for one field rule. A domain in other scripts comes as its `xn--` form;
/// an IP address literal is not an address a care team writes to. The
/// API's document states this rule as a pattern, and a test there checks
/// the two agree.
pub fn email(value: &str) -> Result<(), ValidationError> {
    const LOCAL_SPECIALS: &[u8] = b".!#$%&'*+/=?^_`{|}~-";
    let local_char = |b: &u8| b.is_ascii_alphanumeric() || LOCAL_SPECIALS.contains(b);
    let label = |l: &[u8]| {
        (1..=63).contains(&l.len())
            && l.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
            && l.first() != Some(&b'-')
            && l.last() != Some(&b'-')
    };
    let ok = value.split_once('@').is_some_and(|(local, domain)| {
        let local = local.as_bytes();
        (1..=64).contains(&local.len())
            && local.iter().all(local_char)
            && domain.as_bytes().split(|b| *b == b'.').all(label)
    });
    if ok {
        Ok(())
    } else {
        Err(invalid("email", "is not a valid email address"))
    }
}

/// Trims `value`; an empty result becomes `None`.
pub fn trimmed(value: Option<String>) -> Option<String> {
    value.and_then(blank_to_none)
}

/// Trims `value`; a blank one is no value at all (the one place that
/// decides what "blank" means, for the API and the SPA's forms alike).
pub fn blank_to_none(value: impl AsRef<str>) -> Option<String> {
    let t = value.as_ref().trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// A patch field with whitespace trimmed; a blank value clears the field.
pub fn trimmed_patch(value: crate::patch::Patch<String>) -> crate::patch::Patch<String> {
    value.and_then(blank_to_none)
}

/// The field rules above, for merge-patch fields: a rule checks a value
/// the patch sets, never an absent field or a `null`.
pub mod patched {
    use validator::ValidationError;

    use crate::patch::Patch;

    /// [`super::phone`] of the value set, if any.
    pub fn phone(value: &Patch<String>) -> Result<(), ValidationError> {
        value.value().map_or(Ok(()), |v| super::phone(v))
    }

    /// [`super::email`] of the value set, if any.
    pub fn email(value: &Patch<String>) -> Result<(), ValidationError> {
        value.value().map_or(Ok(()), |v| super::email(v))
    }
}

/// Not later than the organization's today (a birth date, say).
pub fn not_after_today(value: &NaiveDate, ctx: &Context) -> Result<(), ValidationError> {
    if *value > ctx.today {
        Err(invalid("future", "must not be in the future"))
    } else {
        Ok(())
    }
}

/// Clocks drift; a time this far ahead of the server is still accepted.
pub const CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(5);

/// Not later than now (give or take [`CLOCK_SKEW`]): when something
/// happened.
pub fn not_in_future(at: &DateTime<Utc>, ctx: &Context) -> Result<(), ValidationError> {
    if *at > ctx.now + CLOCK_SKEW {
        Err(invalid("future", "must not be in the future"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use validator::Validate;

    #[derive(Validate)]
    struct Inner {
        #[validate(custom(function = "crate::validation::not_blank"))]
        value: String,
    }

    #[derive(Validate)]
    struct Outer {
        #[validate(custom(function = "crate::validation::phone"))]
        phone: Option<String>,
        #[validate(nested)]
        inner: Inner,
        #[validate(nested)]
        list: Vec<Inner>,
    }

    #[test]
    fn nested_and_listed_errors_flatten_into_dotted_and_indexed_paths() {
        let o = Outer {
            phone: Some("12".into()),
            inner: Inner { value: " ".into() },
            list: vec![
                Inner { value: "ok".into() },
                Inner {
                    value: String::new(),
                },
            ],
        };
        let errs = field_errors(&o.validate().unwrap_err());
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["inner.value", "list[1].value", "phone"]);
        assert_eq!(errs[0].message, "is required");
    }

    #[test]
    fn phone_numbers_as_people_write_them_are_accepted() {
        for ok in [
            "503-555-0100",
            "(503) 555-0100",
            "+1 503 555 0100",
            "5035550100 x12",
            "555.0100 1",
        ] {
            assert!(phone(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn phone_numbers_with_letters_or_too_few_digits_are_rejected() {
        for bad in [
            "call me",
            "12345",
            "503-555-0100 ext",
            "+1 503 555 0100 x",
            "1234567890123456",
        ] {
            assert!(phone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn email_addresses_people_use_are_accepted() {
        let long_label = "d".repeat(63);
        for ok in [
            "cm1@riverside.example",
            "First.Last+care@Clinic-North.example.org",
            "o'brien@b.co",
            "a@b",
            "user@xn--bcher-kva.example",
            "!#$%&'*+/=?^_`{|}~-@x.y",
            &format!("{}@{long_label}.example", "l".repeat(64)),
        ] {
            assert!(email(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn email_addresses_outside_the_form_rule_are_rejected() {
        for bad in [
            "",
            "plain",
            "@b.co",
            "a@",
            "a@@b.co",
            "a@b@c.co",
            "a b@c.co",
            "a@-b.co",
            "a@b-.co",
            "a@b..co",
            "a@.b.co",
            "a@b.co.",
            "a@[127.0.0.1]",
            "a@bücher.example",
            "é@b.co",
            &format!("{}@b.co", "l".repeat(65)),
            &format!("a@{}.co", "d".repeat(64)),
        ] {
            assert_eq!(
                email(bad).unwrap_err().message.as_deref(),
                Some("is not a valid email address"),
                "{bad}"
            );
        }
    }

    /// `validator`'s `email`, the rule this one replaced, on every string
    /// of up to six of these characters (no brackets: its IP literals are
    /// left out on purpose).
    #[test]
    fn the_email_rule_takes_what_validators_html_rule_took() {
        use validator::ValidateEmail;
        let alphabet = ['a', 'Z', '1', '-', '.', '@', '+', '_', ' '];
        let mut word = Vec::new();
        let mut checked = 0;
        loop {
            let s: String = word.iter().map(|&i| alphabet[i]).collect();
            assert_eq!(email(&s).is_ok(), s.validate_email(), "{s:?}");
            checked += 1;
            // The next word: count in base `alphabet.len()`.
            let mut i = 0;
            loop {
                if i == word.len() {
                    word.push(0);
                    break;
                }
                word[i] += 1;
                if word[i] < alphabet.len() {
                    break;
                }
                word[i] = 0;
                i += 1;
            }
            if word.len() > 6 {
                break;
            }
        }
        assert_eq!(
            checked,
            (0..=6).map(|n| alphabet.len().pow(n)).sum::<usize>()
        );
    }

    #[test]
    fn language_tags_follow_bcp_47() {
        for ok in ["en", "es-MX", "zh-Hant", "vi"] {
            assert!(language_tag(ok).is_ok(), "{ok}");
        }
        for bad in ["english", "e", "en_US", ""] {
            assert!(language_tag(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn state_codes_are_usps_codes_in_any_case() {
        assert!(us_state("OR").is_ok());
        assert!(us_state("pr").is_ok());
        assert!(us_state("XX").is_err());
        assert!(us_state("Oregon").is_err());
    }

    #[test]
    fn zip_codes_have_five_or_nine_digits() {
        assert!(postal_code("97201").is_ok());
        assert!(postal_code("97201-1234").is_ok());
        for bad in ["9720", "972011234", "97201-12", "abcde"] {
            assert!(postal_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn trimming_turns_blank_strings_into_nothing() {
        assert_eq!(trimmed(Some("  a ".into())), Some("a".into()));
        assert_eq!(trimmed(Some("   ".into())), None);
        assert_eq!(trimmed(None), None);
    }
}
