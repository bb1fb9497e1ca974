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
)

missing=()
for p in "${packages[@]}"; do
  # dpkg-query prints "install ok installed" only for a fully installed package.
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps: not root and no sudo; install: ${missing[*]}" >&2; exit 2; }
  sudo=(sudo)
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Postfix asks how it should be configured; "No configuration" keeps it from
# starting a real MTA on port 25 (we only use its smtp-sink/smtp-source tools).
echo "postfix postfix/main_mailer_type select No configuration" | "${sudo[@]}" debconf-set-selections
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
