//! Providers, their recruiting activities and credentials, and the quality
//! figures their referrals add up to. Every query is limited to the
//! caller's organization.
#![expect(
    clippy::ref_option_ref,
    reason = "diesel's derives borrow each `Option<&str>` column"
)]

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Double, Nullable, Text};
use shared::directory::{Wants, primary_language};
use shared::ids::UserId;
use shared::patients::Address;
use shared::providers::{
    Credential, GeoPoint, Provider, ProviderActivity, ProviderQuality, ProviderQuery,
};
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::schema::{
    postal_code_centroids, provider_activities, provider_credentials, provider_quality, providers,
};
use crate::store::{self, code, of_org, one_of_org, scoped_rows};

mod directory;

const NOUN: &str = "provider";

/// Where a directory page ends: the last provider's score, lower-cased
/// name and id, the directory's order being score (higher first), then
/// name, then id.
pub type DirectoryKey = (f64, String, Uuid);

#[derive(Queryable, Selectable, QueryableByName)]
#[diesel(table_name = providers)]
struct Row {
    id: Uuid,
    name: String,
    kind: String,
    services: Vec<Option<String>>,
    specialties: Vec<Option<String>>,
    languages: Vec<Option<String>>,
    payers: Vec<Option<String>>,
    medicaid: bool,
    accepting_new_clients: bool,
    address_line1: Option<String>,
    address_line2: Option<String>,
    address_city: Option<String>,
    address_state: Option<String>,
    address_postal_code: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    phone: Option<String>,
    hours: Option<String>,
    network_status: String,
    notes: Option<String>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn texts(v: Vec<Option<String>>) -> Vec<String> {
    v.into_iter().flatten().collect()
}

impl TryFrom<Row> for Provider {
    type Error = ApiError;

