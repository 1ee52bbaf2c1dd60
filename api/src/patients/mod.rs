//! Patients: demographics, identifiers, case status and care manager.
//!
//! The worked example of a domain module (see ARCHITECTURE.md): `routes`
//! (handlers: extract, authorize, validate, call, respond), `service` (one
//! use case per action: store calls, rules, audit), `store` (every diesel
//! query), and `search` (how `q` reads, pure).

pub mod routes;
pub mod search;
pub mod service;
pub mod store;
