#include "analytics/aggregation.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include <arrow/compute/api.h>
#include <arrow/compute/exec.h>
#include <arrow/compute/row/grouper.h>
#include <arrow/scalar.h>

#include "analytics/tdigest.h"

namespace sas::analytics {
namespace {

namespace cp = arrow::compute;

constexpr int64_t kMicros = 1'000'000;

struct NamedMeasure {
  std::string_view name;
  MeasureType type;
};
constexpr NamedMeasure kMeasures[] = {{"sum", MeasureType::kSum},
                                      {"avg", MeasureType::kAvg},
                                      {"count", MeasureType::kCount},
                                      {"min", MeasureType::kMin},
                                      {"max", MeasureType::kMax},
                                      {"distinct", MeasureType::kDistinct},
                                      {"percentile", MeasureType::kPercentile},
                                      {"stddev", MeasureType::kStddev}};

std::shared_ptr<arrow::DataType> ValueType(const std::shared_ptr<arrow::DataType>& type) {
  return KeyOutputType(type);
}

arrow::Result<std::shared_ptr<arrow::Field>> FindField(const arrow::Schema& schema,
                                                       const std::string& name,
                                                       std::string_view table,
                                                       std::string_view role) {
  auto field = schema.GetFieldByName(name);
  if (!field) {
    return arrow::Status::Invalid(role, ": table ", table, " has no column '", name, "'");
  }
  return field;
}

/// A decimal literal (JSON number or string of digits) at the column's scale.
arrow::Result<std::shared_ptr<arrow::Scalar>> DecimalLiteral(
    const nlohmann::json& value, const arrow::Field& field,
    const std::shared_ptr<arrow::DataType>& type) {
  std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  int32_t precision = 0;
  int32_t scale = 0;
  arrow::Decimal128 decimal;
  const auto& decimal_type = static_cast<const arrow::Decimal128Type&>(*type);
  auto rescaled = arrow::Decimal128::FromString(text, &decimal, &precision, &scale).ok()
                      ? decimal.Rescale(scale, decimal_type.scale())
                      : arrow::Result<arrow::Decimal128>(arrow::Status::Invalid(""));
  if (!rescaled.ok()) {
    return arrow::Status::Invalid("filter on '", field.name(), "': value ", value.dump(),
                                  " does not fit ", type->ToString());
  }
  return std::make_shared<arrow::Decimal128Scalar>(*rescaled, type);
}

/// The literal a filter compares with, typed as the column (wrong JSON kinds refused).
arrow::Result<std::shared_ptr<arrow::Scalar>> Literal(const nlohmann::json& value,
                                                      const arrow::Field& field) {
  auto type = ValueType(field.type());
  bool text = arrow::is_base_binary_like(type->id()) ||
              type->id() == arrow::Type::FIXED_SIZE_BINARY;
  bool ok =
      (text && value.is_string()) ||
      (type->id() == arrow::Type::BOOL && value.is_boolean()) ||
      ((IsNumericType(*type) || type->id() == arrow::Type::TIMESTAMP) &&
       (value.is_number() || (value.is_string() && type->id() != arrow::Type::DOUBLE &&
                              !arrow::is_integer(type->id()))));
  if (!ok) {
    return arrow::Status::Invalid("filter on '", field.name(), "': value ", value.dump(),
                                  " is not a ", type->ToString());
  }
  if (value.is_boolean())
    return std::make_shared<arrow::BooleanScalar>(value.get<bool>());
  if (type->id() == arrow::Type::DECIMAL128) return DecimalLiteral(value, field, type);
  if (value.is_string()) return arrow::Scalar::Parse(type, value.get<std::string>());
  auto parsed = arrow::Scalar::Parse(type, value.dump());
  if (!parsed.ok()) {
    return arrow::Status::Invalid("filter on '", field.name(), "': value ", value.dump(),
                                  " does not fit ", type->ToString());
  }
  return parsed;
}

/// The column a filter reads; dictionaries are compared as their values.
cp::Expression ColumnExpression(const arrow::Field& field) {
  if (field.type()->id() != arrow::Type::DICTIONARY) return cp::field_ref(field.name());
  return cp::call("cast", {cp::field_ref(field.name())},
                  cp::CastOptions::Safe(ValueType(field.type())));
}

arrow::Result<cp::Expression> ParseFilter(const nlohmann::json& json,
                                          const arrow::Schema& schema,
                                          std::string_view table);

/// Parses `{"any": [filters]}` (OR) or `{"all": [filters]}` (AND).
arrow::Result<cp::Expression> ParseFilterGroup(const nlohmann::json& json,
                                               const arrow::Schema& schema,
                                               std::string_view table) {
  bool any = json.contains("any");
  const nlohmann::json& members = json[any ? "any" : "all"];
  if (!members.is_array() || members.empty() || json.size() != 1) {
    return arrow::Status::Invalid(
        "\"", any ? "any" : "all",
        "\" needs a non-empty list of filters and nothing else: ", json.dump());
  }
  std::vector<cp::Expression> parsed;
  for (const auto& member : members) {
    ARROW_ASSIGN_OR_RAISE(auto expression, ParseFilter(member, schema, table));
    parsed.push_back(std::move(expression));
  }
  return any ? cp::or_(parsed) : cp::and_(parsed);
}

arrow::Result<cp::Expression> ParseFilter(const nlohmann::json& json,
                                          const arrow::Schema& schema,
                                          std::string_view table) {
  if (json.is_object() && (json.contains("any") || json.contains("all"))) {
    return ParseFilterGroup(json, schema, table);
  }
  if (!json.is_object() || !json.contains("field") || !json.contains("op")) {
    return arrow::Status::Invalid(
        "a filter needs \"field\" and \"op\" (or is {\"any\": [...]} / {\"all\": "
        "[...]}): ",
        json.dump());
  }
  std::string name = json["field"].get<std::string>();
  std::string op = json["op"].get<std::string>();
  ARROW_ASSIGN_OR_RAISE(auto field, FindField(schema, name, table, "filter"));
  cp::Expression column = ColumnExpression(*field);
  if (op == "is_null") {
    bool want_null = !json.contains("value") || json["value"].get<bool>();
    return want_null ? cp::is_null(column) : cp::is_valid(column);
  }
  if (!json.contains("value"))
    return arrow::Status::Invalid("filter on '", name, "' has no value");
  if (op == "in") {
    if (!json["value"].is_array()) {
      return arrow::Status::Invalid("filter on '", name,
                                    "': \"in\" needs a list of values");
    }
    std::vector<cp::Expression> any;
    for (const auto& item : json["value"]) {
      ARROW_ASSIGN_OR_RAISE(auto literal, Literal(item, *field));
      any.push_back(cp::equal(column, cp::literal(literal)));
    }
    if (any.empty()) return cp::literal(false);
    return cp::or_(any);
  }
  ARROW_ASSIGN_OR_RAISE(auto literal, Literal(json["value"], *field));
  static const std::map<std::string, std::string> kOps = {
      {"eq", "equal"}, {"ne", "not_equal"},     {"gt", "greater"},
      {"lt", "less"},  {"ge", "greater_equal"}, {"le", "less_equal"}};
  auto found = kOps.find(op);
  if (found == kOps.end()) {
    return arrow::Status::Invalid("filter on '", name, "': unknown op '", op,
                                  "' (eq, ne, gt, lt, ge, le, in, is_null)");
  }
  return cp::call(found->second, {column, cp::literal(literal)});
}

std::string PercentileName(double p) {
  std::string text = std::to_string(p);
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  std::replace(text.begin(), text.end(), '.', '_');
  return "p" + text;
}

arrow::Result<MeasureDef> ParseMeasure(const nlohmann::json& json,
                                       const arrow::Schema& schema,
                                       std::string_view table) {
  if (!json.is_object() || !json.contains("type")) {
    return arrow::Status::Invalid("a measure needs a \"type\": ", json.dump());
  }
  MeasureDef measure;
  std::string type = json["type"].get<std::string>();
  auto named = std::find_if(std::begin(kMeasures), std::end(kMeasures),
                            [&](const NamedMeasure& m) { return m.name == type; });
  if (named == std::end(kMeasures)) {
    return arrow::Status::Invalid(
        "unknown measure '", type,
        "' (sum, avg, count, min, max, distinct, percentile, stddev)");
  }
  measure.type = named->type;
  if (json.contains("field")) measure.field = json["field"].get<std::string>();
  if (measure.field.empty() && measure.type != MeasureType::kCount) {
    return arrow::Status::Invalid("measure ", type, " needs a \"field\"");
  }
  if (!measure.field.empty()) {
    ARROW_ASSIGN_OR_RAISE(auto field, FindField(schema, measure.field, table, type));
    bool numeric_needed =
        measure.type == MeasureType::kSum || measure.type == MeasureType::kAvg ||
        measure.type == MeasureType::kPercentile || measure.type == MeasureType::kStddev;
    // avg of a boolean column is the share of true values (e.g. a success rate).
    bool rate =
        measure.type == MeasureType::kAvg && field->type()->id() == arrow::Type::BOOL;
    if (!IsSupportedType(*field->type()) ||
        (numeric_needed && !rate && !IsNumericType(*ValueType(field->type())))) {
      return arrow::Status::Invalid("measure ", type, " cannot use column '",
                                    measure.field, "' of type ",
                                    field->type()->ToString());
    }
  }
  if (measure.type == MeasureType::kPercentile) {
    if (!json.contains("p") || !json["p"].is_number() || json["p"].get<double>() <= 0 ||
        json["p"].get<double>() > 100) {
      return arrow::Status::Invalid("percentile needs \"p\" in (0, 100]");
    }
    measure.p = json["p"].get<double>();
    std::string mode = json.value("mode", "tdigest");
    if (mode != "tdigest" && mode != "exact") {
      return arrow::Status::Invalid("percentile mode '", mode,
                                    "' (expected tdigest or exact)");
    }
    measure.exact = mode == "exact";
  }
  measure.population = json.value("population", false);
  measure.values = json.value("values", false);
  if (measure.values && measure.type != MeasureType::kDistinct) {
    return arrow::Status::Invalid("\"values\" is an option of distinct, not of ", type);
  }
  std::string prefix = measure.type == MeasureType::kPercentile
                           ? PercentileName(measure.p)
                       : measure.type == MeasureType::kStddev && measure.population
                           ? "stddev_pop"
                           : std::string(named->name);
  measure.column = measure.field.empty() ? prefix : prefix + "_" + measure.field;
  return measure;
}

arrow::Result<WindowDef> ParseWindow(const nlohmann::json& json) {
  WindowDef window;
  std::string type = json.value("type", "");
  if (type == "ledgers") {
    if (!json.contains("count") || !json["count"].is_number_integer() ||
        json["count"].get<int64_t>() < 1) {
      return arrow::Status::Invalid("a ledgers window needs a positive \"count\"");
    }
    window.type = WindowType::kLedgers;
    window.size = window.slide = json["count"].get<int64_t>();
    return window;
  }
  if (type != "tumbling" && type != "sliding") {
    return arrow::Status::Invalid("window type '", type,
                                  "': expected tumbling, sliding or ledgers");
  }
  ARROW_ASSIGN_OR_RAISE(window.size, ParseDuration(json.value("size", "")));
  window.slide = window.size;
  if (type == "sliding") {
    window.type = WindowType::kSliding;
    ARROW_ASSIGN_OR_RAISE(window.slide, ParseDuration(json.value("slide", "")));
    if (window.size % window.slide != 0) {
      return arrow::Status::Invalid("sliding window: size must be a multiple of slide");
    }
  }
  return window;
}

}  // namespace

arrow::Result<int64_t> ParseDuration(std::string_view text) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  int64_t scale = unit == "s"   ? 1
                  : unit == "m" ? 60
                  : unit == "h" ? 3600
                  : unit == "d" ? 86400
                                : 0;
  if (text.empty() || error != std::errc() || value <= 0 || scale == 0) {
    return arrow::Status::Invalid("duration '", text,
                                  "': expected e.g. 30s, 5m, 1h or 1d");
  }
  return value * scale;
}

