//! Value parsers for S3 access log fields: the bracketed time and `Yes` (integers and `-`:
//! [`crate::values`]).
//!
//! They work on bytes, allocate nothing, and return `None` for the null token `-`.

use crate::error::ErrorKind;
use crate::values::{ValueError, days_from_civil, days_in_month, is_dash, two_digits};

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
    fn acl_required() {
        assert_eq!(parse_acl_required(b"Yes"), Ok(true));
        assert_eq!(parse_acl_required(b"-"), Ok(false));
        assert!(parse_acl_required(b"No").is_err());
    }
}
