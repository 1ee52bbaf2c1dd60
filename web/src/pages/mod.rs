//! One module per screen.

mod api_keys;
mod audit;
mod home;
mod login;
mod not_found;
mod patient;
mod patient_appointments;
mod patient_encounters;
mod patient_new;
mod patient_notes;
mod patient_overview;
mod patient_timeline;
mod patients;
mod team;
mod users;
mod worklist;

pub use api_keys::ApiKeysPage;
pub use audit::AuditPage;
pub use home::HomePage;
pub use login::LoginPage;
pub use not_found::{NotAllowed, NotFound};
pub use patient::{PatientOverviewTab, PatientPage};
pub use patient_appointments::PatientAppointmentsTab;
pub use patient_encounters::PatientEncountersTab;
pub use patient_new::NewPatientPage;
pub use patient_notes::PatientNotesTab;
pub use patient_timeline::PatientTimelineTab;
pub use patients::PatientsPage;
pub use team::TeamPage;
pub use users::UsersPage;
pub use worklist::{MemberWorklistPage, WorklistPage};

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
