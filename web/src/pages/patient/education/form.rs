//! Recording education given: the topic and a title, who was taught (the
//! patient, or one of their contacts), how, with what materials, how well
//! it was understood, in which language and when.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::contacts::Contact;
use shared::education::{
    EducationAudience, EducationMethod, EducationRecord, EducationTopic, NewEducation,
    Understanding,
};
use shared::ids::PatientId;
use shared::pagination::{MAX_LIMIT, PageQuery};
use shared::problem::FieldError;
use shared::validation::blank_to_none;
use strum::VariantArray;
use uuid::Uuid;

use crate::client;
use crate::components::{
    AddForm, AddFormState, CheckboxField, Choice, SelectField, TextField, choices, text_inputs,
};
use crate::format;
use crate::rules;

/// The form's inputs, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EducationInput {
    /// The topic (a wire value).
    pub topic: String,
    /// A short title.
    pub title: String,
    /// Who was taught (a wire value).
    pub audience: String,
    /// The contact taught (an id), for a contact.
    pub contact: String,
    /// How (a wire value).
    pub method: String,
    /// Materials given or used.
    pub materials: String,
    /// How well it was understood (a wire value).
    pub understanding: String,
    /// A language tag, or empty for the patient's own.
    pub language: String,
    /// Whether an interpreter was used.
    pub interpreter_used: bool,
    /// When, as a moment read from the `datetime-local` input (none: now).
    pub provided_at: Option<DateTime<Utc>>,
}

impl EducationInput {
    /// The request these inputs make, or the choices missing.
    pub fn read(&self) -> Result<NewEducation, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut chosen = |field: &str, text: &str| {
            if text.is_empty() {
                errors.push(FieldError::new(field, "must be chosen"));
            }
        };
        chosen("topic", &self.topic);
        chosen("audience", &self.audience);
        chosen("method", &self.method);
        chosen("understanding", &self.understanding);
        let topic = self.topic.parse::<EducationTopic>().ok();
        let audience = self.audience.parse::<EducationAudience>().ok();
        let method = self.method.parse::<EducationMethod>().ok();
        let understanding = self.understanding.parse::<Understanding>().ok();
        let contact_id = match audience {
            Some(EducationAudience::Contact) => {
                let id = self.contact.parse::<Uuid>().ok();
                if id.is_none() {
                    errors.push(FieldError::new("contact_id", "must be chosen"));
                }
                id
            }
            _ => None,
        };
        match (topic, audience, method, understanding) {
            (Some(topic), Some(audience), Some(method), Some(understanding))
                if errors.is_empty() =>
            {
                Ok(NewEducation {
                    topic,
                    title: self.title.clone(),
                    audience,
                    contact_id,
                    method,
                    materials: blank_to_none(&self.materials),
                    understanding,
                    language: blank_to_none(&self.language),
                    interpreter_used: self.interpreter_used,
                    provided_at: self.provided_at,
                })
            }
            _ => {
                if self.title.trim().is_empty() {
                    errors.push(FieldError::new("title", "is required"));
                }
                Err(errors)
            }
        }
    }
}

