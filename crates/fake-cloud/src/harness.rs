//! [`start`]: the fake on a background thread, and the [`Running`] handle tests use.

use crate::*;
use certdel::provider::Kind;
use std::net::SocketAddr;
use std::sync::Arc;

/// The fake running on a background thread with its own runtime. Dropping it shuts it down.
pub struct Running {
    addr: SocketAddr,
    state: Arc<State>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Bind 127.0.0.1 and serve on a background thread.
pub fn start(config: Config) -> std::io::Result<Running> {
    let listener = bind(config.port)?;
    let addr = listener.local_addr()?;
    let state = Arc::new(State::new(config)?);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let served = Arc::clone(&state);
    let thread = std::thread::Builder::new()
        .name("fake-cloud".into())
        .spawn(move || {
            runtime.block_on(async move {
                let listener = match tokio::net::TcpListener::from_std(listener) {
                    Ok(l) => l,
                    Err(e) => {
                        eprintln!("fake-cloud: {e}");
                        return;
                    }
                };
                let stop = async {
                    let _ = rx.await;
                };
                if let Err(e) = serve_until(listener, served, stop).await {
                    eprintln!("fake-cloud: {e}");
                }
            });
        })?;
    Ok(Running {
        addr,
        state,
        stop: Some(tx),
        thread: Some(thread),
    })
}

impl Running {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (`https://` when serving TLS), for `--endpoint`.
    pub fn url(&self) -> String {
        format!("{}://{}", self.state.scheme(), self.addr)
    }

    /// A copy of the store as it is now.
    pub fn store(&self) -> Store {
        self.state.store().clone()
    }

    pub fn contains(&self, kind: Kind, id: &str) -> bool {
        self.state.store().contains(kind, id)
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<LogEntry> {
        self.state.log()
    }

    /// Delete requests of this product (single or batch) that named `id`.
    pub fn delete_attempts(&self, kind: Kind, id: &str) -> usize {
        self.requests()
            .iter()
            .filter(|e| {
                e.provider == Some(kind)
                    && e.action.starts_with("Delete")
                    && e.ids.iter().any(|i| i == id)
            })
            .count()
    }

    pub fn counters(&self) -> Counters {
        self.state.counters()
    }

    pub fn state(&self) -> &Arc<State> {
        &self.state
    }

    /// Stop accepting, end the server thread and wait for it.
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop_now();
    }
}

/// The `fake-cloud` binary in the same target profile directory as `certdel_bin` (the binary
/// under test), for tests and benchmarks that need the fake in a process of its own. `cargo
/// test` at the workspace root builds it; when it is missing or older than any file below
/// `sources`, it is built first with the same profile (`cargo build -p fake-cloud`), so a run
/// never uses a stale one.
pub fn binary_beside(
    certdel_bin: &std::path::Path,
    workspace: &std::path::Path,
    sources: &[std::path::PathBuf],
) -> std::path::PathBuf {
    let profile_dir = certdel_bin.parent().expect("the binary's directory");
    let bin = profile_dir.join(format!("fake-cloud{}", std::env::consts::EXE_SUFFIX));
    let built = std::fs::metadata(&bin).and_then(|m| m.modified()).ok();
    let newest = newest_file(sources);
    if built.is_some_and(|b| newest.is_none_or(|n| n <= b)) {
        return bin;
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = std::process::Command::new(cargo);
    build
        .args([
            "build",
            "--quiet",
            "-p",
            "fake-cloud",
            "--bin",
            "fake-cloud",
        ])
        .arg("--target-dir")
        .arg(profile_dir.parent().expect("the target directory"))
        .current_dir(workspace);
    if profile_dir.file_name().is_some_and(|n| n == "release") {
        build.arg("--release");
    }
    let status = build.status().expect("cargo runs");
    assert!(status.success(), "building fake-cloud failed");
    bin
}

/// The latest modification time of any file below these directories.
fn newest_file(dirs: &[std::path::PathBuf]) -> Option<std::time::SystemTime> {
    let mut newest = None;
    let mut stack: Vec<std::path::PathBuf> = dirs.to_vec();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(t) = entry.metadata().and_then(|m| m.modified()) {
                newest = newest.max(Some(t));
            }
        }
    }
    newest
}
