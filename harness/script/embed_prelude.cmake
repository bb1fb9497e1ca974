# Writes OUTPUT, a C++ file defining smtp::script::check_prelude_source() as
# the text of INPUT (check_prelude.lua). The raw string's delimiter must not
# occur in the Lua.
file(READ ${INPUT} text)
string(FIND "${text}" ")prelude\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string delimiter )prelude\"")
endif()
file(WRITE ${OUTPUT}
  "// Generated from check_prelude.lua by embed_prelude.cmake; do not edit.\n"
  "#include \"script/check_prelude_source.hpp\"\n\n"
  "namespace smtp::script {\n\n"
  "const std::string& check_prelude_source() {\n"
  "  static const std::string source = R\"prelude(${text})prelude\";\n"
  "  return source;\n"
  "}\n\n"
  "}  // namespace smtp::script\n")
