//! `cti-edge-ioc-base`: what the IOC scanner stands on — the IOC types, the TLD table,
//! punycode, the Bitcoin address checks and SHA-256, and two helpers shared with the
//! indicator set. A crate of its own only so that `cti-edge-ioc-scan`, compiled at
//! opt-level 3, can depend on it while it stays at the package's opt-level "z" (see
//! `src/core/ioc/mod.rs`). Reached through `cti_edge::core::ioc`.

pub mod btc;
pub mod punycode;
pub mod sha256;
pub mod tld;
pub mod util;

/// The kinds of indicator the toolkit knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IocKind {
    Ipv4,
    Ipv6,
    Domain,
    Url,
    Email,
    Md5,
    Sha1,
    Sha256,
    Sha512,
    Cve,
    Asn,
    Btc,
}

impl IocKind {
    /// Every kind, in a stable order.
    pub const ALL: [IocKind; 12] = [
        IocKind::Ipv4,
        IocKind::Ipv6,
        IocKind::Domain,
        IocKind::Url,
        IocKind::Email,
        IocKind::Md5,
        IocKind::Sha1,
        IocKind::Sha256,
        IocKind::Sha512,
        IocKind::Cve,
        IocKind::Asn,
        IocKind::Btc,
    ];

    /// Our short name (`ipv4`, `domain`, `sha256`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            IocKind::Ipv4 => "ipv4",
            IocKind::Ipv6 => "ipv6",
            IocKind::Domain => "domain",
            IocKind::Url => "url",
            IocKind::Email => "email",
            IocKind::Md5 => "md5",
            IocKind::Sha1 => "sha1",
            IocKind::Sha256 => "sha256",
            IocKind::Sha512 => "sha512",
            IocKind::Cve => "cve",
            IocKind::Asn => "asn",
            IocKind::Btc => "btc",
        }
    }

    /// Parse our short name (case-insensitive; also accepts a few common aliases).
    pub fn from_name(name: &str) -> Option<IocKind> {
        let n = name.trim().to_ascii_lowercase();
        Some(match n.as_str() {
            "ipv4" | "ip" | "ipv4-addr" => IocKind::Ipv4,
            "ipv6" | "ipv6-addr" => IocKind::Ipv6,
            "domain" | "domain-name" | "hostname" => IocKind::Domain,
            "url" | "uri" => IocKind::Url,
            "email" | "email-addr" => IocKind::Email,
            "md5" => IocKind::Md5,
            "sha1" | "sha-1" => IocKind::Sha1,
            "sha256" | "sha-256" => IocKind::Sha256,
            "sha512" | "sha-512" => IocKind::Sha512,
            "cve" | "vulnerability" => IocKind::Cve,
            "asn" | "autonomous-system" => IocKind::Asn,
            "btc" | "bitcoin" => IocKind::Btc,
            _ => return None,
        })
    }

    /// The Sekoia.io / STIX observable type, or `None` (BTC has no observable type).
    pub fn sekoia_type(self) -> Option<&'static str> {
        match self {
            IocKind::Ipv4 => Some("ipv4-addr"),
            IocKind::Ipv6 => Some("ipv6-addr"),
            IocKind::Domain => Some("domain-name"),
            IocKind::Url => Some("url"),
            IocKind::Email => Some("email-addr"),
            IocKind::Md5 | IocKind::Sha1 | IocKind::Sha256 | IocKind::Sha512 => Some("file"),
            IocKind::Asn => Some("autonomous-system"),
            IocKind::Cve => Some("vulnerability"),
            IocKind::Btc => None,
        }
    }

    /// STIX hash algorithm name for hash kinds (`MD5`, `SHA-1`, `SHA-256`, `SHA-512`).
    pub fn hash_algorithm(self) -> Option<&'static str> {
        match self {
            IocKind::Md5 => Some("MD5"),
            IocKind::Sha1 => Some("SHA-1"),
            IocKind::Sha256 => Some("SHA-256"),
            IocKind::Sha512 => Some("SHA-512"),
            _ => None,
        }
    }

    fn bit(self) -> u16 {
        1u16 << (self as u16)
    }
}

