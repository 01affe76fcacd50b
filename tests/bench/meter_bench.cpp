// Building pushes: how many frames a second one core produces for each kind of meter
// (model + list + framing, plus ciphering for the Danish profile). A thousand paced meters
// need 100 frames/s in total; this shows the head-room.
#include <benchmark/benchmark.h>

#include "hansim/meter/meter_source.hpp"
#include "hansim/meter/profile.hpp"

using namespace hansim;

namespace {
void generate_frames(benchmark::State& state, const char* profile) {
    auto config = meter::profile_config(profile);
    security::security_keys keys{};
    auto source = meter::make_push_source(config, &keys, nullptr);
    std::size_t bytes = 0;
    for (auto _ : state) {
        auto frame = source->next();
        bytes += frame.wire.size();
        benchmark::DoNotOptimize(frame);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK_CAPTURE(generate_frames, kamstrup_no_3p, "kamstrup-no-3p");
BENCHMARK_CAPTURE(generate_frames, kamstrup_dk_3p_ciphered, "kamstrup-dk-3p");
BENCHMARK_CAPTURE(generate_frames, kamstrup_p1, "kamstrup-p1");
}  // namespace
