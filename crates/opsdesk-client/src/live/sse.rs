//! A Server-Sent Events parser, as the HTML standard's "event stream interpretation" describes
//! it: bytes in as the network delivers them (a chunk may end inside a line, inside a `\r\n`
//! or inside a UTF-8 character), messages out. Lines end in `\n`, `\r\n` or `\r`; `:` starts a
//! comment; `data` lines join with `\n`; `id` persists across messages until the next one.

/// One message: its type (`message` when the stream did not name one), its data, and the last
/// event id the stream had set when it was dispatched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseMessage {
    pub event: String,
    pub data: String,
    pub id: Option<String>,
}

/// The parser's state between chunks.
#[derive(Debug, Default)]
pub struct SseParser {
    /// Bytes of the line being read (not yet ended).
    line: Vec<u8>,
    /// The previous chunk ended on `\r`: a `\n` starting the next one belongs to it.
    after_cr: bool,
    /// The stream's first bytes were looked at for a byte order mark.
    started: bool,
    event: String,
    data: String,
    /// The last event id buffer.
    last_id: Option<String>,
    /// What a `retry` field asked for, in milliseconds.
    retry_ms: Option<u64>,
}

impl SseParser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// A parser for a stream resumed after `last_id` (what a new connection starts from).
    pub fn resuming(last_id: Option<String>) -> Self {
        SseParser {
            last_id,
            ..Self::default()
        }
    }

    /// The last event id the stream set, also by messages without data.
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_id.as_deref()
    }

    /// The reconnection delay the stream asked for, if it did.
    pub fn retry_ms(&self) -> Option<u64> {
        self.retry_ms
    }

    /// Feeds the next bytes; returns the messages they complete, in order.
    pub fn push(&mut self, mut bytes: &[u8]) -> Vec<SseMessage> {
        let out = Vec::new();
        if !self.started && !bytes.is_empty() {
            // A byte order mark may open the stream (it may arrive split, too).
            const BOM: &[u8] = b"\xEF\xBB\xBF";
            let have = self.line.len() + bytes.len();
            if have < BOM.len() && BOM.starts_with(&[self.line.as_slice(), bytes].concat()) {
                self.line.extend_from_slice(bytes);
                return out;
            }
            self.started = true;
            let joined = [std::mem::take(&mut self.line).as_slice(), bytes].concat();
            let rest = joined.strip_prefix(BOM).unwrap_or(&joined);
            return self.push_lines(rest, out);
        }
        if self.after_cr {
            self.after_cr = false;
            if let Some(rest) = bytes.strip_prefix(b"\n") {
                bytes = rest;
            }
        }
        self.push_lines(bytes, out)
    }

    fn push_lines(&mut self, bytes: &[u8], mut out: Vec<SseMessage>) -> Vec<SseMessage> {
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i..].iter().position(|b| *b == b'\n' || *b == b'\r') {
                None => {
                    self.line.extend_from_slice(&bytes[i..]);
                    break;
                }
                Some(at) => {
                    let end = i + at;
                    self.line.extend_from_slice(&bytes[i..end]);
                    let line = std::mem::take(&mut self.line);
                    if let Some(m) = self.line_ended(&line) {
                        out.push(m);
                    }
                    i = end + 1;
                    if bytes[end] == b'\r' {
                        if i == bytes.len() {
                            self.after_cr = true;
                        } else if bytes[i] == b'\n' {
                            i += 1;
                        }
                    }
                }
            }
        }
        out
    }

    /// Interprets one whole line; a blank line dispatches the message gathered so far.
    fn line_ended(&mut self, line: &[u8]) -> Option<SseMessage> {
        if line.is_empty() {
            let event = std::mem::take(&mut self.event);
            let mut data = std::mem::take(&mut self.data);
            if data.is_empty() {
                return None;
            }
            data.pop(); // the `\n` after the last data line
            return Some(SseMessage {
                event: if event.is_empty() {
                    "message".to_owned()
                } else {
                    event
                },
                data,
                id: self.last_id.clone(),
            });
        }
        if line[0] == b':' {
            return None;
        }
        let line = String::from_utf8_lossy(line);
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_ref(), ""),
        };
        match field {
            "event" => self.event = value.to_owned(),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
            }
            "id" if !value.contains('\0') => self.last_id = Some(value.to_owned()),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                self.retry_ms = value.parse().ok();
            }
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(event: &str, data: &str, id: Option<&str>) -> SseMessage {
        SseMessage {
            event: event.into(),
            data: data.into(),
            id: id.map(str::to_owned),
        }
    }

    /// Feeds `stream` cut at every possible place: the messages never depend on the cuts.
    fn every_split(stream: &[u8]) -> Vec<SseMessage> {
        let whole = SseParser::new().push(stream);
        for cut in 0..=stream.len() {
            let mut p = SseParser::new();
            let mut got = p.push(&stream[..cut]);
            got.extend(p.push(&stream[cut..]));
            assert_eq!(got, whole, "cut at {cut}");
        }
        let mut p = SseParser::new();
        let one_by_one: Vec<SseMessage> = stream.iter().flat_map(|b| p.push(&[*b])).collect();
        assert_eq!(one_by_one, whole, "byte by byte");
        whole
    }

    #[test]
    fn a_hub_stream_with_heartbeats_reads_back_whatever_the_chunks() {
        let stream = b": heartbeat\n\nid: 7\nevent: change\ndata: {\"id\":7}\n\n: heartbeat\n\n\
                       id: 8\nevent: change\ndata: {\"id\":8}\n\nid: 9\nevent: resync\ndata: 9\n\n";
        assert_eq!(
            every_split(stream),
            vec![
                msg("change", "{\"id\":7}", Some("7")),
                msg("change", "{\"id\":8}", Some("8")),
                msg("resync", "9", Some("9")),
            ]
        );
    }

    #[test]
    fn data_lines_join_with_newlines_and_any_line_ending_works() {
        let stream = b"data: first\r\ndata:second\rdata:  third\n\r\nevent:x\ndata\n\n";
        assert_eq!(
            every_split(stream),
            vec![
                msg("message", "first\nsecond\n third", None),
                msg("x", "", None),
            ]
        );
        // `data` without a colon adds an empty line; a message whose data buffer is empty is
        // not dispatched, but an empty data line is data.
        let only_event = b"event: nothing\n\ndata: after\n\n";
        assert_eq!(every_split(only_event), vec![msg("message", "after", None)]);
    }

    #[test]
    fn ids_persist_until_changed_and_set_the_resume_point_without_data() {
        let stream = b"id: 1\ndata: a\n\ndata: b\n\nid: 2\n\nid\ndata: c\n\n";
        assert_eq!(
            every_split(stream),
            vec![
                msg("message", "a", Some("1")),
                msg("message", "b", Some("1")),
                msg("message", "c", Some("")),
            ]
        );
        let mut p = SseParser::resuming(Some("41".into()));
        assert!(p.push(b"id: 42\n\n: only an id\n\n").is_empty());
        assert_eq!(p.last_event_id(), Some("42"));
        // An id holding NUL is ignored, as the standard says.
        p.push(b"id: 4\x003\n\n");
        assert_eq!(p.last_event_id(), Some("42"));
    }

    #[test]
    fn comments_unknown_fields_and_an_unfinished_message_yield_nothing() {
        let mut p = SseParser::new();
        assert!(p
            .push(b":comment\nfoo: bar\nretry: 2500\nretry: soon\ndata: half")
            .is_empty());
        assert_eq!(p.retry_ms(), Some(2500));
        assert_eq!(p.push(b"\n\n"), vec![msg("message", "half", None)]);
    }

    #[test]
    fn utf8_split_across_chunks_and_a_byte_order_mark_are_handled() {
        let text = "data: Überprüfung · 😀\n\n";
        let mut stream = b"\xEF\xBB\xBF".to_vec();
        stream.extend_from_slice(text.as_bytes());
        assert_eq!(
            every_split(&stream),
            vec![msg("message", "Überprüfung · 😀", None)]
        );
        // Only the first bytes of a stream may be a byte order mark.
        let mut p = SseParser::new();
        p.push(b"data: a\n\n");
        let got = p.push("\u{FEFF}data: b\n\n".as_bytes());
        assert!(got.is_empty(), "a BOM mid-stream is part of a field name");
    }
}
