#pragma once
/// @file
/// What the live view and the offline report show, kept without any I/O: per meter its
/// profile and port, counts per frame outcome, and a bounded ring of recent frame points in
/// engineering units (per-phase P, U, I, energies, meter clock, lateness, outcome, fault).
/// A frame point is taken from the same io::frame_report that `hansim run` prints, the Python
/// session records and --summary-json counts; its JSON keeps the record's names (meter, list,
/// sequence, scheduled, send, outcome, lateness_ms, bytes_written, invocation_counter, fault)
/// and adds the values in engineering units (PROTOCOLS.md §3 and §7 give the wire forms they
/// are encoded to). Marks (faults, events, control actions) are kept per meter on the meter's
/// time axis; the ones a frame's ground truth carries (push_frame's fault, events and
/// silenced_before) are made from its points by mark_tracker, the same way live and in a
/// report. The report builder keeps a whole run in a fixed number of time buckets (a day
/// or a year), merging neighbours as the run grows.

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hansim/io/meter_runner.hpp"
#include "hansim/meter/push_frame.hpp"

namespace hansim::http {

using json = nlohmann::ordered_json;

/// Who a meter is, for people: shown in the table and the detail.
struct meter_info {
    std::string name;
    std::string profile;
    std::string port;          ///< the port as described by its sink ("pty /tmp/ttyHAN0 -> /dev/pts/4")
    std::uint32_t serial = 0;
};

/// One frame, compact (a few hundred bytes: a thousand meters keep minutes of history).
struct frame_point {
    std::uint64_t sequence = 0;
    std::int64_t scheduled_ms = 0;   ///< meter UTC, ms since the epoch
    std::int64_t send_ms = 0;
    std::string list;
    io::frame_outcome outcome = io::frame_outcome::sent;
    float lateness_ms = 0;
    std::uint32_t bytes_written = 0;
    std::optional<std::uint32_t> invocation_counter;
    std::string fault;
    std::string fault_detail;        ///< what the fault did (fault_effect.description), for people
    /// Timeline events in force (push_frame.events, spec texts); null: none. Shared, so that
    /// a history of frames under the same events keeps them once (live_view::record).
    std::shared_ptr<const std::vector<std::string>> events;
    std::uint64_t silenced_before = 0;  ///< push slots the port did not carry before this frame
    /// Events that began or ended since the previous frame, with their exact times
    /// (push_frame.timeline); null: none (most frames).
    std::shared_ptr<const std::vector<meter::timeline_change>> timeline;
    float active_import_w = 0, active_export_w = 0, reactive_import_var = 0, reactive_export_var = 0;
    float power_factor = 1;
    std::array<float, 3> voltage_v{}, current_a{}, phase_power_w{};  ///< phase P: import - export
    std::int64_t energy_import_mwh = 0, energy_export_mwh = 0, reactive_import_mvarh = 0, reactive_export_mvarh = 0;
    std::string clock;               ///< the meter's clock as on the wire, ISO 8601 local
    bool single_phase = false;
    bool has_energy = true;          ///< false for a recorded list-1 frame (it carries no registers)
};

/// From a runner's report (outcome, lateness) or, with outcome sent and no lateness, from a
/// generated push.
frame_point make_point(const meter::push_frame& frame, io::frame_outcome outcome = io::frame_outcome::sent,
                       double lateness_ms = 0, std::size_t bytes_written = 0);

json point_json(const frame_point& point);

/// Something marked on a meter's time axis: a fault that went out, an event, a control.
struct mark {
    std::int64_t utc_ms = 0;
    /// "fault" (a fault went out in this frame), "event" (a timeline event began), "event_end"
    /// (it ended, or was replaced), "outage" (the span [utc_ms, until_ms] the meter was off:
    /// no frame was made), "silenced" (push slots the port did not carry before this frame:
    /// port cut, P1 data request released), "control" (a control request), "lost" (a frame
    /// not sent: report only).
    std::string kind;
    std::string text;    ///< the fault's name, the event's spec text, ...
    std::string detail;  ///< for people, may be empty ("FCS low byte at offset 225 XOR 0xFF")
    std::optional<std::int64_t> until_ms;  ///< a span's end: an outage, an event with `for`
};
/// {"utc", "utc_ms", "kind", "text"}, "detail" when there is one, "until" and "until_ms" for a span.
json mark_json(const mark& m);

/// Turns a meter's frames, in order, into the marks their ground truth carries, the same way
/// live and in a report:
/// - from the frame's timeline changes (push_frame.timeline), at the event's exact time: an
///   "event" mark when it began (with until_ms for an event with `for`), an "event_end" mark
///   when its `for` ran out, and one "outage" span [start, end] for an outage (it leaves no
///   frame of its own: the meter was off);
/// - an "event_end" at the frame's trigger when an event is no longer in force without its
///   `for` running out (a later event of its kind replaced it), and, for records without
///   timeline changes (files from before they were recorded), "event" marks at the trigger of
///   the first frame an event is in force in;
/// - a "fault" mark at the send time of the frame the fault went out in, and a "silenced"
///   mark for a frame after slots the port did not carry.
class mark_tracker {
public:
    std::vector<mark> marks_for(const frame_point& point);

private:
    std::vector<std::string> in_force_;
    std::vector<std::string> exact_;  ///< events whose times came with timeline changes
    std::optional<std::int64_t> previous_ms_;  ///< the previous frame's trigger
};

/// Per-outcome counters, as in io::run_summary.
struct outcome_counts {
    std::array<std::uint64_t, 7> by_outcome{};  ///< indexed by io::frame_outcome
    double max_lateness_ms = 0;
    double total_lateness_ms = 0;
    std::uint64_t frames = 0;
    void add(const frame_point& point);
    json to_json() const;
};

/// The live state of every meter of a run. Not thread-safe: used on the session's thread.
class live_view {
public:
    /// `history` frames are kept per meter (older ones are dropped), `marks_kept` marks.
    explicit live_view(std::size_t history = 360, std::size_t marks_kept = 200);

