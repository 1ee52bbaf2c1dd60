//! Huddles: the team's short case conference. A huddle records its date
//! (on the organization's calendar), who attended, the patients discussed
//! with notes on each, and action items — each of which becomes a task on
//! someone's worklist in the same transaction as the huddle.
//!
//! The proposed agenda ([`agenda`]) is built from the same records the
//! worklists are: open safety flags, new discharges (the last
//! [`DISCHARGE_WINDOW_HOURS`] hours), overdue work and high-risk patients,
//! one item per patient with every reason it is there, safety first.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::calendar::humanize;
use crate::encounters::EncounterKind;
use crate::ids::{PatientId, TaskId, UserId};
use crate::patch::Patch;
use crate::risk::{RiskLevel, top_factor_labels};
use crate::screening::Instrument;
use crate::tasks::{TaskKind, TaskStatus};
use crate::validation::{Context, Normalize, invalid, trimmed, trimmed_patch};
use crate::worklist::PatientSummary;

/// A discharge this recent (in hours) is "new" and goes on the agenda.
pub const DISCHARGE_WINDOW_HOURS: i64 = 72;
/// A suicide-risk screening this recent (in days) goes on the agenda even
/// after its safety alert was acknowledged; an unacknowledged safety alert
/// stays on it whatever its age.
pub const SAFETY_SCREENING_WINDOW_DAYS: i64 = 14;
/// At most this many records of each kind (safety flags, discharges,
/// overdue tasks, high-risk patients) are read to build one agenda: the
/// most urgent of each kind (oldest unacknowledged flag, oldest overdue
/// task, newest discharge, highest risk). The agenda is bounded by this.
pub const AGENDA_SOURCE_LIMIT: i64 = 300;
/// Attendees, patients discussed and action items a huddle may hold, each.
pub const MAX_HUDDLE_ENTRIES: u64 = 100;

code_enum! {
    /// Why a patient is on the proposed agenda, most urgent first.
    #[derive(PartialOrd, Ord)]
    pub enum AgendaReasonKind {
        /// An open safety alert, or a recent suicide-risk screening.
        SafetyFlag,
        /// Discharged from a hospital, ED, crisis center or detox in the
        /// last 72 hours.
        NewDischarge,
        /// A task past its due time.
        OverdueWork,
        /// The patient's risk level is high or very high.
        HighRisk,
    }
}

impl AgendaReasonKind {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            AgendaReasonKind::SafetyFlag => "Safety flag",
            AgendaReasonKind::NewDischarge => "New discharge",
            AgendaReasonKind::OverdueWork => "Overdue work",
            AgendaReasonKind::HighRisk => "High risk",
        }
    }
}

/// One fact the agenda is built from, as the database found it.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact {
    /// An unacknowledged safety alert.
    SafetyAlert {
        /// Its text.
        message: String,
        /// When it was raised.
        raised_at: DateTime<Utc>,
    },
    /// A suicide-risk screening of the last two weeks whose alert is
    /// acknowledged.
    FlaggedScreening {
        /// The instrument.
        instrument: Instrument,
        /// When it was given.
        administered_at: DateTime<Utc>,
    },
    /// A recent discharge.
    Discharge {
        /// Hospital or center.
        facility: String,
        /// Kind of stay.
        kind: EncounterKind,
        /// When the patient left.
        discharged_at: DateTime<Utc>,
    },
    /// An overdue task.
    OverdueTask {
        /// The task.
        task_id: TaskId,
        /// Its title.
        title: String,
        /// Its kind.
        kind: TaskKind,
        /// When it was due.
        due_at: DateTime<Utc>,
        /// Its assignee's name, if anyone has it.
        assignee: Option<String>,
    },
    /// A high or very high risk level.
    HighRisk,
}

impl Fact {
    /// The reason kind this fact gives.
    pub fn kind(&self) -> AgendaReasonKind {
        match self {
            Fact::SafetyAlert { .. } | Fact::FlaggedScreening { .. } => {
                AgendaReasonKind::SafetyFlag
            }
            Fact::Discharge { .. } => AgendaReasonKind::NewDischarge,
            Fact::OverdueTask { .. } => AgendaReasonKind::OverdueWork,
            Fact::HighRisk => AgendaReasonKind::HighRisk,
        }
    }

