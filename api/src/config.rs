//! Configuration from the environment. `serve` refuses to start in
//! production without a strong `JWT_SECRET`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Everything the server needs to know at start-up.
#[derive(Debug, Clone)]
pub struct Config {
    /// Postgres connection URL (`DATABASE_URL`): the owner, whom
    /// migrations run as.
    pub database_url: String,
    /// The role the server serves as (`APP_DATABASE_URL`). Unset, `serve`
    /// gives the `caremgr_app` role a login and serves as it, or, when the
    /// owner may not, serves as the owner.
    pub app_database_url: Option<String>,
    /// Where to listen (`BIND_ADDR`, default `127.0.0.1:8080`).
    pub bind_addr: SocketAddr,
    /// HMAC key for access tokens (`JWT_SECRET`).
    pub jwt_secret: Vec<u8>,
    /// The built SPA (`STATIC_DIR`, default `web/dist` when it exists).
    pub static_dir: Option<PathBuf>,
    /// Explicit development mode (`CAREMGR_ENV=development`): allows a missing
    /// or weak `JWT_SECRET` (a random one is generated per process).
    pub dev_mode: bool,
    /// Database connections (`DATABASE_POOL_SIZE`, default 16).
    pub pool_size: u32,
    /// HTTP worker threads (`HTTP_WORKERS`, default: one per CPU).
    pub workers: usize,
    /// Lifetime of access tokens.
    pub access_token_ttl: Duration,
    /// Lifetime of refresh tokens.
    pub refresh_token_ttl: Duration,
    /// The address users reach the server at (`PUBLIC_URL`, e.g.
    /// `https://care.example.org`). An `https` one turns on HSTS.
    pub public_url: Option<String>,
    /// How long a sign-in lasts at most (`SESSION_MAX_HOURS`, default 12).
    pub session_lifetime: Duration,
    /// How long a sign-in lasts without activity (`SESSION_IDLE_MINUTES`,
    /// default 30).
    pub session_idle: Duration,
    /// Sign-in attempts one client address may make a minute
    /// (`LOGIN_ATTEMPTS_PER_MINUTE`, default 30).
    pub login_attempts_per_minute: std::num::NonZeroU32,
    /// Passwords hashed at once (`LOGIN_CONCURRENT_HASHES`, default half
    /// the CPUs, at least one): a login flood cannot take every core.
    pub login_concurrent_hashes: usize,
    /// How long an `Idempotency-Key` is remembered
    /// (`IDEMPOTENCY_TTL_HOURS`, default 24).
    pub idempotency_ttl: Duration,
    /// How often this process runs a scheduler pass
    /// (`SCHEDULER_INTERVAL_SECONDS`, default 300; 0 turns it off). The
    /// first pass runs one interval after start; passes of all processes
    /// take one advisory lock, so any number may run it.
    pub scheduler_interval: Option<Duration>,
    /// The webhook delivery worker and its rules (`WEBHOOK_INTERVAL_MS`,
    /// `WEBHOOK_ALLOW_PRIVATE`, `WEBHOOK_RETRY_BASE_MS`,
    /// `WEBHOOK_MAX_ATTEMPTS`, `WEBHOOK_TIMEOUT_SECONDS`).
    pub webhooks: crate::webhooks::Settings,
}

/// Why the configuration is refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A required variable is not set.
    #[error("{0} is not set")]
    Missing(&'static str),
    /// A variable has a value that cannot be used.
    #[error("{0} is invalid: {1}")]
    Invalid(&'static str, String),
    /// The JWT secret is missing or guessable outside development mode.
    #[error(
        "JWT_SECRET must be set to at least 32 random characters in production \
         (e.g. `openssl rand -base64 48`); set CAREMGR_ENV=development to run without one locally"
    )]
    WeakSecret,
}

/// Whether a secret is long and varied enough to resist guessing.
pub fn secret_is_strong(secret: &[u8]) -> bool {
    let distinct = secret
        .iter()
        .collect::<std::collections::HashSet<_>>()
        .len();
    let lowered = String::from_utf8_lossy(secret).to_lowercase();
    let placeholder = ["changeme", "change-me", "secret", "password", "example"]
        .iter()
        .any(|p| lowered.contains(p));
    secret.len() >= 32 && distinct >= 12 && !placeholder
}

/// Enough for a clinic whose staff all sign in from behind one address at
/// the start of a shift; far too few for guessing passwords.
const DEFAULT_LOGIN_ATTEMPTS_PER_MINUTE: std::num::NonZeroU32 =
    std::num::NonZeroU32::new(30).expect("30 is not zero");

/// A numeric variable within `range`, if set.
fn bounded<N>(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    range: std::ops::RangeInclusive<N>,
) -> Result<Option<N>, ConfigError>
where
    N: std::str::FromStr + PartialOrd,
{
    match var(name) {
        None => Ok(None),
        Some(v) => match v.parse::<N>() {
            Ok(n) if range.contains(&n) => Ok(Some(n)),
            _ => Err(ConfigError::Invalid(name, v)),
        },
    }
}

