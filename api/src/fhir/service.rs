//! The FHIR API's use cases: read one resource, search a type. Each finds
//! keys (`store`), reads the records through their own modules' stores,
//! maps them (pure, one file per resource group), and writes one audit
//! event when the answer holds patient data.

use chrono::Utc;
use diesel::PgConnection;
use fhirbolt::model::r4::Resource;
use serde_json::json;
use shared::audit::AuditAction;
use shared::ids::{PatientId, TaskId};
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::fhir::params::{After, FhirType, Search};
use crate::fhir::store::{self, Key};
use crate::fhir::{care, network, people, plans, screenings};
use crate::{
    appointments, care_plans, care_team, contacts, encounters, patients, providers, referrals,
    tasks,
};

/// The 404 of a resource this organization does not have.
fn missing(ty: FhirType) -> ApiError {
    ApiError::NotFound(format!(
        "No {} with that id exists in your organization.",
        ty.name()
    ))
}

/// The resource of type `ty` for a found key.
fn load(conn: &mut PgConnection, auth: &Authorized, ty: FhirType, key: Key) -> ApiResult<Resource> {
    let patient = || {
        key.patient
            .map(PatientId::from)
            .ok_or_else(|| ApiError::internal("a patient's record without a patient"))
    };
    Ok(match ty {
        FhirType::Patient => Resource::Patient(Box::new(people::patient(&patients::store::get(
            conn,
            auth,
            PatientId::from(key.id),
        )?))),
        FhirType::RelatedPerson => Resource::RelatedPerson(Box::new(people::related_person(
            &contacts::store::get(conn, auth, key.id)?,
        ))),
        FhirType::CareTeam => Resource::CareTeam(Box::new(people::care_team(
            &care_team::store::get(conn, auth, key.id)?,
            auth.today(Utc::now()),
        ))),
        FhirType::Encounter => Resource::Encounter(Box::new(care::encounter(
            &encounters::store::get(conn, auth, key.id)?,
        ))),
        FhirType::Appointment => Resource::Appointment(Box::new(care::appointment(
            &appointments::store::get(conn, auth, key.id)?,
        ))),
        FhirType::Task => Resource::Task(Box::new(care::task(&tasks::store::get(
            conn,
            auth,
            TaskId::from(key.id),
        )?))),
        FhirType::CarePlan => {
            let plan = care_plans::store::find(conn, auth, patient()?)?
                .filter(|p| p.id == key.id)
                .ok_or_else(|| missing(ty))?;
            Resource::CarePlan(Box::new(plans::care_plan(&plan)))
        }
        FhirType::Goal => {
            let plan =
                care_plans::store::find(conn, auth, patient()?)?.ok_or_else(|| missing(ty))?;
            let goal = plan
                .content
                .goals
                .iter()
                .find(|g| g.id == Some(key.id))
                .ok_or_else(|| missing(ty))?;
            Resource::Goal(Box::new(plans::goal(&plan, goal)))
        }
        FhirType::ServiceRequest => Resource::ServiceRequest(Box::new(network::service_request(
            &referrals::store::get(conn, auth, key.id)?,
        ))),
        FhirType::Organization => Resource::Organization(Box::new(network::organization(
            &providers::store::get(conn, auth, key.id)?,
        ))),
        FhirType::HealthcareService => Resource::HealthcareService(Box::new(
            network::healthcare_service(&providers::store::get(conn, auth, key.id)?),
        )),
        FhirType::QuestionnaireResponse => {
            Resource::QuestionnaireResponse(Box::new(screenings::questionnaire_response(
                &crate::screenings::store::get(conn, auth, key.id)?,
                key.at,
            )))
        }
        FhirType::Observation => Resource::Observation(Box::new(screenings::observation(
            &crate::screenings::store::get(conn, auth, key.id)?,
            key.at,
        ))),
    })
}

/// `GET /fhir/r4/{Type}/{id}`: the resource (404 when the organization
/// has none with that id, whatever the id looks like), audited as
/// `fhir.read` when it is patient data.
pub fn read(
    conn: &mut PgConnection,
    auth: &Authorized,
    ty: FhirType,
    id: &str,
) -> ApiResult<Resource> {
    let id = Uuid::parse_str(id).map_err(|_| missing(ty))?;
    let key = store::find(conn, auth, ty, id)?.ok_or_else(|| missing(ty))?;
    let resource = load(conn, auth, ty, key)?;
    if ty.is_patient_data() {
        let mut entry = Entry::new(AuditAction::FhirRead)
            .on(format!("{}/{id}", ty.name()))
            .details(json!({"type": ty.name()}));
        if let Some(p) = key.patient {
            entry = entry.patient(PatientId::from(p));
        }
        audit::log(conn, auth, entry)?;
    }
    Ok(resource)
}

/// A page of a search.
#[derive(Debug)]
pub struct Found {
    /// How many resources match in all.
    pub total: i64,
    /// This page's, in order, with their ids.
    pub resources: Vec<(String, Resource)>,
    /// Where the next page starts, when there is one.
    pub next: Option<After>,
}

/// `GET /fhir/r4/{Type}?…`: a page of the matching resources, oldest
/// change first, audited as `fhir.search` (with the patients shown) when
/// the type is patient data.
pub fn search(
    conn: &mut PgConnection,
    auth: &Authorized,
    ty: FhirType,
    search: Search,
) -> ApiResult<Found> {
    let (total, mut keys) = store::search(conn, auth, ty, &search)?;
    let limit = usize::try_from(search.count).unwrap_or(usize::MAX);
    let next = if keys.len() > limit {
        keys.truncate(limit);
        keys.last().map(|k| (k.at, k.id))
    } else {
        None
    };
    let resources = keys
        .iter()
        .map(|k| Ok((k.id.to_string(), load(conn, auth, ty, *k)?)))
        .collect::<ApiResult<Vec<_>>>()?;
    if ty.is_patient_data() {
        let mut entry = Entry::new(AuditAction::FhirSearch)
            .details(json!({"type": ty.name(), "query": search.echo, "total": total}))
            .listed(keys.iter().filter_map(|k| k.patient).map(PatientId::from));
        if let Some(p) = search.patient {
            entry = entry.patient(p);
        }
        audit::log(conn, auth, entry)?;
    }
    Ok(Found {
        total,
        resources,
        next,
    })
}
