//! The patient's open and in-progress tasks, by due time, worked in place.

use chrono::Utc;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Permission;
use shared::ids::{PatientId, TaskId};
use shared::pagination::PageQuery;
use shared::tasks::{Task, TaskListQuery, TaskStatus};

use crate::client;
use crate::components::clock::use_clock;
use crate::components::task_actions::{TaskActions, TaskChange};
use crate::components::{ListCard, Loading, Tag};
use crate::dom::focus_later;
use crate::format;
use crate::state::{Directory, use_auth};
use crate::transport::ApiError;

/// Tasks asked for per status (a patient's open work fits on one page).
const PAGE: i64 = 100;

/// One open task, with a signal of its own so it changes in place.
#[derive(Debug, Clone)]
struct TaskRow {
    id: TaskId,
    task: ArcRwSignal<Task>,
}

/// The patient's open and in-progress tasks, by due time, worked in place.
#[component]
pub fn PatientTasks(
    /// The patient.
    patient_id: PatientId,
    /// Their name, for sentences.
    patient_name: String,
) -> impl IntoView {
    let auth = use_auth();
    if !auth.can(Permission::TasksRead) {
        return ().into_any();
    }
    let can_work = auth.can(Permission::TasksWrite);
    let can_reassign = auth.can(Permission::TasksAssign);
    let directory = expect_context::<Directory>();
    let rows = RwSignal::new(Vec::<TaskRow>::new());
    let loading = RwSignal::new(true);
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let now = use_clock();

    spawn_local(async move {
        let mut all = Vec::new();
        let mut failed = None;
        for status in [TaskStatus::Open, TaskStatus::InProgress] {
            let query = TaskListQuery {
                patient_id: Some(patient_id),
                status: Some(status),
                ..Default::default()
            };
            match client::list_tasks(&query, &PageQuery::first(PAGE)).await {
                Ok(page) => all.extend(page.items),
                Err(e) => failed = Some(e),
            }
        }
        all.sort_by_key(|t| (t.due_at, t.id));
        loading.set(false);
        now.set(Utc::now());
        rows.set(
            all.into_iter()
                .map(|t| TaskRow {
                    id: t.id,
                    task: ArcRwSignal::new(t),
                })
                .collect(),
        );
        error.set(failed);
    });

    let on_change = Callback::new(move |(task, said): TaskChange| {
        if task.status.is_active() {
            rows.with_untracked(|r| {
                if let Some(row) = r.iter().find(|x| x.id == task.id) {
                    row.task.set(task);
                }
            });
        } else {
            rows.update(|r| r.retain(|x| x.id != task.id));
            notice.set(Some(if said.is_empty() {
                "The task is no longer open.".to_string()
            } else {
                said
            }));
            focus_later("sec-tasks");
        }
    });
    let patient_name = StoredValue::new(patient_name);

    view! {
        <ListCard
            id="sec-tasks"
            title="Open tasks"
            count=Signal::derive(move || rows.with(Vec::len))
            notice=notice
            error=error
        >
            <Show when=move || loading.get()>
                <Loading what="tasks" />
            </Show>
            <Show when=move || !loading.get() && rows.with(Vec::is_empty)>
                <p class="muted">"No open tasks."</p>
            </Show>
            <ul class="plain-list task-list">
                <For
                    each=move || rows.get()
                    key=|r| r.id
                    children=move |r| {
                        let t = r.task.clone();
                        let task = Signal::derive(move || t.get());
                        let heading = format!("ptask-{}", r.id);
                        let overdue = move || format::is_past_due(task.with(|t| t.due_at), now.get());
                        view! {
                            <li class="task-item" class:overdue=overdue>
                                <article aria-labelledby=heading.clone()>
                                    <h3 id=heading.clone() class="task-title">
                                        {move || task.with(|t| format!("{}: {}", t.kind.label(), t.title))}
                                    </h3>
                                    <p class="task-meta">
                                        <span class="countdown" class:overdue=overdue>
                                            {move || format::due_countdown(task.with(|t| t.due_at), now.get())}
                                        </span>
                                        <Show when=overdue>
                                            " "
                                            <span class="badge tag-overdue">"Overdue"</span>
                                        </Show>
                                        <Show when=move || task.with(|t| t.status == TaskStatus::InProgress)>
                                            " "
                                            <Tag text="In progress" kind="muted" />
                                        </Show>
                                        <span class="muted small">
                                            {move || {
                                                format!(
                                                    " · Assigned to {}",
                                                    directory.care_manager_label(task.with(|t| t.assignee_id)),
                                                )
                                            }}
                                        </span>
                                    </p>
                                    {can_work
                                        .then(|| {
                                            view! {
                                                <TaskActions
                                                    task=task
                                                    patient_name=patient_name.get_value()
                                                    on_change=on_change
                                                    can_reassign=can_reassign
                                                />
                                            }
                                        })}
                                </article>
                            </li>
                        }
                    }
                />
            </ul>
        </ListCard>
    }
    .into_any()
}
