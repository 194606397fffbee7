//! Sekoia IOC collections (with LiveAPI import progress), event search jobs and the rules
//! catalog. Request building and validation live in `providers/sekoia/{collections,jobs,rules}.rs`,
//! LiveAPI decisions in `core/live.rs`, the WebSocket plumbing in `live.js`.
//!
//! Option objects are read once as JSON (`JSON.stringify`, so a `Date` arrives as its ISO
//! string) and handed to the providers as `serde_json::Value`.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Object, Reflect};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::client::{parse_multipart, stringify, CallContext, ClientCore};
use super::errors;
use super::list::{list_iterator, paging_options};
use super::options::{get, report_progress, set, string_arg, Opts};
use super::sekoia::{call, identity};
use super::vendors::Sekoia;
use crate::core::error::{Error, Result};
use crate::core::live::{self, ImportProgress};
use crate::core::request::Request;
use crate::providers::sekoia::collections::{self as coll, Rejected};
use crate::providers::sekoia::{jobs, rules};

#[wasm_bindgen(module = "/src/js/live.js")]
extern "C" {
    #[wasm_bindgen(js_name = importTask)]
    fn import_task(slot: &JsValue, url: &str, key: &str, proto: LiveProtocol, counter: LiveImport, rejected: &Array) -> JsValue;
    #[wasm_bindgen(js_name = taskSubmitted)]
    fn task_submitted(task: &JsValue, ids: &Array, expected: &Array);
    #[wasm_bindgen(js_name = taskFailed)]
    fn task_failed(task: &JsValue, e: &JsValue);
    #[wasm_bindgen(js_name = collectionsView)]
    fn collections_view(client: JsValue) -> JsValue;
}

