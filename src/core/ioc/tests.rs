//! Unit tests: traps, refang styles, boundaries, offsets, classification.

use super::*;

fn ex(t: &str) -> Vec<(IocKind, String)> {
    extract_iocs(t, &ExtractOptions::default())
        .into_iter()
        .map(|i| (i.kind, i.value))
        .collect()
}
fn vals(t: &str, k: IocKind) -> Vec<String> {
    extract_iocs(t, &ExtractOptions::default())
        .into_iter()
        .filter(|i| i.kind == k)
        .map(|i| i.value)
        .collect()
}
/// `"value raw"` of each top-level `k` hit: the value reported and the text as written.
fn hits(t: &str, k: IocKind) -> Vec<String> {
    extract_iocs(t, &ExtractOptions::default())
        .into_iter()
        .filter(|i| i.kind == k && !i.nested)
        .map(|i| format!("{} {}", i.value, i.raw))
        .collect()
}

#[test]
fn debug_print() {
    let t = std::env::var("IOC_DEBUG_TEXT").unwrap_or_default();
    if !t.is_empty() {
        for i in extract_iocs(&t, &ExtractOptions::default()) {
            eprintln!("{:?}", i);
        }
    }
}

#[test]
fn basic_kinds() {
    let t = "1.1.1[.]1 2.2.2 . 2 google(.)com https://www.google[.]com f6f8179ac71eaabff12b8c024342109b \
             test@example.com CVE-2021-44228 AS13335 ASN 15169 1J6PYEzr4CUoGbnXrELyHszoTSz3wCsCaj \
             bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq 2001:db8::1";
    let r = ex(t);
    let has = |k: IocKind, v: &str| r.iter().any(|(kk, vv)| *kk == k && vv == v);
    assert!(has(IocKind::Ipv4, "1.1.1.1"), "{r:?}");
    assert!(has(IocKind::Ipv4, "2.2.2.2"), "{r:?}");
    assert!(has(IocKind::Domain, "google.com"));
    assert!(has(IocKind::Url, "https://www.google.com"));
    assert!(has(IocKind::Domain, "www.google.com"));
    assert!(has(IocKind::Md5, "f6f8179ac71eaabff12b8c024342109b"));
    assert!(has(IocKind::Email, "test@example.com"));
    assert!(has(IocKind::Cve, "CVE-2021-44228"));
    assert!(has(IocKind::Asn, "AS13335"));
    assert!(has(IocKind::Asn, "AS15169"));
    assert!(has(IocKind::Btc, "1J6PYEzr4CUoGbnXrELyHszoTSz3wCsCaj"));
    assert!(has(
        IocKind::Btc,
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
    ));
    assert!(has(IocKind::Ipv6, "2001:db8::1"));
    assert_eq!(
        vals(
            "mail bad@[192.168.7.3]x and j@[IPv6:2001:db8::1]",
            IocKind::Email
        ),
        vec!["bad@[192.168.7.3]", "j@[ipv6:2001:db8::1]"]
    );
}

