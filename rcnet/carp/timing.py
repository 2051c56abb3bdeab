"""CARP and VRRPv3 timing in exact integer microseconds (carp.md §4.1).

Every time in `rcnet.carp` is an `int` of microseconds on whatever clock the caller runs
(the simulator's virtual clock, the daemon's monotonic clock). FreeBSD keeps these intervals as
`struct timeval`, so microseconds are its own resolution: `tv(1, 100)` is exactly 1 390 625 µs
and the master-down interval of advbase 1 advskew 100 exactly 3 390 625 µs.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

US_PER_S = 1_000_000
US_PER_CS = 10_000
#: FreeBSD's cap on the effective (demoted) skew
CARP_MAXSKEW = 240


def tv(base_s: int, skew: int) -> int:
    """FreeBSD's `tv(b, s)`: b seconds + floor(s·10⁶/256) µs."""
    return base_s * US_PER_S + skew * US_PER_S // 256


def effective_skew(advskew: int, demotion: int) -> int:
    """FreeBSD 14: advskew + net.inet.carp.demotion, capped at 240 and floored at 0."""
    return max(0, min(advskew + demotion, CARP_MAXSKEW))


def advert_interval(advbase: int, advskew: int, demotion: int) -> int:
    """How often a MASTER advertises."""
    return tv(advbase, effective_skew(advskew, demotion))


def master_down_interval(advbase: int, advskew: int) -> int:
    """How long a BACKUP waits: 3·advbase + advskew/256 with the configured, undemoted skew."""
    return tv(3 * advbase, advskew)


def vrrp_skew_cs(master_interval_cs: int, priority: int) -> int:
    """RFC 5798 Skew_Time in centiseconds (integer division, as the header field is cs)."""
    return ((256 - priority) * master_interval_cs) // 256


def vrrp_master_down_interval(master_interval_cs: int, priority: int) -> int:
    """RFC 5798 Master_Down_Interval = 3·MI + Skew_Time, in µs."""
    return (3 * master_interval_cs + vrrp_skew_cs(master_interval_cs, priority)) * US_PER_CS


def from_seconds(value: str | float | Decimal) -> int:
    """Seconds (a decimal string, float or Decimal) to microseconds, rounded to the nearest µs."""
    try:
        d = Decimal(str(value)) if not isinstance(value, Decimal) else value
        if not d.is_finite():
            raise ValueError(f"not a finite number of seconds: {value!r}")
        return int((d * US_PER_S).to_integral_value())
    except InvalidOperation:
        raise ValueError(f"not a number of seconds: {value!r}") from None


def to_seconds(us: int) -> float:
    return us / US_PER_S


def format_seconds(us: int) -> str:
    """`13.390625` with exactly six decimals, computed without floats."""
    sign = "-" if us < 0 else ""
    q, r = divmod(abs(us), US_PER_S)
    return f"{sign}{q}.{r:06d}"
