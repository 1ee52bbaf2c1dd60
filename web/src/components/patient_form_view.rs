//! The patient form's view (its model is `crate::patient_form_model`),
//! used to register a patient and to edit one: every field labelled,
//! checked with the shared rules as the person types (after they leave a
//! field, or once they tried to submit), and server errors shown beside the
//! fields they name.

use std::collections::BTreeSet;

use leptos::prelude::*;
use shared::case_status::CaseStatus;
use shared::ids::UserId;
use shared::patients::Sex;
use shared::problem::FieldError;
use shared::risk::RiskLevel;
use shared::validation::US_STATES;
use strum::VariantArray;

use crate::components::fields::choices;
use crate::components::fields::{CheckboxField, Choice, SelectField, TextField};
use crate::dom::{focus_element, focus_later};
use crate::patient_form_model::{
    IdentifierRow, PatientFormModel, element_id, error_sentence, identifier_path, in_form_order,
};
use crate::state::Directory;

/// The form's data and its errors.
#[derive(Debug, Clone, Copy)]
pub struct PatientFormState {
    /// What the inputs hold.
    pub data: RwSignal<PatientFormModel>,
    /// Paths of fields the person has left (their errors show from then on).
    pub touched: RwSignal<BTreeSet<String>>,
    /// Whether the person tried to submit (all errors show).
    pub submitted: RwSignal<bool>,
    /// Errors the server reported (until the field is edited).
    pub server: RwSignal<Vec<FieldError>>,
    /// Errors by the shared rules, recomputed as the data changes.
    pub client: Memo<Vec<FieldError>>,
}

impl PatientFormState {
    /// A form holding `initial`, checked by `validate`.
    pub fn new(
        initial: PatientFormModel,
        validate: impl Fn(&PatientFormModel) -> Vec<FieldError> + Send + Sync + 'static,
    ) -> Self {
        let data = RwSignal::new(initial);
        PatientFormState {
            data,
            touched: RwSignal::new(BTreeSet::new()),
            submitted: RwSignal::new(false),
            server: RwSignal::new(vec![]),
            client: Memo::new(move |_| data.with(|d| validate(d))),
        }
    }

    /// The sentence to show beside `path`, if any (tracked).
    pub fn error(&self, path: &str) -> Option<String> {
        let server = self.server.with(|errs| {
            errs.iter()
                .filter(|e| e.field == path)
                .map(error_sentence)
                .collect::<Vec<_>>()
        });
        if !server.is_empty() {
            return Some(server.join(" "));
        }
        let visible = self.submitted.get() || self.touched.with(|t| t.contains(path));
        if !visible {
            return None;
        }
        let client = self.client.with(|errs| {
            errs.iter()
                .filter(|e| e.field == path)
                .map(error_sentence)
                .collect::<Vec<_>>()
        });
        (!client.is_empty()).then(|| client.join(" "))
    }

    /// Changes the data for an edit of `path`; the server's error about it goes.
    pub fn edit(&self, path: &str, f: impl FnOnce(&mut PatientFormModel)) {
        self.data.update(f);
        if self
            .server
            .with_untracked(|s| s.iter().any(|e| e.field == path))
        {
            self.server.update(|s| s.retain(|e| e.field != path));
        }
    }

    /// Marks `path` as visited.
    pub fn touch(&self, path: &str) {
        if !self.touched.with_untracked(|t| t.contains(path)) {
            self.touched.update(|t| {
                t.insert(path.to_string());
            });
        }
    }

    /// Shows the server's field errors.
    pub fn show_server_errors(&self, errors: Vec<FieldError>) {
        self.server.set(errors);
        self.focus_first(&self.server.get_untracked());
    }

    /// Moves focus to the input of the error in `errors` that comes first in the form.
    pub fn focus_first(&self, errors: &[FieldError]) {
        let ordered = in_form_order(errors.to_vec());
        let Some(first) = ordered.first() else {
            return;
        };
        let id = self
            .data
            .with_untracked(|d| element_id(&first.field, &d.identifiers));
        focus_element(&id);
    }
}

fn initial_status_choices() -> Vec<Choice> {
    let initial: Vec<CaseStatus> = CaseStatus::VARIANTS
        .iter()
        .copied()
        .filter(|s| s.valid_initial())
        .collect();
    choices(&initial, |s| s.label().into(), None)
}

fn state_choices() -> Vec<Choice> {
    std::iter::once((String::new(), "—".to_string()))
        .chain(US_STATES.iter().map(|s| (s.to_string(), s.to_string())))
        .collect()
}

