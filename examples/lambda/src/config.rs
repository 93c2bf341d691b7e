//! The function's configuration, read once at cold start from the environment.

use std::fmt;

use aws_access_logs::cloudfront::FieldList;
use aws_access_logs::partition::Granularity;

/// Output bucket (required).
pub const OUTPUT_BUCKET_VAR: &str = "CACHE__SERVICE__BUCKET_NAME";
/// Output key prefix (default [`DEFAULT_OUTPUT_PREFIX`]).
pub const OUTPUT_PREFIX_VAR: &str = "OUTPUT_PREFIX";
/// JSON object: key prefix → source type.
pub const SOURCE_TYPE_MAP_VAR: &str = "LETS__SOURCE_TYPE_MAP";
/// The CloudFront real-time log configuration's field list.
pub const REALTIME_FIELDS_VAR: &str = "CLOUDFRONT_REALTIME_FIELDS";
/// The most bytes of text an object may hold (default [`DEFAULT_MAX_OBJECT_BYTES`]).
pub const MAX_OBJECT_BYTES_VAR: &str = "MAX_OBJECT_BYTES";
/// Objects of at most this many bytes as stored are read whole into memory and decoded where
/// they lie; larger ones stream (default [`DEFAULT_IN_MEMORY_OBJECT_BYTES`]; `0`: all stream).
pub const IN_MEMORY_OBJECT_BYTES_VAR: &str = "IN_MEMORY_OBJECT_BYTES";
/// `1` (or `true`): address buckets as `endpoint/bucket/key` (S3-compatible servers).
pub const FORCE_PATH_STYLE_VAR: &str = "S3_FORCE_PATH_STYLE";
/// `hour` (default) or `day`: the Hive time partitions of the Parquet files (UTC).
pub const PARTITION_BY_VAR: &str = "PARTITION_BY";
/// The most Parquet files (partitions) written at once (default
/// [`DEFAULT_MAX_OPEN_PARTITIONS`]); partitions beyond it are written by further passes over
/// the object.
pub const MAX_OPEN_PARTITIONS_VAR: &str = "MAX_OPEN_PARTITIONS";

/// The default output prefix.
pub const DEFAULT_OUTPUT_PREFIX: &str = "lets/";
/// The default [`MAX_OBJECT_BYTES_VAR`]: 512 MiB of text, which a 256 MB function converts
/// well inside its 60 s timeout (about a seventh of a core).
pub const DEFAULT_MAX_OBJECT_BYTES: u64 = 512 << 20;
/// The default [`IN_MEMORY_OBJECT_BYTES_VAR`]: 32 MiB, an eighth of the function's 256 MB.
/// Nearly every log object is smaller (a Firehose object of real-time logs is usually a few
/// MiB of gzip, an S3 access log object kilobytes to a few MiB). An object read whole costs
/// about its own size more than streamed, less the read buffers and copied text it saves
/// (see the README's memory section).
pub const DEFAULT_IN_MEMORY_OBJECT_BYTES: u64 = 32 << 20;
/// The default [`MAX_OPEN_PARTITIONS_VAR`]: 4 Parquet writers at once (see the README's
/// memory section for the measurements behind it).
pub const DEFAULT_MAX_OPEN_PARTITIONS: usize = 4;
/// The default routing of key prefixes to source types. Elastic Load Balancing logs need no
/// route: their keys say what they are (see [`Config::routing`]).
pub const DEFAULT_SOURCE_TYPE_MAP: &str = r#"{"cloudfront-realtime/": "cloudfront-realtime", "transfers-bucket/": "s3-access", "cache-bucket/": "s3-access"}"#;

/// The kind of log an object holds, as named in the routing map and in output keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceType {
    /// Amazon S3 server access logs.
    S3Access,
    /// CloudFront real-time logs (Kinesis Data Firehose objects, usually gzip).
    CloudFrontRealtime,
    /// CloudFront standard logs (W3C).
    CloudFrontStandard,
    /// Application Load Balancer access logs (gzip objects).
    AlbAccess,
    /// Network Load Balancer access logs (TLS listeners; gzip objects).
    NlbAccess,
    /// Classic Load Balancer access logs (plain text objects).
    ClbAccess,
    /// Application Load Balancer connection logs (gzip objects).
    AlbConnection,
}

