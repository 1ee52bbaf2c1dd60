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

/// Has the browser save `text` as a file named `file_name` (of `mime`
/// type): a `Blob` behind an object URL, followed by a link with
/// `download` that is clicked and taken away again. The URL is let go a
/// minute later, when the download has long read it.
pub fn download_text(file_name: &str, mime: &str, text: &str) -> Result<(), String> {
    let fail = |what: &str, e: wasm_bindgen::JsValue| format!("{what}: {e:?}");
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let body = document.body().ok_or("no body")?;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|e| fail("blob", e))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| fail("url", e))?;
    let link = document
        .create_element("a")
        .map_err(|e| fail("link", e))?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| "not a link".to_string())?;
    link.set_href(&url);
    link.set_download(file_name);
    link.set_hidden(true);
    body.append_child(&link).map_err(|e| fail("append", e))?;
    link.click();
    link.remove();
    leptos::task::spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(60_000).await;
        // Only memory is at stake: a URL that cannot be let go stays until the page does.
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    Ok(())
}
