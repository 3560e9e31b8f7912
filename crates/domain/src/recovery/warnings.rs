//! Warning signs: plain rules over a member's own check-ins, shown to them with what each rule
//! is, so nothing is a black box. The thresholds are settings.

use super::weekly::WeeklyScores;
use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The thresholds the rules use; admins can change them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// Craving at or above this level…
    pub craving_level: u8,
    /// …on this many days running.
    pub craving_days: u8,
    /// Sleep under this many hours…
    pub short_sleep_hours: f64,
    /// …on this many nights running.
    pub short_sleep_nights: u8,
    /// Mood over the last 3 check-ins this far below the member's own 14-day average.
    pub mood_drop: f64,
    /// No check-in for this many days…
    pub quiet_days: u8,
    /// …after this many daily check-ins in a row.
    pub quiet_after_run: u8,
    /// Weekly risk score up and protective score down, each by at least this much.
    pub weekly_change: u8,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            craving_level: 7,
            craving_days: 3,
            short_sleep_hours: 5.0,
            short_sleep_nights: 3,
            mood_drop: 1.0,
            quiet_days: 3,
            quiet_after_run: 5,
            weekly_change: 3,
        }
    }
}

/// A warning-sign rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    HighCravings,
    ShortSleep,
    MoodFalling,
    WentQuiet,
    RiskRising,
}

impl Rule {
    pub const ALL: [Rule; 5] = [
        Rule::HighCravings,
        Rule::ShortSleep,
        Rule::MoodFalling,
        Rule::WentQuiet,
        Rule::RiskRising,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Rule::HighCravings => "high_cravings",
            Rule::ShortSleep => "short_sleep",
            Rule::MoodFalling => "mood_falling",
            Rule::WentQuiet => "went_quiet",
            Rule::RiskRising => "risk_rising",
        }
    }

    pub fn parse(code: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|rule| rule.code() == code)
    }

    /// A short title.
    pub fn title(self) -> &'static str {
        match self {
            Rule::HighCravings => "Strong cravings for several days",
            Rule::ShortSleep => "Short sleep for several nights",
            Rule::MoodFalling => "Your mood has dropped",
            Rule::WentQuiet => "You've gone quiet",
            Rule::RiskRising => "More pressure, less support this week",
        }
    }

    /// The sign as the member's circle and mentor read it: about them, in the third person, and
    /// in lower case to sit inside a sentence ("ada may be having a harder time (their mood has
    /// dropped)").
    pub fn about_them(self) -> &'static str {
        match self {
            Rule::HighCravings => "strong cravings for several days",
            Rule::ShortSleep => "short sleep for several nights",
            Rule::MoodFalling => "their mood has dropped",
            Rule::WentQuiet => "they have gone quiet",
            Rule::RiskRising => "more pressure, less support this week",
        }
    }

    /// What those told of a recorded sign read: [`about_them`](Self::about_them) for the rule
    /// coded `code`, else (a rule no longer known) the words recorded with it.
    pub fn told_of<'a>(code: &str, recorded: &'a str) -> &'a str {
        Rule::parse(code).map_or(recorded, |rule| rule.about_them())
    }

    /// The rule itself, in plain words, with the thresholds in force.
    pub fn explain(self, t: &Thresholds) -> String {
        match self {
            Rule::HighCravings => format!(
                "Cravings at {} or more out of 10 on {} days in a row.",
                t.craving_level, t.craving_days
            ),
            Rule::ShortSleep => format!(
                "Less than {} hours of sleep on {} nights in a row.",
                t.short_sleep_hours, t.short_sleep_nights
            ),
            Rule::MoodFalling => format!(
                "Your mood over your last 3 check-ins is {} or more points below your own average of the 14 days before.",
                t.mood_drop
            ),
            Rule::WentQuiet => format!(
                "No check-in for {} days, after {} or more daily check-ins in a row.",
                t.quiet_days, t.quiet_after_run
            ),
            Rule::RiskRising => format!(
                "In your weekly check-in, the risk score rose by {0} or more while the protective score fell by {0} or more.",
                t.weekly_change
            ),
        }
    }
}

