"""Functional and sequential models in the style of the keras.io examples, for ``zoo_keras.py``.

Each function takes the ``keras`` module and returns a model built the way the example builds it
(layers, tensor operations, call keyword arguments), small enough to build in a second.  Models
that rely on a custom layer are rewritten with Keras layers and ``keras.ops``.  Layers Keras only
builds with TensorFlow installed (``TextVectorization``, ``StringLookup``, ``IntegerLookup``,
``Hashing``) cannot be built here; ``tests/test_keras_preprocessing.py`` checks their shapes
against Keras's own shape code instead.
"""

from __future__ import annotations

EXAMPLES: dict = {}


def example(func):
    """Register a builder under its function name."""
    EXAMPLES[func.__name__] = func
    return func


@example
def mnist_convnet(keras):
    L = keras.layers
    return keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(32, 3, activation="relu"),
                             L.MaxPooling2D(2), L.Conv2D(64, 3, activation="relu"),
                             L.MaxPooling2D(2), L.Flatten(), L.Dropout(0.5),
                             L.Dense(10, activation="softmax")])


@example
def mnist_mlp(keras):
    L = keras.layers
    return keras.Sequential([keras.Input((784,)), L.Dense(512, activation="relu"),
                             L.Dropout(0.2), L.Dense(512, activation="relu"), L.Dense(10)])


def _seq2seq(keras, rnn, states):
    L = keras.layers
    enc_in, dec_in = keras.Input((None, 71)), keras.Input((None, 93))
    outputs = rnn(256, return_state=True)(enc_in)
    dec = rnn(256, return_sequences=True, return_state=True)(
        dec_in, initial_state=list(outputs[1:1 + states]))[0]
    return keras.Model([enc_in, dec_in], L.Dense(93, activation="softmax")(dec))


@example
def seq2seq_lstm(keras):
    """The Keras blog's character-level translation model (training model)."""
    return _seq2seq(keras, keras.layers.LSTM, 2)


@example
def seq2seq_gru(keras):
    return _seq2seq(keras, keras.layers.GRU, 1)


@example
def seq2seq_simple_rnn(keras):
    return _seq2seq(keras, keras.layers.SimpleRNN, 1)


@example
def seq2seq_inference_decoder(keras):
    L = keras.layers
    dec_in, h, c = keras.Input((None, 93)), keras.Input((256,)), keras.Input((256,))
    out, h2, c2 = L.LSTM(256, return_sequences=True, return_state=True)(
        dec_in, initial_state=[h, c])
    return keras.Model([dec_in, h, c], [L.Dense(93, activation="softmax")(out), h2, c2])


@example
def imdb_bidirectional_lstm(keras):
    L = keras.layers
    inputs = keras.Input((None,), dtype="int32")
    x = L.Embedding(20000, 128)(inputs)
    x = L.Bidirectional(L.LSTM(64, return_sequences=True))(x)
    x = L.Bidirectional(L.LSTM(64))(x)
    return keras.Model(inputs, L.Dense(1, activation="sigmoid")(x))


@example
def text_cnn(keras):
    L = keras.layers
    inputs = keras.Input((None,), dtype="int64")
    x = L.Embedding(20000, 128)(inputs)
    x = L.Dropout(0.5)(x)
    x = L.Conv1D(128, 7, padding="valid", activation="relu", strides=3)(x)
    x = L.Conv1D(128, 7, padding="valid", activation="relu", strides=3)(x)
    x = L.GlobalMaxPooling1D()(x)
    x = L.Dense(128, activation="relu")(x)
    return keras.Model(inputs, L.Dense(1, activation="sigmoid", name="predictions")(x))


def _transformer_block(keras, x, heads, dim, ff, mask=None, causal=False):
    L = keras.layers
    att = L.MultiHeadAttention(num_heads=heads, key_dim=dim)(
        x, x, attention_mask=mask, use_causal_mask=causal)
    x = L.LayerNormalization(epsilon=1e-6)(x + L.Dropout(0.1)(att))
    y = L.Dense(ff, activation="relu")(x)
    y = L.Dense(x.shape[-1])(y)
    return L.LayerNormalization(epsilon=1e-6)(L.Add()([x, y]))