/// The form (shown while `open`).
#[component]
pub fn EducationForm(
    /// The patient.
    patient_id: PatientId,
    /// The form's state.
    form: AddFormState,
    /// Called with the record once saved.
    on_added: Callback<EducationRecord>,
) -> impl IntoView {
    let errors = form.errors;
    let [
        topic,
        title,
        audience,
        contact,
        method,
        materials,
        understanding,
        language,
        at,
    ] = text_inputs();
    audience.set(EducationAudience::Patient.as_ref().into());
    at.set(format::datetime_local_value(Utc::now()));
    let interpreter = RwSignal::new(false);
    let contacts = RwSignal::new(Vec::<Contact>::new());
    spawn_local(async move {
        // A contact can be chosen once they are listed; without them the
        // patient is still there to choose.
        if let Ok(page) = client::list_contacts(patient_id, &PageQuery::first(MAX_LIMIT)).await {
            contacts.set(page.items.into_iter().filter(|c| c.active).collect());
        }
    });

    let submit = Callback::new(move |()| {
        let provided_at = match format::read_local_moment(&at.get_untracked(), "provided_at", false)
        {
            Ok(t) => t,
            Err(e) => {
                errors.show_rules(vec![e]);
                return;
            }
        };
        let input = EducationInput {
            topic: topic.get_untracked(),
            title: title.get_untracked(),
            audience: audience.get_untracked(),
            contact: contact.get_untracked(),
            method: method.get_untracked(),
            materials: materials.get_untracked(),
            understanding: understanding.get_untracked(),
            language: language.get_untracked(),
            interpreter_used: interpreter.get_untracked(),
            provided_at,
        };
        let new = match input.read() {
            Ok(n) => n,
            Err(found) => {
                errors.show_rules(found);
                return;
            }
        };
        if errors.show_rules(rules::errors(new.clone())) {
            return;
        }
        let on_saved = Callback::new(move |r: EducationRecord| {
            audience.set(EducationAudience::Patient.as_ref().into());
            at.set(format::datetime_local_value(Utc::now()));
            interpreter.set(false);
            on_added.run(r);
        });
        form.save(
            async move { client::record_education(patient_id, &new).await },
            [
                topic,
                title,
                contact,
                method,
                materials,
                understanding,
                language,
            ],
            on_saved,
        );
    });

    let topic_choices = Signal::stored(choices(
        EducationTopic::VARIANTS,
        |t| t.label().to_string(),
        Some("Choose a topic…"),
    ));
    let audience_choices = Signal::stored(choices(
        EducationAudience::VARIANTS,
        |a| a.label().to_string(),
        None,
    ));
    let method_choices = Signal::stored(choices(
        EducationMethod::VARIANTS,
        |m| m.label().to_string(),
        Some("Choose a method…"),
    ));
    let understanding_choices = Signal::stored(choices(
        Understanding::VARIANTS,
        |u| u.label().to_string(),
        Some("Choose…"),
    ));
    let contact_choices = Signal::derive(move || {
        std::iter::once((String::new(), "Choose a contact…".to_string()))
            .chain(contacts.with(|cs| {
                cs.iter()
                    .map(|c| {
                        (
                            c.id.to_string(),
                            format!("{} ({})", c.name, format::words(c.relationship.as_ref())),
                        )
                    })
                    .collect::<Vec<Choice>>()
            }))
            .collect::<Vec<Choice>>()
    });
    let to_contact = move || audience.with(|a| a == EducationAudience::Contact.as_ref());

    view! {
        <AddForm
            id="education-form"
            form=form
            on_submit=submit
            label="Save education"
            busy_label="Saving…"
            heading=("education-form-heading", "Record education")
        >
            <div class="grid grid-2">
                <SelectField
                    id="edu-topic"
                    label="Topic"
                    required=true
                    options=topic_choices
                    bind=errors.bind("topic", topic)
                />
                <TextField
                    id="edu-title"
                    label="Title"
                    required=true
                    hint="What was taught, in a few words."
                    bind=errors.bind("title", title)
                />
                <SelectField
                    id="edu-audience"
                    label="Taught to"
                    required=true
                    options=audience_choices
                    bind=errors.bind("audience", audience)
                    error_label="Audience"
                />
                <Show when=to_contact>
                    <SelectField
                        id="edu-contact"
                        label="Contact"
                        required=true
                        options=contact_choices
                        bind=errors.bind("contact_id", contact)
                    />
                </Show>
                <SelectField
                    id="edu-method"
                    label="Method"
                    required=true
                    options=method_choices
                    bind=errors.bind("method", method)
                />
                <SelectField
                    id="edu-understanding"
                    label="Understanding"
                    required=true
                    options=understanding_choices
                    bind=errors.bind("understanding", understanding)
                />
                <TextField
                    id="edu-language"
                    label="Language"
                    hint="A language tag such as es or vi; the patient's preferred language when left empty."
                    bind=errors.bind("language", language)
                />
                <TextField
                    id="edu-at"
                    label="Given at"
                    input_type="datetime-local"
                    hint="Now when left empty."
                    bind=errors.bind("provided_at", at)
                    error_label="Time given"
                />
            </div>
            <TextField
                id="edu-materials"
                label="Materials"
                multiline=true
                bind=errors.bind("materials", materials)
            />
            <CheckboxField
                id="edu-interpreter"
                label="An interpreter was used"
                checked=interpreter
                on_change=Callback::new(move |on| interpreter.set(on))
            />
        </AddForm>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> EducationInput {
        EducationInput {
            topic: "medication".into(),
            title: "Taking sertraline".into(),
            audience: "patient".into(),
            method: "teach_back".into(),
            understanding: "confirmed_teach_back".into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_form_reads_into_a_record_for_the_patient() {
        let n = input().read().unwrap();
        assert_eq!(n.topic, EducationTopic::Medication);
        assert_eq!(n.audience, EducationAudience::Patient);
        assert_eq!(n.contact_id, None);
        assert_eq!(n.language, None);
        assert_eq!(n.materials, None);
        assert!(rules::errors(n).is_empty());
    }

    #[test]
    fn a_contact_audience_needs_the_contact() {
        let mut i = input();
        i.audience = "contact".into();
        i.contact = "not chosen".into();
        let e = i.read().unwrap_err();
        assert_eq!(e[0].field, "contact_id");
        let id = Uuid::from_u128(4);
        i.contact = id.to_string();
        assert_eq!(i.read().unwrap().contact_id, Some(id));
        // A contact left chosen from before does not go with the patient.
        let mut back = i.clone();
        back.audience = "patient".into();
        assert_eq!(back.read().unwrap().contact_id, None);
    }

    #[test]
    fn every_missing_choice_is_named() {
        let fields: Vec<String> = EducationInput::default()
            .read()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            vec!["topic", "audience", "method", "understanding", "title"]
        );
    }
}
