#![no_main]
//! Response classification and the URL/validation helpers on any input.
use cti_edge::core::response::{api_error, ResponseHead};
use cti_edge::core::url::{BaseUrl, Path, Query};
use cti_edge::core::validate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    let (header, body) = data.split_once('\n').unwrap_or((data, ""));
    let head = ResponseHead {
        status: 400 + (data.len() % 200) as u16,
        headers: vec![("retry-after".into(), header.into()), ("retry-after-ms".into(), header.into()), ("x-request-id".into(), header.into())],
    };
    let _ = head.retry_after_ms(1.7e12);
    let e = api_error(&head, Some(body), "GET", "https://x", 1, 1.7e12);
    assert!(e.body.map_or(0, |b| b.len()) <= cti_edge::core::error::MAX_ERROR_BODY + 4);
    let _ = BaseUrl::parse(header, Some("/api"));
    if let Ok(p) = Path::parse(body, "path") {
        // An encoded path never contains a query, a fragment or a dot segment.
        assert!(!p.as_str().contains('?') && !p.as_str().contains('#'));
        assert!(!p.as_str().split('/').any(|s| s == ".." || s == "."));
    }
    let mut q = Query::new();
    q.push(header, body);
    let enc = q.encode();
    assert!(!enc.contains('&') || enc.matches('&').count() == 0 || enc.contains('='));
    let _ = validate::rfc3339("d", header);
});