#[test]
fn traps() {
    assert!(vals(
        "run main.py then open archive.zip and setup.exe",
        IocKind::Domain
    )
    .is_empty());
    assert_eq!(
        vals("host archive[.]zip", IocKind::Domain),
        vec!["archive.zip"]
    );
    assert!(
        ex("version v4.12.7.3 and 1.2.3.4.5").is_empty(),
        "{:?}",
        ex("v4.12.7.3 1.2.3.4.5")
    );
    assert!(vals("0x4966db520b0680fc19df5d7774ca96f42e6abd4f", IocKind::Sha1).is_empty());
    assert!(vals("d41d8cd98f00b204e9800998ecf8427ed41d8cd9", IocKind::Btc).is_empty());
    // labelled fingerprints are not file hashes
    assert!(vals(
        "imphash: 18ddf28a71089acdbab5038f58044c0a, JA3 = 18ddf28a71089acdbab5038f58044c0b",
        IocKind::Md5
    )
    .is_empty());
    assert_eq!(
        vals("md5: 18ddf28a71089acdbab5038f58044c0a", IocKind::Md5).len(),
        1
    );
    assert_eq!(
        vals("notimphash 18ddf28a71089acdbab5038f58044c0a", IocKind::Md5).len(),
        1
    );
    assert!(vals("use ns::cafe and std::dead; abc::def", IocKind::Ipv6).is_empty());
    assert!(vals("2015-05-26::\n as4 as3 fe80:: 2016::", IocKind::Ipv6).is_empty());
    assert_eq!(
        vals("::1 and ::ffff:1.2.3.4", IocKind::Ipv6),
        vec!["::1", "::ffff:1.2.3.4"]
    );
    assert!(vals("as4 as3", IocKind::Asn).is_empty());
    assert_eq!(vals("AS4 as1234", IocKind::Asn), vec!["AS4", "AS1234"]);
    assert!(vals("System.IO ADODB.Stream the file.It was", IocKind::Domain).is_empty());
    assert_eq!(
        vals("EXAMPLE.COM and Example.com", IocKind::Domain),
        vec!["example.com", "example.com"]
    );
    assert!(vals("call foo.bar.com(1)", IocKind::Domain).is_empty());
    let o = ExtractOptions {
        file_ext_policy: FileExtPolicy::Allow,
        ..Default::default()
    };
    assert_eq!(extract_iocs("main.py", &o).len(), 1);
    let o = ExtractOptions {
        allow: vec!["main.py".into()],
        ..Default::default()
    };
    assert_eq!(extract_iocs("main.py", &o).len(), 1);
}

#[test]
fn boundaries() {
    let u = |t: &str| vals(t, IocKind::Url);
    assert_eq!(u("See http://evil.com/a."), vec!["http://evil.com/a"]);
    assert_eq!(u("(see http://evil.com/a)"), vec!["http://evil.com/a"]);
    assert_eq!(u("[link](http://evil.com/a)"), vec!["http://evil.com/a"]);
    assert_eq!(
        u("[http://evil.com/a](http://evil.com/b)"),
        vec!["http://evil.com/a", "http://evil.com/b"]
    );
    assert_eq!(u("`http://evil.com/a`"), vec!["http://evil.com/a"]);
    assert_eq!(u("**http://evil.com/a**"), vec!["http://evil.com/a"]);
    assert_eq!(u("\"http://evil.com/a\""), vec!["http://evil.com/a"]);
    assert_eq!(u("'http://evil.com/a'"), vec!["http://evil.com/a"]);
    assert_eq!(u("`++hxxp://evil[.]com/a++`"), vec!["http://evil.com/a"]);
    assert_eq!(u("<http://evil.com/a>"), vec!["http://evil.com/a"]);
    assert_eq!(
        u("http://evil.com/a,2024-01-01,malware"),
        vec!["http://evil.com/a"]
    );
    assert_eq!(
        u("http://evil.com/a?x=1,2 ok"),
        vec!["http://evil.com/a?x=1,2"]
    );
    assert_eq!(
        u("http://evil.com/?u=1,http://b.com/"),
        vec!["http://evil.com/?u=1", "http://b.com/"]
    );
    assert_eq!(
        u("http://en.wikipedia.org/wiki/Foo_(bar) x"),
        vec!["http://en.wikipedia.org/wiki/Foo_(bar)"]
    );
}

