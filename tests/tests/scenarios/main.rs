//! HTTP scenarios against the real server and a real Postgres database
//! (one fresh database per test). Test names read as sentences.

mod api_keys;
mod audit;
mod auth;
mod errors;
mod health;
mod patient_status;
mod patients;
mod tenancy;
mod users;
