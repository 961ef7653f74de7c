//! `ApiError`: how library errors become HTTP responses. User mistakes are 4xx with a JSON body saying
//! what to fix; internal failures are a 500 with a generic message and the detail in the log.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::error::{Error, UserError};

#[derive(Debug)]
pub struct ApiError(pub Error);

impl<E: Into<Error>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

pub fn body(code: &str, message: &str) -> Json<serde_json::Value> {
    Json(json!({ "error": { "code": code, "message": message } }))
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self.0 {
            Error::User(user) => {
                let status = match user {
                    UserError::UnknownDocument(_) | UserError::NotFound(_) => StatusCode::NOT_FOUND,
                    UserError::Conflict(_) => StatusCode::CONFLICT,
                    UserError::WritesDisabled => StatusCode::FORBIDDEN,
                    UserError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
                    UserError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
                    _ => StatusCode::BAD_REQUEST,
                };
                (status, body(user.code(), &user.to_string())).into_response()
            }
            Error::DiskFull => (
                StatusCode::INSUFFICIENT_STORAGE,
                body("disk_full", &self.0.to_string()),
            )
                .into_response(),
            other => {
                tracing::error!(error = %other, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    body("internal", "internal error, see the server log"),
                )
                    .into_response()
            }
        }
    }
}
