#pragma once
/// @file
/// Who a Kamstrup meter says it is (PROTOCOLS.md §3.5): the GS1/GIAI meter id built from the
/// serial number, the 18-character meter type per variant and country, and the DLMS system
/// title used for ciphering.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hansim/meter/snapshot.hpp"

namespace hansim::meter {

/// Countries whose Kamstrup meter types hansim knows; the last three type digits.
enum class country { norway, sweden, denmark, switzerland };

/// "no", "se", "dk", "ch".
std::string_view to_string(country c);
/// Accepts "no"/"norway", "se"/"sweden", "dk"/"denmark", "ch"/"switzerland" (any case);
/// throws std::invalid_argument naming the accepted spellings.
country parse_country(std::string_view text);

/// Kamstrup's GS1 company prefix, the first seven digits of every meter id.
inline constexpr std::string_view kamstrup_gs1_prefix = "5706567";

/// GS1 mod-10 check digit over a string of digits: weights 3, 1, 3, 1, … starting at the
/// rightmost digit; check = (10 − sum mod 10) mod 10. Throws std::invalid_argument when
/// `digits` is empty or holds anything but '0'..'9'.
char gs1_check_digit(std::string_view digits);

/// True when `id` is all digits and its last digit is the GS1 check digit of the others.
bool gs1_id_valid(std::string_view id);

/// "5706567" + the serial as 8 digits + check digit, e.g. 12345678 -> "5706567123456784".
/// Throws std::invalid_argument when the serial has more than 8 digits.
std::string gs1_meter_id(std::uint32_t serial);

/// The serial number inside a Kamstrup GS1 id, or nullopt if `id` is not one (wrong prefix,
/// length or check digit).
std::optional<std::uint32_t> serial_from_gs1_id(std::string_view id);

/// "KAME" followed by the serial as a big-endian uint32.
std::array<std::uint8_t, 8> kamstrup_system_title(std::uint32_t serial);

/// A plausible 18-character Kamstrup type number for a meter variant, following the real
/// examples in §3.5: first digits 684 (three-phase direct), 685 (three-phase CT) or 686
/// (single phase); sixth character 3 (4-wire), 2 (3-wire) or 1 (single phase); the last
/// three digits the country code (040 NO, 090 SE, 010 DK, 063 CH). Danish and Swedish
/// meters get the 8 in position 7 seen in their captures. Single-phase CT does not exist and
/// throws std::invalid_argument.
std::string kamstrup_meter_type(wiring wires, bool current_transformer, country c);

/// The complete identity block: GS1 id and system title from `serial`, `meter_type` as
/// given (derive it with kamstrup_meter_type), meter number 1 as given.
meter_identity make_identity(std::uint32_t serial, std::string meter_type, std::uint32_t meter_number);

}  // namespace hansim::meter
