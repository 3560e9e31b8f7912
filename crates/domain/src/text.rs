//! Text a person sends. One rule for every text that reaches the server (pseudonyms, titles,
//! bodies, names, notes, search terms): no control characters but newline, carriage return and
//! tab, so that no backend ever sees a NUL or an escape sequence; the web layer applies it to every
//! form field, JSON string and query parameter before a handler runs. And free text a member
//! writes (messages, notes, reasons, names): trimmed, not empty, within a length.

use crate::community::posts::PostProblem;

/// Whether `c` may appear in text a person sends: anything but a control character, except
/// newline, carriage return (browsers send `\r\n` from text areas) and tab.
pub fn is_allowed(c: char) -> bool {
    !c.is_control() || matches!(c, '\n' | '\r' | '\t')
}

/// The message for text holding a character [`is_allowed`] refuses, or `None` when it is clean.
pub fn control_character_problem(text: &str) -> Option<String> {
    let bad = text.chars().find(|c| !is_allowed(*c))?;
    Some(format!(
        "This holds an invisible control character (U+{:04X}) that cannot be stored; \
         please remove it (pasted text sometimes carries one).",
        u32::from(bad)
    ))
}

/// `text` trimmed, refused with `empty` when nothing is left, when longer than `max_chars`
/// characters, or when it holds a NUL (which no database column stores).
pub fn parse_text(
    field: &'static str,
    text: &str,
    max_chars: usize,
    empty: &str,
) -> Result<String, PostProblem> {
    let text = text.trim();
    let chars = text.chars().count();
    let message = if text.is_empty() {
        empty.to_owned()
    } else if chars > max_chars {
        format!("Keep it to {max_chars} characters; this has {chars}.")
    } else if text.contains('\0') {
        "The text holds a character that cannot be stored.".to_owned()
    } else {
        return Ok(text.to_owned());
    };
    Err(PostProblem { field, message })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_but_line_breaks_and_tabs_are_text() {
        assert_eq!(
            control_character_problem("line one\r\nline two\tend ありがとう 🌱"),
            None
        );
        for bad in ["a\0b", "\u{1b}[31m", "bell\u{7}", "del\u{7f}", "c1\u{85}"] {
            let message = control_character_problem(bad).expect(bad);
            assert!(message.contains("U+"), "{message}");
        }
        assert!(
            control_character_problem("nul\0")
                .unwrap()
                .contains("U+0000")
        );
    }

    #[test]
    fn text_is_trimmed_and_refused_when_empty_long_or_unstorable() {
        assert_eq!(
            parse_text("body", "  hi ", 10, "Say something."),
            Ok("hi".into())
        );
        assert_eq!(
            parse_text("body", "ありがとう", 5, "x"),
            Ok("ありがとう".into())
        );
        let empty = parse_text("body", " \n ", 10, "Say something.").unwrap_err();
        assert_eq!(
            (empty.field, empty.message.as_str()),
            ("body", "Say something.")
        );
        let long = parse_text("body", &"a".repeat(11), 10, "x").unwrap_err();
        assert!(
            long.message.contains("10 characters; this has 11"),
            "{}",
            long.message
        );
        assert!(parse_text("body", "a\0b", 10, "x").is_err());
    }
}
