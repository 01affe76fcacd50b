#include "hansim/meter/hdlc_push.hpp"

#include "hansim/codec/apdu/llc.hpp"

namespace hansim::meter {

hdlc_push_options plain_push_addressing() {
    return {codec::hdlc::kamstrup_client, codec::hdlc::kamstrup_server, codec::hdlc::control_ui_final, 0};
}

hdlc_push_options ciphered_push_addressing() {
    return {codec::hdlc::kamstrup_ciphered_client, codec::hdlc::kamstrup_ciphered_server,
            codec::hdlc::control_ui_final, 0};
}

codec::bytes frame_push_apdu(const codec::bytes& apdu, const hdlc_push_options& options) {
    if (options.max_information == 0 || codec::apdu::llc_response_header.size() + apdu.size() <= options.max_information) {
        codec::bytes wire;  // one buffer: LLC header and APDU go in without being joined first
        codec::hdlc::append_frame(wire, options.destination, options.source, options.control, false,
                                  codec::apdu::llc_response_header, apdu);
        return wire;
    }
    const auto llc_pdu = codec::apdu::wrap_llc(apdu);
    codec::bytes wire;
    for (const auto& frame : codec::hdlc::encode_segmented(options.destination, options.source, options.control,
                                                           llc_pdu, options.max_information))
        wire.insert(wire.end(), frame.begin(), frame.end());
    return wire;
}

}  // namespace hansim::meter
