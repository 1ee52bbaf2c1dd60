//! `/integrations/hl7v2`: HL7 v2 ADT messages in, acknowledgments out.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, get, post, put, web};
use chrono::Utc;
use futures_util::future::LocalBoxFuture;
use shared::auth::Permission;
use shared::hl7::{IdentifierSystem, IdentifierSystemWrite};
use shared::pagination::{Page, PageQuery};
use shared::problem::Problem;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Caller;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::hl7v2::{er7, service};
use crate::http::{IfMatch, Json, Paging, flow};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(receive_hl7v2)
        .service(list_identifier_systems)
        .service(get_identifier_system)
        .service(put_identifier_system);
}

/// The media types an ER7 message may be sent as; the acknowledgment comes
/// back as the one the message came as.
pub const MEDIA_TYPES: [&str; 3] = [
    "x-application/hl7-v2+er7",
    "application/hl7-v2",
    "text/plain",
];

/// An ER7 request body and the media type it came as.
#[derive(Debug)]
pub struct Er7Body {
    /// One of [`MEDIA_TYPES`].
    pub media_type: &'static str,
    /// The message.
    pub bytes: web::Bytes,
}

impl FromRequest for Er7Body {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let media_type = match req.mime_type() {
            Ok(Some(mime)) => MEDIA_TYPES
                .into_iter()
                .find(|m| mime.essence_str().eq_ignore_ascii_case(m)),
            _ => None,
        };
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let Some(media_type) = media_type else {
                return Err(ApiError::UnsupportedMediaType(format!(
                    "Send the message as {}.",
                    MEDIA_TYPES.join(", ")
                )));
            };
            let bytes = body.await.map_err(|e| {
                if e.as_response_error().status_code() == 413 {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::BadRequest("The request body could not be read.".into())
                }
            })?;
            Ok(Er7Body { media_type, bytes })
        })
    }
}

const EXAMPLE_MESSAGE: &str = "MSH|^~\\&|EPIC|MERCY|CAREMGR|RIVERSIDE|20260302141000-0800||ADT^A03^ADT_A03|MSG00042|P|2.5.1\r\
EVN|A03|20260302141000-0800\r\
PID|1||88231^^^MERCY^MR~999-88-7777^^^SSA^SS||Lopez^Maria^^^^^L||19800517|F\r\
PV1|1|E|ED^^^Mercy ED|||||||EM|||||||||V-88231|||||||||||||||||01||||||||20260301224000-0800|20260302141000-0800\r";

const EXAMPLE_ACK: &str = "MSH|^~\\&|CAREMGR|RIVERSIDE|EPIC|MERCY|20260302221002+0000||ACK^A03^ACK|8f3b2a1c9d7e6f5a4b3c|P|2.5.1\r\
MSA|AA|MSG00042|\r";

