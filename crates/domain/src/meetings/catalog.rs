//! The directory's vocabularies: Meeting Guide type codes, the default programmes, and the
//! group attributes newcomers choose by (values, size, structure, facilitation, audience,
//! accessibility), each with its stored code and its words for people.

/// A stored code and what it means to a person.
pub type Term = (&'static str, &'static str);

/// The Meeting Guide type codes (code4recovery/spec `data/types.json`), plus the proposed
/// accessibility codes. Codes not listed here are kept as custom types.
pub const TYPE_CODES: &[Term] = &[
    ("O", "Open"),
    ("C", "Closed"),
    ("D", "Discussion"),
    ("SP", "Speaker"),
    ("ST", "Step Study"),
    ("TR", "Tradition Study"),
    ("B", "Big Book"),
    ("12x12", "12 Steps & 12 Traditions"),
    ("11", "11th Step Meditation"),
    ("ABSI", "As Bill Sees It"),
    ("DR", "Daily Reflections"),
    ("GR", "Grapevine"),
    ("LIT", "Literature"),
    ("LS", "Living Sober"),
    ("MED", "Meditation"),
    ("BE", "Newcomer"),
    ("H", "Birthday"),
    ("CAN", "Candlelight"),
    ("BRK", "Breakfast"),
    ("OUT", "Outdoor"),
    ("XT", "Cross Talk Permitted"),
    ("A", "Secular"),
    ("DD", "Dual Diagnosis"),
    ("P", "Professionals"),
    ("W", "Women"),
    ("M", "Men"),
    ("Y", "Young People"),
    ("SEN", "Seniors"),
    ("LGBTQ", "LGBTQ"),
    ("G", "Gay"),
    ("L", "Lesbian"),
    ("T", "Transgender"),
    ("BI", "Bisexual"),
    ("NB", "Non-Binary"),
    ("POC", "People of Color"),
    ("N", "Native American"),
    ("NDG", "Indigenous"),
    ("X", "Wheelchair Access"),
    ("XB", "Wheelchair-Accessible Bathroom"),
    ("ASL", "American Sign Language"),
    ("FF", "Fragrance Free"),
    ("SM", "Smoking Permitted"),
    ("BA", "Babysitting Available"),
    ("CF", "Child-Friendly"),
    ("AL", "Concurrent with Alateen"),
    ("AL-AN", "Concurrent with Al-Anon"),
    ("DB", "Digital Basket"),
    ("POA", "Proof of Attendance"),
    ("TC", "Location Temporarily Closed"),
    ("AF", "Afrikaans"),
    ("AM", "Amharic"),
    ("AR", "Arabic"),
    ("BG", "Bulgarian"),
    ("DA", "Danish"),
    ("DE", "German"),
    ("EL", "Greek"),
    ("EN", "English"),
    ("FA", "Persian"),
    ("FI", "Finnish"),
    ("FR", "French"),
    ("HE", "Hebrew"),
    ("HI", "Hindi"),
    ("HR", "Croatian"),
    ("HU", "Hungarian"),
    ("IS", "Icelandic"),
    ("ITA", "Italian"),
    ("JA", "Japanese"),
    ("KA", "Georgian"),
    ("KOR", "Korean"),
    ("LT", "Lithuanian"),
    ("ML", "Malayalam"),
    ("MT", "Maltese"),
    ("NE", "Nepali"),
    ("NL", "Dutch"),
    ("NO", "Norwegian"),
    ("POL", "Polish"),
    ("POR", "Portuguese"),
    ("PUN", "Punjabi"),
    ("RUS", "Russian"),
    ("S", "Spanish"),
    ("SK", "Slovak"),
    ("SL", "Slovenian"),
    ("SV", "Swedish"),
    ("TH", "Thai"),
    ("TL", "Tagalog"),
    ("TUR", "Turkish"),
    ("UK", "Ukrainian"),
    ("BV-I", "Blind/Visually Impaired"),
    ("D-HOH", "Deaf/Hard of Hearing"),
    ("LO-I", "Loners/Isolationists"),
    ("QSL", "Quebec Sign Language"),
    ("RSL", "Russian Sign Language"),
];

/// The retired Meeting Guide "Online" type: on import it only hints that a meeting is online.
pub const LEGACY_ONLINE_TYPE: &str = "ONL";

/// What a type code means, or the code itself for a custom type.
pub fn type_name(code: &str) -> &str {
    TYPE_CODES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, name)| name)
}

/// Whether a type code is a custom one (kept, but not in the standard list).
pub fn is_custom_type(code: &str) -> bool {
    !TYPE_CODES.iter().any(|(c, _)| *c == code)
}

