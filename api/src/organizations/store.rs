//! Organizations in the database.

use diesel::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::organizations;

/// The organization named `name`, if any.
pub fn find_by_name(conn: &mut PgConnection, name: &str) -> QueryResult<Option<Uuid>> {
    organizations::table
        .filter(organizations::name.eq(name))
        .select(organizations::id)
        .first(conn)
        .optional()
}

/// The organization `id`, if it exists.
pub fn exists(conn: &mut PgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(organizations::table.find(id))).get_result(conn)
}

/// Creates an organization.
pub fn insert(conn: &mut PgConnection, name: &str, time_zone: &str) -> QueryResult<Uuid> {
    let id = Uuid::now_v7();
    diesel::insert_into(organizations::table)
        .values((
            organizations::id.eq(id),
            organizations::name.eq(name),
            organizations::time_zone.eq(time_zone),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The organization named `name`, created if missing.
pub fn find_or_create(conn: &mut PgConnection, name: &str, time_zone: &str) -> QueryResult<Uuid> {
    match find_by_name(conn, name)? {
        Some(id) => Ok(id),
        None => insert(conn, name, time_zone),
    }
}

/// What the workflow rules need to know about an organization's clock.
#[derive(Debug, Clone)]
pub struct Calendar {
    /// The time zone.
    pub tz: chrono_tz::Tz,
    /// Holidays.
    pub holidays: Vec<chrono::NaiveDate>,
}

impl Calendar {
    /// Renders an instant on the organization's wall clock: "Mon 3/2 14:10".
    pub fn local(&self, at: chrono::DateTime<chrono::Utc>) -> String {
        at.with_timezone(&self.tz)
            .format("%a %-m/%-d %H:%M")
            .to_string()
    }

    /// Today's date on the organization's calendar.
    pub fn today(&self, now: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        shared::calendar::local_date(now, &self.tz)
    }
}

/// The organization's calendar (an unknown stored zone falls back to UTC).
pub fn calendar(conn: &mut PgConnection, org: Uuid) -> QueryResult<Calendar> {
    use crate::schema::organization_holidays as h;
    let zone: String = organizations::table
        .find(org)
        .select(organizations::time_zone)
        .first(conn)?;
    let holidays = h::table
        .filter(h::organization_id.eq(org))
        .order(h::date)
        .select(h::date)
        .load(conn)?;
    Ok(Calendar {
        tz: zone.parse().unwrap_or(chrono_tz::UTC),
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
    created_at: chrono::DateTime<chrono::Utc>,
}

/// The organization as the API shows it.
pub fn get(conn: &mut PgConnection, org: Uuid) -> QueryResult<shared::organization::Organization> {
    use crate::schema::organization_holidays as h;
    let row: OrgRow = organizations::table
        .find(org)
        .select(OrgRow::as_select())
        .first(conn)?;
    let holidays = h::table
        .filter(h::organization_id.eq(org))
        .order(h::date)
        .select((h::date, h::name))
        .load::<(chrono::NaiveDate, String)>(conn)?
        .into_iter()
        .map(|(date, name)| shared::organization::Holiday { date, name })
        .collect();
    Ok(shared::organization::Organization {
        id: row.id,
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
    org: Uuid,
    expected: crate::http::concurrency::Expected,
    patch: &shared::organization::OrganizationPatch,
) -> crate::error::ApiResult<shared::organization::Organization> {
    use crate::schema::organization_holidays as h;
    let current: i32 = organizations::table
        .find(org)
        .select(organizations::version)
        .for_update()
        .first(conn)?;
    if !expected.matches(current) {
        return Err(crate::error::ApiError::PreconditionFailed { current });
    }
    if let Some(days) = &patch.holidays {
        diesel::delete(h::table.filter(h::organization_id.eq(org))).execute(conn)?;
        let rows: Vec<_> = days
            .iter()
            .map(|d| {
                (
                    h::organization_id.eq(org),
                    h::date.eq(d.date),
                    h::name.eq(d.name.trim()),
                )
            })
            .collect();
        diesel::insert_into(h::table).values(rows).execute(conn)?;
    }
    diesel::update(organizations::table.find(org))
        .set((
            patch
                .name
                .as_ref()
                .map(|n| organizations::name.eq(n.trim().to_string())),
            patch
                .time_zone
                .as_ref()
                .map(|z| organizations::time_zone.eq(z.clone())),
            organizations::version.eq(organizations::version + 1),
        ))
        .execute(conn)?;
    Ok(get(conn, org)?)
}
