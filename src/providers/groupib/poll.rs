//! The portion generators of the reference (groupib.md §7) as pure state machines:
//! TI updates (`<col>/updated`, chaining on the top-level `seqUpdate`), TI search (`<col>`,
//! chaining on `resultId`) and DRP updates (`<col>`, `seqUpdate`). The caller sends
//! [`Poll::request`], reads the response and reports `(items, cursor)` to
//! [`Poll::on_portion`]; an empty portion ends the generator and is not yielded.
//!
//! Cursors are decimal/opaque **strings**, copied from the response text without ever going
//! through a float, so a seqUpdate ≥ 2^53 round-trips exactly.

use super::requests::{request, Params};
use super::{check_collection, check_date, check_seq_update, Family, GROUP_COLLECTIONS};
use crate::core::error::{Error, Result};
use crate::core::request::{ClientConfig, Method, Request, ResponseKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollKind {
    /// TI `create_update_generator`.
    TiUpdates,
    /// TI `create_search_generator`.
    TiSearch,
    /// DRP `create_update_generator`.
    DrpUpdates,
}

impl PollKind {
    /// The envelope key the generator chains on.
    pub fn cursor_key(self) -> &'static str {
        match self {
            PollKind::TiSearch => "resultId",
            _ => "seqUpdate",
        }
    }
}

/// TI flags (`apply_hunting_rules` … `combolist`), sent as `1` when set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TiFlags {
    pub apply_hunting_rules: bool,
    pub is_tailored: bool,
    pub apply_has_exploit: bool,
    pub probable_corporate_access: bool,
    pub unique: bool,
    pub combolist: bool,
}

/// DRP filters. Every list element is sent (the reference sends only the first).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DrpFilters {
    pub section: Option<String>,
    pub brand_ids: Vec<String>,
    pub typo_squatting: bool,
    pub approve_states: Vec<String>,
    pub subtypes: Vec<String>,
}

/// What a generator is asked for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PollOptions {
    pub date_from: Option<String>,
    pub date_to: Option<String>,
    pub query: Option<String>,
    pub limit: Option<u32>,
    /// Start after this seqUpdate (updates only): decimal digits.
    pub seq_update: Option<String>,
    pub ti: TiFlags,
    pub drp: DrpFilters,
    /// Split `*_group` items into one item per event.
    pub parse_events: bool,
    pub ignore_validation: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Poll {
    pub kind: PollKind,
    collection: String,
    df: Option<String>,
    dt: Option<String>,
    q: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
    /// Params after the cursor, in the reference's order.
    tail: Vec<(String, Option<String>)>,
    split_events: bool,
    finished: bool,
    /// Portions yielded so far.
    pub portions: u64,
}

fn flag(on: bool) -> Option<String> {
    on.then(|| "1".to_string())
}

impl Poll {
    /// Validates everything before any request (the reference validates when the generator
    /// is created, too).
    pub fn new(kind: PollKind, collection: &str, o: PollOptions) -> Result<Poll> {
        let family = if kind == PollKind::DrpUpdates { Family::Drp } else { Family::Ti };
        check_collection(collection, family, kind == PollKind::TiUpdates, o.ignore_validation)?;
        if let Some(d) = &o.date_from {
            check_date("date", d)?;
        }
        if let Some(d) = &o.date_to {
            check_date("dateTo", d)?;
        }
        if o.limit == Some(0) {
            return Err(Error::validation("limit", "must be a positive integer"));
        }
        let mut cursor = match (&o.seq_update, kind) {
            (Some(_), PollKind::TiSearch) => return Err(Error::validation("seqUpdate", "search results chain on resultId; seqUpdate applies to updates")),
            (Some(s), _) => check_seq_update("seqUpdate", s)?,
            (None, _) => None,
        };
        let mut tail = Vec::new();
        let mut push = |k: &str, v: Option<String>| tail.push((k.to_string(), v));
        match kind {
            PollKind::TiUpdates => {
                let f = &o.ti;
                push("apply_hunting_rules", flag(f.apply_hunting_rules));
                push("is_tailored", flag(f.is_tailored));
                push("apply_has_exploit", flag(f.apply_has_exploit));
                push("probable_corporate_access", flag(f.probable_corporate_access));
                push("unique", flag(f.unique));
                push("combolist", flag(f.combolist));
            }
            // `apply_hunting_rules` is accepted by the reference's search generator but never sent.
            PollKind::TiSearch => {}
            PollKind::DrpUpdates => {
                let f = &o.drp;
                push("section", f.section.clone());
                for b in &f.brand_ids {
                    push("brandIds[]", Some(b.clone()));
                }
                push("typoSquatting", f.typo_squatting.then(|| "true".to_string()));
                for a in &f.approve_states {
                    push("approveState[]", Some(a.clone()));
                }
                for s in &f.subtypes {
                    push("subtypes[]", Some(s.clone()));
                }
                if f.typo_squatting && o.date_from.is_none() && o.date_to.is_none() && cursor.is_none() {
                    cursor = Some("1".to_string());
                }
            }
        }
        let split_events = o.parse_events && kind != PollKind::DrpUpdates && GROUP_COLLECTIONS.contains(&collection);
        Ok(Poll {
            kind,
            collection: collection.to_string(),
            df: o.date_from,
            dt: o.date_to,
            q: o.query,
            limit: o.limit.map(|l| l.to_string()),
            cursor,
            tail,
            split_events,
            finished: false,
            portions: 0,
        })
    }

