//! Sekoia LiveAPI (the notification WebSocket) as far as IOC import progress needs it:
//! the URL, what each incoming message means, per-import counts and completion, and the
//! reconnect schedule. Sans-IO: the socket plumbing lives in `src/js/live.js`, which asks
//! this module for every decision (`../shared/api/sekoia.md` §B "LiveAPI websocket").

use serde_json::Value;

use super::error::{Error, Result};

/// Keepalive period: Sekoia's own client pings every 20 s; it also keeps an MV3 service
/// worker alive (Chrome extends its lifetime on WebSocket activity within 30 s).
pub const KEEPALIVE_MS: f64 = 20_000.0;
/// Consecutive failed (re)connections before giving up.
pub const MAX_RECONNECTS: u32 = 10;
const BACKOFF_BASE_MS: f64 = 500.0;
const BACKOFF_MAX_MS: f64 = 30_000.0;
/// Progress of tasks not (yet) known to an import is kept for this many task ids: a message
/// can arrive before the `202 {task_id}` response that names the task.
const EARLY_LIMIT: usize = 256;

/// The LiveAPI URL for an API base URL (normalised, ending in `/api`):
/// `https://api.sekoia.io/api` → `wss://app.sekoia.io/live/`; `https://app.fra2.sekoia.io/api` →
/// `wss://fra2.app.sekoia.io/live/`; `api.<x>` → `app.<x>`; any other host (the simulator, a
/// proxy) keeps its path without `/api`: `http://127.0.0.1:8/sekoia/api` → `ws://127.0.0.1:8/sekoia/live/`.
pub fn live_url(base: &str) -> Result<String> {
    let bad = || Error::validation("baseUrl", "cannot derive the LiveAPI URL; pass live.url");
    let (scheme, rest) = base.split_once("://").ok_or_else(bad)?;
    let ws = match scheme {
        "https" => "wss",
        "http" => "ws",
        _ => return Err(bad()),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if authority.is_empty() {
        return Err(bad());
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !authority.ends_with(']') => (h, Some(p)),
        _ => (authority, None),
    };
    let host = host.to_ascii_lowercase();
    let port = port.map(|p| format!(":{p}")).unwrap_or_default();
    if host == "sekoia.io" || host.ends_with(".sekoia.io") {
        let h = if let Some(rest) = host.strip_prefix("api.") {
            format!("app.{rest}")
        } else if let Some(region) = host.strip_prefix("app.").and_then(|r| r.strip_suffix(".sekoia.io")) {
            format!("{region}.app.sekoia.io")
        } else {
            host
        };
        return Ok(format!("{ws}://{h}{port}/live/"));
    }
    let path = path.trim_end_matches('/');
    let path = path.strip_suffix("/api").unwrap_or(path);
    Ok(format!("{ws}://{host}{port}{path}/live/"))
}

/// What one text message means to us.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// `{"authenticated": bool, ...}`: the server's answer to our credentials.
    Ack(bool),
    /// `{"type":"ioc-collection","attributes":{"task_id","imported","total"}}`.
    Progress { task_id: String, imported: u64, total: u64 },
    /// Anything else (other notification types, pongs, junk): ignored.
    Other,
}

