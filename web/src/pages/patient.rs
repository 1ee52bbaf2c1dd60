//! One patient: the header (name, key facts, editing), the record's tabs —
//! overview (alerts, open tasks, demographics, case status, care manager,
//! care team, contacts), timeline, encounters, appointments, notes — kept in
//! the address (`/patients/:id/timeline` …) so reload and Back work, and
//! editing the record (with a plain-words way through edit conflicts).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::use_params_map;
use shared::auth::Permission;
use shared::case_status::{CaseStatus, StatusChangeRequest};
use shared::patients::{Patient, PatientPatch};
use shared::problem::Problem;
use uuid::Uuid;

use super::patient_overview::{CareTeamCard, ContactsCard, PatientAlerts, PatientTasks};
use crate::api::{self, ApiError};
use crate::components::patient_form::{
    ErrorSummary, PatientFormFields, PatientFormState, focus_element,
};
use crate::components::{
    Choice, ErrorBanner, Loading, Notice, RiskBadge, SelectField, StatusBadge, TextArea,
};
use crate::format;
use crate::patient_form::{FieldChange, PatientFormData, patient_changes};
use crate::state::{Directory, use_auth};

fn not_found() -> ApiError {
    ApiError::from(Problem {
        problem_type: "/problems/not-found".into(),
        title: "Not found".into(),
        status: 404,
        detail: Some("There is no patient at this address.".into()),
        errors: None,
        request_id: None,
    })
}

/// The patient the tabs show, in context.
#[derive(Debug, Clone, Copy)]
pub struct PatientCtx {
    /// The patient, once loaded.
    pub patient: RwSignal<Option<Patient>>,
    /// A confirmation for the whole page.
    pub notice: RwSignal<Option<String>>,
}

impl PatientCtx {
    /// The loaded patient's id (untracked).
    pub fn id(&self) -> Option<Uuid> {
        self.patient.with_untracked(|p| p.as_ref().map(|p| p.id))
    }

    /// The loaded patient's name (untracked).
    pub fn name(&self) -> String {
        self.patient
            .with_untracked(|p| p.as_ref().map(Patient::display_name))
            .unwrap_or_default()
    }
}

/// The tabs of a patient's record: the path under `/patients/:id` and the words.
pub const TABS: &[(&str, &str)] = &[
    ("", "Overview"),
    ("timeline", "Timeline"),
    ("encounters", "Encounters"),
    ("appointments", "Appointments"),
    ("notes", "Notes"),
];

/// The address of a tab of a patient's record.
pub fn tab_href(patient: Uuid, tab: &str) -> String {
    if tab.is_empty() {
        format!("/patients/{patient}")
    } else {
        format!("/patients/{patient}/{tab}")
    }
}

