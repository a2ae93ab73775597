//! `capsule new`: scaffold a component crate whose example passes with no edits.
//!
//! The crate goes to `components/<name>` of the Capsule workspace (a member)
//! or to `--dir`. A directory the workspace's `members` do not cover gets a
//! standalone crate (its own empty `[workspace]` table) that depends on the
//! workspace's `components/sdk` by path: relative inside the checkout,
//! absolute outside it.

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;

const CARGO_TOML: &str = include_str!("../../templates/rust/Cargo.toml.tmpl");
const LIB_RS: &str = include_str!("../../templates/rust/lib.rs.tmpl");

/// Languages `--lang` accepts.
const LANGUAGES: &[&str] = &["rust"];

/// Names that cannot be a Rust library: keywords, the built-in crates and the crates the scaffold depends on.
const RESERVED_CRATES: &[&str] = &[
    "abstract",
    "as",
    "async",
    "await",
    "become",
    "box",
    "break",
    "const",
    "continue",
    "crate",
    "do",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "final",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "macro",
    "match",
    "mod",
    "move",
    "mut",
    "override",
    "priv",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "try",
    "type",
    "typeof",
    "unsafe",
    "unsized",
    "use",
    "virtual",
    "where",
    "while",
    "yield",
    "std",
    "core",
    "alloc",
    "proc_macro",
    "test",
    "capsule_sdk",
    "schemars",
    "serde",
    "serde_json",
];

/// Type names the template itself uses; a capability type may not shadow them.
const TEMPLATE_TYPES: &[&str] = &[
    "Input",
    "Output",
    "Capability",
    "Descriptor",
    "Failure",
    "Job",
    "Mode",
    "JsonSchema",
    "Serialize",
    "Deserialize",
];

#[derive(Args, Debug)]
pub struct NewArgs {
    /// The component id (lower-case letters, digits, dashes).
    pub name: String,
    /// Language of the scaffold.
    #[arg(long, default_value = "rust")]
    pub lang: String,
    /// Where to create the crate [default: components/<name>].
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

pub fn run(args: NewArgs) -> anyhow::Result<()> {
    if !LANGUAGES.contains(&args.lang.as_str()) {
        bail!(
            "`--lang {}` is not supported; supported languages: {}. Any toolchain that builds a component for \
             wit/worker.wit works too (see docs/plugins.md)",
            args.lang,
            LANGUAGES.join(", ")
        );
    }
    check_name(&args.name)?;
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let root = find_workspace(&cwd)?;
    let dir = match &args.dir {
        Some(d) => absolute(&cwd.join(d)),
        None => root.join("components").join(&args.name),
    };
    check_target(&dir)?;
    let plan = Plan::new(&args.name, &root, &dir)?;
    plan.write()?;
    plan.format();
    print!("{}", plan.next_steps());
    Ok(())
}

fn check_name(name: &str) -> anyhow::Result<()> {
    if !crate::manifest::valid_id(name) {
        bail!(
            "`{name}` is not a valid component name: use lower-case letters, digits and dashes, starting with a \
             letter, at most 64 characters (e.g. `pdf-summary`)"
        );
    }
    if crate::manifest::RESERVED_NAMES.contains(&name) {
        bail!("`{name}` cannot be a component name: `/api/v1/{name}` is a route of the host itself");
    }
    if RESERVED_CRATES.contains(&name.replace('-', "_").as_str()) {
        bail!("`{name}` cannot be a component name: it is a Rust keyword or the name of a crate the component uses");
    }
    Ok(())
}

/// The Capsule workspace: the nearest ancestor of `cwd` holding a Cargo
/// workspace with `components/sdk`, else the checkout this binary was built from.
fn find_workspace(cwd: &Path) -> anyhow::Result<PathBuf> {
    let is_capsule = |dir: &Path| {
        let sdk = std::fs::read_to_string(dir.join("components/sdk/Cargo.toml")).unwrap_or_default();
        let root = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap_or_default();
        sdk.contains("name = \"capsule-sdk\"") && root.contains("[workspace]")
    };
    let built_from = Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf);
    cwd.ancestors()
        .map(Path::to_path_buf)
        .chain(built_from)
        .find(|d| is_capsule(d))
        .map(|d| std::fs::canonicalize(&d).unwrap_or(d))
        .context(
            "cannot find the Capsule workspace (a Cargo.toml with [workspace] beside components/sdk); run \
             `capsule new` from inside the Capsule checkout",
        )
}

