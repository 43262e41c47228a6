#!/bin/bash
# Node identity from the command line: "shoal init" makes a key and a
# certificate with the right modes and a starter config, "shoal id"
# repeats the ID it printed, and "shoal ca init" / "shoal ca sign" issue
# certificates that OpenSSL verifies under the CA, for the node's own key.
# The node ID is checked against one computed here from the certificate
# with openssl and Python, independently of shoal.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

need openssl openssl
need "$PY" python3

# No test may touch the real home folder.
HOME=$T/home
export HOME
unset XDG_STATE_HOME XDG_CONFIG_HOME

# expect DESC STATUS STDERR CMD...: the command exits STATUS, prints
# exactly STDERR on stderr and nothing on stdout. One test point.
expect() {
	local desc=$1 status=$2 want=$3
	shift 3
	run "$@"
	if [ "$RC" -eq "$status" ] && [ "$ERR" = "$want" ] && [ -z "$OUT" ]
	then
		ok "$desc"
		return 0
	fi
	not_ok "$desc"
	diag "command: $*"
	diag "want exit status $status and stderr:"
	diag "  $want"
	show_run
	return 1
}

# mode FILE: its permission bits in octal.
mode() {
	stat -c %a "$1"
}

# node_id CERT: the node ID of a certificate, from first principles:
# SHA-256 of its SubjectPublicKeyInfo in DER, base32, a Luhn-32 check
# character after each 13 characters (Syncthing's variant), groups of 7.
node_id() {
	openssl x509 -in "$1" -noout -pubkey |
	    openssl pkey -pubin -outform DER >"$T/spki.der" || return 1
	"$PY" - "$T/spki.der" <<'EOF'
import base64, hashlib, sys
A = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
def luhn32(s):
    factor, total = 1, 0
    for c in s:
        addend = factor * A.index(c)
        factor = 2 if factor == 1 else 1
        total += addend // 32 + addend % 32
    return A[(32 - total % 32) % 32]
b = base64.b32encode(hashlib.sha256(open(sys.argv[1], "rb").read()).digest())
b = b.decode().rstrip("=")
s = "".join(b[i:i + 13] + luhn32(b[i:i + 13]) for i in range(0, 52, 13))
print("-".join(s[i:i + 7] for i in range(0, 56, 7)))
EOF
}

# pubkey CERT: the PEM public key of a certificate.
pubkey() {
	openssl x509 -in "$1" -noout -pubkey
}

# san CERT: the certificate's subjectAltName line, from openssl's text.
san() {
	openssl x509 -in "$1" -noout -text |
	    sed -n '/X509v3 Subject Alternative Name/{n;s/^ *//;p;}'
}

# ---- shoal init ----
S=$T/state
C=$T/conf/shoal.conf
run "$SHOAL" init --state-dir "$S" --name alpha -c "$C"
status_is "init: exit 0" 0
ID=$OUT
if [[ $ID =~ ^[A-Z2-7]{7}(-[A-Z2-7]{7}){7}$ ]]; then
	ok "init prints one node ID, eight groups of seven"
else
	not_ok "init prints one node ID, eight groups of seven"
	show_run
fi
like "init names the key on stderr" "$ERR" "private key: $S/node.key"
like "init names the certificate on stderr" "$ERR" \
    "certificate: $S/node.crt"
like "init names the config on stderr" "$ERR" "config:      $C"
is "node.key has mode 0600" "$(mode "$S/node.key")" 600
is "node.crt has mode 0644" "$(mode "$S/node.crt")" 644
is "the state folder has mode 0700" "$(mode "$S")" 700
is "no temporary files are left" \
    "$(cd "$S" && find . -mindepth 1 | sort | tr '\n' ' ')" \
    "./node.crt ./node.key "
is "the key is PKCS#8 PEM" "$(head -n 1 "$S/node.key")" \
    "-----BEGIN PRIVATE KEY-----"
check "openssl reads the key" openssl pkey -in "$S/node.key" -check -noout
like "the key is ECDSA P-256" \
    "$(openssl pkey -in "$S/node.key" -noout -text 2>&1)" "NIST CURVE: P-256"
is "the certificate's subject is CN = alpha" \
    "$(openssl x509 -in "$S/node.crt" -noout -subject)" "subject=CN = alpha"
is "the certificate's SAN is DNS:*" "$(san "$S/node.crt")" "DNS:*"
like "the certificate is not a CA" \
    "$(openssl x509 -in "$S/node.crt" -noout -text)" "CA:FALSE"
unlike "the certificate has no extended key usage" \
    "$(openssl x509 -in "$S/node.crt" -noout -text)" "Extended Key Usage"
