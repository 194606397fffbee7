//! NetworkSage: base URL and the `apikey` header (`../shared/api/networksage.md`); endpoints in `api`.

pub mod api;

use crate::core::error::Result;
use crate::core::request::{Auth, ClientConfig, Secret};
use crate::core::url::BaseUrl;

pub const DEFAULT_BASE_URL: &str = "https://api.seclarity.io";

pub fn client_config(
    api_key: &str,
    base_url: Option<&str>,
    user_agent: Option<String>,
    default_headers: Vec<(String, String)>,
) -> Result<ClientConfig> {
    Auth::check_key("apiKey", api_key)?;
    Ok(ClientConfig {
        base: BaseUrl::parse(base_url.unwrap_or(DEFAULT_BASE_URL), None)?,
        auth: Auth::Header { name: "apikey".into(), key: Secret::new(api_key) },
        user_agent,
        default_headers,
    })
}