@example
def text_transformer(keras):
    """Text classification with a transformer; positions from ``ops.arange``."""
    L, ops = keras.layers, keras.ops
    inputs = keras.Input((200,), dtype="int32")
    tokens = L.Embedding(20000, 32)(inputs)
    positions = L.Embedding(200, 32)(ops.arange(0, 200, 1))
    x = _transformer_block(keras, tokens + positions, 2, 32, 32)
    x = L.GlobalAveragePooling1D()(x)
    x = L.Dense(20, activation="relu")(L.Dropout(0.1)(x))
    return keras.Model(inputs, L.Dense(2, activation="softmax")(x))


@example
def transformer_decoder_causal(keras):
    L = keras.layers
    inputs = keras.Input((64,), dtype="int32")
    x = L.Embedding(5000, 64)(inputs)
    x = _transformer_block(keras, x, 4, 16, 128, causal=True)
    return keras.Model(inputs, L.Dense(5000)(x))


@example
def attention_with_mask(keras):
    L = keras.layers
    inputs = keras.Input((32, 16))
    mask = keras.Input((32, 32), dtype="bool")
    x = _transformer_block(keras, inputs, 2, 8, 32, mask=mask)
    return keras.Model([inputs, mask], L.GlobalAveragePooling1D()(x))


@example
def luong_attention_seq2seq(keras):
    L = keras.layers
    enc_in, dec_in = keras.Input((None,), dtype="int32"), keras.Input((None,), dtype="int32")
    enc, h, c = L.LSTM(64, return_sequences=True, return_state=True)(L.Embedding(1000, 32)(enc_in))
    dec = L.LSTM(64, return_sequences=True)(L.Embedding(1200, 32)(dec_in), initial_state=[h, c])
    context = L.Attention()([dec, enc])
    x = L.Concatenate()([context, dec])
    return keras.Model([enc_in, dec_in], L.Dense(1200, activation="softmax")(x))


@example
def additive_attention_qa(keras):
    L = keras.layers
    q, v = keras.Input((None,), dtype="int32"), keras.Input((None,), dtype="int32")
    emb = L.Embedding(1000, 64)
    cnn = L.Conv1D(100, 4, padding="same")
    qe, ve = cnn(emb(q)), cnn(emb(v))
    att = L.AdditiveAttention()([qe, ve])
    x = L.Concatenate()([L.GlobalAveragePooling1D()(qe), L.GlobalAveragePooling1D()(att)])
    return keras.Model([q, v], L.Dense(1)(x))


@example
def siamese_distance(keras):
    """Siamese network: one shared embedding model, the distance from ``keras.ops``."""
    L, ops = keras.layers, keras.ops
    base = keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(16, 3, activation="relu"),
                             L.MaxPooling2D(), L.Flatten(), L.Dense(64)], name="embedding")
    a, b = keras.Input((28, 28, 1)), keras.Input((28, 28, 1))
    ea, eb = base(a), base(b)
    squared = ops.sum(ops.square(ea - eb), axis=1, keepdims=True)
    distance = ops.sqrt(ops.maximum(squared, 1e-7))
    x = L.BatchNormalization()(distance)
    return keras.Model([a, b], L.Dense(1, activation="sigmoid")(x))


@example
def siamese_triplet(keras):
    L = keras.layers
    base = keras.Sequential([keras.Input((64,)), L.Dense(32, activation="relu"), L.Dense(16)])
    anchor, pos, neg = (keras.Input((64,)) for _ in range(3))
    a, p, n = base(anchor), base(pos), base(neg)
    ap = keras.ops.sum(keras.ops.square(a - p), -1)
    an = keras.ops.sum(keras.ops.square(a - n), -1)
    return keras.Model([anchor, pos, neg], [ap, an])


@example
def conv_autoencoder(keras):
    L = keras.layers
    inputs = keras.Input((28, 28, 1))
    x = L.Conv2D(32, 3, activation="relu", padding="same")(inputs)
    x = L.MaxPooling2D(2, padding="same")(x)
    x = L.Conv2D(32, 3, activation="relu", padding="same")(x)
    x = L.MaxPooling2D(2, padding="same")(x)
    x = L.Conv2DTranspose(32, 3, strides=2, activation="relu", padding="same")(x)
    x = L.Conv2DTranspose(32, 3, strides=2, activation="relu", padding="same")(x)
    return keras.Model(inputs, L.Conv2D(1, 3, activation="sigmoid", padding="same")(x))


