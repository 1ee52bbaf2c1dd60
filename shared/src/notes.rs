//! Case notes and activities: what a care manager did and how long it took.
//! A signed note never changes; corrections are addenda. Minutes by
//! activity type are the productivity measure (the standard is 80–90% of
//! time on care coordination).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::{PatientId, TaskId, UserId};
use crate::validation::{Context, Normalize};
use validator::Validate;

code_enum! {
    /// Kind of activity a note records.
    #[derive(PartialOrd, Ord)]
    pub enum NoteType {
        /// Coordinating with providers, programs, pharmacies.
        CareCoordination,
        /// Reaching out to the patient or their contacts.
        Outreach,
        /// Reviewing the record.
        ChartReview,
        /// Teaching self-management.
        Education,
        /// Team huddle about the patient.
        Huddle,
        /// Consulting a specialist or supervisor.
        Consultation,
        /// Assessment or reassessment.
        Assessment,
        /// Paperwork, travel and everything else.
        Administrative,
    }
}

impl NoteType {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            NoteType::CareCoordination => "Care coordination",
            NoteType::Outreach => "Outreach",
            NoteType::ChartReview => "Chart review",
            NoteType::Education => "Education",
            NoteType::Huddle => "Huddle",
            NoteType::Consultation => "Consultation",
            NoteType::Assessment => "Assessment",
            NoteType::Administrative => "Administrative",
        }
    }

    /// Whether the activity counts as care coordination for productivity
    /// (everything but administrative time).
    pub fn is_care_coordination(self) -> bool {
        self != NoteType::Administrative
    }
}

/// A correction or addition to a signed note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Addendum {
    /// Addendum id.
    pub id: Uuid,
    /// Who wrote it.
    pub author_id: Option<UserId>,
    /// What it says.
    pub body: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// A note as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Note {
    /// Note id.
    pub id: Uuid,
    /// The patient.
    pub patient_id: PatientId,
    /// Who wrote it.
    pub author_id: Option<UserId>,
    /// Kind of activity.
    #[serde(rename = "type")]
    pub note_type: NoteType,
    /// What happened.
    pub body: String,
    /// Minutes spent.
    pub minutes: i32,
    /// When the activity happened.
    pub occurred_at: DateTime<Utc>,
    /// The task it was written for, if any.
    pub task_id: Option<TaskId>,
    /// When it was signed (then it never changes).
    pub signed_at: Option<DateTime<Utc>>,
    /// Who signed it.
    pub signed_by: Option<UserId>,
    /// Corrections and additions after signing, oldest first.
    pub addenda: Vec<Addendum>,
    /// Version (also the `ETag`).
    pub version: i32,
    /// When written.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// Longest activity a single note may record (a full working day).
pub const MAX_MINUTES: i32 = 720;

/// `POST /api/v1/patients/{id}/notes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "type": "care_coordination", "body": "Called Mercy ED social work; discharge summary faxed.", "minutes": 20,
    "occurred_at": "2026-03-02T15:00:00Z"
})))]
pub struct NewNote {
    /// Kind of activity.
    #[serde(rename = "type")]
    pub note_type: NoteType,
    /// What happened.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 20000, message = "must be at most 20000 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 20000, pattern = r"\S")
    )]
    pub body: String,
    /// Minutes spent (0–720).
    #[validate(range(min = 0, max = 720, message = "must be between 0 and 720"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 720))]
    pub minutes: i32,
    /// When the activity happened (now when omitted).
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
    /// The task it was written for.
    #[serde(default)]
    pub task_id: Option<TaskId>,
}

/// `PATCH /api/v1/notes/{id}`: only unsigned notes change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"minutes": 25, "version": 1})))]
pub struct NotePatch {
    /// Kind of activity.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub note_type: Option<NoteType>,
    /// What happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 20000, message = "must be at most 20000 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 20000, pattern = r"\S")
    )]
    pub body: Option<String>,
    /// Minutes spent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(range(min = 0, max = 720, message = "must be between 0 and 720"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 720))]
    pub minutes: Option<i32>,
    /// When it happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<DateTime<Utc>>,
    /// The version this change is based on (or send `If-Match`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

/// `POST /api/v1/notes/{id}/sign`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignRequest {
    /// The version being signed (or send `If-Match`): you sign what you read.
    #[serde(default)]
    pub version: Option<i32>,
}

/// `POST /api/v1/notes/{id}/addenda`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"body": "Correction: the call was with Mercy ED, not Providence."})))]
pub struct NewAddendum {
    /// The correction or addition.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 20000, message = "must be at most 20000 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 20000, pattern = r"\S")
    )]
    pub body: String,
}

impl Normalize for NewNote {
    fn normalized(self) -> NewNote {
        NewNote {
            body: self.body.trim().to_string(),
            ..self
        }
    }
}

impl Normalize for NotePatch {
    fn normalized(self) -> NotePatch {
        NotePatch {
            body: self.body.map(|b| b.trim().to_string()),
            ..self
        }
    }
}

impl NotePatch {
    /// `note` as the patch leaves it (the caller has checked it is unsigned).
    pub fn apply_to(self, note: &mut Note) {
        if let Some(t) = self.note_type {
            note.note_type = t;
        }
        if let Some(b) = self.body {
            note.body = b;
        }
        if let Some(m) = self.minutes {
            note.minutes = m;
        }
        if let Some(at) = self.occurred_at {
            note.occurred_at = at;
        }
    }
}

impl Normalize for SignRequest {}

