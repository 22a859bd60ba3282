"""More keras.io-style models for ``zoo_keras.py``: time series, video, graphs of tensor
operations, nested and multi-output models (see ``keras_examples.py``)."""

from __future__ import annotations

from keras_examples import example


@example
def timeseries_fcn(keras):
    L = keras.layers
    inputs = keras.Input((500, 1))
    x = inputs
    for _ in range(3):
        x = L.ReLU()(L.BatchNormalization()(L.Conv1D(64, 3, padding="same")(x)))
    x = L.GlobalAveragePooling1D()(x)
    return keras.Model(inputs, L.Dense(2, activation="softmax")(x))


@example
def timeseries_transformer(keras):
    L = keras.layers
    inputs = keras.Input((500, 1))
    x = L.LayerNormalization(epsilon=1e-6)(inputs)
    x = L.MultiHeadAttention(key_dim=64, num_heads=2, dropout=0.25)(x, x)
    res = x + inputs
    x = L.LayerNormalization(epsilon=1e-6)(res)
    x = L.Conv1D(4, 1, activation="relu")(x)
    x = L.Conv1D(inputs.shape[-1], 1)(x)
    x = L.GlobalAveragePooling1D(data_format="channels_last")(x + res)
    return keras.Model(inputs, L.Dense(2, activation="softmax")(x))


@example
def weather_lstm(keras):
    L = keras.layers
    inputs = keras.Input((120, 7))
    return keras.Model(inputs, L.Dense(1)(L.LSTM(32)(inputs)))


@example
def masked_lstm(keras):
    L = keras.layers
    inputs = keras.Input((None, 8))
    x = L.Masking(0.0)(inputs)
    x = L.LSTM(16, return_sequences=True)(x)
    return keras.Model(inputs, L.TimeDistributed(L.Dense(3))(x))


@example
def ner_bilstm(keras):
    L = keras.layers
    inputs = keras.Input((None,), dtype="int32")
    x = L.Embedding(5000, 64, mask_zero=True)(inputs)
    x = L.Bidirectional(L.GRU(32, return_sequences=True), merge_mode="sum")(x)
    return keras.Model(inputs, L.TimeDistributed(L.Dense(9, activation="softmax"))(x))


@example
def char_lstm_generator(keras):
    L = keras.layers
    return keras.Sequential([keras.Input((40, 57)), L.LSTM(128),
                             L.Dense(57, activation="softmax")])


@example
def lstm_with_mask_input(keras):
    """An LSTM given an explicit boolean mask as a call keyword argument."""
    L = keras.layers
    x, mask = keras.Input((20, 8)), keras.Input((20,), dtype="bool")
    y = L.LSTM(12)(x, mask=mask)
    return keras.Model([x, mask], L.Dense(1)(y))


@example
def next_frame_convlstm(keras):
    L = keras.layers
    inputs = keras.Input((None, 32, 32, 1))
    x = L.ConvLSTM2D(16, (5, 5), padding="same", return_sequences=True, activation="relu")(inputs)
    x = L.BatchNormalization()(x)
    x = L.ConvLSTM2D(16, (3, 3), padding="same", return_sequences=True, activation="relu")(x)
    return keras.Model(inputs, L.Conv3D(1, (3, 3, 3), activation="sigmoid", padding="same")(x))


@example
def ct_scan_3d_cnn(keras):
    L = keras.layers
    inputs = keras.Input((64, 64, 32, 1))
    x = L.Conv3D(16, 3, activation="relu")(inputs)
    x = L.BatchNormalization()(L.MaxPool3D(2)(x))
    x = L.Conv3D(32, 3, activation="relu")(x)
    x = L.GlobalAveragePooling3D()(L.MaxPool3D(2)(x))
    x = L.Dropout(0.3)(L.Dense(64, activation="relu")(x))
    return keras.Model(inputs, L.Dense(1, activation="sigmoid")(x))


@example
def collaborative_filtering(keras):
    L = keras.layers
    users, movies = keras.Input((1,), dtype="int32"), keras.Input((1,), dtype="int32")
    u = L.Flatten()(L.Embedding(600, 50)(users))
    m = L.Flatten()(L.Embedding(9000, 50)(movies))
    ub = L.Flatten()(L.Embedding(600, 1)(users))
    dot = L.Dot(axes=1)([u, m])
    x = L.Add()([dot, ub])
    return keras.Model([users, movies], keras.ops.sigmoid(x))


