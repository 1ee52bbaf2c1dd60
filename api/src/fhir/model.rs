//! Small builders of FHIR R4 datatypes the mappings share.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use fhirbolt::model::r4::types::{
    self as t, CodeableConcept, Coding, ContactPoint, Identifier, Meta, Period, Reference,
};

/// Where the care manager's own codes live (a kind, a role, a status
/// with no FHIR code of its own).
pub const CAREMGR_SYSTEM: &str = "urn:caremgr:code";

/// LOINC.
pub const LOINC: &str = "http://loinc.org";

/// BCP 47 language tags.
pub const BCP47: &str = "urn:ietf:bcp:47";

/// An instant, to the microsecond the database keeps (fewer digits when
/// they are zeros), in UTC.
pub fn instant(at: DateTime<Utc>) -> t::Instant {
    stamp(at).into()
}

/// A dateTime with a zone, like [`instant`].
pub fn date_time(at: DateTime<Utc>) -> t::DateTime {
    stamp(at).into()
}

/// `2026-03-02T14:10:00.123456Z`.
pub fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A date.
pub fn date(day: NaiveDate) -> t::Date {
    day.format("%Y-%m-%d").to_string().into()
}

/// The resource's version and when it last changed.
pub fn meta(version: Option<i32>, updated: DateTime<Utc>) -> Option<Box<Meta>> {
    Some(Box::new(Meta {
        version_id: version.map(|v| v.to_string().into()),
        last_updated: Some(instant(updated)),
        ..Default::default()
    }))
}

/// `Type/id`.
pub fn reference(ty: &str, id: impl std::fmt::Display) -> Reference {
    Reference {
        reference: Some(format!("{ty}/{id}").into()),
        ..Default::default()
    }
}

/// `Type/id`, boxed (most single references are).
pub fn boxed_ref(ty: &str, id: impl std::fmt::Display) -> Option<Box<Reference>> {
    Some(Box::new(reference(ty, id)))
}

/// A reference by name alone (someone with no resource here).
pub fn named(display: &str) -> Reference {
    Reference {
        display: Some(display.into()),
        ..Default::default()
    }
}

/// A concept known by text alone.
pub fn text(text: &str) -> CodeableConcept {
    CodeableConcept {
        text: Some(text.into()),
        ..Default::default()
    }
}

/// A coding.
pub fn coding(system: &str, code: &str, display: Option<&str>) -> Coding {
    Coding {
        system: Some(system.into()),
        code: Some(code.into()),
        display: display.map(Into::into),
        ..Default::default()
    }
}

/// A concept with one coding (and the display as its text).
pub fn coded(system: &str, code: &str, display: Option<&str>) -> CodeableConcept {
    CodeableConcept {
        coding: vec![coding(system, code, display)],
        text: display.map(Into::into),
        ..Default::default()
    }
}

/// One of the care manager's own codes (`encounter-kind`, `ed`).
pub fn own(kind: &str, code: &str) -> CodeableConcept {
    CodeableConcept {
        coding: vec![coding(&format!("{CAREMGR_SYSTEM}:{kind}"), code, None)],
        text: Some(code.replace('_', " ").into()),
        ..Default::default()
    }
}

/// A telephone number and an email address, where known.
pub fn telecom(phone: Option<&str>, email: Option<&str>) -> Vec<ContactPoint> {
    let point = |system: &str, value: &str| ContactPoint {
        system: Some(system.into()),
        value: Some(value.into()),
        ..Default::default()
    };
    phone
        .map(|p| point("phone", p))
        .into_iter()
        .chain(email.map(|e| point("email", e)))
        .collect()
}

/// From `start` to `end`.
pub fn period(start: Option<t::DateTime>, end: Option<t::DateTime>) -> Option<Box<Period>> {
    (start.is_some() || end.is_some()).then(|| {
        Box::new(Period {
            start,
            end,
            ..Default::default()
        })
    })
}

/// An identifier.
pub fn identifier(system: &str, value: &str) -> Identifier {
    Identifier {
        system: Some(system.into()),
        value: Some(value.into()),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_keep_the_databases_microseconds_and_drop_zero_digits() {
        let at: DateTime<Utc> = "2026-03-02T14:10:00.123456Z".parse().unwrap();
        assert_eq!(stamp(at), "2026-03-02T14:10:00.123456Z");
        let whole: DateTime<Utc> = "2026-03-02T14:10:00Z".parse().unwrap();
        assert_eq!(stamp(whole), "2026-03-02T14:10:00Z");
    }

    #[test]
    fn own_codes_carry_their_kind_in_the_system() {
        let c = own("encounter-kind", "inpatient_psych");
        assert_eq!(
            c.coding[0].system.as_ref().and_then(|s| s.value.clone()),
            Some("urn:caremgr:code:encounter-kind".to_string())
        );
        assert_eq!(
            c.text.and_then(|s| s.value),
            Some("inpatient psych".to_string())
        );
    }
}
