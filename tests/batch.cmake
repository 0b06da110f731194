# Batch files and acknowledgements (crypto/batch.c), and export/ack end to end (app/coord).
debrief_test(test_batch SOURCES test_batch.c LIBS debrief_crypto debrief_common)
