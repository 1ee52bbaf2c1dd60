//! The overview tab of a patient's record, one module a card: the record
//! itself (`details`), open alerts and tasks, risk (with its override),
//! gaps in care (with the chart review that turns them into tasks), the
//! latest screenings, case status, care manager, care team and contacts
//! (each card's add form in a module of its own).

mod alerts;
mod care_manager;
mod care_team;
mod care_team_form;
mod contact_form;
mod contacts;
mod details;
mod gaps;
mod risk;
mod screenings;
mod status;
mod tasks;

pub use details::PatientOverviewTab;
