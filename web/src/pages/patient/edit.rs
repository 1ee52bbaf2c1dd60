//! Editing the record with the patient form, with a plain-words way
//! through edit conflicts: when someone else saved first, nothing typed is
//! lost; the latest version loads under the person's input, and what the
//! other person changed is listed.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Permission;
use shared::patients::Patient;
use shared::problem::ProblemKind;

use crate::client;
use crate::components::patient_form_view::{ErrorSummary, PatientFormFields, PatientFormState};
use crate::components::{ActionForm, Button, ErrorBanner, FormActions};
use crate::dom::focus_element;
use crate::patient_form_model::{FieldChange, PatientFormModel, patient_changes};
use crate::rules;
use crate::state::{Directory, use_auth};
use crate::transport::ApiError;

/// Where an edit stands after a save was refused as stale.
#[derive(Debug, Clone, PartialEq)]
enum Conflict {
    /// No conflict.
    None,
    /// Someone saved first; the person's input is unsaved.
    Detected,
    /// The latest version is loaded under the person's input.
    Loaded {
        /// What the other person changed.
        theirs: Vec<FieldChange>,
        /// Keys both changed (the person's value is kept).
        both: Vec<&'static str>,
    },
}

/// Editing the record with the patient form.
#[component]
pub fn EditPatient(
    /// The patient; saving replaces it with the saved version.
    patient: RwSignal<Option<Patient>>,
    /// Whether the edit form is open.
    editing: RwSignal<bool>,
    /// The page's confirmation.
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let auth = use_auth();
    let can_assign = auth.can(Permission::PatientsAssign);
    let directory = expect_context::<Directory>();
    let Some(start) = patient.get_untracked() else {
        return ().into_any();
    };
    let id = start.id;
    let base = RwSignal::new(start.clone());
    let state = PatientFormState::new(PatientFormModel::from_patient(&start), move |d| {
        base.with(|b| {
            d.patch_against(b, &rules::context(), can_assign)
                .err()
                .unwrap_or_default()
        })
    });
    let conflict = RwSignal::new(Conflict::None);
    let banner = RwSignal::new(None::<ApiError>);
    let saving = RwSignal::new(false);
    let loading_latest = RwSignal::new(false);

    let save = Callback::new(move |()| {
        state.submitted.set(true);
        banner.set(None);
        let patch = state.data.with_untracked(|d| {
            base.with_untracked(|b| d.patch_against(b, &rules::context(), can_assign))
        });
        let patch = match patch {
            Ok(p) => p,
            Err(errors) => {
                state.focus_first(&errors);
                return;
            }
        };
        if patch.is_empty() {
            editing.set(false);
            notice.set(Some("Nothing was changed.".into()));
            return;
        }
        let version = base.with_untracked(|b| b.version);
        saving.set(true);
        spawn_local(async move {
            let result = client::update_patient(id, &patch, version).await;
            saving.set(false);
            match result {
                Ok(updated) => {
                    patient.set(Some(updated));
                    editing.set(false);
                    notice.set(Some("Changes saved.".into()));
                }
                Err(e) if e.is(ProblemKind::StaleVersion) => {
                    conflict.set(Conflict::Detected);
                    focus_element("conflict-banner");
                }
                Err(e) if e.is(ProblemKind::Validation) && !e.field_errors().is_empty() => {
                    state.show_server_errors(e.field_errors());
                }
                Err(e) => {
                    banner.set(Some(e));
                    focus_element("conflict-banner");
                }
            }
        });
    });

    let load_latest = move |()| {
        if loading_latest.get_untracked() {
            return;
        }
        loading_latest.set(true);
        spawn_local(async move {
            match client::get_patient(id).await {
                Ok(latest) => {
                    let old = base.get_untracked();
                    let mine = state.data.get_untracked();
                    let my_keys = mine.changed_keys(&old);
                    let theirs =
                        patient_changes(&old, &latest, &|cm| directory.care_manager_label(cm));
                    let both = theirs
                        .iter()
                        .filter(|c| my_keys.contains(&c.key))
                        .map(|c| c.key)
                        .collect();
                    state.data.set(mine.rebase(&old, &latest));
                    state.server.set(vec![]);
                    base.set(latest.clone());
                    patient.set(Some(latest));
                    conflict.set(Conflict::Loaded { theirs, both });
                    focus_element("conflict-banner");
                }
                Err(e) => banner.set(Some(e)),
            }
            loading_latest.set(false);
        });
    };

    view! {
        <section class="edit-panel" aria-labelledby="edit-heading">
            <h2 id="edit-heading" tabindex="-1">
                "Edit patient details"
            </h2>
            <div id="conflict-banner" tabindex="-1">
                <ConflictNotice conflict=conflict loading=loading_latest on_load=Callback::new(load_latest) />
                <ErrorBanner error=banner />
            </div>
            <ActionForm on_submit=save busy=saving class="patient-form">
                <ErrorSummary state=state />
                <PatientFormFields state=state show_status=false can_assign=can_assign />
                <FormActions
                    button=Button::submit("Save changes").busy(saving, "Saving…")
                    on_back=Callback::new(move |()| editing.set(false))
                    class="sticky-actions"
                />
            </ActionForm>
        </section>
    }
    .into_any()
}

/// What the person is told about a conflict: that someone else saved first
/// (with the button that loads the latest version), then what the other
/// person changed.
#[component]
fn ConflictNotice(
    /// Where the edit stands.
    conflict: RwSignal<Conflict>,
    /// Whether the latest version is on its way.
    loading: RwSignal<bool>,
    /// Loads the latest version under the person's input.
    on_load: Callback<()>,
) -> impl IntoView {
    move || {
        match conflict.get() {
            Conflict::None => ().into_any(),
            Conflict::Detected => view! {
                <div class="banner banner-warning" role="alert">
                    <p class="banner-title">
                        "Someone else saved changes to this patient while you were editing"
                    </p>
                    <p>
                        "Your changes have not been saved yet, and nothing you typed is lost: it is still in the form below."
                    </p>
                    <p>
                        "Load the latest version to see what the other person changed. Your edits stay in the form on top of it, so you can check them and save again without retyping."
                    </p>
                    <button
                        type="button"
                        class="button primary"
                        disabled=move || loading.get()
                        on:click=move |_| on_load.run(())
                    >
                        {move || {
                            if loading.get() { "Loading…" } else { "Load latest version" }
                        }}
                    </button>
                </div>
            }
            .into_any(),
            Conflict::Loaded { theirs, both } => view! {
                <div class="banner banner-info" role="status">
                    <p class="banner-title">"The latest version is loaded"</p>
                    {if theirs.is_empty() {
                        view! {
                            <p>"The other change did not touch any field in this form."</p>
                        }
                            .into_any()
                    } else {
                        view! {
                            <p>"Someone else changed:"</p>
                            <ul class="change-list">
                                {theirs
                                    .into_iter()
                                    .map(|c| {
                                        let mine_too = both.contains(&c.key);
                                        view! {
                                            <li>
                                                <strong>{c.label}</strong>
                                                ": "
                                                <span class="old-value">{c.before}</span>
                                                " → "
                                                <span class="new-value">{c.after}</span>
                                                {mine_too
                                                    .then(|| {
                                                        view! {
                                                            <span class="both-changed">
                                                                " — you changed this too; your value is kept in the form."
                                                            </span>
                                                        }
                                                    })}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }}
                    <p>"Your edits are still in the form. Check them, then save again."</p>
                </div>
            }
            .into_any(),
        }
    }
}
