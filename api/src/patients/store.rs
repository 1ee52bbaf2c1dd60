//! Patients in the database. Every query starts from [`rows`], the caller's
//! organization's patients, so none can reach another organization's.
#![expect(
    clippy::ref_option_ref,
    reason = "diesel's derives take the optional borrowed columns by reference"
)]

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use diesel::deserialize::{self, FromSqlRow};
use diesel::dsl::{AsSelect, SqlTypeOf, not};
use diesel::expression::{ValidGrouping, is_aggregate};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::query_dsl::LoadQuery;
use diesel::row::Row;
use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text, Uuid as SqlUuid};
use shared::case_status::CaseStatus;
use shared::ids::{OrganizationId, PatientId, UserId};
use shared::patients::{Address, Identifier, Insurance, Patient};
use shared::risk::RiskLevel;
use uuid::Uuid;

use crate::auth::store::{
    SESSION_USER_COLUMNS, SessionUser, SessionUserRow, SessionUserSql, found,
    session_user_select_sql,
};
use crate::auth::{Authorized, Reading, SessionKey};
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::patients::search::{self, Match, NameOrder, NameSearch, prefix_range};
use crate::schema::{patient_identifiers, patient_status_changes, patients};
use crate::store::{self, code, of_org, one_of_org, org_join, scoped_rows};

const NOUN: &str = "patient";

#[derive(Queryable, Selectable)]
#[diesel(table_name = patients)]
struct PatientRow {
    id: Uuid,
    given_name: String,
    family_name: String,
    preferred_name: Option<String>,
    birth_date: NaiveDate,
    sex: String,
    phone: Option<String>,
    email: Option<String>,
    address_line1: Option<String>,
    address_line2: Option<String>,
    address_city: Option<String>,
    address_state: Option<String>,
    address_postal_code: Option<String>,
    preferred_language: String,
    interpreter_needed: bool,
    insurance_payer: Option<String>,
    insurance_member_id: Option<String>,
    insurance_medicaid: bool,
    status: String,
    status_reason: Option<String>,
    primary_care_manager_id: Option<Uuid>,
    risk_level: String,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    family_key: Option<String>,
    given_key: Option<String>,
}

