//! Recording an admission, or a whole stay, by hand. Entering the discharge
//! time too puts a transition follow-up on the care manager's worklist.

use chrono::Utc;
use leptos::prelude::*;
use shared::encounters::{Encounter, EncounterKind, NewEncounter};
use shared::ids::PatientId;
use shared::validation::blank_to_none;
use strum::VariantArray;

use super::list::kind_words;
use crate::client;
use crate::components::{
    AddForm, AddFormState, InputReader, SelectField, TextField, choices, text_inputs,
};
use crate::format;
use crate::rules;

/// The form (shown while `open`); what was typed stays until it is saved.
#[component]
pub fn RecordStayForm(
    /// The patient.
    patient_id: PatientId,
    /// The form's state (the toggle that opens it shares it).
    form: AddFormState,
    /// Called with the stay once recorded.
    on_saved: Callback<Encounter>,
) -> impl IntoView {
    let errors = form.errors;
    let [kind, facility, admitted, discharged, disposition] = text_inputs();

    let record = Callback::new(move |()| {
        let mut read = InputReader::new();
        let kind_value = read.chosen::<EncounterKind>("kind", kind);
        let admitted_at = read.moment("admitted_at", admitted, true);
        let discharged_at = read.moment("discharged_at", discharged, false);
        let (Some(k), Some(admitted_at)) = (kind_value, admitted_at) else {
            errors.show_rules(read.errors(vec![]));
            return;
        };
        let new = NewEncounter {
            patient_id,
            kind: k,
            facility: facility.get_untracked().trim().to_string(),
            admitted_at,
            discharged_at,
            discharge_disposition: blank_to_none(disposition.get_untracked()),
            external_id: None,
            version: None,
        };
        if errors.show_rules(read.errors(rules::errors(new.clone()))) {
            return;
        }
        form.save(
            async move { client::create_encounter(&new).await },
            [kind, facility, admitted, discharged, disposition],
            on_saved,
        );
    });

    let kind_choices = Signal::stored(choices(
        EncounterKind::VARIANTS,
        kind_words,
        Some("Choose the kind of stay…"),
    ));
    let now_max = format::datetime_local_value(Utc::now());

    view! {
        <AddForm
            id="encounter-form"
            form=form
            on_submit=record
            label="Record stay"
            busy_label="Recording…"
            heading=("record-stay-heading", "Record an admission or discharge")
            hint="Enter the discharge time too when the patient has already left: a transition follow-up is then due within 24 hours."
        >
            <h3 id="record-stay-heading">"Record an admission or discharge"</h3>
            <p class="hint">
                "Enter the discharge time too when the patient has already left: a transition follow-up is then due within 24 hours."
            </p>
            <div class="grid grid-2">
                <SelectField
                    id="enc-kind"
                    label="Kind of stay"
                    required=true
                    options=kind_choices
                    bind=errors.bind("kind", kind)
                />
                <TextField
                    id="enc-facility"
                    label="Facility"
                    required=true
                    bind=errors.bind("facility", facility)
                />
                <TextField
                    id="enc-admitted"
                    label="Admitted at"
                    input_type="datetime-local"
                    required=true
                    max=now_max.clone()
                    bind=errors.bind("admitted_at", admitted)
                    error_label="Admission time"
                />
                <TextField
                    id="enc-discharged"
                    label="Discharged at"
                    input_type="datetime-local"
                    hint="Leave empty while the patient is still admitted."
                    max=now_max.clone()
                    bind=errors.bind("discharged_at", discharged)
                    error_label="Discharge time"
                />
                <TextField
                    id="enc-disposition"
                    label="Discharge disposition"
                    hint="Home, shelter, residential treatment …"
                    bind=errors.bind("discharge_disposition", disposition)
                    error_label="Disposition"
                />
            </div>
        </AddForm>
    }
}
