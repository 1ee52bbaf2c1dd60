//! Screening instruments [`QuestionnaireResponse` + `Observation`]: PHQ-9,
//! PHQ-2, GAD-7, AUDIT-C, DAST-10, the C-SSRS screener and the AHC HRSN
//! core questions (DESIGN §4).
//!
//! A screening arrives as [`NewScreening`] `{instrument, administered_at,
//! answers}`; [`Answers`] is a JSON object keyed by item number as a
//! string (`"1"`, `"2"`, …): integers for scaled items, booleans for yes/no
//! items, lists of box codes for "check all that apply" items (see
//! [`AnswerValue`]). [`score`] checks every answer and computes the total,
//! band, flags and social needs ([`ScreeningResult`]). The server is
//! authoritative — a total a client sends is never read — and the SPA calls
//! the same function to show the score as a form is filled in, so both
//! always agree.
//!
//! What "positive" means, per instrument (DESIGN gives the bands; where it
//! is silent, the instrument's usual screening cut-off is used):
//!
//! | instrument | positive when |
//! |---|---|
//! | PHQ-9 | total ≥ 10 (moderate or worse); item 9 > 0 is a `suicide_risk` flag whatever the total |
//! | PHQ-2 | total ≥ 3 (and an `administer_phq9` flag) |
//! | GAD-7 | total ≥ 10 (moderate or worse) |
//! | AUDIT-C | total ≥ 4 for men, ≥ 3 for women and when sex is not known |
//! | DAST-10 | total ≥ 3 (moderate or worse) |
//! | C-SSRS screener | any risk (low, moderate or high); high is a `suicide_risk` flag |
//! | AHC HRSN | any of its five domains positive |
//!
//! Skip logic follows the instruments: C-SSRS items 3–5 are asked only
//! when item 2 is "yes", the C-SSRS follow-up `6_recent` only when item 6
//! is "yes", and AUDIT-C items 2–3 only when item 1 is not "never";
//! skipped items may be left out. Everything else is required.
//!
//! Also here: the depression measures built on the PHQ-9 (response and
//! remission) and the dates PHQ-9s fall due.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use validator::{ValidateArgs, ValidationError, ValidationErrors, ValidationErrorsKind};

use crate::patients::Sex;
use crate::validation::{Context, Normalize, invalid};

code_enum! {
    /// A screening instrument.
    pub enum Instrument {
        /// Patient Health Questionnaire-9: depression severity.
        Phq9,
        /// Patient Health Questionnaire-2: the PHQ-9's first two items, a depression pre-screen.
        Phq2,
        /// Generalized Anxiety Disorder-7: anxiety severity.
        Gad7,
        /// AUDIT-C: the three consumption questions of the Alcohol Use Disorders Identification Test.
        AuditC,
        /// Drug Abuse Screening Test, 10 items (drugs other than alcohol, past 12 months).
        Dast10,
        /// Columbia-Suicide Severity Rating Scale, screener version.
        Cssrs,
        /// Accountable Health Communities health-related social needs screening, core questions.
        AhcHrsn,
    }
}

impl Instrument {
    /// Words for people ("PHQ-9").
    pub fn label(self) -> &'static str {
        match self {
            Instrument::Phq9 => "PHQ-9",
            Instrument::Phq2 => "PHQ-2",
            Instrument::Gad7 => "GAD-7",
            Instrument::AuditC => "AUDIT-C",
            Instrument::Dast10 => "DAST-10",
            Instrument::Cssrs => "C-SSRS screener",
            Instrument::AhcHrsn => "AHC HRSN",
        }
    }

    /// The LOINC code of the whole questionnaire (DAST-10 has none).
    pub fn loinc_panel(self) -> Option<&'static str> {
        match self {
            Instrument::Phq9 => Some("44249-1"),
            Instrument::Phq2 => Some("55757-9"),
            Instrument::Gad7 => Some("69737-5"),
            Instrument::AuditC => Some("72109-2"),
            Instrument::Dast10 => None,
            Instrument::Cssrs => Some("93373-9"),
            Instrument::AhcHrsn => Some("96777-8"),
        }
    }

    /// The LOINC code of the total score (the C-SSRS screener and the AHC
    /// HRSN have no total: one triages, the other screens domains).
    pub fn loinc_total(self) -> Option<&'static str> {
        match self {
            Instrument::Phq9 => Some("44261-6"),
            Instrument::Phq2 => Some("55758-7"),
            Instrument::Gad7 => Some("70274-6"),
            Instrument::AuditC => Some("75626-2"),
            Instrument::Dast10 => Some("82667-7"),
            Instrument::Cssrs | Instrument::AhcHrsn => None,
        }
    }

    /// The questions in the order they are asked, each with its key in
    /// [`Answers`] and the answers it allows. A follow-up question (the
    /// C-SSRS's `6_recent`) comes right after the question it follows.
    pub fn items(self) -> &'static [ItemDef] {
        match self {
            Instrument::Phq9 => &PHQ9,
            // The PHQ-2 is the PHQ-9's first two questions, asked alone.
            Instrument::Phq2 => &PHQ9[..2],
            Instrument::Gad7 => &GAD7,
            Instrument::AuditC => &AUDIT_C,
            Instrument::Dast10 => &DAST10,
            Instrument::Cssrs => &CSSRS,
            Instrument::AhcHrsn => &AHC_HRSN,
        }
    }

    /// How many numbered questions it has (follow-ups not counted): its
    /// items are numbered 1 to this.
    pub fn item_count(self) -> usize {
        self.items().iter().filter(|d| !d.is_follow_up()).count()
    }

    /// The question whose key in [`Answers`] is `key` (`"9"`, `"6_recent"`),
    /// if there is one. Keys are exact: "09" and " 9" are no item.
    pub fn item(self, key: &str) -> Option<&'static ItemDef> {
        self.items().iter().find(|d| d.key == key)
    }

    /// The lowest and highest possible totals, for instruments with a total.
    pub fn total_range(self) -> Option<(i32, i32)> {
        match self {
            Instrument::Phq9 => Some((0, 27)),
            Instrument::Phq2 => Some((0, 6)),
            Instrument::Gad7 => Some((0, 21)),
            Instrument::AuditC => Some((0, 12)),
            Instrument::Dast10 => Some((0, 10)),
            Instrument::Cssrs | Instrument::AhcHrsn => None,
        }
    }

    /// Every `severity` a screening with this instrument can have, lowest
    /// first (DESIGN §5 lists them per instrument).
    pub fn severities(self) -> &'static [ScreeningSeverity] {
        use ScreeningSeverity as S;
        match self {
            Instrument::Phq9 => &[
                S::Minimal,
                S::Mild,
                S::Moderate,
                S::ModeratelySevere,
                S::Severe,
            ],
            Instrument::Gad7 => &[S::Minimal, S::Mild, S::Moderate, S::Severe],
            Instrument::Dast10 => &[S::None, S::Low, S::Moderate, S::Substantial, S::Severe],
            Instrument::Cssrs => &[S::Negative, S::Low, S::Moderate, S::High],
            Instrument::Phq2 | Instrument::AuditC | Instrument::AhcHrsn => {
                &[S::Negative, S::Positive]
            }
        }
    }
}

/// One answer choice: the code sent for it, and its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// The code sent as the item's answer (a scaled item), or in its list
    /// (a checklist box).
    pub value: i16,
    /// The answer's words in lower case, to quote inside a sentence (a form
    /// capitalizes the first letter).
    pub label: &'static str,
}

/// How a question is answered, and so what its value in [`Answers`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AnswerType {
    /// One of `choices`, sent as its code: an integer.
    Scale {
        /// The answers allowed.
        choices: &'static [Choice],
    },
    /// Yes or no, sent as a boolean: `true` is yes, as asked.
    YesNo,
    /// "Check all that apply": the codes of the boxes checked, sent as a
    /// list of integers in any order, each at most once; the empty list
    /// `[]` is the `none` answer ("none of the above").
    Checklist {
        /// The boxes.
        boxes: &'static [Choice],
        /// The words of the answer with no box checked.
        none: &'static str,
    },
}

/// One question of an instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ItemDef {
    /// Its key in [`Answers`]: its number ("9"), or for a follow-up
    /// question the number of the question it follows and what it asks
    /// (`"6_recent"`).
    pub key: &'static str,
    /// Its number, from 1; a follow-up has the number of the question it
    /// follows.
    pub number: i16,
    /// The question in short, in the instrument's public wording.
    pub text: &'static str,
    /// How it is answered.
    pub answer: AnswerType,
}

impl ItemDef {
    /// Whether it is a follow-up to the question numbered `number` rather
    /// than a numbered question of its own.
    pub fn is_follow_up(&self) -> bool {
        self.key.parse::<i16>().ok() != Some(self.number)
    }

    /// The words of `value` as an answer to this question: "several days",
    /// "yes", or for a checklist every box checked ("mold, water leaks").
    /// A value the question does not allow is quoted as sent.
    pub fn describe(&self, value: &AnswerValue) -> String {
        self.read(value)
            .map_or_else(|_| value.to_string(), |code| self.describe_code(code))
    }

    /// The words of a checked answer in its internal form (see [`Checked`]).
    fn describe_code(&self, code: i16) -> String {
        match self.answer {
            AnswerType::Scale { choices } => choices
                .iter()
                .find(|c| c.value == code)
                .map_or_else(|| code.to_string(), |c| c.label.to_string()),
            AnswerType::YesNo => {
                YesNo::from_code(code).map_or_else(|| code.to_string(), |a| a.label().to_string())
            }
            AnswerType::Checklist { boxes, none } => {
                let checked: Vec<&str> = boxes
                    .iter()
                    .filter(|b| code & box_bit(b.value) != 0)
                    .map(|b| b.label)
                    .collect();
                if checked.is_empty() {
                    none.to_string()
                } else {
                    checked.join(", ")
                }
            }
        }
    }

    /// Reads `value` as an answer to this question, into its internal form:
    /// a scaled item's code, 0 or 1 for no or yes, a checklist's boxes as
    /// bits. Or what is wrong with it, in words.
    fn read(&self, value: &AnswerValue) -> Result<i16, (ItemErrorKind, String)> {
        let phrase = self.phrase();
        let wrong_type = |message: String| (ItemErrorKind::WrongType, message);
        match (self.answer, value) {
            (AnswerType::Scale { choices }, AnswerValue::Code(code)) => i16::try_from(*code)
                .ok()
                .filter(|c| choices.iter().any(|choice| choice.value == *c))
                .ok_or_else(|| {
                    (
                        ItemErrorKind::OutOfRange,
                        format!(
                            "{phrase}: {code} is not one of its answers ({})",
                            choices_phrase(choices)
                        ),
                    )
                }),
            (AnswerType::Scale { choices }, other) => Err(wrong_type(format!(
                "{phrase} is answered with the number of one of its answers ({}), not {}",
                choices_phrase(choices),
                other.kind_phrase()
            ))),
            (AnswerType::YesNo, AnswerValue::YesNo(yes)) => Ok(i16::from(*yes)),
            (AnswerType::YesNo, other) => Err(wrong_type(format!(
                "{phrase} is a yes/no question: send true for yes or false for no, not {}",
                other.kind_phrase()
            ))),
            (AnswerType::Checklist { boxes, none }, AnswerValue::Codes(codes)) => {
                read_checklist(&phrase, boxes, none, codes)
            }
            (AnswerType::Checklist { boxes, none }, other) => Err(wrong_type(format!(
                "{phrase} is \"check all that apply\": send the list of the numbers of the \
                 boxes checked ({}), or [] for {none}; not {}",
                choices_phrase(boxes),
                other.kind_phrase()
            ))),
        }
    }

    /// "item 9 (thoughts that …)", or "item 6's follow-up (was this …)",
    /// for messages and reasons.
    fn phrase(&self) -> String {
        if self.is_follow_up() {
            format!(
                "item {}'s follow-up ({})",
                self.number,
                lower_first(self.text)
            )
        } else {
            format!("item {} ({})", self.number, lower_first(self.text))
        }
    }

    /// Where its answer lives in [`Checked`]: a follow-up shares its
    /// question's.
    fn slot(&self) -> usize {
        usize::from(self.number.unsigned_abs()) - 1
    }
}

/// The bit a checklist box takes in [`Checked`] (boxes are numbered from 1).
fn box_bit(code: i16) -> i16 {
    1 << (code - 1)
}

fn read_checklist(
    phrase: &str,
    boxes: &[Choice],
    none: &str,
    codes: &[i64],
) -> Result<i16, (ItemErrorKind, String)> {
    let mut unknown: Vec<String> = Vec::new();
    for code in codes {
        let listed = code.to_string();
        if !boxes.iter().any(|b| i64::from(b.value) == *code) && !unknown.contains(&listed) {
            unknown.push(listed);
        }
    }
    if let Some((last, init)) = unknown.split_last() {
        let (listed, verb) = if init.is_empty() {
            (last.clone(), "is not one of its boxes")
        } else {
            (
                format!("{} and {last}", init.join(", ")),
                "are not among its boxes",
            )
        };
        return Err((
            ItemErrorKind::OutOfRange,
            format!(
                "{phrase}: {listed} {verb} ({}); send the numbers of the boxes checked, \
                 or [] for {none}",
                choices_phrase(boxes)
            ),
        ));
    }
    let mut bits = 0;
    for b in boxes {
        let times = codes.iter().filter(|&&c| c == i64::from(b.value)).count();
        if times > 1 {
            return Err((
                ItemErrorKind::Duplicate,
                format!("{phrase} lists {} more than once", b.label),
            ));
        }
        if times == 1 {
            bits |= box_bit(b.value);
        }
    }
    Ok(bits)
}

