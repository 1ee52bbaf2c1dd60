//! `/fhir/r4`: the capability statement, and read and search of each type.
//! Each type has its own two documented operations (so each states the
//! permission and audit it takes); they share one read and one search.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use fhirbolt::model::r4::Resource;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Caller;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::fhir::outcome::{BASE, FHIR_JSON, to_json};
use crate::fhir::params::{FhirType, check_format, parse_search};
use crate::fhir::{bundle, service};
use crate::http::cursor;

/// One `_lastUpdated` value (a date the calendar does not have, such as
/// `2026-02-30`, is a 400 all the same).
#[derive(Debug)]
pub struct LastUpdated(pub String);

impl utoipa::PartialSchema for LastUpdated {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(crate::fhir::params::LAST_UPDATED_PATTERN))
            .into()
    }
}

impl ToSchema for LastUpdated {}

/// The parameters of a read.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReadQuery {
    /// `json` (or `application/fhir+json`, `application/json`): the only
    /// format served.
    #[serde(rename = "_format")]
    #[param(rename = "_format", pattern = r"^(json|application/(fhir\+)?json)$")]
    pub format: Option<String>,
}

/// The parameters of a search of patient data. Anything else is a 400.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PatientSearchQuery {
    /// The patient: `Patient/<id>` or `<id>` (once). Another
    /// organization's patient finds nothing.
    #[param(
        pattern = r"^(.*Patient/)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    pub patient: Option<String>,
    /// When the resource last changed: `[eq|ge|gt|le|lt]` then `YYYY`,
    /// `YYYY-MM`, `YYYY-MM-DD` (a day in the organization's time zone) or
    /// an instant with seconds and a zone (`2026-03-02T14:10:00Z`). `ge`
    /// keeps the instant itself, `gt` leaves it out. Repeat for a range.
    #[serde(rename = "_lastUpdated")]
    #[param(rename = "_lastUpdated", style = Form, explode, inline, value_type = Option<Vec<LastUpdated>>)]
    pub last_updated: Option<Vec<String>>,
    /// Entries on a page (0–200, default 50; 0 answers the total alone).
    #[serde(rename = "_count")]
    #[param(rename = "_count", minimum = 0, maximum = 200)]
    pub count: Option<i64>,
    /// Where a page continues: copy it from the `next` link.
    #[serde(rename = "_cursor")]
    #[param(rename = "_cursor")]
    pub cursor: Option<String>,
    /// `json` (or `application/fhir+json`, `application/json`).
    #[serde(rename = "_format")]
    #[param(rename = "_format", pattern = r"^(json|application/(fhir\+)?json)$")]
    pub format: Option<String>,
}

/// The parameters of a search of the provider directory (no `patient`).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectorySearchQuery {
    /// When the provider last changed, as for patient data.
    #[serde(rename = "_lastUpdated")]
    #[param(rename = "_lastUpdated", style = Form, explode, inline, value_type = Option<Vec<LastUpdated>>)]
    pub last_updated: Option<Vec<String>>,
    /// Entries on a page (0–200, default 50).
    #[serde(rename = "_count")]
    #[param(rename = "_count", minimum = 0, maximum = 200)]
    pub count: Option<i64>,
    /// Where a page continues: copy it from the `next` link.
    #[serde(rename = "_cursor")]
    #[param(rename = "_cursor")]
    pub cursor: Option<String>,
    /// `json` (or `application/fhir+json`, `application/json`).
    #[serde(rename = "_format")]
    #[param(rename = "_format", pattern = r"^(json|application/(fhir\+)?json)$")]
    pub format: Option<String>,
}

/// `scheme://host/fhir/r4`, as the client addressed this server.
fn base_url(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}{BASE}", info.scheme(), info.host())
}

/// A resource as `application/fhir+json`, with its version as the `ETag`.
fn respond(resource: &Resource) -> HttpResponse {
    let body = to_json(resource);
    let version = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["meta"]["versionId"].as_str().map(str::to_owned));
    let mut res = HttpResponse::Ok();
    res.insert_header((header::CONTENT_TYPE, FHIR_JSON));
    if let Some(v) = version {
        res.insert_header((header::ETAG, format!("W/\"{v}\"")));
    }
    res.body(body)
}

/// A read takes `_format` alone.
fn read_params(req: &HttpRequest) -> ApiResult<()> {
    for (name, value) in form_urlencoded::parse(req.query_string().as_bytes()) {
        match name.as_ref() {
            "_format" => check_format(&value).map_err(ApiError::BadRequest)?,
            other => {
                return Err(ApiError::BadRequest(format!(
                    "`{other}` is not a parameter of a read; only `_format` is"
                )));
            }
        }
    }
    Ok(())
}

async fn read(
    db: &Db,
    caller: Caller,
    req: &HttpRequest,
    ty: FhirType,
    id: String,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(ty.permission());
    read_params(req)?;
    let resource = db
        .tx_as(access, move |conn, auth| {
            service::read(conn, &auth, ty, &id)
        })
        .await?;
    Ok(respond(&resource))
}

