//! Value parsers for CloudFront fields, and percent-decoding.
//!
//! They work on bytes and allocate nothing; `-` and an empty field are `None`.

use crate::error::ErrorKind;
use crate::values::{
    ValueError, days_from_civil, days_in_month, parse_decimal, parse_uint, two_digits,
};

/// Whether a field is null: `-`, or empty.
#[inline]
pub(crate) fn is_null(bytes: &[u8]) -> bool {
    bytes.is_empty() || bytes == b"-"
}

/// An unsigned integer of at most `max` (`000` is 0).
#[inline]
pub(crate) fn parse_unsigned(bytes: &[u8], max: u64) -> Result<Option<u64>, ValueError> {
    if is_null(bytes) {
        return Ok(None);
    }
    parse_uint(bytes, max)
}

/// A decimal number of seconds such as `0.082`: digits with at most one `.`.
pub(crate) fn parse_seconds(bytes: &[u8]) -> Result<Option<f64>, ValueError> {
    if is_null(bytes) {
        return Ok(None);
    }
    parse_decimal(bytes).map(Some)
}

const EPOCH_SHAPE: &str = "expected epoch seconds with up to 3 decimals, like 1684226820.937";

/// Epoch seconds with up to three decimals (`1684226820.937`) as milliseconds, in fixed point.
pub(crate) fn parse_epoch_seconds(bytes: &[u8]) -> Result<Option<i64>, ValueError> {
    if is_null(bytes) {
        return Ok(None);
    }
    let err = (ErrorKind::InvalidTimestamp, EPOCH_SHAPE);
    let (whole, frac) = match memchr::memchr(b'.', bytes) {
        Some(dot) => (&bytes[..dot], &bytes[dot + 1..]),
        None => (bytes, &b""[..]),
    };
    if whole.is_empty() || whole.len() > 12 || frac.len() > 3 {
        return Err(err);
    }
    let mut ms: i64 = 0;
    for &b in whole {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return Err(err);
        }
        ms = ms * 10 + i64::from(d);
    }
    let mut frac_ms: i64 = 0;
    for i in 0..3 {
        let d = match frac.get(i) {
            Some(&b) => b.wrapping_sub(b'0'),
            None => 0,
        };
        if d > 9 {
            return Err(err);
        }
        frac_ms = frac_ms * 10 + i64::from(d);
    }
    Ok(Some(ms * 1000 + frac_ms))
}

/// Epoch milliseconds (`1731620046814`, the `timestamp(ms)` field of standard logging v2).
pub(crate) fn parse_epoch_millis(bytes: &[u8]) -> Result<Option<i64>, ValueError> {
    if is_null(bytes) {
        return Ok(None);
    }
    match parse_uint(bytes, 1 << 50) {
        Ok(v) => Ok(v.map(|v| v as i64)),
        Err(_) => Err((
            ErrorKind::InvalidTimestamp,
            "expected epoch milliseconds, like 1731620046814",
        )),
    }
}

/// A standard log's `date` (`2019-12-04`) and `time` (`21:02:31`), in UTC, as milliseconds
/// since the epoch. Either one null makes the timestamp null.
pub(crate) fn parse_date_time(date: &[u8], time: &[u8]) -> Result<Option<i64>, ValueError> {
    parse_date_time_cached(date, time, &mut DateCache::default())
}

/// The last date [`parse_date_time_cached`] parsed, by its text: the lines of a log mostly
/// share their date, so it is checked and converted to days once per run of lines.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct DateCache {
    /// `None` until a date has been parsed.
    text: Option<[u8; 10]>,
    days: i64,
}

/// [`parse_date_time`], reusing the days of the last date when the text is the same.
#[inline]
pub(crate) fn parse_date_time_cached(
    date: &[u8],
    time: &[u8],
    cache: &mut DateCache,
) -> Result<Option<i64>, ValueError> {
    if is_null(date) || is_null(time) {
        return Ok(None);
    }
    let text = <[u8; 10]>::try_from(date).ok();
    let days = match text {
        Some(_) if text == cache.text => cache.days,
        _ => {
            let days = parse_date(date)?;
            *cache = DateCache { text, days };
            days
        }
    };
    let err_time = (ErrorKind::InvalidTimestamp, "expected a time like 21:02:31");
    let &[h0, h1, b':', mi0, mi1, b':', s0, s1] = time else {
        return Err(err_time);
    };
    let (Some(h), Some(mi), Some(s)) =
        (two_digits(h0, h1), two_digits(mi0, mi1), two_digits(s0, s1))
    else {
        return Err(err_time);
    };
    if h > 23 || mi > 59 || s > 60 {
        return Err(err_time);
    }
    let secs = days * 86_400 + i64::from(h * 3600 + mi * 60 + s);
    Ok(Some(secs * 1000))
}

/// Days since 1970-01-01 of a `2019-12-04` date.
fn parse_date(date: &[u8]) -> Result<i64, ValueError> {
    let err_date = (
        ErrorKind::InvalidTimestamp,
        "expected a date like 2019-12-04",
    );
    let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = date else {
        return Err(err_date);
    };
    let (Some(yh), Some(yl), Some(month), Some(day)) = (
        two_digits(y0, y1),
        two_digits(y2, y3),
        two_digits(m0, m1),
        two_digits(d0, d1),
    ) else {
        return Err(err_date);
    };
    let year = yh * 100 + yl;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(err_date);
    }
    Ok(days_from_civil(i64::from(year), month, day))
}

