"""Compare what a device under test reported with the ground truth of the frame it read.

The wire carries no scalers (PROTOCOLS.md §2.5, §3.3): a HAN list sends W, var, 0.01 A (or
0.001 A on CT meters), 1 V (or 0.01 V) and 10 Wh (or 1 Wh); P1 sends kW with three decimals,
V and A with one. `expected(frame, resolution)` turns a frame's ground truth into engineering
units (W, var, A, V, kWh, kvarh, a power factor as a ratio) with the tolerance a faithful
reader must meet: one unit of the wire resolution (a reader may round or truncate).

A report is a dict keyed by OBIS in any usual spelling ("1-1:1.7.0.255", "1-0:1.7.0",
"1.7.0") or by a name from NAMES ("power_w", "l1_current_a", "energy_import_kwh", ...),
with numbers in engineering units, or {"value": x, "unit": "kW"} pairs (converted). A
record with a "values" member (the reference reader's JSON line) is looked into.

    assert_reported({"values": {"1-1:1.7.0.255": 481.0}}, frame, {"energy_wh": 10, ...})
    -> AssertionError: frame 2024-01-15T13:59:50 (list1 #0, meter1):
         1-1:1.7.0.255 (1.7.0) expected 492 W, got 481 W, tolerance ±1 W
"""
from __future__ import annotations

import math
import re
from typing import Any, Mapping, Optional

# Common names a device may report under, and the OBIS C.D.E they mean.
NAMES = {
    "power_w": "1.7.0", "active_power_import_w": "1.7.0", "import_w": "1.7.0", "p": "1.7.0",
    "export_w": "2.7.0", "active_power_export_w": "2.7.0",
    "reactive_import_var": "3.7.0", "reactive_export_var": "4.7.0",
    "l1_current_a": "31.7.0", "l2_current_a": "51.7.0", "l3_current_a": "71.7.0",
    "i1": "31.7.0", "i2": "51.7.0", "i3": "71.7.0",
    "l1_voltage_v": "32.7.0", "l2_voltage_v": "52.7.0", "l3_voltage_v": "72.7.0",
    "u1": "32.7.0", "u2": "52.7.0", "u3": "72.7.0",
    "l1_power_w": "21.7.0", "l2_power_w": "41.7.0", "l3_power_w": "61.7.0",
    "power_factor": "13.7.0", "energy_import_kwh": "1.8.0", "energy_export_kwh": "2.8.0",
    "reactive_energy_import_kvarh": "3.8.0", "reactive_energy_export_kvarh": "4.8.0",
}

_TO_BASE = {"W": (1.0, "W"), "kW": (1000.0, "W"), "var": (1.0, "var"), "kvar": (1000.0, "var"),
            "kVAr": (1000.0, "var"), "Wh": (0.001, "kWh"), "kWh": (1.0, "kWh"), "varh": (0.001, "kvarh"),
            "kvarh": (1.0, "kvarh"), "kVArh": (1.0, "kvarh"), "V": (1.0, "V"), "A": (1.0, "A"), "": (1.0, "")}

# P1 resolutions by unit (Kamstrup / Swedish P1: 4.3 kW, 8.3 kWh, 3.1 V, 3.1 A).
_P1_RESOLUTION = {"W": 1.0, "var": 1.0, "kWh": 0.001, "kvarh": 0.001, "V": 0.1, "A": 0.1}

_OBIS = re.compile(r"^(?:\d+-\d+:)?(\d+)\.(\d+)\.(\d+)(?:\.\d+)?$")


def obis_key(key: str) -> Optional[str]:
    """"1-1:1.7.0.255", "1-0:1.7.0", "1.7.0" -> "1.7.0"; a NAMES entry -> its C.D.E."""
    named = NAMES.get(key.lower())
    if named:
        return named
    match = _OBIS.match(key.strip())
    return ".".join(match.groups()) if match else None


