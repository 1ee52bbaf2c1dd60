//! Encounters [FHIR Encounter]: hospital, ED, crisis-center and detox stays.
//! A discharge is a transition of care: the patient must be reached within
//! 24 hours.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, EnumString, VariantArray};
use uuid::Uuid;
use validator::{Validate, ValidationErrors};

use crate::validation::invalid;

/// Hours after discharge within which the follow-up is due.
pub const FOLLOWUP_HOURS: i64 = 24;

/// Kind of stay.
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
pub enum EncounterKind {
    /// Inpatient psychiatric unit.
    InpatientPsych,
    /// Inpatient medical/surgical stay.
    InpatientMedical,
    /// Emergency department visit.
    Ed,
    /// Behavioral health crisis center.
    Bhcc,
    /// Withdrawal management (detox).
    Detox,
}

impl EncounterKind {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            EncounterKind::InpatientPsych => "inpatient psychiatric",
            EncounterKind::InpatientMedical => "inpatient medical",
            EncounterKind::Ed => "ED",
            EncounterKind::Bhcc => "crisis center",
            EncounterKind::Detox => "detox",
        }
    }
}

/// Where the record came from.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
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
pub enum Source {
    /// Entered by a person.
    #[default]
    Manual,
    /// Pushed by an integration (API key).
    Integration,
}

/// An encounter as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Encounter {
    /// Encounter id.
    pub id: Uuid,
    /// The patient.
    pub patient_id: Uuid,
    /// Kind of stay.
    pub kind: EncounterKind,
    /// Hospital or center name.
    pub facility: String,
    /// Admission (or ED arrival) time.
    pub admitted_at: DateTime<Utc>,
    /// Discharge time, once discharged.
    pub discharged_at: Option<DateTime<Utc>>,
    /// Where the patient went (home, shelter, SNF, AMA …).
    pub discharge_disposition: Option<String>,
    /// Manual or integration.
    pub source: Source,
    /// The sending system's id; a resend with the same id updates this encounter.
    pub external_id: Option<String>,
    /// The transition follow-up task the discharge created.
    pub followup_task_id: Option<Uuid>,
    /// Version (also the `ETag`).
    pub version: i32,
    /// When recorded.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/encounters`. With an `external_id` that is already known,
/// it updates that encounter instead (integrations resend).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "patient_id": "01939c2e-5d7a-7c4e-9f1b-2a3b4c5d6e7f", "kind": "ed", "facility": "Mercy ED",
    "admitted_at": "2026-03-01T22:40:00Z", "discharged_at": "2026-03-02T14:10:00Z",
    "discharge_disposition": "home", "external_id": "ADT-88231"
})))]
pub struct NewEncounter {
    /// The patient.
    pub patient_id: Uuid,
    /// Kind of stay.
    pub kind: EncounterKind,
    /// Hospital or center name.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    pub facility: String,
    /// Admission time.
    pub admitted_at: DateTime<Utc>,
    /// Discharge time, if already discharged.
    #[serde(default)]
    pub discharged_at: Option<DateTime<Utc>>,
    /// Discharge disposition.
    #[serde(default)]
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    pub discharge_disposition: Option<String>,
    /// The sending system's id (integrations).
    #[serde(default)]
    #[validate(length(min = 1, max = 200, message = "must be 1 to 200 characters"))]
    pub external_id: Option<String>,
}

