//! The provider directory: search by name and filter by service,
//! specialty, language, insurance, whether it takes new clients and
//! network status — ranked for a patient with `?patient=<id>` (their
//! language, insurance and distance count) — each result saying why it is
//! there. Those who manage the network add providers here.

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use shared::auth::Permission;
use shared::directory::NetworkStatus;
use shared::ids::PatientId;
use shared::providers::{DirectoryEntry, ProviderQuery, ServiceType};
use shared::validation::blank_to_none;
use strum::VariantArray;

use super::form::{ProviderFields, ProviderFieldset};
use super::model::{ProviderInput, languages_text, services_text};
use crate::client;
use crate::components::{
    AddForm, AddFormState, AddFormToggle, Choice, Column, ErrorBanner, NetworkBadge, PageHeader,
    PagedTable, SelectField, TextField, choices, use_paged_list,
};
use crate::dom::set_title;
use crate::routes::use_query_value;
use crate::rules;
use crate::state::use_auth;

/// Results per page.
const PAGE: i64 = 25;

/// How long typing must pause before the search runs.
const DEBOUNCE_MS: u32 = 300;

/// The languages the filter offers (BCP 47 tags).
pub const LANGUAGES: &[&str] = &[
    "es", "en", "vi", "zh", "ru", "so", "ar", "uk", "ko", "tl", "ase",
];

/// The result table's columns.
const COLUMNS: &[Column] = &[
    Column::Text("Provider"),
    Column::Text("Services"),
    Column::Text("Languages"),
    Column::Text("Network"),
    Column::Text("Why it is here"),
];

/// The directory's filters, as chosen.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DirectoryFilters {
    /// Name contains.
    pub q: String,
    /// Service (a wire value, empty for any).
    pub service: String,
    /// Specialty contains.
    pub specialty: String,
    /// Language tag, empty for any.
    pub language: String,
    /// `medicaid`, or empty for any.
    pub payer: String,
    /// `true`, `false`, or empty for either.
    pub accepting: String,
    /// Network status (a wire value, empty for any).
    pub network_status: String,
    /// Within this many miles of the patient (empty: any distance).
    pub within_miles: String,
}

impl DirectoryFilters {
    /// The API's filters, ranked for `patient` when there is one.
    pub fn to_query(&self, patient: Option<PatientId>) -> ProviderQuery {
        ProviderQuery {
            q: blank_to_none(&self.q),
            service: self.service.parse().ok(),
            specialty: blank_to_none(&self.specialty),
            language: blank_to_none(&self.language),
            payer: blank_to_none(&self.payer),
            accepting: self.accepting.parse().ok(),
            network_status: self.network_status.parse().ok(),
            near_patient_id: patient.map(Into::into),
            within_miles: patient.and(self.within_miles.parse().ok()),
        }
    }

    /// Whether any filter narrows the list.
    pub fn is_filtered(&self) -> bool {
        *self != DirectoryFilters::default()
    }
}

/// The directory.
#[component]
pub fn ProvidersPage() -> impl IntoView {
    set_title("Providers");
    let auth = use_auth();
    let can_manage = auth.can(Permission::ProvidersManage);
    let can_configure = auth.can(Permission::OrganizationManage);
    let patient = use_query_value::<PatientId>("patient");
    let patient_name = RwSignal::new(None::<String>);
    Effect::new(move || {
        patient_name.set(None);
        if let Some(id) = patient.get() {
            spawn_local(async move {
                if let Ok(p) = client::get_patient(id).await {
                    patient_name.set(Some(p.display_name()));
                }
            });
        }
    });
    let filters = RwSignal::new(DirectoryFilters::default());
    let list = use_paged_list(PAGE, move |page| {
        let query = filters.with_untracked(|f| f.to_query(patient.get_untracked()));
        async move { client::list_providers(&query, &page).await }
    })
    .skip_repeats(|a, b| a.provider.id == b.provider.id);
    Effect::new(move || {
        filters.track();
        patient.track();
        list.reload();
    });
    let form = AddFormState::new();

    let count_text = move || match (list.len(), list.has_more()) {
        (0, _) => String::new(),
        (1, false) => "1 provider".to_string(),
        (n, false) => format!("{n} providers"),
        (n, true) => format!("Showing the first {n} providers"),
    };

    view! {
        <PageHeader
            title="Providers".to_string()
            subtitle="The provider network: find where to refer, and why each provider fits.".to_string()
        >
            <a href="/providers/pipeline" class="button secondary">
                "Recruiting pipeline"
            </a>
            {can_configure
                .then(|| {
                    view! {
                        <a href="/admin/criteria" class="button secondary">
                            "Necessity criteria"
                        </a>
                    }
                })}
            {can_manage
                .then(|| {
                    view! {
                        <AddFormToggle
                            label="Add provider"
                            controls="provider-form"
                            first_field="new-provider-name"
                            form=form
                            class="button primary"
                        />
                    }
                })}
        </PageHeader>
        {can_manage.then(|| view! { <NewProviderForm form=form /> })}
        <Show when=move || patient.get().is_some()>
            <div class="banner banner-info" data-testid="ranked-for">
                <p>
                    {move || match patient_name.get() {
                        Some(n) => format!("Ranked for {n}: their language, insurance and distance count."),
                        None => "Ranked for the patient: their language, insurance and distance count.".to_string(),
                    }}
                    " "
                    <a href="/providers">"Show the whole directory"</a>
                </p>
            </div>
        </Show>
        <DirectoryFiltersBar filters=filters ranked=Signal::derive(move || patient.get().is_some()) />
        <ErrorBanner error=list.error />
        <p class="result-count" aria-live="polite">
            {count_text}
        </p>
        <PagedTable
            list=list
            what="providers"
            more="Load more providers"
            empty=move || {
                view! {
                    <div class="empty-state">
                        <h2>"No providers found"</h2>
                        <p>"No provider matches these filters."</p>
                    </div>
                }
            }
            caption="Providers"
            columns=COLUMNS
        >
            <For
                each=move || list.items.get()
                key=|e| (e.provider.id, e.provider.version, e.reasons.clone())
                children=move |e| view! { <DirectoryRow entry=e /> }
            />
        </PagedTable>
    }
}

