//! Registering a patient.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use shared::auth::Permission;

use super::{NotAllowed, PageHeader};
use crate::api::{self, ApiError};
use crate::components::ErrorBanner;
use crate::components::patient_form::{ErrorSummary, PatientFormFields, PatientFormState};
use crate::format;
use crate::patient_form::PatientFormData;
use crate::state::use_auth;

/// The new-patient form.
#[component]
pub fn NewPatientPage() -> impl IntoView {
    super::set_title("New patient");
    let auth = use_auth();
    if !auth.can(Permission::PatientsWrite) {
        return view! { <NotAllowed /> }.into_any();
    }
    let can_assign = auth.can(Permission::PatientsAssign);
    let navigate = use_navigate();
    let state = PatientFormState::new(PatientFormData::default(), move |d| {
        d.new_patient(format::today(), can_assign)
            .err()
            .unwrap_or_default()
    });
    let banner = RwSignal::new(None::<ApiError>);
    let saving = RwSignal::new(false);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return;
        }
        state.submitted.set(true);
        banner.set(None);
        let new = match state
            .data
            .with_untracked(|d| d.new_patient(format::today(), can_assign))
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
            let result = api::create_patient(&new).await;
            saving.set(false);
            match result {
                Ok(p) => navigate(&format!("/patients/{}", p.id), Default::default()),
                Err(e) if e.is(422) && !e.field_errors().is_empty() => {
                    state.show_server_errors(e.field_errors())
                }
                Err(e) => {
                    banner.set(Some(e));
                    crate::components::patient_form::focus_element("new-patient-banner");
                }
            }
        });
    };

    view! {
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <a href="/patients">"Patients"</a>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">"New patient"</span>
        </nav>
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
        <form class="patient-form" novalidate on:submit=on_submit>
            <ErrorSummary state=state />
            <PatientFormFields state=state show_status=true can_assign=can_assign />
            <div class="form-actions sticky-actions">
                <button type="submit" class="button primary" disabled=move || saving.get()>
                    {move || if saving.get() { "Creating…" } else { "Create patient" }}
                </button>
                <a href="/patients" class="button secondary">
                    "Cancel"
                </a>
            </div>
        </form>
    }
    .into_any()
}
