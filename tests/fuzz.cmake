# Fuzz targets for every parser of outside input (tests/fuzz/, docs/FUZZING.md).
#
# Always: one replay program per target, fuzz_replay_NAME, registered with ctest, that feeds
# tests/fuzz/corpus/NAME/ and tests/fuzz/crashes/NAME/ to the target (so the seeds and every
# input that ever crashed run in the normal and the sanitizer builds).
# With -DDEBRIEF_FUZZ=ON (clang only; the "fuzz" preset, tools/fuzz): also the libFuzzer
# binaries fuzz_NAME, built with -fsanitize=fuzzer,address,undefined, and the project's
# parser libraries instrumented for coverage and with the same sanitizers. `fuzz_all` builds them.
option(DEBRIEF_FUZZ "Build libFuzzer targets (needs clang)" OFF)

set(DEBRIEF_FUZZ_TARGETS survey response answers public_key secret_key identity seal batch ack)
set(DEBRIEF_FUZZ_DIR ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)

# name -> libraries beyond the support library
set(fuzz_libs_survey debrief_survey)
set(fuzz_libs_response debrief_survey)
set(fuzz_libs_answers debrief_survey)
set(fuzz_libs_batch debrief_survey)
# The kiosk's automation script and configuration file, where the kiosk is built.
set(fuzz_instrumented debrief_common debrief_crypto debrief_survey)
# The analyst's side: the trusted-kiosk registry and the import of a batch end to end.
list(APPEND DEBRIEF_FUZZ_TARGETS kiosk_registry import)
list(APPEND fuzz_instrumented debrief_analysis)
set(fuzz_libs_kiosk_registry debrief_analysis)
set(fuzz_libs_import debrief_analysis)
if(TARGET debrief_kiosk_ui)
  list(APPEND DEBRIEF_FUZZ_TARGETS script kiosk_config)
  list(APPEND fuzz_instrumented debrief_kiosk_ui)
  set(fuzz_libs_script debrief_kiosk_ui)
  set(fuzz_libs_kiosk_config debrief_kiosk_ui)
endif()

if(DEBRIEF_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "DEBRIEF_FUZZ needs clang (configure with -DCMAKE_C_COMPILER=clang "
      "or the \"fuzz\" preset)")
  endif()
  set(DEBRIEF_FUZZ_SANITIZERS -fsanitize=address,undefined -fno-sanitize-recover=all
    -fno-omit-frame-pointer)
  # Coverage feedback from the code under test, not just from the targets.
  foreach(lib ${fuzz_instrumented})
    target_compile_options(${lib} PRIVATE -fsanitize=fuzzer-no-link ${DEBRIEF_FUZZ_SANITIZERS})
    target_link_options(${lib} INTERFACE -fsanitize=address,undefined)
  endforeach()
  add_custom_target(fuzz_all)
endif()

add_library(debrief_fuzz_support STATIC ${DEBRIEF_FUZZ_DIR}/fuzz_support.c)
target_include_directories(debrief_fuzz_support PUBLIC ${DEBRIEF_FUZZ_DIR})
target_link_libraries(debrief_fuzz_support PUBLIC debrief_crypto debrief_common)
target_compile_definitions(debrief_fuzz_support PRIVATE
  DEBRIEF_FUZZ_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
debrief_defaults(debrief_fuzz_support)
if(DEBRIEF_FUZZ)
  target_compile_options(debrief_fuzz_support PRIVATE -fsanitize=fuzzer-no-link
    ${DEBRIEF_FUZZ_SANITIZERS})
endif()

foreach(name ${DEBRIEF_FUZZ_TARGETS})
  set(src ${DEBRIEF_FUZZ_DIR}/fuzz_${name}.c)
  add_executable(fuzz_replay_${name} ${DEBRIEF_FUZZ_DIR}/replay_main.c ${src})
  target_link_libraries(fuzz_replay_${name} PRIVATE debrief_fuzz_support ${fuzz_libs_${name}})
  debrief_defaults(fuzz_replay_${name})
  add_test(NAME fuzz_replay_${name}
    COMMAND fuzz_replay_${name} ${DEBRIEF_FUZZ_DIR}/corpus/${name} ${DEBRIEF_FUZZ_DIR}/crashes/${name}
    WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
  set_tests_properties(fuzz_replay_${name} PROPERTIES TIMEOUT 300
    ENVIRONMENT "DEBRIEF_SOURCE_DIR=${PROJECT_SOURCE_DIR};DEBRIEF_BUILD_DIR=${PROJECT_BINARY_DIR}")

  if(DEBRIEF_FUZZ)
    add_executable(fuzz_${name} ${src})
    target_link_libraries(fuzz_${name} PRIVATE debrief_fuzz_support ${fuzz_libs_${name}})
    debrief_defaults(fuzz_${name})
    target_compile_options(fuzz_${name} PRIVATE -fsanitize=fuzzer ${DEBRIEF_FUZZ_SANITIZERS})
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    add_dependencies(fuzz_all fuzz_${name})
  endif()
endforeach()

# The replay driver must report a crashing input: a target that aborts on purpose.
add_executable(fuzz_replay_selftest ${DEBRIEF_FUZZ_DIR}/replay_main.c
  ${DEBRIEF_FUZZ_DIR}/replay_selftest.c)
target_link_libraries(fuzz_replay_selftest PRIVATE debrief_fuzz_support)
debrief_defaults(fuzz_replay_selftest)
add_test(NAME fuzz_replay_selftest COMMAND fuzz_replay_selftest ${DEBRIEF_FUZZ_DIR}/selftest)
set_tests_properties(fuzz_replay_selftest PROPERTIES TIMEOUT 60
  PASS_REGULAR_EXPRESSION "(^|\n)1 passed, 1 failed")

# Regenerates the generated seeds in tests/fuzz/corpus/ (not run by the tests; see
# docs/FUZZING.md): responses, records, batches and acknowledgements made with the vector keys.
add_executable(fuzz_make_seeds EXCLUDE_FROM_ALL ${DEBRIEF_FUZZ_DIR}/make_seeds.c)
target_link_libraries(fuzz_make_seeds PRIVATE debrief_fuzz_support debrief_survey)
debrief_defaults(fuzz_make_seeds)
