#!/usr/bin/env python3
"""Plots a soak's samples (scripts/soak with SOAK_KEEP=DIR writes DIR/samples.jsonl) as an SVG:
resident memory and open descriptors of chat-api and chat-gateway over time, a dashed line
where a process was replaced (a fault) and one at the end of the warm-up.

    python3 scripts/lib/soak_plot.py DIR/samples.jsonl docs/soak-memory-fds.svg [WARMUP_SECONDS]

Standard library only (hand-written SVG).
"""
import json
import sys

WIDTH, PANEL_HEIGHT, LEFT, RIGHT, TOP, GAP = 900, 220, 70, 150, 30, 60
COLORS = {"chat-api": "#1f77b4", "chat-gateway": "#d62728"}


def panel(out, samples, top, title, measures, unit, scale, warmup):
    """One chart: a line per (service, measure)."""
    t_max = max(s["t"] for s in samples)
    values = [s[m] * scale for s in samples for m, _ in measures]
    v_max = max(values) * 1.15
    x = lambda t: LEFT + (WIDTH - LEFT - RIGHT) * t / t_max
    y = lambda v: top + PANEL_HEIGHT - PANEL_HEIGHT * v / v_max
    out.append(f'<text x="{LEFT}" y="{top - 10}" font-size="14" font-weight="bold">{title}</text>')
    out.append(f'<rect x="{LEFT}" y="{top}" width="{WIDTH - LEFT - RIGHT}" height="{PANEL_HEIGHT}" fill="none" stroke="#999"/>')
    for i in range(5):
        v = v_max * i / 4
        out.append(f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" font-size="11" text-anchor="end">{v:.0f}</text>')
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#eee"/>')
    out.append(f'<text x="14" y="{top + PANEL_HEIGHT / 2}" font-size="11" transform="rotate(-90 14 {top + PANEL_HEIGHT / 2})">{unit}</text>')
    for minute in range(0, int(t_max // 60) + 1, max(1, int(t_max // 60) // 10)):
        out.append(f'<text x="{x(minute * 60):.1f}" y="{top + PANEL_HEIGHT + 14}" font-size="11" text-anchor="middle">{minute} min</text>')
    if warmup:
        out.append(f'<line x1="{x(warmup):.1f}" x2="{x(warmup):.1f}" y1="{top}" y2="{top + PANEL_HEIGHT}" stroke="#2a2" stroke-dasharray="6 3"/>')
    legend = 0
    for service, color in COLORS.items():
        rows = [s for s in samples if s["service"] == service]
        for previous, current in zip(rows, rows[1:]):
            if previous["pid"] != current["pid"]:
                out.append(f'<line x1="{x(current["t"]):.1f}" x2="{x(current["t"]):.1f}" y1="{top}" y2="{top + PANEL_HEIGHT}" '
                           f'stroke="{color}" stroke-dasharray="2 3" opacity="0.6"/>')
        for measure, dash in measures:
            points = " ".join(f"{x(s['t']):.1f},{y(s[measure] * scale):.1f}" for s in rows)
            out.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="1.5" stroke-dasharray="{dash}"/>')
            label = service if len(measures) == 1 else f"{service} {measure.replace('_fds', '').replace('fds', 'all')}"
            ly = top + 14 + 16 * legend
            out.append(f'<line x1="{WIDTH - RIGHT + 10}" x2="{WIDTH - RIGHT + 30}" y1="{ly - 4}" y2="{ly - 4}" stroke="{color}" '
                       f'stroke-width="2" stroke-dasharray="{dash}"/>')
            out.append(f'<text x="{WIDTH - RIGHT + 35}" y="{ly}" font-size="11">{label}</text>')
            legend += 1


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    samples = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    warmup = float(sys.argv[3]) if len(sys.argv) > 3 else None
    height = TOP + 2 * PANEL_HEIGHT + GAP + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" font-family="sans-serif">',
           f'<rect width="{WIDTH}" height="{height}" fill="white"/>']
    panel(out, samples, TOP, "Resident memory", [("rss_bytes", "")], "MiB", 1 / 1048576, warmup)
    panel(out, samples, TOP + PANEL_HEIGHT + GAP, "Open descriptors (own: without client and database connections)",
          [("fds", ""), ("own_fds", "5 3")], "descriptors", 1, warmup)
    out.append("</svg>")
    with open(sys.argv[2], "w") as file:
        file.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
