// report::dump: the one way hansim turns a record into a JSON line.
#include "hansim/report/json.hpp"

#include <gtest/gtest.h>

using hansim::report::dump;
using hansim::report::json;
using hansim::report::member;

TEST(ReportJson, ControlCharactersAreEscapedNotDropped) {
    std::string name = "a";
    for (char c = 0; c < 0x20; ++c) name.push_back(c);
    name += "\"\\z";
    const std::string text = dump(json{{"name", name}});
    EXPECT_EQ(text.find('\x01'), std::string::npos);
    EXPECT_NE(text.find("\\u0000"), std::string::npos) << text;
    EXPECT_NE(text.find("\\u0001"), std::string::npos) << text;
    EXPECT_NE(text.find("\\u001f"), std::string::npos) << text;
    EXPECT_NE(text.find("\\n"), std::string::npos) << text;
    EXPECT_NE(text.find("\\t"), std::string::npos) << text;
    EXPECT_NE(text.find("\\\"\\\\z"), std::string::npos) << text;
    // Read back, nothing is lost.
    EXPECT_EQ(json::parse(text)["name"].get<std::string>(), name);
}

TEST(ReportJson, KeysKeepInsertionOrder) {
    json record = json::object();
    record["zeta"] = 1;
    record["alpha"] = 2;
    record["mid"] = nullptr;
    EXPECT_EQ(dump(record), R"({"zeta":1,"alpha":2,"mid":null})");
}

TEST(ReportJson, BytesThatAreNotUtf8AreReplacedNotThrown) {
    const std::string wire_text = std::string("ab") + '\xFF' + "c";
    std::string text;
    ASSERT_NO_THROW(text = dump(json{{"text", wire_text}}));
    EXPECT_EQ(text, "{\"text\":\"ab\xEF\xBF\xBD" "c\"}");  // U+FFFD
    EXPECT_EQ(dump(json{{"text", "\xC3\xA6"}}), "{\"text\":\"\xC3\xA6\"}");  // UTF-8 passes through
}

TEST(ReportJson, IntegersExactAndNonFiniteIsNull) {
    EXPECT_EQ(dump(json(std::uint64_t{18446744073709551615u})), "18446744073709551615");
    EXPECT_EQ(dump(json(std::int64_t{-9007199254740993})), "-9007199254740993");
    EXPECT_EQ(dump(json(std::numeric_limits<double>::quiet_NaN())), "null");
}

TEST(ReportJson, MemberFindsOnlyObjectMembers) {
    const json record = {{"a", 1}};
    ASSERT_NE(member(record, "a"), nullptr);
    EXPECT_EQ(member(record, "b"), nullptr);
    EXPECT_EQ(member(json::array(), "a"), nullptr);
}
