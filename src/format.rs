//! [`Format`], the public name of each log format, and the format registry: the one place
//! that lists the formats ([`Format::spec`]).

use arrow::datatypes::SchemaRef;

use crate::contract::LogFormat;
use crate::error::{Error, ErrorKind, Result};

/// An AWS access log format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// Amazon S3 server access logs (see [`crate::s3`]).
    S3,
    /// Amazon CloudFront real-time logs: tab-separated, no header; needs the configuration's
    /// field list ([`ReaderBuilder::with_fields`](crate::ReaderBuilder::with_fields)). See
    /// [`crate::cloudfront`].
    CloudFrontRealtime,
    /// Amazon CloudFront standard logs (W3C, `#Version:`/`#Fields:` header). See
    /// [`crate::cloudfront`].
    CloudFrontStandard,
    /// Application Load Balancer access logs (see [`crate::elb`]).
    Alb,
    /// Network Load Balancer access logs, of TLS listeners (see [`crate::elb`]).
    Nlb,
    /// Classic Load Balancer access logs (see [`crate::elb`]).
    Clb,
    /// Application Load Balancer connection logs (see [`crate::elb`]).
    AlbConnection,
}

impl Format {
    /// Every format (a slice: a new format is not a breaking change of its length).
    pub const ALL: &'static [Format] = &[
        Format::S3,
        Format::CloudFrontRealtime,
        Format::CloudFrontStandard,
        Format::Alb,
        Format::Nlb,
        Format::Clb,
        Format::AlbConnection,
    ];

    /// The registry: what each format is ([`LogFormat`], implemented in the format's own
    /// folder). Adding a format adds its variant and its line here.
    pub(crate) fn spec(self) -> &'static dyn LogFormat {
        match self {
            Format::S3 => &crate::s3::S3,
            Format::CloudFrontRealtime => &crate::cloudfront::REALTIME,
            Format::CloudFrontStandard => &crate::cloudfront::STANDARD,
            Format::Alb => &crate::elb::ALB,
            Format::Nlb => &crate::elb::NLB,
            Format::Clb => &crate::elb::CLB,
            Format::AlbConnection => &crate::elb::ALB_CONNECTION,
        }
    }

    /// The format's short name: `"s3"`, `"cloudfront-realtime"`, `"cloudfront-standard"`,
    /// `"alb"`, `"nlb"`, `"clb"` or `"alb-connection"`.
    pub fn name(self) -> &'static str {
        self.spec().name()
    }

    /// The format's full Arrow schema (before projection) when it is fixed: S3 access logs and
    /// the Elastic Load Balancing logs. `None` for the CloudFront formats, whose schema comes from the field list
    /// ([`crate::cloudfront::FieldList::schema`],
    /// [`ReaderBuilder::schema`](crate::ReaderBuilder::schema)).
    pub fn schema(self) -> Option<SchemaRef> {
        self.spec().schema()
    }
}

impl crate::elb::Flavor {
    /// The crate's [`Format`] of this flavor.
    pub fn format(self) -> Format {
        use crate::elb::Flavor;
        match self {
            Flavor::Alb => Format::Alb,
            Flavor::Nlb => Format::Nlb,
            Flavor::Clb => Format::Clb,
            Flavor::AlbConnection => Format::AlbConnection,
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Format {
    type Err = Error;

    /// Parses a format's name (`s3`, `cloudfront-realtime`, `cloudfront-standard`, `alb`,
    /// `nlb`, `clb`, `alb-connection`) or one of its aliases: `s3-access`, `s3-access-log`;
    /// `cloudfront-real-time`, `cf-realtime`; `cf-standard`, `cloudfront-w3c`; `alb-access`,
    /// `application-load-balancer`; `nlb-access`, `network-load-balancer`; `clb-access`,
    /// `classic-load-balancer`; `alb-conn`, `alb-connection-log`.
    fn from_str(s: &str) -> Result<Self> {
        Format::ALL
            .iter()
            .copied()
            .find(|f| f.name() == s || f.spec().aliases().contains(&s))
            .ok_or_else(|| {
                let known: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                Error::new(ErrorKind::InvalidArgument).with_detail(format!(
                    "unknown format {s:?} (known: {})",
                    known.join(", ")
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn the_registry_gives_each_format_distinct_names_that_parse_back() {
        let mut names = HashSet::new();
        let mut tables = HashSet::new();
        for &format in Format::ALL {
            let spec = format.spec();
            assert_eq!(format.name().parse::<Format>().unwrap(), format);
            assert_eq!(format.to_string(), format.name());
            for alias in spec.aliases() {
                assert_eq!(alias.parse::<Format>().unwrap(), format, "{alias}");
                assert!(names.insert(*alias), "{alias} names two formats");
            }
            assert!(names.insert(format.name()), "{format} named twice");
            assert!(
                tables.insert(spec.table_name()),
                "{format}: table folder taken"
            );
            assert!(!spec.label().is_empty() && !spec.shape().is_empty());
        }
        let err = "elb".parse::<Format>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(err.to_string().contains(
            "known: s3, cloudfront-realtime, cloudfront-standard, alb, nlb, clb, alb-connection"
        ));
    }

    #[test]
    fn a_failed_detection_names_every_format_of_the_registry() {
        let err = Format::detect(b"hello world\n").unwrap_err();
        for &format in Format::ALL {
            assert!(err.to_string().contains(format.spec().shape()), "{err}");
        }
    }
}
