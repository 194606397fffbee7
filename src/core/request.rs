//! Requests as plain values: a provider builds one, the engine sends it through a transport.

use std::fmt;

use base64::Engine as _;

use super::error::{Error, Redactor, Result};
use super::url::{BaseUrl, Path, Query};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s.to_ascii_uppercase().as_str() {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            _ => {
                return Err(Error::validation(
                    "method",
                    "must be one of GET, HEAD, POST, PUT, PATCH, DELETE",
                ))
            }
        })
    }

    /// Idempotent methods may be retried without the caller's consent (RFC 9110 §9.2.2).
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Method::Post | Method::Patch)
    }
}

/// A credential. `Debug` and `Display` never show it; only [`Secret::expose`] does, and that
/// is called in exactly one place: where a transport writes the auth header.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

/// How a client authenticates. One value per client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    None,
    /// `Authorization: Bearer <key>` (Sekoia).
    Bearer(Secret),
    /// `Authorization: Basic base64(user:key)` (Group-IB).
    Basic { username: String, key: Secret },
    /// `<name>: <key>` (NetworkSage: `apikey`).
    Header { name: String, key: Secret },
}

impl Auth {
    /// Checks that a key looks like a key: non-empty, no whitespace or control characters
    /// (which would corrupt the header or hint at a copy-paste accident).
    pub fn check_key(field: &str, key: &str) -> Result<()> {
        if key.is_empty() {
            return Err(Error::validation(field, "must not be empty"));
        }
        if key.chars().any(|c| c.is_whitespace() || c.is_control() || !c.is_ascii()) {
            return Err(Error::validation(
                field,
                "must not contain whitespace, control or non-ASCII characters",
            ));
        }
        Ok(())
    }

    /// The header to send, as (name, value). The value is a secret.
    pub fn header(&self) -> Option<(String, Secret)> {
        match self {
            Auth::None => None,
            Auth::Bearer(k) => Some(("authorization".into(), Secret(format!("Bearer {}", k.0)))),
            Auth::Basic { username, key } => {
                let raw = format!("{}:{}", username, key.0);
                let enc = base64::engine::general_purpose::STANDARD.encode(raw.as_bytes());
                Some(("authorization".into(), Secret(format!("Basic {enc}"))))
            }
            Auth::Header { name, key } => Some((name.to_ascii_lowercase(), key.clone())),
        }
    }

    /// Every string that must never leave the crate: the key, and the header value that
    /// carries it (the Basic form is a base64 that would otherwise leak the key).
    pub fn redactor(&self) -> Redactor {
        let mut secrets = Vec::new();
        match self {
            Auth::None => {}
            Auth::Bearer(k) | Auth::Header { key: k, .. } => secrets.push(k.0.clone()),
            Auth::Basic { key, .. } => secrets.push(key.0.clone()),
        }
        if let Some((_, v)) = self.header() {
            secrets.push(v.0);
        }
        if let Auth::Basic { .. } = self {
            if let Some((_, v)) = self.header() {
                if let Some(b64) = v.0.strip_prefix("Basic ") {
                    secrets.push(b64.to_string());
                }
            }
        }
        Redactor::new(secrets)
    }
}

/// Where a multipart part's bytes come from. `Attachment(i)` refers to the i-th object the
/// JS caller passed (a `Blob`/`File`), so large files never cross into wasm memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartData {
    Text(String),
    Bytes(Vec<u8>),
    Attachment(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: PartData,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Body {
    #[default]
    Empty,
    /// Serialized JSON text, sent as `application/json`.
    Json(String),
    Bytes { content_type: String, data: Vec<u8> },
    /// `multipart/form-data`; the transport writes the boundary.
    Multipart(Vec<Part>),
}

impl Body {
    /// `v` as a JSON body (written by `core::json::text`).
    pub fn json(v: &serde_json::Value) -> Body {
        Body::Json(super::json::text(v))
    }
}

/// How the transport should read a successful body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResponseKind {
    /// Parsed as JSON (an empty body gives `null`).
    #[default]
    Json,
    Text,
    Bytes,
    /// The body is read and dropped.
    Empty,
    /// Both the JSON value and its exact text (numbers beyond 2^53 stay exact in the text). A body
    /// that does not parse is a decode error, so it is retried like any other truncated JSON.
    JsonText,
}

impl ResponseKind {
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "json" => ResponseKind::Json,
            "text" => ResponseKind::Text,
            "bytes" | "arrayBuffer" => ResponseKind::Bytes,
            "none" | "empty" => ResponseKind::Empty,
            _ => return Err(Error::validation("responseType", "must be json, text, bytes or none")),
        })
    }
}

/// One HTTP request, fully described, with no I/O attached.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: Method,
    /// Absolute URL. Never carries a secret (auth travels in `auth`).
    pub url: String,
    /// Non-secret headers, lower-case names.
    pub headers: Vec<(String, String)>,
    /// The auth header, kept apart so no header dump can contain it.
    pub auth: Option<(String, Secret)>,
    pub body: Body,
    pub expect: ResponseKind,
    /// Retry this request even if its method is not idempotent (caller's opt-in).
    pub retry_unsafe: bool,
}

