//! The weekly check-in, modelled on the three domains of the Brief Addiction Monitor (BAM):
//! use, risk factors and protective factors. The questions are our own words, not the BAM's,
//! and the scores are for the member's own reflection, not a clinical measure.

use serde::{Deserialize, Serialize};

/// How the weekly check-in is labelled to members.
pub const INSTRUMENT_NOTE: &str = "Modelled on the three domains of the Brief Addiction Monitor \
     (BAM), developed for the US Department of Veterans Affairs. The questions here are our own \
     words, and the scores are for your own reflection: they are not the BAM and not a clinical \
     assessment.";

/// A question answered from 0 (not at all) to 4 (extremely / every day).
pub struct Question {
    pub key: &'static str,
    pub text: &'static str,
}

/// Risk factors: higher is harder.
pub const RISK_QUESTIONS: [Question; 6] = [
    Question {
        key: "sleep",
        text: "How much did trouble sleeping get in your way?",
    },
    Question {
        key: "mood",
        text: "How much did you feel down, anxious or on edge?",
    },
    Question {
        key: "cravings",
        text: "How strong were your cravings or urges to use?",
    },
    Question {
        key: "risky_situations",
        text: "How often were you in situations or with people that put your recovery at risk?",
    },
    Question {
        key: "relationships",
        text: "How much did problems with family, friends or others weigh on you?",
    },
    Question {
        key: "health",
        text: "How much did physical health problems bother you?",
    },
];

/// Protective factors: higher is more support.
pub const PROTECTIVE_QUESTIONS: [Question; 6] = [
    Question {
        key: "confidence",
        text: "How confident are you that you can stay sober or clean this coming week?",
    },
    Question {
        key: "self_help",
        text: "How much did meetings or other self-help groups support you?",
    },
    Question {
        key: "spiritual",
        text: "How much did spiritual, religious or other sources of meaning support you?",
    },
    Question {
        key: "purpose",
        text: "How satisfied were you with work, study, volunteering or caring for others?",
    },
    Question {
        key: "income",
        text: "How well did your money cover what you needed?",
    },
    Question {
        key: "sober_support",
        text: "How much could you count on people who support your recovery?",
    },
];

/// One week's answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyAnswers {
    /// Days in the past week with any alcohol or drug use (0–7).
    pub days_used: u8,
    /// Answers to [`RISK_QUESTIONS`], each 0–4.
    pub risk: [u8; 6],
    /// Answers to [`PROTECTIVE_QUESTIONS`], each 0–4.
    pub protective: [u8; 6],
}

/// The three domain scores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct WeeklyScores {
    /// Days of use, 0–7.
    pub use_days: u8,
    /// Sum of risk answers, 0–24.
    pub risk: u8,
    /// Sum of protective answers, 0–24.
    pub protective: u8,
}

impl WeeklyAnswers {
    pub fn scores(&self) -> WeeklyScores {
        WeeklyScores {
            use_days: self.days_used,
            risk: self.risk.iter().sum(),
            protective: self.protective.iter().sum(),
        }
    }
}

/// Parses answers given as text by question key ("days_used", "risk_sleep", "protective_income"),
/// collecting a message per field that needs fixing.
pub fn parse_weekly(get: impl Fn(&str) -> String) -> Result<WeeklyAnswers, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let days_used = get("days_used")
        .trim()
        .parse::<u8>()
        .ok()
        .filter(|d| *d <= 7);
    if days_used.is_none() {
        errors.push((
            "days_used".to_owned(),
            "Enter a number of days from 0 to 7.".to_owned(),
        ));
    }
    let mut answer = |prefix: &str, question: &Question| {
        let field = format!("{prefix}_{}", question.key);
        match get(&field).trim().parse::<u8>().ok().filter(|a| *a <= 4) {
            Some(value) => value,
            None => {
                errors.push((field, "Choose an answer from 0 to 4.".to_owned()));
                0
            }
        }
    };
    let risk = RISK_QUESTIONS.each_ref().map(|q| answer("risk", q));
    let protective = PROTECTIVE_QUESTIONS
        .each_ref()
        .map(|q| answer("protective", q));
    match days_used {
        Some(days_used) if errors.is_empty() => Ok(WeeklyAnswers {
            days_used,
            risk,
            protective,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_scores_add_up_each_domain() {
        let answers = WeeklyAnswers {
            days_used: 2,
            risk: [1, 2, 3, 4, 0, 1],
            protective: [4, 4, 0, 2, 3, 4],
        };
        assert_eq!(
            answers.scores(),
            WeeklyScores {
                use_days: 2,
                risk: 11,
                protective: 17
            }
        );
    }

    #[test]
    fn answers_out_of_range_or_missing_are_each_reported() {
        let errors = parse_weekly(|field| match field {
            "days_used" => "8".into(),
            "risk_sleep" => "5".into(),
            "protective_income" => "".into(),
            _ => "2".into(),
        })
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["days_used", "risk_sleep", "protective_income"]);
        let ok = parse_weekly(|field| {
            if field == "days_used" {
                "0".into()
            } else {
                "3".into()
            }
        })
        .unwrap();
        assert_eq!(ok.scores().risk, 18);
    }
}
