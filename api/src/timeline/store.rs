//! The timeline query: one `UNION ALL` over the records that make up a
//! patient's story, keyset-paginated on `(at, kind, part, id)`.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, SmallInt, Text, Timestamptz, Uuid as SqlUuid};
use serde::{Deserialize, Serialize};
use shared::alerts::AlertKind;
use shared::appointments::{AppointmentKind, AppointmentStatus};
use shared::education;
use shared::encounters::EncounterKind;
use shared::ids::{PatientId, UserId};
use shared::notes::NoteType;
use shared::outreach::{OutreachMethod, OutreachOutcome};
use shared::tasks::TaskKind;
use shared::timeline::{TimelineEntry, TimelineKind};
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::ApiResult;
use crate::http::Paging;
use crate::store::code;

/// Position in the timeline: `(at, kind, part, id)`, newest first.
pub type Key = (DateTime<Utc>, String, i16, Uuid);

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Timestamptz)]
    at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = SmallInt)]
    part: i16,
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Nullable<Text>)]
    a: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    b: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    actor: Option<Uuid>,
}

/// `part` tells apart two entries of one record (an encounter's admission
/// and discharge, a task's creation and completion).
const QUERY: &str = "
SELECT at, kind, part, id, a, b, c, actor FROM (
    SELECT admitted_at AS at, 'encounter' AS kind, 0::smallint AS part, id, kind AS a, facility AS b,
           NULL::text AS c, NULL::uuid AS actor
      FROM encounters WHERE organization_id = $1 AND patient_id = $2 AND cancelled_at IS NULL
    UNION ALL
    SELECT discharged_at, 'encounter', 1::smallint, id, kind, facility, discharge_disposition, NULL
      FROM encounters WHERE organization_id = $1 AND patient_id = $2 AND cancelled_at IS NULL AND discharged_at IS NOT NULL
    UNION ALL
    SELECT scheduled_at, 'appointment', 0::smallint, id, kind, provider_name, status, NULL
      FROM appointments WHERE organization_id = $1 AND patient_id = $2
    UNION ALL
    SELECT created_at, 'task', 0::smallint, id, kind, title, NULL, created_by
      FROM tasks WHERE organization_id = $1 AND patient_id = $2
    UNION ALL
    SELECT completed_at, 'task', 1::smallint, id, kind, title, coalesce(outcome, cancel_reason, status), completed_by
      FROM tasks WHERE organization_id = $1 AND patient_id = $2 AND completed_at IS NOT NULL
    UNION ALL
    SELECT occurred_at, 'outreach', 0::smallint, id, method, outcome, notes, created_by
      FROM outreach_attempts WHERE organization_id = $1 AND patient_id = $2
    UNION ALL
    SELECT occurred_at, 'note', 0::smallint, id, note_type, minutes::text, CASE WHEN signed_at IS NULL THEN 'draft' END, author_id
      FROM notes WHERE organization_id = $1 AND patient_id = $2
    UNION ALL
    SELECT created_at, 'alert', 0::smallint, id, kind, message, NULL, NULL
      FROM alerts WHERE organization_id = $1 AND patient_id = $2
    UNION ALL
    SELECT changed_at, 'status_change', 0::smallint, id, from_status, to_status, reason, changed_by
      FROM patient_status_changes WHERE organization_id = $1 AND patient_id = $2
    UNION ALL
    SELECT provided_at, 'education', 0::smallint, id, method, title, understanding, provided_by
      FROM education_records WHERE organization_id = $1 AND patient_id = $2
) feed
WHERE $3::timestamptz IS NULL OR (at, kind, part, id) < ($3, $4, $5, $6)
ORDER BY at DESC, kind DESC, part DESC, id DESC
LIMIT $7";

fn label<T: std::str::FromStr>(code: Option<&str>, name: impl Fn(T) -> &'static str) -> String {
    code.and_then(|c| c.parse().ok())
        .map(name)
        .unwrap_or_default()
        .to_string()
}

fn summary(r: &Row) -> String {
    let (a, b, c) = (r.a.as_deref(), r.b.as_deref().unwrap_or(""), r.c.as_deref());
    match (r.kind.as_str(), r.part) {
        ("encounter", 0) => format!("Admitted to {b} ({})", label(a, EncounterKind::label)),
        ("encounter", _) => match c {
            Some(disposition) => format!(
                "Discharged from {b} ({}) to {disposition}",
                label(a, EncounterKind::label)
            ),
            None => format!("Discharged from {b} ({})", label(a, EncounterKind::label)),
        },
        ("appointment", _) => format!(
            "{} appointment with {b}: {}",
            capitalized(&label(a, AppointmentKind::label)),
            label(c, AppointmentStatus::label).to_lowercase()
        ),
        ("task", 0) => format!("{} created: {b}", label(a, TaskKind::label)),
        ("task", _) => format!(
            "{} closed: {b} — {}",
            label(a, TaskKind::label),
            c.unwrap_or("")
        ),
        ("outreach", _) => {
            let outcome = label(r.b.as_deref(), OutreachOutcome::label).to_lowercase();
            match c {
                Some(notes) => format!(
                    "{} outreach, {outcome}: {notes}",
                    label(a, OutreachMethod::label)
                ),
                None => format!("{} outreach, {outcome}", label(a, OutreachMethod::label)),
            }
        }
        ("note", _) => format!(
            "{} note, {b} min{}",
            label(a, NoteType::label),
            if c.is_some() { " (unsigned)" } else { "" }
        ),
        ("alert", _) => format!("{} alert: {b}", label(a, AlertKind::label)),
        ("education", _) => match (
            a.and_then(|m| m.parse().ok()),
            c.and_then(|u| u.parse().ok()),
        ) {
            (Some(method), Some(understanding)) => education::summary(b, method, understanding),
            _ => format!("Education: {b}"),
        },
        ("status_change", _) => {
            let from = a.map_or_else(|| "new".into(), |s| s.replace('_', " "));
            match c {
                Some(reason) => format!("Case {from} → {}: {reason}", b.replace('_', " ")),
                None => format!("Case {from} → {}", b.replace('_', " ")),
            }
        }
        _ => String::new(),
    }
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Cursor key of a row.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cursor(pub DateTime<Utc>, pub String, pub i16, pub Uuid);

/// The patient's timeline, newest first, after the paging key; each entry
/// with its key.
pub fn page(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    paging: &Paging<Cursor>,
) -> ApiResult<Vec<(Cursor, TimelineEntry)>> {
    let (at, kind, part, id) = match paging.after.clone() {
        Some(Cursor(a, k, p, i)) => (Some(a), Some(k), Some(p), Some(i)),
        None => (None, None, None, None),
    };
    let rows: Vec<Row> = diesel::sql_query(QUERY)
        .bind::<SqlUuid, _>(auth.org().get())
        .bind::<SqlUuid, _>(patient.get())
        .bind::<Nullable<Timestamptz>, _>(at)
        .bind::<Nullable<Text>, _>(kind)
        .bind::<Nullable<SmallInt>, _>(part)
        .bind::<Nullable<SqlUuid>, _>(id)
        .bind::<BigInt, _>(paging.fetch())
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            let entry = TimelineEntry {
                at: r.at,
                kind: code::<TimelineKind>(&r.kind)?,
                id: r.id,
                summary: summary(&r),
                actor_id: r.actor.map(UserId::from),
            };
            Ok((Cursor(r.at, r.kind.clone(), r.part, r.id), entry))
        })
        .collect()
}
