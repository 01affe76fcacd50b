#pragma once
/// @file
/// The Kamstrup push lists as a family: which table a (list kind, layout) uses, the generic
/// builder that turns a table plus a snapshot into a data-notification, and the inverse,
/// `read_kamstrup_list`, which recognises a notification as one of the lists and recovers
/// the snapshot values it carries.
///
/// The per-list entry points (build_nve_list1_apdu, …) live in nve_list1.hpp, nve_list2.hpp
/// and push1.hpp; this header is what a caller that picks the list at run time uses.
///
/// Round trip: for every list the builders produce, and for every real Kamstrup capture in
/// tests/data, `build_list_apdu(d.kind, d.values, d.options)` of a `decoded_list d` gives the
/// identical APDU bytes, provided the caller passed the right resolutions (they are not on
/// the wire, see list_options) and the APDU date-time equals the clock object in the body
/// (always so for Kamstrup).

#include <optional>
#include <span>
#include <string_view>

#include "hansim/codec/apdu/data_notification.hpp"
#include "hansim/codec/axdr/data.hpp"
#include "hansim/codec/bytes.hpp"
#include "hansim/codec/result.hpp"
#include "hansim/meter/list_options.hpp"
#include "hansim/meter/list_values.hpp"
#include "hansim/meter/snapshot.hpp"

namespace hansim::meter {

enum class list_kind {
    nve_list1,  ///< HAN-NVE list 1, every 10 s (25 elements; compact 1-phase: 11)
    nve_list2,  ///< HAN-NVE list 2, hourly (35 elements; compact 1-phase: 15)
    push1,      ///< DLMS push 1, every 10 s (65 elements; 1-phase: 37)
};

/// "list1", "list2", "push1": the names push_frame::list uses.
std::string_view list_name(list_kind kind);

/// The inverse of list_name; nullopt for any other text (including "p1").
std::optional<list_kind> parse_list_name(std::string_view name);

/// The row table of one list shape. For push1 the compact layout is the same as the
/// single-phase one (DLMS push 1 has only one 1-phase form: L2/L3 omitted).
std::span<const list_row> list_rows(list_kind kind, list_layout layout);

/// The notification body (one flat structure) for `rows`: list version, then per row the
/// OBIS octet-string and the scaled value (or two null-data for an absent phase).
codec::axdr::data build_list_body(std::span<const list_row> rows, const snapshot& values,
                                  const list_options& options);

/// Wraps a body as Kamstrup sends it: tag 0x0F, LIIAP 0, date-time = values.clock in the
/// form options.date_time asks for (`0C` + 12, or legacy `09 0C` + 12).
codec::apdu::data_notification make_list_notification(codec::axdr::data body, const snapshot& values,
                                                      const list_options& options);

/// Appends make_list_notification(build_list_body(rows, ...)).to_bytes() to `out`, written
/// directly (no A-XDR tree, no allocation beyond `out`'s growth): the frame builders' path.
void append_list_apdu(codec::bytes& out, std::span<const list_row> rows, const snapshot& values,
                      const list_options& options);

/// The complete 0x0F APDU of `kind` for `values`; the layout follows values.wires and
/// options.single_phase (see layout_for).
codec::bytes build_list_apdu(list_kind kind, const snapshot& values, const list_options& options);

/// What read_kamstrup_list recovered.
struct decoded_list {
    list_kind kind = list_kind::nve_list1;
    list_layout layout = list_layout::three_phase;
    /// How the APDU carried its date-time (absent is never sent by Kamstrup, but reported).
    codec::apdu::date_time_encoding date_time_encoding = codec::apdu::date_time_encoding::standard;
    /// The values, scaled back with the caller's resolutions. identity.serial and
    /// identity.system_title are derived from the GS1 id when it has Kamstrup's form;
    /// `wires` is single_phase for 1-phase layouts, three_phase_3wire when the meter type's
    /// sixth character is '2', three_phase_4wire otherwise; `clock` is the clock object of
    /// the body when the list has one, else the APDU date-time; `utc` is left at its default
    /// (the wire carries no UTC).
    snapshot values;
    /// The caller's options with date_time and single_phase set to what was seen: feed them
    /// back to build_list_apdu to reproduce the APDU.
    list_options options;
};

/// Recognises a Kamstrup list by element count and the exact OBIS sequence, checks every
/// value's A-XDR type against the table and recovers the values. The error's offset is the
/// index of the offending member of the body structure (as in split_flat_body; 0 when the
/// body as a whole does not fit), and its message says why the notification is not a
/// Kamstrup list: "not a flat Kamstrup body: …", "not a Kamstrup list: no Kamstrup list has
/// 27 elements", "element 14 (1-1:31.7.0.255) of list1: expected double-long-unsigned, got
/// long-unsigned", ….
codec::result<decoded_list> match_kamstrup_list(const codec::apdu::data_notification& notification,
                                                const list_options& options);

/// match_kamstrup_list without the reason: nullopt when the notification is no Kamstrup list.
std::optional<decoded_list> read_kamstrup_list(const codec::apdu::data_notification& notification,
                                               const list_options& options);

}  // namespace hansim::meter
