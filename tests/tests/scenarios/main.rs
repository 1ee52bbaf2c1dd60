//! HTTP scenarios against the real server and a real Postgres database
//! (one fresh database per test). Test names read as sentences.

mod api_keys;
mod appointments;
mod audit;
mod auth;
mod authorization_matrix;
mod care;
mod clinical;
mod coordination;
mod education;
mod errors;
mod health;
mod hostile_input;
mod idempotency;
mod input_sweep;
mod login_abuse;
mod notes;
mod patient_status;
mod patients;
mod referrals;
mod restarts;
mod screenings;
mod sessions;
mod spa;
mod tenancy;
mod transitions;
mod users;
mod worklist;
