#!/bin/sh
# mipo scanner installer
#
# The mipo operator serves this script at @@PUBLIC_URL@@/scanner/install with the
# agent bundles' SHA-256 filled in. Run it as root with the provisioning token in the
# environment, a file or on stdin (never in a URL: proxies log URLs):
#
#   curl -fsSL --proto '=https' @@PUBLIC_URL@@/scanner/install | sudo MIPO_TOKEN=<token> sh
#   curl -fsSL --proto '=https' @@PUBLIC_URL@@/scanner/install | sudo MIPO_TOKEN_FILE=/root/token sh
#   curl -fsSLO --proto '=https' @@PUBLIC_URL@@/scanner/install && sudo sh install --token-stdin < /root/token
#
# Install (with a token), in order:
#   1. downloads the agent bundle for this platform (linux/amd64 or linux/arm64) to a
#      temporary directory and checks its SHA-256 against the value embedded below; on a
#      mismatch it stops before anything is installed;
#   2. unpacks it to /opt/mipo-scanner/releases/<version>-<hash>/ (the bundle carries its
#      own Java runtime) and points /opt/mipo-scanner/current at it (a symlink, renamed
#      into place); /opt/mipo-scanner/bin/mipo-scanner runs the current release;
#   3. creates the system user mipo-scanner if it is missing;
#   4. registers with the token, which stores the API key in /var/lib/mipo-scanner/credentials
#      (mode 0600, directory 0700, owned by mipo-scanner; the unit's StateDirectory);
#   5. installs the hardened systemd unit mipo-scanner.service and (re)starts it, the root
#      units mipo-scanner-upgrade.path and mipo-scanner-upgrade.service (automatic upgrades:
#      the agent, which cannot write /opt, creates /var/lib/mipo-scanner/upgrade-request when
#      the operator asks it to upgrade; the path unit then runs `mipo-scanner upgrade`), and
#      writes /opt/mipo-scanner/uninstall.sh.
# Running it again with a new token re-provisions the scanner: the credentials are replaced.
#
# Upgrade (MIPO_UPGRADE=1 or --upgrade; no token: the installed API key authenticates):
# installs the bundle this server offers next to the running one, switches `current` to it,
# restarts the unit and waits for the new agent's first heartbeat; without one within
# MIPO_UPGRADE_TIMEOUT seconds (default 60) it switches back and restarts the previous agent.
#
# Uninstall (MIPO_UNINSTALL=1 or --uninstall): runs /opt/mipo-scanner/uninstall.sh, which
# stops and removes the unit, tells the server (the scanner shows Offline, reason
# Uninstalled, and its API key is revoked), and removes the files, credentials and user.
#
# Environment:
#   MIPO_TOKEN       the one-time provisioning token (install)
#   MIPO_TOKEN_FILE  a file holding the token instead ('-' reads it from stdin)
#   MIPO_UPGRADE     1: upgrade in place          MIPO_UNINSTALL  1: uninstall
#   MIPO_UPGRADE_TIMEOUT  seconds to wait for the upgraded agent's heartbeat (default 60)
#   MIPO_CA_FILE     a PEM bundle of the CAs that signed the server's certificate (an operator
#                    serving HTTPS with a private CA): downloads and the agent verify the server
#                    against it; fetch this script with curl --cacert <file> as well.
#   MIPO_ROOT   install below this directory instead of / (tests); skips creating the user.
#               The unit is written below it too, and systemctl is called only if one is on
#               PATH (tests put a stub there), whether or not systemd runs here
#
# Everything below is functions; the last line calls main, so a truncated download runs nothing.
set -eu

PUBLIC_URL='@@PUBLIC_URL@@'
AGENT_VERSION='@@VERSION@@'
SHA256_LINUX_AMD64='@@SHA256_LINUX_AMD64@@'
SHA256_LINUX_ARM64='@@SHA256_LINUX_ARM64@@'

INSTALL_DIR=/opt/mipo-scanner
STATE_DIR=/var/lib/mipo-scanner
LEGACY_CONFIG_DIR=/etc/mipo-scanner
UNIT_NAME=mipo-scanner.service
UPGRADE_PATH_UNIT=mipo-scanner-upgrade.path
UPGRADE_SERVICE_UNIT=mipo-scanner-upgrade.service
UPGRADE_REQUEST=upgrade-request
UNIT_DIR=/etc/systemd/system
SERVICE_USER=mipo-scanner

