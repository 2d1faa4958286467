#!/usr/bin/env bash
# Compares `sluice dupes` with jdupes, rdfind and rmlint: the same duplicate groups, and wall time,
# CPU time and peak memory of each, on the same trees with a warm page cache.
#
# Usage: bench/dupes-vs-peers.sh [TREE...]      (default: a generated tree, /usr/share, /usr/lib/jvm)
#   RUNS=N       timed rounds per tree (default 5): each round runs every tool once, in an order
#                rotated every round; the table shows the median wall time and in how many
#                rounds sluice was faster than each peer
#   KEEP=DIR     keep each tool's raw and normalised output in DIR (default: a temporary directory)
# Installs jdupes, rdfind and rmlint from Debian (apt-get, as root) when they are missing. Needs
# /usr/bin/time (package `time`) and python3 (to normalise the outputs).
#
# How the groups are compared: every tool's output is read as groups of paths, and each path is
# replaced by its file identity (device:inode), so that tools that print a different one of several
# hard links to the same file still agree. Documented differences, handled by the options below:
# - empty files: none of the four reports them by default (sluice --include-empty, jdupes -z do);
# - hidden files: sluice and rmlint skip them by default; both get --hidden here;
# - hard links: sluice, jdupes and rdfind count the paths of one file once and print one of them;
#   rmlint prints every path, and groups made of one file's hard links alone; so rmlint is
#   compared with `sluice dupes --hardlinks`, which does the same, path for path;
# - symbolic links: none of the four follows them by default.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${RUNS:-5}"
WORK="${KEEP:-$(mktemp -d)}"
mkdir -p "$WORK"

need() { # command package
  command -v "$1" >/dev/null && return
  echo "installing $2 ..." >&2
  if [[ $EUID -ne 0 ]]; then
    echo "$1 is missing and this is not root: apt-get install $2" >&2
    exit 1
  fi
  apt-get install -y -qq --no-install-recommends "$2" >/dev/null ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$2" >/dev/null; }
}
need jdupes jdupes
need rdfind rdfind
need rmlint rmlint
need python3 python3
[[ -x /usr/bin/time ]] || need /usr/bin/time time

