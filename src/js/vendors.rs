//! The exported vendor clients. Each one is a vendor configuration (from `providers/`) on a
//! shared [`ClientCore`]; vendor endpoints are added as methods here as they land.

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::client::ClientCore;
use super::errors;
#[cfg(feature = "sekoia")]
use super::feed::Feed;
use super::options::Opts;
use crate::core::error::Result;
use crate::providers;
#[cfg(feature = "groupib")]
use crate::providers::groupib;
#[cfg(feature = "networksage")]
use crate::providers::networksage;
#[cfg(feature = "sekoia")]
use crate::providers::sekoia;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Retry policy. `false` disables retries. */
export interface RetryOptions {
  /** Retries after the first attempt (default 3). */
  limit?: number;
  /** First backoff step in ms, doubled each retry, with jitter (default 500). */
  baseDelayMs?: number;
  /** Cap of a computed backoff (default 30 000). */
  maxDelayMs?: number;
  /** A server asking to wait longer than this (Retry-After) is not retried (default 120 000). */
  maxRetryAfterMs?: number;
  /** Statuses worth retrying (default 408, 429, 500, 502, 503, 504). */
  statuses?: number[];
}

/** Client-side WAF guard (Sekoia's guidance). `false` disables it. Shared by every call of one client. */
export interface RateLimitOptions {
  /** At most this many requests in any 1-second window (default 5). */
  perSecond?: number;
  /** Extra spacing of windows against network jitter between send and arrival (default 50 ms). */
  safetyMarginMs?: number;
  /** Error responses within `errorWindowMs` that pause the client (default 2; 0 disables). */
  cooldownAfterErrors?: number;
  /** default 10 000 */
  errorWindowMs?: number;
  /** How long the pause lasts (default 5 000). */
  cooldownMs?: number;
}

/** Options every client takes. */
export interface ClientOptions {
  /** Defaults to the vendor's public API. With or without a trailing slash. */
  baseUrl?: string;
  /** Replaces the default `cti-edge/<version>` user agent (browsers ignore it). */
  userAgent?: string;
  /** Extra headers on every request (auth headers are refused: the client sets them). */
  headers?: Record<string, string>;
  /** A fetch to use instead of the global one (proxies, tests). */
  fetch?: typeof fetch;
  /** Per-attempt timeout in ms, body read included (default 30 000; null for none). */
  timeoutMs?: number | null;
  retry?: RetryOptions | false;
  rateLimit?: RateLimitOptions | false;
}

/** Per-call options of every long-running or networked method. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Per-attempt timeout in ms for this call. */
  timeoutMs?: number;
  /** Absolute deadline (Date or epoch ms) covering guard waits, attempts, body reads and retry waits. */
  deadline?: Date | number;
}

export type QueryValue = string | number | boolean | bigint | null | undefined;

export type MultipartValue =
  | string
  | Blob
  | Uint8Array
  | ArrayBuffer
  | { value: string | Blob | Uint8Array | ArrayBuffer; filename?: string; contentType?: string };

/** A request to any endpoint, relative to the client's base URL. */
export interface RequestOptions extends CallOptions {
  method?: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** "/v2/inthreat/objects/x" (each segment is encoded) or ["v2", "inthreat", "objects", id] (ids may contain "/"). */
  path: string | string[];
  /** Arrays become comma lists (`match[type]=a,b`); use [key, value] pairs for repeated keys. */
  query?: Record<string, QueryValue | QueryValue[]> | Array<[string, QueryValue]>;
  /** A JSON body. */
  json?: unknown;
  /** A multipart/form-data body. */
  multipart?: Record<string, MultipartValue>;
  headers?: Record<string, string>;
  /** How to read a success body (default "json"). */
  responseType?: "json" | "text" | "bytes" | "none";
  /** Allow retrying a POST/PATCH (the caller vouches it is safe to repeat). */
  idempotent?: boolean;
}

