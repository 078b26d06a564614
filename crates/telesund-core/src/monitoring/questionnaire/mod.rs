//! Questionnaires for home telemonitoring: a subset of FHIR R4 `Questionnaire` (flat items of
//! the types display, boolean, choice, integer, decimal and string, with `enableWhen`), plus
//! the triage we need on top: a colour per answer option, per numeric band and per total
//! score, and the reasons that made the result yellow or red.
//!
//! Questionnaires are stored as JSON (this module's serde form) and mapped to FHIR by the
//! FHIR crate. Answers are a list of `(link_id, Answer)`; an [`Answer`] is serialised with
//! its kind as the key, so a number is never mistaken for a choice code:
//! `{"boolean": true}`, `{"integer": 3}`, `{"decimal": 38.2}`, `{"choice": "much_more"}`,
//! `{"string": "Jeg har sovet dårligt"}`.
//!
//! `enableWhen` follows FHIR: an item is enabled when all (or any) of its conditions hold; a
//! condition on a question that is unanswered or itself disabled is false for every operator
//! except `exists`, so disabling travels down a chain of follow-up questions. Conditions may
//! only refer to earlier items, which rules out cycles and lets one pass decide every item.

mod library;

pub use library::{copd_symptoms, diabetes_symptoms, heart_failure_symptoms, library, who5};

use super::rules::danish_number;
use super::triage::Colour;
use crate::error::DomainError;
use crate::identity::string_enum;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Questionnaire {
    /// A stable slug ("who5"): answers and care plans refer to it across versions.
    pub key: String,
    pub version: String,
    /// Danish.
    pub title: String,
    pub title_en: String,
    #[serde(default)]
    pub description: String,
    pub items: Vec<Item>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoring: Option<Scoring>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub link_id: String,
    /// Danish, as the citizen reads it.
    pub text: String,
    pub text_en: String,
    /// A short Danish name for the worklist ("Åndenød"), where the full question would be too
    /// long to read as a reason (FHIR SDC `shortText`). The text is used when it is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_text: Option<String>,
    pub kind: ItemKind,
    /// Only while the item is enabled: a disabled item is never required (FHIR).
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enable_when: Vec<EnableWhen>,
    #[serde(default)]
    pub enable_behavior: EnableBehavior,
}

/// The item type, named as FHIR names it (`Questionnaire.item.type`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ItemKind {
    /// Text shown to the citizen, never answered.
    Display,
    Boolean {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        yes_colour: Option<Colour>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        no_colour: Option<Colour>,
    },
    Choice {
        options: Vec<AnswerOption>,
    },
    Integer {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<i64>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        bands: Vec<ValueBand>,
    },
    Decimal {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        bands: Vec<ValueBand>,
    },
    String {
        /// In characters, not bytes: "æøå" is three.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_length: Option<usize>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerOption {
    pub code: String,
    /// Danish.
    pub display: String,
    pub display_en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<i32>,
    /// The triage colour this answer gives on its own ("much more breathless" → red).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colour: Option<Colour>,
}

/// A closed range `min..=max` of a numeric answer or a total score, and its colour. A bound
/// left out is open. Bands are listed from low to high and may touch but not overlap; a value
/// on a shared bound takes the more severe colour, so decimal bands can leave no gap.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueBand {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    pub colour: Colour,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnableWhen {
    /// The link_id of an earlier item.
    pub question: String,
    pub operator: Operator,
    /// For `exists`, a boolean: whether the question must be answered or unanswered.
    pub answer: Answer,
}

string_enum!(
    /// FHIR `QuestionnaireItemOperator`, spelled as FHIR spells it.
    Operator {
        Exists = "exists",
        Equal = "=",
        NotEqual = "!=",
        Greater = ">",
        Less = "<",
        GreaterOrEqual = ">=",
        LessOrEqual = "<=",
    }
);

/// Whether all or any of an item's conditions must hold (FHIR `enableBehavior`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnableBehavior {
    #[default]
    All,
    Any,
}

/// One answer. Serialised with the kind as the key (`{"choice": "a2"}`), because a bare
/// JSON value could not tell the choice code "3" from the integer 3 or an integer from a
/// decimal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Boolean(bool),
    Integer(i64),
    Decimal(f64),
    /// The option's code, not its display text.
    Choice(String),
    String(String),
}

/// The answers to one questionnaire, in the order given: `(link_id, answer)`.
pub type Answers = [(String, Answer)];

/// How a total score is calculated and coloured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scoring {
    /// The raw sum is multiplied by this (WHO-5: 4, to give 0–100).
    pub multiplier: f64,
    /// Colours on the final (multiplied) score.
    #[serde(default)]
    pub bands: Vec<ValueBand>,
    /// The choice items that count; empty means every choice item whose options have scores.
    #[serde(default)]
    pub items: Vec<String>,
}

/// One problem with a set of answers, for the citizen: the form shows it by the question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerError {
    pub link_id: String,
    /// Danish.
    pub message: String,
    pub message_en: String,
}

/// The triage of one complete, valid set of answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The raw score times the multiplier; `None` without scoring.
    pub score: Option<f64>,
    pub raw_score: Option<i64>,
    /// The worst colour of any answer, band or score band; green when none fires.
    pub colour: Colour,
    /// Every rule that gave a colour other than green, worst first.
    pub reasons: Vec<Reason>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// The item; `None` for the total score.
    pub link_id: Option<String>,
    pub colour: Colour,
    /// Danish, for the worklist: "Åndenød: Meget mere end normalt".
    pub text: String,
}

impl ValueBand {
    pub fn contains(&self, value: f64) -> bool {
        self.min.is_none_or(|m| value >= m) && self.max.is_none_or(|m| value <= m)
    }

    /// "3–5", "mindst 39", "højst 28": the band as it reads in a reason.
    pub fn danish(&self) -> String {
        match (self.min, self.max) {
            (Some(a), Some(b)) if a == b => danish_number(a),
            (Some(a), Some(b)) => format!("{}–{}", danish_number(a), danish_number(b)),
            (Some(a), None) => format!("mindst {}", danish_number(a)),
            (None, Some(b)) => format!("højst {}", danish_number(b)),
            (None, None) => "alle værdier".to_string(),
        }
    }
}

/// The most severe band containing `value`, if any.
fn band_for(bands: &[ValueBand], value: f64) -> Option<&ValueBand> {
    bands
        .iter()
        .filter(|b| b.contains(value))
        .max_by_key(|b| b.colour)
}

impl Item {
    /// The name used in reasons: the short text when there is one.
    pub fn label(&self) -> &str {
        self.short_text.as_deref().unwrap_or(&self.text)
    }

    pub fn is_answerable(&self) -> bool {
        !matches!(self.kind, ItemKind::Display)
    }

    fn option(&self, code: &str) -> Option<&AnswerOption> {
        match &self.kind {
            ItemKind::Choice { options } => options.iter().find(|o| o.code == code),
            _ => None,
        }
    }

    /// Whether this item can count in a score: a choice whose every option has a score.
    fn is_scored(&self) -> bool {
        matches!(&self.kind, ItemKind::Choice { options }
            if !options.is_empty() && options.iter().all(|o| o.score.is_some()))
    }

