#include "flight/service.h"

#include <array>
#include <chrono>

#include <arrow/flight/middleware.h>
#include <arrow/util/byte_size.h>
#include <nlohmann/json.hpp>

#include "flight/peer_socket.h"
#include "flight/ticket.h"

namespace sas::flight {

/// Counts one stream in the active-stream counter while it lives.
class StreamSlot {
 public:
  /// Takes a slot of `active`.
  explicit StreamSlot(std::shared_ptr<std::atomic<int64_t>> active)
      : active_(std::move(active)), taken_(active_->fetch_add(1) + 1) {}
  ~StreamSlot() { active_->fetch_sub(1); }
  StreamSlot(const StreamSlot&) = delete;
  StreamSlot& operator=(const StreamSlot&) = delete;

  /// Returns the streams counted when this one was taken, itself included.
  int64_t taken() const { return taken_; }

 private:
  std::shared_ptr<std::atomic<int64_t>> active_;
  int64_t taken_;
};

namespace {

namespace fl = arrow::flight;

/// One line per stream for ListFlights.
std::string_view Description(convert::Table table) {
  switch (table) {
    case convert::Table::kStellarLedger:
      return "one row per ledger: header, hashes, counts, fees";
    case convert::Table::kTransactions:
      return "one row per transaction in apply order: accounts, fees, memo, result, XDR";
    case convert::Table::kOperations:
      return "one row per operation (failed ones too): type, accounts, assets, amounts";
    case convert::Table::kTokenTransfers:
      return "CAP-67 token transfer events: transfer, mint, burn, clawback, fee";
    case convert::Table::kContractEvents:
      return "one row per Soroban contract event: topics, data, contract id";
  }
  return "";
}

/// The metric label of a stream: its table, or "analytics" for every aggregation (their
/// names are the users' and unbounded).
std::string MetricLabel(std::string_view stream) {
  return std::string(stream.starts_with("analytics:") ? "analytics" : stream);
}

/// The Flight-side reader of one DoGet: rows from a TableStream, counted in metrics.
class TableBatchReader : public arrow::RecordBatchReader {
 public:
  TableBatchReader(std::unique_ptr<pipeline::TableStream> stream, FlightMetrics metrics,
                   std::string table)
      : stream_(std::move(stream)), metrics_(metrics), labels_{std::move(table)} {}

  std::shared_ptr<arrow::Schema> schema() const override { return stream_->schema(); }

  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override {
    auto next = stream_->Next();
    if (!next.ok()) {
      if (stream_->fell_behind()) metrics_.dropped_streams->Add(labels_, 1);
      return next.status();
    }
    *batch = std::move(*next);
    if (*batch) {
      metrics_.rows_sent->Add(labels_, static_cast<double>((*batch)->num_rows()));
    }
    return arrow::Status::OK();
  }

 private:
  std::unique_ptr<pipeline::TableStream> stream_;
  FlightMetrics metrics_;
  std::array<std::string, 1> labels_;
};

/// What Flight sends for one DoGet: the IPC payloads of a RecordBatchStream, with the
/// watchdog told when the service is producing and when it waits on the client, the bytes
/// handed to gRPC counted, and the stream's MAX_CONNECTIONS slot held to the end.
class ServedStream : public fl::FlightDataStream {
 public:
  ServedStream(std::shared_ptr<arrow::RecordBatchReader> reader,
               const arrow::ipc::IpcWriteOptions& ipc, std::unique_ptr<StreamSlot> slot,
               StreamWatchdog* watchdog, WatchedStream watched,
               ops::MetricFamily* bytes_sent)
      : slot_(std::move(slot)),
        inner_(std::move(reader), ipc),
        bytes_sent_(bytes_sent),
        labels_{MetricLabel(watched.stream)},
        watch_(watchdog->Watch(std::move(watched))) {}

  std::shared_ptr<arrow::Schema> schema() override { return inner_.schema(); }

  arrow::Result<fl::FlightPayload> GetSchemaPayload() override {
    return Handed(inner_.GetSchemaPayload());
  }

  arrow::Result<fl::FlightPayload> Next() override {
    watch_->Producing();
    return Handed(inner_.Next());
  }

  arrow::Status Close() override { return inner_.Close(); }