impl PatientRow {
    fn into_patient(self, identifiers: Vec<Identifier>) -> ApiResult<Patient> {
        let address = Address {
            line1: self.address_line1,
            line2: self.address_line2,
            city: self.address_city,
            state: self.address_state,
            postal_code: self.address_postal_code,
        };
        let insurance = Insurance {
            payer: self.insurance_payer,
            member_id: self.insurance_member_id,
            medicaid: self.insurance_medicaid,
        };
        Ok(Patient {
            id: self.id.into(),
            given_name: self.given_name,
            family_name: self.family_name,
            preferred_name: self.preferred_name,
            birth_date: self.birth_date,
            sex: code(&self.sex)?,
            phone: self.phone,
            email: self.email,
            address: (address != Address::default()).then_some(address),
            preferred_language: self.preferred_language,
            interpreter_needed: self.interpreter_needed,
            insurance: (insurance != Insurance::default()).then_some(insurance),
            identifiers,
            status: code(&self.status)?,
            status_reason: self.status_reason,
            primary_care_manager_id: self.primary_care_manager_id.map(UserId::from),
            risk_level: code(&self.risk_level)?,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// The columns a patient's record writes (everything but the keys, the
/// status and the bookkeeping): one list for registering and for saving.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = patients, treat_none_as_null = true)]
struct Columns<'a> {
    given_name: &'a str,
    family_name: &'a str,
    preferred_name: Option<&'a str>,
    birth_date: NaiveDate,
    sex: &'a str,
    phone: Option<&'a str>,
    email: Option<&'a str>,
    address_line1: Option<&'a str>,
    address_line2: Option<&'a str>,
    address_city: Option<&'a str>,
    address_state: Option<&'a str>,
    address_postal_code: Option<&'a str>,
    preferred_language: &'a str,
    interpreter_needed: bool,
    insurance_payer: Option<&'a str>,
    insurance_member_id: Option<&'a str>,
    insurance_medicaid: bool,
    primary_care_manager_id: Option<Uuid>,
}

impl<'a> From<&'a Patient> for Columns<'a> {
    fn from(p: &'a Patient) -> Columns<'a> {
        let address = p.address.as_ref();
        let insurance = p.insurance.as_ref();
        Columns {
            given_name: &p.given_name,
            family_name: &p.family_name,
            preferred_name: p.preferred_name.as_deref(),
            birth_date: p.birth_date,
            sex: p.sex.as_ref(),
            phone: p.phone.as_deref(),
            email: p.email.as_deref(),
            address_line1: address.and_then(|a| a.line1.as_deref()),
            address_line2: address.and_then(|a| a.line2.as_deref()),
            address_city: address.and_then(|a| a.city.as_deref()),
            address_state: address.and_then(|a| a.state.as_deref()),
            address_postal_code: address.and_then(|a| a.postal_code.as_deref()),
            preferred_language: &p.preferred_language,
            interpreter_needed: p.interpreter_needed,
            insurance_payer: insurance.and_then(|i| i.payer.as_deref()),
            insurance_member_id: insurance.and_then(|i| i.member_id.as_deref()),
            insurance_medicaid: insurance.is_some_and(|i| i.medicaid),
            primary_care_manager_id: p.primary_care_manager_id.map(UserId::get),
        }
    }
}

scoped_rows!(patients, PatientRow);

/// Attaches identifiers to rows (one query for the whole page).
fn hydrate(
    conn: &mut PgConnection,
    auth: &Authorized,
    rows: Vec<PatientRow>,
) -> ApiResult<Vec<Patient>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut by_patient: HashMap<Uuid, Vec<Identifier>> = HashMap::new();
    for (pid, system, value) in of_org!(patient_identifiers, auth)
        .filter(patient_identifiers::patient_id.eq_any(&ids))
        .order((patient_identifiers::system, patient_identifiers::value))
        .select((
            patient_identifiers::patient_id,
            patient_identifiers::system,
            patient_identifiers::value,
        ))
        .load::<(Uuid, String, String)>(conn)?
    {
        by_patient
            .entry(pid)
            .or_default()
            .push(Identifier { system, value });
    }
    rows.into_iter()
        .map(|r| {
            let ids = by_patient.remove(&r.id).unwrap_or_default();
            r.into_patient(ids)
        })
        .collect()
}

fn hydrate_one(
    conn: &mut PgConnection,
    auth: &Authorized,
    row: Option<PatientRow>,
) -> ApiResult<Patient> {
    let row = row.ok_or_else(|| ApiError::not_found(NOUN))?;
    hydrate(conn, auth, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("a hydrated patient went missing"))
}

/// Patient `id`, or a 404: one statement, the record joined to its
/// identifiers (a row per identifier, at least one), which diesel prepares
/// once per connection. Aggregating the identifiers instead needs SQL
/// diesel cannot build, and diesel never caches a statement with literal
/// SQL in it, so Postgres would plan that on every read (measured: no
/// faster; bench/RESULTS.md).
pub fn get(conn: &mut PgConnection, auth: &Authorized, id: PatientId) -> ApiResult<Patient> {
    with_identifiers(one_with_identifiers(auth.org(), id).load(conn)?)
}

/// [`get`] for a read that confirms its caller in the same statement
/// ([`Reading::load`]): the caller and the patient in one round trip.
pub fn read(
    conn: &mut PgConnection,
    caller: Reading,
    id: PatientId,
) -> ApiResult<(Authorized, Patient)> {
    let (auth, rows) = caller.load(conn, |org| one_with_identifiers(org, id))?;
    Ok((auth, with_identifiers(rows)?))
}

/// [`read`] for many callers at once, each reading one patient as a
/// signed-in user: every sign-in check and patient in one statement
/// ([`ReadMany`]), then each caller confirmed from their own rows, as
/// [`Reading::load`] would. The answers come in the order of `reads`; a
/// caller refused, or a patient not found, fails only its own read. A key's
/// read goes alone, as in [`read`].
pub fn read_many(
    conn: &mut PgConnection,
    reads: Vec<(Reading, PatientId)>,
) -> QueryResult<Vec<ApiResult<(Authorized, Patient)>>> {
    let mut statement = ReadMany::default();
    for (reading, id) in &reads {
        if let Some(session) = reading.session() {
            statement.push(session, *id);
        }
    }
    let mut found = statement.load_grouped(conn)?.into_iter();
    Ok(reads
        .into_iter()
        .map(|(reading, id)| {
            if reading.session().is_none() {
                return read(conn, reading, id);
            }
            let rows = found.next().unwrap_or_default();
            let (auth, rows) = reading.confirm_beside(conn, rows)?;
            Ok((auth, with_identifiers(rows)?))
        })
        .collect())
}

/// The sign-in checks and patients of many reads as one statement: a row
/// of `unnest` per read (organization, user, sign-in, patient, in the
/// order pushed), joined to its sign-in and to its patient with each
/// identifier. A read whose sign-in or patient is missing has no row. Its
/// text never changes, so diesel prepares it once per connection; it
/// selects the columns of the sign-in check and of
/// [`one_with_identifiers`] as diesel renders them, so the rows decode as
/// those statements' rows do (`a_batch_of_reads_answers_each_as_if_alone`).
#[derive(Debug, Default)]
struct ReadMany {
    orgs: Vec<Uuid>,
    users: Vec<Uuid>,
    sign_ins: Vec<Uuid>,
    patients: Vec<Uuid>,
}

/// A row of [`ReadMany`]: the read's place (from 1), the sign-in check's
/// columns, and the patient beside one identifier. Decoded by hand, part
/// by part, as `auth::store` decodes a check beside a read: diesel's own
/// tuples do not nest a selection inside another.
struct ReadManyRow(i64, SessionUserRow, WithIdentifier);

impl FromSqlRow<(BigInt, SessionUserSql, WithIdentifierSql), Pg> for ReadManyRow {
    fn build_from_row<'a>(row: &impl Row<'a, Pg>) -> deserialize::Result<Self> {
        let caller = 1 + SESSION_USER_COLUMNS;
        let place = <i64 as FromSqlRow<BigInt, Pg>>::build_from_row(&row.partial_row(0..1))?;
        let check = <SessionUserRow as FromSqlRow<SessionUserSql, Pg>>::build_from_row(
            &row.partial_row(1..caller),
        )?;
        let read = <WithIdentifier as FromSqlRow<WithIdentifierSql, Pg>>::build_from_row(
            &row.partial_row(caller..row.field_count()),
        )?;
        Ok(ReadManyRow(place, check, read))
    }
}

impl ReadMany {
    fn push(&mut self, session: SessionKey, patient: PatientId) {
        self.orgs.push(session.org.get());
        self.users.push(session.user.get());
        self.sign_ins.push(session.sid);
        self.patients.push(patient.get());
    }

