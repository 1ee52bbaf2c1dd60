//! The overview tab's care cards: open alerts (acknowledge), open tasks
//! (worked in place), the care team and the contacts (each with a form to
//! add one).

use chrono::{NaiveDate, Utc};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::alerts::{Alert, AlertListQuery};
use shared::auth::Permission;
use shared::care_team::{CareTeamMember, CareTeamRole, NewCareTeamMember};
use shared::contacts::{Consent, ConsentScope, Contact, NewContact, Relationship, check_consent};
use shared::tasks::{Task, TaskListQuery, TaskStatus};
use strum::VariantArray;
use uuid::Uuid;
use validator::Validate;

use crate::api::{self, ApiError, PageQuery};
use crate::components::clock::use_clock;
use crate::components::forms::{AddFormToggle, FormErrors, choices, focus_later, rule_errors};
use crate::components::task_actions::{TaskActions, TaskChange};
use crate::components::{CheckboxField, Choice, ErrorBanner, Loading, SelectField, Tag, TextField};
use crate::format;
use crate::state::{Directory, use_auth};

fn blank_to_none(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// A contact's consent, in words.
pub fn consent_text(consent: Option<&Consent>) -> String {
    match consent {
        None => "No consent to share information".to_string(),
        Some(c) => {
            let until = c
                .expires_on
                .map(|d| format!(" until {}", format::date(d)))
                .unwrap_or_default();
            format!(
                "May share {} from {}{until}",
                c.scope.label(),
                format::date(c.starts_on)
            )
        }
    }
}

/// The patient's open alerts, each acknowledged by a person.
#[component]
pub fn PatientAlerts(patient_id: Uuid) -> impl IntoView {
    let auth = use_auth();
    if !auth.can(Permission::TasksRead) {
        return ().into_any();
    }
    let can_ack = auth.can(Permission::TasksWrite);
    let alerts = RwSignal::new(Vec::<Alert>::new());
    let loading = RwSignal::new(true);
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let busy = RwSignal::new(None::<Uuid>);

    spawn_local(async move {
        let query = AlertListQuery {
            patient_id: Some(patient_id),
            acknowledged: Some(false),
            limit: Some(100),
            cursor: None,
        };
        let result = api::list_alerts(&query).await;
        loading.set(false);
        match result {
            Ok(page) => alerts.set(page.items),
            Err(e) => error.set(Some(e)),
        }
    });

    let acknowledge = move |id: Uuid| {
        if busy.get_untracked().is_some() {
            return;
        }
        busy.set(Some(id));
        error.set(None);
        notice.set(None);
        spawn_local(async move {
            let result = api::acknowledge_alert(id).await;
            busy.set(None);
            match result {
                Ok(a) => {
                    alerts.update(|list| list.retain(|x| x.id != id));
                    notice.set(Some(format!("Acknowledged: {}", a.message)));
                    focus_later("sec-alerts".into());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };

    view! {
        <section class="card" aria-labelledby="sec-alerts">
            <h2 id="sec-alerts" tabindex="-1">
                "Open alerts"
                {move || {
                    let n = alerts.with(Vec::len);
                    (n > 0).then(|| view! { <span class="band-count">{format!(" ({n})")}</span> })
                }}
            </h2>
            <div class="banner-slot" role="status">
                {move || notice.get().map(|m| view! { <p class="inline-notice">{m}</p> })}
            </div>
            <ErrorBanner error=error />
            <Show when=move || loading.get()>
                <Loading what="alerts" />
            </Show>
            <Show when=move || !loading.get() && alerts.with(Vec::is_empty)>
                <p class="muted">"No open alerts."</p>
            </Show>
            <ul class="plain-list alert-list">
                <For
                    each=move || alerts.get()
                    key=|a| a.id
                    children=move |a| {
                        let id = a.id;
                        view! {
                            <li class=format!("alert-item severity-{}", a.severity.as_ref())>
                                <div>
                                    <p class="alert-head">
                                        <span class=format!("badge sev-{}", a.severity.as_ref())>
                                            {format::words(a.severity.as_ref())}
                                        </span>
                                        " "
                                        <strong>{a.kind.label()}</strong>
                                        <span class="muted small">
                                            {format!(" · {}", format::datetime(a.created_at))}
                                        </span>
                                    </p>
                                    <p>{a.message.clone()}</p>
                                </div>
                                {can_ack
                                    .then(|| {
                                        view! {
                                            <button
                                                type="button"
                                                class="button small secondary"
                                                disabled=move || busy.get() == Some(id)
                                                on:click=move |_| acknowledge(id)
                                            >
                                                "Acknowledge"
                                            </button>
                                        }
                                    })}
                            </li>
                        }
                    }
                />
            </ul>
        </section>
    }
    .into_any()
}

/// One open task, with a signal of its own so it changes in place.
#[derive(Debug, Clone)]
struct TaskRow {
    id: Uuid,
    task: ArcRwSignal<Task>,
}

/// The patient's open and in-progress tasks, by due time, worked in place.
#[component]
pub fn PatientTasks(
    /// The patient.
    patient_id: Uuid,
    /// Their name, for sentences.
    patient_name: String,
) -> impl IntoView {
    let auth = use_auth();
    if !auth.can(Permission::TasksRead) {
        return ().into_any();
    }
    let can_work = auth.can(Permission::TasksWrite);
    let can_reassign = auth.can(Permission::TasksAssign);
    let directory = expect_context::<Directory>();
    let rows = RwSignal::new(Vec::<TaskRow>::new());
    let loading = RwSignal::new(true);
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let now = use_clock();

    spawn_local(async move {
        let mut all = Vec::new();
        let mut failed = None;
        for status in [TaskStatus::Open, TaskStatus::InProgress] {
            let query = TaskListQuery {
                patient_id: Some(patient_id),
                status: Some(status),
                limit: Some(100),
                ..Default::default()
            };
            match api::list_tasks(&query).await {
                Ok(page) => all.extend(page.items),
                Err(e) => failed = Some(e),
            }
        }
        all.sort_by_key(|t| (t.due_at, t.id));
        loading.set(false);
        now.set(Utc::now());
        rows.set(
            all.into_iter()
                .map(|t| TaskRow {
                    id: t.id,
                    task: ArcRwSignal::new(t),
                })
                .collect(),
        );
        error.set(failed);
    });

    let on_change = Callback::new(move |(task, said): TaskChange| {
        if task.status.is_active() {
            rows.with_untracked(|r| {
                if let Some(row) = r.iter().find(|x| x.id == task.id) {
                    row.task.set(task);
                }
            });
        } else {
            rows.update(|r| r.retain(|x| x.id != task.id));
            notice.set(Some(if said.is_empty() {
                "The task is no longer open.".to_string()
            } else {
                said
            }));
            focus_later("sec-tasks".into());
        }
    });
    let patient_name = StoredValue::new(patient_name);

    view! {
        <section class="card" aria-labelledby="sec-tasks">
            <h2 id="sec-tasks" tabindex="-1">
                "Open tasks"
                {move || {
                    let n = rows.with(Vec::len);
                    (n > 0).then(|| view! { <span class="band-count">{format!(" ({n})")}</span> })
                }}
            </h2>
            <div class="banner-slot" role="status">
                {move || notice.get().map(|m| view! { <p class="inline-notice">{m}</p> })}
            </div>
            <ErrorBanner error=error />
            <Show when=move || loading.get()>
                <Loading what="tasks" />
            </Show>
            <Show when=move || !loading.get() && rows.with(Vec::is_empty)>
                <p class="muted">"No open tasks."</p>
            </Show>
            <ul class="plain-list task-list">
                <For
                    each=move || rows.get()
                    key=|r| r.id
                    children=move |r| {
                        let t = r.task.clone();
                        let task = Signal::derive(move || t.get());
                        let heading = format!("ptask-{}", r.id);
                        let overdue = move || format::is_past_due(task.with(|t| t.due_at), now.get());
                        view! {
                            <li class="task-item" class:overdue=overdue>
                                <article aria-labelledby=heading.clone()>
                                    <h3 id=heading.clone() class="task-title">
                                        {move || task.with(|t| format!("{}: {}", t.kind.label(), t.title))}
                                    </h3>
                                    <p class="task-meta">
                                        <span class="countdown" class:overdue=overdue>
                                            {move || format::due_countdown(task.with(|t| t.due_at), now.get())}
                                        </span>
                                        <Show when=overdue>
                                            " "
                                            <span class="badge tag-overdue">"Overdue"</span>
                                        </Show>
                                        <Show when=move || task.with(|t| t.status == TaskStatus::InProgress)>
                                            " "
                                            <Tag text="In progress" kind="muted" />
                                        </Show>
                                        <span class="muted small">
                                            {move || {
                                                format!(
                                                    " · Assigned to {}",
                                                    directory.care_manager_label(task.with(|t| t.assignee_id)),
                                                )
                                            }}
                                        </span>
                                    </p>
                                    {can_work
                                        .then(|| {
                                            view! {
                                                <TaskActions
                                                    task=task
                                                    patient_name=patient_name.get_value()
                                                    on_change=on_change
                                                    can_reassign=can_reassign
                                                />
                                            }
                                        })}
                                </article>
                            </li>
                        }
                    }
                />
            </ul>
        </section>
    }
    .into_any()
}

/// The care team, with a form to add a member.
#[component]
pub fn CareTeamCard(patient_id: Uuid) -> impl IntoView {
    let auth = use_auth();
    let can_write = auth.can(Permission::PatientsWrite);
    let directory = expect_context::<Directory>();
    let members = RwSignal::new(Vec::<CareTeamMember>::new());
    let loading = RwSignal::new(true);
    let load_error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let adding = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let errors = FormErrors::new();
    let user = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let organization = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let start = RwSignal::new(String::new());
    const FIELDS: &[&str] = &[
        "user_id",
        "name",
        "organization",
        "phone",
        "role",
        "start_date",
        "end_date",
    ];

    spawn_local(async move {
        let result = api::list_care_team(
            patient_id,
            &PageQuery {
                limit: Some(100),
                cursor: None,
            },
        )
        .await;
        loading.set(false);
        match result {
            Ok(page) => members.set(page.items),
            Err(e) => load_error.set(Some(e)),
        }
    });

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

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let user_id = Uuid::parse_str(&user.get_untracked()).ok();
        let Ok(chosen_role) = role.get_untracked().parse::<CareTeamRole>() else {
            errors.show_rules(
                vec![shared::problem::FieldError::new("role", "must be chosen")],
                FIELDS,
            );
            focus_later("ct-role".into());
            return;
        };
        let new = NewCareTeamMember {
            user_id,
            name: if user_id.is_some() {
                None
            } else {
                blank_to_none(name.get_untracked())
            },
            organization: if user_id.is_some() {
                None
            } else {
                blank_to_none(organization.get_untracked())
            },
            phone: blank_to_none(phone.get_untracked()),
            role: chosen_role,
            start_date: start.get_untracked().parse::<NaiveDate>().ok(),
            end_date: None,
        };
        if errors.show_rules(rule_errors(new.check(format::today())), FIELDS) {
            return;
        }
        errors.clear();
        busy.set(true);
        spawn_local(async move {
            let result = api::add_care_team_member(patient_id, &new).await;
            busy.set(false);
            match result {
                Ok(m) => {
                    notice.set(Some(format!(
                        "{} added to the care team as {}.",
                        m.name,
                        m.role.label()
                    )));
                    members.update(|list| list.push(m));
                    for s in [user, name, organization, phone, role, start] {
                        s.set(String::new());
                    }
                    adding.set(false);
                    focus_later("sec-care-team".into());
                }
                Err(e) => errors.show(e, FIELDS),
            }
        });
    };

    let today = format::today();
    view! {
        <section class="card" aria-labelledby="sec-care-team">
            <h2 id="sec-care-team" tabindex="-1">
                "Care team"
            </h2>
            <div class="banner-slot" role="status">
                {move || notice.get().map(|m| view! { <p class="inline-notice">{m}</p> })}
            </div>
            <ErrorBanner error=load_error />
            <Show when=move || loading.get()>
                <Loading what="the care team" />
            </Show>
            <Show when=move || !loading.get() && members.with(Vec::is_empty)>
                <p class="muted">"No care team members recorded."</p>
            </Show>
            <ul class="plain-list member-list">
                <For
                    each=move || members.get()
                    key=|m| (m.id, m.version)
                    children=move |m| {
                        let active = m.active_on(today);
                        let detail = [
                            m.organization.clone(),
                            m.phone.clone(),
                            Some(format!("since {}", format::date(m.start_date))),
                            m.end_date.map(|d| format!("until {}", format::date(d))),
                        ]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(" · ");
                        view! {
                            <li class:inactive=!active>
                                <strong>{m.name.clone()}</strong>
                                " — "
                                {m.role.label()}
                                {(!active).then(|| view! { " " <Tag text="Ended" kind="muted" /> })}
                                <br />
                                <span class="muted small">{detail}</span>
                            </li>
                        }
                    }
                />
            </ul>
            {can_write
                .then(|| {
                    view! {
                        <AddFormToggle label="Add team member" controls="ct-form" first_field="ct-user" open=adding on_toggle=Callback::new(move |_| errors.clear()) class="button small secondary" />
                        <div id="ct-form">
                            <Show when=move || adding.get()>
                                <form class="stack add-form" novalidate on:submit=submit>
                                    <ErrorBanner error=errors.banner />
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
                                            value=name
                                            on_input=Callback::new(move |v| {
                                                name.set(v);
                                                errors.clear_field("name");
                                            })
                                            error=errors.field("name", "Name")
                                        />
                                        <TextField
                                            id="ct-organization"
                                            label="Organization"
                                            value=organization
                                            on_input=Callback::new(move |v| {
                                                organization.set(v);
                                                errors.clear_field("organization");
                                            })
                                            error=errors.field("organization", "Organization")
                                        />
                                    </Show>
                                    <TextField
                                        id="ct-phone"
                                        label="Phone"
                                        input_type="tel"
                                        value=phone
                                        on_input=Callback::new(move |v| {
                                            phone.set(v);
                                            errors.clear_field("phone");
                                        })
                                        error=errors.field("phone", "Phone")
                                    />
                                    <SelectField
                                        id="ct-role"
                                        label="Role on the team"
                                        required=true
                                        value=role
                                        options=role_choices
                                        on_change=Callback::new(move |v| {
                                            role.set(v);
                                            errors.clear_field("role");
                                        })
                                        error=errors.field("role", "Role")
                                    />
                                    <TextField
                                        id="ct-start"
                                        label="Since"
                                        input_type="date"
                                        hint="Today when left empty."
                                        value=start
                                        on_input=Callback::new(move |v| {
                                            start.set(v);
                                            errors.clear_field("start_date");
                                        })
                                        error=errors.field("start_date", "Start date")
                                    />
                                    <div class="form-actions">
                                        <button type="submit" class="button primary" disabled=move || busy.get()>
                                            {move || if busy.get() { "Adding…" } else { "Add to care team" }}
                                        </button>
                                        <button
                                            type="button"
                                            class="button secondary"
                                            on:click=move |_| adding.set(false)
                                        >
                                            "Cancel"
                                        </button>
                                    </div>
                                </form>
                            </Show>
                        </div>
                    }
                })}
        </section>
    }
}

/// The contacts, with a form to add one (and what the patient consented to share).
#[component]
pub fn ContactsCard(patient_id: Uuid) -> impl IntoView {
    let auth = use_auth();
    let can_write = auth.can(Permission::PatientsWrite);
    let contacts = RwSignal::new(Vec::<Contact>::new());
    let loading = RwSignal::new(true);
    let load_error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let adding = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let errors = FormErrors::new();
    let name = RwSignal::new(String::new());
    let relationship = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let emergency = RwSignal::new(false);
    let scope = RwSignal::new(String::new());
    let starts = RwSignal::new(String::new());
    let expires = RwSignal::new(String::new());
    const FIELDS: &[&str] = &[
        "name",
        "relationship",
        "phone",
        "email",
        "consent",
        "consent.starts_on",
        "consent.expires_on",
    ];

    spawn_local(async move {
        let result = api::list_contacts(
            patient_id,
            &PageQuery {
                limit: Some(100),
                cursor: None,
            },
        )
        .await;
        loading.set(false);
        match result {
            Ok(page) => contacts.set(page.items),
            Err(e) => load_error.set(Some(e)),
        }
    });

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

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Ok(rel) = relationship.get_untracked().parse::<Relationship>() else {
            errors.show_rules(
                vec![shared::problem::FieldError::new(
                    "relationship",
                    "must be chosen",
                )],
                FIELDS,
            );
            focus_later("contact-relationship".into());
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
        let mut rules = new.validate().err().unwrap_or_default();
        check_consent(&mut rules, new.consent.as_ref());
        let found = if rules.is_empty() {
            vec![]
        } else {
            shared::validation::field_errors(&rules)
        };
        if errors.show_rules(found, FIELDS) {
            return;
        }
        errors.clear();
        busy.set(true);
        spawn_local(async move {
            let result = api::create_contact(patient_id, &new).await;
            busy.set(false);
            match result {
                Ok(c) => {
                    notice.set(Some(format!("{} added to the contacts.", c.name)));
                    contacts.update(|list| list.push(c));
                    for s in [name, relationship, phone, email, scope, starts, expires] {
                        s.set(String::new());
                    }
                    emergency.set(false);
                    adding.set(false);
                    focus_later("sec-contacts".into());
                }
                Err(e) => errors.show(e, FIELDS),
            }
        });
    };

    view! {
        <section class="card" aria-labelledby="sec-contacts">
            <h2 id="sec-contacts" tabindex="-1">
                "Contacts"
            </h2>
            <div class="banner-slot" role="status">
                {move || notice.get().map(|m| view! { <p class="inline-notice">{m}</p> })}
            </div>
            <ErrorBanner error=load_error />
            <Show when=move || loading.get()>
                <Loading what="contacts" />
            </Show>
            <Show when=move || !loading.get() && contacts.with(Vec::is_empty)>
                <p class="muted">"No contacts recorded."</p>
            </Show>
            <ul class="plain-list member-list">
                <For
                    each=move || contacts.get()
                    key=|c| (c.id, c.version)
                    children=move |c| {
                        let reach = [c.phone.clone(), c.email.clone()]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(" · ");
                        view! {
                            <li class:inactive=!c.active>
                                <strong>{c.name.clone()}</strong>
                                " — "
                                {format::words(c.relationship.as_ref())}
                                {c
                                    .emergency_contact
                                    .then(|| view! { " " <Tag text="Emergency contact" kind="warn" /> })}
                                {(!reach.is_empty())
                                    .then(|| {
                                        view! {
                                            <br />
                                            <span class="small">{reach}</span>
                                        }
                                    })}
                                <br />
                                <span class="muted small">{consent_text(c.consent.as_ref())}</span>
                            </li>
                        }
                    }
                />
            </ul>
            {can_write
                .then(|| {
                    view! {
                        <AddFormToggle label="Add contact" controls="contact-form" first_field="contact-name" open=adding on_toggle=Callback::new(move |_| errors.clear()) class="button small secondary" />
                        <div id="contact-form">
                            <Show when=move || adding.get()>
                                <form class="stack add-form" novalidate on:submit=submit>
                                    <ErrorBanner error=errors.banner />
                                    <TextField
                                        id="contact-name"
                                        label="Name"
                                        required=true
                                        value=name
                                        on_input=Callback::new(move |v| {
                                            name.set(v);
                                            errors.clear_field("name");
                                        })
                                        error=errors.field("name", "Name")
                                    />
                                    <SelectField
                                        id="contact-relationship"
                                        label="Relationship"
                                        required=true
                                        value=relationship
                                        options=relationship_choices
                                        on_change=Callback::new(move |v| {
                                            relationship.set(v);
                                            errors.clear_field("relationship");
                                        })
                                        error=errors.field("relationship", "Relationship")
                                    />
                                    <TextField
                                        id="contact-phone"
                                        label="Phone"
                                        input_type="tel"
                                        value=phone
                                        on_input=Callback::new(move |v| {
                                            phone.set(v);
                                            errors.clear_field("phone");
                                        })
                                        error=errors.field("phone", "Phone")
                                    />
                                    <TextField
                                        id="contact-email"
                                        label="Email"
                                        input_type="email"
                                        value=email
                                        on_input=Callback::new(move |v| {
                                            email.set(v);
                                            errors.clear_field("email");
                                        })
                                        error=errors.field("email", "Email")
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
                                        value=scope
                                        options=scope_choices
                                        on_change=Callback::new(move |v| {
                                            scope.set(v);
                                            errors.clear_field("consent");
                                        })
                                        error=errors.field("consent", "Consent")
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
                                    <div class="form-actions">
                                        <button type="submit" class="button primary" disabled=move || busy.get()>
                                            {move || if busy.get() { "Saving…" } else { "Save contact" }}
                                        </button>
                                        <button
                                            type="button"
                                            class="button secondary"
                                            on:click=move |_| adding.set(false)
                                        >
                                            "Cancel"
                                        </button>
                                    </div>
                                </form>
                            </Show>
                        </div>
                    }
                })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_reads_as_what_may_be_shared_and_until_when() {
        assert_eq!(consent_text(None), "No consent to share information");
        let c = Consent {
            scope: ConsentScope::Appointments,
            starts_on: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            expires_on: NaiveDate::from_ymd_opt(2027, 3, 1),
        };
        assert_eq!(
            consent_text(Some(&c)),
            "May share appointments and logistics from 03/01/2026 until 03/01/2027"
        );
    }
}