    /// When it happened (`None` for a standing risk level).
    pub fn at(&self) -> Option<DateTime<Utc>> {
        match self {
            Fact::SafetyAlert { raised_at, .. } => Some(*raised_at),
            Fact::FlaggedScreening {
                administered_at, ..
            } => Some(*administered_at),
            Fact::Discharge { discharged_at, .. } => Some(*discharged_at),
            Fact::OverdueTask { due_at, .. } => Some(*due_at),
            Fact::HighRisk => None,
        }
    }
}

/// A fact about one patient, with the patient and who carries them.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientFact {
    /// The patient.
    pub patient: PatientSummary,
    /// The patient's primary care manager (whose worklist has their work).
    pub care_manager_id: Option<UserId>,
    /// What was found.
    pub fact: Fact,
}

/// One reason a patient is on the agenda.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgendaReason {
    /// What kind of reason.
    pub kind: AgendaReasonKind,
    /// The reason, in a sentence a person reads ("Discharged from Mercy
    /// ED (ED) Mon 11/30 14:10").
    pub text: String,
    /// When it happened (the alert, screening, discharge or due time;
    /// `null` for a risk level).
    pub at: Option<DateTime<Utc>>,
    /// The overdue task, for overdue work.
    pub task_id: Option<TaskId>,
}

/// A patient on the proposed agenda and every reason they are there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgendaItem {
    /// The patient.
    pub patient: PatientSummary,
    /// The most urgent reason's kind (what orders the agenda).
    pub top_reason: AgendaReasonKind,
    /// Every reason, most urgent first.
    pub reasons: Vec<AgendaReason>,
    /// The patient's primary care manager.
    pub care_manager_id: Option<UserId>,
    /// That care manager's worklist (`/api/v1/worklist?user_id=…`), where
    /// the patient's work is; `null` without a care manager.
    pub worklist_link: Option<String>,
}

/// Where an agenda item stands in the order: smaller first.
/// `(top reason, risk rank, first time of the top reason, name, patient)`.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize
)]
pub struct AgendaKey(
    pub AgendaReasonKind,
    pub u8,
    pub Option<DateTime<Utc>>,
    pub String,
    pub PatientId,
);

/// Highest risk first.
fn risk_rank(risk: RiskLevel) -> u8 {
    match risk {
        RiskLevel::VeryHigh => 0,
        RiskLevel::High => 1,
        RiskLevel::Moderate => 2,
        RiskLevel::Low => 3,
    }
}

/// The order key of an agenda item.
pub fn agenda_key(item: &AgendaItem) -> AgendaKey {
    let first = item
        .reasons
        .iter()
        .filter(|r| r.kind == item.top_reason)
        .filter_map(|r| r.at)
        .min();
    AgendaKey(
        item.top_reason,
        risk_rank(item.patient.risk_level),
        first,
        item.patient.name.clone(),
        item.patient.id,
    )
}

/// The sentence for one fact. `local` renders an instant on the
/// organization's wall clock.
pub fn reason_text(
    fact: &Fact,
    patient: &PatientSummary,
    now: DateTime<Utc>,
    local: &dyn Fn(DateTime<Utc>) -> String,
) -> String {
    match fact {
        Fact::SafetyAlert { message, .. } => format!("Open safety alert: {message}"),
        Fact::FlaggedScreening {
            instrument,
            administered_at,
        } => format!(
            "{} {} flagged suicide risk",
            instrument.label(),
            local(*administered_at)
        ),
        Fact::Discharge {
            facility,
            kind,
            discharged_at,
        } => format!(
            "Discharged from {facility} ({}) {}",
            kind.label(),
            local(*discharged_at)
        ),
        Fact::OverdueTask {
            title,
            kind,
            due_at,
            assignee,
            ..
        } => {
            let who = assignee
                .as_deref()
                .map_or_else(|| "unassigned".to_string(), |a| format!("assigned to {a}"));
            format!(
                "{} \"{title}\" overdue by {} ({who})",
                kind.label(),
                humanize(now - *due_at)
            )
        }
        Fact::HighRisk if patient.risk_factors.is_empty() => {
            format!("{} risk", patient.risk_level.label())
        }
        Fact::HighRisk => format!(
            "{} risk ({})",
            patient.risk_level.label(),
            top_factor_labels(&patient.risk_factors, 2)
        ),
    }
}

