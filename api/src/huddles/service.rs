//! The huddle use cases: record one (its action items become tasks in the
//! same transaction), read and list them, change their notes, and propose
//! an agenda from the records the worklists are built from. The agenda's
//! rules are the pure `shared::huddles::agenda`.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::audit::AuditAction;
use shared::auth::Permission;
use shared::huddles::{
    AgendaItem, AgendaKey, AgendaQuery, Huddle, HuddlePatch, NewHuddle, agenda_key,
};
use shared::ids::{PatientId, TaskId};
use shared::pagination::Page;
use shared::problem::FieldError;
use shared::tasks::{Priority, TaskContext, TaskSource};
use shared::validation::Valid;
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::huddles::store::{self, Scope};
use crate::patients::store as patients;
use crate::tasks::store::{self as tasks, Spec};
use crate::users::store as users;

/// Huddles, newest first.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    (): (),
    paging: &Paging<(NaiveDate, Uuid)>,
) -> ApiResult<Page<Huddle>> {
    let rows = store::list(conn, auth, paging)?;
    let page = paging.page(rows, |h| (h.held_on, h.id));
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::HuddleList)
            .details(json!({}))
            .listed(page.items.iter().flat_map(Huddle::patient_ids)),
    )?;
    Ok(page)
}

/// One huddle.
pub fn get(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<Huddle> {
    let huddle = store::get(conn, auth, id)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::HuddleRead)
            .on(id)
            .details(json!({}))
            .listed(huddle.patient_ids()),
    )?;
    Ok(huddle)
}

/// Records a huddle: its attendees (active users of the organization),
/// the patients discussed and the action items, each of which becomes a
/// task (`source_type: huddle`, `source_id`: the action item). Every
/// reference is checked before anything is written, and every bad one is
/// reported at once (422); the caller's transaction makes it all or
/// nothing. Giving an item to someone else takes `tasks:assign`, as
/// creating any task does. One audit event per patient the huddle touches.
pub fn create(
    conn: &mut PgConnection,
    auth: &Authorized,
    (): (),
    new: Valid<NewHuddle>,
    now: DateTime<Utc>,
) -> ApiResult<Huddle> {
    let new = new.into_inner();
    let mut errors: Vec<FieldError> = Vec::new();
    for (i, user) in new.attendee_ids.iter().enumerate() {
        if !users::find(conn, auth, *user)?.is_some_and(|u| u.active) {
            errors.push(FieldError::new(
                format!("attendee_ids[{i}]"),
                "is not an active user of your organization",
            ));
        }
    }
    for (i, d) in new.patients.iter().enumerate() {
        if !patients::exists(conn, auth, d.patient_id)? {
            errors.push(FieldError::new(
                format!("patients[{i}].patient_id"),
                "is not a patient of your organization",
            ));
        }
    }
    let mut assignees = Vec::with_capacity(new.action_items.len());
    for (i, item) in new.action_items.iter().enumerate() {
        if !patients::exists(conn, auth, item.patient_id)? {
            errors.push(FieldError::new(
                format!("action_items[{i}].patient_id"),
                "is not a patient of your organization",
            ));
        }
        let assignee = match item.assignee_id {
            Some(a) if Some(a) != auth.user_id() => {
                auth.require(Permission::TasksAssign)?;
                Some(a)
            }
            Some(a) => Some(a),
            None => auth.user_id(),
        };
        if let Some(a) = assignee {
            let field = format!("action_items[{i}].assignee_id");
            if let Err(ApiError::Validation(mut e)) =
                users::ensure_can_carry_caseload(conn, auth, a, &field)
            {
                errors.append(&mut e);
            }
        }
        assignees.push(assignee);
    }
    if !errors.is_empty() {
        errors.sort_by(|a, b| a.field.cmp(&b.field));
        return Err(ApiError::Validation(errors));
    }
    let held_on = new.held_on.unwrap_or_else(|| auth.today(now));
    let id = store::insert(conn, auth, held_on, new.notes.as_deref(), now)?;
    store::insert_attendees(conn, auth, id, &new.attendee_ids)?;
    store::insert_discussions(conn, auth, id, &new.patients)?;
    let mut created: Vec<(PatientId, TaskId)> = Vec::new();
    for ((item, assignee), position) in new.action_items.into_iter().zip(assignees).zip(0..) {
        let item_id = Uuid::now_v7();
        let spec = Spec {
            patient_id: item.patient_id,
            assignee_id: assignee,
            kind: item.kind,
            title: item.title,
            details: None,
            due_at: item.due_at,
            priority: Priority::Normal,
            source_type: TaskSource::Huddle,
            source_id: Some(item_id),
            context: Some(TaskContext::Huddle {
                huddle_id: id,
                held_on,
            }),
            created_by: auth.user_id(),
        };
        let task = tasks::insert(conn, auth, spec, now)?
            .ok_or_else(|| ApiError::internal("an action item's task was not inserted"))?;
        store::insert_action_item(conn, auth, (id, item_id), position, task.id)?;
        created.push((task.patient_id, task.id));
    }
    let huddle = store::get(conn, auth, id)?;
    for patient in huddle.patient_ids() {
        let task_ids: Vec<TaskId> = created
            .iter()
            .filter(|(p, _)| *p == patient)
            .map(|(_, t)| *t)
            .collect();
        audit::log(
            conn,
            auth,
            Entry::new(AuditAction::HuddleCreate)
                .on(id)
                .patient(patient)
                .details(json!({"held_on": held_on, "task_ids": task_ids})),
        )?;
    }
    Ok(huddle)
}

