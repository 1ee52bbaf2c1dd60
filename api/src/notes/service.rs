//! The case-note use cases: writing, editing until signed, signing,
//! correcting by addenda, and the productivity roll-up. Notes are written
//! and signed by people, never by API keys.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use diesel::PgConnection;
use shared::audit::AuditAction;
use shared::ids::{PatientId, UserId};
use shared::notes::{
    NewAddendum, NewNote, Note, NotePatch, ProductivityDay, SignRequest, summarize,
};
use shared::pagination::Page;
use shared::validation::Valid;
use uuid::Uuid;

use crate::audit;
use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::notes::store;
use crate::patients::store as patients;
use crate::tasks::store as tasks;
use crate::users::store as users;

/// The person writing or signing: notes have a human author.
fn author(auth: &Authorized) -> ApiResult<UserId> {
    auth.user_id().ok_or_else(|| {
        ApiError::Forbidden("Notes are written and signed by people, not API keys.".into())
    })
}

/// The note locked for a change its author makes: a signed note never
/// changes (409) and only its author edits or signs it (403).
fn lock_own_draft(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
) -> ApiResult<(Note, UserId)> {
    let me = author(auth)?;
    let note = store::lock(conn, auth, id, expected)?;
    if note.signed_at.is_some() {
        return Err(ApiError::Conflict(
            "This note is signed and can no longer change; add an addendum to correct it.".into(),
        ));
    }
    if note.author_id != Some(me) {
        return Err(ApiError::Forbidden(
            "Only the note's author can edit or sign it.".into(),
        ));
    }
    Ok((note, me))
}

fn audited(
    conn: &mut PgConnection,
    auth: &Authorized,
    action: AuditAction,
    note: &Note,
) -> ApiResult<()> {
    Ok(audit::on_record(
        conn,
        auth,
        action,
        note.id,
        note.patient_id,
    )?)
}

/// A patient's notes, newest activity first, with their addenda.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Page<Note>> {
    patients::ensure(conn, auth, patient)?;
    let rows = store::list(conn, auth, patient, paging)?;
    audit::on_patient(conn, auth, AuditAction::NoteList, patient)?;
    Ok(paging.page(rows, |n| (n.occurred_at, n.id)))
}

/// Writes a note, optionally for one of the patient's tasks.
pub fn write(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    new: Valid<NewNote>,
    now: DateTime<Utc>,
) -> ApiResult<Note> {
    let me = author(auth)?;
    patients::ensure(conn, auth, patient)?;
    if let Some(t) = new.task_id
        && tasks::find(conn, auth, t)?.is_none_or(|t| t.patient_id != patient)
    {
        return Err(ApiError::field("task_id", "is not a task of this patient"));
    }
    let note = store::insert(conn, auth, patient, &new, me, now)?;
    audited(conn, auth, AuditAction::NoteCreate, &note)?;
    Ok(note)
}

/// One note.
pub fn get(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<Note> {
    let note = store::get(conn, auth, id)?;
    audited(conn, auth, AuditAction::NoteRead, &note)?;
    Ok(note)
}

/// Edits the caller's unsigned note.
pub fn edit(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
    patch: Valid<NotePatch>,
    now: DateTime<Utc>,
) -> ApiResult<Note> {
    let (mut note, _) = lock_own_draft(conn, auth, id, expected)?;
    patch.into_inner().apply_to(&mut note);
    let note = store::save(conn, auth, &note, now)?;
    audited(conn, auth, AuditAction::NoteUpdate, &note)?;
    Ok(note)
}

/// Signs the caller's note: the version they read becomes final.
pub fn sign(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
    _request: Valid<SignRequest>,
    now: DateTime<Utc>,
) -> ApiResult<Note> {
    let (_, me) = lock_own_draft(conn, auth, id, expected)?;
    let note = store::sign(conn, auth, id, me, now)?;
    audited(conn, auth, AuditAction::NoteSign, &note)?;
    Ok(note)
}

/// Adds an addendum to a signed note (the way to correct one).
pub fn add_addendum(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    addendum: Valid<NewAddendum>,
    now: DateTime<Utc>,
) -> ApiResult<Note> {
    let me = author(auth)?;
    let note = store::get(conn, auth, id)?;
    if note.signed_at.is_none() {
        return Err(ApiError::Conflict(
            "This note is not signed yet; edit it instead of adding an addendum.".into(),
        ));
    }
    store::add_addendum(conn, auth, id, &addendum.body, me, now)?;
    audited(conn, auth, AuditAction::NoteAddendum, &note)?;
    store::get(conn, auth, id)
}

/// The longest period the productivity roll-up covers.
const MAX_PRODUCTIVITY_DAYS: i64 = 92;

/// Minutes by activity type per user per day over `[from, to]` (dates on
/// the organization's calendar; the last 7 days up to today by default),
/// for one author or everyone.
pub fn productivity(
    conn: &mut PgConnection,
    auth: &Authorized,
    author: Option<UserId>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> ApiResult<Vec<ProductivityDay>> {
    let to = to.unwrap_or_else(|| auth.today(now));
    let from = from.unwrap_or(to - Duration::days(6));
    if from > to {
        return Err(ApiError::field("from", "must not be after to"));
    }
    if (to - from).num_days() >= MAX_PRODUCTIVITY_DAYS {
        return Err(ApiError::field(
            "from",
            "the range may span at most 92 days",
        ));
    }
    let start = shared::calendar::local_to_utc(from, NaiveTime::MIN, &auth.tz());
    let end = shared::calendar::local_to_utc(to + Duration::days(1), NaiveTime::MIN, &auth.tz());
    let rows = store::activity_minutes(conn, auth, start, end, author)?;
    let names = users::names(conn, auth)?;
    Ok(summarize(&rows, &|id| {
        names.get(&id).cloned().unwrap_or_default()
    }))
}
