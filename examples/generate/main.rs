//! Writes a realistic generated AWS log (deterministic for a given seed), for benchmarks and
//! size measurements.
//!
//! ```sh
//! cargo run --release --example generate -- --format s3 --size 100MB -o s3.log
//! cargo run --release --example generate -- --format cloudfront-realtime --size 1GB -o rt.log
//! cargo run --release --example generate -- --format alb --size 100MB -o alb.log
//! ```
//!
//! `--format` also takes `nlb`, `clb` and `alb-connection` (Elastic Load Balancing logs of
//! one load balancer node; `logs/elb.rs` says what they hold).
//!
//! Real-time logs are written with the field list in `logs::REALTIME_FIELDS` (printed with
//! `--print-fields`): convert them with `--fields` set to it.

mod logs;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use logs::{Generator, Kind};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    S3,
    CloudfrontRealtime,
    CloudfrontStandard,
    /// Application Load Balancer access logs.
    Alb,
    /// Network Load Balancer access logs.
    Nlb,
    /// Classic Load Balancer access logs.
    Clb,
    /// Application Load Balancer connection logs.
    AlbConnection,
}

/// Generate a realistic AWS access log.
#[derive(Debug, Parser)]
struct Args {
    /// Log format.
    #[arg(long, value_enum)]
    format: FormatArg,
    /// Approximate size: bytes, or with a KB, MB or GB suffix (powers of 1000).
    #[arg(long, default_value = "10MB")]
    size: String,
    /// Seed of the random generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output file (`-` for stdout).
    #[arg(short, long, default_value = "-")]
    output: PathBuf,
    /// Print the real-time field list the generator uses, and exit.
    #[arg(long)]
    print_fields: bool,
}

fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult) = match s.to_ascii_uppercase() {
        u if u.ends_with("GB") => (&s[..s.len() - 2], 1_000_000_000),
        u if u.ends_with("MB") => (&s[..s.len() - 2], 1_000_000),
        u if u.ends_with("KB") => (&s[..s.len() - 2], 1_000),
        _ => (s, 1),
    };
    num.trim().parse::<u64>().ok().map(|n| n * mult)
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.print_fields {
        println!("{}", logs::REALTIME_FIELDS);
        return ExitCode::SUCCESS;
    }
    let Some(size) = parse_size(&args.size) else {
        eprintln!("generate: error: invalid --size {:?}", args.size);
        return ExitCode::from(2);
    };
    let kind = match args.format {
        FormatArg::S3 => Kind::S3,
        FormatArg::CloudfrontRealtime => Kind::CloudFrontRealtime,
        FormatArg::CloudfrontStandard => Kind::CloudFrontStandard,
        FormatArg::Alb => Kind::Alb,
        FormatArg::Nlb => Kind::Nlb,
        FormatArg::Clb => Kind::Clb,
        FormatArg::AlbConnection => Kind::AlbConnection,
    };
    let out: Box<dyn Write> = if args.output.as_os_str() == "-" {
        Box::new(std::io::stdout().lock())
    } else {
        match File::create(&args.output) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!(
                    "generate: error: cannot create {}: {e}",
                    args.output.display()
                );
                return ExitCode::from(1);
            }
        }
    };
    let mut out = BufWriter::with_capacity(1 << 20, out);
    let mut generator = Generator::new(kind, args.seed);
    let mut written = 0u64;
    let mut chunk = String::with_capacity(1 << 20);
    while written < size {
        chunk.clear();
        while chunk.len() < (1 << 20) - 4096 && written + (chunk.len() as u64) < size {
            generator.line(&mut chunk);
        }
        if let Err(e) = out.write_all(chunk.as_bytes()) {
            eprintln!("generate: error: {e}");
            return ExitCode::from(1);
        }
        written += chunk.len() as u64;
    }
    if let Err(e) = out.flush() {
        eprintln!("generate: error: {e}");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
