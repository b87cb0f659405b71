# Fails the build when the XDR definitions differ from the checked-in hash.
file(STRINGS "${EXPECTED}" _expected LIMIT_COUNT 1)
file(STRINGS "${ACTUAL}" _actual LIMIT_COUNT 1)
if(NOT _expected STREQUAL _actual)
  message(FATAL_ERROR
    "The Stellar XDR definitions changed (stellar-sdk update?).\n"
    "  checked in (src/xdr/xdr_definitions.sha256): ${_expected}\n"
    "  generated now: ${_actual}\n"
    "Review the definition changes, then write the new hash into src/xdr/xdr_definitions.sha256.")
endif()
