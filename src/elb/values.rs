//! Value parsers for Elastic Load Balancing fields, and the decoding of their escapes.
//!
//! They work on bytes and allocate nothing; `-` is `None`.

use crate::error::ErrorKind;
use crate::raw::Span;
use crate::values::{
    ValueError, days_from_civil, days_in_month, hex_digit, is_dash, parse_decimal, parse_uint,
    two_digits,
};

const TIME_SHAPE: ValueError = (
    ErrorKind::InvalidTimestamp,
    "expected an ISO 8601 UTC time like 2018-07-02T22:23:00.186641Z",
);

/// The two digits at `i` of `bytes` as a number.
#[inline(always)]
fn pair(bytes: &[u8], i: usize) -> Result<u32, ValueError> {
    match bytes.get(i..i + 2) {
        Some(&[a, b]) => two_digits(a, b).ok_or(TIME_SHAPE),
        _ => Err(TIME_SHAPE),
    }
}

/// The last date [`parse_time`] read, and its day number: the times of a log share few dates.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DateCache {
    date: [u8; 10],
    days: i64,
}

/// An ISO 8601 UTC time, `2018-07-02T22:23:00.186641Z`, as microseconds since the epoch: up
/// to 6 decimals (none in NLB logs), the `Z` optional (NLB logs have none; their times are
/// UTC too).
pub(crate) fn parse_time(bytes: &[u8], dates: &mut DateCache) -> Result<Option<i64>, ValueError> {
    if is_dash(bytes) {
        return Ok(None);
    }
    let bytes = bytes.strip_suffix(b"Z").unwrap_or(bytes);
    if bytes.len() < 19 || bytes[10] != b'T' || bytes[13] != b':' || bytes[16] != b':' {
        return Err(TIME_SHAPE);
    }
    let d = |i: usize| pair(bytes, i);
    let days = if bytes[..10] == dates.date {
        dates.days
    } else {
        if bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(TIME_SHAPE);
        }
        let year = d(0)? * 100 + d(2)?;
        let (month, day) = (d(5)?, d(8)?);
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err((ErrorKind::InvalidTimestamp, "date or time out of range"));
        }
        let days = days_from_civil(i64::from(year), month, day);
        dates.date.copy_from_slice(&bytes[..10]);
        dates.days = days;
        days
    };
    let (hour, minute, second) = (d(11)?, d(14)?, d(17)?);
    if hour > 23 || minute > 59 || second > 59 {
        return Err((ErrorKind::InvalidTimestamp, "date or time out of range"));
    }
    let mut micros = 0i64;
    match &bytes[19..] {
        [] => {}
        [b'.', fraction @ ..] if (1..=6).contains(&fraction.len()) => {
            for &b in fraction {
                let digit = b.wrapping_sub(b'0');
                if digit > 9 {
                    return Err(TIME_SHAPE);
                }
                micros = micros * 10 + i64::from(digit);
            }
            micros *= 10i64.pow(6 - fraction.len() as u32);
        }
        [b'.', ..] => {
            return Err((
                ErrorKind::InvalidTimestamp,
                "expected 1 to 6 decimals of a second",
            ));
        }
        _ => return Err(TIME_SHAPE),
    }
    let seconds = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    Ok(Some(seconds * 1_000_000 + micros))
}

/// Seconds with decimals (`0.086`, `0.00079`), or `-1` when the load balancer could not
/// dispatch the request (a value, not a null; no other negative value is logged). `-` is
/// `None`.
#[inline]
pub(crate) fn parse_seconds(bytes: &[u8]) -> Result<Option<f64>, ValueError> {
    match bytes {
        b"-" => Ok(None),
        b"-1" => Ok(Some(-1.0)),
        [b'-', ..] => Err((
            ErrorKind::InvalidNumber,
            "expected seconds like 0.082, or -1",
        )),
        _ => parse_decimal(bytes).map(Some),
    }
}

