//! The pure parts of the care-plan screen: a plan as the form holds it
//! (text as typed, each item keeping its `id` and the links the form does
//! not show), read back into the `CarePlanWrite` the API takes with every
//! unreadable input named as the API would name it (`goals[1].target_date`);
//! the words for the plan's codes; and the rebase that keeps what someone
//! typed when another person saved the plan first.

use chrono::NaiveDate;
use shared::care_plan::{
    CarePlanContent, CarePlanWrite, ChangeKind, Comparator, Goal, GoalStatus, Intervention,
    InterventionStatus, Measure, Need, NeedDomain, NeedStatus, Participant, Party, PartyKind,
    PlanSection, ReviewCompletion,
};
use shared::ids::UserId;
use shared::problem::FieldError;
use shared::screening::Instrument;
use shared::validation::blank_to_none;
use uuid::Uuid;

/// A need status in words.
pub fn need_status_label(s: NeedStatus) -> &'static str {
    match s {
        NeedStatus::Active => "Active",
        NeedStatus::Resolved => "Resolved",
    }
}

/// A goal status in words.
pub fn goal_status_label(s: GoalStatus) -> &'static str {
    match s {
        GoalStatus::Proposed => "Proposed",
        GoalStatus::InProgress => "In progress",
        GoalStatus::Achieved => "Achieved",
        GoalStatus::NotAchieved => "Not achieved",
        GoalStatus::Cancelled => "Cancelled",
    }
}

/// An intervention status in words.
pub fn intervention_status_label(s: InterventionStatus) -> &'static str {
    match s {
        InterventionStatus::Planned => "Planned",
        InterventionStatus::InProgress => "In progress",
        InterventionStatus::Done => "Done",
        InterventionStatus::Cancelled => "Cancelled",
    }
}

/// Who someone is to the plan, in words.
pub fn party_label(k: PartyKind) -> &'static str {
    match k {
        PartyKind::CareTeamMember => "Care team member",
        PartyKind::Patient => "Patient",
        PartyKind::Contact => "Family member or other contact",
    }
}

/// A comparator in words, with its sign: `below (<)`.
pub fn comparator_label(c: Comparator) -> String {
    let words = match c {
        Comparator::Lt => "below",
        Comparator::Le => "at most",
        Comparator::Gt => "above",
        Comparator::Ge => "at least",
    };
    format!("{words} ({})", c.sign())
}

/// A part of the plan in words.
pub fn section_label(s: PlanSection) -> &'static str {
    match s {
        PlanSection::Needs => "Needs",
        PlanSection::Goals => "Goals",
        PlanSection::Interventions => "Interventions",
        PlanSection::Participants => "Participants",
        PlanSection::Review => "Review",
    }
}

/// A kind of change in words.
pub fn change_label(c: ChangeKind) -> &'static str {
    match c {
        ChangeKind::Added => "Added",
        ChangeKind::Removed => "Removed",
        ChangeKind::Changed => "Changed",
    }
}

/// The instruments a goal can be measured with (those with a total).
pub fn measurable_instruments() -> Vec<Instrument> {
    use strum::VariantArray;
    Instrument::VARIANTS
        .iter()
        .copied()
        .filter(|i| i.total_range().is_some())
        .collect()
}

fn day_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// A need as the form holds it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NeedInput {
    /// Kept across versions.
    pub id: Option<Uuid>,
    /// The screening that found it (kept).
    pub screening_id: Option<Uuid>,
    /// The domain chosen (a wire value; empty: none yet).
    pub domain: String,
    /// In words.
    pub description: String,
    /// The status (a wire value).
    pub status: String,
}

impl NeedInput {
    /// A new, empty need.
    pub fn blank() -> Self {
        NeedInput {
            status: NeedStatus::Active.as_ref().into(),
            ..Default::default()
        }
    }

    fn of(n: &Need) -> Self {
        NeedInput {
            id: n.id,
            screening_id: n.screening_id,
            domain: n.domain.as_ref().into(),
            description: n.description.clone(),
            status: n.status.as_ref().into(),
        }
    }
}

