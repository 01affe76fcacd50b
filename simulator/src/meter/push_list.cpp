#include "hansim/meter/push_list.hpp"

#include <algorithm>
#include <cstring>

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "hansim/codec/apdu/data_notification.hpp"
#include "hansim/codec/apdu/notification_elements.hpp"
#include "hansim/codec/axdr/length.hpp"
#include "hansim/meter/identity.hpp"
#include "hansim/meter/nve_list1.hpp"
#include "hansim/meter/nve_list2.hpp"
#include "hansim/meter/push1.hpp"

namespace hansim::meter {

using codec::axdr::data;
using codec::axdr::data_type;

std::string_view list_name(list_kind kind) {
    switch (kind) {
        case list_kind::nve_list1: return "list1";
        case list_kind::nve_list2: return "list2";
        case list_kind::push1: return "push1";
    }
    return "unknown";
}

std::optional<list_kind> parse_list_name(std::string_view name) {
    for (auto kind : {list_kind::nve_list1, list_kind::nve_list2, list_kind::push1})
        if (list_name(kind) == name) return kind;
    return std::nullopt;
}

std::span<const list_row> list_rows(list_kind kind, list_layout layout) {
    switch (kind) {
        case list_kind::nve_list1: return nve_list1_rows(layout);
        case list_kind::nve_list2: return nve_list2_rows(layout);
        case list_kind::push1: return push1_rows(layout);
    }
    return {};
}

namespace {

data row_value(const list_row& row, const snapshot& values, const list_options& options) {
    switch (row.what) {
        case list_quantity::list_version: return data::visible_string(values.identity.list_version);
        case list_quantity::gs1_id: return data::visible_string(values.identity.gs1_id);
        case list_quantity::meter_type: return data::visible_string(values.identity.meter_type);
        case list_quantity::clock: return data::octet_string(values.clock.to_bytes());
        case list_quantity::absent_phase: return data::null();
        default: break;
    }
    const auto wire = row_wire_integer(row, values, options);
    if (!wire) throw std::logic_error("push list: row without a wire value");
    return row.type == wire_type::long_unsigned ? data::long_unsigned(static_cast<std::uint16_t>(*wire))
                                                : data::double_long_unsigned(*wire);
}

data_type axdr_type_of(wire_type type) {
    switch (type) {
        case wire_type::visible_string: return data_type::visible_string;
        case wire_type::octet_string: return data_type::octet_string;
        case wire_type::double_long_unsigned: return data_type::double_long_unsigned;
        case wire_type::long_unsigned: return data_type::long_unsigned;
        case wire_type::null_pair: return data_type::null_data;
    }
    return data_type::null_data;
}

}  // namespace

data build_list_body(std::span<const list_row> rows, const snapshot& values, const list_options& options) {
    std::vector<codec::apdu::element> elements;
    elements.reserve(rows.size());
    for (const auto& row : rows) {
        codec::apdu::element e;
        if (row.what != list_quantity::list_version && row.what != list_quantity::absent_phase) e.obis = row.obis;
        e.value = row_value(row, values, options);
        elements.push_back(std::move(e));
    }
    return codec::apdu::make_flat_body(elements);
}

codec::apdu::data_notification make_list_notification(data body, const snapshot& values,
                                                      const list_options& options) {
    codec::apdu::data_notification n;
    n.long_invoke_id_and_priority = 0;
    n.dt_encoding = options.date_time == date_time_form::legacy_09 ? codec::apdu::date_time_encoding::legacy_09
                                                                    : codec::apdu::date_time_encoding::standard;
    n.date_time = values.clock;
    n.body = std::move(body);
    return n;
}

namespace {

void put_string(codec::bytes& out, std::uint8_t tag, const std::uint8_t* data, std::size_t size) {
    out.push_back(tag);
    codec::axdr::encode_length(out, size);
    out.insert(out.end(), data, data + size);
}

void put_string(codec::bytes& out, std::uint8_t tag, std::string_view text) {
    put_string(out, tag, reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

// Writes the A-XDR of row_value(row) straight into `out`: the same bytes axdr::encode makes
// of the data tree, without building one.
void put_row_value(codec::bytes& out, const list_row& row, const snapshot& values, const list_options& options) {
    switch (row.what) {
        case list_quantity::list_version: return put_string(out, 0x0A, values.identity.list_version);
        case list_quantity::gs1_id: return put_string(out, 0x0A, values.identity.gs1_id);
        case list_quantity::meter_type: return put_string(out, 0x0A, values.identity.meter_type);
        case list_quantity::clock:
            out.push_back(0x09);
            out.push_back(codec::cosem_date_time::wire_size);
            values.clock.append_to(out);
            return;
        case list_quantity::absent_phase: out.push_back(0x00); return;
        default: break;
    }
    const auto wire = row_wire_integer(row, values, options);
    if (!wire) throw std::logic_error("push list: row without a wire value");
    if (row.type == wire_type::long_unsigned) {
        out.push_back(static_cast<std::uint8_t>(data_type::long_unsigned));
        codec::put_be(out, static_cast<std::uint16_t>(*wire), 2);
    } else {
        out.push_back(static_cast<std::uint8_t>(data_type::double_long_unsigned));
        codec::put_be(out, *wire, 4);
    }
}

// The usual case written through a pointer into room made once: every A-XDR length below
// 0x80 (one length byte: the members and each string), which every table and identity meets.
// The same bytes as the general path below, which takes every other case. Returns false
// (nothing written) when a length is longer.
bool append_short_list_apdu(codec::bytes& out, std::span<const list_row> rows, const snapshot& values,
                            const list_options& options, std::size_t members) {
    if (members >= 0x80) return false;
    std::size_t room = 1 + 4 + 2 + codec::cosem_date_time::wire_size + 2;
    for (const auto& row : rows) {
        room += 2 + row.obis.groups.size();
        std::size_t text = 0;
        switch (row.what) {
            case list_quantity::list_version: text = values.identity.list_version.size(); break;
            case list_quantity::gs1_id: text = values.identity.gs1_id.size(); break;
            case list_quantity::meter_type: text = values.identity.meter_type.size(); break;
            default: break;
        }
        if (text >= 0x80) return false;
        room += 2 + std::max<std::size_t>(text, codec::cosem_date_time::wire_size + 1) + 4;
    }
    const std::size_t start = out.size();
    out.resize(start + room);
    std::uint8_t* p = out.data() + start;
    const auto be = [&p](std::uint64_t v, int width) {
        for (int i = width; i-- > 0;) *p++ = static_cast<std::uint8_t>(v >> (8 * i));
    };
    const auto date_time = [&p, &be](const codec::cosem_date_time& dt) {
        be(dt.year, 2);
        *p++ = dt.month;
        *p++ = dt.day;
        *p++ = dt.day_of_week;
        *p++ = dt.hour;
        *p++ = dt.minute;
        *p++ = dt.second;
        *p++ = dt.hundredths;
        be(static_cast<std::uint16_t>(dt.deviation), 2);
        *p++ = dt.clock_status;
    };
    const auto text = [&p](std::string_view s) {
        *p++ = 0x0A;
        *p++ = static_cast<std::uint8_t>(s.size());
        std::memcpy(p, s.data(), s.size());
        p += s.size();
    };
    try {
        *p++ = codec::apdu::data_notification_tag;
        be(0, 4);  // long-invoke-id-and-priority
        if (options.date_time == date_time_form::legacy_09) *p++ = 0x09;
        *p++ = codec::cosem_date_time::wire_size;
        date_time(values.clock);
        *p++ = static_cast<std::uint8_t>(data_type::structure);
        *p++ = static_cast<std::uint8_t>(members);
        for (const list_row& row : rows) {
            if (row.what == list_quantity::absent_phase) {
                *p++ = 0x00;
                *p++ = 0x00;
                continue;
            }
            if (row.what != list_quantity::list_version) {
                *p++ = static_cast<std::uint8_t>(data_type::octet_string);
                *p++ = static_cast<std::uint8_t>(row.obis.groups.size());
                for (const auto g : row.obis.groups) *p++ = g;
            }
            switch (row.what) {
                case list_quantity::list_version: text(values.identity.list_version); continue;
                case list_quantity::gs1_id: text(values.identity.gs1_id); continue;
                case list_quantity::meter_type: text(values.identity.meter_type); continue;
                case list_quantity::clock:
                    *p++ = 0x09;
                    *p++ = codec::cosem_date_time::wire_size;
                    date_time(values.clock);
                    continue;
                default: break;
            }
            const auto wire = row_wire_integer(row, values, options);
            if (!wire) throw std::logic_error("push list: row without a wire value");
            if (row.type == wire_type::long_unsigned) {
                *p++ = static_cast<std::uint8_t>(data_type::long_unsigned);
                be(static_cast<std::uint16_t>(*wire), 2);
            } else {
                *p++ = static_cast<std::uint8_t>(data_type::double_long_unsigned);
                be(*wire, 4);
            }
        }
    } catch (...) {
        out.resize(start);
        throw;
    }
    out.resize(static_cast<std::size_t>(p - out.data()));
    return true;
}

}  // namespace

void append_list_apdu(codec::bytes& out, std::span<const list_row> rows, const snapshot& values,
                      const list_options& options) {
    // make_flat_body's rules: an OBIS row is a pair, the first row may be a bare value (the
    // list version), a row without OBIS elsewhere must be the null placeholder (a pair of
    // null-data). Anything else is refused by the tree path, with its message.
    std::size_t members = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const bool has_obis = rows[i].what != list_quantity::list_version && rows[i].what != list_quantity::absent_phase;
        const bool odd = !has_obis && (i == 0 ? rows[i].what == list_quantity::absent_phase
                                               : rows[i].what != list_quantity::absent_phase);
        if (odd) {  // not a shape the tables use: the tree path (and its error message)
            const auto tree = make_list_notification(build_list_body(rows, values, options), values, options).to_bytes();
            out.insert(out.end(), tree.begin(), tree.end());
            return;
        }
        members += has_obis || i != 0 ? 2 : 1;
    }
    if (append_short_list_apdu(out, rows, values, options, members)) return;
    out.push_back(codec::apdu::data_notification_tag);
    codec::put_be(out, 0, 4);  // long-invoke-id-and-priority
    if (options.date_time == date_time_form::legacy_09) out.push_back(0x09);
    out.push_back(codec::cosem_date_time::wire_size);
    values.clock.append_to(out);
    out.push_back(static_cast<std::uint8_t>(data_type::structure));
    codec::axdr::encode_length(out, members);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const list_row& row = rows[i];
        if (row.what == list_quantity::absent_phase) {
            out.push_back(0x00);
            out.push_back(0x00);
            continue;
        }
        if (row.what != list_quantity::list_version) {
            out.push_back(static_cast<std::uint8_t>(data_type::octet_string));
            out.push_back(static_cast<std::uint8_t>(row.obis.groups.size()));
            out.insert(out.end(), row.obis.groups.begin(), row.obis.groups.end());
        }
        put_row_value(out, row, values, options);
    }
}

codec::bytes build_list_apdu(list_kind kind, const snapshot& values, const list_options& options) {
    codec::bytes out;
    out.reserve(256);
    append_list_apdu(out, list_rows(kind, layout_for(values.wires, options)), values, options);
    return out;
}

// ---- reading ------------------------------------------------------------------------------

namespace {

struct candidate {
    list_kind kind;
    list_layout layout;
};

constexpr std::array candidates{
    candidate{list_kind::nve_list1, list_layout::three_phase},
    candidate{list_kind::nve_list1, list_layout::single_phase},
    candidate{list_kind::nve_list1, list_layout::single_phase_compact},
    candidate{list_kind::nve_list2, list_layout::three_phase},
    candidate{list_kind::nve_list2, list_layout::single_phase},
    candidate{list_kind::nve_list2, list_layout::single_phase_compact},
    candidate{list_kind::push1, list_layout::three_phase},
    candidate{list_kind::push1, list_layout::single_phase},
};

/// Index, within the body structure, of the value of row `i` (rows after the version string
/// are OBIS/value pairs); this is what people see in a dump and what an error points at.
std::size_t structure_index(std::size_t row_index) { return 2 * row_index; }

std::string describe_row(const list_row& row) {
    if (row.what == list_quantity::list_version) return "list version";
    if (row.what == list_quantity::absent_phase) return "null placeholder";
    return row.obis.to_string();
}

/// Does the OBIS/placeholder sequence of `elements` equal the table?
bool same_shape(std::span<const list_row> rows, const std::vector<codec::apdu::element>& elements) {
    if (rows.size() != elements.size()) return false;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& row = rows[i];
        const auto& e = elements[i];
        if (row.what == list_quantity::list_version) {
            if (e.obis) return false;
        } else if (row.what == list_quantity::absent_phase) {
            if (!e.is_placeholder()) return false;
        } else if (!e.obis || *e.obis != row.obis) {
            return false;
        }
    }
    return true;
}

wiring wiring_of(list_layout layout, const std::string& meter_type) {
    if (layout != list_layout::three_phase) return wiring::single_phase;
    return meter_type.size() >= 6 && meter_type[5] == '2' ? wiring::three_phase_3wire : wiring::three_phase_4wire;
}

codec::result<decoded_list> read_rows(const candidate& c, std::span<const list_row> rows,
                                      const std::vector<codec::apdu::element>& elements,
                                      const codec::apdu::data_notification& n, const list_options& options) {
    decoded_list out;
    out.kind = c.kind;
    out.layout = c.layout;
    out.date_time_encoding = n.dt_encoding;
    out.options = options;
    out.options.date_time = n.dt_encoding == codec::apdu::date_time_encoding::legacy_09 ? date_time_form::legacy_09
                                                                                         : date_time_form::standard;
    if (c.layout == list_layout::single_phase_compact) out.options.single_phase = single_phase_form::compact;
    if (c.layout == list_layout::single_phase) out.options.single_phase = single_phase_form::null_placeholders;

    auto& v = out.values;
    if (n.date_time) v.clock = *n.date_time;
    bool body_clock = false;

    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& row = rows[i];
        const auto& value = elements[i].value;
        if (row.what == list_quantity::absent_phase) continue;
        const auto expected = axdr_type_of(row.type);
        if (value.type() != expected) {
            return codec::decode_error{
                structure_index(i),
                "element " + std::to_string(structure_index(i)) + " (" + describe_row(row) + ") of " +
                    std::string(list_name(c.kind)) + ": expected " + std::string(codec::axdr::type_name(expected)) +
                    ", got " + std::string(codec::axdr::type_name(value.type()))};
        }
        switch (row.what) {
            case list_quantity::list_version: v.identity.list_version = value.as_string(); break;
            case list_quantity::gs1_id: v.identity.gs1_id = value.as_string(); break;
            case list_quantity::meter_type: v.identity.meter_type = value.as_string(); break;
            case list_quantity::clock: {
                const auto clock = codec::cosem_date_time::from_bytes(value.as_bytes());
                if (!clock || value.as_bytes().size() != codec::cosem_date_time::wire_size) {
                    return codec::decode_error{
                        structure_index(i), "element " + std::to_string(structure_index(i)) +
                                                " (clock 0-1:1.0.0.255): expected a 12-byte date-time, got " +
                                                std::to_string(value.as_bytes().size()) + " bytes"};
                }
                v.clock = *clock;
                body_clock = true;
                break;
            }
            default:
                store_row_wire_integer(row, static_cast<std::uint32_t>(value.as_unsigned()), v, out.options);
                break;
        }
    }
    if (!body_clock && !n.date_time) {
        return codec::decode_error{0, std::string(list_name(c.kind)) +
                                          ": the APDU has no date-time and the list carries no clock object"};
    }
    v.daylight_saving = (v.clock.clock_status & codec::cosem_date_time::status_daylight_saving) != 0;
    v.wires = wiring_of(c.layout, v.identity.meter_type);
    if (const auto serial = serial_from_gs1_id(v.identity.gs1_id)) {
        v.identity.serial = *serial;
        v.identity.system_title = kamstrup_system_title(*serial);
    }
    return out;
}

}  // namespace

