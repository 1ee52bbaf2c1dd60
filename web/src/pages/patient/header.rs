//! The patient page's header: name, key facts and the Edit button.

use leptos::prelude::*;
use shared::auth::Permission;
use shared::patients::Patient;

use crate::components::{RiskBadge, StatusBadge};
use crate::dom::focus_later;
use crate::format;
use crate::state::use_auth;

/// Name, key facts and the Edit button.
#[component]
pub fn PatientHeader(
    /// The patient.
    patient: RwSignal<Option<Patient>>,
    /// Whether the edit form is open.
    editing: RwSignal<bool>,
    /// The page's confirmation (cleared when editing starts).
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let can_write = use_auth().can(Permission::PatientsWrite);
    let today = format::today();
    view! {
        <div class="page-header patient-header">
            <div>
                <h1>{move || patient.with(|p| p.as_ref().map(Patient::display_name))}</h1>
                {move || {
                    patient
                        .get()
                        .map(|p| {
                            view! {
                                <p class="patient-summary">
                                    <span>{format::birth_date_with_age(p.birth_date, today)}</span>
                                    <span>{p.sex.label()}</span>
                                    <StatusBadge status=p.status />
                                    <RiskBadge level=p.risk_level long=true />
                                    {p
                                        .interpreter_needed
                                        .then(|| {
                                            view! {
                                                <span class="badge tag-warn">
                                                    {format!(
                                                        "Interpreter: {}",
                                                        format::language_name(&p.preferred_language),
                                                    )}
                                                </span>
                                            }
                                        })}
                                </p>
                            }
                        })
                }}
            </div>
            <div class="page-actions">
                {can_write
                    .then(|| {
                        view! {
                            <Show when=move || !editing.get()>
                                <button
                                    type="button"
                                    class="button primary"
                                    on:click=move |_| {
                                        notice.set(None);
                                        editing.set(true);
                                        focus_later("edit-heading");
                                    }
                                >
                                    "Edit details"
                                </button>
                            </Show>
                        }
                    })}
            </div>
        </div>
    }
}
