use telesund_core::{DomainError, ErrorCode};

/// A storage failure. Domain failures carry their stable code; everything else is an
/// internal error whose cause is logged and never shown to a user.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("{0}")]
    Internal(String),
}

impl DbError {
    pub fn code(&self) -> ErrorCode {
        match self {
            DbError::Domain(d) => d.code,
            DbError::Sql(sqlx::Error::PoolTimedOut) => ErrorCode::Unavailable,
            _ => ErrorCode::Internal,
        }
    }
    pub fn not_found(what: &str) -> Self {
        DbError::Domain(DomainError::not_found(what))
    }
    pub fn forbidden(reason: &str) -> Self {
        DbError::Domain(DomainError::forbidden(reason))
    }
    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        DbError::Domain(DomainError::new(code, message))
    }
    /// The message safe to show to a client.
    pub fn public_message(&self) -> String {
        match self {
            DbError::Domain(d) => d.message.clone(),
            _ => "internal error".to_string(),
        }
    }
}

/// Whether an error is a unique-constraint violation (both backends).
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => d.is_unique_violation(),
        _ => false,
    }
}

pub type Result<T> = std::result::Result<T, DbError>;