/// True for names the HTTP and Flight interfaces can carry: letters, digits, `_`, `.`,
/// `-`.
bool IsValidName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' ||
           c == '-';
  });
}

/// ParseAggregation without the guard against JSON values of the wrong kind.
arrow::Result<AggregationDef> ParseAggregationFields(const nlohmann::json& json) {
  if (!json.is_object())
    return arrow::Status::Invalid("an aggregation must be an object");
  AggregationDef def;
  def.source = json;
  def.name = json.value("name", "");
  if (def.name.empty()) return arrow::Status::Invalid("an aggregation needs a \"name\"");
  if (!IsValidName(def.name)) {
    return arrow::Status::Invalid("aggregation name '", def.name,
                                  "': use letters, digits, '_', '.' and '-' only");
  }
  auto fail = [&](const arrow::Status& status) {
    return status.WithMessage("aggregation '", def.name, "': ", status.message());
  };
  auto table = convert::ParseTableName(json.value("table", ""));
  if (!table.ok()) return fail(table.status());
  def.table = *table;
  auto schema = convert::TableSchema(def.table);
  std::string_view table_name = convert::TableName(def.table);
  for (const auto& filter : json.value("filters", nlohmann::json::array())) {
    auto expression = ParseFilter(filter, *schema, table_name);
    if (!expression.ok()) return fail(expression.status());
    def.filter = def.filter ? cp::and_(*def.filter, *expression) : *expression;
  }
  if (def.filter) {
    auto bound = def.filter->Bind(*schema);
    if (!bound.ok()) return fail(bound.status());
    def.filter = *bound;
  }
  for (const auto& column : json.value("group_by", nlohmann::json::array())) {
    std::string name = column.get<std::string>();
    auto field = FindField(*schema, name, table_name, "group_by");
    if (!field.ok()) return fail(field.status());
    if (!IsSupportedType(*(*field)->type())) {
      return fail(arrow::Status::Invalid("cannot group by '", name, "' of type ",
                                         (*field)->type()->ToString()));
    }
    def.group_by.push_back(name);
  }
  std::set<std::string> columns;
  for (const auto& measure_json : json.value("measures", nlohmann::json::array())) {
    auto measure = ParseMeasure(measure_json, *schema, table_name);
    if (!measure.ok()) return fail(measure.status());
    if (!columns.insert(measure->column).second) {
      return fail(
          arrow::Status::Invalid("measure column '", measure->column, "' appears twice"));
    }
    if (measure->values) {
      // The count, then the values themselves in a column of their own.
      MeasureDef listed = *measure;
      measure->values = false;
      listed.column = "distinct_values_" + listed.field;
      if (!columns.insert(listed.column).second) {
        return fail(
            arrow::Status::Invalid("measure column '", listed.column, "' appears twice"));
      }
      def.measures.push_back(*measure);
      def.measures.push_back(std::move(listed));
      continue;
    }
    def.measures.push_back(*measure);
  }
  if (def.measures.empty()) return fail(arrow::Status::Invalid("no measures"));
  def.export_metrics = json.value("export", false);
  auto window = ParseWindow(json.value("window", nlohmann::json::object()));
  if (!window.ok()) return fail(window.status());
  def.window = *window;
  return def;
}