#[test]
fn refang_styles() {
    for (i, o) in [
        ("example[.]com", "example.com"),
        ("example(.)com", "example.com"),
        ("example{.}com", "example.com"),
        ("example[dot]com", "example.com"),
        ("example(DOT)com", "example.com"),
        ("example{dot}com", "example.com"),
        ("example . com", "example.com"),
        ("example\\.com", "example.com"),
        ("hxxp://a.com", "http://a.com"),
        ("hXXps://a.com", "https://a.com"),
        ("h**p://a.com", "http://a.com"),
        ("http[:]//a.com", "http://a.com"),
        ("http[://]a.com", "http://a.com"),
        ("a.com[/]x", "a.com/x"),
        (
            "u[at]a.com u[@]a.com u(@)a.com u(at)a.com u{@}a.com",
            "u@a.com u@a.com u@a.com u@a.com u@a.com",
        ),
        ("test(.}test{.)example[.)com", "test.test.example.com"),
        ("example [.] com", "example.com"),
        ("hxxpfoo", "hxxpfoo"),
        ("fxp://a.com", "ftp://a.com"),
        ("1.)1[.1.)1", "1.1.1.1"),
        (
            "hxxps[://]x[.]com fxp[:]//y(.)org HXXP://Z[.]NET",
            "https://x.com ftp://y.org http://Z.NET",
        ),
        ("h**ps[:]//a[dot]b", "https://a.b"),
        ("10[[[[.]]]]10[[[.]]10[.10", "10.10.10.10"),
        ("10(((.]]]]10", "10.10"),
        (
            "arr[i].length data[0].id f(a).b",
            "arr[i].length data[0].id f(a).b",
        ),
    ] {
        assert_eq!(refang(i), o, "refang({i:?})");
    }
}

#[test]
fn offsets_utf16_and_raw() {
    let t = "😀 héllo evil[.]com 中文 http://例え.jp/パス x";
    let r = extract_iocs(t, &ExtractOptions::default());
    let d = r.iter().find(|i| i.value == "evil.com").unwrap();
    assert_eq!(d.raw, "evil[.]com");
    assert!(d.defanged);
    assert_eq!(&t[d.start..d.end], "evil[.]com");
    let u16: Vec<u16> = t.encode_utf16().collect();
    assert_eq!(
        String::from_utf16(&u16[d.start16..d.end16]).unwrap(),
        "evil[.]com"
    );
    for i in &r {
        assert_eq!(String::from_utf16(&u16[i.start16..i.end16]).unwrap(), i.raw);
    }
    let u = r.iter().find(|i| i.kind == IocKind::Url).unwrap();
    assert_eq!(u.value, "http://例え.jp/パス");
    assert_eq!(u.punycode().unwrap(), "http://xn--r8jz45g.jp/パス");
}

#[test]
fn unicode_letters_continue_a_url_path_spaces_and_punctuation_end_it() {
    let urls = |t: &str| hits(t, IocKind::Url);
    let u = "https://bücher.de/straße/größe.html";
    assert_eq!(urls(&format!("see {u} now")), [format!("{u} {u}")]);
    assert_eq!(urls("https://ja.wikipedia.org/wiki/東京。次"), ["https://ja.wikipedia.org/wiki/東京 https://ja.wikipedia.org/wiki/東京"]);
    assert_eq!(urls("«https://x.org/путь»"), ["https://x.org/путь https://x.org/путь"]);
    assert_eq!(urls("“https://x.org/a”, then"), ["https://x.org/a https://x.org/a"]);
    for space in ["\u{a0}", "\u{3000}", "\u{2003}"] {
        let t = format!("https://x.org/a{space}b");
        assert_eq!(urls(&t), ["https://x.org/a https://x.org/a"], "{t:?}");
    }
    // a combining mark stays with its letter
    assert_eq!(urls("https://x.org/cafe\u{301} x"), ["https://x.org/cafe\u{301} https://x.org/cafe\u{301}"]);
}

