//! The Elastic Load Balancing formats in the format registry: names, detection, options.

use arrow::datatypes::SchemaRef;

use super::decode::ElbRows;
use super::fields::Flavor;
use crate::columns::ColumnType;
use crate::contract::{ColumnsConfig, FormatOptions, LogFormat, RowDecoder};
use crate::error::{Error, ErrorKind, Result};

/// One of the four ELB formats.
pub(crate) struct ElbFormat {
    flavor: Flavor,
}

/// The registry's entry for ALB access logs.
pub(crate) static ALB: ElbFormat = ElbFormat {
    flavor: Flavor::Alb,
};
/// The registry's entry for NLB access logs.
pub(crate) static NLB: ElbFormat = ElbFormat {
    flavor: Flavor::Nlb,
};
/// The registry's entry for CLB access logs.
pub(crate) static CLB: ElbFormat = ElbFormat {
    flavor: Flavor::Clb,
};
/// The registry's entry for ALB connection logs.
pub(crate) static ALB_CONNECTION: ElbFormat = ElbFormat {
    flavor: Flavor::AlbConnection,
};

fn digits(b: &[u8]) -> bool {
    !b.is_empty() && b.iter().all(u8::is_ascii_digit)
}

/// `2018-07-02T22:23:00`, the start of an ISO 8601 time.
fn iso_time(b: &[u8]) -> bool {
    b.len() >= 19
        && digits(&b[0..4])
        && b[4] == b'-'
        && digits(&b[5..7])
        && b[7] == b'-'
        && digits(&b[8..10])
        && b[10] == b'T'
        && digits(&b[11..13])
        && b[13] == b':'
        && digits(&b[14..16])
        && b[16] == b':'
        && digits(&b[17..19])
}

/// An IP address: hexadecimal digits, dots and colons, with a dot or a colon.
fn ip(b: &[u8]) -> bool {
    !b.is_empty()
        && b.iter()
            .all(|c| c.is_ascii_hexdigit() || *c == b'.' || *c == b':')
        && b.iter().any(|c| *c == b'.' || *c == b':')
}

/// `address:port`.
fn endpoint(b: &[u8]) -> bool {
    memchr::memrchr(b':', b).is_some_and(|c| ip(&b[..c]) && digits(&b[c + 1..]))
}

/// Whether the first data line of an input is a line of `flavor`. The shapes exclude each
/// other and the other formats' (S3 lines start `owner bucket [`, CloudFront lines hold tabs):
/// * ALB: a lowercase type (`http`, `https`, `h2`, `grpcs`, `ws`, `wss`; AWS says to expect
///   others) then a time;
/// * NLB: `tls`, a version such as `2.0`, a time;
/// * CLB: a time, a load balancer name (no colon), `client:port`;
/// * connection log: a time, a client address, its port, the listener port.
fn looks_like(flavor: Flavor, line: &[u8]) -> bool {
    if memchr::memchr(b'\t', line).is_some() {
        return false;
    }
    let mut words = line.split(|&b| b == b' ');
    let mut next = || words.next().unwrap_or_default();
    let (a, b, c) = (next(), next(), next());
    match flavor {
        Flavor::Alb => {
            (1..=8).contains(&a.len())
                && a.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                && a != b"tls"
                && iso_time(b)
                && b.ends_with(b"Z")
        }
        Flavor::Nlb => {
            a == b"tls"
                && b.len() >= 3
                && b.iter().all(|c| c.is_ascii_digit() || *c == b'.')
                && iso_time(c)
        }
        Flavor::Clb => {
            iso_time(a) && !b.is_empty() && !b.contains(&b':') && !b.contains(&b'"') && endpoint(c)
        }
        Flavor::AlbConnection => iso_time(a) && ip(b) && digits(c) && digits(next()),
    }
}

