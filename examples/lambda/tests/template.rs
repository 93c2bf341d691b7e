//! The SAM template's safety properties, read from its text (cfn-lint, run by CI, checks that
//! it is a valid template; this checks what it grants and how failures are handled).

use regex::Regex;

fn template() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/template.yaml")).unwrap()
}

#[test]
fn s3_permissions_are_scoped_to_prefixes() {
    let text = template();
    // Every S3 object ARN names a prefix after its bucket: no `bucket/*`, no bucket ARN.
    let arn = Regex::new(r"arn:\$\{AWS::Partition\}:s3:::\$\{(\w+)\}(\S*)").unwrap();
    let mut seen = 0;
    for c in arn.captures_iter(&text) {
        seen += 1;
        let (bucket, rest) = (&c[1], &c[2]);
        assert!(
            rest.starts_with('/') && !rest.starts_with("/*") && rest.len() > 2,
            "{bucket}{rest}: a whole bucket"
        );
        if bucket == "OutputBucketName" {
            assert!(rest.starts_with("/${OutputPrefix}"), "{bucket}{rest}");
        }
    }
    assert!(seen >= 5, "{seen} S3 ARNs found");
    assert!(!text.contains("s3:ListBucket\n") && !text.contains("- s3:ListBucket"));
    assert!(!text.contains("s3:*"));
}

#[test]
fn an_empty_output_prefix_is_refused() {
    let text = template();
    let block = &text[text.find("  OutputPrefix:").unwrap()..];
    let block = &block[..block.find("\n\n").unwrap_or(block.len())];
    let pattern = Regex::new(r#"AllowedPattern: "([^"]+)""#).unwrap();
    let allowed = Regex::new(&pattern.captures(block).expect("a pattern")[1]).unwrap();
    assert!(!allowed.is_match(""));
    assert!(!allowed.is_match("/"));
    assert!(allowed.is_match("lets/"));
}

#[test]
fn retries_are_bounded_and_the_dead_letter_queue_alarms() {
    let text = template();
    assert!(text.contains("MaximumRetryAttempts:"));
    assert!(text.contains("MaximumEventAgeInSeconds:"));
    let alarm = &text[text.find("Type: AWS::CloudWatch::Alarm").expect("an alarm")..];
    let alarm = &alarm[..alarm.find("\n\n").unwrap_or(alarm.len())];
    assert!(
        alarm.contains("ApproximateNumberOfMessagesVisible"),
        "{alarm}"
    );
    assert!(alarm.contains("DeadLetterQueue"), "{alarm}");
}

/// The text of a top-level block (a parameter, a resource) named `name`, up to its blank line.
fn block<'a>(text: &'a str, name: &str) -> &'a str {
    let start = text
        .find(&format!("\n  {name}:\n"))
        .unwrap_or_else(|| panic!("{name} not found"));
    let block = &text[start + 1..];
    &block[..block.find("\n\n").unwrap_or(block.len())]
}

