// Every P1 capture and vector: parse, values as SOURCES.md lists them, re-emit byte for
// byte, any split of the stream, and every single-bit flip rejected.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "hansim/codec/p1/parser.hpp"
#include "hansim/codec/p1/writer.hpp"
#include "test_data.hpp"

using namespace hansim::codec;
using namespace hansim::codec::p1;

namespace {

struct expected_values {
    std::string ident;
    std::uint16_t crc;
    std::string clock;                          // 0-0:1.0.0 as written
    std::map<std::string, std::int64_t> scaled;  // OBIS -> value × 10^decimals
};

// From tests/data/reference-frames/SOURCES.md and PROTOCOLS.md §6.3.
const std::map<std::string, expected_values>& expectations() {
    static const std::map<std::string, expected_values> table{
        {"p1_KAM5_kamstrup-omnia_amshan_20220408T135021.txt",
         {"KAM5", 0x92F5, "220408135021W",
          {{"1-0:1.8.0", 60995424}, {"1-0:1.7.0", 2202}, {"1-0:32.7.0", 2355}, {"1-0:52.7.0", 2395}, {"1-0:72.7.0", 2391}}}},
        {"p1_LGF5E360_landisgyr-e360_amshan_20210222T161900.txt",
         {"LGF5E360", 0xA077, "210222161900W", {{"1-0:1.8.0", 896020}, {"1-0:2.8.0", 48792}, {"1-0:2.7.0", 20}}}},
        {"p1_LGF5E360_landisgyr-e360_amshan_20220204T110650.txt",
         {"LGF5E360", 0x8012, "220204110650W", {{"1-0:1.8.0", 10501076}, {"1-0:1.7.0", 2301}}}},
        {"p1_no_KAM5_kamstrup-omnia-CT_amsreader-gh699-1.txt",
         {"KAM5", 0x7DD1, "231221124233W", {{"1-0:1.8.0", 9222471}}}},
        {"p1_se_ELL5_sagemcom-t211_amshan_20201020T085222.txt",
         {"ELL5\\253833635_A", 0x80FF, "201020085222W", {{"1-0:1.8.0", 1605055}, {"1-0:1.7.0", 6000}}}},
        {"p1_se_ELL5_sagemcom-t211_psvanstrom_20210217T184019.txt",
         {"ELL5\\253833635_A", 0x7945, "210217184019W",
          {{"1-0:1.8.0", 6678394}, {"1-0:1.7.0", 1727}, {"1-0:32.7.0", 2403}, {"1-0:52.7.0", 2401}, {"1-0:72.7.0", 2413},
           {"1-0:31.7.0", 42}, {"1-0:51.7.0", 16}, {"1-0:71.7.0", 17}}}},
        {"p1_se_KAM5_kamstrup-omnia_amsreader-gh578-1.txt",
         {"KAM5", 0x1D66, "240407122854S", {{"1-0:1.8.0", 9621983}, {"1-0:1.7.0", 1453}}}},
        {"p1_se_KAM5_kamstrup-omnia_amsreader-gh934-2.txt",
         {"KAM5", 0xC659, "250525184215S", {{"1-0:1.8.0", 28073776}, {"1-0:1.7.0", 976}}}},
        {"p1_se_KFM5_kaifa-ma304h4e_dsmrreader-1394_20210524T094210.txt",
         {"KFM5KAIFA-METER", 0x7D16, "210524094210W",
          {{"1-0:1.8.0", 424413}, {"1-0:1.7.0", 182}, {"1-0:32.7.0", 2307}, {"1-0:52.7.0", 2278}, {"1-0:72.7.0", 2323},
           {"1-0:31.7.0", 4}, {"1-0:51.7.0", 5}, {"1-0:71.7.0", 1}}}},
        {"p1_se_LGF5E360_landisgyr-e360_amsreader-gh382-1.txt",
         {"LGF5E360", 0x2154, "221215155050W", {{"1-0:1.8.0", 2721126}, {"1-0:1.7.0", 4190}}}},
        {"p1_kam5_example.txt",
         {"KAM5", 0x38F5, "240115134520W",
          {{"1-0:1.8.0", 123456789}, {"1-0:3.8.0", 1234567}, {"1-0:4.8.0", 9876543}, {"1-0:1.7.0", 1234}, {"1-0:4.7.0", 321},
           {"1-0:21.7.0", 1100}, {"1-0:41.7.0", 114}, {"1-0:61.7.0", 20}, {"1-0:24.7.0", 300}, {"1-0:44.7.0", 15},
           {"1-0:64.7.0", 6}, {"1-0:32.7.0", 2301}, {"1-0:52.7.0", 2310}, {"1-0:72.7.0", 2294}, {"1-0:31.7.0", 56},
           {"1-0:51.7.0", 23}, {"1-0:71.7.0", 9}}}},
        {"p1_kam5_minimal.txt", {"KAM5", 0x0199, "240115134520W", {{"1-0:1.7.0", 1234}}}},
    };
    return table;
}

const char* sanxing = "p1_sanxing-sx631-s34u18_tasmota-docs_ANONYMIZED_badcrc.txt";

/// Every P1 file: the real captures plus the two worked vectors.
std::vector<std::filesystem::path> p1_files() {
    std::vector<std::filesystem::path> out;
    for (const auto& p : hansim::test::files_ending("reference-frames", ".txt"))
        if (p.filename().string().rfind("p1_", 0) == 0) out.push_back(p);
    for (const auto& p : hansim::test::files_ending("vectors", ".txt"))
        if (p.filename().string().rfind("p1_", 0) == 0) out.push_back(p);
    return out;
}

bytes load(const std::filesystem::path& path) {
    const auto text = hansim::test::read_text(path);
    return bytes(text.begin(), text.end());
}

struct outcome {
    std::vector<telegram_frame> frames;
    std::vector<parse_error> errors;
};

outcome feed_in_pieces(const bytes& data, const std::vector<std::size_t>& cuts) {
    parser p;
    outcome out;
    std::size_t from = 0;
    auto drain = [&] {
        for (;;) {
            auto r = p.next();
            if (std::holds_alternative<need_more>(r)) return;
            if (auto* f = std::get_if<telegram_frame>(&r)) out.frames.push_back(std::move(*f));
            else out.errors.push_back(std::get<parse_error>(r));
        }
    };
    for (auto cut : cuts) {
        p.feed(byte_view(data).subspan(from, cut - from));
        drain();
        from = cut;
    }
    p.feed(byte_view(data).subspan(from));
    drain();
    return out;
}

}  // namespace

