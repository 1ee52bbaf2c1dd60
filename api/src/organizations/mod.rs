//! Organizations: the tenants, with the time zone and holidays that decide
//! business days.

pub mod routes;
pub mod store;

pub use store::Calendar;
