//! Adding the discharge to a stay still open: the button on its row, and
//! the form that records the time and where the patient went.

use chrono::Utc;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::encounters::{Encounter, EncounterPatch, EncounterValues};
use shared::patch::Patch;
use shared::problem::{FieldError, ProblemKind};
use shared::validation::{blank_to_none, field_errors};

use crate::client;
use crate::components::{ActionForm, Button, ErrorBanner, FormActions, FormErrors, TextField};
use crate::dom::focus_later;
use crate::format;
use crate::rules;

/// The discharge being recorded: for which stay, and what the form holds.
#[derive(Debug, Clone, Copy)]
pub struct Discharge {
    /// The stay, while its form is open.
    pub stay: RwSignal<Option<Encounter>>,
    at: RwSignal<String>,
    disposition: RwSignal<String>,
    errors: FormErrors,
    busy: RwSignal<bool>,
}

impl Discharge {
    /// No form open.
    pub fn new() -> Self {
        Discharge {
            stay: RwSignal::new(None),
            at: RwSignal::new(String::new()),
            disposition: RwSignal::new(String::new()),
            errors: FormErrors::new(),
            busy: RwSignal::new(false),
        }
    }

    /// Opens the form for `stay`, with the discharge time set to now.
    fn start(self, stay: Encounter) {
        self.errors.clear();
        self.at.set(format::datetime_local_value(Utc::now()));
        self.stay.set(Some(stay));
        focus_later("dis-at");
    }

    /// Closes the form, forgetting what it held.
    fn finish(self) {
        self.stay.set(None);
        self.at.set(String::new());
        self.disposition.set(String::new());
    }

    /// The change that records the discharge of `stay`, or the fields the
    /// shared rules (the API's) find wrong with it.
    fn patch(self, stay: &Encounter) -> Result<EncounterPatch, Vec<FieldError>> {
        let at = match format::read_local_moment(&self.at.get_untracked(), "discharged_at", true) {
            Ok(Some(at)) => at,
            Ok(None) => return Err(vec![]),
            Err(e) => return Err(vec![e]),
        };
        let patch = EncounterPatch {
            discharged_at: Some(at),
            discharge_disposition: blank_to_none(self.disposition.get_untracked())
                .map_or(Patch::Absent, Patch::Value),
            version: Some(stay.version),
            ..Default::default()
        };
        let mut found = rules::errors(patch.clone());
        if let Err(e) = EncounterValues::corrected(stay, &patch, Utc::now()) {
            found.extend(field_errors(&e));
        }
        if found.is_empty() {
            Ok(patch)
        } else {
            Err(found)
        }
    }
}

/// The row's "Record discharge" button.
#[component]
pub fn DischargeButton(
    /// The stay of the row.
    stay: Encounter,
    /// The discharge form it opens.
    discharge: Discharge,
) -> impl IntoView {
    let label = format!("Record discharge from {}", stay.facility);
    view! {
        <button
            type="button"
            class="button small secondary"
            aria-label=label
            on:click=move |_| discharge.start(stay.clone())
        >
            "Record discharge"
        </button>
    }
}

/// The discharge form, while a stay is chosen.
#[component]
pub fn DischargeForm(
    /// The discharge being recorded.
    discharge: Discharge,
    /// Called with the stay once its discharge is saved.
    on_saved: Callback<Encounter>,
    /// Called when someone else changed the stay first (nothing was saved).
    on_stale: Callback<()>,
) -> impl IntoView {
    let Discharge {
        stay,
        at,
        disposition,
        errors,
        busy,
    } = discharge;
    let save = Callback::new(move |()| {
        let Some(current) = stay.get_untracked() else {
            return;
        };
        let patch = match discharge.patch(&current) {
            Ok(patch) => patch,
            Err(found) => {
                errors.show_rules(found);
                return;
            }
        };
        errors.clear();
        busy.set(true);
        spawn_local(async move {
            let result = client::update_encounter(current.id, &patch, current.version).await;
            busy.set(false);
            match result {
                Ok(e) => {
                    discharge.finish();
                    on_saved.run(e);
                }
                Err(e) if e.is(ProblemKind::StaleVersion) => {
                    stay.set(None);
                    on_stale.run(());
                }
                Err(e) => errors.show(e),
            }
        });
    });
    move || {
        stay.get().map(|current| {
            view! {
                <ActionForm on_submit=save busy=busy class="card stack" labelled_by=Some("discharge-heading")>
                    <h3 id="discharge-heading">
                        {format!("Record the discharge from {}", current.facility)}
                    </h3>
                    <p class="muted small">
                        {format!("Admitted {}", format::datetime(current.admitted_at))}
                    </p>
                    <ErrorBanner error=errors.banner />
                    <div class="grid grid-2">
                        <TextField
                            id="dis-at"
                            label="Discharged at"
                            input_type="datetime-local"
                            required=true
                            bind=errors.bind("discharged_at", at)
                            error_label="Discharge time"
                        />
                        <TextField
                            id="dis-disposition"
                            label="Discharge disposition"
                            value=disposition
                            on_input=Callback::new(move |v| disposition.set(v))
                            error=errors.field("discharge_disposition", "Disposition")
                        />
                    </div>
                    <FormActions
                        button=Button::submit("Save discharge").busy(busy, "Saving…")
                        on_back=Callback::new(move |()| stay.set(None))
                    />
                </ActionForm>
            }
        })
    }
}
