# The lab CA and server certificates (made once; kept while the state folder lives).

issue_cert() { # NAME SAN-LIST(comma, DNS names)  -> $S/ca/NAME.{key,crt}, signed by the lab CA
  local name=$1 sans=$2 d="$S/ca"
  [ -s "$d/$name.crt" ] && return 0
  local san; san=$(echo "$sans" | sed 's/\([^,]*\)/DNS:\1/g')
  openssl req -new -newkey rsa:2048 -nodes -keyout "$d/$name.key" -subj "/CN=${sans%%,*}" \
    -out "$d/$name.csr" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n' "$san" > "$d/$name.ext"
  openssl x509 -req -in "$d/$name.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
    -days 397 -sha256 -extfile "$d/$name.ext" -out "$d/$name.crt" 2>/dev/null
  cat "$d/$name.crt" "$d/ca.crt" > "$d/$name.chain.crt"
  rm -f "$d/$name.csr" "$d/$name.ext"
}

lab_certs() {
  local d="$S/ca"
  mkdir -p "$d"
  if [ ! -s "$d/ca.crt" ]; then
    openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$d/ca.key" -days 3650 -sha256 \
      -subj "/CN=mxray lab CA" -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$d/ca.crt" 2>/dev/null
  fi
  issue_cert good "mx1.good.lab.test,mx2.good.lab.test,mail.good.lab.test"
  issue_cert web "mta-sts.good.lab.test,mta-sts.broken.lab.test,autoconfig.good.lab.test,autodiscover.good.lab.test"
  issue_cert broken "mx-dropped.broken.lab.test,mx-closed.broken.lab.test,relay.broken.lab.test"
  # broken.lab.test's real MX presents a certificate for another name.
  issue_cert wrongname "wrong-name.example.net"
  # weak.lab.test: self-signed.
  if [ ! -s "$d/weak.crt" ]; then
    openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$d/weak.key" -days 3650 -sha256 \
      -subj "/CN=mx.weak.lab.test" -out "$d/weak.crt" 2>/dev/null
    cp "$d/weak.crt" "$d/weak.chain.crt"
  fi
  chmod 644 "$d"/*.crt; chmod 640 "$d"/*.key
}

# RFC 6698 §2.1: TLSA 3 1 1 = SHA-256 of the certificate's SubjectPublicKeyInfo.
tlsa_311() {
  openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1
}
