//! Response classification: success, or which [`ApiError`] — plus the headers that matter
//! for retries and rate limits.

use serde_json::Value;

use super::error::{ApiError, ApiErrorKind, MAX_ERROR_BODY};

/// Status and headers of a response, as the engine sees it (the body stays in the transport).
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseHead {
    pub status: u16,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
}

impl ResponseHead {
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The server-given delay, from `retry-after-ms` (ms) or `Retry-After` (seconds or an
    /// HTTP date, relative to `now_unix_ms`). Negative or unparseable values give `None`.
    pub fn retry_after_ms(&self, now_unix_ms: f64) -> Option<f64> {
        if let Some(ms) = self.header("retry-after-ms").and_then(parse_decimal) {
            if ms.is_finite() && ms >= 0.0 {
                return Some(ms);
            }
        }
        let v = self.header("retry-after")?.trim();
        if let Some(secs) = parse_decimal(v) {
            return Some(secs * 1000.0);
        }
        if v.starts_with('-') || v.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return None;
        }
        let when = httpdate::parse_http_date(v).ok()?;
        let when_ms = when.duration_since(std::time::UNIX_EPOCH).ok()?.as_millis() as f64;
        Some((when_ms - now_unix_ms).max(0.0))
    }

    /// Rate-limit headers, whatever their family (`x-ratelimit-*`, `ratelimit-*`, `retry-after*`).
    pub fn rate_limit_headers(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .filter(|(k, _)| {
                k.starts_with("x-ratelimit") || k.starts_with("ratelimit") || k.starts_with("retry-after")
            })
            .cloned()
            .collect()
    }

    pub fn request_id(&self) -> Option<String> {
        ["x-request-id", "x-correlation-id", "request-id", "x-amzn-requestid", "cf-ray"]
            .iter()
            .find_map(|n| self.header(n))
            .map(str::to_string)
    }
}

/// A non-negative decimal like `2`, `0.5` or `1500` (no exponent, no sign). Hand-rolled so
/// the wasm carries no general float parser for two headers.
fn parse_decimal(s: &str) -> Option<f64> {
    let s = s.trim();
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() || int.len() > 12 || frac.len() > 6 {
        return None;
    }
    if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u64 = int.parse().ok()?;
    let mut value = whole as f64;
    let mut scale = 0.1;
    for b in frac.bytes() {
        value += f64::from(b - b'0') * scale;
        scale /= 10.0;
    }
    Some(value)
}

pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// Builds the [`ApiError`] for a non-success response. `body` is the response text (if any);
/// vendor error shapes understood: `{"message","code"}` (Sekoia), `{"error":true,"body":"..."}`
/// (NetworkSage), `{"detail": ...}` (FastAPI), `{"error": "..."}` / `{"errors": ...}`.
pub fn api_error(
    head: &ResponseHead,
    body: Option<&str>,
    method: &str,
    url: &str,
    attempts: u32,
    now_unix_ms: f64,
) -> ApiError {
    let kind = ApiErrorKind::from_status(head.status);
    let (code, message) = body.map(parse_error_body).unwrap_or((None, None));
    let message = message.unwrap_or_else(|| reason_phrase(head.status).to_string());
    let body = body.map(|b| {
        if b.len() > MAX_ERROR_BODY {
            let mut end = MAX_ERROR_BODY;
            while !b.is_char_boundary(end) {
                end -= 1;
            }
            format!("{}…", &b[..end])
        } else {
            b.to_string()
        }
    });
    ApiError {
        kind,
        status: head.status,
        code,
        message,
        body,
        headers: head.headers.clone(),
        request_id: head.request_id(),
        retry_after_ms: head.retry_after_ms(now_unix_ms),
        method: method.to_string(),
        url: url.to_string(),
        attempts,
        hint: None,
    }
}

