#!/usr/bin/env bash
# JukeboxBridge in a real DAW: Ardour 7 headless (ardour7-lua, Dummy backend) with a real `jukebox serve`
# (tiny random-weight model). The plugin sits on a track with a recorded clip; the loop range is played
# once so the plugin captures it and (Auto) sends it; the session is exported with the plugin and without
# it; the export must equal the input before the loop end and the daemon's take (fetched independently
# with the jukebox CLI's fetch) from the loop end on, sample-accurately. Phase 3 then previews 3 variations
# (Quality = Preview, Generate), exports variation 2's preview, presses Upsample selected and exports again: the
# export must hold the preview, then the upsample job's take, from the loop end to the sample.
# (The tiny random-weight upsamplers barely listen to the top level: the upsample's take can equal phase 2's,
# so the preview export before it is what shows the plugin switched to the preview and then replaced it.)
#
#   tests/daw/run_ardour_e2e.sh [WORKDIR]
#
# Env: JB_BUILD (the native-shim build folder, default native-shim/build: the bundle and shim-compare-take),
#      JB_JUKEBOX (the daemon; default the C# CLI's Debug build, else its Release build),
#      JB_INSTALL=1 (apt-get install ardour and sox when missing).
# Needs: ardour (7.x: ardour7-lua), sox, g++. Prints PASS/FAIL lines; exit status 1 when a check failed.
# Recipe and Ardour's quirks: ../shared/docs/reference/daw-e2e.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$ROOT/tests/daw"
if [ -n "${1:-}" ]; then mkdir -p "$1"; WORK="$(cd "$1" && pwd)"; else WORK="$(mktemp -d /tmp/jb-ardour-XXXXXX)"; fi
BUILD="${JB_BUILD:-$ROOT/native-shim/build}"
JUKEBOX="${JB_JUKEBOX:-$ROOT/src/JukeboxBridge.Cli/bin/Debug/net10.0/jukebox}"
[ -x "$JUKEBOX" ] || JUKEBOX="$ROOT/src/JukeboxBridge.Cli/bin/Release/net10.0/jukebox"

if [ "${JB_INSTALL:-0}" = 1 ] && ! command -v ardour7-lua >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends ardour sox
fi
for tool in ardour7-lua sox g++; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y ardour sox g++" >&2; exit 2; }
done
[ -f "$BUILD/JukeboxBridge.vst3/Contents/x86_64-linux/JukeboxBridge.so" ] || { echo "no plugin bundle in $BUILD (build native-shim first)" >&2; exit 2; }
[ -x "$BUILD/shim-compare-take" ] || { echo "no $BUILD/shim-compare-take" >&2; exit 2; }
[ -x "$JUKEBOX" ] || { echo "no jukebox daemon at $JUKEBOX (build the C# CLI or set JB_JUKEBOX)" >&2; exit 2; }
echo "work folder $WORK; daemon $JUKEBOX"

# The daemon, isolated in the work folder, on a free loopback port.
PORT=$(( 20000 + RANDOM % 30000 ))
mkdir -p "$WORK/daemon-cfg" "$WORK/daemon-home" "$WORK/jobs"
XDG_CONFIG_HOME="$WORK/daemon-cfg" HOME="$WORK/daemon-home" "$JUKEBOX" serve --endpoint "tcp://127.0.0.1:$PORT" \
  --model tiny --jobs "$WORK/jobs" --keys "$WORK/keys" --curve off > "$WORK/serve.log" 2>&1 &
DAEMON=$!
trap 'kill $DAEMON 2>/dev/null || true; wait $DAEMON 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do [ -s "$WORK/keys/client.json" ] && break; sleep 0.1; done
[ -s "$WORK/keys/client.json" ] || { echo "FAIL the daemon did not start"; cat "$WORK/serve.log"; exit 1; }
export JUKEBOXBRIDGE_CLIENT_FILE="$WORK/keys/client.json"
export JUKEBOXBRIDGE_LOG="$WORK/plugin.log"   # the plugin's network thread logs its session there
export JUKEBOXBRIDGE_TAKES="$WORK/takes"      # where the plugin's Export takes writes

