//! The `fake-cloud` binary starts, binds 127.0.0.1 only and says where, in one line. (This
//! also makes `cargo test` build the binary that certdel's end-to-end tests start.)

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn prints_its_loopback_address_and_serves() {
    let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/fake/seed.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-cloud"))
        .args(["--port", "0", "--seed", seed, "--quiet"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("fake-cloud starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let addr = line
        .trim()
        .strip_prefix("listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
    assert!(addr.parse::<u16>().is_ok_and(|p| p > 0), "{line:?}");
}
