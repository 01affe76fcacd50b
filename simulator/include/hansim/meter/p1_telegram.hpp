#pragma once
/// @file
/// Builds a P1 telegram from a snapshot with a profile (p1_profile.hpp). Pure: no clock is
/// read; the telegram's timestamp is snapshot.clock with the S/W flag from
/// snapshot.daylight_saving.
///
/// Scaling: energies are rounded down from mWh to the line's decimals (as the registers of
/// a meter tick); powers, voltages, currents and power factors are rounded to the nearest
/// step. A single-phase snapshot leaves out the profile's L2/L3 lines (PROTOCOLS.md §6.3:
/// single-phase P1 content was not observed; this is the inference there).
///
/// p1_telegram_writer is the same builder with each profile line checked once rather than
/// on every telegram; find_p1_telegram_writer() holds one for every built-in profile.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hansim/codec/p1/telegram.hpp"
#include "hansim/meter/p1_profile.hpp"
#include "hansim/meter/snapshot.hpp"

namespace hansim::meter {

/// The telegram as data (before the CRC is added), one line per profile line that applies.
/// Throws std::invalid_argument when a value does not fit the line (more than 18 digits)
/// or a fixed line has no value.
codec::p1::telegram build_p1_telegram_model(const snapshot& values, const p1_profile& profile);

/// The telegram as the bytes of the wire: `/ident` … `!CRC` CR LF. Throws
/// std::invalid_argument as above, or when the snapshot clock is not a valid date/time.
std::string build_p1_telegram(const snapshot& values, const p1_profile& profile);

/// The same with `ident` in the header instead of profile.ident (a meter's own ident), and
/// written straight from the profile's lines: the bytes of
/// write_telegram_text(build_p1_telegram_model(...)) without the telegram in between.
/// p1_telegram_writer(profile).build(values, ident).
std::string build_p1_telegram(const snapshot& values, const p1_profile& profile, std::string_view ident);

/// A profile made ready for writing many telegrams: every line is checked once (OBIS text,
/// unit, digit layout, phase, a fixed line's value), and a telegram of each wiring is laid
/// out as constant text ("OBIS(", "*unit)" CR LF, whole fixed lines) and values in turn.
/// Per telegram only the values are made and written, then the CRC.
///
/// Output and errors are those of build_p1_telegram_model() written by
/// codec::p1::write_telegram_text(): whatever cannot be written (a line that failed its
/// check, a value too wide, an invalid clock, a framing character in the ident) sends the
/// telegram down that path, which throws its own std::invalid_argument.
class p1_telegram_writer {
public:
    /// Checks `profile`'s lines; `profile` must outlive the writer. Never throws for a bad
    /// line: that line throws (as above) when a telegram includes it.
    explicit p1_telegram_writer(const p1_profile& profile);

    /// The telegram of `values` with `ident` in the header: build_p1_telegram(values,
    /// profile, ident).
    std::string build(const snapshot& values, std::string_view ident) const;

    /// The same written from the checked lines only: nullopt where build() takes the model
    /// path instead (something cannot be written; that path names it).
    std::optional<std::string> try_build(const snapshot& values, std::string_view ident) const;

    const p1_profile& profile() const { return *profile_; }

private:
    // A value of the telegram (a number line's, or the clock) and the constant text in
    // front of it: the end of the line before, fixed lines, "OBIS(".
    struct slot {
        const p1_line* source = nullptr;
        std::string text_before;
    };
    // The telegram of one wiring (single-phase leaves out the L2/L3 lines).
    struct layout {
        bool writable = true;    // false: one of its lines failed its check
        std::vector<slot> slots;
        std::string text_after;  // after the last value: its line's end, fixed lines
        std::size_t longest = 0;  // the most text the lines take
    };

    static layout lay_out(const p1_profile& profile, bool single_phase);

    const p1_profile* profile_;
    layout three_phase_;
    layout single_phase_;
};

/// The writer of the built-in profile `name` (find_p1_profile), made once; nullptr when
/// there is no such profile.
const p1_telegram_writer* find_p1_telegram_writer(std::string_view name);

}  // namespace hansim::meter