#[wasm_bindgen(typescript_custom_section)]
const TS_OPS: &'static str = r#"
/** LiveAPI options of a Sekoia client (IOC import progress). */
export interface LiveOptions {
  /** WebSocket factory, called as factory(url, { headers: { Cookie } }). Needed in Node < 22 (e.g. the `ws` package: (u, init) => new WS(u, init)). */
  webSocket?: (url: string, init: { headers: Record<string, string> }) => any;
  /** Overrides the LiveAPI URL derived from the base URL (wss://app.sekoia.io/live/, wss://fra2.app.sekoia.io/live/...). */
  url?: string;
  /** Simulator only: authenticate with a first message (browsers cannot set the cookie). */
  authMessage?: boolean;
}
export interface WaitOptions { signal?: AbortSignal; deadline?: Date | number; }
export interface KillChainPhase { killChainName: string; phaseName: string; }
export interface IndicatorFields {
  /** ≤ 500 characters. */
  description?: string;
  validFrom?: Date | string;
  validUntil?: Date | string;
  killChainPhases?: KillChainPhase[];
  /** STIX ids of threats (`x_ic_related_threat_refs`). */
  relatedThreats?: string[];
}
export interface IocCollectionInput {
  name: string;
  /** ≤ 500 characters. */
  description?: string;
  communityUuid?: string;
  availableForSubCommunities?: boolean;
}
export interface IocCollectionListOptions extends ListOptions { term?: string; communityUuids?: string[]; withIndicatorsCount?: boolean; }
export interface IocQuota { count: number; max: number; remaining: number; }
export interface RejectedValue { line?: number; index?: number; value: string; reason: string; }
export interface JsonImportOptions {
  indicators: Array<string | ({ value: string } & IndicatorFields)>;
  defaultFields?: IndicatorFields;
  /** Values per call, 1–100 (default 100). */
  chunkSize?: number;
  /** Called after each call: `done` of `total` calls, `imported` so far, the `chunk` just reported. What it throws stops the import and rejects it. */
  onProgress?: (progress: { done: number; total: number; imported: number; chunk: JsonImportChunk }) => void;
}
export interface JsonImportChunk { index: number; sent: number; ok: boolean; items?: any[]; error?: Error; }
export interface JsonImportResult { imported: number; items: any[]; chunks: JsonImportChunk[]; rejected: RejectedValue[]; }
export type TextImportFormat = "one_per_line" | "domain-name.value" | "ipv4-addr.value" | "ipv6-addr.value" | "url.value" | "email-addr.value" | "file.hashes";
export interface TextImportOptions extends IndicatorFields, CallOptions {
  /** A string (one value per line) or an array of values. */
  indicators: string | string[];
  format?: TextImportFormat;
  /** Values per task (default 1000). */
  batchSize?: number;
}
export interface FilePreviewOptions extends CallOptions { filename?: string; contentType?: string; }
export interface FileProcessOptions extends IndicatorFields, CallOptions {
  mapping?: Array<"observable" | "valid_from" | "valid_until" | "kill_chain_phases" | "x_ic_related_threat_refs" | "description" | null>;
  ignoreFirstLine?: boolean;
}
export interface ImportProgress { imported: number; total: number; tasks: number; finishedTasks: number; done: boolean; }
export interface ImportResult extends ImportProgress { taskIds: string[]; rejected: RejectedValue[]; }
export interface ImportTask {
  readonly taskIds: string[];
  readonly rejected: RejectedValue[];
  readonly state: ImportProgress;
  /** "factory" | "workerd-fetch" | "global" once connected. */
  readonly transport: string | null;
  progress(options?: WaitOptions): AsyncIterableIterator<ImportProgress>;
  done(options?: WaitOptions): Promise<ImportResult>;
  close(): void;
}
export interface SearchFilter { field: string; operator: "=" | "startswith" | "endswith" | "contains" | "exists" | ">" | ">=" | "<" | "<="; value?: unknown; excluded?: boolean; disabled?: boolean; }
export interface EventSearch {
  query: string;
  /** ISO 8601, "now" or relative like "-30d". */
  earliest: string | Date;
  latest: string | Date;
  lang?: "dork" | "es-query-string";
  filters?: SearchFilter[];
  maxLastEvents?: number;
  /** Seconds the results are kept, 10–86400 (default 1800). */
  ttl?: number;
  dateField?: "@timestamp" | "event.created";
  communityUuids?: string[];
  visible?: boolean;
  onlyEternal?: boolean;
  viewUuid?: string;
}
export interface JobWaitOptions extends CallOptions {
  /** Called with the job info after each poll that finds it pending. What it throws rejects the wait. */
  onProgress?: (job: any) => void;
  pollMs?: number;
}
export interface RuleListOptions extends ListOptions {
  uuids?: string[]; excludeUuids?: string[]; names?: string[]; types?: string[]; entityUuids?: string[];
  efforts?: number[]; tagNames?: string[]; tagUuids?: string[]; sources?: string[]; relatedObjectRefs?: string[];
  datasourceUuids?: string[]; datasourceNames?: string[]; intakeFormatUuids?: string[]; lifecycles?: string[];
  search?: string; enabled?: boolean; verified?: boolean; hasActiveAlertFilters?: boolean;
  severity?: [number, number]; createdAt?: [string | null, string | null]; updatedAt?: [string | null, string | null];
  sort?: "uuid" | "name" | "effort" | "severity" | "type" | "createdAt" | "updatedAt"; direction?: "asc" | "desc";
}
export interface RuleInput {
  /** 5–100 characters. */
  name: string; type: string; payload: string;
  /** 0–100 */
  severity: number;
  /** 1–5 (the spec says 1–4). */
  effort: number;
  alertTypeUuid: string; enabled: boolean; description?: string | null;
  [field: string]: unknown;
}
export interface SekoiaRequestOptions extends Omit<RequestOptions, "method" | "path"> {
  /** Alias of `json`. */
  body?: unknown;
}
/** `sekoia.iocCollections`: the client's IOC-collection methods under short names. */
export interface IocCollections {
  list: Sekoia["listIocCollections"];
  get: Sekoia["getIocCollection"];
  create: Sekoia["createIocCollection"];
  update: Sekoia["updateIocCollection"];
  delete: Sekoia["deleteIocCollection"];
  quota: Sekoia["iocQuota"];
  indicators: Sekoia["listCollectionIndicators"];
  updateIndicator: Sekoia["updateCollectionIndicator"];
  revokeIndicator: Sekoia["revokeCollectionIndicator"];
  deleteIndicator: Sekoia["deleteCollectionIndicator"];
  indicatorContext: Sekoia["collectionIndicatorContext"];
  importIndicators: Sekoia["importIndicators"];
  importText: Sekoia["importText"];
  previewFile: Sekoia["previewFile"];
  processFile: Sekoia["processFile"];
}
export interface Sekoia {
  request(options: RequestOptions & { body?: unknown }): Promise<ApiResponse>;
  request(method: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE", path: string | string[], options?: SekoiaRequestOptions): Promise<ApiResponse>;
}
"#;

/// The client's LiveAPI slot (a plain JS object): validated `live` options and, once used,
/// the shared connection (`hub`, created by live.js).
pub(super) fn live_slot(options: &JsValue) -> Result<JsValue> {
    let o = Opts::new(options, "")?;
    let slot = Object::new();
    if let super::options::Section::Given(l) = o.section("live")? {
        let set = |k: &str, v: JsValue| {
            let _ = Reflect::set(&slot, &k.into(), &v);
        };
        if let Some(f) = l.function("webSocket")? {
            set("webSocket", f.into());
        }
        if let Some(u) = l.string("url")? {
            if !(u.starts_with("ws://") || u.starts_with("wss://")) {
                return Err(Error::validation("live.url", "must be a ws:// or wss:// URL"));
            }
            set("url", u.into());
        }
        set("authMessage", l.bool("authMessage")?.unwrap_or(false).into());
    }
    Ok(slot.into())
}

/// LiveAPI decisions the socket plumbing asks for (stateless).
#[wasm_bindgen(skip_typescript)]
pub struct LiveProtocol;

#[wasm_bindgen]
impl LiveProtocol {
    /// 1: credentials accepted, 0: refused, -1: not an acknowledgement.
    pub fn ack(&self, text: &str) -> i32 {
        match live::parse(text) {
            live::Incoming::Ack(true) => 1,
            live::Incoming::Ack(false) => 0,
            _ => -1,
        }
    }

