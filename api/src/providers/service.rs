//! The provider use cases: search the directory (for a patient: their
//! language, insurance and ZIP code count), read, add and change a
//! provider (a change of network status is logged as an activity), and
//! keep the recruiting log and the credentials.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use serde_json::json;
use shared::audit::AuditAction;
use shared::directory::{Candidate, Wants, assess};
use shared::pagination::Page;
use shared::providers::{
    ActivityKind, Credential, DirectoryEntry, NewCredential, NewProvider, NewProviderActivity,
    Provider, ProviderActivity, ProviderPatch, ProviderQuery,
};
use shared::validation::Valid;
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::concurrency::Expected;
use crate::http::{Paging, cursor};
use crate::patients::store as patients;
use crate::providers::store;
pub use crate::providers::store::DirectoryKey;

/// What a search for a patient reads about them.
struct ForPatient {
    wants: Wants,
    at: Option<shared::providers::GeoPoint>,
}

fn for_patient(
    conn: &mut PgConnection,
    auth: &Authorized,
    q: &ProviderQuery,
) -> ApiResult<Option<ForPatient>> {
    let Some(id) = q.near_patient_id else {
        return Ok(None);
    };
    let patient = match patients::get(conn, auth, id.into()) {
        Ok(p) => p,
        Err(ApiError::NotFound(_)) => {
            return Err(ApiError::field(
                "near_patient_id",
                "is not a patient in this organization",
            ));
        }
        Err(e) => return Err(e),
    };
    let at = match patient
        .address
        .as_ref()
        .and_then(|a| a.postal_code.as_deref())
    {
        Some(zip) => store::postal_code_centre(conn, zip)?,
        None => None,
    };
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::PatientRead)
            .on(patient.id.get())
            .patient(patient.id)
            .details(json!({"purpose": "provider directory ranking"})),
    )?;
    Ok(Some(ForPatient {
        wants: Wants {
            language: Some(patient.preferred_language.clone()),
            payer: patient.insurance.as_ref().and_then(|i| i.payer.clone()),
            medicaid: patient.insurance.as_ref().is_some_and(|i| i.medicaid),
        },
        at,
    }))
}

/// One page of the directory, ranked: filtered and ordered in SQL by
/// `shared::directory::rank`'s score for what the search (or the
/// patient) wants, each result with the reasons for its place
/// (`shared::directory::assess`). The cursor is the last result's place in
/// that order.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    q: ProviderQuery,
    paging: &Paging<DirectoryKey>,
) -> ApiResult<Page<DirectoryEntry>> {
    if q.within_miles.is_some() && q.near_patient_id.is_none() {
        return Err(ApiError::field(
            "within_miles",
            "needs near_patient_id (distances are from the patient)",
        ));
    }
    if q.within_miles.is_some_and(|m| !(m > 0.0 && m <= 500.0)) {
        return Err(ApiError::field(
            "within_miles",
            "must be more than 0 and at most 500",
        ));
    }
    let patient = for_patient(conn, auth, &q)?;
    let mut wants = patient
        .as_ref()
        .map(|p| p.wants.clone())
        .unwrap_or_default();
    if let Some(language) = q.language.clone() {
        wants.language = Some(language);
    }
    if let Some(payer) = q.payer.clone() {
        wants.medicaid = payer.trim().eq_ignore_ascii_case("medicaid");
        wants.payer = (!wants.medicaid).then_some(payer);
    }
    let origin = patient.and_then(|p| p.at);
    let places = store::directory_page(conn, auth, &q, &wants, origin, paging)?;
    let (places, next_cursor) = cursor::page(places, paging.limit, |p| p.key.clone());
    let items = places
        .into_iter()
        .map(|place| {
            let p = &place.provider;
            let candidate = Candidate {
                name: p.name.clone(),
                languages: p.languages.clone(),
                medicaid: p.medicaid,
                payers: p.payers.clone(),
                accepting: p.accepting_new_clients,
                status: Some(p.network_status),
                distance_miles: place.distance_miles,
                quality: p.quality.for_ranking(),
            };
            DirectoryEntry {
                reasons: assess(&candidate, &wants).reasons,
                provider: place.provider,
                distance_miles: place.distance_miles,
            }
        })
        .collect();
    Ok(Page { items, next_cursor })
}

