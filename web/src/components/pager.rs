//! "Load more" for cursor-paginated lists.

use leptos::prelude::*;

/// A button that fetches the next page; hidden on the last page.
#[component]
pub fn LoadMore(
    /// Whether there is a next page.
    #[prop(into)]
    has_more: Signal<bool>,
    /// Whether a page is on its way.
    #[prop(into)]
    loading: Signal<bool>,
    /// Fetches the next page.
    on_load: Callback<()>,
    /// The button's words.
    #[prop(into, default = "Load more".to_string())]
    label: String,
) -> impl IntoView {
    view! {
        <Show when=move || has_more.get()>
            <div class="load-more">
                <button
                    type="button"
                    class="button secondary"
                    disabled=move || loading.get()
                    on:click=move |_| on_load.run(())
                >
                    {let label = label.clone();
                    move || if loading.get() { "Loading…".to_string() } else { label.clone() }}
                </button>
            </div>
        </Show>
    }
}
