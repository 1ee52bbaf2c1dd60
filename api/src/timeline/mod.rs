//! A patient's timeline: everything that happened, newest first.

pub mod routes;
pub mod service;
pub mod store;