    /// Each read's rows, in the order pushed (none for a read whose
    /// sign-in or patient is missing).
    fn load_grouped(self, conn: &mut PgConnection) -> QueryResult<Vec<Vec<Beside>>> {
        let mut grouped: Vec<Vec<Beside>> = Vec::new();
        grouped.resize_with(self.orgs.len(), Vec::new);
        if self.orgs.is_empty() {
            return Ok(grouped);
        }
        let rows: Vec<ReadManyRow> = self.load(conn)?;
        for ReadManyRow(place, caller, row) in rows {
            let read = usize::try_from(place - 1)
                .ok()
                .and_then(|i| grouped.get_mut(i))
                .ok_or_else(|| {
                    diesel::result::Error::DeserializationError(
                        format!("a batch of reads answered for read {place}").into(),
                    )
                })?;
            read.push((found(caller), row));
        }
        Ok(grouped)
    }

    /// The statement's text before its first placeholder: the columns,
    /// rendered once.
    fn head() -> QueryResult<&'static str> {
        static HEAD: LazyLock<Result<String, String>> = LazyLock::new(|| {
            let caller = session_user_select_sql().map_err(|e| e.to_string())?;
            let patient = store::render_sql(&(
                PatientRow::as_select(),
                (patient_identifiers::system, patient_identifiers::value).nullable(),
            ))
            .map_err(|e| e.to_string())?;
            Ok(format!("SELECT q.n, {caller}, {patient} FROM unnest("))
        });
        HEAD.as_deref()
            .map_err(|e| diesel::result::Error::QueryBuilderError(e.clone().into()))
    }
}

