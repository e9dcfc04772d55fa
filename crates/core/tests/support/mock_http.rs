//! A tiny HTTP/1.1 server on 127.0.0.1 for provider tests: it records every request (method,
//! path, headers, JSON body) and answers each connection with the next scripted reply, which
//! can be slow or drop the connection, or by the request itself (a stand-in whose callers ask
//! in no fixed order). Shared by the core, server and end-to-end test suites.
#![allow(dead_code)] // each suite uses part of it

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A status with extra headers and a body (sent as JSON).
    Status {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// The same after a delay.
    Slow(Duration, Box<Reply>),
    /// Read the request, then close the connection without answering.
    Drop,
}

impl Reply {
    pub fn ok(body: serde_json::Value) -> Self {
        Self::status(200, body)
    }

    pub fn status(status: u16, body: serde_json::Value) -> Self {
        Self::Status {
            status,
            headers: Vec::new(),
            body: body.to_string(),
        }
    }

    pub fn with_header(self, name: &str, value: &str) -> Self {
        match self {
            Self::Status {
                status,
                mut headers,
                body,
            } => {
                headers.push((name.into(), value.into()));
                Self::Status {
                    status,
                    headers,
                    body,
                }
            }
            other => other,
        }
    }
}

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: serde_json::Value,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// How the server picks its answers.
enum Answers {
    /// One per connection, in order; the last repeats.
    Script(Mutex<VecDeque<Reply>>),
    /// From the request (its method and path), whatever the order.
    Route(Box<dyn Fn(&Recorded) -> Reply + Send + Sync>),
}

pub struct MockServer {
    /// http://127.0.0.1:PORT
    pub origin: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    task: tokio::task::JoinHandle<()>,
}

impl MockServer {
    /// Starts a server answering with `script` in order; the last reply repeats.
    pub async fn start(script: Vec<Reply>) -> Self {
        Self::serve(Answers::Script(Mutex::new(VecDeque::from(script)))).await
    }

    /// Starts a server answering each request with `route(request)`.
    pub async fn routed(route: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Self {
        Self::serve(Answers::Route(Box::new(route))).await
    }

    async fn serve(answers: Answers) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
        let origin = format!("http://{}", listener.local_addr().expect("addr"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let answers = Arc::new(answers);
        let recorded = requests.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                // A script is followed in the order of connections, as they are accepted.
                let scripted = match answers.as_ref() {
                    Answers::Script(script) => {
                        let mut s = script.lock().expect("lock");
                        Some(if s.len() > 1 {
                            s.pop_front()
                        } else {
                            s.front().cloned()
                        })
                    }
                    Answers::Route(_) => None,
                };
                let recorded = recorded.clone();
                let answers = answers.clone();
                tokio::spawn(async move {
                    let mut stream = stream;
                    // Recorded before answering, so a test that timed out still sees it.
                    if let Some(request) = read_request(&mut stream).await {
                        let reply = match (scripted, answers.as_ref()) {
                            (Some(reply), _) => reply,
                            (None, Answers::Route(route)) => Some(route(&request)),
                            (None, Answers::Script(_)) => None,
                        };
                        recorded.lock().expect("lock").push(request);
                        answer(stream, reply).await;
                    }
                });
            }
        });
        Self {
            origin,
            requests,
            task,
        }
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().expect("lock").clone()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn read_request(stream: &mut TcpStream) -> Option<Recorded> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let path = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = serde_json::from_slice(&buf[head_end..]).unwrap_or(serde_json::Value::Null);
    Some(Recorded {
        method,
        path,
        headers,
        body,
    })
}

async fn answer(mut stream: TcpStream, reply: Option<Reply>) {
    let mut reply = reply.unwrap_or_else(|| Reply::status(500, serde_json::json!({"error": "no script"})));
    loop {
        match reply {
            Reply::Slow(delay, inner) => {
                tokio::time::sleep(delay).await;
                reply = *inner;
            }
            Reply::Drop => {
                drop(stream);
                return;
            }
            Reply::Status {
                status,
                headers,
                body,
            } => {
                let mut response = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                    body.len()
                );
                for (n, v) in headers {
                    response.push_str(&format!("{n}: {v}\r\n"));
                }
                response.push_str("\r\n");
                response.push_str(&body);
                // The client may have given up (timeout tests): a failed write is expected then.
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
                return;
            }
        }
    }
}
