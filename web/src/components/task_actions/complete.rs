//! Finishing a task: its outcome, and for a transition follow-up the
//! structured transition outcome the measures count.

use chrono::NaiveDate;
use leptos::prelude::*;
use shared::problem::FieldError;
use shared::tasks::{TaskKind, TaskPatch, TaskStatus, TransitionOutcome};
use shared::validation::blank_to_none;

use super::work::{Panel, TaskWork};
use crate::components::ActionForm;
use crate::components::fields::{CheckboxField, TextField};
use crate::components::forms::{Button, FormActions};
use crate::dom::focus_later;

/// The path of the follow-up appointment date in the API's errors.
const DATE_FIELD: &str = "transition_outcome.followup_appointment_date";

/// The finishing change for a task of `kind`: the structured outcome for a
/// transition follow-up (with the free-text outcome when given), the
/// outcome text for everything else.
pub fn completion_patch(
    kind: TaskKind,
    outcome_text: &str,
    transition: Option<TransitionOutcome>,
    version: i32,
) -> TaskPatch {
    let is_transition = kind == TaskKind::TransitionFollowup;
    TaskPatch {
        status: Some(TaskStatus::Done),
        outcome: if is_transition {
            blank_to_none(outcome_text)
        } else {
            Some(outcome_text.trim().to_string())
        },
        transition_outcome: transition.filter(|_| is_transition),
        version: Some(version),
        ..Default::default()
    }
}

/// What the completion form holds; it outlives the form, so closing and
/// reopening it keeps what was typed.
#[derive(Debug, Clone, Copy)]
pub struct CompleteDraft {
    text: RwSignal<String>,
    reached: RwSignal<bool>,
    scheduled: RwSignal<bool>,
    date: RwSignal<String>,
    understood: RwSignal<bool>,
    meds: RwSignal<bool>,
    needs: RwSignal<String>,
}

impl CompleteDraft {
    /// Nothing typed or ticked.
    pub fn new() -> Self {
        CompleteDraft {
            text: RwSignal::new(String::new()),
            reached: RwSignal::new(false),
            scheduled: RwSignal::new(false),
            date: RwSignal::new(String::new()),
            understood: RwSignal::new(false),
            meds: RwSignal::new(false),
            needs: RwSignal::new(String::new()),
        }
    }

    /// The transition outcome as ticked and typed (the date only counts
    /// with a scheduled appointment).
    fn transition(self) -> TransitionOutcome {
        let scheduled = self.scheduled.get_untracked();
        TransitionOutcome {
            patient_reached: self.reached.get_untracked(),
            followup_appointment_scheduled: scheduled,
            followup_appointment_date: self.parsed_date().filter(|_| scheduled),
            discharge_instructions_understood: self.understood.get_untracked(),
            medications_reviewed: self.meds.get_untracked(),
            needs_identified: blank_to_none(self.needs.get_untracked()),
        }
    }

    fn parsed_date(self) -> Option<NaiveDate> {
        self.date.with_untracked(|d| d.trim().parse().ok())
    }

    /// A date typed that is no date (the rules only see a missing one).
    fn unreadable_date(self) -> bool {
        self.scheduled.get_untracked()
            && self.date.with_untracked(|d| !d.trim().is_empty())
            && self.parsed_date().is_none()
    }
}

