# Kiosk: the UI core (layout at every size, keyboard, idle, rotation, scripts) and whole
# sessions driven headless through debrief-kiosk --script (SDL dummy video driver).
debrief_test(test_kiosk_ui SOURCES test_kiosk_ui.c LIBS debrief_kiosk_app debrief_kiosk_sdl
  debrief_kiosk_ui debrief_survey debrief_crypto debrief_common m)
set_property(TEST test_kiosk_ui APPEND PROPERTY ENVIRONMENT "SDL_VIDEODRIVER=dummy")

# Drawing shortcuts (opaque text, partial redraw): every frame of whole sessions, pixel for
# pixel, against the same frames drawn whole and plainly.
debrief_test(test_kiosk_redraw SOURCES test_kiosk_redraw.c LIBS debrief_kiosk_sdl debrief_kiosk_ui
  debrief_survey debrief_crypto debrief_common)
set_property(TEST test_kiosk_redraw APPEND PROPERTY ENVIRONMENT "SDL_VIDEODRIVER=dummy")

# The selftest's checks that read system files, fed files of the test's own.
debrief_test(test_kiosk_selftest SOURCES test_kiosk_selftest.c LIBS debrief_kiosk_app)

debrief_test(test_kiosk_session SOURCES test_kiosk_session.c LIBS debrief_kiosk_app debrief_store
  debrief_survey debrief_crypto debrief_common)
add_dependencies(test_kiosk_session debrief-kiosk)
set_property(TEST test_kiosk_session APPEND PROPERTY ENVIRONMENT "SDL_VIDEODRIVER=dummy")

# Where the admin screen exports: mounted drives only (tmpfs stand-ins in a private mount
# namespace; skipped without root).
debrief_test(test_kiosk_drive SOURCES test_kiosk_drive.c LIBS debrief_kiosk_app)

# Real input: the kiosk on Xvfb (SDL_VIDEODRIVER=x11) driven by xdotool: double taps, taps off
# centre, a drag across buttons (skipped, exit 77, without Xvfb or xdotool).
debrief_test(test_kiosk_xinput SOURCES test_kiosk_xinput.c LIBS debrief_kiosk_sdl debrief_kiosk_ui
  debrief_store debrief_survey debrief_crypto debrief_common)
add_dependencies(test_kiosk_xinput debrief-kiosk)
set_property(TEST test_kiosk_xinput PROPERTY SKIP_RETURN_CODE 77)
