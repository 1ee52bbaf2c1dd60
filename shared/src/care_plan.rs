//! Care plans \[FHIR `CarePlan`, `Goal`\] (DESIGN §2): one active plan per
//! patient, versioned — every change keeps the previous version readable —
//! with needs, goals (an optional measure such as "PHQ-9 < 5", evaluated
//! against the latest screening), interventions, the participants'
//! agreement, and a review due every 90 days by default.
//!
//! [`diff`] says what changed between two versions, item by item.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::ids::{PatientId, UserId};
use crate::screening::{Instrument, SocialDomain};
use crate::validation::{Context, Normalize};

/// Days from a plan's start, or its last review, to its next review.
pub const REVIEW_INTERVAL_DAYS: i64 = 90;
/// How many days ahead of a review's due date its task is opened.
pub const REVIEW_LEAD_DAYS: i64 = 14;

code_enum! {
    /// What a need or problem is about.
    pub enum NeedDomain {
        /// Physical health.
        Physical,
        /// Behavioral (mental) health.
        Behavioral,
        /// Substance use.
        SubstanceUse,
        /// Housing.
        Housing,
        /// Food.
        Food,
        /// Transportation.
        Transportation,
        /// Utilities.
        Utilities,
        /// Interpersonal safety.
        Safety,
        /// Income and benefits.
        Income,
        /// Legal.
        Legal,
        /// Employment.
        Employment,
        /// Education.
        Education,
        /// Social connection.
        SocialConnection,
        /// Anything else.
        Other,
    }
}

impl NeedDomain {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            NeedDomain::Physical => "Physical health",
            NeedDomain::Behavioral => "Behavioral health",
            NeedDomain::SubstanceUse => "Substance use",
            NeedDomain::Housing => "Housing",
            NeedDomain::Food => "Food",
            NeedDomain::Transportation => "Transportation",
            NeedDomain::Utilities => "Utilities",
            NeedDomain::Safety => "Interpersonal safety",
            NeedDomain::Income => "Income",
            NeedDomain::Legal => "Legal",
            NeedDomain::Employment => "Employment",
            NeedDomain::Education => "Education",
            NeedDomain::SocialConnection => "Social connection",
            NeedDomain::Other => "Other",
        }
    }

    /// Whether it is a social need (everything but physical, behavioral
    /// and substance use).
    pub fn is_social(self) -> bool {
        !matches!(
            self,
            NeedDomain::Physical | NeedDomain::Behavioral | NeedDomain::SubstanceUse
        )
    }
}

impl From<SocialDomain> for NeedDomain {
    fn from(d: SocialDomain) -> NeedDomain {
        match d {
            SocialDomain::Housing => NeedDomain::Housing,
            SocialDomain::Food => NeedDomain::Food,
            SocialDomain::Transportation => NeedDomain::Transportation,
            SocialDomain::Utilities => NeedDomain::Utilities,
            SocialDomain::Safety => NeedDomain::Safety,
        }
    }
}

code_enum! {
    /// Whether a need is still open.
    #[derive(Default)]
    pub enum NeedStatus {
        /// Being worked on (an unmet need).
        #[default]
        Active,
        /// Met or no longer relevant.
        Resolved,
    }
}

code_enum! {
    /// Where a goal stands.
    #[derive(Default)]
    pub enum GoalStatus {
        /// Proposed, not yet agreed.
        Proposed,
        /// Agreed and being worked on.
        #[default]
        InProgress,
        /// Reached.
        Achieved,
        /// Not reached by its target date.
        NotAchieved,
        /// Dropped.
        Cancelled,
    }
}

code_enum! {
    /// Where an intervention stands.
    #[derive(Default)]
    pub enum InterventionStatus {
        /// Planned.
        #[default]
        Planned,
        /// Under way.
        InProgress,
        /// Done.
        Done,
        /// Dropped.
        Cancelled,
    }
}

code_enum! {
    /// A comparison in a goal's measure.
    pub enum Comparator {
        /// Below.
        Lt,
        /// At most.
        Le,
        /// Above.
        Gt,
        /// At least.
        Ge,
    }
}

