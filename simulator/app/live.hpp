#pragma once
// The live view for `hansim run --http`: a live_view fed by the session's frame reports and
// an http::server on the session's io_context, with the run's live controls. run.cpp only
// adds its options, hands each meter over and forwards frames. The controls (load, event,
// fault) are the session's live control (scenario/live_control.hpp), the one Python uses,
// applied on the io_context's thread the server runs on (io::session::apply_live_here); the
// P1 data request is the meter's manual request line.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/variables_map.hpp>

#include "hansim/http/live_view.hpp"
#include "hansim/http/server.hpp"
#include "hansim/io/data_request.hpp"
#include "hansim/io/session.hpp"
#include "hansim/scenario/run_plan.hpp"

namespace hansim::app {

/// --http and --http-control (the run plan checks them, with a scenario's http settings).
boost::program_options::options_description live_view_options();
/// Puts --http and --http-control into the run request.
void add_live_request(const boost::program_options::variables_map& vm, scenario::run_request& request);

class live_frontend {
public:
    explicit live_frontend(scenario::live_view_plan settings);

    /// Whether the controls are on: then the meters must be prepared with live control
    /// (meter_setup_options::live_control) and given their controller (set_live_control).
    bool controls() const { return settings_.control; }

    /// The data request to give a meter whose spec is "none": with controls on, a manual one
    /// (asserted until a control drops it); else null (always requested).
    std::unique_ptr<io::data_request> data_request_for_none();

    /// Call once per meter, in session order. `request` is the meter's data request when the
    /// controls may drive it (from data_request_for_none), else null.
    void add_meter(http::meter_info info, io::data_request* request);

    /// Listens and prints where (and the token) to `log`. `mapping` is the run's (control
    /// marks are put on the meters' time axis with it).
    void start(io::session& session, const io::time_mapping& mapping, std::FILE* log);
    void frame(std::size_t meter, const io::frame_report& report);
    void stop();

private:
    std::vector<http::control_action> actions();
    /// A live change of meter `meter`, marked on its time axis; control_error when refused.
    std::string change(std::size_t meter, scenario::live_kind kind, const std::string& text, const std::string& what);

    std::int64_t meter_now_ms() const;

    scenario::live_view_plan settings_;
    io::time_mapping mapping_;
    io::session* session_ = nullptr;
    http::live_view view_;
    std::vector<io::manual_data_request*> requests_;  // null: not driven by controls
    std::unique_ptr<http::server> server_;
};

}  // namespace hansim::app
