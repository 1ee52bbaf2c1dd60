//! What the huddle page works out without the DOM: the form as it is
//! filled in (patients to discuss with notes, action items), the
//! `NewHuddle` it sends, and the words and links of the lists.

use chrono::{DateTime, NaiveDate, Utc};
use shared::huddles::{ActionItem, AgendaItem, Huddle, NewActionItem, NewDiscussion, NewHuddle};
use shared::ids::{PatientId, UserId};
use shared::tasks::TaskKind;
use shared::validation::blank_to_none;

/// A patient chosen for discussion, with the notes typed so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftDiscussion {
    /// The patient.
    pub patient_id: PatientId,
    /// Their name.
    pub name: String,
    /// Notes.
    pub notes: String,
}

/// An action item as typed: the due time is the `datetime-local` text
/// (read on the browser's clock when sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftItem {
    /// A key for the list (stable while items are added and removed).
    pub key: u32,
    /// The patient (`None`: not chosen yet).
    pub patient_id: Option<PatientId>,
    /// What to do.
    pub title: String,
    /// Who does it (`None`: whoever records the huddle).
    pub assignee_id: Option<UserId>,
    /// The due time, as typed.
    pub due: String,
}

/// Adds `patient` to the discussion (once), or takes them off it.
pub fn toggle_discussed(list: &mut Vec<DraftDiscussion>, patient: PatientId, name: &str, on: bool) {
    let present = list.iter().any(|d| d.patient_id == patient);
    if on && !present {
        list.push(DraftDiscussion {
            patient_id: patient,
            name: name.to_string(),
            notes: String::new(),
        });
    } else if !on {
        list.retain(|d| d.patient_id != patient);
    }
}