 private:
  /// Counts a payload's IPC bytes (metadata and body, as compressed) as gRPC takes it.
  arrow::Result<fl::FlightPayload> Handed(arrow::Result<fl::FlightPayload> payload) {
    if (payload.ok() && payload->ipc_message.metadata) {
      bytes_sent_->Add(labels_,
                       static_cast<double>(payload->ipc_message.metadata->size() +
                                           payload->ipc_message.body_length));
    }
    watch_->Writing();
    return payload;
  }

  /// Declared first: the slot is given back once everything the stream held is freed.
  std::unique_ptr<StreamSlot> slot_;
  fl::RecordBatchStream inner_;
  ops::MetricFamily* bytes_sent_;
  std::array<std::string, 1> labels_;
  /// Declared last: leaves the watch list before the reader it may cancel is destroyed.
  std::unique_ptr<StreamWatchdog::Registration> watch_;
};

/// Middleware of one call: on completion, counts it and its duration.
class CallMetricsMiddleware : public fl::ServerMiddleware {
 public:
  CallMetricsMiddleware(ops::MetricFamily* calls, ops::MetricFamily* seconds,
                        ops::MetricFamily* latency, fl::FlightMethod method)
      : calls_(calls),
        seconds_(seconds),
        latency_(latency),
        method_(method),
        started_(std::chrono::steady_clock::now()) {}

  void SendingHeaders(fl::AddCallHeaders*) override {}

  void CallCompleted(const arrow::Status& status) override {
    std::array<std::string, 2> labels = {fl::ToString(method_),
                                         status.ok() ? "OK" : status.CodeAsString()};
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_)
            .count();
    calls_->Add(labels, 1);
    seconds_->Add(labels, seconds);
    if (latency_) latency_->Observe(labels, seconds);
  }

  std::string name() const override { return "CallMetricsMiddleware"; }

 private:
  ops::MetricFamily* calls_;
  ops::MetricFamily* seconds_;
  ops::MetricFamily* latency_;
  fl::FlightMethod method_;
  std::chrono::steady_clock::time_point started_;
};

/// The windows of one aggregation, sent again each time the engine consumed new
/// ledgers, until the client cancels (the `analytics:<name>:live` ticket).
class LiveAnalyticsReader : public arrow::RecordBatchReader {
 public:
  LiveAnalyticsReader(std::shared_ptr<analytics::AnalyticsEngine> engine,
                      std::string name, std::shared_ptr<arrow::Schema> schema,
                      std::function<bool()> cancelled)
      : engine_(std::move(engine)),
        name_(std::move(name)),
        schema_(std::move(schema)),
        cancelled_(std::move(cancelled)) {}

  std::shared_ptr<arrow::Schema> schema() const override { return schema_; }

  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override {
    if (sent_) {
      uint64_t version = seen_;
      while (version == seen_) {
        if (cancelled_()) return arrow::Status::Cancelled("stream cancelled");
        version = engine_->WaitForUpdate(seen_, std::chrono::milliseconds(100));
      }
    }
    seen_ = engine_->version();
    sent_ = true;
    ARROW_ASSIGN_OR_RAISE(*batch, engine_->Results(name_));
    return arrow::Status::OK();
  }

 private:
  std::shared_ptr<analytics::AnalyticsEngine> engine_;
  std::string name_;
  std::shared_ptr<arrow::Schema> schema_;
  std::function<bool()> cancelled_;
  uint64_t seen_ = 0;
  bool sent_ = false;
};

arrow::Result<std::unique_ptr<fl::ResultStream>> JsonResult(const nlohmann::json& json) {
  std::vector<fl::Result> results(1);
  results[0].body = arrow::Buffer::FromString(json.dump());
  return std::make_unique<fl::SimpleResultStream>(std::move(results));
}

}  // namespace

StellarFlightService::StellarFlightService(FlightServiceOptions options,
                                           std::shared_ptr<pipeline::LedgerHub> hub,
                                           pipeline::HistoryOpener history,
                                           FlightMetrics metrics)
    : options_(std::move(options)),
      hub_(std::move(hub)),
      history_(std::move(history)),
      metrics_(metrics),
      active_streams_(std::make_shared<std::atomic<int64_t>>(0)),
      watchdog_(StreamWatchdogOptions{
          options_.stall_timeout, std::chrono::milliseconds(200),
          [this](const std::string& peer) { return EndConnection(peer); },
          [this](const std::string& stream) {
            if (metrics_.stalled_streams) {
              metrics_.stalled_streams->Add(
                  std::array<std::string, 1>{MetricLabel(stream)}, 1);
            }
          }}) {
  watchdog_.Start();
}

