//! A JSON text as a `serde_json::Value`: what the wasm reads JSON with (error bodies, LiveAPI
//! messages, option objects, Group-IB portions). The same result as
//! `serde_json::from_str::<Value>` for every input (the differential tests below hold it to
//! that), without serde's `Deserialize` for `Value`: that path carries serde's type-mismatch
//! messages, which format floats, and so pulled float formatting and serde_json's deserializer
//! into every client build (~10 KB gz of wasm for Sekoia, ~15 KB for NetworkSage). Numbers are
//! still read by serde_json (`Number: FromStr`), exactly as written.

use serde_json::{Map, Number, Value};

/// serde_json's own nesting limit: 128 levels of arrays and objects.
const MAX_DEPTH: usize = 128;

/// Where a text stops being JSON (1-based, columns in bytes as serde_json counts them).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid JSON at line {line} column {column}")]
pub struct Invalid {
    pub line: usize,
    pub column: usize,
}

/// `v` as compact JSON text. What shipped code writes JSON with, instead of `Value`'s `Display`
/// (`to_string()`, `{}`): that one also carries the pretty printer, and an `io::Error` whose
/// `Debug` keeps core's Unicode printability tables in the wasm.
pub fn text(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// The value of `text`, which must be one JSON value (surrounding whitespace aside).
pub fn parse(text: &str) -> Result<Value, Invalid> {
    let mut p = Parser { s: text.as_bytes(), i: 0 };
    let v = p.value(MAX_DEPTH).and_then(|v| {
        p.ws();
        (p.i == p.s.len()).then_some(v)
    });
    v.ok_or_else(|| {
        let before = &p.s[..p.i.min(p.s.len())];
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |n| n + 1);
        Invalid { line: 1 + before.iter().filter(|&&b| b == b'\n').count(), column: 1 + p.i - line_start }
    })
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while matches!(self.s.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        self.ws();
        let hit = self.s.get(self.i) == Some(&b);
        self.i += usize::from(hit);
        hit
    }

    fn literal(&mut self, word: &[u8], v: Value) -> Option<Value> {
        self.s[self.i..].starts_with(word).then(|| {
            self.i += word.len();
            v
        })
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        self.ws();
        match *self.s.get(self.i)? {
            b'n' => self.literal(b"null", Value::Null),
            b't' => self.literal(b"true", Value::Bool(true)),
            b'f' => self.literal(b"false", Value::Bool(false)),
            b'"' => self.string().map(Value::String),
            b'[' => {
                let depth = depth.checked_sub(1).filter(|d| *d > 0)?;
                self.i += 1;
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.value(depth)?);
                        if self.eat(b']') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                Some(Value::Array(items))
            }
            b'{' => {
                let depth = depth.checked_sub(1).filter(|d| *d > 0)?;
                self.i += 1;
                let mut map = Map::new();
                if !self.eat(b'}') {
                    loop {
                        self.ws();
                        if self.s.get(self.i) != Some(&b'"') {
                            return None;
                        }
                        let key = self.string()?;
                        if !self.eat(b':') {
                            return None;
                        }
                        // a repeated key keeps its first place and takes the last value, as serde_json's
                        map.insert(key, self.value(depth)?);
                        if self.eat(b'}') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                Some(Value::Object(map))
            }
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, handed to serde_json as written.
    fn number(&mut self) -> Option<Value> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let from = p.i;
            while p.s.get(p.i).is_some_and(u8::is_ascii_digit) {
                p.i += 1;
            }
            p.i - from
        };
        self.i += usize::from(self.s[self.i] == b'-');
        match digits(self) {
            0 => return None,
            n if n > 1 && self.s[self.i - n] == b'0' => return None,
            _ => {}
        }
        if self.s.get(self.i) == Some(&b'.') {
            self.i += 1;
            if digits(self) == 0 {
                return None;
            }
        }
        if matches!(self.s.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.s.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return None;
            }
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).ok()?;
        text.parse::<Number>().ok().map(Value::Number)
    }

    /// A string from its opening quote: escapes decoded, surrogates paired, control
    /// characters refused (serde_json's rules for UTF-8 input).
    fn string(&mut self) -> Option<String> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let b = *self.s.get(self.i)?;
            self.i += 1;
            match b {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = *self.s.get(self.i)?;
                    self.i += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return None,
                    };
                    let mut buf = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                0..=0x1f => return None,
                _ => out.push(b),
            }
        }
    }

    /// After `\u`: one BMP character, or a leading surrogate with its `\u` trailing one.
    fn unicode_escape(&mut self) -> Option<char> {
        let hi = self.hex4()?;
        match hi {
            0xD800..=0xDBFF => {
                if self.s.get(self.i..self.i + 2)? != b"\\u" {
                    return None;
                }
                self.i += 2;
                let lo = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&lo) {
                    return None;
                }
                char::from_u32(0x1_0000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
            }
            0xDC00..=0xDFFF => None,
            _ => char::from_u32(hi),
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.s.get(self.i..self.i + 4)?;
        self.i += 4;
        h.iter().try_fold(0, |n, &c| Some(n * 16 + char::from(c).to_digit(16)?))
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    /// Whether `text` parsed.
    fn same_as_serde_json(text: &str) -> bool {
        let theirs = serde_json::from_str::<serde_json::Value>(text).ok();
        let ours = parse(text).ok();
        assert_eq!(ours, theirs, "{text:?}");
        // serde_json's Value equality compares numbers as written; so does its output
        if let (Some(a), Some(b)) = (&ours, &theirs) {
            assert_eq!(a.to_string(), b.to_string(), "{text:?}");
        }
        ours.is_some()
    }

    #[test]
    fn same_values_and_refusals_as_serde_json() {
        for text in [
            "null", "true", "false", " 0 ", "-0", "1", "-1", "01", "1.", ".5", "1.5", "-1.50", "1e5", "1E+5", "1e-5", "1e", "1e+",
            "-", "--1", "+1", "1e400", "-1e-400", "123456789012345678901234567890", "18446744073709551616", "0.1e1", "00",
            r#""""#, r#""a\"b\\c\/d\be\ff\ng\rh\ti""#, r#""\u00e9\u20AC""#, r#""\ud83d\ude00""#, r#""\ud83d""#, r#""\ude00""#,
            r#""\ud83dx""#, r#""\ud83d\n""#, r#""\ud83d\u0041""#, r#""\u12""#, r#""\u12g4""#, r#""\x""#, "\"a\u{1}b\"", "\"tab\there\"",
            "\"é€😀\"", "\"\u{7f}\"", r#""unterminated"#, "[]", "[ ]", "[1,2]", "[1,]", "[,1]", "[1 2]", "{}", "{ }", r#"{"a":1}"#,
            r#"{"a":1,}"#, r#"{"a" 1}"#, r#"{a:1}"#, r#"{"a":1,"a":2,"b":3}"#, r#"{"b":1,"a":{"c":[null,true]}}"#, r#"{"a":1}x"#,
            "nul", "nullx", "truefalse", "[1]]", "", "   ", "\u{feff}1", "[\"a\"\n,\r\n\t\"b\"]", r#"{"":""}"#, "1 2",
        ] {
            same_as_serde_json(text);
        }
        for depth in [1, 126, 127, 128, 129, 200] {
            same_as_serde_json(&format!("{}{}", "[".repeat(depth), "]".repeat(depth)));
            same_as_serde_json(&format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth)));
        }
    }

    #[test]
    fn says_where_the_text_stops_being_json() {
        assert_eq!(parse("{\n  \"a\": x}").unwrap_err().to_string(), "invalid JSON at line 2 column 8");
        assert_eq!(parse("[1,").unwrap_err(), super::Invalid { line: 1, column: 4 });
        assert_eq!(parse("1 2").unwrap_err(), super::Invalid { line: 1, column: 3 });
    }

    #[test]
    fn same_as_serde_json_on_generated_texts() {
        // A small deterministic generator: JSON-ish texts from fragments, valid and broken.
        const PARTS: &[&str] = &[
            "{", "}", "[", "]", ",", ":", "\"k\"", "\"\\u00e9\"", "\"\\ud800\"", "1", "-0.5e3", "01", "null", "true", " ", "\"", "\\", "x",
            "\"a\\nb\"", "1e999", "\"\\uDBFF\\uDFFF\"", "\n",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut valid = 0;
        for _ in 0..20_000 {
            let mut text = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let n = 1 + (seed % 12) as usize;
            let mut s = seed;
            for _ in 0..n {
                text.push_str(PARTS[(s % PARTS.len() as u64) as usize]);
                s /= PARTS.len() as u64;
                if s == 0 {
                    s = seed.rotate_left(17);
                }
            }
            valid += usize::from(same_as_serde_json(&text));
        }
        assert!(valid > 500, "only {valid} valid texts: the generator no longer tests values");
    }
}