/// A goal as the form holds it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GoalInput {
    /// Kept across versions.
    pub id: Option<Uuid>,
    /// The need it answers (kept).
    pub need_id: Option<Uuid>,
    /// The goal.
    pub text: String,
    /// `YYYY-MM-DD`.
    pub target_date: String,
    /// The status (a wire value).
    pub status: String,
    /// The measure's instrument (a wire value; empty: no measure).
    pub instrument: String,
    /// The measure's comparator (a wire value).
    pub comparator: String,
    /// The measure's value, as typed.
    pub value: String,
}

impl GoalInput {
    /// A new, empty goal.
    pub fn blank() -> Self {
        GoalInput {
            status: GoalStatus::InProgress.as_ref().into(),
            comparator: Comparator::Lt.as_ref().into(),
            ..Default::default()
        }
    }

    fn of(g: &Goal) -> Self {
        GoalInput {
            id: g.id,
            need_id: g.need_id,
            text: g.text.clone(),
            target_date: day_text(Some(g.target_date)),
            status: g.status.as_ref().into(),
            instrument: g
                .measure
                .map(|m| m.instrument.as_ref().to_string())
                .unwrap_or_default(),
            comparator: g
                .measure
                .map_or(Comparator::Lt, |m| m.comparator)
                .as_ref()
                .into(),
            value: g.measure.map(|m| m.value.to_string()).unwrap_or_default(),
        }
    }
}

/// An intervention as the form holds it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InterventionInput {
    /// Kept across versions.
    pub id: Option<Uuid>,
    /// The goal it serves (kept).
    pub goal_id: Option<Uuid>,
    /// A referral it goes through (kept).
    pub referral_id: Option<Uuid>,
    /// A program it goes through (kept).
    pub program_id: Option<Uuid>,
    /// What will be done.
    pub description: String,
    /// Who does it (a wire value).
    pub kind: String,
    /// The user, for a care-team member who is one (kept).
    pub user_id: Option<UserId>,
    /// The contact, for a contact (kept).
    pub contact_id: Option<Uuid>,
    /// Their name.
    pub name: String,
    /// How often.
    pub frequency: String,
    /// `YYYY-MM-DD` or empty.
    pub due_on: String,
    /// The status (a wire value).
    pub status: String,
}

impl InterventionInput {
    /// A new, empty intervention.
    pub fn blank() -> Self {
        InterventionInput {
            kind: PartyKind::CareTeamMember.as_ref().into(),
            status: InterventionStatus::Planned.as_ref().into(),
            ..Default::default()
        }
    }

    fn of(i: &Intervention) -> Self {
        InterventionInput {
            id: i.id,
            goal_id: i.goal_id,
            referral_id: i.referral_id,
            program_id: i.program_id,
            description: i.description.clone(),
            kind: i.responsible.kind.as_ref().into(),
            user_id: i.responsible.user_id,
            contact_id: i.responsible.contact_id,
            name: i.responsible.name.clone().unwrap_or_default(),
            frequency: i.frequency.clone().unwrap_or_default(),
            due_on: day_text(i.due_on),
            status: i.status.as_ref().into(),
        }
    }
}

/// A participant as the form holds it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParticipantInput {
    /// The contact, when it is one (kept).
    pub contact_id: Option<Uuid>,
    /// Who they are (a wire value).
    pub kind: String,
    /// Their name.
    pub name: String,
    /// Whether they agreed.
    pub agreed: bool,
    /// `YYYY-MM-DD` or empty.
    pub agreed_on: String,
}

impl ParticipantInput {
    /// A new participant: the patient, not yet agreed.
    pub fn blank() -> Self {
        ParticipantInput {
            kind: PartyKind::Patient.as_ref().into(),
            ..Default::default()
        }
    }

    fn of(p: &Participant) -> Self {
        ParticipantInput {
            contact_id: p.contact_id,
            kind: p.kind.as_ref().into(),
            name: p.name.clone(),
            agreed: p.agreed,
            agreed_on: day_text(p.agreed_on),
        }
    }
}