check "the certificate verifies as self-signed" \
    openssl verify -x509_strict -CAfile "$S/node.crt" "$S/node.crt"
is "the node ID is SHA-256 of the public key, in Syncthing's form" \
    "$(node_id "$S/node.crt")" "$ID"

# The starter config.
is "the config has mode 0644" "$(mode "$C")" 644
CONF=$(cat "$C" 2>/dev/null)
like "the config has a [node] section" "$CONF" "[node]"
like "the config names the node" "$CONF" "name = alpha"
like "the config names the state folder" "$CONF" \
    "state_dir = $(cd "$S" && pwd -P)"
like "the config has a commented example share" "$CONF" \
    "#[share \"builds\"]"
like "the example share sends" "$CONF" "#mode = send"
like "the example share allows a node" "$CONF" "#allow = "
is "every line is a comment, a section, a key or blank" \
    "$(grep -Evc '^(#.*|\[node\]|[a-z_]+ = .*|)$' "$C")" 0

# ---- shoal id ----
run "$SHOAL" id --state-dir "$S"
status_is "id: exit 0" 0
is "id repeats the ID init printed" "$OUT" "$ID"
is "id prints nothing on stderr" "$ERR" ""
run "$SHOAL" id --state-dir "$S" --short
status_is "id --short: exit 0" 0
is "id --short prints the first group" "$OUT" "${ID%%-*}"
expect "id without an identity: exit 1, says to run init" 1 \
    "shoal: no identity in $T/nowhere: run shoal init" \
    "$SHOAL" id --state-dir "$T/nowhere"

# ---- init refuses to replace an identity ----
cp "$S/node.key" "$T/key.before"
run "$SHOAL" init --state-dir "$S" --name other -c "$T/conf2"
status_is "init twice: exit 1" 1
like "init twice: names the existing key" "$ERR" "$S/node.key"
is "init twice: prints no ID" "$OUT" ""
cmp -s "$S/node.key" "$T/key.before"
pass_if "init twice: the key is unchanged" $?
test ! -e "$T/conf2"
pass_if "init twice: writes no config" $?
run "$SHOAL" id --state-dir "$S"
is "init twice: id still prints the first ID" "$OUT" "$ID"

# ---- defaults: XDG folders, then HOME ----
run "$SHOAL" init --name beta
status_is "init with no options: exit 0" 0
ID2=$OUT
test -f "$HOME/.local/state/shoal/node.key" &&
    test -f "$HOME/.local/state/shoal/node.crt"
pass_if "init defaults to ~/.local/state/shoal" $?
is "the default state folder has mode 0700" \
    "$(mode "$HOME/.local/state/shoal")" 700
like "init defaults to ~/.config/shoal/shoal.conf" \
    "$(cat "$HOME/.config/shoal/shoal.conf" 2>/dev/null)" "name = beta"
run "$SHOAL" id
is "id defaults to ~/.local/state/shoal" "$OUT" "$ID2"
[ "$ID" != "$ID2" ]
pass_if "two nodes, two IDs" $?

XDG_STATE_HOME=$T/xdg-state XDG_CONFIG_HOME=$T/xdg-config \
    run "$SHOAL" init --name gamma
status_is "init under XDG_STATE_HOME: exit 0" 0
ID3=$OUT
test -f "$T/xdg-state/shoal/node.key"
pass_if "init uses XDG_STATE_HOME" $?
like "init uses XDG_CONFIG_HOME" \
    "$(cat "$T/xdg-config/shoal/shoal.conf" 2>/dev/null)" "name = gamma"
XDG_STATE_HOME=$T/xdg-state run "$SHOAL" id
is "id uses XDG_STATE_HOME" "$OUT" "$ID3"
XDG_STATE_HOME=relative/path run "$SHOAL" id
is "a relative XDG_STATE_HOME is ignored, as the XDG spec says" \
    "$OUT" "$ID2"

# An existing config is left alone.
printf '[node]\nname = mine\n' >"$T/mine.conf"
run "$SHOAL" init --state-dir "$T/state4" -c "$T/mine.conf"
status_is "init with an existing config: exit 0" 0
is "init leaves an existing config as it was" "$(cat "$T/mine.conf")" \
    "$(printf '[node]\nname = mine')"
like "init says it left the config alone" "$ERR" \
    "config:      $T/mine.conf (already there, left as it was)"

# The host name is the default node name.
like "the default name is the host name" \
    "$(openssl x509 -in "$T/state4/node.crt" -noout -subject)" \
    "CN = $(hostname)"

