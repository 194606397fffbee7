//! `sekoia.feed(id)`: pages and objects of an Intelligence Center feed as async iterables,
//! with resumable cursors, cursor stores (at-least-once commits) and follow mode.
//!
//! Pages are never copied through Rust structures: the body is `JSON.parse`d in JS by the
//! transport and Rust only reads `items.length` and `next_cursor`.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::client::{CallContext, ClientCore};
use super::errors;
use super::options::{Opts, Section};
use crate::core::error::{Error, Result};
use crate::core::paginate::CursorPaging;
use crate::providers::sekoia::feed::{self, FeedQuery};

#[wasm_bindgen(module = "/src/js/runtime.js")]
extern "C" {
    #[wasm_bindgen(js_name = toPromise)]
    fn to_promise(v: &JsValue) -> js_sys::Promise;
    /// Marks a promise as handled (a read-ahead nobody awaits must not crash Node).
    fn quiet(p: &js_sys::Promise) -> js_sys::Promise;
}

#[wasm_bindgen(typescript_custom_section)]
const TS_FEED: &'static str = r#"
/** A place to keep feed cursors between runs. Ready-made: memoryCursorStore, webStorageCursorStore, chromeStorageCursorStore, kvCursorStore. */
export interface CursorStore {
  get(key: string): Promise<string | null | undefined> | string | null | undefined;
  set(key: string, cursor: string): Promise<void> | void;
}

export interface FeedOptions extends CallOptions {
  /** Objects per page, 1–2000 (default 1000). */
  limit?: number;
  /** STIX types to return (`match[type]`), e.g. ["indicator"]. */
  types?: string[];
  /** Observable types of indicator patterns (`match[observable_type]`), e.g. ["ipv4-addr"]. */
  observableTypes?: string[];
  /** Only objects created or modified after this (ignored when resuming from a cursor). */
  modifiedAfter?: Date | string;
  skipExpired?: boolean;
  includeRevoked?: boolean;
  /** Resume from this cursor (takes precedence over the store). */
  cursor?: string;
  /** Where the cursor is loaded from and committed to. */
  store?: CursorStore;
  /** Key in the store (default `sekoia:feed:<feedId>`). */
  storeKey?: string;
  /** Keep polling after the end: true (every 60 s) or { intervalMs }. Stop with `signal` or `break`. */
  follow?: boolean | { intervalMs?: number };
  /** Fetch the next page while the current one is being processed (default true). */
  readAhead?: boolean;
  /** Called with each page before it is handed over. */
  onPage?: (page: FeedPage) => void;
}

export interface FeedPage<T = StixObject> {
  /** STIX objects, as the server sent them. */
  items: T[];
  /** Resume from here to get what follows this page (the page's next_cursor, or the previous one). */
  cursor: string | null;
  /** This page ended the feed for now (short or empty page). */
  last: boolean;
  feedId: string;
  /** Objects delivered by this iteration so far, this page included. */
  total: number;
  /** HTTP attempts this page took. */
  attempts: number;
}

export interface FeedPageIterator<T = StixObject> extends AsyncIterableIterator<FeedPage<T>> {
  /** The last committed cursor: a restart resumes from here. */
  readonly cursor: string | null;
  /** Commit the page in hand now rather than when the next page is asked for. */
  commit(): Promise<void>;
}

export interface FeedObjectIterator<T = StixObject> extends AsyncIterableIterator<T> {
  readonly cursor: string | null;
  /** The pages behind the objects: `.pages` or `.pages()` (the same iterator). */
  readonly pages: FeedPageIterator<T> & (() => FeedPageIterator<T>);
}
"#;

const DEFAULT_FOLLOW_MS: f64 = 60_000.0;

/// A feed of one Sekoia client. `sekoia.feed()` is the default feed.
#[wasm_bindgen]
pub struct Feed {
    core: Rc<ClientCore>,
    feed_id: String,
}

impl Feed {
    pub fn new(core: Rc<ClientCore>, feed_id: String) -> Result<Feed> {
        feed::check_feed_id(&feed_id)?;
        Ok(Feed { core, feed_id })
    }

