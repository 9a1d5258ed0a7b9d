//! The audit log: one JSON line per id that reached an outcome, appended to a file only its
//! owner can read (0600, in a directory created 0700), so that every delete run — a dry run
//! too, marked as such — leaves a record of what was done, where and with which key.
//!
//! Each line is written with one `write_all` and flushed as soon as the outcome is known, so a
//! run that is killed half-way leaves a true record of everything it finished. The file is
//! never truncated: runs append, `run_id` tells them apart. The data is not `fsync`ed per line
//! (a power cut may lose the last lines; a killed process loses nothing written).
//!
//! A record is built from the run's [`Context`] and the id, status, vendor code, request id
//! and attempt count of its [`Outcome`] — and nothing else: no message (a vendor's message may
//! echo anything, a request included), no secret key, no token, no header. The access key id
//! is masked ([`mask_key`]). A sweep also records each certificate it decided to keep
//! ([`AuditLog::kept`]): `"outcome":"kept"` and the rule's name in `reason` (`null` on every
//! other record), nothing sent for it (`attempts` 0).
//!
//! Where the file is, and whether there is one, is resolved in [`crate::settings`]
//! ([`crate::settings::AuditTarget`]); the driver opens it before the first request, so a log
//! that cannot be opened stops the run (exit 2) before anything is deleted.

use crate::error::Error;
use crate::outcome::Outcome;
use crate::output::json_line;
use crate::report::Sink;
use crate::secret::mask_key;
use crate::settings::ProviderSettings;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// certdel's version, as every record carries it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What is the same for every record of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    /// Unique per run ([`run_id`]).
    pub run_id: String,
    /// The provider's CLI name (`tencent-ssl`).
    pub provider: &'static str,
    /// The base URL requests go to (`https://ssl.tencentcloudapi.com`); never a user or
    /// password (`--endpoint` refuses them).
    pub endpoint: String,
    pub region: Option<String>,
    /// The access key id; [`AuditLog::open`] masks it (masking a masked id changes nothing).
    pub access_key_id: String,
    /// The account the key belongs to, when known (huawei-scm: the domain id).
    pub account: Option<String>,
    /// Nothing is deleted in this run: the records say what would have been.
    pub dry_run: bool,
}

impl Context {
    /// The context of a run with these provider settings (`region`: the run's one region;
    /// `None` for a run across several). The account is the one certdel knows
    /// before any request (huawei-scm's `HUAWEICLOUD_SDK_DOMAIN_ID`); a driver that discovers
    /// it may set `account` afterwards.
    pub fn for_run(provider: &ProviderSettings, run_id: String, dry_run: bool) -> Context {
        Context {
            run_id,
            provider: provider.kind().name(),
            endpoint: provider.endpoint.base_url(),
            // A run across alibaba-slb regions sends each id to its own region, which the
            // outcome does not carry: unknown rather than the first region's name.
            region: provider
                .region
                .clone()
                .filter(|_| !(provider.all_regions() || provider.regions().len() > 1)),
            access_key_id: provider.credentials.access_key.clone(),
            account: provider.domain_id().map(str::to_string),
            dry_run,
        }
    }
}

/// A run id: the start time (UTC, to the second) and 8 random bytes in hex,
/// `20250630T120000Z-0123456789abcdef`. Sorts by time; unique across runs started in the same
/// second.
pub fn run_id(started: DateTime<Utc>) -> String {
    let mut bytes = [0u8; 8];
    // getrandom fails only without an entropy source: the clock's nanoseconds and the
    // process id still tell runs apart.
    if getrandom::getrandom(&mut bytes).is_err() {
        let n = started.timestamp_subsec_nanos() ^ std::process::id().rotate_left(16);
        bytes[..4].copy_from_slice(&n.to_le_bytes());
    }
    format!(
        "{}-{}",
        started.format("%Y%m%dT%H%M%SZ"),
        hex::encode(bytes)
    )
}

/// One line of the log. Every field is always present (`null` when unknown), in this order.
#[derive(Serialize)]
struct Record<'a> {
    time: String,
    run_id: &'a str,
    provider: &'a str,
    endpoint: &'a str,
    region: Option<&'a str>,
    access_key_id: &'a str,
    account: Option<&'a str>,
    id: &'a str,
    /// A [`crate::outcome::Status`], or `kept` (a sweep's decision not to delete).
    outcome: &'a str,
    /// Why a certificate was kept (the sweep's rule: `keep_latest`, `max_deletions`, …);
    /// `null` on every record that is not `kept`.
    reason: Option<&'a str>,
    code: Option<&'a str>,
    request_id: Option<&'a str>,
    attempts: u32,
    dry_run: bool,
    certdel: &'static str,
}

