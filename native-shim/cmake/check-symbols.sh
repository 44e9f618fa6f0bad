#!/bin/sh
# The plugin .so must export the VST3 entry points and nothing else, and need nothing beyond
# libc/libm/libpthread/libdl (and the dynamic loader): its undefined symbols all come from glibc.
set -eu
SO="$1"
fail=0
needed=$(readelf -d "$SO" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
echo "NEEDED: $needed"
for lib in $needed; do
  case "$lib" in
    libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|ld-linux*.so.*) ;;
    *) echo "FAIL: needs $lib"; fail=1 ;;
  esac
done
# Undefined dynamic symbols must carry a glibc version (GLIBC_x) or be weak (optional).
bad=$(nm -D --undefined-only "$SO" | awk '$1 != "w" && $1 != "v" {print $NF}' | grep -v '@GLIBC_' || true)
if [ -n "$bad" ]; then echo "FAIL: undefined non-libc symbols:"; echo "$bad"; fail=1; fi
echo "undefined symbols: $(nm -D --undefined-only "$SO" | wc -l), all from glibc: $([ -z "$bad" ] && echo yes || echo no)"
exported=$(nm -D --defined-only "$SO" | awk '{print $NF}' | sort | tr '\n' ' ')
echo "exported: $exported"
for sym in GetPluginFactory ModuleEntry ModuleExit; do
  echo "$exported" | grep -qw "$sym" || { echo "FAIL: $sym not exported"; fail=1; }
done
extra=$(nm -D --defined-only "$SO" | awk '{print $NF}' | grep -vwE 'GetPluginFactory|ModuleEntry|ModuleExit' || true)
if [ -n "$extra" ]; then echo "FAIL: exports more than the entry points:"; echo "$extra"; fail=1; fi
[ "$fail" -eq 0 ] && echo "OK: $(stat -c %s "$SO") bytes"
exit $fail
