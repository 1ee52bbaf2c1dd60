//! Adding a contact, with what the patient consented to share with them.

use leptos::prelude::*;
use shared::contacts::{Consent, ConsentScope, Contact, NewContact, Relationship};
use shared::ids::PatientId;
use shared::validation::blank_to_none;
use strum::VariantArray;

use crate::client;
use crate::components::{
    AddForm, AddFormState, CheckboxField, InputReader, SelectField, TextField, choices, text_inputs,
};
use crate::dom::focus_later;
use crate::format;
use crate::rules;

/// The add form (shown while `open`); what was typed stays until it is saved.
#[component]
pub fn AddContact(
    /// The patient.
    patient_id: PatientId,
    /// The form's state (the toggle that opens it shares it).
    form: AddFormState,
    /// Called with the contact once added.
    on_added: Callback<Contact>,
) -> impl IntoView {
    let errors = form.errors;
    let [name, relationship, phone, email] = text_inputs();
    let emergency = RwSignal::new(false);
    let [scope, starts, expires] = text_inputs();

    let relationship_choices = Signal::stored(choices(
        Relationship::VARIANTS,
        |r| format::words(r.as_ref()),
        Some("Choose…"),
    ));
    let scope_choices = Signal::stored(choices(
        ConsentScope::VARIANTS,
        |s| format::words(s.label()),
        Some("No consent to share"),
    ));

    let submit = Callback::new(move |()| {
        let mut read = InputReader::new();
        let Some(rel) = read.chosen::<Relationship>("relationship", relationship) else {
            errors.show_rules(read.errors(vec![]));
            focus_later("contact-relationship");
            return;
        };
        let consent = scope
            .get_untracked()
            .parse::<ConsentScope>()
            .ok()
            .map(|s| Consent {
                scope: s,
                starts_on: starts
                    .get_untracked()
                    .parse()
                    .unwrap_or_else(|_| format::today()),
                expires_on: expires.get_untracked().parse().ok(),
            });
        let new = NewContact {
            name: name.get_untracked().trim().to_string(),
            relationship: rel,
            phone: blank_to_none(phone.get_untracked()),
            email: blank_to_none(email.get_untracked()),
            emergency_contact: emergency.get_untracked(),
            consent,
            notes: None,
        };
        if errors.show_rules(rules::errors(new.clone())) {
            return;
        }
        let saved = Callback::new(move |c: Contact| {
            emergency.set(false);
            on_added.run(c);
        });
        form.save(
            async move { client::create_contact(patient_id, &new).await },
            [name, relationship, phone, email, scope, starts, expires],
            saved,
        );
    });

    view! {
        <AddForm
            id="contact-form"
            form=form
            on_submit=submit
            label="Save contact"
            busy_label="Saving…"
        >
            <TextField
                id="contact-name"
                label="Name"
                required=true
                bind=errors.bind("name", name)
            />
            <SelectField
                id="contact-relationship"
                label="Relationship"
                required=true
                options=relationship_choices
                bind=errors.bind("relationship", relationship)
            />
            <TextField
                id="contact-phone"
                label="Phone"
                input_type="tel"
                bind=errors.bind("phone", phone)
            />
            <TextField
                id="contact-email"
                label="Email"
                input_type="email"
                bind=errors.bind("email", email)
            />
            <CheckboxField
                id="contact-emergency"
                label="Emergency contact"
                checked=emergency
                on_change=Callback::new(move |v| emergency.set(v))
            />
            <SelectField
                id="contact-scope"
                label="Consent to share"
                hint="What the patient agreed may be shared with this person."
                options=scope_choices
                bind=errors.bind("consent", scope)
                error_label="Consent"
            />
            <Show when=move || !scope.with(String::is_empty)>
                <div class="grid grid-2">
                    <TextField
                        id="contact-starts"
                        label="Consent from"
                        input_type="date"
                        hint="Today when left empty."
                        value=starts
                        on_input=Callback::new(move |v| starts.set(v))
                        error=errors.field("consent.starts_on", "Start")
                    />
                    <TextField
                        id="contact-expires"
                        label="Consent until"
                        input_type="date"
                        value=expires
                        on_input=Callback::new(move |v| expires.set(v))
                        error=errors.field("consent.expires_on", "Expiry")
                    />
                </div>
            </Show>
        </AddForm>
    }
}