impl SourceType {
    /// Every source type.
    pub const ALL: [SourceType; 7] = [
        SourceType::S3Access,
        SourceType::CloudFrontRealtime,
        SourceType::CloudFrontStandard,
        SourceType::AlbAccess,
        SourceType::NlbAccess,
        SourceType::ClbAccess,
        SourceType::AlbConnection,
    ];

    /// `s3-access`, `cloudfront-realtime`, `cloudfront-standard`, `alb-access`, `nlb-access`,
    /// `clb-access` or `alb-connection`: the format's table name
    /// ([`aws_access_logs::partition::table_name`]).
    pub fn name(self) -> &'static str {
        aws_access_logs::partition::table_name(self.format())
    }

    /// What the logs are called in messages: `S3 server access logs`, `ALB access logs`.
    pub fn description(self) -> &'static str {
        match self {
            SourceType::S3Access => "S3 server access logs",
            SourceType::CloudFrontRealtime => "CloudFront real-time logs",
            SourceType::CloudFrontStandard => "CloudFront standard logs",
            SourceType::AlbAccess => "ALB access logs",
            SourceType::NlbAccess => "NLB access logs",
            SourceType::ClbAccess => "CLB access logs",
            SourceType::AlbConnection => "ALB connection logs",
        }
    }

    /// Every source type's name, as a list for messages: `s3-access, …, or alb-connection`.
    pub fn names() -> String {
        let names: Vec<&str> = SourceType::ALL.iter().map(|t| t.name()).collect();
        match names.split_last() {
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }

    /// The source type of a name, if it is one.
    pub fn from_name(name: &str) -> Option<SourceType> {
        SourceType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The library's format.
    pub fn format(self) -> aws_access_logs::Format {
        match self {
            SourceType::S3Access => aws_access_logs::Format::S3,
            SourceType::CloudFrontRealtime => aws_access_logs::Format::CloudFrontRealtime,
            SourceType::CloudFrontStandard => aws_access_logs::Format::CloudFrontStandard,
            SourceType::AlbAccess => aws_access_logs::Format::Alb,
            SourceType::NlbAccess => aws_access_logs::Format::Nlb,
            SourceType::ClbAccess => aws_access_logs::Format::Clb,
            SourceType::AlbConnection => aws_access_logs::Format::AlbConnection,
        }
    }

    /// The source type of a library format.
    ///
    /// # Panics
    ///
    /// For a format of a later version of the library that the function does not know yet
    /// (the library's `Format` is non-exhaustive); a test checks that every format has one.
    pub fn of_format(format: aws_access_logs::Format) -> SourceType {
        SourceType::ALL
            .into_iter()
            .find(|t| t.format() == format)
            .unwrap_or_else(|| panic!("no source type for the format {format}"))
    }
}

/// The `AWSLogs/` segment of the keys under which Elastic Load Balancing delivers its logs.
const AWS_LOGS: &str = "AWSLogs";

/// Whether `text` is all ASCII digits, `len` of them (any number for `None`, at least one).
fn digits(text: &str, len: Option<usize>) -> bool {
    !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && len.is_none_or(|n| text.len() == n)
}

/// The source type of an Elastic Load Balancing log object by its key, `None` when the key is
/// not one. ELB writes its four kinds of logs under the same prefix,
/// `[prefix/]AWSLogs/<account>/elasticloadbalancing/<region>/<yyyy>/<mm>/<dd>/`, and tells them
/// apart by the object's name: `conn_log_…` (ALB connection logs), `…_app.<name>…` (ALB access
/// logs), `…_net.<name>…` (NLB access logs), anything else CLB access logs (CLB names have no
/// dots).
///
/// ```
/// use aws_access_logs_lambda::SourceType;
/// use aws_access_logs_lambda::config::elb_source_type;
///
/// let key = "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2024/03/17/\
///            123456789012_elasticloadbalancing_us-east-2_app.my-alb.50dc6c495c0c9188_\
///            20240317T1000Z_192.0.2.200_2t2dtogd.log.gz";
/// assert_eq!(elb_source_type(key), Some(SourceType::AlbAccess));
/// assert_eq!(elb_source_type("transfers-bucket/2024-03-17-10-00-00-ABC"), None);
/// ```
pub fn elb_source_type(key: &str) -> Option<SourceType> {
    let segments: Vec<&str> = key.split('/').collect();
    let [aws_logs, account, service, region, yyyy, mm, dd, name] =
        segments[segments.len().checked_sub(8)?..]
    else {
        return None;
    };
    let shaped = aws_logs == AWS_LOGS
        && digits(account, None)
        && service == "elasticloadbalancing"
        && !region.is_empty()
        && digits(yyyy, Some(4))
        && digits(mm, Some(2))
        && digits(dd, Some(2))
        && !name.is_empty();
    if !shaped {
        return None;
    }
    Some(if name.starts_with("conn_log_") {
        SourceType::AlbConnection
    } else if name.contains("_app.") {
        SourceType::AlbAccess
    } else if name.contains("_net.") {
        SourceType::NlbAccess
    } else {
        SourceType::ClbAccess
    })
}

/// Whether `key` is the test object that Elastic Load Balancing writes when access logging is
/// enabled, `[prefix/]AWSLogs/<account>/ELBAccessLogTestFile` (one line, `Enable AccessLog for
/// ELB: …`): not a log.
///
/// ```
/// use aws_access_logs_lambda::config::is_elb_test_file;
///
/// assert!(is_elb_test_file("AWSLogs/123456789012/ELBAccessLogTestFile"));
/// assert!(is_elb_test_file("alb/AWSLogs/123456789012/ELBAccessLogTestFile"));
/// assert!(!is_elb_test_file("AWSLogs/123456789012/elasticloadbalancing/ELBAccessLogTestFile"));
/// ```
pub fn is_elb_test_file(key: &str) -> bool {
    let segments: Vec<&str> = key.split('/').collect();
    matches!(
        segments[segments.len().saturating_sub(3)..],
        [AWS_LOGS, account, "ELBAccessLogTestFile"] if digits(account, None)
    )
}

/// How an object's format is chosen ([`Config::routing`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routing {
    /// The longest prefix of [`SOURCE_TYPE_MAP_VAR`] that the key starts with: this format.
    Prefix(SourceType),
    /// An Elastic Load Balancing log key ([`elb_source_type`]): the format its object name
    /// says, which the content must confirm.
    ElbName(SourceType),
    /// Neither: the format is detected from the content.
    Detect,
}