/// `PATCH /api/v1/encounters/{id}` (record a discharge, correct times).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"discharged_at": "2026-03-02T14:10:00Z", "discharge_disposition": "home", "version": 1})))]
pub struct EncounterPatch {
    /// Kind of stay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<EncounterKind>,
    /// Facility.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    pub facility: Option<String>,
    /// Admission time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admitted_at: Option<DateTime<Utc>>,
    /// Discharge time. A recorded discharge can be corrected but not
    /// removed (its follow-up task exists; cancel that instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discharged_at: Option<DateTime<Utc>>,
    /// Discharge disposition.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "::serde_with::rust::double_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    pub discharge_disposition: Option<Option<String>>,
    /// The version this change is based on (or send `If-Match`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

/// Clocks drift; a time this far ahead of the server is still accepted.
const CLOCK_SKEW: Duration = Duration::minutes(5);

/// Checks the times of a stay, judged at `now`.
pub fn check_times(
    errors: &mut ValidationErrors,
    admitted_at: DateTime<Utc>,
    discharged_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) {
    if admitted_at > now + CLOCK_SKEW {
        errors.add(
            "admitted_at",
            invalid("future", "must not be in the future"),
        );
    }
    if let Some(out) = discharged_at {
        if out > now + CLOCK_SKEW {
            errors.add(
                "discharged_at",
                invalid("future", "must not be in the future"),
            );
        } else if out < admitted_at {
            errors.add(
                "discharged_at",
                invalid("before_admission", "must not be before admitted_at"),
            );
        }
    }
}

impl NewEncounter {
    /// All field rules, judged at `now`.
    pub fn validate_at(&self, now: DateTime<Utc>) -> Result<(), ValidationErrors> {
        let mut errors = self.validate().err().unwrap_or_default();
        check_times(&mut errors, self.admitted_at, self.discharged_at, now);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// When the transition follow-up for a discharge at `discharged_at` is due.
pub fn followup_due(discharged_at: DateTime<Utc>) -> DateTime<Utc> {
    discharged_at + Duration::hours(FOLLOWUP_HOURS)
}

/// Filters for `GET /api/v1/encounters`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct EncounterListQuery {
    /// Only this patient's encounters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_id: Option<Uuid>,
    /// Page size, 1–200 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::field_errors;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn stay(admitted: &str, discharged: Option<&str>) -> NewEncounter {
        NewEncounter {
            patient_id: Uuid::nil(),
            kind: EncounterKind::Ed,
            facility: "Mercy ED".into(),
            admitted_at: at(admitted),
            discharged_at: discharged.map(at),
            discharge_disposition: None,
            external_id: None,
        }
    }

    fn fields(r: Result<(), ValidationErrors>) -> Vec<String> {
        r.map(|_| vec![])
            .unwrap_or_else(|e| field_errors(&e).into_iter().map(|f| f.field).collect())
    }

    #[test]
    fn the_follow_up_is_due_twenty_four_hours_after_discharge() {
        assert_eq!(
            followup_due(at("2026-03-02T14:10:00Z")),
            at("2026-03-03T14:10:00Z")
        );
    }

    #[test]
    fn a_discharge_before_the_admission_is_rejected() {
        let now = at("2026-03-05T00:00:00Z");
        assert_eq!(
            fields(stay("2026-03-02T10:00:00Z", Some("2026-03-01T10:00:00Z")).validate_at(now)),
            vec!["discharged_at"]
        );
        assert!(
            stay("2026-03-02T10:00:00Z", Some("2026-03-02T10:00:00Z"))
                .validate_at(now)
                .is_ok()
        );
    }

    #[test]
    fn times_in_the_future_are_rejected_beyond_a_little_clock_skew() {
        let now = at("2026-03-05T00:00:00Z");
        assert!(stay("2026-03-05T00:04:00Z", None).validate_at(now).is_ok());
        assert_eq!(
            fields(stay("2026-03-05T01:00:00Z", None).validate_at(now)),
            vec!["admitted_at"]
        );
        assert_eq!(
            fields(stay("2026-03-04T01:00:00Z", Some("2026-03-06T00:00:00Z")).validate_at(now)),
            vec!["discharged_at"]
        );
    }

    #[test]
    fn a_blank_facility_is_rejected() {
        let mut e = stay("2026-03-02T10:00:00Z", None);
        e.facility = " ".into();
        assert_eq!(
            fields(e.validate_at(at("2026-03-05T00:00:00Z"))),
            vec!["facility"]
        );
    }
}
