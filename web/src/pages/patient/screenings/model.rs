//! What the screening form computes without a browser: which questions
//! are asked (the instruments' skip logic), the live result — scored by
//! `shared::screening::score`, the server's own function — and a safety
//! flag as soon as the answers given so far raise one.

use shared::screening::{
    AnswerType, AnswerValue, Answers, Flag, Instrument, ItemDef, ScoringContext, ScreeningResult,
    score,
};

/// Whether `item` is asked, given the answers so far: C-SSRS items 3–5
/// only after "yes" to item 2, its `6_recent` only after "yes" to item 6,
/// AUDIT-C items 2–3 unless item 1 is "never".
pub fn asked(instrument: Instrument, item: &ItemDef, answers: &Answers) -> bool {
    match (instrument, item.key) {
        (Instrument::Cssrs, "3" | "4" | "5") => answers.get("2") == Some(&AnswerValue::YesNo(true)),
        (Instrument::Cssrs, "6_recent") => answers.get("6") == Some(&AnswerValue::YesNo(true)),
        (Instrument::AuditC, "2" | "3") => answers.get("1") != Some(&AnswerValue::Code(0)),
        _ => true,
    }
}

/// The questions asked, given the answers so far.
pub fn asked_items(instrument: Instrument, answers: &Answers) -> Vec<&'static ItemDef> {
    instrument
        .items()
        .iter()
        .filter(|item| asked(instrument, item, answers))
        .collect()
}

/// The answers without those to questions no longer asked (and without
/// keys the instrument does not have): what the form sends.
pub fn pruned(instrument: Instrument, answers: &Answers) -> Answers {
    instrument
        .items()
        .iter()
        .filter(|item| asked(instrument, item, answers))
        .filter_map(|item| answers.get(item.key).map(|v| (item.key, v.clone())))
        .collect()
}

/// The lowest answer to `item`: its first choice, "no", or no box checked.
fn lowest(item: &ItemDef) -> AnswerValue {
    match item.answer {
        AnswerType::Scale { choices } => AnswerValue::Code(
            choices
                .iter()
                .map(|c| i64::from(c.value))
                .min()
                .unwrap_or(0),
        ),
        AnswerType::YesNo => AnswerValue::YesNo(false),
        AnswerType::Checklist { .. } => AnswerValue::Codes(Vec::new()),
    }
}

/// The answers with every question still unanswered given its lowest
/// answer: what the answers given so far score at the least.
fn at_least(instrument: Instrument, answers: &Answers) -> Answers {
    let mut filled = pruned(instrument, answers);
    for item in instrument.items() {
        if asked(instrument, item, &filled) && filled.get(item.key).is_none() {
            filled.insert(item.key, lowest(item));
        }
    }
    pruned(instrument, &filled)
}

/// What the form shows as it is filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Live {
    /// Not every question asked is answered yet.
    Partial {
        /// Questions answered.
        answered: usize,
        /// Questions asked.
        asked: usize,
        /// The suicide-risk reason the answers given so far already raise
        /// (whatever the rest will be).
        safety: Option<String>,
    },
    /// Every question is answered: the server's score.
    Scored(ScreeningResult),
}

impl Live {
    /// The suicide-risk reason to show at once, if any.
    pub fn safety(&self) -> Option<String> {
        match self {
            Live::Partial { safety, .. } => safety.clone(),
            Live::Scored(result) => result.reason(Flag::SuicideRisk).map(str::to_string),
        }
    }
}

/// The live result of `answers`: the score `shared::screening::score`
/// gives once every question asked is answered; before that how many are,
/// and any safety flag the answers so far raise.
pub fn live(instrument: Instrument, answers: &Answers, context: ScoringContext) -> Live {
    let answers = pruned(instrument, answers);
    if let Ok(result) = score(instrument, &answers, &context) {
        return Live::Scored(result);
    }
    let items = asked_items(instrument, &answers);
    let answered = items
        .iter()
        .filter(|item| answers.get(item.key).is_some())
        .count();
    let safety = score(instrument, &at_least(instrument, &answers), &context)
        .ok()
        .and_then(|r| r.reason(Flag::SuicideRisk).map(str::to_string));
    Live::Partial {
        answered,
        asked: items.len(),
        safety,
    }
}

/// A result in one line: "Total 12 of 27 · Moderate · positive screen".
pub fn summary(instrument: Instrument, result: &ScreeningResult) -> String {
    let mut parts = Vec::new();
    if let (Some(total), Some((_, max))) = (result.total, instrument.total_range()) {
        parts.push(format!("Total {total} of {max}"));
    }
    parts.push(result.severity.label().to_string());
    parts.push(
        if result.positive {
            "positive screen"
        } else {
            "negative screen"
        }
        .to_string(),
    );
    parts.join(" · ")
}

