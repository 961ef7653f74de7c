//! Error types of the library: user mistakes (bad config, bad document, bad request) kept apart from
//! internal failures (index, I/O, dictionary).

use std::path::PathBuf;

/// A problem with settings: always the user's to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config: {0}")]
    Invalid(String),
}

/// A document that cannot be indexed, or a bad optional field left out of one, with where it came
/// from.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
#[error("{file}:{line}: {message}")]
pub struct BadDocument {
    pub file: String,
    /// 1-based line number; 0 when the whole file is at fault.
    pub line: usize,
    pub message: String,
    /// The document was indexed without the bad field (nothing valid is lost for a bad optional
    /// field); `false` means the document was skipped.
    pub kept: bool,
}

/// A request the user can fix.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum UserError {
    #[error("missing query: pass q=")]
    EmptyQuery,
    #[error("query is longer than {max} characters")]
    QueryTooLong { max: usize },
    #[error("{name} must be a non-negative integer, got {value:?}")]
    BadNumber { name: &'static str, value: String },
    #[error("{name} is too large: at most {max}")]
    TooLarge { name: &'static str, max: usize },
    #[error("{0}")]
    BadParameter(String),
    #[error("no document with id {0:?}")]
    UnknownDocument(String),
    #[error(
        "writes are disabled: set an API key (server.api_keys in config.toml, or CHAJA_API_KEY) \
         and send it as `Authorization: Bearer <key>`"
    )]
    WritesDisabled,
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    BadPayload(String),
    /// Something named in the path that is not there (an index, a task).
    #[error("{0}")]
    NotFound(String),
    /// The request clashes with what is there (an index that exists, a task that runs).
    #[error("{0}")]
    Conflict(String),
}

impl UserError {
    /// Stable machine-readable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            UserError::EmptyQuery => "empty_query",
            UserError::QueryTooLong { .. } => "query_too_long",
            UserError::BadNumber { .. } | UserError::TooLarge { .. } => "bad_parameter",
            UserError::BadParameter(_) => "bad_parameter",
            UserError::UnknownDocument(_) => "not_found",
            UserError::WritesDisabled => "writes_disabled",
            UserError::Unauthorized(_) => "unauthorized",
            UserError::PayloadTooLarge(_) => "too_large",
            UserError::BadPayload(_) => "bad_payload",
            UserError::NotFound(_) => "not_found",
            UserError::Conflict(_) => "conflict",
        }
    }
}

/// Failures that are not the user's doing.
#[derive(Debug, thiserror::Error)]
pub enum InternalError {
    #[error("index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("index directory: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("korean dictionary: {0}")]
    Dictionary(String),
    #[error("search task failed: {0}")]
    Task(String),
    #[error("search threads: {0}")]
    Threads(String),
}

/// Any failure of the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    User(#[from] UserError),
    #[error(transparent)]
    Internal(#[from] InternalError),
    #[error("{0}")]
    Input(String),
    #[error("the disk under the index is full: writes are refused until there is room again")]
    DiskFull,
}

impl Error {
    /// Whether this failure comes from a full disk (or quota), however deep the I/O error lies.
    pub fn is_disk_full(&self) -> bool {
        if matches!(self, Error::DiskFull) {
            return true;
        }
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(self);
        while let Some(error) = source {
            if let Some(io) = error.downcast_ref::<std::io::Error>() {
                if matches!(io.raw_os_error(), Some(28 | 122)) {
                    return true;
                }
            }
            source = error.source();
        }
        // tantivy folds some I/O errors into strings.
        self.to_string().contains("No space left on device")
    }
}

impl From<tantivy::TantivyError> for Error {
    fn from(e: tantivy::TantivyError) -> Self {
        Error::Internal(e.into())
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Internal(e.into())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
