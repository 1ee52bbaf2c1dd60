//! The provider form's fields, shared by adding a provider (the directory)
//! and editing one (the provider page): name and kind, services, specialties,
//! languages, coverage, whether it takes new clients, address, phone,
//! hours, network status and notes.

use leptos::prelude::*;
use shared::directory::NetworkStatus;
use shared::providers::{ProviderKind, ServiceType};
use strum::VariantArray;

use super::model::ProviderInput;
use crate::components::{CheckboxField, FormErrors, SelectField, TextField, choices};

/// The form's inputs, one signal each.
#[derive(Debug, Clone, Copy)]
pub struct ProviderFields {
    name: RwSignal<String>,
    kind: RwSignal<String>,
    services: RwSignal<Vec<ServiceType>>,
    specialties: RwSignal<String>,
    languages: RwSignal<String>,
    payers: RwSignal<String>,
    medicaid: RwSignal<bool>,
    accepting: RwSignal<bool>,
    line1: RwSignal<String>,
    city: RwSignal<String>,
    state: RwSignal<String>,
    postal_code: RwSignal<String>,
    phone: RwSignal<String>,
    hours: RwSignal<String>,
    network_status: RwSignal<String>,
    notes: RwSignal<String>,
}

impl ProviderFields {
    /// Inputs showing `input`.
    pub fn new(input: &ProviderInput) -> Self {
        ProviderFields {
            name: RwSignal::new(input.name.clone()),
            kind: RwSignal::new(input.kind.clone()),
            services: RwSignal::new(input.services.clone()),
            specialties: RwSignal::new(input.specialties.clone()),
            languages: RwSignal::new(input.languages.clone()),
            payers: RwSignal::new(input.payers.clone()),
            medicaid: RwSignal::new(input.medicaid),
            accepting: RwSignal::new(input.accepting),
            line1: RwSignal::new(input.line1.clone()),
            city: RwSignal::new(input.city.clone()),
            state: RwSignal::new(input.state.clone()),
            postal_code: RwSignal::new(input.postal_code.clone()),
            phone: RwSignal::new(input.phone.clone()),
            hours: RwSignal::new(input.hours.clone()),
            network_status: RwSignal::new(input.network_status.clone()),
            notes: RwSignal::new(input.notes.clone()),
        }
    }

    /// Shows `input` (after saving, or starting over).
    pub fn fill(&self, input: &ProviderInput) {
        self.name.set(input.name.clone());
        self.kind.set(input.kind.clone());
        self.services.set(input.services.clone());
        self.specialties.set(input.specialties.clone());
        self.languages.set(input.languages.clone());
        self.payers.set(input.payers.clone());
        self.medicaid.set(input.medicaid);
        self.accepting.set(input.accepting);
        self.line1.set(input.line1.clone());
        self.city.set(input.city.clone());
        self.state.set(input.state.clone());
        self.postal_code.set(input.postal_code.clone());
        self.phone.set(input.phone.clone());
        self.hours.set(input.hours.clone());
        self.network_status.set(input.network_status.clone());
        self.notes.set(input.notes.clone());
    }

    /// The inputs as typed (untracked).
    pub fn input(&self) -> ProviderInput {
        ProviderInput {
            name: self.name.get_untracked(),
            kind: self.kind.get_untracked(),
            services: self.services.get_untracked(),
            specialties: self.specialties.get_untracked(),
            languages: self.languages.get_untracked(),
            payers: self.payers.get_untracked(),
            medicaid: self.medicaid.get_untracked(),
            accepting: self.accepting.get_untracked(),
            line1: self.line1.get_untracked(),
            city: self.city.get_untracked(),
            state: self.state.get_untracked(),
            postal_code: self.postal_code.get_untracked(),
            phone: self.phone.get_untracked(),
            hours: self.hours.get_untracked(),
            network_status: self.network_status.get_untracked(),
            notes: self.notes.get_untracked(),
        }
    }
}