/// A text input bound to one string field of the form.
macro_rules! text_input {
    ($state:ident, $path:literal, $field:ident, $label:literal $(, $prop:ident = $val:expr)* $(,)?) => {{
        let state = $state;
        view! {
            <TextField
                id={element_id($path, &[])}
                label=$label
                value=Signal::derive(move || state.data.with(|d| d.$field.clone()))
                on_input=Callback::new(move |v: String| state.edit($path, |d| d.$field = v))
                on_blur=Callback::new(move |_| state.touch($path))
                error=Signal::derive(move || state.error($path))
                $($prop={$val})*
            />
        }
    }};
}

/// Every patient field, grouped. `show_status` adds the initial case status
/// (new patients); `can_assign` adds the care manager choice.
#[component]
pub fn PatientFormFields(
    /// The form.
    state: PatientFormState,
    /// Whether to ask for the initial case status.
    show_status: bool,
    /// Whether the person may choose the care manager.
    can_assign: bool,
) -> impl IntoView {
    let directory = expect_context::<Directory>();
    let care_manager_choices = Signal::derive(move || {
        let current = state.data.with(|d| d.care_manager);
        let people = directory.carriers_with(current);
        std::iter::once((String::new(), "Unassigned".to_string()))
            .chain(people.into_iter().map(|u| {
                let suffix = if u.active { "" } else { " (inactive)" };
                (u.id.to_string(), format!("{}{suffix}", u.name))
            }))
            .collect::<Vec<_>>()
    });
    let max_date = crate::format::today().format("%Y-%m-%d").to_string();
    let rows = move || {
        state
            .data
            .with(|d| d.identifiers.iter().map(|r| r.row).collect::<Vec<_>>())
    };
    let index_of = move |row: u32| {
        state
            .data
            .with(|d| d.identifiers.iter().position(|r| r.row == row))
            .unwrap_or(0)
    };
    let identifier_errors = move || state.error("identifiers");
    let add_identifier = move |_| {
        let mut added = 0;
        state.edit("identifiers", |d| added = d.add_identifier());
        focus_later(format!("pf-identifier-{added}-system"));
    };

    view! {
        <div class="form-sections">
            <fieldset class="form-section">
                <legend>"Name"</legend>
                <div class="grid grid-3">
                    {text_input!(state, "given_name", given_name, "Given name", required = true, autocomplete = "off", maxlength = 100u32)}
                    {text_input!(state, "family_name", family_name, "Family name", required = true, autocomplete = "off", maxlength = 100u32)}
                    {text_input!(state, "preferred_name", preferred_name, "Preferred name", autocomplete = "off", maxlength = 100u32)}
                </div>
            </fieldset>

            <fieldset class="form-section">
                <legend>"Demographics"</legend>
                <div class="grid grid-3">
                    {text_input!(state, "birth_date", birth_date, "Date of birth", required = true, input_type = "date", max = max_date.clone())}
                    <SelectField
                        id="pf-sex"
                        label="Sex"
                        value=Signal::derive(move || state.data.with(|d| d.sex.as_ref().to_string()))
                        options=Signal::stored(choices(Sex::VARIANTS, |s| s.label().into(), None))
                        on_change=Callback::new(move |v: String| {
                            state.edit("sex", |d| d.sex = v.parse().unwrap_or_default());
                        })
                        error=Signal::derive(move || state.error("sex"))
                    />
                    {text_input!(state, "preferred_language", preferred_language, "Preferred language", required = true, list = "language-tags", hint = "A language code such as en, es, vi or zh-Hant.", maxlength = 35u32)}
                </div>
                <datalist id="language-tags">
                    <option value="en">"English"</option>
                    <option value="es">"Spanish"</option>
                    <option value="vi">"Vietnamese"</option>
                    <option value="ru">"Russian"</option>
                    <option value="zh-Hans">"Chinese (Simplified)"</option>
                    <option value="zh-Hant">"Chinese (Traditional)"</option>
                    <option value="ar">"Arabic"</option>
                    <option value="so">"Somali"</option>
                    <option value="uk">"Ukrainian"</option>
                    <option value="ko">"Korean"</option>
                    <option value="tl">"Tagalog"</option>
                    <option value="ase">"American Sign Language"</option>
                </datalist>
                <CheckboxField
                    id="pf-interpreter_needed"
                    label="Interpreter needed"
                    checked=Signal::derive(move || state.data.with(|d| d.interpreter_needed))
                    on_change=Callback::new(move |v: bool| {
                        state.edit("interpreter_needed", |d| d.interpreter_needed = v);
                    })
                />
            </fieldset>

            <fieldset class="form-section">
                <legend>"Contact"</legend>
                <div class="grid grid-2">
                    {text_input!(state, "phone", phone, "Phone", input_type = "tel", autocomplete = "off", hint = "Digits with optional + ( ) - . and an extension like x12.")}
                    {text_input!(state, "email", email, "Email", input_type = "email", autocomplete = "off", maxlength = 254u32)}
                </div>
            </fieldset>

            <fieldset class="form-section">
                <legend>"Address"</legend>
                <div class="grid grid-2">
                    {text_input!(state, "address.line1", line1, "Street address", autocomplete = "off", maxlength = 200u32)}
                    {text_input!(state, "address.line2", line2, "Apartment, suite, unit", autocomplete = "off", maxlength = 200u32)}
                </div>
                <div class="grid grid-3">
                    {text_input!(state, "address.city", city, "City", autocomplete = "off", maxlength = 100u32)}
                    <SelectField
                        id="pf-address-state"
                        label="State"
                        value=Signal::derive(move || state.data.with(|d| d.state.trim().to_ascii_uppercase()))
                        options=Signal::stored(state_choices())
                        on_change=Callback::new(move |v: String| state.edit("address.state", |d| d.state = v))
                        error=Signal::derive(move || state.error("address.state"))
                    />
                    {text_input!(state, "address.postal_code", postal_code, "ZIP code", inputmode = "numeric", autocomplete = "off", maxlength = 10u32)}
                </div>
            </fieldset>

            <fieldset class="form-section">
                <legend>"Insurance"</legend>
                <div class="grid grid-2">
                    {text_input!(state, "insurance.payer", payer, "Payer", autocomplete = "off", maxlength = 200u32)}
                    {text_input!(state, "insurance.member_id", member_id, "Member ID", autocomplete = "off", maxlength = 64u32)}
                </div>
                <CheckboxField
                    id="pf-insurance-medicaid"
                    label="Medicaid coverage"
                    checked=Signal::derive(move || state.data.with(|d| d.medicaid))
                    on_change=Callback::new(move |v: bool| state.edit("insurance.medicaid", |d| d.medicaid = v))
                />
            </fieldset>

            <fieldset class="form-section">
                <legend>"Identifiers"</legend>
                <p class="hint">
                    "Identifiers other systems gave this patient, such as an EHR's MRN. Each system and value pair belongs to one patient."
                </p>
                <ul class="identifier-list">
                    <For
                        each=rows
                        key=|row| *row
                        children=move |row| {
                            let number = move || index_of(row) + 1;
                            view! {
                                <li class="identifier-row">
                                    <div class="grid grid-identifier">
                                        <IdentifierInput state=state row=row part=IdentifierPart::System />
                                        <IdentifierInput state=state row=row part=IdentifierPart::Value />
                                        <div class="identifier-remove">
                                            <button
                                                type="button"
                                                class="button ghost danger-text"
                                                on:click=move |_| {
                                                    state.edit("identifiers", |d| d.remove_identifier(row));
                                                    state.server.update(|s| s.retain(|e| identifier_path(&e.field).is_none()));
                                                    focus_element("pf-add-identifier");
                                                }
                                            >
                                                "Remove"
                                                <span class="visually-hidden">" identifier " {number}</span>
                                            </button>
                                        </div>
                                    </div>
                                </li>
                            }
                        }
                    />
                </ul>
                <p class="field-error" id="pf-identifiers-error" aria-live="polite">
                    {identifier_errors}
                </p>
                <button
                    type="button"
                    id="pf-add-identifier"
                    class="button secondary"
                    aria-describedby="pf-identifiers-error"
                    on:click=add_identifier
                >
                    "Add identifier"
                </button>
            </fieldset>

            <fieldset class="form-section">
                <legend>"Care"</legend>
                <div class="grid grid-3">
                    <SelectField
                        id="pf-risk_level"
                        label="Risk level"
                        value=Signal::derive(move || state.data.with(|d| d.risk_level.as_ref().to_string()))
                        options=Signal::stored(choices(RiskLevel::VARIANTS, |r| r.label().into(), None))
                        on_change=Callback::new(move |v: String| {
                            state.edit("risk_level", |d| d.risk_level = v.parse().unwrap_or_default());
                        })
                        error=Signal::derive(move || state.error("risk_level"))
                    />
                    {show_status
                        .then(|| {
                            view! {
                                <SelectField
                                    id="pf-status"
                                    label="Initial case status"
                                    value=Signal::derive(move || state.data.with(|d| d.status.as_ref().to_string()))
                                    options=Signal::stored(initial_status_choices())
                                    on_change=Callback::new(move |v: String| {
                                        state.edit("status", |d| d.status = v.parse().unwrap_or_default());
                                    })
                                    error=Signal::derive(move || state.error("status"))
                                />
                            }
                        })}
                    {can_assign
                        .then(|| {
                            view! {
                                <SelectField
                                    id="pf-primary_care_manager_id"
                                    label="Care manager"
                                    value=Signal::derive(move || {
                                        state.data.with(|d| d.care_manager.map(|u| u.to_string()).unwrap_or_default())
                                    })
                                    options=care_manager_choices
                                    on_change=Callback::new(move |v: String| {
                                        state.edit("primary_care_manager_id", |d| d.care_manager = v.parse::<UserId>().ok());
                                    })
                                    error=Signal::derive(move || state.error("primary_care_manager_id"))
                                />
                            }
                        })}
                </div>
            </fieldset>
        </div>
    }
}

