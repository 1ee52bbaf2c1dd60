//! HL7 v2 ADT in: admissions, discharges and their corrections from a
//! hospital's or ED's system, acknowledged in HL7 (DESIGN §5).

pub mod er7;
pub mod routes;
pub mod service;
pub mod store;
