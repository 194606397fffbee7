//! Base URLs, path segments and query strings.
//!
//! Rules that every provider relies on:
//! - a base URL is `http(s)://host[:port][/path]`, stored without a trailing slash; a client
//!   may require a suffix (Sekoia: `/api`) that is appended when missing, so both
//!   `https://api.sekoia.io` and `https://api.sekoia.io/api/` end up the same;
//! - path segments are percent-encoded one by one: an id can never add a segment, a query or a
//!   fragment, and `.`/`..` segments are refused outright (the WHATWG URL parser would
//!   resolve even `%2e%2e`, so encoding them is not enough);
//! - query strings keep Sekoia's `match[type]=a,b` style readable: `[ ] , :` are not encoded.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::error::{Error, Result};

/// Characters encoded in one path segment: everything but RFC 3986 unreserved and a few
/// sub-delims that are harmless inside a segment (`:` `@` `,` `+` `=`).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b':')
    .remove(b'@')
    .remove(b',')
    .remove(b'=');

/// Characters encoded in a query key or value. `+` is encoded (servers read it as a space),
/// `[ ] ,` and `:` are kept as Sekoia documents them.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'[')
    .remove(b']')
    .remove(b',')
    .remove(b':')
    .remove(b'@')
    .remove(b'/');

/// Characters encoded by [`Query::encode_form`] (Python `quote_plus`'s safe set is
/// `A-Z a-z 0-9 _ . - ~`).
const FORM: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// Validates and normalises `raw`. `required_suffix` (e.g. `"/api"`) is appended when the
    /// path does not already end with it.
    pub fn parse(raw: &str, required_suffix: Option<&str>) -> Result<Self> {
        let field = "baseUrl";
        let s = raw.trim();
        if s.is_empty() {
            return Err(Error::validation(field, "must not be empty"));
        }
        let rest = if let Some(r) = strip_prefix_ci(s, "https://") {
            r
        } else if let Some(r) = strip_prefix_ci(s, "http://") {
            r
        } else {
            return Err(Error::validation(field, "must start with http:// or https://"));
        };
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::validation(field, "must not contain whitespace"));
        }
        if s.contains('?') || s.contains('#') {
            return Err(Error::validation(field, "must not contain a query or a fragment"));
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if authority.is_empty() {
            return Err(Error::validation(field, "has no host"));
        }
        if authority.contains('@') {
            // Credentials in a URL end up in logs and error messages: refuse them.
            return Err(Error::validation(
                field,
                "must not contain credentials (user:password@); pass the key as apiKey",
            ));
        }
        if path.split('/').any(|seg| seg == "." || seg == "..") {
            return Err(Error::validation(field, "must not contain . or .. segments"));
        }
        let scheme_len = s.len() - rest.len();
        let mut out = String::with_capacity(s.len() + 4);
        out.push_str(&s[..scheme_len].to_ascii_lowercase());
        out.push_str(authority);
        out.push_str(path.trim_end_matches('/'));
        if let Some(suffix) = required_suffix {
            let suffix = suffix.trim_end_matches('/');
            if !out.ends_with(suffix) {
                out.push_str(suffix);
            }
        }
        Ok(BaseUrl(out))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `base + path + ?query`.
    pub fn join(&self, path: &Path, query: &Query) -> String {
        let mut url = String::with_capacity(self.0.len() + 64);
        url.push_str(&self.0);
        url.push_str(&path.0);
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query.encode());
        }
        url
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    // `get`, not indexing: the prefix length may fall inside a multi-byte character.
    if s.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix)) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

/// An encoded path, always starting with `/` (or empty).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Path(String);

impl Path {
    /// Builds a path from raw segments; each is percent-encoded on its own.
    /// `field` names the input in the error when a segment is refused.
    pub fn from_segments<S: AsRef<str>>(segments: &[S], field: &str) -> Result<Self> {
        let mut out = String::new();
        for seg in segments {
            let seg = seg.as_ref();
            check_segment(seg, field)?;
            out.push('/');
            out.extend(utf8_percent_encode(seg, SEGMENT));
        }
        Ok(Path(out))
    }

