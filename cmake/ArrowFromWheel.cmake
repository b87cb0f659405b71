# Locates Arrow C++ inside the pyarrow wheel installed in the project's virtualenv and
# defines the same imported targets as Arrow's own CMake packages (Arrow::arrow_shared,
# ArrowFlight::arrow_flight_shared, Parquet::parquet_shared, ...).
#
# The wheel ships headers under pyarrow/include and versioned shared libraries
# (libarrow.so.2600, ...) directly in the pyarrow package folder. Binaries get an RPATH to
# that folder (CMake adds it for imported libraries given by full path), so they run
# without LD_LIBRARY_PATH.

if(NOT EXISTS "${SAS_PYTHON}")
  message(FATAL_ERROR
    "No system Arrow C++ found and no project virtualenv at ${SAS_PYTHON}. "
    "Run scripts/bootstrap (or make build) first, or install Arrow C++ and set "
    "CMAKE_PREFIX_PATH to it.")
endif()

execute_process(
  COMMAND "${SAS_PYTHON}" -c
          "import pyarrow, os; print(os.path.dirname(pyarrow.__file__)); print(pyarrow.__version__)"
  OUTPUT_VARIABLE _sas_pyarrow_out
  RESULT_VARIABLE _sas_pyarrow_rc
  ERROR_VARIABLE _sas_pyarrow_err
  OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _sas_pyarrow_rc EQUAL 0)
  message(FATAL_ERROR "pyarrow is not importable from ${SAS_PYTHON}: ${_sas_pyarrow_err}")
endif()
string(REPLACE "\n" ";" _sas_pyarrow_out "${_sas_pyarrow_out}")
list(GET _sas_pyarrow_out 0 SAS_ARROW_WHEEL_DIR)
list(GET _sas_pyarrow_out 1 Arrow_VERSION)
set(SAS_ARROW_WHEEL_DIR "${SAS_ARROW_WHEEL_DIR}" CACHE INTERNAL "")

set(_sas_arrow_include "${SAS_ARROW_WHEEL_DIR}/include")
if(NOT EXISTS "${_sas_arrow_include}/arrow/api.h")
  message(FATAL_ERROR "The pyarrow wheel at ${SAS_ARROW_WHEEL_DIR} has no C++ headers")
endif()
file(STRINGS "${_sas_arrow_include}/arrow/util/config.h" _sas_so_line
     REGEX "#define ARROW_SO_VERSION \"[0-9]+\"")
string(REGEX MATCH "[0-9]+" _sas_so_version "${_sas_so_line}")

# Defines imported target NAMESPACE::TARGET for lib<LIBRARY>.so.<soversion> of the wheel.
function(_sas_wheel_library target library)
  set(_file "${SAS_ARROW_WHEEL_DIR}/lib${library}.so.${_sas_so_version}")
  if(NOT EXISTS "${_file}")
    message(FATAL_ERROR "The pyarrow wheel lacks ${_file}")
  endif()
  add_library(${target} SHARED IMPORTED GLOBAL)
  set_target_properties(
    ${target} PROPERTIES IMPORTED_LOCATION "${_file}" IMPORTED_SONAME
                         "lib${library}.so.${_sas_so_version}"
                         INTERFACE_INCLUDE_DIRECTORIES "${_sas_arrow_include}"
                         INTERFACE_LINK_LIBRARIES "${ARGN}")
endfunction()

_sas_wheel_library(Arrow::arrow_shared arrow)
_sas_wheel_library(ArrowCompute::arrow_compute_shared arrow_compute Arrow::arrow_shared)
_sas_wheel_library(ArrowAcero::arrow_acero_shared arrow_acero
                   ArrowCompute::arrow_compute_shared)
_sas_wheel_library(Parquet::parquet_shared parquet Arrow::arrow_shared)
_sas_wheel_library(ArrowDataset::arrow_dataset_shared arrow_dataset
                   ArrowAcero::arrow_acero_shared Parquet::parquet_shared)
_sas_wheel_library(ArrowFlight::arrow_flight_shared arrow_flight Arrow::arrow_shared)

# Filesystem modules housed in their own libraries (S3 in Arrow 26): linked so that their
# registrars add the URI schemes (s3://) when the program loads.
set(_sas_s3_module "${SAS_ARROW_WHEEL_DIR}/libarrow_s3.so.${_sas_so_version}")
if(EXISTS "${_sas_s3_module}")
  _sas_wheel_library(ArrowS3::arrow_s3_shared arrow_s3 Arrow::arrow_shared)
endif()
