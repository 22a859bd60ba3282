"""Hugging Face configs: symparam against transformers building the model on the meta device.

    python bench/bench_hf.py            # about a minute on 2 cores
    python bench/bench_hf.py --repeats 3

Prints, for each config, symparam's ``from_hf_config(config).summary()`` with MACs in a warm
process (and with no derivation cached) beside transformers' meta-device build, first in a
fresh process after the imports and then warm; and the first answer in a fresh interpreter
against ``import sympy`` alone (the issue's target: within 1.3x).  Every measurement runs in a
child process; medians.  Needs transformers (imported through ``tests/torch_libraries.py``, as
in the tests: it makes the torchvision beside torch 2.13 importable).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from hf_configs import PUBLISHED  # noqa: E402

#: google/vit-base-patch16-224's count-relevant fields (an image model: no sequence length)
VIT_B16 = dict(model_type="vit", architectures=["ViTForImageClassification"], hidden_size=768,
               num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072,
               image_size=224, patch_size=16, num_channels=3, qkv_bias=True, num_labels=1000)
CONFIGS = {**{name: PUBLISHED[name][0] for name in ("GPT-2", "Llama-3-8B", "Mixtral-8x7B",
                                                    "T5-small")},
           "ViT-B/16": VIT_B16}

SYMPARAM = """
import gc, json, statistics, sys, time
import symparam as S
from symparam.engine.cache import DERIVATIONS
cfg = json.loads(sys.argv[1])
def timed(f, n):
    times = []
    for _ in range(n):
        gc.disable(); t = time.perf_counter(); f(); times.append(time.perf_counter() - t)
        gc.enable()
    return statistics.median(times)
start = time.perf_counter(); S.from_hf_config(cfg).summary().macs
first = time.perf_counter() - start
warm = timed(lambda: S.from_hf_config(cfg).summary().macs, 21)
def cold():
    DERIVATIONS.clear(); S.from_hf_config(cfg).summary().macs
print(json.dumps(dict(first=first, warm=warm, cold=timed(cold, 7))))
"""

TRANSFORMERS = """
import json, statistics, sys, time
sys.path.insert(0, "tests")
import torch
from torch_libraries import library
transformers = library("transformers")
cfg = json.loads(sys.argv[1])
arch = cfg.pop("architectures")[0]
def build():
    config = transformers.AutoConfig.for_model(cfg["model_type"], **{k: v for k, v in
                                                                    cfg.items() if k != "model_type"})
    with torch.device("meta"):
        model = getattr(transformers, arch)(config)
    return sum(p.numel() for p in model.parameters())
start = time.perf_counter(); build(); first = time.perf_counter() - start
times = []
for _ in range(5):
    t = time.perf_counter(); build(); times.append(time.perf_counter() - t)
print(json.dumps(dict(first=first, warm=statistics.median(times))))
"""


#: children keep compiled bytecode (in a temporary folder, not the checkout), as an installed
#: package does: with PYTHONDONTWRITEBYTECODE set every import would compile its source again
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
       "PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir()) / "symparam-bench-pycache")}


def child(code: str, *args) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         cwd=ROOT, check=True, env=ENV).stdout
    return json.loads(out.strip().splitlines()[-1])


def whole_process(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True,
                   env=ENV)
    return time.perf_counter() - start


def fresh_answers(repeats: int) -> tuple[float, float]:
    """Median seconds of ``import sympy`` and of a first answer, alternating."""
    config = json.dumps(PUBLISHED["Llama-3-8B"][0])
    answer = f"import json, symparam as S; S.from_hf_config(json.loads({config!r})).summary().macs"
    sympy_times, answer_times = [], []
    whole_process(answer)  # compiles the bytecode once
    for _ in range(repeats):
        sympy_times.append(whole_process("import sympy"))
        answer_times.append(whole_process(answer))
    return statistics.median(sympy_times), statistics.median(answer_times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5, help="fresh processes per side")
    options = parser.parse_args(argv)
    print(f"{'config':14s} {'symparam warm':>14s} {'no cache':>10s} {'first':>9s} "
          f"{'transformers first':>19s} {'warm':>9s}")
    for name, config in CONFIGS.items():
        config = json.dumps(config)
        ours, theirs = child(SYMPARAM, config), child(TRANSFORMERS, config)
        print(f"{name:14s} {ours['warm'] * 1e3:11.2f} ms {ours['cold'] * 1e3:7.1f} ms "
              f"{ours['first'] * 1e3:6.1f} ms {theirs['first'] * 1e3:16.0f} ms "
              f"{theirs['warm'] * 1e3:6.1f} ms")
    sympy_alone, answer = fresh_answers(options.repeats)
    print(f"fresh process: import sympy {sympy_alone:.2f} s, first answer {answer:.2f} s "
          f"(x{answer / sympy_alone:.2f}; target x1.3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
