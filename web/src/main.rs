//! Care Manager's browser app: a leptos single-page app rendered on the
//! client, talking to the API under `/api/v1` on the same origin.
//!
//! Talking to the API is a one-way stack, each layer using only the ones
//! before it: `transport` (raw HTTP, problem documents) → `session` (tokens
//! and their silent renewal) → `client` (the typed calls) → `state` (who
//! is signed in, the organization's users, the patient list's filters).
//! Screens (`pages`) are made of `components` and use the stack from the
//! top.
#![expect(
    clippy::too_many_lines,
    reason = "a component is one `view!` of markup and the handlers it wires; \
              cutting a form across functions to fit a line count would scatter it"
)]

mod app;
mod client;
mod components;
mod dom;
mod format;
mod lazy_routes;
mod pages;
mod patient_form_model;
mod routes;
mod rules;
mod session;
mod state;
#[cfg(test)]
mod test_support;
mod transport;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
