# Core of the lab script: packages, process bookkeeping, up/down/status/env.
# Sourced by scripts/lab; uses its variables (S, addresses) and helpers (log, die).

LAB_PACKAGES=(postfix dovecot-imapd dovecot-pop3d knot knot-dnsutils knot-dnssecutils unbound nginx
  openssl swaks libnet-ssleay-perl iproute2 iptables ldnsutils dnsutils pflogsumm testssl.sh nmap
  prometheus publicsuffix python3 procps curl netcat-openbsd gzip libsqlite3-dev
  chromium chromium-driver python3-selenium  # the HTML report and the serve dashboard in a headless browser
  wrk)  # benchmarks/serve

ensure_packages() {
  local missing=()
  for p in "${LAB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  # Debian's daemons must not start themselves (unbound's init would fetch a root trust anchor).
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; fi
  printf '%s\n' "postfix postfix/main_mailer_type select Internet Site" \
                "postfix postfix/mailname string lab.test" | debconf-set-selections
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || die "apt-get update failed"
  apt-get install -y -qq "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

# pid bookkeeping: run/NAME.pid holds the pid of a process `up` started.
pid_of() { local f="$S/run/$1.pid"; [ -s "$f" ] && cat "$f" 2>/dev/null | head -1 || true; }
is_running() { local p; p=$(pid_of "$1"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
stop_pid() {
  local name=$1 p; p=$(pid_of "$name")
  if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
    kill "$p" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  fi
  rm -f "$S/run/$name.pid"
}

wait_port() { # ADDR PORT [tries]
  local tries=${3:-100}
  for _ in $(seq "$tries"); do
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

wait_udp_dns() { # ADDR NAME
  for _ in $(seq 100); do
    kdig +time=1 +retry=0 @"$1" "$2" SOA >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

lab_up() {
  local t0=$SECONDS
  ensure_packages
  mkdir -p "$S"/{run,log,etc}
  chmod 755 "$S"
  [ -s "$S/etc/password" ] || head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' > "$S/etc/password"
  id mxlabmail >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin mxlabmail
  lab_certs
  lab_dns_up
  lab_firewall_up
  lab_dovecot_up
  lab_postfix_up
  lab_nginx_up
  lab_write_env
  log "up in $((SECONDS - t0)) s (state in $S)"
}

lab_down() {
  lab_delay_off 2>/dev/null || true
  lab_postfix_down
  lab_dovecot_down
  stop_pid nginx
  stop_pid unbound-inside
  stop_pid unbound
  stop_pid knot
  lab_firewall_down
  rm -f "$S/env"
  log "down"
}

lab_status() {
  local rc=0
  printf '%-10s %-8s %-8s %s\n' SERVICE STATE PID WHERE
  row() { # name where
    local st=stopped p; p=$(pid_of "$1")
    if is_running "$1"; then st=running; else rc=1; fi
    printf '%-10s %-8s %-8s %s\n' "$1" "$st" "${p:--}" "$2"
  }
  row knot "$AUTH_ADDR:53 (lab.test, 127.in-addr.arpa, DNSSEC-signed)"
  row unbound "$RESOLVER_ADDR:53 (validating resolver)"
  row unbound-inside "127.0.10.55:53 (split-horizon inside view)"
  row postfix "25/465/587 on $GOOD_MX1 $GOOD_MX2 $WEAK_MX; 25 on $BROKEN_REAL $BROKEN_DROPPED $BROKEN_RELAY; 587 on $BROKEN_DROPPED $BROKEN_CLOSED"
  row dovecot "143/993/110/995 on $GOOD_MX1 $GOOD_MX2 $WEAK_MX"
  row nginx "$WEB_ADDR:443,80 (mta-sts.*, autoconfig.good.lab.test)"
  local rules; rules=$(iptables -S 2>/dev/null | grep -c 'mxray-lab' || true)
  printf 'firewall: %s rule(s) tagged mxray-lab\n' "$rules"
  [ -s "$S/run/delays" ] && printf 'delays: %s\n' "$(tr '\n' ' ' < "$S/run/delays")"
  return $rc
}

lab_write_env() {
  {
    echo "MXRAY_LAB_DIR='$S'"
    echo "MXRAY_LAB_RESOLVER='$RESOLVER_ADDR'"
    echo "MXRAY_LAB_INSIDE_RESOLVER='127.0.10.55'"
    echo "MXRAY_LAB_AUTH='$AUTH_ADDR'"
    echo "MXRAY_LAB_WEB='$WEB_ADDR'"
    echo "MXRAY_LAB_CA_FILE='$S/ca/ca.crt'"
    echo "MXRAY_LAB_DOMAINS='good.lab.test,weak.lab.test,broken.lab.test,nullmx.lab.test'"
    echo "MXRAY_LAB_USER='$LAB_USER'"
    echo "MXRAY_LAB_PASSWORD='$(cat "$S/etc/password")'"
    echo "MXRAY_LAB_POSTFIX_LOG='$S/log/postfix.log'"
    echo "MXRAY_LAB_DOVECOT_LOG='$S/log/dovecot.log'"
    echo "MXRAY_LAB_GOOD_MX1='$GOOD_MX1'"
    echo "MXRAY_LAB_GOOD_MX2='$GOOD_MX2'"
    echo "MXRAY_LAB_GOOD_FLOW='${FLOW_ADDR:-127.0.20.3}'"
    echo "MXRAY_LAB_WEAK_MX='$WEAK_MX'"
    echo "MXRAY_LAB_BROKEN_REAL='$BROKEN_REAL'"
    echo "MXRAY_LAB_BROKEN_DROPPED='$BROKEN_DROPPED'"
    echo "MXRAY_LAB_BROKEN_CLOSED='$BROKEN_CLOSED'"
    echo "MXRAY_LAB_BROKEN_RELAY='$BROKEN_RELAY'"
  } > "$S/env.tmp"
  mv "$S/env.tmp" "$S/env"
}

lab_env() {
  [ -s "$S/env" ] || die "the lab is not up: run scripts/lab up"
  local n; for n in knot unbound postfix dovecot nginx; do
    is_running "$n" || die "the lab is not fully up ($n is not running): run scripts/lab up"
  done
  sed 's/^/export /' "$S/env"
}

# iptables: the dropped port. Every rule carries the comment mxray-lab so `down` removes exactly these.
lab_firewall_up() {
  local rule=(INPUT -d "$BROKEN_DROPPED/32" -p tcp --dport 25 -m comment --comment mxray-lab -j DROP)
  iptables -C "${rule[@]}" 2>/dev/null || iptables -I "${rule[@]}"
}

lab_firewall_down() {
  local line
  while line=$(iptables -S 2>/dev/null | grep -- '--comment mxray-lab' | grep -v mxray-lab-delay | head -1) && [ -n "$line" ]; do
    # shellcheck disable=SC2086
    eval iptables ${line/-A /-D } || break
  done
}
