#!/usr/bin/env bash
# Installs, from Debian's packages only, whatever this project needs and the
# machine lacks. Idempotent: a machine that already has everything runs no apt.
# Runs apt-get as root, or through sudo when not root.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config clang libclang-rt-dev clang-format
  # libraries
  libboost1.81-dev libssl-dev liblua5.4-dev libfmt-dev libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # real peers for integration tests and benchmarks
  swaks libnet-ssleay-perl postfix python3 python3-aiosmtpd python3-jsonschema openssl chromium
  # the system calls of fake-smtpd's maildir store (tests/integration/test_maildir_crash.py)
  strace
  # the Prometheus server that scrapes both programs' /metrics (tests/integration/test_load_metrics.py)
  prometheus
  # Exim and OpenSMTPD run from their .debs unpacked in the build tree
  # (tests/integration/mta.py; their packages conflict with postfix): the
  # libraries their binaries link, and unshare/mount for OpenSMTPD's paths
  libdb5.3 libgnutls-dane0 libgnutls30 libidn12 libidn2-0 libnsl2 libpcre2-8-0 libcrypt1
  libevent-2.1-7 libssl3 zlib1g libpam0g util-linux mount
)

# The run-time users compiled into those binaries (Exim refuses to start
# without its user, OpenSMTPD has no setting for its two), made as their
# Debian packages make them: system users with a group of the same name.
mta_users=(Debian-exim opensmtpd opensmtpq)

missing=()
for p in "${packages[@]}"; do
  # dpkg-query prints "install ok installed" only for a fully installed package.
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

missing_users=()
for u in "${mta_users[@]}"; do
  getent passwd "$u" >/dev/null || missing_users+=("$u")
done

if [ ${#missing[@]} -eq 0 ] && [ ${#missing_users[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} packages and ${#mta_users[@]} users present"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || {
    echo "deps: not root and no sudo; install: ${missing[*]}; add users: ${missing_users[*]}" >&2
    exit 2
  }
  sudo=(sudo)
fi

for u in "${missing_users[@]}"; do
  echo "deps: adding system user $u"
  # No home, no login: the daemons only setuid to it.
  "${sudo[@]}" useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin "$u"
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Postfix asks how it should be configured; "No configuration" keeps it from
# starting a real MTA on port 25 (we only use its smtp-sink/smtp-source tools).
echo "postfix postfix/main_mailer_type select No configuration" | "${sudo[@]}" debconf-set-selections
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
