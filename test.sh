#!/usr/bin/env bash
# Runs every test suite of the repository: the .NET solution (xunit) and, once it exists, the
# native shim's CTest suite. Extra arguments go to `dotnet test` (e.g. --filter "Category=Parity").
# Fixtures: $JUKEBOX_FIXTURES, default ../shared/fixtures beside the repository.
set -euo pipefail
cd "$(dirname "$0")"

dotnet test JukeboxBridge.sln -c "${CONFIGURATION:-Debug}" --nologo "$@"

if [ -f native-shim/CMakeLists.txt ]; then
  cmake -S native-shim -B native-shim/build -DCMAKE_BUILD_TYPE=Release
  cmake --build native-shim/build -j "$(nproc)"
  ctest --test-dir native-shim/build --output-on-failure
fi
