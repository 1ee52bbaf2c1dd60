//! Cancelling a task, with the reason the work is no longer needed.

use leptos::prelude::*;
use shared::tasks::{TaskPatch, TaskStatus};

use super::work::{Panel, TaskWork};
use crate::components::ActionForm;
use crate::components::fields::TextField;
use crate::components::forms::{Button, FormActions};
use crate::dom::focus_later;

/// The cancel form; `reason` outlives it, so reopening keeps what was typed.
#[component]
pub fn CancelForm(work: TaskWork, reason: RwSignal<String>) -> impl IntoView {
    let errors = work.errors;
    let cancel = Callback::new(move |()| {
        let patch = TaskPatch {
            status: Some(TaskStatus::Cancelled),
            cancel_reason: Some(reason.get_untracked().trim().to_string()),
            ..Default::default()
        };
        if errors.show_rules(work.missing(&patch)) {
            focus_later(work.element_id("x-reason"));
            return;
        }
        work.apply(patch, format!("Cancelled: {}.", work.what()));
    });
    view! {
        <ActionForm on_submit=cancel busy=work.busy class="task-form stack">
            <h4>"Cancel the task"</h4>
            <TextField
                multiline=true
                id=work.element_id("x-reason")
                label="Reason"
                required=true
                hint="Why this work is no longer needed."
                bind=errors.bind("cancel_reason", reason)
            />
            <FormActions
                button=Button::submit("Cancel this task").busy(work.busy, "Cancelling…").look("danger")
                back_label="Keep task"
                on_back=Callback::new(move |()| work.close(Panel::Cancel))
            />
        </ActionForm>
    }
}
