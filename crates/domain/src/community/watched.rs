//! Watched words and patterns: phrases that suggest selling or sourcing drugs or harvesting
//! contact details, each with what happens to a post that contains one (held for approval,
//! flagged for moderators, or refused). Recovery talk names drugs all the time, so the defaults
//! look for the language of dealing, not for drug names.

use super::phrases::Phrases;

/// What a watched phrase does to a post.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    /// Published, and put in the moderators' queue.
    Flag,
    /// Held until a moderator approves it.
    RequireApproval,
    /// Refused, with a message saying why.
    Block,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Flag => "flag",
            Action::RequireApproval => "require_approval",
            Action::Block => "block",
        }
    }

    pub fn parse(text: &str) -> Option<Action> {
        [Action::Flag, Action::RequireApproval, Action::Block]
            .into_iter()
            .find(|a| a.as_str() == text.trim())
    }
}

/// Phrases of selling and sourcing: held for approval. (Broad words such as "selling" or "who
/// has" are left out: people share about their past and ask about meetings in those words.)
pub const SELLING: &[&str] = &[
    "for sale",
    "hit me up",
    "hmu",
    "my plug",
    "need a plug",
    "looking for a plug",
    "where to buy",
    "discreet shipping",
    "ships discreetly",
    "cash app me",
    "venmo me",
    "se vende",
    "vendo",
];

/// Phrases of moving people to private channels: flagged.
pub const CONTACT_HARVESTING: &[&str] = &[
    "dm me",
    "text me",
    "call me at",
    "add me on",
    "my number is",
    "whatsapp",
    "telegram",
    "wickr",
    "snapchat",
    "kik",
    "escríbeme",
    "mi número",
];

fn default_entries() -> impl Iterator<Item = (Action, &'static str)> {
    SELLING
        .iter()
        .map(|p| (Action::RequireApproval, *p))
        .chain(CONTACT_HARVESTING.iter().map(|p| (Action::Flag, *p)))
}

/// The defaults of a new install as the lines admins edit, one "action: phrase" per line.
pub fn default_lines() -> String {
    default_entries()
        .map(|(action, phrase)| format!("{}: {phrase}", action.as_str()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads "action: phrase" lines (empty lines are skipped); the number (from 1) of the first line
/// that names no known action or no phrase.
pub fn parse_lines(text: &str) -> Result<Vec<(Action, String)>, usize> {
    let mut entries = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let parsed = line
            .split_once(':')
            .and_then(|(action, phrase)| Some((Action::parse(action)?, phrase.trim())));
        match parsed {
            Some((action, phrase)) if !phrase.is_empty() => {
                entries.push((action, phrase.to_owned()))
            }
            _ => return Err(number + 1),
        }
    }
    Ok(entries)
}

/// The watched list in force: phrases with their actions.
#[derive(Clone, Debug)]
pub struct Watched {
    lists: Vec<(Action, Phrases)>,
}

/// What a post matched, the strongest action first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matched<'a> {
    pub action: Action,
    pub phrases: Vec<&'a str>,
}

impl Watched {
    /// A list from (action, phrase) pairs.
    pub fn new<'a>(entries: impl IntoIterator<Item = (Action, &'a str)>) -> Watched {
        let mut by_action: Vec<(Action, Vec<&str>)> = Vec::new();
        for (action, phrase) in entries {
            match by_action.iter_mut().find(|(a, _)| *a == action) {
                Some((_, phrases)) => phrases.push(phrase),
                None => by_action.push((action, vec![phrase])),
            }
        }
        by_action.sort_by_key(|(action, _)| std::cmp::Reverse(*action));
        Watched {
            lists: by_action
                .into_iter()
                .map(|(action, phrases)| (action, Phrases::new(phrases)))
                .collect(),
        }
    }

    /// The defaults of a new install.
    pub fn defaults() -> Watched {
        Watched::new(default_entries())
    }

    /// A list from the "action: phrase" lines admins edit; the number (from 1) of the first line
    /// that is not one.
    pub fn from_lines(text: &str) -> Result<Watched, usize> {
        let entries = parse_lines(text)?;
        Ok(Watched::new(entries.iter().map(|(a, p)| (*a, p.as_str()))))
    }

    /// The strongest action a text calls for, with the phrases behind it; `None` when nothing
    /// watched is in it. An e-mail address or a phone number counts as contact harvesting.
    pub fn check<'a>(&'a self, text: &str) -> Option<Matched<'a>> {
        for (action, phrases) in &self.lists {
            let found = phrases.found_in(text);
            if !found.is_empty() {
                return Some(Matched {
                    action: *action,
                    phrases: found,
                });
            }
        }
        contact_details(text).then(|| Matched {
            action: Action::Flag,
            phrases: vec!["contact details"],
        })
    }
}

/// Whether a text holds an e-mail address or a phone number (seven or more digits in a run of
/// digits, spaces, dots, dashes and brackets).
fn contact_details(text: &str) -> bool {
    let email = text.split_whitespace().any(|word| {
        let word = word.trim_matches(|c: char| !c.is_alphanumeric());
        word.split_once('@').is_some_and(|(user, host)| {
            !user.is_empty() && host.contains('.') && !host.starts_with('.') && !host.ends_with('.')
        })
    });
    let mut digits = 0;
    let mut phone = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits += 1;
            phone |= digits >= 7;
        } else if !(c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '+') {
            digits = 0;
        }
    }
    email || phone
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_lines_read_back_as_the_defaults_and_bad_lines_are_named() {
        let lines = default_lines();
        assert_eq!(
            parse_lines(&lines).unwrap().len(),
            SELLING.len() + CONTACT_HARVESTING.len()
        );
        let text = "I have pills for sale, add me on telegram";
        assert_eq!(
            Watched::from_lines(&lines).unwrap().check(text),
            Watched::defaults().check(text)
        );
        assert_eq!(parse_lines("flag: x\n\nshout: y").unwrap_err(), 3);
        assert_eq!(parse_lines("block:   ").unwrap_err(), 1);
    }

    #[test]
    fn dealing_language_is_held_and_contact_requests_flagged() {
        let watched = Watched::defaults();
        let held = watched.check("Got percs for sale, HMU").unwrap();
        assert_eq!(held.action, Action::RequireApproval);
        assert_eq!(held.phrases, ["for sale", "hmu"]);
        assert_eq!(
            watched.check("Just DM me on WhatsApp").unwrap().action,
            Action::Flag
        );
        assert_eq!(
            watched.check("call 555-010-0199 anytime").unwrap().phrases,
            ["contact details"]
        );
        assert!(watched.check("write to sam@example.org").is_some());
    }

    #[test]
    fn recovery_talk_about_drugs_is_not_watched() {
        let watched = Watched::defaults();
        for text in [
            "I was on oxy and percs for six years. Day 40 today.",
            "Meth took everything from me; NA gave some of it back.",
            "My sponsor says to call someone before the first drink.",
            "Meeting at 19:00 in room 12, 30 people came!",
            "The plugin for my phone reminds me to check in.",
            "I was selling to pay for my habit. Who has a sponsor they'd recommend?",
        ] {
            assert_eq!(watched.check(text), None, "{text}");
        }
    }

    #[test]
    fn the_strongest_action_wins() {
        let watched = Watched::new([(Action::Flag, "hello"), (Action::Block, "buy now")]);
        assert_eq!(
            watched.check("hello, buy now").unwrap().action,
            Action::Block
        );
        assert_eq!(
            Action::parse("require_approval"),
            Some(Action::RequireApproval)
        );
        assert_eq!(Action::parse("nuke"), None);
    }
}
