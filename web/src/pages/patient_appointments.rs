//! The appointments tab: the list, adding one, and recording what happened
//! (attended, missed, cancelled, rescheduled). A missed appointment puts a
//! follow-up on the care manager's worklist.

use chrono::Utc;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::appointments::{
    Appointment, AppointmentKind, AppointmentListQuery, AppointmentPatch, AppointmentStatus,
    NewAppointment,
};
use shared::auth::Permission;
use shared::problem::FieldError;
use strum::VariantArray;
use uuid::Uuid;
use validator::Validate;

use super::patient::PatientCtx;
use super::patient_encounters::read_moment;
use crate::api::{self, ApiError};
use crate::components::forms::{
    AddFormToggle, FormErrors, choices, focus_later, rule_errors, stale,
};
use crate::components::{ErrorBanner, LoadMore, Loading, SelectField, Tag, TextArea, TextField};
use crate::format;
use crate::state::use_auth;

const FIELDS: &[&str] = &["provider_name", "kind", "scheduled_at", "location", "notes"];

/// The words of the button that records `to`.
pub fn status_action(to: AppointmentStatus) -> &'static str {
    match to {
        AppointmentStatus::Scheduled => "Mark scheduled",
        AppointmentStatus::Attended => "Mark attended",
        AppointmentStatus::Missed => "Mark missed",
        AppointmentStatus::Cancelled => "Mark cancelled",
        AppointmentStatus::Rescheduled => "Mark rescheduled",
    }
}

/// What to say after an appointment's status changed.
pub fn status_notice(a: &Appointment, when: &str) -> String {
    let what = format!(
        "{} appointment with {} {when}",
        format::words(a.kind.label()),
        a.provider_name
    );
    match a.status {
        AppointmentStatus::Missed => format!(
            "Marked missed: {what}. A missed-appointment follow-up is now on the care manager's worklist."
        ),
        other => format!("Marked {}: {what}.", other.label().to_lowercase()),
    }
}