arrow::Result<StellarFlightService::RangeTotals> StellarFlightService::KnownTotals(
    const pipeline::TableRange& range) const {
  RangeTotals totals;
  if (!range.start || !range.end) return totals;
  uint32_t count = *range.end - *range.start + 1;
  if (hub_) {
    pipeline::HubLookup lookup = hub_->Get(*range.start, count);
    if (!lookup.evicted && lookup.ledgers.size() == count) {
      totals = {0, 0};
      for (const auto& ledger : lookup.ledgers) {
        const auto& rows = ledger->rows(range.table);
        totals.rows += rows->num_rows();
        ARROW_ASSIGN_OR_RAISE(int64_t bytes, arrow::util::ReferencedBufferSize(*rows));
        totals.bytes += bytes;
      }
      return totals;
    }
  }
  // One row per ledger: the size of a bounded stellar_ledger range is known in advance.
  if (range.table == convert::Table::kStellarLedger) totals.rows = int64_t{count};
  return totals;
}

arrow::Result<fl::FlightInfo> StellarFlightService::MakeInfo(
    const fl::FlightDescriptor& descriptor, const pipeline::TableRange& range,
    std::string description) {
  auto schema = convert::TableSchema(range.table, options_.converter.include_xdr,
                                     options_.converter.network_passphrase);
  ARROW_ASSIGN_OR_RAISE(auto location,
                        options_.tls
                            ? fl::Location::ForGrpcTls(options_.advertised_host, port())
                            : fl::Location::ForGrpcTcp(options_.advertised_host, port()));
  fl::FlightEndpoint endpoint;
  endpoint.ticket.ticket = FormatTicket(range);
  endpoint.locations.push_back(std::move(location));
  ARROW_ASSIGN_OR_RAISE(RangeTotals totals, KnownTotals(range));
  return fl::FlightInfo::Make(*schema, descriptor, {endpoint}, totals.rows, totals.bytes,
                              /*ordered=*/true, std::move(description));
}

arrow::Status StellarFlightService::ListFlights(
    const fl::ServerCallContext&, const fl::Criteria*,
    std::unique_ptr<fl::FlightListing>* listings) {
  std::vector<fl::FlightInfo> flights;
  for (convert::Table table : convert::kAllTables) {
    pipeline::TableRange range;
    range.table = table;
    auto descriptor =
        fl::FlightDescriptor::Path({std::string(convert::TableName(table))});
    ARROW_ASSIGN_OR_RAISE(auto info,
                          MakeInfo(descriptor, range, std::string(Description(table))));
    flights.push_back(std::move(info));
  }
  *listings = std::make_unique<fl::SimpleFlightListing>(std::move(flights));
  return arrow::Status::OK();
}

arrow::Status StellarFlightService::GetFlightInfo(const fl::ServerCallContext&,
                                                  const fl::FlightDescriptor& request,
                                                  std::unique_ptr<fl::FlightInfo>* info) {
  ARROW_ASSIGN_OR_RAISE(auto range, ParseDescriptor(request));
  ARROW_ASSIGN_OR_RAISE(auto made,
                        MakeInfo(request, range, std::string(Description(range.table))));
  *info = std::make_unique<fl::FlightInfo>(std::move(made));
  return arrow::Status::OK();
}

arrow::Status StellarFlightService::GetSchema(const fl::ServerCallContext&,
                                              const fl::FlightDescriptor& request,
                                              std::unique_ptr<fl::SchemaResult>* schema) {
  ARROW_ASSIGN_OR_RAISE(auto range, ParseDescriptor(request));
  ARROW_ASSIGN_OR_RAISE(*schema, fl::SchemaResult::Make(*convert::TableSchema(
                                     range.table, options_.converter.include_xdr,
                                     options_.converter.network_passphrase)));
  return arrow::Status::OK();
}

