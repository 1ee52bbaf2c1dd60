//! The care-plan tab: the plan at its current version, read-only (`view`,
//! also what prints), editing it into a new version (`editor`, with the
//! pure parts — reading the form, rebasing after a conflict — in `model`),
//! and the versions panel with what changed (`versions`), put together by
//! `tab`.

mod editor;
mod model;
mod tab;
mod versions;
mod view;

pub use tab::PatientCarePlanTab;
