//! The request engine: WAF guard → attempt → classify → retry, over a [`Transport`].
//!
//! The engine does no I/O of its own. A transport sends one attempt, sleeps, and tells the
//! time; the wasm build plugs in the global `fetch` (`src/js/transport.rs`), host tests plug in
//! a scripted fake with a manual clock, so every timing rule here is tested without waiting.

use std::cell::RefCell;
use std::rc::Rc;

use super::error::{Error, Redactor, Result, TimeoutKind};
use super::ratelimit::WafGuard;
use super::request::Request;
use super::response::{api_error, ResponseHead};
use super::retry::{AttemptOutcome, RetryDecision, RetryPolicy};

/// Why one attempt produced no usable response.
#[derive(Debug, Clone, PartialEq)]
pub enum SendError {
    Network(String),
    /// The attempt's timeout fired (the transport aborts the request and the body read).
    Timeout,
    /// The caller's abort signal fired.
    Aborted,
    /// A 2xx body that did not decode as the request expected.
    Decode { status: u16, message: String },
}

/// One complete response. `body` is `Ok` for a 2xx (decoded as the request expects), and
/// `Err(text)` for any other status (the text, if readable, feeds the error).
pub struct Received<B> {
    pub head: ResponseHead,
    pub body: std::result::Result<B, Option<String>>,
}

#[allow(async_fn_in_trait)] // single-threaded by design (wasm); no Send bound wanted
pub trait Transport {
    type Body;
    /// Sends one attempt; `timeout_ms` bounds the whole attempt including the body read.
    async fn send(&self, req: &Request, timeout_ms: Option<f64>) -> std::result::Result<Received<Self::Body>, SendError>;
    /// Waits; fails with [`SendError::Aborted`] as soon as the caller aborts.
    async fn sleep(&self, ms: f64) -> std::result::Result<(), SendError>;
    /// Milliseconds on a clock that does not jump backwards (for waits and deadlines).
    fn now_ms(&self) -> f64;
    /// Wall-clock Unix milliseconds (for HTTP-date `Retry-After`).
    fn unix_ms(&self) -> f64;
    /// Uniform in [0, 1), for jitter.
    fn random(&self) -> f64;
}

/// Per-call limits.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CallOptions {
    /// Per-attempt timeout; overrides the engine's default.
    pub timeout_ms: Option<f64>,
    /// Absolute deadline on the transport clock: covers guard waits, attempts, body reads
    /// and retry waits.
    pub deadline_ms: Option<f64>,
}

#[derive(Debug)]
pub struct Success<B> {
    pub head: ResponseHead,
    pub body: B,
    pub attempts: u32,
}

/// Shared by every request of one client (and every iterator, import and lookup on it).
#[derive(Debug, Clone)]
pub struct Engine {
    pub retry: RetryPolicy,
    pub guard: Option<Rc<RefCell<WafGuard>>>,
    pub timeout_ms: Option<f64>,
    pub redactor: Redactor,
}