@example
def ticket_classifier(keras):
    """The functional API guide's multi-input, multi-output model."""
    L = keras.layers
    title, body = keras.Input((None,), name="title"), keras.Input((None,), name="body")
    tags = keras.Input((12,), name="tags")
    t = L.LSTM(128)(L.Embedding(10000, 64)(title))
    b = L.LSTM(32)(L.Embedding(10000, 64)(body))
    x = L.concatenate([t, b, tags])
    return keras.Model([title, body, tags], [L.Dense(1, name="priority")(x),
                                             L.Dense(4, name="department")(x)])


@example
def toy_resnet(keras):
    L = keras.layers
    inputs = keras.Input((32, 32, 3))
    x = L.Conv2D(32, 3, activation="relu")(inputs)
    x = L.Conv2D(64, 3, activation="relu")(x)
    block_1 = L.MaxPooling2D(3)(x)
    x = L.Conv2D(64, 3, activation="relu", padding="same")(block_1)
    x = L.Conv2D(64, 3, activation="relu", padding="same")(x)
    block_2 = L.add([x, block_1])
    x = L.Conv2D(64, 3, activation="relu")(block_2)
    x = L.Dense(256, activation="relu")(L.GlobalAveragePooling2D()(x))
    return keras.Model(inputs, L.Dense(10)(L.Dropout(0.5)(x)))


@example
def vit_class_token(keras):
    """A small vision transformer: patches, a class token from ``ops``, the first token read
    with slicing (``GetItem``)."""
    L, ops = keras.layers, keras.ops
    inputs = keras.Input((32, 32, 3))
    x = L.Conv2D(64, 4, strides=4)(inputs)
    x = L.Reshape((64, 64))(x)
    x = x + L.Embedding(64, 64)(ops.arange(64))
    x = _encoder(keras, x)
    first = x[:, 0, :]
    return keras.Model(inputs, L.Dense(10)(L.LayerNormalization()(first)))


def _encoder(keras, x):
    L = keras.layers
    y = L.MultiHeadAttention(4, 16)(L.LayerNormalization()(x), L.LayerNormalization()(x))
    x = L.Add()([x, y])
    y = L.Dense(128, activation="gelu")(L.LayerNormalization()(x))
    return L.Add()([x, L.Dense(64)(y)])


@example
def mlp_mixer(keras):
    L, ops = keras.layers, keras.ops
    inputs = keras.Input((16, 32))
    x = L.LayerNormalization(epsilon=1e-6)(inputs)
    x = ops.transpose(x, axes=(0, 2, 1))
    x = L.Dense(16, activation="gelu")(x)
    x = L.Permute((2, 1))(x)
    x = L.Add()([x, inputs])
    x = L.Dense(32)(L.LayerNormalization()(x))
    return keras.Model(inputs, L.GlobalAveragePooling1D()(x))


@example
def ops_graph(keras):
    """Tensor operations on a functional graph: reshape, expand, concatenate, mean, softmax."""
    L, ops = keras.layers, keras.ops
    inputs = keras.Input((10, 6))
    x = L.Dense(8)(inputs)
    y = ops.reshape(x, (-1, 80))
    z = ops.expand_dims(ops.mean(x, axis=1), 1)
    w = ops.concatenate([x, z], axis=1)
    s = ops.softmax(ops.max(w, axis=-1))
    v = ops.relu(ops.squeeze(z, axis=1)) - 1.0
    return keras.Model(inputs, [y, s, v / 2.0, ops.matmul(x, ops.transpose(x, (0, 2, 1)))])


@example
def hard_swish_block(keras):
    """MobileNetV3's hard sigmoid as a graph of constants: ``relu6(x + 3) * (1/6)``."""
    L = keras.layers
    inputs = keras.Input((32, 32, 8))
    x = L.Conv2D(16, 1)(inputs)
    gate = L.ReLU(6.0)(x + 3.0) * (1.0 / 6.0)
    return keras.Model(inputs, L.Multiply()([x, gate]))


@example
def group_norm_convnet(keras):
    L = keras.layers
    inputs = keras.Input((32, 32, 3))
    x = L.Conv2D(32, 3, padding="same")(inputs)
    x = L.GroupNormalization(groups=8)(x)
    x = L.DepthwiseConv2D(3, padding="same")(L.Activation("swish")(x))
    x = L.UnitNormalization()(L.GlobalMaxPooling2D()(x))
    return keras.Model(inputs, L.Dense(10)(x))


