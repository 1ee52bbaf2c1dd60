//! Care Manager's domain: the wire types every client sees and the pure
//! rules (validation, state machines, permissions) that both the API and the
//! SPA apply. No I/O lives here, so it compiles for native and wasm32 alike.

// First: the enums of codes in every other module are declared with it.
#[macro_use]
pub mod codes;

pub mod alerts;
pub mod api_keys;
pub mod appointments;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod care_plan;
pub mod care_team;
pub mod case_status;
pub mod chart_review;
pub mod contacts;
pub mod directory;
pub mod education;
pub mod encounters;
pub mod gaps;
pub mod hl7;
pub mod huddles;
pub mod ids;
pub mod measures;
pub mod necessity;
pub mod notes;
pub mod organization;
pub mod outreach;
pub mod pagination;
pub mod patch;
pub mod patients;
pub mod problem;
pub mod programs;
pub mod providers;
pub mod referral;
pub mod reports;
pub mod risk;
pub mod schedule;
pub mod screening;
pub mod tasks;
pub mod timeline;
pub mod users;
pub mod validation;
pub mod version;
pub mod webhooks;
pub mod wire;
pub mod worklist;
