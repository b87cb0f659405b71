# Build-time embedding of a text asset (the dashboard page): writes OUTPUT, a C++ source
# defining `const std::string_view NAMESPACE::NAME` that holds the bytes of INPUT.
#   cmake -DINPUT=page.html -DOUTPUT=page.cc -DNAME=kPage -DNAMESPACE=sas::ops -P EmbedFile.cmake
file(READ "${INPUT}" content)
set(delimiter "sas_embed")
string(FIND "${content}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )${delimiter}\"")
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated at build time from ${INPUT} by cmake/EmbedFile.cmake; do not edit.\n"
  "#include <string_view>\n\n"
  "namespace ${NAMESPACE} {\n"
  "extern const std::string_view ${NAME};\n"
  "const std::string_view ${NAME} = R\"${delimiter}(${content})${delimiter}\";\n"
  "}  // namespace ${NAMESPACE}\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