/// The `AllowedPattern` of a parameter, as a regex.
fn allowed_pattern(text: &str, parameter: &str) -> Regex {
    let pattern = Regex::new(r#"AllowedPattern: "([^"]+)""#).unwrap();
    let block = block(text, parameter);
    Regex::new(&pattern.captures(block).expect("a pattern")[1]).unwrap()
}

#[test]
fn the_batch_operations_role_is_opt_in_and_least_privilege() {
    let text = template();
    let role = block(&text, "BatchOperationsRole");
    // Opt-in: only with a manifest bucket, and its ARN is an output under the same condition.
    assert!(
        role.contains("Condition: CreateBatchOperationsRole"),
        "{role}"
    );
    assert!(
        text.contains("CreateBatchOperationsRole: !Not [!Equals [!Ref BatchManifestBucket, \"\"]]")
    );
    let output = &text[text.find("  BatchOperationsRoleArn:").expect("an output")..];
    assert!(output.contains("Condition: CreateBatchOperationsRole"));
    assert!(output.contains("!GetAtt BatchOperationsRole.Arn"));

    // Trusted by S3 Batch Operations only.
    let principals: Vec<&str> = role
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Service: "))
        .collect();
    assert_eq!(principals, ["batchoperations.s3.amazonaws.com"]);
    assert!(!role.contains("AWS: "), "{role}");

    // Exactly these actions, nothing wider.
    let action = Regex::new(r"\b(lambda|s3|iam|sts|logs|sqs|kms):[A-Za-z*]+").unwrap();
    let mut actions: Vec<&str> = action.find_iter(role).map(|m| m.as_str()).collect();
    actions.sort_unstable();
    actions.dedup();
    assert_eq!(
        actions,
        [
            "lambda:InvokeFunction",
            "s3:GetObject",
            "s3:GetObjectVersion",
            "s3:PutObject",
            "sts:AssumeRole"
        ]
    );
    assert!(!role.contains("\"*\"") && !role.contains(": '*'"), "{role}");

    // Invoke: this function (and its versions or aliases), nothing else.
    let invoke = &role[role.find("Sid: InvokeLogsToParquet").unwrap()..];
    let invoke = &invoke[..invoke.find("- Sid:").unwrap_or(invoke.len())];
    let resources: Vec<&str> = invoke
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("- !"))
        .collect();
    assert_eq!(
        resources,
        [
            "- !GetAtt LogsToParquetFunction.Arn",
            "- !Sub ${LogsToParquetFunction.Arn}:*"
        ]
    );

    // S3: the manifests read under their prefix, the reports written under theirs; no other
    // wildcard, no whole bucket.
    let arn = Regex::new(r"arn:\$\{AWS::Partition\}:s3:::\$\{(\w+)\}(\S*)").unwrap();
    let statement = |sid: &str| {
        let s = &role[role.find(&format!("Sid: {sid}")).unwrap()..];
        s[..s[1..].find("- Sid:").map_or(s.len(), |i| i + 1)].to_string()
    };
    let arns = |s: &str| -> Vec<(String, String)> {
        arn.captures_iter(s)
            .map(|c| (c[1].to_string(), c[2].to_string()))
            .collect()
    };
    let read = statement("ReadManifests");
    assert!(!read.contains("s3:PutObject"), "{read}");
    assert_eq!(
        arns(&read),
        [(
            "BatchManifestBucket".to_string(),
            "/${BatchManifestPrefix}*".to_string()
        )]
    );
    let write = statement("WriteCompletionReports");
    assert!(!write.contains("s3:GetObject"), "{write}");
    let written = arns(&write);
    assert_eq!(written.len(), 2, "{write}");
    for (bucket, rest) in written {
        assert!(
            bucket == "BatchReportBucket" || bucket == "BatchManifestBucket",
            "{bucket}"
        );
        assert_eq!(rest, "/${BatchReportPrefix}*");
    }

    // The prefixes cannot be empty, a whole bucket or a wildcard.
    for parameter in ["BatchManifestPrefix", "BatchReportPrefix"] {
        let allowed = allowed_pattern(&text, parameter);
        for bad in ["", "/", "*", "*/", "a*/", "/a/", "logs"] {
            assert!(!allowed.is_match(bad), "{parameter} allows {bad:?}");
        }
        assert!(allowed.is_match("batch-reports/"));
        assert!(allowed.is_match("inventory/logs bucket/"));
    }
    // An empty manifest bucket is allowed (no role); a bucket name otherwise.
    let bucket = allowed_pattern(&text, "BatchManifestBucket");
    assert!(bucket.is_match(""));
    assert!(bucket.is_match("my-manifests"));
    assert!(!bucket.is_match("my-manifests/*"));
}

#[test]
fn partitioning_is_a_parameter_passed_to_the_function() {
    let text = template();
    let parameter = block(&text, "PartitionBy");
    assert!(parameter.contains("Default: hour"), "{parameter}");
    let allowed: Vec<&str> = parameter
        .lines()
        .skip_while(|l| !l.contains("AllowedValues:"))
        .skip(1)
        .map_while(|l| l.trim().strip_prefix("- "))
        .collect();
    assert_eq!(allowed, ["hour", "day"]);
    assert!(text.contains("PARTITION_BY: !Ref PartitionBy"));
}

#[test]
fn the_in_memory_size_is_a_parameter_passed_to_the_function() {
    use aws_access_logs_lambda::config::{
        DEFAULT_IN_MEMORY_OBJECT_BYTES, DEFAULT_MAX_OBJECT_BYTES, IN_MEMORY_OBJECT_BYTES_VAR,
        MAX_OBJECT_BYTES_VAR,
    };
    let text = template();
    // The template's defaults are the function's.
    assert_eq!(
        parameter_default(&text, "InMemoryObjectBytes"),
        DEFAULT_IN_MEMORY_OBJECT_BYTES.to_string()
    );
    assert_eq!(
        parameter_default(&text, "MaxObjectBytes"),
        DEFAULT_MAX_OBJECT_BYTES.to_string()
    );
    // 0 (stream every object) is allowed.
    let parameter = block(&text, "InMemoryObjectBytes");
    assert!(parameter.contains("    MinValue: 0\n"), "{parameter}");
    assert!(text.contains(&format!(
        "{IN_MEMORY_OBJECT_BYTES_VAR}: !Ref InMemoryObjectBytes\n"
    )));
    assert!(text.contains(&format!("{MAX_OBJECT_BYTES_VAR}: !Ref MaxObjectBytes\n")));
}

