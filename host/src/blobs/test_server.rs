//! An S3-compatible server for tests: `s3s-fs` from crates.io, built once
//! into `target/s3-test-server/` and started per test on a free loopback
//! port with a data directory of its own, so whatever a test's writes leave
//! behind (objects, unfinished multipart uploads) is that test's alone.
//!
//! Why s3s-fs rather than moto (quicker to install from PyPI): moto checks
//! neither signatures nor the expiry of presigned URLs, so a test could not
//! tell a refused presigned request from an accepted one; s3s-fs checks both,
//! as S3 does, and refuses multipart parts under 5 MiB like S3.
//!
//! `CAPSULE_TEST_S3_ENDPOINT=http://host:port` runs the tests against a
//! server of your own instead (credentials from
//! `CAPSULE_TEST_S3_ACCESS_KEY_ID` / `CAPSULE_TEST_S3_SECRET_ACCESS_KEY`,
//! region `CAPSULE_TEST_S3_REGION`, default `us-east-1`); each test makes a
//! bucket of its own there.
//!
//! The end-to-end tests include this file too (`tests/e2e/s3_files.rs`), so
//! it uses nothing from the crate, and each side uses only part of it.
#![allow(dead_code)]

use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The s3s-fs release the tests are written against.
const VERSION: &str = "0.14.1";
/// Upper bound for a started server to answer.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A running S3-compatible server and the credentials it accepts.
pub struct S3TestServer {
    pub endpoint: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub region: String,
    /// Set when the server is ours (not `CAPSULE_TEST_S3_ENDPOINT`'s).
    own: Option<OwnServer>,
}

struct OwnServer {
    pid: u32,
    /// Ends once the process has exited (it waits for it).
    waiter: Option<std::thread::JoinHandle<()>>,
    data: tempfile::TempDir,
}

