//! The audit trail: one event for every read or write of patient data (and
//! for sign-ins, user and key administration), written in the same
//! transaction as the work it records. The table refuses updates and deletes.

pub mod routes;
pub mod service;
pub mod store;

pub use store::{Actor, Entry, on_patient, on_record, record};
