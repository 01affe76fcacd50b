#pragma once
/// @file
/// The live-control side of a push source: what a running meter's source lets a controller
/// change between pushes (scenario/live_control.hpp parses the changes; io/meter_runner.hpp
/// and io/unpaced_runner.hpp call it between frames). The changes are the timeline's
/// (timeline.hpp, acting on the push schedule of PROTOCOLS.md §8) and the fault plan's
/// (fault_plan.hpp), so a live change means exactly what the same event or fault given at
/// the start means. No clock is read: the controller passes the meter's time in.
///
/// Runners pull a push before its send time and wait for it. A change made while such a push
/// waits must show in it, so the source can take back the last push it returned (rewind())
/// and build it again, with the change, on the next call to next(). A push whose bytes have
/// started on the line is not taken back; the change shows from the push after it.
/// Taking back costs a copy of the meter's state per push, which is why only sources made
/// with live control (make_push_source's `live` option, scenario::prepare_meter's
/// `live_control`) have this side.

#include <cstdint>

#include "hansim/meter/fault_plan.hpp"
#include "hansim/meter/push_frame.hpp"
#include "hansim/meter/timeline.hpp"

namespace hansim::meter {

class live_source {
public:
    virtual ~live_source() = default;

    /// Whether the last push next() returned can be taken back (one was returned, and not
    /// taken back already).
    virtual bool can_rewind() const = 0;
    /// Takes back the last push next() returned, which was not sent: the next call to next()
    /// builds that push again (same sequence number) with the changes made since. Throws
    /// std::logic_error when !can_rewind().
    virtual void rewind() = 0;

    /// The earliest time (true UTC) a change may take effect: just after the trigger of the
    /// last push kept (the meter has integrated and scheduled up to it), or the start.
    virtual utc_ms earliest_change() const = 0;
    /// The sequence number the next push built gets.
    virtual std::uint64_t next_sequence() const = 0;

    /// Replaces the meter's timeline by `events`: the events it had plus new ones, none
    /// before earliest_change(); key files loaded and settings resolved (config_after) as
    /// scenario::prepare_meter does. Checks everything before changing anything: throws
    /// std::invalid_argument naming the event (bad times, overlapping outages, keys missing
    /// for a security switch), and the source is then unchanged.
    virtual void set_events(timeline events) = 0;
    /// Adds fault rules after the plan's (checked: faults::check_applicable, validate). They
    /// select among the pushes built from now on; a push keeps at most one fault, the first
    /// rule's.
    virtual void add_faults(const fault_plan& rules) = 0;
};

}  // namespace hansim::meter
