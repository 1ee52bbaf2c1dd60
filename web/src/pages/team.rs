//! The supervisor's view of the team: every care manager's open, overdue
//! and due-today work and how many transition follow-ups they finished
//! within 24 hours; a name opens that person's worklist.

use leptos::prelude::*;
use shared::auth::Permission;
use shared::organization::Workload;

use super::not_found::NotAllowed;
use crate::client;
use crate::components::{Column, ErrorBanner, PageHeader, PagedTable, use_paged_list};
use crate::dom::set_title;
use crate::format;
use crate::state::use_auth;

/// People per page.
const PAGE: i64 = 50;

/// The on-time share of transition follow-ups, in words.
pub fn on_time_text(w: &Workload) -> String {
    match w.transition_on_time_percent {
        Some(p) => format!(
            "{p}% ({} of {})",
            w.transition_followups_on_time, w.transition_followups_done
        ),
        None => "None finished".to_string(),
    }
}

/// The workload table's columns.
const COLUMNS: &[Column] = &[
    Column::Text("Name"),
    Column::Text("Role"),
    Column::Count("Active patients"),
    Column::Count("Open tasks"),
    Column::Count("Overdue"),
    Column::Count("Due today"),
    Column::Text("Transition follow-ups within 24 h (30 days)"),
];

/// The team page.
#[component]
pub fn TeamPage() -> impl IntoView {
    set_title("Team");
    let auth = use_auth();
    if !auth.can(Permission::TeamView) {
        return view! { <NotAllowed /> }.into_any();
    }
    let me = auth.me().map(|m| m.id);
    let list = use_paged_list(
        PAGE,
        |page| async move { client::team_workload(&page).await },
    );
    list.reload();

    let totals = move || {
        list.items.with(|r| {
            let open: i64 = r.iter().map(|w| w.open_tasks).sum();
            let overdue: i64 = r.iter().map(|w| w.overdue_tasks).sum();
            let today: i64 = r.iter().map(|w| w.due_today).sum();
            if r.is_empty() {
                String::new()
            } else {
                format!(
                    "{}: {open} open tasks, {overdue} overdue, {today} due today.",
                    format::count(r.len(), "person", "people")
                )
            }
        })
    };

    view! {
        <PageHeader
            title="Team".to_string()
            subtitle="Open work per care manager and supervisor. Open someone's worklist to see their work and reassign it."
                .to_string()
        />
        <ErrorBanner error=list.error />
        <p class="result-count" aria-live="polite">
            {totals}
        </p>
        <PagedTable
            list=list
            what="the team's workload"
            more="Load more people"
            caption="Workload by person"
            columns=COLUMNS
            class="team-table"
        >
            <For
                each=move || list.items.get()
                key=|w| w.user_id
                children=move |w| {
                    let href = format!("/team/{}", w.user_id);
                    let you = Some(w.user_id) == me;
                    let on_time = on_time_text(&w);
                    view! {
                        <tr>
                            <th scope="row" data-label="Name">
                                <a href=href class="row-link">
                                    {w.name.clone()}
                                </a>
                                {you.then(|| view! { <span class="muted small">" (you)"</span> })}
                            </th>
                            <td data-label="Role">{w.role.label()}</td>
                            <td data-label="Active patients" class="num">
                                {w.active_patients}
                            </td>
                            <td data-label="Open tasks" class="num">
                                {w.open_tasks}
                            </td>
                            <td
                                data-label="Overdue"
                                class="num"
                                class:count-alert={w.overdue_tasks > 0}
                            >
                                {w.overdue_tasks}
                            </td>
                            <td data-label="Due today" class="num">
                                {w.due_today}
                            </td>
                            <td data-label="Follow-ups within 24 h">{on_time}</td>
                        </tr>
                    }
                }
            />
        </PagedTable>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::auth::Role;
    use shared::ids::UserId;

    fn load(done: i64, on_time: i64, percent: Option<u8>) -> Workload {
        Workload {
            user_id: UserId::default(),
            name: "Casey".into(),
            role: Role::CareManager,
            active_patients: 40,
            open_tasks: 12,
            overdue_tasks: 3,
            due_today: 2,
            transition_followups_done: done,
            transition_followups_on_time: on_time,
            transition_on_time_percent: percent,
        }
    }

    #[test]
    fn the_on_time_share_shows_the_counts_behind_it() {
        assert_eq!(on_time_text(&load(5, 4, Some(80))), "80% (4 of 5)");
        assert_eq!(on_time_text(&load(0, 0, None)), "None finished");
    }
}
