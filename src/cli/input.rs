//! Reading companion files (traffic, synthetic specs, pricing tables) with a
//! bound on bytes: a whole file is read only up to a limit, and a traffic file
//! is streamed a line at a time with each line capped, so `/dev/zero`, a FIFO
//! or a file without line breaks fails with a message instead of filling memory.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Longest traffic line read (a line holds one request: far less than this).
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Reads `path` as UTF-8 text of at most `max` bytes. The error says why, in
/// words, naming the file.
pub fn read_text(path: &Path, max: usize) -> Result<String, String> {
    let shown = crate::escape::terminal(&path.display().to_string()).into_owned();
    let f = open(path)?;
    let mut bytes = Vec::new();
    f.take((max as u64).saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    if bytes.len() > max {
        return Err(format!(
            "`{shown}` is larger than the limit of {max} bytes (raise it with `--max-file-size`)"
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "`{shown}` is not valid UTF-8 from byte {}",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Opens a file to read, refusing a directory up front (reading one gives an
/// unhelpful OS error on some systems and none on others).
fn open(path: &Path) -> Result<std::fs::File, String> {
    let shown = crate::escape::terminal(&path.display().to_string()).into_owned();
    if path.is_dir() {
        return Err(format!("`{shown}` is a directory, not a file"));
    }
    std::fs::File::open(path).map_err(|e| format!("cannot read `{shown}`: {e}"))
}

/// A stream of lines, each at most [`MAX_LINE_BYTES`] long.
pub struct Lines {
    reader: BufReader<Box<dyn Read>>,
    buf: Vec<u8>,
    /// 1-based number of the line last returned.
    pub number: u64,
    /// Bytes consumed so far.
    pub bytes: u64,
}

impl Lines {
    /// Lines of `path` (`-` for stdin), with the file's size when known.
    pub fn open(path: &Path) -> Result<(Lines, u64), String> {
        let (input, size): (Box<dyn Read>, u64) = if path.as_os_str() == "-" {
            (Box::new(std::io::stdin()), 0)
        } else {
            let f = open(path)?;
            let size = f.metadata().map(|m| m.len()).unwrap_or(0);
            (Box::new(f), size)
        };
        Ok((Lines::new(input), size))
    }

    /// Lines of any reader.
    pub fn new(input: Box<dyn Read>) -> Lines {
        Lines {
            reader: BufReader::with_capacity(1 << 16, input),
            buf: Vec::new(),
            number: 0,
            bytes: 0,
        }
    }

    /// The next line without its line break, with its 1-based number; `Ok(None)`
    /// at the end. A line past the cap is an error naming it; reading stops there.
    pub fn next_line(&mut self) -> Result<Option<(u64, &str)>, String> {
        self.buf.clear();
        loop {
            let chunk = self
                .reader
                .fill_buf()
                .map_err(|e| format!("line {}: {e}", self.number + 1))?;
            if chunk.is_empty() {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                break;
            }
            let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            if self.buf.len() + take > MAX_LINE_BYTES + 1 {
                return Err(format!(
                    "line {} is longer than {MAX_LINE_BYTES} bytes; a traffic line holds one request",
                    self.number + 1
                ));
            }
            self.buf.extend_from_slice(&chunk[..take]);
            self.reader.consume(take);
            self.bytes += take as u64;
            if done {
                break;
            }
        }
        self.number += 1;
        while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
            self.buf.pop();
        }
        std::str::from_utf8(&self.buf)
            .map(|l| Some((self.number, l)))
            .map_err(|_| format!("line {} is not valid UTF-8", self.number))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_capped_and_an_endless_line_fails() {
        let text = b"a\r\nb\n\nc".to_vec();
        let mut lines = Lines::new(Box::new(std::io::Cursor::new(text)));
        let mut got = Vec::new();
        while let Some((n, l)) = lines.next_line().unwrap() {
            assert_eq!(n as usize, got.len() + 1);
            got.push(l.to_string());
        }
        assert_eq!(got, ["a", "b", "", "c"]);
        // An endless stream of zeros (as `/dev/zero` gives) stops at the cap.
        let mut zeros = Lines::new(Box::new(std::io::repeat(0)));
        let err = zeros.next_line().unwrap_err();
        assert!(err.contains("longer than"), "{err}");
        assert!(zeros.bytes <= MAX_LINE_BYTES as u64 + (1 << 16));
    }

    #[test]
    fn whole_files_are_bounded() {
        let err = read_text(Path::new("/dev/zero"), 1000).unwrap_err();
        assert!(err.contains("larger than the limit"), "{err}");
        assert!(
            read_text(Path::new("."), 1000)
                .unwrap_err()
                .contains("directory")
        );
    }
}
