# The whole path, tap -> sealed record -> signed batch -> import -> CSV -> acknowledgement.
add_test(NAME test_e2e COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_e2e.sh ${PROJECT_BINARY_DIR}
  ${PROJECT_SOURCE_DIR})
set_tests_properties(test_e2e PROPERTIES TIMEOUT 600)
