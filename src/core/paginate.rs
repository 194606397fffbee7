//! Pagination state machines. They decide what to ask for next and when a position may be
//! committed; they never do I/O, so every rule is host-tested.
//!
//! Commit rule (at-least-once): the resume position of a page is committed only after the
//! consumer is done with that page — i.e. when it asks for the next one. A crash between a
//! fetch and its commit re-delivers at most that one page; nothing is ever skipped.

/// Cursor pagination (Sekoia feeds): `next_cursor` chains pages; a page shorter than `limit`
/// (or empty) is the end; a missing/null `next_cursor` keeps the previous cursor.
#[derive(Debug, Clone, PartialEq)]
pub struct CursorPaging {
    limit: usize,
    /// The cursor to send with the next request (`None` = from the start / `modified_after`).
    next: Option<String>,
    /// The last cursor the consumer is done with.
    committed: Option<String>,
    /// The resume cursor of the page handed over and not yet committed.
    pending: Option<Option<String>>,
    finished: bool,
}

/// What the consumer gets to know about one page.
#[derive(Debug, Clone, PartialEq)]
pub struct CursorPage {
    /// Resume from here to get what follows this page.
    pub cursor: Option<String>,
    /// No more pages for now (short or empty page).
    pub last: bool,
}

impl CursorPaging {
    pub fn new(limit: usize, start: Option<String>) -> Self {
        CursorPaging { limit, next: start.clone(), committed: start, pending: None, finished: false }
    }

    pub fn request_cursor(&self) -> Option<&str> {
        self.next.as_deref()
    }

    pub fn committed(&self) -> Option<&str> {
        self.committed.as_deref()
    }

    /// The cursor of the page in the consumer's hands, if any.
    pub fn pending(&self) -> Option<&str> {
        self.pending.as_ref().and_then(|p| p.as_deref())
    }

    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Records a page of `items` objects with the server's `next_cursor`.
    pub fn on_page(&mut self, items: usize, next_cursor: Option<String>) -> CursorPage {
        let resume = next_cursor.filter(|c| !c.is_empty()).or_else(|| self.next.clone());
        self.next = resume.clone();
        self.finished = items == 0 || items < self.limit;
        if items > 0 {
            self.pending = Some(resume.clone());
        }
        CursorPage { cursor: resume, last: self.finished }
    }

    /// The consumer is done with the pending page: returns the cursor to persist, if it
    /// changed.
    pub fn commit(&mut self) -> Option<String> {
        let pending = self.pending.take()?;
        if pending.is_some() && pending != self.committed {
            self.committed = pending.clone();
            return pending;
        }
        None
    }

    /// Follow mode: after a pause, poll again from the last cursor.
    pub fn rearm(&mut self) {
        self.finished = false;
    }
}

/// Offset/limit pagination (`{items, total, has_more}` lists): stops on an empty page, when
/// `has_more` is false, when `offset` reaches `total`, or at `max_items`.
#[derive(Debug, Clone, PartialEq)]
pub struct OffsetPaging {
    pub limit: u32,
    pub offset: u64,
    max_items: Option<u64>,
    delivered: u64,
    finished: bool,
    /// Where a restart resumes: past the pages the consumer is done with.
    committed: u64,
    /// The offset just past the items of the page in the consumer's hands.
    pending: u64,
}

impl OffsetPaging {
    pub fn new(limit: u32, offset: u64, max_items: Option<u64>) -> Self {
        OffsetPaging { limit, offset, max_items, delivered: 0, finished: max_items == Some(0), committed: offset, pending: offset }
    }

    /// The offset to resume from (pass it back as `offset`).
    pub fn committed(&self) -> u64 {
        self.committed
    }

    /// The consumer is done with the page in hand (it asked for the next one, or said so).
    pub fn commit(&mut self) {
        self.committed = self.pending;
    }

