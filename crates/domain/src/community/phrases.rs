//! Finding phrases in posts, whole-word and ignoring case, accents and punctuation; and the
//! default crisis-language lists (English and Spanish, which admins can change). Finding crisis
//! language never blocks a post: it shows the author the crisis resources and tells the
//! moderators.

/// English phrases that suggest someone may be in danger.
pub const CRISIS_ENGLISH: &[&str] = &[
    "suicide",
    "suicidal",
    "kill myself",
    "killing myself",
    "end my life",
    "ending my life",
    "take my own life",
    "want to die",
    "wanna die",
    "better off dead",
    "no reason to live",
    "can't go on",
    "cant go on",
    "cannot go on",
    "self harm",
    "self-harm",
    "hurt myself",
    "cut myself",
    "cutting myself",
    "overdose",
    "overdosed",
    "od'd",
    "not wake up",
    "goodbye forever",
];

/// Spanish phrases that suggest someone may be in danger.
pub const CRISIS_SPANISH: &[&str] = &[
    "suicidio",
    "suicida",
    "suicidarme",
    "matarme",
    "quitarme la vida",
    "acabar con mi vida",
    "quiero morir",
    "quiero morirme",
    "no quiero vivir",
    "mejor muerto",
    "mejor muerta",
    "no puedo más",
    "no puedo seguir",
    "autolesión",
    "hacerme daño",
    "cortarme",
    "sobredosis",
    "no despertar",
];

/// Lower case, accents and apostrophe forms folded, every run of other punctuation or space
/// one space, padded with spaces so whole words can be found with `contains`.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    let mut space = true;
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            '’' | '‘' | '`' | '´' => '\'',
            c => c,
        };
        if c.is_alphanumeric() || c == '\'' {
            out.push(c);
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if !space {
        out.push(' ');
    }
    out
}

/// A list of phrases to look for, ready to match.
#[derive(Clone, Debug)]
pub struct Phrases {
    phrases: Vec<(String, String)>,
}

impl Phrases {
    /// From phrases as written; empty ones are ignored.
    pub fn new<'a>(phrases: impl IntoIterator<Item = &'a str>) -> Phrases {
        Phrases {
            phrases: phrases
                .into_iter()
                .map(|p| (p.trim().to_owned(), normalise(p)))
                .filter(|(_, n)| n.trim().len() > 1)
                .collect(),
        }
    }

    /// The default English and Spanish crisis lists.
    pub fn crisis_defaults() -> Phrases {
        Phrases::new(Phrases::crisis_default_lines().lines())
    }

    /// The default crisis lists as the text admins edit, one phrase per line.
    pub fn crisis_default_lines() -> String {
        CRISIS_ENGLISH
            .iter()
            .chain(CRISIS_SPANISH)
            .copied()
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The phrases found in `text`, as they were written in the list.
    pub fn found_in(&self, text: &str) -> Vec<&str> {
        let text = normalise(text);
        self.phrases
            .iter()
            .filter(|(_, phrase)| text.contains(phrase.as_str()))
            .map(|(written, _)| written.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_and_spanish_crisis_language_is_found_in_any_case_or_spelling() {
        let phrases = Phrases::crisis_defaults();
        assert_eq!(
            phrases.found_in("I honestly CAN'T go on like this..."),
            ["can't go on"]
        );
        assert_eq!(
            phrases.found_in("I can’t go on"),
            ["can't go on"],
            "curly apostrophe"
        );
        assert_eq!(
            phrases.found_in("Ya no puedo MAS, quiero morir"),
            ["quiero morir", "no puedo más"]
        );
        assert_eq!(phrases.found_in("pensé en la sobredosis"), ["sobredosis"]);
        assert!(!phrases.found_in("Self-harm crossed my mind").is_empty());
    }

    #[test]
    fn words_inside_other_words_do_not_count() {
        let phrases = Phrases::new(["od'd", "suicide"]);
        assert!(
            phrases
                .found_in("Today is a good day, my pod'ding is fine")
                .is_empty()
        );
        assert!(
            phrases.found_in("We watched The Suicide Squad").len() == 1,
            "a whole word still counts"
        );
        assert!(
            Phrases::crisis_defaults()
                .found_in("Thirty days today, feeling strong 🌱")
                .is_empty()
        );
    }
}
