//! NetworkSage endpoints (`../shared/api/networksage.md`): request builders with their input
//! checks, the `{error, body}` envelope, public ids, upload matching, capture format sniffing
//! and the plan of the aggregated view. Pure: the JS layer reads values through [`JsonView`].

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::core::error::{ApiError, ApiErrorKind, Error, Result, MAX_ERROR_BODY};
use crate::core::request::{ClientConfig, Method, Part, PartData, Request};
use crate::core::response::ResponseHead;
use crate::core::url::{Path, Query};
use crate::core::validate;

/// `code` of the `ApiError` thrown for a 2xx response whose envelope says `error: true`.
pub const ENVELOPE_ERROR_CODE: &str = "ENVELOPE_ERROR";
pub const DEFAULT_CONCURRENCY: u32 = 4;
pub const MAX_CONCURRENCY: u32 = 16;

/// The `type` field of an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleType {
    Pcap,
    Pcapng,
    Zeek,
    Secflow,
}

impl SampleType {
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "pcap" => SampleType::Pcap,
            "pcapng" => SampleType::Pcapng,
            "zeek" => SampleType::Zeek,
            "secflow" => SampleType::Secflow,
            _ => return Err(Error::validation("type", "must be one of pcap, pcapng, zeek, secflow")),
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SampleType::Pcap => "pcap",
            SampleType::Pcapng => "pcapng",
            SampleType::Zeek => "zeek",
            SampleType::Secflow => "secflow",
        }
    }

    /// The `fileName` sent when the caller gives none (and the file is no `File`).
    pub fn default_name(self) -> &'static str {
        match self {
            SampleType::Pcap => "sample.pcap",
            SampleType::Pcapng => "sample.pcapng",
            SampleType::Zeek => "conn.log",
            SampleType::Secflow => "secflows.json",
        }
    }
}

/// How the JS layer (or a test) exposes a parsed JSON value.
pub trait JsonView: Sized {
    /// The field's value; `None` when absent.
    fn field(&self, key: &str) -> Option<Self>;
    /// A plain object (not an array, not null).
    fn is_object(&self) -> bool;
    /// JS truthiness (Python's, for the envelope flag).
    fn truthy(&self) -> bool;
    /// The value if it is a string.
    fn text(&self) -> Option<String>;
    /// The value if it is a number or a numeric string.
    fn number(&self) -> Option<f64>;
}

fn text_field<J: JsonView>(v: &J, key: &str) -> Option<String> {
    v.field(key).and_then(|x| x.text())
}

/// What a response's `{error, body}` envelope holds.
#[derive(Debug, PartialEq)]
pub enum Envelope<J> {
    Body(J),
    /// `error` was truthy; the server's message (the `body` string, or `body.message`).
    Error(Option<String>),
    /// Not an envelope at all.
    Malformed(&'static str),
}

pub fn open_envelope<J: JsonView>(v: &J) -> Envelope<J> {
    if !v.is_object() {
        return Envelope::Malformed("the response is not a NetworkSage {error, body} envelope");
    }
    let Some(flag) = v.field("error") else {
        return Envelope::Malformed("the response envelope has no `error` field");
    };
    let body = v.field("body");
    if flag.truthy() {
        return Envelope::Error(body.and_then(|b| b.text().or_else(|| text_field(&b, "message"))).filter(|m| !m.trim().is_empty()));
    }
    match body {
        Some(b) => Envelope::Body(b),
        None => Envelope::Malformed("the response envelope has no `body` field"),
    }
}

/// The error for a 2xx response whose envelope says `error: true`: an `ApiError` (base class,
/// the HTTP status as received, `code` [`ENVELOPE_ERROR_CODE`], the server's message).
pub fn envelope_error(head: &ResponseHead, message: Option<String>, body: Option<String>, req: &Request, attempts: u32) -> Error {
    let mut body = body;
    if let Some(b) = body.as_mut() {
        if b.len() > MAX_ERROR_BODY {
            let mut cut = MAX_ERROR_BODY;
            while !b.is_char_boundary(cut) {
                cut -= 1;
            }
            b.truncate(cut);
        }
    }
    Error::Api(Box::new(ApiError {
        kind: ApiErrorKind::from_status(head.status),
        status: head.status,
        code: Some(ENVELOPE_ERROR_CODE.to_string()),
        message: message.unwrap_or_else(|| "NetworkSage reported an error without a message".to_string()),
        body,
        headers: head.headers.clone(),
        request_id: head.request_id(),
        retry_after_ms: None,
        method: req.method.as_str().to_string(),
        url: req.url.clone(),
        attempts,
        hint: None,
    }))
}

/// A 2xx body that is not what the endpoint documents.
pub fn malformed(what: impl Into<String>, status: u16, attempts: u32) -> Error {
    Error::Decode { message: what.into(), status, attempts }
}

// ---- request builders ----

fn get(cfg: &ClientConfig, segments: &[&str], field: &str) -> Result<Request> {
    Ok(cfg.request(Method::Get, &Path::from_segments(segments, field)?, &Query::new()))
}

fn check_id(field: &str, id: &str) -> Result<()> {
    validate::id(field, id)
}

/// `fileName`: a plain file name.
pub fn check_file_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::validation("name", "must not be empty"));
    }
    if name.len() > 255 {
        return Err(Error::validation("name", "is too long (max 255 bytes)"));
    }
    if name.chars().any(|c| c.is_control() || c == '/' || c == '\\') {
        return Err(Error::validation("name", "must be a file name (no path separators or control characters)"));
    }
    Ok(())
}

