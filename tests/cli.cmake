# Command-line behaviour of `debrief`: usage, exit codes, messages, key files.
add_test(NAME test_cli COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_cli.sh $<TARGET_FILE:debrief>
  ${PROJECT_SOURCE_DIR})
set_tests_properties(test_cli PROPERTIES TIMEOUT 300)
if(DEBRIEF_KIOSK)
  add_dependencies(debrief debrief-kiosk) # survey check/preview run it (tests/cli/test_cli.sh)
endif()
