#include "analytics/tdigest.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace sas::analytics {
namespace {

/// Fraction of `sorted` values at or below `value`.
double RankOf(const std::vector<double>& sorted, double value) {
  auto at_or_below =
      std::upper_bound(sorted.begin(), sorted.end(), value) - sorted.begin();
  return static_cast<double>(at_or_below) / static_cast<double>(sorted.size());
}

TEST(TDigest, QuantilesAreWithinOnePercentOfRank) {
  std::mt19937_64 random(7);
  std::lognormal_distribution<double> fees(5, 1.5);  // skewed, like fees and amounts
  TDigest digest;
  std::vector<double> values;
  for (int i = 0; i < 200'000; ++i) {
    values.push_back(fees(random));
    digest.Add(values.back());
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999}) {
    double rank = RankOf(values, digest.Quantile(q));
    EXPECT_NEAR(rank, q, 0.01) << "q=" << q;
    if (q <= 0.01 || q >= 0.99) {
      EXPECT_NEAR(rank, q, 0.002) << "tail q=" << q;
    }
  }
  EXPECT_LT(digest.Bytes(), 16 * 1024);  // bounded, whatever the count
}

TEST(TDigest, MergedDigestsSummarizeTheUnion) {
  std::mt19937_64 random(3);
  std::uniform_real_distribution<double> uniform(0, 1000);
  TDigest left;
  TDigest right;
  std::vector<double> values;
  for (int i = 0; i < 50'000; ++i) {
    values.push_back(uniform(random));
    (i % 3 == 0 ? left : right).Add(values.back());
  }
  left.Merge(right);
  EXPECT_EQ(left.count(), 50'000);
  std::sort(values.begin(), values.end());
  for (double q : {0.05, 0.5, 0.95})
    EXPECT_NEAR(RankOf(values, left.Quantile(q)), q, 0.01);
}

TEST(TDigest, SmallAndEmptyDigests) {
  TDigest digest;
  EXPECT_TRUE(std::isnan(digest.Quantile(0.5)));
  digest.Add(42);
  EXPECT_EQ(digest.Quantile(0.99), 42);
  for (double v : {1.0, 2.0, 3.0}) digest.Add(v);
  EXPECT_GE(digest.Quantile(0), 1);
  EXPECT_LE(digest.Quantile(1), 42);
}

}  // namespace
}  // namespace sas::analytics
