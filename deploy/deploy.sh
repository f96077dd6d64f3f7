#!/usr/bin/env bash
# Fluxion per-tenant deploy (spec 50 §16). Runs on the operator's machine; everything
# tenant-specific comes from tenants/<name>/ (tenant.toml, secrets.toml, branding/,
# deploy.toml). The host side is deploy/remote.sh, shipped inside every bundle.
#
#   deploy/deploy.sh [--dry-run] deploy     <tenant>   build → check → package → ship → install
#                                                       → pre-deploy backup → switch → health
#                                                       check → (automatic rollback on failure)
#   deploy/deploy.sh [--dry-run] rollback   <tenant>   back to the previous release
#                                                       (RESTORE=<backup-id> also restores data)
#   deploy/deploy.sh             status     <tenant>   release, service state, /readyz
#   deploy/deploy.sh             logs       <tenant>   last log lines (LINES=200)
#   deploy/deploy.sh             backup-now <tenant>   remote `fluxion backup` (application db
#                                                       while serving; the warehouse is in the
#                                                       nightly and pre-deploy backups)
#   deploy/deploy.sh             stop|start <tenant>   stop or start the service
#
# Environment:
#   BIN=<path>        binary to ship; default: build the static release binary
#                     (RUSTFLAGS=+crt-static, --target x86_64-unknown-linux-gnu)
#   VERSION=<stamp>   release stamp; default: <crate version>-<git describe --always --dirty>;
#                     a dirty tree is refused unless FORCE=1
#   TENANTS_DIR       where tenant folders live (default: <repo>/tenants)
#   DIST_DIR          where bundles are written (default: <repo>/dist)
#   DEPLOY_SSH_OPTS   extra ssh/scp options (e.g. -o UserKnownHostsFile=…)
#   DRY_RUN=1         same as --dry-run: print every step, change nothing anywhere
#
# Exit status: 0 deployed; 1 failed (rolled back, or nothing changed); 2 rollback failed
# (the service needs an operator now); 64 usage; 78 configuration rejected.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
DRY_RUN="${DRY_RUN:-}"
if [ "${1:-}" = "--dry-run" ]; then
  DRY_RUN=1
  shift
fi
action="${1:-}"
tenant="${2:-}"

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 64
}
log() { printf '[deploy %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() {
  printf 'deploy: error: %s\n' "$*" >&2
  exit "${2:-1}"
}
# Runs a command, or only prints it in dry-run mode.
run() {
  if [ -n "$DRY_RUN" ]; then
    printf '  + %s\n' "$(printf '%q ' "$@")" >&2
  else
    "$@"
  fi
}

case "$action" in
  deploy | rollback | status | logs | backup-now | stop | start) ;;
  *) usage ;;
esac
[[ "$tenant" =~ ^[a-z0-9-]{2,32}$ ]] || die "tenant name must match ^[a-z0-9-]{2,32}\$ (got '$tenant')" 64

tdir="${TENANTS_DIR:-$root/tenants}/$tenant"
[ -d "$tdir" ] || die "$tdir does not exist (make new-tenant TENANT=$tenant)" 64
[ -f "$tdir/deploy.toml" ] || die "$tdir/deploy.toml is missing (copy deploy/deploy.toml.example)" 64

# ── deploy.toml: flat `key = "string"` / `key = number` lines ──────────────────────────
host="" ssh_user="root" ssh_port="22" ssh_key="" prefix="/opt/fluxion" config_dir="/etc/fluxion"
service_manager="systemd" health_url="" health_timeout="90" keep_releases="5" log_dir=""
while IFS= read -r line || [ -n "$line" ]; do
  line="${line%%#*}"
  [[ "$line" =~ ^[[:space:]]*$ ]] && continue
  if [[ "$line" =~ ^[[:space:]]*([a-z_]+)[[:space:]]*=[[:space:]]*\"([^\"]*)\"[[:space:]]*$ ]] ||
    [[ "$line" =~ ^[[:space:]]*([a-z_]+)[[:space:]]*=[[:space:]]*([0-9]+)[[:space:]]*$ ]]; then
    key="${BASH_REMATCH[1]}" value="${BASH_REMATCH[2]}"
  else
    die "$tdir/deploy.toml: cannot read line: $line" 78
  fi
  case "$key" in
    host | ssh_user | ssh_port | ssh_key | prefix | config_dir | service_manager | health_url | health_timeout | keep_releases | log_dir)
      printf -v "$key" '%s' "$value" ;;
    *) die "$tdir/deploy.toml: unknown key '$key'" 78 ;;
  esac
