//! Notes and addenda in the database. Signed notes are also protected by a
//! trigger: the database refuses to change them whatever the caller.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use shared::ids::{PatientId, TaskId, UserId};
use shared::notes::{ActivityMinutes, Addendum, NewNote, Note};
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::schema::{note_addenda, notes};
use crate::store::{code, of_org, one_of_org};

const NOUN: &str = "note";

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

fn hydrate(conn: &mut PgConnection, auth: &Authorized, rows: Vec<Row>) -> ApiResult<Vec<Note>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut addenda: HashMap<Uuid, Vec<Addendum>> = HashMap::new();
    for (note_id, id, author_id, body, created_at) in of_org!(note_addenda, auth)
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
            author_id: author_id.map(UserId::from),
            body,
            created_at,
        });
    }
    rows.into_iter()
        .map(|r| {
            Ok(Note {
                addenda: addenda.remove(&r.id).unwrap_or_default(),
                id: r.id,
                patient_id: r.patient_id.into(),
                author_id: r.author_id.map(UserId::from),
                note_type: code(&r.note_type)?,
                body: r.body,
                minutes: r.minutes,
                occurred_at: r.occurred_at,
                task_id: r.task_id.map(TaskId::from),
                signed_at: r.signed_at,
                signed_by: r.signed_by.map(UserId::from),
                version: r.version,
                created_at: r.created_at,
                updated_at: r.updated_at,
            })
        })
        .collect()
}

fn find(conn: &mut PgConnection, auth: &Authorized, id: Uuid, lock: bool) -> ApiResult<Note> {
    let query = one_of_org!(notes, auth, id).select(Row::as_select());
    let row = if lock {
        query.for_update().first(conn).optional()?
    } else {
        query.first(conn).optional()?
    };
    let row = row.ok_or_else(|| ApiError::not_found(NOUN))?;
    hydrate(conn, auth, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("a hydrated note went missing"))
}

/// Note `id`, or a 404.
pub fn get(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<Note> {
    find(conn, auth, id, false)
}

/// Note `id` locked for a change: 404 when absent, 412 when stale.
pub fn lock(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
) -> ApiResult<Note> {
    let note = find(conn, auth, id, true)?;
    expected.check(note.version)?;
    Ok(note)
}

/// The patient's notes, newest activity first, after the `(occurred_at, id)` paging key.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Vec<Note>> {
    let mut q = of_org!(notes, auth)
        .filter(notes::patient_id.eq(patient.get()))
        .into_boxed();
    if let Some((at, id)) = paging.after {
        q = q.filter(
            notes::occurred_at
                .lt(at)
                .or(notes::occurred_at.eq(at).and(notes::id.lt(id))),
        );
    }
    let rows = q
        .order((notes::occurred_at.desc(), notes::id.desc()))
        .limit(paging.fetch())
        .select(Row::as_select())
        .load(conn)?;
    hydrate(conn, auth, rows)
}

/// Writes a new, unsigned note by `author`.
pub fn insert(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    new: &NewNote,
    author: UserId,
    now: DateTime<Utc>,
) -> ApiResult<Note> {
    let id = Uuid::now_v7();
    diesel::insert_into(notes::table)
        .values((
            notes::id.eq(id),
            notes::organization_id.eq(auth.org().get()),
            notes::patient_id.eq(patient.get()),
            notes::author_id.eq(author.get()),
            notes::note_type.eq(new.note_type.as_ref()),
            notes::body.eq(&new.body),
            notes::minutes.eq(new.minutes),
            notes::occurred_at.eq(new.occurred_at.unwrap_or(now)),
            notes::task_id.eq(new.task_id.map(TaskId::get)),
            notes::created_at.eq(now),
            notes::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, auth, id)
}

/// Writes `after` over a locked, unsigned note (the caller checked both).
pub fn save(
    conn: &mut PgConnection,
    auth: &Authorized,
    after: &Note,
    now: DateTime<Utc>,
) -> ApiResult<Note> {
    diesel::update(one_of_org!(notes, auth, after.id))
        .set((
            notes::note_type.eq(after.note_type.as_ref()),
            notes::body.eq(&after.body),
            notes::minutes.eq(after.minutes),
            notes::occurred_at.eq(after.occurred_at),
            notes::version.eq(notes::version + 1),
            notes::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, auth, after.id)
}

/// Signs a note: from now on it never changes.
pub fn sign(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    by: UserId,
    now: DateTime<Utc>,
) -> ApiResult<Note> {
    diesel::update(one_of_org!(notes, auth, id))
        .set((
            notes::signed_at.eq(now),
            notes::signed_by.eq(by.get()),
            notes::version.eq(notes::version + 1),
            notes::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, auth, id)
}

/// Appends an addendum to a note.
pub fn add_addendum(
    conn: &mut PgConnection,
    auth: &Authorized,
    note: Uuid,
    body: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    diesel::insert_into(note_addenda::table)
        .values((
            note_addenda::id.eq(Uuid::now_v7()),
            note_addenda::organization_id.eq(auth.org().get()),
            note_addenda::note_id.eq(note),
            note_addenda::author_id.eq(by.get()),
            note_addenda::body.eq(body),
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
    auth: &Authorized,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    author: Option<UserId>,
) -> ApiResult<Vec<ActivityMinutes>> {
    let rows: Vec<MinutesRow> = diesel::sql_query(
        "SELECT author_id, (occurred_at AT TIME ZONE $2)::date AS day, note_type, sum(minutes)::bigint AS minutes
           FROM notes
          WHERE organization_id = $1 AND occurred_at >= $3 AND occurred_at < $4
            AND author_id IS NOT NULL AND ($5::uuid IS NULL OR author_id = $5)
          GROUP BY 1, 2, 3",
    )
    .bind::<SqlUuid, _>(auth.org().get())
    .bind::<Text, _>(auth.tz().name())
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(until)
    .bind::<Nullable<SqlUuid>, _>(author.map(UserId::get))
    .load(conn)?;
    rows.into_iter()
        .map(|r| {
            Ok(ActivityMinutes {
                user_id: r.author_id.into(),
                date: r.day,
                note_type: code(&r.note_type)?,
                minutes: r.minutes,
            })
        })
        .collect()
}
