//! The referral board: a care manager's open referrals grouped by status in
//! lifecycle order, overdue ones marked in words with the reason they are
//! overdue. Supervisors and admins may look at someone else's board, or at
//! everyone's.

use leptos::prelude::*;
use shared::auth::Permission;
use shared::referral::{Referral, ReferralPriority, ReferralQuery};

use super::model::{BOARD_STATUSES, board_hint, open_barriers_text, referral_href};
use crate::client;
use crate::components::{
    Choice, ErrorBanner, PageHeader, PagedItems, SelectField, Tag, use_paged_list,
};
use crate::dom::set_title;
use crate::format;
use crate::pages::not_found::NotAllowed;
use crate::state::{CareManagerFilter, Directory, use_auth};

/// Referrals per page.
const PAGE: i64 = 100;

/// The API's filters for a board of `whose` open referrals.
pub fn board_query(whose: CareManagerFilter) -> ReferralQuery {
    ReferralQuery {
        care_manager_id: match whose {
            CareManagerFilter::Anyone => None,
            CareManagerFilter::Mine => Some("me".to_string()),
            CareManagerFilter::Person(id) => Some(id.to_string()),
        },
        open: Some(true),
        ..Default::default()
    }
}

/// The line over the board: how many referrals are open and how many late.
pub fn board_summary(total: usize, overdue: usize, more: bool) -> String {
    if total == 0 {
        return String::new();
    }
    let open = format::count(total, "open referral", "open referrals");
    let late = if overdue == 0 {
        "none overdue".to_string()
    } else {
        format!("{overdue} overdue")
    };
    if more {
        format!("Showing the first {open} ({late} so far)")
    } else {
        format!("{open}, {late}")
    }
}

/// The referral board.
#[component]
pub fn ReferralBoardPage() -> impl IntoView {
    set_title("Referrals");
    let auth = use_auth();
    if !auth.can(Permission::PatientsRead) {
        return view! { <NotAllowed /> }.into_any();
    }
    let directory = expect_context::<Directory>();
    let carries_caseload = auth.me().is_some_and(|m| m.role.can_carry_caseload());
    let sees_team = auth.can(Permission::TeamView);
    let me_id = auth.me().map(|m| m.id);
    let whose = RwSignal::new(if carries_caseload {
        CareManagerFilter::Mine
    } else {
        CareManagerFilter::Anyone
    });
    let list = use_paged_list(PAGE, move |page| {
        let query = board_query(whose.get_untracked());
        async move { client::list_referrals(&query, &page).await }
    })
    .skip_repeats(|a, b| a.id == b.id);
    Effect::new(move || {
        whose.track();
        list.reload();
    });

    let whose_choices = Signal::derive(move || {
        let mut out: Vec<Choice> = Vec::new();
        if carries_caseload {
            out.push(("mine".into(), "My patients".into()));
        }
        out.push((String::new(), "Everyone's patients".into()));
        if sees_team {
            out.extend(
                directory
                    .caseload_carriers()
                    .into_iter()
                    .filter(|u| Some(u.id) != me_id)
                    .map(|u| (u.id.to_string(), u.name)),
            );
        }
        out
    });
    let summary = move || {
        list.items.with(|r| {
            let late = r.iter().filter(|x| x.overdue.is_some()).count();
            board_summary(r.len(), late, list.has_more())
        })
    };

    view! {
        <PageHeader
            title="Referrals".to_string()
            subtitle="Open referrals by where they stand. Overdue ones say why; close each loop once the service is given or refused."
                .to_string()
        />
        <section class="toolbar" aria-label="Whose referrals">
            <div class="filters">
                <SelectField
                    id="board-whose"
                    label="Whose referrals"
                    value=Signal::derive(move || whose.get().as_value())
                    options=whose_choices
                    on_change=Callback::new(move |v: String| whose.set(CareManagerFilter::from_value(&v)))
                />
                <div class="field clear-field">
                    <button
                        type="button"
                        class="button ghost"
                        disabled=move || list.loading.get()
                        on:click=move |_| list.reload()
                    >
                        "Refresh"
                    </button>
                </div>
            </div>
        </section>
        <ErrorBanner error=list.error />
        <p class="result-count" aria-live="polite">
            {summary}
        </p>
        <PagedItems
            list=list
            what="referrals"
            more="Load more referrals"
            empty=|| {
                view! {
                    <div class="empty-state">
                        <h2>"No open referrals"</h2>
                        <p>"Referrals drafted from a patient's Referrals tab show here until their loop is closed."</p>
                    </div>
                }
            }
        >
            {BOARD_STATUSES
                .into_iter()
                .map(|status| {
                    let heading = format!("board-{}-heading", status.as_ref());
                    let in_group = move || {
                        list.items
                            .with(|r| r.iter().filter(|x| x.status == status).cloned().collect::<Vec<_>>())
                    };
                    let count = move || list.items.with(|r| r.iter().filter(|x| x.status == status).count());
                    view! {
                        <Show when=move || { count() > 0 }>
                            <section
                                class="band"
                                aria-labelledby=heading.clone()
                                data-status=status.as_ref().to_string()
                            >
                                <h2 id=heading.clone()>
                                    {status.label()}
                                    <span class="band-count">{move || format!(" ({})", count())}</span>
                                </h2>
                                <p class="band-hint">{board_hint(status)}</p>
                                <ol class="worklist">
                                    <For
                                        each=in_group
                                        key=|r| (r.id, r.version)
                                        children=|r| view! { <BoardItem referral=r /> }
                                    />
                                </ol>
                            </section>
                        </Show>
                    }
                })
                .collect_view()}
        </PagedItems>
    }
    .into_any()
}

