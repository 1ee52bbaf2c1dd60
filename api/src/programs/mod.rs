//! Community programs and entitlements (housing, transportation,
//! interpretation, benefits, self-management, peer support) and patients'
//! enrollments in them, each step dated, with a task ahead of every
//! recertification or renewal.

pub mod routes;
pub mod service;
pub mod store;
