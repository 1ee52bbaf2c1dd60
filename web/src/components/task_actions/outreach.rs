//! Logging an outreach attempt for a task (which starts an open task).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::outreach::{NewOutreachAttempt, OutreachMethod, OutreachOutcome};
use shared::problem::FieldError;
use shared::validation::blank_to_none;
use strum::VariantArray;

use super::work::{Panel, TaskWork};
use crate::client;
use crate::components::ActionForm;
use crate::components::fields::{SelectField, TextField, choices};
use crate::components::forms::{Button, FormActions, text_inputs};
use crate::dom::focus_later;
use crate::rules;

/// What the outreach form holds; it outlives the form, so closing and
/// reopening it keeps what was typed.
#[derive(Debug, Clone, Copy)]
pub struct OutreachDraft {
    method: RwSignal<String>,
    outcome: RwSignal<String>,
    notes: RwSignal<String>,
}

impl OutreachDraft {
    /// Phone, no outcome chosen yet, no notes.
    pub fn new() -> Self {
        let [method, outcome, notes] = text_inputs();
        method.set(OutreachMethod::Phone.as_ref().to_string());
        OutreachDraft {
            method,
            outcome,
            notes,
        }
    }
}

/// The outreach form.
#[component]
pub fn OutreachForm(work: TaskWork, draft: OutreachDraft) -> impl IntoView {
    let OutreachDraft {
        method,
        outcome,
        notes,
    } = draft;
    let errors = work.errors;
    let log_attempt = Callback::new(move |()| {
        let Some(patient) = work.task.try_with_untracked(|t| t.patient_id) else {
            return;
        };
        let chosen_method = method.get_untracked().parse::<OutreachMethod>().ok();
        let chosen_outcome = outcome.get_untracked().parse::<OutreachOutcome>().ok();
        let mut found = vec![];
        if chosen_method.is_none() {
            found.push(FieldError::new("method", "must be chosen"));
        }
        if chosen_outcome.is_none() {
            found.push(FieldError::new("outcome", "must be chosen"));
        }
        let (Some(chosen_method), Some(chosen_outcome)) = (chosen_method, chosen_outcome) else {
            errors.show_rules(found);
            focus_later(work.element_id("o-outcome"));
            return;
        };
        let attempt = NewOutreachAttempt {
            task_id: Some(work.id),
            contact_id: None,
            shared_scope: None,
            method: chosen_method,
            outcome: chosen_outcome,
            notes: blank_to_none(notes.get_untracked()),
            occurred_at: None,
        };
        if errors.show_rules(rules::errors(attempt.clone())) {
            return;
        }
        errors.clear();
        work.notice.set(None);
        work.busy.set(true);
        spawn_local(async move {
            match client::log_outreach(patient, &attempt).await {
                Ok(logged) => {
                    let done = format!(
                        "Outreach attempt logged: {}, {}.",
                        logged.method.label(),
                        logged.outcome.label().to_lowercase()
                    );
                    // Logging an attempt starts an open task: read it again.
                    let latest = client::get_task(work.id).await;
                    work.busy.set(false);
                    outcome.set(String::new());
                    notes.set(String::new());
                    work.close(Panel::Outreach);
                    work.notice.set(Some(done.clone()));
                    match latest {
                        Ok(t) => {
                            work.on_change.try_run((t, done));
                        }
                        Err(e) => errors.banner.set(Some(e)),
                    }
                }
                Err(e) => {
                    work.busy.set(false);
                    errors.show(e);
                }
            }
        });
    });
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

    view! {
        <ActionForm on_submit=log_attempt busy=work.busy class="task-form stack">
            <h4>"Log an outreach attempt"</h4>
            <div class="grid grid-2">
                <SelectField
                    id=work.element_id("o-method")
                    label="Method"
                    required=true
                    options=method_choices
                    bind=errors.bind("method", method)
                />
                <SelectField
                    id=work.element_id("o-outcome")
                    label="Outcome"
                    required=true
                    options=outcome_choices
                    bind=errors.bind("outcome", outcome)
                />
            </div>
            <TextField
                multiline=true
                id=work.element_id("o-notes")
                label="Notes"
                bind=errors.bind("notes", notes)
            />
            <FormActions
                button=Button::submit("Log attempt").busy(work.busy, "Logging…")
                back_label="Close"
                on_back=Callback::new(move |()| work.close(Panel::Outreach))
            />
        </ActionForm>
    }
}
