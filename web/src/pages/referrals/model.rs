//! What the referral screens say, decided without a browser: the steps the
//! care team may take from a status (from `ReferralStatus::steps`), the
//! words of each step's button and form, the board's groups, and the
//! satisfaction scale.

use shared::referral::{Needs, Referral, ReferralParty, ReferralStatus};

/// The board's groups, in lifecycle order (closed and cancelled referrals
/// are off the board).
pub const BOARD_STATUSES: [ReferralStatus; 7] = [
    ReferralStatus::Draft,
    ReferralStatus::Sent,
    ReferralStatus::Accepted,
    ReferralStatus::Scheduled,
    ReferralStatus::Completed,
    ReferralStatus::Declined,
    ReferralStatus::NoShow,
];

/// What a group of the board holds, in a sentence.
pub fn board_hint(status: ReferralStatus) -> &'static str {
    match status {
        ReferralStatus::Draft => "Written but not sent yet.",
        ReferralStatus::Sent => "Waiting for the provider's answer (2 business days).",
        ReferralStatus::Accepted => "Accepted by the provider: book the appointment.",
        ReferralStatus::Scheduled => "Appointment booked: record what happened.",
        ReferralStatus::Completed => "Service given: close the loop with the patient.",
        ReferralStatus::Declined => "Declined by the provider: close it and refer elsewhere.",
        ReferralStatus::NoShow => {
            "The patient did not come: a re-referral follows; close this one."
        }
        ReferralStatus::Closed | ReferralStatus::Cancelled => "",
    }
}

/// The steps the referring care team may take from `status`, in the
/// lifecycle's order.
pub fn care_team_steps(status: ReferralStatus) -> Vec<ReferralStatus> {
    status
        .steps()
        .iter()
        .filter(|(_, parties)| parties.contains(&ReferralParty::Referrer))
        .map(|(to, _)| *to)
        .collect()
}

/// The words of the button that opens a step.
pub fn step_button(to: ReferralStatus) -> &'static str {
    match to {
        ReferralStatus::Sent => "Send",
        ReferralStatus::Accepted => "Accept",
        ReferralStatus::Declined => "Decline",
        ReferralStatus::Scheduled => "Schedule",
        ReferralStatus::Completed => "Complete",
        ReferralStatus::NoShow => "No-show",
        ReferralStatus::Closed => "Close",
        ReferralStatus::Cancelled => "Cancel referral",
        ReferralStatus::Draft => "Back to draft",
    }
}

/// The heading of a step's form.
pub fn step_heading(to: ReferralStatus) -> &'static str {
    match to {
        ReferralStatus::Sent => "Send the referral",
        ReferralStatus::Accepted => "Record that the provider accepted",
        ReferralStatus::Declined => "Record that the provider declined",
        ReferralStatus::Scheduled => "Record the appointment",
        ReferralStatus::Completed => "Record the outcome",
        ReferralStatus::NoShow => "Record that the patient did not come",
        ReferralStatus::Closed => "Close the loop",
        ReferralStatus::Cancelled => "Cancel the referral",
        ReferralStatus::Draft => "Back to draft",
    }
}

/// The words of the button that takes a step.
pub fn step_submit(to: ReferralStatus) -> &'static str {
    match to {
        ReferralStatus::Sent => "Send referral",
        ReferralStatus::Accepted => "Record acceptance",
        ReferralStatus::Declined => "Record decline",
        ReferralStatus::Scheduled => "Save appointment",
        ReferralStatus::Completed => "Record completion",
        ReferralStatus::NoShow => "Record no-show",
        ReferralStatus::Closed => "Close referral",
        ReferralStatus::Cancelled => "Confirm cancellation",
        ReferralStatus::Draft => "Save",
    }
}