/// Changes a huddle's notes, and the notes on patients it discussed (a
/// patient it did not discuss is a 422).
pub fn change(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
    patch: Valid<HuddlePatch>,
    now: DateTime<Utc>,
) -> ApiResult<Huddle> {
    let patch = patch.into_inner();
    let current = store::lock(conn, auth, id, expected)?;
    let mut errors = Vec::new();
    for (i, p) in patch.patient_notes.iter().enumerate() {
        if !current
            .patients
            .iter()
            .any(|d| d.patient_id == p.patient_id)
        {
            errors.push(FieldError::new(
                format!("patient_notes[{i}].patient_id"),
                "was not discussed at this huddle",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let patient_notes: Vec<(PatientId, Option<&str>)> = patch
        .patient_notes
        .iter()
        .map(|p| (p.patient_id, p.notes.as_deref()))
        .collect();
    let notes = patch.notes.into_change();
    let huddle = store::update_notes(
        conn,
        auth,
        id,
        notes.as_ref().map(|n| n.as_deref()),
        &patient_notes,
        now,
    )?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::HuddleUpdate)
            .on(id)
            .details(json!({"notes_changed": notes.is_some()}))
            .listed(patient_notes.iter().map(|(p, _)| *p)),
    )?;
    Ok(huddle)
}

/// Where the next page of an agenda starts: the last item's place and the
/// instant the first page was built at (every page of one walk is built
/// as of that instant, so its reasons agree with each other).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AgendaCursor {
    key: AgendaKey,
    built_at: DateTime<Utc>,
}

/// The proposed agenda. A supervisor (`team:view`) sees the whole
/// organization, or one care manager's caseload with `care_manager_id`;
/// anyone else their own caseload (naming someone else takes `team:view`;
/// an API key, which has no caseload, needs it too).
pub fn agenda(
    conn: &mut PgConnection,
    auth: &Authorized,
    q: AgendaQuery,
    paging: &Paging<AgendaCursor>,
) -> ApiResult<Page<AgendaItem>> {
    let scope = match (q.care_manager_id, auth.user_id()) {
        (Some(u), me) if Some(u) != me => {
            auth.require(Permission::TeamView)?;
            if users::find(conn, auth, u)?.is_none() {
                return Err(ApiError::not_found("user"));
            }
            Scope::CareManager(u)
        }
        (Some(u), _) => Scope::CareManager(u),
        (None, _) if auth.permits(Permission::TeamView) => Scope::Everyone,
        (None, Some(me)) => Scope::CareManager(me),
        (None, None) => {
            auth.require(Permission::TeamView)?;
            Scope::Everyone
        }
    };
    let now = paging.after.as_ref().map_or_else(Utc::now, |c| c.built_at);
    let facts = store::agenda_facts(conn, auth, scope, now)?;
    let items: Vec<AgendaItem> = shared::huddles::agenda(facts, now, &|t| auth.local(t))
        .into_iter()
        .filter(|item| {
            paging
                .after
                .as_ref()
                .is_none_or(|c| agenda_key(item) > c.key)
        })
        .take(usize::try_from(paging.fetch()).unwrap_or(usize::MAX))
        .collect();
    let page = paging.page(items, |item| AgendaCursor {
        key: agenda_key(item),
        built_at: now,
    });
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::HuddleAgenda)
            .details(json!({"care_manager_id": q.care_manager_id}))
            .listed(page.items.iter().map(|i| i.patient.id)),
    )?;
    Ok(page)
}