# Ardour's config, scan cache and export preset stay in the work folder.
export XDG_CONFIG_HOME="$WORK/xdg-config" XDG_CACHE_HOME="$WORK/xdg-cache"
mkdir -p "$XDG_CONFIG_HOME/ardour7/export" "$XDG_CACHE_HOME"
cp "$HERE/float-wav.preset" "$XDG_CONFIG_HOME/ardour7/export/"
export JB_PRESET="7c1f4a52-8e3b-4d6a-b0c9-2f5e8a1d3b77"
export JB_VST3_DIR="$BUILD"
g++ -std=c++17 -O2 -fPIC -shared -o "$WORK/ardour_rescan_preload.so" "$HERE/ardour_rescan_preload.cpp"
g++ -std=c++17 -O2 -o "$WORK/bwf-time-reference" "$HERE/bwf_time_reference.cpp" -ldl
export ARDOUR_PROBE_SCAN=full

SESSION="$WORK/session"
# Ardour 7.3's luasession crashes now and then by itself (daw-e2e.md): judge each phase by what it wrote,
# retry up to JB_DAW_TRIES times (default 10; a crash costs about 10 s). The preloaded helper prints the crashing
# thread's stack ("=== luasession crashed"), which so far was always inside Ardour (export graph, session teardown).
# JB_PRELOAD_FIRST: libraries loaded into luasession before the helper (e.g. libasan.so.8 with an ASan plugin build).
lua() { LD_PRELOAD="${JB_PRELOAD_FIRST:+$JB_PRELOAD_FIRST }$WORK/ardour_rescan_preload.so" ardour7-lua "$@" 2>&1 | grep -v "call-slot" || true; }
t0=$(date +%s)
for try in $(seq 1 "${JB_DAW_TRIES:-10}"); do
  rm -rf "$SESSION"
  lua "$HERE/phase1_create.lua" "$SESSION" | tee "$WORK/phase1.out"
  tries1=$try
  grep -q "phase 1 saved" "$WORK/phase1.out" && grep -q 'name="JBLoop"' "$SESSION/jb.ardour" && break
  echo "phase 1 attempt $try failed; retrying" >&2
done
sed -i '/name="JBLoop"/s/flags="IsRangeMarker"/flags="IsAutoLoop"/' "$SESSION/jb.ardour"
cp "$SESSION/jb.ardour" "$WORK/jb.ardour.phase1"
t1=$(date +%s)
for try in $(seq 1 "${JB_DAW_TRIES:-10}"); do
  rm -rf "$SESSION/export"; cp "$WORK/jb.ardour.phase1" "$SESSION/jb.ardour"
  tries2=$try
  lua "$HERE/phase2_loop_export.lua" "$SESSION" | tee "$WORK/phase2.out"
  [ "$(grep -c 'EXPORT .* true' "$WORK/phase2.out")" = 2 ] && break
  echo "phase 2 attempt $try failed; retrying" >&2
done
t2=$(date +%s)
# Phase 3: preview 3 variations, upsample variation 2, export: the full take over its preview from the loop end.
cp "$SESSION/jb.ardour" "$WORK/jb.ardour.phase2"
for try in $(seq 1 "${JB_DAW_TRIES:-10}"); do
  rm -rf "$SESSION/export/with_upsample.wav" "$SESSION/export/with_preview.wav" "$WORK/takes"; cp "$WORK/jb.ardour.phase2" "$SESSION/jb.ardour"
  tries3=$try
  JB_JOBS_DIR="$WORK/jobs/local" JB_TAKES_DIR="$WORK/takes" lua "$HERE/phase3_preview_upsample.lua" "$SESSION" | tee "$WORK/phase3.out"
  grep -q 'EXPORT with_upsample true' "$WORK/phase3.out" && break
  echo "phase 3 attempt $try failed; retrying" >&2
done
t3=$(date +%s)
echo "timing: phase 1 $((t1 - t0)) s, phase 2 (loop, generation, exports) $((t2 - t1)) s, phase 3 (preview, upsample, export) $((t3 - t2)) s; luasession runs: $tries1 + $tries2 + $tries3"

