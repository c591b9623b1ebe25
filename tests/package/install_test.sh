#!/usr/bin/env bash
# install_test.sh BUILD_DIR SOURCE_DIR: the installed package works for an
# outside project. Installs BUILD_DIR into a fresh prefix, builds examples/ on
# its own against it with find_package(mmcheck) using g++ and clang++, runs
# lost_update (it must find the lost update: exit 1, "lost update: counter ==
# 1"), and runs the installed mmcheck on an installed scenario.
set -euo pipefail
build="$1"
src="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"

cmake --install "$build" --prefix "$prefix" >/dev/null
test -f "$prefix/include/checker/checker.h"
test -f "$prefix/lib/cmake/mmcheck/mmcheckConfig.cmake"

for cxx in g++ clang++; do
  if ! command -v "$cxx" >/dev/null; then
    echo "install_test: $cxx not found (scripts/setup installs it)" >&2
    exit 1
  fi
  cmake -S "$src/examples" -B "$work/ex-$cxx" -DCMAKE_CXX_COMPILER="$cxx" \
        -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >"$work/log" 2>&1 ||
    { cat "$work/log"; exit 1; }
  cmake --build "$work/ex-$cxx" >"$work/log" 2>&1 || { cat "$work/log"; exit 1; }
  set +e
  out="$("$work/ex-$cxx/lost_update")"
  rc=$?
  set -e
  echo "[$cxx] $out" | head -3
  if [ "$rc" -ne 1 ] || ! grep -q '^verdict: violation' <<<"$out" ||
     ! grep -q '^lost update: counter == 1$' <<<"$out"; then
    echo "install_test: lost_update built with $cxx: exit $rc, expected 1 and the lost update" >&2
    exit 1
  fi
done

# The installed command runs an installed scenario and finds seed 000's race.
set +e
"$prefix/bin/mmcheck" run --expect "$prefix/share/mmcheck/scenarios/ksm/foll-migration-reverted-postcondition.json" \
  >"$work/run.txt" 2>&1
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
  cat "$work/run.txt"
  echo "install_test: installed mmcheck run --expect exited $rc" >&2
  exit 1
fi
# The Debian package from the same build holds the same command and package.
(cd "$build" && cpack -G DEB -B "$work/deb" >"$work/log" 2>&1) || { cat "$work/log"; exit 1; }
deb="$(ls "$work"/deb/mmcheck_*_amd64.deb)"
# (Read whole first: grep -q quitting early would SIGPIPE dpkg-deb under pipefail.)
info="$(dpkg-deb -I "$deb")"
grep -q 'Depends: .*libboost-context' <<<"$info" ||
  { echo "install_test: $(basename "$deb") does not depend on libboost-context" >&2; exit 1; }
dpkg-deb -x "$deb" "$work/debroot"
test -f "$work/debroot/usr/lib/cmake/mmcheck/mmcheckConfig.cmake" ||
  test -n "$(find "$work/debroot/usr/lib" -name mmcheckConfig.cmake)"
"$work/debroot/usr/bin/mmcheck" run --expect \
  "$work/debroot/usr/share/mmcheck/scenarios/ksm/foll-migration-reverted-postcondition.json" >"$work/log" 2>&1 ||
  { cat "$work/log"; echo "install_test: mmcheck from $(basename "$deb") failed" >&2; exit 1; }
echo "install_test: $(basename "$deb") holds a working mmcheck and the CMake package"

echo "install_test: installed package builds with g++ and clang++; installed mmcheck finds seed 000"