say() {
  printf 'mipo-scanner install: %s\n' "$*" >&2
}

die() {
  say "ERROR: $*"
  exit 1
}

have() {
  command -v "$1" >/dev/null 2>&1
}

usage() {
  cat >&2 <<EOF
usage: sh install.sh [--token-stdin | --upgrade | --uninstall]
  install:   MIPO_TOKEN=<token> sh install.sh   (or MIPO_TOKEN_FILE=<file>, or --token-stdin)
  upgrade:   MIPO_UPGRADE=1 sh install.sh       (uses the installed API key)
  uninstall: MIPO_UNINSTALL=1 sh install.sh     (or ${INSTALL_DIR}/uninstall.sh)
EOF
}

# --- preconditions (nothing is changed on the host until the checksum is verified) ---

parse_args() {
  mode=install
  token_stdin=no
  case ${MIPO_UPGRADE:-} in 1 | yes | true) mode=upgrade ;; esac
  case ${MIPO_UNINSTALL:-} in 1 | yes | true) mode=uninstall ;; esac
  for arg in "$@"; do
    case $arg in
      --upgrade) mode=upgrade ;;
      --uninstall) mode=uninstall ;;
      --token-stdin) token_stdin=yes ;;
      -h | --help) usage; exit 0 ;;
      *) usage; die "unknown argument: $arg" ;;
    esac
  done
}

check_context() {
  ROOT=${MIPO_ROOT:-}
  case $AGENT_VERSION in
    @@*) AGENT_VERSION=unknown ;;
  esac
  if [ -z "$ROOT" ] && [ "$(id -u)" -ne 0 ]; then
    die "run this as root (sudo)"
  fi
  case $PUBLIC_URL in
    https://*) ;;
    http://*) say "warning: ${PUBLIC_URL} is plain http; use https outside a lab" ;;
    *) die "this installer was not generated by mipo (no server URL)" ;;
  esac
  dest="${ROOT}${INSTALL_DIR}"
  state="${ROOT}${STATE_DIR}"
}

# The token from MIPO_TOKEN, MIPO_TOKEN_FILE or stdin; exported for the agent's register only.
read_token() {
  if [ "$token_stdin" = yes ]; then
    MIPO_TOKEN_FILE=-
  fi
  if [ -n "${MIPO_TOKEN_FILE:-}" ]; then
    if [ "$MIPO_TOKEN_FILE" = - ]; then
      [ ! -t 0 ] || say "reading the token from stdin"
      IFS= read -r MIPO_TOKEN || [ -n "${MIPO_TOKEN:-}" ] || die "no token on stdin"
    else
      [ -r "$MIPO_TOKEN_FILE" ] || die "MIPO_TOKEN_FILE ${MIPO_TOKEN_FILE} cannot be read"
      IFS= read -r MIPO_TOKEN <"$MIPO_TOKEN_FILE" || [ -n "${MIPO_TOKEN:-}" ] || die "MIPO_TOKEN_FILE ${MIPO_TOKEN_FILE} is empty"
    fi
    MIPO_TOKEN=$(printf '%s' "$MIPO_TOKEN" | tr -d ' \r\t')
    # a token read from a file or stdin must look like one: when this script itself arrives
    # on stdin (curl | sh), a read would get script text instead
    case $MIPO_TOKEN in
      mipo_pt_*) ;;
      *) die "what MIPO_TOKEN_FILE/stdin holds is not a provisioning token (mipo_pt_...)" ;;
    esac
  fi
  if [ -z "${MIPO_TOKEN:-}" ]; then
    die "MIPO_TOKEN is not set. Run: curl -fsSL ${PUBLIC_URL}/scanner/install | sudo MIPO_TOKEN=<token> sh (or MIPO_TOKEN_FILE=<file>); to upgrade an installed scanner without a token: MIPO_UPGRADE=1"
  fi
  export MIPO_TOKEN
}

