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
/// The default routing of key prefixes to source types.
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
}

impl SourceType {
    /// Every source type.
    pub const ALL: [SourceType; 3] = [
        SourceType::S3Access,
        SourceType::CloudFrontRealtime,
        SourceType::CloudFrontStandard,
    ];

    /// `s3-access`, `cloudfront-realtime` or `cloudfront-standard`: the format's table name
    /// ([`aws_access_logs::partition::table_name`]).
    pub fn name(self) -> &'static str {
        aws_access_logs::partition::table_name(self.format())
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
        }
    }

    /// The source type of a library format.
    pub fn of_format(format: aws_access_logs::Format) -> SourceType {
        match format {
            aws_access_logs::Format::CloudFrontRealtime => SourceType::CloudFrontRealtime,
            aws_access_logs::Format::CloudFrontStandard => SourceType::CloudFrontStandard,
            _ => SourceType::S3Access,
        }
    }
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
                    "maps {prefix:?} to {t}, which is not a source type: use s3-access, \
                     cloudfront-realtime or cloudfront-standard"
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
