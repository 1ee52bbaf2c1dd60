//! A patient's timeline: one chronological feed of everything that happened.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::UserId;

code_enum! {
    /// What kind of record an entry is.
    pub enum TimelineKind {
        /// A hospital/ED/crisis admission or discharge.
        Encounter,
        /// An appointment.
        Appointment,
        /// A task created or finished.
        Task,
        /// An outreach attempt.
        Outreach,
        /// A case note.
        Note,
        /// An alert.
        Alert,
        /// A change of case status.
        StatusChange,
        /// Patient education given.
        Education,
    }
}

/// One entry of the feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// What kind of record.
    pub kind: TimelineKind,
    /// The record's id.
    pub id: Uuid,
    /// One line for people.
    pub summary: String,
    /// Who did it, when a person did.
    pub actor_id: Option<UserId>,
}