detect_platform() {
  os=$(uname -s)
  case $os in
    Linux) os=linux ;;
    *) die "unsupported operating system: $os (mipo scanners run on Linux)" ;;
  esac
  arch=$(uname -m)
  case $arch in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64 | armv8l) arch=arm64 ;;
    *) die "unsupported processor architecture: $arch" ;;
  esac
  expected=
  case "$os/$arch" in
    linux/amd64) expected=$SHA256_LINUX_AMD64 ;;
    linux/arm64) expected=$SHA256_LINUX_ARM64 ;;
  esac
  # a filled-in checksum is exactly 64 lowercase hex digits
  case $expected in
    *[!0-9a-f]* | '') expected= ;;
  esac
  if [ "${#expected}" -ne 64 ]; then
    die "this mipo server offers no scanner bundle for $os/$arch"
  fi
}

pick_tools() {
  if have curl; then
    downloader=curl
  elif have wget; then
    downloader=wget
  else
    die "curl or wget is needed to download the scanner"
  fi
  if have sha256sum; then
    hasher=sha256sum
  elif have shasum; then
    hasher=shasum
  elif have openssl; then
    hasher=openssl
  else
    die "sha256sum, shasum or openssl is needed to verify the download"
  fi
  have tar || die "tar is needed to unpack the scanner"
  have gzip || die "gzip is needed to unpack the scanner"
  if [ -n "${MIPO_CA_FILE:-}" ]; then
    [ -r "$MIPO_CA_FILE" ] || die "MIPO_CA_FILE ${MIPO_CA_FILE} cannot be read"
    export MIPO_CA_FILE
  fi
}

# download URL FILE [API_KEY]: the key goes in a header read from stdin or a private file,
# never on a command line (ps shows those)
download() {
  from=$1
  to=$2
  key=${3:-}
  if [ "$downloader" = curl ]; then
    set -- -fsSL --retry 3
    case $from in https://*) set -- "$@" --proto '=https' --proto-redir '=https' --tlsv1.2 ;; esac
    if [ -n "${MIPO_CA_FILE:-}" ]; then
      set -- "$@" --cacert "$MIPO_CA_FILE"
    fi
    if [ -n "$key" ]; then
      printf 'header = "Authorization: Bearer %s"\n' "$key" | curl -K - "$@" -o "$to" "$from"
    else
      curl "$@" -o "$to" "$from"
    fi
  else
    set -- -q
    case $from in https://*) set -- "$@" --https-only ;; esac
    if [ -n "${MIPO_CA_FILE:-}" ]; then
      set -- "$@" --ca-certificate="$MIPO_CA_FILE"
    fi
    if [ -n "$key" ]; then
      (umask 077 && printf 'header = Authorization: Bearer %s\n' "$key" >"$tmp/wgetrc")
      set -- "$@" --config="$tmp/wgetrc"
    fi
    wget "$@" -O "$to" "$from"
  fi
  key=
}

sha256_of() {
  case $hasher in
    sha256sum) sha256sum "$1" ;;
    shasum) shasum -a 256 "$1" ;;
    openssl) openssl dgst -sha256 -r "$1" ;;
  esac | cut -d ' ' -f 1 | tr 'ABCDEF' 'abcdef'
}

