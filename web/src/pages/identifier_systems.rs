//! Administering HL7 v2 identifier systems: which assigning authority's
//! PID-3 identifiers are filed under which identifier system, so an ADT
//! message from an EHR finds the patient its MRN belongs to.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Permission;
use shared::hl7::{IdentifierSystem, IdentifierSystemWrite};
use shared::problem::{FieldError, ProblemKind};

use super::not_found::NotAllowed;
use crate::client;
use crate::components::forms::stale_with;
use crate::components::{
    ActionForm, Button, Column, ErrorBanner, FormActions, FormErrors, ListPageHead, Modal,
    PagedTable, TextField, use_paged_list,
};
use crate::dom::{focus_element, set_title};
use crate::format;
use crate::rules;
use crate::state::use_auth;
use crate::transport::ApiError;

/// Mappings per page.
const PAGE: i64 = 50;

/// The mapping table's columns.
const COLUMNS: &[Column] = &[
    Column::Text("Assigning authority"),
    Column::Text("Identifier system"),
    Column::Text("Last changed"),
    Column::Actions,
];

/// Every rule a mapping breaks, as the API names them: the authority (the
/// path) must not be blank, and the system follows the shared rules.
pub fn mapping_errors(authority: &str, write: &IdentifierSystemWrite) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if authority.trim().is_empty() {
        errors.push(FieldError::new("assigning_authority", "is required"));
    }
    errors.extend(rules::errors(write.clone()));
    errors
}

/// The HL7 identifier systems page (admins).
#[component]
pub fn IdentifierSystemsPage() -> impl IntoView {
    set_title("HL7 identifier systems");
    let auth = use_auth();
    if !auth.can(Permission::IntegrationsManage) {
        return view! { <NotAllowed /> }.into_any();
    }
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let list = use_paged_list(PAGE, |page| async move {
        client::list_identifier_systems(&page).await
    });
    list.reload();
    let open = RwSignal::new(false);
    // The mapping being changed; none while adding one.
    let editing = RwSignal::new(None::<IdentifierSystem>);
    let add = move |()| {
        editing.set(None);
        notice.set(None);
        open.set(true);
    };

    view! {
        <ListPageHead
            title="HL7 identifier systems"
            subtitle="An ADT message names a patient by identifiers from an assigning authority (PID-3, CX-4; or the sending facility). Map an authority to the identifier system your patient records use, so its messages find the right client."
            action="Add mapping"
            on_action=Callback::new(add)
            notice=notice
            error=list.error_or(error)
        />

        <PagedTable
            list=list
            what="identifier systems"
            more="Load more mappings"
            empty=|| {
                view! {
                    <div class="empty-state">
                        <h2>"No mappings yet"</h2>
                        <p>
                            "Without one, an authority's identifiers are looked up under the authority's own name as the identifier system."
                        </p>
                    </div>
                }
            }
            caption="Assigning authorities and their identifier systems"
            columns=COLUMNS
        >
            <For
                each=move || list.items.get()
                key=|m| (m.assigning_authority.clone(), m.version)
                children=move |m| {
                    let authority = m.assigning_authority.clone();
                    let target = m.clone();
                    view! {
                        <tr>
                            <th scope="row" data-label="Assigning authority" class="mono">
                                {m.assigning_authority.clone()}
                            </th>
                            <td data-label="Identifier system" class="mono wrap">{m.system.clone()}</td>
                            <td data-label="Last changed">{format::datetime(m.updated_at)}</td>
                            <td class="actions">
                                <button
                                    type="button"
                                    class="button ghost small"
                                    on:click=move |_| {
                                        notice.set(None);
                                        editing.set(Some(target.clone()));
                                        open.set(true);
                                    }
                                >
                                    "Change"
                                    <span class="visually-hidden">{format!(" the system of {authority}")}</span>
                                </button>
                            </td>
                        </tr>
                    }
                }
            />
        </PagedTable>

        <Modal
            open=open
            title=Signal::derive(move || {
                editing
                    .with(|m| match m {
                        Some(m) => format!("Change the system of {}", m.assigning_authority),
                        None => "Add a mapping".to_string(),
                    })
            })
            id="mapping-dialog"
        >
            {move || {
                open.get()
                    .then(|| {
                        view! {
                            <MappingForm
                                existing=editing.get_untracked()
                                on_saved=Callback::new(move |saved: IdentifierSystem| {
                                    open.set(false);
                                    notice
                                        .set(
                                            Some(
                                                format!(
                                                    "Identifiers from {} are now looked up under {}.",
                                                    saved.assigning_authority,
                                                    saved.system,
                                                ),
                                            ),
                                        );
                                    list.reload();
                                })
                                on_stale=Callback::new(move |e: ApiError| {
                                    open.set(false);
                                    error.set(Some(e));
                                    list.reload();
                                })
                                on_done=Callback::new(move |()| open.set(false))
                            />
                        }
                    })
            }}
        </Modal>
    }
    .into_any()
}

