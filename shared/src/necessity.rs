//! Medical necessity: the criteria an organization sets per service type,
//! checked against a patient's record, and the alternatives to offer when
//! they are not met. [`evaluate`] is the whole rule, and the SPA runs the
//! same function live as a referral is drafted.
//!
//! A service's criteria are met when every `all_of` condition holds and,
//! if there are `any_of` conditions, at least one of them does. Each
//! condition's outcome is reported with what the record showed.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

use crate::care_plan::NeedDomain;
use crate::encounters::EncounterKind;
use crate::ids::UserId;
use crate::providers::ServiceType;
use crate::risk::RiskLevel;
use crate::screening::Instrument;
use crate::validation::{Context, Normalize, invalid};

/// One condition over the patient's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
// (An internally tagged enum's fields are out of the request parser's
// sight: a field a condition does not have is refused here. `remote =
// "Self"`: the derived code is wrapped by the impls below.)
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    deny_unknown_fields,
    remote = "Self"
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Condition {
    /// The latest total of an instrument is at least `total`.
    ScoreAtLeast {
        /// The instrument (one with a total).
        instrument: Instrument,
        /// The least total.
        total: i32,
    },
    /// The latest screen of an instrument is positive.
    PositiveScreen {
        /// The instrument.
        instrument: Instrument,
    },
    /// The risk level in force is at least `level`.
    RiskAtLeast {
        /// The least level.
        level: RiskLevel,
    },
    /// A discharge of one of `kinds` in the last `days` days.
    DischargedWithin {
        /// The kinds of stay (at least one).
        #[cfg_attr(feature = "openapi", schema(min_items = 1))]
        kinds: Vec<EncounterKind>,
        /// How many days back, 1 to 730.
        #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 730))]
        days: i64,
    },
    /// An active need of `domain` on the care plan.
    ActiveNeed {
        /// The domain.
        domain: NeedDomain,
    },
}

impl Serialize for Condition {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Condition::serialize(self, serializer)
    }
}

impl<'de> Deserialize<'de> for Condition {
    /// The derived reading, for a `kind` that is a name: serde would also
    /// read an internally tagged enum's tag as a variant's index
    /// (`"kind": 0`).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        if value.get("kind").is_some_and(|k| !k.is_string()) {
            return Err(serde::de::Error::custom(
                "kind: must be the name of a kind of condition",
            ));
        }
        Condition::deserialize(value).map_err(serde::de::Error::custom)
    }
}

/// A service's criteria and its alternatives: at least one condition and
/// at most 20 (`all_of` and `any_of` together), and at most 20
/// alternatives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Criteria {
    /// Conditions that must all hold.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub all_of: Vec<Condition>,
    /// Conditions of which one must hold (none: no such requirement).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub any_of: Vec<Condition>,
    /// What to offer instead when they are not met, in order.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = alternatives_schema))]
    pub alternatives: Vec<String>,
}

/// The schema of `alternatives`: at most 20, each 1–200 characters and not
/// blank.
#[cfg(feature = "openapi")]
fn alternatives_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(200))
                .pattern(Some(r"\S")),
        )
        .max_items(Some(20))
        .description(Some(
            "What to offer instead when they are not met, in order (at most 20, each 1–200 characters and not blank).",
        ))
        .build()
}

/// A screening's latest result, as the evaluator reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LatestScreen {
    /// The instrument.
    pub instrument: Instrument,
    /// Its total, if it has one.
    pub total: Option<i32>,
    /// Whether it was positive.
    pub positive: bool,
    /// When.
    pub at: DateTime<Utc>,
}

/// What the evaluator reads about a patient.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Facts {
    /// The latest screening of each instrument (not entered in error).
    pub screens: Vec<LatestScreen>,
    /// The risk level in force.
    pub risk: RiskLevel,
    /// Discharges: kind and when.
    pub discharges: Vec<(EncounterKind, DateTime<Utc>)>,
    /// Active needs on the care plan.
    pub active_needs: Vec<NeedDomain>,
}

/// One criterion's outcome, as a referral carries it (DESIGN §5:
/// `medical_necessity.criteria[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CriterionOutcome {
    /// The kind of condition (`score_at_least`, `positive_screen`,
    /// `risk_at_least`, `discharged_within`, `active_need`).
    pub code: String,
    /// Whether the record meets it.
    pub met: bool,
    /// The condition and what the record shows ("PHQ-9 of 20 or more:
    /// latest PHQ-9 is 14 (2026-11-02)").
    pub description: String,
    /// Whether it must hold (`all_of`) or is one of several (`any_of`).
    pub required: bool,
}

