//! Deterministic generators of realistic AWS logs, for benchmarks and size measurements.
//!
//! Real logs are not repetitive toy data: every S3 record has a fresh random host id (56 random
//! bytes, base64) and request id, every CloudFront record a random 56-character edge request
//! id; keys, client IPs (IPv4 and IPv6), user agents, status codes and sizes vary, and some
//! requests carry long presigned URIs. Times advance with jitter, as in delivered log files.
//! The same seed always gives the same bytes.

#![allow(dead_code)]

use std::fmt::Write as _;

use base64::Engine as _;

#[path = "elb.rs"]
mod elb;

/// xorshift64*: small, fast and deterministic (the benchmarks use it too).
pub struct Rng(pub u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    pub fn chars(&mut self, len: usize, alphabet: &[u8]) -> String {
        (0..len)
            .map(|_| alphabet[self.below(alphabet.len() as u64) as usize] as char)
            .collect()
    }
    pub fn hex(&mut self, len: usize, upper: bool) -> String {
        self.chars(len, if upper { HEX_UPPER } else { HEX })
    }
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

const HEX: &[u8] = b"0123456789abcdef";
const HEX_UPPER: &[u8] = b"0123456789ABCDEF";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
/// English month abbreviations, as in S3 access log times.
pub const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

const USER_AGENTS: [&str; 12] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.39 Mobile Safari/537.36",
    "aws-cli/2.19.1 md/awscrt#0.22.0 ua/2.0 os/linux#6.1.112 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe sid/3b2a exec-env/CloudShell command/s3.cp",
    "aws-sdk-java/2.29.6 Linux/5.10.227-219.884.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.13+11-LTS Java/17.0.13 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
    "Boto3/1.35.54 md/Botocore#1.35.54 ua/2.0 os/linux#5.10.227 md/arch#x86_64 lang/python#3.11.10 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.54",
    "curl/8.11.0",
    "Amazon CloudFront",
    "python-requests/2.32.3",
    "Googlebot/2.1 (+http://www.google.com/bot.html)",
];

const REGIONS: [&str; 6] = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-north-1",
    "ap-southeast-2",
    "sa-east-1",
];

/// A user agent: browsers for three requests in four (the first five entries), tools and
/// bots otherwise.
fn user_agent(rng: &mut Rng) -> &'static str {
    if rng.chance(75) {
        USER_AGENTS[rng.below(5) as usize]
    } else {
        USER_AGENTS[5 + rng.below(USER_AGENTS.len() as u64 - 5) as usize]
    }
}

const CAMPAIGNS: [&str; 8] = [
    "black-friday",
    "newsletter-47",
    "spring-sale",
    "launch",
    "retargeting",
    "brand",
    "webinar-q3",
    "partner-feed",
];

/// A referring page of the site (browsers send one most of the time).
fn referer(rng: &mut Rng) -> String {
    format!(
        "https://www.example.com/{}/{}",
        rng.pick(&["products", "blog", "docs", "search", "account"]),
        rng.below(300)
    )
}

/// A marketing query string.
fn tracking_query(rng: &mut Rng) -> String {
    format!(
        "utm_source={}&utm_medium={}&utm_campaign={}&v={}",
        rng.pick(&["newsletter", "google", "facebook", "partner"]),
        rng.pick(&["email", "cpc", "social", "referral"]),
        rng.pick(&CAMPAIGNS),
        rng.below(20)
    )
}

/// A client IP: mostly from a pool of recurring clients, some fresh; 15% IPv6.
fn client_ip(rng: &mut Rng, pool: &[String]) -> String {
    if rng.chance(70) {
        return pool[rng.below(pool.len() as u64) as usize].clone();
    }
    fresh_ip(rng)
}

fn fresh_ip(rng: &mut Rng) -> String {
    if rng.chance(15) {
        format!(
            "2a02:{:x}:{:x}:{:x}:{:x}:{:x}:{:x}:{:x}",
            rng.below(0xffff),
            rng.below(0xffff),
            rng.below(0xffff),
            rng.below(0xffff),
            rng.below(0xffff),
            rng.below(0xffff),
            rng.below(0xffff)
        )
    } else {
        format!(
            "{}.{}.{}.{}",
            1 + rng.below(223),
            rng.below(256),
            rng.below(256),
            1 + rng.below(254)
        )
    }
}

