#!/usr/bin/env bash
# Append the [identity] section the identity plugin's API tests need to a
# plugfair.conf (by default the workspace's), for the Keystone that
# .ci/keystone.sh started.
#
#   eval "$(.ci/keystone.sh start)"      # sets PLUGFAIR_TEST_KEYSTONE_URL/_PASSWORD
#   plugfair workspace init "$WS"
#   .ci/identity-conf.sh "$WS/plugfair.conf"
#   plugfair run --workspace "$WS" --plugin identity
#
# Without PLUGFAIR_TEST_KEYSTONE_URL it writes nothing, and the identity API
# tests skip with the reason "[identity] is not configured".
set -euo pipefail
CONF=${1:?usage: $0 PATH/TO/plugfair.conf}
URL=${PLUGFAIR_TEST_KEYSTONE_URL:-}
if [ -z "$URL" ]; then
  echo "PLUGFAIR_TEST_KEYSTONE_URL is not set: [identity] left unconfigured" >&2
  exit 0
fi
if grep -q '^\[identity\]' "$CONF" 2>/dev/null; then
  echo "$CONF already has an [identity] section; not changing it" >&2
  exit 0
fi
cat >> "$CONF" <<CONF

[identity]
auth_url = $URL
username = ${PLUGFAIR_TEST_KEYSTONE_USER:-admin}
password = ${PLUGFAIR_TEST_KEYSTONE_PASSWORD:-s3cret}
project_name = ${PLUGFAIR_TEST_KEYSTONE_PROJECT:-admin}
user_domain_name = Default
project_domain_name = Default
region_name = ${PLUGFAIR_TEST_KEYSTONE_REGION:-RegionOne}
CONF
echo "wrote [identity] ($URL) to $CONF"
