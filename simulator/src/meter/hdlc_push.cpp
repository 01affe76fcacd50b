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
    const auto llc_pdu = codec::apdu::wrap_llc(apdu);
    if (options.max_information == 0 || llc_pdu.size() <= options.max_information) {
        return codec::hdlc::encode(codec::hdlc::hdlc_frame{options.destination, options.source, options.control,
                                                           false, llc_pdu});
    }
    codec::bytes wire;
    for (const auto& frame : codec::hdlc::encode_segmented(options.destination, options.source, options.control,
                                                           llc_pdu, options.max_information))
        wire.insert(wire.end(), frame.begin(), frame.end());
    return wire;
}

}  // namespace hansim::meter
