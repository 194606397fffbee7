//! NetworkSage methods: upload, samples, secflows, community metadata lookups, the aggregated
//! view (bounded, de-duplicated lookups), public ids and waiting for processing. Requests and
//! every decision are in `providers/networksage/api.rs`; this file reads JS values and sends.
//!
//! Envelope rule: every body is `{error, body}`. A non-2xx status is an `ApiError` subclass by
//! status (the engine reads the envelope's message); a 2xx whose envelope says `error: true`
//! is a plain `ApiError` with that `status` (200), `code: "ENVELOPE_ERROR"` and the server's
//! message; a 2xx that is no envelope is a `DecodeError`.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::client::{CallContext, ClientCore};
use super::errors;
use super::options::{report_progress, set, string_arg, Opts};
use super::vendors::NetworkSage;
use crate::core::concurrent;
use crate::core::error::{Error, Result};
use crate::core::request::Request;
use crate::providers::networksage::api::{self, Envelope, JsonView, SampleType};

#[wasm_bindgen(module = "/src/js/runtime.js")]
extern "C" {
    #[wasm_bindgen(js_name = headBytes)]
    fn head_bytes(v: &JsValue, n: u32) -> js_sys::Promise;
}

#[wasm_bindgen(typescript_custom_section)]
const TS_NETWORKSAGE: &'static str = r#"
export type SampleType = "pcap" | "pcapng" | "zeek" | "secflow";
/** A file to upload: bytes never cross into wasm memory. */
export type SampleFile = Blob | Uint8Array | ArrayBuffer;

export interface UploadSampleOptions extends CallOptions {
  type: SampleType;
  /** The `fileName` sent. Default: the File's name, else sample.pcap / sample.pcapng / conn.log / secflows.json. */
  name?: string;
  /** The Zeek dns.log, sent as `zeekDnsFile` (type "zeek" only). */
  dnsLog?: SampleFile;
  /** Refuse a file whose first bytes do not match `type` (pcap/pcapng magic, Zeek `#`/`{`, JSON) before sending. Default true. */
  checkFormat?: boolean;
}

/** One record of `listSamples()`. */
export interface UploadRecord {
  fileName: string;
  /** The private sample id. */
  uuid: string;
  processed: boolean;
  /** Contains `date=<YYYY-MM-DDTHH:MM:SS.ffffff>/` (UTC). */
  fullS3FilePath: string;
  /** `DD/MM/YYYY HH:MM:SS` */
  dateCreated: string;
  /** Absent until processed. */
  dateProcessed?: string;
  fileType: string;
  [field: string]: unknown;
}

export interface SampleMetadata {
  dateCreated: string;
  /** Server-generated, not the uploaded name. */
  fileName: string;
  /** Epoch seconds as a string; "" until processing is finished. */
  trafficDate: string;
  /** The owner id (first half of the public id). */
  id: string;
  /** The sample id (second half of the public id). */
  hash: string;
  [field: string]: unknown;
}

/** A flow summary. Numbers are strings, as the API sends them. */
export interface Secflow {
  flowId: string;
  /** `name-or-IP:port` */
  destinationData: string;
  destinationNameSource: "cache" | "passive" | "active" | "original" | (string & {});
  destinationBytes: string;
  destinationPackets: string;
  sourceData: string;
  sourceBytes: string;
  sourcePackets: string;
  /** Seconds, as a decimal string. */
  duration: string;
  /** Seconds into the sample. */
  relativeStart: string;
  flowCategory: string;
  eventId?: string;
  [field: string]: unknown;
}

/** Community metadata: `{}` when the platform knows nothing. */
export interface CommunityInfo {
  title?: string;
  description?: string;
  relevance?: string;
  tags?: string[];
  [field: string]: unknown;
}
export type DestinationInfo = CommunityInfo;
export type BehaviorInfo = CommunityInfo;
export type EventInfo = CommunityInfo;

/** One flow of the aggregated view, the same shape for public and private samples. */
export interface AggregatedActivity {
  secflow: Secflow;
  destination: DestinationInfo;
  behavior: BehaviorInfo;
  /** `{}` when the flow has no `eventId`. */
  event: EventInfo;
  /** How many samples on the platform contain this flowId. */
  flowIdCount: number;
}

