//! `app::run` as a library against the fake cloud: the confirmation seam (the question asked,
//! which answers confirm, refusals) and the order in which the audit log and stdout receive an
//! outcome.

mod common;

use certdel::app;
use certdel::cli::{Cli, OutputFormat};
use certdel::error::Error;
use certdel::outcome::Exit;
use certdel::output::Reporter;
use certdel::settings::Settings;
use clap::Parser;
use common::*;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Settings for `certdel --endpoint <fake> [extra] tencent-ssl delete <ids>` with the demo
/// credentials, retrying without backoff, the audit log at `log` (`None`: the harness's
/// fresh one).
fn settings(fake: &Running, extra: &[&str], ids: &[String], log: Option<&Path>) -> Settings {
    let mut argv = vec!["certdel".to_string(), "--endpoint".into(), fake.url()];
    argv.extend(["--rate", "1000", "--max-retries", "1"].map(String::from));
    argv.extend(extra.iter().map(|s| s.to_string()));
    argv.extend(["tencent-ssl".into(), "delete".into()]);
    argv.extend(ids.iter().cloned());
    let cli = Cli::try_parse_from(argv).expect("the arguments parse");
    let mut env: HashMap<String, String> = TENCENT.env().into_iter().collect();
    env.insert(NO_RETRY_DELAY.into(), "1".into());
    let log = log.map_or_else(audit_log_path, Path::to_path_buf);
    env.insert(AUDIT_LOG_VAR.into(), log.to_string_lossy().into_owned());
    certdel::settings::resolve(cli, &|k| env.get(k).cloned()).expect("the settings resolve")
}

fn ids(n: u32) -> Vec<String> {
    (1..=n).map(|i| TENCENT.id(i)).collect()
}

/// Run `settings` with `answer` handed back to every question; the questions asked.
fn run(settings: Settings, answer: Option<&str>) -> (Result<Exit, Error>, Vec<String>) {
    let mut asked = Vec::new();
    let mut confirm = |q: &str| {
        asked.push(q.to_string());
        answer.map(str::to_owned)
    };
    let mut reporter = Reporter::new(OutputFormat::Json, Vec::new());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let got = runtime.block_on(app::run(
        settings,
        certdel::terminal::Terminal::NONE,
        std::io::empty(),
        &mut reporter,
        &mut confirm,
        &certdel::interrupt::Interrupt::new(),
    ));
    (got, asked)
}

#[test]
fn the_question_names_provider_host_masked_key_count_and_ids_and_y_confirms() {
    let ids = ids(2);
    let fake = start(TENCENT.seed(ids.iter().map(|id| TENCENT.cert(id))));
    let (got, asked) = run(settings(&fake, &[], &ids, None), Some("y\n"));
    assert_eq!(got.unwrap(), Exit::Success);
    assert_eq!(
        asked,
        [format!(
            "Delete 2 certificates on tencent-ssl ({}, access key DEMO*******CENT):\n  {}\n  {}\nDelete them? [y/N] ",
            fake.addr(),
            ids[0],
            ids[1]
        )]
    );
    for id in &ids {
        assert!(!TENCENT.present(&fake, id), "{id} not deleted");
    }
}

#[test]
fn any_other_answer_deletes_nothing_and_sends_nothing() {
    let ids = ids(2);
    let fake = start(TENCENT.seed(ids.iter().map(|id| TENCENT.cert(id))));
    for answer in ["n\n", "\n", "", "yes please\n", "2\n"] {
        let (got, asked) = run(settings(&fake, &[], &ids, None), Some(answer));
        assert_eq!(asked.len(), 1, "{answer:?}");
        let e = got.unwrap_err();
        assert!(matches!(e, Error::Usage(_)), "{answer:?}: {e:?}");
        assert_eq!(e.to_string(), "not confirmed: nothing was deleted");
    }
    assert!(fake.requests().is_empty(), "a request was sent");
    assert!(ids.iter().all(|id| TENCENT.present(&fake, id)));
}

#[test]
fn nobody_to_ask_is_refused_naming_yes_before_any_request() {
    let ids = ids(1);
    let fake = start(TENCENT.seed([TENCENT.cert(&ids[0])]));
    let (got, asked) = run(settings(&fake, &[], &ids, None), None);
    assert_eq!(asked.len(), 1);
    assert!(asked[0].starts_with("Delete 1 certificate on tencent-ssl ("));
    assert!(asked[0].ends_with("Delete it? [y/N] "), "{:?}", asked[0]);
    let e = got.unwrap_err().to_string();
    assert_eq!(
        e,
        "refusing to delete 1 certificate without confirmation: no terminal to ask; pass --yes"
    );
    assert!(fake.requests().is_empty());
    assert!(TENCENT.present(&fake, &ids[0]));
}