fn choices_phrase(choices: &[Choice]) -> String {
    let listed: Vec<String> = choices
        .iter()
        .map(|c| format!("{} = {}", c.value, c.label))
        .collect();
    listed.join(", ")
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Declares a closed set of answers with fixed numeric codes: the codes are
/// what is sent and stored, so they never change once released.
macro_rules! answer_scale {
    ($(#[$meta:meta])* pub enum $name:ident {
        $($(#[$vmeta:meta])* $variant:ident = $code:literal => $label:literal,)+
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every answer, in code order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The answers as choices for a form.
            pub const CHOICES: &'static [Choice] = &[$(Choice { value: $code, label: $label },)+];

            /// The numeric code.
            pub fn code(self) -> i16 {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            /// The answer with this code, if there is one.
            pub fn from_code(code: i16) -> Option<$name> {
                match code {
                    $($code => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The answer's words, in lower case.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }
        }
    };
}

answer_scale! {
    /// PHQ-9, PHQ-2 and GAD-7: how often, over the last 2 weeks. The code is the item's score.
    pub enum Frequency {
        /// Not at all (0).
        NotAtAll = 0 => "not at all",
        /// Several days (1).
        SeveralDays = 1 => "several days",
        /// More than half the days (2).
        MoreThanHalfTheDays = 2 => "more than half the days",
        /// Nearly every day (3).
        NearlyEveryDay = 3 => "nearly every day",
    }
}

answer_scale! {
    /// AUDIT-C item 1: how often a drink containing alcohol. The code is the item's score.
    pub enum DrinkingFrequency {
        /// Never (0).
        Never = 0 => "never",
        /// Monthly or less (1).
        MonthlyOrLess = 1 => "monthly or less",
        /// 2–4 times a month (2).
        TwoToFourTimesAMonth = 2 => "2 to 4 times a month",
        /// 2–3 times a week (3).
        TwoToThreeTimesAWeek = 3 => "2 to 3 times a week",
        /// 4 or more times a week (4).
        FourOrMoreTimesAWeek = 4 => "4 or more times a week",
    }
}

answer_scale! {
    /// AUDIT-C item 2: standard drinks on a typical drinking day. The code is the item's score.
    pub enum TypicalDrinks {
        /// 1 or 2 (0).
        OneOrTwo = 0 => "1 or 2",
        /// 3 or 4 (1).
        ThreeOrFour = 1 => "3 or 4",
        /// 5 or 6 (2).
        FiveOrSix = 2 => "5 or 6",
        /// 7 to 9 (3).
        SevenToNine = 3 => "7 to 9",
        /// 10 or more (4).
        TenOrMore = 4 => "10 or more",
    }
}

answer_scale! {
    /// AUDIT-C item 3: how often six or more drinks on one occasion. The code is the item's score.
    pub enum HeavyDrinkingFrequency {
        /// Never (0).
        Never = 0 => "never",
        /// Less than monthly (1).
        LessThanMonthly = 1 => "less than monthly",
        /// Monthly (2).
        Monthly = 2 => "monthly",
        /// Weekly (3).
        Weekly = 3 => "weekly",
        /// Daily or almost daily (4).
        DailyOrAlmostDaily = 4 => "daily or almost daily",
    }
}

answer_scale! {
    /// A yes/no answer (DAST-10, C-SSRS), sent as a boolean; the code is
    /// its internal form. For DAST-10 it is the answer, not the score:
    /// item 3 scores a point for "no".
    pub enum YesNo {
        /// No (`false`).
        No = 0 => "no",
        /// Yes (`true`).
        Yes = 1 => "yes",
    }
}

impl From<bool> for YesNo {
    fn from(yes: bool) -> YesNo {
        if yes { YesNo::Yes } else { YesNo::No }
    }
}

answer_scale! {
    /// C-SSRS item 6 (suicidal behavior, lifetime) together with its
    /// follow-up `6_recent` (within the past 3 months?), as scoring reads
    /// them: see [`SuicidalBehavior::from_answers`].
    pub enum SuicidalBehavior {
        /// No: item 6 is `false`.
        No = 0 => "no",
        /// Yes, more than 3 months ago: item 6 `true`, `6_recent` `false`.
        YesLongerAgo = 1 => "yes, more than 3 months ago",
        /// Yes, within the past 3 months: item 6 `true`, `6_recent` `true`.
        YesWithinThreeMonths = 2 => "yes, within the past 3 months",
    }
}

impl SuicidalBehavior {
    /// Items 6 and `6_recent` as one answer; `None` when they contradict
    /// (a recent behavior but none ever).
    pub fn from_answers(ever: bool, recent: bool) -> Option<SuicidalBehavior> {
        match (ever, recent) {
            (false, false) => Some(SuicidalBehavior::No),
            (true, false) => Some(SuicidalBehavior::YesLongerAgo),
            (true, true) => Some(SuicidalBehavior::YesWithinThreeMonths),
            (false, true) => None,
        }
    }
}

answer_scale! {
    /// AHC HRSN item 1: living situation today.
    pub enum LivingSituation {
        /// A steady place to live (0).
        Steady = 0 => "I have a steady place to live",
        /// A place today, worried about losing it (1): positive.
        WorriedAboutLosingIt = 1 => "I have a place to live today, but I am worried about losing it in the future",
        /// No steady place (2): positive.
        NoSteadyPlace = 2 => "I do not have a steady place to live (staying with others, in a hotel, in a shelter, outside, in a car, or similar)",
    }
}

answer_scale! {
    /// AHC HRSN item 2, "check all that apply": problems with the place one
    /// lives. The answer is the list of the boxes checked (`[2, 7]`: mold
    /// and water leaks), `[]` for none of the above. Any problem is
    /// positive.
    pub enum HousingProblem {
        /// Pests such as bugs, ants or mice (1).
        Pests = 1 => "pests such as bugs, ants, or mice",
        /// Mold (2).
        Mold = 2 => "mold",
        /// Lead paint or pipes (3).
        LeadPaintOrPipes = 3 => "lead paint or pipes",
        /// Lack of heat (4).
        LackOfHeat = 4 => "lack of heat",
        /// Oven or stove not working (5).
        OvenOrStoveNotWorking = 5 => "oven or stove not working",
        /// Smoke detectors missing or not working (6).
        SmokeDetectors = 6 => "smoke detectors missing or not working",
        /// Water leaks (7).
        WaterLeaks = 7 => "water leaks",
    }
}

answer_scale! {
    /// AHC HRSN items 3 and 4 (food, past 12 months). "Sometimes" and
    /// "often" are positive.
    pub enum FoodInsecurity {
        /// Never true (0).
        NeverTrue = 0 => "never true",
        /// Sometimes true (1): positive.
        SometimesTrue = 1 => "sometimes true",
        /// Often true (2): positive.
        OftenTrue = 2 => "often true",
    }
}

answer_scale! {
    /// AHC HRSN item 5, "check all that apply": what lack of transportation
    /// kept one from in the past 12 months. The answer is the list of the
    /// boxes checked, `[]` for "no". Either "yes" is positive.
    pub enum TransportationBarrier {
        /// Kept from medical appointments or getting medications (1).
        Medical = 1 => "yes, it has kept me from medical appointments or from getting my medications",
        /// Kept from non-medical meetings, appointments, work or things needed (2).
        NonMedical = 2 => "yes, it has kept me from non-medical meetings, appointments, work, or from getting things that I need",
    }
}

answer_scale! {
    /// AHC HRSN item 6: a utility company threatened to shut off services in
    /// the past 12 months. "Yes" and "already shut off" are positive.
    pub enum UtilityShutoff {
        /// No (0).
        No = 0 => "no",
        /// Yes (1): positive.
        Yes = 1 => "yes",
        /// Already shut off (2): positive.
        AlreadyShutOff = 2 => "already shut off",
    }
}

answer_scale! {
    /// AHC HRSN items 7–10 (interpersonal safety, the HITS questions): how
    /// often. The code is the item's score, 1 to 5; the four add up to 4–20
    /// and 11 or more is positive.
    pub enum HarmFrequency {
        /// Never (1).
        Never = 1 => "never",
        /// Rarely (2).
        Rarely = 2 => "rarely",
        /// Sometimes (3).
        Sometimes = 3 => "sometimes",
        /// Fairly often (4).
        FairlyOften = 4 => "fairly often",
        /// Frequently (5).
        Frequently = 5 => "frequently",
    }
}

/// The key of the question numbered `number` in [`Answers`].
const fn key_of(number: i16) -> &'static str {
    match number {
        1 => "1",
        2 => "2",
        3 => "3",
        4 => "4",
        5 => "5",
        6 => "6",
        7 => "7",
        8 => "8",
        9 => "9",
        10 => "10",
        _ => panic!("no instrument has more than 10 items"),
    }
}

const fn scale(number: i16, text: &'static str, choices: &'static [Choice]) -> ItemDef {
    ItemDef {
        key: key_of(number),
        number,
        text,
        answer: AnswerType::Scale { choices },
    }
}

const fn yes_no(number: i16, text: &'static str) -> ItemDef {
    ItemDef {
        key: key_of(number),
        number,
        text,
        answer: AnswerType::YesNo,
    }
}

const fn checklist(
    number: i16,
    text: &'static str,
    boxes: &'static [Choice],
    none: &'static str,
) -> ItemDef {
    ItemDef {
        key: key_of(number),
        number,
        text,
        answer: AnswerType::Checklist { boxes, none },
    }
}

static PHQ9: [ItemDef; 9] = [
    scale(
        1,
        "Little interest or pleasure in doing things",
        Frequency::CHOICES,
    ),
    scale(
        2,
        "Feeling down, depressed, or hopeless",
        Frequency::CHOICES,
    ),
    scale(
        3,
        "Trouble falling or staying asleep, or sleeping too much",
        Frequency::CHOICES,
    ),
    scale(
        4,
        "Feeling tired or having little energy",
        Frequency::CHOICES,
    ),
    scale(5, "Poor appetite or overeating", Frequency::CHOICES),
    scale(
        6,
        "Feeling bad about yourself, or that you are a failure or have let yourself or your family down",
        Frequency::CHOICES,
    ),
    scale(
        7,
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        Frequency::CHOICES,
    ),
    scale(
        8,
        "Moving or speaking so slowly that other people could have noticed, or being so fidgety or restless that you have been moving around a lot more than usual",
        Frequency::CHOICES,
    ),
    scale(
        9,
        "Thoughts that you would be better off dead or of hurting yourself in some way",
        Frequency::CHOICES,
    ),
];

/// The PHQ-9 question whose every non-zero answer is a suicide-risk flag.
const PHQ9_SUICIDE_ITEM: usize = 9;

static GAD7: [ItemDef; 7] = [
    scale(
        1,
        "Feeling nervous, anxious, or on edge",
        Frequency::CHOICES,
    ),
    scale(
        2,
        "Not being able to stop or control worrying",
        Frequency::CHOICES,
    ),
    scale(
        3,
        "Worrying too much about different things",
        Frequency::CHOICES,
    ),
    scale(4, "Trouble relaxing", Frequency::CHOICES),
    scale(
        5,
        "Being so restless that it is hard to sit still",
        Frequency::CHOICES,
    ),
    scale(
        6,
        "Becoming easily annoyed or irritable",
        Frequency::CHOICES,
    ),
    scale(
        7,
        "Feeling afraid, as if something awful might happen",
        Frequency::CHOICES,
    ),
];

static AUDIT_C: [ItemDef; 3] = [
    scale(
        1,
        "How often do you have a drink containing alcohol?",
        DrinkingFrequency::CHOICES,
    ),
    scale(
        2,
        "How many standard drinks containing alcohol do you have on a typical day?",
        TypicalDrinks::CHOICES,
    ),
    scale(
        3,
        "How often do you have six or more drinks on one occasion?",
        HeavyDrinkingFrequency::CHOICES,
    ),
];

static DAST10: [ItemDef; 10] = [
    yes_no(
        1,
        "Have you used drugs other than those required for medical reasons?",
    ),
    yes_no(2, "Do you use more than one drug at a time?"),
    yes_no(
        3,
        "Are you always able to stop using drugs when you want to?",
    ),
    yes_no(
        4,
        "Have you had blackouts or flashbacks as a result of drug use?",
    ),
    yes_no(5, "Do you ever feel bad or guilty about your drug use?"),
    yes_no(
        6,
        "Does your spouse (or parents) ever complain about your involvement with drugs?",
    ),
    yes_no(
        7,
        "Have you neglected your family because of your use of drugs?",
    ),
    yes_no(
        8,
        "Have you engaged in illegal activities in order to obtain drugs?",
    ),
    yes_no(
        9,
        "Have you ever experienced withdrawal symptoms (felt sick) when you stopped taking drugs?",
    ),
    yes_no(
        10,
        "Have you had medical problems as a result of your drug use?",
    ),
];

/// The DAST-10 question answered "no" by the people at risk.
const DAST10_REVERSED_ITEM: usize = 3;

/// The C-SSRS question on suicidal behavior, and its follow-up's key.
const CSSRS_BEHAVIOR_ITEM: usize = 6;
const CSSRS_RECENT_KEY: &str = "6_recent";

static CSSRS: [ItemDef; 7] = [
    yes_no(
        1,
        "Wish to be dead: wished you were dead or wished you could go to sleep and not wake up (past month)",
    ),
    yes_no(
        2,
        "Suicidal thoughts: actually had any thoughts of killing yourself (past month)",
    ),
    yes_no(
        3,
        "Suicidal thoughts with method: thought about how you might do this (past month)",
    ),
    yes_no(
        4,
        "Suicidal intent without specific plan: had some intention of acting on these thoughts (past month)",
    ),
    yes_no(
        5,
        "Suicidal intent with specific plan: started to work out or worked out the details of how to kill yourself, and intend to carry out this plan (past month)",
    ),
    yes_no(
        6,
        "Suicidal behavior: ever done anything, started to do anything, or prepared to do anything to end your life",
    ),
    ItemDef {
        key: CSSRS_RECENT_KEY,
        number: 6,
        text: "Was this within the past 3 months?",
        answer: AnswerType::YesNo,
    },
];

static AHC_HRSN: [ItemDef; 10] = [
    scale(1, "Living situation today", LivingSituation::CHOICES),
    checklist(
        2,
        "Problems with the place you live",
        HousingProblem::CHOICES,
        "none of the above",
    ),
    scale(
        3,
        "Worried that food would run out before there was money to buy more (past 12 months)",
        FoodInsecurity::CHOICES,
    ),
    scale(
        4,
        "Food bought just didn't last and there was no money to get more (past 12 months)",
        FoodInsecurity::CHOICES,
    ),
    checklist(
        5,
        "Lack of reliable transportation kept you from medical appointments, meetings, work, or getting things needed for daily living (past 12 months)",
        TransportationBarrier::CHOICES,
        "no",
    ),
    scale(
        6,
        "The electric, gas, oil, or water company threatened to shut off services in your home (past 12 months)",
        UtilityShutoff::CHOICES,
    ),
    scale(
        7,
        "How often anyone, including family and friends, physically hurts you",
        HarmFrequency::CHOICES,
    ),
    scale(
        8,
        "How often anyone, including family and friends, insults or talks down to you",
        HarmFrequency::CHOICES,
    ),
    scale(
        9,
        "How often anyone, including family and friends, threatens you with harm",
        HarmFrequency::CHOICES,
    ),
    scale(
        10,
        "How often anyone, including family and friends, screams or curses at you",
        HarmFrequency::CHOICES,
    ),
];

/// The most questions any instrument has.
const MAX_ITEMS: usize = 10;

/// One answer as sent: an integer, a boolean or a list of integers, as
/// the question it answers takes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!(2)))]
pub enum AnswerValue {
    /// A scaled item: the number of the answer given (PHQ-9, PHQ-2 and
    /// GAD-7 0 = not at all … 3 = nearly every day; AUDIT-C 0–4; the AHC
    /// HRSN's single-choice items as listed).
    Code(i64),
    /// A yes/no item: `true` is yes, as asked (DAST-10 item 3 too — the
    /// server applies its reversal; C-SSRS items 1–6 and `6_recent`).
    YesNo(bool),
    /// A "check all that apply" item (AHC HRSN items 2 and 5): the numbers
    /// of the boxes checked, each once, in any order; `[]` is "none of the
    /// above" (item 2) or "no" (item 5).
    Codes(Vec<i64>),
}

impl AnswerValue {
    /// "1", "true or false", "a list": what was sent, for "not …" in a
    /// message.
    fn kind_phrase(&self) -> String {
        match self {
            AnswerValue::Code(code) => code.to_string(),
            AnswerValue::YesNo(_) => "true or false".into(),
            AnswerValue::Codes(_) => "a list".into(),
        }
    }
}

impl fmt::Display for AnswerValue {
    /// As JSON writes it: `2`, `true`, `[2, 7]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnswerValue::Code(code) => write!(f, "{code}"),
            AnswerValue::YesNo(yes) => write!(f, "{yes}"),
            AnswerValue::Codes(codes) => {
                let listed: Vec<String> = codes.iter().map(i64::to_string).collect();
                write!(f, "[{}]", listed.join(", "))
            }
        }
    }
}

impl From<i64> for AnswerValue {
    fn from(code: i64) -> AnswerValue {
        AnswerValue::Code(code)
    }
}

impl From<i32> for AnswerValue {
    fn from(code: i32) -> AnswerValue {
        AnswerValue::Code(code.into())
    }
}

impl From<i16> for AnswerValue {
    fn from(code: i16) -> AnswerValue {
        AnswerValue::Code(code.into())
    }
}

impl From<bool> for AnswerValue {
    fn from(yes: bool) -> AnswerValue {
        AnswerValue::YesNo(yes)
    }
}

impl From<Vec<i64>> for AnswerValue {
    fn from(codes: Vec<i64>) -> AnswerValue {
        AnswerValue::Codes(codes)
    }
}

/// What a 422 says an answer should have been, when it is none of the
/// three (a string, a fraction, `null`, an object).
const EXPECTED_ANSWER: &str = concat!(
    "an answer: a whole number, true or false, or a list of whole numbers ",
    "(leave out an item that was skipped)"
);

impl<'de> Deserialize<'de> for AnswerValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<AnswerValue, D::Error> {
        struct AnswerVisitor;

        impl<'de> Visitor<'de> for AnswerVisitor {
            type Value = AnswerValue;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(EXPECTED_ANSWER)
            }

            fn visit_bool<E: de::Error>(self, yes: bool) -> Result<AnswerValue, E> {
                Ok(AnswerValue::YesNo(yes))
            }

            fn visit_i64<E: de::Error>(self, code: i64) -> Result<AnswerValue, E> {
                Ok(AnswerValue::Code(code))
            }

            fn visit_u64<E: de::Error>(self, code: u64) -> Result<AnswerValue, E> {
                i64::try_from(code)
                    .map(AnswerValue::Code)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(code), &self))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AnswerValue, A::Error> {
                Err(refuse_map(&mut map, &self))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AnswerValue, A::Error> {
                let mut codes = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16));
                while let Some(BoxNumber(code)) = seq.next_element()? {
                    codes.push(code);
                }
                Ok(AnswerValue::Codes(codes))
            }
        }

        deserializer.deserialize_any(AnswerVisitor)
    }
}

/// Refuses an object where a number or list was expected. `serde_json`'s
/// `arbitrary_precision` (which the FHIR model turns on in the server) hands
/// a fraction to a visitor as a one-entry map holding its digits: that one
/// is refused as the fraction it is, like without the feature.
fn refuse_map<'de, A: MapAccess<'de>>(map: &mut A, expected: &dyn de::Expected) -> A::Error {
    match map.next_key::<String>() {
        Ok(Some(key)) if key == "$serde_json::private::Number" => {
            match map.next_value::<String>() {
                Ok(digits) => match digits.parse::<f64>() {
                    Ok(f) => de::Error::invalid_type(de::Unexpected::Float(f), expected),
                    Err(_) => de::Error::invalid_type(de::Unexpected::Other("number"), expected),
                },
                Err(e) => e,
            }
        }
        Ok(_) => de::Error::invalid_type(de::Unexpected::Map, expected),
        Err(e) => e,
    }
}

