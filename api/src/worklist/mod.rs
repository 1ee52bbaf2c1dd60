//! The worklist (a care manager's day, ranked by the rules in
//! `shared::worklist`) and the supervisor's view of the team.

pub mod routes;
pub mod service;
pub mod store;
