//! Running one engine program: bytes in on stdin, bytes out on stdout, with
//! a memory ceiling, an output ceiling, and death when the caller gives up.

use std::io::ErrorKind;
use std::path::Path;
use std::process::Stdio;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;

/// Address-space ceiling of an engine process. Tesseract on a 40 MP page
/// peaks near 1 GiB; beyond this a crafted input is refused by the kernel
/// instead of starving the host.
const MEMORY_CEILING: u64 = 3 * 1024 * 1024 * 1024;
/// How much of stderr is kept for error messages.
const STDERR_KEEP: u64 = 8 * 1024;

pub struct Finished {
    pub success: bool,
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

pub enum RunError {
    /// The program is not installed (or not executable).
    Missing(String),
    /// It wrote more than `max_output` bytes.
    OutputTooLarge,
    Io(String),
}

/// Run `program args…` feeding `input` on stdin; collect at most
/// `max_output` bytes of stdout. Dropping the future kills the process.
pub async fn run(program: &Path, args: &[&str], input: Vec<u8>, max_output: u64) -> Result<Finished, RunError> {
    let mut command = confined(program);
    command.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = spawn(&mut command, program)?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    // A program that exits early (bad input) closes its stdin: that broken
    // pipe is not the error worth reporting, its exit status is.
    let feed = async move {
        let _ = stdin.write_all(&input).await;
        drop(stdin);
    };
    let collect_out = async {
        let mut out = Vec::new();
        (&mut stdout).take(max_output + 1).read_to_end(&mut out).await.map(|_| out)
    };
    let collect_err = async {
        let mut err = Vec::new();
        let _ = (&mut stderr).take(STDERR_KEEP).read_to_end(&mut err).await;
        // Drain the rest so the program never blocks on a full stderr pipe.
        let _ = tokio::io::copy(&mut stderr, &mut tokio::io::sink()).await;
        err
    };
    let ((), out, err) = tokio::join!(feed, collect_out, collect_err);
    let out = out.map_err(|e| RunError::Io(format!("reading `{}`'s output: {e}", program.display())))?;
    if out.len() as u64 > max_output {
        return Err(RunError::OutputTooLarge);
    }
    let status = child.wait().await.map_err(|e| RunError::Io(format!("waiting for `{}`: {e}", program.display())))?;
    Ok(Finished {
        success: status.success(),
        code: status.code(),
        stdout: out,
        stderr: String::from_utf8_lossy(&err).into_owned(),
    })
}

/// `program` with no environment but `PATH`, one thread for OpenMP
/// programs, the memory ceiling, and death when its handle is dropped.
pub fn confined(program: &Path) -> Command {
    let mut command = Command::new(program);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        // One thread per process; concurrency comes from running several.
        .env("OMP_THREAD_LIMIT", "1")
        .kill_on_drop(true);
    limit_memory(&mut command);
    command
}

/// Start a [`confined`] command, telling a missing program from other failures.
pub fn spawn(command: &mut Command, program: &Path) -> Result<tokio::process::Child, RunError> {
    command.spawn().map_err(|e| match e.kind() {
        ErrorKind::NotFound | ErrorKind::PermissionDenied => RunError::Missing(format!("`{}`: {e}", program.display())),
        _ => RunError::Io(format!("could not start `{}`: {e}", program.display())),
    })
}

#[cfg(unix)]
fn limit_memory(command: &mut Command) {
    // SAFETY: the closure runs between fork and exec and only calls
    // setrlimit, which is async-signal-safe; it touches no shared state.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit { rlim_cur: MEMORY_CEILING, rlim_max: MEMORY_CEILING };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[cfg(not(unix))]
fn limit_memory(_: &mut Command) {}

/// The last meaningful line a program printed on stderr, for messages.
pub fn last_line(stderr: &str) -> String {
    stderr.lines().map(str::trim).rfind(|l| !l.is_empty()).unwrap_or("no message").chars().take(300).collect()
}
