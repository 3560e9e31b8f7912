//! What a post is made of and the rules a submitted one must meet: titles, bodies and content
//! warnings within limits, the fixed set of reactions, flag reasons, space visibility, and the
//! @mentions and links a body contains.

use std::fmt;

/// The longest post body, in characters (a long share fits; a pasted book does not).
pub const MAX_BODY_CHARS: usize = 20_000;
/// The longest thread title, in characters.
pub const MAX_TITLE_CHARS: usize = 150;
/// The longest content warning, in characters.
pub const MAX_WARNING_CHARS: usize = 80;

/// Why a submitted post was refused, worded for the person who typed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostProblem {
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for PostProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn problem(field: &'static str, message: impl Into<String>) -> PostProblem {
    PostProblem {
        field,
        message: message.into(),
    }
}

/// A post body: trimmed, not empty, within [`MAX_BODY_CHARS`], no NUL characters.
pub fn parse_body(text: &str) -> Result<String, PostProblem> {
    let body = text.trim();
    if body.is_empty() {
        return Err(problem("body", "Please write something before posting."));
    }
    let chars = body.chars().count();
    if chars > MAX_BODY_CHARS {
        return Err(problem(
            "body",
            format!(
                "Posts can be up to {MAX_BODY_CHARS} characters; this one has {chars}. Please shorten it or split it into a few replies."
            ),
        ));
    }
    if body.contains('\0') {
        return Err(problem(
            "body",
            "The post holds a character that cannot be stored.",
        ));
    }
    Ok(body.to_owned())
}

/// A thread title: one line, trimmed, 3 to [`MAX_TITLE_CHARS`] characters.
pub fn parse_title(text: &str) -> Result<String, PostProblem> {
    let title: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars = title.chars().count();
    if chars < 3 {
        return Err(problem(
            "title",
            "Please give the thread a title of at least 3 characters.",
        ));
    }
    if chars > MAX_TITLE_CHARS {
        return Err(problem(
            "title",
            format!("Titles can be up to {MAX_TITLE_CHARS} characters; this one has {chars}."),
        ));
    }
    if title.chars().any(char::is_control) {
        return Err(problem(
            "title",
            "The title holds a character that cannot be stored.",
        ));
    }
    Ok(title)
}

/// A content warning (empty for none): one line, up to [`MAX_WARNING_CHARS`] characters.
pub fn parse_content_warning(text: &str) -> Result<String, PostProblem> {
    let warning: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars = warning.chars().count();
    if chars > MAX_WARNING_CHARS {
        return Err(problem(
            "content_warning",
            format!(
                "A content warning is a few words (up to {MAX_WARNING_CHARS} characters), for example \"relapse details\"."
            ),
        ));
    }
    if warning.chars().any(char::is_control) {
        return Err(problem(
            "content_warning",
            "The warning holds a character that cannot be stored.",
        ));
    }
    Ok(warning)
}

/// Content warnings offered in the composer (any other short text is accepted too).
pub const SUGGESTED_WARNINGS: &[&str] = &[
    "relapse details",
    "trauma",
    "self-harm",
    "grief",
    "substance use",
];

/// The reactions a member can give a post.
pub const REACTIONS: &[(&str, &str)] = &[
    ("support", "Sending support"),
    ("me_too", "Me too"),
    ("congrats", "Congratulations"),
    ("thanks", "Thank you"),
];

/// The reactions offered on a post, by its space's purpose (`general`, `milestones`,
/// `struggles`) and whether crisis language was found in it: all of [`REACTIONS`], but no
/// "Congratulations" in a space for struggles and slips or on a crisis post, where it would
/// read as cheering the slip or the crisis on.
pub fn reactions_for(
    space_purpose: &str,
    crisis: bool,
) -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    let celebrates = !crisis && space_purpose != "struggles";
    REACTIONS
        .iter()
        .filter(move |(code, _)| celebrates || *code != "congrats")
}

/// The reaction code `text` names, if it is one of [`REACTIONS`].
pub fn parse_reaction(text: &str) -> Option<&'static str> {
    REACTIONS
        .iter()
        .map(|(code, _)| *code)
        .find(|code| *code == text)
}

/// Why a member flags a post.
pub const FLAG_REASONS: &[(&str, &str)] = &[
    ("spam", "Spam or advertising"),
    ("harassment", "Harassment or bullying"),
    ("selling", "Selling or sourcing drugs"),
    ("unsafe_advice", "Unsafe advice"),
    ("crisis", "Someone may be in crisis"),
    ("other", "Something else"),
];

/// The flag reason code `text` names, if it is one of [`FLAG_REASONS`].
pub fn parse_flag_reason(text: &str) -> Option<&'static str> {
    FLAG_REASONS
        .iter()
        .map(|(code, _)| *code)
        .find(|code| *code == text)
}

/// The words for a flag reason code (the code itself when unknown).
pub fn flag_reason_label(code: &str) -> &str {
    FLAG_REASONS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, label)| label)
}

/// Who can see a space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    /// Every signed-in member (the default).
    Members,
    /// Only the space's own members, who join by invitation or approval.
    Private,
    /// Supporters' spaces: its own members (supporters are added by the people feature).
    Supporters,
    /// Anyone, signed in or not (read-only for visitors).
    Public,
}

