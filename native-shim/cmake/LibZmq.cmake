# libzmq for the plugin: a static library built from source with position-independent code and hidden
# symbols, CURVE through the bundled tweetnacl (no libsodium), nothing else (no TLS/WS/PGM/NORM/libbsd).
# Debian's libzmq.a is not PIC and cannot go into a shared object (../shared/docs/reference/zeromq-interop.md).
#
# Inputs (cache variables):
#   JB_LIBZMQ_SOURCE_DIR  a libzmq source tree to use (any platform); default: fetched once into the build
#                         folder with cmake/fetch-libzmq.sh (Debian's source package via apt-get source)
#   JB_LIBZMQ_PREFIX      an install prefix that already holds a suitable static libzmq (skips the build)
# Output: the imported target jb::libzmq.
include(ExternalProject)

set(JB_LIBZMQ_SOURCE_DIR "" CACHE PATH "libzmq source tree (default: fetched into the build folder)")
set(JB_LIBZMQ_PREFIX "" CACHE PATH "prefix of a prebuilt static, PIC libzmq (default: build from source)")

if(WIN32)
  # libzmq's CMake names a static MSVC build after the toolset, runtime and version, e.g.
  # libzmq-v143-mt-s-4_3_4.lib: set JB_LIBZMQ_LIBRARY_NAME to what the build produced.
  set(JB_LIBZMQ_LIBRARY_NAME "libzmq-v143-mt-s-4_3_4.lib" CACHE STRING "file name of the static libzmq library")
else()
  set(JB_LIBZMQ_LIBRARY_NAME "libzmq.a" CACHE STRING "file name of the static libzmq library")
endif()
set(_zmq_lib_name "${JB_LIBZMQ_LIBRARY_NAME}")

if(JB_LIBZMQ_PREFIX)
  set(_zmq_prefix "${JB_LIBZMQ_PREFIX}")
  add_custom_target(jb_libzmq_build)
else()
  set(_zmq_prefix "${CMAKE_BINARY_DIR}/libzmq-install")
  set(_zmq_src "${JB_LIBZMQ_SOURCE_DIR}")
  if(NOT _zmq_src)
    set(_zmq_src "${CMAKE_BINARY_DIR}/libzmq-src")
    if(NOT EXISTS "${_zmq_src}/CMakeLists.txt")
      message(STATUS "Fetching libzmq source into ${_zmq_src}")
      execute_process(COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/fetch-libzmq.sh" "${_zmq_src}" RESULT_VARIABLE _rc)
      if(NOT _rc EQUAL 0)
        message(FATAL_ERROR "could not get libzmq's source (see above); set JB_LIBZMQ_SOURCE_DIR or JB_LIBZMQ_PREFIX")
      endif()
    endif()
  endif()
  ExternalProject_Add(jb_libzmq_build
    SOURCE_DIR "${_zmq_src}"
    BINARY_DIR "${CMAKE_BINARY_DIR}/libzmq-build"
    INSTALL_DIR "${_zmq_prefix}"
    CMAKE_ARGS
      -DCMAKE_BUILD_TYPE=Release
      -DCMAKE_INSTALL_PREFIX=<INSTALL_DIR>
      -DCMAKE_INSTALL_LIBDIR=lib
      -DCMAKE_C_COMPILER=${CMAKE_C_COMPILER}
      -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}
      -DCMAKE_POSITION_INDEPENDENT_CODE=ON
      -DCMAKE_C_VISIBILITY_PRESET=hidden
      -DCMAKE_CXX_VISIBILITY_PRESET=hidden
      -DCMAKE_MSVC_RUNTIME_LIBRARY=${CMAKE_MSVC_RUNTIME_LIBRARY}
      -DBUILD_SHARED=OFF -DBUILD_STATIC=ON -DBUILD_TESTS=OFF -DWITH_DOCS=OFF -DWITH_PERF_TOOL=OFF
      -DENABLE_DRAFTS=OFF -DENABLE_WS=OFF -DWITH_TLS=OFF -DWITH_LIBBSD=OFF -DWITH_OPENPGM=OFF -DWITH_NORM=OFF
      -DWITH_VMCI=OFF -DENABLE_CURVE=ON -DWITH_LIBSODIUM=OFF -DENABLE_CPACK=OFF -DZMQ_BUILD_TESTS=OFF
    BUILD_BYPRODUCTS "<INSTALL_DIR>/lib/${_zmq_lib_name}"
    UPDATE_COMMAND ""
    LOG_CONFIGURE ON LOG_BUILD ON LOG_INSTALL ON LOG_OUTPUT_ON_FAILURE ON
  )
endif()

file(MAKE_DIRECTORY "${_zmq_prefix}/include")
add_library(jb::libzmq STATIC IMPORTED GLOBAL)
set_target_properties(jb::libzmq PROPERTIES
  IMPORTED_LOCATION "${_zmq_prefix}/lib/${_zmq_lib_name}"
  INTERFACE_INCLUDE_DIRECTORIES "${_zmq_prefix}/include"
  INTERFACE_COMPILE_DEFINITIONS ZMQ_STATIC)
if(WIN32)
  set_property(TARGET jb::libzmq APPEND PROPERTY INTERFACE_LINK_LIBRARIES ws2_32 iphlpapi advapi32)
elseif(NOT APPLE)
  set_property(TARGET jb::libzmq APPEND PROPERTY INTERFACE_LINK_LIBRARIES pthread)
endif()
add_dependencies(jb::libzmq jb_libzmq_build)
