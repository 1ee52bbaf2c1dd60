//! A version of a care plan, read-only, in words a patient and their family
//! read too (the print view is this): needs, goals (each with how its
//! measure stands against the latest screening, when given), interventions,
//! participants and the review.

use leptos::prelude::*;
use shared::care_plan::{CarePlanContent, GoalEvaluation, PartyKind};
use uuid::Uuid;

use super::model::{goal_status_label, intervention_status_label, need_status_label, party_label};
use crate::components::Tag;
use crate::format;
use crate::state::Directory;

/// A section heading: `h3` in the tab, `h4` inside a version.
fn heading(nested: bool, text: &'static str) -> AnyView {
    if nested {
        view! { <h4>{text}</h4> }.into_any()
    } else {
        view! { <h3>{text}</h3> }.into_any()
    }
}

/// The evaluation of goal `id`, if its measure was evaluated.
pub fn evaluation_of(evaluations: &[GoalEvaluation], id: Option<Uuid>) -> Option<GoalEvaluation> {
    let id = id?;
    evaluations.iter().find(|e| e.goal_id == id).cloned()
}

/// A plan's content, read-only.
#[component]
pub fn PlanContentView(
    /// What the version holds.
    content: CarePlanContent,
    /// How each measured goal stands (the current version only).
    #[prop(optional)]
    evaluations: Vec<GoalEvaluation>,
    /// Whether the review is past due (the current version only).
    #[prop(optional)]
    review_overdue: bool,
    /// Inside a version of the versions panel (headings one level down).
    #[prop(optional)]
    nested: bool,
) -> impl IntoView {
    let directory = expect_context::<Directory>();
    let CarePlanContent {
        needs,
        goals,
        interventions,
        participants,
        review_due_on,
        last_review,
    } = content;
    let needs_view = if needs.is_empty() {
        view! { <p class="muted">"No needs recorded."</p> }.into_any()
    } else {
        view! {
            <ul class="plan-list">
                {needs
                    .into_iter()
                    .map(|n| view! {
                        <li>
                            <strong>{n.domain.label()}</strong>
                            ": "
                            {n.description}
                            " "
                            <Tag text=need_status_label(n.status) kind="muted" />
                        </li>
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    let goals_view = if goals.is_empty() {
        view! { <p class="muted">"No goals recorded."</p> }.into_any()
    } else {
        view! {
            <ul class="plan-list">
                {goals
                    .into_iter()
                    .map(|g| {
                        let eval = evaluation_of(&evaluations, g.id);
                        view! {
                            <li class="plan-goal">
                                <strong class="goal-text">{g.text}</strong>
                                <br />
                                <span class="small">
                                    {format!("Target {}", format::date(g.target_date))}
                                    {g.measure.map(|m| format!(" · Measure: {}", m.text()))}
                                </span>
                                " "
                                <Tag text=goal_status_label(g.status) kind="muted" />
                                {eval.map(|e| {
                                    let (text, kind) = match e.met {
                                        Some(true) => ("Met", "ok"),
                                        Some(false) => ("Not yet met", "warn"),
                                        None => ("Not measured yet", "muted"),
                                    };
                                    view! {
                                        <p class="goal-evaluation small" data-testid="goal-evaluation">
                                            <Tag text=text kind=kind />
                                            " "
                                            {e.summary}
                                        </p>
                                    }
                                })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    let interventions_view = if interventions.is_empty() {
        view! { <p class="muted">"No interventions recorded."</p> }.into_any()
    } else {
        view! {
            <ul class="plan-list">
                {interventions
                    .into_iter()
                    .map(|i| {
                        let who = match (i.responsible.kind, &i.responsible.name, i.responsible.user_id) {
                            (_, Some(name), _) => format!("{name} ({})", party_label(i.responsible.kind).to_lowercase()),
                            (PartyKind::CareTeamMember, None, Some(user)) => directory.care_manager_label(Some(user)),
                            (kind, None, _) => party_label(kind).to_string(),
                        };
                        let details = [
                            Some(format!("Who: {who}")),
                            i.frequency.map(|f| format!("How often: {f}")),
                            i.due_on.map(|d| format!("Due {}", format::date(d))),
                        ]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(" · ");
                        view! {
                            <li>
                                <strong>{i.description}</strong>
                                " "
                                <Tag text=intervention_status_label(i.status) kind="muted" />
                                <br />
                                <span class="small">{details}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    let participants_view = if participants.is_empty() {
        view! { <p class="muted">"No participants recorded."</p> }.into_any()
    } else {
        view! {
            <ul class="plan-list">
                {participants
                    .into_iter()
                    .map(|p| {
                        let agreement = match (p.agreed, p.agreed_on) {
                            (true, Some(d)) => format!("Agreed on {}", format::date(d)),
                            (true, None) => "Agreed".to_string(),
                            (false, _) => "Not yet agreed".to_string(),
                        };
                        view! {
                            <li>
                                <strong>{p.name}</strong>
                                {format!(" ({}) — {agreement}", party_label(p.kind).to_lowercase())}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <div class="plan-content">
            {heading(nested, "Needs")}
            {needs_view}
            {heading(nested, "Goals")}
            {goals_view}
            {heading(nested, "Interventions")}
            {interventions_view}
            {heading(nested, "Participants")}
            {participants_view}
            {heading(nested, "Review")}
            <p>
                {format!("Next review due {}", format::date(review_due_on))}
                {review_overdue.then(|| view! {
                    " "
                    <span class="badge tag-overdue" data-testid="review-overdue">"Review overdue"</span>
                })}
            </p>
            {last_review.map(|r| view! {
                <p class="small">
                    {format!("Last reviewed {}: {}", format::date(r.reviewed_on), r.outcome)}
                </p>
            })}
        </div>
    }
}
