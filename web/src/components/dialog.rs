//! A modal dialog on the native `<dialog>` element: focus moves into it,
//! Escape closes it, and the page behind is inert.

use leptos::html;
use leptos::prelude::*;

/// A modal dialog shown while `open` is true. The content is created each
/// time it opens, so forms inside start fresh.
#[component]
pub fn Modal(
    /// Whether it is open; closing (Escape, the close button) sets it false.
    open: RwSignal<bool>,
    /// The heading.
    #[prop(into)]
    title: Signal<String>,
    /// The id of the heading (unique on the page).
    #[prop(into)]
    id: String,
    /// The content.
    children: ChildrenFn,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    Effect::new(move || {
        let want_open = open.get();
        if let Some(d) = dialog.get() {
            if want_open && !d.open() {
                let _ = d.show_modal();
            } else if !want_open && d.open() {
                d.close();
            }
        }
    });
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    view! {
        <dialog
            node_ref=dialog
            class="modal"
            id=id
            aria-labelledby=labelled_by
            on:close=move |_| open.set(false)
        >
            <div class="modal-head">
                <h2 id=title_id>{move || title.get()}</h2>
                <button
                    type="button"
                    class="icon-button"
                    aria-label="Close"
                    on:click=move |_| open.set(false)
                >
                    "×"
                </button>
            </div>
            <div class="modal-body">
                <Show when=move || open.get()>{children()}</Show>
            </div>
        </dialog>
    }
}
