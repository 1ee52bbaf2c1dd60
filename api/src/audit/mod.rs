//! The audit trail: one event for every read or write of patient data (and
//! for sign-ins, user and key administration). A change writes its events in
//! its own transaction; a read's events are group-committed by
//! [`writer`], and the read answers once they are. Either way no answer
//! leaves before its event is durable. The table refuses updates and deletes.

pub mod routes;
pub mod service;
pub mod store;
pub mod writer;

pub use store::{Actor, Entry, log, on_patient, on_record, record};