/// The fields; ids start with `prefix` so two forms can share a page.
#[component]
pub fn ProviderFieldset(
    /// The inputs.
    fields: ProviderFields,
    /// The form's errors.
    errors: FormErrors,
    /// The ids' prefix.
    prefix: &'static str,
) -> impl IntoView {
    let id = move |name: &str| format!("{prefix}-{name}");
    let f = fields;
    view! {
        <div class="grid grid-2">
            <TextField id=id("name") label="Name" required=true bind=errors.bind("name", f.name) />
            <SelectField
                id=id("kind")
                label="Kind"
                required=true
                options=Signal::stored(choices(ProviderKind::VARIANTS, |k| crate::format::words(k.as_ref()), None))
                bind=errors.bind("kind", f.kind)
            />
        </div>
        <ServiceChecks fields=f errors=errors prefix=prefix />
        <div class="grid grid-2">
            <TextField
                id=id("specialties")
                label="Specialties"
                hint="Separated by commas, e.g. trauma-focused CBT, perinatal."
                bind=errors.bind("specialties", f.specialties)
            />
            <TextField
                id=id("languages")
                label="Languages"
                hint="Language tags separated by commas, e.g. en, es, vi."
                bind=errors.bind("languages", f.languages)
            />
            <TextField
                id=id("payers")
                label="Other insurance accepted"
                hint="Payers besides Medicaid, separated by commas."
                bind=errors.bind("payers", f.payers)
                error_label="Payers"
            />
            <SelectField
                id=id("network")
                label="Network status"
                required=true
                options=Signal::stored(choices(NetworkStatus::VARIANTS, |s| s.label().to_string(), None))
                bind=errors.bind("network_status", f.network_status)
            />
        </div>
        <CheckboxField
            id=id("medicaid")
            label="Takes Medicaid"
            checked=f.medicaid
            on_change=Callback::new(move |on| f.medicaid.set(on))
        />
        <CheckboxField
            id=id("accepting")
            label="Accepting new clients"
            checked=f.accepting
            on_change=Callback::new(move |on| f.accepting.set(on))
        />
        <div class="grid grid-2">
            <TextField
                id=id("line1")
                label="Street address"
                autocomplete="off"
                bind=errors.bind("address.line1", f.line1)
            />
            <TextField id=id("city") label="City" bind=errors.bind("address.city", f.city) />
            <TextField
                id=id("state")
                label="State"
                hint="Two letters, e.g. OR."
                maxlength=2u32
                bind=errors.bind("address.state", f.state)
            />
            <TextField
                id=id("zip")
                label="ZIP code"
                inputmode="numeric"
                hint="Distances are measured from the ZIP code's centre."
                bind=errors.bind("address.postal_code", f.postal_code)
            />
            <TextField id=id("phone") label="Phone" input_type="tel" bind=errors.bind("phone", f.phone) />
            <TextField
                id=id("hours")
                label="Hours"
                hint="As people write them, e.g. Mon–Fri 8–6."
                bind=errors.bind("hours", f.hours)
            />
        </div>
        <TextField id=id("notes") label="Notes" multiline=true bind=errors.bind("notes", f.notes) />
    }
}

/// The services, one checkbox each.
#[component]
fn ServiceChecks(
    fields: ProviderFields,
    errors: FormErrors,
    prefix: &'static str,
) -> impl IntoView {
    let services = fields.services;
    let error = errors.field("services", "Services");
    let error_id = format!("{prefix}-services-error");
    let described_by = error_id.clone();
    view! {
        <fieldset class="form-section" aria-describedby=described_by>
            <legend>"Services"</legend>
            <div class="grid grid-3">
                {ServiceType::VARIANTS
                    .iter()
                    .map(|s| {
                        let s = *s;
                        view! {
                            <CheckboxField
                                id=format!("{prefix}-service-{}", s.as_ref())
                                label=s.label()
                                checked=Signal::derive(move || services.with(|v| v.contains(&s)))
                                on_change=Callback::new(move |on: bool| {
                                    errors.clear_field("services");
                                    services
                                        .update(|v| {
                                            v.retain(|x| *x != s);
                                            if on {
                                                v.push(s);
                                            }
                                            v.sort_by_key(|x| ServiceType::VARIANTS.iter().position(|y| y == x));
                                        });
                                })
                            />
                        }
                    })
                    .collect_view()}
            </div>
            <p class="field-error" id=error_id aria-live="polite">
                {move || error.get()}
            </p>
        </fieldset>
    }
}
