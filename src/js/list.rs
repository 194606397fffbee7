//! Offset/limit lists (`{items, total, has_more}`) as async iterables of items with a
//! `.pages` sibling, for every vendor endpoint that pages that way.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::client::{CallContext, ClientCore};
use super::errors;
use super::options::{get, Opts};
use crate::core::error::{Error, Result};
use crate::core::paginate::OffsetPaging;
use crate::core::request::Request;

#[wasm_bindgen(typescript_custom_section)]
const TS_LIST: &'static str = r#"
/** Options of every offset-paged list. */
export interface ListOptions extends CallOptions {
  /** Items per request (default and maximum depend on the endpoint; Sekoia: 1–100). */
  limit?: number;
  /** Start at this offset (default 0). */
  offset?: number;
  /** Stop after this many items. */
  maxItems?: number;
}

export interface ListPage<T = any> {
  items: T[];
  /** Offset of the next page. */
  offset: number;
  total: number | null;
  last: boolean;
  attempts: number;
}

/** The pages of a list: `for await (const page of list.pages())`. */
export interface ListPageIterator<T = any> extends AsyncIterableIterator<ListPage<T>> {
  /** Where a restart resumes (pass it back as `offset`): the offset after the pages already
   * handed over, counted when the next page is asked for (or on `commit()`). */
  readonly cursor: number;
  /** Count the page in hand as handed over now. */
  commit(): Promise<void>;
}

/** Items one by one (`for await`), with the pages behind them at `.pages` (or `.pages()`). */
export interface ListIterator<T = any> extends AsyncIterableIterator<T> {
  readonly pages: ListPageIterator<T> & (() => ListPageIterator<T>);
  /** As `pages.cursor`. */
  readonly cursor: number;
}
"#;

/// Builds the request of the page at (offset, limit).
pub type PageRequest = Box<dyn Fn(u64, u32) -> Result<Request>>;

/// Reads `limit` / `offset` / `maxItems` and the call options of a list.
pub fn paging_options(o: &Opts, default_limit: u32, max_limit: u32) -> Result<(OffsetPaging, CallContext)> {
    let limit = o.integer("limit", 1.0, max_limit as f64)?.unwrap_or(default_limit);
    let offset = o.number("offset", 0.0, 1e12)?.unwrap_or(0.0);
    if offset.fract() != 0.0 {
        return Err(Error::validation(o.field("offset"), "must be an integer"));
    }
    let max_items = match o.number("maxItems", 0.0, 1e12)? {
        Some(m) if m.fract() != 0.0 => return Err(Error::validation(o.field("maxItems"), "must be an integer")),
        other => other.map(|m| m as u64),
    };
    Ok((OffsetPaging::new(limit, offset as u64, max_items), CallContext::parse(o)?))
}

/// A list of `items_key` items (default "items").
pub fn list_iterator(core: Rc<ClientCore>, paging: OffsetPaging, ctx: CallContext, build: PageRequest) -> JsValue {
    let source = OffsetListSource { state: Rc::new(RefCell::new(ListState { core, paging, ctx, build, stopped: false })) };
    super::item_iterator(&super::page_iterator(source.into()))
}

struct ListState {
    core: Rc<ClientCore>,
    paging: OffsetPaging,
    ctx: CallContext,
    build: PageRequest,
    stopped: bool,
}

// Internal: wrapped by runtime.js `pageIterator`; not part of the typed API.
#[wasm_bindgen(skip_typescript)]
pub struct OffsetListSource {
    state: Rc<RefCell<ListState>>,
}


#[wasm_bindgen]
impl OffsetListSource {
    pub fn next(&self) -> js_sys::Promise {
        let st = self.state.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let done = || {
                let o = Object::new();
                let _ = Reflect::set(&o, &"done".into(), &JsValue::TRUE);
                JsValue::from(o)
            };
            if st.borrow().stopped {
                return Ok(done());
            }
            {
                // asking for the next page says the consumer is done with the previous one
                let mut s = st.borrow_mut();
                s.paging.commit();
                if s.paging.is_finished() {
                    return Ok(done());
                }
            }
            let (core, req, ctx) = {
                let s = st.borrow();
                let req = (s.build)(s.paging.offset, s.paging.request_limit()).map_err(|e| errors::to_js(&e))?;
                (s.core.clone(), req, CallContext { signal: s.ctx.signal.clone(), call: s.ctx.call })
            };
            let ok = core.send(&req, &ctx, Array::new()).await.map_err(|e| errors::to_js(&e))?;
            let items = get(&ok.body, "items");
            if !Array::is_array(&items) {
                let e = Error::Decode { message: "a list page must be an object with an items array".into(), status: ok.head.status, attempts: ok.attempts };
                return Err(errors::to_js(&e));
            }
            let items: Array = items.unchecked_into();
            let total = get(&ok.body, "total").as_f64().filter(|t| *t >= 0.0).map(|t| t as u64);
            let has_more = get(&ok.body, "has_more").as_bool();
            let (take, offset, last) = {
                let mut s = st.borrow_mut();
                let take = s.paging.on_page(items.length() as usize, total, has_more);
                (take, s.paging.offset, s.paging.is_finished())
            };
            let items = if take < items.length() as usize { items.slice(0, take as u32) } else { items };
            if items.length() == 0 {
                return Ok(done());
            }
            let page = Object::new();
            let set = |k: &str, v: &JsValue| {
                let _ = Reflect::set(&page, &JsValue::from_str(k), v);
            };
            set("items", &items);
            set("offset", &JsValue::from_f64(offset as f64));
            set("total", &total.map(|t| JsValue::from_f64(t as f64)).unwrap_or(JsValue::NULL));
            set("last", &JsValue::from_bool(last));
            set("attempts", &JsValue::from(ok.attempts));
            let result = Object::new();
            let _ = Reflect::set(&result, &"done".into(), &JsValue::FALSE);
            let _ = Reflect::set(&result, &"value".into(), &page);
            Ok(result.into())
        })
    }

    pub fn stop(&self) {
        self.state.borrow_mut().stopped = true;
    }

    /// Counts the page in hand as handed over.
    pub fn commit(&self) -> js_sys::Promise {
        self.state.borrow_mut().paging.commit();
        js_sys::Promise::resolve(&JsValue::UNDEFINED)
    }

    #[wasm_bindgen(getter)]
    pub fn cursor(&self) -> f64 {
        self.state.borrow().paging.committed() as f64
    }
}
