//! A care manager's day: the ranked worklist, grouped by band (safety,
//! transitions of care, missed appointments, everything else by patient
//! risk), overdue work first, each item saying why it is there and counting
//! down to its due time. Items are worked in place; finished, cancelled and
//! reassigned items leave the list.

use chrono::{DateTime, Utc};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use shared::auth::Permission;
use shared::tasks::{Task, TaskStatus};
use shared::worklist::WorklistItem;
use uuid::Uuid;

use super::{NotAllowed, PageHeader};
use crate::api::{self, ApiError, WorklistQuery};
use crate::components::clock::use_clock;
use crate::components::task_actions::{TaskActions, TaskChange};
use crate::components::{ErrorBanner, LoadMore, Loading, RiskBadge, Tag};
use crate::format;
use crate::state::{Directory, use_auth};

/// Worklist page size.
const PAGE: i64 = 50;

/// The bands, in order.
pub const BANDS: [u8; 4] = [1, 2, 3, 4];

/// A band's heading.
pub fn band_title(band: u8) -> &'static str {
    match band {
        1 => "Safety follow-ups",
        2 => "Hospital, ED and crisis-center follow-ups",
        3 => "Missed-appointment follow-ups",
        _ => "Other work, by patient risk",
    }
}

/// What a band holds, in a sentence.
pub fn band_hint(band: u8) -> &'static str {
    match band {
        1 => "Positive suicide-risk screens: reach the patient today.",
        2 => "Transitions of care: reach the patient within 24 hours of discharge.",
        3 => "Reach the patient by the next business day after a missed appointment.",
        _ => {
            "Referrals, screenings, care plan reviews and other work; highest-risk patients first."
        }
    }
}

/// Whether a task still belongs on `owner`'s worklist.
pub fn stays_on_worklist(task: &Task, owner: Option<Uuid>) -> bool {
    task.status.is_active() && (owner.is_none() || task.assignee_id == owner)
}

/// The line over the list: how much there is and how much is late.
pub fn summary_line(total: usize, overdue: usize, more: bool) -> String {
    if total == 0 {
        return String::new();
    }
    let tasks = format::count(total, "open task", "open tasks");
    let late = if overdue == 0 {
        "none overdue".to_string()
    } else {
        format!("{overdue} overdue")
    };
    if more {
        format!("Showing the first {tasks} ({late} so far)")
    } else {
        format!("{tasks}, {late}")
    }
}

/// One item, with a signal of its own so it can change in place.
#[derive(Debug, Clone)]
struct Row {
    id: Uuid,
    band: u8,
    item: ArcRwSignal<WorklistItem>,
}

impl Row {
    fn new(item: WorklistItem) -> Self {
        Row {
            id: item.task.id,
            band: item.band,
            item: ArcRwSignal::new(item),
        }
    }
}

/// "My worklist".
#[component]
pub fn WorklistPage() -> impl IntoView {
    super::set_title("My worklist");
    let auth = use_auth();
    if !auth.can(Permission::TasksRead) {
        return view! { <NotAllowed /> }.into_any();
    }
    let me = auth.me().map(|m| m.id);
    view! {
        <PageHeader
            title="My worklist".to_string()
            subtitle="Safety first, then transitions of care, missed appointments, and everything else by patient risk. Overdue work comes first in each group."
                .to_string()
        />
        <WorklistView owner=None list_owner=me />
    }
    .into_any()
}

/// Someone else's worklist (supervisors), from the team page.
#[component]
pub fn MemberWorklistPage() -> impl IntoView {
    super::set_title("Worklist");
    let auth = use_auth();
    if !auth.can(Permission::TeamView) {
        return view! { <NotAllowed /> }.into_any();
    }
    let directory = expect_context::<Directory>();
    let params = use_params_map();
    let user = Memo::new(move |_| {
        params
            .with(|p| p.get("user_id"))
            .and_then(|s| Uuid::parse_str(&s).ok())
    });
    let name = move || {
        user.get()
            .map(|u| {
                directory
                    .name_of(u)
                    .unwrap_or_else(|| "Care manager".into())
            })
            .unwrap_or_default()
    };
    Effect::new(move || {
        let n = name();
        if !n.is_empty() {
            super::set_title(&format!("Worklist of {n}"));
        }
    });
    view! {
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <a href="/team">"Team"</a>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">{name}</span>
        </nav>
        <PageHeader
            title=Signal::derive(move || format!("Worklist of {}", name()))
            subtitle="In worklist order. Reassign work to balance the team's load.".to_string()
        />
        {move || match user.get() {
            Some(u) => view! { <WorklistView owner=Some(u) list_owner=Some(u) /> }.into_any(),
            None => {
                view! {
                    <div class="banner banner-error" role="alert">
                        <p class="banner-title">"Not found"</p>
                        <p>"There is no care manager at this address."</p>
                    </div>
                }
                    .into_any()
            }
        }}
    }
    .into_any()
}