/// One number in a checklist's list.
struct BoxNumber(i64);

impl<'de> Deserialize<'de> for BoxNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<BoxNumber, D::Error> {
        struct BoxVisitor;

        impl<'de> Visitor<'de> for BoxVisitor {
            type Value = BoxNumber;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("the number of a box checked")
            }

            fn visit_i64<E: de::Error>(self, code: i64) -> Result<BoxNumber, E> {
                Ok(BoxNumber(code))
            }

            fn visit_u64<E: de::Error>(self, code: u64) -> Result<BoxNumber, E> {
                i64::try_from(code)
                    .map(BoxNumber)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(code), &self))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<BoxNumber, A::Error> {
                Err(refuse_map(&mut map, &self))
            }
        }

        deserializer.deserialize_any(BoxVisitor)
    }
}

/// A screening's answers: a JSON object keyed by item number as a string
/// (`"1"`, `"2"`, …; the C-SSRS adds `"6_recent"`).
///
/// - Scaled items (PHQ-9, PHQ-2, GAD-7, AUDIT-C, the AHC HRSN's
///   single-choice items) are integers: the number of the answer given.
/// - Yes/no items (DAST-10, C-SSRS items 1–6) are booleans, `true` for
///   yes as asked; DAST-10 item 3's reversal is the server's.
/// - C-SSRS `"6_recent"` (was the behavior within the past 3 months?) is
///   a boolean required when item 6 is `true`, and absent or `false`
///   otherwise.
/// - AHC HRSN items 2 and 5 ("check all that apply") are lists of the
///   numbers of the boxes checked; `[]` is "none of the above" / "no".
///
/// Skipped items are left out: C-SSRS items 3–5 when item 2 is `false`,
/// AUDIT-C items 2–3 when item 1 is 0 (never). Any other missing item, a
/// key the instrument lacks, a value of the wrong type or out of range is
/// a 422 naming `answers.<key>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!(
    {"1": 1, "2": 2, "3": 1, "4": 2, "5": 0, "6": 1, "7": 1, "8": 0, "9": 1}
)))]
pub struct Answers(BTreeMap<String, AnswerValue>);

impl Answers {
    /// No answers yet.
    pub fn new() -> Answers {
        Answers::default()
    }

    /// The answer under `key`.
    pub fn get(&self, key: &str) -> Option<&AnswerValue> {
        self.0.get(key)
    }

    /// Sets the answer under `key`, returning the one it replaces.
    pub fn insert(
        &mut self,
        key: impl Into<String>,
        value: impl Into<AnswerValue>,
    ) -> Option<AnswerValue> {
        self.0.insert(key.into(), value.into())
    }

    /// These answers with `key` set to `value`.
    #[must_use]
    pub fn with(mut self, key: impl Into<String>, value: impl Into<AnswerValue>) -> Answers {
        self.insert(key, value);
        self
    }

    /// Takes out the answer under `key`.
    pub fn remove(&mut self, key: &str) -> Option<AnswerValue> {
        self.0.remove(key)
    }

    /// Every answer with its key, in the keys' string order ("10" before
    /// "2"); [`Instrument::items`] gives the order of the questions.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &AnswerValue)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// How many answers there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: Into<String>, V: Into<AnswerValue>> FromIterator<(K, V)> for Answers {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Answers {
        Answers(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl<'a> IntoIterator for &'a Answers {
    type Item = (&'a String, &'a AnswerValue);
    type IntoIter = std::collections::btree_map::Iter<'a, String, AnswerValue>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// `POST /api/v1/patients/{id}/screenings`: a screening given. The server
/// scores it; a total or band sent along is not a field of this request.
///
/// Its schema is one object per instrument (`oneOf`, by `instrument`),
/// each naming the instrument's items and the answers each takes, so a
/// client (or a generator) sees exactly what the server scores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewScreening {
    /// The instrument given: `phq9`, `phq2`, `gad7`, `audit_c`, `dast10`,
    /// `cssrs` (the C-SSRS screener) or `ahc_hrsn`.
    pub instrument: Instrument,
    /// When it was given; not in the future.
    pub administered_at: DateTime<Utc>,
    /// The answers, keyed by item number as a string: integers for scaled
    /// items, booleans for yes/no items, lists of box numbers for "check
    /// all that apply" items (see the `Answers` schema).
    pub answers: Answers,
}

/// Whether an instrument's skip logic may leave `def` out: C-SSRS items
/// 3–5 (asked after a "yes" to item 2), follow-ups such as `6_recent`, and
/// AUDIT-C items 2–3 (not asked of someone who never drinks). Which of
/// them must be answered depends on other answers, so they are not
/// `required` in the schema.
pub fn may_be_skipped(instrument: Instrument, def: &ItemDef) -> bool {
    def.is_follow_up()
        || matches!(
            (instrument, def.number),
            (Instrument::Cssrs, 3..=5) | (Instrument::AuditC, 2 | 3)
        )
}

#[cfg(feature = "openapi")]
mod new_screening_schema {
    use std::borrow::Cow;

    use utoipa::openapi::schema::{
        AdditionalProperties, ArrayBuilder, Discriminator, ObjectBuilder, OneOfBuilder, Schema,
        SchemaFormat, Type,
    };
    use utoipa::openapi::{KnownFormat, RefOr};

    use super::{AnswerType, Instrument, NewScreening, may_be_skipped};

    fn codes(choices: &[super::Choice]) -> Vec<serde_json::Value> {
        choices.iter().map(|c| serde_json::json!(c.value)).collect()
    }

    fn answer_schema(answer: &AnswerType, text: &str) -> Schema {
        match answer {
            AnswerType::Scale { choices } => ObjectBuilder::new()
                .schema_type(Type::Integer)
                .enum_values(Some(codes(choices)))
                .description(Some(text))
                .into(),
            AnswerType::YesNo => ObjectBuilder::new()
                .schema_type(Type::Boolean)
                .description(Some(format!("{text} (true: yes)")))
                .into(),
            AnswerType::Checklist { boxes, .. } => ArrayBuilder::new()
                .items(
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .enum_values(Some(codes(boxes))),
                )
                .unique_items(true)
                .description(Some(format!("{text} (the boxes checked; [] for none)")))
                .into(),
        }
    }

    fn variant(instrument: Instrument) -> Schema {
        let mut answers = ObjectBuilder::new()
            .schema_type(Type::Object)
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .description(Some(format!(
                "The {} answers, keyed by item",
                instrument.label()
            )));
        for def in instrument.items() {
            answers = answers.property(def.key, answer_schema(&def.answer, def.text));
            if !may_be_skipped(instrument, def) {
                answers = answers.required(def.key);
            }
        }
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .title(Some(instrument.label()))
            .property(
                "instrument",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some([instrument.as_ref()]))
                    .description(Some(instrument.label())),
            )
            .required("instrument")
            .property(
                "administered_at",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                    .description(Some("When it was given; not in the future")),
            )
            .required("administered_at")
            .property("answers", answers)
            .required("answers")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .into()
    }

    impl utoipa::PartialSchema for NewScreening {
        fn schema() -> RefOr<Schema> {
            let mut one_of = OneOfBuilder::new()
                .discriminator(Some(Discriminator::new("instrument")))
                .description(Some(
                    "A screening given: the instrument, when, and the answers keyed by item \
                     (integers for scaled items, booleans for yes/no items, lists of box \
                     numbers for \"check all that apply\" items). The server scores it.",
                ))
                .examples([serde_json::json!({
                    "instrument": "phq9", "administered_at": "2026-03-02T09:30:00Z",
                    "answers": {"1": 1, "2": 2, "3": 1, "4": 2, "5": 0, "6": 1, "7": 1, "8": 0, "9": 1}
                })]);
            for &instrument in <Instrument as strum::VariantArray>::VARIANTS {
                one_of = one_of.item(variant(instrument));
            }
            RefOr::T(Schema::OneOf(one_of.build()))
        }
    }

    impl utoipa::ToSchema for NewScreening {
        fn name() -> Cow<'static, str> {
            Cow::Borrowed("NewScreening")
        }
    }
}

impl NewScreening {
    /// Scores it (see [`score`]).
    pub fn score(&self, context: &ScoringContext) -> Result<ScreeningResult, Vec<ItemError>> {
        score(self.instrument, &self.answers, context)
    }
}

impl Normalize for NewScreening {}

/// The rules of a screening: given no later than now, and answers the
/// instrument can score, each failing answer reported on `answers.<key>`.
impl<'a> ValidateArgs<'a> for NewScreening {
    type Args = &'a Context;

    fn validate_with_args(&self, ctx: &'a Context) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if self.administered_at > ctx.now + crate::validation::CLOCK_SKEW {
            errors.add(
                "administered_at",
                invalid("future", "must not be in the future"),
            );
        }
        if let Err(items) = check(self.instrument, &self.answers) {
            let mut answers = ValidationErrors::new();
            for item in items {
                let error =
                    ValidationError::new(item.kind.code()).with_message(Cow::Owned(item.message));
                let entry = answers
                    .errors_mut()
                    .entry(Cow::Owned(item.key))
                    .or_insert_with(|| ValidationErrorsKind::Field(Vec::new()));
                if let ValidationErrorsKind::Field(list) = entry {
                    list.push(error);
                }
            }
            errors.errors_mut().insert(
                Cow::Borrowed("answers"),
                ValidationErrorsKind::Struct(Box::new(answers)),
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// What scoring needs to know besides the answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScoringContext {
    /// The patient's sex, which sets the AUDIT-C cut-off. Unknown (`None`,
    /// `unknown` or `other`) uses the lower, women's cut-off of 3, so that
    /// a missing demographic never hides a positive screen.
    pub sex: Option<Sex>,
}

code_enum! {
    /// A severity band or screening result. Each instrument uses its own
    /// subset: PHQ-9 `minimal | mild |
    /// moderate | moderately_severe | severe`; GAD-7 `minimal | mild |
    /// moderate | severe`; DAST-10 `none | low | moderate | substantial |
    /// severe`; C-SSRS `negative | low | moderate | high`; PHQ-2, AUDIT-C
    /// and AHC HRSN `negative | positive`.
    pub enum ScreeningSeverity {
        /// Screen negative (PHQ-2, AUDIT-C, C-SSRS all no, AHC HRSN).
        Negative,
        /// Screen positive (PHQ-2, AUDIT-C, AHC HRSN).
        Positive,
        /// No problems reported (DAST-10 0).
        None,
        /// Minimal (PHQ-9, GAD-7 0–4).
        Minimal,
        /// Mild (PHQ-9, GAD-7 5–9).
        Mild,
        /// Low (DAST-10 1–2; C-SSRS yes to items 1 or 2 only).
        Low,
        /// Moderate (PHQ-9, GAD-7 10–14; DAST-10 3–5; C-SSRS item 3, or item 6 longer ago).
        Moderate,
        /// Moderately severe (PHQ-9 15–19).
        ModeratelySevere,
        /// Substantial (DAST-10 6–8).
        Substantial,
        /// High risk (C-SSRS items 4 or 5, or item 6 within the past 3 months).
        High,
        /// Severe (PHQ-9 20–27, GAD-7 15–21, DAST-10 9–10).
        Severe,
    }
}

impl ScreeningSeverity {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            ScreeningSeverity::Negative => "Negative",
            ScreeningSeverity::Positive => "Positive",
            ScreeningSeverity::None => "None",
            ScreeningSeverity::Minimal => "Minimal",
            ScreeningSeverity::Mild => "Mild",
            ScreeningSeverity::Low => "Low",
            ScreeningSeverity::Moderate => "Moderate",
            ScreeningSeverity::ModeratelySevere => "Moderately severe",
            ScreeningSeverity::Substantial => "Substantial",
            ScreeningSeverity::High => "High",
            ScreeningSeverity::Severe => "Severe",
        }
    }
}

/// The totals one band covers, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BandRange {
    /// The band.
    pub severity: ScreeningSeverity,
    /// Lowest total in the band.
    pub min: i32,
    /// Highest total in the band.
    pub max: i32,
}

const fn band(severity: ScreeningSeverity, min: i32, max: i32) -> BandRange {
    BandRange { severity, min, max }
}

/// An instrument's bands by total, lowest first: the table scoring uses
/// and a trend chart draws behind the line. Empty for the C-SSRS screener
/// and the AHC HRSN, which have no total. AUDIT-C's depend on `context`.
pub fn bands(instrument: Instrument, context: &ScoringContext) -> Vec<BandRange> {
    match instrument {
        Instrument::Phq9 => vec![
            band(ScreeningSeverity::Minimal, 0, 4),
            band(ScreeningSeverity::Mild, 5, 9),
            band(ScreeningSeverity::Moderate, 10, 14),
            band(ScreeningSeverity::ModeratelySevere, 15, 19),
            band(ScreeningSeverity::Severe, 20, 27),
        ],
        Instrument::Phq2 => vec![
            band(ScreeningSeverity::Negative, 0, 2),
            band(ScreeningSeverity::Positive, 3, 6),
        ],
        Instrument::Gad7 => vec![
            band(ScreeningSeverity::Minimal, 0, 4),
            band(ScreeningSeverity::Mild, 5, 9),
            band(ScreeningSeverity::Moderate, 10, 14),
            band(ScreeningSeverity::Severe, 15, 21),
        ],
        Instrument::AuditC => {
            let cutoff = audit_c_cutoff(context.sex);
            vec![
                band(ScreeningSeverity::Negative, 0, cutoff - 1),
                band(ScreeningSeverity::Positive, cutoff, 12),
            ]
        }
        Instrument::Dast10 => vec![
            band(ScreeningSeverity::None, 0, 0),
            band(ScreeningSeverity::Low, 1, 2),
            band(ScreeningSeverity::Moderate, 3, 5),
            band(ScreeningSeverity::Substantial, 6, 8),
            band(ScreeningSeverity::Severe, 9, 10),
        ],
        Instrument::Cssrs | Instrument::AhcHrsn => Vec::new(),
    }
}

/// The total from which a screen is positive, for instruments with a total
/// (see the module's table).
pub fn positive_cutoff(instrument: Instrument, context: &ScoringContext) -> Option<i32> {
    match instrument {
        Instrument::Phq9 | Instrument::Gad7 => Some(10),
        Instrument::Phq2 | Instrument::Dast10 => Some(3),
        Instrument::AuditC => Some(audit_c_cutoff(context.sex)),
        Instrument::Cssrs | Instrument::AhcHrsn => None,
    }
}

/// The AUDIT-C total from which a screen is positive: 4 for men, 3 for
/// women. When sex is not known (or is neither), 3: the lower cut-off
/// misses no one the higher one would catch.
pub fn audit_c_cutoff(sex: Option<Sex>) -> i32 {
    match sex {
        Some(Sex::Male) => 4,
        Some(Sex::Female | Sex::Other | Sex::Unknown) | None => 3,
    }
}

code_enum! {
    /// Something in the answers the care team must act on.
    pub enum Flag {
        /// A suicide-risk answer (PHQ-9 item 9 > 0, or a high-risk C-SSRS):
        /// a safety alert and a same-day safety follow-up.
        SuicideRisk,
        /// A positive PHQ-2: give a PHQ-9.
        AdministerPhq9,
    }
}

/// Why a flag was raised, quoting the answers that raised it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "flag": "suicide_risk",
    "reason": "PHQ-9 item 9 (thoughts that you would be better off dead or of hurting yourself in some way): several days"
})))]
pub struct FlagReason {
    /// The flag.
    pub flag: Flag,
    /// Why, quoting the answers, in words a care manager reads.
    pub reason: String,
}

code_enum! {
    /// An AHC HRSN core domain; a positive one becomes a social need on the
    /// care plan.
    pub enum SocialDomain {
        /// Housing instability or poor housing quality (items 1–2).
        Housing,
        /// Food insecurity (items 3–4).
        Food,
        /// Transportation problems (item 5).
        Transportation,
        /// Utility shut-off, threatened or done (item 6).
        Utilities,
        /// Interpersonal safety (items 7–10).
        Safety,
    }
}

impl SocialDomain {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            SocialDomain::Housing => "Housing",
            SocialDomain::Food => "Food",
            SocialDomain::Transportation => "Transportation",
            SocialDomain::Utilities => "Utilities",
            SocialDomain::Safety => "Interpersonal safety",
        }
    }
}

