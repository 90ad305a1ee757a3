import ConvKit
import ConvKitNN
import XCTest

/// Builds the ConvKitNN layer a fixture case describes (its "kind" and "config"), with the
/// padding given as per-side pixels. With `magnitudes`, a max pool becomes a sum pool (average
/// with divisor 1) of the same windows: on |x| it bounds the chosen element, and its backward
/// reaches every element a max could pick (see ``MagnitudeModel``).
func makeLayer(kind: String, config c: FixtureCase, magnitudes: Bool = false, on context: Context) throws -> any Module {
    func padding() throws -> Padding {
        if c.bool("same") { return .same }
        let p = try c.ints("pad")
        return .explicit(top: p[0], bottom: p[1], left: p[2], right: p[3])
    }
    switch kind {
    case "Conv2D":
        return try Conv2D(inChannels: c.int("in"), outChannels: c.int("out"), kernelSize: c.pair("kernel"), stride: c.pair("stride"),
                          padding: padding(), dilation: c.pair("dilation"), groups: c.int("groups"), useBias: c.bool("bias"),
                          seed: 1, on: context)
    case "DepthwiseConv2D":
        return try DepthwiseConv2D(channels: c.int("in"), depthMultiplier: c.int("multiplier"), kernelSize: c.pair("kernel"),
                                   stride: c.pair("stride"), padding: padding(), dilation: c.pair("dilation"),
                                   useBias: c.bool("bias"), seed: 2, on: context)
    case "SeparableConv2D":
        return try SeparableConv2D(inChannels: c.int("in"), outChannels: c.int("out"), kernelSize: c.pair("kernel"),
                                   depthMultiplier: c.int("multiplier"), stride: c.pair("stride"), padding: padding(),
                                   dilation: c.pair("dilation"), useBias: c.bool("bias"), seed: 3, on: context)
    case "ConvTranspose2D":
        return try ConvTranspose2D(inChannels: c.int("in"), outChannels: c.int("out"), kernelSize: c.pair("kernel"),
                                   stride: c.pair("stride"), padding: padding(), outputPadding: c.pair("output_padding"),
                                   dilation: c.pair("dilation"), groups: c.int("groups"), useBias: c.bool("bias"), seed: 4,
                                   on: context)
    case "MaxPool2D" where magnitudes:
        return AvgPool2D(kernelSize: try c.pair("kernel"), stride: try c.pair("stride"), padding: try padding(),
                         ceilMode: c.bool("ceil"), divisorOverride: 1)
    case "MaxPool2D":
        return MaxPool2D(kernelSize: try c.pair("kernel"), stride: try c.pair("stride"), padding: try padding(), ceilMode: c.bool("ceil"))
    case "AvgPool2D":
        return AvgPool2D(kernelSize: try c.pair("kernel"), stride: try c.pair("stride"), padding: try padding(),
                         ceilMode: c.bool("ceil"), countIncludePad: c.bool("include_pad", default: true))
    case "GlobalAvgPool2D": return GlobalAvgPool2D()
    case "BatchNorm2D": return try BatchNorm2D(features: c.int("features"), momentum: c.double("momentum"), epsilon: c.double("eps"), on: context)
    case "Dense": return try Dense(inFeatures: c.int("in"), outFeatures: c.int("out"), useBias: c.bool("bias"), seed: 5, on: context)
    case "ReLU": return ReLU()
    case "LeakyReLU": return LeakyReLU(negativeSlope: try c.double("slope"))
    case "Sigmoid": return Sigmoid()
    case "Tanh": return Tanh()
    case "Softmax": return Softmax()
    case "Flatten": return Flatten()
    case "ZeroPadding2D":
        let p = try c.ints("pad")
        return try ZeroPadding2D(top: p[0], bottom: p[1], left: p[2], right: p[3])
    case "Cropping2D":
        let p = try c.ints("crop")
        return try Cropping2D(top: p[0], bottom: p[1], left: p[2], right: p[3])
    case "UpSampling2D":
        let mode: UpSampling2D.Interpolation = try c.string("mode") == "nearest" ? .nearest : .bilinear(alignCorners: c.bool("align_corners"))
        return try UpSampling2D(scale: c.pair("scale"), interpolation: mode)
    case "BasicBlock":
        return try BasicBlock(inChannels: c.int("in"), outChannels: c.int("out"), stride: c.int("stride"), seed: 6, on: context)
    default:
        throw XCTSkip("no layer kind \(kind)")
    }
}

/// The small CNN of the "sequential_small_cnn" case and of the optimizer runs: conv (3×3,
/// padding 1) → batch norm → ReLU → pool → flatten → dense; the pool is a 2×2 max pool or a
/// global average pool.
func makeSmallCNN(inChannels: Int, channels: Int, convBias: Bool, maxPool: Bool, denseIn: Int, classes: Int,
                  magnitudes: Bool = false, on context: Context) throws -> Sequential {
    let pool: any Module
    if !maxPool {
        pool = GlobalAvgPool2D()
    } else if magnitudes {
        pool = AvgPool2D(kernelSize: (2, 2), divisorOverride: 1)
    } else {
        pool = MaxPool2D(kernelSize: (2, 2))
    }
    return Sequential([
        try Conv2D(inChannels: inChannels, outChannels: channels, kernelSize: (3, 3), padding: .symmetric(1), useBias: convBias,
                   seed: 7, on: context),
        try BatchNorm2D(features: channels, on: context), ReLU(), pool, Flatten(),
        try Dense(inFeatures: denseIn, outFeatures: classes, seed: 8, on: context),
    ])
}
