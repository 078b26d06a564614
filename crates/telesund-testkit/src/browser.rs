//! A small W3C WebDriver client driving Debian's headless Chromium through chromedriver:
//! enough to open pages, type, click and read text, with waits for htmx swaps.

use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::Client,
    _profile: tempdir::Dir,
}

mod tempdir {
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Browser {
    /// Starts chromedriver and a headless Chromium. Fails loudly when they are not installed:
    /// `.ci/run` installs Debian's `chromium` and `chromium-driver`.
    pub async fn start() -> anyhow::Result<Browser> {
        let driver_bin =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chrome_bin = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let port = free_port();
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| anyhow::anyhow!("starting {driver_bin}: {e} (install chromium-driver)"))?;
        let base = format!("http://127.0.0.1:{port}");
        // reqwest is built without a default TLS provider; the process needs one installed
        // before any client is made (a second install attempt is harmless).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        while http.get(format!("{base}/status")).send().await.is_err() {
            if Instant::now() > deadline {
                anyhow::bail!("chromedriver did not start");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempdir::Dir(
            std::env::temp_dir().join(format!("telesund-chrome-{}", uuid::Uuid::now_v7().simple())),
        );
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chrome_bin,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                         "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--window-size=1280,900", format!("--user-data-dir={}", profile.0.display())]
            }
        }}});
        let resp: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await?
            .json()
            .await?;
        let session = resp["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("no WebDriver session: {resp}"))?
            .to_string();
        Ok(Browser {
            driver,
            base,
            session,
            http,
            _profile: profile,
        })
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let url = format!("{}/session/{}{}", self.base, self.session, path);
        let mut req = self.http.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req.send().await?.json().await?;
        if v["value"].get("error").is_some() {
            anyhow::bail!("WebDriver {path}: {}", v["value"]);
        }
        Ok(v["value"].clone())
    }

    pub async fn goto(&self, url: &str) -> anyhow::Result<()> {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await
            .map(|_| ())
    }

    pub async fn current_url(&self) -> anyhow::Result<String> {
        Ok(self
            .call(reqwest::Method::GET, "/url", None)
            .await?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// Finds an element by CSS selector, waiting up to 10 seconds for it to appear.
    pub async fn find(&self, css: &str) -> anyhow::Result<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self
                .call(
                    reqwest::Method::POST,
                    "/element",
                    Some(json!({ "using": "css selector", "value": css })),
                )
                .await
            {
                Ok(v) => return Ok(v[ELEMENT_KEY].as_str().unwrap_or_default().to_string()),
                Err(e) if Instant::now() > deadline => {
                    return Err(e.context(format!("waiting for {css}")));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    pub async fn type_into(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let el = self.find(css).await?;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{el}/value"),
            Some(json!({ "text": text })),
        )
        .await
        .map(|_| ())
    }

    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        let el = self.find(css).await?;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{el}/click"),
            Some(json!({})),
        )
        .await
        .map(|_| ())
    }

    pub async fn text(&self, css: &str) -> anyhow::Result<String> {
        let el = self.find(css).await?;
        Ok(self
            .call(reqwest::Method::GET, &format!("/element/{el}/text"), None)
            .await?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// Waits until the element's text contains `needle`.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> anyhow::Result<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let t = self.text(css).await.unwrap_or_default();
            if t.contains(needle) {
                return Ok(t);
            }
            if Instant::now() > deadline {
                anyhow::bail!("'{css}' never contained '{needle}'; it reads: {t}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Forgets cookies, to sign in as someone else.
    pub async fn clear_cookies(&self) -> anyhow::Result<()> {
        self.call(reqwest::Method::DELETE, "/cookie", None)
            .await
            .map(|_| ())
    }

    pub async fn screenshot_png(&self) -> anyhow::Result<Vec<u8>> {
        let b64 = self.call(reqwest::Method::GET, "/screenshot", None).await?;
        Ok(data_encoding::BASE64.decode(b64.as_str().unwrap_or_default().as_bytes())?)
    }

    pub async fn quit(mut self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send()
            .await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}
