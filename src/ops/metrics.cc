#include "ops/metrics.h"

#include <cmath>
#include <cstdio>

namespace sas::ops {
namespace {

std::string_view TypeName(MetricType type) {
  return type == MetricType::kCounter ? "counter" : "gauge";
}

void AppendHeader(const MetricSpec& spec, std::string* out) {
  out->append("# HELP ").append(spec.name).append(" ").append(spec.help).append("\n");
  out->append("# TYPE ").append(spec.name).append(" ").append(TypeName(spec.type));
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

void AppendSample(const MetricSpec& spec, std::span<const std::string> label_values,
                  double value, std::string* out) {
  out->append(spec.name);
  if (!label_values.empty()) {
    out->push_back('{');
    for (size_t i = 0; i < label_values.size() && i < spec.labels.size(); ++i) {
      if (i > 0) out->push_back(',');
      out->append(spec.labels[i]).append("=\"").append(EscapeLabel(label_values[i]));
      out->push_back('"');
    }
    out->push_back('}');
  }
  out->append(" ").append(FormatValue(value)).append("\n");
}

}  // namespace

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
  auto it = values_.find({label_values.begin(), label_values.end()});
  return it == values_.end() ? 0.0 : it->second;
}

void MetricFamily::Render(std::string* out) const {
  AppendHeader(spec_, out);
  std::lock_guard lock(mutex_);
  for (const auto& [labels, value] : values_) AppendSample(spec_, labels, value, out);
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

std::string MetricsRegistry::RenderPrometheus() const {
  std::string out;
  std::lock_guard lock(mutex_);
  for (const CallbackGauge& gauge : callbacks_) {
    AppendHeader(gauge.spec, &out);
    AppendSample(gauge.spec, {}, gauge.read(), &out);
  }
  for (const auto& family : families_) family->Render(&out);
  return out;
}

}  // namespace sas::ops
