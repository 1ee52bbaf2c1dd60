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
use diesel::sql_types::{Array, Bool, Double, Int8, Nullable, Text, Uuid as SqlUuid};
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
use crate::schema::{postal_code_centroids, provider_activities, provider_credentials, providers};
use crate::store::{self, code, of_org, one_of_org, scoped_rows};

const NOUN: &str = "provider";

/// The most candidates a directory search ranks: a filter that matches
/// more is too broad to rank usefully, and the first ones by name stand in.
pub const RANK_LIMIT: i64 = 2000;

#[derive(Queryable, Selectable)]
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
    p.quality = quality(conn, auth, &[id])?.remove(&id).unwrap_or_default();
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

/// The providers the directory's filters match, by name: all of them up
/// to [`RANK_LIMIT`] for ranking, with each one's location (its own, else
/// its ZIP code's centre).
pub fn search(
    conn: &mut PgConnection,
    auth: &Authorized,
    q: &ProviderQuery,
) -> ApiResult<Vec<(Provider, Option<GeoPoint>)>> {
    let mut query = rows(auth)
        .left_join(
            postal_code_centroids::table.on(postal_code_centroids::postal_code.nullable().eq(
                diesel::dsl::sql::<Nullable<Text>>("left(providers.address_postal_code, 5)"),
            )),
        )
        .select((
            Row::as_select(),
            postal_code_centroids::latitude.nullable(),
            postal_code_centroids::longitude.nullable(),
        ))
        .into_boxed();
    if let Some(text) = q.q.as_deref().filter(|t| !t.trim().is_empty()) {
        query = query.filter(providers::name.ilike(contains_pattern(text)));
    }
    if let Some(service) = q.service {
        query = query.filter(providers::services.contains(vec![service.as_ref().to_owned()]));
    }
    if let Some(specialty) = q.specialty.as_deref().filter(|t| !t.trim().is_empty()) {
        query = query.filter(
            diesel::dsl::sql::<Bool>("array_to_string(providers.specialties, '|') ILIKE ")
                .bind::<Text, _>(contains_pattern(specialty)),
        );
    }
    if let Some(language) = q.language.as_deref().filter(|t| !t.trim().is_empty()) {
        // A search for `es` finds `es-MX` and one for `es-MX` finds `es`.
        let base = language
            .trim()
            .split('-')
            .next()
            .unwrap_or("")
            .to_lowercase();
        query = query.filter(
            diesel::dsl::sql::<Bool>(
                "EXISTS (SELECT 1 FROM unnest(providers.languages) l WHERE split_part(lower(l), '-', 1) = ",
            )
            .bind::<Text, _>(base)
            .sql(")"),
        );
    }
    if let Some(payer) = q.payer.as_deref().filter(|t| !t.trim().is_empty()) {
        if payer.trim().eq_ignore_ascii_case("medicaid") {
            query = query.filter(providers::medicaid.eq(true));
        } else {
            query = query.filter(
                diesel::dsl::sql::<Bool>(
                    "EXISTS (SELECT 1 FROM unnest(providers.payers) p WHERE lower(p) = lower(",
                )
                .bind::<Text, _>(payer.trim().to_owned())
                .sql("))"),
            );
        }
    }
    if let Some(accepting) = q.accepting {
        query = query.filter(providers::accepting_new_clients.eq(accepting));
    }
    if let Some(status) = q.network_status {
        query = query.filter(providers::network_status.eq(status.as_ref().to_owned()));
    }
    query
        .order((
            diesel::dsl::sql::<Text>("lower(providers.name)"),
            providers::id,
        ))
        .limit(RANK_LIMIT)
        .load::<(Row, Option<f64>, Option<f64>)>(conn)?
        .into_iter()
        .map(|(row, lat, lon)| {
            let p = Provider::try_from(row)?;
            let at = p
                .location
                .or(lat.zip(lon).map(|(latitude, longitude)| GeoPoint {
                    latitude,
                    longitude,
                }));
            Ok((p, at))
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

#[derive(QueryableByName)]
struct QualityRow {
    #[diesel(sql_type = SqlUuid)]
    provider_id: Uuid,
    #[diesel(sql_type = Int8)]
    referrals: i64,
    #[diesel(sql_type = Nullable<Double>)]
    completion_rate: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    median_days: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    no_show_rate: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    satisfaction: Option<f64>,
    #[diesel(sql_type = Int8)]
    ratings: i64,
}

/// The quality figures of providers `ids`, from every referral sent to
/// them: of those that ended (completed, closed after completing,
/// declined, no-show) the share completed; the median days from sending to
/// the appointment; of those scheduled the share that were no-shows; the
/// mean rating. Aggregated in SQL, one pass. The ids join as a set
/// (`IN (SELECT unnest(…))`): as `= ANY($2)` a directory page's 2,000
/// candidates took 7-12 ms (a filter tested row by row); as a
/// set Postgres looks each one up in the index, about 1 ms
/// (bench/RESULTS.md).
pub fn quality(
    conn: &mut PgConnection,
    auth: &Authorized,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, ProviderQuality>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<QualityRow> = diesel::sql_query(
        "SELECT provider_id,
                count(*) FILTER (WHERE sent_at IS NOT NULL) AS referrals,
                (count(*) FILTER (WHERE completed_at IS NOT NULL))::float8
                    / NULLIF(count(*) FILTER (WHERE completed_at IS NOT NULL
                        OR status IN ('declined', 'no_show')
                        OR (status = 'closed' AND responded_at IS NOT NULL)), 0) AS completion_rate,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY
                    extract(epoch FROM appointment_at - sent_at) / 86400.0)
                    FILTER (WHERE appointment_at IS NOT NULL AND sent_at IS NOT NULL) AS median_days,
                (count(*) FILTER (WHERE status = 'no_show'
                    OR (status = 'closed' AND completed_at IS NULL AND scheduled_at IS NOT NULL)))::float8
                    / NULLIF(count(*) FILTER (WHERE scheduled_at IS NOT NULL), 0) AS no_show_rate,
                avg(satisfaction_rating)::float8 AS satisfaction,
                count(satisfaction_rating) AS ratings
           FROM referrals
          WHERE organization_id = $1
            AND provider_id IN (SELECT unnest($2::uuid[]))
          GROUP BY provider_id",
    )
    .bind::<SqlUuid, _>(auth.org().get())
    .bind::<Array<SqlUuid>, _>(ids)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.provider_id,
                ProviderQuality {
                    referrals: r.referrals,
                    completion_rate: r.completion_rate,
                    median_days_to_appointment: r.median_days,
                    no_show_rate: r.no_show_rate,
                    satisfaction: r.satisfaction,
                    ratings: r.ratings,
                },
            )
        })
        .collect())
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