    fn source(&self, options: &JsValue) -> Result<FeedPageSource> {
        let o = Opts::new(options, "")?;
        let mut q = FeedQuery {
            limit: o.integer("limit", 1.0, feed::MAX_LIMIT as f64)?.unwrap_or(feed::DEFAULT_LIMIT),
            types: o.strings("types")?,
            observable_types: o.strings("observableTypes")?,
            modified_after: None,
            skip_expired: o.bool("skipExpired")?,
            include_revoked: o.bool("includeRevoked")?,
        };
        if let Some(v) = o.raw("modifiedAfter") {
            q.modified_after = Some(if let Some(d) = v.dyn_ref::<js_sys::Date>() {
                if d.get_time().is_nan() {
                    return Err(Error::validation("modifiedAfter", "is an invalid Date"));
                }
                d.to_iso_string().as_string().unwrap_or_default()
            } else {
                v.as_string().ok_or_else(|| Error::validation("modifiedAfter", "must be a Date or an RFC 3339 string"))?
            });
        }
        q.validate()?;
        let cursor = o.string("cursor")?;
        if let Some(c) = &cursor {
            feed::check_cursor(c)?;
        }
        let store = match o.raw("store") {
            None => None,
            Some(s) if s.is_null() => None,
            Some(s) => {
                let has = |m: &str| Reflect::get(&s, &JsValue::from_str(m)).map(|f| f.is_function()).unwrap_or(false);
                if !has("get") || !has("set") {
                    return Err(Error::validation("store", "must have get(key) and set(key, cursor) methods"));
                }
                Some(s)
            }
        };
        let store_key = o.string("storeKey")?.unwrap_or_else(|| format!("sekoia:feed:{}", self.feed_id));
        let follow_ms = match o.raw("follow") {
            None => None,
            Some(v) if v.as_bool() == Some(false) => None,
            Some(v) if v.as_bool() == Some(true) => Some(DEFAULT_FOLLOW_MS),
            Some(_) => match o.section("follow")? {
                Section::Given(f) => Some(f.number("intervalMs", 100.0, 86_400_000.0)?.unwrap_or(DEFAULT_FOLLOW_MS)),
                _ => None,
            },
        };
        let on_page = o.function("onPage")?;
        let ctx = CallContext::parse(&o)?;
        let paging = CursorPaging::new(q.limit as usize, cursor.clone());
        Ok(FeedPageSource {
            state: Rc::new(RefCell::new(SourceState {
                core: self.core.clone(),
                feed_id: self.feed_id.clone(),
                query: q,
                paging,
                store,
                store_key,
                // An explicit cursor wins over the store: nothing to load.
                loaded: cursor.is_some(),
                follow_ms,
                on_page,
                ctx,
                stopped: false,
                total: 0,
                read_ahead_enabled: o.bool("readAhead")?.unwrap_or(true),
                read_ahead: None,
            })),
        })
    }
}


#[wasm_bindgen]
impl Feed {
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.feed_id.clone()
    }

    /// Pages of the feed: `for await (const page of feed.pages({ limit, store }))`.
    #[wasm_bindgen(unchecked_return_type = "FeedPageIterator")]
    pub fn pages(&self, #[wasm_bindgen(unchecked_optional_param_type = "FeedOptions")] options: JsValue) -> std::result::Result<JsValue, JsValue> {
        let source = self.source(&options).map_err(|e| errors::to_js(&e))?;
        Ok(super::page_iterator(source.into()))
    }

    /// Objects of the feed one by one (pages are committed once fully consumed).
    #[wasm_bindgen(unchecked_return_type = "FeedObjectIterator")]
    pub fn objects(&self, #[wasm_bindgen(unchecked_optional_param_type = "FeedOptions")] options: JsValue) -> std::result::Result<JsValue, JsValue> {
        let pages = self.pages(options)?;
        Ok(super::item_iterator(&pages))
    }

    /// `for await (const object of sekoia.feed())`: `objects()` with the default options, as
    /// every list of the package is an async iterable of its items.
    #[wasm_bindgen(js_name = "[Symbol.asyncIterator]", unchecked_return_type = "FeedObjectIterator")]
    pub fn async_iterator(&self) -> std::result::Result<JsValue, JsValue> {
        self.objects(JsValue::UNDEFINED)
    }
}

