#!/usr/bin/env bash
# Host side of `make deploy` (spec 50 §16), shipped inside every bundle and run over ssh
# by deploy/deploy.sh with its settings in the environment:
#   ACTION          deploy | rollback | status | logs | backup-now | stop | start
#   TENANT VERSION  tenant id and release stamp (VERSION: deploy only)
#   PREFIX          releases live in $PREFIX/$TENANT/releases/<version>, `current` links one
#   CONFIG_DIR      installed config: $CONFIG_DIR/$TENANT/{tenant.toml,secrets.toml,branding/}
#   MANAGER         systemd (unit fluxion@$TENANT) | none (this script runs the process,
#                   pid file $PREFIX/$TENANT/fluxion.pid, log $LOG_DIR/fluxion.log)
#   HEALTH_URL      base URL (default: from [server].listen of the installed tenant.toml);
#                   /readyz must answer 200 with "release":"$VERSION"
#   HEALTH_TIMEOUT  seconds to wait for it; KEEP_RELEASES: releases kept after a success
#   DRY_RUN=1       print the plan only; RESTORE=<backup-id> (rollback): also restore data
# Every step logs; any failure after the switch rolls back to the previous release.
set -euo pipefail

ACTION="${ACTION:-${1:-}}"
: "${TENANT:?}" "${PREFIX:?}" "${CONFIG_DIR:?}" "${MANAGER:?}"
HEALTH_URL="${HEALTH_URL:-}"
HEALTH_TIMEOUT="${HEALTH_TIMEOUT:-90}"
HEALTH_INTERVAL="${HEALTH_INTERVAL:-2}"
KEEP_RELEASES="${KEEP_RELEASES:-5}"
DRY_RUN="${DRY_RUN:-}"
base="$PREFIX/$TENANT"
releases="$base/releases"
cfg="$CONFIG_DIR/$TENANT"
LOG_DIR="${LOG_DIR:-$base/log}"
pidfile="$base/fluxion.pid"
logfile="$LOG_DIR/fluxion.log"
unit="fluxion@$TENANT"

log() { printf '[%s %s] %s\n' "$(hostname -s 2>/dev/null || echo host)" "$(date -u +%H:%M:%S)" "$*"; }
fail() {
  printf 'DEPLOY FAILED: %s\n' "$1" >&2
  exit "${2:-1}"
}
plan() { printf '  would: %s\n' "$*"; }

current_version() { readlink "$base/current" 2>/dev/null | sed 's#.*/##' || true; }

# ── service control ───────────────────────────────────────────────────────────────────
pid_alive() {
  local pid
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'fluxion serve'
}

stop_service() {
  if [ "$MANAGER" = systemd ]; then
    systemctl stop "$unit" || true
    return 0
  fi
  pid_alive || {
    rm -f "$pidfile"
    return 0
  }
  local pid i
  pid="$(cat "$pidfile")"
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 120); do # up to 60 s, like TimeoutStopSec
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "process $pid did not stop in 60 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$pidfile"
}

start_service() {
  if [ "$MANAGER" = systemd ]; then
    systemctl start "$unit"
    return 0
  fi
  mkdir -p "$LOG_DIR"
  printf '\n===== %s start %s =====\n' "$(date -u +%FT%TZ)" "$(current_version)" >>"$logfile"
  (
    cd /
    FLUXION_LOG="${FLUXION_LOG:-info}" nohup setsid "$base/current/fluxion" serve --config "$cfg/tenant.toml" \
      >>"$logfile" 2>&1 </dev/null &
    echo $! >"$pidfile"
  )
}

service_died() {
  if [ "$MANAGER" = systemd ]; then
    systemctl is-failed --quiet "$unit"
  else
    ! pid_alive
  fi
}

log_tail() {
  local n="${1:-40}"
  if [ "$MANAGER" = systemd ]; then
    journalctl -u "$unit" -n "$n" --no-pager 2>/dev/null || true
  else
    tail -n "$n" "$logfile" 2>/dev/null || true
  fi
}