    /// Checks one answer against this (answerable) item.
    fn check(&self, answer: &Answer) -> Result<(), (String, String)> {
        let err = |da: String, en: String| Err((da, en));
        match (&self.kind, answer) {
            (ItemKind::Boolean { .. }, Answer::Boolean(_)) => Ok(()),
            (ItemKind::Choice { .. }, Answer::Choice(code)) => match self.option(code) {
                Some(_) => Ok(()),
                None => err(
                    "Vælg et af de viste svar.".into(),
                    "Choose one of the answers shown.".into(),
                ),
            },
            (ItemKind::Integer { min, max, .. }, Answer::Integer(v)) => {
                if min.is_some_and(|m| *v < m) || max.is_some_and(|m| *v > m) {
                    let (da, en) =
                        range_message(min.map(|m| m.to_string()), max.map(|m| m.to_string()));
                    err(da, en)
                } else {
                    Ok(())
                }
            }
            (ItemKind::Decimal { min, max, .. }, Answer::Decimal(v)) => {
                if !v.is_finite() {
                    let (da, en) = expected(&self.kind);
                    err(da.into(), en.into())
                } else if min.is_some_and(|m| *v < m) || max.is_some_and(|m| *v > m) {
                    let (da, en) = range_message(min.map(danish_number), max.map(danish_number));
                    err(da, en)
                } else {
                    Ok(())
                }
            }
            (ItemKind::String { max_length }, Answer::String(s)) => {
                let length = s.chars().count();
                // FHIR strings may not be empty: an optional question left blank is left out.
                if s.trim().is_empty() {
                    err(
                        "Svaret er tomt. Skriv et svar.".into(),
                        "The answer is empty. Please write an answer.".into(),
                    )
                } else if max_length.is_some_and(|m| length > m) {
                    let m = max_length.unwrap_or_default();
                    err(
                        format!("Svaret må højst være på {m} tegn. Det er nu {length} tegn."),
                        format!("The answer may be at most {m} characters. It is {length}."),
                    )
                } else {
                    Ok(())
                }
            }
            (kind, _) => {
                let (da, en) = expected(kind);
                err(da.into(), en.into())
            }
        }
    }

    /// The colour this item's answer gives, with the reason, when it is not green.
    fn colour_of(&self, answer: &Answer) -> Option<Reason> {
        let (colour, shown) = match (&self.kind, answer) {
            (
                ItemKind::Boolean {
                    yes_colour,
                    no_colour,
                },
                Answer::Boolean(b),
            ) => {
                let colour = if *b { *yes_colour } else { *no_colour };
                (colour?, if *b { "Ja" } else { "Nej" }.to_string())
            }
            (ItemKind::Choice { .. }, Answer::Choice(code)) => {
                let option = self.option(code)?;
                (option.colour?, option.display.clone())
            }
            (ItemKind::Integer { bands, .. }, Answer::Integer(v)) => {
                let band = band_for(bands, *v as f64)?;
                (band.colour, format!("{v} ({})", band.danish()))
            }
            (ItemKind::Decimal { bands, .. }, Answer::Decimal(v)) => {
                let band = band_for(bands, *v)?;
                (
                    band.colour,
                    format!("{} ({})", danish_number(*v), band.danish()),
                )
            }
            _ => return None,
        };
        (colour != Colour::Green).then(|| Reason {
            link_id: Some(self.link_id.clone()),
            colour,
            text: format!("{}: {}", self.label(), shown),
        })
    }
}

/// What a kind of item expects, as the message for an answer of the wrong kind.
fn expected(kind: &ItemKind) -> (&'static str, &'static str) {
    match kind {
        ItemKind::Boolean { .. } => ("Svar ja eller nej.", "Answer yes or no."),
        ItemKind::Choice { .. } => (
            "Vælg et af de viste svar.",
            "Choose one of the answers shown.",
        ),
        ItemKind::Integer { .. } => ("Skriv et helt tal.", "Enter a whole number."),
        ItemKind::Decimal { .. } => ("Skriv et tal.", "Enter a number."),
        ItemKind::String { .. } => ("Skriv dit svar som tekst.", "Write your answer as text."),
        ItemKind::Display => (
            "Dette er en tekst og ikke et spørgsmål, så det kan ikke besvares.",
            "This is information, not a question, and cannot be answered.",
        ),
    }
}

fn range_message(min: Option<String>, max: Option<String>) -> (String, String) {
    match (min, max) {
        (Some(a), Some(b)) => (
            format!("Svaret skal være mellem {a} og {b}."),
            format!("The answer must be between {a} and {b}."),
        ),
        (Some(a), None) => (
            format!("Svaret skal være mindst {a}."),
            format!("The answer must be at least {a}."),
        ),
        (None, Some(b)) => (
            format!("Svaret må højst være {b}."),
            format!("The answer must be at most {b}."),
        ),
        // Only called for a value outside the range, which takes a bound.
        (None, None) => (String::new(), String::new()),
    }
}

impl EnableWhen {
    /// Whether the condition holds, given the controlling question's answer (`None` when it
    /// is unanswered or disabled).
    fn holds(&self, given: Option<&Answer>) -> bool {
        match self.operator {
            Operator::Exists => matches!(self.answer, Answer::Boolean(b) if b == given.is_some()),
            op => given.is_some_and(|g| compare(op, g, &self.answer)),
        }
    }
}

/// `given op expected`; false when the kinds differ or the kind has no order.
fn compare(op: Operator, given: &Answer, expected: &Answer) -> bool {
    let ordering = match (given, expected) {
        (Answer::Integer(a), Answer::Integer(b)) => Some(a.cmp(b)),
        (Answer::Decimal(a), Answer::Decimal(b)) => a.partial_cmp(b),
        (Answer::Boolean(a), Answer::Boolean(b)) => return equality(op, a == b),
        (Answer::Choice(a), Answer::Choice(b)) | (Answer::String(a), Answer::String(b)) => {
            return equality(op, a == b);
        }
        _ => None,
    };
    let Some(ordering) = ordering else {
        return false;
    };
    match op {
        Operator::Exists => false,
        Operator::Equal => ordering == Ordering::Equal,
        Operator::NotEqual => ordering != Ordering::Equal,
        Operator::Greater => ordering == Ordering::Greater,
        Operator::Less => ordering == Ordering::Less,
        Operator::GreaterOrEqual => ordering != Ordering::Less,
        Operator::LessOrEqual => ordering != Ordering::Greater,
    }
}

fn equality(op: Operator, equal: bool) -> bool {
    match op {
        Operator::Equal => equal,
        Operator::NotEqual => !equal,
        _ => false,
    }
}

fn first_answer<'a>(answers: &'a Answers, link_id: &str) -> Option<&'a Answer> {
    answers.iter().find(|(l, _)| l == link_id).map(|(_, a)| a)
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn invalid(message: String) -> Result<(), DomainError> {
    Err(DomainError::invalid(message))
}

/// Bands must be finite, each non-empty, and listed low to high, touching at most.
fn validate_bands(bands: &[ValueBand], what: &str) -> Result<(), DomainError> {
    for (i, band) in bands.iter().enumerate() {
        if band.min.is_none() && band.max.is_none() {
            return invalid(format!(
                "a band of {what} needs a min or a max: one without would colour every answer"
            ));
        }
        if band.min.is_some_and(|v| !v.is_finite()) || band.max.is_some_and(|v| !v.is_finite()) {
            return invalid(format!("a band of {what} has a bound that is not a number"));
        }
        if let (Some(a), Some(b)) = (band.min, band.max)
            && a > b
        {
            return invalid(format!("a band of {what} has min {a} above max {b}"));
        }
        if band.colour == Colour::Blue {
            return invalid(format!(
                "a band of {what} is blue, which means a missing value, not an answer"
            ));
        }
        if i > 0 {
            let previous = &bands[i - 1];
            // Open ends only at the ends; otherwise two bands would overlap.
            let (Some(prev_max), Some(min)) = (previous.max, band.min) else {
                return invalid(format!(
                    "the bands of {what} overlap: only the first may lack a min and only the last a max"
                ));
            };
            if min < prev_max {
                return invalid(format!(
                    "the bands of {what} overlap or are out of order: {min} is below {prev_max}"
                ));
            }
        }
    }
    Ok(())
}

