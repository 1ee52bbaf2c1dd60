//! Closed-loop referrals: drafted against the service's medical-necessity
//! criteria, sent, answered by the receiving provider (through the app or
//! its own `referrals:respond` key), scheduled, completed and closed —
//! each step in the history with who took it — with barriers that count
//! in the patient's risk, a follow-up task at every open step, and a
//! re-referral after a no-show.

pub mod routes;
pub mod service;
pub mod store;
