//! Working a task where it is shown (worklist, patient page, team view):
//! log an outreach attempt, start it, finish it with its outcome (a
//! transition follow-up records the structured transition outcome), cancel
//! it with a reason, or give it to someone else. Each change names the
//! version it is based on; when someone else changed the task first, the
//! latest version is loaded and the person is told nothing was saved.

use chrono::NaiveDate;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::outreach::{NewOutreachAttempt, OutreachMethod, OutreachOutcome};
use shared::problem::FieldError;
use shared::tasks::{Task, TaskKind, TaskPatch, TaskStatus, TransitionOutcome};
use strum::VariantArray;
use uuid::Uuid;
use validator::Validate;

use crate::api::{self, ApiError};
use crate::components::forms::{FormErrors, choices, focus_later, rule_errors, stale};
use crate::components::{CheckboxField, Choice, ErrorBanner, SelectField, TextArea, TextField};
use crate::state::Directory;

/// A change to a task: the task as it is now, and a sentence for people
/// (empty when there is nothing to say).
pub type TaskChange = (Task, String);

/// Which form is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Panel {
    Outreach,
    Complete,
    Cancel,
    Reassign,
}

const OUTREACH_FIELDS: &[&str] = &["method", "outcome", "notes"];
const COMPLETE_FIELDS: &[&str] = &[
    "outcome",
    "transition_outcome",
    "transition_outcome.followup_appointment_date",
    "transition_outcome.needs_identified",
];
const CANCEL_FIELDS: &[&str] = &["cancel_reason"];
const REASSIGN_FIELDS: &[&str] = &["assignee_id"];