/// The result of checking a service's criteria.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evaluation {
    /// Whether the criteria are met.
    pub met: bool,
    /// Each condition's outcome: the `all_of` ones, then the `any_of` ones.
    pub criteria: Vec<CriterionOutcome>,
    /// The alternatives to offer (empty when met).
    pub alternatives: Vec<String>,
}

impl Condition {
    /// The kind of condition, as a code.
    pub fn code(&self) -> &'static str {
        match self {
            Condition::ScoreAtLeast { .. } => "score_at_least",
            Condition::PositiveScreen { .. } => "positive_screen",
            Condition::RiskAtLeast { .. } => "risk_at_least",
            Condition::DischargedWithin { .. } => "discharged_within",
            Condition::ActiveNeed { .. } => "active_need",
        }
    }

    /// The condition in words.
    pub fn describe(&self) -> String {
        match self {
            Condition::ScoreAtLeast { instrument, total } => {
                format!("{} of {total} or more", instrument.label())
            }
            Condition::PositiveScreen { instrument } => {
                format!("a positive {}", instrument.label())
            }
            Condition::RiskAtLeast { level } => {
                format!("{} risk or higher", level.label().to_lowercase())
            }
            Condition::DischargedWithin { kinds, days } => {
                let names: Vec<&str> = kinds.iter().map(|k| k.label()).collect();
                format!(
                    "a discharge ({}) in the last {days} days",
                    names.join(" or ")
                )
            }
            Condition::ActiveNeed { domain } => {
                format!("an active {} need", domain.label().to_lowercase())
            }
        }
    }

    /// Whether `facts` meet it at `now`, and what they show.
    pub fn check(&self, facts: &Facts, now: DateTime<Utc>) -> (bool, String) {
        let latest = |i: Instrument| facts.screens.iter().find(|s| s.instrument == i);
        match self {
            Condition::ScoreAtLeast { instrument, total } => match latest(*instrument) {
                Some(LatestScreen {
                    total: Some(t), at, ..
                }) => (
                    t >= total,
                    format!("latest {} is {t} ({})", instrument.label(), at.date_naive()),
                ),
                _ => (false, format!("no {} on record", instrument.label())),
            },
            Condition::PositiveScreen { instrument } => match latest(*instrument) {
                Some(s) => (
                    s.positive,
                    format!(
                        "latest {} is {} ({})",
                        instrument.label(),
                        if s.positive { "positive" } else { "negative" },
                        s.at.date_naive()
                    ),
                ),
                None => (false, format!("no {} on record", instrument.label())),
            },
            Condition::RiskAtLeast { level } => (
                facts.risk >= *level,
                format!("risk is {}", facts.risk.label().to_lowercase()),
            ),
            Condition::DischargedWithin { kinds, days } => {
                let since = now - Duration::days(*days);
                let hit = facts
                    .discharges
                    .iter()
                    .filter(|(k, at)| kinds.contains(k) && *at >= since && *at <= now)
                    .max_by_key(|(_, at)| *at);
                match hit {
                    Some((k, at)) => (
                        true,
                        format!("{} discharge on {}", k.label(), at.date_naive()),
                    ),
                    None => (false, format!("no such discharge in {days} days")),
                }
            }
            Condition::ActiveNeed { domain } => {
                let met = facts.active_needs.contains(domain);
                (
                    met,
                    if met {
                        format!("{} need on the care plan", domain.label())
                    } else {
                        format!("no active {} need", domain.label().to_lowercase())
                    },
                )
            }
        }
    }
}

fn outcomes(
    conditions: &[Condition],
    required: bool,
    facts: &Facts,
    now: DateTime<Utc>,
) -> impl Iterator<Item = CriterionOutcome> {
    conditions.iter().map(move |c| {
        let (met, found) = c.check(facts, now);
        CriterionOutcome {
            code: c.code().to_owned(),
            met,
            description: format!("{}: {found}", c.describe()),
            required,
        }
    })
}

/// Checks `criteria` against `facts` at `now`.
pub fn evaluate(criteria: &Criteria, facts: &Facts, now: DateTime<Utc>) -> Evaluation {
    let outcomes: Vec<CriterionOutcome> = outcomes(&criteria.all_of, true, facts, now)
        .chain(outcomes(&criteria.any_of, false, facts, now))
        .collect();
    let all = outcomes.iter().filter(|o| o.required).all(|o| o.met);
    let mut optional = outcomes.iter().filter(|o| !o.required).peekable();
    let any = optional.peek().is_none() || optional.any(|o| o.met);
    let met = all && any;
    Evaluation {
        met,
        criteria: outcomes,
        alternatives: if met {
            Vec::new()
        } else {
            criteria.alternatives.clone()
        },
    }
}

