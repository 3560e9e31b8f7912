//! Notification delivery rules: the categories members choose channels for, quiet hours, the
//! retry schedule, and what an e-mail says (in discreet mode: nothing but that there is
//! something, with no content, pseudonym or recovery word).

use crate::community::posts::PostProblem;
use jiff::civil::Time;
use std::time::Duration;

/// A family of notifications a member chooses delivery for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    ReachOut,
    Messages,
    Circles,
    Mentoring,
    Community,
    Moderation,
    Reminders,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::ReachOut,
        Category::Messages,
        Category::Circles,
        Category::Mentoring,
        Category::Community,
        Category::Moderation,
        Category::Reminders,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::ReachOut => "reach_out",
            Category::Messages => "messages",
            Category::Circles => "circles",
            Category::Mentoring => "mentoring",
            Category::Community => "community",
            Category::Moderation => "moderation",
            Category::Reminders => "reminders",
        }
    }

    /// How the settings page names it.
    pub fn label(self) -> &'static str {
        match self {
            Category::ReachOut => "Reach out alerts and replies",
            Category::Messages => "New conversations",
            Category::Circles => "Circles: invites, encouragement, nudges, milestones",
            Category::Mentoring => "Mentoring",
            Category::Community => "Community: replies, mentions, quotes, reactions",
            Category::Moderation => "Moderation and your standing",
            Category::Reminders => "Check-in reminders",
        }
    }

    /// The category of a notification kind.
    pub fn of(kind: &str) -> Category {
        match kind {
            k if k.starts_with("reach_out") => Category::ReachOut,
            "message" => Category::Messages,
            k if k.starts_with("circle") || k == "nudge" => Category::Circles,
            k if k.starts_with("mentor") => Category::Mentoring,
            "reply" | "mention" | "quote" | "reaction" | "space_joined" => Category::Community,
            "checkin_reminder" => Category::Reminders,
            _ => Category::Moderation,
        }
    }

    /// Categories named in a comma-separated list; unknown names are the error.
    pub fn parse_list<'a>(
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<Category>, String> {
        let mut found = Vec::new();
        for name in names.into_iter().map(str::trim).filter(|n| !n.is_empty()) {
            let category = Category::ALL
                .into_iter()
                .find(|c| c.as_str() == name)
                .ok_or_else(|| name.to_owned())?;
            if !found.contains(&category) {
                found.push(category);
            }
        }
        Ok(found)
    }

    /// Stored form of a list of categories.
    pub fn join(list: &[Category]) -> String {
        list.iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// What goes by e-mail at once unless the member says otherwise: only Reach out.
pub const DEFAULT_EMAIL: [Category; 1] = [Category::ReachOut];

/// Hours in which nothing is e-mailed; they may run past midnight (22:00–07:00).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuietHours {
    pub start: Time,
    pub end: Time,
}

impl QuietHours {
    /// Both times or neither ("HH:MM"); the same time twice is refused.
    pub fn parse(start: &str, end: &str) -> Result<Option<QuietHours>, PostProblem> {
        let (start, end) = (start.trim(), end.trim());
        if start.is_empty() && end.is_empty() {
            return Ok(None);
        }
        let time = |field: &'static str, text: &str| {
            crate::local::parse_time(text).map_err(|_| PostProblem {
                field,
                message: "Give a time like 22:00, or leave both empty for no quiet hours.".into(),
            })
        };
        let hours = QuietHours {
            start: time("quiet_start", start)?,
            end: time("quiet_end", end)?,
        };
        if hours.start == hours.end {
            return Err(PostProblem {
                field: "quiet_end",
                message: "Quiet hours need to end at a different time than they start.".into(),
            });
        }
        Ok(Some(hours))
    }

    /// Start and end as "HH:MM".
    pub fn text(self) -> (String, String) {
        let hhmm = |t: Time| format!("{:02}:{:02}", t.hour(), t.minute());
        (hhmm(self.start), hhmm(self.end))
    }

    /// Whether a local time falls in the quiet hours.
    pub fn contains(self, at: Time) -> bool {
        if self.start < self.end {
            self.start <= at && at < self.end
        } else {
            at >= self.start || at < self.end
        }
    }
}

/// How long to wait before trying a failed delivery again, after `attempts` failures; `None`
/// once it is time to give up (after about two days).
pub fn retry_delay(attempts: u32) -> Option<Duration> {
    const MINUTES: [u64; 8] = [1, 5, 15, 60, 180, 360, 720, 1440];
    MINUTES
        .get(attempts.saturating_sub(1) as usize)
        .map(|m| Duration::from_secs(m * 60))
}

/// An e-mail: subject and plain-text body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    pub body: String,
}

/// The e-mail for one notification. In discreet mode it says only that there is a new
/// notification, with the link to the notifications page.
pub fn notification_email(
    site: &str,
    base_url: &str,
    discreet: bool,
    body: &str,
    link: &str,
) -> Email {
    let base = base_url.trim_end_matches('/');
    if discreet {
        return discreet_email(site, base, 1);
    }
    Email {
        subject: format!("{site}: {}", first_words(body)),
        body: format!(
            "{body}\n\n{base}{link}\n\nYou can change which e-mails you get in your settings: {base}/settings/notifications\n"
        ),
    }
}

/// The daily digest of `items` (notification bodies with their links).
pub fn digest_email(
    site: &str,
    base_url: &str,
    discreet: bool,
    items: &[(String, String)],
) -> Email {
    let base = base_url.trim_end_matches('/');
    if discreet {
        return discreet_email(site, base, items.len());
    }
    let lines: Vec<String> = items
        .iter()
        .map(|(body, link)| format!("- {body}\n  {base}{link}"))
        .collect();
    Email {
        subject: format!("{site}: {} new notifications", items.len()),
        body: format!(
            "{}\n\nYou can change which e-mails you get in your settings: {base}/settings/notifications\n",
            lines.join("\n")
        ),
    }
}

