//! Explainable risk (DESIGN §3): the level computed by `shared::risk` from
//! the record's factors, recomputed in the transaction of every event that
//! changes one, kept with its history, and overridden by hand for a reason
//! until a date.

pub mod routes;
pub mod service;
pub mod store;