/// An object of the catalog: key, size in bytes, content type.
#[derive(Clone)]
struct Object {
    key: String,
    size: u64,
    content_type: &'static str,
    /// The version id of a versioned object (one in five).
    version: Option<String>,
}

/// A catalog of objects with random names under a few dozen prefixes; requests pick from it
/// with a skewed popularity (a few objects are requested much more often than most), as on
/// real sites and buckets.
fn catalog(rng: &mut Rng, count: usize) -> Vec<Object> {
    let prefixes: Vec<String> = (0..60)
        .map(|_| {
            format!(
                "{}/{}",
                rng.pick(&["images", "video", "data", "static", "uploads", "exports"]),
                rng.chars(6, ALNUM)
            )
        })
        .collect();
    (0..count)
        .map(|_| {
            let prefix = &prefixes[rng.below(prefixes.len() as u64) as usize];
            let (ext, content_type, max) = *[
                ("jpg", "image/jpeg", 4_000_000),
                ("png", "image/png", 2_000_000),
                ("mp4", "video/mp4", 500_000_000),
                ("json", "application/json", 200_000),
                ("js", "application/javascript", 900_000),
                ("css", "text/css", 200_000),
                ("html", "text/html", 120_000),
                ("parquet", "application/octet-stream", 300_000_000),
                ("gz", "application/gzip", 100_000_000),
            ]
            .get(rng.below(9) as usize)
            .unwrap();
            let key = match rng.below(3) {
                0 => format!("{prefix}/{}.{ext}", rng.chars(12, ALNUM)),
                1 => format!(
                    "{prefix}/{}-{:02}/{}.{ext}",
                    2020 + rng.below(6),
                    1 + rng.below(12),
                    rng.chars(20, ALNUM)
                ),
                _ => format!(
                    "{prefix}/{}.{ext}",
                    rng.pick(&["index", "app", "logo", "main"])
                ),
            };
            Object {
                key,
                size: 100 + rng.below(max),
                content_type,
                version: rng.chance(20).then(|| rng.chars(32, B64URL)),
            }
        })
        .collect()
}

/// A catalog object, skewed towards the first ones.
fn pick_object<'a>(rng: &mut Rng, catalog: &'a [Object]) -> &'a Object {
    let u = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
    let i = (catalog.len() as f64 * u * u * u) as usize;
    &catalog[i.min(catalog.len() - 1)]
}

/// A presigned-URL query string (SigV4): a credential, a date and a random signature.
fn presigned(rng: &mut Rng, region: &str) -> String {
    format!(
        "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA{}%2F2024{:02}{:02}%2F{region}%2Fs3%2Faws4_request&X-Amz-Date=2024{:02}{:02}T{:02}{:02}{:02}Z&X-Amz-Expires={}&X-Amz-SignedHeaders=host&X-Amz-Signature={}",
        rng.chars(16, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
        1 + rng.below(12),
        1 + rng.below(28),
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(24),
        rng.below(60),
        rng.below(60),
        rng.pick(&["300", "900", "3600", "604800"]),
        rng.chars(64, HEX)
    )
}

/// Days since 1970-01-01 → (year, month, day).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Which log to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    S3,
    CloudFrontRealtime,
    CloudFrontStandard,
    /// ALB access logs: 30 fields, one line in five with the 33 of 2025.
    Alb,
    /// NLB access logs (TLS listeners, 22 fields).
    Nlb,
    /// CLB access logs (15 fields).
    Clb,
    /// ALB connection logs (15 fields).
    AlbConnection,
}

/// The real-time field list the generator writes: every field AWS documents up to `asn`
/// (positions 1–46 of the canonical order, without the third-party `s-ip`).
pub const REALTIME_FIELDS: &str = "timestamp,c-ip,time-to-first-byte,sc-status,sc-bytes,cs-method,cs-protocol,cs-host,cs-uri-stem,cs-bytes,x-edge-location,x-edge-request-id,x-host-header,time-taken,cs-protocol-version,c-ip-version,cs-user-agent,cs-referer,cs-cookie,cs-uri-query,x-edge-response-result-type,x-forwarded-for,ssl-protocol,ssl-cipher,x-edge-result-type,fle-encrypted-fields,fle-status,sc-content-type,sc-content-len,sc-range-start,sc-range-end,c-port,x-edge-detailed-result-type,c-country,cs-accept-encoding,cs-accept,cache-behavior-path-pattern,cs-headers,cs-header-names,cs-headers-count,primary-distribution-id,primary-distribution-dns-name,origin-fbl,origin-lbl,asn";

