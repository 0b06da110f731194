/* vectors: names and inputs of the known-answer files in tests/vectors/, shared by the
 * generator (make_vectors.c) and the tests. docs/FORMAT.md, "Test vectors", describes them. */
#ifndef DEBRIEF_TEST_VECTORS_H
#define DEBRIEF_TEST_VECTORS_H

#define VEC_PASSPHRASE "correct horse battery staple"
#define VEC_ANALYST_KEY "analyst.key"        /* secret key file, Argon2id MIN parameters */
#define VEC_ANALYST_PUB "analyst.pub"        /* its public key file */
#define VEC_ANALYST_FP "analyst.fingerprint" /* its fingerprint and "\n" */
#define VEC_ANALYST_SIG "analyst.sig"        /* Ed25519 signature of VEC_ANALYST_MSG (64 bytes) */
#define VEC_ANALYST_MSG "debrief test vector: analyst signature v1"
#define VEC_RECORD "record-1.bin" /* VEC_PLAINTEXT sealed to analyst.pub */
#define VEC_PLAINTEXT "debrief test vector: sealed response record v1\n"
#define VEC_PADDED 256
#define VEC_KIOSK_ID "kiosk.id"   /* kiosk identity file */
#define VEC_KIOSK_SIG "kiosk.sig" /* Ed25519 signature of VEC_KIOSK_MSG (64 bytes) */
#define VEC_KIOSK_MSG "debrief test vector: kiosk signature v1"
/* The same secret as analyst.key under a passphrase that is not ASCII: the bytes as typed, in
 * NFC ("ä" is c3 a4, "ü" c3 bc, "ß" c3 9f); the same letters decomposed (NFD) are another
 * passphrase. Made by make_vectors DIR --passphrase-vector. */
#define VEC_UTF8_KEY "analyst-utf8.key"
#define VEC_UTF8_PASSPHRASE "K\xc3\xa4sekuchen f\xc3\xbcr alle, Gr\xc3\xbc\xc3\x9f" "e "
#define VEC_UTF8_PASSPHRASE_NFD "Ka\xcc\x88sekuchen fu\xcc\x88r alle, Gru\xcc\x88\xc3\x9f" "e "
/* Batch vectors, signed with kiosk.id (test_batch rebuilds batch-2.dbb and ack-1.dba). */
#define VEC_BATCH1 "batch-1.dbb" /* version 1 (no writer makes it now): records 010203, ff */
#define VEC_BATCH2 "batch-2.dbb" /* version 2: record-1.bin, analyst.pub named */
#define VEC_ACK "ack-1.dba"      /* batch 1 with batch-1.dbb's hash, signed with analyst.key */
#define VEC_BATCH_LABEL "Group 2"
#define VEC_BATCH_DATE "2024-05-14"
#define VEC_BATCH_SURVEY "ccdg"

#endif
