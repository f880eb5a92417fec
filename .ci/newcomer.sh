#!/usr/bin/env bash
# The README as a newcomer follows it: a fresh clone, a fresh venv, a fresh
# home directory, and every command of the README's ```console blocks,
# literally and in order.  Two commands get a harness, not a change:
#   - the test-suite command is CI's first step, which runs it as written;
#   - 'plugfair dashboard' serves until stopped: it runs in the background
#     until the page answers, then is stopped.
# Prints "newcomer: N commands passed" or the failing command; exit 1 then.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/plugfair-newcomer.XXXXXX")
DASH=""
cleanup() { [ -n "$DASH" ] && kill "$DASH" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
git clone -q "$SRC" "$WORK/plugfair" || exit 1
# On a developer's machine, include uncommitted changes (CI's clone is clean).
(cd "$SRC" && git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} cp --parents {} "$WORK/plugfair/") 2>/dev/null
python -m venv "$WORK/venv" || exit 1
# shellcheck disable=SC1091
. "$WORK/venv/bin/activate"
export HOME="$WORK/home" PIP_DISABLE_PIP_VERSION_CHECK=1
unset PLUGFAIR_CACHE_DIR PLUGFAIR_WORKSPACE XDG_DATA_HOME XDG_CACHE_HOME
mkdir -p "$HOME"
cd "$WORK/plugfair" || exit 1
mapfile -t COMMANDS < <(python - README.md <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
    for line in block.splitlines():
        if line.strip():
            print(line.strip())
PY
)
n=0
for cmd in "${COMMANDS[@]}"; do
  echo "\$ $cmd"
  case "$cmd" in
    *"stestr run"*)
      echo "  (the test suite: CI's first step runs this command as written)"; continue ;;
    "plugfair dashboard"*)
      $cmd >"$WORK/dashboard.log" 2>&1 &
      DASH=$!
      ok=""
      for _ in $(seq 1 100); do
        if curl -sf http://127.0.0.1:8780/ >"$WORK/page.html" 2>/dev/null; then ok=1; break; fi
        sleep 0.2
      done
      kill "$DASH" 2>/dev/null; wait "$DASH" 2>/dev/null; DASH=""
      if [ -z "$ok" ] || ! grep -q "Limit Summary" "$WORK/page.html"; then
        echo "newcomer: '$cmd' did not serve the Limit Summary:"; tail -20 "$WORK/dashboard.log"; exit 1
      fi ;;
    *)
      if ! bash -c "$cmd" >"$WORK/out.log" 2>&1; then
        echo "newcomer: '$cmd' failed:"; tail -30 "$WORK/out.log"; exit 1
      fi ;;
  esac
  n=$((n + 1))
done
echo "newcomer: $n commands passed"
