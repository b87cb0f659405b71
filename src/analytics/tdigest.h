// A merging t-digest (Dunning & Ertl, "Computing extremely accurate quantiles using
// t-digests", 2019) with the k1 scale function: a mergeable summary of a distribution in
// at most ~2 x compression centroids, accurate near the median and more so in the tails.
#pragma once

#include <cstdint>
#include <vector>

namespace sas::analytics {

/// Approximate quantiles of a stream of doubles in bounded memory.
class TDigest {
 public:
  /// Creates an empty digest; `compression` (delta) trades size for accuracy.
  explicit TDigest(double compression = 100);

  /// Adds one value.
  void Add(double value);

  /// Adds every value summarized by `other`.
  void Merge(const TDigest& other);

  /// Returns the estimated `q`-quantile (q in [0, 1]), interpolated between centroids;
  /// NaN when empty.
  double Quantile(double q) const;

  /// Returns the number of values added.
  double count() const { return total_weight_ + static_cast<double>(buffer_.size()); }

  /// Returns the bytes the digest holds.
  int64_t Bytes() const;

 private:
  /// A cluster of values: their mean and how many there are.
  struct Centroid {
    double mean;
    double weight;
  };

  /// Folds the buffered values and merged centroids into the centroids in one
  /// recluster (const: the summary does not change).
  void Compress() const;
  /// Sorts `points` and merges neighbours while each centroid spans at most one unit
  /// of the scale function.
  void Recluster(std::vector<Centroid> points) const;

  double compression_;
  mutable std::vector<Centroid> centroids_;
  mutable std::vector<double> buffer_;
  /// Centroids of merged digests not yet reclustered (merging many digests, e.g. a
  /// window's panes, then costs one sort instead of one per digest).
  mutable std::vector<Centroid> merged_;
  mutable double total_weight_ = 0;
  double min_;
  double max_;
};

}  // namespace sas::analytics