impl Comparator {
    /// The sign ("<").
    pub fn sign(self) -> &'static str {
        match self {
            Comparator::Lt => "<",
            Comparator::Le => "≤",
            Comparator::Gt => ">",
            Comparator::Ge => "≥",
        }
    }

    /// Whether `value` satisfies it against `target`.
    pub fn holds(self, value: i32, target: i32) -> bool {
        match self {
            Comparator::Lt => value < target,
            Comparator::Le => value <= target,
            Comparator::Gt => value > target,
            Comparator::Ge => value >= target,
        }
    }
}

code_enum! {
    /// Who carries out an intervention, or takes part in the plan.
    pub enum PartyKind {
        /// A member of the care team (a user, or an external provider by name).
        CareTeamMember,
        /// The patient.
        Patient,
        /// A family member or other contact.
        Contact,
    }
}

/// A need or problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Need {
    /// Stable across versions; leave out for a new need (the server assigns one).
    #[serde(default)]
    pub id: Option<Uuid>,
    /// What it is about.
    pub domain: NeedDomain,
    /// In words.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 500, message = "must be at most 500 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 500, pattern = r"\S")
    )]
    pub description: String,
    /// Active (unmet) or resolved.
    #[serde(default)]
    pub status: NeedStatus,
    /// The screening that found it (AHC HRSN), if one did.
    #[serde(default)]
    pub screening_id: Option<Uuid>,
}

/// A measurable target: the latest score of an instrument compared with a value ("PHQ-9 < 5").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Measure {
    /// The instrument whose total is compared (one with a total).
    pub instrument: Instrument,
    /// How.
    pub comparator: Comparator,
    /// With what.
    #[validate(range(min = 0, max = 100, message = "must be from 0 to 100"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100))]
    pub value: i32,
}

impl Measure {
    /// "PHQ-9 < 5".
    pub fn text(&self) -> String {
        format!(
            "{} {} {}",
            self.instrument.label(),
            self.comparator.sign(),
            self.value
        )
    }
}

/// A goal, SMART-written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Goal {
    /// Stable across versions; leave out for a new goal.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The need it answers, if any (an id in `needs`).
    #[serde(default)]
    pub need_id: Option<Uuid>,
    /// Specific, measurable, achievable, relevant, time-bound.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 1000, message = "must be at most 1000 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 1000, pattern = r"\S")
    )]
    pub text: String,
    /// When it should be reached.
    pub target_date: NaiveDate,
    /// Where it stands.
    #[serde(default)]
    pub status: GoalStatus,
    /// A measurable target, evaluated against the latest screening.
    #[serde(default)]
    #[validate(nested)]
    pub measure: Option<Measure>,
}

/// Who is responsible for an intervention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Party {
    /// A care-team member, the patient or a contact.
    pub kind: PartyKind,
    /// The user, for a care-team member who is one.
    #[serde(default)]
    pub user_id: Option<UserId>,
    /// The contact, for a family member or other contact.
    #[serde(default)]
    pub contact_id: Option<Uuid>,
    /// A name to show (an external provider, say).
    #[serde(default)]
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub name: Option<String>,
}

/// Something someone will do toward a goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Intervention {
    /// Stable across versions; leave out for a new intervention.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The goal it serves, if any (an id in `goals`).
    #[serde(default)]
    pub goal_id: Option<Uuid>,
    /// What will be done.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 1000, message = "must be at most 1000 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 1000, pattern = r"\S")
    )]
    pub description: String,
    /// Who does it.
    #[validate(nested)]
    pub responsible: Party,
    /// How often ("weekly").
    #[serde(default)]
    #[validate(length(max = 100, message = "must be at most 100 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub frequency: Option<String>,
    /// When it is due.
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
    /// Where it stands.
    #[serde(default)]
    pub status: InterventionStatus,
    /// A referral it is carried out through (once referrals exist).
    #[serde(default)]
    pub referral_id: Option<Uuid>,
    /// A community program it is carried out through (once programs exist).
    #[serde(default)]
    pub program_id: Option<Uuid>,
}

