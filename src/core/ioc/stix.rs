//! STIX 2.1 patterns: build one for an IOC, and parse the patterning language.
//!
//! The parser follows the STIX 2.1 patterning grammar (§9): observation expressions
//! joined by `AND`/`OR`/`FOLLOWEDBY` with qualifiers `WITHIN n SECONDS`,
//! `REPEATS n TIMES`, `START t'…' STOP t'…'`; comparison expressions joined by
//! `AND`/`OR` with `=`, `!=`/`<>`, `>`, `<`, `>=`, `<=`, `IN (…)`, `LIKE`, `MATCHES`,
//! `ISSUBSET`, `ISSUPERSET` (each optionally preceded by `NOT`) and `EXISTS`; object
//! paths with quoted keys and list indexes (`[*]`, `[0]`); string, int, float, bool,
//! binary `b'…'`, hex `h'…'` and timestamp `t'…'` literals. Chains (`a OR b OR c`) are
//! parsed iteratively; parentheses nest at most [`MAX_DEPTH`] levels, so no input can
//! exhaust the stack. Errors carry a kind and a byte position.

use super::{classify, Ioc, IocKind};

/// Maximum nesting of parentheses/brackets.
pub const MAX_DEPTH: usize = 64;

/// STIX pattern for one indicator, or `None` when STIX has no cyber-observable for
/// the kind (CVE is an SDO, BTC has no SCO).
pub fn stix_pattern_for(kind: IocKind, value: &str) -> Option<String> {
    let q = quote(value);
    Some(match kind {
        IocKind::Ipv4 => format!("[ipv4-addr:value = {q}]"),
        IocKind::Ipv6 => format!("[ipv6-addr:value = {q}]"),
        IocKind::Domain => format!("[domain-name:value = {q}]"),
        IocKind::Url => format!("[url:value = {q}]"),
        IocKind::Email => format!("[email-addr:value = {q}]"),
        IocKind::Md5 | IocKind::Sha1 | IocKind::Sha256 | IocKind::Sha512 => {
            format!("[file:hashes.'{}' = {q}]", kind.hash_algorithm()?)
        }
        IocKind::Asn => {
            let n: u32 = value
                .trim_start_matches(|c: char| !c.is_ascii_digit())
                .parse()
                .ok()?;
            format!("[autonomous-system:number = {n}]")
        }
        IocKind::Cve | IocKind::Btc => return None,
    })
}

/// [`stix_pattern_for`] on an extracted IOC's canonical value.
pub fn stix_pattern_for_ioc(ioc: &Ioc) -> Option<String> {
    stix_pattern_for(ioc.kind, &ioc.value)
}

/// A STIX string literal: quotes and backslashes escaped.
pub fn quote(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('\'');
    for c in s.chars() {
        if c == '\'' || c == '\\' {
            o.push('\\');
        }
        o.push(c);
    }
    o.push('\'');
    o
}

// ------------------------------------------------------------------ AST

