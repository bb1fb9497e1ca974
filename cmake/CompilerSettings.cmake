# Warning and sanitizer flags for every target of this project, through one
# interface library, so that third-party headers keep their own flags.
add_library(smtp_build_flags INTERFACE)
target_compile_options(smtp_build_flags INTERFACE -Wall -Wextra -Wpedantic
                       $<$<BOOL:${SMTP_WERROR}>:-Werror>)

# GCC 12 reports Asio's coroutine frames as "operator delete called on a
# pointer from a mismatched allocation function" at -O2: a false positive of
# its coroutine lowering (the frame's own operator new/delete pair is used),
# seen only in optimised builds of coroutine code. GCC 13 does not report it.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(smtp_build_flags INTERFACE -Wno-mismatched-new-delete)
  # GCC 12 in C++20 at -O2 also reports `"x" + std::string(...)` (libstdc++'s
  # operator+(const char*, string&&) inlined into _M_replace) as a memcpy
  # that "may overlap": a known false positive of that compiler, reported
  # against many projects (googletest#4108, dyninst#1422), fixed in GCC 13.
  # Rewriting every such concatenation would only hide it case by case.
  target_compile_options(smtp_build_flags INTERFACE -Wno-restrict)
endif()

if(SMTP_SANITIZE OR SMTP_FUZZ)
  # ASan does not see a read past a string_view's end inside a std::string;
  # libstdc++'s assertions do (a fuzzer found such a bug in the path parser).
  target_compile_definitions(smtp_build_flags INTERFACE _GLIBCXX_ASSERTIONS)
endif()

if(SMTP_SANITIZE)
  set(_smtp_san -fsanitize=address,undefined -fno-omit-frame-pointer
                -fno-sanitize-recover=undefined)
  target_compile_options(smtp_build_flags INTERFACE ${_smtp_san})
  target_link_options(smtp_build_flags INTERFACE ${_smtp_san})
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # The sanitizer preset builds at -Og with line tables only (-g1): enough
    # for symbolised sanitizer stacks (docs/ARCHITECTURE.md, "CI time", says
    # why -Og). GCC still runs its variable-tracking pass for them, which
    # costs 10-15% of an Asio unit's compile time and adds nothing a stack
    # trace uses.
    target_compile_options(smtp_build_flags INTERFACE -fno-var-tracking-assignments)
  endif()
endif()

if(SMTP_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "SMTP_FUZZ needs clang (use the 'fuzz' preset)")
  endif()
  # Libraries are instrumented for coverage; only the fuzz targets link the
  # libFuzzer main (tests/fuzz/CMakeLists.txt).
  set(_smtp_fuzz -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                 -fno-sanitize-recover=undefined)
  target_compile_options(smtp_build_flags INTERFACE ${_smtp_fuzz})
  target_link_options(smtp_build_flags INTERFACE -fsanitize=address,undefined)
endif()