impl Normalize for NewAddendum {
    fn normalized(self) -> NewAddendum {
        NewAddendum {
            body: self.body.trim().to_string(),
        }
    }
}

/// Minutes one user recorded of one activity type on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityMinutes {
    /// The user.
    pub user_id: UserId,
    /// The local date.
    pub date: NaiveDate,
    /// Activity type.
    pub note_type: NoteType,
    /// Minutes.
    pub minutes: i64,
}

/// One user's day of recorded activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductivityDay {
    /// The user.
    pub user_id: UserId,
    /// The user's name.
    pub user_name: String,
    /// The date, on the organization's calendar.
    pub date: NaiveDate,
    /// Minutes by activity type (`care_coordination`, `outreach` …).
    pub minutes_by_type: BTreeMap<String, i64>,
    /// All minutes.
    pub total_minutes: i64,
    /// Minutes on care-coordination activities.
    pub coordination_minutes: i64,
    /// Share of minutes on care coordination, 0–100 (`null` with no minutes).
    pub coordination_percent: Option<u8>,
    /// Whether the share meets the 80% standard.
    pub meets_standard: bool,
}

/// The productivity standard: share of time on care coordination.
pub const COORDINATION_STANDARD_PERCENT: u8 = 80;

/// Adds up activity minutes into one row per user and day (ordered by date
/// then user). `name` gives a user's display name.
pub fn summarize(
    rows: &[ActivityMinutes],
    name: &dyn Fn(UserId) -> String,
) -> Vec<ProductivityDay> {
    let mut days: BTreeMap<(NaiveDate, UserId), BTreeMap<String, i64>> = BTreeMap::new();
    let mut coordination: BTreeMap<(NaiveDate, UserId), i64> = BTreeMap::new();
    for r in rows {
        *days
            .entry((r.date, r.user_id))
            .or_default()
            .entry(r.note_type.as_ref().to_string())
            .or_default() += r.minutes;
        if r.note_type.is_care_coordination() {
            *coordination.entry((r.date, r.user_id)).or_default() += r.minutes;
        }
    }
    days.into_iter()
        .map(|((date, user_id), by_type)| {
            let total: i64 = by_type.values().sum();
            let coord = coordination.get(&(date, user_id)).copied().unwrap_or(0);
            let percent = crate::organization::percent(coord, total);
            ProductivityDay {
                user_id,
                user_name: name(user_id),
                date,
                minutes_by_type: by_type,
                total_minutes: total,
                coordination_minutes: coord,
                coordination_percent: percent,
                meets_standard: percent.is_some_and(|p| p >= COORDINATION_STANDARD_PERCENT),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::VariantArray;

    #[test]
    fn minutes_add_up_per_user_and_day_with_the_coordination_share() {
        let (a, b) = (
            UserId::from(Uuid::from_u128(1)),
            UserId::from(Uuid::from_u128(2)),
        );
        let day: NaiveDate = "2026-03-02".parse().unwrap();
        let rows = vec![
            ActivityMinutes {
                user_id: a,
                date: day,
                note_type: NoteType::CareCoordination,
                minutes: 60,
            },
            ActivityMinutes {
                user_id: a,
                date: day,
                note_type: NoteType::Outreach,
                minutes: 30,
            },
            ActivityMinutes {
                user_id: a,
                date: day,
                note_type: NoteType::Administrative,
                minutes: 30,
            },
            ActivityMinutes {
                user_id: b,
                date: day,
                note_type: NoteType::Administrative,
                minutes: 10,
            },
        ];
        let days = summarize(&rows, &|id| format!("user {id}"));
        assert_eq!(days.len(), 2);
        let first = &days[0];
        assert_eq!(first.user_id, a);
        assert_eq!(first.total_minutes, 120);
        assert_eq!(first.coordination_minutes, 90);
        assert_eq!(first.coordination_percent, Some(75));
        assert!(!first.meets_standard);
        assert_eq!(first.minutes_by_type["outreach"], 30);
        assert_eq!(days[1].coordination_percent, Some(0));
    }

    #[test]
    fn eighty_percent_coordination_meets_the_standard() {
        let a = UserId::from(Uuid::from_u128(1));
        let day: NaiveDate = "2026-03-02".parse().unwrap();
        let rows = vec![
            ActivityMinutes {
                user_id: a,
                date: day,
                note_type: NoteType::ChartReview,
                minutes: 80,
            },
            ActivityMinutes {
                user_id: a,
                date: day,
                note_type: NoteType::Administrative,
                minutes: 20,
            },
        ];
        assert!(summarize(&rows, &|_| String::new())[0].meets_standard);
    }

    #[test]
    fn only_administrative_time_is_not_coordination() {
        for t in NoteType::VARIANTS {
            assert_eq!(t.is_care_coordination(), *t != NoteType::Administrative);
        }
    }

    #[test]
    fn a_note_needs_a_body_and_plausible_minutes() {
        let n = NewNote {
            note_type: NoteType::Outreach,
            body: " ".into(),
            minutes: 800,
            occurred_at: None,
            task_id: None,
        };
        let fields: Vec<_> = crate::validation::check(n, &crate::validation::test_context())
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["body", "minutes"]);
    }

    #[test]
    fn the_note_type_is_called_type_on_the_wire() {
        let n: NewNote =
            serde_json::from_str(r#"{"type":"huddle","body":"b","minutes":5}"#).unwrap();
        assert_eq!(n.note_type, NoteType::Huddle);
    }
}