export interface AggregatedOptions extends CallOptions {
  /** Lookups in flight at once for a private sample (1–16, default 4). The client's rate limit applies too. */
  concurrency?: number;
  /** Called after each metadata lookup of a private sample (a public view is one request). What it throws stops the lookups and rejects the call. */
  onProgress?: (progress: { done: number; total: number }) => void;
}

export interface ProcessingPoll {
  /** 1 for the first check. */
  attempt: number;
  processed: boolean;
  elapsedMs: number;
  metadata: SampleMetadata | null;
  /** An envelope error the server answered this poll with (treated as "not yet"). */
  error?: Error;
}

export interface WaitForProcessingOptions {
  /** Between checks (default 5 000 ms, minimum 100). The first check is immediate. */
  intervalMs?: number;
  /** Give up with a TimeoutError (kind "deadline") at this time. Default: 10 minutes from now; null for none. */
  deadline?: Date | number | null;
  signal?: AbortSignal;
  /** Per-request timeout in ms. */
  timeoutMs?: number;
  /** Called after every check. */
  onPoll?: (poll: ProcessingPoll) => void;
}

export interface UploadedSampleOptions extends CallOptions {
  /** When the upload happened (Date or epoch ms). */
  uploadedAt: Date | number;
  /** Largest accepted distance between `uploadedAt` and the recorded upload time (default 60 000 ms). */
  windowMs?: number;
  /** Return the public id instead of the private one (one more request). */
  public?: boolean;
}

export interface PublicIdParts {
  ownerId: string;
  sampleId: string;
}

/** The forms without (or with fewer) trailing options (merged into the class). */
export interface NetworkSage {
  listSamples(options?: CallOptions): Promise<UploadRecord[]>;
  sampleMetadata(sampleId: string, options?: CallOptions): Promise<SampleMetadata>;
  secflows(sampleId: string, options?: CallOptions): Promise<Secflow[]>;
  publicSecflows(publicId: string, options?: CallOptions): Promise<Secflow[]>;
  globalCount(flowId: string, options?: CallOptions): Promise<number>;
  destination(nameAndPort: string, options?: CallOptions): Promise<DestinationInfo>;
  destination(name: string, port: number, options?: CallOptions): Promise<DestinationInfo>;
  behavior(flowId: string, options?: CallOptions): Promise<BehaviorInfo>;
  event(eventId: string, options?: CallOptions): Promise<EventInfo>;
  aggregated(sampleOrPublicId: string, options?: AggregatedOptions): Promise<AggregatedActivity[]>;
  waitForProcessing(sampleId: string, options?: WaitForProcessingOptions): Promise<SampleMetadata>;
  publicId(sampleId: string, options?: CallOptions): Promise<string>;
}
"#;

impl JsonView for JsValue {
    fn field(&self, key: &str) -> Option<Self> {
        if !self.is_object() {
            return None;
        }
        let v = Reflect::get(self, &JsValue::from_str(key)).ok()?;
        if v.is_undefined() { None } else { Some(v) }
    }
    fn is_object(&self) -> bool {
        JsValue::is_object(self) && !Array::is_array(self) && !self.is_function()
    }
    fn truthy(&self) -> bool {
        self.is_truthy()
    }
    fn text(&self) -> Option<String> {
        self.as_string()
    }
    fn number(&self) -> Option<f64> {
        let n = match self.as_string() {
            Some(s) if s.trim().is_empty() => return None,
            Some(s) => js_sys::Number::parse_float(&s),
            None => self.as_f64()?,
        };
        (!n.is_nan()).then_some(n)
    }
}

fn js(e: Error) -> JsValue {
    errors::to_js(&e)
}



/// Sends `req` and opens the envelope: the payload, or the typed error. Boxed: one copy.
fn send_env<'a>(core: &'a ClientCore, req: &'a Request, ctx: &'a CallContext, attachments: Array) -> Pin<Box<dyn Future<Output = Result<JsValue>> + 'a>> {
    Box::pin(async move {
        let ok = core.send(req, ctx, attachments).await?;
        match api::open_envelope(&ok.body) {
            Envelope::Body(b) => Ok(b),
            Envelope::Error(message) => {
                let text = js_sys::JSON::stringify(&ok.body).ok().and_then(|s| s.as_string());
                Err(core.engine.redactor.redact_error(api::envelope_error(&ok.head, message, text, req, ok.attempts)))
            }
            Envelope::Malformed(why) => Err(api::malformed(why, ok.head.status, ok.attempts)),
        }
    })
}

