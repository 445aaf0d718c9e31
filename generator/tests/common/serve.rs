//! `eclaireurs serve` as people run it, in a child process on a free port.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Fixture;

pub struct Serve {
    child: Child,
    pub addr: SocketAddr,
    stdout: Arc<Mutex<String>>,
    _site: Fixture,
}

impl Serve {
    /// `eclaireurs serve --port 0` on a copy of the real content, its embedded store in the
    /// copy's folder.
    pub fn start() -> Serve {
        let site = Fixture::real();
        let mut child = Command::new(env!("CARGO_BIN_EXE_eclaireurs"))
            .args(["serve", "--port", "0", "--content"])
            .arg(site.content())
            .env("DATA_DIR", site.dir.path().join("data"))
            .env_remove("SUBMISSIONS_TABLE")
            .env_remove("SITE_URL")
            .env_remove("ALLOWED_ORIGINS")
            .env_remove("CONTENT_DIR")
            .env_remove("CATALOG_FILE")
            .env_remove("AWS_LAMBDA_RUNTIME_API")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start eclaireurs serve");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut first = String::new();
        stdout.read_line(&mut first).expect("first line");
        let addr = first
            .strip_prefix("Serving the site at http://")
            .and_then(|rest| rest.split('/').next())
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line: {first:?}"));
        let printed = Arc::new(Mutex::new(String::new()));
        let sink = printed.clone();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                let mut all = sink.lock().expect("lock");
                all.push_str(&line);
                all.push('\n');
            }
        });
        Serve {
            child,
            addr,
            stdout: printed,
            _site: site,
        }
    }

    /// What serve printed after its first line.
    pub fn printed(&self) -> String {
        self.stdout.lock().expect("lock").clone()
    }

    /// Waits until serve printed a line that `wanted` accepts.
    pub fn wait_for_line(&self, wanted: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            if let Some(line) = self.printed().lines().find(|l| wanted(l)) {
                return line.to_string();
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "no such line; serve printed:\n{}",
                self.printed()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
