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
