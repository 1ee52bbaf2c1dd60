//! Care Manager's browser app: a leptos single-page app rendered on the
//! client, talking to the API under `/api/v1` on the same origin.

mod api;
mod app;
mod components;
mod format;
mod pages;
mod patient_form;
mod session;
mod state;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