    fn try_from(r: Row) -> ApiResult<Provider> {
        let address = Address {
            line1: r.address_line1,
            line2: r.address_line2,
            city: r.address_city,
            state: r.address_state,
            postal_code: r.address_postal_code,
        };
        Ok(Provider {
            id: r.id,
            name: r.name,
            kind: code(&r.kind)?,
            services: texts(r.services)
                .iter()
                .map(|s| code(s))
                .collect::<ApiResult<_>>()?,
            specialties: texts(r.specialties),
            languages: texts(r.languages),
            payers: texts(r.payers),
            medicaid: r.medicaid,
            accepting_new_clients: r.accepting_new_clients,
            address: (address != Address::default()).then_some(address),
            location: r
                .latitude
                .zip(r.longitude)
                .map(|(latitude, longitude)| GeoPoint {
                    latitude,
                    longitude,
                }),
            phone: r.phone,
            hours: r.hours,
            network_status: code(&r.network_status)?,
            notes: r.notes,
            quality: ProviderQuality::default(),
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

scoped_rows!(providers, Row);

/// The columns a save writes.
#[derive(AsChangeset, Insertable)]
#[diesel(table_name = providers, treat_none_as_null = true)]
struct Columns<'a> {
    name: &'a str,
    kind: &'a str,
    services: Vec<&'a str>,
    specialties: &'a [String],
    languages: &'a [String],
    payers: &'a [String],
    medicaid: bool,
    accepting_new_clients: bool,
    address_line1: Option<&'a str>,
    address_line2: Option<&'a str>,
    address_city: Option<&'a str>,
    address_state: Option<&'a str>,
    address_postal_code: Option<&'a str>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    phone: Option<&'a str>,
    hours: Option<&'a str>,
    network_status: &'a str,
    notes: Option<&'a str>,
}

impl<'a> From<&'a Provider> for Columns<'a> {
    fn from(p: &'a Provider) -> Columns<'a> {
        let a = p.address.as_ref();
        Columns {
            name: &p.name,
            kind: p.kind.as_ref(),
            services: p.services.iter().map(AsRef::as_ref).collect(),
            specialties: &p.specialties,
            languages: &p.languages,
            payers: &p.payers,
            medicaid: p.medicaid,
            accepting_new_clients: p.accepting_new_clients,
            address_line1: a.and_then(|a| a.line1.as_deref()),
            address_line2: a.and_then(|a| a.line2.as_deref()),
            address_city: a.and_then(|a| a.city.as_deref()),
            address_state: a.and_then(|a| a.state.as_deref()),
            address_postal_code: a.and_then(|a| a.postal_code.as_deref()),
            latitude: p.location.map(|l| l.latitude),
            longitude: p.location.map(|l| l.longitude),
            phone: p.phone.as_deref(),
            hours: p.hours.as_deref(),
            network_status: p.network_status.as_ref(),
            notes: p.notes.as_deref(),
        }
    }
}

/// A 404 unless provider `id` is the organization's.
pub fn ensure(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<()> {
    let found: Option<Uuid> = one_of_org!(providers, auth, id)
        .select(providers::id)
        .first(conn)
        .optional()?;
    found.map(|_| ()).ok_or_else(|| ApiError::not_found(NOUN))
}

/// Provider `id` with its quality figures, or a 404.
pub fn get(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<Provider> {
    let row = rows(auth)
        .filter(providers::id.eq(id))
        .first(conn)
        .optional()?;
    let mut p: Provider = store::one(row, NOUN)?;
    p.quality = quality(conn, auth, id)?;
    Ok(p)
}

/// The names of providers `ids`.
pub fn names(
    conn: &mut PgConnection,
    auth: &Authorized,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, String>> {
    Ok(of_org!(providers, auth)
        .filter(providers::id.eq_any(ids))
        .select((providers::id, providers::name))
        .load::<(Uuid, String)>(conn)?
        .into_iter()
        .collect())
}

/// Provider `id` locked for an update: 404 when absent, 412 when stale.
pub fn lock(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
) -> ApiResult<Provider> {
    let row = rows(auth)
        .filter(providers::id.eq(id))
        .for_update()
        .first(conn)
        .optional()?;
    store::locked(row, NOUN, expected)
}

/// Records a provider the service built.
pub fn insert(conn: &mut PgConnection, auth: &Authorized, p: &Provider) -> ApiResult<Provider> {
    diesel::insert_into(providers::table)
        .values((
            providers::id.eq(p.id),
            providers::organization_id.eq(auth.org().get()),
            Columns::from(p),
            providers::created_at.eq(p.created_at),
            providers::updated_at.eq(p.updated_at),
        ))
        .execute(conn)?;
    get(conn, auth, p.id)
}

/// Writes `after` over a locked provider and moves its version on.
pub fn save(
    conn: &mut PgConnection,
    auth: &Authorized,
    after: &Provider,
    now: DateTime<Utc>,
) -> ApiResult<Provider> {
    diesel::update(one_of_org!(providers, auth, after.id))
        .set((
            Columns::from(after),
            providers::version.eq(providers::version + 1),
            providers::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, auth, after.id)
}

/// `%text%` for `ILIKE`, with the pattern characters in `text` escaped.
fn contains_pattern(text: &str) -> String {
    let escaped = text
        .trim()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// A filter's text, trimmed, unless blank.
fn given(text: Option<&String>) -> Option<&str> {
    text.map(|t| t.trim()).filter(|t| !t.is_empty())
}

#[derive(QueryableByName)]
struct DirectoryRow {
    #[diesel(embed)]
    provider: Row,
    #[diesel(sql_type = Nullable<Double>)]
    miles: Option<f64>,
    #[diesel(sql_type = Double)]
    score: f64,
    #[diesel(sql_type = Text)]
    sort_name: String,
    #[diesel(embed)]
    quality: QualityRow,
}

/// One provider of a directory page: with its quality figures, its miles
/// from the patient (when both are located) and its place in the order.
pub struct DirectoryPlace {
    /// The provider.
    pub provider: Provider,
    /// Miles from the patient.
    pub distance_miles: Option<f64>,
    /// Its key in the order, for the next page's cursor.
    pub key: DirectoryKey,
}

/// A page of the providers the directory's filters `q` match, in
/// `shared::directory::rank`'s order for `wants`, with distances from
/// `origin` (the patient's ZIP code centre); `within_miles` keeps those
/// that near. A provider's location is its own, else its ZIP code's centre.
/// Only the providers that can still reach the page are scored (see
/// `store/directory.rs`).
pub fn directory_page(
    conn: &mut PgConnection,
    auth: &Authorized,
    q: &ProviderQuery,
    wants: &Wants,
    origin: Option<GeoPoint>,
    paging: &Paging<DirectoryKey>,
) -> ApiResult<Vec<DirectoryPlace>> {
    let payer = given(q.payer.as_ref());
    let medicaid_only = payer.is_some_and(|p| p.eq_ignore_ascii_case("medicaid"));
    let search = directory::Search {
        org: auth.org().get(),
        name: given(q.q.as_ref()).map(contains_pattern),
        service: q.service,
        specialty: given(q.specialty.as_ref()).map(contains_pattern),
        language: given(q.language.as_ref()).map(primary_language),
        medicaid_only,
        payer: payer.filter(|_| !medicaid_only),
        accepting: q.accepting,
        network_status: q.network_status,
        within_miles: q.within_miles,
        origin,
        wants_language: wants.language.as_deref().map(primary_language),
        wants_medicaid: wants.medicaid,
        wants_payer: wants.payer.as_deref(),
        after: paging.after.as_ref(),
        fetch: paging.fetch(),
    };
    let rows: Vec<DirectoryRow> = directory::page(&search).load(conn)?;
    rows.into_iter()
        .map(|r| {
            let mut provider = Provider::try_from(r.provider)?;
            provider.quality = r.quality.into();
            let key = (r.score, r.sort_name, provider.id);
            Ok(DirectoryPlace {
                provider,
                distance_miles: r.miles,
                key,
            })
        })
        .collect()
}

/// The centre of ZIP code `postal_code` (its first five digits), if known.
pub fn postal_code_centre(
    conn: &mut PgConnection,
    postal_code: &str,
) -> ApiResult<Option<GeoPoint>> {
    let five: String = postal_code.chars().take(5).collect();
    Ok(postal_code_centroids::table
        .find(five)
        .select((
            postal_code_centroids::latitude,
            postal_code_centroids::longitude,
        ))
        .first::<(f64, f64)>(conn)
        .optional()?
        .map(|(latitude, longitude)| GeoPoint {
            latitude,
            longitude,
        }))
}

/// Records ZIP-code centres (reference data shared by every organization);
/// a known code keeps its first centre.
pub fn add_postal_code_centres(
    conn: &mut PgConnection,
    centres: &[(&str, GeoPoint)],
) -> ApiResult<()> {
    let rows: Vec<_> = centres
        .iter()
        .map(|(code, at)| {
            (
                postal_code_centroids::postal_code.eq(*code),
                postal_code_centroids::latitude.eq(at.latitude),
                postal_code_centroids::longitude.eq(at.longitude),
            )
        })
        .collect();
    diesel::insert_into(postal_code_centroids::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok(())
}

/// A provider's referral figures, as the referral triggers keep them
/// (migration 000017, `provider_quality_refresh`).
#[derive(Queryable, Selectable, QueryableByName)]
#[diesel(table_name = provider_quality)]
struct QualityRow {
    referrals: i64,
    completion_rate: Option<f64>,
    median_days: Option<f64>,
    no_show_rate: Option<f64>,
    satisfaction: Option<f64>,
    ratings: i64,
}

impl From<QualityRow> for ProviderQuality {
    fn from(r: QualityRow) -> ProviderQuality {
        ProviderQuality {
            referrals: r.referrals,
            completion_rate: r.completion_rate,
            median_days_to_appointment: r.median_days,
            no_show_rate: r.no_show_rate,
            satisfaction: r.satisfaction,
            ratings: r.ratings,
        }
    }
}

/// The quality figures of provider `id`, from every referral sent to it:
/// of those that ended (completed, closed after completing, declined,
/// no-show) the share completed; the median days from sending to the
/// appointment; of those scheduled the share that were no-shows; the mean
/// rating. The referral triggers keep them as referrals change, so a read
/// is one row; a provider without referrals has none.
pub fn quality(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<ProviderQuality> {
    Ok(provider_quality::table
        .filter(provider_quality::organization_id.eq(auth.org().get()))
        .filter(provider_quality::provider_id.eq(id))
        .select(QualityRow::as_select())
        .first(conn)
        .optional()?
        .map(ProviderQuality::from)
        .unwrap_or_default())
}

/// Logs a recruiting activity.
pub fn add_activity(
    conn: &mut PgConnection,
    auth: &Authorized,
    a: &ProviderActivity,
) -> ApiResult<()> {
    diesel::insert_into(provider_activities::table)
        .values((
            provider_activities::id.eq(a.id),
            provider_activities::organization_id.eq(auth.org().get()),
            provider_activities::provider_id.eq(a.provider_id),
            provider_activities::kind.eq(a.kind.as_ref()),
            provider_activities::summary.eq(&a.summary),
            provider_activities::occurred_at.eq(a.occurred_at),
            provider_activities::recorded_by.eq(a.recorded_by.map(UserId::get)),
        ))
        .execute(conn)?;
    Ok(())
}

type ActivityRow = (Uuid, Uuid, String, String, DateTime<Utc>, Option<Uuid>);

/// A provider's recruiting activities, newest first.
pub fn activities(
    conn: &mut PgConnection,
    auth: &Authorized,
    provider: Uuid,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Vec<ProviderActivity>> {
    let mut q = of_org!(provider_activities, auth)
        .filter(provider_activities::provider_id.eq(provider))
        .into_boxed();
    if let Some((at, id)) = paging.after {
        q = q.filter(
            provider_activities::occurred_at
                .lt(at)
                .or(provider_activities::occurred_at
                    .eq(at)
                    .and(provider_activities::id.lt(id))),
        );
    }
    q.order((
        provider_activities::occurred_at.desc(),
        provider_activities::id.desc(),
    ))
    .limit(paging.fetch())
    .select((
        provider_activities::id,
        provider_activities::provider_id,
        provider_activities::kind,
        provider_activities::summary,
        provider_activities::occurred_at,
        provider_activities::recorded_by,
    ))
    .load::<ActivityRow>(conn)?
    .into_iter()
    .map(|(id, provider_id, kind, summary, occurred_at, by)| {
        Ok(ProviderActivity {
            id,
            provider_id,
            kind: code(&kind)?,
            summary,
            occurred_at,
            recorded_by: by.map(UserId::from),
            version: 1,
        })
    })
    .collect()
}

/// Records a credential document.
pub fn add_credential(conn: &mut PgConnection, auth: &Authorized, c: &Credential) -> ApiResult<()> {
    diesel::insert_into(provider_credentials::table)
        .values((
            provider_credentials::id.eq(c.id),
            provider_credentials::organization_id.eq(auth.org().get()),
            provider_credentials::provider_id.eq(c.provider_id),
            provider_credentials::name.eq(&c.name),
            provider_credentials::reference.eq(&c.reference),
            provider_credentials::expires_on.eq(c.expires_on),
            provider_credentials::recorded_by.eq(c.recorded_by.map(UserId::get)),
            provider_credentials::created_at.eq(c.created_at),
        ))
        .execute(conn)?;
    Ok(())
}

type CredentialRow = (
    Uuid,
    Uuid,
    String,
    Option<String>,
    NaiveDate,
    Option<Uuid>,
    DateTime<Utc>,
);

/// A provider's credentials, soonest expiry first.
pub fn credentials(
    conn: &mut PgConnection,
    auth: &Authorized,
    provider: Uuid,
    paging: &Paging<(NaiveDate, Uuid)>,
) -> ApiResult<Vec<Credential>> {
    let mut q = of_org!(provider_credentials, auth)
        .filter(provider_credentials::provider_id.eq(provider))
        .into_boxed();
    if let Some((on, id)) = paging.after {
        q = q.filter(
            provider_credentials::expires_on
                .gt(on)
                .or(provider_credentials::expires_on
                    .eq(on)
                    .and(provider_credentials::id.gt(id))),
        );
    }
    q.order((
        provider_credentials::expires_on.asc(),
        provider_credentials::id.asc(),
    ))
    .limit(paging.fetch())
    .select((
        provider_credentials::id,
        provider_credentials::provider_id,
        provider_credentials::name,
        provider_credentials::reference,
        provider_credentials::expires_on,
        provider_credentials::recorded_by,
        provider_credentials::created_at,
    ))
    .load::<CredentialRow>(conn)?
    .into_iter()
    .map(
        |(id, provider_id, name, reference, expires_on, by, created_at)| Credential {
            id,
            provider_id,
            name,
            reference,
            expires_on,
            recorded_by: by.map(UserId::from),
            created_at,
            version: 1,
        },
    )
    .map(Ok)
    .collect()
}
