//! `make deploy` end to end over real ssh: an OpenSSH server started by the test on a
//! loopback port (throwaway host key, a client key generated here, root, StrictModes no,
//! UsePAM no), service manager `none`. The shipped binary is the already-built test binary
//! (BIN=CARGO_BIN_EXE_fluxion); the release stamp differs per deploy (VERSION=v1, v2…) and
//! the binary reports the stamp of the VERSION file beside it as `release`.
//!
//! Sequence: deploy v1 → healthy; deploy v2 → healthy with v2, pre-deploy backup taken;
//! an invalid configuration is refused before anything is shipped; v4 passes every check
//! but cannot start (its port is taken) → automatic rollback to v2, data intact, exit 1
//! with the reason; a dry run changes nothing; `stop` ends the service.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{set_key, write_private, JWT_HEX};
use fluxion::sources::synthetic::{demo_tenant_toml, Scale};

const SSHD: &str = "/usr/sbin/sshd";
const TENANT: &str = "acme";

struct Sshd(Child);

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Stops a fluxion left running by a failed assertion (pid file of the `none` manager).
struct ServiceGuard(PathBuf);

impl Drop for ServiceGuard {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(&self.0) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn run_ok(cmd: &mut Command) -> Output {
    let o = cmd.output().expect("command runs");
    assert!(o.status.success(), "{cmd:?}: {}", text(&o));
    o
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn start_sshd(dir: &Path, port: u16) -> Sshd {
    assert!(
        Path::new(SSHD).exists(),
        "{SSHD} is missing: the deploy test needs Debian's openssh-server (apt-get install openssh-server; .ci/run installs it)"
    );
    for name in ["host_key", "client_key"] {
        run_ok(Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-C", "fluxion-test", "-f"]).arg(dir.join(name)));
    }
    std::fs::copy(dir.join("client_key.pub"), dir.join("authorized_keys")).unwrap();
    let _ = std::fs::create_dir_all("/run/sshd"); // privilege separation directory
    let config = dir.join("sshd_config");
    std::fs::write(
        &config,
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {hk}\nAuthorizedKeysFile {ak}\nPidFile {pid}\n\
             StrictModes no\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n\
             PermitRootLogin prohibit-password\nSubsystem sftp internal-sftp\nLogLevel ERROR\n",
            hk = dir.join("host_key").display(),
            ak = dir.join("authorized_keys").display(),
            pid = dir.join("sshd.pid").display(),
        ),
    )
    .unwrap();
    let log = std::fs::File::create(dir.join("sshd.log")).unwrap();
    let child =
        Command::new(SSHD).arg("-D").arg("-e").arg("-f").arg(&config).stdin(Stdio::null()).stderr(log).spawn().expect("sshd starts");
    let sshd = Sshd(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "sshd did not listen on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    sshd
}

struct Env {
    root: PathBuf,
    tenants: PathBuf,
    host: PathBuf,
    ssh_opts: String,
}

impl Env {
    fn tenant_dir(&self) -> PathBuf {
        self.tenants.join(TENANT)
    }

    fn deploy_sh(&self, args: &[&str], version: &str) -> Output {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/deploy.sh");
        Command::new("bash")
            .arg(script)
            .args(args)
            .arg(TENANT)
            .env("TENANTS_DIR", &self.tenants)
            .env("BIN", env!("CARGO_BIN_EXE_fluxion"))
            .env("VERSION", version)
            .env("DIST_DIR", self.root.join("dist"))
            .env("DEPLOY_SSH_OPTS", &self.ssh_opts)
            .env_remove("DRY_RUN")
            .output()
            .expect("deploy.sh runs")
    }

    fn current(&self) -> String {
        std::fs::read_link(self.host.join("opt").join(TENANT).join("current")).unwrap().to_string_lossy().to_string()
    }
}

fn healthz(port: u16) -> serde_json::Value {
    let o = Command::new("curl").args(["-s", "-m", "5"]).arg(format!("http://127.0.0.1:{port}/healthz")).output().unwrap();
    serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("healthz on {port}: {}", text(&o)))
}

/// Sales lines and accounts in the host's data folder (read with the service stopped or not:
/// SQLite is shared; the warehouse count comes from /healthz while serving).
fn accounts(data: &Path) -> i64 {
    let c = rusqlite::Connection::open(data.join("app.sqlite")).unwrap();
    c.query_row("SELECT count(*) FROM usuarios", [], |r| r.get(0)).unwrap()
}

fn sales(data: &Path) -> i64 {
    let c = duckdb::Connection::open(data.join("warehouse.duckdb")).unwrap();
    c.query_row("SELECT count(*) FROM ventas", [], |r| r.get(0)).unwrap()
}

#[test]
fn deploy_upgrade_refusal_and_automatic_rollback_over_ssh() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    let ssh_dir = root.join("ssh");
    std::fs::create_dir_all(&ssh_dir).unwrap();
    let ssh_port = free_port();
    let _sshd = start_sshd(&ssh_dir, ssh_port);

