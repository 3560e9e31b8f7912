//! The use-case error: what went wrong, in terms a page or the API can explain to a person.

use mutual_store::StoreError;
use std::borrow::Cow;
use std::time::Duration;

/// A problem with one submitted field, with a message for the person who typed it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: Cow<'static, str>,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<Cow<'static, str>>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Why a use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input broke a rule; each field says which and how to fix it.
    #[error("some fields need attention")]
    Invalid(Vec<FieldError>),
    /// The pseudonym and password do not match (deliberately vague).
    #[error("that pseudonym and password don't match")]
    BadCredentials,
    /// Too many attempts; try again after this long.
    #[error("too many attempts")]
    Throttled(Duration),
    /// The member did this more often than allowed: the field says why (what they wrote is kept),
    /// and they can try again after this long.
    #[error("too often")]
    TooOften(FieldError, Duration),
    /// The account exists but is waiting for an admin's approval.
    #[error("this account is waiting for approval")]
    PendingApproval,
    /// The account is suspended, with the reason staff gave.
    #[error("this account is suspended")]
    Suspended(Option<String>),
    /// The viewer may not do this.
    #[error("not allowed")]
    Forbidden(&'static str),
    /// Only signed-in members may see this (for example a directory closed to visitors).
    #[error("sign in required")]
    SignInRequired,
    /// The request clashes with what is already there (reacting twice, for example).
    #[error("conflict")]
    Conflict(&'static str),
    /// No such thing, or not one the viewer may see.
    #[error("not found")]
    NotFound,
    /// The database is unreachable.
    #[error("the database is unavailable")]
    Unavailable,
    /// An unexpected failure; details are logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// A single-field validation error.
    pub fn field(field: impl Into<Cow<'static, str>>, message: impl Into<String>) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }
}

impl From<mutual_domain::community::posts::PostProblem> for FieldError {
    fn from(problem: mutual_domain::community::posts::PostProblem) -> Self {
        FieldError::new(problem.field, problem.message)
    }
}

impl From<mutual_domain::community::posts::PostProblem> for AppError {
    fn from(problem: mutual_domain::community::posts::PostProblem) -> Self {
        AppError::Invalid(vec![problem.into()])
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Unavailable(_) => AppError::Unavailable,
            other => AppError::Internal(other.to_string()),
        }
    }
}