fn trimmed(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// The finishing change for a task of `kind`: the structured outcome for a
/// transition follow-up (with the free-text outcome when given), the
/// outcome text for everything else.
pub fn completion_patch(
    kind: TaskKind,
    outcome_text: &str,
    transition: Option<TransitionOutcome>,
    version: i32,
) -> TaskPatch {
    let text = outcome_text.trim().to_string();
    TaskPatch {
        status: Some(TaskStatus::Done),
        outcome: if kind == TaskKind::TransitionFollowup {
            (!text.is_empty()).then_some(text)
        } else {
            Some(text)
        },
        transition_outcome: if kind == TaskKind::TransitionFollowup {
            transition
        } else {
            None
        },
        version: Some(version),
        ..Default::default()
    }
}

/// The buttons and in-place forms for one task.
#[component]
pub fn TaskActions(
    /// The task, kept current by whoever shows it.
    #[prop(into)]
    task: Signal<Task>,
    /// The patient's name, for sentences.
    #[prop(into)]
    patient_name: String,
    /// Called after every change, and after a reload that found one.
    on_change: Callback<TaskChange>,
    /// Whether to offer giving the task to someone else.
    #[prop(optional)]
    can_reassign: bool,
) -> impl IntoView {
    let directory = expect_context::<Directory>();
    let task_id = task.with_untracked(|t| t.id);
    let base = format!("task-{task_id}");
    let patient_name = StoredValue::new(patient_name);
    let panel = RwSignal::new(None::<Panel>);
    let busy = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);
    let errors = FormErrors::new();

    // Outreach.
    let o_method = RwSignal::new(OutreachMethod::Phone.as_ref().to_string());
    let o_outcome = RwSignal::new(String::new());
    let o_notes = RwSignal::new(String::new());
    // Completion.
    let c_text = RwSignal::new(String::new());
    let c_reached = RwSignal::new(false);
    let c_scheduled = RwSignal::new(false);
    let c_date = RwSignal::new(String::new());
    let c_understood = RwSignal::new(false);
    let c_meds = RwSignal::new(false);
    let c_needs = RwSignal::new(String::new());
    // Cancel and reassign.
    let x_reason = RwSignal::new(String::new());
    let r_assignee = RwSignal::new(String::new());

    let what = move || {
        let title = task.with_untracked(|t| t.title.clone());
        format!("{title} for {}", patient_name.get_value())
    };

    // Someone else changed the task: load it and say so.
    let reload = move |cause: ApiError| async move {
        match api::get_task(task_id).await {
            Ok(latest) => {
                let said = if latest.status.is_active() {
                    String::new()
                } else {
                    format!(
                        "{} for {} is now {}: someone else changed it.",
                        latest.title,
                        patient_name.get_value(),
                        latest.status.label().to_lowercase()
                    )
                };
                errors.banner.set(Some(if cause.is(412) {
                    stale("This task")
                } else {
                    cause
                }));
                on_change.try_run((latest, said));
            }
            Err(e) => errors.banner.set(Some(e)),
        }
    };

    let close = move |button: &'static str| {
        panel.set(None);
        errors.clear();
        focus_later(format!("task-{task_id}-{button}"));
    };

    // Sends a change to the task.
    let apply = move |patch: TaskPatch, shown: &'static [&'static str], done: String| {
        let Some(version) = task.try_with_untracked(|t| t.version) else {
            return;
        };
        errors.clear();
        notice.set(None);
        busy.set(true);
        spawn_local(async move {
            let result = api::update_task(task_id, &patch, version).await;
            busy.set(false);
            match result {
                Ok(updated) => {
                    panel.set(None);
                    notice.set(Some(done.clone()));
                    on_change.try_run((updated, done));
                }
                Err(e) if e.is(412) || e.is(409) => reload(e).await,
                Err(e) => errors.show(e, shown),
            }
        });
    };

    let toggle = move |p: Panel| {
        errors.clear();
        notice.set(None);
        if panel.get_untracked() == Some(p) {
            panel.set(None);
        } else {
            panel.set(Some(p));
            let first = match p {
                Panel::Outreach => "o-outcome",
                Panel::Complete => {
                    if task.with_untracked(|t| t.kind) == TaskKind::TransitionFollowup {
                        "c-reached"
                    } else {
                        "c-text"
                    }
                }
                Panel::Cancel => "x-reason",
                Panel::Reassign => "r-assignee",
            };
            focus_later(format!("task-{task_id}-{first}"));
        }
    };

    let start = move |_| {
        if busy.get_untracked() {
            return;
        }
        let patch = TaskPatch {
            status: Some(TaskStatus::InProgress),
            ..Default::default()
        };
        apply(patch, &[], format!("Started: {}.", what()));
    };

    let log_attempt = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Some(patient) = task.try_with_untracked(|t| t.patient_id) else {
            return;
        };
        let method = o_method.get_untracked().parse::<OutreachMethod>().ok();
        let outcome = o_outcome.get_untracked().parse::<OutreachOutcome>().ok();
        let mut found = vec![];
        if method.is_none() {
            found.push(FieldError::new("method", "must be chosen"));
        }
        if outcome.is_none() {
            found.push(FieldError::new("outcome", "must be chosen"));
        }
        let (Some(method), Some(outcome)) = (method, outcome) else {
            errors.show_rules(found, OUTREACH_FIELDS);
            focus_later(format!("task-{task_id}-o-outcome"));
            return;
        };
        let attempt = NewOutreachAttempt {
            task_id: Some(task_id),
            contact_id: None,
            shared_scope: None,
            method,
            outcome,
            notes: trimmed(o_notes.get_untracked()),
            occurred_at: None,
        };
        if errors.show_rules(rule_errors(attempt.validate()), OUTREACH_FIELDS) {
            return;
        }
        errors.clear();
        notice.set(None);
        busy.set(true);
        spawn_local(async move {
            match api::log_outreach(patient, &attempt).await {
                Ok(logged) => {
                    let done = format!(
                        "Outreach attempt logged: {}, {}.",
                        logged.method.label(),
                        logged.outcome.label().to_lowercase()
                    );
                    // Logging an attempt starts an open task: read it again.
                    let latest = api::get_task(task_id).await;
                    busy.set(false);
                    o_outcome.set(String::new());
                    o_notes.set(String::new());
                    close("outreach-btn");
                    notice.set(Some(done.clone()));
                    match latest {
                        Ok(t) => {
                            on_change.try_run((t, done));
                        }
                        Err(e) => errors.banner.set(Some(e)),
                    }
                }
                Err(e) => {
                    busy.set(false);
                    errors.show(e, OUTREACH_FIELDS);
                }
            }
        });
    };

    let complete = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Some((kind, version)) = task.try_with_untracked(|t| (t.kind, t.version)) else {
            return;
        };
        let date_text = c_date.get_untracked();
        let date = date_text.trim().parse::<NaiveDate>().ok();
        let transition = TransitionOutcome {
            patient_reached: c_reached.get_untracked(),
            followup_appointment_scheduled: c_scheduled.get_untracked(),
            followup_appointment_date: date.filter(|_| c_scheduled.get_untracked()),
            discharge_instructions_understood: c_understood.get_untracked(),
            medications_reviewed: c_meds.get_untracked(),
            needs_identified: trimmed(c_needs.get_untracked()),
        };
        let patch = completion_patch(kind, &c_text.get_untracked(), Some(transition), version);
        let mut found = rule_errors(patch.check(kind));
        if c_scheduled.get_untracked() && !date_text.trim().is_empty() && date.is_none() {
            found.retain(|e| e.field != "transition_outcome.followup_appointment_date");
            found.push(FieldError::new(
                "transition_outcome.followup_appointment_date",
                "is not a date",
            ));
        }
        if errors.show_rules(found, COMPLETE_FIELDS) {
            let first = if kind == TaskKind::TransitionFollowup {
                "c-date"
            } else {
                "c-text"
            };
            focus_later(format!("task-{task_id}-{first}"));
            return;
        }
        apply(patch, COMPLETE_FIELDS, format!("Done: {}.", what()));
    };

    let cancel = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let patch = TaskPatch {
            status: Some(TaskStatus::Cancelled),
            cancel_reason: Some(x_reason.get_untracked().trim().to_string()),
            ..Default::default()
        };
        let kind = task.with_untracked(|t| t.kind);
        if errors.show_rules(rule_errors(patch.check(kind)), CANCEL_FIELDS) {
            focus_later(format!("task-{task_id}-x-reason"));
            return;
        }
        apply(patch, CANCEL_FIELDS, format!("Cancelled: {}.", what()));
    };

    let reassign = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Ok(to) = Uuid::parse_str(&r_assignee.get_untracked()) else {
            errors.show_rules(
                vec![FieldError::new("assignee_id", "must be chosen")],
                REASSIGN_FIELDS,
            );
            focus_later(format!("task-{task_id}-r-assignee"));
            return;
        };
        let name = directory.care_manager_label(Some(to));
        let patch = TaskPatch {
            assignee_id: Some(Some(to)),
            ..Default::default()
        };
        apply(
            patch,
            REASSIGN_FIELDS,
            format!("Reassigned to {name}: {}.", what()),
        );
    };

    let is_open = move || task.with(|t| t.status == TaskStatus::Open);
    let expanded = move |p: Panel| {
        move || {
            if panel.get() == Some(p) {
                "true"
            } else {
                "false"
            }
        }
    };
    let panel_id = format!("{base}-panel");

    let method_choices = Signal::stored(choices(
        OutreachMethod::VARIANTS,
        |m| m.label().to_string(),
        None,
    ));
    let outcome_choices = Signal::stored(choices(
        OutreachOutcome::VARIANTS,
        |o| o.label().to_string(),
        Some("Choose what happened…"),
    ));
    let assignee_choices = Signal::derive(move || {
        let current = task.with(|t| t.assignee_id);
        std::iter::once((String::new(), "Choose a person…".to_string()))
            .chain(
                directory
                    .caseload_carriers()
                    .into_iter()
                    .filter(|u| Some(u.id) != current)
                    .map(|u| (u.id.to_string(), format!("{} ({})", u.name, u.role.label()))),
            )
            .collect::<Vec<Choice>>()
    });

    let outreach_form = move || {
        view! {
            <form class="task-form stack" novalidate on:submit=log_attempt>
                <h4>"Log an outreach attempt"</h4>
                <div class="grid grid-2">
                    <SelectField
                        id=format!("task-{task_id}-o-method")
                        label="Method"
                        required=true
                        value=o_method
                        options=method_choices
                        on_change=Callback::new(move |v| {
                            o_method.set(v);
                            errors.clear_field("method");
                        })
                        error=errors.field("method", "Method")
                    />
                    <SelectField
                        id=format!("task-{task_id}-o-outcome")
                        label="Outcome"
                        required=true
                        value=o_outcome
                        options=outcome_choices
                        on_change=Callback::new(move |v| {
                            o_outcome.set(v);
                            errors.clear_field("outcome");
                        })
                        error=errors.field("outcome", "Outcome")
                    />
                </div>
                <TextArea
                    id=format!("task-{task_id}-o-notes")
                    label="Notes"
                    value=o_notes
                    on_input=Callback::new(move |v| {
                        o_notes.set(v);
                        errors.clear_field("notes");
                    })
                    error=errors.field("notes", "Notes")
                />
                <div class="form-actions">
                    <button type="submit" class="button primary" disabled=move || busy.get()>
                        {move || if busy.get() { "Logging…" } else { "Log attempt" }}
                    </button>
                    <button type="button" class="button secondary" on:click=move |_| close("outreach-btn")>
                        "Close"
                    </button>
                </div>
            </form>
        }
        .into_any()
    };

    let complete_form = move || {
        let transition = task.with_untracked(|t| t.kind == TaskKind::TransitionFollowup);
        view! {
            <form class="task-form stack" novalidate on:submit=complete>
                <h4>"Complete the task"</h4>
                {transition
                    .then(|| {
                        view! {
                            <fieldset class="form-section">
                                <legend>"Transition follow-up outcome"</legend>
                                <div class="stack">
                                    <CheckboxField
                                        id=format!("task-{task_id}-c-reached")
                                        label="Patient reached"
                                        checked=c_reached
                                        on_change=Callback::new(move |v| c_reached.set(v))
                                    />
                                    <CheckboxField
                                        id=format!("task-{task_id}-c-scheduled")
                                        label="Follow-up appointment scheduled"
                                        checked=c_scheduled
                                        on_change=Callback::new(move |v| {
                                            c_scheduled.set(v);
                                            errors.clear_field("transition_outcome.followup_appointment_date");
                                        })
                                    />
                                    <Show when=move || c_scheduled.get()>
                                        <TextField
                                            id=format!("task-{task_id}-c-date")
                                            label="Follow-up appointment date"
                                            input_type="date"
                                            required=true
                                            value=c_date
                                            on_input=Callback::new(move |v| {
                                                c_date.set(v);
                                                errors.clear_field("transition_outcome.followup_appointment_date");
                                            })
                                            error=errors
                                                .field(
                                                    "transition_outcome.followup_appointment_date",
                                                    "Follow-up appointment date",
                                                )
                                        />
                                    </Show>
                                    <CheckboxField
                                        id=format!("task-{task_id}-c-understood")
                                        label="Discharge instructions understood"
                                        checked=c_understood
                                        on_change=Callback::new(move |v| c_understood.set(v))
                                    />
                                    <CheckboxField
                                        id=format!("task-{task_id}-c-meds")
                                        label="Medications reviewed"
                                        checked=c_meds
                                        on_change=Callback::new(move |v| c_meds.set(v))
                                    />
                                    <TextArea
                                        id=format!("task-{task_id}-c-needs")
                                        label="Needs found"
                                        hint="Transportation, housing, medication access …"
                                        value=c_needs
                                        on_input=Callback::new(move |v| {
                                            c_needs.set(v);
                                            errors.clear_field("transition_outcome.needs_identified");
                                        })
                                        error=errors.field("transition_outcome.needs_identified", "Needs found")
                                    />
                                </div>
                            </fieldset>
                        }
                    })}
                <TextArea
                    id=format!("task-{task_id}-c-text")
                    label=if transition { "Outcome notes" } else { "Outcome" }
                    required=!transition
                    hint=if transition {
                        "Optional: anything else that came of the follow-up."
                    } else {
                        "What came of it."
                    }
                    value=c_text
                    on_input=Callback::new(move |v| {
                        c_text.set(v);
                        errors.clear_field("outcome");
                    })
                    error=errors.field("outcome", "Outcome")
                />
                <div class="form-actions">
                    <button type="submit" class="button primary" disabled=move || busy.get()>
                        {move || if busy.get() { "Saving…" } else { "Mark done" }}
                    </button>
                    <button type="button" class="button secondary" on:click=move |_| close("complete-btn")>
                        "Close"
                    </button>
                </div>
            </form>
        }
        .into_any()
    };

    let cancel_form = move || {
        view! {
            <form class="task-form stack" novalidate on:submit=cancel>
                <h4>"Cancel the task"</h4>
                <TextArea
                    id=format!("task-{task_id}-x-reason")
                    label="Reason"
                    required=true
                    hint="Why this work is no longer needed."
                    value=x_reason
                    on_input=Callback::new(move |v| {
                        x_reason.set(v);
                        errors.clear_field("cancel_reason");
                    })
                    error=errors.field("cancel_reason", "Reason")
                />
                <div class="form-actions">
                    <button type="submit" class="button danger" disabled=move || busy.get()>
                        {move || if busy.get() { "Cancelling…" } else { "Cancel this task" }}
                    </button>
                    <button type="button" class="button secondary" on:click=move |_| close("cancel-btn")>
                        "Keep task"
                    </button>
                </div>
            </form>
        }
        .into_any()
    };

    let reassign_form = move || {
        view! {
            <form class="task-form stack" novalidate on:submit=reassign>
                <h4>"Reassign the task"</h4>
                <SelectField
                    id=format!("task-{task_id}-r-assignee")
                    label="Assign to"
                    required=true
                    value=r_assignee
                    options=assignee_choices
                    on_change=Callback::new(move |v| {
                        r_assignee.set(v);
                        errors.clear_field("assignee_id");
                    })
                    error=errors.field("assignee_id", "Assignee")
                />
                <div class="form-actions">
                    <button type="submit" class="button primary" disabled=move || busy.get()>
                        {move || if busy.get() { "Reassigning…" } else { "Reassign" }}
                    </button>
                    <button type="button" class="button secondary" on:click=move |_| close("reassign-btn")>
                        "Close"
                    </button>
                </div>
            </form>
        }
        .into_any()
    };

    view! {
        <div class="task-actions">
            <div class="action-bar">
                <button
                    type="button"
                    class="button small secondary"
                    id=format!("{base}-outreach-btn")
                    aria-expanded=expanded(Panel::Outreach)
                    aria-controls=panel_id.clone()
                    on:click=move |_| toggle(Panel::Outreach)
                >
                    "Log outreach"
                </button>
                <Show when=is_open>
                    <button
                        type="button"
                        class="button small secondary"
                        disabled=move || busy.get()
                        on:click=start
                    >
                        "Start"
                    </button>
                </Show>
                <button
                    type="button"
                    class="button small secondary"
                    id=format!("{base}-complete-btn")
                    aria-expanded=expanded(Panel::Complete)
                    aria-controls=panel_id.clone()
                    on:click=move |_| toggle(Panel::Complete)
                >
                    "Complete"
                </button>
                <button
                    type="button"
                    class="button small ghost"
                    id=format!("{base}-cancel-btn")
                    aria-expanded=expanded(Panel::Cancel)
                    aria-controls=panel_id.clone()
                    on:click=move |_| toggle(Panel::Cancel)
                >
                    "Cancel task"
                </button>
                {can_reassign
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="button small ghost"
                                id=format!("{base}-reassign-btn")
                                aria-expanded=expanded(Panel::Reassign)
                                aria-controls=panel_id.clone()
                                on:click=move |_| toggle(Panel::Reassign)
                            >
                                "Reassign"
                            </button>
                        }
                    })}
            </div>
            <div class="banner-slot" role="status">
                {move || notice.get().map(|m| view! { <p class="inline-notice">{m}</p> })}
            </div>
            <ErrorBanner error=errors.banner />
            <div id=panel_id.clone()>
                {move || match panel.get() {
                    None => ().into_any(),
                    Some(Panel::Outreach) => outreach_form(),
                    Some(Panel::Complete) => complete_form(),
                    Some(Panel::Cancel) => cancel_form(),
                    Some(Panel::Reassign) => reassign_form(),
                }}
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(p.check(TaskKind::TransitionFollowup).is_ok());
    }

    #[test]
    fn a_scheduled_follow_up_without_its_date_is_caught_before_sending() {
        let outcome = TransitionOutcome {
            followup_appointment_scheduled: true,
            ..Default::default()
        };
        let p = completion_patch(TaskKind::TransitionFollowup, "", Some(outcome), 1);
        let fields: Vec<String> = rule_errors(p.check(TaskKind::TransitionFollowup))
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["transition_outcome.followup_appointment_date"]);
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
        let fields: Vec<String> = rule_errors(p.check(TaskKind::Outreach))
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["outcome"]);
        let ok = completion_patch(TaskKind::Outreach, "Reached; ride booked", None, 2);
        assert_eq!(ok.outcome.as_deref(), Some("Reached; ride booked"));
        assert!(ok.check(TaskKind::Outreach).is_ok());
    }
}
