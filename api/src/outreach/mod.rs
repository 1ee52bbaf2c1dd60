//! Outreach attempts: calls, texts, visits, letters, and what came of them.

pub mod routes;
pub mod service;
pub mod store;
