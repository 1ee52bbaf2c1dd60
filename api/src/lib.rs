//! Care Manager's API server: routes → handlers → stores (diesel) → Postgres,
//! organized by domain module. Handlers are thin; SQL lives only in stores;
//! domain rules live in the `shared` crate.

pub mod alerts;
pub mod api_keys;
pub mod appointments;
pub mod audit;
pub mod auth;
pub mod care_team;
pub mod config;
pub mod contacts;
pub mod db;
pub mod encounters;
pub mod error;
pub mod health;
pub mod http;
pub mod idempotency;
pub mod notes;
pub mod openapi;
pub mod organizations;
pub mod outreach;
pub mod patients;
pub mod rules;
pub mod schema;
pub mod screenings;
pub mod seed;
pub mod server;
pub mod spa;
pub mod store;
pub mod tasks;
pub mod timeline;
pub mod users;
pub mod worklist;
