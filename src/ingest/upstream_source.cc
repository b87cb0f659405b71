#include "ingest/upstream_source.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <grpcpp/grpcpp.h>

#include "ops/log.h"
#include "raw_ledger_service.grpc.pb.h"
#include "xdr/ledger_close_meta.h"

namespace sas::ingest {
namespace {

namespace rls = raw_ledger_service;

constexpr std::string_view kComponent = "upstream";

arrow::Result<std::string> ReadPem(const std::string& path) {
  std::ifstream file(path);
  if (!file)
    return arrow::Status::IOError("cannot read TLS root certificates '", path, "'");
  std::stringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

arrow::Result<std::shared_ptr<grpc::ChannelCredentials>> CredentialsFor(
    const UpstreamOptions& options) {
  if (!options.tls) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  if (!options.tls_root_cert_file.empty()) {
    ARROW_ASSIGN_OR_RAISE(ssl.pem_root_certs, ReadPem(options.tls_root_cert_file));
  }
  return grpc::SslCredentials(ssl);
}

grpc::ChannelArguments ChannelArgumentsFor(const UpstreamOptions& options) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(options.max_message_bytes);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS,
              static_cast<int>(options.keepalive_time.count()));
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
              static_cast<int>(options.keepalive_timeout.count()));
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  return args;
}

std::string DescribeStatus(const grpc::Status& status) {
  std::ostringstream text;
  text << "stream ended with gRPC status " << static_cast<int>(status.error_code());
  if (!status.error_message().empty()) text << " (" << status.error_message() << ")";
  return text.str();
}

}  // namespace

/// One open stream: the channel's stub, the call's context and its reader.
struct UpstreamLedgerSource::Connection {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<rls::RawLedgerService::Stub> stub;
  std::unique_ptr<grpc::ClientContext> context;
  std::unique_ptr<grpc::ClientReader<rls::RawLedger>> reader;
};

arrow::Result<std::unique_ptr<UpstreamLedgerSource>> UpstreamLedgerSource::Open(
    UpstreamOptions options) {
  if (options.endpoint.empty()) {
    return arrow::Status::Invalid("upstream: empty endpoint (expected host:port)");
  }
  if (options.end && *options.end < options.start) {
    return arrow::Status::Invalid("upstream: end ", *options.end, " is before start ",
                                  options.start);
  }
  ARROW_ASSIGN_OR_RAISE(auto credentials, CredentialsFor(options));
  auto source = std::make_unique<UpstreamLedgerSource>(options);
  source->connection_ = std::make_unique<Connection>();
  source->connection_->channel = grpc::CreateCustomChannel(options.endpoint, credentials,
                                                           ChannelArgumentsFor(options));
  source->connection_->stub =
      rls::RawLedgerService::NewStub(source->connection_->channel);
  return source;
}

UpstreamLedgerSource::UpstreamLedgerSource(UpstreamOptions options)
    : options_(std::move(options)),
      next_ledger_(options_.start),
      backoff_(options_.initial_backoff) {}

UpstreamLedgerSource::~UpstreamLedgerSource() {
  Cancel();
  CloseStream();
}

arrow::Status UpstreamLedgerSource::OpenStream() {
  auto context = std::make_unique<grpc::ClientContext>();
  {
    std::lock_guard lock(mutex_);
    if (cancelled_) return arrow::Status::Cancelled("upstream cancelled");
    connection_->context = std::move(context);
  }
  rls::StreamLedgersRequest request;
  request.set_start_ledger(next_ledger_);
  connection_->reader =
      connection_->stub->StreamRawLedgers(connection_->context.get(), request);
  if (opened_once_) ++reconnects_;
  opened_once_ = true;
  ops::LogInfo(kComponent, "stream opened",
               {{"endpoint", options_.endpoint}, {"start_ledger", next_ledger_}});
  return arrow::Status::OK();
}

void UpstreamLedgerSource::CloseStream() {
  if (!connection_ || !connection_->reader) return;
  connection_->context->TryCancel();
  (void)connection_->reader->Finish();
  std::lock_guard lock(mutex_);
  connection_->reader.reset();
  connection_->context.reset();
}

bool UpstreamLedgerSource::Cancelled() {
  std::lock_guard lock(mutex_);
  return cancelled_;
}