type Op = Pin<Box<dyn Future<Output = std::result::Result<JsValue, JsValue>>>>;

/// The one `future_to_promise` of this file: every method's future is boxed into it, so the
/// promise glue exists once in the wasm instead of once per method.
fn promise(op: Op) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(op)
}

/// One request → the envelope's payload, mapped.
fn call(core: Rc<ClientCore>, req: Result<Request>, options: JsValue, map: fn(JsValue) -> Result<JsValue>) -> js_sys::Promise {
    promise(Box::pin(async move {
        let run = async {
            let ctx = CallContext::parse(&Opts::new(&options, "")?)?;
            let req = req?;
            map(send_env(&core, &req, &ctx, Array::new()).await?)
        };
        run.await.map_err(js)
    }))
}

fn identity(v: JsValue) -> Result<JsValue> {
    Ok(v)
}

fn array_of(v: JsValue, what: &str) -> Result<Array> {
    v.dyn_into::<Array>().map_err(|_| api::malformed(format!("{what}: expected a list"), 200, 1))
}

/// `{}` for a lookup that returned nothing.
fn or_empty(v: Option<&JsValue>) -> JsValue {
    match v {
        Some(v) if !v.is_null() && !v.is_undefined() => v.clone(),
        _ => Object::new().into(),
    }
}

/// The byte length of an upload value, or a ValidationError naming `field`.
fn file_len(v: &JsValue, field: &str) -> Result<f64> {
    let key = match super::part_kind(v).as_str() {
        "blob" => "size",
        "bytes" | "buffer" => "byteLength",
        _ => return Err(Error::validation(field, "must be a Blob, File, Uint8Array or ArrayBuffer")),
    };
    Ok(Reflect::get(v, &JsValue::from_str(key)).ok().and_then(|n| n.as_f64()).unwrap_or(0.0))
}

fn text_of(v: &JsValue, key: &str) -> Option<String> {
    JsonView::field(v, key).and_then(|x| x.as_string())
}

/// Everything `uploadSample` checks and builds before its first await; the type to sniff
/// unless `checkFormat: false`.
#[inline(never)]
fn upload_prepare(core: &ClientCore, file: &JsValue, options: &JsValue) -> Result<(Request, CallContext, Array, Option<SampleType>)> {
    let o = Opts::new(options, "")?;
    let kind = SampleType::parse(&o.required_string("type")?)?;
    let len = file_len(file, "file")?;
    let dns = o.raw("dnsLog").filter(|v| !v.is_null());
    let dns_len = dns.as_ref().map(|d| file_len(d, "dnsLog")).transpose()?;
    let file_name = text_of(file, "name").filter(|n| !n.is_empty());
    let name = o.string("name")?.or(file_name).unwrap_or_else(|| kind.default_name().to_string());
    let req = api::upload(&core.config, kind, &name, len, dns_len)?;
    let ctx = CallContext::parse(&o)?;
    let attachments = Array::of1(file);
    if let Some(d) = &dns {
        attachments.push(d);
    }
    Ok((req, ctx, attachments, o.bool("checkFormat")?.unwrap_or(true).then_some(kind)))
}

async fn upload(core: &ClientCore, file: JsValue, options: JsValue) -> Result<JsValue> {
    let (req, ctx, attachments, sniff) = upload_prepare(core, &file, &options)?;
    if let Some(kind) = sniff {
        let head = JsFuture::from(head_bytes(&file, api::SNIFF_BYTES)).await.map_err(|_| Error::validation("file", "could not be read"))?;
        api::check_format(kind, &Uint8Array::new(&head).to_vec())?;
    }
    let body = send_env(core, &req, &ctx, attachments).await?;
    text_of(&body, "sampleId").filter(|s| !s.is_empty()).map(JsValue::from).ok_or_else(|| api::malformed("the upload response has no sampleId", 200, 1))
}