/// A positive AHC HRSN domain, and the answers that made it so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "domain": "food",
    "reason": "AHC HRSN item 3 (worried that food would run out before there was money to buy more (past 12 months)): often true"
})))]
pub struct SocialNeed {
    /// The domain.
    pub domain: SocialDomain,
    /// Why, quoting the answers.
    pub reason: String,
}

/// An instrument's LOINC codes (DESIGN §4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"panel": "44249-1", "total": "44261-6"})))]
pub struct Loinc {
    /// The questionnaire's code; `null` for DAST-10, which has none.
    pub panel: Option<String>,
    /// The total score's code; `null` for the C-SSRS screener and the AHC
    /// HRSN, which have no total.
    pub total: Option<String>,
}

impl Loinc {
    /// The codes of `instrument`.
    pub fn of(instrument: Instrument) -> Loinc {
        Loinc {
            panel: instrument.loinc_panel().map(str::to_string),
            total: instrument.loinc_total().map(str::to_string),
        }
    }
}

/// A screening's score, always computed by the server from the answers
/// (the SPA computes the same to show it live): what a screening record
/// carries besides who, when and the answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "total": 9, "severity": "mild", "positive": false, "flags": ["suicide_risk"],
    "reasons": [{"flag": "suicide_risk", "reason": "PHQ-9 item 9 (thoughts that you would be better off dead or of hurting yourself in some way): several days"}],
    "social_needs": [], "loinc": {"panel": "44249-1", "total": "44261-6"}
})))]
pub struct ScreeningResult {
    /// The total score; `null` for the C-SSRS screener and the AHC HRSN,
    /// which have none.
    pub total: Option<i32>,
    /// The band, triage level or screen result. PHQ-9: `minimal | mild |
    /// moderate | moderately_severe | severe`; GAD-7: `minimal | mild |
    /// moderate | severe`; DAST-10: `none | low | moderate | substantial |
    /// severe`; C-SSRS: `negative | low | moderate | high`; PHQ-2, AUDIT-C,
    /// AHC HRSN: `negative | positive`.
    pub severity: ScreeningSeverity,
    /// Whether the screen is positive: PHQ-9, GAD-7 from 10; PHQ-2,
    /// DAST-10 from 3; AUDIT-C from 4 for men, 3 otherwise; C-SSRS any
    /// risk; AHC HRSN any domain. A flag is raised whatever this says.
    pub positive: bool,
    /// What the care team must act on: `suicide_risk` (PHQ-9 item 9 above
    /// 0, or a high-risk C-SSRS), `administer_phq9` (PHQ-2 of 3 or more).
    pub flags: Vec<Flag>,
    /// Why each flag was raised, quoting the answers; one per flag, in
    /// the same order.
    pub reasons: Vec<FlagReason>,
    /// Positive AHC HRSN domains, each with its reason (empty for other
    /// instruments).
    pub social_needs: Vec<SocialNeed>,
    /// The instrument's LOINC codes.
    pub loinc: Loinc,
}

impl ScreeningResult {
    /// Whether a suicide-risk flag was raised.
    pub fn has_suicide_risk(&self) -> bool {
        self.flags.contains(&Flag::SuicideRisk)
    }

    /// The reason quoted for `flag`, if it was raised.
    pub fn reason(&self, flag: Flag) -> Option<&str> {
        self.reasons
            .iter()
            .find(|r| r.flag == flag)
            .map(|r| r.reason.as_str())
    }

    fn raise(&mut self, flag: Flag, reason: String) {
        self.flags.push(flag);
        self.reasons.push(FlagReason { flag, reason });
    }
}

code_enum! {
    /// What is wrong with an answer.
    pub enum ItemErrorKind {
        /// A question that must be answered has no answer.
        Missing,
        /// The instrument has no question with that key.
        UnknownItem,
        /// A boolean where a number is expected, a number where a boolean
        /// is, a list for a single answer or the reverse.
        WrongType,
        /// The value is not one of the question's answers (or boxes).
        OutOfRange,
        /// A checklist lists the same box more than once.
        Duplicate,
        /// The answer contradicts another (C-SSRS `6_recent` yes when item
        /// 6 is no).
        Inconsistent,
    }
}

impl ItemErrorKind {
    /// The code, borrowed for as long as the program runs.
    fn code(self) -> &'static str {
        match self {
            ItemErrorKind::Missing => "missing",
            ItemErrorKind::UnknownItem => "unknown_item",
            ItemErrorKind::WrongType => "wrong_type",
            ItemErrorKind::OutOfRange => "out_of_range",
            ItemErrorKind::Duplicate => "duplicate",
            ItemErrorKind::Inconsistent => "inconsistent",
        }
    }
}

/// One answer that cannot be scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "field": "answers.9", "key": "9", "kind": "out_of_range",
    "message": "item 9 (thoughts that you would be better off dead or of hurting yourself in some way): 4 is not one of its answers (0 = not at all, 1 = several days, 2 = more than half the days, 3 = nearly every day)"
})))]
pub struct ItemError {
    /// The request field: `answers.<key>` (`answers.9`, `answers.6_recent`).
    pub field: String,
    /// The answer's key, as sent or as the instrument names it.
    pub key: String,
    /// What is wrong.
    pub kind: ItemErrorKind,
    /// What is wrong, in words a care manager can act on.
    pub message: String,
}

impl ItemError {
    fn new(key: &str, kind: ItemErrorKind, message: String) -> ItemError {
        ItemError {
            field: format!("answers.{key}"),
            key: key.to_string(),
            kind,
            message,
        }
    }
}

impl From<ItemError> for crate::problem::FieldError {
    fn from(e: ItemError) -> Self {
        crate::problem::FieldError::new(e.field, e.message)
    }
}

/// The checked answers, by question number, in their internal form: a
/// scaled item's code, 0 or 1 for a yes/no item, a checklist's boxes as
/// bits (box `n` is bit `n - 1`), and for C-SSRS item 6 the
/// [`SuicidalBehavior`] code that items 6 and `6_recent` make together.
#[derive(Debug, Clone, Copy)]
struct Checked([Option<i16>; MAX_ITEMS]);

impl Checked {
    fn get(&self, item: usize) -> Option<i16> {
        self.0[item - 1]
    }

    fn is(&self, item: usize, code: i16) -> bool {
        self.get(item) == Some(code)
    }

    fn sum(&self, items: std::ops::RangeInclusive<usize>) -> i32 {
        items.filter_map(|n| self.get(n)).map(i32::from).sum()
    }
}

/// Scores a screening: checks every answer and computes the total, band,
/// flags and social needs. Every problem is reported at once, each naming
/// its `answers.<key>`, so a form can mark them all.
pub fn score(
    instrument: Instrument,
    answers: &Answers,
    context: &ScoringContext,
) -> Result<ScreeningResult, Vec<ItemError>> {
    let answers = check(instrument, answers)?;
    let mut scored = ScreeningResult {
        total: None,
        severity: ScreeningSeverity::Negative,
        positive: false,
        flags: Vec::new(),
        reasons: Vec::new(),
        social_needs: Vec::new(),
        loinc: Loinc::of(instrument),
    };
    match instrument {
        Instrument::Phq9 | Instrument::Phq2 | Instrument::Gad7 | Instrument::AuditC => {
            let total = answers.sum(1..=MAX_ITEMS);
            banded(&mut scored, instrument, total, *context);
        }
        Instrument::Dast10 => {
            let total = (1..=instrument.item_count())
                .filter(|&n| {
                    let yes = answers.is(n, YesNo::Yes.code());
                    if n == DAST10_REVERSED_ITEM { !yes } else { yes }
                })
                .count();
            banded(
                &mut scored,
                instrument,
                i32::try_from(total).unwrap_or(i32::MAX),
                *context,
            );
        }
        Instrument::Cssrs => cssrs(&mut scored, &answers),
        Instrument::AhcHrsn => ahc_hrsn(&mut scored, &answers),
    }
    if instrument == Instrument::Phq9 {
        phq9_safety(&mut scored, &answers);
    }
    if instrument == Instrument::Phq2 && scored.positive {
        let total = scored.total.unwrap_or_default();
        scored.raise(
            Flag::AdministerPhq9,
            format!("PHQ-2 total {total} (3 or more is positive): give a PHQ-9"),
        );
    }
    Ok(scored)
}

fn banded(
    scored: &mut ScreeningResult,
    instrument: Instrument,
    total: i32,
    context: ScoringContext,
) {
    scored.total = Some(total);
    scored.severity = bands(instrument, &context)
        .iter()
        .find(|b| (b.min..=b.max).contains(&total))
        .map_or(ScreeningSeverity::Negative, |b| b.severity);
    scored.positive = positive_cutoff(instrument, &context).is_some_and(|cut| total >= cut);
}

fn phq9_safety(scored: &mut ScreeningResult, answers: &Checked) {
    if let Some(value) = answers.get(PHQ9_SUICIDE_ITEM).filter(|v| *v > 0) {
        scored.raise(
            Flag::SuicideRisk,
            quote(
                Instrument::Phq9,
                &[(
                    PHQ9_SUICIDE_ITEM,
                    words(Instrument::Phq9, PHQ9_SUICIDE_ITEM, value),
                )],
            ),
        );
    }
}

fn cssrs(scored: &mut ScreeningResult, answers: &Checked) {
    let yes = |n: usize| answers.is(n, YesNo::Yes.code());
    let behavior = answers
        .get(CSSRS_BEHAVIOR_ITEM)
        .and_then(SuicidalBehavior::from_code)
        .unwrap_or(SuicidalBehavior::No);
    let recent = behavior == SuicidalBehavior::YesWithinThreeMonths;
    scored.severity = if yes(4) || yes(5) || recent {
        ScreeningSeverity::High
    } else if yes(3) || behavior == SuicidalBehavior::YesLongerAgo {
        ScreeningSeverity::Moderate
    } else if yes(1) || yes(2) {
        ScreeningSeverity::Low
    } else {
        ScreeningSeverity::Negative
    };
    scored.positive = scored.severity != ScreeningSeverity::Negative;
    if scored.severity == ScreeningSeverity::High {
        let mut quoted: Vec<(usize, String)> = [4, 5]
            .into_iter()
            .filter(|&n| yes(n))
            .map(|n| (n, YesNo::Yes.label().to_string()))
            .collect();
        if recent {
            quoted.push((CSSRS_BEHAVIOR_ITEM, behavior.label().to_string()));
        }
        scored.raise(Flag::SuicideRisk, quote(Instrument::Cssrs, &quoted));
    }
}

/// The HITS sum (items 7–10) from which interpersonal safety is positive.
const AHC_SAFETY_CUTOFF: i32 = 11;

fn ahc_hrsn(scored: &mut ScreeningResult, answers: &Checked) {
    let positive_items =
        |items: &[usize], positive: &dyn Fn(i16) -> bool| -> Vec<(usize, String)> {
            items
                .iter()
                .filter_map(|&n| {
                    answers
                        .get(n)
                        .filter(|&v| positive(v))
                        .map(|v| (n, words(Instrument::AhcHrsn, n, v)))
                })
                .collect()
        };
    // A checklist is positive with any box checked.
    let any_box = |boxes: i16| boxes != 0;
    let mut domains = vec![
        (
            SocialDomain::Housing,
            [
                positive_items(&[1], &|v| v != LivingSituation::Steady.code()),
                positive_items(&[2], &any_box),
            ]
            .concat(),
        ),
        (
            SocialDomain::Food,
            positive_items(&[3, 4], &|v| v != FoodInsecurity::NeverTrue.code()),
        ),
        (SocialDomain::Transportation, positive_items(&[5], &any_box)),
        (
            SocialDomain::Utilities,
            positive_items(&[6], &|v| v != UtilityShutoff::No.code()),
        ),
    ];
    domains.retain(|(_, quoted)| !quoted.is_empty());
    scored.social_needs = domains
        .into_iter()
        .map(|(domain, quoted)| SocialNeed {
            domain,
            reason: quote(Instrument::AhcHrsn, &quoted),
        })
        .collect();
    let safety = answers.sum(7..=10);
    if safety >= AHC_SAFETY_CUTOFF {
        scored.social_needs.push(SocialNeed {
            domain: SocialDomain::Safety,
            reason: format!(
                "AHC HRSN interpersonal safety items 7 to 10 add up to {safety} \
                 ({AHC_SAFETY_CUTOFF} or more is positive)"
            ),
        });
    }
    scored.positive = !scored.social_needs.is_empty();
    scored.severity = if scored.positive {
        ScreeningSeverity::Positive
    } else {
        ScreeningSeverity::Negative
    };
}

/// The words of question `n`'s checked answer `code`.
fn words(instrument: Instrument, n: usize, code: i16) -> String {
    instrument
        .items()
        .get(n - 1)
        .map_or_else(|| code.to_string(), |def| def.describe_code(code))
}

/// "PHQ-9 item 9 (thoughts that …): several days; item …", from each
/// question's number and the words of its answer.
fn quote(instrument: Instrument, answers: &[(usize, String)]) -> String {
    let parts: Vec<String> = answers
        .iter()
        .filter_map(|(n, words)| {
            let def = instrument.items().get(n - 1)?;
            Some(format!("{}: {words}", def.phrase()))
        })
        .collect();
    format!("{} {}", instrument.label(), parts.join("; "))
}

/// Checks each answer against its question, that every question asked is
/// answered, and that no key names a question the instrument lacks. Errors
/// come in the order of the questions, then the unknown keys in key order.
fn check(instrument: Instrument, sent: &Answers) -> Result<Checked, Vec<ItemError>> {
    let mut checked = Checked([None; MAX_ITEMS]);
    let mut errors = Vec::new();
    for def in instrument.items() {
        let value = sent.get(def.key);
        let read = value.map(|v| def.read(v));
        if let Some(Err((kind, message))) = read {
            errors.push(ItemError::new(def.key, kind, message));
            continue;
        }
        let code = read.and_then(Result::ok);
        if def.is_follow_up() {
            if let Err((kind, message)) = follow_up(def, code, &mut checked) {
                errors.push(ItemError::new(def.key, kind, message));
            }
        } else if let Some(code) = code {
            checked.0[def.slot()] = Some(code);
        } else if let Some(message) = missing(instrument, def, &checked) {
            errors.push(ItemError::new(def.key, ItemErrorKind::Missing, message));
        }
    }
    let unknown = sent
        .iter()
        .filter(|(key, _)| instrument.item(key).is_none());
    for (key, _) in unknown {
        errors.push(ItemError::new(
            key,
            ItemErrorKind::UnknownItem,
            unknown_item(instrument, key),
        ));
    }
    if errors.is_empty() {
        Ok(checked)
    } else {
        Err(errors)
    }
}

fn unknown_item(instrument: Instrument, key: &str) -> String {
    let follow_ups: Vec<String> = instrument
        .items()
        .iter()
        .filter(|d| d.is_follow_up())
        .map(|d| format!(", and {} after item {}", d.key, d.number))
        .collect();
    format!(
        "{} has no item {key:?}; its items are numbered 1 to {}{}",
        instrument.label(),
        instrument.item_count(),
        follow_ups.concat()
    )
}

/// Folds the C-SSRS follow-up `6_recent` (`recent`: its checked answer,
/// if any) into item 6's answer: required when item 6 is yes, absent or
/// no otherwise. When item 6 itself is unanswered or wrong, that error is
/// enough.
fn follow_up(
    def: &ItemDef,
    recent: Option<i16>,
    checked: &mut Checked,
) -> Result<(), (ItemErrorKind, String)> {
    let slot = def.slot();
    let Some(ever) = checked.0[slot] else {
        return Ok(());
    };
    let ever = ever == YesNo::Yes.code();
    let (phrase, number) = (def.phrase(), def.number);
    match recent {
        None if ever => Err((
            ItemErrorKind::Missing,
            format!("{phrase} has no answer; it is asked whenever item {number} is yes"),
        )),
        None => Ok(()),
        Some(recent) => {
            let behavior = SuicidalBehavior::from_answers(ever, recent == YesNo::Yes.code())
                .ok_or_else(|| {
                    (
                        ItemErrorKind::Inconsistent,
                        format!(
                            "{phrase} is yes, but item {number} is no: answer item {number} \
                             yes, or leave its follow-up out"
                        ),
                    )
                })?;
            checked.0[slot] = Some(behavior.code());
            Ok(())
        }
    }
}