    /// Delay before reconnection `attempt`; -1 to give up.
    pub fn backoff(&self, attempt: u32) -> f64 {
        live::reconnect_delay_ms(attempt, js_sys::Math::random()).unwrap_or(-1.0)
    }

    #[wasm_bindgen(getter)]
    pub fn keepalive(&self) -> f64 {
        live::KEEPALIVE_MS
    }
}

/// Counts of one import (see `core::live::ImportProgress`).
#[wasm_bindgen(skip_typescript)]
pub struct LiveImport(ImportProgress);

#[wasm_bindgen]
impl LiveImport {
    pub fn add(&mut self, id: &str, expected: f64) {
        self.0.add_task(id, expected as u64);
    }
    pub fn seal(&mut self) {
        self.0.seal();
    }
    pub fn message(&mut self, text: &str) -> bool {
        self.0.on_message(text)
    }
    pub fn imported(&self) -> f64 {
        self.0.imported() as f64
    }
    pub fn total(&self) -> f64 {
        self.0.total() as f64
    }
    pub fn tasks(&self) -> u32 {
        self.0.task_count() as u32
    }
    pub fn finished(&self) -> u32 {
        self.0.finished() as u32
    }
    pub fn complete(&self) -> bool {
        self.0.is_complete()
    }
    pub fn ids(&self) -> Array {
        self.0.ids().map(JsValue::from_str).collect()
    }
}

fn to_value(v: &JsValue, field: &str) -> Result<Value> {
    if v.is_undefined() || v.is_null() {
        return Ok(Value::Null);
    }
    crate::core::json::parse(&stringify(v, field)?).map_err(|_| Error::validation(field, "is not JSON-serializable"))
}


fn rejected_js(list: &[Rejected], key: &str) -> Array {
    list.iter()
        .map(|r| {
            let o = Object::new();
            set(&o, key, &JsValue::from_f64(r.at as f64));
            set(&o, "value", &JsValue::from_str(&r.value));
            set(&o, "reason", &JsValue::from_str(&r.reason));
            JsValue::from(o)
        })
        .collect()
}

fn js_err(e: Error) -> JsValue {
    errors::to_js(&e)
}

/// Posts the batches of an import (each answers 202 `{task_id}`) and hands back the
/// `ImportTask`, which was subscribed to the LiveAPI before the first post.
async fn start_import(core: Rc<ClientCore>, slot: JsValue, batches: Vec<(u64, Request)>, rejected: Array, ctx: CallContext) -> std::result::Result<JsValue, JsValue> {
    let url = match get(&slot, "url").as_string() {
        Some(u) => u,
        None => live::live_url(core.config.base.as_str()).map_err(js_err)?,
    };
    let key = match &core.config.auth {
        crate::core::request::Auth::Bearer(k) => k.expose().to_string(),
        _ => String::new(),
    };
    let task = import_task(&slot, &url, &key, LiveProtocol, LiveImport(ImportProgress::default()), &rejected);
    let (ids, expected) = (Array::new(), Array::new());
    for (n, req) in &batches {
        match core.send(req, &ctx, Array::new()).await {
            Ok(ok) => match get(&ok.body, "task_id").as_string() {
                Some(id) => {
                    ids.push(&id.into());
                    expected.push(&JsValue::from_f64(*n as f64));
                }
                None => {
                    let e = js_err(Error::Decode { message: "an import answer must hold a task_id".into(), status: ok.head.status, attempts: ok.attempts });
                    task_failed(&task, &e);
                    return Err(e);
                }
            },
            Err(e) => {
                let e = js_err(e);
                let _ = Reflect::set(&e, &"taskIds".into(), &ids);
                task_failed(&task, &e);
                return Err(e);
            }
        }
    }
    task_submitted(&task, &ids, &expected);
    Ok(task)
}

/// A search job: `status`, `wait()`, `events()`, `cancel()`.
#[wasm_bindgen]
pub struct SearchJob {
    core: Rc<ClientCore>,
    uuid: String,
    info: Rc<RefCell<JsValue>>,
}

#[wasm_bindgen]
impl Sekoia {
    // ---- IOC collections ----

    /// The IOC-collection methods below under short names (`IocCollections`), as in
    /// `sekoia.iocCollections.importText(id, { indicators })`. Each is the flat method of this
    /// client (same guard, same LiveAPI connection), not a copy.
    #[wasm_bindgen(getter = iocCollections, unchecked_return_type = "IocCollections")]
    pub fn ioc_collections(&self) -> JsValue {
        // The view calls a second handle on the same client state: a getter cannot reach its JS
        // `this`. Held here, not in the LiveAPI slot the handle also holds, so no cycle outlives us.
        let view = || collections_view(Sekoia { core: self.core.clone(), live: self.live.clone(), collections: Default::default() }.into());
        self.collections.get_or_init(view).clone()
    }

    #[wasm_bindgen(js_name = createIocCollection, unchecked_return_type = "Promise<any>")]
    pub fn create_ioc_collection(&self, #[wasm_bindgen(unchecked_param_type = "IocCollectionInput")] collection: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = to_value(&collection, "collection").and_then(|v| coll::create(&self.core.config, &v));
        call(self.core.clone(), req, options, identity)
    }

