#!/usr/bin/env bash
# A real Keystone (unified limits, flat model) on SQLite for plugfair's quota
# suite, in its own venv with pinned versions (.ci/keystone-constraints.txt).
#
#   .ci/keystone.sh start  -> prints PLUGFAIR_TEST_KEYSTONE_URL=... (and the
#                             admin password as PLUGFAIR_TEST_KEYSTONE_PASSWORD)
#   .ci/keystone.sh stop
#
# Binds 127.0.0.1:$KS_PORT only. Adapted from shared/recipes/keystone.sh.
set -euo pipefail
KS_DIR=${KS_DIR:-/tmp/ks-ci}; KS_PORT=${KS_PORT:-35358}; KS_PW=${KS_PW:-s3cret}
HERE=$(cd "$(dirname "$0")" && pwd)
action=${1:-start}
stop() {
  if [ -f "$KS_DIR/serve.pid" ]; then
    kill "$(cat "$KS_DIR/serve.pid")" 2>/dev/null || true
    rm -f "$KS_DIR/serve.pid"
  fi
}
if [ "$action" = stop ]; then stop; exit 0; fi
stop
PY=${KS_PYTHON:-python3}
rm -rf "$KS_DIR"; mkdir -p "$KS_DIR"
"$PY" -m venv "$KS_DIR/venv"
CONSTRAINTS="$HERE/keystone-constraints.txt"
if [ -f "$CONSTRAINTS" ] && [ -z "${KS_UNPINNED:-}" ]; then
  "$KS_DIR/venv/bin/pip" install -q -c "$CONSTRAINTS" keystone
else
  "$KS_DIR/venv/bin/pip" install -q keystone
fi
cat > "$KS_DIR/keystone.conf" <<CONF
[DEFAULT]
log_file = $KS_DIR/keystone.log
[database]
connection = sqlite:///$KS_DIR/keystone.db
[token]
provider = fernet
[fernet_tokens]
key_repository = $KS_DIR/fernet-keys
[fernet_receipts]
key_repository = $KS_DIR/fernet-keys
[credential]
key_repository = $KS_DIR/credential-keys
[unified_limit]
enforcement_model = flat
[identity]
# a test server: bcrypt's cheapest cost, so that a password check (every
# token Tempest asks for) takes a millisecond rather than a quarter second
password_hash_rounds = 4
CONF
KM="$KS_DIR/venv/bin/keystone-manage --config-file $KS_DIR/keystone.conf"
$KM db_sync >/dev/null 2>&1
$KM fernet_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)" >/dev/null 2>&1
$KM credential_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)" >/dev/null 2>&1
URL="http://127.0.0.1:$KS_PORT/v3"
$KM bootstrap --bootstrap-password "$KS_PW" --bootstrap-region-id RegionOne \
  --bootstrap-admin-url "$URL" --bootstrap-internal-url "$URL" \
  --bootstrap-public-url "$URL" >/dev/null 2>&1
OS_KEYSTONE_CONFIG_FILES="$KS_DIR/keystone.conf" nohup "$KS_DIR/venv/bin/python" -W ignore \
  "$HERE/keystone_serve.py" "$KS_PORT" > "$KS_DIR/serve.out" 2>&1 &
echo $! > "$KS_DIR/serve.pid"
for _ in $(seq 1 160); do curl -sf "$URL" >/dev/null && break; sleep 0.25; done
curl -sf "$URL" >/dev/null || { echo "keystone did not start; see $KS_DIR/serve.out" >&2; exit 1; }
echo "PLUGFAIR_TEST_KEYSTONE_URL=$URL"
echo "PLUGFAIR_TEST_KEYSTONE_PASSWORD=$KS_PW"
