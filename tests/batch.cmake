# Batch files and acknowledgements (crypto/batch.c), and export/ack end to end (app/coord).
debrief_test(test_batch SOURCES test_batch.c LIBS debrief_crypto debrief_common)
debrief_test(test_export SOURCES test_export.c LIBS debrief_coord debrief_store debrief_crypto
  debrief_common)
add_dependencies(test_export debrief) # it also runs the CLI end to end