pass=0; fail=0
check() { if eval "$2"; then echo "PASS $1"; pass=$((pass+1)); else echo "FAIL $1"; fail=$((fail+1)); fi; }
check "Ardour discovered the plugin"       "grep -q 'DISCOVERED VST3' '$WORK/phase1.out'"
check "instantiated on a track"            "grep -q 'INSTANTIATED' '$WORK/phase1.out'"
check "reloaded from the saved session"    "grep -q 'RELOADED plugin' '$WORK/phase2.out'"
check "two exports"                        "[ -s '$SESSION/export/with_plugin.wav' ] && [ -s '$SESSION/export/plugin_off.wav' ]"
JOB=$(ls -t "$WORK/jobs/local" 2>/dev/null | head -n 1 || true)
check "the plugin sent the loop to the daemon (job ${JOB:-none})" "[ -n '$JOB' ]"
if [ -n "$JOB" ] && [ -s "$SESSION/export/with_plugin.wav" ]; then
  # The CLI's daemon client: `jukebox fetch JOB --daemon ENDPOINT` (older builds: `jukebox remote fetch JOB`).
  XDG_CONFIG_HOME="$WORK/daemon-cfg" HOME="$WORK/daemon-home" "$JUKEBOX" fetch "$JOB" --out "$WORK/fetched" \
    --daemon "tcp://127.0.0.1:$PORT" --client "$WORK/keys/client.json" > "$WORK/fetch.log" 2>&1 ||
  XDG_CONFIG_HOME="$WORK/daemon-cfg" HOME="$WORK/daemon-home" "$JUKEBOX" remote fetch "$JOB" --out "$WORK/fetched" \
    --client "$WORK/keys/client.json" >> "$WORK/fetch.log" 2>&1 || true
  check "fetched the take from the daemon" "[ -s '$WORK/fetched/continuation-1.wav' ]"
  read -r S0 S1 LOOPEND < <(sed -n 's/^SESSION_RANGE \([0-9]*\) \([0-9]*\) LOOP_END \([0-9]*\)/\1 \2 \3/p' "$WORK/phase2.out" | tail -n 1)
  AT=$(( LOOPEND - S0 ))
  echo "session range $S0..$S1, loop end $LOOPEND (sample $AT of the export)"
  if "$BUILD/shim-compare-take" "$SESSION/export/with_plugin.wav" "$SESSION/export/plugin_off.wav" \
       "$WORK/fetched/continuation-1.wav" "$AT" 48000 | tee "$WORK/compare.out"; then
    check "the exported session audio holds the continuation after the loop end" true
  else
    check "the exported session audio holds the continuation after the loop end" false
  fi