    /// Collections of the community, page by page.
    #[wasm_bindgen(js_name = listIocCollections, unchecked_return_type = "ListIterator")]
    pub fn list_ioc_collections(&self, #[wasm_bindgen(unchecked_optional_param_type = "IocCollectionListOptions")] options: JsValue) -> std::result::Result<JsValue, JsValue> {
        let run = || -> Result<JsValue> {
            let o = Opts::new(&options, "")?;
            let term = o.string("term")?;
            let communities = match to_value(&options, "options")?.get("communityUuids") {
                Some(Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
                _ => Vec::new(),
            };
            let with_count = o.bool("withIndicatorsCount")?.unwrap_or(false);
            let (paging, ctx) = paging_options(&o, 100, coll::MAX_PAGE)?;
            let cfg = self.core.config.clone();
            Ok(list_iterator(self.core.clone(), paging, ctx, Box::new(move |off, lim| coll::list(&cfg, term.as_deref(), &communities, with_count, off, lim))))
        };
        run().map_err(js_err)
    }

    #[wasm_bindgen(js_name = getIocCollection, unchecked_return_type = "Promise<any>")]
    pub fn get_ioc_collection(&self, #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        call(self.core.clone(), string_arg(&id, "id").and_then(|id| coll::get(&self.core.config, &id)), options, identity)
    }

    #[wasm_bindgen(js_name = updateIocCollection, unchecked_return_type = "Promise<any>")]
    pub fn update_ioc_collection(&self, #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue, #[wasm_bindgen(unchecked_param_type = "Partial<IocCollectionInput>")] changes: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = string_arg(&id, "id").and_then(|id| coll::update(&self.core.config, &id, &to_value(&changes, "changes")?));
        call(self.core.clone(), req, options, identity)
    }

    #[wasm_bindgen(js_name = deleteIocCollection, unchecked_return_type = "Promise<void>")]
    pub fn delete_ioc_collection(&self, #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        call(self.core.clone(), string_arg(&id, "id").and_then(|id| coll::delete(&self.core.config, &id)), options, |_| JsValue::UNDEFINED)
    }

    /// IOCs used by the community vs the quota (500 000 over all its collections).
    #[wasm_bindgen(js_name = iocQuota, unchecked_return_type = "Promise<IocQuota>")]
    pub fn ioc_quota(&self, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions & { communityUuid?: string }")] options: JsValue) -> js_sys::Promise {
        let req = Opts::new(&options, "").and_then(|o| o.string("communityUuid")).and_then(|c| coll::count_total(&self.core.config, c.as_deref()));
        call(self.core.clone(), req, options, |body| {
            let count = get(&body, "count").as_f64().unwrap_or(0.0);
            let max = get(&body, "max").as_f64().unwrap_or(coll::QUOTA as f64);
            let _ = Reflect::set(&body, &"max".into(), &max.into());
            let _ = Reflect::set(&body, &"remaining".into(), &(max - count).max(0.0).into());
            body
        })
    }

    #[wasm_bindgen(js_name = listCollectionIndicators, unchecked_return_type = "ListIterator")]
    pub fn list_collection_indicators(&self, #[wasm_bindgen(unchecked_param_type = "string")] collection_id: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "ListOptions & { term?: string }")] options: JsValue) -> std::result::Result<JsValue, JsValue> {
        let run = || -> Result<JsValue> {
            let cid = string_arg(&collection_id, "collectionId")?;
            let o = Opts::new(&options, "")?;
            let term = o.string("term")?;
            let (paging, ctx) = paging_options(&o, 100, coll::MAX_PAGE)?;
            coll::list_indicators(&self.core.config, &cid, None, 0, 1)?;
            let cfg = self.core.config.clone();
            Ok(list_iterator(self.core.clone(), paging, ctx, Box::new(move |off, lim| coll::list_indicators(&cfg, &cid, term.as_deref(), off, lim))))
        };
        run().map_err(js_err)
    }

    /// Updates description, validity, kill chain phases or related threats (never the value).
    #[wasm_bindgen(js_name = updateCollectionIndicator, unchecked_return_type = "Promise<any>")]
    pub fn update_collection_indicator(&self, #[wasm_bindgen(unchecked_param_type = "string")] collection_id: JsValue, #[wasm_bindgen(unchecked_param_type = "string")] indicator_id: JsValue, #[wasm_bindgen(unchecked_param_type = "IndicatorFields")] changes: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = (|| coll::update_indicator(&self.core.config, &string_arg(&collection_id, "collectionId")?, &string_arg(&indicator_id, "indicatorId")?, &to_value(&changes, "changes")?))();
        call(self.core.clone(), req, options, identity)
    }

    /// Revokes an indicator (resolves to it).
    #[wasm_bindgen(js_name = revokeCollectionIndicator, unchecked_return_type = "Promise<any>")]
    pub fn revoke_collection_indicator(&self, #[wasm_bindgen(unchecked_param_type = "string")] collection_id: JsValue, #[wasm_bindgen(unchecked_param_type = "string")] indicator_id: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        self.indicator_call(collection_id, indicator_id, options, 0)
    }

    /// Deletes for good an indicator revoked at least 24 h earlier.
    #[wasm_bindgen(js_name = deleteCollectionIndicator, unchecked_return_type = "Promise<void>")]
    pub fn delete_collection_indicator(&self, #[wasm_bindgen(unchecked_param_type = "string")] collection_id: JsValue, #[wasm_bindgen(unchecked_param_type = "string")] indicator_id: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        self.indicator_call(collection_id, indicator_id, options, 1)
    }

    #[wasm_bindgen(js_name = collectionIndicatorContext, unchecked_return_type = "Promise<any>")]
    pub fn collection_indicator_context(&self, #[wasm_bindgen(unchecked_param_type = "string")] collection_id: JsValue, #[wasm_bindgen(unchecked_param_type = "string")] indicator_id: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        self.indicator_call(collection_id, indicator_id, options, 2)
    }

    /// Synchronous JSON import of any number of values, in calls of ≤ 100; values that are no
    /// importable IOC are returned in `rejected` and not sent. A failed call is reported in
    /// its chunk and the others go on (an abort or deadline stops everything).
    #[wasm_bindgen(js_name = importIndicators, unchecked_return_type = "Promise<JsonImportResult>")]
    pub fn import_indicators(&self, #[wasm_bindgen(unchecked_param_type = "string")] collection_id: JsValue, #[wasm_bindgen(unchecked_param_type = "JsonImportOptions")] import: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let core = self.core.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let prep = (|| {
                let cid = string_arg(&collection_id, "collectionId")?;
                let v = to_value(&import, "import")?;
                let list = v.get("indicators").and_then(Value::as_array).ok_or_else(|| Error::validation("indicators", "must be an array"))?;
                let io = Opts::new(&import, "")?;
                let chunk = io.integer("chunkSize", 1.0, coll::JSON_CHUNK as f64)?.unwrap_or(coll::JSON_CHUNK as u32);
                let on_progress = io.function("onProgress")?;
                let ctx = CallContext::parse(&Opts::new(&options, "")?)?;
                Ok::<_, Error>((coll::json_import(&core.config, &cid, list, v.get("defaultFields").unwrap_or(&Value::Null), chunk as usize)?, ctx, on_progress))
            })();
            let (plan, ctx, on_progress) = prep.map_err(js_err)?;
            let (chunks, items) = (Array::new(), Array::new());
            let mut imported = 0.0;
            for (i, (idx, req)) in plan.chunks.iter().enumerate() {
                let c = Object::new();
                set(&c, "index", &JsValue::from_f64(i as f64));
                set(&c, "sent", &JsValue::from_f64(idx.len() as f64));
                match core.send(req, &ctx, Array::new()).await {
                    Ok(ok) => {
                        let got = get(&ok.body, "items");
                        let got: Array = if Array::is_array(&got) { got.unchecked_into() } else { Array::new() };
                        imported += got.length() as f64;
                        for x in got.iter() {
                            items.push(&x);
                        }
                        set(&c, "ok", &JsValue::TRUE);
                        set(&c, "items", &got);
                    }
                    Err(e @ (Error::Abort { .. } | Error::Timeout { kind: crate::core::error::TimeoutKind::Deadline, .. })) => return Err(js_err(e)),
                    Err(e) => {
                        set(&c, "ok", &JsValue::FALSE);
                        set(&c, "error", &js_err(e));
                    }
                }
                chunks.push(&c);
                if let Some(f) = &on_progress {
                    report_progress(f, i + 1, plan.chunks.len(), &[("imported", &JsValue::from_f64(imported)), ("chunk", &c)])?;
                }
            }
            let out = Object::new();
            set(&out, "imported", &JsValue::from_f64(imported));
            set(&out, "items", &items);
            set(&out, "chunks", &chunks);
            set(&out, "rejected", &rejected_js(&plan.rejected, "index"));
            Ok(out.into())
        })
    }

    /// Asynchronous text import: values checked locally (rejects reported, not sent), sent in
    /// batches (`batchSize`, default 1000) of one task each; progress over the LiveAPI.
    #[wasm_bindgen(js_name = importText, unchecked_return_type = "Promise<ImportTask>")]
    pub fn import_text(&self, #[wasm_bindgen(unchecked_param_type = "string")] collection_id: JsValue, #[wasm_bindgen(unchecked_param_type = "TextImportOptions")] options: JsValue) -> js_sys::Promise {
        let prep = (|| {
            let cid = string_arg(&collection_id, "collectionId")?;
            let o = Opts::new(&options, "")?;
            let raw = o.raw("indicators").ok_or_else(|| Error::validation("indicators", "is required"))?;
            let lines: Vec<String> = if let Some(s) = raw.as_string() {
                s.split('\n').map(|l| l.trim_end_matches('\r').to_string()).collect()
            } else if Array::is_array(&raw) {
                Array::from(&raw).iter().map(|x| x.as_string().ok_or_else(|| Error::validation("indicators", "must be a string or an array of strings"))).collect::<Result<_>>()?
            } else {
                return Err(Error::validation("indicators", "must be a string or an array of strings"));
            };
            let batch = o.integer("batchSize", 1.0, coll::MAX_TEXT_BATCH as f64)?.unwrap_or(coll::DEFAULT_TEXT_BATCH as u32);
            let mut v = to_value(&options, "options")?;
            if let Some(m) = v.as_object_mut() {
                m.remove("indicators");
            }
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            let plan = coll::text_import(&self.core.config, &cid, &refs, &*crate::providers::sekoia::wire::object(&v, "options")?, batch as usize)?;
            Ok::<_, Error>((plan, CallContext::parse(&o)?))
        })();
        let (core, slot) = (self.core.clone(), self.live.clone());
        wasm_bindgen_futures::future_to_promise(async move {
            let (plan, ctx) = prep.map_err(js_err)?;
            start_import(core, slot, plan.batches, rejected_js(&plan.rejected, "line"), ctx).await
        })
    }

    /// Uploads a CSV/XLS/XLSX file (`Blob`, `File`, `Uint8Array`) for preview: resolves to
    /// `{ file_handle, preview, mapping, ignore_first_line }` as the server sent it.
    #[wasm_bindgen(js_name = previewFile, unchecked_return_type = "Promise<any>")]
    pub fn preview_file(&self, #[wasm_bindgen(unchecked_param_type = "string")] collection_id: JsValue, #[wasm_bindgen(unchecked_param_type = "Blob | Uint8Array | ArrayBuffer")] file: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "FilePreviewOptions")] options: JsValue) -> js_sys::Promise {
        let core = self.core.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let run = async {
                let cid = string_arg(&collection_id, "collectionId")?;
                let o = Opts::new(&options, "")?;
                let name = o.string("filename")?.or_else(|| get(&file, "name").as_string().filter(|n| !n.is_empty()));
                let given = o.string("contentType")?.or_else(|| get(&file, "type").as_string());
                let (filename, mime) = coll::file_type(name.as_deref(), given.as_deref())?;
                if file.is_string() || super::part_kind(&file) == "invalid" {
                    return Err(Error::validation("file", "must be a Blob, File, Uint8Array or ArrayBuffer"));
                }
                let spec = Object::new();
                set(&spec, "value", &file);
                set(&spec, "filename", &filename.into());
                set(&spec, "contentType", &mime.into());
                let parts = Object::new();
                set(&parts, "file", &spec);
                let attachments = Array::new();
                let part = parse_multipart(&parts, &attachments)?.remove(0);
                let req = coll::file_preview(&core.config, &cid, part)?;
                let ctx = CallContext::parse(&o)?;
                Ok::<JsValue, Error>(core.send(&req, &ctx, attachments).await?.body)
            };
            run.await.map_err(js_err)
        })
    }

    /// Imports a previewed file (`mapping`, `ignoreFirstLine`, common fields) → an ImportTask.
    #[wasm_bindgen(js_name = processFile, unchecked_return_type = "Promise<ImportTask>")]
    pub fn process_file(&self, #[wasm_bindgen(unchecked_param_type = "string")] collection_id: JsValue, #[wasm_bindgen(unchecked_param_type = "string")] file_handle: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "FileProcessOptions")] options: JsValue) -> js_sys::Promise {
        let prep = (|| {
            let v = to_value(&options, "options")?;
            let m = crate::providers::sekoia::wire::object(&v, "options")?.into_owned();
            let req = coll::file_process(&self.core.config, &string_arg(&collection_id, "collectionId")?, &string_arg(&file_handle, "fileHandle")?, &m)?;
            Ok::<_, Error>((req, CallContext::parse(&Opts::new(&options, "")?)?))
        })();
        let (core, slot) = (self.core.clone(), self.live.clone());
        wasm_bindgen_futures::future_to_promise(async move {
            let (req, ctx) = prep.map_err(js_err)?;
            // The number of rows is the server's business: 0 until its first progress message.
            start_import(core, slot, vec![(0, req)], Array::new(), ctx).await
        })
    }

    // ---- event search ----

    /// Starts an event search job.
    #[wasm_bindgen(js_name = searchEvents, unchecked_return_type = "Promise<SearchJob>")]
    pub fn search_events(&self, #[wasm_bindgen(unchecked_param_type = "EventSearch")] search: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let core = self.core.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let run = async {
                let req = jobs::create(&core.config, &to_value(&search, "search")?)?;
                let ctx = CallContext::parse(&Opts::new(&options, "")?)?;
                let ok = core.send(&req, &ctx, Array::new()).await?;
                let uuid = get(&ok.body, "uuid").as_string().ok_or_else(|| Error::Decode { message: "a search job answer must hold a uuid".into(), status: ok.head.status, attempts: ok.attempts })?;
                Ok::<JsValue, Error>(SearchJob { core: core.clone(), uuid, info: Rc::new(RefCell::new(ok.body)) }.into())
            };
            run.await.map_err(js_err)
        })
    }

    /// An existing search job by uuid (nothing is sent until you call a method).
    #[wasm_bindgen(js_name = searchJob)]
    pub fn search_job(&self, #[wasm_bindgen(unchecked_param_type = "string")] uuid: JsValue) -> std::result::Result<SearchJob, JsValue> {
        let uuid = string_arg(&uuid, "uuid").map_err(js_err)?;
        jobs::get(&self.core.config, &uuid).map_err(js_err)?;
        Ok(SearchJob { core: self.core.clone(), uuid, info: Rc::new(RefCell::new(JsValue::NULL)) })
    }

    // ---- rules catalog ----

    #[wasm_bindgen(js_name = listRules, unchecked_return_type = "ListIterator")]
    pub fn list_rules(&self, #[wasm_bindgen(unchecked_optional_param_type = "RuleListOptions")] options: JsValue) -> std::result::Result<JsValue, JsValue> {
        let run = || -> Result<JsValue> {
            let q = rules::list_query(&to_value(&options, "options")?)?;
            let (paging, ctx) = paging_options(&Opts::new(&options, "")?, 100, rules::MAX_PAGE)?;
            let cfg = self.core.config.clone();
            Ok(list_iterator(self.core.clone(), paging, ctx, Box::new(move |off, lim| rules::list(&cfg, &q, off, lim))))
        };
        run().map_err(js_err)
    }

    #[wasm_bindgen(js_name = getRule, unchecked_return_type = "Promise<any>")]
    pub fn get_rule(&self, #[wasm_bindgen(unchecked_param_type = "string")] uuid: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        call(self.core.clone(), string_arg(&uuid, "uuid").and_then(|u| rules::get(&self.core.config, &u)), options, identity)
    }

    /// Creates a rule; the required fields are checked before anything is sent.
    #[wasm_bindgen(js_name = createRule, unchecked_return_type = "Promise<any>")]
    pub fn create_rule(&self, #[wasm_bindgen(unchecked_param_type = "RuleInput")] rule: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        call(self.core.clone(), to_value(&rule, "rule").and_then(|v| rules::create(&self.core.config, &v)), options, identity)
    }

    #[wasm_bindgen(js_name = updateRule, unchecked_return_type = "Promise<any>")]
    pub fn update_rule(&self, #[wasm_bindgen(unchecked_param_type = "string")] uuid: JsValue, #[wasm_bindgen(unchecked_param_type = "Partial<RuleInput>")] rule: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = string_arg(&uuid, "uuid").and_then(|u| rules::update(&self.core.config, &u, &to_value(&rule, "rule")?));
        call(self.core.clone(), req, options, identity)
    }

    #[wasm_bindgen(js_name = deleteRule, unchecked_return_type = "Promise<void>")]
    pub fn delete_rule(&self, #[wasm_bindgen(unchecked_param_type = "string")] uuid: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        call(self.core.clone(), string_arg(&uuid, "uuid").and_then(|u| rules::delete(&self.core.config, &u)), options, |_| JsValue::UNDEFINED)
    }

    /// Enables one rule (a uuid: resolves to the rule) or many (an array of uuids, sent as the
    /// `match[uuid]` filter of the API's bulk switch: resolves when done).
    #[wasm_bindgen(js_name = enableRules, unchecked_return_type = "Promise<any>")]
    pub fn enable_rules(&self, #[wasm_bindgen(unchecked_param_type = "string | string[]")] uuids: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        self.switch_rules(uuids, options, true)
    }

    /// Disables one rule (a uuid: resolves to the rule) or many (an array of uuids, sent as the
    /// `match[uuid]` filter of the API's bulk switch: resolves when done).
    #[wasm_bindgen(js_name = disableRules, unchecked_return_type = "Promise<any>")]
    pub fn disable_rules(&self, #[wasm_bindgen(unchecked_param_type = "string | string[]")] uuids: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        self.switch_rules(uuids, options, false)
    }
}