/// A flag in words.
pub fn flag_words(flag: Flag) -> &'static str {
    match flag {
        Flag::SuicideRisk => "Suicide risk",
        Flag::AdministerPhq9 => "Give a PHQ-9",
    }
}

/// An answer choice's words as a form shows them: capitalized.
pub fn capitalized(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::patients::Sex;
    use strum::VariantArray;

    /// A small deterministic generator, so the vectors are the same on
    /// every run.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self, below: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            usize::try_from((self.0 >> 33) % u64::try_from(below).unwrap()).unwrap()
        }
    }

    /// A random answer to `item`, as the form's controls give one.
    fn random_answer(item: &ItemDef, rng: &mut Lcg) -> AnswerValue {
        match item.answer {
            AnswerType::Scale { choices } => {
                AnswerValue::Code(i64::from(choices[rng.next(choices.len())].value))
            }
            AnswerType::YesNo => AnswerValue::YesNo(rng.next(2) == 1),
            AnswerType::Checklist { boxes, .. } => AnswerValue::Codes(
                boxes
                    .iter()
                    .filter(|_| rng.next(2) == 1)
                    .map(|b| i64::from(b.value))
                    .collect(),
            ),
        }
    }

    /// Answers every question asked, in order, as a person would.
    fn random_answers(instrument: Instrument, rng: &mut Lcg) -> Answers {
        let mut answers = Answers::new();
        for item in instrument.items() {
            if asked(instrument, item, &answers) {
                answers.insert(item.key, random_answer(item, rng));
            }
        }
        answers
    }

    #[test]
    fn the_live_result_is_the_servers_score_for_every_answer_vector_tried() {
        let mut rng = Lcg(8);
        let contexts = [
            ScoringContext { sex: None },
            ScoringContext {
                sex: Some(Sex::Male),
            },
            ScoringContext {
                sex: Some(Sex::Female),
            },
        ];
        let mut tried = 0;
        for &instrument in Instrument::VARIANTS {
            for round in 0..400 {
                let context = contexts[round % contexts.len()];
                let answers = random_answers(instrument, &mut rng);
                let server = score(instrument, &answers, &context)
                    .unwrap_or_else(|e| panic!("{instrument} {answers:?}: {e:?}"));
                assert_eq!(
                    live(instrument, &answers, context),
                    Live::Scored(server),
                    "{instrument} {answers:?}"
                );
                tried += 1;
            }
        }
        assert_eq!(tried, 400 * Instrument::VARIANTS.len());
    }

    #[test]
    fn a_phq9_item_9_above_0_raises_the_safety_flag_before_the_rest_is_answered() {
        let ctx = ScoringContext::default();
        let only_9 = Answers::new().with("9", 1);
        match live(Instrument::Phq9, &only_9, ctx) {
            Live::Partial {
                answered,
                asked,
                safety,
            } => {
                assert_eq!((answered, asked), (1, 9));
                assert!(safety.unwrap().contains("several days"));
            }
            other @ Live::Scored(_) => panic!("{other:?}"),
        }
        let no_risk = Answers::new().with("9", 0).with("1", 3);
        assert_eq!(live(Instrument::Phq9, &no_risk, ctx).safety(), None);
    }

    #[test]
    fn a_cssrs_high_risk_answer_raises_the_safety_flag_at_once() {
        let ctx = ScoringContext::default();
        let answers = Answers::new().with("2", true).with("4", true);
        assert!(live(Instrument::Cssrs, &answers, ctx).safety().is_some());
        let recent = Answers::new().with("6", true).with("6_recent", true);
        assert!(live(Instrument::Cssrs, &recent, ctx).safety().is_some());
        let low = Answers::new().with("1", true).with("2", false);
        assert_eq!(live(Instrument::Cssrs, &low, ctx).safety(), None);
    }

    #[test]
    fn questions_skipped_by_the_instrument_are_hidden_and_not_sent() {
        let answers = Answers::new().with("2", false).with("4", true);
        let keys: Vec<_> = asked_items(Instrument::Cssrs, &answers)
            .iter()
            .map(|i| i.key)
            .collect();
        assert_eq!(keys, vec!["1", "2", "6"]);
        assert_eq!(pruned(Instrument::Cssrs, &answers).get("4"), None);
        let never = Answers::new().with("1", 0);
        assert_eq!(asked_items(Instrument::AuditC, &never).len(), 1);
    }

    #[test]
    fn results_read_as_one_line() {
        let ctx = ScoringContext::default();
        let answers: Answers = (1..=9).map(|n| (n.to_string(), 1)).collect();
        let Live::Scored(result) = live(Instrument::Phq9, &answers, ctx) else {
            panic!("all nine answered");
        };
        assert_eq!(
            summary(Instrument::Phq9, &result),
            "Total 9 of 27 · Mild · negative screen"
        );
        assert_eq!(capitalized("several days"), "Several days");
    }
}
