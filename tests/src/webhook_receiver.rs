//! A webhook receiver for the scenarios: a real HTTP server on 127.0.0.1
//! (port 0) that keeps every request it gets and answers with the statuses
//! a test scripts (`204` unless told otherwise).

use std::collections::VecDeque;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    /// The `Webhook-Signature` header.
    pub signature: Option<String>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The raw body.
    pub body: Vec<u8>,
    /// The status it was answered with.
    pub answered: u16,
}

impl Received {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    /// The event id (`id`).
    pub fn event_id(&self) -> String {
        self.json()["id"].as_str().expect("an event id").to_owned()
    }

    /// The event type (`type`).
    pub fn event_type(&self) -> String {
        self.json()["type"]
            .as_str()
            .expect("an event type")
            .to_owned()
    }

    /// Whether `Webhook-Signature` is `t=<t>,v1=<hex HMAC-SHA256(secret,
    /// "<t>.<body>")>` for `secret` with a timestamp within five minutes
    /// of now, checked the way a receiver would, independently of the
    /// server's code.
    pub fn signed_with(&self, secret: &str) -> bool {
        let Some(header) = &self.signature else {
            return false;
        };
        let mut t = None;
        let mut v1 = None;
        for part in header.split(',') {
            match part.split_once('=') {
                Some(("t", value)) => t = value.parse::<i64>().ok(),
                Some(("v1", value)) => v1 = Some(value.to_owned()),
                _ => {}
            }
        }
        let (Some(t), Some(v1)) = (t, v1) else {
            return false;
        };
        if (chrono::Utc::now().timestamp() - t).abs() > 300 {
            return false;
        }
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("a key");
        mac.update(format!("{t}.").as_bytes());
        mac.update(&self.body);
        let Ok(expected) = base16(&v1) else {
            return false;
        };
        mac.verify_slice(&expected).is_ok()
    }
}

fn base16(hex: &str) -> Result<Vec<u8>, ()> {
    if !hex.len().is_multiple_of(2) {
        return Err(());
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| ()))
        .collect()
}

#[derive(Default)]
struct State {
    got: Vec<Received>,
    next: VecDeque<u16>,
    otherwise: u16,
}

/// A running receiver; stops on `Drop`.
pub struct Receiver {
    /// `http://127.0.0.1:<port>/hooks`.
    pub url: String,
    state: Arc<Mutex<State>>,
    server: Option<(ServerHandle, JoinHandle<()>)>,
}

async fn receive(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<Arc<Mutex<State>>>,
) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let mut s = state.lock().expect("receiver state");
    let status = s.next.pop_front().unwrap_or(s.otherwise);
    s.got.push(Received {
        signature: header("webhook-signature"),
        content_type: header("content-type"),
        body: body.to_vec(),
        answered: status,
    });
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).expect("a status code"))
        .finish()
}

impl Receiver {
    /// Starts a receiver answering `204` to everything.
    pub fn start() -> Receiver {
        let state = Arc::new(Mutex::new(State {
            otherwise: 204,
            ..State::default()
        }));
        let listener = TcpListener::bind("127.0.0.1:0").expect("free port");
        let url = format!("http://{}/hooks", listener.local_addr().expect("address"));
        let shared = state.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let data = web::Data::new(shared);
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(data.clone())
                        .default_service(web::to(receive))
                })
                .workers(1)
                .listen(listener)
                .expect("listen")
                .run();
                tx.send(server.handle()).expect("hand over the handle");
                let _ = server.await;
            });
        });
        let handle = rx.recv().expect("receiver started");
        Receiver {
            url,
            state,
            server: Some((handle, thread)),
        }
    }

    /// Answers the next requests with `statuses`, in order, then as before.
    pub fn answer_next(&self, statuses: &[u16]) {
        self.state
            .lock()
            .expect("receiver state")
            .next
            .extend(statuses);
    }

    /// Answers every request (after any scripted ones) with `status`.
    pub fn answer_always(&self, status: u16) {
        self.state.lock().expect("receiver state").otherwise = status;
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.state.lock().expect("receiver state").got.clone()
    }

    /// Waits (at most `timeout`) until `n` requests have arrived; answers
    /// all that arrived (panics, saying how many, if fewer did).
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "expected {n} webhook request(s) within {timeout:?}, got {}",
                got.len()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some((handle, thread)) = self.server.take() {
            drop(handle.stop(false));
            let _ = thread.join();
        }
    }
}
