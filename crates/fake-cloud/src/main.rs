//! fake-cloud: a local server on 127.0.0.1 that speaks the five certificate APIs certdel
//! talks to, verifies their signatures and keeps an in-memory store seeded from JSON.
//!
//! Prints exactly one line, `listening on http://127.0.0.1:PORT` (`https://` with
//! `--tls-cert`/`--tls-key`), to stdout, then serves
//! until killed or interrupted; one line per request goes to stderr (never a secret).
//! See `fixtures/fake/README.md`.

use certdel::provider::Kind;
use clap::Parser;
use fake_cloud::{self as fake, Config, Faults, Quota, Seed, TlsIdentity};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// A fake Huawei SCM / Tencent SSL / Volcengine Live / Alibaba SLB + CAS on 127.0.0.1.
#[derive(Debug, Parser)]
#[command(name = "fake-cloud", version)]
struct Args {
    /// Port on 127.0.0.1 (0 = any free port)
    #[arg(long, default_value_t = 0)]
    port: u16,

    /// Seed file: credentials and certificates (format: fixtures/fake/README.md)
    #[arg(long, value_name = "FILE", default_value = "fixtures/fake/seed.json")]
    seed: PathBuf,

    /// Replace the seed's certificates with N generated ones per product (a third expired;
    /// the seed file still supplies the credentials) — for benchmarks and large demos
    #[arg(long, value_name = "N")]
    generate: Option<usize>,

    /// Append one JSON line per received request to FILE (headers, raw target, body)
    #[arg(long, value_name = "FILE")]
    capture: Option<PathBuf>,

    /// Delay every answer by this many milliseconds
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency_ms: u64,

    /// Token-bucket quota: PROVIDER=RATE[:BURST] (PROVIDER: huawei-scm, tencent-ssl,
    /// volcengine-live, alibaba-slb, alibaba-cas or all); repeatable
    #[arg(long, value_name = "PROVIDER=RATE[:BURST]")]
    quota: Vec<String>,

    /// Probability of a vendor-shaped internal error per request
    #[arg(long = "p-5xx", value_name = "P", default_value_t = 0.0)]
    p_5xx: f64,

    /// Probability of closing the connection without an answer per request
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    p_drop: f64,

    /// Fraction of injected faults that strike after the request was carried out
    #[arg(long, value_name = "F", default_value_t = 0.0)]
    fault_after_apply: f64,

    /// Seed of the fault PRNG (same seed + same request order = same faults)
    #[arg(long, value_name = "N", default_value_t = 1)]
    rng_seed: u64,

    /// Allowed clock skew in seconds for every vendor (default: each vendor's own)
    #[arg(long, value_name = "SECONDS")]
    clock_tolerance: Option<u64>,

    /// Tencent asynchronous deletions report "running" to this many polls first
    #[arg(long, value_name = "N", default_value_t = 1)]
    task_polls: u32,

    /// Alibaba throttling answers carry x-acs-retry-after: SECONDS
    #[arg(long, value_name = "SECONDS")]
    retry_after: Option<u32>,

    /// Serve https with this certificate chain (PEM, leaf first); needs --tls-key
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,

    /// The private key (PEM) of --tls-cert
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,

    /// Do not log requests to stderr
    #[arg(long, short)]
    quiet: bool,
}

fn probability(name: &str, p: f64) -> Result<f64, String> {
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!("--{name} {p}: give a probability between 0 and 1"))
    }
}

fn config(args: Args) -> Result<Config, String> {
    let mut seed = Seed::load(&args.seed)?;
    if let Some(n) = args.generate {
        seed.store = fake::generate(n, chrono::Utc::now());
    }
    let mut config = Config::new(seed);
    config.port = args.port;
    config.capture = args.capture;
    config.latency = Duration::from_millis(args.latency_ms);
    for q in &args.quota {
        let (who, spec) = q
            .split_once('=')
            .ok_or_else(|| format!("--quota '{q}': expected PROVIDER=RATE[:BURST]"))?;
        let quota = Quota::parse(spec).map_err(|e| format!("--quota {e}"))?;
        let kinds: Vec<Kind> = if who == "all" {
            Kind::ALL.to_vec()
        } else {
            vec![Kind::ALL
                .into_iter()
                .find(|k| k.name() == who)
                .ok_or_else(|| format!("--quota '{q}': unknown provider '{who}'"))?]
        };
        for k in kinds {
            config.quotas.insert(k, quota);
        }
    }
    config.faults = Faults {
        p_5xx: probability("p-5xx", args.p_5xx)?,
        p_drop: probability("p-drop", args.p_drop)?,
        after_apply: probability("fault-after-apply", args.fault_after_apply)?,
    };
    if config.faults.p_5xx + config.faults.p_drop > 1.0 {
        return Err("--p-5xx plus --p-drop must not exceed 1".into());
    }
    config.rng_seed = args.rng_seed;
    config.clock_tolerance = args.clock_tolerance.map(Duration::from_secs);
    config.task_polls = args.task_polls;
    config.retry_after = args.retry_after;
    config.log_stderr = !args.quiet;
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        let read = |flag: &str, path: &PathBuf| {
            std::fs::read(path).map_err(|e| format!("{flag} {}: {e}", path.display()))
        };
        config.tls = Some(TlsIdentity {
            cert_pem: read("--tls-cert", cert)?,
            key_pem: read("--tls-key", key)?,
        });
    }
    Ok(config)
}

fn main() -> ExitCode {
    let config = match config(Args::parse()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("fake-cloud: {e}");
            return ExitCode::from(2);
        }
    };
    let run = || -> std::io::Result<()> {
        let listener = fake::bind(config.port)?;
        let addr = listener.local_addr()?;
        let state = Arc::new(fake::State::new(config)?);
        let scheme = state.scheme();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            let mut out = std::io::stdout().lock();
            writeln!(out, "listening on {scheme}://{addr}")?;
            out.flush()?;
            drop(out);
            let stop = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            fake::serve_until(listener, state, stop).await
        })
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fake-cloud: {e}");
            ExitCode::from(1)
        }
    }
}
