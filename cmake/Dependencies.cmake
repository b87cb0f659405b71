# Finds every third-party dependency and exposes it as imported targets.
#
# Arrow C++: a normal installation (Arrow's own CMake packages) is preferred; when none is
# found, the C++ libraries and headers shipped in the pyarrow wheel of the project's .venv
# are used (see ArrowFromWheel.cmake). Everything else comes from Debian packages.

find_package(Arrow CONFIG QUIET)
if(Arrow_FOUND)
  find_package(ArrowCompute CONFIG REQUIRED)
  find_package(ArrowAcero CONFIG REQUIRED)
  find_package(ArrowDataset CONFIG REQUIRED)
  find_package(ArrowFlight CONFIG REQUIRED)
  find_package(Parquet CONFIG REQUIRED)
  set(SAS_ARROW_ORIGIN "system install (${Arrow_DIR})")
else()
  include(ArrowFromWheel)
  set(SAS_ARROW_ORIGIN "pyarrow wheel (${SAS_ARROW_WHEEL_DIR})")
endif()
include(CheckArrowAbi)

# One target that brings all of Arrow C++ we use.
add_library(sas_arrow INTERFACE)
target_link_libraries(
  sas_arrow
  INTERFACE Arrow::arrow_shared ArrowCompute::arrow_compute_shared
            ArrowAcero::arrow_acero_shared ArrowDataset::arrow_dataset_shared
            ArrowFlight::arrow_flight_shared Parquet::parquet_shared)
if(TARGET ArrowS3::arrow_s3_shared)
  # Nothing references its symbols: keep it linked for its s3:// registrar.
  target_link_libraries(sas_arrow INTERFACE -Wl,--no-as-needed ArrowS3::arrow_s3_shared
                                            -Wl,--as-needed)
  set(SAS_ARROW_S3_MODULE "linked")
endif()
message(STATUS "Arrow C++ ${Arrow_VERSION} from ${SAS_ARROW_ORIGIN}")

find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
find_package(nlohmann_json 3 REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
add_library(httplib::httplib ALIAS PkgConfig::HTTPLIB)
find_package(GTest REQUIRED)
find_package(benchmark QUIET)

# gRPC C++ and protobuf (Debian) for the upstream RawLedgerService client. Arrow Flight from
# the wheel carries its own gRPC, linked in with hidden symbols, so the two do not meet.
find_package(gRPC CONFIG REQUIRED)
find_program(SAS_PROTOC protoc REQUIRED)
find_program(SAS_GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
