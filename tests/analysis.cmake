# Analysis side: statistics against R's published values, import/CSV/report end to end.
debrief_test(test_stats SOURCES test_stats.c LIBS debrief_stats debrief_common)
debrief_test(test_analysis SOURCES test_analysis.c LIBS debrief_analysis debrief_coord
  debrief_store debrief_survey debrief_crypto debrief_common)
# test_analysis also runs the CLI (import/status/csv/report) from the build tree.
add_dependencies(test_analysis debrief)
# The report's small-group protection against an attacker that reads its numbers.
debrief_test(test_disclosure SOURCES test_disclosure.c LIBS debrief_analysis debrief_stats
  debrief_survey debrief_common)
# Exports loaded as an analyst would (CSV, R, PSPP, xlsx) equal the answers. R and PSPP come
# from tools/install-deps --test; where they are missing the test says SKIPPED.
find_package(ZLIB REQUIRED)
add_executable(test_exports test_exports.c)
target_include_directories(test_exports PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(test_exports PRIVATE debrief_analysis debrief_survey debrief_common
  ZLIB::ZLIB)
debrief_defaults(test_exports)
foreach(mode csv r spss xlsx)
  add_test(NAME test_exports_${mode} COMMAND test_exports ${mode}
    WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
  set_tests_properties(test_exports_${mode} PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
endforeach()
# xlsx.c as a build without libxlsxwriter compiles it.
add_executable(test_xlsx_off test_xlsx_off.c ${PROJECT_SOURCE_DIR}/app/analysis/xlsx.c)
target_include_directories(test_xlsx_off PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}
  ${PROJECT_SOURCE_DIR}/app/analysis)
target_link_libraries(test_xlsx_off PRIVATE debrief_survey debrief_crypto debrief_common)
debrief_defaults(test_xlsx_off)
add_test(NAME test_xlsx_off COMMAND test_xlsx_off)