/// Concrete next steps shown with any warning sign.
pub const NEXT_STEPS: [&str; 4] = [
    "Go to a meeting today, in person or online.",
    "Message your mentor or someone in your circle, even just to say it's a hard week.",
    "Use the skills that have helped before: call someone, move, eat, rest.",
    "If you feel unsafe, the crisis lines on \"Need help now?\" are there day and night.",
];

/// One day's numbers, for the rules.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DayPoint {
    pub day: Date,
    pub mood: u8,
    pub craving: u8,
    pub sleep_hours: f64,
}

fn run_ending(
    points: &[DayPoint],
    end: Date,
    length: u8,
    test: impl Fn(&DayPoint) -> bool,
) -> bool {
    (0..i64::from(length)).all(|back| {
        end.checked_sub(back.days())
            .ok()
            .and_then(|day| points.iter().find(|p| p.day == day))
            .is_some_and(&test)
    })
}

/// The rules that fire on `today`, given the member's daily points (any order) and weekly
/// scores (oldest first).
pub fn evaluate(
    points: &[DayPoint],
    weekly: &[WeeklyScores],
    today: Date,
    t: &Thresholds,
) -> Vec<Rule> {
    let mut fired = Vec::new();
    let latest = points.iter().map(|p| p.day).max();
    // A run counts when it ends today, or yesterday while today is still open.
    let recent_end = latest.filter(|day| *day == today || today.yesterday().ok() == Some(*day));
    if let Some(end) = recent_end {
        if t.craving_days > 0
            && run_ending(points, end, t.craving_days, |p| {
                p.craving >= t.craving_level
            })
        {
            fired.push(Rule::HighCravings);
        }
        if t.short_sleep_nights > 0
            && run_ending(points, end, t.short_sleep_nights, |p| {
                p.sleep_hours < t.short_sleep_hours
            })
        {
            fired.push(Rule::ShortSleep);
        }
        let mut sorted: Vec<&DayPoint> = points.iter().filter(|p| p.day <= end).collect();
        sorted.sort_by_key(|p| std::cmp::Reverse(p.day));
        let last_three: Vec<&DayPoint> = sorted.iter().take(3).copied().collect();
        if let (Some(oldest_recent), true) = (last_three.last(), last_three.len() == 3) {
            let window_start = oldest_recent.day.checked_sub(14.days()).ok();
            let baseline: Vec<f64> = sorted
                .iter()
                .skip(3)
                .filter(|p| window_start.is_some_and(|start| p.day >= start))
                .map(|p| f64::from(p.mood))
                .collect();
            if baseline.len() >= 7 {
                let average = baseline.iter().sum::<f64>() / baseline.len() as f64;
                let recent = last_three.iter().map(|p| f64::from(p.mood)).sum::<f64>() / 3.0;
                if average - recent >= t.mood_drop {
                    fired.push(Rule::MoodFalling);
                }
            }
        }
    }
    if let Some(last) = latest
        && let Ok(quiet_since) = today.checked_sub(i64::from(t.quiet_days).days())
        && last <= quiet_since
        && t.quiet_after_run > 0
        && run_ending(points, last, t.quiet_after_run, |_| true)
    {
        fired.push(Rule::WentQuiet);
    }
    if let [.., before, latest] = weekly
        && latest.risk >= before.risk.saturating_add(t.weekly_change)
        && latest.protective.saturating_add(t.weekly_change) <= before.protective
    {
        fired.push(Rule::RiskRising);
    }
    fired
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_told_to_others_are_about_them_not_addressed_to_them() {
        for rule in Rule::ALL {
            let told = rule.about_them();
            let addressed = told.split(|c: char| !c.is_alphabetic()).any(|word| {
                word.eq_ignore_ascii_case("you") || word.to_lowercase().starts_with("your")
            });
            assert!(!addressed, "{told}");
            assert_ne!(told, rule.title(), "{told}");
        }
    }

    fn day(d: i8) -> Date {
        Date::new(2026, 11, d).unwrap()
    }

    fn point(d: i8, mood: u8, craving: u8, sleep_hours: f64) -> DayPoint {
        DayPoint {
            day: day(d),
            mood,
            craving,
            sleep_hours,
        }
    }

    fn steady(from: i8, to: i8) -> Vec<DayPoint> {
        (from..=to).map(|d| point(d, 4, 2, 7.5)).collect()
    }

    fn fired(points: &[DayPoint], today: i8) -> Vec<Rule> {
        evaluate(points, &[], day(today), &Thresholds::default())
    }

    #[test]
    fn steady_days_raise_nothing() {
        assert!(fired(&steady(1, 21), 21).is_empty());
    }

    #[test]
    fn three_days_of_strong_cravings_fire_and_two_do_not() {
        let mut points = steady(1, 18);
        points.extend([
            point(19, 4, 8, 7.0),
            point(20, 4, 7, 7.0),
            point(21, 4, 9, 7.0),
        ]);
        assert_eq!(fired(&points, 21), [Rule::HighCravings]);
        assert_eq!(
            fired(&points, 22),
            [Rule::HighCravings],
            "still shown while today is open"
        );
        assert!(fired(&points[..points.len() - 1], 20).is_empty());
        let gap = [
            point(18, 4, 8, 7.0),
            point(20, 4, 8, 7.0),
            point(21, 4, 8, 7.0),
        ];
        assert!(
            !fired(&gap, 21).contains(&Rule::HighCravings),
            "the days must run without a gap"
        );
    }

    #[test]
    fn three_short_nights_fire() {
        let mut points = steady(1, 18);
        points.extend([
            point(19, 4, 2, 4.5),
            point(20, 4, 2, 4.0),
            point(21, 4, 2, 3.0),
        ]);
        assert_eq!(fired(&points, 21), [Rule::ShortSleep]);
        points[20].sleep_hours = 5.0;
        assert!(fired(&points, 21).is_empty(), "5 hours is not under 5");
    }

    #[test]
    fn mood_falling_against_the_members_own_average_fires() {
        let mut points = steady(1, 18);
        points.extend([
            point(19, 3, 2, 7.0),
            point(20, 3, 2, 7.0),
            point(21, 2, 2, 7.0),
        ]);
        assert_eq!(fired(&points, 21), [Rule::MoodFalling]);
        let mut few = steady(15, 18);
        few.extend([
            point(19, 1, 2, 7.0),
            point(20, 1, 2, 7.0),
            point(21, 1, 2, 7.0),
        ]);
        assert!(
            fired(&few, 21).is_empty(),
            "not enough history to compare with"
        );
    }

    #[test]
    fn going_quiet_after_a_run_of_daily_check_ins_fires() {
        let points = steady(10, 16);
        assert!(fired(&points, 18).is_empty());
        assert_eq!(fired(&points, 19), [Rule::WentQuiet]);
        let sparse = [
            point(10, 4, 2, 7.0),
            point(13, 4, 2, 7.0),
            point(16, 4, 2, 7.0),
        ];
        assert!(
            fired(&sparse, 19).is_empty(),
            "no run of daily check-ins before"
        );
    }

    #[test]
    fn weekly_risk_up_and_protection_down_fires() {
        let before = WeeklyScores {
            use_days: 0,
            risk: 6,
            protective: 18,
        };
        let worse = WeeklyScores {
            use_days: 0,
            risk: 9,
            protective: 15,
        };
        let t = Thresholds::default();
        assert_eq!(
            evaluate(&[], &[before, worse], day(21), &t),
            [Rule::RiskRising]
        );
        let only_risk = WeeklyScores {
            use_days: 0,
            risk: 9,
            protective: 17,
        };
        assert!(evaluate(&[], &[before, only_risk], day(21), &t).is_empty());
    }

    #[test]
    fn every_rule_explains_itself_with_the_thresholds_in_force() {
        let t = Thresholds {
            craving_level: 8,
            ..Thresholds::default()
        };
        assert!(Rule::HighCravings.explain(&t).contains("8 or more"));
        for rule in Rule::ALL {
            assert_eq!(Rule::parse(rule.code()), Some(rule));
            assert!(!rule.explain(&t).is_empty());
        }
    }
}
