#pragma once
/// @file
/// One COSEM "Data" value (the A-XDR CHOICE of PROTOCOLS.md §2.3): a type tag plus its
/// value, with children for arrays and structures. Pure value type: no encoding here (see
/// axdr/codec.hpp), copyable, comparable.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hansim/codec/bytes.hpp"
#include "hansim/codec/cosem_date_time.hpp"

namespace hansim::codec::axdr {

/// The COSEM Data tags (first byte of every encoded value).
enum class data_type : std::uint8_t {
    null_data = 0,
    array = 1,
    structure = 2,
    boolean = 3,
    bit_string = 4,
    double_long = 5,            ///< int32
    double_long_unsigned = 6,   ///< uint32
    octet_string = 9,
    visible_string = 10,
    utf8_string = 12,
    bcd = 13,                   ///< one byte (Integer8 in the Blue Book)
    integer = 15,               ///< int8
    long_ = 16,                 ///< int16
    unsigned_ = 17,             ///< uint8
    long_unsigned = 18,         ///< uint16
    long64 = 20,                ///< int64
    long64_unsigned = 21,       ///< uint64
    enum_ = 22,                 ///< uint8
    float32 = 23,               ///< IEEE 754 single, big-endian
    float64 = 24,               ///< IEEE 754 double, big-endian
    date_time = 25,             ///< 12 bytes, no length
    date = 26,                  ///< 5 bytes, no length
    time = 27,                  ///< 4 bytes, no length
};

/// True for every tag listed above (the decoder rejects any other byte).
bool is_known_type(std::uint8_t tag) noexcept;

/// Name as the Blue Book spells it ("double-long-unsigned"); "unknown" for other values.
std::string_view type_name(data_type type) noexcept;

/// A COSEM Data value. Build one with the static factories; read it with the accessor that
/// matches its type (accessors throw std::logic_error naming both types on a mismatch).
class data {
public:
    /// Defaults to null-data.
    data() = default;

    // --- factories -------------------------------------------------------------------
    static data null();
    static data array(std::vector<data> elements);
    static data structure(std::vector<data> elements);
    static data boolean(bool value);
    /// `bit_count` bits, packed MSB first into ceil(bit_count / 8) bytes of `bits`;
    /// throws std::invalid_argument when the byte count does not match.
    static data bit_string(bytes bits, std::size_t bit_count);
    static data double_long(std::int32_t value);
    static data double_long_unsigned(std::uint32_t value);
    static data octet_string(bytes value);
    static data visible_string(std::string value);
    static data utf8_string(std::string value);
    static data bcd(std::int8_t value);
    static data integer(std::int8_t value);
    static data long_(std::int16_t value);
    static data unsigned_(std::uint8_t value);
    static data long_unsigned(std::uint16_t value);
    static data long64(std::int64_t value);
    static data long64_unsigned(std::uint64_t value);
    static data enum_(std::uint8_t value);
    static data float32(float value);
    static data float64(double value);
    /// Floats from their exact IEEE 754 bit patterns (what the decoder uses).
    static data float32_bits(std::uint32_t bits);
    static data float64_bits(std::uint64_t bits);
    static data date_time(const cosem_date_time& value);
    /// COSEM date: year (2, BE), month, day of month, day of week.
    static data date(std::array<std::uint8_t, 5> value);
    /// COSEM time: hour, minute, second, hundredths.
    static data time(std::array<std::uint8_t, 4> value);

    // --- reading ---------------------------------------------------------------------
    data_type type() const noexcept { return type_; }
    bool is_null() const noexcept { return type_ == data_type::null_data; }

    /// boolean, unsigned_, long_unsigned, double_long_unsigned, long64_unsigned, enum_.
    std::uint64_t as_unsigned() const;
    /// integer, long_, double_long, long64, bcd.
    std::int64_t as_signed() const;
    bool as_bool() const;
    /// float32 (widened) or float64.
    double as_double() const;
    /// octet_string, bit_string (packed bits), date (5 bytes), time (4 bytes).
    const bytes& as_bytes() const;
    /// visible_string, utf8_string.
    const std::string& as_string() const;
    /// date_time.
    const cosem_date_time& as_date_time() const;
    /// array, structure.
    const std::vector<data>& children() const;
    /// Number of bits of a bit_string.
    std::size_t bit_count() const;

    /// Raw IEEE 754 bits of a float32 / float64 (kept exactly, NaN payloads included).
    std::uint64_t float_bits() const;

    /// One-line human form for logs and the decode CLI, e.g.
    /// `structure[2]{octet-string(0101010700FF), double-long-unsigned(1234)}`; strings are quoted
    /// with non-printable bytes as \xNN.
    std::string to_string() const;

    /// Type and value equal (floats compare by bit pattern; children recursively).
    friend bool operator==(const data&, const data&) = default;

private:
    using storage = std::variant<std::monostate, std::uint64_t, std::int64_t, bytes, std::string,
                                 cosem_date_time, std::vector<data>>;
    data(data_type type, storage value, std::size_t bit_count = 0);

    data_type type_ = data_type::null_data;
    storage value_;
    std::size_t bit_count_ = 0;
};

}  // namespace hansim::codec::axdr