/// Receive an HL7 v2 ADT message (ER7).
///
/// The body is one message, segments ended by CR (LF and CRLF are taken
/// too), as `x-application/hl7-v2+er7` (or `application/hl7-v2`, or
/// `text/plain`), UTF-8. The answer is the HL7 acknowledgment, in the
/// message's own delimiters and media type: `AA` when it was applied (or,
/// saying why in MSA-3, deliberately not recorded), `AE` when it could not
/// be applied (no patient has a PID-3 identifier, the visit belongs to
/// another patient, the times contradict the record), `AR` when it cannot
/// be read or is not taken (a missing MSH-10, PID-3, PV1-19, PV1-2; a time
/// that is not `YYYYMMDDHHMM[SS[.SSSS]][+/-ZZZZ]`; a type other than ADT;
/// an ADT event other than these; a version other than 2.3 to 2.8; a
/// non-production MSH-11). AE and AR carry an ERR segment naming the field
/// and the HL7 error condition (table 0357); nothing was changed. A body
/// that is not an HL7 message at all (no MSH segment can be read) is
/// answered AR in the standard delimiters (`|^~\\&`), with MSA-2 empty.
///
/// **Events.** A01 (admit) and A04 (register an ED visit) record the
/// encounter; A03 (discharge) records the discharge, which opens the
/// transition follow-up task; A08 (update) corrects a recorded visit's
/// kind, facility, times and disposition — it neither creates a visit nor
/// discharges one, and patient demographics are never changed by a
/// message; A11 (cancel admit) cancels the encounter (kept, left out of
/// lists) and recomputes risk; A13 (cancel discharge) takes the discharge
/// back and cancels the follow-up task it opened unless it is done. Each
/// change is audited.
///
/// **Patient.** Each PID-3 identifier is looked up as `{system, value}`:
/// the system is its assigning authority (CX-4), or the sending facility
/// (MSH-4) when CX-4 is empty, or the system the organization maps that
/// authority to. No match is an AE: no patient is ever created.
///
/// **Visit.** PV1-19 (visit number) is the encounter's `external_id`, so
/// a resend updates, never duplicates. PV1-2 `E` is `ed`; `I` is
/// `inpatient_psych` on a psychiatric service (PV1-10 starting `PSY`, or
/// `BH`, `BHU`, `MH`, `MHU`, `GPU`), `detox` on `DETOX`, `DTX`, `WM` or `CD`,
/// else `inpatient_medical`; other classes are acknowledged AA and not
/// recorded. The facility is PV1-3's, else PV1-39, else MSH-4. PV1-44 and
/// PV1-45 are the admit and discharge times, exact with an offset, else on
/// the organization's wall clock. PV1-36 is the discharge disposition.
/// The sending system is the record of its admissions and discharges: a
/// message applies over an edit made here since.
///
/// **Resends.** A message sent again with the same control id (MSH-10)
/// by the same sender (MSH-3, MSH-4) is answered with the first
/// acknowledgment and changes nothing, once it was accepted; a refused one
/// is tried again.
#[utoipa::path(
    request_body(
        description = "One ER7 message",
        content(
            (String = "x-application/hl7-v2+er7", example = json!(EXAMPLE_MESSAGE)),
            (String = "application/hl7-v2", example = json!(EXAMPLE_MESSAGE)),
            (String = "text/plain", example = json!(EXAMPLE_MESSAGE)),
        )
    ),
    responses(
        (status = 200, description = "The acknowledgment (AA, AE or AR), as the message's media type",
            content(
                (String = "x-application/hl7-v2+er7", example = json!(EXAMPLE_ACK)),
                (String = "application/hl7-v2", example = json!(EXAMPLE_ACK)),
                (String = "text/plain", example = json!(EXAMPLE_ACK)),
            )),
        (status = 413, description = "The message is larger than 256 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not sent as x-application/hl7-v2+er7, application/hl7-v2 or text/plain", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/integrations/hl7v2")]
pub async fn receive_hl7v2(
    db: web::Data<Db>,
    caller: Caller,
    body: Er7Body,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::EncountersWrite);
    let Er7Body { media_type, bytes } = body;
    let now = Utc::now();
    let ack = db
        .tx_as(access, move |conn, auth| {
            // Times without an offset are the organization's.
            let (header, adt) = er7::read(&bytes, auth.tz());
            service::receive(conn, &auth, &header, adt, now)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, media_type))
        .body(ack))
}

/// The assigning authorities whose identifiers the organization files
/// under another identifier system (admins), by authority.
#[utoipa::path(
    params(PageQuery),
    responses((status = 200, description = "A page of mappings", body = Page<IdentifierSystem>))
)]
#[get("/integrations/hl7v2/identifier-systems")]
pub async fn list_identifier_systems(
    db: web::Data<Db>,
    caller: Caller,
    paging: Paging<String>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::IntegrationsManage);
    flow::list(&db, access, (), paging, service::list_systems).await
}

/// One assigning authority's identifier system; 404 when it is not mapped
/// (its identifiers are looked up under its own name).
#[utoipa::path(
    params(("assigning_authority" = String, Path, description = "The assigning authority (CX-4.1, else CX-4.2; or MSH-4)")),
    responses((status = 200, description = "The mapping", body = IdentifierSystem))
)]
#[get("/integrations/hl7v2/identifier-systems/{assigning_authority}")]
pub async fn get_identifier_system(
    db: web::Data<Db>,
    caller: Caller,
    authority: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::IntegrationsManage);
    flow::read(&db, access, authority.into_inner(), service::get_system).await
}

/// File an assigning authority's identifiers under an identifier system
/// (admins): a PID-3 identifier `V` from this authority then matches the
/// patient identifier `{system, value: V}`.
#[utoipa::path(
    params(("assigning_authority" = String, Path, description = "The assigning authority (CX-4.1, else CX-4.2; or MSH-4)")),
    request_body = IdentifierSystemWrite,
    responses(
        (status = 200, description = "Changed", body = IdentifierSystem),
        (status = 201, description = "Set for the first time", body = IdentifierSystem),
        (status = 412, description = "Someone changed it first (or none exists to match the version sent)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "It exists: send the version you read", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/integrations/hl7v2/identifier-systems/{assigning_authority}")]
pub async fn put_identifier_system(
    db: web::Data<Db>,
    caller: Caller,
    authority: web::Path<String>,
    if_match: IfMatch,
    body: Json<IdentifierSystemWrite>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::IntegrationsManage);
    flow::put(
        &db,
        access,
        authority.into_inner(),
        if_match,
        body.into_inner(),
        service::put_system,
        |m: &IdentifierSystem| {
            let authority: String =
                form_urlencoded::byte_serialize(m.assigning_authority.as_bytes()).collect();
            format!(
                "/api/v1/integrations/hl7v2/identifier-systems/{}",
                authority.replace('+', "%20")
            )
        },
    )
    .await
}
