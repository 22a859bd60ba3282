"""One transformer layer as the Hugging Face families arrange it: attention and a feed-forward
network (or a mixture of experts), each with its residual sum and its norms, in one of the
arrangements those families use (Vaswani et al. 2017 for the post-norm layer; Radford et al.
2019 for pre-norm; Black et al. 2022, GPT-NeoX, for the parallel layer; Gemma 2 for norms on
both sides of each block).

The parts are the layers of ``symparam.torch.llm`` (any norm layer will do), each derived on the
shape that reaches it and tagged in the equations: ``n1``.. the norms, ``sa`` the
self-attention, ``ca`` the attention over an encoder's output, ``mlp`` the feed-forward part.
"""

from __future__ import annotations

import sympy

from symparam.core import args
from symparam.core.errors import SymparamError, shorten
from symparam.core.shapes import format_shape, is_shape_list
from symparam.engine.equations import vector
from symparam.engine.layer import Layer
from symparam.torch._base import Assembly, Composite, same_size
from symparam.torch.llm import register

#: ``pre``: ``h = x + A(N1 x)``, ``y = h + F(N2 h)`` (GPT-2, Llama); ``post``:
#: ``h = N1(x + A x)``, ``y = N2(h + F h)`` (BERT, BART); ``parallel``:
#: ``y = x + A(N1 x) + F(N2 x)`` (GPT-NeoX); ``parallel_shared``: one norm for both (Phi,
#: Falcon-7B); ``sandwich``: ``h = x + N2(A(N1 x))``, ``y = h + N4(F(N3 h))`` (Gemma 2)
ARRANGEMENTS = ("pre", "post", "parallel", "parallel_shared", "sandwich")


@register
class TransformerLayer(Composite):
    """Self-attention, optionally attention over a memory (``cross_attention``, an encoder-
    decoder's decoder layer, derived on ``[(None, T, d), (None, S, m)]``), then ``mlp``; each
    with the norms ``arrangement`` puts around it (copies of ``norm``)."""

    def __init__(self, attention: Layer, mlp: Layer, norm: Layer, arrangement="pre",
                 cross_attention: Layer | None = None, **kwargs):
        super().__init__(**kwargs)
        for field, part in (("attention", attention), ("mlp", mlp), ("norm", norm)):
            if not isinstance(part, Layer):
                raise SymparamError(f"{args.where(self)}: {field} must be a layer, got "
                                    f"{shorten(part)}")
        self.attention, self.mlp, self.norm = attention, mlp, norm
        self.arrangement = self.as_choice("arrangement", arrangement, ARRANGEMENTS)
        if cross_attention is not None and self.arrangement not in ("pre", "post"):
            raise SymparamError(f"{args.where(self)}: cross-attention needs a pre or post "
                                "arrangement")
        self.cross_attention = cross_attention

    @property
    def width(self):
        return self.attention.hidden_size

    def sequences(self, input_shape) -> list:
        shapes = input_shape if is_shape_list(input_shape) else [input_shape]
        wanted = 1 if self.cross_attention is None else 2
        if len(shapes) != wanted or any(len(shape) != 3 for shape in shapes):
            raise SymparamError(f"{args.where(self)}: expects {wanted} input(s) of shape "
                                f"(None, T, d), got {format_shape(list(shapes))}")
        same_size(self, shapes[0][-1], self.width, "last axis")
        return shapes

    def compute_output_shape(self, input_shape):
        return self.sequences(input_shape)[0]

    def _sublayer(self, assembly, tags, x, shape, block):
        """``x`` plus ``block`` with the norms named ``tags`` around it, as arranged."""
        norm = lambda tag, value: assembly.apply(tag, self.norm, shape, value)  # noqa: E731
        if self.arrangement == "post":
            return norm(tags[0], x + block(x))
        if self.arrangement == "sandwich":
            return assembly.add(f"h_{tags[0][1:]}", x + norm(tags[1], block(norm(tags[0], x))))
        return assembly.add(f"h_{tags[0][1:]}", x + block(norm(tags[0], x)))

    def assemble(self, input_shape):
        shapes = self.sequences(input_shape)
        target, assembly = shapes[0], Assembly()
        x = vector("x" if len(shapes) == 1 else "x_1", self.width)
        attend = lambda z: assembly.apply("sa", self.attention, target, z)  # noqa: E731
        feed = lambda z: assembly.apply("mlp", self.mlp, target, z)  # noqa: E731
        if self.arrangement.startswith("parallel"):
            z = assembly.apply("n1", self.norm, target, x)
            w = z if self.arrangement == "parallel_shared" else \
                assembly.apply("n2", self.norm, target, x)
            assembly.add("y", x + attend(z) + feed(w))
            return assembly
        step = 2 if self.arrangement == "sandwich" else 1
        tags = iter([f"n{i}" for i in range(1, 7)])
        h = self._sublayer(assembly, [next(tags) for _ in range(step)], x, target, attend)
        if self.cross_attention is not None:
            memory = vector("x_2", shapes[1][-1])
            cross = lambda z: assembly.apply("ca", self.cross_attention, shapes, z,  # noqa
                                             memory)
            h = self._sublayer(assembly, [next(tags) for _ in range(step)], h, target, cross)
        y = self._sublayer(assembly, [next(tags) for _ in range(step)], h, target, feed)
        assembly.add("y", y)
        return assembly

    def input_layout(self):
        sequence = (None, sympy.Symbol("T"), self.width)
        if self.cross_attention is None:
            return sequence
        return [sequence, (None, sympy.Symbol("S"), self.width)]
