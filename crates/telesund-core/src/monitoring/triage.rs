//! Triage colours, as Danish telemonitoring (OpenTele, FUT) uses them.

use crate::identity::string_enum;

string_enum!(
    /// The result of evaluating one measurement or questionnaire answer for one care plan.
    /// Declared from least to most severe, so `Ord` sorts by severity and `max` is the worst.
    /// Blue is not a value's colour but a missing one: a scheduled measurement that did not
    /// come within its window.
    Colour {
        Green = "green",
        Blue = "blue",
        Yellow = "yellow",
        Red = "red",
    }
);

impl Colour {
    /// Whether this colour calls for a clinician (a task on the team's worklist).
    pub fn needs_attention(self) -> bool {
        self != Colour::Green
    }

    /// The FHIR `Task.priority` this colour gives: red is urgent, yellow and blue routine.
    pub fn task_priority(self) -> &'static str {
        match self {
            Colour::Red => "urgent",
            Colour::Yellow | Colour::Blue | Colour::Green => "routine",
        }
    }

    /// Danish name for the worklist and the citizen's view.
    pub fn danish(self) -> &'static str {
        match self {
            Colour::Green => "grøn",
            Colour::Blue => "blå (mangler)",
            Colour::Yellow => "gul",
            Colour::Red => "rød",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_order() {
        assert!(Colour::Red > Colour::Yellow);
        assert!(Colour::Yellow > Colour::Blue);
        assert!(Colour::Blue > Colour::Green);
        assert_eq!(
            [Colour::Yellow, Colour::Red, Colour::Green]
                .into_iter()
                .max(),
            Some(Colour::Red)
        );
        assert_eq!(Colour::parse("yellow").unwrap(), Colour::Yellow);
        assert!(Colour::parse("orange").is_err());
    }
}
