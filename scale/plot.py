"""Draws docs/scale.png from the model's results (dist/scale/results.json): one panel per figure,
one bar per strategy, default and higher-throughput quotas side by side."""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

results_path, png_path = sys.argv[1], sys.argv[2]
with open(results_path, encoding="utf-8") as handle:
    results = json.load(handle)

runs = results["runs"]
strategies = list(dict.fromkeys(run["strategy"] for run in runs))
quotas = list(dict.fromkeys(run["quotas"] for run in runs))
settings = results["settings"]
end_s = (settings["windowMs"] + settings["ttlMs"] + settings["tailMs"]) / 1000


def figure(run, what):
    reads, backend, factor = run["reads"], run["backend"], run["factor"]
    if what == "calls":
        return backend["calls"] * factor
    if what == "throttled":
        return backend["throttled"] * factor
    if what == "failed":
        return (reads["initFailed"] + reads["invokeFailed"]) * factor
    if what == "p99":
        return reads["initLatencyMs"]["p99"] / 1000
    if what == "invoke-p99":
        return reads["invokeLatencyMs"]["p99"] / 1000
    if what == "unserved":
        return reads["unservedSandboxes"] * factor
    raise ValueError(what)


panels = [
    ("calls", "backend calls"),
    ("throttled", "throttled calls"),
    ("failed", "failed reads (what functions see)"),
    ("p99", "INIT read latency p99 (s)"),
    ("invoke-p99", "invoke read latency p99 (s)"),
    ("unserved", f"sandboxes still missing a value when the run ends ({end_s:.0f} s)"),
]
fig, axes = plt.subplots(len(panels), 1, figsize=(11, 2.6 * len(panels)), sharex=True)
width = 0.8 / max(1, len(quotas))
colors = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd"]
for axis, (what, title) in zip(axes, panels):
    for q, quota in enumerate(quotas):
        values = []
        for strategy in strategies:
            match = [r for r in runs if r["strategy"] == strategy and r["quotas"] == quota]
            values.append(figure(match[0], what) if match else 0)
        positions = [i + (q - (len(quotas) - 1) / 2) * width for i in range(len(strategies))]
        axis.bar(positions, values, width, label=f"{quota} quotas", color=colors[q % len(colors)])
    axis.set_title(title, fontsize=10, loc="left")
    axis.grid(axis="y", alpha=0.3)
axes[0].legend(fontsize=8)
axes[-1].set_xticks(range(len(strategies)))
axes[-1].set_xticklabels(strategies, rotation=0, fontsize=9)
fig.suptitle(
    f"{settings['sandboxes']} sandboxes over {settings['windowMs'] / 1000:.0f} s, "
    f"{settings['parameters']} parameters + {settings['secrets']} secrets each "
    f"(model run at 1/{settings['factor']} scale)",
    fontsize=11,
)
fig.tight_layout()
fig.savefig(png_path, dpi=80)