/// The patient page: loads the patient, shows the header and the tabs, and
/// the selected tab (a nested route) below.
#[component]
pub fn PatientPage() -> impl IntoView {
    super::set_title("Patient");
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .with(|p| p.get("id"))
            .and_then(|s| Uuid::parse_str(&s).ok())
    });
    let patient = RwSignal::new(None::<Patient>);
    let load_error = RwSignal::new(None::<ApiError>);
    let editing = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);
    provide_context(PatientCtx { patient, notice });

    Effect::new(move || {
        let wanted = id.get();
        patient.set(None);
        load_error.set(None);
        editing.set(false);
        notice.set(None);
        match wanted {
            None => load_error.set(Some(not_found())),
            Some(pid) => spawn_local(async move {
                let result = api::get_patient(pid).await;
                if id.try_get_untracked() != Some(Some(pid)) {
                    return;
                }
                match result {
                    Ok(p) => {
                        super::set_title(&p.display_name());
                        patient.set(Some(p));
                    }
                    Err(e) => load_error.set(Some(e)),
                }
            }),
        }
    });

    let loaded = move || patient.with(Option::is_some);
    view! {
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <a href="/patients">"Patients"</a>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">
                {move || patient.with(|p| p.as_ref().map(Patient::display_name)).unwrap_or_default()}
            </span>
        </nav>
        <Show
            when=loaded
            fallback=move || {
                view! {
                    <Show
                        when=move || load_error.with(Option::is_some)
                        fallback=|| view! { <Loading what="the patient" /> }
                    >
                        <ErrorBanner error=load_error />
                        <p>
                            <a href="/patients">"Back to patients"</a>
                        </p>
                    </Show>
                }
            }
        >
            <PatientHeader patient=patient editing=editing notice=notice />
            <Notice message=notice />
            <div class="patient-record" hidden=move || editing.get()>
                <nav class="tabs" aria-label="Patient record">
                    <ul>
                        {TABS
                            .iter()
                            .map(|(tab, label)| {
                                let href = move || {
                                    id.get().map(|p| tab_href(p, tab)).unwrap_or_default()
                                };
                                view! {
                                    <li>
                                        <A href=href exact=true attr:class="tab-link">
                                            {*label}
                                        </A>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </nav>
                <div class="tab-panel">
                    <Outlet />
                </div>
            </div>
            <Show when=move || editing.get()>
                <EditPatient patient=patient editing=editing notice=notice />
            </Show>
        </Show>
    }
}

/// The overview tab: alerts, open tasks and the record.
#[component]
pub fn PatientOverviewTab() -> impl IntoView {
    let ctx = expect_context::<PatientCtx>();
    view! { <PatientDetails patient=ctx.patient notice=ctx.notice /> }
}

/// Name, key facts and the Edit button.
#[component]
fn PatientHeader(
    patient: RwSignal<Option<Patient>>,
    editing: RwSignal<bool>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let can_write = use_auth().can(Permission::PatientsWrite);
    let today = format::today();
    view! {
        <div class="page-header patient-header">
            <div>
                <h1>{move || patient.with(|p| p.as_ref().map(Patient::display_name))}</h1>
                {move || {
                    patient
                        .get()
                        .map(|p| {
                            view! {
                                <p class="patient-summary">
                                    <span>{format::birth_date_with_age(p.birth_date, today)}</span>
                                    <span>{p.sex.label()}</span>
                                    <StatusBadge status=p.status />
                                    <RiskBadge level=p.risk_level long=true />
                                    {p
                                        .interpreter_needed
                                        .then(|| {
                                            view! {
                                                <span class="badge tag-warn">
                                                    {format!(
                                                        "Interpreter: {}",
                                                        format::language_name(&p.preferred_language),
                                                    )}
                                                </span>
                                            }
                                        })}
                                </p>
                            }
                        })
                }}
            </div>
            <div class="page-actions">
                {can_write
                    .then(|| {
                        view! {
                            <Show when=move || !editing.get()>
                                <button
                                    type="button"
                                    class="button primary"
                                    on:click=move |_| {
                                        notice.set(None);
                                        editing.set(true);
                                        spawn_local(async {
                                            leptos::task::tick().await;
                                            focus_element("edit-heading");
                                        });
                                    }
                                >
                                    "Edit details"
                                </button>
                            </Show>
                        }
                    })}
            </div>
        </div>
    }
}

fn fact(label: &'static str, value: Option<String>) -> impl IntoView {
    view! {
        <div class="fact">
            <dt>{label}</dt>
            {match value {
                Some(v) if !v.is_empty() => view! { <dd>{v}</dd> }.into_any(),
                _ => view! { <dd class="muted">"Not recorded"</dd> }.into_any(),
            }}
        </div>
    }
}

/// The record, read-only, with the status and care manager controls.
#[component]
fn PatientDetails(
    patient: RwSignal<Option<Patient>>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let auth = use_auth();
    let can_audit = auth.can(Permission::AuditRead);
    let today = format::today();
    // The cards below load their own data: they follow the patient's id,
    // not every new version of the record.
    let shown_id = Memo::new(move |_| patient.with(|p| p.as_ref().map(|p| p.id)));
    let name_now = move || {
        patient
            .with_untracked(|p| p.as_ref().map(Patient::display_name))
            .unwrap_or_default()
    };
    let with = move |f: fn(&Patient, chrono::NaiveDate) -> AnyView| {
        move || patient.with(|p| p.as_ref().map(|p| f(p, today)))
    };
    view! {
        <div class="detail-layout">
            <div class="detail-main">
                {move || {
                    shown_id
                        .get()
                        .map(|id| {
                            view! {
                                <PatientAlerts patient_id=id />
                                <PatientTasks patient_id=id patient_name=name_now() />
                            }
                        })
                }}
                <section class="card" aria-labelledby="sec-demographics">
                    <h2 id="sec-demographics">"Demographics"</h2>
                    {with(|p, today| {
                        view! {
                            <dl class="facts">
                                {fact("Given name", Some(p.given_name.clone()))}
                                {fact("Family name", Some(p.family_name.clone()))}
                                {fact("Preferred name", p.preferred_name.clone())}
                                {fact("Date of birth", Some(format::birth_date_with_age(p.birth_date, today)))}
                                {fact("Sex", Some(p.sex.label().into()))}
                                {fact("Preferred language", Some(format::language_name(&p.preferred_language)))}
                                {fact("Interpreter needed", Some(format::yes_no(p.interpreter_needed).into()))}
                            </dl>
                        }
                            .into_any()
                    })}
                </section>
                <section class="card" aria-labelledby="sec-contact">
                    <h2 id="sec-contact">"Contact"</h2>
                    {with(|p, _| {
                        view! {
                            <dl class="facts">
                                {fact("Phone", p.phone.clone())}
                                {fact("Email", p.email.clone())}
                                {fact("Address", p.address.as_ref().map(|a| a.one_line()))}
                            </dl>
                        }
                            .into_any()
                    })}
                </section>
                <section class="card" aria-labelledby="sec-insurance">
                    <h2 id="sec-insurance">"Insurance"</h2>
                    {with(|p, _| {
                        let i = p.insurance.clone().unwrap_or_default();
                        view! {
                            <dl class="facts">
                                {fact("Payer", i.payer)}
                                {fact("Member ID", i.member_id)}
                                {fact("Medicaid", Some(format::yes_no(i.medicaid).into()))}
                            </dl>
                        }
                            .into_any()
                    })}
                </section>
                <section class="card" aria-labelledby="sec-identifiers">
                    <h2 id="sec-identifiers">"Identifiers"</h2>
                    {with(|p, _| {
                        if p.identifiers.is_empty() {
                            view! { <p class="muted">"No identifiers recorded."</p> }.into_any()
                        } else {
                            view! {
                                <table class="data-table compact">
                                    <thead>
                                        <tr>
                                            <th scope="col">"System"</th>
                                            <th scope="col">"Value"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {p
                                            .identifiers
                                            .iter()
                                            .map(|i| {
                                                view! {
                                                    <tr>
                                                        <td class="mono wrap">{i.system.clone()}</td>
                                                        <td class="mono">{i.value.clone()}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            }
                                .into_any()
                        }
                    })}
                </section>
            </div>
            <aside class="detail-side" aria-label="Case">
                <StatusCard patient=patient notice=notice />
                <CareManagerCard patient=patient notice=notice />
                {move || {
                    shown_id
                        .get()
                        .map(|id| {
                            view! {
                                <CareTeamCard patient_id=id />
                                <ContactsCard patient_id=id />
                            }
                        })
                }}
                <section class="card" aria-labelledby="sec-record">
                    <h2 id="sec-record">"Record"</h2>
                    {move || {
                        patient
                            .get()
                            .map(|p| {
                                view! {
                                    <dl class="facts single">
                                        {fact("Created", Some(format::datetime(p.created_at)))}
                                        {fact("Last updated", Some(format::datetime(p.updated_at)))}
                                        {fact("Version", Some(p.version.to_string()))}
                                    </dl>
                                    {can_audit
                                        .then(|| {
                                            view! {
                                                <p>
                                                    <a href=format!("/audit?patient_id={}", p.id)>
                                                        "View audit trail"
                                                    </a>
                                                </p>
                                            }
                                        })}
                                }
                            })
                    }}
                </section>
            </aside>
        </div>
    }
}

/// Reloads the patient after a stale-version answer and says why.
async fn reload_after_conflict(
    id: Uuid,
    patient: RwSignal<Option<Patient>>,
    error: RwSignal<Option<ApiError>>,
) {
    match api::get_patient(id).await {
        Ok(p) => {
            patient.set(Some(p));
            error.set(Some(ApiError::from(Problem {
                problem_type: "/problems/stale-version".into(),
                title: "This patient was changed by someone else".into(),
                status: 412,
                detail: Some(
                    "The latest version is now shown and nothing was changed. Please make your choice again."
                        .into(),
                ),
                errors: None,
                request_id: None,
            })));
        }
        Err(e) => error.set(Some(e)),
    }
}

/// The case status and the control to move it on.
#[component]
fn StatusCard(
    patient: RwSignal<Option<Patient>>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let can_write = use_auth().can(Permission::PatientsWrite);
    let target = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let target_error = RwSignal::new(None::<String>);
    let reason_error = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);

    let current = move || patient.with(|p| p.as_ref().map(|p| p.status).unwrap_or_default());
    let chosen = move || target.with(|t| t.parse::<CaseStatus>().ok());
    let needs_reason = move || chosen().is_some_and(|to| CaseStatus::needs_reason(current(), to));
    let options = Signal::derive(move || {
        std::iter::once((String::new(), "Choose a status…".to_string()))
            .chain(
                current()
                    .next_statuses()
                    .iter()
                    .map(|s| (s.as_ref().to_string(), s.label().to_string())),
            )
            .collect::<Vec<Choice>>()
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        error.set(None);
        let Some(p) = patient.get_untracked() else {
            return;
        };
        let Some(to) = chosen() else {
            target_error.set(Some("Choose the new status.".into()));
            focus_element("status-target");
            return;
        };
        let why = reason.get_untracked().trim().to_string();
        if CaseStatus::needs_reason(p.status, to) && why.is_empty() {
            reason_error.set(Some(
                "A reason is required when closing or reopening a case.".into(),
            ));
            focus_element("status-reason");
            return;
        }
        let request = StatusChangeRequest {
            status: to,
            reason: (!why.is_empty()).then_some(why),
            version: Some(p.version),
        };
        busy.set(true);
        spawn_local(async move {
            let result = api::change_status(p.id, &request, p.version).await;
            busy.set(false);
            match result {
                Ok(updated) => {
                    patient.set(Some(updated));
                    target.set(String::new());
                    reason.set(String::new());
                    notice.set(Some(format!("Case status changed to {}.", to.label())));
                }
                Err(e) if e.is(412) => reload_after_conflict(p.id, patient, error).await,
                Err(e) if e.is(422) && !e.field_errors().is_empty() => {
                    let errs = e.field_errors();
                    match errs.iter().find(|f| f.field == "reason") {
                        Some(f) => reason_error.set(Some(format!("Reason {}.", f.message))),
                        None => error.set(Some(e)),
                    }
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };

    view! {
        <section class="card" aria-labelledby="sec-status">
            <h2 id="sec-status">"Case status"</h2>
            {move || {
                patient
                    .get()
                    .map(|p| {
                        view! {
                            <p class="status-line">
                                <StatusBadge status=p.status />
                            </p>
                            {p
                                .status_reason
                                .map(|r| {
                                    view! {
                                        <p class="muted small">
                                            "Reason: " {r}
                                        </p>
                                    }
                                })}
                        }
                    })
            }}
            <ErrorBanner error=error />
            {can_write
                .then(|| {
                    view! {
                        <form class="stack" novalidate on:submit=on_submit>
                            <SelectField
                                id="status-target"
                                label="Move case to"
                                value=target
                                options=options
                                on_change=Callback::new(move |v| {
                                    target.set(v);
                                    target_error.set(None);
                                })
                                error=target_error
                            />
                            <Show when=needs_reason>
                                <TextArea
                                    id="status-reason"
                                    label="Reason"
                                    required=true
                                    hint="Required when closing or reopening a case."
                                    value=reason
                                    on_input=Callback::new(move |v| {
                                        reason.set(v);
                                        reason_error.set(None);
                                    })
                                    error=reason_error
                                />
                            </Show>
                            <button type="submit" class="button secondary" disabled=move || busy.get()>
                                {move || if busy.get() { "Changing…" } else { "Change status" }}
                            </button>
                        </form>
                    }
                })}
        </section>
    }
}

/// The primary care manager and, for supervisors and admins, reassignment.
#[component]
fn CareManagerCard(
    patient: RwSignal<Option<Patient>>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let can_assign = use_auth().can(Permission::PatientsAssign);
    let directory = expect_context::<Directory>();
    let current = move || patient.with(|p| p.as_ref().and_then(|p| p.primary_care_manager_id));
    let chosen = RwSignal::new(current().map(|u| u.to_string()).unwrap_or_default());
    // Follow the record when it changes underneath (a reload, a save).
    Effect::new(move || {
        let now = current();
        chosen.set(now.map(|u| u.to_string()).unwrap_or_default());
    });
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let options = Signal::derive(move || {
        let now = current();
        let people = directory.carriers_with(now);
        std::iter::once((String::new(), "Unassigned".to_string()))
            .chain(people.into_iter().map(|u| {
                let role = u.role.label();
                (u.id.to_string(), format!("{} ({role})", u.name))
            }))
            .collect::<Vec<Choice>>()
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        error.set(None);
        let Some(p) = patient.get_untracked() else {
            return;
        };
        let to = Uuid::parse_str(&chosen.get_untracked()).ok();
        if to == p.primary_care_manager_id {
            notice.set(Some("The care manager is unchanged.".into()));
            return;
        }
        let patch = PatientPatch {
            primary_care_manager_id: Some(to),
            version: Some(p.version),
            ..Default::default()
        };
        busy.set(true);
        spawn_local(async move {
            let result = api::update_patient(p.id, &patch, p.version).await;
            busy.set(false);
            match result {
                Ok(updated) => {
                    let who = directory.care_manager_label(updated.primary_care_manager_id);
                    patient.set(Some(updated));
                    notice.set(Some(format!("Care manager set to {who}.")));
                }
                Err(e) if e.is(412) => reload_after_conflict(p.id, patient, error).await,
                Err(e) => error.set(Some(e)),
            }
        });
    };

    view! {
        <section class="card" aria-labelledby="sec-care-manager">
            <h2 id="sec-care-manager">"Care manager"</h2>
            <p class="big-fact">{move || directory.care_manager_label(current())}</p>
            <ErrorBanner error=error />
            {can_assign
                .then(|| {
                    view! {
                        <form class="stack" novalidate on:submit=on_submit>
                            <SelectField
                                id="assign-care-manager"
                                label="Assign to"
                                value=chosen
                                options=options
                                on_change=Callback::new(move |v| chosen.set(v))
                            />
                            <button type="submit" class="button secondary" disabled=move || busy.get()>
                                {move || if busy.get() { "Assigning…" } else { "Assign care manager" }}
                            </button>
                        </form>
                    }
                })}
        </section>
    }
}

/// Where an edit stands after a save was refused as stale.
#[derive(Debug, Clone, PartialEq)]
enum Conflict {
    /// No conflict.
    None,
    /// Someone saved first; the person's input is unsaved.
    Detected,
    /// The latest version is loaded under the person's input.
    Loaded {
        /// What the other person changed.
        theirs: Vec<FieldChange>,
        /// Keys both changed (the person's value is kept).
        both: Vec<&'static str>,
    },
}

/// Editing the record with the patient form.
#[component]
fn EditPatient(
    patient: RwSignal<Option<Patient>>,
    editing: RwSignal<bool>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let auth = use_auth();
    let can_assign = auth.can(Permission::PatientsAssign);
    let directory = expect_context::<Directory>();
    let Some(start) = patient.get_untracked() else {
        return ().into_any();
    };
    let id = start.id;
    let base = RwSignal::new(start.clone());
    let state = PatientFormState::new(PatientFormData::from_patient(&start), move |d| {
        base.with(|b| {
            d.patch_against(b, format::today(), can_assign)
                .err()
                .unwrap_or_default()
        })
    });
    let conflict = RwSignal::new(Conflict::None);
    let banner = RwSignal::new(None::<ApiError>);
    let saving = RwSignal::new(false);
    let loading_latest = RwSignal::new(false);

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return;
        }
        state.submitted.set(true);
        banner.set(None);
        let patch = state.data.with_untracked(|d| {
            base.with_untracked(|b| d.patch_against(b, format::today(), can_assign))
        });
        let patch = match patch {
            Ok(p) => p,
            Err(errors) => {
                state.focus_first(&errors);
                return;
            }
        };
        if patch.is_empty() {
            editing.set(false);
            notice.set(Some("Nothing was changed.".into()));
            return;
        }
        let version = base.with_untracked(|b| b.version);
        saving.set(true);
        spawn_local(async move {
            let result = api::update_patient(id, &patch, version).await;
            saving.set(false);
            match result {
                Ok(updated) => {
                    patient.set(Some(updated));
                    editing.set(false);
                    notice.set(Some("Changes saved.".into()));
                }
                Err(e) if e.is(412) => {
                    conflict.set(Conflict::Detected);
                    focus_element("conflict-banner");
                }
                Err(e) if e.is(422) && !e.field_errors().is_empty() => {
                    state.show_server_errors(e.field_errors())
                }
                Err(e) => {
                    banner.set(Some(e));
                    focus_element("conflict-banner");
                }
            }
        });
    };

    let load_latest = move |_| {
        if loading_latest.get_untracked() {
            return;
        }
        loading_latest.set(true);
        spawn_local(async move {
            match api::get_patient(id).await {
                Ok(latest) => {
                    let old = base.get_untracked();
                    let mine = state.data.get_untracked();
                    let my_keys = mine.changed_keys(&old);
                    let theirs =
                        patient_changes(&old, &latest, &|cm| directory.care_manager_label(cm));
                    let both = theirs
                        .iter()
                        .filter(|c| my_keys.contains(&c.key))
                        .map(|c| c.key)
                        .collect();
                    state.data.set(mine.rebase(&old, &latest));
                    state.server.set(vec![]);
                    base.set(latest.clone());
                    patient.set(Some(latest));
                    conflict.set(Conflict::Loaded { theirs, both });
                    focus_element("conflict-banner");
                }
                Err(e) => banner.set(Some(e)),
            }
            loading_latest.set(false);
        });
    };

    let conflict_view = move || {
        match conflict.get() {
        Conflict::None => ().into_any(),
        Conflict::Detected => view! {
            <div class="banner banner-warning" role="alert">
                <p class="banner-title">
                    "Someone else saved changes to this patient while you were editing"
                </p>
                <p>
                    "Your changes have not been saved yet, and nothing you typed is lost: it is still in the form below."
                </p>
                <p>
                    "Load the latest version to see what the other person changed. Your edits stay in the form on top of it, so you can check them and save again without retyping."
                </p>
                <button
                    type="button"
                    class="button primary"
                    disabled=move || loading_latest.get()
                    on:click=load_latest
                >
                    {move || {
                        if loading_latest.get() { "Loading…" } else { "Load latest version" }
                    }}
                </button>
            </div>
        }
        .into_any(),
        Conflict::Loaded { theirs, both } => view! {
            <div class="banner banner-info" role="status">
                <p class="banner-title">"The latest version is loaded"</p>
                {if theirs.is_empty() {
                    view! {
                        <p>"The other change did not touch any field in this form."</p>
                    }
                        .into_any()
                } else {
                    view! {
                        <p>"Someone else changed:"</p>
                        <ul class="change-list">
                            {theirs
                                .into_iter()
                                .map(|c| {
                                    let mine_too = both.contains(&c.key);
                                    view! {
                                        <li>
                                            <strong>{c.label}</strong>
                                            ": "
                                            <span class="old-value">{c.before}</span>
                                            " → "
                                            <span class="new-value">{c.after}</span>
                                            {mine_too
                                                .then(|| {
                                                    view! {
                                                        <span class="both-changed">
                                                            " — you changed this too; your value is kept in the form."
                                                        </span>
                                                    }
                                                })}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }}
                <p>"Your edits are still in the form. Check them, then save again."</p>
            </div>
        }
        .into_any(),
    }
    };

    view! {
        <section class="edit-panel" aria-labelledby="edit-heading">
            <h2 id="edit-heading" tabindex="-1">
                "Edit patient details"
            </h2>
            <div id="conflict-banner" tabindex="-1">
                {conflict_view}
                <ErrorBanner error=banner />
            </div>
            <form class="patient-form" novalidate on:submit=save>
                <ErrorSummary state=state />
                <PatientFormFields state=state show_status=false can_assign=can_assign />
                <div class="form-actions sticky-actions">
                    <button type="submit" class="button primary" disabled=move || saving.get()>
                        {move || if saving.get() { "Saving…" } else { "Save changes" }}
                    </button>
                    <button
                        type="button"
                        class="button secondary"
                        on:click=move |_| {
                            editing.set(false);
                        }
                    >
                        "Cancel"
                    </button>
                </div>
            </form>
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_tab_has_its_own_address_under_the_patient() {
        let id = Uuid::from_u128(3);
        assert_eq!(tab_href(id, ""), format!("/patients/{id}"));
        assert_eq!(tab_href(id, "notes"), format!("/patients/{id}/notes"));
        let paths: Vec<_> = TABS.iter().map(|(t, _)| *t).collect();
        assert_eq!(
            paths,
            vec!["", "timeline", "encounters", "appointments", "notes"]
        );
    }
}
