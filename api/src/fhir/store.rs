//! The FHIR API's SQL: which records a read or a search finds, as keys
//! (id, patient, last updated) in the `_lastUpdated`-then-id order pages
//! follow, and how many a search matches. The records themselves are read
//! through their own modules' stores.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Int8, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::ApiResult;
use crate::fhir::params::{FhirType, Search};
use crate::schema::{
    appointments, care_plans, care_team_members, contacts, encounters, patients, providers,
    referrals, screenings, tasks,
};
use crate::store::of_org;

/// A record found: its id, its patient (none in the directory), and when
/// it last changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// The record's id (a goal's own id, inside its plan).
    pub id: Uuid,
    /// The patient it belongs to.
    pub patient: Option<Uuid>,
    /// When it last changed (a goal: when its plan did).
    pub at: DateTime<Utc>,
}

type Row = (Uuid, Uuid, DateTime<Utc>);

fn keys(rows: Vec<Row>) -> Vec<Key> {
    rows.into_iter()
        .map(|(id, patient, at)| Key {
            id,
            patient: Some(patient),
            at,
        })
        .collect()
}

/// The rows of `$table` in the caller's organization that `$search`
/// (patient, window) selects, boxed.
macro_rules! matching {
    ($table:ident, $patient:expr, $auth:expr, $search:expr) => {{
        let mut q = of_org!($table, $auth).into_boxed();
        if let Some(p) = $search.patient {
            q = q.filter($patient.eq(p.get()));
        }
        if let Some(from) = $search.window.from {
            q = q.filter($table::updated_at.ge(from));
        }
        if let Some(until) = $search.window.until {
            q = q.filter($table::updated_at.lt(until));
        }
        q
    }};
}

/// How many rows match, and the page after the cursor.
macro_rules! page_of {
    ($table:ident, $patient:expr, $conn:expr, $auth:expr, $search:expr) => {{
        let total: i64 = matching!($table, $patient, $auth, $search)
            .count()
            .get_result($conn)?;
        let mut q = matching!($table, $patient, $auth, $search).select((
            $table::id,
            $patient,
            $table::updated_at,
        ));
        if let Some((at, id)) = $search.after {
            q = q.filter(
                $table::updated_at
                    .gt(at)
                    .or($table::updated_at.eq(at).and($table::id.gt(id))),
            );
        }
        let rows: Vec<Row> = if $search.count == 0 {
            Vec::new()
        } else {
            q.order(($table::updated_at.asc(), $table::id.asc()))
                .limit($search.fetch())
                .load($conn)?
        };
        (total, keys(rows))
    }};
}

/// The one row `$id` of `$table` in the caller's organization.
macro_rules! key_of {
    ($table:ident, $patient:expr, $conn:expr, $auth:expr, $id:expr) => {{
        of_org!($table, $auth)
            .filter($table::id.eq($id))
            .select(($table::id, $patient, $table::updated_at))
            .first::<Row>($conn)
            .optional()?
            .map(|row| keys(vec![row]).remove(0))
    }};
}

/// The records of type `ty` a search matches: how many in all, and the
/// keys of the page after its cursor (one more than the page, when more
/// follow).
pub fn search(
    conn: &mut PgConnection,
    auth: &Authorized,
    ty: FhirType,
    search: &Search,
) -> ApiResult<(i64, Vec<Key>)> {
    Ok(match ty {
        FhirType::Patient => page_of!(patients, patients::id, conn, auth, search),
        FhirType::RelatedPerson => page_of!(contacts, contacts::patient_id, conn, auth, search),
        FhirType::CareTeam => page_of!(
            care_team_members,
            care_team_members::patient_id,
            conn,
            auth,
            search
        ),
        FhirType::Encounter => page_of!(encounters, encounters::patient_id, conn, auth, search),
        FhirType::Appointment => {
            page_of!(appointments, appointments::patient_id, conn, auth, search)
        }
        FhirType::Task => page_of!(tasks, tasks::patient_id, conn, auth, search),
        FhirType::CarePlan => page_of!(care_plans, care_plans::patient_id, conn, auth, search),
        FhirType::ServiceRequest => page_of!(referrals, referrals::patient_id, conn, auth, search),
        FhirType::QuestionnaireResponse | FhirType::Observation => {
            page_of!(screenings, screenings::patient_id, conn, auth, search)
        }
        FhirType::Organization | FhirType::HealthcareService => {
            // The directory has no patient (`patient` is refused for it).
            let (total, mut found) = page_of!(providers, providers::id, conn, auth, search);
            for key in &mut found {
                key.patient = None;
            }
            (total, found)
        }
        FhirType::Goal => goals(conn, auth, search)?,
    })
}