arrow::Status StellarFlightService::DoGet(const fl::ServerCallContext& context,
                                          const fl::Ticket& request,
                                          std::unique_ptr<fl::FlightDataStream>* stream) {
  constexpr std::string_view kAnalytics = "analytics:";
  if (std::string_view(request.ticket).starts_with(kAnalytics)) {
    return DoGetAnalytics(request.ticket.substr(kAnalytics.size()), context, stream);
  }
  ARROW_ASSIGN_OR_RAISE(auto range, ParseTicket(request.ticket));
  ARROW_ASSIGN_OR_RAISE(auto slot, TakeStreamSlot());
  pipeline::TableStreamOptions stream_options;
  stream_options.batch_rows = options_.batch_rows;
  stream_options.max_lag_bytes = options_.max_lag_bytes;
  stream_options.converter = options_.converter;
  stream_options.cancelled = [&context] { return context.is_cancelled(); };
  ARROW_ASSIGN_OR_RAISE(auto table_stream, pipeline::TableStream::Make(
                                               range, hub_, history_, stream_options));
  pipeline::TableStream* cancellable = table_stream.get();
  std::string name(convert::TableName(range.table));
  auto reader =
      std::make_shared<TableBatchReader>(std::move(table_stream), metrics_, name);
  *stream = ServeStream(std::move(reader), std::move(slot), context, std::move(name),
                        [cancellable] { cancellable->Cancel(); });
  return arrow::Status::OK();
}

arrow::Result<std::unique_ptr<StreamSlot>> StellarFlightService::TakeStreamSlot() {
  auto slot = std::make_unique<StreamSlot>(active_streams_);
  if (slot->taken() <= options_.max_streams) return slot;
  return fl::MakeFlightError(fl::FlightStatusCode::Unavailable,
                             "too many concurrent streams: MAX_CONNECTIONS is " +
                                 std::to_string(options_.max_streams));
}

std::unique_ptr<fl::FlightDataStream> StellarFlightService::ServeStream(
    std::shared_ptr<arrow::RecordBatchReader> reader, std::unique_ptr<StreamSlot> slot,
    const fl::ServerCallContext& context, std::string name,
    std::function<void()> cancel) {
  WatchedStream watched{context.peer(), std::move(name),
                        [&context] { return context.is_cancelled(); }, std::move(cancel)};
  return std::make_unique<ServedStream>(std::move(reader), options_.ipc, std::move(slot),
                                        &watchdog_, std::move(watched),
                                        metrics_.bytes_sent);
}

arrow::Result<int> StellarFlightService::EndConnection(const std::string& peer) {
  ARROW_ASSIGN_OR_RAISE(PeerAddress address, ParseGrpcPeer(peer));
  return ShutdownConnectionsFrom(address, static_cast<uint16_t>(port()));
}

arrow::Status StellarFlightService::DoGetAnalytics(
    const std::string& ticket, const fl::ServerCallContext& context,
    std::unique_ptr<fl::FlightDataStream>* stream) {
  if (!analytics_) {
    return arrow::Status::Invalid("analytics are off (set ENABLE_ANALYTICS=true)");
  }
  constexpr std::string_view kLive = ":live";
  bool live = std::string_view(ticket).ends_with(kLive);
  std::string name = live ? ticket.substr(0, ticket.size() - kLive.size()) : ticket;
  ARROW_ASSIGN_OR_RAISE(auto results, analytics_->Results(name));
  if (live) {
    ARROW_ASSIGN_OR_RAISE(auto slot, TakeStreamSlot());
    auto reader = std::make_shared<LiveAnalyticsReader>(
        analytics_, name, results->schema(),
        [&context] { return context.is_cancelled(); });
    *stream = ServeStream(std::move(reader), std::move(slot), context,
                          "analytics:" + name, [] {});
    return arrow::Status::OK();
  }
  ARROW_ASSIGN_OR_RAISE(auto reader,
                        arrow::RecordBatchReader::Make({results}, results->schema()));
  *stream = std::make_unique<fl::RecordBatchStream>(reader, options_.ipc);
  return arrow::Status::OK();
}

