//! Working a task where it is shown (worklist, patient page, team view):
//! log an outreach attempt, start it, finish it with its outcome (a
//! transition follow-up records the structured transition outcome), cancel
//! it with a reason, or give it to someone else. Each change names the
//! version it is based on; when someone else changed the task first, the
//! latest version is loaded and the person is told nothing was saved.
//!
//! One file a form: `outreach`, `complete`, `cancel`, `reassign`; what they
//! share (the task, sending a change) is in `work`.

mod cancel;
mod complete;
mod outreach;
mod reassign;
mod work;

use leptos::prelude::*;
use shared::tasks::{Task, TaskPatch, TaskStatus};

use self::cancel::CancelForm;
use self::complete::{CompleteDraft, CompleteForm};
use self::outreach::{OutreachDraft, OutreachForm};
use self::reassign::ReassignForm;
pub use self::work::TaskChange;
use self::work::{Panel, TaskWork};
use crate::components::banner::{ErrorBanner, Notice};
use crate::components::forms::{Disclosure, FormErrors};

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
    let work = TaskWork {
        task,
        id: task.with_untracked(|t| t.id),
        patient_name: StoredValue::new(patient_name),
        panel: RwSignal::new(None),
        busy: RwSignal::new(false),
        notice: RwSignal::new(None),
        errors: FormErrors::new(),
        on_change,
    };
    let outreach = OutreachDraft::new();
    let completion = CompleteDraft::new();
    let cancel_reason = RwSignal::new(String::new());
    let assignee = RwSignal::new(String::new());
    let panel_id = work.element_id("panel");

    let start = move |_| {
        if work.busy.get_untracked() {
            return;
        }
        let patch = TaskPatch {
            status: Some(TaskStatus::InProgress),
            ..Default::default()
        };
        work.apply(patch, format!("Started: {}.", work.what()));
    };
    let toggle = {
        let panel_id = panel_id.clone();
        move |p: Panel| {
            view! {
                <Disclosure
                    label=p.label()
                    expanded=Signal::derive(move || work.panel.get() == Some(p))
                    on_toggle=Callback::new(move |()| work.toggle(p))
                    id=work.element_id(p.button())
                    controls=panel_id.clone()
                    class=p.class()
                />
            }
        }
    };
    let is_open = move || task.with(|t| t.status == TaskStatus::Open);

    view! {
        <div class="task-actions">
            <div class="action-bar">
                {toggle(Panel::Outreach)}
                <Show when=is_open>
                    <button
                        type="button"
                        class="button small secondary"
                        disabled=move || work.busy.get()
                        on:click=start
                    >
                        "Start"
                    </button>
                </Show>
                {toggle(Panel::Complete)}
                {toggle(Panel::Cancel)}
                {can_reassign.then(|| toggle(Panel::Reassign))}
            </div>
            <Notice message=work.notice inline=true />
            <ErrorBanner error=work.errors.banner />
            <div id=panel_id>
                {move || match work.panel.get() {
                    None => ().into_any(),
                    Some(Panel::Outreach) => view! { <OutreachForm work=work draft=outreach /> }.into_any(),
                    Some(Panel::Complete) => view! { <CompleteForm work=work draft=completion /> }.into_any(),
                    Some(Panel::Cancel) => view! { <CancelForm work=work reason=cancel_reason /> }.into_any(),
                    Some(Panel::Reassign) => view! { <ReassignForm work=work assignee=assignee /> }.into_any(),
                }}
            </div>
        </div>
    }
}