done <"$tdir/deploy.toml"
[ -n "$host" ] || die "$tdir/deploy.toml: host is required" 78
[[ "$ssh_port" =~ ^[0-9]+$ ]] || die "deploy.toml: ssh_port must be a number" 78
[[ "$health_timeout" =~ ^[0-9]+$ ]] || die "deploy.toml: health_timeout must be a number" 78
[[ "$keep_releases" =~ ^[0-9]+$ && "$keep_releases" -ge 2 ]] || die "deploy.toml: keep_releases must be >= 2" 78
case "$service_manager" in systemd | none) ;; *) die "deploy.toml: service_manager must be systemd or none" 78 ;; esac
for p in "$prefix" "$config_dir"; do
  [[ "$p" = /* ]] || die "deploy.toml: '$p' must be an absolute path" 78
done
[ -n "$log_dir" ] || log_dir="$prefix/$tenant/log"

ssh_opts=(-p "$ssh_port" -o BatchMode=yes -o ConnectTimeout=10)
scp_opts=(-P "$ssh_port" -o BatchMode=yes -o ConnectTimeout=10 -q)
if [ -n "$ssh_key" ]; then
  ssh_opts+=(-i "$ssh_key")
  scp_opts+=(-i "$ssh_key")
fi
if [ -n "${DEPLOY_SSH_OPTS:-}" ]; then
  read -r -a extra <<<"$DEPLOY_SSH_OPTS"
  ssh_opts+=("${extra[@]}")
  scp_opts+=("${extra[@]}")
fi
target="$ssh_user@$host"

# Runs deploy/remote.sh on the host with the settings as environment variables.
remote() {
  local script="$1"
  shift
  local envs=(TENANT="$tenant" PREFIX="$prefix" CONFIG_DIR="$config_dir" MANAGER="$service_manager"
    HEALTH_URL="$health_url" HEALTH_TIMEOUT="$health_timeout" KEEP_RELEASES="$keep_releases" LOG_DIR="$log_dir"
    DRY_RUN="$DRY_RUN" FORCE="${FORCE:-}" RESTORE="${RESTORE:-}" LINES="${LINES:-100}" "$@")
  local cmd
  cmd="env $(printf '%q ' "${envs[@]}") bash $(printf '%q' "$script")"
  if [ -n "$DRY_RUN" ]; then
    printf '  + ssh %s %s %s\n' "${ssh_opts[*]}" "$target" "$cmd" >&2
    log "remote steps (dry run of remote.sh, executed locally without touching anything):"
    env "${envs[@]}" bash "$root/deploy/remote.sh" "${REMOTE_ACTION}" | sed 's/^/    /' >&2 || true
    return 0
  fi
  ssh "${ssh_opts[@]}" "$target" "$cmd"
}

if [ "$action" != "deploy" ]; then
  # Other actions use the remote.sh of the release that is current on the host.
  REMOTE_ACTION="$action"
  if [ -n "$DRY_RUN" ]; then
    remote "$root/deploy/remote.sh" ACTION="$action"
    exit 0
  fi
  remote "$prefix/$tenant/current/remote.sh" ACTION="$action"
  exit $?
fi

# ── deploy ────────────────────────────────────────────────────────────────────────────
REMOTE_ACTION=deploy
[ -f "$tdir/tenant.toml" ] || die "$tdir/tenant.toml is missing" 64

if [ -z "${BIN:-}" ]; then
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/fluxion-target}"
  BIN="$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release/fluxion"
  log "step 1/7 build: static release binary → $BIN"
  run env RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked \
    --target x86_64-unknown-linux-gnu --manifest-path "$root/Cargo.toml"
else
  log "step 1/7 build: skipped, shipping BIN=$BIN"
fi
[ -n "$DRY_RUN" ] || [ -x "$BIN" ] || die "$BIN is not an executable"

if [ -z "${VERSION:-}" ]; then
  crate="$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n1)"
  describe="$(git -C "$root" describe --tags --always --dirty 2>/dev/null || echo unknown)"
  case "$describe" in
    *-dirty) [ -n "${FORCE:-}" ] || die "the work tree has uncommitted changes; commit them or set FORCE=1" ;;
  esac
  VERSION="$crate-$describe"
fi
[[ "$VERSION" =~ ^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$ ]] || die "VERSION '$VERSION' is not a safe release stamp" 64

log "step 2/7 check: $tdir/tenant.toml (schema and cross-field rules, offline)"
if [ -z "$DRY_RUN" ]; then
  "$BIN" config check "$tdir/tenant.toml" >&2 || die "configuration rejected; nothing was shipped" 78
else
  run "$BIN" config check "$tdir/tenant.toml"
fi

dist="${DIST_DIR:-$root/dist}/$tenant"
stage="$dist/$VERSION"
bundle="$dist/fluxion-$tenant-$VERSION.tar.gz"
log "step 3/7 package: $bundle (binary, tenant.toml, secrets, branding, unit, remote.sh, VERSION, SHA256SUMS)"
if [ -z "$DRY_RUN" ]; then
  rm -rf "$stage"
  mkdir -p "$stage"
  cp "$BIN" "$stage/fluxion"
  chmod 755 "$stage/fluxion"
  cp "$tdir/tenant.toml" "$stage/tenant.toml"
  if [ -f "$tdir/secrets.toml" ]; then
    (umask 077 && cp "$tdir/secrets.toml" "$stage/secrets.toml")
    chmod 600 "$stage/secrets.toml"
  fi
  [ -d "$tdir/branding" ] && cp -R "$tdir/branding" "$stage/branding"
  cp "$root/deploy/fluxion@.service" "$root/deploy/remote.sh" "$stage/"
  printf '%s\n' "$VERSION" >"$stage/VERSION"
  (cd "$stage" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum >SHA256SUMS)
  tar -C "$dist" -cf - "$VERSION" | gzip -1 >"$bundle.tmp"
  mv "$bundle.tmp" "$bundle"
  rm -rf "$stage"
else
  run tar -C "$dist" -czf "$bundle" "$VERSION"
fi

log "step 4/7 ship: $bundle → $target:$prefix/$tenant/incoming/"
run ssh "${ssh_opts[@]}" "$target" "mkdir -p $(printf '%q' "$prefix/$tenant/incoming") && rm -rf $(printf '%q' "$prefix/$tenant/incoming/$VERSION")"
run scp "${scp_opts[@]}" "$bundle" "$target:$prefix/$tenant/incoming/"
run ssh "${ssh_opts[@]}" "$target" "cd $(printf '%q' "$prefix/$tenant/incoming") && tar -xzf $(printf '%q' "${bundle##*/}") && rm -f $(printf '%q' "${bundle##*/}")"

log "step 5/7 install, pre-deploy backup, switch, health check (on the host: remote.sh)"
set +e
remote "$prefix/$tenant/incoming/$VERSION/remote.sh" ACTION=deploy VERSION="$VERSION"
status=$?
set -e
if [ "$status" -eq 0 ]; then
  log "step 7/7 done: $tenant runs $VERSION"
else
  log "deploy of $VERSION to $tenant FAILED (exit $status): see the reason above"
fi
exit "$status"