impl Visibility {
    pub const ALL: [Visibility; 4] = [
        Visibility::Members,
        Visibility::Private,
        Visibility::Supporters,
        Visibility::Public,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Members => "members",
            Visibility::Private => "private",
            Visibility::Supporters => "supporters",
            Visibility::Public => "public",
        }
    }

    pub fn parse(text: &str) -> Option<Visibility> {
        Visibility::ALL.into_iter().find(|v| v.as_str() == text)
    }

    /// Words for admins choosing a visibility.
    pub fn label(self) -> &'static str {
        match self {
            Visibility::Members => "All members",
            Visibility::Private => "A private group (invitation or approval)",
            Visibility::Supporters => "Supporters' space",
            Visibility::Public => "Public (visitors can read)",
        }
    }

    /// Whether only the space's own member list may see it.
    pub fn needs_membership(self) -> bool {
        matches!(self, Visibility::Private | Visibility::Supporters)
    }
}

/// The pseudonyms a body mentions with `@name`, lower-cased, each once, in order. An `@` inside
/// a word (an e-mail address) is not a mention.
pub fn mentions(body: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut previous: Option<char> = None;
    for (at, c) in body.char_indices() {
        let starts = c == '@' && !previous.is_some_and(|p| p.is_alphanumeric() || p == '_');
        previous = Some(c);
        if !starts {
            continue;
        }
        let rest = &body[at + 1..];
        let name: &str = rest
            .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
            .next()
            .unwrap_or("");
        let name = name.trim_end_matches(['.', '-', '_']);
        if name.len() >= 3 && name.len() <= 32 {
            let lower = name.to_ascii_lowercase();
            if !found.contains(&lower) {
                found.push(lower);
            }
        }
        if found.len() >= 20 {
            break;
        }
    }
    found
}

/// Whether a body links anywhere: a Markdown link or autolink, or a bare web address.
pub fn has_link(body: &str) -> bool {
    let lower = body.to_ascii_lowercase();
    lower.contains("http://")
        || lower.contains("https://")
        || lower.contains("www.")
        || lower.contains("](")
        || lower.contains("mailto:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_trimmed_and_refused_when_empty_or_too_long() {
        assert_eq!(parse_body("  hello \n").unwrap(), "hello");
        assert_eq!(parse_body(" \n\t ").unwrap_err().field, "body");
        let long = "é".repeat(MAX_BODY_CHARS + 1);
        let refused = parse_body(&long).unwrap_err();
        assert!(refused.message.contains("20000"), "{refused}");
        assert!(
            parse_body(&"é".repeat(MAX_BODY_CHARS)).is_ok(),
            "characters, not bytes"
        );
        assert!(parse_body("a\0b").is_err());
    }

    #[test]
    fn titles_are_one_line_and_bounded() {
        assert_eq!(
            parse_title("  Ninety   days\ntoday ").unwrap(),
            "Ninety days today"
        );
        assert!(parse_title("hi").is_err());
        assert!(parse_title(&"x".repeat(151)).is_err());
        assert_eq!(
            parse_content_warning(" relapse   details ").unwrap(),
            "relapse details"
        );
        assert!(parse_content_warning(&"x".repeat(81)).is_err());
    }

    #[test]
    fn mentions_are_found_once_each_and_not_inside_email_addresses() {
        assert_eq!(
            mentions("Thanks @Sam_K and @river.stone. Also @sam_k again; mail me at a@b.org or @x"),
            ["sam_k", "river.stone"]
        );
        assert!(mentions("no mentions here").is_empty());
    }

    #[test]
    fn links_are_noticed_in_any_form() {
        assert!(has_link("see https://example.org"));
        assert!(has_link("[here](/meetings)"));
        assert!(has_link("WWW.example.org"));
        assert!(!has_link("I walked to the shop."));
    }

    #[test]
    fn congratulations_fit_only_where_there_is_something_to_celebrate() {
        let offered = |purpose, crisis| -> Vec<&str> {
            reactions_for(purpose, crisis)
                .map(|(code, _)| *code)
                .collect()
        };
        assert_eq!(
            offered("general", false),
            ["support", "me_too", "congrats", "thanks"]
        );
        assert_eq!(
            offered("milestones", false),
            ["support", "me_too", "congrats", "thanks"]
        );
        assert_eq!(offered("struggles", false), ["support", "me_too", "thanks"]);
        assert_eq!(offered("general", true), ["support", "me_too", "thanks"]);
    }

    #[test]
    fn only_known_reactions_reasons_and_visibilities_parse() {
        assert_eq!(parse_reaction("support"), Some("support"));
        assert_eq!(parse_reaction("<script>"), None);
        assert_eq!(parse_flag_reason("selling"), Some("selling"));
        assert_eq!(parse_flag_reason("SPAM"), None);
        assert_eq!(Visibility::parse("private"), Some(Visibility::Private));
        assert!(Visibility::Supporters.needs_membership());
        assert!(!Visibility::Public.needs_membership());
    }
}
