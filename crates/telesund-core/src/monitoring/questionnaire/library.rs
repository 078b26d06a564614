//! The questionnaires Telesund ships with. WHO-5 is the WHO Well-Being Index in its Danish
//! wording (free to use); the symptom questionnaires are our own, in plain Danish, and their
//! colours are starting points a programme's clinicians review before use.

use super::{
    Answer, AnswerOption, EnableBehavior, EnableWhen, Item, ItemKind, Operator, Questionnaire,
    Scoring, ValueBand,
};
use crate::monitoring::triage::Colour;

/// Every questionnaire in the library.
pub fn library() -> Vec<Questionnaire> {
    vec![
        who5(),
        heart_failure_symptoms(),
        copd_symptoms(),
        diabetes_symptoms(),
    ]
}

/// Said once in every symptom questionnaire, because a citizen may otherwise wait for a
/// clinician to read the answers while something acute is happening.
const NOT_ACUTE: &str = "Spørgeskemaet er ikke en akut-kanal. Har du det meget dårligt, så \
    ring 112, eller ring til din egen læge eller lægevagten.";

fn question(link_id: &str, text: &str, text_en: &str, short: &str, kind: ItemKind) -> Item {
    Item {
        link_id: link_id.into(),
        text: text.into(),
        text_en: text_en.into(),
        short_text: Some(short.into()),
        kind,
        required: true,
        enable_when: Vec::new(),
        enable_behavior: EnableBehavior::All,
    }
}

fn yes_is(colour: Colour) -> ItemKind {
    ItemKind::Boolean {
        yes_colour: Some(colour),
        no_colour: None,
    }
}

fn option(code: &str, display: &str, display_en: &str, colour: Option<Colour>) -> AnswerOption {
    AnswerOption {
        code: code.into(),
        display: display.into(),
        display_en: display_en.into(),
        score: None,
        colour,
    }
}

fn band(min: Option<f64>, max: Option<f64>, colour: Colour) -> ValueBand {
    ValueBand { min, max, colour }
}

fn when(question: &str, operator: Operator, answer: Answer) -> EnableWhen {
    EnableWhen {
        question: question.into(),
        operator,
        answer,
    }
}

fn when_yes(question: &str) -> EnableWhen {
    when(question, Operator::Equal, Answer::Boolean(true))
}

/// "Compared with usual", the way breathlessness is asked in heart failure and COPD.
fn breathlessness(extra: Option<AnswerOption>) -> Item {
    let mut options = vec![
        option("usual", "Som normalt", "As usual", None),
        option(
            "bit_more",
            "Lidt mere end normalt",
            "A little more than usual",
            Some(Colour::Yellow),
        ),
        option(
            "much_more",
            "Meget mere end normalt",
            "Much more than usual",
            Some(Colour::Red),
        ),
    ];
    options.extend(extra);
    question(
        "breathless",
        "Hvor forpustet er du i dag sammenlignet med normalt?",
        "How breathless are you today compared with usual?",
        "Åndenød",
        ItemKind::Choice { options },
    )
}