TEST(p1_captures, all_files_are_covered) {
    const auto files = p1_files();
    EXPECT_EQ(files.size(), expectations().size() + 1);  // + the anonymized Sanxing one
    for (const auto& path : files) {
        const auto name = path.filename().string();
        if (name != sanxing) {
            EXPECT_TRUE(expectations().count(name)) << "no expectations for " << name;
        }
    }
}

TEST(p1_captures, parse_values_and_reemit_byte_for_byte) {
    for (const auto& path : p1_files()) {
        const auto name = path.filename().string();
        if (name == sanxing) continue;
        SCOPED_TRACE(name);
        const auto data = load(path);
        const auto result = parse_telegram(data);
        const auto* frame = std::get_if<telegram_frame>(&result);
        ASSERT_NE(frame, nullptr) << std::get<parse_error>(result).message;
        EXPECT_TRUE(frame->issues.empty()) << frame->issues.front().message;
        EXPECT_EQ(frame->raw, data);
        const auto& want = expectations().at(name);
        EXPECT_EQ(frame->content.ident, want.ident);
        EXPECT_EQ(frame->crc, want.crc);
        ASSERT_NE(frame->content.timestamp_of("0-0:1.0.0"), nullptr);
        EXPECT_EQ(frame->content.timestamp_of("0-0:1.0.0")->to_text(), want.clock);
        for (const auto& [obis, scaled] : want.scaled) {
            const auto* n = frame->content.number_of(obis);
            ASSERT_NE(n, nullptr) << obis;
            EXPECT_EQ(n->scaled(), scaled) << obis;
        }
        if (name != "p1_kam5_minimal.txt") {
            EXPECT_EQ(frame->content.lines.size(), 27u);
        }
        EXPECT_EQ(write_telegram(frame->content), data);
    }
}