/// The completion form.
#[component]
pub fn CompleteForm(work: TaskWork, draft: CompleteDraft) -> impl IntoView {
    let errors = work.errors;
    let transition = work
        .task
        .with_untracked(|t| t.kind == TaskKind::TransitionFollowup);
    let complete = Callback::new(move |()| {
        let Some((kind, version)) = work.task.try_with_untracked(|t| (t.kind, t.version)) else {
            return;
        };
        let patch = completion_patch(
            kind,
            &draft.text.get_untracked(),
            Some(draft.transition()),
            version,
        );
        let mut found = work.missing(&patch);
        if draft.unreadable_date() {
            found.retain(|e| e.field != DATE_FIELD);
            found.push(FieldError::new(DATE_FIELD, "is not a date"));
        }
        if errors.show_rules(found) {
            let first = if transition { "c-date" } else { "c-text" };
            focus_later(work.element_id(first));
            return;
        }
        work.apply(patch, format!("Done: {}.", work.what()));
    });
    let check = move |part: &str, label: &'static str, value: RwSignal<bool>| {
        view! {
            <CheckboxField
                id=work.element_id(part)
                label=label
                checked=value
                on_change=Callback::new(move |v| value.set(v))
            />
        }
    };
    let scheduled = draft.scheduled;

    view! {
        <ActionForm on_submit=complete busy=work.busy class="task-form stack">
            <h4>"Complete the task"</h4>
            {transition
                .then(|| {
                    view! {
                        <fieldset class="form-section">
                            <legend>"Transition follow-up outcome"</legend>
                            <div class="stack">
                                {check("c-reached", "Patient reached", draft.reached)}
                                <CheckboxField
                                    id=work.element_id("c-scheduled")
                                    label="Follow-up appointment scheduled"
                                    checked=scheduled
                                    on_change=Callback::new(move |v| {
                                        scheduled.set(v);
                                        errors.clear_field(DATE_FIELD);
                                    })
                                />
                                <Show when=move || scheduled.get()>
                                    <TextField
                                        id=work.element_id("c-date")
                                        label="Follow-up appointment date"
                                        input_type="date"
                                        required=true
                                        bind=errors.bind(DATE_FIELD, draft.date)
                                    />
                                </Show>
                                {check("c-understood", "Discharge instructions understood", draft.understood)}
                                {check("c-meds", "Medications reviewed", draft.meds)}
                                <TextField
                                    multiline=true
                                    id=work.element_id("c-needs")
                                    label="Needs found"
                                    hint="Transportation, housing, medication access …"
                                    bind=errors.bind("transition_outcome.needs_identified", draft.needs)
                                />
                            </div>
                        </fieldset>
                    }
                })}
            <TextField
                multiline=true
                id=work.element_id("c-text")
                label=if transition { "Outcome notes" } else { "Outcome" }
                required=!transition
                hint=if transition {
                    "Optional: anything else that came of the follow-up."
                } else {
                    "What came of it."
                }
                bind=errors.bind("outcome", draft.text)
                error_label="Outcome"
            />
            <FormActions
                button=Button::submit("Mark done").busy(work.busy, "Saving…")
                back_label="Close"
                on_back=Callback::new(move |()| work.close(Panel::Complete))
            />
        </ActionForm>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::task_actions::work::missing_fields;
    use crate::test_support::task;

    fn missing(kind: TaskKind, patch: &TaskPatch) -> Vec<String> {
        missing_fields(&task(kind, TaskStatus::Open, None), patch)
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_transition_follow_up_is_finished_with_its_structured_outcome() {
        let outcome = TransitionOutcome {
            patient_reached: true,
            followup_appointment_scheduled: true,
            followup_appointment_date: NaiveDate::from_ymd_opt(2026, 3, 5),
            ..Default::default()
        };
        let p = completion_patch(TaskKind::TransitionFollowup, "  ", Some(outcome.clone()), 4);
        assert_eq!(p.status, Some(TaskStatus::Done));
        assert_eq!(p.outcome, None);
        assert_eq!(p.transition_outcome, Some(outcome));
        assert_eq!(p.version, Some(4));
        assert!(missing(TaskKind::TransitionFollowup, &p).is_empty());
    }

    #[test]
    fn a_scheduled_follow_up_without_its_date_is_caught_before_sending() {
        let outcome = TransitionOutcome {
            followup_appointment_scheduled: true,
            ..Default::default()
        };
        let p = completion_patch(TaskKind::TransitionFollowup, "", Some(outcome), 1);
        assert_eq!(
            missing(TaskKind::TransitionFollowup, &p),
            vec!["transition_outcome.followup_appointment_date"]
        );
    }

    #[test]
    fn other_tasks_need_an_outcome_and_carry_no_transition_outcome() {
        let p = completion_patch(
            TaskKind::Outreach,
            " ",
            Some(TransitionOutcome::default()),
            2,
        );
        assert_eq!(p.transition_outcome, None);
        assert_eq!(missing(TaskKind::Outreach, &p), vec!["outcome"]);
        let ok = completion_patch(TaskKind::Outreach, "Reached; ride booked", None, 2);
        assert_eq!(ok.outcome.as_deref(), Some("Reached; ride booked"));
        assert!(missing(TaskKind::Outreach, &ok).is_empty());
    }
}