# ---- bad command lines and bad files ----
INIT_USAGE='usage: shoal init [--state-dir DIR] [--name NAME] [-c FILE]'
ID_USAGE='usage: shoal id [--state-dir DIR] [--short]'
expect "init with an argument: exit 2 and the usage" 2 "$INIT_USAGE" \
    "$SHOAL" init --state-dir "$T/state5" extra
run "$SHOAL" id --bogus
status_is "id with an unknown option: exit 2" 2
like "id with an unknown option: the usage" "$ERR" "$ID_USAGE"
run "$SHOAL" init --help
status_is "init --help: exit 0" 0
is "init --help: the usage on stdout" "$OUT" "$INIT_USAGE"
expect "init with an empty name: exit 1, says so" 1 \
    "shoal: a node or CA name cannot be empty" \
    "$SHOAL" init --state-dir "$T/state5" --name ""
test ! -e "$T/state5/node.key"
pass_if "init with a bad name writes no key" $?
touch "$T/file"
run "$SHOAL" init --state-dir "$T/file/sub" -c "$T/c6"
status_is "init under a file: exit 1" 1
like "init under a file: names the folder" "$ERR" \
    "shoal: cannot make the folder $T/file/sub: Not a directory"
mkdir -p "$T/bad"
printf 'not a key\n' >"$T/bad/node.key"
cp "$S/node.crt" "$T/bad/node.crt"
expect "id with a garbage key: exit 1, names the file" 1 \
    "shoal: $T/bad/node.key: not a PEM private key" \
    "$SHOAL" id --state-dir "$T/bad"
cp "$HOME/.local/state/shoal/node.key" "$T/bad/node.key"
expect "id with another node's key: exit 1, names both files" 1 \
    "shoal: $T/bad/node.key: the private key does not match the certificate $T/bad/node.crt" \
    "$SHOAL" id --state-dir "$T/bad"

# ---- shoal ca init ----
CA=$T/ca
run "$SHOAL" ca init "$CA" --name "Test CA"
status_is "ca init: exit 0" 0
is "ca init prints the CA certificate's path" "$OUT" "$CA/ca.crt"
is "ca.key has mode 0600" "$(mode "$CA/ca.key")" 600
is "ca.crt has mode 0644" "$(mode "$CA/ca.crt")" 644
is "the CA folder has mode 0700" "$(mode "$CA")" 700
CATEXT=$(openssl x509 -in "$CA/ca.crt" -noout -text)
like "the CA is named" "$CATEXT" "Subject: CN = Test CA"
like "the CA has CA:TRUE, critical" "$CATEXT" \
    "$(printf 'X509v3 Basic Constraints: critical\n                CA:TRUE')"
like "the CA may sign certificates" "$CATEXT" "Certificate Sign, CRL Sign"
cp "$CA/ca.key" "$T/ca.key.before"
expect "ca init twice: exit 1, names the key" 1 \
    "shoal: there is already a CA in $CA: $CA/ca.key exists" \
    "$SHOAL" ca init "$CA"
cmp -s "$CA/ca.key" "$T/ca.key.before"
pass_if "ca init twice: the CA key is unchanged" $?
run "$SHOAL" ca init "$T/ca2"
status_is "a second CA: exit 0" 0

# ---- shoal ca sign ----
run "$SHOAL" ca sign --ca "$CA" "$S/node.crt" -o "$T/signed.crt"
status_is "ca sign: exit 0" 0
is "ca sign -o prints nothing on stdout" "$OUT" ""
like "ca sign prints the node ID on stderr" "$ERR" "node ID: $ID"
is "the signed certificate has mode 0644" "$(mode "$T/signed.crt")" 644
run openssl verify -CAfile "$CA/ca.crt" "$T/signed.crt"
is "openssl verify accepts the signed certificate" "$OUT" \
    "$T/signed.crt: OK"
check "openssl verify -x509_strict accepts it for TLS clients" \
    openssl verify -x509_strict -purpose sslclient -CAfile "$CA/ca.crt" \
    "$T/signed.crt"
check "and for TLS servers" \
    openssl verify -x509_strict -purpose sslserver -CAfile "$CA/ca.crt" \
    "$T/signed.crt"
run openssl verify -CAfile "$CA/ca.crt" "$S/node.crt"
[ "$RC" -ne 0 ]
pass_if "openssl verify refuses the self-signed certificate under the CA" $?
run openssl verify -CAfile "$T/ca2/ca.crt" "$T/signed.crt"
[ "$RC" -ne 0 ]
pass_if "openssl verify refuses the signed certificate under another CA" $?
is "the signed certificate has node.crt's public key" \
    "$(pubkey "$T/signed.crt")" "$(pubkey "$S/node.crt")"
