//! One module per screen; the patient record is a folder with one module
//! per tab. This file only names them and re-exports the screens the router
//! mounts.

mod api_keys;
mod audit;
mod criteria;
mod home;
mod huddles;
mod identifier_systems;
mod login;
mod measures;
mod not_found;
mod patient;
mod patient_new;
mod patients;
mod providers;
mod referrals;
mod reports;
mod team;
mod users;
mod webhooks;
mod worklist;

pub use api_keys::ApiKeysPage;
pub use audit::AuditPage;
pub use criteria::CriteriaPage;
pub use home::HomePage;
pub use huddles::HuddlesPage;
pub use identifier_systems::IdentifierSystemsPage;
pub use login::LoginPage;
pub use measures::{MeasurePage, MeasuresPage};
pub use not_found::NotFound;
pub use patient::{
    PatientAppointmentsTab, PatientCarePlanTab, PatientEducationTab, PatientEncountersTab,
    PatientNotesTab, PatientOverviewTab, PatientPage, PatientReferralsTab, PatientScreeningsTab,
    PatientTimelineTab,
};
pub use patient_new::NewPatientPage;
pub use patients::PatientsPage;
pub use providers::{PipelinePage, ProviderPage, ProvidersPage};
pub use referrals::{ReferralBoardPage, ReferralPage};
pub use reports::ReportsPage;
pub use team::TeamPage;
pub use users::UsersPage;
pub use webhooks::WebhooksPage;
pub use worklist::{MemberWorklistPage, WorklistPage};
