//! Alerts [FHIR Flag]: things the care team must know now — admissions,
//! discharges, missed appointments, disengagement. A person acknowledges
//! each one, and who and when is kept.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::{PatientId, UserId};

code_enum! {
    /// What happened.
    pub enum AlertKind {
        /// Admitted to a hospital, ED, crisis center or detox.
        Admission,
        /// Discharged from one.
        Discharge,
        /// Missed an appointment.
        MissedAppointment,
        /// Two or more missed appointments in 30 days.
        Disengagement,
        /// A screening found suicide risk.
        Safety,
        /// The patient's risk level rose.
        RiskIncrease,
        /// A referral got no answer in time, or passed its due date.
        ReferralOverdue,
    }
}

impl AlertKind {
    /// How serious this kind is.
    pub fn severity(self) -> Severity {
        match self {
            AlertKind::Admission | AlertKind::Discharge | AlertKind::Safety => Severity::High,
            AlertKind::Disengagement | AlertKind::RiskIncrease | AlertKind::ReferralOverdue => {
                Severity::Warning
            }
            AlertKind::MissedAppointment => Severity::Info,
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            AlertKind::Admission => "Admission",
            AlertKind::Discharge => "Discharge",
            AlertKind::MissedAppointment => "Missed appointment",
            AlertKind::Disengagement => "Disengagement",
            AlertKind::Safety => "Safety",
            AlertKind::RiskIncrease => "Risk increase",
            AlertKind::ReferralOverdue => "Referral overdue",
        }
    }
}

code_enum! {
    /// How serious.
    #[derive(PartialOrd, Ord)]
    pub enum Severity {
        /// For information.
        Info,
        /// Needs attention.
        Warning,
        /// Needs attention now.
        High,
    }
}

/// An alert as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alert {
    /// Alert id.
    pub id: Uuid,
    /// The patient.
    pub patient_id: PatientId,
    /// The patient's name ("Family, Given").
    pub patient_name: String,
    /// What happened.
    pub kind: AlertKind,
    /// How serious.
    pub severity: Severity,
    /// What to know, in a sentence.
    pub message: String,
    /// What raised it (`encounter`, `appointment`).
    pub source_type: String,
    /// Its id.
    pub source_id: Option<Uuid>,
    /// The users it was sent to (the patient's care team and care manager).
    pub recipient_ids: Vec<UserId>,
    /// When raised.
    pub created_at: DateTime<Utc>,
    /// When acknowledged.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Who acknowledged it.
    pub acknowledged_by: Option<UserId>,
}

/// Filters for `GET /api/v1/alerts` (newest first). Without `patient_id`,
/// the alerts sent to the caller.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AlertListQuery {
    /// Every alert about this patient, whoever received it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_id: Option<PatientId>,
    /// Only acknowledged (`true`) or unacknowledged (`false`) alerts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<bool>,
}

/// "Admitted to Mercy ED (ED) Mon 3/2 09:40."
pub fn admission_message(
    facility: &str,
    kind: crate::encounters::EncounterKind,
    local_time: &str,
) -> String {
    format!("Admitted to {facility} ({}) {local_time}.", kind.label())
}

/// "Discharged from Mercy ED (ED) Mon 3/2 14:10; follow-up due within 24 hours."
pub fn discharge_message(
    facility: &str,
    kind: crate::encounters::EncounterKind,
    local_time: &str,
) -> String {
    format!(
        "Discharged from {facility} ({}) {local_time}; follow-up due within {} hours.",
        kind.label(),
        crate::encounters::FOLLOWUP_HOURS
    )
}

/// "Missed psychiatry appointment with Dr. Alvarez Mon 3/2 09:00."
pub fn missed_message(
    provider: &str,
    kind: crate::appointments::AppointmentKind,
    local_time: &str,
) -> String {
    format!(
        "Missed {} appointment with {provider} {local_time}.",
        kind.label()
    )
}

/// "3 missed appointments in the last 30 days."
pub fn disengagement_message(misses: usize) -> String {
    format!(
        "{misses} missed appointments in the last {} days: consider outreach or a peer-support referral.",
        crate::appointments::DISENGAGEMENT_WINDOW_DAYS
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_as_sentences() {
        use crate::encounters::EncounterKind;
        assert_eq!(
            discharge_message("Mercy ED", EncounterKind::Ed, "Mon 3/2 14:10"),
            "Discharged from Mercy ED (ED) Mon 3/2 14:10; follow-up due within 24 hours."
        );
        assert_eq!(
            admission_message("Unity Center", EncounterKind::Bhcc, "Sun 3/1 22:05"),
            "Admitted to Unity Center (crisis center) Sun 3/1 22:05."
        );
        assert!(disengagement_message(2).starts_with("2 missed appointments in the last 30 days"));
    }

    #[test]
    fn hospital_events_are_more_serious_than_a_single_missed_appointment() {
        assert!(AlertKind::Discharge.severity() > AlertKind::Disengagement.severity());
        assert!(AlertKind::Disengagement.severity() > AlertKind::MissedAppointment.severity());
        assert_eq!(AlertKind::Admission.severity(), Severity::High);
    }
}