/// The webhook settings, from their variables (`caremgr webhooks` reads
/// only these).
pub fn webhook_settings(
    var: &impl Fn(&str) -> Option<String>,
) -> Result<crate::webhooks::Settings, ConfigError> {
    let defaults = crate::webhooks::Settings::default();
    let interval = match bounded(var, "WEBHOOK_INTERVAL_MS", 0..=3_600_000)? {
        Some(0) => None,
        Some(ms) => Some(Duration::from_millis(ms)),
        None => defaults.interval,
    };
    let allow_private = match var("WEBHOOK_ALLOW_PRIVATE").as_deref() {
        None | Some("0" | "false") => false,
        Some("1" | "true") => true,
        Some(other) => {
            return Err(ConfigError::Invalid(
                "WEBHOOK_ALLOW_PRIVATE",
                other.to_owned(),
            ));
        }
    };
    Ok(crate::webhooks::Settings {
        interval,
        allow_private,
        retry_base: bounded(var, "WEBHOOK_RETRY_BASE_MS", 1..=86_400_000)?
            .map_or(defaults.retry_base, Duration::from_millis),
        max_attempts: bounded(var, "WEBHOOK_MAX_ATTEMPTS", 1..=50)?
            .unwrap_or(defaults.max_attempts),
        timeout: bounded(var, "WEBHOOK_TIMEOUT_SECONDS", 1..=120)?
            .map_or(defaults.timeout, Duration::from_secs),
    })
}