UpstreamLedgerSource::Verdict UpstreamLedgerSource::Check(uint32_t sequence,
                                                          std::span<const uint8_t> bytes,
                                                          std::string* problem) {
  if (sequence < next_ledger_) return Verdict::kDuplicate;
  if (sequence > next_ledger_) {
    *problem = "upstream skipped ledger " + std::to_string(next_ledger_) + ": it sent " +
               std::to_string(sequence) + " next";
    return Verdict::kBad;
  }
  auto frame = xdr::LedgerCloseMetaFrame::Parse(bytes);
  if (!frame.ok()) {
    *problem = "ledger " + std::to_string(sequence) +
               " is not a valid LedgerCloseMeta: " + frame.status().message();
    return Verdict::kBad;
  }
  if (frame->sequence() != sequence) {
    *problem = "message for ledger " + std::to_string(sequence) +
               " carries the XDR of ledger " + std::to_string(frame->sequence());
    return Verdict::kBad;
  }
  auto previous = frame->previous_ledger_hash();
  if (last_hash_ && !std::equal(previous.begin(), previous.end(), last_hash_->begin())) {
    *problem = "ledger " + std::to_string(sequence) +
               " does not chain: its previous hash " + xdr::ToHex(previous) +
               " is not the hash of ledger " + std::to_string(sequence - 1);
    return Verdict::kBad;
  }
  last_hash_.emplace();
  std::copy(frame->ledger_hash().begin(), frame->ledger_hash().end(),
            last_hash_->begin());
  return Verdict::kDeliver;
}

arrow::Status UpstreamLedgerSource::Backoff(bool bad_ledger, const std::string& problem) {
  CloseStream();
  int attempts = bad_ledger ? ++bad_ledgers_in_a_row_ : ++failed_connects_;
  int limit = bad_ledger ? options_.max_bad_ledgers : options_.max_connect_attempts;
  if (bad_ledger) ++bad_;
  nlohmann::json fields = {{"endpoint", options_.endpoint},
                           {"problem", problem},
                           {"resume_at", next_ledger_},
                           {"attempt", attempts},
                           {"retry_in_ms", backoff_.count()}};
  if (limit > 0 && attempts >= limit) {
    ops::LogError(kComponent, "giving up", fields);
    return arrow::Status::IOError("upstream ", options_.endpoint, ": ", problem,
                                  " (after ", attempts, " attempts)");
  }
  ops::LogWarn(kComponent, bad_ledger ? "bad ledger, re-requesting" : "reconnecting",
               fields);
  std::unique_lock lock(mutex_);
  cancelled_cv_.wait_for(lock, backoff_, [this] { return cancelled_; });
  if (cancelled_) return arrow::Status::Cancelled("upstream cancelled");
  backoff_ = std::min(backoff_ * 2, options_.max_backoff);
  return arrow::Status::OK();
}

arrow::Result<std::optional<SourcedLedger>> UpstreamLedgerSource::Next() {
  while (true) {
    if (options_.end && next_ledger_ > *options_.end) {
      CloseStream();
      return std::nullopt;
    }
    if (Cancelled()) return arrow::Status::Cancelled("upstream cancelled");
    if (!connection_->reader) ARROW_RETURN_NOT_OK(OpenStream());
    rls::RawLedger message;
    if (!connection_->reader->Read(&message)) {
      grpc::Status status = connection_->reader->Finish();
      {
        std::lock_guard lock(mutex_);
        connection_->reader.reset();
        connection_->context.reset();
      }
      if (Cancelled()) return arrow::Status::Cancelled("upstream cancelled");
      ARROW_RETURN_NOT_OK(Backoff(false, DescribeStatus(status)));
      continue;
    }
    auto buffer =
        arrow::Buffer::FromString(std::move(*message.mutable_ledger_close_meta_xdr()));
    std::span<const uint8_t> bytes(buffer->data(), static_cast<size_t>(buffer->size()));
    std::string problem;
    switch (Check(message.sequence(), bytes, &problem)) {
      case Verdict::kDuplicate:
        ++duplicates_;
        ops::LogWarn(kComponent, "dropped a ledger sent again",
                     {{"sequence", message.sequence()}, {"expected", next_ledger_}});
        continue;
      case Verdict::kBad:
        ARROW_RETURN_NOT_OK(Backoff(true, problem));
        continue;
      case Verdict::kDeliver:
        break;
    }
    failed_connects_ = 0;
    bad_ledgers_in_a_row_ = 0;
    backoff_ = options_.initial_backoff;
    ++ledgers_;
    bytes_ += bytes.size();
    return SourcedLedger{next_ledger_++, std::move(buffer), bytes};
  }
}

void UpstreamLedgerSource::Cancel() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  if (connection_ && connection_->context) connection_->context->TryCancel();
  cancelled_cv_.notify_all();
}

UpstreamStats UpstreamLedgerSource::stats() const {
  return UpstreamStats{ledgers_.load(), bytes_.load(), reconnects_.load(),
                       duplicates_.load(), bad_.load()};
}

}  // namespace sas::ingest
