//! The community's pure rules: who an author is shown as, posts' Markdown as safe HTML, what a post is made of and the
//! limits it must meet, reading a search safely, phrase finding with the crisis lists, watched
//! words with their actions, trust levels with what each allows, and moderators' sanctions.

pub mod author;
pub mod markdown;
pub mod phrases;
pub mod posts;
pub mod sanctions;
pub mod search;
pub mod trust;
pub mod watched;