/// The record `id` of type `ty` in the caller's organization, if there is one.
pub fn find(
    conn: &mut PgConnection,
    auth: &Authorized,
    ty: FhirType,
    id: Uuid,
) -> ApiResult<Option<Key>> {
    Ok(match ty {
        FhirType::Patient => key_of!(patients, patients::id, conn, auth, id),
        FhirType::RelatedPerson => key_of!(contacts, contacts::patient_id, conn, auth, id),
        FhirType::CareTeam => key_of!(
            care_team_members,
            care_team_members::patient_id,
            conn,
            auth,
            id
        ),
        FhirType::Encounter => key_of!(encounters, encounters::patient_id, conn, auth, id),
        FhirType::Appointment => key_of!(appointments, appointments::patient_id, conn, auth, id),
        FhirType::Task => key_of!(tasks, tasks::patient_id, conn, auth, id),
        FhirType::CarePlan => key_of!(care_plans, care_plans::patient_id, conn, auth, id),
        FhirType::ServiceRequest => key_of!(referrals, referrals::patient_id, conn, auth, id),
        FhirType::QuestionnaireResponse | FhirType::Observation => {
            key_of!(screenings, screenings::patient_id, conn, auth, id)
        }
        FhirType::Organization | FhirType::HealthcareService => {
            key_of!(providers, providers::id, conn, auth, id).map(|k| Key { patient: None, ..k })
        }
        FhirType::Goal => goal(conn, auth, id)?,
    })
}

#[derive(QueryableByName)]
struct GoalRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    patient_id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    updated_at: DateTime<Utc>,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = Int8)]
    n: i64,
}

impl From<GoalRow> for Key {
    fn from(r: GoalRow) -> Key {
        Key {
            id: r.id,
            patient: Some(r.patient_id),
            at: r.updated_at,
        }
    }
}

/// The goals (those with an id) of the organization's care plans that a
/// search selects: $1 organization, $2 patient, $3–$4 the window.
const GOALS: &str = "FROM care_plans p
     CROSS JOIN LATERAL jsonb_array_elements(p.content -> 'goals') AS g(goal)
     WHERE p.organization_id = $1
       AND jsonb_typeof(g.goal -> 'id') = 'string'
       AND ($2::uuid IS NULL OR p.patient_id = $2)
       AND ($3::timestamptz IS NULL OR p.updated_at >= $3)
       AND ($4::timestamptz IS NULL OR p.updated_at < $4)";

/// Goals live inside their plan's content: one row per goal, last
/// updated when the plan was, in the same order as every other type.
fn goals(
    conn: &mut PgConnection,
    auth: &Authorized,
    search: &Search,
) -> ApiResult<(i64, Vec<Key>)> {
    let org = auth.org().get();
    let patient = search.patient.map(shared::ids::PatientId::get);
    let total = diesel::sql_query(format!("SELECT count(*) AS n {GOALS}"))
        .bind::<SqlUuid, _>(org)
        .bind::<Nullable<SqlUuid>, _>(patient)
        .bind::<Nullable<Timestamptz>, _>(search.window.from)
        .bind::<Nullable<Timestamptz>, _>(search.window.until)
        .get_result::<Count>(conn)?
        .n;
    if search.count == 0 {
        return Ok((total, Vec::new()));
    }
    let rows: Vec<GoalRow> = diesel::sql_query(format!(
        "SELECT (g.goal ->> 'id')::uuid AS id, p.patient_id, p.updated_at {GOALS}
           AND ($5::timestamptz IS NULL OR (p.updated_at, (g.goal ->> 'id')::uuid) > ($5, $6))
         ORDER BY p.updated_at, (g.goal ->> 'id')::uuid
         LIMIT $7"
    ))
    .bind::<SqlUuid, _>(org)
    .bind::<Nullable<SqlUuid>, _>(patient)
    .bind::<Nullable<Timestamptz>, _>(search.window.from)
    .bind::<Nullable<Timestamptz>, _>(search.window.until)
    .bind::<Nullable<Timestamptz>, _>(search.after.map(|(at, _)| at))
    .bind::<Nullable<SqlUuid>, _>(search.after.map(|(_, id)| id))
    .bind::<BigInt, _>(search.fetch())
    .load(conn)?;
    Ok((total, rows.into_iter().map(Key::from).collect()))
}

/// The goal `id`, if one of the organization's plans has it.
fn goal(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<Option<Key>> {
    let row: Option<GoalRow> = diesel::sql_query(
        "SELECT (g.goal ->> 'id')::uuid AS id, p.patient_id, p.updated_at
           FROM care_plans p
          CROSS JOIN LATERAL jsonb_array_elements(p.content -> 'goals') AS g(goal)
          WHERE p.organization_id = $1 AND g.goal ->> 'id' = $2
          LIMIT 1",
    )
    .bind::<SqlUuid, _>(auth.org().get())
    .bind::<Text, _>(id.to_string())
    .get_result(conn)
    .optional()?;
    Ok(row.map(Key::from))
}
