//! Conformance against the peers' own test cases (`shared/conformance/ioc_cases.json`).
//!
//! Each case is put in a family (by peer, case kind and the convention it encodes);
//! CONFORMANCE.md says which families we hold ourselves to and why the others differ.
//! Held families must pass completely; the others are run and counted only.

use super::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

fn cases_path() -> std::path::PathBuf {
    let shared = std::env::var("CTI_EDGE_SHARED_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    shared.join("conformance/ioc_cases.json")
}

fn our_kind(t: &str) -> Option<IocKind> {
    Some(match t {
        "ipv4" => IocKind::Ipv4,
        "ipv6" => IocKind::Ipv6,
        "domain" => IocKind::Domain,
        "url" => IocKind::Url,
        "email" => IocKind::Email,
        "md5" => IocKind::Md5,
        "sha1" => IocKind::Sha1,
        "sha256" => IocKind::Sha256,
        "sha512" => IocKind::Sha512,
        "cve" => IocKind::Cve,
        "asn" => IocKind::Asn,
        "btc" => IocKind::Btc,
        _ => return None,
    })
}

/// Normalise a value of kind `k` for comparison (both sides).
fn norm(k: IocKind, v: &str) -> String {
    let v = v.trim();
    match k {
        IocKind::Ipv6 => {
            let a = v.trim_start_matches('[').trim_end_matches(']');
            let a = a.split('%').next().unwrap_or(a);
            a.parse::<std::net::Ipv6Addr>()
                .map(|x| x.to_string())
                .unwrap_or_else(|_| a.to_ascii_lowercase())
        }
        IocKind::Asn => v
            .trim_start_matches(|c: char| !c.is_ascii_digit())
            .to_string(),
        IocKind::Url => {
            let r = refang(v);
            let c = extract::canonical_url(&r);
            c.trim_end_matches('/').to_string()
        }
        IocKind::Domain | IocKind::Email => refang(v).to_lowercase(),
        IocKind::Md5 | IocKind::Sha1 | IocKind::Sha256 | IocKind::Sha512 => v.to_ascii_lowercase(),
        IocKind::Cve => v.to_ascii_uppercase(),
        _ => v.to_string(),
    }
}

#[derive(Default)]
struct Tally {
    pass: usize,
    total: usize,
    fails: Vec<String>,
}

/// The family of a case: which convention it tests.
fn family(c: &Value) -> String {
    let peer = c["peer"].as_str().unwrap_or("?");
    let kind = c["kind"].as_str().unwrap_or("?");
    let input = c["input_text"].as_str().unwrap_or("");
    let tags: Vec<&str> = c["tags"]
        .as_array()
        .map(|a| a.iter().filter_map(|t| t.as_str()).collect())
        .unwrap_or_default();
    let opts = &c["peer_options"];
    let expected = c["expected"].as_object();
    let types: BTreeSet<String> = expected
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let supported = types
        .iter()
        .all(|t| our_kind(t).is_some() || t == "refanged_text" || t == "punycode");
    let any_supported = types.iter().any(|t| our_kind(t).is_some());
    let has_tag = |p: &str| tags.iter().any(|t| t.starts_with(p));
    if kind == "extract_encoded" {
        return format!("{peer}/encoded-urls");
    }
    if c.get("dubious").is_some_and(|d| !d.is_null()) {
        return format!("{peer}/{kind}/dubious-expectation");
    }
    if c["installed_peer_agrees"].as_bool() == Some(false) {
        return format!("{peer}/{kind}/installed-peer-disagrees");
    }
    if has_tag("idn_") {
        return format!("{peer}/{kind}/idn-unsupported-by-peer");
    }
    if !any_supported && !types.contains("refanged_text") && !types.contains("punycode") {
        return format!("{peer}/{kind}/unsupported-type");
    }
    if let Some(o) = opts.as_object() {
        for k in o.keys() {
            if k.starts_with("parse_") || k == "strict" {
                return format!("{peer}/option:{k}");
            }
        }
    }
    if kind == "refang" {
        let f = opts["function"].as_str().unwrap_or("refang");
        return format!("{peer}/refang/{f}");
    }
    if kind == "validate" || kind == "punycode" {
        return format!("{peer}/{kind}");
    }
    let all_vals: Vec<String> = expected
        .map(|m| {
            m.values()
                .filter_map(|v| v.as_array())
                .flatten()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    // a value whose host has no real TLD (`example.com.tld`, `example.nope`)
    let fake_tld = expected.is_some_and(|m| {
        ["domain", "email"].iter().any(|t| {
            m.get(*t)
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str())
                .any(|v| {
                    // refang, then drop leftover defang clutter (`com [.tld`)
                    let r: String = refang(v)
                        .chars()
                        .filter(|c| !" \t[](){}".contains(*c))
                        .collect();
                    let host = r.rsplit('@').next().unwrap_or("");
                    let tld = host.rsplit('.').next().unwrap_or("");
                    host.contains('.')
                        && !tld.is_empty()
                        && tld.is_ascii()
                        && tld.bytes().all(|b| b.is_ascii_alphabetic())
                        && !tld::is_tld(tld)
                })
        })
    });
    if fake_tld {
        return format!("{peer}/{kind}/host-without-real-tld");
    }
    // placeholder hashes (`aaaa…`): one repeated character
    if all_vals
        .iter()
        .any(|v| v.len() >= 32 && v.bytes().all(|b| b == v.as_bytes()[0]))
    {
        return format!("{peer}/{kind}/placeholder-hash");
    }
    // dotted quads with leading zeros (`01.1.1.1`): octal in inet_aton, ambiguous
    if types.contains("ipv4")
        && input
            .split(|c: char| !c.is_ascii_digit() && c != '.')
            .any(|w| {
                let parts: Vec<&str> = w.split('.').collect();
                parts.len() == 4 && parts.iter().any(|p| p.len() > 1 && p.starts_with('0'))
            })
    {
        return format!("{peer}/{kind}/ipv4-leading-zero");
    }
    if peer == "iocextract"
        && expected.is_some_and(|m| {
            m.values()
                .all(|v| v.as_array().is_some_and(|a| a.is_empty()))
        })
    {
        let f = opts["function"].as_str().unwrap_or("extract");
        return format!("{peer}/{kind}/{f}/negative");
    }
    // extraction conventions
    if has_tag("schemeless_input_reported_as_url") {
        return format!("{peer}/{kind}/bare-host-as-url");
    }
    if has_tag("embedded_in_word") {
        return format!("{peer}/{kind}/ioc-glued-inside-word");
    }
    if has_tag("regex_level") {
        return format!("{peer}/{kind}/regex-level");
    }
    let expected_vals: Vec<String> = expected
        .map(|m| {
            m.values()
                .filter_map(|v| v.as_array())
                .flatten()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    if peer == "iocextract" && (kind == "extract_raw" || kind == "extract") {
        let f = opts["function"].as_str().unwrap_or("");
        if f == "extract_urls" {
            let v = expected_vals.first().cloned().unwrap_or_default();
            let r = refang(&v);
            let after = r
                .split_once("://")
                .map(|x| x.1)
                .or_else(|| r.split_once("__").map(|x| x.1))
                .unwrap_or(&r);
            let host: String = after
                .chars()
                .take_while(|c| !matches!(c, '/' | '?' | '#'))
                .collect();
            if v.contains("__") && !v.contains("://") {
                return format!("{peer}/{kind}/url-scheme-written-as-__");
            }
            if host.contains(' ') || r.contains(":// ") {
                return format!("{peer}/{kind}/url-with-spaces-inside");
            }
            if v.contains(":\\\\") || v.contains(":\\") {
                return format!("{peer}/{kind}/url-backslash-scheme");
            }
            if host.starts_with('[')
                && host
                    .trim_start_matches('[')
                    .split(']')
                    .next()
                    .is_some_and(|x| x.parse::<std::net::Ipv6Addr>().is_err())
            {
                return format!("{peer}/{kind}/url-bracketed-host-not-ipv6");
            }
            let h = host.split(':').next().unwrap_or("");
            if classify(h).is_none() && !h.contains('[') {
                return format!("{peer}/{kind}/url-host-not-a-valid-domain-or-ip");
            }
            return format!("{peer}/{kind}/url");
        }
        if f == "extract_emails" && (input.contains(" @") || input.contains("@ ")) {
            return format!("{peer}/{kind}/email-spaces-around-at");
        }
        if f == "extract_emails" {
            if input.contains(" AT ")
                || input.contains(" DOT ")
                || input.contains("/AT/")
                || input.contains(" at ")
                || input.contains("/DOT/")
                || input.to_lowercase().contains(" dot ")
            {
                return format!("{peer}/{kind}/email-bare-word-defang");
            }
            return format!("{peer}/{kind}/email");
        }
        if !f.is_empty() {
            return format!("{peer}/{kind}/{f}");
        }
    }
    if types.iter().any(|t| t.contains("xmpp")) {
        return format!("{peer}/{kind}/xmpp-address-vs-email");
    }
    if types.iter().any(|t| t.contains("file_paths")) {
        return format!("{peer}/{kind}/file-path-basename-as-domain");
    }
    if types.iter().any(|t| t.contains("urls_complete")) {
        return format!("{peer}/{kind}/complete-url-convention");
    }
    if opts["included_ioc_types"].is_array() {
        // modelled with ExtractOptions::kinds
        return format!("{peer}/option:included_ioc_types");
    }
    if !supported {
        return format!("{peer}/{kind}/mixed-with-unsupported-types");
    }
    format!(
        "{peer}/{kind}/{}",
        c["source"]["test"]
            .as_str()
            .unwrap_or("?")
            .split([' ', '#'])
            .next()
            .unwrap_or("?")
    )
}

/// Families we hold ourselves to (must pass completely). See CONFORMANCE.md.
const HELD: &[&str] = &[
    "ioc-extractor/extract/extractDomain",
    "ioc-extractor/extract/extractEmail",
    "ioc-extractor/extract/extractIOC",
    "ioc-extractor/extract/extractIPv4",
    "ioc-extractor/extract/extractURL",
    "ioc-extractor/extract/extractasn",
    "ioc-extractor/extract/extractbtc",
    "ioc-extractor/extract/extractcve",
    "ioc-extractor/extract/extractdomain",
    "ioc-extractor/extract/extractemail",
    "ioc-extractor/extract/extractipv4",
    "ioc-extractor/extract/extractipv6",
    "ioc-extractor/extract/extractmd5",
    "ioc-extractor/extract/extractsha1",
    "ioc-extractor/extract/extractsha256",
    "ioc-extractor/extract/extractsha512",
    "ioc-extractor/extract/extracturl",
    "ioc-extractor/punycode",
    "ioc-extractor/refang/refang",
    "ioc-extractor/validate",
    "ioc-finder/extract/asn_1",
    "ioc-finder/extract/asn_2",
    "ioc-finder/extract/asn_3",
    "ioc-finder/extract/asn_4",
    "ioc-finder/extract/asn_5",
    "ioc-finder/extract/asn_6",
    "ioc-finder/extract/asn_7",
    "ioc-finder/extract/asn_8",
    "ioc-finder/extract/domain_1",
    "ioc-finder/extract/ipv4_1",
    "ioc-finder/extract/test_bitcoin_parsing",
    "ioc-finder/extract/test_cidr_ranges_not_found_as_urls",
    "ioc-finder/extract/test_deduplication_of_indicators_with_different_cases",
    "ioc-finder/extract/test_domain_name_with_underscore",
    "ioc-finder/extract/test_domain_parsing",
    "ioc-finder/extract/test_email_address_parsing",
    "ioc-finder/extract/test_erroneous_ip_address_parsing",
    "ioc-finder/extract/test_ioc_deduplication",
    "ioc-finder/extract/test_ip_address_systematically",
    "ioc-finder/extract/test_ipv4_parsing",
    "ioc-finder/extract/test_ipv6_duplicate_span_dedup",
    "ioc-finder/extract/test_ipv6_invalid_shapes_rejected",
    "ioc-finder/extract/test_ipv6_parsing",
    "ioc-finder/extract/test_issue_104__encoded_url_properly_parsed",
    "ioc-finder/extract/test_onion_parsing",
    "ioc-finder/extract/test_parse_domain_from_url_not_removing_entire_url",
    "ioc-finder/extract/test_schemeless_url_parsing",
    "ioc-finder/extract/test_url_boundaries",
    "ioc-finder/extract/test_url_domain_name_parsing",
    "ioc-finder/extract/test_url_parsing",
    "ioc-finder/extract/test_url_with_underscore_in_subdomain",
    "iocextract/extract/email",
    "iocextract/extract/extract_ipv4s",
    "iocextract/extract/extract_ipv4s/negative",
    "iocextract/extract/extract_ipv6s",
    "iocextract/extract/extract_md5_hashes",
    "iocextract/extract/extract_md5_hashes/negative",
    "iocextract/extract/extract_sha1_hashes",
    "iocextract/extract/extract_sha1_hashes/negative",
    "iocextract/extract/extract_sha256_hashes",
    "iocextract/extract/extract_sha256_hashes/negative",
    "iocextract/extract/extract_sha512_hashes",
    "iocextract/extract/url",
    "iocextract/extract/url-host-not-a-valid-domain-or-ip",
    "iocextract/extract_raw/extract_ipv4s",
    "iocextract/extract_raw/url-backslash-scheme",
    "iocextract/extract_raw/url-host-not-a-valid-domain-or-ip",
    "iocextract/refang/refang_ipv4",
    "iocextract/extract_raw/url",
    "iocextract/extract/extract_hashes",
    "ioc-finder/extract/mixed-with-unsupported-types",
    "ioc-finder/extract/unsupported-type",
    "ioc-finder/extract/test_simple_email_address_parsing",
    "ioc-finder/extract/domain-percent_encoding_not_unquoted_if_not_in_url_2",
    "ioc-finder/extract/test_included_ioc_types_none_uses_defaults",
    "ioc-finder/extract/test_address_domain_url",
    "ioc-finder/extract/bitcoin_address_1",
];

fn run_case(c: &Value) -> Result<(), String> {
    let kind = c["kind"].as_str().unwrap_or("");
    let input = c["input_text"].as_str().unwrap_or("");
    let expected = c["expected"].as_object().cloned().unwrap_or_default();
    let opts = &c["peer_options"];
    let mut eo = ExtractOptions::default();
    if opts["refang"].as_bool() == Some(false) {
        eo.refang = false;
    }
    if let Some(list) = opts["included_ioc_types"].as_array() {
        let mut ks = KindSet::empty();
        for t in list.iter().filter_map(|t| t.as_str()) {
            let k = match t {
                "asns" => IocKind::Asn,
                "bitcoin_addresses" => IocKind::Btc,
                "cves" => IocKind::Cve,
                "domains" => IocKind::Domain,
                "email_addresses" => IocKind::Email,
                "ipv4s" => IocKind::Ipv4,
                "ipv6s" => IocKind::Ipv6,
                "md5s" => IocKind::Md5,
                "sha1s" => IocKind::Sha1,
                "sha256s" => IocKind::Sha256,
                "sha512s" => IocKind::Sha512,
                "urls" => IocKind::Url,
                _ => continue,
            };
            ks.insert(k);
        }
        eo.kinds = ks;
    }
    match kind {
        "refang" => {
            let want = expected["refanged_text"][0].as_str().unwrap_or("");
            let got = refang(input);
            return if got == want {
                Ok(())
            } else {
                Err(format!("refang {input:?}: got {got:?} want {want:?}"))
            };
        }
        "punycode" => {
            let want = expected["punycode"][0].as_str().unwrap_or("");
            let got = punycode::domain_to_ascii(input).unwrap_or_default();
            return if got == want {
                Ok(())
            } else {
                Err(format!("punycode got {got:?}"))
            };
        }
        "validate" => {
            for (t, vals) in &expected {
                let Some(k) = our_kind(t) else { continue };
                let got = classify(input);
                let ok = if vals.as_array().is_some_and(|a| a.is_empty()) {
                    got.as_ref().is_none_or(|g| g.kind != k)
                } else {
                    got.as_ref().is_some_and(|g| g.kind == k)
                };
                if !ok {
                    return Err(format!("validate {input:?} as {t}: got {got:?}"));
                }
            }
            return Ok(());
        }
        _ => {}
    }
    let found = extract_iocs(input, &eo);
    let mut ours: BTreeMap<IocKind, BTreeSet<String>> = BTreeMap::new();
    let mut raws: BTreeMap<IocKind, BTreeSet<String>> = BTreeMap::new();
    for i in &found {
        ours.entry(i.kind)
            .or_default()
            .insert(norm(i.kind, &i.value));
        raws.entry(i.kind).or_default().insert(i.raw.clone());
    }
    let mode = c["match"].as_str().unwrap_or("contains");
    let mut listed = BTreeSet::new();
    for (t, vals) in &expected {
        let Some(k) = our_kind(t) else { continue };
        listed.insert(k);
        let want: BTreeSet<String> = vals
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str())
                    .map(|v| {
                        if kind == "extract_raw" {
                            v.to_string()
                        } else {
                            norm(k, v)
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let empty = BTreeSet::new();
        let got = if kind == "extract_raw" {
            raws.get(&k).unwrap_or(&empty)
        } else {
            ours.get(&k).unwrap_or(&empty)
        };
        let ok = match mode {
            "exact" => &want == got,
            _ => want.is_subset(got),
        };
        if !ok {
            return Err(format!("{t}: want {want:?} got {got:?}"));
        }
    }
    if c["exhaustive"].as_bool() == Some(true) {
        for (k, v) in &ours {
            if !listed.contains(k) && !v.is_empty() {
                return Err(format!("unexpected {k:?}: {v:?}"));
            }
        }
    }
    if let Some(abs) = c["expected_absent"].as_object() {
        for (t, vals) in abs {
            let Some(k) = our_kind(t) else { continue };
            for v in vals
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str())
            {
                if ours.get(&k).is_some_and(|s| s.contains(&norm(k, v))) {
                    return Err(format!("absent {t} {v:?} was reported"));
                }
            }
        }
    } else if let Some(abs) = c["expected_absent"].as_array() {
        for v in abs.iter().filter_map(|v| v.as_str()) {
            if found
                .iter()
                .any(|i| i.value.eq_ignore_ascii_case(v) || i.raw == v)
            {
                return Err(format!("absent {v:?} was reported"));
            }
        }
    }
    Ok(())
}

#[test]
fn peer_conformance() {
    let path = cases_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}); set CTI_EDGE_SHARED_DIR to the shared dir",
            path.display()
        )
    });
    let doc: Value = serde_json::from_str(&text).expect("ioc_cases.json parses");
    let cases = doc["cases"].as_array().expect("cases array");
    let mut fams: BTreeMap<String, Tally> = BTreeMap::new();
    for c in cases {
        let f = family(c);
        let t = fams.entry(f).or_default();
        t.total += 1;
        match run_case(c) {
            Ok(()) => t.pass += 1,
            Err(e) => t.fails.push(format!(
                "{} | {:?} | {e}",
                c["id"].as_str().unwrap_or("?"),
                c["input_text"]
                    .as_str()
                    .unwrap_or("")
                    .chars()
                    .take(160)
                    .collect::<String>()
            )),
        }
    }
    let mut bad = Vec::new();
    let dump = std::env::var("IOC_CONFORMANCE_DUMP").ok();
    let mut dump_text = String::new();
    for (f, t) in &fams {
        let held = HELD.contains(&f.as_str());
        eprintln!(
            "{:<70} {:>5}/{:<5} {}",
            f,
            t.pass,
            t.total,
            if held { "HELD" } else { "not held" }
        );
        for x in &t.fails {
            dump_text.push_str(&format!("{f} :: {x}\n"));
        }
        if held && t.pass != t.total {
            bad.push(format!(
                "{f}: {}/{}\n  {}",
                t.pass,
                t.total,
                t.fails
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n  ")
            ));
        }
    }
    if let Some(p) = dump {
        let _ = std::fs::write(p, dump_text);
    }
    for h in HELD {
        assert!(fams.contains_key(*h), "held family {h} has no cases");
    }
    assert!(bad.is_empty(), "held families failing:\n{}", bad.join("\n"));
}
