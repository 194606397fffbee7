//! Bounded concurrency on one thread: run a list of futures with at most `limit` of them in
//! flight, results in input order, failing fast on the first error. No executor and no
//! dependency: one `poll_fn` over the active futures (they share the caller's waker, so any of
//! them waking re-polls the set — cheap for the handful a client runs at once).

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use super::error::Result;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + 'a>>;

/// Runs `futures` with at most `limit` (≥ 1) polled at a time. A future is only polled (so only
/// starts its request) once a slot is free. `on_done(done, total)` follows each completion (a
/// progress report); its error stops everything like a future's. The first error is returned at
/// once; the futures still in flight are dropped.
pub async fn bounded<'a, T>(futures: Vec<BoxFuture<'a, T>>, limit: usize, mut on_done: impl FnMut(usize, usize) -> Result<()>) -> Result<Vec<T>> {
    let limit = limit.max(1);
    let (total, mut done) = (futures.len(), 0);
    let mut out: Vec<Option<T>> = futures.iter().map(|_| None).collect();
    let mut queue = futures.into_iter().enumerate();
    let mut active: Vec<(usize, BoxFuture<'a, T>)> = Vec::new();
    std::future::poll_fn(move |cx| loop {
        while active.len() < limit {
            match queue.next() {
                Some(f) => active.push(f),
                None => break,
            }
        }
        if active.is_empty() {
            return Poll::Ready(Ok(std::mem::take(&mut out).into_iter().flatten().collect()));
        }
        let mut finished = false;
        let mut i = 0;
        while i < active.len() {
            match active[i].1.as_mut().poll(cx) {
                Poll::Ready(Ok(v)) => {
                    out[active[i].0] = Some(v);
                    drop(active.swap_remove(i));
                    finished = true;
                    done += 1;
                    if let Err(e) = on_done(done, total) {
                        return Poll::Ready(Err(e));
                    }
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => i += 1,
            }
        }
        if !finished {
            return Poll::Pending;
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::Error;
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    /// Pending `polls` times (waking itself), then `value`; tracks how many run at once.
    struct Job {
        polls: u32,
        started: bool,
        value: Result<u32>,
        live: Rc<Cell<u32>>,
        max: Rc<Cell<u32>>,
        log: Rc<RefCell<Vec<u32>>>,
    }

    impl Future for Job {
        type Output = Result<u32>;
        fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<Result<u32>> {
            if !self.started {
                self.started = true;
                self.live.set(self.live.get() + 1);
                self.max.set(self.max.get().max(self.live.get()));
            }
            if self.polls > 0 {
                self.polls -= 1;
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            self.live.set(self.live.get() - 1);
            if let Ok(v) = &self.value {
                self.log.borrow_mut().push(*v);
            }
            Poll::Ready(self.value.clone())
        }
    }

    /// The jobs, the most that ever ran at once, and the order they finished in.
    type Jobs = (Vec<BoxFuture<'static, u32>>, Rc<Cell<u32>>, Rc<RefCell<Vec<u32>>>);

    fn jobs(specs: &[(u32, Result<u32>)]) -> Jobs {
        let live = Rc::new(Cell::new(0));
        let max = Rc::new(Cell::new(0));
        let log = Rc::new(RefCell::new(Vec::new()));
        let futs = specs
            .iter()
            .map(|(polls, value)| {
                Box::pin(Job { polls: *polls, started: false, value: value.clone(), live: live.clone(), max: max.clone(), log: log.clone() })
                    as BoxFuture<'static, u32>
            })
            .collect();
        (futs, max, log)
    }

    #[test]
    fn never_more_than_limit_and_results_in_input_order() {
        let specs: Vec<(u32, Result<u32>)> = (0..10).map(|i| ((i * 7) % 5, Ok(i))).collect();
        let (futs, max, log) = jobs(&specs);
        let mut reports = Vec::new();
        let report = |d, t| {
            reports.push((d, t));
            Ok(())
        };
        let out = futures::executor::block_on(bounded(futs, 3, report)).unwrap();
        assert_eq!(reports, (1..=10).map(|d| (d, 10)).collect::<Vec<_>>(), "one report per completion");
        assert_eq!(out, (0..10).collect::<Vec<_>>());
        assert_eq!(max.get(), 3);
        assert_ne!(*log.borrow(), (0..10).collect::<Vec<_>>(), "completion order differs from input order");
    }

    #[test]
    fn limit_one_is_sequential_and_empty_is_fine() {
        let (futs, max, _) = jobs(&[(2, Ok(1)), (0, Ok(2)), (1, Ok(3))]);
        assert_eq!(futures::executor::block_on(bounded(futs, 1, |_, _| Ok(()))).unwrap(), vec![1, 2, 3]);
        assert_eq!(max.get(), 1);
        assert!(futures::executor::block_on(bounded::<u32>(Vec::new(), 4, |_, _| Ok(()))).unwrap().is_empty());
    }

    #[test]
    fn first_error_wins_and_stops_launching() {
        let err = Error::validation("x", "boom");
        let mut specs: Vec<(u32, Result<u32>)> = vec![(5, Ok(0)), (0, Err(err.clone()))];
        specs.extend((2..20).map(|i| (0, Ok(i))));
        let (futs, _, log) = jobs(&specs);
        assert_eq!(futures::executor::block_on(bounded(futs, 2, |_, _| Ok(()))), Err(err));
        assert!(log.borrow().len() <= 1, "no job after the error ran: {:?}", log.borrow());
    }

    #[test]
    fn an_error_from_the_report_stops_like_a_failed_future() {
        let stop = Error::validation("onProgress", "stop");
        let (futs, _, log) = jobs(&(0..10).map(|i| (0, Ok(i))).collect::<Vec<_>>());
        let run = bounded(futs, 1, |done, _| if done == 2 { Err(stop.clone()) } else { Ok(()) });
        assert_eq!(futures::executor::block_on(run), Err(stop));
        assert_eq!(*log.borrow(), vec![0, 1], "nothing started after the report failed");
    }
}
