//! Medical necessity: the criteria an admin sets per service, the facts of
//! a patient's record they are checked against, and the check itself
//! (`shared::necessity::evaluate`, the same function the SPA runs live).

pub mod routes;
pub mod service;
pub mod store;