codec::result<decoded_list> match_kamstrup_list(const codec::apdu::data_notification& notification,
                                                const list_options& options) {
    auto split = codec::apdu::split_flat_body(notification.body);
    if (!split) return codec::decode_error{split.error().offset, "not a flat Kamstrup body: " + split.error().message};
    const auto& elements = *split;
    if (elements.empty() || elements[0].obis || elements[0].value.type() != data_type::visible_string)
        return codec::decode_error{0, "not a Kamstrup list: element 0 is not a list-version visible-string"};

    bool count_known = false;
    for (const auto& c : candidates) {
        const auto rows = list_rows(c.kind, c.layout);
        if (rows.size() != elements.size()) continue;
        count_known = true;
        if (same_shape(rows, elements)) return read_rows(c, rows, elements, notification, options);
    }
    const auto structure_size = notification.body.children().size();
    if (!count_known)
        return codec::decode_error{0, "not a Kamstrup list: no Kamstrup list has " + std::to_string(structure_size) +
                                          " elements"};
    return codec::decode_error{0, "not a Kamstrup list: " + std::to_string(structure_size) +
                                      " elements, but the OBIS codes match neither list 1, list 2 nor DLMS push 1"};
}

std::optional<decoded_list> read_kamstrup_list(const codec::apdu::data_notification& notification,
                                               const list_options& options) {
    auto r = match_kamstrup_list(notification, options);
    if (!r) return std::nullopt;
    return std::move(r).value();
}

}  // namespace hansim::meter