#[test]
fn char_safety_fuzz() {
    let pieces = [
        "😀", "é", "\u{301}", "中", "\u{FFFD}", "[.]", ".", "@", ":", "/", "a", "1", " ", "(", ")",
        "hxxp", "://", "[", "]", "\\", "-", "_", "ab", "com", "f", "::", "%", "++", "`", "*",
    ];
    let mut seed: u64 = 0x1234_5678;
    for _ in 0..3000 {
        let mut s = String::new();
        let len = (seed % 24) as usize;
        for _ in 0..len {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            s.push_str(pieces[(seed % pieces.len() as u64) as usize]);
        }
        let r = extract_iocs(&s, &ExtractOptions::default());
        for i in r {
            assert_eq!(&s[i.start..i.end], i.raw);
        }
        let _ = refang(&s);
        let _ = defang(&s);
        let _ = classify(&s);
    }
}

#[test]
fn classify_values() {
    let c = classify("1.2.3.4").unwrap();
    assert_eq!((c.kind, c.sekoia_type), (IocKind::Ipv4, Some("ipv4-addr")));
    assert_eq!(
        classify_detailed("1.2.3.4/32"),
        Err(Rejection::Cidr { prefix: 32 })
    );
    assert_eq!(
        classify("d41d8cd98f00b204e9800998ecf8427e")
            .unwrap()
            .hash_algorithm,
        Some("MD5")
    );
    assert_eq!(classify("evil[.]com").unwrap().value, "evil.com");
    assert_eq!(classify_detailed("main.py"), Err(Rejection::FileName));
    assert_eq!(
        classify_detailed("System.IO"),
        Err(Rejection::CodeIdentifier)
    );
    assert_eq!(
        classify_detailed("example.nope"),
        Err(Rejection::UnknownTld)
    );
    assert_eq!(
        classify("CVE-2021-44228").unwrap().sekoia_type,
        Some("vulnerability")
    );
    assert_eq!(
        classify("AS13335").unwrap().sekoia_type,
        Some("autonomous-system")
    );
    assert_eq!(
        classify("1J6PYEzr4CUoGbnXrELyHszoTSz3wCsCaj")
            .unwrap()
            .sekoia_type,
        None
    );
    assert_eq!(
        classify_detailed("0x4966db520b0680fc19df5d7774ca96f42e6abd4f"),
        Err(Rejection::HexWithPrefix)
    );
    assert_eq!(
        classify("hxxps://evil[.]com/x").unwrap().value,
        "https://evil.com/x"
    );
    assert_eq!(classify("fe80::1%eth0").unwrap().kind, IocKind::Ipv6);
    assert_eq!(classify("a@b.com").unwrap().sekoia_type, Some("email-addr"));
    assert_eq!(
        classify("evil[.]com/x.php?a=1").map(|c| (c.kind, c.value)),
        Some((IocKind::Url, "evil.com/x.php?a=1".into()))
    );
    assert_eq!(classify_detailed("usr/lib/x"), Err(Rejection::Unrecognized));
    assert_eq!(
        classify_detailed("1.2.3.4:8080"),
        Err(Rejection::IpWithPort)
    );
    assert_eq!(classify_detailed("1.2.3.256"), Err(Rejection::InvalidIpv4));
    assert_eq!(
        classify_detailed("::1/128"),
        Err(Rejection::Cidr { prefix: 128 })
    );
    assert_eq!(classify_detailed("abcd"), Err(Rejection::Unrecognized));
    assert_eq!(
        classify_detailed("d41d8cd98f00b204e9800998ecf8427"),
        Err(Rejection::BadHashLength { len: 31 })
    );
    assert_eq!(classify("ASN 13335").unwrap().value, "AS13335");
    assert_eq!(classify("cve-2021-44228").unwrap().value, "CVE-2021-44228");
    assert_eq!(
        classify("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")
            .unwrap()
            .kind,
        IocKind::Btc
    );
}

#[test]
fn defang_roundtrip() {
    let d = defang("see http://evil.com/a.php and 1.2.3.4 and x@evil.org");
    assert_eq!(
        d,
        "see hxxp://evil[.]com/a.php and 1[.]2[.]3[.]4 and x[@]evil[.]org"
    );
    assert_eq!(defang(&d), d);
    assert_eq!(
        refang(&d),
        "see http://evil.com/a.php and 1.2.3.4 and x@evil.org"
    );
}