arrow::Result<AggregationDef> ParseAggregation(const nlohmann::json& json) {
  // nlohmann reports a value of the wrong kind ("size": 60 for "60s") by throwing; it is
  // turned into an error here so that no definition can take the server down.
  try {
    return ParseAggregationFields(json);
  } catch (const nlohmann::json::exception& error) {
    std::string name =
        json.is_object() && json.contains("name") && json["name"].is_string()
            ? json["name"].get<std::string>()
            : std::string("?");
    return arrow::Status::Invalid(
        "aggregation '", name, "': a value has the wrong JSON type (", error.what(), ")");
  }
}

arrow::Result<std::vector<AggregationDef>> ParseAggregations(const std::string& text) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("aggregations") ||
      !json["aggregations"].is_array()) {
    return arrow::Status::Invalid("expected JSON {\"aggregations\": [...]}");
  }
  std::vector<AggregationDef> defs;
  std::set<std::string> names;
  for (const auto& item : json["aggregations"]) {
    ARROW_ASSIGN_OR_RAISE(auto def, ParseAggregation(item));
    if (!names.insert(def.name).second) {
      return arrow::Status::Invalid("aggregation name '", def.name, "' appears twice");
    }
    defs.push_back(std::move(def));
  }
  return defs;
}

/// Partial state of one measure in one group.
struct Aggregation::MeasureState {
  int64_t count = 0;
  arrow::Decimal128 sum;
  double sum_double = 0;
  Value min;
  Value max;
  std::set<Value> distinct;
  std::vector<double> values;
  TDigest digest;
  double mean = 0;
  double m2 = 0;
  /// The result, once a final window settled it (its inputs are then released).
  std::optional<Value> settled;