/// The proposed agenda: one item per patient with every reason found,
/// reasons most urgent first (then oldest first), items ordered by their
/// most urgent reason (safety, discharges, overdue work, high risk), then
/// by patient risk (very high first), then by how long the top reason has
/// waited (oldest first), then by name.
pub fn agenda(
    facts: Vec<PatientFact>,
    now: DateTime<Utc>,
    local: &dyn Fn(DateTime<Utc>) -> String,
) -> Vec<AgendaItem> {
    let mut by_patient: HashMap<PatientId, AgendaItem> = HashMap::new();
    for PatientFact {
        patient,
        care_manager_id,
        fact,
    } in facts
    {
        let reason = AgendaReason {
            kind: fact.kind(),
            text: reason_text(&fact, &patient, now, local),
            at: fact.at(),
            task_id: match &fact {
                Fact::OverdueTask { task_id, .. } => Some(*task_id),
                _ => None,
            },
        };
        by_patient
            .entry(patient.id)
            .or_insert_with(|| AgendaItem {
                top_reason: reason.kind,
                reasons: Vec::new(),
                worklist_link: care_manager_id.map(worklist_link),
                care_manager_id,
                patient,
            })
            .reasons
            .push(reason);
    }
    let mut items: Vec<AgendaItem> = by_patient
        .into_values()
        .map(|mut item| {
            item.reasons.sort_by(|a, b| {
                (a.kind, a.at, &a.text, a.task_id).cmp(&(b.kind, b.at, &b.text, b.task_id))
            });
            item.reasons.dedup();
            item.top_reason = item.reasons.first().map_or(item.top_reason, |r| r.kind);
            item
        })
        .collect();
    items.sort_by_key(agenda_key);
    items
}

/// The worklist that holds a care manager's work.
pub fn worklist_link(user: UserId) -> String {
    format!("/api/v1/worklist?user_id={user}")
}

/// Whose agenda: `GET /api/v1/huddles/agenda`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AgendaQuery {
    /// One care manager's caseload (supervisors); without it a supervisor
    /// sees the whole organization and anyone else their own caseload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub care_manager_id: Option<UserId>,
}

/// Someone at a huddle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attendee {
    /// The user.
    pub user_id: UserId,
    /// Their name.
    pub name: String,
}

/// A patient discussed at a huddle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Discussion {
    /// The patient.
    pub patient_id: PatientId,
    /// The patient's name ("Family, Given").
    pub patient_name: String,
    /// What was said and decided.
    pub notes: Option<String>,
}

/// An action item: the task it became, as it is now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionItem {
    /// Action item id (the task's `source_id`).
    pub id: Uuid,
    /// The task it became.
    pub task_id: TaskId,
    /// The patient.
    pub patient_id: PatientId,
    /// The patient's name.
    pub patient_name: String,
    /// What to do.
    pub title: String,
    /// Kind of work.
    pub kind: TaskKind,
    /// Who does it.
    pub assignee_id: Option<UserId>,
    /// Their name.
    pub assignee_name: Option<String>,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// Where the task stands now.
    pub status: TaskStatus,
}

/// A huddle as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Huddle {
    /// Huddle id.
    pub id: Uuid,
    /// Its date, on the organization's calendar.
    pub held_on: NaiveDate,
    /// Notes on the huddle as a whole.
    pub notes: Option<String>,
    /// Who attended, by name.
    pub attendees: Vec<Attendee>,
    /// The patients discussed, in the order they were.
    pub patients: Vec<Discussion>,
    /// The action items, in the order they were given.
    pub action_items: Vec<ActionItem>,
    /// Who recorded it.
    pub recorded_by: Option<UserId>,
    /// Version (also the `ETag`).
    pub version: i32,
    /// When recorded.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

