# Writes OUTPUT, a C++ file defining smtp::reports::html::report_style() as
# the text of INPUT (style.css), so that every report carries its stylesheet
# inline. The raw string's delimiter must not occur in the CSS, nor "</style",
# which would end the <style> element early.
file(READ ${INPUT} text)
string(FIND "${text}" ")css\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string delimiter )css\"")
endif()
string(TOLOWER "${text}" lower)
string(FIND "${lower}" "</style" early_end)
if(NOT early_end EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains </style")
endif()
file(WRITE ${OUTPUT}
  "// Generated from style.css by embed_style.cmake; do not edit.\n"
  "#include \"reports/html/report_style.hpp\"\n\n"
  "namespace smtp::reports::html {\n\n"
  "const std::string& report_style() {\n"
  "  static const std::string style = R\"css(${text})css\";\n"
  "  return style;\n"
  "}\n\n"
  "}  // namespace smtp::reports::html\n")