#[test]
fn punycode_roundtrip() {
    assert_eq!(
        punycode::domain_to_ascii("はじめよう.みんな").unwrap(),
        "xn--p8j9a0d9c9a.xn--q9jyb4c"
    );
    assert_eq!(
        punycode::domain_to_unicode("xn--p8j9a0d9c9a.xn--q9jyb4c"),
        "はじめよう.みんな"
    );
    assert_eq!(sha256::sha256(b"abc")[..4], [0xba, 0x78, 0x16, 0xbf]);
}

#[test]
fn options() {
    let mut o = ExtractOptions {
        exclude_private_ips: true,
        ..Default::default()
    };
    assert!(extract_iocs("10.0.0.1 192.168.1.1 127.0.0.1 ::1 fe80::1", &o).is_empty());
    o.deny = vec!["example.com".into()];
    assert!(extract_iocs("a.example.com http://example.com/x", &o).is_empty());
    // a deny entry as long as a Unicode host's tail: compared as bytes (this panicked once)
    o.deny = vec!["evil.com".into()];
    let hits = extract_iocs("bücher.de user@bücher.de http://bücher.de/x a.evil.com", &o);
    assert_eq!(hits.iter().filter(|h| h.value.contains("bücher.de")).count(), 5);
    assert!(hits.iter().all(|h| !h.value.contains("evil.com")));
    let mut o = ExtractOptions {
        dedupe: true,
        ..Default::default()
    };
    assert_eq!(extract_iocs("evil.com EVIL.com evil[.]com", &o).len(), 1);
    o.kinds = KindSet::of(&[IocKind::Md5]);
    assert_eq!(
        extract_iocs("evil.com d41d8cd98f00b204e9800998ecf8427e", &o).len(),
        1
    );
    let o = ExtractOptions {
        refang: false,
        ..Default::default()
    };
    assert!(extract_iocs("evil[.]com", &o).is_empty());
}