/// A parsed pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub root: ObservationExpr,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ObservationExpr {
    /// `[ comparison ]`
    Observation(ComparisonExpr),
    And(Vec<ObservationExpr>),
    Or(Vec<ObservationExpr>),
    FollowedBy(Vec<ObservationExpr>),
    Qualified(Box<ObservationExpr>, Qualifier),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Qualifier {
    /// Seconds (parsed without the float formatting/parsing machinery of std).
    Within(f64),
    Repeats(u64),
    StartStop(String, String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ComparisonExpr {
    And(Vec<ComparisonExpr>),
    Or(Vec<ComparisonExpr>),
    Test(Comparison),
    Exists(ObjectPath),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Eq,
    Neq,
    Gt,
    Lt,
    Ge,
    Le,
    In,
    Like,
    Matches,
    IsSubset,
    IsSuperset,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub path: ObjectPath,
    pub negated: bool,
    pub op: Operator,
    pub value: Literal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ObjectPath {
    pub object_type: String,
    pub components: Vec<PathComponent>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PathComponent {
    Property(String),
    /// `[n]`, or `[*]` as `None`.
    Index(Option<i64>),
}

impl ObjectPath {
    /// The property path after `type:` (`hashes.'SHA-256'`, `values[*].name`).
    pub fn property_path(&self) -> String {
        let mut s = String::new();
        for (i, c) in self.components.iter().enumerate() {
            match c {
                PathComponent::Property(p) => {
                    if i > 0 {
                        s.push('.');
                    }
                    let plain = p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                        && p.bytes().next().is_some_and(|b| !b.is_ascii_digit());
                    if plain {
                        s.push_str(p);
                    } else {
                        s.push_str(&quote(p));
                    }
                }
                PathComponent::Index(Some(n)) => s.push_str(&format!("[{n}]")),
                PathComponent::Index(None) => s.push_str("[*]"),
            }
        }
        s
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Str(String),
    Int(i64),
    /// A float literal: its value and its text as written.
    Float(f64, String),
    Bool(bool),
    /// base64 text as written
    Binary(String),
    /// hex digits as written
    Hex(String),
    Timestamp(String),
    Set(Vec<Literal>),
}

impl Literal {
    /// Plain text of a scalar literal (strings unescaped, numbers formatted).
    pub fn text(&self) -> String {
        match self {
            Literal::Str(s) | Literal::Binary(s) | Literal::Hex(s) | Literal::Timestamp(s) => {
                s.clone()
            }
            Literal::Int(i) => i.to_string(),
            Literal::Float(_, t) => t.clone(),
            Literal::Bool(b) => b.to_string(),
            Literal::Set(v) => v.iter().map(Literal::text).collect::<Vec<_>>().join(","),
        }
    }
}

/// One equality leaf: `type:path = value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Observable {
    pub object_type: String,
    pub path: String,
    pub operator: Operator,
    pub value: Literal,
}

impl Pattern {
    /// Every non-negated `=` leaf (and each member of a non-negated `IN (…)`), in order.
    pub fn observables(&self) -> Vec<Observable> {
        let mut out = Vec::new();
        let mut stack: Vec<&ObservationExpr> = vec![&self.root];
        let mut comps: Vec<&ComparisonExpr> = Vec::new();
        while let Some(o) = stack.pop() {
            match o {
                ObservationExpr::Observation(c) => comps.push(c),
                ObservationExpr::And(v)
                | ObservationExpr::Or(v)
                | ObservationExpr::FollowedBy(v) => stack.extend(v.iter().rev()),
                ObservationExpr::Qualified(inner, _) => stack.push(inner),
            }
            while let Some(c) = comps.pop() {
                match c {
                    ComparisonExpr::And(v) | ComparisonExpr::Or(v) => comps.extend(v.iter().rev()),
                    ComparisonExpr::Exists(_) => {}
                    ComparisonExpr::Test(t) if !t.negated => match (&t.op, &t.value) {
                        (Operator::Eq, v) => out.push(Observable {
                            object_type: t.path.object_type.clone(),
                            path: t.path.property_path(),
                            operator: Operator::Eq,
                            value: v.clone(),
                        }),
                        (Operator::In, Literal::Set(items)) => {
                            for v in items {
                                out.push(Observable {
                                    object_type: t.path.object_type.clone(),
                                    path: t.path.property_path(),
                                    operator: Operator::Eq,
                                    value: v.clone(),
                                })
                            }
                        }
                        _ => {}
                    },
                    ComparisonExpr::Test(_) => {}
                }
            }
        }
        out
    }

    /// The equality leaves that are IOCs we know (validated with [`classify()`](fn@super::classify)):
    /// `ipv4-addr:value`, `ipv6-addr:value`, `domain-name:value`, `url:value`,
    /// `email-addr:value`, `file:hashes.*`, `autonomous-system:number`.
    /// CIDR ranges and junk are skipped.
    pub fn iocs(&self) -> Vec<(IocKind, String)> {
        let mut out = Vec::new();
        for o in self.observables() {
            let v = o.value.text();
            let want: &[IocKind] = match (o.object_type.as_str(), o.path.as_str()) {
                ("ipv4-addr", "value") => &[IocKind::Ipv4],
                ("ipv6-addr", "value") => &[IocKind::Ipv6],
                ("domain-name", "value") => &[IocKind::Domain],
                ("url", "value") => &[IocKind::Url],
                ("email-addr", "value") => &[IocKind::Email],
                ("autonomous-system", "number") => {
                    if let Literal::Int(n) = o.value {
                        if n > 0 && n <= u32::MAX as i64 {
                            out.push((IocKind::Asn, format!("AS{n}")));
                        }
                    }
                    continue;
                }
                ("file", p) if p.starts_with("hashes.") => &[
                    IocKind::Md5,
                    IocKind::Sha1,
                    IocKind::Sha256,
                    IocKind::Sha512,
                ],
                _ => continue,
            };
            if let Some(c) = classify(&v) {
                if want.contains(&c.kind) {
                    out.push((c.kind, c.value));
                }
            }
        }
        out
    }
}

// ------------------------------------------------------------------ errors

/// What went wrong in a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternErrorKind {
    Empty,
    UnexpectedChar(char),
    UnterminatedString,
    InvalidEscape,
    InvalidNumber,
    InvalidTimestamp,
    InvalidBinary,
    InvalidHex,
    /// expected …, found …
    Unexpected {
        expected: &'static str,
        found: String,
    },
    TooDeep,
    TrailingInput,
}

/// A parse error at a byte offset of the pattern.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid STIX pattern at byte {pos}: {kind}")]
pub struct PatternError {
    pub kind: PatternErrorKind,
    pub pos: usize,
}

fn err<T>(kind: PatternErrorKind, pos: usize) -> Result<T, PatternError> {
    Err(PatternError { kind, pos })
}

// ------------------------------------------------------------------ lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LBracket,
    RBracket,
    LParen,
    RParen,
    Colon,
    Dot,
    Comma,
    Star,
    Op(Operator),
    Ident(String),
    Str(String),
    Bin(String),
    Hex(String),
    Ts(String),
    Int(i64),
    Float(f64, String),
    Bool(bool),
}

fn describe(t: Option<&(Tok, usize)>) -> String {
    let Some((t, _)) = t else {
        return "end of pattern".into();
    };
    match t {
        Tok::LBracket => "'['".into(),
        Tok::RBracket => "']'".into(),
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
        Tok::Colon => "':'".into(),
        Tok::Dot => "'.'".into(),
        Tok::Comma => "','".into(),
        Tok::Star => "'*'".into(),
        Tok::Op(_) => "operator".into(),
        Tok::Ident(w) => format!("'{w}'"),
        Tok::Str(_) => "string literal".into(),
        Tok::Bin(_) => "binary literal".into(),
        Tok::Hex(_) => "hex literal".into(),
        Tok::Ts(_) => "timestamp literal".into(),
        Tok::Int(n) => format!("integer {n}"),
        Tok::Float(_, t) => format!("number {t}"),
        Tok::Bool(b) => format!("{b}"),
    }
}

impl core::fmt::Display for PatternErrorKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            PatternErrorKind::Empty => f.write_str("empty pattern"),
            PatternErrorKind::UnexpectedChar(c) => {
                write!(f, "unexpected character U+{:04X}", *c as u32)
            }
            PatternErrorKind::UnterminatedString => f.write_str("unterminated string literal"),
            PatternErrorKind::InvalidEscape => {
                f.write_str("invalid escape (only \\\\ and \\' are allowed)")
            }
            PatternErrorKind::InvalidNumber => f.write_str("invalid number"),
            PatternErrorKind::InvalidTimestamp => {
                f.write_str("invalid timestamp (want t'YYYY-MM-DDTHH:MM:SS[.s]Z')")
            }
            PatternErrorKind::InvalidBinary => f.write_str("invalid base64 in b'...'"),
            PatternErrorKind::InvalidHex => f.write_str("invalid hex in h'...'"),
            PatternErrorKind::Unexpected { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
            PatternErrorKind::TooDeep => write!(f, "nesting deeper than {MAX_DEPTH}"),
            PatternErrorKind::TrailingInput => f.write_str("unexpected input after the pattern"),
        }
    }
}

