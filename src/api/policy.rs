//! How the dashboard API client retries, waits and bounds what it reads.

use std::time::Duration;

/// How failed requests are retried.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Attempts per request (the first included).
    pub attempts: u32,
    /// The first wait when the service gives no `Retry-After`; doubled each time.
    pub backoff: Duration,
    /// The longest `Retry-After` honoured; a longer one fails at once.
    pub max_retry_after: Duration,
    /// The most time spent waiting between attempts of one request.
    pub budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            backoff: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(60),
            budget: Duration::from_secs(120),
        }
    }
}

/// Bounds on what the service may make the client read.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Most bytes of one successful answer.
    pub max_body: usize,
    /// Most bytes of an error answer that are read.
    pub max_error_body: usize,
    /// Items asked for per page of a list.
    pub per_page: u64,
    /// Most pages of one list.
    pub max_pages: u64,
    /// Most bytes of all pages of one list together.
    pub list_budget: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 16 << 20,
            max_error_body: 64 << 10,
            per_page: 50,
            max_pages: 200,
            list_budget: 64 << 20,
        }
    }
}

/// Waits between attempts. The binary sleeps ([`Sleep`]); tests record.
pub trait Pause: Send + Sync {
    /// Waits `wait`; `why` says what for (method, host, path and the failure).
    fn pause(&self, wait: Duration, why: &str);
}

/// Sleeps, saying so on stderr when the wait is longer than 2 s.
#[derive(Debug, Default)]
pub struct Sleep;

impl Pause for Sleep {
    fn pause(&self, wait: Duration, why: &str) {
        if let Some(line) = wait_notice(wait, why) {
            eprintln!("{line}");
        }
        std::thread::sleep(wait);
    }
}

/// The line printed before a wait longer than 2 s.
pub fn wait_notice(wait: Duration, why: &str) -> Option<String> {
    (wait > Duration::from_secs(2))
        .then(|| format!("waiting {:.1} s before retrying {why}", wait.as_secs_f64()))
}