struct SourceState {
    core: Rc<ClientCore>,
    feed_id: String,
    query: FeedQuery,
    paging: CursorPaging,
    store: Option<JsValue>,
    store_key: String,
    loaded: bool,
    follow_ms: Option<f64>,
    on_page: Option<js_sys::Function>,
    ctx: CallContext,
    stopped: bool,
    total: u64,
    read_ahead_enabled: bool,
    /// (cursor it was asked with, promise of `{ body, status, attempts }`).
    read_ahead: Option<(Option<String>, js_sys::Promise)>,
}

/// Starts the request for the page at the current cursor; resolves to `{ body, status, attempts }`.
fn start_fetch(st: &Rc<RefCell<SourceState>>) -> Result<js_sys::Promise> {
    let (core, req, ctx) = {
        let s = st.borrow();
        let req = feed::page_request(&s.core.config, &s.feed_id, &s.query, s.paging.request_cursor())?;
        (s.core.clone(), req, CallContext { signal: s.ctx.signal.clone(), call: s.ctx.call })
    };
    Ok(wasm_bindgen_futures::future_to_promise(async move {
        let ok = core.send(&req, &ctx, Array::new()).await.map_err(|e| errors::to_js(&e))?;
        let o = Object::new();
        let _ = Reflect::set(&o, &"body".into(), &ok.body);
        let _ = Reflect::set(&o, &"status".into(), &JsValue::from(ok.head.status));
        let _ = Reflect::set(&o, &"attempts".into(), &JsValue::from(ok.attempts));
        Ok(o.into())
    }))
}

/// The Rust half of a page iterator (wrapped by `pageIterator` in runtime.js, which
/// serialises calls so this state is never re-entered).
// Internal: wrapped by runtime.js `pageIterator`; not part of the typed API.
#[wasm_bindgen(skip_typescript)]
pub struct FeedPageSource {
    state: Rc<RefCell<SourceState>>,
}

fn done() -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(&o, &"done".into(), &JsValue::TRUE);
    o.into()
}

async fn await_js(v: &JsValue) -> std::result::Result<JsValue, JsValue> {
    JsFuture::from(to_promise(v)).await
}

/// Calls `store.method(args...)` and awaits the result; a throwing store surfaces as is.
async fn call_store(store: &JsValue, method: &str, args: &Array) -> std::result::Result<JsValue, JsValue> {
    let f: js_sys::Function = Reflect::get(store, &JsValue::from_str(method))?.dyn_into()?;
    let r = f.apply(store, args)?;
    await_js(&r).await
}

async fn commit_pending(st: &Rc<RefCell<SourceState>>) -> std::result::Result<(), JsValue> {
    let (cursor, store, key) = {
        let mut s = st.borrow_mut();
        let Some(c) = s.paging.commit() else { return Ok(()) };
        (c, s.store.clone(), s.store_key.clone())
    };
    if let Some(store) = store {
        call_store(&store, "set", &Array::of2(&JsValue::from_str(&key), &JsValue::from_str(&cursor))).await?;
    }
    Ok(())
}

