#!/usr/bin/env bash
# examples/make-forwarded.sh - how examples/forwarded.eml was made, with
# vouch alone: example.com signs examples/message.eml; the mailing list
# list.example.org receives it, records what it saw (vouch verify), tags
# the subject, adds a footer, signs it and adds an ARC set. Run from a
# build: VOUCH=build/release/src/cli/vouch examples/make-forwarded.sh
set -euo pipefail
cd "$(dirname "$0")/.."
vouch=${VOUCH:-build/release/src/cli/vouch}
zone=examples/example.zone
sent=1795867200     # 2026-11-28 12:00 UTC, Alice's server
relayed=1795867500  # 12:05, the list
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

$vouch dkim sign --now $sent --domain example.com --selector rsa2026 \
    --key examples/dkim/rsa2026.private examples/message.eml >"$tmp/signed.eml"

# the list's own results, as its ARC-Authentication-Results will carry them
$vouch verify --now $relayed --zone $zone --ip 192.0.2.25 \
    --helo mx1.example.com --mail-from alice@example.com \
    --authserv-id list.example.org --json "$tmp/signed.eml" |
    python3 -c 'import json, sys
ar = json.load(sys.stdin)["authentication_results"]
print(ar.split(";", 1)[1].replace("\r\n\t", " ").strip())' >"$tmp/authres"

sed -e 's/^Subject: /Subject: [team] /' \
    -e 's/^Message-ID: /List-Id: Team <team.list.example.org>\nMessage-ID: /' \
    "$tmp/signed.eml" >"$tmp/listed.eml"
printf -- '-- \nteam mailing list: https://list.example.org/team\n' \
    >>"$tmp/listed.eml"

$vouch dkim sign --now $relayed --domain list.example.org --selector arc2026 \
    --key examples/dkim/list2026.private "$tmp/listed.eml" |
    $vouch arc seal --now $relayed --zone $zone --domain list.example.org \
        --selector arc2026 --key examples/dkim/list2026.private \
        --authserv-id list.example.org --authres "$(cat "$tmp/authres")" - \
        >examples/forwarded.eml