def _hdlc_expected(obis: str, raw: Any, res: Mapping[str, float]) -> Optional[tuple]:
    c, d, _ = (int(x) for x in obis.split("."))
    multiplier = res.get("power_multiplier", 1.0) or 1.0
    if d == 7 and c in (1, 2, 21, 41, 61, 22, 42, 62):
        return raw / multiplier, "W", 1.0
    if d == 7 and c in (3, 4, 23, 43, 63, 24, 44, 64):
        return raw / multiplier, "var", 1.0
    if d == 7 and c in (31, 51, 71):
        return raw * res["current_a"], "A", res["current_a"]
    if d == 7 and c in (32, 52, 72):
        return raw * res["voltage_v"], "V", res["voltage_v"]
    if d == 7 and c in (13, 33, 53, 73):
        return raw * 0.01, "", 0.01
    if d == 8 and c in (1, 2, 21, 41, 61, 22, 42, 62):
        return raw * res["energy_wh"] / 1000.0, "kWh", res["energy_wh"] / 1000.0
    if d == 8 and c in (3, 4):
        return raw * res["energy_wh"] / 1000.0, "kvarh", res["energy_wh"] / 1000.0
    return None


def expected(frame: Any, resolution: Mapping[str, float]) -> dict:
    """{C.D.E: (obis as in the ground truth, value, unit, tolerance)} for every numeric value
    of the frame, in engineering units."""
    out = {}
    for obis, raw in frame.values.items():
        key = obis_key(obis)
        if key is None:
            continue
        if isinstance(raw, dict) and "value" in raw:  # P1
            factor, unit = _TO_BASE.get(raw.get("unit", ""), (1.0, raw.get("unit", "")))
            out[key] = (obis, raw["value"] * factor, unit, _P1_RESOLUTION.get(unit, 0.001))
        elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
            got = _hdlc_expected(key, raw, resolution)
            if got:
                out[key] = (obis, *got)
    return out


def _reported_number(value: Any) -> tuple:
    if isinstance(value, Mapping) and "value" in value:
        factor, unit = _TO_BASE.get(str(value.get("unit", "")), (1.0, str(value.get("unit", ""))))
        return float(value["value"]) * factor, unit
    return float(value), None


def _fmt(x: float) -> str:
    return f"{x:.6f}".rstrip("0").rstrip(".")


def assert_reported(reported: Mapping[str, Any], frame: Any, resolution: Mapping[str, float], *,
                    tolerance: "Mapping[str, float] | None" = None, require: "list | None" = None) -> None:
    """Every value the device reported (that the frame carried) matches the frame within
    tolerance; `require` lists OBIS/names the report must contain. Raises AssertionError
    listing every mismatch with frame time, OBIS, expected, got and the tolerance used."""
    values = reported.get("values", reported) if isinstance(reported, Mapping) else reported
    truth = expected(frame, resolution)
    stamp, p1_stamp = frame.values.get("0-1:1.0.0.255"), frame.values.get("0-0:1.0.0")
    clock = stamp if isinstance(stamp, str) else p1_stamp.get("time") if isinstance(p1_stamp, dict) else None
    where = f"frame {clock or frame.send} (sent {frame.send}, {frame.list} #{frame.sequence}, {frame.meter})"
    problems = []
    compared = 0
    for name, value in values.items():
        key = obis_key(str(name))
        if key is None or key not in truth:
            continue
        try:
            got, unit = _reported_number(value)
        except (TypeError, ValueError):
            continue  # text values (identity, clock) are not compared here
        obis, want, want_unit, tol = truth[key]
        if tolerance and (name in tolerance or key in tolerance):
            tol = tolerance.get(name, tolerance.get(key))
        unit_note = f" (reported in {unit})" if unit and unit != want_unit else ""
        compared += 1
        if not math.isclose(got, want, abs_tol=tol + 1e-9):
            problems.append(f"  {name} ({obis}) expected {_fmt(want)} {want_unit}, got {_fmt(got)} {want_unit}"
                            f"{unit_note}, tolerance ±{_fmt(tol)} {want_unit}")
    for name in require or []:
        key = obis_key(str(name))
        if not any(obis_key(str(k)) == key for k in values):
            problems.append(f"  {name}: not reported (the frame carried {truth[key][1] if key in truth else 'none'})")
    if problems:
        raise AssertionError(f"{where}:\n" + "\n".join(problems))
    if compared == 0 and truth:
        raise AssertionError(f"{where}: the report has none of the frame's values "
                             f"(frame: {', '.join(v[0] for v in truth.values())}; report: {', '.join(map(str, values))})")


__all__ = ["NAMES", "assert_reported", "expected", "obis_key"]
