//! Outreach attempts: every call, text, visit or letter, and whether it
//! reached anyone.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::{PatientId, TaskId, UserId};
use crate::validation::{Context, Normalize, invalid_at, trimmed};
use validator::Validate;

use crate::contacts::ConsentScope;

code_enum! {
    /// How the attempt was made.
    pub enum OutreachMethod {
        /// Phone call.
        Phone,
        /// Text message.
        Text,
        /// Home or field visit.
        Visit,
        /// Letter.
        Letter,
        /// In person at the clinic.
        InPerson,
    }
}

impl OutreachMethod {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            OutreachMethod::Phone => "Phone",
            OutreachMethod::Text => "Text",
            OutreachMethod::Visit => "Visit",
            OutreachMethod::Letter => "Letter",
            OutreachMethod::InPerson => "In person",
        }
    }
}

code_enum! {
    /// What came of it.
    pub enum OutreachOutcome {
        /// Spoke with the person.
        Reached,
        /// Nobody answered.
        NoAnswer,
        /// Left a voicemail or message.
        LeftMessage,
        /// The number or address is wrong.
        WrongNumber,
        /// Reached, but they declined.
        Declined,
    }
}

impl OutreachOutcome {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            OutreachOutcome::Reached => "Reached",
            OutreachOutcome::NoAnswer => "No answer",
            OutreachOutcome::LeftMessage => "Left message",
            OutreachOutcome::WrongNumber => "Wrong number",
            OutreachOutcome::Declined => "Declined",
        }
    }

    /// Whether the attempt reached the person (declining is still reaching them).
    pub fn reached(self) -> bool {
        matches!(self, OutreachOutcome::Reached | OutreachOutcome::Declined)
    }
}

/// An outreach attempt as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutreachAttempt {
    /// Attempt id.
    pub id: Uuid,
    /// The patient.
    pub patient_id: PatientId,
    /// The task it was made for.
    pub task_id: Option<TaskId>,
    /// The contact reached out to instead of the patient.
    pub contact_id: Option<Uuid>,
    /// What was shared with that contact (checked against their consent).
    pub shared_scope: Option<ConsentScope>,
    /// How.
    pub method: OutreachMethod,
    /// What came of it.
    pub outcome: OutreachOutcome,
    /// Notes.
    pub notes: Option<String>,
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// Who made it.
    pub created_by: Option<UserId>,
    /// When recorded.
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v1/patients/{id}/outreach-attempts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[validate(context = Context)]
#[validate(schema(function = "shared_only_with_a_contact", skip_on_field_errors = false))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "task_id": "01939c2e-5d7a-7c4e-9f1b-2a3b4c5d6e80", "method": "phone", "outcome": "no_answer",
    "notes": "Voicemail full"
})))]
pub struct NewOutreachAttempt {
    /// The task it was made for.
    #[serde(default)]
    pub task_id: Option<TaskId>,
    /// A contact reached out to instead of the patient.
    #[serde(default)]
    pub contact_id: Option<Uuid>,
    /// What was shared with that contact; their consent must cover it.
    #[serde(default)]
    pub shared_scope: Option<ConsentScope>,
    /// How.
    pub method: OutreachMethod,
    /// What came of it.
    pub outcome: OutreachOutcome,
    /// Notes.
    #[serde(default)]
    #[validate(length(max = 4000, message = "must be at most 4000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub notes: Option<String>,
    /// When (now when omitted).
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
}

/// Paging for a patient's outreach attempts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct OutreachListQuery {
    /// Only attempts for this task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<TaskId>,
}

fn shared_only_with_a_contact(a: &NewOutreachAttempt) -> Result<(), validator::ValidationError> {
    if a.shared_scope.is_some() && a.contact_id.is_none() {
        Err(invalid_at(
            "shared_scope",
            "without_contact",
            "applies only to an attempt made to a contact (give contact_id)",
        ))
    } else {
        Ok(())
    }
}

impl Normalize for NewOutreachAttempt {
    fn normalized(self) -> NewOutreachAttempt {
        NewOutreachAttempt {
            notes: trimmed(self.notes),
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reaching_someone_includes_being_declined() {
        assert!(OutreachOutcome::Reached.reached());
        assert!(OutreachOutcome::Declined.reached());
        for o in [
            OutreachOutcome::NoAnswer,
            OutreachOutcome::LeftMessage,
            OutreachOutcome::WrongNumber,
        ] {
            assert!(!o.reached(), "{o}");
        }
    }
}