/// The criteria an organization set for one service
/// (`GET /api/v1/service-criteria`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceCriteria {
    /// The service.
    pub service: ServiceType,
    /// Its criteria and alternatives.
    pub criteria: Criteria,
    /// Who last changed them.
    pub updated_by: Option<UserId>,
    /// When.
    pub updated_at: DateTime<Utc>,
    /// Version for `If-Match`.
    pub version: i32,
}

/// `PUT /api/v1/service-criteria/{service}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "criteria": {
        "any_of": [
            {"kind": "score_at_least", "instrument": "phq9", "total": 20},
            {"kind": "positive_screen", "instrument": "cssrs"},
            {"kind": "discharged_within", "kinds": ["bhcc"], "days": 30}
        ],
        "alternatives": ["Intensive outpatient program", "Peer-support program", "Crisis plan"]
    },
    "version": 1
})))]
pub struct CriteriaWrite {
    /// The criteria: at least one condition; days between 1 and 730;
    /// totals within the instrument's range.
    #[validate(custom(function = "criteria_valid"))]
    pub criteria: Criteria,
    /// The version read (none to create; or send `If-Match`).
    #[serde(default)]
    pub version: Option<i32>,
}

impl Normalize for CriteriaWrite {
    fn normalized(self) -> CriteriaWrite {
        let alternatives = self
            .criteria
            .alternatives
            .into_iter()
            .map(|a| a.trim().to_owned())
            .collect();
        CriteriaWrite {
            criteria: Criteria {
                alternatives,
                ..self.criteria
            },
            ..self
        }
    }
}