/// The 33 fields of the legacy standard log.
pub const STANDARD_FIELDS: &str = "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end";

/// The parts of a CloudFront request that both log formats record.
struct CfRequest {
    t: i64,
    id: String,
    ip: String,
    https: bool,
    status: &'static str,
    result: &'static str,
    stem: String,
    query: String,
    ua: String,
    ttfb: f64,
    taken: f64,
    size: u64,
    ctype: &'static str,
}

/// A generator of one kind of log.
pub struct Generator {
    kind: Kind,
    rng: Rng,
    /// Current time, milliseconds since the epoch.
    now: i64,
    ips: Vec<String>,
    objects: Vec<Object>,
    owners: Vec<String>,
    /// One CloudFront origin access identity per bucket.
    oai: Vec<String>,
    /// Assumed-role sessions (role and session name).
    sessions: Vec<String>,
    header_written: bool,
    /// The load balancers of the ELB kinds (drawn after the rest, so that the other kinds'
    /// output does not depend on them).
    elb: Option<elb::Elb>,
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '"' => out.push_str("%22"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out
}

impl Generator {
    pub fn new(kind: Kind, seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let ips = (0..400).map(|_| fresh_ip(&mut rng)).collect();
        let objects = catalog(&mut rng, 20_000);
        let owners = (0..3).map(|_| rng.chars(64, HEX)).collect();
        let oai = (0..3)
            .map(|_| {
                format!(
                    "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E{}",
                    rng.chars(13, HEX_UPPER)
                )
            })
            .collect();
        let sessions = (0..40)
            .map(|_| {
                format!(
                    "arn:aws:sts::{:012}:assumed-role/{}/{}",
                    100_000_000_000 + rng.below(5),
                    rng.pick(&["app-role", "etl-job", "lambda-exec"]),
                    rng.chars(19, HEX)
                )
            })
            .collect();
        let elb = matches!(
            kind,
            Kind::Alb | Kind::Nlb | Kind::Clb | Kind::AlbConnection
        )
        .then(|| elb::Elb::new(&mut rng));
        Generator {
            kind,
            rng,
            now: 1_730_000_000_000,
            ips,
            objects,
            owners,
            oai,
            sessions,
            header_written: false,
            elb,
        }
    }

    fn tick(&mut self) -> i64 {
        self.now += self.rng.below(40) as i64;
        // Lines are not strictly in time order.
        self.now - self.rng.below(2000) as i64
    }

    /// Appends one line (with its `\n`) to `out`; a standard log starts with its header.
    pub fn line(&mut self, out: &mut String) {
        match self.kind {
            Kind::S3 => self.s3(out),
            Kind::CloudFrontRealtime => self.realtime(out),
            Kind::CloudFrontStandard => {
                if !self.header_written {
                    self.header_written = true;
                    writeln!(out, "#Version: 1.0\n#Fields: {STANDARD_FIELDS}").unwrap();
                }
                self.standard(out)
            }
            Kind::Alb => self.alb(out),
            Kind::Nlb => self.nlb(out),
            Kind::Clb => self.clb(out),
            Kind::AlbConnection => self.alb_connection(out),
        }
    }

