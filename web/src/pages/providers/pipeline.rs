//! The recruiting pipeline: the providers in each network status, from
//! prospect to in network (and inactive), each opening its page.

use leptos::prelude::*;
use shared::directory::NetworkStatus;
use shared::providers::ProviderQuery;
use strum::VariantArray;

use super::model::services_text;
use crate::client;
use crate::components::{Breadcrumb, PageHeader, PagedItems, use_paged_list};
use crate::dom::set_title;

/// Providers per page of a column.
const PAGE: i64 = 50;

/// What a stage of the pipeline means, in a sentence.
pub fn stage_hint(status: NetworkStatus) -> &'static str {
    match status {
        NetworkStatus::Prospect => "Identified, not yet approached.",
        NetworkStatus::Recruiting => "Being recruited: calls, meetings, contracts.",
        NetworkStatus::Credentialing => "Credentials under review.",
        NetworkStatus::InNetwork => "In the network and taking referrals.",
        NetworkStatus::Inactive => "No longer taking referrals through the network.",
    }
}

/// The pipeline page.
#[component]
pub fn PipelinePage() -> impl IntoView {
    set_title("Recruiting pipeline");
    view! {
        <Breadcrumb href="/providers" label="Providers" current="Recruiting pipeline".to_string() />
        <PageHeader
            title="Recruiting pipeline".to_string()
            subtitle="Providers by network status. Open one to log recruiting work or move it along."
                .to_string()
        />
        <div class="grid grid-3">
            {NetworkStatus::VARIANTS
                .iter()
                .map(|s| view! { <Stage status=*s /> })
                .collect_view()}
        </div>
    }
}

/// One stage of the pipeline.
#[component]
fn Stage(status: NetworkStatus) -> impl IntoView {
    let list = use_paged_list(PAGE, move |page| async move {
        let query = ProviderQuery {
            network_status: Some(status),
            ..Default::default()
        };
        client::list_providers(&query, &page).await
    })
    .skip_repeats(|a, b| a.provider.id == b.provider.id);
    list.reload();
    let heading = format!("stage-{}", status.as_ref());
    let labelled_by = heading.clone();
    let count = move || {
        let n = list.len();
        if list.has_more() {
            format!(" ({n}+)")
        } else {
            format!(" ({n})")
        }
    };
    view! {
        <section class="card" aria-labelledby=labelled_by data-status=status.as_ref().to_string()>
            <h2 id=heading>
                {status.label()}
                <span class="band-count">{count}</span>
            </h2>
            <p class="band-hint">{stage_hint(status)}</p>
            <crate::components::ErrorBanner error=list.error />
            <PagedItems
                list=list
                what="providers"
                more="Load more providers"
                empty=|| view! { <p class="muted">"None."</p> }
            >
                <ul class="plain-list member-list">
                    <For
                        each=move || list.items.get()
                        key=|e| e.provider.id
                        children=move |e| {
                            let p = e.provider;
                            view! {
                                <li>
                                    <a href=format!("/providers/{}", p.id)>{p.name.clone()}</a>
                                    <span class="block muted small">{services_text(&p.services)}</span>
                                </li>
                            }
                        }
                    />
                </ul>
            </PagedItems>
        </section>
    }
}