impl fmt::Display for SourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A configuration error: which variable, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The environment variable at fault.
    pub variable: &'static str,
    /// What is wrong, and what to do.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variable, self.message)
    }
}

impl std::error::Error for ConfigError {}

fn bad(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        message: message.into(),
    }
}

/// The function's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the Parquet, rejects and `latest` objects go.
    pub output_bucket: String,
    /// Key prefix of every output object (never empty; ends with `/`).
    pub output_prefix: String,
    /// Key prefix → source type, longest prefix first.
    pub routes: Vec<(String, SourceType)>,
    /// The real-time field list, when configured.
    pub realtime_fields: Option<FieldList>,
    /// Path-style bucket addressing.
    pub force_path_style: bool,
    /// The most bytes of text an object may hold: its stored size for plain objects, its
    /// decompressed size for gzip ones. Larger objects are refused (permanently).
    pub max_object_bytes: u64,
    /// Objects of at most this many bytes as stored (`Content-Length`; compressed, for gzip
    /// ones) are read whole into one `Bytes` and decoded where they lie — a plain one with
    /// string views into it, no text copied — and a further pass decodes them again from
    /// memory; larger objects, and those of unknown size, stream (default
    /// [`DEFAULT_IN_MEMORY_OBJECT_BYTES`]; `0`: every object streams). Either way the
    /// output is the same, byte for byte.
    pub in_memory_object_bytes: u64,
    /// Bytes per part of the Parquet multipart uploads (default
    /// [`crate::process::PART_SIZE`]; not read from the environment: tests lower it).
    pub part_size: usize,
    /// How finely rows are partitioned by their record time (UTC): `hour=` folders or only
    /// `day=` ones.
    pub partition_by: Granularity,
    /// The most Parquet writers open at once, at least 1 (default
    /// [`DEFAULT_MAX_OPEN_PARTITIONS`]). Partitions past it are written by further passes
    /// over the object, read again from the store.
    pub max_open_partitions: usize,
    /// Most encoded bytes of one Parquet writer's row group (default
    /// [`crate::process::ROW_GROUP_BYTES`]; not read from the environment). It must stay the
    /// same between the passes over an object: a file's bytes depend on it.
    pub row_group_bytes: usize,
    /// Most Arrow bytes of rows held for partitions that have no writer yet (default
    /// [`crate::process::PENDING_BYTES`]; not read from the environment: tests lower it).
    pub pending_bytes: usize,
    /// Most bytes of finished Parquet files held until the object's outputs are completed;
    /// past it a finished file's rest is uploaded at once as the last part of its multipart
    /// upload (default [`crate::process::HELD_TAIL_BYTES`]; not read from the environment).
    pub held_tail_bytes: usize,
}

