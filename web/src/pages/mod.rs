//! One module per screen; the patient record is a folder with one module
//! per tab. This file only names them and re-exports the screens the router
//! mounts.

mod api_keys;
mod audit;
mod criteria;
mod home;
mod login;
mod not_found;
mod patient;
mod patient_new;
mod patients;
mod providers;
mod referrals;
mod team;
mod users;
mod worklist;

pub use api_keys::ApiKeysPage;
pub use audit::AuditPage;
pub use criteria::CriteriaPage;
pub use home::HomePage;
pub use login::LoginPage;
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
pub use team::TeamPage;
pub use users::UsersPage;
pub use worklist::{MemberWorklistPage, WorklistPage};
