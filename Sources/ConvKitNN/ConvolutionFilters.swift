import ConvKit

/// The learned filters of one convolution layer, read to the host: for each output channel o
/// and each input channel i of its group, the KH × KW kernel that o applies to i.
///
/// Works for ``Conv2D`` and ``DepthwiseConv2D`` (weight (O, I/groups, KH, KW)) and
/// ``ConvTranspose2D`` (weight (I, O/groups, KH, KW), PyTorch's layout: the kernel of input i
/// for output o is weight[i, o mod O/groups]).
public struct ConvolutionFilters: Equatable, Sendable {
    /// The layer's dotted path.
    public let layer: String
    /// Output channels.
    public let outputs: Int
    /// Input channels each output sees (I / groups).
    public let inputsPerOutput: Int
    /// Kernel rows (KH).
    public let kernelHeight: Int
    /// Kernel columns (KW).
    public let kernelWidth: Int
    /// `outputs · inputsPerOutput` kernels of KH · KW values, output-major (O, I/groups, KH, KW),
    /// whatever the layer's own layout.
    public let values: [Float]

    /// Reads the filters of `layer` in `model`. Throws ``InspectionError/unknownLayer(_:available:)``
    /// or, for a layer that is not one of the convolutions above,
    /// ``InspectionError/notAConvolution(layer:type:convolutions:)`` listing the model's.
    public init(model: any Module, layer: String) throws {
        let module = try model.submodule(named: layer)
        let (weight, transposed, groups): (Tensor, Bool, Int)
        switch module {
        case let conv as Conv2D: (weight, transposed, groups) = (conv.weight, false, conv.groups)
        case let depthwise as DepthwiseConv2D: (weight, transposed, groups) = (depthwise.weight, false, 1)
        case let conv as ConvTranspose2D: (weight, transposed, groups) = (conv.weight, true, conv.groups)
        default:
            let convolutions = model.namedSubmodules().filter { ConvolutionFilters.isConvolution($0.module) }.map(\.name)
            throw InspectionError.notAConvolution(layer: layer, type: module.typeName, convolutions: convolutions)
        }
        let stored = try weight.toArray()
        let (a, b, kh, kw) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
        self.layer = layer
        (kernelHeight, kernelWidth) = (kh, kw)
        guard transposed else {
            (outputs, inputsPerOutput, values) = (a, b, stored)
            return
        }
        // (I, O/g, KH, KW) → (O, I/g, KH, KW): output o of group g = o / (O/g) reads inputs g·(I/g) ..< (g+1)·(I/g).
        let (inputs, outputsPerGroup) = (a, b)
        let inputsPerGroup = inputs / groups
        (outputs, inputsPerOutput) = (outputsPerGroup * groups, inputsPerGroup)
        let plane = kh * kw
        var reordered = [Float](repeating: 0, count: stored.count)
        for o in 0..<outputs {
            let group = o / outputsPerGroup
            for i in 0..<inputsPerGroup {
                let source = ((group * inputsPerGroup + i) * outputsPerGroup + o % outputsPerGroup) * plane
                let target = (o * inputsPerGroup + i) * plane
                reordered[target..<(target + plane)] = stored[source..<(source + plane)]
            }
        }
        values = reordered
    }

    /// The KH × KW kernel output `output` applies to its `input`-th input channel, row-major.
    public func kernel(output: Int, input: Int) -> ArraySlice<Float> {
        let start = (output * inputsPerOutput + input) * kernelHeight * kernelWidth
        return values[start..<(start + kernelHeight * kernelWidth)]
    }

    static func isConvolution(_ module: any Module) -> Bool {
        module is Conv2D || module is DepthwiseConv2D || module is ConvTranspose2D
    }
}