is "so its node ID is the node's" "$(node_id "$T/signed.crt")" "$ID"
is "its SAN is DNS:* by default" "$(san "$T/signed.crt")" "DNS:*"
is "its subject is the node's" \
    "$(openssl x509 -in "$T/signed.crt" -noout -subject)" \
    "subject=CN = alpha"
is "its issuer is the CA" \
    "$(openssl x509 -in "$T/signed.crt" -noout -issuer)" \
    "issuer=CN = Test CA"
unlike "it has no extended key usage" \
    "$(openssl x509 -in "$T/signed.crt" -noout -text)" "Extended Key Usage"

# Names, days, stdout.
run "$SHOAL" ca sign --ca "$CA" --name share --name "other share" \
    --days 10 "$S/node.crt"
status_is "ca sign --name --name --days to stdout: exit 0" 0
printf '%s\n' "$OUT" >"$T/named.crt"
like "the certificate goes to stdout" "$OUT" "-----BEGIN CERTIFICATE-----"
like "the node ID goes to stderr" "$ERR" "node ID: $ID"
is "the SAN holds the names given, and no *" "$(san "$T/named.crt")" \
    "DNS:share, DNS:other share"
check "openssl verify accepts it" \
    openssl verify -CAfile "$CA/ca.crt" "$T/named.crt"
check "--days 10: valid for more than 9 days" \
    openssl x509 -in "$T/named.crt" -noout -checkend $((9 * 86400))
run openssl x509 -in "$T/named.crt" -noout -checkend $((11 * 86400))
[ "$RC" -ne 0 ]
pass_if "--days 10: not valid for 11 days" $?

# Signing the signed certificate again keeps the ID too.
run "$SHOAL" ca sign --ca "$T/ca2" "$T/signed.crt" -o "$T/resigned.crt"
status_is "re-signing a CA-signed certificate with another CA: exit 0" 0
is "and the node ID stays" "$(node_id "$T/resigned.crt")" "$ID"

# A node can use its signed certificate as node.crt.
cp "$T/signed.crt" "$S/node.crt"
run "$SHOAL" id --state-dir "$S"
status_is "id with the CA-signed node.crt: exit 0" 0
is "id with the CA-signed node.crt: the same ID" "$OUT" "$ID"

SIGN_USAGE='usage: shoal ca sign --ca DIR CERT.pem [-o OUT.crt] [--name NAME]... [--days N]'
expect "ca sign without --ca: exit 2 and the usage" 2 "$SIGN_USAGE" \
    "$SHOAL" ca sign "$S/node.crt"
expect "ca sign without a certificate: exit 2 and the usage" 2 \
    "$SIGN_USAGE" "$SHOAL" ca sign --ca "$CA"
for d in 0 -1 x 10x 36526 ""; do
	expect "ca sign --days '$d': exit 2, names the value" 2 \
	    "shoal: bad number of days \"$d\": give 1 to 36525" \
	    "$SHOAL" ca sign --ca "$CA" --days "$d" "$S/node.crt"
done
expect "ca sign --name '': exit 2, says so" 2 \
    "shoal: a certificate name cannot be empty" \
    "$SHOAL" ca sign --ca "$CA" --name "" "$S/node.crt"
expect "ca sign with a missing CA: exit 1, says so" 1 \
    "shoal: no CA in $T/noca: run shoal ca init $T/noca" \
    "$SHOAL" ca sign --ca "$T/noca" "$S/node.crt"
expect "ca sign of a missing certificate: exit 1, names it" 1 \
    "shoal: $T/nope.crt: No such file or directory" \
    "$SHOAL" ca sign --ca "$CA" "$T/nope.crt"
expect "ca sign of a key instead of a certificate: exit 1, names it" 1 \
    "shoal: $S/node.key: not a PEM certificate" \
    "$SHOAL" ca sign --ca "$CA" "$S/node.key"
CA_USAGE='usage: shoal ca init DIR [--name NAME] | sign --ca DIR CERT.pem [-o OUT.crt] [--name NAME]... [--days N]'
expect "ca alone: exit 2 and the usage" 2 "$CA_USAGE" "$SHOAL" ca
expect "ca with an unknown verb: exit 2, names it" 2 \
    "$(printf 'shoal: unknown ca command "frob": use init or sign\n%s' \
    "$CA_USAGE")" "$SHOAL" ca frob
expect "ca init without a folder: exit 2 and the usage" 2 \
    'usage: shoal ca init DIR [--name NAME]' "$SHOAL" ca init

done_testing