fi
PREVIEW=$(sed -n 's/^PREVIEW_JOB //p' "$WORK/phase3.out" | tail -n 1)
UPSAMPLE=$(sed -n 's/^UPSAMPLE_JOB //p' "$WORK/phase3.out" | tail -n 1)
check "phase 3: a preview of 3 variations (${PREVIEW:-none}) and the upsample of variation 2 (${UPSAMPLE:-none})" "[ -n '$PREVIEW' ] && [ -n '$UPSAMPLE' ]"
if [ -n "$PREVIEW" ] && [ -n "$UPSAMPLE" ] && [ -s "$SESSION/export/with_upsample.wav" ]; then
  for j in "$PREVIEW" "$UPSAMPLE"; do
    XDG_CONFIG_HOME="$WORK/daemon-cfg" HOME="$WORK/daemon-home" "$JUKEBOX" fetch "$j" --out "$WORK/fetched-$j" \
      --daemon "tcp://127.0.0.1:$PORT" --client "$WORK/keys/client.json" >> "$WORK/fetch.log" 2>&1 || true
  done
  check "the preview is a preview of 3 variations" "grep -q '\"quality\": \"Preview\"' '$WORK/jobs/local/$PREVIEW/settings.json' && [ -s '$WORK/fetched-$PREVIEW/continuation-3.wav' ]"
  check "the upsample's source is variation 2 of the preview" "grep -q '\"parent\": \"$PREVIEW\"' '$WORK/jobs/local/$UPSAMPLE/settings.json' && grep -q '\"variation\": 1' '$WORK/jobs/local/$UPSAMPLE/settings.json'"
  read -r S0 S1 LOOPEND < <(sed -n 's/^SESSION_RANGE \([0-9]*\) \([0-9]*\) LOOP_END \([0-9]*\)/\1 \2 \3/p' "$WORK/phase3.out" | tail -n 1)
  AT=$(( LOOPEND - S0 ))
  if "$BUILD/shim-compare-take" "$SESSION/export/with_preview.wav" "$SESSION/export/plugin_off.wav" \
       "$WORK/fetched-$PREVIEW/continuation-2.wav" "$AT" 48000 | tee "$WORK/compare-with-preview.out"; then
    check "before the upsample, the export holds variation 2's preview from the loop end, to the sample" true
  else
    check "before the upsample, the export holds variation 2's preview from the loop end, to the sample" false
  fi
  if "$BUILD/shim-compare-take" "$SESSION/export/with_upsample.wav" "$SESSION/export/plugin_off.wav" \
       "$WORK/fetched-$UPSAMPLE/continuation-1.wav" "$AT" 48000 | tee "$WORK/compare-upsample.out"; then
    check "the export holds the upsampled take of variation 2 from the loop end, to the sample" true
  else
    check "the export holds the upsampled take of variation 2 from the loop end, to the sample" false
  fi
  if "$BUILD/shim-compare-take" "$SESSION/export/with_upsample.wav" "$SESSION/export/plugin_off.wav" \
       "$WORK/fetched-$PREVIEW/continuation-2.wav" "$AT" 48000 > "$WORK/compare-preview.out"; then
    check "after it, not the preview it replaced" false
  else
    check "after it, not the preview it replaced ($(grep 'max |export' "$WORK/compare-preview.out" | sed 's/.*from it: \([^ ]*\).*/diff \1/'))" true
  fi
  # Export takes: the take's BWF time reference, as libsndfile reads it (what Ardour's "import at timestamp" uses),
  # is the loop end, and the file placed there is what Ardour rendered from the loop end, to the sample.
  TAKE=$(sed -n 's/^EXPORTED_TAKE //p' "$WORK/phase3.out" | tail -n 1)
  check "Export takes wrote ${TAKE:-nothing}" "[ -n '$TAKE' ] && [ -s '$TAKE' ]"
  if [ -n "$TAKE" ] && [ -s "$TAKE" ]; then
    "$WORK/bwf-time-reference" "$TAKE" | tee "$WORK/bwf.out"
    check "its BWF time reference (libsndfile) is the loop end ($LOOPEND)" "grep -qx 'TIME_REFERENCE $LOOPEND' '$WORK/bwf.out'"
    check "its description names the job" "grep -q '^DESCRIPTION JukeboxBridge job $UPSAMPLE take 1' '$WORK/bwf.out'"
    if "$BUILD/shim-compare-take" "$SESSION/export/with_upsample.wav" "$SESSION/export/plugin_off.wav" "$TAKE" \
         $(( $(sed -n 's/^TIME_REFERENCE //p' "$WORK/bwf.out") - S0 )) 48000 > "$WORK/compare-exported-take.out"; then
      check "placed at its time reference, the exported take is the export from there, to the sample" true
    else
      cat "$WORK/compare-exported-take.out"
      check "placed at its time reference, the exported take is the export from there, to the sample" false
    fi
    # Phase 4: the take in Ardour at its timestamp (an external source + whole-file region, as an import records them).
    FRAMES=$(sed -n 's/^RATE .* FRAMES //p' "$WORK/bwf.out")
    SC=$(( FRAMES * (282240000 / 48000) ))   # Ardour 7 lengths are superclock ticks (282240000 per second)
    for try in $(seq 1 "${JB_DAW_TRIES:-10}"); do
      cp "$WORK/jb.ardour.phase2" "$SESSION/jb.ardour"
      sed -i "s|  <Sources>|  <Sources>\n    <Source name=\"$TAKE\" type=\"audio\" flags=\"\" id=\"900001\" captured-for=\"\" channel=\"0\" origin=\"$TAKE\" gain=\"1\"/>|" "$SESSION/jb.ardour"
      sed -i "s|  <Regions>|  <Regions>\n    <Region name=\"take-1\" whole-file=\"1\" import=\"1\" external=\"1\" start=\"a0\" length=\"a$SC@a0\" id=\"900002\" type=\"audio\" source-0=\"900001\" master-source-0=\"900001\" channels=\"1\"/>|" "$SESSION/jb.ardour"
      tries4=$try
      JB_TAKE_SOURCE=900001 JB_TAKE_REGION=900002 lua "$HERE/phase4_import_take.lua" "$SESSION" | tee "$WORK/phase4.out"
      grep -q '^IMPORTED at' "$WORK/phase4.out" && break
    done
    echo "phase 4: luasession runs: $tries4"
    check "Ardour reads the take's timestamp as the loop end ($LOOPEND)" "grep -q 'TIMESTAMP $LOOPEND\$' '$WORK/phase4.out'"
    check "imported at its timestamp, the take starts at the loop end, to the sample" "grep -q '^IMPORTED at $LOOPEND length $FRAMES\$' '$WORK/phase4.out'"
    cp "$WORK/jb.ardour.phase2" "$SESSION/jb.ardour"
  fi
fi
[ "$fail" -eq 0 ] || { echo "--- plugin.log"; tail -n 20 "$WORK/plugin.log" 2>/dev/null || true; echo "--- serve.log"; tail -n 20 "$WORK/serve.log"; }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
