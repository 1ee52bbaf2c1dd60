//! Contacts [FHIR RelatedPerson]: family, friends, caregivers, and what the
//! patient consented to share with each. Nothing is shared with a contact
//! beyond what a current consent covers.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, EnumString, VariantArray};
use uuid::Uuid;
use validator::{Validate, ValidationErrors};

use crate::validation::invalid;

/// How the contact relates to the patient.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    AsRefStr,
    Display,
    EnumString,
    VariantArray,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Relationship {
    /// Parent.
    Parent,
    /// Spouse or domestic partner.
    Spouse,
    /// Partner.
    Partner,
    /// Adult child.
    Child,
    /// Sibling.
    Sibling,
    /// Other relative.
    Relative,
    /// Friend.
    Friend,
    /// Paid or unpaid caregiver.
    Caregiver,
    /// Legal guardian or representative.
    Guardian,
    /// Anyone else.
    Other,
}

/// What may be shared with a contact, from least to most. Each level
/// includes the ones below it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    AsRefStr,
    Display,
    EnumString,
    VariantArray,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ConsentScope {
    /// Scheduling and logistics only (appointment times, rides).
    Appointments,
    /// General health information.
    HealthInformation,
    /// Everything, including mental-health and substance-use information,
    /// which needs this explicit consent (42 CFR Part 2 and state law).
    BehavioralHealth,
}

impl ConsentScope {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            ConsentScope::Appointments => "appointments and logistics",
            ConsentScope::HealthInformation => "general health information",
            ConsentScope::BehavioralHealth => "behavioral health and substance use information",
        }
    }
}

/// A consent to share information with a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Consent {
    /// What may be shared.
    pub scope: ConsentScope,
    /// From when.
    pub starts_on: NaiveDate,
    /// Until when (inclusive); `null`: until revoked.
    #[serde(default)]
    pub expires_on: Option<NaiveDate>,
}

/// Why sharing is not allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsentRefusal {
    /// No consent on file.
    NoConsent,
    /// Not yet in force.
    NotYetValid(NaiveDate),
    /// Lapsed.
    Expired(NaiveDate),
    /// In force, but for less than what would be shared.
    TooNarrow(ConsentScope),
}

impl std::fmt::Display for ConsentRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConsentRefusal::NoConsent => write!(
                f,
                "the patient has not consented to sharing information with this contact"
            ),
            ConsentRefusal::NotYetValid(d) => write!(f, "the patient's consent only starts on {d}"),
            ConsentRefusal::Expired(d) => write!(f, "the patient's consent expired on {d}"),
            ConsentRefusal::TooNarrow(s) => {
                write!(f, "the patient's consent covers only {}", s.label())
            }
        }
    }
}

/// Whether `consent` allows sharing `needed` on `today`.
pub fn consent_allows(
    consent: Option<&Consent>,
    needed: ConsentScope,
    today: NaiveDate,
) -> Result<(), ConsentRefusal> {
    let c = consent.ok_or(ConsentRefusal::NoConsent)?;
    if today < c.starts_on {
        return Err(ConsentRefusal::NotYetValid(c.starts_on));
    }
    if let Some(end) = c.expires_on.filter(|end| today > *end) {
        return Err(ConsentRefusal::Expired(end));
    }
    if c.scope < needed {
        return Err(ConsentRefusal::TooNarrow(c.scope));
    }
    Ok(())
}

/// A contact as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    /// Contact id.
    pub id: Uuid,
    /// The patient.
    pub patient_id: Uuid,
    /// Name.
    pub name: String,
    /// Relationship to the patient.
    pub relationship: Relationship,
    /// Phone.
    pub phone: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Whether to call in an emergency.
    pub emergency_contact: bool,
    /// What the patient consented to share with them.
    pub consent: Option<Consent>,
    /// Notes.
    pub notes: Option<String>,
    /// Inactive contacts are kept for the record but not used.
    pub active: bool,
    /// Version (also the `ETag`).
    pub version: i32,
    /// When recorded.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/patients/{id}/contacts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "name": "Rosa Lopez", "relationship": "sibling", "phone": "503-555-0177", "emergency_contact": true,
    "consent": {"scope": "appointments", "starts_on": "2026-03-01", "expires_on": "2027-03-01"}
})))]
pub struct NewContact {
    /// Name.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    pub name: String,
    /// Relationship.
    pub relationship: Relationship,
    /// Phone.
    #[serde(default)]
    #[validate(custom(function = "crate::validation::phone"))]
    pub phone: Option<String>,
    /// Email.
    #[serde(default)]
    #[validate(email(message = "is not a valid email address"))]
    pub email: Option<String>,
    /// Emergency contact.
    #[serde(default)]
    pub emergency_contact: bool,
    /// Consent to share.
    #[serde(default)]
    #[validate(nested)]
    pub consent: Option<Consent>,
    /// Notes.
    #[serde(default)]
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    pub notes: Option<String>,
}

