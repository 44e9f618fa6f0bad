#!/bin/sh
# Puts libzmq's source into DEST (once; cached in the build folder). Debian/Ubuntu: Debian's own source
# package (zeromq3, Debian patches applied) through `apt-get source`, which needs a deb-src line in the
# apt sources and dpkg-dev. Elsewhere pass -DJB_LIBZMQ_SOURCE_DIR=... to CMake instead.
set -eu
DEST="$1"
if [ -f "$DEST/CMakeLists.txt" ]; then exit 0; fi
WORK="$DEST.fetch"
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-source >/dev/null 2>&1; then
  echo "fetch-libzmq: needs apt-get and dpkg-source (dpkg-dev), or pass -DJB_LIBZMQ_SOURCE_DIR=<libzmq source>" >&2
  exit 1
fi
if ! apt-get source -q zeromq3 >apt-source.log 2>&1; then
  cat apt-source.log >&2
  echo "fetch-libzmq: 'apt-get source zeromq3' failed. Add a deb-src line (e.g. /etc/apt/sources.list.d/debian-src.sources" >&2
  echo "  with 'Types: deb-src'), run apt-get update, or pass -DJB_LIBZMQ_SOURCE_DIR=<libzmq source>" >&2
  exit 1
fi
SRC=$(find . -maxdepth 1 -type d -name 'zeromq3-*' | head -n 1)
[ -n "$SRC" ] && [ -f "$SRC/CMakeLists.txt" ] || { echo "fetch-libzmq: no source tree after apt-get source" >&2; exit 1; }
rm -rf "$DEST"
mv "$SRC" "$DEST"
cd ..
rm -rf "$WORK"
