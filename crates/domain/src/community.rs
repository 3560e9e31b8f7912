//! The community's pure rules (the first slice of the community feature: forums, moderation and
//! notifications build on them): posts' Markdown as safe HTML, and crisis language detection.

pub mod crisis;
pub mod markdown;