impl Config {
    /// Reads the configuration through `var` (the environment in production,
    /// a map in tests).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let dev_mode = matches!(var("CAREMGR_ENV").as_deref(), Some("development" | "dev"));
        let database_url = var("DATABASE_URL").ok_or(ConfigError::Missing("DATABASE_URL"))?;
        let bind_addr = var("BIND_ADDR")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
            .map_err(|e| ConfigError::Invalid("BIND_ADDR", format!("{e}")))?;
        let jwt_secret = match var("JWT_SECRET") {
            Some(s) if secret_is_strong(s.as_bytes()) => s.into_bytes(),
            _ if dev_mode => {
                log::warn!("development mode: using a random JWT secret for this process");
                crate::auth::tokens::random_bytes(48)
            }
            _ => return Err(ConfigError::WeakSecret),
        };
        let static_dir = var("STATIC_DIR").map(PathBuf::from).or_else(|| {
            let default = PathBuf::from("web/dist");
            default.join("index.html").exists().then_some(default)
        });
        let pool_size = bounded(&var, "DATABASE_POOL_SIZE", 1..=200)?.unwrap_or(16);
        let workers = bounded(&var, "HTTP_WORKERS", 1..=256)?
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from));
        let public_url = match var("PUBLIC_URL") {
            Some(u) if u.starts_with("https://") || u.starts_with("http://") => Some(u),
            Some(u) => return Err(ConfigError::Invalid("PUBLIC_URL", u)),
            None => None,
        };
        let login_attempts_per_minute = bounded(&var, "LOGIN_ATTEMPTS_PER_MINUTE", 1..=100_000)?
            .and_then(std::num::NonZeroU32::new)
            .unwrap_or(DEFAULT_LOGIN_ATTEMPTS_PER_MINUTE);
        let login_concurrent_hashes = bounded(&var, "LOGIN_CONCURRENT_HASHES", 1..=256)?
            .unwrap_or_else(|| {
                (std::thread::available_parallelism().map_or(2, usize::from) / 2).max(1)
            });
        let session_lifetime = Duration::from_secs(
            3600 * bounded(&var, "SESSION_MAX_HOURS", 1..=24 * 7)?.unwrap_or(12),
        );
        let session_idle = Duration::from_secs(
            60 * bounded(&var, "SESSION_IDLE_MINUTES", 1..=24 * 60)?.unwrap_or(30),
        );
        let scheduler_interval = match bounded(&var, "SCHEDULER_INTERVAL_SECONDS", 0..=86_400)? {
            Some(0) => None,
            Some(s) => Some(Duration::from_secs(s)),
            None => Some(Duration::from_secs(300)),
        };
        let webhooks = webhook_settings(&var)?;
        Ok(Config {
            webhooks,
            scheduler_interval,
            app_database_url: var("APP_DATABASE_URL"),
            session_lifetime,
            session_idle,
            login_attempts_per_minute,
            login_concurrent_hashes,
            public_url,
            database_url,
            workers,
            bind_addr,
            jwt_secret,
            static_dir,
            dev_mode,
            pool_size,
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(14 * 24 * 3600),
            idempotency_ttl: Duration::from_secs(
                3600 * bounded(&var, "IDEMPOTENCY_TTL_HOURS", 1..=24 * 30)?.unwrap_or(24),
            ),
        })
    }

    /// How long sign-ins live.
    pub fn session_policy(&self) -> crate::auth::sessions::SessionPolicy {
        let delta = |d: Duration| chrono::TimeDelta::from_std(d).unwrap_or(chrono::TimeDelta::MAX);
        crate::auth::sessions::SessionPolicy {
            lifetime: delta(self.session_lifetime),
            idle: delta(self.session_idle),
        }
    }

    /// Whether users reach the server over HTTPS.
    pub fn https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_vars(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_vars(|k| map.get(k).cloned())
    }

    const STRONG: &str = "n8Vq3kZ1xR7pL0mT5wYc2Hd9Gf4Js6Ab";

    #[test]
    fn production_refuses_a_missing_secret() {
        assert!(matches!(
            config(&[("DATABASE_URL", "postgres://x")]),
            Err(ConfigError::WeakSecret)
        ));
    }

    #[test]
    fn production_refuses_short_repetitive_or_placeholder_secrets() {
        for weak in [
            "short",
            &"a".repeat(64),
            "changeme-changeme-changeme-changeme-123",
        ] {
            let r = config(&[("DATABASE_URL", "postgres://x"), ("JWT_SECRET", weak)]);
            assert!(matches!(r, Err(ConfigError::WeakSecret)), "{weak}");
        }
    }

    #[test]
    fn production_accepts_a_strong_secret_and_defaults_the_rest() {
        let c = config(&[("DATABASE_URL", "postgres://x"), ("JWT_SECRET", STRONG)]).unwrap();
        assert_eq!(c.bind_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.jwt_secret, STRONG.as_bytes());
        assert!(!c.dev_mode);
        assert_eq!(c.access_token_ttl.as_secs(), 900);
        assert_eq!(c.idempotency_ttl.as_secs(), 24 * 3600);
        assert!(!c.https());
        assert_eq!(c.login_attempts_per_minute.get(), 30);
        assert_eq!(c.session_lifetime.as_secs(), 12 * 3600);
        assert_eq!(c.session_idle.as_secs(), 30 * 60);
        assert!(c.login_concurrent_hashes >= 1);
        assert_eq!(c.webhooks.interval, Some(Duration::from_secs(1)));
        assert!(!c.webhooks.allow_private);
        assert_eq!(c.webhooks.max_attempts, 8);
    }

    #[test]
    fn webhook_settings_are_read_and_private_targets_need_an_explicit_yes() {
        let base = [("DATABASE_URL", "postgres://x"), ("JWT_SECRET", STRONG)];
        let mut vars = base.to_vec();
        vars.extend([
            ("WEBHOOK_INTERVAL_MS", "0"),
            ("WEBHOOK_ALLOW_PRIVATE", "1"),
            ("WEBHOOK_RETRY_BASE_MS", "20"),
            ("WEBHOOK_MAX_ATTEMPTS", "3"),
        ]);
        let c = config(&vars).unwrap();
        assert_eq!(c.webhooks.interval, None);
        assert!(c.webhooks.allow_private);
        assert_eq!(c.webhooks.retry_base, Duration::from_millis(20));
        assert_eq!(c.webhooks.max_attempts, 3);
        let mut vague = base.to_vec();
        vague.push(("WEBHOOK_ALLOW_PRIVATE", "yes please"));
        assert!(matches!(
            config(&vague),
            Err(ConfigError::Invalid("WEBHOOK_ALLOW_PRIVATE", _))
        ));
    }

    #[test]
    fn an_https_public_url_means_https_and_a_bare_host_is_refused() {
        let https = [
            ("DATABASE_URL", "postgres://x"),
            ("JWT_SECRET", STRONG),
            ("PUBLIC_URL", "https://care.example.org"),
        ];
        assert!(config(&https).unwrap().https());
        let bare = [
            ("DATABASE_URL", "postgres://x"),
            ("JWT_SECRET", STRONG),
            ("PUBLIC_URL", "care.example.org"),
        ];
        assert!(matches!(
            config(&bare),
            Err(ConfigError::Invalid("PUBLIC_URL", _))
        ));
    }

    #[test]
    fn development_mode_runs_without_a_secret_using_a_random_one() {
        let a = config(&[
            ("DATABASE_URL", "postgres://x"),
            ("CAREMGR_ENV", "development"),
        ])
        .unwrap();
        let b = config(&[
            ("DATABASE_URL", "postgres://x"),
            ("CAREMGR_ENV", "development"),
        ])
        .unwrap();
        assert!(a.dev_mode);
        assert!(secret_is_strong(&a.jwt_secret));
        assert_ne!(a.jwt_secret, b.jwt_secret);
    }

    #[test]
    fn a_bad_bind_address_or_pool_size_is_refused() {
        let base = [("DATABASE_URL", "postgres://x"), ("JWT_SECRET", STRONG)];
        let mut with_bind = base.to_vec();
        with_bind.push(("BIND_ADDR", "nowhere"));
        assert!(matches!(
            config(&with_bind),
            Err(ConfigError::Invalid("BIND_ADDR", _))
        ));
        let mut with_pool = base.to_vec();
        with_pool.push(("DATABASE_POOL_SIZE", "0"));
        assert!(matches!(
            config(&with_pool),
            Err(ConfigError::Invalid("DATABASE_POOL_SIZE", _))
        ));
    }
}