async fn search(
    db: &Db,
    caller: Caller,
    req: &HttpRequest,
    ty: FhirType,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(ty.permission());
    let query = req.query_string().to_owned();
    let (echo, found) = db
        .tx_as(access, move |conn, auth| {
            // Dates without a zone are the organization's.
            let search = parse_search(ty, &query, auth.tz(), |c| cursor::decode(c).ok())
                .map_err(ApiError::BadRequest)?;
            let echo = search.echo.clone();
            Ok((echo, service::search(conn, &auth, ty, search)?))
        })
        .await?;
    let bundle = bundle::searchset(
        &base_url(req),
        ty,
        &echo,
        found.total,
        found.resources,
        found.next.map(|key| cursor::encode(&key)),
    );
    Ok(respond(&Resource::Bundle(Box::new(bundle))))
}

/// The server's capability statement.
///
/// What this FHIR R4 server supports, exactly: read and `search-type` of
/// each type served, the search parameters each takes, JSON only. Public,
/// as FHIR clients expect.
#[utoipa::path(
    tag = "FHIR R4",
    params(ReadQuery),
    responses(
        (status = 200, description = "A CapabilityStatement", content_type = "application/fhir+json", body = Object),
        (status = 400, description = "An unsupported `_format` or another parameter (an OperationOutcome)", content_type = "application/fhir+json", body = Object),
    ),
    security(())
)]
#[get("/metadata")]
pub async fn fhir_metadata(req: HttpRequest) -> ApiResult<HttpResponse> {
    read_params(&req)?;
    let cs = bundle::capability_statement(&base_url(&req));
    Ok(respond(&Resource::CapabilityStatement(Box::new(cs))))
}

/// Read and search operations of one type: `$read` and `$search`
/// documented with what they answer; `$params` is the search's parameters.
macro_rules! fhir_type {
    ($ty:ident, $read:ident, $search:ident, $item:tt, $list:tt, $params:ty, $what:literal) => {
        #[doc = concat!("Read a FHIR ", stringify!($ty), ".")]
        #[utoipa::path(
            tag = "FHIR R4",
            summary = concat!("Read a FHIR ", stringify!($ty)),
            description = concat!("One ", stringify!($ty), " (", $what, ") as FHIR R4 JSON, with its version as the `ETag`. \
                Another organization's record, or an id that is none, is a 404 OperationOutcome."),
            params(("id" = String, Path, description = "The resource id"), ReadQuery),
            responses(
                (status = 200, description = concat!("The ", stringify!($ty)), content_type = "application/fhir+json", body = Object),
                (status = 400, description = "A parameter other than `_format` (an OperationOutcome)", content_type = "application/fhir+json", body = Object),
                (status = 401, description = "Missing or invalid credentials (an OperationOutcome)", content_type = "application/fhir+json", body = Object),
                (status = 403, description = "The role or key scopes do not allow reading this type (an OperationOutcome)", content_type = "application/fhir+json", body = Object),
                (status = 404, description = "No such resource in your organization (an OperationOutcome)", content_type = "application/fhir+json", body = Object),
                (status = 503, description = "The database is unreachable (an OperationOutcome)", content_type = "application/fhir+json", body = Object),
            )
        )]
        #[get($item)]
        pub async fn $read(
            db: web::Data<Db>,
            caller: Caller,
            req: HttpRequest,
            id: web::Path<String>,
        ) -> ApiResult<HttpResponse> {
            read(&db, caller, &req, FhirType::$ty, id.into_inner()).await
        }

        #[doc = concat!("Search FHIR ", stringify!($ty), " resources.")]
        #[utoipa::path(
            tag = "FHIR R4",
            summary = concat!("Search FHIR ", stringify!($ty), " resources"),
            description = concat!("A `searchset` Bundle of ", stringify!($ty), " resources (each ", $what, "), oldest change first, with `total`, a `next` link \
                while more follow, and each entry's `fullUrl`. An unknown parameter or a bad value is a 400 OperationOutcome."),
            params($params),
            responses(
                (status = 200, description = "A searchset Bundle", content_type = "application/fhir+json", body = Object),
                (status = 400, description = "An unknown search parameter or a bad value (an OperationOutcome)", content_type = "application/fhir+json", body = Object),
                (status = 401, description = "Missing or invalid credentials (an OperationOutcome)", content_type = "application/fhir+json", body = Object),
                (status = 403, description = "The role or key scopes do not allow reading this type (an OperationOutcome)", content_type = "application/fhir+json", body = Object),
                (status = 503, description = "The database is unreachable (an OperationOutcome)", content_type = "application/fhir+json", body = Object),
            )
        )]
        #[get($list)]
        pub async fn $search(
            db: web::Data<Db>,
            caller: Caller,
            req: HttpRequest,
        ) -> ApiResult<HttpResponse> {
            search(&db, caller, &req, FhirType::$ty).await
        }
    };
}

