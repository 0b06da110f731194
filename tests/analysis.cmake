# Analysis side: statistics against R's published values, import/CSV/report end to end.
debrief_test(test_stats SOURCES test_stats.c LIBS debrief_stats debrief_common)
