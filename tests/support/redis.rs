//! A real `redis-server` for the tests, on a free loopback port, with nothing
//! saved to disk. It is stopped when dropped.
//!
//! The tests need the `redis-server` program (Debian's `redis-server` package;
//! `.ci/run` installs it when missing). Without it they fail with that advice
//! rather than pass without testing anything.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running server.
pub struct RedisServer {
    child: Option<Child>,
    /// The loopback port it listens on.
    pub port: u16,
    /// With TLS: the files it serves.
    tls: Option<Tls>,
}

/// A TLS server's files.
struct Tls {
    /// The private CA that signed the certificate.
    ca: String,
    cert: String,
    key: String,
    /// The directory holding them, removed when the server is dropped (after
    /// `Drop for RedisServer` has stopped the process that reads them).
    _dir: tempfile::TempDir,
}

fn openssl(a: &[&str], b: &[&str], c: &[&str]) {
    let status = Command::new("openssl")
        .args(a)
        .args(b)
        .args(c)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl makes the test certificates");
    assert!(status.success(), "openssl {a:?} failed");
}

impl RedisServer {
    /// Starts a server on a free port.
    pub fn start() -> RedisServer {
        // A port the kernel just handed out is free unless another process takes
        // it in between: try a few.
        Self::start_with(None)
    }

    /// Starts a server that speaks only TLS, with a certificate for `localhost`
    /// signed by a private CA that `openssl` makes for this test.
    pub fn start_tls() -> RedisServer {
        let tmp = tempfile::Builder::new()
            .prefix("aig-route-redis-tls-")
            .tempdir()
            .expect("a directory for the certificates");
        let dir = tmp.path();
        let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
        let (ca, ca_key, csr, cert, key, ext) = (
            path("ca.pem"),
            path("ca.key"),
            path("req.csr"),
            path("cert.pem"),
            path("key.pem"),
            path("ext.cnf"),
        );
        std::fs::write(
            &ext,
            "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n\
             keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ];
        openssl(
            &[
                "req",
                "-x509",
                "-days",
                "1",
                "-subj",
                "/CN=aig-route test CA",
            ],
            &ec,
            &["-keyout", &ca_key, "-out", &ca],
        );
        openssl(
            &["req", "-subj", "/CN=localhost"],
            &ec,
            &["-keyout", &key, "-out", &csr],
        );
        openssl(
            &["x509", "-req", "-in", &csr, "-CA", &ca, "-CAkey", &ca_key],
            &["-CAcreateserial", "-days", "1"],
            &["-extfile", &ext, "-out", &cert],
        );
        Self::start_with(Some(Tls {
            ca,
            cert,
            key,
            _dir: tmp,
        }))
    }

    fn start_with(tls: Option<Tls>) -> RedisServer {
        for _ in 0..20 {
            let port = free_port();
            if let Some(child) = spawn(port, tls.as_ref()) {
                return RedisServer {
                    child: Some(child),
                    port,
                    tls,
                };
            }
        }
        panic!("could not start redis-server on any of 20 free loopback ports");
    }

    /// With TLS: the CA file that signed its certificate.
    pub fn tls_ca(&self) -> Option<&str> {
        self.tls.as_ref().map(|t| t.ca.as_str())
    }

    /// `redis://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Stops the server (as a crash would: no goodbye to clients).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port, empty.
    pub fn restart(&mut self) {
        self.stop();
        // The port was ours a moment ago; retry while the kernel releases it.
        for _ in 0..100 {
            if let Some(child) = spawn(self.port, self.tls.as_ref()) {
                self.child = Some(child);
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server did not come back on port {}", self.port);
    }

    /// Sends one command in the inline protocol and returns the first line of the
    /// answer: for test set-up (`FLUSHALL`, `DEBUG SLEEP`), never the code under test.
    pub fn command(&self, line: &str) -> String {
        Self::command_on(self.port, line)
    }

    /// [`RedisServer::command`] by port, for another thread.
    pub fn command_on(port: u16, line: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect to redis-server");
        s.write_all(line.as_bytes()).unwrap();
        s.write_all(b"\r\n").unwrap();
        let mut answer = String::new();
        BufReader::new(s).read_line(&mut answer).unwrap();
        answer.trim_end().to_string()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    l.local_addr().unwrap().port()
}

/// Starts `redis-server` on `port` and waits (a bounded number of tries) until it
/// answers `PING` (with TLS: until it accepts connections); `None` when it exited
/// (the port was taken).
fn spawn(port: u16, tls: Option<&Tls>) -> Option<Child> {
    let port_text = port.to_string();
    let args: Vec<&str> = match tls {
        None => vec!["--port", &port_text],
        Some(Tls { ca, cert, key, .. }) => vec![
            "--port",
            "0",
            "--tls-port",
            &port_text,
            "--tls-cert-file",
            cert,
            "--tls-key-file",
            key,
            "--tls-ca-cert-file",
            ca,
            "--tls-auth-clients",
            "no",
        ],
    };
    let mut child = match Command::new("redis-server")
        .args(args)
        .args([
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--enable-debug-command",
            "local",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => panic!(
            "cannot run redis-server ({e}): install it (Debian: apt-get install redis-server); \
             .ci/run installs it when missing"
        ),
    };
    for _ in 0..400 {
        if let Ok(Some(_)) = child.try_wait() {
            return None;
        }
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            if tls.is_some() {
                return Some(child);
            }
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            if s.write_all(b"PING\r\n").is_ok() {
                let mut line = String::new();
                if BufReader::new(s).read_line(&mut line).is_ok() && line.starts_with("+PONG") {
                    return Some(child);
                }
            }
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}