/// Whether an IAM resource pattern (`*` any run of characters, `/` included) matches `key`.
fn glob_matches(pattern: &str, key: &str) -> bool {
    let regex = format!("^{}$", regex::escape(pattern).replace(r"\*", ".*"));
    Regex::new(&regex).unwrap().is_match(key)
}

/// The output-bucket resources of the statement `sid`, with `${OutputPrefix}` = `prefix`.
fn output_resources(text: &str, sid: &str, prefix: &str) -> Vec<String> {
    let start = text
        .find(&format!("- Sid: {sid}\n"))
        .unwrap_or_else(|| panic!("statement {sid} not found"));
    let rest = &text[start + 1..];
    let end = rest.find("- Sid:").unwrap_or(rest.len());
    let arn = Regex::new(r"arn:\$\{AWS::Partition\}:s3:::\$\{OutputBucketName\}/(\S+)").unwrap();
    arn.captures_iter(&rest[..end])
        .map(|c| c[1].replace("${OutputPrefix}", prefix))
        .collect()
}

#[test]
fn the_function_may_write_every_key_it_writes() {
    use aws_access_logs::partition::{Granularity, Partition};
    use aws_access_logs_lambda::SourceType;
    use aws_access_logs_lambda::process::output_keys;

    let text = template();
    let prefix = "lets/";
    let partitions = [
        Granularity::Hour.of(1_710_669_600_000),
        Granularity::Day.of(0),
        Partition::Untimed(Granularity::Hour),
    ];
    for source in SourceType::ALL {
        for last_modified in [Some(1_710_669_600_000), None] {
            let keys = output_keys(prefix, source, &partitions, last_modified, "0123abcd");
            let allowed = |sid: &str, key: &str| {
                let resources = output_resources(&text, sid, prefix);
                assert!(
                    resources.iter().any(|r| glob_matches(r, key)),
                    "{sid} does not cover {key}: {resources:?}"
                );
            };
            for key in &keys.parquet {
                allowed("WriteOutput", key);
                allowed("AbortParquetUploads", key);
            }
            allowed("WriteOutput", &keys.rejects);
            allowed("DeleteRejectsOfFailedObjects", &keys.rejects);
            allowed("WriteOutput", &keys.latest);
            allowed("ReadLatest", &keys.latest);
            // Reading is granted for the latest documents only, never for the table or rejects.
            for key in keys.parquet.iter().chain([&keys.rejects]) {
                let read = output_resources(&text, "ReadLatest", prefix);
                assert!(!read.iter().any(|r| glob_matches(r, key)), "{key}");
            }
        }
    }
}