impl LogFormat for ElbFormat {
    fn name(&self) -> &'static str {
        match self.flavor {
            Flavor::Alb => "alb",
            Flavor::Nlb => "nlb",
            Flavor::Clb => "clb",
            Flavor::AlbConnection => "alb-connection",
        }
    }

    fn aliases(&self) -> &'static [&'static str] {
        match self.flavor {
            Flavor::Alb => &["alb-access", "application-load-balancer"],
            Flavor::Nlb => &["nlb-access", "network-load-balancer"],
            Flavor::Clb => &["clb-access", "classic-load-balancer"],
            Flavor::AlbConnection => &["alb-conn", "alb-connection-log"],
        }
    }

    fn label(&self) -> &'static str {
        self.flavor.label()
    }

    fn table_name(&self) -> &'static str {
        match self.flavor {
            Flavor::Alb => "alb-access",
            Flavor::Nlb => "nlb-access",
            Flavor::Clb => "clb-access",
            Flavor::AlbConnection => "alb-connection",
        }
    }

    fn schema(&self) -> Option<SchemaRef> {
        Some(self.flavor.schema())
    }

    fn detect(&self, line: &[u8]) -> bool {
        looks_like(self.flavor, line)
    }

    fn shape(&self) -> &'static str {
        match self.flavor {
            Flavor::Alb => "an ALB access log line (https 2018-07-02T22:23:00.186641Z app/...)",
            Flavor::Nlb => "an NLB access log line (tls 2.0 2020-04-01T08:51:42 net/...)",
            Flavor::Clb => {
                "a CLB access log line (2015-05-13T23:39:43.945958Z my-lb 192.0.2.1:2817 ...)"
            }
            Flavor::AlbConnection => {
                "an ALB connection log line (2023-10-04T17:05:15.514108Z 192.0.2.1 36280 443 ...)"
            }
        }
    }

    fn takes_percent_decoding(&self) -> bool {
        true
    }

    fn check(&self, options: &FormatOptions, max_fields: usize, _detected: bool) -> Result<()> {
        let invalid =
            |detail: String| Err(Error::new(ErrorKind::InvalidArgument).with_detail(detail));
        let min = self.flavor.min_fields();
        if max_fields < min {
            return invalid(format!(
                "maximum fields must be at least {min} (the fields every {} line has)",
                self.flavor.label()
            ));
        }
        if options.fields.is_some() {
            return invalid(format!(
                "field lists apply to CloudFront logs, not to {}s",
                self.flavor.label()
            ));
        }
        let schema = self.flavor.schema();
        for name in &options.decode {
            match schema.index_of(name) {
                Ok(i) if self.flavor.columns()[i].ty == ColumnType::Utf8 => {}
                Ok(_) => {
                    return invalid(format!(
                        "cannot decode column {name:?}: it is not a text column"
                    ));
                }
                Err(_) => {
                    return invalid(format!(
                        "cannot decode {name:?}: not a column of {}s",
                        self.flavor.label()
                    ));
                }
            }
        }
        crate::columns::project(&schema, options.projection.as_deref()).map(|_| ())
    }

    fn row_decoder(
        &self,
        options: &FormatOptions,
        config: ColumnsConfig,
    ) -> Result<Box<dyn RowDecoder>> {
        let full = self.flavor.schema();
        let (indices, schema) = crate::columns::project(&full, options.projection.as_deref())?;
        let schema = if config.views {
            crate::views::view_schema(&schema)
        } else {
            schema
        };
        let decode: Vec<bool> = indices
            .iter()
            .map(|&i| options.decode.iter().any(|n| n == full.field(i).name()))
            .collect();
        Ok(Box::new(ElbRows::new(
            self.flavor,
            &indices,
            &decode,
            schema,
            config,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINES: [(Flavor, &str); 4] = [
        (
            Flavor::Alb,
            r#"https 2018-07-02T22:23:00.186641Z app/my-lb/50dc6c495c0c9188 192.0.2.1:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 "GET https://example.com:443/ HTTP/1.1" "curl/7.46.0" - - - "Root=1-58337281-1d84f3d73c47ec4e58577259" "-" "-" 1 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-""#,
        ),
        (
            Flavor::Nlb,
            r#"tls 2.0 2020-04-01T08:51:42 net/my-nlb/c6e77e28c25b2234 g3d4b5e8bb8464cd 192.0.2.1:51341 198.51.100.185:443 5 2 98 246 - - - ECDHE-RSA-AES128-SHA tlsv12 - nlb.example.com h2 h2 "h2","http/1.1" 2020-04-01T08:51:20"#,
        ),
        (
            Flavor::Clb,
            r#"2015-05-13T23:39:43.945958Z my-lb 192.0.2.1:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://example.com:80/ HTTP/1.1" "curl/7.38.0" - -"#,
        ),
        (
            Flavor::AlbConnection,
            r#"2023-10-04T17:05:15.514108Z 2001:db8::1 36280 443 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 4.036 "-" - - - TID_3180a73013c8ca4bac2f731159d4b0fe"#,
        ),
    ];

    #[test]
    fn each_flavor_detects_its_own_lines_only() {
        for (flavor, line) in LINES {
            for other in Flavor::ALL {
                assert_eq!(
                    looks_like(*other, line.as_bytes()),
                    *other == flavor,
                    "{other:?} on a {flavor:?} line"
                );
            }
        }
        assert!(!looks_like(
            Flavor::Alb,
            b"Enable AccessLog for ELB: app/x/959dfdbaed241613 at 2020-11-20T09:55:52.806Z"
        ));
    }
}