impl Config {
    /// Reads the configuration from the process environment.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the variable that is missing or malformed.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `var` (a variable's value, or `None` when unset).
    ///
    /// # Errors
    ///
    /// As [`Config::from_env`].
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let output_bucket = match var(OUTPUT_BUCKET_VAR) {
            Some(b) if !b.trim().is_empty() => b.trim().to_string(),
            _ => {
                return Err(bad(
                    OUTPUT_BUCKET_VAR,
                    "is required: set it to the name of the output bucket",
                ));
            }
        };
        let output_prefix = match var(OUTPUT_PREFIX_VAR) {
            None => DEFAULT_OUTPUT_PREFIX.to_string(),
            Some(p) => {
                let p = p.trim().trim_start_matches('/').to_string();
                if p.is_empty() {
                    // The loop guard skips events under the output prefix: an empty one
                    // would skip the whole output bucket, and the IAM policy would grant
                    // writes to all of it.
                    return Err(bad(
                        OUTPUT_PREFIX_VAR,
                        format!(
                            "must not be empty: set a key prefix such as {DEFAULT_OUTPUT_PREFIX:?} \
                             (leave it unset for the default)"
                        ),
                    ));
                } else if p.ends_with('/') {
                    p
                } else {
                    format!("{p}/")
                }
            }
        };
        let map = var(SOURCE_TYPE_MAP_VAR).unwrap_or_else(|| DEFAULT_SOURCE_TYPE_MAP.to_string());
        let routes = parse_routes(&map)?;
        let realtime_fields = match var(REALTIME_FIELDS_VAR) {
            Some(list) if !list.trim().is_empty() => Some(
                FieldList::realtime(&list).map_err(|e| bad(REALTIME_FIELDS_VAR, e.to_string()))?,
            ),
            _ => None,
        };
        let realtime_route = routes
            .iter()
            .find(|(_, t)| *t == SourceType::CloudFrontRealtime);
        if let (None, Some((prefix, _))) = (&realtime_fields, realtime_route) {
            return Err(bad(
                REALTIME_FIELDS_VAR,
                format!(
                    "is not set, but {SOURCE_TYPE_MAP_VAR} routes {prefix:?} to \
                         cloudfront-realtime: set it to the field list of the real-time log \
                         configuration (comma-separated names, or the JSON of `aws cloudfront \
                         get-realtime-log-config`)"
                ),
            ));
        }
        let force_path_style = match var(FORCE_PATH_STYLE_VAR).as_deref().map(str::trim) {
            None | Some("") | Some("0") | Some("false") => false,
            Some("1") | Some("true") => true,
            Some(other) => {
                return Err(bad(
                    FORCE_PATH_STYLE_VAR,
                    format!("must be 1 or 0 (true or false), not {other:?}"),
                ));
            }
        };
        let max_object_bytes = match var(MAX_OBJECT_BYTES_VAR).as_deref().map(str::trim) {
            None | Some("") => DEFAULT_MAX_OBJECT_BYTES,
            Some(n) => match n.parse::<u64>() {
                Ok(n) if n > 0 => n,
                _ => {
                    return Err(bad(
                        MAX_OBJECT_BYTES_VAR,
                        format!("must be a positive number of bytes, not {n:?}"),
                    ));
                }
            },
        };
        let in_memory_object_bytes = match var(IN_MEMORY_OBJECT_BYTES_VAR).as_deref().map(str::trim)
        {
            None | Some("") => DEFAULT_IN_MEMORY_OBJECT_BYTES,
            Some(n) => n.parse::<u64>().map_err(|_| {
                bad(
                    IN_MEMORY_OBJECT_BYTES_VAR,
                    format!("must be a number of bytes (0: always stream), not {n:?}"),
                )
            })?,
        };
        let partition_by = match var(PARTITION_BY_VAR).as_deref().map(str::trim) {
            None | Some("") => Granularity::Hour,
            Some(value) => value.parse::<Granularity>().map_err(|_| {
                bad(
                    PARTITION_BY_VAR,
                    format!("must be hour or day, not {value:?}"),
                )
            })?,
        };
        let max_open_partitions = match var(MAX_OPEN_PARTITIONS_VAR).as_deref().map(str::trim) {
            None | Some("") => DEFAULT_MAX_OPEN_PARTITIONS,
            Some(n) => match n.parse::<usize>() {
                Ok(n) if (1..=1024).contains(&n) => n,
                _ => {
                    return Err(bad(
                        MAX_OPEN_PARTITIONS_VAR,
                        format!("must be a number from 1 to 1024, not {n:?}"),
                    ));
                }
            },
        };
        Ok(Config {
            output_bucket,
            output_prefix,
            routes,
            realtime_fields,
            force_path_style,
            max_object_bytes,
            in_memory_object_bytes,
            part_size: crate::process::PART_SIZE,
            partition_by,
            max_open_partitions,
            row_group_bytes: crate::process::ROW_GROUP_BYTES,
            pending_bytes: crate::process::PENDING_BYTES,
            held_tail_bytes: crate::process::HELD_TAIL_BYTES,
        })
    }

    /// The source type for `key` by the longest matching prefix, or `None` (detect from the
    /// content).
    pub fn route(&self, key: &str) -> Option<SourceType> {
        self.routes
            .iter()
            .find(|(prefix, _)| key.starts_with(prefix.as_str()))
            .map(|&(_, t)| t)
    }

    /// How the format of the object under `key` is chosen: by the longest matching prefix of
    /// the routing map (the configuration says), else by the name of an Elastic Load
    /// Balancing log ([`elb_source_type`]; confirmed by the content), else detected from the
    /// content. ELB logs need no route: a load balancer's logs delivered anywhere in the
    /// bucket go to their own tables (`alb-access`, `nlb-access`, `clb-access`,
    /// `alb-connection`).
    pub fn routing(&self, key: &str) -> Routing {
        match (self.route(key), elb_source_type(key)) {
            (Some(t), _) => Routing::Prefix(t),
            (None, Some(t)) => Routing::ElbName(t),
            (None, None) => Routing::Detect,
        }
    }

    /// Whether an object is the function's own output (output bucket, under the output prefix:
    /// the Parquet files under `{prefix}{format}/`, and the rejects and `latest` objects under
    /// `{prefix}_rejects/` and `{prefix}_latest/`).
    pub fn is_own_output(&self, bucket: &str, key: &str) -> bool {
        bucket == self.output_bucket && key.starts_with(&self.output_prefix)
    }
}

