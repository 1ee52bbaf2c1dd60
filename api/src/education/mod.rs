//! Patient education: what was taught, to whom, how, and whether it was
//! understood. Records are facts: added and listed, never edited.

pub mod routes;
pub mod service;
pub mod store;