/// `path` made absolute without `.`/`..`, symlinks of its existing part resolved.
fn absolute(path: &Path) -> PathBuf {
    let mut clean = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    let mut existing = clean.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return clean,
        }
    }
    let mut out = std::fs::canonicalize(existing).unwrap_or_else(|_| existing.to_path_buf());
    out.extend(rest.iter().rev());
    out
}

fn check_target(dir: &Path) -> anyhow::Result<()> {
    if dir.is_file() {
        bail!("{} is a file; choose another name or `--dir`", dir.display());
    }
    if let Ok(mut entries) = std::fs::read_dir(dir)
        && entries.next().is_some()
    {
        bail!("{} already exists and is not empty; choose another name or `--dir`", dir.display());
    }
    Ok(())
}

/// The path from directory `from` to `to`, both absolute and clean.
fn relative(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    out.extend(&to[common..]);
    if out.as_os_str().is_empty() { PathBuf::from(".") } else { out }
}

/// `/`-separated, for Cargo.toml and spin.toml on every platform.
fn slashed(path: &Path) -> String {
    path.to_string_lossy().replace(std::path::MAIN_SEPARATOR, "/")
}

/// Does a workspace `members` pattern (`components/*`, `host`) cover `rel`?
fn pattern_matches(pattern: &str, rel: &str) -> bool {
    fn segment(p: &[u8], s: &[u8]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(b'*'), _) => segment(&p[1..], s) || (!s.is_empty() && segment(p, &s[1..])),
            (Some(b'?'), Some(_)) => segment(&p[1..], &s[1..]),
            (Some(a), Some(b)) if a == b => segment(&p[1..], &s[1..]),
            _ => false,
        }
    }
    let pattern: Vec<&str> = pattern.trim_end_matches('/').split('/').filter(|s| !s.is_empty() && *s != ".").collect();
    let rel: Vec<&str> = rel.split('/').collect();
    pattern.len() == rel.len() && pattern.iter().zip(&rel).all(|(p, s)| segment(p.as_bytes(), s.as_bytes()))
}

