//! Quality measures (FUH/FUM-like follow-up, depression response and
//! remission, depression screening with a plan, suicide risk assessment):
//! the facts read in SQL (`store`), the specification applied by the pure
//! rules in `shared::measures`, rates and patient-level lists.

pub mod routes;
pub mod service;
pub mod store;
