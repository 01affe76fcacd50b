// Fuzz target for the APDU layer: LLC header, data-notification, glo envelope and the
// Kamstrup flat-body split. Every parser either fails with a message or returns content that
// rebuilds consistently (the glo envelope byte for byte).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "hansim/codec/apdu/data_notification.hpp"
#include "hansim/codec/apdu/glo_ciphering.hpp"
#include "hansim/codec/apdu/llc.hpp"
#include "hansim/codec/apdu/notification_elements.hpp"

using namespace hansim::codec;

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

void check_notification(byte_view apdu_bytes) {
    const auto apdu = apdu::data_notification::from_bytes(apdu_bytes);
    if (!apdu.ok()) {
        check(!apdu.error().message.empty() && apdu.error().offset <= apdu_bytes.size());
        return;
    }
    const bytes rebuilt = apdu->to_bytes();
    const auto again = apdu::data_notification::from_bytes(rebuilt);
    check(again.ok() && *again == *apdu && again->to_bytes() == rebuilt);

    const auto elements = apdu::split_flat_body(apdu->body);
    if (elements.ok()) check(apdu::make_flat_body(*elements) == apdu->body);
}

void check_envelope(byte_view wire) {
    const auto envelope = apdu::glo_envelope::from_bytes(wire);
    if (!envelope.ok()) {
        check(!envelope.error().message.empty() && envelope.error().offset <= wire.size());
        return;
    }
    const bytes rebuilt = envelope->to_bytes();
    check(rebuilt.size() == wire.size() && std::equal(rebuilt.begin(), rebuilt.end(), wire.begin()));
    // Authenticated-only payloads carry the clear APDU before the 12-byte tag.
    if (envelope->security_control == 0x10 && envelope->payload.size() > 12)
        check_notification(byte_view(envelope->payload).first(envelope->payload.size() - 12));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    byte_view input(data, size);
    if (const auto stripped = apdu::strip_llc(input); stripped.ok()) input = *stripped;
    if (input.empty()) return 0;
    check_notification(input);
    check_envelope(input);
    return 0;
}
