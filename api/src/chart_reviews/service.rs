//! Recording a chart review (the chosen gaps become tasks in the same
//! transaction; the minutes become a signed chart-review note) and listing
//! a patient's reviews.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde_json::json;
use shared::audit::AuditAction;
use shared::chart_review::{ChartReview, Finding, NewChartReview};
use shared::ids::PatientId;
use shared::notes::{NewNote, NoteType};
use shared::pagination::Page;
use shared::problem::FieldError;
use shared::tasks::{Priority, TaskSource};
use shared::validation::Valid;
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::chart_reviews::store;
use crate::error::{ApiError, ApiResult};
use crate::gaps::service as gaps;
use crate::http::Paging;
use crate::notes::store as notes;
use crate::organizations::store as organizations;
use crate::patients::store as patients;
use crate::tasks::store::{self as tasks, Spec};

/// A patient's chart reviews, newest first.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Page<ChartReview>> {
    patients::ensure(conn, auth, patient)?;
    let rows = store::list(conn, auth, patient, paging)?;
    audit::on_patient(conn, auth, AuditAction::ChartReviewList, patient)?;
    Ok(paging.page(rows, |r| (r.reviewed_at, r.id)))
}

/// The note that carries a review's minutes into productivity.
fn note_body(new: &NewChartReview, findings: &[Finding]) -> String {
    let mut body = format!(
        "Chart review. Service use: {}. Engagement: {}. Plan adherence: {}.",
        new.service_use, new.engagement, new.plan_adherence
    );
    if let Some(s) = &new.summary {
        body.push(' ');
        body.push_str(s);
    }
    if !findings.is_empty() {
        let list: Vec<&str> = findings.iter().map(|f| f.description.as_str()).collect();
        body.push_str(" Gaps turned into tasks: ");
        body.push_str(&list.join("; "));
        body.push('.');
    }
    body
}

/// Records a chart review. Each chosen gap must be one of the patient's
/// current gaps (422 naming `gaps[i]` otherwise) and becomes a task due
/// the next business day, assigned to the reviewer; the minutes become a
/// signed chart-review note. Reviews are people's work: API keys get 403.
pub fn record(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    new: Valid<NewChartReview>,
    now: DateTime<Utc>,
) -> ApiResult<ChartReview> {
    let me = auth.user_id().ok_or_else(|| {
        ApiError::Forbidden("Chart reviews are recorded by people, not API keys.".into())
    })?;
    patients::ensure(conn, auth, patient)?;
    let new = new.into_inner();
    let current = gaps::current(conn, auth, patient, now)?;
    let mut chosen = Vec::new();
    let mut unknown = Vec::new();
    for (i, key) in new.gaps.iter().enumerate() {
        match current.iter().find(|g| &g.key == key) {
            Some(g) => chosen.push(g.clone()),
            None => unknown.push(FieldError::new(
                format!("gaps[{i}]"),
                "is not one of the patient's current gaps",
            )),
        }
    }
    if !unknown.is_empty() {
        return Err(ApiError::Validation(unknown));
    }
    let cal = organizations::calendar(conn, auth)?;
    let review_id = Uuid::now_v7();
    let mut findings = Vec::new();
    let mut finding_ids = Vec::new();
    for gap in &chosen {
        let finding_id = Uuid::now_v7();
        let spec = Spec {
            patient_id: patient,
            assignee_id: Some(me),
            kind: gap.suggested_task.kind,
            title: gap.suggested_task.title.clone(),
            details: Some(format!("Chart review found: {}", gap.description)),
            due_at: shared::calendar::due_next_business_day(now, &cal.tz, &cal.holidays),
            priority: Priority::Normal,
            source_type: TaskSource::ChartReview,
            source_id: Some(finding_id),
            context: None,
            created_by: Some(me),
        };
        let task = tasks::insert(conn, auth, spec, now)?
            .ok_or_else(|| ApiError::internal("a new finding's task already existed"))?;
        findings.push(Finding {
            code: gap.code,
            description: gap.description.clone(),
            task_id: Some(task.id),
        });
        finding_ids.push(finding_id);
    }
    let note = NewNote {
        note_type: NoteType::ChartReview,
        body: note_body(&new, &findings),
        minutes: new.minutes,
        occurred_at: Some(now),
        task_id: None,
    };
    let note = notes::insert(conn, auth, patient, &note, me, now)?;
    notes::sign(conn, auth, note.id, me, now)?;
    let review = ChartReview {
        id: review_id,
        patient_id: patient,
        reviewed_by: Some(me),
        service_use: new.service_use,
        engagement: new.engagement,
        plan_adherence: new.plan_adherence,
        summary: new.summary,
        minutes: new.minutes,
        note_id: note.id,
        findings,
        reviewed_at: now,
        version: 1,
    };
    store::insert(conn, auth, &review)?;
    for (id, f) in finding_ids.iter().zip(&review.findings) {
        store::insert_finding(conn, auth, *id, review.id, f)?;
    }
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::ChartReviewCreate)
            .on(review.id)
            .patient(patient)
            .details(json!({
                "minutes": review.minutes,
                "gaps": review.findings.iter().map(|f| f.code).collect::<Vec<_>>(),
            })),
    )?;
    Ok(review)
}
