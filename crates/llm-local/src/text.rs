//! Pure text plumbing for streaming: UTF-8 reassembly across token pieces and
//! stop-sequence hold-back. Kept apart from the FFI so it is unit-tested
//! without a model.

/// Turns a stream of byte pieces into UTF-8 text.
///
/// Why: a BPE token can end in the middle of a multi-byte character (Korean
/// syllables are 3 bytes and are often split across two tokens). Decoding each
/// piece on its own would emit U+FFFD twice; instead the incomplete tail is
/// kept until the next piece completes it. Bytes that can never become valid
/// UTF-8 are replaced by U+FFFD so a bad token cannot stall the stream.
#[derive(Debug, Default)]
pub(crate) struct Utf8Stream {
    pending: Vec<u8>,
}

impl Utf8Stream {
    /// Appends `bytes` and returns the text that is now complete.
    pub(crate) fn push(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let mut out = String::new();
        loop {
            match std::str::from_utf8(&self.pending) {
                Ok(s) => {
                    out.push_str(s);
                    self.pending.clear();
                    return out;
                }
                Err(e) => {
                    let valid = e.valid_up_to();
                    // The first `valid_up_to` bytes are valid UTF-8 by contract.
                    out.push_str(std::str::from_utf8(&self.pending[..valid]).unwrap_or_default());
                    match e.error_len() {
                        // Incomplete sequence at the end: wait for more bytes.
                        None => {
                            self.pending.drain(..valid);
                            return out;
                        }
                        // Invalid bytes: replace and keep going.
                        Some(bad) => {
                            out.push(char::REPLACEMENT_CHARACTER);
                            self.pending.drain(..valid + bad);
                        }
                    }
                }
            }
        }
    }

    /// Flushes whatever is left (an unfinished character becomes U+FFFD).
    pub(crate) fn finish(&mut self) -> String {
        let s = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending.clear();
        s
    }
}

/// Accumulates generated text, cuts it at the first stop sequence, and decides
/// how much of it is safe to stream.
///
/// Why hold back: if a stop sequence is `"\n\n"` and the text so far ends in
/// `"\n"`, that newline may turn out to be the start of the stop sequence,
/// which must not reach the caller. So the longest suffix that is a prefix of
/// some stop sequence is withheld until it is resolved either way. This keeps
/// the invariant: the concatenation of all streamed pieces equals the final
/// text.
#[derive(Debug)]
pub(crate) struct StopScanner {
    stops: Vec<String>,
    text: String,
    emitted: usize,
}

impl StopScanner {
    pub(crate) fn new(stops: &[String]) -> Self {
        Self {
            // An empty stop string would match immediately; it means nothing.
            stops: stops.iter().filter(|s| !s.is_empty()).cloned().collect(),
            text: String::new(),
            emitted: 0,
        }
    }

    /// Adds decoded text. Returns the piece that can be streamed now (maybe
    /// empty) and whether a stop sequence was hit (then generation must end;
    /// the stop sequence and anything after it are dropped).
    pub(crate) fn push(&mut self, piece: &str) -> (String, bool) {
        // Only the new text plus a window the length of the longest stop can
        // contain a match that was not there before.
        let longest = self.stops.iter().map(String::len).max().unwrap_or(0);
        let mut search_from = self.text.len().saturating_sub(longest);
        while !self.text.is_char_boundary(search_from) {
            search_from -= 1;
        }
        self.text.push_str(piece);

        let hit =
            self.stops.iter().filter_map(|s| self.text[search_from..].find(s.as_str()).map(|i| search_from + i)).min();
        if let Some(cut) = hit {
            self.text.truncate(cut);
            return (self.take_until(self.text.len()), true);
        }

        let held = self.held_back_len();
        let until = self.text.len() - held;
        (self.take_until(until), false)
    }

    /// Emits whatever was held back (generation ended for another reason, so
    /// a partial stop sequence is just text).
    pub(crate) fn flush(&mut self) -> String {
        self.take_until(self.text.len())
    }

    pub(crate) fn into_text(self) -> String {
        self.text
    }

    fn take_until(&mut self, until: usize) -> String {
        if until <= self.emitted {
            return String::new();
        }
        let s = self.text[self.emitted..until].to_owned();
        self.emitted = until;
        s
    }

    /// Length of the longest suffix of the unemitted text that is a proper
    /// prefix of some stop sequence.
    fn held_back_len(&self) -> usize {
        let tail = &self.text[self.emitted..];
        let mut best = 0;
        for stop in &self.stops {
            // Candidate suffix starts must be char boundaries of `tail`.
            for (start, _) in tail.char_indices() {
                let suffix = &tail[start..];
                if suffix.len() <= best {
                    break;
                }
                if suffix.len() < stop.len() && stop.starts_with(suffix) {
                    best = suffix.len();
                    break;
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_split_across_pieces_is_reassembled() {
        let bytes = "안녕하세요".as_bytes();
        let mut d = Utf8Stream::default();
        let mut out = String::new();
        // Feed in awkward 2-byte chunks that split every 3-byte syllable.
        for chunk in bytes.chunks(2) {
            out.push_str(&d.push(chunk));
        }
        out.push_str(&d.finish());
        assert_eq!(out, "안녕하세요");
    }

    #[test]
    fn invalid_bytes_become_replacement_without_stalling() {
        let mut d = Utf8Stream::default();
        assert_eq!(d.push(b"a\xffb"), "a\u{fffd}b");
        assert_eq!(d.push(&[0xEC]), "");
        assert_eq!(d.finish(), "\u{fffd}");
    }

    #[test]
    fn stop_sequence_is_cut_and_not_streamed() {
        let mut s = StopScanner::new(&["\nUser:".to_owned()]);
        let mut streamed = String::new();
        for piece in ["Hello", " world", "\n", "Us", "er:", " more"] {
            let (p, stop) = s.push(piece);
            streamed.push_str(&p);
            if stop {
                break;
            }
        }
        assert_eq!(streamed, "Hello world");
        assert_eq!(s.into_text(), "Hello world");
    }

    #[test]
    fn partial_stop_is_released_when_it_diverges_or_on_flush() {
        let mut s = StopScanner::new(&["END".to_owned()]);
        assert_eq!(s.push("abcE"), ("abc".to_owned(), false));
        assert_eq!(s.push("N"), (String::new(), false));
        assert_eq!(s.push("x"), ("ENx".to_owned(), false));
        assert_eq!(s.push("E"), (String::new(), false));
        assert_eq!(s.flush(), "E");
        assert_eq!(s.into_text(), "abcENxE");
    }

    #[test]
    fn stop_spanning_earlier_text_is_found() {
        let mut s = StopScanner::new(&["한국".to_owned()]);
        let (a, stop_a) = s.push("대한");
        let (b, stop_b) = s.push("국");
        assert!(!stop_a && stop_b);
        assert_eq!(format!("{a}{b}"), "대");
    }

    #[test]
    fn empty_stop_strings_are_ignored() {
        let mut s = StopScanner::new(&[String::new()]);
        assert_eq!(s.push("abc"), ("abc".to_owned(), false));
    }
}