fn shared_dir() -> std::path::PathBuf {
    std::env::var("CTI_EDGE_SHARED_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

fn eset_texts() -> Vec<String> {
    let p = shared_dir().join("data/eset/eset_reports.jsonl");
    let t = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    t.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(String::from))
        .collect()
}

/// Real text: every ESET report extracts, spans are exact, and the known ESET
/// indicators written in the reports are found.
#[test]
fn eset_reports_real_text() {
    let texts = eset_texts();
    assert!(texts.len() >= 100);
    let mut counts = std::collections::BTreeMap::new();
    for t in &texts {
        for i in extract_iocs(t, &ExtractOptions::default()) {
            assert_eq!(&t[i.start..i.end], i.raw);
            *counts.entry(i.kind.as_str()).or_insert(0usize) += 1;
        }
    }
    eprintln!("ESET reports: {counts:?}");
    assert!(counts.get("sha1").copied().unwrap_or(0) > 1000);
    assert!(counts.get("domain").copied().unwrap_or(0) > 500);
}

/// Throughput on the ESET reports: `cargo test --release -- --ignored --nocapture throughput`.
#[test]
#[ignore]
fn throughput_eset() {
    let texts = eset_texts();
    let total: usize = texts.iter().map(|t| t.len()).sum();
    let opts = ExtractOptions::default();
    let rounds = 20;
    let t0 = std::time::Instant::now();
    let mut n = 0;
    for _ in 0..rounds {
        for t in &texts {
            n += extract_iocs(t, &opts).len();
        }
    }
    let el = t0.elapsed().as_secs_f64();
    eprintln!(
        "extract_iocs: {:.1} MB/s over {} bytes x {rounds} ({} IOCs per round)",
        (total * rounds) as f64 / el / 1e6,
        total,
        n / rounds
    );
}

#[test]
#[ignore]
fn eset_dump_plain_domains() {
    let mut seen = std::collections::BTreeSet::new();
    for t in eset_texts() {
        for i in extract_iocs(&t, &ExtractOptions::default()) {
            if matches!(
                i.kind,
                IocKind::Domain
                    | IocKind::Url
                    | IocKind::Btc
                    | IocKind::Cve
                    | IocKind::Asn
                    | IocKind::Ipv6
            ) && !i.defanged
                && !i.nested
            {
                seen.insert(format!("{:?} {}", i.kind, i.raw));
            }
        }
    }
    for s in seen {
        eprintln!("{s}");
    }
}

/// Log-line throughput (Worker use case): `cargo test --release -- --ignored --nocapture throughput_logs`.
#[test]
#[ignore]
fn throughput_logs() {
    let line = "GET /index.html HTTP/1.1 200 1234 \"Mozilla/5.0 (Windows NT 10.0; Win64; x64)\" 192.0.2.1 - - [10/Oct/2024:13:55:36 +0000] host=www.example.com\n";
    let plain = line.repeat(20_000);
    let opts = ExtractOptions::default();
    let mut best = f64::MAX;
    let mut m = 0;
    for _ in 0..5 {
        let t0 = std::time::Instant::now();
        m = extract_iocs(&plain, &opts).len();
        best = best.min(t0.elapsed().as_secs_f64());
    }
    eprintln!(
        "log lines: {:.1} MB/s ({} bytes, {m} IOCs)",
        plain.len() as f64 / best / 1e6,
        plain.len()
    );
}

/// Dump extraction results of the ESET reports as JSON lines (for offline review):
/// `IOC_DUMP=/tmp/x.jsonl cargo test -- --ignored eset_dump_json`.
#[test]
#[ignore]
fn eset_dump_json() {
    let Ok(out) = std::env::var("IOC_DUMP") else {
        return;
    };
    let p = shared_dir().join("data/eset/eset_reports.jsonl");
    let t = std::fs::read_to_string(&p).unwrap();
    let mut s = String::new();
    for l in t.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let text = v["text"].as_str().unwrap();
        let iocs: Vec<serde_json::Value> = extract_iocs(text, &ExtractOptions::default())
            .into_iter()
            .map(|i| serde_json::json!({"kind": i.kind.as_str(), "value": i.value, "raw": i.raw, "nested": i.nested, "defanged": i.defanged}))
            .collect();
        s.push_str(&serde_json::json!({"path": v["path"], "iocs": iocs}).to_string());
        s.push('\n');
    }
    std::fs::write(out, s).unwrap();
}

fn fuzz_strings(iters: usize, seed0: u64, f: &mut dyn FnMut(&str)) {
    let pieces = [
        "😀",
        "é",
        "\u{301}",
        "中",
        "文",
        "\u{FFFD}",
        "\u{3002}",
        "\u{A0}",
        "[.]",
        "(.)",
        "{dot}",
        "[at]",
        ".",
        "@",
        ":",
        "/",
        "a",
        "A",
        "1",
        "9",
        "0",
        " ",
        "\t",
        "\n",
        "(",
        ")",
        "hxxp",
        "h**ps",
        "fxp",
        "://",
        "[",
        "]",
        "{",
        "}",
        "\\",
        "-",
        "_",
        "ab",
        "com",
        "zip",
        "f",
        "::",
        "%",
        "%2F",
        "++",
        "`",
        "*",
        "**",
        ",",
        "'",
        "\"",
        "<",
        ">",
        "?",
        "#",
        "=",
        "&",
        "CVE-",
        "2021",
        "AS",
        "ASN ",
        "bc1",
        "1J6PYEzr4CUoGbnXrELyHszoTSz3wCsCaj",
        "d41d8cd98f00b204e9800998ecf8427e",
        "xn--",
        "..",
        " . ",
        "b'",
        "h'",
        "t'",
        "AND",
        "OR",
        "NOT",
        "IN",
        "WITHIN",
        "[a:b = 1]",
        "ipv4-addr:value",
        "=",
        "!=",
        "'x'",
    ];
    let mut seed = seed0;
    for _ in 0..iters {
        let mut s = String::new();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let len = (seed % 40) as usize;
        for _ in 0..len {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            s.push_str(pieces[(seed % pieces.len() as u64) as usize]);
        }
        f(&s);
    }
}