/// Someone who took part in making the plan, and whether they agreed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Participant {
    /// The patient or a contact.
    pub kind: PartyKind,
    /// The contact, when it is one.
    #[serde(default)]
    pub contact_id: Option<Uuid>,
    /// Their name.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub name: String,
    /// Whether they agreed to the plan.
    pub agreed: bool,
    /// When they agreed (required when `agreed`).
    #[serde(default)]
    pub agreed_on: Option<NaiveDate>,
}

/// A completed review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Review {
    /// When (organization's calendar).
    pub reviewed_on: NaiveDate,
    /// What it concluded.
    pub outcome: String,
    /// Who.
    pub by: Option<UserId>,
}

/// What a version of a plan holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CarePlanContent {
    /// Needs and problems.
    pub needs: Vec<Need>,
    /// Goals.
    pub goals: Vec<Goal>,
    /// Interventions.
    pub interventions: Vec<Intervention>,
    /// Participants and their agreement.
    pub participants: Vec<Participant>,
    /// When the next review is due.
    pub review_due_on: NaiveDate,
    /// The latest completed review.
    pub last_review: Option<Review>,
}

impl CarePlanContent {
    /// An empty plan whose first review is due 90 days after `today`.
    pub fn empty(today: NaiveDate) -> CarePlanContent {
        CarePlanContent {
            needs: vec![],
            goals: vec![],
            interventions: vec![],
            participants: vec![],
            review_due_on: today + Duration::days(REVIEW_INTERVAL_DAYS),
            last_review: None,
        }
    }

    /// The active social needs, in words ("Housing: behind on rent").
    pub fn unmet_social_needs(&self) -> Vec<String> {
        self.needs
            .iter()
            .filter(|n| n.status == NeedStatus::Active && n.domain.is_social())
            .map(|n| n.domain.label().to_owned())
            .collect()
    }

    /// Gives every new item an id (`new_id` makes them).
    pub fn assign_ids(&mut self, mut new_id: impl FnMut() -> Uuid) {
        for n in &mut self.needs {
            n.id.get_or_insert_with(&mut new_id);
        }
        for g in &mut self.goals {
            g.id.get_or_insert_with(&mut new_id);
        }
        for i in &mut self.interventions {
            i.id.get_or_insert_with(&mut new_id);
        }
    }

    /// Adds an active need for each social domain a screening found that
    /// the plan has no active need for. Answers how many it added.
    pub fn add_social_needs(
        &mut self,
        found: &[(SocialDomain, String)],
        screening_id: Uuid,
        mut new_id: impl FnMut() -> Uuid,
    ) -> usize {
        let mut added = 0;
        for (domain, reason) in found {
            let domain = NeedDomain::from(*domain);
            let open = self
                .needs
                .iter()
                .any(|n| n.domain == domain && n.status == NeedStatus::Active);
            if !open {
                self.needs.push(Need {
                    id: Some(new_id()),
                    domain,
                    description: format!("{}: {reason}", domain.label()),
                    status: NeedStatus::Active,
                    screening_id: Some(screening_id),
                });
                added += 1;
            }
        }
        added
    }
}

/// A patient's care plan at its current version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CarePlan {
    /// The plan's id (the same for every version).
    pub id: Uuid,
    /// The patient.
    pub patient_id: PatientId,
    /// The version: 1 when created, one more with every change.
    pub version: i32,
    /// What it holds.
    #[serde(flatten)]
    pub content: CarePlanContent,
    /// How each goal with a measure stands against the latest screening.
    pub goal_evaluations: Vec<GoalEvaluation>,
    /// Whether the review is past due.
    pub review_overdue: bool,
    /// Who made this version.
    pub updated_by: Option<UserId>,
    /// When.
    pub updated_at: DateTime<Utc>,
    /// When the plan was created.
    pub created_at: DateTime<Utc>,
}

/// An earlier (or the current) version of a plan, with what changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CarePlanVersion {
    /// The plan.
    pub plan_id: Uuid,
    /// The patient.
    pub patient_id: PatientId,
    /// This version's number.
    pub version: i32,
    /// What it held.
    #[serde(flatten)]
    pub content: CarePlanContent,
    /// The version it is compared with (`compare_to`, by default the one before; none for version 1).
    pub compared_to: Option<i32>,
    /// What changed from `compared_to` to this version.
    pub changes: Vec<PlanChange>,
    /// Who made it.
    pub changed_by: Option<UserId>,
    /// When.
    pub changed_at: DateTime<Utc>,
}

