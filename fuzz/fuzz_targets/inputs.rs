//! What the operator gives: ids on stdin, `--endpoint`, and the numeric flags through the
//! whole command line into settings.
#![no_main]

use certdel::cli::Cli;
use certdel::provider::{self, Kind};
use certdel::settings::{self, Endpoint, ProviderSettings};
use clap::Parser;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for kind in Kind::ALL {
        let p = provider::build(&ProviderSettings::for_test(kind));
        let _ = certdel::ids::collect(&["-".to_string()], data, p.as_ref());
    }
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(e) = Endpoint::parse(s) {
        assert!(e.scheme == "https" || e.scheme == "http");
    }
    let env = |k: &str| match k {
        "TENCENTCLOUD_SECRET_ID" => Some("AKID".to_string()),
        "TENCENTCLOUD_SECRET_KEY" => Some("sk".to_string()),
        // A delete run needs a place for its audit log (resolved only, never opened).
        "HOME" => Some("/home/fuzz".to_string()),
        _ => None,
    };
    for flag in [
        "--rate",
        "--concurrency",
        "--max-retries",
        "--timeout",
        "--deadline",
        "--wait-timeout",
        "--endpoint",
    ] {
        let arg = format!("{flag}={s}");
        if let Ok(cli) = Cli::try_parse_from(["certdel", "tencent-ssl", "delete", "x", &arg]) {
            let _ = settings::resolve(cli, &env);
        }
    }
    let arg = format!("--expires-before={s}");
    if let Ok(cli) = Cli::try_parse_from(["certdel", "tencent-ssl", "list", &arg]) {
        if let Ok(s) = settings::resolve(cli, &env) {
            if let settings::Command::List { filter } = s.command {
                filter.resolve(chrono::Utc::now());
            }
        }
    }
});
