//! The table of a patient's appointments.

use chrono::Utc;
use leptos::prelude::*;
use shared::appointments::Appointment;

use super::row_actions::{StatusChanges, status_buttons};
use crate::components::{Column, PagedList, PagedTable, Tag};
use crate::format;

/// The appointment table's columns.
const COLUMNS: &[Column] = &[
    Column::Text("When"),
    Column::Text("Provider"),
    Column::Text("Kind"),
    Column::Text("Location"),
    Column::Text("Status"),
    Column::Actions,
];

/// The appointments, each with buttons for what happened (when `can_write`).
#[component]
pub fn AppointmentTable(
    /// The appointments.
    list: PagedList<Appointment>,
    /// Whether the person may record what happened.
    can_write: bool,
    /// How the rows change statuses.
    changes: StatusChanges,
) -> impl IntoView {
    let now = Utc::now();
    view! {
        <PagedTable
            list=list
            what="appointments"
            more="Load more appointments"
            empty=|| view! { <p class="muted">"No appointments recorded."</p> }
            caption="Appointments"
            columns=COLUMNS
        >
            <For
                each=move || list.items.get()
                key=|a| (a.id, a.version)
                children=move |a| {
                    let when = format::datetime(a.scheduled_at);
                    let upcoming = a.scheduled_at > now;
                    let what = format!(
                        "{} with {}, {when}",
                        format::words(a.kind.label()),
                        a.provider_name,
                    );
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
                                {can_write.then(|| status_buttons(&a, changes, &what))}
                            </td>
                        </tr>
                    }
                }
            />
        </PagedTable>
    }
}
