//! Notes and addenda in the database. Signed notes are also protected by a
//! trigger: the database refuses to change them whatever the caller.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use shared::notes::{ActivityMinutes, Addendum, NewNote, Note, NotePatch};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::http::concurrency::Expected;
use crate::schema::{note_addenda, notes};

#[derive(Queryable, Selectable)]
#[diesel(table_name = notes)]
struct Row {
    id: Uuid,
    patient_id: Uuid,
    author_id: Option<Uuid>,
    note_type: String,
    body: String,
    minutes: i32,
    occurred_at: DateTime<Utc>,
    task_id: Option<Uuid>,
    signed_at: Option<DateTime<Utc>>,
    signed_by: Option<Uuid>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn hydrate(conn: &mut PgConnection, org: Uuid, rows: Vec<Row>) -> ApiResult<Vec<Note>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut addenda: HashMap<Uuid, Vec<Addendum>> = HashMap::new();
    for (note_id, id, author_id, body, created_at) in note_addenda::table
        .filter(note_addenda::organization_id.eq(org))
        .filter(note_addenda::note_id.eq_any(&ids))
        .order((note_addenda::created_at.asc(), note_addenda::id.asc()))
        .select((
            note_addenda::note_id,
            note_addenda::id,
            note_addenda::author_id,
            note_addenda::body,
            note_addenda::created_at,
        ))
        .load::<(Uuid, Uuid, Option<Uuid>, String, DateTime<Utc>)>(conn)?
    {
        addenda.entry(note_id).or_default().push(Addendum {
            id,
            author_id,
            body,
            created_at,
        });
    }
    rows.into_iter()
        .map(|r| {
            Ok(Note {
                addenda: addenda.remove(&r.id).unwrap_or_default(),
                id: r.id,
                patient_id: r.patient_id,
                author_id: r.author_id,
                note_type: r.note_type.parse().map_err(ApiError::internal)?,
                body: r.body,
                minutes: r.minutes,
                occurred_at: r.occurred_at,
                task_id: r.task_id,
                signed_at: r.signed_at,
                signed_by: r.signed_by,
                version: r.version,
                created_at: r.created_at,
                updated_at: r.updated_at,
            })
        })
        .collect()
}

/// Note `id` of `org`, or a 404.
pub fn get(conn: &mut PgConnection, org: Uuid, id: Uuid) -> ApiResult<Note> {
    let row = notes::table
        .filter(notes::organization_id.eq(org))
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("note"))?;
    Ok(hydrate(conn, org, vec![row])?.remove(0))
}

/// Note `id` locked for a change, checked against the expected version.
pub fn lock(conn: &mut PgConnection, org: Uuid, id: Uuid, expected: Expected) -> ApiResult<Note> {
    notes::table
        .filter(notes::organization_id.eq(org))
        .find(id)
        .select(notes::id)
        .for_update()
        .first::<Uuid>(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("note"))?;
    let note = get(conn, org, id)?;
    if !expected.matches(note.version) {
        return Err(ApiError::PreconditionFailed {
            current: note.version,
        });
    }
    Ok(note)
}

