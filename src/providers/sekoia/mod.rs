//! Sekoia.io: regions, base URL and auth (`../shared/api/sekoia.md` §0).

pub mod collections;
pub mod feed;
pub mod intel;
pub mod jobs;
pub mod rules;
pub mod wire;

use crate::core::error::{Error, Result};
use crate::core::request::{Auth, ClientConfig, Secret};
use crate::core::url::BaseUrl;

/// The feed that exists in every community with an Intelligence subscription.
pub const DEFAULT_FEED_ID: &str = "d6092c37-d8d7-45c3-8aff-c4dc26030608";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    Fra1,
    Fra2,
    Mco1,
    Uae1,
    Usa1,
}

impl Region {
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s.to_ascii_uppercase().as_str() {
            "FRA1" => Region::Fra1,
            "FRA2" => Region::Fra2,
            "MCO1" => Region::Mco1,
            "UAE1" => Region::Uae1,
            "USA1" => Region::Usa1,
            _ => return Err(Error::validation("region", "must be one of FRA1, FRA2, MCO1, UAE1, USA1")),
        })
    }

    /// Documented public API base (D-QS). The client appends `/api` where it is missing, as
    /// Sekoia's own module does, so both forms of each base work.
    pub fn base_url(self) -> &'static str {
        match self {
            Region::Fra1 => "https://api.sekoia.io",
            Region::Fra2 => "https://app.fra2.sekoia.io/api",
            Region::Mco1 => "https://app.mco1.sekoia.io/api",
            Region::Uae1 => "https://app.uae1.sekoia.io/api",
            Region::Usa1 => "https://app.usa1.sekoia.io/api",
        }
    }
}

/// The Sekoia observable type of an IOC value, and its canonical form (refanged, normalised),
/// by the IOC toolkit's classifier. A value that is no IOC is refused before any request.
pub fn detect_observable_type(value: &str) -> Result<(String, String)> {
    match crate::core::ioc::classify_detailed(value) {
        Ok(c) => match c.sekoia_type {
            Some(t) => Ok((t.to_string(), c.value)),
            None => Err(Error::validation("value", format!("a {} has no Sekoia observable type; pass `type` to look it up as is", c.kind.as_str()))),
        },
        Err(why) => Err(Error::validation("value", format!("is not an IOC ({why}); pass `type` to look it up as is"))),
    }
}

/// `{ apiKey, baseUrl? | region? }` → the client configuration.
pub fn client_config(
    api_key: &str,
    base_url: Option<&str>,
    region: Option<&str>,
    user_agent: Option<String>,
    default_headers: Vec<(String, String)>,
) -> Result<ClientConfig> {
    Auth::check_key("apiKey", api_key)?;
    let base = match (base_url, region) {
        (Some(_), Some(_)) => return Err(Error::validation("baseUrl", "give either baseUrl or region, not both")),
        (Some(b), None) => b.to_string(),
        (None, Some(r)) => Region::parse(r)?.base_url().to_string(),
        (None, None) => Region::Fra1.base_url().to_string(),
    };
    Ok(ClientConfig {
        base: BaseUrl::parse(&base, Some("/api"))?,
        auth: Auth::Bearer(Secret::new(api_key)),
        user_agent,
        default_headers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_and_base_urls() {
        let c = client_config("k123", None, None, None, vec![]).unwrap();
        assert_eq!(c.base.as_str(), "https://api.sekoia.io/api");
        let c = client_config("k123", None, Some("usa1"), None, vec![]).unwrap();
        assert_eq!(c.base.as_str(), "https://app.usa1.sekoia.io/api");
        let c = client_config("k123", Some("http://127.0.0.1:9/sekoia/api/"), None, None, vec![]).unwrap();
        assert_eq!(c.base.as_str(), "http://127.0.0.1:9/sekoia/api");
        assert!(client_config("k123", Some("http://x"), Some("FRA1"), None, vec![]).is_err());
        assert!(client_config("k123", None, Some("mars1"), None, vec![]).is_err());
        assert!(client_config("", None, None, None, vec![]).is_err());
    }
}
