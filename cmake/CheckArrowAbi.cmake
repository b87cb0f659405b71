# Verifies at configure time that Arrow C++ links and runs with this compiler's C++ ABI
# (std::string crosses the boundary in Status::ToString) and reports its version.
set(_sas_abi_dir "${CMAKE_BINARY_DIR}/arrow_abi_check")
file(WRITE "${_sas_abi_dir}/main.cc" [=[
#include <arrow/config.h>
#include <arrow/status.h>
#include <iostream>
int main() {
  std::string text = arrow::Status::Invalid("abi").ToString();
  if (text != "Invalid: abi") return 1;
  std::cout << arrow::GetBuildInfo().version_string;
  return 0;
}
]=])
try_run(_sas_abi_run _sas_abi_compile
        SOURCES "${_sas_abi_dir}/main.cc"
        LINK_LIBRARIES Arrow::arrow_shared
        CXX_STANDARD 20
        COMPILE_OUTPUT_VARIABLE _sas_abi_compile_out
        RUN_OUTPUT_VARIABLE _sas_abi_run_out)
if(NOT _sas_abi_compile OR NOT _sas_abi_run EQUAL 0)
  message(FATAL_ERROR
    "Arrow C++ cannot be used with this compiler (C++ ABI mismatch or missing headers).\n"
    "compile: ${_sas_abi_compile_out}\nrun (${_sas_abi_run}): ${_sas_abi_run_out}")
endif()
message(STATUS "Arrow C++ ABI check passed (runtime version ${_sas_abi_run_out})")
