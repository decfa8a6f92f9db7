#!/usr/bin/env bash
# install-deps.sh - installs the Debian packages torc needs to build and test.
#
# First step of both the README's quick start and .ci/run: it asks dpkg which
# packages are missing and installs only those (apt-get update first), so a
# second run costs nothing.  Needs root (or sudo) on a machine that reaches
# Debian's archive.  Exit status: 0 when everything is present afterwards.
set -euo pipefail

packages=(
  build-essential pkg-config clang libclang-rt-14-dev valgrind clang-format
  check libpcap-dev libjansson-dev libseccomp-dev
  python3 python3-pytest python3-jsonschema python3-pytest-xdist python3-yaml
  libxml2-utils
  tcpdump tshark iproute2 nftables ethtool
  chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || {
    echo "install-deps: missing ${missing[*]} and not root (no sudo)" >&2
    exit 2
  }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
  $sudo debconf-set-selections
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
