//! The FHIR R4 read API under `/fhir/r4` (DESIGN §5): the capability
//! statement, and read and search (by `patient` and `_lastUpdated`,
//! answered as a `searchset` Bundle) of Patient, `RelatedPerson`, `CareTeam`,
//! Encounter, Appointment, Task, `CarePlan`, Goal, `ServiceRequest`,
//! Organization, `HealthcareService`, `QuestionnaireResponse` and
//! Observation, built with the `fhirbolt` R4 model. Same callers, same
//! permissions and the same audit trail as the REST API; errors are
//! `OperationOutcome`s.
//!
//! Ids are the records' own: a `CareTeam` is one care-team membership, a
//! Goal one goal of a care plan, and a provider is both an Organization
//! and a `HealthcareService`, a screening both a `QuestionnaireResponse` and
//! an Observation, under the same id.

pub mod bundle;
pub mod care;
pub mod model;
pub mod network;
pub mod outcome;
pub mod params;
pub mod people;
pub mod plans;
pub mod routes;
pub mod screenings;
pub mod service;
pub mod store;
