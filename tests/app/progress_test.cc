#include "app/progress.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace sas::app {
namespace {

/// A temporary file standing in for stderr.
class CapturedOutput {
 public:
  CapturedOutput() : file_(std::tmpfile(), &std::fclose) {}
  std::FILE* get() const { return file_.get(); }
  /// Returns everything written so far.
  std::string Text() const {
    std::fflush(file_.get());
    long size = std::ftell(file_.get());
    std::string text(static_cast<size_t>(size), '\0');
    std::rewind(file_.get());
    EXPECT_EQ(std::fread(text.data(), 1, text.size(), file_.get()), text.size());
    return text;
  }

 private:
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_;
};

TEST(FormatBytes, UsesDecimalUnits) {
  EXPECT_EQ(FormatBytes(812), "812 B");
  EXPECT_EQ(FormatBytes(45'600), "45.6 kB");
  EXPECT_EQ(FormatBytes(45'600'000), "45.6 MB");
  EXPECT_EQ(FormatBytes(1'230'000'000), "1.23 GB");
}

TEST(Progress, SummaryNamesLedgersRowsBytesSecondsAndRates) {
  CapturedOutput out;
  Progress progress("archived", 100, ProgressStyle::kPlain, out.get());
  EXPECT_EQ(
      progress.Summary({.ledgers = 100, .rows = 5000, .bytes = 2'000'000}, 4.0),
      "archived 100 ledgers, 5000 rows, 2.0 MB in 4.00 s (25.0 ledgers/s, 0.50 MB/s)");
  EXPECT_EQ(progress.Summary({.ledgers = 10, .bytes = 500}, 2.0),
            "archived 10 ledgers, 500 B in 2.00 s (5.0 ledgers/s, 0.00 MB/s)");
}

TEST(Progress, PlainStyleWritesOnlyTheSummaryForAShortJob) {
  CapturedOutput out;
  Progress progress("ingested", 10, ProgressStyle::kPlain, out.get());
  for (uint64_t i = 1; i <= 10; ++i) progress.Update({.ledgers = i, .bytes = i * 100});
  std::string summary = progress.Finish();
  EXPECT_EQ(out.Text(), summary + "\n");
  EXPECT_TRUE(summary.starts_with("ingested 10 ledgers, 1.0 kB in ")) << summary;
}

TEST(Progress, TerminalStyleRedrawsOneLineWithABarThenClearsIt) {
  setenv("COLUMNS", "200", 1);
  CapturedOutput out;
  Progress progress("fetched", 4, ProgressStyle::kTerminal, out.get());
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  progress.Update({.ledgers = 1, .rows = 10, .bytes = 1000});
  std::string summary = progress.Finish();
  std::string text = out.Text();
  EXPECT_TRUE(
      text.starts_with("\r\x1b[Kfetched [====>           ] 25.0% 1/4 ledgers, ETA"))
      << text;
  EXPECT_NE(text.find(", 10 rows, 1.0 kB ("), std::string::npos) << text;
  EXPECT_TRUE(text.ends_with("\r\x1b[K" + summary + "\n")) << text;
  EXPECT_EQ(text.find('\n'), text.size() - 1) << "one line, redrawn in place";
  unsetenv("COLUMNS");
}

TEST(Progress, TerminalLineFitsTheTerminalWidth) {
  setenv("COLUMNS", "40", 1);
  CapturedOutput out;
  Progress progress("fetched", 4, ProgressStyle::kTerminal, out.get());
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  progress.Update({.ledgers = 1, .rows = 10, .bytes = 1000});
  // The first field is cut to the width; the others are left out whole, never cut.
  EXPECT_EQ(out.Text(), "\r\x1b[Kfetched [====>           ] 25.0% 1/4 le");  // 39 columns
  unsetenv("COLUMNS");
}

}  // namespace
}  // namespace sas::app