/// The latest score's standing against a goal's measure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalEvaluation {
    /// The goal.
    pub goal_id: Uuid,
    /// The measure as text ("PHQ-9 < 5").
    pub measure: String,
    /// Whether the latest score meets it; `null` without a screening.
    pub met: Option<bool>,
    /// The latest total.
    pub latest_total: Option<i32>,
    /// When that screening was given.
    pub latest_at: Option<DateTime<Utc>>,
    /// In words ("PHQ-9 of 7 on 2026-11-02: not yet below 5").
    pub summary: String,
}

/// Evaluates a goal's measure against the latest total of its instrument.
pub fn evaluate(
    goal_id: Uuid,
    m: &Measure,
    latest: Option<(i32, DateTime<Utc>)>,
) -> GoalEvaluation {
    let (met, summary) = match latest {
        None => (
            None,
            format!("No {} yet to measure against", m.instrument.label()),
        ),
        Some((total, at)) => {
            let met = m.comparator.holds(total, m.value);
            let verdict = if met { "met" } else { "not yet met" };
            (
                Some(met),
                format!(
                    "{} of {total} on {}: {} {verdict}",
                    m.instrument.label(),
                    at.date_naive(),
                    m.text()
                ),
            )
        }
    };
    GoalEvaluation {
        goal_id,
        measure: m.text(),
        met,
        latest_total: latest.map(|l| l.0),
        latest_at: latest.map(|l| l.1),
        summary,
    }
}

/// Completing a review as part of a save.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewCompletion {
    /// What the review concluded.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 2000, message = "must be at most 2000 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 2000, pattern = r"\S")
    )]
    pub outcome: String,
    /// The next review's due date: after today and within a year; by
    /// default 90 days from today.
    #[serde(default)]
    pub next_due_on: Option<NaiveDate>,
}

/// `PUT /api/v1/patients/{id}/care-plan`: the whole plan as it should be
/// (a new version). Items keep their `id`; new ones leave it out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(context = Context, schema(function = "references", use_context))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "needs": [{"domain": "behavioral", "description": "Depression, PHQ-9 of 16"}],
    "goals": [{"text": "PHQ-9 below 5 within 6 months", "target_date": "2027-05-31",
               "measure": {"instrument": "phq9", "comparator": "lt", "value": 5}}],
    "interventions": [{"description": "Weekly check-in call", "frequency": "weekly",
                       "responsible": {"kind": "care_team_member", "name": "Care manager"}}],
    "participants": [{"kind": "patient", "name": "Maria Lopez", "agreed": true, "agreed_on": "2026-11-30"}],
    "version": 3
})))]
pub struct CarePlanWrite {
    /// Needs and problems.
    #[serde(default)]
    #[validate(nested, length(max = 50, message = "must have at most 50 items"))]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub needs: Vec<Need>,
    /// Goals.
    #[serde(default)]
    #[validate(nested, length(max = 50, message = "must have at most 50 items"))]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub goals: Vec<Goal>,
    /// Interventions.
    #[serde(default)]
    #[validate(nested, length(max = 100, message = "must have at most 100 items"))]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub interventions: Vec<Intervention>,
    /// Participants and their agreement.
    #[serde(default)]
    #[validate(nested, length(max = 20, message = "must have at most 20 items"))]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub participants: Vec<Participant>,
    /// Move the next review's due date (left out: unchanged; 90 days from
    /// today for a new plan). Not in the past.
    #[serde(default)]
    #[validate(custom(function = "not_past", use_context))]
    pub review_due_on: Option<NaiveDate>,
    /// Complete the review that is due: records its outcome and sets the
    /// next due date.
    #[serde(default)]
    #[validate(nested)]
    pub review: Option<ReviewCompletion>,
    /// The version you read (or send `If-Match`); left out to create the plan.
    #[serde(default)]
    pub version: Option<i32>,
}

