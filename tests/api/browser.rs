//! A real browser for the UI tests: headless Chromium driven through ChromeDriver (Debian's
//! `chromium` and `chromium-driver`, which `.ci/run` installs), one of each per test. Pages
//! are checked with axe-core (vendored from the npm registry) and photographed into
//! `target/ui-screenshots/` as test artifacts.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const AXE: &str = include_str!("../vendor/axe-core/axe.min.js");

pub struct Browser {
    pub client: Client,
    driver: Child,
    base: String,
}

impl Drop for Browser {
    /// Ends ChromeDriver and the Chromium it started, which share its process group: killing
    /// only the driver would leave the browser running, even when a test fails.
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A browser when Chromium is installed. Without it the UI tests say so and pass, unless
/// `CARTREC_TEST_REQUIRE_BROWSER` is set (as `.ci/run` sets it), where its absence fails.
pub async fn browser(base: &str) -> Option<Browser> {
    let installed =
        std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists();
    if !installed {
        assert!(
            std::env::var("CARTREC_TEST_REQUIRE_BROWSER").is_err(),
            "the UI tests need Chromium: apt-get install chromium chromium-driver"
        );
        eprintln!("skipped: Chromium is not installed (apt-get install chromium chromium-driver)");
        return None;
    }
    let port = free_port();
    let driver = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let capabilities = json!({
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--lang=en-GB", "--no-first-run"]
        }
    });
    let Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    let url = format!("http://127.0.0.1:{port}");
    let mut last_error = None;
    for _ in 0..50 {
        match ClientBuilder::native()
            .capabilities(capabilities.clone())
            .connect(&url)
            .await
        {
            Ok(client) => {
                return Some(Browser {
                    client,
                    driver,
                    base: base.to_owned(),
                })
            }
            Err(error) => last_error = Some(error),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("ChromeDriver did not answer: {last_error:?}");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Browser {
    pub async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .expect("page opens");
    }

    pub async fn path(&self) -> String {
        self.client
            .current_url()
            .await
            .expect("url")
            .path()
            .to_owned()
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        let path = self.path().await;
        if let Err(error) = element.clear().await {
            panic!("{css} on {path} could not be cleared: {error}");
        }
        element.send_keys(text).await.expect("typed");
    }

    /// Sets a value the way the browser's own picker would (date and time inputs read typed
    /// keys by the browser's locale).
    pub async fn set_value(&self, id: &str, value: &str) {
        self.client
            .execute(
                "document.getElementById(arguments[0]).value = arguments[1];",
                vec![json!(id), json!(value)],
            )
            .await
            .expect("value set");
    }

    pub async fn choose(&self, select_id: &str, value: &str) {
        self.tick(&format!("select[id='{select_id}'] option[value='{value}']"))
            .await;
    }

    /// Clicks a link or button and waits for the page it leads to.
    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.navigating(async { element.click().await.expect("clicked") })
            .await;
    }

    /// Clicks what stays on the same page (a radio button, an option).
    pub async fn tick(&self, css: &str) {
        self.find(css).await.click().await.expect("clicked");
    }

    /// Types into a field and presses Enter, as a barcode scanner does, and waits for the page
    /// the form leads to.
    pub async fn scan_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        element.clear().await.expect("cleared");
        self.navigating(async {
            element
                .send_keys(&format!("{text}\u{E007}"))
                .await
                .expect("scanned")
        })
        .await;
    }

    /// Runs `action`, which loads another page, and waits until that page has loaded: the old
    /// document carries a mark that the new one does not.
    async fn navigating(&self, action: impl std::future::Future<Output = ()>) {
        self.client
            .execute("window.__cartrecOld = true;", vec![])
            .await
            .expect("marked");
        action.await;
        for _ in 0..200 {
            let loaded = self
                .client
                .execute(
                    "return !window.__cartrecOld && document.readyState === 'complete';",
                    vec![],
                )
                .await;
            if matches!(loaded, Ok(Value::Bool(true))) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the page did not change after the action on {}",
            self.path().await
        );
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    pub async fn has(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => element,
            Err(error) => {
                let source = self.client.source().await.unwrap_or_default();
                panic!("no {css} on {}: {error}\n{source}", self.path().await)
            }
        }
    }

    /// Logs in through the login form.
    pub async fn log_in(&self, username: &str, password: &str) {
        self.open("/login").await;
        self.type_into("#username", username).await;
        self.type_into("#password", password).await;
        self.click("#login").await;
    }

    pub async fn log_out(&self) {
        self.click("#logout").await;
        assert_eq!(self.path().await, "/login");
    }

    /// Saves a picture of the page as a test artifact.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = screenshots_dir();
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("screenshot written");
    }

    /// Runs axe-core's WCAG 2 A and AA rules on the page; fails on any serious or critical
    /// violation, naming the rule and the elements.
    pub async fn assert_accessible(&self) {
        self.client
            .execute(&format!("{AXE}\nreturn true;"), vec![])
            .await
            .expect("axe loaded");
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })
                   .then(r => done(r.violations
                     .filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                                  nodes: v.nodes.map(n => n.target.join(' ')) }))))
                   .catch(e => done([{ id: 'axe-error', help: String(e) }]));",
                vec![],
            )
            .await
            .expect("axe ran");
        let violations = found.as_array().cloned().unwrap_or_default();
        assert!(
            violations.is_empty(),
            "accessibility violations on {}: {violations:#?}",
            self.path().await
        );
    }
}

fn screenshots_dir() -> PathBuf {
    // Test binaries run from the package root; target/ may be elsewhere (CARGO_TARGET_DIR).
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("ui-screenshots")
}
