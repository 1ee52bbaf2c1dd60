//! The referrals sent to a provider, newest first, each opening its page.

use leptos::prelude::*;
use shared::referral::ReferralQuery;
use uuid::Uuid;

use crate::client;
use crate::components::{Column, ListCard, PagedTable, ReferralStatusBadge, use_paged_list};
use crate::format;
use crate::pages::referrals::model::referral_href;

/// Referrals per page.
const PAGE: i64 = 25;

const COLUMNS: &[Column] = &[
    Column::Text("Patient"),
    Column::Text("Service"),
    Column::Text("Status"),
    Column::Text("Due by"),
];

/// The provider's referrals card.
#[component]
pub fn ProviderReferralsCard(
    /// The provider.
    provider_id: Uuid,
) -> impl IntoView {
    let list = use_paged_list(PAGE, move |page| async move {
        let query = ReferralQuery {
            provider_id: Some(provider_id),
            ..Default::default()
        };
        client::list_referrals(&query, &page).await
    });
    list.reload();
    let notice = RwSignal::new(None::<String>);
    let error = RwSignal::new(None);
    view! {
        <ListCard id="provider-referrals" title="Referrals" notice=notice error=list.error_or(error)>
            <PagedTable
                list=list
                what="referrals"
                more="Load more referrals"
                empty=|| view! { <p class="muted">"No referrals sent to this provider yet."</p> }
                caption="Referrals to this provider"
                columns=COLUMNS
            >
                <For
                    each=move || list.items.get()
                    key=|r| (r.id, r.version)
                    children=move |r| {
                        view! {
                            <tr>
                                <th scope="row" data-label="Patient">
                                    <a href=referral_href(r.id) class="row-link">
                                        {r.patient.name.clone()}
                                    </a>
                                </th>
                                <td data-label="Service">{r.service.label()}</td>
                                <td data-label="Status">
                                    <ReferralStatusBadge status=r.status />
                                    {r.overdue.is_some().then(|| view! { " " <span class="badge tag-overdue">"Overdue"</span> })}
                                </td>
                                <td data-label="Due by">{format::date(r.due_date)}</td>
                            </tr>
                        }
                    }
                />
            </PagedTable>
        </ListCard>
    }
}
