#!/usr/bin/env python3
"""An independent reader of the batch and acknowledgement vectors in tests/vectors/.

Written from docs/FORMAT.md alone (Python's hashlib for BLAKE2b, the `cryptography` package
for Ed25519 and X25519, argon2-cffi for Argon2id, PyNaCl for crypto_secretbox), it parses
batch-1.dbb (version 1), batch-2.dbb (version 2, with its recipients) and ack-1.dba byte by
byte, verifies their signatures, and checks the values FORMAT.md quotes: hashes,
fingerprints, key ids; and it opens the secret key files analyst.key and analyst-utf8.key
with their passphrases as FORMAT.md gives their bytes (and not with the spellings it says do
not open them). ctest runs it as test_vectors_python with the system's python3; it exits 77
(skipped) when a package is missing (Debian: python3-cryptography python3-argon2
python3-nacl).

    python3 tests/vectors/check_vectors.py [DIR]
"""
import base64
import hashlib
import os
import sys

try:
    import nacl.exceptions
    import nacl.secret
    from argon2.low_level import Type, hash_secret_raw
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey,
                                                                   Ed25519PublicKey)
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
except ImportError as e:
    print("check_vectors: %s: skipped (python3-cryptography python3-argon2 python3-nacl)" % e)
    sys.exit(77)

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
failures = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what)
    if not cond:
        failures.append(what)


def fingerprint(key):
    h = hashlib.blake2b(b"debrief-fingerprint-v1" + key, digest_size=32).digest()[:10]
    n = int.from_bytes(h, "big")
    s = "".join(CROCKFORD[(n >> (75 - 5 * i)) & 31] for i in range(16))
    return "-".join(s[i:i + 4] for i in range(0, 16, 4))


def key_id(pk):
    return hashlib.blake2b(b"debrief-recipient-id-v1" + pk, digest_size=32).digest()[:8]


def verify(sign_pk, sig, msg):
    try:
        Ed25519PublicKey.from_public_bytes(sign_pk).verify(sig, msg)
        return True
    except InvalidSignature:
        return False


class Reader:
    def __init__(self, data):
        self.data, self.off = data, 0

    def take(self, n):
        if self.off + n > len(self.data):
            raise ValueError("truncated at offset %d" % self.off)
        b = self.data[self.off:self.off + n]
        self.off += n
        return b

    def u(self, n):
        return int.from_bytes(self.take(n), "big")


def record_ids(rec):
    """The key ids of a sealed response record's slots, or None if it is not one."""
    if len(rec) < 10 or rec[:4] != b"DBRS" or rec[4] != 1 or not 1 <= rec[5] <= 4:
        return None
    n, p = rec[5], int.from_bytes(rec[6:10], "big")
    if p % 16 or not 256 <= p <= 65536 or len(rec) != 10 + 88 * n + 24 + p + 16:
        return None
    return [rec[10 + 88 * i:18 + 88 * i] for i in range(n)]


def read_batch(data):
    r = Reader(data)
    if r.take(4) != b"DBRB":
        raise ValueError("not a batch (magic)")
    b = {"version": r.u(1), "kiosk": r.take(32), "number": r.u(8), "prev": r.take(32)}
    sessions = []
    for _ in range(r.u(2)):
        label = r.take(r.u(1)).decode()
        date = r.take(10).decode()
        survey = r.take(r.u(1)).decode()
        sessions.append((label, date, survey, r.u(4), r.u(4)))
    records = []
    for _ in range(r.u(4)):
        session = r.u(2)
        records.append((session, r.take(r.u(4))))
    b["sessions"], b["records"], b["recipients"] = sessions, records, []
    if b["version"] == 2:
        for _ in range(r.u(1)):
            b["recipients"].append((r.take(8), r.take(32), r.take(32)))
    b["sig"] = r.take(64)
    if r.off != len(data):
        raise ValueError("bytes after the signature")
    d = hashlib.blake2b(data[:-64]).digest()
    b["sig_ok"] = verify(b["kiosk"], b["sig"], b"Debrief batch v1" + d)
    b["hash"] = hashlib.blake2b(d + b["sig"], digest_size=32).digest()
    return b


def raw(public_key):
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def open_secret_key(data, passphrase):
    """FORMAT.md, "Secret key file": (pk, sign_pk, sk, seed), or None if it does not open."""
    r = Reader(data)
    if r.take(4) != b"DBRK" or r.u(1) != 1 or r.u(1) != 1 or len(data) != 206:
        raise ValueError("not a version 1 Argon2id secret key file")
    opslimit, memlimit, salt = r.u(8), r.u(8), r.take(16)
    pk, sign_pk, nonce, box = r.take(32), r.take(32), r.take(24), r.take(80)
    k = hash_secret_raw(passphrase, salt, time_cost=opslimit, memory_cost=memlimit // 1024,
                        parallelism=1, hash_len=32, type=Type.ID, version=0x13)
    try:
        secret = nacl.secret.SecretBox(k).decrypt(box, nonce)  # tag, then ciphertext
    except nacl.exceptions.CryptoError:
        return None
    return pk, sign_pk, secret[:32], secret[32:]