/// WHO-5 Well-Being Index, Danish version. Score = raw sum × 4 (0–100); 28 or below suggests
/// depression and calls for a referral, 50 or below low well-being.
pub fn who5() -> Questionnaire {
    let statements = [
        (
            "cheerful",
            "I de sidste to uger har jeg været glad og i godt humør",
            "Over the last two weeks I have felt cheerful and in good spirits",
        ),
        (
            "calm",
            "I de sidste to uger har jeg følt mig rolig og afslappet",
            "Over the last two weeks I have felt calm and relaxed",
        ),
        (
            "active",
            "I de sidste to uger har jeg følt mig aktiv og energisk",
            "Over the last two weeks I have felt active and vigorous",
        ),
        (
            "rested",
            "I de sidste to uger er jeg vågnet frisk og udhvilet",
            "Over the last two weeks I woke up feeling fresh and rested",
        ),
        (
            "interest",
            "I de sidste to uger har min dagligdag været fyldt med ting, der interesserer mig",
            "Over the last two weeks my daily life has been filled with things that interest me",
        ),
    ];
    let scale = [
        ("Hele tiden", "All of the time"),
        ("Det meste af tiden", "Most of the time"),
        (
            "Lidt mere end halvdelen af tiden",
            "More than half of the time",
        ),
        (
            "Lidt mindre end halvdelen af tiden",
            "Less than half of the time",
        ),
        ("Lidt af tiden", "Some of the time"),
        ("På intet tidspunkt", "At no time"),
    ];
    // The code is the score, as on the paper form, so stored answers read without a key.
    let options: Vec<AnswerOption> = scale
        .iter()
        .zip((0..=5).rev())
        .map(|((da, en), score)| AnswerOption {
            code: score.to_string(),
            display: (*da).into(),
            display_en: (*en).into(),
            score: Some(score),
            colour: None,
        })
        .collect();
    Questionnaire {
        key: "who5".into(),
        version: "1.0".into(),
        title: "WHO-5 Trivselsindeks".into(),
        title_en: "WHO-5 Well-Being Index".into(),
        description: "Her er fem udsagn om, hvordan du har haft det i de sidste to uger. Vælg \
            for hvert udsagn det svar, der passer bedst. WHO-5 er udviklet af WHO Collaborating \
            Centre in Mental Health, Psykiatrisk Center Nordsjælland, og er frit tilgængeligt."
            .into(),
        items: statements
            .iter()
            .map(|(link_id, da, en)| Item {
                link_id: (*link_id).into(),
                text: (*da).into(),
                text_en: (*en).into(),
                short_text: None,
                kind: ItemKind::Choice {
                    options: options.clone(),
                },
                required: true,
                enable_when: Vec::new(),
                enable_behavior: EnableBehavior::All,
            })
            .collect(),
        scoring: Some(Scoring {
            multiplier: 4.0,
            bands: vec![
                band(None, Some(28.0), Colour::Red),
                band(Some(29.0), Some(50.0), Colour::Yellow),
                band(Some(51.0), None, Colour::Green),
            ],
            items: Vec::new(),
        }),
    }
}

/// Daily symptoms in heart failure: breathlessness, fluid (ankles, pillows), dizziness and
/// chest pain, with a follow-up on how long the pain lasted.
pub fn heart_failure_symptoms() -> Questionnaire {
    let mut long_pain = question(
        "chest_pain_long",
        "Varede smerterne mere end 15 minutter?",
        "Did the pain last more than 15 minutes?",
        "Brystsmerter over 15 minutter",
        yes_is(Colour::Red),
    );
    long_pain.enable_when = vec![when_yes("chest_pain")];
    let mut call_112 = question(
        "chest_pain_advice",
        "Har du brystsmerter nu, som varer mere end 15 minutter, så ring 112. Vent ikke på, at \
         vi ser dine svar.",
        "If you have chest pain now that lasts more than 15 minutes, call 112. Do not wait for \
         us to see your answers.",
        "Råd om brystsmerter",
        ItemKind::Display,
    );
    call_112.required = false;
    call_112.enable_when = vec![when_yes("chest_pain")];
    Questionnaire {
        key: "hf_symptoms".into(),
        version: "1.0".into(),
        title: "Dine symptomer ved hjertesvigt".into(),
        title_en: "Your heart failure symptoms".into(),
        description: format!(
            "Nogle få spørgsmål om, hvordan du har haft det siden i går. Svar gerne på samme \
             tid hver dag, når du har vejet dig. {NOT_ACUTE}"
        ),
        items: vec![
            breathlessness(Some(option(
                "at_rest",
                "Forpustet, selv når jeg sidder stille",
                "Breathless even when sitting still",
                Some(Colour::Red),
            ))),
            question(
                "swollen",
                "Er dine ankler, ben eller mave mere hævede end normalt?",
                "Are your ankles, legs or stomach more swollen than usual?",
                "Hævede ankler eller ben",
                yes_is(Colour::Yellow),
            ),
            question(
                "pillows",
                "Har du i nat haft brug for flere puder end normalt, eller har du måttet sidde \
                 op for at få luft?",
                "Last night, did you need more pillows than usual, or did you have to sit up to \
                 breathe?",
                "Flere puder om natten",
                yes_is(Colour::Yellow),
            ),
            question(
                "dizzy",
                "Har du været svimmel, eller har du været tæt på at besvime?",
                "Have you been dizzy, or close to fainting?",
                "Svimmelhed",
                yes_is(Colour::Yellow),
            ),
            question(
                "chest_pain",
                "Har du haft smerter eller trykken i brystet siden i går?",
                "Have you had pain or pressure in your chest since yesterday?",
                "Brystsmerter",
                yes_is(Colour::Yellow),
            ),
            long_pain,
            call_112,
        ],
        scoring: None,
    }
}

