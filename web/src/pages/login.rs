//! Signing in.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::client;
use crate::components::{ActionForm, Button, ErrorBanner, SubmitButton, TextField};
use crate::dom::{focus_element, set_title};
use crate::session::{self, safe_next};
use crate::state::{AuthState, use_auth};
use crate::transport::ApiError;

/// The sign-in page. After signing in, the person goes back to where they
/// were (`?next=`), else to the patient list.
#[component]
pub fn LoginPage() -> impl IntoView {
    set_title("Sign in");
    let auth = use_auth();
    let navigate = use_navigate();
    let query = use_query_map();
    let next = move || safe_next(query.with_untracked(|q| q.get("next")).as_deref());

    // Someone already signed in (or resumed) goes on at once.
    {
        let navigate = navigate.clone();
        Effect::new(move || {
            if matches!(auth.0.get(), AuthState::SignedIn(_)) {
                navigate(
                    &next(),
                    NavigateOptions {
                        replace: true,
                        ..Default::default()
                    },
                );
            }
        });
    }

    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let email_error = RwSignal::new(None::<String>);
    let password_error = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let notice = move || {
        auth.0.with(|s| match s {
            AuthState::SignedOut { notice } => notice.clone(),
            _ => None,
        })
    };

    let on_submit = Callback::new(move |()| {
        let e = email.get_untracked();
        let p = password.get_untracked();
        email_error.set(
            e.trim()
                .is_empty()
                .then(|| "Enter your email address.".into()),
        );
        password_error.set(p.is_empty().then(|| "Enter your password.".into()));
        if e.trim().is_empty() {
            focus_element("login-email");
            return;
        }
        if p.is_empty() {
            focus_element("login-password");
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = match session::sign_in(&e, &p).await {
                Ok(()) => client::me().await,
                Err(err) => Err(err),
            };
            busy.set(false);
            match result {
                Ok(me) => auth.0.set(AuthState::SignedIn(me)),
                Err(err) => {
                    password.set(String::new());
                    error.set(Some(err));
                    focus_element("login-password");
                }
            }
        });
    });

    // Both inputs are required and forget their error as the person types.
    let credential = |id: &'static str,
                      label: &'static str,
                      input_type: &'static str,
                      autocomplete: &'static str,
                      value: RwSignal<String>,
                      error: RwSignal<Option<String>>| {
        view! {
            <TextField
                id=id
                label=label
                input_type=input_type
                autocomplete=autocomplete
                required=true
                value=value
                on_input=Callback::new(move |v| {
                    value.set(v);
                    error.set(None);
                })
                error=error
            />
        }
    };

    view! {
        <main class="login-page">
            <div class="login-card">
                <div class="login-brand">
                    <span class="brand-mark" aria-hidden="true"></span>
                    <span>"Care Manager"</span>
                </div>
                <h1>"Sign in"</h1>
                {move || {
                    notice()
                        .map(|n| {
                            view! {
                                <div class="banner banner-info" role="status">
                                    {n}
                                </div>
                            }
                        })
                }}
                <ErrorBanner error=error />
                <ActionForm on_submit=on_submit busy=busy class="login-form">
                    {credential("login-email", "Email", "email", "username", email, email_error)}
                    {credential(
                        "login-password",
                        "Password",
                        "password",
                        "current-password",
                        password,
                        password_error,
                    )}
                    <SubmitButton
                        button=Button::submit("Sign in").busy(busy, "Signing in…").look("primary wide")
                    />
                </ActionForm>
                <p class="login-foot">
                    "For care-management staff. Access is logged."
                </p>
            </div>
        </main>
    }
}
