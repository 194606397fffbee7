//! One module per vendor: its configuration (base URLs, auth), endpoints and models, all
//! built on [`crate::core`]. No vendor has request plumbing of its own.

pub mod groupib;
pub mod networksage;
pub mod sekoia;

use crate::core::error::{Error, Result};

/// Shared checks of the client options every vendor takes.
pub fn check_user_agent(ua: Option<String>) -> Result<Option<String>> {
    match ua {
        Some(u) if u.chars().any(|c| c.is_control()) => {
            Err(Error::validation("userAgent", "must not contain control characters"))
        }
        Some(u) if u.trim().is_empty() => Err(Error::validation("userAgent", "must not be empty")),
        other => Ok(other),
    }
}

/// The user agent a client sends when the caller sets none.
pub fn default_user_agent() -> String {
    format!("cti-edge/{}", env!("CARGO_PKG_VERSION"))
}
