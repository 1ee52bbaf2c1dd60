//! A patient's contacts and the consent to share information with them.

pub mod routes;
pub mod service;
pub mod store;