/// Decimal text (`-12.5`) to f64 without std's float parser (its tables cost ~10 KB
/// of wasm). Exact for the integers and short decimals patterns use.
fn parse_decimal(t: &str) -> f64 {
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut v = 0f64;
    let mut scale = 1f64;
    let mut frac = false;
    for c in body.bytes() {
        if c == b'.' {
            frac = true;
        } else {
            v = v * 10.0 + f64::from(c - b'0');
            if frac {
                scale *= 10.0;
            }
        }
    }
    let v = v / scale;
    if neg {
        -v
    } else {
        v
    }
}

fn lex(s: &str) -> Result<Vec<(Tok, usize)>, PatternError> {
    let b = s.as_bytes();
    let n = b.len();
    let mut i = 0;
    let mut out = Vec::new();
    while i < n {
        let c = b[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'[' => out.push((Tok::LBracket, i)),
            b']' => out.push((Tok::RBracket, i)),
            b'(' => out.push((Tok::LParen, i)),
            b')' => out.push((Tok::RParen, i)),
            b':' => out.push((Tok::Colon, i)),
            b'.' if !b.get(i + 1).is_some_and(|d| d.is_ascii_digit()) => out.push((Tok::Dot, i)),
            b',' => out.push((Tok::Comma, i)),
            b'*' => out.push((Tok::Star, i)),
            b'=' => out.push((Tok::Op(Operator::Eq), i)),
            b'!' if b.get(i + 1) == Some(&b'=') => {
                out.push((Tok::Op(Operator::Neq), i));
                i += 1;
            }
            b'<' | b'>' => {
                let nx = b.get(i + 1).copied();
                let op = match (c, nx) {
                    (b'<', Some(b'>')) => Operator::Neq,
                    (b'<', Some(b'=')) => Operator::Le,
                    (b'>', Some(b'=')) => Operator::Ge,
                    (b'<', _) => Operator::Lt,
                    _ => Operator::Gt,
                };
                if matches!(op, Operator::Neq | Operator::Le | Operator::Ge) {
                    i += 1;
                }
                out.push((Tok::Op(op), start));
            }
            b'\'' => {
                let (v, e) = lex_string(s, i + 1)?;
                out.push((Tok::Str(v), start));
                i = e;
                continue;
            }
            b'b' | b'h' | b't' if b.get(i + 1) == Some(&b'\'') => {
                let (v, e) = lex_string(s, i + 2)?;
                let tok = match c {
                    b'b' => {
                        let ok = v.len() % 4 == 0
                            && v.bytes().all(|x| {
                                x.is_ascii_alphanumeric() || x == b'+' || x == b'/' || x == b'='
                            })
                            && !v.trim_end_matches('=').contains('=')
                            && v.len() - v.trim_end_matches('=').len() <= 2;
                        if !ok {
                            return err(PatternErrorKind::InvalidBinary, start);
                        }
                        Tok::Bin(v)
                    }
                    b'h' => {
                        if v.len() % 2 != 0 || !v.bytes().all(|x| x.is_ascii_hexdigit()) {
                            return err(PatternErrorKind::InvalidHex, start);
                        }
                        Tok::Hex(v)
                    }
                    _ => {
                        if !valid_timestamp(&v) {
                            return err(PatternErrorKind::InvalidTimestamp, start);
                        }
                        Tok::Ts(v)
                    }
                };
                out.push((tok, start));
                i = e;
                continue;
            }
            b'-' | b'+' | b'0'..=b'9' | b'.' => {
                let mut j = i;
                if c == b'-' || c == b'+' {
                    j += 1;
                }
                let ds = j;
                while j < n && b[j].is_ascii_digit() {
                    j += 1;
                }
                let mut float = false;
                if j < n && b[j] == b'.' {
                    float = true;
                    j += 1;
                    let fs = j;
                    while j < n && b[j].is_ascii_digit() {
                        j += 1;
                    }
                    if j == fs {
                        return err(PatternErrorKind::InvalidNumber, start);
                    }
                }
                if j == ds || (j < n && (b[j].is_ascii_alphabetic() || b[j] == b'_')) {
                    return err(PatternErrorKind::InvalidNumber, start);
                }
                let text = &s[i..j];
                let tok = if float {
                    Tok::Float(parse_decimal(text), text.to_string())
                } else {
                    Tok::Int(text.parse().map_err(|_| PatternError {
                        kind: PatternErrorKind::InvalidNumber,
                        pos: start,
                    })?)
                };
                out.push((tok, start));
                i = j;
                continue;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let mut j = i;
                while j < n && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'-') {
                    j += 1;
                }
                let w = &s[i..j];
                let tok = match w {
                    "true" => Tok::Bool(true),
                    "false" => Tok::Bool(false),
                    _ => Tok::Ident(w.to_string()),
                };
                out.push((tok, start));
                i = j;
                continue;
            }
            _ => {
                let ch = s[i..].chars().next().unwrap_or('\u{FFFD}');
                return err(PatternErrorKind::UnexpectedChar(ch), i);
            }
        }
        i += 1;
    }
    Ok(out)
}