/// Why an unanswered question should have been answered; `None` when the
/// instrument's skip logic leaves it out.
fn missing(instrument: Instrument, def: &ItemDef, answers: &Checked) -> Option<String> {
    let phrase = def.phrase();
    match (instrument, usize::from(def.number.unsigned_abs())) {
        // Asked only after a "yes" to item 2. When item 2 is itself
        // unanswered or wrong, that error is enough.
        (Instrument::Cssrs, 3..=5) => answers
            .is(2, YesNo::Yes.code())
            .then(|| format!("{phrase} has no answer; it is asked whenever item 2 is yes")),
        // Someone who never drinks is not asked how much; the AUDIT's own
        // skip rule.
        (Instrument::AuditC, 2 | 3) => answers
            .get(1)
            .is_some_and(|v| v != DrinkingFrequency::Never.code())
            .then(|| format!("{phrase} has no answer; it is asked whenever item 1 is not never")),
        _ => Some(format!("{phrase} has no answer")),
    }
}
/// Whether a follow-up PHQ-9 shows a depression response: a drop of at
/// least half from an index PHQ-9 above 9 (the measure counts only people
/// who started with at least moderate depression).
pub fn depression_response(index_total: i32, followup_total: i32) -> bool {
    index_total > 9 && 2 * i64::from(followup_total) <= i64::from(index_total)
}

/// Whether a PHQ-9 total shows remission (below 5).
pub fn remission(total: i32) -> bool {
    total < 5
}

/// Days between routine PHQ-9s for active behavioral-health clients.
pub const PHQ9_ROUTINE_DAYS: u64 = 90;

/// How far either side of the 6- and 12-month marks a follow-up PHQ-9 counts.
pub const PHQ9_WINDOW_MARGIN_DAYS: u64 = 60;

/// The follow-up windows after an index PHQ-9 above 9: 6 months and 12
/// months after `index_date`, each ± 60 days, as `(first day, last day)`,
/// both included. "N months after" is the same day of the month N months
/// later, or that month's last day when it has no such day (31 August →
/// 28 or 29 February): the mark stays in the month it names.
pub fn phq9_windows_after_index(index_date: NaiveDate) -> [(NaiveDate, NaiveDate); 2] {
    [6, 12].map(|months| {
        let mark = index_date
            .checked_add_months(Months::new(months))
            .unwrap_or(NaiveDate::MAX);
        let margin = Days::new(PHQ9_WINDOW_MARGIN_DAYS);
        (
            mark.checked_sub_days(margin).unwrap_or(NaiveDate::MIN),
            mark.checked_add_days(margin).unwrap_or(NaiveDate::MAX),
        )
    })
}

/// Whether a routine PHQ-9 is due on `today`: never given, or given 90 or
/// more days ago.
pub fn phq9_routine_due(last: Option<NaiveDate>, today: NaiveDate) -> bool {
    last.is_none_or(|last| {
        last.checked_add_days(Days::new(PHQ9_ROUTINE_DAYS))
            .is_some_and(|due| today >= due)
    })
}

/// Who marked a screening entered in error, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnteredInError {
    /// When.
    pub at: DateTime<Utc>,
    /// The user who did it.
    pub by: Option<crate::ids::UserId>,
    /// Why ("wrong patient", "answers keyed from another form").
    pub reason: String,
}

