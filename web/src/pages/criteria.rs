//! The medical-necessity criteria configured per service (admins): each
//! service's conditions in words — those that must all hold and those of
//! which one must — and the alternatives offered when they are not met.
//! They are set through `PUT /api/v1/service-criteria/{service}`.

use leptos::prelude::*;
use shared::auth::Permission;
use shared::necessity::{Condition, ServiceCriteria};

use super::not_found::NotAllowed;
use crate::client;
use crate::components::{Breadcrumb, ErrorBanner, PageHeader, PagedItems, use_paged_list};
use crate::dom::set_title;
use crate::format;

/// Services per page.
const PAGE: i64 = 50;

/// Conditions in words, one per line.
pub fn condition_lines(conditions: &[Condition]) -> Vec<String> {
    conditions.iter().map(Condition::describe).collect()
}

/// The criteria page.
#[component]
pub fn CriteriaPage() -> impl IntoView {
    set_title("Medical-necessity criteria");
    if !crate::state::use_auth().can(Permission::OrganizationManage) {
        return view! { <NotAllowed /> }.into_any();
    }
    let list = use_paged_list(PAGE, |page| async move {
        client::list_service_criteria(&page).await
    });
    list.reload();
    view! {
        <Breadcrumb href="/providers" label="Providers" current="Medical-necessity criteria".to_string() />
        <PageHeader
            title="Medical-necessity criteria".to_string()
            subtitle="What each service requires of a patient's record, and what to offer instead. Referrals are checked against these when drafted and when sent."
                .to_string()
        />
        <ErrorBanner error=list.error />
        <PagedItems
            list=list
            what="criteria"
            more="Load more services"
            empty=|| {
                view! {
                    <div class="empty-state">
                        <h2>"No criteria configured"</h2>
                        <p>"Without criteria, referrals for a service need no check."</p>
                    </div>
                }
            }
        >
            <For
                each=move || list.items.get()
                key=|c| (c.service, c.version)
                children=|c| view! { <CriteriaCard criteria=c /> }
            />
        </PagedItems>
    }
    .into_any()
}

/// One service's criteria.
#[component]
fn CriteriaCard(criteria: ServiceCriteria) -> impl IntoView {
    let heading = format!("criteria-{}", criteria.service.as_ref());
    let labelled_by = heading.clone();
    let list = |title: &'static str, lines: Vec<String>| {
        (!lines.is_empty()).then(|| {
            view! {
                <h3>{title}</h3>
                <ul class="plan-list">
                    {lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                </ul>
            }
        })
    };
    let c = criteria.criteria;
    view! {
        <section class="card" aria-labelledby=labelled_by>
            <h2 id=heading>{criteria.service.label()}</h2>
            {list("All of", condition_lines(&c.all_of))}
            {list("At least one of", condition_lines(&c.any_of))}
            {list("Alternatives when not met", c.alternatives.clone())}
            <p class="muted small">
                {format!("Version {}, changed {}", criteria.version, format::datetime(criteria.updated_at))}
            </p>
        </section>
    }
}
