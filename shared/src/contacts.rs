//! Contacts [FHIR `RelatedPerson`]: family, friends, caregivers, and what the
//! patient consented to share with each. Nothing is shared with a contact
//! beyond what a current consent covers.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::ids::PatientId;
use crate::patch::Patch;
use crate::validation::{Context, Normalize, invalid, trimmed, trimmed_patch};

code_enum! {
    /// How the contact relates to the patient.
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
}

code_enum! {
    /// What may be shared with a contact, from least to most. Each level
    /// includes the ones below it.
    #[derive(PartialOrd, Ord)]
    pub enum ConsentScope {
        /// Scheduling and logistics only (appointment times, rides).
        Appointments,
        /// General health information.
        HealthInformation,
        /// Everything, including mental-health and substance-use information,
        /// which needs this explicit consent (42 CFR Part 2 and state law).
        BehavioralHealth,
    }
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
    pub patient_id: PatientId,
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
#[validate(context = Context)]
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
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub name: String,
    /// Relationship.
    pub relationship: Relationship,
    /// Phone.
    #[serde(default)]
    #[validate(custom(function = "crate::validation::phone"))]
    #[cfg_attr(feature = "openapi", schema(format = "phone"))]
    pub phone: Option<String>,
    /// Email.
    #[serde(default)]
    #[validate(custom(function = "crate::validation::email"))]
    #[cfg_attr(feature = "openapi", schema(format = "email"))]
    pub email: Option<String>,
    /// Emergency contact.
    #[serde(default)]
    pub emergency_contact: bool,
    /// Consent to share.
    #[serde(default)]
    #[validate(nested, custom(function = "consent_dates"))]
    pub consent: Option<Consent>,
    /// Notes.
    #[serde(default)]
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub notes: Option<String>,
}

/// `PATCH /api/v1/contacts/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"consent": null, "version": 2})))]
pub struct ContactPatch {
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub name: Option<String>,
    /// Relationship.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship: Option<Relationship>,
    /// Phone; `null` clears.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = "phone"))]
    #[validate(custom(function = "crate::validation::patched::phone"))]
    pub phone: Patch<String>,
    /// Email; `null` clears.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = "email"))]
    #[validate(custom(function = "crate::validation::patched::email"))]
    pub email: Patch<String>,
    /// Emergency contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency_contact: Option<bool>,
    /// Consent; `null` records that the patient withdrew it.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Consent>))]
    #[validate(nested, custom(function = "patched_consent_dates"))]
    pub consent: Patch<Consent>,
    /// Notes; `null` clears.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 2000))]
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    pub notes: Patch<String>,
    /// Active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// The version this change is based on (or send `If-Match`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

/// A consent may not end before it starts.
fn consent_dates(c: &Consent) -> Result<(), ValidationError> {
    if c.expires_on.is_some_and(|end| end < c.starts_on) {
        Err(invalid("dates", "expires_on must not be before starts_on"))
    } else {
        Ok(())
    }
}

fn patched_consent_dates(c: &Patch<Consent>) -> Result<(), ValidationError> {
    c.value().map_or(Ok(()), consent_dates)
}

impl NewContact {
    /// The record adding this (valid) contact to `patient` creates.
    pub fn into_contact(self, id: Uuid, patient: PatientId, now: DateTime<Utc>) -> Contact {
        Contact {
            id,
            patient_id: patient,
            name: self.name,
            relationship: self.relationship,
            phone: self.phone,
            email: self.email,
            emergency_contact: self.emergency_contact,
            consent: self.consent,
            notes: self.notes,
            active: true,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }
}

impl Normalize for NewContact {
    fn normalized(self) -> NewContact {
        NewContact {
            name: self.name.trim().to_string(),
            phone: trimmed(self.phone),
            email: trimmed(self.email),
            notes: trimmed(self.notes),
            ..self
        }
    }
}

impl Normalize for ContactPatch {
    fn normalized(self) -> ContactPatch {
        ContactPatch {
            name: self.name.map(|n| n.trim().to_string()),
            phone: trimmed_patch(self.phone),
            email: trimmed_patch(self.email),
            notes: trimmed_patch(self.notes),
            ..self
        }
    }
}

impl ContactPatch {
    /// `contact` as the patch leaves it: omitted fields stay, `null` clears.
    pub fn apply_to(self, contact: &mut Contact) {
        if let Some(n) = self.name {
            contact.name = n;
        }
        if let Some(r) = self.relationship {
            contact.relationship = r;
        }
        self.phone.apply_to(&mut contact.phone);
        self.email.apply_to(&mut contact.email);
        if let Some(e) = self.emergency_contact {
            contact.emergency_contact = e;
        }
        self.consent.apply_to(&mut contact.consent);
        self.notes.apply_to(&mut contact.notes);
        if let Some(a) = self.active {
            contact.active = a;
        }
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
        let backwards = consent(ConsentScope::Appointments, "2026-02-01", Some("2026-01-01"));
        let ctx = Context {
            now: DateTime::UNIX_EPOCH,
            today: d("2026-03-01"),
        };
        let patch = ContactPatch {
            consent: Patch::Value(backwards),
            ..Default::default()
        };
        let errors = crate::validation::check(patch, &ctx);
        assert_eq!(errors[0].field, "consent");
        let withdrawn = ContactPatch {
            consent: Patch::Null,
            ..Default::default()
        };
        assert!(crate::validation::check(withdrawn, &ctx).is_empty());
    }

    #[test]
    fn withdrawing_consent_clears_it_and_leaves_the_rest() {
        let mut contact = Contact {
            id: Uuid::nil(),
            patient_id: PatientId::default(),
            name: "Rosa Lopez".into(),
            relationship: Relationship::Sibling,
            phone: Some("503-555-0177".into()),
            email: None,
            emergency_contact: true,
            consent: Some(consent(ConsentScope::Appointments, "2026-02-01", None)),
            notes: None,
            active: true,
            version: 1,
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
        };
        ContactPatch {
            consent: Patch::Null,
            ..Default::default()
        }
        .apply_to(&mut contact);
        assert_eq!(contact.consent, None);
        assert_eq!(contact.phone.as_deref(), Some("503-555-0177"));
    }
}
