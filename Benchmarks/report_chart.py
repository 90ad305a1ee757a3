"""The chart of Benchmarks/report.py: ConvKit / peer ratio per shape and pass, one bar per
pair, on a log scale, each bar growing from 1 (right of it: ConvKit is faster). Needs matplotlib
(Debian python3-matplotlib); without it the chart is skipped with a note.
"""
import math

# More bars than this and the chart keeps the forward passes only.
MAX_BARS = 90


def draw(path, rows, pair_names, title):
    """Writes the PNG; returns a note saying what was drawn or why nothing was."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "chart skipped: matplotlib is not installed (apt-get install python3-matplotlib)"
    measured = [row for row in rows if any(row["ratios"].get(name) for name in pair_names)]
    subset = ""
    if len(measured) * max(len(pair_names), 1) > MAX_BARS:
        measured = [row for row in measured if row["pass"] == "forward"]
        subset = " (forward passes)"
    if not measured or not pair_names:
        return "chart skipped: no shape was measured by ConvKit and a peer"

    group_height = 0.8 * len(pair_names) + 0.4
    figure, axes = plt.subplots(figsize=(11, 1.5 + 0.22 * group_height * len(measured)))
    bar = 0.8 / len(pair_names)
    ratios = []
    for index, name in enumerate(pair_names):
        values = [row["ratios"].get(name) for row in measured]
        positions = [i - 0.4 + bar * (index + 0.5) for i in range(len(measured))]
        shown = [(p, v) for p, v in zip(positions, values) if v]
        ratios += [v for _, v in shown]
        # Bars grow from 1 either way: right of it ConvKit is faster, left of it slower.
        axes.barh([p for p, _ in shown], [v - 1 for _, v in shown], height=bar, left=1, label=name)
    axes.set_xscale("log")
    low, high = min(ratios + [0.5]), max(ratios + [2.0])
    axes.set_xlim(10 ** math.floor(math.log10(low * 0.8)), 10 ** math.ceil(math.log10(high * 1.25)))
    axes.axvline(1.0, color="black", linewidth=1)
    axes.set_yticks(range(len(measured)))
    axes.set_yticklabels([f"{row['shape']} {row['pass']}" for row in measured], fontsize=7)
    axes.set_ylim(len(measured) - 0.5, -0.5)
    axes.set_xlabel("ConvKit / peer (log scale; right of 1: ConvKit is faster)")
    axes.set_title(title + subset, fontsize=10)
    axes.legend(fontsize=8, loc="lower right")
    axes.grid(axis="x", which="both", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return f"chart: {len(measured)} shape passes{subset}, {len(pair_names)} pairs"
