//! Organizations in the database. Creating and finding one by name is for
//! the bootstrap paths only (the demo seed, `caremgr create-user`), which
//! act before anyone is signed in; everything else is the caller's own
//! organization.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use diesel::PgConnection;
use diesel::prelude::*;
use shared::ids::OrganizationId;
use shared::organization::{Holiday, Organization, OrganizationPatch};
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::ApiResult;
use crate::http::concurrency::Expected;
use crate::schema::{organization_holidays as holidays, organizations};
use crate::store::of_org;

/// The organization named `name` and its time zone, if any.
pub fn find_by_name(
    conn: &mut PgConnection,
    name: &str,
) -> QueryResult<Option<(OrganizationId, Tz)>> {
    organizations::table
        .filter(organizations::name.eq(name))
        .select((organizations::id, organizations::time_zone))
        .first::<(Uuid, String)>(conn)
        .optional()
        .map(|found| found.map(|(id, zone)| (id.into(), zone_of(&zone))))
}

/// The organization `id` and its time zone, if it exists.
pub fn find(
    conn: &mut PgConnection,
    id: OrganizationId,
) -> QueryResult<Option<(OrganizationId, Tz)>> {
    organizations::table
        .find(id.get())
        .select(organizations::time_zone)
        .first::<String>(conn)
        .optional()
        .map(|found| found.map(|zone| (id, zone_of(&zone))))
}

/// Whether any organization exists (the demo seed loads into an empty database only).
pub fn any(conn: &mut PgConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        organizations::table.select(organizations::id),
    ))
    .get_result(conn)
}

/// Creates an organization.
pub fn insert(conn: &mut PgConnection, name: &str, time_zone: Tz) -> QueryResult<OrganizationId> {
    let id = Uuid::now_v7();
    diesel::insert_into(organizations::table)
        .values((
            organizations::id.eq(id),
            organizations::name.eq(name),
            organizations::time_zone.eq(time_zone.name()),
        ))
        .execute(conn)?;
    Ok(id.into())
}

/// The organization named `name`, created if missing.
pub fn find_or_create(
    conn: &mut PgConnection,
    name: &str,
    time_zone: Tz,
) -> QueryResult<(OrganizationId, Tz)> {
    match find_by_name(conn, name)? {
        Some(found) => Ok(found),
        None => insert(conn, name, time_zone).map(|id| (id, time_zone)),
    }
}

/// An unknown stored zone (impossible through the API) falls back to UTC.
fn zone_of(name: &str) -> Tz {
    name.parse().unwrap_or(chrono_tz::UTC)
}

/// What the workflow rules need to know about an organization's clock.
#[derive(Debug, Clone)]
pub struct Calendar {
    /// The time zone.
    pub tz: Tz,
    /// Holidays.
    pub holidays: Vec<NaiveDate>,
}

impl Calendar {
    /// Renders an instant on the organization's wall clock: "Mon 3/2 14:10".
    pub fn local(&self, at: DateTime<Utc>) -> String {
        shared::calendar::wall_clock(at, &self.tz)
    }

    /// Today's date on the organization's calendar.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        shared::calendar::local_date(now, &self.tz)
    }
}

/// The caller's organization's calendar: its time zone and holidays.
pub fn calendar(conn: &mut PgConnection, auth: &Authorized) -> QueryResult<Calendar> {
    let holidays = of_org!(holidays, auth)
        .order(holidays::date)
        .select(holidays::date)
        .load(conn)?;
    Ok(Calendar {
        tz: auth.tz(),
        holidays,
    })
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = organizations)]
struct OrgRow {
    id: Uuid,
    name: String,
    time_zone: String,
    version: i32,
    created_at: DateTime<Utc>,
}

/// The caller's organization as the API shows it.
pub fn get(conn: &mut PgConnection, auth: &Authorized) -> ApiResult<Organization> {
    let org = auth.org().get();
    let row: OrgRow = organizations::table
        .find(org)
        .select(OrgRow::as_select())
        .first(conn)?;
    let holidays = holidays::table
        .filter(holidays::organization_id.eq(org))
        .order(holidays::date)
        .select((holidays::date, holidays::name))
        .load::<(NaiveDate, String)>(conn)?
        .into_iter()
        .map(|(date, name)| Holiday { date, name })
        .collect();
    Ok(Organization {
        id: row.id.into(),
        name: row.name,
        time_zone: row.time_zone,
        holidays,
        version: row.version,
        created_at: row.created_at,
    })
}

/// Applies a checked patch if the organization has the expected version.
pub fn update(
    conn: &mut PgConnection,
    auth: &Authorized,
    expected: Expected,
    patch: &OrganizationPatch,
) -> ApiResult<Organization> {
    let org = auth.org().get();
    let current: i32 = organizations::table
        .find(org)
        .select(organizations::version)
        .for_update()
        .first(conn)?;
    expected.check(current)?;
    if let Some(days) = &patch.holidays {
        diesel::delete(holidays::table.filter(holidays::organization_id.eq(org))).execute(conn)?;
        let rows: Vec<_> = days
            .iter()
            .map(|d| {
                (
                    holidays::organization_id.eq(org),
                    holidays::date.eq(d.date),
                    holidays::name.eq(&d.name),
                )
            })
            .collect();
        diesel::insert_into(holidays::table)
            .values(rows)
            .execute(conn)?;
    }
    diesel::update(organizations::table.find(org))
        .set((
            patch.name.as_ref().map(|n| organizations::name.eq(n)),
            patch
                .time_zone
                .as_ref()
                .map(|z| organizations::time_zone.eq(z)),
            organizations::version.eq(organizations::version + 1),
        ))
        .execute(conn)?;
    get(conn, auth)
}
