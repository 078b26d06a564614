//! Questionnaire and QuestionnaireResponse.
//!
//! Outgoing Questionnaire ([`from_domain`]): `url` = `https://telesund.dk/fhir/Questionnaire/<key>`
//! (the key is stable across versions), `version`, `name` (the key in CamelCase), Danish
//! `title` and item `text` with the English beside them in the core `translation` extension,
//! `language` da. Items keep their FHIR type, `required`, `maxLength`, `enableWhen` and
//! `enableBehavior`; a choice item's options are `valueCoding`s in the questionnaire's own
//! code system ([`answer_system`]). Where R4 has no element, standard extensions are used
//! where they exist — SDC `shortText`, core `minValue`/`maxValue` and `ordinalValue` (an
//! option's score) — and Telesund's own for triage: [`ANSWER_COLOUR`] on an option,
//! [`BOOLEAN_COLOUR`] and [`VALUE_BAND`] on an item, and [`SCORING`] on the questionnaire.
//!
//! Outgoing QuestionnaireResponse ([`response_from_domain`]): `questionnaire` =
//! `<url>|<version>`, status completed, one item per question answered, each answer as
//! valueCoding, valueBoolean, valueInteger, valueDecimal or valueString. The total score is
//! the [`SCORE`] extension.
//!
//! Incoming QuestionnaireResponse ([`parse_response`]): checked element by element, so every
//! refusal carries a FHIRPath. `id`, `meta` and `text` are accepted and ignored; `author`,
//! `source` and an item's `text` and `definition` are read but not used (the caller's login
//! decides who entered it, and the stored questionnaire what was asked); a coding's `system`
//! and `display` are not used either — the code is what the questionnaire knows. Nested items
//! (under an item or an answer) are refused: none of Telesund's questionnaires has groups or
//! follow-ups inside an answer, and guessing where they belong would store an answer to the
//! wrong question.

use crate::clinical_impression::colour_coding;
use crate::datatypes::{
    Coding, Identifier, Meta, PrimitiveExtensions, Reference, ValueX, WrittenExtension, instant,
};
use crate::input::{Field, IDENTIFIER, Kind, REFERENCE, err, many, one, walk};
use crate::patient::InputError;
use serde::Serialize;
use serde_json::{Number, Value};
use telesund_core::Timestamp;
use telesund_core::ids::{CitizenId, QuestionnaireId};
use telesund_core::monitoring::Colour;
use telesund_core::monitoring::observation::Source;
use telesund_core::monitoring::questionnaire::{
    self as domain, Answer, EnableBehavior, ItemKind, Operator, ValueBand,
};
use telesund_core::monitoring::work;

const BASE: &str = "https://telesund.dk/fhir/Questionnaire/";

/// SDC's short text for an item (our `short_text`, the name a reason uses on the worklist).
pub const SHORT_TEXT: &str =
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-shortText";
/// Core R4: the lowest allowed answer of an integer or decimal item.
pub const MIN_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/minValue";
/// Core R4: the highest allowed answer of an integer or decimal item.
pub const MAX_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/maxValue";
/// Core R4: an answer option's score (valueDecimal).
pub const ORDINAL_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/ordinalValue";
/// On an answer option: the triage colour choosing it gives (valueCoding).
pub const ANSWER_COLOUR: &str = "https://telesund.dk/fhir/StructureDefinition/answer-colour";
/// On a boolean item, once per coloured answer: `answer` (valueBoolean) and `colour`
/// (valueCoding).
pub const BOOLEAN_COLOUR: &str = "https://telesund.dk/fhir/StructureDefinition/boolean-colour";
/// On an integer or decimal item, one per band, low to high: `min` and/or `max`
/// (valueDecimal, inclusive) and `colour` (valueCoding). A value on a shared bound takes the
/// more severe colour.
pub const VALUE_BAND: &str = "https://telesund.dk/fhir/StructureDefinition/value-band";
/// On the questionnaire: `multiplier` (valueDecimal; score = sum of the options' ordinal
/// values × multiplier), `item` (valueString, repeated: the linkIds that count; none means
/// every fully scored choice item) and `band` (complex, as [`VALUE_BAND`]: colours of the
/// score).
pub const SCORING: &str = "https://telesund.dk/fhir/StructureDefinition/questionnaire-scoring";
/// On a QuestionnaireResponse: the total score (valueDecimal), when the questionnaire has one.
pub const SCORE: &str = "https://telesund.dk/fhir/StructureDefinition/questionnaire-score";

/// A questionnaire's canonical url (without version).
pub fn canonical(key: &str) -> String {
    format!("{BASE}{key}")
}

/// The code system of a questionnaire's answer options.
pub fn answer_system(key: &str) -> String {
    format!("https://telesund.dk/fhir/CodeSystem/questionnaire-{key}")
}

// ---------------------------------------------------------------------------------------
// Questionnaire.

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Questionnaire {
    pub resource_type: &'static str,
    pub id: String,
    pub language: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<WrittenExtension>,
    pub url: String,
    pub version: String,
    pub name: String,
    pub title: String,
    #[serde(rename = "_title", skip_serializing_if = "Option::is_none")]
    pub title_ext: Option<PrimitiveExtensions>,
    pub status: &'static str,
    pub subject_type: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub item: Vec<Item>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<WrittenExtension>,
    pub link_id: String,
    pub text: String,
    #[serde(rename = "_text", skip_serializing_if = "Option::is_none")]
    pub text_ext: Option<PrimitiveExtensions>,
    #[serde(rename = "type")]
    pub type_: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub enable_when: Vec<EnableWhen>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_behavior: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub answer_option: Vec<AnswerOption>,
}

#[derive(Clone, Debug, Serialize)]
pub struct EnableWhen {
    pub question: String,
    pub operator: &'static str,
    #[serde(flatten)]
    pub answer: AnswerX,
}

/// `Questionnaire.item.enableWhen.answer[x]`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum AnswerX {
    #[serde(rename = "answerBoolean")]
    Boolean(bool),
    #[serde(rename = "answerInteger")]
    Integer(i64),
    #[serde(rename = "answerDecimal")]
    Decimal(Number),
    #[serde(rename = "answerString")]
    String(String),
    #[serde(rename = "answerCoding")]
    Coding(Coding),
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerOption {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<WrittenExtension>,
    pub value_coding: Coding,
}