fn parse_routes(json: &str) -> Result<Vec<(String, SourceType)>, ConfigError> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| {
        bad(
            SOURCE_TYPE_MAP_VAR,
            format!("is not valid JSON ({e}): expected an object like {DEFAULT_SOURCE_TYPE_MAP}"),
        )
    })?;
    let Some(object) = value.as_object() else {
        return Err(bad(
            SOURCE_TYPE_MAP_VAR,
            format!(
                "must be a JSON object of key prefix to source type, like {DEFAULT_SOURCE_TYPE_MAP}"
            ),
        ));
    };
    let mut routes = Vec::with_capacity(object.len());
    for (prefix, t) in object {
        let name = t.as_str().unwrap_or_default();
        let Some(t) = SourceType::from_name(name) else {
            return Err(bad(
                SOURCE_TYPE_MAP_VAR,
                format!(
                    "maps {prefix:?} to {t}, which is not a source type: use {}",
                    SourceType::names()
                ),
            ));
        };
        routes.push((prefix.clone(), t));
    }
    // Longest prefix first; ties cannot happen (JSON object keys are unique).
    routes.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    Ok(routes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    const BASE: [(&str, &str); 2] = [
        (OUTPUT_BUCKET_VAR, "out"),
        (REALTIME_FIELDS_VAR, "timestamp,c-ip,sc-status"),
    ];

    #[test]
    fn defaults_and_longest_prefix() {
        let c = config(&BASE).unwrap();
        assert_eq!(c.output_bucket, "out");
        assert_eq!(c.output_prefix, "lets/");
        assert!(!c.force_path_style);
        assert_eq!(
            c.route("cloudfront-realtime/2026/x.gz"),
            Some(SourceType::CloudFrontRealtime)
        );
        assert_eq!(
            c.route("transfers-bucket/2026-01-01-x"),
            Some(SourceType::S3Access)
        );
        assert_eq!(c.route("cache-bucket/x"), Some(SourceType::S3Access));
        assert_eq!(c.route("elsewhere/x"), None);
        assert_eq!(c.realtime_fields.as_ref().unwrap().len(), 3);

        let mut vars = BASE.to_vec();
        vars.push((
            SOURCE_TYPE_MAP_VAR,
            r#"{"logs/": "s3-access", "logs/cf/": "cloudfront-standard"}"#,
        ));
        vars.push((OUTPUT_PREFIX_VAR, "curated"));
        vars.push((FORCE_PATH_STYLE_VAR, "1"));
        let c = config(&vars).unwrap();
        assert_eq!(
            c.route("logs/cf/E2.2026.gz"),
            Some(SourceType::CloudFrontStandard)
        );
        assert_eq!(c.route("logs/access"), Some(SourceType::S3Access));
        assert_eq!(c.output_prefix, "curated/");
        assert!(c.force_path_style);
        assert!(c.is_own_output("out", "curated/_latest/s3-access.json"));
        assert!(c.is_own_output(
            "out",
            "curated/_rejects/s3-access/year=2026/month=11/day=30/0123.jsonl.gz"
        ));
        assert!(c.is_own_output(
            "out",
            "curated/s3-access/year=2026/month=11/day=30/hour=10/0123.parquet"
        ));
        assert_eq!(c.partition_by, Granularity::Hour);
        assert_eq!(c.max_open_partitions, DEFAULT_MAX_OPEN_PARTITIONS);
        assert!(!c.is_own_output("out", "logs/access"));
        assert!(!c.is_own_output("other", "curated/x"));
    }

    #[test]
    fn every_format_has_a_source_type_named_after_its_table() {
        for &format in aws_access_logs::Format::ALL {
            let t = SourceType::of_format(format);
            assert_eq!(t.format(), format);
            assert_eq!(t.name(), aws_access_logs::partition::table_name(format));
            assert_eq!(SourceType::from_name(t.name()), Some(t));
        }
        assert_eq!(SourceType::ALL.len(), aws_access_logs::Format::ALL.len());
        assert_eq!(SourceType::AlbAccess.name(), "alb-access");
        assert_eq!(SourceType::NlbAccess.name(), "nlb-access");
        assert_eq!(SourceType::ClbAccess.name(), "clb-access");
        assert_eq!(SourceType::AlbConnection.name(), "alb-connection");
        assert!(SourceType::names().ends_with(", clb-access or alb-connection"));
    }

    #[test]
    fn elastic_load_balancing_keys_route_by_their_object_name() {
        let c = config(&BASE).unwrap();
        let folder = "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2024/03/17/";
        let cases = [
            (
                "123456789012_elasticloadbalancing_us-east-2_app.my-alb.50dc6c495c0c9188_\
                 20240317T1000Z_192.0.2.200_2t2dtogd.log.gz",
                SourceType::AlbAccess,
            ),
            (
                "123456789012_elasticloadbalancing_us-east-2_net.my-nlb.c6e77e28c25b2234_\
                 20240317T1100Z_5k3dkd9e.log.gz",
                SourceType::NlbAccess,
            ),
            (
                "123456789012_elasticloadbalancing_us-east-2_my-clb_20240317T0900Z_\
                 192.0.2.201_3j2ld8ss.log",
                SourceType::ClbAccess,
            ),
            (
                "conn_log_123456789012_elasticloadbalancing_us-east-2_app.my-alb.\
                 50dc6c495c0c9188_20240317T0910Z_192.0.2.200_8sk2ls0a.log.gz",
                SourceType::AlbConnection,
            ),
        ];
        for (name, t) in cases {
            for prefix in ["", "alb/", "logs/prod/"] {
                let key = format!("{prefix}{folder}{name}");
                assert_eq!(elb_source_type(&key), Some(t), "{key}");
                assert_eq!(c.routing(&key), Routing::ElbName(t), "{key}");
            }
        }
        // Not the ELB layout: other AWSLogs/ deliveries, short or odd paths.
        for key in [
            "AWSLogs/123456789012/CloudTrail/us-east-2/2024/03/17/x.json.gz",
            "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2024/03/x.log",
            "AWSLogs/acct/elasticloadbalancing/us-east-2/2024/03/17/x.log",
            "AWSLogs/123456789012/elasticloadbalancing/us-east-2/24/03/17/x.log",
            "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2024/03/17/",
            "AWSLogs/123456789012/ELBAccessLogTestFile",
            "x.log",
            "",
        ] {
            assert_eq!(elb_source_type(key), None, "{key}");
            assert_eq!(c.routing(key), Routing::Detect, "{key}");
        }
        // A route of the map wins (the configuration says what is there).
        let mut vars = BASE.to_vec();
        vars.push((SOURCE_TYPE_MAP_VAR, r#"{"alb/": "clb-access"}"#));
        let c = config(&vars).unwrap();
        let key = format!("alb/{folder}{}", cases[0].0);
        assert_eq!(c.routing(&key), Routing::Prefix(SourceType::ClbAccess));
        assert_eq!(
            c.routing(&format!("{folder}{}", cases[0].0)),
            Routing::ElbName(SourceType::AlbAccess)
        );
        // The test object ELB writes when logging is enabled.
        assert!(is_elb_test_file(
            "AWSLogs/123456789012/ELBAccessLogTestFile"
        ));
        assert!(is_elb_test_file(
            "p/AWSLogs/123456789012/ELBAccessLogTestFile"
        ));
        for key in [
            "ELBAccessLogTestFile",
            "AWSLogs/ELBAccessLogTestFile",
            "AWSLogs/x/ELBAccessLogTestFile",
            "AWSLogs/123456789012/ELBAccessLogTestFile.log",
            "transfers-bucket/ELBAccessLogTestFile",
        ] {
            assert!(!is_elb_test_file(key), "{key}");
        }
    }

    #[test]
    fn an_empty_output_prefix_is_refused() {
        // An empty prefix would make the loop guard skip every key of the output bucket.
        for prefix in ["", " ", "/"] {
            let mut vars = BASE.to_vec();
            vars.push((OUTPUT_PREFIX_VAR, prefix));
            let err = config(&vars).unwrap_err();
            assert_eq!(err.variable, OUTPUT_PREFIX_VAR, "{prefix:?}");
            assert!(err.message.contains("must not be empty"), "{err}");
        }
        let c = config(&BASE).unwrap();
        assert_eq!(c.max_object_bytes, DEFAULT_MAX_OBJECT_BYTES);
        let mut vars = BASE.to_vec();
        vars.push((MAX_OBJECT_BYTES_VAR, "2000000000"));
        assert_eq!(config(&vars).unwrap().max_object_bytes, 2_000_000_000);
    }

    #[test]
    fn in_memory_object_bytes() {
        let c = config(&BASE).unwrap();
        assert_eq!(c.in_memory_object_bytes, DEFAULT_IN_MEMORY_OBJECT_BYTES);
        assert_eq!(c.in_memory_object_bytes, 32 << 20);
        for (value, bytes) in [("0", 0), (" 1048576 ", 1 << 20), ("", 32 << 20)] {
            let mut vars = BASE.to_vec();
            vars.push((IN_MEMORY_OBJECT_BYTES_VAR, value));
            assert_eq!(
                config(&vars).unwrap().in_memory_object_bytes,
                bytes,
                "{value}"
            );
        }
        for value in ["-1", "32MiB", "x"] {
            let mut vars = BASE.to_vec();
            vars.push((IN_MEMORY_OBJECT_BYTES_VAR, value));
            let err = config(&vars).unwrap_err();
            assert_eq!(err.variable, IN_MEMORY_OBJECT_BYTES_VAR, "{value}");
            assert_eq!(
                err.to_string(),
                format!(
                    "IN_MEMORY_OBJECT_BYTES: must be a number of bytes (0: always stream), \
                     not {value:?}"
                )
            );
        }
    }

    #[test]
    fn errors_name_the_variable() {
        let err = config(&[]).unwrap_err();
        assert_eq!(err.variable, OUTPUT_BUCKET_VAR);
        assert!(
            err.to_string()
                .starts_with("CACHE__SERVICE__BUCKET_NAME: is required")
        );

        let err = config(&[(OUTPUT_BUCKET_VAR, "out")]).unwrap_err();
        assert_eq!(err.variable, REALTIME_FIELDS_VAR);
        assert!(err.message.contains("\"cloudfront-realtime/\""), "{err}");

        for (map, needle) in [
            ("{not json", "is not valid JSON"),
            ("[1]", "must be a JSON object"),
            (
                r#"{"a/": "s3"}"#,
                "\"a/\" to \"s3\", which is not a source type",
            ),
        ] {
            let mut vars = BASE.to_vec();
            vars.push((SOURCE_TYPE_MAP_VAR, map));
            let err = config(&vars).unwrap_err();
            assert_eq!(err.variable, SOURCE_TYPE_MAP_VAR);
            assert!(err.message.contains(needle), "{err}");
        }

        let mut vars = BASE.to_vec();
        vars[1] = (REALTIME_FIELDS_VAR, "timestamp,no-such-field");
        let err = config(&vars).unwrap_err();
        assert_eq!(err.variable, REALTIME_FIELDS_VAR);
        assert!(err.message.contains("no-such-field"), "{err}");

        let mut vars = BASE.to_vec();
        vars.push((FORCE_PATH_STYLE_VAR, "yes"));
        assert_eq!(config(&vars).unwrap_err().variable, FORCE_PATH_STYLE_VAR);

        for value in ["week", "HOUR", "1h"] {
            let mut vars = BASE.to_vec();
            vars.push((PARTITION_BY_VAR, value));
            let err = config(&vars).unwrap_err();
            assert_eq!(err.variable, PARTITION_BY_VAR);
            assert_eq!(
                err.to_string(),
                format!("PARTITION_BY: must be hour or day, not {value:?}")
            );
        }
        let mut vars = BASE.to_vec();
        vars.push((PARTITION_BY_VAR, "day"));
        vars.push((MAX_OPEN_PARTITIONS_VAR, "3"));
        let c = config(&vars).unwrap();
        assert_eq!(c.partition_by, Granularity::Day);
        assert_eq!(c.max_open_partitions, 3);
        for value in ["0", "x", "5000"] {
            let mut vars = BASE.to_vec();
            vars.push((MAX_OPEN_PARTITIONS_VAR, value));
            let err = config(&vars).unwrap_err();
            assert_eq!(err.variable, MAX_OPEN_PARTITIONS_VAR, "{value}");
            assert!(err.message.contains("from 1 to 1024"), "{err}");
        }

        for bad_size in ["0", "-1", "1GB"] {
            let mut vars = BASE.to_vec();
            vars.push((MAX_OBJECT_BYTES_VAR, bad_size));
            assert_eq!(config(&vars).unwrap_err().variable, MAX_OBJECT_BYTES_VAR);
        }

        // Without a real-time route, the field list is optional.
        let c = config(&[
            (OUTPUT_BUCKET_VAR, "out"),
            (SOURCE_TYPE_MAP_VAR, r#"{"logs/": "s3-access"}"#),
        ])
        .unwrap();
        assert!(c.realtime_fields.is_none());
    }
}