impl Huddle {
    /// Every patient the huddle touches (discussed or given an action
    /// item), each once, discussed first.
    pub fn patient_ids(&self) -> Vec<PatientId> {
        let mut ids: Vec<PatientId> = Vec::new();
        for id in self
            .patients
            .iter()
            .map(|p| p.patient_id)
            .chain(self.action_items.iter().map(|a| a.patient_id))
        {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    }
}

/// A patient to discuss.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewDiscussion {
    /// The patient.
    pub patient_id: PatientId,
    /// What was said and decided.
    #[serde(default)]
    #[validate(length(max = 4000, message = "must be at most 4000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub notes: Option<String>,
}

/// An action item to give: it becomes a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewActionItem {
    /// The patient.
    pub patient_id: PatientId,
    /// What to do.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub title: String,
    /// Who does it; whoever records the huddle when omitted. Giving it to
    /// someone else takes a supervisor, as for any task.
    #[serde(default)]
    pub assignee_id: Option<UserId>,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// Kind of work (`custom` when omitted; not one the rules create).
    #[serde(default = "custom_kind")]
    #[validate(custom(function = "made_by_hand"))]
    pub kind: TaskKind,
}

fn custom_kind() -> TaskKind {
    TaskKind::Custom
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "validator hands a custom rule its field by reference"
)]
fn made_by_hand(kind: &TaskKind) -> Result<(), ValidationError> {
    if kind.is_rule_generated() {
        Err(invalid(
            "rule_generated",
            "is created by the system's rules, not by hand",
        ))
    } else {
        Ok(())
    }
}

fn distinct_users(ids: &[UserId]) -> Result<(), ValidationError> {
    if has_duplicates(ids.iter()) {
        Err(invalid("duplicate", "names someone twice"))
    } else {
        Ok(())
    }
}

fn distinct_patients(items: &[NewDiscussion]) -> Result<(), ValidationError> {
    if has_duplicates(items.iter().map(|d| d.patient_id)) {
        Err(invalid("duplicate", "names a patient twice"))
    } else {
        Ok(())
    }
}

fn has_duplicates<T: Ord>(items: impl Iterator<Item = T>) -> bool {
    let mut seen: Vec<T> = items.collect();
    let n = seen.len();
    seen.sort();
    seen.dedup();
    seen.len() != n
}

/// `POST /api/v1/huddles`: record a huddle. Its action items become tasks
/// in the same transaction; one bad item (an unknown patient or assignee)
/// records nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "held_on": "2026-12-01",
    "attendee_ids": ["01939c2e-5d7a-7c4e-9f1b-2a3b4c5d6e70"],
    "patients": [{"patient_id": "01939c2e-5d7a-7c4e-9f1b-2a3b4c5d6e7f",
                  "notes": "Discharged Sunday; no follow-up appointment yet."}],
    "action_items": [{"patient_id": "01939c2e-5d7a-7c4e-9f1b-2a3b4c5d6e7f",
                      "title": "Book the 7-day follow-up visit", "due_at": "2026-12-03T17:00:00Z"}]
})))]
pub struct NewHuddle {
    /// The huddle's date on the organization's calendar (today when
    /// omitted; not in the future).
    #[serde(default)]
    #[validate(custom(function = "crate::validation::not_after_today", use_context))]
    pub held_on: Option<NaiveDate>,
    /// Notes on the huddle as a whole.
    #[serde(default)]
    #[validate(length(max = 4000, message = "must be at most 4000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub notes: Option<String>,
    /// Who attended: active users of the organization, each once (at
    /// least one).
    #[validate(
        length(min = 1, max = 100, message = "must list 1 to 100 people"),
        custom(function = "distinct_users")
    )]
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 100))]
    pub attendee_ids: Vec<UserId>,
    /// The patients discussed, each patient once, with notes.
    #[serde(default)]
    #[validate(
        nested,
        length(max = 100, message = "must have at most 100 items"),
        custom(function = "distinct_patients")
    )]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub patients: Vec<NewDiscussion>,
    /// Action items: each becomes a task.
    #[serde(default)]
    #[validate(nested, length(max = 100, message = "must have at most 100 items"))]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub action_items: Vec<NewActionItem>,
}

