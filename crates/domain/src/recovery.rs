//! The recovery journey's rules: local dates and zones, clocks and milestones, daily and weekly
//! check-ins, trends, and the warning-sign rules.

pub mod checkins;
pub mod clocks;
pub mod warnings;
pub mod weekly;