/// `POST upload/v1.0/uploader`, multipart: `type`, `fileName`, `file` (attachment 0) and, for
/// zeek only, `zeekDnsFile` (attachment 1). Sizes are checked here, before anything is read.
pub fn upload(cfg: &ClientConfig, kind: SampleType, name: &str, file_len: f64, dns_len: Option<f64>) -> Result<Request> {
    check_file_name(name)?;
    if file_len.is_nan() || file_len <= 0.0 {
        return Err(Error::validation("file", "must not be empty"));
    }
    let mut parts = vec![
        Part { name: "type".into(), filename: None, content_type: None, data: PartData::Text(kind.as_str().into()) },
        Part { name: "fileName".into(), filename: None, content_type: None, data: PartData::Text(name.into()) },
        Part { name: "file".into(), filename: Some(name.into()), content_type: Some("application/octet-stream".into()), data: PartData::Attachment(0) },
    ];
    if let Some(len) = dns_len {
        if kind != SampleType::Zeek {
            return Err(Error::validation("dnsLog", "is only accepted with type \"zeek\""));
        }
        if len.is_nan() || len <= 0.0 {
            return Err(Error::validation("dnsLog", "must not be empty"));
        }
        parts.push(Part {
            name: "zeekDnsFile".into(),
            filename: Some(format!("dns_{name}")),
            content_type: Some("application/octet-stream".into()),
            data: PartData::Attachment(1),
        });
    }
    let mut req = get(cfg, &["upload", "v1.0", "uploader"], "path")?;
    req.method = Method::Post;
    req.body = crate::core::request::Body::Multipart(parts);
    Ok(req)
}

pub fn list_uploads(cfg: &ClientConfig) -> Result<Request> {
    get(cfg, &["upload", "v1.0", "uploads", "list"], "path")
}

pub fn sample_metadata(cfg: &ClientConfig, sample_id: &str) -> Result<Request> {
    check_id("sampleId", sample_id)?;
    get(cfg, &["sec", "v1.0", "samples", sample_id], "sampleId")
}

pub fn secflows(cfg: &ClientConfig, sample_id: &str) -> Result<Request> {
    check_id("sampleId", sample_id)?;
    get(cfg, &["sec", "v1.0", "samples", sample_id, "list"], "sampleId")
}

/// `GET public/v1.0/secflows/<publicId>/list/aggregated`, sent without the key.
pub fn public_aggregated(cfg: &ClientConfig, public_id: &str) -> Result<Request> {
    if decode_public_id(public_id).is_none() {
        return Err(Error::validation("publicId", "is not a NetworkSage public id (base64 of \"<id>#hash#<sampleId>\")"));
    }
    let mut req = get(cfg, &["public", "v1.0", "secflows", public_id, "list", "aggregated"], "publicId")?;
    req.auth = None;
    Ok(req)
}

