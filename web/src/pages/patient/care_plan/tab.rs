//! The care-plan tab: the plan at its current version (goals with how
//! their measures stand, "Review overdue" when it is), editing it into a
//! new version, printing it for the patient and family, and the versions
//! panel. A patient without a plan gets "No care plan yet" and the form
//! that creates one.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Permission;
use shared::care_plan::CarePlan;
use shared::problem::ProblemKind;

use super::editor::PlanEditor;
use super::versions::VersionsPanel;
use super::view::PlanContentView;
use crate::client;
use crate::components::{Loading, TabSection};
use crate::dom::focus_later;
use crate::format;
use crate::pages::patient::context::PatientCtx;
use crate::state::{Directory, use_auth};
use crate::transport::ApiError;

/// Where the tab stands.
#[derive(Debug, Clone, PartialEq)]
enum Loaded {
    /// On its way.
    Loading,
    /// The patient has no plan yet.
    Missing,
    /// The plan at its current version.
    Plan(Box<CarePlan>),
    /// It could not be read.
    Failed,
}

/// What to say once a save came back: created, a new version, or nothing
/// changed (`before`: the version the edit was based on).
pub fn saved_notice(before: Option<i32>, saved: i32) -> String {
    match before {
        None => format!("Care plan created (version {saved})."),
        Some(b) if b == saved => {
            format!("Nothing was changed; the care plan is still version {saved}.")
        }
        Some(_) => format!("Care plan saved as version {saved}."),
    }
}

fn print_page() {
    if let Some(w) = web_sys::window() {
        // Printing is the browser's; a refusal leaves the page as it is.
        let _ = w.print();
    }
}

/// The care-plan tab.
#[component]
pub fn PatientCarePlanTab() -> impl IntoView {
    let Some(patient_id) = PatientCtx::open_tab("Care plan") else {
        return ().into_any();
    };
    let ctx = PatientCtx::get();
    let can_write = use_auth().can(Permission::PatientsWrite);
    let directory = expect_context::<Directory>();
    let loaded = RwSignal::new(Loaded::Loading);
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let editing = RwSignal::new(false);

    spawn_local(async move {
        match client::get_care_plan(patient_id).await {
            Ok(p) => loaded.set(Loaded::Plan(Box::new(p))),
            Err(e) if e.is(ProblemKind::NotFound) => loaded.set(Loaded::Missing),
            Err(e) => {
                loaded.set(Loaded::Failed);
                error.set(Some(e));
            }
        }
    });

    let plan = Memo::new(move |_| match loaded.get() {
        Loaded::Plan(p) => Some(*p),
        _ => None,
    });
    let plan_id = Memo::new(move |_| plan.with(|p| p.as_ref().map(|p| p.id)));
    let current = Signal::derive(move || plan.with(|p| p.as_ref().map_or(1, |p| p.version)));

    let on_saved = Callback::new(move |saved: CarePlan| {
        let before = plan.with_untracked(|p| p.as_ref().map(|p| p.version));
        notice.set(Some(saved_notice(before, saved.version)));
        loaded.set(Loaded::Plan(Box::new(saved)));
        editing.set(false);
        focus_later("care-plan-notice");
    });
    let on_latest = Callback::new(move |latest: CarePlan| {
        loaded.set(Loaded::Plan(Box::new(latest)));
    });
    let start_editing = move |_| {
        notice.set(None);
        editing.set(true);
        focus_later("plan-editor-heading");
    };
    let patient_name = ctx.name();

    view! {
        <TabSection title="Care plan" notice=(notice, "care-plan-notice") error=error>
            <p class="print-only print-title">{format!("Care plan for {patient_name}")}</p>
            {move || match loaded.get() {
                Loaded::Loading => view! { <Loading what="the care plan" /> }.into_any(),
                Loaded::Failed => ().into_any(),
                Loaded::Missing | Loaded::Plan(_) if editing.get() => ().into_any(),
                Loaded::Missing => view! {
                    <div class="empty-state card" data-testid="no-care-plan">
                        <h3>"No care plan yet"</h3>
                        <p>"Write the plan with the patient: their needs, goals, what will be done and who agreed."</p>
                        {can_write.then(|| view! {
                            <button type="button" class="button primary" on:click=start_editing>
                                "Create care plan"
                            </button>
                        })}
                    </div>
                }
                    .into_any(),
                Loaded::Plan(p) => {
                    let updated = format!(
                        "Version {} · updated {} by {}",
                        p.version,
                        format::datetime(p.updated_at),
                        directory.care_manager_label(p.updated_by),
                    );
                    view! {
                        <div class="plan-head">
                            <p class="muted small" data-testid="plan-version-line">{updated}</p>
                            <div class="plan-actions no-print">
                                {can_write.then(|| view! {
                                    <button type="button" class="button primary" on:click=start_editing>
                                        "Edit care plan"
                                    </button>
                                })}
                                <button type="button" class="button secondary" on:click=move |_| print_page()>
                                    "Print"
                                </button>
                            </div>
                        </div>
                        <div class="card plan-card">
                            <PlanContentView
                                content=p.content.clone()
                                evaluations=p.goal_evaluations.clone()
                                review_overdue=p.review_overdue
                            />
                        </div>
                    }
                        .into_any()
                }
            }}
            <Show when=move || editing.get()>
                <PlanEditor
                    patient_id=patient_id
                    plan=plan.get_untracked()
                    on_saved=on_saved
                    on_latest=on_latest
                    on_cancel=Callback::new(move |()| editing.set(false))
                />
            </Show>
            {move || plan_id.get().map(|id| view! { <VersionsPanel plan_id=id current=current /> })}
        </TabSection>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_says_created_saved_or_unchanged() {
        assert_eq!(saved_notice(None, 1), "Care plan created (version 1).");
        assert_eq!(saved_notice(Some(1), 2), "Care plan saved as version 2.");
        assert_eq!(
            saved_notice(Some(2), 2),
            "Nothing was changed; the care plan is still version 2."
        );
    }
}