TEST(p1_captures, units_as_each_vendor_writes_them) {
    const auto unit_of = [](const char* file, const char* obis) {
        const auto r = parse_telegram(load(hansim::test::data_dir() / "reference-frames" / file));
        return std::get<telegram_frame>(r).content.number_of(obis)->unit;
    };
    EXPECT_EQ(unit_of("p1_se_ELL5_sagemcom-t211_amshan_20201020T085222.txt", "1-0:3.8.0"), "kvarh");
    EXPECT_EQ(unit_of("p1_se_ELL5_sagemcom-t211_amshan_20201020T085222.txt", "1-0:4.7.0"), "kvar");
    EXPECT_EQ(unit_of("p1_KAM5_kamstrup-omnia_amshan_20220408T135021.txt", "1-0:3.8.0"), "kVArh");
    EXPECT_EQ(unit_of("p1_LGF5E360_landisgyr-e360_amshan_20210222T161900.txt", "1-0:4.7.0"), "kVAr");
}

TEST(p1_captures, anonymized_sanxing_parses_to_a_crc_error) {
    const auto data = load(hansim::test::data_dir() / "reference-frames" / sanxing);
    const auto result = parse_telegram(data);
    const auto* e = std::get_if<parse_error>(&result);
    ASSERT_NE(e, nullptr);
    EXPECT_NE(e->message.find("CRC mismatch"), std::string::npos) << e->message;
    EXPECT_NE(e->message.find("sent DA6A"), std::string::npos) << e->message;
    EXPECT_EQ(e->stream_offset, data.size() - 6);
}

TEST(p1_captures, every_split_point_and_byte_by_byte) {
    for (const auto& path : p1_files()) {
        const auto name = path.filename().string();
        SCOPED_TRACE(name);
        const auto data = load(path);
        const bool good = name != sanxing;
        for (std::size_t cut = 0; cut <= data.size(); ++cut) {
            const auto o = feed_in_pieces(data, {cut});
            ASSERT_EQ(o.frames.size(), good ? 1u : 0u) << "split at " << cut;
            ASSERT_EQ(o.errors.size(), good ? 0u : 1u) << "split at " << cut;
            if (good) {
                ASSERT_EQ(o.frames[0].raw, data) << "split at " << cut;
            }
        }
        std::vector<std::size_t> every;
        for (std::size_t i = 1; i < data.size(); ++i) every.push_back(i);
        const auto o = feed_in_pieces(data, every);
        ASSERT_EQ(o.frames.size(), good ? 1u : 0u);
        if (good) {
            EXPECT_EQ(o.frames[0].raw, data);
        }
    }
}

TEST(p1_captures, back_to_back_with_noise_between) {
    bytes stream{'\r', '\n'};
    std::vector<std::uint64_t> starts;
    std::size_t good = 0;
    for (const auto& path : p1_files()) {
        if (path.filename() == sanxing) continue;
        const auto data = load(path);
        starts.push_back(stream.size());
        stream.insert(stream.end(), data.begin(), data.end());
        stream.insert(stream.end(), {'x', 0x00, '!', '\n'});
        ++good;
    }
    const auto o = feed_in_pieces(stream, {stream.size() / 3, stream.size() / 2});
    EXPECT_TRUE(o.errors.empty());
    ASSERT_EQ(o.frames.size(), good);
    for (std::size_t i = 0; i < good; ++i) EXPECT_EQ(o.frames[i].stream_offset, starts[i]);
}

TEST(p1_captures, every_single_bit_flip_is_rejected) {
    for (const auto& path : p1_files()) {
        const auto name = path.filename().string();
        if (name == sanxing) continue;
        SCOPED_TRACE(name);
        const auto data = load(path);
        for (std::size_t i = 0; i < data.size(); ++i) {
            for (int bit = 0; bit < 8; ++bit) {
                auto flipped = data;
                flipped[i] = static_cast<std::uint8_t>(flipped[i] ^ (1u << bit));
                const auto o = feed_in_pieces(flipped, {});
                ASSERT_TRUE(o.frames.empty()) << "bit " << bit << " of byte " << i << " accepted";
            }
        }
    }
}