/// The appointments tab.
#[component]
pub fn PatientAppointmentsTab() -> impl IntoView {
    let ctx = expect_context::<PatientCtx>();
    let Some(patient_id) = ctx.id() else {
        return ().into_any();
    };
    super::set_title(&format!("Appointments · {}", ctx.name()));
    let can_write = use_auth().can(Permission::AppointmentsWrite);
    let appointments = RwSignal::new(Vec::<Appointment>::new());
    let next_cursor = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let changing = RwSignal::new(None::<Uuid>);

    let load = move |append: bool| {
        let query = AppointmentListQuery {
            patient_id: Some(patient_id),
            limit: Some(50),
            cursor: if append {
                next_cursor.get_untracked()
            } else {
                None
            },
            ..Default::default()
        };
        loading.set(true);
        spawn_local(async move {
            let result = api::list_appointments(&query).await;
            loading.set(false);
            match result {
                Ok(page) => {
                    if append {
                        appointments.update(|a| a.extend(page.items));
                    } else {
                        appointments.set(page.items);
                    }
                    next_cursor.set(page.next_cursor);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load(false);

    let set_status = move |a: Appointment, to: AppointmentStatus| {
        if changing.get_untracked().is_some() {
            return;
        }
        changing.set(Some(a.id));
        error.set(None);
        notice.set(None);
        let patch = AppointmentPatch {
            status: Some(to),
            version: Some(a.version),
            ..Default::default()
        };
        spawn_local(async move {
            let result = api::update_appointment(a.id, &patch, a.version).await;
            changing.set(None);
            match result {
                Ok(updated) => {
                    notice.set(Some(status_notice(
                        &updated,
                        &format::datetime(updated.scheduled_at),
                    )));
                    appointments.update(|list| {
                        if let Some(slot) = list.iter_mut().find(|x| x.id == updated.id) {
                            *slot = updated;
                        }
                    });
                    focus_later("appointments-notice".into());
                }
                Err(e) if e.is(412) => {
                    error.set(Some(stale("This appointment")));
                    load(false);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };

    // Adding an appointment.
    let adding = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let errors = FormErrors::new();
    let provider = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let scheduled = RwSignal::new(String::new());
    let location = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());

    let add = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let mut found = vec![];
        let kind_value = kind.get_untracked().parse::<AppointmentKind>().ok();
        if kind_value.is_none() {
            found.push(FieldError::new("kind", "must be chosen"));
        }
        let at = read_moment(
            &scheduled.get_untracked(),
            "scheduled_at",
            true,
            format::parse_datetime_local,
        )
        .map_err(|e| found.push(e))
        .ok()
        .flatten();
        let (Some(k), Some(at)) = (kind_value, at) else {
            errors.show_rules(found, FIELDS);
            return;
        };
        let trimmed = |s: RwSignal<String>| {
            let v = s.get_untracked();
            (!v.trim().is_empty()).then(|| v.trim().to_string())
        };
        let new = NewAppointment {
            patient_id,
            provider_name: provider.get_untracked().trim().to_string(),
            kind: k,
            scheduled_at: at,
            location: trimmed(location),
            status: None,
            notes: trimmed(notes),
            external_id: None,
        };
        found.extend(rule_errors(new.validate()));
        if errors.show_rules(found, FIELDS) {
            return;
        }
        errors.clear();
        busy.set(true);
        spawn_local(async move {
            let result = api::create_appointment(&new).await;
            busy.set(false);
            match result {
                Ok(a) => {
                    for s in [provider, kind, scheduled, location, notes] {
                        s.set(String::new());
                    }
                    adding.set(false);
                    notice.set(Some(format!(
                        "Appointment with {} on {} added.",
                        a.provider_name,
                        format::datetime(a.scheduled_at)
                    )));
                    focus_later("appointments-notice".into());
                    load(false);
                }
                Err(e) => errors.show(e, FIELDS),
            }
        });
    };

    let kind_choices = Signal::stored(choices(
        AppointmentKind::VARIANTS,
        |k| format::words(k.label()),
        Some("Choose the kind…"),
    ));
    let now = Utc::now();

    view! {
        <section aria-labelledby="tab-heading">
            <div class="section-head">
                <h2 id="tab-heading">"Appointments"</h2>
                {can_write
                    .then(|| {
                        view! {
                            <AddFormToggle label="Add appointment" controls="appointment-form" first_field="appt-provider" open=adding on_toggle=Callback::new(move |_| errors.clear()) />
                        }
                    })}
            </div>
            <div id="appointments-notice" class="banner-slot" role="status" tabindex="-1">
                {move || notice.get().map(|m| view! { <div class="banner banner-success">{m}</div> })}
            </div>
            <ErrorBanner error=error />
            <div id="appointment-form">
                <Show when=move || adding.get()>
                    <form class="card stack" novalidate on:submit=add aria-labelledby="add-appointment-heading">
                        <h3 id="add-appointment-heading">"Add an appointment"</h3>
                        <ErrorBanner error=errors.banner />
                        <div class="grid grid-2">
                            <TextField
                                id="appt-provider"
                                label="Provider"
                                required=true
                                value=provider
                                on_input=Callback::new(move |v| {
                                    provider.set(v);
                                    errors.clear_field("provider_name");
                                })
                                error=errors.field("provider_name", "Provider")
                            />
                            <SelectField
                                id="appt-kind"
                                label="Kind"
                                required=true
                                value=kind
                                options=kind_choices
                                on_change=Callback::new(move |v| {
                                    kind.set(v);
                                    errors.clear_field("kind");
                                })
                                error=errors.field("kind", "Kind")
                            />
                            <TextField
                                id="appt-at"
                                label="Date and time"
                                input_type="datetime-local"
                                required=true
                                value=scheduled
                                on_input=Callback::new(move |v| {
                                    scheduled.set(v);
                                    errors.clear_field("scheduled_at");
                                })
                                error=errors.field("scheduled_at", "Date and time")
                            />
                            <TextField
                                id="appt-location"
                                label="Location"
                                value=location
                                on_input=Callback::new(move |v| {
                                    location.set(v);
                                    errors.clear_field("location");
                                })
                                error=errors.field("location", "Location")
                            />
                        </div>
                        <TextArea
                            id="appt-notes"
                            label="Notes"
                            value=notes
                            on_input=Callback::new(move |v| {
                                notes.set(v);
                                errors.clear_field("notes");
                            })
                            error=errors.field("notes", "Notes")
                        />
                        <div class="form-actions">
                            <button type="submit" class="button primary" disabled=move || busy.get()>
                                {move || if busy.get() { "Saving…" } else { "Save appointment" }}
                            </button>
                            <button type="button" class="button secondary" on:click=move |_| adding.set(false)>
                                "Cancel"
                            </button>
                        </div>
                    </form>
                </Show>
            </div>

            <Show when=move || loading.get() && appointments.with(Vec::is_empty)>
                <Loading what="appointments" />
            </Show>
            <Show when=move || !loading.get() && appointments.with(Vec::is_empty) && error.with(Option::is_none)>
                <p class="muted">"No appointments recorded."</p>
            </Show>
            <Show when=move || !appointments.with(Vec::is_empty)>
                <div class="table-wrap">
                    <table class="data-table responsive-table">
                        <caption class="visually-hidden">"Appointments"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"When"</th>
                                <th scope="col">"Provider"</th>
                                <th scope="col">"Kind"</th>
                                <th scope="col">"Location"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col">
                                    <span class="visually-hidden">"Actions"</span>
                                </th>
                            </tr>
                        </thead>
                        <tbody>
                            <For
                                each=move || appointments.get()
                                key=|a| (a.id, a.version)
                                children=move |a| {
                                    let when = format::datetime(a.scheduled_at);
                                    let upcoming = a.scheduled_at > now;
                                    let what = format!(
                                        "{} with {}, {when}",
                                        format::words(a.kind.label()),
                                        a.provider_name,
                                    );
                                    let id = a.id;
                                    view! {
                                        <tr>
                                            <th scope="row" data-label="When">
                                                {when.clone()}
                                                {upcoming.then(|| view! { " " <Tag text="Upcoming" kind="muted" /> })}
                                            </th>
                                            <td data-label="Provider">{a.provider_name.clone()}</td>
                                            <td data-label="Kind">{format::words(a.kind.label())}</td>
                                            <td data-label="Location">{a.location.clone().unwrap_or_default()}</td>
                                            <td data-label="Status">
                                                <span class=format!("badge appt-{}", a.status.as_ref())>
                                                    {a.status.label()}
                                                </span>
                                                {a
                                                    .followup_task_id
                                                    .map(|_| view! { " " <Tag text="Follow-up task" kind="warn" /> })}
                                            </td>
                                            <td class="actions stacked-actions">
                                                {can_write
                                                    .then(|| {
                                                        a.status
                                                            .next_statuses()
                                                            .iter()
                                                            .map(|to| {
                                                                let to = *to;
                                                                let a = a.clone();
                                                                view! {
                                                                    <button
                                                                        type="button"
                                                                        class="button small secondary"
                                                                        aria-label=format!("{}: {what}", status_action(to))
                                                                        disabled=move || changing.get() == Some(id)
                                                                        on:click=move |_| set_status(a.clone(), to)
                                                                    >
                                                                        {status_action(to)}
                                                                    </button>
                                                                }
                                                            })
                                                            .collect_view()
                                                    })}
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
                label="Load more appointments"
            />
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::encounters::Source;

    fn appointment(status: AppointmentStatus) -> Appointment {
        let t = "2026-03-02T17:00:00Z".parse().unwrap();
        Appointment {
            id: Uuid::nil(),
            patient_id: Uuid::nil(),
            provider_name: "Dr. Alvarez".into(),
            kind: AppointmentKind::Psychiatry,
            scheduled_at: t,
            location: None,
            status,
            status_changed_at: None,
            notes: None,
            source: Source::Manual,
            external_id: None,
            followup_task_id: None,
            version: 2,
            created_at: t,
            updated_at: t,
        }
    }

    #[test]
    fn a_missed_appointment_says_a_follow_up_is_on_the_worklist() {
        let text = status_notice(&appointment(AppointmentStatus::Missed), "Mar 2");
        assert_eq!(
            text,
            "Marked missed: Psychiatry appointment with Dr. Alvarez Mar 2. A missed-appointment follow-up is now on the care manager's worklist."
        );
        assert_eq!(
            status_notice(&appointment(AppointmentStatus::Attended), "Mar 2"),
            "Marked attended: Psychiatry appointment with Dr. Alvarez Mar 2."
        );
    }

    #[test]
    fn each_next_status_has_a_button() {
        for to in AppointmentStatus::Scheduled.next_statuses() {
            assert!(status_action(*to).starts_with("Mark "));
        }
    }
}
