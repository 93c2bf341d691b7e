//! Value parsers for S3 access log fields: bracketed time, integers, `-`, `Yes`.
//!
//! They work on bytes, allocate nothing, and return `None` for the null token `-`.

use crate::error::ErrorKind;

/// A value parser's failure: the kind and a static explanation.
pub(crate) type ValueError = (ErrorKind, &'static str);

/// Whether a field holds the null token `-`.
#[inline]
pub(crate) fn is_dash(bytes: &[u8]) -> bool {
    bytes == b"-"
}

/// The largest value of each signed column type: the columns are signed (engines such as
/// Athena and Spark cannot read unsigned Parquet integers), and a logged value above its
/// column's maximum is out of range.
pub(crate) const I16_MAX: u64 = i16::MAX as u64;
pub(crate) const I32_MAX: u64 = i32::MAX as u64;
pub(crate) const I64_MAX: u64 = i64::MAX as u64;

/// Parses a decimal integer of at most `max`; `-` is `None`.
#[inline]
pub(crate) fn parse_uint(bytes: &[u8], max: u64) -> Result<Option<u64>, ValueError> {
    if is_dash(bytes) {
        return Ok(None);
    }
    const NOT_DIGITS: ValueError = (ErrorKind::InvalidInteger, "expected digits or '-'");
    const OUT_OF_RANGE: ValueError = (ErrorKind::InvalidInteger, "value out of range");
    if bytes.is_empty() {
        return Err(NOT_DIGITS);
    }
    if bytes.len() <= 19 {
        // Nineteen digits cannot overflow a u64 (10^19 - 1 < 2^64), so the range is checked
        // once. The value read so far only grows, so it is over `max` exactly when the
        // digit-by-digit check below would have stopped at "out of range" first.
        let mut value: u64 = 0;
        for &b in bytes {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                return Err(if value > max {
                    OUT_OF_RANGE
                } else {
                    NOT_DIGITS
                });
            }
            value = value * 10 + u64::from(digit);
        }
        return if value > max {
            Err(OUT_OF_RANGE)
        } else {
            Ok(Some(value))
        };
    }
    let mut value: u64 = 0;
    for &b in bytes {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return Err(NOT_DIGITS);
        }
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(digit)))
            .filter(|&v| v <= max)
            .ok_or(OUT_OF_RANGE)?;
    }
    Ok(Some(value))
}

/// Parses the aclRequired field: `Yes` is true and `-` is false (AWS writes nothing else).
#[inline]
pub(crate) fn parse_acl_required(bytes: &[u8]) -> Result<bool, ValueError> {
    if is_dash(bytes) {
        Ok(false)
    } else if bytes.eq_ignore_ascii_case(b"yes") {
        Ok(true)
    } else {
        Err((ErrorKind::InvalidBoolean, "expected 'Yes' or '-'"))
    }
}

const TIME_SHAPE: &str = "expected [dd/Mon/yyyy:HH:MM:SS +hhmm]";

/// Parses the inside of the bracketed time, `06/Feb/2019:00:00:38 +0000`, to milliseconds since
/// the Unix epoch in UTC (the offset is applied). `-` is `None`.
pub(crate) fn parse_time(bytes: &[u8]) -> Result<Option<i64>, ValueError> {
    if is_dash(bytes) {
        return Ok(None);
    }
    let err = (ErrorKind::InvalidTimestamp, TIME_SHAPE);
    let b: &[u8; 26] = bytes.try_into().map_err(|_| err)?;
    if b[2] != b'/' || b[6] != b'/' || b[11] != b':' || b[14] != b':' || b[17] != b':' {
        return Err(err);
    }
    if b[20] != b' ' {
        return Err(err);
    }
    let day = two_digits(b[0], b[1]).ok_or(err)?;
    let month = month_number([b[3], b[4], b[5]]).ok_or(err)?;
    let year = two_digits(b[7], b[8])
        .zip(two_digits(b[9], b[10]))
        .map(|(hi, lo)| hi * 100 + lo)
        .ok_or(err)?;
    let hour = two_digits(b[12], b[13]).ok_or(err)?;
    let minute = two_digits(b[15], b[16]).ok_or(err)?;
    let second = two_digits(b[18], b[19]).ok_or(err)?;
    let sign: i64 = match b[21] {
        b'+' => 1,
        b'-' => -1,
        _ => return Err(err),
    };
    let off_h = two_digits(b[22], b[23]).ok_or(err)?;
    let off_m = two_digits(b[24], b[25]).ok_or(err)?;
    if day == 0 || day > days_in_month(year, month) {
        return Err((ErrorKind::InvalidTimestamp, "day out of range"));
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err((ErrorKind::InvalidTimestamp, "time of day out of range"));
    }
    if off_h > 23 || off_m > 59 {
        return Err((ErrorKind::InvalidTimestamp, "UTC offset out of range"));
    }
    let days = days_from_civil(i64::from(year), month, day);
    let local = days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
    let offset = sign * (i64::from(off_h) * 3600 + i64::from(off_m) * 60);
    Ok(Some((local - offset) * 1000))
}

