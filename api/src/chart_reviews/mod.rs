//! Chart reviews: a structured review of a record that turns the gaps in
//! care it chose into tasks, in one transaction, and counts its minutes in
//! productivity as a signed chart-review note.

pub mod routes;
pub mod service;
pub mod store;