/// The request the form makes: notes trimmed (blank ones left out), every
/// action item with its due time read by `read_due` (an unreadable or
/// missing one is left for the server to name).
pub fn new_huddle(
    held_on: NaiveDate,
    notes: &str,
    attendees: &[UserId],
    discussed: &[DraftDiscussion],
    items: &[DraftItem],
    read_due: impl Fn(&str) -> Option<DateTime<Utc>>,
) -> Result<NewHuddle, Vec<(String, String)>> {
    let mut problems = Vec::new();
    let mut action_items = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let due = read_due(&item.due);
        if item.patient_id.is_none() {
            problems.push((
                format!("action_items[{i}].patient_id"),
                "Choose the patient.".to_string(),
            ));
        }
        if due.is_none() {
            problems.push((
                format!("action_items[{i}].due_at"),
                "Give a due date and time.".to_string(),
            ));
        }
        if let (Some(patient_id), Some(due_at)) = (item.patient_id, due) {
            action_items.push(NewActionItem {
                patient_id,
                title: item.title.trim().to_string(),
                assignee_id: item.assignee_id,
                due_at,
                kind: TaskKind::Custom,
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(NewHuddle {
        held_on: Some(held_on),
        notes: blank_to_none(notes),
        attendee_ids: attendees.to_vec(),
        patients: discussed
            .iter()
            .map(|d| NewDiscussion {
                patient_id: d.patient_id,
                notes: blank_to_none(&d.notes),
            })
            .collect(),
        action_items,
    })
}

/// Where the SPA shows the worklist an agenda item points at: mine, or a
/// team member's.
pub fn worklist_href(care_manager: Option<UserId>, me: Option<UserId>) -> Option<String> {
    match care_manager {
        None => None,
        Some(cm) if Some(cm) == me => Some("/worklist".to_string()),
        Some(cm) => Some(format!("/team/{cm}")),
    }
}

/// The patient's page.
pub fn patient_href(patient: PatientId) -> String {
    format!("/patients/{patient}")
}

/// "Safety flag · New discharge": the kinds of reason an item has.
pub fn reason_kinds(item: &AgendaItem) -> String {
    let mut kinds: Vec<&str> = Vec::new();
    for r in &item.reasons {
        let label = r.kind.label();
        if !kinds.contains(&label) {
            kinds.push(label);
        }
    }
    kinds.join(" · ")
}

/// "Book the visit — Lopez, Maria — Casey Nguyen, due …": one created task.
pub fn action_item_line(item: &ActionItem, due: &str) -> String {
    let who = item.assignee_name.as_deref().unwrap_or("Unassigned");
    format!(
        "{} — {} — {who}, due {due} ({})",
        item.title,
        item.patient_name,
        item.status.label().to_lowercase()
    )
}

/// "3 attendees · 2 patients · 1 action item".
pub fn huddle_counts(h: &Huddle) -> String {
    [
        crate::format::count(h.attendees.len(), "attendee", "attendees"),
        crate::format::count(h.patients.len(), "patient discussed", "patients discussed"),
        crate::format::count(h.action_items.len(), "action item", "action items"),
    ]
    .join(" · ")
}

/// A field error of the huddle form in words: "Action item 2, assignee:
/// is not an active care manager …".
pub fn field_words(field: &str, message: &str) -> String {
    let mut parts = field.splitn(2, '.');
    let head = parts.next().unwrap_or(field);
    let tail = parts.next();
    let (list, index) = match head.split_once('[') {
        Some((list, rest)) => (
            list,
            rest.trim_end_matches(']')
                .parse::<usize>()
                .ok()
                .map(|i| i + 1),
        ),
        None => (head, None),
    };
    let what = match list {
        "attendee_ids" => "Attendee",
        "patients" => "Patient discussed",
        "action_items" => "Action item",
        "held_on" => "Date",
        "notes" => "Notes",
        other => other,
    };
    let mut words = match index {
        Some(i) => format!("{what} {i}"),
        None => what.to_string(),
    };
    if let Some(tail) = tail {
        words.push_str(", ");
        words.push_str(&crate::format::words(tail.trim_end_matches("_id")));
        words = words
            .replace(", Patient", ", patient")
            .replace(", Assignee", ", assignee")
            .replace(", Title", ", what to do")
            .replace(", Due at", ", due");
    }
    format!("{words}: {message}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::huddles::{AgendaReason, AgendaReasonKind};
    use shared::ids::TaskId;
    use shared::risk::RiskLevel;
    use shared::tasks::TaskStatus;
    use shared::worklist::PatientSummary;
    use uuid::Uuid;

    fn patient(n: u128) -> PatientId {
        PatientId::from(Uuid::from_u128(n))
    }

    fn due(text: &str) -> Option<DateTime<Utc>> {
        (!text.is_empty()).then(|| "2026-12-02T17:00:00Z".parse().unwrap())
    }

    #[test]
    fn a_patient_is_discussed_once_and_can_be_taken_off() {
        let mut list = Vec::new();
        toggle_discussed(&mut list, patient(1), "Lopez, Maria", true);
        toggle_discussed(&mut list, patient(1), "Lopez, Maria", true);
        toggle_discussed(&mut list, patient(2), "Okafor, Sam", true);
        assert_eq!(list.len(), 2);
        toggle_discussed(&mut list, patient(1), "Lopez, Maria", false);
        assert_eq!(list[0].patient_id, patient(2));
    }

    #[test]
    fn the_request_carries_trimmed_notes_and_the_items_due_times() {
        let me = UserId::from(Uuid::from_u128(9));
        let discussed = vec![DraftDiscussion {
            patient_id: patient(1),
            name: "Lopez, Maria".into(),
            notes: "  Stable ".into(),
        }];
        let items = vec![DraftItem {
            key: 1,
            patient_id: Some(patient(1)),
            title: " Call ".into(),
            assignee_id: None,
            due: "2026-12-02T09:00".into(),
        }];
        let today: NaiveDate = "2026-12-01".parse().unwrap();
        let new = new_huddle(today, " ", &[me], &discussed, &items, due).unwrap();
        assert_eq!(new.held_on, Some(today));
        assert_eq!(new.notes, None);
        assert_eq!(new.attendee_ids, [me]);
        assert_eq!(new.patients[0].notes.as_deref(), Some("Stable"));
        assert_eq!(new.action_items[0].title, "Call");
        assert_eq!(new.action_items[0].due_at, due("x").unwrap());
    }

    #[test]
    fn an_item_without_patient_or_due_time_is_named() {
        let items = vec![DraftItem {
            key: 1,
            patient_id: None,
            title: "Call".into(),
            assignee_id: None,
            due: String::new(),
        }];
        let today: NaiveDate = "2026-12-01".parse().unwrap();
        let problems = new_huddle(today, "", &[], &[], &items, due).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            ["action_items[0].patient_id", "action_items[0].due_at"]
        );
    }

    #[test]
    fn field_errors_read_as_the_form_names_things() {
        assert_eq!(
            field_words("action_items[1].assignee_id", "is not an active user"),
            "Action item 2, assignee: is not an active user"
        );
        assert_eq!(
            field_words("attendee_ids[0]", "is not an active user"),
            "Attendee 1: is not an active user"
        );
        assert_eq!(
            field_words("action_items[0].due_at", "Give a due date and time."),
            "Action item 1, due: Give a due date and time."
        );
        assert_eq!(
            field_words("held_on", "must not be in the future"),
            "Date: must not be in the future"
        );
    }

    #[test]
    fn worklist_links_are_mine_or_a_team_members() {
        let me = UserId::from(Uuid::from_u128(1));
        let them = UserId::from(Uuid::from_u128(2));
        assert_eq!(
            worklist_href(Some(me), Some(me)).as_deref(),
            Some("/worklist")
        );
        assert_eq!(
            worklist_href(Some(them), Some(me)),
            Some(format!("/team/{them}"))
        );
        assert_eq!(worklist_href(None, Some(me)), None);
    }

    #[test]
    fn an_items_reason_kinds_are_named_once_in_order() {
        let reason = |kind| AgendaReason {
            kind,
            text: String::new(),
            at: None,
            task_id: None,
        };
        let item = AgendaItem {
            patient: PatientSummary {
                id: patient(1),
                name: "Lopez, Maria".into(),
                risk_level: RiskLevel::High,
                risk_factors: vec![],
            },
            top_reason: AgendaReasonKind::SafetyFlag,
            reasons: vec![
                reason(AgendaReasonKind::SafetyFlag),
                reason(AgendaReasonKind::SafetyFlag),
                reason(AgendaReasonKind::HighRisk),
            ],
            care_manager_id: None,
            worklist_link: None,
        };
        assert_eq!(reason_kinds(&item), "Safety flag · High risk");
    }

    #[test]
    fn a_created_task_reads_as_a_line() {
        let item = ActionItem {
            id: Uuid::nil(),
            task_id: TaskId::default(),
            patient_id: patient(1),
            patient_name: "Lopez, Maria".into(),
            title: "Book the visit".into(),
            kind: TaskKind::Custom,
            assignee_id: None,
            assignee_name: Some("Casey Nguyen".into()),
            due_at: due("x").unwrap(),
            status: TaskStatus::Open,
        };
        assert_eq!(
            action_item_line(&item, "Dec 2, 9:00 AM"),
            "Book the visit — Lopez, Maria — Casey Nguyen, due Dec 2, 9:00 AM (open)"
        );
    }
}
