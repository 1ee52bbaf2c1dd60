//! The frame of a screen: its heading (with room for actions), the
//! breadcrumb that leads back up, and the frame of a record's tab.

use leptos::prelude::*;

use crate::components::banner::{ErrorBanner, Notice};
use crate::transport::ApiError;

/// A page heading with room for actions on the right.
#[component]
pub fn PageHeader(
    /// The heading.
    #[prop(into)]
    title: Signal<String>,
    /// A line under the heading.
    #[prop(optional, into)]
    subtitle: MaybeProp<String>,
    /// Buttons and links.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="page-header">
            <div>
                <h1>{move || title.get()}</h1>
                {move || subtitle.get().map(|s| view! { <p class="page-subtitle">{s}</p> })}
            </div>
            <div class="page-actions">{children.map(|c| c())}</div>
        </div>
    }
}

/// "Parent / this page": a link up and the current page's name.
#[component]
pub fn Breadcrumb(
    /// Where the link up goes.
    href: &'static str,
    /// The link's words.
    label: &'static str,
    /// The current page's name.
    #[prop(into)]
    current: Signal<String>,
) -> impl IntoView {
    view! {
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <a href=href>{label}</a>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">{move || current.get()}</span>
        </nav>
    }
}

/// One tab of a record: its heading (with an action beside it, such as
/// the button that opens the tab's add form), what the last change did
/// (focus goes there), what went wrong, then the tab's content.
#[component]
pub fn TabSection(
    /// The heading's words (the tab is named by it).
    title: &'static str,
    /// What goes beside the heading.
    #[prop(optional, into)]
    action: Option<ViewFnOnce>,
    /// What the last change did, and the id focus moves to after one.
    #[prop(optional)]
    notice: Option<(RwSignal<Option<String>>, &'static str)>,
    /// What went wrong.
    #[prop(into)]
    error: Signal<Option<ApiError>>,
    /// The tab's content.
    children: Children,
) -> impl IntoView {
    let heading = view! { <h2 id="tab-heading">{title}</h2> };
    let head = match action {
        Some(action) => view! {
            <div class="section-head">
                {heading}
                {action.run()}
            </div>
        }
        .into_any(),
        None => heading.into_any(),
    };
    view! {
        <section aria-labelledby="tab-heading">
            {head}
            {notice.map(|(message, id)| view! { <Notice message=message id=id /> })}
            <ErrorBanner error=error />
            {children()}
        </section>
    }
}

/// The top of an admin list page (users, API keys, webhooks, identifier
/// systems): the heading with its one primary action, then the notice that
/// confirms the last change and the banner of the last failure.
#[component]
pub fn ListPageHead(
    /// The heading.
    title: &'static str,
    /// What the page holds and why.
    subtitle: &'static str,
    /// The primary button's words ("Add user").
    action: &'static str,
    /// What the primary button does.
    on_action: Callback<()>,
    /// The confirmation of the last change.
    notice: RwSignal<Option<String>>,
    /// The list's or the last action's failure.
    #[prop(into)]
    error: Signal<Option<ApiError>>,
) -> impl IntoView {
    view! {
        <PageHeader title=title.to_string() subtitle=subtitle.to_string()>
            <button type="button" class="button primary" on:click=move |_| on_action.run(())>
                {action}
            </button>
        </PageHeader>
        <Notice message=notice />
        <ErrorBanner error=error />
    }
}
