//! What the note forms read and check the same way: the minutes spent, the
//! kind of activity, and who may still change a note.

use shared::ids::UserId;
use shared::notes::{MAX_MINUTES, Note, NoteType};
use shared::problem::FieldError;
use strum::VariantArray;

use crate::components::{Choice, choices};

/// Reads the minutes field: a whole number from 0 to 720.
pub fn read_minutes(value: &str) -> Result<i32, FieldError> {
    match value.trim().parse::<i32>() {
        Ok(m) if (0..=MAX_MINUTES).contains(&m) => Ok(m),
        Ok(_) => Err(FieldError::new(
            "minutes",
            format!("must be between 0 and {MAX_MINUTES}"),
        )),
        Err(_) if value.trim().is_empty() => Err(FieldError::new("minutes", "is required")),
        Err(_) => Err(FieldError::new("minutes", "must be a whole number")),
    }
}

/// Whether the signed-in person may still change a note.
pub fn editable_by(note: &Note, me: Option<UserId>) -> bool {
    note.signed_at.is_none() && me.is_some() && note.author_id == me
}

/// The kinds of activity, for a `<select>`.
pub fn type_choices() -> Vec<Choice> {
    choices(NoteType::VARIANTS, |t| t.label().to_string(), None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use shared::ids::PatientId;
    use uuid::Uuid;

    fn note(author: Option<UserId>, signed: bool) -> Note {
        let t: DateTime<Utc> = "2026-03-02T17:00:00Z".parse().unwrap();
        Note {
            id: Uuid::nil(),
            patient_id: PatientId::default(),
            author_id: author,
            note_type: NoteType::Outreach,
            body: "Called".into(),
            minutes: 10,
            occurred_at: t,
            task_id: None,
            signed_at: signed.then_some(t),
            signed_by: if signed { author } else { None },
            addenda: vec![],
            version: 1,
            created_at: t,
            updated_at: t,
        }
    }

    #[test]
    fn only_the_author_edits_and_only_while_unsigned() {
        let me = Some(UserId::from(Uuid::from_u128(1)));
        let other = Some(UserId::from(Uuid::from_u128(2)));
        assert!(editable_by(&note(me, false), me));
        assert!(!editable_by(&note(me, true), me));
        assert!(!editable_by(&note(other, false), me));
        assert!(!editable_by(&note(None, false), None));
    }

    #[test]
    fn minutes_are_a_whole_number_within_a_day_s_work() {
        assert_eq!(read_minutes(" 25 "), Ok(25));
        assert_eq!(read_minutes("").unwrap_err().message, "is required");
        assert_eq!(
            read_minutes("2.5").unwrap_err().message,
            "must be a whole number"
        );
        assert_eq!(
            read_minutes("900").unwrap_err().message,
            "must be between 0 and 720"
        );
    }
}