#[wasm_bindgen]
impl FeedPageSource {
    pub fn next(&self) -> js_sys::Promise {
        let st = self.state.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            // The consumer asked for more: it is done with the page in hand.
            commit_pending(&st).await?;
            loop {
                if st.borrow().stopped {
                    return Ok(done());
                }
                let load = {
                    let s = st.borrow();
                    (!s.loaded).then(|| (s.store.clone(), s.store_key.clone()))
                };
                if let Some((store, key)) = load {
                    if let Some(store) = store {
                        let v = call_store(&store, "get", &Array::of1(&JsValue::from_str(&key))).await?;
                        if let Some(c) = v.as_string().filter(|c| !c.is_empty()) {
                            feed::check_cursor(&c).map_err(|e| errors::to_js(&e))?;
                            let limit = st.borrow().query.limit as usize;
                            st.borrow_mut().paging = CursorPaging::new(limit, Some(c));
                        }
                    }
                    st.borrow_mut().loaded = true;
                }
                let (finished, follow) = {
                    let s = st.borrow();
                    (s.paging.is_finished(), s.follow_ms)
                };
                if finished {
                    let Some(ms) = follow else { return Ok(done()) };
                    let signal = st.borrow().ctx.signal.clone();
                    let p = super::js_sleep(ms, &signal).map_err(|_| errors::to_js(&Error::Abort { attempts: 0 }))?;
                    JsFuture::from(p).await.map_err(|_| errors::to_js(&Error::Abort { attempts: 0 }))?;
                    st.borrow_mut().paging.rearm();
                    continue;
                }
                // The page read ahead while the consumer held the previous one, if it is the
                // page wanted now; else fetch it.
                let pending = {
                    let mut s = st.borrow_mut();
                    let wanted = s.paging.request_cursor().map(str::to_string);
                    match s.read_ahead.take() {
                        Some((cursor, p)) if cursor == wanted => Some(p),
                        _ => None,
                    }
                };
                let fetched = match pending {
                    Some(p) => p,
                    None => start_fetch(&st).map_err(|e| errors::to_js(&e))?,
                };
                let fetched = JsFuture::from(fetched).await?;
                let body = Reflect::get(&fetched, &"body".into()).unwrap_or(JsValue::UNDEFINED);
                let attempts = Reflect::get(&fetched, &"attempts".into()).ok().and_then(|a| a.as_f64()).unwrap_or(1.0) as u32;
                let status = Reflect::get(&fetched, &"status".into()).ok().and_then(|a| a.as_f64()).unwrap_or(200.0) as u16;
                let items = Reflect::get(&body, &"items".into()).unwrap_or(JsValue::UNDEFINED);
                if !Array::is_array(&items) {
                    let e = Error::Decode { message: "a feed page must be an object with an items array".into(), status, attempts };
                    return Err(errors::to_js(&e));
                }
                let count = items.unchecked_ref::<Array>().length() as usize;
                let next_cursor = Reflect::get(&body, &"next_cursor".into()).ok().and_then(|c| c.as_string());
                let (info, feed_id, total, on_page) = {
                    let mut s = st.borrow_mut();
                    let info = s.paging.on_page(count, next_cursor);
                    s.total += count as u64;
                    (info, s.feed_id.clone(), s.total, s.on_page.clone())
                };
                if count == 0 {
                    continue;
                }
                let page = Object::new();
                let set = |k: &str, v: &JsValue| {
                    let _ = Reflect::set(&page, &JsValue::from_str(k), v);
                };
                set("items", &items);
                set("cursor", &info.cursor.map(JsValue::from).unwrap_or(JsValue::NULL));
                set("last", &JsValue::from_bool(info.last));
                set("feedId", &JsValue::from_str(&feed_id));
                set("total", &JsValue::from_f64(total as f64));
                set("attempts", &JsValue::from(attempts));
                // Read the next page ahead while the consumer works on this one (the request
                // goes through the same guard; the commit rule is unchanged).
                let ahead = {
                    let s = st.borrow();
                    s.read_ahead_enabled && !info.last && !s.stopped
                };
                if ahead {
                    if let Ok(p) = start_fetch(&st) {
                        let cursor = st.borrow().paging.request_cursor().map(str::to_string);
                        st.borrow_mut().read_ahead = Some((cursor, quiet(&p)));
                    }
                }
                if let Some(f) = on_page {
                    f.call1(&JsValue::UNDEFINED, &page)?;
                }
                let result = Object::new();
                let _ = Reflect::set(&result, &"done".into(), &JsValue::FALSE);
                let _ = Reflect::set(&result, &"value".into(), &page);
                return Ok(result.into());
            }
        })
    }

    /// Stops the iteration without committing the page in hand (it is re-delivered on resume).
    pub fn stop(&self) {
        self.state.borrow_mut().stopped = true;
    }

    /// Commits the page in hand now.
    pub fn commit(&self) -> js_sys::Promise {
        let st = self.state.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            commit_pending(&st).await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    #[wasm_bindgen(getter)]
    pub fn cursor(&self) -> Option<String> {
        self.state.borrow().paging.committed().map(str::to_string)
    }
}
