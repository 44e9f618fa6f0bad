#!/usr/bin/env bash
# Runs every test suite of the repository: the .NET solution (xunit), the native shim's CMake build and CTest
# suite, and the plugin in a real DAW (Ardour, tests/daw). Fixtures: tests/fixtures ($JUKEBOX_FIXTURES overrides).
#
#   ./test.sh                     everything; installs missing Debian packages first (scripts/setup-debian.sh)
#   ./test.sh --filter EXPR ...   only `dotnet test` with these arguments (e.g. --filter "Category=Parity")
#
# Env: JB_NO_SETUP=1 never installs (fails naming what is missing); JB_SKIP_DAW=1 leaves out the Ardour test.
set -euo pipefail
cd "$(dirname "$0")"

# TorchSharp 0.107 passes temporary Scalars to native code by handle without keeping them alive, so a collection
# on another thread can free one mid-call (seen in CI as "Expected false to be true" / "Unknown scalar type").
# Hot paths use explicit Scalars (Model/ScalarMath, Training/Adam); a larger gen-0 budget makes the remaining
# window rarer while xunit runs many tests in parallel.
export DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x8000000}"

command -v dotnet >/dev/null || { echo "test.sh: the .NET 10 SDK (dotnet) is required: see docs/install.md" >&2; exit 2; }

if [ $# -gt 0 ]; then
  exec dotnet test JukeboxBridge.sln -c "${CONFIGURATION:-Debug}" --nologo "$@"
fi

# What the shim, the audio tests and the DAW test need from Debian.
if ! scripts/setup-debian.sh --check >/tmp/jb-setup-check.$$ 2>&1; then
  if [ "${JB_NO_SETUP:-0}" = 1 ]; then
    cat /tmp/jb-setup-check.$$ >&2; rm -f /tmp/jb-setup-check.$$
    echo "test.sh: run 'sudo scripts/setup-debian.sh' first" >&2; exit 2
  fi
  rm -f /tmp/jb-setup-check.$$
  echo "test.sh: installing the test dependencies (scripts/setup-debian.sh)"
  scripts/setup-debian.sh
fi
rm -f /tmp/jb-setup-check.$$

dotnet test JukeboxBridge.sln -c "${CONFIGURATION:-Debug}" --nologo

cmake -S native-shim -B native-shim/build -DCMAKE_BUILD_TYPE=Release
cmake --build native-shim/build -j "$(nproc)"
ctest --test-dir native-shim/build --output-on-failure

# The plugin in a real DAW: Ardour 7 headless with a real daemon (the Debug CLI that dotnet test built).
if [ "${JB_SKIP_DAW:-0}" != 1 ]; then
  tests/daw/run_ardour_e2e.sh "$(mktemp -d /tmp/jb-ardour-e2e-XXXXXX)"
fi