/// An open audit log: records are appended to it one line at a time.
///
/// As a [`Sink`] (in the run's fan-out, beside the stdout reporter) it records each outcome
/// as the executor hands it over. A write that fails is kept — the first one — and nothing
/// more is written (a half-written line must not run into the next); the run still reports
/// every id, and [`Sink::finish`] then fails it, naming the file.
#[derive(Debug)]
pub struct AuditLog {
    file: File,
    path: PathBuf,
    context: Context,
    /// The first write that failed: the id whose record it was and why.
    failed: Option<(String, std::io::Error)>,
    /// Outcomes whose record was not written (the failed one and every later one).
    missing: usize,
}

impl AuditLog {
    /// Open (or create) the log at `path` for appending. A missing directory is created
    /// (mode 0700 on unix), a missing file created with mode 0600; an existing file is
    /// appended to, never truncated, and its mode left as its owner set it.
    ///
    /// The error names the file, the reason and the overrides (`--audit-log PATH`,
    /// `CERTDEL_AUDIT_LOG`, `--no-audit-log`).
    pub fn open(path: &Path, mut context: Context) -> Result<AuditLog, Error> {
        let fail = |reason: String| Error::Audit {
            path: path.to_path_buf(),
            reason,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_dir(dir).map_err(|e| {
                fail(format!(
                    "cannot create the directory {} ({e})",
                    dir.display()
                ))
            })?;
        }
        let file = open_append(path).map_err(|e| fail(format!("cannot open it ({e})")))?;
        context.access_key_id = mask_key(&context.access_key_id);
        Ok(AuditLog {
            file,
            path: path.to_path_buf(),
            context,
            failed: None,
            missing: 0,
        })
    }

    /// The account the run's credentials belong to, once known (huawei-scm: the domain id
    /// the session discovered); every later record carries it.
    pub fn set_account(&mut self, account: Option<String>) {
        self.context.account = account;
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn context(&self) -> &Context {
        &self.context
    }

    /// Append the record of `outcome`, known now.
    pub fn record(&mut self, outcome: &Outcome) -> std::io::Result<()> {
        self.record_at(outcome, Utc::now())
    }

    /// Append the record of `outcome`, known at `time`: one write of the whole line and its
    /// newline, then a flush.
    pub fn record_at(&mut self, outcome: &Outcome, time: DateTime<Utc>) -> std::io::Result<()> {
        let line = self.line(
            Entry {
                id: &outcome.id,
                outcome: outcome.outcome.as_str(),
                reason: None,
                region: None,
                code: outcome.code.as_deref(),
                request_id: outcome.request_id.as_deref(),
                attempts: outcome.attempts,
            },
            time,
        );
        self.write(line)
    }

    /// Append the record of a certificate a sweep keeps, decided at `time`: `kept`, the rule
    /// (`reason`), nothing sent. `region`: the certificate's own, when its listing said it (an
    /// alibaba-slb target across regions); else the run's.
    pub fn kept_at(
        &mut self,
        id: &str,
        region: Option<&str>,
        reason: &str,
        time: DateTime<Utc>,
    ) -> std::io::Result<()> {
        let line = self.line(
            Entry {
                id,
                outcome: KEPT,
                reason: Some(reason),
                region,
                code: None,
                request_id: None,
                attempts: 0,
            },
            time,
        );
        self.write(line)
    }

    /// Record a kept certificate now, as [`Sink::outcome`] records an outcome: a write that
    /// fails is kept for [`Sink::finish`], and nothing more is written.
    pub fn kept(&mut self, id: &str, region: Option<&str>, reason: &str) {
        if self.failed.is_some() {
            self.missing += 1;
            return;
        }
        if let Err(e) = self.kept_at(id, region, reason, Utc::now()) {
            self.failed = Some((id.to_string(), e));
            self.missing += 1;
        }
    }

    fn write(&mut self, mut line: String) -> std::io::Result<()> {
        line.push('\n');
        self.file.write_all(line.as_bytes())?;
        self.file.flush()
    }

    /// The JSON line (without its newline) for `entry` known at `time`.
    fn line(&self, entry: Entry<'_>, time: DateTime<Utc>) -> String {
        let c = &self.context;
        json_line(&Record {
            time: time.to_rfc3339_opts(SecondsFormat::Millis, true),
            run_id: &c.run_id,
            provider: c.provider,
            endpoint: &c.endpoint,
            region: entry.region.or(c.region.as_deref()),
            access_key_id: &c.access_key_id,
            account: c.account.as_deref(),
            id: entry.id,
            outcome: entry.outcome,
            reason: entry.reason,
            code: entry.code,
            request_id: entry.request_id,
            attempts: entry.attempts,
            dry_run: c.dry_run,
            certdel: VERSION,
        })
    }
}

/// The `outcome` of a record of a certificate a sweep keeps.
pub const KEPT: &str = "kept";

/// What one record says beyond its run's [`Context`].
struct Entry<'a> {
    id: &'a str,
    outcome: &'a str,
    reason: Option<&'a str>,
    /// Over the context's region.
    region: Option<&'a str>,
    code: Option<&'a str>,
    request_id: Option<&'a str>,
    attempts: u32,
}