/// The patient's notes, newest activity first, after `(occurred_at, id)`.
pub fn list(
    conn: &mut PgConnection,
    org: Uuid,
    patient: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> ApiResult<Vec<Note>> {
    let mut q = notes::table
        .filter(notes::organization_id.eq(org))
        .filter(notes::patient_id.eq(patient))
        .into_boxed();
    if let Some((at, id)) = after {
        q = q.filter(
            notes::occurred_at
                .lt(at)
                .or(notes::occurred_at.eq(at).and(notes::id.lt(id))),
        );
    }
    let rows = q
        .order((notes::occurred_at.desc(), notes::id.desc()))
        .limit(limit)
        .select(Row::as_select())
        .load(conn)?;
    hydrate(conn, org, rows)
}

/// Writes a new, unsigned note.
pub fn insert(
    conn: &mut PgConnection,
    org: Uuid,
    patient: Uuid,
    new: &NewNote,
    author: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<Note> {
    let id = Uuid::now_v7();
    diesel::insert_into(notes::table)
        .values((
            notes::id.eq(id),
            notes::organization_id.eq(org),
            notes::patient_id.eq(patient),
            notes::author_id.eq(author),
            notes::note_type.eq(new.note_type.as_ref()),
            notes::body.eq(new.body.trim()),
            notes::minutes.eq(new.minutes),
            notes::occurred_at.eq(new.occurred_at.unwrap_or(now)),
            notes::task_id.eq(new.task_id),
            notes::created_at.eq(now),
            notes::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, org, id)
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = notes)]
struct Changes {
    note_type: Option<String>,
    body: Option<String>,
    minutes: Option<i32>,
    occurred_at: Option<DateTime<Utc>>,
}

/// Changes an unsigned note (the caller checked it is unsigned).
pub fn update(
    conn: &mut PgConnection,
    org: Uuid,
    id: Uuid,
    patch: &NotePatch,
    now: DateTime<Utc>,
) -> ApiResult<Note> {
    let changes = Changes {
        note_type: patch.note_type.map(|t| t.as_ref().to_string()),
        body: patch.body.as_ref().map(|b| b.trim().to_string()),
        minutes: patch.minutes,
        occurred_at: patch.occurred_at,
    };
    diesel::update(notes::table.find(id))
        .set((
            changes,
            notes::version.eq(notes::version + 1),
            notes::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, org, id)
}

/// Signs a note: from now on it never changes.
pub fn sign(
    conn: &mut PgConnection,
    org: Uuid,
    id: Uuid,
    by: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<Note> {
    diesel::update(notes::table.find(id))
        .set((
            notes::signed_at.eq(now),
            notes::signed_by.eq(by),
            notes::version.eq(notes::version + 1),
            notes::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, org, id)
}

/// Appends an addendum to a note.
pub fn add_addendum(
    conn: &mut PgConnection,
    org: Uuid,
    note: Uuid,
    body: &str,
    by: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    diesel::insert_into(note_addenda::table)
        .values((
            note_addenda::id.eq(Uuid::now_v7()),
            note_addenda::organization_id.eq(org),
            note_addenda::note_id.eq(note),
            note_addenda::author_id.eq(by),
            note_addenda::body.eq(body.trim()),
            note_addenda::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(QueryableByName)]
struct MinutesRow {
    #[diesel(sql_type = SqlUuid)]
    author_id: Uuid,
    #[diesel(sql_type = Date)]
    day: NaiveDate,
    #[diesel(sql_type = Text)]
    note_type: String,
    #[diesel(sql_type = BigInt)]
    minutes: i64,
}

/// Minutes per author, local day and activity type between `from` and
/// `until` (instants), optionally for one author.
pub fn activity_minutes(
    conn: &mut PgConnection,
    org: Uuid,
    time_zone: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    author: Option<Uuid>,
) -> ApiResult<Vec<ActivityMinutes>> {
    let rows: Vec<MinutesRow> = diesel::sql_query(
        "SELECT author_id, (occurred_at AT TIME ZONE $2)::date AS day, note_type, sum(minutes)::bigint AS minutes
           FROM notes
          WHERE organization_id = $1 AND occurred_at >= $3 AND occurred_at < $4
            AND author_id IS NOT NULL AND ($5::uuid IS NULL OR author_id = $5)
          GROUP BY 1, 2, 3",
    )
    .bind::<SqlUuid, _>(org)
    .bind::<Text, _>(time_zone)
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(until)
    .bind::<Nullable<SqlUuid>, _>(author)
    .load(conn)?;
    rows.into_iter()
        .map(|r| {
            Ok(ActivityMinutes {
                user_id: r.author_id,
                date: r.day,
                note_type: r.note_type.parse().map_err(ApiError::internal)?,
                minutes: r.minutes,
            })
        })
        .collect()
}