@example
def dense_autoencoder(keras):
    L = keras.layers
    encoder = keras.Sequential([keras.Input((784,)), L.Dense(128, activation="relu"),
                                L.Dense(32, activation="relu")], name="encoder")
    decoder = keras.Sequential([keras.Input((32,)), L.Dense(128, activation="relu"),
                                L.Dense(784, activation="sigmoid")], name="decoder")
    inputs = keras.Input((784,))
    return keras.Model(inputs, decoder(encoder(inputs)))


@example
def vae_encoder(keras):
    L = keras.layers
    inputs = keras.Input((28, 28, 1))
    x = L.Conv2D(32, 3, activation="relu", strides=2, padding="same")(inputs)
    x = L.Conv2D(64, 3, activation="relu", strides=2, padding="same")(x)
    x = L.Dense(16, activation="relu")(L.Flatten()(x))
    mean, log_var = L.Dense(2, name="z_mean")(x), L.Dense(2, name="z_log_var")(x)
    z = mean + keras.ops.exp(0.5 * log_var)
    return keras.Model(inputs, [mean, log_var, z])


@example
def vae_decoder(keras):
    L = keras.layers
    latent = keras.Input((2,))
    x = L.Dense(7 * 7 * 64, activation="relu")(latent)
    x = L.Reshape((7, 7, 64))(x)
    x = L.Conv2DTranspose(64, 3, activation="relu", strides=2, padding="same")(x)
    x = L.Conv2DTranspose(32, 3, activation="relu", strides=2, padding="same")(x)
    return keras.Model(latent, L.Conv2DTranspose(1, 3, activation="sigmoid", padding="same")(x))


@example
def image_classification_augmented(keras):
    """Image classification from scratch: augmentation and rescaling inside the model."""
    L = keras.layers
    inputs = keras.Input((180, 180, 3))
    x = L.RandomFlip("horizontal")(inputs)
    x = L.RandomRotation(0.1)(x)
    x = L.Rescaling(1.0 / 255)(x)
    x = L.Conv2D(128, 3, strides=2, padding="same")(x)
    x = L.Activation("relu")(L.BatchNormalization()(x))
    previous = x
    for size in (256, 512):
        x = L.Activation("relu")(x)
        x = L.SeparableConv2D(size, 3, padding="same")(x)
        x = L.BatchNormalization()(x)
        x = L.MaxPooling2D(3, strides=2, padding="same")(x)
        residual = L.Conv2D(size, 1, strides=2, padding="same")(previous)
        x = L.add([x, residual])
        previous = x
    x = L.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, L.Dense(1)(L.Dropout(0.25)(x)))


@example
def augmentation_sequential(keras):
    L = keras.layers
    augment = keras.Sequential([L.RandomFlip("horizontal_and_vertical"), L.RandomRotation(0.2),
                                L.RandomZoom(0.1), L.RandomTranslation(0.1, 0.1),
                                L.RandomContrast(0.2)], name="augment")
    inputs = keras.Input((64, 64, 3))
    x = L.Resizing(48, 48)(augment(inputs))
    x = L.CenterCrop(40, 40)(x)
    x = L.Rescaling(1.0 / 127.5, offset=-1)(x)
    x = L.Conv2D(8, 3)(x)
    return keras.Model(inputs, L.Dense(3)(L.GlobalAveragePooling2D()(x)))


@example
def normalization_mlp(keras):
    L = keras.layers
    inputs = keras.Input((13,))
    x = L.Normalization()(inputs)
    x = L.Dense(64, activation="relu")(x)
    return keras.Model(inputs, L.Dense(1)(x))


@example
def structured_data_encoding(keras):
    L = keras.layers
    numeric, category, bucket = keras.Input((1,)), keras.Input((1,), dtype="int32"), \
        keras.Input((1,))
    a = L.Normalization(mean=3.0, variance=2.0)(numeric)
    b = L.CategoryEncoding(num_tokens=8, output_mode="one_hot")(category)
    c = L.Discretization(bin_boundaries=[0.0, 1.0, 2.0])(bucket)
    c = L.CategoryEncoding(num_tokens=4, output_mode="multi_hot")(c)
    x = L.concatenate([a, b, c])
    x = L.Dropout(0.5)(L.Dense(32, activation="relu")(x))
    return keras.Model([numeric, category, bucket], L.Dense(1, activation="sigmoid")(x))