pub fn global_count(cfg: &ClientConfig, flow_id: &str) -> Result<Request> {
    check_id("flowId", flow_id)?;
    get(cfg, &["sec", "v1.0", "secflows", flow_id, "count"], "flowId")
}

/// `name:port` (also `[v6]:port`): a non-empty name and a port 1–65535.
pub fn check_destination(dest: &str) -> Result<()> {
    let field = "nameAndPort";
    validate::id(field, dest)?;
    let Some((name, port)) = dest.rsplit_once(':') else {
        return Err(Error::validation(field, "must be \"name:port\" (the port is missing)"));
    };
    if name.is_empty() {
        return Err(Error::validation(field, "must be \"name:port\" (the name is missing)"));
    }
    let port_ok = !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit()) && port.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p));
    if !port_ok {
        return Err(Error::validation(field, "must be \"name:port\" with a port between 1 and 65535"));
    }
    Ok(())
}

/// The key of `destination(name, port)`.
pub fn destination_key(name: &str, port: f64) -> Result<String> {
    if port.fract() != 0.0 || !(1.0..=65535.0).contains(&port) {
        return Err(Error::validation("port", "must be an integer between 1 and 65535"));
    }
    let key = format!("{name}:{}", port as u32);
    check_destination(&key)?;
    Ok(key)
}

/// `GET sec/v1.0/destinations/<name:port>` (one percent-encoded path segment).
pub fn destination(cfg: &ClientConfig, name_and_port: &str) -> Result<Request> {
    check_destination(name_and_port)?;
    get(cfg, &["sec", "v1.0", "destinations", name_and_port], "nameAndPort")
}

pub fn behavior(cfg: &ClientConfig, flow_id: &str) -> Result<Request> {
    check_id("flowId", flow_id)?;
    get(cfg, &["sec", "v1.0", "behaviors", flow_id], "flowId")
}

pub fn event(cfg: &ClientConfig, event_id: &str) -> Result<Request> {
    check_id("eventId", event_id)?;
    get(cfg, &["sec", "v1.0", "events", event_id], "eventId")
}

// ---- public ids: base64("<ownerId>#hash#<sampleId>") ----

const SEP: &str = "#hash#";

pub fn encode_public_id(owner_id: &str, sample_id: &str) -> Result<String> {
    check_id("ownerId", owner_id)?;
    check_id("sampleId", sample_id)?;
    if owner_id.contains(SEP) || sample_id.contains(SEP) {
        return Err(Error::validation("sampleId", "must not contain \"#hash#\""));
    }
    Ok(STANDARD.encode(format!("{owner_id}{SEP}{sample_id}")))
}

/// Standard-alphabet base64, padding optional. Hand-rolled: the `base64` decoder is 4 KB of wasm
/// for one short id.
fn b64_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.strip_suffix("==").or_else(|| s.strip_suffix('=')).unwrap_or(s);
    if s.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// `(ownerId, sampleId)`; padding optional. `None` for anything else (e.g. a private id).
pub fn decode_public_id(public_id: &str) -> Option<(String, String)> {
    let text = String::from_utf8(b64_decode(public_id.trim())?).ok()?;
    let (owner, sample) = text.split_once(SEP)?;
    let clean = |s: &str| !s.is_empty() && !s.contains(SEP) && !s.chars().any(|c| c.is_control() || c.is_whitespace());
    (clean(owner) && clean(sample)).then(|| (owner.to_string(), sample.to_string()))
}

// ---- processing ----

/// Processed ⇔ the metadata has a non-empty `trafficDate` (empty until processing finished).
pub fn is_processed<J: JsonView>(metadata: &J) -> bool {
    metadata.is_object() && text_field(metadata, "trafficDate").is_some_and(|t| !t.trim().is_empty())
}

// ---- finding an uploaded sample by name and time ----

