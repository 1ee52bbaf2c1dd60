//! A patient's timeline: one chronological feed of everything that happened.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, EnumString, VariantArray};
use uuid::Uuid;

/// What kind of record an entry is.
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
    pub actor_id: Option<Uuid>,
}

/// Paging for `GET /api/v1/patients/{id}/timeline` (newest first).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct TimelineQuery {
    /// Page size, 1–200 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}
