//! Screenings: PHQ-9, PHQ-2, GAD-7, AUDIT-C, DAST-10, the C-SSRS screener
//! and the AHC HRSN core, scored by `shared::screening`.

pub mod routes;
pub mod service;
pub mod store;
