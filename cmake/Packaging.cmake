# Debian packages (tools/package runs cpack -G DEB): debrief-kiosk for the Pi, debrief-cli
# for analysts' laptops (and the Pi, for 'debrief fingerprint' and 'debrief export').
# The binaries' install() rules name their component (cli, kiosk) in app/*/CMakeLists.txt.
# Cross builds (cmake/toolchain-aarch64.cmake) get the target's Debian architecture.
include(GNUInstallDirs)

set(DEBRIEF_PKG_DATADIR ${CMAKE_INSTALL_DATADIR}/debrief)

if(DEBRIEF_KIOSK)
  # The example survey; the default kiosk.conf names /usr/share/debrief/surveys/ccdg.json,
  # and the kiosk's demo mode finds it there too (relative to /usr/bin/debrief-kiosk).
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/assets/surveys DESTINATION ${DEBRIEF_PKG_DATADIR}
          COMPONENT kiosk)
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/systemd/debrief-kiosk.service
                ${PROJECT_SOURCE_DIR}/packaging/systemd/debrief-usb-mount@.service
                ${PROJECT_SOURCE_DIR}/packaging/systemd/debrief-usb-eject.path
                ${PROJECT_SOURCE_DIR}/packaging/systemd/debrief-usb-eject.service
          DESTINATION lib/systemd/system COMPONENT kiosk)
  # USB sticks for export, mounted for the kiosk by udev + systemd-mount (DEPLOY.md).
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/udev/80-debrief-usb.rules
          DESTINATION lib/udev/rules.d COMPONENT kiosk)
  install(PROGRAMS ${PROJECT_SOURCE_DIR}/packaging/lib/usb-mount
          DESTINATION lib/debrief COMPONENT kiosk)
  # The settings' templates: postinst copies each to /etc/debrief once, if it is missing, and
  # never touches it again. Not conffiles: a changed template would stop a non-interactive
  # upgrade at dpkg's conffile prompt wherever the site edited its copy (DEPLOY.md).
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/etc/kiosk.conf
                ${PROJECT_SOURCE_DIR}/packaging/etc/environment
          DESTINATION ${DEBRIEF_PKG_DATADIR} COMPONENT kiosk)
  install(FILES ${PROJECT_SOURCE_DIR}/docs/DEPLOY.md
          DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/debrief-kiosk COMPONENT kiosk)
endif()

# Both packages: the changelog (native: changelog.gz, compressed as dpkg would), the
# copyright file, and lintian overrides, each justified in its file.
set(DEBRIEF_CHANGELOG_GZ ${CMAKE_BINARY_DIR}/changelog.gz)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${PROJECT_SOURCE_DIR}/packaging/debian/changelog)
execute_process(COMMAND gzip -9nc ${PROJECT_SOURCE_DIR}/packaging/debian/changelog
                OUTPUT_FILE ${DEBRIEF_CHANGELOG_GZ} RESULT_VARIABLE gzip_rc)
if(NOT gzip_rc EQUAL 0)
  message(FATAL_ERROR "Packaging: cannot compress packaging/debian/changelog")
endif()
set(DEBRIEF_PKG_COMPONENTS cli)
if(DEBRIEF_KIOSK)
  list(APPEND DEBRIEF_PKG_COMPONENTS kiosk)
endif()
foreach(c ${DEBRIEF_PKG_COMPONENTS})
  install(FILES ${DEBRIEF_CHANGELOG_GZ} ${PROJECT_SOURCE_DIR}/packaging/debian/copyright
          DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/debrief-${c} COMPONENT ${c})
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/debian/lintian-overrides-${c}
          DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME debrief-${c}
          COMPONENT ${c})
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME debrief)
set(CPACK_PACKAGE_VENDOR "Debrief")
set(DEBRIEF_MAINTAINER "Debrief maintainers <debrief@localhost>" CACHE STRING
    "the packages' Maintainer: the site that builds them (see packaging/debian/lintian-overrides-*)")
set(CPACK_PACKAGE_CONTACT "${DEBRIEF_MAINTAINER}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# No CPACK_PACKAGE_DESCRIPTION_SUMMARY: each package's first description line is its synopsis.
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)

