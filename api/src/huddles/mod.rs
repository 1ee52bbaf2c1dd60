//! Huddles: the team's case conference — date, attendees, the patients
//! discussed with notes, and action items that become tasks in the same
//! transaction — and the agenda proposed from the worklists' records
//! (safety flags, new discharges, overdue work, high-risk patients).

pub mod routes;
pub mod service;
pub mod store;
