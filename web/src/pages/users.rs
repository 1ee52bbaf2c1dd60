//! Administering users: the list, adding someone, changing a role,
//! deactivating and reactivating. Every change names the version it is based on.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::{Permission, Role};
use shared::problem::{FieldError, ProblemKind};
use shared::users::{NewUser, User, UserListQuery, UserPatch};
use shared::validation::Normalize;
use strum::VariantArray;

use super::not_found::NotAllowed;
use crate::client;
use crate::components::forms::{field_message, stale_with};
use crate::components::{
    ActionForm, Button, Column, ErrorBanner, FormActions, ListPageHead, Modal, PagedList,
    PagedTable, SelectField, Tag, TextField, choices, use_paged_list,
};
use crate::dom::{focus_element, set_title};
use crate::format;
use crate::rules;
use crate::state::{Directory, use_auth};
use crate::transport::ApiError;

/// Users per page.
const PAGE: i64 = 50;

/// The user table's columns.
const COLUMNS: &[Column] = &[
    Column::Text("Name"),
    Column::Text("Email"),
    Column::Text("Role"),
    Column::Text("Status"),
    Column::Text("Last sign-in"),
    Column::Actions,
];

fn role_choices() -> Signal<Vec<crate::components::Choice>> {
    Signal::stored(choices(Role::VARIANTS, |r| r.label().into(), None))
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
    field_message(errors, field, label_of(field))
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
    rules::errors(new.clone())
}

fn stale(what: &str) -> ApiError {
    stale_with(
        what,
        "Nothing was changed. The list now shows the latest version; please try again.",
    )
}

/// The users page (admins).
#[component]
pub fn UsersPage() -> impl IntoView {
    set_title("Users");
    let auth = use_auth();
    if !auth.can(Permission::UsersManage) {
        return view! { <NotAllowed /> }.into_any();
    }
    let me_id = auth.me().map(|m| m.id);
    let directory = expect_context::<Directory>();
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let list = use_paged_list(PAGE, |page| async move {
        client::list_users(&UserListQuery::default(), &page).await
    });
    list.reload();
    let users = list.items;

    let changes = UserChanges {
        list,
        error,
        notice,
        directory,
    };
    let create_open = RwSignal::new(false);
    let role_dialog = UserDialog::new();
    let deactivate_dialog = UserDialog::new();

    view! {
        <ListPageHead
            title="Users"
            subtitle="Everyone who can sign in to your organization. Nobody is deleted; deactivate people who leave."
            action="Add user"
            on_action=Callback::new(move |()| create_open.set(true))
            notice=notice
            error=list.error_or(error)
        />

        <PagedTable
            list=list
            what="users"
            more="Load more users"
            caption="Users"
            columns=COLUMNS
        >
            <For
                each=move || users.get()
                key=|u| (u.id, u.version)
                children=move |u| {
                    let is_me = Some(u.id) == me_id;
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
                                        view! {
                                            <UserRowActions
                                                user=u.clone()
                                                changes=changes
                                                role_dialog=role_dialog
                                                deactivate_dialog=deactivate_dialog
                                            />
                                        }
                                    })}
                            </td>
                        </tr>
                    }
                }
            />
        </PagedTable>

        <Modal open=create_open title="Add user".to_string() id="add-user-dialog">
            <CreateUserForm
                on_created=Callback::new(move |u: User| {
                    create_open.set(false);
                    notice.set(Some(format!("{} was added as {}.", u.name, u.role.label().to_lowercase())));
                    list.reload();
                    directory.reload();
                })
                on_cancel=Callback::new(move |()| create_open.set(false))
            />
        </Modal>

        <Modal
            open=role_dialog.open
            title=role_dialog.title(|u| format!("Change role for {}", u.name))
            id="role-dialog"
        >
            {move || {
                role_dialog
                    .user
                    .get()
                    .map(|u| view! { <RoleForm user=u changes=changes open=role_dialog.open /> })
            }}
        </Modal>

        <Modal
            open=deactivate_dialog.open
            title=deactivate_dialog.title(|u| format!("Deactivate {}?", u.name))
            id="deactivate-dialog"
        >
            {move || {
                deactivate_dialog
                    .user
                    .get()
                    .map(|u| {
                        view! { <DeactivateConfirm user=u changes=changes open=deactivate_dialog.open /> }
                    })
            }}
        </Modal>
    }
    .into_any()
}

/// Changes to the listed users, one dialog or button at a time.
#[derive(Clone, Copy)]
struct UserChanges {
    list: PagedList<User>,
    error: RwSignal<Option<ApiError>>,
    notice: RwSignal<Option<String>>,
    directory: Directory,
}

impl UserChanges {
    /// Sends `patch` for `user` and says `done` once saved (closing the
    /// dialog `after`, if one asked); on a stale version the list reloads
    /// and the person is told nothing was changed.
    fn apply(self, user: User, patch: UserPatch, done: String, after: Option<RwSignal<bool>>) {
        self.error.set(None);
        self.notice.set(None);
        spawn_local(async move {
            let result = client::update_user(user.id, &patch, user.version).await;
            if let Some(open) = after {
                open.set(false);
            }
            match result {
                Ok(updated) => {
                    self.list.items.update(|all| {
                        if let Some(slot) = all.iter_mut().find(|u| u.id == updated.id) {
                            *slot = updated;
                        }
                    });
                    self.directory.reload();
                    self.notice.set(Some(done));
                }
                Err(e) if e.is(ProblemKind::StaleVersion) => {
                    self.list.reload();
                    self.error.set(Some(stale(&user.name)));
                }
                Err(e) => self.error.set(Some(e)),
            }
        });
    }
}

