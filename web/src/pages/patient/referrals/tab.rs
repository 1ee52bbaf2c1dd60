//! The Referrals tab: the patient's referrals (newest first), the form that
//! drafts one with the live medical-necessity check, and the patient's
//! program enrollments.

use leptos::prelude::*;
use shared::auth::Permission;
use shared::referral::{Referral, ReferralQuery};

use super::enrollments::EnrollmentsSection;
use super::form::ReferralForm;
use crate::client;
use crate::components::{
    AddFormState, AddFormToggle, Column, PagedTable, ReferralStatusBadge, TabSection, Tag,
    use_paged_list,
};
use crate::dom::focus_later;
use crate::format;
use crate::pages::patient::context::PatientCtx;
use crate::pages::referrals::model::referral_href;
use crate::state::use_auth;

/// Referrals per page.
const PAGE: i64 = 25;

const COLUMNS: &[Column] = &[
    Column::Text("Service"),
    Column::Text("Provider"),
    Column::Text("Status"),
    Column::Text("Priority"),
    Column::Text("Due by"),
    Column::Text("Medical necessity"),
];

/// What to say once a draft is saved.
pub fn drafted_notice(r: &Referral) -> String {
    let check = match &r.medical_necessity {
        Some(e) if e.met => " Medical necessity is met.",
        Some(_) => " Medical necessity is not met: sending it will need an override reason.",
        None => "",
    };
    format!(
        "{} referral to {} saved as a draft.{check}",
        r.service.label(),
        r.provider_name
    )
}

/// The necessity column: met, not met, or nothing to check.
fn necessity_tag(r: &Referral) -> (&'static str, &'static str) {
    match &r.medical_necessity {
        Some(e) if e.met => ("Met", "ok"),
        Some(_) if r.necessity_override_reason.is_some() => ("Not met (overridden)", "warn"),
        Some(_) => ("Not met", "warn"),
        None => ("No criteria", "muted"),
    }
}

/// The Referrals tab.
#[component]
pub fn PatientReferralsTab() -> impl IntoView {
    let Some(patient_id) = PatientCtx::open_tab("Referrals") else {
        return ().into_any();
    };
    let can_write = use_auth().can(Permission::PatientsWrite);
    let list = use_paged_list(PAGE, move |page| async move {
        let query = ReferralQuery {
            patient_id: Some(patient_id),
            ..Default::default()
        };
        client::list_referrals(&query, &page).await
    });
    list.reload();
    let notice = RwSignal::new(None::<String>);
    let drafted = RwSignal::new(None::<Referral>);
    let error = RwSignal::new(None);
    let form = AddFormState::new();
    let on_added = Callback::new(move |r: Referral| {
        notice.set(Some(drafted_notice(&r)));
        drafted.set(Some(r));
        focus_later("referrals-notice");
        list.reload();
    });
    view! {
        <TabSection
            title="Referrals"
            action=move || {
                view! {
                    <div class="action-bar">
                        <a href=format!("/providers?patient={patient_id}") class="button secondary">
                            "Find providers for this patient"
                        </a>
                        {can_write
                            .then(|| {
                                view! {
                                    <AddFormToggle
                                        label="New referral"
                                        controls="referral-form"
                                        first_field="referral-service"
                                        form=form
                                        class="button primary"
                                    />
                                }
                            })}
                    </div>
                }
            }
            notice=(notice, "referrals-notice")
            error=list.error_or(error)
        >
            {move || {
                drafted.get()
                    .map(|r| {
                        view! {
                            <p>
                                <a href=referral_href(r.id)>"Open the new referral to send it"</a>
                            </p>
                        }
                    })
            }}
            {can_write.then(|| view! { <ReferralForm patient_id=patient_id form=form on_added=on_added /> })}
            <PagedTable
                list=list
                what="referrals"
                more="Load more referrals"
                empty=|| view! { <p class="muted">"No referrals yet."</p> }
                caption="Referrals, newest first"
                columns=COLUMNS
            >
                <For
                    each=move || list.items.get()
                    key=|r| (r.id, r.version)
                    children=move |r| {
                        let (check, look) = necessity_tag(&r);
                        view! {
                            <tr>
                                <th scope="row" data-label="Service">
                                    <a href=referral_href(r.id) class="row-link">
                                        {r.service.label()}
                                    </a>
                                </th>
                                <td data-label="Provider">{r.provider_name.clone()}</td>
                                <td data-label="Status">
                                    <ReferralStatusBadge status=r.status />
                                    {r.overdue.is_some().then(|| view! { " " <span class="badge tag-overdue">"Overdue"</span> })}
                                </td>
                                <td data-label="Priority">{r.priority.label()}</td>
                                <td data-label="Due by">{format::date(r.due_date)}</td>
                                <td data-label="Medical necessity">
                                    <Tag text=check kind=look />
                                </td>
                            </tr>
                        }
                    }
                />
            </PagedTable>
        </TabSection>
        <EnrollmentsSection patient_id=patient_id />
    }
    .into_any()
}