    // The repository side: tenants/acme/{tenant.toml, secrets.toml, deploy.toml}.
    let env = Env {
        tenants: root.join("tenants"),
        host: root.join("host"),
        ssh_opts: format!(
            "-i {} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR",
            ssh_dir.join("client_key").display()
        ),
        root: root.clone(),
    };
    let tdir = env.tenant_dir();
    std::fs::create_dir_all(&tdir).unwrap();
    let http_port = free_port();
    let data = env.host.join("var/lib").join(TENANT);
    let backups = env.host.join("var/backups").join(TENANT);
    let mut toml = set_key(&demo_tenant_toml(Scale::Tiny, http_port), "id", &format!("\"{TENANT}\""));
    toml = set_key(&toml, "data_dir", &format!("{:?}", data.display().to_string()));
    toml = toml.replacen("[paths]\n", &format!("[paths]\nbackup_dir = {:?}\n", backups.display().to_string()), 1);
    std::fs::write(tdir.join("tenant.toml"), &toml).unwrap();
    write_private(&tdir.join("secrets.toml"), &format!("[auth]\njwt_secret = \"{JWT_HEX}\"\n"));
    std::fs::write(
        tdir.join("deploy.toml"),
        format!(
            "# test host\nhost = \"127.0.0.1\"\nssh_user = \"root\"\nssh_port = {ssh_port}\nprefix = \"{}\"\n\
             config_dir = \"{}\"\nservice_manager = \"none\"\nhealth_timeout = 30\nkeep_releases = 2\n",
            env.host.join("opt").display(),
            env.host.join("etc").display()
        ),
    )
    .unwrap();
    let _service = ServiceGuard(env.host.join("opt").join(TENANT).join("fluxion.pid"));

    // The client's data before the first deploy: a synthetic chain and one account.
    let cfg = tdir.join("tenant.toml");
    let bin = env!("CARGO_BIN_EXE_fluxion");
    run_ok(Command::new(bin).args(["generate", "--scale", "tiny", "--config"]).arg(&cfg).env("FLUXION_LOG", "warn"));
    let mut add = Command::new(bin)
        .args(["user", "add", "--username", "jefe", "--role", "super_admin", "--config"])
        .arg(&cfg)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    add.stdin.take().unwrap().write_all(b"una-clave-larga-1\n").unwrap();
    let o = add.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let (sales0, accounts0) = (sales(&data), accounts(&data));
    assert!(sales0 > 1000 && accounts0 == 1);

    // v1: first install.
    let o = env.deploy_sh(&["deploy"], "v1");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let h = healthz(http_port);
    assert_eq!(h["release"], "v1", "{h}");
    assert_eq!(env.current(), "releases/v1");
    let etc = env.host.join("etc").join(TENANT);
    assert!(etc.join("tenant.toml").is_file());
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(etc.join("secrets.toml")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    assert!(!env.host.join("opt").join(TENANT).join("releases/v1/secrets.toml").exists(), "no secrets left in a release");
    let last_data = h["last_data_at"].clone();
    assert!(last_data.is_string());

    // v2: an upgrade, with a pre-deploy backup by v1.
    let o = env.deploy_sh(&["deploy"], "v2");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(healthz(http_port)["release"], "v2");
    assert_eq!(env.current(), "releases/v2");
    let predeploy: Vec<String> = std::fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with("-predeploy"))
        .collect();
    assert_eq!(predeploy.len(), 1, "{predeploy:?}");
    let m = fluxion::ops::backup::verify(&backups.join(&predeploy[0])).unwrap();
    assert!(m.has_warehouse() && m.release == "v1", "taken by the release being replaced: {m:?}");

    // v3: an invalid configuration never leaves the operator's machine.
    let good = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, set_key(&good, "timezone", "\"Mars/Olympus\"")).unwrap();
    let o = env.deploy_sh(&["deploy"], "v3");
    assert_eq!(o.status.code(), Some(78), "{}", text(&o));
    assert!(text(&o).contains("tenant.timezone") && text(&o).contains("nothing was shipped"), "{}", text(&o));
    assert_eq!(healthz(http_port)["release"], "v2", "v2 untouched");

    // v4: valid, but its port is taken (by sshd): it exits at start-up, the health check
    // fails fast, the deploy rolls back to v2 with its configuration and data.
    std::fs::write(&cfg, set_key(&good, "listen", &format!("\"127.0.0.1:{ssh_port}\""))).unwrap();
    let started = Instant::now();
    let o = env.deploy_sh(&["deploy"], "v4");
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("release v4 failed its health check") && out.contains("rolled back to v2"), "{out}");
    assert!(out.contains("cannot listen"), "the reason from the log is shown: {out}");
    assert!(started.elapsed() < Duration::from_secs(60), "bounded: {:?}", started.elapsed());
    let h = healthz(http_port);
    assert_eq!(h["release"], "v2", "{h}");
    assert_eq!(h["last_data_at"], last_data, "same data");
    assert_eq!(env.current(), "releases/v2");
    let installed = std::fs::read_to_string(etc.join("tenant.toml")).unwrap();
    assert!(installed.contains(&format!("127.0.0.1:{http_port}")), "v2's configuration is back");
    std::fs::write(&cfg, &good).unwrap();

    // A dry run prints every step and changes nothing.
    let o = env.deploy_sh(&["--dry-run", "deploy"], "v5");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = text(&o);
    for step in ["build", "check", "package", "ship", "pre-deploy backup", "switch", "readyz", "on failure"] {
        assert!(out.contains(step), "dry run mentions {step}: {out}");
    }
    assert!(!env.host.join("opt").join(TENANT).join("releases/v5").exists());
    assert!(!root.join("dist").join(TENANT).join(format!("fluxion-{TENANT}-v5.tar.gz")).exists());
    assert_eq!(healthz(http_port)["release"], "v2");

    let o = env.deploy_sh(&["status"], "");
    assert!(text(&o).contains("release:  v2"), "{}", text(&o));

    // `make rollback`: back to the release before v2.
    let o = env.deploy_sh(&["rollback"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(healthz(http_port)["release"], "v1");
    assert_eq!(env.current(), "releases/v1");

    // Stop, then the data is exactly what the client had.
    let o = env.deploy_sh(&["stop"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!((sales(&data), accounts(&data)), (sales0, accounts0));
}
