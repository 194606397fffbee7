//! Sans-IO core: requests as values, response classification, retry and WAF-guard policies
//! over an injected clock, and the engine that drives them through a [`engine::Transport`].
//! Everything here is plain Rust and tested on the host with `cargo test`.

pub mod concurrent;
pub mod engine;
pub mod error;
pub mod live;
pub mod ioc;
pub mod json;
pub mod mapping;
pub mod paginate;
pub mod ratelimit;
pub mod request;
pub mod response;
pub mod retry;
pub mod url;
pub mod validate;