/** The two forms of `request()` every client has. */
export interface RequestMethods {
  request(options: RequestOptions & { body?: unknown }): Promise<ApiResponse>;
  request(method: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE", path: string | string[], options?: Omit<RequestOptions, "method" | "path"> & { body?: unknown }): Promise<ApiResponse>;
}

export interface ApiResponse<T = any> {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  data: T;
  /** HTTP attempts it took (1 = no retry). */
  attempts: number;
  requestId: string | null;
  /** Rate-limit headers the server sent (x-ratelimit-*, ratelimit-*, retry-after*). */
  rateLimit: Record<string, string>;
}
"#;

// Each client's options, in the entries that export that client.
#[cfg(feature = "sekoia")]
#[wasm_bindgen(typescript_custom_section)]
const TS_SEKOIA: &'static str = r#"
export type SekoiaRegion = "FRA1" | "FRA2" | "MCO1" | "UAE1" | "USA1";

export interface SekoiaOptions extends ClientOptions {
  apiKey: string;
  /** Default FRA1. Give either `region` or `baseUrl`; `/api` is appended to a base that lacks it. */
  region?: SekoiaRegion;
  /** LiveAPI (IOC import progress) transport options. */
  live?: LiveOptions;
}
"#;

#[cfg(feature = "networksage")]
#[wasm_bindgen(typescript_custom_section)]
const TS_NETWORKSAGE: &'static str = r#"
export interface NetworkSageOptions extends ClientOptions {
  apiKey: string;
}
export interface NetworkSage extends RequestMethods {}
"#;

#[cfg(feature = "groupib")]
#[wasm_bindgen(typescript_custom_section)]
const TS_GROUPIB: &'static str = r#"
export interface GroupIBOptions extends ClientOptions {
  /** The portal login e-mail. */
  username: string;
  apiKey: string;
  /** Required: e.g. `https://tap.group-ib.com/api/v2/` (TI) or `https://drp.group-ib.com/client_api/` (DRP); with or without the trailing slash. */
  baseUrl: string;
  /** The reference's `set_product`: the user agent becomes `{type}/{name[_version]}/{integration[_version]}/{username}/cti-edge_<v>` (missing parts are "unknown"). Not together with `userAgent`. */
  product?: { type?: string; name?: string; version?: string; integration?: string; integrationVersion?: string };
}
export interface GroupIB extends RequestMethods {}
export interface GroupIBDrp extends RequestMethods {}
"#;

/// What every client class has: the normalised base URL and `request()` for any endpoint
/// (`request({ method, path, ... })` or `request(method, path, options)`, typed as overloads in
/// `RequestMethods` / the Sekoia TS section).
macro_rules! client_methods {
    ($($client:ident),*) => {$(
        #[wasm_bindgen]
        impl $client {
            /// The normalised base URL requests go to.
            #[wasm_bindgen(getter, js_name = baseUrl)]
            pub fn base_url(&self) -> String {
                self.core.config.base.as_str().to_string()
            }

            #[wasm_bindgen(skip_typescript)]
            pub fn request(&self, first: JsValue, path: JsValue, options: JsValue) -> js_sys::Promise {
                self.core.request_positional(first, path, options)
            }
        }
    )*};
}

#[cfg(feature = "sekoia")]
client_methods!(Sekoia);
#[cfg(feature = "networksage")]
client_methods!(NetworkSage);
#[cfg(feature = "groupib")]
client_methods!(GroupIB, GroupIBDrp);

/// A client's user agent and extra headers, from its options.
type Common = (Option<String>, Vec<(String, String)>);

fn common(o: &Opts) -> Result<Common> {
    let ua = providers::check_user_agent(o.string("userAgent")?)?.or_else(|| Some(providers::default_user_agent()));
    Ok((ua, o.string_map("headers")?))
}

fn build<F>(options: &JsValue, config: F) -> std::result::Result<Rc<ClientCore>, JsValue>
where
    F: FnOnce(&Opts, Option<String>, Vec<(String, String)>) -> Result<crate::core::request::ClientConfig>,
{
    let run = || -> Result<Rc<ClientCore>> {
        let o = Opts::new(options, "")?;
        let (ua, headers) = common(&o)?;
        let cfg = config(&o, ua, headers)?;
        Ok(Rc::new(ClientCore::new(&o, cfg)?))
    };
    run().map_err(|e| errors::to_js(&e))
}

/// Sekoia.io client (Intelligence Center, IOC collections, event search, rules).
#[cfg(feature = "sekoia")]
#[wasm_bindgen]
pub struct Sekoia {
    pub(super) core: Rc<ClientCore>,
    /// LiveAPI options and the shared connection (see `sekoia_ops.rs`, `live.js`).
    pub(super) live: JsValue,
    /// `iocCollections`, made on first use (see `sekoia_ops.rs`).
    pub(super) collections: std::cell::OnceCell<JsValue>,
}

#[cfg(feature = "sekoia")]
#[wasm_bindgen]
impl Sekoia {
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "SekoiaOptions")] options: JsValue) -> std::result::Result<Sekoia, JsValue> {
        let core = build(&options, |o, ua, headers| {
            let key = o.required_string("apiKey")?;
            sekoia::client_config(&key, o.string("baseUrl")?.as_deref(), o.string("region")?.as_deref(), ua, headers)
        })?;
        let live = super::sekoia_ops::live_slot(&options).map_err(|e| errors::to_js(&e))?;
        Ok(Sekoia { core, live, collections: Default::default() })
    }

    /// The id of the feed every community with an Intelligence subscription has.
    #[wasm_bindgen(getter = DEFAULT_FEED_ID)]
    pub fn default_feed_id() -> String {
        sekoia::DEFAULT_FEED_ID.to_string()
    }

    /// An Intelligence Center feed (default: the community's default feed).
    pub fn feed(&self, #[wasm_bindgen(unchecked_optional_param_type = "string")] feed_id: JsValue) -> std::result::Result<Feed, JsValue> {
        let id = if feed_id.is_undefined() || feed_id.is_null() {
            sekoia::DEFAULT_FEED_ID.to_string()
        } else {
            feed_id.as_string().ok_or_else(|| errors::to_js(&crate::core::error::Error::validation("feedId", "must be a string")))?
        };
        Feed::new(self.core.clone(), id).map_err(|e| errors::to_js(&e))
    }

}