/// Adding a mapping (authority and system) or changing an existing one's
/// system, based on the version read.
#[component]
fn MappingForm(
    /// The mapping being changed; none to add one.
    existing: Option<IdentifierSystem>,
    /// Called with the saved mapping.
    on_saved: Callback<IdentifierSystem>,
    /// Called when someone else changed (or created) it first.
    on_stale: Callback<ApiError>,
    /// Closes the dialog.
    on_done: Callback<()>,
) -> impl IntoView {
    let errors = FormErrors::new();
    let adding = existing.is_none();
    let authority = RwSignal::new(
        existing
            .as_ref()
            .map(|m| m.assigning_authority.clone())
            .unwrap_or_default(),
    );
    let system = RwSignal::new(
        existing
            .as_ref()
            .map(|m| m.system.clone())
            .unwrap_or_default(),
    );
    let version = existing.as_ref().map(|m| m.version);
    let busy = RwSignal::new(false);

    let on_submit = Callback::new(move |()| {
        errors.clear();
        let name = authority.get_untracked().trim().to_string();
        let write = IdentifierSystemWrite {
            system: system.get_untracked(),
            version,
        };
        let found = mapping_errors(&name, &write);
        if errors.show_rules(found.clone()) {
            let first = match found[0].field.as_str() {
                "assigning_authority" => "mapping-authority",
                _ => "mapping-system",
            };
            focus_element(first);
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = client::put_identifier_system(&name, &write).await;
            busy.set(false);
            match result {
                Ok(saved) => on_saved.run(saved),
                Err(e) if e.is(ProblemKind::StaleVersion) => on_stale.run(stale_with(
                    &format!("The mapping of {name}"),
                    "Nothing was saved. The latest mappings are now shown; check them and try again.",
                )),
                Err(e) if e.is(ProblemKind::VersionRequired) => on_stale.run(stale_with(
                    &format!("{name} already has a mapping, which"),
                    "Nothing was saved. It is now listed: change it from the list.",
                )),
                Err(e) => errors.show(e),
            }
        });
    });

    view! {
        <ErrorBanner error=errors.banner />
        <ActionForm on_submit=on_submit busy=busy>
            {adding
                .then(|| {
                    view! {
                        <TextField
                            id="mapping-authority"
                            label="Assigning authority"
                            required=true
                            bind=errors.bind("assigning_authority", authority)
                            hint="As messages name it: CX-4.1 (or CX-4.2) of PID-3, or the sending facility (MSH-4), e.g. \u{201c}RIVERSIDE\u{201d}."
                            autocomplete="off"
                            maxlength=200u32
                        />
                    }
                })}
            <TextField
                id="mapping-system"
                label="Identifier system"
                required=true
                bind=errors.bind("system", system)
                hint="The system your patients\u{2019} identifiers carry, e.g. \u{201c}urn:ehr:riverside:mrn\u{201d}."
                autocomplete="off"
                maxlength=200u32
            />
            <FormActions button=Button::submit("Save mapping").busy(busy, "Saving…") on_back=on_done />
        </ActionForm>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(system: &str) -> IdentifierSystemWrite {
        IdentifierSystemWrite {
            system: system.into(),
            version: None,
        }
    }

    #[test]
    fn a_mapping_needs_an_authority_and_a_system() {
        let fields: Vec<_> = mapping_errors("  ", &write(" "))
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["assigning_authority", "system"]);
    }

    #[test]
    fn a_complete_mapping_breaks_no_rule() {
        assert!(mapping_errors("RIVERSIDE", &write("urn:ehr:riverside:mrn")).is_empty());
    }

    #[test]
    fn a_system_longer_than_the_api_takes_is_refused() {
        let long = "x".repeat(201);
        let fields: Vec<_> = mapping_errors("RIVERSIDE", &write(&long))
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["system"]);
    }
}
