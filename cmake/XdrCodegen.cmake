# Generates the Stellar XDR codec at build time (never committed):
#   1. tools/xdrgen/collect_sdk.py gathers the XDR definitions from the pinned stellar-sdk;
#   2. their SHA-256 must equal src/xdr/xdr_definitions.sha256 (a definitions change is a
#      deliberate, reviewed update of that file);
#   3. tools/xdrgen/xdrgen.py emits C++ for the types reachable from the roots below.
# Defines SAS_XDR_GENERATED_SOURCES and SAS_XDR_DEFINITIONS_HASH.

set(SAS_XDR_GEN_DIR "${CMAKE_BINARY_DIR}/gen")
set(SAS_XDR_ROOTS
    LedgerCloseMeta LedgerCloseMetaBatch TransactionEnvelope TransactionResult
    TransactionResultPair TransactionMeta LedgerEntry LedgerKey LedgerHeader
    LedgerHeaderHistoryEntry SCVal ContractEvent TransactionSignaturePayload LedgerUpgrade
    SCPHistoryEntry)
list(JOIN SAS_XDR_ROOTS "," _sas_xdr_roots)
set(_sas_xdrgen "${CMAKE_SOURCE_DIR}/tools/xdrgen")
file(GLOB _sas_xdrgen_sources CONFIGURE_DEPENDS "${_sas_xdrgen}/*.py")
set(_sas_definitions "${SAS_XDR_GEN_DIR}/stellar.x")
set(_sas_hash_file "${CMAKE_SOURCE_DIR}/src/xdr/xdr_definitions.sha256")
file(STRINGS "${_sas_hash_file}" SAS_XDR_DEFINITIONS_HASH LIMIT_COUNT 1)

execute_process(
  COMMAND "${SAS_PYTHON}" "${_sas_xdrgen}/xdrgen.py" --list-outputs --prefix stellar_xdr
  OUTPUT_VARIABLE _sas_xdr_outputs
  RESULT_VARIABLE _sas_rc
  OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _sas_rc EQUAL 0)
  message(FATAL_ERROR "tools/xdrgen/xdrgen.py --list-outputs failed")
endif()
string(REPLACE "\n" ";" _sas_xdr_outputs "${_sas_xdr_outputs}")
list(TRANSFORM _sas_xdr_outputs PREPEND "${SAS_XDR_GEN_DIR}/")

add_custom_command(
  OUTPUT "${_sas_definitions}"
  COMMAND "${SAS_PYTHON}" "${_sas_xdrgen}/collect_sdk.py" --out "${_sas_definitions}"
  DEPENDS "${_sas_xdrgen}/collect_sdk.py" "${CMAKE_SOURCE_DIR}/requirements-dev.txt"
  COMMENT "Collecting Stellar XDR definitions from stellar-sdk")

add_custom_command(
  OUTPUT ${_sas_xdr_outputs} "${SAS_XDR_GEN_DIR}/stellar_xdr.sha256"
  COMMAND "${SAS_PYTHON}" "${_sas_xdrgen}/xdrgen.py" --input "${_sas_definitions}"
          --out-dir "${SAS_XDR_GEN_DIR}" --namespace stellar::xdr --prefix stellar_xdr
          --roots "${_sas_xdr_roots}" --hash-out "${SAS_XDR_GEN_DIR}/stellar_xdr.sha256"
  COMMAND "${CMAKE_COMMAND}" -DEXPECTED=${_sas_hash_file}
          -DACTUAL=${SAS_XDR_GEN_DIR}/stellar_xdr.sha256 -P
          "${CMAKE_SOURCE_DIR}/cmake/CheckXdrHash.cmake"
  DEPENDS "${_sas_definitions}" ${_sas_xdrgen_sources} "${_sas_hash_file}"
  COMMENT "Generating the C++ XDR codec")

set(SAS_XDR_GENERATED_SOURCES ${_sas_xdr_outputs})

# Everything that includes the generated headers depends on this target.
add_custom_target(sas_xdr_codegen DEPENDS ${_sas_xdr_outputs})

# Generates C++ from a small .x file for the generator's own tests (tests/xdr/).
# Sets OUT_VAR to the generated sources in ${SAS_XDR_GEN_DIR}/PREFIX/.
function(sas_generate_xdr_test prefix definitions namespace roots out_var)
  set(_dir "${SAS_XDR_GEN_DIR}/${prefix}")
  execute_process(
    COMMAND "${SAS_PYTHON}" "${_sas_xdrgen}/xdrgen.py" --list-outputs --prefix ${prefix}
    OUTPUT_VARIABLE _outputs OUTPUT_STRIP_TRAILING_WHITESPACE)
  string(REPLACE "\n" ";" _outputs "${_outputs}")
  list(TRANSFORM _outputs PREPEND "${_dir}/")
  add_custom_command(
    OUTPUT ${_outputs}
    COMMAND "${SAS_PYTHON}" "${_sas_xdrgen}/xdrgen.py" --input "${definitions}"
            --out-dir "${_dir}" --namespace ${namespace} --prefix ${prefix} --roots ${roots}
    DEPENDS "${definitions}" ${_sas_xdrgen_sources}
    COMMENT "Generating the XDR test codec ${prefix}")
  set(${out_var} ${_outputs} PARENT_SCOPE)
endfunction()
