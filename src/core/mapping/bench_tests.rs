//! Benchmark entry (no criterion): `cargo test --release -- --ignored --nocapture mapping_bench`.
//!
//! Builds a deterministic 5 000-item `apt/threat`-like portion (~10 indicators per item) and
//! times `Portion::new`, `parse_portion` (15-leaf template), `get_iocs` (5 keys),
//! `bulk_parse_portion` (2 templates) and `to_python_json`, printing items/s. The Python anchor
//! (groupib.md §16) is ~20k items/s for parse_portion and ~15k items/s for get_iocs.

use std::time::Instant;

use serde_json::{json, Value};

use super::*;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Deterministic apt/threat-like portion with `n` items.
pub(super) fn generate_large_portion(n: usize, seed: u64) -> Value {
    let mut r = Lcg(seed);
    let severities = ["green", "orange", "red"];
    let actors = ["Lazarus", "Carbanak", "Cobalt", "APT28", "FIN7", "Silence"];
    let mut items = Vec::with_capacity(n);
    for i in 0..n {
        let mut indicators = Vec::new();
        for j in 0..10 {
            let ip = format!("{}.{}.{}.{}", 1 + r.pick(223), r.pick(256), r.pick(256), 1 + r.pick(254));
            let ip2 = format!("198.51.{}.{}", r.pick(256), r.pick(256));
            let dom = format!("host{}-{}.example{}.com", i, j, r.pick(50));
            if j % 3 == 2 {
                indicators.push(json!({"id": format!("ind-{i}-{j}"), "type": "file", "params": {
                    "name": format!("file{}.exe", r.pick(1000)), "size": r.pick(1 << 20),
                    "hashes": {"md5": format!("{:032x}", u128::from(r.next()) << 64 | u128::from(r.next())),
                               "sha1": format!("{:040x}", u128::from(r.next()) << 64 | u128::from(r.next())),
                               "sha256": format!("{:064x}", u128::from(r.next()) << 64 | u128::from(r.next()))}}}));
            } else {
                indicators.push(json!({"id": format!("ind-{i}-{j}"), "type": "network", "params": {
                    "domain": dom, "url": format!("http://{dom}/p/{}.php", r.pick(100)),
                    "ipv4": [ip, ip2, if r.pick(5) == 0 { "0.0.0.0".to_string() } else { format!("203.0.113.{}", r.pick(256)) }]}}));
            }
        }
        let actor = actors[r.pick(actors.len() as u64) as usize];
        items.push(json!({
            "id": format!("{:032x}", i as u128 * 7919 + 1),
            "title": format!("Campaign {} by {}", i, actor),
            "threatActor": {"id": format!("ta-{}", r.pick(100)), "name": actor, "country": "KP", "isAPT": r.pick(2) == 0},
            "isTailored": r.pick(2) == 0,
            "langs": ["en", "ru"],
            "evaluation": {"admiraltyCode": "A1", "credibility": r.pick(100), "reliability": r.pick(100),
                           "severity": severities[r.pick(3) as usize], "tlp": "amber", "ttl": 30},
            "indicators": indicators,
            "indicatorsIds": (0..10).map(|j| format!("ind-{i}-{j}")).collect::<Vec<_>>(),
            "malwareList": [{"id": "m-1", "name": "AppleJeus"}, {"id": format!("m-{}", r.pick(40)), "name": format!("Mal{}", r.pick(40))}],
            "mitreMatrix": [{"attackPattern": "T1566.001", "attackTactic": "initial-access"}],
            "dateFirstSeen": "2024-03-01T00:00:00+00:00",
            "seqUpdate": 1709251200000000u64 + i as u64,
        }));
    }
    json!({"count": n * 3, "items": items, "seqUpdate": 1709251200000000u64 + n as u64})
}

