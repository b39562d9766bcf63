//! What a call to the hub can fail with: the hub's problem document, an answer that is not what
//! the API promises, or no answer at all.

use opsdesk_proto::ApiError;

/// A failed call.
#[derive(Debug, thiserror::Error)]
pub enum HubClientError {
    /// The hub answered non-2xx with a problem document.
    #[error("the hub answered {status}: {problem}")]
    Problem {
        /// The HTTP status of the answer (the document carries its own `status` too).
        status: u16,
        /// Whether the answer was sent as `application/problem+json`.
        problem_json: bool,
        problem: Box<ApiError>,
    },
    /// The hub answered non-2xx without a problem document (a proxy, another server).
    #[error("{status} without a problem document: {snippet}")]
    NotAProblem { status: u16, snippet: String },
    /// The hub answered 2xx with a body that does not decode as the route's answer; `detail`
    /// says how (`does not decode: …`, `is not UTF-8: …`).
    #[error("{status} with a body that {detail}")]
    Undecodable { status: u16, detail: String },
    /// No answer: the connection failed, timed out, or broke off.
    #[error(transparent)]
    Transport(reqwest::Error),
}

impl HubClientError {
    /// The problem document, when the hub sent one.
    pub fn problem(&self) -> Option<&ApiError> {
        match self {
            HubClientError::Problem { problem, .. } => Some(problem),
            _ => None,
        }
    }

    /// The problem document, when the hub sent one; the error itself otherwise.
    pub fn into_problem(self) -> Result<ApiError, HubClientError> {
        match self {
            HubClientError::Problem { problem, .. } => Ok(*problem),
            other => Err(other),
        }
    }
}
