//! The Referrals tab: the patient's referrals and the draft form with its
//! live medical-necessity check (`form`), the patient's program
//! enrollments (`enrollments`), put together by `tab`.

mod enrollments;
mod form;
mod tab;

pub use tab::PatientReferralsTab;
