//! The CloudFront formats in the format registry: names, detection, options, and a standard
//! log's `#Fields:` header read ahead.

use super::decode::CloudFrontRows;
use super::fields::{FieldList, Flavor, REALTIME_FIELDS, STANDARD_FIELDS, column_name};
use crate::contract::{ColumnsConfig, FormatOptions, LogFormat, RowDecoder};
use crate::error::{Error, ErrorKind, Result};
use crate::raw::{HeadLine, head_line};

/// One of the two CloudFront formats.
pub(crate) struct CloudFrontFormat {
    flavor: Flavor,
}

/// The registry's entry for CloudFront real-time logs.
pub(crate) static REALTIME: CloudFrontFormat = CloudFrontFormat {
    flavor: Flavor::Realtime,
};

/// The registry's entry for CloudFront standard logs.
pub(crate) static STANDARD: CloudFrontFormat = CloudFrontFormat {
    flavor: Flavor::Standard,
};

fn all_digits(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit)
}

/// `1684226820.937<tab>`: epoch seconds, optional decimals, a tab.
fn looks_realtime(line: &[u8]) -> bool {
    let Some(tab) = memchr::memchr(b'\t', line) else {
        return false;
    };
    let first = &line[..tab];
    let (whole, frac) = match memchr::memchr(b'.', first) {
        Some(dot) => (&first[..dot], Some(&first[dot + 1..])),
        None => (first, None),
    };
    (9..=12).contains(&whole.len())
        && all_digits(whole)
        && frac.is_none_or(|f| (1..=3).contains(&f.len()) && all_digits(f))
}

/// `2019-12-04<tab>21:02:31<tab>`: a standard log row (without its header).
fn looks_standard_row(line: &[u8]) -> bool {
    line.len() > 20
        && all_digits(&line[0..4])
        && line[4] == b'-'
        && line[7] == b'-'
        && line[10] == b'\t'
        && line[13] == b':'
        && line[16] == b':'
        && line[19] == b'\t'
}

impl LogFormat for CloudFrontFormat {
    fn name(&self) -> &'static str {
        match self.flavor {
            Flavor::Realtime => "cloudfront-realtime",
            Flavor::Standard => "cloudfront-standard",
        }
    }

    fn aliases(&self) -> &'static [&'static str] {
        match self.flavor {
            Flavor::Realtime => &["cloudfront-real-time", "cf-realtime"],
            Flavor::Standard => &["cf-standard", "cloudfront-w3c"],
        }
    }

    fn label(&self) -> &'static str {
        self.flavor.label()
    }

    fn table_name(&self) -> &'static str {
        self.name()
    }

    fn detect(&self, line: &[u8]) -> bool {
        match self.flavor {
            Flavor::Realtime => looks_realtime(line),
            Flavor::Standard => looks_standard_row(line),
        }
    }

    fn detect_comment(&self, line: &[u8]) -> bool {
        self.flavor == Flavor::Standard
            && (line.starts_with(b"#Version:") || line.starts_with(b"#Fields:"))
    }

    fn shape(&self) -> &'static str {
        match self.flavor {
            Flavor::Realtime => {
                "a CloudFront real-time record (epoch seconds like 1684226820.937, then a tab)"
            }
            Flavor::Standard => "a CloudFront standard log header (#Version: / #Fields:)",
        }
    }

    /// A standard log's `#Fields:` lines set the fields of the lines after them.
    fn segmentable(&self) -> bool {
        self.flavor == Flavor::Realtime
    }

    fn takes_fields(&self, fields: &FieldList) -> bool {
        fields.flavor == self.flavor
    }

    fn takes_percent_decoding(&self) -> bool {
        true
    }

    fn header_in_head(&self) -> bool {
        self.flavor == Flavor::Standard
    }

    fn fields_from_head(
        &self,
        head: &[u8],
        complete: bool,
        max_fields: usize,
        skipped: u64,
    ) -> Result<Option<FieldList>> {
        standard_header(head, complete, max_fields, skipped)
    }

    fn check(&self, options: &FormatOptions, max_fields: usize, detected: bool) -> Result<()> {
        let invalid = |msg: String| Err(Error::new(ErrorKind::InvalidArgument).with_detail(msg));
        let flavor = self.flavor;
        if let Some(fields) = &options.fields {
            if fields.flavor != flavor {
                return invalid(format!(
                    "the field list was built for {} logs, not {}",
                    fields.flavor.label(),
                    flavor.label(),
                ));
            }
            if fields.len() > max_fields {
                return invalid(format!(
                    "the field list has {} fields, more than the maximum fields ({})",
                    fields.len(),
                    max_fields
                ));
            }
        } else if flavor == Flavor::Realtime {
            let detail = if detected {
                "the input looks like CloudFront real-time logs, which need the field list of \
                 their log configuration (ReaderBuilder::with_fields with FieldList::realtime; \
                 the converter's --fields)"
            } else {
                "CloudFront real-time logs need the field list of their log configuration \
                 (ReaderBuilder::with_fields with FieldList::realtime; the converter's --fields)"
            };
            return Err(Error::new(ErrorKind::MissingFieldList).with_detail(detail));
        }
        for name in &options.decode {
            let known = REALTIME_FIELDS
                .iter()
                .chain(STANDARD_FIELDS)
                .any(|k| column_name(k.name()) == *name)
                || options
                    .fields
                    .as_ref()
                    .is_some_and(|f| f.aws_names().any(|n| column_name(n) == *name));
            if !known {
                return invalid(format!(
                    "cannot percent-decode {name:?}: not a CloudFront column name (use \
                     snake_case column names such as cs_user_agent)"
                ));
            }
        }
        Ok(())
    }

    fn row_decoder(
        &self,
        options: &FormatOptions,
        config: ColumnsConfig,
    ) -> Result<Box<dyn RowDecoder>> {
        Ok(Box::new(CloudFrontRows::new(
            self.flavor,
            options.fields.clone(),
            options.projection.clone(),
            options.decode.clone(),
            config,
        )?))
    }
}