def check_secret_key(name, data, passphrase, pk, sign_pk):
    opened = open_secret_key(data, passphrase)
    check(opened is not None, "%s: opens with its passphrase" % name)
    if opened:
        fpk, fspk, sk, seed = opened
        check(fpk == pk and fspk == sign_pk, "%s: holds the analyst's public keys" % name)
        check(raw(X25519PrivateKey.from_private_bytes(sk).public_key()) == pk and
              raw(Ed25519PrivateKey.from_private_bytes(seed).public_key()) == sign_pk,
              "%s: its secret halves derive those public keys" % name)


def main():
    here = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))

    def read(name):
        with open(os.path.join(here, name), "rb") as f:
            return f.read()

    pub_line = read("analyst.pub").decode().split()
    analyst = base64.urlsafe_b64decode(pub_line[1] + "=" * (-len(pub_line[1]) % 4))
    pk, sign_pk = analyst[:32], analyst[32:]
    check(fingerprint(analyst) == pub_line[2] == "QPR4-6NCE-0CRC-GHR9",
          "analyst.pub fingerprint QPR4-6NCE-0CRC-GHR9")
    check(key_id(pk).hex() == "b3f312a766da4480", "analyst key id b3f312a766da4480")
    check(record_ids(read("record-1.bin")) == [key_id(pk)], "record-1.bin is sealed to it")

    b1 = read_batch(read("batch-1.dbb"))
    check(b1["version"] == 1 and b1["sig_ok"], "batch-1.dbb: version 1, signature verifies")
    check(fingerprint(b1["kiosk"]) == "REAT-A1BH-QCSQ-7QAK", "batch-1.dbb: kiosk REAT-A1BH-QCSQ-7QAK")
    check(b1["hash"].hex() == "a81a82c35bf18282de5ebdbf88a1f40c693fbc7435e3b7e94d72f2b99e62877d",
          "batch-1.dbb: hash a81a82c3...")
    check([rec for _, rec in b1["records"]] == [b"\x01\x02\x03", b"\xff"],
          "batch-1.dbb: records 010203 and ff")

    raw2 = read("batch-2.dbb")
    b2 = read_batch(raw2)
    check(b2["version"] == 2 and b2["sig_ok"], "batch-2.dbb: version 2, signature verifies")
    check(b2["kiosk"] == b1["kiosk"] and b2["number"] == 1 and b2["prev"] == bytes(32),
          "batch-2.dbb: batch 1 of the same kiosk")
    check(b2["sessions"] == [("Group 2", "2024-05-14", "ccdg", 1, 1)],
          "batch-2.dbb: one session, Group 2, 2024-05-14, ccdg v1, 1 record")
    check([rec for _, rec in b2["records"]] == [read("record-1.bin")],
          "batch-2.dbb: its record is record-1.bin")
    ids = sorted({i for _, rec in b2["records"] for i in (record_ids(rec) or [])})
    check(all(record_ids(rec) for _, rec in b2["records"]),
          "batch-2.dbb: every record is a sealed record")
    listed = [rid for rid, _, _ in b2["recipients"]]
    check(listed == ids, "batch-2.dbb: recipients list exactly the records' key ids, ascending")
    ok = all(key_id(rpk) == rid and fingerprint(rpk + rspk) == "QPR4-6NCE-0CRC-GHR9"
             for rid, rpk, rspk in b2["recipients"])
    check(ok, "batch-2.dbb: its recipient is the analyst key, QPR4-6NCE-0CRC-GHR9")
    check(b2["hash"].hex() == "734920389c7594ddfd7f07261a6515e9334f967f2b6d749469f8ce414561d768",
          "batch-2.dbb: hash 73492038...")
    flipped = bytearray(raw2)
    flipped[len(raw2) - 70] ^= 1  # inside the recipients section
    check(not read_batch(bytes(flipped))["sig_ok"], "batch-2.dbb: the signature covers the recipients")

    check_secret_key("analyst.key", read("analyst.key"), b"correct horse battery staple", pk,
                     sign_pk)
    utf8 = bytes.fromhex("4bc3a473656b756368656e2066c3bc7220616c6c652c204772c3bcc39f6520")
    check(utf8.decode("utf-8") == "K\u00e4sekuchen f\u00fcr alle, Gr\u00fc\u00dfe ",
          "the UTF-8 passphrase is the NFC spelling FORMAT.md names")
    check_secret_key("analyst-utf8.key", read("analyst-utf8.key"), utf8, pk, sign_pk)
    nfd = utf8.replace(b"\xc3\xa4", b"a\xcc\x88").replace(b"\xc3\xbc", b"u\xcc\x88")
    check(open_secret_key(read("analyst-utf8.key"), nfd) is None,
          "analyst-utf8.key: the NFD spelling does not open it")
    check(open_secret_key(read("analyst-utf8.key"), utf8[:-1]) is None,
          "analyst-utf8.key: without the final space it does not open")

    ack = read("ack-1.dba")
    r = Reader(ack)
    check(r.take(4) == b"DBRA" and r.u(1) == 1, "ack-1.dba: magic, version 1")
    kiosk, signer, n = r.take(32), r.take(32), r.u(4)
    entries = [(r.u(8), r.take(32)) for _ in range(n)]
    sig = r.take(64)
    check(r.off == len(ack), "ack-1.dba: nothing after the signature")
    check(kiosk == b1["kiosk"] and signer == sign_pk, "ack-1.dba: for that kiosk, by the analyst")
    check(entries == [(1, b1["hash"])], "ack-1.dba: acknowledges batch 1 with batch-1.dbb's hash")
    check(verify(sign_pk, sig, ack[:-64]), "ack-1.dba: signature verifies")

    print("%d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