/// A whole plan as the form holds it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlanDraft {
    /// Needs and problems.
    pub needs: Vec<NeedInput>,
    /// Goals.
    pub goals: Vec<GoalInput>,
    /// Interventions.
    pub interventions: Vec<InterventionInput>,
    /// Participants.
    pub participants: Vec<ParticipantInput>,
    /// When the next review is due, `YYYY-MM-DD`.
    pub review_due_on: String,
    /// Whether this save completes the review that is due.
    pub complete_review: bool,
    /// The completed review's outcome.
    pub review_outcome: String,
    /// The next review's due date after completing one (empty: 90 days).
    pub next_due_on: String,
}

impl PlanDraft {
    /// A plan as it is saved.
    pub fn of(c: &CarePlanContent) -> Self {
        PlanDraft {
            needs: c.needs.iter().map(NeedInput::of).collect(),
            goals: c.goals.iter().map(GoalInput::of).collect(),
            interventions: c.interventions.iter().map(InterventionInput::of).collect(),
            participants: c.participants.iter().map(ParticipantInput::of).collect(),
            review_due_on: day_text(Some(c.review_due_on)),
            ..Default::default()
        }
    }

    /// A new plan, its first review due 90 days from `today`.
    pub fn new_plan(today: NaiveDate) -> Self {
        PlanDraft {
            participants: vec![ParticipantInput::blank()],
            ..PlanDraft::of(&CarePlanContent::empty(today))
        }
    }

    /// The write this draft makes, based on `version` (none: a new plan)
    /// whose review is due `current_due` (the due date is sent only when
    /// it moved), or every input that cannot be read.
    pub fn write(
        &self,
        version: Option<i32>,
        current_due: Option<NaiveDate>,
    ) -> Result<CarePlanWrite, Vec<FieldError>> {
        let mut r = Reader::default();
        let needs: Vec<Need> = self
            .needs
            .iter()
            .enumerate()
            .filter_map(|(i, n)| r.need(i, n))
            .collect();
        let goals: Vec<Goal> = self
            .goals
            .iter()
            .enumerate()
            .filter_map(|(i, g)| r.goal(i, g))
            .collect();
        let interventions: Vec<Intervention> = self
            .interventions
            .iter()
            .enumerate()
            .filter_map(|(i, x)| r.intervention(i, x))
            .collect();
        let participants: Vec<Participant> = self
            .participants
            .iter()
            .enumerate()
            .filter_map(|(i, p)| r.participant(i, p))
            .collect();
        let due = r.day("review_due_on", &self.review_due_on, false);
        let review = if self.complete_review {
            if self.review_outcome.trim().is_empty() {
                r.fail("review.outcome", "is required to complete the review");
            }
            Some(ReviewCompletion {
                outcome: self.review_outcome.clone(),
                next_due_on: r.day("review.next_due_on", &self.next_due_on, false),
            })
        } else {
            None
        };
        if !r.errors.is_empty() {
            return Err(r.errors);
        }
        // Links to items no longer in the plan are dropped with them.
        let need_ids: Vec<Uuid> = needs.iter().filter_map(|n| n.id).collect();
        let goal_ids: Vec<Uuid> = goals.iter().filter_map(|g| g.id).collect();
        let goals = goals
            .into_iter()
            .map(|g| Goal {
                need_id: g.need_id.filter(|n| need_ids.contains(n)),
                ..g
            })
            .collect();
        let interventions = interventions
            .into_iter()
            .map(|i| Intervention {
                goal_id: i.goal_id.filter(|g| goal_ids.contains(g)),
                ..i
            })
            .collect();
        Ok(CarePlanWrite {
            needs,
            goals,
            interventions,
            participants,
            review_due_on: due.filter(|d| Some(*d) != current_due),
            review,
            version,
        })
    }
}

/// Reads inputs, collecting an error for each one it cannot read.
#[derive(Default)]
struct Reader {
    errors: Vec<FieldError>,
}

impl Reader {
    fn fail(&mut self, field: impl Into<String>, message: &str) {
        self.errors.push(FieldError::new(field.into(), message));
    }

