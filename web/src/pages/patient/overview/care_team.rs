//! The care team card: who is on the patient's team (internal users and
//! outside providers), and adding someone.

use leptos::prelude::*;
use shared::auth::Permission;
use shared::care_team::CareTeamMember;
use shared::ids::PatientId;

use super::care_team_form::AddCareTeamMember;
use crate::client;
use crate::components::{AddFormState, AddFormToggle, ListCard, PagedItems, Tag, use_paged_list};
use crate::dom::focus_later;
use crate::format;
use crate::state::use_auth;

/// Members per page.
const PAGE: i64 = 100;

/// The care team card.
#[component]
pub fn CareTeamCard(
    /// The patient.
    patient_id: PatientId,
) -> impl IntoView {
    let can_write = use_auth().can(Permission::PatientsWrite);
    let list = use_paged_list(PAGE, move |page| async move {
        client::list_care_team(patient_id, &page).await
    });
    list.reload();
    let notice = RwSignal::new(None::<String>);
    let form = AddFormState::new();
    let on_added = Callback::new(move |m: CareTeamMember| {
        notice.set(Some(format!(
            "{} added to the care team as {}.",
            m.name,
            m.role.label()
        )));
        list.items.update(|all| all.push(m));
        focus_later("sec-care-team");
    });
    let today = format::today();

    view! {
        <ListCard
            id="sec-care-team"
            title="Care team"
            notice=notice
            error=list.error
        >
            <PagedItems
                list=list
                what="the care team"
                more="Load more team members"
                empty=|| view! { <p class="muted">"No care team members recorded."</p> }
            >
                <ul class="plain-list member-list">
                    <For
                        each=move || list.items.get()
                        key=|m| (m.id, m.version)
                        children=move |m| {
                            let active = m.active_on(today);
                            let detail = [
                                m.organization.clone(),
                                m.phone.clone(),
                                Some(format!("since {}", format::date(m.start_date))),
                                m.end_date.map(|d| format!("until {}", format::date(d))),
                            ]
                                .into_iter()
                                .flatten()
                                .collect::<Vec<_>>()
                                .join(" · ");
                            view! {
                                <li class:inactive=!active>
                                    <strong>{m.name.clone()}</strong>
                                    " — "
                                    {m.role.label()}
                                    {(!active).then(|| view! { " " <Tag text="Ended" kind="muted" /> })}
                                    <br />
                                    <span class="muted small">{detail}</span>
                                </li>
                            }
                        }
                    />
                </ul>
            </PagedItems>
            {can_write
                .then(|| {
                    view! {
                        <AddFormToggle
                            label="Add team member"
                            controls="ct-form"
                            first_field="ct-user"
                            form=form
                            class="button small secondary"
                        />
                        <AddCareTeamMember patient_id=patient_id form=form on_added=on_added />
                    }
                })}
        </ListCard>
    }
}
