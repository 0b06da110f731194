# crypto/: keys, sealed records, secure memory. Known-answer files live in tests/vectors/.
debrief_test(test_keys SOURCES test_keys.c LIBS debrief_crypto)
debrief_test(test_seal SOURCES test_seal.c LIBS debrief_crypto)

# Regenerates tests/vectors/ (not run by the tests; see docs/FORMAT.md "Test vectors").
add_executable(make_vectors EXCLUDE_FROM_ALL ${CMAKE_CURRENT_SOURCE_DIR}/vectors/make_vectors.c)
target_link_libraries(make_vectors PRIVATE debrief_crypto)
target_include_directories(make_vectors PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/vectors)
debrief_defaults(make_vectors)
