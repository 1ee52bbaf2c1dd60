//! Encounters [FHIR Encounter]: hospital, ED, crisis-center and detox stays.
//! A discharge is a transition of care: the patient must be reached within
//! 24 hours.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::{Validate, ValidationError, ValidationErrors};

use crate::ids::{PatientId, TaskId};
use crate::patch::Patch;
use crate::validation::{Context, Normalize, invalid, invalid_at, trimmed, trimmed_patch};

/// Hours after discharge within which the follow-up is due.
pub const FOLLOWUP_HOURS: i64 = 24;

code_enum! {
    /// Kind of stay.
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

code_enum! {
    /// Where the record came from.
    #[derive(Default)]
    pub enum Source {
        /// Entered by a person.
        #[default]
        Manual,
        /// Pushed by an integration (API key).
        Integration,
    }
}

/// An encounter as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Encounter {
    /// Encounter id.
    pub id: Uuid,
    /// The patient.
    pub patient_id: PatientId,
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
    pub followup_task_id: Option<TaskId>,
    /// When the admission was cancelled (an HL7 A11: it never happened, or
    /// was sent in error). A cancelled encounter stays readable here but is
    /// left out of lists, the timeline, risk and measures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Why it was cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<String>,
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
#[validate(context = Context)]
#[validate(schema(
    function = "discharge_after_admission",
    use_context,
    skip_on_field_errors = false
))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "patient_id": "01939c2e-5d7a-7c4e-9f1b-2a3b4c5d6e7f", "kind": "ed", "facility": "Mercy ED",
    "admitted_at": "2026-03-01T22:40:00Z", "discharged_at": "2026-03-02T14:10:00Z",
    "discharge_disposition": "home", "external_id": "ADT-88231"
})))]
pub struct NewEncounter {
    /// The patient.
    pub patient_id: PatientId,
    /// Kind of stay.
    pub kind: EncounterKind,
    /// Hospital or center name.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub facility: String,
    /// Admission time.
    #[validate(custom(function = "crate::validation::not_in_future", use_context))]
    pub admitted_at: DateTime<Utc>,
    /// Discharge time, if already discharged.
    #[serde(default)]
    #[validate(custom(function = "crate::validation::not_in_future", use_context))]
    pub discharged_at: Option<DateTime<Utc>>,
    /// Discharge disposition.
    #[serde(default)]
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub discharge_disposition: Option<String>,
    /// The sending system's id (integrations).
    #[serde(default)]
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub external_id: Option<String>,
    /// On a resend (a known `external_id`): the version you last read.
    /// Needed only when someone edited the record since your last send —
    /// without it that edit would be silently undone (428); a stale one is
    /// a 412. `If-Match` works too.
    #[serde(default)]
    pub version: Option<i32>,
}

/// `PATCH /api/v1/encounters/{id}` (record a discharge, correct times).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate)]
#[validate(context = Context)]
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
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub facility: Option<String>,
    /// Admission time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admitted_at: Option<DateTime<Utc>>,
    /// Discharge time. A recorded discharge can be corrected but not
    /// removed (its follow-up task exists; cancel that instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discharged_at: Option<DateTime<Utc>>,
    /// Discharge disposition; `null` clears.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 200))]
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    pub discharge_disposition: Patch<String>,
    /// The version this change is based on (or send `If-Match`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