impl Sekoia {
    fn indicator_call(&self, cid: JsValue, iid: JsValue, options: JsValue, which: u8) -> js_sys::Promise {
        let req = (|| {
            let (cid, iid) = (string_arg(&cid, "collectionId")?, string_arg(&iid, "indicatorId")?);
            let cfg = &self.core.config;
            match which {
                0 => coll::delete_indicator(cfg, &cid, &iid, false),
                1 => coll::delete_indicator(cfg, &cid, &iid, true),
                _ => coll::indicator_context(cfg, &cid, &iid),
            }
        })();
        call(self.core.clone(), req, options, if which == 1 { |_| JsValue::UNDEFINED } else { identity })
    }

    fn switch_rules(&self, uuids: JsValue, options: JsValue, enabled: bool) -> js_sys::Promise {
        let req = if let Some(u) = uuids.as_string() {
            rules::set_enabled(&self.core.config, &u, enabled)
        } else {
            to_value(&uuids, "uuids").and_then(|v| {
                let list: Vec<String> = v.as_array().ok_or_else(|| Error::validation("uuids", "must be a uuid or an array of uuids"))?.iter().map(|x| x.as_str().unwrap_or("").to_string()).collect();
                rules::set_enabled_bulk(&self.core.config, &list, enabled)
            })
        };
        call(self.core.clone(), req, options, identity)
    }
}