/// What to say once a step is taken.
pub fn step_notice(r: &Referral) -> String {
    let provider = &r.provider_name;
    match r.status {
        ReferralStatus::Sent => format!("Referral sent to {provider}."),
        ReferralStatus::Accepted => format!("Recorded: {provider} accepted the referral."),
        ReferralStatus::Declined => format!("Recorded: {provider} declined the referral."),
        ReferralStatus::Scheduled => match r.appointment_at {
            Some(at) => format!("Appointment recorded for {}.", crate::format::datetime(at)),
            None => "Appointment recorded.".to_string(),
        },
        ReferralStatus::Completed => "Referral completed.".to_string(),
        ReferralStatus::NoShow => {
            "No-show recorded. A re-referral draft was made for the patient.".to_string()
        }
        ReferralStatus::Closed => "Referral closed.".to_string(),
        ReferralStatus::Cancelled => "Referral cancelled.".to_string(),
        ReferralStatus::Draft => "Referral saved as a draft.".to_string(),
    }
}

/// Whether sending needs an override reason: the check the referral
/// carries was not met.
pub fn needs_override(r: &Referral) -> bool {
    r.medical_necessity.as_ref().is_some_and(|e| !e.met)
}

/// What a step's form asks for besides confirming.
pub fn step_needs(to: ReferralStatus) -> Needs {
    ReferralStatus::needs(to)
}

/// The satisfaction scale, 1 to 5, in words.
pub fn rating_label(rating: i16) -> &'static str {
    match rating {
        1 => "1 – very dissatisfied",
        2 => "2 – dissatisfied",
        3 => "3 – neither satisfied nor dissatisfied",
        4 => "4 – satisfied",
        _ => "5 – very satisfied",
    }
}

/// How many of a referral's barriers still stand.
pub fn open_barriers(r: &Referral) -> usize {
    r.barriers.iter().filter(|b| b.is_open()).count()
}

/// `2 open barriers`, or nothing when none stand.
pub fn open_barriers_text(r: &Referral) -> Option<String> {
    match open_barriers(r) {
        0 => None,
        n => Some(crate::format::count(n, "open barrier", "open barriers")),
    }
}

/// The address of a referral.
pub fn referral_href(id: uuid::Uuid) -> String {
    format!("/referrals/{id}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::VariantArray;

    #[test]
    fn the_care_team_sends_cancels_and_closes_and_records_the_providers_answers() {
        use ReferralStatus::*;
        assert_eq!(care_team_steps(Draft), vec![Sent, Cancelled]);
        assert_eq!(care_team_steps(Sent), vec![Accepted, Declined, Cancelled]);
        assert_eq!(care_team_steps(Accepted), vec![Scheduled, Cancelled]);
        assert_eq!(
            care_team_steps(Scheduled),
            vec![Completed, NoShow, Cancelled]
        );
        for s in [Completed, Declined, NoShow] {
            assert_eq!(care_team_steps(s), vec![Closed]);
        }
        assert!(care_team_steps(Closed).is_empty());
        assert!(care_team_steps(Cancelled).is_empty());
    }

    #[test]
    fn every_step_has_distinct_words_for_its_button_and_its_submit() {
        for s in ReferralStatus::VARIANTS {
            assert_ne!(step_button(*s), step_submit(*s), "{s}");
            assert!(!step_heading(*s).is_empty());
        }
    }

    #[test]
    fn the_board_lists_every_open_status_once_in_lifecycle_order() {
        let open: Vec<_> = ReferralStatus::VARIANTS
            .iter()
            .copied()
            .filter(|s| s.is_open())
            .collect();
        assert_eq!(BOARD_STATUSES.len(), open.len());
        for s in open {
            assert!(BOARD_STATUSES.contains(&s));
            assert!(!board_hint(s).is_empty());
        }
        assert_eq!(BOARD_STATUSES[0], ReferralStatus::Draft);
    }

    #[test]
    fn the_scale_runs_from_very_dissatisfied_to_very_satisfied() {
        assert!(rating_label(1).contains("very dissatisfied"));
        assert!(rating_label(5).contains("very satisfied"));
    }
}
