//! The audit trail (admins and supervisors): who did what, to which record,
//! when and from where — newest first.

use chrono::{NaiveDate, TimeZone, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;
use shared::audit::{AuditEvent, AuditQuery};
use shared::auth::Permission;
use uuid::Uuid;

use super::{NotAllowed, PageHeader};
use crate::api::{self, ApiError};
use crate::components::{Choice, ErrorBanner, LoadMore, Loading, SelectField, TextField};
use crate::format;
use crate::state::{Directory, use_auth};

/// Actions people filter by, with their words.
pub const ACTIONS: &[(&str, &str)] = &[
    ("patient.read", "Viewed a patient"),
    ("patient.list", "Listed or searched patients"),
    ("patient.create", "Registered a patient"),
    ("patient.update", "Changed a patient"),
    ("patient.status_change", "Changed a case status"),
    ("user.create", "Added a user"),
    ("user.update", "Changed a user"),
    ("api_key.create", "Created an API key"),
    ("api_key.revoke", "Revoked an API key"),
    ("auth.login", "Signed in"),
    ("auth.login_failed", "Failed sign-in"),
    ("auth.logout", "Signed out"),
    ("auth.refresh_reused", "Reused a refresh token"),
];

/// Words for an action code (the code itself when unknown).
pub fn action_label(action: &str) -> String {
    ACTIONS
        .iter()
        .find(|(a, _)| *a == action)
        .map(|(_, l)| l.to_string())
        .unwrap_or_else(|| action.to_string())
}

/// The query for the chosen filters; `since` is a `YYYY-MM-DD` date (UTC midnight).
pub fn audit_query(
    action: &str,
    user: &str,
    since: &str,
    patient: Option<Uuid>,
    cursor: Option<String>,
) -> AuditQuery {
    AuditQuery {
        patient_id: patient,
        user_id: Uuid::parse_str(user).ok(),
        since: NaiveDate::parse_from_str(since.trim(), "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|dt| Utc.from_utc_datetime(&dt)),
        action: (!action.is_empty()).then(|| action.to_string()),
        limit: Some(50),
        cursor,
    }
}

/// The audit page.
#[component]
pub fn AuditPage() -> impl IntoView {
    super::set_title("Audit trail");
    let auth = use_auth();
    if !auth.can(Permission::AuditRead) {
        return view! { <NotAllowed /> }.into_any();
    }
    let directory = expect_context::<Directory>();
    let query_map = use_query_map();
    let patient = Memo::new(move |_| {
        query_map
            .with(|q| q.get("patient_id"))
            .and_then(|s| Uuid::parse_str(&s).ok())
    });
    let action = RwSignal::new(String::new());
    let user = RwSignal::new(String::new());
    let since = RwSignal::new(String::new());
    let events = RwSignal::new(Vec::<AuditEvent>::new());
    let next_cursor = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    let error = RwSignal::new(None::<ApiError>);
    let generation = StoredValue::new(0u32);

    let load = move |append: bool| {
        let cursor = if append {
            next_cursor.get_untracked()
        } else {
            None
        };
        let q = audit_query(
            &action.get_untracked(),
            &user.get_untracked(),
            &since.get_untracked(),
            patient.get_untracked(),
            cursor,
        );
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::list_audit(&q).await;
            if generation.try_get_value() != Some(mine) {
                return;
            }
            loading.set(false);
            match result {
                Ok(page) => {
                    if append {
                        events.update(|e| e.extend(page.items));
                    } else {
                        events.set(page.items);
                    }
                    next_cursor.set(page.next_cursor);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    Effect::new(move || {
        action.track();
        user.track();
        patient.track();
        // Only whole dates filter.
        let s = since.get();
        if s.is_empty() || NaiveDate::parse_from_str(&s, "%Y-%m-%d").is_ok() {
            load(false);
        }
    });

    let action_choices = std::iter::once((String::new(), "Any action".to_string()))
        .chain(ACTIONS.iter().map(|(a, l)| (a.to_string(), l.to_string())))
        .collect::<Vec<Choice>>();
    let user_choices = Signal::derive(move || {
        std::iter::once((String::new(), "Anyone".to_string()))
            .chain(
                directory
                    .users
                    .get()
                    .into_iter()
                    .map(|u| (u.id.to_string(), u.name)),
            )
            .collect::<Vec<Choice>>()
    });

    view! {
        <PageHeader
            title="Audit trail".to_string()
            subtitle="Every read and change of patient data, sign-ins and administration, newest first."
                .to_string()
        />
        {move || {
            patient
                .get()
                .map(|_| {
                    view! {
                        <div class="banner banner-info">
                            "Showing events for one patient. " <a href="/audit">"Show all events"</a>
                        </div>
                    }
                })
        }}
        <section class="toolbar" aria-label="Filters">
            <div class="filters">
                <SelectField
                    id="audit-action"
                    label="Action"
                    value=action
                    options=Signal::stored(action_choices)
                    on_change=Callback::new(move |v| action.set(v))
                />
                <SelectField
                    id="audit-user"
                    label="Person"
                    value=user
                    options=user_choices
                    on_change=Callback::new(move |v| user.set(v))
                />
                <TextField
                    id="audit-since"
                    label="Since"
                    input_type="date"
                    value=since
                    on_input=Callback::new(move |v| since.set(v))
                />
            </div>
        </section>
        <ErrorBanner error=error />
        <Show when=move || !events.with(Vec::is_empty) fallback=move || view! {
            <Show
                when=move || loading.get()
                fallback=|| view! {
                    <div class="empty-state">
                        <h2>"No events"</h2>
                        <p>"Nothing matches these filters."</p>
                    </div>
                }
            >
                <Loading what="the audit trail" />
            </Show>
        }>
            <div class="table-wrap">
                <table class="data-table responsive-table">
                    <caption class="visually-hidden">"Audit events"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"When"</th>
                            <th scope="col">"Who"</th>
                            <th scope="col">"What"</th>
                            <th scope="col">"Record"</th>
                            <th scope="col">"Patient"</th>
                            <th scope="col">"From"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || events.get()
                            key=|e| e.id
                            children=move |e| {
                                let who = e
                                    .actor_label
                                    .clone()
                                    .unwrap_or_else(|| e.actor_type.as_ref().replace('_', " "));
                                let changed = e
                                    .details
                                    .get("changed")
                                    .and_then(|c| c.as_array())
                                    .map(|c| {
                                        c.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
                                    })
                                    .filter(|s| !s.is_empty());
                                view! {
                                    <tr>
                                        <td data-label="When">{format::datetime(e.occurred_at)}</td>
                                        <td data-label="Who" class="wrap">{who}</td>
                                        <td data-label="What">
                                            {action_label(&e.action)}
                                            {changed.map(|c| view! { <span class="muted small block">{format!("Fields: {c}")}</span> })}
                                        </td>
                                        <td data-label="Record" class="mono small">
                                            {e.resource_type.clone()}
                                        </td>
                                        <td data-label="Patient">
                                            {e
                                                .patient_id
                                                .map(|p| {
                                                    view! { <a href=format!("/patients/{p}")>"Open"</a> }
                                                })}
                                        </td>
                                        <td data-label="From" class="mono small">
                                            {e.client_addr.clone()}
                                        </td>
                                    </tr>
                                }
                            }
                        />
                    </tbody>
                </table>
            </div>
        </Show>
        <LoadMore
            has_more=Signal::derive(move || next_cursor.with(Option::is_some))
            loading=loading
            on_load=Callback::new(move |_| load(true))
            label="Load older events"
        />
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_become_an_audit_query() {
        let id = Uuid::from_u128(3);
        let q = audit_query("patient.read", &id.to_string(), "2026-11-01", None, None);
        assert_eq!(q.action.as_deref(), Some("patient.read"));
        assert_eq!(q.user_id, Some(id));
        assert_eq!(q.since.unwrap().to_rfc3339(), "2026-11-01T00:00:00+00:00");
        let empty = audit_query("", "", "", Some(id), Some("c".into()));
        assert_eq!(empty.action, None);
        assert_eq!(empty.user_id, None);
        assert_eq!(empty.since, None);
        assert_eq!(empty.patient_id, Some(id));
    }

    #[test]
    fn actions_read_as_words() {
        assert_eq!(action_label("patient.update"), "Changed a patient");
        assert_eq!(action_label("something.new"), "something.new");
    }
}
