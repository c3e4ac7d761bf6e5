# DNS: Knot serves lab.test and 127.in-addr.arpa, DNSSEC-signed; Unbound validates with the
# lab's own trust anchor (the DS records of both zones) and is the resolver tests use.

txt_split() { # long text -> "..." "..." strings of at most 255 octets (RFC 1035 §3.3.14)
  local s=$1 out=""
  while [ ${#s} -gt 0 ]; do out+="\"${s:0:255}\" "; s=${s:255}; done
  printf '%s' "$out"
}

lab_dkim_key() {
  mkdir -p "$S/dkim"
  [ -s "$S/dkim/good.sel1.key" ] || openssl genrsa -out "$S/dkim/good.sel1.key" 2048 2>/dev/null
  openssl rsa -in "$S/dkim/good.sel1.key" -pubout -outform DER 2>/dev/null | base64 -w0
}

lab_zone_lab_test() {
  local good_tlsa broken_tlsa dkim
  good_tlsa=$(tlsa_311 "$S/ca/good.crt")
  # A TLSA record that does not match what mx-real.broken.lab.test presents: it names the good key.
  broken_tlsa=$good_tlsa
  dkim=$(lab_dkim_key)
  cat <<ZONE
\$ORIGIN lab.test.
\$TTL 300
@                 SOA   ns1.lab.test. hostmaster.lab.test. 1 3600 600 86400 300
@                 NS    ns1.lab.test.
ns1               A     $AUTH_ADDR

; ---- good.lab.test: everything right
good              MX    10 mx1.good.lab.test.
good              MX    20 mx2.good.lab.test.
mx1.good          A     $GOOD_MX1
mx2.good          A     $GOOD_MX2
mail.good         CNAME mx1.good.lab.test.
good              TXT   "v=spf1 ip4:127.0.20.0/24 -all"
sel1._domainkey.good TXT $(txt_split "v=DKIM1; k=rsa; p=$dkim")
_dmarc.good       TXT   "v=DMARC1; p=reject; sp=reject; adkim=s; aspf=s; rua=mailto:dmarc-reports@good.lab.test"
_mta-sts.good     TXT   "v=STSv1; id=20261129T000000;"
mta-sts.good      A     $WEB_ADDR
_smtp._tls.good   TXT   "v=TLSRPTv1; rua=mailto:tls-reports@good.lab.test"
_25._tcp.mx1.good TLSA  3 1 1 $good_tlsa
_25._tcp.mx2.good TLSA  3 1 1 $good_tlsa
_submission._tcp.good  SRV 0 1 587 mx1.good.lab.test.
_submissions._tcp.good SRV 0 1 465 mx1.good.lab.test.
_imap._tcp.good   SRV   10 1 143 mx1.good.lab.test.
_imaps._tcp.good  SRV   0 1 993 mx1.good.lab.test.
_pop3._tcp.good   SRV   20 1 110 mx1.good.lab.test.
_pop3s._tcp.good  SRV   10 1 995 mx1.good.lab.test.
autoconfig.good   A     $WEB_ADDR
autodiscover.good A     $WEB_ADDR
good              CAA   0 issue "lab-ca.lab.test"

; ---- weak.lab.test: works, but weakly (no PTR for its address)
weak              MX    10 mx.weak.lab.test.
mx.weak           A     $WEAK_MX
weak              TXT   "v=spf1 a:mx.weak.lab.test ~all"
_dmarc.weak       TXT   "v=DMARC1; p=none"

; ---- broken.lab.test: one of everything wrong
broken            MX    10 mx-alias.broken.lab.test.
broken            MX    20 mx-missing.broken.lab.test.
broken            MX    30 mx-dropped.broken.lab.test.
broken            MX    40 mx-closed.broken.lab.test.
broken            MX    50 relay.broken.lab.test.
mx-alias.broken   CNAME mx-real.broken.lab.test.
mx-real.broken    A     $BROKEN_REAL
mx-dropped.broken A     $BROKEN_DROPPED
mx-closed.broken  A     $BROKEN_CLOSED
relay.broken      A     $BROKEN_RELAY
_25._tcp.mx-real.broken TLSA 3 1 1 $broken_tlsa
_dmarc.broken     TXT   "v=DMARC1; p=rejectt; pct=150; rua=dmarc-reports.broken.lab.test"
_mta-sts.broken   TXT   "v=STSv1; id=20261129T000000;"
mta-sts.broken    A     $WEB_ADDR
; SPF needing more than 10 DNS lookups (RFC 7208 §4.6.4): 2 includes + 5 + 5 terms = 12.
broken            TXT   "v=spf1 include:_spf1.broken.lab.test include:_spf2.broken.lab.test -all"
_spf1.broken      TXT   "v=spf1 a mx a:h1.broken.lab.test a:h2.broken.lab.test a:h3.broken.lab.test ~all"
_spf2.broken      TXT   "v=spf1 a:h4.broken.lab.test a:h5.broken.lab.test a:h6.broken.lab.test mx:lab.test a:h7.broken.lab.test ~all"
h1.broken         A     127.0.40.11
h2.broken         A     127.0.40.12
h3.broken         A     127.0.40.13
h4.broken         A     127.0.40.14
h5.broken         A     127.0.40.15
h6.broken         A     127.0.40.16
h7.broken         A     127.0.40.17

; ---- nullmx.lab.test: accepts no mail (RFC 7505)
nullmx            MX    0 .
nullmx            TXT   "v=spf1 -all"
nullmx            A     127.0.50.1

; ---- names for the DNS benchmark: any label under bench.lab.test answers
*.bench           A     127.0.99.1

; ---- bl.lab.test: a DNSBL (RFC 5782) for \`mxray dnsbl\`. It lists broken's real MX, answers
; weak's address with a refusal code (as Spamhaus does for queries through public resolvers,
; 127.255.255.254), and carries the RFC 5782 §5 test entries (127.0.0.2 listed, 127.0.0.1 not).
2.0.0.127.bl      A     127.0.0.2
2.0.0.127.bl      TXT   "RFC 5782 test entry"
1.40.0.127.bl     A     127.0.0.2
1.40.0.127.bl     TXT   "Listed by the mxray lab: mx-real.broken.lab.test (open relay neighbour)"
1.30.0.127.bl     A     127.255.255.254
; dead.bl.lab.test: a list whose only server never answers (nothing listens on $DEAD_DNS_ADDR)
dead.bl           NS    ns.dead.bl.lab.test.
ns.dead.bl        A     $DEAD_DNS_ADDR
ZONE
}

lab_zone_reverse() {
  cat <<ZONE
\$ORIGIN 127.in-addr.arpa.
\$TTL 300
@                 SOA   ns1.lab.test. hostmaster.lab.test. 1 3600 600 86400 300
@                 NS    ns1.lab.test.
1.0.0             PTR   localhost.
53.10.0           PTR   ns1.lab.test.
1.20.0            PTR   mx1.good.lab.test.
2.20.0            PTR   mx2.good.lab.test.
; 127.0.30.1 (weak) deliberately has no PTR
1.40.0            PTR   mx-real.broken.lab.test.
2.40.0            PTR   mx-dropped.broken.lab.test.
3.40.0            PTR   mx-closed.broken.lab.test.
; relay.broken's PTR names a host whose A record does not point back (FCrDNS failure)
4.40.0            PTR   relay.elsewhere.broken.lab.test.
ZONE
}

lab_knot_conf() {
  cat <<CONF
server:
    rundir: "$S/knot/run"
    user: root:root
    pidfile: "$S/run/knot.pid"
    listen: $AUTH_ADDR@53
log:
  - target: "$S/log/knot.log"
    any: info
database:
    storage: "$S/knot/db"
policy:
  - id: lab
    algorithm: ecdsap256sha256
    ksk-lifetime: 0
    zsk-lifetime: 0
    nsec3: off
template:
  - id: default
    storage: "$S/knot/zones"
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: difference-no-serial
    journal-content: all
    serial-policy: unixtime
    dnssec-signing: on
    dnssec-policy: lab
zone:
  - domain: lab.test
  - domain: 127.in-addr.arpa
CONF
}

lab_unbound_conf() {
  cat <<CONF
server:
    interface: $RESOLVER_ADDR
    port: 53
    do-ip6: no
    access-control: 127.0.0.0/8 allow
    username: ""
    chroot: ""
    directory: "$S/unbound"
    pidfile: "$S/run/unbound.pid"
    logfile: "$S/log/unbound.log"
    use-syslog: no
    verbosity: 1
    num-threads: 1
    so-reuseport: no
    module-config: "validator iterator"
    trust-anchor-file: "$S/unbound/lab.anchor"
    # Lab only: our authoritative server is on loopback, and nothing may leave the lab.
    do-not-query-localhost: no
    local-zone: "." refuse
    local-zone: "test." nodefault
    local-zone: "127.in-addr.arpa." nodefault
    # The stub zones must sit in a transparent local zone, or "." refuse answers for them.
    local-zone: "lab.test." transparent
    local-zone: "127.in-addr.arpa." transparent
    qname-minimisation: no
    val-log-level: 2
    cache-max-ttl: 300
stub-zone:
    name: "lab.test"
    stub-addr: $AUTH_ADDR
stub-zone:
    name: "127.in-addr.arpa"
    stub-addr: $AUTH_ADDR
CONF
}

# The "inside" resolver of the split-horizon scenario: a second Unbound like the main one, except
# that mx1.good.lab.test resolves to $INSIDE_MX1 (an intranet address); mxray split shows it.
INSIDE_RESOLVER_ADDR=127.0.10.55
INSIDE_MX1=127.0.20.9
DEAD_DNS_ADDR=127.0.10.59   # nothing listens here: the dead DNSBL's name server

lab_unbound_inside_conf() {
  lab_unbound_conf | sed -e "s|interface: $RESOLVER_ADDR|interface: $INSIDE_RESOLVER_ADDR|" \
    -e "s|$S/run/unbound.pid|$S/run/unbound-inside.pid|" -e "s|$S/log/unbound.log|$S/log/unbound-inside.log|" \
    -e "s|directory: \"$S/unbound\"|directory: \"$S/unbound-inside\"|" \
    -e "s|^server:\$|server:\\n    local-zone: \"mx1.good.lab.test.\" static\\n    local-data: \"mx1.good.lab.test. 300 IN A $INSIDE_MX1\"|"
}

lab_unbound_inside_up() { # ZONES_CHANGED(0|1); after the main Unbound: same trust anchor file
  mkdir -p "$S/unbound-inside"
  if lab_unbound_inside_conf | write_if_changed "$S/unbound-inside/unbound.conf"; then stop_pid unbound-inside; fi
  [ "${1:-0}" = 1 ] && stop_pid unbound-inside  # no remote control: a restart empties the cache
  if ! is_running unbound-inside; then
    unbound-checkconf "$S/unbound-inside/unbound.conf" >/dev/null || die "inside unbound config invalid"
    unbound -c "$S/unbound-inside/unbound.conf" </dev/null >>"$S/log/daemon-start.log" 2>&1 || die "inside unbound did not start; see $S/log/unbound-inside.log"
  fi
  for _ in $(seq 100); do
    [ "$(kdig +short +time=1 +retry=0 @"$INSIDE_RESOLVER_ADDR" mx1.good.lab.test A 2>/dev/null)" = "$INSIDE_MX1" ] && return 0
    sleep 0.1
  done
  die "the inside unbound does not answer on $INSIDE_RESOLVER_ADDR; see $S/log/unbound-inside.log"
}

write_if_changed() { # FILE (content on stdin); returns 0 when the file changed
  local tmp; tmp=$(mktemp)
  cat > "$tmp"
  if [ -f "$1" ] && cmp -s "$tmp" "$1"; then rm -f "$tmp"; return 1; fi
  mv "$tmp" "$1"; chmod 644 "$1"; return 0
}

lab_dns_up() {
  mkdir -p "$S"/knot/{run,db,zones} "$S/unbound"
  local changed=0
  lab_knot_conf | write_if_changed "$S/knot/knot.conf" && changed=1
  lab_zone_lab_test | write_if_changed "$S/knot/zones/lab.test.zone" && changed=1
  lab_zone_reverse | write_if_changed "$S/knot/zones/127.in-addr.arpa.zone" && changed=1
  if is_running knot; then
    [ $changed = 1 ] && knotc -c "$S/knot/knot.conf" reload >/dev/null
  else
    knotc -c "$S/knot/knot.conf" conf-check >/dev/null || die "knot config invalid ($S/knot/knot.conf)"
    knotd -c "$S/knot/knot.conf" -d </dev/null >>"$S/log/daemon-start.log" 2>&1 || die "knotd did not start; see $S/log/knot.log"
  fi
  wait_udp_dns "$AUTH_ADDR" lab.test || die "knot does not answer on $AUTH_ADDR; see $S/log/knot.log"
  # Wait until both zones are signed, then take their DS records as Unbound's trust anchor.
  local anchor="" z
  for _ in $(seq 100); do
    anchor=""
    for z in lab.test 127.in-addr.arpa; do
      kdig +time=1 +retry=0 +dnssec @"$AUTH_ADDR" "$z" DNSKEY 2>/dev/null | grep -q RRSIG || { anchor=""; break; }
      anchor+=$(keymgr -c "$S/knot/knot.conf" "$z" ds 2>/dev/null | sed 's/ DS / 300 IN DS /')$'\n'
    done
    [ -n "$anchor" ] && break
    sleep 0.2
  done
  [ -n "$anchor" ] || die "knot did not sign the lab zones; see $S/log/knot.log"
  local uchanged=0
  printf '%s' "$anchor" | write_if_changed "$S/unbound/lab.anchor" && uchanged=1
  lab_unbound_conf | write_if_changed "$S/unbound/unbound.conf" && uchanged=1
  if is_running unbound && [ $uchanged = 1 ]; then stop_pid unbound; fi
  if is_running unbound && [ $changed = 1 ]; then
    unbound-control -c "$S/unbound/unbound.conf" flush_zone lab.test >/dev/null 2>&1 || stop_pid unbound
  fi
  if ! is_running unbound; then
    unbound-checkconf "$S/unbound/unbound.conf" >/dev/null || die "unbound config invalid"
    unbound -c "$S/unbound/unbound.conf" </dev/null >>"$S/log/daemon-start.log" 2>&1 || die "unbound did not start; see $S/log/unbound.log"
  fi
  local ok=0
  for _ in $(seq 100); do
    kdig +time=1 +retry=0 @"$RESOLVER_ADDR" good.lab.test MX 2>/dev/null | grep -q 'status: NOERROR' && { ok=1; break; }
    sleep 0.1
  done
  [ $ok = 1 ] || die "unbound does not resolve good.lab.test; see $S/log/unbound.log"
  lab_unbound_inside_up "$changed"
}