/// Not before the organization's today (a validator rule).
pub fn not_past(on: &NaiveDate, ctx: &Context) -> Result<(), ValidationError> {
    if *on < ctx.today {
        Err(crate::validation::invalid(
            "past",
            "must not be in the past",
        ))
    } else {
        Ok(())
    }
}

/// Goals point at needs in the plan, interventions at goals in it; item
/// ids are unique; an agreement has a date, not in the future; a
/// care-team member is a user or has a name; a completed review's next due
/// date is after today and within a year. The first failure is reported.
fn references(w: &CarePlanWrite, ctx: &Context) -> Result<(), ValidationError> {
    use crate::validation::invalid_at;
    let need_ids: Vec<Uuid> = w.needs.iter().filter_map(|n| n.id).collect();
    let goal_ids: Vec<Uuid> = w.goals.iter().filter_map(|g| g.id).collect();
    let mut all: Vec<Uuid> = need_ids
        .iter()
        .chain(goal_ids.iter())
        .copied()
        .chain(w.interventions.iter().filter_map(|i| i.id))
        .collect();
    all.sort();
    if all.windows(2).any(|w| w[0] == w[1]) {
        return Err(invalid_at(
            "needs",
            "duplicate_id",
            "item ids must be unique in the plan",
        ));
    }
    if w.goals
        .iter()
        .any(|g| g.need_id.is_some_and(|n| !need_ids.contains(&n)))
    {
        return Err(invalid_at(
            "goals",
            "unknown_need",
            "need_id must name a need in this plan",
        ));
    }
    if w.interventions
        .iter()
        .any(|i| i.goal_id.is_some_and(|g| !goal_ids.contains(&g)))
    {
        return Err(invalid_at(
            "interventions",
            "unknown_goal",
            "goal_id must name a goal in this plan",
        ));
    }
    if w.interventions.iter().any(|i| {
        i.responsible.kind == PartyKind::CareTeamMember
            && i.responsible.user_id.is_none()
            && i.responsible
                .name
                .as_deref()
                .is_none_or(|n| n.trim().is_empty())
    }) {
        return Err(invalid_at(
            "interventions",
            "responsible",
            "a care-team member needs a user_id or a name",
        ));
    }
    if w.participants
        .iter()
        .any(|p| p.agreed && p.agreed_on.is_none())
    {
        return Err(invalid_at(
            "participants",
            "agreed_on",
            "an agreement needs the date it was given",
        ));
    }
    if w.participants
        .iter()
        .any(|p| p.agreed_on.is_some_and(|d| d > ctx.today))
    {
        return Err(invalid_at(
            "participants",
            "future",
            "agreed_on must not be in the future",
        ));
    }
    if let Some(next) = w.review.as_ref().and_then(|r| r.next_due_on) {
        if next <= ctx.today {
            return Err(invalid_at(
                "review.next_due_on",
                "past",
                "must be after today",
            ));
        }
        if next > ctx.today + Duration::days(366) {
            return Err(invalid_at(
                "review.next_due_on",
                "too_far",
                "must be at most 366 days ahead",
            ));
        }
    }
    Ok(())
}

impl Normalize for CarePlanWrite {
    fn normalized(mut self) -> CarePlanWrite {
        for n in &mut self.needs {
            n.description = n.description.trim().to_owned();
        }
        for g in &mut self.goals {
            g.text = g.text.trim().to_owned();
        }
        for i in &mut self.interventions {
            i.description = i.description.trim().to_owned();
            i.frequency = crate::validation::trimmed(i.frequency.take());
            i.responsible.name = crate::validation::trimmed(i.responsible.name.take());
        }
        for p in &mut self.participants {
            p.name = p.name.trim().to_owned();
        }
        if let Some(r) = &mut self.review {
            r.outcome = r.outcome.trim().to_owned();
        }
        self
    }
}

