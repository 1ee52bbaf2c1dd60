//! Patients in the database.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text, Uuid as SqlUuid};
use shared::case_status::CaseStatus;
use shared::patients::{Address, Identifier, Insurance, NewPatient, Patient, PatientPatch};
use shared::risk::RiskLevel;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::http::concurrency::Expected;
use crate::patients::search::{NameSearch, prefix_pattern};
use crate::schema::{patient_identifiers, patient_status_changes, patients};

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
    fn list_key(&self) -> ListKey {
        (
            self.family_key.clone().unwrap_or_default(),
            self.given_key.clone().unwrap_or_default(),
            self.id,
        )
    }

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
            id: self.id,
            given_name: self.given_name,
            family_name: self.family_name,
            preferred_name: self.preferred_name,
            birth_date: self.birth_date,
            sex: self.sex.parse().map_err(ApiError::internal)?,
            phone: self.phone,
            email: self.email,
            address: (address != Address::default()).then_some(address),
            preferred_language: self.preferred_language,
            interpreter_needed: self.interpreter_needed,
            insurance: (insurance != Insurance::default()).then_some(insurance),
            identifiers,
            status: self.status.parse().map_err(ApiError::internal)?,
            status_reason: self.status_reason,
            primary_care_manager_id: self.primary_care_manager_id,
            risk_level: self.risk_level.parse().map_err(ApiError::internal)?,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// Attaches identifiers to rows (one query for the whole page).
fn hydrate(conn: &mut PgConnection, org: Uuid, rows: Vec<PatientRow>) -> ApiResult<Vec<Patient>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut by_patient: HashMap<Uuid, Vec<Identifier>> = HashMap::new();
    for (pid, system, value) in patient_identifiers::table
        .filter(patient_identifiers::organization_id.eq(org))
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

/// Patient `id` of `org`.
pub fn find(conn: &mut PgConnection, org: Uuid, id: Uuid) -> ApiResult<Option<Patient>> {
    let row = patients::table
        .filter(patients::organization_id.eq(org))
        .find(id)
        .select(PatientRow::as_select())
        .first(conn)
        .optional()?;
    Ok(match row {
        Some(row) => hydrate(conn, org, vec![row])?.pop(),
        None => None,
    })
}

/// Patient `id` of `org`, or a 404.
pub fn get(conn: &mut PgConnection, org: Uuid, id: Uuid) -> ApiResult<Patient> {
    find(conn, org, id)?.ok_or_else(|| ApiError::not_found("patient"))
}

/// Locks patient `id` of `org` for an update and checks the expected
/// version: 404 when absent, 412 when stale. Returns the current status.
pub fn lock(
    conn: &mut PgConnection,
    org: Uuid,
    id: Uuid,
    expected: Expected,
) -> ApiResult<CaseStatus> {
    let (version, status): (i32, String) = patients::table
        .filter(patients::organization_id.eq(org))
        .find(id)
        .select((patients::version, patients::status))
        .for_update()
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("patient"))?;
    if !expected.matches(version) {
        return Err(ApiError::PreconditionFailed { current: version });
    }
    status.parse().map_err(ApiError::internal)
}