# Base URL of the health check: deploy.toml health_url, else http://<server.listen of the
# installed tenant.toml> with a wildcard address replaced by loopback (the server admits
# /readyz for loopback Host names). Read each time: a rollback puts the old config back.
health_base() {
  if [ -n "$HEALTH_URL" ]; then
    echo "$HEALTH_URL"
    return 0
  fi
  local listen hostpart port
  listen="$(awk '
    /^[[:space:]]*\[/ { in_server = ($0 ~ /^[[:space:]]*\[server\][[:space:]]*(#.*)?$/); next }
    in_server && /^[[:space:]]*listen[[:space:]]*=/ { sub(/^[^=]*=[[:space:]]*"/, ""); sub(/".*$/, ""); print; exit }
  ' "$cfg/tenant.toml" 2>/dev/null)"
  [ -n "$listen" ] || listen="127.0.0.1:8080"
  hostpart="${listen%:*}" port="${listen##*:}"
  case "$hostpart" in
    0.0.0.0 | "") hostpart="127.0.0.1" ;;
    "[::]") hostpart="[::1]" ;;
  esac
  echo "http://$hostpart:$port"
}

# Polls /readyz until it answers 200 for release $1.
wait_healthy() {
  local want="$1" deadline body code url
  url="$(health_base)/readyz"
  deadline=$(($(date +%s) + HEALTH_TIMEOUT))
  while :; do
    body="$(curl -s -m 5 -w '\n%{http_code}' "$url" 2>/dev/null || true)"
    code="${body##*$'\n'}"
    body="${body%$'\n'*}"
    if [ "$code" = 200 ] && grep -q "\"release\":\"$want\"" <<<"$body"; then
      log "healthy: $url → 200, release $want"
      return 0
    fi
    if service_died; then
      HEALTH_REASON="the process of release $want exited during start-up"
      return 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      HEALTH_REASON="no healthy answer for release $want within ${HEALTH_TIMEOUT}s (last: HTTP ${code:-none} ${body:0:300})"
      return 1
    fi
    sleep "$HEALTH_INTERVAL"
  done
}

install_unit() {
  [ "$MANAGER" = systemd ] || return 0
  local src="$releases/$1/fluxion@.service" dst="/etc/systemd/system/fluxion@.service" tmp
  tmp="$(mktemp)"
  sed -e "s#/opt/fluxion/#$PREFIX/#g" -e "s#/etc/fluxion/#$CONFIG_DIR/#g" "$src" >"$tmp"
  if ! cmp -s "$tmp" "$dst"; then
    install -m 644 "$tmp" "$dst"
    systemctl daemon-reload
    log "unit $dst installed"
  fi
  rm -f "$tmp"
  systemctl enable "$unit" >/dev/null 2>&1 || true
}

switch_to() {
  ln -sfn "releases/$1" "$base/current.new"
  mv -Tf "$base/current.new" "$base/current"
}

# Config files of the installed tenant: moved aside as .prev, or put back from .prev.
save_config() {
  local f
  for f in tenant.toml secrets.toml; do
    if [ -f "$cfg/$f" ]; then cp -p "$cfg/$f" "$cfg/$f.prev"; else rm -f "$cfg/$f.prev"; fi
  done
  rm -rf "$cfg/branding.prev"
  if [ -d "$cfg/branding" ]; then cp -Rp "$cfg/branding" "$cfg/branding.prev"; fi
}

restore_config() {
  local f
  for f in tenant.toml secrets.toml; do
    [ -f "$cfg/$f.prev" ] && mv -f "$cfg/$f.prev" "$cfg/$f"
  done
  if [ -d "$cfg/branding.prev" ]; then
    rm -rf "$cfg/branding"
    mv "$cfg/branding.prev" "$cfg/branding"
  fi
}

prune_releases() {
  local cur prev n=0 r
  cur="$(current_version)"
  prev="$(cat "$base/previous" 2>/dev/null || true)"
  # Newest first by install time; current and previous are always kept.
  for r in $(ls -1t "$releases"); do
    n=$((n + 1))
    if [ "$n" -gt "$KEEP_RELEASES" ] && [ "$r" != "$cur" ] && [ "$r" != "$prev" ]; then
      rm -rf "${releases:?}/$r"
      log "pruned release $r"
    fi
  done
  find "$base/incoming" -mindepth 1 -maxdepth 1 -mmin +60 -exec rm -rf {} + 2>/dev/null || true
}

# ── deploy ────────────────────────────────────────────────────────────────────────────
do_deploy() {
  : "${VERSION:?}"
  local incoming="$base/incoming/$VERSION" new="$releases/$VERSION" prev staged predeploy=""
  prev="$(current_version)"
  if [ -n "$DRY_RUN" ]; then
    log "plan for $TENANT: ${prev:-nothing} → $VERSION (service manager: $MANAGER)"
    plan "verify $incoming/SHA256SUMS; move it to $new"
    plan "stage the bundle's config in $cfg/.staged-$VERSION and run: $new/fluxion config check (with the host's secrets)"
    plan "stop the service ($MANAGER)"
    plan "pre-deploy backup with the current binary: $base/current/fluxion backup --kind predeploy --config $cfg/tenant.toml"
    plan "keep $cfg/tenant.toml, secrets.toml, branding/ as *.prev; install the new ones"
    plan "switch $base/current → releases/$VERSION (atomic rename); remember ${prev:-nothing} as previous"
    plan "start the service; poll $(health_base)/readyz every ${HEALTH_INTERVAL}s for ${HEALTH_TIMEOUT}s: 200 and release $VERSION"
    plan "on failure: stop; current → ${prev:-nothing}; put the .prev config back; restore the pre-deploy backup if the new release advanced the schema; start; check health; exit 1"
    plan "on success: keep the newest $KEEP_RELEASES releases, clean incoming/"
    return 0
  fi

  log "step 5.1 verify bundle $VERSION"
  [ -f "$incoming/SHA256SUMS" ] || fail "$incoming/SHA256SUMS is missing"
  (cd "$incoming" && sha256sum --quiet -c SHA256SUMS) || fail "bundle checksums do not match; nothing changed"
  if [ "$prev" = "$VERSION" ] && [ -z "${FORCE:-}" ]; then
    log "$VERSION is already the current release; nothing to do (FORCE=1 redeploys)"
    rm -rf "$incoming"
    return 0
  fi
  mkdir -p "$releases"
  if [ "$prev" = "$VERSION" ]; then fail "cannot redeploy over the running release $VERSION; use a new VERSION"; fi
  rm -rf "$new"
  mv "$incoming" "$new"
  touch "$new"

  log "step 5.2 check the configuration with release $VERSION"
  staged="$cfg/.staged-$VERSION"
  mkdir -p "$cfg"
  rm -rf "$staged"
  mkdir -p "$staged"
  cp "$new/tenant.toml" "$staged/tenant.toml"
  [ -d "$new/branding" ] && cp -R "$new/branding" "$staged/branding"
  local secrets="$cfg/secrets.toml"
  [ -f "$new/secrets.toml" ] && secrets="$new/secrets.toml"
  if ! FLUXION_SECRETS_FILE="$secrets" "$new/fluxion" config check "$staged/tenant.toml" 2>&1; then
    rm -rf "$staged" "$new"
    fail "configuration rejected by release $VERSION; nothing changed, ${prev:-no release} keeps running" 78
  fi

  if [ -n "$prev" ]; then
    log "step 5.3 stop $prev"
    stop_service
    log "step 5.4 pre-deploy backup with release $prev"
    if ! predeploy="$("$base/current/fluxion" backup --kind predeploy --config "$cfg/tenant.toml")"; then
      start_service
      rm -rf "$staged" "$new"
      fail "pre-deploy backup failed; $prev restarted, nothing changed"
    fi
    log "pre-deploy backup: $predeploy"
    printf '%s\n' "$predeploy" >"$base/last-predeploy"
  fi

  log "step 5.5 install configuration (previous kept as *.prev)"
  save_config
  install -m 644 "$staged/tenant.toml" "$cfg/tenant.toml"
  if [ -f "$new/secrets.toml" ]; then install -m 600 "$new/secrets.toml" "$cfg/secrets.toml"; fi
  if [ -d "$staged/branding" ]; then
    rm -rf "$cfg/branding"
    mv "$staged/branding" "$cfg/branding"
  fi
  rm -rf "$staged"
  # The release keeps no secrets once installed.
  rm -f "$new/secrets.toml"

  log "step 5.6 switch current → $VERSION and start"
  local old_previous
  old_previous="$(cat "$base/previous" 2>/dev/null || true)"
  [ -n "$prev" ] && printf '%s\n' "$prev" >"$base/previous"
  switch_to "$VERSION"
  install_unit "$VERSION"
  start_service

  log "step 6 health check ($(health_base)/readyz, up to ${HEALTH_TIMEOUT}s)"
  HEALTH_REASON=""
  if wait_healthy "$VERSION"; then
    prune_releases
    return 0
  fi
  local reason="$HEALTH_REASON"
  log "release $VERSION is not healthy: $reason"
  log "last log lines of $VERSION:"
  log_tail 40 | sed 's/^/    | /'
  stop_service
  if [ -z "$prev" ]; then
    fail "first deploy of $TENANT failed ($reason); there is no previous release to go back to"
  fi
  # After the rollback, `make rollback` must still mean "the release before $prev".
  if [ -n "$old_previous" ]; then printf '%s\n' "$old_previous" >"$base/previous"; else rm -f "$base/previous"; fi
  rollback_to "$prev" "$predeploy" || {
    printf 'ROLLBACK FAILED: %s did not come back healthy (%s). The service needs an operator.\n' "$prev" "$HEALTH_REASON" >&2
    exit 2
  }
  fail "release $VERSION failed its health check ($reason); rolled back to $prev"
}

# current → $1, previous config back, data restored when needed, start, health check.
rollback_to() {
  local to="$1" backup="${2:-}"
  log "rollback: current → $to"
  switch_to "$to"
  restore_config
  if [ -n "$backup" ]; then
    # Only when the failed release migrated the data past what $to can open.
    "$base/current/fluxion" restore "$backup" --config "$cfg/tenant.toml" --only-if-schema-newer
  fi
  install_unit "$to"
  start_service
  wait_healthy "$to"
}

do_rollback() {
  local cur prev
  cur="$(current_version)"
  prev="$(cat "$base/previous" 2>/dev/null || true)"
  [ -n "$prev" ] && [ -d "$releases/$prev" ] || fail "no previous release recorded for $TENANT"
  if [ -n "$DRY_RUN" ]; then
    plan "stop; current → $prev; put back *.prev config if present${RESTORE:+; restore backup $RESTORE}; start; health check"
    return 0
  fi
  log "rollback $TENANT: $cur → $prev"
  stop_service
  switch_to "$prev"
  restore_config
  if [ -n "${RESTORE:-}" ]; then
    "$base/current/fluxion" restore "$RESTORE" --config "$cfg/tenant.toml"
  fi
  printf '%s\n' "$cur" >"$base/previous"
  install_unit "$prev"
  start_service
  HEALTH_REASON=""
  wait_healthy "$prev" || fail "$prev is not healthy after the rollback: $HEALTH_REASON" 2
}

case "$ACTION" in
  deploy) do_deploy ;;
  rollback) do_rollback ;;
  status)
    [ -n "$DRY_RUN" ] && { plan "show release, service state and /readyz"; exit 0; }
    echo "tenant:   $TENANT"
    echo "release:  $(current_version)   previous: $(cat "$base/previous" 2>/dev/null || echo -)"
    echo "releases: $(ls -1t "$releases" 2>/dev/null | tr '\n' ' ')"
    if [ "$MANAGER" = systemd ]; then systemctl status "$unit" --no-pager || true; else
      if pid_alive; then echo "process:  running (pid $(cat "$pidfile"))"; else echo "process:  not running"; fi
    fi
    echo "readyz:   $(curl -s -m 5 "$(health_base)/readyz" || echo unreachable)"
    ;;
  logs)
    [ -n "$DRY_RUN" ] && { plan "print the last ${LINES:-100} log lines"; exit 0; }
    log_tail "${LINES:-100}"
    ;;
  backup-now)
    [ -n "$DRY_RUN" ] && { plan "$base/current/fluxion backup --config $cfg/tenant.toml --without-analytics"; exit 0; }
    "$base/current/fluxion" backup --config "$cfg/tenant.toml" --without-analytics
    ;;
  stop)
    [ -n "$DRY_RUN" ] && { plan "stop the service"; exit 0; }
    stop_service
    ;;
  start)
    [ -n "$DRY_RUN" ] && { plan "start the service and check health"; exit 0; }
    start_service
    HEALTH_REASON=""
    wait_healthy "$(current_version)" || fail "$HEALTH_REASON"
    ;;
  *)
    echo "usage: ACTION=deploy|rollback|status|logs|backup-now|stop|start remote.sh" >&2
    exit 64
    ;;
esac
