"""``S.from_safetensors`` (headers only) and ``symparam hf MODEL_DIR --reconcile``, on
checkpoints written by the ``safetensors`` package and by transformers' ``save_pretrained``."""

import json
import struct

import hf_reference as ref
import pytest
import safetensors.torch as safetensors_torch
import torch
from hf_configs import config

import symparam as S
from symparam.cli import main


def _saved(tmp_path, family, head=None, **save):
    cfg = config(family, head)
    model = ref.build(cfg, device="cpu")
    model.save_pretrained(tmp_path, **save)
    return model, cfg


def test_counts_per_tensor(tmp_path):
    path = tmp_path / "w.safetensors"
    safetensors_torch.save_file({"a": torch.zeros(3, 4), "b": torch.zeros(7, dtype=torch.int8),
                                 "c": torch.zeros(2, 3, 5, dtype=torch.bfloat16)}, str(path),
                                metadata={"format": "pt"})
    checkpoint = S.from_safetensors(path)
    assert {name: t.numel for name, t in checkpoint.tensors.items()} == {"a": 12, "b": 7,
                                                                         "c": 30}
    assert checkpoint.tensors["c"].dtype == "BF16" and checkpoint.total == 49


def test_shards_named_by_an_index(tmp_path):
    model, _ = _saved(tmp_path, "llama", max_shard_size="40KB")
    assert (tmp_path / "model.safetensors.index.json").exists()
    checkpoint = S.from_safetensors(tmp_path)
    assert len(checkpoint.files) > 1
    assert checkpoint.total == sum(p.numel() for p in model.parameters())


def _header_file(path, header: bytes, length=None, data=b""):
    path.write_bytes(struct.pack("<Q", len(header) if length is None else length) + header +
                     data)
    return path


@pytest.mark.parametrize("header,length,data,message", [
    (b"{}", 100 * 2**30, b"", "claims"),               # a header claiming 100 GB
    (b"{}", 50, b"", "claims"),                        # longer than the file
    (b"{not json", None, b"", "not valid JSON"),
    (b"[1, 2]", None, b"", "must be an object"),
    (json.dumps({"t": {"dtype": "F99", "shape": [2], "data_offsets": [0, 8]}}).encode(),
     None, b"\0" * 8, "dtype"),
    (json.dumps({"t": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}).encode(),
     None, b"\0" * 8, "shape"),
    (json.dumps({"t": {"dtype": "F32", "shape": [10**9, 10**9],
                       "data_offsets": [0, 8]}}).encode(), None, b"\0" * 8, "data_offsets"),
    (json.dumps({"t": {"dtype": "F32", "shape": [4],
                       "data_offsets": [0, 16]}}).encode(), None, b"\0" * 8, "data_offsets"),
])
def test_hostile_headers(tmp_path, header, length, data, message):
    path = _header_file(tmp_path / "x.safetensors", header, length, data)
    with pytest.raises(S.SymparamError, match=message):
        S.from_safetensors(path)


def test_hostile_indexes(tmp_path):
    index = tmp_path / "model.safetensors.index.json"
    index.write_text(json.dumps({"weight_map": {"a": "../../etc/passwd.safetensors"}}))
    with pytest.raises(S.SymparamError, match="shard files beside it"):
        S.from_safetensors(tmp_path)
    index.write_text(json.dumps({"weight_map": {"a": "missing.safetensors"}}))
    with pytest.raises(S.SymparamError, match="cannot read"):
        S.from_safetensors(tmp_path)
    safetensors_torch.save_file({"b": torch.zeros(2)}, str(tmp_path / "s.safetensors"))
    index.write_text(json.dumps({"weight_map": {"a": "s.safetensors"}}))
    with pytest.raises(S.SymparamError, match="not mapped"):
        S.from_safetensors(tmp_path)


@pytest.mark.parametrize("family,head", [
    ("llama", None), ("mistral", None), ("mixtral", None), ("qwen2", None), ("qwen3", None),
    ("gemma", None), ("gemma2", None), ("phi3", None), ("gpt2", None), ("gpt_neox", None),
    ("opt", None), ("opt-post", None), ("falcon", None), ("falcon-new", None),
    ("falcon-serial", None), ("phi", None), ("bert", None), ("roberta", None),
    ("distilbert", None), ("t5", None), ("bart", None), ("bert", "Model"),
    ("roberta", "ForSequenceClassification"), ("distilbert", "ForSequenceClassification"),
    ("llama", "ForSequenceClassification"), ("t5", "Model"), ("llama", "ForQuestionAnswering"),
    ("phi", "ForTokenClassification"), ("bert", "ForTokenClassification"),
    ("t5", "ForSequenceClassification"), ("t5", "ForTokenClassification"),
    ("t5", "EncoderModel"), ("t5", "ForQuestionAnswering"), ("bart", "ForSequenceClassification"),
    ("bart", "ForQuestionAnswering")])
def test_reconcile_agrees_with_save_pretrained(tmp_path, capsys, family, head):
    _saved(tmp_path, family, head)
    assert main(["hf", str(tmp_path), "--reconcile"]) == 0
    assert "every tensor matches" in capsys.readouterr().out


def test_reconcile_a_stack_split_by_sliding_windows(tmp_path, capsys):
    cfg = config("gemma2", sliding_window=4, num_hidden_layers=3)
    ref.build(cfg, device="cpu").save_pretrained(tmp_path)
    assert main(["hf", str(tmp_path), "--reconcile"]) == 0
    assert "every tensor matches" in capsys.readouterr().out


def test_reconcile_lists_every_differing_tensor(tmp_path, capsys):
    _saved(tmp_path, "llama")
    data = json.loads((tmp_path / "config.json").read_text())
    data["intermediate_size"] = 100
    (tmp_path / "config.json").write_text(json.dumps(data))
    assert main(["hf", str(tmp_path), "--reconcile", "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    differing = sorted(t["name"] for t in report["tensors"] if t["status"] == "differs")
    # the small llama has MLP biases: the gate and up biases grow too, the down one does not
    assert differing == sorted([f"layers.{i}.mlp.{m}_proj.weight" for i in range(2)
                                for m in ("gate", "up", "down")] +
                               [f"layers.{i}.mlp.{m}_proj.bias" for i in range(2)
                                for m in ("gate", "up")])


def test_reconcile_flags_an_unknown_tensor_and_accepts_a_tied_copy(tmp_path, capsys):
    model, _ = _saved(tmp_path, "gpt2")
    # a checkpoint that stores the tied head as well (copies: safetensors refuses shared ones)
    tensors = {k: v.clone().contiguous() for k, v in model.state_dict().items()}
    tensors["extra.weight"] = torch.zeros(3)
    safetensors_torch.save_file(tensors, str(tmp_path / "model.safetensors"))
    assert main(["hf", str(tmp_path), "--reconcile"]) == 1
    out = capsys.readouterr().out
    assert "extra.weight" in out and "unexpected" in out
    assert "lm_head.weight" in out and "tied" in out


def test_reconcile_needs_a_folder_with_a_checkpoint(tmp_path, capsys):
    (tmp_path / "config.json").write_text(json.dumps(config("falcon")))
    assert main(["hf", str(tmp_path / "config.json"), "--reconcile"]) == 2
    assert main(["hf", str(tmp_path), "--reconcile"]) == 2  # no safetensors file
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "model folder" in err and "model.safetensors" in err
