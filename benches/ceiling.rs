//! Deletion at the quota ceiling, measured: the release `certdel` binary against the fake
//! cloud on 127.0.0.1. Prints one row per case, side by side in one run:
//! wall time, the ideal N/R, their ratio, wrong outcomes, retries, peak RSS.
//!
//! ```sh
//! cargo bench --bench ceiling            # everything (about three minutes)
//! cargo bench --bench ceiling -- quick   # smaller N, for a smoke run
//! ```
//! Results and their interpretation: `benches/README.md`.

use certdel::provider::Kind;
use chrono::{Duration as Days, Utc};
use fake_cloud::{self as fake, CasKind, Cert, Config, Faults, Quota, Running, Seed};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_certdel");

/// The `fake-cloud` binary (its own crate), with the same profile next to `certdel`.
fn fake_cloud_bin() -> std::path::PathBuf {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    fake::binary_beside(
        std::path::Path::new(BIN),
        root,
        &[root.join("src"), root.join("crates/fake-cloud/src")],
    )
}

struct Run {
    wall: Duration,
    exit: i32,
    stdout: String,
    peak_rss_kb: i64,
}

/// The bench's audit log: under the temp dir, never the home of whoever runs the bench;
/// removed when the bench ends.
fn audit_log() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("certdel-bench-audit-{}.jsonl", std::process::id()))
}

/// Run certdel with the demo credentials, feeding `stdin`; peak RSS comes from wait4(2).
// The child is reaped by `wait4` (which also gives its peak RSS), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn certdel(args: &[&str], stdin: &str) -> Run {
    certdel_with(args, stdin, &[])
}

/// [`certdel`] with more variables.
#[allow(clippy::zombie_processes)]
fn certdel_with(args: &[&str], stdin: &str, extra: &[(&str, &str)]) -> Run {
    let start = Instant::now();
    let mut child = Command::new(BIN)
        .args(args)
        .env_clear()
        .envs([
            ("HUAWEICLOUD_SDK_AK", "DEMO-AK-HUAWEI"),
            ("HUAWEICLOUD_SDK_SK", "demo-secret-huawei"),
            ("HUAWEICLOUD_SDK_DOMAIN_ID", "demo-domain-id-0001"),
            ("TENCENTCLOUD_SECRET_ID", "DEMO-AK-TENCENT"),
            ("TENCENTCLOUD_SECRET_KEY", "demo-secret-tencent"),
            ("VOLCENGINE_ACCESS_KEY", "DEMO-AK-VOLCENGINE"),
            ("VOLCENGINE_SECRET_KEY", "demo-secret-volcengine"),
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "DEMO-AK-ALIBABA"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "demo-secret-alibaba"),
        ])
        .env("CERTDEL_AUDIT_LOG", audit_log())
        .envs(extra.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn certdel");
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_string();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(stdin.as_bytes());
    });
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let (exit, peak_rss_kb) = wait4(child.id() as libc::pid_t);
    let wall = start.elapsed();
    writer.join().unwrap();
    let stdout = reader.join().unwrap();
    Run {
        wall,
        exit,
        stdout,
        peak_rss_kb,
    }
}

fn wait4(pid: libc::pid_t) -> (i32, i64) {
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child; status and usage point to valid memory.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4 failed");
    let exit = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    (exit, usage.ru_maxrss)
}

fn ids(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i:08}")).collect()
}

fn store_of(kind: Kind, ids: &[String]) -> Seed {
    let later = Utc::now() + Days::days(30);
    ids.iter().fold(Seed::demo(), |s, id| {
        s.with(kind, Cert::new(id.clone()).not_after(later))
    })
}

/// Outcome per id from NDJSON; counts ids whose report disagrees with the store (reported
/// deleted but present, or reported anything else but gone) and retries (attempts - 1).
struct Judged {
    wrong: usize,
    failed: usize,
    retries: u64,
}

