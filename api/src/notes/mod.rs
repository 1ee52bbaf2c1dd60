//! Case notes: written, signed (then immutable), amended by addenda; and
//! the productivity figures built from their minutes.

pub mod routes;
pub mod service;
pub mod store;
