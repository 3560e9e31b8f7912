//! What a member types into the community search, read safely: words, "quoted phrases" and
//! `prefix*` terms, every other character (operators, stray quotes, emoji) treated as a space, so
//! no text can become query syntax in either database's full-text engine.

/// One term of a search: a word, or a phrase of words in order; `prefix` when its last word
/// may be the start of a longer one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    pub words: Vec<String>,
    pub prefix: bool,
}

/// A search, all of whose terms must match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchQuery {
    pub terms: Vec<Term>,
}

/// The most terms one search uses (the rest are ignored).
pub const MAX_TERMS: usize = 12;
const MAX_WORD_CHARS: usize = 64;

fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.chars()
                .take(MAX_WORD_CHARS)
                .collect::<String>()
                .to_lowercase()
        })
        .collect()
}

/// Reads a search; `None` when it holds no word to look for.
pub fn parse_query(input: &str) -> Option<SearchQuery> {
    let mut terms = Vec::new();
    // Even pieces are outside quotes, odd ones inside (an unclosed quote runs to the end).
    for (index, piece) in input.split('"').enumerate() {
        if index % 2 == 1 {
            let words = words_of(piece);
            if !words.is_empty() {
                terms.push(Term {
                    words,
                    prefix: false,
                });
            }
            continue;
        }
        for token in piece.split_whitespace() {
            let prefix = token.ends_with('*');
            let words = words_of(token);
            if !words.is_empty() {
                terms.push(Term { words, prefix });
            }
        }
    }
    terms.truncate(MAX_TERMS);
    (!terms.is_empty()).then_some(SearchQuery { terms })
}

impl SearchQuery {
    /// The query in SQLite FTS5's syntax: each term a quoted string (words hold only letters and
    /// digits, so nothing inside can close the quote), `*` after prefix terms.
    pub fn to_fts5(&self) -> String {
        self.terms
            .iter()
            .map(|term| {
                let star = if term.prefix { "*" } else { "" };
                format!("\"{}\"{star}", term.words.join(" "))
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The query in PostgreSQL's `to_tsquery` syntax: phrases joined by `<->`, `:*` for
    /// prefixes, terms joined by `&`.
    pub fn to_tsquery(&self) -> String {
        self.terms
            .iter()
            .map(|term| {
                let mut words: Vec<String> = term.words.clone();
                if term.prefix
                    && let Some(last) = words.last_mut()
                {
                    last.push_str(":*");
                }
                format!("({})", words.join(" <-> "))
            })
            .collect::<Vec<_>>()
            .join(" & ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(words: &[&str], prefix: bool) -> Term {
        Term {
            words: words.iter().map(|w| w.to_string()).collect(),
            prefix,
        }
    }

    #[test]
    fn words_phrases_and_prefixes_are_read() {
        let query = parse_query(r#"Sponsor "first step" medit*"#).unwrap();
        assert_eq!(
            query.terms,
            [
                term(&["sponsor"], false),
                term(&["first", "step"], false),
                term(&["medit"], true)
            ]
        );
        assert_eq!(query.to_fts5(), r#""sponsor" "first step" "medit"*"#);
        assert_eq!(
            query.to_tsquery(),
            "(sponsor) & (first <-> step) & (medit:*)"
        );
    }

    #[test]
    fn operators_quotes_and_emoji_never_become_syntax() {
        for input in [
            r#"""" AND OR NOT ( ) ^ : * - + NEAR(a b) "unclosed"#,
            "🌱🌱 can't-stop!!! {col}:x \\ ' ; -- DROP TABLE posts",
            "a OR b",
        ] {
            let query = parse_query(input).unwrap();
            for term in &query.terms {
                for word in &term.words {
                    assert!(
                        word.chars().all(char::is_alphanumeric),
                        "{word:?} from {input:?}"
                    );
                }
            }
            assert!(!query.to_fts5().contains("\"\""), "{}", query.to_fts5());
        }
        assert_eq!(
            parse_query("can't").unwrap().terms,
            [term(&["can", "t"], false)]
        );
        assert!(parse_query(" \"\" 🌱 *** ").is_none());
        assert_eq!(
            parse_query(&"word ".repeat(50)).unwrap().terms.len(),
            MAX_TERMS
        );
    }

    #[test]
    fn letters_of_any_script_are_words() {
        let query = parse_query("recaída ÁNIMO 回复").unwrap();
        assert_eq!(
            query.terms,
            [
                term(&["recaída"], false),
                term(&["ánimo"], false),
                term(&["回复"], false)
            ]
        );
    }
}