#[test]
fn above_ten_certificates_only_the_typed_count_confirms() {
    let ids = ids(11);
    let fake = start(TENCENT.seed(ids.iter().map(|id| TENCENT.cert(id))));
    for answer in ["y\n", "yes\n", "3\n", "10\n"] {
        let (got, asked) = run(settings(&fake, &[], &ids, None), Some(answer));
        assert!(
            asked[0]
                .ends_with("  … and 6 more\nType 11 to delete all 11, anything else to cancel: "),
            "{:?}",
            asked[0]
        );
        assert!(got.is_err(), "{answer:?} confirmed 11");
    }
    assert!(fake.requests().is_empty());
    let (got, _) = run(settings(&fake, &[], &ids, None), Some("11\n"));
    assert_eq!(got.unwrap(), Exit::Success);
    assert!(ids.iter().all(|id| !TENCENT.present(&fake, id)));
}

#[test]
fn with_yes_nobody_is_asked() {
    let ids = ids(2);
    let fake = start(TENCENT.seed(ids.iter().map(|id| TENCENT.cert(id))));
    let (got, asked) = run(settings(&fake, &["--yes"], &ids, None), None);
    assert_eq!(got.unwrap(), Exit::Success);
    assert!(asked.is_empty(), "{asked:?}");
}

#[test]
fn an_audit_log_that_cannot_be_opened_stops_the_run_before_the_question() {
    let dir = std::env::temp_dir().join(format!("certdel-app-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("a-file");
    std::fs::write(&file, "").unwrap();
    let ids = ids(1);
    let fake = start(TENCENT.seed([TENCENT.cert(&ids[0])]));
    let log = file.join("audit.jsonl");
    let (got, asked) = run(settings(&fake, &[], &ids, Some(&log)), Some("y\n"));
    assert!(asked.is_empty(), "asked although nothing can be recorded");
    let e = got.unwrap_err();
    assert!(matches!(e, Error::Audit { .. }), "{e:?}");
    assert!(fake.requests().is_empty());
}

/// A stdout that, at every write, notes which ids the audit log already holds.
struct Spy {
    log: PathBuf,
    out: Vec<u8>,
    /// (stdout bytes before the write, ids in the log at that moment)
    seen: Vec<(usize, Vec<String>)>,
}

impl Write for Spy {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let ids = std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["id"].as_str().unwrap().to_string()
            })
            .collect();
        self.seen.push((self.out.len(), ids));
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn each_record_is_in_the_log_before_its_line_reaches_stdout() {
    let ids = ids(4);
    let fake = start(TENCENT.seed(ids.iter().map(|id| TENCENT.cert(id))));
    let log = audit_log_path();
    let settings = settings(&fake, &["--yes", "--concurrency", "1"], &ids, Some(&log));
    let mut reporter = Reporter::new(
        OutputFormat::Json,
        Spy {
            log: log.clone(),
            out: Vec::new(),
            seen: Vec::new(),
        },
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let got = runtime.block_on(app::run(
        settings,
        certdel::terminal::Terminal::NONE,
        std::io::empty(),
        &mut reporter,
        &mut |_| None,
        &certdel::interrupt::Interrupt::new(),
    ));
    assert_eq!(got.unwrap(), Exit::Success);
    let spy = reporter.into_inner();
    let text = String::from_utf8(spy.out.clone()).unwrap();
    let mut offset = 0;
    let mut checked = 0;
    for line in text.split_inclusive('\n') {
        let v: serde_json::Value = serde_json::from_str(line.trim_end()).unwrap();
        let id = v["id"].as_str().unwrap();
        let (_, in_log) = spy
            .seen
            .iter()
            .find(|(at, _)| *at == offset)
            .expect("a write starts each line");
        // Its own record, and only the records of the lines so far: one at a time.
        assert!(
            in_log.iter().any(|i| i == id),
            "{id} not yet logged: {in_log:?}"
        );
        assert_eq!(in_log.len(), checked + 1, "{in_log:?}");
        offset += line.len();
        checked += 1;
    }
    assert_eq!(checked, 4, "{text}");
}