# cpack asks dpkg for the architecture, which is the build machine's: say the target's.
if(CMAKE_CROSSCOMPILING)
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
  elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^arm")
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE armhf)
  elseif(CMAKE_SYSTEM_PROCESSOR STREQUAL "x86_64")
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
  else()
    message(FATAL_ERROR "Packaging: no Debian architecture known for ${CMAKE_SYSTEM_PROCESSOR}")
  endif()
endif()

if(DEBRIEF_KIOSK)
  set(CPACK_COMPONENTS_ALL kiosk cli)
else()
  set(CPACK_COMPONENTS_ALL cli)
endif()

# Dependencies are written out (not dpkg-shlibdeps) so that cross builds get the same list;
# tests/packaging/test_packages.sh checks that every library the binaries need (readelf -d
# NEEDED) comes from a package named here. Minimum versions: Debian 12 / Raspberry Pi OS
# bookworm, which the code is written and tested against.
set(DEBRIEF_DEB_LIBS "libc6 (>= 2.34), libsodium23 (>= 1.0.18), libsqlite3-0 (>= 3.34), libjansson4 (>= 2.13)")

set(CPACK_DEBIAN_CLI_PACKAGE_NAME debrief-cli)
set(CPACK_COMPONENT_CLI_DESCRIPTION
    "offline survey kiosk: coordinator and analyst tool\nThe debrief command: keys, export, verify, import, CSV and reports of the\nresponses collected by Debrief kiosks. No graphics needed: this is the\npackage for analysts' machines.")
if(DEBRIEF_XLSX)
  set(CPACK_DEBIAN_CLI_PACKAGE_DEPENDS "${DEBRIEF_DEB_LIBS}, libxlsxwriter4 (>= 1.1.4)")
else()
  set(CPACK_DEBIAN_CLI_PACKAGE_DEPENDS "${DEBRIEF_DEB_LIBS}")
endif()
set(CPACK_DEBIAN_CLI_PACKAGE_SECTION utils)

set(CPACK_DEBIAN_KIOSK_PACKAGE_NAME debrief-kiosk)
set(CPACK_COMPONENT_KIOSK_DESCRIPTION
    "offline survey kiosk: the participants' touchscreen\nRuns on the console (KMSDRM, no desktop) under systemd and seals every\nresponse to the analyst's public key before it is stored. Creates the\nsystem user debrief; the service is not enabled until configured.")
# What SDL loads at run time on the console (KMSDRM), not named by libsdl2-2.0-0 (whose
# Depends stop at libgbm1 and libdrm2), and which a development machine only has because the
# SDL -dev packages bring it: libudev1 (SDL finds the touch screen through udev), libegl1 and
# libegl-mesa0 (EGL on GBM), libgles2 (the OpenGL ES 2 renderer the kiosk uses on KMSDRM) and
# libgl1-mesa-dri (Mesa's drivers: vc4/v3d on a Pi, kms_swrast elsewhere). tools/emulated-pi
# boots the package on a clean system and checks that every library the running kiosk has
# mapped comes from one of these packages or theirs.
set(DEBRIEF_DEB_KMSDRM "libudev1, libegl1, libegl-mesa0, libgles2, libgl1-mesa-dri")
set(CPACK_DEBIAN_KIOSK_PACKAGE_DEPENDS
    "debrief-cli (= ${PROJECT_VERSION}), ${DEBRIEF_DEB_LIBS}, libsdl2-2.0-0 (>= 2.26), libsdl2-ttf-2.0-0 (>= 2.20), libpng16-16 (>= 1.6.39), ${DEBRIEF_DEB_KMSDRM}, fonts-dejavu-core, adduser, init-system-helpers (>= 1.54~)")
set(CPACK_DEBIAN_KIOSK_PACKAGE_CONTROL_EXTRA
    "${PROJECT_SOURCE_DIR}/packaging/debian/postinst;${PROJECT_SOURCE_DIR}/packaging/debian/prerm;${PROJECT_SOURCE_DIR}/packaging/debian/postrm")
set(CPACK_DEBIAN_KIOSK_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