/// Checks the times of a stay, judged at `now`.
pub fn check_times(
    errors: &mut ValidationErrors,
    admitted_at: DateTime<Utc>,
    discharged_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) {
    if admitted_at > now + crate::validation::CLOCK_SKEW {
        errors.add(
            "admitted_at",
            invalid("future", "must not be in the future"),
        );
    }
    if let Some(out) = discharged_at {
        if out > now + crate::validation::CLOCK_SKEW {
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

fn discharge_after_admission(e: &NewEncounter, ctx: &Context) -> Result<(), ValidationError> {
    match e.discharged_at {
        Some(out) if out <= ctx.now + crate::validation::CLOCK_SKEW && out < e.admitted_at => {
            Err(invalid_at(
                "discharged_at",
                "before_admission",
                "must not be before admitted_at",
            ))
        }
        _ => Ok(()),
    }
}

impl Normalize for NewEncounter {
    fn normalized(self) -> NewEncounter {
        NewEncounter {
            facility: self.facility.trim().to_string(),
            discharge_disposition: trimmed(self.discharge_disposition),
            external_id: trimmed(self.external_id),
            ..self
        }
    }
}

impl Normalize for EncounterPatch {
    fn normalized(self) -> EncounterPatch {
        EncounterPatch {
            facility: self.facility.map(|f| f.trim().to_string()),
            discharge_disposition: trimmed_patch(self.discharge_disposition),
            ..self
        }
    }
}

/// What of an encounter a correction or a resend can change.
#[derive(Debug, Clone, PartialEq)]
pub struct EncounterValues {
    /// Kind of stay.
    pub kind: EncounterKind,
    /// Facility.
    pub facility: String,
    /// Admitted.
    pub admitted_at: DateTime<Utc>,
    /// Discharged.
    pub discharged_at: Option<DateTime<Utc>>,
    /// Disposition.
    pub discharge_disposition: Option<String>,
}

impl EncounterValues {
    /// The values `e` has now.
    pub fn of(e: &Encounter) -> EncounterValues {
        EncounterValues {
            kind: e.kind,
            facility: e.facility.clone(),
            admitted_at: e.admitted_at,
            discharged_at: e.discharged_at,
            discharge_disposition: e.discharge_disposition.clone(),
        }
    }

    /// The values a new encounter starts with.
    pub fn new(e: &NewEncounter) -> EncounterValues {
        EncounterValues {
            kind: e.kind,
            facility: e.facility.clone(),
            admitted_at: e.admitted_at,
            discharged_at: e.discharged_at,
            discharge_disposition: e.discharge_disposition.clone(),
        }
    }

    /// An integration resent `new` for the encounter that is `current`:
    /// its values win, except that ADT messages arrive out of order, so an
    /// admission resent after the discharge keeps the discharge. The times
    /// are checked at `now` as they come out (a resent admission after the
    /// kept discharge is refused on `discharged_at`).
    pub fn resent(
        current: &Encounter,
        new: &NewEncounter,
        now: DateTime<Utc>,
    ) -> Result<EncounterValues, ValidationErrors> {
        let v = EncounterValues {
            discharged_at: new.discharged_at.or(current.discharged_at),
            discharge_disposition: new
                .discharge_disposition
                .clone()
                .or_else(|| current.discharge_disposition.clone()),
            ..EncounterValues::new(new)
        };
        let mut errors = ValidationErrors::new();
        check_times(&mut errors, v.admitted_at, v.discharged_at, now);
        if errors.is_empty() {
            Ok(v)
        } else {
            Err(errors)
        }
    }

    /// `current` corrected by `patch`, with the times checked at `now`. A
    /// recorded discharge can be corrected but not removed.
    pub fn corrected(
        current: &Encounter,
        patch: &EncounterPatch,
        now: DateTime<Utc>,
    ) -> Result<EncounterValues, ValidationErrors> {
        let mut v = EncounterValues::of(current);
        if let Some(k) = patch.kind {
            v.kind = k;
        }
        if let Some(f) = &patch.facility {
            v.facility.clone_from(f);
        }
        if let Some(a) = patch.admitted_at {
            v.admitted_at = a;
        }
        if let Some(d) = patch.discharged_at {
            v.discharged_at = Some(d);
        }
        patch
            .discharge_disposition
            .clone()
            .apply_to(&mut v.discharge_disposition);
        let mut errors = ValidationErrors::new();
        check_times(&mut errors, v.admitted_at, v.discharged_at, now);
        if errors.is_empty() {
            Ok(v)
        } else {
            Err(errors)
        }
    }

    /// Whether these are exactly the values `e` has (an identical resend
    /// changes nothing, not even the version).
    pub fn same_as(&self, e: &Encounter) -> bool {
        *self == EncounterValues::of(e)
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
    pub patient_id: Option<PatientId>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::check;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn stay(admitted: &str, discharged: Option<&str>) -> NewEncounter {
        NewEncounter {
            patient_id: PatientId::default(),
            kind: EncounterKind::Ed,
            facility: "Mercy ED".into(),
            admitted_at: at(admitted),
            discharged_at: discharged.map(at),
            discharge_disposition: None,
            external_id: None,
            version: None,
        }
    }

    /// The fields that fail when `e` is checked at `now`.
    fn fields(e: NewEncounter, now: DateTime<Utc>) -> Vec<String> {
        let ctx = Context {
            now,
            today: now.date_naive(),
        };
        check(e, &ctx).into_iter().map(|f| f.field).collect()
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
            fields(
                stay("2026-03-02T10:00:00Z", Some("2026-03-01T10:00:00Z")),
                now
            ),
            vec!["discharged_at"]
        );
        assert!(
            fields(
                stay("2026-03-02T10:00:00Z", Some("2026-03-02T10:00:00Z")),
                now
            )
            .is_empty()
        );
    }

    #[test]
    fn times_in_the_future_are_rejected_beyond_a_little_clock_skew() {
        let now = at("2026-03-05T00:00:00Z");
        assert!(fields(stay("2026-03-05T00:04:00Z", None), now).is_empty());
        assert_eq!(
            fields(stay("2026-03-05T01:00:00Z", None), now),
            vec!["admitted_at"]
        );
        assert_eq!(
            fields(
                stay("2026-03-04T01:00:00Z", Some("2026-03-06T00:00:00Z")),
                now
            ),
            vec!["discharged_at"]
        );
    }

    #[test]
    fn a_correction_sets_clears_and_rechecks_the_times() {
        let now = at("2026-03-05T00:00:00Z");
        let current = Encounter {
            id: Uuid::nil(),
            patient_id: PatientId::default(),
            kind: EncounterKind::Ed,
            facility: "Mercy ED".into(),
            admitted_at: at("2026-03-02T10:00:00Z"),
            discharged_at: None,
            discharge_disposition: Some("home".into()),
            source: Source::Manual,
            external_id: None,
            followup_task_id: None,
            cancelled_at: None,
            cancel_reason: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let discharge = EncounterPatch {
            discharged_at: Some(at("2026-03-03T10:00:00Z")),
            discharge_disposition: Patch::Null,
            ..Default::default()
        };
        let v = EncounterValues::corrected(&current, &discharge, now).unwrap();
        assert_eq!(v.discharged_at, Some(at("2026-03-03T10:00:00Z")));
        assert_eq!(v.discharge_disposition, None);
        assert_eq!(v.facility, "Mercy ED");
        let backwards = EncounterPatch {
            discharged_at: Some(at("2026-03-01T10:00:00Z")),
            ..Default::default()
        };
        assert!(EncounterValues::corrected(&current, &backwards, now).is_err());
    }

    #[test]
    fn an_admission_resent_after_its_discharge_keeps_the_discharge() {
        let now = at("2026-03-05T00:00:00Z");
        let discharged = Encounter {
            id: Uuid::nil(),
            patient_id: PatientId::default(),
            kind: EncounterKind::Ed,
            facility: "Mercy ED".into(),
            admitted_at: at("2026-03-02T10:00:00Z"),
            discharged_at: Some(at("2026-03-03T10:00:00Z")),
            discharge_disposition: Some("home".into()),
            source: Source::Integration,
            external_id: Some("ADT-1".into()),
            followup_task_id: None,
            cancelled_at: None,
            cancel_reason: None,
            version: 2,
            created_at: now,
            updated_at: now,
        };
        let admission = stay("2026-03-02T10:00:00Z", None);
        let v = EncounterValues::resent(&discharged, &admission, now).unwrap();
        assert_eq!(v.discharged_at, discharged.discharged_at);
        assert_eq!(v.discharge_disposition.as_deref(), Some("home"));
        assert!(v.same_as(&discharged));
        let admitted_after_the_discharge = stay("2026-03-04T10:00:00Z", None);
        let refused = EncounterValues::resent(&discharged, &admitted_after_the_discharge, now);
        assert!(
            refused
                .unwrap_err()
                .field_errors()
                .contains_key("discharged_at")
        );
    }

    #[test]
    fn a_blank_facility_is_rejected() {
        let mut e = stay("2026-03-02T10:00:00Z", None);
        e.facility = " ".into();
        assert_eq!(fields(e, at("2026-03-05T00:00:00Z")), vec!["facility"]);
    }
}
