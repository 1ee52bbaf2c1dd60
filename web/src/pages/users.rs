//! Administering users: the list, adding someone, changing a role,
//! deactivating and reactivating. Every change names the version it is based on.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::{Permission, Role};
use shared::problem::{FieldError, Problem};
use shared::users::{NewUser, User, UserListQuery, UserPatch};
use strum::VariantArray;
use validator::Validate;

use super::{NotAllowed, PageHeader};
use crate::api::{self, ApiError};
use crate::components::{
    Choice, ErrorBanner, LoadMore, Loading, Modal, Notice, SelectField, Tag, TextField,
};
use crate::format;
use crate::state::{Directory, use_auth};

fn role_choices() -> Vec<Choice> {
    Role::VARIANTS
        .iter()
        .map(|r| (r.as_ref().to_string(), r.label().to_string()))
        .collect()
}

fn label_of(field: &str) -> &str {
    match field {
        "name" => "Name",
        "email" => "Email",
        "role" => "Role",
        "password" => "Initial password",
        other => other,
    }
}

/// The message for `field` among `errors`, as a sentence.
fn message_for(errors: &[FieldError], field: &str) -> Option<String> {
    let msgs: Vec<String> = errors
        .iter()
        .filter(|e| e.field == field)
        .map(|e| format!("{} {}.", label_of(field), e.message))
        .collect();
    (!msgs.is_empty()).then(|| msgs.join(" "))
}

/// The add-user form's fields, top to bottom.
const FORM_ORDER: &[&str] = &["name", "email", "role", "password"];

/// The error whose field comes first in the form (the rules list them
/// alphabetically).
fn first_in_form(errors: &[FieldError]) -> Option<&FieldError> {
    errors.iter().min_by_key(|e| {
        FORM_ORDER
            .iter()
            .position(|f| *f == e.field)
            .unwrap_or(FORM_ORDER.len())
    })
}

/// The rules a new user must meet, as the API checks them.
pub fn new_user_errors(new: &NewUser) -> Vec<FieldError> {
    match new.clone().normalized().validate() {
        Ok(()) => vec![],
        Err(e) => shared::validation::field_errors(&e),
    }
}

fn stale(what: &str) -> ApiError {
    ApiError::from(Problem {
        problem_type: "/problems/stale-version".into(),
        title: format!("{what} was changed by someone else"),
        status: 412,
        detail: Some(
            "Nothing was changed. The list now shows the latest version; please try again.".into(),
        ),
        errors: None,
        request_id: None,
    })
}