/// An integer of at most `max`, which may be negative (`-1`); `-` is `None`.
pub(crate) fn parse_int(bytes: &[u8], max: i64) -> Result<Option<i64>, ValueError> {
    match bytes {
        [b'-', rest @ ..] if !rest.is_empty() => {
            // The least value is -max - 1, as for two's complement types.
            match parse_uint(rest, max as u64 + 1)? {
                Some(v) => Ok(Some((v as i64).wrapping_neg())),
                None => Err((ErrorKind::InvalidInteger, "expected digits or '-'")),
            }
        }
        _ => Ok(parse_uint(bytes, max as u64)?.map(|v| v as i64)),
    }
}

/// An endpoint `address:port`, split at the last colon (IPv6 addresses are logged without
/// brackets; a bracketed one loses its brackets): the address's span in the line (the field
/// starts at `at`) and the port. `-` is `None`.
pub(crate) fn parse_endpoint(bytes: &[u8], at: u32) -> Result<Option<(Span, i32)>, ValueError> {
    if is_dash(bytes) {
        return Ok(None);
    }
    // A port has at most 5 digits: the colon is among the last 6 bytes, unless the value is
    // not `address:port` at all.
    let tail = bytes.len().saturating_sub(6);
    let colon = match bytes[tail..].iter().rposition(|&b| b == b':') {
        Some(i) => tail + i,
        None => match memchr::memrchr(b':', bytes) {
            Some(colon) => colon,
            None => return Err((ErrorKind::InvalidValue, "expected address:port")),
        },
    };
    let mut ip = &bytes[..colon];
    let mut start = at;
    if let [b'[', inner @ .., b']'] = ip {
        ip = inner;
        start += 1;
    }
    if ip.is_empty() {
        return Err((ErrorKind::InvalidValue, "expected address:port"));
    }
    let port = match parse_uint(&bytes[colon + 1..], u64::from(u16::MAX)) {
        Ok(Some(port)) => port as i32,
        Ok(None) | Err(_) => {
            return Err((
                ErrorKind::InvalidInteger,
                "expected address:port with a port of 0 to 65535",
            ));
        }
    };
    Ok(Some((
        Span {
            start,
            end: start + ip.len() as u32,
        },
        port,
    )))
}

/// The parts of a request line: method, URL and HTTP version, each `None` when missing, empty
/// or `-`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RequestParts {
    pub(crate) method: Option<Span>,
    pub(crate) url: Option<Span>,
    pub(crate) version: Option<Span>,
}

/// Splits the request line `bytes` (the field starts at `at` in the line): the method up to
/// the first space, the version after the last space once trailing spaces are trimmed, the
/// URL in between, spaces included (`GET http://h:80/a b HTTP/1.1`). With two words, the
/// second is the URL. Malformed lines (`- http://h:80- -`, `- - - `) give nulls, not errors.
pub(crate) fn split_request(bytes: &[u8], at: u32) -> RequestParts {
    let mut end = bytes.len();
    while end > 0 && bytes[end - 1] == b' ' {
        end -= 1;
    }
    let line = &bytes[..end];
    let part = |s: usize, e: usize| {
        let v = &line[s..e];
        (!v.is_empty() && v != b"-").then_some(Span {
            start: at + s as u32,
            end: at + e as u32,
        })
    };
    // The method and the version are short: look for their spaces near the ends first.
    let first = super::record::find_space(line, 0);
    if first == end {
        return RequestParts {
            method: part(0, end),
            ..RequestParts::default()
        };
    }
    let tail = end.saturating_sub(16).max(first);
    let last = match line[tail..].iter().rposition(|&b| b == b' ') {
        Some(i) => tail + i,
        None => memchr::memrchr(b' ', &line[first..]).map_or(first, |i| first + i),
    };
    if last == first {
        return RequestParts {
            method: part(0, first),
            url: part(first + 1, end),
            version: None,
        };
    }
    RequestParts {
        method: part(0, first),
        url: part(first + 1, last),
        version: part(last + 1, end),
    }
}