impl core::fmt::Display for IocKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A small set of [`IocKind`]s (bit set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KindSet(u16);

impl KindSet {
    pub const fn empty() -> Self {
        KindSet(0)
    }
    pub const fn all() -> Self {
        KindSet((1 << 12) - 1)
    }
    pub fn of(kinds: &[IocKind]) -> Self {
        let mut s = KindSet(0);
        for k in kinds {
            s.insert(*k);
        }
        s
    }
    pub fn insert(&mut self, k: IocKind) {
        self.0 |= k.bit();
    }
    pub fn remove(&mut self, k: IocKind) {
        self.0 &= !k.bit();
    }
    pub fn contains(self, k: IocKind) -> bool {
        self.0 & k.bit() != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl Default for KindSet {
    fn default() -> Self {
        KindSet::all()
    }
}

/// What to do with dotted names whose last label is both a TLD and a common file
/// extension (`main.py`, `archive.zip`, `notes.md`, `run.sh`, `movie.mov`).
///
/// The list of such TLDs is [`extract::FILE_EXTENSION_TLDS`] (overridable through
/// [`ExtractOptions::file_ext_tlds`]). Defanged names (`archive[.]zip`) are always
/// kept: someone defanged them because they are hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FileExtPolicy {
    /// Treat them as domains like any other.
    Allow,
    /// Reject bare two-label names (`main.py`) that are not defanged and not the host of
    /// a URL or email; keep longer names (`cdn.evil.zip`). The default.
    #[default]
    RejectTwoLabel,
    /// Reject every non-defanged bare name with such a TLD, whatever its length.
    RejectAll,
}

/// Options for [`extract_iocs`].
#[derive(Debug, Clone)]
pub struct ExtractOptions {
    /// Kinds to report (default: all).
    pub kinds: KindSet,
    /// Refang the text before scanning (default: true). With `false`, only IOCs written
    /// plainly are found.
    pub refang: bool,
    /// Drop private, loopback, link-local, multicast, documentation and other reserved
    /// IP addresses (default: false).
    pub exclude_private_ips: bool,
    /// Values that are never reported (compared in canonical form). A domain entry also
    /// suppresses its subdomains and URLs/emails on those hosts.
    pub deny: Vec<String>,
    /// Values always accepted even when a heuristic would reject them (file-extension
    /// policy, code-identifier casing rule). Canonical (lower-case) domain names.
    pub allow: Vec<String>,
    /// Report each (kind, value) once, at its first occurrence (default: false).
    pub dedupe: bool,
    /// File-extension policy (default: [`FileExtPolicy::RejectTwoLabel`]).
    pub file_ext_policy: FileExtPolicy,
    /// Override the list of TLDs treated as file extensions (lower-case, no dot).
    pub file_ext_tlds: Option<Vec<String>>,
    /// Also report IOCs found inside another reported IOC: the host of a URL, the
    /// domain of an email, a hash inside a URL path (default: true; they carry
    /// `nested: true`).
    pub nested: bool,
    /// Require the last label of a domain to be a known TLD (default: true).
    pub validate_tld: bool,
    /// Report domain/IP + path without a scheme (`evil.com/x.php`) as URLs (default: true).
    pub schemeless_urls: bool,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        ExtractOptions {
            kinds: KindSet::all(),
            refang: true,
            exclude_private_ips: false,
            deny: Vec::new(),
            allow: Vec::new(),
            dedupe: false,
            file_ext_policy: FileExtPolicy::default(),
            file_ext_tlds: None,
            nested: true,
            validate_tld: true,
            schemeless_urls: true,
        }
    }
}

/// One indicator found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ioc {
    pub kind: IocKind,
    /// Canonical value (refanged; hashes lower-case, domains lower-case Unicode,
    /// IPv6 in RFC 5952 form, CVE upper-case, ASN as `AS<n>`).
    pub value: String,
    /// The text as written (still defanged), `&text[start..end]`.
    pub raw: String,
    /// Byte offsets into the input text.
    pub start: usize,
    pub end: usize,
    /// UTF-16 code-unit offsets into the input text (for JS callers).
    pub start16: usize,
    pub end16: usize,
    /// The span contained defanging (`[.]`, `hxxp`, `[at]`, ...).
    pub defanged: bool,
    /// Found inside another reported IOC (host of a URL, domain of an email, ...).
    pub nested: bool,
}

impl Ioc {
    /// The value with any Unicode host converted to punycode (`xn--`), for domains,
    /// URLs and emails; `None` if the value is already ASCII or not host-bearing.
    pub fn punycode(&self) -> Option<String> {
        if self.value.is_ascii() {
            return None;
        }
        match self.kind {
            IocKind::Domain => punycode::domain_to_ascii(&self.value),
            IocKind::Email => {
                let at = self.value.rfind('@')?;
                let dom = punycode::domain_to_ascii(self.value.get(at + 1..)?)?;
                Some(format!("{}@{}", self.value.get(..at)?, dom))
            }
            IocKind::Url => punycode::url_to_ascii(&self.value),
            _ => None,
        }
    }
}
