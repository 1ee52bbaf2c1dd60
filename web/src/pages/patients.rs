//! The patient list: search, filters, a table, and "Load more".

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Permission;
use shared::case_status::CaseStatus;
use shared::patients::Patient;
use shared::risk::RiskLevel;
use strum::VariantArray;

use super::PageHeader;
use crate::api::{self, ApiError};
use crate::components::{
    Choice, ErrorBanner, LoadMore, Loading, RiskBadge, SelectField, StatusBadge,
};
use crate::format;
use crate::state::{CareManagerFilter, Directory, ListState, use_auth};

/// How long typing must pause before the search runs.
const DEBOUNCE_MS: u32 = 300;

fn status_choices() -> Vec<Choice> {
    std::iter::once((String::new(), "Any status".to_string()))
        .chain(
            CaseStatus::VARIANTS
                .iter()
                .map(|s| (s.as_ref().to_string(), s.label().to_string())),
        )
        .collect()
}

fn risk_choices() -> Vec<Choice> {
    std::iter::once((String::new(), "Any risk level".to_string()))
        .chain(
            RiskLevel::VARIANTS
                .iter()
                .map(|r| (r.as_ref().to_string(), r.label().to_string())),
        )
        .collect()
}

/// The patient list.
#[component]
pub fn PatientsPage() -> impl IntoView {
    super::set_title("Patients");
    let auth = use_auth();
    let directory = expect_context::<Directory>();
    let filters = expect_context::<ListState>().filters;
    let can_write = auth.can(Permission::PatientsWrite);
    let carries_caseload = auth.me().is_some_and(|m| m.role.can_carry_caseload());
    let me_id = auth.me().map(|m| m.id);

    let search_text = RwSignal::new(filters.with_untracked(|f| f.q.clone()));
    let items = RwSignal::new(Vec::<Patient>::new());
    let next_cursor = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    let error = RwSignal::new(None::<ApiError>);
    let generation = StoredValue::new(0u32);
    let debounce = StoredValue::new(0u32);

    let load = move |append: bool| {
        let cursor = if append {
            next_cursor.get_untracked()
        } else {
            None
        };
        let query = filters.with_untracked(|f| f.to_query(me_id, cursor));
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::list_patients(&query).await;
            if generation.try_get_value() != Some(mine) {
                return;
            }
            loading.set(false);
            match result {
                Ok(page) => {
                    if append {
                        items.update(|v| v.extend(page.items));
                    } else {
                        items.set(page.items);
                    }
                    next_cursor.set(page.next_cursor);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };

    Effect::new(move || {
        filters.track();
        load(false);
    });

    let on_search_input = move |text: String| {
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
        if filters.with_untracked(|f| f.q != text) {
            filters.update(|f| f.q = text);
        } else {
            load(false);
        }
    };
    let clear_filters = move |_| {
        search_text.set(String::new());
        debounce.update_value(|d| *d += 1);
        filters.set(Default::default());
    };

    let care_manager_choices = Signal::derive(move || {
        let mut out: Vec<Choice> = vec![(String::new(), "Anyone".into())];
        if carries_caseload {
            out.push(("mine".into(), "My patients".into()));
        }
        out.extend(
            directory
                .caseload_carriers()
                .into_iter()
                .filter(|u| Some(u.id) != me_id || !carries_caseload)
                .map(|u| (u.id.to_string(), u.name)),
        );
        out
    });
    let mine_on = move || filters.with(|f| f.care_manager == CareManagerFilter::Mine);

    let count_text = move || {
        let n = items.with(Vec::len);
        let more = next_cursor.with(Option::is_some);
        match (n, more) {
            (0, _) => String::new(),
            (1, false) => "1 patient".to_string(),
            (n, false) => format!("{n} patients"),
            (n, true) => format!("Showing the first {n} patients"),
        }
    };

    view! {
        <PageHeader title="Patients".to_string()>
            {can_write
                .then(|| {
                    view! {
                        <a href="/patients/new" class="button primary">
                            "New patient"
                        </a>
                    }
                })}
        </PageHeader>

        <section class="toolbar" aria-label="Search and filters">
            <form class="search-form" role="search" on:submit=search_now>
                <div class="field search-field">
                    <label for="patient-search">"Search patients"</label>
                    <p class="hint" id="patient-search-hint">
                        "Start of a name (\u{201c}lop\u{201d}, \u{201c}maria lo\u{201d}, \u{201c}lopez, ma\u{201d}) or an exact identifier such as an MRN."
                    </p>
                    <input
                        id="patient-search"
                        type="search"
                        autocomplete="off"
                        spellcheck="false"
                        aria-describedby="patient-search-hint"
                        prop:value=move || search_text.get()
                        on:input=move |ev| on_search_input(event_target_value(&ev))
                    />
                </div>
            </form>
            <div class="filters">
                {carries_caseload
                    .then(|| {
                        view! {
                            <div class="field toggle-field">
                                <span class="label-like" aria-hidden="true">
                                    "Caseload"
                                </span>
                                <button
                                    type="button"
                                    class="button toggle"
                                    aria-pressed=move || if mine_on() { "true" } else { "false" }
                                    on:click=move |_| {
                                        let on = mine_on();
                                        filters
                                            .update(|f| {
                                                f.care_manager = if on {
                                                    CareManagerFilter::Anyone
                                                } else {
                                                    CareManagerFilter::Mine
                                                };
                                            });
                                    }
                                >
                                    "My patients"
                                </button>
                            </div>
                        }
                    })}
                <SelectField
                    id="filter-status"
                    label="Status"
                    value=Signal::derive(move || {
                        filters.with(|f| f.status.map(|s| s.as_ref().to_string()).unwrap_or_default())
                    })
                    options=Signal::stored(status_choices())
                    on_change=Callback::new(move |v: String| filters.update(|f| f.status = v.parse().ok()))
                />
                <SelectField
                    id="filter-risk"
                    label="Risk level"
                    value=Signal::derive(move || {
                        filters.with(|f| f.risk_level.map(|r| r.as_ref().to_string()).unwrap_or_default())
                    })
                    options=Signal::stored(risk_choices())
                    on_change=Callback::new(move |v: String| {
                        filters.update(|f| f.risk_level = v.parse().ok())
                    })
                />
                <SelectField
                    id="filter-care-manager"
                    label="Care manager"
                    value=Signal::derive(move || filters.with(|f| f.care_manager.as_value()))
                    options=care_manager_choices
                    on_change=Callback::new(move |v: String| {
                        filters.update(|f| f.care_manager = CareManagerFilter::from_value(&v))
                    })
                />
                <Show when=move || filters.with(|f| f.is_filtered())>
                    <div class="field clear-field">
                        <button type="button" class="button ghost" on:click=clear_filters>
                            "Clear filters"
                        </button>
                    </div>
                </Show>
            </div>
        </section>

        <ErrorBanner error=error />
        <p class="result-count" aria-live="polite">
            {count_text}
        </p>

        <Show when=move || !items.with(Vec::is_empty)>
            <div class="table-wrap">
                <table class="data-table responsive-table patients-table">
                    <caption class="visually-hidden">"Patients"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Date of birth"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Risk"</th>
                            <th scope="col">"Care manager"</th>
                            <th scope="col">"Identifier"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || items.get()
                            key=|p| (p.id, p.version)
                            children=move |p| view! { <PatientRow patient=p /> }
                        />
                    </tbody>
                </table>
            </div>
        </Show>

        <Show when=move || loading.get() && items.with(Vec::is_empty)>
            <Loading what="patients" />
        </Show>

        <Show when=move || {
            !loading.get() && error.with(Option::is_none) && items.with(Vec::is_empty)
        }>
            <div class="empty-state">
                <h2>"No patients found"</h2>
                {move || {
                    if filters.with(|f| f.is_filtered()) {
                        view! {
                            <p>"No patient matches this search and these filters."</p>
                            <button type="button" class="button secondary" on:click=clear_filters>
                                "Clear search and filters"
                            </button>
                        }
                            .into_any()
                    } else {
                        view! { <p>"There are no patients in your organization yet."</p> }.into_any()
                    }
                }}
            </div>
        </Show>

        <LoadMore
            has_more=Signal::derive(move || next_cursor.with(Option::is_some))
            loading=loading
            on_load=Callback::new(move |_| load(true))
            label="Load more patients"
        />
    }
}

/// One row of the patient table.
#[component]
fn PatientRow(
    /// The patient.
    patient: Patient,
) -> impl IntoView {
    let directory = expect_context::<Directory>();
    let today = format::today();
    let href = format!("/patients/{}", patient.id);
    let cm = patient.primary_care_manager_id;
    let identifier = format::primary_identifier(&patient.identifiers).cloned();
    view! {
        <tr>
            <th scope="row" data-label="Name">
                <a href=href class="row-link">
                    {patient.display_name()}
                </a>
            </th>
            <td data-label="Date of birth">{format::birth_date_with_age(patient.birth_date, today)}</td>
            <td data-label="Status">
                <StatusBadge status=patient.status />
            </td>
            <td data-label="Risk">
                <RiskBadge level=patient.risk_level />
            </td>
            <td data-label="Care manager">{move || directory.care_manager_label(cm)}</td>
            <td data-label="Identifier">
                {match identifier {
                    Some(i) => view! { <span title=i.system>{i.value}</span> }.into_any(),
                    None => view! { <span class="muted">"None"</span> }.into_any(),
                }}
            </td>
        </tr>
    }
}
