//! What every way of working a task shares: the task, the open panel, the
//! busy flag, the notices and errors, and sending a change (reloading the
//! task when someone else changed it first).

use chrono::Utc;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ids::TaskId;
use shared::problem::{FieldError, ProblemKind};
use shared::tasks::{Task, TaskKind, TaskPatch, TaskRefusal};
use shared::validation::field_errors;

use crate::client;
use crate::components::forms::{FormErrors, stale};
use crate::dom::focus_later;
use crate::transport::ApiError;

/// A change to a task: the task as it is now, and a sentence for people
/// (empty when there is nothing to say).
pub type TaskChange = (Task, String);

/// Which form is open under a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    /// Logging an outreach attempt.
    Outreach,
    /// Finishing the task with its outcome.
    Complete,
    /// Cancelling it with a reason.
    Cancel,
    /// Giving it to someone else.
    Reassign,
}

impl Panel {
    /// The words of the button that opens it.
    pub fn label(self) -> &'static str {
        match self {
            Panel::Outreach => "Log outreach",
            Panel::Complete => "Complete",
            Panel::Cancel => "Cancel task",
            Panel::Reassign => "Reassign",
        }
    }

    /// The last part of the id of the button that opens it (focus returns
    /// there when the form closes).
    pub fn button(self) -> &'static str {
        match self {
            Panel::Outreach => "outreach-btn",
            Panel::Complete => "complete-btn",
            Panel::Cancel => "cancel-btn",
            Panel::Reassign => "reassign-btn",
        }
    }

    /// The last part of the id of the field focused when it opens.
    pub fn first_field(self, kind: TaskKind) -> &'static str {
        match self {
            Panel::Outreach => "o-outcome",
            Panel::Complete if kind == TaskKind::TransitionFollowup => "c-reached",
            Panel::Complete => "c-text",
            Panel::Cancel => "x-reason",
            Panel::Reassign => "r-assignee",
        }
    }

    /// The look of its button: the ways to end a task's work are quieter.
    pub fn class(self) -> &'static str {
        match self {
            Panel::Outreach | Panel::Complete => "button small secondary",
            Panel::Cancel | Panel::Reassign => "button small ghost",
        }
    }
}

/// One task being worked, shared by its buttons and forms.
#[derive(Debug, Clone, Copy)]
pub struct TaskWork {
    /// The task, kept current by whoever shows it.
    pub task: Signal<Task>,
    /// Its id.
    pub id: TaskId,
    /// The patient's name, for sentences.
    pub patient_name: StoredValue<String>,
    /// The open form.
    pub panel: RwSignal<Option<Panel>>,
    /// Whether a change is on its way.
    pub busy: RwSignal<bool>,
    /// What the last change did.
    pub notice: RwSignal<Option<String>>,
    /// The open form's errors.
    pub errors: FormErrors,
    /// Told of every change.
    pub on_change: Callback<TaskChange>,
}

impl TaskWork {
    /// The id of one of the task's elements: `task-<id>-<part>`.
    pub fn element_id(self, part: &str) -> String {
        format!("task-{}-{part}", self.id)
    }

    /// The task in words: "Call about discharge for Lopez, Maria".
    pub fn what(self) -> String {
        let title = self.task.with_untracked(|t| t.title.clone());
        format!("{title} for {}", self.patient_name.get_value())
    }

    /// Opens `panel` (or closes it when it is open), focusing its first field.
    pub fn toggle(self, panel: Panel) {
        self.errors.clear();
        self.notice.set(None);
        if self.panel.get_untracked() == Some(panel) {
            self.panel.set(None);
        } else {
            self.panel.set(Some(panel));
            let kind = self.task.with_untracked(|t| t.kind);
            focus_later(self.element_id(panel.first_field(kind)));
        }
    }

    /// Closes the open form and returns focus to the button that opened it.
    pub fn close(self, panel: Panel) {
        self.panel.set(None);
        self.errors.clear();
        focus_later(self.element_id(panel.button()));
    }

    /// What the shared task rules find missing in `patch` (the fields a
    /// 422 would name), before anything is sent. Whether the step itself is
    /// allowed is the API's to say.
    pub fn missing(self, patch: &TaskPatch) -> Vec<FieldError> {
        self.task.with_untracked(|t| missing_fields(t, patch))
    }

    /// Someone else changed the task: loads it and says so.
    pub async fn reload(self, cause: ApiError) {
        match client::get_task(self.id).await {
            Ok(latest) => {
                let said = if latest.status.is_active() {
                    String::new()
                } else {
                    format!(
                        "{} for {} is now {}: someone else changed it.",
                        latest.title,
                        self.patient_name.get_value(),
                        latest.status.label().to_lowercase()
                    )
                };
                self.errors
                    .banner
                    .set(Some(if cause.is(ProblemKind::StaleVersion) {
                        stale("This task")
                    } else {
                        cause
                    }));
                self.on_change.try_run((latest, said));
            }
            Err(e) => self.errors.banner.set(Some(e)),
        }
    }

    /// Sends a change to the task; `done` is what to say once it is saved.
    pub fn apply(self, patch: TaskPatch, done: String) {
        let Some(version) = self.task.try_with_untracked(|t| t.version) else {
            return;
        };
        self.errors.clear();
        self.notice.set(None);
        self.busy.set(true);
        spawn_local(async move {
            let result = client::update_task(self.id, &patch, version).await;
            self.busy.set(false);
            match result {
                Ok(updated) => {
                    self.panel.set(None);
                    self.notice.set(Some(done.clone()));
                    self.on_change.try_run((updated, done));
                }
                Err(e) if e.is_lost_race() => self.reload(e).await,
                Err(e) => self.errors.show(e),
            }
        });
    }
}

/// What the shared lifecycle rules find missing when `patch` works `task`
/// (an outcome to finish, a reason to cancel …), as the API's field errors.
pub fn missing_fields(task: &Task, patch: &TaskPatch) -> Vec<FieldError> {
    match task.work(patch, None, Utc::now()) {
        Err(TaskRefusal::Invalid(errors)) => field_errors(&errors),
        Ok(_) | Err(TaskRefusal::Finished(_) | TaskRefusal::Step { .. }) => vec![],
    }
}