impl Engine {
    pub async fn execute<T: Transport>(&self, t: &T, req: &Request, call: &CallOptions) -> Result<Success<T::Body>> {
        let start = t.now_ms();
        let mut attempts: u32 = 0;
        loop {
            self.wait_for_slot(t, call.deadline_ms, start, attempts).await?;
            attempts += 1;

            let now = t.now_ms();
            let remaining = call.deadline_ms.map(|d| d - now);
            if let Some(r) = remaining {
                if r <= 0.0 {
                    return Err(deadline(now - start, attempts - 1));
                }
            }
            let per_attempt = call.timeout_ms.or(self.timeout_ms);
            let (timeout, deadline_bound) = match (per_attempt, remaining) {
                (Some(a), Some(r)) if r <= a => (Some(r), true),
                (Some(a), _) => (Some(a), false),
                (None, Some(r)) => (Some(r), true),
                (None, None) => (None, false),
            };

            let (outcome, err) = match t.send(req, timeout).await {
                Ok(Received { head, body: Ok(body) }) => return Ok(Success { head, body, attempts }),
                Ok(Received { head, body: Err(text) }) => {
                    let after = t.now_ms();
                    if head.status >= 400 {
                        if let Some(g) = &self.guard {
                            g.borrow_mut().record_error(after);
                        }
                    }
                    let e = api_error(&head, text.as_deref(), req.method.as_str(), &req.url, attempts, t.unix_ms());
                    let outcome = AttemptOutcome::Status { status: head.status, retry_after_ms: e.retry_after_ms };
                    (outcome, Error::Api(Box::new(e)))
                }
                Err(SendError::Aborted) => return Err(Error::Abort { attempts }),
                Err(SendError::Timeout) => {
                    if deadline_bound {
                        return Err(deadline(t.now_ms() - start, attempts));
                    }
                    let after_ms = timeout.unwrap_or(0.0);
                    (AttemptOutcome::AttemptTimeout, Error::Timeout { kind: TimeoutKind::Attempt, after_ms, attempts })
                }
                Err(SendError::Network(message)) => {
                    if let Some(g) = &self.guard {
                        g.borrow_mut().record_unseen_send(t.now_ms());
                    }
                    (AttemptOutcome::Network, Error::Network { message, attempts })
                }
                Err(SendError::Decode { status, message }) => {
                    (AttemptOutcome::Decode, Error::Decode { message, status, attempts })
                }
            };

            match self.retry.decide(attempts, req.is_retryable_method(), outcome, t.random()) {
                RetryDecision::GiveUp => return Err(self.redactor.redact_error(err)),
                RetryDecision::Retry { delay_ms, .. } => {
                    if let Some(d) = call.deadline_ms {
                        if t.now_ms() + delay_ms >= d {
                            // Waiting would overrun the deadline: the last failure says more
                            // than a bare timeout would.
                            return Err(self.redactor.redact_error(err));
                        }
                    }
                    t.sleep(delay_ms).await.map_err(|_| Error::Abort { attempts })?;
                }
            }
        }
    }

    async fn wait_for_slot<T: Transport>(&self, t: &T, deadline_ms: Option<f64>, start: f64, attempts: u32) -> Result<()> {
        let Some(guard) = &self.guard else { return Ok(()) };
        loop {
            let now = t.now_ms();
            let wait = match guard.borrow_mut().try_acquire(now) {
                Ok(()) => return Ok(()),
                Err(w) => w,
            };
            if let Some(d) = deadline_ms {
                if now + wait > d {
                    return Err(deadline(now - start, attempts));
                }
            }
            t.sleep(wait).await.map_err(|_| Error::Abort { attempts })?;
        }
    }
}

fn deadline(after_ms: f64, attempts: u32) -> Error {
    Error::Timeout { kind: TimeoutKind::Deadline, after_ms, attempts }
}

#[cfg(test)]
pub mod fake {
    //! A scripted transport with a manual clock, for host tests of everything built on the engine.
    use super::*;
    use std::cell::{Cell, RefCell};
    use std::collections::VecDeque;

    /// One scripted reaction to a request.
    #[derive(Debug, Clone)]
    pub enum Step {
        /// Respond after `latency_ms` with this status, headers and body text.
        Respond { status: u16, headers: Vec<(String, String)>, body: String, latency_ms: f64 },
        /// Fail with a network error after `latency_ms`.
        Network { latency_ms: f64 },
        /// Take this long to answer (a timeout fires if it is shorter).
        Hang { ms: f64 },
        /// Respond 200 with a body that does not parse.
        Garbage,
    }

    pub fn ok(body: &str) -> Step {
        Step::Respond { status: 200, headers: vec![], body: body.into(), latency_ms: 1.0 }
    }

    pub fn status(s: u16, headers: &[(&str, &str)]) -> Step {
        Step::Respond {
            status: s,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: format!("{{\"message\":\"status {s}\",\"code\":\"C{s}\"}}"),
            latency_ms: 1.0,
        }
    }

    #[derive(Default)]
    pub struct FakeTransport {
        pub clock: Cell<f64>,
        pub script: RefCell<VecDeque<Step>>,
        /// (send time, request) of every attempt.
        pub sent: RefCell<Vec<(f64, Request)>>,
        /// Abort once the clock reaches this time (simulates the caller's signal).
        pub abort_at: Cell<Option<f64>>,
    }

