#include "live.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace hansim::app {

namespace po = boost::program_options;

po::options_description live_view_options() {
    po::options_description live("Live view (a page in the browser)");
    live.add_options()
        ("http", po::value<std::string>(),
         "serve the live view and its JSON API at [ADDR:]PORT (address 127.0.0.1 unless given; PORT 0 picks one)")
        ("http-control", po::bool_switch(),
         "allow controls from the page and the API; each request needs the token printed at start");
    return live;
}

void add_live_request(const po::variables_map& vm, scenario::run_request& request) {
    if (vm.count("http")) request.http = vm["http"].as<std::string>();
    request.http_control = vm.count("http-control") && vm["http-control"].as<bool>();
}

live_frontend::live_frontend(scenario::live_view_plan settings) : settings_(std::move(settings)) {}

std::unique_ptr<io::data_request> live_frontend::data_request_for_none() {
    if (!settings_.control) return nullptr;
    return std::make_unique<io::manual_data_request>(true);
}

void live_frontend::add_meter(http::meter_info info, io::data_request* request) {
    view_.add_meter(std::move(info));
    requests_.push_back(dynamic_cast<io::manual_data_request*>(request));
}

std::string live_frontend::change(std::size_t meter, scenario::live_kind kind, const std::string& text,
                                  const std::string& what) {
    scenario::live_result result;
    try {
        result = session_->apply_live_here(meter, {kind, text});
    } catch (const scenario::live_error& e) {
        throw http::control_error(400, e.what());
    }
    if (!result.ok) throw http::control_error(400, result.error.empty() ? what + " '" + text + "': not applied" : result.error);
    const std::string done = what + " " + result.applied;
    view_.add_mark(meter, {result.meter_now.time_since_epoch().count(), "control", done, "applied at this meter time", std::nullopt});
    return done;
}

std::vector<http::control_action> live_frontend::actions() {
    std::vector<http::control_action> list;
    const auto text_of = [](const http::json& request, const char* action, const char* example) {
        if (!request.contains("text") || !request["text"].is_string() || request["text"].get<std::string>().empty())
            throw http::control_error(400, std::string(action) + ": expected {\"text\": \"" + example + "\"}");
        return request["text"].get<std::string>();
    };
    list.push_back(
        {"load",
         "set the meter's total load now, in W (negative: export), as the event load=constant:W: {\"watts\": 3000}; "
         "the next frame not yet on the line carries it",
         http::json{{"watts", "number"}},
         [this](std::size_t meter, const http::json& request) -> std::string {
             if (!request.contains("watts") || !request["watts"].is_number() || !std::isfinite(request["watts"].get<double>()))
                 throw http::control_error(400, "load: expected {\"watts\": W} with W a number (negative: export)");
             char text[64];
             std::snprintf(text, sizeof text, "load=constant:%.17g", request["watts"].get<double>());
             return change(meter, scenario::live_kind::event, text, "event");
         }});
    list.push_back(
        {"event",
         "a timeline event as --event gives it, from the meter's time now: {\"text\": \"KIND[=ARGS][@now|@+DURATION|@ISO[/FOR]]\"}, "
         "e.g. voltage=207@now/2m, outage@+10s/1m, clock_jump=+1h (no @: now)",
         http::json{{"text", "event"}},
         [this, text_of](std::size_t meter, const http::json& request) -> std::string {
             return change(meter, scenario::live_kind::event, text_of(request, "event", "voltage=207@now/2m"), "event");
         }});
    list.push_back(
        {"fault",
         "a fault rule as --faults gives it: {\"text\": \"NAME[:PARAM=VALUE]...[@next|@next:K|@every:K|@rate:P|@time:T]\"}, "
         "e.g. bad_fcs, truncated@next:3 (no @: the next push); `hansim faults` lists them",
         http::json{{"text", "fault"}},
         [this, text_of](std::size_t meter, const http::json& request) -> std::string {
             return change(meter, scenario::live_kind::fault, text_of(request, "fault", "bad_fcs@next"), "fault");
         }});
    list.push_back(
        {"data_request",
         "assert or drop the P1 data-request line (meters started with --data-request none): "
         "{\"asserted\": true|false}; frames due while it is dropped are not sent (outcome not_requested)",
         http::json{{"asserted", "boolean"}},
         [this](std::size_t meter, const http::json& request) -> std::string {
             auto* line = requests_.at(meter);
             if (line == nullptr)
                 throw http::control_error(409, "this meter's data request comes from its port or a file "
                                                "(--data-request), not from controls");
             if (!request.contains("asserted") || !request["asserted"].is_boolean())
                 throw http::control_error(400, "data_request: expected {\"asserted\": true|false}");
             const bool on = request["asserted"].get<bool>();
             line->set(on);
             std::string done = on ? "data request asserted" : "data request dropped";
             view_.add_mark(meter, {meter_now_ms(), "control", done, "", std::nullopt});
             return done;
         }});
    return list;
}

std::int64_t live_frontend::meter_now_ms() const {
    const auto elapsed = std::chrono::duration<double, std::milli>(io::mono_clock::now() - mapping_.start_mono).count();
    return mapping_.start_utc.time_since_epoch().count() + static_cast<std::int64_t>(elapsed * mapping_.speed);
}

void live_frontend::start(io::session& session, const io::time_mapping& mapping, std::FILE* log) {
    mapping_ = mapping;
    session_ = &session;
    http::server_options options;
    options.address = settings_.listen.address;
    options.port = settings_.listen.port;
    options.control = settings_.control;
    if (settings_.control) options.token = http::make_token();
    server_ = std::make_unique<http::server>(session.context(), view_, options, actions());
    std::fprintf(log, "hansim run: live view at %s\n", server_->url().c_str());
    if (settings_.control)
        std::fprintf(log, "hansim run: controls on; token %s (open %s?token=%s)\n", options.token.c_str(),
                     server_->url().c_str(), options.token.c_str());
    std::fflush(log);
}

void live_frontend::frame(std::size_t meter, const io::frame_report& report) {
    view_.record(meter, http::make_point(report.frame, report.outcome,
                                         std::chrono::duration<double, std::milli>(report.lateness).count(),
                                         report.bytes_written));
}

void live_frontend::stop() {
    if (server_) server_->close();
}

}  // namespace hansim::app