    /// The `limit` to ask for next (never more than what `max_items` still allows).
    pub fn request_limit(&self) -> u32 {
        match self.max_items {
            Some(m) => (m.saturating_sub(self.delivered)).min(self.limit as u64) as u32,
            None => self.limit,
        }
    }

    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Records a page; returns how many of its items to hand over (a server returning more
    /// than asked is trimmed to `max_items`).
    pub fn on_page(&mut self, items: usize, total: Option<u64>, has_more: Option<bool>) -> usize {
        let mut take = items as u64;
        if let Some(m) = self.max_items {
            take = take.min(m.saturating_sub(self.delivered));
        }
        self.delivered += take;
        // a trimmed page resumes after the items handed over, not after the ones dropped
        self.pending = self.offset + take;
        self.offset += items as u64;
        self.finished = items == 0
            || has_more == Some(false)
            || total.is_some_and(|t| self.offset >= t)
            || self.max_items.is_some_and(|m| self.delivered >= m)
            || (has_more.is_none() && total.is_none() && (items as u32) < self.limit);
        take as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_resume_point_moves_only_past_handed_over_items() {
        let mut p = OffsetPaging::new(10, 20, Some(25));
        assert_eq!(p.committed(), 20, "a fresh list resumes where it started");
        assert_eq!(p.on_page(10, Some(100), None), 10);
        assert_eq!(p.committed(), 20, "not before the consumer is done with the page");
        p.commit();
        assert_eq!(p.committed(), 30);
        p.commit();
        assert_eq!(p.committed(), 30, "committing twice moves nothing");
        assert_eq!(p.on_page(10, Some(100), None), 10);
        p.commit();
        // max_items trims the third page to 5 of the 10 sent: resume after those 5
        assert_eq!(p.request_limit(), 5);
        assert_eq!(p.on_page(10, Some(100), None), 5);
        assert!(p.is_finished());
        p.commit();
        assert_eq!(p.committed(), 45);
    }

    #[test]
    fn cursor_chain_and_stop_rules() {
        let mut p = CursorPaging::new(3, None);
        assert_eq!(p.request_cursor(), None);
        let a = p.on_page(3, Some("c1".into()));
        assert_eq!(a, CursorPage { cursor: Some("c1".into()), last: false });
        assert_eq!(p.request_cursor(), Some("c1"));
        assert_eq!(p.committed(), None, "not committed before the consumer is done");
        assert_eq!(p.commit(), Some("c1".into()));
        let b = p.on_page(2, Some("c2".into()));
        assert!(b.last, "a short page is the end");
        assert_eq!(p.commit(), Some("c2".into()));
        assert_eq!(p.commit(), None, "nothing pending");
    }

    #[test]
    fn null_next_cursor_keeps_the_previous_one() {
        let mut p = CursorPaging::new(2, Some("start".into()));
        assert_eq!(p.request_cursor(), Some("start"));
        let a = p.on_page(2, None);
        assert_eq!(a.cursor.as_deref(), Some("start"));
        let b = p.on_page(2, Some(String::new()));
        assert_eq!(b.cursor.as_deref(), Some("start"));
        assert_eq!(p.commit(), None, "unchanged cursor is not re-persisted");
    }

    #[test]
    fn empty_page_ends_without_pending() {
        let mut p = CursorPaging::new(100, Some("c9".into()));
        let e = p.on_page(0, Some("c9".into()));
        assert!(e.last);
        assert_eq!(p.pending(), None);
        assert_eq!(p.commit(), None);
        p.rearm();
        assert!(!p.is_finished());
        assert_eq!(p.request_cursor(), Some("c9"));
    }

    #[test]
    fn crash_before_commit_redelivers_only_that_page() {
        let mut p = CursorPaging::new(2, None);
        p.on_page(2, Some("c1".into()));
        p.commit();
        p.on_page(2, Some("c2".into()));
        // crash here: the store still holds c1, so a restart re-reads exactly page 2.
        assert_eq!(p.committed(), Some("c1"));
        assert_eq!(p.pending(), Some("c2"));
    }

    #[test]
    fn offset_stop_rules() {
        let mut p = OffsetPaging::new(10, 0, None);
        assert_eq!(p.on_page(10, Some(25), None), 10);
        assert!(!p.is_finished());
        assert_eq!(p.offset, 10);
        p.on_page(10, Some(25), None);
        p.on_page(5, Some(25), None);
        assert!(p.is_finished());

        let mut h = OffsetPaging::new(10, 0, None);
        h.on_page(10, None, Some(false));
        assert!(h.is_finished(), "has_more=false ends");

        let mut m = OffsetPaging::new(10, 0, Some(15));
        assert_eq!(m.request_limit(), 10);
        m.on_page(10, Some(100), Some(true));
        assert_eq!(m.request_limit(), 5);
        assert_eq!(m.on_page(10, Some(100), Some(true)), 5, "trimmed to max");
        assert!(m.is_finished());

        let mut n = OffsetPaging::new(10, 0, None);
        n.on_page(0, Some(100), Some(true));
        assert!(n.is_finished(), "an empty page always ends");
        assert!(OffsetPaging::new(10, 0, Some(0)).is_finished());
    }
}