/// A screening as the API returns it: who, when, the answers as given, and
/// the server's score of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Screening {
    /// Screening id.
    pub id: uuid::Uuid,
    /// The patient.
    pub patient_id: crate::ids::PatientId,
    /// The instrument.
    pub instrument: Instrument,
    /// When it was given.
    pub administered_at: DateTime<Utc>,
    /// The answers as given, keyed by item.
    pub answers: Answers,
    /// The server's score of the answers.
    #[serde(flatten)]
    pub result: ScreeningResult,
    /// Who recorded it (`null` for an integration's API key).
    pub recorded_by: Option<crate::ids::UserId>,
    /// Set when it was marked entered in error: it stays in the record but
    /// counts for nothing (trends, measures, rules).
    pub entered_in_error: Option<EnteredInError>,
    /// Version, for `If-Match`.
    pub version: i32,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v1/screenings/{id}/entered-in-error`: a wrong screening is
/// marked, never deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, validator::Validate)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"reason": "Recorded on the wrong patient", "version": 1})))]
pub struct EnteredInErrorRequest {
    /// Why it is wrong.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 500, message = "must be at most 500 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 500, pattern = r"\S")
    )]
    pub reason: String,
    /// The version you read (or send `If-Match`).
    #[serde(default)]
    pub version: Option<i32>,
}

impl Normalize for EnteredInErrorRequest {
    fn normalized(self) -> EnteredInErrorRequest {
        EnteredInErrorRequest {
            reason: self.reason.trim().to_string(),
            ..self
        }
    }
}

/// `GET /api/v1/patients/{id}/screenings` filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ScreeningListQuery {
    /// Only this instrument's history.
    #[serde(default)]
    pub instrument: Option<Instrument>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::VariantArray;

    const Y: bool = true;
    const N: bool = false;

    /// Scaled answers: `values[i]` under key `i + 1`.
    fn answers(values: &[i16]) -> Answers {
        (1..)
            .zip(values)
            .map(|(n, &v)| (n.to_string(), v))
            .collect()
    }

    /// Yes/no answers: `values[i]` under key `i + 1`.
    fn yes_no(values: &[bool]) -> Answers {
        (1..)
            .zip(values)
            .map(|(n, &v)| (n.to_string(), v))
            .collect()
    }

    fn v(value: impl Into<AnswerValue>) -> AnswerValue {
        value.into()
    }

    fn boxes(codes: &[i64]) -> AnswerValue {
        AnswerValue::Codes(codes.to_vec())
    }

    fn score_of(instrument: Instrument, sent: &Answers) -> ScreeningResult {
        score(instrument, sent, &ScoringContext::default())
            .unwrap_or_else(|e| panic!("{instrument} {sent:?}: {e:?}"))
    }

    fn scored(instrument: Instrument, values: &[i16]) -> ScreeningResult {
        score_of(instrument, &answers(values))
    }

    fn errors(instrument: Instrument, sent: &Answers) -> Vec<ItemError> {
        score(instrument, sent, &ScoringContext::default()).unwrap_err()
    }

    fn fields(e: &[ItemError]) -> Vec<(&str, ItemErrorKind)> {
        e.iter().map(|e| (e.field.as_str(), e.kind)).collect()
    }

    /// Answers to a 0–3 instrument adding up to `total`, filling item 1
    /// first, so the last item (PHQ-9's item 9) stays 0 as long as it can.
    fn frequency_answers(count: usize, total: i16) -> Vec<i16> {
        let mut left = total;
        (0..count)
            .map(|_| {
                let v = left.min(3);
                left -= v;
                v
            })
            .collect()
    }

    fn band_of(instrument: Instrument, total: i16) -> ScreeningSeverity {
        let count = instrument.item_count();
        let s = scored(instrument, &frequency_answers(count, total));
        assert_eq!(s.total, Some(i32::from(total)));
        s.severity
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn instruments_use_the_design_codes_on_the_wire() {
        let codes: Vec<String> = Instrument::VARIANTS
            .iter()
            .map(|i| {
                serde_json::to_value(i)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(
            codes,
            [
                "phq9", "phq2", "gad7", "audit_c", "dast10", "cssrs", "ahc_hrsn"
            ]
        );
        assert_eq!("audit_c".parse::<Instrument>().unwrap(), Instrument::AuditC);
        assert_eq!(
            serde_json::from_value::<Instrument>(serde_json::json!("cssrs")).unwrap(),
            Instrument::Cssrs
        );
        assert!(serde_json::from_value::<Instrument>(serde_json::json!("cssrs_screener")).is_err());
    }

    #[test]
    fn each_instrument_has_its_items_keyed_by_their_numbers_from_one() {
        let counts = [9, 2, 7, 3, 10, 6, 10];
        for (instrument, count) in Instrument::VARIANTS.iter().zip(counts) {
            assert_eq!(instrument.item_count(), count, "{instrument}");
            let numbered: Vec<_> = instrument
                .items()
                .iter()
                .filter(|d| !d.is_follow_up())
                .collect();
            for (i, def) in numbered.iter().enumerate() {
                assert_eq!(usize::try_from(def.number).unwrap(), i + 1, "{instrument}");
                assert_eq!(def.key, (i + 1).to_string(), "{instrument}");
            }
            for def in instrument.items() {
                assert_eq!(instrument.item(def.key), Some(def), "{instrument}");
                if let AnswerType::Scale { choices: some }
                | AnswerType::Checklist { boxes: some, .. } = def.answer
                {
                    assert!(!some.is_empty());
                }
            }
        }
        for key in ["0", "10", "09", " 9", "9 ", "+9", "-1", "9.0", ""] {
            assert!(Instrument::Phq9.item(key).is_none(), "{key:?}");
        }
        assert_eq!(Instrument::Phq9.item("9").unwrap().number, 9);
        // The one follow-up: C-SSRS 6_recent, right after item 6.
        let cssrs: Vec<&str> = Instrument::Cssrs.items().iter().map(|d| d.key).collect();
        assert_eq!(cssrs, ["1", "2", "3", "4", "5", "6", "6_recent"]);
        let recent = Instrument::Cssrs.item("6_recent").unwrap();
        assert!(recent.is_follow_up());
        assert_eq!((recent.number, recent.answer), (6, AnswerType::YesNo));
        assert_eq!(
            Instrument::VARIANTS
                .iter()
                .flat_map(|i| i.items())
                .filter(|d| d.is_follow_up())
                .count(),
            1
        );
    }

    #[test]
    fn items_are_answered_as_design_says_integers_booleans_and_lists() {
        let kind = |def: &ItemDef| match def.answer {
            AnswerType::Scale { .. } => "scale",
            AnswerType::YesNo => "yes_no",
            AnswerType::Checklist { .. } => "checklist",
        };
        for instrument in [
            Instrument::Phq9,
            Instrument::Phq2,
            Instrument::Gad7,
            Instrument::AuditC,
        ] {
            assert!(
                instrument.items().iter().all(|d| kind(d) == "scale"),
                "{instrument}"
            );
        }
        for instrument in [Instrument::Dast10, Instrument::Cssrs] {
            assert!(
                instrument.items().iter().all(|d| kind(d) == "yes_no"),
                "{instrument}"
            );
        }
        let ahc: Vec<&str> = Instrument::AhcHrsn.items().iter().map(kind).collect();
        assert_eq!(
            ahc,
            [
                "scale",
                "checklist",
                "scale",
                "scale",
                "checklist",
                "scale",
                "scale",
                "scale",
                "scale",
                "scale"
            ]
        );
        // AUDIT-C items run 0–4, PHQ and GAD 0–3 (DESIGN §4).
        for (instrument, top) in [
            (Instrument::Phq9, 3),
            (Instrument::Gad7, 3),
            (Instrument::AuditC, 4),
        ] {
            for def in instrument.items() {
                let AnswerType::Scale { choices } = def.answer else {
                    unreachable!()
                };
                let codes: Vec<i16> = choices.iter().map(|c| c.value).collect();
                assert_eq!(codes, (0..=top).collect::<Vec<_>>(), "{instrument}");
            }
        }
    }

    #[test]
    fn loinc_codes_are_the_ones_design_lists() {
        let codes: Vec<_> = Instrument::VARIANTS
            .iter()
            .map(|i| (i.loinc_panel(), i.loinc_total()))
            .collect();
        assert_eq!(
            codes,
            [
                (Some("44249-1"), Some("44261-6")),
                (Some("55757-9"), Some("55758-7")),
                (Some("69737-5"), Some("70274-6")),
                (Some("72109-2"), Some("75626-2")),
                (None, Some("82667-7")),
                (Some("93373-9"), None),
                (Some("96777-8"), None),
            ]
        );
        let s = scored(Instrument::Phq9, &[0; 9]);
        assert_eq!(s.loinc.panel.as_deref(), Some("44249-1"));
        assert_eq!(s.loinc.total.as_deref(), Some("44261-6"));
        let s = dast(&[]);
        assert_eq!(
            (s.loinc.panel, s.loinc.total.as_deref()),
            (None, Some("82667-7"))
        );
        assert_eq!(Loinc::of(Instrument::Cssrs).total, None);
    }

    #[test]
    fn phq9_bands_change_exactly_at_5_10_15_and_20() {
        use Instrument::Phq9;
        for (total, band) in [
            (0, ScreeningSeverity::Minimal),
            (4, ScreeningSeverity::Minimal),
            (5, ScreeningSeverity::Mild),
            (9, ScreeningSeverity::Mild),
            (10, ScreeningSeverity::Moderate),
            (14, ScreeningSeverity::Moderate),
            (15, ScreeningSeverity::ModeratelySevere),
            (19, ScreeningSeverity::ModeratelySevere),
            (20, ScreeningSeverity::Severe),
            (27, ScreeningSeverity::Severe),
        ] {
            assert_eq!(band_of(Phq9, total), band, "total {total}");
        }
    }

    #[test]
    fn a_phq9_is_positive_from_10() {
        assert!(!scored(Instrument::Phq9, &frequency_answers(9, 9)).positive);
        assert!(scored(Instrument::Phq9, &frequency_answers(9, 10)).positive);
    }

    #[test]
    fn phq9_item_9_above_zero_raises_a_suicide_risk_flag_even_when_the_total_is_minimal() {
        let s = scored(Instrument::Phq9, &[0, 0, 0, 0, 0, 0, 0, 0, 1]);
        assert_eq!(s.severity, ScreeningSeverity::Minimal);
        assert!(!s.positive);
        assert!(s.has_suicide_risk());
        assert_eq!(s.flags, [Flag::SuicideRisk]);
        assert_eq!(
            s.reasons,
            [FlagReason {
                flag: Flag::SuicideRisk,
                reason: "PHQ-9 item 9 (thoughts that you would be better off dead or of \
                         hurting yourself in some way): several days"
                    .into(),
            }]
        );
        let s = scored(Instrument::Phq9, &[0, 0, 0, 0, 0, 0, 0, 0, 3]);
        assert!(
            s.reason(Flag::SuicideRisk)
                .unwrap()
                .ends_with(": nearly every day")
        );
    }

    #[test]
    fn a_severe_phq9_with_item_9_at_zero_raises_no_flag() {
        let s = scored(Instrument::Phq9, &[3, 3, 3, 3, 3, 3, 3, 3, 0]);
        assert_eq!(s.total, Some(24));
        assert_eq!(s.severity, ScreeningSeverity::Severe);
        assert!(s.flags.is_empty());
        assert!(s.reasons.is_empty());
    }

    #[test]
    fn a_phq2_of_3_or_more_is_positive_and_asks_for_a_phq9() {
        let s = scored(Instrument::Phq2, &[1, 1]);
        assert_eq!(
            (s.total, s.severity, s.positive),
            (Some(2), ScreeningSeverity::Negative, false)
        );
        assert!(s.flags.is_empty());
        for values in [[2, 1], [3, 3]] {
            let s = scored(Instrument::Phq2, &values);
            assert_eq!(s.severity, ScreeningSeverity::Positive);
            assert!(s.positive);
            assert_eq!(s.flags, [Flag::AdministerPhq9]);
            assert!(!s.has_suicide_risk());
        }
        assert_eq!(
            scored(Instrument::Phq2, &[2, 1]).reason(Flag::AdministerPhq9),
            Some("PHQ-2 total 3 (3 or more is positive): give a PHQ-9")
        );
    }

    #[test]
    fn gad7_bands_change_exactly_at_5_10_and_15() {
        use Instrument::Gad7;
        for (total, band) in [
            (0, ScreeningSeverity::Minimal),
            (4, ScreeningSeverity::Minimal),
            (5, ScreeningSeverity::Mild),
            (9, ScreeningSeverity::Mild),
            (10, ScreeningSeverity::Moderate),
            (14, ScreeningSeverity::Moderate),
            (15, ScreeningSeverity::Severe),
            (21, ScreeningSeverity::Severe),
        ] {
            assert_eq!(band_of(Gad7, total), band, "total {total}");
        }
        assert!(!scored(Gad7, &frequency_answers(7, 9)).positive);
        assert!(scored(Gad7, &frequency_answers(7, 10)).positive);
    }

    fn audit_c(values: &[i16], sex: Option<Sex>) -> ScreeningResult {
        score(
            Instrument::AuditC,
            &answers(values),
            &ScoringContext { sex },
        )
        .unwrap()
    }

    #[test]
    fn audit_c_is_positive_from_4_for_men() {
        let men = Some(Sex::Male);
        assert!(!audit_c(&[1, 1, 1], men).positive);
        assert_eq!(
            audit_c(&[1, 1, 1], men).severity,
            ScreeningSeverity::Negative
        );
        assert!(audit_c(&[2, 1, 1], men).positive);
        assert_eq!(
            audit_c(&[2, 1, 1], men).severity,
            ScreeningSeverity::Positive
        );
    }

    #[test]
    fn audit_c_is_positive_from_3_for_women() {
        let women = Some(Sex::Female);
        assert!(!audit_c(&[1, 1, 0], women).positive);
        assert!(audit_c(&[1, 1, 1], women).positive);
        assert_eq!(
            audit_c(&[1, 1, 1], women).severity,
            ScreeningSeverity::Positive
        );
    }

    #[test]
    fn audit_c_uses_the_lower_cutoff_when_sex_is_unknown_or_neither() {
        for sex in [None, Some(Sex::Unknown), Some(Sex::Other)] {
            assert!(audit_c(&[1, 1, 1], sex).positive, "{sex:?}");
            assert!(!audit_c(&[1, 1, 0], sex).positive, "{sex:?}");
        }
    }

    #[test]
    fn audit_c_totals_run_from_0_to_12() {
        assert_eq!(audit_c(&[4, 4, 4], None).total, Some(12));
        assert_eq!(audit_c(&[0, 0, 0], None).total, Some(0));
    }

    #[test]
    fn audit_c_lets_someone_who_never_drinks_skip_items_2_and_3() {
        let s = scored(Instrument::AuditC, &[0]);
        assert_eq!((s.total, s.positive), (Some(0), false));
        let e = errors(Instrument::AuditC, &answers(&[1]));
        assert_eq!(
            fields(&e),
            [
                ("answers.2", ItemErrorKind::Missing),
                ("answers.3", ItemErrorKind::Missing)
            ]
        );
        assert!(
            e[0].message
                .ends_with("it is asked whenever item 1 is not never")
        );
    }

    /// DAST-10 answers: `yes` lists the items answered yes (`true`), the
    /// rest are `false`.
    fn dast(yes: &[i16]) -> ScreeningResult {
        let values: Vec<bool> = (1..=10).map(|n| yes.contains(&n)).collect();
        score_of(Instrument::Dast10, &yes_no(&values))
    }

    #[test]
    fn dast10_scores_a_point_for_no_to_item_3() {
        // "Always able to stop?" — no (false) is the risky answer; the
        // client sends it as asked and the server reverses it.
        assert_eq!(dast(&[]).total, Some(1));
        assert_eq!(dast(&[]).severity, ScreeningSeverity::Low);
        assert_eq!(dast(&[3]).total, Some(0));
        assert_eq!(dast(&[3]).severity, ScreeningSeverity::None);
        assert_eq!(dast(&[1, 2, 4, 5, 6, 7, 8, 9, 10]).total, Some(10));
        assert_eq!(dast(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).total, Some(9));
    }

    #[test]
    fn dast10_bands_change_exactly_at_1_3_6_and_9() {
        // Item 3 answered yes scores 0, so `yes` minus item 3 is the total.
        let with_total = |t: i16| {
            let yes: Vec<i16> = std::iter::once(3)
                .chain(
                    [1, 2, 4, 5, 6, 7, 8, 9, 10]
                        .into_iter()
                        .take(usize::try_from(t).unwrap()),
                )
                .collect();
            dast(&yes)
        };
        for (total, band) in [
            (0, ScreeningSeverity::None),
            (1, ScreeningSeverity::Low),
            (2, ScreeningSeverity::Low),
            (3, ScreeningSeverity::Moderate),
            (5, ScreeningSeverity::Moderate),
            (6, ScreeningSeverity::Substantial),
            (8, ScreeningSeverity::Substantial),
            (9, ScreeningSeverity::Severe),
        ] {
            let s = with_total(total);
            assert_eq!(s.total, Some(i32::from(total)));
            assert_eq!(s.severity, band, "total {total}");
        }
        assert_eq!(
            dast(&[1, 2, 4, 5, 6, 7, 8, 9, 10]).severity,
            ScreeningSeverity::Severe
        );
        assert!(!with_total(2).positive);
        assert!(with_total(3).positive);
    }

    /// C-SSRS answers: items 1–5 as given, item 6 and its follow-up
    /// `6_recent` from `behavior` (the follow-up sent only after a yes).
    fn cssrs_answers(first_five: [bool; 5], behavior: SuicidalBehavior) -> Answers {
        let mut sent = yes_no(&first_five);
        sent.insert("6", behavior != SuicidalBehavior::No);
        if behavior != SuicidalBehavior::No {
            sent.insert(
                "6_recent",
                behavior == SuicidalBehavior::YesWithinThreeMonths,
            );
        }
        sent
    }

    fn cssrs(first_five: [bool; 5], behavior: SuicidalBehavior) -> ScreeningResult {
        score_of(Instrument::Cssrs, &cssrs_answers(first_five, behavior))
    }

    #[test]
    fn cssrs_with_every_answer_no_is_negative_with_no_total() {
        let s = cssrs([N; 5], SuicidalBehavior::No);
        assert_eq!(
            (s.severity, s.positive, s.total),
            (ScreeningSeverity::Negative, false, None)
        );
        assert!(s.flags.is_empty());
    }

    #[test]
    fn cssrs_yes_to_items_1_or_2_only_is_low_risk() {
        for first_five in [[Y, N, N, N, N], [N, Y, N, N, N], [Y, Y, N, N, N]] {
            let s = cssrs(first_five, SuicidalBehavior::No);
            assert_eq!(s.severity, ScreeningSeverity::Low, "{first_five:?}");
            assert!(s.positive);
            assert!(!s.has_suicide_risk());
        }
    }

    #[test]
    fn cssrs_yes_to_item_3_is_moderate_risk() {
        let s = cssrs([Y, Y, Y, N, N], SuicidalBehavior::No);
        assert_eq!(s.severity, ScreeningSeverity::Moderate);
        assert!(!s.has_suicide_risk());
    }

    #[test]
    fn cssrs_behavior_longer_than_3_months_ago_is_moderate_risk() {
        let sent = cssrs_answers([N; 5], SuicidalBehavior::YesLongerAgo);
        assert_eq!(sent.get("6_recent"), Some(&AnswerValue::YesNo(false)));
        let s = score_of(Instrument::Cssrs, &sent);
        assert_eq!(s.severity, ScreeningSeverity::Moderate);
        assert!(!s.has_suicide_risk());
    }

    #[test]
    fn cssrs_yes_to_item_4_or_5_is_high_risk_with_a_suicide_risk_flag_quoting_it() {
        let s = cssrs([Y, Y, Y, Y, N], SuicidalBehavior::No);
        assert_eq!(s.severity, ScreeningSeverity::High);
        assert_eq!(s.flags, [Flag::SuicideRisk]);
        assert_eq!(
            s.reasons,
            [FlagReason {
                flag: Flag::SuicideRisk,
                reason: "C-SSRS screener item 4 (suicidal intent without specific plan: had some \
                         intention of acting on these thoughts (past month)): yes"
                    .into(),
            }]
        );
        let s = cssrs([Y, Y, N, N, Y], SuicidalBehavior::No);
        assert_eq!(s.severity, ScreeningSeverity::High);
        assert!(
            s.reason(Flag::SuicideRisk)
                .unwrap()
                .contains("item 5 (suicidal intent with specific plan")
        );
    }

    #[test]
    fn cssrs_behavior_within_the_past_3_months_is_high_risk_even_with_no_ideation() {
        let s = cssrs([N; 5], SuicidalBehavior::YesWithinThreeMonths);
        assert_eq!(s.severity, ScreeningSeverity::High);
        assert!(s.has_suicide_risk());
        assert!(
            s.reason(Flag::SuicideRisk)
                .unwrap()
                .ends_with("yes, within the past 3 months")
        );
    }

    #[test]
    fn cssrs_quotes_every_high_risk_answer_in_one_flag() {
        let s = cssrs([Y; 5], SuicidalBehavior::YesWithinThreeMonths);
        assert_eq!(s.flags.len(), 1);
        assert_eq!(s.reasons.len(), 1);
        let reason = &s.reasons[0].reason;
        assert!(reason.starts_with("C-SSRS screener item 4 ("));
        assert!(reason.contains("; item 5 ("));
        assert!(reason.contains("; item 6 (suicidal behavior: ever done anything"));
    }

    #[test]
    fn cssrs_items_3_to_5_may_be_left_out_when_item_2_is_no() {
        let sent = Answers::new()
            .with("1", true)
            .with("2", false)
            .with("6", false);
        assert_eq!(
            score_of(Instrument::Cssrs, &sent).severity,
            ScreeningSeverity::Low
        );
    }

    #[test]
    fn cssrs_items_3_to_5_are_required_when_item_2_is_yes() {
        let sent = Answers::new()
            .with("1", true)
            .with("2", true)
            .with("6", false);
        let e = errors(Instrument::Cssrs, &sent);
        assert_eq!(
            fields(&e),
            [
                ("answers.3", ItemErrorKind::Missing),
                ("answers.4", ItemErrorKind::Missing),
                ("answers.5", ItemErrorKind::Missing)
            ]
        );
        assert!(e[0].message.ends_with("it is asked whenever item 2 is yes"));
    }

    #[test]
    fn a_cssrs_yes_to_item_4_counts_even_when_item_2_was_no() {
        // Asked anyway, a yes is never thrown away.
        let s = cssrs([N, N, N, Y, N], SuicidalBehavior::No);
        assert_eq!(s.severity, ScreeningSeverity::High);
        assert!(s.has_suicide_risk());
    }

    #[test]
    fn cssrs_with_item_2_unanswered_reports_only_item_2_missing() {
        let sent = Answers::new().with("1", false).with("6", false);
        let e = errors(Instrument::Cssrs, &sent);
        assert_eq!(fields(&e), [("answers.2", ItemErrorKind::Missing)]);
    }

    #[test]
    fn cssrs_6_recent_is_required_when_item_6_is_yes() {
        let sent = yes_no(&[N, N, N, N, N, Y]);
        let e = errors(Instrument::Cssrs, &sent);
        assert_eq!(
            e,
            [ItemError {
                field: "answers.6_recent".into(),
                key: "6_recent".into(),
                kind: ItemErrorKind::Missing,
                message: "item 6's follow-up (was this within the past 3 months?) has no \
                          answer; it is asked whenever item 6 is yes"
                    .into(),
            }]
        );
    }

    #[test]
    fn cssrs_6_recent_may_be_absent_or_false_when_item_6_is_no() {
        let absent = yes_no(&[N; 6]);
        let no = absent.clone().with("6_recent", false);
        assert_eq!(
            score_of(Instrument::Cssrs, &absent).severity,
            ScreeningSeverity::Negative
        );
        assert_eq!(
            score_of(Instrument::Cssrs, &no).severity,
            ScreeningSeverity::Negative
        );
        assert_eq!(
            score_of(Instrument::Cssrs, &absent),
            score_of(Instrument::Cssrs, &no)
        );
    }

    #[test]
    fn cssrs_6_recent_yes_after_item_6_no_is_refused_not_guessed() {
        let sent = yes_no(&[N; 6]).with("6_recent", true);
        let e = errors(Instrument::Cssrs, &sent);
        assert_eq!(
            fields(&e),
            [("answers.6_recent", ItemErrorKind::Inconsistent)]
        );
        assert_eq!(
            e[0].message,
            "item 6's follow-up (was this within the past 3 months?) is yes, but item 6 is no: \
             answer item 6 yes, or leave its follow-up out"
        );
    }

    #[test]
    fn cssrs_6_recent_is_not_checked_against_an_item_6_that_is_itself_wrong() {
        let sent = yes_no(&[N; 5]).with("6", 1).with("6_recent", true);
        let e = errors(Instrument::Cssrs, &sent);
        assert_eq!(fields(&e), [("answers.6", ItemErrorKind::WrongType)]);
        let e = errors(Instrument::Cssrs, &yes_no(&[N; 5]).with("6_recent", true));
        assert_eq!(fields(&e), [("answers.6", ItemErrorKind::Missing)]);
        // Its own type is checked whatever item 6 says.
        let e = errors(Instrument::Cssrs, &yes_no(&[N; 6]).with("6_recent", 0));
        assert_eq!(fields(&e), [("answers.6_recent", ItemErrorKind::WrongType)]);
    }

    /// AHC HRSN answers with no need in any domain.
    fn ahc_none() -> Answers {
        Answers::new()
            .with("1", 0)
            .with("2", boxes(&[]))
            .with("3", 0)
            .with("4", 0)
            .with("5", boxes(&[]))
            .with("6", 0)
            .with("7", 1)
            .with("8", 1)
            .with("9", 1)
            .with("10", 1)
    }

    fn ahc(changes: &[(usize, AnswerValue)]) -> ScreeningResult {
        let mut sent = ahc_none();
        for (item, value) in changes {
            sent.insert(item.to_string(), value.clone());
        }
        score_of(Instrument::AhcHrsn, &sent)
    }

    fn domains(s: &ScreeningResult) -> Vec<SocialDomain> {
        s.social_needs.iter().map(|n| n.domain).collect()
    }

    #[test]
    fn ahc_with_no_need_in_any_domain_is_negative_with_no_total() {
        let s = ahc(&[]);
        assert_eq!(
            (s.severity, s.positive, s.total),
            (ScreeningSeverity::Negative, false, None)
        );
        assert!(s.social_needs.is_empty());
        assert!(s.flags.is_empty());
    }

    #[test]
    fn ahc_housing_is_positive_when_worried_about_losing_it_or_without_a_steady_place() {
        for code in [1, 2] {
            let s = ahc(&[(1, v(code))]);
            assert_eq!(domains(&s), [SocialDomain::Housing]);
            assert_eq!(
                (s.severity, s.positive),
                (ScreeningSeverity::Positive, true)
            );
        }
        assert!(ahc(&[(1, v(1))]).social_needs[0].reason.ends_with(
            "I have a place to live today, but I am worried about losing it in the future"
        ));
    }

    #[test]
    fn ahc_housing_is_positive_with_any_problem_with_the_place() {
        let s = ahc(&[(
            2,
            boxes(&[
                HousingProblem::WaterLeaks.code().into(),
                HousingProblem::Mold.code().into(),
            ]),
        )]);
        assert_eq!(domains(&s), [SocialDomain::Housing]);
        assert_eq!(
            s.social_needs[0].reason,
            "AHC HRSN item 2 (problems with the place you live): mold, water leaks"
        );
        for problem in HousingProblem::ALL {
            assert_eq!(
                domains(&ahc(&[(2, boxes(&[problem.code().into()]))])),
                [SocialDomain::Housing]
            );
        }
    }

    #[test]
    fn ahc_housing_quotes_both_items_when_both_are_positive() {
        let s = ahc(&[
            (1, v(2)),
            (2, boxes(&[HousingProblem::LackOfHeat.code().into()])),
        ]);
        assert_eq!(s.social_needs.len(), 1);
        assert!(
            s.social_needs[0]
                .reason
                .contains("; item 2 (problems with the place you live): lack of heat")
        );
    }

    #[test]
    fn ahc_food_is_positive_when_either_item_is_sometimes_or_often_true() {
        for (item, code) in [(3, 1), (3, 2), (4, 1), (4, 2)] {
            assert_eq!(
                domains(&ahc(&[(item, v(code))])),
                [SocialDomain::Food],
                "{item} {code}"
            );
        }
        assert!(ahc(&[(3, v(0)), (4, v(0))]).social_needs.is_empty());
        assert_eq!(
            ahc(&[(4, v(2))]).social_needs[0].reason,
            "AHC HRSN item 4 (food bought just didn't last and there was no money to get more \
             (past 12 months)): often true"
        );
    }

    #[test]
    fn ahc_transportation_is_positive_with_either_yes() {
        for checked in [&[1][..], &[2], &[1, 2], &[2, 1]] {
            assert_eq!(
                domains(&ahc(&[(5, boxes(checked))])),
                [SocialDomain::Transportation],
                "{checked:?}"
            );
        }
        assert!(
            ahc(&[(5, boxes(&[2, 1]))]).social_needs[0]
                .reason
                .ends_with("from getting my medications, yes, it has kept me from non-medical meetings, appointments, work, or from getting things that I need")
        );
    }

    #[test]
    fn ahc_utilities_are_positive_when_threatened_or_already_shut_off() {
        for code in [1, 2] {
            assert_eq!(domains(&ahc(&[(6, v(code))])), [SocialDomain::Utilities]);
        }
        assert!(
            ahc(&[(6, v(2))]).social_needs[0]
                .reason
                .ends_with(": already shut off")
        );
    }

    #[test]
    fn ahc_interpersonal_safety_is_positive_from_a_sum_of_11() {
        let s = ahc(&[(7, v(1)), (8, v(3)), (9, v(3)), (10, v(3))]);
        assert!(s.social_needs.is_empty(), "10 is negative");
        let s = ahc(&[(7, v(2)), (8, v(3)), (9, v(3)), (10, v(3))]);
        assert_eq!(domains(&s), [SocialDomain::Safety]);
        assert_eq!(
            s.social_needs[0].reason,
            "AHC HRSN interpersonal safety items 7 to 10 add up to 11 (11 or more is positive)"
        );
        // Interpersonal violence is a social need, not a suicide-risk flag.
        assert!(!s.has_suicide_risk());
    }

    #[test]
    fn ahc_lists_every_positive_domain_in_a_fixed_order() {
        let s = ahc(&[
            (1, v(2)),
            (3, v(1)),
            (5, boxes(&[1])),
            (6, v(1)),
            (7, v(5)),
            (8, v(5)),
            (9, v(5)),
            (10, v(5)),
        ]);
        assert_eq!(
            domains(&s),
            [
                SocialDomain::Housing,
                SocialDomain::Food,
                SocialDomain::Transportation,
                SocialDomain::Utilities,
                SocialDomain::Safety
            ]
        );
    }

    #[test]
    fn ahc_checklists_accept_only_their_boxes() {
        let sent = ahc_none()
            .with("2", boxes(&[2, 8]))
            .with("5", boxes(&[0, 3, 1, 3]));
        let e = errors(Instrument::AhcHrsn, &sent);
        assert_eq!(
            fields(&e),
            [
                ("answers.2", ItemErrorKind::OutOfRange),
                ("answers.5", ItemErrorKind::OutOfRange)
            ]
        );
        assert_eq!(
            e[0].message,
            "item 2 (problems with the place you live): 8 is not one of its boxes (1 = pests \
             such as bugs, ants, or mice, 2 = mold, 3 = lead paint or pipes, 4 = lack of heat, \
             5 = oven or stove not working, 6 = smoke detectors missing or not working, \
             7 = water leaks); send the numbers of the boxes checked, or [] for none of the above"
        );
        assert!(
            e[1].message.contains(": 0 and 3 are not among its boxes ("),
            "{}",
            e[1].message
        );
        assert!(e[1].message.ends_with("or [] for no"));
    }

    #[test]
    fn an_empty_checklist_is_none_of_the_above() {
        let def = Instrument::AhcHrsn.item("2").unwrap();
        assert_eq!(def.describe(&boxes(&[])), "none of the above");
        assert_eq!(def.describe(&boxes(&[7, 2])), "mold, water leaks");
        let def = Instrument::AhcHrsn.item("5").unwrap();
        assert_eq!(def.describe(&boxes(&[])), "no");
        assert!(
            ahc(&[(2, boxes(&[])), (5, boxes(&[]))])
                .social_needs
                .is_empty()
        );
    }

    #[test]
    fn a_checklist_box_listed_twice_is_refused_naming_it() {
        let sent = ahc_none().with("2", boxes(&[2, 7, 2]));
        let e = errors(Instrument::AhcHrsn, &sent);
        assert_eq!(fields(&e), [("answers.2", ItemErrorKind::Duplicate)]);
        assert_eq!(
            e[0].message,
            "item 2 (problems with the place you live) lists mold more than once"
        );
    }

    #[test]
    fn ahc_safety_items_run_from_1_to_5_so_0_is_refused() {
        let sent = ahc_none().with("7", 0).with("10", 6);
        let e = errors(Instrument::AhcHrsn, &sent);
        assert_eq!(
            e.iter()
                .map(|e| (e.key.as_str(), e.field.as_str(), e.kind))
                .collect::<Vec<_>>(),
            [
                ("7", "answers.7", ItemErrorKind::OutOfRange),
                ("10", "answers.10", ItemErrorKind::OutOfRange)
            ]
        );
    }

    #[test]
    fn a_missing_item_is_named_with_its_key_and_question() {
        let mut sent = answers(&[0; 9]);
        sent.remove("9");
        let e = errors(Instrument::Phq9, &sent);
        assert_eq!(
            e,
            [ItemError {
                field: "answers.9".into(),
                key: "9".into(),
                kind: ItemErrorKind::Missing,
                message: "item 9 (thoughts that you would be better off dead or of hurting \
                          yourself in some way) has no answer"
                    .into(),
            }]
        );
    }

    #[test]
    fn no_answers_at_all_names_every_item() {
        let e = errors(Instrument::Gad7, &Answers::new());
        assert_eq!(
            e.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            [
                "answers.1",
                "answers.2",
                "answers.3",
                "answers.4",
                "answers.5",
                "answers.6",
                "answers.7"
            ]
        );
        assert!(e.iter().all(|e| e.kind == ItemErrorKind::Missing));
        // C-SSRS: 3–5 and 6_recent are skipped while 2 and 6 are unknown.
        let e = errors(Instrument::Cssrs, &Answers::new());
        assert_eq!(
            e.iter().map(|e| e.key.as_str()).collect::<Vec<_>>(),
            ["1", "2", "6"]
        );
    }

    #[test]
    fn a_key_spelled_otherwise_is_an_unknown_item_not_a_second_answer() {
        // A JSON object cannot answer an item twice under one key; an
        // alias of a key must not become a second answer either.
        for alias in ["09", " 9", "9 ", "+9", "9.0", "nine", ""] {
            let sent = answers(&[0; 9]).with(alias, 3);
            let e = errors(Instrument::Phq9, &sent);
            assert_eq!(e.len(), 1, "{alias:?}");
            assert_eq!(
                (e[0].field.clone(), e[0].kind),
                (format!("answers.{alias}"), ItemErrorKind::UnknownItem)
            );
            assert_eq!(
                e[0].message,
                format!("PHQ-9 has no item {alias:?}; its items are numbered 1 to 9")
            );
        }
    }

    #[test]
    fn an_item_the_instrument_lacks_is_refused_naming_its_range() {
        for item in [0, 10, -1] {
            let sent = answers(&[0; 9]).with(item.to_string(), 0);
            let e = errors(Instrument::Phq9, &sent);
            assert_eq!(e.len(), 1);
            assert_eq!(
                (e[0].kind, e[0].key.clone()),
                (ItemErrorKind::UnknownItem, item.to_string())
            );
            assert_eq!(
                e[0].message,
                format!("PHQ-9 has no item \"{item}\"; its items are numbered 1 to 9")
            );
        }
        // A PHQ-2 is not a PHQ-9.
        let e = errors(Instrument::Phq2, &answers(&[0, 0, 0]));
        assert_eq!(fields(&e), [("answers.3", ItemErrorKind::UnknownItem)]);
        // Only C-SSRS has a follow-up, and its message names it.
        let e = errors(Instrument::Cssrs, &yes_no(&[N; 6]).with("7", false));
        assert_eq!(
            e[0].message,
            "C-SSRS screener has no item \"7\"; its items are numbered 1 to 6, and 6_recent \
             after item 6"
        );
        let e = errors(Instrument::Phq9, &answers(&[0; 9]).with("6_recent", false));
        assert_eq!(
            fields(&e),
            [("answers.6_recent", ItemErrorKind::UnknownItem)]
        );
    }

    #[test]
    fn a_value_outside_the_answers_is_refused_listing_the_answers() {
        for bad in [4, -1, 70_000, i64::MAX] {
            let sent = answers(&[0; 9]).with("9", bad);
            let e = errors(Instrument::Phq9, &sent);
            assert_eq!(e.len(), 1, "an out-of-range answer is not also missing");
            assert_eq!(
                (e[0].field.as_str(), e[0].key.as_str(), e[0].kind),
                ("answers.9", "9", ItemErrorKind::OutOfRange)
            );
            assert_eq!(
                e[0].message,
                format!(
                    "item 9 (thoughts that you would be better off dead or of hurting yourself in \
                     some way): {bad} is not one of its answers (0 = not at all, 1 = several days, \
                     2 = more than half the days, 3 = nearly every day)"
                )
            );
        }
    }

    #[test]
    fn a_boolean_for_a_scaled_item_is_the_wrong_type() {
        let e = errors(Instrument::Phq9, &answers(&[0; 9]).with("9", true));
        assert_eq!(fields(&e), [("answers.9", ItemErrorKind::WrongType)]);
        assert_eq!(
            e[0].message,
            "item 9 (thoughts that you would be better off dead or of hurting yourself in some \
             way) is answered with the number of one of its answers (0 = not at all, 1 = several \
             days, 2 = more than half the days, 3 = nearly every day), not true or false"
        );
        let e = errors(Instrument::AuditC, &answers(&[1, 1]).with("3", boxes(&[1])));
        assert_eq!(fields(&e), [("answers.3", ItemErrorKind::WrongType)]);
        assert!(e[0].message.ends_with(", not a list"));
    }

    #[test]
    fn a_number_for_a_yes_no_item_is_the_wrong_type_even_0_or_1() {
        for code in [0, 1] {
            let sent = yes_no(&[N; 10]).with("3", code);
            let e = errors(Instrument::Dast10, &sent);
            assert_eq!(fields(&e), [("answers.3", ItemErrorKind::WrongType)]);
            assert_eq!(
                e[0].message,
                format!(
                    "item 3 (are you always able to stop using drugs when you want to?) is a \
                     yes/no question: send true for yes or false for no, not {code}"
                )
            );
        }
        let e = errors(Instrument::Cssrs, &yes_no(&[N; 6]).with("1", boxes(&[])));
        assert_eq!(fields(&e), [("answers.1", ItemErrorKind::WrongType)]);
    }

    #[test]
    fn a_single_value_for_a_checklist_is_the_wrong_type() {
        let e = errors(Instrument::AhcHrsn, &ahc_none().with("2", 0));
        assert_eq!(fields(&e), [("answers.2", ItemErrorKind::WrongType)]);
        assert_eq!(
            e[0].message,
            "item 2 (problems with the place you live) is \"check all that apply\": send the list \
             of the numbers of the boxes checked (1 = pests such as bugs, ants, or mice, 2 = mold, \
             3 = lead paint or pipes, 4 = lack of heat, 5 = oven or stove not working, 6 = smoke \
             detectors missing or not working, 7 = water leaks), or [] for none of the above; not 0"
        );
        let e = errors(Instrument::AhcHrsn, &ahc_none().with("5", false));
        assert_eq!(fields(&e), [("answers.5", ItemErrorKind::WrongType)]);
        assert!(e[0].message.ends_with("or [] for no; not true or false"));
    }

    #[test]
    fn every_problem_is_reported_at_once_in_item_order_then_unknown_keys() {
        let sent = Answers::new()
            .with("1", 9)
            .with("3", true)
            .with("8", 0)
            .with("x", 0);
        let e = errors(Instrument::Gad7, &sent);
        assert_eq!(
            fields(&e),
            [
                ("answers.1", ItemErrorKind::OutOfRange),
                ("answers.2", ItemErrorKind::Missing),
                ("answers.3", ItemErrorKind::WrongType),
                ("answers.4", ItemErrorKind::Missing),
                ("answers.5", ItemErrorKind::Missing),
                ("answers.6", ItemErrorKind::Missing),
                ("answers.7", ItemErrorKind::Missing),
                ("answers.8", ItemErrorKind::UnknownItem),
                ("answers.x", ItemErrorKind::UnknownItem),
            ]
        );
    }

    #[test]
    fn item_errors_become_the_field_errors_a_422_lists() {
        let e = errors(Instrument::Phq2, &answers(&[0, 5])).remove(0);
        let f = crate::problem::FieldError::from(e);
        assert_eq!(f.field, "answers.2");
        assert!(
            f.message
                .starts_with("item 2 (feeling down, depressed, or hopeless): 5 is not")
        );
    }

    #[test]
    fn answers_read_from_json_whatever_the_order_of_their_keys() {
        let forward: Answers = serde_json::from_str(
            r#"{"1": 3, "2": 2, "3": 1, "4": 0, "5": 3, "6": 2, "7": 1, "8": 0, "9": 1}"#,
        )
        .unwrap();
        let backward: Answers = serde_json::from_str(
            r#"{"9": 1, "8": 0, "7": 1, "6": 2, "5": 3, "4": 0, "3": 1, "2": 2, "1": 3}"#,
        )
        .unwrap();
        assert_eq!(forward, backward);
        assert_eq!(forward, answers(&[3, 2, 1, 0, 3, 2, 1, 0, 1]));
        assert_eq!(
            score_of(Instrument::Phq9, &forward),
            score_of(Instrument::Phq9, &backward)
        );
    }

    #[test]
    fn answer_values_are_json_integers_booleans_and_lists() {
        let sent: Answers =
            serde_json::from_str(r#"{"1": 2, "2": true, "3": false, "4": [2, 7], "5": []}"#)
                .unwrap();
        assert_eq!(
            sent.iter().collect::<Vec<_>>(),
            [
                ("1", &AnswerValue::Code(2)),
                ("2", &AnswerValue::YesNo(true)),
                ("3", &AnswerValue::YesNo(false)),
                ("4", &AnswerValue::Codes(vec![2, 7])),
                ("5", &AnswerValue::Codes(vec![])),
            ]
        );
        assert_eq!(
            serde_json::to_string(&sent).unwrap(),
            r#"{"1":2,"2":true,"3":false,"4":[2,7],"5":[]}"#
        );
        // A number too large for any answer is still read, and refused by
        // scoring with a message; a negative one too.
        let big: Answers = serde_json::from_str(r#"{"9": 9223372036854775807, "8": -3}"#).unwrap();
        assert_eq!(big.get("9"), Some(&AnswerValue::Code(i64::MAX)));
        assert_eq!(big.get("8"), Some(&AnswerValue::Code(-3)));
    }

    #[test]
    fn an_answer_of_no_json_type_allowed_is_refused_saying_what_is() {
        for (json, sent) in [
            (r#"{"9": "2"}"#, "string \"2\""),
            (r#"{"9": 2.5}"#, "floating point `2.5`"),
            (r#"{"9": 2.0}"#, "floating point `2.0`"),
            (r#"{"9": null}"#, "null"),
            (r#"{"9": {"value": 2}}"#, "map"),
        ] {
            let err = serde_json::from_str::<Answers>(json)
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with(&format!("invalid type: {sent}, expected {EXPECTED_ANSWER}")),
                "{json}: {err}"
            );
        }
        let err = serde_json::from_str::<Answers>(r#"{"2": [1, "mold"]}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("invalid type: string \"mold\", expected the number of a box checked"),
            "{err}"
        );
        let err = serde_json::from_str::<Answers>(r#"{"9": 18446744073709551615}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("invalid value: integer `18446744073709551615`"),
            "{err}"
        );
        assert!(serde_json::from_str::<Answers>("[1, 2]").is_err());
    }

    /// The request bodies DESIGN §5 describes, one per instrument, as an
    /// integrator would write them.
    #[test]
    fn a_request_body_per_instrument_scores_as_design_says() {
        let cases = [
            (
                r#"{"instrument": "phq9", "administered_at": "2026-03-02T09:30:00Z",
                    "answers": {"1": 1, "2": 2, "3": 1, "4": 2, "5": 0, "6": 1, "7": 1, "8": 0, "9": 1}}"#,
                Some(9),
                ScreeningSeverity::Mild,
                vec![Flag::SuicideRisk],
            ),
            (
                r#"{"instrument": "phq2", "administered_at": "2026-03-02T09:30:00Z",
                    "answers": {"1": 2, "2": 1}}"#,
                Some(3),
                ScreeningSeverity::Positive,
                vec![Flag::AdministerPhq9],
            ),
            (
                r#"{"instrument": "gad7", "administered_at": "2026-03-02T09:30:00Z",
                    "answers": {"1": 2, "2": 2, "3": 1, "4": 2, "5": 1, "6": 1, "7": 2}}"#,
                Some(11),
                ScreeningSeverity::Moderate,
                vec![],
            ),
            (
                r#"{"instrument": "audit_c", "administered_at": "2026-03-02T09:30:00Z",
                    "answers": {"1": 2, "2": 1, "3": 0}}"#,
                Some(3),
                ScreeningSeverity::Positive,
                vec![],
            ),
            (
                r#"{"instrument": "dast10", "administered_at": "2026-03-02T09:30:00Z",
                    "answers": {"1": true, "2": false, "3": true, "4": false, "5": true,
                                "6": false, "7": false, "8": false, "9": false, "10": false}}"#,
                Some(2),
                ScreeningSeverity::Low,
                vec![],
            ),
            (
                r#"{"instrument": "cssrs", "administered_at": "2026-03-02T09:30:00Z",
                    "answers": {"1": true, "2": true, "3": true, "4": false, "5": false,
                                "6": true, "6_recent": true}}"#,
                None,
                ScreeningSeverity::High,
                vec![Flag::SuicideRisk],
            ),
            (
                r#"{"instrument": "ahc_hrsn", "administered_at": "2026-03-02T09:30:00Z",
                    "answers": {"1": 0, "2": [2, 7], "3": 1, "4": 0, "5": [], "6": 0,
                                "7": 1, "8": 2, "9": 1, "10": 1}}"#,
                None,
                ScreeningSeverity::Positive,
                vec![],
            ),
        ];
        for (json, total, severity, flags) in cases {
            let body: NewScreening = serde_json::from_str(json).unwrap();
            let valid = crate::validation::Valid::new(body, &crate::validation::test_context())
                .unwrap_or_else(|e| panic!("{json}: {e:?}"));
            let s = valid.score(&ScoringContext::default()).unwrap();
            assert_eq!(
                (s.total, s.severity, &s.flags),
                (total, severity, &flags),
                "{json}"
            );
            assert!(valid.instrument.severities().contains(&s.severity));
        }
    }

    #[test]
    fn a_screening_request_reports_time_and_answers_on_their_fields() {
        let body: NewScreening = serde_json::from_value(serde_json::json!({
            "instrument": "cssrs", "administered_at": "2026-03-02T12:06:00Z",
            "answers": {"1": true, "2": 1, "6": true, "7": false}
        }))
        .unwrap();
        let ctx = crate::validation::test_context();
        let errors = crate::validation::Valid::new(body.clone(), &ctx).unwrap_err();
        let listed: Vec<(String, String)> = crate::validation::field_errors(&errors)
            .into_iter()
            .map(|f| (f.field, f.message))
            .collect();
        assert_eq!(
            listed.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(),
            [
                "administered_at",
                "answers.2",
                "answers.6_recent",
                "answers.7"
            ]
        );
        assert_eq!(listed[0].1, "must not be in the future");
        assert!(
            listed[1].1.contains("is a yes/no question"),
            "{}",
            listed[1].1
        );
        // Within the clock skew, and with answers that score, it is valid;
        // the same errors come from scoring it.
        let ok = NewScreening {
            administered_at: "2026-03-02T12:04:00Z".parse().unwrap(),
            answers: yes_no(&[N; 6]),
            ..body.clone()
        };
        assert!(crate::validation::Valid::new(ok, &ctx).is_ok());
        let scored = body.score(&ScoringContext::default()).unwrap_err();
        assert_eq!(
            scored.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["answers.2", "answers.6_recent", "answers.7"]
        );
    }

    #[test]
    fn a_total_or_band_sent_with_the_answers_is_not_part_of_the_request() {
        // The server is authoritative; the API refuses unknown fields, and
        // nothing here would read them.
        let body: NewScreening = serde_json::from_value(serde_json::json!({
            "instrument": "phq2", "administered_at": "2026-03-02T12:00:00Z",
            "answers": {"1": 0, "2": 0}, "total": 6, "severity": "positive"
        }))
        .unwrap();
        let s = body.score(&ScoringContext::default()).unwrap();
        assert_eq!(
            (s.total, s.severity),
            (Some(0), ScreeningSeverity::Negative)
        );
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({
                "instrument": "phq2", "administered_at": "2026-03-02T12:00:00Z",
                "answers": {"1": 0, "2": 0}
            })
        );
    }

    #[test]
    fn a_result_serializes_as_the_design_wire_shape() {
        let json =
            serde_json::to_value(scored(Instrument::Phq9, &[0, 0, 0, 0, 0, 0, 0, 0, 1])).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "total": 1,
                "severity": "minimal",
                "positive": false,
                "flags": ["suicide_risk"],
                "reasons": [{
                    "flag": "suicide_risk",
                    "reason": "PHQ-9 item 9 (thoughts that you would be better off dead or of \
                               hurting yourself in some way): several days"
                }],
                "social_needs": [],
                "loinc": {"panel": "44249-1", "total": "44261-6"}
            })
        );
        let back: ScreeningResult = serde_json::from_value(json).unwrap();
        assert_eq!(back.total, Some(1));
        let json = serde_json::to_value(cssrs([N; 5], SuicidalBehavior::No)).unwrap();
        assert_eq!(json["total"], serde_json::Value::Null);
        assert_eq!(json["severity"], "negative");
        assert_eq!(
            json["loinc"],
            serde_json::json!({"panel": "93373-9", "total": null})
        );
        let json = serde_json::to_value(scored(Instrument::Phq2, &[3, 3])).unwrap();
        assert_eq!(json["flags"], serde_json::json!(["administer_phq9"]));
    }

    #[test]
    fn severities_use_exactly_the_names_design_lists_per_instrument() {
        let names = |i: Instrument| -> Vec<String> {
            i.severities()
                .iter()
                .map(|s| {
                    serde_json::to_value(s)
                        .unwrap()
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .collect()
        };
        assert_eq!(
            names(Instrument::Phq9),
            ["minimal", "mild", "moderate", "moderately_severe", "severe"]
        );
        assert_eq!(
            names(Instrument::Gad7),
            ["minimal", "mild", "moderate", "severe"]
        );
        assert_eq!(
            names(Instrument::Dast10),
            ["none", "low", "moderate", "substantial", "severe"]
        );
        assert_eq!(
            names(Instrument::Cssrs),
            ["negative", "low", "moderate", "high"]
        );
        for i in [Instrument::Phq2, Instrument::AuditC, Instrument::AhcHrsn] {
            assert_eq!(names(i), ["negative", "positive"], "{i}");
        }
        // The bands of instruments with a total use those, in order.
        for i in Instrument::VARIANTS {
            for sex in [None, Some(Sex::Male)] {
                let banded: Vec<ScreeningSeverity> = bands(*i, &ScoringContext { sex })
                    .iter()
                    .map(|b| b.severity)
                    .collect();
                if i.total_range().is_some() {
                    assert_eq!(banded, i.severities(), "{i}");
                }
            }
        }
    }

    #[test]
    fn answer_codes_round_trip_through_their_typed_values() {
        fn round_trips<T: Copy + PartialEq + std::fmt::Debug>(
            all: &[T],
            code: fn(T) -> i16,
            from: fn(i16) -> Option<T>,
            choices: &[Choice],
        ) {
            assert_eq!(all.len(), choices.len());
            for (&value, choice) in all.iter().zip(choices) {
                assert_eq!(code(value), choice.value);
                assert_eq!(from(code(value)), Some(value));
            }
        }
        round_trips(
            Frequency::ALL,
            Frequency::code,
            Frequency::from_code,
            Frequency::CHOICES,
        );
        round_trips(YesNo::ALL, YesNo::code, YesNo::from_code, YesNo::CHOICES);
        round_trips(
            SuicidalBehavior::ALL,
            SuicidalBehavior::code,
            SuicidalBehavior::from_code,
            SuicidalBehavior::CHOICES,
        );
        round_trips(
            HarmFrequency::ALL,
            HarmFrequency::code,
            HarmFrequency::from_code,
            HarmFrequency::CHOICES,
        );
        round_trips(
            HousingProblem::ALL,
            HousingProblem::code,
            HousingProblem::from_code,
            HousingProblem::CHOICES,
        );
        assert_eq!(Frequency::from_code(4), None);
        assert_eq!(HarmFrequency::from_code(0), None);
        assert_eq!(Frequency::SeveralDays.label(), "several days");
        assert_eq!(YesNo::from(true), YesNo::Yes);
        assert_eq!(YesNo::from(false), YesNo::No);
        assert_eq!(
            SuicidalBehavior::from_answers(true, true),
            Some(SuicidalBehavior::YesWithinThreeMonths)
        );
        assert_eq!(
            SuicidalBehavior::from_answers(true, false),
            Some(SuicidalBehavior::YesLongerAgo)
        );
        assert_eq!(
            SuicidalBehavior::from_answers(false, false),
            Some(SuicidalBehavior::No)
        );
        assert_eq!(SuicidalBehavior::from_answers(false, true), None);
    }

    #[test]
    fn checklist_boxes_are_numbered_from_1_without_gaps() {
        let checklists: Vec<&ItemDef> = Instrument::AhcHrsn
            .items()
            .iter()
            .filter(|d| matches!(d.answer, AnswerType::Checklist { .. }))
            .collect();
        assert_eq!(
            checklists.iter().map(|d| d.key).collect::<Vec<_>>(),
            ["2", "5"]
        );
        for def in checklists {
            let AnswerType::Checklist { boxes, none } = def.answer else {
                unreachable!()
            };
            let codes: Vec<i16> = boxes.iter().map(|b| b.value).collect();
            let expected: Vec<i16> = (1..=i16::try_from(boxes.len()).unwrap()).collect();
            assert_eq!(codes, expected, "item {}", def.number);
            // Every box fits the internal bit set.
            assert!(boxes.len() < 15);
            assert!(!none.is_empty());
        }
    }

    #[test]
    fn describing_an_answer_uses_the_words_of_its_question() {
        let phq = Instrument::Phq9.item("9").unwrap();
        assert_eq!(phq.describe(&v(2)), "more than half the days");
        assert_eq!(phq.describe(&v(7)), "7", "not an answer: quoted as sent");
        assert_eq!(phq.describe(&v(true)), "true");
        let dast = Instrument::Dast10.item("3").unwrap();
        assert_eq!(dast.describe(&v(false)), "no");
        assert_eq!(dast.describe(&v(true)), "yes");
        let ahc = Instrument::AhcHrsn.item("2").unwrap();
        assert_eq!(ahc.describe(&boxes(&[9])), "[9]");
    }

    /// Every valid value of a question.
    fn valid_values(def: &ItemDef) -> Vec<AnswerValue> {
        match def.answer {
            AnswerType::Scale { choices } => choices.iter().map(|c| v(c.value)).collect(),
            AnswerType::YesNo => vec![v(false), v(true)],
            AnswerType::Checklist { boxes, .. } => (0..1_u32 << boxes.len())
                .map(|set| {
                    AnswerValue::Codes(
                        boxes
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| set >> i & 1 == 1)
                            .map(|(_, b)| i64::from(b.value))
                            .collect(),
                    )
                })
                .collect(),
        }
    }

    /// What a question may be given, knowing the answers before it: a
    /// follow-up is absent or no after a no, yes or no after a yes.
    fn options(def: &ItemDef, before: &Answers) -> Vec<Option<AnswerValue>> {
        if def.is_follow_up() {
            if before.get(key_of(def.number)) == Some(&v(true)) {
                vec![Some(v(false)), Some(v(true))]
            } else {
                vec![None, Some(v(false))]
            }
        } else {
            valid_values(def).into_iter().map(Some).collect()
        }
    }

    /// Every complete set of answers of an instrument (only for the small ones).
    fn every_answer_set(instrument: Instrument) -> Vec<Answers> {
        instrument
            .items()
            .iter()
            .fold(vec![Answers::new()], |sets, def| {
                sets.iter()
                    .flat_map(|before| {
                        options(def, before).into_iter().map(move |given| {
                            let mut next = before.clone();
                            if let Some(value) = given {
                                next.insert(def.key, value);
                            }
                            next
                        })
                    })
                    .collect()
            })
    }

    fn assert_total_in_range(
        instrument: Instrument,
        sent: &Answers,
        context: ScoringContext,
    ) -> ScreeningResult {
        let s = score(instrument, sent, &context)
            .unwrap_or_else(|e| panic!("{instrument} {sent:?}: {e:?}"));
        assert!(
            instrument.severities().contains(&s.severity),
            "{instrument} {sent:?}: {}",
            s.severity
        );
        assert_eq!(s.flags.len(), s.reasons.len());
        for (flag, reason) in s.flags.iter().zip(&s.reasons) {
            assert_eq!(*flag, reason.flag);
        }
        match (instrument.total_range(), s.total) {
            (Some((lo, hi)), Some(total)) => {
                assert!((lo..=hi).contains(&total), "{instrument} {sent:?}: {total}");
                let band = bands(instrument, &context)
                    .into_iter()
                    .find(|b| (b.min..=b.max).contains(&total))
                    .expect("every total has a band");
                assert_eq!(s.severity, band.severity);
            }
            (None, None) => {}
            other => panic!("{instrument}: total and range disagree: {other:?}"),
        }
        s
    }

    #[test]
    fn every_valid_answer_set_of_the_small_instruments_scores_within_range() {
        for instrument in [
            Instrument::Phq2,
            Instrument::Gad7,
            Instrument::AuditC,
            Instrument::Dast10,
            Instrument::Cssrs,
        ] {
            let sets = every_answer_set(instrument);
            // C-SSRS: 2^5 for items 1-5, times item 6 no (6_recent absent or
            // false) or yes (6_recent false or true).
            if instrument == Instrument::Cssrs {
                assert_eq!(sets.len(), 32 * 4);
            }
            for sex in [None, Some(Sex::Male), Some(Sex::Female)] {
                for sent in &sets {
                    let s = assert_total_in_range(instrument, sent, ScoringContext { sex });
                    if instrument == Instrument::Cssrs {
                        assert_eq!(s.has_suicide_risk(), s.severity == ScreeningSeverity::High);
                    }
                }
            }
        }
    }

    #[test]
    fn sampled_valid_answer_sets_of_the_large_instruments_score_within_range() {
        // A fixed linear congruential sequence: repeatable without a
        // property-testing dependency.
        let mut seed: u64 = 0x5eed;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            usize::try_from(seed >> 33).unwrap() % n
        };
        for instrument in [Instrument::Phq9, Instrument::AhcHrsn] {
            for _ in 0..20_000 {
                let sent: Answers = instrument
                    .items()
                    .iter()
                    .map(|def| {
                        let valid = valid_values(def);
                        (def.key, valid[next(valid.len())].clone())
                    })
                    .collect();
                let s = assert_total_in_range(instrument, &sent, ScoringContext::default());
                if instrument == Instrument::Phq9 {
                    assert_eq!(
                        s.has_suicide_risk(),
                        sent.get("9") != Some(&v(0)),
                        "{sent:?}"
                    );
                } else {
                    assert!(s.flags.is_empty());
                    assert_eq!(s.positive, !s.social_needs.is_empty());
                }
            }
        }
    }

    #[test]
    fn bands_cover_every_possible_total_without_gaps_or_overlaps() {
        for instrument in Instrument::VARIANTS {
            for sex in [None, Some(Sex::Male), Some(Sex::Female)] {
                let bands = bands(*instrument, &ScoringContext { sex });
                let Some((lo, hi)) = instrument.total_range() else {
                    assert!(bands.is_empty());
                    continue;
                };
                assert_eq!(bands.first().unwrap().min, lo);
                assert_eq!(bands.last().unwrap().max, hi);
                for pair in bands.windows(2) {
                    assert_eq!(pair[0].max + 1, pair[1].min, "{instrument}");
                }
            }
        }
    }

    #[test]
    fn a_depression_response_is_a_drop_of_at_least_half_from_an_index_above_9() {
        assert!(depression_response(10, 5));
        assert!(!depression_response(10, 6));
        assert!(depression_response(11, 5));
        assert!(!depression_response(11, 6));
        assert!(depression_response(27, 0));
        assert!(!depression_response(9, 0), "an index of 9 is not an index");
    }

    #[test]
    fn remission_is_a_phq9_below_5() {
        assert!(remission(0));
        assert!(remission(4));
        assert!(!remission(5));
    }

    #[test]
    fn phq9_follow_up_windows_are_6_and_12_months_after_the_index_give_or_take_60_days() {
        assert_eq!(
            phq9_windows_after_index(d(2026, 1, 15)),
            [
                (d(2026, 5, 16), d(2026, 9, 13)),
                (d(2026, 11, 16), d(2027, 3, 16)),
            ]
        );
    }

    #[test]
    fn phq9_windows_from_a_month_end_anchor_on_the_last_day_of_a_shorter_month() {
        let [six, twelve] = phq9_windows_after_index(d(2025, 8, 31));
        // 6 months after 31 August 2025 is 28 February 2026.
        assert_eq!(six, (d(2025, 12, 30), d(2026, 4, 29)));
        assert_eq!(twelve, (d(2026, 7, 2), d(2026, 10, 30)));
        // In a leap year, 29 February.
        let [six, _] = phq9_windows_after_index(d(2023, 8, 31));
        assert_eq!(six.0 + Days::new(60), d(2024, 2, 29));
    }

    #[test]
    fn a_routine_phq9_is_due_when_never_given_or_90_days_after_the_last() {
        let last = d(2026, 1, 1);
        assert!(phq9_routine_due(None, d(2026, 1, 1)));
        assert!(!phq9_routine_due(Some(last), d(2026, 3, 31)), "day 89");
        assert!(phq9_routine_due(Some(last), d(2026, 4, 1)), "day 90");
        assert!(phq9_routine_due(Some(last), d(2026, 9, 1)));
        assert!(
            !phq9_routine_due(Some(d(2026, 5, 1)), d(2026, 4, 1)),
            "last in the future"
        );
    }
}
