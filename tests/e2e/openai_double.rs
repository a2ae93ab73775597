//! A local server speaking the OpenAI Chat Completions and Embeddings
//! protocol, standing in for a paid API: each test scripts its replies
//! (JSON, a stream of SSE chunks with pauses, an error status with headers,
//! silence) and reads back the requests it received.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

/// One scripted reply.
#[derive(Clone)]
pub enum Reply {
    /// A whole chat completion with this content.
    Answer(&'static str),
    /// A streamed completion: each piece after `pause`.
    Stream { pieces: Vec<&'static str>, pause: Duration },
    /// An error status, with an optional `Retry-After`.
    Status { status: u16, retry_after: Option<u64> },
    /// 200 with a body that is not JSON.
    Garbage,
    /// Answer only after this long.
    Silent(Duration),
}

/// A request as received: when, its `Authorization` header, its JSON body.
pub type Received = (Instant, Option<String>, Value);

#[derive(Clone, Default)]
pub struct Double {
    replies: Arc<Mutex<VecDeque<Reply>>>,
    pub received: Arc<Mutex<Vec<Received>>>,
    /// When a stream's client went away before the stream ended.
    pub hung_up: Arc<Mutex<Option<Instant>>>,
    /// When each streamed piece was handed to the connection.
    pub sent: Arc<Mutex<Vec<Instant>>>,
}

impl Double {
    /// Start on a free loopback port; returns the base URL (`…/v1`).
    pub async fn start(replies: Vec<Reply>) -> (Double, String) {
        let double = Double { replies: Arc::new(Mutex::new(replies.into())), ..Default::default() };
        let app = axum::Router::new()
            .route("/v1/chat/completions", post(chat))
            .route("/v1/embeddings", post(embeddings))
            .with_state(double.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/v1", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        (double, url)
    }

    pub fn requests(&self) -> Vec<Value> {
        self.received.lock().unwrap().iter().map(|(_, _, body)| body.clone()).collect()
    }

    pub fn times(&self) -> Vec<Instant> {
        self.received.lock().unwrap().iter().map(|(t, _, _)| *t).collect()
    }

    pub fn authorization(&self) -> Vec<Option<String>> {
        self.received.lock().unwrap().iter().map(|(_, a, _)| a.clone()).collect()
    }
}

fn usage() -> Value {
    json!({"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18})
}

async fn chat(State(double): State<Double>, headers: HeaderMap, body: axum::Json<Value>) -> Response {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_string);
    double.received.lock().unwrap().push((Instant::now(), auth, body.0.clone()));
    let reply = double.replies.lock().unwrap().pop_front().unwrap_or(Reply::Status { status: 500, retry_after: None });
    match reply {
        Reply::Answer(content) => axum::Json(json!({
            "id": "chatcmpl-1", "object": "chat.completion", "model": "double-model",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": usage(),
        }))
        .into_response(),
        Reply::Stream { pieces, pause } => {
            let (hung_up, sent) = (double.hung_up.clone(), double.sent.clone());
            let (tx, rx) = tokio::sync::mpsc::channel::<Result<String, std::io::Error>>(1);
            tokio::spawn(async move {
                for piece in pieces {
                    tokio::time::sleep(pause).await;
                    let chunk = json!({"model": "double-model", "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": null}]});
                    if tx.send(Ok(format!("data: {chunk}\n\n"))).await.is_err() {
                        *hung_up.lock().unwrap() = Some(Instant::now());
                        return;
                    }
                    sent.lock().unwrap().push(Instant::now());
                }
                let end = json!({"model": "double-model", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], "usage": usage()});
                let _ = tx.send(Ok(format!("data: {end}\n\ndata: [DONE]\n\n"))).await;
            });
            let stream = tokio_stream::wrappers::ReceiverStream::new(rx);
            Response::builder()
                .header("content-type", "text/event-stream")
                .body(Body::from_stream(stream))
                .expect("response")
        }
        Reply::Status { status, retry_after } => {
            let mut r = (
                StatusCode::from_u16(status).expect("status"),
                axum::Json(json!({"error": {"message": format!("scripted {status}"), "type": "test"}})),
            )
                .into_response();
            if let Some(s) = retry_after {
                r.headers_mut().insert("retry-after", s.to_string().parse().expect("header"));
            }
            r
        }
        Reply::Garbage => (StatusCode::OK, "<html>not json</html>").into_response(),
        Reply::Silent(d) => {
            tokio::time::sleep(d).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
    }
}

/// Deterministic stand-in vectors: one axis per distinct first letter.
async fn embeddings(State(double): State<Double>, body: axum::Json<Value>) -> Response {
    double.received.lock().unwrap().push((Instant::now(), None, body.0.clone()));
    let inputs = body.0["input"].as_array().cloned().unwrap_or_default();
    let data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut v = vec![0.0f32; 4];
            let first = t.as_str().and_then(|s| s.bytes().next()).unwrap_or(0);
            v[(first % 4) as usize] = 3.0;
            json!({"object": "embedding", "index": i, "embedding": v})
        })
        .collect();
    axum::Json(json!({"object": "list", "data": data, "model": "double-embed", "usage": {"prompt_tokens": 1, "total_tokens": 1}}))
        .into_response()
}
