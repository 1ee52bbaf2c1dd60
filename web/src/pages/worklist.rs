//! A care manager's day: the ranked worklist, grouped by band (safety,
//! transitions of care, missed appointments, everything else by patient
//! risk), overdue work first, each item saying why it is there and counting
//! down to its due time. Items are worked in place; finished, cancelled and
//! reassigned items leave the list.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use shared::auth::Permission;
use shared::ids::{TaskId, UserId};
use shared::tasks::{Task, TaskStatus};
use shared::worklist::WorklistItem;

use super::not_found::NotAllowed;
use crate::client::{self, WorklistQuery};
use crate::components::clock::use_clock;
use crate::components::task_actions::{TaskActions, TaskChange};
use crate::components::{
    Breadcrumb, ErrorBanner, Notice, PageHeader, PagedItems, RiskBadge, Tag, use_paged_list,
};
use crate::dom::{focus_element, set_title};
use crate::format;
use crate::routes::use_path_value;
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
pub fn stays_on_worklist(task: &Task, owner: Option<UserId>) -> bool {
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

/// `3 outreach attempts`.
fn attempts_text(n: i64) -> String {
    format::count(
        usize::try_from(n).unwrap_or(0),
        "outreach attempt",
        "outreach attempts",
    )
}

/// One item, with a signal of its own so it can change in place.
#[derive(Debug, Clone)]
struct Row {
    id: TaskId,
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
    set_title("My worklist");
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
    set_title("Worklist");
    let auth = use_auth();
    if !auth.can(Permission::TeamView) {
        return view! { <NotAllowed /> }.into_any();
    }
    let directory = expect_context::<Directory>();
    let user = use_path_value::<UserId>("user_id");
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
            set_title(&format!("Worklist of {n}"));
        }
    });
    view! {
        <Breadcrumb href="/team" label="Team" current=Signal::derive(name) />
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
    owner: Option<UserId>,
    /// Whose worklist it is (to know when an item leaves it).
    list_owner: Option<UserId>,
) -> impl IntoView {
    let auth = use_auth();
    let can_work = auth.can(Permission::TasksWrite);
    let can_reassign = auth.can(Permission::TasksAssign);
    let notice = RwSignal::new(None::<String>);
    let now = use_clock();
    let list = use_paged_list(PAGE, move |page| async move {
        let result = client::worklist(&WorklistQuery { user_id: owner }, &page).await;
        // Countdowns start from the moment the ranking was made.
        now.set(Utc::now());
        result.map(|p| crate::components::paged_list::map_page(p, Row::new))
    })
    .skip_repeats(|a, b| a.id == b.id);
    list.reload();
    let rows = list.items;

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
            focus_element("worklist-notice");
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
        summary_line(total, overdue, list.has_more())
    };

    view! {
        <div class="worklist-toolbar">
            <p class="result-count" aria-live="polite">
                {summary}
            </p>
            <button
                type="button"
                class="button small ghost"
                disabled=move || list.loading.get()
                on:click=move |_| {
                    notice.set(None);
                    list.reload();
                }
            >
                "Refresh"
            </button>
        </div>
        <Notice message=notice id="worklist-notice" />
        <ErrorBanner error=list.error />

        <PagedItems
            list=list
            what="the worklist"
            more="Load more work"
            empty=|| {
                view! {
                    <div class="empty-state">
                        <h2>"Nothing on this worklist"</h2>
                        <p>
                            "New work arrives here as discharges, missed appointments and other tasks come in."
                        </p>
                    </div>
                }
            }
        >
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
        </PagedItems>
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
                (n, 0) => Some(attempts_text(n)),
                (n, f) => Some(format!("{}, {f} reached no one", attempts_text(n))),
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
    use shared::tasks::TaskKind;
    use uuid::Uuid;

    fn task(status: TaskStatus, assignee: Option<UserId>) -> Task {
        crate::test_support::task(TaskKind::Outreach, status, assignee)
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
        let me = Some(UserId::from(Uuid::from_u128(7)));
        let other = Some(UserId::from(Uuid::from_u128(8)));
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
