//! Value parsers shared by the formats: integers, decimals, hexadecimal digits, the null token
//! `-`, calendar arithmetic.
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

/// A decimal number such as `0.082` or `12`: ASCII digits with at most one `.`, at least one
/// digit, no sign (`-` is not null here: the caller decides what it means).
pub(crate) fn parse_decimal(bytes: &[u8]) -> Result<f64, ValueError> {
    const NOT_DECIMAL: ValueError = (
        ErrorKind::InvalidNumber,
        "expected a decimal number like 0.082",
    );
    // Where the dot is (`len` when there is none): the digits and decimals follow from it.
    let len = bytes.len();
    let mut dot = len;
    let mut mantissa: u64 = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let digit = b.wrapping_sub(b'0');
        if digit <= 9 {
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(digit));
        } else if b == b'.' && dot == len {
            dot = i;
        } else {
            return Err(NOT_DECIMAL);
        }
    }
    let (digits, decimals) = if dot == len {
        (len, 0)
    } else {
        (len - 1, len - 1 - dot)
    };
    if digits == 0 {
        return Err(NOT_DECIMAL);
    }
    // Up to 15 digits, the mantissa is exact in an f64, and so is 10^decimals: one IEEE
    // division is then correctly rounded, the same value as parsing the text (Clinger's fast
    // path, which the standard library takes too, after more work to get there).
    if digits <= 15 {
        return Ok(mantissa as f64 / POWERS_OF_TEN[decimals]);
    }
    // The bytes are ASCII digits and one dot: valid UTF-8 and a valid float literal.
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .ok_or(NOT_DECIMAL)
}

/// 10^0 to 10^15, each exact in an f64.
const POWERS_OF_TEN: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// The value of a hexadecimal digit (either case).
#[inline]
pub(crate) fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes `value` once into `out`; with `legacy`, also undoing CloudFront's legacy
/// double-encoded `%2520`, `%2522` and `%255C` (space, `"` and `\`). Returns `false`, leaving `out`
/// unspecified, when `value` has no escape (nothing to do), an invalid escape, or decodes to
/// invalid UTF-8: the caller keeps the value as logged.
pub(crate) fn percent_decode(bytes: &[u8], out: &mut Vec<u8>, legacy: bool) -> bool {
    if memchr::memchr(b'%', bytes).is_none() {
        return false;
    }
    out.clear();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b != b'%' {
            out.push(b);
            i += 1;
            continue;
        }
        let (Some(&h), Some(&l)) = (bytes.get(i + 1), bytes.get(i + 2)) else {
            return false;
        };
        let (Some(h), Some(l)) = (hex_digit(h), hex_digit(l)) else {
            return false;
        };
        let decoded = h * 16 + l;
        if legacy
            && decoded == b'%'
            && let Some(&[a, b]) = bytes.get(i + 3..i + 5)
            && let legacy @ Some(_) = match (a, b.to_ascii_uppercase()) {
                (b'2', b'0') => Some(b' '),
                (b'2', b'2') => Some(b'"'),
                (b'5', b'C') => Some(b'\\'),
                _ => None,
            }
        {
            out.extend(legacy);
            i += 5;
            continue;
        }
        out.push(decoded);
        i += 3;
    }
    std::str::from_utf8(out).is_ok()
}

#[inline]
pub(crate) fn two_digits(a: u8, b: u8) -> Option<u32> {
    let (a, b) = (a.wrapping_sub(b'0'), b.wrapping_sub(b'0'));
    (a <= 9 && b <= 9).then(|| u32::from(a) * 10 + u32::from(b))
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
}
