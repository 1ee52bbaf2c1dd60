//! The request flows every resource shares, written once. A handler
//! extracts its parts, authorizes, and hands them with its use case to one
//! of these: read one record, list a page, add a record under a parent,
//! record one idempotently, or change one at the version the caller read.
//! Use cases run off the async workers, changes in one transaction.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use diesel::PgConnection;
use futures_util::future::LocalBoxFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::pagination::Page;
use shared::validation::{Context, Normalize, Valid};
use shared::version::BasedOn;
use validator::ValidateArgs;

use crate::audit::writer::Held;
use crate::auth::{Access, Authorized, Confirm, Reading};
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::batch::Batcher;
use crate::http::concurrency::Expected;
use crate::http::{ETagged, IfMatch, Json, Paging};
use crate::idempotency::Subject;
use crate::idempotency::{self, Done, IdempotencyKey};

/// A request body's rules, as [`Valid::new`] runs them.
pub trait Checked:
    Normalize + for<'a> ValidateArgs<'a, Args = &'a Context> + Serialize + Send + 'static
{
}

impl<T> Checked for T where
    T: Normalize + for<'a> ValidateArgs<'a, Args = &'a Context> + Serialize + Send + 'static
{
}

/// A use case that reads one record.
pub type ReadOne<Id, R> = fn(&mut PgConnection, &Authorized, Id) -> ApiResult<R>;
/// A use case that reads one record and confirms its caller on the way
/// ([`Reading::load`]).
pub type ReadOneConfirming<Id, R> = fn(&mut PgConnection, Reading, Id) -> ApiResult<R>;
/// A use case that reads a page of a list (of a query, or under a parent).
pub type ReadPage<Of, K, R> =
    fn(&mut PgConnection, &Authorized, Of, &Paging<K>) -> ApiResult<Page<R>>;
/// A use case that adds a record under a parent.
pub type AddUnder<P, T, R> =
    fn(&mut PgConnection, &Authorized, P, Valid<T>, DateTime<Utc>) -> ApiResult<R>;
/// A use case that records a record (or updates the one a resend names).
/// (A resend of a known record may name the version it saw.)
pub type Record<T, R> = fn(
    &mut PgConnection,
    &Authorized,
    Valid<T>,
    Option<Expected>,
    DateTime<Utc>,
) -> ApiResult<Saved<R>>;
/// A use case that creates a record or replaces it at the version the
/// caller read (`None`: the caller says there is none yet); answers the
/// record and whether it is new.
pub type PutAt<Id, T, R> = fn(
    &mut PgConnection,
    &Authorized,
    Id,
    Option<Expected>,
    Valid<T>,
    DateTime<Utc>,
) -> ApiResult<(R, bool)>;
/// A use case that changes a record at the version the caller read.
pub type ChangeAt<Id, T, R> =
    fn(&mut PgConnection, &Authorized, Id, Expected, Valid<T>, DateTime<Utc>) -> ApiResult<R>;

/// The record a use case saved, and whether it is new (an integration's
/// resend of a known `external_id` updates instead).
#[derive(Debug)]
pub struct Saved<R> {
    /// The record as it is now.
    pub record: R,
    /// Whether it was created.
    pub created: bool,
}

/// Answers `GET /things/{id}`: the record and its `ETag`.
pub async fn read<Id, R>(
    db: &Db,
    access: impl Confirm,
    id: Id,
    use_case: ReadOne<Id, R>,
) -> ApiResult<HttpResponse>
where
    Id: Send + 'static,
    R: ETagged + Send + 'static,
{
    let record = audited_read(db, access, move |conn, auth| use_case(conn, auth, id)).await?;
    Ok(record.respond(HttpResponse::Ok()))
}

