//! Banners: problems from the API (with the request id to quote) and
//! confirmations, announced to screen readers.

use leptos::prelude::*;

use crate::api::ApiError;

/// Shows an API error, if there is one.
#[component]
pub fn ErrorBanner(
    /// The error.
    #[prop(into)]
    error: Signal<Option<ApiError>>,
) -> impl IntoView {
    view! {
        <div class="banner-slot" aria-live="assertive">
            {move || {
                error
                    .get()
                    .map(|e| {
                        view! {
                            <div class="banner banner-error" role="alert">
                                <p class="banner-title">{e.title()}</p>
                                <p>{e.message()}</p>
                                {e
                                    .request_id()
                                    .map(|id| {
                                        view! {
                                            <p class="banner-meta">
                                                "Request id " <code>{id}</code>
                                            </p>
                                        }
                                    })}
                            </div>
                        }
                    })
            }}
        </div>
    }
}

/// A confirmation ("Changes saved."), if there is one.
#[component]
pub fn Notice(
    /// The message.
    #[prop(into)]
    message: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <div class="banner-slot" role="status">
            {move || {
                message.get().map(|m| view! { <div class="banner banner-success">{m}</div> })
            }}
        </div>
    }
}

/// "Loading …" for a region that is on its way.
#[component]
pub fn Loading(
    /// What is loading.
    #[prop(into)]
    what: String,
) -> impl IntoView {
    view! {
        <p class="loading" role="status">
            <span class="spinner" aria-hidden="true"></span>
            {format!("Loading {what}…")}
        </p>
    }
}
