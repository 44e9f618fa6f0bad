#!/usr/bin/env bash
# Installs what the test suites need on Debian 12 / Ubuntu (idempotent; as root, or a user with sudo):
#   cmake g++ make dpkg-dev xz-utils  the native shim's build (it builds libzmq from Debian's source package)
#   ffmpeg                            audio input tests (mp3/flac/ogg)
#   ardour sox                        the plugin in a real DAW (tests/daw)
#   ca-certificates                   apt over https mirrors
#   nats-server                       the scale-out tests (a real JetStream server on loopback)
# and a deb-src line when `apt-get source zeromq3` has none. The .NET 10 SDK is not installed here
# (docs/install.md says how). `--check` only lists what is missing (exit 1 when something is).
set -euo pipefail

PACKAGES=(ca-certificates ffmpeg cmake g++ make dpkg-dev xz-utils sox ardour nats-server)

missing_packages() {
  local pkg
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

has_deb_src() { apt-get source --print-uris -q zeromq3 >/dev/null 2>&1; }

command -v apt-get >/dev/null || { echo "setup-debian: needs apt-get (Debian or Ubuntu)" >&2; exit 2; }
mapfile -t missing < <(missing_packages)
need_src=0; has_deb_src || need_src=1

if [ "${1:-}" = "--check" ]; then
  [ ${#missing[@]} -eq 0 ] && [ $need_src -eq 0 ] && exit 0
  [ ${#missing[@]} -gt 0 ] && echo "missing packages: ${missing[*]}"
  [ $need_src -eq 1 ] && echo "missing: a deb-src line (apt-get source zeromq3)"
  exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup-debian: run as root or install sudo" >&2; exit 2; }
  sudo="sudo"
fi

if [ $need_src -eq 1 ]; then
  . /etc/os-release
  if [ "${ID:-debian}" = "ubuntu" ]; then
    uris="http://archive.ubuntu.com/ubuntu"; components="main universe"
    keyring=/usr/share/keyrings/ubuntu-archive-keyring.gpg
  else
    uris="http://deb.debian.org/debian"; components="main"
    keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  fi
  codename="${VERSION_CODENAME:-bookworm}"
  echo "setup-debian: adding a deb-src source for $codename"
  printf 'Types: deb-src\nURIs: %s\nSuites: %s %s-updates\nComponents: %s\nSigned-By: %s\n' \
    "$uris" "$codename" "$codename" "$components" "$keyring" \
    | $sudo tee /etc/apt/sources.list.d/jukeboxbridge-deb-src.sources >/dev/null
fi

if [ ${#missing[@]} -gt 0 ] || [ $need_src -eq 1 ]; then
  $sudo apt-get update -q
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-debian: installing ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
echo "setup-debian: all test dependencies present"
