//! People: the rules of private messages (who may write to whom, how long a message may be),
//! accountability circles (how many, what each member shares) and the Reach out alert.

pub mod circles;
pub mod mentors;
pub mod messages;
pub mod reach_out;