  void Add(const MeasureDef& def, const Value& value) {
    if (std::holds_alternative<std::monostate>(value)) return;
    ++count;
    switch (def.type) {
      case MeasureType::kSum:
      case MeasureType::kAvg:
        AddToSum(value);
        break;
      case MeasureType::kMin:
        if (std::holds_alternative<std::monostate>(min) || value < min) min = value;
        break;
      case MeasureType::kMax:
        if (std::holds_alternative<std::monostate>(max) || max < value) max = value;
        break;
      case MeasureType::kDistinct:
        distinct.insert(value);
        break;
      case MeasureType::kPercentile:
        if (def.exact) {
          values.push_back(ToDouble(value));
        } else {
          digest.Add(ToDouble(value));
        }
        break;
      case MeasureType::kStddev: {
        double x = ToDouble(value);
        double delta = x - mean;
        mean += delta / static_cast<double>(count);
        m2 += delta * (x - mean);
        break;
      }
      case MeasureType::kCount:
        break;
    }
  }

  void AddToSum(const Value& value) {
    if (const auto* i = std::get_if<int64_t>(&value)) {
      sum += arrow::Decimal128(*i);
    } else if (const auto* u = std::get_if<uint64_t>(&value)) {
      sum += arrow::Decimal128(0, *u);
    } else if (const auto* dec = std::get_if<arrow::Decimal128>(&value)) {
      sum += *dec;
    } else if (const auto* flag = std::get_if<bool>(&value)) {
      sum += arrow::Decimal128(*flag ? 1 : 0);
    } else {
      sum_double += ToDouble(value);
    }
  }

