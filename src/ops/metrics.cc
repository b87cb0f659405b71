#include "ops/metrics.h"

#include <cmath>
#include <cstdio>

namespace sas::ops {
namespace {

void AppendHeader(const MetricSpec& spec, std::string* out) {
  out->append("# HELP ").append(spec.name).append(" ").append(spec.help).append("\n");
  out->append("# TYPE ").append(spec.name).append(" ").append(MetricTypeName(spec.type));
  out->append("\n");
}

/// Escapes a label value as the exposition format requires.
std::string EscapeLabel(std::string_view value) {
  std::string escaped;
  for (char c : value) {
    if (c == '\\' || c == '"') escaped.push_back('\\');
    if (c == '\n') {
      escaped.append("\\n");
      continue;
    }
    escaped.push_back(c);
  }
  return escaped;
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  char text[32];
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::snprintf(text, sizeof(text), "%.0f", value);
  } else {
    std::snprintf(text, sizeof(text), "%.9g", value);
  }
  return text;
}

/// Appends one sample line: name (+ suffix), labels (+ an `le` bound), value.
void AppendSample(const MetricSpec& spec, std::span<const std::string> label_values,
                  double value, std::string* out, std::string_view suffix = {},
                  std::string_view le = {}) {
  out->append(spec.name).append(suffix);
  if (!label_values.empty() || !le.empty()) {
    out->push_back('{');
    for (size_t i = 0; i < label_values.size() && i < spec.labels.size(); ++i) {
      if (i > 0) out->push_back(',');
      out->append(spec.labels[i]).append("=\"").append(EscapeLabel(label_values[i]));
      out->push_back('"');
    }
    if (!le.empty()) {
      if (!label_values.empty()) out->push_back(',');
      out->append("le=\"").append(le).push_back('"');
    }
    out->push_back('}');
  }
  out->append(" ").append(FormatValue(value)).append("\n");
}

}  // namespace

std::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

void MetricFamily::Add(std::span<const std::string> label_values, double delta) {
  std::lock_guard lock(mutex_);
  values_[{label_values.begin(), label_values.end()}] += delta;
}

void MetricFamily::Set(std::span<const std::string> label_values, double value) {
  std::lock_guard lock(mutex_);
  values_[{label_values.begin(), label_values.end()}] = value;
}

double MetricFamily::Value(std::span<const std::string> label_values) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> key(label_values.begin(), label_values.end());
  if (auto histogram = histograms_.find(key); histogram != histograms_.end()) {
    return static_cast<double>(histogram->second.count);
  }
  auto it = values_.find(key);
  return it == values_.end() ? 0.0 : it->second;
}

void MetricFamily::Observe(std::span<const std::string> label_values, double value) {
  size_t bucket = 0;
  while (bucket < spec_.buckets.size() && value > spec_.buckets[bucket]) ++bucket;
  std::lock_guard lock(mutex_);
  Histogram& histogram = histograms_[{label_values.begin(), label_values.end()}];
  histogram.counts.resize(spec_.buckets.size() + 1);
  ++histogram.counts[bucket];
  histogram.sum += value;
  ++histogram.count;
}

void MetricFamily::RenderHistograms(std::string* out) const {
  for (const auto& [labels, histogram] : histograms_) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < histogram.counts.size(); ++i) {
      cumulative += histogram.counts[i];
      std::string le = i < spec_.buckets.size() ? FormatValue(spec_.buckets[i]) : "+Inf";
      AppendSample(spec_, labels, static_cast<double>(cumulative), out, "_bucket", le);
    }
    AppendSample(spec_, labels, histogram.sum, out, "_sum");
    AppendSample(spec_, labels, static_cast<double>(histogram.count), out, "_count");
  }
}

void MetricFamily::Render(std::string* out) const {
  AppendHeader(spec_, out);
  std::lock_guard lock(mutex_);
  for (const auto& [labels, value] : values_) AppendSample(spec_, labels, value, out);
  RenderHistograms(out);
}

MetricFamily* MetricsRegistry::Register(const MetricSpec& spec) {
  std::lock_guard lock(mutex_);
  families_.push_back(std::make_unique<MetricFamily>(spec));
  return families_.back().get();
}

void MetricsRegistry::RegisterCallbackGauge(const MetricSpec& spec,
                                            std::function<double()> read) {
  std::lock_guard lock(mutex_);
  callbacks_.push_back({spec, std::move(read)});
}

void MetricsRegistry::RegisterCallbackFamily(
    const MetricSpec& spec, std::function<std::vector<LabelledSample>()> read) {
  std::lock_guard lock(mutex_);
  callback_families_.push_back({spec, std::move(read)});
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::string out;
  std::lock_guard lock(mutex_);
  for (const CallbackGauge& gauge : callbacks_) {
    AppendHeader(gauge.spec, &out);
    AppendSample(gauge.spec, {}, gauge.read(), &out);
  }
  for (const CallbackFamily& family : callback_families_) {
    AppendHeader(family.spec, &out);
    for (const auto& [labels, value] : family.read()) {
      AppendSample(family.spec, labels, value, &out);
    }
  }
  for (const auto& family : families_) family->Render(&out);
  return out;
}

}  // namespace sas::ops