/// `(request, ctx, concurrency, public, onProgress)`: the public view is one request, a private
/// one starts with the secflows.
#[inline(never)]
fn aggregated_prepare(core: &ClientCore, id: &JsValue, options: &JsValue) -> Result<(Request, CallContext, usize, bool, Option<js_sys::Function>)> {
    let id = string_arg(id, "sampleId")?;
    let o = Opts::new(options, "")?;
    let limit = o.integer("concurrency", 1.0, f64::from(api::MAX_CONCURRENCY))?.unwrap_or(api::DEFAULT_CONCURRENCY);
    let ctx = CallContext::parse(&o)?;
    let public = api::decode_public_id(&id).is_some();
    let req = if public { api::public_aggregated(&core.config, &id)? } else { api::secflows(&core.config, &id)? };
    Ok((req, ctx, limit as usize, public, o.function("onProgress")?))
}

#[inline(never)]
fn aggregated_plan(core: &ClientCore, body: JsValue) -> Result<(Vec<JsValue>, api::Plan, Vec<Request>)> {
    let flows: Vec<JsValue> = array_of(body, "secflows")?.iter().collect();
    let plan = api::plan(&flows)?;
    let reqs = plan.lookups.iter().map(|l| api::lookup_request(&core.config, l)).collect::<Result<Vec<_>>>()?;
    Ok((flows, plan, reqs))
}

#[inline(never)]
fn aggregated_assemble(flows: &[JsValue], plan: &api::Plan, results: &[JsValue]) -> JsValue {
    let out = Array::new();
    for &i in &plan.order {
        let [count, dest, behavior, event] = plan.slots[i].map(|s| s.and_then(|s| results.get(s)));
        let rec = Object::new();
        set(&rec, "secflow", &flows[i]);
        set(&rec, "destination", &or_empty(dest));
        set(&rec, "behavior", &or_empty(behavior));
        set(&rec, "event", &or_empty(event));
        set(&rec, "flowIdCount", count.unwrap_or(&JsValue::NULL));
        out.push(&rec);
    }
    out.into()
}

async fn aggregated(core: &ClientCore, id: JsValue, options: JsValue) -> std::result::Result<JsValue, JsValue> {
    let (req, ctx, limit, public, on_progress) = aggregated_prepare(core, &id, &options).map_err(js)?;
    let body = send_env(core, &req, &ctx, Array::new()).await.map_err(js)?;
    if public {
        return Ok(body);
    }
    let (flows, plan, reqs) = aggregated_plan(core, body).map_err(js)?;
    // What onProgress throws stops the lookups (as an abort) and is what the call rejects with.
    let mut thrown = None;
    let report = |done, total| match on_progress.as_ref().map(|f| report_progress(f, done, total, &[])) {
        Some(Err(e)) => {
            thrown = Some(e);
            Err(Error::Abort { attempts: 0 })
        }
        _ => Ok(()),
    };
    let lookups = reqs.iter().map(|r| send_env(core, r, &ctx, Array::new())).collect();
    match concurrent::bounded(lookups, limit, report).await {
        Ok(results) => Ok(aggregated_assemble(&flows, &plan, &results)),
        Err(e) => Err(thrown.take().unwrap_or_else(|| js(e))),
    }
}

/// The public id from a sample's metadata (`id`, `hash`).
fn public_id_from(meta: &JsValue) -> Result<JsValue> {
    match (text_of(meta, "id"), text_of(meta, "hash")) {
        (Some(owner), Some(hash)) => Ok(api::encode_public_id(&owner, &hash)?.into()),
        _ => Err(api::malformed("the sample metadata has no id/hash to build the public id from", 200, 1)),
    }
}

async fn public_id(core: &ClientCore, sample_id: &str, ctx: &CallContext) -> Result<JsValue> {
    let req = api::sample_metadata(&core.config, sample_id)?;
    public_id_from(&send_env(core, &req, ctx, Array::new()).await?)
}

#[inline(never)]
fn uploaded_prepare(core: &ClientCore, name: &JsValue, options: &JsValue) -> Result<(Request, CallContext, String, f64, f64, bool)> {
    let name = string_arg(name, "fileName")?;
    api::check_file_name(&name).map_err(|_| Error::validation("fileName", "must be a file name"))?;
    let o = Opts::new(options, "")?;
    let at = o.deadline("uploadedAt")?.ok_or_else(|| Error::validation("uploadedAt", "is required (Date or epoch ms)"))?;
    let window = o.number("windowMs", 1.0, 86_400_000.0)?.unwrap_or(60_000.0);
    let public = o.bool("public")?.unwrap_or(false);
    Ok((api::list_uploads(&core.config)?, CallContext::parse(&o)?, name, at, window, public))
}

