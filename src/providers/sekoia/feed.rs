//! Intelligence Center feed consumption: `GET /v2/inthreat/collections/{feed_id}/objects`
//! (`../shared/api/sekoia.md` §A1). Builds page requests; the caller drives a
//! [`CursorPaging`](crate::core::paginate::CursorPaging).

use crate::core::error::{Error, Result};
use crate::core::request::{ClientConfig, Method, Request};
use crate::core::url::{Path, Query};
use crate::core::validate;

/// JSON feeds return at most 2000 objects per page (10 000 only for `format=text`).
pub const MAX_LIMIT: u32 = 2000;
pub const DEFAULT_LIMIT: u32 = 1000;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct FeedQuery {
    pub limit: u32,
    /// `match[type]`: STIX types (OR).
    pub types: Vec<String>,
    /// `match[observable_type]`: observable types in indicator patterns (OR).
    pub observable_types: Vec<String>,
    /// RFC 3339; only used when no cursor is given (a cursor already says where to start).
    pub modified_after: Option<String>,
    pub skip_expired: Option<bool>,
    pub include_revoked: Option<bool>,
}

impl FeedQuery {
    pub fn validate(&self) -> Result<()> {
        if self.limit == 0 || self.limit > MAX_LIMIT {
            return Err(Error::validation("limit", format!("must be between 1 and {MAX_LIMIT}")));
        }
        for t in &self.types {
            validate::type_name("types", t)?;
        }
        for t in &self.observable_types {
            validate::type_name("observableTypes", t)?;
        }
        if let Some(m) = &self.modified_after {
            validate::rfc3339("modifiedAfter", m)?;
        }
        Ok(())
    }
}

/// A feed id is a UUID or an IOC collection's `ioc-collection--<uuid>`.
pub fn check_feed_id(feed_id: &str) -> Result<()> {
    validate::id("feedId", feed_id)?;
    if !feed_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(Error::validation("feedId", "must be a feed UUID or ioc-collection--<uuid>"));
    }
    Ok(())
}

pub fn check_cursor(cursor: &str) -> Result<()> {
    if cursor.is_empty() || cursor.len() > 4096 || cursor.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Error::validation("cursor", "must be a non-empty cursor string as returned by the feed"));
    }
    Ok(())
}

/// The request for one page. `cursor` = `None` starts from the beginning (or `modified_after`).
pub fn page_request(cfg: &ClientConfig, feed_id: &str, q: &FeedQuery, cursor: Option<&str>) -> Result<Request> {
    check_feed_id(feed_id)?;
    let path = Path::from_segments(&["v2", "inthreat", "collections", feed_id, "objects"], "feedId")?;
    let mut query = Query::new();
    query.push("limit", q.limit.to_string());
    match cursor {
        Some(c) => {
            check_cursor(c)?;
            query.push("cursor", c);
        }
        None => {
            query.push_opt("modified_after", q.modified_after.clone());
        }
    }
    query.push_csv("match[type]", &q.types);
    query.push_csv("match[observable_type]", &q.observable_types);
    query.push_opt("skip_expired", q.skip_expired.map(|b| b.to_string()));
    query.push_opt("include_revoked", q.include_revoked.map(|b| b.to_string()));
    Ok(cfg.request(Method::Get, &path, &query))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::sekoia::{client_config, DEFAULT_FEED_ID};

    fn cfg() -> ClientConfig {
        client_config("key-123", Some("http://sim/sekoia"), None, None, vec![]).unwrap()
    }

    #[test]
    fn first_page_and_resumed_page() {
        let q = FeedQuery {
            limit: 2000,
            types: vec!["indicator".into(), "malware".into()],
            modified_after: Some("2024-04-12T23:20:50.52Z".into()),
            skip_expired: Some(true),
            ..Default::default()
        };
        q.validate().unwrap();
        let first = page_request(&cfg(), DEFAULT_FEED_ID, &q, None).unwrap();
        assert_eq!(
            first.url,
            "http://sim/sekoia/api/v2/inthreat/collections/d6092c37-d8d7-45c3-8aff-c4dc26030608/objects?limit=2000&modified_after=2024-04-12T23:20:50.52Z&match[type]=indicator,malware&skip_expired=true"
        );
        let next = page_request(&cfg(), DEFAULT_FEED_ID, &q, Some("MjAyNC0wNC0xMlQ=")).unwrap();
        assert!(next.url.contains("limit=2000&cursor=MjAyNC0wNC0xMlQ%3D&match[type]"), "{}", next.url);
        assert!(!next.url.contains("modified_after"));
    }

    #[test]
    fn validation() {
        for bad in [
            FeedQuery { limit: 0, ..Default::default() },
            FeedQuery { limit: 2001, ..Default::default() },
            FeedQuery { limit: 10, types: vec!["Indicator".into()], ..Default::default() },
            FeedQuery { limit: 10, modified_after: Some("2024-13-01".into()), ..Default::default() },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
        let q = FeedQuery { limit: 10, ..Default::default() };
        assert!(page_request(&cfg(), "", &q, None).is_err());
        assert!(page_request(&cfg(), "..", &q, None).is_err());
        assert!(page_request(&cfg(), DEFAULT_FEED_ID, &q, Some("a b")).is_err());
    }
}
