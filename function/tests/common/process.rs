//! The function as a separate process, as people and Lambda run it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    /// What the server prints after its first line.
    pub stdout: BufReader<std::process::ChildStdout>,
}

impl Server {
    /// Starts `eclaireurs-function` on a free port with the embedded store in `data_dir`.
    pub fn start(data_dir: &Path) -> Server {
        Server::start_with(data_dir, "", &[])
    }

    /// The same, after the shell commands `before` (e.g. `ulimit -f 0`: the server is
    /// started through `sh`, so a test can set limits first), with `env` on top.
    pub fn start_with(data_dir: &Path, before: &str, env: &[(&str, &str)]) -> Server {
        let script = format!("{before}\nexec \"$0\" --listen 127.0.0.1:0");
        let mut command = Command::new("sh");
        command
            .args(["-c", &script, env!("CARGO_BIN_EXE_eclaireurs-function")])
            .env("DATA_DIR", data_dir)
            .env("CONTENT_DIR", super::repo().join("content"))
            .env("SITE_URL", super::SITE)
            .env_remove("SUBMISSIONS_TABLE")
            .env_remove("AWS_LAMBDA_RUNTIME_API")
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("start eclaireurs-function");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        let mut stdout = BufReader::new(stdout);
        stdout.read_line(&mut line).expect("first line");
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line: {line}"));
        Server {
            child,
            addr,
            stdout,
        }
    }

    pub fn post(&self, path: &str, content_type: &str, body: &str) -> (u16, String, String) {
        request(self.addr, "POST", path, content_type, body)
    }

    /// Stops the server and returns what it printed after its first line, and what it
    /// logged.
    pub fn stop_and_read(mut self) -> (String, String) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut printed = String::new();
        let _ = self.stdout.read_to_string(&mut printed);
        let logs = self.stop();
        (printed, logs)
    }

    /// Stops the server and returns what it logged.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut logs = String::new();
        if let Some(mut stderr) = self.child.stderr.take() {
            let _ = stderr.read_to_string(&mut logs);
        }
        logs
    }
}

/// A test that fails midway leaves no server running behind it.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.1 exchange: status, headers and body.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    content_type: &str,
    body: &str,
) -> (u16, String, String) {
    let (status, response) = exchange(
        addr,
        &format!("{method} {path} HTTP/1.1\r\nContent-Type: {content_type}"),
        body,
    );
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (status, head.to_string(), body.to_string())
}

/// One HTTP/1.1 exchange with `head` (request line and headers, without the blank line) and
/// `body`: the status and the whole answer.
pub fn exchange(addr: SocketAddr, head: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    write!(
        stream,
        "{head}\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, answer)
}