fn job_error(uuid: &str, body: &JsValue, state: jobs::JobState) -> JsValue {
    let props = Object::new();
    let (name, what) = if state == jobs::JobState::Canceled { ("canceled", "was canceled") } else { ("failed", "failed") };
    set(&props, "jobId", &JsValue::from_str(uuid));
    set(&props, "status", &get(body, "status"));
    set(&props, "statusName", &JsValue::from_str(name));
    set(&props, "job", body);
    set(&props, "attempts", &JsValue::from(0));
    super::make_error("SearchJobError", &format!("search job {uuid} {what}"), &props)
}

#[wasm_bindgen]
impl SearchJob {
    #[wasm_bindgen(getter)]
    pub fn uuid(&self) -> String {
        self.uuid.clone()
    }

    /// The last known status (0 not started, 1 running, 2 done, 3 canceled, 4 failed), null before any answer.
    #[wasm_bindgen(getter, unchecked_return_type = "number | null")]
    pub fn status(&self) -> JsValue {
        let s = get(&self.info.borrow(), "status");
        if s.is_undefined() { JsValue::NULL } else { s }
    }

    /// The last job info the server sent.
    #[wasm_bindgen(getter, unchecked_return_type = "any")]
    pub fn info(&self) -> JsValue {
        self.info.borrow().clone()
    }

