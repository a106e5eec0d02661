#!/usr/bin/env python3
"""Builds resources/example-workspace/ from the shared corpus (../shared/corpus), small enough to bundle.

Every run, every checkpoint, every run.json (metrics included), weights.safetensors and probe_labels.npy are kept.
Each checkpoint's activations go into one deflated `activations.npz` (one member per layer, in the run's layer
order), except conv1: the first conv layer is 60% of the corpus's bytes and compresses poorly, so it is left out
and run.json's "layers" and "layer_shapes" say so. Byte-for-byte reproducible (fixed zip timestamps).

    python3 resources/make-example-workspace.py [CORPUS] [OUT]
"""
import io
import json
import shutil
import sys
import zipfile
from pathlib import Path

import numpy as np

DROPPED = "conv1"
NOTE = (
    "example workspace: conv1 activations are left out to keep the bundle small (weights.safetensors still holds "
    "conv1.weight); the full run is in the shared corpus"
)


def write_npz(path: Path, arrays: dict) -> None:
    """np.savez_compressed, with a fixed timestamp so the bytes do not depend on when this ran."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, buffer.getvalue(), compresslevel=9)


def main() -> None:
    repo = Path(__file__).resolve().parent.parent
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else repo.parent / "shared" / "corpus"
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else repo / "resources" / "example-workspace"
    readme = (out / "README.md").read_text() if (out / "README.md").exists() else None
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    if readme is not None:
        (out / "README.md").write_text(readme)
    shutil.copyfile(corpus / "probe_labels.npy", out / "probe_labels.npy")
    for run_json in sorted(corpus.glob("*/run.json")):
        run_dir = run_json.parent
        meta = json.loads(run_json.read_text())
        layers = [layer for layer in meta["layers"] if layer != DROPPED]
        meta["layers"] = layers
        meta["layer_shapes"] = {k: v for k, v in meta.get("layer_shapes", {}).items() if k != DROPPED}
        meta["example_note"] = NOTE
        target = out / run_dir.name
        target.mkdir()
        (target / "run.json").write_text(json.dumps(meta, indent=1) + "\n")
        for checkpoint in sorted(run_dir.glob("step-*")):
            (target / checkpoint.name).mkdir()
            write_npz(target / checkpoint.name / "activations.npz", {layer: np.load(checkpoint / f"{layer}.npy") for layer in layers})
            shutil.copyfile(checkpoint / "weights.safetensors", target / checkpoint.name / "weights.safetensors")


if __name__ == "__main__":
    main()
