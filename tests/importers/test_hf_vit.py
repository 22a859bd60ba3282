"""``S.from_hf_config`` on Vision Transformers (``model_type: "vit"``): counts against
transformers' classes built on the meta device, MACs against ``FlopCounterMode`` on a forward
pass over one image, at the config's side and at another (``interpolate_pos_encoding``)."""

import hf_reference as ref
import pytest
import sympy

import symparam as S

ARCHITECTURES = ("ViTModel", "ViTForImageClassification", "ViTForMaskedImageModeling")
SMALL = dict(model_type="vit", hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
             intermediate_size=96, image_size=32, patch_size=8, num_channels=3,
             encoder_stride=8)
#: options the small config leaves at their defaults
VARIANTS = {
    "plain": {},
    "no-qkv-bias": dict(qkv_bias=False, hidden_act="gelu_new"),
    "rectangles": dict(image_size=[32, 48], patch_size=[8, 16], num_channels=1),
    "pooler": dict(pooler_output_size=40, pooler_act="relu", num_labels=7),
}
#: google/vit-base-patch16-224 (its config.json's count-relevant fields)
BASE = dict(model_type="vit", hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
            intermediate_size=3072, hidden_act="gelu", image_size=224, patch_size=16,
            num_channels=3, qkv_bias=True, encoder_stride=16)


def config(architecture: str, variant: str = "plain", **changes) -> dict:
    return {**SMALL, "architectures": [architecture], "num_labels": 5, **VARIANTS[variant],
            **changes}


@pytest.mark.parametrize("architecture, published", [("ViTModel", 86_389_248),
                                                     ("ViTForImageClassification",
                                                      86_567_656)])
def test_vit_base_counts(architecture, published):
    cfg = dict(BASE, architectures=[architecture], num_labels=1000)
    assert S.from_hf_config(cfg).summary().total == published == ref.count(cfg)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_counts_match_transformers(architecture, variant):
    cfg = config(architecture, variant)
    assert S.from_hf_config(cfg).summary().total == ref.count(cfg)


@pytest.mark.parametrize("variant", ["plain", "no-qkv-bias", "pooler"])
@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_macs_match_flop_counter_at_two_image_sizes(architecture, variant):
    """Exact: the patch convolution, every projection, QK^T and AV over all pairs of the
    ``(H/p)(W/p) + 1`` tokens, the head.  At 48 pixels transformers resamples the position
    table (bicubic, no MACs: FlopCounterMode counts none for it, nor does symparam)."""
    cfg = config(architecture, variant)
    assert S.from_hf_config(cfg).summary().macs == ref.image_macs(cfg, 32)
    assert S.from_hf_config(cfg, image_size=48).summary().macs == ref.image_macs(cfg, 48)


def test_rectangular_images_and_patches():
    cfg = config("ViTForImageClassification", "rectangles")
    summary = S.from_hf_config(cfg).summary()
    assert summary.rows[-1].output_shape == (None, 5)
    assert {row.name: row.output_shape for row in summary.rows}["layers"] == (None, 13, 64)
    assert summary.macs == ref.image_macs(cfg, 32, 48)


def test_full_size_macs_on_the_meta_device():
    cfg = dict(BASE, architectures=["ViTForImageClassification"], num_labels=1000)
    for side in (224, 384):
        ours = S.from_hf_config(cfg, image_size=side).summary().macs
        assert ours == ref.image_macs(cfg, side, device="meta")


def test_the_image_side_as_a_symbol():
    """``image_size="S"``: the MACs are a formula in ``floor(S/16)``, the count does not
    depend on it (the position table keeps the config's 197 rows)."""
    cfg = dict(BASE, architectures=["ViTModel"])
    summary = S.from_hf_config(cfg, image_size="S").summary()
    side = S.dim("S")
    assert summary.total == 86_389_248
    assert summary.macs.free_symbols == {side}
    assert summary.subs(S=224).macs == S.from_hf_config(cfg).summary().macs
    n = sympy.Symbol("n")  # tokens: floor(S/16)**2 patches and the class token
    macs = summary.macs.xreplace({sympy.floor(side / 16): sympy.sqrt(n - 1)})
    # QK^T and AV: 2 * 12 layers * 768 per pair of tokens
    assert sympy.Poly(sympy.expand(macs), n).coeff_monomial(n**2) == 2 * 12 * 768


