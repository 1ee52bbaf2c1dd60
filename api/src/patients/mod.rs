//! Patients: demographics, identifiers, case status and care manager.

pub mod routes;
pub mod search;
pub mod store;
