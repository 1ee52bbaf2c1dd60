//! A throwaway Postgres cluster of one test's own, which the test may stop
//! and start (the shared server never goes down under other tests). Made
//! with the machine's `initdb` and `pg_ctl` — as the `postgres` user when
//! running as root, since Postgres refuses to run as root — in a temporary
//! directory, on a free port, listening on 127.0.0.1 only.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A running private cluster; stopped and deleted on `Drop`.
pub struct PrivatePostgres {
    dir: PathBuf,
    bindir: PathBuf,
    port: u16,
    as_postgres: bool,
}

fn newest_bindir() -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL server binaries under /usr/lib/postgresql (`make test` installs them)")
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    dirs.sort_by_key(|d| {
        d.parent()
            .and_then(Path::file_name)
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    dirs.pop()
        .expect("an initdb under /usr/lib/postgresql/*/bin (`make test` installs it)")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl PrivatePostgres {
    /// Creates and starts a cluster (trust authentication, 127.0.0.1 only).
    pub fn start() -> PrivatePostgres {
        let dir =
            std::env::temp_dir().join(format!("caremgr-pg-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(dir.join("sock")).expect("create the cluster directory");
        let as_postgres = running_as_root();
        let pg = PrivatePostgres {
            dir,
            bindir: newest_bindir(),
            port: free_port(),
            as_postgres,
        };
        if as_postgres {
            pg.run("chown", &["-R", "postgres:postgres", &pg.path("")], false);
        }
        pg.run(
            "initdb",
            &[
                "-D",
                &pg.path("data"),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            true,
        );
        pg.resume();
        pg
    }

    /// `postgres://postgres@127.0.0.1:<port>` (no database).
    pub fn server_url(&self) -> url::Url {
        url::Url::parse(&format!("postgres://postgres@127.0.0.1:{}", self.port))
            .expect("a postgres URL")
    }

    /// Stops the server the way an operator's restart does (`-m fast`:
    /// sessions are ended, committed work is on disk).
    pub fn stop(&self) {
        self.pg_ctl(&["stop", "-m", "fast", "-w"]);
    }

    /// Starts it again, waiting until it accepts connections.
    pub fn resume(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.path("sock")
        );
        self.pg_ctl(&[
            "start",
            "-w",
            "-l",
            &self.path("server.log"),
            "-o",
            &options,
        ]);
    }

    fn pg_ctl(&self, args: &[&str]) {
        let data = self.path("data");
        let mut all = vec!["-D", data.as_str()];
        all.extend_from_slice(args);
        self.run("pg_ctl", &all, true);
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_string_lossy().into_owned()
    }

    fn run(&self, program: &str, args: &[&str], postgres_binary: bool) {
        let program = if postgres_binary {
            self.bindir.join(program).to_string_lossy().into_owned()
        } else {
            program.to_string()
        };
        let mut cmd = if self.as_postgres && postgres_binary {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--", &program]);
            c
        } else {
            Command::new(&program)
        };
        let out = cmd
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("run {program}: {e}"));
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let data = self.path("data");
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]);
            c.arg(self.bindir.join("pg_ctl"));
            c
        } else {
            Command::new(self.bindir.join("pg_ctl"))
        };
        let _ = cmd
            .args(["-D", &data, "stop", "-m", "immediate", "-w"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