/// Answers a list: one page for the filter `of` (a query, or the parent
/// record a sub-list belongs to).
pub async fn list<Of, K, R>(
    db: &Db,
    access: impl Confirm,
    of: Of,
    paging: Paging<K>,
    use_case: ReadPage<Of, K, R>,
) -> ApiResult<HttpResponse>
where
    Of: Send + 'static,
    K: Send + 'static,
    R: Serialize + Send + 'static,
{
    let page = audited_read(db, access, move |conn, auth| {
        use_case(conn, auth, of, &paging)
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Runs a read as the caller with its audit events held for the
/// group-commit writer (`audit::writer`), and answers once they are
/// committed — also when the read failed part-way: what it read before
/// failing was still read.
async fn audited_read<T, F>(db: &Db, access: impl Confirm, read: F) -> ApiResult<T>
where
    F: FnOnce(&mut PgConnection, &Authorized) -> ApiResult<T> + Send + 'static,
    T: Send + 'static,
{
    let held = Held::default();
    let holding = held.clone();
    let outcome = db
        .run_as(access, move |conn, auth| {
            Ok(read(conn, &auth.holding(holding)))
        })
        .await?;
    answer_audited(db, &held, outcome).await
}

/// Answers `GET /things/{id}` for a read that confirms its caller in its
/// own statement ([`Reading::load`]): one round trip where a checked
/// caller and a read cost two. A signed-in user's read goes through
/// `batcher`, in one statement with the other reads waiting
/// ([`Batcher`]); a key's goes `alone`. Audited like [`read`].
pub async fn read_batched<Id, R>(
    db: &Db,
    batcher: &Batcher<Id, R>,
    access: Access,
    id: Id,
    alone: ReadOneConfirming<Id, R>,
) -> ApiResult<HttpResponse>
where
    Id: Send + 'static,
    R: ETagged + Send + 'static,
{
    let held = Held::default();
    let reading = Reading::new(access, held.clone());
    let record = if reading.session().is_some() {
        batcher.read(reading, held, id).await?
    } else {
        let outcome = db.run(move |conn| Ok(alone(conn, reading, id))).await?;
        answer_audited(db, &held, outcome).await?
    };
    Ok(record.respond(HttpResponse::Ok()))
}

/// `outcome`, once the audit events `held` are committed.
async fn answer_audited<T>(db: &Db, held: &Held, outcome: ApiResult<T>) -> ApiResult<T> {
    let written = db.audit()?.write(held).await;
    let value = outcome?;
    written?;
    Ok(value)
}

/// Answers `POST /parents/{id}/things`: the body checked on the
/// organization's today, the record added in one transaction, a 201 with
/// its `ETag` and `Location`.
pub async fn add<P, T, R>(
    db: &Db,
    access: impl Confirm,
    parent: P,
    body: T,
    use_case: AddUnder<P, T, R>,
    location: fn(&R) -> String,
) -> ApiResult<HttpResponse>
where
    P: Send + 'static,
    T: Checked,
    R: ETagged + Send + 'static,
{
    let now = Utc::now();
    let record = db
        .tx_as(access, move |conn, auth| {
            let body = Valid::new(body, &auth.context(now))?;
            use_case(conn, &auth, parent, body, now)
        })
        .await?;
    let mut res = HttpResponse::Created();
    res.insert_header((header::LOCATION, location(&record)));
    Ok(record.respond(res))
}

/// Answers `POST /things` from an integration that may retry: with an
/// `Idempotency-Key`, a retry replays the first answer. A 201 with
/// `Location`, or a 200 when a resend updated a known record.
pub async fn record<T, R>(
    db: &Db,
    access: impl Confirm,
    key: IdempotencyKey,
    if_match: IfMatch,
    body: T,
    use_case: Record<T, R>,
    location: fn(&R) -> String,
) -> ApiResult<HttpResponse>
where
    T: Checked + BasedOn,
    R: ETagged + Subject + Send + 'static,
{
    let now = Utc::now();
    let seen = if_match.0.or(body.based_on().map(Expected::Version));
    let outcome = db
        .tx_as(access, move |conn, auth| {
            let body = Valid::new(body, &auth.context(now))?;
            idempotency::once(conn, &auth, &key, body, |conn, body| {
                let saved = use_case(conn, &auth, body, seen, now)?;
                let at = location(&saved.record);
                Ok(if saved.created {
                    Done::created(at, saved.record)
                } else {
                    Done::updated(at, saved.record)
                })
            })
        })
        .await?;
    Ok(outcome.respond())
}

/// Answers a change to a versioned record (`PATCH /things/{id}`, `POST
/// /things/{id}/status` …): the body checked on the organization's today,
/// the version from `If-Match` or the body (none: 428, stale: 412), the use
/// case in one transaction, the record and its new `ETag`.
pub async fn change<Id, T, R>(
    db: &Db,
    access: impl Confirm,
    edit: Edit<Id, T>,
    use_case: ChangeAt<Id, T, R>,
) -> ApiResult<HttpResponse>
where
    Id: Send + 'static,
    T: Checked + BasedOn,
    R: ETagged + Send + 'static,
{
    let now = Utc::now();
    let Edit { id, if_match, body } = edit;
    let record = db
        .tx_as(access, move |conn, auth| {
            let body = Valid::new(body, &auth.context(now))?;
            let expected = if_match.expected(body.based_on())?;
            use_case(conn, &auth, id, expected, body, now)
        })
        .await?;
    Ok(record.respond(HttpResponse::Ok()))
}

/// Answers `PUT /things/{id}`, which creates the record or replaces it:
/// the version from `If-Match` or the body (the use case answers 428 when
/// the record exists and none was sent, 412 when stale or when it names a
/// version of a record that does not exist), the use case in one
/// transaction, a 201 with `Location` when it created the record, else a
/// 200; the record and its `ETag` either way.
pub async fn put<Id, T, R>(
    db: &Db,
    access: impl Confirm,
    id: Id,
    if_match: IfMatch,
    body: T,
    use_case: PutAt<Id, T, R>,
    location: fn(&R) -> String,
) -> ApiResult<HttpResponse>
where
    Id: Send + 'static,
    T: Checked + BasedOn,
    R: ETagged + Send + 'static,
{
    let now = Utc::now();
    let (record, created) = db
        .tx_as(access, move |conn, auth| {
            let body = Valid::new(body, &auth.context(now))?;
            let seen = if_match.0.or(body.based_on().map(Expected::Version));
            use_case(conn, &auth, id, seen, body, now)
        })
        .await?;
    if created {
        let mut res = HttpResponse::Created();
        res.insert_header((header::LOCATION, location(&record)));
        Ok(record.respond(res))
    } else {
        Ok(record.respond(HttpResponse::Ok()))
    }
}

/// What a change request carries: the record's id from the path, the
/// `If-Match` header, and the JSON body.
#[derive(Debug)]
pub struct Edit<Id, T> {
    /// The record's id.
    pub id: Id,
    /// The version the caller read, if sent as a header.
    pub if_match: IfMatch,
    /// The change.
    pub body: T,
}

impl<Id, T> FromRequest for Edit<Id, T>
where
    Id: DeserializeOwned + 'static,
    T: DeserializeOwned + 'static,
{
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let id = web::Path::<Id>::extract(req);
        let if_match = IfMatch::extract(req);
        let body = Json::<T>::from_request(req, payload);
        Box::pin(async move {
            Ok(Edit {
                id: id.await?.into_inner(),
                if_match: if_match.await?,
                body: body.await?.into_inner(),
            })
        })
    }
}