    impl FakeTransport {
        pub fn new(steps: impl IntoIterator<Item = Step>) -> Self {
            let t = FakeTransport::default();
            t.script.borrow_mut().extend(steps);
            t
        }
        pub fn push(&self, step: Step) {
            self.script.borrow_mut().push_back(step);
        }
        fn advance(&self, ms: f64) -> std::result::Result<(), SendError> {
            let target = self.clock.get() + ms;
            if let Some(a) = self.abort_at.get() {
                if target >= a {
                    self.clock.set(a.max(self.clock.get()));
                    return Err(SendError::Aborted);
                }
            }
            self.clock.set(target);
            Ok(())
        }
        pub fn send_times(&self) -> Vec<f64> {
            self.sent.borrow().iter().map(|(t, _)| *t).collect()
        }
    }

    impl Transport for FakeTransport {
        type Body = serde_json::Value;

        async fn send(&self, req: &Request, timeout_ms: Option<f64>) -> std::result::Result<Received<Self::Body>, SendError> {
            self.sent.borrow_mut().push((self.clock.get(), req.clone()));
            let step = self.script.borrow_mut().pop_front().unwrap_or_else(|| ok("{}"));
            let took = match &step {
                Step::Respond { latency_ms, .. } | Step::Network { latency_ms } => *latency_ms,
                Step::Hang { ms } => *ms,
                Step::Garbage => 1.0,
            };
            if let Some(to) = timeout_ms {
                if took > to {
                    self.advance(to)?;
                    return Err(SendError::Timeout);
                }
            }
            self.advance(took)?;
            match step {
                Step::Respond { status, headers, body, .. } => {
                    let head = ResponseHead { status, headers };
                    if (200..300).contains(&status) && req.expect != crate::core::request::ResponseKind::Json {
                        // Text and bytes bodies come back as the string itself.
                        Ok(Received { head, body: Ok(serde_json::Value::String(body)) })
                    } else if (200..300).contains(&status) {
                        match serde_json::from_str(&body) {
                            Ok(v) => Ok(Received { head, body: Ok(v) }),
                            Err(e) => Err(SendError::Decode { status, message: e.to_string() }),
                        }
                    } else {
                        Ok(Received { head, body: Err(Some(body)) })
                    }
                }
                Step::Network { .. } => Err(SendError::Network("connection reset".into())),
                Step::Hang { .. } => Ok(Received { head: ResponseHead { status: 200, headers: vec![] }, body: Ok(serde_json::Value::Null) }),
                Step::Garbage => Err(SendError::Decode { status: 200, message: "EOF while parsing".into() }),
            }
        }

        async fn sleep(&self, ms: f64) -> std::result::Result<(), SendError> {
            self.advance(ms)
        }

        fn now_ms(&self) -> f64 {
            self.clock.get()
        }

        fn unix_ms(&self) -> f64 {
            1_700_000_000_000.0 + self.clock.get()
        }

