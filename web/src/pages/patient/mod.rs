//! One patient's record: the page with its header and tabs (`record`),
//! editing the record (`edit`), and one folder or module a tab. What the
//! parts share — the loaded patient, the tabs' addresses — is in `context`.

mod appointments;
mod care_plan;
mod context;
mod edit;
mod education;
mod encounters;
mod header;
mod notes;
mod overview;
mod record;
mod referrals;
mod screenings;
mod timeline;

pub use appointments::PatientAppointmentsTab;
pub use care_plan::PatientCarePlanTab;
pub use education::PatientEducationTab;
pub use encounters::PatientEncountersTab;
pub use notes::PatientNotesTab;
pub use overview::PatientOverviewTab;
pub use record::PatientPage;
pub use referrals::PatientReferralsTab;
pub use screenings::PatientScreeningsTab;
pub use timeline::PatientTimelineTab;