/// A read's sign-in check beside one of its rows.
type Beside = (SessionUser, WithIdentifier);

impl Query for ReadMany {
    type SqlType = (BigInt, SessionUserSql, WithIdentifierSql);
}

impl QueryId for ReadMany {
    type QueryId = ReadMany;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl QueryFragment<Pg> for ReadMany {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(Self::head()?);
        out.push_bind_param::<Array<SqlUuid>, _>(&self.orgs)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<SqlUuid>, _>(&self.users)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<SqlUuid>, _>(&self.sign_ins)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<SqlUuid>, _>(&self.patients)?;
        // The joins are the sign-in check's (`auth::store`) and
        // `one_with_identifiers`'s. The patient meets the sign-in on the
        // organization too, so every table joins organization to
        // organization (`tests/src/org_scope.rs`).
        out.push_sql(
            ") WITH ORDINALITY AS q(org, uid, sid, pid, n) \
             JOIN sign_ins ON sign_ins.organization_id = q.org AND sign_ins.id = q.sid \
             JOIN users ON users.id = sign_ins.user_id \
                AND users.organization_id = sign_ins.organization_id AND users.id = q.uid \
             JOIN organizations ON organizations.id = users.organization_id \
             JOIN patients ON patients.organization_id = sign_ins.organization_id \
                AND patients.organization_id = q.org AND patients.id = q.pid \
             LEFT JOIN patient_identifiers ON patient_identifiers.patient_id = patients.id \
                AND patient_identifiers.organization_id = patients.organization_id \
             ORDER BY q.n, patient_identifiers.system, patient_identifiers.value",
        );
        Ok(())
    }
}

impl RunQueryDsl<PgConnection> for ReadMany {}

/// A patient beside one of its identifiers (`system`, `value`), if any.
type WithIdentifier = (PatientRow, Option<(String, String)>);
/// The columns of a [`WithIdentifier`].
type WithIdentifierSql = (SqlTypeOf<AsSelect<PatientRow, Pg>>, Nullable<(Text, Text)>);

/// Patient `id` of `org` beside each of its identifiers (once, beside
/// none, when it has none), identifiers in order.
fn one_with_identifiers(
    org: OrganizationId,
    id: PatientId,
) -> impl for<'q> LoadQuery<'q, PgConnection, WithIdentifier>
+ Query<SqlType = WithIdentifierSql>
+ QueryFragment<Pg>
+ QueryId {
    patients::table
        .filter(patients::organization_id.eq(org.get()))
        .filter(patients::id.eq(id.get()))
        .left_join(org_join!(
            patient_identifiers,
            patients,
            patient_identifiers::patient_id.eq(patients::id)
        ))
        .order((patient_identifiers::system, patient_identifiers::value))
        .select((
            PatientRow::as_select(),
            (patient_identifiers::system, patient_identifiers::value).nullable(),
        ))
}

/// The patient the rows of [`one_with_identifiers`] describe, or a 404.
fn with_identifiers(rows: Vec<WithIdentifier>) -> ApiResult<Patient> {
    let mut rows = rows.into_iter();
    let (row, first) = rows.next().ok_or_else(|| ApiError::not_found(NOUN))?;
    let identifiers = first
        .into_iter()
        .chain(rows.filter_map(|(_, identifier)| identifier))
        .map(|(system, value)| Identifier { system, value })
        .collect();
    row.into_patient(identifiers)
}

/// Patient `id` locked for an update, checked against the version the
/// caller read: 404 when absent, 412 when stale.
pub fn lock(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: PatientId,
    expected: Expected,
) -> ApiResult<Patient> {
    let row = rows(auth)
        .filter(patients::id.eq(id.get()))
        .for_update()
        .first(conn)
        .optional()?;
    let patient = hydrate_one(conn, auth, row)?;
    expected.check(patient.version)?;
    Ok(patient)
}