        fn random(&self) -> f64 {
            0.5
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fake::*;
    use super::*;
    use crate::core::error::ApiErrorKind;
    use crate::core::ratelimit::RateLimitConfig;
    use crate::core::request::{Auth, ClientConfig, Method, Secret};
    use crate::core::url::{BaseUrl, Path, Query};
    use futures::executor::block_on;

    fn engine(guard: Option<RateLimitConfig>) -> Engine {
        Engine {
            retry: RetryPolicy { base_delay_ms: 100.0, ..Default::default() },
            guard: guard.map(|g| Rc::new(RefCell::new(WafGuard::new(g)))),
            timeout_ms: Some(10_000.0),
            redactor: Auth::Bearer(Secret::new("SECRET-KEY-123")).redactor(),
        }
    }

    fn get() -> Request {
        let cfg = ClientConfig {
            base: BaseUrl::parse("http://sim", None).unwrap(),
            auth: Auth::Bearer(Secret::new("SECRET-KEY-123")),
            user_agent: None,
            default_headers: vec![],
        };
        cfg.request(Method::Get, &Path::parse("/x", "p").unwrap(), &Query::new())
    }

    fn post() -> Request {
        Request { method: Method::Post, ..get() }
    }

    #[test]
    fn success_passes_through() {
        let t = FakeTransport::new([ok(r#"{"a":1}"#)]);
        let r = block_on(engine(None).execute(&t, &get(), &CallOptions::default())).unwrap();
        assert_eq!(r.attempts, 1);
        assert_eq!(r.body["a"], 1);
    }

    #[test]
    fn retries_5xx_then_succeeds_with_backoff() {
        let t = FakeTransport::new([status(503, &[]), status(502, &[]), ok("{}")]);
        let r = block_on(engine(None).execute(&t, &get(), &CallOptions::default())).unwrap();
        assert_eq!(r.attempts, 3);
        let times = t.send_times();
        // backoff with random=0.5: 75 ms then 150 ms (plus 1 ms latency each).
        assert_eq!(times, vec![0.0, 76.0, 227.0]);
    }

    #[test]
    fn honours_retry_after_exactly() {
        let t = FakeTransport::new([status(429, &[("retry-after", "2")]), ok("{}")]);
        block_on(engine(None).execute(&t, &get(), &CallOptions::default())).unwrap();
        let times = t.send_times();
        assert_eq!(times[1] - times[0], 1.0 + 2000.0, "no jitter on a server-given delay");
    }

    #[test]
    fn gives_up_with_typed_error_and_attempt_count() {
        let t = FakeTransport::new((0..10).map(|_| status(503, &[("x-request-id", "r1")])));
        let e = block_on(engine(None).execute(&t, &get(), &CallOptions::default())).unwrap_err();
        match e {
            Error::Api(a) => {
                assert_eq!(a.kind, ApiErrorKind::Server);
                assert_eq!(a.attempts, 4);
                assert_eq!(a.request_id.as_deref(), Some("r1"));
                assert_eq!(a.code.as_deref(), Some("C503"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn post_is_not_retried_unless_opted_in() {
        let t = FakeTransport::new([status(503, &[]), ok("{}")]);
        assert!(block_on(engine(None).execute(&t, &post(), &CallOptions::default())).is_err());
        assert_eq!(t.sent.borrow().len(), 1);
        let t = FakeTransport::new([status(503, &[]), ok("{}")]);
        let req = Request { retry_unsafe: true, ..post() };
        assert!(block_on(engine(None).execute(&t, &req, &CallOptions::default())).is_ok());
    }

    #[test]
    fn not_found_is_not_retried() {
        let t = FakeTransport::new([status(404, &[]), ok("{}")]);
        let e = block_on(engine(None).execute(&t, &get(), &CallOptions::default())).unwrap_err();
        assert_eq!(e.class_name(), "NotFoundError");
        assert_eq!(e.attempts(), 1);
    }

    #[test]
    fn network_and_decode_errors_are_retried_then_typed() {
        let t = FakeTransport::new([Step::Network { latency_ms: 1.0 }, Step::Garbage, ok("[]")]);
        let r = block_on(engine(None).execute(&t, &get(), &CallOptions::default())).unwrap();
        assert_eq!(r.attempts, 3);
        let t = FakeTransport::new((0..5).map(|_| Step::Garbage));
        let e = block_on(engine(None).execute(&t, &get(), &CallOptions::default())).unwrap_err();
        assert!(matches!(e, Error::Decode { status: 200, attempts: 4, .. }), "{e:?}");
    }

    #[test]
    fn attempt_timeout_is_retried_deadline_is_final() {
        let e = engine(None);
        let t = FakeTransport::new([Step::Hang { ms: 60_000.0 }, ok("{}")]);
        let call = CallOptions { timeout_ms: Some(1000.0), deadline_ms: None };
        let r = block_on(e.execute(&t, &get(), &call)).unwrap();
        assert_eq!(r.attempts, 2);

        let t = FakeTransport::new([Step::Hang { ms: 60_000.0 }, ok("{}")]);
        let call = CallOptions { timeout_ms: Some(10_000.0), deadline_ms: Some(2500.0) };
        let err = block_on(e.execute(&t, &get(), &call)).unwrap_err();
        assert!(matches!(err, Error::Timeout { kind: TimeoutKind::Deadline, .. }), "{err:?}");
        assert_eq!(t.clock.get(), 2500.0, "the deadline cut the attempt short");
    }

    #[test]
    fn deadline_stops_before_a_retry_wait_it_cannot_afford() {
        let t = FakeTransport::new([status(429, &[("retry-after", "5")]), ok("{}")]);
        let call = CallOptions { timeout_ms: None, deadline_ms: Some(3000.0) };
        let err = block_on(engine(None).execute(&t, &get(), &call)).unwrap_err();
        assert_eq!(err.class_name(), "RateLimitError");
        assert_eq!(t.sent.borrow().len(), 1);
        assert!(t.clock.get() < 10.0, "did not sleep");
    }

    #[test]
    fn abort_during_retry_wait() {
        let t = FakeTransport::new([status(503, &[("retry-after", "10")]), ok("{}")]);
        t.abort_at.set(Some(500.0));
        let err = block_on(engine(None).execute(&t, &get(), &CallOptions::default())).unwrap_err();
        assert_eq!(err, Error::Abort { attempts: 1 });
        assert_eq!(t.clock.get(), 500.0);
    }

    #[test]
    fn guard_limits_rate_across_calls() {
        let e = engine(Some(RateLimitConfig { safety_margin_ms: 0.0, ..Default::default() }));
        let t = FakeTransport::new((0..12).map(|_| Step::Respond { status: 200, headers: vec![], body: "{}".into(), latency_ms: 0.0 }));
        for _ in 0..12 {
            block_on(e.execute(&t, &get(), &CallOptions::default())).unwrap();
        }
        let times = t.send_times();
        for (i, &s) in times.iter().enumerate() {
            assert!(times[i..].iter().filter(|&&u| u - s < 1000.0).count() <= 5);
        }
        assert_eq!(times[11], 2000.0);
    }

    #[test]
    fn guard_cooldown_after_two_errors() {
        let cfg = RateLimitConfig { cooldown_ms: 4000.0, safety_margin_ms: 0.0, ..Default::default() };
        let e = Engine { retry: RetryPolicy { limit: 0, ..Default::default() }, ..engine(Some(cfg)) };
        let t = FakeTransport::new([status(500, &[]), status(500, &[]), ok("{}")]);
        for _ in 0..2 {
            let _ = block_on(e.execute(&t, &get(), &CallOptions::default()));
        }
        block_on(e.execute(&t, &get(), &CallOptions::default())).unwrap();
        let times = t.send_times();
        assert!(times[2] - times[1] >= 4000.0, "{times:?}");
    }

    #[test]
    fn guard_wait_respects_deadline_and_abort() {
        let cfg = RateLimitConfig { max_requests: 1, safety_margin_ms: 0.0, ..Default::default() };
        let e = engine(Some(cfg));
        let t = FakeTransport::new([ok("{}"), ok("{}")]);
        block_on(e.execute(&t, &get(), &CallOptions::default())).unwrap();
        let call = CallOptions { timeout_ms: None, deadline_ms: Some(t.clock.get() + 200.0) };
        let err = block_on(e.execute(&t, &get(), &call)).unwrap_err();
        assert!(matches!(err, Error::Timeout { kind: TimeoutKind::Deadline, .. }));
        t.abort_at.set(Some(t.clock.get() + 100.0));
        let err = block_on(e.execute(&t, &get(), &CallOptions::default())).unwrap_err();
        assert!(matches!(err, Error::Abort { .. }));
    }

    #[test]
    fn errors_never_contain_the_key() {
        let echo = Step::Respond {
            status: 401,
            headers: vec![("www-authenticate".into(), "Bearer SECRET-KEY-123".into())],
            body: r#"{"message":"bad token SECRET-KEY-123","code":"T300"}"#.into(),
            latency_ms: 1.0,
        };
        let t = FakeTransport::new([echo]);
        let err = block_on(engine(None).execute(&t, &get(), &CallOptions::default())).unwrap_err();
        let dump = format!("{err:?} {err}");
        assert!(!dump.contains("SECRET-KEY-123"), "{dump}");
    }
}
