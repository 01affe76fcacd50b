"""Bad timeline events, from the command line, a scenario file and Python: the error names
the file, line and field (or the --event option) and says what was expected; exit 2. Each
case is a row of tests/BAD_INPUT.md (the bad_input fixture)."""
import hansim
import pytest

START = "2024-01-15T12:00:00Z"


def scenario(events: str, extra_meter: str = "") -> str:
    """A one-meter scenario whose events block is `events` (YAML lines, 6 spaces deep);
    the first event is on line 7."""
    return (f"start: {START}\n"
            "meters:\n"
            "  - name: house\n"
            "    profile: kamstrup-no-3p\n"
            f"{extra_meter}"
            "    port: file:/dev/null\n"
            "    events:\n" + events)


GENERATE = ("generate", "--meter", "kamstrup-no-3p", "--start", START, "--duration", "1h")


@pytest.mark.parametrize("command", ["generate", "run"])
def test_bad_events_on_the_command_line(bad_input, command):
    base = (GENERATE if command == "generate" else
            ("run", "--meter", "kamstrup-no-3p", "--port", "file:{tmp}/out.bin", "--fast", "--start", START,
             "--duration", "1h"))
    bad_input.cli(*base, "--event", "meteor@+1m", expect=["--event 'meteor@+1m'", "unknown event kind 'meteor'",
                                                          "outage"])
    bad_input.cli(*base, "--event", "outage@+2h/1m", expect=["--event 'outage@+2h/1m'", "after the end of the run"])
    bad_input.cli(*base, "--event", "outage@2024-01-15T11:00:00Z/1m",
                  expect=["--event 'outage@2024-01-15T11:00:00Z/1m'", "before the start of the run"])
    bad_input.cli(*base, "--event", "outage@+1m", expect=["--event 'outage@+1m'", "for: missing",
                                                          "needs a duration"])
    bad_input.cli(*base, "--event", "outage@+1m/10m", "--event", "outage@+5m/10m",
                  expect=["outage@+5m/10m", "overlaps"])
    bad_input.cli(*base, "--event", "voltage=high@+1m", expect=["--event 'voltage=high@+1m'", "voltage",
                                                                "expected a voltage in V", "got 'high'"])
    bad_input.cli(*base, "--event", "outage@soon/1m", expect=["--event 'outage@soon/1m'", "at"])


@pytest.mark.parametrize("spec, needles", [
    ("clock_jump=soon@+1m", ["clock_jump", "got 'soon'"]),
    ("data_request=maybe@+1m", ["data_request", "expected on or off", "got 'maybe'"]),
    ("power_factor=1.5@+1m", ["power_factor", "1.5"]),
    ("list2_delay=9@+1m", ["list2_delay", "got '9'"]),
    ("lists=list9@+1m", ["lists", "got 'list9'"]),
    ("firmware=colour=blue@+1m", ["firmware", "colour"]),
    ("load=ramp:0:100@+1m", ["load", "ramp:FROM:TO:OVER"]),
    ("counter_reset=-1@+1m", ["counter_reset", "got '-1'"]),
    ("key_change={tmp}/missing.txt@+1m", ["event 'key_change={tmp}/missing.txt@+1m': key_change",
                                          "missing.txt: cannot open"]),
    ("load=csv:{tmp}/missing.csv@+1m", ["missing.csv"]),
    ("clock_jump=5m@+1m", ["clock_jump", "a signed duration", "got '5m'"]),
])
def test_bad_event_parameters_say_what_was_expected(bad_input, spec, needles):
    bad_input.cli(*GENERATE, "--event", spec, expect=needles)


def test_bad_events_in_a_scenario_name_file_line_and_field(bad_input):
    def check(name, events, needles, files=None):
        all_files = {name: scenario(events)}
        all_files.update(files or {})
        return bad_input.cli("generate", "--scenario", "{tmp}/" + name, "--duration", "1h",
                             files=all_files, expect=needles)

    check("unknown.yaml", "      - { at: +1m, meteor: true }\n",
          ["unknown.yaml:7", "meters[0].events[0]", "meteor"])
    check("no_for.yaml", "      - { at: +10m, for: 5m, port_cut: true }\n      - { at: +1m, outage: true }\n",
          ["no_for.yaml:8", "meters[0].events[1]", "needs a duration"])
    check("overlap.yaml", "      - { at: +1m, for: 10m, outage: true }\n      - { at: +5m, for: 1m, outage: true }\n",
          ["overlap.yaml:8", "overlaps"])
    check("before.yaml", "      - { at: 2024-01-15T11:00:00Z, power: 100 }\n",
          ["before.yaml:7", "meters[0].events[0].at", "before the start of the scenario"])
    check("bad_arg.yaml", "      - at: +1m\n        voltage: high\n",
          ["bad_arg.yaml:8", "meters[0].events[0].voltage", "expected a voltage in V", "got 'high'"])
    check("bad_for.yaml", "      - { at: +1m, for: soon, outage: true }\n",
          ["bad_for.yaml:7", "meters[0].events[0].for"])
    check("two_kinds.yaml", "      - { at: +1m, outage: true, port_cut: true, for: 1m }\n",
          ["two_kinds.yaml:7", "meters[0].events[0]"])
    check("csv.yaml", "      - { at: +1m, load: 'csv:series.csv' }\n",
          ["series.csv:3", "p2", "got 'lots'"],
          files={"series.csv": "time,p1,p2,p3\n0s,100,200,300\n10s,100,lots,300\n"})
    check("csv_order.yaml", "      - { at: +1m, load: 'csv:series.csv' }\n",
          ["series.csv:4", "time"],
          files={"series.csv": "time,p1\n0s,100\n20s,100\n10s,100\n"})
    check("csv_header.yaml", "      - { at: +1m, load: 'csv:series.csv' }\n",
          ["series.csv:1", "time"],
          files={"series.csv": "p1,p2,p3\n100,200,300\n"})


def test_bad_events_from_python(bad_input):
    bad_input.raises(ValueError, "unknown event kind 'meteor'", hansim.Meter, "kamstrup-no-3p", start=START,
                     events=["meteor@+1m"])
    bad_input.raises(ValueError, "overlaps", hansim.Meter, "kamstrup-no-3p", start=START,
                     events=["outage@+1m/10m", "outage@+5m/1m"])
    bad_input.raises(ValueError, "needs a duration", hansim.Meter, "kamstrup-no-3p", start=START,
                     events=["outage@+1m"])
    bad_input.raises(ValueError, "key_change", hansim.Meter, "kamstrup-no-3p", start=START,
                     events=["key_change=/nonexistent-hansim/keys.txt@+1m"])
