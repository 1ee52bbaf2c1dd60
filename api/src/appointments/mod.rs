//! Appointments; a miss starts the missed-appointment and disengagement rules.

pub mod routes;
pub mod service;
pub mod store;
