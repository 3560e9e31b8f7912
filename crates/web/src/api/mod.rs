//! The JSON API under `/api/v1`, described by the OpenAPI document it serves.

pub mod accounts;
pub mod community;
pub mod meetings;
pub mod mentors;
pub mod openapi;
pub mod people;
pub mod recovery;
pub mod standing;
