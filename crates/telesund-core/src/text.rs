//! Folding names for search, so that "Søren", "SØREN" and "soren" all meet.
//!
//! Danish letters are folded to the ASCII spellings people type when they lack the keys
//! (æ→ae, ø→o, å→aa→a ...). Both the stored search column and the query are folded the same
//! way, so the database only ever compares plain lower-case ASCII.

/// Folds text for search: lower case, Danish and common accented letters to ASCII,
/// runs of anything else to one space.
pub fn fold(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for ch in input.chars().flat_map(char::to_lowercase) {
        match ch {
            'æ' | 'ä' => out.push_str("ae"),
            'ø' | 'ö' => out.push('o'),
            'å' => out.push('a'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'á' | 'à' | 'â' => out.push('a'),
            'ü' | 'ú' => out.push('u'),
            'í' | 'ï' => out.push('i'),
            'ó' | 'ô' => out.push('o'),
            'ç' => out.push('c'),
            'ñ' => out.push('n'),
            'ß' => out.push_str("ss"),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ => {
                if !out.ends_with(' ') && !out.is_empty() {
                    out.push(' ');
                }
            }
        }
    }
    // "aa" is the old spelling of "å" (Aabenraa, Aase): fold it the same way.
    let out = out.replace("aa", "a");
    out.trim_end().to_string()
}

/// Only the digits of a phone number, without a Danish +45/0045 prefix, for search.
pub fn phone_digits(input: &str) -> String {
    let digits: String = input.chars().filter(char::is_ascii_digit).collect();
    let stripped =
        if input.trim_start().starts_with('+') && digits.starts_with("45") && digits.len() == 10 {
            &digits[2..]
        } else if digits.starts_with("0045") && digits.len() == 12 {
            &digits[4..]
        } else {
            &digits[..]
        };
    stripped.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_letters_fold_both_ways() {
        assert_eq!(fold("Søren"), fold("SØREN"));
        assert_eq!(fold("soren"), fold("Søren"));
        assert_eq!(fold("Ærø"), "aero");
        assert_eq!(fold("Åse"), fold("Aase"));
        assert_eq!(fold("Bent  Hansen"), "bent hansen");
        assert_eq!(fold("Jens-Peter Ågård"), "jens peter agard");
    }

    #[test]
    fn phones_lose_prefix_and_spaces() {
        assert_eq!(phone_digits("+45 20 12 34 56"), "20123456");
        assert_eq!(phone_digits("0045 20123456"), "20123456");
        assert_eq!(phone_digits("20 12 34 56"), "20123456");
    }
}