#[inline]
pub(crate) fn two_digits(a: u8, b: u8) -> Option<u32> {
    let (a, b) = (a.wrapping_sub(b'0'), b.wrapping_sub(b'0'));
    (a <= 9 && b <= 9).then(|| u32::from(a) * 10 + u32::from(b))
}

fn month_number(m: [u8; 3]) -> Option<u32> {
    let m = [
        m[0].to_ascii_lowercase(),
        m[1].to_ascii_lowercase(),
        m[2].to_ascii_lowercase(),
    ];
    let n = match &m {
        b"jan" => 1,
        b"feb" => 2,
        b"mar" => 3,
        b"apr" => 4,
        b"may" => 5,
        b"jun" => 6,
        b"jul" => 7,
        b"aug" => 8,
        b"sep" => 9,
        b"oct" => 10,
        b"nov" => 11,
        b"dec" => 12,
        _ => return None,
    };
    Some(n)
}

fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

pub(crate) fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_utc_and_offsets() {
        assert_eq!(
            parse_time(b"06/Feb/2019:00:00:38 +0000"),
            Ok(Some(1_549_411_238_000))
        );
        // 16:42:07 at -0500 is 21:42:07 UTC.
        assert_eq!(
            parse_time(b"10/Feb/2012:16:42:07 -0500"),
            Ok(Some(1_328_910_127_000))
        );
        // 14:48:42 at +0200 is 12:48:42 UTC.
        assert_eq!(
            parse_time(b"09/Feb/2021:14:48:42 +0200"),
            Ok(Some(1_612_874_922_000))
        );
        assert_eq!(
            parse_time(b"29/Feb/2024:23:59:59 +0530"),
            Ok(Some(1_709_231_399_000))
        );
        assert_eq!(parse_time(b"-"), Ok(None));
    }

    #[test]
    fn time_rejects_bad_shapes() {
        for bad in [
            &b"29/Feb/2023:00:00:00 +0000"[..],
            b"31/Apr/2023:00:00:00 +0000",
            b"01/Foo/2023:00:00:00 +0000",
            b"01/Jan/2023:24:00:00 +0000",
            b"01/Jan/2023:00:00:00 0000",
            b"01/Jan/2023:00:00:00+00000",
            b"1/Jan/2023:00:00:00 +0000",
            b"",
        ] {
            assert_eq!(
                parse_time(bad).unwrap_err().0,
                ErrorKind::InvalidTimestamp,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn days_from_civil_matches_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
    }

    #[test]
    fn integers() {
        assert_eq!(parse_uint(b"-", u64::MAX), Ok(None));
        assert_eq!(parse_uint(b"0", u64::MAX), Ok(Some(0)));
        assert_eq!(
            parse_uint(b"18446744073709551615", u64::MAX),
            Ok(Some(u64::MAX))
        );
        assert!(parse_uint(b"18446744073709551616", u64::MAX).is_err());
        assert!(parse_uint(b"65536", u64::from(u16::MAX)).is_err());
        assert!(parse_uint(b"", u64::MAX).is_err());
        assert!(parse_uint(b"1a", u64::MAX).is_err());
        assert!(parse_uint(b"+1", u64::MAX).is_err());
    }

    /// The digit-by-digit parse with a range check per digit, which `parse_uint` must match
    /// result for result, error detail included.
    fn parse_uint_checked(bytes: &[u8], max: u64) -> Result<Option<u64>, ValueError> {
        if is_dash(bytes) {
            return Ok(None);
        }
        if bytes.is_empty() {
            return Err((ErrorKind::InvalidInteger, "expected digits or '-'"));
        }
        let mut value: u64 = 0;
        for &b in bytes {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                return Err((ErrorKind::InvalidInteger, "expected digits or '-'"));
            }
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(digit)))
                .filter(|&v| v <= max)
                .ok_or((ErrorKind::InvalidInteger, "value out of range"))?;
        }
        Ok(Some(value))
    }

    #[test]
    fn integers_match_a_digit_by_digit_parse() {
        let maxes = [
            0,
            9,
            255,
            u64::from(u16::MAX),
            u64::from(u32::MAX),
            u64::MAX,
        ];
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut text = Vec::new();
        for round in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            text.clear();
            let len = (x % 23) as usize;
            text.extend((0..len).map(|i| b'0' + ((x >> (i % 60)) % 10) as u8));
            // Now and then one non-digit somewhere, or the greatest values and their neighbours.
            if round % 7 == 0 && len > 0 {
                text[(x >> 20) as usize % len] = b"x/:+ "[(x >> 40) as usize % 5];
            }
            if round % 11 == 0 {
                text.clear();
                let near = [
                    u64::MAX,
                    u64::from(u32::MAX) + 1,
                    65_536,
                    10_000_000_000_000_000_000,
                ];
                text.extend_from_slice(near[round / 11 % near.len()].to_string().as_bytes());
            }
            for max in maxes {
                assert_eq!(
                    parse_uint(&text, max),
                    parse_uint_checked(&text, max),
                    "{:?} max {max}",
                    String::from_utf8_lossy(&text)
                );
            }
        }
    }

    #[test]
    fn acl_required() {
        assert_eq!(parse_acl_required(b"Yes"), Ok(true));
        assert_eq!(parse_acl_required(b"-"), Ok(false));
        assert!(parse_acl_required(b"No").is_err());
    }
}