/// The field list of the last `#Fields:` line before the first data line of `head`. When the
/// head is not complete (it fills the read-ahead buffer), its last, partial line is ignored and
/// a missing `#Fields:` line is an error.
fn standard_header(
    head: &[u8],
    complete: bool,
    max_fields: usize,
    skipped: u64,
) -> Result<Option<FieldList>> {
    let invalid_header = |detail: String| {
        Error::new(ErrorKind::InvalidHeader)
            .with_format(Flavor::Standard.label())
            .with_detail(detail)
    };
    // An incomplete head is the whole read-ahead buffer.
    let read_ahead = head.len();
    let head = if complete {
        head
    } else {
        &head[..head.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)]
    };
    let mut fields = None;
    for (index, line) in head.split(|&b| b == b'\n').enumerate() {
        let number = skipped as usize + index;
        let line = match head_line(number, line) {
            HeadLine::Blank => continue,
            HeadLine::Comment(line) if line.starts_with(b"#Fields:") => line,
            HeadLine::Comment(_) => continue,
            HeadLine::Data(_) if fields.is_none() => {
                return Err(invalid_header(format!(
                    "line {} is a data line, and no #Fields: line comes before it: give the \
                     field list (ReaderBuilder::with_fields with FieldList::standard)",
                    number + 1
                )));
            }
            HeadLine::Data(_) => return Ok(fields),
        };
        let count = line[8..]
            .split(|b| b.is_ascii_whitespace())
            .filter(|s| !s.is_empty())
            .count();
        if count > max_fields {
            return Err(invalid_header(format!(
                "line {}: the #Fields: line names {count} fields, more than the maximum fields \
                     ({max_fields})",
                number + 1
            )));
        }
        let Ok(text) = std::str::from_utf8(line) else {
            return Err(invalid_header(format!(
                "line {}: the #Fields: line is not UTF-8",
                number + 1
            )));
        };
        fields = Some(FieldList::standard(text).map_err(|e| {
            invalid_header(format!(
                "line {}: {}",
                number + 1,
                e.detail().unwrap_or_default()
            ))
        })?);
    }
    if !complete && fields.is_none() {
        return Err(invalid_header(format!(
            "no #Fields: line and no data line in the first {} KiB",
            read_ahead / 1024
        )));
    }
    Ok(fields)
}
