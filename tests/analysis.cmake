# Analysis side: statistics against R's published values, import/CSV/report end to end.
debrief_test(test_stats SOURCES test_stats.c LIBS debrief_stats debrief_common)
debrief_test(test_analysis SOURCES test_analysis.c LIBS debrief_analysis debrief_coord
  debrief_store debrief_survey debrief_crypto debrief_common)
# test_analysis also runs the CLI (import/status/csv/report) from the build tree.
add_dependencies(test_analysis debrief)
# The report's small-group protection against an attacker that reads its numbers.
debrief_test(test_disclosure SOURCES test_disclosure.c LIBS debrief_analysis debrief_stats
  debrief_survey debrief_common)