impl Request {
    pub fn is_retryable_method(&self) -> bool {
        self.method.is_idempotent() || self.retry_unsafe
    }
}

/// What every request of one client shares.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub base: BaseUrl,
    pub auth: Auth,
    pub user_agent: Option<String>,
    pub default_headers: Vec<(String, String)>,
}

/// Header names a caller may not set: the client owns them.
const RESERVED_HEADERS: &[&str] = &["authorization", "apikey", "cookie", "host", "content-length"];

pub fn check_header(name: &str, value: &str, auth: &Auth) -> Result<()> {
    let field = format!("headers.{name}");
    let valid_name = !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !valid_name {
        return Err(Error::validation(field, "is not a valid header name"));
    }
    if value.chars().any(|c| c == '\r' || c == '\n' || c == '\0') {
        return Err(Error::validation(field, "must not contain CR, LF or NUL"));
    }
    let lower = name.to_ascii_lowercase();
    let auth_name = auth.header().map(|(n, _)| n);
    if RESERVED_HEADERS.contains(&lower.as_str()) || auth_name.as_deref() == Some(lower.as_str()) {
        return Err(Error::validation(field, "is set by the client itself"));
    }
    Ok(())
}

impl ClientConfig {
    /// Starts a request to `path` with the client's headers and auth.
    pub fn request(&self, method: Method, path: &Path, query: &Query) -> Request {
        let mut headers = Vec::with_capacity(self.default_headers.len() + 2);
        headers.push(("accept".to_string(), "application/json, */*;q=0.5".to_string()));
        if let Some(ua) = &self.user_agent {
            headers.push(("user-agent".to_string(), ua.clone()));
        }
        for (k, v) in &self.default_headers {
            set_header(&mut headers, k, v);
        }
        Request {
            method,
            url: self.base.join(path, query),
            headers,
            auth: self.auth.header(),
            body: Body::Empty,
            expect: ResponseKind::Json,
            retry_unsafe: false,
        }
    }
}

/// Sets (replaces) a header, case-insensitively.
pub fn set_header(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    let lower = name.to_ascii_lowercase();
    headers.retain(|(k, _)| *k != lower);
    headers.push((lower, value.to_string()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_headers_per_scheme() {
        let b = Auth::Bearer(Secret::new("k1"));
        assert_eq!(b.header().unwrap().1.expose(), "Bearer k1");
        let basic = Auth::Basic { username: "analyst@example.com".into(), key: Secret::new("KEY") };
        let (n, v) = basic.header().unwrap();
        assert_eq!(n, "authorization");
        // base64("analyst@example.com:KEY")
        assert_eq!(v.expose(), "Basic YW5hbHlzdEBleGFtcGxlLmNvbTpLRVk=");
        let h = Auth::Header { name: "ApiKey".into(), key: Secret::new("k3") };
        assert_eq!(h.header().unwrap(), ("apikey".to_string(), Secret::new("k3")));
        assert_eq!(Auth::None.header(), None);
    }

    #[test]
    fn secrets_never_print() {
        let basic = Auth::Basic { username: "u".into(), key: Secret::new("TOPSECRETKEY") };
        let cfg = ClientConfig {
            base: BaseUrl::parse("https://h", None).unwrap(),
            auth: basic.clone(),
            user_agent: None,
            default_headers: vec![],
        };
        let req = cfg.request(Method::Get, &Path::parse("/x", "p").unwrap(), &Query::new());
        let dump = format!("{req:?} {basic:?}");
        assert!(!dump.contains("TOPSECRETKEY"), "{dump}");
        assert!(!dump.contains("dTpUT1BTRUNSRVRLRVk"), "{dump}"); // base64 of u:TOPSECRETKEY
        let r = basic.redactor();
        assert_eq!(r.redact("Basic dTpUT1BTRUNSRVRLRVk="), "[REDACTED]");
    }

    #[test]
    fn keys_are_checked() {
        assert!(Auth::check_key("apiKey", "").is_err());
        assert!(Auth::check_key("apiKey", "abc def").is_err());
        assert!(Auth::check_key("apiKey", "abc\n").is_err());
        assert!(Auth::check_key("apiKey", "abcdef").is_ok());
    }

    #[test]
    fn headers_are_checked() {
        let a = Auth::Header { name: "apikey".into(), key: Secret::new("k") };
        assert!(check_header("x-ok", "v", &a).is_ok());
        assert!(check_header("Authorization", "v", &a).is_err());
        assert!(check_header("APIKEY", "v", &a).is_err());
        assert!(check_header("bad name", "v", &a).is_err());
        assert!(check_header("x", "a\r\nb", &a).is_err());
    }

    #[test]
    fn idempotency() {
        assert!(Method::Get.is_idempotent());
        assert!(Method::Put.is_idempotent());
        assert!(Method::Delete.is_idempotent());
        assert!(!Method::Post.is_idempotent());
        assert!(!Method::Patch.is_idempotent());
        assert!(Method::parse("post").is_ok());
        assert!(Method::parse("TRACE").is_err());
    }
}
