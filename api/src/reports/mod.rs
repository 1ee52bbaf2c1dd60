//! Reports for supervisors and scripted reporting clients: caseload,
//! transitions, appointments, referrals, productivity, screenings and
//! satisfaction over a period, grouped by care manager or program, as JSON
//! or CSV. Aggregated in SQL (`store`); shapes in `shared::reports`.

pub mod routes;
pub mod service;
pub mod store;