/// Percent-decodes a CloudFront value once into `out`, also undoing the legacy double-encoded
/// `%2520`, `%2522` and `%255C` (space, `"` and `\`); see [`crate::values::percent_decode`].
pub(crate) fn percent_decode(value: &str, out: &mut Vec<u8>) -> bool {
    crate::values::percent_decode(value.as_bytes(), out, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_seconds_fixed_point() {
        assert_eq!(
            parse_epoch_seconds(b"1684226820.937"),
            Ok(Some(1_684_226_820_937))
        );
        assert_eq!(
            parse_epoch_seconds(b"1607374321.5"),
            Ok(Some(1_607_374_321_500))
        );
        assert_eq!(
            parse_epoch_seconds(b"1607374321"),
            Ok(Some(1_607_374_321_000))
        );
        assert_eq!(parse_epoch_seconds(b"-"), Ok(None));
        // 0.1 + 0.2 style float rounding cannot happen: every millisecond value is exact.
        assert_eq!(parse_epoch_seconds(b"1.001"), Ok(Some(1001)));
        for bad in [&b"1.2345"[..], b"1.2a", b"a.1", b".5", b"1..2", b"1e3"] {
            assert!(parse_epoch_seconds(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn date_time() {
        assert_eq!(
            parse_date_time(b"2019-12-04", b"21:02:31"),
            Ok(Some(1_575_493_351_000))
        );
        assert_eq!(
            parse_date_time(b"2020-02-29", b"00:00:00"),
            Ok(Some(1_582_934_400_000))
        );
        assert!(parse_date_time(b"2019-02-29", b"00:00:00").is_err());
        assert!(parse_date_time(b"2019-12-04", b"24:00:00").is_err());
        assert!(parse_date_time(b"2019/12/04", b"21:02:31").is_err());
        assert_eq!(parse_date_time(b"-", b"21:02:31"), Ok(None));
    }

    #[test]
    fn cached_dates_give_the_same_results() {
        let dates: [&[u8]; 8] = [
            b"2019-12-04",
            b"2019-12-04",
            b"2019-02-29",
            b"2019-02-29",
            b"2020-02-29",
            b"\0\0\0\0\0\0\0\0\0\0",
            b"-",
            b"2019-12-4",
        ];
        let times: [&[u8]; 4] = [b"21:02:31", b"24:00:00", b"-", b"00:00:00"];
        let mut cache = DateCache::default();
        // Every order of the dates (each after each), with every time.
        for a in dates {
            for b in dates {
                for t in times {
                    for date in [a, b] {
                        assert_eq!(
                            parse_date_time_cached(date, t, &mut cache),
                            parse_date_time(date, t),
                            "{:?} {:?}",
                            String::from_utf8_lossy(date),
                            String::from_utf8_lossy(t)
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn seconds_and_integers() {
        assert_eq!(parse_seconds(b"0.082"), Ok(Some(0.082)));
        assert_eq!(parse_seconds(b".5"), Ok(Some(0.5)));
        assert_eq!(parse_seconds(b"7."), Ok(Some(7.0)));
        assert_eq!(parse_seconds(b"3"), Ok(Some(3.0)));
        assert_eq!(parse_seconds(b"-"), Ok(None));
        for bad in [&b"inf"[..], b"NaN", b"1e3", b"-1", b".", b"1.2.3"] {
            assert!(parse_seconds(bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse_unsigned(b"000", 999), Ok(Some(0)));
        assert_eq!(parse_unsigned(b"", 999), Ok(None));
        assert!(parse_unsigned(b"70000", u64::from(u16::MAX)).is_err());
    }

    fn decode(s: &str) -> Option<String> {
        let mut out = Vec::new();
        percent_decode(s, &mut out).then(|| String::from_utf8(out).unwrap())
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(
            decode("Mozilla/5.0%20(X11)").as_deref(),
            Some("Mozilla/5.0 (X11)")
        );
        assert_eq!(
            decode("Mozilla/5.0%2520(X11)").as_deref(),
            Some("Mozilla/5.0 (X11)")
        );
        assert_eq!(decode("a%2522b%255Cc%255cd").as_deref(), Some("a\"b\\c\\d"));
        // Other %25 sequences are decoded once only.
        assert_eq!(
            decode("url=http%253A%252F").as_deref(),
            Some("url=http%3A%2F")
        );
        assert_eq!(decode("caf%C3%A9").as_deref(), Some("café"));
        assert_eq!(decode("no escapes"), None);
        assert_eq!(decode("bad%2"), None);
        assert_eq!(decode("bad%zz"), None);
        assert_eq!(decode("not-utf8%FF"), None);
    }

    #[test]
    fn seconds_equal_the_standard_library_parse() {
        let mut texts: Vec<String> = Vec::new();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let digits = (x % 22) as usize + 1;
            let mut t: String = (0..digits)
                .map(|i| char::from(b'0' + ((x >> (i % 60)) % 10) as u8))
                .collect();
            let dot = (x >> 40) as usize % (digits + 2);
            if dot <= digits {
                t.insert(dot, '.');
            }
            texts.push(t);
        }
        texts.extend(
            [
                "0.000",
                "0.001",
                "9999999.999",
                "123456789012345",
                "0.1234567890123456789",
            ]
            .map(String::from),
        );
        for t in &texts {
            let want: f64 = t.parse().unwrap();
            assert_eq!(parse_seconds(t.as_bytes()), Ok(Some(want)), "{t}");
        }
    }
}
