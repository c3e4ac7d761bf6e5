# `scripts/lab traffic N`: N varied SMTP/IMAP transactions through the lab with swaks and curl,
# so the Postfix and Dovecot logs hold every kind of line the log analyser must read:
# deliveries (25, 587 with AUTH, 465), unknown users, relay denials, auth failures in a row
# (brute force), deferrals to a dead relay, IMAP logins good and bad.

lab_traffic() {
  local n=${1:-40}
  [[ $n =~ ^[0-9]+$ ]] || die "usage: scripts/lab traffic N (a number of transactions)"
  [ -s "$S/env" ] || die "the lab is not up: run scripts/lab up"
  local pw; pw=$(cat "$S/etc/password")
  local ca="$S/ca/ca.crt" i kind ok=0 t0=$SECONDS
  local sw=(swaks --silent 3 --timeout 10 --helo client.example.net)
  for i in $(seq 1 "$n"); do
    kind=$((i % 10))
    case $kind in
      1|2) # inbound delivery over STARTTLS on 25, alternating MX hosts
        "${sw[@]}" --server "$([ $kind = 1 ] && echo "$GOOD_MX1" || echo "$GOOD_MX2"):25" --tls \
          --from "sender$i@example.net" --to "$LAB_USER" --header "Subject: lab traffic $i" ;;
      3) # authenticated submission on 587 (STARTTLS) to the local mailbox
        "${sw[@]}" --server "$GOOD_MX1:587" --tls --auth PLAIN --auth-user "$LAB_USER" --auth-password "$pw" \
          --from "$LAB_USER" --to "$LAB_USER" --header "Subject: lab submission $i" ;;
      4) # implicit-TLS submission on 465
        "${sw[@]}" --server "$GOOD_MX1:465" --tls-on-connect --auth LOGIN --auth-user "$LAB_USER" \
          --auth-password "$pw" --from "$LAB_USER" --to "$LAB_USER" --header "Subject: lab submissions $i" ;;
      5) # unknown recipient: 550
        "${sw[@]}" --server "$GOOD_MX1:25" --from "sender$i@example.net" --to "nobody$i@good.lab.test" ;;
      6) # relay attempt from outside: 554 relay access denied
        "${sw[@]}" --server "$GOOD_MX2:25" --from "spammer$i@example.net" --to "victim$i@example.org" ;;
      7) # accepted for the relay domain whose next hop is dead: deferred
        "${sw[@]}" --server "$GOOD_MX1:25" --tls --from "sender$i@example.net" --to "user$i@deadrelay.lab.test" ;;
      8) # a burst of wrong passwords from one client: brute force
        local k
        for k in 1 2 3 4; do
          "${sw[@]}" --server "$GOOD_MX1:587" --tls --auth PLAIN --auth-user "$LAB_USER" \
            --auth-password "wrong-$i-$k" --from "$LAB_USER" --to "$LAB_USER" --quit-after AUTH
        done ;;
      9) # IMAP: a good login over implicit TLS and a bad one over STARTTLS
        curl -s --max-time 10 --cacert "$ca" --resolve "mx1.good.lab.test:993:$GOOD_MX1" \
          -u "$LAB_USER:$pw" "imaps://mx1.good.lab.test/INBOX" -X 'EXAMINE INBOX' >/dev/null
        curl -s --max-time 10 --ssl-reqd --cacert "$ca" --resolve "mx1.good.lab.test:143:$GOOD_MX1" \
          -u "$LAB_USER:wrong-$i" "imap://mx1.good.lab.test/INBOX" -X 'EXAMINE INBOX' >/dev/null ;;
      0) # POP3 over implicit TLS
        curl -s --max-time 10 --cacert "$ca" --resolve "mx1.good.lab.test:995:$GOOD_MX1" \
          -u "$LAB_USER:$pw" "pop3s://mx1.good.lab.test/" >/dev/null ;;
    esac && ok=$((ok + 1)) || true
  done
  # Let queue managers log the deliveries and deferrals before anyone reads the logs.
  sleep 2
  log "traffic: $n transactions ($ok completed without a client error) in $((SECONDS - t0)) s"
}
