//! Closed-loop referrals (DESIGN §2–§3): the state machine
//! `draft → sent → accepted → scheduled → completed → closed`, with
//! `declined`, `cancelled` and `no_show`, who may take each step (the
//! referring care team or the receiving provider), what each step needs,
//! and when a referral is overdue. Pure: the API and the SPA ask the same
//! questions here.

use chrono::{DateTime, NaiveDate, Utc};

use crate::calendar::{add_business_days, local_date};

/// Business days a sent referral may wait for an answer.
pub const RESPONSE_BUSINESS_DAYS: u32 = 2;

code_enum! {
    /// Where a referral stands.
    #[derive(Default)]
    pub enum ReferralStatus {
        /// Being written; not yet sent.
        #[default]
        Draft,
        /// Sent to the provider; waiting for an answer.
        Sent,
        /// The provider accepted it.
        Accepted,
        /// An appointment is booked.
        Scheduled,
        /// The service was given.
        Completed,
        /// The loop is closed.
        Closed,
        /// The provider declined it.
        Declined,
        /// Withdrawn by the referring team.
        Cancelled,
        /// The patient did not come; a re-referral follows.
        NoShow,
    }
}

code_enum! {
    /// Who takes a step.
    pub enum ReferralParty {
        /// The referring care team.
        Referrer,
        /// The receiving provider (its `referrals:respond` key).
        Provider,
    }
}

code_enum! {
    /// What stands between the patient and the service.
    pub enum BarrierKind {
        /// Getting there.
        Transportation,
        /// Coverage.
        Insurance,
        /// Papers, IDs, records.
        Documentation,
        /// Language.
        Language,
        /// Childcare.
        Childcare,
        /// Cost.
        Cost,
        /// Anything else.
        Other,
    }
}

impl BarrierKind {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            BarrierKind::Transportation => "Transportation",
            BarrierKind::Insurance => "Insurance",
            BarrierKind::Documentation => "Documentation",
            BarrierKind::Language => "Language",
            BarrierKind::Childcare => "Childcare",
            BarrierKind::Cost => "Cost",
            BarrierKind::Other => "Other",
        }
    }
}

/// What a step needs besides being allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Nothing more.
    Nothing,
    /// A reason (declining, cancelling).
    Reason,
    /// The appointment's time (scheduling).
    AppointmentTime,
    /// The outcome (completing).
    Outcome,
}

/// Why a step is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepError {
    /// The referral is already there.
    Unchanged,
    /// The lifecycle has no such step.
    NotAllowed {
        /// Where it stands.
        from: ReferralStatus,
        /// Where it was asked to go.
        to: ReferralStatus,
    },
    /// The step is the other party's to take.
    NotYours {
        /// Who may take it.
        party: ReferralParty,
    },
}

impl std::fmt::Display for StepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StepError::Unchanged => write!(f, "the referral already has that status"),
            StepError::NotAllowed { from, to } => write!(
                f,
                "a referral cannot go from {} to {}",
                from.label(),
                to.label()
            ),
            StepError::NotYours { party } => match party {
                ReferralParty::Referrer => {
                    write!(f, "only the referring care team takes this step")
                }
                ReferralParty::Provider => write!(f, "only the receiving provider takes this step"),
            },
        }
    }
}

