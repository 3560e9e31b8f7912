//! Mutual's domain: pure types and rules, with no I/O. Everything that crosses a
//! trust boundary is parsed into one of these types once, and trusted from then on.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod community;
pub mod id;
pub mod local;
pub mod meetings;
pub mod notifications;
pub mod people;
pub mod permissions;
pub mod recovery;
pub mod text;
pub mod time;

pub use id::{InviteId, SessionId, UserId};
pub use time::{Clock, ManualClock, SystemClock, Timestamp};