    fn s3(&mut self, out: &mut String) {
        let t = self.tick();
        let rng = &mut self.rng;
        let b = rng.below(3) as usize;
        let owner = &self.owners[b];
        let bucket = ["media-assets-prod", "example-website", "data-exports"][b];
        let region = REGIONS[b];
        let secs = t.div_euclid(1000);
        let (y, mo, d) = civil(secs.div_euclid(86_400));
        let sod = secs.rem_euclid(86_400);
        let ip = client_ip(rng, &self.ips);
        let requester = match rng.below(10) {
            0..=2 => "-".to_string(),
            3 => self.oai[b].clone(),
            4..=6 => owner.clone(),
            // Role sessions last and make many requests: a pool of them.
            _ => self.sessions[rng.below(self.sessions.len() as u64) as usize].clone(),
        };
        let (op, method) = *[
            ("REST.GET.OBJECT", "GET"),
            ("REST.GET.OBJECT", "GET"),
            ("REST.GET.OBJECT", "GET"),
            ("REST.HEAD.OBJECT", "HEAD"),
            ("REST.PUT.OBJECT", "PUT"),
            ("REST.GET.BUCKET", "GET"),
            ("REST.DELETE.OBJECT", "DELETE"),
            ("REST.COPY.OBJECT", "PUT"),
        ]
        .get(rng.below(8) as usize)
        .unwrap();
        let object = pick_object(rng, &self.objects);
        let key = &object.key;
        // Presigned URLs (browser downloads, shared links) for one request in eight; SDK calls
        // authenticate with a header.
        let query = if rng.chance(12) {
            presigned(rng, region)
        } else {
            String::new()
        };
        let status = rng.pick(&[
            "200", "200", "200", "200", "206", "304", "403", "404", "500",
        ]);
        let error = match status {
            "403" => "AccessDenied",
            "404" => "NoSuchKey",
            "500" => "InternalError",
            _ => "-",
        };
        let size = object.size;
        let sent = match status {
            "200" if method == "GET" => size.to_string(),
            "206" => (size.min(1 << 20) >> rng.below(4)).to_string(),
            _ if method == "GET" && status.starts_with('2') => size.to_string(),
            "403" => "243".to_string(),
            "404" => "289".to_string(),
            _ => "-".to_string(),
        };
        let total = 1 + rng.below(50) + size / 1_000_000;
        let turn = total / (1 + rng.below(4));
        let referer = if rng.chance(20) {
            format!("\"{}\"", referer(rng))
        } else {
            "\"-\"".to_string()
        };
        let ua = user_agent(rng);
        let version = object.version.clone().unwrap_or_else(|| "-".to_string());
        let host_id = base64::engine::general_purpose::STANDARD.encode(rng.bytes(56));
        let (sig, auth) = if requester == "-" {
            ("-", "-")
        } else if query.is_empty() {
            ("SigV4", "AuthHeader")
        } else {
            ("SigV4", "QueryString")
        };
        let tls = rng.pick(&["TLSv1.2", "TLSv1.3", "TLSv1.3"]);
        let cipher = if tls == "TLSv1.3" {
            "TLS_AES_128_GCM_SHA256"
        } else {
            "ECDHE-RSA-AES128-GCM-SHA256"
        };
        let acl = if rng.chance(5) { "Yes" } else { "-" };
        writeln!(
            out,
            "{owner} {bucket} [{d:02}/{}/{y}:{:02}:{:02}:{:02} +0000] {ip} {requester} {} {op} {key} \"{method} /{key}{query} HTTP/1.1\" {status} {error} {sent} {size} {total} {turn} {referer} \"{ua}\" {version} {host_id} {sig} {cipher} {auth} {bucket}.s3.{region}.amazonaws.com {tls} - {acl} {}",
            MONTHS[(mo - 1) as usize],
            sod / 3600,
            sod / 60 % 60,
            sod % 60,
            rng.chars(16, HEX_UPPER),
            rng.pick(&REGIONS),
        )
        .unwrap();
    }

    fn edge_request_id(&mut self) -> String {
        let mut id = self.rng.chars(54, B64URL);
        id.push_str("==");
        id
    }

    /// What real-time and standard CloudFront records share, drawn in one fixed order.
    fn cloudfront_request(&mut self) -> CfRequest {
        let t = self.tick();
        let id = self.edge_request_id();
        let rng = &mut self.rng;
        let ip = client_ip(rng, &self.ips);
        let https = rng.chance(90);
        let status = rng.pick(&[
            "200", "200", "200", "200", "206", "304", "403", "404", "000",
        ]);
        let result = match status {
            "200" | "206" => rng.pick(&["Hit", "Hit", "Miss", "RefreshHit"]),
            "304" => "Hit",
            _ => "Error",
        };
        let object = pick_object(rng, &self.objects);
        let stem = format!("/{}", object.key);
        let query = if rng.chance(30) {
            tracking_query(rng)
        } else {
            "-".to_string()
        };
        let ua = encode(user_agent(rng));
        let ttfb = rng.below(800) as f64 / 1000.0;
        let taken = ttfb + rng.below(500) as f64 / 1000.0;
        let size = if status.starts_with('2') {
            object.size.min(50_000_000)
        } else {
            0
        };
        CfRequest {
            t,
            id,
            ip,
            https,
            status,
            result,
            stem,
            query,
            ua,
            ttfb,
            taken,
            size,
            ctype: object.content_type,
        }
    }