fn count(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => super::validate::whole_number(n.as_str()).and_then(|i| u64::try_from(i).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub fn parse(text: &str) -> Incoming {
    let Ok(v) = super::json::parse(text) else { return Incoming::Other };
    if let Some(ok) = v.get("authenticated").and_then(Value::as_bool) {
        return Incoming::Ack(ok);
    }
    if v.get("type").and_then(Value::as_str) != Some("ioc-collection") {
        return Incoming::Other;
    }
    let Some(a) = v.get("attributes") else { return Incoming::Other };
    match (a.get("task_id").and_then(Value::as_str), a.get("imported").and_then(count), a.get("total").and_then(count)) {
        (Some(id), Some(imported), Some(total)) if !id.is_empty() => Incoming::Progress { task_id: id.to_string(), imported, total },
        _ => Incoming::Other,
    }
}

/// Delay before reconnection attempt `attempt` (1, 2, ...): exponential from 500 ms, capped
/// at 30 s, with jitter (`unit` in [0, 1) scales it to 50–100 %). `None`: give up.
pub fn reconnect_delay_ms(attempt: u32, unit: f64) -> Option<f64> {
    if attempt == 0 || attempt > MAX_RECONNECTS {
        return None;
    }
    let full = (BACKOFF_BASE_MS * f64::from(1u32 << (attempt - 1).min(16))).min(BACKOFF_MAX_MS);
    Some(full * (0.5 + 0.5 * unit.clamp(0.0, 1.0)))
}

#[derive(Debug, Clone, PartialEq)]
struct Task {
    id: String,
    imported: u64,
    /// The server's total once a message came; before that, the values we sent.
    total: u64,
    heard: bool,
}

/// The state of one import: its tasks (one per batch), their counts, and whether it is over.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportProgress {
    tasks: Vec<Task>,
    early: Vec<(String, u64, u64)>,
    sealed: bool,
}

impl ImportProgress {
    /// A task of this import (`expected` = values sent in its batch).
    pub fn add_task(&mut self, id: &str, expected: u64) {
        if self.tasks.iter().any(|t| t.id == id) {
            return;
        }
        self.tasks.push(Task { id: id.to_string(), imported: 0, total: expected, heard: false });
        if let Some(i) = self.early.iter().position(|(t, _, _)| t == id) {
            let (_, imported, total) = self.early.remove(i);
            self.apply(id, imported, total);
        }
    }

    /// No more tasks will be added: completion can be declared.
    pub fn seal(&mut self) {
        self.sealed = true;
        self.early.clear();
    }

    fn apply(&mut self, id: &str, imported: u64, total: u64) -> bool {
        let Some(t) = self.tasks.iter_mut().find(|t| t.id == id) else { return false };
        // Counts never go back (a reconnect snapshot may repeat an older state).
        let imported = imported.max(if t.heard { t.imported } else { 0 });
        let changed = !t.heard || t.imported != imported || t.total != total;
        *t = Task { id: t.id.clone(), imported, total, heard: true };
        changed
    }

    /// Feeds one message; true when our counts changed.
    pub fn on_message(&mut self, text: &str) -> bool {
        match parse(text) {
            Incoming::Progress { task_id, imported, total } => {
                if self.tasks.iter().any(|t| t.id == task_id) {
                    self.apply(&task_id, imported, total)
                } else {
                    if !self.sealed {
                        self.early.retain(|(t, _, _)| *t != task_id);
                        if self.early.len() >= EARLY_LIMIT {
                            self.early.remove(0);
                        }
                        self.early.push((task_id, imported, total));
                    }
                    false
                }
            }
            _ => false,
        }
    }

    pub fn imported(&self) -> u64 {
        self.tasks.iter().map(|t| t.imported.min(t.total)).sum()
    }

    pub fn total(&self) -> u64 {
        self.tasks.iter().map(|t| t.total).sum()
    }

    pub fn task_count(&self) -> usize {
        self.tasks.len()
    }

    /// Tasks the server reported complete (`imported == total`, D-CTI).
    pub fn finished(&self) -> usize {
        self.tasks.iter().filter(|t| t.heard && t.imported >= t.total).count()
    }

    pub fn is_complete(&self) -> bool {
        self.sealed && self.finished() == self.tasks.len()
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.tasks.iter().map(|t| t.id.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(id: &str, imported: u64, total: u64) -> String {
        format!(r#"{{"metadata":{{"version":2}},"type":"ioc-collection","action":"updated","attributes":{{"task_id":"{id}","imported":{imported},"total":{total}}}}}"#)
    }

    #[test]
    fn urls() {
        assert_eq!(live_url("https://api.sekoia.io/api").unwrap(), "wss://app.sekoia.io/live/");
        assert_eq!(live_url("https://app.sekoia.io/api").unwrap(), "wss://app.sekoia.io/live/");
        assert_eq!(live_url("https://app.fra2.sekoia.io/api").unwrap(), "wss://fra2.app.sekoia.io/live/");
        assert_eq!(live_url("https://app.usa1.sekoia.io/api").unwrap(), "wss://usa1.app.sekoia.io/live/");
        assert_eq!(live_url("https://api.fra2.sekoia.io/api").unwrap(), "wss://app.fra2.sekoia.io/live/");
        assert_eq!(live_url("http://127.0.0.1:4010/sekoia/api").unwrap(), "ws://127.0.0.1:4010/sekoia/live/");
        assert_eq!(live_url("https://proxy.example/x/api").unwrap(), "wss://proxy.example/x/live/");
        assert_eq!(live_url("http://[::1]:9/api").unwrap(), "ws://[::1]:9/live/");
        assert_eq!(live_url("http://[::1]/api").unwrap(), "ws://[::1]/live/");
        assert!(live_url("ftp://x/api").is_err());
        assert!(live_url("nonsense").is_err());
    }

    #[test]
    fn messages() {
        assert_eq!(parse(r#"{"authenticated":true}"#), Incoming::Ack(true));
        assert_eq!(parse(r#"{"authenticated":false,"message":"The token is invalid"}"#), Incoming::Ack(false));
        assert_eq!(parse(&msg("t1", 3, 10)), Incoming::Progress { task_id: "t1".into(), imported: 3, total: 10 });
        assert_eq!(parse(r#"{"type":"alert","attributes":{"task_id":"t1","imported":1,"total":1}}"#), Incoming::Other);
        assert_eq!(parse(r#"{"type":"ioc-collection","attributes":{"task_id":"t1"}}"#), Incoming::Other);
        assert_eq!(parse(r#"{"type":"ioc-collection","attributes":{"task_id":"t1","imported":-1,"total":2}}"#), Incoming::Other);
        assert_eq!(parse(r#"{"action":"pong"}"#), Incoming::Other);
        assert_eq!(parse("not json"), Incoming::Other);
    }

    #[test]
    fn progress_filters_by_task_and_completes_when_sealed() {
        let mut p = ImportProgress::default();
        // A message for a task we don't know yet (its 202 is still on the way) is kept...
        assert!(!p.on_message(&msg("a", 5, 10)));
        p.add_task("a", 12);
        assert_eq!((p.imported(), p.total(), p.finished()), (5, 10, 0));
        p.add_task("b", 7);
        assert_eq!(p.total(), 17, "unheard task counts what we sent");
        assert!(!p.on_message(&msg("other", 1, 1)), "someone else's task");
        assert!(p.on_message(&msg("a", 10, 10)));
        assert!(p.on_message(&msg("b", 7, 7)));
        assert_eq!(p.finished(), 2);
        assert!(!p.is_complete(), "not sealed: more batches may come");
        p.seal();
        assert!(p.is_complete());
        assert_eq!((p.imported(), p.total()), (17, 17));
        assert!(!p.on_message(&msg("b", 7, 7)), "a repeated snapshot changes nothing");
    }

    #[test]
    fn counts_never_go_back_and_zero_total_completes() {
        let mut p = ImportProgress::default();
        p.add_task("a", 100);
        p.seal();
        assert!(p.on_message(&msg("a", 60, 100)));
        assert!(!p.on_message(&msg("a", 40, 100)), "an older state after a reconnect");
        assert_eq!(p.imported(), 60);
        let mut z = ImportProgress::default();
        z.add_task("z", 0);
        z.seal();
        assert!(!z.is_complete(), "complete only once the server said so");
        z.on_message(&msg("z", 0, 0));
        assert!(z.is_complete());
        let mut empty = ImportProgress::default();
        empty.seal();
        assert!(empty.is_complete(), "nothing was sent");
    }

    #[test]
    fn early_buffer_is_bounded() {
        let mut p = ImportProgress::default();
        for i in 0..(EARLY_LIMIT + 10) {
            p.on_message(&msg(&format!("t{i}"), 1, 2));
        }
        assert_eq!(p.early.len(), EARLY_LIMIT);
        p.add_task("t0", 2);
        assert_eq!(p.imported(), 0, "the oldest early message was dropped");
        p.add_task(&format!("t{}", EARLY_LIMIT + 9), 2);
        assert_eq!(p.imported(), 1);
    }

    #[test]
    fn backoff_schedule() {
        assert_eq!(reconnect_delay_ms(0, 0.0), None);
        assert_eq!(reconnect_delay_ms(1, 1.0), Some(500.0));
        assert_eq!(reconnect_delay_ms(1, 0.0), Some(250.0));
        assert_eq!(reconnect_delay_ms(3, 1.0), Some(2000.0));
        assert_eq!(reconnect_delay_ms(8, 1.0), Some(30_000.0));
        assert_eq!(reconnect_delay_ms(MAX_RECONNECTS, 0.5), Some(22_500.0));
        assert_eq!(reconnect_delay_ms(MAX_RECONNECTS + 1, 0.5), None);
    }
}
