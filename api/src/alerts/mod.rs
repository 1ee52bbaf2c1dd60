//! Alerts for the care team: raised by the rules, acknowledged by a person.

pub mod routes;
pub mod service;
pub mod store;
