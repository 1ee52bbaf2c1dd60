//! Chart reviews and their findings in the database.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use shared::chart_review::{ChartReview, Finding};
use shared::ids::PatientId;
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::ApiResult;
use crate::http::Paging;
use crate::schema::{chart_review_findings, chart_reviews};
use crate::store::{code, of_org};

#[derive(Queryable, Selectable)]
#[diesel(table_name = chart_reviews)]
struct Row {
    id: Uuid,
    patient_id: Uuid,
    reviewed_by: Option<Uuid>,
    service_use: String,
    engagement: String,
    plan_adherence: String,
    summary: Option<String>,
    minutes: i32,
    note_id: Uuid,
    reviewed_at: DateTime<Utc>,
}

/// Records a review (without its findings).
pub fn insert(conn: &mut PgConnection, auth: &Authorized, r: &ChartReview) -> ApiResult<()> {
    diesel::insert_into(chart_reviews::table)
        .values((
            chart_reviews::id.eq(r.id),
            chart_reviews::organization_id.eq(auth.org().get()),
            chart_reviews::patient_id.eq(r.patient_id.get()),
            chart_reviews::reviewed_by.eq(r.reviewed_by.map(shared::ids::UserId::get)),
            chart_reviews::service_use.eq(&r.service_use),
            chart_reviews::engagement.eq(r.engagement.as_ref()),
            chart_reviews::plan_adherence.eq(r.plan_adherence.as_ref()),
            chart_reviews::summary.eq(&r.summary),
            chart_reviews::minutes.eq(r.minutes),
            chart_reviews::note_id.eq(r.note_id),
            chart_reviews::reviewed_at.eq(r.reviewed_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records a finding of review `review` (its task is set after).
pub fn insert_finding(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    review: Uuid,
    f: &Finding,
) -> ApiResult<()> {
    diesel::insert_into(chart_review_findings::table)
        .values((
            chart_review_findings::id.eq(id),
            chart_review_findings::organization_id.eq(auth.org().get()),
            chart_review_findings::chart_review_id.eq(review),
            chart_review_findings::code.eq(f.code.as_ref()),
            chart_review_findings::description.eq(&f.description),
            chart_review_findings::task_id.eq(f.task_id.map(shared::ids::TaskId::get)),
        ))
        .execute(conn)?;
    Ok(())
}

/// A page of the patient's reviews, newest first, with their findings.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Vec<ChartReview>> {
    let mut q = of_org!(chart_reviews, auth)
        .filter(chart_reviews::patient_id.eq(patient.get()))
        .select(Row::as_select())
        .into_boxed();
    if let Some((at, id)) = paging.after {
        q = q.filter(
            chart_reviews::reviewed_at
                .lt(at)
                .or(chart_reviews::reviewed_at
                    .eq(at)
                    .and(chart_reviews::id.lt(id))),
        );
    }
    let rows: Vec<Row> = q
        .order((chart_reviews::reviewed_at.desc(), chart_reviews::id.desc()))
        .limit(paging.fetch())
        .load(conn)?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut findings: HashMap<Uuid, Vec<Finding>> = HashMap::new();
    for (review, c, description, task) in of_org!(chart_review_findings, auth)
        .filter(chart_review_findings::chart_review_id.eq_any(&ids))
        .order(chart_review_findings::id)
        .select((
            chart_review_findings::chart_review_id,
            chart_review_findings::code,
            chart_review_findings::description,
            chart_review_findings::task_id,
        ))
        .load::<(Uuid, String, String, Option<Uuid>)>(conn)?
    {
        findings.entry(review).or_default().push(Finding {
            code: code(&c)?,
            description,
            task_id: task.map(Into::into),
        });
    }
    rows.into_iter()
        .map(|r| {
            Ok(ChartReview {
                findings: findings.remove(&r.id).unwrap_or_default(),
                id: r.id,
                patient_id: r.patient_id.into(),
                reviewed_by: r.reviewed_by.map(Into::into),
                service_use: r.service_use,
                engagement: code(&r.engagement)?,
                plan_adherence: code(&r.plan_adherence)?,
                summary: r.summary,
                minutes: r.minutes,
                note_id: r.note_id,
                reviewed_at: r.reviewed_at,
                version: 1,
            })
        })
        .collect()
}