fn check_all_apis(s: &str) {
    let r = extract_iocs(s, &ExtractOptions::default());
    let u16: Vec<u16> = s.encode_utf16().collect();
    for i in &r {
        assert_eq!(&s[i.start..i.end], i.raw);
        assert_eq!(String::from_utf16(&u16[i.start16..i.end16]).unwrap(), i.raw);
        let _ = i.punycode();
        let _ = stix_pattern_for_ioc(i);
    }
    let o = ExtractOptions {
        refang: false,
        dedupe: true,
        nested: false,
        ..Default::default()
    };
    for i in extract_iocs(s, &o) {
        assert_eq!(&s[i.start..i.end], i.raw);
    }
    let _ = refang(s);
    let d = defang(s);
    assert_eq!(defang(&d), d, "defang not idempotent on {s:?}");
    let _ = classify_detailed(s);
    if let Ok(p) = parse_stix_pattern(s) {
        let _ = p.iocs();
    }
}

#[test]
fn fuzz_quick() {
    fuzz_strings(4000, 0xdead_beef, &mut check_all_apis);
}

/// Longer fuzz run: `cargo test --release -- --ignored fuzz_long`.
#[test]
#[ignore]
fn fuzz_long() {
    fuzz_strings(500_000, 0x1234_5678_9abc, &mut check_all_apis);
}

/// Adversarial inputs stay linear (each takes well under a second in a debug build; a quadratic scan would take minutes).
#[test]
fn pathological_inputs_are_linear() {
    let n = 200_000;
    let inputs = [
        "a.".repeat(n),
        "1.".repeat(n),
        "[".repeat(n),
        "[.".repeat(n),
        ":".repeat(n),
        "1:".repeat(n),
        "a@".repeat(n),
        "http://".repeat(n / 4),
        "a.com/".repeat(n / 4),
        "?a,".repeat(n / 2),
        "x".repeat(n * 2),
        format!("http://a.com/?{}", ",a".repeat(n)),
        "%2F".repeat(n),
        " . a".repeat(n / 2),
        "0".repeat(n * 2),
        "中.".repeat(n / 2),
    ];
    for s in &inputs {
        let t = std::time::Instant::now();
        let _ = extract_iocs(s, &ExtractOptions::default());
        let _ = defang(s);
        let el = t.elapsed();
        assert!(
            el.as_secs_f64() < 10.0,
            "{}… took {el:?}",
            s.chars().take(12).collect::<String>()
        );
    }
    let deep = "(".repeat(n);
    assert!(parse_stix_pattern(&deep).is_err());
}

#[test]
fn defang_debug_env() {
    if let Ok(t) = std::env::var("IOC_DEFANG_TEXT") {
        let d = defang(&t);
        eprintln!(
            "refang: {:?}\ndefang: {:?}\ntwice:  {:?}",
            refang(&t),
            d,
            defang(&d)
        );
        for i in extract_iocs(&t, &ExtractOptions::default()) {
            eprintln!("{i:?}");
        }
    }
}

#[test]
fn latin_diacritics_are_part_of_a_label_cjk_is_glue() {
    let vals = |t: &str| -> Vec<String> { extract_iocs(t, &ExtractOptions::default()).into_iter().map(|i| i.value).collect() };
    assert_eq!(vals("visit bücher.de today"), vec!["bücher.de"]);
    assert_eq!(vals("über.de"), vec!["über.de"]);
    assert_eq!(vals("https://bücher.de/x"), vec!["https://bücher.de/x", "bücher.de"]);
    assert_eq!(vals("これはexample.comです"), vec!["example.com"]);
}

