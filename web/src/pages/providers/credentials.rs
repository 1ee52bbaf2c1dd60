//! A provider's credentialing documents (license, liability insurance,
//! accreditation) with their expiry dates — those expiring within 30 days
//! or already expired marked in words — and the form that records one. A
//! renewal task opens 30 days before each expiry.

use chrono::NaiveDate;
use leptos::prelude::*;
use shared::auth::Permission;
use shared::problem::FieldError;
use shared::providers::{Credential, NewCredential};
use shared::validation::blank_to_none;
use uuid::Uuid;

use super::model::{Expiry, expiry};
use crate::client;
use crate::components::{
    AddForm, AddFormState, AddFormToggle, Column, ListCard, PagedTable, Tag, TextField,
    text_inputs, use_paged_list,
};
use crate::dom::focus_later;
use crate::format;
use crate::rules;
use crate::state::use_auth;

/// Documents per page.
const PAGE: i64 = 50;

const COLUMNS: &[Column] = &[
    Column::Text("Document"),
    Column::Text("Reference"),
    Column::Text("Expires"),
    Column::Text("Standing"),
];

/// A credential's standing in words, and the tag's look.
pub fn standing(expires_on: NaiveDate, today: NaiveDate) -> (&'static str, &'static str) {
    match expiry(expires_on, today) {
        Expiry::Expired => ("Expired", "danger"),
        Expiry::Soon => ("Expires within 30 days", "warn"),
        Expiry::Current => ("Current", "ok"),
    }
}

/// The credentials card.
#[component]
pub fn CredentialsCard(
    /// The provider.
    provider_id: Uuid,
) -> impl IntoView {
    let can_manage = use_auth().can(Permission::ProvidersManage);
    let today = format::today();
    let list = use_paged_list(PAGE, move |page| async move {
        client::list_credentials(provider_id, &page).await
    });
    list.reload();
    let notice = RwSignal::new(None::<String>);
    let error = RwSignal::new(None);
    let form = AddFormState::new();
    let on_added = Callback::new(move |c: Credential| {
        notice.set(Some(format!(
            "{} recorded; it expires {}.",
            c.name,
            format::date(c.expires_on)
        )));
        focus_later("provider-credentials");
        list.reload();
    });
    view! {
        <ListCard id="provider-credentials" title="Credentials" notice=notice error=list.error_or(error)>
            {can_manage
                .then(|| {
                    view! {
                        <div class="section-head">
                            <AddFormToggle
                                label="Add credential"
                                controls="credential-form"
                                first_field="credential-name"
                                form=form
                            />
                        </div>
                        <CredentialForm provider_id=provider_id form=form on_added=on_added />
                    }
                })}
            <PagedTable
                list=list
                what="credentials"
                more="Load more credentials"
                empty=|| view! { <p class="muted">"No credentials recorded."</p> }
                caption="Credentials"
                columns=COLUMNS
            >
                <For
                    each=move || list.items.get()
                    key=|c| c.id
                    children=move |c| {
                        let (words, look) = standing(c.expires_on, today);
                        let due = look != "ok";
                        view! {
                            <tr data-expiring=if due { "true" } else { "false" }>
                                <th scope="row" data-label="Document">{c.name.clone()}</th>
                                <td data-label="Reference">{c.reference.clone().unwrap_or_else(|| "None".into())}</td>
                                <td data-label="Expires" class:count-alert=due>{format::date(c.expires_on)}</td>
                                <td data-label="Standing">
                                    <Tag text=words kind=look />
                                </td>
                            </tr>
                        }
                    }
                />
            </PagedTable>
        </ListCard>
    }
}

/// Recording a credential.
#[component]
fn CredentialForm(
    provider_id: Uuid,
    form: AddFormState,
    on_added: Callback<Credential>,
) -> impl IntoView {
    let errors = form.errors;
    let [name, reference, expires] = text_inputs();
    let submit = Callback::new(move |()| {
        let Ok(expires_on) = expires.get_untracked().parse::<NaiveDate>() else {
            let mut found = vec![FieldError::new("expires_on", "is required")];
            found.extend(
                blank_to_none(name.get_untracked())
                    .is_none()
                    .then(|| FieldError::new("name", "is required")),
            );
            errors.show_rules(found);
            return;
        };
        let new = NewCredential {
            name: name.get_untracked(),
            reference: blank_to_none(reference.get_untracked()),
            expires_on,
        };
        if errors.show_rules(rules::errors(new.clone())) {
            return;
        }
        form.save(
            async move { client::add_credential(provider_id, &new).await },
            [name, reference, expires],
            on_added,
        );
    });
    view! {
        <AddForm
            id="credential-form"
            form=form
            on_submit=submit
            label="Save credential"
            busy_label="Saving…"
        >
            <div class="grid grid-3">
                <TextField
                    id="credential-name"
                    label="Document"
                    required=true
                    hint="E.g. State license, Liability insurance."
                    bind=errors.bind("name", name)
                />
                <TextField id="credential-reference" label="Reference" bind=errors.bind("reference", reference) />
                <TextField
                    id="credential-expires"
                    label="Expires on"
                    input_type="date"
                    required=true
                    bind=errors.bind("expires_on", expires)
                    error_label="Expiry date"
                />
            </div>
        </AddForm>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_expiring_within_30_days_says_so() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(
            standing(today + chrono::Duration::days(10), today).0,
            "Expires within 30 days"
        );
        assert_eq!(
            standing(today - chrono::Duration::days(1), today).0,
            "Expired"
        );
        assert_eq!(
            standing(today + chrono::Duration::days(90), today).0,
            "Current"
        );
    }
}