    /// Splits a `/a/b/c` string into segments (empty segments from doubled or trailing
    /// slashes are dropped) and encodes each. A segment may not itself carry `/`: use
    /// [`Path::from_segments`] for ids that could contain one.
    pub fn parse(path: &str, field: &str) -> Result<Self> {
        if path.contains('?') || path.contains('#') {
            return Err(Error::validation(
                field,
                "must not contain ? or #; pass query parameters as `query`",
            ));
        }
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        Self::from_segments(&segs, field)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn check_segment(seg: &str, field: &str) -> Result<()> {
    if seg.is_empty() {
        return Err(Error::validation(field, "a path segment is empty"));
    }
    let lowered = seg.to_ascii_lowercase();
    let decoded_dots = lowered.replace("%2e", ".");
    if decoded_dots == "." || decoded_dots == ".." {
        return Err(Error::validation(field, "a path segment may not be . or .."));
    }
    if seg.chars().any(|c| c.is_control()) {
        return Err(Error::validation(field, "a path segment contains a control character"));
    }
    Ok(())
}

/// Ordered query pairs (repeated keys allowed, order kept).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query(Vec<(String, String)>);

impl Query {
    pub fn new() -> Self {
        Query(Vec::new())
    }

    pub fn push(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.0.push((key.into(), value.into()));
        self
    }

    /// Adds `key=value` only when `value` is `Some`.
    pub fn push_opt(&mut self, key: &str, value: Option<impl Into<String>>) -> &mut Self {
        if let Some(v) = value {
            self.0.push((key.to_string(), v.into()));
        }
        self
    }

    /// Sekoia style: several values of one field as one comma list (`match[type]=a,b`).
    pub fn push_csv<S: AsRef<str>>(&mut self, key: &str, values: &[S]) -> &mut Self {
        if !values.is_empty() {
            let joined: Vec<&str> = values.iter().map(|v| v.as_ref()).collect();
            self.0.push((key.to_string(), joined.join(",")));
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    pub fn encode(&self) -> String {
        let mut out = String::new();
        for (i, (k, v)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            out.extend(utf8_percent_encode(k, QUERY));
            out.push('=');
            out.extend(utf8_percent_encode(v, QUERY));
        }
        out
    }

    /// `application/x-www-form-urlencoded` as Python's `urlencode` (`quote_plus`) writes it:
    /// everything but `A-Z a-z 0-9 _ . - ~` is percent-encoded and a space becomes `+`
    /// (Group-IB's reference client; servers decode both forms alike).
    pub fn encode_form(&self) -> String {
        let mut out = String::new();
        for (i, (k, v)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            for (j, part) in [k, v].into_iter().enumerate() {
                if j == 1 {
                    out.push('=');
                }
                for chunk in utf8_percent_encode(part, FORM) {
                    out.push_str(&chunk.replace("%20", "+"));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_normalises_trailing_slash_and_suffix() {
        let a = BaseUrl::parse("https://api.sekoia.io", Some("/api")).unwrap();
        let b = BaseUrl::parse("https://api.sekoia.io/api/", Some("/api")).unwrap();
        let c = BaseUrl::parse("HTTPS://api.sekoia.io//", Some("/api")).unwrap();
        assert_eq!(a.as_str(), "https://api.sekoia.io/api");
        assert_eq!(a, b);
        assert_eq!(a, c);
        let g = BaseUrl::parse("https://tap.group-ib.com/api/v2", None).unwrap();
        assert_eq!(g.as_str(), "https://tap.group-ib.com/api/v2");
        let g2 = BaseUrl::parse("https://tap.group-ib.com/api/v2/", None).unwrap();
        assert_eq!(g, g2);
    }

    #[test]
    fn base_url_refuses_bad_input() {
        for bad in [
            "htt\u{e9}://x", // found by fuzzing: a prefix length inside a multi-byte char
            "https:/\u{1F980}",
            "",
            "api.sekoia.io",
            "ftp://x",
            "https://",
            "https://user:key@host",
            "https://host/a?b=1",
            "https://host/#x",
            "https://host/a/../b",
            "https://ho st",
        ] {
            let e = BaseUrl::parse(bad, None).unwrap_err();
            assert!(matches!(e, Error::Validation { .. }), "{bad}: {e:?}");
        }
    }

    #[test]
    fn segments_cannot_change_the_path() {
        let p = Path::from_segments(&["objects", "a/b?c#d e%"], "id").unwrap();
        assert_eq!(p.as_str(), "/objects/a%2Fb%3Fc%23d%20e%25");
        for bad in ["..", ".", "%2e%2E", "%2E", ""] {
            assert!(Path::from_segments(&["x", bad], "id").is_err(), "{bad}");
        }
        // Unicode is encoded as UTF-8.
        let p = Path::from_segments(&["é"], "id").unwrap();
        assert_eq!(p.as_str(), "/%C3%A9");
    }

    #[test]
    fn path_strings_are_split_and_checked() {
        let p = Path::parse("/v2/inthreat//objects/", "path").unwrap();
        assert_eq!(p.as_str(), "/v2/inthreat/objects");
        assert!(Path::parse("/v2/../x", "path").is_err());
        assert!(Path::parse("/v2/x?y=1", "path").is_err());
    }

    #[test]
    fn query_keeps_sekoia_style() {
        let mut q = Query::new();
        q.push_csv("match[type]", &["indicator", "malware"]);
        q.push("limit", "2000");
        q.push("q", "a b+c&d=e");
        q.push("t", "2024-04-12T23:20:50.52Z");
        assert_eq!(
            q.encode(),
            "match[type]=indicator,malware&limit=2000&q=a%20b%2Bc%26d%3De&t=2024-04-12T23:20:50.52Z"
        );
    }

    #[test]
    fn join_builds_full_url() {
        let b = BaseUrl::parse("http://127.0.0.1:8080/sekoia", Some("/api")).unwrap();
        let p = Path::from_segments(&["v2", "inthreat", "objects"], "p").unwrap();
        let mut q = Query::new();
        q.push("limit", "1");
        assert_eq!(b.join(&p, &q), "http://127.0.0.1:8080/sekoia/api/v2/inthreat/objects?limit=1");
        assert_eq!(b.join(&p, &Query::new()), "http://127.0.0.1:8080/sekoia/api/v2/inthreat/objects");
    }
}
