//! The supervisor's view of the team: every care manager's open, overdue
//! and due-today work and how many transition follow-ups they finished
//! within 24 hours; a name opens that person's worklist.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Permission;
use shared::organization::Workload;

use super::{NotAllowed, PageHeader};
use crate::api::{self, ApiError, PageQuery};
use crate::components::{ErrorBanner, LoadMore, Loading};
use crate::format;
use crate::state::use_auth;

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

/// The team page.
#[component]
pub fn TeamPage() -> impl IntoView {
    super::set_title("Team");
    let auth = use_auth();
    if !auth.can(Permission::TeamView) {
        return view! { <NotAllowed /> }.into_any();
    }
    let me = auth.me().map(|m| m.id);
    let rows = RwSignal::new(Vec::<Workload>::new());
    let next_cursor = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    let error = RwSignal::new(None::<ApiError>);
    let generation = StoredValue::new(0u32);

    let load = move |append: bool| {
        let query = PageQuery {
            limit: Some(50),
            cursor: if append {
                next_cursor.get_untracked()
            } else {
                None
            },
        };
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::team_workload(&query).await;
            if generation.try_get_value() != Some(mine) {
                return;
            }
            loading.set(false);
            match result {
                Ok(page) => {
                    if append {
                        rows.update(|r| r.extend(page.items));
                    } else {
                        rows.set(page.items);
                    }
                    next_cursor.set(page.next_cursor);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load(false);

    let totals = move || {
        rows.with(|r| {
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
        <ErrorBanner error=error />
        <p class="result-count" aria-live="polite">
            {totals}
        </p>
        <Show
            when=move || !rows.with(Vec::is_empty)
            fallback=move || {
                view! {
                    <Show when=move || loading.get()>
                        <Loading what="the team's workload" />
                    </Show>
                }
            }
        >
            <div class="table-wrap">
                <table class="data-table responsive-table team-table">
                    <caption class="visually-hidden">"Workload by person"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Role"</th>
                            <th scope="col" class="num">"Active patients"</th>
                            <th scope="col" class="num">"Open tasks"</th>
                            <th scope="col" class="num">"Overdue"</th>
                            <th scope="col" class="num">"Due today"</th>
                            <th scope="col">"Transition follow-ups within 24 h (30 days)"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || rows.get()
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
                    </tbody>
                </table>
            </div>
        </Show>
        <LoadMore
            has_more=Signal::derive(move || next_cursor.with(Option::is_some))
            loading=loading
            on_load=Callback::new(move |_| load(true))
            label="Load more people"
        />
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::auth::Role;
    use uuid::Uuid;

    fn load(done: i64, on_time: i64, percent: Option<u8>) -> Workload {
        Workload {
            user_id: Uuid::nil(),
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