fn validate_colour(colour: Option<Colour>, what: &str) -> Result<(), DomainError> {
    if colour == Some(Colour::Blue) {
        return invalid(format!(
            "{what} is blue, which means a missing value, not an answer"
        ));
    }
    Ok(())
}

impl Questionnaire {
    pub fn item(&self, link_id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.link_id == link_id)
    }

    fn index_of(&self, link_id: &str) -> Option<usize> {
        self.items.iter().position(|i| i.link_id == link_id)
    }

    /// Checks that the questionnaire can be answered and scored as written. Messages are for
    /// whoever authors it, in English.
    pub fn validate(&self) -> Result<(), DomainError> {
        if !is_slug(&self.key) {
            return invalid(format!(
                "the key '{}' must be a slug of a-z, 0-9, '_' and '-'",
                self.key
            ));
        }
        if self.version.trim().is_empty() {
            return invalid("a questionnaire needs a version".into());
        }
        if self.title.trim().is_empty() {
            return invalid("a questionnaire needs a Danish title".into());
        }
        if !self.items.iter().any(Item::is_answerable) {
            return invalid("a questionnaire needs at least one question to answer".into());
        }
        for (i, item) in self.items.iter().enumerate() {
            self.validate_item(i, item)?;
        }
        if let Some(scoring) = &self.scoring {
            self.validate_scoring(scoring)?;
        }
        Ok(())
    }

    fn validate_item(&self, index: usize, item: &Item) -> Result<(), DomainError> {
        let id = &item.link_id;
        if id.is_empty() || id.chars().any(char::is_whitespace) {
            return invalid(format!(
                "the link_id '{id}' must be non-empty and without spaces"
            ));
        }
        if self.items[..index].iter().any(|i| &i.link_id == id) {
            return invalid(format!("the link_id '{id}' is used twice"));
        }
        if item.text.trim().is_empty() {
            return invalid(format!("item '{id}' needs a Danish text"));
        }
        if item.required && !item.is_answerable() {
            return invalid(format!(
                "item '{id}' is display text and cannot be required"
            ));
        }
        match &item.kind {
            ItemKind::Display => {}
            ItemKind::Boolean {
                yes_colour,
                no_colour,
            } => {
                validate_colour(*yes_colour, &format!("the yes colour of '{id}'"))?;
                validate_colour(*no_colour, &format!("the no colour of '{id}'"))?;
            }
            ItemKind::Choice { options } => {
                if options.is_empty() {
                    return invalid(format!("choice item '{id}' needs options"));
                }
                for (j, option) in options.iter().enumerate() {
                    if option.code.trim().is_empty() || option.display.trim().is_empty() {
                        return invalid(format!(
                            "every option of '{id}' needs a code and a Danish display"
                        ));
                    }
                    if options[..j].iter().any(|o| o.code == option.code) {
                        return invalid(format!(
                            "the option code '{}' is used twice in '{id}'",
                            option.code
                        ));
                    }
                    validate_colour(
                        option.colour,
                        &format!("option '{}' of '{id}'", option.code),
                    )?;
                }
                // A partly scored item would give a score that silently ignores some answers.
                let scored = options.iter().filter(|o| o.score.is_some()).count();
                if scored != 0 && scored != options.len() {
                    return invalid(format!(
                        "either every option of '{id}' has a score or none has"
                    ));
                }
            }
            ItemKind::Integer { min, max, bands } => {
                if let (Some(a), Some(b)) = (min, max)
                    && a > b
                {
                    return invalid(format!("item '{id}' has min {a} above max {b}"));
                }
                validate_bands(bands, &format!("'{id}'"))?;
            }
            ItemKind::Decimal { min, max, bands } => {
                if min.is_some_and(|v| !v.is_finite()) || max.is_some_and(|v| !v.is_finite()) {
                    return invalid(format!("item '{id}' has a min or max that is not a number"));
                }
                if let (Some(a), Some(b)) = (min, max)
                    && a > b
                {
                    return invalid(format!("item '{id}' has min {a} above max {b}"));
                }
                validate_bands(bands, &format!("'{id}'"))?;
            }
            ItemKind::String { max_length } => {
                if *max_length == Some(0) {
                    return invalid(format!("item '{id}' allows no text at all"));
                }
            }
        }
        for condition in &item.enable_when {
            self.validate_condition(index, item, condition)?;
        }
        Ok(())
    }

    fn validate_condition(
        &self,
        index: usize,
        item: &Item,
        condition: &EnableWhen,
    ) -> Result<(), DomainError> {
        let id = &item.link_id;
        let q = &condition.question;
        let Some(target) = self.index_of(q) else {
            return invalid(format!(
                "item '{id}' depends on '{q}', which does not exist"
            ));
        };
        // Only earlier items: this is what rules out cycles.
        if target >= index {
            return invalid(format!(
                "item '{id}' depends on '{q}', which must come before it"
            ));
        }
        let question = &self.items[target];
        let answer = &condition.answer;
        if condition.operator == Operator::Exists {
            if !matches!(answer, Answer::Boolean(_)) {
                return invalid(format!(
                    "item '{id}': 'exists' on '{q}' needs a boolean answer"
                ));
            }
            if !question.is_answerable() {
                return invalid(format!(
                    "item '{id}' depends on display text '{q}', which is never answered"
                ));
            }
            return Ok(());
        }
        let kind_matches = match (&question.kind, answer) {
            (ItemKind::Boolean { .. }, Answer::Boolean(_))
            | (ItemKind::Integer { .. }, Answer::Integer(_))
            | (ItemKind::String { .. }, Answer::String(_)) => true,
            (ItemKind::Decimal { .. }, Answer::Decimal(v)) => v.is_finite(),
            (ItemKind::Choice { .. }, Answer::Choice(code)) => {
                if question.option(code).is_none() {
                    return invalid(format!(
                        "item '{id}' depends on '{q}' being '{code}', which is not one of its options"
                    ));
                }
                true
            }
            _ => false,
        };
        if !kind_matches {
            return invalid(format!(
                "item '{id}' compares '{q}' with an answer of another kind"
            ));
        }
        let ordered = matches!(
            question.kind,
            ItemKind::Integer { .. } | ItemKind::Decimal { .. }
        );
        if !ordered && !matches!(condition.operator, Operator::Equal | Operator::NotEqual) {
            return invalid(format!(
                "item '{id}' uses '{}' on '{q}', whose answers have no order",
                condition.operator
            ));
        }
        Ok(())
    }

    /// The items a score sums: those named, or every fully scored choice item.
    fn scoring_items(&self, scoring: &Scoring) -> Vec<&Item> {
        if scoring.items.is_empty() {
            self.items.iter().filter(|i| i.is_scored()).collect()
        } else {
            scoring.items.iter().filter_map(|l| self.item(l)).collect()
        }
    }

    fn validate_scoring(&self, scoring: &Scoring) -> Result<(), DomainError> {
        if !(scoring.multiplier.is_finite() && scoring.multiplier > 0.0) {
            return invalid("the score multiplier must be a positive number".into());
        }
        for (i, l) in scoring.items.iter().enumerate() {
            if scoring.items[..i].contains(l) {
                return invalid(format!("the score counts '{l}' twice"));
            }
            let Some(item) = self.item(l) else {
                return invalid(format!("the score counts '{l}', which does not exist"));
            };
            if !item.is_scored() {
                return invalid(format!(
                    "the score counts '{l}', which is not a choice item with scores"
                ));
            }
        }
        let items = self.scoring_items(scoring);
        if items.is_empty() {
            return invalid("a score needs at least one choice item with scores".into());
        }
        // A sum of some answers would look like a low score, which for WHO-5 means unwell.
        if let Some(item) = items
            .iter()
            .find(|i| !i.required || !i.enable_when.is_empty())
        {
            return invalid(format!(
                "the score counts '{}', which must be required and always enabled so every score is complete",
                item.link_id
            ));
        }
        validate_bands(&scoring.bands, "the score")
    }

    /// Whether each item is enabled by these answers, in item order.
    fn enabled_flags(&self, answers: &Answers) -> Vec<bool> {
        let mut enabled: Vec<bool> = Vec::with_capacity(self.items.len());
        for item in &self.items {
            let mut conditions = item.enable_when.iter().map(|c| {
                // An unanswered, disabled, unknown or later question gives no answer.
                let given = self
                    .index_of(&c.question)
                    .filter(|&j| enabled.get(j).copied().unwrap_or(false))
                    .and_then(|j| {
                        let question = &self.items[j];
                        question
                            .is_answerable()
                            .then(|| first_answer(answers, &question.link_id))
                            .flatten()
                    });
                c.holds(given)
            });
            let on = item.enable_when.is_empty()
                || match item.enable_behavior {
                    EnableBehavior::All => conditions.all(|x| x),
                    EnableBehavior::Any => conditions.any(|x| x),
                };
            enabled.push(on);
        }
        enabled
    }

    /// The items to show for these answers, display text included, in order. Where an item
    /// is answered twice, the first answer decides.
    pub fn enabled_items(&self, answers: &Answers) -> Vec<&Item> {
        self.items
            .iter()
            .zip(self.enabled_flags(answers))
            .filter_map(|(item, on)| on.then_some(item))
            .collect()
    }

    /// Checks a complete set of answers and triages it. Every problem is returned, answers
    /// in the order given first, then the required questions left unanswered in item order.
    pub fn evaluate(&self, answers: &Answers) -> Result<Evaluation, Vec<AnswerError>> {
        let enabled = self.enabled_flags(answers);
        let mut answered: Vec<Option<&Answer>> = vec![None; self.items.len()];
        let mut errors = Vec::new();
        let mut error = |link_id: &str, da: String, en: String| {
            errors.push(AnswerError {
                link_id: link_id.to_string(),
                message: da,
                message_en: en,
            })
        };
        for (link_id, answer) in answers {
            let Some(i) = self.index_of(link_id) else {
                error(
                    link_id,
                    "Spørgsmålet findes ikke i dette spørgeskema.".into(),
                    "This question is not part of the questionnaire.".into(),
                );
                continue;
            };
            let item = &self.items[i];
            if answered[i].is_some() {
                error(
                    link_id,
                    "Spørgsmålet er besvaret mere end én gang.".into(),
                    "The question was answered more than once.".into(),
                );
                continue;
            }
            answered[i] = Some(answer);
            if !item.is_answerable() {
                let (da, en) = expected(&item.kind);
                error(link_id, da.into(), en.into());
            } else if !enabled[i] {
                error(
                    link_id,
                    "Dette spørgsmål skal ikke besvares ud fra dine andre svar.".into(),
                    "This question does not apply, given your other answers.".into(),
                );
            } else if let Err((da, en)) = item.check(answer) {
                error(link_id, da, en);
            }
        }
        for (i, item) in self.items.iter().enumerate() {
            if item.required && item.is_answerable() && enabled[i] && answered[i].is_none() {
                error(
                    &item.link_id,
                    "Dette spørgsmål skal besvares.".into(),
                    "This question must be answered.".into(),
                );
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }

        let mut reasons: Vec<Reason> = self
            .items
            .iter()
            .zip(&answered)
            .filter_map(|(item, answer)| item.colour_of((*answer)?))
            .collect();
        let (raw_score, score) = match self.score(&answered) {
            Some((raw, score, reason)) => {
                reasons.extend(reason);
                (Some(raw), Some(score))
            }
            None => (None, None),
        };
        // Stable, so equally severe reasons keep the questionnaire's order.
        reasons.sort_by_key(|r| std::cmp::Reverse(r.colour));
        Ok(Evaluation {
            score,
            raw_score,
            colour: reasons.first().map_or(Colour::Green, |r| r.colour),
            reasons,
        })
    }

    /// (raw, multiplied, reason) when the questionnaire is scored and every scored item has a
    /// scored answer.
    fn score(&self, answered: &[Option<&Answer>]) -> Option<(i64, f64, Option<Reason>)> {
        let scoring = self.scoring.as_ref()?;
        let mut raw = 0i64;
        for item in self.scoring_items(scoring) {
            let i = self.index_of(&item.link_id)?;
            let Some(Answer::Choice(code)) = answered[i] else {
                return None;
            };
            raw += i64::from(item.option(code)?.score?);
        }
        let score = raw as f64 * scoring.multiplier;
        let reason = band_for(&scoring.bands, score)
            .filter(|b| b.colour != Colour::Green)
            .map(|band| Reason {
                link_id: None,
                colour: band.colour,
                text: format!(
                    "{}: score {} ({})",
                    self.title,
                    danish_number(score),
                    band.danish()
                ),
            });
        Some((raw, score, reason))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn a(link_id: &str, answer: Answer) -> (String, Answer) {
        (link_id.to_string(), answer)
    }
    fn yes(link_id: &str) -> (String, Answer) {
        a(link_id, Answer::Boolean(true))
    }
    fn no(link_id: &str) -> (String, Answer) {
        a(link_id, Answer::Boolean(false))
    }
    fn choice(link_id: &str, code: &str) -> (String, Answer) {
        a(link_id, Answer::Choice(code.to_string()))
    }

    fn item(link_id: &str, kind: ItemKind) -> Item {
        Item {
            link_id: link_id.into(),
            text: format!("Spørgsmål {link_id}?"),
            text_en: format!("Question {link_id}?"),
            short_text: None,
            required: kind != ItemKind::Display,
            kind,
            enable_when: Vec::new(),
            enable_behavior: EnableBehavior::All,
        }
    }

    fn boolean(yes_colour: Option<Colour>) -> ItemKind {
        ItemKind::Boolean {
            yes_colour,
            no_colour: None,
        }
    }

    fn cond(question: &str, operator: Operator, answer: Answer) -> EnableWhen {
        EnableWhen {
            question: question.into(),
            operator,
            answer,
        }
    }

    fn questionnaire(items: Vec<Item>) -> Questionnaire {
        Questionnaire {
            key: "test".into(),
            version: "1".into(),
            title: "Test".into(),
            title_en: "Test".into(),
            description: String::new(),
            items,
            scoring: None,
        }
    }

    /// One item of every kind, with a follow-up on the boolean.
    fn sample() -> Questionnaire {
        let mut follow_up = item("follow_up", boolean(Some(Colour::Red)));
        follow_up.enable_when = vec![cond("pain", Operator::Equal, Answer::Boolean(true))];
        let mut note = item(
            "note",
            ItemKind::String {
                max_length: Some(5),
            },
        );
        note.required = false;
        questionnaire(vec![
            item("intro", ItemKind::Display),
            item("pain", boolean(Some(Colour::Yellow))),
            follow_up,
            item(
                "mood",
                ItemKind::Choice {
                    options: vec![
                        AnswerOption {
                            code: "good".into(),
                            display: "Godt".into(),
                            display_en: "Good".into(),
                            score: None,
                            colour: Some(Colour::Green),
                        },
                        AnswerOption {
                            code: "bad".into(),
                            display: "Dårligt".into(),
                            display_en: "Bad".into(),
                            score: None,
                            colour: Some(Colour::Yellow),
                        },
                    ],
                },
            ),
            item(
                "count",
                ItemKind::Integer {
                    min: Some(0),
                    max: Some(10),
                    bands: vec![ValueBand {
                        min: Some(8.0),
                        max: None,
                        colour: Colour::Red,
                    }],
                },
            ),
            item(
                "temp",
                ItemKind::Decimal {
                    min: Some(34.0),
                    max: Some(43.0),
                    bands: Vec::new(),
                },
            ),
            note,
        ])
    }

    fn sample_answers() -> Vec<(String, Answer)> {
        vec![
            no("pain"),
            choice("mood", "good"),
            a("count", Answer::Integer(1)),
            a("temp", Answer::Decimal(36.8)),
        ]
    }

    fn who5_answers(scores: [u8; 5]) -> Vec<(String, Answer)> {
        let q = library::who5();
        q.items
            .iter()
            .zip(scores)
            .map(|(i, s)| choice(&i.link_id, &s.to_string()))
            .collect()
    }

    fn errors_for(q: &Questionnaire, answers: &Answers) -> Vec<(String, String)> {
        q.evaluate(answers)
            .unwrap_err()
            .into_iter()
            .map(|e| (e.link_id, e.message))
            .collect()
    }

    #[test]
    fn who5_extremes() {
        let q = library::who5();
        let best = q.evaluate(&who5_answers([5; 5])).unwrap();
        assert_eq!(best.raw_score, Some(25));
        assert_eq!(best.score, Some(100.0));
        assert_eq!(best.colour, Colour::Green);
        assert!(
            best.reasons.is_empty(),
            "a green score band is not a reason"
        );

        let worst = q.evaluate(&who5_answers([0; 5])).unwrap();
        assert_eq!(worst.raw_score, Some(0));
        assert_eq!(worst.score, Some(0.0));
        assert_eq!(worst.colour, Colour::Red);
        assert_eq!(
            worst.reasons,
            [Reason {
                link_id: None,
                colour: Colour::Red,
                text: "WHO-5 Trivselsindeks: score 0 (højst 28)".into(),
            }]
        );
    }

    #[test]
    fn who5_band_boundaries() {
        let q = library::who5();
        let bands = &q.scoring.as_ref().unwrap().bands;
        let colour = |s: f64| band_for(bands, s).map(|b| b.colour);
        assert_eq!(colour(28.0), Some(Colour::Red));
        assert_eq!(colour(29.0), Some(Colour::Yellow));
        assert_eq!(colour(50.0), Some(Colour::Yellow));
        assert_eq!(colour(51.0), Some(Colour::Green));
        // Real scores are multiples of 4: 28, 32 ... 48, 52 sit either side of the bounds.
        let scored = |scores| q.evaluate(&who5_answers(scores)).unwrap();
        let e = scored([2, 2, 1, 1, 1]);
        assert_eq!((e.score, e.colour), (Some(28.0), Colour::Red));
        assert_eq!(
            e.reasons[0].text,
            "WHO-5 Trivselsindeks: score 28 (højst 28)"
        );
        let e = scored([2, 2, 2, 1, 1]);
        assert_eq!((e.score, e.colour), (Some(32.0), Colour::Yellow));
        assert_eq!(e.reasons[0].text, "WHO-5 Trivselsindeks: score 32 (29–50)");
        let e = scored([3, 3, 2, 2, 2]);
        assert_eq!((e.score, e.colour), (Some(48.0), Colour::Yellow));
        let e = scored([3, 3, 3, 2, 2]);
        assert_eq!((e.score, e.colour), (Some(52.0), Colour::Green));
    }

    #[test]
    fn explicit_scoring_items_and_multiplier() {
        let mut q = library::who5();
        q.scoring = Some(Scoring {
            multiplier: 2.5,
            bands: Vec::new(),
            items: vec!["cheerful".into(), "calm".into()],
        });
        q.validate().unwrap();
        let e = q.evaluate(&who5_answers([5, 4, 0, 0, 0])).unwrap();
        assert_eq!(e.raw_score, Some(9));
        assert_eq!(e.score, Some(22.5));
        assert_eq!(e.colour, Colour::Green);
        let unscored = sample().evaluate(&sample_answers()).unwrap();
        assert_eq!((unscored.score, unscored.raw_score), (None, None));
    }

    #[test]
    fn colours_from_options_booleans_and_bands() {
        let q = sample();
        let e = q.evaluate(&sample_answers()).unwrap();
        assert_eq!(e.colour, Colour::Green);
        assert!(e.reasons.is_empty(), "a green option is not a reason");

        let answers = vec![
            no("pain"),
            choice("mood", "bad"),
            a("count", Answer::Integer(8)),
            a("temp", Answer::Decimal(36.8)),
        ];
        let e = q.evaluate(&answers).unwrap();
        assert_eq!(e.colour, Colour::Red);
        let texts: Vec<_> = e
            .reasons
            .iter()
            .map(|r| (r.link_id.as_deref(), r.colour, r.text.as_str()))
            .collect();
        assert_eq!(
            texts,
            [
                (Some("count"), Colour::Red, "Spørgsmål count?: 8 (mindst 8)"),
                (Some("mood"), Colour::Yellow, "Spørgsmål mood?: Dårligt"),
            ],
            "worst first"
        );

        let mut with_no_colour = sample();
        with_no_colour.items[1].kind = ItemKind::Boolean {
            yes_colour: None,
            no_colour: Some(Colour::Yellow),
        };
        with_no_colour.items[1].short_text = Some("Smerter".into());
        let e = with_no_colour.evaluate(&sample_answers()).unwrap();
        assert_eq!(e.colour, Colour::Yellow);
        assert_eq!(e.reasons[0].text, "Smerter: Nej");
    }

    #[test]
    fn touching_bands_give_the_worse_colour() {
        let bands = [
            ValueBand {
                min: Some(1.0),
                max: Some(2.0),
                colour: Colour::Yellow,
            },
            ValueBand {
                min: Some(2.0),
                max: None,
                colour: Colour::Red,
            },
        ];
        validate_bands(&bands, "x").unwrap();
        assert_eq!(band_for(&bands, 2.0).unwrap().colour, Colour::Red);
        assert_eq!(band_for(&bands, 1.99).unwrap().colour, Colour::Yellow);
        assert!(band_for(&bands, 0.99).is_none());
        assert_eq!(bands[0].danish(), "1–2");
        assert_eq!(bands[1].danish(), "mindst 2");
    }

    #[test]
    fn a_disabled_item_may_not_be_answered() {
        let q = sample();
        let mut answers = sample_answers();
        answers.push(yes("follow_up"));
        assert_eq!(
            errors_for(&q, &answers),
            [(
                "follow_up".into(),
                "Dette spørgsmål skal ikke besvares ud fra dine andre svar.".into()
            )]
        );
    }

    #[test]
    fn a_required_enabled_follow_up_must_be_answered() {
        let q = sample();
        let mut answers = sample_answers();
        answers[0] = yes("pain");
        assert_eq!(
            errors_for(&q, &answers),
            [("follow_up".into(), "Dette spørgsmål skal besvares.".into())]
        );
        answers.push(no("follow_up"));
        let e = q.evaluate(&answers).unwrap();
        assert_eq!(e.colour, Colour::Yellow, "pain itself is yellow");
    }

    #[test]
    fn all_and_any() {
        let mut target = item("target", ItemKind::String { max_length: None });
        target.enable_when = vec![
            cond("a", Operator::Equal, Answer::Boolean(true)),
            cond("b", Operator::Equal, Answer::Boolean(true)),
        ];
        let mut q = questionnaire(vec![
            item("a", boolean(None)),
            item("b", boolean(None)),
            target,
        ]);
        q.validate().unwrap();
        let shows = |q: &Questionnaire, x: bool, y: bool| {
            let answers = [a("a", Answer::Boolean(x)), a("b", Answer::Boolean(y))];
            q.enabled_items(&answers)
                .iter()
                .any(|i| i.link_id == "target")
        };
        assert!(shows(&q, true, true));
        assert!(!shows(&q, true, false));
        assert!(!shows(&q, false, true));
        q.items[2].enable_behavior = EnableBehavior::Any;
        assert!(shows(&q, true, true));
        assert!(shows(&q, true, false));
        assert!(shows(&q, false, true));
        assert!(!shows(&q, false, false));
        // Unanswered counts as not holding, also for `any`.
        assert!(q.enabled_items(&[]).iter().all(|i| i.link_id != "target"));
    }

    #[test]
    fn disabling_travels_down_a_chain() {
        let mut b = item("b", boolean(None));
        b.enable_when = vec![cond("a", Operator::Equal, Answer::Boolean(true))];
        let mut c = item("c", boolean(None));
        c.enable_when = vec![cond("b", Operator::Equal, Answer::Boolean(true))];
        let mut d = item("d", boolean(None));
        d.required = false;
        d.enable_when = vec![cond("b", Operator::Exists, Answer::Boolean(false))];
        let q = questionnaire(vec![item("a", boolean(None)), b, c, d]);
        q.validate().unwrap();
        let enabled = |answers: &Answers| -> Vec<String> {
            q.enabled_items(answers)
                .iter()
                .map(|i| i.link_id.clone())
                .collect()
        };
        assert_eq!(enabled(&[yes("a"), yes("b")]), ["a", "b", "c"]);
        // b's answer does not count while b is disabled, so c is off and "b unanswered" holds.
        assert_eq!(enabled(&[no("a"), yes("b")]), ["a", "d"]);
        assert_eq!(
            errors_for(&q, &[no("a"), yes("b")])
                .into_iter()
                .map(|(l, _)| l)
                .collect::<Vec<_>>(),
            ["b"]
        );
    }

    #[test]
    fn operators() {
        let given = |v: i64| Some(Answer::Integer(v));
        let c = |op, v: i64| cond("n", op, Answer::Integer(v));
        assert!(c(Operator::Equal, 3).holds(given(3).as_ref()));
        assert!(!c(Operator::Equal, 3).holds(given(4).as_ref()));
        assert!(c(Operator::NotEqual, 3).holds(given(4).as_ref()));
        assert!(c(Operator::Greater, 3).holds(given(4).as_ref()));
        assert!(!c(Operator::Greater, 3).holds(given(3).as_ref()));
        assert!(c(Operator::GreaterOrEqual, 3).holds(given(3).as_ref()));
        assert!(c(Operator::Less, 3).holds(given(2).as_ref()));
        assert!(c(Operator::LessOrEqual, 3).holds(given(3).as_ref()));
        assert!(!c(Operator::LessOrEqual, 3).holds(given(4).as_ref()));
        // Unanswered: false for every comparison, `!=` included.
        for op in Operator::ALL.iter().filter(|o| **o != Operator::Exists) {
            assert!(!c(*op, 3).holds(None), "{op}");
        }
        let exists = cond("n", Operator::Exists, Answer::Boolean(true));
        assert!(exists.holds(given(0).as_ref()));
        assert!(!exists.holds(None));
        let missing = cond("n", Operator::Exists, Answer::Boolean(false));
        assert!(missing.holds(None));
        assert!(!missing.holds(given(0).as_ref()));
        // Decimals compare as numbers; another kind never matches.
        let d = cond("n", Operator::Less, Answer::Decimal(1.5));
        assert!(d.holds(Some(&Answer::Decimal(1.2))));
        assert!(!d.holds(Some(&Answer::Integer(1))));
        let s = cond("n", Operator::Equal, Answer::Choice("x".into()));
        assert!(s.holds(Some(&Answer::Choice("x".into()))));
        assert!(!s.holds(Some(&Answer::String("x".into()))));
        assert_eq!(Operator::parse(">=").unwrap(), Operator::GreaterOrEqual);
    }

    #[test]
    fn every_answer_error() {
        let q = sample();
        let too_long = "æøåæøå";
        let answers = vec![
            a("nope", Answer::Boolean(true)),
            a("intro", Answer::String("hej".into())),
            a("pain", Answer::Integer(1)),
            yes("follow_up"),
            choice("mood", "meh"),
            a("count", Answer::Integer(11)),
            a("temp", Answer::Decimal(f64::NAN)),
            a("note", Answer::String(too_long.into())),
            a("count", Answer::Integer(2)),
        ];
        let got = errors_for(&q, &answers);
        let expected: Vec<(String, String)> = [
            ("nope", "Spørgsmålet findes ikke i dette spørgeskema."),
            (
                "intro",
                "Dette er en tekst og ikke et spørgsmål, så det kan ikke besvares.",
            ),
            ("pain", "Svar ja eller nej."),
            (
                "follow_up",
                "Dette spørgsmål skal ikke besvares ud fra dine andre svar.",
            ),
            ("mood", "Vælg et af de viste svar."),
            ("count", "Svaret skal være mellem 0 og 10."),
            ("temp", "Skriv et tal."),
            ("note", "Svaret må højst være på 5 tegn. Det er nu 6 tegn."),
            ("count", "Spørgsmålet er besvaret mere end én gang."),
        ]
        .into_iter()
        .map(|(l, m)| (l.to_string(), m.to_string()))
        .collect();
        assert_eq!(got, expected);
        // "pain" is answered (wrongly), so it is not also reported missing; a wrong answer to
        // a controlling question leaves its follow-up disabled.
        let errors = q.evaluate(&answers).unwrap_err();
        assert!(errors.iter().all(|e| !e.message_en.is_empty()));
    }

    #[test]
    fn kind_mismatches_and_ranges() {
        let q = sample();
        let one = |l: &str, ans: Answer| {
            let mut answers: Vec<_> = sample_answers()
                .into_iter()
                .filter(|(x, _)| x != l)
                .collect();
            answers.push(a(l, ans));
            let errors = q.evaluate(&answers).unwrap_err();
            assert_eq!(errors.len(), 1, "{errors:?}");
            (errors[0].message.clone(), errors[0].message_en.clone())
        };
        assert_eq!(
            one("mood", Answer::String("good".into())).0,
            "Vælg et af de viste svar."
        );
        assert_eq!(one("count", Answer::Decimal(1.0)).0, "Skriv et helt tal.");
        assert_eq!(one("temp", Answer::Integer(37)).0, "Skriv et tal.");
        assert_eq!(
            one("note", Answer::Boolean(true)).0,
            "Skriv dit svar som tekst."
        );
        assert_eq!(
            one("count", Answer::Integer(-1)).0,
            "Svaret skal være mellem 0 og 10."
        );
        assert_eq!(
            one("temp", Answer::Decimal(43.5)),
            (
                "Svaret skal være mellem 34 og 43.".into(),
                "The answer must be between 34 and 43.".into()
            )
        );
        assert_eq!(
            one("note", Answer::String("  ".into())).0,
            "Svaret er tomt. Skriv et svar."
        );
        // Exactly the limit, counted in characters.
        assert!(
            q.evaluate(
                &[
                    sample_answers(),
                    vec![a("note", Answer::String("æøåæø".into()))]
                ]
                .concat()
            )
            .is_ok()
        );
        let mut only_min = sample();
        only_min.items[4].kind = ItemKind::Integer {
            min: Some(1),
            max: None,
            bands: Vec::new(),
        };
        let errors = only_min
            .evaluate(&[
                no("pain"),
                choice("mood", "good"),
                a("count", Answer::Integer(0)),
                a("temp", Answer::Decimal(37.0)),
            ])
            .unwrap_err();
        assert_eq!(errors[0].message, "Svaret skal være mindst 1.");
        only_min.items[4].kind = ItemKind::Integer {
            min: None,
            max: Some(1),
            bands: Vec::new(),
        };
        let errors = only_min
            .evaluate(&[
                no("pain"),
                choice("mood", "good"),
                a("count", Answer::Integer(2)),
                a("temp", Answer::Decimal(37.0)),
            ])
            .unwrap_err();
        assert_eq!(errors[0].message, "Svaret må højst være 1.");
    }

    #[test]
    fn missing_answers_are_all_reported_in_item_order() {
        let q = sample();
        let errors = q.evaluate(&[]).unwrap_err();
        let ids: Vec<_> = errors.iter().map(|e| e.link_id.as_str()).collect();
        assert_eq!(ids, ["pain", "mood", "count", "temp"]);
        assert!(
            errors
                .iter()
                .all(|e| e.message == "Dette spørgsmål skal besvares.")
        );
    }

    fn invalid_because(q: &Questionnaire, words: &str) {
        let e = q.validate().unwrap_err();
        assert!(e.message.contains(words), "'{}' lacks '{words}'", e.message);
    }

    #[test]
    fn validation_rules() {
        sample().validate().unwrap();

        let mut q = sample();
        q.key = "Who 5".into();
        invalid_because(&q, "slug");

        let mut q = sample();
        q.items[3].link_id = "pain".into();
        invalid_because(&q, "used twice");

        let mut q = sample();
        q.items[2].enable_when[0].question = "mood".into();
        invalid_because(&q, "must come before it");

        let mut q = sample();
        q.items[2].enable_when[0].question = "follow_up".into();
        invalid_because(&q, "must come before it");

        let mut q = sample();
        q.items[2].enable_when[0].question = "ghost".into();
        invalid_because(&q, "does not exist");

        let mut q = sample();
        q.items[2].enable_when[0].answer = Answer::Choice("yes".into());
        invalid_because(&q, "another kind");

        let mut q = sample();
        q.items[2].enable_when[0].operator = Operator::Greater;
        invalid_because(&q, "no order");

        let mut q = sample();
        q.items[2].enable_when[0] = cond("pain", Operator::Exists, Answer::Integer(1));
        invalid_because(&q, "boolean answer");

        let mut q = sample();
        q.items[2].enable_when[0] = cond("intro", Operator::Exists, Answer::Boolean(true));
        invalid_because(&q, "display text");

        let mut q = sample();
        q.items[4].enable_when = vec![cond(
            "mood",
            Operator::Equal,
            Answer::Choice("so-so".into()),
        )];
        invalid_because(&q, "not one of its options");

        let mut q = sample();
        if let ItemKind::Choice { options } = &mut q.items[3].kind {
            options[1].code = "good".into();
        }
        invalid_because(&q, "option code 'good' is used twice");

        let mut q = sample();
        if let ItemKind::Choice { options } = &mut q.items[3].kind {
            options[1].score = Some(1);
        }
        invalid_because(&q, "every option");

        let mut q = sample();
        q.items[4].kind = ItemKind::Integer {
            min: Some(5),
            max: Some(1),
            bands: Vec::new(),
        };
        invalid_because(&q, "min 5 above max 1");

        let mut q = sample();
        q.items[5].kind = ItemKind::Decimal {
            min: Some(f64::INFINITY),
            max: None,
            bands: Vec::new(),
        };
        invalid_because(&q, "not a number");

        let band = |min, max, colour| ValueBand { min, max, colour };
        for (bands, words) in [
            (vec![band(Some(2.0), Some(1.0), Colour::Red)], "above max"),
            (vec![band(None, None, Colour::Red)], "needs a min or a max"),
            (vec![band(Some(1.0), None, Colour::Blue)], "blue"),
            (
                vec![
                    band(Some(1.0), Some(5.0), Colour::Yellow),
                    band(Some(4.0), None, Colour::Red),
                ],
                "overlap",
            ),
            (
                vec![
                    band(Some(1.0), None, Colour::Yellow),
                    band(Some(4.0), None, Colour::Red),
                ],
                "overlap",
            ),
            (
                vec![band(Some(f64::NAN), None, Colour::Red)],
                "not a number",
            ),
        ] {
            let mut q = sample();
            q.items[4].kind = ItemKind::Integer {
                min: None,
                max: None,
                bands,
            };
            invalid_because(&q, words);
        }

        let mut q = sample();
        q.items[1].kind = boolean(Some(Colour::Blue));
        invalid_because(&q, "blue");

        let mut q = sample();
        q.items[0].required = true;
        invalid_because(&q, "cannot be required");

        let mut q = sample();
        q.items[6].kind = ItemKind::String {
            max_length: Some(0),
        };
        invalid_because(&q, "no text");

        let q = questionnaire(vec![item("intro", ItemKind::Display)]);
        invalid_because(&q, "at least one question");
    }

    #[test]
    fn scoring_validation() {
        let mut q = library::who5();
        q.scoring.as_mut().unwrap().items = vec!["ghost".into()];
        invalid_because(&q, "does not exist");

        let mut q = library::who5();
        q.scoring.as_mut().unwrap().items = vec!["calm".into(), "calm".into()];
        invalid_because(&q, "twice");

        let mut q = library::who5();
        q.scoring.as_mut().unwrap().multiplier = 0.0;
        invalid_because(&q, "multiplier");

        let mut q = library::who5();
        q.items[2].required = false;
        invalid_because(&q, "must be required");

        let mut q = sample();
        q.scoring = Some(Scoring {
            multiplier: 1.0,
            bands: Vec::new(),
            items: Vec::new(),
        });
        invalid_because(&q, "at least one choice item with scores");
        q.scoring.as_mut().unwrap().items = vec!["pain".into()];
        invalid_because(&q, "not a choice item with scores");

        let mut q = library::who5();
        q.scoring.as_mut().unwrap().bands.reverse();
        invalid_because(&q, "overlap");
    }

    #[test]
    fn serde_round_trip_and_shape() {
        for q in library::library() {
            let json = serde_json::to_string(&q).unwrap();
            let back: Questionnaire = serde_json::from_str(&json).unwrap();
            assert_eq!(back, q);
        }
        let hf = serde_json::to_value(library::heart_failure_symptoms()).unwrap();
        let long = &hf["items"][5];
        assert_eq!(long["kind"]["type"], "boolean");
        assert_eq!(long["kind"]["yes_colour"], "red");
        assert_eq!(
            long["enable_when"][0],
            serde_json::json!({"question": "chest_pain", "operator": "=", "answer": {"boolean": true}})
        );
        assert_eq!(long["enable_behavior"], "all");
        assert_eq!(hf["items"][0]["kind"]["options"][2]["colour"], "red");
        assert_eq!(hf["items"][6]["kind"]["type"], "display");
        assert!(hf.get("scoring").is_none());

        let answers = vec![
            yes("a"),
            a("b", Answer::Integer(3)),
            a("c", Answer::Decimal(38.5)),
            choice("d", "3"),
            a("e", Answer::String("tekst".into())),
        ];
        assert_eq!(
            serde_json::to_value(&answers).unwrap(),
            serde_json::json!([
                ["a", {"boolean": true}],
                ["b", {"integer": 3}],
                ["c", {"decimal": 38.5}],
                ["d", {"choice": "3"}],
                ["e", {"string": "tekst"}]
            ])
        );

        let minimal: Questionnaire = serde_json::from_value(serde_json::json!({
            "key": "mini", "version": "1", "title": "Mini", "title_en": "Mini",
            "items": [{"link_id": "q", "text": "Hvordan går det?", "text_en": "How are you?",
                       "kind": {"type": "integer", "max": 10}}]
        }))
        .unwrap();
        minimal.validate().unwrap();
        assert!(!minimal.items[0].required);
        assert_eq!(minimal.items[0].enable_behavior, EnableBehavior::All);

        let with_unknown = |path: &str| {
            let mut v = serde_json::to_value(library::copd_symptoms()).unwrap();
            v.pointer_mut(path)
                .unwrap()
                .as_object_mut()
                .unwrap()
                .insert("surprise".into(), serde_json::json!(1));
            serde_json::from_value::<Questionnaire>(v).is_err()
        };
        assert!(with_unknown(""));
        assert!(with_unknown("/items/0"));
        assert!(with_unknown("/items/0/kind"));
        assert!(with_unknown("/items/0/kind/options/0"));
        assert!(with_unknown("/items/2/kind/bands/0"));
        assert!(with_unknown("/items/4/enable_when/0"));
        assert!(serde_json::from_str::<Operator>("\"=>\"").is_err());
        assert!(serde_json::from_str::<ItemKind>(r#"{"type": "date"}"#).is_err());

        let e = library::who5().evaluate(&who5_answers([0; 5])).unwrap();
        let back: Evaluation = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(back, e);
    }

    fn hf_answer() -> impl Strategy<Value = (String, Answer)> {
        let ids = [
            "breathless",
            "swollen",
            "pillows",
            "dizzy",
            "chest_pain",
            "chest_pain_long",
            "chest_pain_advice",
            "ghost",
        ];
        let answer = prop_oneof![
            any::<bool>().prop_map(Answer::Boolean),
            (-3i64..60).prop_map(Answer::Integer),
            prop::sample::select(vec!["usual", "bit_more", "much_more", "at_rest", "x"])
                .prop_map(|c| Answer::Choice(c.into())),
            "[a-zæøå ]{0,8}".prop_map(Answer::String),
        ];
        (prop::sample::select(ids.to_vec()), answer).prop_map(|(l, a)| (l.to_string(), a))
    }

    /// A complete, valid set of heart-failure answers.
    fn hf_valid() -> impl Strategy<Value = Vec<(String, Answer)>> {
        (
            prop::sample::select(vec!["usual", "bit_more", "much_more", "at_rest"]),
            proptest::array::uniform5(any::<bool>()),
        )
            .prop_map(|(breath, b)| {
                let mut v = vec![
                    choice("breathless", breath),
                    a("swollen", Answer::Boolean(b[0])),
                    a("pillows", Answer::Boolean(b[1])),
                    a("dizzy", Answer::Boolean(b[2])),
                    a("chest_pain", Answer::Boolean(b[3])),
                ];
                if b[3] {
                    v.push(a("chest_pain_long", Answer::Boolean(b[4])));
                }
                v
            })
    }

    proptest! {
        #[test]
        fn who5_scores_four_times_the_sum(scores in proptest::array::uniform5(0u8..=5), shuffle in any::<prop::sample::Index>()) {
            let q = library::who5();
            let mut answers = who5_answers(scores);
            // The order answers come in does not matter.
            let k = shuffle.index(answers.len());
            answers.rotate_left(k);
            let e = q.evaluate(&answers).unwrap();
            let sum: i64 = scores.iter().map(|s| i64::from(*s)).sum();
            prop_assert_eq!(e.raw_score, Some(sum));
            let score = e.score.unwrap();
            prop_assert_eq!(score, 4.0 * sum as f64);
            prop_assert!((0.0..=100.0).contains(&score));
            let expected = if score <= 28.0 { Colour::Red } else if score <= 50.0 { Colour::Yellow } else { Colour::Green };
            prop_assert_eq!(e.colour, expected);
        }

        #[test]
        fn answers_are_accepted_or_refused_with_reasons(
            valid in hf_valid(),
            drop in proptest::option::of(any::<prop::sample::Index>()),
            extra in proptest::collection::vec(hf_answer(), 0..3),
        ) {
            let q = library::heart_failure_symptoms();
            prop_assert!(q.evaluate(&valid).is_ok());
            let perturbed = drop.is_some() || !extra.is_empty();
            let mut answers = valid;
            if let Some(i) = drop {
                answers.remove(i.index(answers.len()));
            }
            answers.extend(extra);
            match q.evaluate(&answers) {
                Ok(e) => {
                    // Accepted: every answer is to a distinct, enabled question, every
                    // enabled required question is answered, and the colour is the worst
                    // reason's.
                    let enabled = q.enabled_items(&answers);
                    for (l, _) in &answers {
                        prop_assert!(enabled.iter().any(|i| &i.link_id == l && i.is_answerable()));
                        prop_assert_eq!(answers.iter().filter(|(x, _)| x == l).count(), 1);
                    }
                    for i in enabled.iter().filter(|i| i.required) {
                        prop_assert!(answers.iter().any(|(l, _)| *l == i.link_id));
                    }
                    let worst = e.reasons.iter().map(|r| r.colour).max().unwrap_or(Colour::Green);
                    prop_assert_eq!(e.colour, worst);
                    prop_assert!(e.reasons.iter().all(|r| r.colour != Colour::Green));
                }
                Err(errors) => {
                    prop_assert!(perturbed);
                    prop_assert!(errors.iter().all(|e| !e.message.is_empty() && !e.message_en.is_empty()));
                }
            }
        }
    }
}
