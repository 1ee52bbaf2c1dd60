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
mod directory;
mod education;
mod errors;
mod fhir;
mod health;
mod hl7v2;
mod hostile_input;
mod huddles;
mod idempotency;
mod input_sweep;
mod login_abuse;
mod measures;
mod notes;
mod patient_status;
mod patients;
mod referrals;
mod reports;
mod restarts;
mod scale_out;
mod screenings;
mod sessions;
mod spa;
mod tenancy;
mod transitions;
mod users;
mod webhooks;
mod worklist;