impl CarePlanWrite {
    /// The content this write makes from the current one (`None`: a new
    /// plan) on `today`, by `by`.
    pub fn apply(
        self,
        current: Option<&CarePlanContent>,
        today: NaiveDate,
        by: Option<UserId>,
    ) -> CarePlanContent {
        let base = current
            .cloned()
            .unwrap_or_else(|| CarePlanContent::empty(today));
        let (review_due_on, last_review) = match self.review {
            Some(done) => (
                done.next_due_on
                    .unwrap_or(today + Duration::days(REVIEW_INTERVAL_DAYS)),
                Some(Review {
                    reviewed_on: today,
                    outcome: done.outcome,
                    by,
                }),
            ),
            None => (
                self.review_due_on.unwrap_or(base.review_due_on),
                base.last_review,
            ),
        };
        CarePlanContent {
            needs: self.needs,
            goals: self.goals,
            interventions: self.interventions,
            participants: self.participants,
            review_due_on,
            last_review,
        }
    }
}

code_enum! {
    /// The part of a plan a change is in.
    pub enum PlanSection {
        /// Needs and problems.
        Needs,
        /// Goals.
        Goals,
        /// Interventions.
        Interventions,
        /// Participants.
        Participants,
        /// The review.
        Review,
    }
}

code_enum! {
    /// What happened to an item.
    pub enum ChangeKind {
        /// It is new.
        Added,
        /// It is gone.
        Removed,
        /// It changed.
        Changed,
    }
}

/// One difference between two versions of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanChange {
    /// Where.
    pub section: PlanSection,
    /// Added, removed or changed.
    pub change: ChangeKind,
    /// In words ("Goal “PHQ-9 below 5”: status `in_progress` → `achieved`").
    pub summary: String,
}

fn quote(s: &str) -> String {
    let mut t: String = s.chars().take(60).collect();
    if s.chars().count() > 60 {
        t.push('…');
    }
    format!("“{t}”")
}

fn opt<T: std::fmt::Display>(v: Option<&T>) -> String {
    v.map_or_else(|| "none".to_owned(), ToString::to_string)
}

/// Field-by-field differences between two values of an item, as
/// "field a → b" phrases.
fn fields(pairs: &[(&str, String, String)]) -> Vec<String> {
    pairs
        .iter()
        .filter(|(_, a, b)| a != b)
        .map(|(f, a, b)| format!("{f} {a} → {b}"))
        .collect()
}

fn section<T, K: PartialEq>(
    out: &mut Vec<PlanChange>,
    sec: PlanSection,
    noun: &str,
    old: &[T],
    new: &[T],
    key: impl Fn(&T) -> (Option<K>, String),
    compare: impl Fn(&T, &T) -> Vec<String>,
) {
    let id_of = |t: &T| key(t).0;
    for n in new {
        let (id, name) = key(n);
        match old.iter().find(|o| id.is_some() && id_of(o) == id) {
            None => out.push(PlanChange {
                section: sec,
                change: ChangeKind::Added,
                summary: format!("{noun} added: {}", quote(&name)),
            }),
            Some(o) => {
                let diffs = compare(o, n);
                if !diffs.is_empty() {
                    out.push(PlanChange {
                        section: sec,
                        change: ChangeKind::Changed,
                        summary: format!("{noun} {}: {}", quote(&key(o).1), diffs.join("; ")),
                    });
                }
            }
        }
    }
    for o in old {
        let (id, name) = key(o);
        if !new.iter().any(|n| id.is_some() && id_of(n) == id) {
            out.push(PlanChange {
                section: sec,
                change: ChangeKind::Removed,
                summary: format!("{noun} removed: {}", quote(&name)),
            });
        }
    }
}

