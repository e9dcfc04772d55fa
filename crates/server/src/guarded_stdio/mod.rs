//! The MCP stdio transport with a guard in front of rmcp: each incoming line is inspected
//! ([`inspect`]) before rmcp sees it, so stray and malformed JSON-RPC get proper answers and can
//! never end the session. Outgoing messages (rmcp's and the guard's answers) go through one
//! writer task, so lines never interleave.
//!
//! This works around rmcp 3.x behaviour (see inspect.rs); the upstream change that would make
//! it unnecessary is described in the README's contributor notes.

mod inspect;

use std::io;

use rmcp::{
    RoleServer,
    model::{ProtocolVersion, ServerJsonRpcMessage},
    transport::Transport,
};
use tokio::{
    io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader},
    sync::{mpsc, oneshot},
};

use inspect::{Inspector, Verdict};

/// The longest line accepted (rmcp's own limit): a peer that never sends a newline cannot make
/// the buffer grow without bound.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// Lines waiting for the writer. rmcp's sends wait for room; the guard's own answers are
/// dropped (and logged) when it is full, so a client that floods the server with garbage and
/// never reads its output cannot make the queue grow without bound.
const QUEUE_LINES: usize = 256;

/// One line for the writer task, with a channel for the outcome when the sender waits for it.
/// A `None` line is a barrier: acknowledged once everything queued before it is written.
struct Outgoing {
    line: Option<Vec<u8>>,
    done: Option<oneshot::Sender<io::Result<()>>>,
}

/// The guarded transport over any reader and writer (stdin and stdout when serving).
pub struct GuardedTransport<R> {
    read: BufReader<R>,
    /// The line being read; it survives a cancelled `receive` (rmcp polls it in a `select!`).
    line: Vec<u8>,
    /// Set while skipping the rest of an over-long line.
    discarding: bool,
    inspector: Inspector,
    out: Option<mpsc::Sender<Outgoing>>,
}

/// The guarded transport on this process's stdin and stdout, for a server that speaks
/// `supported`. Must be called inside a Tokio runtime (it spawns the writer task).
pub fn stdio(supported: impl Into<Vec<ProtocolVersion>>) -> GuardedTransport<tokio::io::Stdin> {
    let (stdin, stdout) = rmcp::transport::stdio();
    GuardedTransport::new(stdin, stdout, supported)
}

/// How reading one line ended.
enum LineRead {
    Line,
    TooLong,
    Eof,
}

impl<R: AsyncRead + Unpin + Send> GuardedTransport<R> {
    /// A transport reading `read` and writing `write` (the writer task is spawned here).
    pub fn new<W>(read: R, write: W, supported: impl Into<Vec<ProtocolVersion>>) -> Self
    where
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let (tx, rx) = mpsc::channel(QUEUE_LINES);
        tokio::spawn(write_lines(write, rx));
        Self {
            read: BufReader::new(read),
            line: Vec::new(),
            discarding: false,
            inspector: Inspector::new(supported),
            out: Some(tx),
        }
    }

    /// Reads one `\n`-terminated line into `self.line`, never holding more than
    /// [`MAX_LINE_BYTES`]. Cancel-safe: bytes are moved from the reader's buffer into
    /// `self.line` without an await in between.
    async fn read_line(&mut self) -> io::Result<LineRead> {
        loop {
            let available = self.read.fill_buf().await?;
            if available.is_empty() {
                return Ok(LineRead::Eof);
            }
            let newline = available.iter().position(|&b| b == b'\n');
            let take = newline.map_or(available.len(), |i| i + 1);
            let mut outcome = None;
            if self.discarding {
                self.discarding = newline.is_none();
            } else if self.line.len() + take > MAX_LINE_BYTES {
                self.line.clear();
                self.discarding = newline.is_none();
                outcome = Some(LineRead::TooLong);
            } else {
                self.line.extend_from_slice(&available[..take]);
                if newline.is_some() {
                    outcome = Some(LineRead::Line);
                }
            }
            self.read.consume(take);
            if let Some(outcome) = outcome {
                return Ok(outcome);
            }
        }
    }

    /// Queues an answer of the guard for the writer, without waiting (see [`QUEUE_LINES`]).
    fn queue(&self, line: Vec<u8>) {
        let Some(out) = &self.out else { return };
        let outgoing = Outgoing {
            line: Some(line),
            done: None,
        };
        match out.try_send(outgoing) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!("an error answer was dropped: the client is not reading the output");
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                tracing::debug!("an error answer was not written: the output is closed");
            }
        }
    }
}

impl<R: AsyncRead + Unpin + Send> Transport<RoleServer> for GuardedTransport<R> {
    type Error = io::Error;

    fn send(
        &mut self,
        item: ServerJsonRpcMessage,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let out = self.out.clone();
        async move {
            let Some(out) = out else {
                return Err(io::Error::new(io::ErrorKind::NotConnected, "transport is closed"));
            };
            let mut line = serde_json::to_vec(&item).map_err(io::Error::other)?;
            line.push(b'\n');
            let (done, written) = oneshot::channel();
            out.send(Outgoing {
                line: Some(line),
                done: Some(done),
            })
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the output writer has stopped"))?;
            written
                .await
                .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the output writer has stopped"))?
        }
    }