/// The users page (admins).
#[component]
pub fn UsersPage() -> impl IntoView {
    super::set_title("Users");
    let auth = use_auth();
    if !auth.can(Permission::UsersManage) {
        return view! { <NotAllowed /> }.into_any();
    }
    let me_id = auth.me().map(|m| m.id);
    let directory = expect_context::<Directory>();
    let users = RwSignal::new(Vec::<User>::new());
    let next_cursor = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let generation = StoredValue::new(0u32);

    let load = move |append: bool| {
        let query = UserListQuery {
            limit: Some(50),
            cursor: if append {
                next_cursor.get_untracked()
            } else {
                None
            },
            ..Default::default()
        };
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        loading.set(true);
        spawn_local(async move {
            let result = api::list_users(&query).await;
            if generation.try_get_value() != Some(mine) {
                return;
            }
            loading.set(false);
            match result {
                Ok(page) => {
                    if append {
                        users.update(|u| u.extend(page.items));
                    } else {
                        users.set(page.items);
                    }
                    next_cursor.set(page.next_cursor);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load(false);

    let replace = move |updated: User| {
        users.update(|list| {
            if let Some(slot) = list.iter_mut().find(|u| u.id == updated.id) {
                *slot = updated;
            }
        });
        directory.reload();
    };

    // Sends a change; on a stale version reloads and explains.
    let apply = move |user: User, patch: UserPatch, done: String, after: Option<RwSignal<bool>>| {
        error.set(None);
        notice.set(None);
        spawn_local(async move {
            match api::update_user(user.id, &patch, user.version).await {
                Ok(updated) => {
                    replace(updated);
                    notice.set(Some(done));
                    if let Some(open) = after {
                        open.set(false);
                    }
                }
                Err(e) => {
                    if let Some(open) = after {
                        open.set(false);
                    }
                    if e.is(412) {
                        load(false);
                        error.set(Some(stale(&user.name)));
                    } else {
                        error.set(Some(e));
                    }
                }
            }
        });
    };

    let create_open = RwSignal::new(false);
    let role_open = RwSignal::new(false);
    let role_user = RwSignal::new(None::<User>);
    let deactivate_open = RwSignal::new(false);
    let deactivate_user = RwSignal::new(None::<User>);

    view! {
        <PageHeader
            title="Users".to_string()
            subtitle="Everyone who can sign in to your organization. Nobody is deleted; deactivate people who leave."
                .to_string()
        >
            <button type="button" class="button primary" on:click=move |_| create_open.set(true)>
                "Add user"
            </button>
        </PageHeader>
        <Notice message=notice />
        <ErrorBanner error=error />

        <Show when=move || !users.with(Vec::is_empty) fallback=move || view! {
            <Show when=move || loading.get()>
                <Loading what="users" />
            </Show>
        }>
            <div class="table-wrap">
                <table class="data-table responsive-table">
                    <caption class="visually-hidden">"Users"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Email"</th>
                            <th scope="col">"Role"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Last sign-in"</th>
                            <th scope="col">
                                <span class="visually-hidden">"Actions"</span>
                            </th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || users.get()
                            key=|u| (u.id, u.version)
                            children=move |u| {
                                let is_me = Some(u.id) == me_id;
                                let for_role = u.clone();
                                let for_active = u.clone();
                                let name = u.name.clone();
                                view! {
                                    <tr class:inactive=!u.active>
                                        <th scope="row" data-label="Name">
                                            {u.name.clone()}
                                            {is_me.then(|| view! { <span class="muted small">" (you)"</span> })}
                                        </th>
                                        <td data-label="Email" class="wrap">{u.email.clone()}</td>
                                        <td data-label="Role">{u.role.label()}</td>
                                        <td data-label="Status">
                                            {if u.active {
                                                view! { <Tag text="Active" kind="ok" /> }.into_any()
                                            } else {
                                                view! { <Tag text="Inactive" kind="muted" /> }.into_any()
                                            }}
                                        </td>
                                        <td data-label="Last sign-in">
                                            {format::datetime_or(u.last_login_at, "Never")}
                                        </td>
                                        <td class="actions">
                                            {(!is_me)
                                                .then(|| {
                                                    let name2 = name.clone();
                                                    view! {
                                                        <button
                                                            type="button"
                                                            class="button ghost small"
                                                            on:click=move |_| {
                                                                role_user.set(Some(for_role.clone()));
                                                                role_open.set(true);
                                                            }
                                                        >
                                                            "Change role"
                                                            <span class="visually-hidden">{format!(" for {name}")}</span>
                                                        </button>
                                                        {if for_active.active {
                                                            view! {
                                                                <button
                                                                    type="button"
                                                                    class="button ghost small danger-text"
                                                                    on:click=move |_| {
                                                                        deactivate_user.set(Some(for_active.clone()));
                                                                        deactivate_open.set(true);
                                                                    }
                                                                >
                                                                    "Deactivate"
                                                                    <span class="visually-hidden">{format!(" {name2}")}</span>
                                                                </button>
                                                            }
                                                                .into_any()
                                                        } else {
                                                            view! {
                                                                <button
                                                                    type="button"
                                                                    class="button ghost small"
                                                                    on:click=move |_| {
                                                                        let u = for_active.clone();
                                                                        let done = format!("{} can sign in again.", u.name);
                                                                        apply(
                                                                            u,
                                                                            UserPatch { active: Some(true), ..Default::default() },
                                                                            done,
                                                                            None,
                                                                        );
                                                                    }
                                                                >
                                                                    "Reactivate"
                                                                    <span class="visually-hidden">{format!(" {name2}")}</span>
                                                                </button>
                                                            }
                                                                .into_any()
                                                        }}
                                                    }
                                                })}
                                        </td>
                                    </tr>
                                }
                            }
                        />
                    </tbody>
                </table>
            </div>
        </Show>
        <LoadMore
            has_more=Signal::derive(move || next_cursor.with(Option::is_some))
            loading=loading
            on_load=Callback::new(move |_| load(true))
            label="Load more users"
        />

        <Modal open=create_open title="Add user".to_string() id="add-user-dialog">
            <CreateUserForm
                on_created=Callback::new(move |u: User| {
                    create_open.set(false);
                    notice.set(Some(format!("{} was added as {}.", u.name, u.role.label().to_lowercase())));
                    load(false);
                    directory.reload();
                })
                on_cancel=Callback::new(move |_| create_open.set(false))
            />
        </Modal>

        <Modal
            open=role_open
            title=Signal::derive(move || {
                role_user.with(|u| u.as_ref().map(|u| format!("Change role for {}", u.name)).unwrap_or_default())
            })
            id="role-dialog"
        >
            {move || {
                role_user
                    .get()
                    .map(|u| {
                        let role = RwSignal::new(u.role.as_ref().to_string());
                        let busy = RwSignal::new(false);
                        let u2 = u.clone();
                        view! {
                            <form
                                class="stack"
                                novalidate
                                on:submit=move |ev| {
                                    ev.prevent_default();
                                    let Ok(new_role) = role.get_untracked().parse::<Role>() else { return };
                                    if new_role == u2.role {
                                        role_open.set(false);
                                        return;
                                    }
                                    busy.set(true);
                                    let done = format!("{} is now {}.", u2.name, new_role.label().to_lowercase());
                                    apply(
                                        u2.clone(),
                                        UserPatch { role: Some(new_role), ..Default::default() },
                                        done,
                                        Some(role_open),
                                    );
                                }
                            >
                                <SelectField
                                    id="role-select"
                                    label="Role"
                                    value=role
                                    options=Signal::stored(role_choices())
                                    on_change=Callback::new(move |v| role.set(v))
                                    hint="Admins manage users and API keys. Supervisors assign caseloads and read the audit trail. Care managers work their caseload. Viewers only read."
                                />
                                <div class="form-actions">
                                    <button type="submit" class="button primary" disabled=move || busy.get()>
                                        "Save role"
                                    </button>
                                    <button type="button" class="button secondary" on:click=move |_| role_open.set(false)>
                                        "Cancel"
                                    </button>
                                </div>
                            </form>
                        }
                    })
            }}
        </Modal>

        <Modal
            open=deactivate_open
            title=Signal::derive(move || {
                deactivate_user.with(|u| u.as_ref().map(|u| format!("Deactivate {}?", u.name)).unwrap_or_default())
            })
            id="deactivate-dialog"
        >
            {move || {
                deactivate_user
                    .get()
                    .map(|u| {
                        let u2 = u.clone();
                        view! {
                            <p>
                                {format!(
                                    "{} will be signed out everywhere at once and will not be able to sign in. Their records and audit history stay. You can reactivate them later.",
                                    u.name,
                                )}
                            </p>
                            <div class="form-actions">
                                <button
                                    type="button"
                                    class="button danger"
                                    on:click=move |_| {
                                        let done = format!("{} was deactivated.", u2.name);
                                        apply(
                                            u2.clone(),
                                            UserPatch { active: Some(false), ..Default::default() },
                                            done,
                                            Some(deactivate_open),
                                        );
                                    }
                                >
                                    "Deactivate"
                                </button>
                                <button type="button" class="button secondary" on:click=move |_| deactivate_open.set(false)>
                                    "Cancel"
                                </button>
                            </div>
                        }
                    })
            }}
        </Modal>
    }
    .into_any()
}

/// The add-user form.
#[component]
fn CreateUserForm(
    /// Called with the created user.
    on_created: Callback<User>,
    /// Called when the person gives up.
    on_cancel: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(Role::CareManager.as_ref().to_string());
    let password = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let server = RwSignal::new(Vec::<FieldError>::new());
    let banner = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);

    let current = move || NewUser {
        email: email.get(),
        name: name.get(),
        role: role.get().parse().unwrap_or(Role::CareManager),
        password: password.get(),
    };
    let client = Memo::new(move |_| new_user_errors(&current()));
    let error_for = move |field: &'static str| {
        Signal::derive(move || {
            server.with(|s| message_for(s, field)).or_else(|| {
                submitted
                    .get()
                    .then(|| client.with(|c| message_for(c, field)))
                    .flatten()
            })
        })
    };
    let edit = move |field: &'static str, target: RwSignal<String>| {
        Callback::new(move |v: String| {
            target.set(v);
            server.update(|s| s.retain(|e| e.field != field));
        })
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        submitted.set(true);
        banner.set(None);
        let new = current();
        let errors = new_user_errors(&new);
        if let Some(first) = first_in_form(&errors) {
            crate::components::patient_form::focus_element(&format!("new-user-{}", first.field));
            return;
        }
        let new = new.normalized();
        busy.set(true);
        spawn_local(async move {
            let result = api::create_user(&new).await;
            busy.set(false);
            match result {
                Ok(u) => on_created.run(u),
                Err(e) if e.is(422) && !e.field_errors().is_empty() => server.set(e.field_errors()),
                Err(e) => banner.set(Some(e)),
            }
        });
    };

    view! {
        <ErrorBanner error=banner />
        <form class="stack" novalidate on:submit=on_submit>
            <TextField id="new-user-name" label="Name" required=true value=name on_input=edit("name", name) error=error_for("name") autocomplete="off" />
            <TextField
                id="new-user-email"
                label="Email"
                input_type="email"
                required=true
                value=email
                on_input=edit("email", email)
                error=error_for("email")
                autocomplete="off"
                hint="This is what they sign in with."
            />
            <SelectField
                id="new-user-role"
                label="Role"
                required=true
                value=role
                options=Signal::stored(role_choices())
                on_change=edit("role", role)
                error=error_for("role")
            />
            <TextField
                id="new-user-password"
                label="Initial password"
                input_type="password"
                required=true
                value=password
                on_input=edit("password", password)
                error=error_for("password")
                autocomplete="new-password"
                hint="12 to 128 characters. Give it to the person in a safe way."
            />
            <div class="form-actions">
                <button type="submit" class="button primary" disabled=move || busy.get()>
                    {move || if busy.get() { "Adding…" } else { "Add user" }}
                </button>
                <button type="button" class="button secondary" on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_user_needs_a_name_an_email_and_a_long_password() {
        let errs = new_user_errors(&NewUser {
            email: "nope".into(),
            name: " ".into(),
            role: Role::Viewer,
            password: "short".into(),
        });
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["email", "name", "password"]);
        assert_eq!(first_in_form(&errs).map(|e| e.field.as_str()), Some("name"));
        assert_eq!(
            message_for(&errs, "name").as_deref(),
            Some("Name is required.")
        );
        assert!(
            new_user_errors(&NewUser {
                email: "jo@riverside.example".into(),
                name: "Jo".into(),
                role: Role::Viewer,
                password: "a-long-enough-pass".into(),
            })
            .is_empty()
        );
    }
}