/// Refuses identifiers that belong to another patient of `org` with a 409
/// naming them (so an integration can find the patient it already sent).
fn check_identifiers_free(
    conn: &mut PgConnection,
    org: Uuid,
    patient: Uuid,
    ids: &[Identifier],
) -> ApiResult<()> {
    for id in ids {
        let owner: Option<Uuid> = patient_identifiers::table
            .filter(patient_identifiers::organization_id.eq(org))
            .filter(patient_identifiers::system.eq(&id.system))
            .filter(patient_identifiers::value.eq(&id.value))
            .filter(patient_identifiers::patient_id.ne(patient))
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
    org: Uuid,
    patient: Uuid,
    ids: &[Identifier],
) -> ApiResult<()> {
    check_identifiers_free(conn, org, patient, ids)?;
    diesel::delete(patient_identifiers::table.filter(patient_identifiers::patient_id.eq(patient)))
        .execute(conn)?;
    let rows: Vec<_> = ids
        .iter()
        .map(|i| {
            (
                patient_identifiers::organization_id.eq(org),
                patient_identifiers::patient_id.eq(patient),
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

fn record_status_change(
    conn: &mut PgConnection,
    org: Uuid,
    patient: Uuid,
    change: &StatusChange<'_>,
) -> ApiResult<()> {
    diesel::insert_into(patient_status_changes::table)
        .values((
            patient_status_changes::id.eq(Uuid::now_v7()),
            patient_status_changes::organization_id.eq(org),
            patient_status_changes::patient_id.eq(patient),
            patient_status_changes::from_status.eq(change.from.map(|s| s.as_ref().to_string())),
            patient_status_changes::to_status.eq(change.to.as_ref()),
            patient_status_changes::reason.eq(change.reason),
            patient_status_changes::changed_by.eq(change.by),
            patient_status_changes::changed_at.eq(change.at),
        ))
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
    /// Who made the change (`None` for the system).
    pub by: Option<Uuid>,
    /// When.
    pub at: DateTime<Utc>,
}

/// Creates a patient from a validated, normalized request.
pub fn insert(
    conn: &mut PgConnection,
    org: Uuid,
    new: &NewPatient,
    care_manager: Option<Uuid>,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> ApiResult<Patient> {
    let id = Uuid::now_v7();
    let address = new.address.clone().unwrap_or_default();
    let insurance = new.insurance.clone().unwrap_or_default();
    let status = new.status.unwrap_or_default();
    diesel::insert_into(patients::table)
        .values((
            (
                patients::id.eq(id),
                patients::organization_id.eq(org),
                patients::given_name.eq(&new.given_name),
                patients::family_name.eq(&new.family_name),
                patients::preferred_name.eq(&new.preferred_name),
                patients::birth_date.eq(new.birth_date),
                patients::sex.eq(new.sex.as_ref()),
                patients::phone.eq(&new.phone),
                patients::email.eq(&new.email),
            ),
            (
                patients::address_line1.eq(address.line1),
                patients::address_line2.eq(address.line2),
                patients::address_city.eq(address.city),
                patients::address_state.eq(address.state),
                patients::address_postal_code.eq(address.postal_code),
                patients::preferred_language.eq(new.preferred_language.as_deref().unwrap_or("en")),
                patients::interpreter_needed.eq(new.interpreter_needed),
            ),
            (
                patients::insurance_payer.eq(insurance.payer),
                patients::insurance_member_id.eq(insurance.member_id),
                patients::insurance_medicaid.eq(insurance.medicaid),
                patients::status.eq(status.as_ref()),
                patients::primary_care_manager_id.eq(care_manager),
                patients::risk_level.eq(new.risk_level.unwrap_or_default().as_ref()),
                patients::created_at.eq(now),
                patients::updated_at.eq(now),
            ),
        ))
        .execute(conn)?;
    replace_identifiers(conn, org, id, &new.identifiers)?;
    let created = StatusChange {
        from: None,
        to: status,
        reason: None,
        by,
        at: now,
    };
    record_status_change(conn, org, id, &created)?;
    get(conn, org, id)
}

/// The columns a patch may change; `None` leaves a column alone and
/// `Some(None)` clears it.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = patients)]
struct Changes {
    given_name: Option<String>,
    family_name: Option<String>,
    preferred_name: Option<Option<String>>,
    birth_date: Option<NaiveDate>,
    sex: Option<String>,
    phone: Option<Option<String>>,
    email: Option<Option<String>>,
    address_line1: Option<Option<String>>,
    address_line2: Option<Option<String>>,
    address_city: Option<Option<String>>,
    address_state: Option<Option<String>>,
    address_postal_code: Option<Option<String>>,
    preferred_language: Option<String>,
    interpreter_needed: Option<bool>,
    insurance_payer: Option<Option<String>>,
    insurance_member_id: Option<Option<String>>,
    insurance_medicaid: Option<bool>,
    primary_care_manager_id: Option<Option<Uuid>>,
    risk_level: Option<String>,
}

impl From<&PatientPatch> for Changes {
    fn from(p: &PatientPatch) -> Changes {
        let address = p.address.clone().map(Option::unwrap_or_default);
        let insurance = p.insurance.clone().map(Option::unwrap_or_default);
        Changes {
            given_name: p.given_name.clone(),
            family_name: p.family_name.clone(),
            preferred_name: p.preferred_name.clone(),
            birth_date: p.birth_date,
            sex: p.sex.map(|s| s.as_ref().to_string()),
            phone: p.phone.clone(),
            email: p.email.clone(),
            address_line1: address.as_ref().map(|a| a.line1.clone()),
            address_line2: address.as_ref().map(|a| a.line2.clone()),
            address_city: address.as_ref().map(|a| a.city.clone()),
            address_state: address.as_ref().map(|a| a.state.clone()),
            address_postal_code: address.as_ref().map(|a| a.postal_code.clone()),
            preferred_language: p.preferred_language.clone(),
            interpreter_needed: p.interpreter_needed,
            insurance_payer: insurance.as_ref().map(|i| i.payer.clone()),
            insurance_member_id: insurance.as_ref().map(|i| i.member_id.clone()),
            insurance_medicaid: insurance.as_ref().map(|i| i.medicaid),
            primary_care_manager_id: p.primary_care_manager_id,
            risk_level: p.risk_level.map(|r| r.as_ref().to_string()),
        }
    }
}

/// Applies a validated patch to patient `id` if it has the expected version.
pub fn update(
    conn: &mut PgConnection,
    org: Uuid,
    id: Uuid,
    expected: Expected,
    patch: &PatientPatch,
    now: DateTime<Utc>,
) -> ApiResult<Patient> {
    lock(conn, org, id, expected)?;
    if let Some(ids) = &patch.identifiers {
        replace_identifiers(conn, org, id, ids)?;
    }
    diesel::update(patients::table.find(id))
        .set((
            Changes::from(patch),
            patients::version.eq(patients::version + 1),
            patients::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, org, id)
}

/// Moves patient `id` to a new case status and records the change.
pub fn set_status(
    conn: &mut PgConnection,
    org: Uuid,
    id: Uuid,
    change: &StatusChange<'_>,
) -> ApiResult<Patient> {
    diesel::update(patients::table.find(id))
        .set((
            patients::status.eq(change.to.as_ref()),
            patients::status_reason.eq(change.reason),
            patients::version.eq(patients::version + 1),
            patients::updated_at.eq(change.at),
        ))
        .execute(conn)?;
    record_status_change(conn, org, id, change)?;
    get(conn, org, id)
}

/// Filters for [`list`].
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Name or identifier search.
    pub search: Option<NameSearch>,
    /// Only this status.
    pub status: Option<CaseStatus>,
    /// Only this care manager's patients.
    pub care_manager_id: Option<Uuid>,
    /// Only this risk level.
    pub risk_level: Option<RiskLevel>,
}

/// The sort key of the patient list: the database's lower-cased family and
/// given names (read back, never recomputed, so cursors agree with the
/// index exactly), then the id.
pub type ListKey = (String, String, Uuid);

/// Patients of `org` matching `filter`, by family then given name, after
/// `after`, each with its list key.
pub fn list(
    conn: &mut PgConnection,
    org: Uuid,
    filter: &Filter,
    after: Option<ListKey>,
    limit: i64,
) -> ApiResult<Vec<(ListKey, Patient)>> {
    let mut q = patients::table
        .filter(patients::organization_id.eq(org))
        .into_boxed();
    match &filter.search {
        None => {}
        Some(NameSearch::Single { prefix, raw }) => {
            let pattern = prefix_pattern(prefix);
            let by_identifier = patient_identifiers::table
                .filter(patient_identifiers::organization_id.eq(org))
                .filter(patient_identifiers::value.eq(raw.clone()))
                .select(patient_identifiers::patient_id);
            q = q.filter(
                patients::family_key
                    .like(pattern.clone())
                    .or(patients::given_key.like(pattern))
                    .or(patients::id.eq_any(by_identifier)),
            );
        }
        Some(NameSearch::EitherOrder { first, rest }) => {
            let (a, b) = (prefix_pattern(first), prefix_pattern(rest));
            q = q.filter(
                (patients::given_key
                    .like(a.clone())
                    .and(patients::family_key.like(b.clone())))
                .or(patients::family_key
                    .like(a)
                    .and(patients::given_key.like(b))),
            );
        }
        Some(NameSearch::FamilyThenGiven { family, given }) => {
            q = q
                .filter(patients::family_key.like(prefix_pattern(family)))
                .filter(patients::given_key.like(prefix_pattern(given)));
        }
    }
    if let Some(status) = filter.status {
        q = q.filter(patients::status.eq(status.as_ref().to_string()));
    }
    if let Some(cm) = filter.care_manager_id {
        q = q.filter(patients::primary_care_manager_id.eq(cm));
    }
    if let Some(risk) = filter.risk_level {
        q = q.filter(patients::risk_level.eq(risk.as_ref().to_string()));
    }
    if let Some((family, given, id)) = after {
        // A row comparison, so Postgres walks the name index from the key.
        q = q.filter(
            sql::<Bool>("(family_key, given_key, id) > (")
                .bind::<Text, _>(family)
                .sql(", ")
                .bind::<Text, _>(given)
                .sql(", ")
                .bind::<SqlUuid, _>(id)
                .sql(")"),
        );
    }
    let rows = q
        .order((
            patients::family_key.asc(),
            patients::given_key.asc(),
            patients::id.asc(),
        ))
        .limit(limit)
        .select(PatientRow::as_select())
        .load(conn)?;
    let keys: Vec<ListKey> = rows.iter().map(PatientRow::list_key).collect();
    Ok(keys.into_iter().zip(hydrate(conn, org, rows)?).collect())
}

/// Whether patient `id` exists in `org`.
pub fn exists(conn: &mut PgConnection, org: Uuid, id: Uuid) -> ApiResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        patients::table
            .filter(patients::organization_id.eq(org))
            .filter(patients::id.eq(id)),
    ))
    .get_result(conn)?)
}

/// A 404 unless patient `id` exists in `org` (for routes under `/patients/{id}`).
pub fn ensure(conn: &mut PgConnection, org: Uuid, id: Uuid) -> ApiResult<()> {
    if exists(conn, org, id)? {
        Ok(())
    } else {
        Err(ApiError::not_found("patient"))
    }
}

/// A 422 on `field` unless patient `id` exists in `org` (for bodies naming a patient).
pub fn ensure_referenced(
    conn: &mut PgConnection,
    org: Uuid,
    id: Uuid,
    field: &str,
) -> ApiResult<()> {
    if exists(conn, org, id)? {
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
    org: Uuid,
    id: Uuid,
) -> ApiResult<Option<Uuid>> {
    use crate::schema::users;
    Ok(patients::table
        .inner_join(users::table.on(users::id.nullable().eq(patients::primary_care_manager_id)))
        .filter(patients::organization_id.eq(org))
        .filter(patients::id.eq(id))
        .filter(users::active.eq(true))
        .select(users::id)
        .first(conn)
        .optional()?)
}
