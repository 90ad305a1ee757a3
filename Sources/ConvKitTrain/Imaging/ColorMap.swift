/// Maps a value in [0, 1] to a colour, by linear interpolation between evenly spaced anchors
/// (values outside are clamped; NaN shows as the first anchor).
public struct ColorMap: Sendable {
    /// The colours at 0, 1/(n−1), …, 1.
    public let anchors: [RGB]

    /// At least two anchors.
    init(anchors: [RGB]) { self.anchors = anchors }

    /// Black at 0 to white at 1 (activations, input images).
    public static let grey = ColorMap(anchors: [.black, .white])
    /// Black, dark red, red, orange, yellow, white: "hot", for saliency (0 = no influence).
    public static let heat = ColorMap(anchors: [RGB(0, 0, 0), RGB(120, 0, 0), RGB(220, 30, 0), RGB(255, 140, 0),
                                                RGB(255, 230, 40), RGB(255, 255, 255)])
    /// Dark blue, blue, cyan, yellow, red, dark red: a rainbow for Grad-CAM (0 = no evidence).
    public static let rainbow = ColorMap(anchors: [RGB(0, 0, 140), RGB(0, 60, 255), RGB(0, 220, 255), RGB(255, 240, 0),
                                                   RGB(255, 40, 0), RGB(150, 0, 0)])
    /// Blue at 0, white at ½, red at 1: signed values (filters) scaled so that ½ is zero.
    public static let diverging = ColorMap(anchors: [RGB(30, 60, 200), .white, RGB(200, 30, 30)])

    /// The colour of `value`.
    public func callAsFunction(_ value: Float) -> RGB {
        let clamped = value.isNaN ? 0 : min(max(value, 0), 1)
        let position = clamped * Float(anchors.count - 1)
        let low = min(Int(position), anchors.count - 2)
        let t = position - Float(low)
        let (a, b) = (anchors[low], anchors[low + 1])
        func mix(_ x: UInt8, _ y: UInt8) -> UInt8 { UInt8((Float(x) + (Float(y) - Float(x)) * t).rounded()) }
        return RGB(mix(a.red, b.red), mix(a.green, b.green), mix(a.blue, b.blue))
    }
}

extension RGB {
    /// (1 − weight)·self + weight·other per component, rounded: `other` laid over `self`.
    public func blended(with other: RGB, weight: Float) -> RGB {
        func mix(_ x: UInt8, _ y: UInt8) -> UInt8 { UInt8((Float(x) * (1 - weight) + Float(y) * weight).rounded()) }
        return RGB(mix(red, other.red), mix(green, other.green), mix(blue, other.blue))
    }
}
