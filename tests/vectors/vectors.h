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

#endif