/// Daily symptoms in COPD: the signs of an exacerbation (breathlessness, sputum, rescue
/// medicine, fever) and room for a comment.
pub fn copd_symptoms() -> Questionnaire {
    let mut temperature = question(
        "temperature",
        "Hvis du har målt din temperatur, hvad var den? Skriv fx 38,2.",
        "If you have taken your temperature, what was it? For example 38.2.",
        "Temperatur",
        ItemKind::Decimal {
            min: Some(34.0),
            max: Some(43.0),
            bands: vec![
                band(Some(38.0), Some(39.0), Colour::Yellow),
                band(Some(39.0), None, Colour::Red),
            ],
        },
    );
    // Not everyone has a thermometer at hand; feeling feverish already gives yellow.
    temperature.required = false;
    temperature.enable_when = vec![when_yes("feverish")];
    let mut comment = question(
        "comment",
        "Er der andet, du gerne vil fortælle os?",
        "Is there anything else you would like to tell us?",
        "Kommentar",
        ItemKind::String {
            max_length: Some(500),
        },
    );
    comment.required = false;
    Questionnaire {
        key: "copd_symptoms".into(),
        version: "1.0".into(),
        title: "Dine symptomer ved KOL".into(),
        title_en: "Your COPD symptoms".into(),
        description: format!("Nogle få spørgsmål om, hvordan din KOL har det i dag. {NOT_ACUTE}"),
        items: vec![
            breathlessness(None),
            question(
                "sputum",
                "Hoster du slim op, og hvilken farve har det?",
                "Do you cough up phlegm, and what colour is it?",
                "Slim",
                ItemKind::Choice {
                    options: vec![
                        option(
                            "none",
                            "Jeg hoster ikke slim op",
                            "I do not cough up phlegm",
                            None,
                        ),
                        option("clear", "Klart eller hvidt", "Clear or white", None),
                        option(
                            "yellow_green",
                            "Gult eller grønt",
                            "Yellow or green",
                            Some(Colour::Yellow),
                        ),
                        option("blood", "Med blod i", "With blood in it", Some(Colour::Red)),
                    ],
                },
            ),
            question(
                "rescue_medicine",
                "Hvor mange gange har du brugt din akut-medicin (anfaldsmedicin) i dag?",
                "How many times have you used your rescue medicine today?",
                "Akut-medicin i dag",
                ItemKind::Integer {
                    min: Some(0),
                    max: Some(50),
                    bands: vec![
                        band(Some(3.0), Some(5.0), Colour::Yellow),
                        band(Some(6.0), None, Colour::Red),
                    ],
                },
            ),
            question(
                "feverish",
                "Føler du dig syg med feber eller kulderystelser?",
                "Do you feel ill with fever or chills?",
                "Feber eller kulderystelser",
                yes_is(Colour::Yellow),
            ),
            temperature,
            comment,
        ],
        scoring: None,
    }
}