/// The number in `s[at..at + len]` (ASCII digits only).
fn num(s: &str, at: usize, len: usize) -> Option<u32> {
    let part = s.get(at..at + len)?;
    if !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

/// Days since 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `[y, mo, d, h, mi, s]` + fraction digits → Unix ms (UTC).
fn utc_ms(f: [u32; 6], frac: &str) -> Option<f64> {
    let [y, mo, d, h, mi, s] = f;
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let ms = frac.bytes().chain(std::iter::repeat(b'0')).take(3).fold(0u32, |a, b| a * 10 + u32::from(b - b'0'));
    let days = days_from_civil(i64::from(y), mo, d);
    Some((days * 86_400_000 + i64::from(h * 3_600_000 + mi * 60_000 + s * 1000 + ms)) as f64)
}

/// `seps` at the given byte offsets.
fn seps(s: &str, at: &[(usize, u8)]) -> bool {
    at.iter().all(|&(i, c)| s.as_bytes().get(i) == Some(&c))
}

/// `…/date=2022-02-01T12:00:30.123456/…` in an upload's `fullS3FilePath`, read as **UTC**
/// (the Python helper read it in the machine's local zone).
pub fn s3_upload_time_ms(path: &str) -> Option<f64> {
    let rest = &path[path.find("date=")? + 5..];
    let s = rest.split('/').next()?;
    if !seps(s, &[(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')]) {
        return None;
    }
    let frac = match s.get(19..)? {
        "" => "",
        f => f.strip_prefix('.')?,
    };
    utc_ms([num(s, 0, 4)?, num(s, 5, 2)?, num(s, 8, 2)?, num(s, 11, 2)?, num(s, 14, 2)?, num(s, 17, 2)?], frac)
}

/// `dateCreated`: `DD/MM/YYYY HH:MM:SS` (UTC).
pub fn created_time_ms(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.len() != 19 || !seps(s, &[(2, b'/'), (5, b'/'), (10, b' '), (13, b':'), (16, b':')]) {
        return None;
    }
    utc_ms([num(s, 6, 4)?, num(s, 3, 2)?, num(s, 0, 2)?, num(s, 11, 2)?, num(s, 14, 2)?, num(s, 17, 2)?], "")
}

/// The upload record named `file_name` whose upload time is closest to `at_ms`, if within
/// `window_ms`. Records without a readable time are skipped.
pub fn find_upload<J: JsonView>(records: &[J], file_name: &str, at_ms: f64, window_ms: f64) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, r) in records.iter().enumerate() {
        if text_field(r, "fileName").as_deref() != Some(file_name) || text_field(r, "uuid").is_none() {
            continue;
        }
        let t = text_field(r, "fullS3FilePath").and_then(|p| s3_upload_time_ms(&p)).or_else(|| text_field(r, "dateCreated").and_then(|c| created_time_ms(&c)));
        let Some(t) = t else { continue };
        let dist = (t - at_ms).abs();
        if dist < window_ms && best.is_none_or(|(_, b)| dist < b) {
            best = Some((i, dist));
        }
    }
    best.map(|(i, _)| i)
}

// ---- capture format sniffing ----

const PCAP_MAGICS: [[u8; 4]; 4] = [[0xd4, 0xc3, 0xb2, 0xa1], [0xa1, 0xb2, 0xc3, 0xd4], [0x4d, 0x3c, 0xb2, 0xa1], [0xa1, 0xb2, 0x3c, 0x4d]];

fn is_pcap(head: &[u8]) -> bool {
    head.len() >= 24 && PCAP_MAGICS.iter().any(|m| head[..4] == m[..])
}

fn is_pcapng(head: &[u8]) -> bool {
    head.len() >= 12 && head[..4] == [0x0a, 0x0d, 0x0d, 0x0a] && (head[8..12] == [0x4d, 0x3c, 0x2b, 0x1a] || head[8..12] == [0x1a, 0x2b, 0x3c, 0x4d])
}

fn first_text_byte(head: &[u8]) -> Option<u8> {
    let head = head.strip_prefix(&[0xef, 0xbb, 0xbf][..]).unwrap_or(head);
    head.iter().copied().find(|b| !b.is_ascii_whitespace())
}

/// How many leading bytes [`check_format`] looks at.
pub const SNIFF_BYTES: u32 = 64;

/// Refuses a file whose first bytes cannot be of `kind` (a pcapng sent as "pcap", a text
/// file sent as a capture...), so the mistake shows now rather than as a failed processing.
pub fn check_format(kind: SampleType, head: &[u8]) -> Result<()> {
    let ok = match kind {
        SampleType::Pcap => is_pcap(head),
        SampleType::Pcapng => is_pcapng(head),
        // Zeek TSV logs start with their `#separator` header; JSON logs with `{`.
        SampleType::Zeek => matches!(first_text_byte(head), Some(b'#' | b'{')),
        SampleType::Secflow => matches!(first_text_byte(head), Some(b'[' | b'{')),
    };
    if ok {
        return Ok(());
    }
    let hint = if is_pcapng(head) {
        " (it is a pcapng capture: pass type \"pcapng\")".to_string()
    } else if is_pcap(head) {
        " (it is a pcap capture: pass type \"pcap\")".to_string()
    } else {
        let hex: Vec<String> = head.iter().take(4).map(|b| format!("{b:02x}")).collect();
        format!(" (it starts with {})", if hex.is_empty() { "nothing".to_string() } else { hex.join(" ") })
    };
    Err(Error::validation("file", format!("does not look like a {} file{hint}; pass checkFormat: false to send it anyway", kind.as_str())))
}

// ---- the aggregated view of a private sample ----

/// One metadata lookup of the aggregated view.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lookup {
    Count(String),
    Destination(String),
    Behavior(String),
    Event(String),
}

