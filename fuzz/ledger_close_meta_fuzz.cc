// libFuzzer target: arbitrary bytes as a LedgerCloseMeta. Invariants: nothing crashes or
// reads out of bounds; the view walk and the owning decoder accept exactly the same
// inputs; whatever is accepted re-encodes to the identical bytes; the wrapper's accessors
// work on every accepted ledger.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "stellar_xdr_types.h"
#include "xdr/ledger_close_meta.h"

namespace sx = stellar::xdr;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  auto view = sx::ParseView<sx::LedgerCloseMeta>(bytes);
  auto owned = sx::DecodeXdr<sx::LedgerCloseMeta>(bytes);
  if (view.ok() != owned.ok()) std::abort();
  if (!view.ok()) return 0;
  auto encoded = sx::EncodeXdr(*owned);
  if (encoded.size() != size || !std::equal(encoded.begin(), encoded.end(), data)) {
    std::abort();
  }
  auto frame = sas::xdr::LedgerCloseMetaFrame::Parse(bytes);
  if (!frame.ok()) std::abort();
  (void)frame->CountResults();
  (void)frame->TxSetOperationCount();
  (void)frame->HeaderHashMatches();
  (void)frame->JoinEnvelopes(sas::xdr::NetworkId("fuzz"));
  return 0;
}
