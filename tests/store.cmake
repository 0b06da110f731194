# The sqlite response store: sessions, durable puts, migrations, full disk, export bookkeeping.
debrief_test(test_store SOURCES test_store.c LIBS debrief_store debrief_crypto debrief_common m)
