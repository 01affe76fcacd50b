// Codec throughput: deframing, APDU decoding and P1 parsing of real-size frames, with
// memcpy of the same bytes as the floor reference.
#include <benchmark/benchmark.h>

#include <cstring>

#include "hansim/codec/apdu/data_notification.hpp"
#include "hansim/codec/hdlc/stream_decoder.hpp"
#include "hansim/codec/p1/parser.hpp"
#include "test_data.hpp"

using namespace hansim;

namespace {
codec::bytes list1() { return test::read_hex(test::data_dir() / "vectors" / "nve_list1_3ph.hex"); }
codec::bytes push1() { return test::read_hex(test::data_dir() / "vectors" / "push1_3ph.hex"); }

void reference_memcpy(benchmark::State& state) {
    const auto frame = push1();
    codec::bytes out(frame.size());
    for (auto _ : state) {
        std::memcpy(out.data(), frame.data(), frame.size());
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame.size()));
}
BENCHMARK(reference_memcpy);

void hdlc_deframe(benchmark::State& state, codec::bytes frame) {
    codec::hdlc::stream_decoder decoder;
    for (auto _ : state) {
        decoder.feed(frame);
        auto event = decoder.next();
        benchmark::DoNotOptimize(event);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame.size()));
}
BENCHMARK_CAPTURE(hdlc_deframe, list1_228B, list1());
BENCHMARK_CAPTURE(hdlc_deframe, push1_461B, push1());

void apdu_decode(benchmark::State& state) {
    const auto frame = push1();
    const codec::byte_view apdu = codec::byte_view(frame).subspan(11, frame.size() - 14);
    for (auto _ : state) {
        auto n = codec::apdu::data_notification::from_bytes(apdu);
        benchmark::DoNotOptimize(n);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * apdu.size()));
}
BENCHMARK(apdu_decode);

void p1_parse(benchmark::State& state) {
    const auto text = test::read_text(test::data_dir() / "vectors" / "p1_kam5_example.txt");
    const codec::bytes telegram(text.begin(), text.end());
    for (auto _ : state) {
        auto t = codec::p1::parse_telegram(telegram);
        benchmark::DoNotOptimize(t);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * telegram.size()));
}
BENCHMARK(p1_parse);
}  // namespace