@example
def ddpg_actor(keras):
    """DDPG actor: the tanh output scaled to the action bound by a constant."""
    L = keras.layers
    inputs = keras.Input((3,))
    x = L.Dense(256, activation="relu")(inputs)
    x = L.Dense(256, activation="relu")(x)
    outputs = L.Dense(1, activation="tanh")(x)
    return keras.Model(inputs, outputs * 2.0)


@example
def ddpg_critic(keras):
    L = keras.layers
    state, action = keras.Input((3,)), keras.Input((1,))
    s = L.Dense(32, activation="relu")(L.Dense(16, activation="relu")(state))
    a = L.Dense(32, activation="relu")(action)
    x = L.Dense(256, activation="relu")(L.Concatenate()([s, a]))
    x = L.Dense(256, activation="relu")(x)
    return keras.Model([state, action], L.Dense(1)(x))


@example
def actor_critic(keras):
    L = keras.layers
    inputs = keras.Input((4,))
    common = L.Dense(128, activation="relu")(inputs)
    return keras.Model(inputs, [L.Dense(2, activation="softmax")(common), L.Dense(1)(common)])


@example
def deep_q_network(keras):
    L = keras.layers
    inputs = keras.Input((84, 84, 4))
    x = L.Conv2D(32, 8, strides=4, activation="relu")(inputs)
    x = L.Conv2D(64, 4, strides=2, activation="relu")(x)
    x = L.Conv2D(64, 3, strides=1, activation="relu")(x)
    x = L.Dense(512, activation="relu")(L.Flatten()(x))
    return keras.Model(inputs, L.Dense(4, activation="linear")(x))


@example
def unet_xception_segmentation(keras):
    """Oxford pets segmentation: Xception-style encoder, up-sampling decoder."""
    L = keras.layers
    inputs = keras.Input((160, 160, 3))
    x = L.Activation("relu")(L.BatchNormalization()(L.Conv2D(32, 3, strides=2,
                                                                 padding="same")(inputs)))
    previous = x
    for filters in (64, 128):
        x = L.SeparableConv2D(filters, 3, padding="same")(L.Activation("relu")(x))
        x = L.BatchNormalization()(x)
        x = L.MaxPooling2D(3, strides=2, padding="same")(x)
        x = L.add([x, L.Conv2D(filters, 1, strides=2, padding="same")(previous)])
        previous = x
    for filters in (128, 64, 32):
        x = L.Conv2DTranspose(filters, 3, padding="same")(L.Activation("relu")(x))
        x = L.BatchNormalization()(x)
        x = L.UpSampling2D(2)(x)
        residual = L.Conv2D(filters, 1, padding="same")(L.UpSampling2D(2)(previous))
        x = L.add([x, residual])
        previous = x
    return keras.Model(inputs, L.Conv2D(3, 3, activation="softmax", padding="same")(x))


@example
def unet_concat(keras):
    L = keras.layers
    inputs = keras.Input((64, 64, 1))
    c1 = L.Conv2D(16, 3, padding="same", activation="relu")(inputs)
    p1 = L.MaxPooling2D()(c1)
    c2 = L.Conv2D(32, 3, padding="same", activation="relu")(p1)
    u1 = L.Conv2DTranspose(16, 2, strides=2, padding="same")(c2)
    x = L.concatenate([u1, c1])
    x = L.Conv2D(16, 3, padding="same", activation="relu")(x)
    return keras.Model(inputs, L.Conv2D(1, 1, activation="sigmoid")(x))


@example
def deeplab_head(keras):
    """DeepLabV3+-style atrous pyramid head on a small backbone, resized back up."""
    L = keras.layers
    inputs = keras.Input((64, 64, 3))
    x = L.Conv2D(32, 3, strides=4, padding="same", activation="relu")(inputs)
    pooled = L.AveragePooling2D(pool_size=(16, 16))(x)
    pooled = L.Conv2D(16, 1, use_bias=False)(pooled)
    pooled = L.UpSampling2D(size=(16, 16), interpolation="bilinear")(pooled)
    branches = [L.Conv2D(16, 3 if rate > 1 else 1, dilation_rate=rate, padding="same",
                         use_bias=False)(x) for rate in (1, 6, 12)]
    x = L.Concatenate(axis=-1)([pooled, *branches])
    x = L.BatchNormalization()(L.Conv2D(16, 1, use_bias=False)(x))
    x = L.UpSampling2D(size=(4, 4), interpolation="bilinear")(x)
    return keras.Model(inputs, L.Conv2D(5, 1, padding="same")(x))