fn criteria_valid(c: &Criteria) -> Result<(), ValidationError> {
    if c.all_of.is_empty() && c.any_of.is_empty() {
        return Err(invalid("empty", "must have at least one condition"));
    }
    if c.all_of.len() + c.any_of.len() > 20 {
        return Err(invalid(
            "too_many",
            "must have at most 20 conditions (all_of and any_of together)",
        ));
    }
    if c.alternatives.len() > 20 {
        return Err(invalid("too_many", "must have at most 20 alternatives"));
    }
    if c.alternatives.iter().any(String::is_empty) {
        return Err(invalid("blank", "has a blank alternative"));
    }
    if c.alternatives.iter().any(|a| a.chars().count() > 200) {
        return Err(invalid(
            "too_long",
            "has an alternative longer than 200 characters",
        ));
    }
    for condition in c.all_of.iter().chain(&c.any_of) {
        match condition {
            Condition::ScoreAtLeast { instrument, total } => {
                let (min, max) = instrument
                    .total_range()
                    .ok_or_else(|| invalid("no_total", "names an instrument without a total"))?;
                if !(min..=max).contains(total) {
                    return Err(invalid(
                        "out_of_range",
                        "names a total outside the instrument's range",
                    ));
                }
            }
            Condition::DischargedWithin { kinds, days } => {
                if kinds.is_empty() || !(1..=730).contains(days) {
                    return Err(invalid(
                        "out_of_range",
                        "needs at least one kind of stay and 1 to 730 days",
                    ));
                }
            }
            Condition::PositiveScreen { .. }
            | Condition::RiskAtLeast { .. }
            | Condition::ActiveNeed { .. } => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap()
    }

    /// The issue's example: inpatient psychiatric care needs a PHQ-9 of 20
    /// or more, a positive C-SSRS, or a crisis-center discharge in 30 days.
    fn inpatient_psych() -> Criteria {
        Criteria {
            all_of: vec![],
            any_of: vec![
                Condition::ScoreAtLeast {
                    instrument: Instrument::Phq9,
                    total: 20,
                },
                Condition::PositiveScreen {
                    instrument: Instrument::Cssrs,
                },
                Condition::DischargedWithin {
                    kinds: vec![EncounterKind::Bhcc],
                    days: 30,
                },
            ],
            alternatives: vec![
                "Intensive outpatient program".into(),
                "Peer-support program".into(),
                "Crisis plan".into(),
            ],
        }
    }

    fn phq9(total: i32) -> LatestScreen {
        LatestScreen {
            instrument: Instrument::Phq9,
            total: Some(total),
            positive: total >= 10,
            at: now() - Duration::days(3),
        }
    }

    #[test]
    fn a_phq9_of_14_alone_does_not_meet_inpatient_criteria_and_offers_the_alternatives() {
        let facts = Facts {
            screens: vec![phq9(14)],
            ..Default::default()
        };
        let e = evaluate(&inpatient_psych(), &facts, now());
        assert!(!e.met);
        assert_eq!(e.criteria[0].code, "score_at_least");
        assert_eq!(
            e.criteria[0].description,
            "PHQ-9 of 20 or more: latest PHQ-9 is 14 (2026-11-27)"
        );
        assert!(!e.criteria[0].required);
        assert_eq!(
            e.criteria[1].description,
            "a positive C-SSRS screener: no C-SSRS screener on record"
        );
        assert_eq!(
            e.criteria[2].description,
            "a discharge (crisis center) in the last 30 days: no such discharge in 30 days"
        );
        assert_eq!(e.alternatives.len(), 3);
    }

    #[test]
    fn any_one_of_the_conditions_meets_them_and_no_alternative_is_offered() {
        let criteria = inpatient_psych();
        let by_score = Facts {
            screens: vec![phq9(21)],
            ..Default::default()
        };
        let by_crisis = Facts {
            discharges: vec![(EncounterKind::Bhcc, now() - Duration::days(10))],
            ..Default::default()
        };
        let by_cssrs = Facts {
            screens: vec![LatestScreen {
                instrument: Instrument::Cssrs,
                total: None,
                positive: true,
                at: now() - Duration::days(1),
            }],
            ..Default::default()
        };
        for facts in [by_score, by_crisis, by_cssrs] {
            let e = evaluate(&criteria, &facts, now());
            assert!(e.met, "{e:?}");
            assert!(e.alternatives.is_empty());
        }
        let old_crisis = Facts {
            discharges: vec![(EncounterKind::Bhcc, now() - Duration::days(31))],
            ..Default::default()
        };
        assert!(!evaluate(&criteria, &old_crisis, now()).met);
    }

    #[test]
    fn every_all_of_condition_must_hold() {
        let criteria = Criteria {
            all_of: vec![
                Condition::RiskAtLeast {
                    level: RiskLevel::High,
                },
                Condition::ActiveNeed {
                    domain: NeedDomain::Housing,
                },
            ],
            any_of: vec![],
            alternatives: vec!["Housing navigation".into()],
        };
        let half = Facts {
            risk: RiskLevel::VeryHigh,
            ..Default::default()
        };
        let e = evaluate(&criteria, &half, now());
        assert!(!e.met);
        assert!(e.criteria[0].met && e.criteria[0].required);
        assert_eq!(
            e.criteria[1].description,
            "an active housing need: no active housing need"
        );
        let both = Facts {
            risk: RiskLevel::High,
            active_needs: vec![NeedDomain::Housing],
            ..Default::default()
        };
        assert!(evaluate(&criteria, &both, now()).met);
    }

    #[test]
    fn no_criteria_are_always_met() {
        assert!(evaluate(&Criteria::default(), &Facts::default(), now()).met);
    }

    #[test]
    fn criteria_read_and_write_as_tagged_json() {
        let json = serde_json::to_value(inpatient_psych()).unwrap();
        assert_eq!(json["any_of"][0]["kind"], "score_at_least");
        assert_eq!(json["any_of"][2]["kinds"][0], "bhcc");
        let back: Criteria = serde_json::from_value(json).unwrap();
        assert_eq!(back, inpatient_psych());
    }

    #[test]
    fn a_condition_is_named_by_its_kind_and_has_only_its_own_fields() {
        let read = |v: serde_json::Value| serde_json::from_value::<Condition>(v);
        assert!(read(serde_json::json!({"kind": "risk_at_least", "level": "high"})).is_ok());
        // serde alone would read a tag as a variant's index.
        assert!(read(serde_json::json!({"kind": 2, "level": "high"})).is_err());
        assert!(
            read(serde_json::json!({"kind": "risk_at_least", "level": "high", "x": 1})).is_err()
        );
    }

    #[test]
    fn criteria_take_at_most_20_conditions_in_all_and_no_blank_alternative() {
        let ctx = crate::validation::test_context();
        let write = |criteria: Criteria| CriteriaWrite {
            criteria,
            version: None,
        };
        let fields = |w: CriteriaWrite| -> Vec<String> {
            crate::validation::check(w, &ctx)
                .into_iter()
                .map(|e| e.message)
                .collect()
        };
        assert!(fields(write(inpatient_psych())).is_empty());
        let risk = Condition::RiskAtLeast {
            level: RiskLevel::High,
        };
        let many = Criteria {
            all_of: vec![risk.clone(); 11],
            any_of: vec![risk; 10],
            alternatives: vec![],
        };
        assert_eq!(
            fields(write(many)),
            ["must have at most 20 conditions (all_of and any_of together)"]
        );
        let mut blank = inpatient_psych();
        blank.alternatives.push("  ".into());
        assert_eq!(fields(write(blank)), ["has a blank alternative"]);
    }
}