  void Merge(const MeasureDef& def, const MeasureState& other) {
    if (other.count == 0) return;
    if (def.type == MeasureType::kStddev) {
      double total = static_cast<double>(count + other.count);
      double delta = other.mean - mean;
      m2 += other.m2 + delta * delta * static_cast<double>(count) *
                           static_cast<double>(other.count) / total;
      mean += delta * static_cast<double>(other.count) / total;
    }
    count += other.count;
    sum += other.sum;
    sum_double += other.sum_double;
    if (!std::holds_alternative<std::monostate>(other.min) &&
        (std::holds_alternative<std::monostate>(min) || other.min < min)) {
      min = other.min;
    }
    if (!std::holds_alternative<std::monostate>(other.max) &&
        (std::holds_alternative<std::monostate>(max) || max < other.max)) {
      max = other.max;
    }
    distinct.insert(other.distinct.begin(), other.distinct.end());
    values.insert(values.end(), other.values.begin(), other.values.end());
    if (def.type == MeasureType::kPercentile && !def.exact) digest.Merge(other.digest);
  }

  /// Keeps only the result of a final window: its distinct values, exact percentile
  /// inputs and digest are released (a `values` listing keeps its set, which it shows).
  void Settle(const MeasureDef& def, int64_t rows, bool floating) {
    if (def.values) return;
    settled = Result(def, rows, floating);
    distinct = {};
    values = {};
    digest = TDigest();
  }

  Value Result(const MeasureDef& def, int64_t rows, bool floating) const {
    if (settled) return *settled;
    switch (def.type) {
      case MeasureType::kCount:
        return def.field.empty() ? rows : count;
      case MeasureType::kSum:
        if (count == 0) return std::monostate{};
        if (floating) return sum_double;
        return sum;
      case MeasureType::kAvg:
        if (count == 0) return std::monostate{};
        return (floating ? sum_double : sum.ToDouble(0)) / static_cast<double>(count);
      case MeasureType::kMin:
        return min;
      case MeasureType::kMax:
        return max;
      case MeasureType::kDistinct:
        return static_cast<int64_t>(distinct.size());
      case MeasureType::kPercentile: {
        if (!def.exact) {
          if (digest.count() == 0) return std::monostate{};
          return digest.Quantile(def.p / 100.0);
        }
        if (values.empty()) return std::monostate{};
        std::vector<double> sorted = values;
        std::sort(sorted.begin(), sorted.end());
        auto rank = static_cast<size_t>(
            std::ceil(def.p / 100.0 * static_cast<double>(sorted.size())));
        return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
      }
      case MeasureType::kStddev: {
        int64_t n = def.population ? count : count - 1;
        if (n <= 0) return std::monostate{};
        return std::sqrt(m2 / static_cast<double>(n));
      }
    }
    return std::monostate{};
  }

  int64_t Bytes() const {
    return static_cast<int64_t>(sizeof(*this) + distinct.size() * 64 +
                                values.capacity() * sizeof(double)) +
           digest.Bytes() - static_cast<int64_t>(sizeof(digest));
  }
};

/// Rows and measure states of one group in one pane or window.
struct Aggregation::GroupState {
  int64_t rows = 0;
  std::vector<MeasureState> measures;
};