# A generated tree with known structure: 4,000 files of random content in 200 directories, sizes
# from 1 byte to 4 MiB; a fifth of them copied once or twice elsewhere; files of equal size and
# other content; equal first and last 4 KiB with another middle; hard links; empty and hidden files.
generate() {
  local tree="$1" d f size i
  rm -rf "$tree"
  for ((d = 0; d < 20; d++)); do mkdir -p "$tree/dir$d"; done
  local sizes=(1 100 4095 4096 4097 8192 8193 10000 65536 100000 1048576 4194304)
  for ((d = 0; d < 200; d++)); do
    mkdir -p "$tree/dir$((d % 20))/sub$d"
    for ((i = 0; i < 20; i++)); do
      f="$tree/dir$((d % 20))/sub$d/file$i"
      size=${sizes[$(((d * 20 + i) % ${#sizes[@]}))]}
      [[ $size -ge 1048576 && $(((d + i) % 8)) -ne 0 ]] && size=$((size / 64)) # few big ones
      head -c "$size" /dev/urandom >"$f"
      if ((i % 5 == 0)); then cp "$f" "$tree/dir$(((d + 7) % 20))/copy-$d-$i"; fi
      if ((i % 10 == 0)); then cp "$f" "$tree/dir$(((d + 3) % 20))/.hidden-$d-$i"; fi
      if ((i % 25 == 3)); then ln "$f" "$tree/dir$(((d + 1) % 20))/link-$d-$i"; fi
    done
  done
  head -c 100000 /dev/urandom >"$tree/middle-a"
  cp "$tree/middle-a" "$tree/middle-b"
  printf 'X' | dd of="$tree/middle-b" bs=1 seek=50000 conv=notrunc status=none
  touch "$tree/empty-1" "$tree/empty-2"
}

# Prints "wall_seconds max_rss_kb user_seconds sys_seconds" of one run of "$@".
measure() {
  local out
  out="$({ /usr/bin/time -f '%e %M %U %S' "$@" 2>&1 >/dev/null || true; } | tail -n 1)"
  echo "$out"
}

# Normalises a tool's output (fdupes-like groups, or rdfind's results.txt) into one line per group:
# the sorted device:inode of its files (--paths: the sorted paths), groups sorted.
normalise() { # kind file [--paths]
  python3 - "$@" <<'PY'
import os, sys
kind, path = sys.argv[1], sys.argv[2]
by_path = len(sys.argv) > 3
data = open(path, 'rb').read()
groups = []
if kind == 'rdfind':
    ids = {}
    for line in data.split(b'\n'):
        if not line or line.startswith(b'#'):
            continue
        parts = line.split(b' ', 7)
        ids.setdefault(abs(int(parts[1])), []).append(parts[7])
    groups = list(ids.values())
else:
    current = []
    for line in data.split(b'\n'):
        if line == b'':
            if current:
                groups.append(current)
            current = []
        else:
            current.append(line)
    if current:
        groups.append(current)
def ident(p):
    if by_path:
        return p.decode('utf-8', 'surrogateescape')
    st = os.lstat(p)
    return '%d:%d' % (st.st_dev, st.st_ino)
lines = sorted(' '.join(sorted(set(ident(p) for p in g))) for g in groups)
sys.stdout.write('\n'.join(lines) + ('\n' if lines else ''))
PY
}

# The four tools, each as a function of (tree, output file). sluice runs through its launcher,
# as a user runs it; exit code 1 (some paths skipped) is not a failure.
SLUICE="$ROOT/sluice"
run_sluice() { "$SLUICE" dupes --hidden --no-progress "$1" >"$2" 2>/dev/null || test $? -le 1; }
run_jdupes() { jdupes -r -q "$1" >"$2"; }
run_rdfind() { rdfind -outputname "$2" -dryrun true "$1" >/dev/null; }
run_rmlint() { rmlint --hidden -T df -o "fdupes:$2" "$1" >/dev/null; }
TOOLS=(sluice jdupes rdfind rmlint)
export SLUICE
export -f run_sluice run_jdupes run_rdfind run_rmlint

# Times every tool on a tree, interleaved: a warm-up run of each (page cache; sluice's build and
# class data), then RUNS rounds that run each tool once, the order rotated every round, so that
# a noisy neighbour slows all tools alike. Sets WALLS_tool, CPUS_tool (user + sys) and RSS_tool
# (the largest, KiB), and WINS_tool: the rounds in which sluice was faster than that tool.
time_tools() { # tree dir
  local tree="$1" dir="$2" r i tool line w m u s
  for tool in "${TOOLS[@]}"; do
    "run_$tool" "$tree" "$dir/$tool.txt" >/dev/null 2>&1 || true
    declare -g -a "WALLS_$tool=()" "CPUS_$tool=()"
    declare -g "RSS_$tool=0" "WINS_$tool=0"
  done
  for ((r = 0; r < RUNS; r++)); do
    declare -A round=()
    for ((i = 0; i < ${#TOOLS[@]}; i++)); do
      tool="${TOOLS[$(((i + r) % ${#TOOLS[@]}))]}"
      line="$(measure bash -c "run_$tool \"\$0\" \"\$1\"" "$tree" "$dir/$tool.txt")"
      read -r w m u s <<<"$line"
      round[$tool]="$w"
      eval "WALLS_$tool+=(\"\$w\")"
      eval "CPUS_$tool+=(\"\$(python3 -c 'import sys; print(\"%.2f\" % (float(sys.argv[1]) + float(sys.argv[2])))' \"\$u\" \"\$s\")\")"
      eval "((m > RSS_$tool)) && RSS_$tool=\$m" || true
    done
    for tool in "${TOOLS[@]:1}"; do
      if python3 -c 'import sys; sys.exit(not float(sys.argv[1]) < float(sys.argv[2]))' \
        "${round[sluice]}" "${round[$tool]}"; then
        eval "((WINS_$tool += 1))"
      fi
    done
  done
}

median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }

# Prints one table row (without the groups columns) of a tool timed by time_tools.
row() { # tree tool
  local walls cpus rss wins
  eval "walls=(\"\${WALLS_$2[@]}\")" "cpus=(\"\${CPUS_$2[@]}\")" "rss=\$RSS_$2" "wins=\$WINS_$2"
  printf '| %s | %s | %s s | %s, %s s | %s s | %d MiB |' "$1" "$2" "$(median "${walls[@]}")" \
    "$(printf '%s\n' "${walls[@]}" | sort -n | head -n 1)" \
    "$(printf '%s\n' "${walls[@]}" | sort -n | tail -n 1)" "$(median "${cpus[@]}")" $((rss / 1024))
  if [[ "$2" == sluice ]]; then
    printf ' - |'
  else
    printf ' %d of %d |' "$wins" "$RUNS"
  fi
}

TREES=("$@")
if [[ ${#TREES[@]} -eq 0 ]]; then
  echo "generating $WORK/generated ..." >&2
  generate "$WORK/generated"
  TREES=("$WORK/generated" /usr/share /usr/lib/jvm)
fi

"$SLUICE" --version >/dev/null # builds if needed
echo "machine: $(nproc) cores, $(uname -r); $(jdupes -v 2>&1 | head -n 1); rdfind $(rdfind -v 2>&1 | head -n 1 | sed 's/.* //'); rmlint $(rmlint --version 2>&1 | head -n 1 | awk '{print $2}'); $("$SLUICE" --version | head -n 1); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "| tree | tool | wall (median of $RUNS) | wall min, max | CPU user+sys (median) | peak RSS | rounds sluice was faster | groups | same groups as sluice |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
status=0
for tree in "${TREES[@]}"; do
  [[ -d "$tree" ]] || { echo "no such directory: $tree" >&2; continue; }
  t="$WORK/$(echo "$tree" | tr '/' '_')"
  mkdir -p "$t"
  time_tools "$tree" "$t"
  run_sluice "$tree" "$t/sluice.txt" || true
  "$SLUICE" dupes --hidden --hardlinks --no-progress "$tree" >"$t/sluice-H.txt" 2>/dev/null || true
  normalise fdupes "$t/sluice.txt" >"$t/sluice.norm"
  normalise fdupes "$t/sluice-H.txt" --paths >"$t/sluice-H.norm"
  echo "$(row "$tree" sluice) $(wc -l <"$t/sluice.norm") | (reference) |"

  normalise fdupes "$t/jdupes.txt" >"$t/jdupes.norm"
  same="$(cmp -s "$t/sluice.norm" "$t/jdupes.norm" && echo yes || echo "NO (diff $t/{sluice,jdupes}.norm)")"
  [[ "$same" == yes ]] || status=1
  echo "$(row "$tree" jdupes) $(wc -l <"$t/jdupes.norm") | $same |"

  normalise rdfind "$t/rdfind.txt" >"$t/rdfind.norm"
  same="$(cmp -s "$t/sluice.norm" "$t/rdfind.norm" && echo yes || echo "NO (diff $t/{sluice,rdfind}.norm)")"
  [[ "$same" == yes ]] || status=1
  echo "$(row "$tree" rdfind) $(wc -l <"$t/rdfind.norm") | $same |"

  normalise fdupes "$t/rmlint.txt" --paths >"$t/rmlint.norm"
  same="$(cmp -s "$t/sluice-H.norm" "$t/rmlint.norm" && echo "yes (with --hardlinks)" ||
    echo "NO (diff $t/{sluice-H,rmlint}.norm)")"
  [[ "$same" == yes* ]] || status=1
  echo "$(row "$tree" rmlint) $(wc -l <"$t/rmlint.norm") | $same |"
done
echo
echo "outputs in $WORK"
exit "$status"
