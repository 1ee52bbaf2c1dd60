//! The audit trail [FHIR AuditEvent]: who did what to which record, when and
//! from where. Append-only.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, EnumString, VariantArray};
use uuid::Uuid;

/// Who acted.
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
pub enum ActorType {
    /// A signed-in person.
    User,
    /// An integration or script using an API key.
    ApiKey,
    /// The system itself (command-line tools, scheduled rules).
    System,
}

/// One audited action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    /// Event id (increasing).
    pub id: i64,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Kind of actor.
    pub actor_type: ActorType,
    /// The user or API key that acted.
    pub actor_id: Option<Uuid>,
    /// The user's email or the key's name, as it was then.
    pub actor_label: Option<String>,
    /// What was done: `patient.read`, `patient.update`, `user.create` …
    pub action: String,
    /// The patient whose data was touched, if one was.
    pub patient_id: Option<Uuid>,
    /// Kind of record (`patient`, `user`, `api_key` …).
    pub resource_type: String,
    /// The record's id.
    pub resource_id: Option<String>,
    /// The request's `X-Request-Id`.
    pub request_id: Option<String>,
    /// The client's network address.
    pub client_addr: Option<String>,
    /// Further facts (filters used, fields changed, patients listed).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub details: serde_json::Value,
}

/// Filters for `GET /api/v1/audit-events` (newest first).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AuditQuery {
    /// Only events touching this patient (including lists that showed them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_id: Option<Uuid>,
    /// Only events by this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Uuid>,
    /// Only events at or after this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    /// Only this action, e.g. `patient.read`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Page size, 1–200 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}