/// Refuses identifiers that belong to another patient of the organization
/// with a 409 naming them (so an integration can find the patient it
/// already sent).
fn check_identifiers_free(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    ids: &[Identifier],
) -> ApiResult<()> {
    for id in ids {
        let owner: Option<Uuid> = of_org!(patient_identifiers, auth)
            .filter(patient_identifiers::system.eq(&id.system))
            .filter(patient_identifiers::value.eq(&id.value))
            .filter(patient_identifiers::patient_id.ne(patient.get()))
            .select(patient_identifiers::patient_id)
            .first(conn)
            .optional()?;
        if let Some(owner) = owner {
            return Err(ApiError::Conflict(format!(
                "Identifier {} in {} already belongs to patient {owner}.",
                id.value, id.system
            )));
        }
    }
    Ok(())
}

fn replace_identifiers(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    ids: &[Identifier],
) -> ApiResult<()> {
    check_identifiers_free(conn, auth, patient, ids)?;
    diesel::delete(
        of_org!(patient_identifiers, auth)
            .filter(patient_identifiers::patient_id.eq(patient.get())),
    )
    .execute(conn)?;
    let rows: Vec<_> = ids
        .iter()
        .map(|i| {
            (
                patient_identifiers::organization_id.eq(auth.org().get()),
                patient_identifiers::patient_id.eq(patient.get()),
                patient_identifiers::system.eq(&i.system),
                patient_identifiers::value.eq(&i.value),
            )
        })
        .collect();
    diesel::insert_into(patient_identifiers::table)
        .values(rows)
        .execute(conn)?;
    Ok(())
}

/// A change of case status, as recorded in the patient's history.
#[derive(Debug, Clone, Copy)]
pub struct StatusChange<'a> {
    /// The status before (`None` when the case is created).
    pub from: Option<CaseStatus>,
    /// The new status (already checked against the lifecycle).
    pub to: CaseStatus,
    /// Why, as the person wrote it.
    pub reason: Option<&'a str>,
    /// Who made the change (`None` for the system and API keys).
    pub by: Option<UserId>,
    /// When.
    pub at: DateTime<Utc>,
}

