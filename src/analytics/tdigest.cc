#include "analytics/tdigest.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace sas::analytics {
namespace {

/// The k1 scale function and its inverse: a centroid may span one unit of k.
double ScaleK(double q, double compression) {
  return compression / (2 * std::numbers::pi) * std::asin(2 * q - 1);
}

double InverseScaleK(double k, double compression) {
  double angle = k * 2 * std::numbers::pi / compression;
  if (angle >= std::numbers::pi / 2) return 1;
  return (std::sin(angle) + 1) / 2;
}

}  // namespace

TDigest::TDigest(double compression)
    : compression_(compression),
      min_(std::numeric_limits<double>::infinity()),
      max_(-std::numeric_limits<double>::infinity()) {}

void TDigest::Add(double value) {
  buffer_.push_back(value);
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  if (buffer_.size() >= static_cast<size_t>(5 * compression_)) Compress();
}

void TDigest::Merge(const TDigest& other) {
  other.Compress();
  if (other.centroids_.empty()) return;
  merged_.insert(merged_.end(), other.centroids_.begin(), other.centroids_.end());
  total_weight_ += other.total_weight_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  if (merged_.size() >= static_cast<size_t>(50 * compression_)) Compress();
}

void TDigest::Compress() const {
  if (buffer_.empty() && merged_.empty()) return;
  std::vector<Centroid> points = std::move(centroids_);
  points.insert(points.end(), merged_.begin(), merged_.end());
  merged_.clear();
  for (double value : buffer_) points.push_back({value, 1});
  total_weight_ += static_cast<double>(buffer_.size());
  buffer_.clear();
  Recluster(std::move(points));
}

void TDigest::Recluster(std::vector<Centroid> points) const {
  std::sort(points.begin(), points.end(),
            [](const Centroid& a, const Centroid& b) { return a.mean < b.mean; });
  centroids_.clear();
  double through_last = 0;  // weight of every centroid up to and including the last
  for (const Centroid& point : points) {
    if (!centroids_.empty()) {
      Centroid& last = centroids_.back();
      double q_left = (through_last - last.weight) / total_weight_;
      double limit = InverseScaleK(ScaleK(q_left, compression_) + 1, compression_);
      if ((through_last + point.weight) / total_weight_ <= limit) {
        last.mean +=
            (point.mean - last.mean) * point.weight / (last.weight + point.weight);
        last.weight += point.weight;
        through_last += point.weight;
        continue;
      }
    }
    centroids_.push_back(point);
    through_last += point.weight;
  }
}

double TDigest::Quantile(double q) const {
  Compress();
  if (centroids_.empty()) return std::numeric_limits<double>::quiet_NaN();
  if (centroids_.size() == 1) return centroids_[0].mean;
  double target = std::clamp(q, 0.0, 1.0) * total_weight_;
  const Centroid& first = centroids_.front();
  if (target < first.weight / 2) {
    return min_ + (first.mean - min_) * target / (first.weight / 2);
  }
  double center = first.weight / 2;  // cumulative weight at the current centroid's middle
  for (size_t i = 0; i + 1 < centroids_.size(); ++i) {
    double next_center = center + (centroids_[i].weight + centroids_[i + 1].weight) / 2;
    if (target <= next_center) {
      double t = (target - center) / (next_center - center);
      return centroids_[i].mean + t * (centroids_[i + 1].mean - centroids_[i].mean);
    }
    center = next_center;
  }
  const Centroid& last = centroids_.back();
  double tail = total_weight_ - center;  // half of the last centroid
  return last.mean + (max_ - last.mean) * std::min(1.0, (target - center) / tail);
}

int64_t TDigest::Bytes() const {
  return static_cast<int64_t>(
      sizeof(*this) + (centroids_.capacity() + merged_.capacity()) * sizeof(Centroid) +
      buffer_.capacity() * sizeof(double));
}

}  // namespace sas::analytics