def test_symbolic_fields_give_a_formula_transformers_confirms():
    fields = dict(hidden_size="d", num_hidden_layers="L", intermediate_size="f")
    summary = S.from_hf_config(config("ViTModel"), symbolic=fields).summary()
    cfg = config("ViTModel", hidden_size=32, num_hidden_layers=3, intermediate_size=40)
    assert summary.subs(d=32, L=3, f=40).total == ref.count(cfg)
    assert summary.subs(d=32, L=3, f=40).macs == ref.image_macs(cfg, 32)


def test_without_architectures_the_bare_model_is_built():
    bare = {k: v for k, v in config("ViTModel").items() if k != "architectures"}
    assert S.from_hf_config(bare).summary().total == ref.count(config("ViTModel"))


@pytest.mark.parametrize("cfg, kwargs, message", [
    (config("ViTModel"), dict(seq_len=16), "image_size"),
    (dict(model_type="gpt2"), dict(image_size=224), "image_size is for image models"),
    (config("ViTModel"), dict(image_size=(1, 2, 3)), "image_size"),
    (config("ViTModel"), dict(image_size=-4), "image_size"),
    (config("ViTModel"), dict(decode=True), "decode"),
    (config("ViTModel"), dict(target_len=9), "no target_len"),
    (config("ViTForCausalLM"), {}, "image model"),
    (config("ViTForSequenceClassification"), {}, "image model"),
    (config("ViTModel", patch_size=[8, 8, 8]), {}, "patch_size"),
    (config("ViTModel", image_size="224"), {}, "image_size"),
    (config("ViTModel", qkv_bias="yes"), {}, "qkv_bias"),
    (config("ViTModel", pooler_act="__import__('os')"), {}, "pooler_act"),
    (config("ViTModel", hidden_size=62), {}, "not divisible"),
    (dict(model_type="gpt2", architectures=["GPT2ForImageClassification"]), {}, "head"),
])
def test_bad_inputs_are_one_clear_error(cfg, kwargs, message):
    with pytest.raises(S.SymparamError, match=message):
        S.from_hf_config(cfg, **kwargs)


BAD_VALUES = [None, -1, 0, "x", [], {}, 1.5, True, 10**20, [3], [3, "x"]]


def test_any_bad_field_is_one_symparam_error():
    from symparam.importers.hf.defaults import DEFAULTS
    for architecture in ARCHITECTURES:
        base = config(architecture)
        for field in sorted(set(base) | set(DEFAULTS["vit"]) | {"pooler_output_size"}):
            for value in BAD_VALUES:
                try:
                    S.from_hf_config({**base, field: value}).summary().memory()
                except S.SymparamError:
                    pass


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_reconcile_agrees_with_save_pretrained(tmp_path, capsys, architecture):
    """Every tensor of a checkpoint transformers saves has the size of the weight symparam
    names after it (``symparam.importers.hf.names``)."""
    from symparam.cli import main
    ref.build(config(architecture, "rectangles"), device="cpu").save_pretrained(tmp_path)
    assert main(["hf", str(tmp_path), "--reconcile"]) == 0
    assert "every tensor matches" in capsys.readouterr().out


@pytest.mark.parametrize("option, height, width", [("48", 48, 48), ("32,48", 32, 48)])
def test_cli_image_size_gives_the_counters_macs(tmp_path, capsys, option, height, width):
    import json

    from symparam.cli import main
    cfg = config("ViTForImageClassification")
    path = tmp_path / "config.json"
    path.write_text(json.dumps(cfg))
    assert main(["hf", str(path), "--image-size", option, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["macs"] == ref.image_macs(cfg, height, width)
    assert data["total"] == ref.count(cfg)


def test_cli_image_size_as_a_symbol_evaluates_with_set(tmp_path, capsys):
    import json

    from symparam.cli import main
    cfg = config("ViTModel")
    path = tmp_path / "config.json"
    path.write_text(json.dumps(cfg))
    assert main(["hf", str(path), "--image-size", "S", "--set", "S=40", "--format",
                 "json"]) == 0
    assert json.loads(capsys.readouterr().out)["macs"] == ref.image_macs(cfg, 40)
