//! Adding an appointment by hand.

use leptos::prelude::*;
use shared::appointments::{Appointment, AppointmentKind, NewAppointment};
use shared::ids::PatientId;
use shared::validation::blank_to_none;
use strum::VariantArray;

use crate::client;
use crate::components::{
    AddForm, AddFormState, InputReader, SelectField, TextField, choices, text_inputs,
};
use crate::format;
use crate::rules;

/// The form (shown while `open`); what was typed stays until it is saved.
#[component]
pub fn AddAppointmentForm(
    /// The patient.
    patient_id: PatientId,
    /// The form's state (the toggle that opens it shares it).
    form: AddFormState,
    /// Called with the appointment once added.
    on_added: Callback<Appointment>,
) -> impl IntoView {
    let errors = form.errors;
    let [provider, kind, scheduled, location, notes] = text_inputs();

    let add = Callback::new(move |()| {
        let mut read = InputReader::new();
        let kind_value = read.chosen::<AppointmentKind>("kind", kind);
        let at = read.moment("scheduled_at", scheduled, true);
        let (Some(k), Some(at)) = (kind_value, at) else {
            errors.show_rules(read.errors(vec![]));
            return;
        };
        let new = NewAppointment {
            patient_id,
            provider_name: provider.get_untracked().trim().to_string(),
            kind: k,
            scheduled_at: at,
            location: blank_to_none(location.get_untracked()),
            status: None,
            notes: blank_to_none(notes.get_untracked()),
            external_id: None,
            version: None,
        };
        if errors.show_rules(read.errors(rules::errors(new.clone()))) {
            return;
        }
        form.save(
            async move { client::create_appointment(&new).await },
            [provider, kind, scheduled, location, notes],
            on_added,
        );
    });

    let kind_choices = Signal::stored(choices(
        AppointmentKind::VARIANTS,
        |k| format::words(k.label()),
        Some("Choose the kind…"),
    ));

    view! {
        <AddForm
            id="appointment-form"
            form=form
            on_submit=add
            label="Save appointment"
            busy_label="Saving…"
            heading=("add-appointment-heading", "Add an appointment")
        >
            <h3 id="add-appointment-heading">"Add an appointment"</h3>
            <div class="grid grid-2">
                <TextField
                    id="appt-provider"
                    label="Provider"
                    required=true
                    bind=errors.bind("provider_name", provider)
                />
                <SelectField
                    id="appt-kind"
                    label="Kind"
                    required=true
                    options=kind_choices
                    bind=errors.bind("kind", kind)
                />
                <TextField
                    id="appt-at"
                    label="Date and time"
                    input_type="datetime-local"
                    required=true
                    bind=errors.bind("scheduled_at", scheduled)
                />
                <TextField
                    id="appt-location"
                    label="Location"
                    bind=errors.bind("location", location)
                />
            </div>
            <TextField
                multiline=true
                id="appt-notes"
                label="Notes"
                bind=errors.bind("notes", notes)
            />
        </AddForm>
    }
}