#[test]
fn utf16_units_counts_like_encode_utf16() {
    let chars = ['a', '.', 'é', '€', '中', '😀', '\u{10FFFF}', ' ', 'ß'];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for len in 0..200 {
        let s: String = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                chars[(seed % chars.len() as u64) as usize]
            })
            .collect();
        assert_eq!(super::extract::utf16_units(s.as_bytes()), s.encode_utf16().count(), "{s:?}");
    }
}

#[test]
fn tld_lookup_finds_first_last_and_longest_entries_in_any_case() {
    use super::tld::is_tld;
    for t in ["ac", "zw", "aaa", "zip", "aarp", "zone", "actor", "yahoo", "abogado", "zuerich", "travelersinsurance", "xn--vermgensberatung-pwb", "COM", "Xn--Vermgensberater-CTB", "xn--p1ai", "comsec"] {
        assert!(is_tld(t), "{t}");
    }
    for t in ["", "a", "aa", "exe", "dll", "zz", "comm", "xn--vermgensberatung-pwc", "zuerici", "com.", "tést", "abcdefghijklmnopqrstuvwxyz"] {
        assert!(!is_tld(t), "{t}");
    }
}

#[test]
fn canonical_urls_lower_case_scheme_and_host_only() {
    use super::extract::canonical_url;
    for (raw, want) in [
        ("http://example.com/A?B#C", "http://example.com/A?B#C"),
        ("HTTP://Example.COM./Path", "http://example.com/Path"),
        ("https://User@Host:8080/X", "https://User@host:8080/X"),
        ("http://[2001:DB8::1]/P", "http://[2001:db8::1]/P"),
        ("http://BÜCHER.de/Q", "http://bücher.de/Q"),
        ("ftp://a.b.", "ftp://a.b"),
    ] {
        assert_eq!(canonical_url(raw), want, "{raw}");
    }
}

#[test]
fn mailto_links_give_their_address_userinfo_does_not() {
    let emails = |t: &str| hits(t, IocKind::Email);
    assert_eq!(emails("mailto:john@example.org"), ["john@example.org john@example.org"]);
    assert_eq!(emails(r#"<a href="MAILTO:a.b@x.example.com?subject=hi">"#), ["a.b@x.example.com a.b@x.example.com"]);
    assert_eq!(emails("write to mailto:ops[at]evil[.]com"), ["ops@evil.com ops[at]evil[.]com"]);
    assert!(emails("ftp://user:secret@files.example.com/x").is_empty());
    assert!(emails("http://admin@router.example.com/").is_empty());
    // a scheme that only ends in `mailto` is not one
    assert!(emails("xmailto:john@example.org").is_empty());
}

#[test]
fn markdown_underscore_emphasis_is_not_part_of_a_domain() {
    let domains = |t: &str| hits(t, IocKind::Domain);
    assert_eq!(domains("the _evil.com_ domain"), ["evil.com evil.com"]);
    assert_eq!(domains("the __evil.com__ domain"), ["evil.com evil.com"]);
    assert_eq!(domains("TXT at _dmarc.example.org."), ["_dmarc.example.org _dmarc.example.org"]);
    assert!(domains("_dmarc.example.org_tail").is_empty());
    let urls = |t: &str| hits(t, IocKind::Url);
    assert_eq!(urls("see _x.org/path_ now"), ["x.org/path x.org/path"]);
    assert_eq!(urls("see __x.org/a/b__."), ["x.org/a/b x.org/a/b"]);
    assert_eq!(urls("_dmarc.example.org/x"), ["_dmarc.example.org/x _dmarc.example.org/x"]);
}
