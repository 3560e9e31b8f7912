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
/// How many of the newest matches relevance ranking reads and scores: it bounds the work for
/// the commonest words (a word in every post costs what a rare one does), at the price of
/// ranking only within the most recent matches.
pub const RANKED_CANDIDATES: usize = 150;
/// How much more a match in a thread's title counts than one in a post's body.
const TITLE_WEIGHT: f64 = 3.0;
/// BM25's term-frequency saturation and length normalisation.
const K1: f64 = 1.2;
const B: f64 = 0.75;
const MAX_WORD_CHARS: usize = 64;

fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| match w.char_indices().nth(MAX_WORD_CHARS) {
            Some((end, _)) => w[..end].to_lowercase(),
            None if w.is_ascii() => w.to_ascii_lowercase(),
            None => w.to_lowercase(),
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

/// How often `term` occurs in `tokens` (a phrase counts where its words follow each other; a
/// prefix term's last word matches the start of a word).
fn occurrences(term: &Term, tokens: &[String]) -> usize {
    let n = term.words.len();
    if n == 0 || tokens.len() < n {
        return 0;
    }
    tokens
        .windows(n)
        .filter(|window| {
            window
                .iter()
                .zip(&term.words)
                .enumerate()
                .all(|(i, (token, word))| {
                    if term.prefix && i == n - 1 {
                        token.starts_with(word.as_str())
                    } else {
                        token == word
                    }
                })
        })
        .count()
}

impl SearchQuery {
    /// Relevance scores for matching documents (a thread title and a post body each), higher
    /// first: BM25's term-frequency saturation and length normalisation, a title match weighing
    /// [`TITLE_WEIGHT`] times a body match. Every document matched every term, so there is no
    /// inverse document frequency to tell the terms apart: each counts the same.
    pub fn rank(&self, documents: &[(&str, &str)]) -> Vec<f64> {
        let tokenized: Vec<(Vec<String>, Vec<String>)> = documents
            .iter()
            .map(|(title, body)| (words_of(title), words_of(body)))
            .collect();
        let lengths: Vec<f64> = tokenized
            .iter()
            .map(|(title, body)| TITLE_WEIGHT * title.len() as f64 + body.len() as f64)
            .collect();
        let average = (lengths.iter().sum::<f64>() / lengths.len().max(1) as f64).max(1.0);
        tokenized
            .iter()
            .zip(&lengths)
            .map(|((title, body), length)| {
                let norm = K1 * (1.0 - B + B * length / average);
                self.terms
                    .iter()
                    .map(|term| {
                        let tf = TITLE_WEIGHT * occurrences(term, title) as f64
                            + occurrences(term, body) as f64;
                        tf * (K1 + 1.0) / (tf + norm)
                    })
                    .sum()
            })
            .collect()
    }

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
    fn ranking_prefers_more_and_denser_matches_and_titles() {
        let query = parse_query("sponsor").unwrap();
        let scores = query.rank(&[
            ("Evening", "I called my sponsor today."),
            ("Evening", "Sponsor, sponsor, sponsor: three calls to my sponsor."),
            ("My sponsor", "I called today."),
            ("Evening", "I called my sponsor today and then walked for a long time by the sea with a friend and talked about everything."),
        ]);
        assert!(
            scores[1] > scores[0],
            "more matches rank higher: {scores:?}"
        );
        assert!(
            scores[2] > scores[0],
            "a title match weighs more: {scores:?}"
        );
        assert!(
            scores[0] > scores[3],
            "a denser match beats the same one in a long post: {scores:?}"
        );
        let phrase = parse_query(r#""one day" medit*"#).unwrap();
        let scores = phrase.rank(&[
            ("", "One day at a time, meditation helps."),
            ("", "Day one: one more day of meditating."),
        ]);
        assert!(
            scores[0] > scores[1],
            "only the first holds the phrase: {scores:?}"
        );
        assert!(scores[1] > 0.0, "the prefix still counts: {scores:?}");
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