impl S3TestServer {
    /// The server `CAPSULE_TEST_S3_ENDPOINT` names, or a fresh s3s-fs (built
    /// first if this machine has none yet), killed when this is dropped.
    pub fn start() -> Self {
        if let Some(endpoint) = std::env::var("CAPSULE_TEST_S3_ENDPOINT").ok().filter(|e| !e.trim().is_empty()) {
            let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_string());
            return Self {
                endpoint: endpoint.trim().trim_end_matches('/').to_string(),
                access_key_id: var("CAPSULE_TEST_S3_ACCESS_KEY_ID", "test"),
                secret_access_key: var("CAPSULE_TEST_S3_SECRET_ACCESS_KEY", "test"),
                region: var("CAPSULE_TEST_S3_REGION", "us-east-1"),
                own: None,
            };
        }
        let binary = install();
        let access_key_id = "capsule-test".to_string();
        let secret_access_key = uuid::Uuid::new_v4().simple().to_string();
        let mut last_log = String::new();
        // A port found free can be taken before the server binds it: try another.
        for _ in 0..3 {
            let data = tempfile::tempdir().expect("a data directory for s3s-fs");
            let port = free_port();
            let log = data.path().join("s3s-fs.log");
            let store = data.path().join("store");
            std::fs::create_dir_all(&store).expect("the s3s-fs store directory");
            let mut command = Command::new(&binary);
            command
                .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                .args(["--access-key", &access_key_id, "--secret-key", &secret_access_key])
                .arg(&store)
                .env("RUST_LOG", "warn")
                .stdin(Stdio::null())
                .stdout(File::create(&log).expect("the s3s-fs log"))
                .stderr(File::create(log.with_extension("err")).expect("the s3s-fs log"));
            // SAFETY: the closure runs between fork and exec and only calls
            // prctl, which is async-signal-safe. With it the server dies with
            // the thread that started it, which lives exactly as long as the
            // server: a test process killed outright leaves no server behind.
            unsafe {
                command.pre_exec(|| {
                    if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
            let (started_tx, started_rx) = mpsc::channel();
            let (exit_tx, exit_rx) = mpsc::channel::<ExitStatus>();
            let waiter = std::thread::spawn(move || match command.spawn() {
                Ok(mut child) => {
                    let _ = started_tx.send(Ok(child.id()));
                    if let Ok(status) = child.wait() {
                        let _ = exit_tx.send(status);
                    }
                }
                Err(e) => {
                    let _ = started_tx.send(Err(e));
                }
            });
            let pid = match started_rx.recv() {
                Ok(Ok(pid)) => pid,
                Ok(Err(e)) => panic!("could not start {}: {e}", binary.display()),
                Err(_) => panic!("the thread starting {} died", binary.display()),
            };
            let server = Self {
                endpoint: format!("http://127.0.0.1:{port}"),
                access_key_id: access_key_id.clone(),
                secret_access_key: secret_access_key.clone(),
                region: "us-east-1".into(),
                own: Some(OwnServer { pid, waiter: Some(waiter), data }),
            };
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            let deadline = Instant::now() + START_TIMEOUT;
            loop {
                if answers(addr) {
                    return server;
                }
                if let Ok(status) = exit_rx.try_recv() {
                    last_log = server.log();
                    if last_log.contains("Address already in use") || last_log.contains("AddrInUse") {
                        break;
                    }
                    panic!("s3s-fs exited with {status} before it answered; its log:\n{last_log}");
                }
                if Instant::now() > deadline {
                    panic!("s3s-fs did not answer on {addr} within {START_TIMEOUT:?}; its log:\n{}", server.log());
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        panic!("s3s-fs found no free port in three tries; its last log:\n{last_log}");
    }

    /// Multipart uploads the server holds that were neither completed nor
    /// aborted; `None` for a server that is not ours (ask it with
    /// ListMultipartUploads instead).
    pub fn unfinished_uploads(&self) -> Option<Vec<String>> {
        let own = self.own.as_ref()?;
        // s3s-fs keeps each upload in `.upload-<id>.json` and
        // `.upload_id-<id>.part-<n>` at the top of its store until the upload
        // is completed or aborted.
        let store = own.data.path().join("store");
        let mut names: Vec<String> = std::fs::read_dir(&store)
            .unwrap_or_else(|e| panic!("reading {}: {e}", store.display()))
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter(|name| name.starts_with(".upload"))
            .collect();
        names.sort();
        Some(names)
    }

    /// A bucket name no other test uses.
    pub fn new_bucket_name() -> String {
        format!("capsule-test-{}", uuid::Uuid::new_v4().simple())
    }

    /// What the server printed, for failure messages.
    pub fn log(&self) -> String {
        let Some(own) = &self.own else { return String::new() };
        let read =
            |path: &Path| std::fs::read(path).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
        let log = own.data.path().join("s3s-fs.log");
        format!("{}{}", read(&log), read(&log.with_extension("err")))
    }
}

impl Drop for S3TestServer {
    fn drop(&mut self) {
        let Some(own) = &mut self.own else { return };
        let Ok(pid) = libc::pid_t::try_from(own.pid) else { return };
        // SAFETY: kill has no memory effects; the pid is our own child's, not
        // yet reaped (its waiter thread is still waiting for it).
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
        if let Some(waiter) = own.waiter.take() {
            let _ = waiter.join();
        }
    }
}

/// Whether an HTTP server answers on `addr` (any status will do: an
/// unsigned request is refused, which still proves it is up).
fn answers(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").is_err() {
        return false;
    }
    let mut head = [0u8; 8];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.")
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding an ephemeral port");
    listener.local_addr().expect("the ephemeral port").port()
}

/// The workspace's target directory (where the test's own build lives).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("target"))
}

/// The s3s-fs binary, built with `cargo install` the first time. Test
/// processes running at once take turns on a lock file, so one builds and
/// the others wait for it and then find it built.
fn install() -> PathBuf {
    let dir = target_dir().join("s3-test-server");
    let binary = dir.join("bin").join("s3s-fs");
    let marker = dir.join(format!("installed-{VERSION}"));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    let lock = File::create(dir.join("install.lock")).unwrap_or_else(|e| panic!("creating the install lock: {e}"));
    // SAFETY: flock on a descriptor we own; the lock ends when `lock` closes.
    if unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&lock), libc::LOCK_EX) } != 0 {
        panic!("locking {}: {}", dir.join("install.lock").display(), std::io::Error::last_os_error());
    }
    if marker.exists() && binary.exists() {
        return binary;
    }
    eprintln!("building s3s-fs {VERSION} into {} for the S3 tests (once per machine)", dir.display());
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["install", "s3s-fs", "--version", VERSION, "--features", "binary", "--locked", "--root"])
        .arg(&dir)
        // The outer test run's settings are for the workspace, not for this
        // build, which cargo does in a temporary directory it removes after.
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("could not run cargo to install s3s-fs: {e}"));
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(30).collect();
        panic!(
            "`cargo install s3s-fs --version {VERSION} --features binary` failed ({}); set CAPSULE_TEST_S3_ENDPOINT \
             to test against another S3-compatible server. Its last lines:\n{}",
            output.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    File::create(&marker).unwrap_or_else(|e| panic!("creating {}: {e}", marker.display()));
    binary
}