/// The list itself: loading, bands, working items, paging.
#[component]
fn WorklistView(
    /// Whose worklist to ask for (`None`: the signed-in person's).
    owner: Option<Uuid>,
    /// Whose worklist it is (to know when an item leaves it).
    list_owner: Option<Uuid>,
) -> impl IntoView {
    let auth = use_auth();
    let can_work = auth.can(Permission::TasksWrite);
    let can_reassign = auth.can(Permission::TasksAssign);
    let rows = RwSignal::new(Vec::<Row>::new());
    let next_cursor = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let generation = StoredValue::new(0u32);
    let now = use_clock();
    let notice_ref = NodeRef::<html::Div>::new();

    let load = move |append: bool| {
        let query = WorklistQuery {
            user_id: owner,
            limit: Some(PAGE),
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
            let result = api::worklist(&query).await;
            if generation.try_get_value() != Some(mine) {
                return;
            }
            loading.set(false);
            now.set(Utc::now());
            match result {
                Ok(page) => {
                    let fresh = page.items.into_iter().map(Row::new);
                    if append {
                        rows.update(|r| {
                            for row in fresh {
                                if !r.iter().any(|x| x.id == row.id) {
                                    r.push(row);
                                }
                            }
                        });
                    } else {
                        rows.set(fresh.collect());
                    }
                    next_cursor.set(page.next_cursor);
                    loaded.set(true);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load(false);

    let on_change = Callback::new(move |(task, said): TaskChange| {
        if stays_on_worklist(&task, list_owner) {
            rows.with_untracked(|r| {
                if let Some(row) = r.iter().find(|x| x.id == task.id) {
                    row.item.update(|i| i.task = task);
                }
            });
        } else {
            rows.update(|r| r.retain(|x| x.id != task.id));
            notice.set(Some(if said.is_empty() {
                "The task has left this worklist.".to_string()
            } else {
                said
            }));
            if let Some(el) = notice_ref.get_untracked() {
                let _ = el.focus();
            }
        }
    });

    let summary = move || {
        let (total, overdue) = rows.with(|r| {
            let t = now.get();
            let late = r
                .iter()
                .filter(|x| x.item.with(|i| format::is_past_due(i.task.due_at, t)))
                .count();
            (r.len(), late)
        });
        summary_line(total, overdue, next_cursor.with(Option::is_some))
    };

    view! {
        <div class="worklist-toolbar">
            <p class="result-count" aria-live="polite">
                {summary}
            </p>
            <button
                type="button"
                class="button small ghost"
                disabled=move || loading.get()
                on:click=move |_| {
                    notice.set(None);
                    load(false);
                }
            >
                "Refresh"
            </button>
        </div>
        <div class="banner-slot" role="status" tabindex="-1" node_ref=notice_ref>
            {move || notice.get().map(|m| view! { <div class="banner banner-success">{m}</div> })}
        </div>
        <ErrorBanner error=error />

        <Show when=move || loading.get() && !loaded.get()>
            <Loading what="the worklist" />
        </Show>

        {BANDS
            .into_iter()
            .map(|band| {
                let heading = format!("band-{band}-heading");
                let in_band = move || {
                    rows.with(|r| r.iter().filter(|x| x.band == band).cloned().collect::<Vec<_>>())
                };
                let count = move || rows.with(|r| r.iter().filter(|x| x.band == band).count());
                view! {
                    <Show when=move || { count() > 0 }>
                        <section
                            class=format!("band band-{band}")
                            aria-labelledby=heading.clone()
                            data-band=band
                        >
                            <h2 id=heading.clone()>
                                {band_title(band)}
                                <span class="band-count">
                                    {move || format!(" ({})", count())}
                                </span>
                            </h2>
                            <p class="band-hint">{band_hint(band)}</p>
                            <ol class="worklist">
                                <For
                                    each=in_band
                                    key=|row| row.id
                                    children=move |row| {
                                        view! {
                                            <WorkItem
                                                item=row.item
                                                now=now
                                                can_work=can_work
                                                can_reassign=can_reassign
                                                on_change=on_change
                                            />
                                        }
                                    }
                                />
                            </ol>
                        </section>
                    </Show>
                }
            })
            .collect_view()}

        <Show when=move || loaded.get() && rows.with(Vec::is_empty) && error.with(Option::is_none)>
            <div class="empty-state">
                <h2>"Nothing on this worklist"</h2>
                <p>
                    "New work arrives here as discharges, missed appointments and other tasks come in."
                </p>
            </div>
        </Show>

        <LoadMore
            has_more=Signal::derive(move || next_cursor.with(Option::is_some))
            loading=loading
            on_load=Callback::new(move |_| load(true))
            label="Load more work"
        />
    }
}

/// One item of the worklist.
#[component]
fn WorkItem(
    item: ArcRwSignal<WorklistItem>,
    now: RwSignal<DateTime<Utc>>,
    can_work: bool,
    can_reassign: bool,
    on_change: Callback<TaskChange>,
) -> impl IntoView {
    let first = item.get_untracked();
    let id = first.task.id;
    let heading_id = format!("work-{id}");
    let patient_href = format!("/patients/{}", first.patient.id);
    let task = Signal::derive({
        let item = item.clone();
        move || item.with(|i| i.task.clone())
    });
    let due = move || task.with(|t| t.due_at);
    let overdue = move || format::is_past_due(due(), now.get());
    let countdown = move || format::due_countdown(due(), now.get());
    let status = move || task.with(|t| t.status);
    let attempts = move || {
        task.with(
            |t| match (t.outreach_attempts, t.failed_outreach_attempts) {
                (0, _) => None,
                (n, 0) => Some(format::count(
                    n as usize,
                    "outreach attempt",
                    "outreach attempts",
                )),
                (n, f) => Some(format!(
                    "{}, {f} reached no one",
                    format::count(n as usize, "outreach attempt", "outreach attempts")
                )),
            },
        )
    };
    let reason = {
        let item = item.clone();
        move || item.with(|i| i.reason.clone())
    };
    let suggestion = {
        let item = item.clone();
        move || item.with(|i| i.suggestion.clone())
    };
    view! {
        <li
            class="work-item"
            class:overdue=overdue
            data-overdue=move || if overdue() { "true" } else { "false" }
            data-risk=first.patient.risk_level.as_ref().to_string()
        >
            <article aria-labelledby=heading_id.clone()>
                <div class="work-item-head">
                    <div class="work-item-main">
                        <p class="work-kind">{first.task.kind.label()}</p>
                        <h3 id=heading_id.clone() class="work-patient">
                            <a href=patient_href>{first.patient.name.clone()}</a>
                        </h3>
                        <p class="work-title">{move || task.with(|t| t.title.clone())}</p>
                    </div>
                    <div class="work-item-due">
                        <p class="work-tags">
                            <RiskBadge level=first.patient.risk_level long=true />
                            <Show when=overdue>
                                <span class="badge tag-overdue">"Overdue"</span>
                            </Show>
                            <Show when=move || status() == TaskStatus::InProgress>
                                <Tag text="In progress" kind="muted" />
                            </Show>
                        </p>
                        <p class="countdown" class:overdue=overdue>
                            {countdown}
                        </p>
                        <p class="muted small">{move || format!("Due {}", format::datetime(due()))}</p>
                    </div>
                </div>
                <p class="reason">{reason}</p>
                {move || {
                    suggestion()
                        .map(|s| {
                            view! {
                                <p class="suggestion">
                                    <strong>"Suggestion: "</strong>
                                    {s}
                                </p>
                            }
                        })
                }}
                {move || attempts().map(|a| view! { <p class="muted small">{a}</p> })}
                {can_work
                    .then(|| {
                        view! {
                            <TaskActions
                                task=task
                                patient_name=first.patient.name.clone()
                                on_change=on_change
                                can_reassign=can_reassign
                            />
                        }
                    })}
            </article>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::tasks::{Priority, TaskKind};

    fn task(status: TaskStatus, assignee: Option<Uuid>) -> Task {
        let t: DateTime<Utc> = "2026-03-02T18:00:00Z".parse().unwrap();
        Task {
            id: Uuid::from_u128(1),
            patient_id: Uuid::from_u128(2),
            assignee_id: assignee,
            kind: TaskKind::Outreach,
            title: "Call".into(),
            details: None,
            due_at: t,
            priority: Priority::Normal,
            status,
            outcome: None,
            transition_outcome: None,
            cancel_reason: None,
            source_type: "manual".into(),
            source_id: None,
            context: None,
            outreach_attempts: 0,
            failed_outreach_attempts: 0,
            created_by: None,
            completed_at: None,
            completed_by: None,
            version: 1,
            created_at: t,
            updated_at: t,
        }
    }

    #[test]
    fn the_bands_have_distinct_headings_in_worklist_order() {
        let titles: Vec<_> = BANDS.iter().map(|b| band_title(*b)).collect();
        assert_eq!(titles[0], "Safety follow-ups");
        assert!(titles[1].starts_with("Hospital"));
        assert!(titles[2].starts_with("Missed-appointment"));
        let mut unique = titles.clone();
        unique.dedup();
        assert_eq!(unique.len(), 4);
    }

    #[test]
    fn finished_cancelled_and_reassigned_work_leaves_the_list() {
        let me = Some(Uuid::from_u128(7));
        let other = Some(Uuid::from_u128(8));
        assert!(stays_on_worklist(&task(TaskStatus::InProgress, me), me));
        assert!(!stays_on_worklist(&task(TaskStatus::Done, me), me));
        assert!(!stays_on_worklist(&task(TaskStatus::Cancelled, me), me));
        assert!(!stays_on_worklist(&task(TaskStatus::Open, other), me));
        assert!(stays_on_worklist(&task(TaskStatus::Open, other), None));
    }

    #[test]
    fn the_summary_counts_open_and_overdue_work() {
        assert_eq!(summary_line(0, 0, false), "");
        assert_eq!(summary_line(1, 0, false), "1 open task, none overdue");
        assert_eq!(summary_line(12, 3, false), "12 open tasks, 3 overdue");
        assert_eq!(
            summary_line(50, 7, true),
            "Showing the first 50 open tasks (7 overdue so far)"
        );
    }
}
