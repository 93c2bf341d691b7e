//! `convert --print-ddl athena`: the converter prints the table definition that
//! `aws_access_logs::ddl` generates for the schema it writes, and it describes the folders
//! that `--partition-by` writes.
#![cfg(feature = "parquet")]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use aws_access_logs::cloudfront::FieldList;
use aws_access_logs::ddl::{AthenaTable, standard_legacy_fields};
use aws_access_logs::partition::Granularity;
use aws_access_logs::{Format, ReaderBuilder};
use common::convert_exe;

fn run(args: &[&str]) -> Output {
    Command::new(convert_exe()).args(args).output().unwrap()
}

fn fixture(name: &str) -> String {
    format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A fresh, empty directory for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("aws-access-logs-ddl-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The DDL printed for `args`, which must succeed with nothing on stderr.
fn ddl(args: &[&str]) -> String {
    let mut all = vec!["--print-ddl", "athena"];
    all.extend_from_slice(args);
    let out = run(&all);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    String::from_utf8(out.stdout).unwrap()
}

/// The usage error of `args`: exit code 2, and the message.
fn usage_error(args: &[&str]) -> String {
    let out = run(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?}");
    stderr
}

fn library(builder: ReaderBuilder, location: &str) -> AthenaTable {
    AthenaTable::from_builder(&builder)
        .unwrap()
        .with_location(location)
}

#[test]
fn every_format_prints_the_library_s_table() {
    let loc = "s3://amzn-s3-demo-bucket/lets/s3-access/";
    let s3 = ddl(&["--format", "s3", "--location", loc]);
    assert_eq!(
        s3,
        library(ReaderBuilder::new(Format::S3), loc)
            .to_sql()
            .unwrap()
    );
    assert!(s3.starts_with("CREATE EXTERNAL TABLE IF NOT EXISTS `s3_access` (\n"));
    assert!(s3.contains("  `bytes_sent` bigint COMMENT 'Bytes Sent',\n"));
    assert!(s3.contains(&format!(
        "'storage.location.template'='{loc}year=${{year}}/month=${{month}}/day=${{day}}/hour=${{hour}}'"
    )));

    // Real-time: the field list as the converter takes it.
    let config = fixture("cloudfront/realtime.config.json");
    let loc = "s3://amzn-s3-demo-bucket/lets/cloudfront-realtime/";
    let rt = ddl(&[
        "--format",
        "cloudfront-realtime",
        "--fields",
        &format!("@{config}"),
        "--location",
        loc,
    ]);
    let fields = FieldList::realtime(&std::fs::read_to_string(&config).unwrap()).unwrap();
    let builder = ReaderBuilder::new(Format::CloudFrontRealtime).with_fields(fields);
    assert_eq!(rt, library(builder, loc).to_sql().unwrap());
    assert!(rt.contains("CREATE EXTERNAL TABLE IF NOT EXISTS `cloudfront_realtime` (\n"));

    // Standard: the 33 legacy fields by default, as the #Fields: line of a 33-field log says.
    let loc = "s3://amzn-s3-demo-bucket/lets/cloudfront-standard/";
    let standard = ddl(&["--format", "cloudfront-standard", "--location", loc]);
    let builder =
        ReaderBuilder::new(Format::CloudFrontStandard).with_fields(standard_legacy_fields());
    assert_eq!(standard, library(builder, loc).to_sql().unwrap());
    let log = format!("@{}", fixture("cloudfront/standard-33.log"));
    let from_log = ddl(&[
        "--format",
        "cloudfront-standard",
        "--location",
        loc,
        "--fields",
        &log,
    ]);
    assert_eq!(from_log, standard);
    assert!(standard.contains("  `timestamp` timestamp COMMENT 'date time',\n"));
    assert!(standard.contains("  `sc_range_end` bigint COMMENT 'sc-range-end'\n)"));

    // Elastic Load Balancing logs: fixed schemas, like S3 access logs.
    for (format, name, table) in [
        (Format::Alb, "alb", "alb_access"),
        (Format::Nlb, "nlb", "nlb_access"),
        (Format::Clb, "clb", "clb_access"),
        (Format::AlbConnection, "alb-connection", "alb_connection"),
    ] {
        let folder = aws_access_logs::partition::table_name(format);
        let loc = format!("s3://amzn-s3-demo-bucket/lets/{folder}/");
        let sql = ddl(&["--format", name, "--location", &loc]);
        assert_eq!(
            sql,
            library(ReaderBuilder::new(format), &loc).to_sql().unwrap(),
            "{name}"
        );
        assert!(
            sql.starts_with(&format!(
                "CREATE EXTERNAL TABLE IF NOT EXISTS `{table}` (\n"
            )),
            "{sql}"
        );
        // The record time, microseconds, is a timestamp and gives the table its projection.
        assert!(sql.contains("  `time` timestamp COMMENT '"), "{sql}");
        assert!(sql.contains(&format!(
            "'storage.location.template'='{loc}year=${{year}}/month=${{month}}/day=${{day}}/hour=${{hour}}'"
        )));
    }
}

#[test]
fn standard_field_sets_from_a_list_a_log_or_a_gzip_log() {
    let dir = temp_dir("standard");
    let v2 = std::fs::read(fixture("cloudfront/standard-v2.log")).unwrap();
    let header = String::from_utf8_lossy(&v2)
        .lines()
        .find_map(|l| l.strip_prefix("#Fields:").map(str::to_string))
        .unwrap();
    let gz = dir.join("v2.log.gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&v2).unwrap();
    std::fs::write(&gz, encoder.finish().unwrap()).unwrap();
    let list_file = dir.join("fields.txt");
    std::fs::write(&list_file, format!("{header}\n")).unwrap();

    let loc = "file:///data/table/cloudfront-standard/";
    let builder = ReaderBuilder::new(Format::CloudFrontStandard)
        .with_fields(FieldList::standard(&header).unwrap());
    let want = library(builder, loc).to_sql().unwrap();
    let comma_list = header.split_whitespace().collect::<Vec<_>>().join(",");
    for fields in [
        format!("@{}", fixture("cloudfront/standard-v2.log")),
        format!("@{}", gz.display()),
        format!("@{}", list_file.display()),
        comma_list,
        header.clone(),
    ] {
        let got = ddl(&[
            "--format",
            "cloudfront-standard",
            "--location",
            loc,
            "--fields",
            &fields,
        ]);
        assert_eq!(got, want, "--fields {fields}");
    }
    // timestamp(ms) is the time column: the table has projection.
    assert!(want.contains("  `timestamp_ms` timestamp COMMENT 'timestamp(ms)',\n"));
    assert!(want.contains("'projection.enabled'='true'"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn options_reach_the_table() {
    let loc = "s3://b/lets/s3-access";
    let got = ddl(&[
        "--format",
        "s3",
        "--location",
        loc,
        "--partition-by",
        "day",
        "--table",
        "access_2",
        "--database",
        "logs",
        "--years",
        "2015,2030",
    ]);
    let want = library(ReaderBuilder::new(Format::S3), loc)
        .with_partition_by(Granularity::Day)
        .with_table("access_2")
        .with_database("logs")
        .with_years(2015, 2030)
        .to_sql()
        .unwrap();
    assert_eq!(got, want);
    assert!(got.starts_with("CREATE EXTERNAL TABLE IF NOT EXISTS `logs`.`access_2` (\n"));
    assert!(got.contains("LOCATION 's3://b/lets/s3-access/'\n"));
    assert!(got.contains("'projection.year.range'='2015,2030'"));
    assert!(!got.contains("hour"), "{got}");

    let got = ddl(&["--format", "s3", "--location", loc, "--no-projection"]);
    assert!(
        got.ends_with("TBLPROPERTIES (\n  'classification'='parquet'\n)\n"),
        "{got}"
    );
    // A real-time field list without timestamp: every row is untimed, no projection.
    let got = ddl(&[
        "--format",
        "cloudfront-realtime",
        "--fields",
        "c-ip,sc-status",
        "--location",
        loc,
    ]);
    assert!(!got.contains("projection"), "{got}");
}

#[test]
fn usage_errors_exit_2_and_say_what_is_missing() {
    let s3 = ["--print-ddl", "athena", "--format", "s3"];
    let with = |extra: &[&'static str]| {
        let mut args = s3.to_vec();
        args.extend_from_slice(extra);
        args
    };
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (s3.to_vec(), "needs --location"),
        (
            vec!["--print-ddl", "athena", "--location", "s3://b/"],
            "needs the table's format",
        ),
        (
            vec![
                "--print-ddl",
                "athena",
                "--format",
                "auto",
                "--location",
                "s3://b/",
            ],
            "needs the table's format",
        ),
        (
            vec![
                "--print-ddl",
                "athena",
                "--format",
                "cloudfront-realtime",
                "--location",
                "s3://b/",
            ],
            "needs --fields",
        ),
        (with(&["--location", "s3://b/", "in.log"]), "reads no input"),
        (
            with(&["--location", "s3://b/", "-o", "x"]),
            "-o does not apply",
        ),
        (
            with(&["--location", "s3://b/", "--fields", "timestamp"]),
            "--fields applies to CloudFront",
        ),
        (
            vec![
                "--print-ddl",
                "athena",
                "--format",
                "nlb",
                "--location",
                "s3://b/",
                "--fields",
                "timestamp",
            ],
            "NLB access logs have fixed fields",
        ),
        (with(&["--location", "bucket/prefix/"]), "with a scheme"),
        (with(&["--location", "s3://b/it's/"]), "quotes"),
        (
            with(&["--location", "s3://b/", "--table", "S3-Access"]),
            "table name \"S3-Access\"",
        ),
        (
            with(&["--location", "s3://b/", "--database", "my db"]),
            "database name \"my db\"",
        ),
        (
            with(&["--location", "s3://b/", "--years", "2020"]),
            "FROM,TO",
        ),
        (
            with(&["--location", "s3://b/", "--years", "2030,2020"]),
            "the first not after the second",
        ),
        (vec!["--print-ddl", "sql"], "invalid value 'sql'"),
        (
            vec!["--location", "s3://b/", "in.log", "-o", "out.parquet"],
            "--print-ddl",
        ),
        (
            vec![
                "--print-ddl",
                "athena",
                "--format",
                "cloudfront-realtime",
                "--location",
                "s3://b/",
                "--fields",
                "c-ip,c-ipp",
            ],
            "c-ipp",
        ),
        (
            vec![
                "--print-ddl",
                "athena",
                "--format",
                "cloudfront-standard",
                "--location",
                "s3://b/",
                "--fields",
                "@/nonexistent/fields.txt",
            ],
            "cannot read /nonexistent/fields.txt",
        ),
    ];
    for (args, message) in cases {
        let stderr = usage_error(&args);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

/// Every Parquet file under `dir`, relative, sorted.
fn parquet_files(dir: &Path) -> Vec<String> {
    let mut files = common::files(dir);
    files.retain(|f| f.ends_with(".parquet"));
    files
}

/// The folders the projection of `ddl` reaches: its `storage.location.template` with each
/// `${column}` a number of the column's digits within its range.
fn projected(ddl: &str, folder: &str) -> bool {
    let property = |key: &str| -> String {
        let start = ddl
            .find(&format!("'{key}'='"))
            .unwrap_or_else(|| panic!("{key}"));
        let rest = &ddl[start + key.len() + 4..];
        rest[..rest.find('\'').unwrap()].to_string()
    };
    let template = property("storage.location.template");
    let mut rest = folder;
    let mut parts = template.split("${");
    let prefix = parts.next().unwrap();
    let Some(r) = rest.strip_prefix(prefix) else {
        return false;
    };
    rest = r;
    for part in parts {
        let (column, literal) = part.split_once('}').unwrap();
        let digits: usize = property(&format!("projection.{column}.digits"))
            .parse()
            .unwrap();
        let range = property(&format!("projection.{column}.range"));
        let (lo, hi) = range.split_once(',').unwrap();
        if rest.len() < digits || !rest[..digits].bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        let value: i64 = rest[..digits].parse().unwrap();
        if value < lo.parse().unwrap() || value > hi.parse().unwrap() {
            return false;
        }
        let Some(r) = rest[digits..].strip_prefix(literal) else {
            return false;
        };
        rest = r;
    }
    rest.is_empty()
}

#[test]
fn the_table_reaches_every_folder_the_converter_writes() {
    let dir = temp_dir("layout");
    let out = dir.join("table");
    for granularity in ["hour", "day"] {
        let _ = std::fs::remove_dir_all(&out);
        let status = run(&[
            "--format",
            "s3",
            "--partition-by",
            granularity,
            "-q",
            &fixture("s3/quirks.log"),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(
            matches!(status.status.code(), Some(0 | 3)),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        let table = out.join("s3-access");
        let location = format!("file://{}/", table.display());
        let sql = ddl(&[
            "--format",
            "s3",
            "--location",
            &location,
            "--partition-by",
            granularity,
        ]);
        let files = parquet_files(&table);
        assert!(files.len() > 1, "{files:?}");
        let mut timed = 0;
        for file in &files {
            let folder = format!("{location}{}", &file[..file.rfind('/').unwrap()]);
            if file.contains("__HIVE_DEFAULT_PARTITION__") {
                // Rows without a time: no projection reaches them (documented).
                assert!(!projected(&sql, &folder), "{folder}");
            } else {
                assert!(projected(&sql, &folder), "{granularity}: {folder}\n{sql}");
                timed += 1;
            }
        }
        assert!(timed > 0, "{files:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_table_of_an_alb_log_reaches_every_folder_the_converter_writes() {
    let dir = temp_dir("layout-alb");
    let log = dir.join("alb.log");
    // 18-field lines (the first era) in three hours of two days.
    let lines = [
        "2024-03-17T09:59:59.999999Z",
        "2024-03-17T10:00:00.000000Z",
        "2024-03-18T00:00:01.000000Z",
    ]
    .map(|time| {
        format!(
            "http {time} app/my-alb/50dc6c495c0c9188 192.0.2.10:51234 10.0.0.5:80 0.001 0.002 \
             0.000 200 200 34 366 \"GET http://www.example.com:80/ HTTP/1.1\" \"curl/8.5.0\" - - \
             arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/t/73e2d6bc24d8a067 \
             \"Root=1-65f6bf7f-0123456789abcdef01234567\"\n"
        )
    });
    std::fs::write(&log, lines.concat()).unwrap();
    let out = dir.join("table");
    for granularity in ["hour", "day"] {
        let _ = std::fs::remove_dir_all(&out);
        let status = run(&[
            "--partition-by",
            granularity,
            "-q",
            log.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(
            status.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        let table = out.join("alb-access");
        let location = format!("file://{}/", table.display());
        let sql = ddl(&[
            "--format",
            "alb",
            "--location",
            &location,
            "--partition-by",
            granularity,
        ]);
        let files = parquet_files(&table);
        let want = if granularity == "hour" { 3 } else { 2 };
        assert_eq!(files.len(), want, "{files:?}");
        for file in &files {
            let folder = format!("{location}{}", &file[..file.rfind('/').unwrap()]);
            assert!(projected(&sql, &folder), "{granularity}: {folder}\n{sql}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
