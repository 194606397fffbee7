//! The one error type of the crate. Every failure a caller can see is a variant here;
//! `src/js/errors.rs` maps each variant to one JS class of the `CtiEdgeError` tree.
//!
//! Secrets: nothing in here may hold an API key. Messages and bodies that came from a
//! server go through [`Redactor`] before they are stored, so a server that echoes the key
//! back cannot leak it into an error.

use std::fmt;

/// Which class of HTTP failure an [`ApiError`] is. One JS subclass each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiErrorKind {
    /// 401: the key is missing, invalid, expired or revoked.
    Authentication,
    /// 403: the key is valid but lacks a permission (or the account/IP is not allowed).
    Permission,
    /// 404: unknown object, feed, collection...
    NotFound,
    /// 410: the resource existed but expired (e.g. an event search job past its TTL).
    Gone,
    /// 429: rate limited; `retry_after_ms` says for how long when the server told us.
    RateLimited,
    /// 5xx.
    Server,
    /// Any other non-success status (400, 409, 422...).
    Other,
}

impl ApiErrorKind {
    pub fn from_status(status: u16) -> Self {
        match status {
            401 => Self::Authentication,
            403 => Self::Permission,
            404 => Self::NotFound,
            410 => Self::Gone,
            429 => Self::RateLimited,
            500..=599 => Self::Server,
            _ => Self::Other,
        }
    }

    /// The JS class name this kind is thrown as.
    pub fn class_name(self) -> &'static str {
        match self {
            Self::Authentication => "AuthenticationError",
            Self::Permission => "PermissionError",
            Self::NotFound => "NotFoundError",
            Self::Gone => "GoneError",
            Self::RateLimited => "RateLimitError",
            Self::Server => "ServerError",
            Self::Other => "ApiError",
        }
    }
}

/// A non-success HTTP response, after retries (if any) were exhausted.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub kind: ApiErrorKind,
    pub status: u16,
    /// The vendor's error code (`T300`, `INTHREAT2500`...) when the body carried one.
    pub code: Option<String>,
    /// The vendor's message when the body carried one, else the HTTP reason.
    pub message: String,
    /// The raw response body (redacted, capped at [`MAX_ERROR_BODY`] bytes).
    pub body: Option<String>,
    /// Response headers (lower-case names), redacted.
    pub headers: Vec<(String, String)>,
    pub request_id: Option<String>,
    /// Server-given delay before a retry makes sense (Retry-After / retry-after-ms).
    pub retry_after_ms: Option<f64>,
    pub method: String,
    /// The request URL. It never contains a key (auth only ever travels in headers).
    pub url: String,
    pub attempts: u32,
    /// What the status usually means for this vendor (e.g. Group-IB's "Bad Credentials."),
    /// appended to the error message; `None` for most vendors.
    pub hint: Option<String>,
}

/// Error bodies are kept for diagnosis but capped: a 5 MB HTML error page is not useful.
pub const MAX_ERROR_BODY: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutKind {
    /// One attempt took longer than the per-attempt timeout (and no retry was left).
    Attempt,
    /// The overall deadline of the call passed (it covers retries, waits and body reads).
    Deadline,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{}", api_message(.0))]
    Api(Box<ApiError>),

    /// Bad input, caught before any request was sent.
    #[error("invalid {field}: {reason}")]
    Validation { field: String, reason: String },

    #[error("{}", timeout_message(*.kind, *.after_ms))]
    Timeout { kind: TimeoutKind, after_ms: f64, attempts: u32 },

    /// The caller's AbortSignal fired (during a request, a retry wait or a rate-limit wait).
    #[error("the operation was aborted")]
    Abort { attempts: u32 },

    /// The request never got a complete HTTP response (DNS, refused, reset, CORS...).
    #[error("network error: {message}")]
    Network { message: String, attempts: u32 },

    /// A 2xx response whose body could not be decoded (e.g. truncated JSON).
    #[error("could not decode the response body: {message}")]
    Decode { message: String, status: u16, attempts: u32 },
}

fn api_message(e: &ApiError) -> String {
    match &e.hint {
        Some(h) => format!("{} {}: {} ({})", e.status, e.method, e.message, h),
        None => format!("{} {}: {}", e.status, e.method, e.message),
    }
}