/// Symptoms in diabetes between glucose measurements: hypoglycaemia (and whether it took
/// help from others), signs of high blood sugar and ketoacidosis, and the feet.
pub fn diabetes_symptoms() -> Questionnaire {
    let mut hypo_help = question(
        "hypo_help",
        "Havde du brug for hjælp fra andre for at komme ud af følingen?",
        "Did you need help from others to recover from the hypo?",
        "Føling med hjælp fra andre",
        yes_is(Colour::Red),
    );
    hypo_help.enable_when = vec![when_yes("hypo")];
    let mut ketones = question(
        "ketones",
        "Hvis du kan måle ketoner i blodet: Hvad var din seneste måling (mmol/l)?",
        "If you can measure blood ketones: what was your latest reading (mmol/l)?",
        "Ketoner (mmol/l)",
        ItemKind::Decimal {
            min: Some(0.0),
            max: Some(10.0),
            bands: vec![
                band(Some(0.6), Some(1.5), Colour::Yellow),
                band(Some(1.5), None, Colour::Red),
            ],
        },
    );
    // Ketones matter when either sign of high sugar is there, and only some citizens can
    // measure them.
    ketones.required = false;
    ketones.enable_when = vec![when_yes("thirst"), when_yes("vomiting")];
    ketones.enable_behavior = EnableBehavior::Any;
    Questionnaire {
        key: "diabetes_symptoms".into(),
        version: "1.0".into(),
        title: "Dine symptomer ved diabetes".into(),
        title_en: "Your diabetes symptoms".into(),
        description: format!(
            "Nogle få spørgsmål om, hvordan du har haft det siden i går. {NOT_ACUTE}"
        ),
        items: vec![
            question(
                "hypo",
                "Har du haft føling (lavt blodsukker) siden i går?",
                "Have you had a hypo (low blood sugar) since yesterday?",
                "Føling",
                yes_is(Colour::Yellow),
            ),
            hypo_help,
            question(
                "thirst",
                "Har du været meget tørstig, eller har du tisset meget mere end normalt?",
                "Have you been very thirsty, or passed much more urine than usual?",
                "Tørst eller meget vandladning",
                yes_is(Colour::Yellow),
            ),
            question(
                "vomiting",
                "Har du kastet op eller haft svært ved at holde på mad og drikke?",
                "Have you vomited or had trouble keeping food and drink down?",
                "Opkast",
                yes_is(Colour::Yellow),
            ),
            ketones,
            question(
                "foot",
                "Har du fået et sår, en vable eller et rødt, hævet område på dine fødder?",
                "Have you got a sore, a blister or a red, swollen area on your feet?",
                "Sår eller rødme på foden",
                yes_is(Colour::Yellow),
            ),
        ],
        scoring: None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::Answers;
    use super::*;

    fn yes(l: &str) -> (String, Answer) {
        (l.into(), Answer::Boolean(true))
    }
    fn no(l: &str) -> (String, Answer) {
        (l.into(), Answer::Boolean(false))
    }
    fn choice(l: &str, code: &str) -> (String, Answer) {
        (l.into(), Answer::Choice(code.into()))
    }

    #[test]
    fn every_library_questionnaire_validates() {
        let all = library();
        assert_eq!(all.len(), 4);
        for q in &all {
            q.validate()
                .unwrap_or_else(|e| panic!("{} does not validate: {e}", q.key));
            let answerable = q.items.iter().filter(|i| i.is_answerable()).count();
            assert!(answerable >= 4, "{} has {answerable} questions", q.key);
            if q.key != "who5" {
                assert!(answerable <= 6, "{} is meant to be short", q.key);
                assert!(
                    q.items.iter().any(|i| !i.enable_when.is_empty()),
                    "{} has a follow-up question",
                    q.key
                );
            }
        }
        let mut keys: Vec<_> = all.iter().map(|q| q.key.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), 4, "keys are unique");
        assert!(all.iter().any(|q| q.items.iter().any(|i| matches!(
            &i.kind,
            ItemKind::Integer { bands, .. } | ItemKind::Decimal { bands, .. } if !bands.is_empty()
        ))));
    }

    #[test]
    fn who5_wording() {
        let q = who5();
        assert_eq!(q.items.len(), 5);
        assert!(
            q.items
                .iter()
                .all(|i| i.text.starts_with("I de sidste to uger"))
        );
        let ItemKind::Choice { options } = &q.items[0].kind else {
            panic!("WHO-5 items are choices");
        };
        let scale: Vec<_> = options
            .iter()
            .map(|o| (o.display.as_str(), o.score.unwrap()))
            .collect();
        assert_eq!(
            scale,
            [
                ("Hele tiden", 5),
                ("Det meste af tiden", 4),
                ("Lidt mere end halvdelen af tiden", 3),
                ("Lidt mindre end halvdelen af tiden", 2),
                ("Lidt af tiden", 1),
                ("På intet tidspunkt", 0),
            ]
        );
    }

    #[test]
    fn heart_failure_chest_pain_follow_up() {
        let q = heart_failure_symptoms();
        let base: Vec<_> = vec![
            choice("breathless", "usual"),
            no("swollen"),
            no("pillows"),
            no("dizzy"),
        ];
        let mut calm = base.clone();
        calm.push(no("chest_pain"));
        let e = q.evaluate(&calm).unwrap();
        assert_eq!(e.colour, Colour::Green);
        assert!(e.reasons.is_empty());
        assert!(
            !q.enabled_items(&calm)
                .iter()
                .any(|i| i.link_id == "chest_pain_advice")
        );

        let mut pain: Vec<_> = base.clone();
        pain.push(yes("chest_pain"));
        let errors = q.evaluate(&pain).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].link_id, "chest_pain_long");
        assert!(
            q.enabled_items(&pain)
                .iter()
                .any(|i| i.link_id == "chest_pain_advice"),
            "the 112 advice shows as soon as there is chest pain"
        );

        pain.push(yes("chest_pain_long"));
        let e = q.evaluate(&pain).unwrap();
        assert_eq!(e.colour, Colour::Red);
        assert_eq!(e.reasons[0].text, "Brystsmerter over 15 minutter: Ja");
        assert_eq!(e.reasons[1].text, "Brystsmerter: Ja");

        let mut breathless = calm.clone();
        breathless[0] = choice("breathless", "much_more");
        let e = q.evaluate(&breathless).unwrap();
        assert_eq!(e.colour, Colour::Red);
        assert_eq!(e.reasons[0].text, "Åndenød: Meget mere end normalt");
    }

    #[test]
    fn copd_bands_and_optional_temperature() {
        let q = copd_symptoms();
        let answers = |medicine: i64, feverish: bool, temp: Option<f64>| {
            let mut a: Vec<(String, Answer)> = vec![
                choice("breathless", "usual"),
                choice("sputum", "clear"),
                ("rescue_medicine".into(), Answer::Integer(medicine)),
                ("feverish".into(), Answer::Boolean(feverish)),
            ];
            if let Some(t) = temp {
                a.push(("temperature".into(), Answer::Decimal(t)));
            }
            a
        };
        let colour = |a: &Answers| q.evaluate(a).unwrap().colour;
        assert_eq!(colour(&answers(2, false, None)), Colour::Green);
        assert_eq!(colour(&answers(3, false, None)), Colour::Yellow);
        assert_eq!(colour(&answers(5, false, None)), Colour::Yellow);
        assert_eq!(colour(&answers(6, false, None)), Colour::Red);
        let e = q.evaluate(&answers(4, false, None)).unwrap();
        assert_eq!(e.reasons[0].text, "Akut-medicin i dag: 4 (3–5)");
        // Feeling feverish is yellow; a measured temperature may make it red.
        assert_eq!(colour(&answers(0, true, None)), Colour::Yellow);
        assert_eq!(colour(&answers(0, true, Some(37.2))), Colour::Yellow);
        let e = q.evaluate(&answers(0, true, Some(39.4))).unwrap();
        assert_eq!(e.colour, Colour::Red);
        assert_eq!(e.reasons[0].text, "Temperatur: 39,4 (mindst 39)");
        // On the shared bound the worse band wins.
        assert_eq!(colour(&answers(0, true, Some(39.0))), Colour::Red);
        // Without fever the temperature is not asked, so it may not be given.
        let errors = q.evaluate(&answers(0, false, Some(38.5))).unwrap_err();
        assert_eq!(errors[0].link_id, "temperature");
    }

    #[test]
    fn diabetes_ketones_are_asked_for_either_sign() {
        let q = diabetes_symptoms();
        let with = |thirst: bool, vomiting: bool| {
            vec![
                no("hypo"),
                ("thirst".into(), Answer::Boolean(thirst)),
                ("vomiting".into(), Answer::Boolean(vomiting)),
                no("foot"),
            ]
        };
        let asks_ketones = |a: &Answers| q.enabled_items(a).iter().any(|i| i.link_id == "ketones");
        assert!(!asks_ketones(&with(false, false)));
        assert!(asks_ketones(&with(true, false)));
        assert!(asks_ketones(&with(false, true)));
        assert!(asks_ketones(&with(true, true)));
        let mut a = with(false, true);
        a.push(("ketones".into(), Answer::Decimal(2.1)));
        let e = q.evaluate(&a).unwrap();
        assert_eq!(e.colour, Colour::Red);
        assert_eq!(e.reasons[0].text, "Ketoner (mmol/l): 2,1 (mindst 1,5)");
        assert_eq!(e.reasons[1].text, "Opkast: Ja");

        let mut hypo = with(false, false);
        hypo[0] = yes("hypo");
        assert_eq!(q.evaluate(&hypo).unwrap_err()[0].link_id, "hypo_help");
        hypo.push(no("hypo_help"));
        assert_eq!(q.evaluate(&hypo).unwrap().colour, Colour::Yellow);
    }
}
