//! The case status card: where the case stands and the control to move it
//! on (closing and reopening need a reason).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Permission;
use shared::case_status::{CaseStatus, StatusChangeRequest};
use shared::patients::Patient;
use shared::problem::ProblemKind;
use shared::validation::blank_to_none;

use crate::client;
use crate::components::{
    ActionForm, Button, Card, Choice, ErrorBanner, SelectField, StatusBadge, SubmitButton,
    TextField,
};
use crate::dom::focus_element;
use crate::pages::patient::context::reload_after_conflict;
use crate::state::use_auth;
use crate::transport::ApiError;

/// The case status and the control to move it on.
#[component]
pub fn StatusCard(
    /// The patient; a change replaces it with the changed version.
    patient: RwSignal<Option<Patient>>,
    /// The page's confirmation.
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let can_write = use_auth().can(Permission::PatientsWrite);
    let target = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let target_error = RwSignal::new(None::<String>);
    let reason_error = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);

    let current = move || patient.with(|p| p.as_ref().map(|p| p.status).unwrap_or_default());
    let chosen = move || target.with(|t| t.parse::<CaseStatus>().ok());
    let needs_reason = move || chosen().is_some_and(|to| CaseStatus::needs_reason(current(), to));
    let options = Signal::derive(move || {
        std::iter::once((String::new(), "Choose a status…".to_string()))
            .chain(
                current()
                    .next_statuses()
                    .iter()
                    .map(|s| (s.as_ref().to_string(), s.label().to_string())),
            )
            .collect::<Vec<Choice>>()
    });

    let on_submit = Callback::new(move |()| {
        error.set(None);
        let Some(p) = patient.get_untracked() else {
            return;
        };
        let Some(to) = chosen() else {
            target_error.set(Some("Choose the new status.".into()));
            focus_element("status-target");
            return;
        };
        let why = blank_to_none(reason.get_untracked());
        if CaseStatus::needs_reason(p.status, to) && why.is_none() {
            reason_error.set(Some(
                "A reason is required when closing or reopening a case.".into(),
            ));
            focus_element("status-reason");
            return;
        }
        let request = StatusChangeRequest {
            status: to,
            reason: why,
            version: Some(p.version),
        };
        busy.set(true);
        spawn_local(async move {
            let result = client::change_status(p.id, &request, p.version).await;
            busy.set(false);
            match result {
                Ok(updated) => {
                    patient.set(Some(updated));
                    target.set(String::new());
                    reason.set(String::new());
                    notice.set(Some(format!("Case status changed to {}.", to.label())));
                }
                Err(e) if e.is(ProblemKind::StaleVersion) => {
                    reload_after_conflict(p.id, patient, error).await;
                }
                Err(e) if e.is(ProblemKind::Validation) && !e.field_errors().is_empty() => {
                    let errs = e.field_errors();
                    match errs.iter().find(|f| f.field == "reason") {
                        Some(f) => reason_error.set(Some(format!("Reason {}.", f.message))),
                        None => error.set(Some(e)),
                    }
                }
                Err(e) => error.set(Some(e)),
            }
        });
    });

    view! {
        <Card id="sec-status" title="Case status">
            {move || {
                patient
                    .get()
                    .map(|p| {
                        view! {
                            <p class="status-line">
                                <StatusBadge status=p.status />
                            </p>
                            {p
                                .status_reason
                                .map(|r| {
                                    view! {
                                        <p class="muted small">
                                            "Reason: " {r}
                                        </p>
                                    }
                                })}
                        }
                    })
            }}
            <ErrorBanner error=error />
            {can_write
                .then(|| {
                    view! {
                        <ActionForm on_submit=on_submit busy=busy>
                            <SelectField
                                id="status-target"
                                label="Move case to"
                                value=target
                                options=options
                                on_change=Callback::new(move |v| {
                                    target.set(v);
                                    target_error.set(None);
                                })
                                error=target_error
                            />
                            <Show when=needs_reason>
                                <TextField
                                    multiline=true
                                    id="status-reason"
                                    label="Reason"
                                    required=true
                                    hint="Required when closing or reopening a case."
                                    value=reason
                                    on_input=Callback::new(move |v| {
                                        reason.set(v);
                                        reason_error.set(None);
                                    })
                                    error=reason_error
                                />
                            </Show>
                            <SubmitButton
                                button=Button::submit("Change status").busy(busy, "Changing…").look("secondary")
                            />
                        </ActionForm>
                    }
                })}
        </Card>
    }
}