    /// Polls until the job is done (resolves with its info); a canceled or failed job
    /// rejects with a `SearchJobError`. `onProgress(info)` is called after each poll.
    #[wasm_bindgen(unchecked_return_type = "Promise<any>")]
    pub fn wait(&self, #[wasm_bindgen(unchecked_optional_param_type = "JobWaitOptions")] options: JsValue) -> js_sys::Promise {
        let (core, uuid, info) = (self.core.clone(), self.uuid.clone(), self.info.clone());
        wasm_bindgen_futures::future_to_promise(async move {
            let o = Opts::new(&options, "").map_err(js_err)?;
            let (ctx, on_progress, poll) = (|| Ok::<_, Error>((CallContext::parse(&o)?, o.function("onProgress")?, jobs::poll_ms(o.number("pollMs", 0.0, 3_600_000.0)?))))().map_err(js_err)?;
            let req = jobs::get(&core.config, &uuid).map_err(js_err)?;
            loop {
                let body = core.send(&req, &ctx, Array::new()).await.map_err(js_err)?.body;
                *info.borrow_mut() = body.clone();
                let status = get(&body, "status");
                match jobs::job_state(jobs::status_number(status.as_f64(), status.as_string().as_deref())) {
                    jobs::JobState::Done => return Ok(body),
                    jobs::JobState::Pending => {}
                    other => return Err(job_error(&uuid, &body, other)),
                }
                if let Some(f) = &on_progress {
                    f.call1(&JsValue::UNDEFINED, &body)?;
                }
                // Never sleep past the deadline: the next poll then fails with the deadline error.
                let wait = ctx.call.deadline_ms.map_or(poll, |d| poll.min((d - super::now_ms()).max(0.0)));
                let p = super::js_sleep(wait, &ctx.signal).map_err(|_| js_err(Error::Abort { attempts: 0 }))?;
                JsFuture::from(p).await.map_err(|_| js_err(Error::Abort { attempts: 0 }))?;
            }
        })
    }

