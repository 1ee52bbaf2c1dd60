//! The patient page: loads the patient, shows the header and the record's
//! tabs — kept in the address (`/patients/:id/timeline` …) so reload and
//! Back work — with the selected tab (a nested route) below, or the edit
//! form in their place.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{A, Outlet};
use shared::ids::PatientId;
use shared::patients::Patient;

use super::context::{PatientCtx, TABS, not_found, tab_href};
use super::edit::EditPatient;
use super::header::PatientHeader;
use crate::client;
use crate::components::{Breadcrumb, NotLoaded, Notice};
use crate::dom::set_title;
use crate::routes::use_path_value;
use crate::transport::ApiError;

/// The patient page.
#[component]
pub fn PatientPage() -> impl IntoView {
    set_title("Patient");
    let id = use_path_value::<PatientId>("id");
    let patient = RwSignal::new(None::<Patient>);
    let load_error = RwSignal::new(None::<ApiError>);
    let editing = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);
    provide_context(PatientCtx { patient, notice });

    Effect::new(move || {
        let wanted = id.get();
        patient.set(None);
        load_error.set(None);
        editing.set(false);
        notice.set(None);
        match wanted {
            None => load_error.set(Some(not_found())),
            Some(pid) => spawn_local(async move {
                let result = client::get_patient(pid).await;
                if id.try_get_untracked() != Some(Some(pid)) {
                    return;
                }
                match result {
                    Ok(p) => {
                        set_title(&p.display_name());
                        patient.set(Some(p));
                    }
                    Err(e) => load_error.set(Some(e)),
                }
            }),
        }
    });

    let loaded = move || patient.with(Option::is_some);
    let name = move || {
        patient
            .with(|p| p.as_ref().map(Patient::display_name))
            .unwrap_or_default()
    };
    view! {
        <Breadcrumb href="/patients" label="Patients" current=Signal::derive(name) />
        <Show
            when=loaded
            fallback=move || {
                view! {
                    <NotLoaded
                        what="the patient"
                        back_href="/patients"
                        back_label="Back to patients"
                        error=load_error
                    />
                }
            }
        >
            <PatientHeader patient=patient editing=editing notice=notice />
            <Notice message=notice />
            <div class="patient-record" hidden=move || editing.get()>
                <nav class="tabs" aria-label="Patient record">
                    <ul>
                        {TABS
                            .iter()
                            .map(|(tab, label)| {
                                let href = move || {
                                    id.get().map(|p| tab_href(p, tab)).unwrap_or_default()
                                };
                                view! {
                                    <li>
                                        <A href=href exact=true attr:class="tab-link">
                                            {*label}
                                        </A>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </nav>
                <div class="tab-panel">
                    <Outlet />
                </div>
            </div>
            <Show when=move || editing.get()>
                <EditPatient patient=patient editing=editing notice=notice />
            </Show>
        </Show>
    }
}
