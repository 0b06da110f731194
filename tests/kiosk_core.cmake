# The kiosk's UI core without SDL or fonts (a fake text measurer), in every configuration,
# the CLI-only one included: flow, fingers, keyboards, layout rules at nine sizes.
debrief_test(test_kiosk_core SOURCES test_kiosk_core.c LIBS debrief_kiosk_ui debrief_survey
  debrief_crypto debrief_common)
