//! Adding someone to a patient's care team: a user of the organization, or
//! a provider outside it (then a name is needed).

use leptos::prelude::*;
use shared::care_team::{CareTeamMember, CareTeamRole, NewCareTeamMember};
use shared::ids::{PatientId, UserId};
use shared::validation::blank_to_none;
use strum::VariantArray;

use crate::client;
use crate::components::{
    AddForm, AddFormState, Choice, InputReader, SelectField, TextField, choices, text_inputs,
};
use crate::dom::focus_later;
use crate::rules;
use crate::state::Directory;

/// The add form (shown while `open`); what was typed stays until it is saved.
#[component]
pub fn AddCareTeamMember(
    /// The patient.
    patient_id: PatientId,
    /// The form's state (the toggle that opens it shares it).
    form: AddFormState,
    /// Called with the member once added.
    on_added: Callback<CareTeamMember>,
) -> impl IntoView {
    let directory = expect_context::<Directory>();
    let errors = form.errors;
    let [user, name, organization, phone, role, start] = text_inputs();

    let people = Signal::derive(move || {
        std::iter::once((
            String::new(),
            "Someone outside the organization".to_string(),
        ))
        .chain(directory.users.with(|us| {
            us.iter()
                .filter(|u| u.active)
                .map(|u| (u.id.to_string(), format!("{} ({})", u.name, u.role.label())))
                .collect::<Vec<Choice>>()
        }))
        .collect::<Vec<Choice>>()
    });
    let role_choices = Signal::stored(choices(
        CareTeamRole::VARIANTS,
        |r| r.label().to_string(),
        Some("Choose a role…"),
    ));
    let external = move || user.with(String::is_empty);

    let submit = Callback::new(move |()| {
        let user_id = user.get_untracked().parse::<UserId>().ok();
        let mut read = InputReader::new();
        let Some(chosen_role) = read.chosen::<CareTeamRole>("role", role) else {
            errors.show_rules(read.errors(vec![]));
            focus_later("ct-role");
            return;
        };
        // A user's own name is used; only an outside provider names one.
        let outside = |text: RwSignal<String>| {
            user_id
                .is_none()
                .then(|| blank_to_none(text.get_untracked()))
                .flatten()
        };
        let new = NewCareTeamMember {
            user_id,
            name: outside(name),
            organization: outside(organization),
            phone: blank_to_none(phone.get_untracked()),
            role: chosen_role,
            start_date: start.get_untracked().parse().ok(),
            end_date: None,
        };
        if errors.show_rules(rules::errors(new.clone())) {
            return;
        }
        form.save(
            async move { client::add_care_team_member(patient_id, &new).await },
            [user, name, organization, phone, role, start],
            on_added,
        );
    });

    view! {
        <AddForm
            id="ct-form"
            form=form
            on_submit=submit
            label="Add to care team"
            busy_label="Adding…"
        >
            <SelectField
                id="ct-user"
                label="Person in the organization"
                value=user
                options=people
                on_change=Callback::new(move |v| {
                    user.set(v);
                    errors.clear_field("user_id");
                    errors.clear_field("name");
                })
                error=errors.field("user_id", "Person")
            />
            <Show when=external>
                <TextField
                    id="ct-name"
                    label="Name"
                    required=true
                    bind=errors.bind("name", name)
                />
                <TextField
                    id="ct-organization"
                    label="Organization"
                    bind=errors.bind("organization", organization)
                />
            </Show>
            <TextField
                id="ct-phone"
                label="Phone"
                input_type="tel"
                bind=errors.bind("phone", phone)
            />
            <SelectField
                id="ct-role"
                label="Role on the team"
                required=true
                options=role_choices
                bind=errors.bind("role", role)
                error_label="Role"
            />
            <TextField
                id="ct-start"
                label="Since"
                input_type="date"
                hint="Today when left empty."
                bind=errors.bind("start_date", start)
                error_label="Start date"
            />
        </AddForm>
    }
}
