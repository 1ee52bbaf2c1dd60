//! Users: admins create them, change their role and deactivate them.

pub mod routes;
pub mod service;
pub mod store;
