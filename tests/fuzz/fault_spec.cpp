// Fuzz target for the `faults` setting: the rule parser of the fault catalogue
// (faults/catalogue.hpp) and the fault stage that applies what it accepts. Each input is a
// rule text. The parser either returns a plan or throws std::invalid_argument; an accepted
// plan prints back to text that parses to the same plan; and a plan the applicability check
// accepts for an HDLC or a P1 meter runs through the fault stage for a few pushes without
// crashing, keeping the send order and recording what each fault did.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "hansim/faults/catalogue.hpp"
#include "hansim/faults/fault_stage.hpp"
#include "hansim/meter/meter_source.hpp"
#include "hansim/meter/profile.hpp"

using namespace hansim;

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

void run_stage(const meter::fault_plan& plan, const char* profile) {
    meter::meter_config config = meter::profile_config(profile);
    config.start = meter::utc_ms(std::chrono::milliseconds(1'704'067'200'000));  // 2024-01-01
    config.faults = plan;
    try {
        faults::check_applicable(plan, config, "");
    } catch (const std::invalid_argument&) {
        return;  // refused with a message: fine
    }
    if (meter::has_cipher_faults(plan)) return;  // those need keys and are the meter's
    auto source = faults::make_fault_stage(meter::make_push_source(config, nullptr, nullptr), config);
    meter::utc_ms last{};
    for (int i = 0; i < 6; ++i) {
        const meter::push_frame f = source->next();
        check(f.send_utc() >= last);
        last = f.send_utc();
        check(f.fault.empty() || !f.fault_rule.empty());
        for (const auto& piece : f.effect.pieces) check(piece.offset + piece.length <= f.wire.size());
        for (const auto& pause : f.pauses) check(pause.offset <= f.wire.size());
        if (f.effect.cut_at) check(*f.effect.cut_at <= f.wire.size());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    meter::fault_plan plan;
    try {
        plan = faults::parse_fault_plan(text);
    } catch (const std::invalid_argument& e) {
        check(std::string_view(e.what()).starts_with("fault "));  // names the rule
        return 0;
    }
    check(faults::parse_fault_plan(meter::to_string(plan)) == plan);
    if (plan.size() > 8) return 0;
    run_stage(plan, "kamstrup-no-3p");
    run_stage(plan, "kamstrup-p1");
    return 0;
}