fn record_status_change(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    change: &StatusChange<'_>,
) -> ApiResult<()> {
    diesel::insert_into(patient_status_changes::table)
        .values((
            patient_status_changes::id.eq(Uuid::now_v7()),
            patient_status_changes::organization_id.eq(auth.org().get()),
            patient_status_changes::patient_id.eq(patient.get()),
            patient_status_changes::from_status.eq(change.from.map(|s| s.as_ref().to_string())),
            patient_status_changes::to_status.eq(change.to.as_ref()),
            patient_status_changes::reason.eq(change.reason),
            patient_status_changes::changed_by.eq(change.by.map(UserId::get)),
            patient_status_changes::changed_at.eq(change.at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Registers `patient` (a record the service built, with a new id and its
/// initial status), its identifiers and the first entry of its status history.
pub fn insert(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: &Patient,
    by: Option<UserId>,
) -> ApiResult<Patient> {
    diesel::insert_into(patients::table)
        .values((
            patients::id.eq(patient.id.get()),
            patients::organization_id.eq(auth.org().get()),
            Columns::from(patient),
            // The level written at registration is the assessed level, one
            // risk factor; the level in force follows from all of them.
            patients::risk_level.eq(patient.risk_level.as_ref()),
            patients::assessed_risk_level.eq(patient.risk_level.as_ref()),
            patients::status.eq(patient.status.as_ref()),
            patients::created_at.eq(patient.created_at),
            patients::updated_at.eq(patient.updated_at),
        ))
        .execute(conn)?;
    replace_identifiers(conn, auth, patient.id, &patient.identifiers)?;
    let created = StatusChange {
        from: None,
        to: patient.status,
        reason: None,
        by,
        at: patient.created_at,
    };
    record_status_change(conn, auth, patient.id, &created)?;
    get(conn, auth, patient.id)
}

/// Writes `after` over the locked record `before` (the same patient) and
/// moves the version on; identifiers are rewritten only when they changed.
pub fn save(
    conn: &mut PgConnection,
    auth: &Authorized,
    before: &Patient,
    after: &Patient,
    now: DateTime<Utc>,
) -> ApiResult<Patient> {
    if after.identifiers != before.identifiers {
        replace_identifiers(conn, auth, before.id, &after.identifiers)?;
    }
    diesel::update(one_of_org!(patients, auth, before.id.get()))
        .set((
            Columns::from(after),
            patients::version.eq(patients::version + 1),
            patients::updated_at.eq(now),
        ))
        .execute(conn)?;
    if after.risk_level != before.risk_level {
        // A level written by hand or by the EHR is the assessed level.
        diesel::update(one_of_org!(patients, auth, before.id.get()))
            .set(patients::assessed_risk_level.eq(after.risk_level.as_ref()))
            .execute(conn)?;
    }
    get(conn, auth, before.id)
}

/// Moves patient `id` to a new case status and records the change.
pub fn set_status(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: PatientId,
    change: &StatusChange<'_>,
) -> ApiResult<Patient> {
    diesel::update(one_of_org!(patients, auth, id.get()))
        .set((
            patients::status.eq(change.to.as_ref()),
            patients::status_reason.eq(change.reason),
            patients::version.eq(patients::version + 1),
            patients::updated_at.eq(change.at),
        ))
        .execute(conn)?;
    record_status_change(conn, auth, id, change)?;
    get(conn, auth, id)
}

/// Filters for [`list`].
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Name or identifier search.
    pub search: Option<NameSearch>,
    /// Only this status.
    pub status: Option<CaseStatus>,
    /// Only this care manager's patients.
    pub care_manager_id: Option<UserId>,
    /// Only this risk level.
    pub risk_level: Option<RiskLevel>,
}

/// The sort key of the patient list: the part of the search (see
/// [`search::parts`]), then that part's two name keys in its order, as the
/// database lower-cased them (read back, never recomputed, so cursors agree
/// with the index exactly), then the id.
pub type ListKey = (usize, String, String, Uuid);

/// A condition on a patient row.
type Cond = Box<dyn BoxableExpression<patients::table, Pg, SqlType = Nullable<Bool>>>;

/// The rows a part matches (`None`: every row).
fn matching(org: Uuid, m: &Match) -> Option<Cond> {
    Some(match m {
        Match::All => return None,
        Match::Identifier(value) => Box::new(
            patients::id
                .eq_any(
                    patient_identifiers::table
                        .filter(patient_identifiers::organization_id.eq(org))
                        .filter(patient_identifiers::value.eq(value.clone()))
                        .select(patient_identifiers::patient_id),
                )
                .nullable(),
        ),
        Match::Family(p) => starting(patients::family_key, p),
        Match::Given(p) => starting(patients::given_key, p),
        Match::Both { family, given: g } => {
            Box::new(starting(patients::family_key, family).and(starting(patients::given_key, g)))
        }
    })
}

/// Name key `key` starts with `prefix`: a range of the key (see
/// [`prefix_range`]), which the statement's generic plan reads off the index.
fn starting<K>(key: K, prefix: &str) -> Cond
where
    K: Column<Table = patients::table, SqlType = Nullable<Text>>
        + ExpressionMethods
        + BoxableExpression<patients::table, Pg, SqlType = Nullable<Text>>
        + ValidGrouping<(), IsAggregate = is_aggregate::No>
        + Copy
        + 'static,
{
    match prefix_range(prefix) {
        (from, Some(to)) => Box::new(key.ge(from).and(key.lt(to))),
        (from, None) => Box::new(key.ge(from)),
    }
}

/// Patients matching `filter`, part by part of its search (each in its
/// own name order), after the paging key, each with its list key.
///
/// A page reads part after part until it is full, one statement each: every
/// part is one index range read in index order, so a page costs about the
/// same however many patients match or do not.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    filter: &Filter,
    paging: &Paging<ListKey>,
) -> ApiResult<Vec<(ListKey, Patient)>> {
    let org = auth.org().get();
    let parts = search::parts(filter.search.as_ref());
    let first = paging.after.as_ref().map_or(0, |k| k.0);
    let mut rows: Vec<(ListKey, PatientRow)> = Vec::new();
    for (n, part) in parts.iter().enumerate().skip(first) {
        let wanted = paging.fetch() - i64::try_from(rows.len()).unwrap_or(i64::MAX);
        if wanted <= 0 {
            break;
        }
        let mut q = rows_of(auth, filter);
        if let Some(cond) = matching(org, &part.matches) {
            q = q.filter(cond);
        }
        // No patient twice: an earlier part's rows are not this part's.
        for earlier in &parts[..n] {
            if let Some(cond) = matching(org, &earlier.matches) {
                q = q.filter(not(cond));
            }
        }
        if let Some((_, k1, k2, id)) = paging.after.clone().filter(|k| k.0 == n) {
            // A row comparison, so Postgres walks the part's index from the key.
            let key = (
                k1.into_sql::<Nullable<Text>>(),
                k2.into_sql::<Nullable<Text>>(),
                id.into_sql::<SqlUuid>(),
            );
            q = match part.order {
                NameOrder::FamilyFirst => q.filter(store::after(
                    (patients::family_key, patients::given_key, patients::id),
                    key,
                )),
                NameOrder::GivenFirst => q.filter(store::after(
                    (patients::given_key, patients::family_key, patients::id),
                    key,
                )),
            };
        }
        q = match part.order {
            NameOrder::FamilyFirst => q.order((
                patients::family_key.asc(),
                patients::given_key.asc(),
                patients::id.asc(),
            )),
            NameOrder::GivenFirst => q.order((
                patients::given_key.asc(),
                patients::family_key.asc(),
                patients::id.asc(),
            )),
        };
        for row in q.limit(wanted).load::<PatientRow>(conn)? {
            let (family, given) = (
                row.family_key.clone().unwrap_or_default(),
                row.given_key.clone().unwrap_or_default(),
            );
            let key = match part.order {
                NameOrder::FamilyFirst => (n, family, given, row.id),
                NameOrder::GivenFirst => (n, given, family, row.id),
            };
            rows.push((key, row));
        }
    }
    let (keys, rows): (Vec<ListKey>, Vec<PatientRow>) = rows.into_iter().unzip();
    Ok(keys.into_iter().zip(hydrate(conn, auth, rows)?).collect())
}

/// The caller's organization's patients passing `filter`'s status, care
/// manager and risk (the search is [`list`]'s, part by part).
fn rows_of<'a>(
    auth: &Authorized,
    filter: &Filter,
) -> patients::BoxedQuery<'a, Pg, SqlTypeOf<AsSelect<PatientRow, Pg>>> {
    let mut q = rows(auth).into_boxed();
    if let Some(status) = filter.status {
        q = q.filter(patients::status.eq(status.as_ref().to_string()));
    }
    if let Some(cm) = filter.care_manager_id {
        q = q.filter(patients::primary_care_manager_id.eq(cm.get()));
    }
    if let Some(risk) = filter.risk_level {
        q = q.filter(patients::risk_level.eq(risk.as_ref().to_string()));
    }
    q
}

/// Whether patient `id` exists in the caller's organization.
pub fn exists(conn: &mut PgConnection, auth: &Authorized, id: PatientId) -> ApiResult<bool> {
    Ok(
        diesel::select(diesel::dsl::exists(one_of_org!(patients, auth, id.get())))
            .get_result(conn)?,
    )
}

/// A 404 unless patient `id` exists (for routes under `/patients/{id}`).
pub fn ensure(conn: &mut PgConnection, auth: &Authorized, id: PatientId) -> ApiResult<()> {
    if exists(conn, auth, id)? {
        Ok(())
    } else {
        Err(ApiError::not_found(NOUN))
    }
}

/// A 422 on `field` unless patient `id` exists (for bodies naming a patient).
pub fn ensure_referenced(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: PatientId,
    field: &str,
) -> ApiResult<()> {
    if exists(conn, auth, id)? {
        Ok(())
    } else {
        Err(ApiError::field(
            field,
            "is not a patient of your organization",
        ))
    }
}

/// The patient's primary care manager, if they have one who is still active.
pub fn active_care_manager(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: PatientId,
) -> ApiResult<Option<UserId>> {
    use crate::schema::users;
    Ok(patients::table
        .inner_join(org_join!(
            users,
            patients,
            users::id.nullable().eq(patients::primary_care_manager_id)
        ))
        .filter(patients::organization_id.eq(auth.org().get()))
        .filter(patients::id.eq(id.get()))
        .filter(users::active.eq(true))
        .select(users::id)
        .first::<Uuid>(conn)
        .optional()?
        .map(UserId::from))
}