arrow::Result<std::unique_ptr<Aggregation>> Aggregation::Make(
    AggregationDef def, size_t max_final_windows, size_t max_retained_values) {
  auto input = convert::TableSchema(def.table);
  arrow::FieldVector fields = {
      arrow::field("name", arrow::utf8(), false),
      arrow::field("window_start", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"),
                   false),
      arrow::field("window_end", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"), false)};
  for (const auto& name : def.group_by) {
    fields.push_back(
        arrow::field(name, KeyOutputType(input->GetFieldByName(name)->type())));
  }
  for (const auto& measure : def.measures) {
    std::shared_ptr<arrow::DataType> type = arrow::float64();
    auto in = measure.field.empty()
                  ? nullptr
                  : ValueType(input->GetFieldByName(measure.field)->type());
    if (measure.values) {
      type = arrow::list(in);
    } else if (measure.type == MeasureType::kCount ||
               measure.type == MeasureType::kDistinct) {
      type = arrow::int64();
    } else if (measure.type == MeasureType::kSum && !arrow::is_floating(in->id())) {
      type = arrow::decimal128(38, 0);
    } else if (measure.type == MeasureType::kMin || measure.type == MeasureType::kMax) {
      type = in;
    }
    fields.push_back(arrow::field(measure.column, type));
  }
  fields.push_back(arrow::field("rows", arrow::int64(), false));
  fields.push_back(arrow::field("final", arrow::boolean(), false));
  return std::make_unique<Aggregation>(std::move(def), input, arrow::schema(fields),
                                       max_final_windows, max_retained_values);
}

Aggregation::Aggregation(AggregationDef def, std::shared_ptr<arrow::Schema> input,
                         std::shared_ptr<arrow::Schema> schema, size_t max_final_windows,
                         size_t max_retained_values)
    : def_(std::move(def)),
      input_(std::move(input)),
      schema_(std::move(schema)),
      max_final_windows_(max_final_windows),
      max_retained_values_(max_retained_values),
      retains_values_(std::any_of(
          def_.measures.begin(), def_.measures.end(), [](const MeasureDef& measure) {
            return measure.type == MeasureType::kDistinct ||
                   (measure.type == MeasureType::kPercentile && measure.exact);
          })) {
  for (const auto& name : def_.group_by)
    group_columns_.push_back(input_->GetFieldIndex(name));
  for (const auto& measure : def_.measures) {
    measure_columns_.push_back(
        measure.field.empty() ? -1 : input_->GetFieldIndex(measure.field));
  }
  // Only these columns are filtered and read (the XDR columns would cost the most).
  auto position = [this](int column) {
    if (column < 0) return -1;
    auto found = std::find(used_columns_.begin(), used_columns_.end(), column);
    if (found == used_columns_.end()) {
      used_columns_.push_back(column);
      return static_cast<int>(used_columns_.size()) - 1;
    }
    return static_cast<int>(found - used_columns_.begin());
  };
  position(input_->GetFieldIndex("ledger_sequence"));
  for (int column : group_columns_) group_positions_.push_back(position(column));
  for (int column : measure_columns_) measure_positions_.push_back(position(column));
}

Aggregation::~Aggregation() = default;

int64_t Aggregation::PaneOf(const pipeline::LedgerInfo& ledger) const {
  if (def_.window.type == WindowType::kLedgers) return ledger.sequence;
  return ledger.close_time / def_.window.slide;
}

arrow::Result<Aggregation::BatchGroups> Aggregation::GroupRows(
    const arrow::RecordBatch& rows) const {
  BatchGroups groups;
  if (group_positions_.empty() || rows.num_rows() == 0) {
    groups.keys.emplace_back();
    groups.ids.assign(static_cast<size_t>(rows.num_rows()), 0);
    return groups;
  }
  std::vector<arrow::TypeHolder> types;
  std::vector<arrow::Datum> columns;
  for (int column : group_positions_) {
    types.emplace_back(rows.column(column)->type());
    columns.emplace_back(rows.column(column));
  }
  ARROW_ASSIGN_OR_RAISE(auto grouper, cp::Grouper::Make(types));
  cp::ExecBatch keys(std::move(columns), rows.num_rows());
  ARROW_ASSIGN_OR_RAISE(arrow::Datum ids, grouper->Consume(cp::ExecSpan(keys)));
  ARROW_ASSIGN_OR_RAISE(cp::ExecBatch uniques, grouper->GetUniques());
  for (int64_t i = 0; i < uniques.length; ++i) {
    std::vector<Value> key;
    for (const auto& unique : uniques.values)
      key.push_back(CellValue(*unique.make_array(), i));
    groups.keys.push_back(std::move(key));
  }
  const auto& id_array = static_cast<const arrow::UInt32Array&>(*ids.make_array());
  groups.ids.assign(id_array.raw_values(), id_array.raw_values() + id_array.length());
  return groups;
}

void Aggregation::AddRow(GroupState* group, const arrow::RecordBatch& rows, int64_t row) {
  if (group->measures.empty()) group->measures.resize(def_.measures.size());
  ++group->rows;
  for (size_t m = 0; m < def_.measures.size(); ++m) {
    int column = measure_positions_[m];
    Value value = column < 0 ? Value(true) : CellValue(*rows.column(column), row);
    group->measures[m].Add(def_.measures[m], value);
  }
}

arrow::Status Aggregation::Update(std::span<const pipeline::LedgerInfo> ledgers,
                                  const std::shared_ptr<arrow::RecordBatch>& rows) {
  if (ledgers.empty()) return arrow::Status::OK();
  ARROW_ASSIGN_OR_RAISE(std::shared_ptr<arrow::RecordBatch> kept,
                        rows->SelectColumns(used_columns_));
  if (def_.filter && rows->num_rows() > 0) {
    ARROW_ASSIGN_OR_RAISE(
        auto mask, cp::ExecuteScalarExpression(*def_.filter, cp::ExecBatch(*rows)));
    ARROW_ASSIGN_OR_RAISE(auto filtered, cp::Filter(kept, mask));
    kept = filtered.record_batch();
  }
  auto sequences = std::static_pointer_cast<arrow::UInt32Array>(
      kept->GetColumnByName("ledger_sequence"));
  // Group ids come from Arrow's Grouper, once per batch; each (pane, group) is looked up
  // once per pane, not once per row.
  ARROW_ASSIGN_OR_RAISE(BatchGroups groups, GroupRows(*kept));
  std::vector<GroupState*> slots(groups.keys.size(), nullptr);
  std::optional<int64_t> slots_pane;
  size_t ledger = 0;
  for (int64_t row = 0; row < kept->num_rows(); ++row) {
    while (ledger < ledgers.size() && ledgers[ledger].sequence < sequences->Value(row))
      ++ledger;
    if (ledger == ledgers.size() || ledgers[ledger].sequence != sequences->Value(row)) {
      return arrow::Status::Invalid("row ", row, " of ledger ", sequences->Value(row),
                                    " is not in the ledgers given");
    }
    int64_t pane = PaneOf(ledgers[ledger]);
    if (slots_pane != pane) {
      std::fill(slots.begin(), slots.end(), nullptr);
      slots_pane = pane;
    }
    uint32_t id = groups.ids[static_cast<size_t>(row)];
    if (slots[id] == nullptr) slots[id] = &panes_[pane][groups.keys[id]];
    AddRow(slots[id], *kept, row);
  }
  for (const auto& info : ledgers) {
    newest_time_ = std::max(newest_time_, info.close_time);
    if (def_.window.type == WindowType::kLedgers) {
      panes_[info.sequence];
      ledger_times_[info.sequence] = info.close_time;
    }
  }
  if (def_.window.type == WindowType::kLedgers) {
    int64_t oldest = static_cast<int64_t>(ledgers.back().sequence) - def_.window.size + 1;
    panes_.erase(panes_.begin(), panes_.lower_bound(oldest));
    ledger_times_.erase(ledger_times_.begin(), ledger_times_.lower_bound(oldest));
  } else {
    FinalizeUpTo(newest_time_);
  }
  return CheckRetainedValues();
}

arrow::Status Aggregation::CheckRetainedValues() const {
  if (max_retained_values_ == SIZE_MAX || !retains_values_) return arrow::Status::OK();
  size_t retained = RetainedValues();
  if (retained <= max_retained_values_) return arrow::Status::OK();
  return arrow::Status::CapacityError(
      "aggregation '", def_.name, "' holds ", retained,
      " input values for its exact measures (exact percentiles, distinct), more than "
      "ANALYTICS_BUFFER_SIZE=",
      max_retained_values_,
      ": raise ANALYTICS_BUFFER_SIZE, shorten the window or use t-digest percentiles");
}

size_t Aggregation::RetainedValues() const {
  size_t values = 0;
  for (const auto& [pane, groups] : panes_) {
    for (const auto& [key, group] : groups) {
      for (const auto& measure : group.measures) {
        values += measure.distinct.size() + measure.values.size();
      }
    }
  }
  return values;
}

Aggregation::WindowResult Aggregation::MergeWindow(int64_t window) const {
  int64_t panes = def_.window.size / def_.window.slide;
  WindowResult result;
  result.groups = std::make_shared<Groups>();
  result.start = window * def_.window.slide;
  result.end = result.start + def_.window.size;
  for (auto it = panes_.lower_bound(window);
       it != panes_.end() && it->first < window + panes; ++it) {
    for (const auto& [key, group] : it->second) {
      GroupState& merged = (*result.groups)[key];
      if (merged.measures.empty()) merged.measures.resize(def_.measures.size());
      merged.rows += group.rows;
      for (size_t m = 0; m < def_.measures.size(); ++m) {
        merged.measures[m].Merge(def_.measures[m], group.measures[m]);
      }
    }
  }
  return result;
}

bool Aggregation::IsFloating(size_t measure) const {
  return measure_columns_[measure] >= 0 &&
         arrow::is_floating(
             ValueType(input_->field(measure_columns_[measure])->type())->id());
}

void Aggregation::FinalizeUpTo(int64_t newest_time) {
  int64_t panes = def_.window.size / def_.window.slide;
  if (newest_time < def_.window.size) return;
  int64_t limit = (newest_time - def_.window.size) / def_.window.slide;
  if (!panes_.empty()) {
    int64_t k = panes_.begin()->first - panes + 1;
    if (next_window_) k = std::max(k, *next_window_);
    while (k <= limit) {
      auto it = panes_.lower_bound(k);
      if (it == panes_.end()) break;
      if (it->first >= k + panes) {
        k = it->first - panes + 1;
        continue;
      }
      WindowResult window = MergeWindow(k);
      window.final = true;
      for (auto& [key, group] : *window.groups) {
        for (size_t m = 0; m < def_.measures.size(); ++m) {
          group.measures[m].Settle(def_.measures[m], group.rows, IsFloating(m));
        }
      }
      final_.push_back(std::move(window));
      if (final_.size() > max_final_windows_) final_.pop_front();
      ++k;
    }
  }
  next_window_ = std::max(next_window_.value_or(limit + 1), limit + 1);
  panes_.erase(panes_.begin(), panes_.upper_bound(limit));
}

namespace {

/// Appends a set of values as one list cell.
arrow::Status AppendValues(const std::set<Value>& values, const arrow::DataType& type,
                           arrow::ArrayBuilder* builder) {
  auto* list = static_cast<arrow::ListBuilder*>(builder);
  ARROW_RETURN_NOT_OK(list->Append());
  const auto& value_type = *static_cast<const arrow::ListType&>(type).value_type();
  for (const Value& value : values) {
    ARROW_RETURN_NOT_OK(AppendValue(value, value_type, list->value_builder()));
  }
  return arrow::Status::OK();
}

}  // namespace

arrow::Status Aggregation::AppendWindow(
    const WindowResult& window,
    std::vector<std::unique_ptr<arrow::ArrayBuilder>>* builders) const {
  auto& b = *builders;
  for (const auto& [key, group] : *window.groups) {
    size_t column = 0;
    ARROW_RETURN_NOT_OK(
        static_cast<arrow::StringBuilder&>(*b[column++]).Append(def_.name));
    ARROW_RETURN_NOT_OK(static_cast<arrow::TimestampBuilder&>(*b[column++])
                            .Append(window.start * kMicros));
    ARROW_RETURN_NOT_OK(
        static_cast<arrow::TimestampBuilder&>(*b[column++]).Append(window.end * kMicros));
    for (const Value& value : key) {
      ARROW_RETURN_NOT_OK(AppendValue(
          value, *schema_->field(static_cast<int>(column))->type(), b[column].get()));
      ++column;
    }
    for (size_t m = 0; m < def_.measures.size(); ++m) {
      const auto& type = schema_->field(static_cast<int>(column))->type();
      if (def_.measures[m].values) {
        ARROW_RETURN_NOT_OK(
            AppendValues(group.measures[m].distinct, *type, b[column++].get()));
        continue;
      }
      Value value = group.measures[m].Result(def_.measures[m], group.rows, IsFloating(m));
      ARROW_RETURN_NOT_OK(AppendValue(value, *type, b[column].get()));
      ++column;
    }
    ARROW_RETURN_NOT_OK(
        static_cast<arrow::Int64Builder&>(*b[column++]).Append(group.rows));
    ARROW_RETURN_NOT_OK(
        static_cast<arrow::BooleanBuilder&>(*b[column++]).Append(window.final));
  }
  return arrow::Status::OK();
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> Aggregation::Results(
    bool include_open) const {
  std::vector<std::unique_ptr<arrow::ArrayBuilder>> builders;
  for (const auto& field : schema_->fields()) {
    ARROW_ASSIGN_OR_RAISE(auto builder, arrow::MakeBuilder(field->type()));
    builders.push_back(std::move(builder));
  }
  for (const auto& window : final_) ARROW_RETURN_NOT_OK(AppendWindow(window, &builders));
  if (include_open && !panes_.empty()) {
    if (def_.window.type == WindowType::kLedgers) {
      WindowResult window;
      window.groups = std::make_shared<Groups>();
      window.start = ledger_times_.begin()->second;
      window.end = ledger_times_.rbegin()->second;
      for (const auto& [pane, groups] : panes_) {
        for (const auto& [key, group] : groups) {
          GroupState& merged = (*window.groups)[key];
          if (merged.measures.empty()) merged.measures.resize(def_.measures.size());
          merged.rows += group.rows;
          for (size_t m = 0; m < def_.measures.size(); ++m) {
            merged.measures[m].Merge(def_.measures[m], group.measures[m]);
          }
        }
      }
      ARROW_RETURN_NOT_OK(AppendWindow(window, &builders));
    } else {
      int64_t panes = def_.window.size / def_.window.slide;
      int64_t k = panes_.begin()->first - panes + 1;
      if (next_window_) k = std::max(k, *next_window_);
      for (; k <= panes_.rbegin()->first; ++k) {
        WindowResult window = MergeWindow(k);
        if (!window.groups->empty()) ARROW_RETURN_NOT_OK(AppendWindow(window, &builders));
      }
    }
  }
  std::vector<std::shared_ptr<arrow::Array>> arrays;
  for (auto& builder : builders) {
    ARROW_ASSIGN_OR_RAISE(auto array, builder->Finish());
    arrays.push_back(std::move(array));
  }
  int64_t rows = arrays.empty() ? 0 : arrays[0]->length();
  return arrow::RecordBatch::Make(schema_, rows, std::move(arrays));
}

int64_t Aggregation::StateBytes() const {
  int64_t bytes = 0;
  for (const auto& [pane, groups] : panes_) {
    for (const auto& [key, group] : groups) {
      bytes += static_cast<int64_t>(key.size() * sizeof(Value));
      for (const auto& measure : group.measures) bytes += measure.Bytes();
    }
  }
  return bytes;
}

}  // namespace sas::analytics