/// A dialog about one user: whether it is open, and for whom.
#[derive(Debug, Clone, Copy)]
struct UserDialog {
    open: RwSignal<bool>,
    user: RwSignal<Option<User>>,
}

impl UserDialog {
    fn new() -> Self {
        UserDialog {
            open: RwSignal::new(false),
            user: RwSignal::new(None),
        }
    }

    /// Opens the dialog about `user`.
    fn show(self, user: User) {
        self.user.set(Some(user));
        self.open.set(true);
    }

    /// The dialog's title, `title` of the user it is about (tracked).
    fn title(self, title: fn(&User) -> String) -> Signal<String> {
        Signal::derive(move || {
            self.user
                .with(|u| u.as_ref().map(title).unwrap_or_default())
        })
    }
}

/// A row's buttons: change the role, deactivate or reactivate (never for
/// the signed-in admin themself). Each names the user for screen readers.
#[component]
fn UserRowActions(
    /// The user of the row.
    user: User,
    /// How changes are sent.
    changes: UserChanges,
    /// The role dialog.
    role_dialog: UserDialog,
    /// The deactivation dialog.
    deactivate_dialog: UserDialog,
) -> impl IntoView {
    let name = user.name.clone();
    let for_role = user.clone();
    let change_role = view! {
        <button
            type="button"
            class="button ghost small"
            on:click=move |_| role_dialog.show(for_role.clone())
        >
            "Change role"
            <span class="visually-hidden">{format!(" for {name}")}</span>
        </button>
    };
    let name = format!(" {}", user.name);
    let activation = if user.active {
        view! {
            <button
                type="button"
                class="button ghost small danger-text"
                on:click=move |_| deactivate_dialog.show(user.clone())
            >
                "Deactivate"
                <span class="visually-hidden">{name}</span>
            </button>
        }
        .into_any()
    } else {
        let reactivate = move |_| {
            let done = format!("{} can sign in again.", user.name);
            let patch = UserPatch {
                active: Some(true),
                ..Default::default()
            };
            changes.apply(user.clone(), patch, done, None);
        };
        view! {
            <button type="button" class="button ghost small" on:click=reactivate>
                "Reactivate"
                <span class="visually-hidden">{name}</span>
            </button>
        }
        .into_any()
    };
    view! {
        {change_role}
        {activation}
    }
}

/// Changing a user's role.
#[component]
fn RoleForm(
    /// The user.
    user: User,
    /// How the change is sent.
    changes: UserChanges,
    /// Whether the dialog is open.
    open: RwSignal<bool>,
) -> impl IntoView {
    let role = RwSignal::new(user.role.as_ref().to_string());
    let busy = RwSignal::new(false);
    let save = Callback::new(move |()| {
        let Ok(new_role) = role.get_untracked().parse::<Role>() else {
            return;
        };
        if new_role == user.role {
            open.set(false);
            return;
        }
        busy.set(true);
        let done = format!("{} is now {}.", user.name, new_role.label().to_lowercase());
        let patch = UserPatch {
            role: Some(new_role),
            ..Default::default()
        };
        changes.apply(user.clone(), patch, done, Some(open));
    });
    view! {
        <ActionForm on_submit=save busy=busy>
            <SelectField
                id="role-select"
                label="Role"
                value=role
                options=role_choices()
                on_change=Callback::new(move |v| role.set(v))
                hint="Admins manage users and API keys. Supervisors assign caseloads and read the audit trail. Care managers work their caseload. Viewers only read."
            />
            <FormActions
                button=Button::submit("Save role").disabled_while(busy)
                on_back=Callback::new(move |()| open.set(false))
            />
        </ActionForm>
    }
}

/// Confirming that a user is to be deactivated.
#[component]
fn DeactivateConfirm(
    /// The user.
    user: User,
    /// How the change is sent.
    changes: UserChanges,
    /// Whether the dialog is open.
    open: RwSignal<bool>,
) -> impl IntoView {
    let warning = format!(
        "{} will be signed out everywhere at once and will not be able to sign in. Their records and audit history stay. You can reactivate them later.",
        user.name,
    );
    let deactivate = Callback::new(move |()| {
        let done = format!("{} was deactivated.", user.name);
        let patch = UserPatch {
            active: Some(false),
            ..Default::default()
        };
        changes.apply(user.clone(), patch, done, Some(open));
    });
    view! {
        <p>{warning}</p>
        <FormActions
            button=Button::run("Deactivate", deactivate).look("danger")
            on_back=Callback::new(move |()| open.set(false))
        />
    }
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

    let on_submit = Callback::new(move |()| {
        submitted.set(true);
        banner.set(None);
        let new = current();
        let errors = new_user_errors(&new);
        if let Some(first) = first_in_form(&errors) {
            focus_element(&format!("new-user-{}", first.field));
            return;
        }
        let new = new.normalized();
        busy.set(true);
        spawn_local(async move {
            let result = client::create_user(&new).await;
            busy.set(false);
            match result {
                Ok(u) => on_created.run(u),
                Err(e) if e.is(ProblemKind::Validation) && !e.field_errors().is_empty() => {
                    server.set(e.field_errors());
                }
                Err(e) => banner.set(Some(e)),
            }
        });
    });

    view! {
        <ErrorBanner error=banner />
        <ActionForm on_submit=on_submit busy=busy>
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
                options=role_choices()
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
            <FormActions
                button=Button::submit("Add user").busy(busy, "Adding…")
                on_back=on_cancel
            />
        </ActionForm>
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
