//! The host's native HTTP API: upload a file, run a capability synchronously.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use reqwest::blocking::{Client, multipart};
use serde_json::Value;

pub struct Host {
    base: String,
    wait: String,
    http: Client,
}

impl Host {
    /// `wait` is the `?wait=` of the synchronous call (e.g. `120s`); the job is
    /// polled after that if it still runs.
    pub fn new(base: &str, wait: &str) -> Result<Self> {
        let http = Client::builder().timeout(None).build()?;
        Ok(Self { base: base.trim_end_matches('/').to_string(), wait: wait.to_string(), http })
    }

    fn envelope(response: reqwest::blocking::Response, what: &str) -> Result<(u16, Value)> {
        let status = response.status().as_u16();
        let body = response.text().with_context(|| format!("{what}: reading the response"))?;
        let v: Value =
            serde_json::from_str(&body).with_context(|| format!("{what}: HTTP {status}, not JSON: {body}"))?;
        if v["success"] != Value::Bool(true) {
            bail!("{what}: HTTP {status}: {body}");
        }
        Ok((status, v["data"].clone()))
    }

    /// Names, component ids and routes of the capabilities the host serves.
    pub fn capabilities(&self) -> Result<Vec<String>> {
        let r = self.http.get(format!("{}/api/v1/capabilities", self.base)).send().context("GET capabilities")?;
        let (_, data) = Self::envelope(r, "GET /api/v1/capabilities")?;
        let list = data.as_array().or_else(|| data["capabilities"].as_array()).cloned().unwrap_or_default();
        let names = ["name", "component", "route", "id"];
        Ok(list.iter().flat_map(|c| names.iter().filter_map(|k| c[*k].as_str().map(str::to_string))).collect())
    }

    /// Uploads `bytes` and returns the file URL to pass as `file_url`.
    pub fn upload(&self, name: &str, mime: &str, bytes: Vec<u8>) -> Result<String> {
        let part = multipart::Part::bytes(bytes).file_name(name.to_string()).mime_str(mime)?;
        let form = multipart::Form::new().part("file", part);
        let r = self.http.post(format!("{}/api/v1/files", self.base)).multipart(form).send().context("upload")?;
        let (_, data) = Self::envelope(r, "POST /api/v1/files")?;
        data["url"].as_str().map(str::to_string).with_context(|| format!("upload answered without data.url: {data}"))
    }

    /// Fetches a file the host handed out (absolute or host-relative URL).
    pub fn download(&self, url: &str) -> Result<Vec<u8>> {
        let url = if url.starts_with('/') { format!("{}{url}", self.base) } else { url.to_string() };
        let r = self.http.get(&url).send().with_context(|| format!("GET {url}"))?;
        if !r.status().is_success() {
            bail!("GET {url}: HTTP {}", r.status());
        }
        Ok(r.bytes()?.to_vec())
    }

    /// Runs `capability` on `input` (cache bypassed) and returns its output.
    pub fn run(&self, capability: &str, input: &Value) -> Result<Value> {
        let what = format!("POST /api/v1/{capability}");
        let url = format!("{}/api/v1/{capability}?wait={}&forceRefresh=true", self.base, self.wait);
        let r = self.http.post(url).json(input).send().with_context(|| what.clone())?;
        let (_, mut job) = Self::envelope(r, &what)?;
        let started = Instant::now();
        loop {
            match job["status"].as_str() {
                Some("completed") => return Ok(job["result"].clone()),
                Some("failed" | "cancelled") => bail!("{what}: job {}: {}", job["status"], job["failure"]),
                _ if started.elapsed() > Duration::from_secs(900) => {
                    bail!("{what}: still {} after 15 min", job["status"])
                }
                _ => {
                    let id = job["jobId"].as_str().with_context(|| format!("{what}: no jobId in {job}"))?;
                    std::thread::sleep(Duration::from_millis(200));
                    let r = self.http.get(format!("{}/api/v1/jobs/{id}", self.base)).send()?;
                    job = Self::envelope(r, "GET job")?.1;
                }
            }
        }
    }
}