impl Sink for AuditLog {
    fn account(&mut self, account: Option<&str>) {
        self.set_account(account.map(str::to_owned));
    }

    fn outcome(&mut self, outcome: &Outcome) {
        if self.failed.is_some() {
            self.missing += 1;
            return;
        }
        if let Err(e) = self.record(outcome) {
            self.failed = Some((outcome.id.clone(), e));
            self.missing += 1;
        }
    }

    /// An error when a record could not be written: the file, the first failure, and how many
    /// records are missing.
    fn finish(&mut self, _provider: &'static str) -> Result<(), Error> {
        match &self.failed {
            None => Ok(()),
            Some((id, e)) => Err(Error::Audit {
                path: self.path.clone(),
                reason: format!(
                    "cannot write the record of {} ({e}); {} record{} of this run {} missing",
                    crate::ids::printable(id),
                    self.missing,
                    if self.missing == 1 { "" } else { "s" },
                    if self.missing == 1 { "is" } else { "are" }
                ),
            }),
        }
    }
}

#[cfg(unix)]
fn create_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn open_append(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_append(path: &Path) -> std::io::Result<File> {
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::Endpoint;
    use crate::outcome::Status;
    use crate::provider::Kind;
    use crate::secret::{Credentials, Secret};
    use chrono::TimeZone;

    /// A fresh, empty directory under the system temp dir.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("certdel-audit-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn context() -> Context {
        Context {
            run_id: "20250630T120000Z-0011223344556677".into(),
            provider: "tencent-ssl",
            endpoint: "https://ssl.tencentcloudapi.com".into(),
            region: Some("ap-guangzhou".into()),
            access_key_id: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE".into(),
            account: None,
            dry_run: false,
        }
    }

    fn at(s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 30, 12, 0, s).unwrap()
    }

    fn lines(path: &Path) -> Vec<serde_json::Value> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn one_line_per_record_with_exactly_the_documented_fields() {
        let path = scratch("fields").join("audit.jsonl");
        let mut log = AuditLog::open(&path, context()).unwrap();
        let mut o = Outcome::new("tencent-ssl", "abc", Status::NotFound);
        o.code = Some("FailedOperation.CertificateNotFound".into());
        o.request_id = Some("req-1".into());
        o.http_status = Some(200);
        o.attempts = 2;
        log.record_at(&o, at(1)).unwrap();
        log.record_at(&Outcome::new("tencent-ssl", "def", Status::Deleted), at(2))
            .unwrap();

        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.ends_with('\n'), "{text:?}");
        assert_eq!(text.lines().count(), 2, "{text}");
        let first = text.lines().next().unwrap();
        assert_eq!(
            first,
            concat!(
                r#"{"time":"2025-06-30T12:00:01.000Z","run_id":"20250630T120000Z-0011223344556677","#,
                r#""provider":"tencent-ssl","endpoint":"https://ssl.tencentcloudapi.com","#,
                r#""region":"ap-guangzhou","access_key_id":"AKID****************************MPLE","#,
                r#""account":null,"id":"abc","outcome":"not_found","reason":null,"#,
                r#""code":"FailedOperation.CertificateNotFound","request_id":"req-1","attempts":2,"#,
                r#""dry_run":false,"certdel":""#,
            )
            .to_string()
                + VERSION
                + r#""}"#
        );
        let v = lines(&path);
        let keys: Vec<&str> = v[1]
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        let mut want = vec![
            "time",
            "run_id",
            "provider",
            "endpoint",
            "region",
            "access_key_id",
            "account",
            "id",
            "outcome",
            "reason",
            "code",
            "request_id",
            "attempts",
            "dry_run",
            "certdel",
        ];
        want.sort_unstable();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(keys, want, "every field, always, and no other");
        assert_eq!(v[1]["id"], "def");
        assert_eq!(v[1]["outcome"], "deleted");
        assert!(v[1]["code"].is_null() && v[1]["request_id"].is_null());
        assert_eq!(v[1]["time"], "2025-06-30T12:00:02.000Z");
    }

    #[test]
    fn a_kept_certificate_is_recorded_with_its_rule_in_the_runs_context() {
        let path = scratch("kept").join("audit.jsonl");
        let mut ctx = context();
        ctx.account = Some("100000000001".into());
        ctx.dry_run = true;
        let mut log = AuditLog::open(&path, ctx).unwrap();
        log.kept_at("k1", None, "keep_latest", at(1)).unwrap();
        log.kept_at("k2", Some("cn-shanghai"), "max_deletions", at(2))
            .unwrap();
        log.record_at(
            &Outcome::new("tencent-ssl", "d", Status::WouldDelete),
            at(3),
        )
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text.lines().next().unwrap(),
            concat!(
                r#"{"time":"2025-06-30T12:00:01.000Z","run_id":"20250630T120000Z-0011223344556677","#,
                r#""provider":"tencent-ssl","endpoint":"https://ssl.tencentcloudapi.com","#,
                r#""region":"ap-guangzhou","access_key_id":"AKID****************************MPLE","#,
                r#""account":"100000000001","id":"k1","outcome":"kept","reason":"keep_latest","#,
                r#""code":null,"request_id":null,"attempts":0,"dry_run":true,"certdel":""#,
            )
            .to_string()
                + VERSION
                + r#""}"#
        );
        let v = lines(&path);
        assert_eq!(v[1]["outcome"], "kept");
        assert_eq!(v[1]["reason"], "max_deletions");
        assert_eq!(
            v[1]["region"], "cn-shanghai",
            "the certificate's own region"
        );
        assert_eq!(v[2]["outcome"], "would_delete");
        assert!(v[2]["reason"].is_null(), "{}", v[2]);
        assert_eq!(v[2]["region"], "ap-guangzhou");
    }

    /// `/dev/full`: a kept record that cannot be written fails the log as an outcome's does.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_kept_record_that_cannot_be_written_fails_the_log() {
        let mut log = AuditLog::open(Path::new("/dev/full"), context()).unwrap();
        log.kept("a", None, "excluded_id");
        Sink::outcome(&mut log, &Outcome::new("tencent-ssl", "b", Status::Deleted));
        let msg = log.finish("tencent-ssl").unwrap_err().to_string();
        assert!(msg.contains("cannot write the record of \"a\""), "{msg}");
        assert!(msg.contains("2 records of this run are missing"), "{msg}");
    }

    #[test]
    fn dry_runs_unknown_regions_and_accounts_are_marked() {
        let path = scratch("dry").join("audit.jsonl");
        let mut ctx = context();
        ctx.dry_run = true;
        ctx.region = None;
        ctx.account = Some("0a1b2c".into());
        let mut log = AuditLog::open(&path, ctx).unwrap();
        log.record_at(&Outcome::new("tencent-ssl", "x", Status::Deleted), at(0))
            .unwrap();
        let v = &lines(&path)[0];
        assert_eq!(v["dry_run"], true);
        assert!(v["region"].is_null(), "{v}");
        assert_eq!(v["account"], "0a1b2c");
    }

    #[test]
    fn an_existing_log_is_appended_to_never_truncated() {
        let path = scratch("append").join("audit.jsonl");
        std::fs::write(&path, "{\"earlier\":true}\n").unwrap();
        for (run, id) in [("run-1", "a"), ("run-2", "b")] {
            let mut ctx = context();
            ctx.run_id = run.into();
            let mut log = AuditLog::open(&path, ctx).unwrap();
            log.record_at(&Outcome::new("tencent-ssl", id, Status::Deleted), at(0))
                .unwrap();
        }
        let v = lines(&path);
        assert_eq!(v.len(), 3);
        assert_eq!(v[0]["earlier"], true);
        assert_eq!(
            (&v[1]["run_id"], &v[1]["id"]),
            (&"run-1".into(), &"a".into())
        );
        assert_eq!(
            (&v[2]["run_id"], &v[2]["id"]),
            (&"run-2".into(), &"b".into())
        );
    }

    #[test]
    fn each_record_is_on_disk_before_the_next_outcome() {
        // Read the file back through another handle while the log is still open: what a
        // killed run would leave behind.
        let path = scratch("flush").join("audit.jsonl");
        let mut log = AuditLog::open(&path, context()).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "");
        for n in 1..=3 {
            log.record_at(
                &Outcome::new("tencent-ssl", format!("id{n}"), Status::Deleted),
                at(n),
            )
            .unwrap();
            let v = lines(&path);
            assert_eq!(v.len(), n as usize);
            assert_eq!(v[n as usize - 1]["id"], format!("id{n}"));
        }
    }

    #[cfg(unix)]
    #[test]
    fn created_private_file_in_a_private_directory() {
        use std::os::unix::fs::PermissionsExt;
        let root = scratch("modes");
        let dir = root.join("state").join("certdel");
        let path = dir.join("audit.jsonl");
        AuditLog::open(&path, context()).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&root.join("state")), 0o700);
        // An existing file keeps the mode its owner gave it.
        let other = root.join("shared.jsonl");
        std::fs::write(&other, "").unwrap();
        std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o640)).unwrap();
        AuditLog::open(&other, context()).unwrap();
        assert_eq!(mode(&other), 0o640);
    }

    #[test]
    fn a_log_that_cannot_be_opened_names_the_file_and_the_overrides() {
        let root = scratch("refused");
        // A directory where the file should be.
        let e = AuditLog::open(&root, context()).unwrap_err();
        assert!(matches!(e, Error::Audit { .. }), "{e:?}");
        let msg = e.to_string();
        assert!(
            msg.starts_with(&format!("audit log {}: cannot open it (", root.display())),
            "{msg}"
        );
        for what in ["--audit-log PATH", "CERTDEL_AUDIT_LOG", "--no-audit-log"] {
            assert!(msg.contains(what), "{what}: {msg}");
        }
        // A file where a directory should be.
        std::fs::write(root.join("file"), "").unwrap();
        let path = root.join("file").join("audit.jsonl");
        let msg = AuditLog::open(&path, context()).unwrap_err().to_string();
        assert!(
            msg.starts_with(&format!(
                "audit log {}: cannot create the directory {} (",
                path.display(),
                root.join("file").display()
            )),
            "{msg}"
        );
        assert!(msg.ends_with("or turn it off with --no-audit-log"), "{msg}");
    }

    #[test]
    fn no_secret_token_or_message_reaches_the_log() {
        let mut settings = ProviderSettings::for_test(Kind::TencentSsl);
        settings.endpoint = Endpoint::https("ssl.tencentcloudapi.com");
        settings.credentials = Credentials {
            access_key: "AKIDVISIBLEPARTxxxxxxxxxxxxxxxxENDS".into(),
            secret_key: Secret::new("SECRETKEY-marker-9f8e7d"),
            token: Some(Secret::new("STSTOKEN-marker-1a2b3c")),
            origin: "test".into(),
        };
        let path = scratch("secrets").join("audit.jsonl");
        let mut log =
            AuditLog::open(&path, Context::for_run(&settings, "r".into(), false)).unwrap();
        // A vendor message that echoes the request, secrets and all.
        let o = Outcome::new("tencent-ssl", "abc", Status::Failed).message(
            "AuthFailure: Authorization: TC3-HMAC-SHA256 Credential=AKIDVISIBLEPARTxxxxxxxxxxxxxxxxENDS \
             secret=SECRETKEY-marker-9f8e7d X-TC-Token: STSTOKEN-marker-1a2b3c MESSAGE-marker",
        );
        log.record(&o).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        for marker in [
            "SECRETKEY-marker",
            "STSTOKEN-marker",
            "MESSAGE-marker",
            "Authorization",
            "VISIBLEPART",
        ] {
            assert!(!text.contains(marker), "{marker} in {text}");
        }
        let v = &lines(&path)[0];
        assert!(v.get("message").is_none(), "{v}");
        assert_eq!(v["access_key_id"], "AKID***************************ENDS");
        assert_eq!(v["endpoint"], "https://ssl.tencentcloudapi.com");
        assert_eq!(v["provider"], "tencent-ssl");
    }

    #[test]
    fn strings_from_servers_are_exact_and_terminal_safe() {
        let path = scratch("escape").join("audit.jsonl");
        let mut log = AuditLog::open(&path, context()).unwrap();
        let mut o = Outcome::new("tencent-ssl", "id\u{1b}]0;x\u{7}\u{202e}", Status::Failed);
        o.code = Some("Code\nInjected".into());
        log.record_at(&o, at(0)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 1, "{text:?}");
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{202e}'),
            "{text:?}"
        );
        let v = &lines(&path)[0];
        assert_eq!(v["id"], "id\u{1b}]0;x\u{7}\u{202e}");
        assert_eq!(v["code"], "Code\nInjected");
    }

    #[test]
    fn context_for_a_run_comes_from_the_provider_settings() {
        let mut s = ProviderSettings::for_test(Kind::HuaweiScm);
        s.endpoint = Endpoint {
            scheme: "http".into(),
            host: "127.0.0.1:8080".into(),
        };
        s.region = Some("cn-north-4".into());
        let c = Context::for_run(&s, "run".into(), true);
        assert_eq!(c.provider, "huawei-scm");
        assert_eq!(c.endpoint, "http://127.0.0.1:8080");
        assert_eq!(c.region.as_deref(), Some("cn-north-4"));
        assert_eq!(c.account.as_deref(), Some("domainid123"));
        assert!(c.dry_run);
        // alibaba-slb across regions: no one region is true of every record.
        let mut slb = ProviderSettings::for_test(Kind::AlibabaSlb);
        slb.region = Some("cn-hangzhou".into());
        slb.set_regions(vec!["cn-hangzhou".into()], false);
        let one = Context::for_run(&slb, "run".into(), false);
        assert_eq!(one.region.as_deref(), Some("cn-hangzhou"));
        slb.set_regions(vec!["cn-hangzhou".into(), "cn-shanghai".into()], false);
        assert_eq!(Context::for_run(&slb, "run".into(), false).region, None);
        slb.set_regions(vec!["cn-hangzhou".into()], true);
        assert_eq!(Context::for_run(&slb, "run".into(), false).region, None);
    }

    #[test]
    fn as_a_sink_it_records_each_outcome_as_it_arrives_with_the_account_once_known() {
        let path = scratch("sink").join("audit.jsonl");
        let mut ctx = context();
        ctx.provider = "huawei-scm";
        let mut log = AuditLog::open(&path, ctx).unwrap();
        Sink::outcome(&mut log, &Outcome::new("huawei-scm", "a", Status::Skipped));
        assert_eq!(lines(&path).len(), 1, "written before the next outcome");
        log.set_account(Some("0a1b2c".into()));
        Sink::outcome(&mut log, &Outcome::new("huawei-scm", "b", Status::Deleted));
        log.finish("huawei-scm").unwrap();
        let v = lines(&path);
        assert_eq!(v.len(), 2);
        assert!(v[0]["account"].is_null(), "{}", v[0]);
        assert_eq!(v[1]["account"], "0a1b2c");
        assert_eq!((&v[0]["id"], &v[1]["id"]), (&"a".into(), &"b".into()));
        assert_eq!(v[0]["run_id"], v[1]["run_id"]);
    }

    /// `/dev/full` opens, and every write to it fails with "no space left on device".
    #[cfg(target_os = "linux")]
    #[test]
    fn a_failed_write_is_kept_the_rest_still_counted_and_the_run_fails_naming_the_file() {
        let path = Path::new("/dev/full");
        let mut log = AuditLog::open(path, context()).unwrap();
        for id in ["a", "b", "c"] {
            Sink::outcome(&mut log, &Outcome::new("tencent-ssl", id, Status::Deleted));
        }
        let e = log.finish("tencent-ssl").unwrap_err();
        assert!(matches!(e, Error::Audit { .. }), "{e:?}");
        let msg = e.to_string();
        assert!(
            msg.starts_with("audit log /dev/full: cannot write the record of \"a\" ("),
            "{msg}"
        );
        assert!(msg.contains("3 records of this run are missing"), "{msg}");
        assert!(msg.contains("--audit-log PATH"), "{msg}");
    }

    #[test]
    fn run_ids_start_with_the_time_and_differ() {
        let t = Utc.with_ymd_and_hms(2025, 6, 30, 12, 34, 56).unwrap();
        let (a, b) = (run_id(t), run_id(t));
        assert_ne!(a, b);
        for id in [&a, &b] {
            let (time, random) = id.split_once('-').unwrap();
            assert_eq!(time, "20250630T123456Z");
            assert_eq!(random.len(), 16);
            assert!(random.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
        }
    }
}