/// A `- {Name: x, Type: y[, Comment: "z"]}` line of a Glue table's columns or partition keys.
fn glue_column(line: &str) -> Option<(String, String, Option<String>)> {
    let entry =
        Regex::new(r#"^\{Name: ([a-z0-9_]+), Type: ([a-z]+)(?:, Comment: "([^"\\]*)")?\}$"#)
            .unwrap();
    let c = entry.captures(line.trim().trim_start_matches("- "))?;
    Some((
        c[1].to_string(),
        c[2].to_string(),
        c.get(3).map(|m| m.as_str().to_string()),
    ))
}

/// A Glue table of the template, as it is with `PartitionBy` = `granularity`, `OutputBucketName`
/// = `OUTPUT_BUCKET` and `OutputPrefix` = `lets/`.
#[derive(Debug, PartialEq)]
struct GlueTable {
    name: String,
    location: String,
    columns: Vec<(String, String, Option<String>)>,
    partition_keys: Vec<(String, String, Option<String>)>,
    parameters: std::collections::BTreeMap<String, String>,
}

/// A value of the template: `!Sub` substituted, quotes removed; `None` for `AWS::NoValue`.
fn glue_value(value: &str) -> Option<String> {
    let value = value.trim();
    if value == "!Ref AWS::NoValue" {
        return None;
    }
    let value = value.strip_prefix("!Sub ").unwrap_or(value);
    let value = value.trim_matches('"');
    Some(
        value
            .replace("${OutputBucketName}", "OUTPUT_BUCKET")
            .replace("${OutputPrefix}", "lets/")
            .replace("${!", "${"),
    )
}

fn glue_table(
    text: &str,
    resource: &str,
    granularity: aws_access_logs::partition::Granularity,
) -> GlueTable {
    let day = granularity == aws_access_logs::partition::Granularity::Day;
    let block = block(text, resource);
    assert!(block.contains("    Type: AWS::Glue::Table\n"), "{block}");
    assert!(
        block.contains("      DatabaseName: !Ref GlueDatabase\n"),
        "{block}"
    );
    assert!(
        block.contains("        TableType: EXTERNAL_TABLE\n"),
        "{block}"
    );
    for (key, value) in [
        (
            "InputFormat",
            "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        ),
        (
            "OutputFormat",
            "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        ),
        (
            "SerializationLibrary",
            "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        ),
    ] {
        assert!(
            block.contains(&format!("{key}: {value}\n")),
            "{resource}: {key}"
        );
    }
    let lines: Vec<&str> = block.lines().collect();
    let find = |prefix: &str| {
        lines
            .iter()
            .position(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("{resource}: no {prefix:?}"))
    };
    let name = lines[find("        Name: ")]["        Name: ".len()..].to_string();
    let location =
        glue_value(&lines[find("          Location: ")]["          Location: ".len()..]).unwrap();

    // Parameters: `key: value`, `key: !If [PartitionByDay, DAY, HOUR]`, or `key: !If` with
    // the condition, DAY and HOUR on the next lines.
    let mut parameters = std::collections::BTreeMap::new();
    let (start, end) = (find("        Parameters:"), find("        PartitionKeys:"));
    let mut i = start + 1;
    while i < end {
        let (key, value) = lines[i].trim().split_once(": ").unwrap();
        let value = if let Some(inline) = value.strip_prefix("!If [PartitionByDay, ") {
            let (if_day, if_hour) = inline.strip_suffix(']').unwrap().split_once(", ").unwrap();
            if day { if_day } else { if_hour }
        } else if value == "!If" {
            assert_eq!(lines[i + 1].trim(), "- PartitionByDay", "{resource}: {key}");
            let chosen = if day { lines[i + 2] } else { lines[i + 3] };
            i += 3;
            chosen.trim().strip_prefix("- ").unwrap()
        } else {
            value
        };
        if let Some(value) = glue_value(value) {
            parameters.insert(key.to_string(), value);
        }
        i += 1;
    }

    // Partition keys: `!If` with the day's list, then the hour's.
    assert_eq!(lines[end].trim(), "PartitionKeys: !If", "{resource}");
    assert_eq!(lines[end + 1].trim(), "- PartitionByDay", "{resource}");
    let storage = find("        StorageDescriptor:");
    let mut lists: Vec<Vec<_>> = Vec::new();
    for line in &lines[end + 2..storage] {
        if line.trim().starts_with("- - ") {
            lists.push(Vec::new());
        }
        lists
            .last_mut()
            .unwrap()
            .push(glue_column(line).expect(line));
    }
    assert_eq!(lists.len(), 2, "{resource}");
    let partition_keys = lists.swap_remove(if day { 0 } else { 1 });

    let columns_at = find("          Columns:");
    let columns = lines[columns_at + 1..]
        .iter()
        .map(|l| glue_column(l).unwrap_or_else(|| panic!("{resource}: {l}")))
        .collect();
    GlueTable {
        name,
        location,
        columns,
        partition_keys,
        parameters,
    }
}

/// What `aws_access_logs::ddl` generates for the same table.
fn generated(table: aws_access_logs::ddl::AthenaTable, location: &str) -> GlueTable {
    let as_tuples = |columns: &[aws_access_logs::ddl::Column]| {
        columns
            .iter()
            .map(|c| (c.name.clone(), c.hive_type.to_string(), c.comment.clone()))
            .collect()
    };
    let table = table.with_location(location);
    GlueTable {
        name: table.table_name().to_string(),
        location: table.location().unwrap(),
        columns: as_tuples(table.columns()),
        partition_keys: as_tuples(&table.partition_columns()),
        parameters: table.properties().unwrap().into_iter().collect(),
    }
}

/// The `Default:` of a parameter.
fn parameter_default(text: &str, parameter: &str) -> String {
    let block = block(text, parameter);
    let line = block
        .lines()
        .find_map(|l| l.strip_prefix("    Default: "))
        .unwrap_or_else(|| panic!("{parameter} has no default"));
    line.trim_matches('"').to_string()
}

#[test]
fn the_glue_tables_are_the_library_s_tables_of_the_function_s_output() {
    use aws_access_logs::ddl::{AthenaTable, standard_legacy_fields};
    use aws_access_logs::partition::Granularity;
    use aws_access_logs::{Format, ReaderBuilder};
    use aws_access_logs_lambda::{Config, SourceType};

    let text = template();
    // Opt-in: nothing without a database name.
    assert_eq!(parameter_default(&text, "GlueDatabaseName"), "");
    assert!(text.contains("  CreateGlueTables: !Not [!Equals [!Ref GlueDatabaseName, \"\"]]\n"));
    assert!(block(&text, "GlueDatabase").contains("    Condition: CreateGlueTables\n"));
    let database_names = allowed_pattern(&text, "GlueDatabaseName");
    assert!(database_names.is_match("") && database_names.is_match("access_logs"));
    assert!(!database_names.is_match("Access-Logs"));
    // The real-time table only for the default field list, which the condition repeats.
    let realtime_default = parameter_default(&text, "CloudFrontRealtimeFields");
    assert!(text.contains(&format!(
        "  CreateRealtimeGlueTable: !And\n    - !Condition CreateGlueTables\n    - !Equals\n      \
         - !Ref CloudFrontRealtimeFields\n      - {realtime_default}\n"
    )));
    assert!(text.contains("  PartitionByDay: !Equals [!Ref PartitionBy, day]\n"));

    for granularity in [Granularity::Hour, Granularity::Day] {
        // The function's configuration from the template's defaults.
        let config = Config::from_lookup(|name| match name {
            "CACHE__SERVICE__BUCKET_NAME" => Some("OUTPUT_BUCKET".to_string()),
            "OUTPUT_PREFIX" => Some("lets/".to_string()),
            "CLOUDFRONT_REALTIME_FIELDS" => Some(realtime_default.clone()),
            "PARTITION_BY" => Some(granularity.name().to_string()),
            _ => None,
        })
        .unwrap();
        assert_eq!(config.partition_by, granularity);
        let realtime = ReaderBuilder::new(Format::CloudFrontRealtime)
            .with_fields(config.realtime_fields.clone().unwrap());
        let standard =
            ReaderBuilder::new(Format::CloudFrontStandard).with_fields(standard_legacy_fields());
        for (resource, condition, builder, source) in [
            (
                "S3AccessGlueTable",
                "CreateGlueTables",
                ReaderBuilder::new(Format::S3),
                SourceType::S3Access,
            ),
            (
                "CloudFrontStandardGlueTable",
                "CreateGlueTables",
                standard,
                SourceType::CloudFrontStandard,
            ),
            (
                "CloudFrontRealtimeGlueTable",
                "CreateRealtimeGlueTable",
                realtime,
                SourceType::CloudFrontRealtime,
            ),
            (
                "AlbAccessGlueTable",
                "CreateGlueTables",
                ReaderBuilder::new(Format::Alb),
                SourceType::AlbAccess,
            ),
            (
                "NlbAccessGlueTable",
                "CreateGlueTables",
                ReaderBuilder::new(Format::Nlb),
                SourceType::NlbAccess,
            ),
            (
                "ClbAccessGlueTable",
                "CreateGlueTables",
                ReaderBuilder::new(Format::Clb),
                SourceType::ClbAccess,
            ),
            (
                "AlbConnectionGlueTable",
                "CreateGlueTables",
                ReaderBuilder::new(Format::AlbConnection),
                SourceType::AlbConnection,
            ),
        ] {
            assert!(block(&text, resource).contains(&format!("    Condition: {condition}\n")));
            let location = format!("s3://OUTPUT_BUCKET/lets/{}/", source.name());
            let want = generated(
                AthenaTable::from_builder(&builder)
                    .unwrap()
                    .with_partition_by(config.partition_by),
                &location,
            );
            let got = glue_table(&text, resource, granularity);
            assert_eq!(got, want, "{resource} by the {granularity}");

            // The projected location of a partition is the folder of the function's files.
            let partition = granularity.of(1_710_669_600_000);
            let key =
                aws_access_logs_lambda::process::parquet_key("lets/", source, &partition, "id");
            let mut folder = got.parameters["storage.location.template"].clone();
            for (column, value) in granularity.columns().iter().zip(partition.values()) {
                let digits: usize = got.parameters[&format!("projection.{column}.digits")]
                    .parse()
                    .unwrap();
                let value = format!("{:0digits$}", value.unwrap());
                folder = folder.replace(&format!("${{{column}}}"), &value);
            }
            assert_eq!(
                format!("{folder}/id.parquet"),
                format!("s3://OUTPUT_BUCKET/{key}")
            );
        }
    }
}

/// The resources of the statement `sid` of `block` that are S3 object ARNs of `bucket`
/// (`${bucket}` in the template), with `${AWS::AccountId}` = `account`.
fn object_resources(block: &str, sid: &str, bucket: &str, account: &str) -> Vec<String> {
    let start = block
        .find(&format!("- Sid: {sid}\n"))
        .unwrap_or_else(|| panic!("statement {sid} not found"));
    let rest = &block[start + 1..];
    let end = rest.find("- Sid:").unwrap_or(rest.len());
    let arn = Regex::new(&format!(
        r"arn:\$\{{AWS::Partition\}}:s3:::\$\{{{bucket}\}}/(\S+)"
    ))
    .unwrap();
    arn.captures_iter(&rest[..end])
        .map(|c| c[1].replace("${AWS::AccountId}", account))
        .collect()
}

#[test]
fn elastic_load_balancing_logs_are_notified_read_and_delivered_under_aws_logs() {
    use aws_access_logs_lambda::config::{elb_source_type, is_elb_test_file};

    let text = template();
    let account = "123456789012";
    let keys = [
        "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2024/03/17/\
         123456789012_elasticloadbalancing_us-east-2_app.my-alb.50dc6c495c0c9188_\
         20240317T1000Z_192.0.2.200_2t2dtogd.log.gz",
        "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2024/03/17/\
         123456789012_elasticloadbalancing_us-east-2_my-clb_20240317T0900Z_192.0.2.201_\
         3j2ld8ss.log",
        "AWSLogs/123456789012/ELBAccessLogTestFile",
    ];
    assert!(elb_source_type(keys[0]).is_some() && elb_source_type(keys[1]).is_some());
    assert!(is_elb_test_file(keys[2]));

    // A notification for the prefix, without a suffix filter (CLB logs are .log, the others
    // .log.gz).
    let function = block(&text, "LogsToParquetFunction");
    let events = &function[function.find("      Events:\n").unwrap()..];
    // The last event of the function's block.
    let notification = &events[events.find("        ElasticLoadBalancingLogs:\n").unwrap()..];
    assert!(
        notification.ends_with("- Name: prefix\n                    Value: AWSLogs/"),
        "{notification}"
    );
    assert!(!notification.contains("suffix"), "{notification}");

    // The function may read every key there.
    let role = block(&text, "LogsToParquetRole");
    let read = object_resources(role, "ReadRawLogs", "LogBucketName", account);
    for key in keys {
        assert!(read.iter().any(|r| glob_matches(r, key)), "{key}: {read:?}");
    }

    // ELB may write there, and only under the stack's own account.
    let policy = block(&text, "LogBucketPolicy");
    for sid in [
        "ElasticLoadBalancingLogsDelivery",
        "ElasticLoadBalancingAccountLogsDelivery",
        "NlbLogsDelivery",
    ] {
        let resources = object_resources(policy, sid, "LogBucketName", account);
        assert_eq!(resources, ["AWSLogs/123456789012/*"], "{sid}");
        for key in keys {
            assert!(glob_matches(&resources[0], key), "{sid}: {key}");
        }
        assert!(
            !glob_matches(&resources[0], "AWSLogs/210987654321/x"),
            "{sid}"
        );
        assert!(!glob_matches(&resources[0], "cache-bucket/x"), "{sid}");
    }
    // The older Regions' ELB account: a parameter, empty by default (no statement).
    assert_eq!(parameter_default(&text, "ElbAccountId"), "");
    let ids = allowed_pattern(&text, "ElbAccountId");
    assert!(ids.is_match("") && ids.is_match("127311923021"));
    assert!(!ids.is_match("*") && !ids.is_match("12731192302"));
    assert!(text.contains("  HasElbAccountId: !Not [!Equals [!Ref ElbAccountId, \"\"]]\n"));
}