/// One referral on the board.
#[component]
fn BoardItem(
    /// The referral.
    referral: Referral,
) -> impl IntoView {
    let r = referral;
    let heading_id = format!("referral-{}", r.id);
    let labelled_by = heading_id.clone();
    let overdue = r.overdue.clone();
    let late = overdue.is_some();
    let barriers = open_barriers_text(&r);
    let priority = (r.priority != ReferralPriority::Routine).then(|| {
        view! { <Tag text=format!("{} priority", r.priority.label()) kind="warn" /> }
    });
    view! {
        <li
            class="work-item"
            class:overdue=late
            data-overdue=if late { "true" } else { "false" }
            data-testid="board-item"
        >
            <article aria-labelledby=labelled_by>
                <div class="work-item-head">
                    <div class="work-item-main">
                        <p class="work-kind">{format!("{} referral", r.service.label())}</p>
                        <h3 id=heading_id class="work-patient">
                            <a href=referral_href(r.id)>{r.patient.name.clone()}</a>
                        </h3>
                        <p class="work-title">{format!("To {}", r.provider_name)}</p>
                    </div>
                    <div class="work-item-due">
                        <p class="work-tags">
                            {late.then(|| view! { <span class="badge tag-overdue">"Overdue"</span> })}
                            {priority}
                        </p>
                        <p class="muted small">{format!("Due {}", format::date(r.due_date))}</p>
                    </div>
                </div>
                {overdue
                    .map(|why| {
                        view! {
                            <p class="reason">
                                <strong>"Overdue: "</strong>
                                {why}
                            </p>
                        }
                    })}
                {barriers.map(|b| view! { <p class="small count-alert">{b}</p> })}
            </article>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::ids::UserId;
    use uuid::Uuid;

    #[test]
    fn a_board_asks_for_open_referrals_of_me_someone_or_everyone() {
        let mine = board_query(CareManagerFilter::Mine);
        assert_eq!(mine.care_manager_id.as_deref(), Some("me"));
        assert_eq!(mine.open, Some(true));
        let id = UserId::from(Uuid::from_u128(4));
        assert_eq!(
            board_query(CareManagerFilter::Person(id)).care_manager_id,
            Some(id.to_string())
        );
        assert_eq!(board_query(CareManagerFilter::Anyone).care_manager_id, None);
    }

    #[test]
    fn the_summary_counts_open_and_overdue_referrals() {
        assert_eq!(board_summary(0, 0, false), "");
        assert_eq!(board_summary(1, 0, false), "1 open referral, none overdue");
        assert_eq!(board_summary(9, 2, false), "9 open referrals, 2 overdue");
        assert_eq!(
            board_summary(100, 7, true),
            "Showing the first 100 open referrals (7 overdue so far)"
        );
    }
}