/// One result.
#[component]
fn DirectoryRow(entry: DirectoryEntry) -> impl IntoView {
    let p = entry.provider;
    let reasons = entry.reasons.join(" · ");
    view! {
        <tr>
            <th scope="row" data-label="Provider">
                <a href=format!("/providers/{}", p.id) class="row-link">
                    {p.name.clone()}
                </a>
                {(!p.accepting_new_clients)
                    .then(|| view! { <span class="block muted small">"Not taking new clients"</span> })}
            </th>
            <td data-label="Services">{services_text(&p.services)}</td>
            <td data-label="Languages">{languages_text(&p.languages)}</td>
            <td data-label="Network">
                <NetworkBadge status=p.network_status />
            </td>
            <td data-label="Why it is here" data-testid="reasons">
                {reasons}
            </td>
        </tr>
    }
}

/// The search box and the filters.
#[component]
fn DirectoryFiltersBar(filters: RwSignal<DirectoryFilters>, ranked: Signal<bool>) -> impl IntoView {
    let search_text = RwSignal::new(String::new());
    let debounce = StoredValue::new(0u32);
    let on_search = move |text: String| {
        search_text.set(text.clone());
        debounce.update_value(|d| *d += 1);
        let mine = debounce.get_value();
        spawn_local(async move {
            TimeoutFuture::new(DEBOUNCE_MS).await;
            if debounce.try_get_value() == Some(mine) && filters.with_untracked(|f| f.q != text) {
                filters.update(|f| f.q = text);
            }
        });
    };
    let search_now = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        debounce.update_value(|d| *d += 1);
        let text = search_text.get_untracked();
        filters.update(|f| f.q = text);
    };
    let select = move |get: fn(&DirectoryFilters) -> String,
                       set: fn(&mut DirectoryFilters, String)| {
        (
            Signal::derive(move || filters.with(get)),
            Callback::new(move |v: String| filters.update(|f| set(f, v))),
        )
    };
    let (service, on_service) = select(|f| f.service.clone(), |f, v| f.service = v);
    let (language, on_language) = select(|f| f.language.clone(), |f, v| f.language = v);
    let (payer, on_payer) = select(|f| f.payer.clone(), |f, v| f.payer = v);
    let (accepting, on_accepting) = select(|f| f.accepting.clone(), |f, v| f.accepting = v);
    let (network, on_network) = select(|f| f.network_status.clone(), |f, v| f.network_status = v);
    let (miles, on_miles) = select(|f| f.within_miles.clone(), |f, v| f.within_miles = v);
    let (specialty, on_specialty) = select(|f| f.specialty.clone(), |f, v| f.specialty = v);
    let language_choices: Vec<Choice> =
        std::iter::once((String::new(), "Any language".to_string()))
            .chain(
                LANGUAGES
                    .iter()
                    .map(|t| ((*t).to_string(), crate::format::language_name(t))),
            )
            .collect();
    let clear = move |_| {
        search_text.set(String::new());
        debounce.update_value(|d| *d += 1);
        filters.set(DirectoryFilters::default());
    };
    view! {
        <section class="toolbar" aria-label="Search and filters">
            <form class="search-form" role="search" on:submit=search_now>
                <div class="field search-field">
                    <label for="provider-search">"Search providers by name"</label>
                    <input
                        id="provider-search"
                        type="search"
                        autocomplete="off"
                        prop:value=move || search_text.get()
                        on:input=move |ev| on_search(event_target_value(&ev))
                    />
                </div>
            </form>
            <div class="filters">
                <SelectField
                    id="filter-service"
                    label="Service"
                    value=service
                    options=Signal::stored(choices(ServiceType::VARIANTS, |s| s.label().to_string(), Some("Any service")))
                    on_change=on_service
                />
                <TextField id="filter-specialty" label="Specialty" value=specialty on_input=on_specialty />
                <SelectField
                    id="filter-language"
                    label="Language"
                    value=language
                    options=Signal::stored(language_choices)
                    on_change=on_language
                />
                <SelectField
                    id="filter-payer"
                    label="Insurance"
                    value=payer
                    options=Signal::stored(vec![
                        (String::new(), "Any insurance".to_string()),
                        ("medicaid".to_string(), "Takes Medicaid".to_string()),
                    ])
                    on_change=on_payer
                />
                <SelectField
                    id="filter-accepting"
                    label="New clients"
                    value=accepting
                    options=Signal::stored(vec![
                        (String::new(), "Either".to_string()),
                        ("true".to_string(), "Accepting new clients".to_string()),
                        ("false".to_string(), "Not accepting".to_string()),
                    ])
                    on_change=on_accepting
                />
                <SelectField
                    id="filter-network"
                    label="Network status"
                    value=network
                    options=Signal::stored(choices(NetworkStatus::VARIANTS, |s| s.label().to_string(), Some("Any status")))
                    on_change=on_network
                />
                <Show when=move || ranked.get()>
                    <SelectField
                        id="filter-miles"
                        label="Distance"
                        value=miles
                        options=Signal::stored(
                            std::iter::once((String::new(), "Any distance".to_string()))
                                .chain([5, 10, 25, 50].map(|m| (m.to_string(), format!("Within {m} miles"))))
                                .collect::<Vec<Choice>>(),
                        )
                        on_change=on_miles
                    />
                </Show>
                <Show when=move || filters.with(DirectoryFilters::is_filtered)>
                    <div class="field clear-field">
                        <button type="button" class="button ghost" on:click=clear>
                            "Clear filters"
                        </button>
                    </div>
                </Show>
            </div>
        </section>
    }
}