fn judge(fake: &Running, kind: Kind, ids: &[String], stdout: &str) -> Judged {
    let mut wrong = 0;
    let mut not_deleted = 0;
    let mut retries = 0;
    let mut seen = std::collections::HashMap::new();
    for line in stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("NDJSON line");
        seen.insert(v["id"].as_str().unwrap().to_string(), v);
    }
    for id in ids {
        let Some(v) = seen.get(id) else {
            wrong += 1; // an id without an outcome is a wrong outcome
            continue;
        };
        // `gone`: not there after a lost reply; honest exactly when the store agrees.
        let deleted = v["outcome"] == "deleted" || v["outcome"] == "gone";
        let present = fake.contains(kind, id);
        if deleted == present {
            wrong += 1;
        }
        if !deleted {
            not_deleted += 1;
        }
        retries += v["attempts"].as_u64().unwrap_or(1).saturating_sub(1);
    }
    Judged {
        wrong,
        failed: not_deleted,
        retries,
    }
}

fn row(case: &str, n: usize, rate: f64, run: &Run, ideal: Option<f64>, j: &Judged) {
    let wall = run.wall.as_secs_f64();
    let (ideal_s, ratio) = match ideal {
        Some(i) => (format!("{i:.2}"), format!("{:.3}", wall / i)),
        None => ("-".into(), "-".into()),
    };
    println!(
        // RSS "-": with the fake in this process, the child's ru_maxrss would include the
        // harness's own address space at spawn time (see FakeProcess).
        "{case:<34} {n:>6} {rate:>6} {wall:>9.3} {ideal_s:>8} {ratio:>7} {:>6} {:>7} {:>8} {:>8} {:>5}",
        j.wrong,
        j.failed,
        j.retries,
        "-",
        run.exit
    );
}

fn ceiling_case(name: &str, n: usize, rate: f64, latency_ms: u64, faults: Faults) {
    let kind = Kind::VolcengineLive;
    let ids = ids("chain-", n);
    let mut config = Config::new(store_of(kind, &ids));
    config.latency = Duration::from_millis(latency_ms);
    config.quotas.insert(
        kind,
        Quota {
            rate,
            burst: rate / 5.0,
        },
    );
    config.faults = faults;
    config.rng_seed = 7;
    let fake = fake::start(config).expect("start fake cloud");
    let url = fake.url();
    let rate_s = rate.to_string();
    let run = certdel(
        &[
            "volcengine-live",
            "delete",
            "-",
            "--yes",
            "--output",
            "json",
            "--endpoint",
            &url,
            "--rate",
            &rate_s,
            "--timeout",
            "5",
        ],
        &(ids.join("\n") + "\n"),
    );
    let j = judge(&fake, kind, &ids, &run.stdout);
    row(name, n, rate, &run, Some(n as f64 / rate), &j);
    fake.shutdown();
}

/// One provider's faults case: label, product, extra flags, id shape, certificate shape.
type FaultCase = (
    &'static str,
    Kind,
    &'static [&'static str],
    fn(usize) -> String,
    fn(Cert) -> Cert,
);