/// Which input of an identifier row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdentifierPart {
    /// The issuing system.
    System,
    /// The identifier within that system.
    Value,
}

impl IdentifierPart {
    /// The part's name in field paths and element ids.
    fn key(self) -> &'static str {
        match self {
            IdentifierPart::System => "system",
            IdentifierPart::Value => "value",
        }
    }

    /// The visible label.
    fn label(self) -> &'static str {
        match self {
            IdentifierPart::System => "System",
            IdentifierPart::Value => "Value",
        }
    }

    /// The longest input the API accepts.
    fn maxlength(self) -> &'static str {
        match self {
            IdentifierPart::System => "200",
            IdentifierPart::Value => "100",
        }
    }

    /// An example of what goes in.
    fn placeholder(self) -> Option<&'static str> {
        (self == IdentifierPart::System).then_some("urn:ehr:mrn")
    }

    /// The part's text in a row.
    fn text(self, r: &IdentifierRow) -> String {
        match self {
            IdentifierPart::System => r.system.clone(),
            IdentifierPart::Value => r.value.clone(),
        }
    }

    /// Changes the part's text in a row.
    fn set(self, r: &mut IdentifierRow, text: String) {
        match self {
            IdentifierPart::System => r.system = text,
            IdentifierPart::Value => r.value = text,
        }
    }
}

