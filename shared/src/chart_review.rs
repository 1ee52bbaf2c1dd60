//! Chart reviews: a structured look at a patient's record — service use,
//! engagement, adherence to the plan — that records the gaps in care it
//! found and turns the chosen ones into tasks, in one transaction. Its
//! minutes count in productivity as a chart-review note.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::Validate;

use crate::gaps::GapCode;
use crate::ids::{PatientId, TaskId, UserId};
use crate::validation::{Context, Normalize};

code_enum! {
    /// How engaged the patient is with care.
    pub enum Engagement {
        /// Attends and responds.
        Engaged,
        /// Some contact, some misses.
        PartiallyEngaged,
        /// Out of touch.
        Disengaged,
    }
}

code_enum! {
    /// How the patient follows the care plan.
    pub enum PlanAdherence {
        /// Follows it.
        Adherent,
        /// In part.
        Partial,
        /// Does not.
        NonAdherent,
        /// There is no plan to follow.
        NoPlan,
    }
}

/// `POST /api/v1/patients/{id}/chart-reviews`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "service_use": "ED visit 11/20, no PCP visit this year",
    "engagement": "partially_engaged",
    "plan_adherence": "partial",
    "minutes": 25,
    "gaps": ["no_primary_care", "phq9_overdue"]
})))]
pub struct NewChartReview {
    /// Service utilization seen in the record.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 2000, message = "must be at most 2000 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 2000, pattern = r"\S")
    )]
    pub service_use: String,
    /// Engagement with care.
    pub engagement: Engagement,
    /// Adherence to the care plan.
    pub plan_adherence: PlanAdherence,
    /// Anything else the reviewer concluded.
    #[serde(default)]
    #[validate(length(max = 4000, message = "must be at most 4000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub summary: Option<String>,
    /// Minutes spent (they count in productivity).
    #[validate(range(min = 1, max = 720, message = "must be from 1 to 720"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 720))]
    pub minutes: i32,
    /// The `key`s of current gaps (`GET /patients/{id}/gaps`) to turn into
    /// tasks; each must be one of the patient's current gaps.
    #[serde(default)]
    #[validate(length(max = 20, message = "must have at most 20 items"))]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub gaps: Vec<String>,
}

impl Normalize for NewChartReview {
    fn normalized(self) -> NewChartReview {
        let mut gaps: Vec<String> = self.gaps.iter().map(|g| g.trim().to_owned()).collect();
        gaps.dedup();
        NewChartReview {
            service_use: self.service_use.trim().to_owned(),
            summary: crate::validation::trimmed(self.summary),
            gaps,
            ..self
        }
    }
}

/// A gap a review found, and the task made from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    /// The gap's kind.
    pub code: GapCode,
    /// The gap, in words.
    pub description: String,
    /// The task made to close it.
    pub task_id: Option<TaskId>,
}

/// A recorded chart review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChartReview {
    /// Id.
    pub id: Uuid,
    /// The patient.
    pub patient_id: PatientId,
    /// Who reviewed.
    pub reviewed_by: Option<UserId>,
    /// Service utilization seen.
    pub service_use: String,
    /// Engagement.
    pub engagement: Engagement,
    /// Plan adherence.
    pub plan_adherence: PlanAdherence,
    /// Conclusions.
    pub summary: Option<String>,
    /// Minutes spent.
    pub minutes: i32,
    /// The chart-review note that carries the minutes.
    pub note_id: Uuid,
    /// The gaps turned into tasks.
    pub findings: Vec<Finding>,
    /// When.
    pub reviewed_at: DateTime<Utc>,
    /// Always 1: a review is never edited.
    pub version: i32,
}