/// NetworkSage client (`apikey` header).
#[cfg(feature = "networksage")]
#[wasm_bindgen]
pub struct NetworkSage {
    pub(super) core: Rc<ClientCore>,
}

#[cfg(feature = "networksage")]
#[wasm_bindgen]
impl NetworkSage {
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "NetworkSageOptions")] options: JsValue) -> std::result::Result<NetworkSage, JsValue> {
        let core = build(&options, |o, ua, headers| {
            let key = o.required_string("apiKey")?;
            networksage::client_config(&key, o.string("baseUrl")?.as_deref(), ua, headers)
        })?;
        Ok(NetworkSage { core })
    }


}

#[cfg(feature = "groupib")]
fn groupib_core(options: &JsValue) -> std::result::Result<Rc<ClientCore>, JsValue> {
    build(options, |o, ua, headers| {
        let user = o.required_string("username")?;
        let key = o.required_string("apiKey")?;
        let base = o.required_string("baseUrl")?;
        let ua = match o.section("product")? {
            super::options::Section::Given(p) => {
                if o.raw("userAgent").is_some() {
                    return Err(crate::core::error::Error::validation("product", "give either product or userAgent, not both"));
                }
                let product = groupib::Product {
                    product_type: p.string("type")?,
                    name: p.string("name")?,
                    version: p.string("version")?,
                    integration: p.string("integration")?,
                    integration_version: p.string("integrationVersion")?,
                };
                Some(groupib::product_user_agent(&product, &user, groupib::LIBRARY)?)
            }
            _ => ua,
        };
        groupib::client_config(&user, &key, &base, ua, headers)
    })
}

/// Group-IB Threat Intelligence client (HTTP Basic).
#[cfg(feature = "groupib")]
#[wasm_bindgen]
pub struct GroupIB {
    pub(super) core: Rc<ClientCore>,
    pub(super) keys: super::groupib::KeyStore,
}

#[cfg(feature = "groupib")]
#[wasm_bindgen]
impl GroupIB {
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "GroupIBOptions")] options: JsValue) -> std::result::Result<GroupIB, JsValue> {
        Ok(GroupIB { core: groupib_core(&options)?, keys: Default::default() })
    }


}

/// Group-IB Digital Risk Protection client (HTTP Basic).
#[cfg(feature = "groupib")]
#[wasm_bindgen]
pub struct GroupIBDrp {
    pub(super) core: Rc<ClientCore>,
    pub(super) keys: super::groupib::KeyStore,
}

#[cfg(feature = "groupib")]
#[wasm_bindgen]
impl GroupIBDrp {
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "GroupIBOptions")] options: JsValue) -> std::result::Result<GroupIBDrp, JsValue> {
        Ok(GroupIBDrp { core: groupib_core(&options)?, keys: Default::default() })
    }


}