impl Normalize for NewHuddle {
    fn normalized(self) -> NewHuddle {
        NewHuddle {
            notes: trimmed(self.notes),
            patients: self
                .patients
                .into_iter()
                .map(|p| NewDiscussion {
                    notes: trimmed(p.notes),
                    ..p
                })
                .collect(),
            action_items: self
                .action_items
                .into_iter()
                .map(|a| NewActionItem {
                    title: a.title.trim().to_string(),
                    ..a
                })
                .collect(),
            ..self
        }
    }
}

/// Notes on one discussed patient, changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiscussionNotes {
    /// A patient the huddle discussed.
    pub patient_id: PatientId,
    /// The notes (`null` clears them).
    #[validate(length(max = 4000, message = "must be at most 4000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub notes: Option<String>,
}

/// `PATCH /api/v1/huddles/{id}`: change the notes (the date, attendees and
/// action items stay as recorded; tasks are worked on the worklist).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "notes": "Follow up next week.", "version": 1
})))]
pub struct HuddlePatch {
    /// Notes on the huddle as a whole (`null` clears).
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 4000))]
    #[validate(length(max = 4000, message = "must be at most 4000 characters"))]
    pub notes: Patch<String>,
    /// New notes on patients it discussed.
    #[serde(default)]
    #[validate(nested, length(max = 100, message = "must have at most 100 items"))]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub patient_notes: Vec<DiscussionNotes>,
    /// The version the change was made on (or `If-Match`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

impl Normalize for HuddlePatch {
    fn normalized(self) -> HuddlePatch {
        HuddlePatch {
            notes: trimmed_patch(self.notes),
            patient_notes: self
                .patient_notes
                .into_iter()
                .map(|p| DiscussionNotes {
                    notes: trimmed(p.notes),
                    ..p
                })
                .collect(),
            ..self
        }
    }
}

impl crate::version::BasedOn for NewHuddle {
    fn based_on(&self) -> Option<i32> {
        None
    }
}

impl crate::version::BasedOn for HuddlePatch {
    fn based_on(&self) -> Option<i32> {
        self.version
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::RiskFactorCode;
    use crate::validation::{Valid, check};
    use chrono::Duration;

    fn now() -> DateTime<Utc> {
        "2026-12-01T18:00:00Z".parse().unwrap()
    }

    fn local(t: DateTime<Utc>) -> String {
        t.format("%a %-m/%-d %H:%M").to_string()
    }

    fn patient(n: u128, name: &str, risk: RiskLevel) -> PatientSummary {
        PatientSummary {
            id: PatientId::from(Uuid::from_u128(n)),
            name: name.into(),
            risk_level: risk,
            risk_factors: vec![],
        }
    }

    fn fact(p: &PatientSummary, fact: Fact) -> PatientFact {
        PatientFact {
            patient: p.clone(),
            care_manager_id: Some(UserId::from(Uuid::from_u128(99))),
            fact,
        }
    }

    fn overdue(hours: i64) -> Fact {
        Fact::OverdueTask {
            task_id: TaskId::from(Uuid::from_u128(u128::from(hours.unsigned_abs()))),
            title: "Call back".into(),
            kind: TaskKind::Outreach,
            due_at: now() - Duration::hours(hours),
            assignee: Some("Casey Nguyen".into()),
        }
    }

    #[test]
    fn one_item_per_patient_with_every_reason_most_urgent_first() {
        let p = patient(1, "Lopez, Maria", RiskLevel::High);
        let items = agenda(
            vec![
                fact(&p, Fact::HighRisk),
                fact(&p, overdue(30)),
                fact(
                    &p,
                    Fact::Discharge {
                        facility: "Mercy ED".into(),
                        kind: EncounterKind::Ed,
                        discharged_at: now() - Duration::hours(20),
                    },
                ),
            ],
            now(),
            &local,
        );
        assert_eq!(items.len(), 1);
        let item = &items[0];
        assert_eq!(item.top_reason, AgendaReasonKind::NewDischarge);
        let kinds: Vec<AgendaReasonKind> = item.reasons.iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            [
                AgendaReasonKind::NewDischarge,
                AgendaReasonKind::OverdueWork,
                AgendaReasonKind::HighRisk
            ]
        );
        assert_eq!(
            item.reasons[0].text,
            "Discharged from Mercy ED (ED) Mon 11/30 22:00"
        );
        assert_eq!(
            item.reasons[1].text,
            "Outreach \"Call back\" overdue by 1 d 6 h (assigned to Casey Nguyen)"
        );
        assert_eq!(
            item.reasons[1].task_id,
            Some(TaskId::from(Uuid::from_u128(30)))
        );
        assert_eq!(item.reasons[2].text, "High risk");
        assert_eq!(
            item.worklist_link.as_deref(),
            Some("/api/v1/worklist?user_id=00000000-0000-0000-0000-000000000063")
        );
    }