    /// Events of the job, page by page (`limit` 1–1000, default 1000) up to `total`.
    /// An expired job rejects with a `GoneError` (410).
    #[wasm_bindgen(unchecked_return_type = "ListIterator")]
    pub fn events(&self, #[wasm_bindgen(unchecked_optional_param_type = "ListOptions")] options: JsValue) -> std::result::Result<JsValue, JsValue> {
        let o = Opts::new(&options, "").map_err(js_err)?;
        let (paging, ctx) = paging_options(&o, jobs::MAX_EVENTS_PAGE, jobs::MAX_EVENTS_PAGE).map_err(js_err)?;
        let (cfg, uuid) = (self.core.config.clone(), self.uuid.clone());
        Ok(list_iterator(self.core.clone(), paging, ctx, Box::new(move |off, lim| jobs::events(&cfg, &uuid, off, lim))))
    }

    /// Cancels a pending or running job; resolves with its info.
    #[wasm_bindgen(unchecked_return_type = "Promise<any>")]
    pub fn cancel(&self, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        call(self.core.clone(), jobs::cancel(&self.core.config, &self.uuid), options, identity)
    }

    /// Fetches the job info now.
    #[wasm_bindgen(unchecked_return_type = "Promise<any>")]
    pub fn refresh(&self, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let (core, info) = (self.core.clone(), self.info.clone());
        let req = jobs::get(&core.config, &self.uuid);
        wasm_bindgen_futures::future_to_promise(async move {
            let run = async {
                let ctx = CallContext::parse(&Opts::new(&options, "")?)?;
                let body = core.send(&req?, &ctx, Array::new()).await?.body;
                *info.borrow_mut() = body.clone();
                Ok::<JsValue, Error>(body)
            };
            run.await.map_err(js_err)
        })
    }
}
