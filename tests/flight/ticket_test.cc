#include "flight/ticket.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace sas::flight {
namespace {

namespace fl = arrow::flight;
using convert::Table;

TEST(Ticket, ParsesRangesTailsAndAliases) {
  ASSERT_OK_AND_ASSIGN(auto range, ParseTicket("stellar_ledger:100:200"));
  EXPECT_EQ(range.table, Table::kStellarLedger);
  EXPECT_EQ(range.start, 100u);
  EXPECT_EQ(range.end, 200u);

  ASSERT_OK_AND_ASSIGN(auto tail, ParseTicket("operations:500:"));
  EXPECT_EQ(tail.start, 500u);
  EXPECT_FALSE(tail.end.has_value());

  ASSERT_OK_AND_ASSIGN(auto newest, ParseTicket("ttp_events"));
  EXPECT_EQ(newest.table, Table::kTokenTransfers);
  EXPECT_FALSE(newest.start.has_value());
}

TEST(Ticket, RejectsMalformedTicketsNamingTheProblem) {
  struct Case {
    const char* ticket;
    const char* says;
  };
  for (const Case& c :
       {Case{"stellar_ledger:abc:1", "'abc' is not a ledger sequence"},
        Case{"nope:1:2", "unknown stream 'nope'"},
        Case{"operations:200:100", "end 100 is before start 200"},
        Case{"operations:0:10", "0 is not a ledger"}, Case{"operations:1:2:3", "4 parts"},
        Case{"operations:-1:", "'-1' is not a ledger sequence"},
        Case{"", "unknown stream ''"}}) {
    auto parsed = ParseTicket(c.ticket);
    ASSERT_FALSE(parsed.ok()) << c.ticket;
    EXPECT_TRUE(parsed.status().IsInvalid()) << c.ticket;
    EXPECT_NE(parsed.status().message().find(c.says), std::string::npos)
        << parsed.status().ToString();
  }
}

TEST(Ticket, DescriptorsOfBothKindsAgree) {
  ASSERT_OK_AND_ASSIGN(
      auto from_path,
      ParseDescriptor(fl::FlightDescriptor::Path({"transactions", "100", "200"})));
  ASSERT_OK_AND_ASSIGN(
      auto from_cmd,
      ParseDescriptor(fl::FlightDescriptor::Command("transactions:100:200")));
  EXPECT_EQ(FormatTicket(from_path), "transactions:100:200");
  EXPECT_EQ(FormatTicket(from_cmd), "transactions:100:200");
  EXPECT_FALSE(ParseDescriptor(fl::FlightDescriptor::Path({})).ok());
}

TEST(Ticket, FormatIsTheInverseOfParse) {
  for (const char* ticket : {"stellar_ledger", "operations:5:", "contract_events:7:9"}) {
    ASSERT_OK_AND_ASSIGN(auto range, ParseTicket(ticket));
    EXPECT_EQ(FormatTicket(range), ticket);
  }
}

}  // namespace
}  // namespace sas::flight