/// The faults case on every provider (both alibaba-cas targets, tencent-ssl batched and one
/// request per id): outcomes the store contradicts must stay at 0 everywhere.
fn faults_every_provider(n: usize, faults: Faults) {
    let later = Utc::now() + Days::days(30);
    let cases: [FaultCase; 7] = [
        (
            "faults, huawei-scm",
            Kind::HuaweiScm,
            &[],
            |i| format!("scs{:013}", i),
            |c| c,
        ),
        (
            "faults, tencent-ssl (batches)",
            Kind::TencentSsl,
            &[],
            |i| format!("tc{i:06}"),
            |c| c,
        ),
        (
            "faults, tencent-ssl (--no-batch)",
            Kind::TencentSsl,
            &["--no-batch"],
            |i| format!("tc{i:06}"),
            |c| c,
        ),
        (
            "faults, volcengine-live",
            Kind::VolcengineLive,
            &[],
            |i| format!("chain-{i:08}"),
            |c| c,
        ),
        (
            "faults, alibaba-slb",
            Kind::AlibabaSlb,
            &["--region", "cn-hangzhou"],
            |i| format!("slb_{i}"),
            |c| c.region("cn-hangzhou"),
        ),
        (
            "faults, alibaba-cas orders",
            Kind::AlibabaCas,
            &[],
            |i| format!("{}", 100_000 + i),
            |c| c.kind(CasKind::Order).status("CHECKED_FAIL"),
        ),
        (
            "faults, alibaba-cas certificates",
            Kind::AlibabaCas,
            &["--target", "certificates"],
            |i| format!("{}", 900_000 + i),
            |c| c.kind(CasKind::Certificate),
        ),
    ];
    for (label, kind, extra, id, shape) in cases {
        let ids: Vec<String> = (0..n).map(id).collect();
        let seed = ids.iter().fold(Seed::demo(), |s, i| {
            s.with(kind, shape(Cert::new(i.clone()).not_after(later)))
        });
        let mut config = Config::new(seed);
        config.latency = Duration::from_millis(30);
        config.quotas.insert(
            kind,
            Quota {
                rate: 50.0,
                burst: 10.0,
            },
        );
        config.faults = faults;
        config.rng_seed = 7;
        let fake = fake::start(config).expect("start fake cloud");
        let url = fake.url();
        let mut args = vec![kind.name(), "delete", "-", "--yes", "--output", "json"];
        args.extend(["--endpoint", &url, "--rate", "50", "--timeout", "5"]);
        args.extend(extra.iter().copied());
        let run = certdel(&args, &(ids.join("\n") + "\n"));
        let j = judge(&fake, kind, &ids, &run.stdout);
        row(label, n, 50.0, &run, Some(n as f64 / 50.0), &j);
        fake.shutdown();
    }
}

fn tencent_batch(n: usize) {
    let kind = Kind::TencentSsl;
    for (label, extra) in [
        ("tencent batch (DeleteCertificates)", None),
        ("tencent one request per id", Some("--no-batch")),
    ] {
        let ids = ids("tc", n);
        let mut config = Config::new(store_of(kind, &ids));
        config.quotas.insert(
            kind,
            Quota {
                rate: 10.0,
                burst: 2.0,
            },
        );
        let fake = fake::start(config).expect("start fake cloud");
        let url = fake.url();
        let mut args = vec![
            "tencent-ssl",
            "delete",
            "-",
            "--yes",
            "--output",
            "json",
            "--endpoint",
            &url,
            "--rate",
            "10",
        ];
        if let Some(flag) = extra {
            args.push(flag);
        }
        let run = certdel(&args, &(ids.join("\n") + "\n"));
        let j = judge(&fake, kind, &ids, &run.stdout);
        row(label, n, 10.0, &run, None, &j);
        fake.shutdown();
    }
}

/// Median, min and max of `runs` timings in milliseconds.
fn spread(mut ms: Vec<f64>) -> (f64, f64, f64) {
    ms.sort_by(f64::total_cmp);
    (ms[ms.len() / 2], ms[0], ms[ms.len() - 1])
}

fn spawn_ms(program: &str, args: &[&str]) -> f64 {
    let start = Instant::now();
    let status = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .status()
        .expect("spawn");
    assert!(status.success(), "{program}");
    start.elapsed().as_secs_f64() * 1000.0
}

fn startup() {
    const RUNS: usize = 201;
    // Interleaved, so both see the same machine: /bin/true is the cost of starting a process.
    let mut version = Vec::with_capacity(RUNS);
    let mut baseline = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        version.push(spawn_ms(BIN, &["--version"]));
        baseline.push(spawn_ms("true", &[]));
    }
    let kind = Kind::VolcengineLive;
    let ids = ids("one-", 41);
    let fake = fake::start(Config::new(store_of(kind, &ids))).expect("start fake cloud");
    let url = fake.url();
    let one: Vec<f64> = ids
        .iter()
        .map(|id| {
            let run = certdel(
                &["volcengine-live", "delete", id, "--yes", "--endpoint", &url],
                "",
            );
            assert_eq!(run.exit, 0, "delete {id}");
            run.wall.as_secs_f64() * 1000.0
        })
        .collect();
    fake.shutdown();
    let (v, vmin, vmax) = spread(version);
    let (b, bmin, bmax) = spread(baseline);
    let (o, omin, omax) = spread(one);
    println!("certdel --version: median {v:.2} ms (min {vmin:.2}, max {vmax:.2}, {RUNS} runs)");
    println!(
        "  /bin/true, same loop: median {b:.2} ms (min {bmin:.2}, max {bmax:.2}); ratio {:.2}",
        v / b
    );
    println!(
        "one delete against 127.0.0.1 (no added latency): median {o:.2} ms (min {omin:.2}, max {omax:.2}, 41 runs)"
    );
}