fn parse_template() -> Value {
    json!({
        "id": "id", "title": "title", "actor": "threatActor.name", "apt": "threatActor.isAPT",
        "severity": "evaluation.severity", "tlp": "evaluation.tlp", "cred": "evaluation.credibility",
        "domains": "indicators.params.domain", "urls": "indicators.params.url", "ips": "indicators.params.ipv4",
        "md5": "indicators.params.hashes.md5", "malware": "malwareList.name", "first_malware": "#malwareList.name[0]",
        "date": "dateFirstSeen", "source": "*group-ib"
    })
}

fn ioc_template() -> Value {
    json!({"ips": "indicators.params.ipv4", "domains": "indicators.params.domain", "urls": "indicators.params.url",
           "md5": "indicators.params.hashes.md5", "sha256": "indicators.params.hashes.sha256"})
}

fn rate(n: usize, secs: f64) -> String {
    format!("{:>10.0} items/s ({:.3} s)", n as f64 / secs, secs)
}

#[test]
#[ignore]
fn mapping_bench() {
    const N: usize = 5000;
    let chunk = generate_large_portion(N, 1337);
    // Optional: dump portion, templates and our outputs for a side-by-side run of the Python
    // reference (CTI_EDGE_BENCH_DUMP=<dir>).
    if let Ok(dir) = std::env::var("CTI_EDGE_BENCH_DUMP") {
        let dir = std::path::Path::new(&dir);
        let p = Portion::new(chunk.clone()).expect("portion");
        let mut keys = parse_template();
        let parsed = Value::Array(parse_portion(&p, &mut keys, &ParseOptions::default()).expect("parse"));
        let iocs = Value::Object(get_iocs(&p, &ioc_template(), &IocOptions::default()).expect("iocs"));
        let write = |name: &str, v: &Value| std::fs::write(dir.join(name), to_python_json(v).expect("json")).expect("write");
        write("portion.json", &chunk);
        write("keys.json", &parse_template());
        write("iocs_keys.json", &ioc_template());
        write("parse_portion.json", &parsed);
        write("get_iocs.json", &iocs);
    }
    let runs = 7;
    let best = |f: &mut dyn FnMut()| {
        let mut best = f64::MAX;
        for _ in 0..runs {
            let t = Instant::now();
            f();
            best = best.min(t.elapsed().as_secs_f64());
        }
        best
    };
    let mut portion = None;
    let t_new = best(&mut || portion = Some(Portion::new(chunk.clone()).expect("portion")));
    let portion = portion.expect("portion");
    let mut out_len = 0;
    let t_parse = best(&mut || {
        let mut keys = parse_template();
        out_len = parse_portion(&portion, &mut keys, &ParseOptions::default()).expect("parse").len();
    });
    let mut n_iocs = 0;
    let t_iocs = best(&mut || {
        let r = get_iocs(&portion, &ioc_template(), &IocOptions::default()).expect("iocs");
        n_iocs = r.values().map(|v| v.as_array().map_or(0, Vec::len)).sum();
    });
    let t_bulk = best(&mut || {
        let mut list = vec![parse_template(), ioc_template()];
        bulk_parse_portion(&portion, &mut list).expect("bulk");
    });
    let parsed = {
        let mut keys = parse_template();
        Value::Array(parse_portion(&portion, &mut keys, &ParseOptions::default()).expect("parse"))
    };
    let t_json = best(&mut || {
        to_python_json(&parsed).expect("json");
    });
    let t_raw = best(&mut || {
        portion.raw_json().expect("raw json");
    });
    let raw_len = portion.raw_json().map(|s| s.len()).unwrap_or(0);
    println!("mapping bench: {N} items, {} bytes raw JSON, {out_len} parsed, {n_iocs} IOCs, best of {runs}", raw_len);
    println!("  Portion::new (incl. clone)     {}", rate(N, t_new));
    println!("  parse_portion (15 leaves)      {}", rate(N, t_parse));
    println!("  get_iocs (5 keys)              {}", rate(N, t_iocs));
    println!("  bulk_parse_portion (2 tmpl)    {}", rate(N, t_bulk));
    println!("  to_python_json(parsed)         {}", rate(N, t_json));
    println!("  raw_json (json.dumps chunk)    {}", rate(N, t_raw));
    assert_eq!(out_len, N);
}
