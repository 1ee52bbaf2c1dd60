//! The provider network: the directory (filtered and ranked in SQL, held
//! to `shared::directory::rank`), each provider's record and quality figures,
//! and the recruiting pipeline (network status, activities, credentials).

pub mod routes;
pub mod service;
pub mod store;