/// (code, message) from a JSON error body; `None`s when the body is not one we know.
fn parse_error_body(text: &str) -> (Option<String>, Option<String>) {
    let Ok(v) = super::json::parse(text) else {
        let t = text.trim();
        // A short plain-text body is a fine message; HTML pages are not.
        if !t.is_empty() && t.len() <= 200 && !t.starts_with('<') {
            return (None, Some(t.to_string()));
        }
        return (None, None);
    };
    let obj = match &v {
        Value::Object(o) => o,
        _ => return (None, None),
    };
    let code = obj.get("code").and_then(scalar_string);
    let message = obj
        .get("message")
        .and_then(scalar_string)
        .or_else(|| match obj.get("body") {
            // NetworkSage envelope: {"error": true, "body": "<message>"}
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        })
        .or_else(|| obj.get("error").and_then(|e| match e {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o.get("message").and_then(scalar_string),
            _ => None,
        }))
        .or_else(|| obj.get("detail").map(|d| match d {
            Value::String(s) => s.clone(),
            // FastAPI 422: [{"loc": [...], "msg": "...", "type": "..."}]
            Value::Array(items) => items
                .iter()
                .filter_map(|i| {
                    let msg = i.get("msg").and_then(Value::as_str)?;
                    let loc = i
                        .get("loc")
                        .and_then(Value::as_array)
                        .map(|l| l.iter().map(|x| super::json::text(x).trim_matches('"').to_string()).collect::<Vec<_>>().join("."));
                    Some(match loc {
                        Some(l) if !l.is_empty() => format!("{l}: {msg}"),
                        _ => msg.to_string(),
                    })
                })
                .collect::<Vec<_>>()
                .join("; "),
            other => super::json::text(other),
        }));
    (code, message)
}

fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "HTTP error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(status: u16, headers: &[(&str, &str)]) -> ResponseHead {
        ResponseHead {
            status,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(head(429, &[("retry-after", "2")]).retry_after_ms(0.0), Some(2000.0));
        assert_eq!(head(429, &[("retry-after", "0.5")]).retry_after_ms(0.0), Some(500.0));
        assert_eq!(head(429, &[("retry-after-ms", "1500"), ("retry-after", "9")]).retry_after_ms(0.0), Some(1500.0));
        // HTTP date 10 s after "now".
        let now = 1_700_000_000_000.0;
        let date = httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_millis(now as u64 + 10_000));
        let got = head(503, &[("retry-after", &date)]).retry_after_ms(now).unwrap();
        assert!((got - 10_000.0).abs() < 1000.0, "{got}");
        // A date in the past means "now".
        assert_eq!(head(503, &[("retry-after", "Thu, 01 Jan 1970 00:00:00 GMT")]).retry_after_ms(now), Some(0.0));
        assert_eq!(head(429, &[("retry-after", "-3")]).retry_after_ms(0.0), None);
        assert_eq!(head(429, &[("retry-after", "soon")]).retry_after_ms(0.0), None);
        assert_eq!(head(429, &[]).retry_after_ms(0.0), None);
    }

    #[test]
    fn vendor_error_bodies() {
        let h = head(401, &[("x-request-id", "rid-1")]);
        let e = api_error(&h, Some(r#"{"message":"The token is invalid","code":"T300"}"#), "GET", "u", 1, 0.0);
        assert_eq!(e.kind, ApiErrorKind::Authentication);
        assert_eq!(e.code.as_deref(), Some("T300"));
        assert_eq!(e.message, "The token is invalid");
        assert_eq!(e.request_id.as_deref(), Some("rid-1"));

        let e = api_error(&head(400, &[]), Some(r#"{"error":true,"body":"bad sample"}"#), "POST", "u", 1, 0.0);
        assert_eq!(e.message, "bad sample");

        let e = api_error(
            &head(422, &[]),
            Some(r#"{"detail":[{"loc":["body","name"],"msg":"field required","type":"missing"}]}"#),
            "POST", "u", 1, 0.0,
        );
        assert_eq!(e.message, "body.name: field required");

        let e = api_error(&head(502, &[]), Some("<html>bad gateway</html>"), "GET", "u", 3, 0.0);
        assert_eq!(e.message, "Bad Gateway");
        assert_eq!(e.kind, ApiErrorKind::Server);
        assert_eq!(e.attempts, 3);
    }

    #[test]
    fn huge_error_bodies_are_capped_on_a_char_boundary() {
        let body = "é".repeat(MAX_ERROR_BODY);
        let e = api_error(&head(500, &[]), Some(&body), "GET", "u", 1, 0.0);
        assert!(e.body.unwrap().len() <= MAX_ERROR_BODY + 4);
    }

    #[test]
    fn rate_limit_headers_are_collected() {
        let h = head(200, &[("x-ratelimit-remaining", "4"), ("content-type", "x"), ("retry-after", "1")]);
        assert_eq!(h.rate_limit_headers().len(), 2);
    }
}
