"""``python -m chatgraph.simulate --output sample_exports/``: regenerate the sample exports."""

from __future__ import annotations

import argparse
import sys

from chatgraph.simulate.samples import SEED, write_samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m chatgraph.simulate",
        description="Write the simulated sample exports (deterministic for a given seed).",
        epilog="Example: python -m chatgraph.simulate --output sample_exports/",
    )
    parser.add_argument(
        "--output", default="sample_exports", help="folder to write (default: %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=SEED, help="random seed (default: %(default)s)")
    args = parser.parse_args(argv)
    paths = write_samples(args.output, args.seed)
    total = 0
    for path in paths:
        size = path.stat().st_size
        total += size
        print(f"{path}  {size / 1024:,.0f} KiB")
    print(f"{len(paths)} files, {total / 1024 / 1024:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
