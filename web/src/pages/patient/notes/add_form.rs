//! Writing a note: saved as a draft, to be signed when it is final.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ids::PatientId;
use shared::notes::{NewNote, Note, NoteType};
use shared::problem::FieldError;

use super::inputs::{read_minutes, type_choices};
use crate::client;
use crate::components::{
    ActionForm, Button, ErrorBanner, FormActions, FormErrors, SelectField, TextField, text_inputs,
};
use crate::format;
use crate::rules;

/// The write-a-note form.
#[component]
pub fn WriteNoteForm(
    /// The patient.
    patient_id: PatientId,
    /// Called with the draft once saved.
    on_written: Callback<Note>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let errors = FormErrors::new();
    let note_type = RwSignal::new(NoteType::CareCoordination.as_ref().to_string());
    let [minutes, occurred, body] = text_inputs();

    let write = Callback::new(move |()| {
        let mut found = vec![];
        let kind = note_type.get_untracked().parse::<NoteType>().ok();
        if kind.is_none() {
            found.push(FieldError::new("type", "must be chosen"));
        }
        let mins = read_minutes(&minutes.get_untracked())
            .map_err(|e| found.push(e))
            .ok();
        let at = format::read_local_moment(&occurred.get_untracked(), "occurred_at", false)
            .map_err(|e| found.push(e))
            .ok()
            .flatten();
        let new = NewNote {
            note_type: kind.unwrap_or(NoteType::CareCoordination),
            body: body.get_untracked(),
            minutes: mins.unwrap_or_default(),
            occurred_at: at,
            task_id: None,
        };
        // The minutes already read wrong once; the rules would say it again.
        found.extend(
            rules::errors(new.clone())
                .into_iter()
                .filter(|e| e.field != "minutes" || mins.is_some()),
        );
        if errors.show_rules(found) {
            return;
        }
        errors.clear();
        busy.set(true);
        spawn_local(async move {
            let result = client::create_note(patient_id, &new).await;
            busy.set(false);
            match result {
                Ok(n) => {
                    for s in [minutes, occurred, body] {
                        s.set(String::new());
                    }
                    on_written.run(n);
                }
                Err(e) => errors.show(e),
            }
        });
    });

    view! {
        <ActionForm on_submit=write busy=busy class="card stack" labelled_by=Some("write-note-heading")>
            <h3 id="write-note-heading">"Write a note"</h3>
            <ErrorBanner error=errors.banner />
            <div class="grid grid-3">
                <SelectField
                    id="note-type"
                    label="Activity"
                    required=true
                    options=Signal::stored(type_choices())
                    bind=errors.bind("type", note_type)
                />
                <TextField
                    id="note-minutes"
                    label="Minutes spent"
                    input_type="number"
                    inputmode="numeric"
                    required=true
                    bind=errors.bind("minutes", minutes)
                    error_label="Minutes"
                />
                <TextField
                    id="note-occurred"
                    label="When"
                    input_type="datetime-local"
                    hint="Now when left empty."
                    bind=errors.bind("occurred_at", occurred)
                    error_label="Time"
                />
            </div>
            <TextField
                multiline=true
                id="note-body"
                label="Note"
                required=true
                bind=errors.bind("body", body)
            />
            <FormActions button=Button::submit("Save note").busy(busy, "Saving…") />
        </ActionForm>
    }
}