#[inline(never)]
fn uploaded_find(body: JsValue, name: &str, at: f64, window: f64) -> Result<Option<String>> {
    let records: Vec<JsValue> = array_of(body, "uploads")?.iter().collect();
    Ok(api::find_upload(&records, name, at, window).and_then(|i| text_of(&records[i], "uuid")))
}

async fn uploaded_sample_id(core: &ClientCore, name: JsValue, options: JsValue) -> Result<JsValue> {
    let (req, ctx, name, at, window, public) = uploaded_prepare(core, &name, &options)?;
    let found = uploaded_find(send_env(core, &req, &ctx, Array::new()).await?, &name, at, window)?;
    match found {
        None => Ok(JsValue::NULL),
        Some(uuid) if public => public_id(core, &uuid, &ctx).await,
        Some(uuid) => Ok(uuid.into()),
    }
}

/// Default bound of `waitForProcessing`.
const DEFAULT_WAIT_MS: f64 = 600_000.0;

#[inline(never)]
fn wait_prepare(core: &ClientCore, id: &JsValue, options: &JsValue) -> Result<(Request, CallContext, f64, Option<js_sys::Function>, f64)> {
    let id = string_arg(id, "sampleId")?;
    let o = Opts::new(options, "")?;
    let interval = o.number("intervalMs", 100.0, 3_600_000.0)?.unwrap_or(5_000.0);
    let on_poll = o.function("onPoll")?;
    let mut ctx = CallContext::parse(&o)?;
    let start = super::now_ms();
    if o.raw("deadline").is_none() {
        ctx.call.deadline_ms = Some(start + DEFAULT_WAIT_MS);
    }
    Ok((api::sample_metadata(&core.config, &id)?, ctx, interval, on_poll, start))
}

/// Calls `onPoll({ attempt, processed, elapsedMs, metadata, error? })`; what it throws is
/// passed through as is.
#[inline(never)]
fn report_poll(f: &js_sys::Function, attempt: u32, processed: bool, start: f64, meta: &JsValue, error: &Option<JsValue>) -> std::result::Result<(), JsValue> {
    let poll = Object::new();
    set(&poll, "attempt", &JsValue::from(attempt));
    set(&poll, "processed", &JsValue::from_bool(processed));
    set(&poll, "elapsedMs", &JsValue::from(super::now_ms() - start));
    set(&poll, "metadata", meta);
    if let Some(e) = error {
        set(&poll, "error", e);
    }
    f.call1(&JsValue::UNDEFINED, &poll).map(|_| ())
}

async fn wait_for_processing(core: &ClientCore, id: JsValue, options: JsValue) -> std::result::Result<JsValue, JsValue> {
    let (req, ctx, interval, on_poll, start) = wait_prepare(core, &id, &options).map_err(js)?;
    let mut attempt: u32 = 0;
    loop {
        attempt += 1;
        let (meta, error) = match send_env(core, &req, &ctx, Array::new()).await {
            Ok(m) => (m, None),
            // The server may answer "not ready" in the envelope: keep waiting (up to the deadline).
            Err(Error::Api(a)) if a.code.as_deref() == Some(api::ENVELOPE_ERROR_CODE) => (JsValue::NULL, Some(js(Error::Api(a)))),
            Err(e) => return Err(js(e)),
        };
        let processed = api::is_processed(&meta);
        if let Some(f) = &on_poll {
            report_poll(f, attempt, processed, start, &meta, &error)?;
        }
        if processed {
            return Ok(meta);
        }
        let now = super::now_ms();
        let wait = match ctx.call.deadline_ms {
            Some(d) if d <= now => return Err(js(Error::Timeout { kind: crate::core::error::TimeoutKind::Deadline, after_ms: now - start, attempts: attempt })),
            Some(d) => interval.min(d - now),
            None => interval,
        };
        let aborted = |_| js(Error::Abort { attempts: attempt });
        JsFuture::from(super::js_sleep(wait, &ctx.signal).map_err(aborted)?).await.map_err(aborted)?;
    }
}

