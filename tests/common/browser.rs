//! A tiny Chrome DevTools Protocol driver for UI tests: a real headless Chromium (Debian
//! `chromium`), one page, commands over its websocket. Enough to set a session cookie,
//! navigate, wait for the app to settle, read the DOM, type, click and take screenshots.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub struct Browser {
    child: Child,
    socket: Socket,
    next_id: u64,
    _profile: tempfile::TempDir,
}

fn chromium_binary() -> String {
    for candidate in ["chromium", "chromium-browser", "google-chrome"] {
        if Command::new(candidate).arg("--version").output().is_ok_and(|o| o.status.success()) {
            return candidate.to_string();
        }
    }
    panic!("no Chromium found: install Debian's `chromium` (the CI script does)");
}

pub fn artifacts_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl Browser {
    pub async fn launch() -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(chromium_binary())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--window-size=1440,900",
                "--remote-debugging-port=0",
                "about:blank",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("chromium starts");
        // Chromium prints "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID".
        let stderr = child.stderr.take().unwrap();
        let port = tokio::task::spawn_blocking(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("ws://127.0.0.1:").nth(1) {
                    return rest.split('/').next().unwrap().parse::<u16>().unwrap();
                }
            }
            panic!("chromium did not announce its DevTools port");
        })
        .await
        .unwrap();
        let targets: Value = reqwest::get(format!("http://127.0.0.1:{port}/json/list")).await.unwrap().json().await.unwrap();
        let page = targets.as_array().unwrap().iter().find(|t| t["type"] == "page").expect("a page target");
        let ws = page["webSocketDebuggerUrl"].as_str().unwrap();
        let (socket, _) = tokio_tungstenite::connect_async(ws).await.expect("devtools websocket");
        let mut b = Browser { child, socket, next_id: 0, _profile: profile };
        b.call("Page.enable", json!({})).await;
        b.call("Runtime.enable", json!({})).await;
        b
    }

    /// Sends one command and waits for its result (events in between are ignored).
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let msg = json!({"id": id, "method": method, "params": params}).to_string();
        self.socket.send(Message::Text(msg.into())).await.unwrap();
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(30), self.socket.next())
                .await
                .unwrap_or_else(|_| panic!("no answer to {method}"))
                .expect("socket open")
                .unwrap();
            if let Message::Text(text) = frame {
                let v: Value = serde_json::from_str(&text).unwrap();
                if v["id"] == id {
                    if let Some(e) = v.get("error") {
                        panic!("{method} failed: {e}");
                    }
                    return v["result"].clone();
                }
            }
        }
    }

    pub async fn set_cookie(&mut self, base_url: &str, name: &str, value: &str) {
        self.call("Network.setCookie", json!({"name": name, "value": value, "url": base_url, "httpOnly": true})).await;
    }

    pub async fn goto(&mut self, url: &str) {
        self.call("Page.navigate", json!({"url": url})).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    /// Evaluates a JavaScript expression (promises awaited) and returns its JSON value.
    pub async fn eval(&mut self, expr: &str) -> Value {
        let r = self.call("Runtime.evaluate", json!({"expression": expr, "returnByValue": true, "awaitPromise": true})).await;
        if let Some(ex) = r.get("exceptionDetails") {
            panic!("script failed: {ex}");
        }
        r["result"]["value"].clone()
    }

    /// Waits until `expr` is truthy (10 s at most).
    pub async fn wait_for(&mut self, expr: &str) {
        let started = Instant::now();
        loop {
            if self.eval(&format!("!!({expr})")).await == json!(true) {
                return;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "timed out waiting for {expr}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits for the app to settle after a navigation (the shell sets data-state).
    pub async fn wait_ready(&mut self) {
        self.wait_for("document.readyState === 'complete' && document.body && document.body.dataset.state === 'ready'").await;
    }

    pub async fn html(&mut self) -> String {
        self.eval("document.documentElement.outerHTML").await.as_str().unwrap().to_string()
    }

    pub async fn screenshot(&mut self, path: &Path) {
        let r = self.call("Page.captureScreenshot", json!({"format": "png"})).await;
        let png = base64::engine::general_purpose::STANDARD.decode(r["data"].as_str().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }

    /// Types into an input (sets the value and fires `input`, as a person's typing would).
    pub async fn fill(&mut self, selector: &str, value: &str) {
        let js = format!(
            "(() => {{ const el = document.querySelector({sel}); el.focus(); el.value = {val}; \
               el.dispatchEvent(new Event('input', {{bubbles: true}})); return true; }})()",
            sel = json!(selector),
            val = json!(value)
        );
        assert_eq!(self.eval(&js).await, json!(true), "fill {selector}");
    }

    pub async fn click(&mut self, selector: &str) {
        let js = format!("(() => {{ const el = document.querySelector({}); el.click(); return true; }})()", json!(selector));
        assert_eq!(self.eval(&js).await, json!(true), "click {selector}");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
