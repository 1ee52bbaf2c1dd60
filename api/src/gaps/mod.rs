//! Gaps in care (`shared::gaps`), found from the record on request.

pub mod routes;
pub mod service;
pub mod store;
