//! A patient's care team: users of the organization and outside providers.

pub mod routes;
pub mod service;
pub mod store;
