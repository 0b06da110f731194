# app/survey: survey definitions and response encoding. Fixtures live in tests/data/surveys/.
debrief_test(test_survey SOURCES test_survey.c LIBS debrief_survey debrief_crypto)
debrief_test(test_response SOURCES test_response.c LIBS debrief_survey debrief_crypto)
