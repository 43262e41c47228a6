#!/bin/bash
# shoal share new/id: a share's Ed25519 key in the state folder (32-byte
# seed, mode 0600) and its share ID, which Python's cryptography package
# (Debian's python3-cryptography) derives from the same seed; a second
# "new" refuses to replace the key; bad names and missing keys are named.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

# Debian's python3-cryptography is for Debian's own interpreter.
PY=/usr/bin/python3
need "$PY" python3
"$PY" -c 'import cryptography' 2>/dev/null
pass_if "python3-cryptography is installed" $? || done_testing

ST=$T/state
run "$SHOAL" share new builds --state-dir "$ST"
status_is "share new: exit 0" 0
ID=$OUT
printf '%s\n' "$ID" | grep -Eqx '[A-Z2-7]{7}(-[A-Z2-7]{7}){7}'
pass_if "share new: prints a share ID in the node-ID form ($ID)" $?
is "share new: the key is 32 bytes" "$(stat -c %s "$ST/shares/builds.key")" 32
is "share new: the key is private (0600)" \
    "$(stat -c %a "$ST/shares/builds.key")" 600
is "share new: its folder is private (0700)" "$(stat -c %a "$ST/shares")" 700

# The ID is the Ed25519 public key of the seed, in Syncthing's text form:
# 52 base32 characters in four runs of 13, each followed by a check
# character, in groups of seven.
want=$("$PY" - "$ST/shares/builds.key" "$ID" <<'PYEOF'
import base64, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
seed = open(sys.argv[1], "rb").read()
pk = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
    Encoding.Raw, PublicFormat.Raw)
text = sys.argv[2].replace("-", "")
data = "".join(text[i * 14:i * 14 + 13] for i in range(4))
print("same" if base64.b32decode(data + "====") == pk else "different")
PYEOF
)
is "share new: the ID is the seed's Ed25519 public key (per cryptography)" \
    "$want" same

run "$SHOAL" share id builds --state-dir "$ST"
status_is "share id: exit 0" 0
is "share id: prints the same ID" "$OUT" "$ID"

cp "$ST/shares/builds.key" "$T/before"
run "$SHOAL" share new builds --state-dir "$ST"
status_is "share new again: exit 1" 1
is "share new again: says the key exists" "$ERR" \
    "shoal: share builds has a key already ($ST/shares/builds.key); \"shoal share id builds\" prints its ID"
cmp -s "$T/before" "$ST/shares/builds.key"
pass_if "share new again: the key is unchanged" $?

run "$SHOAL" share id nightly --state-dir "$ST"
status_is "share id of an unknown share: exit 1" 1
is "share id of an unknown share: says how to make one" "$ERR" \
    "shoal: $ST/shares/nightly.key: no such share key (\"shoal share new NAME\" makes one)"

run "$SHOAL" share new a/b --state-dir "$ST"
status_is "share new a/b: exit 2" 2
is "share new a/b: names the rule" "$ERR" \
    'shoal: bad share name "a/b": give 1 to 64 bytes, no "/"'
run "$SHOAL" share frob builds --state-dir "$ST"
status_is "share frob: exit 2 (usage)" 2

head -c 31 "$ST/shares/builds.key" >"$ST/shares/short.key"
run "$SHOAL" share id short --state-dir "$ST"
status_is "share id of a truncated key: exit 1" 1
is "share id of a truncated key: says so" "$ERR" \
    "shoal: $ST/shares/short.key: not a share key (it should hold 32 bytes)"

done_testing
