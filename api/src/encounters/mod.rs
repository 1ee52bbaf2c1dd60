//! Hospital, ED, crisis-center and detox encounters; a discharge starts the
//! transition-of-care rule.

pub mod routes;
pub mod service;
pub mod store;