make_tmp() {
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/mipo-scanner.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# --- 1. download and verify ---

fetch_bundle() {
  url="${PUBLIC_URL}/scanner/binary/${os}/${arch}"
  say "downloading the mipo scanner ${AGENT_VERSION} for ${os}/${arch} from ${url}"
  download "$url" "$tmp/bundle.tar.gz" "${1:-}" || die "download from ${url} failed"
  actual=$(sha256_of "$tmp/bundle.tar.gz")
  if [ "$actual" != "$expected" ]; then
    say "ERROR: checksum mismatch for ${url}"
    say "  expected sha256 ${expected}"
    say "  received sha256 ${actual}"
    say "Nothing was installed. The download was corrupted or tampered with, or the mipo"
    say "server was upgraded after this script was fetched: fetch the install command again."
    exit 1
  fi
  say "checksum verified (sha256 ${actual})"
  mkdir "$tmp/unpack"
  tar -xzf "$tmp/bundle.tar.gz" -C "$tmp/unpack" || die "the bundle could not be unpacked"
  [ -f "$tmp/unpack/mipo-scanner/bin/mipo-scanner" ] || die "the bundle has no mipo-scanner/bin/mipo-scanner"
}

# --- 2. install the files: releases/<id>, current -> releases/<id>, bin/ -> current/bin ---

# replace_link TARGET LINK: a new symlink renamed over the old one (atomic with GNU mv -T)
replace_link() {
  ln -sfn "$1" "$2.new"
  if ! mv -T "$2.new" "$2" 2>/dev/null; then
    rm -f "$2"
    mv "$2.new" "$2"
  fi
}

current_release() {
  if [ -L "$dest/current" ]; then
    basename "$(readlink "$dest/current")"
  fi
}

# An installation from before releases/ (files directly in /opt/mipo-scanner) becomes a release.
migrate_layout() {
  if [ -d "$dest/lib" ] && [ ! -L "$dest/current" ]; then
    mkdir -p "$dest/releases/legacy"
    for f in bin lib runtime VERSION; do
      if [ -e "$dest/$f" ]; then
        mv "$dest/$f" "$dest/releases/legacy/$f"
      fi
    done
    replace_link releases/legacy "$dest/current"
    say "moved the previous installation to ${dest}/releases/legacy"
  fi
  if [ -f "${ROOT}${LEGACY_CONFIG_DIR}/credentials" ] && [ ! -f "$state/credentials" ]; then
    mkdir -p "$state"
    chmod 700 "$state"
    mv "${ROOT}${LEGACY_CONFIG_DIR}/credentials" "$state/credentials"
    rmdir "${ROOT}${LEGACY_CONFIG_DIR}" 2>/dev/null || true
    say "moved the credentials to ${state}"
  fi
}

place_release() {
  release=$(printf '%s-%.12s' "$AGENT_VERSION" "$expected" | tr -c 'A-Za-z0-9._\n-' '_')
  mkdir -p "$dest/releases"
  rm -rf "$dest/releases/$release.new"
  mv "$tmp/unpack/mipo-scanner" "$dest/releases/$release.new"
  if [ -z "$ROOT" ]; then
    chown -R 0:0 "$dest/releases/$release.new"
  fi
  chmod -R go-w "$dest/releases/$release.new"
  chmod 755 "$dest/releases/$release.new/bin/mipo-scanner"
  if [ "$(current_release)" = "$release" ]; then
    # the same release again (re-provisioning): keep the running files
    rm -rf "$dest/releases/$release.new"
  else
    rm -rf "$dest/releases/$release"
    mv "$dest/releases/$release.new" "$dest/releases/$release"
  fi
  mkdir -p "$dest/bin"
  [ -L "$dest/bin/mipo-scanner" ] || ln -sfn ../current/bin/mipo-scanner "$dest/bin/mipo-scanner"
}

activate_release() {
  replace_link "releases/$1" "$dest/current"
  say "${dest}/current is now ${1}"
}

# keep the current and the previous release, remove older ones
prune_releases() {
  keep_current=$(current_release)
  keep_previous=
  if [ -L "$dest/previous" ]; then
    keep_previous=$(basename "$(readlink "$dest/previous")")
  fi
  for r in "$dest"/releases/*; do
    [ -e "$r" ] || continue
    name=$(basename "$r")
    if [ "$name" != "$keep_current" ] && [ "$name" != "$keep_previous" ]; then
      rm -rf "$r"
    fi
  done
}

# --- 3. service user ---

ensure_user() {
  user_ok=no
  if [ -n "$ROOT" ]; then
    say "MIPO_ROOT is set: not creating the user ${SERVICE_USER}"
  elif id -u "$SERVICE_USER" >/dev/null 2>&1; then
    user_ok=yes
  else
    nologin=/usr/sbin/nologin
    [ -x "$nologin" ] || nologin=/sbin/nologin
    [ -x "$nologin" ] || nologin=/bin/false
    if have useradd; then
      useradd --system --user-group --no-create-home --home-dir /nonexistent --shell "$nologin" "$SERVICE_USER"
      user_ok=yes
    elif have adduser; then
      # BusyBox / Alpine
      adduser -S -D -H -h /nonexistent -s "$nologin" "$SERVICE_USER"
      user_ok=yes
    else
      say "warning: neither useradd nor adduser found; create the system user ${SERVICE_USER} yourself"
    fi
    if [ "$user_ok" = yes ]; then
      say "created the system user ${SERVICE_USER}"
    fi
  fi
}

own_state() {
  if [ "$user_ok" = yes ]; then
    chown -R "${SERVICE_USER}:$(id -g "$SERVICE_USER")" "$state"
  fi
}

# --- 4. register (re-provisioning replaces the credentials) ---

register() {
  mkdir -p "$state"
  chmod 700 "$state"
  say "registering with ${PUBLIC_URL}"
  rc=0
  "$dest/bin/mipo-scanner" register --server "$PUBLIC_URL" --config-dir "$state" || rc=$?
  if [ "$rc" -ne 0 ]; then
    say "ERROR: registration failed (exit code ${rc}; the reason is above)."
    say "Timeouts and server errors were retried with the same registration id (${state}/registration-id);"
    say "running the same install command again within 15 minutes retries with it too."
    say "The agent files are in ${dest}; the service was not (re)started."
    exit "$rc"
  fi
  unset MIPO_TOKEN
  own_state
}

# --- 5. systemd unit and uninstaller ---

write_unit() {
  mkdir -p "${ROOT}${UNIT_DIR}"
  unit="${ROOT}${UNIT_DIR}/${UNIT_NAME}"
  if [ -f "$unit" ]; then
    cp -p "$unit" "$tmp/unit.previous"
  fi
  cat >"$unit.tmp" <<EOF
# Installed by the mipo scanner installer; running the installer again rewrites it.
[Unit]
Description=mipo scanner agent
Documentation=${PUBLIC_URL}
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
User=${SERVICE_USER}
Group=${SERVICE_USER}
ExecStart=${INSTALL_DIR}/bin/mipo-scanner run --config-dir ${STATE_DIR}
Restart=on-failure
RestartSec=10s
# exit code 3: the API key was refused; only re-provisioning helps, so do not loop
RestartPreventExitStatus=3
TimeoutStopSec=20s
LimitNOFILE=65536
UMask=0077
# the credentials live in ${STATE_DIR} (0700, owned by ${SERVICE_USER}): the only writable place
StateDirectory=mipo-scanner
StateDirectoryMode=0700
# resource caps: the JVM heap is 256 MiB (launcher -Xmx); connects are asynchronous, not threads
MemoryMax=512M
TasksMax=256

NoNewPrivileges=yes
CapabilityBoundingSet=
AmbientCapabilities=
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
PrivateMounts=yes
ProtectProc=invisible
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
RemoveIPC=yes
KeyringMode=private
DevicePolicy=closed
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged @resources
SystemCallErrorNumber=EPERM

[Install]
WantedBy=multi-user.target
EOF
  mv "$unit.tmp" "$unit"
  chmod 644 "$unit"
}

# Automatic upgrades: the agent's sandbox cannot write ${INSTALL_DIR}, so it asks root by creating
# ${STATE_DIR}/${UPGRADE_REQUEST} when the operator tells it to upgrade (heartbeat answer upgradeTo).
# The path unit starts the oneshot, which removes the request (a trigger only: its content is never
# read) and runs the same upgrade as `sudo mipo-scanner upgrade`, from the server this script came
# from (not the one in the credentials, which the agent's user can write).
write_upgrade_units() {
  mkdir -p "${ROOT}${UNIT_DIR}"
  cat >"${ROOT}${UNIT_DIR}/${UPGRADE_PATH_UNIT}.tmp" <<EOF
# Installed by the mipo scanner installer: starts an upgrade the agent requested (automatic upgrades).
[Unit]
Description=mipo scanner: watch for an upgrade request from the agent
Documentation=${PUBLIC_URL}

[Path]
PathExists=${STATE_DIR}/${UPGRADE_REQUEST}
Unit=${UPGRADE_SERVICE_UNIT}

[Install]
WantedBy=multi-user.target
EOF
  cat >"${ROOT}${UNIT_DIR}/${UPGRADE_SERVICE_UNIT}.tmp" <<EOF
# Installed by the mipo scanner installer: the upgrade the agent requested, run as root.
[Unit]
Description=mipo scanner: upgrade in place (requested by the agent)
Documentation=${PUBLIC_URL}
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
# the request file is only a trigger; removed first, so the path unit does not fire again
ExecStartPre=/bin/rm -f ${STATE_DIR}/${UPGRADE_REQUEST}
ExecStart=${INSTALL_DIR}/bin/mipo-scanner upgrade --config-dir ${STATE_DIR} --server ${PUBLIC_URL}
# the upgrade waits up to a minute for the new agent's heartbeat, and again after a rollback
TimeoutStartSec=15min
PrivateTmp=yes
ProtectHome=yes
NoNewPrivileges=yes
EOF
  for u in "$UPGRADE_PATH_UNIT" "$UPGRADE_SERVICE_UNIT"; do
    mv "${ROOT}${UNIT_DIR}/${u}.tmp" "${ROOT}${UNIT_DIR}/${u}"
    chmod 644 "${ROOT}${UNIT_DIR}/${u}"
  done
}

restore_unit() {
  if [ -f "$tmp/unit.previous" ]; then
    cp -p "$tmp/unit.previous" "${ROOT}${UNIT_DIR}/${UNIT_NAME}"
  fi
}

# Is there a systemd to talk to? Under MIPO_ROOT: whatever systemctl is on PATH (a test stub).
systemd_here() {
  if [ -n "$ROOT" ]; then
    have systemctl
  else
    have systemctl && [ -d /run/systemd/system ]
  fi
}

start_service() {
  if ! systemd_here; then
    say "systemd is not running here: start the agent yourself with"
    say "  ${INSTALL_DIR}/bin/mipo-scanner run --config-dir ${STATE_DIR}"
    return 1
  fi
  if [ -n "$ROOT" ]; then
    say "MIPO_ROOT is set: using the systemctl on PATH ($(command -v systemctl))"
  fi
  systemctl daemon-reload
  if systemctl is-active --quiet "$UNIT_NAME"; then
    systemctl enable "$UNIT_NAME" >/dev/null 2>&1 || true
    systemctl restart "$UNIT_NAME"
    say "restarted ${UNIT_NAME}"
  else
    systemctl enable --now "$UNIT_NAME"
    say "started ${UNIT_NAME}"
  fi
  systemctl enable --now "$UPGRADE_PATH_UNIT" >/dev/null 2>&1 \
    || say "warning: could not enable ${UPGRADE_PATH_UNIT}: automatic upgrades will not run on this host"
  say "status: systemctl status ${UNIT_NAME}    logs: journalctl -u ${UNIT_NAME}"
}

# The agent writes <state>/heartbeat (version=...) after its first accepted heartbeat.
await_heartbeat() {
  wanted=$1
  timeout=${MIPO_UPGRADE_TIMEOUT:-60}
  case $timeout in *[!0-9]* | '') die "MIPO_UPGRADE_TIMEOUT must be a number of seconds" ;; esac
  waited=0
  while [ "$waited" -lt "$timeout" ]; do
    if [ -f "$state/heartbeat" ] && grep -qx "version=${wanted}" "$state/heartbeat"; then
      return 0
    fi
    sleep 1
    waited=$((waited + 1))
  done
  return 1
}

write_uninstaller() {
  uninstaller_script >"$dest/uninstall.sh.tmp"
  chmod 755 "$dest/uninstall.sh.tmp"
  mv "$dest/uninstall.sh.tmp" "$dest/uninstall.sh"
}

# --- the three modes ---

do_install() {
  read_token
  detect_platform
  pick_tools
  make_tmp
  fetch_bundle
  mkdir -p "$(dirname "$dest")"
  migrate_layout
  place_release
  previous=$(current_release)
  activate_release "$release"
  if [ -n "$previous" ] && [ "$previous" != "$release" ]; then
    replace_link "releases/$previous" "$dest/previous"
  fi
  prune_releases
  ensure_user
  register
  write_unit
  write_upgrade_units
  write_uninstaller
  start_service || true
  say "uninstall with: sudo ${INSTALL_DIR}/uninstall.sh"
  say "done: mipo scanner ${AGENT_VERSION} installed"
}

do_upgrade() {
  credentials="$state/credentials"
  [ -f "$credentials" ] || [ -f "${ROOT}${LEGACY_CONFIG_DIR}/credentials" ] \
    || die "no installed scanner here (no ${credentials}); install it with a token first"
  detect_platform
  pick_tools
  make_tmp
  migrate_layout
  api_key=$(sed -n 's/^apiKey=//p' "$credentials" | head -n 1)
  [ -n "$api_key" ] || die "${credentials} holds no API key; install again with a token"
  # the key goes into a curl config line: only what a key is made of (mipo_sk_ and base62)
  case $api_key in
    mipo_sk_ | mipo_sk_*[!A-Za-z0-9_]*) die "${credentials} holds something that is not an API key; install again with a token" ;;
    mipo_sk_*) ;;
    *) die "${credentials} holds something that is not an API key; install again with a token" ;;
  esac
  previous=$(current_release)
  wanted_release=$(printf '%s-%.12s' "$AGENT_VERSION" "$expected" | tr -c 'A-Za-z0-9._\n-' '_')
  if [ "$previous" = "$wanted_release" ]; then
    say "already up to date: mipo scanner ${AGENT_VERSION} (${previous})"
    return 0
  fi
  fetch_bundle "$api_key"
  api_key=
  place_release
  ensure_user
  own_state
  write_unit
  write_upgrade_units
  write_uninstaller
  if [ -n "$previous" ]; then
    replace_link "releases/$previous" "$dest/previous"
  fi
  activate_release "$release"
  rm -f "$state/heartbeat"
  if ! start_service; then
    prune_releases
    say "done: upgraded to ${AGENT_VERSION}; restart the agent yourself"
    return 0
  fi
  say "waiting up to ${MIPO_UPGRADE_TIMEOUT:-60} s for the new agent's first heartbeat"
  if await_heartbeat "$AGENT_VERSION"; then
    prune_releases
    say "done: upgraded to mipo scanner ${AGENT_VERSION}; its heartbeat was accepted"
    return 0
  fi
  say "ERROR: the new agent ${AGENT_VERSION} did not heartbeat within ${MIPO_UPGRADE_TIMEOUT:-60} s"
  [ -n "$previous" ] || die "there is no previous release to roll back to; see journalctl -u ${UNIT_NAME}"
  say "rolling back to ${previous}"
  restore_unit
  activate_release "$previous"
  rm -f "$dest/previous"
  rm -rf "${dest:?}/releases/$release"
  rm -f "$state/heartbeat"
  systemctl daemon-reload
  systemctl restart "$UNIT_NAME"
  if await_heartbeat "$(cat "$dest/current/VERSION" 2>/dev/null || echo unknown)"; then
    say "rolled back: the previous agent runs again and its heartbeat was accepted"
  else
    say "rolled back to ${previous}, but its heartbeat was not seen yet; see journalctl -u ${UNIT_NAME}"
  fi
  exit 1
}

do_uninstall() {
  if [ -f "$dest/uninstall.sh" ]; then
    MIPO_ROOT=$ROOT sh "$dest/uninstall.sh"
  else
    make_tmp
    uninstaller_script >"$tmp/uninstall.sh"
    MIPO_ROOT=$ROOT sh "$tmp/uninstall.sh"
  fi
}

# The uninstaller written to /opt/mipo-scanner/uninstall.sh (it removes that directory too).
uninstaller_script() {
  cat <<'UNINSTALL'
#!/bin/sh
# mipo scanner uninstaller, written by the mipo install script. Run as root:
#   sudo /opt/mipo-scanner/uninstall.sh
# Stops and removes the mipo-scanner units (the agent and its upgrade path unit), tells the mipo server (the scanner shows Offline
# with reason Uninstalled and its API key is revoked; deleting the scanner in mipo stays your
# call), then removes /opt/mipo-scanner, the credentials in /var/lib/mipo-scanner and the
# mipo-scanner user. MIPO_ROOT: below this directory instead of / (tests).
set -eu

INSTALL_DIR=/opt/mipo-scanner
STATE_DIR=/var/lib/mipo-scanner
LEGACY_CONFIG_DIR=/etc/mipo-scanner
UNIT_NAME=mipo-scanner.service
UPGRADE_PATH_UNIT=mipo-scanner-upgrade.path
UPGRADE_SERVICE_UNIT=mipo-scanner-upgrade.service
UNIT_DIR=/etc/systemd/system
SERVICE_USER=mipo-scanner

say() {
  printf 'mipo-scanner uninstall: %s\n' "$*" >&2
}

have() {
  command -v "$1" >/dev/null 2>&1
}

find_root() {
  ROOT=${MIPO_ROOT:-}
  if [ -z "$ROOT" ]; then
    here=$(cd "$(dirname "$0")" && pwd -P)
    case $here in
      */opt/mipo-scanner) ROOT=${here%/opt/mipo-scanner} ;;
    esac
  fi
  if [ -z "$ROOT" ] && [ "$(id -u)" -ne 0 ]; then
    say "ERROR: run this as root (sudo)"
    exit 1
  fi
}