/// Decodes the `\xHH` escapes of an ALB value (`\x22` is `"`, `\xf0\x9f\x98\x80` is 😀) into
/// `out`. Returns `false`, leaving `out` unspecified, when `value` has no escape (nothing to
/// do), a `\` that is not such an escape, or decodes to invalid UTF-8: the caller keeps the
/// value as logged.
pub(crate) fn unescape_hex(value: &[u8], out: &mut Vec<u8>) -> bool {
    if memchr::memchr(b'\\', value).is_none() {
        return false;
    }
    out.clear();
    let mut i = 0;
    while i < value.len() {
        let b = value[i];
        if b != b'\\' {
            out.push(b);
            i += 1;
            continue;
        }
        let Some(&[b'x', h, l]) = value.get(i + 1..i + 4) else {
            return false;
        };
        let (Some(h), Some(l)) = (hex_digit(h), hex_digit(l)) else {
            return false;
        };
        out.push(h * 16 + l);
        i += 4;
    }
    std::str::from_utf8(out).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::percent_decode;

    fn parse_time_fresh(bytes: &[u8]) -> Result<Option<i64>, ValueError> {
        let fresh = parse_time(bytes, &mut DateCache::default());
        // The same through a cache holding the date.
        let mut cache = DateCache::default();
        let _ = parse_time(b"2018-07-02T00:00:00Z", &mut cache);
        let _ = parse_time(bytes.get(..10).map_or(&b""[..], |d| d), &mut cache);
        let mut warm = DateCache::default();
        if bytes.len() >= 19 {
            let mut same_date = bytes[..10].to_vec();
            same_date.extend_from_slice(b"T00:00:00");
            let _ = parse_time(&same_date, &mut warm);
        }
        assert_eq!(parse_time(bytes, &mut warm), fresh, "{bytes:?}");
        fresh
    }

    #[test]
    fn times_keep_microseconds() {
        assert_eq!(
            parse_time_fresh(b"2018-07-02T22:23:00.186641Z"),
            Ok(Some(1_530_570_180_186_641))
        );
        assert_eq!(
            parse_time_fresh(b"2018-07-02T22:22:48.364000Z"),
            Ok(Some(1_530_570_168_364_000))
        );
        assert_eq!(
            parse_time_fresh(b"2018-07-02T22:22:48.364Z"),
            Ok(Some(1_530_570_168_364_000))
        );
        // NLB: whole seconds, no `Z`.
        assert_eq!(
            parse_time_fresh(b"2020-04-01T08:51:42"),
            Ok(Some(1_585_731_102_000_000))
        );
        assert_eq!(parse_time_fresh(b"-"), Ok(None));
        for bad in [
            &b"2018-07-02 22:23:00Z"[..],
            b"2018-13-02T22:23:00Z",
            b"2019-02-29T00:00:00Z",
            b"2018-07-02T22:23:00.1234567Z",
            b"2018-07-02T22:23:00.Z",
            b"2018-07-02T22:23:00+01:00",
            b"2018-07-02T22:23:60Z",
            b"AccessLog",
            b"",
        ] {
            assert!(
                parse_time_fresh(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn seconds_and_integers() {
        assert_eq!(parse_seconds(b"0.086"), Ok(Some(0.086)));
        assert_eq!(parse_seconds(b"0.00079"), Ok(Some(0.00079)));
        assert_eq!(parse_seconds(b"-1"), Ok(Some(-1.0)));
        assert_eq!(parse_seconds(b"-"), Ok(None));
        assert!(parse_seconds(b"1.2.3").is_err());
        assert!(parse_seconds(b"").is_err());
        assert!(parse_seconds(b"--1").is_err());
        assert!(parse_seconds(b"-2").is_err());
        assert!(parse_seconds(b"-0.001").is_err());
        assert_eq!(parse_int(b"-1", 50_000), Ok(Some(-1)));
        assert_eq!(parse_int(b"0", 50_000), Ok(Some(0)));
        assert_eq!(parse_int(b"-", 50_000), Ok(None));
        assert_eq!(
            parse_int(b"-2147483648", i64::from(i32::MAX)),
            Ok(Some(-2_147_483_648))
        );
        assert!(parse_int(b"2147483648", i64::from(i32::MAX)).is_err());
        assert!(parse_int(b"1x", 9).is_err());
        assert!(parse_int(b"--", 9).is_err());
    }

    #[test]
    fn endpoints_split_at_the_last_colon() {
        let ip = |b: &[u8], at| {
            parse_endpoint(b, at)
                .unwrap()
                .map(|(s, p)| (s.start, s.end, p))
        };
        assert_eq!(ip(b"192.0.2.1:2817", 10), Some((10, 19, 2817)));
        assert_eq!(ip(b"2001:db8::1:443", 0), Some((0, 11, 443)));
        assert_eq!(ip(b"[2001:db8::1]:443", 0), Some((1, 12, 443)));
        assert_eq!(ip(b"-", 0), None);
        for bad in [&b"192.0.2.1"[..], b":80", b"192.0.2.1:", b"h:65536", b"h:-"] {
            assert!(parse_endpoint(bad, 0).is_err(), "{bad:?}");
        }
    }

    fn parts(line: &str) -> [Option<&str>; 3] {
        let p = split_request(line.as_bytes(), 0);
        let get = |s: Option<Span>| s.map(|s| &line[s.start as usize..s.end as usize]);
        [get(p.method), get(p.url), get(p.version)]
    }

    #[test]
    fn request_lines_split_leniently() {
        assert_eq!(
            parts("GET http://h:80/ HTTP/1.1"),
            [Some("GET"), Some("http://h:80/"), Some("HTTP/1.1")]
        );
        assert_eq!(
            parts("GET http://h:80/a b;c HTTP/1.1"),
            [Some("GET"), Some("http://h:80/a b;c"), Some("HTTP/1.1")]
        );
        assert_eq!(
            parts("- http://h:80- -"),
            [None, Some("http://h:80-"), None]
        );
        assert_eq!(parts("- - - "), [None, None, None]);
        assert_eq!(parts("- - -"), [None, None, None]);
        assert_eq!(
            parts("- http://h:80-/ "),
            [None, Some("http://h:80-/"), None]
        );
        assert_eq!(parts(""), [None, None, None]);
        assert_eq!(parts("GET"), [Some("GET"), None, None]);
        assert_eq!(parts("   "), [None, None, None]);
    }

    #[test]
    fn escapes_decode_or_stay() {
        let mut out = Vec::new();
        assert!(unescape_hex(br"a\x22b\x5c", &mut out));
        assert_eq!(out, b"a\"b\\");
        assert!(unescape_hex(br"\xf0\x9f\x98\x80", &mut out));
        assert_eq!(out, "😀".as_bytes());
        assert!(unescape_hex(br"\xC3\x88", &mut out));
        assert_eq!(out, "È".as_bytes());
        assert!(!unescape_hex(b"plain", &mut out));
        assert!(!unescape_hex(br"\x2", &mut out));
        assert!(!unescape_hex(br"\n", &mut out));
        assert!(!unescape_hex(br"\xff", &mut out));
        let percent_decode = |v: &[u8], out: &mut Vec<u8>| percent_decode(v, out, false);
        assert!(percent_decode(b"a%2Cb", &mut out));
        assert_eq!(out, b"a,b");
        assert!(!percent_decode(b"a%2", &mut out));
        assert!(!percent_decode(b"abc", &mut out));
        // No legacy double decoding outside CloudFront.
        assert!(percent_decode(b"a%2520b", &mut out));
        assert_eq!(out, b"a%20b");
    }
}