    fn code<T: std::str::FromStr>(&mut self, field: String, text: &str) -> Option<T> {
        let v = text.parse().ok();
        if v.is_none() {
            self.fail(field, "must be chosen");
        }
        v
    }

    fn day(&mut self, field: impl Into<String>, text: &str, required: bool) -> Option<NaiveDate> {
        let field = field.into();
        match text.trim() {
            "" => {
                if required {
                    self.fail(field, "is required");
                }
                None
            }
            t => {
                let d = t.parse().ok();
                if d.is_none() {
                    self.fail(field, "is not a date");
                }
                d
            }
        }
    }

    fn need(&mut self, i: usize, n: &NeedInput) -> Option<Need> {
        let domain = self.code::<NeedDomain>(format!("needs[{i}].domain"), &n.domain);
        let status = self.code::<NeedStatus>(format!("needs[{i}].status"), &n.status);
        if n.description.trim().is_empty() {
            self.fail(format!("needs[{i}].description"), "is required");
        }
        Some(Need {
            id: n.id,
            domain: domain?,
            description: n.description.clone(),
            status: status?,
            screening_id: n.screening_id,
        })
    }

    fn goal(&mut self, i: usize, g: &GoalInput) -> Option<Goal> {
        if g.text.trim().is_empty() {
            self.fail(format!("goals[{i}].text"), "is required");
        }
        let target = self.day(format!("goals[{i}].target_date"), &g.target_date, true);
        let status = self.code::<GoalStatus>(format!("goals[{i}].status"), &g.status);
        let measure = if g.instrument.is_empty() {
            None
        } else {
            let instrument =
                self.code::<Instrument>(format!("goals[{i}].measure.instrument"), &g.instrument);
            let comparator =
                self.code::<Comparator>(format!("goals[{i}].measure.comparator"), &g.comparator);
            let value = g.value.trim().parse::<i32>().ok();
            if value.is_none() {
                self.fail(
                    format!("goals[{i}].measure.value"),
                    "must be a whole number",
                );
            }
            Some(Measure {
                instrument: instrument?,
                comparator: comparator?,
                value: value?,
            })
        };
        Some(Goal {
            id: g.id,
            need_id: g.need_id,
            text: g.text.clone(),
            target_date: target?,
            status: status?,
            measure,
        })
    }

    fn intervention(&mut self, i: usize, x: &InterventionInput) -> Option<Intervention> {
        if x.description.trim().is_empty() {
            self.fail(format!("interventions[{i}].description"), "is required");
        }
        let kind = self.code::<PartyKind>(format!("interventions[{i}].responsible.kind"), &x.kind);
        if kind == Some(PartyKind::CareTeamMember)
            && x.user_id.is_none()
            && x.name.trim().is_empty()
        {
            self.fail(
                format!("interventions[{i}].responsible.name"),
                "is required for a care team member",
            );
        }
        let due = self.day(format!("interventions[{i}].due_on"), &x.due_on, false);
        let status =
            self.code::<InterventionStatus>(format!("interventions[{i}].status"), &x.status);
        let kind = kind?;
        Some(Intervention {
            id: x.id,
            goal_id: x.goal_id,
            description: x.description.clone(),
            responsible: Party {
                kind,
                user_id: x.user_id.filter(|_| kind == PartyKind::CareTeamMember),
                contact_id: x.contact_id.filter(|_| kind == PartyKind::Contact),
                name: blank_to_none(&x.name),
            },
            frequency: blank_to_none(&x.frequency),
            due_on: due,
            status: status?,
            referral_id: x.referral_id,
            program_id: x.program_id,
        })
    }

    fn participant(&mut self, i: usize, p: &ParticipantInput) -> Option<Participant> {
        let kind = self.code::<PartyKind>(format!("participants[{i}].kind"), &p.kind);
        if p.name.trim().is_empty() {
            self.fail(format!("participants[{i}].name"), "is required");
        }
        let agreed_on = self.day(
            format!("participants[{i}].agreed_on"),
            &p.agreed_on,
            p.agreed,
        );
        let kind = kind?;
        Some(Participant {
            kind,
            contact_id: p.contact_id.filter(|_| kind == PartyKind::Contact),
            name: p.name.clone(),
            agreed: p.agreed,
            agreed_on,
        })
    }
}

