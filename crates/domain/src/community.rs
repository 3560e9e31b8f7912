//! The community's pure rules (the first slice of the community feature: forums, moderation and
//! notifications build on them): posts' Markdown as safe HTML, phrase finding with the crisis
//! lists, watched words with their actions, and trust levels with what each allows.

pub mod markdown;
pub mod phrases;
pub mod trust;
pub mod watched;