    fn realtime(&mut self, out: &mut String) {
        let CfRequest {
            t,
            id,
            ip,
            https,
            status,
            result,
            stem,
            query,
            ua,
            ttfb,
            taken,
            size,
            ctype,
        } = self.cloudfront_request();
        let rng = &mut self.rng;
        let v6 = ip.contains(':');
        let stem_q = if query == "-" {
            stem.clone()
        } else {
            format!("{stem}?{query}")
        };
        let host = rng.pick(&[
            "www.example.com",
            "cdn.example.com",
            "d111111abcdef8.cloudfront.net",
        ]);
        let headers =
            format!("host:{host}%0Auser-agent:{ua}%0Aaccept:*/*%0Aaccept-encoding:gzip,%20br%0A");
        let origin = if result == "Miss" {
            format!("{:.3}\t{:.3}", ttfb * 0.8, taken * 0.9)
        } else {
            "-\t-".to_string()
        };
        writeln!(
            out,
            "{}.{:03}\t{ip}\t{ttfb:.3}\t{status}\t{}\tGET\t{}\t{host}\t{stem_q}\t{}\t{}\t{id}\td111111abcdef8.cloudfront.net\t{taken:.3}\t{}\t{}\t{ua}\t{}\t-\t{query}\t{result}\t-\t{}\t{}\t{result}\t-\t-\t{ctype}\t{size}\t-\t-\t{}\t{result}\t{}\tgzip,%20deflate,%20br\t*/*\t{}\t{headers}\thost%0Auser-agent%0Aaccept%0Aaccept-encoding%0A\t4\t-\t-\t{origin}\t{}",
            t.div_euclid(1000),
            t.rem_euclid(1000),
            size + 300 + rng.below(200),
            if https { "https" } else { "http" },
            200 + rng.below(600),
            rng.pick(&["ARN56-P1", "FRA56-P5", "IAD89-C3", "NRT57-P2", "GRU3-C1", "SYD62-P1"]),
            rng.pick(&["HTTP/2.0", "HTTP/1.1", "HTTP/3.0"]),
            if v6 { "IPv6" } else { "IPv4" },
            if rng.chance(60) { referer(rng) } else { "-".to_string() },
            if https { "TLSv1.3" } else { "-" },
            if https { "TLS_AES_128_GCM_SHA256" } else { "-" },
            1024 + rng.below(64_000),
            rng.pick(&["SE", "US", "DE", "JP", "BR", "IN", "GB"]),
            rng.pick(&["*", "/api/*", "/static/*"]),
            rng.pick(&["16509", "3320", "7922", "13335", "2119"]),
        )
        .unwrap();
    }

    fn standard(&mut self, out: &mut String) {
        let CfRequest {
            t,
            id,
            ip,
            https,
            status,
            result,
            stem,
            query,
            ua,
            ttfb,
            taken,
            size,
            ctype,
        } = self.cloudfront_request();
        let rng = &mut self.rng;
        let secs = t.div_euclid(1000);
        let (y, mo, d) = civil(secs.div_euclid(86_400));
        let sod = secs.rem_euclid(86_400);
        let xff = if rng.chance(4) {
            format!("{},%20{}", fresh_ip(rng), fresh_ip(rng))
        } else {
            "-".to_string()
        };
        writeln!(
            out,
            "{y}-{mo:02}-{d:02}\t{:02}:{:02}:{:02}\t{}\t{}\t{ip}\tGET\td111111abcdef8.cloudfront.net\t{stem}\t{status}\t{}\t{ua}\t{query}\t-\t{result}\t{id}\t{}\t{}\t{}\t{taken:.3}\t{xff}\t{}\t{}\t{result}\t{}\t-\t-\t{}\t{ttfb:.3}\t{result}\t{}\t{size}\t-\t-",
            sod / 3600,
            sod / 60 % 60,
            sod % 60,
            rng.pick(&["ARN56-P1", "FRA56-P5", "IAD89-C3", "NRT57-P2", "GRU3-C1", "SYD62-P1"]),
            size + 300 + rng.below(200),
            if rng.chance(60) { referer(rng) } else { "-".to_string() },
            rng.pick(&["www.example.com", "cdn.example.com"]),
            if https { "https" } else { "http" },
            200 + rng.below(600),
            if https { "TLSv1.3" } else { "-" },
            if https { "TLS_AES_128_GCM_SHA256" } else { "-" },
            rng.pick(&["HTTP/2.0", "HTTP/1.1", "HTTP/3.0"]),
            1024 + rng.below(64_000),
            ctype,
        )
        .unwrap();
    }
}