/// A quoted string body starting at `i` (after the opening quote).
fn lex_string(s: &str, mut i: usize) -> Result<(String, usize), PatternError> {
    let b = s.as_bytes();
    let start = i.saturating_sub(1);
    let mut out = String::new();
    let mut seg = i;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                out.push_str(&s[seg..i]);
                match b.get(i + 1) {
                    Some(b'\\') => out.push('\\'),
                    Some(b'\'') => out.push('\''),
                    _ => return err(PatternErrorKind::InvalidEscape, i),
                }
                i += 2;
                seg = i;
            }
            b'\'' => {
                out.push_str(&s[seg..i]);
                return Ok((out, i + 1));
            }
            _ => i += 1,
        }
    }
    err(PatternErrorKind::UnterminatedString, start)
}

/// `YYYY-MM-DDTHH:MM:SS[.s+]Z` with field ranges.
fn valid_timestamp(v: &str) -> bool {
    let b = v.as_bytes();
    if b.len() < 20 || b[b.len() - 1] != b'Z' {
        return false;
    }
    let d = |r: std::ops::Range<usize>| -> Option<u32> {
        let x = v.get(r)?;
        if !x.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        x.parse().ok()
    };
    let ok_shape = b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && b[16] == b':';
    if !ok_shape {
        return false;
    }
    let (Some(_y), Some(mo), Some(da), Some(h), Some(mi), Some(se)) =
        (d(0..4), d(5..7), d(8..10), d(11..13), d(14..16), d(17..19))
    else {
        return false;
    };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&da) || h > 23 || mi > 59 || se > 60 {
        return false;
    }
    let rest = &v[19..v.len() - 1];
    rest.is_empty()
        || (rest.len() > 1
            && rest.starts_with('.')
            && rest[1..].bytes().all(|c| c.is_ascii_digit()))
}