/// What changed from `old` to `new`, section by section: items matched by
/// id are added, removed, or changed field by field.
pub fn diff(old: &CarePlanContent, new: &CarePlanContent) -> Vec<PlanChange> {
    let mut out = Vec::new();
    section(
        &mut out,
        PlanSection::Needs,
        "Need",
        &old.needs,
        &new.needs,
        |n| (n.id, n.description.clone()),
        |a, b| {
            fields(&[
                ("domain", a.domain.to_string(), b.domain.to_string()),
                ("description", quote(&a.description), quote(&b.description)),
                ("status", a.status.to_string(), b.status.to_string()),
            ])
        },
    );
    section(
        &mut out,
        PlanSection::Goals,
        "Goal",
        &old.goals,
        &new.goals,
        |g| (g.id, g.text.clone()),
        |a, b| {
            fields(&[
                ("text", quote(&a.text), quote(&b.text)),
                (
                    "target date",
                    a.target_date.to_string(),
                    b.target_date.to_string(),
                ),
                ("status", a.status.to_string(), b.status.to_string()),
                (
                    "measure",
                    opt(a.measure.map(|m| m.text()).as_ref()),
                    opt(b.measure.map(|m| m.text()).as_ref()),
                ),
            ])
        },
    );
    section(
        &mut out,
        PlanSection::Interventions,
        "Intervention",
        &old.interventions,
        &new.interventions,
        |i| (i.id, i.description.clone()),
        |a, b| {
            fields(&[
                ("description", quote(&a.description), quote(&b.description)),
                ("status", a.status.to_string(), b.status.to_string()),
                ("due", opt(a.due_on.as_ref()), opt(b.due_on.as_ref())),
                (
                    "frequency",
                    opt(a.frequency.as_ref()),
                    opt(b.frequency.as_ref()),
                ),
                (
                    "responsible",
                    a.responsible.kind.to_string(),
                    b.responsible.kind.to_string(),
                ),
            ])
        },
    );
    // Participants have no id: the same name is the same person.
    section(
        &mut out,
        PlanSection::Participants,
        "Participant",
        &old.participants,
        &new.participants,
        |p| (Some(name_key(&p.name)), p.name.clone()),
        |a, b| {
            fields(&[
                ("agreed", a.agreed.to_string(), b.agreed.to_string()),
                (
                    "agreed on",
                    opt(a.agreed_on.as_ref()),
                    opt(b.agreed_on.as_ref()),
                ),
            ])
        },
    );
    review_changes(&mut out, old, new);
    out
}

/// A completed review and a moved due date.
fn review_changes(out: &mut Vec<PlanChange>, old: &CarePlanContent, new: &CarePlanContent) {
    if old.last_review != new.last_review
        && let Some(r) = &new.last_review
    {
        out.push(PlanChange {
            section: PlanSection::Review,
            change: ChangeKind::Added,
            summary: format!(
                "Review completed on {}: {}",
                r.reviewed_on,
                quote(&r.outcome)
            ),
        });
    }
    if old.review_due_on != new.review_due_on {
        out.push(PlanChange {
            section: PlanSection::Review,
            change: ChangeKind::Changed,
            summary: format!("Review due {} → {}", old.review_due_on, new.review_due_on),
        });
    }
}

