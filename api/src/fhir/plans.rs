//! `CarePlan` and Goal, from a patient's care plan (`care_plans.content`):
//! the plan's current version is the `CarePlan`; each goal with an id is a
//! `Goal` of its own, referenced from the plan and from the interventions
//! that serve it.

use fhirbolt::model::r4::resources::{
    CarePlan, CarePlanActivity, CarePlanActivityDetail, CarePlanActivityDetailScheduled, Goal,
    GoalTarget, GoalTargetDetail, GoalTargetDue,
};
use fhirbolt::model::r4::types::{Annotation, Quantity};
use shared::care_plan::{Comparator, Goal as Aim, GoalStatus, InterventionStatus, PartyKind};

use crate::care_plans::store::Stored;

use super::model::{LOINC, coded, date, date_time, meta, named, own, reference, text};

/// FHIR's goal achievement codes.
const GOAL_ACHIEVEMENT: &str = "http://terminology.hl7.org/CodeSystem/goal-achievement";

/// The `CarePlan` of a plan: active, a plan (not an order), its needs as
/// the description, its goals, and each intervention as an activity.
pub fn care_plan(plan: &Stored) -> CarePlan {
    let c = &plan.content;
    let needs: Vec<String> = c
        .needs
        .iter()
        .map(|n| format!("{}: {}", n.domain.label(), n.description))
        .collect();
    CarePlan {
        id: Some(plan.id.to_string().into()),
        meta: meta(Some(plan.version), plan.updated_at),
        status: "active".into(),
        intent: "plan".into(),
        title: Some("Care plan".into()),
        description: (!needs.is_empty()).then(|| format!("Needs — {}", needs.join("; ")).into()),
        subject: Box::new(reference("Patient", plan.patient_id)),
        created: Some(date_time(plan.created_at)),
        goal: c
            .goals
            .iter()
            .filter_map(|g| g.id)
            .map(|id| reference("Goal", id))
            .collect(),
        activity: c
            .interventions
            .iter()
            .map(|i| CarePlanActivity {
                detail: Some(CarePlanActivityDetail {
                    status: match i.status {
                        InterventionStatus::Planned => "not-started",
                        InterventionStatus::InProgress => "in-progress",
                        InterventionStatus::Done => "completed",
                        InterventionStatus::Cancelled => "cancelled",
                    }
                    .into(),
                    description: Some(i.description.clone().into()),
                    goal: i
                        .goal_id
                        .map(|g| reference("Goal", g))
                        .into_iter()
                        .collect(),
                    scheduled: i
                        .frequency
                        .clone()
                        .map(|f| CarePlanActivityDetailScheduled::String(f.into())),
                    performer: match i.responsible.kind {
                        PartyKind::Patient => vec![reference("Patient", plan.patient_id)],
                        PartyKind::Contact => i
                            .responsible
                            .contact_id
                            .map(|c| reference("RelatedPerson", c))
                            .into_iter()
                            .collect(),
                        PartyKind::CareTeamMember => i
                            .responsible
                            .name
                            .as_deref()
                            .map(named)
                            .into_iter()
                            .collect(),
                    },
                    ..Default::default()
                }),
                outcome_reference: i
                    .referral_id
                    .map(|r| reference("ServiceRequest", r))
                    .into_iter()
                    .collect(),
                ..Default::default()
            })
            .collect(),
        note: c
            .last_review
            .iter()
            .map(|r| Annotation {
                time: Some(date(r.reviewed_on).value.unwrap_or_default().into()),
                text: format!("Reviewed: {}", r.outcome).into(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

/// A `Quantity` comparator for ours (FHIR has no `=` comparator either).
pub fn comparator(c: Comparator) -> &'static str {
    match c {
        Comparator::Lt => "<",
        Comparator::Le => "<=",
        Comparator::Gt => ">",
        Comparator::Ge => ">=",
    }
}

/// A goal of `plan` (it must have an id): its lifecycle and achievement,
/// its text, the patient, and its target — the due date, and the measure
/// (a screening's LOINC total score against a value) when it has one.
pub fn goal(plan: &Stored, g: &Aim) -> Goal {
    let (lifecycle, achievement) = match g.status {
        GoalStatus::Proposed => ("proposed", None),
        GoalStatus::InProgress => ("active", Some(("in-progress", "In Progress"))),
        GoalStatus::Achieved => ("completed", Some(("achieved", "Achieved"))),
        GoalStatus::NotAchieved => ("completed", Some(("not-achieved", "Not Achieved"))),
        GoalStatus::Cancelled => ("cancelled", None),
    };
    let measure = g.measure.as_ref();
    Goal {
        id: g.id.map(|id| id.to_string().into()),
        meta: meta(Some(plan.version), plan.updated_at),
        lifecycle_status: lifecycle.into(),
        achievement_status: achievement
            .map(|(code, display)| Box::new(coded(GOAL_ACHIEVEMENT, code, Some(display)))),
        description: Box::new(text(&g.text)),
        subject: Box::new(reference("Patient", plan.patient_id)),
        target: vec![GoalTarget {
            measure: measure.map(|m| {
                Box::new(match m.instrument.loinc_total() {
                    Some(code) => coded(
                        LOINC,
                        code,
                        Some(&format!("{} total score", m.instrument.label())),
                    ),
                    None => own("instrument", m.instrument.as_ref()),
                })
            }),
            detail: measure.map(|m| {
                GoalTargetDetail::Quantity(Box::new(Quantity {
                    value: Some(m.value.to_string().into()),
                    comparator: Some(comparator(m.comparator).into()),
                    unit: Some("{score}".into()),
                    ..Default::default()
                }))
            }),
            due: Some(GoalTargetDue::Date(date(g.target_date))),
            ..Default::default()
        }],
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparators_are_fhir_quantity_comparators() {
        assert_eq!(comparator(Comparator::Lt), "<");
        assert_eq!(comparator(Comparator::Ge), ">=");
    }
}
