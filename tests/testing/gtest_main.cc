// GoogleTest main for every test binary: registers Arrow's compute kernels first.
#include <cstdio>

#include <arrow/compute/initialize.h>
#include <gtest/gtest.h>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (arrow::Status status = arrow::compute::Initialize(); !status.ok()) {
    fprintf(stderr, "arrow::compute::Initialize failed: %s\n", status.ToString().c_str());
    return 1;
  }
  return RUN_ALL_TESTS();
}
