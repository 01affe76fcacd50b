#pragma once
/// @file
/// The fault catalogue: every fault a HAN or P1 reader must survive, one row a fault (name,
/// parameters with their ranges, the profiles and ports it applies to, what it does), and the
/// parser of the `faults` setting that reads rules against it. `hansim faults`, the --help
/// texts and the README's list come from this table. Byte-level background: PROTOCOLS.md §1
/// (HDLC), §5 (ciphering), §6 (P1).
///
/// Rule syntax (meter/fault_plan.hpp has the selection table):
///   NAME[:PARAM=VALUE]...@SELECTION[, ...]
///   e.g. `bad_fcs@3`, `truncated:at=40@every:10`, `bit_flips:n=2@rate:0.05`,
///        `garbage:kind=2:bytes=30@time:+1h..+2h`
/// Parameters are integers; those left out take their default. Enumerated parameters are
/// numbers too, listed in the parameter's meaning (garbage kind 0 random, 1 flags, 2 text).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "hansim/meter/fault_plan.hpp"
#include "hansim/meter/meter_config.hpp"

namespace hansim::faults {

struct parameter_spec {
    std::string_view name;
    std::int64_t min = 0;
    std::int64_t max = 0;
    std::int64_t fallback = 0;  ///< the default
    std::string_view meaning;
};

/// Which pushes a fault can apply to.
enum class applies_to {
    hdlc,           ///< any HAN push (list 1, list 2, push 1), plain or ciphered
    hdlc_plain,     ///< HAN pushes without ciphering (the fault rewrites the APDU)
    hdlc_ciphered,  ///< ciphered HAN pushes (applied while sealing)
    p1,             ///< P1 telegrams
    any,            ///< HAN pushes and P1 telegrams
};

/// Which ports can carry it.
enum class port_need {
    any,     ///< bytes and timing: every port, and `generate`
    serial,  ///< line conditions (parity, baud, break): a real serial port only
};

struct fault_spec {
    std::string_view name;
    std::string_view group;  ///< framing, bytes, timing, content, p1, line, ciphering
    applies_to profiles = applies_to::hdlc;
    port_need ports = port_need::any;
    std::span<const parameter_spec> params;
    std::string_view description;
};

/// The catalogue, grouped, in a stable order.
std::span<const fault_spec> catalogue();

/// The row named `name`, or nullptr.
const fault_spec* find_fault(std::string_view name);

/// "hdlc", "hdlc (plain)", "hdlc (ciphered)", "p1", "hdlc, p1".
std::string_view to_string(applies_to profiles);
/// "any port" or "serial port only".
std::string_view to_string(port_need ports);

/// One line of `hansim faults`: name, parameters (name=min..max, default), profiles and
/// ports, description.
std::string catalogue_line(const fault_spec& spec);

/// Parses the `faults` setting against the catalogue. Throws std::invalid_argument naming the
/// rule and why, e.g. "fault 2 'bad_fsc@3': unknown fault 'bad_fsc' (see hansim faults)" or
/// "fault 1 'truncated:at=9999@3': at=9999 is out of range 0..2048".
meter::fault_plan parse_fault_plan(std::string_view text);

/// Where the pushes go, for the port check: "" for `generate` (bytes only), else the port
/// text ("pty:/tmp/x", "serial:/dev/ttyUSB0", "tcp:…", "file:…", "-").
/// Throws std::invalid_argument naming the rule and why it cannot apply: a P1 fault on a HAN
/// meter, a HAN fault on a P1 meter, a plain-APDU fault on a ciphered meter, a ciphering fault
/// without ciphering, a line fault anywhere but a real serial port.
void check_applicable(const meter::fault_plan& plan, const meter::meter_config& config, std::string_view port);

}  // namespace hansim::faults