/// A participant's name as a key (case and spacing ignored).
fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn plan() -> CarePlanContent {
        CarePlanContent {
            needs: vec![Need {
                id: Some(id(1)),
                domain: NeedDomain::Behavioral,
                description: "Depression".into(),
                status: NeedStatus::Active,
                screening_id: None,
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
            interventions: vec![],
            participants: vec![Participant {
                kind: PartyKind::Patient,
                contact_id: None,
                name: "Maria Lopez".into(),
                agreed: false,
                agreed_on: None,
            }],
            review_due_on: day(12, 1),
            last_review: None,
        }
    }

    fn ctx() -> Context {
        Context {
            now: Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap(),
            today: day(11, 30),
        }
    }

    fn write(content: CarePlanContent) -> CarePlanWrite {
        CarePlanWrite {
            needs: content.needs,
            goals: content.goals,
            interventions: content.interventions,
            participants: content.participants,
            review_due_on: None,
            review: None,
            version: None,
        }
    }

    #[test]
    fn identical_versions_have_no_differences() {
        assert!(diff(&plan(), &plan()).is_empty());
    }

    #[test]
    fn a_diff_names_added_removed_and_changed_items_field_by_field() {
        let old = plan();
        let mut new = plan();
        new.goals[0].status = GoalStatus::Achieved;
        new.needs.clear();
        new.interventions.push(Intervention {
            id: Some(id(3)),
            goal_id: Some(id(2)),
            description: "Weekly check-in call".into(),
            responsible: Party {
                kind: PartyKind::Patient,
                user_id: None,
                contact_id: None,
                name: None,
            },
            frequency: Some("weekly".into()),
            due_on: None,
            status: InterventionStatus::Planned,
            referral_id: None,
            program_id: None,
        });
        new.participants[0].agreed = true;
        new.participants[0].agreed_on = Some(day(11, 30));
        let summaries: Vec<String> = diff(&old, &new).into_iter().map(|c| c.summary).collect();
        assert_eq!(
            summaries,
            vec![
                "Need removed: “Depression”",
                "Goal “PHQ-9 below 5”: status in_progress → achieved",
                "Intervention added: “Weekly check-in call”",
                "Participant “Maria Lopez”: agreed false → true; agreed on none → 2026-11-30",
            ]
        );
    }

    #[test]
    fn a_completed_review_and_a_moved_due_date_show_in_the_diff() {
        let old = plan();
        let new = write(plan()).apply(Some(&old), day(11, 30), None);
        assert!(diff(&old, &new).is_empty(), "no review, no change");
        let mut w = write(plan());
        w.review = Some(ReviewCompletion {
            outcome: "Goals still fit".into(),
            next_due_on: None,
        });
        let reviewed = w.apply(Some(&old), day(11, 30), None);
        assert_eq!(reviewed.review_due_on, day(11, 30) + Duration::days(90));
        let kinds: Vec<(PlanSection, ChangeKind)> = diff(&old, &reviewed)
            .into_iter()
            .map(|c| (c.section, c.change))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (PlanSection::Review, ChangeKind::Added),
                (PlanSection::Review, ChangeKind::Changed)
            ]
        );
    }

    #[test]
    fn a_new_plan_is_due_for_review_in_ninety_days() {
        let p = write(plan()).apply(None, day(11, 30), None);
        assert_eq!(
            p.review_due_on,
            NaiveDate::from_ymd_opt(2027, 2, 28).unwrap()
        );
    }

    #[test]
    fn a_measure_is_met_only_when_the_latest_score_satisfies_it() {
        let m = Measure {
            instrument: Instrument::Phq9,
            comparator: Comparator::Lt,
            value: 5,
        };
        let at = Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap();
        let e = evaluate(id(2), &m, Some((7, at)));
        assert_eq!(e.met, Some(false));
        assert_eq!(e.summary, "PHQ-9 of 7 on 2026-11-02: PHQ-9 < 5 not yet met");
        assert_eq!(evaluate(id(2), &m, Some((4, at))).met, Some(true));
        assert_eq!(evaluate(id(2), &m, None).met, None);
    }

    #[test]
    fn positive_social_domains_become_needs_once_each() {
        let mut p = plan();
        let found = vec![
            (
                SocialDomain::Housing,
                "worried about losing housing".to_owned(),
            ),
            (SocialDomain::Food, "food ran out".to_owned()),
        ];
        let mut n = 100;
        let mut next = || {
            n += 1;
            id(n)
        };
        assert_eq!(p.add_social_needs(&found, id(50), &mut next), 2);
        assert_eq!(p.add_social_needs(&found, id(51), &mut next), 0);
        assert_eq!(p.unmet_social_needs(), vec!["Housing", "Food"]);
        assert_eq!(
            p.needs[1].description,
            "Housing: worried about losing housing"
        );
        p.needs[1].status = NeedStatus::Resolved;
        assert_eq!(p.unmet_social_needs(), vec!["Food"]);
    }

    #[test]
    fn references_inside_a_plan_must_resolve() {
        let mut w = write(plan());
        w.goals[0].need_id = Some(id(99));
        let errors = crate::validation::check(w, &ctx());
        assert_eq!(errors[0].field, "goals");
        let mut w = write(plan());
        w.participants[0].agreed = true;
        assert_eq!(crate::validation::check(w, &ctx())[0].field, "participants");
        let mut w = write(plan());
        w.review = Some(ReviewCompletion {
            outcome: "ok".into(),
            next_due_on: Some(day(11, 30)),
        });
        assert_eq!(
            crate::validation::check(w, &ctx())[0].field,
            "review.next_due_on"
        );
        assert!(crate::validation::check(write(plan()), &ctx()).is_empty());
    }
}