/// Adding a provider; once saved, its page opens.
#[component]
fn NewProviderForm(form: AddFormState) -> impl IntoView {
    let fields = ProviderFields::new(&ProviderInput::blank());
    let errors = form.errors;
    let navigate = use_navigate();
    let submit = Callback::new(move |()| {
        let new = match fields.input().read() {
            Ok(n) => n,
            Err(found) => {
                errors.show_rules(found);
                return;
            }
        };
        if errors.show_rules(rules::errors(new.clone())) {
            return;
        }
        let navigate = navigate.clone();
        form.save(
            async move { client::create_provider(&new).await },
            [],
            Callback::new(move |p: shared::providers::Provider| {
                fields.fill(&ProviderInput::blank());
                navigate(
                    &format!("/providers/{}", p.id),
                    leptos_router::NavigateOptions::default(),
                );
            }),
        );
    });
    view! {
        <AddForm
            id="provider-form"
            form=form
            on_submit=submit
            label="Save provider"
            busy_label="Saving…"
            heading=("provider-form-heading", "Add a provider")
        >
            <ProviderFieldset fields=fields errors=errors prefix="new-provider" />
        </AddForm>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn the_filters_become_the_directorys_query() {
        let f = DirectoryFilters {
            q: "  ".into(),
            language: "es".into(),
            payer: "medicaid".into(),
            accepting: "true".into(),
            network_status: "in_network".into(),
            within_miles: "10".into(),
            ..Default::default()
        };
        let q = f.to_query(None);
        assert_eq!(q.q, None);
        assert_eq!(q.language.as_deref(), Some("es"));
        assert_eq!(q.payer.as_deref(), Some("medicaid"));
        assert_eq!(q.accepting, Some(true));
        assert_eq!(q.network_status, Some(NetworkStatus::InNetwork));
        assert_eq!(q.within_miles, None, "a distance needs a patient");
        let p = PatientId::from(Uuid::from_u128(3));
        let ranked = f.to_query(Some(p));
        assert_eq!(ranked.near_patient_id, Some(Uuid::from_u128(3)));
        assert_eq!(ranked.within_miles, Some(10.0));
        assert!(f.is_filtered());
        assert!(!DirectoryFilters::default().is_filtered());
    }
}