/// Provider `id`, with its quality figures.
pub fn get(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<Provider> {
    store::get(conn, auth, id)
}

/// Adds a provider to the directory.
pub fn create(
    conn: &mut PgConnection,
    auth: &Authorized,
    new: Valid<NewProvider>,
    now: DateTime<Utc>,
) -> ApiResult<Provider> {
    let draft = new.into_inner().into_provider(Uuid::now_v7(), now);
    let provider = store::insert(conn, auth, &draft)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::ProviderCreate)
            .on(provider.id)
            .details(json!({"name": provider.name, "network_status": provider.network_status})),
    )?;
    Ok(provider)
}

/// Changes a provider; a new network status is logged as an activity.
pub fn change(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
    patch: Valid<ProviderPatch>,
    now: DateTime<Utc>,
) -> ApiResult<Provider> {
    let before = store::lock(conn, auth, id, expected)?;
    let mut after = before.clone();
    patch.into_inner().apply_to(&mut after);
    let saved = store::save(conn, auth, &after, now)?;
    if before.network_status != saved.network_status {
        store::add_activity(
            conn,
            auth,
            &ProviderActivity {
                id: Uuid::now_v7(),
                provider_id: id,
                kind: ActivityKind::StatusChange,
                summary: format!(
                    "{} → {}",
                    before.network_status.label(),
                    saved.network_status.label()
                ),
                occurred_at: now,
                recorded_by: auth.user_id(),
                version: 1,
            },
        )?;
    }
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::ProviderUpdate)
            .on(id)
            .details(json!({
                "network_status_before": before.network_status,
                "network_status_after": saved.network_status,
            })),
    )?;
    Ok(saved)
}

/// A provider's recruiting log, newest first.
pub fn activities(
    conn: &mut PgConnection,
    auth: &Authorized,
    provider: Uuid,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Page<ProviderActivity>> {
    store::ensure(conn, auth, provider)?;
    let rows = store::activities(conn, auth, provider, paging)?;
    Ok(paging.page(rows, |a| (a.occurred_at, a.id)))
}

/// Logs a recruiting activity.
pub fn log_activity(
    conn: &mut PgConnection,
    auth: &Authorized,
    provider: Uuid,
    new: Valid<NewProviderActivity>,
    now: DateTime<Utc>,
) -> ApiResult<ProviderActivity> {
    store::ensure(conn, auth, provider)?;
    let new = new.into_inner();
    let activity = ProviderActivity {
        id: Uuid::now_v7(),
        provider_id: provider,
        kind: new.kind,
        summary: new.summary,
        occurred_at: new.occurred_at.unwrap_or(now),
        recorded_by: auth.user_id(),
        version: 1,
    };
    store::add_activity(conn, auth, &activity)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::ProviderActivityCreate)
            .on(provider)
            .details(json!({"activity_id": activity.id, "kind": activity.kind})),
    )?;
    Ok(activity)
}

/// A provider's credentials, soonest expiry first.
pub fn credentials(
    conn: &mut PgConnection,
    auth: &Authorized,
    provider: Uuid,
    paging: &Paging<(NaiveDate, Uuid)>,
) -> ApiResult<Page<Credential>> {
    store::ensure(conn, auth, provider)?;
    let rows = store::credentials(conn, auth, provider, paging)?;
    Ok(paging.page(rows, |c| (c.expires_on, c.id)))
}

/// Records a credential document.
pub fn add_credential(
    conn: &mut PgConnection,
    auth: &Authorized,
    provider: Uuid,
    new: Valid<NewCredential>,
    now: DateTime<Utc>,
) -> ApiResult<Credential> {
    store::ensure(conn, auth, provider)?;
    let new = new.into_inner();
    let credential = Credential {
        id: Uuid::now_v7(),
        provider_id: provider,
        name: new.name,
        reference: new.reference,
        expires_on: new.expires_on,
        recorded_by: auth.user_id(),
        created_at: now,
        version: 1,
    };
    store::add_credential(conn, auth, &credential)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::ProviderCredentialCreate)
            .on(provider)
            .details(json!({
                "credential_id": credential.id,
                "name": credential.name,
                "expires_on": credential.expires_on,
            })),
    )?;
    Ok(credential)
}