#[wasm_bindgen]
impl NetworkSage {
    /// Uploads a capture (`pcap`, `pcapng`), Zeek logs or secflows; resolves to the sample id.
    /// The file's type is checked against its first bytes before anything is sent.
    #[wasm_bindgen(js_name = uploadSample, unchecked_return_type = "Promise<string>")]
    pub fn upload_sample(&self, #[wasm_bindgen(unchecked_param_type = "SampleFile")] file: JsValue, #[wasm_bindgen(unchecked_param_type = "UploadSampleOptions")] options: JsValue) -> js_sys::Promise {
        let core = self.core.clone();
        promise(Box::pin(async move { upload(&core, file, options).await.map_err(js) }))
    }

    /// Every upload of the account.
    #[wasm_bindgen(js_name = listSamples, unchecked_return_type = "Promise<UploadRecord[]>")]
    pub fn list_samples(&self, #[wasm_bindgen(unchecked_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        call(self.core.clone(), api::list_uploads(&self.core.config), options, identity)
    }

    /// Metadata of a private sample (`trafficDate` is "" until processed).
    #[wasm_bindgen(js_name = sampleMetadata, unchecked_return_type = "Promise<SampleMetadata>")]
    pub fn sample_metadata(&self, #[wasm_bindgen(unchecked_param_type = "string")] sample_id: JsValue, #[wasm_bindgen(unchecked_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = string_arg(&sample_id, "sampleId").and_then(|id| api::sample_metadata(&self.core.config, &id));
        call(self.core.clone(), req, options, identity)
    }

    /// The secflows of a private sample (an `ApiError` with code ENVELOPE_ERROR before processing).
    #[wasm_bindgen(unchecked_return_type = "Promise<Secflow[]>")]
    pub fn secflows(&self, #[wasm_bindgen(unchecked_param_type = "string")] sample_id: JsValue, #[wasm_bindgen(unchecked_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = string_arg(&sample_id, "sampleId").and_then(|id| api::secflows(&self.core.config, &id));
        call(self.core.clone(), req, options, identity)
    }

    /// The secflows of a public sample (from its aggregated view; no key sent).
    #[wasm_bindgen(js_name = publicSecflows, unchecked_return_type = "Promise<Secflow[]>")]
    pub fn public_secflows(&self, #[wasm_bindgen(unchecked_param_type = "string")] public_id: JsValue, #[wasm_bindgen(unchecked_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = string_arg(&public_id, "publicId").and_then(|id| api::public_aggregated(&self.core.config, &id));
        call(self.core.clone(), req, options, |body| {
            let list = array_of(body, "aggregated view")?;
            Ok(list.iter().map(|a| JsonView::field(&a, "secflow").unwrap_or(JsValue::NULL)).collect::<Array>().into())
        })
    }

    /// How many samples on the platform contain this flowId.
    #[wasm_bindgen(js_name = globalCount, unchecked_return_type = "Promise<number>")]
    pub fn global_count(&self, #[wasm_bindgen(unchecked_param_type = "string")] flow_id: JsValue, #[wasm_bindgen(unchecked_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = string_arg(&flow_id, "flowId").and_then(|id| api::global_count(&self.core.config, &id));
        call(self.core.clone(), req, options, identity)
    }

