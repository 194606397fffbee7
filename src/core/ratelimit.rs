//! The WAF guard: Sekoia's published guidance is "at most 5 requests in any 1-second window,
//! and pause after 2 error responses within 10 s". A token bucket of capacity 5 refilled at
//! 5/s lets 10 requests through in the first second, so this is a sliding-window log of the
//! last send times instead. Pure: the caller passes `now` (ms, monotonic enough) and sleeps
//! for the returned wait itself. Nothing is scheduled: an idle guard costs nothing.

use std::collections::VecDeque;

#[derive(Debug, Clone, PartialEq)]
pub struct RateLimitConfig {
    /// Requests allowed in any window (0 disables the window check).
    pub max_requests: u32,
    pub window_ms: f64,
    /// Extra spacing added to the window, so that network jitter between our send time and
    /// the server's arrival time cannot squeeze a 6th request into the server's window.
    pub safety_margin_ms: f64,
    /// Error responses within `error_window_ms` that trigger a cooldown (0 disables it).
    pub cooldown_after_errors: u32,
    pub error_window_ms: f64,
    pub cooldown_ms: f64,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            max_requests: 5,
            window_ms: 1000.0,
            safety_margin_ms: 50.0,
            cooldown_after_errors: 2,
            error_window_ms: 10_000.0,
            cooldown_ms: 5_000.0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct WafGuard {
    cfg: RateLimitConfig,
    sends: VecDeque<f64>,
    errors: VecDeque<f64>,
    cooldown_until: f64,
}

impl WafGuard {
    pub fn new(cfg: RateLimitConfig) -> Self {
        WafGuard { cfg, sends: VecDeque::new(), errors: VecDeque::new(), cooldown_until: f64::NEG_INFINITY }
    }

    pub fn config(&self) -> &RateLimitConfig {
        &self.cfg
    }

    /// Asks to send now. `Ok(())` records the send; `Err(wait_ms)` says how long to wait before
    /// asking again (ask again: another caller may have taken the slot meanwhile).
    pub fn try_acquire(&mut self, now: f64) -> Result<(), f64> {
        if now < self.cooldown_until {
            return Err(self.cooldown_until - now);
        }
        let max = self.cfg.max_requests as usize;
        if max > 0 {
            let span = self.cfg.window_ms + self.cfg.safety_margin_ms;
            while let Some(&t) = self.sends.front() {
                if now - t >= span {
                    self.sends.pop_front();
                } else {
                    break;
                }
            }
            if self.sends.len() >= max {
                let oldest = self.sends[self.sends.len() - max];
                let wait = oldest + span - now;
                if wait > 0.0 {
                    return Err(wait);
                }
            }
            self.sends.push_back(now);
        }
        Ok(())
    }

    /// Counts one more send at `now` without asking. Browsers transparently re-send a request
    /// whose reused connection was reset, so a network failure may have reached the server
    /// twice: the engine records it here to keep the window honest even then.
    pub fn record_unseen_send(&mut self, now: f64) {
        if self.cfg.max_requests > 0 {
            self.sends.push_back(now);
        }
    }

    /// Records an error response (HTTP ≥ 400). Two of them within the error window start a
    /// cooldown; the error log is then cleared, so each cooldown needs two fresh errors.
    pub fn record_error(&mut self, now: f64) {
        let n = self.cfg.cooldown_after_errors as usize;
        if n == 0 {
            return;
        }
        while let Some(&t) = self.errors.front() {
            if now - t > self.cfg.error_window_ms {
                self.errors.pop_front();
            } else {
                break;
            }
        }
        self.errors.push_back(now);
        if self.errors.len() >= n {
            self.cooldown_until = self.cooldown_until.max(now + self.cfg.cooldown_ms);
            self.errors.clear();
        }
    }

    /// Until when sending is paused (ms, same clock as `now`), if a cooldown is active.
    pub fn cooldown_until(&self, now: f64) -> Option<f64> {
        (self.cooldown_until > now).then_some(self.cooldown_until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(margin: f64) -> RateLimitConfig {
        RateLimitConfig { safety_margin_ms: margin, ..Default::default() }
    }

    /// Drives the guard like the engine does: ask, sleep the wait, ask again.
    fn send_times(guard: &mut WafGuard, n: usize, start: f64) -> Vec<f64> {
        let mut now = start;
        let mut out = Vec::new();
        while out.len() < n {
            match guard.try_acquire(now) {
                Ok(()) => out.push(now),
                Err(w) => now += w,
            }
        }
        out
    }

    #[test]
    fn never_more_than_max_sends_in_any_window_span() {
        let mut g = WafGuard::new(cfg(0.0));
        let times = send_times(&mut g, 23, 0.0);
        for (i, &t) in times.iter().enumerate() {
            let in_window = times[i..].iter().filter(|&&u| u - t < 1000.0).count();
            assert!(in_window <= 5, "{in_window} sends in the window starting at {t}");
        }
        // And it is not slower than it must be: 5 at once, then 5 per second.
        assert_eq!(&times[..5], &[0.0; 5]);
        assert_eq!(times[5], 1000.0);
        assert_eq!(times[10], 2000.0);
    }

    #[test]
    fn a_token_bucket_would_have_allowed_ten_in_the_first_second() {
        // The guard must refuse the 6th request anywhere inside the first second.
        let mut g = WafGuard::new(cfg(0.0));
        for _ in 0..5 {
            g.try_acquire(0.0).unwrap();
        }
        for t in [1.0, 200.0, 999.0] {
            assert!(g.try_acquire(t).is_err(), "accepted at {t}");
        }
    }

    #[test]
    fn safety_margin_spaces_windows() {
        let mut g = WafGuard::new(cfg(20.0));
        let times = send_times(&mut g, 6, 0.0);
        assert_eq!(times[5], 1020.0);
    }

    #[test]
    fn cooldown_after_two_errors_within_the_error_window_span() {
        let mut g = WafGuard::new(RateLimitConfig { cooldown_ms: 3000.0, ..cfg(0.0) });
        g.try_acquire(0.0).unwrap();
        g.record_error(0.0);
        assert!(g.try_acquire(100.0).is_ok(), "one error does not pause");
        g.record_error(9_000.0);
        assert_eq!(g.try_acquire(9_000.0), Err(3000.0));
        assert_eq!(g.cooldown_until(9_500.0), Some(12_000.0));
        assert!(g.try_acquire(12_000.0).is_ok());
        // Errors further apart than the window never pause.
        g.record_error(20_000.0);
        g.record_error(30_001.0);
        assert!(g.try_acquire(30_001.0).is_ok());
    }

    #[test]
    fn unseen_sends_take_a_slot() {
        let mut g = WafGuard::new(cfg(0.0));
        for _ in 0..4 {
            g.try_acquire(0.0).unwrap();
        }
        g.record_unseen_send(0.0);
        assert!(g.try_acquire(10.0).is_err(), "the browser's silent re-send counted");
    }

    #[test]
    fn disabled_guard_never_waits() {
        let mut g = WafGuard::new(RateLimitConfig { max_requests: 0, cooldown_after_errors: 0, ..Default::default() });
        for _ in 0..100 {
            g.try_acquire(0.0).unwrap();
            g.record_error(0.0);
        }
    }
}
