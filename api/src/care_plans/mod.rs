//! Care plans: one per patient, every change a new version, earlier
//! versions readable and comparable; reviews due every 90 days open a
//! `care_plan_review` task; positive AHC HRSN domains become needs.

pub mod routes;
pub mod service;
pub mod store;