/// The fake cloud as its own process, so the harness stays small: a child's peak RSS
/// (`ru_maxrss`) includes the address space it was spawned from, and an in-process fake
/// holding 10,000 certificates per product would inflate it.
struct FakeProcess {
    child: std::process::Child,
    url: String,
}

impl FakeProcess {
    fn start(generate: usize) -> FakeProcess {
        let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/fake/seed.json");
        let n = generate.to_string();
        let mut child = Command::new(fake_cloud_bin())
            .args(["--seed", seed, "--generate", &n, "--quiet"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn fake-cloud");
        let mut line = String::new();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        std::io::BufRead::read_line(&mut out, &mut line).expect("fake-cloud announces its port");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .expect("listening line")
            .to_string();
        FakeProcess { child, url }
    }
}

impl Drop for FakeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// "wrong" here: ids not accounted for (without an outcome, or not listed).
fn rss_row(case: &str, n: usize, run: &Run, counted: usize) {
    println!(
        "{case:<34} {n:>6} {:>6} {:>9.3} {:>8} {:>7} {:>6} {:>7} {:>8} {:>8.1} {:>5}",
        "-",
        run.wall.as_secs_f64(),
        "-",
        "-",
        n.abs_diff(counted),
        "-",
        "-",
        run.peak_rss_kb as f64 / 1024.0,
        run.exit
    );
}

/// Delete N CAS certificates read from stdin. The generated store names them 10000000.. .
fn rss_many_ids(n: usize) {
    let fake = FakeProcess::start(n);
    let ids: Vec<String> = (0..n).map(|i| (10_000_000 + i).to_string()).collect();
    let run = certdel(
        &[
            "alibaba-cas",
            "delete",
            "-",
            "--target",
            "certificates",
            "--yes",
            "--output",
            "json",
            "--endpoint",
            &fake.url,
            "--rate",
            "5000",
            "--concurrency",
            "64",
        ],
        &(ids.join("\n") + "\n"),
    );
    // Every id must end with an outcome; a seventh of the generated certificates are in use
    // by construction, so exit status 1 is expected here.
    let reported = run
        .stdout
        .lines()
        .filter(|l| l.contains("\"outcome\":"))
        .count();
    rss_row(&format!("{n} ids from stdin (peak RSS)"), n, &run, reported);
}

/// List N generated Tencent certificates.
fn rss_list(n: usize) {
    let fake = FakeProcess::start(n);
    let run = certdel(
        &[
            "tencent-ssl",
            "list",
            "--output",
            "ids",
            "--endpoint",
            &fake.url,
            "--rate",
            "1000",
        ],
        "",
    );
    rss_row(
        &format!("list {n} certificates (peak RSS)"),
        n,
        &run,
        run.stdout.lines().count(),
    );
}

/// One sweep target of the sweep case: its product, how many expired certificates it holds,
/// the quota the fake enforces (certdel's own default rate for the product), and how many
/// delete requests those certificates take (tencent-ssl: batches of 100).
struct SweepTarget {
    name: &'static str,
    kind: Kind,
    cas: Option<CasKind>,
    n: usize,
    rate: f64,
    requests: usize,
}

fn sweep_targets(scale: usize) -> Vec<SweepTarget> {
    let t = |name, kind, cas, n: usize, rate: f64, batch: usize| SweepTarget {
        name,
        kind,
        cas,
        n: n * scale,
        rate,
        requests: (n * scale).div_ceil(batch),
    };
    vec![
        t("huawei", Kind::HuaweiScm, None, 30, 10.0, 1),
        t("tencent", Kind::TencentSsl, None, 150, 10.0, 100),
        t("volc", Kind::VolcengineLive, None, 50, 10.0, 1),
        t("slb", Kind::AlibabaSlb, None, 80, 10.0, 1),
        t(
            "cas",
            Kind::AlibabaCas,
            Some(CasKind::Certificate),
            300,
            100.0,
            1,
        ),
    ]
}

/// The id of certificate `i` of target `t`: alibaba-cas ids are integers (`CertId`), which
/// its delete call refuses otherwise.
fn sweep_id(t: &SweepTarget, i: usize) -> String {
    match t.kind {
        Kind::AlibabaCas => format!("{}", 700_000 + i),
        _ => format!("{}-{i:06}", t.name),
    }
}

/// A fake cloud holding each target's expired certificates (one domain each, so that no
/// keep-latest guard keeps any), every product at its quota.
fn sweep_fake(targets: &[SweepTarget]) -> Running {
    let expired = Utc::now() - Days::days(30);
    let mut seed = Seed::demo();
    for t in targets {
        for i in 0..t.n {
            let id = sweep_id(t, i);
            let mut c = Cert::new(id.clone())
                .domains(&[&format!("{id}.sweep.example.com")])
                .not_after(expired);
            if t.kind == Kind::AlibabaSlb {
                c = c.region("cn-hangzhou");
            }
            if let Some(k) = t.cas {
                c = c.kind(k);
            }
            seed = seed.with(t.kind, c);
        }
    }
    let mut config = Config::new(seed);
    config.latency = Duration::from_millis(20);
    for t in targets {
        config.quotas.insert(
            t.kind,
            Quota {
                rate: t.rate,
                burst: t.rate / 2.0,
            },
        );
    }
    fake::start(config).expect("start fake cloud")
}

/// A policy naming `targets` at `url`: everything expired a day ago is selected.
fn sweep_policy(url: &str, targets: &[&SweepTarget], file: &str) -> std::path::PathBuf {
    let mut p = String::from(
        "[selection]\nexpired_for = \"1d\"\n[guards]\nmax_deletions = 100000\nkeep_latest_per_domains = false\n",
    );
    for t in targets {
        p.push_str(&format!(
            "[[targets]]\nname = \"{}\"\nprovider = \"{}\"\nendpoint = \"{url}\"\nexpect_account = \"any\"\n",
            t.name,
            t.kind.name()
        ));
        if t.kind == Kind::AlibabaSlb {
            p.push_str("region = \"cn-hangzhou\"\n");
        }
        if t.cas == Some(CasKind::Certificate) {
            p.push_str("target = \"certificates\"\n");
        }
    }
    let path =
        std::env::temp_dir().join(format!("certdel-bench-{}-{file}.toml", std::process::id()));
    std::fs::write(&path, p).expect("write the policy");
    path
}

/// `certdel sweep --policy FILE --yes --output json` against `fake`; the certificates the
/// store still holds afterwards are the wrong outcomes.
fn sweep_run(fake: &Running, policy: &std::path::Path) -> Run {
    let url = fake.url();
    let policy = policy.to_string_lossy();
    certdel_with(
        &["sweep", "--policy", &policy, "--yes", "--output", "json"],
        "",
        &[
            ("CERTDEL_STS_ENDPOINT", &url),
            ("HUAWEICLOUD_SDK_IAM_ENDPOINT", &url),
        ],
    )
}

fn left_in(fake: &Running, targets: &[&SweepTarget]) -> usize {
    targets
        .iter()
        .map(|t| {
            (0..t.n)
                .filter(|i| fake.contains(t.kind, &sweep_id(t, *i)))
                .count()
        })
        .sum()
}

/// The sweep case: five targets with different quotas and sizes, all at once, against the
/// same five one after another (five sweeps of one target each, on a fake seeded the same).
/// A sweep's wall time should follow its slowest target's own N/R, not the sum.
fn sweep_case(scale: usize) {
    let targets = sweep_targets(scale);
    let all: Vec<&SweepTarget> = targets.iter().collect();
    for t in &targets {
        let ideal = t.requests as f64 / t.rate;
        println!(
            "  sweep target {:<8} {:<16} N {:>5}  R {:>5}/s  delete requests {:>4}  own N/R {:>6.2} s",
            t.name,
            t.kind.name(),
            t.n,
            t.rate,
            t.requests,
            ideal
        );
    }
    let slowest = targets
        .iter()
        .map(|t| t.requests as f64 / t.rate)
        .fold(0.0, f64::max);
    let sum: f64 = targets.iter().map(|t| t.requests as f64 / t.rate).sum();
    let n: usize = targets.iter().map(|t| t.n).sum();

    let fake = sweep_fake(&targets);
    let policy = sweep_policy(&fake.url(), &all, "all");
    let together = sweep_run(&fake, &policy);
    let wrong = left_in(&fake, &all);
    fake.shutdown();
    let _ = std::fs::remove_file(&policy);

    let fake = sweep_fake(&targets);
    let mut apart = Duration::ZERO;
    let mut exit = 0;
    for t in &targets {
        let policy = sweep_policy(&fake.url(), &[t], t.name);
        let run = sweep_run(&fake, &policy);
        apart += run.wall;
        exit = exit.max(run.exit);
        let _ = std::fs::remove_file(&policy);
    }
    let wrong_apart = left_in(&fake, &all);
    fake.shutdown();

    let w = together.wall.as_secs_f64();
    let a = apart.as_secs_f64();
    println!(
        "{:<34} {n:>6} {:>6} {w:>9.3} {slowest:>8.2} {:>7.3} {wrong:>6} {:>7} {:>8} {:>8} {:>5}",
        "sweep, 5 targets at once",
        "-",
        w / slowest,
        "-",
        "-",
        "-",
        together.exit
    );
    println!(
        "{:<34} {n:>6} {:>6} {a:>9.3} {sum:>8.2} {:>7.3} {wrong_apart:>6} {:>7} {:>8} {:>8} {exit:>5}",
        "sweep, the 5 one after another",
        "-",
        a / sum,
        "-",
        "-",
        "-",
    );
    println!(
        "  sweep: at once {w:.3} s = {:.3} x the slowest target's N/R ({slowest:.2} s); one after another {a:.3} s ({:.2} x longer)",
        w / slowest,
        a / w
    );
}

fn main() {
    let quick = std::env::args().any(|a| a == "quick");
    let n = if quick { 100 } else { 500 };
    println!("certdel {} — {BIN}", env!("CARGO_PKG_VERSION"));
    println!(
        "{:<34} {:>6} {:>6} {:>9} {:>8} {:>7} {:>6} {:>7} {:>8} {:>8} {:>5}",
        "case",
        "N",
        "R/s",
        "wall s",
        "N/R s",
        "ratio",
        "wrong",
        "failed",
        "retries",
        "RSS MB",
        "exit"
    );
    ceiling_case("ceiling, 30 ms latency", n, 50.0, 30, Faults::default());
    ceiling_case("ceiling, 150 ms latency", n, 50.0, 150, Faults::default());
    ceiling_case("ceiling, 500 ms latency", n, 50.0, 500, Faults::default());
    let faults = Faults {
        p_5xx: 0.20,
        p_drop: 0.05,
        after_apply: 0.5,
    };
    ceiling_case("20% 5xx + 5% drops, 30 ms", n, 50.0, 30, faults);
    faults_every_provider(if quick { 50 } else { 200 }, faults);
    tencent_batch(if quick { 100 } else { 1000 });
    rss_many_ids(if quick { 1000 } else { 10_000 });
    rss_list(if quick { 1000 } else { 10_000 });
    sweep_case(if quick { 1 } else { 2 });
    startup();
    let size = std::fs::metadata(BIN).map(|m| m.len()).unwrap_or(0);
    println!("binary size: {:.2} MB ({BIN})", size as f64 / 1e6);
    let _ = std::fs::remove_file(audit_log());
}
