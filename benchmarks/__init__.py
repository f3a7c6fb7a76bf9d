"""The scale benchmark: one month of N evaluations through every pipeline stage, measured stage by stage.

`python -m benchmarks.run --n 10000 --seed 42 --out benchmarks/out` (see benchmarks/RESULTS.md).
Each stage runs in its own process so that its peak RSS is its own; the simulator runs in another.
"""
