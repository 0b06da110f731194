# Batch files and acknowledgements (crypto/batch.c), and export/ack end to end (app/coord).
debrief_test(test_batch SOURCES test_batch.c LIBS debrief_crypto debrief_common)
debrief_test(test_export SOURCES test_export.c LIBS debrief_coord debrief_store debrief_crypto
  debrief_common)
add_dependencies(test_export debrief) # it also runs the CLI end to end

# An independent reader (Python: hashlib, cryptography, argon2-cffi, PyNaCl) of the batch,
# acknowledgement and secret key vectors, written from docs/FORMAT.md; skipped (77) without
# those Debian packages. The system's python3 first: the Debian packages are installed for it.
add_test(NAME test_vectors_python
  COMMAND sh -c "py=/usr/bin/python3; [ -x $py ] || py=$(command -v python3) || { echo 'python3 missing: skipped'; exit 77; }; exec $py \"$0\"" ${CMAKE_CURRENT_SOURCE_DIR}/vectors/check_vectors.py)
set_tests_properties(test_vectors_python PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 60)