/// An error's field in words: `goals[1].target_date` → `Goal 2: target date`.
pub fn field_words(field: &str) -> String {
    let (head, rest) = field.split_once('.').unwrap_or((field, ""));
    let item = head.split_once('[').and_then(|(list, index)| {
        let n: usize = index.trim_end_matches(']').parse().ok()?;
        let noun = match list {
            "needs" => "Need",
            "goals" => "Goal",
            "interventions" => "Intervention",
            "participants" => "Participant",
            _ => return None,
        };
        Some(format!("{noun} {}", n + 1))
    });
    let words = |s: &str| {
        s.replace("responsible.", "")
            .replace("measure.", "measure ")
            .replace(['_', '.'], " ")
    };
    match (item, rest) {
        (Some(item), "") => item,
        (Some(item), rest) => format!("{item}: {}", words(rest)),
        (None, _) => match field {
            "needs" => "Needs".into(),
            "goals" => "Goals".into(),
            "interventions" => "Interventions".into(),
            "participants" => "Participants".into(),
            "review_due_on" => "Next review due".into(),
            "review.outcome" => "Review outcome".into(),
            "review.next_due_on" => "Next review after this one".into(),
            other => crate::format::words(&words(other)),
        },
    }
}

/// Keeps `mine` where it differs from `base`, else takes `theirs`, for
/// the items of one list matched by `key`: items I removed go, items I
/// changed replace theirs, items I added are appended; everything else is
/// as the latest version has it.
fn rebase_items<T: Clone + PartialEq, K: PartialEq>(
    base: &[T],
    mine: &[T],
    theirs: &[T],
    key: impl Fn(&T) -> Option<K>,
) -> Vec<T> {
    let find = |list: &[T], k: &K| list.iter().position(|x| key(x).as_ref() == Some(k));
    let mut out: Vec<T> = theirs
        .iter()
        .filter(|t| match key(t) {
            // Gone from mine but in the base: I removed it.
            Some(k) => find(mine, &k).is_some() || find(base, &k).is_none(),
            None => true,
        })
        .cloned()
        .collect();
    for m in mine {
        match key(m) {
            None => out.push(m.clone()),
            Some(k) => {
                let changed = find(base, &k).is_none_or(|b| base[b] != *m);
                if !changed {
                    continue;
                }
                match find(&out, &k) {
                    Some(at) => out[at] = m.clone(),
                    // Removed by them: what I typed is kept.
                    None => out.push(m.clone()),
                }
            }
        }
    }
    out
}

fn name_key(name: &str) -> Option<String> {
    let k = name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    (!k.is_empty()).then_some(k)
}

