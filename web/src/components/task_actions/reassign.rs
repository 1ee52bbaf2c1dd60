//! Giving a task to someone else who carries a caseload.

use leptos::prelude::*;
use shared::ids::UserId;
use shared::patch::Patch;
use shared::problem::FieldError;
use shared::tasks::TaskPatch;

use super::work::{Panel, TaskWork};
use crate::components::ActionForm;
use crate::components::fields::{Choice, SelectField};
use crate::components::forms::{Button, FormActions};
use crate::dom::focus_later;
use crate::state::Directory;

/// The reassign form; `assignee` outlives it, so reopening keeps the choice.
#[component]
pub fn ReassignForm(work: TaskWork, assignee: RwSignal<String>) -> impl IntoView {
    let directory = expect_context::<Directory>();
    let errors = work.errors;
    let reassign = Callback::new(move |()| {
        let Ok(to) = assignee.get_untracked().parse::<UserId>() else {
            errors.show_rules(vec![FieldError::new("assignee_id", "must be chosen")]);
            focus_later(work.element_id("r-assignee"));
            return;
        };
        let name = directory.care_manager_label(Some(to));
        let patch = TaskPatch {
            assignee_id: Patch::Value(to),
            ..Default::default()
        };
        work.apply(patch, format!("Reassigned to {name}: {}.", work.what()));
    });
    let people = Signal::derive(move || {
        let current = work.task.with(|t| t.assignee_id);
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
    view! {
        <ActionForm on_submit=reassign busy=work.busy class="task-form stack">
            <h4>"Reassign the task"</h4>
            <SelectField
                id=work.element_id("r-assignee")
                label="Assign to"
                required=true
                options=people
                bind=errors.bind("assignee_id", assignee)
                error_label="Assignee"
            />
            <FormActions
                button=Button::submit("Reassign").busy(work.busy, "Reassigning…")
                back_label="Close"
                on_back=Callback::new(move |()| work.close(Panel::Reassign))
            />
        </ActionForm>
    }
}