    async fn receive(&mut self) -> Option<rmcp::model::ClientJsonRpcMessage> {
        loop {
            match self.read_line().await {
                Ok(LineRead::Line) => {}
                Ok(LineRead::TooLong) => {
                    tracing::warn!("ignored an incoming line longer than {MAX_LINE_BYTES} bytes");
                    continue;
                }
                Ok(LineRead::Eof) => {
                    // Answers to the last lines must reach the client before the session ends.
                    drain(self.out.clone()).await;
                    return None;
                }
                Err(e) => {
                    tracing::error!("reading the input failed: {e}");
                    drain(self.out.clone()).await;
                    return None;
                }
            }
            let line = std::mem::take(&mut self.line);
            let text = line.strip_suffix(b"\n").unwrap_or(&line);
            let text = text.strip_suffix(b"\r").unwrap_or(text);
            match self.inspector.inspect(text) {
                Verdict::Deliver(message) => {
                    self.line = reuse(line);
                    return Some(*message);
                }
                Verdict::Reply(answer) => match serde_json::to_vec(&answer) {
                    Ok(mut bytes) => {
                        bytes.push(b'\n');
                        self.queue(bytes);
                    }
                    Err(e) => tracing::error!("an error answer could not be encoded: {e}"),
                },
                Verdict::Ignore => {}
            }
            self.line = reuse(line);
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        drain(self.out.clone()).await;
        self.out = None;
        Ok(())
    }
}

/// Waits until every line queued so far is written (or the writer has gone). Takes the sender
/// rather than the transport so that the future stays `Send` whatever the reader is.
async fn drain(out: Option<mpsc::Sender<Outgoing>>) {
    let Some(out) = out else { return };
    let (done, written) = oneshot::channel();
    if out
        .send(Outgoing {
            line: None,
            done: Some(done),
        })
        .await
        .is_ok()
    {
        let _ = written.await;
    }
}

/// The line buffer emptied for the next line, keeping its capacity.
fn reuse(mut line: Vec<u8>) -> Vec<u8> {
    line.clear();
    line
}

/// Writes queued lines in order, flushing each; reports each outcome to whoever waits for it.
async fn write_lines<W: AsyncWrite + Unpin>(mut write: W, mut queue: mpsc::Receiver<Outgoing>) {
    while let Some(Outgoing { line, done }) = queue.recv().await {
        let result = match line {
            Some(line) => match write.write_all(&line).await {
                Ok(()) => write.flush().await,
                Err(e) => Err(e),
            },
            None => Ok(()),
        };
        if let Err(e) = &result {
            tracing::debug!("writing to the output failed: {e}");
        }
        if let Some(done) = done {
            let _ = done.send(result);
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// A transport whose input and output are in-memory pipes; returns the client's ends.
    fn transport() -> (
        GuardedTransport<tokio::io::DuplexStream>,
        tokio::io::DuplexStream,
        tokio::io::DuplexStream,
    ) {
        let (server_in, client_out) = tokio::io::duplex(1 << 16);
        let (client_in, server_out) = tokio::io::duplex(1 << 16);
        let transport =
            GuardedTransport::new(server_in, server_out, ProtocolVersion::KNOWN_VERSIONS.to_vec());
        (transport, client_out, client_in)
    }

    /// A line longer than the limit is skipped whole, and the line after it is delivered.
    #[tokio::test]
    async fn an_over_long_line_is_skipped_and_the_next_one_delivered() {
        let (mut transport, mut to_server, _from_server) = transport();
        let writer = tokio::spawn(async move {
            let junk = vec![b'x'; MAX_LINE_BYTES + 10];
            to_server.write_all(&junk).await?;
            to_server
                .write_all(b"\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n")
                .await?;
            Ok::<_, io::Error>(to_server)
        });
        let message = transport.receive().await.expect("a message after the long line");
        assert!(
            matches!(message, rmcp::model::JsonRpcMessage::Request(_)),
            "{message:?}"
        );
        assert!(
            transport.line.capacity() <= MAX_LINE_BYTES,
            "the long line was buffered"
        );
        drop(writer.await.expect("writer task").expect("write"));
    }

    /// The guard's answers are written even when the input ends right after the bad line: the
    /// end of input waits for them.
    #[tokio::test]
    async fn answers_are_written_before_the_end_of_input_is_reported() {
        let (mut transport, mut to_server, mut from_server) = transport();
        to_server.write_all(b"{oops\n").await.expect("write");
        drop(to_server);
        assert!(transport.receive().await.is_none(), "no message, then the end");
        transport.close().await.expect("close");
        drop(transport);
        let mut answer = String::new();
        from_server.read_to_string(&mut answer).await.expect("read");
        let answer: serde_json::Value = serde_json::from_str(answer.trim()).expect("one JSON line");
        assert_eq!(answer["error"]["code"], -32700);
        assert_eq!(answer["id"], serde_json::Value::Null);
        assert_eq!(answer["jsonrpc"], "2.0");
    }
}
