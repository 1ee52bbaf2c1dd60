//! Registering a patient.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use shared::auth::Permission;
use shared::problem::ProblemKind;

use super::not_found::NotAllowed;
use crate::client;
use crate::components::patient_form_view::{ErrorSummary, PatientFormFields, PatientFormState};
use crate::components::{ActionForm, Breadcrumb, Button, ErrorBanner, FormActions, PageHeader};
use crate::dom::{focus_element, set_title};
use crate::patient_form_model::PatientFormModel;
use crate::rules;
use crate::state::use_auth;
use crate::transport::ApiError;

/// The new-patient form.
#[component]
pub fn NewPatientPage() -> impl IntoView {
    set_title("New patient");
    let auth = use_auth();
    if !auth.can(Permission::PatientsWrite) {
        return view! { <NotAllowed /> }.into_any();
    }
    let can_assign = auth.can(Permission::PatientsAssign);
    let navigate = use_navigate();
    let state = PatientFormState::new(PatientFormModel::default(), move |d| {
        d.new_patient(&rules::context(), can_assign)
            .err()
            .unwrap_or_default()
    });
    let banner = RwSignal::new(None::<ApiError>);
    let saving = RwSignal::new(false);

    let on_submit = Callback::new(move |()| {
        state.submitted.set(true);
        banner.set(None);
        let new = match state
            .data
            .with_untracked(|d| d.new_patient(&rules::context(), can_assign))
        {
            Ok(new) => new,
            Err(errors) => {
                state.focus_first(&errors);
                return;
            }
        };
        saving.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = client::create_patient(&new).await;
            saving.set(false);
            match result {
                Ok(p) => navigate(&format!("/patients/{}", p.id), NavigateOptions::default()),
                Err(e) if e.is(ProblemKind::Validation) && !e.field_errors().is_empty() => {
                    state.show_server_errors(e.field_errors());
                }
                Err(e) => {
                    banner.set(Some(e));
                    focus_element("new-patient-banner");
                }
            }
        });
    });

    view! {
        <Breadcrumb href="/patients" label="Patients" current="New patient".to_string() />
        <PageHeader
            title="New patient".to_string()
            subtitle=if can_assign {
                "Fields marked * are required.".to_string()
            } else {
                "Fields marked * are required. You will be this patient's care manager.".to_string()
            }
        />
        <div id="new-patient-banner" tabindex="-1">
            <ErrorBanner error=banner />
        </div>
        <ActionForm on_submit=on_submit busy=saving class="patient-form">
            <ErrorSummary state=state />
            <PatientFormFields state=state show_status=true can_assign=can_assign />
            <FormActions
                button=Button::submit("Create patient").busy(saving, "Creating…")
                back_href="/patients"
                class="sticky-actions"
            />
        </ActionForm>
    }
    .into_any()
}
