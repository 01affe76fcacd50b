#pragma once
/// @file
/// The receiver's view of invocation counters: flags a counter that is stuck, goes backwards
/// or jumps, per system title. Feed it the header of every frame that authenticated (a frame
/// that failed authentication says nothing trustworthy about the sender's counter).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "hansim/security/glo_cipher.hpp"

namespace hansim::security {

enum class counter_anomaly {
    none,        ///< previous < IC <= previous + max_step
    first_seen,  ///< no earlier frame from this system title
    stuck,       ///< IC == previous (IV reuse under the same key)
    backwards,   ///< IC < previous (replay or a reset counter)
    jump,        ///< IC > previous + max_step (more frames missing than plausible)
};

/// "none", "first_seen", "stuck", "backwards" or "jump".
std::string_view to_string(counter_anomaly anomaly);

struct counter_observation {
    counter_anomaly anomaly = counter_anomaly::none;
    std::optional<std::uint32_t> previous;  ///< the last IC seen from this title, if any
    std::uint32_t current = 0;
    /// Empty for none/first_seen, otherwise e.g. "invocation counter of system title
    /// 4B414D4500BC614E went backwards: 0x00012344 after 0x00012345".
    std::string message;
};

class counter_monitor {
public:
    /// Largest forward step still counted as normal; a receiver may miss a few frames.
    static constexpr std::uint32_t default_max_step = 100;

    explicit counter_monitor(std::uint32_t max_step = default_max_step) : max_step_(max_step) {}

    /// Classifies `invocation_counter` against the last one seen from `title`, then remembers
    /// it as the last one (so each anomaly is reported once, on the frame that causes it).
    counter_observation observe(const system_title& title, std::uint32_t invocation_counter);

    /// The last IC seen from `title`.
    std::optional<std::uint32_t> last(const system_title& title) const;

private:
    std::uint32_t max_step_;
    std::map<system_title, std::uint32_t> last_;
};

}  // namespace hansim::security
