"""Every ``keras.applications`` builder and the variants users open first, for ``zoo_keras.py``.

Each entry is a name and a zero-argument function that builds the model with ``weights=None``
(nothing is downloaded).  Variants: with the classifier (``top``), without it (``notop``, the
spatial size then unknown unless the builder fixes it), without it and pooled (``avg``, ``max``),
without the preprocessing layers the builder puts in front (``noprep``) and the width or
architecture options (``alpha``, ``depth_multiplier``, ``minimalistic``, ``classes``).
"""

from __future__ import annotations

import functools

#: builders whose models start with their own preprocessing (``include_preprocessing``)
PREPROCESSING = ("ConvNeXt", "EfficientNetV2", "MobileNetV3")
#: builders that need a fixed input size even without the classifier
FIXED_INPUT = {"NASNetLarge": (331, 331, 3), "NASNetMobile": (224, 224, 3)}
#: a few builders also read with max pooling and a 10-class head at a small input size
SMALL = ("MobileNet", "MobileNetV2", "MobileNetV3Small", "EfficientNetB0", "ResNet50",
         "DenseNet121", "EfficientNetV2B0", "ConvNeXtTiny")


def builder_names(keras) -> list[str]:
    """The model builders ``keras.applications`` exports (its modules are lower case)."""
    return sorted(name for name in dir(keras.applications)
                  if name[:1].isupper() and callable(getattr(keras.applications, name)))


def _build(keras, builder: str, **options):
    return getattr(keras.applications, builder)(weights=None, **options)


def applications(keras) -> dict:
    """``{variant name: builder}`` for every application and its variants."""
    found = {}
    for builder in builder_names(keras):
        def add(suffix, **options):
            name = f"{builder}{'/' + suffix if suffix else ''}"
            found[name] = functools.partial(_build, keras, builder, **options)

        fixed = {"input_shape": FIXED_INPUT[builder]} if builder in FIXED_INPUT else {}
        add("")
        add("notop", include_top=False, **fixed)
        add("notop-avg", include_top=False, pooling="avg", **fixed)
        if builder.startswith(PREPROCESSING):
            add("noprep", include_preprocessing=False)
            add("notop-noprep", include_top=False, include_preprocessing=False)
        if builder in SMALL:
            add("notop-max-96", include_top=False, pooling="max", input_shape=(96, 96, 3))
            add("classes10-96", classes=10, input_shape=(96, 96, 3))
    _width_variants(keras, add_to=found)
    return found


def _width_variants(keras, add_to: dict) -> None:
    """The width and architecture options of the MobileNets."""
    options = {
        "MobileNet/alpha0.25": ("MobileNet", dict(alpha=0.25, input_shape=(128, 128, 3))),
        "MobileNet/alpha0.5-depth2": ("MobileNet", dict(alpha=0.5, depth_multiplier=2,
                                                        input_shape=(160, 160, 3))),
        "MobileNetV2/alpha0.35": ("MobileNetV2", dict(alpha=0.35, input_shape=(96, 96, 3))),
        "MobileNetV2/alpha1.4": ("MobileNetV2", dict(alpha=1.4)),
        "MobileNetV3Small/alpha0.75": ("MobileNetV3Small", dict(alpha=0.75)),
        "MobileNetV3Small/minimalistic": ("MobileNetV3Small", dict(minimalistic=True)),
        "MobileNetV3Large/minimalistic-noprep": ("MobileNetV3Large", dict(
            minimalistic=True, include_preprocessing=False)),
        "MobileNetV3Large/alpha0.75-notop": ("MobileNetV3Large", dict(
            alpha=0.75, include_top=False, pooling="avg")),
    }
    for name, (builder, kwargs) in options.items():
        add_to[name] = functools.partial(_build, keras, builder, **kwargs)