stop_unit() {
  if { [ -n "$ROOT" ] && have systemctl; } || { have systemctl && [ -d /run/systemd/system ]; }; then
    # the upgrade path unit first: a request the agent writes now must not start an upgrade
    systemctl disable --now "$UPGRADE_PATH_UNIT" >/dev/null 2>&1 || true
    systemctl disable --now "$UNIT_NAME" >/dev/null 2>&1 || true
    say "stopped and disabled ${UNIT_NAME} and ${UPGRADE_PATH_UNIT}"
  fi
}

# POST <server>/scanner/uninstall with the API key (in a header read from stdin, not argv)
tell_server() {
  creds=
  for f in "${ROOT}${STATE_DIR}/credentials" "${ROOT}${LEGACY_CONFIG_DIR}/credentials"; do
    if [ -f "$f" ]; then
      creds=$f
      break
    fi
  done
  if [ -z "$creds" ]; then
    say "no credentials found: the mipo server is not told"
    return 0
  fi
  server=$(sed -n 's/^server=//p' "$creds" | head -n 1)
  key=$(sed -n 's/^apiKey=//p' "$creds" | head -n 1)
  if [ -z "$server" ] || [ -z "$key" ]; then
    say "the credentials are incomplete: the mipo server is not told"
    return 0
  fi
  body="{\"hostname\":\"$(uname -n | tr -cd 'A-Za-z0-9.-')\"}"
  told=no
  if have curl; then
    if printf 'header = "Authorization: Bearer %s"\n' "$key" \
      | curl -K - -fsS --retry 2 --max-time 20 -X POST -H 'Content-Type: application/json' \
        --data "$body" -o /dev/null "${server}/scanner/uninstall"; then
      told=yes
    fi
  elif have wget; then
    rc=$(mktemp)
    (umask 077 && printf 'header = Authorization: Bearer %s\n' "$key" >"$rc")
    if wget -q --config="$rc" --header='Content-Type: application/json' --post-data="$body" -O /dev/null \
      "${server}/scanner/uninstall"; then
      told=yes
    fi
    rm -f "$rc"
  fi
  key=
  if [ "$told" = yes ]; then
    say "told ${server}: the scanner shows Offline (Uninstalled) and its API key is revoked"
  else
    say "warning: could not tell ${server}; delete the scanner in mipo (or regenerate its token) yourself"
  fi
}