pub fn lookup_request(cfg: &ClientConfig, l: &Lookup) -> Result<Request> {
    match l {
        Lookup::Count(id) => global_count(cfg, id),
        Lookup::Destination(d) => destination(cfg, d),
        Lookup::Behavior(id) => behavior(cfg, id),
        Lookup::Event(id) => event(cfg, id),
    }
}

/// Which lookups the view needs (each once), and where each flow finds its results.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Flow indexes ordered by `relativeStart` (as the public view is), stable.
    pub order: Vec<usize>,
    pub lookups: Vec<Lookup>,
    /// Per flow (input order): indexes into `lookups` for count, destination, behavior, event.
    pub slots: Vec<[Option<usize>; 4]>,
}

/// Builds the plan. De-duplication keeps a sorted index and the order is a binary insertion
/// sort (stable): both tiny in wasm, and fine for the tens to thousands of flows of a sample.
pub fn plan<J: JsonView>(flows: &[J]) -> Result<Plan> {
    let mut index: Vec<(Lookup, usize)> = Vec::new();
    let mut lookups = Vec::new();
    let mut slots = Vec::with_capacity(flows.len());
    let mut order: Vec<usize> = Vec::with_capacity(flows.len());
    let mut starts: Vec<f64> = Vec::with_capacity(flows.len());
    let mut slot = |l: Lookup| -> usize {
        match index.binary_search_by(|(k, _)| k.cmp(&l)) {
            Ok(p) => index[p].1,
            Err(p) => {
                index.insert(p, (l.clone(), lookups.len()));
                lookups.push(l);
                lookups.len() - 1
            }
        }
    };
    for (i, f) in flows.iter().enumerate() {
        let missing = |what: &str| malformed(format!("secflow #{i} has no {what}"), 200, 1);
        if !f.is_object() {
            return Err(missing("fields (not an object)"));
        }
        let flow_id = text_field(f, "flowId").filter(|s| !s.is_empty()).ok_or_else(|| missing("flowId"))?;
        let dest = text_field(f, "destinationData").filter(|s| !s.is_empty()).ok_or_else(|| missing("destinationData"))?;
        let event = text_field(f, "eventId").filter(|s| !s.is_empty());
        slots.push([
            Some(slot(Lookup::Count(flow_id.clone()))),
            Some(slot(Lookup::Destination(dest))),
            Some(slot(Lookup::Behavior(flow_id))),
            event.map(|e| slot(Lookup::Event(e))),
        ]);
        // Flows without a readable start go last.
        let start = f.field("relativeStart").and_then(|v| v.number()).unwrap_or(f64::INFINITY);
        let at = order.partition_point(|&j| starts[j] <= start);
        starts.push(start);
        order.insert(at, i);
    }
    Ok(Plan { order, lookups, slots })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::request::Body;
    use serde_json::{json, Value};

    impl JsonView for Value {
        fn field(&self, key: &str) -> Option<Self> {
            self.get(key).cloned()
        }
        fn is_object(&self) -> bool {
            self.is_object()
        }
        fn truthy(&self) -> bool {
            match self {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_f64() != Some(0.0),
                Value::String(s) => !s.is_empty(),
                _ => true,
            }
        }
        fn text(&self) -> Option<String> {
            self.as_str().map(str::to_string)
        }
        fn number(&self) -> Option<f64> {
            self.as_f64().or_else(|| self.as_str().and_then(|s| s.trim().parse().ok()))
        }
    }

    fn cfg() -> ClientConfig {
        super::super::client_config("ns-key-1", Some("http://sim/networksage/"), None, vec![]).unwrap()
    }

    #[test]
    fn envelopes() {
        assert_eq!(open_envelope(&json!({"error": false, "body": [1]})), Envelope::Body(json!([1])));
        assert_eq!(open_envelope(&json!({"error": false, "body": null})), Envelope::Body(Value::Null));
        assert_eq!(open_envelope(&json!({"error": true, "body": "Sample has not been processed yet"})), Envelope::Error(Some("Sample has not been processed yet".into())));
        assert_eq!(open_envelope(&json!({"error": 1, "body": {"message": "m"}})), Envelope::Error(Some("m".into())));
        assert_eq!(open_envelope(&json!({"error": true})), Envelope::Error(None));
        assert!(matches!(open_envelope(&json!([1, 2])), Envelope::Malformed(_)));
        assert!(matches!(open_envelope(&json!({"body": 1})), Envelope::Malformed(_)));
        assert!(matches!(open_envelope(&json!({"error": false})), Envelope::Malformed(_)));

        let head = ResponseHead { status: 200, headers: vec![("x-request-id".into(), "r1".into())] };
        let req = sample_metadata(&cfg(), "abc").unwrap();
        let e = envelope_error(&head, Some("nope".into()), Some("{\"error\":true,\"body\":\"nope\"}".into()), &req, 1);
        assert_eq!(e.class_name(), "ApiError");
        let Error::Api(a) = &e else { panic!() };
        assert_eq!((a.status, a.code.as_deref(), a.message.as_str(), a.request_id.as_deref()), (200, Some(ENVELOPE_ERROR_CODE), "nope", Some("r1")));
        assert_eq!(e.to_string(), "200 GET: nope");
        assert_eq!(malformed("x", 200, 2).class_name(), "DecodeError");
    }

    #[test]
    fn upload_parts_in_documented_order() {
        let r = upload(&cfg(), SampleType::Zeek, "conn.log", 10.0, Some(5.0)).unwrap();
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.url, "http://sim/networksage/upload/v1.0/uploader");
        let Body::Multipart(parts) = &r.body else { panic!() };
        let names: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["type", "fileName", "file", "zeekDnsFile"]);
        assert_eq!(parts[0].data, PartData::Text("zeek".into()));
        assert_eq!(parts[2].filename.as_deref(), Some("conn.log"));
        assert_eq!(parts[3].filename.as_deref(), Some("dns_conn.log"));
        assert_eq!(parts[3].data, PartData::Attachment(1));
        assert!(!r.is_retryable_method());

        let r = upload(&cfg(), SampleType::Pcap, "a.pcap", 1.0, None).unwrap();
        let Body::Multipart(parts) = &r.body else { panic!() };
        assert_eq!(parts.len(), 3);
        assert!(upload(&cfg(), SampleType::Pcap, "a.pcap", 0.0, None).is_err());
        assert!(upload(&cfg(), SampleType::Pcap, "a.pcap", 3.0, Some(3.0)).is_err(), "dnsLog only with zeek");
        assert!(upload(&cfg(), SampleType::Zeek, "c.log", 3.0, Some(0.0)).is_err());
        assert!(upload(&cfg(), SampleType::Pcap, "dir/a.pcap", 3.0, None).is_err());
        assert!(upload(&cfg(), SampleType::Pcap, " ", 3.0, None).is_err());
        assert!(SampleType::parse("interflow").is_err());
        assert_eq!(SampleType::parse("pcapng").unwrap(), SampleType::Pcapng);
    }

    #[test]
    fn endpoints_and_auth() {
        let c = cfg();
        assert!(list_uploads(&c).unwrap().url.ends_with("/upload/v1.0/uploads/list"));
        assert!(sample_metadata(&c, "00dc397c").unwrap().url.ends_with("/sec/v1.0/samples/00dc397c"));
        assert!(secflows(&c, "00dc397c").unwrap().url.ends_with("/sec/v1.0/samples/00dc397c/list"));
        assert!(sample_metadata(&c, "").is_err());
        assert!(sample_metadata(&c, "..").is_err());
        assert!(global_count(&c, "f1").unwrap().url.ends_with("/sec/v1.0/secflows/f1/count"));
        assert!(behavior(&c, "f1").unwrap().url.ends_with("/sec/v1.0/behaviors/f1"));
        assert!(event(&c, "e1").unwrap().url.ends_with("/sec/v1.0/events/e1"));
        assert!(sample_metadata(&c, "x").unwrap().auth.is_some());
        let pubid = encode_public_id("78ff211c-26c6-48fc-803e-c3fec72cc954", "00dc397c3f85472b9c7f4203c408e4fb").unwrap();
        let r = public_aggregated(&c, &pubid).unwrap();
        assert!(r.auth.is_none(), "public endpoints carry no key");
        assert!(r.url.ends_with("/list/aggregated"));
        assert!(public_aggregated(&c, "00dc397c3f85472b9c7f4203c408e4fb").is_err());
    }

    #[test]
    fn destinations() {
        let c = cfg();
        assert!(destination(&c, "a.example.com:443").unwrap().url.ends_with("/sec/v1.0/destinations/a.example.com:443"));
        // One segment: a slash or a space cannot add a segment or a query.
        assert!(destination(&c, "a/b?c:443").unwrap().url.ends_with("/destinations/a%2Fb%3Fc:443"));
        assert!(destination(&c, "[2001:db8::1]:53").is_ok());
        for bad in ["example.com", ":443", "example.com:", "example.com:0", "example.com:65536", "example.com:http", "a b:80"] {
            assert!(destination(&c, bad).is_err(), "{bad}");
        }
        assert_eq!(destination_key("example.com", 8080.0).unwrap(), "example.com:8080");
        assert!(destination_key("example.com", 80.5).is_err());
        assert!(destination_key("", 80.0).is_err());
    }

    #[test]
    fn public_ids_round_trip() {
        let real = "NzhmZjIxMWMtMjZjNi00OGZjLTgwM2UtYzNmZWM3MmNjOTU0I2hhc2gjMDBkYzM5N2MzZjg1NDcyYjljN2Y0MjAzYzQwOGU0ZmI=";
        let (owner, sample) = decode_public_id(real).unwrap();
        assert_eq!(owner, "78ff211c-26c6-48fc-803e-c3fec72cc954");
        assert_eq!(sample, "00dc397c3f85472b9c7f4203c408e4fb");
        assert_eq!(encode_public_id(&owner, &sample).unwrap(), real);
        assert_eq!(decode_public_id(real.trim_end_matches('=')), Some((owner, sample)), "padding optional");
        for bad in ["00dc397c3f85472b9c7f4203c408e4fb", "", "!!!", "YSNoYXNoIw=="] {
            assert_eq!(decode_public_id(bad), None, "{bad}");
        }
        assert!(encode_public_id("a#hash#b", "c").is_err());
        assert!(encode_public_id("", "c").is_err());
    }

    #[test]
    fn processed_means_a_traffic_date() {
        assert!(is_processed(&json!({"trafficDate": "1640718312.075791"})));
        assert!(!is_processed(&json!({"trafficDate": ""})));
        assert!(!is_processed(&json!({})));
        assert!(!is_processed(&Value::Null));
    }

    #[test]
    fn upload_times_are_utc() {
        // 2022-02-01T12:00:30.123456 UTC = 1643716830123 ms.
        assert_eq!(s3_upload_time_ms("s3://b/o/date=2022-02-01T12:00:30.123456/u/cap.pcap"), Some(1_643_716_830_123.0));
        assert_eq!(s3_upload_time_ms("date=1970-01-01T00:00:00/x"), Some(0.0));
        assert_eq!(s3_upload_time_ms("date=2024-02-29T23:59:59.5/x"), Some(1_709_251_199_500.0));
        assert_eq!(s3_upload_time_ms("no date here"), None);
        assert_eq!(s3_upload_time_ms("date=2022-13-01T00:00:00/"), None);
        assert_eq!(created_time_ms("01/02/2022 12:00:30"), Some(1_643_716_830_000.0));
        assert_eq!(created_time_ms("2022-02-01 12:00:30"), None);

        let recs = vec![
            json!({"fileName": "cap.pcap", "uuid": "far", "fullS3FilePath": "date=2022-02-01T12:00:00.000000/"}),
            json!({"fileName": "other.pcap", "uuid": "other", "fullS3FilePath": "date=2022-02-01T12:00:30.000000/"}),
            json!({"fileName": "cap.pcap", "uuid": "near", "fullS3FilePath": "date=2022-02-01T12:00:29.000000/"}),
            json!({"fileName": "cap.pcap", "uuid": "created-only", "dateCreated": "01/02/2022 12:05:00"}),
            json!({"fileName": "cap.pcap", "fullS3FilePath": "garbage"}),
        ];
        let at = 1_643_716_830_000.0;
        assert_eq!(find_upload(&recs, "cap.pcap", at, 60_000.0), Some(2), "the closest, not the first");
        assert_eq!(find_upload(&recs, "cap.pcap", at + 270_000.0, 60_000.0), Some(3));
        assert_eq!(find_upload(&recs, "cap.pcap", at + 3_600_000.0, 60_000.0), None);
        assert_eq!(find_upload(&recs, "nope.pcap", at, 60_000.0), None);
    }

    #[test]
    fn formats_are_sniffed() {
        let mut pcap = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
        pcap.resize(24, 0);
        let mut pcapng = vec![0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a];
        pcapng.resize(28, 0);
        assert!(check_format(SampleType::Pcap, &pcap).is_ok());
        assert!(check_format(SampleType::Pcapng, &pcapng).is_ok());
        let e = check_format(SampleType::Pcap, &pcapng).unwrap_err();
        assert!(e.to_string().contains("pass type \"pcapng\""), "{e}");
        let e = check_format(SampleType::Pcapng, &pcap).unwrap_err();
        assert!(e.to_string().contains("pass type \"pcap\""), "{e}");
        assert!(check_format(SampleType::Pcap, &pcap[..10]).is_err(), "truncated header");
        assert!(check_format(SampleType::Zeek, b"#separator \\x09\n#fields\tts").is_ok());
        assert!(check_format(SampleType::Zeek, b"\xef\xbb\xbf {\"ts\":1}").is_ok());
        assert!(check_format(SampleType::Zeek, &pcap).is_err());
        assert!(check_format(SampleType::Secflow, b"[{\"flowId\":\"x\"}]").is_ok());
        let e = check_format(SampleType::Secflow, b"hello").unwrap_err();
        assert!(e.to_string().contains("starts with 68 65 6c 6c"), "{e}");
    }

    #[test]
    fn plan_deduplicates_and_orders_by_start() {
        let flows = vec![
            json!({"flowId": "f1", "destinationData": "a.example:443", "relativeStart": "2.5"}),
            json!({"flowId": "f2", "destinationData": "bad.example:80", "eventId": "e1", "relativeStart": "0.5"}),
            json!({"flowId": "f1", "destinationData": "a.example:443", "relativeStart": "10.0"}),
            json!({"flowId": "f3", "destinationData": "bad.example:80", "eventId": "e1", "relativeStart": "1.0"}),
        ];
        let p = plan(&flows).unwrap();
        assert_eq!(p.order, vec![1, 3, 0, 2]);
        // f1: count, dest, behavior; f2: count, dest, behavior, event; f3: count, behavior (dest + event shared).
        assert_eq!(p.lookups.len(), 3 + 4 + 2);
        assert_eq!(p.slots[0], p.slots[2]);
        assert_eq!(p.slots[1][1], p.slots[3][1]);
        assert_eq!(p.slots[1][3], p.slots[3][3]);
        assert_eq!(p.slots[0][3], None);
        assert_eq!(p.lookups[p.slots[1][3].unwrap()], Lookup::Event("e1".into()));
        let reqs: Vec<String> = p.lookups.iter().map(|l| lookup_request(&cfg(), l).unwrap().url).collect();
        assert!(reqs.iter().any(|u| u.ends_with("/sec/v1.0/destinations/bad.example:80")));
        assert!(plan(&[json!({"destinationData": "x:1"})]).is_err());
        assert!(plan(&[json!("nope")]).is_err());
        assert_eq!(plan::<Value>(&[]).unwrap().lookups.len(), 0);
    }
}