@example
def nested_classifier(keras):
    """A backbone model inside a classifier, frozen, as in transfer learning."""
    L = keras.layers
    base = keras.Sequential([keras.Input((32, 32, 3)), L.Conv2D(16, 3),
                             L.BatchNormalization(), L.GlobalAveragePooling2D()], name="base")
    base.trainable = False
    inputs = keras.Input((32, 32, 3))
    x = base(inputs, training=False)
    return keras.Model(inputs, L.Dense(5)(L.Dropout(0.2)(x)))


@example
def keyword_spotting(keras):
    L = keras.layers
    inputs = keras.Input((98, 40))
    x = L.Reshape((98, 40, 1))(inputs)
    x = L.Conv2D(32, 3, activation="relu")(x)
    x = L.SpatialDropout2D(0.1)(L.MaxPooling2D(2)(x))
    x = L.Flatten()(x)
    return keras.Model(inputs, L.Dense(12, activation="softmax")(x))


@example
def conv1d_regression_stack(keras):
    L = keras.layers
    return keras.Sequential([keras.Input((100, 4)), L.Conv1D(16, 5, activation="relu"),
                             L.AveragePooling1D(2), L.Conv1D(32, 3, dilation_rate=2),
                             L.UpSampling1D(2), L.Cropping1D((1, 1)), L.ZeroPadding1D(2),
                             L.GlobalAveragePooling1D(), L.Dense(1)])


@example
def attention_scores(keras):
    """Attention layers asked for their scores (``return_attention_scores=True``)."""
    L = keras.layers
    q, v = keras.Input((8, 16)), keras.Input((5, 12))
    out, scores = L.MultiHeadAttention(2, 4)(q, v, return_attention_scores=True)
    dot, weights = L.Attention()([q, L.Dense(16)(v)], return_attention_scores=True)
    pooled = L.Flatten()(scores)
    return keras.Model([q, v], [out, L.Dense(3)(pooled), dot, weights])


@example
def dcgan_generator(keras):
    L = keras.layers
    return keras.Sequential([keras.Input((128,)), L.Dense(8 * 8 * 128), L.Reshape((8, 8, 128)),
                             L.Conv2DTranspose(128, 4, strides=2, padding="same"),
                             L.LeakyReLU(negative_slope=0.2),
                             L.Conv2DTranspose(256, 4, strides=2, padding="same"),
                             L.LeakyReLU(negative_slope=0.2),
                             L.Conv2D(3, 5, padding="same", activation="sigmoid")],
                            name="generator")


@example
def dcgan_discriminator(keras):
    L = keras.layers
    return keras.Sequential([keras.Input((64, 64, 3)), L.Conv2D(64, 4, strides=2, padding="same"),
                             L.LeakyReLU(negative_slope=0.2),
                             L.Conv2D(128, 4, strides=2, padding="same"),
                             L.LeakyReLU(negative_slope=0.2), L.Flatten(), L.Dropout(0.2),
                             L.Dense(1, activation="sigmoid")], name="discriminator")


@example
def wgan_critic_padding(keras):
    L = keras.layers
    inputs = keras.Input((28, 28, 1))
    x = L.ZeroPadding2D((2, 2))(inputs)
    x = L.LeakyReLU(0.2)(L.Conv2D(64, 5, strides=2, padding="same")(x))
    x = L.Conv2D(128, 5, strides=2, padding="same")(x)
    x = L.Cropping2D(((1, 1), (1, 1)))(x)
    x = L.Flatten()(L.Dropout(0.3)(x))
    return keras.Model(inputs, L.Dense(1)(x))


@example
def conditional_gan_generator(keras):
    L = keras.layers
    noise, label = keras.Input((64,)), keras.Input((1,), dtype="int32")
    e = L.Flatten()(L.Embedding(10, 64)(label))
    x = L.Multiply()([noise, e])
    x = L.Reshape((7, 7, 4))(L.Dense(7 * 7 * 4)(x))
    x = L.Conv2DTranspose(16, 4, strides=2, padding="same")(x)
    return keras.Model([noise, label], L.Conv2D(1, 3, padding="same")(x))
