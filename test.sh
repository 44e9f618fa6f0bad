#!/usr/bin/env bash
# Runs every test suite of the repository: the .NET solution (xunit) and, once it exists, the
# native shim's CTest suite. Extra arguments go to `dotnet test` (e.g. --filter "Category=Parity").
# Fixtures: $JUKEBOX_FIXTURES, default ../shared/fixtures beside the repository.
set -euo pipefail
cd "$(dirname "$0")"

# TorchSharp 0.107 passes temporary Scalars to native code by handle without keeping them alive, so a collection
# on another thread can free one mid-call (seen in CI as "Expected false to be true" / "Unknown scalar type").
# Hot paths use explicit Scalars (Model/ScalarMath, Training/Adam); a larger gen-0 budget makes the remaining
# window rarer while xunit runs many tests in parallel.
export DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x8000000}"

dotnet test JukeboxBridge.sln -c "${CONFIGURATION:-Debug}" --nologo "$@"

if [ -f native-shim/CMakeLists.txt ]; then
  cmake -S native-shim -B native-shim/build -DCMAKE_BUILD_TYPE=Release
  cmake --build native-shim/build -j "$(nproc)"
  ctest --test-dir native-shim/build --output-on-failure
fi