    pub fn collection(&self) -> &str {
        &self.collection
    }

    /// Whether portions of this generator get their `*_group` events split.
    pub fn splits_events(&self) -> bool {
        self.split_events
    }

    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The cursor the next request carries (seqUpdate / resultId).
    pub fn cursor(&self) -> Option<&str> {
        self.cursor.as_deref()
    }

    pub fn stop(&mut self) {
        self.finished = true;
    }

    /// The next request, or `None` once finished. Update bodies are read as text (so the
    /// transport can keep the exact seqUpdate); `ResponseKind::Json` in host tests is the same.
    pub fn request(&self, cfg: &ClientConfig) -> Result<Option<Request>> {
        if self.finished {
            return Ok(None);
        }
        let mut segs: Vec<String> = self.collection.split('/').map(str::to_string).collect();
        if self.kind == PollKind::TiUpdates {
            segs.push("updated".into());
        }
        let mut p = Params::new();
        p.add("df", self.df.clone()).add("dt", self.dt.clone()).add("q", self.q.clone()).add("limit", self.limit.clone());
        p.add(self.kind.cursor_key(), self.cursor.clone());
        p.0.extend(self.tail.iter().cloned());
        let mut r = request(cfg, Method::Get, &segs, &p)?;
        r.expect = ResponseKind::Json;
        Ok(Some(r))
    }

    /// Reports a response: `items` = length of its item list, `cursor` = its top-level
    /// seqUpdate/resultId as exact text. Returns whether the portion is yielded (false = the
    /// generator ended on an empty portion).
    pub fn on_portion(&mut self, items: usize, cursor: Option<String>) -> Result<bool> {
        if items == 0 {
            self.finished = true;
            return Ok(false);
        }
        match self.kind {
            PollKind::TiSearch => {
                let c = cursor.ok_or_else(|| no_cursor("resultId"))?;
                self.cursor = Some(c);
                self.df = None;
                self.dt = None;
                self.q = None;
            }
            PollKind::TiUpdates | PollKind::DrpUpdates => {
                let c = cursor.ok_or_else(|| no_cursor("seqUpdate"))?;
                if self.cursor.as_deref() == Some(c.as_str()) {
                    self.finished = true;
                    return Err(Error::Decode {
                        message: format!("the seqUpdate did not advance ({c}) although the portion had items; stopping rather than looping"),
                        status: 200,
                        attempts: 0,
                    });
                }
                self.cursor = Some(c);
                self.df = None;
            }
        }
        self.portions += 1;
        Ok(true)
    }
}

fn no_cursor(key: &str) -> Error {
    Error::Decode { message: format!("a portion with items has no {key}: cannot continue"), status: 200, attempts: 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> ClientConfig {
        super::super::client_config("analyst@example.com", "KEY1", "https://h/api/v2/", None, vec![]).unwrap()
    }

    #[test]
    fn update_chain_and_stop() {
        let mut p = Poll::new(
            PollKind::TiUpdates,
            "apt/threat",
            PollOptions { date_from: Some("2024-01-01".into()), limit: Some(5), ..Default::default() },
        )
        .unwrap();
        let r = p.request(&cfg()).unwrap().unwrap();
        assert_eq!(r.url, "https://h/api/v2/apt/threat/updated?df=2024-01-01&limit=5");
        assert!(p.on_portion(2, Some("9007199254740993".into())).unwrap());
        let r = p.request(&cfg()).unwrap().unwrap();
        assert_eq!(r.url, "https://h/api/v2/apt/threat/updated?limit=5&seqUpdate=9007199254740993");
        assert!(p.on_portion(1, Some("9007199254740993".into())).is_err(), "a stuck seqUpdate is an error");
        assert!(p.request(&cfg()).unwrap().is_none());
    }

    #[test]
    fn missing_cursor_is_an_error_and_empty_ends() {
        let mut p = Poll::new(PollKind::TiSearch, "compromised/breached", PollOptions::default()).unwrap();
        assert!(p.on_portion(3, None).is_err());
        let mut p = Poll::new(PollKind::TiSearch, "compromised/breached", PollOptions::default()).unwrap();
        assert!(!p.on_portion(0, None).unwrap());
        assert!(p.is_finished());
    }

    #[test]
    fn drp_sends_every_list_element() {
        let o = PollOptions {
            drp: DrpFilters { brand_ids: vec!["b1".into(), "b 2".into()], ..Default::default() },
            ..Default::default()
        };
        let p = Poll::new(PollKind::DrpUpdates, "violation/list", o).unwrap();
        let r = p.request(&cfg()).unwrap().unwrap();
        assert_eq!(r.url, "https://h/api/v2/violation/list?brandIds%5B%5D=b1&brandIds%5B%5D=b+2");
    }
}
