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
    for source in [
        SourceType::S3Access,
        SourceType::CloudFrontRealtime,
        SourceType::CloudFrontStandard,
    ] {
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