impl ReferralStatus {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            ReferralStatus::Draft => "Draft",
            ReferralStatus::Sent => "Sent",
            ReferralStatus::Accepted => "Accepted",
            ReferralStatus::Scheduled => "Scheduled",
            ReferralStatus::Completed => "Completed",
            ReferralStatus::Closed => "Closed",
            ReferralStatus::Declined => "Declined",
            ReferralStatus::Cancelled => "Cancelled",
            ReferralStatus::NoShow => "No-show",
        }
    }

    /// Whether the loop is still open: every status but closed and
    /// cancelled (a declined or missed referral waits for the care team to
    /// close it, and re-refer).
    pub fn is_open(self) -> bool {
        !matches!(self, ReferralStatus::Closed | ReferralStatus::Cancelled)
    }

    /// The steps from here, each with who may take it. Scheduling and
    /// recording the outcome are open to both sides: a provider that does
    /// not use the API tells the care manager, who records it.
    pub fn steps(self) -> &'static [(ReferralStatus, &'static [ReferralParty])] {
        use ReferralParty::{Provider, Referrer};
        use ReferralStatus::{
            Accepted, Cancelled, Closed, Completed, Declined, Draft, NoShow, Scheduled, Sent,
        };
        const BOTH: &[ReferralParty] = &[Referrer, Provider];
        const REFERRER: &[ReferralParty] = &[Referrer];
        match self {
            Draft => &[(Sent, REFERRER), (Cancelled, REFERRER)],
            Sent => &[(Accepted, BOTH), (Declined, BOTH), (Cancelled, REFERRER)],
            Accepted => &[(Scheduled, BOTH), (Cancelled, REFERRER)],
            Scheduled => &[(Completed, BOTH), (NoShow, BOTH), (Cancelled, REFERRER)],
            Completed | Declined | NoShow => &[(Closed, REFERRER)],
            Closed | Cancelled => &[],
        }
    }

    /// What moving to `to` needs besides being allowed.
    pub fn needs(to: ReferralStatus) -> Needs {
        match to {
            ReferralStatus::Declined | ReferralStatus::Cancelled => Needs::Reason,
            ReferralStatus::Scheduled => Needs::AppointmentTime,
            ReferralStatus::Completed => Needs::Outcome,
            _ => Needs::Nothing,
        }
    }

    /// Checks a step `party` asks for.
    pub fn step(
        self,
        to: ReferralStatus,
        party: ReferralParty,
    ) -> Result<ReferralStatus, StepError> {
        if self == to {
            return Err(StepError::Unchanged);
        }
        let Some((_, parties)) = self.steps().iter().find(|(s, _)| *s == to) else {
            return Err(StepError::NotAllowed { from: self, to });
        };
        if parties.contains(&party) {
            Ok(to)
        } else {
            Err(StepError::NotYours { party: parties[0] })
        }
    }
}

/// Why a referral is overdue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overdue {
    /// Sent and unanswered past the end of the second business day.
    NoResponse {
        /// The last day an answer was due.
        by: NaiveDate,
    },
    /// Still open past its due date.
    PastDue {
        /// Its due date.
        due_on: NaiveDate,
    },
}

impl Overdue {
    /// In words, for the alert and the worklist.
    pub fn describe(&self) -> String {
        match self {
            Overdue::NoResponse { by } => format!(
                "no response from the provider in {RESPONSE_BUSINESS_DAYS} business days (due by {by})"
            ),
            Overdue::PastDue { due_on } => format!("past its due date ({due_on})"),
        }
    }
}