arrow::Result<nlohmann::json> StellarFlightService::AnalyticsAction(
    const fl::Action& action) {
  if (!analytics_) {
    return arrow::Status::Invalid("analytics are off (set ENABLE_ANALYTICS=true)");
  }
  std::string body = action.body ? action.body->ToString() : "";
  if (action.type == "list_aggregations")
    return nlohmann::json(analytics_->Definitions());
  if (action.type == "drop_aggregation") {
    ARROW_RETURN_NOT_OK(analytics_->Drop(body));
    return nlohmann::json{{"dropped", body}};
  }
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded())
    return arrow::Status::Invalid("create_aggregation: body is not JSON");
  ARROW_ASSIGN_OR_RAISE(auto def, analytics::ParseAggregation(json));
  std::string name = def.name;
  ARROW_RETURN_NOT_OK(analytics_->Add(std::move(def)));
  return nlohmann::json{{"created", name}};
}

std::string StellarFlightService::HealthJson() const {
  nlohmann::json json = {{"status", "ok"}, {"active_streams", active_streams()}};
  if (hub_) {
    pipeline::HubStats stats = hub_->stats();
    pipeline::HubLookup lookup = hub_->Get(UINT32_MAX, 0);
    if (!lookup.status.ok()) {
      json["status"] = "failing";
      json["error"] = lookup.status.ToString();
    }
    if (stats.newest) json["newest_ledger"] = *stats.newest;
    json["ledgers_converted"] = stats.ledgers_converted;
  }
  return json.dump();
}

arrow::Status StellarFlightService::DoAction(const fl::ServerCallContext&,
                                             const fl::Action& action,
                                             std::unique_ptr<fl::ResultStream>* result) {
  if (action.type == "health") {
    ARROW_ASSIGN_OR_RAISE(*result, JsonResult(nlohmann::json::parse(HealthJson())));
    return arrow::Status::OK();
  }
  if (action.type == "sources") {
    nlohmann::json json = nlohmann::json::parse(options_.sources_json);
    if (hub_) {
      pipeline::HubStats stats = hub_->stats();
      if (stats.newest) json["newest_ledger"] = *stats.newest;
      json["oldest_live_ledger"] = hub_->Get(0, 0).oldest;
    }
    ARROW_ASSIGN_OR_RAISE(*result, JsonResult(json));
    return arrow::Status::OK();
  }
  if (action.type == "list_aggregations" || action.type == "create_aggregation" ||
      action.type == "drop_aggregation") {
    ARROW_ASSIGN_OR_RAISE(auto json, AnalyticsAction(action));
    ARROW_ASSIGN_OR_RAISE(*result, JsonResult(json));
    return arrow::Status::OK();
  }
  return arrow::Status::Invalid("unknown action '", action.type, "' (see ListActions)");
}

arrow::Status StellarFlightService::ListActions(const fl::ServerCallContext&,
                                                std::vector<fl::ActionType>* actions) {
  *actions = {{"health", "JSON: status, newest ledger, active streams"},
              {"sources", "JSON: configured sources and the newest ledger seen"},
              {"list_aggregations", "JSON: the definitions of every aggregation"},
              {"create_aggregation", "body: one aggregation definition (JSON)"},
              {"drop_aggregation", "body: the name of an aggregation"}};
  return arrow::Status::OK();
}

arrow::Status CallMetricsMiddlewareFactory::StartCall(
    const fl::CallInfo& info, const fl::ServerCallContext&,
    std::shared_ptr<fl::ServerMiddleware>* middleware) {
  *middleware =
      std::make_shared<CallMetricsMiddleware>(calls_, seconds_, latency_, info.method);
  return arrow::Status::OK();
}

arrow::Status BearerTokenMiddlewareFactory::StartCall(
    const fl::CallInfo&, const fl::ServerCallContext& context,
    std::shared_ptr<fl::ServerMiddleware>*) {
  const fl::CallHeaders& headers = context.incoming_headers();
  auto found = headers.equal_range("authorization");
  for (auto it = found.first; it != found.second; ++it) {
    if (it->second == "Bearer " + token_) return arrow::Status::OK();
  }
  return fl::MakeFlightError(fl::FlightStatusCode::Unauthenticated,
                             found.first == found.second
                                 ? "missing 'authorization: Bearer <token>' header"
                                 : "invalid bearer token");
}

}  // namespace sas::flight
