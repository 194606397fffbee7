//! Group-IB TI and DRP: base URL and HTTP Basic auth (`../shared/api/groupib.md` §1–2).
//! Unlike the reference library we do not drop the last path segment of a base URL given
//! without a trailing slash: both forms mean the same base.

use crate::core::error::{Error, Result};
use crate::core::request::{Auth, ClientConfig, Secret};
use crate::core::url::BaseUrl;

pub fn client_config(
    username: &str,
    api_key: &str,
    base_url: &str,
    user_agent: Option<String>,
    default_headers: Vec<(String, String)>,
) -> Result<ClientConfig> {
    if username.trim().is_empty() {
        return Err(Error::validation("username", "must not be empty"));
    }
    if username.contains(':') || username.chars().any(|c| c.is_control()) {
        return Err(Error::validation("username", "must not contain ':' or control characters"));
    }
    Auth::check_key("apiKey", api_key)?;
    Ok(ClientConfig {
        base: BaseUrl::parse(base_url, None)?,
        auth: Auth::Basic { username: username.to_string(), key: Secret::new(api_key) },
        user_agent,
        default_headers,
    })
}