fn timeout_message(kind: TimeoutKind, after_ms: f64) -> String {
    match kind {
        TimeoutKind::Attempt => format!("request timed out after {} ms", after_ms.round() as i64),
        TimeoutKind::Deadline => format!("deadline exceeded after {} ms", after_ms.round() as i64),
    }
}

impl Error {
    pub fn validation(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Validation { field: field.into(), reason: reason.into() }
    }

    /// The JS class this error is thrown as.
    pub fn class_name(&self) -> &'static str {
        match self {
            Error::Api(e) => e.kind.class_name(),
            Error::Validation { .. } => "ValidationError",
            Error::Timeout { .. } => "TimeoutError",
            Error::Abort { .. } => "AbortError",
            Error::Network { .. } => "NetworkError",
            Error::Decode { .. } => "DecodeError",
        }
    }

    /// How many HTTP attempts were made before this error (0 for validation errors).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Api(e) => e.attempts,
            Error::Validation { .. } => 0,
            Error::Timeout { attempts, .. }
            | Error::Abort { attempts }
            | Error::Network { attempts, .. }
            | Error::Decode { attempts, .. } => *attempts,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Replaces every occurrence of the client's secrets in text that leaves the crate.
/// Built once per client; the single place where errors are rendered uses it.
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

pub const REDACTED: &str = "[REDACTED]";

impl Redactor {
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        // Very short "secrets" would redact random text; real keys are long.
        let secrets = secrets.into_iter().filter(|s| s.len() >= 4).collect();
        Redactor { secrets }
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), REDACTED);
            }
        }
        out
    }

    pub fn redact_error(&self, err: Error) -> Error {
        match err {
            Error::Api(mut e) => {
                e.message = self.redact(&e.message);
                e.body = e.body.map(|b| self.redact(&b));
                e.code = e.code.map(|c| self.redact(&c));
                e.url = self.redact(&e.url);
                e.request_id = e.request_id.map(|r| self.redact(&r));
                e.hint = e.hint.map(|h| self.redact(&h));
                for (_, v) in e.headers.iter_mut() {
                    *v = self.redact(v);
                }
                Error::Api(e)
            }
            Error::Network { message, attempts } => {
                Error::Network { message: self.redact(&message), attempts }
            }
            Error::Decode { message, status, attempts } => {
                Error::Decode { message: self.redact(&message), status, attempts }
            }
            Error::Validation { field, reason } => {
                Error::Validation { field, reason: self.redact(&reason) }
            }
            other => other,
        }
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_status_classes() {
        assert_eq!(ApiErrorKind::from_status(401), ApiErrorKind::Authentication);
        assert_eq!(ApiErrorKind::from_status(403), ApiErrorKind::Permission);
        assert_eq!(ApiErrorKind::from_status(404), ApiErrorKind::NotFound);
        assert_eq!(ApiErrorKind::from_status(410), ApiErrorKind::Gone);
        assert_eq!(ApiErrorKind::from_status(429), ApiErrorKind::RateLimited);
        assert_eq!(ApiErrorKind::from_status(502), ApiErrorKind::Server);
        assert_eq!(ApiErrorKind::from_status(400), ApiErrorKind::Other);
    }

    #[test]
    fn redactor_scrubs_every_text_field() {
        let r = Redactor::new(["super-secret-key".to_string()]);
        let e = Error::Api(Box::new(ApiError {
            kind: ApiErrorKind::Authentication,
            status: 401,
            code: Some("T300".into()),
            message: "token super-secret-key is invalid".into(),
            body: Some("{\"echo\":\"super-secret-key\"}".into()),
            headers: vec![("x-echo".into(), "Bearer super-secret-key".into())],
            request_id: None,
            retry_after_ms: None,
            method: "GET".into(),
            url: "https://x/y".into(),
            attempts: 1,
            hint: None,
        }));
        let e = r.redact_error(e);
        assert!(!format!("{e:?}").contains("super-secret-key"));
        assert!(format!("{e}").contains(REDACTED));
    }

    #[test]
    fn short_secrets_are_ignored() {
        let r = Redactor::new(["ab".to_string()]);
        assert_eq!(r.redact("abc"), "abc");
    }
}