remove_files() {
  rm -f "${ROOT}${UNIT_DIR}/${UNIT_NAME}" "${ROOT}${UNIT_DIR}/${UPGRADE_PATH_UNIT}" "${ROOT}${UNIT_DIR}/${UPGRADE_SERVICE_UNIT}"
  if { [ -n "$ROOT" ] && have systemctl; } || { have systemctl && [ -d /run/systemd/system ]; }; then
    systemctl daemon-reload || true
  fi
  rm -rf "${ROOT}${INSTALL_DIR}" "${ROOT}${STATE_DIR}" "${ROOT}${LEGACY_CONFIG_DIR}"
  say "removed ${ROOT}${INSTALL_DIR}, ${ROOT}${STATE_DIR} and the units"
  if [ -z "$ROOT" ] && id -u "$SERVICE_USER" >/dev/null 2>&1; then
    if have userdel; then
      userdel "$SERVICE_USER" || say "warning: could not remove the user ${SERVICE_USER}"
    elif have deluser; then
      deluser "$SERVICE_USER" || say "warning: could not remove the user ${SERVICE_USER}"
    fi
    say "removed the user ${SERVICE_USER}"
  fi
}

main() {
  find_root
  stop_unit
  tell_server
  remove_files
  say "done: the mipo scanner is uninstalled"
}

main "$@"
UNINSTALL
}

main() {
  parse_args "$@"
  check_context
  case $mode in
    install) do_install ;;
    upgrade) do_upgrade ;;
    uninstall) do_uninstall ;;
  esac
}

main "$@"