fhir_type!(
    Patient,
    fhir_read_patient,
    fhir_search_patient,
    "/Patient/{id}",
    "/Patient",
    PatientSearchQuery,
    "a patient, with identifiers"
);
fhir_type!(
    RelatedPerson,
    fhir_read_related_person,
    fhir_search_related_person,
    "/RelatedPerson/{id}",
    "/RelatedPerson",
    PatientSearchQuery,
    "a patient's contact"
);
fhir_type!(
    CareTeam,
    fhir_read_care_team,
    fhir_search_care_team,
    "/CareTeam/{id}",
    "/CareTeam",
    PatientSearchQuery,
    "one care-team membership: its member, role and period"
);
fhir_type!(
    Encounter,
    fhir_read_encounter,
    fhir_search_encounter,
    "/Encounter/{id}",
    "/Encounter",
    PatientSearchQuery,
    "a hospital, ED or crisis stay: class EMER or IMP, period, discharge disposition"
);
fhir_type!(
    Appointment,
    fhir_read_appointment,
    fhir_search_appointment,
    "/Appointment/{id}",
    "/Appointment",
    PatientSearchQuery,
    "an appointment"
);
fhir_type!(
    Task,
    fhir_read_task,
    fhir_search_task,
    "/Task/{id}",
    "/Task",
    PatientSearchQuery,
    "a task of the worklist"
);
fhir_type!(
    CarePlan,
    fhir_read_care_plan,
    fhir_search_care_plan,
    "/CarePlan/{id}",
    "/CarePlan",
    PatientSearchQuery,
    "a patient's care plan at its current version"
);
fhir_type!(
    Goal,
    fhir_read_goal,
    fhir_search_goal,
    "/Goal/{id}",
    "/Goal",
    PatientSearchQuery,
    "a goal of a care plan"
);
fhir_type!(
    ServiceRequest,
    fhir_read_service_request,
    fhir_search_service_request,
    "/ServiceRequest/{id}",
    "/ServiceRequest",
    PatientSearchQuery,
    "a referral to a provider"
);
fhir_type!(
    Organization,
    fhir_read_organization,
    fhir_search_organization,
    "/Organization/{id}",
    "/Organization",
    DirectorySearchQuery,
    "a provider of the directory"
);
fhir_type!(
    HealthcareService,
    fhir_read_healthcare_service,
    fhir_search_healthcare_service,
    "/HealthcareService/{id}",
    "/HealthcareService",
    DirectorySearchQuery,
    "a provider's services, languages and hours"
);
fhir_type!(
    QuestionnaireResponse,
    fhir_read_questionnaire_response,
    fhir_search_questionnaire_response,
    "/QuestionnaireResponse/{id}",
    "/QuestionnaireResponse",
    PatientSearchQuery,
    "a screening's answers"
);
fhir_type!(
    Observation,
    fhir_read_observation,
    fhir_search_observation,
    "/Observation/{id}",
    "/Observation",
    PatientSearchQuery,
    "a screening's score, coded with LOINC"
);

/// Registers the routes (under `/fhir/r4`).
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(fhir_metadata)
        .service(fhir_search_patient)
        .service(fhir_read_patient)
        .service(fhir_search_related_person)
        .service(fhir_read_related_person)
        .service(fhir_search_care_team)
        .service(fhir_read_care_team)
        .service(fhir_search_encounter)
        .service(fhir_read_encounter)
        .service(fhir_search_appointment)
        .service(fhir_read_appointment)
        .service(fhir_search_task)
        .service(fhir_read_task)
        .service(fhir_search_care_plan)
        .service(fhir_read_care_plan)
        .service(fhir_search_goal)
        .service(fhir_read_goal)
        .service(fhir_search_service_request)
        .service(fhir_read_service_request)
        .service(fhir_search_organization)
        .service(fhir_read_organization)
        .service(fhir_search_healthcare_service)
        .service(fhir_read_healthcare_service)
        .service(fhir_search_questionnaire_response)
        .service(fhir_read_questionnaire_response)
        .service(fhir_search_observation)
        .service(fhir_read_observation);
}

#[cfg(test)]
mod tests {
    use crate::fhir::params::{LAST_UPDATED_PATTERN, PATIENT_PATTERN};

    #[test]
    fn the_document_states_the_patterns_the_server_checks() {
        let doc = serde_json::to_value(crate::server::openapi_document()).unwrap();
        let params = doc["paths"]["/fhir/r4/Encounter"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .clone();
        let find = |name: &str| params.iter().find(|p| p["name"] == name).unwrap().clone();
        assert_eq!(find("patient")["schema"]["pattern"], PATIENT_PATTERN);
        assert_eq!(
            find("_lastUpdated")["schema"]["items"]["pattern"],
            LAST_UPDATED_PATTERN
        );
    }
}