// ------------------------------------------------------------------ parser

struct Parser {
    toks: Vec<(Tok, usize)>,
    i: usize,
    end: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|t| &t.0)
    }
    fn pos(&self) -> usize {
        self.toks.get(self.i).map_or(self.end, |t| t.1)
    }
    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(w)) if w == kw)
    }
    fn unexpected<T>(&self, expected: &'static str) -> Result<T, PatternError> {
        err(
            PatternErrorKind::Unexpected {
                expected,
                found: describe(self.toks.get(self.i)),
            },
            self.pos(),
        )
    }
    fn expect(&mut self, t: Tok, what: &'static str) -> Result<(), PatternError> {
        if self.peek() == Some(&t) {
            self.i += 1;
            Ok(())
        } else {
            self.unexpected(what)
        }
    }
    fn expect_kw(&mut self, kw: &'static str) -> Result<(), PatternError> {
        if self.is_kw(kw) {
            self.i += 1;
            Ok(())
        } else {
            self.unexpected(kw)
        }
    }
    fn enter(&mut self) -> Result<(), PatternError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return err(PatternErrorKind::TooDeep, self.pos());
        }
        Ok(())
    }

    // observationExpressions := or (FOLLOWEDBY or)*
    fn obs_followed(&mut self) -> Result<ObservationExpr, PatternError> {
        let mut v = vec![self.obs_or()?];
        while self.is_kw("FOLLOWEDBY") {
            self.i += 1;
            v.push(self.obs_or()?);
        }
        Ok(if v.len() == 1 {
            v.remove(0)
        } else {
            ObservationExpr::FollowedBy(v)
        })
    }
    fn obs_or(&mut self) -> Result<ObservationExpr, PatternError> {
        let mut v = vec![self.obs_and()?];
        while self.is_kw("OR") {
            self.i += 1;
            v.push(self.obs_and()?);
        }
        Ok(if v.len() == 1 {
            v.remove(0)
        } else {
            ObservationExpr::Or(v)
        })
    }
    fn obs_and(&mut self) -> Result<ObservationExpr, PatternError> {
        let mut v = vec![self.obs_qualified()?];
        while self.is_kw("AND") {
            self.i += 1;
            v.push(self.obs_qualified()?);
        }
        Ok(if v.len() == 1 {
            v.remove(0)
        } else {
            ObservationExpr::And(v)
        })
    }
    fn obs_qualified(&mut self) -> Result<ObservationExpr, PatternError> {
        let mut e = self.obs_primary()?;
        loop {
            let q = if self.is_kw("WITHIN") {
                self.i += 1;
                let pos = self.pos();
                let secs = match self.peek() {
                    Some(Tok::Int(n)) if *n > 0 => *n as f64,
                    Some(Tok::Float(f, _)) if *f > 0.0 => *f,
                    _ => return self.unexpected("positive number of seconds"),
                };
                let _ = pos;
                self.i += 1;
                self.expect_kw("SECONDS")?;
                Qualifier::Within(secs)
            } else if self.is_kw("REPEATS") {
                self.i += 1;
                let n = match self.peek() {
                    Some(Tok::Int(n)) if *n > 0 => *n as u64,
                    _ => return self.unexpected("positive integer"),
                };
                self.i += 1;
                self.expect_kw("TIMES")?;
                Qualifier::Repeats(n)
            } else if self.is_kw("START") {
                self.i += 1;
                let a = match self.peek() {
                    Some(Tok::Ts(t)) => t.clone(),
                    _ => return self.unexpected("timestamp t'…'"),
                };
                self.i += 1;
                self.expect_kw("STOP")?;
                let b = match self.peek() {
                    Some(Tok::Ts(t)) => t.clone(),
                    _ => return self.unexpected("timestamp t'…'"),
                };
                self.i += 1;
                Qualifier::StartStop(a, b)
            } else {
                return Ok(e);
            };
            e = ObservationExpr::Qualified(Box::new(e), q);
        }
    }
    fn obs_primary(&mut self) -> Result<ObservationExpr, PatternError> {
        match self.peek() {
            Some(Tok::LBracket) => {
                self.i += 1;
                self.enter()?;
                let c = self.cmp_or()?;
                self.expect(Tok::RBracket, "']'")?;
                self.depth -= 1;
                Ok(ObservationExpr::Observation(c))
            }
            Some(Tok::LParen) => {
                self.i += 1;
                self.enter()?;
                let e = self.obs_followed()?;
                self.expect(Tok::RParen, "')'")?;
                self.depth -= 1;
                Ok(e)
            }
            _ => self.unexpected("'[' or '('"),
        }
    }

    fn cmp_or(&mut self) -> Result<ComparisonExpr, PatternError> {
        let mut v = vec![self.cmp_and()?];
        while self.is_kw("OR") {
            self.i += 1;
            v.push(self.cmp_and()?);
        }
        Ok(if v.len() == 1 {
            v.remove(0)
        } else {
            ComparisonExpr::Or(v)
        })
    }
    fn cmp_and(&mut self) -> Result<ComparisonExpr, PatternError> {
        let mut v = vec![self.prop_test()?];
        while self.is_kw("AND") {
            self.i += 1;
            v.push(self.prop_test()?);
        }
        Ok(if v.len() == 1 {
            v.remove(0)
        } else {
            ComparisonExpr::And(v)
        })
    }
    fn prop_test(&mut self) -> Result<ComparisonExpr, PatternError> {
        if self.peek() == Some(&Tok::LParen) {
            self.i += 1;
            self.enter()?;
            let c = self.cmp_or()?;
            self.expect(Tok::RParen, "')'")?;
            self.depth -= 1;
            return Ok(c);
        }
        if self.is_kw("EXISTS") {
            self.i += 1;
            return Ok(ComparisonExpr::Exists(self.object_path()?));
        }
        let path = self.object_path()?;
        let negated = if self.is_kw("NOT") {
            self.i += 1;
            true
        } else {
            false
        };
        let op = match self.peek() {
            Some(Tok::Op(o)) => *o,
            Some(Tok::Ident(w)) => match w.as_str() {
                "IN" => Operator::In,
                "LIKE" => Operator::Like,
                "MATCHES" => Operator::Matches,
                "ISSUBSET" => Operator::IsSubset,
                "ISSUPERSET" => Operator::IsSuperset,
                _ => return self.unexpected("comparison operator"),
            },
            _ => return self.unexpected("comparison operator"),
        };
        self.i += 1;
        let value = match op {
            Operator::In => self.set_literal()?,
            Operator::Like | Operator::Matches | Operator::IsSubset | Operator::IsSuperset => {
                match self.peek() {
                    Some(Tok::Str(s)) => {
                        let v = Literal::Str(s.clone());
                        self.i += 1;
                        v
                    }
                    _ => return self.unexpected("string literal"),
                }
            }
            Operator::Eq | Operator::Neq => self.literal(true)?,
            _ => self.literal(false)?,
        };
        Ok(ComparisonExpr::Test(Comparison {
            path,
            negated,
            op,
            value,
        }))
    }
    fn literal(&mut self, allow_bool: bool) -> Result<Literal, PatternError> {
        let l = match self.peek() {
            Some(Tok::Str(s)) => Literal::Str(s.clone()),
            Some(Tok::Int(n)) => Literal::Int(*n),
            Some(Tok::Float(f, t)) => Literal::Float(*f, t.clone()),
            Some(Tok::Bool(b)) if allow_bool => Literal::Bool(*b),
            Some(Tok::Bin(s)) => Literal::Binary(s.clone()),
            Some(Tok::Hex(s)) => Literal::Hex(s.clone()),
            Some(Tok::Ts(s)) => Literal::Timestamp(s.clone()),
            _ => return self.unexpected("literal"),
        };
        self.i += 1;
        Ok(l)
    }
    fn set_literal(&mut self) -> Result<Literal, PatternError> {
        self.expect(Tok::LParen, "'('")?;
        let mut v = Vec::new();
        if self.peek() == Some(&Tok::RParen) {
            self.i += 1;
            return Ok(Literal::Set(v));
        }
        loop {
            v.push(self.literal(true)?);
            match self.peek() {
                Some(Tok::Comma) => self.i += 1,
                Some(Tok::RParen) => {
                    self.i += 1;
                    return Ok(Literal::Set(v));
                }
                _ => return self.unexpected("',' or ')'"),
            }
        }
    }
    fn object_path(&mut self) -> Result<ObjectPath, PatternError> {
        let object_type = match self.peek() {
            Some(Tok::Ident(w)) if !is_keyword(w) => w.clone(),
            _ => return self.unexpected("object type"),
        };
        let ok_type = object_type
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
            && !object_type.starts_with('-')
            && !object_type.ends_with('-');
        if !ok_type {
            return self.unexpected("object type (lower-case letters, digits, '-')");
        }
        self.i += 1;
        self.expect(Tok::Colon, "':'")?;
        let mut components = Vec::new();
        match self.peek() {
            Some(Tok::Ident(w)) if w.contains('-') => {
                return self.unexpected("property name (quote names with '-')")
            }
            Some(Tok::Ident(w)) if !is_keyword(w) => {
                components.push(PathComponent::Property(w.clone()))
            }
            Some(Tok::Str(s)) => components.push(PathComponent::Property(s.clone())),
            _ => return self.unexpected("property name"),
        }
        self.i += 1;
        loop {
            match self.peek() {
                Some(Tok::Dot) => {
                    self.i += 1;
                    match self.peek() {
                        Some(Tok::Ident(w)) if w.contains('-') => {
                            return self.unexpected("property name (quote names with '-')")
                        }
                        Some(Tok::Ident(w)) => components.push(PathComponent::Property(w.clone())),
                        Some(Tok::Str(s)) => components.push(PathComponent::Property(s.clone())),
                        _ => return self.unexpected("property name"),
                    }
                    self.i += 1;
                }
                Some(Tok::LBracket) => {
                    self.i += 1;
                    match self.peek() {
                        Some(Tok::Star) => components.push(PathComponent::Index(None)),
                        Some(Tok::Int(n)) if *n >= 0 => {
                            components.push(PathComponent::Index(Some(*n)))
                        }
                        _ => return self.unexpected("list index or '*'"),
                    }
                    self.i += 1;
                    self.expect(Tok::RBracket, "']'")?;
                }
                _ => {
                    return Ok(ObjectPath {
                        object_type,
                        components,
                    })
                }
            }
        }
    }
}