/// One input of an identifier row. Its label names the row's number (for
/// screen readers) and its errors follow the row's place in the list,
/// which changes as rows above it are removed.
#[component]
fn IdentifierInput(
    /// The form.
    state: PatientFormState,
    /// The row's stable key.
    row: u32,
    /// Which input.
    part: IdentifierPart,
) -> impl IntoView {
    let index = move || {
        state
            .data
            .with(|d| d.identifiers.iter().position(|r| r.row == row))
            .unwrap_or(0)
    };
    let path = move || format!("identifiers[{}].{}", index(), part.key());
    let id = format!("pf-identifier-{row}-{}", part.key());
    let error_id = format!("{id}-error");
    let error = move || state.error(&path());
    let text = move || {
        state.data.with(|d| {
            d.identifiers
                .iter()
                .find(|r| r.row == row)
                .map(|r| part.text(r))
                .unwrap_or_default()
        })
    };
    view! {
        <div class="field" class:has-error=move || error().is_some()>
            <label for=id.clone()>
                {part.label()}
                <span class="visually-hidden">" of identifier " {move || index() + 1}</span>
            </label>
            <input
                id=id
                type="text"
                autocomplete="off"
                maxlength=part.maxlength()
                placeholder=part.placeholder()
                prop:value=text
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    state
                        .edit(
                            &path(),
                            |d| {
                                if let Some(r) = d.identifiers.iter_mut().find(|r| r.row == row) {
                                    part.set(r, v);
                                }
                            },
                        );
                }
                on:blur=move |_| state.touch(&path())
                aria-required="true"
                aria-invalid=move || error().map(|_| "true")
                aria-describedby=error_id.clone()
            />
            <p class="field-error" id=error_id aria-live="polite">
                {error}
            </p>
        </div>
    }
}

/// The list of problems shown at the top of a form after a failed submit.
#[component]
pub fn ErrorSummary(
    /// The form.
    state: PatientFormState,
) -> impl IntoView {
    let errors = move || {
        let mut all = state.server.get();
        if state.submitted.get() {
            for e in state.client.get() {
                if !all.iter().any(|s| s.field == e.field) {
                    all.push(e);
                }
            }
        }
        in_form_order(all)
    };
    view! {
        <Show when=move || !errors().is_empty()>
            <div class="banner banner-error" role="alert">
                <p class="banner-title">"Please correct the highlighted fields"</p>
                <ul>
                    {move || {
                        errors()
                            .iter()
                            .map(|e| view! { <li>{error_sentence(e)}</li> })
                            .collect_view()
                    }}
                </ul>
            </div>
        </Show>
    }
}