/// "who5" → "Who5", "hf_symptoms" → "HfSymptoms": a `name` that satisfies cnl-0.
fn computable_name(key: &str) -> String {
    let mut name: String = key
        .split(['_', '-'])
        .flat_map(|part| {
            let mut c = part.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase())
                .into_iter()
                .chain(c)
        })
        .filter(char::is_ascii_alphanumeric)
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        name.insert(0, 'Q');
    }
    name
}

fn decimal(v: f64) -> Option<Number> {
    Number::from_f64(v)
}

fn colour_part(c: Colour) -> WrittenExtension {
    WrittenExtension::value("colour", ValueX::Coding(colour_coding(c)))
}

fn band_parts(b: &ValueBand) -> Vec<WrittenExtension> {
    let mut parts = Vec::new();
    if let Some(min) = b.min.and_then(decimal) {
        parts.push(WrittenExtension::value("min", ValueX::Decimal(min)));
    }
    if let Some(max) = b.max.and_then(decimal) {
        parts.push(WrittenExtension::value("max", ValueX::Decimal(max)));
    }
    parts.push(colour_part(b.colour));
    parts
}

fn enable_when(key: &str, w: &domain::EnableWhen) -> Option<EnableWhen> {
    let answer = match &w.answer {
        Answer::Boolean(b) => AnswerX::Boolean(*b),
        Answer::Integer(i) => AnswerX::Integer(*i),
        Answer::Decimal(d) => AnswerX::Decimal(decimal(*d)?),
        Answer::String(s) => AnswerX::String(s.clone()),
        Answer::Choice(code) => AnswerX::Coding(Coding {
            system: Some(answer_system(key)),
            code: Some(code.clone()),
            ..Coding::default()
        }),
    };
    Some(EnableWhen {
        question: w.question.clone(),
        operator: match w.operator {
            Operator::Exists => "exists",
            Operator::Equal => "=",
            Operator::NotEqual => "!=",
            Operator::Greater => ">",
            Operator::Less => "<",
            Operator::GreaterOrEqual => ">=",
            Operator::LessOrEqual => "<=",
        },
        answer,
    })
}

fn item(key: &str, i: &domain::Item) -> Item {
    let mut extension = Vec::new();
    if let Some(short) = i.short_text.as_deref().filter(|s| !s.trim().is_empty()) {
        extension.push(WrittenExtension::value(
            SHORT_TEXT,
            ValueX::String(short.into()),
        ));
    }
    let mut answer_option = Vec::new();
    let mut max_length = None;
    let type_ = match &i.kind {
        ItemKind::Display => "display",
        ItemKind::Boolean {
            yes_colour,
            no_colour,
        } => {
            for (answer, colour) in [(true, yes_colour), (false, no_colour)] {
                if let Some(c) = colour {
                    extension.push(WrittenExtension::complex(
                        BOOLEAN_COLOUR,
                        vec![
                            WrittenExtension::value("answer", ValueX::Boolean(answer)),
                            colour_part(*c),
                        ],
                    ));
                }
            }
            "boolean"
        }
        ItemKind::Choice { options } => {
            answer_option = options
                .iter()
                .map(|o| {
                    let mut extension = Vec::new();
                    if let Some(score) = o.score {
                        extension.push(WrittenExtension::value(
                            ORDINAL_VALUE,
                            ValueX::Decimal(Number::from(score)),
                        ));
                    }
                    if let Some(c) = o.colour {
                        extension.push(WrittenExtension::value(
                            ANSWER_COLOUR,
                            ValueX::Coding(colour_coding(c)),
                        ));
                    }
                    AnswerOption {
                        extension,
                        value_coding: Coding::new(&answer_system(key), &o.code, &o.display),
                    }
                })
                .collect();
            "choice"
        }
        ItemKind::Integer { min, max, bands } => {
            if let Some(m) = min {
                extension.push(WrittenExtension::value(MIN_VALUE, ValueX::Integer(*m)));
            }
            if let Some(m) = max {
                extension.push(WrittenExtension::value(MAX_VALUE, ValueX::Integer(*m)));
            }
            extension.extend(
                bands
                    .iter()
                    .map(|b| WrittenExtension::complex(VALUE_BAND, band_parts(b))),
            );
            "integer"
        }
        ItemKind::Decimal { min, max, bands } => {
            if let Some(m) = min.and_then(decimal) {
                extension.push(WrittenExtension::value(MIN_VALUE, ValueX::Decimal(m)));
            }
            if let Some(m) = max.and_then(decimal) {
                extension.push(WrittenExtension::value(MAX_VALUE, ValueX::Decimal(m)));
            }
            extension.extend(
                bands
                    .iter()
                    .map(|b| WrittenExtension::complex(VALUE_BAND, band_parts(b))),
            );
            "decimal"
        }
        ItemKind::String { max_length: m } => {
            max_length = *m;
            "string"
        }
    };
    let enable_when: Vec<EnableWhen> = i
        .enable_when
        .iter()
        .filter_map(|w| enable_when(key, w))
        .collect();
    Item {
        extension,
        link_id: i.link_id.clone(),
        text: i.text.clone(),
        text_ext: PrimitiveExtensions::translation("en", &i.text_en),
        type_,
        // que-12: required when there is more than one condition.
        enable_behavior: (enable_when.len() > 1).then_some(match i.enable_behavior {
            EnableBehavior::All => "all",
            EnableBehavior::Any => "any",
        }),
        enable_when,
        // que-6: never on display items.
        required: (i.required && i.is_answerable()).then_some(true),
        max_length,
        answer_option,
    }
}

fn scoring(s: &domain::Scoring) -> WrittenExtension {
    let mut parts = Vec::new();
    if let Some(m) = decimal(s.multiplier) {
        parts.push(WrittenExtension::value("multiplier", ValueX::Decimal(m)));
    }
    parts.extend(
        s.items
            .iter()
            .map(|l| WrittenExtension::value("item", ValueX::String(l.clone()))),
    );
    parts.extend(
        s.bands
            .iter()
            .map(|b| WrittenExtension::complex("band", band_parts(b))),
    );
    WrittenExtension::complex(SCORING, parts)
}