fn discreet_email(site: &str, base: &str, count: usize) -> Email {
    let what = if count == 1 {
        "a new notification".to_owned()
    } else {
        format!("{count} new notifications")
    };
    Email {
        subject: format!("You have {what} on {site}"),
        body: format!("You have {what} on {site}.\n\n{base}/notifications\n"),
    }
}

/// The start of a notification for a subject line: up to 60 characters, on a word boundary.
fn first_words(body: &str) -> String {
    if body.chars().count() <= 60 {
        return body.to_owned();
    }
    let cut: String = body.chars().take(60).collect();
    match cut.rfind(' ') {
        Some(space) => format!("{}…", &cut[..space]),
        None => format!("{cut}…"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_fall_into_categories_and_lists_round_trip() {
        assert_eq!(Category::of("reach_out_response"), Category::ReachOut);
        assert_eq!(Category::of("nudge"), Category::Circles);
        assert_eq!(Category::of("mentor_request"), Category::Mentoring);
        assert_eq!(Category::of("reply"), Category::Community);
        assert_eq!(Category::of("sanction"), Category::Moderation);
        let list = Category::parse_list(["circles", "reach_out", "circles"]).unwrap();
        assert_eq!(Category::join(&list), "circles,reach_out");
        assert_eq!(Category::parse_list(["secrets"]), Err("secrets".into()));
    }

    #[test]
    fn quiet_hours_may_run_past_midnight() {
        let night = QuietHours::parse("22:00", "07:00").unwrap().unwrap();
        let at = |h, m| Time::new(h, m, 0, 0).unwrap();
        assert!(night.contains(at(23, 0)) && night.contains(at(3, 0)) && night.contains(at(22, 0)));
        assert!(!night.contains(at(7, 0)) && !night.contains(at(12, 0)));
        let lunch = QuietHours::parse("12:00", "13:00").unwrap().unwrap();
        assert!(lunch.contains(at(12, 30)) && !lunch.contains(at(13, 30)));
        assert_eq!(QuietHours::parse("", ""), Ok(None));
        assert!(
            QuietHours::parse("22:00", "").is_err() && QuietHours::parse("9", "10:00").is_err()
        );
        assert!(QuietHours::parse("08:00", "08:00").is_err());
    }

    #[test]
    fn retries_back_off_and_give_up() {
        assert_eq!(retry_delay(1), Some(Duration::from_secs(60)));
        assert!(retry_delay(4) > retry_delay(3));
        assert_eq!(retry_delay(9), None);
    }

    #[test]
    fn discreet_mail_says_nothing_but_that_there_is_something() {
        let body = "river_stone is having a hard time and would like to hear from someone";
        let open = notification_email("Harbour", "https://h.example/", false, body, "/reach-out/1");
        assert!(open.body.contains(body) && open.body.contains("https://h.example/reach-out/1"));
        let quiet = notification_email("Harbour", "https://h.example", true, body, "/reach-out/1");
        assert_eq!(quiet.subject, "You have a new notification on Harbour");
        for word in [
            "river_stone",
            "hard time",
            "reach",
            "recovery",
            "sober",
            "craving",
        ] {
            assert!(
                !quiet.subject.to_lowercase().contains(word)
                    && !quiet.body.to_lowercase().contains(word),
                "{word}"
            );
        }
        let digest = digest_email(
            "Harbour",
            "https://h.example",
            true,
            &[(body.into(), "/x".into()), ("b".into(), "/y".into())],
        );
        assert_eq!(digest.subject, "You have 2 new notifications on Harbour");
        assert!(!digest.body.contains("river_stone"));
    }
}

/// Notification texts name members and threads by reference: the stored text is a template in
/// which `{actor}` and `{thread}` stand for the member who acted and the thread it happened in,
/// rendered when read with the member's current pseudonym ("A former member" once erased) and
/// the thread's current title; every other brace is doubled.
pub mod template {
    /// What an erased (or unknown) member is shown as in a notification.
    pub const FORMER_MEMBER: &str = "A former member";
    /// What a thread that is gone is shown as.
    pub const GONE_THREAD: &str = "a thread that is gone";

    /// `text` as it reads in a template: braces doubled.
    pub fn escape(text: &str) -> String {
        text.replace('{', "{{").replace('}', "}}")
    }

    /// The template read with the actor's pseudonym and the thread's title (`None` when gone).
    pub fn render(template: &str, actor: Option<&str>, thread: Option<&str>) -> String {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(at) = rest.find(['{', '}']) {
            out.push_str(&rest[..at]);
            rest = &rest[at..];
            let (piece, len) = if rest.starts_with("{actor}") {
                (actor.unwrap_or(FORMER_MEMBER), "{actor}".len())
            } else if rest.starts_with("{thread}") {
                (thread.unwrap_or(GONE_THREAD), "{thread}".len())
            } else if rest.starts_with("{{") {
                ("{", 2)
            } else if rest.starts_with("}}") {
                ("}", 2)
            } else {
                (&rest[..1], 1)
            };
            out.push_str(piece);
            rest = &rest[len..];
        }
        out.push_str(rest);
        out
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn names_are_read_when_rendered_and_braces_in_text_stay_text() {
            let template = format!("{{actor}} replied in \"{{thread}}\"{}", escape(" {actor}?"));
            assert_eq!(
                render(&template, Some("quiet_fern"), Some("Day one")),
                "quiet_fern replied in \"Day one\" {actor}?"
            );
            assert_eq!(
                render(&template, None, None),
                "A former member replied in \"a thread that is gone\" {actor}?"
            );
        }
    }
}
