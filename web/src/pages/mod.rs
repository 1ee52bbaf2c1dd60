//! One module per screen.

mod api_keys;
mod audit;
mod login;
mod not_found;
mod patient;
mod patient_new;
mod patients;
mod users;

pub use api_keys::ApiKeysPage;
pub use audit::AuditPage;
pub use login::LoginPage;
pub use not_found::{NotAllowed, NotFound};
pub use patient::PatientPage;
pub use patient_new::NewPatientPage;
pub use patients::PatientsPage;
pub use users::UsersPage;

use leptos::prelude::*;

/// Sets the document title (`<page> · Care Manager`).
pub fn set_title(page: &str) {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        doc.set_title(&format!("{page} · Care Manager"));
    }
}

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