/// Whether a referral is overdue at `now`: sent and unanswered after
/// [`RESPONSE_BUSINESS_DAYS`] business days (organization calendar), or
/// open after its due date. No response is checked first.
pub fn overdue<Tz: chrono::TimeZone>(
    status: ReferralStatus,
    sent_at: Option<DateTime<Utc>>,
    due_on: Option<NaiveDate>,
    now: DateTime<Utc>,
    tz: &Tz,
    holidays: &[NaiveDate],
) -> Option<Overdue> {
    let today = local_date(now, tz);
    if status == ReferralStatus::Sent
        && let Some(sent) = sent_at
    {
        let by = add_business_days(local_date(sent, tz), RESPONSE_BUSINESS_DAYS, holidays);
        if today > by {
            return Some(Overdue::NoResponse { by });
        }
    }
    match due_on {
        Some(due) if status.is_open() && status != ReferralStatus::Draft && today > due => {
            Some(Overdue::PastDue { due_on: due })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use strum::VariantArray;

    use ReferralParty::{Provider, Referrer};
    use ReferralStatus::*;

    /// Every step the lifecycle allows, and who may take it.
    const ALLOWED: &[(ReferralStatus, ReferralStatus, &[ReferralParty])] = &[
        (Draft, Sent, &[Referrer]),
        (Draft, Cancelled, &[Referrer]),
        (Sent, Accepted, &[Referrer, Provider]),
        (Sent, Declined, &[Referrer, Provider]),
        (Sent, Cancelled, &[Referrer]),
        (Accepted, Scheduled, &[Referrer, Provider]),
        (Accepted, Cancelled, &[Referrer]),
        (Scheduled, Completed, &[Referrer, Provider]),
        (Scheduled, NoShow, &[Referrer, Provider]),
        (Scheduled, Cancelled, &[Referrer]),
        (Completed, Closed, &[Referrer]),
        (Declined, Closed, &[Referrer]),
        (NoShow, Closed, &[Referrer]),
    ];

    #[test]
    fn every_step_is_allowed_or_refused_exactly_as_the_table_says() {
        let mut checked = 0;
        for &from in ReferralStatus::VARIANTS {
            for &to in ReferralStatus::VARIANTS {
                for &party in ReferralParty::VARIANTS {
                    let allowed = ALLOWED.iter().find(|(f, t, _)| *f == from && *t == to);
                    let got = from.step(to, party);
                    match allowed {
                        _ if from == to => assert_eq!(got, Err(StepError::Unchanged)),
                        None => assert_eq!(got, Err(StepError::NotAllowed { from, to })),
                        Some((_, _, parties)) if parties.contains(&party) => {
                            assert_eq!(got, Ok(to), "{from} → {to} by {party}");
                        }
                        Some(_) => assert_eq!(
                            got,
                            Err(StepError::NotYours { party: Referrer }),
                            "{from} → {to} by {party}"
                        ),
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 9 * 9 * 2);
    }

    #[test]
    fn a_provider_never_sends_cancels_or_closes() {
        for &from in ReferralStatus::VARIANTS {
            for to in [Sent, Cancelled, Closed] {
                assert!(from.step(to, Provider).is_err(), "{from} → {to}");
            }
        }
    }

    #[test]
    fn closed_and_cancelled_are_final_and_the_only_shut_loops() {
        assert!(Closed.steps().is_empty() && Cancelled.steps().is_empty());
        let open: Vec<_> = ReferralStatus::VARIANTS
            .iter()
            .filter(|s| s.is_open())
            .collect();
        assert_eq!(open.len(), 7);
    }

    #[test]
    fn declining_and_cancelling_need_a_reason_scheduling_a_time_completing_an_outcome() {
        assert_eq!(ReferralStatus::needs(Declined), Needs::Reason);
        assert_eq!(ReferralStatus::needs(Cancelled), Needs::Reason);
        assert_eq!(ReferralStatus::needs(Scheduled), Needs::AppointmentTime);
        assert_eq!(ReferralStatus::needs(Completed), Needs::Outcome);
        assert_eq!(ReferralStatus::needs(Closed), Needs::Nothing);
    }

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    #[test]
    fn a_sent_referral_is_overdue_after_two_business_days_without_an_answer() {
        let tz = chrono_tz::America::Los_Angeles;
        // Sent Thursday 2026-11-26 10:00 local; Friday the 27th is a holiday:
        // the answer is due by Tuesday 12/1.
        let sent = at(2026, 11, 26, 18);
        let holidays = [NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()];
        let tuesday_evening = at(2026, 12, 2, 6);
        assert_eq!(
            overdue(Sent, Some(sent), None, tuesday_evening, &tz, &holidays),
            None
        );
        let wednesday = at(2026, 12, 2, 18);
        let late = overdue(Sent, Some(sent), None, wednesday, &tz, &holidays).unwrap();
        assert_eq!(
            late.describe(),
            "no response from the provider in 2 business days (due by 2026-12-01)"
        );
        assert_eq!(
            overdue(Accepted, Some(sent), None, wednesday, &tz, &holidays),
            None,
            "an answered referral is not waiting"
        );
    }

    #[test]
    fn an_open_referral_past_its_due_date_is_overdue_and_a_shut_one_never_is() {
        let tz = chrono_tz::UTC;
        let due = NaiveDate::from_ymd_opt(2026, 11, 20);
        let now = at(2026, 11, 21, 12);
        for status in [Accepted, Scheduled, Completed, Declined, NoShow] {
            assert_eq!(
                overdue(status, None, due, now, &tz, &[]),
                Some(Overdue::PastDue {
                    due_on: due.unwrap()
                })
            );
        }
        for status in [Draft, Closed, Cancelled] {
            assert_eq!(overdue(status, None, due, now, &tz, &[]), None);
        }
        assert_eq!(
            overdue(Scheduled, None, due, at(2026, 11, 20, 23), &tz, &[]),
            None
        );
    }
}
