# Each library exposes only its own headers (docs/ARCHITECTURE.md, "Build and
# boundaries"). Sources include headers by layer ("proto/reply.hpp"), but no
# library gets a source directory as its include root: smtp_public_headers()
# links the library's headers into a directory of the build tree that holds
# nothing else, build/<preset>/include/<target>/<prefix>/, and makes that the
# library's PUBLIC include directory. A unit sees the headers of the libraries
# it links and no others, so an include against the layering (say, a proto
# source including "net/transport.hpp") does not compile.
#
#   smtp_public_headers(TARGET PREFIX proto)                  every *.hpp of the
#                                                             current source dir
#   smtp_public_headers(TARGET PREFIX load HEADERS a.hpp ...) just these
#   smtp_public_headers(TARGET PREFIX load EXCLUDE a.hpp ...) all but these
#
# PREFIX is the path the headers are included by; DIRECTORY (default: the
# current source directory) is where they are. A header added to a globbed
# directory is picked up at the next build (CONFIGURE_DEPENDS).
function(smtp_public_headers target)
  cmake_parse_arguments(ARG "" "PREFIX;DIRECTORY" "HEADERS;EXCLUDE" ${ARGN})
  if(NOT ARG_PREFIX)
    message(FATAL_ERROR "smtp_public_headers(${target}): PREFIX is required")
  endif()
  set(dir ${CMAKE_CURRENT_SOURCE_DIR})
  if(ARG_DIRECTORY)
    set(dir ${ARG_DIRECTORY})
  endif()
  if(ARG_HEADERS)
    set(headers ${ARG_HEADERS})
  else()
    file(GLOB headers CONFIGURE_DEPENDS RELATIVE ${dir} ${dir}/*.hpp)
    if(ARG_EXCLUDE)
      list(REMOVE_ITEM headers ${ARG_EXCLUDE})
    endif()
  endif()

  set(root ${CMAKE_BINARY_DIR}/include/${target})
  # Rebuilt from scratch at every configure, so a header that moved to
  # another library stops being visible through this one.
  file(REMOVE_RECURSE ${root}/${ARG_PREFIX})
  file(MAKE_DIRECTORY ${root}/${ARG_PREFIX})
  foreach(header IN LISTS headers)
    if(NOT EXISTS ${dir}/${header})
      message(FATAL_ERROR "smtp_public_headers(${target}): no header ${dir}/${header}")
    endif()
    file(CREATE_LINK ${dir}/${header} ${root}/${ARG_PREFIX}/${header} SYMBOLIC)
  endforeach()

  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE ${root})
  else()
    target_include_directories(${target} PUBLIC ${root})
  endif()
endfunction()