/// A stored questionnaire version as an R4 Questionnaire. `status` is the stored status
/// (draft, active or retired); anything else is written as `unknown`.
pub fn from_domain(q: &domain::Questionnaire, id: QuestionnaireId, status: &str) -> Questionnaire {
    Questionnaire {
        resource_type: "Questionnaire",
        id: id.to_string(),
        language: "da",
        extension: q.scoring.iter().map(scoring).collect(),
        url: canonical(&q.key),
        version: q.version.clone(),
        name: computable_name(&q.key),
        title: q.title.clone(),
        title_ext: PrimitiveExtensions::translation("en", &q.title_en),
        status: match status {
            "draft" => "draft",
            "active" => "active",
            "retired" => "retired",
            _ => "unknown",
        },
        subject_type: vec!["Patient"],
        description: (!q.description.trim().is_empty()).then(|| q.description.clone()),
        item: q.items.iter().map(|i| item(&q.key, i)).collect(),
    }
}

// ---------------------------------------------------------------------------------------
// QuestionnaireResponse, outgoing.

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionnaireResponse {
    pub resource_type: &'static str,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<WrittenExtension>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<Identifier>,
    pub questionnaire: String,
    pub status: &'static str,
    pub subject: Reference,
    pub authored: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<Reference>,
    pub source: Reference,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub item: Vec<ResponseItem>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseItem {
    pub link_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub answer: Vec<ResponseAnswer>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ResponseAnswer {
    #[serde(flatten)]
    pub value: ValueX,
}

fn answer_value(key: &str, item: Option<&domain::Item>, a: &Answer) -> Option<ValueX> {
    Some(match a {
        Answer::Boolean(b) => ValueX::Boolean(*b),
        Answer::Integer(i) => ValueX::Integer(*i),
        Answer::Decimal(d) => ValueX::Decimal(decimal(*d)?),
        Answer::String(s) if s.is_empty() => return None,
        Answer::String(s) => ValueX::String(s.clone()),
        Answer::Choice(code) => {
            let display = match item.map(|i| &i.kind) {
                Some(ItemKind::Choice { options }) => options
                    .iter()
                    .find(|o| &o.code == code)
                    .map(|o| o.display.as_str()),
                _ => None,
            };
            ValueX::Coding(Coding::new(
                &answer_system(key),
                code,
                display.unwrap_or(""),
            ))
        }
    })
}

/// A stored response as an R4 QuestionnaireResponse. With the questionnaire it answers, each
/// item also carries the question's text and each chosen option its display.
pub fn response_from_domain(
    r: &work::QuestionnaireResponse,
    questionnaire: Option<&domain::Questionnaire>,
) -> QuestionnaireResponse {
    let key = &r.questionnaire_key;
    // qrs-2: one item per linkId, its answers together.
    let mut items: Vec<ResponseItem> = Vec::new();
    for (link_id, answer) in &r.answers {
        let question = questionnaire.and_then(|q| q.item(link_id));
        let Some(value) = answer_value(key, question, answer) else {
            continue;
        };
        match items.iter_mut().find(|i| &i.link_id == link_id) {
            Some(existing) => existing.answer.push(ResponseAnswer { value }),
            None => items.push(ResponseItem {
                link_id: link_id.clone(),
                text: question.map(|q| q.text.clone()).filter(|t| !t.is_empty()),
                answer: vec![ResponseAnswer { value }],
            }),
        }
    }
    let patient = |display: Option<&str>| Reference::to("Patient", r.citizen_id, display);
    let author = match r.source {
        Source::Device | Source::Citizen => Some(patient(Some(&r.entered_by_name))),
        Source::Staff => {
            let display = match &r.on_behalf_of_name {
                Some(citizen) if !r.entered_by_name.is_empty() => {
                    format!("{} på vegne af {citizen}", r.entered_by_name)
                }
                _ => r.entered_by_name.clone(),
            };
            (!display.trim().is_empty()).then(|| Reference::display(&display))
        }
    };
    let identifier = r.identifier.as_deref().map(|s| {
        let (system, value) = s.split_once('|').unwrap_or(("", s));
        Identifier {
            use_: None,
            system: (!system.is_empty()).then(|| system.to_string()),
            value: Some(value.to_string()),
        }
    });
    QuestionnaireResponse {
        resource_type: "QuestionnaireResponse",
        id: r.id.to_string(),
        meta: Meta::updated(r.received_at),
        extension: r
            .score
            .and_then(decimal)
            .map(|s| WrittenExtension::value(SCORE, ValueX::Decimal(s)))
            .into_iter()
            .collect(),
        identifier: identifier.filter(|i| i.value.as_deref().is_some_and(|v| !v.is_empty())),
        questionnaire: format!("{}|{}", canonical(key), r.questionnaire_version),
        status: "completed",
        subject: patient(None),
        authored: instant(r.authored_at),
        author,
        // The answers are the citizen's, whoever typed them in.
        source: patient(None),
        item: items,
    }
}

// ---------------------------------------------------------------------------------------
// QuestionnaireResponse, incoming.

/// An incoming QuestionnaireResponse, as the domain checks it.
#[derive(Clone, Debug, PartialEq)]
pub struct IncomingResponse {
    /// The questionnaire's key, from `questionnaire` (`https://telesund.dk/fhir/Questionnaire/<key>`).
    pub questionnaire_key: String,
    /// The version after `|`, when the canonical names one.
    pub questionnaire_version: Option<String>,
    /// The subject's Patient id as sent (a Telesund citizen id).
    pub subject: String,
    pub citizen_id: CitizenId,
    pub authored_at: Timestamp,
    /// `(linkId, answer)` in the order sent.
    pub answers: Vec<(String, Answer)>,
    /// `system|value` of `identifier`, for recognising a retry.
    pub identifier: Option<String>,
}

/// A chosen answer's coding: as every Coding, and whether the citizen picked it.
const ANSWER_CODING: &[Field] = &[
    one("system", Kind::Str),
    one("version", Kind::Str),
    one("code", Kind::Str),
    one("display", Kind::Str),
    one("userSelected", Kind::Bool),
];
const ANSWER: &[Field] = &[
    one("valueBoolean", Kind::Bool),
    one("valueDecimal", Kind::Num),
    one("valueInteger", Kind::Int),
    one("valueString", Kind::Str),
    one("valueCoding", Kind::Obj(ANSWER_CODING)),
];
const ITEM: &[Field] = &[
    one("linkId", Kind::Str),
    one("definition", Kind::Str),
    one("text", Kind::Str),
    many("answer", Kind::Obj(ANSWER)),
];
const RESPONSE: &[Field] = &[
    one("resourceType", Kind::Str),
    one("id", Kind::Str),
    one("meta", Kind::Ignored),
    one("text", Kind::Ignored),
    one("identifier", Kind::Obj(IDENTIFIER)),
    one("questionnaire", Kind::Str),
    one("status", Kind::Str),
    one("subject", Kind::Obj(REFERENCE)),
    one("authored", Kind::Str),
    one("author", Kind::Obj(REFERENCE)),
    one("source", Kind::Obj(REFERENCE)),
    many("item", Kind::Obj(ITEM)),
];

/// The hints a QuestionnaireResponse gives for elements it does not read.
fn response_hint(name: &str) -> Option<&'static str> {
    if name == "item" {
        Some(
            "nested items are not used by Telesund's questionnaires: send every question as \
             an item directly under QuestionnaireResponse, with its answer",
        )
    } else if name.starts_with("value") {
        Some(
            "an answer is read as valueCoding, valueBoolean, valueInteger, valueDecimal or \
             valueString",
        )
    } else {
        None
    }
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// The characters of an R4 `id`.
fn is_fhir_id(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

fn str_at<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v.get(name).and_then(Value::as_str)
}

fn questionnaire_ref(s: &str) -> Result<(String, Option<String>), InputError> {
    const AT: &str = "QuestionnaireResponse.questionnaire";
    let (url, version) = match s.split_once('|') {
        Some((url, version)) => (url, Some(version)),
        None => (s, None),
    };
    let key = url
        .strip_prefix(BASE)
        .filter(|k| is_slug(k))
        .ok_or_else(|| {
            err(
                AT,
                format!(
                    "name the questionnaire by its canonical url, {BASE}<key> (optionally \
                 |<version>), e.g. {BASE}who5|1.0 (got {s})"
                ),
            )
        })?;
    if version.is_some_and(|v| v.trim().is_empty()) {
        return Err(err(AT, "the version after '|' is empty"));
    }
    Ok((key.to_string(), version.map(str::to_string)))
}

fn answer_of(a: &Value, at: &str) -> Result<Answer, InputError> {
    let values: Vec<&String> = a
        .as_object()
        .map(|o| o.keys().filter(|k| k.starts_with("value")).collect())
        .unwrap_or_default();
    let name = match values.as_slice() {
        [one] => one.as_str(),
        [] => return Err(err(at, format!("{at} has no value"))),
        [_, second, ..] => {
            return Err(err(
                &format!("{at}.{second}"),
                format!("{at} has more than one value"),
            ));
        }
    };
    let v = &a[name];
    let vat = format!("{at}.{name}");
    Ok(match name {
        "valueBoolean" => Answer::Boolean(v.as_bool().unwrap_or_default()),
        "valueInteger" => Answer::Integer(v.as_i64().unwrap_or_default()),
        "valueDecimal" => Answer::Decimal(
            v.as_f64()
                .filter(|d| d.is_finite())
                .ok_or_else(|| err(&vat, format!("{vat} must be a finite number")))?,
        ),
        "valueString" => Answer::String(str_at(a, name).unwrap_or_default().to_string()),
        _ => Answer::Choice(
            str_at(v, "code")
                .ok_or_else(|| {
                    err(
                        &format!("{vat}.code"),
                        "a chosen answer needs the option's code",
                    )
                })?
                .to_string(),
        ),
    })
}

/// An incoming QuestionnaireResponse from its JSON: unknown elements (at any depth) and
/// elements of the wrong JSON type are refused with their FHIRPath expression, then the
/// questionnaire, subject, authored time, status and answers are read. Whether the answers
/// fit the questionnaire is for `Questionnaire::evaluate`, and whether the caller may submit
/// for the subject is for the caller.
pub fn parse_response(json: &Value) -> Result<IncomingResponse, InputError> {
    match str_at(json, "resourceType") {
        Some("QuestionnaireResponse") => {}
        Some(other) => {
            return Err(err(
                "resourceType",
                format!("expected a QuestionnaireResponse, got {other}"),
            ));
        }
        None => return Err(err("resourceType", "expected a QuestionnaireResponse")),
    }
    walk(json, RESPONSE, "QuestionnaireResponse", response_hint)?;

    match str_at(json, "status") {
        Some("completed" | "amended") => {}
        Some(other) => {
            return Err(err(
                "QuestionnaireResponse.status",
                format!("only completed answers are taken, not {other}"),
            ));
        }
        None => {
            return Err(err(
                "QuestionnaireResponse.status",
                "a QuestionnaireResponse needs a status (completed)",
            ));
        }
    }

    let q = str_at(json, "questionnaire").ok_or_else(|| {
        err(
            "QuestionnaireResponse.questionnaire",
            format!("name the questionnaire answered, as {BASE}<key>|<version>"),
        )
    })?;
    let (questionnaire_key, questionnaire_version) = questionnaire_ref(q)?;

    let subject = json.get("subject").ok_or_else(|| {
        err(
            "QuestionnaireResponse.subject",
            "a QuestionnaireResponse needs its subject as Patient/<id>",
        )
    })?;
    let id = str_at(subject, "reference")
        .and_then(|r| r.strip_prefix("Patient/"))
        .filter(|id| is_fhir_id(id))
        .ok_or_else(|| {
            err(
                "QuestionnaireResponse.subject",
                "refer to the citizen as Patient/<id>, with the id of Telesund's Patient",
            )
        })?;
    let citizen_id: CitizenId = id.parse().map_err(|_| {
        err(
            "QuestionnaireResponse.subject",
            format!("Patient/{id} is not a Telesund Patient id"),
        )
    })?;

    let authored = str_at(json, "authored").ok_or_else(|| {
        err(
            "QuestionnaireResponse.authored",
            "answers need the time they were given, as authored",
        )
    })?;
    let authored_at = Timestamp::parse_rfc3339(authored).ok_or_else(|| {
        err(
            "QuestionnaireResponse.authored",
            format!(
                "the time must be a full date and time with its UTC offset, e.g. \
                 2026-11-22T14:05:00+01:00 (got {authored})"
            ),
        )
    })?;

    let identifier = match json.get("identifier") {
        None => None,
        Some(i) => {
            let value = str_at(i, "value").ok_or_else(|| {
                err(
                    "QuestionnaireResponse.identifier.value",
                    "an identifier needs a value",
                )
            })?;
            Some(format!(
                "{}|{value}",
                str_at(i, "system").unwrap_or_default()
            ))
        }
    };

    let mut answers = Vec::new();
    let items = json.get("item").and_then(Value::as_array);
    for (i, item) in items.into_iter().flatten().enumerate() {
        let at = format!("QuestionnaireResponse.item[{i}]");
        let link_id = str_at(item, "linkId")
            .ok_or_else(|| err(&format!("{at}.linkId"), "every item needs its linkId"))?;
        let given = item.get("answer").and_then(Value::as_array);
        match given.map(Vec::as_slice).unwrap_or_default() {
            // A question left unanswered.
            [] => {}
            [a] => answers.push((
                link_id.to_string(),
                answer_of(a, &format!("{at}.answer[0]"))?,
            )),
            _ => {
                return Err(err(
                    &format!("{at}.answer[1]"),
                    format!("the question {link_id} takes one answer"),
                ));
            }
        }
    }

    Ok(IncomingResponse {
        questionnaire_key,
        questionnaire_version,
        subject: id.to_string(),
        citizen_id,
        authored_at,
        answers,
        identifier,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datatypes::TRANSLATION;
    use crate::datatypes::tests_support::{assert_no_empty, validate_r4};
    use serde_json::json;
    use telesund_core::ErrorCode;
    use telesund_core::ids::ResponseId;
    use telesund_core::monitoring::questionnaire::{
        copd_symptoms, diabetes_symptoms, heart_failure_symptoms, library, who5,
    };

    const CITIZEN: &str = "0193a5f2-7c1e-7d3a-9b2e-1f2a3b4c5d6e";

    fn ext<'a>(v: &'a Value, url: &str) -> Vec<&'a Value> {
        v["extension"]
            .as_array()
            .map(|a| a.iter().filter(|e| e["url"] == url).collect())
            .unwrap_or_default()
    }

    #[test]
    fn who5_as_a_questionnaire() {
        let q = who5();
        let id = QuestionnaireId::new();
        let j = serde_json::to_value(from_domain(&q, id, "active")).unwrap();
        assert_no_empty(&j, "Questionnaire");
        assert_eq!(j["resourceType"], "Questionnaire");
        assert_eq!(j["id"], id.to_string());
        assert_eq!(j["url"], "https://telesund.dk/fhir/Questionnaire/who5");
        assert_eq!(j["version"], "1.0");
        assert_eq!(j["name"], "Who5");
        assert_eq!(j["title"], "WHO-5 Trivselsindeks");
        assert_eq!(j["language"], "da");
        assert_eq!(
            j["_title"],
            json!({ "extension": [{ "url": TRANSLATION, "extension": [
                { "url": "lang", "valueCode": "en" },
                { "url": "content", "valueString": "WHO-5 Well-Being Index" }
            ] }] })
        );
        assert_eq!(j["status"], "active");
        assert_eq!(j["subjectType"], json!(["Patient"]));
        assert!(
            j["description"]
                .as_str()
                .unwrap()
                .starts_with("Her er fem udsagn")
        );

        let items = j["item"].as_array().unwrap();
        assert_eq!(items.len(), 5);
        let first = &items[0];
        assert_eq!(first["linkId"], "cheerful");
        assert_eq!(first["type"], "choice");
        assert_eq!(first["required"], true);
        assert_eq!(
            first["text"],
            "I de sidste to uger har jeg været glad og i godt humør"
        );
        let options = first["answerOption"].as_array().unwrap();
        assert_eq!(options.len(), 6);
        assert_eq!(
            options[0],
            json!({
                "extension": [{ "url": ORDINAL_VALUE, "valueDecimal": 5 }],
                "valueCoding": { "system": answer_system("who5"), "code": "5", "display": "Hele tiden" }
            })
        );
        assert_eq!(options[5]["valueCoding"]["display"], "På intet tidspunkt");

        let scoring = ext(&j, SCORING);
        assert_eq!(scoring.len(), 1);
        let parts = scoring[0]["extension"].as_array().unwrap();
        assert_eq!(
            parts[0],
            json!({ "url": "multiplier", "valueDecimal": 4.0 })
        );
        let bands: Vec<&Value> = parts.iter().filter(|p| p["url"] == "band").collect();
        assert_eq!(bands.len(), 3);
        assert_eq!(
            bands[0]["extension"],
            json!([
                { "url": "max", "valueDecimal": 28.0 },
                { "url": "colour", "valueCoding": colour_coding(Colour::Red) }
            ])
        );
        validate_r4(&j);
    }

    #[test]
    fn symptom_questionnaires_keep_conditions_colours_and_limits() {
        // Heart failure: a follow-up and a display item that depend on chest pain.
        let j = serde_json::to_value(from_domain(
            &heart_failure_symptoms(),
            QuestionnaireId::new(),
            "draft",
        ))
        .unwrap();
        assert_no_empty(&j, "Questionnaire");
        assert_eq!(j["name"], "HfSymptoms");
        let items = j["item"].as_array().unwrap();
        let breathless = &items[0];
        assert_eq!(ext(breathless, SHORT_TEXT)[0]["valueString"], "Åndenød");
        let much_more = &breathless["answerOption"][2];
        assert_eq!(much_more["valueCoding"]["code"], "much_more");
        assert_eq!(
            much_more["extension"],
            json!([{ "url": ANSWER_COLOUR, "valueCoding": colour_coding(Colour::Red) }])
        );
        let swollen = &items[1];
        assert_eq!(swollen["type"], "boolean");
        assert_eq!(
            ext(swollen, BOOLEAN_COLOUR)[0]["extension"],
            json!([
                { "url": "answer", "valueBoolean": true },
                { "url": "colour", "valueCoding": colour_coding(Colour::Yellow) }
            ])
        );
        let long_pain = items
            .iter()
            .find(|i| i["linkId"] == "chest_pain_long")
            .unwrap();
        assert_eq!(
            long_pain["enableWhen"],
            json!([{ "question": "chest_pain", "operator": "=", "answerBoolean": true }])
        );
        assert!(long_pain.get("enableBehavior").is_none());
        let advice = items
            .iter()
            .find(|i| i["linkId"] == "chest_pain_advice")
            .unwrap();
        assert_eq!(advice["type"], "display");
        assert!(advice.get("required").is_none(), "que-6");
        assert!(
            advice["_text"]["extension"][0]["extension"][1]["valueString"]
                .as_str()
                .unwrap()
                .starts_with("If you have chest pain")
        );
        validate_r4(&j);

        // COPD: integer and decimal limits and bands, a string with a length limit.
        let j = serde_json::to_value(from_domain(
            &copd_symptoms(),
            QuestionnaireId::new(),
            "retired",
        ))
        .unwrap();
        assert_no_empty(&j, "Questionnaire");
        assert_eq!(j["status"], "retired");
        let items = j["item"].as_array().unwrap();
        let rescue = items
            .iter()
            .find(|i| i["linkId"] == "rescue_medicine")
            .unwrap();
        assert_eq!(rescue["type"], "integer");
        assert_eq!(ext(rescue, MIN_VALUE)[0]["valueInteger"], 0);
        assert_eq!(ext(rescue, MAX_VALUE)[0]["valueInteger"], 50);
        let bands = ext(rescue, VALUE_BAND);
        assert_eq!(bands.len(), 2);
        assert_eq!(
            bands[1]["extension"],
            json!([
                { "url": "min", "valueDecimal": 6.0 },
                { "url": "colour", "valueCoding": colour_coding(Colour::Red) }
            ])
        );
        let temperature = items.iter().find(|i| i["linkId"] == "temperature").unwrap();
        assert_eq!(temperature["type"], "decimal");
        assert_eq!(ext(temperature, MIN_VALUE)[0]["valueDecimal"], 34.0);
        assert!(temperature.get("required").is_none());
        let comment = items.iter().find(|i| i["linkId"] == "comment").unwrap();
        assert_eq!(comment["type"], "string");
        assert_eq!(comment["maxLength"], 500);
        validate_r4(&j);

        // Diabetes: two conditions, either of which enables the ketones question.
        let j = serde_json::to_value(from_domain(
            &diabetes_symptoms(),
            QuestionnaireId::new(),
            "something else",
        ))
        .unwrap();
        assert_eq!(j["status"], "unknown");
        let ketones = j["item"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["linkId"] == "ketones")
            .unwrap();
        assert_eq!(ketones["enableBehavior"], "any", "que-12");
        assert_eq!(ketones["enableWhen"].as_array().unwrap().len(), 2);
        validate_r4(&j);
    }

    #[test]
    fn every_library_questionnaire_is_valid_r4() {
        for q in library() {
            let j =
                serde_json::to_value(from_domain(&q, QuestionnaireId::new(), "active")).unwrap();
            assert_no_empty(&j, &q.key);
            // que-2: linkIds unique.
            let mut ids: Vec<&str> = j["item"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["linkId"].as_str().unwrap())
                .collect();
            let n = ids.len();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), n, "{}", q.key);
            validate_r4(&j);
        }
    }

    #[test]
    fn a_choice_condition_names_the_option_coding() {
        let mut q = copd_symptoms();
        let mut follow_up = q.items.last().unwrap().clone();
        follow_up.link_id = "sputum_days".into();
        follow_up.enable_when = vec![domain::EnableWhen {
            question: "sputum".into(),
            operator: Operator::Equal,
            answer: Answer::Choice("yellow_green".into()),
        }];
        q.items.push(follow_up);
        q.validate().unwrap();
        let j = serde_json::to_value(from_domain(&q, QuestionnaireId::new(), "draft")).unwrap();
        let last = j["item"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(
            last["enableWhen"],
            json!([{ "question": "sputum", "operator": "=",
                     "answerCoding": { "system": answer_system("copd_symptoms"), "code": "yellow_green" } }])
        );
        validate_r4(&j);
    }

    fn stored(answers: Vec<(String, Answer)>) -> work::QuestionnaireResponse {
        let t = Timestamp::parse_rfc3339("2026-11-22T18:30:00Z").unwrap();
        work::QuestionnaireResponse {
            id: ResponseId::new(),
            citizen_id: CITIZEN.parse().unwrap(),
            questionnaire_id: QuestionnaireId::new(),
            questionnaire_key: "copd_symptoms".into(),
            questionnaire_version: "1.0".into(),
            answers,
            score: None,
            authored_at: t,
            received_at: t.plus(time::Duration::seconds(3)),
            source: Source::Citizen,
            entered_by_name: "Bent Hansen".into(),
            on_behalf_of_name: None,
            identifier: Some("urn:ietf:rfc:3986|urn:uuid:7".into()),
        }
    }

    fn copd_answers() -> Vec<(String, Answer)> {
        vec![
            ("breathless".into(), Answer::Choice("bit_more".into())),
            ("sputum".into(), Answer::Choice("yellow_green".into())),
            ("rescue_medicine".into(), Answer::Integer(4)),
            ("feverish".into(), Answer::Boolean(true)),
            ("temperature".into(), Answer::Decimal(38.4)),
            (
                "comment".into(),
                Answer::String("Jeg har sovet dårligt".into()),
            ),
        ]
    }

    #[test]
    fn a_copd_response_as_fhir() {
        let q = copd_symptoms();
        let answers = copd_answers();
        assert!(q.evaluate(&answers).is_ok());
        let r = stored(answers);
        let j = serde_json::to_value(response_from_domain(&r, Some(&q))).unwrap();
        assert_no_empty(&j, "QuestionnaireResponse");
        assert_eq!(j["resourceType"], "QuestionnaireResponse");
        assert_eq!(
            j["questionnaire"],
            "https://telesund.dk/fhir/Questionnaire/copd_symptoms|1.0"
        );
        assert_eq!(j["status"], "completed");
        assert_eq!(
            j["subject"],
            json!({ "reference": format!("Patient/{CITIZEN}") })
        );
        assert_eq!(j["authored"], "2026-11-22T18:30:00Z");
        assert_eq!(j["meta"]["lastUpdated"], "2026-11-22T18:30:03Z");
        assert_eq!(
            j["author"],
            json!({ "reference": format!("Patient/{CITIZEN}"), "display": "Bent Hansen" })
        );
        assert_eq!(
            j["identifier"],
            json!({ "system": "urn:ietf:rfc:3986", "value": "urn:uuid:7" })
        );
        let items = j["item"].as_array().unwrap();
        assert_eq!(items.len(), 6);
        assert_eq!(
            items[0],
            json!({
                "linkId": "breathless",
                "text": "Hvor forpustet er du i dag sammenlignet med normalt?",
                "answer": [{ "valueCoding": {
                    "system": answer_system("copd_symptoms"), "code": "bit_more",
                    "display": "Lidt mere end normalt" } }]
            })
        );
        assert_eq!(items[2]["answer"], json!([{ "valueInteger": 4 }]));
        assert_eq!(items[3]["answer"], json!([{ "valueBoolean": true }]));
        assert_eq!(items[4]["answer"], json!([{ "valueDecimal": 38.4 }]));
        assert_eq!(
            items[5]["answer"],
            json!([{ "valueString": "Jeg har sovet dårligt" }])
        );
        assert!(j.get("extension").is_none());
        validate_r4(&j);
    }

    #[test]
    fn a_who5_response_entered_by_staff_carries_its_score() {
        let q = who5();
        let answers: Vec<(String, Answer)> = q
            .items
            .iter()
            .map(|i| (i.link_id.clone(), Answer::Choice("3".into())))
            .collect();
        let score = q.evaluate(&answers).unwrap().score;
        let mut r = stored(answers);
        r.questionnaire_key = "who5".into();
        r.score = score;
        r.source = Source::Staff;
        r.entered_by_name = "Sygeplejerske Lise Holm".into();
        r.on_behalf_of_name = Some("Bent Hansen".into());
        r.identifier = None;
        // Without the questionnaire: codes only, no texts.
        let j = serde_json::to_value(response_from_domain(&r, None)).unwrap();
        assert_no_empty(&j, "QuestionnaireResponse");
        assert_eq!(
            j["extension"],
            json!([{ "url": SCORE, "valueDecimal": 60.0 }])
        );
        assert_eq!(
            j["author"],
            json!({ "display": "Sygeplejerske Lise Holm på vegne af Bent Hansen" })
        );
        assert_eq!(j["source"]["reference"], format!("Patient/{CITIZEN}"));
        assert_eq!(
            j["item"][0],
            json!({ "linkId": "cheerful", "answer": [{ "valueCoding": {
                "system": answer_system("who5"), "code": "3" } }] })
        );
        assert!(j.get("identifier").is_none());
        validate_r4(&j);
    }

    // ------------------------------------------------------------------------------------
    // Incoming.

    fn incoming() -> Value {
        json!({
            "resourceType": "QuestionnaireResponse",
            "id": "client-side-id",
            "meta": { "profile": ["http://example.org/whatever"] },
            "text": { "status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">…</div>" },
            "identifier": { "system": "urn:ietf:rfc:3986", "value": "urn:uuid:9" },
            "questionnaire": "https://telesund.dk/fhir/Questionnaire/copd_symptoms|1.0",
            "status": "completed",
            "subject": { "reference": format!("Patient/{CITIZEN}"), "display": "Bent Hansen" },
            "authored": "2026-11-22T19:30:00+01:00",
            "author": { "reference": format!("Patient/{CITIZEN}") },
            "source": { "reference": format!("Patient/{CITIZEN}") },
            "item": [
                { "linkId": "breathless", "text": "Hvor forpustet…",
                  "answer": [{ "valueCoding": { "system": answer_system("copd_symptoms"), "code": "bit_more", "display": "Lidt mere end normalt" } }] },
                { "linkId": "sputum", "answer": [{ "valueCoding": { "code": "yellow_green" } }] },
                { "linkId": "rescue_medicine", "answer": [{ "valueInteger": 4 }] },
                { "linkId": "feverish", "answer": [{ "valueBoolean": true }] },
                { "linkId": "temperature", "answer": [{ "valueDecimal": 38.4 }] },
                { "linkId": "comment", "answer": [{ "valueString": "Jeg har sovet dårligt" }] }
            ]
        })
    }

    fn with(change: impl FnOnce(&mut Value)) -> Value {
        let mut v = incoming();
        change(&mut v);
        v
    }

    #[test]
    fn an_incoming_response_is_read() {
        let r = parse_response(&incoming()).unwrap();
        assert_eq!(r.questionnaire_key, "copd_symptoms");
        assert_eq!(r.questionnaire_version.as_deref(), Some("1.0"));
        assert_eq!(r.subject, CITIZEN);
        assert_eq!(r.citizen_id.to_string(), CITIZEN);
        assert_eq!(
            r.authored_at,
            Timestamp::parse_rfc3339("2026-11-22T18:30:00Z").unwrap()
        );
        assert_eq!(
            r.identifier.as_deref(),
            Some("urn:ietf:rfc:3986|urn:uuid:9")
        );
        assert_eq!(r.answers, copd_answers());
        assert!(copd_symptoms().evaluate(&r.answers).is_ok());

        // Minimal: no version, no identifier, an unanswered item.
        let r = parse_response(&with(|v| {
            let o = v.as_object_mut().unwrap();
            for k in ["id", "meta", "text", "identifier", "author", "source"] {
                o.remove(k);
            }
            v["questionnaire"] = json!("https://telesund.dk/fhir/Questionnaire/copd_symptoms");
            v["item"][5] = json!({ "linkId": "comment" });
        }))
        .unwrap();
        assert_eq!(r.questionnaire_version, None);
        assert_eq!(r.identifier, None);
        assert_eq!(r.answers.len(), 5);
    }

    #[test]
    fn what_is_written_reads_back_as_the_same_answers() {
        let q = copd_symptoms();
        let r = stored(copd_answers());
        let j = serde_json::to_value(response_from_domain(&r, Some(&q))).unwrap();
        let back = parse_response(&j).unwrap();
        assert_eq!(back.answers, r.answers);
        assert_eq!(back.questionnaire_key, r.questionnaire_key);
        assert_eq!(back.questionnaire_version.as_deref(), Some("1.0"));
        assert_eq!(back.citizen_id, r.citizen_id);
        assert_eq!(back.authored_at, r.authored_at);
        assert_eq!(back.identifier, r.identifier);
    }

    #[test]
    fn incoming_refusals_name_the_element() {
        let cases: Vec<(Value, &str, &str, ErrorCode)> = vec![
            (
                with(|v| v["encounter"] = json!({ "reference": "Encounter/1" })),
                "QuestionnaireResponse.encounter",
                "elements read here",
                ErrorCode::UnknownField,
            ),
            (
                with(|v| v["extension"] = json!([{ "url": "urn:x", "valueString": "y" }])),
                "QuestionnaireResponse.extension",
                "no extensions",
                ErrorCode::UnknownField,
            ),
            (
                with(|v| v["item"][1]["item"] = json!([{ "linkId": "x" }])),
                "QuestionnaireResponse.item[1].item",
                "nested items",
                ErrorCode::UnknownField,
            ),
            (
                with(|v| v["item"][0]["answer"][0]["item"] = json!([{ "linkId": "x" }])),
                "QuestionnaireResponse.item[0].answer[0].item",
                "nested items",
                ErrorCode::UnknownField,
            ),
            (
                with(|v| v["item"][2]["answer"][0] = json!({ "valueDate": "2026-11-22" })),
                "QuestionnaireResponse.item[2].answer[0].valueDate",
                "valueCoding, valueBoolean",
                ErrorCode::UnknownField,
            ),
            (
                with(|v| v["_authored"] = json!({ "extension": [] })),
                "QuestionnaireResponse._authored",
                "primitive",
                ErrorCode::UnknownField,
            ),
            (
                with(|v| {
                    v.as_object_mut().unwrap().remove("questionnaire");
                }),
                "QuestionnaireResponse.questionnaire",
                "name the questionnaire",
                ErrorCode::InvalidInput,
            ),
            (
                with(|v| v["questionnaire"] = json!("Questionnaire/who5")),
                "QuestionnaireResponse.questionnaire",
                "canonical url",
                ErrorCode::InvalidInput,
            ),
            (
                with(|v| {
                    v["questionnaire"] = json!("https://telesund.dk/fhir/Questionnaire/who5|")
                }),
                "QuestionnaireResponse.questionnaire",
                "version",
                ErrorCode::InvalidInput,
            ),
            (
                with(|v| {
                    v.as_object_mut().unwrap().remove("subject");
                }),
                "QuestionnaireResponse.subject",
                "Patient/<id>",
                ErrorCode::InvalidInput,
            ),
            (
                with(|v| v["subject"] = json!({ "reference": "Patient/42" })),
                "QuestionnaireResponse.subject",
                "not a Telesund Patient id",
                ErrorCode::InvalidInput,
            ),
            (
                with(|v| v["subject"] = json!({ "reference": "Group/1" })),
                "QuestionnaireResponse.subject",
                "Patient/<id>",
                ErrorCode::InvalidInput,
            ),
            (
                with(|v| {
                    v.as_object_mut().unwrap().remove("authored");
                }),
                "QuestionnaireResponse.authored",
                "authored",
                ErrorCode::InvalidInput,
            ),
            (
                with(|v| v["authored"] = json!("2026-11-22")),
                "QuestionnaireResponse.authored",
                "full date and time",
                ErrorCode::InvalidInput,
            ),
            (
                with(|v| v["status"] = json!("in-progress")),
                "QuestionnaireResponse.status",
                "completed",
                ErrorCode::InvalidInput,
            ),
            (
                with(|v| {
                    v.as_object_mut().unwrap().remove("status");
                }),
                "QuestionnaireResponse.status",
                "status",
                ErrorCode::InvalidInput,
            ),
            (
                with(|v| v["identifier"] = json!([{ "value": "x" }])),
                "QuestionnaireResponse.identifier",
                "not an array",
                ErrorCode::InvalidInput,
            ),
            (
                with(|v| v["identifier"] = json!({ "system": "urn:x" })),
                "QuestionnaireResponse.identifier.value",
                "value",
                ErrorCode::InvalidInput,
            ),
            (
                with(|v| {
                    v["item"][3].as_object_mut().unwrap().remove("linkId");
                }),
                "QuestionnaireResponse.item[3].linkId",
                "linkId",
                ErrorCode::InvalidInput,
            ),
            (
                with(|v| {
                    v["item"][3]["answer"] =
                        json!([{ "valueBoolean": true }, { "valueBoolean": false }])
                }),
                "QuestionnaireResponse.item[3].answer[1]",
                "one answer",
                ErrorCode::InvalidInput,
            ),
            (
                with(|v| v["item"][3]["answer"] = json!([{}])),
                "QuestionnaireResponse.item[3].answer[0]",
                "no value",
                ErrorCode::InvalidInput,
            ),
            (
                with(|v| {
                    v["item"][3]["answer"] = json!([{ "valueBoolean": true, "valueString": "ja" }])
                }),
                "QuestionnaireResponse.item[3].answer[0].valueString",
                "more than one value",
                ErrorCode::InvalidInput,
            ),
            (
                with(|v| v["item"][3]["answer"][0]["valueBoolean"] = json!("yes")),
                "QuestionnaireResponse.item[3].answer[0].valueBoolean",
                "true or false",
                ErrorCode::InvalidInput,
            ),
            (
                with(|v| v["item"][2]["answer"][0]["valueInteger"] = json!(4.5)),
                "QuestionnaireResponse.item[2].answer[0].valueInteger",
                "whole number",
                ErrorCode::InvalidInput,
            ),
            (
                with(|v| v["item"][4]["answer"][0]["valueDecimal"] = json!("38,4")),
                "QuestionnaireResponse.item[4].answer[0].valueDecimal",
                "JSON number",
                ErrorCode::InvalidInput,
            ),
            (
                with(|v| v["item"][5]["answer"][0]["valueString"] = json!("")),
                "QuestionnaireResponse.item[5].answer[0].valueString",
                "empty",
                ErrorCode::InvalidInput,
            ),
            (
                with(|v| {
                    v["item"][1]["answer"][0]["valueCoding"] =
                        json!({ "display": "Gult eller grønt" })
                }),
                "QuestionnaireResponse.item[1].answer[0].valueCoding.code",
                "code",
                ErrorCode::InvalidInput,
            ),
            (
                with(|v| v["item"] = json!({ "linkId": "x" })),
                "QuestionnaireResponse.item",
                "JSON array",
                ErrorCode::InvalidInput,
            ),
            (
                with(|v| v["author"] = json!({ "reference": 7 })),
                "QuestionnaireResponse.author.reference",
                "string",
                ErrorCode::InvalidInput,
            ),
            (
                with(|v| v["basedOn"] = json!([{ "reference": "CarePlan/1" }])),
                "QuestionnaireResponse.basedOn",
                "elements read here",
                ErrorCode::UnknownField,
            ),
            (
                with(|v| v["item"][0]["answer"][0]["valueCoding"]["extension"] = json!([])),
                "QuestionnaireResponse.item[0].answer[0].valueCoding.extension",
                "no extensions",
                ErrorCode::UnknownField,
            ),
            (
                with(|v| v["questionnaire"] = json!(null)),
                "QuestionnaireResponse.questionnaire",
                "null",
                ErrorCode::InvalidInput,
            ),
        ];
        for (v, path, says, code) in cases {
            let e = parse_response(&v).unwrap_err();
            assert_eq!(e.expression.as_deref(), Some(path), "{e:?}");
            assert!(e.message.contains(says), "{path}: {}", e.message);
            assert_eq!(e.code, code, "{path}");
        }
        let e = parse_response(&json!({ "resourceType": "Observation" })).unwrap_err();
        assert_eq!(e.expression.as_deref(), Some("resourceType"));
        let e = parse_response(&json!([])).unwrap_err();
        assert_eq!(e.expression.as_deref(), Some("resourceType"));
    }
}
