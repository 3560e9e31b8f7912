//! Free text a member writes (messages, notes, reasons, names): trimmed, not empty, within a
//! length, and storable.

use crate::community::posts::PostProblem;

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