/// `PATCH /api/v1/contacts/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"consent": null, "version": 2})))]
pub struct ContactPatch {
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    pub name: Option<String>,
    /// Relationship.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship: Option<Relationship>,
    /// Phone; `null` clears.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "::serde_with::rust::double_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[validate(custom(function = "crate::validation::phone"))]
    pub phone: Option<Option<String>>,
    /// Email; `null` clears.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "::serde_with::rust::double_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[validate(email(message = "is not a valid email address"))]
    pub email: Option<Option<String>>,
    /// Emergency contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency_contact: Option<bool>,
    /// Consent; `null` records that the patient withdrew it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "::serde_with::rust::double_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Consent>))]
    #[validate(nested)]
    pub consent: Option<Option<Consent>>,
    /// Notes; `null` clears.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "::serde_with::rust::double_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    pub notes: Option<Option<String>>,
    /// Active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// The version this change is based on (or send `If-Match`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

/// Checks a consent's dates (the end may not precede the start).
pub fn check_consent(errors: &mut ValidationErrors, consent: Option<&Consent>) {
    if let Some(c) = consent
        && c.expires_on.is_some_and(|end| end < c.starts_on)
    {
        errors.add(
            "consent",
            invalid("dates", "expires_on must not be before starts_on"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn consent(scope: ConsentScope, from: &str, to: Option<&str>) -> Consent {
        Consent {
            scope,
            starts_on: d(from),
            expires_on: to.map(d),
        }
    }

    #[test]
    fn without_consent_nothing_is_shared() {
        assert_eq!(
            consent_allows(None, ConsentScope::Appointments, d("2026-03-01")),
            Err(ConsentRefusal::NoConsent)
        );
    }

    #[test]
    fn a_consent_covers_its_scope_and_everything_narrower() {
        let c = consent(ConsentScope::HealthInformation, "2026-01-01", None);
        assert!(consent_allows(Some(&c), ConsentScope::Appointments, d("2026-03-01")).is_ok());
        assert!(consent_allows(Some(&c), ConsentScope::HealthInformation, d("2026-03-01")).is_ok());
        assert_eq!(
            consent_allows(Some(&c), ConsentScope::BehavioralHealth, d("2026-03-01")),
            Err(ConsentRefusal::TooNarrow(ConsentScope::HealthInformation))
        );
    }

    #[test]
    fn a_consent_works_only_between_its_dates_inclusive() {
        let c = consent(ConsentScope::Appointments, "2026-02-01", Some("2026-02-28"));
        assert!(consent_allows(Some(&c), ConsentScope::Appointments, d("2026-02-01")).is_ok());
        assert!(consent_allows(Some(&c), ConsentScope::Appointments, d("2026-02-28")).is_ok());
        assert_eq!(
            consent_allows(Some(&c), ConsentScope::Appointments, d("2026-03-01")),
            Err(ConsentRefusal::Expired(d("2026-02-28")))
        );
        assert_eq!(
            consent_allows(Some(&c), ConsentScope::Appointments, d("2026-01-31")),
            Err(ConsentRefusal::NotYetValid(d("2026-02-01")))
        );
    }

    #[test]
    fn refusals_explain_themselves() {
        assert!(
            ConsentRefusal::Expired(d("2026-02-28"))
                .to_string()
                .contains("expired on 2026-02-28")
        );
    }

    #[test]
    fn a_consent_ending_before_it_starts_is_invalid() {
        let mut errors = ValidationErrors::new();
        check_consent(
            &mut errors,
            Some(&consent(
                ConsentScope::Appointments,
                "2026-02-01",
                Some("2026-01-01"),
            )),
        );
        assert!(!errors.is_empty());
    }
}