/// Is `rel` (relative to the workspace root) a member of the workspace in `cargo_toml`?
fn is_member(cargo_toml: &str, rel: &str) -> bool {
    let Ok(doc) = cargo_toml.parse::<toml::Table>() else { return false };
    let list = |key: &str| -> Vec<String> {
        doc.get("workspace")
            .and_then(|w| w.get(key))
            .and_then(|m| m.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    list("members").iter().any(|p| pattern_matches(p, rel)) && !list("exclude").iter().any(|p| pattern_matches(p, rel))
}

/// How the crate relates to the Capsule workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Layout {
    /// A workspace member; `listed` is false when `members` does not cover it yet.
    Member { rel: String, listed: bool },
    /// Its own workspace; `rel` is its path from the workspace root when it is inside it.
    Standalone { rel: Option<String> },
}

struct Plan {
    name: String,
    root: PathBuf,
    dir: PathBuf,
    layout: Layout,
    files: Vec<(PathBuf, String)>,
}

impl Plan {
    fn new(name: &str, root: &Path, dir: &Path) -> anyhow::Result<Self> {
        let root_toml = std::fs::read_to_string(root.join("Cargo.toml"))
            .with_context(|| format!("reading {}", root.join("Cargo.toml").display()))?;
        let rel = dir.strip_prefix(root).ok().map(slashed).filter(|r| !r.is_empty());
        let layout = match rel {
            Some(rel) if is_member(&root_toml, &rel) => Layout::Member { rel, listed: true },
            Some(rel) if rel.starts_with("components/") => Layout::Member { rel, listed: false },
            rel => Layout::Standalone { rel },
        };
        let sdk = root.join("components").join("sdk");
        let sdk = match &layout {
            Layout::Standalone { rel: None } => slashed(&sdk),
            _ => slashed(&relative(dir, &sdk)),
        };
        let type_name = type_name(name);
        let code = name.to_ascii_uppercase().replace('-', "_");
        let fill = |template: &str| {
            template
                .replace("{{name}}", name)
                .replace("{{type}}", &type_name)
                .replace("{{code}}", &code)
                .replace("{{sdk}}", &sdk)
        };
        let mut cargo_toml = fill(CARGO_TOML);
        let mut files = Vec::new();
        if let Layout::Standalone { .. } = layout {
            cargo_toml.push_str("\n# Built on its own, not as a member of an enclosing workspace.\n[workspace]\n");
            files.push((PathBuf::from(".gitignore"), "/target\n".to_string()));
            // The dependency versions the Capsule workspace builds and tests with; cargo drops the rest.
            if let Ok(lock) = std::fs::read_to_string(root.join("Cargo.lock")) {
                files.push((PathBuf::from("Cargo.lock"), lock));
            }
        }
        files.push((PathBuf::from("Cargo.toml"), cargo_toml));
        files.push((PathBuf::from("src/lib.rs"), fill(LIB_RS)));
        Ok(Self { name: name.to_string(), root: root.to_path_buf(), dir: dir.to_path_buf(), layout, files })
    }

    fn write(&self) -> anyhow::Result<()> {
        for (path, text) in &self.files {
            let path = self.dir.join(path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
            }
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        }
        Ok(())
    }

    /// Format the code with the rustfmt settings that apply where it landed
    /// (the names make line lengths vary); without rustfmt it stays as is.
    fn format(&self) {
        let status = std::process::Command::new("rustfmt")
            .args(["--edition", "2024"])
            .arg(self.dir.join("src").join("lib.rs"))
            .current_dir(&self.dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            eprintln!("note: could not run rustfmt on the new code; run `cargo fmt` in {}", self.dir.display());
        }
    }

    /// Where the crate is, how to test and build it, and its spin.toml entry.
    fn next_steps(&self) -> String {
        let name = &self.name;
        let wasm = format!("{}.wasm", name.replace('-', "_"));
        let toml_str = |s: &str| toml::Value::String(s.to_string()).to_string();
        let mut out = String::new();
        let (shown, test, build, source, build_table) = match &self.layout {
            Layout::Member { rel, .. } => {
                let build = format!("cargo build --release --target wasm32-wasip2 --target-dir target/guest -p {name}");
                let table = format!(
                    "command = {}\nwatch = [{}, \"components/sdk/src/**/*.rs\", \"wit/*.wit\"]\n",
                    toml_str(&build),
                    toml_str(&format!("{rel}/src/**/*.rs"))
                );
                let source = format!("target/guest/wasm32-wasip2/release/{wasm}");
                (rel.clone(), format!("cargo test -p {name}"), build, source, table)
            }
            Layout::Standalone { rel } => {
                let shown = rel.clone().unwrap_or_else(|| slashed(&self.dir));
                let cd = format!("cd {}", shell_word(&shown));
                let build = "cargo build --release --target wasm32-wasip2";
                let table = format!("command = {}\nworkdir = {}\n", toml_str(build), toml_str(&shown));
                let source = format!("{shown}/target/wasm32-wasip2/release/{wasm}");
                (shown, format!("({cd} && cargo test)"), format!("({cd} && {build})"), source, table)
            }
        };
        let _ = writeln!(out, "Created the Rust component `{name}` in {shown}");
        match &self.layout {
            Layout::Member { listed: true, .. } => {
                let _ = writeln!(out, "(a member of the workspace at {}).", self.root.display());
            }
            Layout::Member { rel, listed: false } => {
                let _ = writeln!(
                    out,
                    "\nNote: the `members` of {}/Cargo.toml do not include it yet: add \"{rel}\" (or \
                     \"components/*\") to [workspace] members before building.",
                    self.root.display()
                );
            }
            Layout::Standalone { .. } => {
                let _ = writeln!(out, "(a standalone crate with its own [workspace], using the SDK in this checkout).");
            }
        }
        let _ = write!(
            out,
            "\nNext steps (commands run from {root}):\n\n\
             1. Run its unit tests natively; they run the descriptor's example as the host will:\n\n    {test}\n\n\
             2. Build the component:\n\n    {build}\n\n\
             3. Add it to spin.toml (paths are relative to the directory of spin.toml):\n\n\
             [[trigger.job]]\n\
             component = \"{name}\"\n\
             route = \"/api/v1/{name}\"\n\
             timeout = \"30s\"\n\
             max_attempts = 3\n\
             concurrency = 4\n\
             memory = \"128MiB\"\n\
             cache = false\n\n\
             [component.{name}]\n\
             source = {source}\n\
             allowed_outbound_hosts = []\n\
             [component.{name}.build]\n\
             {build_table}\n\
             4. Try one job, then serve it:\n\n    \
             echo '{{\"name\": \"Ada\"}}' | capsule run {name} --input -\n    \
             capsule serve\n\n\
             The plugin guide: docs/plugins.md.\n",
            root = self.root.display(),
            source = toml_str(&source),
        );
        out
    }
}

/// `demo-cap` → `DemoCap`; a name the template uses itself gets a `Capability` suffix.
fn type_name(name: &str) -> String {
    let camel: String = name
        .split('-')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut chars = s.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect();
    if TEMPLATE_TYPES.contains(&camel.as_str()) { format!("{camel}Capability") } else { camel }
}

/// Quote a path for a POSIX shell when it needs it.
fn shell_word(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+:@%".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        for good in ["demo", "demo-cap", "a1", "pdf-2-text"] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for bad in ["", "Demo", "1demo", "-demo", "demo_cap", "demo cap", "dé", &"a".repeat(65)] {
            let err = check_name(bad).unwrap_err().to_string();
            assert!(err.contains("lower-case letters"), "{bad}: {err}");
        }
        assert!(check_name("jobs").unwrap_err().to_string().contains("route"));
        assert!(check_name("fn").unwrap_err().to_string().contains("keyword"));
        assert!(check_name("serde-json").is_err());
    }

    #[test]
    fn type_names_are_camel_case_and_do_not_shadow_the_template() {
        assert_eq!(type_name("demo-cap"), "DemoCap");
        assert_eq!(type_name("pdf-2-text"), "Pdf2Text");
        assert_eq!(type_name("input"), "InputCapability");
    }

    #[test]
    fn relative_paths() {
        let p = |s: &str| PathBuf::from(s);
        assert_eq!(relative(&p("/w/components/x"), &p("/w/components/sdk")), p("../sdk"));
        assert_eq!(relative(&p("/w/target/t/x"), &p("/w/components/sdk")), p("../../../components/sdk"));
        assert_eq!(relative(&p("/w"), &p("/w")), p("."));
    }

    #[test]
    fn absolute_cleans_dots() {
        let base = std::env::temp_dir();
        let got = absolute(&base.join("a/./b/../c"));
        assert!(got.ends_with("a/c"), "{}", got.display());
        assert!(got.is_absolute());
    }

    #[test]
    fn members_patterns() {
        let toml =
            "[workspace]\nmembers = [\"host\", \"components/*\", \"tests/fixtures/*\"]\nexclude = [\"components/old\"]";
        assert!(is_member(toml, "components/demo"));
        assert!(is_member(toml, "tests/fixtures/echo"));
        assert!(!is_member(toml, "components/old"));
        assert!(!is_member(toml, "components/a/b"));
        assert!(!is_member(toml, "target/scaffold-test/demo"));
        assert!(is_member("[workspace]\nmembers = [\"components/cal*\"]", "components/calendar"));
        assert!(!is_member("[workspace]\nmembers = [\"components/sdk\"]", "components/demo"));
    }

    /// A plan for `demo-cap` in `dir` (relative to a fresh workspace root, or absolute).
    fn plan(dir: &str) -> (tempfile::TempDir, Plan) {
        let root = tempfile::tempdir().unwrap();
        let toml = "[workspace]\nmembers = [\"host\", \"components/*\"]\n";
        std::fs::write(root.path().join("Cargo.toml"), toml).unwrap();
        let dir = if dir.starts_with('/') { PathBuf::from(dir) } else { root.path().join(dir) };
        let plan = Plan::new("demo-cap", root.path(), &dir).unwrap();
        (root, plan)
    }

    fn file<'a>(plan: &'a Plan, name: &str) -> &'a str {
        plan.files.iter().find(|(p, _)| p == Path::new(name)).map(|(_, t)| t.as_str()).unwrap()
    }

    #[test]
    fn a_member_depends_on_the_sdk_by_relative_path() {
        let (_root, plan) = plan("components/demo-cap");
        assert_eq!(plan.layout, Layout::Member { rel: "components/demo-cap".into(), listed: true });
        let cargo = file(&plan, "Cargo.toml");
        assert!(cargo.contains("capsule-sdk = { path = \"../sdk\" }"), "{cargo}");
        assert!(!cargo.contains("[workspace]"), "{cargo}");
        let lib = file(&plan, "src/lib.rs");
        assert!(lib.contains("pub struct DemoCap;") && lib.contains("DEMO_CAP_NAME_BLANK"), "{lib}");
        assert!(!lib.contains("{{") && !cargo.contains("{{"));
        let steps = plan.next_steps();
        assert!(steps.contains("[component.demo-cap]"), "{steps}");
        assert!(steps.contains("source = \"target/guest/wasm32-wasip2/release/demo_cap.wasm\""), "{steps}");
        assert!(steps.contains("-p demo-cap"), "{steps}");
    }

    #[test]
    fn a_crate_outside_the_members_is_standalone() {
        let (_root, plan) = plan("target/x/demo-cap");
        assert_eq!(plan.layout, Layout::Standalone { rel: Some("target/x/demo-cap".into()) });
        let cargo = file(&plan, "Cargo.toml");
        assert!(cargo.contains("path = \"../../../components/sdk\"") && cargo.contains("\n[workspace]\n"), "{cargo}");
        let steps = plan.next_steps();
        assert!(steps.contains("workdir = \"target/x/demo-cap\""), "{steps}");
        assert!(steps.contains("source = \"target/x/demo-cap/target/wasm32-wasip2/release/demo_cap.wasm\""), "{steps}");
    }

    #[test]
    fn a_crate_outside_the_checkout_uses_an_absolute_sdk_path() {
        let outside = tempfile::tempdir().unwrap();
        let (_root, plan) = plan(outside.path().join("demo-cap").to_str().unwrap());
        assert_eq!(plan.layout, Layout::Standalone { rel: None });
        let cargo = file(&plan, "Cargo.toml");
        let sdk = slashed(&plan.root.join("components/sdk"));
        assert!(cargo.contains(&format!("path = \"{sdk}\"")), "{cargo}");
    }

    #[test]
    fn an_unlisted_components_dir_is_a_member_with_a_note() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("Cargo.toml"), "[workspace]\nmembers = [\"components/sdk\"]\n").unwrap();
        let plan = Plan::new("demo-cap", root.path(), &root.path().join("components/demo-cap")).unwrap();
        assert_eq!(plan.layout, Layout::Member { rel: "components/demo-cap".into(), listed: false });
        assert!(plan.next_steps().contains("add \"components/demo-cap\""));
    }

    #[test]
    fn an_existing_non_empty_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_target(dir.path()).is_ok());
        std::fs::write(dir.path().join("x"), "").unwrap();
        let err = check_target(dir.path()).unwrap_err().to_string();
        assert!(err.contains("not empty"), "{err}");
    }
}
