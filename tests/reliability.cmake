# Reliability (tests/reliability/): crash and power-loss (SIGKILL, dropped unsynced writes),
# faults (allocation failure for every n, full disk, bad inputs, export medium removed) and
# secrets hygiene (canaries in temp dirs and logs, core dumps). See docs/THREAT_MODEL.md.
set(REL_DIR ${CMAKE_CURRENT_SOURCE_DIR}/reliability)

# Helper for the scripts: keys with test-speed Argon2, sessions, decrypting dumps of the store.
add_executable(rel_tool ${REL_DIR}/rel_tool.c)
target_link_libraries(rel_tool PRIVATE debrief_store debrief_survey debrief_crypto debrief_common)
debrief_defaults(rel_tool)

# Allocation failure for every n in the parsers and the sealing path: our static libraries
# malloc/calloc/realloc/free and sodium_malloc/sodium_free are wrapped at link time.
debrief_test(test_rel_alloc SOURCES reliability/test_alloc.c LIBS debrief_survey debrief_crypto
  debrief_common PkgConfig::JANSSON)
target_link_options(test_rel_alloc PRIVATE
  "-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,--wrap=sodium_malloc,--wrap=sodium_free")

# The attacker of test_forensic.sh: reads a raw image of the data partition with the key.
add_executable(forensic ${REL_DIR}/forensic.c)
target_link_libraries(forensic PRIVATE debrief_survey debrief_crypto debrief_common m)
debrief_defaults(forensic)

# LD_PRELOAD model of a power cut: keeps each data file as of its last completed fsync.
add_library(powerloss_shim MODULE ${REL_DIR}/powerloss_shim.c)
target_compile_options(powerloss_shim PRIVATE -Wall -Wextra -Werror)
target_link_libraries(powerloss_shim PRIVATE ${CMAKE_DL_LIBS})

if(DEBRIEF_KIOSK)
  # SIGKILL at random points while the real kiosk takes submits; then debrief export killed.
  add_test(NAME test_rel_crash COMMAND sh ${REL_DIR}/test_crash.sh ${PROJECT_BINARY_DIR}
    ${PROJECT_SOURCE_DIR})
  set_tests_properties(test_rel_crash PROPERTIES TIMEOUT 400)
  # the kiosk and the debrief commands on one data directory at once, SIGKILLs on both sides
  # (500 rounds take 2-3 minutes; under the sanitizers, 4 times longer: 120 rounds there;
  # not under qemu, where it takes half an hour and its 2-second check cannot hold: the
  # processes' interplay does not depend on the processor, tools/test runs it)
  if(DEBRIEF_SANITIZE)
    set(CONCURRENT_ROUNDS 120)
  else()
    set(CONCURRENT_ROUNDS 500)
  endif()
  if(NOT CMAKE_CROSSCOMPILING)
    add_test(NAME test_rel_concurrent COMMAND sh ${REL_DIR}/test_concurrent.sh
      ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR} ${CONCURRENT_ROUNDS})
    set_tests_properties(test_rel_concurrent PROPERTIES TIMEOUT 900 SKIP_RETURN_CODE 77)
  endif()
  # what the kiosk writes while a session is open: a steady cadence of alike ticks, nothing
  # in the database; the database files opened once each (strace)
  add_test(NAME test_rel_cadence COMMAND sh ${REL_DIR}/test_cadence.sh ${PROJECT_BINARY_DIR}
    ${PROJECT_SOURCE_DIR})
  set_tests_properties(test_rel_cadence PROPERTIES TIMEOUT 120)
  # a raw ext4 image of the card, attacked with the analyst's key: no order, no time (root;
  # not under qemu: the file system's behaviour does not depend on the processor)
  if(NOT CMAKE_CROSSCOMPILING)
    add_test(NAME test_rel_forensic COMMAND sh ${REL_DIR}/test_forensic.sh
      ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR} 24)
    set_tests_properties(test_rel_forensic PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
  endif()
  # the same with every unsynced write thrown away (powerloss_shim)
  add_test(NAME test_rel_powerloss COMMAND sh ${REL_DIR}/test_powerloss.sh ${PROJECT_BINARY_DIR}
    ${PROJECT_SOURCE_DIR})
  set_tests_properties(test_rel_powerloss PROPERTIES TIMEOUT 300)
  # bad input files, full and read-only data dir, export medium full/read-only/pulled out
  add_test(NAME test_rel_faults COMMAND sh ${REL_DIR}/test_faults.sh ${PROJECT_BINARY_DIR}
    ${PROJECT_SOURCE_DIR})
  set_tests_properties(test_rel_faults PROPERTIES TIMEOUT 300)
  # canaries and the passphrase absent from the data dir, temp dirs, logs; no core files
  add_test(NAME test_rel_secrets COMMAND sh ${REL_DIR}/test_secrets.sh ${PROJECT_BINARY_DIR}
    ${PROJECT_SOURCE_DIR})
  set_tests_properties(test_rel_secrets PROPERTIES TIMEOUT 120)
  # the running kiosk is not dumpable and has RLIMIT_CORE 0 (tests/reliability/KNOWN_FAILURES.md)
  add_test(NAME test_rel_nodump COMMAND sh ${REL_DIR}/test_secrets.sh ${PROJECT_BINARY_DIR}
    ${PROJECT_SOURCE_DIR} --nodump)
  set_tests_properties(test_rel_nodump PROPERTIES TIMEOUT 60)
  # valgrind memcheck of the kiosk, export and import: not under the sanitizers (they do not
  # mix), nor in a cross build (valgrind cannot run arm64 code under qemu; tools/cross-test
  # says so). Without valgrind installed it is reported as skipped.
  if(NOT DEBRIEF_SANITIZE AND NOT CMAKE_CROSSCOMPILING)
    add_test(NAME test_rel_valgrind COMMAND sh ${REL_DIR}/test_valgrind.sh ${PROJECT_BINARY_DIR}
      ${PROJECT_SOURCE_DIR})
    set_tests_properties(test_rel_valgrind PROPERTIES TIMEOUT 300)
  endif()
endif()