    #[test]
    fn safety_comes_first_then_discharges_then_overdue_work_then_high_risk() {
        let risky = patient(1, "Adams, Ann", RiskLevel::VeryHigh);
        let late = patient(2, "Brown, Bo", RiskLevel::Low);
        let home = patient(3, "Cruz, Cy", RiskLevel::Low);
        let flagged = patient(4, "Diaz, Di", RiskLevel::Moderate);
        let items = agenda(
            vec![
                fact(&risky, Fact::HighRisk),
                fact(&late, overdue(3)),
                fact(
                    &home,
                    Fact::Discharge {
                        facility: "Cascade".into(),
                        kind: EncounterKind::InpatientPsych,
                        discharged_at: now() - Duration::hours(2),
                    },
                ),
                fact(
                    &flagged,
                    Fact::FlaggedScreening {
                        instrument: Instrument::Phq9,
                        administered_at: now() - Duration::days(2),
                    },
                ),
            ],
            now(),
            &local,
        );
        let names: Vec<&str> = items.iter().map(|i| i.patient.name.as_str()).collect();
        assert_eq!(names, ["Diaz, Di", "Cruz, Cy", "Brown, Bo", "Adams, Ann"]);
        assert_eq!(
            items[0].reasons[0].text,
            "PHQ-9 Sun 11/29 18:00 flagged suicide risk"
        );
    }

    #[test]
    fn inside_a_reason_higher_risk_then_longer_waiting_then_name_go_first() {
        let a = patient(1, "Zed, Al", RiskLevel::High);
        let b = patient(2, "Young, Bea", RiskLevel::Moderate);
        let c = patient(3, "Xu, Cal", RiskLevel::Moderate);
        let d = patient(4, "Abe, Dee", RiskLevel::Moderate);
        let items = agenda(
            vec![
                fact(&b, overdue(5)),
                fact(&c, overdue(50)),
                fact(&a, overdue(1)),
                fact(&d, overdue(5)),
            ],
            now(),
            &local,
        );
        let names: Vec<&str> = items.iter().map(|i| i.patient.name.as_str()).collect();
        assert_eq!(names, ["Zed, Al", "Xu, Cal", "Abe, Dee", "Young, Bea"]);
        let keys: Vec<AgendaKey> = items.iter().map(agenda_key).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
    }

    #[test]
    fn a_high_risk_reason_names_the_heaviest_factors_and_alerts_quote_their_message() {
        let mut p = patient(1, "Lopez, Maria", RiskLevel::VeryHigh);
        p.risk_factors = vec![RiskFactorCode::SuicideRisk];
        assert_eq!(
            reason_text(&Fact::HighRisk, &p, now(), &local),
            "Very high risk (suicide-risk screen)"
        );
        let alert = Fact::SafetyAlert {
            message: "PHQ-9 item 9: several days.".into(),
            raised_at: now(),
        };
        assert_eq!(
            reason_text(&alert, &p, now(), &local),
            "Open safety alert: PHQ-9 item 9: several days."
        );
        let unassigned = Fact::OverdueTask {
            task_id: TaskId::default(),
            title: "Call".into(),
            kind: TaskKind::Custom,
            due_at: now() - Duration::minutes(30),
            assignee: None,
        };
        assert_eq!(
            reason_text(&unassigned, &p, now(), &local),
            "Task \"Call\" overdue by 30 min (unassigned)"
        );
    }

