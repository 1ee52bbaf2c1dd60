//! Banners: problems from the API (with the request id to quote) and
//! confirmations, announced to screen readers.

use leptos::prelude::*;

use crate::transport::ApiError;

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

/// A confirmation ("Changes saved."), if there is one, announced politely.
#[component]
pub fn Notice(
    /// The message.
    #[prop(into)]
    message: Signal<Option<String>>,
    /// An id, for a notice that focus moves to after the change it confirms
    /// (it can then take focus).
    #[prop(optional, into)]
    id: Option<String>,
    /// A one-line confirmation inside a card or a row, instead of a banner.
    #[prop(optional)]
    inline: bool,
) -> impl IntoView {
    let focusable = id.is_some().then_some("-1");
    view! {
        <div id=id class="banner-slot" role="status" tabindex=focusable>
            {move || {
                message
                    .get()
                    .map(|m| {
                        if inline {
                            view! { <p class="inline-notice">{m}</p> }.into_any()
                        } else {
                            view! { <div class="banner banner-success">{m}</div> }.into_any()
                        }
                    })
            }}
        </div>
    }
}

/// "Loading …" for a region that is on its way.
#[component]
pub fn Loading(
    /// What is loading ("patients" reads "Loading patients…").
    what: &'static str,
) -> impl IntoView {
    view! {
        <p class="loading" role="status">
            <span class="spinner" aria-hidden="true"></span>
            {format!("Loading {what}…")}
        </p>
    }
}

/// A record page before its record is shown: "Loading …" while it is on
/// its way, or why it could not be loaded and the way back.
#[component]
pub fn NotLoaded(
    /// What is loading ("the patient").
    what: &'static str,
    /// The page's heading while there is no record to name it.
    #[prop(optional)]
    heading: Option<&'static str>,
    /// Where "back" goes.
    back_href: &'static str,
    /// The way back, in words ("Back to patients").
    back_label: &'static str,
    /// Why it could not be loaded, once that is known.
    #[prop(into)]
    error: Signal<Option<ApiError>>,
) -> impl IntoView {
    view! {
        <Show
            when=move || error.with(Option::is_some)
            fallback=move || view! { <Loading what=what /> }
        >
            {heading.map(|h| view! { <h1>{h}</h1> })}
            <ErrorBanner error=error />
            <p>
                <a href=back_href>{back_label}</a>
            </p>
        </Show>
    }
}
