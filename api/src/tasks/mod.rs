//! Tasks: created by the workflow rules and by people; the worklist ranks them.

pub mod routes;
pub mod service;
pub mod store;