/// What I typed (`mine`, an edit of `base`) on top of the version someone
/// else saved meanwhile (`latest`): my changes win item by item, theirs
/// stay everywhere I changed nothing.
pub fn rebase(base: &PlanDraft, mine: &PlanDraft, latest: &PlanDraft) -> PlanDraft {
    PlanDraft {
        needs: rebase_items(&base.needs, &mine.needs, &latest.needs, |n| n.id),
        goals: rebase_items(&base.goals, &mine.goals, &latest.goals, |g| g.id),
        interventions: rebase_items(
            &base.interventions,
            &mine.interventions,
            &latest.interventions,
            |i| i.id,
        ),
        participants: rebase_items(
            &base.participants,
            &mine.participants,
            &latest.participants,
            |p| name_key(&p.name),
        ),
        review_due_on: if mine.review_due_on == base.review_due_on {
            latest.review_due_on.clone()
        } else {
            mine.review_due_on.clone()
        },
        complete_review: mine.complete_review,
        review_outcome: mine.review_outcome.clone(),
        next_due_on: mine.next_due_on.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn content() -> CarePlanContent {
        CarePlanContent {
            needs: vec![Need {
                id: Some(id(1)),
                domain: NeedDomain::Housing,
                description: "Behind on rent".into(),
                status: NeedStatus::Active,
                screening_id: Some(id(9)),
            }],
            goals: vec![Goal {
                id: Some(id(2)),
                need_id: Some(id(1)),
                text: "PHQ-9 below 5".into(),
                target_date: day(12, 31),
                status: GoalStatus::InProgress,
                measure: Some(Measure {
                    instrument: Instrument::Phq9,
                    comparator: Comparator::Lt,
                    value: 5,
                }),
            }],
            interventions: vec![Intervention {
                id: Some(id(3)),
                goal_id: Some(id(2)),
                description: "Weekly call".into(),
                responsible: Party {
                    kind: PartyKind::CareTeamMember,
                    user_id: None,
                    contact_id: None,
                    name: Some("Care manager".into()),
                },
                frequency: Some("weekly".into()),
                due_on: None,
                status: InterventionStatus::Planned,
                referral_id: None,
                program_id: Some(id(7)),
            }],
            participants: vec![Participant {
                kind: PartyKind::Patient,
                contact_id: None,
                name: "Maria Lopez".into(),
                agreed: true,
                agreed_on: Some(day(3, 1)),
            }],
            review_due_on: day(6, 1),
            last_review: None,
        }
    }

    #[test]
    fn a_plan_read_into_the_form_and_back_is_the_same_plan_with_its_ids() {
        let c = content();
        let w = PlanDraft::of(&c)
            .write(Some(3), Some(c.review_due_on))
            .unwrap();
        assert_eq!(w.needs, c.needs);
        assert_eq!(w.goals, c.goals);
        assert_eq!(w.interventions, c.interventions);
        assert_eq!(w.participants, c.participants);
        assert_eq!(w.version, Some(3));
        assert_eq!(w.review_due_on, None, "an unmoved due date is not sent");
        assert_eq!(w.review, None);
    }

    #[test]
    fn a_moved_due_date_and_a_completed_review_are_sent() {
        let c = content();
        let mut d = PlanDraft::of(&c);
        d.review_due_on = "2026-07-01".into();
        d.complete_review = true;
        d.review_outcome = "Goals still fit".into();
        let w = d.write(Some(1), Some(c.review_due_on)).unwrap();
        assert_eq!(w.review_due_on, Some(day(7, 1)));
        assert_eq!(
            w.review,
            Some(ReviewCompletion {
                outcome: "Goals still fit".into(),
                next_due_on: None
            })
        );
    }

    #[test]
    fn a_new_plan_has_the_patient_as_participant_and_a_review_in_ninety_days() {
        let d = PlanDraft::new_plan(day(3, 1));
        assert_eq!(d.review_due_on, "2026-05-30");
        assert_eq!(d.participants.len(), 1);
        assert_eq!(d.participants[0].kind, "patient");
        let mut d = d;
        d.participants[0].name = "Maria Lopez".into();
        d.goals.push(GoalInput {
            text: "Walk daily".into(),
            target_date: "2026-09-01".into(),
            ..GoalInput::blank()
        });
        let w = d.write(None, None).unwrap();
        assert_eq!(w.version, None);
        assert_eq!(w.review_due_on, Some(day(5, 30)));
        assert_eq!(w.goals[0].measure, None);
        assert_eq!(w.goals[0].status, GoalStatus::InProgress);
    }

    #[test]
    fn every_unreadable_input_is_named_as_the_api_names_it() {
        let mut d = PlanDraft::of(&content());
        d.needs.push(NeedInput::blank());
        d.goals[0].target_date = String::new();
        d.goals[0].value = "five".into();
        d.interventions[0].name = " ".into();
        d.participants[0].agreed_on = String::new();
        d.complete_review = true;
        let fields: Vec<String> = d
            .write(Some(1), None)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            vec![
                "needs[1].domain",
                "needs[1].description",
                "goals[0].target_date",
                "goals[0].measure.value",
                "interventions[0].responsible.name",
                "participants[0].agreed_on",
                "review.outcome",
            ]
        );
    }

    #[test]
    fn links_to_removed_items_are_dropped_and_kept_links_stay() {
        let mut d = PlanDraft::of(&content());
        d.needs.clear();
        let w = d.write(Some(1), None).unwrap();
        assert_eq!(w.goals[0].need_id, None);
        assert_eq!(w.interventions[0].goal_id, Some(id(2)));
        assert_eq!(w.interventions[0].program_id, Some(id(7)));
        assert_eq!(w.needs.len(), 0);
    }

    #[test]
    fn a_responsible_person_keeps_only_the_link_of_their_kind() {
        let mut d = PlanDraft::of(&content());
        d.interventions[0].user_id = Some(UserId::from(id(5)));
        d.interventions[0].kind = "patient".into();
        let w = d.write(Some(1), None).unwrap();
        assert_eq!(w.interventions[0].responsible.user_id, None);
        assert_eq!(w.interventions[0].responsible.kind, PartyKind::Patient);
    }

    #[test]
    fn fields_read_as_words() {
        assert_eq!(field_words("goals[1].target_date"), "Goal 2: target date");
        assert_eq!(
            field_words("goals[0].measure.value"),
            "Goal 1: measure value"
        );
        assert_eq!(
            field_words("interventions[2].responsible.name"),
            "Intervention 3: name"
        );
        assert_eq!(field_words("needs[0]"), "Need 1");
        assert_eq!(field_words("participants"), "Participants");
        assert_eq!(
            field_words("review.next_due_on"),
            "Next review after this one"
        );
        assert_eq!(field_words("version"), "Version");
    }

    #[test]
    fn a_rebase_keeps_my_changes_and_theirs_item_by_item() {
        let base = PlanDraft::of(&content());
        // I change the goal, remove the intervention and add a need.
        let mut mine = base.clone();
        mine.goals[0].text = "PHQ-9 below 5 by June".into();
        mine.interventions.clear();
        mine.needs.push(NeedInput {
            domain: "food".into(),
            description: "Food runs out".into(),
            ..NeedInput::blank()
        });
        // They resolve the need, change the intervention and move the review.
        let mut latest = base.clone();
        latest.needs[0].status = "resolved".into();
        latest.interventions[0].frequency = "daily".into();
        latest.review_due_on = "2026-06-15".into();
        latest.participants.push(ParticipantInput {
            name: "Rosa Lopez".into(),
            kind: "contact".into(),
            ..ParticipantInput::blank()
        });

        let merged = rebase(&base, &mine, &latest);
        assert_eq!(merged.needs.len(), 2);
        assert_eq!(
            merged.needs[0].status, "resolved",
            "theirs, untouched by me"
        );
        assert_eq!(merged.needs[1].description, "Food runs out", "mine, added");
        assert_eq!(merged.goals[0].text, "PHQ-9 below 5 by June", "mine wins");
        assert!(merged.interventions.is_empty(), "I removed it");
        assert_eq!(merged.review_due_on, "2026-06-15");
        assert_eq!(merged.participants.len(), 2);
    }

    #[test]
    fn an_item_they_removed_stays_when_i_changed_it_and_goes_when_i_did_not() {
        let base = PlanDraft::of(&content());
        let mut latest = base.clone();
        latest.goals.clear();
        latest.needs.clear();
        let mut mine = base.clone();
        mine.goals[0].status = "achieved".into();
        let merged = rebase(&base, &mine, &latest);
        assert_eq!(merged.goals.len(), 1);
        assert!(merged.needs.is_empty());
    }

    #[test]
    fn every_code_has_words() {
        use strum::VariantArray;
        for s in GoalStatus::VARIANTS {
            assert!(!goal_status_label(*s).is_empty());
        }
        for s in InterventionStatus::VARIANTS {
            assert!(!intervention_status_label(*s).is_empty());
        }
        assert_eq!(comparator_label(Comparator::Lt), "below (<)");
        assert!(!measurable_instruments().contains(&Instrument::Cssrs));
        assert!(measurable_instruments().contains(&Instrument::Phq9));
    }
}
