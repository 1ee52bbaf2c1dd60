//! The few things the SPA does to the document directly: its title, and
//! moving keyboard focus where the person's attention should go next (a
//! banner that explains a refusal, the first field of a form that opened).

use wasm_bindgen::JsCast;

/// Sets the document title (`<page> · Care Manager`), which is what screen
/// readers announce and browser history shows.
pub fn set_title(page: &str) {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        doc.set_title(&format!("{page} · Care Manager"));
    }
}

/// Focuses the element with `id`, if it exists.
pub fn focus_element(id: &str) {
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(el) = el {
        // Focus is a courtesy: an element that cannot take it is no error.
        let _ = el.focus();
    }
}

/// Moves keyboard focus to the element with `id` once the view has rendered
/// it (a form that opens this very moment, say).
pub fn focus_later(id: impl Into<String>) {
    let id = id.into();
    leptos::task::spawn_local(async move {
        leptos::task::tick().await;
        focus_element(&id);
    });
}