    std::size_t add_meter(meter_info info);
    std::size_t meter_count() const { return meters_.size(); }
    const meter_info& info(std::size_t meter) const { return meters_.at(meter).info; }

    /// Records one frame; listeners get its JSON (serialised once) when there are any.
    void record(std::size_t meter, const frame_point& point);
    void add_mark(std::size_t meter, mark m);

    /// A listener gets "meter index, JSON text of the record" per frame and per mark.
    using listener = std::function<void(std::size_t meter, const std::string& event, const std::string& json_text)>;
    /// `active` says whether anyone listens now (the JSON is only made then).
    void set_listener(listener l, std::function<bool()> active = {}) {
        listener_ = std::move(l);
        active_ = std::move(active);
    }

    /// `/api/meters`: one summary per meter (info, counts, last frame).
    json meters_json() const;
    /// `/api/meters/N`: the summary plus the recent frames and marks.
    json meter_json(std::size_t meter) const;
    /// `/api/meters/N/frames?since=S`: frames with sequence > since (all kept when unset).
    json frames_json(std::size_t meter, std::optional<std::uint64_t> since) const;

private:
    struct meter_state {
        meter_info info;
        outcome_counts counts;
        std::deque<frame_point> frames;
        std::deque<mark> marks;
        mark_tracker tracker;
    };
    json summary_json(std::size_t index) const;

    std::size_t history_;
    std::size_t marks_kept_;
    std::vector<meter_state> meters_;
    listener listener_;
    std::function<bool()> active_;
    bool listening() const { return listener_ && (!active_ || active_()); }
};

/// A whole run (a day, a year) for the offline report: each meter's frames fall into at most
/// `buckets` time buckets; when a new frame lies past the last bucket and all are used,
/// neighbouring buckets are merged pairwise (the width doubles), so memory stays bounded
/// and every bucket covers the same span.
class report_builder {
public:
    explicit report_builder(std::size_t buckets = 1500, std::size_t marks_kept = 2000);

    std::size_t add_meter(meter_info info);
    void add(std::size_t meter, const frame_point& point);
    void add_mark(std::size_t meter, mark m);

    /// {"generated_by", "title", "meters": [{info, counts, last, bucket_ms, series: [...], marks: [...]}]}
    json to_json(const std::string& title) const;

private:
    struct bucket {
        std::int64_t start_ms = 0;
        std::uint32_t frames = 0, lost = 0;
        float p_min = 0, p_max = 0;
        double p_sum = 0;
        std::uint32_t p_count = 0;
        float late_max = 0;
        double late_sum = 0;
        std::int64_t energy_import_mwh = 0, energy_export_mwh = 0;
        bool has_energy = false;
    };
    struct meter_state {
        meter_info info;
        outcome_counts counts;
        std::optional<frame_point> last;
        std::int64_t origin_ms = 0;
        std::int64_t width_ms = 0;  ///< 0 until the second distinct time
        std::vector<bucket> buckets;
        std::vector<mark> marks;
        std::uint64_t marks_dropped = 0;
        mark_tracker tracker;
    };
    void merge(meter_state& state);

    std::size_t max_buckets_;
    std::size_t marks_kept_;
    std::vector<meter_state> meters_;
};

/// The page's HTML (embedded at build time from simulator/web/): the live page, or, with
/// `report` set, one self-contained file whose data is `report` (no server needed).
std::string page_html(const json* report = nullptr);
std::string_view page_script();
std::string_view page_style();

}  // namespace hansim::http
