# Writes OUTPUT, a C++ file defining `const std::string& NAMESPACE::FUNCTION()`
# (declared in HEADER) as the text of INPUT, so that a file of the repository
# (check_prelude.lua, docs/CONFORMANCE.md) is compiled into the program and
# stays readable as itself. The raw string's delimiter DELIMITER must not
# occur in the text.
file(READ ${INPUT} text)
string(FIND "${text}" ")${DELIMITER}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string delimiter )${DELIMITER}\"")
endif()
get_filename_component(input_name ${INPUT} NAME)
file(WRITE ${OUTPUT}
  "// Generated from ${input_name} by embed_text.cmake; do not edit.\n"
  "#include \"${HEADER}\"\n\n"
  "namespace ${NAMESPACE} {\n\n"
  "const std::string& ${FUNCTION}() {\n"
  "  static const std::string text = R\"${DELIMITER}(${text})${DELIMITER}\";\n"
  "  return text;\n"
  "}\n\n"
  "}  // namespace ${NAMESPACE}\n")