    #[test]
    fn a_patient_without_a_care_manager_has_no_worklist_link() {
        let p = patient(1, "Lopez, Maria", RiskLevel::High);
        let items = agenda(
            vec![PatientFact {
                patient: p,
                care_manager_id: None,
                fact: Fact::HighRisk,
            }],
            now(),
            &local,
        );
        assert_eq!(items[0].worklist_link, None);
        assert_eq!(items[0].care_manager_id, None);
    }

    fn ctx() -> Context {
        Context {
            now: now(),
            today: now().date_naive(),
        }
    }

    fn huddle(json: serde_json::Value) -> NewHuddle {
        serde_json::from_value(json).unwrap()
    }

    const P: &str = "01939c2e-5d7a-7c4e-9f1b-2a3b4c5d6e7f";
    const U: &str = "01939c2e-5d7a-7c4e-9f1b-2a3b4c5d6e70";

    #[test]
    fn a_huddle_needs_attendees_each_once_and_patients_each_once() {
        let none = huddle(serde_json::json!({"attendee_ids": []}));
        let fields: Vec<String> = check(none, &ctx()).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["attendee_ids"]);
        let twice = huddle(serde_json::json!({
            "attendee_ids": [U, U],
            "patients": [{"patient_id": P}, {"patient_id": P, "notes": "again"}]
        }));
        let fields: Vec<String> = check(twice, &ctx()).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["attendee_ids", "patients"]);
    }

    #[test]
    fn a_huddle_is_not_dated_in_the_future_and_its_items_are_checked_by_position() {
        let bad = huddle(serde_json::json!({
            "held_on": "2026-12-02",
            "attendee_ids": [U],
            "action_items": [
                {"patient_id": P, "title": "Call", "due_at": "2026-12-02T17:00:00Z"},
                {"patient_id": P, "title": "  ", "due_at": "2026-12-02T17:00:00Z",
                 "kind": "safety_followup"}
            ]
        }));
        let fields: Vec<String> = check(bad, &ctx()).into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["action_items[1].kind", "action_items[1].title", "held_on"]
        );
    }

    #[test]
    fn notes_and_titles_are_trimmed() {
        let h = huddle(serde_json::json!({
            "attendee_ids": [U],
            "notes": "  ",
            "patients": [{"patient_id": P, "notes": " Doing better "}],
            "action_items": [{"patient_id": P, "title": " Call ", "due_at": "2026-12-02T17:00:00Z"}]
        }));
        let h = Valid::new(h, &ctx()).unwrap().into_inner();
        assert_eq!(h.notes, None);
        assert_eq!(h.patients[0].notes.as_deref(), Some("Doing better"));
        assert_eq!(h.action_items[0].title, "Call");
    }

    #[test]
    fn the_patients_a_huddle_touches_are_listed_once_discussed_first() {
        let p1 = PatientId::from(Uuid::from_u128(1));
        let p2 = PatientId::from(Uuid::from_u128(2));
        let item = |p| ActionItem {
            id: Uuid::nil(),
            task_id: TaskId::default(),
            patient_id: p,
            patient_name: String::new(),
            title: "Call".into(),
            kind: TaskKind::Custom,
            assignee_id: None,
            assignee_name: None,
            due_at: now(),
            status: TaskStatus::Open,
        };
        let h = Huddle {
            id: Uuid::nil(),
            held_on: now().date_naive(),
            notes: None,
            attendees: vec![],
            patients: vec![Discussion {
                patient_id: p2,
                patient_name: String::new(),
                notes: None,
            }],
            action_items: vec![item(p1), item(p2), item(p1)],
            recorded_by: None,
            version: 1,
            created_at: now(),
            updated_at: now(),
        };
        assert_eq!(h.patient_ids(), [p2, p1]);
    }
}
