#!/usr/bin/env python3
"""Checks an mxray ledger with nothing of mxray: Python's hashlib for the RFC 9162 Merkle tree
and `openssl pkeyutl` for the Ed25519 checkpoint signatures (C2SP signed-note).

usage: independent-verify.py LEDGER VERIFIER-KEY   (VERIFIER-KEY as `mxray ledger keygen` prints it)
Prints one line and exits 0 when every checksum, root and signature matches, 1 otherwise.
"""
import base64, hashlib, os, struct, subprocess, sys, tempfile

def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF

def mth(leaves):  # RFC 9162 section 2.1.1
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()

def ed25519_verify(pub, msg, sig):
    spki = bytes.fromhex("302a300506032b6570032100") + pub  # RFC 8410 SubjectPublicKeyInfo
    with tempfile.TemporaryDirectory() as d:
        paths = {n: os.path.join(d, n) for n in ("k.der", "m", "s")}
        for n, v in (("k.der", spki), ("m", msg), ("s", sig)):
            open(paths[n], "wb").write(v)
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", paths["k.der"],
                            "-rawin", "-in", paths["m"], "-sigfile", paths["s"]], capture_output=True)
        return r.returncode == 0

def main():
    data = open(sys.argv[1], "rb").read()
    name, keyid, key = sys.argv[2].strip().split("+", 2)
    raw = base64.b64decode(key)
    assert raw[0] == 1 and len(raw) == 33, "not an Ed25519 verifier key"
    pub = raw[1:]
    # C2SP signed-note key id: SHA-256(name || 0x0A || 0x01 || key)[:4]
    assert hashlib.sha256(name.encode() + b"\n\x01" + pub).digest()[:4].hex() == keyid, "key id mismatch"
    assert data[:16] == b"mxray-ledger v1\n", "bad file header"
    off, leaves, signed = 16, [], 0
    while off < len(data):
        magic, typ, length, hcrc = struct.unpack(">4sBII", data[off:off + 13])
        assert magic == b"MXLR" and crc32c(data[off:off + 9]) == hcrc, f"bad record header at {off}"
        body = data[off + 13:off + 13 + length]
        (bcrc,) = struct.unpack(">I", data[off + 13 + length:off + 17 + length])
        assert len(body) == length and crc32c(body) == bcrc, f"bad record body at {off}"
        if typ == 1:
            leaf, stored_root = body[:-32], body[-32:]
            assert struct.unpack(">Q", leaf[:8])[0] == len(leaves), f"entry index at {off}"
            leaves.append(hashlib.sha256(b"\x00" + leaf).digest())
            assert mth(leaves) == stored_root, f"stored root of entry {len(leaves) - 1}"
        else:
            note = body.decode()
            text, sigs = note.rsplit("\n\n", 1)
            text += "\n"
            origin, size, root = text.split("\n")[:3]
            assert int(size) == len(leaves) and base64.b64decode(root) == mth(leaves), f"checkpoint at {off}"
            for line in sigs.strip("\n").split("\n"):
                dash, signer, blob = line.split(" ")
                blob = base64.b64decode(blob)
                if dash == "\u2014" and signer == name and blob[:4].hex() == keyid:
                    assert ed25519_verify(pub, text.encode(), blob[4:]), f"signature of checkpoint at {off}"
                    signed += 1
        off += 17 + length
    print(f"independent check: {len(leaves)} entries, {signed} signed checkpoints, root {base64.b64encode(mth(leaves)).decode()}")

try:
    main()
except AssertionError as e:
    print(f"independent check FAILED: {e}")
    sys.exit(1)
