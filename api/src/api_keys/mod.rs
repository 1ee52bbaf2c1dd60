//! API keys for integrations and scripts (admins manage them).

pub mod routes;
pub mod service;
pub mod store;