fn is_keyword(w: &str) -> bool {
    matches!(
        w,
        "AND"
            | "OR"
            | "NOT"
            | "FOLLOWEDBY"
            | "LIKE"
            | "MATCHES"
            | "ISSUBSET"
            | "ISSUPERSET"
            | "IN"
            | "EXISTS"
            | "WITHIN"
            | "SECONDS"
            | "REPEATS"
            | "TIMES"
            | "START"
            | "STOP"
    )
}

/// Parse a STIX 2.1 pattern.
pub fn parse_stix_pattern(s: &str) -> Result<Pattern, PatternError> {
    if s.trim().is_empty() {
        return err(PatternErrorKind::Empty, 0);
    }
    let toks = lex(s)?;
    let mut p = Parser {
        toks,
        i: 0,
        end: s.len(),
        depth: 0,
    };
    let root = p.obs_followed()?;
    if p.i != p.toks.len() {
        return err(PatternErrorKind::TrailingInput, p.pos());
    }
    Ok(Pattern { root })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle_patterns() -> Vec<(String, String)> {
        let shared = std::env::var("CTI_EDGE_SHARED_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
        let root = shared.join("data/stix21");
        let mut out = Vec::new();
        let mut dirs = vec![root];
        while let Some(d) = dirs.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "json") {
                    let Ok(t) = std::fs::read_to_string(&p) else {
                        continue;
                    };
                    let Ok(v) = serde_json::from_str::<serde_json::Value>(&t) else {
                        continue;
                    };
                    for o in v["objects"].as_array().into_iter().flatten() {
                        if o["type"] == "indicator"
                            && o["pattern_type"].as_str().unwrap_or("stix") == "stix"
                        {
                            if let Some(pat) = o["pattern"].as_str() {
                                out.push((p.display().to_string(), pat.to_string()));
                            }
                        }
                    }
                }
            }
        }
        out
    }

    #[test]
    fn all_bundle_patterns_parse() {
        let pats = bundle_patterns();
        assert!(
            pats.len() >= 40,
            "expected the OASIS example indicators, found {}",
            pats.len()
        );
        let mut iocs = 0;
        for (f, p) in &pats {
            let parsed = parse_stix_pattern(p).unwrap_or_else(|e| panic!("{f}: {p}: {e}"));
            iocs += parsed.iocs().len();
        }
        eprintln!("{} bundle patterns parsed, {} IOCs", pats.len(), iocs);
        assert!(iocs > 20);
    }

    #[test]
    fn grammar_features() {
        let ok = [
            "[ipv4-addr:value = '1.2.3.4']",
            "[file:hashes.'SHA-256' = 'aa' AND file:size > 10] FOLLOWEDBY [url:value LIKE 'http%']",
            "([a:b = 1] OR [c:d != 'x']) AND [e:f <> 2.5] WITHIN 300 SECONDS",
            "[network-traffic:dst_ref.value ISSUBSET '10.0.0.0/8'] REPEATS 5 TIMES",
            "[x:y[*].z[0].'w w' IN ('a', 1, -2, true, b'AAEC', h'0a0B')] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00.123Z'",
            "[process:command_line MATCHES '^cmd\\\\.exe$' AND process:pid NOT < 5 OR EXISTS process:name]",
            "[a:b NOT = 'x']",
            "[windows-registry-key:key = 'HKEY\\'s']",
            "[a:b IN ()]",
        ];
        for p in ok {
            parse_stix_pattern(p).unwrap_or_else(|e| panic!("{p}: {e}"));
        }
        let p = parse_stix_pattern("[domain-name:value = 'a.com' OR ipv4-addr:value = '1.2.3.4' OR ipv4-addr:value = '10.0.0.0/8'] AND [file:hashes.MD5 = 'D41D8CD98F00B204E9800998ECF8427E']").unwrap();
        assert_eq!(
            p.iocs(),
            vec![
                (IocKind::Domain, "a.com".into()),
                (IocKind::Ipv4, "1.2.3.4".into()),
                (IocKind::Md5, "d41d8cd98f00b204e9800998ecf8427e".into())
            ]
        );
        let obs = parse_stix_pattern("[x:y[*].'k' = 'v']")
            .unwrap()
            .observables();
        assert_eq!(obs[0].path, "y[*].k");
    }

    #[test]
    fn invalid_patterns() {
        let cases: &[(&str, usize)] = &[
            ("", 0),
            ("[ipv4-addr:value = '1.2.3.4'", 28),
            ("[ipv4-addr:value = '1.2.3.4]", 19),
            ("[ipv4-addr:value == '1']", 18),
            ("[ipv4-addr value = '1']", 11),
            ("[IPV4:value = '1']", 1),
            ("[a:b = 'x\\q']", 9),
            ("[a:b = t'2020-13-01T00:00:00Z']", 7),
            ("[a:b = h'abc']", 7),
            ("[a:b = b'a=bc']", 7),
            ("[a:b = 1] WITHIN -5 SECONDS", 17),
            ("[a:b = 1] REPEATS 2", 19),
            ("[a:b = 1] extra", 10),
            ("[a:b LIKE 5]", 10),
            ("[a:b = 1] AND", 13),
            ("[a:b > true]", 7),
            ("[a:b = 1] # c", 10),
            ("[file:hashes.SHA-256 = 'x']", 13),
            ("[a:b[-1] = 1]", 5),
            ("[a:b = 1] and [c:d = 2]", 10),
            ("[a:b IN ('x' 'y')]", 13),
        ];
        for (p, pos) in cases {
            match parse_stix_pattern(p) {
                Ok(x) => panic!("{p:?} parsed: {x:?}"),
                Err(e) => assert_eq!(e.pos, *pos, "{p:?}: {e:?}"),
            }
        }
        // nesting is capped, never a stack overflow
        let deep = format!("{}[a:b = 1]{}", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(
            parse_stix_pattern(&deep).unwrap_err().kind,
            PatternErrorKind::TooDeep
        );
        let deep2 = format!("[{}a:b = 1{}]", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(
            parse_stix_pattern(&deep2).unwrap_err().kind,
            PatternErrorKind::TooDeep
        );
    }

    #[test]
    fn builder_roundtrip() {
        for (k, v) in [
            (IocKind::Ipv4, "1.2.3.4"),
            (IocKind::Url, "http://x.com/it's\\here"),
            (
                IocKind::Sha256,
                "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f",
            ),
            (IocKind::Asn, "AS13335"),
            (IocKind::Email, "a@b.com"),
        ] {
            let p = stix_pattern_for(k, v).unwrap();
            let parsed = parse_stix_pattern(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
            let obs = parsed.observables();
            assert_eq!(obs.len(), 1);
            if k != IocKind::Asn {
                assert_eq!(obs[0].value.text(), v);
            }
        }
        assert_eq!(
            stix_pattern_for(IocKind::Sha256, "ab").unwrap(),
            "[file:hashes.'SHA-256' = 'ab']"
        );
        assert_eq!(stix_pattern_for(IocKind::Btc, "x"), None);
    }
}
