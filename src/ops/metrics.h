// Prometheus metrics: families declared once as data (name with unit, type, help,
// labels), updated from any thread, rendered in the Prometheus text exposition format.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sas::ops {

/// Kind of a Prometheus metric.
enum class MetricType { kCounter, kGauge, kHistogram };

/// Returns the Prometheus name of a metric type (`counter`, `gauge`, `histogram`).
std::string_view MetricTypeName(MetricType type);

/// Declaration of one metric family.
struct MetricSpec {
  std::string_view name;
  MetricType type;
  std::string_view help;
  std::span<const std::string_view> labels;
  /// Upper bounds of a histogram's buckets, ascending (+Inf is implied).
  std::span<const double> buckets = {};
};

/// A metric family holding one value per combination of label values; thread-safe.
class MetricFamily {
 public:
  /// Creates an empty family for `spec`.
  explicit MetricFamily(const MetricSpec& spec) : spec_(spec) {}

  /// Adds `delta` to the value for `label_values` (one per declared label).
  void Add(std::span<const std::string> label_values, double delta);

  /// Sets the value for `label_values`.
  void Set(std::span<const std::string> label_values, double value);

  /// Returns the value for `label_values` (0 when never set; a histogram's count).
  double Value(std::span<const std::string> label_values) const;

  /// Records one observation of a histogram.
  void Observe(std::span<const std::string> label_values, double value);

  /// Appends the family in Prometheus text format.
  void Render(std::string* out) const;

  /// Returns the declaration.
  const MetricSpec& spec() const { return spec_; }

 private:
  /// Observations of one histogram series.
  struct Histogram {
    std::vector<uint64_t> counts;  // per bucket, not cumulative; last = +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  void RenderHistograms(std::string* out) const;

  MetricSpec spec_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, double> values_;
  std::map<std::vector<std::string>, Histogram> histograms_;
};

/// Owns metric families and gauges computed at scrape time.
class MetricsRegistry {
 public:
  /// Registers a family and returns it; the registry keeps ownership.
  MetricFamily* Register(const MetricSpec& spec);

  /// Registers an unlabelled gauge whose value `read` computes at each scrape.
  void RegisterCallbackGauge(const MetricSpec& spec, std::function<double()> read);

  /// One sample of a labelled callback family: label values (one per label) and value.
  using LabelledSample = std::pair<std::vector<std::string>, double>;

  /// Registers a labelled gauge family whose samples `read` computes at each scrape.
  void RegisterCallbackFamily(const MetricSpec& spec,
                              std::function<std::vector<LabelledSample>()> read);

  /// Renders every metric in the Prometheus text exposition format (version 0.0.4).
  std::string RenderPrometheus() const;

 private:
  struct CallbackGauge {
    MetricSpec spec;
    std::function<double()> read;
  };
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<MetricFamily>> families_;
  std::vector<CallbackGauge> callbacks_;
  struct CallbackFamily {
    MetricSpec spec;
    std::function<std::vector<LabelledSample>()> read;
  };
  std::vector<CallbackFamily> callback_families_;
};

}  // namespace sas::ops
