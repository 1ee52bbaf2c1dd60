//! The contacts card: family, friends and caregivers, what the patient
//! consented to share with each, and adding one.

use leptos::prelude::*;
use shared::auth::Permission;
use shared::contacts::{Consent, Contact};
use shared::ids::PatientId;

use super::contact_form::AddContact;
use crate::client;
use crate::components::{AddFormState, AddFormToggle, ListCard, PagedItems, Tag, use_paged_list};
use crate::dom::focus_later;
use crate::format;
use crate::state::use_auth;

/// Contacts per page.
const PAGE: i64 = 100;

/// A contact's consent, in words.
pub fn consent_text(consent: Option<&Consent>) -> String {
    match consent {
        None => "No consent to share information".to_string(),
        Some(c) => {
            let until = c
                .expires_on
                .map(|d| format!(" until {}", format::date(d)))
                .unwrap_or_default();
            format!(
                "May share {} from {}{until}",
                c.scope.label(),
                format::date(c.starts_on)
            )
        }
    }
}

/// The contacts card.
#[component]
pub fn ContactsCard(
    /// The patient.
    patient_id: PatientId,
) -> impl IntoView {
    let can_write = use_auth().can(Permission::PatientsWrite);
    let list = use_paged_list(PAGE, move |page| async move {
        client::list_contacts(patient_id, &page).await
    });
    list.reload();
    let notice = RwSignal::new(None::<String>);
    let form = AddFormState::new();
    let on_added = Callback::new(move |c: Contact| {
        notice.set(Some(format!("{} added to the contacts.", c.name)));
        list.items.update(|all| all.push(c));
        focus_later("sec-contacts");
    });

    view! {
        <ListCard
            id="sec-contacts"
            title="Contacts"
            notice=notice
            error=list.error
        >
            <PagedItems
                list=list
                what="contacts"
                more="Load more contacts"
                empty=|| view! { <p class="muted">"No contacts recorded."</p> }
            >
                <ul class="plain-list member-list">
                    <For
                        each=move || list.items.get()
                        key=|c| (c.id, c.version)
                        children=move |c| {
                            let reach = [c.phone.clone(), c.email.clone()]
                                .into_iter()
                                .flatten()
                                .collect::<Vec<_>>()
                                .join(" · ");
                            view! {
                                <li class:inactive=!c.active>
                                    <strong>{c.name.clone()}</strong>
                                    " — "
                                    {format::words(c.relationship.as_ref())}
                                    {c
                                        .emergency_contact
                                        .then(|| view! { " " <Tag text="Emergency contact" kind="warn" /> })}
                                    {(!reach.is_empty())
                                        .then(|| {
                                            view! {
                                                <br />
                                                <span class="small">{reach}</span>
                                            }
                                        })}
                                    <br />
                                    <span class="muted small">{consent_text(c.consent.as_ref())}</span>
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
                            label="Add contact"
                            controls="contact-form"
                            first_field="contact-name"
                            form=form
                            class="button small secondary"
                        />
                        <AddContact patient_id=patient_id form=form on_added=on_added />
                    }
                })}
        </ListCard>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use shared::contacts::ConsentScope;

    #[test]
    fn consent_reads_as_what_may_be_shared_and_until_when() {
        assert_eq!(consent_text(None), "No consent to share information");
        let c = Consent {
            scope: ConsentScope::Appointments,
            starts_on: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            expires_on: NaiveDate::from_ymd_opt(2027, 3, 1),
        };
        assert_eq!(
            consent_text(Some(&c)),
            "May share appointments and logistics from 03/01/2026 until 03/01/2027"
        );
    }
}
