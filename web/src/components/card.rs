//! Cards: a section of a page named by its heading. A card that lists
//! records (open alerts, open tasks, the care team, contacts) also says
//! what the last change did and what went wrong, and its heading (with the
//! count, when it has one) is where focus goes after a change.

use leptos::prelude::*;

use crate::components::banner::{ErrorBanner, Notice};
use crate::transport::ApiError;

/// A card of facts or controls.
#[component]
pub fn Card(
    /// The heading's id (the card is named by it).
    id: &'static str,
    /// The heading's words.
    title: &'static str,
    /// The content.
    children: Children,
) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby=id>
            <h2 id=id>{title}</h2>
            {children()}
        </section>
    }
}

/// A card listing records; `children` are the list and its controls.
#[component]
pub fn ListCard(
    /// The heading's id (the card is named by it; focus goes to it).
    id: &'static str,
    /// The heading's words.
    title: &'static str,
    /// How many records there are, shown after the title when any.
    #[prop(optional, into)]
    count: Option<Signal<usize>>,
    /// What the last change did.
    notice: RwSignal<Option<String>>,
    /// What went wrong.
    #[prop(into)]
    error: Signal<Option<ApiError>>,
    /// The list and its controls.
    children: Children,
) -> impl IntoView {
    let count = move || {
        count
            .map(|n| n.get())
            .filter(|n| *n > 0)
            .map(|n| view! { <span class="band-count">{format!(" ({n})")}</span> })
    };
    view! {
        <section class="card" aria-labelledby=id>
            <h2 id=id tabindex="-1">
                {title}
                {count}
            </h2>
            <Notice message=notice inline=true />
            <ErrorBanner error=error />
            {children()}
        </section>
    }
}

/// One fact in a `<dl class="facts">`: its label and value, or `none`
/// (in muted words) when there is no value.
pub fn fact(label: &'static str, value: Option<String>, none: &'static str) -> impl IntoView {
    view! {
        <div class="fact">
            <dt>{label}</dt>
            {match value {
                Some(v) if !v.is_empty() => view! { <dd>{v}</dd> }.into_any(),
                _ => view! { <dd class="muted">{none}</dd> }.into_any(),
            }}
        </div>
    }
}

/// One fact whose value is markup (a link, a badge).
pub fn fact_view(label: &'static str, value: AnyView) -> impl IntoView {
    view! {
        <div class="fact">
            <dt>{label}</dt>
            <dd>{value}</dd>
        </div>
    }
}
