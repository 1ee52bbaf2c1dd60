//! The patient list: search, filters, a table, and "Load more".

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Permission;
use shared::case_status::CaseStatus;
use shared::patients::Patient;
use shared::risk::RiskLevel;
use strum::VariantArray;

use crate::client;
use crate::components::{
    Choice, Column, ErrorBanner, PageHeader, PagedTable, RiskBadge, SelectField, StatusBadge,
    choices, use_paged_list,
};
use crate::dom::set_title;
use crate::format;
use crate::state::{
    CareManagerFilter, Directory, ListState, PATIENT_PAGE, PatientFilters, use_auth,
};

/// How long typing must pause before the search runs.
const DEBOUNCE_MS: u32 = 300;

/// The patient table's columns.
const COLUMNS: &[Column] = &[
    Column::Text("Name"),
    Column::Text("Date of birth"),
    Column::Text("Status"),
    Column::Text("Risk"),
    Column::Text("Care manager"),
    Column::Text("Identifier"),
];

/// The patient list.
#[component]
pub fn PatientsPage() -> impl IntoView {
    set_title("Patients");
    let auth = use_auth();
    let directory = expect_context::<Directory>();
    let filters = expect_context::<ListState>().filters;
    let can_write = auth.can(Permission::PatientsWrite);
    let carries_caseload = auth.me().is_some_and(|m| m.role.can_carry_caseload());
    let me_id = auth.me().map(|m| m.id);

    let search_text = RwSignal::new(filters.with_untracked(|f| f.q.clone()));
    let debounce = StoredValue::new(0u32);
    let list = use_paged_list(PATIENT_PAGE, move |page| {
        let query = filters.with_untracked(|f| f.to_query(me_id));
        async move { client::list_patients(&query, &page).await }
    });
    Effect::new(move || {
        filters.track();
        list.reload();
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
            list.reload();
        }
    };
    let clear_filters = move |_| {
        search_text.set(String::new());
        debounce.update_value(|d| *d += 1);
        filters.set(PatientFilters::default());
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

    let count_text = move || match (list.len(), list.has_more()) {
        (0, _) => String::new(),
        (1, false) => "1 patient".to_string(),
        (n, false) => format!("{n} patients"),
        (n, true) => format!("Showing the first {n} patients"),
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
                    options=Signal::stored(choices(CaseStatus::VARIANTS, |s| s.label().into(), Some("Any status")))
                    on_change=Callback::new(move |v: String| filters.update(|f| f.status = v.parse().ok()))
                />
                <SelectField
                    id="filter-risk"
                    label="Risk level"
                    value=Signal::derive(move || {
                        filters.with(|f| f.risk_level.map(|r| r.as_ref().to_string()).unwrap_or_default())
                    })
                    options=Signal::stored(choices(RiskLevel::VARIANTS, |r| r.label().into(), Some("Any risk level")))
                    on_change=Callback::new(move |v: String| {
                        filters.update(|f| f.risk_level = v.parse().ok());
                    })
                />
                <SelectField
                    id="filter-care-manager"
                    label="Care manager"
                    value=Signal::derive(move || filters.with(|f| f.care_manager.as_value()))
                    options=care_manager_choices
                    on_change=Callback::new(move |v: String| {
                        filters.update(|f| f.care_manager = CareManagerFilter::from_value(&v));
                    })
                />
                <Show when=move || filters.with(PatientFilters::is_filtered)>
                    <div class="field clear-field">
                        <button type="button" class="button ghost" on:click=clear_filters>
                            "Clear filters"
                        </button>
                    </div>
                </Show>
            </div>
        </section>

        <ErrorBanner error=list.error />
        <p class="result-count" aria-live="polite">
            {count_text}
        </p>

        <PagedTable
            list=list
            what="patients"
            more="Load more patients"
            empty=move || {
                view! {
                    <div class="empty-state">
                        <h2>"No patients found"</h2>
                        {move || {
                            if filters.with(PatientFilters::is_filtered) {
                                view! {
                                    <p>"No patient matches this search and these filters."</p>
                                    <button type="button" class="button secondary" on:click=clear_filters>
                                        "Clear search and filters"
                                    </button>
                                }
                                    .into_any()
                            } else {
                                view! { <p>"There are no patients in your organization yet."</p> }
                                    .into_any()
                            }
                        }}
                    </div>
                }
            }
            caption="Patients"
            columns=COLUMNS
            class="patients-table"
        >
            <For
                each=move || list.items.get()
                key=|p| (p.id, p.version)
                children=move |p| view! { <PatientRow patient=p /> }
            />
        </PagedTable>
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
