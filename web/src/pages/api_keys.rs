//! Administering API keys: the list, creating a key (shown once, with a
//! Copy button) and revoking one.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api_keys::{ApiKey, CreatedApiKey, NewApiKey};
use shared::auth::{Permission, Scope};
use shared::problem::FieldError;
use strum::VariantArray;

use super::not_found::NotAllowed;
use crate::client;
use crate::components::{
    ActionForm, Button, Choice, CodeChecklist, Column, ErrorBanner, FormActions, ListPageHead,
    Modal, PagedTable, SelectField, Tag, TextField, use_paged_list,
};
use crate::dom::{focus_element, set_title};
use crate::format;
use crate::rules;
use crate::state::use_auth;
use crate::transport::ApiError;

/// Keys per page.
const PAGE: i64 = 50;

/// The key table's columns.
const COLUMNS: &[Column] = &[
    Column::Text("Name"),
    Column::Text("Key"),
    Column::Text("Scopes"),
    Column::Text("Created"),
    Column::Text("Last used"),
    Column::Text("Status"),
    Column::Actions,
];

/// The rules a new key must meet, as the API checks them.
pub fn new_key_errors(new: &NewApiKey) -> Vec<FieldError> {
    rules::errors(new.clone())
}

/// The scopes in their fixed order, from checkbox states.
pub fn chosen_scopes(checked: &[(Scope, bool)]) -> Vec<Scope> {
    let mut out: Vec<Scope> = checked
        .iter()
        .filter(|(_, c)| *c)
        .map(|(s, _)| *s)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The directory's providers as choices (the first page, by rank).
async fn provider_choices() -> Result<Vec<Choice>, ApiError> {
    let page = client::list_providers(
        &shared::providers::ProviderQuery::default(),
        &shared::pagination::PageQuery::first(shared::pagination::MAX_LIMIT),
    )
    .await?;
    let mut out: Vec<Choice> = page
        .items
        .into_iter()
        .map(|e| (e.provider.id.to_string(), e.provider.name))
        .collect();
    out.sort_by_key(|a| a.1.to_lowercase());
    Ok(out)
}

/// The API keys page (admins).
#[component]
pub fn ApiKeysPage() -> impl IntoView {
    set_title("API keys");
    let auth = use_auth();
    if !auth.can(Permission::ApiKeysManage) {
        return view! { <NotAllowed /> }.into_any();
    }
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let list = use_paged_list(
        PAGE,
        |page| async move { client::list_api_keys(&page).await },
    );
    list.reload();

    let create_open = RwSignal::new(false);
    let revoke_open = RwSignal::new(false);
    let revoke_key = RwSignal::new(None::<ApiKey>);
    let revoking = RwSignal::new(false);

    let revoke = move |()| {
        let Some(k) = revoke_key.get_untracked() else {
            return;
        };
        revoking.set(true);
        error.set(None);
        notice.set(None);
        spawn_local(async move {
            let result = client::revoke_api_key(k.id).await;
            revoking.set(false);
            revoke_open.set(false);
            match result {
                Ok(()) => {
                    notice.set(Some(format!(
                        "The key \u{201c}{}\u{201d} was revoked. Anything using it is refused from now on.",
                        k.name
                    )));
                    list.reload();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };

    view! {
        <ListPageHead
            title="API keys"
            subtitle="Keys let integrations and reporting scripts use the API. Each key can do only what its scopes allow."
            action="Create API key"
            on_action=Callback::new(move |()| create_open.set(true))
            notice=notice
            error=list.error_or(error)
        />

        <PagedTable
            list=list
            what="API keys"
            more="Load more keys"
            empty=|| {
                view! {
                    <div class="empty-state">
                        <h2>"No API keys yet"</h2>
                        <p>"Create a key for each integration or script, with only the scopes it needs."</p>
                    </div>
                }
            }
            caption="API keys"
            columns=COLUMNS
        >
            <For
                each=move || list.items.get()
                key=|k| (k.id, k.revoked_at)
                children=move |k| {
                    let revoked = k.revoked_at.is_some();
                    let name = k.name.clone();
                    let target = k.clone();
                    view! {
                        <tr class:inactive=revoked>
                            <th scope="row" data-label="Name">{k.name.clone()}</th>
                            <td data-label="Key" class="mono">{format!("{}…", k.prefix)}</td>
                            <td data-label="Scopes">
                                <span class="tag-list">
                                    {k
                                        .scopes
                                        .iter()
                                        .map(|s| view! { <code class="scope">{s.as_ref().to_string()}</code> })
                                        .collect_view()}
                                </span>
                                {k
                                    .provider_id
                                    .map(|p| {
                                        view! {
                                            <a href=format!("/providers/{p}") class="block small">
                                                "The provider it answers for"
                                            </a>
                                        }
                                    })}
                            </td>
                            <td data-label="Created">{format::datetime(k.created_at)}</td>
                            <td data-label="Last used">{format::datetime_or(k.last_used_at, "Never")}</td>
                            <td data-label="Status">
                                {match k.revoked_at {
                                    Some(at) => view! {
                                        <Tag text=format!("Revoked {}", format::datetime(at)) kind="muted" />
                                    }
                                        .into_any(),
                                    None => view! { <Tag text="Active" kind="ok" /> }.into_any(),
                                }}
                            </td>
                            <td class="actions">
                                {(!revoked)
                                    .then(|| {
                                        view! {
                                            <button
                                                type="button"
                                                class="button ghost small danger-text"
                                                on:click=move |_| {
                                                    revoke_key.set(Some(target.clone()));
                                                    revoke_open.set(true);
                                                }
                                            >
                                                "Revoke"
                                                <span class="visually-hidden">{format!(" {name}")}</span>
                                            </button>
                                        }
                                    })}
                            </td>
                        </tr>
                    }
                }
            />
        </PagedTable>

        <Modal open=create_open title="Create API key".to_string() id="create-key-dialog">
            <CreateKey
                on_created=Callback::new(move |()| list.reload())
                on_done=Callback::new(move |()| create_open.set(false))
            />
        </Modal>

        <Modal
            open=revoke_open
            title=Signal::derive(move || {
                revoke_key.with(|k| k.as_ref().map(|k| format!("Revoke \u{201c}{}\u{201d}?", k.name)).unwrap_or_default())
            })
            id="revoke-key-dialog"
        >
            <p>
                "Anything using this key will be refused at once. This cannot be undone; the key stays listed as revoked."
            </p>
            <FormActions
                button=Button::run("Revoke key", Callback::new(revoke)).busy(revoking, "Revoking…").look("danger")
                on_back=Callback::new(move |()| revoke_open.set(false))
            />
        </Modal>
    }
    .into_any()
}

/// Creating a key, then showing it once.
#[component]
fn CreateKey(
    /// Called once the key exists.
    on_created: Callback<()>,
    /// Called to close the dialog.
    on_done: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let checked = RwSignal::new(
        Scope::VARIANTS
            .iter()
            .map(|s| (*s, false))
            .collect::<Vec<_>>(),
    );
    let submitted = RwSignal::new(false);
    let banner = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let created = RwSignal::new(None::<CreatedApiKey>);

    let provider = RwSignal::new(String::new());
    let providers = RwSignal::new(Vec::<Choice>::new());
    let binds = move || checked.with(|c| c.iter().any(|(s, on)| *on && s.binds_provider()));
    // The providers a `referrals:respond` key can answer for, once asked.
    Effect::new(move |loaded: Option<bool>| {
        let wanted = binds();
        if wanted && loaded != Some(true) {
            spawn_local(async move {
                if let Ok(choices) = provider_choices().await {
                    providers.set(choices);
                }
            });
            return true;
        }
        loaded.unwrap_or(false)
    });
    let current = move || NewApiKey {
        name: name.get().trim().to_string(),
        scopes: chosen_scopes(&checked.get()),
        provider_id: if binds() {
            provider.with(|p| p.parse().ok())
        } else {
            None
        },
    };
    let errors = Memo::new(move |_| new_key_errors(&current()));
    let error_for = move |field: &'static str, label: &'static str| {
        Signal::derive(move || {
            if !submitted.get() {
                return None;
            }
            errors.with(|errs| {
                errs.iter()
                    .find(|e| e.field == field)
                    .map(|e| format!("{label} {}.", e.message))
            })
        })
    };
    let name_error = error_for("name", "Name");
    let scopes_error = error_for("scopes", "Scopes");
    let provider_error = error_for("provider_id", "Provider");

    let on_submit = Callback::new(move |()| {
        submitted.set(true);
        banner.set(None);
        let new = current();
        if let Some(first) = new_key_errors(&new).first() {
            let id = match first.field.as_str() {
                "name" => "key-name",
                "provider_id" => "key-provider",
                _ => "scope-0",
            };
            focus_element(id);
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = client::create_api_key(&new).await;
            busy.set(false);
            match result {
                Ok(k) => {
                    created.set(Some(k));
                    on_created.run(());
                    // The key's field exists once the view has rendered.
                    leptos::task::tick().await;
                    focus_element("new-key-value");
                }
                Err(e) => banner.set(Some(e)),
            }
        });
    });

    view! {
        <Show
            when=move || created.with(Option::is_some)
            fallback=move || {
                view! {
                    <ErrorBanner error=banner />
                    <ActionForm on_submit=on_submit busy=busy>
                        <TextField
                            id="key-name"
                            label="Name"
                            required=true
                            value=name
                            on_input=Callback::new(move |v| name.set(v))
                            error=name_error
                            hint="What uses the key, e.g. \u{201c}EHR patient sync\u{201d}."
                            autocomplete="off"
                            maxlength=100u32
                        />
                        <CodeChecklist
                            legend="Scopes"
                            id_prefix="scope"
                            label=Scope::description
                            checked=checked
                            error=scopes_error
                        />
                        <Show when=binds>
                            <SelectField
                                id="key-provider"
                                label="Provider"
                                required=true
                                hint="The provider whose referrals this key answers; it sees no others."
                                options=Signal::derive(move || {
                                    std::iter::once((String::new(), "Choose a provider…".to_string()))
                                        .chain(providers.get())
                                        .collect::<Vec<Choice>>()
                                })
                                value=provider
                                on_change=Callback::new(move |v| provider.set(v))
                                error=provider_error
                            />
                        </Show>
                        <FormActions
                            button=Button::submit("Create key").busy(busy, "Creating…")
                            on_back=on_done
                        />
                    </ActionForm>
                }
            }
        >
            {move || created.get().map(|k| view! { <ShowKeyOnce key=k on_done=on_done /> })}
        </Show>
    }
}

/// The secret of a new key, with a Copy button and the warning that it is
/// not shown again.
#[component]
fn ShowKeyOnce(
    /// The created key.
    key: CreatedApiKey,
    /// Closes the dialog.
    on_done: Callback<()>,
) -> impl IntoView {
    let copied = RwSignal::new(None::<String>);
    let secret = key.key.clone();
    let copy = move |_| {
        let secret = secret.clone();
        spawn_local(async move {
            let outcome = match web_sys::window() {
                Some(w) => wasm_bindgen_futures::JsFuture::from(
                    w.navigator().clipboard().write_text(&secret),
                )
                .await
                .is_ok(),
                None => false,
            };
            copied.set(Some(if outcome {
                "Copied to the clipboard.".into()
            } else {
                "Copying did not work here; select the key and copy it by hand.".into()
            }));
        });
    };
    view! {
        <div class="stack">
            <div class="banner banner-warning" role="alert">
                <p class="banner-title">"Copy this key now — you won't see it again"</p>
                <p>"Care Manager stores only a hash of it. If it is lost, revoke it and create a new one."</p>
            </div>
            <p>
                "Key \u{201c}" {key.name.clone()} "\u{201d} with scopes "
                <span class="tag-list">
                    {key
                        .scopes
                        .iter()
                        .map(|s| view! { <code class="scope">{s.as_ref().to_string()}</code> })
                        .collect_view()}
                </span>
            </p>
            <div class="field">
                <label for="new-key-value">"Your new API key"</label>
                <div class="copy-row">
                    <input
                        id="new-key-value"
                        class="mono"
                        type="text"
                        readonly
                        prop:value=key.key.clone()
                        on:focus=move |ev| {
                            use wasm_bindgen::JsCast;
                            if let Some(input) = ev
                                .target()
                                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                            {
                                input.select();
                            }
                        }
                    />
                    <button type="button" class="button primary" on:click=copy>
                        "Copy"
                    </button>
                </div>
                <p class="hint" role="status">{move || copied.get()}</p>
            </div>
            <p class="muted small">
                "Send it as " <code>"Authorization: Bearer <key>"</code> "."
            </p>
            <div class="form-actions">
                <button type="button" class="button secondary" on:click=move |_| on_done.run(())>
                    "Done"
                </button>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_come_from_ticked_boxes_in_a_fixed_order() {
        let ticked = vec![
            (Scope::AuditRead, true),
            (Scope::PatientsRead, true),
            (Scope::PatientsWrite, false),
        ];
        assert_eq!(
            chosen_scopes(&ticked),
            vec![Scope::PatientsRead, Scope::AuditRead]
        );
    }

    #[test]
    fn a_key_needs_a_name_and_a_scope() {
        let errs = new_key_errors(&NewApiKey {
            name: String::new(),
            scopes: vec![],
            provider_id: None,
        });
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["name", "scopes"]);
        assert!(
            new_key_errors(&NewApiKey {
                name: "EHR sync".into(),
                scopes: vec![Scope::PatientsRead],
                provider_id: None,
            })
            .is_empty()
        );
    }
}