    /// Community metadata of a destination: `destination("host:443")` or `destination("host", 443)`.
    #[wasm_bindgen(unchecked_return_type = "Promise<DestinationInfo>")]
    pub fn destination(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(js_name = "portOrOptions", unchecked_param_type = "number | CallOptions")] port_or_options: JsValue,
        #[wasm_bindgen(unchecked_param_type = "CallOptions")] options: JsValue,
    ) -> js_sys::Promise {
        let (key, options) = match port_or_options.as_f64() {
            Some(port) => (string_arg(&name, "name").and_then(|n| api::destination_key(&n, port)), options),
            None => (string_arg(&name, "nameAndPort"), port_or_options),
        };
        let req = key.and_then(|k| api::destination(&self.core.config, &k));
        call(self.core.clone(), req, options, identity)
    }

    #[wasm_bindgen(unchecked_return_type = "Promise<BehaviorInfo>")]
    pub fn behavior(&self, #[wasm_bindgen(unchecked_param_type = "string")] flow_id: JsValue, #[wasm_bindgen(unchecked_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = string_arg(&flow_id, "flowId").and_then(|id| api::behavior(&self.core.config, &id));
        call(self.core.clone(), req, options, identity)
    }

    #[wasm_bindgen(unchecked_return_type = "Promise<EventInfo>")]
    pub fn event(&self, #[wasm_bindgen(unchecked_param_type = "string")] event_id: JsValue, #[wasm_bindgen(unchecked_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = string_arg(&event_id, "eventId").and_then(|id| api::event(&self.core.config, &id));
        call(self.core.clone(), req, options, identity)
    }

    /// The aggregated view of a sample — a public id (one unauthenticated request) or a private
    /// id (secflows, then count/destination/behavior/event per flow, each distinct lookup once,
    /// `concurrency` at a time) — in the same shape, ordered by `relativeStart`.
    #[wasm_bindgen(unchecked_return_type = "Promise<AggregatedActivity[]>")]
    pub fn aggregated(&self, #[wasm_bindgen(unchecked_param_type = "string")] sample_or_public_id: JsValue, #[wasm_bindgen(unchecked_param_type = "AggregatedOptions")] options: JsValue) -> js_sys::Promise {
        let core = self.core.clone();
        promise(Box::pin(async move { aggregated(&core, sample_or_public_id, options).await }))
    }

    /// Polls the sample's metadata until processed (`trafficDate` set); resolves to it. First
    /// check at once, then every `intervalMs`; abortable; bounded by `deadline` (default 10 min).
    #[wasm_bindgen(js_name = waitForProcessing, unchecked_return_type = "Promise<SampleMetadata>")]
    pub fn wait_for_processing(&self, #[wasm_bindgen(unchecked_param_type = "string")] sample_id: JsValue, #[wasm_bindgen(unchecked_param_type = "WaitForProcessingOptions")] options: JsValue) -> js_sys::Promise {
        let core = self.core.clone();
        promise(Box::pin(async move { wait_for_processing(&core, sample_id, options).await }))
    }

    /// The id of a sample uploaded under `fileName` at about `uploadedAt` (the closest upload
    /// within `windowMs`), or null. With `public: true`, its public id.
    #[wasm_bindgen(js_name = uploadedSampleId, unchecked_return_type = "Promise<string | null>")]
    pub fn uploaded_sample_id(&self, #[wasm_bindgen(unchecked_param_type = "string")] file_name: JsValue, #[wasm_bindgen(unchecked_param_type = "UploadedSampleOptions")] options: JsValue) -> js_sys::Promise {
        let core = self.core.clone();
        promise(Box::pin(async move { uploaded_sample_id(&core, file_name, options).await.map_err(js) }))
    }

    /// The public id of a private sample (from its metadata).
    #[wasm_bindgen(js_name = publicId, unchecked_return_type = "Promise<string>")]
    pub fn public_id(&self, #[wasm_bindgen(unchecked_param_type = "string")] sample_id: JsValue, #[wasm_bindgen(unchecked_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let core = self.core.clone();
        promise(Box::pin(async move {
            let run = async {
                let id = string_arg(&sample_id, "sampleId")?;
                let ctx = CallContext::parse(&Opts::new(&options, "")?)?;
                public_id(&core, &id, &ctx).await
            };
            run.await.map_err(js)
        }))
    }

    /// `base64("<ownerId>#hash#<sampleId>")`, as the web UI's public links use.
    #[wasm_bindgen(js_name = encodePublicId)]
    pub fn encode_public_id(owner_id: &str, sample_id: &str) -> std::result::Result<String, JsValue> {
        api::encode_public_id(owner_id, sample_id).map_err(js)
    }

    /// `{ ownerId, sampleId }`, or null when the value is no public id (e.g. a private id).
    #[wasm_bindgen(js_name = decodePublicId, unchecked_return_type = "PublicIdParts | null")]
    pub fn decode_public_id(public_id: &str) -> JsValue {
        match api::decode_public_id(public_id) {
            Some((owner, sample)) => {
                let o = Object::new();
                set(&o, "ownerId", &owner.into());
                set(&o, "sampleId", &sample.into());
                o.into()
            }
            None => JsValue::NULL,
        }
    }
}