/// How a programme approaches recovery. (The programmes themselves are stored, admin-edited;
/// the migration adds the common ones.)
pub const APPROACHES: &[Term] = &[
    ("twelve-step", "12-step fellowship"),
    ("science-based", "Science-based self-help"),
    ("buddhist", "Buddhist-inspired"),
    ("secular", "Secular"),
    ("faith-based", "Faith-based"),
    ("other", "Other"),
];

/// Values and approach tags a group can carry.
pub const VALUE_TAGS: &[Term] = &[
    ("spiritual", "Spiritual"),
    ("secular", "Secular"),
    ("science-based", "Science-based"),
    ("faith-based", "Faith-based"),
    ("harm-reduction", "Harm-reduction friendly"),
    (
        "mat-friendly",
        "Welcomes people on medication-assisted treatment",
    ),
    ("mindfulness", "Mindfulness"),
];

/// Typical sizes.
pub const SIZES: &[Term] = &[
    ("small", "Small (under 10)"),
    ("medium", "Medium (10 to 30)"),
    ("large", "Large (over 30)"),
];

/// How a meeting is run.
pub const STRUCTURES: &[Term] = &[
    ("topics", "Set topics"),
    ("sharing", "Open sharing"),
    ("speaker", "Speaker"),
    ("study", "Step or literature study"),
    ("skills", "Skills and CBT tools"),
    ("meditation", "Meditation"),
    ("mixed", "Mixed"),
];

/// Who runs it.
pub const FACILITATION: &[Term] = &[
    ("peer", "Peer-led"),
    ("professional", "Professionally facilitated"),
];

/// Who it is for.
pub const AUDIENCES: &[Term] = &[
    ("newcomers", "Newcomers welcome"),
    ("women", "Women"),
    ("men", "Men"),
    ("young", "Young people"),
    ("lgbtq", "LGBTQ+"),
    ("family", "Family and friends"),
    ("seniors", "Seniors"),
];

/// Accessibility features.
pub const ACCESSIBILITY: &[Term] = &[
    ("wheelchair", "Wheelchair access"),
    ("accessible-bathroom", "Wheelchair-accessible bathroom"),
    ("sign-language", "Sign language"),
    ("hearing-loop", "Hearing loop"),
    ("fragrance-free", "Fragrance free"),
    ("childcare", "Childcare available"),
];

/// How people attend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    InPerson,
    Online,
    Hybrid,
    Phone,
}

impl Mode {
    pub const ALL: [Mode; 4] = [Mode::InPerson, Mode::Online, Mode::Hybrid, Mode::Phone];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::InPerson => "in_person",
            Mode::Online => "online",
            Mode::Hybrid => "hybrid",
            Mode::Phone => "phone",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Mode::InPerson => "In person",
            Mode::Online => "Online",
            Mode::Hybrid => "Hybrid (in person and online)",
            Mode::Phone => "By phone",
        }
    }

    pub fn parse(text: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.as_str() == text.trim())
    }

    /// Whether someone can join without travelling.
    pub fn remote(self) -> bool {
        !matches!(self, Mode::InPerson)
    }

    /// Whether there is a room to go to.
    pub fn in_person(self) -> bool {
        matches!(self, Mode::InPerson | Mode::Hybrid)
    }
}

/// The words for `code` in `terms`, or the code itself.
pub fn label<'a>(terms: &[Term], code: &'a str) -> &'a str {
    terms
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, name)| name)
}

/// Splits a stored comma-separated list.
pub fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// Checks that every code of a submitted list is one of `terms`, and joins them for storage.
pub fn checked_list(terms: &[Term], codes: &[&str], what: &str) -> Result<String, String> {
    let mut kept: Vec<&str> = Vec::new();
    for code in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        if !terms.iter().any(|(c, _)| *c == code) {
            let known: Vec<&str> = terms.iter().map(|(c, _)| *c).collect();
            return Err(format!(
                "{what} \"{}\" is not one we know. Choose from: {}.",
                code.chars().take(40).collect::<String>(),
                known.join(", ")
            ));
        }
        if !kept.contains(&code) {
            kept.push(code);
        }
    }
    Ok(kept.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_codes_are_unique_and_custom_codes_are_recognised() {
        let mut codes: Vec<&str> = TYPE_CODES.iter().map(|(c, _)| *c).collect();
        let before = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), before);
        assert!(
            before <= 128,
            "the search keeps standard codes as bits of a u128"
        );
        assert_eq!(type_name("12x12"), "12 Steps & 12 Traditions");
        assert!(is_custom_type("QUIET"));
        assert_eq!(type_name("QUIET"), "QUIET");
    }

    #[test]
    fn submitted_lists_are_checked_and_deduplicated() {
        assert_eq!(
            checked_list(SIZES, &["small", " small", ""], "Size").unwrap(),
            "small"
        );
        assert!(
            checked_list(SIZES, &["huge"], "Size")
                .unwrap_err()
                .contains("small")
        );
    }
}
